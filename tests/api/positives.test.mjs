// What follows a lab result (阳性处置) through the API on a demo city: a positive pool of 5
// holds every member in place with a pool_retest lead and tells the site's community;
// the members are re-sampled singly in the round's recheck round (held persons only);
// one single positive is a screening_positive case with the epidemiologists told, the
// others are released and their leads closed by the legal path; an invalid tube owes a
// re-sample; a correction positive > negative releases, negative > positive holds again,
// never twice; every refusal leaves the counts unchanged; the inbox is scoped and acked
// once; the person's page shows samples, results and holds; after all of it, every
// person's last negative test is the same in the code, the scan and the CLI, and is the
// rows' own (read with the code since migration 0030, no longer written per member).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startServer, login, fangkong, client } from '../lib/server.mjs';

let srv, admin, jiance, shequ, liudiao, mine, people, round, site, lab, recheck, rsite;
const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const P = (i) => `PP22-00000${i}`;
const R = (i) => `PR22-00000${i}`;
const POS = { result: 'positive', ct_orf1ab: 28.5, ct_n: 30.1 };

const scan = (code, person) => jiance.post(`/api/v1/testing/tubes/${code}/scans`, { person_id: person.id });
const tube = async (code) => (await jiance.get(`/api/v1/testing/tubes/${code}`)).json;
const holds = async (q) => (await admin.get(`/api/v1/testing/holds?limit=1000&${q}`)).json;
const inbox = async (who, q = '') => (await who.get(`/api/v1/notifications?limit=1000&${q}`)).json;
const counts = async () => ({
  holds: (await holds('')).total,
  notices: (await inbox(admin)).total,
  retests: (await admin.get('/api/v1/leads?kind=pool_retest&limit=1')).json.total,
  cases: (await admin.get('/api/v1/cases?classification=screening_positive&limit=1')).json.total,
});
const refuse = async (r, status, field, message) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.error.field, field, r.text);
  if (message) assert.match(r.json.error.message, message);
};
const noIdNumber = (text) => assert.doesNotMatch(text, /\d{17}[\dX]/, text);

async function shipToLab(code, siteId, barcodes) {
  const b = await jiance.post('/api/v1/testing/boxes', { code, site_id: siteId, barcodes });
  assert.equal(b.status, 201, b.text);
  assert.equal((await jiance.post(`/api/v1/testing/boxes/${code}/handover`, { courier: '王师傅' })).status, 200);
  assert.equal((await jiance.post(`/api/v1/testing/boxes/${code}/receive`, { lab_id: lab.id })).status, 200);
}

async function scanPool(code, members) {
  for (const p of members) {
    const s = await scan(code, p);
    assert.equal(s.status, 201, s.text);
  }
  assert.equal((await jiance.post(`/api/v1/testing/tubes/${code}/close`)).status, 200);
  const t = await tube(code);
  assert.equal(t.n_members, members.length);
  assert.ok(t.size > 1, `pooled tube ${code} has size ${t.size}`);
}

before(async () => {
  srv = await startServer({ persons: 1500, seed: 41 });
  [admin, jiance, shequ, liudiao] = await Promise.all(['admin', 'jiance', 'shequ', 'liudiao'].map((u) => login(srv.url, u)));
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  people = (await admin.get(`/api/v1/persons?limit=100&community_code=${mine}`)).json.items;
  lab = (await jiance.post('/api/v1/testing/labs', { name: '阳性处置实验室', area_code: mine.slice(0, 6) })).json;
  round = (await jiance.post('/api/v1/testing/rounds', { name: '阳性处置测试轮', area_code: mine, state: 'open',
    starts_at: iso(Date.now() - HOUR), ends_at: iso(Date.now() + 23 * HOUR) })).json;
  site = (await jiance.post(`/api/v1/testing/rounds/${round.id}/sites`, { name: '处置一号点' })).json;
  assert.equal((await jiance.post(`/api/v1/testing/sites/${site.id}/tubes`, { prefix: 'PP22-', count: 6 })).status, 201);
  await scanPool(P(1), people.slice(0, 5)); // the positive pool of 5
  await scanPool(P(2), people.slice(5, 8)); // the invalid pool
  await scanPool(P(4), people.slice(10, 14)); // the corrected pool
  // a close contact pools 1:1: the single tube closes itself
  const lead = await admin.post('/api/v1/leads', { kind: 'close_contact', person_id: people[8].id });
  assert.equal(lead.status, 201, lead.text);
  assert.equal((await scan(P(3), people[8])).status, 201);
  assert.deepEqual([(await tube(P(3))).size, (await tube(P(3))).state], [1, 'closed']);
  await shipToLab('PPBOX-0001', site.id, [P(1), P(2), P(3), P(4)]);
});
after(async () => { await srv.stop(); });

