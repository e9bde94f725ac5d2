// Contact discovery through the CLI: stays imported into an empty data directory, then
// `fangkong trace` finds the time-space companions by the policy's rule (v9 with
// Chengdu's local override: 600 s overlap, 30 h dwell within 14 days).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fangkong } from '../lib/server.mjs';

let dir, data;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fangkong-trace-'));
  data = path.join(dir, 'data'); // does not exist yet: the import creates it
});
after(() => rmSync(dir, { recursive: true, force: true }));

const CASE = '13800000001';
const stays = [
  // G1: the case 08:00-09:00; A overlaps exactly 600 s, B one second less.
  [CASE, 'G1', '2022-05-01T08:00:00Z', '2022-05-01T09:00:00Z'],
  ['13800000002', 'G1', '2022-05-01T08:50:00Z', '2022-05-01T09:30:00Z'],
  ['13800000003', 'G1', '2022-05-01T08:50:01Z', '2022-05-01T09:30:00Z'],
  // the case lives in G1: 32 h there within the 14 days before the window's end
  [CASE, 'G1', '2022-04-25T00:00:00Z', '2022-04-25T16:00:00Z'],
  [CASE, 'G1', '2022-04-26T00:00:00Z', '2022-04-26T16:00:00Z'],
  // G2: a long overlap, but neither side dwells 30 h there: no companion.
  [CASE, 'G2', '2022-05-01T12:00:00Z', '2022-05-01T13:00:00Z'],
  ['13800000004', 'G2', '2022-05-01T12:00:00Z', '2022-05-01T13:00:00Z'],
  // G3: E dwells 48 h there (the contact's side meets the dwell); F's 40 h were 21 days ago.
  [CASE, 'G3', '2022-05-01T14:00:00+08:00', '2022-05-01T15:00:00+08:00'],
  ['13800000005', 'G3', '2022-05-01T14:00:00+08:00', '2022-05-01T15:00:00+08:00'],
  ['13800000005', 'G3', '2022-04-20T00:00:00Z', '2022-04-22T00:00:00Z'],
  ['13800000006', 'G3', '2022-05-01T06:00:00Z', '2022-05-01T06:15:00Z'],
  ['13800000006', 'G3', '2022-04-10T00:00:00Z', '2022-04-11T16:00:00Z'],
];

function csv(rows) {
  return ['subject,cell,start,end', ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

test('stays import into an empty data directory and refuse bad rows whole', () => {
  const bad = path.join(dir, 'bad.csv');
  writeFileSync(bad, csv([...stays.slice(0, 2), [CASE, 'G9', '2022-05-01T10:00:00Z', '2022-05-01T09:00:00Z'],
    ['x', 'G9', 'yesterday', '2022-05-01T09:00:00Z']]));
  const r = fangkong(['import', 'stays', bad, '--data', data]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /row 4, field end: .*after start/);
  assert.match(r.stdout, /row 5, field start:/);
  const good = path.join(dir, 'stays.csv');
  writeFileSync(good, csv(stays));
  const ok = fangkong(['import', 'stays', good, '--data', data]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`imported ${stays.length} of ${stays.length}`));
});

test('trace prints the companions by the policy rule, with evidence, sorted', () => {
  const r = fangkong(['trace', '--case', CASE, '--from', '2022-05-01T00:00:00Z', '--to', '2022-05-02T00:00:00Z', '--data', data]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), [
    'case,contact,kind,place,start,overlap_seconds',
    `${CASE},13800000002,companion,G1,2022-05-01T08:50:00Z,600`,
    `${CASE},13800000005,companion,G3,2022-05-01T06:00:00Z,3600`,
  ]);
});

test('the window clips overlaps (G1 keeps 300 s, too short); JSON output', () => {
  const r = fangkong(['trace', '--case', CASE, '--from', '2022-05-01T05:00:00Z', '--to', '2022-05-01T08:55:00Z', '--format', 'json', '--data', data]);
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout);
  assert.deepEqual(rows.map((x) => [x.contact, x.place, x.overlap_seconds]), [['13800000005', 'G3', 3600]]);
});

test('a policy without companions finds none; bad arguments are one line', () => {
  const m = fangkong(['trace', '--case', CASE, '--from', '2022-05-01T00:00:00Z', '--to', '2022-05-02T00:00:00Z', '--data', data, '--policy', 'x10']);
  assert.equal(m.status, 0, m.stderr);
  assert.deepEqual(m.stdout.trim().split('\n'), ['case,contact,kind,place,start,overlap_seconds']);
  const t = fangkong(['trace', '--case', CASE, '--from', 'soon', '--to', '2022-05-02T00:00:00Z', '--data', data]);
  assert.equal(t.status, 1);
  assert.match(t.stderr, /^fangkong trace: from:/);
});

