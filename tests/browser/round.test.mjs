// round.test.mjs - a testing round run end to end from the console in Debian's Chromium
// (issue 5): the command creates a round over a community, a site, issues tubes and opens
// it; on the sampler page a tube is scanned and persons into it (their ID numbers read
// from the API) until it closes itself, a refusal (the same person again) is shown under
// its field with the input kept; closed tubes are packed into a box, handed over, received
// at a lab and their results entered (a batch, then a correction); the flow page and a
// person's page show what the API answers. The pages in English, and the sampler on a
// phone. Screenshots go to tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, login } from '../lib/server.mjs';
import { withWrongCheck } from '../lib/ids.mjs';
import { openBrowser, logIn } from '../lib/browser.mjs';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
let srv, admin, mine, persons, roundId, siteId, size;
const code = (i) => `RT22-${String(i).padStart(6, '0')}`;
const BOX = 'RTBOX-0001';
const byId = (page, id) => page.getByTestId(id);

before(async () => {
  mkdirSync(OUT, { recursive: true });
  srv = await startServer({ persons: 1500, seed: 23 });
  admin = await login(srv.url, 'admin');
  mine = (await (await login(srv.url, 'shequ')).get('/api/v1/me')).json.area_code;
  persons = (await admin.get(`/api/v1/persons?community_code=${mine}&limit=60`)).json.items.filter((p) => p.id_type === 'resident');
  assert.ok(persons.length >= 30, String(persons.length));
});

after(async () => { await srv?.stop(); });

async function scanPerson(page, id) {
  await byId(page, 'sampler-id').fill(id);
  await byId(page, 'sampler-id').press('Enter');
}

async function scanTube(page, barcode) {
  await byId(page, 'sampler-barcode').fill(barcode);
  await byId(page, 'sampler-barcode').press('Enter');
}