test('a positive pool holds every member at once, with a retest lead each, and tells the community', async () => {
  const before = await counts();
  const r = await jiance.post(`/api/v1/testing/tubes/${P(1)}/result`, POS);
  assert.equal(r.status, 201, r.text);
  const t = await tube(P(1));
  const h = await holds(`tube=${t.id}`);
  assert.equal(h.total, 5);
  assert.deepEqual(h.items.map((x) => x.person_id).sort(), people.slice(0, 5).map((p) => p.id).sort());
  for (const x of h.items) {
    assert.deepEqual([x.state, x.reason, x.result, x.barcode, x.round_id, x.area_code], ['held', 'positive_pool', 'positive', P(1), round.id, mine]);
    const l = (await admin.get(`/api/v1/leads/${x.lead_id}`)).json;
    assert.deepEqual([l.kind, l.state, l.person_id, l.area_code, l.measure_required], ['pool_retest', 'pushed', x.person_id, mine, 'test']);
    const pol = (await admin.get('/api/v1/policy')).json;
    const within = (pol.rules || pol.document || pol).testing.positive_pool.retest_within_h;
    assert.equal(Date.parse(l.controlled_by) - Date.parse(l.pushed_at), within * HOUR);
  }
  const after = await counts();
  assert.deepEqual([after.holds - before.holds, after.retests - before.retests, after.cases - before.cases], [5, 5, 0]);

  const mineNotes = (await inbox(shequ, 'unacked=1')).items.filter((n) => n.kind === 'pool_positive');
  assert.equal(mineNotes.length, 1, JSON.stringify(mineNotes));
  const note = mineNotes[0];
  assert.deepEqual([note.audience, note.area_code, note.entity, note.entity_id], ['community', site.area_code, 'tube', t.id]);
  assert.match(note.message, /混采阳性/);
  assert.ok(note.message.includes(P(1)) && note.message.includes('5 人'), note.message);
  noIdNumber(note.message);
  const police = (await inbox(admin)).items.filter((n) => n.kind === 'pool_positive' && n.audience === 'police');
  assert.equal(police.length, 1, 'the policy notifies the police too; command sees it');
  // the police account (公安) reads its own audience's notice, and acknowledges it
  const gongan = await login(srv.url, 'gongan');
  const theirs = (await inbox(gongan)).items.filter((n) => n.kind === 'pool_positive');
  assert.deepEqual(theirs.map((n) => [n.id, n.audience]), [[police[0].id, 'police']]);
  assert.equal((await gongan.post(`/api/v1/notifications/${police[0].id}/ack`)).json.ack_by, 'gongan');
  assert.equal((await inbox(liudiao)).items.filter((n) => n.kind === 'pool_positive').length, 0);

  // the round has its recheck round, open, over the same area
  const rounds = (await jiance.get(`/api/v1/testing/rounds?area=${mine}&limit=100`)).json.items;
  recheck = rounds.find((x) => x.parent_id === round.id);
  assert.ok(recheck, JSON.stringify(rounds.map((x) => [x.id, x.kind, x.parent_id])));
  assert.deepEqual([recheck.kind, recheck.state, recheck.area_code], ['recheck', 'open', mine]);
  assert.equal((await jiance.get(`/api/v1/testing/rounds/${round.id}`)).json.kind, 'mass');

  // a second first result is refused and changes nothing
  const same = await counts();
  await refuse(await jiance.post(`/api/v1/testing/tubes/${P(1)}/result`, POS), 409, 'barcode');
  assert.deepEqual(await counts(), same);
});

