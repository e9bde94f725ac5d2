// tokens.mjs - collects health-code tokens through the API for bench/codes/run.sh.
//
// usage: node tokens.mjs URL OUT_DIR COUNT
// Signs in as the demo's command user, takes COUNT persons spread over the registry
// (pages of /api/v1/persons at evenly spaced offsets), reads each one's code
// (GET /api/v1/persons/{id}/code, 8 at a time) and writes into OUT_DIR:
//   paths_codes.txt  one `/api/v1/codes/TOKEN` a line, for wrk
//   code.json        the exact body of GET /api/v1/codes/{token} for the first token (the
//                    static file nginx serves: the same size as one answer)
//   tokens.txt       a summary: `tokens N valid_until_min T body_bytes B colors red=.. ...`
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const [url, out, countArg] = process.argv.slice(2);
const COUNT = Number(countArg || 2000);
if (!url || !out || !(COUNT > 0)) {
  console.error('usage: node tokens.mjs URL OUT_DIR COUNT');
  process.exit(2);
}

async function call(method, p, token, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body) headers['Content-Type'] = 'application/json';
  const res = await fetch(url + p, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 300)}`);
  return { text, json: text ? JSON.parse(text) : null };
}

const token = (await call('POST', '/api/v1/session', null, { username: 'admin', password: 'fangkong2022' })).json.token;
const total = (await call('GET', '/api/v1/persons?limit=1', token)).json.total;
const PAGE = 1000;
const pages = Math.max(1, Math.ceil(COUNT / PAGE));
const ids = [];
for (let i = 0; i < pages && ids.length < COUNT; i++) {
  const offset = Math.floor((i * Math.max(0, total - PAGE)) / Math.max(1, pages - 1 || 1));
  const items = (await call('GET', `/api/v1/persons?limit=${PAGE}&offset=${offset}`, token)).json.items;
  for (const p of items) if (ids.length < COUNT && !ids.includes(p.id)) ids.push(p.id);
}

const codes = new Array(ids.length);
let next = 0;
async function worker() {
  while (next < ids.length) {
    const i = next++;
    codes[i] = (await call('GET', `/api/v1/persons/${ids[i]}/code`, token)).json;
  }
}
await Promise.all(Array.from({ length: 8 }, worker));

const paths = codes.map((c) => `/api/v1/codes/${encodeURIComponent(c.token)}`);
writeFileSync(path.join(out, 'paths_codes.txt'), `${paths.join('\n')}\n`);
const sample = await call('GET', paths[0]);
writeFileSync(path.join(out, 'code.json'), sample.text);
const colors = {};
for (const c of codes) colors[c.color] = (colors[c.color] || 0) + 1;
const minValid = Math.min(...codes.map((c) => c.valid_until));
writeFileSync(path.join(out, 'tokens.txt'), `tokens ${codes.length} valid_until_min ${minValid} body_bytes ${Buffer.byteLength(sample.text)} colors ${
  Object.entries(colors).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
