#!/usr/bin/env bash
# bench/codes/run.sh - a gate's scan (GET /api/v1/codes/{token}) under load, fangkong vs
# nginx serving a static file of the same size; and how long a sealed zone takes to reach
# every resident's code.
#
# Builds fangkong, generates (or reuses) a demo city of $PERSONS persons, copies it into
# the run's directory, serves it on 127.0.0.1, collects $TOKENS tokens through the API as
# the command user, and drives the scan with wrk at each of $CONNS_LIST connections; starts
# nginx (Debian nginx-light, a private prefix under bench/out, no root needed) on another
# loopback port serving one scan's exact answer as a static JSON file, and drives it the
# same way. Then publishes a sealed zone over the most populous community (or its street)
# through the API,
# times the call, and checks every resident's code after the server stops (sqlite3).
# Prints req/s, p99 and CPU time a request (the server's processes, from /proc) per
# connection count and the ratios. See bench/README.md.
# Everything it writes is under bench/out/.
#
# Environment: PERSONS (100000, the demo's), TOKENS (3000), CONNS_LIST ("16 64 256"),
# THREADS (wrk threads, 2), DURATION seconds a measured run (10), WARMUP (3),
# FANGKONG_THREADS (server default), NGINX_WORKERS (auto: one per core), SEAL_UNIT
# (community, or street: the street of that community), SKIP_BUILD=1, SKIP_SEAL=1,
# FANGKONG_BIN (another binary to measure, e.g. a copy of main's: SKIP_BUILD=1 with it).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/bench/out
PERSONS=${PERSONS:-100000}
TOKENS=${TOKENS:-3000}
CONNS_LIST=${CONNS_LIST:-16 64 256}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
SEAL_UNIT=${SEAL_UNIT:-community}
case $SEAL_UNIT in community | street) ;; *) echo "SEAL_UNIT is community or street" >&2; exit 2 ;; esac
BIN=${FANGKONG_BIN:-$ROOT/build/release/fangkong}
CITY=$OUT/codes-city-$PERSONS
RUN=$OUT/codes-run
DATA=$RUN/data
NGX=$RUN/nginx

# shellcheck source=../server.sh
source "$HERE/../server.sh"
NGINX_PID=
stop_server() { server_stop; }
stop_nginx() {
    if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
        kill -QUIT "$NGINX_PID" 2>/dev/null || true
        wait "$NGINX_PID" 2>/dev/null || true
    fi
    NGINX_PID=
}
cleanup() { stop_server; stop_nginx; }
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '[codes] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

for tool in wrk node sqlite3 awk python3; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y wrk sqlite3)"
done
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX_BIN" ] || die "nginx not found (apt-get install -y nginx-light)"

rm -rf "$RUN"
mkdir -p "$RUN" "$NGX/logs" "$NGX/html" "$NGX/tmp"

CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
RAM_GIB=$(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
echo "machine: nproc $(nproc), cpu ${CPU_MODEL:-unknown}, ram ${RAM_GIB} GiB, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "load: wrk ${THREADS} threads, connections ${CONNS_LIST}, ${DURATION} s measured after ${WARMUP} s warm-up, on the same machine as the servers"

# ---- build and data ------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    say "building fangkong (make MODE=release)"
    make -C "$ROOT" MODE=release >"$RUN/build.log" 2>&1 || { tail -30 "$RUN/build.log" >&2; die "build failed"; }
fi
[ -x "$BIN" ] || die "$BIN missing"

# The city is generated once per size and copied for each run: the run publishes a zone.
if [ -f "$CITY/.bench-persons" ] && [ "$(cat "$CITY/.bench-persons")" = "$PERSONS" ] &&
    [ "$(cat "$CITY/.bench-binary" 2>/dev/null)" = "$(stat -c %Y "$BIN")" ]; then
    say "reusing the city in $CITY"
else
    say "generating a city of $PERSONS persons in $CITY"
    rm -rf "$CITY"
    t0=$(date +%s.%N)
    "$BIN" demo --persons "$PERSONS" --seed 1 --data "$CITY" >"$RUN/demo.log" 2>&1 ||
        { tail -20 "$RUN/demo.log" >&2; die "demo failed"; }
    t1=$(date +%s.%N)
    echo "$PERSONS" >"$CITY/.bench-persons"
    stat -c %Y "$BIN" >"$CITY/.bench-binary"
    echo "demo: generated $PERSONS persons in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s"
fi
cp -a "$CITY" "$DATA"

# ---- fangkong --------------------------------------------------------------------------
start_server() {
    server_start "$BIN" "$DATA" --sweep-interval 0 ${FANGKONG_THREADS:+--threads "$FANGKONG_THREADS"}
}
say "starting fangkong serve"
start_server
say "fangkong at $URL (pid $SERVER_PID)"

# Tokens expire (the policy's health_code.token_valid_s, 300 s in v9): they are collected
# again before a measurement that would outlive them.
collect_tokens() {
    node "$HERE/tokens.mjs" "$URL" "$RUN" "$TOKENS" >"$RUN/tokens.log" 2>&1 || { cat "$RUN/tokens.log" >&2; die "token collection failed"; }
    NTOK=$(awk '{print $2}' "$RUN/tokens.txt")
    VALID_MIN=$(awk '{print $4}' "$RUN/tokens.txt")
}
say "collecting $TOKENS tokens through the API"
t0=$(date +%s.%N)
collect_tokens
t1=$(date +%s.%N)
BODY_BYTES=$(awk '{print $6}' "$RUN/tokens.txt")
COLORS=$(sed -n 's/.* colors //p' "$RUN/tokens.txt")
echo "tokens: $NTOK in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s through the API, one answer $BODY_BYTES bytes, colours $COLORS, valid for $((VALID_MIN - $(date +%s))) s"

# ---- nginx ------------------------------------------------------------------------------
cp "$RUN/code.json" "$NGX/html/code.json"
echo /code.json >"$RUN/paths_nginx.txt"
NGINX_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
USER_LINE=
[ "$(id -u)" = 0 ] && USER_LINE="user root;"
cat >"$NGX/nginx.conf" <<EOF
# private nginx for bench/codes: one static JSON file on 127.0.0.1:$NGINX_PORT
$USER_LINE
worker_processes $NGINX_WORKERS;
daemon off;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    open_file_cache max=64 inactive=60s;
    open_file_cache_valid 60s;
    client_body_temp_path $NGX/tmp/body;
    proxy_temp_path $NGX/tmp/proxy;
    fastcgi_temp_path $NGX/tmp/fastcgi;
    uwsgi_temp_path $NGX/tmp/uwsgi;
    scgi_temp_path $NGX/tmp/scgi;
    types { application/json json; }
    default_type application/json;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $NGX/html;
        add_header Cache-Control no-store;
    }
}
EOF
"$NGINX_BIN" -p "$NGX" -e "$NGX/logs/error.log" -c "$NGX/nginx.conf" >"$NGX/logs/stdout.log" 2>&1 &
NGINX_PID=$!
NGINX_URL=http://127.0.0.1:$NGINX_PORT
for _ in $(seq 1 100); do
    curl -sf -o /dev/null "$NGINX_URL/code.json" 2>/dev/null && break
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$NGX/logs/error.log" "$NGX/logs/stdout.log" >&2; die "nginx exited"; }
    sleep 0.1
done
cmp -s <(curl -s "$NGINX_URL/code.json") "$RUN/code.json" || die "nginx does not serve the answer file"
echo "nginx: $("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //'), $NGINX_WORKERS workers, at $NGINX_URL (pid $NGINX_PID)"

