/*
 * floor.c - the floor of `fangkong import scans` under a storage without a per-person
 * B-tree entry (issue 5, bench/README.md "testing"): what the import would cost at best
 * if a tube's members were kept with the tube and "was this person scanned in this
 * round" were a per-round chunk of slots. A measurement, not the product: it writes
 * tables of its own into a copy of the store (bench/testing/floor.sh makes the copy
 * with KEEP=1's before_scans.db) and does less than the import does (no pool groups,
 * no error list, no audit), so what it prints is a lower bound.
 *
 *   floor STORE.db SCANS.csv [members=blob|rows] [chunks=dense|sparse] [key=chunk] [serial]
 *
 * members=blob  one row per tube: (tube_id PK, round_id, members BLOB of (person id,
 *               scanned_at) int64 pairs in place order, scanned_by);
 * members=rows  a narrow rowid table: id = tube * 128 + place, person_id, scanned_at,
 *               scanned_by, no other index;
 * chunks=dense  (round_id, chunk) WITHOUT ROWID -> 1,024 uint32 slots (person id % 1024:
 *               the member id, tube * 128 + place, or 0);
 * chunks=sparse the same key -> only the occupied (slot, member id) uint32 pairs;
 * key=chunk     the chunks keyed (chunk, round_id) instead: a person's chunks of every
 *               round are one range;
 * serial        the residents read before the file is parsed (else on a second thread
 *               while the main one parses).
 * Phases (wall, from the start) and the process's CPU (user + system) are printed; then
 * the reads the design changes: a round's chunks into a bitmap and the coverage walk of
 * the persons' index against it, and person -> member lookups (the health code's
 * last-negative read on a miss: a chunk per round, then the tube's row).
 * Single file; each connection used by one thread.
 *
 * What it showed (2026-12-01, scans4; 1,000,000 persons, 970,001 scans, the shared
 * 2-core VM under load 3-5): one row per tube writes in 0.45-0.5 s (rows 0.25, commit
 * 0.2), the narrow rowid table in 1.0-1.1 s; the residents' read is the longest phase
 * (0.7-0.9 s serial on a quiet moment, slower on the second thread beside the parse),
 * then parse 0.2-0.4, resolve 0.16-0.28; the whole at 1.5-2.1 s wall in the quieter
 * runs (up to 4.9 s under load 5) and 1.6-2.6 s of CPU, against `.import`'s 1.0-1.9 s
 * wall (up to 3.2 s) and 0.9-1.6 s of CPU in the same windows.
 * Perfect overlap of the phases would still leave about 0.9 s: not clearly below
 * `.import`, so the storage was not changed. Reads: the city's coverage from the
 * chunks 0.27-0.38 s of CPU; a person's lookup 29-42 us of CPU keyed (round, chunk) (a
 * seek a round, ten rounds), 13-17 us keyed (chunk, round), against 11-16 us through
 * UNIQUE(person_id, round_id) (the sqlite3 shell, same store, same persons).
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#define SLOTS 1024
#define MAX_ROUNDS 64
#define LOOKUPS 20000

static double wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static void die(const char *what, sqlite3 *db)
{
    fprintf(stderr, "floor: %s%s%s\n", what, db ? ": " : "", db ? sqlite3_errmsg(db) : "");
    exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        die("out of memory", NULL);
    return p;
}

/* ---- an open-addressing map, 64-bit key -> non-zero 32-bit value ------------------------- */

typedef struct map {
    uint64_t *k;
    uint32_t *v;
    size_t cap;
} map;

static void map_init(map *m, size_t n)
{
    for (m->cap = 1024; m->cap < n * 2; m->cap <<= 1)
        ;
    m->k = xcalloc(m->cap, sizeof *m->k);
    m->v = xcalloc(m->cap, sizeof *m->v);
}

static size_t map_home(const map *m, uint64_t k)
{
    k = (k ^ (k >> 30)) * 0xBF58476D1CE4E5B9ull;
    k = (k ^ (k >> 27)) * 0x94D049BB133111EBull;
    return (size_t)(k ^ (k >> 31)) & (m->cap - 1);
}

