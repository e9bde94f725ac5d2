// server.mjs - start a real fangkong server for API and browser tests.
//
// startServer({ persons, seed, days, dataDir, demo }) generates a demo city into a fresh
// temporary data directory (unless demo: false or dataDir is given), starts
// `fangkong serve --port 0` and resolves once it prints its URL. stop() sends SIGTERM
// and rejects if the server did not exit cleanly or a sanitizer reported anything;
// kill9() kills it without warning (for durability tests).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const bin = path.resolve(root, process.env.FANGKONG_BIN || 'build/release/fangkong');
export const DEMO_PASSWORD = 'fangkong2022';

const SANITIZER_MARKS = /AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer/;

export function fangkong(args, { input, env } = {}) {
  const r = spawnSync(bin, args, { input, encoding: 'utf8', env: { ...process.env, ...env } });
  if (SANITIZER_MARKS.test(r.stderr)) throw new Error(`sanitizer report from fangkong ${args.join(' ')}:\n${r.stderr}`);
  return r;
}

// days: days of demo movement (and its outbreak); 0 by default, so a test's own stays and
// cases are the only ones (the CLI's default is 7 days).
export function makeDemo(persons = 2000, seed = 1, days = 0) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fangkong-api-'));
  const r = fangkong(['demo', '--persons', String(persons), '--seed', String(seed), '--days', String(days),
    '--data', dataDir]);
  if (r.status !== 0) throw new Error(`demo failed: ${r.stderr}`);
  return dataDir;
}

export async function serve(dataDir, extra = []) {
  const proc = spawn(bin, ['serve', '--port', '0', '--data', dataDir, '--web', path.join(root, 'web'), ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s; stdout: ${out}; stderr: ${stderr}`)), 60000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${stderr}`)); });
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    url, proc, dataDir,
    stderr: () => stderr,
    async stop() {
      proc.kill('SIGTERM');
      const { code } = await exited;
      if (code !== 0 || SANITIZER_MARKS.test(stderr)) throw new Error(`server exit ${code}:\n${stderr}`);
    },
    async kill9() {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

// sweepInterval: seconds between the server's timed duties (lead escalation...); 0 (the
// default here) turns them off, so that no test sees a lead escalate behind its back.
export async function startServer({ persons = 2000, seed = 1, days = 0, dataDir, demo = true, sweepInterval = 0 } = {}) {
  const dir = dataDir || (demo ? makeDemo(persons, seed, days) : mkdtempSync(path.join(tmpdir(), 'fangkong-api-')));
  const srv = await serve(dir, ['--sweep-interval', String(sweepInterval)]);
  const stop = srv.stop;
  srv.stop = async () => { try { await stop(); } finally { if (!dataDir) rmSync(dir, { recursive: true, force: true }); } };
  return srv;
}

// A tiny API client bound to one server.
export function client(url, token) {
  async function call(method, p, body, headers = {}) {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    let payload = body;
    if (body !== undefined && typeof body !== 'string') { payload = JSON.stringify(body); h['Content-Type'] = 'application/json'; }
    const res = await fetch(url + p, { method, headers: h, body: payload });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return { status: res.status, json, text, headers: res.headers };
  }
  return {
    get: (p, h) => call('GET', p, undefined, h),
    post: (p, b, h) => call('POST', p, b, h),
    put: (p, b) => call('PUT', p, b),
    patch: (p, b) => call('PATCH', p, b),
    del: (p) => call('DELETE', p),
    raw: call,
  };
}

export async function login(url, username, password = DEMO_PASSWORD) {
  const r = await client(url).post('/api/v1/session', { username, password });
  if (r.status !== 201) throw new Error(`login ${username}: ${r.status} ${r.text}`);
  return client(url, r.json.token);
}
