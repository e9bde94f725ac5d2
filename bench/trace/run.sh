#!/usr/bin/env bash
# bench/trace/run.sh - contact discovery at city scale, fangkong vs DuckDB on the same
# records: time-space companions over phone presence (stays), venue contacts over
# venue-code check-ins, and the secondary contacts of every close contact.
#
# Generates (or reuses) a seeded city (gen.mjs), imports it with `fangkong import stays`
# and `fangkong import checkins` into a fresh data directory, runs `fangkong trace` for
# 100 seeded cases over a 7-day window ending at the last day (all cases in one
# invocation, one case alone, and all cases with --secondary), then loads the same CSV
# files into DuckDB and computes the same rows in SQL (duck.mjs). Checks that both give
# exactly the same rows, and prints figures and DuckDB/fangkong ratios. `--timing` splits
# fangkong's time into loading + indexing and querying: the query on a built (warm)
# index is what the server pays per discovery. `fangkong trace` keeps the index as a
# snapshot in the data directory (DATA/trace-GAP.snap) and maps it when it is current:
# the first run builds and saves it, the --secondary run maps it, the one-case run is
# made cold (snapshot removed) and then again from the snapshot. See bench/README.md. Everything it writes
# is under bench/out/trace/. Contacts nothing: no server, no network.
#
# Environment: PERSONS (100000), CELLS (2000), SEED (1), CASES (100), SKIP_BUILD=1,
# SKIP_DUCKDB=1, DUCKDB_THREADS (2), MIN_OVERLAP_S (600), DWELL_S (108000),
# LOOKBACK_DAYS (14) - the rule DuckDB applies; fangkong applies the policy in force, and
# the row check fails if the two differ.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/bench/out/trace
PERSONS=${PERSONS:-100000}
CELLS=${CELLS:-2000}
SEED=${SEED:-1}
NCASES=${CASES:-100}
BIN=$ROOT/build/release/fangkong
CITY=$OUT/city-$PERSONS-$CELLS-$SEED
RUN=$OUT/run
DATA=$RUN/data

say() { printf '[trace] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
trap 'exit 130' INT TERM

for tool in node awk sort cmp; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install -y time)"

rm -rf "$RUN"
mkdir -p "$RUN" "$CITY"

