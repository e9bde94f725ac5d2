// Sample flow (样本转运与检测) through the API on a demo city: closed tubes packed into a
// transport box at their site, handed to a courier, received by a lab, results recorded
// one by one and as a box's batch, a correction keeping the history; every refusal names
// its field and changes nothing; the flow's waiting and overdue tubes per site and lab
// at an explicit `now`, against the policy's limits; another area's lab sees nothing;
// the audit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, fangkong } from '../lib/server.mjs';

let srv, admin, jiance, shequ, other, mine, round, site1, site2, lab, lab2, limits;
const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const T = (i) => `SF22-00000${i}`;

before(async () => {
  srv = await startServer({ persons: 1500, seed: 31 });
  [admin, jiance, shequ] = await Promise.all(['admin', 'jiance', 'shequ'].map((u) => login(srv.url, u)));
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  const street = mine.slice(0, 9), otherCommunity = `${street}997`;
  const imp = await admin.post('/api/v1/imports/areas', `code,parent_code,name\n${otherCommunity},${street},转运测试社区\n`,
    { 'Content-Type': 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
  const r = fangkong(['user', 'add', 'sf_other', '--role', 'lab', '--area', otherCommunity, '--data', srv.dataDir],
    { input: 'lab-password-123\n' });
  assert.equal(r.status, 0, r.stderr);
  other = await login(srv.url, 'sf_other', 'lab-password-123');
  const pol = (await admin.get('/api/v1/policy')).json;
  limits = (pol.rules || pol.document || pol).testing.time_limits_h;
  const people = (await admin.get(`/api/v1/persons?limit=100&community_code=${mine}`)).json.items;
  round = (await jiance.post('/api/v1/testing/rounds', { name: '转运测试轮', area_code: mine, state: 'open',
    starts_at: iso(Date.now() - HOUR), ends_at: iso(Date.now() + 23 * HOUR) })).json;
  site1 = (await jiance.post(`/api/v1/testing/rounds/${round.id}/sites`, { name: '一号采样点' })).json;
  site2 = (await jiance.post(`/api/v1/testing/rounds/${round.id}/sites`, { name: '二号采样点' })).json;
  assert.equal((await jiance.post(`/api/v1/testing/sites/${site1.id}/tubes`, { prefix: 'SF22-', count: 6 })).status, 201);
  assert.equal((await jiance.post(`/api/v1/testing/sites/${site2.id}/tubes`, { barcodes: ['SF22-B00001'] })).status, 201);
  // tubes 1-3 and site 2's closed by hand after a scan or two; tube 4 open; 5, 6 issued
  const plan = [[T(1), 2], [T(2), 1], [T(3), 1], [T(4), 1], ['SF22-B00001', 1]];
  let k = 0;
  for (const [code, n] of plan) {
    for (let i = 0; i < n; i++) {
      const s = await jiance.post(`/api/v1/testing/tubes/${code}/scans`, { person_id: people[k++].id });
      assert.equal(s.status, 201, s.text);
    }
    if (code !== T(4)) assert.equal((await jiance.post(`/api/v1/testing/tubes/${code}/close`)).status, 200);
  }
});
after(async () => { await srv.stop(); });

const tube = async (code) => (await jiance.get(`/api/v1/testing/tubes/${code}`)).json;
const refuse = async (r, status, field, message) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.error.field, field, r.text);
  if (message) assert.match(r.json.error.message, message);
};

test('labs: created by the lab side within its area, read by the city', async () => {
  const district = mine.slice(0, 6);
  await refuse(await jiance.post('/api/v1/testing/labs', { name: '', area_code: district }), 400, 'name');
  await refuse(await jiance.post('/api/v1/testing/labs', { name: 'x', area_code: '999999' }), 422, 'area_code');
  await refuse(await shequ.post('/api/v1/testing/labs', { name: 'x', area_code: district }), 403, '');
  await refuse(await other.post('/api/v1/testing/labs', { name: 'x', area_code: district }), 403, 'area_code');
  const r = await jiance.post('/api/v1/testing/labs', { name: '金域检测实验室', area_code: district });
  assert.equal(r.status, 201, r.text);
  lab = r.json;
  lab2 = (await jiance.post('/api/v1/testing/labs', { name: '区疾控中心实验室', area_code: district })).json;
  await refuse(await jiance.post('/api/v1/testing/labs', { name: '金域检测实验室', area_code: district }), 409, 'name');
  const list = await other.get('/api/v1/testing/labs');
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.items.map((l) => l.name).sort(), ['区疾控中心实验室', '金域检测实验室'].sort());
  assert.ok((await jiance.get('/api/v1/me')).json.permissions.includes('lab'));
});

