#!/usr/bin/env bash
# bench/registry/run.sh - person registry latency at city scale, fangkong vs PostgreSQL.
#
# Builds fangkong, generates (or reuses) a demo city of $PERSONS persons, serves it on
# 127.0.0.1, and loads five read workloads through the HTTP API with wrk; then loads the
# same persons into a private PostgreSQL cluster (unix socket only) and runs the same five
# queries with pgbench. Prints p50/p99/throughput figures and PostgreSQL/fangkong ratios.
# See bench/README.md. Everything it writes is under bench/out/.
#
# Environment: PERSONS (1000000), DURATION seconds a measured run (15), WARMUP seconds
# of unmeasured load before each (3), CONNS (16), THREADS (2), FANGKONG_THREADS (server
# default), SKIP_BUILD=1, SKIP_PG=1, SKIP_SQLITE=1 (the direct SQLite reference).
# shellcheck disable=SC2034 # the PG_* settings are read by pg.sh
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/bench/out
PERSONS=${PERSONS:-1000000}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
CONNS=${CONNS:-16}
THREADS=${THREADS:-2}
BIN=$ROOT/build/release/fangkong
if [ "$PERSONS" = 1000000 ]; then DATA=$OUT/registry-data; else DATA=$OUT/registry-data-$PERSONS; fi
RUN=$OUT/registry-run
PG_DIR=$OUT/registry-pg/data
PG_SOCK=$OUT/registry-pg/sock
PG_LOG_DIR=$RUN
WORKLOADS=(list_community search_id search_name search_phone get_person)

# shellcheck source=pg.sh
source "$HERE/pg.sh"

# shellcheck source=../server.sh
source "$HERE/../server.sh"
cleanup() {
    server_stop
    pg_stop
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '[registry] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

for tool in wrk node sqlite3 awk; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y wrk sqlite3; node comes with the machine)"
done

rm -rf "$RUN"
mkdir -p "$RUN"

