// seal.mjs - a sealed zone over a whole community (or street), timed, for bench/codes/run.sh.
//
// usage: node seal.mjs URL OUT_DIR UNIT_KIND UNIT_CODE CASE_PERSON PROBE_PERSON
// As the command user: registers a confirmed case for CASE_PERSON (a resident of the
// unit), which proposes zones from the case's residence; takes the proposed zone of the
// scheme's top level (封控区) at the residence, redraws it over the whole unit (a
// community or a street), then publishes it and times that one call (the zone's members'
// codes are recomputed in its transaction). Writes OUT_DIR/seal.env for run.sh:
//   ZONE_ID, UNIT_KIND, UNIT_CODE, T0 (Unix seconds when the publishing call began), PUBLISH_MS,
//   ZONE_COLOUR (the code of PROBE_PERSON, a resident who is no case, after publishing),
//   PROBE_BEFORE (the probe's colour before).
// run.sh then checks every resident's code in the data directory once the server stops.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const [url, out, unitKind, unitCode, casePerson, probe] = process.argv.slice(2);
if (!url || !out || !unitKind || !unitCode || !casePerson || !probe) {
  console.error('usage: node seal.mjs URL OUT_DIR UNIT_KIND UNIT_CODE CASE_PERSON PROBE_PERSON');
  process.exit(2);
}
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function call(method, p, token, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body) headers['Content-Type'] = 'application/json';
  const res = await fetch(url + p, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 400)}`);
  return text ? JSON.parse(text) : null;
}

const token = (await call('POST', '/api/v1/session', null, { username: 'admin', password: 'fangkong2022' })).token;
const probeBefore = (await call('GET', `/api/v1/persons/${probe}/code`, token)).color;

const k = await call('POST', '/api/v1/cases', token, { person_id: Number(casePerson), classification: 'confirmed',
  severity: 'mild', reported_at: iso(Date.now() - 60000), sampling_date: iso(Date.now()).slice(0, 10),
  source: 'community_screening' });
console.log(`case ${k.id} for person ${casePerson}`);

// the zones the case proposed: its residence's zone is the strictest one
const zones = (await call('GET', `/api/v1/zones?case=${k.id}&status=proposed&limit=100`, token)).items;
if (!zones.length) throw new Error(`no zone proposed for case ${k.id}`);
const home = zones.find((z) => z.rule?.includes('resid')) || zones[0];
console.log(`proposed: ${zones.map((z) => `${z.id} ${z.level} ${z.unit_kind} ${z.area_code}`).join('; ')}; taking ${home.id}`);
await call('PATCH', `/api/v1/zones/${home.id}`, token, { unit_kind: unitKind, area_code: unitCode,
  note: `bench/codes: the whole ${unitKind} sealed` });

await sleep(1100); // the case's own code changes fall in an earlier second than T0
const t0 = Math.floor(Date.now() / 1000);
const start = process.hrtime.bigint();
await call('POST', `/api/v1/zones/${home.id}/publish`, token, { note: 'bench/codes' });
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const probeAfter = (await call('GET', `/api/v1/persons/${probe}/code`, token)).color;
console.log(`published zone ${home.id} in ${ms.toFixed(1)} ms; probe ${probe}: ${probeBefore} -> ${probeAfter}`);
writeFileSync(path.join(out, 'seal.env'), [`ZONE_ID=${home.id}`, `UNIT_KIND=${unitKind}`, `UNIT_CODE=${unitCode}`, `T0=${t0}`,
  `PUBLISH_MS=${ms.toFixed(0)}`, `ZONE_COLOUR=${probeAfter}`, `PROBE_BEFORE=${probeBefore}`, ''].join('\n'));
