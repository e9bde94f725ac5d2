// The input kinds of contact discovery: checkins, pings and proximity, through
// `fangkong import` on an empty data directory and through the streamed upload
// POST /api/v1/imports/{kind}. Pings and detections are checked in the database file
// with the sqlite3 command-line tool, not through an API made for tests; stays (which
// bulk imports pack many to a row) through `fangkong export stays`, which users have.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fangkong, startServer, login } from '../lib/server.mjs';

let dir, data;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fangkong-inputs-'));
  data = path.join(dir, 'data'); // does not exist yet: the first import creates it
});
after(() => rmSync(dir, { recursive: true, force: true }));

function sql(dataDir, query) {
  const r = spawnSync('sqlite3', ['-readonly', path.join(dataDir, 'fangkong.db'), query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

// The stays of a data directory as "subject|cell|start|end|source", in stored order.
function stays(dataDir) {
  const out = path.join(dir, `stays-${Date.now()}-${Math.random()}.csv`);
  const r = fangkong(['export', 'stays', out, '--data', dataDir]);
  assert.equal(r.status, 0, r.stderr);
  const lines = readFileSync(out, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  rmSync(out);
  assert.equal(lines[0], 'subject,cell,start,end,source');
  return lines.slice(1).map((l) => l.split(',').join('|'));
}

function file(name, lines) {
  const p = path.join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

function importKind(kind, p, ...extra) {
  return fangkong(['import', kind, p, '--data', data, ...extra]);
}

const T0 = 1651363200; // 2022-05-01T00:00:00Z

test('checkins become venue stays; an empty time_out takes the policy dwell (1800 s in v9)', () => {
  assert.equal(existsSync(data), false);
  const r = importKind('checkins', file('checkins.csv', [
    'subject,venue,time_in,time_out',
    `13800000001,V510104001,2022-05-01T08:00:00+08:00,`,
    `110101199003070011,V510104002,${T0},${T0 + 600}`,
  ]));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /imported 2 of 2 checkins rows/);
  assert.deepEqual(stays(data), [
    `13800000001|V510104001|${T0}|${T0 + 1800}|checkins`,
    `110101199003070011|V510104002|${T0}|${T0 + 600}|checkins`,
  ]);
  // without the optional column at all
  const r2 = importKind('checkins', file('checkins2.csv', ['subject,venue,time_in', `p9,V1,${T0}`]));
  assert.equal(r2.status, 0, r2.stderr);
  assert.deepEqual(stays(data).filter((s) => s.startsWith('p9|')), [`p9|V1|${T0}|${T0 + 1800}|checkins`]);
});

test('pings are kept raw with the grid cell of companion.grid_m (800 m in v9)', () => {
  const r = importKind('pings', file('pings.csv', [
    'subject,time,lon,lat',
    `13800000001,${T0},104.06,30.67`,
    `13800000001,2022-05-01T08:10:00+08:00,-0.0001,-0.0001`,
  ]));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sql(data, 'SELECT subject, time, cell, lon, lat FROM pings ORDER BY id'), [
    `13800000001|${T0}|G800:4267:12454|104.06|30.67`,
    `13800000001|${T0 + 600}|G800:-1:-1|-0.0001|-0.0001`,
  ].join('\n'));
});

test('proximity detections are kept as ordered pairs', () => {
  const r = importKind('proximity', file('proximity.csv', [
    'a,b,time', `p2,p1,${T0}`, `p1,p2,${T0 + 20}`,
  ]));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sql(data, 'SELECT a, b, time, source FROM detections ORDER BY id'),
    [`p1|p2|${T0}|proximity`, `p1|p2|${T0 + 20}|proximity`].join('\n'));
});

function counts() {
  return `${stays(data).length}|${sql(data, 'SELECT (SELECT count(*) FROM pings), (SELECT count(*) FROM detections)')}`;
}

// Every bad row of each kind, with the row and field the report must name.
const BAD = {
  checkins: [['subject,venue,time_in,time_out', ''],
    [`,V1,${T0},`, 'row 2, field subject: required'],
    [`s,${'V'.repeat(32)},${T0},`, 'row 3, field venue: at most 31 bytes'],
    [`s,V1,yesterday,`, 'row 4, field time_in: '],
    [`s,V1,${T0},${T0}`, 'row 5, field time_out: must be after time_in'],
    [`s,V1,140,`, 'row 6, field time_in: before 2000-01-01'],
    [`${'s'.repeat(64)},V1,${T0},`, 'row 7, field subject: at most 63 bytes'],
    [`s,V1,${T0},5000000000`, 'row 8, field time_out: '],
    [`s,V1,${T0},`, null]],
  pings: [['subject,time,lon,lat', ''],
    [`s,${T0},180.5,30`, 'row 2, field lon: '],
    [`s,${T0},104,-90.01`, 'row 3, field lat: '],
    [`s,${T0},1e,30`, 'row 4, field lon: '],
    [`s,${T0},nan,30`, 'row 5, field lon: '],
    [`s,soon,104,30`, 'row 6, field time: '],
    [`,${T0},104,30`, 'row 7, field subject: required'],
    [`s,${T0},104,30`, null]],
  proximity: [['a,b,time', ''],
    [`p1,p1,${T0}`, 'row 2, field b: the same subject as a'],
    [`,p1,${T0}`, 'row 3, field a: required'],
    [`p1,,${T0}`, 'row 4, field b: required'],
    [`p1,p2,140`, 'row 5, field time: before 2000-01-01'],
    [`p1,p2,${T0}`, null]],
};

for (const [kind, rows] of Object.entries(BAD)) {
  test(`${kind}: a bad file lists every bad row and imports nothing; --skip-bad writes the rejects`, () => {
    const before = counts();
    const p = file(`bad-${kind}.csv`, rows.map((r) => r[0]));
    const r = importKind(kind, p);
    assert.equal(r.status, 1);
    const expected = rows.slice(1).filter((x) => x[1]).map((x) => x[1]);
    const listed = r.stdout.trim().split('\n');
    assert.equal(listed.length, expected.length, r.stdout);
    expected.forEach((e, i) => assert.ok(listed[i].startsWith(e), `${listed[i]} should start with ${e}`));
    assert.equal(counts(), before);

    const rejects = path.join(dir, `rejects-${kind}.csv`);
    const s = importKind(kind, p, '--skip-bad', rejects);
    assert.equal(s.status, 0, s.stderr);
    assert.match(s.stdout, new RegExp(`imported 1 of ${rows.length - 1} ${kind} rows`));
    const rej = readFileSync(rejects, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    assert.equal(rej[0], `${rows[0][0]},error`);
    assert.equal(rej.length, expected.length + 1);
    expected.forEach((e, i) => assert.ok(rej[i + 1].includes(e), `${rej[i + 1]} should name ${e}`));
    assert.notEqual(counts(), before);
  });
}

test('a policy that is not there stops checkins clearly', () => {
  const r = importKind('checkins', file('c3.csv', ['subject,venue,time_in', `p,V,${T0}`]), '--policy', 'v99');
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^fangkong import: /);
});

test('streamed upload: over 1 MiB imports, a bad file is 400 with problems, 401 without a token, 403 without trace', async () => {
  const srv = await startServer({ persons: 300 });
  try {
    const liudiao = await login(srv.url, 'liudiao');
    const lines = ['subject,time,lon,lat'];
    for (let i = 0; i < 40000; i++) lines.push(`1380000${String(i % 700).padStart(4, '0')},${T0 + i},104.${String(i % 1000).padStart(3, '0')},30.67`);
    const big = lines.join('\n') + '\n';
    assert.ok(big.length > 1 << 20);
    const ok = await liudiao.raw('POST', '/api/v1/imports/pings', big, { 'Content-Type': 'text/csv' });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json, { kind: 'pings', rows: 40000, imported: 40000, bad: 0, problems: [] });
    assert.equal(sql(srv.dataDir, 'SELECT count(*) FROM pings'), '40000');

    const bad = ['a,b,time', `p1,p1,${T0}`, `p1,p2,${T0}`, `p3,p4,later`].join('\n');
    const refused = await liudiao.raw('POST', '/api/v1/imports/proximity', bad, { 'Content-Type': 'text/csv' });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.code, 'invalid');
    assert.deepEqual(refused.json.problems.map((p) => [p.row, p.field]), [[2, 'b'], [4, 'time']]);
    assert.equal(sql(srv.dataDir, 'SELECT count(*) FROM detections'), '0');

    const dry = await liudiao.raw('POST', '/api/v1/imports/proximity?dry_run=1', `a,b,time\np1,p2,${T0}\n`);
    assert.equal(dry.status, 200, dry.text);
    assert.equal(dry.json.imported, 0);
    assert.equal(sql(srv.dataDir, 'SELECT count(*) FROM detections'), '0');

    const skipped = await liudiao.raw('POST', '/api/v1/imports/proximity?skip_bad=1', bad);
    assert.equal(skipped.status, 200, skipped.text);
    assert.equal(skipped.json.imported, 1);
    assert.equal(skipped.json.bad, 2);
    assert.deepEqual(skipped.json.problems.map((p) => [p.row, p.field]), [[2, 'b'], [4, 'time']]);
    assert.equal(sql(srv.dataDir, 'SELECT a, b FROM detections'), 'p1|p2');

    const checkins = await liudiao.raw('POST', '/api/v1/imports/checkins', `subject,venue,time_in\np,V1,${T0}\n`);
    assert.equal(checkins.status, 200, checkins.text);
    assert.deepEqual(stays(srv.dataDir).filter((s) => s.endsWith('|checkins')), [`p|V1|${T0}|${T0 + 1800}|checkins`]);

    for (const user of ['guest', 'jiedao']) {
      const c = await login(srv.url, user);
      const r = await c.raw('POST', '/api/v1/imports/proximity', `a,b,time\nq1,q2,${T0}\n`);
      assert.equal(r.status, 403, `${user}: ${r.text}`);
    }
    assert.equal(sql(srv.dataDir, "SELECT count(*) FROM detections WHERE a = 'q1'"), '0');

    const anonymous = await fetch(`${srv.url}/api/v1/imports/proximity`, { method: 'POST', body: big });
    assert.equal(anonymous.status, 401);
    await anonymous.text();
    const unknown = await liudiao.raw('POST', '/api/v1/imports/weather', 'x\n1\n');
    assert.equal(unknown.status, 404);
    const empty = await liudiao.raw('POST', '/api/v1/imports/pings', '');
    assert.equal(empty.status, 400);
    // the JSON endpoints keep their 1 MiB limit
    const huge = await liudiao.raw('POST', '/api/v1/persons', big, { 'Content-Type': 'application/json' });
    assert.equal(huge.status, 413);

    const doc = await liudiao.get('/api/v1/openapi.json');
    assert.ok(doc.json.paths['/api/v1/imports/{kind}'].post);
    // every spooled upload and rejects file is gone
    assert.deepEqual(readdirSync(srv.dataDir).filter((f) => f.startsWith('.upload-')), []);
  } finally {
    await srv.stop();
  }
});
