// zones.test.mjs - the command's 风险区 page in Debian's Chromium: zones are proposed from
// a confirmed case by its ID, the proposal's name is edited and it is published; a lift
// before its date is refused on the page and the zone stays published; the public
// risk-area endpoint (no login) lists it, in the page's own fetch and through the API.
// The English labels are checked once. Screenshots go to tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, login, client } from '../lib/server.mjs';
import { openBrowser, logIn } from '../lib/browser.mjs';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
const DAY = 86400 * 1000;
const localDay = (ms) => new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10);
let srv, admin, theCase;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  srv = await startServer({ persons: 1500, seed: 31 });
  admin = await login(srv.url, 'admin');
  const liudiao = await login(srv.url, 'liudiao');
  const mine = (await (await login(srv.url, 'shequ')).get('/api/v1/me')).json.area_code;
  const p = (await admin.get(`/api/v1/persons?limit=50&community_code=${mine}`)).json.items.find((x) => x.household_id);
  const c = await liudiao.post('/api/v1/cases', { person_id: p.id, classification: 'confirmed', severity: 'mild',
    source: 'fever_clinic', sampling_date: localDay(Date.now() - DAY), onset_date: localDay(Date.now() - DAY) });
  assert.equal(c.status, 201, c.text);
  theCase = c.json;
  // the confirmation proposed a zone; the command turns it down, so the page proposes anew
  const auto = (await admin.get(`/api/v1/zones?case=${theCase.id}`)).json.items;
  assert.equal(auto.length, 1);
  assert.equal((await admin.post(`/api/v1/zones/${auto[0].id}/reject`, { note: '重新划定' })).status, 200);
});

after(async () => { await srv?.stop(); });

test('propose from a confirmed case, edit, publish, and see it on the public list', async (t) => {
  const { page, errors } = await openBrowser(t);
  await logIn(page, srv.url, 'admin');
  await page.getByTestId('nav-zones').click();
  const form = page.getByTestId('zone-propose-form');
  await form.waitFor();
  await form.locator('input[name=case_id]').fill(String(theCase.id));
  await page.getByTestId('zone-propose').click();
  const card = page.locator('[data-testid=zone-card][data-status=proposed]').first();
  await card.waitFor();
  assert.equal(await card.getByTestId('zone-level').textContent(), '封控区');
  assert.match(await card.getByTestId('zone-dates').textContent(), /可解除/);
  const id = Number(await card.getAttribute('data-id'));
  const fresh = (await admin.get(`/api/v1/zones/${id}`)).json;
  assert.deepEqual(fresh.cases.map((c) => c.case_id), [theCase.id]);
  await card.locator('input[name=name]').fill('锦华小区封控区');
  await card.getByTestId('zone-save').click();
  await page.locator(`[data-testid=zone-card][data-id="${id}"] strong`, { hasText: '锦华小区封控区' }).waitFor();
  await page.locator(`[data-testid=zone-card][data-id="${id}"]`).getByTestId('zone-publish').click();
  const published = page.locator(`[data-testid=zone-card][data-id="${id}"][data-status=published]`);
  await published.waitFor();
  // a lift before its date is refused on the page, with the server's reason
  await published.getByTestId('zone-note-lift').fill('提前解除');
  await published.getByTestId('zone-lift').click();
  await published.locator('[role=alert]', { hasText: /\d{4}-\d{2}-\d{2}/ }).waitFor();
  assert.equal((await admin.get(`/api/v1/zones/${id}`)).json.status, 'published');
  await page.screenshot({ path: path.join(OUT, 'zones.png'), fullPage: true });
  // the public list, from the page without the token, and through the API
  const pub = await page.evaluate(async () => (await fetch('/api/v1/public/risk-areas')).json());
  const item = pub.items.find((x) => x.name === '锦华小区封控区');
  assert.ok(item, JSON.stringify(pub));
  assert.deepEqual([item.level, item.level_zh, item.to], ['high', '封控区', null]);
  const csv = await client(srv.url).get('/api/v1/public/risk-areas?format=csv');
  assert.match(csv.text, new RegExp(`^${fresh.area_code},锦华小区封控区,high,\\d{4}-\\d{2}-\\d{2},$`, 'm'));
  // English labels
  await page.getByTestId('lang-switch').click();
  await page.locator(`[data-testid=zone-card][data-id="${id}"] [data-testid=zone-status]`, { hasText: 'Published' }).waitFor();
  assert.deepEqual(errors, []);
});

test('the public notice page (no login) lists the published zone under 高风险区 and the rest of its county', async (t) => {
  const { page, errors } = await openBrowser(t, { width: 420, height: 860 });
  await page.goto(`${srv.url}/#/login`);
  await page.getByTestId('public-notice-link').click();
  await page.getByTestId('notice-lead').waitFor();
  const pub = (await client(srv.url).get('/api/v1/public/risk-areas')).json;
  assert.equal(await page.getByTestId('risk-area').count(), pub.items.length);
  const high = page.getByTestId('risk-level-high');
  assert.match(await high.locator('h2').innerText(), /^高风险区（\d+）$/);
  const ours = high.locator('[data-testid=risk-area]', { hasText: '锦华小区封控区' });
  assert.equal(await ours.getByTestId('risk-zone-level').innerText(), '封控区');
  const item = pub.items.find((x) => x.name === '锦华小区封控区');
  assert.match(await ours.innerText(), new RegExp(`${item.from} 起`));
  assert.match(await ours.innerText(), new RegExp(`${item.may_lift_date} 起解除`));
  const county = page.locator(`[data-testid=risk-level-low] [data-region="${item.region_code.slice(0, 6)}"]`);
  assert.match(await county.innerText(), /其他区域/);
  await page.screenshot({ path: path.join(OUT, 'risk-areas-public.png'), fullPage: true });
  assert.equal(await page.getByTestId('notice-csv').getAttribute('href'), '/api/v1/public/risk-areas?format=csv');
  await page.getByTestId('lang-switch').click();
  await page.getByText(/^High-risk area \(\d+\)$/).waitFor();
  assert.deepEqual(errors, []);
});
