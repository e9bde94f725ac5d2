// console.test.mjs - the web console in Debian's Chromium (playwright-core) against a
// real fangkong server with a demo city. Screenshots go to tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, login, fangkong } from '../lib/server.mjs';
import { openBrowser, logIn } from '../lib/browser.mjs';
import { validId, withWrongCheck } from '../lib/ids.mjs';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
let srv;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  srv = await startServer({ persons: 2000 });
});

after(async () => { await srv?.stop(); });

// A fresh Chromium (tests/lib/browser.mjs) at the console's usual size.
const openConsole = (t) => openBrowser(t, { width: 1360, height: 860 });

// Scrolled to the top first: the sticky header would otherwise sit mid-page in the shot.
async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(OUT, name), fullPage: true });
}
const byId = (page, id) => page.getByTestId(id);

const signIn = (page, username = 'admin') => logIn(page, srv.url, username);

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
  const { page, errors } = await openConsole(t);
  await signIn(page);
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
  const { page, errors } = await openConsole(t);
  await page.goto(`${srv.url}/#/login`);
  assert.equal(await byId(page, 'login-submit').innerText(), '登录');
  await byId(page, 'lang-switch').click();
  assert.equal(await byId(page, 'login-submit').innerText(), 'Sign in');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');

  await signIn(page);
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
  const { page, errors } = await openConsole(t);
  await signIn(page);
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
  const { page, errors } = await openConsole(t);
  await signIn(page);
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

// Two households with phones: one of at least three members, another of at least two.
async function families(api) {
  const persons = (await api.get('/api/v1/persons?limit=400&offset=300')).json.items.filter((x) => x.household_id && x.phone);
  const byHousehold = new Map();
  for (const x of persons) byHousehold.set(x.household_id, [...(byHousehold.get(x.household_id) || []), x]);
  const all = [...byHousehold.values()];
  const big = all.find((m) => m.length >= 3);
  const other = all.find((m) => m.length >= 2 && m !== big);
  assert.ok(big && other, 'the demo city has families');
  return [big, other];
}

