/*
 * sqlite_ref.c - the second reference of bench/registry: fangkong's own SQL, run on its
 * own SQLite file directly, without HTTP, JSON, sessions or audit.
 *
 * usage: sqlite_ref DB WORKLOAD VALUES_CSV SECONDS THREADS
 * prints: p50_us p99_us queries_per_second
 *
 * The statements are those of src/store/store_sqlite_registry.c (sq_person_where,
 * sq_person_list, the person get): a count and a page of 50 by id, or one row by id.
 * Each thread opens its own connection (it only reads) with its own prepared statements
 * (as fangkong's workers keep one store handle each) and loops over the values, starting
 * at a different place, for SECONDS; every transaction's latency is recorded. Run it
 * with as many threads as cores: it measures the store's work without queueing.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXV 1024

static const char *db_path, *workload;
static char *values[MAXV];
static int nvalues;
static double seconds;

static const char prefix_ids[] =
    "SELECT id FROM persons WHERE name >= ?1 AND name < ?1 || char(1114111) "
    "UNION SELECT id FROM persons WHERE id_number >= ?1 AND id_number < ?1 || char(1114111) "
    "UNION SELECT id FROM persons WHERE phone >= ?1 AND phone < ?1 || char(1114111)";
#define COLS                                                                                   \
    "p.id, p.name, p.id_type, p.id_number, p.sex, p.birth_date, p.phone, p.resident_type, "   \
    "p.household_id, p.address, p.community_code, p.work_unit, p.flags, p.created_at, "       \
    "p.updated_at"

typedef struct worker {
    int index;
    double *lat; /* microseconds */
    size_t n, cap;
} worker;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(sqlite3 *db, const char *what)
{
    fprintf(stderr, "sqlite_ref: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
    exit(1);
}

static void run(sqlite3 *db, sqlite3_stmt *st, const char *v)
{
    if (!strcmp(workload, "get_person"))
        sqlite3_bind_int64(st, 1, atoll(v));
    else
        sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
    int rc;
    volatile size_t bytes = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count(st); c++)
            bytes += (size_t)sqlite3_column_bytes(st, c); /* read every column, as fangkong does */
    if (rc != SQLITE_DONE)
        die(db, "step");
    sqlite3_reset(st);
}

static void *thread_main(void *arg)
{
    worker *w = arg;
    sqlite3 *db;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        die(db, "open");
    sqlite3_busy_timeout(db, 10000); /* the first opener may be recovering the WAL index */
    char where[1024];
    if (!strcmp(workload, "list_community"))
        snprintf(where, sizeof where, " WHERE p.community_code = ?1");
    else
        snprintf(where, sizeof where, " WHERE p.id IN (%s)", prefix_ids);
    char q1[2048], q2[2048];
    int two = strcmp(workload, "get_person") != 0;
    if (two) {
        snprintf(q1, sizeof q1, "SELECT count(*) FROM persons p%s", where);
        snprintf(q2, sizeof q2, "SELECT " COLS " FROM persons p%s ORDER BY p.id LIMIT 50 OFFSET 0", where);
    } else {
        snprintf(q2, sizeof q2, "SELECT " COLS " FROM persons p WHERE p.id = ?1");
    }
    sqlite3_stmt *s1 = NULL, *s2 = NULL;
    if ((two && sqlite3_prepare_v2(db, q1, -1, &s1, NULL) != SQLITE_OK) ||
        sqlite3_prepare_v2(db, q2, -1, &s2, NULL) != SQLITE_OK)
        die(db, "prepare");
    double end = now_us() + seconds * 1e6;
    for (size_t k = (size_t)w->index * 7919;; k++) {
        const char *v = values[k % (size_t)nvalues];
        double t0 = now_us();
        if (t0 >= end)
            break;
        if (two) {
            run(db, s1, v);
        }
        run(db, s2, v);
        if (w->n == w->cap) {
            w->cap = w->cap ? 2 * w->cap : 4096;
            w->lat = realloc(w->lat, w->cap * sizeof *w->lat);
            if (!w->lat)
                abort();
        }
        w->lat[w->n++] = now_us() - t0;
    }
    sqlite3_finalize(s1);
    sqlite3_finalize(s2);
    sqlite3_close(db);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: sqlite_ref DB WORKLOAD VALUES_CSV SECONDS THREADS\n");
        return 2;
    }
    db_path = argv[1];
    workload = argv[2];
    seconds = atof(argv[4]);
    int nthreads = atoi(argv[5]);
    FILE *f = fopen(argv[3], "r");
    if (!f)
        die(NULL, argv[3]);
    char line[512];
    while (nvalues < MAXV && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *comma = strchr(line, ',');
        if (comma && comma[1])
            values[nvalues++] = strdup(comma + 1);
    }
    fclose(f);
    if (nvalues == 0 || nthreads < 1)
        die(NULL, "no values or threads");
    worker *ws = calloc((size_t)nthreads, sizeof *ws);
    pthread_t *th = calloc((size_t)nthreads, sizeof *th);
    for (int i = 0; i < nthreads; i++) {
        ws[i].index = i;
        pthread_create(&th[i], NULL, thread_main, &ws[i]);
    }
    size_t total = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(th[i], NULL);
        total += ws[i].n;
    }
    double *all = malloc((total ? total : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < nthreads; i++) {
        memcpy(all + k, ws[i].lat, ws[i].n * sizeof *all);
        k += ws[i].n;
    }
    qsort(all, total, sizeof *all, cmp);
    size_t i50 = total ? (total * 50 + 99) / 100 - 1 : 0, i99 = total ? (total * 99 + 99) / 100 - 1 : 0;
    printf("%.0f %.0f %.0f\n", total ? all[i50] : 0, total ? all[i99] : 0, total / seconds);
    return 0;
}
