// Transfer (转运) through the API on a demo city: vehicles and crews; a trip for located
// leads reserves a room for each person before it exists ("房、人、车"); refusals (vehicle
// busy, too few seats, a lead not located or already on a trip, unknown ids) change
// nothing; a missed pickup frees its room; arrival starts every isolation in its room and
// controls every lead in one step; a late trip escalates by the sweep and shows in the
// late list; a transfer user of another street sees nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, fangkong } from '../lib/server.mjs';

let srv, admin, zhuanyun, shequ, other, mine, street, fac, van, bus, crew;
const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

before(async () => {
  srv = await startServer({ persons: 1500, seed: 23 });
  [admin, zhuanyun, shequ] = await Promise.all(['admin', 'zhuanyun', 'shequ'].map((u) => login(srv.url, u)));
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  street = mine.slice(0, 9);
  const otherStreet = `${mine.slice(0, 6)}${street.endsWith('002') ? '003' : '002'}`;
  const imp = await admin.post('/api/v1/imports/areas', `code,parent_code,name\n${otherStreet},${mine.slice(0, 6)},转运测试街道\n`,
    { 'Content-Type': 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
  const r = fangkong(['user', 'add', 'zy_other', '--role', 'transfer', '--area', otherStreet, '--data', srv.dataDir],
    { input: 'tr-password-123\n' });
  assert.equal(r.status, 0, r.stderr);
  other = await login(srv.url, 'zy_other', 'tr-password-123');
});
after(async () => { await srv.stop(); });

async function facility() {
  const r = await admin.get(`/api/v1/facilities/${fac.id}`);
  assert.equal(r.status, 200, r.text);
  return r.json.rooms;
}

async function persons(n, offset = 0) {
  const r = await admin.get(`/api/v1/persons?limit=${n}&offset=${offset}&community_code=${mine}`);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

// A close-contact lead for the person, moved to found (located) unless told otherwise.
async function lead(person, { state = 'found', pushedAt } = {}) {
  const c = await admin.post('/api/v1/leads', { kind: 'close_contact', person_id: person.id,
    ...(pushedAt ? { pushed_at: iso(pushedAt) } : {}) });
  assert.equal(c.status, 201, c.text);
  for (const s of state === 'found' ? ['received', 'found'] : state === 'received' ? ['received'] : []) {
    const m = await shequ.patch(`/api/v1/leads/${c.json.id}`, { state: s });
    assert.equal(m.status, 200, m.text);
  }
  return c.json;
}

test('vehicles, crews and a facility; bad input refused naming the field', async () => {
  // the demo's own facilities close, so that every room below is the test facility's
  for (const d of (await admin.get('/api/v1/facilities?limit=1000')).json.items)
    assert.equal((await admin.patch(`/api/v1/facilities/${d.id}`, { state: 'closed' })).status, 200);
  const f = await admin.post('/api/v1/facilities', { name: '转运测试隔离点', area_code: mine, lon: 104.07, lat: 30.66 });
  assert.equal(f.status, 201, f.text);
  fac = f.json;
  assert.equal((await admin.post(`/api/v1/facilities/${fac.id}/rooms`, { count: 6, prefix: 'T' })).status, 201);
  const fleet = (await zhuanyun.get('/api/v1/transfers/vehicles')).json.total; // the demo's
  const v = await zhuanyun.post('/api/v1/transfers/vehicles', { plate: '川A·12345', seats: 4, area_code: street });
  assert.equal(v.status, 201, v.text);
  van = v.json;
  assert.deepEqual([van.state, van.seats], ['available', 4]);
  bus = (await zhuanyun.post('/api/v1/transfers/vehicles', { plate: '川A·54321', seats: 1, area_code: street })).json;
  const dup = await zhuanyun.post('/api/v1/transfers/vehicles', { plate: '川A·12345', seats: 4, area_code: street });
  assert.equal(dup.status, 409, dup.text);
  assert.equal(dup.json.error.field, 'plate');
  const seats = await zhuanyun.post('/api/v1/transfers/vehicles', { plate: 'X1', seats: 0, area_code: street });
  assert.equal(seats.status, 400, seats.text);
  const c = await zhuanyun.post('/api/v1/transfers/crews', { name: '转运一组', leader: '王队长', phone: '13800000001', area_code: street });
  assert.equal(c.status, 201, c.text);
  crew = c.json;
  const noLeader = await zhuanyun.post('/api/v1/transfers/crews', { name: '二组', area_code: street });
  assert.equal(noLeader.status, 400, noLeader.text);
  assert.equal(noLeader.json.error.field, 'leader');
  assert.equal((await zhuanyun.get('/api/v1/transfers/vehicles')).json.total, fleet + 2);
});

let trip, people, leads;

test('a trip reserves a room for every person before it exists; refusals change nothing', async () => {
  people = await persons(4);
  leads = [];
  for (const p of people.slice(0, 3)) leads.push(await lead(p));
  const notLocated = await lead(people[3], { state: 'received' });
  const before = await facility();
  const trips0 = (await zhuanyun.get('/api/v1/transfers')).json.total;
  const refusals = [
    [{ vehicle_id: bus.id, crew_id: crew.id, lead_ids: leads.map((l) => l.id) }, 400, 'lead_ids'], // 1 seat
    [{ vehicle_id: van.id, crew_id: crew.id, lead_ids: [leads[0].id, notLocated.id] }, 409, 'lead_ids'],
    [{ vehicle_id: van.id, crew_id: crew.id, lead_ids: [leads[0].id, leads[0].id] }, 400, 'lead_ids'],
    [{ vehicle_id: van.id, crew_id: crew.id, lead_ids: [99999999] }, 422, 'lead_ids'],
    [{ vehicle_id: 99999999, crew_id: crew.id, lead_ids: [leads[0].id] }, 422, 'vehicle_id'],
    [{ vehicle_id: van.id, crew_id: 99999999, lead_ids: [leads[0].id] }, 422, 'crew_id'],
    [{ vehicle_id: van.id, crew_id: crew.id, lead_ids: [] }, 400, 'lead_ids'],
    [{ vehicle_id: van.id, crew_id: crew.id, lead_ids: [leads[0].id], seats: 3 }, 400, 'seats'],
  ];
  for (const [body, status, field] of refusals) {
    const r = await zhuanyun.post('/api/v1/transfers', body);
    assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
  }
  assert.deepEqual(await facility(), before, 'no room reserved by a refused trip');
  assert.equal((await zhuanyun.get('/api/v1/transfers')).json.total, trips0);

  const r = await zhuanyun.post('/api/v1/transfers', { vehicle_id: van.id, crew_id: crew.id, lead_ids: leads.map((l) => l.id) });
  assert.equal(r.status, 201, r.text);
  trip = r.json;
  assert.deepEqual([trip.state, trip.facility_id, trip.pickup_count, trip.late], ['assigned', fac.id, 3, false]);
  assert.equal(trip.due_at, leads.map((l) => l.controlled_by).sort()[0], 'due by the earliest controlled_by');
  const rooms = (await zhuanyun.get(`/api/v1/transfers/${trip.id}`)).json.pickups.map((p) => p.room_number);
  assert.equal(rooms.length, 3);
  assert.ok(rooms.every((n) => n.startsWith('T')), rooms.join());
  assert.equal(new Set(rooms).size, 3, 'a room each');
  const after1 = await facility();
  assert.equal(after1.reserved, before.reserved + 3);
  assert.equal(after1.vacant, before.vacant - 3);
  assert.equal((await zhuanyun.get('/api/v1/transfers/vehicles')).json.items.find((v) => v.id === van.id).state, 'on_trip');
  // the vehicle is busy, and a lead on this trip cannot go on another
  const busy = await zhuanyun.post('/api/v1/transfers', { vehicle_id: van.id, crew_id: crew.id, lead_ids: [leads[0].id] });
  assert.equal(busy.status, 409, busy.text);
  assert.equal(busy.json.error.field, 'vehicle_id');
  const twice = await zhuanyun.post('/api/v1/transfers', { vehicle_id: bus.id, crew_id: crew.id, lead_ids: [leads[0].id] });
  assert.equal(twice.status, 409, twice.text);
  assert.equal(twice.json.error.field, 'lead_ids');
  assert.deepEqual(await facility(), after1);
});

test('a missed pickup frees its room; arrival isolates and controls the others at once', async () => {
  const t = (await zhuanyun.get(`/api/v1/transfers/${trip.id}`)).json;
  const [p0, p1, p2] = t.pickups;
  const early = await zhuanyun.post(`/api/v1/transfers/${trip.id}/arrive`);
  assert.equal(early.status, 409, 'not before everyone is aboard or missed');
  const before = await facility();
  const missed = await zhuanyun.patch(`/api/v1/transfers/${trip.id}/pickups/${p2.id}`, { state: 'missed', note: '拒不开门' });
  assert.equal(missed.status, 200, missed.text);
  let rooms = await facility();
  assert.deepEqual([rooms.reserved, rooms.vacant], [before.reserved - 1, before.vacant + 1]);
  const bad = await zhuanyun.patch(`/api/v1/transfers/${trip.id}/pickups/${p2.id}`, { state: 'aboard' });
  assert.equal(bad.status, 409, bad.text);
  assert.equal((await zhuanyun.patch(`/api/v1/transfers/${trip.id}/pickups/${p0.id}`, { state: 'aboard' })).status, 200);
  const last = await zhuanyun.patch(`/api/v1/transfers/${trip.id}/pickups/${p1.id}`, { state: 'aboard' });
  assert.equal(last.json.state, 'picked_up', 'the trip follows its pickups');
  const arrived = await zhuanyun.post(`/api/v1/transfers/${trip.id}/arrive`);
  assert.equal(arrived.status, 200, arrived.text);
  assert.equal(arrived.json.state, 'arrived');
  assert.equal(arrived.json.late, false);
  assert.deepEqual(arrived.json.pickups.map((p) => p.state), ['arrived', 'arrived', 'missed']);
  rooms = await facility();
  assert.equal(rooms.occupied, before.occupied + 2);
  assert.equal(rooms.reserved, before.reserved - 3);
  for (const [i, p] of [[0, p0], [1, p1]]) {
    const l = (await shequ.get(`/api/v1/leads/${leads[i].id}`)).json;
    assert.deepEqual([l.state, l.measure_taken], ['controlled', 'transferred_central']);
    const isos = (await admin.get(`/api/v1/isolations?person_id=${p.person_id}`)).json.items;
    assert.equal(isos.length, 1, JSON.stringify(isos));
    assert.deepEqual([isos[0].state, isos[0].kind, isos[0].room_number], ['active', 'central_isolation', p.room_number]);
  }
  assert.equal((await shequ.get(`/api/v1/leads/${leads[2].id}`)).json.state, 'found', 'the missed person is still to fetch');
  assert.equal((await zhuanyun.get('/api/v1/transfers/vehicles')).json.items.find((v) => v.id === van.id).state, 'disinfecting');
  assert.equal((await zhuanyun.patch(`/api/v1/transfers/vehicles/${van.id}`, { state: 'on_trip' })).status, 409);
  assert.equal((await zhuanyun.patch(`/api/v1/transfers/vehicles/${van.id}`, { state: 'available' })).status, 200);
  const events = (await zhuanyun.get(`/api/v1/transfers/${trip.id}`)).json.events.map((e) => e.to_state);
  assert.deepEqual(events, ['assigned', 'picked_up', 'arrived']);
});

test('a late trip escalates by the sweep and shows in the late list; other streets see nothing', async () => {
  const p = (await persons(1, 10))[0];
  const l = await lead(p, { pushedAt: Date.now() - 20 * HOUR }); // controlled_by 12 h ago (v9: 8 h)
  const r = await zhuanyun.post('/api/v1/transfers', { vehicle_id: van.id, crew_id: crew.id, lead_ids: [l.id] });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.late, true);
  assert.equal(r.json.escalation_level, 0);
  const sweep = fangkong(['sweep', '--data', srv.dataDir]);
  assert.equal(sweep.status, 0, sweep.stderr);
  assert.match(sweep.stdout, /^transfer_lateness 1$/m);
  const t = (await zhuanyun.get(`/api/v1/transfers/${r.json.id}`)).json;
  // 12 h late with a 4 h period (v9 transfer.escalation_period_h): command
  assert.deepEqual([t.escalation_level, t.escalated_to], [2, 'command']);
  assert.match(t.events.at(-1).note, /^late: escalated to level 2 \(command\)$/);
  assert.match(fangkong(['sweep', '--data', srv.dataDir]).stdout, /^transfer_lateness 0$/m);
  const late = (await zhuanyun.get('/api/v1/transfers?late=1')).json.items.map((x) => x.id);
  assert.ok(late.includes(r.json.id));
  assert.ok(!late.includes(trip.id), 'the first trip arrived in time');
  assert.equal((await other.get(`/api/v1/transfers/${r.json.id}`)).status, 404);
  assert.equal((await other.get('/api/v1/transfers')).json.total, 0);
  assert.equal((await shequ.get('/api/v1/transfers')).status, 403, 'a community worker does not dispatch');
  // accountability: the late trip is a failure of the transfer unit in the briefing of
  // its day, with the official then in office for transfer, and a late transfer in its
  // performance; an action can be recorded against it
  const put = await admin.post('/api/v1/responsibilities', { area_code: street, function: 'transfer',
    unit: '转运大队', official: '周转运', valid_from: iso(Date.now() - 48 * HOUR) });
  assert.equal(put.status, 201, put.text);
  const day = new Date(Date.parse(t.due_at) + 8 * HOUR).toISOString().slice(0, 10); // v9 reporting.utc_offset_h
  const b = await admin.get(`/api/v1/briefings?from=${day}&to=${day}`);
  assert.equal(b.status, 200, b.text);
  const trips = b.json.failures.filter((f) => f.source === 'trip');
  assert.deepEqual(trips.map((f) => [f.ref, f.what, f.unit_code, f.trip_id]), [[`trip:${t.id}`, 'not_arrived', street, t.id]]);
  assert.equal(trips[0].responsible.official, '周转运');
  assert.ok(trips[0].late_h > 11.9, String(trips[0].late_h));
  const perf = await admin.get(`/api/v1/performance?from=${day}&to=${day}&level=street`);
  assert.equal(perf.json.items.find((r) => r.area_code === street).transfers_late, 1);
  const act = await admin.post('/api/v1/accountability/actions', { failure_ref: `trip:${t.id}`, action: 'admonishment', reason: '转运超时 12 小时' });
  assert.equal(act.status, 201, act.text);
  assert.equal(act.json.official, '周转运');
  const notLate = await admin.post('/api/v1/accountability/actions', { failure_ref: `trip:${trip.id}`, action: 'admonishment', reason: 'x' });
  assert.equal(notLate.status, 400, notLate.text);
  const text = fangkong(['briefing', '--from', day, '--to', day, '--data', srv.dataDir]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`三、转运超时（1 项）\\n1\\. 转运车次 ${t.id}（${street}）`));
  const audit = (await admin.get('/api/v1/audit?entity=trip&limit=100')).json.items;
  assert.ok(audit.some((a) => a.actor === 'zhuanyun' && a.action === 'create'));
  assert.ok(audit.some((a) => a.action === 'escalate'));
});
