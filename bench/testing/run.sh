#!/usr/bin/env bash
# bench/testing - issue 5's benchmark: a round over a whole city, its scans and results
# imported through `fangkong import` (the code users run), the coverage of every
# community through the API; the peer is the sqlite3 shell's bare `.import` of the same
# CSV files and the equivalent coverage SQL. See bench/README.md.
#   PERSONS=1000000 (default) | 10000000; SKIP_BUILD=1 skips make; IMPORT_RUNS=5 (default)
#   pairs of runs of each import, fangkong's and the peer's side by side on the same data:
#   the ratio is the median of the pairs' ratios.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/bench/out
PERSONS=${PERSONS:-1000000}
BIN=$ROOT/build/release/fangkong
CITY=$OUT/testing-city-$PERSONS
RUN=$OUT/testing-run
DATA=$RUN/data
LOCK=${BENCH_LOCK:-/tmp/bench.lock}
COV_RUNS=${COV_RUNS:-5}
IMPORT_RUNS=${IMPORT_RUNS:-5}
# setup.mjs holds every person's ID number (10,000,000 of them at the largest size)
export NODE_OPTIONS="${NODE_OPTIONS:-} --max-old-space-size=16000"

# shellcheck source=../server.sh
source "$HERE/../server.sh"
cleanup() { server_stop; }
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '[testing] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
for tool in node sqlite3 flock awk; do command -v "$tool" >/dev/null || die "$tool not found"; done

# timed VAR CMD...: run CMD holding the shared bench lock; VAR = its wall time in ms
# (waiting for the lock not counted).
timed() {
    local var=$1
    shift
    flock "$LOCK" bash -c 's=$(date +%s%N); "$@"; rc=$?; e=$(date +%s%N); echo $(((e - s) / 1000000)) >"'"$RUN"'/.ms"; exit $rc' _ "$@"
    printf -v "$var" '%s' "$(cat "$RUN/.ms")"
}
per_s() { awk -v n="$1" -v ms="$2" 'BEGIN {printf "%.0f", n / (ms / 1000)}'; }
# median / min of the numbers in a space-separated list
median() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
minimum() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -n | head -1; }
ratio() { awk -v p="$1" -v f="$2" 'BEGIN {printf "%.2f", p / f}'; }
# pair_ratios PEER_TIMES FK_TIMES: each pair's peer / fangkong, in run order
pair_ratios() {
    paste -d' ' <(tr ' ' '\n' <<<"$1") <(tr ' ' '\n' <<<"$2") |
        awk 'NF == 2 {printf "%s%.2f", sep, $1 / $2; sep = " "}'
}

rm -rf "$RUN"
mkdir -p "$RUN"
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "machine: nproc $(nproc), cpu ${CPU_MODEL:-unknown}, ram $(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo) GiB, sqlite3 $(sqlite3 --version | cut -d' ' -f1)"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    say "building fangkong (make MODE=release)"
    make -C "$ROOT" MODE=release >"$RUN/build.log" 2>&1 || { tail -30 "$RUN/build.log" >&2; die "build failed"; }
fi
if [ -f "$CITY/.bench-persons" ] && [ "$(cat "$CITY/.bench-persons")" = "$PERSONS" ]; then
    say "reusing the city in $CITY"
else
    say "generating a city of $PERSONS persons in $CITY (no movement, no outbreak)"
    rm -rf "$CITY"
    "$BIN" demo --persons "$PERSONS" --seed 1 --days 0 --outbreak 0 --data "$CITY" >"$RUN/demo.log" 2>&1 ||
        { tail -20 "$RUN/demo.log" >&2; die "demo failed"; }
    echo "$PERSONS" >"$CITY/.bench-persons"
fi
mkdir -p "$DATA"
cp "$CITY/fangkong.db" "$DATA/fangkong.db"
DB=$DATA/fangkong.db

say "reading the persons to test (resident ID numbers) from the store"
sqlite3 -csv "$DB" "SELECT id_number, community_code FROM persons WHERE id_type = 'resident'
    AND resident_type IN ('resident', 'non_resident') ORDER BY community_code, id" >"$RUN/persons.csv"

