// bench/trace/duck.mjs - the DuckDB peer: the same contact rows in SQL.
//
// usage: node duck.mjs 'STAYS-*.csv' CASES.txt FROM TO OUT_DIR [MIN_OVERLAP_S DWELL_S LOOKBACK_DAYS]
//        (env CHECKINS=path: venue check-ins too; MIN_COPRESENCE_S 900, DEFAULT_DWELL_S 1800)
//
// Loads the CSV files (a read_csv glob) into in-memory DuckDB tables with read_csv
// (timed: load), then runs the rules for all cases of CASES.txt in one query (timed:
// query: companions and venue contacts), for the first case alone (timed: query1), and
// with the secondary contacts of every close contact (timed: query2), and writes
// OUT_DIR/duckdb_rows.csv (case,contact,kind,place,start,overlap_seconds) and
// OUT_DIR/duckdb_rows2.csv (the same plus degree,via) in fangkong's format. Prints one
// `duckdb: ...` line.
//
// Venue contacts (src/trace/trace.h): the check-ins (a missing time_out takes the default
// dwell) merged per (subject, venue) like stays; the case's merged intervals clipped to
// the window joined on venue with everyone else's; >= MIN_COPRESENCE_S, no dwell rule.
// Secondary contacts (src/services/discovery.h): for each close (venue) contact k of a
// case, first exposed at f (the earliest first overlap over k's rows), k's own venue
// contacts within [max(f, from), to), leaving out the case and the case's close contacts.
//
// The SQL, per the rule in src/trace/trace.h: only the places the cases visited in the
// window can give rows, so the stays of those places that reach [min(from, to-lookback),
// to) are taken; intervals of one subject in one place are merged (gaps and islands over
// start order; touching [a,b)[b,c) merge); the cases' merged intervals clipped to the
// window are joined on place with every other subject's merged intervals that intersect
// them; per (case, contact, place) the overlap is summed and its first moment taken;
// the dwell of each subject in each place within [to - lookback, to) decides the rule.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, writeFileSync } from 'node:fs';

const [csv, casesFile, fromArg, toArg, outDir, minArg, dwellArg, lbArg] = process.argv.slice(2);
if (!outDir) {
    console.error('usage: node duck.mjs STAYS_GLOB CASES.txt FROM TO OUT_DIR [MIN_OVERLAP_S DWELL_S LOOKBACK_DAYS]');
    process.exit(2);
}
const from = BigInt(fromArg), to = BigInt(toArg);
const minOverlap = BigInt(minArg || 600), dwell = BigInt(dwellArg || 108000);
const lookback = BigInt(lbArg || 14) * 86400n;
const lb = to - lookback;
const since = from < lb ? from : lb;
const cases = readFileSync(casesFile, 'utf8').split('\n').filter(Boolean);
const checkins = process.env.CHECKINS || '';
const minCop = BigInt(process.env.MIN_COPRESENCE_S || 900);
const defDwell = BigInt(process.env.DEFAULT_DWELL_S || 1800);
const q = (s) => `'${s.replaceAll("'", "''")}'`;

const now = () => Number(process.hrtime.bigint()) / 1e9;
const db = await DuckDBInstance.create(':memory:', { threads: process.env.DUCKDB_THREADS || '2' });
const con = await db.connect();

let t0 = now();
await con.run(`CREATE TABLE stays AS SELECT * FROM read_csv(${q(csv)}, header = true,
    columns = {'subject': 'VARCHAR', 'cell': 'VARCHAR', 'start': 'BIGINT', 'end': 'BIGINT'})`);
if (checkins)
    await con.run(`CREATE TABLE checkins AS SELECT subject, venue AS place, time_in AS start,
        coalesce(time_out, time_in + ${defDwell}) AS "end" FROM read_csv(${q(checkins)}, header = true,
        columns = {'subject': 'VARCHAR', 'venue': 'VARCHAR', 'time_in': 'BIGINT', 'time_out': 'BIGINT'})`);
else
    await con.run('CREATE TABLE checkins (subject VARCHAR, place VARCHAR, start BIGINT, "end" BIGINT)');
