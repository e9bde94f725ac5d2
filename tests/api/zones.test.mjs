// Risk zones through the API on a demo city (policy v9 with the demo's local block: the
// 封控区/管控区/防范区 scheme): a confirmed case proposes a sealed zone over its residence's
// grid (the compound) in the same write; on-demand proposal; a second case at the same
// place extends the zone; review, publish, the public list (JSON and CSV, no person data
// at all), a lift refused before its date, forced with a written reason (flagged, in the
// events), the history; permission and jurisdiction refusals; bad input changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, client, fangkong } from '../lib/server.mjs';

let srv, admin, liudiao, shequ, guest, mine, people, first;
const DAY = 86400 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const localDay = (ms) => new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10);
const addDays = (d, n) => new Date(Date.parse(d + 'T00:00:00Z') + n * DAY).toISOString().slice(0, 10);
const refuse = (r, status, field, message) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.error.field, field, r.text);
  if (message) assert.match(r.json.error.message, message);
};
const zonesOf = async (caseId) => (await admin.get(`/api/v1/zones?case=${caseId}&limit=100`)).json.items;
const zone = async (id) => (await admin.get(`/api/v1/zones/${id}`)).json;
const confirmed = (person, extra = {}) => liudiao.post('/api/v1/cases', {
  person_id: person.id, classification: 'confirmed', severity: 'mild', source: 'fever_clinic',
  sampling_date: localDay(Date.now() - DAY), onset_date: localDay(Date.now() - 2 * DAY), ...extra,
});

before(async () => {
  srv = await startServer({ persons: 1500, seed: 43 });
  [admin, liudiao, shequ, guest] = await Promise.all(['admin', 'liudiao', 'shequ', 'guest'].map((u) => login(srv.url, u)));
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  people = (await admin.get(`/api/v1/persons?limit=200&community_code=${mine}`)).json.items
    .filter((p) => p.household_id);
  assert.ok(people.length > 10);
});
after(async () => { await srv.stop(); });

test('a confirmed case proposes a sealed zone over its compound in the same write', async () => {
  const c = await confirmed(people[0], { reported_at: iso(Date.now() - 2 * DAY),
    sampling_date: localDay(Date.now() - 3 * DAY), onset_date: localDay(Date.now() - 4 * DAY) });
  assert.equal(c.status, 201, c.text);
  first = c.json;
  const zs = await zonesOf(first.id);
  assert.equal(zs.length, 1, JSON.stringify(zs));
  const z = zs[0];
  assert.equal(z.status, 'proposed');
  assert.equal(z.scheme, 'fengkong');
  assert.equal(z.level, 'sealed');
  assert.equal(z.level_zh, '封控区');
  assert.equal(z.public_level, 'high');
  assert.equal(z.unit_kind, 'grid');
  assert.ok(z.area_code.startsWith(mine), z.area_code);
  assert.match(z.rule, /^residence: zones\.schemes\.fengkong/);
  assert.equal(z.policy_version, 'v9');
  assert.equal(z.last_case_date, localDay(Date.now() - 2 * DAY));
  assert.equal(z.start_date, localDay(Date.now()));
  // fengkong national lifting: 14 clean days from the later of start and last case
  assert.equal(z.may_lift_date, addDays(z.start_date, 14));
  assert.equal(z.may_downgrade_date, null);
  assert.deepEqual(z.flags, []);
  const d = await zone(z.id);
  assert.deepEqual(d.cases.map((x) => x.case_id), [first.id]);
  assert.deepEqual(d.events.map((e) => e.kind), ['proposed']);
  assert.ok(d.residents > 0, JSON.stringify(d));
});

test('a case that becomes confirmed by an edit proposes too; a screening positive does not', async () => {
  const p = people.find((x) => x.household_id !== people[0].household_id);
  const c = await liudiao.post('/api/v1/cases', { person_id: p.id, classification: 'screening_positive',
    source: 'community_screening', sampling_date: localDay(Date.now()) });
  assert.equal(c.status, 201, c.text);
  assert.equal((await zonesOf(c.json.id)).length, 0);
  refuse(await admin.post(`/api/v1/cases/${c.json.id}/zones/propose`), 409, 'classification');
  const u = await liudiao.patch(`/api/v1/cases/${c.json.id}`, { classification: 'confirmed', severity: 'mild' });
  assert.equal(u.status, 200, u.text);
  const zs = await zonesOf(c.json.id);
  assert.equal(zs.length, 1);
  assert.equal(zs[0].level, 'sealed');
});

