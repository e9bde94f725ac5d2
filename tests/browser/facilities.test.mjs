// facilities.test.mjs - the isolation command view in Debian's Chromium: the room outlook
// with its warning when leads in flight would find no room, the facilities of the city
// with their rooms by state (the demo city's reserve, and one filled by a batch), and the
// isolations in progress; in Chinese, then in English. Screenshots go to tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, login } from '../lib/server.mjs';
import { openBrowser, logIn } from '../lib/browser.mjs';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
let srv, admin, small;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  srv = await startServer({ persons: 1500, seed: 12 });
  admin = await login(srv.url, 'admin');
  const liudiao = await login(srv.url, 'liudiao');
  const district = (await admin.get('/api/v1/areas')).json.items[0].code;
  small = (await admin.post('/api/v1/facilities', { name: '小隔离点', area_code: district, lon: 104.06, lat: 30.66 })).json;
  assert.equal((await admin.post(`/api/v1/facilities/${small.id}/rooms`, { count: 2 })).status, 201);
  // every free room of the city taken, so that the leads below find none
  const rooms = (await admin.get('/api/v1/facilities/outlook')).json.rooms.vacant;
  const persons = (await admin.get(`/api/v1/persons?limit=${rooms + 3}`)).json.items;
  const r = await admin.post('/api/v1/facilities/allocate', { persons: persons.slice(0, rooms).map((p) => ({ person_id: p.id })) });
  assert.equal(r.status, 201, r.text);
  const start = await admin.post('/api/v1/isolations', { person_id: persons[0].id });
  assert.equal(start.status, 201, start.text);
  for (const p of persons.slice(rooms, rooms + 3))
    assert.equal((await liudiao.post('/api/v1/leads', { kind: 'close_contact', person_id: p.id })).status, 201);
});

after(async () => { await srv?.stop(); });

test('the command sees the outlook warning, the facilities and the isolations', async (t) => {
  const { page, errors } = await openBrowser(t);
  await logIn(page, srv.url, 'admin');
  await page.getByTestId('nav-facilities').click();
  await page.getByTestId('outlook-warning').waitFor();
  assert.match(await page.getByTestId('outlook-warning').innerText(), /宁让房间等人/);
  await page.getByTestId('outlook-24').waitFor();
  const api = (await admin.get('/api/v1/facilities?limit=1000')).json;
  assert.equal(await page.getByTestId('facility-row').count(), api.total);
  const row = page.getByTestId('facility-row').filter({ hasText: '小隔离点' });
  assert.equal(await row.getByTestId('rooms-vacant').innerText(), '0');
  // both rooms taken by the batch: reserved, or occupied if the isolation started below
  // went to one of them (which facility is nearest depends on the generated city)
  const taken = Number(await row.getByTestId('rooms-reserved').innerText()) + Number(await row.getByTestId('rooms-occupied').innerText());
  assert.equal(taken, 2);
  assert.equal(await page.getByTestId('isolation-row').count(), 1);
  await page.screenshot({ path: path.join(OUT, 'facilities.png'), fullPage: true });
  await page.getByTestId('lang-switch').click();
  await page.getByTestId('outlook-warning').waitFor();
  assert.match(await page.getByTestId('outlook-warning').innerText(), /never people for rooms/);
  assert.deepEqual(errors, []);
});
