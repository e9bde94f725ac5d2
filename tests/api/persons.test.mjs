import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login } from '../lib/server.mjs';
import { validId, withWrongCheck } from '../lib/ids.mjs';

let srv, api, community, household;
before(async () => {
  srv = await startServer({ persons: 2000 });
  api = await login(srv.url, 'admin');
  const some = await api.get('/api/v1/persons?resident_type=resident&limit=1');
  household = some.json.items[0].household_id;
  community = some.json.items[0].community_code;
});
after(async () => { await srv.stop(); });

const total = async () => (await api.get('/api/v1/persons?limit=1')).json.total;

function newPerson(n, extra = {}) {
  return { name: `测试${n}号`, id_number: validId(n), phone: `139${String(10000000 + n).slice(-8)}`,
    resident_type: 'resident', household_id: household, ...extra };
}

test('list pages with a total, and every person has the documented fields', async () => {
  const r = await api.get('/api/v1/persons?limit=10&offset=5');
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 10);
  assert.ok(r.json.total >= 2000);
  for (const k of ['id', 'name', 'id_type', 'id_number', 'sex', 'birth_date', 'phone', 'household_id', 'community_code'])
    assert.ok(k in r.json.items[0], k);
});

test('q finds a person by name prefix, ID number prefix and phone prefix', async () => {
  const p = (await api.get('/api/v1/persons?limit=1&offset=123')).json.items[0];
  for (const q of [p.name, p.id_number.slice(0, 14), p.id_number]) {
    const r = await api.get(`/api/v1/persons?q=${encodeURIComponent(q)}&limit=1000`);
    assert.ok(r.json.items.some((x) => x.id === p.id), `q=${q}`);
    assert.equal(r.json.total >= 1, true);
  }
  if (p.phone) {
    const r = await api.get(`/api/v1/persons?q=${p.phone}`);
    assert.ok(r.json.items.some((x) => x.id === p.id));
  }
});

test('filters narrow the list', async () => {
  const r = await api.get(`/api/v1/persons?community_code=${community}&limit=1000`);
  assert.ok(r.json.items.length > 0);
  assert.ok(r.json.items.every((x) => x.community_code === community));
  const nr = await api.get('/api/v1/persons?resident_type=non_resident&limit=50');
  assert.ok(nr.json.items.every((x) => x.resident_type === 'non_resident' && x.household_id === null));
});

test('create derives sex and birth date from the ID number; get and update it', async () => {
  const r = await api.post('/api/v1/persons', newPerson(1));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.birth_date, '1951-01-01');
  assert.equal(r.json.community_code, community);
  const g = await api.get(`/api/v1/persons/${r.json.id}`);
  assert.equal(g.json.name, '测试1号');
  const u = await api.patch(`/api/v1/persons/${r.json.id}`, { work_unit: '安澜市第一人民医院', flags: ['chronic'] });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.work_unit, '安澜市第一人民医院');
  assert.deepEqual(u.json.flags, ['chronic']);
  assert.equal(u.json.name, '测试1号');
});

test('bad input is refused with the field named and changes nothing', async () => {
  const before = await total();
  const cases = [
    [newPerson(2, { id_number: withWrongCheck(validId(2)) }), 400, 'id_number', /check digit/],
    [newPerson(3, { id_number: '51990119900307' }), 400, 'id_number', /18 characters/],
    [newPerson(4, { household_id: 999999999 }), 422, 'household_id', /household/],
    [newPerson(5, { phone: '12345' }), 400, 'phone', /mobile/],
    [newPerson(6, { birth_date: '1901-01-01' }), 400, 'birth_date', /does not match/],
    [newPerson(7, { name: 42 }), 400, 'name', /string/],
    [newPerson(8, { nickname: 'x' }), 400, 'nickname', /unknown field/],
    [{ id_number: validId(9), resident_type: 'resident', household_id: household }, 400, 'name', /required/],
    [newPerson(10, { resident_type: 'non_resident', household_id: null }), 400, 'address', /required/],
    [newPerson(11, { resident_type: 'non_resident', household_id: null, address: '某路1号', community_code: '519999999999' }), 422, 'community_code', /community/],
  ];
  for (const [body, status, field, msg] of cases) {
    const r = await api.post('/api/v1/persons', body);
    assert.equal(r.status, status, `${field}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
    assert.match(r.json.error.message, msg);
  }
  assert.equal(await total(), before);
});

test('duplicate ID number is a 409 and changes nothing', async () => {
  const a = await api.post('/api/v1/persons', newPerson(20));
  assert.equal(a.status, 201);
  const before = await total();
  const b = await api.post('/api/v1/persons', newPerson(20, { name: '另一个人' }));
  assert.equal(b.status, 409);
  assert.equal(b.json.error.field, 'id_number');
  assert.equal(await total(), before);
});

test('malformed JSON names line and column; oversize bodies are 413', async () => {
  const m = await api.raw('POST', '/api/v1/persons', '{\n  "name": "x",\n  oops\n}', { 'Content-Type': 'application/json' });
  assert.equal(m.status, 400);
  assert.match(m.json.error.message, /line 3, column \d+/);
  const big = JSON.stringify({ ...newPerson(30), address: 'x'.repeat(2 * 1024 * 1024) });
  const b = await api.raw('POST', '/api/v1/persons', big, { 'Content-Type': 'application/json' });
  assert.equal(b.status, 413);
  assert.equal(b.json.error.code, 'too_large');
  const arr = await api.post('/api/v1/persons', '[1,2]');
  assert.equal(arr.status, 400);
});

test('unknown ids, routes and methods', async () => {
  assert.equal((await api.get('/api/v1/persons/999999999')).status, 404);
  assert.equal((await api.get('/api/v1/persons/abc')).status, 404);
  const nr = await api.get('/api/v1/nothing');
  assert.equal(nr.status, 404);
  assert.equal(nr.json.error.code, 'not_found');
  const nm = await api.del('/api/v1/persons');
  assert.equal(nm.status, 405);
  assert.equal(nm.json.error.code, 'method_not_allowed');
  const lim = await api.get('/api/v1/persons?limit=5000');
  assert.equal(lim.status, 400);
  assert.equal(lim.json.error.field, 'limit');
});

test('PUT replaces the record and validates like create', async () => {
  const a = await api.post('/api/v1/persons', newPerson(40));
  const put = await api.put(`/api/v1/persons/${a.json.id}`, newPerson(40, { name: '改名了', phone: '' }));
  assert.equal(put.status, 200, put.text);
  assert.equal(put.json.name, '改名了');
  assert.equal(put.json.phone, '');
  const bad = await api.put(`/api/v1/persons/${a.json.id}`, { name: '没有证件号' });
  assert.equal(bad.status, 400);
  assert.equal((await api.get(`/api/v1/persons/${a.json.id}`)).json.name, '改名了');
});
