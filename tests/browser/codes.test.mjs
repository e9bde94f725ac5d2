// codes.test.mjs - health codes in Debian's Chromium: a command user opens a person's
// code in the console and reads its token; the checkpoint account scans it at the gate
// (typed like a scanner, then Enter), the screen shows the API's colour and reasons and
// the scan is recorded at the checkpoint (an arrival from the region typed once); a case
// registered for the person turns the next scan red. Forged and malformed tokens
// are refused at the gate. An override asked by one command user cannot be approved by
// the same user (the server's refusal is shown) and shows once a second one approves.
// The public page refuses a wrong ID/phone pair and shows the code for the right one.
// Screenshots go to tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, login, fangkong } from '../lib/server.mjs';
import { openBrowser, logIn } from '../lib/browser.mjs';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
let srv, admin, people, point;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  srv = await startServer({ persons: 1500, seed: 23 });
  admin = await login(srv.url, 'admin');
  // persons with a resident ID number, a mobile phone and a household, none a case yet
  people = (await admin.get('/api/v1/persons?limit=200')).json.items
    .filter((p) => p.id_type === 'resident' && /^1\d{10}$/.test(p.phone || '') && p.household_id);
  assert.ok(people.length >= 3, String(people.length));
  const cp = await admin.post('/api/v1/checkpoints', { name: '浏览器测试卡口', kind: 'gate', area_code: people[0].community_code.slice(0, 6) });
  assert.equal(cp.status, 201, cp.text);
  point = cp.json;
  const r = fangkong(['user', 'add', 'zhihui2', '--role', 'command', '--data', srv.dataDir], { input: 'fangkong2022\n' });
  assert.equal(r.status, 0, r.stderr);
});

after(async () => { await srv?.stop(); });

// The token shown on person p's record in the console (page signed in as a codes user).
async function tokenOnRecord(page, p, { refresh = false } = {}) {
  if (refresh) {
    const before = await page.getByTestId('code-token').innerText();
    await page.getByTestId('code-refresh').click();
    await page.waitForFunction((old) => {
      const el = document.querySelector('[data-testid=code-token]');
      return el && el.textContent && el.textContent !== old;
    }, before);
  } else {
    await page.goto(`${srv.url}/#/persons/${p.id}`);
    await page.getByTestId('code-token').waitFor();
  }
  return (await page.getByTestId('code-token').innerText()).trim();
}

// Scans a token at the gate as a scanner does (typed, then Enter); answers the result box
// once it shows this scan's answer (data-scan counts the answered scans).
async function scan(gate, token) {
  const box = gate.getByTestId('gate-result');
  const n = Number(await box.getAttribute('data-scan') || 0);
  await gate.getByTestId('gate-token').click();
  await gate.keyboard.type(token);
  await gate.keyboard.press('Enter');
  await gate.locator(`[data-testid=gate-result][data-scan="${n + 1}"]`).waitFor();
  return box;
}