test('acknowledging a notice: in scope, once', async () => {
  const note = (await inbox(shequ, 'unacked=1')).items.find((n) => n.kind === 'pool_positive');
  await refuse(await liudiao.post(`/api/v1/notifications/${note.id}/ack`), 404, 'id');
  const r = await shequ.post(`/api/v1/notifications/${note.id}/ack`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.ack_by, 'shequ');
  assert.ok(r.json.ack_at);
  await refuse(await shequ.post(`/api/v1/notifications/${note.id}/ack`), 409, 'id', /acknowledged/);
  assert.ok(!(await inbox(shequ, 'unacked=1')).items.some((n) => n.id === note.id));
  assert.ok((await inbox(shequ)).items.some((n) => n.id === note.id));
  await refuse(await shequ.post('/api/v1/notifications/99999999/ack'), 404, 'id');
});

test('single re-samples in the recheck round: one positive is a case, the rest released', async () => {
  rsite = (await jiance.post(`/api/v1/testing/rounds/${recheck.id}/sites`, { name: '复核采样点' })).json;
  assert.equal((await jiance.post(`/api/v1/testing/sites/${rsite.id}/tubes`, { prefix: 'PR22-', count: 8 })).status, 201);
  const before = await counts();
  await refuse(await scan(R(1), people[20]), 409, 'person_id', /not held/);
  assert.equal((await tube(R(1))).n_members, 0, 'the refused scan opened nothing');
  assert.deepEqual(await counts(), before);
  for (let i = 0; i < 5; i++) {
    const s = await scan(R(i + 1), people[i]);
    assert.equal(s.status, 201, s.text);
    assert.deepEqual([s.json.size, s.json.state], [1, 'closed'], 'a held person is re-sampled singly');
  }
  await shipToLab('PRBOX-0001', rsite.id, [1, 2, 3, 4, 5].map(R));
  const results = [{ barcode: R(1), ...POS }, ...[2, 3, 4, 5].map((i) => ({ barcode: R(i), result: 'negative' }))];
  const r = await jiance.post('/api/v1/testing/boxes/PRBOX-0001/results', { results });
  assert.equal(r.status, 201, r.text);

  const pool = await holds(`tube=${(await tube(P(1))).id}`);
  const byPerson = Object.fromEntries(pool.items.map((x) => [x.person_id, x]));
  const positive = byPerson[people[0].id];
  assert.equal(positive.state, 'confirmed');
  assert.ok(positive.case_id);
  const kase = (await admin.get(`/api/v1/cases/${positive.case_id}`)).json;
  assert.deepEqual([kase.classification, kase.person_id, kase.source], ['screening_positive', people[0].id, 'community_screening']);
  const lead0 = (await admin.get(`/api/v1/leads/${positive.lead_id}`)).json;
  assert.notEqual(lead0.state, 'closed', 'a confirmed person is still to be controlled');
  for (const p of people.slice(1, 5)) {
    const x = byPerson[p.id];
    assert.deepEqual([x.state, x.ended_result], ['released', 'negative']);
    const l = (await admin.get(`/api/v1/leads/${x.lead_id}`)).json;
    assert.equal(l.state, 'closed');
    assert.deepEqual(l.events.map((e) => e.to_state), ['pushed', 'received', 'found', 'controlled', 'closed']);
    assert.match(l.events.at(-1).note, /单采复核阴性/);
  }
  const epi = (await inbox(liudiao, 'unacked=1')).items.filter((n) => n.kind === 'screening_positive');
  assert.equal(epi.length, 1, JSON.stringify(epi));
  assert.ok(epi[0].message.includes(R(1)) && epi[0].message.includes(String(kase.number)), epi[0].message);
  noIdNumber(epi[0].message);
  assert.equal((await inbox(shequ)).items.filter((n) => n.kind === 'screening_positive').length, 0);
  assert.equal((await inbox(admin)).items.filter((n) => n.kind === 'pool_cleared').length, 0, 'the positive was in the pool');
  const after = await counts();
  assert.deepEqual([after.cases - before.cases, after.holds - before.holds], [1, 0]);

  // the person's page: every sample with its result, and the hold
  const page = (await admin.get(`/api/v1/persons/${people[0].id}/samples`)).json;
  assert.deepEqual(page.items.map((s) => [s.barcode, s.result]).sort(), [[P(1), 'positive'], [R(1), 'positive']]);
  assert.deepEqual(page.holds.map((x) => [x.barcode, x.state, x.case_id]), [[P(1), 'confirmed', positive.case_id]]);
});

