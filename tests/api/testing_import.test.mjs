// Imports of mass-testing files (issue 5): `fangkong import scans|results` and the
// streamed upload POST /api/v1/imports/{scans,results}, under the rules of the API's
// scans and results. A good file is imported (counts checked through the API: the round's
// scanned, the tubes' sizes and states, the results); a file with any bad row is refused
// whole, every bad row listed with its row and field, and the store is unchanged (counts
// and tubes compared before and after); --skip-bad imports the good rows and writes the
// bad ones to the rejects file; a positive imported from a file is audited as one posted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, login, fangkong } from '../lib/server.mjs';
import { validId, withWrongCheck } from '../lib/ids.mjs';

let srv, admin, jiance, shequ, mine, street, round, planned, site, site2, psite, pool, people, outsider, lab, lab2, dir;
const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const NOW = () => iso(Date.now() - 60 * 1000);
const T = (i) => `IMP22-${String(i).padStart(6, '0')}`;

before(async () => {
  srv = await startServer({ persons: 1500, seed: 37 });
  [admin, jiance, shequ] = await Promise.all(['admin', 'jiance', 'shequ'].map((u) => login(srv.url, u)));
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  street = mine.slice(0, 9);
  dir = mkdtempSync(path.join(tmpdir(), 'fk-timport-'));
  pool = (await admin.get('/api/v1/policy')).json;
  pool = (pool.rules || pool.document || pool).testing.pool_by_group.groups;
  const resident = (p) => /^\d{17}[\dX]$/.test(p.id_number);
  people = (await admin.get(`/api/v1/persons?limit=300&community_code=${mine}`)).json.items.filter(resident);
  assert.ok(people.length >= 60, String(people.length));
  const imp = await admin.post('/api/v1/imports/areas', `code,parent_code,name\n${street}997,${street},导入外社区\n`,
    { 'Content-Type': 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
  const made = await admin.post('/api/v1/persons', { name: '外社区居民', id_number: validId(4343), resident_type: 'non_resident',
    community_code: `${street}997`, address: '导入测试路 1 号' });
  assert.equal(made.status, 201, made.text);
  outsider = made.json;
  round = (await jiance.post('/api/v1/testing/rounds', { name: '导入测试轮', area_code: mine, state: 'open',
    starts_at: iso(Date.now() - 2 * HOUR), ends_at: iso(Date.now() + 22 * HOUR) })).json;
  planned = (await jiance.post('/api/v1/testing/rounds', { name: '未开始轮', area_code: mine,
    starts_at: iso(Date.now() - 2 * HOUR), ends_at: iso(Date.now() + 22 * HOUR) })).json;
  site = (await jiance.post(`/api/v1/testing/rounds/${round.id}/sites`, { name: '导入一号点' })).json;
  site2 = (await jiance.post(`/api/v1/testing/rounds/${round.id}/sites`, { name: '导入二号点' })).json;
  psite = (await jiance.post(`/api/v1/testing/rounds/${planned.id}/sites`, { name: '未开始点' })).json;
  assert.equal((await jiance.post(`/api/v1/testing/sites/${site.id}/tubes`, { prefix: 'IMP22-', count: 20 })).status, 201);
  assert.equal((await jiance.post(`/api/v1/testing/sites/${site2.id}/tubes`, { barcodes: ['IMP22-S2-0001'] })).status, 201);
  assert.equal((await jiance.post(`/api/v1/testing/sites/${psite.id}/tubes`, { barcodes: ['IMP22-PL-0001'] })).status, 201);
  const district = mine.slice(0, 6);
  lab = (await jiance.post('/api/v1/testing/labs', { name: '导入检测实验室', area_code: district })).json;
  lab2 = (await jiance.post('/api/v1/testing/labs', { name: '导入对照实验室', area_code: district })).json;
  assert.ok(lab.id && lab2.id);
});
after(async () => { await srv.stop(); rmSync(dir, { recursive: true, force: true }); });

const file = (name, lines) => { const p = path.join(dir, name); writeFileSync(p, lines.join('\n') + '\n'); return p; };
const cli = (kind, p, ...extra) => fangkong(['import', kind, p, '--data', srv.dataDir, ...extra]);
const tube = async (code) => (await jiance.get(`/api/v1/testing/tubes/${code}`)).json;
const state = async (codes) => ({
  scanned: (await jiance.get(`/api/v1/testing/rounds/${round.id}`)).json.scanned,
  tubes: await Promise.all(codes.map(async (c) => { const t = await tube(c); return [t.state, t.size, t.members.length, (t.results || []).length]; })),
});
const scanLine = (code, p, time = NOW(), s = site.id) => `${code},${p.id_number ?? p},${time},${s}`;
// the bad rows a report lists, as "row:field"
const listed = (out) => [...out.matchAll(/^row (\d+), field (\w+):/gm)].map((m) => `${m[1]}:${m[2]}`);

test('scans: a good file fills tubes as the API does; counts through the API', async () => {
  const n = pool.other;
  const lines = ['tube,person,time,site'];
  for (let i = 0; i < n; i++) lines.push(scanLine(T(1), people[i]));           // fills T1: closes
  for (let i = n; i < n + 3; i++) lines.push(scanLine(T(2), people[i]));       // T2 open, 3 of n
  const r = cli('scans', file('scans.csv', lines));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`imported ${n + 3} of ${n + 3} scans rows`));
  const t1 = await tube(T(1)), t2 = await tube(T(2));
  assert.deepEqual([t1.state, t1.size, t1.members.length], ['closed', n, n]);
  assert.deepEqual([t2.state, t2.size, t2.members.length], ['open', n, 3]);
  assert.equal((await jiance.get(`/api/v1/testing/rounds/${round.id}`)).json.scanned, n + 3);
  const audit = (await admin.get('/api/v1/audit?entity=tube&limit=50')).json.items;
  assert.ok(audit.some((a) => a.action === 'import' && /kind=scans rows=\d+ imported=\d+/.test(a.detail)), JSON.stringify(audit.slice(0, 3)));
});

