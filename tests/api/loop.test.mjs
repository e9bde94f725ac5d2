// The closed loop (即查即转、应隔尽隔、日清日结) on a demo city, through the API as each team
// uses it: a confirmed case's household contact is discovered and pushed as a lead; the
// community worker finds them; the transfer team fetches them in a trip whose room was
// reserved before it left; arrival starts the isolation (day 1 from the exposure, by the
// policy's anchor) and controls the lead; the lab work is recorded on the policy's days;
// the person is released into home health monitoring and the lead is closed. Every step
// is in the lead's history, and the briefing of the day lists no failure for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login } from '../lib/server.mjs';

let srv, admin, liudiao, shequ, zhuanyun, geli, mine;
const DAY = 86400 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const dateOf = (ms) => new Date(ms).toISOString().slice(0, 10);
// isolation dates are the city's local dates (v9 reporting.utc_offset_h: UTC+8)
const localDate = (ms) => dateOf(ms + 8 * 3600 * 1000);

before(async () => {
  srv = await startServer({ persons: 1500, seed: 31 });
  [admin, liudiao, shequ, zhuanyun, geli] = await Promise.all(
    ['admin', 'liudiao', 'shequ', 'zhuanyun', 'geli'].map((u) => login(srv.url, u)));
  mine = (await shequ.get('/api/v1/me')).json.area_code;
});
after(async () => { await srv.stop(); });

async function family() {
  const ours = (await shequ.get('/api/v1/persons?limit=1000')).json.items.filter((p) => p.household_id);
  const byHousehold = new Map();
  for (const p of ours) byHousehold.set(p.household_id, [...(byHousehold.get(p.household_id) || []), p]);
  const f = [...byHousehold.values()].find((m) => m.length >= 2);
  assert.ok(f, 'a household of two in the community');
  return f;
}

