#!/usr/bin/env bash
# bench/testing/floor.sh - the floor of the scans import under a storage without a
# per-person B-tree entry (floor.c says what it measures and what it leaves out), beside
# the sqlite3 shell's bare `.import` of the same file, in turns under the bench lock.
# Needs a run of `KEEP=1 bench/testing/run.sh` first (its before_scans.db and scans.csv).
#   RUNS=2 (each variant, each a fresh copy of the store); VARIANTS overrides the list.
# Ends with the best wall of each variant and of .import (figure:) and .import's time over
# each variant's (ratio:, above 1: the variant's floor beats .import).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUN=$ROOT/bench/out/testing-run
OUT=$ROOT/bench/out/testing-floor
LOCK=${BENCH_LOCK:-/tmp/bench.lock}
RUNS=${RUNS:-2}
DEFAULT_VARIANTS="members=blob chunks=dense|members=blob chunks=sparse"
DEFAULT_VARIANTS+="|members=rows chunks=sparse|members=blob chunks=dense serial"
VARIANTS=${VARIANTS:-$DEFAULT_VARIANTS}

if [ ! -f "$RUN/before_scans.db" ] || [ ! -f "$RUN/scans.csv" ]; then
    echo "floor: run KEEP=1 bench/testing/run.sh first" >&2
    exit 1
fi
mkdir -p "$OUT"
# shellcheck disable=SC2046
cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$OUT/floor" "$HERE/floor.c" \
    $(pkg-config --cflags --libs sqlite3) -lpthread

# timed NAME CMD...: runs CMD under the lock, prints its wall and CPU, and keeps the best
# wall of NAME (the figures at the end: the quietest run of each is the floor's estimate).
declare -A best
timed() {
    local name=$1
    shift
    flock "$LOCK" /usr/bin/time -o "$OUT/time" -f "%e %U %S" "$@"
    read -r w u s <"$OUT/time"
    echo "process: $w s wall, $u s user, $s s sys"
    if [ -z "${best[$name]:-}" ] || awk -v a="$w" -v b="${best[$name]}" 'BEGIN{exit !(a<b)}'; then
        best[$name]=$w
    fi
}

IFS='|' read -r -a variants <<<"$VARIANTS"
for ((i = 1; i <= RUNS; i++)); do
    for v in "${variants[@]}"; do
        cp "$RUN/before_scans.db" "$OUT/store.db"
        rm -f "$OUT/store.db-wal" "$OUT/store.db-shm"
        echo "== $v (run $i)"
        # shellcheck disable=SC2086
        timed "$v" "$OUT/floor" "$OUT/store.db" "$RUN/scans.csv" $v
    done
    rm -f "$OUT/peer.db"
    echo "== sqlite3 .import (run $i)"
    timed peer sqlite3 "$OUT/peer.db" ".import --csv $RUN/scans.csv scans"
done
rm -f "$OUT/store.db" "$OUT/store.db-wal" "$OUT/store.db-shm" "$OUT/peer.db" "$OUT/time"

echo "figure: peer_import_scans_s ${best[peer]} s"
for v in "${variants[@]}"; do
    key=$(echo "$v" | tr ' =' '_-')
    echo "figure: floor_${key}_s ${best[$v]} s"
done
for v in "${variants[@]}"; do
    key=$(echo "$v" | tr ' =' '_-')
    awk -v p="${best[peer]}" -v f="${best[$v]}" -v k="$key" \
        'BEGIN { printf "ratio: floor_%s %.2f\n", k, p / f }'
done
