// Roles, jurisdiction, masking and the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login } from '../lib/server.mjs';
import { validId } from '../lib/ids.mjs';

let srv, admin, shequ, jiedao, guest, liudiao, mine, street;
before(async () => {
  srv = await startServer({ persons: 50000 }); // enough for two streets
  admin = await login(srv.url, 'admin');
  shequ = await login(srv.url, 'shequ');
  jiedao = await login(srv.url, 'jiedao');
  guest = await login(srv.url, 'guest');
  liudiao = await login(srv.url, 'liudiao');
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  street = (await jiedao.get('/api/v1/me')).json.area_code;
});
after(async () => { await srv.stop(); });

// A resident of another community than `area` (a community or street code).
async function personOutside(area) {
  const streets = [];
  for (const d of (await admin.get('/api/v1/areas')).json.items)
    streets.push(...(await admin.get(`/api/v1/areas?parent=${d.code}`)).json.items);
  for (const st of streets) {
    for (const c of (await admin.get(`/api/v1/areas?parent=${st.code}`)).json.items) {
      if (c.code.startsWith(area)) continue;
      const p = (await admin.get(`/api/v1/persons?community_code=${c.code}&resident_type=resident&limit=1`)).json.items[0];
      if (p) return p;
    }
  }
  throw new Error(`no person outside ${area} in the city`);
}

test('a community worker sees only persons of their community', async () => {
  assert.equal(mine.length, 12);
  const r = await shequ.get('/api/v1/persons?limit=1000');
  assert.ok(r.json.items.length > 0);
  assert.ok(r.json.items.every((p) => p.community_code === mine));
  const all = await admin.get('/api/v1/persons?limit=1');
  assert.ok(all.json.total > r.json.total);
  const outside = await personOutside(mine);
  assert.equal((await shequ.get(`/api/v1/persons/${outside.id}`)).status, 404);
  const ch = await shequ.patch(`/api/v1/persons/${outside.id}`, { work_unit: 'x' });
  assert.equal(ch.status, 404);
  const asked = await shequ.get(`/api/v1/persons?community_code=${outside.community_code}`);
  assert.ok(asked.json.items.every((p) => p.community_code === mine));
});

test('a street officer sees the whole street and nothing beyond', async () => {
  assert.equal(street.length, 9);
  const r = await jiedao.get('/api/v1/persons?limit=1000&offset=3000');
  assert.ok(r.json.items.length > 0);
  assert.ok(r.json.items.every((p) => p.community_code.startsWith(street)));
  const s = await shequ.get('/api/v1/persons?limit=1');
  const all = await admin.get('/api/v1/persons?limit=1');
  assert.ok(r.json.total > s.json.total, 'the street holds more than one community');
  assert.ok(r.json.total < all.json.total, 'the city holds more than one street');
  const other = await personOutside(street);
  assert.equal((await jiedao.get(`/api/v1/persons/${other.id}`)).status, 404);
});

test('a community worker cannot register a person outside their community', async () => {
  const outside = await personOutside(mine);
  const r = await shequ.post('/api/v1/persons', { name: '越界', id_number: validId(77), resident_type: 'resident', household_id: outside.household_id });
  assert.equal(r.status, 403);
  assert.equal(r.json.error.code, 'forbidden');
});

test('a viewer sees masked names, ID numbers and phones and cannot write', async () => {
  const clear = (await admin.get('/api/v1/persons?limit=5')).json.items;
  const masked = (await guest.get('/api/v1/persons?limit=5')).json.items;
  for (let i = 0; i < 5; i++) {
    assert.equal(masked[i].id, clear[i].id);
    assert.notEqual(masked[i].name, clear[i].name);
    assert.match(masked[i].name, /\*/);
    assert.match(masked[i].id_number, /^\d{4}\*{10}/);
  }
  const w = await guest.post('/api/v1/persons', { name: 'x', id_number: validId(5) });
  assert.equal(w.status, 403);
});

test('every read of personal data is in the audit log, which only command can read', async () => {
  const p = (await liudiao.get('/api/v1/persons?limit=1&offset=7')).json.items[0];
  assert.equal((await liudiao.get(`/api/v1/persons/${p.id}`)).status, 200);
  const denied = await liudiao.get('/api/v1/audit');
  assert.equal(denied.status, 403);
  const a = await admin.get(`/api/v1/audit?actor=liudiao&entity=person&limit=100`);
  assert.equal(a.status, 200);
  const actions = a.json.items.map((x) => `${x.action}:${x.entity_id}`);
  assert.ok(actions.includes(`read:${p.id}`), actions.join(','));
  assert.ok(a.json.items.some((x) => x.action === 'list'));
  assert.ok(a.json.items.every((x) => x.remote === '127.0.0.1'));
});

test('changes are audited with the actor', async () => {
  const hh = (await shequ.get('/api/v1/persons?resident_type=resident&limit=1')).json.items[0].household_id;
  const c = await shequ.post('/api/v1/persons', { name: '新住户', id_number: validId(88), resident_type: 'resident', household_id: hh });
  assert.equal(c.status, 201, c.text);
  const a = await admin.get(`/api/v1/audit?entity=person&entity_id=${c.json.id}`);
  assert.ok(a.json.items.some((x) => x.action === 'create' && x.actor === 'shequ'));
});

test('dashboard figures are counted within the jurisdiction', async () => {
  const city = (await admin.get('/api/v1/stats')).json;
  const local = (await shequ.get('/api/v1/stats')).json;
  const mineTotal = (await shequ.get('/api/v1/persons?limit=1')).json.total;
  assert.equal(local.persons, mineTotal);
  assert.ok(city.persons > local.persons);
});
