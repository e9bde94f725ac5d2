import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, login } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ persons: 1000 }); });
after(async () => { await srv.stop(); });

test('healthz answers without a token', async () => {
  const r = await client(srv.url).get('/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ok');
  assert.ok(r.json.schema_version >= 1);
});

test('metrics are Prometheus text and count requests', async () => {
  await client(srv.url).get('/healthz');
  const r = await client(srv.url).get('/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/plain/);
  const m = r.text.match(/fangkong_http_requests_total\{code="2xx"\} (\d+)/);
  assert.ok(m && Number(m[1]) >= 1, r.text);
  assert.match(r.text, /fangkong_persons \d+/);
});

// Each worker thread counts into its own slot (http/metrics.c): requests spread over
// several connections (so over the workers) are each counted once, in the totals, the
// histogram and its count alike.
test('metrics count every request once, whichever worker served it', async () => {
  const read = async () => {
    const t = (await client(srv.url).get('/metrics')).text;
    const num = (re) => Number((t.match(re) || [])[1]);
    let classes = 0;
    for (const c of [1, 2, 3, 4, 5]) classes += num(new RegExp(`fangkong_http_requests_total\\{code="${c}xx"\\} (\\d+)`));
    return {
      ok: num(/fangkong_http_requests_total\{code="2xx"\} (\d+)/),
      classes,
      inf: num(/fangkong_http_request_duration_seconds_bucket\{le="\+Inf"\} (\d+)/),
      count: num(/fangkong_http_request_duration_seconds_count (\d+)/),
    };
  };
  const before = await read();
  const N = 40;
  const rs = await Promise.all(Array.from({ length: N }, () =>
    fetch(`${srv.url}/healthz`, { headers: { Connection: 'close' } })));
  for (const r of rs) { assert.equal(r.status, 200); await r.text(); }
  const after = await read();
  assert.equal(after.ok - before.ok, N + 1); // and the first /metrics, counted once answered
  assert.equal(after.count, after.classes);
  assert.equal(after.inf, after.count);
});

test('the OpenAPI document lists every resource', async () => {
  const r = await client(srv.url).get('/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.equal(r.json.openapi, '3.0.3');
  for (const p of ['/api/v1/session', '/api/v1/persons', '/api/v1/persons/{id}', '/api/v1/cases',
    '/api/v1/cases/{id}', '/api/v1/cases/{id}/transitions', '/api/v1/areas', '/api/v1/audit'])
    assert.ok(r.json.paths[p], p);
  assert.ok(r.json.paths['/api/v1/persons'].get && r.json.paths['/api/v1/persons'].post);
});

test('the area hierarchy nests by code', async () => {
  const api = await login(srv.url, 'admin');
  const d = await api.get('/api/v1/areas');
  assert.ok(d.json.items.length >= 1);
  assert.ok(d.json.items.every((a) => a.level === 'district' && a.code.length === 6));
  const s = await api.get(`/api/v1/areas?parent=${d.json.items[0].code}`);
  assert.ok(s.json.items.every((a) => a.level === 'street' && a.parent_code === d.json.items[0].code));
  const one = await api.get(`/api/v1/areas/${s.json.items[0].code}`);
  assert.equal(one.json.name, s.json.items[0].name);
  assert.equal((await api.get('/api/v1/areas/000')).status, 404);
});

test('the console is served as static files', async () => {
  const r = await client(srv.url).get('/');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.equal((await client(srv.url).get('/../../etc/passwd')).status, 404);
});

test('the policy in force is v9 with its local overrides, and can be chosen per deployment', async () => {
  const api = await login(srv.url, 'admin');
  const r = await api.get('/api/v1/policy');
  assert.equal(r.status, 200);
  assert.equal(r.json.id, 'v9');
  assert.ok(r.json.overrides.some((o) => o.path === 'companion.enabled' && /成都/.test(o.source)));
  assert.equal(r.json.document.companion.min_overlap_s, 600);
  assert.equal((await client(srv.url).get('/api/v1/policy')).status, 401);
});

test('serve refuses a broken policy file with one line, and runs another version', async () => {
  const { writeFileSync } = await import('node:fs');
  const { fangkong, serve } = await import('../lib/server.mjs');
  const bad = `${srv.dataDir}/broken-policy.json`;
  writeFileSync(bad, '{"id": "v9",\n  "schema": }');
  const r = fangkong(['serve', '--port', '0', '--data', srv.dataDir, '--policy', bad]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /line 2, column/);
  const other = await serve(srv.dataDir, ['--policy', 'm20']);
  const api = await login(other.url, 'admin');
  assert.equal((await api.get('/api/v1/policy')).json.id, 'm20');
  await other.stop();
});
