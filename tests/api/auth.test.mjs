import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, login } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ persons: 1500 }); });
after(async () => { await srv.stop(); });

test('login returns a token and the user; the token works', async () => {
  const r = await client(srv.url).post('/api/v1/session', { username: 'admin', password: 'fangkong2022' });
  assert.equal(r.status, 201);
  assert.match(r.json.token, /^[0-9a-f]{64}$/);
  assert.equal(r.json.user.role, 'command');
  const me = await client(srv.url, r.json.token).get('/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.username, 'admin');
});

test('wrong password and unknown user are the same 401', async () => {
  const a = await client(srv.url).post('/api/v1/session', { username: 'admin', password: 'nope-nope' });
  const b = await client(srv.url).post('/api/v1/session', { username: 'ghost', password: 'fangkong2022' });
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.deepEqual(a.json, b.json);
  assert.equal(a.json.error.code, 'unauthenticated');
});

test('every API call needs a valid bearer token', async () => {
  for (const p of ['/api/v1/persons', '/api/v1/cases', '/api/v1/areas', '/api/v1/audit', '/api/v1/persons/1']) {
    const none = await client(srv.url).get(p);
    assert.equal(none.status, 401, p);
    const bad = await client(srv.url, 'f'.repeat(64)).get(p);
    assert.equal(bad.status, 401, p);
  }
});

test('logout revokes the token', async () => {
  const api = await login(srv.url, 'liudiao');
  assert.equal((await api.get('/api/v1/me')).status, 200);
  assert.equal((await api.del('/api/v1/session')).status, 204);
  assert.equal((await api.get('/api/v1/me')).status, 401);
});

test('login body errors name the field', async () => {
  const r = await client(srv.url).post('/api/v1/session', { username: 'admin' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'password');
  const m = await client(srv.url).post('/api/v1/session', '{"username": "admin",');
  assert.equal(m.status, 400);
  assert.match(m.json.error.message, /line 1, column \d+/);
});
