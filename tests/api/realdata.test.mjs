// Contact discovery on real public data (../shared/data, never copied into the
// repository; the tests skip, saying so, where it is absent):
//  - DS4C (Korea 2020): patient routes imported as venue check-ins (a place, a day),
//    traced for every patient who infected someone; the rows must equal a plain
//    reference computed here, and the share of known `infected_by` links found is printed.
//  - SocioPatterns hospital ward (Lyon 2010): RFID detections imported as proximity,
//    every person traced; the rows must equal the reference event computation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fangkong, root } from '../lib/server.mjs';

const SHARED = path.resolve(root, '../shared/data');
const DS4C = path.join(SHARED, 'ds4c');
const SOCIO = path.join(SHARED, 'sociopatterns');
const MIN_S = 900;       // close_contact.min_copresence_s / min_proximity_s of v9
const INTERVAL = 20;     // trace_inputs.proximity.interval_s
const HOSPITAL_T0 = 1291593600; // 2010-12-06T00:00:00Z: the ward study's first day

let dir;
before(() => { dir = mkdtempSync(path.join(tmpdir(), 'fangkong-realdata-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

function readCsv(file) {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

// ---- a plain reference: merge intervals, intersect, sum ------------------------------
function merge(iv) {
  const s = [...iv].sort((a, b) => a[0] - b[0]);
  const out = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b); else out.push([a, b]);
  }
  return out;
}

function overlap(x, y, from, to) {
  let total = 0, first = null;
  for (const [a, b] of x) for (const [c, d] of y) {
    const lo = Math.max(a, c, from), hi = Math.min(b, d, to);
    if (lo < hi) { total += hi - lo; if (first === null || lo < first) first = lo; }
  }
  return { total, first };
}

const iso = (t) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

function traceRows(data, cases, from, to) {
  const args = ['trace', '--data', data, '--from', String(from), '--to', String(to)];
  for (const c of cases) args.push('--case', c);
  const r = fangkong(args);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').slice(1).filter(Boolean);
}

// ---- DS4C ----------------------------------------------------------------------------
test('DS4C patient routes as check-ins: rows equal the reference; infected_by links found', { skip: !existsSync(DS4C) && 'no ../shared/data/ds4c here' }, () => {
  const routes = readCsv(path.join(DS4C, 'PatientRoute.csv'))
    .filter((r) => /^\d{4}-\d\d-\d\d$/.test(r.date) && !Number.isNaN(Date.parse(r.date)) && r.latitude && r.longitude);
  const venue = (r) => `${r.type.slice(0, 10)}@${Number(r.latitude).toFixed(4)}:${Number(r.longitude).toFixed(4)}`;
  const day = (d) => Date.parse(`${d}T00:00:00+09:00`) / 1000;
  const file = path.join(dir, 'ds4c-checkins.csv');
  writeFileSync(file, ['subject,venue,time_in,time_out',
    ...routes.map((r) => `${r.patient_id},${venue(r)},${day(r.date)},${day(r.date) + 86400}`)].join('\n') + '\n');
  const data = path.join(dir, 'ds4c');
  const imp = fangkong(['import', 'checkins', file, '--data', data]);
  assert.equal(imp.status, 0, imp.stdout + imp.stderr);

  // presence per subject and venue
  const pres = new Map();
  for (const r of routes) {
    const k = `${r.patient_id}\t${venue(r)}`;
    (pres.get(k) || pres.set(k, []).get(k)).push([day(r.date), day(r.date) + 86400]);
  }
  const byVenue = new Map();
  for (const [k, iv] of pres) {
    const [s, v] = k.split('\t');
    (byVenue.get(v) || byVenue.set(v, []).get(v)).push([s, merge(iv)]);
  }
  const from = Math.min(...routes.map((r) => day(r.date)));
  const to = Math.max(...routes.map((r) => day(r.date))) + 86400;
  const withRoutes = new Set(routes.map((r) => r.patient_id));
  const links = readCsv(path.join(DS4C, 'PatientInfo.csv'))
    .filter((p) => p.infected_by && withRoutes.has(p.patient_id) && withRoutes.has(p.infected_by));
  const cases = [...new Set(links.map((l) => l.infected_by))].sort();

  const expected = [];
  for (const c of cases) {
    const rows = [];
    for (const [v, members] of byVenue) {
      const mine = members.find(([s]) => s === c);
      if (!mine) continue;
      for (const [s, iv] of members) {
        if (s === c) continue;
        const o = overlap(mine[1], iv, from, to);
        if (o.total >= MIN_S) rows.push([s, v, o]);
      }
    }
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    for (const [s, v, o] of rows) expected.push(`${c},${s},venue,${v},${iso(o.first)},${o.total}`);
  }
  const got = traceRows(data, cases, from, to);
  assert.deepEqual(got, expected);
  const found = new Set(got.map((l) => l.split(',').slice(0, 2).join(',')));
  const hits = links.filter((l) => found.has(`${l.infected_by},${l.patient_id}`)).length;
  console.log(`DS4C: ${routes.length} route rows, ${cases.length} infectors, ${got.length} venue contact rows; ` +
    `infected_by links with both routes ${links.length}, found as venue contacts ${hits} (${(100 * hits / links.length).toFixed(1)}%)`);
  assert.ok(hits > 0, 'some known links share a place and a day');
});

// ---- SocioPatterns hospital ------------------------------------------------------------
test('SocioPatterns hospital RFID as proximity: rows equal the reference events', { skip: !existsSync(SOCIO) && 'no ../shared/data/sociopatterns here' }, () => {
  const lines = readFileSync(path.join(SOCIO, 'tij_hospital.dat'), 'utf8').trim().split('\n');
  const det = lines.map((l) => l.trim().split(/\s+/).map(Number)).map(([t, i, j]) => [HOSPITAL_T0 + t, `H${i}`, `H${j}`]);
  const file = path.join(dir, 'hospital.csv');
  writeFileSync(file, ['a,b,time', ...det.map(([t, a, b]) => `${a},${b},${t}`)].join('\n') + '\n');
  const data = path.join(dir, 'hospital');
  const imp = fangkong(['import', 'proximity', file, '--data', data]);
  assert.equal(imp.status, 0, imp.stdout + imp.stderr);

  const times = new Map(); // "a\tb" -> sorted times, both directions
  for (const [t, a, b] of det) for (const k of [`${a}\t${b}`, `${b}\t${a}`]) (times.get(k) || times.set(k, []).get(k)).push(t);
  const from = HOSPITAL_T0, to = Math.max(...det.map((d) => d[0])) + 1;
  const people = [...new Set(det.flatMap(([, a, b]) => [a, b]))].sort();
  const expected = [];
  for (const c of people) {
    const rows = [];
    for (const [k, ts] of times) {
      const [a, b] = k.split('\t');
      if (a !== c) continue;
      ts.sort((x, y) => x - y);
      let total = 0, first = null;
      for (let i = 0; i < ts.length;) {
        let j = i;
        while (j + 1 < ts.length && ts[j + 1] - ts[j] <= INTERVAL) j++;
        const lo = Math.max(ts[i] - INTERVAL, from), hi = Math.min(ts[j], to);
        if (lo < hi) { total += hi - lo; if (first === null) first = lo; }
        i = j + 1;
      }
      if (total >= MIN_S) rows.push([b, first, total]);
    }
    rows.sort((x, y) => (x[0] < y[0] ? -1 : 1));
    for (const [b, first, total] of rows) expected.push(`${c},${b},proximity,,${iso(first)},${total}`);
  }
  const got = traceRows(data, people, from, to);
  assert.deepEqual(got, expected);
  console.log(`SocioPatterns hospital: ${det.length} detections, ${people.length} persons, ${got.length} proximity contact rows of >= ${MIN_S} s`);
  assert.ok(got.length > 0);
});