test('an invalid tube owes a re-sample: its members are marked with a resample lead', async () => {
  const before = await counts();
  const r = await jiance.post(`/api/v1/testing/tubes/${P(2)}/result`, { result: 'invalid' });
  assert.equal(r.status, 201, r.text);
  const h = await holds(`tube=${(await tube(P(2))).id}`);
  assert.equal(h.total, 3);
  for (const x of h.items) {
    assert.deepEqual([x.state, x.reason], ['held', 'invalid']);
    assert.equal((await admin.get(`/api/v1/leads/${x.lead_id}`)).json.measure_required, 'resample');
  }
  const after = await counts();
  assert.deepEqual([after.holds - before.holds, after.notices - before.notices, after.cases - before.cases], [3, 0, 0]);
  // the marked are re-sampled singly in the recheck round
  const s = await scan(R(6), people[5]);
  assert.equal(s.status, 201, s.text);
  assert.equal(s.json.size, 1);
  // the same rule through a scans file: a person not held is a bad row, and nothing goes in
  const now = iso(Date.now());
  const file = (rows) => `tube,person,time,site\n${rows.map(([code, p]) => `${code},${p.id_number},${now},${rsite.id}`).join('\n')}\n`;
  const upload = (rows) => jiance.post('/api/v1/imports/scans', file(rows), { 'Content-Type': 'text/csv' });
  const bad = await upload([[R(7), people[6]], [R(8), people[21]]]);
  assert.equal(bad.status, 400, bad.text);
  assert.deepEqual(bad.json.problems.map((x) => [x.row, x.field]), [[3, 'person']]);
  assert.match(bad.json.problems[0].message, /not held/);
  assert.equal((await tube(R(7))).n_members, 0, 'the refused file opened nothing');
  const good = await upload([[R(7), people[6]]]);
  assert.equal(good.status, 200, good.text);
  assert.deepEqual([(await tube(R(7))).size, (await tube(R(7))).state], [1, 'closed'], 'singly, as the API');
});

test('corrections: positive > negative releases and closes, negative > positive holds again, never twice', async () => {
  const t4 = (await tube(P(4))).id;
  assert.equal((await jiance.post(`/api/v1/testing/tubes/${P(4)}/result`, POS)).status, 201);
  assert.equal((await holds(`tube=${t4}&state=held`)).total, 4);
  const before = await counts();
  await refuse(await jiance.post(`/api/v1/testing/tubes/${P(4)}/result/correction`, { result: 'negative' }), 400, 'reason');
  await refuse(await jiance.post(`/api/v1/testing/tubes/${P(4)}/result/correction`, { result: 'negative', reason: 'x', ct_n: 20 }), 400, 'ct_n');
  assert.deepEqual(await counts(), before, 'refused corrections change nothing');

  const c = await jiance.post(`/api/v1/testing/tubes/${P(4)}/result/correction`, { result: 'negative', reason: '复测阴性，原结果录入错误' });
  assert.equal(c.status, 201, c.text);
  const released = await holds(`tube=${t4}`);
  assert.equal(released.items.filter((x) => x.state === 'released').length, 4);
  for (const x of released.items) {
    assert.match(x.note, /更正为阴性：复测阴性/);
    assert.equal((await admin.get(`/api/v1/leads/${x.lead_id}`)).json.state, 'closed');
  }
  // the same class again (negative > negative) changes no hold
  const mid = await counts();
  assert.equal((await jiance.post(`/api/v1/testing/tubes/${P(4)}/result/correction`, { result: 'negative', reason: '复核' })).status, 201);
  assert.deepEqual(await counts(), mid);
  // back to positive: held again, once
  assert.equal((await jiance.post(`/api/v1/testing/tubes/${P(4)}/result/correction`, { ...POS, reason: '复核确认阳性' })).status, 201);
  assert.equal((await holds(`tube=${t4}&state=held`)).total, 4);
  assert.equal((await jiance.post(`/api/v1/testing/tubes/${P(4)}/result/correction`, { ...POS, ct_n: 31, reason: 'Ct 订正' })).status, 201);
  assert.equal((await holds(`tube=${t4}&state=held`)).total, 4, 'a Ct correction holds no one twice');
  assert.equal((await holds(`tube=${t4}`)).total, 8);
});