test('a code read in the console, scanned at the checkpoint, red after a case', async (t) => {
  const { page, errors } = await openBrowser(t);
  const p = people[0];
  await logIn(page, srv.url, 'admin');
  const token = await tokenOnRecord(page, p);
  const api = (await admin.get(`/api/v1/persons/${p.id}/code`)).json;
  assert.equal(await page.getByTestId('code-block').getAttribute('data-color'), api.color);
  assert.equal(await page.getByTestId('code-color').innerText(), api.color_zh);
  assert.ok(token.length >= 16, token);
  assert.ok(!token.includes(p.id_number), 'the token never holds the ID number');
  await page.getByTestId('code-qr').waitFor();
  await page.screenshot({ path: path.join(OUT, 'codes-person.png'), fullPage: true });

  // the checkpoint account, in its own tab (its own session)
  const gate = await page.context().newPage();
  await logIn(gate, srv.url, 'kakou');
  await gate.getByTestId('nav-checkpoint').click();
  await gate.getByTestId('gate-token').waitFor();
  // the checkpoint is chosen once for the tab; scans come in from another region
  await gate.getByTestId('gate-checkpoint').selectOption(String(point.id));
  await gate.getByTestId('gate-direction').selectOption('in');
  await gate.getByTestId('gate-from').fill('420106');

  const scanned = (await admin.get(`/api/v1/codes/${encodeURIComponent(token)}`)).json;
  let box = await scan(gate, token);
  assert.equal(await box.getAttribute('data-state'), 'code');
  assert.equal(await box.getAttribute('data-color'), scanned.color);
  assert.equal(await gate.getByTestId('gate-color').innerText(), scanned.color_zh);
  assert.equal(await gate.getByTestId('gate-name').innerText(), scanned.name_masked);
  assert.match(scanned.name_masked, /^.某某$/u);
  assert.equal(scanned.name_masked[0], [...p.name][0]);
  assert.deepEqual(await gate.getByTestId('gate-reason').allInnerTexts(), scanned.reasons.map((r) => r.zh));
  // the scan is recorded at the checkpoint: an inbound scan from a region is an arrival
  await gate.getByTestId('gate-recorded').waitFor();
  const arrivals = (await admin.get('/api/v1/travel/arrivals?limit=100')).json.items
    .filter((a) => a.person_id === p.id && a.checkpoint_id === point.id);
  assert.equal(arrivals.length, 1, JSON.stringify(arrivals));
  assert.equal(arrivals[0].from_region, '420106');
  // 双码联查: the itinerary card under the code (no risk-area list here: no star)
  const card = gate.getByTestId('gate-itinerary');
  await card.waitFor();
  assert.equal(await card.getAttribute('data-star'), 'false');
  assert.match(await card.innerText(), /行程卡（7 天）：未到过风险区/);
  assert.deepEqual(await gate.getByTestId('gate-place').allInnerTexts(), ['420106']);
  await gate.screenshot({ path: path.join(OUT, 'codes-gate-first.png') });

  // a confirmed case for the person: the code is recomputed at once; a fresh token is red
  const k = await admin.post('/api/v1/cases', { person_id: p.id, classification: 'confirmed', severity: 'mild',
    reported_at: iso(Date.now() - 60000), sampling_date: iso(Date.now()).slice(0, 10), source: 'community_screening' });
  assert.equal(k.status, 201, k.text);
  const fresh = await tokenOnRecord(page, p, { refresh: true });
  assert.notEqual(fresh, token);
  assert.equal(await page.getByTestId('code-block').getAttribute('data-color'), 'red');
  assert.ok(await page.getByTestId('code-history-row').count() >= 1, 'the change is in the history');
  const red = (await admin.get(`/api/v1/codes/${encodeURIComponent(fresh)}`)).json;
  assert.equal(red.color, 'red');
  box = await scan(gate, fresh);
  assert.equal(await box.getAttribute('data-color'), 'red');
  assert.equal(await gate.getByTestId('gate-door').innerText(), red.door_zh ?? '禁止');
  const reasons = await gate.getByTestId('gate-reason').allInnerTexts();
  assert.deepEqual(reasons, red.reasons.map((r) => r.zh));
  assert.ok(reasons.length >= 1);
  await gate.screenshot({ path: path.join(OUT, 'codes-gate-red.png') });

  // forged (one character changed) and malformed tokens are refused, said as such
  const i = Math.floor(fresh.length / 2);
  const forged = fresh.slice(0, i) + (fresh[i] === 'A' ? 'B' : 'A') + fresh.slice(i + 1);
  const forgedApi = await admin.get(`/api/v1/codes/${encodeURIComponent(forged)}`);
  box = await scan(gate, forged);
  assert.equal(await box.getAttribute('data-state'), 'error');
  assert.equal(forgedApi.status, 403, forgedApi.text);
  assert.equal(await box.getAttribute('data-status'), '403');
  assert.match(await gate.getByTestId('gate-error').innerText(), /伪造码/);
  box = await scan(gate, 'not-a-token');
  assert.equal(await box.getAttribute('data-status'), '400');
  assert.match(await gate.getByTestId('gate-error').innerText(), /无效码/);
  assert.deepEqual(errors, []);
});

