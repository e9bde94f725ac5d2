// Mass testing (全员核酸), first slice, through the API on a demo city: a round over a
// community, a sampling site, tube stock issued, persons scanned into a tube of the policy's
// pool size until it closes itself; every refusal (unknown or malformed barcode, closed
// or full tube, a person twice in a round, outside the round's area, a contact pooled
// with others, a round not open or outside its window) names its field and changes
// nothing; another community's sampler sees nothing; the person's history; the audit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, fangkong } from '../lib/server.mjs';
import { validId, withWrongCheck } from '../lib/ids.mjs';

let srv, admin, jiance, shequ, other, mine, street, round, site, pool, people;
const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

before(async () => {
  srv = await startServer({ persons: 1500, seed: 29 });
  [admin, jiance, shequ] = await Promise.all(['admin', 'jiance', 'shequ'].map((u) => login(srv.url, u)));
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  street = mine.slice(0, 9);
  const otherCommunity = `${street}998`;
  const imp = await admin.post('/api/v1/imports/areas', `code,parent_code,name\n${otherCommunity},${street},检测测试社区\n`,
    { 'Content-Type': 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
  const r = fangkong(['user', 'add', 'cy_other', '--role', 'lab', '--area', otherCommunity, '--data', srv.dataDir],
    { input: 'lab-password-123\n' });
  assert.equal(r.status, 0, r.stderr);
  other = await login(srv.url, 'cy_other', 'lab-password-123');
  pool = (await admin.get('/api/v1/policy')).json;
  pool = (pool.rules || pool.document || pool).testing.pool_by_group.groups;
  people = (await admin.get(`/api/v1/persons?limit=200&community_code=${mine}`)).json.items
    .filter((p) => /^\d{17}[\dX]$/.test(p.id_number));
  assert.ok(people.length >= 40, String(people.length));
});
after(async () => { await srv.stop(); });

const tube = async (code) => (await jiance.get(`/api/v1/testing/tubes/${code}`)).json;
const scanned = async () => (await jiance.get(`/api/v1/testing/rounds/${round.id}`)).json.scanned;
const scan = (code, body, who = jiance) => who.post(`/api/v1/testing/tubes/${code}/scans`, body);

test('a round, a site and tube stock; bad input refused naming the field', async () => {
  const bad = [
    [{ name: '', area_code: street, starts_at: iso(Date.now()), ends_at: iso(Date.now() + HOUR) }, 400, 'name'],
    [{ name: 'x', area_code: street, starts_at: iso(Date.now()), ends_at: iso(Date.now() - HOUR) }, 400, 'ends_at'],
    [{ name: 'x', area_code: '999999', starts_at: iso(Date.now()), ends_at: iso(Date.now() + HOUR) }, 422, 'area_code'],
  ];
  for (const [body, status, field] of bad) {
    const r = await jiance.post('/api/v1/testing/rounds', body);
    assert.equal(r.status, status, r.text);
    assert.equal(r.json.error.field, field, r.text);
  }
  const r = await jiance.post('/api/v1/testing/rounds', { name: '第一轮全员核酸', area_code: mine,
    starts_at: iso(Date.now() - HOUR), ends_at: iso(Date.now() + 23 * HOUR) });
  assert.equal(r.status, 201, r.text);
  round = r.json;
  assert.equal(round.state, 'planned');
  const s = await jiance.post(`/api/v1/testing/rounds/${round.id}/sites`, { name: '社区广场采样点', area_code: mine,
    team: '第三医院采样队', lon: 104.07, lat: 30.66 });
  assert.equal(s.status, 201, s.text);
  site = s.json;
  const outside = await jiance.post(`/api/v1/testing/rounds/${round.id}/sites`, { name: 'x', area_code: '510199' });
  assert.equal(outside.status, 400, outside.text);
  assert.equal(outside.json.error.field, 'area_code');
  const issue = await jiance.post(`/api/v1/testing/sites/${site.id}/tubes`, { prefix: 'JC22-', count: 5 });
  assert.equal(issue.status, 201, issue.text);
  assert.deepEqual(issue.json.barcodes, ['JC22-000001', 'JC22-000002', 'JC22-000003', 'JC22-000004', 'JC22-000005']);
  const listed = await jiance.post(`/api/v1/testing/sites/${site.id}/tubes`, { barcodes: ['JC22-LIST-01'] });
  assert.equal(listed.status, 201, listed.text);
  for (const [body, status, field] of [[{ barcodes: ['JC22-000009', 'JC22-000001'] }, 409, 'barcodes'],
    [{ barcodes: ['bad code'] }, 400, 'barcodes'], [{}, 400, 'barcodes']]) {
    const x = await jiance.post(`/api/v1/testing/sites/${site.id}/tubes`, body);
    assert.equal(x.status, status, x.text);
    assert.equal(x.json.error.field, field, x.text);
  }
  assert.equal((await jiance.get('/api/v1/testing/tubes/JC22-000009')).status, 404, 'a refused issue issues none');
  assert.equal((await jiance.get(`/api/v1/testing/rounds/${round.id}`)).json.tube_count, 6);
  const t = await tube('JC22-000001');
  assert.deepEqual([t.state, t.size, t.n_members], ['issued', 0, 0]);
  // a planned round takes no samples
  const early = await scan('JC22-000001', { person_id: people[0].id });
  assert.equal(early.status, 409, early.text);
  assert.equal(early.json.error.field, 'round_id');
  assert.equal((await jiance.patch(`/api/v1/testing/rounds/${round.id}`, { state: 'open' })).status, 200);
  assert.equal((await jiance.patch(`/api/v1/testing/rounds/${round.id}`, { state: 'planned' })).status, 409);
});

test('persons scanned into a tube of the policy pool size until it closes itself', async () => {
  const size = pool.other;
  assert.ok(size > 1 && size <= 20, String(size));
  for (let i = 0; i < size; i++) {
    const body = i === 1 ? { id_number: people[i].id_number } : { person_id: people[i].id };
    const r = await scan('JC22-000001', body);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.size, size);
    assert.equal(r.json.n_members, i + 1);
    assert.equal(r.json.state, i + 1 === size ? 'closed' : 'open');
  }
  const t = await tube('JC22-000001');
  assert.equal(t.members.length, size);
  assert.equal(t.members[1].person_id, people[1].id, 'scanned by ID number');
  assert.equal(t.closed_by, 'jiance');
  assert.equal(await scanned(), size);
});

test('every refusal names its field and changes nothing', async () => {
  const lead = await admin.post('/api/v1/leads', { kind: 'close_contact', person_id: people[31].id });
  assert.equal(lead.status, 201, lead.text);
  const size = pool.other;
  assert.equal((await scan('JC22-000002', { person_id: people[30].id })).status, 201); // opens it, pooled
  const made = await admin.post('/api/v1/persons', { name: '外社区居民', id_number: validId(4242), resident_type: 'non_resident',
    community_code: `${street}998`, address: '检测测试路 1 号' });
  assert.equal(made.status, 201, made.text);
  const outsider = made.json;
  const before = [await scanned(), await tube('JC22-000001'), await tube('JC22-000002')];
  const refusals = [
    ['ZZ-NEVER-ISSUED', { person_id: people[32].id }, 404, 'barcode', /never issued/],
    ['ab', { person_id: people[32].id }, 400, 'barcode', /8 to 20/],
    ['JC22-000001', { person_id: people[32].id }, 409, 'barcode', /full/],
    ['JC22-000002', { person_id: people[0].id }, 409, 'person_id', /already scanned in this round, into tube JC22-000001 at \d{4}-/],
    ['JC22-000002', { id_number: people[0].id_number }, 409, 'id_number', /already scanned/],
    ['JC22-000002', { id_number: withWrongCheck(people[33].id_number) }, 400, 'id_number', /check/],
    ['JC22-000002', { person_id: outsider.id }, 409, 'person_id', /outside the round's area/],
    ['JC22-000002', { person_id: people[31].id }, 409, 'person_id', /single tube/],
    ['JC22-000002', { person_id: 99999999 }, 422, 'person_id', /no person/],
    ['JC22-000002', {}, 400, 'person_id', /exactly one/],
  ];
  for (const [code, body, status, field, message] of refusals) {
    const r = await scan(code, body);
    assert.equal(r.status, status, `${code} ${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
    assert.match(r.json.error.message, message);
  }
  assert.deepEqual([await scanned(), await tube('JC22-000001'), await tube('JC22-000002')], before);
  // the contact goes into a single tube of their own, which closes at once
  const single = await scan('JC22-000003', { person_id: people[31].id });
  assert.equal(single.status, 201, single.text);
  assert.deepEqual([single.json.size, single.json.state], [pool.key_group, 'closed']);
  // closed by hand: no one more
  const closed = await jiance.post('/api/v1/testing/tubes/JC22-000002/close');
  assert.equal(closed.status, 200, closed.text);
  assert.deepEqual([closed.json.state, closed.json.n_members], ['closed', 1]);
  assert.equal((await jiance.post('/api/v1/testing/tubes/JC22-000002/close')).status, 409);
  const late = await scan('JC22-000002', { person_id: people[34].id });
  assert.equal(late.status, 409, late.text);
  assert.match(late.json.error.message, /closed/);
  assert.equal(await scanned(), size + 2);
  // a round outside its window takes nothing
  const past = (await jiance.post('/api/v1/testing/rounds', { name: '上一轮', area_code: mine, state: 'open',
    starts_at: iso(Date.now() - 48 * HOUR), ends_at: iso(Date.now() - 24 * HOUR) })).json;
  const ps = (await jiance.post(`/api/v1/testing/rounds/${past.id}/sites`, { name: '旧采样点' })).json;
  assert.equal((await jiance.post(`/api/v1/testing/sites/${ps.id}/tubes`, { barcodes: ['OLD-0000001'] })).status, 201);
  const window = await scan('OLD-0000001', { person_id: people[35].id });
  assert.equal(window.status, 409, window.text);
  assert.equal(window.json.error.field, 'round_id');
  assert.equal((await tube('OLD-0000001')).state, 'issued');
});

test("another community's sampler sees nothing; the person's history; the audit", async () => {
  assert.equal((await other.get('/api/v1/testing/tubes/JC22-000001')).status, 404);
  assert.equal((await other.get(`/api/v1/testing/rounds/${round.id}`)).status, 404);
  assert.equal((await other.get('/api/v1/testing/rounds')).json.total, 0);
  const r = await scan('JC22-000004', { person_id: people[36].id }, other);
  assert.equal(r.status, 404, r.text);
  assert.equal((await tube('JC22-000004')).state, 'issued');
  assert.ok((await shequ.get('/api/v1/testing/rounds')).json.items.some((x) => x.id === round.id),
    'a community worker reads the rounds over its community');
  const s403 = await scan('JC22-000004', { person_id: people[36].id }, shequ);
  assert.equal(s403.status, 403, 'a community worker does not sample');
  assert.equal((await tube('JC22-000004')).state, 'issued');
  assert.ok((await jiance.get('/api/v1/me')).json.permissions.includes('testing'));

  const h = await jiance.get(`/api/v1/persons/${people[0].id}/samples`);
  assert.equal(h.status, 200, h.text);
  assert.equal(h.json.items.length, 1);
  const s = h.json.items[0];
  assert.deepEqual([s.round_id, s.round_name, s.barcode, s.size, s.site_name], [round.id, '第一轮全员核酸', 'JC22-000001', pool.other, '社区广场采样点']);
  assert.match(s.scanned_at, /^\d{4}-\d\d-\d\dT/);
  assert.equal((await admin.get(`/api/v1/persons/${people[39].id}/samples`)).json.items.length, 0);
  const guest = await login(srv.url, 'guest');
  const masked = (await guest.get(`/api/v1/persons/${people[0].id}/samples`)).json.items[0];
  assert.notEqual(masked.person_name, people[0].name, 'masked for a viewer');

  const audit = (await admin.get('/api/v1/audit?entity=tube&limit=200')).json.items;
  assert.equal(audit.filter((a) => a.action === 'scan').length, pool.other + 2);
  assert.ok(audit.some((a) => a.action === 'close' && a.detail === 'full'));
  assert.ok(audit.some((a) => a.action === 'close' && a.detail === 'by hand'));
});
