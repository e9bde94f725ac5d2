// A testing round end to end from the command line on a demo city (issue 5): `fangkong
// testing round add --open`, `site add`, `tubes issue`, `lab add`, scans and closes through
// the API, the courier's and lab's side in bulk with `testing boxes FILE.csv`, results
// through the API, then `testing reconcile` and `testing untested` answer. What the CLI
// prints is checked against the API; every refusal (unknown round, site or lab, a bad
// area or window, a box row whose tube is not closed, of another site or repeated) exits
// non-zero with a clear message and changes nothing; the changes are audited as the CLI
// operator's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, login, fangkong } from '../lib/server.mjs';

let srv, admin, jiance, shequ, mine, people, round, site1, site2, lab;
const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const T = (i) => `CT37-00000${i}`;
const B = (i) => `CT37-B0000${i}`;
const from = iso(Date.now() - HOUR), to = iso(Date.now() + 23 * HOUR);

before(async () => {
  srv = await startServer({ persons: 1500, seed: 37 });
  [admin, jiance, shequ] = await Promise.all(['admin', 'jiance', 'shequ'].map((u) => login(srv.url, u)));
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  people = (await admin.get(`/api/v1/persons?limit=200&community_code=${mine}`)).json.items;
  assert.ok(people.length >= 20, String(people.length));
});
after(async () => { await srv.stop(); });

const cli = (...args) => fangkong(['testing', ...args, '--data', srv.dataDir]);
const ok = (r) => { assert.equal(r.status, 0, r.stderr); return r.stdout; };
const refused = (r, message) => {
  assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines[lines.length - 1], /^fangkong testing: /);
  assert.match(r.stderr, message);
  return lines;
};
const file = (name, text) => { const p = path.join(srv.dataDir, name); fs.writeFileSync(p, text); return p; };

// What the refusals must leave alone, read through the API.
async function snapshot() {
  const rounds = (await jiance.get('/api/v1/testing/rounds?limit=200')).json.items
    .map((r) => `${r.id} ${r.state} ${r.site_count} ${r.tube_count}`);
  const labs = (await jiance.get('/api/v1/testing/labs')).json.items.map((l) => l.id);
  const tubes = [];
  for (const s of [site1, site2].filter(Boolean)) {
    const l = (await jiance.get(`/api/v1/testing/sites/${s.id}/tubes?limit=100`)).json.items;
    tubes.push(...l.map((t) => `${t.barcode} ${t.state} ${t.box ? t.box.code || t.box : '-'}`));
  }
  const boxes = [];
  for (const code of ['CTBOX-0001', 'CTBOX-0002', 'CTBOX-0003']) {
    const b = await jiance.get(`/api/v1/testing/boxes/${code}`);
    boxes.push(b.status === 200 ? `${code} ${b.json.state}` : `${code} ${b.status}`);
  }
  return { rounds, labs, tubes, boxes };
}

test('round, site, tube stock and lab from the CLI; what it prints exists through the API', async () => {
  const id = ok(cli('round', 'add', '--name', '命令行全员核酸', '--area', mine, '--from', from, '--to', to, '--open'));
  assert.match(id, /^\d+\n$/);
  round = (await jiance.get(`/api/v1/testing/rounds/${Number(id)}`)).json;
  assert.deepEqual([round.name, round.area_code, round.state, round.kind, round.starts_at, round.ends_at],
    ['命令行全员核酸', mine, 'open', 'mass', from, to]);
  const line = ok(cli('rounds', '--area', mine)).split('\n').find((l) => l.startsWith(`${round.id}\t`));
  assert.equal(line, [round.id, 'mass', 'open', mine, `${from}/${to}`, '命令行全员核酸'].join('\t'));

  const planned = Number(ok(cli('round', 'add', '--name', '备用轮', '--area', mine, '--from', from, '--to', to)));
  assert.equal((await jiance.get(`/api/v1/testing/rounds/${planned}`)).json.state, 'planned');
  assert.match(ok(cli('round', 'open', String(planned))), new RegExp(`^${planned}\tmass\topen\t`));
  assert.match(ok(cli('round', 'close', String(planned))), new RegExp(`^${planned}\tmass\tclosed\t`));
  assert.equal((await jiance.get(`/api/v1/testing/rounds/${planned}`)).json.state, 'closed');

  const s1 = Number(ok(cli('site', 'add', '--round', String(round.id), '--name', '一号采样点', '--area', mine, '--team', '第一采样队')));
  const s2 = Number(ok(cli('site', 'add', '--round', String(round.id), '--name', '二号采样点')));
  const sites = (await jiance.get(`/api/v1/testing/rounds/${round.id}/sites`)).json.items;
  site1 = sites.find((s) => s.id === s1);
  site2 = sites.find((s) => s.id === s2);
  assert.deepEqual([site1.name, site1.area_code, site1.team], ['一号采样点', mine, '第一采样队']);
  assert.deepEqual([site2.name, site2.area_code], ['二号采样点', mine]);

  assert.equal(ok(cli('tubes', 'issue', '--site', String(s1), '--prefix', 'CT37-', '--count', '6')),
    `issued 6 tubes to site ${s1}: ${T(1)} to ${T(6)}\n`);
  const list = file('barcodes.txt', `barcode\n${B(1)}\n\n${B(2)}\n`);
  assert.equal(ok(cli('tubes', 'issue', '--site', String(s2), '--barcodes', list)),
    `issued 2 tubes to site ${s2}: ${B(1)} to ${B(2)}\n`);
  const tubes = (await jiance.get(`/api/v1/testing/sites/${s1}/tubes?limit=100`)).json.items;
  assert.deepEqual(tubes.map((t) => [t.barcode, t.state]), [1, 2, 3, 4, 5, 6].map((i) => [T(i), 'issued']));

  const labId = Number(ok(cli('lab', 'add', '--name', '命令行检测实验室', '--area', mine.slice(0, 6))));
  lab = (await jiance.get('/api/v1/testing/labs')).json.items.find((l) => l.id === labId);
  assert.deepEqual([lab.name, lab.area_code], ['命令行检测实验室', mine.slice(0, 6)]);
  assert.ok(ok(cli('labs')).split('\n').includes(`${labId}\t${mine.slice(0, 6)}\t命令行检测实验室`));
});

