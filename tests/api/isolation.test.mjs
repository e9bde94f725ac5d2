// Isolation (集中隔离) through the API on a demo city: a facility with its rooms, staff and
// checklist; a batch allocation with household sharing; 40 concurrent requests for fewer
// rooms than persons (every room at most once, the losers told "no free room", counts
// consistent); an isolation from start to release into home health monitoring and another
// ended early by a positive test into a case; home isolation without a room; the capacity
// outlook and its warning; refusals that change nothing; and scope: a quarantine user of
// another community sees nothing, a community user may not look.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, fangkong } from '../lib/server.mjs';

let srv, admin, geli, shequ, liudiao, other, mine, street, family, fac, fac2;
const DAY = 86400 * 1000;
// isolation dates are the city's local dates (v9 reporting.utc_offset_h: UTC+8)
const LOCAL = 8 * 3600 * 1000;
const dateOf = (ms) => new Date(ms + LOCAL).toISOString().slice(0, 10);
const today = () => dateOf(Date.now());

function ageOf(birth) {
  const now = today();
  let age = Number(now.slice(0, 4)) - Number(birth.slice(0, 4));
  if (now.slice(5) < birth.slice(5)) age -= 1;
  return age;
}

function addUser(name, role, area) {
  const r = fangkong(['user', 'add', name, '--role', role, '--area', area, '--data', srv.dataDir],
    { input: 'iso-password-123\n' });
  assert.equal(r.status, 0, r.stderr);
}

