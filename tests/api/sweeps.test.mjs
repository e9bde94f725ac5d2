// The timed duties and the batch side of the leads queue: the server's sweeper thread
// escalates an overdue lead with nobody looking at the queue; `fangkong sweep` runs the
// same duties once as of a given time; `fangkong leads push` turns the discovered
// contacts of cases into leads (once); `fangkong leads export` writes a unit's queue,
// audited, and a bad request changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, login, fangkong } from '../lib/server.mjs';

let srv, admin, liudiao, shequ, mine;
before(async () => {
  // a city with movement and an outbreak, so that cases have contacts to discover
  srv = await startServer({ persons: 3000, seed: 3, days: 7, sweepInterval: 1 });
  [admin, liudiao, shequ] = await Promise.all(['admin', 'liudiao', 'shequ'].map((u) => login(srv.url, u)));
  mine = (await shequ.get('/api/v1/me')).json.area_code;
});
after(async () => { await srv.stop(); });

const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function leadCount() {
  return (await admin.get('/api/v1/leads?limit=1')).json.total;
}

test('the sweeper escalates an overdue lead without anyone listing the queue', async () => {
  const c = await liudiao.post('/api/v1/leads', { kind: 'traveler', subject: '13900000191', area_code: mine,
    pushed_at: iso(Date.now() - 30 * HOUR) });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.escalation_level, 0);
  // only reads of the one lead from here on: they never sweep
  let got;
  for (let i = 0; i < 100; i++) {
    got = (await shequ.get(`/api/v1/leads/${c.json.id}`)).json;
    if (got.escalation_level === 3) break;
    await sleep(200);
  }
  assert.deepEqual([got.escalation_level, got.escalated_to], [3, 'command'], 'raised within 20 s by a 1 s sweeper');
  const esc = got.events.filter((e) => e.note.startsWith('escalated'));
  assert.equal(esc.length, 1, 'one raise straight to command: three deadlines missed');
  assert.equal(esc[0].actor, 'system');
});

test('`fangkong sweep --now` runs every duty once and a second run changes nothing', async () => {
  const c = await liudiao.post('/api/v1/leads', { kind: 'missed_test', subject: '13900000192', area_code: mine });
  assert.equal(c.status, 201, c.text);
  const later = iso(Date.now() + 3 * HOUR); // past found_by (2 h), before controlled_by (8 h)
  const run = () => {
    const r = fangkong(['sweep', '--now', later, '--data', srv.dataDir]);
    assert.equal(r.status, 0, r.stderr);
    return Number(r.stdout.match(/^lead_escalation (\d+)$/m)[1]);
  };
  assert.ok(run() >= 1);
  assert.equal(run(), 0);
  const got = (await shequ.get(`/api/v1/leads/${c.json.id}`)).json;
  assert.deepEqual([got.escalation_level, got.escalated_to], [1, 'street']);
  const bad = fangkong(['sweep', '--now', 'yesterday', '--data', srv.dataDir]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^fangkong sweep: .*now/);
});

test('`fangkong leads push` turns the discovered contacts of cases into leads, once', async () => {
  const cases = (await admin.get('/api/v1/cases?limit=3')).json.items;
  assert.ok(cases.length >= 2, 'the demo outbreak has cases');
  const before = await leadCount();
  const args = ['leads', 'push', '--discover', '--data', srv.dataDir, ...cases.flatMap((k) => ['--case', String(k.id)])];
  const r = fangkong(args);
  assert.equal(r.status, 0, r.stderr);
  const per = [...r.stdout.matchAll(/^case (\d+): (\d+) leads pushed$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.deepEqual(per.map(([id]) => id), cases.map((k) => k.id));
  const pushed = per.reduce((s, [, n]) => s + n, 0);
  assert.ok(pushed > 0, 'the outbreak cases have contacts');
  assert.equal(await leadCount(), before + pushed);
  // each case's leads are its stored, undismissed contacts
  for (const [id, n] of per) {
    const contacts = (await liudiao.get(`/api/v1/cases/${id}/contacts`)).json.items;
    const leads = (await admin.get(`/api/v1/leads?case_id=${id}&limit=1000`)).json;
    assert.ok(leads.total >= n);
    assert.ok(leads.total <= contacts.length, `case ${id}: no more leads than contacts`);
  }
  const again = fangkong(args);
  assert.equal(again.status, 0, again.stderr);
  assert.ok([...again.stdout.matchAll(/: (\d+) leads pushed/g)].every((m) => m[1] === '0'), again.stdout);
  assert.equal(await leadCount(), before + pushed);
  const bad = fangkong(['leads', 'push', '--case', '99999999', '--data', srv.dataDir]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /case 99999999 does not exist/);
  assert.equal(await leadCount(), before + pushed);
});

test('a batch push through the API answers the count and the ids of the new leads', async () => {
  // a new case with a household to push
  const ours = (await admin.get(`/api/v1/persons?limit=1000&community_code=${mine}`)).json.items.filter((p) => p.household_id);
  const counts = new Map();
  for (const p of ours) counts.set(p.household_id, (counts.get(p.household_id) || 0) + 1);
  const index = ours.find((p) => counts.get(p.household_id) >= 2);
  const c = await liudiao.post('/api/v1/cases', { person_id: index.id, classification: 'confirmed', severity: 'mild',
    reported_at: iso(Date.now() - HOUR), sampling_date: iso(Date.now() - HOUR).slice(0, 10), source: 'community_screening' });
  assert.equal(c.status, 201, c.text);
  const k = c.json;
  assert.equal((await liudiao.post(`/api/v1/cases/${k.id}/contacts/discover`, {})).status, 200);
  const r = await liudiao.post(`/api/v1/cases/${k.id}/leads?items=0`);
  assert.equal(r.status, 201, r.text);
  const made = (await admin.get(`/api/v1/leads?case_id=${k.id}&limit=1000`)).json.items.map((l) => l.id).sort((a, b) => a - b);
  assert.ok(made.length > 0);
  assert.deepEqual(r.json, { created: made.length, first_id: made[0], last_id: made.at(-1) });
  assert.equal(made.at(-1) - made[0] + 1, made.length, 'consecutive ids');
  assert.equal((await liudiao.post(`/api/v1/cases/${k.id}/leads?items=2`)).status, 400);
});

test('`fangkong leads export` writes a unit\'s queue, audited', async () => {
  const file = path.join(tmpdir(), `fangkong-queue-${process.pid}.csv`);
  try {
    const r = fangkong(['leads', 'export', file, '--area', mine, '--data', srv.dataDir]);
    assert.equal(r.status, 0, r.stderr);
    const rows = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(rows[0].split(',')[0], 'id');
    const queue = (await admin.get(`/api/v1/leads?area=${mine}&limit=1000`)).json;
    assert.equal(rows.length - 1, queue.total);
    assert.match(r.stdout, new RegExp(`exported ${queue.total} leads`));
    // the queue's own order (soonest deadline first), in one pass
    const ids = rows.slice(1).map((l) => Number(l.split(',')[0]));
    assert.deepEqual(ids.slice(0, queue.items.length), queue.items.map((l) => l.id));
    const audit = (await admin.get('/api/v1/audit?entity=lead&limit=1000')).json.items;
    assert.ok(audit.some((a) => a.action === 'export' && a.actor.startsWith('cli:') &&
      a.detail.includes(`area=${mine}`) && a.detail.endsWith(`exported=${queue.total}`)), 'the export is audited once');
    const none = fangkong(['leads', 'export', file, '--data', srv.dataDir, '--now', 'soon']);
    assert.equal(none.status, 1);
  } finally { rmSync(file, { force: true }); }
});