static void map_put(map *m, uint64_t k, uint32_t v)
{
    size_t i = map_home(m, k);
    while (m->v[i] && m->k[i] != k)
        i = (i + 1) & (m->cap - 1);
    m->k[i] = k;
    m->v[i] = v;
}

static uint32_t map_get(const map *m, uint64_t k)
{
    for (size_t i = map_home(m, k); m->v[i]; i = (i + 1) & (m->cap - 1))
        if (m->k[i] == k)
            return m->v[i];
    return 0;
}

static uint64_t str_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* ---- options and the store ------------------------------------------------------------- */

typedef struct opts {
    const char *db, *csv;
    int rows_members, sparse, serial, chunk_first;
} opts;

static sqlite3 *open_db(const char *path, int readonly)
{
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE,
                        NULL) != SQLITE_OK)
        die("open", db);
    /* the store's settings (store_sqlite.c; the copy is in WAL mode already); the reads
     * mapped, as the sweeps' */
    sqlite3_busy_timeout(db, 10000);
    if (sqlite3_exec(db, "PRAGMA synchronous=FULL; PRAGMA cache_size=-65536; "
                     "PRAGMA mmap_size=4294967296", 0, 0, 0))
        die("pragmas", db);
    return db;
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        die(sql, db);
    return q;
}

static void step_done(sqlite3 *db, sqlite3_stmt *q)
{
    if (sqlite3_step(q) != SQLITE_DONE)
        die("step", db);
    sqlite3_reset(q);
}

/* ---- the residents: ID number -> person, person -> community ----------------------------- */

typedef struct residents {
    const char *path;
    map by_idn;           /* 17 digits + 1 -> index + 1 into id */
    int64_t *id, max_id;
    size_t n;
    uint16_t *comm_of;    /* person id -> index into comm */
    char (*comm)[16];
    size_t ncomm;
    double secs;
} residents;

static uint64_t idn_key(const char *s)
{
    uint64_t k = 0;
    for (int i = 0; i < 17; i++)
        k = k * 10 + (uint64_t)(s[i] - '0');
    return k + 1;
}

/* Both reads index-only (the ID-number index, then the community index): the table in
 * order costs twice as much (bench/README.md). */