test('a positive single tube in a mass round is a case at once; never twice for the tube', async () => {
  const before = await counts();
  assert.equal((await jiance.post(`/api/v1/testing/tubes/${P(3)}/result`, POS)).status, 201);
  let after = await counts();
  assert.deepEqual([after.cases - before.cases, after.holds - before.holds], [1, 0]);
  const epi = (await inbox(liudiao)).items.filter((n) => n.kind === 'screening_positive' && n.message.includes(P(3)));
  assert.equal(epi.length, 1);
  // corrected away and back: the epidemiologists are told; no second case
  assert.equal((await jiance.post(`/api/v1/testing/tubes/${P(3)}/result/correction`, { result: 'negative', reason: '样本污染' })).status, 201);
  assert.equal((await inbox(liudiao)).items.filter((n) => n.kind === 'result_corrected' && n.message.includes(P(3))).length, 1);
  assert.equal((await jiance.post(`/api/v1/testing/tubes/${P(3)}/result/correction`, { ...POS, reason: '复核阳性' })).status, 201);
  after = await counts();
  assert.equal(after.cases - before.cases, 1, 'one case for the tube');
});

test('holds: filters, refusals and scope', async () => {
  const held = await holds(`round=${round.id}&state=held`);
  assert.ok(held.items.every((x) => x.state === 'held' && x.round_id === round.id));
  await refuse(await admin.get('/api/v1/testing/holds?state=gone'), 400, 'state');
  const guest = await login(srv.url, 'guest');
  await refuse(await guest.get('/api/v1/testing/holds'), 403, '');
  await refuse(await jiance.get(`/api/v1/testing/rounds/${recheck.id}/coverage`), 409, 'round_id', /recheck round/);
  assert.equal((await jiance.get(`/api/v1/testing/rounds/${round.id}/coverage`)).status, 200);
  const community = (await shequ.get('/api/v1/testing/holds?limit=1000')).json;
  assert.ok(community.total > 0 && community.items.every((x) => x.area_code.startsWith(mine)));
});

test('the audit: holds made, released and confirmed, leads created and closed, reads and acks', async () => {
  const audit = async (entity) => (await admin.get(`/api/v1/audit?entity=${entity}&limit=500`)).json.items;
  const holdsAudit = await audit('testing_hold');
  for (const action of ['hold', 'release', 'confirm', 'list'])
    assert.ok(holdsAudit.some((r) => r.action === action), `testing_hold ${action}`);
  assert.ok(holdsAudit.some((r) => r.action === 'hold' && /5 persons held/.test(r.detail)), JSON.stringify(holdsAudit.slice(0, 5)));
  const leads = await audit('lead');
  assert.ok(leads.some((r) => r.action === 'create' && /pool_retest/.test(r.detail)));
  assert.ok(leads.some((r) => r.action === 'transition' && /released holds closed/.test(r.detail)));
  const notices = await audit('notification');
  assert.ok(notices.some((r) => r.action === 'ack' && r.actor === 'shequ'));
  assert.ok((await audit('tube')).some((r) => r.action === 'positive'));
  assert.ok((await audit('person_samples')).length > 0);
});

