// Coverage of a testing round (应检尽检), through the API on a demo city: a round over a
// street, persons of one community scanned through the scan API and one put into home
// isolation; the coverage numbers are checked against counts made here, independently,
// from /api/v1/persons and /api/v1/isolations under the policy's testing.coverage; then
// the households, the untested list, the CSV and XLSX downloads and the CLI export, the
// scope of a community's sampler, the 403 of a role without testing, and the audit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, login, fangkong } from '../lib/server.mjs';
import { checkChar } from '../lib/ids.mjs';

let srv, admin, jiance, shequ, other, mine, street, round, rules, persons, scannedIds, isolatedId;
const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const today = () => new Date(Date.now() + 8 * HOUR).toISOString().slice(0, 10);

async function everyPage(client, url, key = 'items') {
  const all = [];
  for (let offset = 0; ; offset += 1000) {
    const r = await client.get(`${url}${url.includes('?') ? '&' : '?'}limit=1000&offset=${offset}`);
    assert.equal(r.status, 200, r.text);
    all.push(...r.json[key]);
    if (r.json[key].length < 1000) return all;
  }
}

before(async () => {
  srv = await startServer({ persons: 1500, seed: 31 });
  [admin, jiance, shequ] = await Promise.all(['admin', 'jiance', 'shequ'].map((u) => login(srv.url, u)));
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  street = mine.slice(0, 9);
  const otherCommunity = `${street}997`;
  const imp = await admin.post('/api/v1/imports/areas', `code,parent_code,name\n${otherCommunity},${street},覆盖测试社区\n`,
    { 'Content-Type': 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
  const r = fangkong(['user', 'add', 'cov_other', '--role', 'lab', '--area', otherCommunity, '--data', srv.dataDir],
    { input: 'lab-password-123\n' });
  assert.equal(r.status, 0, r.stderr);
  other = await login(srv.url, 'cov_other', 'lab-password-123');
  const pol = (await admin.get('/api/v1/policy')).json;
  rules = (pol.rules || pol.document || pol).testing.coverage;
  persons = await everyPage(admin, `/api/v1/persons?community_code=${mine}`);
  assert.ok(persons.length >= 40, String(persons.length));
});
after(async () => { await srv.stop(); });

test('a round over the street; persons scanned and one isolated', async () => {
  const r = await jiance.post('/api/v1/testing/rounds', { name: '覆盖率测试轮', area_code: street, state: 'open',
    starts_at: iso(Date.now() - HOUR), ends_at: iso(Date.now() + 23 * HOUR) });
  assert.equal(r.status, 201, r.text);
  round = r.json;
  const site = (await jiance.post(`/api/v1/testing/rounds/${round.id}/sites`, { name: '覆盖率采样点', area_code: mine })).json;
  assert.equal((await jiance.post(`/api/v1/testing/sites/${site.id}/tubes`, { prefix: 'CV22-', count: 20 })).status, 201);
  // persons not under any lead or isolation pool with the others: scan the first 15 that fit
  scannedIds = new Set();
  let tube = 1;
  for (const p of persons) {
    if (scannedIds.size === 15) break;
    const s = await jiance.post(`/api/v1/testing/tubes/CV22-${String(tube).padStart(6, '0')}/scans`, { person_id: p.id });
    if (s.status === 201) {
      scannedIds.add(p.id);
      if (s.json.state === 'closed') tube++;
    } else {
      assert.equal(s.status, 409, s.text); // a contact or isolated person: a single tube, not here
      tube++;
    }
  }
  assert.equal(scannedIds.size, 15);
  const iso1 = persons.find((p) => !scannedIds.has(p.id) && p.resident_type === 'resident');
  const started = await admin.post('/api/v1/isolations', { person_id: iso1.id, cohort: 'secondary_contact', day1_date: today() });
  assert.equal(started.status, 201, started.text);
  isolatedId = iso1.id;
});

// What the coverage of `mine` should be, counted here from the persons and isolations.
async function expectedOfMine() {
  const active = new Set((await everyPage(admin, `/api/v1/isolations?state=active&area=${mine}`)).map((i) => i.person_id));
  assert.ok(active.has(isolatedId));
  const counted = persons.filter((p) => rules.resident_types.includes(p.resident_type));
  const cutoff = rules.exempt_under_age_years > 0 ? null : '';
  assert.equal(cutoff, '', 'this test assumes no age exemption in the policy in force');
  const tested = counted.filter((p) => scannedIds.has(p.id));
  const exempt = counted.filter((p) => !scannedIds.has(p.id) && rules.exempt_active_isolation && active.has(p.id));
  const untested = counted.filter((p) => !scannedIds.has(p.id) && !exempt.includes(p));
  return { population: counted.length, tested: tested.length, exempt: exempt.length, untested, expected: tested.length + untested.length };
}

test('coverage per community matches counts made from the persons', async () => {
  const want = await expectedOfMine();
  assert.ok(want.exempt >= 1 && want.tested === 15);
  const one = await jiance.get(`/api/v1/testing/rounds/${round.id}/coverage?area=${mine}`);
  assert.equal(one.status, 200, one.text);
  assert.equal(one.json.units.length, 1);
  const u = one.json.units[0];
  assert.equal(u.code, mine);
  assert.deepEqual([u.population, u.tested, u.exempt, u.untested, u.expected],
    [want.population, want.tested, want.exempt, want.untested.length, want.expected]);
  assert.ok(Math.abs(u.rate - want.tested / want.expected) < 1e-9);
  assert.deepEqual(one.json.thresholds, { alert_below: rules.rate_alert_below, good_from: rules.rate_good_from });
  // the street by community: the same unit among the others, the total their sum
  const all = await jiance.get(`/api/v1/testing/rounds/${round.id}/coverage`);
  assert.equal(all.status, 200, all.text);
  assert.equal(all.json.area, street);
  assert.equal(all.json.level, 'community');
  assert.deepEqual(all.json.units.find((x) => x.code === mine), u);
  assert.ok(all.json.units.every((x) => x.code.startsWith(street) && x.code.length === 12));
  const sum = all.json.units.reduce((s, x) => s + x.population, 0);
  assert.equal(all.json.total.population, sum);
  const up = await jiance.get(`/api/v1/testing/rounds/${round.id}/coverage?level=street`);
  assert.deepEqual(up.json.units.map((x) => [x.code, x.population]), [[street, sum]]);
  for (const [q, field] of [['level=grid', 'level'], [`area=${mine}&level=street`, 'level'], ['area=510199', 'area'], ['now=yesterday', 'now']]) {
    const bad = await jiance.get(`/api/v1/testing/rounds/${round.id}/coverage?${q}`);
    assert.equal(bad.status, 400, `${q}: ${bad.text}`);
    assert.equal(bad.json.error.field, field);
  }
  assert.equal((await jiance.get('/api/v1/testing/rounds/999999/coverage')).status, 404);
});

test('households and the untested list add up; the downloads hold the same persons', async () => {
  const want = await expectedOfMine();
  const hh = await everyPage(jiance, `/api/v1/testing/rounds/${round.id}/coverage/households?area=${mine}`);
  assert.equal(hh.reduce((s, h) => s + h.population, 0), want.population);
  assert.equal(hh.reduce((s, h) => s + h.untested, 0), want.untested.length);
  for (let i = 1; i < hh.length; i++) assert.ok(hh[i - 1].untested >= hh[i].untested, 'most untested first');
  const iso1 = persons.find((p) => p.id === isolatedId);
  const home = hh.find((h) => h.household_id === iso1.household_id);
  assert.equal(home.exempt, 1);
  assert.equal(home.population, persons.filter((p) => p.household_id === iso1.household_id).length);

  const list = await everyPage(jiance, `/api/v1/testing/rounds/${round.id}/untested?area=${mine}`);
  assert.deepEqual(list.map((p) => p.person_id).sort((a, b) => a - b), want.untested.map((p) => p.id).sort((a, b) => a - b));
  const first = persons.find((p) => p.id === list[0].person_id);
  assert.deepEqual([list[0].name, list[0].id_number, list[0].phone], [first.name, first.id_number, first.phone]);
  const page = await jiance.get(`/api/v1/testing/rounds/${round.id}/untested?area=${mine}&limit=5&offset=2`);
  assert.equal(page.json.total, want.untested.length);
  assert.deepEqual(page.json.items.map((p) => p.person_id), list.slice(2, 7).map((p) => p.person_id));
  const ofHome = await jiance.get(`/api/v1/testing/rounds/${round.id}/untested?area=${mine}&household=${iso1.household_id}`);
  assert.equal(ofHome.json.total, home.untested);

  const csv = await jiance.get(`/api/v1/testing/rounds/${round.id}/untested.csv?area=${mine}`);
  assert.equal(csv.status, 200, csv.text);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.match(csv.headers.get('content-disposition'), /attachment; filename="untested-round\d+-\d{12}\.csv"/);
  const rows = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.equal(rows[0], 'community_code,household,name,id_number,phone,address,resident_type,person_id,home_reasons');
  assert.equal(rows.length - 1, want.untested.length);
  const ids = rows.slice(1).map((r) => Number(r.split(',').at(-2))).sort((a, b) => a - b);
  assert.deepEqual(ids, want.untested.map((p) => p.id).sort((a, b) => a - b));
  const xlsx = await jiance.get(`/api/v1/testing/rounds/${round.id}/untested.xlsx?area=${mine}`);
  assert.equal(xlsx.status, 200);
  assert.match(xlsx.headers.get('content-type'), /spreadsheetml/);
  assert.ok(xlsx.text.startsWith('PK'), 'a zip file');

  const out = path.join(srv.dataDir, 'untested.csv');
  const r = fangkong(['testing', 'untested', '--round', String(round.id), '--area', mine, '--out', out, '--data', srv.dataDir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`exported ${want.untested.length} untested persons`));
  assert.equal(fs.readFileSync(out, 'utf8').trim().split('\r\n').length, want.untested.length + 1);
  assert.equal(fangkong(['testing', 'untested', '--data', srv.dataDir]).status, 2);
});

test("a community's sampler and worker see their own community only; read-only roles masked; audited", async () => {
  const own = await other.get(`/api/v1/testing/rounds/${round.id}/coverage`);
  assert.equal(own.status, 200, own.text);
  assert.equal(own.json.area, `${street}997`);
  assert.equal(own.json.total.population, 0);
  for (const p of ['coverage', 'coverage/households', 'untested', 'untested.csv']) {
    const r = await other.get(`/api/v1/testing/rounds/${round.id}/${p}?area=${mine}`);
    assert.equal(r.status, 403, `${p}: ${r.text}`);
    assert.equal(r.json.error.field, 'area');
  }
  // the community worker follows its untested door to door: its own community, in clear
  const mineCov = await shequ.get(`/api/v1/testing/rounds/${round.id}/coverage`);
  assert.equal(mineCov.status, 200, mineCov.text);
  assert.equal(mineCov.json.area, mine);
  const clear = await shequ.get(`/api/v1/testing/rounds/${round.id}/untested?limit=1000`);
  assert.equal(clear.status, 200, clear.text);
  assert.ok(clear.json.items.length > 0);
  assert.ok(clear.json.items.every((u) => /^\d{17}[\dX]$/.test(u.id_number)), 'in clear');
  assert.equal((await shequ.get(`/api/v1/testing/rounds/${round.id}/coverage?area=${street}`)).status, 403);
  // a read-only account sees the same persons masked, in the list and the file
  const guest = await login(srv.url, 'guest');
  const masked = await guest.get(`/api/v1/testing/rounds/${round.id}/untested?area=${mine}&limit=1000`);
  assert.equal(masked.status, 200, masked.text);
  assert.deepEqual(masked.json.items.map((u) => u.person_id), clear.json.items.map((u) => u.person_id));
  for (const [m, c] of masked.json.items.map((u, i) => [u, clear.json.items[i]])) {
    assert.notEqual(m.id_number, c.id_number);
    assert.equal(m.id_number.slice(0, 3), c.id_number.slice(0, 3));
    assert.match(m.id_number, /\*/);
    assert.notEqual(m.name, c.name);
    assert.match(m.name, /\*/);
  }
  const csv = await guest.get(`/api/v1/testing/rounds/${round.id}/untested.csv?area=${mine}`);
  assert.equal(csv.status, 200);
  assert.ok(!clear.json.items.some((u) => csv.text.includes(u.id_number)), 'no ID number in clear in the file');
  const audit = (await admin.get('/api/v1/audit?entity=coverage&limit=500')).json.items;
  assert.ok(audit.some((a) => a.action === 'read' && a.detail === `untested area=${mine}` && a.actor === 'jiance'));
  assert.ok(audit.some((a) => a.action === 'read' && a.detail === `units area=${street}`));
  const exports = audit.filter((a) => a.action === 'export' && a.entity_id === round.id);
  assert.equal(exports.length, 4);
  assert.equal(exports.filter((a) => a.actor === 'guest').length, 1);
});

// An ID number born on `date` (YYYY-MM-DD), sequence `seq`.
const bornOn = (date, seq) => {
  const first = `519901${date.replaceAll('-', '')}${String(seq).padStart(3, '0')}`;
  return first + checkChar(first);
};

test('home sampling (上门采样): who cannot come, with the policy\'s reasons; home=1 lists only them', async () => {
  const home = (await admin.get('/api/v1/policy')).json;
  const hs = (home.rules || home.document || home).testing.home_sampling;
  const add = async (name, id, flags = []) => {
    const r = await admin.post('/api/v1/persons', { name, id_number: id, resident_type: 'non_resident',
      community_code: mine, address: '上门路1号', flags });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  const y = new Date(Date.now() + 8 * HOUR);
  const infantDay = `${y.getUTCFullYear() - hs.under_age_years + 1}-01-15`;
  const bed = await add('卧床 老人', bornOn('1941-03-02', 611), ['disabled']);
  const baby = await add('婴儿', bornOn(infantDay, 612));
  const walker = await add('能来 的人', bornOn('1980-05-06', 613), ['pregnant']);
  // a stay-home zone: a confirmed case's compound, published
  const liudiao = await login(srv.url, 'liudiao');
  const patient = persons.find((p) => p.household_id && !scannedIds.has(p.id) && p.id !== isolatedId);
  const c = await liudiao.post('/api/v1/cases', { person_id: patient.id, classification: 'confirmed', severity: 'mild',
    source: 'fever_clinic', sampling_date: today() });
  assert.equal(c.status, 201, c.text);
  const zone = (await admin.get(`/api/v1/zones?case=${c.json.id}&limit=10`)).json.items[0];
  assert.equal((await admin.post(`/api/v1/zones/${zone.id}/publish`, { note: '上门采样测试' })).status, 200);

  const all = await everyPage(jiance, `/api/v1/testing/rounds/${round.id}/untested?area=${mine}`);
  const byId = new Map(all.map((u) => [u.person_id, u]));
  assert.deepEqual(byId.get(bed.id).home_reasons, ['disabled']);
  assert.deepEqual(byId.get(baby.id).home_reasons, ['infant']);
  assert.deepEqual(byId.get(walker.id).home_reasons, [], 'pregnant is not among the policy\'s flags');
  // the zone's residents, as the health codes see them (their own query; a code names its
  // strongest rule only, so the patient's reads "case" and is counted from the zone's origin)
  const inZone = [], codes = new Map();
  for (const u of all) {
    const code = (await admin.get(`/api/v1/persons/${u.person_id}/code`)).json;
    codes.set(u.person_id, code.reasons);
    if (u.person_id === patient.id ||
      code.reasons.some((r) => r.detail.startsWith('居住地在') && r.detail.includes(zone.name))) inZone.push(u.person_id);
  }
  assert.ok(inZone.length > 0);
  for (const u of all) {
    assert.equal(u.home_reasons.includes('stay_home_zone'), inZone.includes(u.person_id),
      `person ${u.person_id}: ${JSON.stringify(codes.get(u.person_id))}`);
  }
  // a household under home isolation: its untested members (the isolated one is exempt)
  const isolation = (await admin.get(`/api/v1/isolations?state=active&area=${mine}&limit=1000`)).json.items
    .find((i) => i.person_id === isolatedId);
  assert.equal(isolation.kind, 'home_isolation'); // v9: a secondary contact isolates at home
  const isolatedHome = isolation.household_id;
  assert.ok(all.some((u) => u.household_id === isolatedHome), 'the isolated household has untested members');
  for (const u of all) {
    assert.equal(u.home_reasons.includes('home_isolation'), u.household_id === isolatedHome);
  }

  const only = await everyPage(jiance, `/api/v1/testing/rounds/${round.id}/untested?area=${mine}&home=1`);
  assert.deepEqual(only.map((u) => u.person_id), all.filter((u) => u.home_reasons.length).map((u) => u.person_id));
  assert.ok(only.length >= 2 + inZone.length - 1);
  const csv = await jiance.get(`/api/v1/testing/rounds/${round.id}/untested.csv?area=${mine}&home=1`);
  assert.match(csv.headers.get('content-disposition'), /filename="home-sampling-round\d+-\d{12}\.csv"/);
  const rows = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n').slice(1);
  assert.equal(rows.length, only.length);
  assert.ok(rows.some((r) => r.endsWith(`,${bed.id},disabled`)), rows.join('\n'));
  assert.equal((await jiance.get(`/api/v1/testing/rounds/${round.id}/untested?home=2`)).status, 400);
  // once sampled, the bed-ridden person leaves the list
  const site = (await jiance.get(`/api/v1/testing/rounds/${round.id}/sites?limit=10`)).json.items[0];
  assert.equal((await jiance.post(`/api/v1/testing/sites/${site.id}/tubes`, { barcodes: ['CV22-H00001'] })).status, 201);
  assert.equal((await jiance.post('/api/v1/testing/tubes/CV22-H00001/scans', { person_id: bed.id })).status, 201);
  const after = await everyPage(jiance, `/api/v1/testing/rounds/${round.id}/untested?area=${mine}&home=1`);
  assert.ok(!after.some((u) => u.person_id === bed.id));
  assert.equal(after.length, only.length - 1);
  const out = path.join(srv.dataDir, 'home.csv');
  const r = fangkong(['testing', 'untested', '--home', '--round', String(round.id), '--area', mine, '--out', out, '--data', srv.dataDir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`exported ${after.length} untested persons to sample at home`));
  const audit = (await admin.get('/api/v1/audit?entity=coverage&limit=500')).json.items;
  assert.ok(audit.some((a) => a.action === 'read' && a.detail === `home_sampling area=${mine}` && a.actor === 'jiance'));
});
