// Traveler screening (外防输入) and checkpoint scans through the API on a demo city:
// risk-area lists imported as versions (a bad file changes nothing and lists every bad
// row), arrivals and itineraries matched at the policy's window (v9: 7 days, the bound
// included), leads of kind traveler with the level's measure, test days, deadlines and
// the destination community, one lead per stay however often it is matched, a list
// published after an arrival still catching it, scope and masking of the arrivals, and a
// checkpoint scan that registers an arrival, makes a lead and leaves a stay for tracing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, login, fangkong } from '../lib/server.mjs';

const DAY = 86400;
let srv, admin, shequ, kakou, guest, mine, people, otherCommunity, otherDistrict;
const now = () => Math.floor(Date.now() / 1000);
const iso = (s) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
// a local date (UTC+8, reporting.utc_offset_h) n days before today
const dayAgo = (n) => new Date(Date.now() + 8 * 3600e3 - n * DAY * 1000).toISOString().slice(0, 10);
const csv = (rows) => 'region_code,area_name,level,from,to\n' + rows.map((r) => r.join(',')).join('\n') + '\n';
const upload = (who, kind, body, q = '') => who.raw('POST', `/api/v1/imports/${kind}${q}`, body, { 'Content-Type': 'text/csv' });
const lists = async () => (await admin.get('/api/v1/risk-area-lists')).json.items;
const travelerLeads = async () => (await admin.get('/api/v1/leads?kind=traveler&limit=1000')).json;
const leadsOf = async (pid) => (await travelerLeads()).items.filter((l) => l.person_id === pid);
const sql = (q) => {
  const r = spawnSync('sqlite3', ['-readonly', path.join(srv.dataDir, 'fangkong.db'), q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
};

before(async () => {
  srv = await startServer({ persons: 800, seed: 61 });
  [admin, shequ, kakou, guest] = await Promise.all(['admin', 'shequ', 'kakou', 'guest'].map((u) => login(srv.url, u)));
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  people = (await admin.get(`/api/v1/persons?limit=40&community_code=${mine}`)).json.items;
  assert.ok(people.length >= 12);
  // the small demo is one community of one district: other units are areas without persons
  const street = (await admin.get(`/api/v1/areas/${mine}`)).json.parent_code;
  otherCommunity = `${street}997`;
  otherDistrict = '519977';
  const imp = await admin.raw('POST', '/api/v1/imports/areas', `code,parent_code,name\n${otherCommunity},${street},来返测试社区\n` +
    `${otherDistrict},,来返测试区\n`, { 'Content-Type': 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
  assert.ok(otherCommunity && otherDistrict);
});
after(async () => { await srv.stop(); });

test('a bad risk-area file is refused whole, every bad row listed with its field, nothing changed', async () => {
  const before = await lists();
  const bad = csv([
    ['420106', '甲小区', 'high', dayAgo(5), ''],
    ['42A106', '乙小区', 'high', dayAgo(5), ''],       // row 3: region_code
    ['420106', '丙小区', 'severe', dayAgo(5), ''],     // row 4: level
    ['420106', '丁小区', 'medium', dayAgo(2), dayAgo(4)], // row 5: to before from
    ['420106', '戊小区', 'low', '2022-02-30', ''],     // row 6: from
    ['4201', '', 'low', dayAgo(3), ''],                // row 7: region_code too short
  ]);
  const r = await upload(admin, 'risk-areas', bad, '?source=湖北省');
  assert.equal(r.status, 400, r.text);
  assert.deepEqual(r.json.problems.map((p) => [p.row, p.field]),
    [[3, 'region_code'], [4, 'level'], [5, 'to'], [6, 'from'], [7, 'region_code']]);
  assert.deepEqual(await lists(), before);
  const nosrc = await upload(admin, 'risk-areas', csv([['420106', '甲小区', 'high', dayAgo(5), '']]));
  assert.equal(nosrc.status, 400, nosrc.text);
  assert.equal(nosrc.json.error.field, 'source');
  const dry = await upload(admin, 'risk-areas', csv([['420106', '甲小区', 'high', dayAgo(5), '']]), '?source=湖北省&dry_run=1');
  assert.equal(dry.status, 200, dry.text);
  assert.equal(dry.json.imported, 0);
  assert.deepEqual(await lists(), before);
  const denied = await upload(guest, 'risk-areas', csv([['420106', '甲小区', 'high', dayAgo(5), '']]), '?source=湖北省');
  assert.equal(denied.status, 403, denied.text);
  assert.deepEqual(await lists(), before);
});

test('each import is a new version of its source; the newest is current; rows and digest kept', async () => {
  const v1 = await upload(admin, 'risk-areas', csv([['310115', '旧小区', 'high', dayAgo(30), dayAgo(20)]]), '?source=上海市');
  assert.equal(v1.status, 200, v1.text);
  const v2 = await upload(admin, 'risk-areas', csv([
    ['310115', '新小区', 'medium', dayAgo(6), ''],
    ['310115001', '', 'high', dayAgo(6), ''],
  ]), '?source=上海市');
  assert.equal(v2.status, 200, v2.text);
  const sh = (await lists()).filter((l) => l.source === '上海市');
  assert.equal(sh.length, 2);
  assert.deepEqual(sh.map((l) => [l.row_count, l.current]), [[2, true], [1, false]]);
  assert.match(sh[0].digest, /^[0-9a-f]{64}$/);
  assert.notEqual(sh[0].digest, sh[1].digest);
  const one = (await admin.get(`/api/v1/risk-area-lists/${sh[0].id}`)).json;
  assert.deepEqual(one.rows.map((r) => [r.region_code, r.area_name, r.level, r.from, r.to]),
    [['310115', '新小区', 'medium', dayAgo(6), null], ['310115001', '', 'high', dayAgo(6), null]]);
  assert.equal((await admin.get('/api/v1/risk-area-lists/999999')).status, 404);
});

test('the window: a stay ending exactly 7 days before arrival is in, one second earlier out', async () => {
  assert.equal((await upload(admin, 'risk-areas', csv([['420106', '甲小区', 'high', dayAgo(20), '']]), '?source=湖北省')).status, 200);
  const arrived = now() - 3600;
  const [inside, outside] = [people[0], people[1]];
  for (const [p, end] of [[inside, arrived - 7 * DAY], [outside, arrived - 7 * DAY - 1]]) {
    const it = await admin.post('/api/v1/travel/itineraries', { person_id: p.id, region_code: '420106', area_name: '甲小区',
      from: iso(end - 2 * DAY), to: iso(end), source: 'itinerary_card' });
    assert.equal(it.status, 201, it.text);
    assert.deepEqual(it.json.leads, []); // no arrival yet
    const a = await admin.post('/api/v1/travel/arrivals', { person_id: p.id, arrived_at: iso(arrived), place_kind: 'station',
      place: '东站', from_region: '110105' });
    assert.equal(a.status, 201, a.text);
    if (p === inside) {
      assert.equal(a.json.leads.length, 1, a.text);
      assert.deepEqual([a.json.leads[0].level, a.json.leads[0].measure_required, a.json.leads[0].test_days],
        ['high', 'central_isolation', '1,2,3,5,7']);
    } else {
      assert.deepEqual(a.json.leads, [], a.text);
    }
  }
  assert.equal((await leadsOf(inside.id)).length, 1);
  assert.equal((await leadsOf(outside.id)).length, 0);
});

test('leads carry the level\'s measure, the deadline and the destination community; never twice', async () => {
  const [hi, med, low] = [people[2], people[3], people[4]];
  const reg = async (p, region, area, to) => {
    const r = await admin.post('/api/v1/travel/arrivals', { id_number: p.id_number, place_kind: 'airport', place: '机场',
      from_region: region, from_area: area, ...(to ? { community_code: to } : {}) });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  const h = await reg(hi, '420106', '甲小区', otherCommunity);
  const m = await reg(med, '310115', '新小区');
  const l = await reg(low, '310115', '别的小区'); // the affected county's low tier
  assert.deepEqual([h, m, l].map((x) => x.leads.map((y) => [y.level, y.measure_required, y.test_days])),
    [[['high', 'central_isolation', '1,2,3,5,7']], [['medium', 'home_isolation', '1,4,7']], [['low', 'test', '2 tests in 3 days']]]);
  const lead = (await admin.get(`/api/v1/leads/${h.leads[0].id}`)).json;
  assert.equal(lead.kind, 'traveler');
  assert.equal(lead.area_code, otherCommunity); // the destination, not the home
  assert.equal(lead.person_id, hi.id);
  // tracing.time_limits_h of v9: found within assist_located (2 h), controlled within assist_controlled (8 h)
  const pushed = Date.parse(lead.pushed_at);
  assert.equal(Date.parse(lead.found_by) - pushed, 2 * 3600e3);
  assert.equal(Date.parse(lead.controlled_by) - pushed, 8 * 3600e3);
  assert.equal(Date.parse(lead.closed_by) - pushed, 24 * 3600e3);
  assert.equal((await admin.get(`/api/v1/leads/${m.leads[0].id}`)).json.area_code, med.community_code);
  // matching again (a new version of an unrelated source re-matches recent arrivals) adds nothing
  const total = (await travelerLeads()).total;
  assert.equal((await upload(admin, 'risk-areas', csv([['530102', '某村', 'low', dayAgo(1), '']]), '?source=云南省')).status, 200);
  assert.equal((await upload(admin, 'risk-areas', csv([['420106', '甲小区', 'high', dayAgo(20), '']]), '?source=湖北省')).status, 200);
  assert.equal((await travelerLeads()).total, total);
});

test('a list published after an arrival still catches it inside the window, once', async () => {
  const p = people[5];
  const a = await admin.post('/api/v1/travel/arrivals', { person_id: p.id, arrived_at: iso(now() - 2 * DAY), place_kind: 'highway',
    from_region: '440305', from_area: '乙花园' });
  assert.equal(a.status, 201, a.text);
  assert.deepEqual(a.json.leads, []);
  const far = people[6]; // arrived 8 days ago: outside the window, never matched
  assert.equal((await admin.post('/api/v1/travel/arrivals', { person_id: far.id, arrived_at: iso(now() - 8 * DAY), place_kind: 'highway',
    from_region: '440305', from_area: '乙花园' })).status, 201);
  const gd = csv([['440305', '乙花园', 'high', dayAgo(4), '']]);
  assert.equal((await upload(admin, 'risk-areas', gd, '?source=广东省')).status, 200);
  const got = await leadsOf(p.id);
  assert.equal(got.length, 1);
  assert.equal(got[0].measure_required, 'central_isolation');
  assert.equal((await leadsOf(far.id)).length, 0);
  assert.equal((await upload(admin, 'risk-areas', gd, '?source=广东省')).status, 200);
  assert.equal((await leadsOf(p.id)).length, 1);
  const listed = (await admin.get(`/api/v1/travel/arrivals?matched=1&limit=1000`)).json.items.find((x) => x.id === a.json.id);
  assert.deepEqual([listed.level, listed.lead_state, listed.measure_required], ['high', 'pushed', 'central_isolation']);
  assert.equal(sql(`SELECT level FROM traveler_pending WHERE person_id = ${p.id}`), 'high');
});

test('arrivals and itineraries import like the other kinds: a bad row refuses the file', async () => {
  const p = people[7], q = people[8];
  const head = 'id_number,arrived_at,place_kind,place,checkpoint_id,from_region,from_area,community_code\n';
  const bad = head + `${p.id_number},${iso(now() - 600)},station,南站,,420106,甲小区,\n` +
    `${q.id_number},${iso(now() - 600)},boat,,,420106,甲小区,\n` +          // row 3 place_kind
    `110101199003070000,${iso(now() - 600)},station,,,420106,甲小区,\n` +   // row 4 unknown person
    `${q.id_number},${iso(now() - 600)},station,,,4201,,\n`;                  // row 5 from_region
  const total = (await travelerLeads()).total;
  const r = await upload(admin, 'arrivals', bad);
  assert.equal(r.status, 400, r.text);
  assert.deepEqual(r.json.problems.map((x) => [x.row, x.field]), [[3, 'place_kind'], [4, 'id_number'], [5, 'from_region']]);
  assert.equal((await travelerLeads()).total, total);
  const good = head + `${p.id_number},${iso(now() - 600)},station,南站,,420106,甲小区,\n`;
  const ok = await upload(admin, 'arrivals', good);
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await leadsOf(p.id)).length, 1);
  const it = 'id_number,region_code,area_name,from,to,source\n' + `${q.id_number},420106,甲小区,${dayAgo(3)},${dayAgo(2)},itinerary_card\n`;
  assert.equal((await upload(admin, 'itineraries', it)).status, 200);
  const arr = await admin.post('/api/v1/travel/arrivals', { person_id: q.id, place_kind: 'station', from_region: '110105' });
  assert.deepEqual(arr.json.leads.map((l) => l.level), ['high'], arr.text);
});

test('arrivals are scoped to the destination community and masked without clear-data rights', async () => {
  const outsider = people[10];
  const a = await admin.post('/api/v1/travel/arrivals', { person_id: outsider.id, place_kind: 'port', from_region: '420106', from_area: '甲小区',
    community_code: otherCommunity });
  assert.equal(a.status, 201, a.text);
  const seen = (await shequ.get('/api/v1/travel/arrivals?limit=1000')).json;
  assert.ok(seen.items.length > 0);
  assert.ok(seen.items.every((x) => x.community_code.startsWith(mine)), 'only the community\'s arrivals');
  assert.ok(!seen.items.some((x) => x.id === a.json.id));
  const all = (await admin.get('/api/v1/travel/arrivals?limit=1000')).json;
  assert.ok(all.items.some((x) => x.id === a.json.id));
  const masked = (await kakou.get('/api/v1/travel/arrivals?limit=1000')).json.items;
  assert.ok(masked.length > 0);
  const clear = new Map(all.items.map((x) => [x.id, x]));
  for (const x of masked) {
    assert.notEqual(x.person_name, clear.get(x.id).person_name);
    assert.match(x.person_name, /\*/, x.person_name);
    assert.match(clear.get(x.id).id_number, /^\d{17}[\dX]$/);
    assert.doesNotMatch(x.id_number, /^\d{17}[\dX]$/);
  }
  assert.equal((await guest.get('/api/v1/travel/arrivals')).status, 403);
  const refused = await shequ.post('/api/v1/travel/arrivals', { person_id: outsider.id, place_kind: 'port', from_region: '420106',
    community_code: otherCommunity });
  assert.equal(refused.status, 403, refused.text);
});

test('a checkpoint scan registers an arrival, makes the lead and leaves a stay for tracing', async () => {
  const district = mine.slice(0, 6);
  const cp = await admin.post('/api/v1/checkpoints', { name: '高速东出口', kind: 'highway', area_code: district });
  assert.equal(cp.status, 201, cp.text);
  assert.equal((await admin.post('/api/v1/checkpoints', { name: 'x', kind: 'tunnel', area_code: district })).json.error.field, 'kind');
  assert.ok((await kakou.get('/api/v1/checkpoints')).json.items.some((c) => c.id === cp.json.id));
  const p = people[9];
  const at = now() - 120;
  const s = await kakou.post(`/api/v1/checkpoints/${cp.json.id}/scans`, { id_number: p.id_number, direction: 'in', from_region: '310115001', at: iso(at) });
  assert.equal(s.status, 201, s.text);
  assert.equal(s.json.person_id, p.id);
  assert.ok(s.json.arrival_id);
  assert.deepEqual(s.json.leads.map((l) => [l.level, l.measure_required]), [['high', 'central_isolation']]);
  // 双码联查: the itinerary card beside the code, over the policy's days, starred
  const card = s.json.itinerary;
  assert.equal(card.days, 7);
  assert.equal(card.star, true);
  assert.deepEqual([card.places[0].kind, card.places[0].region_code, card.places[0].level, card.places[0].at],
    ['arrival', '310115001', 'high', iso(at)]);
  const lead = (await admin.get(`/api/v1/leads/${s.json.leads[0].id}`)).json;
  assert.equal(lead.area_code, p.community_code);
  assert.equal(sql(`SELECT place_kind || '|' || checkpoint_id || '|' || source FROM arrivals WHERE id = ${s.json.arrival_id}`),
    `highway|${cp.json.id}|checkpoint`);
  // the stay: the person id as subject (as tracing keys persons), the checkpoint as place
  assert.equal(sql(`SELECT count(*) FROM stays WHERE subject = '${p.id}' AND place = 'cp:${cp.json.id}' AND start = ${at} AND source = 'checkpoint'`), '1');
  // an outbound scan: no arrival, still a stay
  const out = await kakou.post(`/api/v1/checkpoints/${cp.json.id}/scans`, { person_id: p.id, direction: 'out' });
  assert.equal(out.status, 201, out.text);
  assert.equal(out.json.arrival_id, null);
  assert.deepEqual(out.json.leads, []);
  assert.equal(out.json.itinerary.star, true, 'the card still shows the arrival');
  // someone who came from nowhere: an empty card, no star; the card reads are audited
  const home = people.find((x) => !sql(`SELECT 1 FROM arrivals WHERE person_id = ${x.id} UNION ALL SELECT 1 FROM itineraries WHERE person_id = ${x.id}`));
  const plain = await kakou.post(`/api/v1/checkpoints/${cp.json.id}/scans`, { person_id: home.id, direction: 'out' });
  assert.equal(plain.status, 201, plain.text);
  assert.deepEqual(plain.json.itinerary, { days: 7, star: false, places: [] });
  assert.equal(sql(`SELECT count(*) FROM audit WHERE entity = 'itinerary_card' AND entity_id = ${home.id} AND actor = 'kakou'`), '1');
  // refusals: two ways to name the person, a bad direction, no rights, someone else's area
  const before = sql('SELECT count(*) FROM checkpoint_scans');
  const two = await kakou.post(`/api/v1/checkpoints/${cp.json.id}/scans`, { person_id: p.id, id_number: p.id_number, direction: 'in' });
  assert.equal(two.status, 400);
  assert.equal((await kakou.post(`/api/v1/checkpoints/${cp.json.id}/scans`, { person_id: p.id, direction: 'up' })).json.error.field, 'direction');
  assert.equal((await shequ.post(`/api/v1/checkpoints/${cp.json.id}/scans`, { person_id: p.id, direction: 'in' })).status, 403);
  const r = fangkong(['user', 'add', 'kakou2', '--role', 'checkpoint', '--area', otherDistrict, '--data', srv.dataDir], { input: 'fangkong2022\n' });
  assert.equal(r.status, 0, r.stderr);
  const k2 = await login(srv.url, 'kakou2');
  assert.equal((await k2.post(`/api/v1/checkpoints/${cp.json.id}/scans`, { person_id: p.id, direction: 'in' })).status, 404);
  assert.ok(!(await k2.get('/api/v1/checkpoints')).json.items.some((c) => c.id === cp.json.id));
  assert.equal(sql('SELECT count(*) FROM checkpoint_scans'), before);
});

test('closing a traveler lead takes the person out of traveler_pending', async () => {
  const p = people[5];
  const [lead] = await leadsOf(p.id);
  for (const [state, extra] of [['received', {}], ['found', {}], ['controlled', { measure_taken: 'transferred_central' }], ['closed', {}]]) {
    const r = await admin.patch(`/api/v1/leads/${lead.id}`, { state, ...extra });
    assert.equal(r.status, 200, r.text);
  }
  assert.equal(sql(`SELECT count(*) FROM traveler_pending WHERE person_id = ${p.id}`), '0');
});

test('`fangkong import risk-areas FILE --source NAME` adds a version the API lists; a bad file nothing', async () => {
  const file = path.join(srv.dataDir, 'zhejiang.csv');
  writeFileSync(file, csv([['330106', '', 'medium', dayAgo(3), ''], ['330106', '西溪', 'hihg', dayAgo(3), '']]));
  const bad = fangkong(['import', 'risk-areas', file, '--source', '浙江省', '--data', srv.dataDir]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stdout, /row 3, field level: must be high, medium or low/);
  assert.ok(!(await lists()).some((l) => l.source === '浙江省'));
  const nosrc = fangkong(['import', 'risk-areas', file, '--data', srv.dataDir]);
  assert.notEqual(nosrc.status, 0);
  assert.match(nosrc.stderr, /source/);
  writeFileSync(file, csv([['330106', '', 'medium', dayAgo(3), '']]));
  const ok = fangkong(['import', 'risk-areas', file, '--source', '浙江省', '--data', srv.dataDir]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /imported 1 of 1 risk-areas rows/);
  const zj = (await lists()).filter((l) => l.source === '浙江省');
  assert.deepEqual(zj.map((l) => [l.row_count, l.current, l.imported_by.startsWith('cli:')]), [[1, true, true]]);
});
