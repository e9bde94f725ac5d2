// The trace index snapshot across restarts (services/tracing.h): the snapshot keeps the
// store ids it holds (its marks), so a restarted server, and every `fangkong trace`, maps
// it and extends it with what was imported meanwhile instead of rebuilding from the
// whole store. The answers must stay those of an index built from scratch. The server's
// log and the CLI's --timing line say which way the index was taken.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync,
  writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fangkong, login, makeDemo, serve } from '../lib/server.mjs';

const WIN = { from: '2022-05-01T00:00:00Z', to: '2022-05-02T00:00:00Z' };
const SNAP = 'trace-1800.snap'; // v9's ping gap

let dir, data, person;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fangkong-snapshot-'));
  data = makeDemo(300, 11); // no movement: the stays below are the only ones
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

function importFile(kind, name, lines, dataDir = data) {
  const p = path.join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  const r = fangkong(['import', kind, p, '--data', dataDir]);
  assert.equal(r.status, 0, r.stderr);
}

// A companion of the case's subject in cell `cell`: one hour with the case, and 48 h of
// the contact's own there within the lookback (the dwell rule).
function companionStays(caseSubject, contact, cell, hour) {
  const h = String(hour).padStart(2, '0'), h1 = String(hour + 1).padStart(2, '0');
  return [
    `${caseSubject},${cell},2022-05-01T${h}:00:00Z,2022-05-01T${h1}:00:00Z`,
    `${contact},${cell},2022-05-01T${h}:30:00Z,2022-05-01T${h1}:30:00Z`,
    `${contact},${cell},2022-04-20T00:00:00Z,2022-04-22T00:00:00Z`,
  ];
}

const companions = (r) => r.json.items.filter((x) => x.kind === 'companion')
  .map((x) => [x.contact, x.place, x.overlap_seconds]);
const leftovers = (d) => readdirSync(d).filter((f) => f.includes('.tmp'));

test('a restarted server maps its snapshot and extends it with what was imported while it was down', async () => {
  let srv = await serve(data);
  let q;
  try {
    const api = await login(srv.url, 'liudiao');
    person = (await api.get('/api/v1/persons?limit=50')).json.items.find((x) => x.phone);
    const c = await api.post('/api/v1/cases', { person_id: person.id, classification: 'asymptomatic',
      reported_at: '2022-05-02T10:00:00Z', sampling_date: '2022-05-02', source: 'community_screening' });
    assert.equal(c.status, 201, c.text);
    q = `/api/v1/cases/${c.json.id}/contacts/discover`;
    importFile('stays', 'stays-1.csv', ['subject,cell,start,end', ...companionStays(person.phone, '13900000001', 'G7', 8)]);
    const r1 = await api.post(q, WIN);
    assert.equal(r1.status, 200, r1.text);
    assert.deepEqual(companions(r1), [['13900000001', 'G7', 1800]]);
    assert.match(srv.stderr(), /info tracing: index built: 3 records and 0 detections/);
  } finally {
    await srv.stop();
  }
  assert.ok(existsSync(path.join(data, SNAP)), 'snapshot written');

  // while the server is down: a companion and a proximity contact found only in new files
  importFile('stays', 'stays-2.csv', ['subject,cell,start,end', ...companionStays(person.id_number, '13900000002', 'G8', 11)]);
  const t0 = Date.parse('2022-05-01T15:00:00Z') / 1000;
  importFile('proximity', 'proximity-2.csv', ['a,b,time',
    ...Array.from({ length: 60 }, (_, i) => `${person.phone},13900000003,${t0 + 20 * i}`)]);

  srv = await serve(data);
  try {
    const api = await login(srv.url, 'liudiao');
    const r2 = await api.post(q, WIN);
    assert.equal(r2.status, 200, r2.text);
    assert.deepEqual(companions(r2), [['13900000001', 'G7', 1800], ['13900000002', 'G8', 1800]]);
    const prox = r2.json.items.filter((x) => x.kind === 'proximity').map((x) => [x.contact, x.overlap_seconds]);
    assert.deepEqual(prox, [['13900000003', 1200]]); // 60 detections 20 s apart: [t0 - 20, t0 + 1180)
    const log = srv.stderr();
    assert.match(log, new RegExp(`info tracing: index extended from snapshot \\S*${SNAP}: 6 records and 60 detections \\(3 stays and 60 detections added\\)`));
    assert.doesNotMatch(log, /index built/);
  } finally {
    await srv.stop();
  }
  assert.deepEqual(leftovers(data), []);
});

function trace(dataDir, extra = []) {
  const r = fangkong(['trace', '--case', person.phone, '--from', WIN.from, '--to', WIN.to, '--secondary',
    '--format', 'json', '--timing', '--data', dataDir, ...extra]);
  assert.equal(r.status, 0, r.stderr);
  const timing = r.stderr.match(/^timing: records (\d+) detections (\d+) index_bytes \d+ load_build_seconds [\d.]+ query_seconds [\d.]+ index_from (\w+) snapshot_save_seconds [\d.]+$/m);
  assert.ok(timing, r.stderr);
  return { rows: JSON.parse(r.stdout), from: timing[3], records: +timing[1], stderr: r.stderr };
}