static void *residents_read(void *arg)
{
    residents *r = arg;
    double t0 = wall();
    sqlite3 *db = open_db(r->path, 1);
    sqlite3_stmt *q = prep(db, "SELECT max(id) FROM persons"); /* the table's last row */
    sqlite3_step(q);
    r->max_id = sqlite3_column_int64(q, 0);
    size_t cap = (size_t)r->max_id; /* ids are at least 1: no more persons than this */
    sqlite3_finalize(q);
    r->id = xcalloc(cap, sizeof *r->id);
    map_init(&r->by_idn, cap);
    q = prep(db, "SELECT id, id_number FROM persons INDEXED BY sqlite_autoindex_persons_1 "
             "WHERE id_type = 'resident' AND length(id_number) = 18");
    while (sqlite3_step(q) == SQLITE_ROW && r->n < cap) {
        r->id[r->n] = sqlite3_column_int64(q, 0);
        map_put(&r->by_idn, idn_key((const char *)sqlite3_column_text(q, 1)),
                (uint32_t)++r->n);
    }
    sqlite3_finalize(q);
    r->comm_of = xcalloc((size_t)r->max_id + 1, sizeof *r->comm_of);
    r->comm = xcalloc(65536, sizeof *r->comm);
    q = prep(db, "SELECT id, community_code FROM persons INDEXED BY persons_community "
             "WHERE community_code > ''");
    while (sqlite3_step(q) == SQLITE_ROW && r->ncomm < 65536) {
        const char *c = (const char *)sqlite3_column_text(q, 1);
        if (!r->ncomm || strcmp(r->comm[r->ncomm - 1], c))
            snprintf(r->comm[r->ncomm++], sizeof r->comm[0], "%s", c);
        r->comm_of[sqlite3_column_int64(q, 0)] = (uint16_t)(r->ncomm - 1);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    r->secs = wall() - t0;
    return NULL;
}

/* ---- rounds and tubes ------------------------------------------------------------------ */

typedef struct round_ent {
    int64_t id, starts_at, ends_at;
    char area[16];
    uint32_t **chunk;     /* person id / SLOTS -> SLOTS member ids, lazily */
} round_ent;

typedef struct tube_ent {
    int64_t id, round_id, site_id, opened_at, closed_at;
    int size, n, ri;
    char state;           /* 'i'ssued, 'o'pen, 'c'losed */
} tube_ent;

typedef struct world {
    round_ent rounds[MAX_ROUNDS];
    int nrounds;
    tube_ent *tubes;
    size_t ntubes;
    map tube_by_code;     /* barcode hash -> index + 1 (a collision: one bad row, noted) */
    size_t nchunks;
} world;

static int round_index(const world *w, int64_t id)
{
    for (int i = 0; i < w->nrounds; i++)
        if (w->rounds[i].id == id)
            return i;
    return -1;
}

static void rounds_read(sqlite3 *db, world *w, size_t nchunks)
{
    sqlite3_stmt *q = prep(db, "SELECT id, area_code, starts_at, ends_at FROM testing_rounds "
                           "WHERE state = 'open'");
    while (sqlite3_step(q) == SQLITE_ROW && w->nrounds < MAX_ROUNDS) {
        round_ent *r = &w->rounds[w->nrounds++];
        r->id = sqlite3_column_int64(q, 0);
        snprintf(r->area, sizeof r->area, "%s", sqlite3_column_text(q, 1));
        r->starts_at = sqlite3_column_int64(q, 2);
        r->ends_at = sqlite3_column_int64(q, 3);
        r->chunk = xcalloc(nchunks, sizeof *r->chunk);
    }
    sqlite3_finalize(q);
    w->nchunks = nchunks;
}

static void tubes_read(sqlite3 *db, world *w)
{
    sqlite3_stmt *q = prep(db, "SELECT count(*) FROM tubes");
    sqlite3_step(q);
    size_t cap = (size_t)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    w->tubes = xcalloc(cap, sizeof *w->tubes);
    map_init(&w->tube_by_code, cap);
    q = prep(db, "SELECT t.id, t.barcode, t.round_id, t.site_id, t.size, t.state, t.n_members "
             "FROM testing_rounds r JOIN tubes t ON t.round_id = r.id WHERE r.state = 'open'");
    while (sqlite3_step(q) == SQLITE_ROW && w->ntubes < cap) {
        tube_ent *t = &w->tubes[w->ntubes];
        const char *code = (const char *)sqlite3_column_text(q, 1);
        t->id = sqlite3_column_int64(q, 0);
        t->round_id = sqlite3_column_int64(q, 2);
        t->ri = round_index(w, t->round_id);
        t->site_id = sqlite3_column_int64(q, 3);
        t->size = sqlite3_column_int(q, 4);
        t->state = ((const char *)sqlite3_column_text(q, 5))[0];
        t->n = sqlite3_column_int(q, 6);
        map_put(&w->tube_by_code, str_hash(code, strlen(code)), (uint32_t)++w->ntubes);
    }
    sqlite3_finalize(q);
}

/* ---- the file: format checks only (no store needed: runs beside the residents' read) ---- */

typedef struct row {
    uint64_t idn;         /* idn_key of the ID number */
    int64_t at, site_id, person_id;
    uint32_t tube;        /* index into world.tubes */
    int place;            /* 0: a bad row */
} row;

static int idn_valid(const char *s)
{
    static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        sum += (s[i] - '0') * weight[i];
    }
    return s[17] == "10X98765432"[sum % 11];
}

static int two(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400, doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* YYYY-MM-DDTHH:MM:SSZ, the bench file's form; -1 otherwise. */
static int64_t instant(const char *s, size_t n)
{
    if (n != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || s[19] != 'Z')
        return -1;
    return days_from_civil(two(s) * 100 + two(s + 2), two(s + 5), two(s + 8)) * 86400 +
           two(s + 11) * 3600 + two(s + 14) * 60 + two(s + 17);
}

/* Split the line at p into 4 fields (missing ones empty, more ignored); the next line. */
static const char *fields(const char *p, const char *end, const char *f[4], size_t len[4])
{
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol)
        eol = end;
    for (int i = 0; i < 4; i++) {
        const char *e = p;
        while (e < eol && *e != ',')
            e++;
        f[i] = p;
        len[i] = (size_t)(e - p);
        p = e < eol ? e + 1 : eol;
    }
    return eol < end ? eol + 1 : end;
}