test('a second case at the same compound extends the zone instead of a second one', async () => {
  const z0 = (await zonesOf(first.id))[0];
  const p = people.find((x) => x.household_id !== people[0].household_id);
  const c = await confirmed(p);
  assert.equal(c.status, 201, c.text);
  const z = await zone(z0.id);
  assert.ok(z.cases.some((x) => x.case_id === c.json.id), JSON.stringify(z.cases));
  assert.equal(z.last_case_date, localDay(Date.now()));
  assert.ok(z.events.some((e) => e.kind === 'extended'));
  const live = (await admin.get(`/api/v1/zones?status=proposed&area=${z0.area_code}&limit=100`)).json;
  assert.equal(live.items.filter((x) => x.unit_kind === 'grid' && x.area_code === z0.area_code).length, 1);
});

test('only the command decides; outside one\'s area a zone does not exist', async () => {
  const z = (await zonesOf(first.id))[0];
  for (const who of [liudiao, shequ, guest]) {
    assert.equal((await who.post(`/api/v1/zones/${z.id}/publish`, {})).status, 403);
    assert.equal((await who.patch(`/api/v1/zones/${z.id}`, { name: 'x' })).status, 403);
  }
  assert.equal((await guest.post(`/api/v1/cases/${first.id}/zones/propose`)).status, 403);
  // a command user of another community: the zone is not there for them
  let elsewhere, code = z.area_code;
  while (!elsewhere && code) {
    const parent = (await admin.get(`/api/v1/areas/${code}`)).json.parent_code;
    const siblings = (await admin.get(`/api/v1/areas?parent=${parent || ''}`)).json.items.map((a) => a.code);
    elsewhere = siblings.find((d) => !z.area_code.startsWith(d));
    code = parent;
  }
  assert.ok(elsewhere);
  const r = fangkong(['user', 'add', 'zhihui2', '--role', 'command', '--area', elsewhere, '--data', srv.dataDir], { input: 'fangkong2022\n' });
  assert.equal(r.status, 0, r.stderr);
  const far = await login(srv.url, 'zhihui2');
  assert.equal((await far.get(`/api/v1/zones/${z.id}`)).status, 404);
  assert.equal((await far.post(`/api/v1/zones/${z.id}/publish`, {})).status, 404);
  assert.equal((await far.patch(`/api/v1/zones/${z.id}`, { name: 'x' })).status, 404);
  assert.equal((await far.post(`/api/v1/cases/${first.id}/zones/propose`)).status, 404);
  assert.equal((await far.get('/api/v1/zones')).json.total, 0);
  assert.equal((await zone(z.id)).status, 'proposed');
});

test('bad edits are refused and change nothing', async () => {
  const z = await zone((await zonesOf(first.id))[0].id);
  refuse(await admin.patch(`/api/v1/zones/${z.id}`, { level: 'purple' }), 400, 'level');
  refuse(await admin.patch(`/api/v1/zones/${z.id}`, { colour: 'red' }), 400, 'colour');
  refuse(await admin.patch(`/api/v1/zones/${z.id}`, {}), 400, 'level');
  refuse(await admin.patch(`/api/v1/zones/${z.id}`, { unit_kind: 'grid', area_code: mine }), 400, 'area_code');
  refuse(await admin.patch(`/api/v1/zones/${z.id}`, { unit_kind: 'building', building_id: 99999999 }), 422, 'building_id');
  refuse(await admin.patch(`/api/v1/zones/${z.id}`, { area_code: mine }), 400, 'unit_kind');
  refuse(await admin.patch(`/api/v1/zones/${z.id}`, { name: '' }), 400, 'name');
  refuse(await admin.post(`/api/v1/zones/${z.id}/lift`, { note: 'x' }), 409, 'status');
  refuse(await admin.post(`/api/v1/zones/${z.id}/reject`, {}), 400, 'note');
  const after = await zone(z.id);
  assert.deepEqual(after, { ...z, events: after.events });
  assert.equal(after.events.length, z.events.length);
});

