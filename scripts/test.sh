#!/bin/sh
# `make test`: install what is missing, build the release and the sanitizer (ASan +
# UBSan) builds, run every unit test under both, the API tests against both servers
# and the browser test against the sanitizer server. Ends with one summary line.
cd "$(dirname "$0")/.."
sh scripts/deps.sh test || exit 1
sh scripts/npm.sh web || exit 1
sh scripts/npm.sh tests || exit 1
jobs=$(nproc)
for mode in release san; do
    make -j"$jobs" MODE=$mode all unit-bins >build-$mode.log 2>&1 || {
        cat build-$mode.log; echo "0 passed, 1 failed"; exit 1; }
done
rm -f build-release.log build-san.log

log=$(mktemp -d)
failed_steps=""
step() { # step NAME COMMAND...: run, keep its output, remember a failure
    name=$1; shift
    echo "== $name"
    "$@" >"$log/$name.out" 2>&1
    rc=$?
    cat "$log/$name.out"
    [ $rc -eq 0 ] || failed_steps="$failed_steps $name"
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for mode in release san; do
    for t in build/$mode/tests/test_*; do
        case $t in *.d) continue ;; esac
        step "unit-$mode-$(basename "$t")" "$t"
    done
done
# Two API test files at a time: each starts its own servers on free ports, and much of a
# file's time is waiting (fsync, sleeps until a deadline, process starts), so two files
# share the two cores of the CI machine well (147 s one at a time, measured 2026-12-02).
FANGKONG_BIN=build/release/fangkong step api-release node --test --test-concurrency=2 tests/api/
FANGKONG_BIN=build/san/fangkong step api-san node --test --test-concurrency=2 tests/api/
FANGKONG_BIN=build/san/fangkong step browser node --test --test-concurrency=1 tests/browser/

# Sum what the runners reported: cmocka's "[  PASSED  ] N test(s)." / "[  FAILED  ] N
# test(s)," and node's "# pass N" / "# fail N".
passed=$(cat "$log"/*.out | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p; s/^# pass \([0-9]*\)$/\1/p' |
    awk '{s+=$1} END {print s+0}')
failed=$(cat "$log"/*.out | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), .*/\1/p; s/^# fail \([0-9]*\)$/\1/p' |
    awk '{s+=$1} END {print s+0}')
rm -rf "$log"
if [ -n "$failed_steps" ]; then
    echo "failing steps:$failed_steps"
    [ "$failed" -eq 0 ] && failed=1
fi
echo "$passed passed, $failed failed"
[ -z "$failed_steps" ]