test('packing: only closed tubes of the site, each once; every refusal names its field', async () => {
  const pack = (body, who = jiance) => who.post('/api/v1/testing/boxes', body);
  const box = (barcodes, extra = {}) => ({ code: 'SFBOX-0001', site_id: site1.id, barcodes, ...extra });
  const refusals = [
    [box([T(1), T(4)]), 409, 'barcodes', /SF22-000004 is open/],
    [box([T(5)]), 409, 'barcodes', /issued/],
    [box([T(1), 'SF22-NOPE001']), 422, 'barcodes', /never issued/],
    [box([T(1), 'SF22-B00001']), 409, 'barcodes', /another sampling site/],
    [box([T(1), T(1)]), 400, 'barcodes', /twice/],
    [box(['bad code']), 400, 'barcodes', null],
    [box([]), 400, 'barcodes', null],
    [box([T(1)], { code: 'bx' }), 400, 'code', null],
    [box([T(1)], { site_id: 99999999 }), 422, 'site_id', null],
    [{ code: 'SFBOX-0001', barcodes: [T(1)] }, 400, 'site_id', null],
  ];
  for (const [body, status, field, message] of refusals) await refuse(await pack(body), status, field, message);
  await refuse(await pack(box([T(1)]), shequ), 403, '');
  await refuse(await pack(box([T(1)]), other), 422, 'site_id');
  assert.equal((await jiance.get('/api/v1/testing/boxes/SFBOX-0001')).status, 404, 'nothing packed');
  assert.equal((await tube(T(1))).box, null);

  const r = await pack(box([T(1), T(2)]));
  assert.equal(r.status, 201, r.text);
  assert.deepEqual([r.json.state, r.json.tube_count, r.json.packed_by, r.json.courier], ['packed', 2, 'jiance', null]);
  await refuse(await pack(box([T(3), T(2)], { code: 'SFBOX-0002' })), 409, 'barcodes', /SF22-000002 is already in box SFBOX-0001/);
  await refuse(await pack(box([T(3)])), 409, 'code', /exists/);
  const got = await jiance.get('/api/v1/testing/boxes/SFBOX-0001');
  assert.deepEqual(got.json.barcodes, [T(1), T(2)]);
  assert.equal((await tube(T(3))).box, null);
});

test('hand over and receive in order; a result only after receipt, from that lab', async () => {
  await refuse(await jiance.post(`/api/v1/testing/tubes/${T(1)}/result`, { result: 'negative' }), 409, 'barcode', /not been received/);
  await refuse(await jiance.post('/api/v1/testing/boxes/SFBOX-0001/receive', { lab_id: lab.id }), 409, 'code', /only a box handed over/);
  await refuse(await jiance.post('/api/v1/testing/boxes/SFBOX-0001/handover', {}), 400, 'courier');
  await refuse(await jiance.post('/api/v1/testing/boxes/SFBOX-0404/handover', { courier: '王师傅' }), 404, 'code');
  await refuse(await other.post('/api/v1/testing/boxes/SFBOX-0001/handover', { courier: '王师傅' }), 404, 'code');
  const h = await jiance.post('/api/v1/testing/boxes/SFBOX-0001/handover', { courier: '王师傅' });
  assert.equal(h.status, 200, h.text);
  assert.deepEqual([h.json.state, h.json.courier, h.json.handed_by], ['handed_over', '王师傅', 'jiance']);
  await refuse(await jiance.post('/api/v1/testing/boxes/SFBOX-0001/handover', { courier: '李师傅' }), 409, 'code');
  await refuse(await jiance.post('/api/v1/testing/boxes/SFBOX-0001/receive', { lab_id: 99999 }), 422, 'lab_id');
  await refuse(await shequ.post('/api/v1/testing/boxes/SFBOX-0001/receive', { lab_id: lab.id }), 403, '');
  assert.equal((await jiance.get('/api/v1/testing/boxes/SFBOX-0001')).json.state, 'handed_over');
  const r = await jiance.post('/api/v1/testing/boxes/SFBOX-0001/receive', { lab_id: lab.id });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.state, r.json.lab_id, r.json.lab_name], ['received', lab.id, '金域检测实验室']);
  await refuse(await jiance.post('/api/v1/testing/boxes/SFBOX-0001/receive', { lab_id: lab.id }), 409, 'code');
});