test('the command creates a round, a site, issues tubes; the sampler fills a tube until it closes itself', async (t) => {
  const { page, errors } = await openBrowser(t);
  await logIn(page, srv.url, 'admin');
  await byId(page, 'nav-testing').click();
  await byId(page, 'tab-rounds').click();
  await byId(page, 'round-form').waitFor();
  await byId(page, 'round-name').fill('浏览器全员核酸第一轮');
  await byId(page, 'round-area-district').selectOption(mine.slice(0, 6));
  await byId(page, 'round-area-street').selectOption(mine.slice(0, 9));
  await byId(page, 'round-area-community').selectOption(mine);
  await byId(page, 'round-create').click();
  await page.waitForURL(/#\/rounds\/\d+$/);
  roundId = Number(/rounds\/(\d+)$/.exec(page.url())[1]);
  let round = (await admin.get(`/api/v1/testing/rounds/${roundId}`)).json;
  assert.equal(round.area_code, mine);
  assert.equal(round.state, 'open');
  assert.equal(await byId(page, 'round-state').innerText(), '采样中');

  await byId(page, 'site-name').fill('浏览器一号采样点');
  await byId(page, 'site-team').fill('第一采样队');
  await byId(page, 'site-create').click();
  await byId(page, 'site-row').waitFor();
  const sites = (await admin.get(`/api/v1/testing/rounds/${roundId}/sites`)).json.items;
  assert.equal(sites.length, 1);
  siteId = sites[0].id;
  assert.equal(sites[0].area_code, mine);

  await byId(page, 'issue-prefix').fill('RT22-');
  await byId(page, 'issue-count').fill('5');
  await byId(page, 'issue-submit').click();
  await byId(page, 'issued').waitFor();
  assert.match(await byId(page, 'issued').innerText(), new RegExp(`${code(1)} 至 ${code(5)}`));
  round = (await admin.get(`/api/v1/testing/rounds/${roundId}`)).json;
  assert.equal(await byId(page, 'site-tubes').innerText(), String(round.tube_count));
  assert.equal(round.tube_count, 5);
  await page.screenshot({ path: path.join(OUT, 'round-detail.png'), fullPage: true });
  // the round's links: coverage, the flow, the sampler
  assert.equal(await byId(page, 'round-coverage').getAttribute('href'), `#/testing?round=${roundId}`);
  await byId(page, 'site-sampler').click();
  await page.waitForURL(/#\/sampler\?site=\d+/);

  // a barcode never issued: the API's refusal under the field, the input kept
  await scanTube(page, 'RT22-999999');
  await byId(page, 'error-barcode').waitFor();
  assert.match(await byId(page, 'error-barcode').innerText(), /RT22-999999/);
  assert.equal(await byId(page, 'sampler-barcode').inputValue(), 'RT22-999999');

  await scanTube(page, code(1));
  await byId(page, 'sampler-tube').waitFor();
  assert.equal(await byId(page, 'sampler-tube-state').innerText(), '未使用');
  await scanPerson(page, persons[0].id_number);
  await page.locator('[data-testid=sampler-fill][data-n="1"]').waitFor();
  let tube = (await admin.get(`/api/v1/testing/tubes/${code(1)}`)).json;
  size = tube.size;
  assert.ok(size >= 2, `pool size ${size}`);
  assert.equal(await byId(page, 'sampler-fill').getAttribute('data-size'), String(size));
  assert.match(await byId(page, 'sampler-fill').innerText(), new RegExp(`已采 1 / ${size} 人`));
  for (let i = 1; i < size - 1; i++) {
    await scanPerson(page, persons[i].id_number);
    await page.locator(`[data-testid=sampler-fill][data-n="${i + 1}"]`).waitFor();
  }
  tube = (await admin.get(`/api/v1/testing/tubes/${code(1)}`)).json;
  assert.equal(tube.n_members, size - 1);
  assert.equal(tube.state, 'open');
  // the last place closes the tube: the sampler says so and asks for a new tube
  await scanPerson(page, persons[size - 1].id_number);
  await byId(page, 'sampler-ok').waitFor();
  assert.match(await byId(page, 'sampler-ok').innerText(), new RegExp(`已满 ${size} 人，已自动封管`));
  tube = (await admin.get(`/api/v1/testing/tubes/${code(1)}`)).json;
  assert.equal(tube.state, 'closed');
  assert.equal(tube.n_members, size);
  assert.equal(await byId(page, 'sampler-tube').isHidden(), true);
  assert.equal(await byId(page, 'sampler-barcode').evaluate((e) => e === document.activeElement), true);
  assert.equal(await byId(page, 'sampler-recent-item').count(), Math.min(size, 10), 'the last ten scans');

  // the same person again in a new tube: refused, the message under the ID number, kept
  await scanTube(page, code(2));
  await byId(page, 'sampler-id').waitFor();
  const api = await admin.post(`/api/v1/testing/tubes/${code(2)}/scans`, { id_number: persons[0].id_number });
  assert.equal(api.status, 409, api.text);
  assert.equal(api.json.error.field, 'id_number');
  await scanPerson(page, persons[0].id_number);
  await byId(page, 'error-id_number').waitFor();
  const said = await byId(page, 'error-id_number').innerText();
  assert.match(said, /本轮已经采样/);
  assert.match(said, new RegExp(code(1)));
  assert.equal(await byId(page, 'sampler-id').inputValue(), persons[0].id_number);
  // a wrong check digit is caught before the server
  await scanPerson(page, withWrongCheck(persons[size].id_number));
  assert.match(await byId(page, 'error-id_number').innerText(), /校验位错误/);
  // two more persons, then the tube closed by hand
  await scanPerson(page, persons[size].id_number);
  await page.locator('[data-testid=sampler-fill][data-n="1"]').waitFor();
  await scanPerson(page, persons[size + 1].id_number);
  await page.locator('[data-testid=sampler-fill][data-n="2"]').waitFor();
  await page.screenshot({ path: path.join(OUT, 'round-sampler.png'), fullPage: true });
  await byId(page, 'sampler-close').click();
  await byId(page, 'sampler-ok').filter({ hasText: code(2) }).waitFor();
  tube = (await admin.get(`/api/v1/testing/tubes/${code(2)}`)).json;
  assert.equal(tube.state, 'closed');
  assert.equal(tube.n_members, 2);
  assert.match(await byId(page, 'sampler-ok').innerText(), new RegExp(`${code(2)} 已封管（2 人）`));
  assert.deepEqual(errors, []);
});

test('closed tubes are packed, handed over, received at a lab and their results entered', async (t) => {
  const { page, errors } = await openBrowser(t);
  await logIn(page, srv.url, 'admin');
  await page.goto(`${srv.url}/#/flow?round=${roundId}&site=${siteId}`);
  await byId(page, 'pack-form').waitFor();
  const ready = (await admin.get(`/api/v1/testing/sites/${siteId}/tubes?state=closed&unboxed=1`)).json;
  assert.equal(ready.total, 2);
  assert.equal(await byId(page, 'pack-tube').count(), ready.total);
  // the flow before packing: both tubes wait to be packed
  let flow = (await admin.get(`/api/v1/testing/flow?round=${roundId}`)).json;
  const row = page.locator(`[data-testid=flow-site-row][data-id="${siteId}"]`);
  assert.equal(await row.locator('td[data-col=waiting_pack]').innerText(), String(flow.sites[0].waiting.pack));

  await byId(page, 'pack-code').fill(BOX);
  await byId(page, 'pack-submit').click();
  await byId(page, 'flow-ok').waitFor();
  assert.match(await byId(page, 'flow-ok').innerText(), new RegExp(`${BOX}（2 管）`));
  const boxRow = page.locator(`[data-testid=box-row][data-code="${BOX}"]`);
  assert.equal(await boxRow.getAttribute('data-state'), 'packed');
  // packing the same code again is refused in place
  assert.equal(await byId(page, 'pack-submit').isDisabled(), true, 'nothing left to pack');

  await boxRow.getByTestId('box-courier').fill('王师傅');
  await boxRow.getByTestId('box-handover').click();
  await page.locator(`[data-testid=box-row][data-code="${BOX}"][data-state=handed_over]`).waitFor();

  // a lab, added on the page
  await byId(page, 'lab-name').fill('浏览器检测实验室');
  await byId(page, 'lab-area-district').selectOption(mine.slice(0, 6));
  await byId(page, 'lab-create').click();
  await byId(page, 'flow-ok').filter({ hasText: '浏览器检测实验室' }).waitFor();
  const lab = (await admin.get('/api/v1/testing/labs')).json.items.find((l) => l.name === '浏览器检测实验室');
  assert.ok(lab);
  const handed = page.locator(`[data-testid=box-row][data-code="${BOX}"]`);
  await handed.getByTestId('box-lab').selectOption(String(lab.id));
  await handed.getByTestId('box-receive').click();
  await page.locator(`[data-testid=box-row][data-code="${BOX}"][data-state=received]`).waitFor();
  let box = (await admin.get(`/api/v1/testing/boxes/${BOX}`)).json;
  assert.equal(box.state, 'received');
  assert.equal(box.courier, '王师傅');
  assert.equal(box.lab_id, lab.id);

  await page.locator(`[data-testid=box-row][data-code="${BOX}"]`).getByTestId('box-results').click();
  await byId(page, 'results').waitFor();
  assert.equal(await byId(page, 'res-row').count(), box.tube_count);
  const r1 = page.locator(`[data-testid=res-row][data-barcode="${code(1)}"]`);
  const r2 = page.locator(`[data-testid=res-row][data-barcode="${code(2)}"]`);
  await r1.getByTestId('res-result').selectOption('negative');
  await r2.getByTestId('res-result').selectOption('positive');
  // a positive without its N value: the batch is refused, nothing recorded
  await r2.getByTestId('res-ct_orf1ab').fill('24.5');
  await byId(page, 'results-submit-all').click();
  await r2.getByTestId('res-error').filter({ hasText: /N/ }).waitFor();
  assert.equal((await admin.get(`/api/v1/testing/tubes/${code(1)}`)).json.result, null);
  await r2.getByTestId('res-ct_n').fill('26.1');
  await byId(page, 'results-submit-all').click();
  await byId(page, 'flow-ok').filter({ hasText: '已录入 2 个结果' }).waitFor();
  const t2 = (await admin.get(`/api/v1/testing/tubes/${code(2)}`)).json;
  assert.equal(t2.result, 'positive');
  assert.equal(t2.results[0].ct_orf1ab, 24.5);
  assert.equal(t2.results[0].ct_n, 26.1);
  assert.equal((await admin.get(`/api/v1/testing/tubes/${code(1)}`)).json.result, 'negative');
  // the positive corrected to invalid, with a reason; the history stays
  const c2 = page.locator(`[data-testid=res-row][data-barcode="${code(2)}"]`);
  assert.equal(await c2.getAttribute('data-result'), 'positive');
  await c2.getByTestId('res-result').selectOption('invalid');
  await c2.getByTestId('res-correct').click();
  await c2.getByTestId('res-error').filter({ hasText: /理由|reason/ }).waitFor();
  await page.locator(`[data-testid=res-row][data-barcode="${code(2)}"]`).getByTestId('res-reason').fill('复核为样本溶血');
  await page.locator(`[data-testid=res-row][data-barcode="${code(2)}"]`).getByTestId('res-correct').click();
  await page.locator(`[data-testid=res-row][data-barcode="${code(2)}"][data-result=invalid]`).waitFor();
  const corrected = (await admin.get(`/api/v1/testing/tubes/${code(2)}`)).json;
  assert.equal(corrected.result, 'invalid');
  assert.equal(corrected.results.length, 2);
  assert.equal(corrected.results[1].reason, '复核为样本溶血');

  // the flow: the page's counts are the API's, per site and per lab
  flow = (await admin.get(`/api/v1/testing/flow?round=${roundId}`)).json;
  const cols = { waiting_pack: (c) => c.waiting.pack, waiting_handover: (c) => c.waiting.handover, transit: (c) => c.waiting.transit,
    waiting_result: (c) => c.waiting.result, resulted: (c) => c.resulted, negative: (c) => c.results.negative,
    positive: (c) => c.results.positive, invalid: (c) => c.results.invalid, over_to_lab: (c) => c.over.sample_to_lab,
    over_result: (c) => c.over.lab_to_result, late_to_lab: (c) => c.late.sample_to_lab, late_result: (c) => c.late.lab_to_result };
  for (const [kind, rows, key] of [['site', flow.sites, 'site_id'], ['lab', flow.labs, 'lab_id']]) {
    assert.ok(rows.length >= 1, kind);
    for (const c of rows) {
      const tr = page.locator(`[data-testid=flow-${kind}-row][data-id="${c[key]}"]`);
      for (const [col, v] of Object.entries(cols)) assert.equal(await tr.locator(`td[data-col=${col}]`).innerText(), String(v(c)), `${kind} ${col}`);
    }
  }
  assert.equal(flow.sites[0].resulted, 2);
  assert.equal(flow.sites[0].results.invalid, 1);
  await page.screenshot({ path: path.join(OUT, 'round-flow.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test("a person's page shows their sample with the tube's result", async (t) => {
  const { page, errors } = await openBrowser(t);
  await logIn(page, srv.url, 'admin');
  await page.goto(`${srv.url}/#/persons/${persons[0].id}`);
  await byId(page, 'person-sample').first().waitFor();
  const api = (await admin.get(`/api/v1/persons/${persons[0].id}/samples`)).json;
  assert.equal(await byId(page, 'person-sample').count(), api.total);
  const s = api.items[0];
  const tr = page.locator(`[data-testid=person-sample][data-barcode="${s.barcode}"]`);
  assert.equal(s.barcode, code(1));
  assert.equal(await tr.locator('td[data-col=size]').innerText(), String(s.size));
  assert.equal(await tr.locator('td[data-col=result]').innerText(), s.result === 'negative' ? '阴性' : s.result);
  assert.match(await tr.innerText(), /浏览器全员核酸第一轮/);
  // a person of the tube corrected to invalid: their holds as the API lists them
  const held = (await admin.get(`/api/v1/persons/${persons[size].id}/samples`)).json;
  await page.goto(`${srv.url}/#/persons/${persons[size].id}`);
  await page.locator(`[data-testid=person-sample][data-barcode="${code(2)}"]`).waitFor();
  assert.equal(await byId(page, 'person-hold').count(), held.holds.length);
  const states = { held: '就地管控中', released: '已解除', confirmed: '复核阳性' };
  assert.deepEqual(await page.locator('[data-testid=person-hold] td[data-col=state]').allInnerTexts(),
    held.holds.map((x) => states[x.state]));
  await page.screenshot({ path: path.join(OUT, 'round-person.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('the pages in English', async (t) => {
  const { page, errors } = await openBrowser(t);
  await logIn(page, srv.url, 'admin');
  await byId(page, 'lang-switch').click();
  await byId(page, 'nav-testing').click();
  await byId(page, 'tab-rounds').click();
  await byId(page, 'round-row').first().waitFor();
  assert.equal(await page.locator('h1').innerText(), 'Testing rounds');
  assert.equal(await byId(page, 'nav-testing').innerText(), 'Testing');
  assert.deepEqual(await byId(page, 'testing-tabs').locator('a').allInnerTexts(), ['Coverage', 'Testing rounds', 'Sampling', 'Sample flow']);
  await page.goto(`${srv.url}/#/rounds/${roundId}`);
  await byId(page, 'site-row').waitFor();
  assert.equal(await byId(page, 'round-state').innerText(), 'Open');
  await page.goto(`${srv.url}/#/flow?round=${roundId}&site=${siteId}`);
  await byId(page, 'flow-site').waitFor();
  assert.equal(await page.locator('h1').innerText(), 'Sample flow and results');
  assert.match(await byId(page, 'flow-limits').innerText(), /^Limits: sample to lab \d+ h/);
  await page.screenshot({ path: path.join(OUT, 'round-flow-en.png'), fullPage: true });
  await page.goto(`${srv.url}/#/sampler?site=${siteId}`);
  await scanTube(page, code(3));
  await scanPerson(page, persons[1].id_number);
  await byId(page, 'error-id_number').waitFor();
  assert.match(await byId(page, 'error-id_number').innerText(), /already scanned in this round, into tube RT22-000001/);
  await page.goto(`${srv.url}/#/persons/${persons[0].id}`);
  await byId(page, 'person-sample').waitFor();
  assert.match(await byId(page, 'person-samples').innerText(), /Testing history[\s\S]*Negative/);
  assert.deepEqual(errors, []);
});

test("a planned round is opened, then closed, from its page", async (t) => {
  const { page, errors } = await openBrowser(t);
  await logIn(page, srv.url, 'admin');
  const now = Date.now();
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const made = await admin.post('/api/v1/testing/rounds', { name: '计划中的轮次', area_code: mine,
    starts_at: iso(now - 3600e3), ends_at: iso(now + 3600e3) });
  assert.equal(made.status, 201, made.text);
  await page.goto(`${srv.url}/#/rounds`);
  const row = page.locator(`[data-testid=round-row][data-id="${made.json.id}"]`);
  assert.equal(await row.getByTestId('round-state').innerText(), '计划中');
  await row.getByTestId('round-link').click();
  await byId(page, 'round-to-open').click();
  await page.locator('[data-testid=round-state]', { hasText: '采样中' }).waitFor();
  assert.equal((await admin.get(`/api/v1/testing/rounds/${made.json.id}`)).json.state, 'open');
  await byId(page, 'round-to-closed').click();
  await page.locator('[data-testid=round-state]', { hasText: '已结束' }).waitFor();
  assert.equal((await admin.get(`/api/v1/testing/rounds/${made.json.id}`)).json.state, 'closed');
  // recheck rounds (opened by a hold) are marked in the list
  await page.goto(`${srv.url}/#/rounds`);
  await byId(page, 'round-row').first().waitFor();
  for (const r of (await admin.get('/api/v1/testing/rounds?limit=50')).json.items) {
    const tr = page.locator(`[data-testid=round-row][data-id="${r.id}"]`);
    assert.equal(await tr.getByTestId('round-recheck').count(), r.kind === 'recheck' ? 1 : 0, `${r.id} ${r.kind}`);
  }
  assert.equal(await byId(page, 'site-form').count(), 0, 'a closed round takes no new sites');
  assert.deepEqual(errors, []);
});

test('the sampler on a phone, as the lab account', async (t) => {
  const { page, errors } = await openBrowser(t, { width: 390, height: 844 });
  await logIn(page, srv.url, 'jiance');
  await byId(page, 'nav-testing').click();
  await byId(page, 'tab-sampler').click();
  await byId(page, 'sampler-site').selectOption(String(siteId));
  await byId(page, 'sampler-barcode').waitFor();
  await scanTube(page, code(4));
  await scanPerson(page, persons[size + 2].id_number);
  await page.locator('[data-testid=sampler-fill][data-n="1"]').waitFor();
  const tube = (await admin.get(`/api/v1/testing/tubes/${code(4)}`)).json;
  assert.match(await byId(page, 'sampler-fill').innerText(), new RegExp(`已采 ${tube.n_members} / ${tube.size} 人`));
  await scanPerson(page, persons[size + 2].id_number);
  await byId(page, 'error-id_number').waitFor();
  // a close contact pools alone by the policy: refused in this pooled tube, the reason said
  const lead = await admin.post('/api/v1/leads', { kind: 'close_contact', person_id: persons[size + 3].id, area_code: mine });
  assert.equal(lead.status, 201, lead.text);
  const api = await admin.post(`/api/v1/testing/tubes/${code(4)}/scans`, { id_number: persons[size + 3].id_number });
  assert.equal(api.status, 409, api.text);
  const m = /pooled (\d+) to a tube by the policy; this tube pools (\d+)/.exec(api.json.error.message);
  assert.ok(m, api.json.error.message);
  await scanPerson(page, persons[size + 3].id_number);
  await byId(page, 'error-id_number').filter({ hasText: '重点人群' }).waitFor();
  assert.match(await byId(page, 'error-id_number').innerText(), new RegExp(`按方案 ${m[1]} 人一管；此管为 ${m[2]} 人混采`));
  assert.equal(await byId(page, 'sampler-id').inputValue(), persons[size + 3].id_number);
  // nothing wider than the phone; the inputs and the close button in view
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scroll');
  for (const id of ['sampler-barcode', 'sampler-id', 'sampler-close', 'error-id_number']) {
    const b = await byId(page, id).boundingBox();
    assert.ok(b && b.x >= 0 && b.x + b.width <= 390, `${id} ${JSON.stringify(b)}`);
  }
  await page.screenshot({ path: path.join(OUT, 'round-sampler-phone.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('tubes over the policy\'s limit are red in the flow', async (t) => {
  const { page, errors } = await openBrowser(t);
  await logIn(page, srv.url, 'admin');
  // tube 4 (one person, from the phone test) closed now, seen past the sample-to-lab limit
  assert.equal((await admin.post(`/api/v1/testing/tubes/${code(4)}/close`)).status, 200);
  const limit = (await admin.get(`/api/v1/testing/flow?round=${roundId}`)).json.limits_h.sample_to_lab;
  const now = new Date(Date.now() + (limit + 1) * 3600e3).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const flow = (await admin.get(`/api/v1/testing/flow?round=${roundId}&now=${now}`)).json;
  const site = flow.sites.find((s) => s.site_id === siteId);
  assert.equal(site.waiting.pack, 1);
  assert.equal(site.over.sample_to_lab, 1);
  await page.goto(`${srv.url}/#/flow?round=${roundId}&now=${now}`);
  const tr = page.locator(`[data-testid=flow-site-row][data-id="${siteId}"]`);
  await tr.waitFor();
  for (const col of ['waiting_pack', 'over_to_lab']) {
    assert.equal(await tr.locator(`td[data-col=${col}]`).innerText(), '1', col);
    assert.match(await tr.locator(`td[data-col=${col}]`).getAttribute('class'), /cell-failure/, col);
  }
  assert.doesNotMatch(await tr.locator('td[data-col=resulted]').getAttribute('class'), /cell-failure/);
  assert.deepEqual(errors, []);
});
