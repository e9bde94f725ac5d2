# bench/server.sh - `fangkong serve` started and stopped for a bench's run.sh (sourced:
# bench/codes, bench/registry, bench/testing). The sourcing script sets ROOT (the
# repository) and RUN (where serve.out and serve.err go) and defines die.
#   server_start BIN DATA [serve options...]   in the background from ROOT, on a free
#       loopback port; returns once it printed where it serves (SERVER_PID, URL), or dies
#       after 60 s or when it exits first.
#   server_stop   TERM and wait, when one runs; SERVER_PID emptied.
SERVER_PID=
URL=

server_start() {
    local bin=$1 data=$2
    shift 2
    (cd "$ROOT" && exec "$bin" serve --port 0 --data "$data" "$@" >"$RUN/serve.out" \
        2>"$RUN/serve.err") &
    SERVER_PID=$!
    URL=
    for _ in $(seq 1 600); do
        URL=$(sed -n 's|.*serving \(http://127\.0\.0\.1:[0-9]*\)/.*|\1|p' "$RUN/serve.out" | head -1)
        [ -n "$URL" ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$RUN/serve.err" >&2; die "fangkong serve exited"; }
        sleep 0.1
    done
    die "fangkong serve printed no URL in 60 s"
}

server_stop() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=
}
