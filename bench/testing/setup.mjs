// setup.mjs - the API side of bench/testing (run.sh calls it by phase):
//   round  URL RUN       the city's round: one testing round per district (the areas
//                        stop at districts: a round covers one area), open, a window
//                        around now, one sampling site each, tube stock enough for its persons,
//                        and RUN/scans.csv: tube,person,time,site for everyone of
//                        RUN/persons.csv but SKIP_PCT percent, POOL persons a tube
//                        (the policy's pool of group "other"), sorted as a site works
//   boxes  URL RUN       after the scans import: the last open tube of each site closed,
//                        every closed tube packed (1,000 a box), handed over, received by
//                        one lab; RUN/results.csv: tube,result,ct_orf1ab,ct_n,lab,time,
//                        one positive in POS_EVERY tubes
//   coverage URL RUN N   GET /api/v1/testing/rounds/{id}/coverage?level=community of
//                        every district's round, one after the other, N times; prints
//                        "coverage_ms MIN MEDIAN units population tested" (the whole city);
//                        every run's time, in order, appended to RUN/coverage_runs.log
// State between phases is in RUN/state.json. Only 127.0.0.1 is contacted.
import { readFileSync, writeFileSync, appendFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';

const [phase, URL, RUN, arg] = process.argv.slice(2);
const SKIP_PCT = Number(process.env.SKIP_PCT || 3);
const POS_EVERY = Number(process.env.POS_EVERY || 2000);
const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function call(token, method, p, body) {
  const h = { Authorization: `Bearer ${token}` };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(URL + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}
async function login() {
  const res = await fetch(URL + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'fangkong2022' }) });
  return (await res.json()).token;
}
async function writeLines(path, gen) {
  const out = createWriteStream(path);
  let buf = [];
  for (const line of gen()) {
    buf.push(line);
    if (buf.length >= 8192) { if (!out.write(buf.join('\n') + '\n')) await once(out, 'drain'); buf = []; }
  }
  if (buf.length) out.write(buf.join('\n') + '\n');
  out.end();
  await once(out, 'finish');
}
const skip = (i) => ((i * 2654435761) >>> 0) % 100 < SKIP_PCT;

async function round() {
  // The persons first: at 10,000,000 this takes a minute of synchronous work, and a
  // keep-alive connection opened before it outlives the server's idle timeout (60 s)
  // without the event loop noticing its close: the next request on it failed.
  const lines = readFileSync(`${RUN}/persons.csv`, 'utf8').split('\n').filter(Boolean);
  const persons = lines.map((l) => l.split(','));            // id_number, community_code
  const districts = [...new Set(persons.map((p) => p[1].slice(0, 6)))].sort();
  const bySite = new Map(districts.map((d) => [d, []]));
  persons.forEach((p, i) => { if (!skip(i)) bySite.get(p[1].slice(0, 6)).push(p[0]); });
  const token = await login();
  const pol = await call(token, 'GET', '/api/v1/policy');
  const pool = (pol.rules || pol.document || pol).testing.pool_by_group.groups.other;
  const sites = [];
  for (const [k, d] of districts.entries()) {
    const r = await call(token, 'POST', '/api/v1/testing/rounds', { name: `全员核酸（基准）${d}`, area_code: d,
      state: 'open', starts_at: iso(Date.now() - 2 * HOUR), ends_at: iso(Date.now() + 22 * HOUR) });
    const s = await call(token, 'POST', `/api/v1/testing/rounds/${r.id}/sites`, { name: `${d} 采样点`, area_code: d });
    const n = bySite.get(d).length, tubes = Math.ceil(n / pool), prefix = `BT${String(k).padStart(2, '0')}-`;
    for (let first = 1; first <= tubes; first += 1000)
      await call(token, 'POST', `/api/v1/testing/sites/${s.id}/tubes`, { prefix, first, count: Math.min(1000, tubes - first + 1), digits: 7 });
    sites.push({ id: s.id, round: r.id, district: d, prefix, persons: n, tubes });
  }
  const t0 = Date.now() - 90 * 60 * 1000;
  await writeLines(`${RUN}/scans.csv`, function* () {
    yield 'tube,person,time,site';
    for (const s of sites) {
      const ids = bySite.get(s.district);
      for (let i = 0; i < ids.length; i++)
        yield `${s.prefix}${String(1 + Math.floor(i / pool)).padStart(7, '0')},${ids[i]},${iso(t0 + (i % 3600) * 1000)},${s.id}`;
    }
  });
  const scans = sites.reduce((a, s) => a + s.persons, 0);
  const city = districts[0];
  writeFileSync(`${RUN}/state.json`, JSON.stringify({ city, pool, sites, scans }));
  console.log(`${sites.length} rounds, one per district, ${sites.length} sites, ${sites.reduce((a, s) => a + s.tubes, 0)} tubes, ${scans} scans of ${persons.length} persons`);
}

