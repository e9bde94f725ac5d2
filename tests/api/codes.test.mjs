// Health codes (健康码) through the API on a demo city: every person has a code after the
// demo; a case registered turns its person red at once and its discharge green; an
// isolation turns red at its start and yellow (home health monitoring) at its release;
// overrides need a written reason and a second command user, show wherever the code is
// read and are logged with their id; tokens: a scan answers masked, forged 403, expired
// 410 (a token made with the data directory's key, as the server would), malformed 400;
// the public login by ID number and phone (wrong pair 401, saying not which); permission
// and jurisdiction refusals; the colour log newest first; scans audited (in batches).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, login, fangkong } from '../lib/server.mjs';
import { makeToken } from '../lib/codes.mjs';
import { validId } from '../lib/ids.mjs';

let srv, admin, chief2, shequ, guest, kakou, anon, persons, mine;
const DAY = 86400 * 1000;
const LOCAL = 8 * 3600 * 1000; // v9 reporting.utc_offset_h
const dateOf = (ms) => new Date(ms + LOCAL).toISOString().slice(0, 10);

before(async () => {
  srv = await startServer({ persons: 1500, seed: 33 });
  const r = fangkong(['user', 'add', 'chief2', '--role', 'command', '--data', srv.dataDir],
    { input: 'codes-password-123\n' });
  assert.equal(r.status, 0, r.stderr);
  [admin, shequ, guest, kakou] = await Promise.all(['admin', 'shequ', 'guest', 'kakou'].map((u) => login(srv.url, u)));
  chief2 = await login(srv.url, 'chief2', 'codes-password-123');
  anon = (await import('../lib/server.mjs')).client(srv.url);
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  persons = (await admin.get(`/api/v1/persons?limit=200&community_code=${mine}`)).json.items;
  assert.ok(persons.length > 20);
});
after(async () => { await srv.stop(); });

let next = 0;
const fresh = () => persons[next++];

