import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login } from '../lib/server.mjs';

let srv, api, persons;
before(async () => {
  srv = await startServer({ persons: 1500 });
  api = await login(srv.url, 'liudiao');
  persons = (await api.get('/api/v1/persons?limit=20')).json.items;
});
after(async () => { await srv.stop(); });

const report = (p, extra = {}) => ({ person_id: p.id, classification: 'confirmed', severity: 'mild',
  reported_at: '2022-05-01T10:00:00+08:00', sampling_date: '2022-04-30', onset_date: '2022-04-29',
  source: 'community_screening', hospital: '安澜市公共卫生临床中心', ...extra });

test('cases get city-wide sequence numbers and start reported', async () => {
  const a = await api.post('/api/v1/cases', report(persons[0]));
  const b = await api.post('/api/v1/cases', report(persons[1], { classification: 'asymptomatic', severity: '', onset_date: null }));
  assert.equal(a.status, 201, a.text);
  assert.equal(b.status, 201, b.text);
  assert.equal(b.json.number, a.json.number + 1);
  assert.equal(a.json.status, 'reported');
  assert.equal(a.json.person_name, persons[0].name);
  assert.equal(a.json.reported_at, '2022-05-01T02:00:00Z');
});

test('the status flow is enforced and every transition recorded', async () => {
  const c = (await api.post('/api/v1/cases', report(persons[2]))).json;
  const bad = await api.post(`/api/v1/cases/${c.id}/transitions`, { to: 'discharged' });
  assert.equal(bad.status, 409);
  assert.equal(bad.json.error.field, 'to');
  assert.equal((await api.get(`/api/v1/cases/${c.id}`)).json.status, 'reported');
  for (const to of ['transferred', 'hospitalized', 'discharged']) {
    const r = await api.post(`/api/v1/cases/${c.id}/transitions`, { to, note: `to ${to}` });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.to_status, to);
  }
  const again = await api.post(`/api/v1/cases/${c.id}/transitions`, { to: 'died' });
  assert.equal(again.status, 409);
  const t = await api.get(`/api/v1/cases/${c.id}/transitions`);
  assert.deepEqual(t.json.items.map((x) => x.to_status), ['reported', 'transferred', 'hospitalized', 'discharged']);
  assert.ok(t.json.items.every((x) => x.actor === 'liudiao'));
  const unknown = await api.post(`/api/v1/cases/${c.id}/transitions`, { to: 'flying' });
  assert.equal(unknown.status, 400);
});

test('bad case input is refused and changes nothing', async () => {
  const before = (await api.get('/api/v1/cases?limit=1')).json.total;
  const bad = [
    [report(persons[3], { severity: '' }), 'severity'],
    [report(persons[3], { person_id: 999999999 }), 'person_id'],
    [report(persons[3], { sampling_date: '2022-13-01' }), 'sampling_date'],
    [report(persons[3], { classification: 'probable' }), 'classification'],
    [report(persons[3], { source: 'rumour' }), 'source'],
    [report(persons[3], { reported_at: 'yesterday' }), 'reported_at'],
    [report(persons[3], { sampling_date: '2022-05-03' }), 'sampling_date'],
  ];
  for (const [body, field] of bad) {
    const r = await api.post('/api/v1/cases', body);
    assert.ok(r.status === 400 || r.status === 422, r.text);
    assert.equal(r.json.error.field, field, r.text);
  }
  assert.equal((await api.get('/api/v1/cases?limit=1')).json.total, before);
});

test('cases list filters and PATCH reclassifies', async () => {
  const c = (await api.post('/api/v1/cases', report(persons[4], { classification: 'screening_positive', severity: '', source: 'fever_clinic' }))).json;
  const l = await api.get('/api/v1/cases?classification=screening_positive&limit=100');
  assert.ok(l.json.items.some((x) => x.id === c.id));
  assert.ok(l.json.items.every((x) => x.classification === 'screening_positive'));
  const p = await api.patch(`/api/v1/cases/${c.id}`, { classification: 'confirmed', severity: 'moderate' });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.classification, 'confirmed');
  assert.equal(p.json.number, c.number);
  const byNumber = await api.get(`/api/v1/cases?q=${c.number}`);
  assert.ok(byNumber.json.items.some((x) => x.id === c.id));
});
