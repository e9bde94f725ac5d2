// transfers.test.mjs - the transfer team's dispatch page in Debian's Chromium: two found
// close contacts are put on a trip with an available vehicle and a crew (the server
// reserves their rooms first), one is marked aboard and the other missed, and the trip
// arrives: both leads' outcomes and the isolation are checked through the API.
// Screenshots go to tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, login } from '../lib/server.mjs';
import { openBrowser, logIn } from '../lib/browser.mjs';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
let srv, admin, shequ, leads;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  srv = await startServer({ persons: 1500, seed: 29 });
  admin = await login(srv.url, 'admin');
  shequ = await login(srv.url, 'shequ');
  const mine = (await shequ.get('/api/v1/me')).json.area_code;
  for (const d of (await admin.get('/api/v1/facilities?limit=1000')).json.items)
    assert.equal((await admin.patch(`/api/v1/facilities/${d.id}`, { state: 'closed' })).status, 200);
  const f = await admin.post('/api/v1/facilities', { name: '浏览器测试隔离点', area_code: mine, lon: 104.07, lat: 30.66 });
  assert.equal(f.status, 201, f.text);
  assert.equal((await admin.post(`/api/v1/facilities/${f.json.id}/rooms`, { count: 4, prefix: 'B' })).status, 201);
  assert.equal((await admin.post('/api/v1/transfers/vehicles', { plate: '川A·T0001', seats: 4, area_code: mine })).status, 201);
  assert.equal((await admin.post('/api/v1/transfers/crews', { name: '一组', leader: '李队长', area_code: mine })).status, 201);
  const persons = (await admin.get(`/api/v1/persons?limit=2&community_code=${mine}`)).json.items;
  leads = [];
  for (const p of persons) {
    const l = await admin.post('/api/v1/leads', { kind: 'close_contact', person_id: p.id });
    assert.equal(l.status, 201, l.text);
    for (const state of ['received', 'found']) await shequ.patch(`/api/v1/leads/${l.json.id}`, { state });
    leads.push({ ...l.json, name: p.name });
  }
});

after(async () => { await srv?.stop(); });

test('a trip is dispatched, worked and arrives from the transfer page', async (t) => {
  const { page, errors } = await openBrowser(t);
  await logIn(page, srv.url, 'zhuanyun');
  await page.getByTestId('nav-transfers').click();
  const form = page.getByTestId('trip-form');
  await form.waitFor();
  for (const l of leads) await form.locator(`input[name=lead][value="${l.id}"]`).check();
  await page.getByTestId('trip-create').click();
  const card = page.getByTestId('trip-card').first();
  await card.locator('[data-testid=pickup]').nth(1).waitFor();
  assert.equal(await card.getAttribute('data-state'), 'assigned');
  await card.getByTestId('pickup-aboard').first().click();
  await page.locator('[data-testid=pickup][data-state=aboard]').waitFor();
  await page.getByTestId('trip-card').first().getByTestId('pickup-missed').click();
  await page.getByTestId('trip-arrive').click();
  await page.locator('[data-testid=trip-card][data-state=arrived]').waitFor();
  await page.screenshot({ path: path.join(OUT, 'transfers.png'), fullPage: true });
  const states = await Promise.all(leads.map(async (l) => (await shequ.get(`/api/v1/leads/${l.id}`)).json.state));
  assert.deepEqual([...states].sort(), ['controlled', 'found'], 'one fetched and controlled, the missed one still found');
  const fetched = leads[states.indexOf('controlled')];
  const isos = (await admin.get('/api/v1/isolations?state=active&limit=100')).json.items
    .filter((i) => leads.some((l) => l.person_id === i.person_id));
  assert.deepEqual(isos.map((i) => i.person_id), [fetched.person_id], 'the fetched person is isolated');
  assert.deepEqual(errors, []);
});