static int row_parse(const world *w, const char *const f[4], const size_t len[4], row *r)
{
    uint32_t t = map_get(&w->tube_by_code, str_hash(f[0], len[0]));
    if (!t || len[1] != 18 || !idn_valid(f[1]) || len[3] == 0)
        return -1;
    *r = (row){.idn = idn_key(f[1]), .at = instant(f[2], len[2]), .tube = t - 1,
               .site_id = strtoll(f[3], NULL, 10)};
    return r->at < 0 ? -1 : 0;
}

static row *file_parse(const world *w, const char *path, size_t *nrows, size_t *bad)
{
    int fd = open(path, O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0)
        die(path, NULL);
    const char *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        die("mmap", NULL);
    const char *end = p + sb.st_size, *nl = memchr(p, '\n', (size_t)sb.st_size);
    size_t cap = (size_t)sb.st_size / 20 + 16, n = 0; /* a row is 50-60 bytes */
    row *rows = xcalloc(cap, sizeof *rows);
    for (p = nl ? nl + 1 : end; p < end && n < cap;) {
        const char *f[4];
        size_t len[4];
        p = fields(p, end, f, len);
        if (row_parse(w, f, len, &rows[n]) == 0)
            n++;
        else
            ++*bad;
    }
    close(fd);
    *nrows = n;
    return rows;
}

/* ---- the rules against memory: person, area, window, site, tube, once per round --------- */

static int row_resolve(world *w, const residents *res, row *r)
{
    uint32_t v = map_get(&res->by_idn, r->idn);
    tube_ent *t = &w->tubes[r->tube];
    if (!v || t->ri < 0 || t->site_id != r->site_id || t->state == 'c')
        return -1;
    round_ent *rd = &w->rounds[t->ri];
    int64_t pid = res->id[v - 1];
    const char *comm = res->comm[res->comm_of[pid]];
    if (strncmp(comm, rd->area, strlen(rd->area)) || r->at < rd->starts_at ||
        r->at > rd->ends_at)
        return -1;
    uint32_t **c = &rd->chunk[pid / SLOTS];
    if (!*c)
        *c = xcalloc(SLOTS, sizeof **c);
    if ((*c)[pid % SLOTS])
        return -1; /* scanned in the round already */
    if (t->state == 'i')
        t->state = 'o', t->size = 20, t->opened_at = r->at;
    r->person_id = pid;
    r->place = ++t->n;
    (*c)[pid % SLOTS] = (uint32_t)(t->id * 128 + r->place);
    if (t->n >= t->size)
        t->state = 'c', t->closed_at = r->at;
    return 0;
}

/* ---- the writes ------------------------------------------------------------------------ */

static const char *const member_ddl[2] = {
    "CREATE TABLE floor_members (tube_id INTEGER PRIMARY KEY, round_id INTEGER NOT NULL, "
    "members BLOB NOT NULL, scanned_by TEXT NOT NULL)",
    "CREATE TABLE floor_members (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, "
    "scanned_at INTEGER NOT NULL, scanned_by TEXT NOT NULL)",
};
static const char *const chunk_ddl[2] = {
    "CREATE TABLE floor_chunks (round_id INTEGER NOT NULL, chunk INTEGER NOT NULL, slots "
    "BLOB NOT NULL, PRIMARY KEY (round_id, chunk)) WITHOUT ROWID",
    "CREATE TABLE floor_chunks (round_id INTEGER NOT NULL, chunk INTEGER NOT NULL, slots "
    "BLOB NOT NULL, PRIMARY KEY (chunk, round_id)) WITHOUT ROWID",
};

typedef struct writer {
    sqlite3 *db;
    sqlite3_stmt *member, *tube, *chunk;
    int rows_members, chunk_first;
} writer;

