// console.test.mjs - the web console in Debian's Chromium (playwright-core) against a
// real fangkong server with a demo city. Screenshots go to tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer, DEMO_PASSWORD } from '../lib/server.mjs';
import { validId, withWrongCheck } from '../lib/ids.mjs';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
let srv;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  srv = await startServer({ persons: 2000 });
});

after(async () => { await srv?.stop(); });

// A fresh Chromium with its own empty profile; page errors are collected, not ignored.
async function openBrowser(t) {
  const profile = mkdtempSync(path.join(tmpdir(), 'fangkong-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true, args: CHROMIUM_ARGS, viewport: { width: 1360, height: 860 },
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(15000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(`console: ${m.text()}`); });
  t.after(async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); });
  return { page, errors };
}

const shot = (page, name) => page.screenshot({ path: path.join(OUT, name), fullPage: true });
const byId = (page, id) => page.getByTestId(id);

async function logIn(page, username = 'admin') {
  await page.goto(`${srv.url}/#/login`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(DEMO_PASSWORD);
  await byId(page, 'login-submit').click();
  await byId(page, 'tile-persons').waitFor();
}

// Choose the first real option of a select once the API has filled it.
async function chooseFirst(page, testid) {
  const sel = byId(page, testid);
  await page.waitForFunction((id) => {
    const s = document.querySelector(`[data-testid="${id}"]`);
    return s && !s.disabled && s.options.length > 1;
  }, testid);
  const value = await sel.evaluate((s) => s.options[1].value);
  await sel.selectOption(value);
  return value;
}

test('a wrong check digit is shown at the ID field; the fixed person is found by search', async (t) => {
  const { page, errors } = await openBrowser(t);
  await logIn(page);
  await page.locator('[data-testid="chart-status"] svg').waitFor();
  await shot(page, '01-dashboard.png');

  await byId(page, 'nav-persons').click();
  await byId(page, 'person-row').first().waitFor();
  await byId(page, 'person-new').click();
  await byId(page, 'person-form').waitFor();

  const name = '欧阳浏览';
  const good = validId(4242);
  await byId(page, 'input-name').fill(name);
  await byId(page, 'input-id_number').fill(withWrongCheck(good));
  await byId(page, 'input-phone').fill('13912345678');
  await byId(page, 'input-resident_type').selectOption('non_resident');
  await chooseFirst(page, 'community-district');
  await chooseFirst(page, 'community-street');
  await chooseFirst(page, 'community-community');
  await byId(page, 'input-address').fill('幸福路8号3单元');
  await byId(page, 'flag-chronic').check();

  const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/persons') && r.request().method() === 'POST');
  await byId(page, 'person-submit').click();
  assert.equal((await refused).status(), 400, 'the server judges the ID number');
  const fieldError = byId(page, 'error-id_number');
  await fieldError.waitFor({ state: 'visible' });
  assert.match(await fieldError.innerText(), /校验|check digit/i);
  // next to the ID number input: inside the same field row
  assert.equal(await page.locator('.field[data-field="id_number"] [data-testid="error-id_number"]').count(), 1);
  assert.ok(await byId(page, 'banner').isHidden(), 'a field error is not a banner');
  await shot(page, '02-id-number-error.png');

  await byId(page, 'input-id_number').fill(good);
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/persons') && r.request().method() === 'POST');
  await byId(page, 'person-submit').click();
  assert.equal((await created).status(), 201);
  await page.waitForURL(/#\/persons\/\d+$/);
  assert.equal(await byId(page, 'person-name').innerText(), name);
  await shot(page, '03-person-created.png');

  await byId(page, 'nav-persons').click();
  await byId(page, 'persons-q').fill(name);
  await byId(page, 'persons-search').click();
  await page.waitForURL(/#\/persons\?q=/);
  const row = byId(page, 'person-row').filter({ hasText: name });
  await row.waitFor();
  assert.equal(await byId(page, 'person-row').count(), 1);
  assert.match(await row.innerText(), new RegExp(good));
  await shot(page, '04-search-found.png');
  assert.deepEqual(errors, []);
});

test('the language switch turns labels to English and is remembered', async (t) => {
  const { page, errors } = await openBrowser(t);
  await page.goto(`${srv.url}/#/login`);
  assert.equal(await byId(page, 'login-submit').innerText(), '登录');
  await byId(page, 'lang-switch').click();
  assert.equal(await byId(page, 'login-submit').innerText(), 'Sign in');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');

  await logIn(page);
  assert.equal(await byId(page, 'nav-persons').innerText(), 'Persons');
  await page.reload();
  await byId(page, 'tile-persons').waitFor();
  assert.equal(await byId(page, 'nav-cases').innerText(), 'Cases');
  assert.match(await byId(page, 'who').innerText(), /Command/);
  await byId(page, 'nav-persons').click();
  await byId(page, 'person-row').first().waitFor();
  assert.ok(await page.getByRole('columnheader', { name: 'ID number' }).isVisible());
  await shot(page, '05-english-persons.png');

  await byId(page, 'lang-switch').click();
  assert.equal(await byId(page, 'nav-persons').innerText(), '人员');
  assert.deepEqual(errors, []);
});

test('a case reported from a person page moves to its next status on the timeline', async (t) => {
  const { page, errors } = await openBrowser(t);
  await logIn(page);
  await byId(page, 'nav-persons').click();
  await byId(page, 'person-link').first().click();
  await byId(page, 'person-new-case').click();
  await byId(page, 'case-form').waitFor();
  await byId(page, 'input-classification').selectOption('confirmed');
  await byId(page, 'input-severity').selectOption('mild');
  await byId(page, 'input-hospital').fill('市公共卫生临床医疗中心');
  await byId(page, 'case-submit').click();
  await page.waitForURL(/#\/cases\/\d+$/);
  await byId(page, 'timeline').waitFor();
  assert.match(await byId(page, 'case-title').innerText(), /第\d+号/);

  await byId(page, 'transition-note').fill('120 转运');
  await byId(page, 'to-transferred').click();
  await byId(page, 'to-hospitalized').waitFor();
  assert.equal(await page.locator('[data-testid="timeline"] li').count(), 2);
  assert.match(await byId(page, 'case-title').innerText(), /已转运/);
  await shot(page, '06-case-timeline.png');
  assert.deepEqual(errors, []);
});

test('a wrong phone number is explained under the phone field in Chinese, and as the server says in English', async (t) => {
  const { page, errors } = await openBrowser(t);
  await logIn(page);
  const submitWithPhone = async (phone) => {
    await byId(page, 'nav-persons').click();
    await byId(page, 'person-new').click();
    await byId(page, 'person-form').waitFor();
    await byId(page, 'input-name').fill('司马电话');
    await byId(page, 'input-id_number').fill(validId(4343));
    await byId(page, 'input-phone').fill(phone);
    await byId(page, 'input-resident_type').selectOption('non_resident');
    await chooseFirst(page, 'community-district');
    await chooseFirst(page, 'community-street');
    await chooseFirst(page, 'community-community');
    await byId(page, 'input-address').fill('幸福路9号');
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/persons') && r.request().method() === 'POST');
    await byId(page, 'person-submit').click();
    assert.equal((await refused).status(), 400);
    const slot = byId(page, 'error-phone');
    await slot.waitFor({ state: 'visible' });
    return slot.innerText();
  };

  const zh = await submitWithPhone('12345');
  assert.match(zh, /[\u4e00-\u9fff]/);
  assert.match(zh, /手机|电话/);
  assert.doesNotMatch(zh, /expected/);
  await shot(page, '07-phone-error-zh.png');

  await byId(page, 'lang-switch').click();
  const en = await submitWithPhone('12345');
  assert.match(en, /^expected a mobile number/);
  await shot(page, '08-phone-error-en.png');
  assert.deepEqual(errors, []);
});

test('from a case page, contact discovery lists the companions with their evidence', async (t) => {
  const { login, fangkong } = await import('../lib/server.mjs');
  const { writeFileSync } = await import('node:fs');
  const api = await login(srv.url, 'admin');
  const p = (await api.get('/api/v1/persons?limit=50&offset=100')).json.items.find((x) => x.phone);
  const c = (await api.post('/api/v1/cases', { person_id: p.id, classification: 'asymptomatic',
    reported_at: '2022-05-02T10:00:00Z', sampling_date: '2022-05-02', source: 'fever_clinic' })).json;
  const file = path.join(tmpdir(), `fangkong-browser-stays-${process.pid}.csv`);
  writeFileSync(file, ['subject,cell,start,end',
    `${p.phone},G1,2022-05-01T08:00:00Z,2022-05-01T09:00:00Z`,
    `${p.phone},G1,2022-04-27T00:00:00Z,2022-04-28T08:00:00Z`,
    '13911112222,G1,2022-05-01T08:40:00Z,2022-05-01T10:00:00Z', ''].join('\n'));
  const imported = fangkong(['import', 'stays', file, '--data', srv.dataDir]);
  rmSync(file, { force: true });
  assert.equal(imported.status, 0, imported.stderr);

  const { page, errors } = await openBrowser(t);
  await logIn(page);
  await page.goto(`${srv.url}/#/cases/${c.id}`);
  await byId(page, 'contacts-run').click();
  await byId(page, 'contacts').waitFor();
  const row = await page.locator('[data-testid="contacts"] tbody tr').first().innerText();
  assert.match(row, /13911112222/);
  assert.match(row, /G1/);
  assert.match(row, /\b20\b/); // 1,200 s of overlap, shown in minutes
  await shot(page, '09-case-contacts.png');
  assert.deepEqual(errors, []);
});