test('a contact goes from lead to release entirely in fangkong', async () => {
  // rooms: the demo's facilities close, ours has four
  for (const d of (await admin.get('/api/v1/facilities?limit=1000')).json.items)
    assert.equal((await admin.patch(`/api/v1/facilities/${d.id}`, { state: 'closed' })).status, 200);
  const fac = (await admin.post('/api/v1/facilities', { name: '闭环测试隔离点', area_code: mine, lon: 104.07, lat: 30.66 })).json;
  assert.equal((await admin.post(`/api/v1/facilities/${fac.id}/rooms`, { count: 4, prefix: 'L' })).status, 201);

  // 1. a case four days ago; its household is discovered and pushed
  const [index, member] = await family();
  const now = Date.now();
  const k = await liudiao.post('/api/v1/cases', { person_id: index.id, classification: 'confirmed', severity: 'mild',
    reported_at: iso(now - 3 * DAY), sampling_date: dateOf(now - 3 * DAY), onset_date: dateOf(now - 3 * DAY), source: 'community_screening' });
  assert.equal(k.status, 201, k.text);
  // the window the epidemiologist sets: from the policy's start to the day the case was
  // isolated, six days ago
  const found = await liudiao.post(`/api/v1/cases/${k.json.id}/contacts/discover`,
    { from: iso(now - 8 * DAY), to: iso(now - 6 * DAY) });
  assert.equal(found.status, 200, found.text);
  const contact = found.json.items.find((c) => c.person_id === member.id && c.kind === 'household');
  assert.ok(contact, JSON.stringify(found.json.items));
  const pushed = await liudiao.post(`/api/v1/cases/${k.json.id}/leads`);
  assert.equal(pushed.status, 201, pushed.text);
  const lead = pushed.json.items.find((l) => l.person_id === member.id);
  assert.deepEqual([lead.kind, lead.state, lead.measure_required, lead.area_code],
    ['close_contact', 'pushed', 'central_isolation', member.community_code]);

  // 2. the community worker receives and finds them
  for (const state of ['received', 'found'])
    assert.equal((await shequ.patch(`/api/v1/leads/${lead.id}`, { state })).status, 200);

  // 3. the transfer team: a room reserved with the trip, aboard, arrived
  const van = (await zhuanyun.post('/api/v1/transfers/vehicles', { plate: '川A·L0001', seats: 4, area_code: mine })).json;
  const crew = (await zhuanyun.post('/api/v1/transfers/crews', { name: '闭环组', leader: '陈队长', area_code: mine })).json;
  const trip = await zhuanyun.post('/api/v1/transfers', { vehicle_id: van.id, crew_id: crew.id, lead_ids: [lead.id] });
  assert.equal(trip.status, 201, trip.text);
  const [pickup] = trip.json.pickups;
  assert.ok(pickup.room_number.startsWith('L'), 'a room of the open facility, before the trip left');
  assert.equal((await zhuanyun.patch(`/api/v1/transfers/${trip.json.id}/pickups/${pickup.id}`, { state: 'aboard' })).status, 200);
  const arrived = await zhuanyun.post(`/api/v1/transfers/${trip.json.id}/arrive`);
  assert.equal(arrived.status, 200, arrived.text);
  assert.deepEqual([arrived.json.state, arrived.json.late], ['arrived', false]);

  // 4. isolated in that room, day 1 the day of the recorded exposure; the lead controlled
  let l = (await shequ.get(`/api/v1/leads/${lead.id}`)).json;
  assert.deepEqual([l.state, l.measure_taken], ['controlled', 'transferred_central']);
  const [isolation] = (await geli.get(`/api/v1/isolations?person_id=${member.id}`)).json.items;
  assert.deepEqual([isolation.state, isolation.kind, isolation.room_number], ['active', 'central_isolation', pickup.room_number]);
  const last = Date.parse(contact.start) + contact.overlap_seconds * 1000;
  assert.equal(last, Date.parse(iso(now - 6 * DAY)), 'a household contact is exposed to the end of the window');
  assert.equal(isolation.day1_date, localDate(last), 'day 1: the last exposure the contact records');

  // 5. the lab work on the policy's days (v9 close contact: 1, 2, 3, 5, 7), all negative
  let full = (await geli.get(`/api/v1/isolations/${isolation.id}`)).json;
  assert.deepEqual(full.tests.map((t) => t.day), [1, 2, 3, 5, 7]);
  const early = await geli.post(`/api/v1/isolations/${isolation.id}/release`);
  assert.equal(early.status, 409, 'not released before every test is negative');
  for (const t of full.tests)
    assert.equal((await geli.patch(`/api/v1/isolations/${isolation.id}/tests/${t.id}`, { result: 'negative' })).status, 200);

  // 6. released into home health monitoring; the room goes to cleaning; the lead closes
  const released = await geli.post(`/api/v1/isolations/${isolation.id}/release`);
  assert.equal(released.status, 200, released.text);
  full = (await geli.get(`/api/v1/isolations/${isolation.id}`)).json;
  assert.deepEqual([full.state, full.next_kind], ['released', 'home_health_monitoring']);
  const rooms = (await admin.get(`/api/v1/facilities/${fac.id}`)).json.rooms;
  assert.deepEqual([rooms.occupied, rooms.cleaning], [0, 1]);
  assert.equal((await shequ.patch(`/api/v1/leads/${lead.id}`, { state: 'closed', note: '解除隔离，转居家健康监测' })).status, 200);
  l = (await shequ.get(`/api/v1/leads/${lead.id}`)).json;
  assert.deepEqual(l.events.map((e) => e.to_state), ['pushed', 'received', 'found', 'controlled', 'closed']);

  // 7. in time at every step: the briefing of today names no failure of this lead or trip
  const today = dateOf(Date.now() + 8 * 3600 * 1000); // v9 reporting.utc_offset_h
  for (const ref of [`lead:${lead.id}`, `trip:${trip.json.id}`]) {
    const b = await admin.get(`/api/v1/briefings?from=${today}&to=${today}&ref=${ref}`);
    assert.equal(b.status, 200, b.text);
    assert.deepEqual([b.json.total, b.json.failures], [0, []], b.text);
  }
});