test('scans: each refusal listed with row and field; the whole file refused; nothing changes', async () => {
  const n = pool.other;
  // the API scans one person into T3 and closes T4 by hand: the file meets them
  assert.equal((await jiance.post(`/api/v1/testing/tubes/${T(3)}/scans`, { person_id: people[40].id })).status, 201);
  assert.equal((await jiance.post(`/api/v1/testing/tubes/${T(4)}/scans`, { person_id: people[41].id })).status, 201);
  assert.equal((await jiance.post(`/api/v1/testing/tubes/${T(4)}/close`)).status, 200);
  const rows = [
    [scanLine(T(5), people[42]), null],                                   // 2 good
    [scanLine('IMP22-NOPE01', people[43]), 'tube'],                        // 3 never issued
    [scanLine('imp bad', people[43]), 'tube'],                             // 4 malformed
    [scanLine('IMP22-S2-0001', people[43]), 'site'],                       // 5 tube of another site
    [scanLine(T(1), people[43]), 'tube'],                                  // 6 full and closed
    [scanLine(T(4), people[43]), 'tube'],                                  // 7 closed by hand
    [scanLine(T(5), people[42]), 'person'],                                // 8 twice in the file
    [scanLine(T(5), people[0]), 'person'],                                 // 9 scanned by the earlier import
    [scanLine(T(5), people[40]), 'person'],                                // 10 scanned through the API
    [scanLine(T(5), outsider), 'person'],                                  // 11 outside the round's area
    [scanLine(T(5), withWrongCheck(people[44].id_number)), 'person'],      // 12 checksum
    [scanLine(T(5), validId(4242, '110101')), 'person'],                   // 13 not registered
    [scanLine('IMP22-PL-0001', people[44], NOW(), psite.id), 'tube'],      // 14 round not open
    [scanLine(T(5), people[44], iso(Date.now() - 5 * HOUR)), 'time'],      // 15 before the window
    [scanLine(T(5), people[44], iso(Date.now() + 2 * HOUR)), 'time'],      // 16 in the future
    [scanLine(T(5), people[44], 'yesterday'), 'time'],                     // 17 malformed time
    [scanLine(T(5), people[44], NOW(), 'x'), 'site'],                      // 18 malformed site
    [scanLine(T(5), people[45]), null],                                    // 19 good
  ];
  const p = file('bad_scans.csv', ['tube,person,time,site', ...rows.map((r) => r[0])]);
  const codes = [T(1), T(3), T(4), T(5), 'IMP22-S2-0001', 'IMP22-PL-0001'];
  const before = await state(codes);
  const r = cli('scans', p);
  assert.notEqual(r.status, 0);
  const want = rows.map((x, i) => x[1] && `${i + 2}:${x[1]}`).filter(Boolean);
  assert.deepEqual(listed(r.stdout), want, r.stdout);
  assert.match(r.stdout, /row 8, field person: .*row 2/);
  assert.match(r.stdout, /row 10, field person: already scanned in this round, into tube IMP22-000003/);
  assert.match(r.stderr, /16 of 18 rows are bad; nothing was imported/);
  assert.deepEqual(await state(codes), before, 'the store is unchanged');

  // --skip-bad: the good rows go in, the bad ones to the rejects file with their reason
  const rej = path.join(dir, 'rejects.csv');
  const s = cli('scans', p, '--skip-bad', rej);
  assert.equal(s.status, 0, s.stdout + s.stderr);
  assert.match(s.stdout, /imported 2 of 18 scans rows/);
  const lines = readFileSync(rej, 'utf8').trim().split(/\r?\n/);
  assert.equal(lines[0], 'tube,person,time,site,error');
  assert.equal(lines.length, 17);
  assert.match(lines[1], /row 3, field tube: IMP22-NOPE01 was never issued/);
  const t5 = await tube(T(5));
  assert.deepEqual([t5.state, t5.size, t5.members.length], ['open', n, 2]);
  assert.equal((await state(codes)).scanned, before.scanned + 2);
});

