// A case's contacts through the API: household members from the registry, places of
// the interview trajectory matched against presence data (venue co-presence), people
// named in the interview, secondary contacts through a close contact's household,
// review (confirm / dismiss) kept across rediscovery, and the chain edge that appears
// when a contact becomes a case. Also: refusals change nothing, and every step is audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, login, fangkong } from '../lib/server.mjs';

let srv, api, dir;
before(async () => {
  srv = await startServer({ persons: 1500, seed: 11 });
  api = await login(srv.url, 'liudiao');
  dir = mkdtempSync(path.join(tmpdir(), 'fangkong-contacts-'));
});
after(async () => {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

// Two residents of different households, each household with at least two members.
async function twoFamilies() {
  const persons = (await api.get('/api/v1/persons?limit=300')).json.items.filter((p) => p.household_id && p.phone);
  const byHousehold = new Map();
  for (const p of persons) byHousehold.set(p.household_id, [...(byHousehold.get(p.household_id) || []), p]);
  const families = [...byHousehold.values()].filter((m) => m.length >= 2);
  assert.ok(families.length >= 2, 'the demo city has families');
  return [families[0], families[1]];
}

const WIN = { from: '2022-05-01T00:00:00Z', to: '2022-05-03T00:00:00Z' };

test('discovery finds household, venue, interview and secondary contacts; review and chains', async () => {
  const [famA, famC] = await twoFamilies();
  const a = famA[0], b = famA[1], c = famC[0];
  const k = await api.post('/api/v1/cases', { person_id: a.id, classification: 'confirmed', severity: 'mild',
    reported_at: '2022-05-02T10:00:00Z', sampling_date: '2022-05-02', onset_date: '2022-05-01', source: 'community_screening' });
  assert.equal(k.status, 201, k.text);
  const caseId = k.json.id;

  // the interview: the case was at a restaurant 12:00-13:00; C was there 12:30-13:30 (30 min)
  const tr = await api.post(`/api/v1/cases/${caseId}/trajectory`, { place: 'V-REST-1', start: '2022-05-01T12:00:00Z', end: '2022-05-01T13:00:00Z' });
  assert.equal(tr.status, 201, tr.text);
  const stays = path.join(dir, 'stays.csv');
  writeFileSync(stays, `subject,place,start,end\n${c.phone},V-REST-1,2022-05-01T12:30:00Z,2022-05-01T13:30:00Z\n13700000009,V-REST-1,2022-05-01T12:55:00Z,2022-05-01T13:30:00Z\n`);
  assert.equal(fangkong(['import', 'stays', stays, '--data', srv.dataDir]).status, 0);
  const named = await api.post(`/api/v1/cases/${caseId}/contacts`, { contact: '13600000001', place: '单位食堂', start: '2022-05-01T04:00:00Z', note: '同餐' });
  assert.equal(named.status, 201, named.text);
  assert.equal(named.json.kind, 'interview');

  const d = await api.post(`/api/v1/cases/${caseId}/contacts/discover`, { ...WIN, secondary: true });
  assert.equal(d.status, 200, d.text);
  const rows = d.json.items;
  const one = (pred) => { const r = rows.filter(pred); assert.equal(r.length, 1, JSON.stringify(rows)); return r[0]; };
  // household: every other member of A's household, linked to the person
  for (const m of famA.slice(1))
    assert.equal(one((x) => x.kind === 'household' && x.person_id === m.id).degree, 1);
  // venue: C with 1800 s (above 900); the stranger's 300 s with the case is under the
  // policy's minimum, but their 35 min with C make them C's venue contact: degree 2
  const v = one((x) => x.kind === 'venue' && x.degree === 1);
  assert.deepEqual([v.contact, v.place, v.overlap_seconds, v.start, v.source, v.person_id],
    [c.phone, 'V-REST-1', 1800, '2022-05-01T12:30:00Z', 'stays+interview', c.id]);
  const s2 = one((x) => x.contact === '13700000009');
  assert.deepEqual([s2.kind, s2.degree, s2.via, s2.overlap_seconds], ['venue', 2, c.phone, 2100]);
  one((x) => x.kind === 'interview' && x.contact === '13600000001');
  // secondary: C's household, through C
  for (const m of famC.slice(1)) {
    const s = one((x) => x.degree === 2 && x.person_id === m.id);
    assert.deepEqual([s.kind, s.via], ['household', c.phone]);
  }
  assert.ok(!rows.some((x) => x.person_id === a.id), 'the case is not its own contact');

  // review: dismiss the interview contact, confirm C; a rediscovery keeps both reviews
  const dis = await api.patch(`/api/v1/contacts/${named.json.id}`, { status: 'dismissed', note: '核实无接触' });
  assert.equal(dis.status, 200, dis.text);
  assert.equal((await api.patch(`/api/v1/contacts/${v.id}`, { status: 'confirmed' })).status, 200);
  const again = await api.post(`/api/v1/cases/${caseId}/contacts/discover`, { ...WIN, secondary: true });
  const byId = new Map(again.json.items.map((x) => [x.id, x]));
  assert.equal(byId.get(named.json.id).status, 'dismissed');
  assert.equal(byId.get(v.id).status, 'confirmed');
  assert.equal(byId.get(v.id).reviewed_by, 'liudiao');
  assert.equal(again.json.items.length, rows.length);

  // B becomes a case the next day: the chain edge A -> B appears (household)
  const kb = await api.post('/api/v1/cases', { person_id: b.id, classification: 'asymptomatic',
    reported_at: '2022-05-03T09:00:00Z', sampling_date: '2022-05-03', source: 'quarantine_screening' });
  assert.equal(kb.status, 201, kb.text);
  const ch = await api.get('/api/v1/chains');
  assert.equal(ch.status, 200, ch.text);
  const edge = ch.json.edges.find((e) => e.from === caseId && e.to === kb.json.id);
  assert.ok(edge, JSON.stringify(ch.json.edges));
  assert.equal(edge.kind, 'household');
  assert.deepEqual(ch.json.nodes.map((n) => n.id).sort((x, y) => x - y), [caseId, kb.json.id].sort((x, y) => x - y));

  // audited: the discovery, the review
  const admin = await login(srv.url, 'admin');
  const audit = (await admin.get('/api/v1/audit?actor=liudiao&limit=200')).json.items;
  assert.ok(audit.some((x) => x.action === 'trace' && x.entity_id === caseId));
  assert.ok(audit.some((x) => x.action === 'review' && x.entity === 'contact' && x.entity_id === v.id));
});

test('bad requests are refused with the field named and change nothing', async () => {
  const persons = (await api.get('/api/v1/persons?limit=5')).json.items;
  const k = await api.post('/api/v1/cases', { person_id: persons[4].id, classification: 'asymptomatic',
    reported_at: '2022-05-02T10:00:00Z', sampling_date: '2022-05-02', source: 'community_screening' });
  const id = k.json.id;
  const cases = [
    [`/api/v1/cases/${id}/contacts`, { place: 'x' }, 'contact'],
    [`/api/v1/cases/${id}/contacts`, { contact: 'x'.repeat(64) }, 'contact'],
    [`/api/v1/cases/${id}/contacts`, { contact: '1', when: 'now' }, 'when'],
    [`/api/v1/cases/${id}/trajectory`, { place: 'V', start: '2022-05-01T12:00:00Z', end: '2022-05-01T11:00:00Z' }, 'end'],
    [`/api/v1/cases/${id}/trajectory`, { place: 'V', start: 'noon', end: '2022-05-01T11:00:00Z' }, 'start'],
    [`/api/v1/cases/${id}/contacts/discover`, { from: '2022-05-02T00:00:00Z' }, 'to'],
  ];
  for (const [url, body, field] of cases) {
    const r = await api.post(url, body);
    assert.equal(r.status, 400, `${url} ${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.field, field);
  }
  assert.equal((await api.get(`/api/v1/cases/${id}/contacts`)).json.total, 0);
  assert.equal((await api.post('/api/v1/cases/999999/contacts/discover', WIN)).status, 404);
  assert.equal((await api.patch('/api/v1/contacts/999999', { status: 'confirmed' })).status, 404);
  const named = await api.post(`/api/v1/cases/${id}/contacts`, { contact: '13600000002' });
  assert.equal((await api.patch(`/api/v1/contacts/${named.json.id}`, { status: 'maybe' })).status, 400);
  assert.equal((await api.get(`/api/v1/cases/${id}/contacts`)).json.items[0].status, 'proposed');
  // roles without tracing rights
  for (const user of ['guest', 'jiedao', 'kakou']) {
    const u = await login(srv.url, user);
    assert.equal((await u.get('/api/v1/chains')).status, 403, user);
    assert.equal((await u.patch(`/api/v1/contacts/${named.json.id}`, { status: 'dismissed' })).status, 403, user);
  }
});