# start_server: `fangkong serve` on the store, as users run it beside their imports
start_server() { server_start "$BIN" "$DATA" --sweep-interval 0; }

# peer_run VAR TABLE FILE: the peer's timed `.import` of FILE into a fresh TABLE of the
# peer's database; VAR = its wall time in ms.
PEER=$RUN/peer.db
peer_run() {
    sqlite3 "$PEER" "DROP TABLE IF EXISTS $2"
    sync
    timed "$1" sqlite3 "$PEER" ".import --csv $3 $2"
}

# import_runs VAR PEER_VAR KIND FILE: IMPORT_RUNS timed `fangkong import KIND FILE`, the
# server running, each beside a timed run of the peer's `.import` of FILE, in the same
# state of the machine: before each pair after the first the store is put back as it
# was before the first (a backup, the server stopped meanwhile); the peer goes first in
# odd pairs, fangkong in even ones. VAR, PEER_VAR = the times in ms, in run order.
import_runs() {
    local var=$1 pvar=$2 kind=$3 file=$4 times= ptimes= ms pms
    if [ "$IMPORT_RUNS" -gt 1 ] || [ "${KEEP:-0}" = 1 ]; then
        sqlite3 "$DB" ".backup '$RUN/before_$kind.db'"
    fi
    for i in $(seq 1 "$IMPORT_RUNS"); do
        if [ "$i" -gt 1 ]; then
            cleanup
            rm -f "$DB-wal" "$DB-shm"
            cp "$RUN/before_$kind.db" "$DB"
            start_server
            sleep 2 # the server's start-up reads (residents, codes) done, as in a city's day
        fi
        [ $((i % 2)) = 1 ] && peer_run pms "$kind" "$file"
        sync # the copy's dirty pages (half a gigabyte) not left to the import's own sync
        timed ms "$BIN" import "$kind" "$file" --data "$DATA" >"$RUN/import_$kind.out"
        [ $((i % 2)) = 0 ] && peer_run pms "$kind" "$file"
        times="$times $ms" ptimes="$ptimes $pms"
    done
    cat "$RUN/import_$kind.out" >&2
    [ "${KEEP:-0}" = 1 ] || rm -f "$RUN/before_$kind.db"
    printf -v "$var" '%s' "${times# }"
    printf -v "$pvar" '%s' "${ptimes# }"
}

say "starting fangkong serve"
start_server

say "a round over the city, sites, tubes; writing scans.csv"
node "$HERE/setup.mjs" round "$URL" "$RUN" | tee -a "$RUN/setup.log" >&2
SCANS=$(($(wc -l <"$RUN/scans.csv") - 1))

# KEEP=1: copies of the store before each import, to profile one (perf record ...)
say "fangkong import scans ($SCANS rows), $IMPORT_RUNS runs"
import_runs FK_SCANS_RUNS PEER_SCANS_RUNS scans "$RUN/scans.csv"

say "closing, packing, handing over, receiving; writing results.csv"
node "$HERE/setup.mjs" boxes "$URL" "$RUN" | tee -a "$RUN/setup.log" >&2
RESULTS=$(($(wc -l <"$RUN/results.csv") - 1))

say "fangkong import results ($RESULTS rows), $IMPORT_RUNS runs"
import_runs FK_RESULTS_RUNS PEER_RESULTS_RUNS results "$RUN/results.csv"

say "coverage of every community through the API"
# the WAL the imports left behind (their checkpoint is the server's), for bench/README
# (the wal-index header: mxFrame, the WAL's valid frames, at byte 16; nBackfill, those
# copied into the database file, at byte 96)
shm_u32() { od -An -tu4 -j "$1" -N4 "$DB-shm" 2>/dev/null | tr -d ' ' || echo -; }
echo "wal_at_coverage bytes $(stat -c %s "$DB-wal" 2>/dev/null || echo 0) frames $(shm_u32 16) backfilled $(shm_u32 96)" >>"$RUN/coverage_runs.log"
flock "$LOCK" node "$HERE/setup.mjs" coverage "$URL" "$RUN" "$COV_RUNS" >"$RUN/coverage.out"
read -r _ COV_MIN COV_MED COV_UNITS COV_POP COV_TESTED <"$RUN/coverage.out"
cleanup

