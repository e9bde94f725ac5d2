// Reconciliation of a testing round (对账) through the API on a demo city: a hand-made
// round whose every anomaly is known (a tube missing at receipt, a tube never boxed, an
// issued tube and an unknown barcode found in a box, a positive for an unknown tube, a
// received tube without a result, a person scanned under a second ID), a clean tube
// that appears nowhere; the counts at an explicit `now` against the policy's limits;
// the local day; the refusals change nothing; the CLI's CSV holds what the API lists;
// the audit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, login, fangkong } from '../lib/server.mjs';
import { validId } from '../lib/ids.mjs';

let srv, admin, jiance, shequ, liudiao, other, mine, street, round, site1, site2, lab, lab2, dup1, dup2;
const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const T = (i) => `RC17-00000${i}`;
const UNKNOWN_FOUND = 'RC17-ZZ0001', UNKNOWN_RESULT = 'RC17-XX0001';
const later = iso(Date.now() + 48 * HOUR); // past every limit of the policy
const localDay = (ms) => new Date(ms + 8 * HOUR).toISOString().slice(0, 10);

const refuse = async (r, status, field, message) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.error.field, field, r.text);
  if (message) assert.match(r.json.error.message, message);
};
const report = async (query = '', who = jiance) => {
  const r = await who.get(`/api/v1/testing/rounds/${round.id}/reconciliation${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
};
const counts = (rep) => Object.fromEntries(Object.entries(rep.kinds).map(([k, v]) => [k, v.count]));

async function person(n, name, phone) {
  const r = await admin.post('/api/v1/persons', { name, id_number: validId(n), phone, resident_type: 'non_resident',
    community_code: mine, address: '对账路1号' });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

before(async () => {
  srv = await startServer({ persons: 1200, seed: 17 });
  [admin, jiance, shequ, liudiao] = await Promise.all(['admin', 'jiance', 'shequ', 'liudiao'].map((u) => login(srv.url, u)));
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  street = mine.slice(0, 9);
  const otherCommunity = `${street}996`;
  const imp = await admin.post('/api/v1/imports/areas', `code,parent_code,name\n${otherCommunity},${street},对账测试社区\n`,
    { 'Content-Type': 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
  const u = fangkong(['user', 'add', 'rc_other', '--role', 'lab', '--area', otherCommunity, '--data', srv.dataDir],
    { input: 'lab-password-123\n' });
  assert.equal(u.status, 0, u.stderr);
  other = await login(srv.url, 'rc_other', 'lab-password-123');
  // the same person twice (same name, phone and birth date, a second ID number), and a
  // relative sharing the phone: only the first pair is one person under two IDs
  dup1 = await person(5, '对账 重号', '13800138017');
  dup2 = await person(5 + 16800, '对账重号', '13800138017');
  await person(6, '对账家属', '13800138017');
  assert.equal(dup1.birth_date, dup2.birth_date);
  const people = (await admin.get(`/api/v1/persons?limit=20&community_code=${mine}&resident_type=resident`)).json.items;

  round = (await jiance.post('/api/v1/testing/rounds', { name: '对账测试轮', area_code: street, state: 'open',
    starts_at: iso(Date.now() - HOUR), ends_at: iso(Date.now() + 23 * HOUR) })).json;
  site1 = (await jiance.post(`/api/v1/testing/rounds/${round.id}/sites`, { name: '对账一号点', area_code: mine })).json;
  site2 = (await jiance.post(`/api/v1/testing/rounds/${round.id}/sites`, { name: '对账二号点', area_code: mine })).json;
  assert.equal((await jiance.post(`/api/v1/testing/sites/${site1.id}/tubes`, { prefix: 'RC17-', count: 6 })).status, 201);
  assert.equal((await jiance.post(`/api/v1/testing/sites/${site2.id}/tubes`, { barcodes: ['RC17-B00001'] })).status, 201);
  // T1: two persons (one of them dup1), clean; T2, T3, T4: one person each; T5, T6 issued
  const plan = [[T(1), [people[0].id, dup1.id]], [T(2), [people[1].id]], [T(3), [people[2].id]],
    [T(4), [people[3].id]], ['RC17-B00001', [people[4].id]]];
  for (const [code, ids] of plan) {
    for (const id of ids) {
      const s = await jiance.post(`/api/v1/testing/tubes/${code}/scans`, { person_id: id });
      assert.equal(s.status, 201, s.text);
    }
    assert.equal((await jiance.post(`/api/v1/testing/tubes/${code}/close`)).status, 200);
  }
  const district = mine.slice(0, 6);
  lab = (await jiance.post('/api/v1/testing/labs', { name: '对账实验室', area_code: district })).json;
  lab2 = (await jiance.post('/api/v1/testing/labs', { name: '对账二号实验室', area_code: district })).json;
  // BOX1 lists T1-T3 and reaches the lab; site 2's box is packed and stays at the site
  const box1 = await jiance.post('/api/v1/testing/boxes', { code: 'RCBOX-0001', site_id: site1.id, barcodes: [T(1), T(2), T(3)] });
  assert.equal(box1.status, 201, box1.text);
  assert.equal((await jiance.post('/api/v1/testing/boxes', { code: 'RCBOX-0002', site_id: site2.id, barcodes: ['RC17-B00001'] })).status, 201);
  assert.equal((await jiance.post('/api/v1/testing/boxes/RCBOX-0001/handover', { courier: '赵师傅' })).status, 200);
  assert.equal((await jiance.post('/api/v1/testing/boxes/RCBOX-0001/receive', { lab_id: lab.id })).status, 200);
  assert.equal((await jiance.post('/api/v1/testing/boxes/RCBOX-0002/handover', { courier: '钱师傅' })).status, 200);
  assert.equal((await jiance.post('/api/v1/testing/boxes/RCBOX-0002/receive', { lab_id: lab.id })).status, 200);
  assert.equal((await jiance.post(`/api/v1/testing/tubes/RC17-B00001/result`, { result: 'negative' })).status, 201);
});
after(async () => { await srv.stop(); });

test('unpacking: refusals name their field and change nothing; then once, all or none', async () => {
  const unpack = (body, who = jiance, code = 'RCBOX-0001') => who.post(`/api/v1/testing/boxes/${code}/unpack`, body);
  const found = [T(1), T(2), T(5), UNKNOWN_FOUND];
  const refusals = [
    [{ barcodes: [T(1), 'bad code'] }, 400, 'barcodes', null],
    [{ barcodes: [T(1), T(1)] }, 400, 'barcodes', /twice/],
    [{ barcodes: 'x' }, 400, 'barcodes', null],
    [{ barcodes: found, lab_id: lab2.id }, 409, 'lab_id', /对账实验室/],
    [{ barcodes: found, extra: 1 }, 400, 'extra', null],
  ];
  for (const [body, status, field, message] of refusals) await refuse(await unpack(body), status, field, message);
  await refuse(await unpack({ barcodes: found }, jiance, 'RCBOX-0404'), 404, 'code');
  await refuse(await unpack({ barcodes: found }, other), 404, 'code');
  await refuse(await unpack({ barcodes: found }, shequ), 403, '');
  assert.equal(counts(await report(`?now=${later}`)).unsampled, 0, 'nothing recorded');

  const r = await unpack({ barcodes: found, lab_id: lab.id });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.found, 2);
  assert.deepEqual(r.json.missing, [T(3)]);
  assert.deepEqual(r.json.extra.map((e) => [e.barcode, e.reason]), [[T(5), 'never_sampled'], [UNKNOWN_FOUND, 'unknown']]);
  await refuse(await unpack({ barcodes: found }), 409, 'code', /unpacked/);
  // the received box of site 2, all found
  const all = await unpack({ barcodes: ['RC17-B00001'] }, jiance, 'RCBOX-0002');
  assert.equal(all.status, 201, all.text);
  assert.deepEqual([all.json.found, all.json.missing, all.json.extra], [1, [], []]);
  // T1 and T2 were found; T1 gets its result, T2 none
  assert.equal((await jiance.post(`/api/v1/testing/tubes/${T(1)}/result`, { result: 'negative' })).status, 201);
});

test('a positive for an unknown tube is kept and told to the epidemiologists; refusals change nothing', async () => {
  const told = async () => (await liudiao.get('/api/v1/notifications?limit=1000')).json.items.filter((n) => n.kind === 'unmatched_positive');
  const post = (body, id = lab.id, who = jiance) => who.post(`/api/v1/testing/labs/${id}/unmatched-results`, body);
  const pos = { barcode: UNKNOWN_RESULT, result: 'positive', ct_orf1ab: 26.5, ct_n: 27.1, round_id: round.id };
  const refusals = [
    [{ ...pos, round_id: undefined }, lab.id, 400, 'round_id', /required/],
    [{ ...pos, round_id: 99999999 }, lab.id, 404, 'round_id', null],
    [{ ...pos, barcode: 'bad' }, lab.id, 400, 'barcode', null],
    [{ ...pos, ct_n: undefined }, lab.id, 400, 'ct_n', null],
    [{ ...pos, result: 'maybe' }, lab.id, 400, 'result', null],
    [{ ...pos, barcode: T(2) }, lab.id, 409, 'barcode', /received by this lab/],
    [pos, 99999999, 404, 'id', null],
  ];
  for (const [body, id, status, field, message] of refusals) await refuse(await post(body, id), status, field, message);
  await refuse(await post(pos, lab.id, shequ), 403, '');
  assert.equal(counts(await report(`?now=${later}`)).unknown_results, 0, 'nothing recorded');
  assert.deepEqual(await told(), [], 'nobody told of a refused result');

  const r = await post({ ...pos, note: '条码手工录入, 查无此管' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual([r.json.kind, r.json.reason, r.json.result, r.json.ct_n, r.json.resolution, r.json.recorded_by],
    ['result', 'unknown', 'positive', 27.1, null, 'jiance']);
  const audit = (await admin.get('/api/v1/audit?entity=unmatched_tube&limit=50')).json.items;
  assert.ok(audit.some((a) => a.action === 'positive' && a.entity_id === r.json.id), 'a positive is audited at once');
  // the policy's audience (v9: epidemiologist) in the round's area, once, naming the barcode
  const notes = await told();
  assert.deepEqual(notes.map((n) => [n.audience, n.area_code, n.entity, n.entity_id]),
    [['epidemiologist', street, 'unmatched_tube', r.json.id]]);
  assert.match(notes[0].message, new RegExp(`${UNKNOWN_RESULT}.*26\\.5.*查无此管`));
  const community = (await shequ.get('/api/v1/notifications?limit=1000')).json.items;
  assert.ok(!community.some((n) => n.kind === 'unmatched_positive'), 'only the policy\'s audiences');
});

test('the report lists exactly the anomalies made, nothing for the clean tubes', async () => {
  const rep = await report(`?now=${later}`);
  assert.deepEqual(counts(rep), { unreceived: 2, unsampled: 2, unknown_results: 1, no_result: 3, duplicate_persons: 1 });
  const k = rep.kinds;
  assert.deepEqual(k.unreceived.items.map((i) => [i.barcode, i.reason, i.box]), [[T(3), 'missing', 'RCBOX-0001'], [T(4), 'not_boxed', null]]);
  assert.deepEqual(k.unsampled.items.map((i) => [i.barcode, i.reason, i.box]).sort(),
    [[T(5), 'never_sampled', 'RCBOX-0001'], [UNKNOWN_FOUND, 'unknown', 'RCBOX-0001']].sort());
  assert.deepEqual(k.unknown_results.items.map((i) => [i.barcode, i.result, i.resolution]), [[UNKNOWN_RESULT, 'positive', null]]);
  assert.equal(k.unknown_results.open, 1);
  assert.deepEqual(k.no_result.items.map((i) => [i.barcode, i.reason]), [[T(2), 'received'], [T(3), 'not_received'], [T(4), 'not_received']]);
  const dup = k.duplicate_persons.items[0];
  assert.deepEqual([dup.person_id, dup.other.person_id, dup.other.scanned], [dup1.id, dup2.id, false]);
  assert.equal(dup.barcode, T(1), 'the tube the person was scanned into');
  const tubeKinds = JSON.stringify([k.unreceived, k.unsampled, k.unknown_results, k.no_result]);
  for (const clean of [T(1), 'RC17-B00001', T(6)]) assert.ok(!tubeKinds.includes(`"${clean}"`), `${clean} is clean`);

  // before the limits only what needs no limit shows
  assert.deepEqual(counts(await report()), { unreceived: 0, unsampled: 2, unknown_results: 1, no_result: 0, duplicate_persons: 1 });
  // the local day of the work has it all; the day before nothing
  const today = localDay(Date.now());
  assert.deepEqual(counts(await report(`?now=${later}&day=${today}`)), counts(rep));
  const before = localDay(Date.now() - 24 * HOUR);
  const none = await report(`?now=${later}&day=${before}`);
  assert.ok(Object.values(counts(none)).every((n) => n === 0), JSON.stringify(counts(none)));
  assert.equal(none.day, before);
});

test('refusals of the report; a community lab sees its own community only', async () => {
  await refuse(await jiance.get('/api/v1/testing/rounds/99999999/reconciliation'), 404, 'round_id');
  await refuse(await jiance.get(`/api/v1/testing/rounds/${round.id}/reconciliation?day=2022-13-01`), 400, 'day');
  await refuse(await jiance.get(`/api/v1/testing/rounds/${round.id}/reconciliation?area=999999`), 400, 'area');
  await refuse(await other.get(`/api/v1/testing/rounds/${round.id}/reconciliation?area=${mine}`), 403, 'area');
  assert.equal((await shequ.get(`/api/v1/testing/rounds/${round.id}/reconciliation`)).status, 403);
  const own = await report(`?now=${later}`, other);
  assert.ok(Object.values(counts(own)).every((n) => n === 0), JSON.stringify(counts(own)));
});

test('resolving an unknown result: once, with a note; it stays listed, resolved last', async () => {
  const rep = await report(`?now=${later}`);
  const id = rep.kinds.unknown_results.items[0].id;
  await refuse(await jiance.patch(`/api/v1/testing/unmatched/${id}`, { resolution: 'lost', note: 'x' }), 400, 'resolution');
  await refuse(await jiance.patch(`/api/v1/testing/unmatched/${id}`, { resolution: 'matched', note: '' }), 400, 'note');
  await refuse(await jiance.patch('/api/v1/testing/unmatched/99999999', { resolution: 'matched', note: 'x' }), 404, 'id');
  await refuse(await other.patch(`/api/v1/testing/unmatched/${id}`, { resolution: 'matched', note: 'x' }), 404, 'id');
  const r = await jiance.patch(`/api/v1/testing/unmatched/${id}`, { resolution: 'resampled', note: '已通知社区单采复核' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.resolution, r.json.resolved_by, r.json.resolution_note], ['resampled', 'jiance', '已通知社区单采复核']);
  assert.ok(r.json.resolved_at);
  await refuse(await jiance.patch(`/api/v1/testing/unmatched/${id}`, { resolution: 'matched', note: 'x' }), 409, 'resolution');
  const after = await report(`?now=${later}`);
  assert.equal(after.kinds.unknown_results.count, 1);
  assert.equal(after.kinds.unknown_results.open, 0);
});

test("the CLI's summary and CSV hold what the API lists; reads and exports audited", async () => {
  const rep = await report(`?now=${later}`);
  const out = path.join(srv.dataDir, 'reconcile.csv');
  const r = fangkong(['testing', 'reconcile', '--round', String(round.id), '--now', later, '--out', out, '--data', srv.dataDir]);
  assert.equal(r.status, 0, r.stderr);
  const summary = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split(' ')).map(([k, n]) => [k, Number(n)]));
  assert.deepEqual(summary, counts(rep));
  const rows = fs.readFileSync(out, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','));
  const [header, ...data] = rows;
  assert.deepEqual(header.slice(0, 3), ['kind', 'barcode', 'box']);
  for (const [kind, v] of Object.entries(rep.kinds)) {
    const mine = data.filter((d) => d[0] === kind);
    assert.equal(mine.length, v.count, kind);
    assert.deepEqual(mine.map((d) => d[1]), v.items.map((i) => i.barcode), kind);
  }
  const name = header.indexOf('name');
  assert.ok(data.some((d) => d[0] === 'duplicate_persons' && d[name] === dup1.name), 'names in clear');
  assert.equal(fangkong(['testing', 'reconcile', '--data', srv.dataDir]).status, 2);
  const audit = (await admin.get('/api/v1/audit?entity=reconciliation&limit=200')).json.items;
  assert.ok(audit.some((a) => a.action === 'read' && a.actor === 'jiance' && a.detail === `day=all area=${street}`));
  assert.ok(audit.some((a) => a.action === 'read' && a.actor === 'rc_other' && a.detail === `day=all area=${street}996`));
  assert.ok(audit.some((a) => a.action === 'export' && a.entity_id === round.id));
});
