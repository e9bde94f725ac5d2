// The reads the console's testing pages need: a site's tubes with their box and current
// result (GET /api/v1/testing/sites/{id}/tubes: state, unboxed=1, paged), within the
// caller's area and audited; a person's samples with each tube's current result.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, fangkong } from '../lib/server.mjs';

let srv, admin, jiance, shequ, liudiao, other, mine, round, site, lab, people;
const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const T = (i) => `ST22-00000${i}`;

before(async () => {
  srv = await startServer({ persons: 800, seed: 41 });
  [admin, jiance, shequ, liudiao] = await Promise.all(['admin', 'jiance', 'shequ', 'liudiao'].map((u) => login(srv.url, u)));
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  const street = mine.slice(0, 9), otherCommunity = `${street}995`;
  const imp = await admin.post('/api/v1/imports/areas', `code,parent_code,name\n${otherCommunity},${street},试管测试社区\n`,
    { 'Content-Type': 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
  const r = fangkong(['user', 'add', 'st_other', '--role', 'lab', '--area', otherCommunity, '--data', srv.dataDir],
    { input: 'lab-password-123\n' });
  assert.equal(r.status, 0, r.stderr);
  other = await login(srv.url, 'st_other', 'lab-password-123');
  people = (await admin.get(`/api/v1/persons?limit=20&community_code=${mine}`)).json.items;
  round = (await jiance.post('/api/v1/testing/rounds', { name: '试管列表轮', area_code: mine, state: 'open',
    starts_at: iso(Date.now() - HOUR), ends_at: iso(Date.now() + 23 * HOUR) })).json;
  site = (await jiance.post(`/api/v1/testing/rounds/${round.id}/sites`, { name: '试管采样点' })).json;
  assert.equal((await jiance.post(`/api/v1/testing/sites/${site.id}/tubes`, { prefix: 'ST22-', count: 5 })).status, 201);
  // tubes 1 and 2 closed by hand with a member each, tube 3 open, 4 and 5 issued
  for (const [i, p] of [[1, 0], [2, 1], [3, 2]]) {
    const s = await jiance.post(`/api/v1/testing/tubes/${T(i)}/scans`, { person_id: people[p].id });
    assert.equal(s.status, 201, s.text);
    if (i < 3) assert.equal((await jiance.post(`/api/v1/testing/tubes/${T(i)}/close`)).status, 200);
  }
  lab = (await jiance.post('/api/v1/testing/labs', { name: '试管实验室', area_code: mine.slice(0, 6) })).json;
  // tube 1 boxed, handed over, received and negative
  assert.equal((await jiance.post('/api/v1/testing/boxes', { code: 'STBOX-0001', site_id: site.id, barcodes: [T(1)] })).status, 201);
  assert.equal((await jiance.post('/api/v1/testing/boxes/STBOX-0001/handover', { courier: '王师傅' })).status, 200);
  assert.equal((await jiance.post('/api/v1/testing/boxes/STBOX-0001/receive', { lab_id: lab.id })).status, 200);
  assert.equal((await jiance.post(`/api/v1/testing/tubes/${T(1)}/result`, { result: 'negative' })).status, 201);
});
after(async () => { await srv.stop(); });

test("a site's tubes: by barcode with box and result, filtered by state and box", async () => {
  const all = await jiance.get(`/api/v1/testing/sites/${site.id}/tubes`);
  assert.equal(all.status, 200, all.text);
  assert.equal(all.json.total, 5);
  assert.deepEqual(all.json.items.map((t) => t.barcode), [1, 2, 3, 4, 5].map(T));
  const [t1, t2, t3, t4] = all.json.items;
  assert.deepEqual([t1.state, t1.box_code, t1.box_state, t1.result, t1.n_members, t1.size], ['closed', 'STBOX-0001', 'received', 'negative', 1, t1.size]);
  assert.deepEqual([t2.state, t2.box_code, t2.result], ['closed', null, null]);
  assert.deepEqual([t3.state, t3.n_members], ['open', 1]);
  assert.equal(t4.state, 'issued');
  const ready = await jiance.get(`/api/v1/testing/sites/${site.id}/tubes?state=closed&unboxed=1`);
  assert.deepEqual(ready.json.items.map((t) => t.barcode), [T(2)]);
  assert.equal(ready.json.total, 1);
  const page = await jiance.get(`/api/v1/testing/sites/${site.id}/tubes?limit=2&offset=2`);
  assert.deepEqual(page.json.items.map((t) => t.barcode), [T(3), T(4)]);
  assert.equal(page.json.total, 5);
  const bad = await jiance.get(`/api/v1/testing/sites/${site.id}/tubes?state=lost`);
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.json.error.field, 'state');
  assert.equal((await jiance.get(`/api/v1/testing/sites/${site.id}/tubes?unboxed=2`)).json.error.field, 'unboxed');
  const doc = (await jiance.get('/api/v1/openapi.json')).json;
  assert.ok(doc.paths['/api/v1/testing/sites/{id}/tubes'].get && doc.paths['/api/v1/testing/sites/{id}/tubes'].post);
});

test("a site's tubes: permission, jurisdiction and audit", async () => {
  const denied = await shequ.get(`/api/v1/testing/sites/${site.id}/tubes`);
  assert.equal(denied.status, 403, denied.text);
  const outside = await other.get(`/api/v1/testing/sites/${site.id}/tubes`);
  assert.equal(outside.status, 404, outside.text);
  assert.equal(outside.json.error.field, 'site_id');
  assert.equal((await jiance.get('/api/v1/testing/sites/999999/tubes')).status, 404);
  const audit = (await admin.get('/api/v1/audit?entity=sampling_site&limit=200')).json.items;
  assert.ok(audit.some((a) => a.action === 'read' && String(a.entity_id) === String(site.id) && a.actor === 'jiance'),
    JSON.stringify(audit.slice(0, 5)));
});

test("a person's samples carry the tube's current result", async () => {
  const mineSamples = (await admin.get(`/api/v1/persons/${people[0].id}/samples`)).json.items;
  assert.equal(mineSamples.length, 1);
  assert.equal(mineSamples[0].barcode, T(1));
  assert.equal(mineSamples[0].result, 'negative');
  const pending = (await jiance.get(`/api/v1/persons/${people[1].id}/samples`)).json.items;
  assert.equal(pending[0].result, null);
  const epi = await liudiao.get(`/api/v1/persons/${people[0].id}/samples`);
  assert.equal(epi.status, 200, epi.text);
  assert.equal(epi.json.items[0].barcode, T(1));
});