# ---- machine -------------------------------------------------------------------------
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
RAM_GIB=$(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
echo "machine: nproc $(nproc), cpu ${CPU_MODEL:-unknown}, ram ${RAM_GIB} GiB, kernel $(uname -r)"

# ---- build and data ------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    say "building fangkong (make MODE=release)"
    make -C "$ROOT" MODE=release >"$RUN/build.log" 2>&1 || { tail -30 "$RUN/build.log" >&2; die "build failed"; }
fi
[ -x "$BIN" ] || die "$BIN missing"

if [ -f "$CITY/.done-$NCASES" ] && [ -f "$CITY/stays-000.csv" ]; then
    say "reusing the stays in $CITY"
    cat "$CITY/gen.txt"
else
    say "generating $PERSONS persons over 14 days in $CITY"
    rm -f "$CITY"/.done-* "$CITY"/stays-*.csv
    t0=$(date +%s.%N)
    node "$HERE/gen.mjs" "$CITY" "$PERSONS" "$CELLS" "$SEED" "$NCASES" >"$CITY/gen.txt"
    t1=$(date +%s.%N)
    cat "$CITY/gen.txt"
    echo "gen: $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s" >&2
    touch "$CITY/.done-$NCASES"
fi
PARTS=("$CITY"/stays-*.csv)
NSTAYS=$(sed -n 's/.* rows \([0-9]*\) .*/\1/p' "$CITY/gen.txt")
read -r FROM TO <"$CITY/window.txt"
mapfile -t CASE_LIST <"$CITY/cases.txt"
CASE_ARGS=()
for c in "${CASE_LIST[@]}"; do CASE_ARGS+=(--case "$c"); done
echo "stays: $NSTAYS rows in ${#PARTS[@]} CSV files of $(du -ch "${PARTS[@]}" | tail -1 | cut -f1); cases ${#CASE_LIST[@]}; window [$FROM, $TO) = $(date -u -d "@$FROM" +%FT%TZ) .. $(date -u -d "@$TO" +%FT%TZ)"

# timed CMD...: runs CMD under /usr/bin/time -v, stdout to $TIMED_OUT; sets SECS and RSS_MB.
timed() {
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -v -o "$RUN/time.txt" "$@" >"$TIMED_OUT" 2>"$RUN/stderr.txt" ||
        { cat "$RUN/stderr.txt" >&2; die "failed: $*"; }
    t1=$(date +%s.%N)
    SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
    RSS_MB=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$RUN/time.txt")
    cat "$RUN/time.txt" >>"$RUN/time_all.txt"
}

# ---- fangkong --------------------------------------------------------------------------
# `fangkong import` takes files of at most 512 MiB: one invocation a part, in order.
FK_IMPORT=0 FK_IMPORT_RSS=0
for f in "${PARTS[@]}"; do
    say "fangkong import stays $(basename "$f")"
    TIMED_OUT=$RUN/import.out timed "$BIN" import stays "$f" --data "$DATA"
    echo "fangkong: import $(cat "$RUN/import.out") in $SECS s, peak RSS $RSS_MB MB"
    FK_IMPORT=$(awk -v a="$FK_IMPORT" -v b="$SECS" 'BEGIN {printf "%.3f", a + b}')
    [ "$RSS_MB" -gt "$FK_IMPORT_RSS" ] && FK_IMPORT_RSS=$RSS_MB
done
CPARTS=("$CITY"/checkins-*.csv)
NCHECKINS=0
for f in "${CPARTS[@]}"; do
    say "fangkong import checkins $(basename "$f")"
    TIMED_OUT=$RUN/import.out timed "$BIN" import checkins "$f" --data "$DATA"
    echo "fangkong: import $(cat "$RUN/import.out") in $SECS s, peak RSS $RSS_MB MB"
    FK_IMPORT=$(awk -v a="$FK_IMPORT" -v b="$SECS" 'BEGIN {printf "%.3f", a + b}')
    [ "$RSS_MB" -gt "$FK_IMPORT_RSS" ] && FK_IMPORT_RSS=$RSS_MB
    NCHECKINS=$((NCHECKINS + $(wc -l <"$f") - 1))
done
echo "fangkong: import of ${#PARTS[@]} stays files and $NCHECKINS check-ins in $FK_IMPORT s, peak RSS $FK_IMPORT_RSS MB, data $(du -sh "$DATA" | cut -f1)"

# timing_of KEY: a number from the `timing:` line trace --timing wrote to stderr.
timing_of() { awk -v k="$1" '/^timing:/ {for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' "$RUN/stderr.txt"; }

say "fangkong trace, ${#CASE_LIST[@]} cases in one invocation"
TIMED_OUT=$RUN/fangkong_rows.csv timed "$BIN" trace "${CASE_ARGS[@]}" --from "$FROM" --to "$TO" --format csv --data "$DATA" --timing
FK_Q=$SECS FK_Q_RSS=$RSS_MB
FK_BUILD=$(timing_of load_build_seconds) FK_WARM=$(timing_of query_seconds) FK_INDEX_MB=$(awk -v b="$(timing_of index_bytes)" 'BEGIN {printf "%.0f", b / 1048576}')
FK_SAVE=$(timing_of snapshot_save_seconds)
FK_ROWS=$(($(wc -l <"$RUN/fangkong_rows.csv") - 1))
echo "fangkong: trace ${#CASE_LIST[@]} cases in $FK_Q s, $FK_ROWS rows, peak RSS $FK_Q_RSS MB: load and index $FK_BUILD s (index $FK_INDEX_MB MB, $(timing_of index_from), snapshot saved in $FK_SAVE s), queries on the built index $FK_WARM s"

# The warm query is what the server pays per discovery. On these shared 2-core VMs one
# run can be a third slower than the next, so it is taken three times from the snapshot
# (whose query is the same as on a built index) and the median is the figure.
say "fangkong trace, ${#CASE_LIST[@]} cases, three more times from the snapshot (warm query)"
WARMS=()
for i in 1 2 3; do
    TIMED_OUT=$RUN/fangkong_rows_w.csv timed "$BIN" trace "${CASE_ARGS[@]}" --from "$FROM" --to "$TO" --format csv --data "$DATA" --timing
    cmp -s "$RUN/fangkong_rows.csv" "$RUN/fangkong_rows_w.csv" || die "warm run $i: different rows"
    WARMS+=("$(timing_of query_seconds)")
done
FK_WARM=$(printf '%s\n' "${WARMS[@]}" | sort -g | sed -n 2p)
echo "fangkong: warm queries of ${#CASE_LIST[@]} cases ${WARMS[*]} s (median $FK_WARM s, threads $(nproc))"

say "fangkong trace --secondary, ${#CASE_LIST[@]} cases"
TIMED_OUT=$RUN/fangkong_rows2.csv timed "$BIN" trace "${CASE_ARGS[@]}" --from "$FROM" --to "$TO" --format csv --data "$DATA" --timing --secondary
FK_Q2=$SECS FK_WARM2=$(timing_of query_seconds)
FK_ROWS2=$(($(wc -l <"$RUN/fangkong_rows2.csv") - 1))
FK_CLOSE=$(awk -F, 'NR > 1 && $7 == 1 && $3 != "companion" {print $1 FS $2}' "$RUN/fangkong_rows2.csv" | sort -u | wc -l)
echo "fangkong: trace --secondary ${#CASE_LIST[@]} cases in $FK_Q2 s, $FK_ROWS2 rows ($FK_CLOSE close contacts, each traced for its own contacts), index $(timing_of index_from), queries on it $FK_WARM2 s"

say "fangkong trace, one case, cold (no snapshot)"
rm -f "$DATA"/trace-*.snap
TIMED_OUT=$RUN/fangkong_rows_1.csv timed "$BIN" trace --case "${CASE_LIST[0]}" --from "$FROM" --to "$TO" --format csv --data "$DATA" --timing
FK_Q1=$SECS FK_Q1_RSS=$RSS_MB
echo "fangkong: trace 1 case in $FK_Q1 s, $(($(wc -l <"$RUN/fangkong_rows_1.csv") - 1)) rows, peak RSS $FK_Q1_RSS MB (the same load and build, index $(timing_of index_from), and the snapshot saved in $(timing_of snapshot_save_seconds) s)"

say "fangkong trace, one case, from the snapshot"
TIMED_OUT=$RUN/fangkong_rows_1s.csv timed "$BIN" trace --case "${CASE_LIST[0]}" --from "$FROM" --to "$TO" --format csv --data "$DATA" --timing
FK_Q1S=$SECS FK_Q1S_RSS=$RSS_MB
cmp -s "$RUN/fangkong_rows_1.csv" "$RUN/fangkong_rows_1s.csv" || die "one case: different rows from the snapshot"
echo "fangkong: trace 1 case in $FK_Q1S s, peak RSS $FK_Q1S_RSS MB (index $(timing_of index_from) in $(timing_of load_build_seconds) s; the same rows)"
FK_PER_CASE=$(awk -v a="$FK_Q" -v b="$FK_Q1" -v n="${#CASE_LIST[@]}" 'BEGIN {printf "%.4f", (n > 1 ? (a - b) / (n - 1) : 0)}')
echo "fangkong: estimated marginal seconds a case (100-case minus 1-case time, over 99): $FK_PER_CASE"

# ---- DuckDB ----------------------------------------------------------------------------
if [ "${SKIP_DUCKDB:-0}" != 1 ]; then
    if [ ! -d "$HERE/node_modules/@duckdb/node-api" ]; then
        say "npm ci in bench/trace (DuckDB)"
        (cd "$HERE" && npm ci --no-audit --no-fund >"$RUN/npm.log" 2>&1) || { cat "$RUN/npm.log" >&2; die "npm ci failed"; }
    fi
    export DUCKDB_THREADS=${DUCKDB_THREADS:-2}
    export CHECKINS="$CITY/checkins-*.csv"
    # DuckDB 1.5.6 with 2 threads has twice (of about eight runs) returned two companion
    # rows that break the dwell rule (neither side near 30 h in the cell) and that its
    # rerun did not give. So a difference is checked once more with a second DuckDB run;
    # the figures are those of the run that was compared equal, and a second difference
    # stops the bench.
    DK_RUNS=0
    for attempt in 1 2; do
        say "DuckDB: load and query (run $attempt)"
        TIMED_OUT=$RUN/duckdb.out timed node "$HERE/duck.mjs" "$CITY/stays-*.csv" "$CITY/cases.txt" "$FROM" "$TO" "$RUN" \
            "${MIN_OVERLAP_S:-600}" "${DWELL_S:-108000}" "${LOOKBACK_DAYS:-14}"
        DK_RSS=$RSS_MB DK_RUNS=$attempt
        cat "$RUN/duckdb.out"
        DK_LINE=$(sed -n 's/^duckdb: //p' "$RUN/duckdb.out")
        dk() { awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' <<<"$DK_LINE"; }
        DK_LOAD=$(dk load_seconds) DK_Q=$(dk query_seconds) DK_Q1=$(dk query1_seconds) DK_Q2=$(dk query2_seconds)
        echo "duckdb: process wall $SECS s (node start, load, both queries, writing rows), peak RSS $DK_RSS MB (node included)"

        # ---- check ---------------------------------------------------------------------
        for f in fangkong_rows duckdb_rows fangkong_rows2 duckdb_rows2; do
            tail -n +2 "$RUN/$f.csv" | LC_ALL=C sort >"$RUN/$f.sorted"
        done
        EQUAL=1
        for n in "" 2; do
            if cmp -s "$RUN/fangkong_rows$n.sorted" "$RUN/duckdb_rows$n.sorted"; then
                echo "check: equal rows$n $(wc -l <"$RUN/fangkong_rows$n.sorted")"
            else
                EQUAL=0
                echo "check: DIFFERENT rows$n (fangkong $(wc -l <"$RUN/fangkong_rows$n.sorted"), duckdb $(wc -l <"$RUN/duckdb_rows$n.sorted")); first differences (< fangkong, > duckdb):"
                diff "$RUN/fangkong_rows$n.sorted" "$RUN/duckdb_rows$n.sorted" | head -20 || true
            fi
        done
        [ "$EQUAL" = 1 ] && break
        [ "$attempt" = 2 ] && die "fangkong and DuckDB differ in two DuckDB runs"
    done
fi

# ---- results -------------------------------------------------------------------------
ratio() { awk -v p="$1" -v f="$2" 'BEGIN {r = (f > 0 ? p / f : 0); printf (r >= 0.1 ? "%.2f" : "%.2g"), r}'; }
echo
echo "figure: trace_persons $PERSONS persons"
echo "figure: trace_stays $NSTAYS rows"
echo "figure: trace_rows_100_cases $FK_ROWS rows"
echo "figure: trace_import_seconds $FK_IMPORT s"
echo "figure: trace_import_peak_rss_mb $FK_IMPORT_RSS MB"
echo "figure: trace_query_100_cases_seconds $FK_Q s"
echo "figure: trace_query_1_case_seconds $FK_Q1 s"
echo "figure: trace_query_marginal_case_seconds $FK_PER_CASE s"
echo "figure: trace_load_build_seconds $FK_BUILD s"
echo "figure: trace_snapshot_save_seconds $FK_SAVE s"
echo "figure: trace_query_1_case_snapshot_seconds $FK_Q1S s"
echo "figure: trace_warm_query_100_cases_seconds $FK_WARM s"
echo "figure: trace_warm_query_secondary_seconds $FK_WARM2 s"
echo "figure: trace_close_contacts_traced $FK_CLOSE contacts"
echo "figure: trace_rows_secondary $FK_ROWS2 rows"
echo "figure: trace_index_mb $FK_INDEX_MB MB"
RAW_MB=$(du -cm "${PARTS[@]}" "${CPARTS[@]}" | tail -1 | cut -f1)
echo "figure: trace_raw_csv_mb $RAW_MB MB"
echo "figure: trace_peak_rss_over_raw $(awk -v a="$FK_Q_RSS" -v b="$RAW_MB" 'BEGIN {printf "%.2f", a / b}') x"
echo "figure: trace_peak_rss_mb $FK_Q_RSS MB"
if [ "${SKIP_DUCKDB:-0}" != 1 ]; then
    echo "figure: duckdb_load_seconds $DK_LOAD s"
    echo "figure: duckdb_query_100_cases_seconds $DK_Q s"
    echo "figure: duckdb_query_1_case_seconds $DK_Q1 s"
    echo "figure: duckdb_query_secondary_seconds $DK_Q2 s"
    echo "figure: duckdb_peak_rss_mb $DK_RSS MB"
    echo "figure: duckdb_runs_until_equal $DK_RUNS runs"
    echo "ratio: trace_query_vs_duckdb $(ratio "$DK_Q" "$FK_Q")"
    echo "ratio: trace_query_1_case_vs_duckdb $(ratio "$DK_Q1" "$FK_Q1")"
    echo "ratio: trace_query_1_case_snapshot_vs_duckdb $(ratio "$DK_Q1" "$FK_Q1S")"
    echo "ratio: trace_warm_query_vs_duckdb $(ratio "$DK_Q" "$FK_WARM")"
    echo "ratio: trace_warm_secondary_vs_duckdb $(ratio "$DK_Q2" "$FK_WARM2")"
    echo "ratio: trace_total_vs_duckdb $(ratio "$(awk -v a="$DK_LOAD" -v b="$DK_Q" 'BEGIN {print a + b}')" \
        "$(awk -v a="$FK_IMPORT" -v b="$FK_Q" 'BEGIN {print a + b}')")"
fi
