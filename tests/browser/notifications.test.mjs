// notifications.test.mjs - 通知 in Debian's Chromium: a positive result the lab cannot
// match to a tube reaches the epidemiologist's inbox (the policy's audience), marked
// urgent; acknowledging it names who did, takes it off the unacknowledged list, and the
// server holds the same; the page in English labels the kind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, login } from '../lib/server.mjs';
import { openBrowser, logIn } from '../lib/browser.mjs';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const BARCODE = 'NT31-XX0001';
let srv, liudiao, unmatched;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  srv = await startServer({ persons: 600, seed: 31 });
  const [jiance, shequ] = await Promise.all(['jiance', 'shequ'].map((u) => login(srv.url, u)));
  liudiao = await login(srv.url, 'liudiao');
  const mine = (await shequ.get('/api/v1/me')).json.area_code;
  const round = (await jiance.post('/api/v1/testing/rounds', { name: '通知测试轮', area_code: mine.slice(0, 9),
    state: 'open', starts_at: iso(Date.now() - 3600e3), ends_at: iso(Date.now() + 23 * 3600e3) })).json;
  const lab = (await jiance.post('/api/v1/testing/labs', { name: '通知实验室', area_code: mine.slice(0, 6) })).json;
  const r = await jiance.post(`/api/v1/testing/labs/${lab.id}/unmatched-results`,
    { barcode: BARCODE, result: 'positive', ct_orf1ab: 24.5, ct_n: 25.0, round_id: round.id });
  assert.equal(r.status, 201, r.text);
  unmatched = r.json;
});
after(async () => { await srv?.stop(); });

test('the epidemiologist sees the unmatched positive and acknowledges it', async (t) => {
  const { page } = await openBrowser(t);
  await logIn(page, srv.url, 'liudiao');
  await page.getByTestId('nav-notifications').click();
  const inbox = (await liudiao.get('/api/v1/notifications?unacked=1&limit=50')).json;
  await page.getByTestId('notice-row').first().waitFor();
  assert.equal(await page.getByTestId('notice-row').count(), inbox.total);
  const mine = inbox.items.find((n) => n.kind === 'unmatched_positive' && n.entity_id === unmatched.id);
  assert.ok(mine, JSON.stringify(inbox.items));
  const row = page.locator(`[data-testid=notice-row][data-id="${mine.id}"]`);
  assert.equal(await row.getByTestId('notice-kind').innerText(), '阳性待匹配');
  assert.match(await row.getByTestId('notice-message').innerText(), new RegExp(`${BARCODE}.*24\\.5`));
  assert.match(await row.getAttribute('class'), /notice-urgent/);
  await page.screenshot({ path: path.join(OUT, 'notifications.png'), fullPage: true });

  await row.getByTestId('notice-ack').click();
  await row.waitFor({ state: 'detached' });
  const after = (await liudiao.get('/api/v1/notifications?limit=50')).json.items.find((n) => n.id === mine.id);
  assert.equal(after.ack_by, 'liudiao');
  await page.getByTestId('notice-unacked').uncheck();
  const acked = page.locator(`[data-testid=notice-row][data-id="${mine.id}"]`);
  await acked.getByTestId('notice-acked').waitFor();
  assert.match(await acked.getByTestId('notice-acked').innerText(), /liudiao/);
  await page.getByTestId('lang-switch').click();
  await page.getByText('Positive without a tube').waitFor();
});