test('scans: a contact opens a single tube; pooled with others is refused', async () => {
  const lead = await admin.post('/api/v1/leads', { kind: 'close_contact', person_id: people[50].id });
  assert.equal(lead.status, 201, lead.text);
  const p = file('contact.csv', ['tube,person,time,site', scanLine(T(2), people[50]), scanLine(T(6), people[50])]);
  const r = cli('scans', p, '--skip-bad', path.join(dir, 'rej2.csv'));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(readFileSync(path.join(dir, 'rej2.csv'), 'utf8'), /row 2, field person: .*pooled 1/);
  const t6 = await tube(T(6));
  assert.deepEqual([t6.state, t6.size, t6.members.length], ['closed', pool.key_group, 1]);
});

test('scans: permission, and the streamed upload', async () => {
  const body = ['tube,person,time,site', scanLine(T(7), people[51]), scanLine(T(7), people[52])].join('\n') + '\n';
  const denied = await shequ.raw('POST', '/api/v1/imports/scans', body, { 'Content-Type': 'text/csv' });
  assert.equal(denied.status, 403, denied.text);
  const bad = await jiance.raw('POST', '/api/v1/imports/scans', body + scanLine(T(7), people[51]) + '\n', { 'Content-Type': 'text/csv' });
  assert.equal(bad.status, 400, bad.text);
  assert.deepEqual(bad.json.problems.map((x) => [x.row, x.field]), [[4, 'person']]);
  assert.equal((await tube(T(7))).state, 'issued');
  const ok = await jiance.raw('POST', '/api/v1/imports/scans', body, { 'Content-Type': 'text/csv' });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json, { kind: 'scans', rows: 2, imported: 2, bad: 0, problems: [] });
  assert.equal((await tube(T(7))).members.length, 2);
});

