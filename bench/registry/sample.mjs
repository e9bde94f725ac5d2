// sample.mjs - log in to a running fangkong and collect the query values of the registry
// benchmark through its API.
//
// usage: node sample.mjs URL OUTDIR [PAGES] [MAX_VALUES]
//
// Writes into OUTDIR:
//   token                         the bearer token (admin)
//   paths_<workload>.txt          one request path a line, for wrk.lua
//   values_<workload>.csv         i,value (i from 1), the same values, for PostgreSQL
//   sample.txt                    what was sampled (counts, match sizes), for the log
// Workloads: list_community, search_id, search_name, search_phone, get_person.
// Only 127.0.0.1 is ever contacted (the URL the server printed).
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const [url, outDir, pagesArg, maxValuesArg] = process.argv.slice(2);
if (!url || !outDir) {
  console.error('usage: node sample.mjs URL OUTDIR [PAGES] [MAX_VALUES]');
  process.exit(2);
}
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) {
  console.error(`sample.mjs: refusing non-loopback URL ${url}`);
  process.exit(2);
}
const PAGES = Number(pagesArg || 5);
// At most 128 values a workload: pgbench takes at most 128 script files (see pg.sh),
// and both sides must see the same values.
const MAX_VALUES = Math.min(128, Number(maxValuesArg || 128));

// Deterministic choices (seed 1), so two runs on the same city sample the same values.
let seed = 1;
function rnd() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
function shuffle(a) {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

let token = null;
async function get(p) {
  const res = await fetch(url + p, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

const login = await fetch(url + '/api/v1/session', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ username: 'admin', password: 'fangkong2022' }),
});
const loginText = await login.text();
if (login.status !== 201 && login.status !== 200) throw new Error(`login: ${login.status} ${loginText}`);
token = JSON.parse(loginText).token;
if (!token) throw new Error(`login: no token in ${loginText}`);
writeFileSync(path.join(outDir, 'token'), token);

// Communities: districts > streets > communities.
const communities = [];
const districts = (await get('/api/v1/areas')).items;
for (const d of districts) {
  for (const s of (await get(`/api/v1/areas?parent=${encodeURIComponent(d.code)}`)).items) {
    for (const c of (await get(`/api/v1/areas?parent=${encodeURIComponent(s.code)}`)).items) {
      if (c.level === 'community' || String(c.code).length === 12) communities.push(c.code);
    }
  }
}
if (communities.length === 0) throw new Error('no communities found under /api/v1/areas');
const comm = shuffle(communities.slice());

// Persons: PAGES pages of 1000 at random offsets.
const total = (await get('/api/v1/persons?limit=1')).total;
const persons = [];
const seen = new Set();
for (let k = 0; k < PAGES; k++) {
  const offset = Math.floor(rnd() * Math.max(1, total - 1000));
  for (const p of (await get(`/api/v1/persons?limit=1000&offset=${offset}`)).items) {
    if (!seen.has(p.id)) { seen.add(p.id); persons.push(p); }
  }
}
shuffle(persons);
const masked = persons.filter((p) => /\*/.test(`${p.name}${p.id_number}${p.phone}`));
if (masked.length) throw new Error(`admin sees masked values (e.g. ${JSON.stringify(masked[0])}); cannot search by them`);

const uniq = (a) => [...new Set(a.filter((v) => v !== undefined && v !== null && v !== '').map(String))].slice(0, MAX_VALUES);
const values = {
  list_community: uniq(comm),
  search_id: uniq(persons.map((p) => p.id_number)),
  search_name: uniq(persons.map((p) => p.name)),
  search_phone: uniq(persons.map((p) => p.phone)),
  get_person: uniq(persons.map((p) => String(p.id))),
};
const toPath = {
  list_community: (v) => `/api/v1/persons?community_code=${encodeURIComponent(v)}&limit=50`,
  search_id: (v) => `/api/v1/persons?q=${encodeURIComponent(v)}&limit=50`,
  search_name: (v) => `/api/v1/persons?q=${encodeURIComponent(v)}&limit=50`,
  search_phone: (v) => `/api/v1/persons?q=${encodeURIComponent(v)}&limit=50`,
  get_person: (v) => `/api/v1/persons/${v}`,
};
const csvField = (v) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

const report = [`persons_total ${total}`, `communities_found ${communities.length}`, `persons_sampled ${persons.length}`];
for (const [w, vals] of Object.entries(values)) {
  if (vals.length === 0) throw new Error(`no values for ${w}`);
  writeFileSync(path.join(outDir, `paths_${w}.txt`), vals.map(toPath[w]).join('\n') + '\n');
  writeFileSync(path.join(outDir, `values_${w}.csv`), vals.map((v, i) => `${i + 1},${csvField(v)}`).join('\n') + '\n');
  // Check every value: each finds something, and how many rows match (the `total`).
  const checks = vals;
  let sum = 0, max = 0, empty = 0;
  for (const v of checks) {
    const j = await get(toPath[w](v));
    const n = w === 'get_person' ? 1 : j.total;
    if (!n) empty++;
    sum += n; max = Math.max(max, n);
  }
  if (empty) throw new Error(`${w}: ${empty} of ${checks.length} sampled values matched nothing`);
  report.push(`${w} values ${vals.length} matches_mean ${(sum / checks.length).toFixed(1)} matches_max ${max}`);
}
writeFileSync(path.join(outDir, 'sample.txt'), report.join('\n') + '\n');
console.log(report.join('\n'));