say "peer: the coverage in SQL over its imported scans"
[ "$(sqlite3 "$PEER" 'SELECT count(*) FROM scans')" = "$SCANS" ] || die "peer: scans count differs"
# the coverage query of store_sqlite_coverage.c (residents and non-residents, an active
# isolation exempts) over the attached store's persons and the imported scans; the
# join builds its automatic index on scans(person), counted in the time
cat >"$RUN/peer_coverage.sql" <<SQL
ATTACH '$DB' AS f;
SELECT count(*), sum(n), sum(t) FROM (
  SELECT substr(p.community_code, 1, 12) AS code, count(*) AS n, count(s.person) AS t,
         sum(s.person IS NULL AND EXISTS (SELECT 1 FROM f.isolations i WHERE i.person_id = p.id
             AND i.ended_at IS NULL)) AS e
  FROM f.persons p LEFT JOIN scans s ON s.person = p.id_number
  WHERE p.resident_type IN ('resident', 'non_resident') GROUP BY 1);
SQL
timed PEER_COV sh -c "sqlite3 '$PEER' <'$RUN/peer_coverage.sql' >'$RUN/peer_coverage.out'"
read -r PEER_UNITS_LINE <"$RUN/peer_coverage.out"
say "peer coverage: units|population|tested = $PEER_UNITS_LINE; fangkong: $COV_UNITS|$COV_POP|$COV_TESTED"

FK_SCANS=$(median "$FK_SCANS_RUNS") FK_RESULTS=$(median "$FK_RESULTS_RUNS")
PEER_SCANS=$(median "$PEER_SCANS_RUNS") PEER_RESULTS=$(median "$PEER_RESULTS_RUNS")
echo "persons: $PERSONS; scans $SCANS; results $RESULTS; communities $COV_UNITS"
SCANS_PAIRS=$(pair_ratios "$PEER_SCANS_RUNS" "$FK_SCANS_RUNS")
RESULTS_PAIRS=$(pair_ratios "$PEER_RESULTS_RUNS" "$FK_RESULTS_RUNS")
echo "runs (ms, in order): import scans $FK_SCANS_RUNS; .import $PEER_SCANS_RUNS; pairs $SCANS_PAIRS"
echo "runs (ms, in order): import results $FK_RESULTS_RUNS; .import $PEER_RESULTS_RUNS; pairs $RESULTS_PAIRS"
echo "figure: import_scans_min_s $(awk -v m="$(minimum "$FK_SCANS_RUNS")" 'BEGIN {printf "%.2f", m / 1000}') s"
echo "figure: import_results_min_ms $(minimum "$FK_RESULTS_RUNS") ms"
echo "figure: peer_import_results_min_ms $(minimum "$PEER_RESULTS_RUNS") ms"
echo "figure: import_scans_rows_per_s $(per_s "$SCANS" "$FK_SCANS") rows/s"
echo "figure: import_scans_s $(awk -v m="$FK_SCANS" 'BEGIN {printf "%.2f", m / 1000}') s"
echo "figure: import_results_rows_per_s $(per_s "$RESULTS" "$FK_RESULTS") rows/s"
echo "figure: import_results_s $(awk -v m="$FK_RESULTS" 'BEGIN {printf "%.2f", m / 1000}') s"
echo "figure: coverage_city_ms $COV_MED ms"
echo "figure: coverage_city_min_ms $COV_MIN ms"
echo "figure: coverage_persons_per_s $(per_s "$COV_POP" "$COV_MED") persons/s"
echo "figure: peer_import_scans_rows_per_s $(per_s "$SCANS" "$PEER_SCANS") rows/s"
echo "figure: peer_import_results_rows_per_s $(per_s "$RESULTS" "$PEER_RESULTS") rows/s"
echo "figure: peer_coverage_ms $PEER_COV ms"
echo "ratio: import_scans $(median "$SCANS_PAIRS")"
echo "ratio: import_results $(median "$RESULTS_PAIRS")"
echo "ratio: coverage $(ratio "$PEER_COV" "$COV_MED")"