test('a recheck positive corrected to negative: the confirmation is released, the pool cleared', async () => {
  const poolTube = (await tube(P(1))).id;
  const before = await counts();
  const c = await jiance.post(`/api/v1/testing/tubes/${R(1)}/result/correction`, { result: 'negative', reason: '复核样本错号' });
  assert.equal(c.status, 201, c.text);
  const x = (await holds(`tube=${poolTube}&person=${people[0].id}`)).items[0];
  assert.deepEqual([x.state, x.ended_result], ['released', 'negative']);
  assert.match(x.note, /更正为阴性：复核样本错号/);
  assert.equal((await admin.get(`/api/v1/leads/${x.lead_id}`)).json.state, 'closed');
  const kase = (await admin.get(`/api/v1/cases/${x.case_id}`)).json;
  const epi = (await inbox(liudiao)).items.filter((n) => n.kind === 'result_corrected' && n.message.includes(R(1)));
  assert.equal(epi.length, 1);
  assert.ok(epi[0].message.includes(String(kase.number)), epi[0].message);
  const cleared = (await inbox(shequ)).items.filter((n) => n.kind === 'pool_cleared' && n.entity_id === poolTube);
  assert.equal(cleared.length, 1, 'every member of the pool is now released');
  assert.ok(cleared[0].message.includes(P(1)), cleared[0].message);
  const after = await counts();
  assert.deepEqual([after.cases - before.cases, after.holds - before.holds], [0, 0], 'the case stays for the epidemiologists to reclassify');
});

// The rows' own last negative of a person (what the store wrote before migration 0030): the
// later of their negative isolation tests and their scans into a tube whose current
// result is negative. Read by the sqlite3 shell, without fangkong's fk_results: a tube's
// current result is its latest correction, else its first result's code byte in its
// chunk (migration 0044: 1 negative, bit 7 set when corrected).
const currentResult = (tube) => `coalesce((SELECT r.result FROM result_corrections r
    WHERE r.id BETWEEN ${tube} * 128 + 1 AND ${tube} * 128 + 127 ORDER BY r.id DESC LIMIT 1),
    (SELECT CASE WHEN substr(c.slots, 2 + (${tube} & 127), 1) IN (x'01', x'81') THEN
    'negative' END FROM result_chunks c WHERE c.id = ${tube} >> 7))`;
const lastNegativeByRows = (id) => {
  const r = spawnSync('sqlite3', ['-readonly', path.join(srv.dataDir, 'fangkong.db'), `SELECT
    max(coalesce((SELECT max(x.result_at) FROM isolations i JOIN isolation_tests x ON
    x.isolation_id = i.id WHERE i.person_id = ${id} AND x.result = 'negative'), 0),
    coalesce((SELECT max(m.scanned_at) FROM tube_members m WHERE m.person_id = ${id} AND
    ${currentResult('m.tube_id')} = 'negative'), 0))`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim()) || null;
};

test('the last negative test after pools, retests and corrections: the code, the scan and the CLI show the rows\' own', async () => {
  const anon = client(srv.url);
  const seen = [];
  for (const p of people.slice(0, 16)) {
    const c = (await admin.get(`/api/v1/persons/${p.id}/code`)).json;
    const s = await anon.get(`/api/v1/codes/${c.token}`);
    assert.equal(s.status, 200, s.text);
    const show = fangkong(['codes', 'show', String(p.id), '--data', srv.dataDir]);
    assert.equal(show.status, 0, show.stderr);
    const cli = /^last_negative_at\t(\S+)$/m.exec(show.stdout);
    const want = lastNegativeByRows(p.id);
    assert.deepEqual([c.last_negative_at, s.json.last_negative_at, cli && Date.parse(cli[1]) / 1000],
      [want, want, want], `person ${p.id}`);
    seen.push(want);
  }
  assert.ok(seen.some((t) => t) && seen.some((t) => !t), 'some persons with a negative test, some without');
});