async function codeOf(api, id) {
  const r = await api.get(`/api/v1/persons/${id}/code`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

const caseBody = (p) => ({ person_id: p.id, classification: 'confirmed', severity: 'mild',
  reported_at: '2022-05-01T10:00:00+08:00', sampling_date: '2022-04-30', onset_date: '2022-04-29',
  source: 'community_screening' });

test('every person of the demo city has a code; the body is the contract\'s', async () => {
  const p = fresh();
  const c = await codeOf(admin, p.id);
  assert.equal(c.person_id, p.id);
  assert.ok(['red', 'yellow', 'green'].includes(c.color));
  assert.equal(c.color_zh, { red: '红码', yellow: '黄码', green: '绿码' }[c.color]);
  assert.equal(c.reasons.length, 1);
  assert.ok(c.reasons[0].rule && c.reasons[0].zh !== undefined && c.reasons[0].detail !== undefined);
  assert.equal(c.override, null);
  assert.equal(c.policy_version, 'v9');
  assert.match(c.token, /^[A-Za-z0-9_-]{64}$/);
  assert.ok(c.valid_until > Date.now() / 1000 && c.valid_until <= Date.now() / 1000 + 301);
  assert.match(c.qr_svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1".*<\/svg>$/);
  // the history has the first assignment, by the demo's install of the policy's rules
  const h = await admin.get(`/api/v1/persons/${p.id}/code/history`);
  assert.equal(h.status, 200, h.text);
  assert.ok(h.json.items.length >= 1);
  assert.equal(h.json.items.at(-1).from, null);
  assert.equal(h.json.items.at(-1).source, 'policy');
});

test('a case registered is red at once; discharged, green; every change logged newest first', async () => {
  const p = fresh();
  assert.equal((await codeOf(admin, p.id)).color, 'green');
  const made = await admin.post('/api/v1/cases', caseBody(p));
  assert.equal(made.status, 201, made.text);
  const red = await codeOf(admin, p.id);
  assert.equal(red.color, 'red');
  assert.equal(red.reasons[0].rule, 'case_not_released');
  assert.equal(red.reasons[0].zh, '阳性人员未解除');
  assert.match(red.reasons[0].detail, new RegExp(`第 ${made.json.number} 号`));
  for (const to of ['transferred', 'hospitalized', 'discharged']) {
    const t = await admin.post(`/api/v1/cases/${made.json.id}/transitions`, { to });
    assert.equal(t.status, 201, t.text);
  }
  assert.equal((await codeOf(admin, p.id)).color, 'green');
  const h = (await admin.get(`/api/v1/persons/${p.id}/code/history`)).json.items;
  assert.deepEqual(h.slice(0, 2).map((x) => [x.from, x.to, x.rule, x.operator, x.source, x.policy_version]), [
    ['red', 'green', 'default', 'admin', 'case', 'v9'],
    ['green', 'red', 'case_not_released', 'admin', 'case', 'v9'],
  ]);
  assert.ok(h[0].at >= h[1].at);
});

test('an isolation: red while in it, yellow in home health monitoring after its release', async () => {
  const p = fresh();
  const day1 = dateOf(Date.now() - 6 * DAY);
  const r = await admin.post('/api/v1/isolations', { person_id: p.id, cohort: 'close_contact', day1_date: day1 });
  assert.equal(r.status, 201, r.text);
  const iso = r.json;
  const red = await codeOf(admin, p.id);
  assert.equal(red.color, 'red');
  assert.equal(red.reasons[0].rule, 'contact_in_isolation');
  assert.ok(red.reasons[0].detail.includes(iso.end_date), red.reasons[0].detail);
  for (const t of iso.tests) {
    const res = await admin.patch(`/api/v1/isolations/${iso.id}/tests/${t.id}`, { result: 'negative' });
    assert.equal(res.status, 200, res.text);
  }
  const tested = await codeOf(admin, p.id);
  assert.equal(tested.color, 'red');
  assert.ok(tested.last_negative_at >= Math.floor(Date.now() / 1000) - 60);
  const rel = await admin.post(`/api/v1/isolations/${iso.id}/release`);
  assert.equal(rel.status, 200, rel.text);
  const yellow = await codeOf(admin, p.id);
  assert.equal(yellow.color, 'yellow');
  assert.equal(yellow.reasons[0].rule, 'monitoring_after_red');
  assert.ok(yellow.reasons[0].detail.includes(iso.next_end_date), yellow.reasons[0].detail);
  const h = (await admin.get(`/api/v1/persons/${p.id}/code/history`)).json.items;
  assert.deepEqual(h.slice(0, 2).map((x) => [x.from, x.to, x.source]), [['red', 'yellow', 'isolation'], ['green', 'red', 'isolation']]);
});

test('an override: a written reason, pending until another command user approves, shown and logged', async () => {
  const p = fresh();
  const before_ = await codeOf(admin, p.id);
  assert.equal(before_.color, 'green');
  const noReason = await admin.post(`/api/v1/persons/${p.id}/code/overrides`, { color: 'yellow' });
  assert.equal(noReason.status, 400, noReason.text);
  assert.equal(noReason.json.error.field, 'reason');
  const badColour = await admin.post(`/api/v1/persons/${p.id}/code/overrides`, { color: 'blue', reason: '测试原因说明' });
  assert.equal(badColour.status, 400, badColour.text);
  assert.equal((await shequ.post(`/api/v1/persons/${p.id}/code/overrides`, { color: 'yellow', reason: '社区无权改码' })).status, 403);
  const until = Math.floor(Date.now() / 1000) + 3600;
  const asked = await admin.post(`/api/v1/persons/${p.id}/code/overrides`, { color: 'yellow', reason: '发热门诊报告，待复核', until });
  assert.equal(asked.status, 201, asked.text);
  assert.equal(asked.json.status, 'pending');
  assert.equal(asked.json.requested_by, 'admin');
  assert.equal((await codeOf(admin, p.id)).color, 'green', 'not in effect while pending');
  const pending = await chief2.get('/api/v1/code-overrides?status=pending');
  assert.equal(pending.status, 200, pending.text);
  assert.ok(pending.json.items.some((o) => o.id === asked.json.id));
  // the requester may not approve it; nothing changes
  const self = await admin.post(`/api/v1/code-overrides/${asked.json.id}/approve`, {});
  assert.equal(self.status, 403, self.text);
  assert.equal((await codeOf(admin, p.id)).color, 'green');
  const ok = await chief2.post(`/api/v1/code-overrides/${asked.json.id}/approve`, { note: '已核实' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.status, 'approved');
  assert.equal(ok.json.decided_by, 'chief2');
  const c = await codeOf(admin, p.id);
  assert.equal(c.color, 'yellow');
  assert.deepEqual(c.override, { id: asked.json.id, color: 'yellow', reason: '发热门诊报告，待复核',
    requested_by: 'admin', approved_by: 'chief2', until });
  const scan = await anon.get(`/api/v1/codes/${c.token}`);
  assert.equal(scan.status, 200, scan.text);
  assert.equal(scan.json.override, true);
  assert.equal(scan.json.color, 'yellow');
  const h = (await admin.get(`/api/v1/persons/${p.id}/code/history`)).json.items[0];
  assert.equal(h.override_id, asked.json.id);
  assert.equal(h.operator, 'chief2');
  assert.equal(h.source, 'override');
  assert.match(h.reason, /发热门诊报告/);
  // decided once; a rejected one changes nothing
  assert.equal((await chief2.post(`/api/v1/code-overrides/${asked.json.id}/reject`, {})).status, 409);
  const second = await chief2.post(`/api/v1/persons/${p.id}/code/overrides`, { color: 'red', reason: '再申请红码，理由不足' });
  assert.equal(second.status, 201, second.text);
  const no = await admin.post(`/api/v1/code-overrides/${second.json.id}/reject`, { note: '不同意' });
  assert.equal(no.status, 200, no.text);
  assert.equal(no.json.status, 'rejected');
  assert.equal((await codeOf(admin, p.id)).color, 'yellow');
  assert.equal((await admin.get('/api/v1/code-overrides?status=bogus')).status, 400);
});

const token = (personId, expires) => makeToken(srv.dataDir, personId, expires);

test('a scan: masked answer; forged 403, expired 410, malformed 400, never the ID number', async () => {
  const p = fresh();
  const full = (await admin.get(`/api/v1/persons/${p.id}`)).json;
  const c = await codeOf(admin, p.id);
  assert.equal(token(p.id, c.valid_until), c.token, 'the token is the documented layout');
  assert.ok(!Buffer.from(c.token, 'base64url').toString('latin1').includes(full.id_number));
  assert.ok(!c.token.includes(full.id_number));
  const s = await anon.get(`/api/v1/codes/${c.token}`);
  assert.equal(s.status, 200, s.text);
  assert.deepEqual(Object.keys(s.json).sort(), ['color', 'color_zh', 'last_negative_at', 'name_masked', 'override', 'reasons', 'valid_until']);
  assert.equal(s.text, JSON.stringify(s.json), 'compact JSON (the answer is written directly)');
  assert.match(s.headers.get('content-type'), /^application\/json/);
  assert.equal(s.json.name_masked, `${[...full.name][0]}某某`);
  assert.equal(s.json.valid_until, c.valid_until);
  assert.equal(s.json.color, c.color);
  assert.equal(s.json.reasons[0].rule, c.reasons[0].rule);
  assert.equal(s.json.reasons[0].detail, undefined, 'the scan shows no detail');
  assert.ok(!s.text.includes(full.id_number) && !s.text.includes(full.phone));
  // forged: one character changed, another person's id under an invented MAC
  const chars = [...c.token];
  chars[20] = chars[20] === 'A' ? 'B' : 'A';
  const forged = await anon.get(`/api/v1/codes/${chars.join('')}`);
  assert.equal(forged.status, 403, forged.text);
  assert.equal(forged.json.error.field, 'token');
  const head = Buffer.from(c.token, 'base64url');
  head.writeBigUInt64LE(BigInt(p.id + 1), 0);
  assert.equal((await anon.get(`/api/v1/codes/${head.toString('base64url')}`)).status, 403);
  // expired
  const old = await anon.get(`/api/v1/codes/${token(p.id, Math.floor(Date.now() / 1000) - 5)}`);
  assert.equal(old.status, 410, old.text);
  assert.equal(old.json.error.code, 'gone');
  // malformed: short, long, padded, standard base64, a character outside the alphabet
  for (const bad of [c.token.slice(0, 63), `${c.token}A`, `${c.token.slice(0, 62)}==`, `${c.token.slice(0, 63)}+`,
    `${c.token.slice(0, 63)}.`, 'x'.repeat(200)]) {
    const r = await anon.get(`/api/v1/codes/${encodeURIComponent(bad)}`);
    assert.equal(r.status, 400, `${bad}: ${r.text}`);
    assert.equal(r.json.error.field, 'token');
  }
  // the scan is audited (written by the batch writer within about a tenth of a second)
  let seen = [];
  for (let i = 0; i < 50 && !seen.length; i++) {
    await new Promise((res) => setTimeout(res, 100));
    seen = (await admin.get(`/api/v1/audit?entity=health_code&entity_id=${p.id}&limit=100`)).json.items
      .filter((a) => a.action === 'scan');
  }
  assert.ok(seen.length >= 1, 'scan audited');
  assert.equal(seen[0].actor, 'public');
  // kept in the scans' own table (code_scans) and read as part of the one audit log:
  // by person, newest first with the user's read of the code, by actor, whole
  assert.equal(seen[0].log, 'code_scans');
  assert.equal(seen[0].detail, `colour=${c.color}`);
  assert.equal(seen[0].entity, 'health_code');
  const person = (await admin.get(`/api/v1/audit?entity=health_code&entity_id=${p.id}&limit=100`)).json;
  const scanAt = person.items.findIndex((a) => a.log === 'code_scans');
  const readAt = person.items.findIndex((a) => a.action === 'read' && a.actor === 'admin' && a.log === 'audit');
  assert.ok(scanAt >= 0 && readAt >= 0, 'the read of the code and its scan');
  const times = person.items.map((a) => Date.parse(a.at));
  assert.ok(times.every((t, i) => i === 0 || t <= times[i - 1]), 'newest first');
  assert.equal(person.total, person.items.length);
  const byPublic = (await admin.get(`/api/v1/audit?actor=public&entity_id=${p.id}`)).json.items;
  assert.ok(byPublic.some((a) => a.log === 'code_scans'));
  const whole = (await admin.get('/api/v1/audit?limit=1000')).json;
  assert.ok(whole.items.some((a) => a.log === 'code_scans' && a.entity_id === p.id));
  assert.ok(whole.items.some((a) => a.log === 'audit'));
  assert.ok((await admin.get('/api/v1/audit?actor=admin&limit=1000')).json.items.every((a) => a.log === 'audit'));
  // and in the audit log's export, marked by its log
  const file = path.join(srv.dataDir, `audit-${p.id}.csv`);
  const x = fangkong(['export', 'audit', file, '--data', srv.dataDir]);
  assert.equal(x.status, 0, x.stderr);
  const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  assert.ok(lines[0].endsWith(',log'), lines[0]);
  assert.ok(lines.some((l) => l.includes(',scan,health_code,') && l.includes(`,${p.id},colour=`) && l.endsWith(',code_scans')));
});

test('a person\'s own code by ID number and phone; a wrong pair is 401 without saying which', async () => {
  const p = fresh();
  const full = (await admin.get(`/api/v1/persons/${p.id}`)).json;
  assert.ok(full.phone, 'a demo resident has a phone');
  const own = await anon.post('/api/v1/public/code', { id_number: full.id_number, phone: full.phone });
  assert.equal(own.status, 200, own.text);
  assert.equal(own.json.person_id, p.id);
  assert.equal(own.json.name_masked, `${[...full.name][0]}某某`);
  assert.match(own.json.token, /^[A-Za-z0-9_-]{64}$/);
  assert.ok(own.json.qr_svg.startsWith('<svg'));
  assert.ok(!own.text.includes(full.name) || [...full.name].length === 1);
  const wrongPhone = await anon.post('/api/v1/public/code', { id_number: full.id_number, phone: '13800000000' });
  const wrongId = await anon.post('/api/v1/public/code', { id_number: '110101199003077777', phone: full.phone });
  assert.equal(wrongPhone.status, 401);
  assert.equal(wrongId.status, 401);
  assert.equal(wrongPhone.json.error.message, wrongId.json.error.message);
  assert.equal(wrongPhone.json.error.field, '');
  const missing = await anon.post('/api/v1/public/code', { id_number: full.id_number });
  assert.equal(missing.status, 400);
});

test('permission and jurisdiction: who may read a code, its history and the overrides', async () => {
  const p = fresh();
  assert.equal((await anon.get(`/api/v1/persons/${p.id}/code`)).status, 401);
  assert.equal((await guest.get(`/api/v1/persons/${p.id}/code`)).status, 403);
  assert.equal((await kakou.get(`/api/v1/persons/${p.id}/code`)).status, 403);
  assert.equal((await guest.get(`/api/v1/persons/${p.id}/code/history`)).status, 403);
  assert.equal((await shequ.get('/api/v1/code-overrides')).status, 403);
  // the community user reads its own residents' codes, not another community's
  assert.equal((await shequ.get(`/api/v1/persons/${p.id}/code`)).status, 200);
  // the small demo city is one community: a second one in the same street, and a person
  // registered there (who has a code at once: registration computes it)
  const second = `${mine.slice(0, 9)}${mine.endsWith('002') ? '003' : '002'}`;
  const imp = await admin.post('/api/v1/imports/areas', `code,parent_code,name\n${second},${mine.slice(0, 9)},第二社区\n`,
    { 'Content-Type': 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
  const made = await admin.post('/api/v1/persons', { name: '外社区人员', id_number: validId(4242), phone: '13912345670',
    resident_type: 'non_resident', community_code: second, address: '某路2号' });
  assert.equal(made.status, 201, made.text);
  const other = made.json;
  const h0 = (await admin.get(`/api/v1/persons/${other.id}/code/history`)).json.items;
  assert.deepEqual(h0.map((x) => [x.from, x.to, x.source]), [[null, 'green', 'person']]);
  const out = await shequ.get(`/api/v1/persons/${other.id}/code`);
  assert.equal(out.status, 404, out.text);
  assert.equal((await shequ.get(`/api/v1/persons/${other.id}/code/history`)).status, 404);
  assert.equal((await admin.get('/api/v1/persons/99999999/code')).status, 404);
  // reads are audited
  const a = (await admin.get(`/api/v1/audit?entity=health_code&entity_id=${p.id}&limit=10`)).json.items;
  assert.ok(a.some((x) => x.actor === 'shequ' && x.action === 'read'));
});

test('the CLI: codes show prints the code and its log; codes recompute changes nothing on a settled city', async () => {
  const p = fresh();
  const made = await admin.post('/api/v1/cases', caseBody(p));
  assert.equal(made.status, 201, made.text);
  const show = fangkong(['codes', 'show', String(p.id), '--data', srv.dataDir]);
  assert.equal(show.status, 0, show.stderr);
  assert.match(show.stdout, /^colour\tred 红码$/m);
  assert.match(show.stdout, /^rule\tcase_not_released 阳性人员未解除$/m);
  assert.match(show.stdout, /^change\t\d{4}-\d\d-\d\dT[\d:]+Z\tgreen>red\tcase_not_released\tadmin\tcase\tv9\t/m);
  const again = fangkong(['codes', 'recompute', '--data', srv.dataDir]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /^evaluated \d+ changed 0 /);
  const bad = fangkong(['codes', 'show', 'nobody', '--data', srv.dataDir]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /person/);
});

// Read-only SQL on the server's store, for set comparisons (every affected person).
const sql = (q) => {
  const r = spawnSync('sqlite3', ['-readonly', path.join(srv.dataDir, 'fangkong.db'), q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
};

test('a zone published turns every resident red at once; lifted, they are green again', async () => {
  const withHome = persons.filter((x) => x.household_id && persons.indexOf(x) >= next);
  const p = withHome[0];
  next = persons.indexOf(p) + 1;
  const c = await admin.post('/api/v1/cases', { ...caseBody(p), reported_at: new Date().toISOString(),
    sampling_date: dateOf(Date.now() - DAY), onset_date: dateOf(Date.now() - 2 * DAY) });
  assert.equal(c.status, 201, c.text);
  const zs = (await admin.get(`/api/v1/zones?case=${c.json.id}&limit=100`)).json.items;
  const z = zs.find((x) => x.level === 'sealed');
  assert.ok(z, JSON.stringify(zs));
  const members = sql(`SELECT person_id FROM zone_persons WHERE zone_id = ${z.id}`); // none: proposed
  assert.equal(members, '');
  const pub = await admin.post(`/api/v1/zones/${z.id}/publish`, { note: '指挥部审定' });
  assert.equal(pub.status, 200, pub.text);
  const inZone = sql(`SELECT person_id FROM zone_persons WHERE zone_id = ${z.id} ORDER BY 1`).split('\n').map(Number);
  assert.ok(inZone.length > 1);
  // every resident red, by the zone or by a rule before it (a case, an isolation); an
  // approved override (an earlier test's) keeps its colour, as overrides do
  const rows = sql(`SELECT person_id || ' ' || colour || ' ' || rule || ' ' || coalesce(override_id, 0) FROM health_codes WHERE person_id IN (${inZone.join(',')})`)
    .split('\n').map((l) => l.split(' '));
  assert.equal(rows.length, inZone.length);
  for (const [id, colour, rule, override] of rows) {
    assert.ok(colour === 'red' || override !== '0', `person ${id}: ${colour}`);
    assert.ok(['zone_sealed_or_high', 'case_not_released', 'contact_in_isolation', 'traveler_high_pending'].includes(rule), rule);
  }
  const byThisZone = Number(sql(`SELECT count(*) FROM health_codes WHERE detail LIKE '%风险区 ${z.id}）%'`));
  assert.ok(byThisZone >= 1);
  const neighbour = Number(sql(`SELECT person_id FROM health_codes WHERE detail LIKE '%风险区 ${z.id}）%' LIMIT 1`));
  const n = await codeOf(admin, neighbour);
  assert.equal(n.color, 'red');
  assert.equal(n.reasons[0].rule, 'zone_sealed_or_high');
  assert.match(n.reasons[0].detail, new RegExp(`封控区.*风险区 ${z.id}`));
  assert.equal((await codeOf(admin, p.id)).reasons[0].rule, 'case_not_released', 'the case\'s rule comes first');
  const h = (await admin.get(`/api/v1/persons/${neighbour}/code/history`)).json.items[0];
  assert.deepEqual([h.to, h.rule, h.source, h.operator], ['red', 'zone_sealed_or_high', 'zone', 'admin'],
    'the colour change names who published the zone');
  const lift = await admin.post(`/api/v1/zones/${z.id}/lift`, { note: '测试：经研判提前解封', force: true });
  assert.equal(lift.status, 200, lift.text);
  assert.equal(sql(`SELECT count(*) FROM health_codes WHERE detail LIKE '%风险区 ${z.id}）%'`), '0');
  assert.notEqual((await codeOf(admin, neighbour)).reasons[0].rule, 'zone_sealed_or_high');
});

test('a traveler from a high-risk area is red until the lead closes; from a medium one, yellow', async () => {
  const up = await admin.raw('POST', '/api/v1/imports/risk-areas?source=湖北省',
    'region_code,area_name,level,from,to\n420106,甲小区,high,2020-01-01,\n420107,乙小区,medium,2020-01-01,\n',
    { 'Content-Type': 'text/csv' });
  assert.equal(up.status, 200, up.text);
  // two persons whose code is green by default now (the demo publishes zones of its own)
  const greens = new Set(sql(`SELECT person_id FROM health_codes WHERE rule = 'default'`).split('\n').map(Number));
  const [hi, med] = persons.slice(next).filter((x) => greens.has(x.id));
  next = persons.indexOf(med) + 1;
  const arrive = async (p, region, area) => {
    const full = (await admin.get(`/api/v1/persons/${p.id}`)).json;
    const r = await admin.post('/api/v1/travel/arrivals', { id_number: full.id_number, place_kind: 'station', place: '东站',
      from_region: region, from_area: area });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.leads.length, 1, r.text);
    return r.json.leads[0];
  };
  const lead = await arrive(hi, '420106', '甲小区');
  assert.equal(lead.level, 'high');
  await arrive(med, '420107', '乙小区');
  const r = await codeOf(admin, hi.id);
  assert.deepEqual([r.color, r.reasons[0].rule], ['red', 'traveler_high_pending']);
  assert.match(r.reasons[0].detail, new RegExp(`高风险区.*线索 ${lead.id}`));
  const y = await codeOf(admin, med.id);
  assert.deepEqual([y.color, y.reasons[0].rule], ['yellow', 'traveler_pending']);
  for (const [state, extra] of [['received'], ['found'], ['controlled', { measure_taken: 'other' }], ['closed']]) {
    const m = await admin.patch(`/api/v1/leads/${lead.id}`, { state, ...(extra || {}) });
    assert.equal(m.status, 200, m.text);
  }
  const g = await codeOf(admin, hi.id);
  assert.equal(g.color, 'green');
  const h = (await admin.get(`/api/v1/persons/${hi.id}/code/history`)).json.items;
  assert.deepEqual(h.slice(0, 2).map((x) => [x.from, x.to, x.source, x.operator]),
    [['red', 'green', 'travel', 'admin'], ['green', 'red', 'travel', 'admin']], 'who registered and who closed');
});

test('a checkpoint scans a code\'s token: the person it names; a forged or expired one refused', async () => {
  const cp = await admin.post('/api/v1/checkpoints', { name: '健康码卡口', kind: 'gate', area_code: mine.slice(0, 6) });
  assert.equal(cp.status, 201, cp.text);
  const p = fresh();
  const c = await codeOf(admin, p.id);
  const s = await kakou.post(`/api/v1/checkpoints/${cp.json.id}/scans`, { token: c.token, direction: 'out' });
  assert.equal(s.status, 201, s.text);
  assert.equal(s.json.person_id, p.id);
  const chars = [...c.token];
  chars[30] = chars[30] === 'A' ? 'B' : 'A';
  assert.equal((await kakou.post(`/api/v1/checkpoints/${cp.json.id}/scans`, { token: chars.join(''), direction: 'out' })).status, 403);
  const old = await kakou.post(`/api/v1/checkpoints/${cp.json.id}/scans`, { token: token(p.id, Math.floor(Date.now() / 1000) - 1), direction: 'out' });
  assert.equal(old.status, 410, old.text);
  // a token and another way to name the person: refused as before
  assert.equal((await kakou.post(`/api/v1/checkpoints/${cp.json.id}/scans`, { token: c.token, person_id: p.id, direction: 'out' })).status, 400);
});
