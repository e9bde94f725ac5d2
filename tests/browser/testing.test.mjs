// testing.test.mjs - the coverage view of a testing round in Debian's Chromium: a round
// over a district with some persons of one community scanned; the view's table shows the
// API's numbers for every unit, coloured by the policy's rates; clicking the community
// lists its untested persons (the API's total) and the CSV download holds them.
// Screenshots go to tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, login } from '../lib/server.mjs';
import { validId } from '../lib/ids.mjs';
import { openBrowser, logIn } from '../lib/browser.mjs';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
let srv, jiance, mine, round, bedridden;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  srv = await startServer({ persons: 1500, seed: 17 });
  jiance = await login(srv.url, 'jiance');
  const admin = await login(srv.url, 'admin');
  mine = (await (await login(srv.url, 'shequ')).get('/api/v1/me')).json.area_code;
  // a second community with one registered non-resident, nobody tested: a red row
  const second = `${mine.slice(0, 9)}996`;
  const imp = await admin.post('/api/v1/imports/areas', `code,parent_code,name\n${second},${mine.slice(0, 9)},覆盖浏览器社区\n`,
    { 'Content-Type': 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
  const made = await admin.post('/api/v1/persons', { name: '流动人员甲', id_number: validId(5151), resident_type: 'non_resident',
    community_code: second, address: '覆盖路 2 号' });
  assert.equal(made.status, 201, made.text);
  // a bed-ridden resident of mine (flag disabled): sampled at home (testing.home_sampling)
  const bed = await admin.post('/api/v1/persons', { name: '卧床老人', id_number: validId(5153), resident_type: 'non_resident',
    community_code: mine, address: '覆盖路 3 号', flags: ['disabled'] });
  assert.equal(bed.status, 201, bed.text);
  bedridden = bed.json;
  const r = await jiance.post('/api/v1/testing/rounds', { name: '浏览器测试轮', area_code: mine.slice(0, 6), state: 'open',
    starts_at: iso(Date.now() - HOUR), ends_at: iso(Date.now() + 23 * HOUR) });
  assert.equal(r.status, 201, r.text);
  round = r.json;
  const site = (await jiance.post(`/api/v1/testing/rounds/${round.id}/sites`, { name: '浏览器采样点', area_code: mine })).json;
  assert.equal((await jiance.post(`/api/v1/testing/sites/${site.id}/tubes`, { prefix: 'BT22-', count: 10 })).status, 201);
  const persons = (await admin.get(`/api/v1/persons?community_code=${mine}&limit=40`)).json.items;
  let tube = 1, n = 0;
  for (const p of persons) {
    if (n === 12) break;
    const s = await jiance.post(`/api/v1/testing/tubes/BT22-${String(tube).padStart(6, '0')}/scans`, { person_id: p.id });
    if (s.status === 201) { n++; if (s.json.state === 'closed') tube++; } else tube++;
  }
  assert.equal(n, 12);
});

after(async () => { await srv?.stop(); });

test("a round's coverage view shows the API's numbers and the untested of a community", async (t) => {
  const { page, errors } = await openBrowser(t);
  await logIn(page, srv.url, 'jiance');
  await page.getByTestId('nav-testing').click();
  await page.getByTestId('cov-units').waitFor();
  const api = (await jiance.get(`/api/v1/testing/rounds/${round.id}/coverage`)).json;
  assert.ok(api.units.length >= 2, String(api.units.length));
  for (const u of api.units) {
    const row = page.locator(`[data-testid=cov-unit][data-area="${u.code}"]`);
    for (const k of ['expected', 'tested', 'untested', 'exempt'])
      assert.equal(await row.locator(`td[data-col=${k}]`).innerText(), String(u[k]), `${u.code} ${k}`);
    const rate = row.locator('td[data-col=rate]');
    assert.equal(await rate.innerText(), `${(u.rate * 100).toFixed(1)}%`);
    const want = u.rate < api.thresholds.alert_below ? 'cov-red' : u.rate < api.thresholds.good_from ? 'cov-amber' : 'cov-green';
    assert.match(await rate.getAttribute('class'), new RegExp(want));
  }
  const ours = api.units.find((u) => u.code === mine);
  assert.equal(ours.tested, 12);
  assert.match(await page.getByTestId('cov-total').innerText(), new RegExp(`应检 ${api.total.expected}，已检 ${api.total.tested}`));

  await page.locator(`[data-testid=cov-unit][data-area="${mine}"]`).click();
  await page.getByTestId('cov-untested').waitFor();
  const list = (await jiance.get(`/api/v1/testing/rounds/${round.id}/untested?area=${mine}&limit=50`)).json;
  assert.equal(list.total, ours.untested);
  assert.equal(await page.getByTestId('total').innerText(), `共 ${list.total} 条`);
  assert.equal(await page.getByTestId('cov-person').count(), list.items.length);
  assert.equal(await page.getByTestId('cov-person').first().getAttribute('data-id'), String(list.items[0].person_id));
  await page.screenshot({ path: path.join(OUT, 'testing-coverage.png'), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cov-download-csv').click()]);
  assert.equal(download.suggestedFilename(), `untested-round${round.id}-${mine}.csv`);
  const rows = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
  assert.equal(rows.length, list.total + 1);

  // only those to sample at home (上门采样), with their reasons
  await page.getByTestId('cov-home-only').check();
  await page.getByText('需上门采样人员').waitFor();
  const home = (await jiance.get(`/api/v1/testing/rounds/${round.id}/untested?area=${mine}&home=1&limit=50`)).json;
  assert.ok(home.items.some((u) => u.person_id === bedridden.id));
  assert.equal(await page.getByTestId('cov-person').count(), home.items.length);
  const bedRow = page.locator(`[data-testid=cov-person][data-id="${bedridden.id}"]`);
  assert.equal(await bedRow.getByTestId('cov-home-reason').innerText(), '行动不便');
  const [homeFile] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cov-download-csv').click()]);
  assert.equal(homeFile.suggestedFilename(), `home-sampling-round${round.id}-${mine}.csv`);
  assert.equal(readFileSync(await homeFile.path(), 'utf8').trim().split('\r\n').length, home.total + 1);
  await page.screenshot({ path: path.join(OUT, 'testing-home-sampling.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test("a community worker sees its own community's coverage and untested, and no sampling tabs", async (t) => {
  const { page, errors } = await openBrowser(t);
  await logIn(page, srv.url, 'shequ');
  await page.getByTestId('nav-testing').click();
  await page.getByTestId('cov-units').waitFor();
  assert.equal(await page.getByTestId('tab-coverage').count(), 1);
  for (const tab of ['rounds', 'sampler', 'flow'])
    assert.equal(await page.getByTestId(`tab-${tab}`).count(), 0, tab);
  const shequ = await login(srv.url, 'shequ');
  const api = (await shequ.get(`/api/v1/testing/rounds/${round.id}/coverage`)).json;
  assert.equal(api.area, mine);
  assert.deepEqual(api.units.map((u) => u.code), [mine]);
  assert.equal(await page.getByTestId('cov-unit').count(), 1);
  const row = page.locator(`[data-testid=cov-unit][data-area="${mine}"]`);
  assert.equal(await row.locator('td[data-col=tested]').innerText(), '12');
  await row.click();
  await page.getByTestId('cov-untested').waitFor();
  const list = (await shequ.get(`/api/v1/testing/rounds/${round.id}/untested?limit=50`)).json;
  assert.equal(list.total, api.units[0].untested);
  assert.equal(await page.getByTestId('total').innerText(), `共 ${list.total} 条`);
  assert.deepEqual(errors, []);
});