// A file of 1 MiB or more (padded here with blank lines, which are not rows) checks its ID
// numbers against the kept residents lookup (services/residents.h): a person registered
// through the API after it was kept is found, one moved out of the round's area is
// refused as outside; the import that found it stale kept a new one, which the next uses.
test('scans: a large file sees the registry as it is now, through the kept residents lookup', async () => {
  const big = (name, lines) => { const p = path.join(dir, name); writeFileSync(p, lines.join('\n') + '\n' + '\n'.repeat(1 << 20)); return p; };
  const register = async (n) => {
    const r = await admin.post('/api/v1/persons', { name: `新登记${n}`, id_number: validId(5150 + n), resident_type: 'non_resident',
      community_code: mine, address: `导入测试路 ${n} 号` });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  const leaving = await register(1);
  const first = cli('scans', big('big1.csv', ['tube,person,time,site', scanLine(T(8), people[53])]));
  assert.equal(first.status, 0, first.stdout + first.stderr);
  assert.match(first.stderr, /residents: \d+ (from the kept lookup|read from the store)/);
  // after the lookup was kept: one moves out of the round's area, one is registered
  const moved = await admin.patch(`/api/v1/persons/${leaving.id}`, { community_code: `${street}997` });
  assert.equal(moved.status, 200, moved.text);
  const added = await register(2);
  const rej = path.join(dir, 'rej_big.csv');
  const r = cli('scans', big('big2.csv', ['tube,person,time,site', scanLine(T(8), leaving), scanLine(T(8), added)]),
    '--skip-bad', rej);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /residents: \d+ read from the store \(the lookup was not current: built and kept/);
  assert.match(r.stdout, /imported 1 of 2 scans rows/);
  assert.match(readFileSync(rej, 'utf8'), /row 2, field person: lives in \d+997, outside the round's area/);
  assert.deepEqual((await tube(T(8))).members.map((m) => m.person_id).sort(), [people[53].id, added.id].sort());
  const next = cli('scans', big('big3.csv', ['tube,person,time,site', scanLine(T(8), people[55])]));
  assert.equal(next.status, 0, next.stdout + next.stderr);
  assert.match(next.stderr, /residents: \d+ from the kept lookup/);
});

test('results: first results of received tubes; refusals listed, the file refused whole; a positive followed up', async () => {
  for (const c of [T(2), T(3), T(5), T(7)]) assert.equal((await jiance.post(`/api/v1/testing/tubes/${c}/close`)).status, 200);
  const pack = (code, barcodes, s = site.id) => jiance.post('/api/v1/testing/boxes', { code, site_id: s, barcodes });
  assert.equal((await pack('IMPBOX-0001', [T(1), T(2), T(3), T(4), T(5)])).status, 201);
  assert.equal((await pack('IMPBOX-0002', [T(6), T(7)])).status, 201);
  for (const b of ['IMPBOX-0001', 'IMPBOX-0002'])
    assert.equal((await jiance.post(`/api/v1/testing/boxes/${b}/handover`, { courier: '王师傅' })).status, 200);
  assert.equal((await jiance.post('/api/v1/testing/boxes/IMPBOX-0001/receive', { lab_id: lab.id })).status, 200);
  // T6, T7 in a box handed over, not received; T4 gets its result through the API
  assert.equal((await jiance.post(`/api/v1/testing/tubes/${T(4)}/result`, { result: 'negative' })).status, 201);
  const L = (code, result, orf, n, l = lab.id, time = iso(Date.now() + 1000)) => `${code},${result},${orf ?? ''},${n ?? ''},${l},${time}`;
  const rows = [
    [L(T(1), 'negative'), null],                          // 2
    [L(T(6), 'negative'), 'tube'],                        // 3 not received
    [L(T(4), 'negative'), 'tube'],                        // 4 has a result (API)
    [L(T(1), 'negative'), 'tube'],                        // 5 twice in the file
    [L(T(2), 'positive', 28.5), 'ct_n'],                  // 6 positive without N
    [L(T(2), 'negative', 30, 31), 'ct_orf1ab'],           // 7 Ct on a negative
    [L(T(2), 'positive', 50, 31), 'ct_orf1ab'],           // 8 Ct above 45
    [L(T(2), 'maybe'), 'result'],                         // 9
    [L(T(2), 'negative', null, null, lab2.id), 'lab'],    // 10 another lab
    [L(T(2), 'negative', null, null, 99999), 'lab'],      // 11 no lab
    [L(T(2), 'negative', null, null, lab.id, iso(Date.now() - 5 * HOUR)), 'time'], // 12 before receipt
    [L('IMP22-NOPE01', 'negative'), 'tube'],              // 13 never issued
    [L(T(2), 'positive', 24.1, 26.3), null],              // 14
    [L(T(3), 'invalid'), null],                           // 15
  ];
  const p = file('results.csv', ['tube,result,ct_orf1ab,ct_n,lab,time', ...rows.map((r) => r[0])]);
  const codes = [T(1), T(2), T(3), T(4), T(6)];
  const before = await state(codes);
  const r = cli('results', p);
  assert.notEqual(r.status, 0);
  assert.deepEqual(listed(r.stdout), rows.map((x, i) => x[1] && `${i + 2}:${x[1]}`).filter(Boolean), r.stdout);
  assert.match(r.stdout, /row 4, field tube: .*has a result \(negative\)/);
  assert.deepEqual(await state(codes), before, 'the store is unchanged');

  const s = cli('results', p, '--skip-bad', path.join(dir, 'rrej.csv'));
  assert.equal(s.status, 0, s.stdout + s.stderr);
  assert.match(s.stdout, /imported 3 of 14 results rows/);
  const got = await Promise.all([T(1), T(2), T(3)].map(async (c) => (await tube(c)).results.map((x) => [x.result, x.ct_orf1ab ?? null, x.ct_n ?? null])));
  assert.deepEqual(got, [[['negative', null, null]], [['positive', 24.1, 26.3]], [['invalid', null, null]]]);
  const audit = (await admin.get('/api/v1/audit?entity=tube&limit=100')).json.items;
  const t2 = await tube(T(2));
  assert.ok(audit.some((a) => a.action === 'positive' && a.entity_id === t2.id), 'the positive is followed up as from the API');
});

test('results: permission and the streamed upload', async () => {
  assert.equal((await jiance.post('/api/v1/testing/boxes/IMPBOX-0002/receive', { lab_id: lab2.id })).status, 200);
  const at = iso(Date.now() + 1000);
  const body = `tube,result,lab,time\n${T(6)},negative,${lab2.id},${at}\n${T(7)},negative,${lab2.id},${at}\n`;
  const denied = await shequ.raw('POST', '/api/v1/imports/results', body, { 'Content-Type': 'text/csv' });
  assert.equal(denied.status, 403, denied.text);
  const ok = await jiance.raw('POST', '/api/v1/imports/results', body, { 'Content-Type': 'text/csv' });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json, { kind: 'results', rows: 2, imported: 2, bad: 0, problems: [] });
  assert.equal((await tube(T(6))).results[0].result, 'negative');
  const again = await jiance.raw('POST', '/api/v1/imports/results', body, { 'Content-Type': 'text/csv' });
  assert.equal(again.status, 400, again.text);
  assert.deepEqual(again.json.problems.map((x) => [x.row, x.field]), [[2, 'tube'], [3, 'tube']]);
});
