// bench/trace/gen.mjs - a seeded city of phone presence records for the trace benchmark.
//
// usage: node gen.mjs OUT_DIR PERSONS [CELLS] [SEED] [NCASES] [PART_ROWS]
//
// Writes OUT_DIR/stays-NNN.csv (subject,cell,start,end; Unix seconds), a new part after
// PART_ROWS rows (4,000,000, about 175 MB) at a person boundary, since `fangkong import`
// takes files of at most 512 MiB; OUT_DIR/checkins-NNN.csv (subject,venue,time_in,time_out,
// in parts of PART_ROWS rows like the stays:
// the venue-code scans of the lunch and evening visits; one in ten without time_out, so
// the policy's default dwell applies); OUT_DIR/cases.txt (NCASES subjects, one a line,
// seeded); OUT_DIR/window.txt (FROM TO); and prints one `gen: ...` line.
//
// The city: CELLS grid cells (cell-0000 ...), 14 days from T0 (2026-03-02T00:00:00Z).
// Every person has a phone-like subject (11 digits, unique), a home cell (nights, so a
// dwell of >= 30 h in 14 days is common), a work cell (80 % work on weekdays) and four
// favourite venue cells drawn from a skewed popularity (each with one of 8 venues of that
// cell, also skewed, where the person scans the venue code); transit stays go to uniform
// random cells. About 10 stays a person a day, contiguous. Some records are repeated or
// split in two overlapping records (as phone data does), and a night at home touches
// the next day's first stay at midnight, so the merge of intervals matters.
import { openSync, writeSync, closeSync, writeFileSync } from 'node:fs';

const [outDir, personsArg, cellsArg, seedArg, casesArg, partArg] = process.argv.slice(2);
if (!outDir || !personsArg) {
    console.error('usage: node gen.mjs OUT_DIR PERSONS [CELLS] [SEED] [NCASES]');
    process.exit(2);
}
const PERSONS = Number(personsArg);
const CELLS = Number(cellsArg || 2000);
const SEED = Number(seedArg || 1);
const NCASES = Number(casesArg || 100);
const PART_ROWS = Number(partArg || 4000000);
const DAYS = 14;
const T0 = Date.UTC(2026, 2, 2) / 1000; // a Monday
const H = 3600, M = 60;

// splitmix32-style PRNG: deterministic for a seed.
let st = (SEED * 0x9e3779b9) >>> 0;
function rnd() {
    st = (st + 0x9e3779b9) >>> 0;
    let z = st;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
}
const ri = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1)); // inclusive
// Skewed venue popularity: cell index ~ CELLS * u^2 (low indexes are busy), shuffled.
const perm = Array.from({ length: CELLS }, (_, i) => i);
for (let i = CELLS - 1; i > 0; i--) { const j = ri(0, i); [perm[i], perm[j]] = [perm[j], perm[i]]; }
const popular = () => perm[Math.floor(CELLS * rnd() * rnd())];
const cellName = Array.from({ length: CELLS }, (_, i) => 'cell-' + String(i).padStart(4, '0'));
// Unique 11-digit phones: 13 + a bijection of i on 0..1e9-1 (odd multiplier, not of 5).
const phone = (i) => '13' + String((i * 2654435761) % 1e9).padStart(9, '0');

