// Nothing acknowledged is lost: kill -9 the server during a stream of writes, restart
// it, and find every person whose creation was answered 201, and the audit record of a
// read answered before the kill.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { makeDemo, serve, login, fangkong } from '../lib/server.mjs';
import { validId } from '../lib/ids.mjs';

// Waits until `n` writes were acknowledged (at most a minute; the assertion after the
// kill says how many there were).
async function writesAnswered(acknowledged, n) {
  for (let waited = 0; acknowledged.length < n && waited < 60000; waited += 50)
    await new Promise((r) => setTimeout(r, 50));
}

// After a kill: the store passes `fangkong check`, and a restarted server has every
// acknowledged person as it was answered. Returns the server.
async function restartedWithAll(dataDir, acknowledged) {
  const check = fangkong(['check', '--data', dataDir]);
  assert.equal(check.status, 0, check.stdout + check.stderr);
  const srv = await serve(dataDir);
  const api = await login(srv.url, 'admin');
  for (const a of acknowledged) {
    const r = await api.get(`/api/v1/persons/${a.id}`);
    assert.equal(r.status, 200, `acknowledged person ${a.id} lost`);
    assert.equal(r.json.id_number, a.id_number);
  }
  return srv;
}

test('kill -9 during concurrent writes loses no acknowledged write', async () => {
  const dataDir = makeDemo(800, 3);
  let srv = await serve(dataDir);
  let api = await login(srv.url, 'admin');
  const hh = (await api.get('/api/v1/persons?resident_type=resident&limit=1')).json.items[0].household_id;
  const acknowledged = [];
  let n = 1000, stop = false;
  async function writer() {
    while (!stop) {
      const i = n++;
      try {
        const r = await api.post('/api/v1/persons', { name: `写入${i}`, id_number: validId(i), resident_type: 'resident', household_id: hh });
        if (r.status === 201) acknowledged.push({ id: r.json.id, id_number: r.json.id_number });
        else if (r.status !== 409) throw new Error(r.text);
      } catch (e) {
        if (!stop) stop = true; // connection reset by the kill: stop writing
      }
    }
  }
  const writers = Array.from({ length: 8 }, writer);
  // the kill comes after enough writes were answered, however slow the machine (a
  // sanitizer build beside other work answered 14 in the first 1.5 s)
  await writesAnswered(acknowledged, 25);
  const seen = (await api.get('/api/v1/persons?limit=1&offset=17')).json.items[0];
  assert.equal((await api.get(`/api/v1/persons/${seen.id}`)).status, 200);
  await writesAnswered(acknowledged, acknowledged.length + 10);
  await srv.kill9();
  stop = true;
  await Promise.all(writers);
  assert.ok(acknowledged.length > 20, `only ${acknowledged.length} writes before the kill`);

  srv = await restartedWithAll(dataDir, acknowledged);
  api = await login(srv.url, 'admin');
  const audit = await api.get(`/api/v1/audit?entity=person&entity_id=${seen.id}`);
  assert.ok(audit.json.items.some((x) => x.action === 'read' && x.actor === 'admin'),
    'the audit record of a read answered before the kill survives');
  await srv.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

// The server's checkpointer copies the write-ahead log into the database when the writers
// are idle (the WAL truncated to nothing: SQLite's own checkpoints at commit never
// truncate it); what is written after, and acknowledged, survives kill -9 all the same.
test('the checkpointer empties the WAL when idle and kill -9 after it loses nothing', async () => {
  const dataDir = makeDemo(800, 4);
  const wal = path.join(dataDir, 'fangkong.db-wal');
  let srv = await serve(dataDir);
  const api = await login(srv.url, 'admin');
  const hh = (await api.get('/api/v1/persons?resident_type=resident&limit=1')).json.items[0].household_id;
  const acknowledged = [];
  async function write(from, count) {
    for (let i = from; i < from + count; i++) {
      const r = await api.post('/api/v1/persons', { name: `检查${i}`, id_number: validId(i), resident_type: 'resident', household_id: hh });
      assert.equal(r.status, 201, r.text);
      acknowledged.push({ id: r.json.id, id_number: r.json.id_number });
    }
  }
  await write(3000, 150);
  assert.ok(statSync(wal).size > 0, 'the writes went to the WAL');
  let emptied = false;
  for (let i = 0; i < 600 && !emptied; i++) { // up to a minute: a bound on a hang, not a timing
    emptied = statSync(wal).size === 0;
    if (!emptied) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(emptied, 'the WAL was checkpointed and truncated while the server was idle');
  await write(4000, 60);
  assert.ok(statSync(wal).size > 0, 'the later writes went to the WAL anew');
  await srv.kill9();

  srv = await restartedWithAll(dataDir, acknowledged);
  await srv.stop();
  rmSync(dataDir, { recursive: true, force: true });
});
