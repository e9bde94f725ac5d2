// The demo city's work in progress (`fangkong demo` with movement): the mass-testing
// round over the first street (src/demo/testing.c) holds what its stages made, read back
// through the API as a user would: sites with tubes, persons scanned, boxes at the lab
// and one with its courier, one positive pool whose members are held, each with a retest
// lead, and its notice in the community's inbox; the coverage counts the scans.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login } from '../lib/server.mjs';

let srv, admin, shequ, round;
before(async () => {
  srv = await startServer({ persons: 2500, seed: 5, days: 2 });
  [admin, shequ] = await Promise.all(['admin', 'shequ'].map((u) => login(srv.url, u)));
});
after(async () => { await srv.stop(); });

test('a mass round over the first street, open now, with a site per community and scans', async () => {
  const rounds = (await admin.get('/api/v1/testing/rounds?limit=100')).json.items;
  round = rounds.find((r) => r.kind === 'mass');
  assert.ok(round, JSON.stringify(rounds));
  assert.equal(round.name, '全员核酸检测（演示）');
  assert.equal(round.state, 'open');
  assert.equal(round.area_code.length, 9, 'a street');
  const sites = (await admin.get(`/api/v1/testing/rounds/${round.id}/sites?limit=100`)).json.items;
  assert.ok(sites.length >= 1);
  assert.ok(sites.every((s) => s.area_code.startsWith(round.area_code) && s.name.endsWith('核酸采样点')));
  const cov = (await admin.get(`/api/v1/testing/rounds/${round.id}/coverage`)).json;
  assert.equal(cov.total.tested, round.scanned);
  assert.ok(cov.total.tested > 0 && cov.total.untested > 0, JSON.stringify(cov.total));
});

test('one positive pool: its members held with retest leads, the community told', async () => {
  const holds = (await admin.get(`/api/v1/testing/holds?round=${round.id}&limit=1000`)).json.items;
  assert.ok(holds.length > 0);
  assert.ok(holds.every((h) => h.state === 'held' && h.reason === 'positive_pool'));
  assert.equal(new Set(holds.map((h) => h.tube_id ?? h.barcode)).size, 1, 'one tube');
  const retest = (await admin.get('/api/v1/leads?kind=pool_retest&limit=1000')).json;
  assert.equal(retest.total, holds.length);
  const recheck = (await admin.get('/api/v1/testing/rounds?limit=100')).json.items.filter((r) => r.kind === 'recheck');
  assert.deepEqual(recheck.map((r) => r.parent_id), [round.id]);
  const inbox = (await shequ.get('/api/v1/notifications?limit=100')).json.items;
  const notice = inbox.find((n) => n.kind === 'pool_positive');
  assert.ok(notice, JSON.stringify(inbox));
  assert.match(notice.message, new RegExp(`（${holds.length} 人混采）`));
});
