// The server's worker threads under many connections ready at once (src/http/server.c,
// "the workers"): libmicrohttpd 0.9.75's own thread left a daemon's connections unanswered
// for up to the connection timeout (60 s) when exactly 128 of them were ready in the same
// wake-up. One worker, 128 keep-alive connections, each with a request sent while the
// server is stopped (SIGSTOP): when it continues, all 128 are ready at once. Every one
// must be answered; the check gives them 20 s, a third of the minute they waited before.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve } from '../lib/server.mjs';

const CONNS = 128; // libmicrohttpd's batch of epoll events (MAX_EVENTS)
const GRACE_MS = 20000;

let srv;
let dir;
after(async () => {
  if (srv) await srv.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A keep-alive connection that counts the complete answers read on it.
function open(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    s.answers = 0;
    let buf = '';
    s.on('data', (d) => {
      buf += d;
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) break;
        const len = Number((/content-length:\s*(\d+)/i.exec(buf.slice(0, end)) || [])[1] || 0);
        if (buf.length < end + 4 + len) break;
        buf = buf.slice(end + 4 + len);
        s.answers++;
        s.emit('answer');
      }
    });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

function ask(s) {
  const want = s.answers + 1;
  s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  return new Promise((resolve) => {
    const check = () => { if (s.answers >= want) { s.off('answer', check); resolve(); } };
    s.on('answer', check);
  });
}

test('a worker answers 128 connections that are ready at the same moment', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fangkong-api-'));
  srv = await serve(dir, ['--threads', '1', '--sweep-interval', '0']);
  const port = Number(new URL(srv.url).port);
  const socks = [];
  for (let i = 0; i < CONNS; i++) socks.push(await open(port));
  await Promise.all(socks.map(ask)); // each one accepted and answered once: all in the worker's set

  srv.proc.kill('SIGSTOP');
  let answered;
  try {
    answered = socks.map(ask); // sent while the server cannot read: ready together on SIGCONT
    await new Promise((r) => setTimeout(r, 300)); // the requests reach the server's sockets
  } finally {
    srv.proc.kill('SIGCONT');
  }
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(() => resolve('late'), GRACE_MS); });
  const outcome = await Promise.race([Promise.all(answered).then(() => 'all'), late]);
  clearTimeout(timer);
  const unanswered = socks.filter((s) => s.answers < 2).length;
  for (const s of socks) s.destroy();
  assert.equal(outcome, 'all', `${unanswered} of ${CONNS} connections unanswered after ${GRACE_MS / 1000} s`);
});