test('results: Ct values for a positive, one first result, corrections kept as history', async () => {
  const post = (code, body, path = 'result') => jiance.post(`/api/v1/testing/tubes/${code}/${path}`, body);
  const refusals = [
    [T(1), { result: 'positive', ct_orf1ab: 28.1 }, 400, 'ct_n', /ORF1ab and N/],
    [T(1), { result: 'positive', ct_orf1ab: 50, ct_n: 30 }, 400, 'ct_orf1ab', /at most 45/],
    [T(1), { result: 'negative', ct_n: 38 }, 400, 'ct_n', /only a positive/],
    [T(1), { result: 'maybe' }, 400, 'result', null],
    [T(1), { result: 'negative', lab_id: lab2.id }, 409, 'lab_id', /金域/],
    [T(1), { result: 'negative', reason: 'x' }, 400, 'reason', null],
    [T(3), { result: 'negative' }, 409, 'barcode', /not been received/],
    ['SF22-NOPE001', { result: 'negative' }, 404, 'barcode', null],
  ];
  for (const [code, body, status, field, message] of refusals) await refuse(await post(code, body), status, field, message);
  await refuse(await shequ.post(`/api/v1/testing/tubes/${T(1)}/result`, { result: 'negative' }), 403, '');
  await refuse(await other.post(`/api/v1/testing/tubes/${T(1)}/result`, { result: 'negative' }), 404, 'barcode');
  await refuse(await post(T(1), { result: 'negative', reason: '复核' }, 'result/correction'), 409, 'barcode', /no result to correct/);
  assert.deepEqual((await tube(T(1))).results, [], 'nothing recorded');

  const first = await post(T(1), { result: 'positive', ct_orf1ab: 28.1, ct_n: 30.4, lab_id: lab.id });
  assert.equal(first.status, 201, first.text);
  assert.deepEqual([first.json.result, first.json.ct_orf1ab, first.json.ct_n, first.json.replaces], ['positive', 28.1, 30.4, null]);
  await refuse(await post(T(1), { result: 'negative' }), 409, 'barcode', /has a result \(positive\): correct it/);
  await refuse(await post(T(1), { result: 'negative' }, 'result/correction'), 400, 'reason');
  const fixed = await post(T(1), { result: 'negative', reason: '录入错误, 原始记录为阴性' }, 'result/correction');
  assert.equal(fixed.status, 201, fixed.text);
  assert.deepEqual([fixed.json.replaces, fixed.json.reason, fixed.json.ct_n], [first.json.id, '录入错误, 原始记录为阴性', null]);

  const t = await tube(T(1));
  assert.equal(t.result, 'negative');
  assert.deepEqual(t.results.map((r) => [r.result, r.replaces, r.lab_name]),
    [['positive', null, '金域检测实验室'], ['negative', first.json.id, '金域检测实验室']]);
  assert.equal(t.box.code, 'SFBOX-0001');
  for (const step of ['sampled', 'boxed', 'handed', 'received', 'resulted']) assert.match(t.steps[step], /^\d{4}-/, step);
  assert.equal(t.steps.resulted, first.json.reported_at, 'resulted: the first report');
  const t3 = await tube(T(3));
  assert.deepEqual([t3.box, t3.steps.boxed, t3.result], [null, null, null]);

  // a box's batch: all or none
  assert.equal((await jiance.post('/api/v1/testing/boxes', { code: 'SFBOX-0002', site_id: site1.id, barcodes: [T(3)] })).status, 201);
  assert.equal((await jiance.post('/api/v1/testing/boxes/SFBOX-0002/handover', { courier: '李师傅' })).status, 200);
  assert.equal((await jiance.post('/api/v1/testing/boxes/SFBOX-0002/receive', { lab_id: lab2.id })).status, 200);
  const batch = (results) => jiance.post('/api/v1/testing/boxes/SFBOX-0002/results', { results });
  await refuse(await batch([{ barcode: T(3), result: 'invalid' }, { barcode: T(2), result: 'negative' }]), 409, 'barcode', /in box SFBOX-0001/);
  await refuse(await batch([{ barcode: T(3), result: 'positive', ct_orf1ab: 30 }]), 400, 'ct_n', /results\[0\]\.ct_n/);
  await refuse(await batch([{ barcode: T(3) }]), 400, 'result');
  assert.deepEqual((await tube(T(3))).results, []);
  const b = await batch([{ barcode: T(3), result: 'invalid' }]);
  assert.equal(b.status, 201, b.text);
  assert.deepEqual([b.json.recorded, b.json.results[0].barcode, b.json.results[0].lab_id], [1, T(3), lab2.id]);
});

