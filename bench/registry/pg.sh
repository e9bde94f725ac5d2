# shellcheck shell=bash disable=SC2120,SC2119
# pg.sh - the PostgreSQL peer of bench/registry (sourced by run.sh, bash).
#
# A private cluster in $PG_DIR, listening only on a unix socket in $PG_SOCK (no TCP),
# started as the `postgres` user when we are root (root cannot run postgres).
# Functions: pg_start, pg_stop, pg_load CSV, pg_explain WORKLOAD DIR, pg_run WORKLOAD DIR ...

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PG_PORT=${PG_PORT:-54329}
PG_STARTED=0

pg_as_owner() { # run a command as the cluster owner
    if [ "$(id -u)" = 0 ]; then
        su postgres -s /bin/sh -c "$*"
    else
        sh -c "$*"
    fi
}

pg_start() {
    rm -rf "$PG_DIR" "$PG_SOCK"
    mkdir -p "$PG_DIR" "$PG_SOCK"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$PG_DIR" "$PG_SOCK"; fi
    pg_as_owner "'$PG_BIN/initdb' -D '$PG_DIR' -U postgres --auth=trust --encoding=UTF8 --locale=C -N" >"$PG_LOG_DIR/initdb.log" 2>&1 ||
        { cat "$PG_LOG_DIR/initdb.log" >&2; return 1; }
    # Reads only; sized for the 24 GiB machine. listen_addresses='' = unix socket only.
    cat >>"$PG_DIR/postgresql.conf" <<EOF
listen_addresses = ''
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
max_connections = 64
shared_buffers = 2GB
effective_cache_size = 8GB
maintenance_work_mem = 1GB
work_mem = 16MB
jit = off
# The data is in memory (SSD-era advice). With the default 4, a community's first page
# walks the primary key and filters (tens of ms): the planner assumes a community's
# persons are spread evenly over the ids, where the demo city has them in runs.
random_page_cost = 1.1
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 8GB
autovacuum = off
EOF
    pg_as_owner "'$PG_BIN/pg_ctl' -D '$PG_DIR' -l '$PG_DIR/server.log' -w -t 60 start" >/dev/null ||
        { cat "$PG_DIR/server.log" >&2; return 1; }
    PG_STARTED=1
    pg_psql -c "create database bench" >/dev/null
}

pg_stop() {
    if [ "$PG_STARTED" = 1 ]; then
        pg_as_owner "'$PG_BIN/pg_ctl' -D '$PG_DIR' -m fast -w stop" >/dev/null 2>&1 || true
        PG_STARTED=0
    fi
}

pg_psql() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres "$@"; }
pg_db() { pg_psql -d bench "$@"; }

# pg_load CSV: the persons table, from a CSV with a header row (the SQLite persons table
# as `sqlite3 -header -csv` prints it). Integer columns become bigint, the rest text.
# Indexes: those fangkong's SQLite schema has on persons (0001_init.sql; not the
# household one, which no workload here uses), in C collation so
# a btree answers prefix (LIKE 'x%') searches.
pg_load() {
    local csv=$1 header cols="" c
    header=$(head -1 "$csv" | tr -d '\r' | sed 's/^\xEF\xBB\xBF//')
    IFS=, read -ra names <<<"$header"
    for c in "${names[@]}"; do
        c=${c//\"/}
        case $c in
        id | household_id | flags | created_at | updated_at | version) cols+="${cols:+, }\"$c\" bigint" ;;
        *) cols+="${cols:+, }\"$c\" text" ;;
        esac
    done
    pg_db <<EOF
create table persons ($cols);
\\copy persons from '$csv' with (format csv, header true)
alter table persons add primary key (id);
alter table persons add unique (id_type, id_number);
create index persons_community on persons (community_code, id);
create index persons_id_number on persons (id_number);
create index persons_name on persons (name);
create index persons_phone on persons (phone);
vacuum analyze persons;
EOF
}

# The pgbench script of a workload for one value: what fangkong does for one request,
# a count (the `total` of the reply) and a page of 50 ordered by id, or one row by id.
# pgbench has no string variables, so each sampled value gets its own script file with
# the value as a literal (pgbench takes at most 128 scripts and picks one at random per
# transaction; sample.mjs keeps 128 values a workload, and fangkong gets the same ones).
# Literals let the planner see the value, as a client that inlines or binds it would.
pg_script() {
    local w=$1 v=${2//\'/\'\'} pred
    case $w in
    list_community) pred="p.community_code = '$v'" ;;
    search_id | search_name | search_phone)
        pred="(p.name like '$v%' or p.id_number like '$v%' or p.phone like '$v%')" ;;
    get_person) pred="p.id = $v" ;;
    esac
    if [ "$w" != get_person ]; then
        echo "select count(*) from persons p where $pred;"
        echo "select p.* from persons p where $pred order by p.id limit 50;"
    else
        echo "select p.* from persons p where $pred;"
    fi
}

# The values of a workload, one a line (values_<w>.csv is "i,value"; values hold no
# comma, quote or newline: codes, ID numbers, names, phones, ids).
pg_values() { cut -d, -f2- "$1/values_$2.csv" | tr -d '"\r'; }

# pg_explain WORKLOAD DIR: the plans for the first sampled value, for the log.
pg_explain() {
    pg_script "$1" "$(pg_values "$2" "$1" | head -1)" |
        sed 's/^select/explain (analyze, costs off) select/' | pg_db
}

# pg_run WORKLOAD DIR DURATION CONNS THREADS -> prints "p50_us p99_us tps"
pg_run() {
    local w=$1 dir=$2 dur=$3 conns=$4 threads=$5 k=0 v
    local sdir="$dir/pg_$w" args=()
    rm -rf "$sdir" && mkdir -p "$sdir"
    while IFS= read -r v; do
        k=$((k + 1))
        [ $k -le 128 ] || break
        pg_script "$w" "$v" >"$sdir/$k.sql"
        args+=(-f "$sdir/$k.sql@1")
    done < <(pg_values "$dir" "$w")
    local pgb=("$PG_BIN/pgbench" -h "$PG_SOCK" -p "$PG_PORT" -U postgres -n -M prepared
        -c "$conns" -j "$threads" "${args[@]}")
    "${pgb[@]}" -T "${WARMUP:-3}" bench >/dev/null 2>&1 # warm-up, unlogged
    rm -f "$dir"/pglog_"$w".*
    "${pgb[@]}" -T "$dur" --log --log-prefix="$dir/pglog_$w" bench >"$dir/pgbench_$w.out" 2>&1 ||
        { cat "$dir/pgbench_$w.out" >&2; return 1; }
    local tps
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$dir/pgbench_$w.out" | head -1)
    # Per-transaction latency in microseconds is the third field of every log line.
    cat "$dir"/pglog_"$w".* | awk '{print $3}' | sort -n |
        awk -v tps="$tps" '{a[NR]=$1} END {
            if (NR == 0) { print "0 0 0"; exit 1 }
            i50 = int(0.50 * NR); if (i50 < 0.50 * NR) i50++
            i99 = int(0.99 * NR); if (i99 < 0.99 * NR) i99++
            printf "%d %d %s\n", a[i50], a[i99], tps }'
    rm -f "$dir"/pglog_"$w".*
}