static void tube_write(writer *wr, const tube_ent *t, const row *rows, size_t n)
{
    if (!wr->rows_members) {
        int64_t pairs[2 * 128];
        for (size_t i = 0; i < n && i < 128; i++)
            pairs[2 * i] = rows[i].person_id, pairs[2 * i + 1] = rows[i].at;
        sqlite3_bind_int64(wr->member, 1, t->id);
        sqlite3_bind_int64(wr->member, 2, t->round_id);
        sqlite3_bind_blob(wr->member, 3, pairs, (int)(n * 16), SQLITE_STATIC);
        sqlite3_bind_text(wr->member, 4, "admin", -1, SQLITE_STATIC);
        step_done(wr->db, wr->member);
    }
    for (size_t i = 0; wr->rows_members && i < n; i++) {
        sqlite3_bind_int64(wr->member, 1, t->id * 128 + rows[i].place);
        sqlite3_bind_int64(wr->member, 2, rows[i].person_id);
        sqlite3_bind_int64(wr->member, 3, rows[i].at);
        sqlite3_bind_text(wr->member, 4, "admin", -1, SQLITE_STATIC);
        step_done(wr->db, wr->member);
    }
    sqlite3_bind_int64(wr->tube, 1, t->id);
    sqlite3_bind_int(wr->tube, 2, t->n);
    sqlite3_bind_text(wr->tube, 3, t->state == 'c' ? "closed" : "open", -1, SQLITE_STATIC);
    sqlite3_bind_int(wr->tube, 4, t->size);
    sqlite3_bind_int64(wr->tube, 5, t->opened_at);
    if (t->state == 'c')
        sqlite3_bind_int64(wr->tube, 6, t->closed_at);
    else
        sqlite3_bind_null(wr->tube, 6);
    step_done(wr->db, wr->tube);
}

static size_t chunks_write(writer *wr, const world *w, int sparse)
{
    size_t n = 0;
    uint32_t pairs[2 * SLOTS];
    for (int ri = 0; ri < w->nrounds; ri++)
        for (size_t c = 0; c < w->nchunks; c++) {
            const uint32_t *s = w->rounds[ri].chunk[c];
            int k = 0;
            for (int i = 0; s && sparse && i < SLOTS; i++)
                if (s[i])
                    pairs[k++] = (uint32_t)i, pairs[k++] = s[i];
            if (!s)
                continue;
            sqlite3_bind_int64(wr->chunk, 1, w->rounds[ri].id);
            sqlite3_bind_int64(wr->chunk, 2, (int64_t)c);
            sqlite3_bind_blob(wr->chunk, 3, sparse ? (const void *)pairs : s,
                              sparse ? k * 4 : SLOTS * 4, SQLITE_STATIC);
            step_done(wr->db, wr->chunk);
            n++;
        }
    return n;
}

/* Rows in file order come in runs of one tube, as a site works (a tube met again later
 * is a second run: blob mode keeps its last run only; the bench file has none). */
static size_t write_all(writer *wr, world *w, const row *rows, size_t n, int sparse)
{
    if (sqlite3_exec(wr->db, "BEGIN IMMEDIATE", 0, 0, 0) ||
        sqlite3_exec(wr->db, member_ddl[wr->rows_members], 0, 0, 0) ||
        sqlite3_exec(wr->db, chunk_ddl[wr->chunk_first], 0, 0, 0))
        die("begin", wr->db);
    wr->member = prep(wr->db, wr->rows_members
                                  ? "INSERT INTO floor_members VALUES (?1, ?2, ?3, ?4)"
                                  : "INSERT OR REPLACE INTO floor_members VALUES (?1, ?2, ?3, ?4)");
    wr->tube = prep(wr->db, "UPDATE tubes SET n_members = ?2, state = ?3, size = ?4, "
                    "opened_at = ?5, opened_by = 'admin', closed_at = ?6, closed_by = CASE "
                    "WHEN ?6 IS NULL THEN NULL ELSE 'admin' END WHERE id = ?1");
    wr->chunk = prep(wr->db, "INSERT INTO floor_chunks VALUES (?1, ?2, ?3)");
    for (size_t i = 0; i < n;) {
        if (!rows[i].place) {
            i++;
            continue;
        }
        uint32_t tube = rows[i].tube;
        size_t good = 0;
        row run[128];
        for (; i < n && (!rows[i].place || rows[i].tube == tube); i++)
            if (rows[i].place && good < 128)
                run[good++] = rows[i];
        tube_write(wr, &w->tubes[tube], run, good);
    }
    size_t nchunks = chunks_write(wr, w, sparse);
    sqlite3_finalize(wr->member);
    sqlite3_finalize(wr->tube);
    sqlite3_finalize(wr->chunk);
    return nchunks;
}