test('refusals exit non-zero with one clear line and change nothing', async () => {
  const before = await snapshot();
  const refusals = [
    [['round', 'add', '--name', 'x', '--area', '999999', '--from', from, '--to', to], /area_code: no area 999999/],
    [['round', 'add', '--name', 'x', '--area', mine, '--from', to, '--to', from], /ends_at: after starts_at/],
    [['round', 'add', '--name', '', '--area', mine, '--from', from, '--to', to], /name: required/],
    [['round', 'add', '--name', 'x', '--area', mine, '--from', 'yesterday', '--to', to], /from/],
    [['round', 'open', '99999'], /round_id: no round 99999/],
    [['round', 'open', String(round.id)], /state/],
    [['site', 'add', '--round', '99999', '--name', 'x'], /round_id: no round 99999/],
    [['site', 'add', '--round', String(round.id), '--name', 'x', '--area', '999999'], /area_code/],
    [['tubes', 'issue', '--site', '99999', '--prefix', 'CT37-', '--count', '2', '--first', '7'], /site_id: no site 99999/],
    [['tubes', 'issue', '--site', String(site1.id), '--prefix', 'CT37-', '--count', '2', '--first', '6'], /CT37-000006 was already issued/],
    [['tubes', 'issue', '--site', String(site1.id), '--prefix', 'CT37-', '--count', '1001'], /count: 1 to 1000/],
    [['tubes', 'issue', '--site', String(site1.id), '--barcodes', file('bad.txt', 'CT37-000100\nno good\n')], /barcodes/],
    [['lab', 'add', '--name', 'x', '--area', '999999'], /area_code: no area 999999/],
  ];
  for (const [args, message] of refusals) {
    const r = cli(...args);
    assert.equal(refused(r, message).length, 1, `${args.join(' ')}: ${r.stderr}`);
  }
  for (const args of [['round', 'add', '--name', 'x'], ['round', 'open'], ['site', 'add', '--name', 'x'],
    ['tubes', 'issue', '--site', '1'], ['tubes', 'issue', '--site', '1', '--count', '2', '--barcodes', 'f'],
    ['lab', 'add', '--name', 'x'], ['boxes'], ['frobnicate']]) {
    const r = cli(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /usage: fangkong testing/);
  }
  assert.deepEqual(await snapshot(), before);
});

// Scan persons (skipping those a tube does not take) into a tube through the API.
let next = 0;
async function fill(code, n) {
  for (let done = 0; done < n;) {
    assert.ok(next < people.length, 'persons left to scan');
    const r = await jiance.post(`/api/v1/testing/tubes/${code}/scans`, { person_id: people[next++].id });
    if (r.status === 201) done++;
  }
}

