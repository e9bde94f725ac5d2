// leads.test.mjs - the community worker's leads queue in Debian's Chromium on a
// phone-sized screen: the queue shows the leads of their community with overdue ones in
// red and escalated, and a lead is worked from received to closed by its buttons.
// Screenshots go to tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, login } from '../lib/server.mjs';
import { openBrowser, logIn } from '../lib/browser.mjs';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
let srv, liudiao, shequ, mine, caseId;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  srv = await startServer({ persons: 1500, seed: 11 });
  liudiao = await login(srv.url, 'liudiao');
  shequ = await login(srv.url, 'shequ');
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  const persons = (await shequ.get('/api/v1/persons?limit=1000')).json.items.filter((p) => p.household_id);
  const byHousehold = new Map();
  for (const p of persons) byHousehold.set(p.household_id, [...(byHousehold.get(p.household_id) || []), p]);
  const family = [...byHousehold.values()].find((m) => m.length >= 3);
  const k = await liudiao.post('/api/v1/cases', { person_id: family[0].id, classification: 'asymptomatic',
    reported_at: '2022-05-02T10:00:00Z', sampling_date: '2022-05-02', source: 'community_screening' });
  caseId = k.json.id;
  await liudiao.post(`/api/v1/cases/${caseId}/contacts/discover`, { from: '2022-05-01T00:00:00Z', to: '2022-05-03T00:00:00Z' });
  const pushed = await liudiao.post(`/api/v1/cases/${caseId}/leads`);
  assert.ok(pushed.json.created >= 2, pushed.text);
  const late = await liudiao.post('/api/v1/leads', { kind: 'traveler', subject: '13900000066', area_code: mine,
    pushed_at: iso(Date.now() - 5 * HOUR) });
  assert.equal(late.status, 201, late.text);
});

after(async () => { await srv?.stop(); });

async function openPhone(t) {
  return openBrowser(t, { width: 390, height: 844 });
}
const byId = (page, id) => page.getByTestId(id);

const signIn = (page, username) => logIn(page, srv.url, username);

test('the community worker works the queue on a phone', async (t) => {
  const { page, errors } = await openPhone(t);
  await signIn(page, 'shequ');
  // the overview shows the leads past their deadline, red, linking to the queue
  const overdue = (await shequ.get('/api/v1/leads?overdue=1&limit=1')).json.total;
  assert.ok(overdue >= 1);
  const tile = byId(page, 'tile-leads-overdue');
  await tile.waitFor();
  assert.equal(await tile.locator('.tile-n').innerText(), overdue.toLocaleString('en-US'));
  assert.match(await tile.getAttribute('class'), /tile-alert/);
  assert.equal(await byId(page, 'tile-trips-late').count(), 0, 'a community worker does not dispatch');
  await byId(page, 'nav-leads').click();
  await byId(page, 'lead-card').first().waitFor();
  const total = (await shequ.get('/api/v1/leads?limit=50')).json.total;
  assert.equal(await byId(page, 'lead-card').count(), Math.min(total, 50));
  // the late traveler: red, escalated by the list's sweep (5 h: the 2 h deadline missed)
  const late = page.locator('.lead-overdue', { hasText: '13900000066' });
  await late.waitFor();
  assert.match(await late.getByTestId('lead-level').innerText(), /街道/);
  await page.screenshot({ path: path.join(OUT, 'leads-phone.png'), fullPage: true });

  // work the first lead of the case from pushed to closed with its buttons
  const lead = (await shequ.get(`/api/v1/leads?case_id=${caseId}&state=pushed`)).json.items[0];
  const name = lead.person_name || lead.subject;
  const card = () => page.locator('[data-testid=lead-card]', { hasText: name }).first();
  for (const state of ['received', 'found']) {
    await card().getByTestId(`lead-to-${state}`).click();
    await page.locator(`[data-testid=lead-card][data-state=${state}]`, { hasText: name }).waitFor();
  }
  // controlled without a measure: the server's refusal is shown, nothing changes
  await card().getByTestId('lead-to-controlled').click();
  await card().locator('.error').filter({ hasText: /./ }).waitFor();
  assert.equal((await shequ.get(`/api/v1/leads/${lead.id}`)).json.state, 'found');
  await card().getByTestId('lead-measure').selectOption('home_isolation_door_sensor');
  await card().getByTestId('lead-note').fill('已装门磁');
  await card().getByTestId('lead-to-controlled').click();
  await page.locator('[data-testid=lead-card][data-state=controlled]', { hasText: name }).waitFor();
  await card().getByTestId('lead-to-closed').click();
  await page.locator('[data-testid=lead-card][data-state=closed]', { hasText: name }).waitFor();
  const got = (await shequ.get(`/api/v1/leads/${lead.id}`)).json;
  assert.deepEqual(got.events.map((e) => e.to_state), ['pushed', 'received', 'found', 'controlled', 'closed']);
  assert.equal(got.measure_taken, 'home_isolation_door_sensor');
  assert.equal(got.events[3].note, '已装门磁');
  assert.deepEqual(errors, []);
});

test('the viewer has no leads menu', async (t) => {
  const { page } = await openPhone(t);
  await signIn(page, 'guest');
  assert.equal(await byId(page, 'nav-leads').count(), 0);
});