test('an override needs a second command user; the console shows the refusal and then the override', async (t) => {
  const { page, errors } = await openBrowser(t);
  const p = people[1];
  await logIn(page, srv.url, 'admin');
  await tokenOnRecord(page, p);
  const form = page.getByTestId('override-form');
  await form.getByTestId('override-color').selectOption('yellow');
  await form.getByTestId('override-reason').fill('浏览器测试：核酸结果异常待复核');
  await form.getByTestId('override-submit').click();
  const row = page.getByTestId('override-pending').getByTestId('override-row');
  await row.waitFor();
  const id = await row.getAttribute('data-id');
  // the requester cannot approve: the server refuses and the console says why
  await row.getByTestId('override-approve').click();
  await page.getByTestId('override-pending').locator('.banner-error').waitFor();
  const pending = (await admin.get('/api/v1/code-overrides?status=pending')).json.items;
  assert.ok(pending.some((o) => String(o.id) === id), 'still pending');
  assert.equal((await admin.get(`/api/v1/persons/${p.id}/code`)).json.override, null);
  // a second command user approves on the overrides page
  const second = await page.context().newPage();
  await logIn(second, srv.url, 'zhihui2');
  await second.getByTestId('nav-code_overrides').click();
  const theirs = second.locator(`[data-testid=override-row][data-id="${id}"]`);
  await theirs.getByTestId('override-approve').click();
  await second.locator('[data-testid=overrides-page] .banner-ok').waitFor();
  await page.getByTestId('code-refresh').click();
  await page.getByTestId('code-override').waitFor();
  assert.match(await page.getByTestId('code-override').innerText(), /浏览器测试：核酸结果异常待复核/);
  assert.match(await page.getByTestId('code-override').innerText(), /zhihui2/);
  assert.equal(await page.getByTestId('code-block').getAttribute('data-color'), 'yellow');
  const code = (await admin.get(`/api/v1/persons/${p.id}/code`)).json;
  assert.equal(String(code.override.id), id);
  assert.deepEqual(errors, []);
});

test('the public page: a wrong pair is refused, the right pair shows the code', async (t) => {
  const { page, errors } = await openBrowser(t, { width: 390, height: 844 });
  const p = people[2];
  await page.goto(`${srv.url}/#/login`);
  await page.getByTestId('public-code-link').click(); // the console's login page links to it
  await page.waitForURL(`${srv.url}/code.html`);
  await page.getByTestId('public-id').fill(p.id_number);
  await page.getByTestId('public-phone').fill(p.phone === '13800000000' ? '13900000000' : '13800000000');
  await page.getByTestId('public-submit').click();
  await page.getByTestId('public-error').waitFor();
  assert.match(await page.getByTestId('public-error').innerText(), /证件号码或手机号码不正确/);
  assert.equal(await page.getByTestId('public-code').count(), 0);

  await page.getByTestId('public-phone').fill(p.phone);
  await page.getByTestId('public-submit').click();
  await page.getByTestId('public-code').waitFor();
  const api = (await admin.get(`/api/v1/persons/${p.id}/code`)).json;
  assert.equal(await page.getByTestId('code-block').getAttribute('data-color'), api.color);
  assert.equal(await page.getByTestId('code-color').innerText(), api.color_zh);
  assert.equal(await page.getByTestId('code-name').innerText(), `${[...p.name][0]}某某`);
  await page.getByTestId('code-qr').waitFor();
  assert.equal(await page.getByTestId('code-valid-until').getAttribute('data-expired'), '0');
  await page.screenshot({ path: path.join(OUT, 'codes-public.png'), fullPage: true });
  // English on the switch, the code still shown
  await page.getByTestId('lang-switch').click();
  assert.match(await page.getByTestId('code-color').innerText(), /code$/);
  await page.getByTestId('public-refresh').click();
  await page.getByTestId('public-code').waitFor();
  assert.deepEqual(errors, []);
});