/* ---- the reads the design changes --------------------------------------------------------- */

/* Every round's chunks into one bitmap, then the walk of the persons' coverage index
 * (0015) counting the tested: the coverage's work without a B-tree probe per person. */
static void coverage_read(const char *path, int sparse, int64_t max_id)
{
    double t0 = wall(), c0 = cpu();
    sqlite3 *db = open_db(path, 1);
    uint8_t *tested = xcalloc((size_t)max_id / 8 + 2, 1);
    sqlite3_stmt *q = prep(db, "SELECT chunk, slots FROM floor_chunks");
    while (sqlite3_step(q) == SQLITE_ROW) {
        int64_t c = sqlite3_column_int64(q, 0);
        const uint32_t *s = sqlite3_column_blob(q, 1);
        int n = sqlite3_column_bytes(q, 1) / 4;
        for (int i = 0; i < n; i += sparse ? 2 : 1) {
            int64_t p = c * SLOTS + (sparse ? (int64_t)s[i] : i);
            if (p <= max_id && (!sparse ? s[i] : s[i + 1]))
                tested[p / 8] |= (uint8_t)(1u << (p % 8));
        }
    }
    sqlite3_finalize(q);
    double t_chunks = wall() - t0;
    q = prep(db, "SELECT id FROM persons INDEXED BY persons_coverage WHERE resident_type IN "
             "('resident', 'non_resident') AND community_code >= ''");
    size_t pop = 0, hit = 0;
    for (; sqlite3_step(q) == SQLITE_ROW; pop++) {
        int64_t p = sqlite3_column_int64(q, 0);
        hit += p <= max_id && (tested[p / 8] >> (p % 8) & 1);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    printf("coverage: chunks into a bitmap %.3f s; walk of %zu persons, %zu tested: %.3f s "
           "wall, %.3f s cpu\n", t_chunks, pop, hit, wall() - t0, cpu() - c0);
    free(tested);
}

/* The member id of person p in a chunk's slots, or 0. */
static uint32_t slot_of(const uint32_t *s, int n, int64_t p, int sparse)
{
    uint32_t want = (uint32_t)(p % SLOTS);
    if (!sparse)
        return n == SLOTS ? s[want] : 0;
    for (int i = 0; i + 1 < n; i += 2)
        if (s[i] == want)
            return s[i + 1];
    return 0;
}

/* Random persons -> every round's chunk -> the tube's row (blob members only). */
static void lookups_read(const char *path, int sparse, int chunk_first, int64_t max_id)
{
    sqlite3 *db = open_db(path, 1);
    /* keyed (round, chunk): the rounds outside, a seek into the chunks each (CROSS JOIN:
     * SQLite's planner, without statistics, would scan the chunks); keyed (chunk,
     * round): one range */
    sqlite3_stmt *c = prep(db, chunk_first ? "SELECT slots FROM floor_chunks WHERE chunk = ?1"
                                           : "SELECT f.slots FROM testing_rounds r CROSS JOIN "
                                             "floor_chunks f ON f.round_id = r.id AND "
                                             "f.chunk = ?1");
    sqlite3_stmt *t = prep(db, "SELECT members FROM floor_members WHERE tube_id = ?1");
    size_t found = 0;
    srand(1);
    double t0 = wall(), c0 = cpu();
    for (int k = 0; k < LOOKUPS; k++) {
        int64_t p = 1 + (int64_t)rand() % max_id;
        sqlite3_bind_int64(c, 1, p / SLOTS);
        while (sqlite3_step(c) == SQLITE_ROW) {
            uint32_t m = slot_of(sqlite3_column_blob(c, 0), sqlite3_column_bytes(c, 0) / 4, p,
                                 sparse);
            sqlite3_bind_int64(t, 1, m / 128);
            if (m && sqlite3_step(t) == SQLITE_ROW &&
                ((const int64_t *)sqlite3_column_blob(t, 0))[2 * (m % 128 - 1)] == p)
                found++;
            sqlite3_reset(t);
        }
        sqlite3_reset(c);
    }
    printf("person lookups: %d, %zu found, %.1f us each (%.1f us cpu)\n", LOOKUPS, found,
           (wall() - t0) / LOOKUPS * 1e6, (cpu() - c0) / LOOKUPS * 1e6);
    sqlite3_finalize(c);
    sqlite3_finalize(t);
    sqlite3_close(db);
}

/* ---- main ---------------------------------------------------------------------------------- */

static opts parse_opts(int argc, char **argv)
{
    if (argc < 3)
        die("usage: floor STORE.db SCANS.csv [members=blob|rows] [chunks=dense|sparse] "
            "[key=chunk] [serial]", NULL);
    opts o = {argv[1], argv[2], 0, 0, 0, 0};
    for (int i = 3; i < argc; i++) {
        o.rows_members |= !strcmp(argv[i], "members=rows");
        o.sparse |= !strcmp(argv[i], "chunks=sparse");
        o.serial |= !strcmp(argv[i], "serial");
        o.chunk_first |= !strcmp(argv[i], "key=chunk");
    }
    return o;
}

int main(int argc, char **argv)
{
    opts o = parse_opts(argc, argv);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* as fangkong: its mutex is shared */
    double t0 = wall(), c0 = cpu();
    residents res = {.path = o.db};
    pthread_t th;
    if (o.serial)
        residents_read(&res);
    else if (pthread_create(&th, NULL, residents_read, &res) != 0)
        die("thread", NULL);
    world w = {0};
    writer wr = {.db = open_db(o.db, 0), .rows_members = o.rows_members,
                 .chunk_first = o.chunk_first};
    sqlite3_stmt *q = prep(wr.db, "SELECT max(id) FROM persons");
    sqlite3_step(q);
    size_t nchunks = (size_t)(sqlite3_column_int64(q, 0) / SLOTS + 1);
    sqlite3_finalize(q);
    rounds_read(wr.db, &w, nchunks);
    tubes_read(wr.db, &w);
    double t_tubes = wall() - t0;
    size_t n = 0, bad = 0;
    row *rows = file_parse(&w, o.csv, &n, &bad);
    double t_parse = wall() - t0;
    if (!o.serial)
        pthread_join(th, NULL);
    double t_join = wall() - t0;
    for (size_t i = 0; i < n; i++)
        if (row_resolve(&w, &res, &rows[i]) != 0)
            bad++, rows[i].place = 0;
    double t_resolve = wall() - t0;
    size_t written = write_all(&wr, &w, rows, n, o.sparse);
    double t_write = wall() - t0;
    if (sqlite3_exec(wr.db, "COMMIT", 0, 0, 0))
        die("commit", wr.db);
    double t_all = wall() - t0, c_all = cpu() - c0;
    printf("members %s, chunks %s, residents %s: %zu rows (%zu bad), %zu tubes, %zu chunk rows, "
           "%zu residents\n", o.rows_members ? "rows" : "blob", o.sparse ? "sparse" : "dense",
           o.serial ? "serial" : "threaded", n, bad, w.ntubes, written, res.n);
    printf("wall s from start: tubes %.3f, parsed %.3f, residents ready %.3f (read took %.3f), "
           "resolved %.3f, written %.3f, committed %.3f; cpu %.3f s\n", t_tubes, t_parse, t_join,
           res.secs, t_resolve, t_write, t_all, c_all);
    sqlite3_close(wr.db);
    coverage_read(o.db, o.sparse, res.max_id);
    if (!o.rows_members)
        lookups_read(o.db, o.sparse, o.chunk_first, res.max_id);
    return 0;
}
