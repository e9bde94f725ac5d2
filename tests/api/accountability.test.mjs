// Responsibility and accountability (压实责任) through the API on a demo city, with
// hand-made data whose failures are known in advance: the responsibility matrix with
// its history, escalations naming the official, daily and zero reports (on time, late,
// missing, pending, as of explicit `now` instants), performance per unit, the briefing
// listing exactly the failures in the data with the officials in office at the time,
// actions recorded and shown, refusals that change nothing, and scope.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, fangkong } from '../lib/server.mjs';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
// Dates are China's civil dates (the policy's reporting.utc_offset_h is 8).
const localDate = (ms) => new Date(ms + 8 * HOUR).toISOString().slice(0, 10);
const at = (date, hour) => Date.parse(`${date}T00:00:00+08:00`) + hour * HOUR;
const addDays = (date, n) => localDate(at(date, 12) + n * DAY);

let srv, admin, shequ, jiedao, liudiao, guest, C, S, Dist, C2;
const now0 = Date.now();
const D = localDate(now0);            // today
const P = { from: addDays(D, -10), to: addDays(D, -8) }; // the past period of the briefing
const ids = {};

before(async () => {
  srv = await startServer({ persons: 1500, seed: 21 });
  [admin, shequ, jiedao, liudiao, guest] = await Promise.all(
    ['admin', 'shequ', 'jiedao', 'liudiao', 'guest'].map((u) => login(srv.url, u)));
  assert.equal((await admin.get('/api/v1/policy')).json.document.reporting.utc_offset_h, 8);
  C = (await shequ.get('/api/v1/me')).json.area_code;
  S = (await jiedao.get('/api/v1/me')).json.area_code;
  Dist = C.slice(0, 6);
  assert.equal(C.slice(0, 9), S);
  // a second community in the street, with no responsibility on record
  C2 = `${S}${C.endsWith('002') ? '003' : '002'}`;
  const imp = await admin.post('/api/v1/imports/areas', `code,parent_code,name\n${C2},${S},第二社区\n`,
    { 'Content-Type': 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
});
after(async () => { await srv.stop(); });

async function setResp(area_code, fn, unit, official, fromMs, api = admin) {
  return api.post('/api/v1/responsibilities', { area_code, function: fn, unit, official, valid_from: iso(fromMs) });
}

async function count(path, api = admin) {
  const r = await api.get(path);
  assert.equal(r.status, 200, r.text);
  return r.json.total;
}

test('the matrix keeps every term; a new holder ends the current one', async () => {
  const start = at(addDays(D, -20), 9);
  const rows = [[C, 'leads', '桂花社区居委会', '赵一'], [S, 'leads', '东湖街道办事处', '王五'],
    [Dist, 'leads', '澜江区疫情防控办', '孙六'], ['', 'leads', '安澜市疫情防控指挥部', '周七'],
    [C, 'reporting', '桂花社区居委会', '钱八'], [S, 'reporting', '东湖街道办事处', '吴九']];
  for (const [a, f, u, o] of rows) {
    const r = await setResp(a, f, u, o, start);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.valid_to, null);
  }
  // 张三 takes over the community's leads in the middle of the briefing's period
  const handover = at(addDays(D, -9), 12);
  assert.equal((await setResp(C, 'leads', '桂花社区居委会', '张三', handover)).status, 201);

  const cur = await admin.get(`/api/v1/responsibilities?area=${C}&function=leads`);
  assert.equal(cur.status, 200, cur.text);
  assert.deepEqual(cur.json.items.map((r) => r.official), ['张三']);
  const hist = await admin.get(`/api/v1/responsibilities?area=${C}&function=leads&history=1`);
  // the demo city's official held the post until our first term began
  assert.deepEqual(hist.json.items.slice(1).map((r) => [r.official, r.valid_to]), [['赵一', iso(handover)], ['张三', null]]);
  assert.equal(hist.json.items[0].valid_to, iso(start));
  assert.equal(hist.json.items[0].set_by, 'demo');
  const then = await admin.get(`/api/v1/responsibilities?area=${C}&function=leads&at=${iso(handover - 1000)}`);
  assert.deepEqual(then.json.items.map((r) => r.official), ['赵一']);
  const city = await admin.get('/api/v1/responsibilities?function=leads');
  assert.deepEqual(city.json.items.map((r) => r.official).sort(), ['周七', '孙六', '张三', '王五'].sort());
});

test('refused matrix changes name the field and change nothing', async () => {
  const before = await count('/api/v1/responsibilities?history=1');
  const cases = [
    [await setResp(C, 'leads', '某单位', '某人', at(addDays(D, -15), 0)), 409, 'valid_from'], // before the current term
    [await setResp(C, 'cooking', '某单位', '某人', now0 - HOUR), 400, 'function'],
    [await setResp(C, 'leads', '某单位', '某人', now0 + DAY), 400, 'valid_from'],
    [await setResp('999999', 'leads', '某单位', '某人', now0 - HOUR), 422, 'area_code'],
    [await setResp(C, 'leads', '', '某人', now0 - HOUR), 400, 'unit'],
    [await admin.post('/api/v1/responsibilities', { area_code: C, function: 'leads', unit: 'x' }), 400, 'official'],
    [await setResp(C, 'leads', '某单位', '某人', now0 - HOUR, shequ), 403, undefined],
    [await setResp(C, 'leads', '某单位', '某人', now0 - HOUR, guest), 403, undefined],
  ];
  for (const [r, status, field] of cases) {
    assert.equal(r.status, status, r.text);
    if (field) assert.equal(r.json.error.field, field, r.text);
  }
  assert.equal(await count('/api/v1/responsibilities?history=1'), before);
  // a community user reads its own area's rows only, and the read is audited
  const mine = await shequ.get('/api/v1/responsibilities?history=1');
  assert.equal(mine.status, 200);
  assert.ok(mine.json.items.length >= 3 && mine.json.items.every((r) => r.area_code.startsWith(C)), mine.text);
  const audit = await admin.get('/api/v1/audit?entity=responsibility&actor=shequ');
  assert.ok(audit.json.items.some((a) => a.action === 'list'), audit.text);
});

async function lead(area_code, pushedMs, subject) {
  const r = await admin.post('/api/v1/leads', { kind: 'close_contact', subject, area_code, pushed_at: iso(pushedMs) });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

async function move(id, ...states) {
  for (const s of states) {
    const body = s === 'controlled' ? { state: s, measure_taken: 'hospital' } : { state: s };
    const r = await admin.patch(`/api/v1/leads/${id}`, body);
    assert.equal(r.status, 200, r.text);
  }
}

test('an escalated lead names the unit and official at its level, in its event and on reads', async () => {
  ids.E1 = await lead(C, now0 - 3 * HOUR, '13700000001'); // found_by (2 h) missed: street
  const list = await shequ.get('/api/v1/leads');
  assert.equal(list.status, 200, list.text);
  const mine = list.json.items.find((l) => l.id === ids.E1);
  assert.equal(mine.escalation_level, 1);
  assert.deepEqual(mine.responsible, { unit: '东湖街道办事处', official: '王五' });
  const one = await shequ.get(`/api/v1/leads/${ids.E1}`);
  assert.deepEqual(one.json.responsible, { unit: '东湖街道办事处', official: '王五' });
  const ev = one.json.events.find((e) => /escalated to level 1/.test(e.note));
  assert.ok(ev, JSON.stringify(one.json.events));
  assert.match(ev.note, /东湖街道办事处, 王五/);
  // a lead on time names its community's official
  ids.L6 = await lead(C, now0 - HOUR, '13700000006');
  const fresh = await admin.get(`/api/v1/leads/${ids.L6}`);
  assert.equal(fresh.json.escalation_level, 0);
  assert.deepEqual(fresh.json.responsible, { unit: '桂花社区居委会', official: '张三' });
});

const FIG = { new_cases: 2, contacts_found: 5, leads_closed: 3, persons_isolated: 4 };

test('daily reports: submitted, zero, late, missing, pending; refusals change nothing', async () => {
  const sub = await shequ.post('/api/v1/reports/daily', { day: D, figures: FIG, note: '正常' });
  assert.equal(sub.status, 201, sub.text);
  assert.equal(sub.json.late, false);
  assert.deepEqual(sub.json.figures, FIG);
  const zero = await jiedao.post('/api/v1/reports/daily', { day: D, zero: true });
  assert.equal(zero.status, 201, zero.text);
  assert.deepEqual(zero.json.figures, { new_cases: 0, contacts_found: 0, leads_closed: 0, persons_isolated: 0 });
  // the briefing period's one report, sent now: late
  const late = await shequ.post('/api/v1/reports/daily', { day: P.from, zero: true });
  assert.equal(late.status, 201, late.text);
  assert.equal(late.json.late, true);
  assert.equal(late.json.deadline, iso(at(addDays(P.from, 1), 10)));

  const refused = [
    [await shequ.post('/api/v1/reports/daily', { day: D, zero: true }), 409, 'day'],
    [await shequ.post('/api/v1/reports/daily', { day: addDays(D, 2), zero: true }), 400, 'day'],
    [await shequ.post('/api/v1/reports/daily', { day: addDays(D, -5), figures: { ...FIG, rumours: 1 } }), 400, 'figures'],
    [await shequ.post('/api/v1/reports/daily', { day: addDays(D, -5), figures: { new_cases: 1 } }), 400, 'figures'],
    [await shequ.post('/api/v1/reports/daily', { day: addDays(D, -5), figures: { ...FIG, new_cases: -1 } }), 400, 'figures'],
    [await shequ.post('/api/v1/reports/daily', { day: addDays(D, -5), zero: true, figures: FIG }), 400, 'figures'],
    [await shequ.post('/api/v1/reports/daily', { day: addDays(D, -5), figures: { new_cases: 0, contacts_found: 0, leads_closed: 0, persons_isolated: 0 } }), 400, 'zero'],
    [await shequ.post('/api/v1/reports/daily', { day: '2022-13-01', zero: true }), 400, 'day'],
    [await shequ.post('/api/v1/reports/daily', { day: addDays(D, -5), zero: true, extra: 1 }), 400, 'extra'],
    [await admin.post('/api/v1/reports/daily', { day: addDays(D, -5), zero: true }), 400, 'area_code'],
    [await guest.post('/api/v1/reports/daily', { day: addDays(D, -5), zero: true }), 403, undefined],
  ];
  for (const [r, status, field] of refused) {
    assert.equal(r.status, status, r.text);
    if (field) assert.equal(r.json.error.field, field, r.text);
  }

  const today = await admin.get(`/api/v1/reports/daily?date=${D}`);
  assert.equal(today.status, 200, today.text);
  const state = (r) => Object.fromEntries(r.json.items.map((i) => [i.area_code, i.state]));
  assert.deepEqual(state(today), { [S]: 'zero', [C]: 'submitted', [C2]: 'pending' });
  // a day before the demo's reports (it reports the three days before today): nothing
  // kept from the refusals; its deadline edge judged at explicit instants
  const quiet = addDays(D, -5);
  const q = await admin.get(`/api/v1/reports/daily?date=${quiet}`);
  assert.deepEqual(state(q), { [S]: 'missing', [C]: 'missing', [C2]: 'missing' });
  const edge = at(addDays(quiet, 1), 10);
  const justBefore = await admin.get(`/api/v1/reports/daily?date=${quiet}&now=${iso(edge)}`);
  assert.deepEqual(state(justBefore), { [S]: 'pending', [C]: 'pending', [C2]: 'pending' });
  const justAfter = await admin.get(`/api/v1/reports/daily?date=${quiet}&now=${iso(edge + 1000)}`);
  assert.deepEqual(state(justAfter), { [S]: 'missing', [C]: 'missing', [C2]: 'missing' });
  assert.deepEqual(justAfter.json.counts, { missing: 3 });
  // the demo city's own recent reports are there to be seen
  const demo = await admin.get(`/api/v1/reports/daily?date=${addDays(D, -1)}`);
  assert.equal(demo.json.items.filter((i) => i.area_code !== C2 && i.report && i.report.submitted_by === 'demo').length
    + demo.json.items.filter((i) => i.area_code !== C2 && i.state === 'missing').length, 2, demo.text);
  const old = await admin.get(`/api/v1/reports/daily?date=${P.from}`);
  assert.deepEqual(state(old), { [S]: 'missing', [C]: 'late', [C2]: 'missing' });
  const asItStood = await admin.get(`/api/v1/reports/daily?date=${P.from}&now=${iso(at(addDays(P.from, 1), 11))}`);
  assert.deepEqual(state(asItStood), { [S]: 'missing', [C]: 'missing', [C2]: 'missing' });
  // a community user sees its own unit only
  const own = await shequ.get(`/api/v1/reports/daily?date=${D}`);
  assert.deepEqual(state(own), { [C]: 'submitted' });
});

// The briefing's period P (3 days, 10 to 8 days ago), made by hand:
//   L1 in C pushed P.from 08:00, never worked: found, controlled, closed missed (levels 0, 1, 2)
//   L2 in C pushed P.from 09:00, worked to closed now: all three done late
//   L3 in C2 (no community official on record) pushed P.from+1 14:00, never worked: three
//   L4 in C pushed P.from+1 13:00, found now: found late (张三's term), the other two missed
//   L5 in C pushed P.to 20:00: only its found deadline (22:00) lies in P
//   reports: 3 units x 3 days; C's first day late, the other 8 missing
test('the briefing lists exactly the failures in the data, with the official at the time', async () => {
  const d1 = P.from, d2 = addDays(P.from, 1), d3 = P.to;
  ids.L1 = await lead(C, at(d1, 8), '13700000011');
  ids.L2 = await lead(C, at(d1, 9), '13700000012');
  ids.L3 = await lead(C2, at(d2, 14), '13700000013');
  ids.L4 = await lead(C, at(d2, 13), '13700000014');
  ids.L5 = await lead(C, at(d3, 20), '13700000015');
  await move(ids.L2, 'received', 'found', 'controlled', 'closed');
  await move(ids.L4, 'received', 'found');
  await move(ids.L6, 'received', 'found', 'controlled', 'closed'); // today, on time

  const r = await admin.get(`/api/v1/briefings?from=${P.from}&to=${P.to}`);
  assert.equal(r.status, 200, r.text);
  const after = Date.now();
  const who = { 赵一: '桂花社区居委会', 张三: '桂花社区居委会', 王五: '东湖街道办事处', 孙六: '澜江区疫情防控办', 钱八: '桂花社区居委会', 吴九: '东湖街道办事处' };
  const resp = (o) => (o ? { unit: who[o], official: o } : null);
  const h = (x) => x * HOUR;
  const expected = [
    [`lead:${ids.L1}:found`, at(d1, 8) + h(2), false, C, 0, '赵一'],
    [`lead:${ids.L1}:controlled`, at(d1, 8) + h(8), false, S, 1, '王五'],
    [`lead:${ids.L1}:closed`, at(d1, 8) + h(24), false, Dist, 2, '孙六'],
    [`lead:${ids.L2}:found`, at(d1, 9) + h(2), true, C, 0, '赵一'],
    [`lead:${ids.L2}:controlled`, at(d1, 9) + h(8), true, S, 1, '王五'],
    [`lead:${ids.L2}:closed`, at(d1, 9) + h(24), true, Dist, 2, '孙六'],
    [`lead:${ids.L3}:found`, at(d2, 14) + h(2), false, C2, 0, null],
    [`lead:${ids.L3}:controlled`, at(d2, 14) + h(8), false, S, 1, '王五'],
    [`lead:${ids.L3}:closed`, at(d2, 14) + h(24), false, Dist, 2, '孙六'],
    [`lead:${ids.L4}:found`, at(d2, 13) + h(2), true, C, 0, '张三'],
    [`lead:${ids.L4}:controlled`, at(d2, 13) + h(8), false, S, 1, '王五'],
    [`lead:${ids.L4}:closed`, at(d2, 13) + h(24), false, Dist, 2, '孙六'],
    [`lead:${ids.L5}:found`, at(d3, 20) + h(2), false, C, 0, '张三'],
    [`report:${C}:${d1}`, at(d2, 10), true, C, 0, '钱八', 'late'],
    ...[[S, '吴九'], [C, '钱八'], [C2, null]].flatMap(([u, o]) => [d1, d2, d3]
      .filter((d) => !(u === C && d === d1))
      .map((d) => [`report:${u}:${d}`, at(addDays(d, 1), 10), false, u, 0, o, 'missing'])),
  ];
  const got = new Map(r.json.failures.map((f) => [f.ref, f]));
  assert.deepEqual([...got.keys()].sort(), expected.map((e) => e[0]).sort());
  assert.equal(r.json.total, 22);
  assert.deepEqual(r.json.counts, { lead_found: 5, lead_controlled: 4, lead_closed: 4, report_missing: 8, report_late: 1 });
  for (const [ref, due, done, unit, level, official, what] of expected) {
    const f = got.get(ref);
    assert.equal(f.due_at, iso(due), ref);
    assert.equal(f.unit_code, unit, ref);
    assert.equal(f.level, level, ref);
    assert.deepEqual(f.responsible, resp(official), ref);
    if (what) assert.equal(f.what, what, ref);
    assert.equal(f.done_at !== null, done, ref);
    const lateH = ((done ? Date.parse(f.done_at) : Date.parse(r.json.period.as_of)) - due) / HOUR;
    assert.ok(Math.abs(f.late_h - lateH) < 0.01, `${ref}: ${f.late_h} vs ${lateH}`);
    assert.ok(f.late_h > 0 && Date.parse(r.json.period.as_of) <= after, ref);
  }
  // sorted by deadline
  const dues = r.json.failures.map((f) => Date.parse(f.due_at));
  assert.deepEqual(dues, [...dues].sort((a, b) => a - b));
  // as it stood when P ended: nothing done yet, C's report still missing, and the
  // reports of P's last day not yet due
  const end = at(addDays(P.to, 1), 0);
  const then = await admin.get(`/api/v1/briefings?from=${P.from}&to=${P.to}&now=${iso(end)}`);
  assert.deepEqual(then.json.counts, { lead_found: 5, lead_controlled: 4, lead_closed: 4, report_missing: 6 });
  assert.ok(then.json.failures.every((f) => f.done_at === null && !f.ref.endsWith(P.to)), then.text);
  // the read is audited: officials' names are personal data
  const audit = await admin.get('/api/v1/audit?entity=briefing');
  assert.ok(audit.json.items.some((a) => a.detail.includes(`from=${P.from}`) && a.detail.includes('failures=22')), audit.text);
});

test('the briefing pages through its failures and narrows them by source and reference', async () => {
  const base = `/api/v1/briefings?from=${P.from}&to=${P.to}`;
  const all = (await admin.get(base)).json;
  assert.equal(all.total, 22);
  assert.equal(all.limit, 200);
  // pages of 5 put together are the whole list in the same order, with the same counts
  const pages = [];
  for (let offset = 0; offset < all.total; offset += 5) {
    const p = (await admin.get(`${base}&limit=5&offset=${offset}`)).json;
    assert.equal(p.total, 22);
    assert.deepEqual(p.counts, all.counts);
    assert.equal(p.failures.length, Math.min(5, 22 - offset));
    pages.push(...p.failures);
  }
  assert.deepEqual(pages.map((f) => f.ref), all.failures.map((f) => f.ref));
  assert.deepEqual((await admin.get(`${base}&offset=22`)).json.failures, []);
  // by source: the nine reports; by reference: one lead's three steps, or one of them
  const reports = (await admin.get(`${base}&source=report`)).json;
  assert.equal(reports.total, 9);
  assert.deepEqual(reports.counts, { report_missing: 8, report_late: 1 });
  assert.ok(reports.failures.every((f) => f.source === 'report'));
  const l1 = (await admin.get(`${base}&ref=lead:${ids.L1}`)).json;
  assert.deepEqual(l1.failures.map((f) => f.ref), ['found', 'controlled', 'closed'].map((s) => `lead:${ids.L1}:${s}`));
  const one = (await admin.get(`${base}&ref=lead:${ids.L1}:controlled`)).json;
  assert.deepEqual([one.total, one.failures[0].level], [1, 1]);
  // a reference is matched whole: lead 1 is not lead 10..19's prefix
  const prefix = String(ids.L1).slice(0, -1);
  assert.ok(prefix === '' || (await admin.get(`${base}&ref=lead:${prefix}`)).json.failures.every((f) => f.lead_id === Number(prefix)));
  for (const [q, field] of [['source=case', 'source'], ['limit=0', 'limit'], ['limit=1001', 'limit'], ['offset=-1', 'offset'], [`ref=${'x'.repeat(64)}`, 'ref']]) {
    const bad = await admin.get(`${base}&${q}`);
    assert.equal(bad.status, 400, q);
    assert.equal(bad.json.error.field, field, q);
  }
});

test('performance per unit from the same data, and on-time work today', async () => {
  const r = await admin.get(`/api/v1/performance?from=${P.from}&to=${P.to}&level=community`);
  assert.equal(r.status, 200, r.text);
  const row = (code) => r.json.items.find((i) => i.area_code === code);
  assert.deepEqual(r.json.items.map((i) => i.area_code).sort(), [C, C2].sort());
  assert.deepEqual(row(C), { area_code: C, name: row(C).name, leads_due: 3, leads_closed_on_time: 0,
    median_control_h: null, lead_deadlines_missed: 10, reports_missing: 2, reports_late: 1, transfers_late: 0 });
  assert.deepEqual(row(C2), { area_code: C2, name: '第二社区', leads_due: 1, leads_closed_on_time: 0,
    median_control_h: null, lead_deadlines_missed: 3, reports_missing: 3, reports_late: 0, transfers_late: 0 });
  assert.ok(r.json.measures.find((m) => m.name === 'reports_missing').failure);
  const street = await admin.get(`/api/v1/performance?from=${P.from}&to=${P.to}&level=street`);
  assert.deepEqual(street.json.items.map((i) => [i.area_code, i.leads_due, i.lead_deadlines_missed, i.reports_missing, i.reports_late]),
    [[S, 4, 13, 8, 1]]);
  // from E1's push to tomorrow: L6 closed on time after an hour; E1 missed found and is
  // due; L2 was controlled today. E1 was pushed three hours ago: before 03:00 in Beijing
  // that is yesterday, and the period starts there (the briefing's other leads are in P)
  const since = localDate(now0 - 3 * HOUR);
  const t = await admin.get(`/api/v1/performance?from=${since}&to=${addDays(D, 1)}&level=community`);
  const c = t.json.items.find((i) => i.area_code === C);
  assert.equal(c.leads_due, 2);
  assert.equal(c.leads_closed_on_time, 1);
  assert.equal(c.lead_deadlines_missed, 1);
  // controlled today: L6 after an hour, L2 (pushed in P) just now: the median of the two
  const l2 = (Date.now() - at(P.from, 9)) / HOUR;
  assert.ok(Math.abs(c.median_control_h - (1 + l2) / 2) < 0.05, JSON.stringify(c));
  const days = await admin.get(`/api/v1/performance?from=${D}&to=${addDays(D, 1)}&level=community`);
  assert.equal(days.json.items.find((i) => i.area_code === C).reports_missing, 0, 'today\'s report is in');
  assert.equal((await admin.get(`/api/v1/performance?from=${D}&to=${D}&level=grid`)).json.error.field, 'level');
  assert.equal((await admin.get(`/api/v1/performance?from=${D}&to=${addDays(D, -1)}`)).json.error.field, 'to');
  assert.equal((await jiedao.get(`/api/v1/performance?from=${D}&to=${D}`)).status, 403);
});

test('actions are recorded against real failures, shown in the briefing, and audited', async () => {
  const ref = `lead:${ids.L1}:found`;
  const rec = await admin.post('/api/v1/accountability/actions', { failure_ref: ref, action: 'admonishment', reason: '密接未按时找到' });
  assert.equal(rec.status, 201, rec.text);
  assert.equal(rec.json.official, '赵一'); // in office when the deadline passed, not 张三 now
  assert.equal(rec.json.unit, '桂花社区居委会');
  assert.equal(rec.json.area_code, C);
  assert.equal(rec.json.decided_by, 'admin');
  const before = await count('/api/v1/accountability/actions');
  const refused = [
    [{ failure_ref: ref, action: 'execution', reason: 'x' }, 400, 'action'],
    [{ failure_ref: ref, action: 'source', reason: 'x' }, 400, 'action'],
    [{ failure_ref: ref, action: 'dismissal' }, 400, 'reason'],
    [{ failure_ref: `lead:${ids.L6}:found`, action: 'dismissal', reason: 'x' }, 400, 'failure_ref'], // on time
    [{ failure_ref: `report:${C}:${D}`, action: 'dismissal', reason: 'x' }, 400, 'failure_ref'],     // submitted
    [{ failure_ref: 'lead:abc:found', action: 'dismissal', reason: 'x' }, 400, 'failure_ref'],
    [{ failure_ref: `report:${C2}:${P.from}`, action: 'dismissal', reason: 'x' }, 400, 'unit'],     // nobody on record
  ];
  for (const [body, status, field] of refused) {
    const r = await admin.post('/api/v1/accountability/actions', body);
    assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
  }
  assert.equal((await shequ.post('/api/v1/accountability/actions', { failure_ref: ref, action: 'dismissal', reason: 'x' })).status, 403);
  assert.equal(await count('/api/v1/accountability/actions'), before);
  // naming the official by hand where the matrix has nobody
  const named = await admin.post('/api/v1/accountability/actions', { failure_ref: `report:${C2}:${P.from}`,
    action: 'suspension_for_inspection', reason: '连续漏报', unit: '第二社区居委会', official: '郑十' });
  assert.equal(named.status, 201, named.text);

  const b = await admin.get(`/api/v1/briefings?from=${P.from}&to=${P.to}`);
  assert.equal(b.json.actions, 2);
  const f = b.json.failures.find((x) => x.ref === ref);
  assert.deepEqual(f.actions.map((a) => [a.action, a.official, a.reason]), [['admonishment', '赵一', '密接未按时找到']]);
  assert.equal(b.json.failures.find((x) => x.ref === `report:${C2}:${P.from}`).actions[0].official, '郑十');
  const audit = await admin.get('/api/v1/audit?entity=acc_action');
  assert.equal(audit.json.items.filter((a) => a.action === 'create').length, 2, audit.text);
});

test('scope: a district-limited command user sees its own area only', async () => {
  const r = fangkong(['user', 'add', 'zhihui2', '--role', 'command', '--area', C2, '--data', srv.dataDir], { input: 'fangkong2022\n' });
  assert.equal(r.status, 0, r.stderr);
  const c2 = await login(srv.url, 'zhihui2');
  const b = await c2.get(`/api/v1/briefings?from=${P.from}&to=${P.to}`);
  assert.equal(b.status, 200, b.text);
  assert.deepEqual(b.json.failures.map((f) => f.ref).sort(), [
    `lead:${ids.L3}:closed`, `lead:${ids.L3}:controlled`, `lead:${ids.L3}:found`,
    `report:${C2}:${P.from}`, `report:${C2}:${addDays(P.from, 1)}`, `report:${C2}:${P.to}`].sort());
  const perf = await c2.get(`/api/v1/performance?from=${P.from}&to=${P.to}&level=community`);
  assert.deepEqual(perf.json.items.map((i) => i.area_code), [C2]);
  // outside its area: no action, no matrix change
  const act = await c2.post('/api/v1/accountability/actions', { failure_ref: `lead:${ids.L1}:found`, action: 'admonishment', reason: 'x' });
  assert.equal(act.status, 404, act.text);
  const set = await setResp(C, 'testing', '某单位', '某人', Date.now() - HOUR, c2);
  assert.equal(set.status, 403, set.text);
  assert.equal(set.json.error.field, 'area_code');
  assert.equal((await guest.get(`/api/v1/briefings?from=${P.from}&to=${P.to}`)).status, 403);
  assert.equal((await guest.get('/api/v1/accountability/actions')).status, 403);
});

test('`fangkong reports flag` lists the units missing at the deadline', async () => {
  const quiet = addDays(D, -5); // no report at all that day
  const edge = at(addDays(quiet, 1), 10);
  const after = fangkong(['reports', 'flag', '--now', iso(edge + 1000), '--data', srv.dataDir]);
  assert.equal(after.status, 0, after.stderr);
  const lines = after.stdout.trim().split('\n');
  assert.equal(lines[0], `3 of 3 units missing the daily report of ${quiet} (deadline ${iso(edge)})`);
  assert.deepEqual(lines.slice(1).map((l) => l.split(' ')[0]).sort(), [S, C, C2].sort());
  // one second before that deadline the day before is the one judged
  const before = fangkong(['reports', 'flag', '--now', iso(edge - 1000), '--data', srv.dataDir]);
  assert.match(before.stdout, new RegExp(`of ${addDays(quiet, -1)} `));
  // P.from's late report came days after its deadline: at the deadline it was missing
  const then = fangkong(['reports', 'flag', '--now', iso(at(addDays(P.from, 1), 10) + 1000), '--data', srv.dataDir]);
  assert.match(then.stdout, /^3 of 3 units missing/);
  assert.ok(then.stdout.includes(`${C} `), then.stdout);
});

test('`fangkong briefing` writes the same briefing as Chinese text and as XLSX', async () => {
  const r = fangkong(['briefing', '--from', P.from, '--to', P.to, '--data', srv.dataDir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /共发现问题 22 项，已作处理 2 项。/);
  assert.match(r.stdout, /一、线索排查管控超时（13 项）/);
  assert.match(r.stdout, /二、日报告迟报、漏报（9 项）/);
  assert.match(r.stdout, new RegExp(`线索 ${ids.L1}（${C}）“找到”环节.*责任人：赵一。处理：赵一 诫勉（密接未按时找到）`));
  assert.match(r.stdout, new RegExp(`${C2} ${P.from} 日报告漏报.*郑十 停职检查`));
  const out = `${srv.dataDir}/briefing.xlsx`;
  const x = fangkong(['briefing', '--from', P.from, '--to', P.to, '--out', out, '--data', srv.dataDir]);
  assert.equal(x.status, 0, x.stderr);
  const { readFileSync } = await import('node:fs');
  assert.equal(readFileSync(out).subarray(0, 2).toString(), 'PK');
  const bad = fangkong(['briefing', '--from', P.to, '--to', P.from, '--data', srv.dataDir]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^fangkong briefing: to: before from/);
});
