// accountability.test.mjs - the command's accountability view in Debian's Chromium: the
// performance table with a late lead's unit in red, today's daily reports, the briefing
// naming the official responsible at the time, and an action recorded with its button.
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
let srv, admin, mine, leadId;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  srv = await startServer({ persons: 1500, seed: 12 });
  admin = await login(srv.url, 'admin');
  const shequ = await login(srv.url, 'shequ');
  mine = (await shequ.get('/api/v1/me')).json.area_code;
  const r = await admin.post('/api/v1/responsibilities', { area_code: mine, function: 'leads', unit: '测试社区居委会',
    official: '赵测试', valid_from: iso(Date.now() - 48 * HOUR) });
  assert.equal(r.status, 201, r.text);
  const late = await admin.post('/api/v1/leads', { kind: 'close_contact', subject: '13900000077', area_code: mine,
    pushed_at: iso(Date.now() - 5 * HOUR) });
  assert.equal(late.status, 201, late.text);
  leadId = late.json.id;
});

after(async () => { await srv?.stop(); });

test('the command sees performance, reports and the briefing, and records an action', async (t) => {
  const { page, errors } = await openBrowser(t);
  await logIn(page, srv.url, 'admin');
  await page.getByTestId('nav-accountability').click();
  await page.getByTestId('acc-performance').waitFor();
  await page.getByTestId('acc-level').selectOption('community');
  await page.locator('[data-testid=acc-filter] button[type=submit]').click();
  const row = page.locator(`[data-testid=acc-perf-row][data-area="${mine}"]`);
  await row.waitFor();
  // the lead missed its found deadline: its community's count is red
  const missed = row.locator('td[data-measure=lead_deadlines_missed]');
  assert.equal(await missed.innerText(), '1');
  assert.match(await missed.getAttribute('class'), /cell-failure/);
  assert.match(await page.getByTestId('acc-report-counts').innerText(), /待报送/);
  const failure = page.locator(`[data-testid=acc-failure][data-ref="lead:${leadId}:found"]`);
  assert.match(await failure.innerText(), /测试社区居委会 赵测试/);
  await failure.getByTestId('acc-record').click();
  await failure.getByTestId('acc-action').selectOption('admonishment');
  await failure.getByTestId('acc-reason').fill('未按时找到密接');
  await failure.getByTestId('acc-action-save').click();
  await page.locator(`[data-testid=acc-failure][data-ref="lead:${leadId}:found"] [data-testid=acc-action-done]`).waitFor();
  assert.match(await page.locator(`[data-testid=acc-failure][data-ref="lead:${leadId}:found"]`).innerText(), /赵测试 诫勉：未按时找到密接/);
  await page.screenshot({ path: path.join(OUT, 'accountability.png'), fullPage: true });
  const actions = (await admin.get('/api/v1/accountability/actions')).json.items;
  assert.deepEqual(actions.map((a) => [a.failure_ref, a.action, a.official]), [[`lead:${leadId}:found`, 'admonishment', '赵测试']]);
  assert.deepEqual(errors, []);
});

test('a community worker has no accountability menu', async (t) => {
  const { page } = await openBrowser(t);
  await logIn(page, srv.url, 'shequ');
  await page.getByTestId('nav-leads').waitFor();
  assert.equal(await page.getByTestId('nav-accountability').count(), 0);
});