function importStays(lines) {
  const file = path.join(tmpdir(), `fangkong-browser-stays-${process.pid}.csv`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const imported = fangkong(['import', 'stays', file, '--data', srv.dataDir]);
  rmSync(file, { force: true });
  assert.equal(imported.status, 0, imported.stderr);
}

// Companion evidence for the case's phone: a 32 h dwell in cell G1 and 20 min shared
// with 13911112222 (the demo policy enables Chengdu's companion rule).
function importCompanion(phone) {
  importStays(['subject,cell,start,end',
    `${phone},G1,2022-05-01T08:00:00Z,2022-05-01T09:00:00Z`,
    `${phone},G1,2022-04-27T00:00:00Z,2022-04-28T08:00:00Z`,
    '13911112222,G1,2022-05-01T08:40:00Z,2022-05-01T10:00:00Z']);
}

test('the chains view says so when no case is a contact of another, in both languages', async (t) => {
  const { page, errors } = await openConsole(t);
  await signIn(page);
  await byId(page, 'nav-chains').click();
  await byId(page, 'chains-empty').waitFor();
  assert.match(await byId(page, 'chains-empty').innerText(), /暂无传播关系/);
  await byId(page, 'lang-switch').click();
  await byId(page, 'chains-empty').filter({ hasText: 'No chains yet' }).waitFor();
  assert.equal(await byId(page, 'nav-chains').innerText(), 'Chains');
  assert.deepEqual(errors, []);
});

const rowOf = (page, kind, text) => page.locator(`[data-testid="contacts-kind-${kind}"] [data-testid="contact-row"]`, { hasText: text });

test('the tracing card discovers, groups and reviews contacts; a named contact is added; the chain appears', async (t) => {
  const api = await login(srv.url, 'admin');
  const [[a, b, ...rest], [v, ...vHome]] = await families(api);
  const c = (await api.post('/api/v1/cases', { person_id: a.id, classification: 'asymptomatic',
    reported_at: '2022-05-02T10:00:00Z', sampling_date: '2022-05-02', source: 'fever_clinic' })).json;
  importCompanion(a.phone);

  const { page, errors } = await openConsole(t);
  await signIn(page);
  assert.ok(await byId(page, 'nav-chains').isVisible(), 'admin traces: the chains menu entry shows');
  await page.goto(`${srv.url}/#/cases/${c.id}`);
  await byId(page, 'contacts-none').waitFor();
  // half a period is refused under the period's end
  await byId(page, 'contacts-from').fill('2022-04-28T00:00');
  await byId(page, 'contacts-discover').click();
  await byId(page, 'error-to').waitFor({ state: 'visible' });
  assert.match(await byId(page, 'error-to').innerText(), /^结束时间：开始和结束时间须同时填写/);
  await byId(page, 'contacts-from').fill('');
  // no period given: the server uses the policy's infectious window
  const found = page.waitForResponse((r) => r.url().endsWith(`/cases/${c.id}/contacts/discover`));
  await byId(page, 'contacts-discover').click();
  assert.equal((await found).status(), 200);
  await byId(page, 'contacts-kind-household').waitFor();
  const stored = (await api.get(`/api/v1/cases/${c.id}/contacts`)).json.items;
  const memberRow = (p) => stored.find((x) => x.kind === 'household' && x.person_id === p.id);
  for (const m of [b, ...rest]) {
    const x = memberRow(m);
    assert.ok(x, `household member ${m.id} stored: ${JSON.stringify(stored)}`);
    const row = rowOf(page, 'household', x.person_name);
    assert.equal(await row.count(), 1);
    assert.equal(await row.locator('[data-testid="contact-person"]').getAttribute('href'), `#/persons/${m.id}`);
    assert.match(await row.innerText(), /户籍登记/);
  }
  const companion = rowOf(page, 'companion', '13911112222');
  const text = await companion.innerText();
  assert.match(text, /G1/);
  assert.match(text, /\b20\b/); // 1,200 s of overlap, in minutes
  assert.match(text, /待核实/);
  assert.match(await byId(page, 'contacts-counts').innerText(), /同住人员 \d+/);
  assert.match(await byId(page, 'contacts-counts').innerText(), /时空伴随者 1/);
  await page.locator('[data-testid="contacts-chart"] svg').waitFor();
  await shot(page, '09-case-contacts.png');

  // review: B confirmed, the companion dismissed; the rows change in place
  const bRow = rowOf(page, 'household', memberRow(b).person_name);
  await bRow.getByTestId('contact-confirm').click();
  await bRow.getByTestId('contact-status').filter({ hasText: '已确认' }).waitFor();
  assert.match(await bRow.getByTestId('contact-reviewer').innerText(), /admin/);
  await companion.getByTestId('contact-dismiss').click();
  await companion.getByTestId('contact-status').filter({ hasText: '已排除' }).waitFor();
  const after = new Map((await api.get(`/api/v1/cases/${c.id}/contacts`)).json.items.map((x) => [x.id, x]));
  assert.equal(after.get(memberRow(b).id).status, 'confirmed');
  assert.equal(after.get(memberRow(b).id).reviewed_by, 'admin');
  assert.equal([...after.values()].find((x) => x.contact === '13911112222').status, 'dismissed');
  await shot(page, '10-contacts-reviewed.png');

  // the interview: an empty contact is refused under its field, then a named one is added
  await byId(page, 'named-submit').click();
  await byId(page, 'error-contact').waitFor({ state: 'visible' });
  assert.match(await byId(page, 'error-contact').innerText(), /接触者.*必填/);
  await shot(page, '11-named-contact-error.png');
  await byId(page, 'named-contact').fill('13600000001');
  await byId(page, 'named-place').fill('单位食堂');
  await byId(page, 'named-note').fill('同餐');
  await byId(page, 'named-submit').click();
  await rowOf(page, 'interview', '13600000001').waitFor();
  assert.match(await rowOf(page, 'interview', '13600000001').innerText(), /单位食堂/);
  assert.ok(await byId(page, 'error-contact').isHidden());
  // confirming it keeps the interview's note
  await rowOf(page, 'interview', '13600000001').getByTestId('contact-confirm').click();
  await rowOf(page, 'interview', '13600000001').getByTestId('contact-status').filter({ hasText: '已确认' }).waitFor();
  const named = (await api.get(`/api/v1/cases/${c.id}/contacts`)).json.items.find((x) => x.kind === 'interview' && x.contact === '13600000001');
  assert.deepEqual([named.status, named.note, named.place], ['confirmed', '同餐', '单位食堂']);

  // a place from the interview: an end before its start is refused under the end
  await byId(page, 'trajectory-place').fill('V-REST-1');
  await byId(page, 'trajectory-start').fill('2022-05-01T20:00');
  await byId(page, 'trajectory-end').fill('2022-05-01T19:00');
  await byId(page, 'trajectory-submit').click();
  await byId(page, 'error-end').waitFor({ state: 'visible' });
  assert.match(await byId(page, 'error-end').innerText(), /结束时间：结束时间应晚于开始时间/);
  await byId(page, 'trajectory-end').fill('2022-05-01T21:00');
  await byId(page, 'trajectory-submit').click();
  await byId(page, 'trajectory-form').getByText('行程已添加：V-REST-1').waitFor();
  assert.ok(await byId(page, 'error-end').isHidden());

  // V was at that place for 30 min of the hour: with secondary contacts, V is a venue
  // contact and V's household are secondary contacts through V
  importStays(['subject,place,start,end', `${v.phone},V-REST-1,2022-05-01T20:30:00Z,2022-05-01T21:30:00Z`]);
  await byId(page, 'contacts-secondary').check();
  await byId(page, 'contacts-discover').click();
  const venue = rowOf(page, 'venue', v.phone);
  await venue.waitFor();
  assert.match(await venue.innerText(), /V-REST-1[\s\S]*\b30\b[\s\S]*驻留数据 \+ 流调报告/);
  const second = page.locator('[data-testid="contacts-kind-household"] tbody[data-degree="2"]');
  assert.match(await second.locator('tr').first().innerText(), new RegExp(`次密接 · ${vHome.length}`));
  const secondText = await second.innerText();
  assert.match(secondText, new RegExp(`次密接（经 ${v.name}）`)); // named by the close contact's person
  for (const m of vHome) assert.ok(secondText.includes(m.name), `${m.name} in ${secondText}`);
  assert.match(await byId(page, 'contacts-counts').innerText(), /场所密接 1/);
  await shot(page, '12-contacts-secondary.png');

  // in English the card says the same: stored contacts, reviews kept
  await byId(page, 'lang-switch').click();
  await byId(page, 'contacts-kind-household').getByText('Household members').waitFor();
  assert.match(await rowOf(page, 'companion', '13911112222').innerText(), /Dismissed/);
  assert.match(await rowOf(page, 'interview', '13600000001').innerText(), /Confirmed/);
  await shot(page, '13-contacts-en.png');
  await byId(page, 'lang-switch').click();
  await byId(page, 'contacts-kind-household').getByText('同住人员').waitFor();

  // B becomes a case: the chain A -> B, from the case page's link
  const kb = (await api.post('/api/v1/cases', { person_id: b.id, classification: 'confirmed', severity: 'mild',
    reported_at: '2022-05-03T09:00:00Z', sampling_date: '2022-05-03', source: 'quarantine_screening' })).json;
  const edge = (await api.get('/api/v1/chains')).json.edges.find((e) => e.from === c.id && e.to === kb.id);
  assert.ok(edge, 'the API has the edge');
  await page.reload();
  await byId(page, 'case-chains').click();
  await page.waitForURL(new RegExp(`#/chains\\?case=${c.id}$`));
  await page.locator('[data-testid="chains-graph"] svg').waitFor();
  assert.ok(await page.locator('[data-testid="chains-graph"] svg path').count() > 0, 'the graph draws');
  const edgeRow = page.locator(`[data-testid="chain-edge"][data-from="${c.id}"][data-to="${kb.id}"]`);
  const edgeText = await edgeRow.innerText();
  assert.match(edgeText, new RegExp(`第${c.number}号`));
  assert.match(edgeText, new RegExp(`第${kb.number}号`));
  assert.match(edgeText, /同住人员/);
  assert.match(edgeText, /已确认/);
  assert.match(await edgeRow.getAttribute('class'), /focus/);
  const graphText = await page.locator('[data-testid="chains-graph"] svg').textContent();
  for (const p of [a, b]) assert.ok(!graphText.includes(p.name), `the graph masks ${p.name}: ${graphText}`);
  assert.match(graphText, new RegExp(`第${kb.number}号 ${b.name[0]}\\*`));
  await shot(page, '14-chains.png');

  // a click on the case's node opens the case
  const at = await byId(page, 'chains-graph').evaluate((el, id) => {
    const chart = window.echarts.getInstanceByDom(el);
    const data = chart.getModel().getSeriesByIndex(0).getData();
    const i = [...Array(data.count()).keys()].find((j) => data.getRawDataItem(j).caseId === id);
    return chart.convertToPixel({ seriesIndex: 0 }, data.getItemLayout(i));
  }, c.id);
  const box = await byId(page, 'chains-graph').boundingBox();
  await page.mouse.click(box.x + at[0], box.y + at[1]);
  await page.waitForURL(new RegExp(`#/cases/${c.id}$`));
  await byId(page, 'contacts-card').waitFor();
  assert.deepEqual(errors, []);
});

test('without the trace permission there is no chains menu, and the chains page says why', async (t) => {
  const { page, errors } = await openConsole(t);
  await signIn(page, 'jiedao');
  assert.equal(await byId(page, 'nav-chains').count(), 0);
  const api = await login(srv.url, 'jiedao');
  assert.equal((await api.get('/api/v1/chains')).status, 403);
  await page.goto(`${srv.url}/#/chains`);
  await byId(page, 'banner').waitFor();
  assert.match(await byId(page, 'banner').innerText(), /无权|没有权限/);
  assert.deepEqual(errors, []);
});

test('after five wrong passwords the login is refused for a while, said in Chinese at the username', async (t) => {
  const { page } = await openConsole(t);
  await page.goto(`${srv.url}/#/login`);
  const attempt = async (password) => {
    await page.locator('input[name=username]').fill('zhuanyun');
    await page.locator('input[name=password]').fill(password);
    await byId(page, 'login-submit').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=login-submit]').disabled);
  };
  for (let i = 0; i < 5; i++) {
    await attempt(`wrong-password-${i}`);
    await page.getByText('用户名或密码错误').first().waitFor();
  }
  await attempt('fangkong2022');
  const error = byId(page, 'error-username');
  await error.waitFor();
  assert.match(await error.innerText(), /失败次数过多，请 15 分钟后再试/);
  assert.match(page.url(), /#\/login/);
  await shot(page, 'login-throttled.png');
});