# ---- machine -------------------------------------------------------------------------
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
RAM_GIB=$(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
echo "machine: nproc $(nproc), cpu ${CPU_MODEL:-unknown}, ram ${RAM_GIB} GiB, kernel $(uname -r)"
echo "load: wrk/pgbench ${CONNS} connections, ${THREADS} threads, ${DURATION} s measured after ${WARMUP} s warm-up, on the same machine as the server"

# ---- build and data ------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    say "building fangkong (make MODE=release)"
    make -C "$ROOT" MODE=release >"$RUN/build.log" 2>&1 || { tail -30 "$RUN/build.log" >&2; die "build failed"; }
fi
[ -x "$BIN" ] || die "$BIN missing"

if [ -f "$DATA/.bench-persons" ] && [ "$(cat "$DATA/.bench-persons")" = "$PERSONS" ]; then
    say "reusing the city in $DATA"
else
    say "generating a city of $PERSONS persons in $DATA"
    rm -rf "$DATA"
    t0=$(date +%s.%N)
    "$BIN" demo --persons "$PERSONS" --seed 1 --data "$DATA" >"$RUN/demo.log" 2>&1 ||
        { tail -20 "$RUN/demo.log" >&2; die "demo failed"; }
    t1=$(date +%s.%N)
    echo "$PERSONS" >"$DATA/.bench-persons"
    echo "demo: generated $PERSONS persons in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s"
fi
DB=$DATA/fangkong.db
[ -f "$DB" ] || die "$DB missing"

# The persons for PostgreSQL, straight from the SQLite file (the same rows, with their
# ids, which `fangkong export persons` does not write). Taken before the server starts.
say "reading persons from $DB"
sqlite3 -header -csv "$DB" "select * from persons order by id" >"$RUN/persons.csv"
NPERSONS=$(($(wc -l <"$RUN/persons.csv") - 1))
echo "persons: $NPERSONS (requested $PERSONS), database $(du -sh "$DATA" | cut -f1)"

# ---- fangkong --------------------------------------------------------------------------
say "starting fangkong serve"
server_start "$BIN" "$DATA" ${FANGKONG_THREADS:+--threads "$FANGKONG_THREADS"}
say "fangkong at $URL (pid $SERVER_PID)"

say "sampling query values through the API"
node "$HERE/sample.mjs" "$URL" "$RUN" 5 128 >"$RUN/sample.log" 2>&1 || { cat "$RUN/sample.log" >&2; die "sampling failed"; }
sed 's/^/sample: /' "$RUN/sample.txt"
TOKEN=$(cat "$RUN/token")

wrk_run() { # SECONDS WORKLOAD
    wrk -t "$THREADS" -c "$CONNS" -d "${1}s" --timeout 30s --latency -s "$HERE/wrk.lua" \
        "$URL" -- "$RUN/paths_$2.txt" "$TOKEN"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
CLK_TCK=$(getconf CLK_TCK)
declare -A FK_P50 FK_P99 FK_RPS FK_CPU PG_P50 PG_P99 PG_RPS
for w in "${WORKLOADS[@]}"; do
    say "fangkong: $w"
    wrk_run "$WARMUP" "$w" >"$RUN/wrk_${w}_warmup.out" 2>&1
    c0=$(cpu_ticks)
    wrk_run "$DURATION" "$w" >"$RUN/wrk_$w.out" 2>&1
    c1=$(cpu_ticks)
    read -r p50 p99 reqs dur_us non2xx sockerr < <(sed -n 's/^WRKRESULT //p' "$RUN/wrk_$w.out")
    [ -n "${reqs:-}" ] || { cat "$RUN/wrk_$w.out" >&2; die "wrk printed no result for $w"; }
    [ "$non2xx" = 0 ] || say "warning: $w: $non2xx responses were not 2xx"
    [ "$sockerr" = 0 ] || say "warning: $w: $sockerr socket errors or timeouts"
    FK_P50[$w]=$p50
    FK_P99[$w]=$p99
    FK_RPS[$w]=$(awk -v r="$reqs" -v d="$dur_us" 'BEGIN {printf "%.0f", r / (d / 1e6)}')
    # Server CPU in core-percent over the measured run (100 = one core busy).
    FK_CPU[$w]=$(awk -v a="$c0" -v b="$c1" -v t="$CLK_TCK" -v d="$dur_us" 'BEGIN {printf "%.0f", 100 * (b - a) / t / (d / 1e6)}')
    say "  p50 $p50 us, p99 $p99 us, ${FK_RPS[$w]} req/s, server cpu ${FK_CPU[$w]}%, non-2xx $non2xx"
done
echo "fangkong: database after the load $(du -sh "$DATA" | cut -f1) (reads append audit records)"
kill -TERM "$SERVER_PID"
rc=0
wait "$SERVER_PID" || rc=$?
[ "$rc" = 0 ] || say "warning: fangkong serve exited with $rc (see $RUN/serve.err)"
SERVER_PID=

# ---- SQLite, directly ------------------------------------------------------------------
declare -A SQ_P50 SQ_P99 SQ_RPS
if [ "${SKIP_SQLITE:-0}" != 1 ]; then
    say "building sqlite_ref"
    # shellcheck disable=SC2046
    cc -O2 -o "$RUN/sqlite_ref" "$HERE/sqlite_ref.c" $(pkg-config --cflags --libs sqlite3) -lpthread ||
        die "cannot build sqlite_ref (libsqlite3-dev)"
    for w in "${WORKLOADS[@]}"; do
        say "sqlite direct: $w"
        "$RUN/sqlite_ref" "$DB" "$w" "$RUN/values_$w.csv" "$WARMUP" "$(nproc)" >/dev/null
        read -r p50 p99 qps < <("$RUN/sqlite_ref" "$DB" "$w" "$RUN/values_$w.csv" "$DURATION" "$(nproc)")
        SQ_P50[$w]=$p50
        SQ_P99[$w]=$p99
        SQ_RPS[$w]=$qps
        say "  p50 $p50 us, p99 $p99 us, $qps q/s"
    done
fi

# ---- PostgreSQL ----------------------------------------------------------------------
if [ "${SKIP_PG:-0}" != 1 ]; then
    say "starting PostgreSQL ($PG_BIN) in $PG_DIR"
    pg_start
    PG_VERSION=$(pg_db -At -c "show server_version")
    say "loading $NPERSONS persons into PostgreSQL $PG_VERSION"
    pg_load "$RUN/persons.csv" >"$RUN/pg_load.log" 2>&1 || { cat "$RUN/pg_load.log" >&2; die "load failed"; }
    echo "postgresql: $PG_VERSION, $(pg_db -At -c "select count(*) from persons") persons, $(pg_db -At -c "select pg_size_pretty(pg_total_relation_size('persons'))") with indexes"
    for w in "${WORKLOADS[@]}"; do
        { echo "== $w"; pg_explain "$w" "$RUN"; } >>"$RUN/pg_explain.txt" 2>&1
        say "postgresql: $w"
        res=$(pg_run "$w" "$RUN" "$DURATION" "$CONNS" "$THREADS") || die "pgbench failed for $w"
        read -r p50 p99 tps <<<"$res"
        PG_P50[$w]=$p50
        PG_P99[$w]=$p99
        PG_RPS[$w]=$(printf '%.0f' "$tps")
        say "  p50 $p50 us, p99 $p99 us, ${PG_RPS[$w]} tx/s"
    done
    pg_stop
fi

# ---- results -------------------------------------------------------------------------
ms() { awk -v u="$1" 'BEGIN {v = u / 1000; if (v < 10) printf "%.2f", v; else printf "%.1f", v}'; }
echo
printf '%-16s %12s %12s %10s %9s' workload fk_p50_ms fk_p99_ms fk_req/s fk_cpu%
[ "${SKIP_PG:-0}" = 1 ] || printf ' %12s %12s %10s' pg_p50_ms pg_p99_ms pg_tx/s
[ "${SKIP_SQLITE:-0}" = 1 ] || printf ' %12s %12s' sq_p50_ms sq_p99_ms
echo
for w in "${WORKLOADS[@]}"; do
    printf '%-16s %12s %12s %10s %9s' "$w" "$(ms "${FK_P50[$w]}")" "$(ms "${FK_P99[$w]}")" "${FK_RPS[$w]}" "${FK_CPU[$w]}"
    [ "${SKIP_PG:-0}" = 1 ] || printf ' %12s %12s %10s' "$(ms "${PG_P50[$w]}")" "$(ms "${PG_P99[$w]}")" "${PG_RPS[$w]}"
    [ "${SKIP_SQLITE:-0}" = 1 ] || printf ' %12s %12s' "$(ms "${SQ_P50[$w]}")" "$(ms "${SQ_P99[$w]}")"
    echo
done
echo
echo "figure: registry_persons $NPERSONS persons"
for w in "${WORKLOADS[@]}"; do
    echo "figure: registry_${w}_p50 $(ms "${FK_P50[$w]}") ms"
    echo "figure: registry_${w}_p99 $(ms "${FK_P99[$w]}") ms"
    echo "figure: registry_${w}_rps ${FK_RPS[$w]} req/s"
done
if [ "${SKIP_SQLITE:-0}" != 1 ]; then
    for w in "${WORKLOADS[@]}"; do
        echo "figure: registry_${w}_p50_sqlite_direct $(ms "${SQ_P50[$w]}") ms"
        echo "figure: registry_${w}_p99_sqlite_direct $(ms "${SQ_P99[$w]}") ms"
        echo "figure: registry_${w}_rps_sqlite_direct ${SQ_RPS[$w]} q/s"
    done
fi
if [ "${SKIP_PG:-0}" != 1 ]; then
    for w in "${WORKLOADS[@]}"; do
        echo "figure: registry_${w}_p50_postgresql $(ms "${PG_P50[$w]}") ms"
        echo "figure: registry_${w}_p99_postgresql $(ms "${PG_P99[$w]}") ms"
        echo "figure: registry_${w}_rps_postgresql ${PG_RPS[$w]} tx/s"
    done
    for w in "${WORKLOADS[@]}"; do
        echo "ratio: registry_${w}_p99_vs_postgresql $(awk -v p="${PG_P99[$w]}" -v f="${FK_P99[$w]}" 'BEGIN {r = (f > 0 ? p / f : 0); printf (r >= 0.1 ? "%.2f" : "%.2g"), r}')"
    done
fi
