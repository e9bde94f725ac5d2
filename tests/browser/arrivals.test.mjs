// arrivals.test.mjs - 来返人员 in Debian's Chromium: a community worker sees the arrivals
// to their community, the traveler from a high-risk area marked with the level, the
// measure the policy requires and the state of the lead, and the same page in English.
// Screenshots go to tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, login } from '../lib/server.mjs';
import { openBrowser, logIn } from '../lib/browser.mjs';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
let srv, admin, shequ, high;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  srv = await startServer({ persons: 800, seed: 71 });
  [admin, shequ] = await Promise.all(['admin', 'shequ'].map((u) => login(srv.url, u)));
  const mine = (await shequ.get('/api/v1/me')).json.area_code;
  const people = (await admin.get(`/api/v1/persons?limit=3&community_code=${mine}`)).json.items;
  const from = new Date(Date.now() + 8 * 3600e3 - 5 * 86400e3).toISOString().slice(0, 10);
  const imp = await admin.raw('POST', '/api/v1/imports/risk-areas?source=湖北省',
    `region_code,area_name,level,from,to\n420106,中南花园,high,${from},\n`, { 'Content-Type': 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
  high = (await admin.post('/api/v1/travel/arrivals', { person_id: people[0].id, place_kind: 'station', place: '东站',
    from_region: '420106', from_area: '中南花园' })).json;
  assert.equal(high.leads.length, 1);
  assert.equal((await admin.post('/api/v1/travel/arrivals', { person_id: people[1].id, place_kind: 'airport',
    from_region: '110105' })).status, 201);
});
after(async () => { await srv?.stop(); });

test('the community worker sees its arrivals with level, measure and lead', async (t) => {
  const { page } = await openBrowser(t);
  await logIn(page, srv.url, 'shequ');
  await page.getByTestId('nav-arrivals').click();
  await page.getByTestId('arrival-row').first().waitFor();
  const total = (await shequ.get('/api/v1/travel/arrivals?limit=50')).json.total;
  assert.equal(await page.getByTestId('arrival-row').count(), total);
  const row = page.locator(`[data-testid=arrival-row][data-id="${high.id}"]`);
  assert.equal(await row.getByTestId('arrival-level').innerText(), '高风险区');
  assert.match(await row.innerText(), /集中隔离/);
  assert.match(await row.getByTestId('arrival-lead').innerText(), new RegExp(`#${high.leads[0].id} 已推送`));
  await page.screenshot({ path: path.join(OUT, 'arrivals.png'), fullPage: true });
  await page.getByTestId('arrivals-matched').check();
  await page.locator('[data-testid=arrivals-filter] button[type=submit]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=arrival-row]').length === 1);
  await page.getByTestId('lang-switch').click();
  await page.getByText('High-risk area').waitFor();
});
