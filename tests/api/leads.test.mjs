// Leads (推送、排查、管控) through the API on a demo city: a case's contacts pushed as
// leads, the community worker's queue limited to their community, a lead worked from
// received to closed with every step recorded, illegal moves refused with nothing
// changed, overdue leads escalated (by the list's sweep and by `fangkong leads
// escalate --now`), and the viewer kept out. Every step is audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, fangkong } from '../lib/server.mjs';
import { validId } from '../lib/ids.mjs';

let srv, liudiao, shequ, jiedao, admin, guest, mine, street;
before(async () => {
  srv = await startServer({ persons: 1500, seed: 11 });
  [liudiao, shequ, jiedao, admin, guest] = await Promise.all(
    ['liudiao', 'shequ', 'jiedao', 'admin', 'guest'].map((u) => login(srv.url, u)));
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  street = (await jiedao.get('/api/v1/me')).json.area_code;
});
after(async () => { await srv.stop(); });

const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const at = (s) => Date.parse(s);
const WIN = { from: '2022-05-01T00:00:00Z', to: '2022-05-03T00:00:00Z' };

// A family of at least three in shequ's community, and a person with a phone elsewhere.
async function people() {
  const ours = (await shequ.get('/api/v1/persons?limit=1000')).json.items.filter((p) => p.household_id);
  const byHousehold = new Map();
  for (const p of ours) byHousehold.set(p.household_id, [...(byHousehold.get(p.household_id) || []), p]);
  const family = [...byHousehold.values()].find((m) => m.length >= 3);
  assert.ok(family, 'a family of three in the community');
  // the small demo city is one community: add a second one in the same street, and a
  // person registered there
  const other = `${mine.slice(0, 9)}${mine.endsWith('002') ? '003' : '002'}`;
  const imp = await admin.post('/api/v1/imports/areas', `code,parent_code,name\n${other},${mine.slice(0, 9)},第二社区\n`,
    { 'Content-Type': 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
  const made = await liudiao.post('/api/v1/persons', { name: '外社区人员', id_number: validId(777), phone: '13912345677',
    resident_type: 'non_resident', community_code: other, address: '某路1号' });
  assert.equal(made.status, 201, made.text);
  const elsewhere = made.json;
  assert.ok(elsewhere, 'a person outside the community');
  return { family, elsewhere };
}

async function events(api, id) {
  const r = await api.get(`/api/v1/leads/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json.events;
}

let caseId, pushed, family, elsewhere;

test('a case\'s contacts are pushed as leads with the policy\'s deadlines and measures', async () => {
  ({ family, elsewhere } = await people());
  const k = await liudiao.post('/api/v1/cases', { person_id: family[0].id, classification: 'confirmed', severity: 'mild',
    reported_at: '2022-05-02T10:00:00Z', sampling_date: '2022-05-02', onset_date: '2022-05-01', source: 'community_screening' });
  assert.equal(k.status, 201, k.text);
  caseId = k.json.id;
  // interview contacts: a registered person of another community, an unknown phone, and
  // one the epidemiologist dismisses
  for (const contact of [elsewhere.phone, '13600000001', '13600000002'])
    assert.equal((await liudiao.post(`/api/v1/cases/${caseId}/contacts`, { contact, place: '单位食堂' })).status, 201);
  const d = await liudiao.post(`/api/v1/cases/${caseId}/contacts/discover`, WIN);
  assert.equal(d.status, 200, d.text);
  const dismissed = d.json.items.find((c) => c.contact === '13600000002');
  assert.equal((await liudiao.patch(`/api/v1/contacts/${dismissed.id}`, { status: 'dismissed' })).status, 200);
  const subjects = new Set(d.json.items.filter((c) => c.contact !== '13600000002').map((c) => c.contact));

  const before = Date.now();
  const r = await liudiao.post(`/api/v1/cases/${caseId}/leads`);
  assert.equal(r.status, 201, r.text);
  pushed = r.json.items;
  assert.equal(r.json.created, subjects.size, JSON.stringify(pushed));
  assert.deepEqual(new Set(pushed.map((l) => l.subject)), subjects);
  for (const l of pushed) {
    assert.equal(l.state, 'pushed');
    assert.equal(l.kind, 'close_contact');
    assert.equal(l.measure_required, 'central_isolation'); // v9: measures.close_contact.phases.0
    assert.equal(l.case_id, caseId);
    assert.ok(l.contact_id > 0);
    const p = at(l.pushed_at);
    assert.ok(p >= before - 1000 && p <= Date.now() + 1000, l.pushed_at);
    // v9 tracing.time_limits_h: assist_located 2, close_contacts_isolated 8, pushed_list_closed 24
    assert.deepEqual([at(l.found_by) - p, at(l.controlled_by) - p, at(l.closed_by) - p], [2 * HOUR, 8 * HOUR, 24 * HOUR]);
    assert.equal(l.due_at, l.found_by);
    assert.equal(l.overdue, false);
    assert.equal(l.escalation_level, 0);
  }
  for (const m of family.slice(1)) {
    const l = pushed.find((x) => x.person_id === m.id);
    assert.ok(l, `household member ${m.id} pushed`);
    assert.equal(l.area_code, m.community_code);
  }
  const unknown = pushed.find((l) => l.subject === '13600000001');
  assert.equal(unknown.person_id, null);
  assert.equal(unknown.area_code, family[0].community_code, 'an unknown subject goes to the case\'s community');
  assert.equal(pushed.find((l) => l.subject === elsewhere.phone).area_code, elsewhere.community_code);

  const again = await liudiao.post(`/api/v1/cases/${caseId}/leads`);
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.created, 0, 'pushing twice adds nothing');
  const brief = await liudiao.post(`/api/v1/cases/${caseId}/leads?items=0`);
  assert.deepEqual([brief.status, brief.json], [201, { created: 0, first_id: null, last_id: null }]);
  assert.equal((await liudiao.get(`/api/v1/leads?case_id=${caseId}`)).json.total, pushed.length);
});

test('the community worker sees the leads of their community only; the street sees them too', async () => {
  const q = await shequ.get(`/api/v1/leads?case_id=${caseId}&limit=1000`);
  assert.equal(q.status, 200, q.text);
  const ours = pushed.filter((l) => l.area_code.startsWith(mine));
  assert.deepEqual(q.json.items.map((l) => l.id).sort(), ours.map((l) => l.id).sort());
  assert.ok(q.json.items.every((l) => l.area_code.startsWith(mine)));
  const theirs = pushed.find((l) => l.subject === elsewhere.phone);
  assert.equal((await shequ.get(`/api/v1/leads/${theirs.id}`)).status, 404);
  assert.equal((await shequ.patch(`/api/v1/leads/${theirs.id}`, { state: 'received' })).status, 404);
  // the street sees both communities
  assert.ok(mine.startsWith(street) && theirs.area_code.startsWith(street));
  const s = await jiedao.get(`/api/v1/leads?case_id=${caseId}&limit=1000`);
  assert.equal(s.json.total, pushed.length);
});

test('a lead is worked from received to closed, each step recorded', async () => {
  const lead = pushed.find((l) => l.person_id === family[1].id);
  const steps = [
    { state: 'received', assignee: 'shequ' },
    { state: 'found', note: '电话联系到本人' },
    { state: 'controlled', measure_taken: 'home_isolation_door_sensor', note: '已安装门磁' },
    { state: 'closed' },
  ];
  let last;
  for (const body of steps) {
    const r = await shequ.patch(`/api/v1/leads/${lead.id}`, body);
    assert.equal(r.status, 200, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.state, body.state);
    last = r.json;
  }
  assert.equal(last.assignee, 'shequ');
  assert.equal(last.measure_taken, 'home_isolation_door_sensor');
  assert.equal(last.due_at, null);
  assert.equal(last.overdue, false);
  const ev = await events(shequ, lead.id);
  assert.deepEqual(ev.map((e) => [e.from_state, e.to_state]),
    [['', 'pushed'], ['pushed', 'received'], ['received', 'found'], ['found', 'controlled'], ['controlled', 'closed']]);
  assert.deepEqual(ev.slice(1).map((e) => e.actor), ['shequ', 'shequ', 'shequ', 'shequ']);
  assert.equal(ev[0].actor, 'liudiao');
  assert.equal(ev[3].note, '已安装门磁');
  // the due deadline follows the state: found waits for control
  const other = pushed.find((l) => l.person_id === family[2].id);
  for (const state of ['received', 'found']) assert.equal((await shequ.patch(`/api/v1/leads/${other.id}`, { state })).status, 200);
  const got = (await shequ.get(`/api/v1/leads/${other.id}`)).json;
  assert.equal(got.due_at, got.controlled_by);
  const refused = await shequ.patch(`/api/v1/leads/${other.id}`, { state: 'refused', note: '拒不配合' });
  assert.equal(refused.status, 200, refused.text);
});

test('illegal moves and bad input are refused, naming the field, and change nothing', async () => {
  const lead = pushed.find((l) => l.subject === '13600000001');
  const refused = await shequ.patch(`/api/v1/leads/${lead.id}`, { state: 'controlled', measure_taken: 'hospital' });
  assert.equal(refused.status, 409, refused.text);
  assert.equal(refused.json.error.field, 'state');
  for (const state of ['received', 'found']) assert.equal((await shequ.patch(`/api/v1/leads/${lead.id}`, { state })).status, 200);
  const bad = [
    [{ state: 'controlled' }, 400, 'measure_taken'],
    [{ state: 'controlled', measure_taken: 'rocket' }, 400, 'measure_taken'],
    [{ state: 'closed' }, 409, 'state'],
    [{ state: 'pushed' }, 409, 'state'],
    [{ state: 'lost' }, 400, 'state'],
    [{ measure_taken: 'hospital' }, 400, 'measure_taken'],
    [{ state: 'received', color: 'red' }, 400, 'color'],
    [{ assignee: 'nobody-here' }, 422, 'assignee'],
    [{ note: 'x'.repeat(300) }, 400, 'note'],
  ];
  const beforeEv = await events(shequ, lead.id);
  for (const [body, status, field] of bad) {
    const r = await shequ.patch(`/api/v1/leads/${lead.id}`, body);
    assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.field, field, JSON.stringify(body));
  }
  const after = (await shequ.get(`/api/v1/leads/${lead.id}`)).json;
  assert.equal(after.state, 'found');
  assert.equal(after.measure_taken, null);
  assert.deepEqual(after.events, beforeEv);

  const badCreate = [
    [{ subject: '13900000001', area_code: mine }, 400, 'kind'],
    [{ kind: 'alien', subject: '13900000001', area_code: mine }, 400, 'kind'],
    [{ kind: 'traveler', area_code: mine }, 400, 'subject'],
    [{ kind: 'traveler', subject: '13900000001' }, 400, 'area_code'],
    [{ kind: 'traveler', subject: '13900000001', area_code: '999999' }, 422, 'area_code'],
    [{ kind: 'traveler', subject: '13900000001', area_code: mine, pushed_at: iso(Date.now() + 10 * HOUR) }, 400, 'pushed_at'],
    [{ kind: 'traveler', person_id: 'x', area_code: mine }, 400, 'person_id'],
  ];
  const total = (await liudiao.get('/api/v1/leads')).json.total;
  for (const [body, status, field] of badCreate) {
    const r = await liudiao.post('/api/v1/leads', body);
    assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.field, field, JSON.stringify(body));
  }
  assert.equal((await liudiao.get('/api/v1/leads')).json.total, total);
});

// The leads an escalation audit row names: "escalated N leads: level F->T (name) ids
// a-b,c; level ..." -> [{ from, to, id }], checked against its N.
function escalatedIn(detail) {
  const m = detail.match(/^escalated (\d+) leads: (.*)$/);
  assert.ok(m, detail);
  const out = [];
  for (const group of m[2].split('; ')) {
    const g = group.match(/^level (\d)->(\d) \((\w+)\) ids ([\d,-]+)$/);
    assert.ok(g, group);
    for (const run of g[4].split(',')) {
      const [a, b = a] = run.split('-').map(Number);
      for (let id = a; id <= b; id++) out.push({ from: Number(g[1]), to: Number(g[2]), id });
    }
  }
  assert.equal(out.length, Number(m[1]), detail);
  return out;
}

test('overdue leads escalate: by `fangkong leads escalate --now` and by the queue\'s sweep', async () => {
  const pushedAt = Date.now() - 3 * HOUR;
  const c = await liudiao.post('/api/v1/leads', { kind: 'traveler', subject: '13900000077', area_code: mine,
    pushed_at: iso(pushedAt) });
  assert.equal(c.status, 201, c.text);
  const t = c.json;
  assert.equal(t.measure_required, 'central_isolation'); // v9: measures.high_risk_area_stay.phases.0
  assert.equal(t.overdue, true, 'three hours after a two-hour deadline');
  assert.equal(t.escalation_level, 0);
  assert.deepEqual([at(t.found_by) - at(t.pushed_at), at(t.controlled_by) - at(t.pushed_at)], [2 * HOUR, 8 * HOUR]);

  const run = (now) => {
    const r = fangkong(['leads', 'escalate', '--now', iso(now), '--data', srv.dataDir]);
    assert.equal(r.status, 0, r.stderr);
    return Number(r.stdout.match(/escalated (\d+) leads/)[1]);
  };
  assert.ok(run(pushedAt + 3 * HOUR) >= 1);
  let got = (await shequ.get(`/api/v1/leads/${t.id}`)).json;
  assert.deepEqual([got.escalation_level, got.escalated_to, got.overdue], [1, 'street', true]);
  // thirty hours on: found, controlled and closed deadlines all missed -> command
  run(pushedAt + 30 * HOUR);
  got = (await shequ.get(`/api/v1/leads/${t.id}`)).json;
  assert.deepEqual([got.escalation_level, got.escalated_to], [3, 'command']);
  const esc = got.events.filter((e) => e.note.startsWith('escalated'));
  // each escalation names who answers for leads at the new level (the demo's matrix)
  const matrix = (await admin.get('/api/v1/responsibilities?function=leads&limit=1000')).json.items;
  const holder = (code) => matrix.find((r) => r.area_code === code);
  const [st, city] = [holder(mine.slice(0, 9)), holder('')];
  assert.ok(st && city, JSON.stringify(matrix));
  assert.deepEqual(esc.map((e) => e.note), [`escalated to level 1 (street): ${st.unit}, ${st.official}`,
    `escalated to level 3 (command): ${city.unit}, ${city.official}`]);
  assert.deepEqual(got.responsible, { unit: city.unit, official: city.official });
  assert.ok(esc.every((e) => e.from_state === 'pushed' && e.to_state === 'pushed'));
  assert.equal(run(pushedAt + 30 * HOUR), 0, 'a second run at the same time changes nothing');
  assert.equal((await shequ.get(`/api/v1/leads/${t.id}`)).json.events.length, got.events.length);
  // the closed lead of the case was not escalated
  const closed = pushed.find((l) => l.person_id === family[1].id);
  assert.equal((await shequ.get(`/api/v1/leads/${closed.id}`)).json.escalation_level, 0);
  // the audit names every lead raised and to what: this one 0->1, then 1->3, once each;
  // the closed lead never
  const audited = (await admin.get('/api/v1/audit?entity=lead&limit=1000')).json.items
    .filter((x) => x.action === 'escalate' && x.actor.startsWith('cli:')).sort((x, y) => x.id - y.id)
    .flatMap((x) => escalatedIn(x.detail));
  assert.deepEqual(audited.filter((x) => x.id === t.id).map((x) => [x.from, x.to]), [[0, 1], [1, 3]]);
  assert.ok(!audited.some((x) => x.id === closed.id));

  // the queue's sweep: a lead pushed ten hours ago is at the district level when listed
  const u = await liudiao.post('/api/v1/leads', { kind: 'missed_test', subject: '13900000088', area_code: mine,
    pushed_at: iso(Date.now() - 10 * HOUR) });
  assert.equal(u.status, 201, u.text);
  assert.equal(u.json.measure_required, 'test');
  const q = await shequ.get('/api/v1/leads?overdue=1&limit=1000');
  assert.equal(q.status, 200, q.text);
  const listed = q.json.items.find((l) => l.id === u.json.id);
  assert.ok(listed, 'the overdue lead is in the overdue queue');
  assert.deepEqual([listed.escalation_level, listed.escalated_to, listed.overdue], [2, 'district', true]);
  const bySweep = (await admin.get('/api/v1/audit?entity=lead&actor=system&limit=1000')).json.items
    .filter((x) => x.action === 'escalate').flatMap((x) => escalatedIn(x.detail));
  assert.deepEqual(bySweep.filter((x) => x.id === u.json.id).map((x) => [x.from, x.to]), [[0, 2]]);
  assert.ok(q.json.items.every((l) => l.overdue), 'overdue=1 lists only overdue leads');
  assert.ok(!q.json.items.some((l) => l.state === 'closed'));
});

test('the viewer cannot see leads; every step is audited', async () => {
  for (const r of [await guest.get('/api/v1/leads'), await guest.get(`/api/v1/leads/${pushed[0].id}`),
    await guest.post(`/api/v1/cases/${caseId}/leads`)])
    assert.equal(r.status, 403, r.text);
  const community = await shequ.post(`/api/v1/cases/${caseId}/leads`);
  assert.equal(community.status, 403, 'the community works leads; pushing a case is the epidemiologists\' act');
  const me = (await guest.get('/api/v1/me')).json;
  assert.ok(!me.permissions.includes('leads'));
  assert.ok((await shequ.get('/api/v1/me')).json.permissions.includes('leads'));
  const audit = (await admin.get('/api/v1/audit?entity=lead&limit=1000')).json.items;
  const did = (actor, action) => audit.some((x) => x.actor === actor && x.action === action);
  assert.ok(did('liudiao', 'create'));
  assert.ok(did('shequ', 'transition'));
  assert.ok(did('shequ', 'read'));
  assert.ok(did('shequ', 'list'));
  assert.ok(did('system', 'escalate'));
  assert.ok(audit.some((x) => x.actor.startsWith('cli:') && x.action === 'escalate'));
  // the push is one change: one audit row naming the ids it made
  const ids = pushed.map((l) => l.id).sort((a, b) => a - b);
  const push = audit.filter((x) => x.action === 'create' && x.detail.startsWith('pushed '));
  assert.equal(push.length, 1, JSON.stringify(push));
  assert.equal(push[0].detail, `pushed ${ids.length} leads (ids ${ids[0]}-${ids.at(-1)}) case=${caseId}`);
  assert.equal(ids.at(-1) - ids[0] + 1, ids.length, 'one push makes consecutive ids');
});