test('an edit to a community is flagged as over-reach; back to the compound clears it', async () => {
  const z = (await zonesOf(first.id))[0];
  const e = await admin.patch(`/api/v1/zones/${z.id}`, { unit_kind: 'community', area_code: mine, note: '扩大到社区' });
  assert.equal(e.status, 200, e.text);
  assert.deepEqual(e.json.flags, ['unit_too_large']);
  const back = await admin.patch(`/api/v1/zones/${z.id}`, { unit_kind: 'grid', area_code: z.area_code, name: '封控区一' });
  assert.equal(back.status, 200, back.text);
  assert.deepEqual(back.json.flags, []);
  assert.equal(back.json.name, '封控区一');
});

test('publish; the public list shows it with no person data; CSV in the contract format', async () => {
  const z = (await zonesOf(first.id))[0];
  const p = await admin.post(`/api/v1/zones/${z.id}/publish`, { note: '指挥部审定' });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.status, 'published');
  assert.equal(p.json.published_by, 'admin');
  refuse(await admin.post(`/api/v1/zones/${z.id}/publish`, {}), 409, 'status');
  const pub = client(srv.url);
  const r = await pub.get('/api/v1/public/risk-areas');
  assert.equal(r.status, 200, r.text);
  const item = r.json.items.find((x) => x.region_code === z.area_code);
  assert.ok(item, r.text);
  assert.deepEqual(Object.keys(item).sort(), ['area_name', 'from', 'level', 'level_zh', 'may_lift_date', 'name', 'region_code', 'to', 'zone_level']);
  assert.equal(item.level, 'high');
  assert.equal(item.level_zh, '封控区');
  assert.equal(item.from, localDay(Date.now()));
  assert.equal(item.to, null);
  const person = (await admin.get(`/api/v1/persons/${people[0].id}`)).json;
  for (const secret of [person.name, person.id_number, person.phone]) assert.ok(!r.text.includes(secret), secret);
  assert.doesNotMatch(r.text, /\d{17}[\dX]/);
  assert.doesNotMatch(r.text, /person|case/);
  const csv = await pub.get('/api/v1/public/risk-areas?format=csv');
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /text\/csv/);
  const lines = csv.text.trim().split('\n');
  assert.equal(lines[0], 'region_code,area_name,level,from,to');
  assert.ok(lines.includes(`${z.area_code},封控区一,high,${localDay(Date.now())},`), csv.text);
  // the rest of the county is at the scheme's lowest level (防范区, public low), one row
  const county = z.area_code.slice(0, 6);
  const rest = r.json.items.filter((x) => x.region_code === county);
  assert.equal(rest.length, 1, r.text);
  assert.deepEqual([rest[0].level, rest[0].level_zh, rest[0].zone_level, rest[0].from, rest[0].to],
    ['low', '防范区', 'precaution', localDay(Date.now()), null]);
  assert.match(rest[0].name, /其他区域$/);
  assert.ok(lines.includes(`${county},${rest[0].name},low,${localDay(Date.now())},`), csv.text);
  assert.ok(!(await pub.get('/api/v1/public/risk-areas/history')).json.items.some((x) => x.region_code === county),
    'the history lists zones only');
  refuse(await pub.get('/api/v1/public/risk-areas?format=xml'), 400, 'format');
});

test('a lift before its date is refused; forced with a written reason it is recorded and flagged', async () => {
  const z = (await zonesOf(first.id))[0];
  refuse(await admin.post(`/api/v1/zones/${z.id}/lift`, { note: '提前解封' }), 409, 'date', new RegExp(z.may_lift_date));
  refuse(await admin.post(`/api/v1/zones/${z.id}/downgrade`, { note: '降级' }), 409, 'date');
  refuse(await admin.post(`/api/v1/zones/${z.id}/lift`, { force: true }), 400, 'note');
  assert.equal((await zone(z.id)).status, 'published');
  const l = await admin.post(`/api/v1/zones/${z.id}/lift`, { note: '经专家研判提前解封', force: true });
  assert.equal(l.status, 200, l.text);
  assert.equal(l.json.status, 'lifted');
  assert.deepEqual(l.json.flags, ['forced']);
  const d = await zone(z.id);
  const ev = d.events.at(-1);
  assert.deepEqual([ev.kind, ev.forced, ev.note, ev.actor], ['lifted', true, '经专家研判提前解封', 'admin']);
  const pub = client(srv.url);
  const now = (await pub.get('/api/v1/public/risk-areas')).json.items;
  assert.ok(!now.some((x) => x.region_code === z.area_code));
  assert.ok(!now.some((x) => x.region_code === z.area_code.slice(0, 6)), 'no zone left: no rest of the county');
  const h = await pub.get('/api/v1/public/risk-areas/history?format=csv');
  assert.ok(h.text.includes(`${z.area_code},封控区一,high,${localDay(Date.now())},${localDay(Date.now())}`), h.text);
  // audited
  const audit = await admin.get(`/api/v1/audit?entity=zone&entity_id=${z.id}&limit=100`);
  if (audit.status === 200) assert.ok(audit.json.items.some((a) => a.action === 'lifted'), audit.text);
});