test('the API discovers the companions of a case from the stays, and sees new imports', async () => {
  const { startServer, login } = await import('../lib/server.mjs');
  const srv = await startServer({ persons: 800, seed: 5 });
  try {
    const api = await login(srv.url, 'liudiao');
    const p = (await api.get('/api/v1/persons?limit=50')).json.items.find((x) => x.phone);
    const c = await api.post('/api/v1/cases', { person_id: p.id, classification: 'asymptomatic',
      reported_at: '2022-05-02T10:00:00Z', sampling_date: '2022-05-02', source: 'community_screening' });
    assert.equal(c.status, 201, c.text);
    const rows = (subject, cell, s, e) => [subject, cell, s, e];
    const first = path.join(dir, 'api-stays-1.csv');
    writeFileSync(first, csv([
      rows(p.phone, 'G7', '2022-05-01T08:00:00Z', '2022-05-01T09:00:00Z'),
      rows(p.phone, 'G7', '2022-04-28T00:00:00Z', '2022-04-29T08:00:00Z'), // 32 h dwell
      rows('13900000001', 'G7', '2022-05-01T08:30:00Z', '2022-05-01T10:00:00Z'),
      rows(p.id_number, 'G8', '2022-05-01T11:00:00Z', '2022-05-01T12:00:00Z'),
    ]));
    assert.equal(fangkong(['import', 'stays', first, '--data', srv.dataDir]).status, 0);
    const q = `/api/v1/cases/${c.json.id}/contacts/discover`;
    const win = { from: '2022-05-01T00:00:00Z', to: '2022-05-02T00:00:00Z' };
    const companions = (r) => r.json.items.filter((x) => x.kind === 'companion');
    const r1 = await api.post(q, win);
    assert.equal(r1.status, 200, r1.text);
    assert.deepEqual(companions(r1).map((x) => [x.contact, x.kind, x.place, x.start, x.overlap_seconds, x.source]),
      [['13900000001', 'companion', 'G7', '2022-05-01T08:30:00Z', 1800, 'stays']]);

    // a later import: the case's ID number was in G8 with someone who lives there
    const second = path.join(dir, 'api-stays-2.csv');
    writeFileSync(second, csv([
      rows('13900000002', 'G8', '2022-05-01T11:30:00Z', '2022-05-01T12:30:00Z'),
      rows('13900000002', 'G8', '2022-04-20T00:00:00Z', '2022-04-22T00:00:00Z'),
    ]));
    assert.equal(fangkong(['import', 'stays', second, '--data', srv.dataDir]).status, 0);
    const r2 = await api.post(q, win);
    assert.deepEqual(companions(r2).map((x) => [x.contact, x.place, x.overlap_seconds]),
      [['13900000001', 'G7', 1800], ['13900000002', 'G8', 1800]]);
    // what discovery found is stored: the list reads the same rows
    const stored = await api.get(`/api/v1/cases/${c.json.id}/contacts`);
    assert.deepEqual(stored.json.items.map((x) => x.id), r2.json.items.map((x) => x.id));

    const shequ = await login(srv.url, 'shequ');
    assert.equal((await shequ.post(q, win)).status, 403);
    assert.equal((await api.post(q, { from: 'soon' })).status, 400);
    assert.equal((await api.post(q, { from: win.from, window: 3 })).status, 400);
    const admin = await login(srv.url, 'admin');
    const audit = await admin.get(`/api/v1/audit?entity=case&entity_id=${c.json.id}&actor=liudiao`);
    assert.ok(audit.json.items.some((x) => x.action === 'trace'));

    // the index was saved as a snapshot; a second server maps it and answers the same
    const snap = path.join(srv.dataDir, 'trace-1800.snap');
    assert.ok(existsSync(snap), 'snapshot written');
    const { serve } = await import('../lib/server.mjs');
    const again = await serve(srv.dataDir);
    try {
      const api2 = await login(again.url, 'liudiao');
      const r3 = await api2.post(q, win);
      assert.deepEqual(companions(r3).map((x) => [x.contact, x.place, x.overlap_seconds]),
        companions(r2).map((x) => [x.contact, x.place, x.overlap_seconds]));
    } finally {
      await again.stop();
    }
  } finally {
    await srv.stop();
  }
});
