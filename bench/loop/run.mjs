#!/usr/bin/env node
// bench/loop/run.mjs - the closed loop at city scale (issue 4): a generated city with an
// outbreak, every case's contacts pushed as leads through the API (the timed step is
// the first PUSH of them; the rest stay under management), rooms allocated for ALLOC
// persons across FACILITIES facilities by CLIENTS concurrent batch requests (then the
// store is checked: not one room double-booked), transfer trips made and driven to
// arrival, every unit's performance and the briefing (its first page through the API, the
// whole of it as text from the CLI) computed as of the moment every open lead is overdue,
// and the escalation sweep run then. Prints the time of each step as `figure:` lines. The goal in the
// issue: each step under one second on this machine, and no room double-booked.
//
// Environment: PERSONS (200000), SEED (7), OUTBREAK (20 index cases), PUSH (100000),
// FACILITIES (500), ALLOC (50000), BATCH (500 persons a request), CLIENTS (8),
// SKIP_BUILD=1, SNAPSHOTS=1 (keep copies of the store after the push and before the sweep,
// in bench/out/loop/snap-push and snap-sweep, to replay one step on the same data),
// FROM=push (start from a copy of that store instead of the city and skip the push; SNAP
// names another snap-push directory, left untouched), UNTIL=push (stop after the push)
// or UNTIL=allocate (after the allocation and its double-booking check), PERF=file (perf
// record -g of the server during the allocation; PERF_PUSH=file the same during the
// timed push; PERF_CG=dwarf,16384 for DWARF call graphs), SERVER_LOG=file (the
// server's stderr), BIN=path (another fangkong binary, e.g. a baseline build). The
// push and the allocation also print the CPU seconds the server used in them (and the
// bench, for the allocation; and the server's by thread: the allocator's writer and the
// HTTP workers), the sweep its process's: steadier than wall times on a shared machine. The copy of the store is synced to disk before the timed steps.
// Everything it writes is under bench/out/loop/.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, cpSync, writeFileSync, readFileSync, createWriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'bench/out/loop');
const BIN = process.env.BIN || path.join(ROOT, 'build/release/fangkong');
const env = (k, d) => Number(process.env[k] || d);
const PERSONS = env('PERSONS', 200000), SEED = env('SEED', 7), OUTBREAK = env('OUTBREAK', 20);
const PUSH = env('PUSH', 100000), FACILITIES = env('FACILITIES', 500), ALLOC = env('ALLOC', 50000);
const BATCH = env('BATCH', 500), CLIENTS = env('CLIENTS', 8), TRIPS = env('TRIPS', 200);
const TRIP_SIZE = 10;