test('the flow: waiting at each step and over the policy limits at an explicit now', async () => {
  assert.equal(limits.sample_to_lab, 4);
  const flow = async (q, who = jiance) => {
    const r = await who.get(`/api/v1/testing/flow?round=${round.id}${q}`);
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  // now: tube 2 waits at lab 1 for a result, site 2's tube waits to be packed
  const f = await flow('');
  assert.deepEqual(f.limits_h, { sample_to_lab: limits.sample_to_lab, lab_to_result: limits.voluntary });
  const s1 = f.sites.find((s) => s.site_id === site1.id), s2 = f.sites.find((s) => s.site_id === site2.id);
  assert.deepEqual(s1.waiting, { pack: 0, handover: 0, transit: 0, result: 1 });
  assert.deepEqual([s1.resulted, s1.results], [2, { negative: 1, positive: 0, invalid: 1 }]);
  assert.deepEqual(s2.waiting, { pack: 1, handover: 0, transit: 0, result: 0 });
  assert.deepEqual([s1.over, s2.over], [{ sample_to_lab: 0, lab_to_result: 0 }, { sample_to_lab: 0, lab_to_result: 0 }]);
  const l1 = f.labs.find((l) => l.lab_id === lab.id);
  assert.deepEqual([l1.name, l1.waiting.result, l1.resulted], ['金域检测实验室', 1, 1]);

  // past the sample-to-lab limit, site 2's tube is overdue; past lab-to-result, tube 2
  const later = await flow(`&now=${iso(Date.now() + (limits.sample_to_lab + 1) * HOUR)}`);
  assert.equal(later.sites.find((s) => s.site_id === site2.id).over.sample_to_lab, 1);
  assert.equal(later.labs.find((l) => l.lab_id === lab.id).over.lab_to_result, 0);
  const much = await flow(`&now=${iso(Date.now() + (limits.voluntary + 1) * HOUR)}`);
  assert.equal(much.labs.find((l) => l.lab_id === lab.id).over.lab_to_result, 1);
  assert.equal(much.sites.find((s) => s.site_id === site1.id).over.lab_to_result, 1);
  const one = await flow(`&lab=${lab2.id}`);
  assert.deepEqual([one.labs.length, one.labs[0].lab_id, one.sites.length], [1, lab2.id, 1]);
  assert.equal((await jiance.get('/api/v1/testing/flow?now=yesterday')).status, 400);
});

test("another area's lab sees nothing; who may do what; the audit", async () => {
  const f = await other.get(`/api/v1/testing/flow?round=${round.id}`);
  assert.equal(f.status, 200, f.text);
  assert.deepEqual([f.json.sites, f.json.labs], [[], []]);
  assert.equal((await other.get('/api/v1/testing/boxes/SFBOX-0001')).status, 404);
  assert.equal((await shequ.get(`/api/v1/testing/flow?round=${round.id}`)).status, 403);

  const boxes = (await admin.get('/api/v1/audit?entity=sample_box&limit=200')).json.items;
  for (const action of ['pack', 'hand_over', 'receive', 'results']) assert.ok(boxes.some((a) => a.action === action), action);
  assert.equal(boxes.filter((a) => a.action === 'pack').length, 2, 'refused packings left no trace');
  const tubes = (await admin.get('/api/v1/audit?entity=tube&limit=200')).json.items;
  assert.equal(tubes.filter((a) => a.action === 'result').length, 1);
  assert.ok(tubes.some((a) => a.action === 'correct' && a.detail === 'negative: 录入错误, 原始记录为阴性'));
  assert.ok(tubes.some((a) => a.action === 'positive' && a.detail === 'ORF1ab 28.1 N 30.4'), 'a positive reported at once');
  assert.ok((await admin.get('/api/v1/audit?entity=testing_flow&limit=10')).json.items.length > 0);
});