test('on demand: a new proposal after the lift; reject needs a note', async () => {
  const r = await admin.post(`/api/v1/cases/${first.id}/zones/propose`);
  assert.equal(r.status, 200, r.text);
  const live = r.json.items.filter((z) => z.status === 'proposed');
  assert.equal(live.length, 1);
  const j = await admin.post(`/api/v1/zones/${live[0].id}/reject`, { note: '已由上级统一划定' });
  assert.equal(j.status, 200, j.text);
  assert.equal(j.json.status, 'rejected');
  assert.equal((await admin.get(`/api/v1/zones/99999999`)).status, 404);
});

test('activity places in the window (2 days before onset until the report) become controlled zones at the venue\'s grid', async () => {
  const p = people[5];
  const c = await liudiao.post('/api/v1/cases', { person_id: p.id, classification: 'screening_positive',
    source: 'fever_clinic', sampling_date: localDay(Date.now() - DAY), onset_date: localDay(Date.now() - 2 * DAY),
    reported_at: iso(Date.now() - 3600 * 1000) });
  assert.equal(c.status, 201, c.text);
  const home = (await zonesOf(first.id))[0];
  const venues = (await admin.get('/api/v1/venues?limit=100')).json.items;
  const inside = venues.find((v) => v.grid_code !== home?.area_code);
  const outside = venues.find((v) => v.grid_code !== inside.grid_code && v.grid_code !== home?.area_code);
  assert.ok(inside && outside);
  // onset at local midnight two days ago; the window opens two days before it
  const onset = Date.parse(localDay(Date.now() - 2 * DAY) + 'T00:00:00+08:00');
  const traj = (place, from) => liudiao.post(`/api/v1/cases/${c.json.id}/trajectory`, { place, start: iso(from), end: iso(from + 3600 * 1000) });
  assert.equal((await traj(inside.code, onset - 2 * DAY + 60 * 1000)).status, 201);
  assert.equal((await traj(outside.code, onset - 2 * DAY - 2 * 3600 * 1000)).status, 201); // ends before the window
  const u = await liudiao.patch(`/api/v1/cases/${c.json.id}`, { classification: 'confirmed', severity: 'mild' });
  assert.equal(u.status, 200, u.text);
  const zs = await zonesOf(c.json.id);
  const act = zs.filter((z) => z.rule.startsWith('activity'));
  assert.deepEqual(act.map((z) => [z.level, z.unit_kind, z.area_code]), [['controlled', 'grid', inside.grid_code]]);
  assert.ok(act[0].name.includes(inside.name), act[0].name);
  assert.ok(zs.some((z) => z.rule.startsWith('residence') && z.level === 'sealed'));
});

test('a positive inside a published controlled zone proposes it sealed, for the command to apply', async () => {
  const c0 = (await admin.get('/api/v1/zones?level=controlled&status=proposed')).json.items[0];
  assert.ok(c0);
  const wide = await admin.patch(`/api/v1/zones/${c0.id}`, { unit_kind: 'community', area_code: mine, note: '管控区扩至社区' });
  assert.equal(wide.status, 200, wide.text);
  assert.deepEqual(wide.json.flags, []); // a community is within what 管控区 allows
  assert.equal((await admin.post(`/api/v1/zones/${c0.id}/publish`, {})).status, 200);
  const pub = (await client(srv.url).get('/api/v1/public/risk-areas')).json.items.find((x) => x.region_code === mine);
  assert.deepEqual([pub.level, pub.level_zh], ['medium', '管控区']);
  const c = await confirmed(people[9]);
  assert.equal(c.status, 201, c.text);
  const z = await zone(c0.id);
  assert.equal(z.level, 'controlled');
  assert.equal(z.pending_level, 'sealed');
  assert.ok(z.cases.some((x) => x.case_id === c.json.id && x.rule === 'inside'), JSON.stringify(z.cases));
  assert.ok(z.events.some((e) => e.kind === 'upgrade_proposed' && e.to_level === 'sealed'));
  assert.equal(z.last_case_date, localDay(Date.now()));
  assert.equal(z.may_lift_date, addDays(localDay(Date.now()), 14));
  const up = await admin.patch(`/api/v1/zones/${c0.id}`, { level: 'sealed', note: '转为封控区' });
  assert.equal(up.status, 200, up.text);
  assert.equal(up.json.pending_level, null);
  assert.deepEqual(up.json.flags, ['unit_too_large']); // a community is wider than 封控区 allows
});