test('testing boxes: a bad file refused listing every bad row; the good one packs, hands over and receives', async () => {
  for (const [code, n] of [[T(1), 2], [T(2), 1], [T(3), 1], [T(4), 1], [B(1), 1]]) await fill(code, n);
  for (const code of [T(1), T(2), T(3), B(1)]) {
    assert.equal((await jiance.post(`/api/v1/testing/tubes/${code}/close`)).status, 200);
  }
  const s1 = site1.id, s2 = site2.id, l = lab.id;
  const head = 'box,tube,site,courier,lab\n';
  const before = await snapshot();

  // the rows alone: a tube twice, a bad site, no courier, a box with two labs, a short row
  let r = cli('boxes', file('rows.csv', head + [
    `CTBOX-0001,${T(1)},${s1},王师傅,${l}`, `CTBOX-0001,${T(1)},${s1},王师傅,${l}`, `CTBOX-0002,${T(2)},x,王师傅,${l}`,
    `CTBOX-0002,${T(3)},${s1},,${l}`, `CTBOX-0001,${T(2)},${s1},王师傅,${l + 1}`, `CTBOX-0003,${B(1)},${s2}`,
  ].join('\n')));
  let lines = refused(r, /5 bad rows; nothing changed/);
  assert.deepEqual(lines.slice(0, -1).map((x) => x.split(':').slice(0, 2).join(':')),
    ['row 3: tube', 'row 4: site', 'row 5: courier', 'row 6: lab', 'row 7: row']);
  assert.match(lines[0], /CT37-000001 is listed twice \(row 2\)/);

  // through the services: a tube open, of another site, only issued; an unknown lab; an unknown site
  r = cli('boxes', file('flow.csv', head + [
    `CTBOX-0001,${T(1)},${s1},王师傅,${l}`, `CTBOX-0001,${T(4)},${s1},王师傅,${l}`, `CTBOX-0001,${B(1)},${s1},王师傅,${l}`,
    `CTBOX-0001,${T(5)},${s1},王师傅,${l}`, `CTBOX-0002,${T(2)},${s1},李师傅,99999`, `CTBOX-0003,${T(3)},99999,李师傅,${l}`,
  ].join('\n')));
  lines = refused(r, /5 bad rows; nothing changed/);
  assert.deepEqual(lines.slice(0, -1), [
    `row 3: tube: ${T(4)} is open: only a closed tube is packed`,
    `row 4: tube: ${B(1)} belongs to another sampling site`,
    `row 5: tube: ${T(5)} is issued: only a closed tube is packed`,
    'row 6: lab: no lab 99999',
    'row 7: site: no site 99999',
  ]);
  assert.deepEqual(await snapshot(), before, 'nothing changed');

  const good = file('boxes.csv', head + [
    `CTBOX-0001,${T(1)},${s1},王师傅,${l}`, `CTBOX-0002,${B(1)},${s2},李师傅,${l}`, `CTBOX-0001,${T(2)},${s1},王师傅,${l}`,
  ].join('\n') + '\n');
  assert.equal(ok(cli('boxes', good)), 'packed, handed over and received 2 boxes with 3 tubes\n');
  const b1 = (await jiance.get('/api/v1/testing/boxes/CTBOX-0001')).json;
  assert.deepEqual([b1.state, b1.site_id, b1.courier, b1.lab_id, b1.barcodes], ['received', s1, '王师傅', l, [T(1), T(2)]]);
  assert.match(b1.packed_by, /^cli:/);
  const b2 = (await jiance.get('/api/v1/testing/boxes/CTBOX-0002')).json;
  assert.deepEqual([b2.state, b2.site_id, b2.courier, b2.lab_id, b2.barcodes], ['received', s2, '李师傅', l, [B(1)]]);

  const packed = await snapshot();
  r = cli('boxes', good);
  lines = refused(r, /bad rows; nothing changed/);
  assert.match(lines[0], /^row 2: (box|tube): /);
  assert.deepEqual(await snapshot(), packed, 'a file run twice changes nothing the second time');

  const audit = (await admin.get('/api/v1/audit?entity=sample_box&limit=200')).json.items.filter((a) => /^cli:/.test(a.actor));
  assert.deepEqual(['pack', 'hand_over', 'receive'].map((x) => audit.filter((a) => a.action === x).length), [2, 2, 2]);
});

test('results through the API; reconcile and untested answer from the CLI', async () => {
  for (const code of [T(1), T(2), B(1)]) {
    const r = await jiance.post(`/api/v1/testing/tubes/${code}/result`, { result: 'negative' });
    assert.equal(r.status, 201, r.text);
  }
  const later = iso(Date.now() + 48 * HOUR); // past the sample-to-lab limit
  const rep = (await jiance.get(`/api/v1/testing/rounds/${round.id}/reconciliation?now=${later}`)).json;
  const summary = Object.fromEntries(ok(cli('reconcile', '--round', String(round.id), '--now', later)).trim().split('\n')
    .map((x) => x.split(' ')).map(([k, n]) => [k, Number(n)]));
  assert.deepEqual(summary, Object.fromEntries(Object.entries(rep.kinds).map(([k, v]) => [k, v.count])));
  assert.ok(rep.kinds.unreceived.items.some((i) => i.barcode === T(3)), 'the closed tube never boxed is not received');

  const cov = (await jiance.get(`/api/v1/testing/rounds/${round.id}/coverage?area=${mine}`)).json.units[0];
  const out = path.join(srv.dataDir, 'untested.csv');
  const u = cli('untested', '--round', String(round.id), '--out', out);
  assert.match(ok(u), new RegExp(`exported ${cov.untested} untested persons`));
  assert.equal(fs.readFileSync(out, 'utf8').trim().split('\r\n').length, cov.untested + 1);
  assert.equal(cov.tested, 6);
});