# ---- load -------------------------------------------------------------------------------
wrk_run() { # URL PATHS CONNS SECONDS
    wrk -t "$THREADS" -c "$3" -d "${4}s" --timeout 30s --latency -s "$HERE/wrk.lua" "$1" -- "$2"
}
declare -A RPS P50 P99 CPU
# CPU seconds (user + system) the processes named so far have used, from /proc: a cost
# per request that, unlike a latency, holds on a machine busy with other work.
cpu_ticks() { # PID...
    local t=0 p
    for p in "$@"; do
        [ -r "/proc/$p/stat" ] && t=$((t + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
    done
    echo "$t"
}
measure() { # NAME URL PATHS CONNS PID...
    local name=$1 url=$2 paths=$3 c=$4 f="$RUN/wrk_${1}_c${4}.out" t0 t1
    shift 4
    wrk_run "$url" "$paths" "$c" "$WARMUP" >"$RUN/wrk_${name}_c${c}_warmup.out" 2>&1
    t0=$(cpu_ticks "$@")
    wrk_run "$url" "$paths" "$c" "$DURATION" >"$f" 2>&1
    t1=$(cpu_ticks "$@")
    local p50 p99 reqs dur_us non2xx sockerr
    read -r p50 p99 reqs dur_us non2xx sockerr < <(sed -n 's/^WRKRESULT //p' "$f")
    [ -n "${reqs:-}" ] || { cat "$f" >&2; die "wrk printed no result for $name c$c"; }
    [ "$non2xx" = 0 ] || say "warning: $name c$c: $non2xx responses were not 2xx"
    [ "$sockerr" = 0 ] || say "warning: $name c$c: $sockerr socket errors or timeouts"
    RPS[$name.$c]=$(awk -v r="$reqs" -v d="$dur_us" 'BEGIN {printf "%.0f", r / (d / 1e6)}')
    P50[$name.$c]=$p50
    P99[$name.$c]=$p99
    CPU[$name.$c]=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v r="$reqs" 'BEGIN {printf "%.1f", (r > 0 ? t / hz * 1e6 / r : 0)}')
    say "  $name c$c: ${RPS[$name.$c]} req/s, p50 $p50 us, p99 $p99 us, non-2xx $non2xx, ${CPU[$name.$c]} us CPU a request"
}
for c in $CONNS_LIST; do
    say "connections $c"
    if [ $((VALID_MIN - $(date +%s))) -lt $((WARMUP + DURATION + 15)) ]; then
        say "  tokens expire within the next run: collecting them again"
        collect_tokens
    fi
    measure fangkong "$URL" "$RUN/paths_codes.txt" "$c" "$SERVER_PID"
    measure nginx "$NGINX_URL" "$RUN/paths_nginx.txt" "$c" $(pgrep -P "$NGINX_PID")
done
stop_nginx

# ---- a sealed zone reaching every code ----------------------------------------------------
SEAL=
if [ "${SKIP_SEAL:-0}" != 1 ]; then
    if curl -sf "$URL/api/v1/openapi.json" | grep -q '/api/v1/zones/{id}/publish'; then
        # the most populous community, preferably under no live zone yet (the demo publishes
        # zones over its outbreak); a resident with a household becomes the case, another
        # one (no case) is the probe whose code is read before and after
        read -r COMMUNITY CASE_PERSON PROBE < <(sqlite3 -separator ' ' "$DATA/fangkong.db" "
            with c as (select p.community_code from persons p where p.household_id is not null
                       group by p.community_code
                       order by exists (select 1 from zones z where z.status in ('proposed', 'published')
                           and (z.area_code like p.community_code || '%' or p.community_code like z.area_code || '%')),
                           count(*) desc limit 1)
            select (select community_code from c),
                   (select min(id) from persons where community_code = (select community_code from c)
                        and household_id is not null and id not in (select person_id from cases)),
                   (select max(id) from persons where community_code = (select community_code from c)
                        and household_id is not null and id not in (select person_id from cases))")
        UNIT_CODE=$COMMUNITY
        [ "$SEAL_UNIT" = street ] && UNIT_CODE=${COMMUNITY:0:9}
        say "sealing $SEAL_UNIT $UNIT_CODE (case: person $CASE_PERSON, probe: person $PROBE)"
        if node "$HERE/seal.mjs" "$URL" "$RUN" "$SEAL_UNIT" "$UNIT_CODE" "$CASE_PERSON" "$PROBE" >"$RUN/seal.log" 2>&1; then SEAL=1; else
            cat "$RUN/seal.log" >&2
            say "warning: the sealed-zone measurement failed (see $RUN/seal.log)"
        fi
    else
        say "no zone publishing in this build: the sealed-zone measurement is left out"
    fi
fi
stop_server
if [ -n "$SEAL" ]; then
    # shellcheck disable=SC1091
    source "$RUN/seal.env" # ZONE_ID UNIT_KIND UNIT_CODE T0 PUBLISH_MS ZONE_COLOUR PROBE_BEFORE
    sed 's/^/seal: /' "$RUN/seal.log"
    DB=$DATA/fangkong.db
    sqlite3 "$DB" "select count(*) from zone_persons where zone_id = $ZONE_ID" >"$RUN/seal_residents.txt"
    RESIDENTS=$(cat "$RUN/seal_residents.txt")
    # a resident is reached when the latest log row of their code is at or after the
    # publishing call began (a new colour or the zone's rule), or when their code was
    # already at least as strict (a case stays red: nothing to change)
    REACHED=$(sqlite3 "$DB" "select count(*) from zone_persons z join health_codes h on h.person_id = z.person_id
        join code_changes c on c.id = h.change_id where z.zone_id = $ZONE_ID and c.at >= $T0")
    STRICTER=$(sqlite3 "$DB" "select count(*) from zone_persons z join health_codes h on h.person_id = z.person_id
        join code_changes c on c.id = h.change_id where z.zone_id = $ZONE_ID and c.at < $T0
        and (h.colour = 'red' or h.colour = '$ZONE_COLOUR')")
    LOGGED=$(sqlite3 "$DB" "select count(*) from code_changes where at >= $T0")
    echo "seal: zone $ZONE_ID over $UNIT_KIND $UNIT_CODE: $RESIDENTS residents; publishing took $PUBLISH_MS ms through the API;" \
        "codes changed $REACHED, already $ZONE_COLOUR or stricter $STRICTER, not reached $((RESIDENTS - REACHED - STRICTER)); colour log rows written $LOGGED"
fi

# ---- results --------------------------------------------------------------------------
ms() { awk -v u="$1" 'BEGIN {v = u / 1000; if (v < 10) printf "%.2f", v; else printf "%.1f", v}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {r = (b > 0 ? a / b : 0); printf (r >= 0.1 ? "%.2f" : "%.2g"), r}'; }
echo
printf '%-6s %12s %12s %12s %12s %12s %12s %8s %10s %10s\n' conns fk_req/s fk_p50_ms fk_p99_ms ngx_req/s ngx_p50_ms ngx_p99_ms fk/ngx fk_cpu_us ngx_cpu_us
for c in $CONNS_LIST; do
    printf '%-6s %12s %12s %12s %12s %12s %12s %8s %10s %10s\n' "$c" "${RPS[fangkong.$c]}" "$(ms "${P50[fangkong.$c]}")" \
        "$(ms "${P99[fangkong.$c]}")" "${RPS[nginx.$c]}" "$(ms "${P50[nginx.$c]}")" "$(ms "${P99[nginx.$c]}")" \
        "$(ratio "${RPS[fangkong.$c]}" "${RPS[nginx.$c]}")" "${CPU[fangkong.$c]}" "${CPU[nginx.$c]}"
done
echo
echo "figure: codes_persons $PERSONS persons"
echo "figure: codes_tokens $NTOK tokens"
echo "figure: codes_answer_bytes $BODY_BYTES bytes"
for c in $CONNS_LIST; do
    echo "figure: codes_scan_rps_c$c ${RPS[fangkong.$c]} req/s"
    echo "figure: codes_scan_p50_c$c $(ms "${P50[fangkong.$c]}") ms"
    echo "figure: codes_scan_p99_c$c $(ms "${P99[fangkong.$c]}") ms"
    echo "figure: codes_nginx_rps_c$c ${RPS[nginx.$c]} req/s"
    echo "figure: codes_nginx_p99_c$c $(ms "${P99[nginx.$c]}") ms"
    echo "figure: codes_scan_cpu_c$c ${CPU[fangkong.$c]} us"
    echo "figure: codes_nginx_cpu_c$c ${CPU[nginx.$c]} us"
done
if [ -n "$SEAL" ]; then
    echo "figure: codes_seal_residents $RESIDENTS persons"
    echo "figure: codes_seal_publish $PUBLISH_MS ms"
    echo "figure: codes_seal_changed $REACHED persons"
    echo "figure: codes_seal_not_reached $((RESIDENTS - REACHED - STRICTER)) persons"
fi
for c in $CONNS_LIST; do
    echo "ratio: codes_scan_rps_vs_nginx_c$c $(ratio "${RPS[fangkong.$c]}" "${RPS[nginx.$c]}")"
    echo "ratio: codes_scan_p99_vs_nginx_c$c $(ratio "${P99[nginx.$c]}" "${P99[fangkong.$c]}")"
done