const HEADER = 'subject,cell,start,end\n';
const CHEADER = 'subject,venue,time_in,time_out\n';
const cpartName = (i) => `${outDir}/checkins-${String(i).padStart(3, '0')}.csv`;
let cpart = 0, cpartRows = 0;
let cfd = openSync(cpartName(0), 'w');
let cbuf = CHEADER, crows = 0;
function checkin(s, venue, a, b) {
    cbuf += `${s},${venue},${a},${rnd() < 0.1 ? '' : b}\n`;
    crows++;
    cpartRows++;
    if (cbuf.length > 1 << 20) { writeSync(cfd, cbuf); cbuf = ''; }
}
function nextCheckinPart() { // at a person boundary
    writeSync(cfd, cbuf);
    closeSync(cfd);
    cfd = openSync(cpartName(++cpart), 'w');
    cbuf = CHEADER;
    cpartRows = 0;
}
let part = 0, partRows = 0, rows = 0;
const partName = (i) => `${outDir}/stays-${String(i).padStart(3, '0')}.csv`;
let fd = openSync(partName(part), 'w');
let buf = HEADER;
function nextPart() { // at a person boundary
    writeSync(fd, buf);
    closeSync(fd);
    fd = openSync(partName(++part), 'w');
    buf = HEADER;
    partRows = 0;
}
function out(s, c, a, b) {
    buf += `${s},${cellName[c]},${a},${b}\n`;
    rows++;
    partRows++;
    if (buf.length > 1 << 20) { writeSync(fd, buf); buf = ''; }
}
// One stay; sometimes as phone data has it: repeated, or split into two overlapping rows.
function stay(s, c, a, b) {
    const u = rnd();
    if (u < 0.03 && b - a > 20 * M) {
        const m = a + Math.floor((b - a) / 2);
        out(s, c, a, m + ri(1, 10) * M);
        out(s, c, m - ri(0, 10) * M, b);
    } else {
        out(s, c, a, b);
        if (u > 0.985) out(s, c, a, b);
    }
}

for (let p = 0; p < PERSONS; p++) {
    if (partRows >= PART_ROWS) nextPart();
    if (cpartRows >= PART_ROWS) nextCheckinPart();
    const s = phone(p);
    const home = ri(0, CELLS - 1);
    const worker = rnd() < 0.8;
    const work = ri(0, CELLS - 1);
    const fav = [popular(), popular(), popular(), popular()];
    const venue = fav.map((c) => `V${c}-${Math.floor(8 * rnd() * rnd())}`);
    for (let d = 0; d < DAYS; d++) {
        const base = T0 + d * 86400;
        const weekday = d % 7 < 5;
        let t = base + 7 * H + ri(0, 60) * M;
        stay(s, home, base, t); // the night, touching the previous evening at midnight
        const go = (c, len) => { stay(s, c, t, t + len); t += len; };
        const visit = (len) => { const f = ri(0, 3); checkin(s, venue[f], t, t + len); go(fav[f], len); };
        go(ri(0, CELLS - 1), ri(10, 30) * M); // transit
        go(ri(0, CELLS - 1), ri(5, 20) * M); // transit
        if (worker && weekday) {
            go(work, base + 12 * H - t + ri(-10, 10) * M);
            visit(ri(40, 70) * M); // lunch
            go(work, base + 17 * H + ri(0, 60) * M - t);
        } else {
            go(fav[ri(0, 3)], ri(60, 180) * M);
            go(home, base + 14 * H + ri(-30, 30) * M - t);
            go(fav[ri(0, 3)], ri(60, 150) * M);
        }
        go(ri(0, CELLS - 1), ri(10, 30) * M); // transit
        if (rnd() < 0.6) visit(ri(30, 120) * M); // evening venue
        go(ri(0, CELLS - 1), ri(5, 20) * M); // transit
        stay(s, home, t, base + 86400);
    }
}
writeSync(fd, buf);
closeSync(fd);
writeSync(cfd, cbuf);
closeSync(cfd);

// The cases: NCASES distinct persons, seeded.
const picked = new Set();
while (picked.size < Math.min(NCASES, PERSONS)) picked.add(ri(0, PERSONS - 1));
writeFileSync(`${outDir}/cases.txt`, [...picked].map(phone).join('\n') + '\n');
const from = T0 + (DAYS - 7) * 86400, to = T0 + DAYS * 86400;
writeFileSync(`${outDir}/window.txt`, `${from} ${to}\n`);
console.log(`gen: persons ${PERSONS} cells ${CELLS} days ${DAYS} seed ${SEED} rows ${rows} parts ${part + 1} ` +
    `rows_per_person_day ${(rows / PERSONS / DAYS).toFixed(1)} checkins ${crows} cases ${picked.size} window ${from} ${to}`);
