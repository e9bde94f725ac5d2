// A gate's scan answers from each worker thread's memory (services/codes.c, migration
// 0033): these tests scan a code many times over many connections first, so that every
// worker thread keeps its answer and its token, then change what the answer is made of
// and scan again the same way: every scan after the change must show it. The changes:
// a colour (a case registered), an override approved, a rename, a negative result
// imported by the CLI (another process) while the server runs, a tube result corrected.
// The token's memo: an expired token is refused on every thread even after it was
// scanned good; a forged token sharing a good one's MAC characters is still 403; every
// scan is audited, remembered or not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, login, fangkong, client } from '../lib/server.mjs';
import { makeToken } from '../lib/codes.mjs';

let srv, admin, chief2, jiance, anon, persons, mine, dir;
const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const ROUNDS = 24; // concurrent scans a burst: several connections, spread over the threads

before(async () => {
  srv = await startServer({ persons: 1500, seed: 43 });
  const r = fangkong(['user', 'add', 'chief2', '--role', 'command', '--data', srv.dataDir],
    { input: 'codes-password-123\n' });
  assert.equal(r.status, 0, r.stderr);
  [admin, jiance] = await Promise.all(['admin', 'jiance'].map((u) => login(srv.url, u)));
  chief2 = await login(srv.url, 'chief2', 'codes-password-123');
  anon = client(srv.url);
  mine = (await login(srv.url, 'shequ').then((s) => s.get('/api/v1/me'))).json.area_code;
  const resident = (p) => /^\d{17}[\dX]$/.test(p.id_number);
  persons = (await admin.get(`/api/v1/persons?limit=200&community_code=${mine}`)).json.items.filter(resident);
  assert.ok(persons.length > 20);
  dir = mkdtempSync(path.join(tmpdir(), 'fk-scanmem-'));
});
after(async () => { await srv.stop(); rmSync(dir, { recursive: true, force: true }); });

let next = 0;
// a person whose code is green now (the others may be under the demo's zones or cases)
async function freshGreen() {
  for (;;) {
    const p = persons[next++];
    assert.ok(p, 'ran out of persons');
    const c = await codeOf(p.id);
    if (c.color === 'green' && c.override === null) return { p, c };
  }
}