const say = (s) => process.stderr.write(`[loop] ${s}\n`);
const figures = [];
const figure = (name, value, unit) => { figures.push(`figure: ${name} ${value} ${unit}`); say(`${name} ${value} ${unit}`); };
const seconds = (t0) => Number(((performance.now() - t0) / 1000).toFixed(3));
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function run(args, opts = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  if (r.status !== 0) throw new Error(`fangkong ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function sql(db, q) {
  return execFileSync('sqlite3', [db, q], { encoding: 'utf8', maxBuffer: 1 << 28 }).trim();
}

// The city is generated once per (persons, seed, outbreak) and copied for each run.
function city() {
  const dir = path.join(OUT, `city-${PERSONS}-${SEED}-${OUTBREAK}`);
  if (!existsSync(path.join(dir, 'fangkong.db'))) {
    rmSync(dir, { recursive: true, force: true });
    say(`generating a city of ${PERSONS} persons with an outbreak of ${OUTBREAK} (once)`);
    const t0 = performance.now();
    run(['demo', '--persons', String(PERSONS), '--seed', String(SEED), '--days', '7',
      '--outbreak', String(OUTBREAK), '--data', dir]);
    say(`city generated in ${seconds(t0)} s`);
  }
  const data = path.join(OUT, 'run/data');
  rmSync(path.join(OUT, 'run'), { recursive: true, force: true });
  mkdirSync(path.dirname(data), { recursive: true });
  cpSync(dir, data, { recursive: true });
  execFileSync('sync'); // the copy's dirty pages out now, not in the first timed checkpoint
  return data;
}

async function serve(data) {
  const proc = spawn(BIN, ['serve', '--port', '0', '--data', data, '--sweep-interval', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  if (process.env.SERVER_LOG) proc.stderr.pipe(createWriteStream(process.env.SERVER_LOG));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
  return { url, pid: proc.pid, stop: () => proc.kill('SIGTERM'), stderr: () => err };
}

function api(url, token) {
  return async (method, p, body) => {
    const headers = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  };
}

async function login(url) {
  const res = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'fangkong2022' }) });
  return api(url, (await res.json()).token);
}

// Push the cases' contacts in case order: the first cases up to PUSH leads are timed.
async function pushLeads(call, db, pid) {
  const cases = sql(db, 'SELECT id FROM cases ORDER BY id').split('\n').map(Number);
  let pushed = 0, i = 0;
  const perf = await profile(pid, process.env.PERF_PUSH);
  const threads0 = threadCpu(pid), cpu0 = cpuOf(pid), t0 = performance.now();
  for (; i < cases.length && pushed < PUSH; i++)
    pushed += (await call('POST', `/api/v1/cases/${cases[i]}/leads?items=0`)).created;
  const timed = seconds(t0);
  say(`push cpu: server ${(cpuOf(pid) - cpu0).toFixed(2)} s`);
  say(`push cpu by server thread: ${threadCpuSpent(threads0, threadCpu(pid))}`);
  await perf.stop();
  figure('push_leads', pushed, 'leads');
  figure('push_seconds', timed, 's');
  figure('push_rate', Math.round(pushed / timed), 'leads/s');
  let rest = 0;
  for (; i < cases.length; i++)
    rest += (await call('POST', `/api/v1/cases/${cases[i]}/leads?items=0`)).created;
  figure('under_management', pushed + rest, 'leads');
  return pushed + rest;
}

// Run jobs on CLIENTS concurrent workers; resolves with their results in order.
async function pool(jobs, n = CLIENTS) {
  const out = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) { const i = next++; out[i] = await jobs[i](); }
  }));
  return out;
}

// FACILITIES facilities over the city's communities, rooms enough for ALLOC and a tenth.
async function facilities(call, db) {
  const communities = sql(db, "SELECT substr(grid_code, 1, 12) || ',' || avg(lon) || ',' || avg(lat) FROM buildings GROUP BY substr(grid_code, 1, 12) ORDER BY 1")
    .split('\n').map((l) => l.split(','));
  const rooms = Math.ceil((ALLOC * 1.1) / FACILITIES);
  const t0 = performance.now();
  await pool(Array.from({ length: FACILITIES }, (_, i) => async () => {
    const [code, lon, lat] = communities[i % communities.length];
    const f = await call('POST', '/api/v1/facilities', { name: `基准隔离点${i + 1}`, area_code: code,
      lon: Number(lon) + ((i * 7919) % 100 - 50) / 5000, lat: Number(lat) + ((i * 104729) % 100 - 50) / 5000 });
    await call('POST', `/api/v1/facilities/${f.id}/rooms`, { count: rooms, prefix: 'R' });
  }));
  say(`${FACILITIES} facilities with ${rooms} rooms each in ${seconds(t0)} s`);
}

// Rooms for ALLOC persons of close-contact leads, BATCH a request, CLIENTS at once.
async function allocate(call, db) {
  const rows = sql(db, `SELECT person_id || ',' || min(id) FROM leads WHERE person_id IS NOT NULL AND kind = 'close_contact' GROUP BY person_id ORDER BY min(id) LIMIT ${ALLOC}`)
    .split('\n').map((l) => l.split(',').map(Number));
  const batches = [];
  for (let i = 0; i < rows.length; i += BATCH)
    batches.push(rows.slice(i, i + BATCH).map(([person_id, lead_id]) => ({ person_id, lead_id })));
  const t0 = performance.now();
  const answers = await pool(batches.map((persons) => () => call('POST', '/api/v1/facilities/allocate', { persons })));
  const took = seconds(t0);
  const allocated = answers.flatMap((a) => a.items);
  figure('allocated_persons', allocated.length, 'persons');
  figure('allocation_seconds', took, 's');
  figure('allocation_rate', Math.round(allocated.length / took), 'persons/s');
  const doubles = Number(sql(db, "SELECT count(*) FROM (SELECT room_id FROM allocations WHERE state <> 'ended' AND primary_id IS NULL GROUP BY room_id HAVING count(*) > 1)"));
  const reserved = Number(sql(db, "SELECT count(*) FROM rooms WHERE state = 'reserved'"));
  const held = Number(sql(db, "SELECT count(DISTINCT room_id) FROM allocations WHERE state <> 'ended'"));
  figure('rooms_double_booked', doubles, 'rooms');
  figure('rooms_reserved_vs_held', reserved - held, 'rooms');
  if (doubles !== 0 || reserved !== held) throw new Error(`double booking: ${doubles} rooms, ${reserved} reserved vs ${held} held`);
  return { allocated, leadOf: new Map(rows) };
}

// TRIPS trips of TRIP_SIZE persons already holding rooms (one facility a trip): their
// leads located first (not timed), then trips made, everyone aboard, arrival (timed).
async function transfers(call, { allocated, leadOf }) {
  const byFacility = new Map();
  for (const a of allocated) byFacility.set(a.facility_id, [...(byFacility.get(a.facility_id) || []), a]);
  const groups = [];
  for (const list of byFacility.values())
    for (let i = 0; i + TRIP_SIZE <= list.length && groups.length < TRIPS; i += TRIP_SIZE) groups.push(list.slice(i, i + TRIP_SIZE));
  const district = sql(path.join(OUT, 'run/data/fangkong.db'), "SELECT code FROM areas WHERE level = 'district' LIMIT 1");
  await pool(groups.flat().map((a) => async () => {
    for (const state of ['received', 'found']) await call('PATCH', `/api/v1/leads/${leadOf.get(a.person_id)}`, { state });
  }));
  const crew = await call('POST', '/api/v1/transfers/crews', { name: '基准转运组', leader: '转运队长', area_code: district });
  const vans = await pool(groups.map((_, i) => () => call('POST', '/api/v1/transfers/vehicles', { plate: `基准${i + 1}`, seats: TRIP_SIZE, area_code: district })));
  const t0 = performance.now();
  await pool(groups.map((g, i) => async () => {
    const trip = await call('POST', '/api/v1/transfers', { vehicle_id: vans[i].id, crew_id: crew.id, lead_ids: g.map((a) => leadOf.get(a.person_id)) });
    for (const p of trip.pickups) await call('PATCH', `/api/v1/transfers/${trip.id}/pickups/${p.id}`, { state: 'aboard' });
    const done = await call('POST', `/api/v1/transfers/${trip.id}/arrive`);
    if (done.state !== 'arrived') throw new Error(`trip ${trip.id} is ${done.state}`);
  }));
  const took = seconds(t0);
  figure('trips', groups.length, 'trips');
  figure('trip_persons', groups.length * TRIP_SIZE, 'persons');
  figure('trips_seconds', took, 's');
}

// Every open lead overdue: the sweep as of 30 hours on (all three deadlines missed).
function escalate(data) {
  const c0 = childCpu(), t0 = performance.now();
  const out = run(['sweep', '--now', iso(Date.now() + 30 * 3600 * 1000), '--data', data]);
  const took = seconds(t0);
  say(`escalation cpu: ${(childCpu() - c0).toFixed(2)} s`);
  const raised = Number(out.match(/^lead_escalation (\d+)/m)[1]);
  figure('escalated_leads', raised, 'leads');
  figure('escalation_seconds', took, 's');
}

// Every unit's performance over the days the leads fall due (local dates, UTC+8 as the
// policy's reporting.utc_offset_h), at each level, and the briefing of the same days;
// the server is asked as of 30 hours on, when every open lead has missed its deadlines.
async function unitPerformance(call) {
  const local = (ms) => new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const from = local(Date.now()), to = local(Date.now() + 2 * 86400 * 1000), now = iso(Date.now() + 30 * 3600 * 1000);
  for (const level of ['community', 'street', 'district']) {
    const t0 = performance.now();
    const r = await call('GET', `/api/v1/performance?from=${from}&to=${to}&level=${level}&now=${now}`);
    figure(`performance_${level}_seconds`, seconds(t0), 's');
    if (level === 'community') figure('performance_units', r.items.length, 'units');
  }
  const t0 = performance.now();
  const b = await call('GET', `/api/v1/briefings?from=${from}&to=${to}&now=${now}`);
  figure('briefing_page_seconds', seconds(t0), 's');
  figure('briefing_failures', b.total, 'failures');
  return { from, to, now };
}

// The whole briefing of the same days as Chinese text, from the CLI (the server stopped).
function briefingText(data, { from, to, now }) {
  const out = path.join(OUT, 'briefing.txt');
  const t0 = performance.now();
  run(['briefing', '--from', from, '--to', to, '--now', now, '--out', out, '--data', data]);
  figure('briefing_text_seconds', seconds(t0), 's');
}

// A copy of the store as it is now (the server checkpoints nothing: copy the WAL too).
function snapshot(data, name) {
  if (!process.env.SNAPSHOTS) return;
  const dir = path.join(OUT, `snap-${name}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(data, dir, { recursive: true });
  say(`store kept in ${dir}`);
}

// CPU seconds (user + system) the process has used so far (Linux /proc, 100 ticks a second).
function cpuOf(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

// CPU seconds the finished children of this process used (cutime + cstime).
function childCpu() {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

// CPU seconds of each of the process's threads so far, by thread id (name: /proc comm).
function threadCpu(pid) {
  const out = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const [comm, rest] = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ');
      const f = rest.split(' ');
      out.set(tid, { name: comm.split(' (')[1], cpu: (Number(f[11]) + Number(f[12])) / 100 });
    } catch { /* the thread ended meanwhile */ }
  }
  return out;
}

// The threads that used CPU between two threadCpu readings, busiest first.
function threadCpuSpent(before, after) {
  return [...after].map(([tid, t]) => ({ tid, name: t.name, cpu: t.cpu - (before.get(tid)?.cpu || 0) }))
    .filter((t) => t.cpu > 0).sort((a, b) => b.cpu - a.cpu)
    .map((t) => `${t.name}/${t.tid} ${t.cpu.toFixed(2)}`).join(', ');
}

// PERF=file: `perf record -g` of the server during the allocation only, into file
// (PERF_PUSH=file: during the timed push only).
async function profile(pid, file = process.env.PERF) {
  if (!file) return { stop: async () => {} };
  const graph = process.env.PERF_CG ? ['--call-graph', process.env.PERF_CG] : ['-g'];
  const p = spawn('perf', ['record', ...graph, '-o', file, '-p', String(pid)], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000)); // perf attached before the first request
  return { stop: () => new Promise((r) => { p.on('exit', r); p.kill('SIGINT'); }) };
}

