import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, login, serve } from '../lib/server.mjs';

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

const logIn = (url, username, password) => client(url).post('/api/v1/session', { username, password });

test('five failed logins of one username refuse the next, right password or not; others are not touched', async () => {
  for (let i = 0; i < 5; i++) assert.equal((await logIn(srv.url, 'shequ', `wrong-${i}-pass`)).status, 401);
  const locked = await logIn(srv.url, 'shequ', 'fangkong2022');
  assert.equal(locked.status, 429, locked.text);
  assert.equal(locked.json.error.code, 'too_many_attempts');
  assert.equal(locked.json.error.field, 'username');
  assert.match(locked.json.error.message, /try again in 15 minutes/);
  assert.equal((await logIn(srv.url, 'admin', 'fangkong2022')).status, 201, 'another user logs in');
  // an unknown name is counted alike: a refusal tells nothing of which accounts exist
  for (let i = 0; i < 5; i++) assert.equal((await logIn(srv.url, 'nobody-here', 'x-wrong-pass')).status, 401);
  assert.equal((await logIn(srv.url, 'nobody-here', 'x-wrong-pass')).status, 429);
  // a success starts the count afresh
  for (let i = 0; i < 4; i++) assert.equal((await logIn(srv.url, 'jiance', 'wrong-pass-1')).status, 401);
  assert.equal((await logIn(srv.url, 'jiance', 'fangkong2022')).status, 201);
  for (let i = 0; i < 4; i++) assert.equal((await logIn(srv.url, 'jiance', 'wrong-pass-2')).status, 401);
  assert.equal((await logIn(srv.url, 'jiance', 'fangkong2022')).status, 201);
  // the failures are audited as failed logins, the refusals are not logins at all
  const admin = await login(srv.url, 'admin');
  const audit = (await admin.get('/api/v1/audit?entity=session&limit=500')).json.items;
  assert.equal(audit.filter((a) => a.detail === 'failed' && a.entity_id === 0 && a.actor === 'shequ').length, 5, JSON.stringify(audit.slice(0, 3)));
});

test('the public code by ID number and phone: five wrong pairs refuse that ID number and that phone', async () => {
  const admin = await login(srv.url, 'admin');
  const people = (await admin.get('/api/v1/persons?limit=50')).json.items.filter((x) => x.phone);
  const p = people[0];
  const other = people.find((x) => x.phone !== p.phone);
  const strangers = people.filter((x) => x.phone !== other.phone && x.id !== p.id).slice(0, 5);
  assert.equal(strangers.length, 5);
  const ask = (id_number, phone) => client(srv.url).post('/api/v1/public/code', { id_number, phone });
  assert.equal((await ask(other.id_number, other.phone)).status, 200);
  for (let i = 0; i < 5; i++) assert.equal((await ask(p.id_number, `1390000000${i}`)).status, 401);
  const locked = await ask(p.id_number, p.phone);
  assert.equal(locked.status, 429, locked.text);
  assert.equal(locked.json.error.field, 'id_number');
  assert.equal((await ask(other.id_number, other.phone)).status, 200, 'another person is not touched');
  for (const x of strangers) assert.equal((await ask(x.id_number, other.phone)).status, 401);
  const byPhone = await ask(other.id_number, other.phone);
  assert.equal(byPhone.status, 429, byPhone.text);
  assert.equal(byPhone.json.error.field, 'phone');
});

test('the window ends: a refused username logs in again after --login-window', async () => {
  const short = await serve(srv.dataDir, ['--sweep-interval', '0', '--login-attempts', '2', '--login-window', '5']);
  try {
    for (let i = 0; i < 2; i++) assert.equal((await logIn(short.url, 'liudiao', 'wrong-pass-3')).status, 401);
    assert.equal((await logIn(short.url, 'liudiao', 'fangkong2022')).status, 429);
    await new Promise((r) => setTimeout(r, 6000)); // past the 5 s window, counted in whole seconds
    assert.equal((await logIn(short.url, 'liudiao', 'fangkong2022')).status, 201);
  } finally { await short.stop(); }
});
