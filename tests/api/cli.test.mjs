// The command-line tool: help, exit codes, one-line errors, user administration, check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fangkong, serve, client } from '../lib/server.mjs';

let dir;
before(() => { dir = mkdtempSync(path.join(tmpdir(), 'fangkong-cli-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

test('every subcommand has --help and exits 0', () => {
  for (const cmd of ['serve', 'demo', 'import', 'export', 'user', 'check']) {
    const r = fangkong([cmd, '--help']);
    assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
    assert.match(r.stdout, /usage: fangkong/, cmd);
    assert.match(r.stdout, /--data/, cmd);
  }
  assert.equal(fangkong(['--help']).status, 0);
  assert.notEqual(fangkong(['frobnicate']).status, 0);
});

test('check works on an empty data directory, which it creates', () => {
  const r = fangkong(['check', '--data', path.join(dir, 'fresh')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /integrity: ok/);
  assert.match(r.stdout, /schema: version \d+/);
});

test('user add, list, set-role, reset-password; failures are one line on stderr', async () => {
  const data = path.join(dir, 'users');
  const add = fangkong(['user', 'add', 'wangwu', '--role', 'epidemiologist', '--data', data], { input: 'a-long-password\n' });
  assert.equal(add.status, 0, add.stderr);
  const dup = fangkong(['user', 'add', 'wangwu', '--role', 'viewer', '--data', data], { input: 'a-long-password\n' });
  assert.equal(dup.status, 1);
  assert.equal(dup.stderr.trim().split('\n').length, 1);
  assert.match(dup.stderr, /^fangkong user: .*username/);
  const role = fangkong(['user', 'add', 'x1', '--role', 'emperor', '--data', data], { input: 'a-long-password\n' });
  assert.equal(role.status, 1);
  assert.match(role.stderr, /role/);
  const short = fangkong(['user', 'add', 'x2', '--role', 'viewer', '--data', data], { input: 'short\n' });
  assert.equal(short.status, 1);
  assert.match(short.stderr, /password/);
  const area = fangkong(['user', 'add', 'x3', '--role', 'community', '--area', '519901001001', '--data', data], { input: 'a-long-password\n' });
  assert.equal(area.status, 1);
  assert.match(area.stderr, /area/);

  const list = fangkong(['user', 'list', '--data', data]);
  assert.equal(list.status, 0);
  assert.match(list.stdout, /wangwu\s+epidemiologist/);
  assert.doesNotMatch(list.stdout, /x1|x2|x3/);

  const srv = await serve(data);
  const ok = await client(srv.url).post('/api/v1/session', { username: 'wangwu', password: 'a-long-password' });
  assert.equal(ok.status, 201);
  const token = ok.json.token;
  assert.equal(fangkong(['user', 'set-role', 'wangwu', '--role', 'viewer', '--data', data]).status, 0);
  assert.equal((await client(srv.url, token).get('/api/v1/me')).status, 401, 'a role change revokes tokens');
  assert.equal(fangkong(['user', 'reset-password', 'wangwu', '--data', data], { input: 'another-password\n' }).status, 0);
  assert.equal((await client(srv.url).post('/api/v1/session', { username: 'wangwu', password: 'a-long-password' })).status, 401);
  const again = await client(srv.url).post('/api/v1/session', { username: 'wangwu', password: 'another-password' });
  assert.equal(again.json.user.role, 'viewer');
  await srv.stop();
});

test('demo refuses a data directory that already has a city', () => {
  const data = path.join(dir, 'city');
  assert.equal(fangkong(['demo', '--persons', '300', '--seed', '2', '--data', data]).status, 0);
  const again = fangkong(['demo', '--persons', '300', '--seed', '2', '--data', data]);
  assert.equal(again.status, 1);
  assert.equal(again.stderr.trim().split('\n').length, 1);
});

test('import refuses a file with a bad row, listing it, and imports the fixed file', async () => {
  const { writeFileSync, readFileSync } = await import('node:fs');
  const { validId, withWrongCheck } = await import('../lib/ids.mjs');
  const data = path.join(dir, 'import');
  assert.equal(fangkong(['demo', '--persons', '300', '--seed', '4', '--data', data]).status, 0);
  const exported = path.join(dir, 'persons.csv');
  assert.equal(fangkong(['export', 'persons', exported, '--data', data]).status, 0);
  const count = () => readFileSync(exported, 'utf8').trim().split('\n').length - 1;
  assert.equal(count(), 300);
  const header = 'name,id_type,id_number,sex,birth_date,phone,resident_type,household_id,address,community_code,work_unit,flags';
  const row = (name, id) => `${name},resident,${id},,,,resident,1,,,,`;
  const bad = path.join(dir, 'bad.csv');
  writeFileSync(bad, [header, row('甲', validId(11)), row('乙', withWrongCheck(validId(12))), row('丙', validId(13)), ''].join('\n'));
  const refused = fangkong(['import', 'persons', bad, '--data', data]);
  assert.equal(refused.status, 1);
  assert.match(refused.stdout + refused.stderr, /row 3, field id_number: .*check digit/);
  assert.equal(fangkong(['export', 'persons', exported, '--data', data]).status, 0);
  assert.equal(count(), 300, 'a refused file changes nothing');
  writeFileSync(bad, [header, row('甲', validId(11)), row('乙', validId(12)), row('丙', validId(13)), ''].join('\n'));
  const ok = fangkong(['import', 'persons', bad, '--data', data]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(fangkong(['export', 'persons', exported, '--data', data]).status, 0);
  assert.equal(count(), 303);
  const xlsx = path.join(dir, 'persons.xlsx');
  assert.equal(fangkong(['export', 'persons', xlsx, '--data', data]).status, 0);
  assert.equal(readFileSync(xlsx).subarray(0, 2).toString(), 'PK');
});