const tLoad = now() - t0;
const nStays = (await con.runAndReadAll('SELECT count(*) FROM stays')).getRows()[0][0];
const nCheckins = (await con.runAndReadAll('SELECT count(*) FROM checkins')).getRows()[0][0];

function sql(caseList) {
    return `
WITH cases(subject) AS (VALUES ${caseList.map((c) => `(${q(c)})`).join(', ')}),
-- the places the cases were in during the window
cc AS (SELECT DISTINCT s.cell FROM stays s JOIN cases USING (subject)
       WHERE s."end" > ${from} AND s.start < ${to}),
s AS (SELECT subject, cell, start, "end" FROM stays
      WHERE cell IN (SELECT cell FROM cc) AND "end" > ${since} AND start < ${to}),
-- merge intervals per (subject, place): a new island starts after every earlier end
o AS (SELECT *, max("end") OVER (PARTITION BY subject, cell ORDER BY start, "end"
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end FROM s),
g AS (SELECT *, sum(CASE WHEN prev_end IS NULL OR start > prev_end THEN 1 ELSE 0 END)
                 OVER (PARTITION BY subject, cell ORDER BY start, "end" ROWS UNBOUNDED PRECEDING) AS grp
      FROM o),
m AS (SELECT subject, cell, min(start) AS a, max("end") AS b FROM g GROUP BY subject, cell, grp),
-- dwell per (subject, place) within the lookback before 'to'
dw AS (SELECT subject, cell, sum(least(b, ${to}) - greatest(a, ${lb})) AS dwell FROM m
       WHERE b > ${lb} AND a < ${to} GROUP BY subject, cell),
-- the cases' merged intervals clipped to the window
cw AS (SELECT m.subject AS c, m.cell, greatest(m.a, ${from}) AS a, least(m.b, ${to}) AS b
       FROM m JOIN cases USING (subject) WHERE m.b > ${from} AND m.a < ${to}),
mw AS (SELECT * FROM m WHERE b > ${from} AND a < ${to}),
ov AS (SELECT cw.c, mw.subject AS s, cw.cell, greatest(cw.a, mw.a) AS fa,
              least(cw.b, mw.b) - greatest(cw.a, mw.a) AS len
       FROM cw JOIN mw ON mw.cell = cw.cell AND mw.a < cw.b AND mw.b > cw.a AND mw.subject <> cw.c),
agg AS (SELECT c, s, cell, min(fa) AS first, sum(len) AS overlap FROM ov GROUP BY c, s, cell)
SELECT agg.c, agg.s, 'companion' AS kind, agg.cell,
       strftime(make_timestamp(agg.first * 1000000), '%Y-%m-%dT%H:%M:%SZ') AS start,
       agg.overlap::BIGINT AS overlap_seconds
FROM agg
LEFT JOIN dw dc ON dc.subject = agg.c AND dc.cell = agg.cell
LEFT JOIN dw ds ON ds.subject = agg.s AND ds.cell = agg.cell
WHERE agg.overlap > 0 AND agg.overlap >= ${minOverlap}
  AND (coalesce(dc.dwell, 0) >= ${dwell} OR coalesce(ds.dwell, 0) >= ${dwell})
ORDER BY agg.c, agg.s, agg.cell`;
}