// FROM=push: a copy of the store kept after the push (SNAP, else bench/out/loop/snap-push).
function fromPush() {
  const snap = process.env.SNAP || path.join(OUT, 'snap-push');
  if (!existsSync(path.join(snap, 'fangkong.db'))) throw new Error(`no store in ${snap}`);
  const data = path.join(OUT, 'run/data');
  rmSync(path.join(OUT, 'run'), { recursive: true, force: true });
  mkdirSync(path.dirname(data), { recursive: true });
  cpSync(snap, data, { recursive: true });
  execFileSync('sync');
  say(`store copied from ${snap}`);
  return data;
}

async function main() {
  if (!process.env.SKIP_BUILD) execFileSync('make', ['-C', ROOT, '-j2', 'MODE=release'], { stdio: 'ignore' });
  const replay = process.env.FROM === 'push';
  const data = replay ? fromPush() : city();
  const db = path.join(data, 'fangkong.db');
  const srv = await serve(data);
  try {
    const call = await login(srv.url);
    if (!replay) {
      await pushLeads(call, db, srv.pid);
      snapshot(data, 'push');
      if (process.env.UNTIL === 'push') {
        writeFileSync(path.join(OUT, 'figures.txt'), figures.join('\n') + '\n');
        console.log(figures.join('\n'));
        return;
      }
    }
    await facilities(call, db);
    const perf = await profile(srv.pid), cpu0 = cpuOf(srv.pid), node0 = process.cpuUsage();
    const threads0 = threadCpu(srv.pid);
    const held = await allocate(call, db);
    const node1 = process.cpuUsage(node0);
    say(`allocation cpu: server ${(cpuOf(srv.pid) - cpu0).toFixed(2)} s, bench ${((node1.user + node1.system) / 1e6).toFixed(2)} s`);
    say(`allocation cpu by server thread: ${threadCpuSpent(threads0, threadCpu(srv.pid))}`);
    await perf.stop();
    if (process.env.UNTIL === 'allocate') {
      writeFileSync(path.join(OUT, 'figures.txt'), figures.join('\n') + '\n');
      console.log(figures.join('\n'));
      return;
    }
    await transfers(call, held);
    const period = await unitPerformance(call);
    srv.stop();
    await new Promise((r) => setTimeout(r, 500));
    briefingText(data, period);
    snapshot(data, 'sweep');
    escalate(data);
  } finally {
    srv.stop();
  }
  writeFileSync(path.join(OUT, 'figures.txt'), figures.join('\n') + '\n');
  console.log(figures.join('\n'));
}

main().catch((e) => { say(`error: ${e.stack || e}`); process.exit(1); });