test('fangkong trace takes the index the same way, and answers as an index built from scratch', () => {
  assert.ok(person, 'runs after the server test');
  // the server saved the extended index: current, mapped as it is
  const mapped = trace(data);
  assert.equal(mapped.from, 'snapshot');
  assert.deepEqual(mapped.rows.filter((x) => x.kind !== 'household').map((x) => [x.contact, x.kind, x.place]), [
    ['13900000001', 'companion', 'G7'], ['13900000002', 'companion', 'G8'], ['13900000003', 'proximity', '']]);

  // new stays: extended from the snapshot (and saved), then mapped as it is
  importFile('stays', 'stays-3.csv', ['subject,cell,start,end', ...companionStays(person.phone, '13900000004', 'G9', 18)]);
  const extended = trace(data);
  assert.equal(extended.from, 'extended');
  assert.match(extended.stderr, /index extended from snapshot .*\(3 stays and 0 detections added\)/);
  assert.ok(extended.rows.some((x) => x.contact === '13900000004' && x.place === 'G9'));
  const again = trace(data);
  assert.equal(again.from, 'snapshot');
  assert.deepEqual(again.rows, extended.rows);
  assert.equal(again.records, 9);

  // the same store without a snapshot: built, the same rows
  const fresh = path.join(dir, 'fresh');
  mkdirSync(fresh);
  for (const f of readdirSync(data).filter((x) => x.startsWith('fangkong.db'))) copyFileSync(path.join(data, f), path.join(fresh, f));
  const built = trace(fresh);
  assert.equal(built.from, 'built');
  assert.deepEqual(built.rows, extended.rows);
  assert.ok(existsSync(path.join(fresh, SNAP)), 'the CLI saves what it built');

  // a snapshot of format 1 (before marks): refused with a log line, rebuilt, replaced
  const snap = path.join(data, SNAP);
  const bytes = readFileSync(snap);
  bytes.writeUInt32LE(1, 8);
  writeFileSync(snap, bytes);
  const old = trace(data);
  assert.equal(old.from, 'built');
  assert.match(old.stderr, /warn tracing: trace snapshot \S+ refused: \S+ snapshot format 1, this build reads \d+/);
  assert.deepEqual(old.rows, extended.rows);
  assert.equal(trace(data).from, 'snapshot');

  // new pings: a ping's presence runs to the next ping of its subject, so pings that
  // come after their subject's last held one only add presence, and extend the index
  const at = (iso) => Date.parse(iso) / 1000;
  const pings = (subject, from, to) => {
    const out = [];
    for (let t = at(from); t <= at(to); t += 1200) out.push(`${subject},${t},104.06,30.67`);
    return out;
  };
  const asBuilt = (d) => {   // the rows of a copy of d's store without a snapshot
    const copy = path.join(dir, `copy-${Date.now()}`);
    mkdirSync(copy);
    for (const f of readdirSync(d).filter((x) => x.startsWith('fangkong.db'))) copyFileSync(path.join(d, f), path.join(copy, f));
    const b = trace(copy);
    assert.equal(b.from, 'built');
    return b.rows;
  };
  importFile('pings', 'pings-1.csv', ['subject,time,lon,lat', ...pings('13900000005', '2022-04-20T00:00:00Z', '2022-04-22T00:00:00Z')]);
  const dwell = trace(data);
  assert.equal(dwell.from, 'extended');
  assert.deepEqual(dwell.rows, extended.rows);   // 48 h of the contact's, alone
  importFile('pings', 'pings-2.csv', ['subject,time,lon,lat',
    ...pings(person.phone, '2022-05-01T12:00:00Z', '2022-05-01T13:20:00Z'),
    ...pings('13900000005', '2022-05-01T12:00:00Z', '2022-05-01T13:20:00Z')]);
  const met = trace(data);
  assert.equal(met.from, 'extended');
  assert.ok(met.rows.some((x) => x.contact === '13900000005' && x.kind === 'companion' &&
    x.place.startsWith('G800:') && x.overlap_seconds === 4800), JSON.stringify(met.rows));
  assert.deepEqual(met.rows, asBuilt(data));
  // a ping older than its subject's last held one changes a held piece: built again
  importFile('pings', 'pings-3.csv', ['subject,time,lon,lat', `13900000005,${at('2022-04-25T00:00:00Z')},104.06,30.67`]);
  const late = trace(data);
  assert.equal(late.from, 'built');
  assert.match(late.stderr, /not extended \(a new ping of 13900000005 is older than its last one in the index\): building/);
  assert.deepEqual(late.rows, asBuilt(data));
  assert.deepEqual(leftovers(data), []);
});

// The CLI used to load only the records of its window, so a detection (or a ping) just
// after --to was missing and an event running past --to ended at its last detection
// before it; the server, which holds every record, clipped it at --to. Both now answer
// from the whole index: the event [15:00:00 - 20 s, 15:19:40) counts up to 15:16:00.
test('a proximity event running past --to counts up to --to, in the CLI as in the server', async () => {
  assert.ok(person, 'runs after the tests above');
  const win = { from: WIN.from, to: '2022-05-01T15:16:00Z' };
  const r = fangkong(['trace', '--case', person.phone, '--from', win.from, '--to', win.to, '--data', data]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.split('\n').includes(`${person.phone},13900000003,proximity,,2022-05-01T14:59:40Z,980`), r.stdout);
  const srv = await serve(data);
  try {
    const api = await login(srv.url, 'liudiao');
    const c = (await api.get(`/api/v1/cases?person_id=${person.id}`)).json.items[0];
    const d = await api.post(`/api/v1/cases/${c.id}/contacts/discover`, win);
    assert.equal(d.status, 200, d.text);
    const prox = d.json.items.filter((x) => x.kind === 'proximity').map((x) => [x.contact, x.start, x.overlap_seconds]);
    assert.deepEqual(prox, [['13900000003', '2022-05-01T14:59:40Z', 980]]);
  } finally {
    await srv.stop();
  }
});