async function boxes() {
  const token = await login();
  const st = JSON.parse(readFileSync(`${RUN}/state.json`, 'utf8'));
  const lab = await call(token, 'POST', '/api/v1/testing/labs', { name: `基准实验室 ${Date.now()}`, area_code: st.city });
  const code = (s, i) => `${s.prefix}${String(i).padStart(7, '0')}`;
  let nbox = 0;
  for (const s of st.sites) {
    if (s.persons % st.pool) await call(token, 'POST', `/api/v1/testing/tubes/${code(s, s.tubes)}/close`);
    for (let first = 1; first <= s.tubes; first += 1000) {
      const barcodes = [];
      for (let i = first; i <= Math.min(s.tubes, first + 999); i++) barcodes.push(code(s, i));
      const box = `BX${String(++nbox).padStart(8, '0')}`;
      await call(token, 'POST', '/api/v1/testing/boxes', { code: box, site_id: s.id, barcodes });
      await call(token, 'POST', `/api/v1/testing/boxes/${box}/handover`, { courier: '基准快递' });
      await call(token, 'POST', `/api/v1/testing/boxes/${box}/receive`, { lab_id: lab.id });
    }
  }
  const at = iso(Date.now() + 1000);
  let n = 0;
  await writeLines(`${RUN}/results.csv`, function* () {
    yield 'tube,result,ct_orf1ab,ct_n,lab,time';
    for (const s of st.sites)
      for (let i = 1; i <= s.tubes; i++, n++)
        yield n % POS_EVERY === POS_EVERY - 1 ? `${code(s, i)},positive,27.5,29.1,${lab.id},${at}`
          : `${code(s, i)},negative,,,${lab.id},${at}`;
  });
  st.lab = lab.id;
  st.results = n;
  writeFileSync(`${RUN}/state.json`, JSON.stringify(st));
  console.log(`${nbox} boxes received by lab ${lab.id}; ${n} results written`);
}

async function coverage() {
  const token = await login();
  const st = JSON.parse(readFileSync(`${RUN}/state.json`, 'utf8'));
  const times = [];
  let units = 0, population = 0, tested = 0;
  for (let i = 0; i < Number(arg || 5); i++) {
    units = population = tested = 0;
    const t0 = process.hrtime.bigint();
    for (const s of st.sites) {
      const c = await call(token, 'GET', `/api/v1/testing/rounds/${s.round}/coverage?level=community`);
      units += c.units.length;
      population += c.total.population;
      tested += c.total.tested;
    }
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  // every run, in order, to a log beside the figures (a slow first run is not a slow median)
  appendFileSync(`${RUN}/coverage_runs.log`, `coverage_ms ${times.map((t) => t.toFixed(1)).join(' ')}\n`);
  times.sort((a, b) => a - b);
  console.log(`coverage_ms ${times[0].toFixed(1)} ${times[times.length >> 1].toFixed(1)} ${units} ${population} ${tested}`);
}

await ({ round, boxes, coverage })[phase]();