async function codeOf(id) {
  const r = await admin.get(`/api/v1/persons/${id}/code`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

// ROUNDS scans at once (node opens a connection for each that finds none free: the
// kernel spreads them over the workers' listening sockets), every answer returned.
async function burst(token) {
  const all = await Promise.all(Array.from({ length: ROUNDS }, () => anon.get(`/api/v1/codes/${token}`)));
  return all;
}

async function allOk(token) {
  const all = await burst(token);
  for (const s of all) assert.equal(s.status, 200, s.text);
  return all.map((s) => s.json);
}

const token = (personId, expires) => makeToken(srv.dataDir, personId, expires);

test('a colour change shows on the very next scan of every thread', async () => {
  const { p, c } = await freshGreen();
  for (const s of await allOk(c.token)) assert.equal(s.color, 'green');
  const made = await admin.post('/api/v1/cases', { person_id: p.id, classification: 'confirmed', severity: 'mild',
    reported_at: '2022-05-01T10:00:00+08:00', sampling_date: '2022-04-30', onset_date: '2022-04-29',
    source: 'community_screening' });
  assert.equal(made.status, 201, made.text);
  for (const s of await allOk(c.token)) {
    assert.equal(s.color, 'red');
    assert.equal(s.color_zh, '红码');
    assert.equal(s.reasons[0].rule, 'case_not_released');
    assert.equal(s.reasons[0].zh, '阳性人员未解除');
  }
});

test('an override approved shows on the very next scan, marked', async () => {
  const { p, c } = await freshGreen();
  for (const s of await allOk(c.token)) assert.deepEqual([s.color, s.override], ['green', false]);
  const asked = await admin.post(`/api/v1/persons/${p.id}/code/overrides`, { color: 'yellow', reason: '扫码缓存测试：人工赋黄码' });
  assert.equal(asked.status, 201, asked.text);
  for (const s of await allOk(c.token)) assert.deepEqual([s.color, s.override], ['green', false], 'pending: no change');
  const ok = await chief2.post(`/api/v1/code-overrides/${asked.json.id}/approve`, { note: '同意' });
  assert.equal(ok.status, 200, ok.text);
  for (const s of await allOk(c.token)) assert.deepEqual([s.color, s.override], ['yellow', true]);
});

test('a rename shows on the very next scan (the masked surname)', async () => {
  const { p, c } = await freshGreen();
  const was = [...p.name][0];
  for (const s of await allOk(c.token)) assert.equal(s.name_masked, `${was}某某`);
  const surname = was === '欧' ? '司' : '欧';
  const r = await admin.patch(`/api/v1/persons/${p.id}`, { name: `${surname}阳新名` });
  assert.equal(r.status, 200, r.text);
  for (const s of await allOk(c.token)) assert.equal(s.name_masked, `${surname}某某`);
});

test('negative results imported by the CLI while serving show on the very next scan; a correction too', async () => {
  // two tubes: a file of more than one first result is written as a batch with the
  // connection's triggers off (store_sqlite_sample_flow.c), which must move the version too
  const { p, c } = await freshGreen();
  const { p: q, c: qc } = await freshGreen();
  const round = (await jiance.post('/api/v1/testing/rounds', { name: '扫码缓存测试轮', area_code: mine, state: 'open',
    starts_at: iso(Date.now() - 2 * HOUR), ends_at: iso(Date.now() + 22 * HOUR) })).json;
  const site = (await jiance.post(`/api/v1/testing/rounds/${round.id}/sites`, { name: '缓存测试点' })).json;
  assert.equal((await jiance.post(`/api/v1/testing/sites/${site.id}/tubes`, { barcodes: ['MEM-0001', 'MEM-0002'] })).status, 201);
  for (const [tube, who] of [['MEM-0001', p], ['MEM-0002', q]]) {
    const scanned = await jiance.post(`/api/v1/testing/tubes/${tube}/scans`, { person_id: who.id });
    assert.equal(scanned.status, 201, scanned.text);
    assert.equal((await jiance.post(`/api/v1/testing/tubes/${tube}/close`)).status, 200);
  }
  const scannedAt = (await jiance.get('/api/v1/testing/tubes/MEM-0001')).json.members.find((m) => m.person_id === p.id);
  assert.ok(scannedAt, 'the person is in the tube');
  const lab = (await jiance.post('/api/v1/testing/labs', { name: '缓存测试实验室', area_code: mine.slice(0, 6) })).json;
  assert.equal((await jiance.post('/api/v1/testing/boxes', { code: 'MEMBOX-1', site_id: site.id, barcodes: ['MEM-0001', 'MEM-0002'] })).status, 201);
  assert.equal((await jiance.post('/api/v1/testing/boxes/MEMBOX-1/handover', { courier: '李师傅' })).status, 200);
  assert.equal((await jiance.post('/api/v1/testing/boxes/MEMBOX-1/receive', { lab_id: lab.id })).status, 200);
  // every thread keeps the answer before the result: the scan into a tube without a
  // result changed nothing
  const before_ = await allOk(c.token);
  const lastBefore = before_[0].last_negative_at;
  for (const s of before_) assert.equal(s.last_negative_at, lastBefore);
  const qBefore = await allOk(qc.token);

  const file = path.join(dir, 'results.csv');
  writeFileSync(file, 'tube,result,ct_orf1ab,ct_n,lab,time\n' +
    `MEM-0001,negative,,,${lab.id},${iso(Date.now() + 1000)}\nMEM-0002,negative,,,${lab.id},${iso(Date.now() + 1000)}\n`);
  const r = fangkong(['import', 'results', file, '--data', srv.dataDir]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const tube = (await jiance.get('/api/v1/testing/tubes/MEM-0001')).json;
  const at = tube.members.find((m) => m.person_id === p.id).scanned_at;
  const want = typeof at === 'number' ? at : Math.floor(Date.parse(at) / 1000);
  assert.notEqual(want, lastBefore);
  for (const s of await allOk(c.token)) assert.equal(s.last_negative_at, want);
  assert.equal((await codeOf(p.id)).last_negative_at, want, 'the same as the authorised read');
  const qWant = (await codeOf(q.id)).last_negative_at;
  assert.notEqual(qWant, qBefore[0].last_negative_at);
  for (const s of await allOk(qc.token)) assert.equal(s.last_negative_at, qWant);

  // corrected to invalid: the negative is gone again from the very next scan
  const fix = await jiance.post('/api/v1/testing/tubes/MEM-0001/result/correction', { result: 'invalid', reason: '样本溶血，结果作废' });
  assert.equal(fix.status, 201, fix.text);
  const after_ = await codeOf(p.id);
  assert.notEqual(after_.last_negative_at, want);
  for (const s of await allOk(c.token)) {
    assert.equal(s.last_negative_at, after_.last_negative_at);
    assert.equal(s.color, after_.color);
  }
});

test('a token scanned good is refused on every thread once expired; a forged one with its MAC characters is 403', async () => {
  const { p } = await freshGreen();
  const expires = Math.floor(Date.now() / 1000) + 3;
  const t = token(p.id, expires);
  for (const s of await allOk(t)) assert.equal(s.valid_until, expires);
  // another person's id under the same MAC: the same memory slot, other bytes
  const head = Buffer.from(t, 'base64url');
  head.writeBigUInt64LE(BigInt(persons[0].id === p.id ? persons[1].id : persons[0].id), 0);
  const forged = head.toString('base64url');
  assert.equal(forged.slice(-43), t.slice(-43), 'the MAC characters are the same');
  for (const s of await burst(forged)) assert.equal(s.status, 403, s.text);
  while (Date.now() / 1000 <= expires + 0.2) await new Promise((res) => setTimeout(res, 200));
  for (const s of await burst(t)) {
    assert.equal(s.status, 410, s.text);
    assert.equal(s.json.error.field, 'token');
  }
});

test('every scan is audited, answered from memory or not', async () => {
  const { p, c } = await freshGreen();
  const n = 3 * ROUNDS;
  for (let i = 0; i < 3; i++) await allOk(c.token);
  let seen = [];
  for (let i = 0; i < 60 && seen.length < n; i++) {
    await new Promise((res) => setTimeout(res, 100));
    seen = (await admin.get(`/api/v1/audit?entity=health_code&entity_id=${p.id}&limit=1000`)).json.items
      .filter((a) => a.action === 'scan');
  }
  assert.equal(seen.length, n);
  assert.ok(seen.every((a) => a.detail === 'colour=green' && a.log === 'code_scans'));
});
