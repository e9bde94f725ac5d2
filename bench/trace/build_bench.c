/*
 * build_bench.c - the trace index on the bench city (gen.mjs): full build, snapshot save
 * and open (checksum timed apart), extension by the last day against a full rebuild,
 * and the companions of the bench's cases on the built, mapped and extended indexes
 * (which must give the same rows).
 *
 * usage: build_bench CITY_DIR OUT_SNAPSHOT
 *   CITY_DIR holds stays-*.csv, cases.txt and window.txt (bench/trace/run.sh makes them).
 * build (after `make MODE=release`):
 *   cc -std=c11 -D_GNU_SOURCE -O2 -Isrc -o build/release/build_bench \
 *      bench/trace/build_bench.c build/release/libfangkong.a -lpthread -lm \
 *      $(pkg-config --libs sqlite3 libmicrohttpd jansson libsodium) -lcsv -lxlsxwriter -lgsl -lgslcblas
 * The CSV is read whole into memory first (not timed): the figures are the engine's.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include "trace/trace.h"
#include "trace/trace_int.h"

/* BENCH_CPU=1: process CPU seconds instead of wall seconds (on a shared, loaded machine
 * the wall clock mostly measures the neighbours; the engine here is single-threaded). */
static double now(void)
{
    static int cpu = -1;
    if (cpu < 0)
        cpu = getenv("BENCH_CPU") && getenv("BENCH_CPU")[0] == '1';
    struct timespec t;
    clock_gettime(cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef struct stays { trace_stay *v; size_t n, cap; } stays;

/* Parse one CSV file (header subject,cell,start,end) into s; the text is kept. */
static void load_csv(const char *path, stays *s)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *text = malloc((size_t)len + 1);
    if (fread(text, 1, (size_t)len, f) != (size_t)len)
        exit(1);
    fclose(f);
    text[len] = '\0';
    char *p = strchr(text, '\n') + 1;
    while (*p) {
        char *nl = strchr(p, '\n'), *c1 = strchr(p, ','), *c2 = strchr(c1 + 1, ',');
        *nl = *c1 = *c2 = '\0';
        if (s->n == s->cap) {
            s->cap = s->cap ? 2 * s->cap : 1 << 20;
            s->v = realloc(s->v, s->cap * sizeof *s->v);
        }
        char *end;
        int64_t a = strtoll(c2 + 1, &end, 10), b = strtoll(end + 1, NULL, 10);
        s->v[s->n++] = (trace_stay){p, c1 + 1, a, b, NULL};
        p = nl + 1;
    }
}

static trace_index *build(const trace_stay *v, size_t n, double *add_s, double *finish_s)
{
    double t0 = now();
    trace_builder *b = trace_builder_new();
    fk_err err = {0};
    for (size_t i = 0; i < n; i++)
        if (trace_builder_add(b, &v[i], &err) != 0) {
            fprintf(stderr, "add: %s\n", err.message);
            exit(1);
        }
    double t1 = now();
    trace_index *ix = trace_builder_finish(b, &err);
    *add_s = t1 - t0;
    *finish_s = now() - t1;
    return ix;
}

typedef struct cases { char **v; size_t n; int64_t from, to; } cases;

static cases load_cases(const char *dir)
{
    cases c = {0};
    char path[4096], line[128];
    snprintf(path, sizeof path, "%s/cases.txt", dir);
    FILE *f = fopen(path, "r");
    c.v = calloc(1000, sizeof *c.v);
    while (f && c.n < 1000 && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        c.v[c.n++] = strdup(line);
    }
    if (f)
        fclose(f);
    snprintf(path, sizeof path, "%s/window.txt", dir);
    f = fopen(path, "r");
    long long a = 0, b = 0;
    if (!f || fscanf(f, "%lld %lld", &a, &b) != 2)
        exit(1);
    fclose(f);
    c.from = a;
    c.to = b;
    return c;
}

/* The companions of every case; returns the row count and a sum over the rows. */
static size_t companions(const trace_index *ix, const cases *c, uint64_t *sum, double *secs)
{
    const trace_rules r = {600, 108000, 14 * 86400};
    size_t rows = 0;
    *sum = 0;
    double t0 = now();
    for (size_t i = 0; i < c->n; i++) {
        trace_contact_list l;
        if (trace_companions(ix, c->v[i], c->from, c->to, &r, &l, NULL) != 0)
            exit(1);
        for (size_t k = 0; k < l.n; k++)
            *sum = *sum * 31 + (uint64_t)l.items[k].overlap_s + (uint64_t)l.items[k].subject[5];
        rows += l.n;
        trace_contact_list_free(&l);
    }
    *secs = now() - t0;
    return rows;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: build_bench CITY_DIR OUT_SNAPSHOT\n");
        return 2;
    }
    char pat[4096];
    snprintf(pat, sizeof pat, "%s/stays-*.csv", argv[1]);
    glob_t g;
    if (glob(pat, 0, NULL, &g) != 0)
        return 1;
    stays s = {0};
    for (size_t i = 0; i < g.gl_pathc; i++)
        load_csv(g.gl_pathv[i], &s);
    cases c = load_cases(argv[1]);
    printf("bench: %zu stays, %zu cases; times in %s seconds\n", s.n, c.n,
           getenv("BENCH_CPU") ? "CPU" : "wall");

    double add_s, fin_s;
    trace_index *ix = build(s.v, s.n, &add_s, &fin_s);
    printf("build: add %.3f s, finish %.3f s, total %.3f s; %zu merged rows, %.1f MB\n", add_s,
           fin_s, add_s + fin_s, ix->nmerged, trace_index_bytes(ix) / 1e6);

    if (getenv("BENCH_BUILD_ONLY"))
        return 0;
    fk_err err = {0};
    double t0 = now();
    const trace_snapshot_marks marks = {1, s.n, 0, 0};
    if (trace_index_save(ix, argv[2], &marks, &err) != 0) {
        fprintf(stderr, "save: %s\n", err.message);
        return 1;
    }
    double save_s = now() - t0;
    struct stat st;
    stat(argv[2], &st);
    printf("save: %.3f s (write, fsync, rename, fsync dir), file %.1f MB\n", save_s,
           st.st_size / 1e6);
    for (int round = 0; round < 3; round++) {
        t0 = now();
        trace_snapshot_marks v;
        trace_index *mx = trace_index_open(argv[2], &v, &err);
        double open_s = now() - t0;
        if (!mx) {
            fprintf(stderr, "open: %s\n", err.message);
            return 1;
        }
        t0 = now();
        uint64_t sum = trace__snapshot_checksum(mx->map, mx->map_len);
        double ck_s = now() - t0;
        printf("open (warm page cache, round %d): %.3f s, of which checksum alone %.3f s "
               "(%.1f GB/s)%s\n", round, open_s, ck_s, mx->map_len / ck_s / 1e9,
               sum ? "" : " ");
        if (round == 2) {
            uint64_t h1, h2;
            double q1, q2;
            size_t r1 = companions(ix, &c, &h1, &q1), r2 = companions(mx, &c, &h2, &q2);
            printf("companions of %zu cases: built %zu rows in %.3f s, mapped %zu rows in %.3f s, %s\n",
                   c.n, r1, q1, r2, q2, r1 == r2 && h1 == h2 ? "same rows" : "DIFFERENT");
        }
        trace_index_free(mx);
    }

    /* the last day's stays arrive: extend vs a full rebuild */
    int64_t cut = INT64_MIN;
    for (size_t i = 0; i < s.n; i++)
        cut = s.v[i].start > cut ? s.v[i].start : cut;
    cut -= cut % 86400;
    trace_stay *sorted = malloc(s.n * sizeof *sorted);
    size_t nold = 0, nnew = 0;
    for (size_t i = 0; i < s.n; i++)
        if (s.v[i].start < cut)
            sorted[nold++] = s.v[i];
    for (size_t i = 0; i < s.n; i++)
        if (s.v[i].start >= cut)
            sorted[nold + nnew++] = s.v[i];
    trace_index *base = build(sorted, nold, &add_s, &fin_s);
    t0 = now();
    trace_builder *more = trace_builder_new();
    for (size_t i = nold; i < s.n; i++)
        trace_builder_add(more, &sorted[i], NULL);
    double t1 = now();
    trace_index *ext = trace_index_extend(base, more, &err);
    double ext_s = now() - t1, add_new = t1 - t0;
    double radd, rfin;
    trace_index *full = build(sorted, s.n, &radd, &rfin);
    uint64_t h1, h2;
    double q;
    size_t r1 = companions(full, &c, &h1, &q), r2 = companions(ext, &c, &h2, &q);
    printf("extend by the last day (%zu of %zu stays): add %.3f s + extend %.3f s = %.3f s; "
           "full rebuild add %.3f s + finish %.3f s = %.3f s; %s\n",
           nnew, s.n, add_new, ext_s, add_new + ext_s, radd, rfin, radd + rfin,
           r1 == r2 && h1 == h2 && ext->nmerged == full->nmerged ? "same rows" : "DIFFERENT");
    trace_index_free(full), trace_index_free(ext), trace_index_free(base);
    trace_index_free(ix);
    free(sorted);
    return 0;
}
