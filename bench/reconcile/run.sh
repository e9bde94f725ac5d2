#!/bin/sh
# bench/reconcile/run.sh - time `fangkong testing reconcile` on one round holding every
# person of a demo city (PERSONS, default 200000), filled by fill.py with a known share
# of each anomaly. Generated data goes under bench/out/; timed runs hold /tmp/bench.lock.
set -eu
cd "$(dirname "$0")/../.."
PERSONS=${PERSONS:-200000}
DATA=bench/out/reconcile-$PERSONS
BIN=build/release/fangkong
[ -n "${SKIP_BUILD:-}" ] || make -j2 MODE=release >/dev/null
if [ ! -f "$DATA/.round" ]; then
    rm -rf "$DATA"
    flock /tmp/bench.lock $BIN demo --persons "$PERSONS" --seed 1 --days 0 --data "$DATA" >/dev/null
    python3 bench/reconcile/fill.py "$DATA/fangkong.db" 519901 > "$DATA/.round"
fi
ROUND=$(cat "$DATA/.round")
for i in 1 2 3; do
    start=$(date +%s.%N)
    flock /tmp/bench.lock $BIN testing reconcile --round "$ROUND" --data "$DATA" \
        --out "bench/out/reconcile-$PERSONS.csv" >/dev/null
    end=$(date +%s.%N)
    echo "figure: reconcile_${PERSONS}_run$i $(echo "$end - $start" | bc) s"
done