test('the CLI: zones list, propose, publish, lift (refused without a note, before its date)', async () => {
  const cli = (...args) => fangkong(['zones', ...args, '--data', srv.dataDir]);
  const p = people.find((x) => x.household_id !== people[0].household_id && x.id !== people[5].id && x.id !== people[9].id);
  const c = await liudiao.post('/api/v1/cases', { person_id: p.id, classification: 'asymptomatic', source: 'community_screening',
    sampling_date: localDay(Date.now()) });
  assert.equal(c.status, 201, c.text);
  assert.equal((await zonesOf(c.json.id)).length, 0); // asymptomatic: proposed on demand only
  const r = cli('propose', String(c.json.id));
  assert.equal(r.status, 0, r.stderr);
  const zs = await zonesOf(c.json.id);
  assert.ok(zs.length >= 1);
  assert.ok(zs.every((z) => r.stdout.includes(`${z.id}\t${z.status}\t${z.level}`)), r.stdout);
  const z = zs.find((x) => x.status === 'proposed');
  assert.ok(z, JSON.stringify(zs));
  assert.equal(cli('publish', String(z.id), '--note', '命令行发布').status, 0);
  assert.equal((await zone(z.id)).status, 'published');
  assert.equal((await zone(z.id)).published_by.startsWith('cli:'), true);
  const l = cli('list', '--status', 'published');
  assert.equal(l.status, 0, l.stderr);
  assert.match(l.stdout, new RegExp(`^${z.id}\\tpublished\\t`, 'm'));
  const noNote = cli('lift', String(z.id));
  assert.equal(noNote.status, 1);
  assert.match(noNote.stderr, /^fangkong zones: note: required/);
  const early = cli('lift', String(z.id), '--note', '解除');
  assert.equal(early.status, 1);
  assert.match(early.stderr, /date: not before \d{4}-\d{2}-\d{2}/);
  assert.equal((await zone(z.id)).status, 'published');
  assert.equal(cli('publish', 'x').status, 1);
  assert.equal(cli('frobnicate').status, 2);
});

test('a confirmed case imported from a file proposes its zone in the import\'s write; a screening positive row does not', async () => {
  const [a, b] = [people[people.length - 1], people[people.length - 2]];
  const day = localDay(Date.now() - DAY);
  const csv = 'person_id_number,classification,severity,reported_at,sampling_date,source\n' +
    `${a.id_number},confirmed,mild,${iso(Date.now() - 3600e3)},${day},community_screening\n` +
    `${b.id_number},screening_positive,,${iso(Date.now() - 3600e3)},${day},community_screening\n`;
  const imp = await liudiao.post('/api/v1/imports/cases', csv, { 'Content-Type': 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
  const caseOf = async (p) => (await admin.get(`/api/v1/cases?q=${p.id_number}&limit=5`)).json.items[0];
  const [ca, cb] = [await caseOf(a), await caseOf(b)];
  assert.equal(ca.classification, 'confirmed');
  // its residence's zone proposed (a live zone it falls in is extended as well)
  const home = (await zonesOf(ca.id)).filter((z) => /^residence: /.test(z.rule));
  assert.equal(home.length, 1, JSON.stringify(home));
  assert.deepEqual([home[0].status, home[0].created_by, home[0].n_cases], ['proposed', 'liudiao', 1]);
  assert.ok(home[0].area_code.startsWith(mine), home[0].area_code);
  assert.deepEqual(await zonesOf(cb.id), []);
});