// Venue rows (degree 1) and, with `secondary`, the degree-2 rows, as one SQL text.
function venueSql(caseList, secondary) {
    const ts = (e) => `strftime(make_timestamp(${e} * 1000000), '%Y-%m-%dT%H:%M:%SZ')`;
    return `
WITH cases(subject) AS (VALUES ${caseList.map((c) => `(${q(c)})`).join(', ')}),
o AS (SELECT *, max("end") OVER (PARTITION BY subject, place ORDER BY start, "end"
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
      FROM checkins WHERE "end" > ${from} AND start < ${to}),
g AS (SELECT *, sum(CASE WHEN prev_end IS NULL OR start > prev_end THEN 1 ELSE 0 END)
                 OVER (PARTITION BY subject, place ORDER BY start, "end" ROWS UNBOUNDED PRECEDING) AS grp
      FROM o),
m AS (SELECT subject, place, min(start) AS a, max("end") AS b FROM g GROUP BY subject, place, grp),
cw AS (SELECT m.subject AS c, m.place, greatest(m.a, ${from}) AS a, least(m.b, ${to}) AS b
       FROM m JOIN cases USING (subject) WHERE m.b > ${from} AND m.a < ${to}),
v1 AS (SELECT cw.c, m.subject AS s, cw.place, min(greatest(cw.a, m.a)) AS first,
              sum(least(cw.b, m.b) - greatest(cw.a, m.a)) AS overlap
       FROM cw JOIN m ON m.place = cw.place AND m.a < cw.b AND m.b > cw.a AND m.subject <> cw.c
       GROUP BY cw.c, m.subject, cw.place HAVING sum(least(cw.b, m.b) - greatest(cw.a, m.a)) >= ${minCop}),
cl AS (SELECT c, s AS k, greatest(min(first), ${from}) AS a0 FROM v1 GROUP BY c, s),
kw AS (SELECT cl.c, cl.k, m.place, greatest(m.a, cl.a0) AS a, least(m.b, ${to}) AS b
       FROM cl JOIN m ON m.subject = cl.k WHERE m.b > cl.a0 AND m.a < ${to} AND cl.a0 < ${to}),
v2 AS (SELECT kw.c, m.subject AS s, kw.place, kw.k, min(greatest(kw.a, m.a)) AS first,
              sum(least(kw.b, m.b) - greatest(kw.a, m.a)) AS overlap
       FROM kw JOIN m ON m.place = kw.place AND m.a < kw.b AND m.b > kw.a AND m.subject <> kw.k
       WHERE m.subject <> kw.c AND m.subject NOT IN (SELECT k FROM cl WHERE cl.c = kw.c)
       GROUP BY kw.c, m.subject, kw.place, kw.k
       HAVING sum(least(kw.b, m.b) - greatest(kw.a, m.a)) >= ${minCop})
SELECT c, s, 'venue', place, ${ts('first')}, overlap::BIGINT, 1 AS degree, '' AS via FROM v1
${secondary ? `UNION ALL SELECT c, s, 'venue', place, ${ts('first')}, overlap::BIGINT, 2, k FROM v2` : ''}`;
}

t0 = now();
const res = await con.runAndReadAll(sql(cases));
const resV = await con.runAndReadAll(venueSql(cases, false));
const tQuery = now() - t0;
const rows = [...res.getRows(), ...resV.getRows().map((r) => r.slice(0, 6))];

t0 = now();
const res2 = await con.runAndReadAll(sql(cases));
const resV2 = await con.runAndReadAll(venueSql(cases, true));
const tQuery2 = now() - t0;
const rows2 = [...res2.getRows().map((r) => [...r, 1, '']), ...resV2.getRows()];
const closeContacts = new Set(resV2.getRows().filter((r) => Number(r[6]) === 1).map((r) => `${r[0]}\t${r[1]}`)).size;

t0 = now();
const res1 = await con.runAndReadAll(sql(cases.slice(0, 1)));
const res1V = await con.runAndReadAll(venueSql(cases.slice(0, 1), false));
const tQuery1 = now() - t0;
const rows1 = res1.getRows().length + res1V.getRows().length;

const field = (v) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
writeFileSync(`${outDir}/duckdb_rows.csv`, 'case,contact,kind,place,start,overlap_seconds\n' +
    rows.map((r) => r.map((v) => field(String(v))).join(',') + '\n').join(''));
writeFileSync(`${outDir}/duckdb_rows2.csv`, 'case,contact,kind,place,start,overlap_seconds,degree,via\n' +
    rows2.map((r) => r.map((v) => field(String(v))).join(',') + '\n').join(''));
const ver = (await con.runAndReadAll('SELECT version()')).getRows()[0][0];
console.log(`duckdb: version ${ver} threads ${process.env.DUCKDB_THREADS || '2'} stays ${nStays} checkins ${nCheckins} ` +
    `load_seconds ${tLoad.toFixed(3)} query_seconds ${tQuery.toFixed(3)} rows ${rows.length} ` +
    `query1_seconds ${tQuery1.toFixed(3)} rows1 ${rows1} query2_seconds ${tQuery2.toFixed(3)} rows2 ${rows2.length} ` +
    `close_contacts ${closeContacts}`);