before(async () => {
  srv = await startServer({ persons: 1500, seed: 21 });
  [admin, shequ, liudiao] = await Promise.all(['admin', 'shequ', 'liudiao'].map((u) => login(srv.url, u)));
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  street = mine.slice(0, 9);
  const second = `${street}${mine.endsWith('002') ? '003' : '002'}`;
  const imp = await admin.post('/api/v1/imports/areas', `code,parent_code,name\n${second},${street},隔离测试社区\n`,
    { 'Content-Type': 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
  // quarantine staff of the test community, and of the other one
  addUser('geli_c1', 'quarantine', mine);
  addUser('geli_c2', 'quarantine', second);
  geli = await login(srv.url, 'geli_c1', 'iso-password-123');
  other = await login(srv.url, 'geli_c2', 'iso-password-123');
});
after(async () => { await srv.stop(); });

async function residents() {
  const items = [];
  for (let offset = 0; ; offset += 1000) {
    const r = await admin.get(`/api/v1/persons?limit=1000&offset=${offset}&community_code=${mine}`);
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    if (r.json.items.length < 1000) break;
  }
  return items.filter((p) => p.household_id);
}

async function facility(api, id) {
  const r = await api.get(`/api/v1/facilities/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

test('a facility with rooms, staff and the policy\'s checklist; bad input changes nothing', async () => {
  const made = await geli.post('/api/v1/facilities', { name: '测试隔离酒店', area_code: mine, address: '测试路1号', lon: 104.07, lat: 30.66 });
  assert.equal(made.status, 201, made.text);
  fac = made.json;
  assert.equal(fac.rooms.total, 0);
  const rooms = await geli.post(`/api/v1/facilities/${fac.id}/rooms`, { count: 12, prefix: 'A' });
  assert.equal(rooms.status, 201, rooms.text);
  assert.equal(rooms.json.created, 12);
  // a repeated number refuses the whole request, naming it
  const dup = await geli.post(`/api/v1/facilities/${fac.id}/rooms`, { numbers: ['B1', 'A3'] });
  assert.equal(dup.status, 409, dup.text);
  assert.equal(dup.json.error.field, 'numbers');
  const shared = await geli.post(`/api/v1/facilities/${fac.id}/rooms`, { numbers: ['C1'], own_bathroom: false });
  assert.equal(shared.status, 400, shared.text);
  assert.equal(shared.json.error.field, 'own_bathroom');
  let f = await facility(geli, fac.id);
  assert.equal(f.rooms.total, 12);
  assert.equal(f.rooms.vacant, 12);
  // staff and checklist
  const staff = await geli.post(`/api/v1/facilities/${fac.id}/staff`, { name: '李医生', duty: 'doctor', phone: '13800001111' });
  assert.equal(staff.status, 201, staff.text);
  const tick = await geli.post(`/api/v1/facilities/${fac.id}/checklist`, { item: 'sanitary_passage_zone', ok: true, note: '已验收' });
  assert.equal(tick.status, 200, tick.text);
  const bad = await geli.post(`/api/v1/facilities/${fac.id}/checklist`, { item: 'swimming_pool', ok: true });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'item');
  f = await facility(geli, fac.id);
  assert.equal(f.staff.length, 1);
  const policyItems = (await admin.get('/api/v1/policy')).json;
  assert.ok(f.checklist.length >= 6, 'every item of the policy\'s checklist is listed');
  assert.equal(f.checklist.find((c) => c.item === 'sanitary_passage_zone').ok, true);
  assert.equal(f.checklist.find((c) => c.item === 'staff_passage').ok, null);
  assert.ok(policyItems);
  // a room out of order by hand, and back; a hand may not free a reserved room
  const list = (await geli.get(`/api/v1/facilities/${fac.id}/rooms`)).json.items;
  assert.equal(list.length, 12);
  const ooo = await geli.patch(`/api/v1/facilities/${fac.id}/rooms/${list[0].id}`, { state: 'out_of_order' });
  assert.equal(ooo.status, 200, ooo.text);
  assert.equal((await facility(geli, fac.id)).rooms.out_of_order, 1);
  const back = await geli.patch(`/api/v1/facilities/${fac.id}/rooms/${list[0].id}`, { state: 'vacant' });
  assert.equal(back.status, 200, back.text);
  const badMove = await geli.patch(`/api/v1/facilities/${fac.id}/rooms/${list[0].id}`, { state: 'occupied' });
  assert.equal(badMove.status, 409);
  // bad coordinates, unknown area
  assert.equal((await geli.post('/api/v1/facilities', { name: 'x', area_code: mine, lon: 200, lat: 30 })).json.error.field, 'lon');
  const far = await geli.post('/api/v1/facilities', { name: 'y', area_code: '519999999999', lon: 104, lat: 30 });
  assert.ok([403, 422].includes(far.status), far.text);
});

test('a household shares a room where the policy allows; a bad row changes nothing', async () => {
  const people = await residents();
  const byHousehold = new Map();
  for (const p of people) byHousehold.set(p.household_id, [...(byHousehold.get(p.household_id) || []), p]);
  // a household with one adult carer and one child (<= 14) or elderly member (>= 65)
  family = [...byHousehold.values()].find((m) => m.length >= 2 &&
    m.some((p) => ageOf(p.birth_date) >= 18 && ageOf(p.birth_date) < 65) &&
    m.some((p) => ageOf(p.birth_date) <= 14 || ageOf(p.birth_date) >= 65));
  assert.ok(family, 'a household with a carer and a dependant');
  const before = await facility(geli, fac.id);
  // an unknown person in the second row: refused whole, naming the row
  const bad = await geli.post('/api/v1/facilities/allocate', { persons: [{ person_id: family[0].id }, { person_id: 99999999 }] });
  assert.equal(bad.status, 422, bad.text);
  assert.match(bad.json.error.message, /persons\.1\.person_id/);
  assert.deepEqual((await facility(geli, fac.id)).rooms, before.rooms);
  const r = await geli.post('/api/v1/facilities/allocate', { persons: family.map((p) => ({ person_id: p.id })), household_sharing: true });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.items.length, family.length);
  const dependants = family.filter((p) => ageOf(p.birth_date) <= 14 || ageOf(p.birth_date) >= 65);
  const carers = family.filter((p) => ageOf(p.birth_date) >= 18 && ageOf(p.birth_date) < 65);
  const rooms = new Set(r.json.items.map((i) => i.room_id));
  assert.ok(rooms.size < family.length, 'some members share');
  const carerRoom = r.json.items.find((i) => i.person_id === carers[0].id).room_id;
  const withCarer = r.json.items.filter((i) => i.room_id === carerRoom);
  assert.ok(withCarer.length >= 2 && withCarer.length <= 3, 'a carer and dependants, at most max_per_room');
  assert.ok(withCarer.some((i) => dependants.some((d) => d.id === i.person_id)));
  for (const i of r.json.items) assert.equal(i.facility_id, fac.id);
  // the answer's shape: every key of an item, in order; a sharer names its room's primary
  assert.equal(r.json.allocated, family.length);
  const byId = new Map(r.json.items.map((i) => [i.allocation_id, i]));
  for (const [k, i] of r.json.items.entries()) {
    assert.deepEqual(Object.keys(i), ['person_id', 'allocation_id', 'facility_id', 'facility_name',
      'room_id', 'room_number', 'distance_m', 'shares_with']);
    assert.equal(i.person_id, family[k].id, 'items in the order of the request');
    assert.equal(i.facility_name, fac.name);
    assert.ok(typeof i.room_number === 'string' && i.room_number.length > 0);
    assert.ok(Number.isInteger(i.distance_m) && i.distance_m >= 0);
    if (i.shares_with !== null) {
      assert.equal(byId.get(i.shares_with).room_id, i.room_id);
      assert.equal(byId.get(i.shares_with).shares_with, null);
    }
  }
  assert.ok(r.json.items.some((i) => i.shares_with !== null));
  const after = await facility(geli, fac.id);
  assert.equal(after.rooms.reserved, before.rooms.reserved + rooms.size);
  assert.equal(after.rooms.vacant, before.rooms.vacant - rooms.size);
  // the same persons again: refused, they hold rooms
  const mid = await facility(geli, fac.id);
  const again = await geli.post('/api/v1/facilities/allocate', { persons: [{ person_id: people.find((p) => !family.includes(p)).id }, { person_id: family[0].id }] });
  assert.equal(again.status, 409, again.text);
  assert.match(again.json.error.message, /persons\.1\.person_id: person \d+ already holds room/);
  assert.deepEqual((await facility(geli, fac.id)).rooms, mid.rooms, 'the first row was rolled back');
  // audited in the batch's transaction: one record naming the allocation rows made
  const audit = await admin.get('/api/v1/audit?entity=allocation&limit=100');
  const ids = r.json.items.map((i) => i.allocation_id);
  const rec = audit.json.items.find((a) => a.action === 'allocate' && a.entity_id === Math.min(...ids));
  assert.ok(rec, 'the batch is audited');
  assert.match(rec.detail, new RegExp(`allocations ${Math.min(...ids)}\\.\\.${Math.max(...ids)}: ${family.length} persons`));
});

test('a batch read in one go still names the bad row: an unknown lead, a repeated person', async () => {
  const people = (await residents()).filter((p) => !family.includes(p));
  const before = await facility(geli, fac.id);
  const lead = await geli.post('/api/v1/facilities/allocate', { persons: [{ person_id: people[0].id },
    { person_id: people[1].id }, { person_id: people[2].id, lead_id: 99999999 }] });
  assert.equal(lead.status, 422, lead.text);
  assert.match(lead.json.error.message, /^persons\.2\.lead_id: no lead 99999999/);
  const twice = await geli.post('/api/v1/facilities/allocate', { persons: [{ person_id: people[0].id },
    { person_id: people[1].id }, { person_id: people[0].id }] });
  assert.equal(twice.status, 400, twice.text);
  assert.match(twice.json.error.message, /^persons\.2\.person_id: \d+ is repeated/);
  assert.deepEqual((await facility(geli, fac.id)).rooms, before.rooms, 'nothing written');
});

test('a batch body read in one pass and the general way accept and refuse alike', async () => {
  const people = (await residents()).filter((p) => !family.includes(p));
  const [a, b] = [people.at(-1).id, people.at(-2).id]; // persons no later test places
  const before = await facility(geli, fac.id);
  const refused = [
    [`{"persons":[{"person_id":${a},"person_id":${b}}]}`, 400, /malformed JSON/],
    [`{"persons":[{"person_id":${a}}],"persons":[{"person_id":${b}}]}`, 400, /malformed JSON/],
    [`{"persons":[{"person_id":${a}}],"extra":1}`, 400, /^extra: unknown field/],
    [`{"persons":[{"person_id":${a},"room":1}]}`, 400, /^persons\.0\.room: unknown field/],
    [`{"persons":[{"person_id":${a}.0}]}`, 400, /^persons\.0\.person_id: a positive integer/],
    [`{"persons":[{"person_id":0}]}`, 400, /^persons\.0\.person_id: a positive integer/],
    [`{"persons":[{"person_id":-${a}}]}`, 400, /^persons\.0\.person_id: a positive integer/],
    [`{"persons":[{"person_id":${a},"lead_id":0}]}`, 400, /^persons\.0\.lead_id: a positive integer/],
    [`{"persons":[{"person_id":0${a}}]}`, 400, /malformed JSON/],
    ['{"persons":[{"person_id":9223372036854775807}]}', 422, /^persons\.0\.person_id: no person/],
    ['{"persons":[{"person_id":99999999999999999999}]}', 400, /./],
    [`{"persons":[{"person_id":${a}}]} x`, 400, /malformed JSON/],
    ['{"persons":[]}', 400, /^persons: 1 to/],
    ['{"persons":null}', 400, /^persons: required/],
    [`{"persons":[{"person_id":${a}}],"household_sharing":1}`, 400, /household_sharing/],
  ];
  for (const [body, status, message] of refused) {
    const r = await geli.post('/api/v1/facilities/allocate', body, { 'Content-Type': 'application/json' });
    assert.equal(r.status, status, `${body}: ${r.text}`);
    assert.match(r.json.error.message, message, body);
  }
  assert.deepEqual((await facility(geli, fac.id)).rooms, before.rooms, 'nothing written');
  // accepted with whitespace, keys in any order, nulls as absent: the same as a plain body
  const spaced = ` { "household_sharing" : null ,\n "persons" : [ { "lead_id" : null , "person_id" : ${a} } ,\t{"person_id":${b}} ] } `;
  const r = await geli.post('/api/v1/facilities/allocate', spaced, { 'Content-Type': 'application/json' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.items.map((i) => [i.person_id, i.shares_with]), [[a, null], [b, null]]);
});

let winners = [];
test('40 concurrent requests for 25 rooms: every room at most once, 15 told there is no free room', async () => {
  // only the new facility is open in the community
  const closed = await geli.patch(`/api/v1/facilities/${fac.id}`, { state: 'closed' });
  assert.equal(closed.status, 200, closed.text);
  const made = await geli.post('/api/v1/facilities', { name: '并发测试隔离点', area_code: mine, lon: 104.08, lat: 30.67 });
  assert.equal(made.status, 201, made.text);
  fac2 = made.json;
  assert.equal((await geli.post(`/api/v1/facilities/${fac2.id}/rooms`, { count: 25, prefix: 'R' })).status, 201);
  const taken = new Set(family.map((p) => p.id));
  const people = (await residents()).filter((p) => !taken.has(p.id)).slice(0, 40);
  assert.equal(people.length, 40);
  const answers = await Promise.all(people.map((p) =>
    geli.post('/api/v1/facilities/allocate', { persons: [{ person_id: p.id }] })));
  const ok = answers.filter((a) => a.status === 201);
  const lost = answers.filter((a) => a.status !== 201);
  assert.equal(ok.length, 25);
  assert.equal(lost.length, 15);
  for (const l of lost) {
    assert.equal(l.status, 409, l.text);
    assert.match(l.json.error.message, /no free room/);
  }
  const rooms = ok.map((a) => a.json.items[0].room_id);
  assert.equal(new Set(rooms).size, 25, 'no room twice');
  const f = await facility(geli, fac2.id);
  assert.equal(f.rooms.vacant, 0);
  assert.equal(f.rooms.reserved, 25);
  const listed = (await geli.get(`/api/v1/facilities/${fac2.id}/rooms`)).json.items;
  assert.ok(listed.every((r) => r.state === 'reserved' && r.occupants === 1));
  winners = ok.map((a) => a.json.items[0]);
});

test('an isolation: tests on the policy\'s days, negative results, release into home health monitoring', async () => {
  const w = winners[0];
  const day1 = dateOf(Date.now() - 6 * DAY);
  const r = await geli.post('/api/v1/isolations', { person_id: w.person_id, cohort: 'close_contact', day1_date: day1 });
  assert.equal(r.status, 201, r.text);
  const iso = r.json;
  assert.equal(iso.kind, 'central_isolation');
  assert.equal(iso.room_id, w.room_id);
  assert.equal(iso.end_date, today(), 'v9: 7 days of central isolation from day 1');
  assert.equal(iso.next_kind, 'home_health_monitoring');
  assert.equal(iso.next_end_date, dateOf(Date.now() + 3 * DAY));
  assert.deepEqual(iso.tests.map((t) => t.day), [1, 2, 3, 5, 7]);
  assert.deepEqual(iso.tests.map((t) => t.due_date), [0, 1, 2, 4, 6].map((d) => dateOf(Date.parse(day1) + d * DAY)));
  const room = (await geli.get(`/api/v1/facilities/${fac2.id}/rooms`)).json.items.find((x) => x.id === w.room_id);
  assert.equal(room.state, 'occupied');
  // the lab work list holds its tests
  const due = await geli.get('/api/v1/isolations/due');
  assert.equal(due.status, 200, due.text);
  assert.equal(due.json.items.filter((t) => t.isolation_id === iso.id).length, 5);
  // release refused while tests are missing, nothing changed
  const early = await geli.post(`/api/v1/isolations/${iso.id}/release`);
  assert.equal(early.status, 409, early.text);
  assert.equal(early.json.error.field, 'tests');
  for (const t of iso.tests) {
    const res = await geli.patch(`/api/v1/isolations/${iso.id}/tests/${t.id}`, { result: 'negative' });
    assert.equal(res.status, 200, res.text);
  }
  const twice = await geli.patch(`/api/v1/isolations/${iso.id}/tests/${iso.tests[0].id}`, { result: 'positive' });
  assert.equal(twice.status, 409, twice.text);
  const rel = await geli.post(`/api/v1/isolations/${iso.id}/release`);
  assert.equal(rel.status, 200, rel.text);
  assert.equal(rel.json.state, 'released');
  assert.equal(rel.json.next_isolation, null);
  const after = (await geli.get(`/api/v1/facilities/${fac2.id}/rooms`)).json.items.find((x) => x.id === w.room_id);
  assert.equal(after.state, 'cleaning');
  assert.equal(after.occupants, 0);
  const gone = await geli.get('/api/v1/isolations/due');
  assert.equal(gone.json.items.filter((t) => t.isolation_id === iso.id).length, 0);
});

test('a positive test ends the isolation early into a case; the room goes to cleaning', async () => {
  const w = winners[1];
  const r = await geli.post('/api/v1/isolations', { person_id: w.person_id, day1_date: dateOf(Date.now() - 2 * DAY) });
  assert.equal(r.status, 201, r.text);
  const iso = r.json;
  // a test not yet due cannot have a result
  const future = iso.tests.find((t) => t.due_date > today());
  const notYet = await geli.patch(`/api/v1/isolations/${iso.id}/tests/${future.id}`, { result: 'negative' });
  assert.equal(notYet.status, 409, notYet.text);
  const pos = await geli.patch(`/api/v1/isolations/${iso.id}/tests/${iso.tests[1].id}`, { result: 'positive' });
  assert.equal(pos.status, 200, pos.text);
  assert.equal(pos.json.state, 'ended_case');
  assert.ok(pos.json.case_id);
  const k = await admin.get(`/api/v1/cases/${pos.json.case_id}`);
  assert.equal(k.status, 200, k.text);
  assert.equal(k.json.classification, 'screening_positive');
  assert.equal(k.json.person_id, w.person_id);
  assert.equal(k.json.source, 'quarantine_screening');
  const room = (await geli.get(`/api/v1/facilities/${fac2.id}/rooms`)).json.items.find((x) => x.id === w.room_id);
  assert.equal(room.state, 'cleaning');
  // ended: no more results, no release
  assert.equal((await geli.post(`/api/v1/isolations/${iso.id}/release`)).status, 409);
  // the cleaned room is vacant again by hand
  const clean = await geli.patch(`/api/v1/facilities/${fac2.id}/rooms/${w.room_id}`, { state: 'vacant' });
  assert.equal(clean.status, 200, clean.text);
});

test('when the carer of a shared room leaves, the dependants keep the room', async () => {
  const alloc = (await geli.get('/api/v1/isolations')).json; // none of the family yet
  assert.ok(!alloc.items.some((i) => family.some((m) => m.id === i.person_id)));
  const carer = family.find((p) => ageOf(p.birth_date) >= 18 && ageOf(p.birth_date) < 65);
  const r = await geli.post('/api/v1/isolations', { person_id: carer.id, day1_date: dateOf(Date.now() - 1 * DAY) });
  assert.equal(r.status, 201, r.text);
  const roomId = r.json.room_id;
  let room = (await geli.get(`/api/v1/facilities/${fac.id}/rooms`)).json.items.find((x) => x.id === roomId);
  const sharing = room.occupants;
  assert.ok(sharing >= 2);
  assert.equal(room.state, 'occupied', 'the household moves in together');
  const pos = await geli.patch(`/api/v1/isolations/${r.json.id}/tests/${r.json.tests[0].id}`, { result: 'positive' });
  assert.equal(pos.status, 200, pos.text);
  room = (await geli.get(`/api/v1/facilities/${fac.id}/rooms`)).json.items.find((x) => x.id === roomId);
  assert.equal(room.state, 'occupied');
  assert.equal(room.occupants, sharing - 1);
  // a dependant still starts an isolation in the same room
  const dep = family.find((p) => p.id !== carer.id && (ageOf(p.birth_date) <= 14 || ageOf(p.birth_date) >= 65));
  const d = await geli.post('/api/v1/isolations', { person_id: dep.id, day1_date: dateOf(Date.now() - 1 * DAY) });
  assert.equal(d.status, 201, d.text);
  assert.equal(d.json.room_id, roomId);
});

test('home isolation has no room; bad starts change nothing', async () => {
  const people = await residents();
  const p = people.find((x) => !family.some((m) => m.id === x.id) && !winners.some((w) => w.person_id === x.id));
  const before = (await geli.get('/api/v1/isolations')).json.total;
  const future = await geli.post('/api/v1/isolations', { person_id: p.id, cohort: 'secondary_contact', day1_date: dateOf(Date.now() + 2 * DAY) });
  assert.equal(future.status, 400);
  assert.equal(future.json.error.field, 'day1_date');
  const badDate = await geli.post('/api/v1/isolations', { person_id: p.id, cohort: 'secondary_contact', day1_date: '2026-02-30' });
  assert.equal(badDate.status, 400);
  const badCohort = await geli.post('/api/v1/isolations', { person_id: p.id, cohort: 'nobody' });
  assert.equal(badCohort.status, 400);
  assert.equal(badCohort.json.error.field, 'cohort');
  const badLead = await geli.post('/api/v1/isolations', { person_id: p.id, cohort: 'secondary_contact', lead_id: 99999 });
  assert.equal(badLead.status, 422);
  assert.equal((await geli.get('/api/v1/isolations')).json.total, before);
  const lead = await liudiao.post('/api/v1/leads', { kind: 'secondary_contact', person_id: p.id });
  assert.equal(lead.status, 201, lead.text);
  const r = await geli.post('/api/v1/isolations', { person_id: p.id, cohort: 'secondary_contact', lead_id: lead.json.id });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.kind, 'home_isolation');
  assert.equal(r.json.room_id, null);
  assert.equal(r.json.household_id, p.household_id);
  assert.equal(r.json.lead_id, lead.json.id);
  assert.deepEqual(r.json.tests.map((t) => t.day), [1, 4, 7]);
  // the lead's state is not the isolation's business
  assert.equal((await liudiao.get(`/api/v1/leads/${lead.json.id}`)).json.state, 'pushed');
  const twice = await geli.post('/api/v1/isolations', { person_id: p.id, cohort: 'secondary_contact' });
  assert.equal(twice.status, 409, twice.text);
  assert.equal((await geli.get('/api/v1/isolations')).json.total, before + 1);
});

test('the outlook warns when leads in flight would find no room', async () => {
  const people = await residents();
  const p = people.find((x) => !family.some((m) => m.id === x.id) && !winners.some((w) => w.person_id === x.id));
  const lead = await liudiao.post('/api/v1/leads', { kind: 'close_contact', person_id: p.id });
  assert.equal(lead.status, 201, lead.text);
  assert.equal(lead.json.measure_required, 'central_isolation');
  const o = await geli.get('/api/v1/facilities/outlook');
  assert.equal(o.status, 200, o.text);
  assert.deepEqual(o.json.horizons.map((h) => h.hours), [24, 48]);
  assert.ok(o.json.leads_in_flight >= 1);
  assert.equal(o.json.started_in_window, 4, 'four central isolations started in the window');
  assert.equal(o.json.rooms.vacant, 1, 'one room was cleaned; the closed facility does not count');
  const h24 = o.json.horizons[0];
  assert.ok(Math.abs(h24.demand - (o.json.leads_in_flight + 4 * 24 / o.json.trend_window_h)) < 1e-9);
  assert.equal(h24.available, h24.freed + 1);
  assert.equal(o.json.warning, true);
  assert.ok(h24.shortfall > 0);
  assert.match(o.json.message, /宁让房间等人/);
});

test('scope: another community\'s quarantine user sees nothing; a community user may not look', async () => {
  const list = await other.get('/api/v1/facilities');
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.total, 0);
  assert.equal((await other.get(`/api/v1/facilities/${fac2.id}`)).status, 404);
  assert.equal((await other.get('/api/v1/isolations')).json.total, 0);
  const isoId = (await geli.get('/api/v1/isolations')).json.items[0].id;
  assert.equal((await other.get(`/api/v1/isolations/${isoId}`)).status, 404);
  assert.equal((await other.get('/api/v1/isolations/due')).json.total, 0);
  const grab = await other.post('/api/v1/facilities/allocate', { persons: [{ person_id: family[0].id }] });
  assert.equal(grab.status, 422, grab.text);
  assert.equal((await shequ.get('/api/v1/facilities')).status, 403);
  assert.equal((await shequ.get('/api/v1/isolations')).status, 403);
  // names are masked for a viewer... who may not see isolations at all
  const guest = await login(srv.url, 'guest');
  assert.equal((await guest.get('/api/v1/isolations')).status, 403);
});

test('the command line: facilities import is all or nothing; isolations due is the lab work list', async () => {
  const { writeFileSync } = await import('node:fs');
  const path = `${srv.dataDir}/facilities.csv`;
  const before = (await admin.get('/api/v1/facilities')).json.total;
  writeFileSync(path, `name,area_code,address,lon,lat,rooms\n导入一号,${street},路1号,104.1,30.6,5\n导入二号,${street},路2号,104.1,north,5\n`);
  const bad = fangkong(['facilities', 'import', path, '--data', srv.dataDir]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /row 3: lat: a number/);
  assert.equal((await admin.get('/api/v1/facilities')).json.total, before);
  writeFileSync(path, `name,area_code,address,lon,lat,rooms\n导入一号,${street},路1号,104.1,30.6,5\n`);
  const good = fangkong(['facilities', 'import', path, '--data', srv.dataDir]);
  assert.equal(good.status, 0, good.stderr);
  assert.equal((await admin.get('/api/v1/facilities')).json.total, before + 1);
  const due = fangkong(['isolations', 'due', '--date', today(), '--data', srv.dataDir]);
  assert.equal(due.status, 0, due.stderr);
  const rows = due.stdout.trim().split('\n');
  assert.equal(rows[0], 'due_date,day,test_kind,isolation_id,test_id,person_id,person_name,area_code,place');
  const api = (await geli.get(`/api/v1/isolations/due?date=${today()}`)).json.items;
  assert.equal(rows.length - 1, api.length);
  assert.ok(api.length >= 1, 'the home isolation\'s day-1 test is due today');
});
