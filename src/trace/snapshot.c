/*
 * snapshot.c - the trace index saved to a file and memory-mapped back (no rebuild).
 *
 * File format (native byte order; a reader of the other order refuses the file):
 *   header, 128 bytes (struct snap_header): magic "FKTRACE1", format 3, the endianness
 *     word 0x01020304, the caller's marks (version; then stays, pings, detections in
 *     the words format 1 kept zero as reserved), the checksum, the payload length and
 *     the counts that size every array;
 *   payload: the arrays of the index in the order of walk_arrays() below, each padded
 *     with zero bytes to a multiple of 8 so that every array is 8-byte aligned in the
 *     page-aligned mapping and can be used in place.
 * Format 2 gave the reserved words their meaning (the marks), format 3 added two arrays.
 * A reader takes its own format only: a format-1 file's zero marks would read as "holds
 * no records", and its caller would extend it with every record it already holds.
 * Nothing in the file is an offset: every array's place follows from the counts, so a
 * reader checks the counts against the file size once and cannot be pointed outside it.
 *
 * Checksum: over every byte of the file but the checksum field itself (taken as 0),
 * as 64-bit words in four independent lanes, each lane h = rotl((h ^ w) * P, 29) with
 * FNV-1a's prime P, folded at the end with the word count. Why not byte-wise FNV-1a:
 * it is one multiply per byte on one dependency chain (about 1 GB/s), and the open of
 * a city-sized snapshot would spend most of its time there; four lanes of one multiply
 * per 8 bytes run at memory speed. Each step is a bijection of the word, so any one
 * changed word always changes the sum; it detects corruption, it is not a MAC.
 *
 * After the checksum, open checks the structure (offsets monotone and ending where the
 * counts say, every id and row number in range, names NUL-terminated and within the
 * lengths the build allows, hash tables with an empty slot, times within what the build
 * accepts), so that even a file with a valid checksum written by something else cannot
 * make a query read out of bounds or overflow. (Order within the arrays is not checked:
 * a file that breaks it gives wrong answers, not a crash; the checksum is what stands
 * between a damaged file and the queries.)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/fdio.h"
#include "trace/trace_int.h"

#define SNAP_MAGIC "FKTRACE1"
#define SNAP_FORMAT 3u     /* 2: input marks; 3: row_pair and pair_total */
#define SNAP_ENDIAN 0x01020304u
#define HASH_PRIME 1099511628211ull
#define HASH_BASIS 14695981039346656037ull

typedef struct snap_header {
    char magic[8];
    uint32_t format, endian;
    uint64_t version, checksum, payload_len;
    uint64_t nrecords, nmerged, npairs, ndetections;
    uint64_t subj_blob, place_blob;
    uint32_t nsubj, nplace, subj_slots, place_slots;
    uint64_t mark_stays, mark_pings, mark_detections; /* format 1: reserved, zero */
} snap_header;

_Static_assert(sizeof(snap_header) == 128, "the header is 128 bytes");
_Static_assert(sizeof(size_t) == 8, "name offsets are stored as 64-bit words");

/* ---- checksum ---- */

typedef struct snap_hash { uint64_t lane[4]; uint64_t words; } snap_hash;

static void hash_init(snap_hash *h)
{
    for (int i = 0; i < 4; i++)
        h->lane[i] = HASH_BASIS + (uint64_t)i;
    h->words = 0;
}

static inline uint64_t hash_step(uint64_t h, uint64_t w)
{
    h = (h ^ w) * HASH_PRIME;
    return h << 29 | h >> 35;
}

/* Hash `bytes` bytes at p as words; a last partial word is zero-padded (as in the file). */
static void hash_bytes(snap_hash *h, const void *p, size_t bytes)
{
    const unsigned char *c = p;
    size_t n = bytes / 8, i = 0;
    uint64_t w[4];
    for (; i < n && (h->words + i) % 4 != 0; i++) {
        memcpy(w, c + 8 * i, 8);
        h->lane[(h->words + i) % 4] = hash_step(h->lane[(h->words + i) % 4], w[0]);
    }
    for (; i + 4 <= n; i += 4) {        /* four lanes, four independent chains */
        memcpy(w, c + 8 * i, 32);
        for (int k = 0; k < 4; k++)
            h->lane[k] = hash_step(h->lane[k], w[k]);
    }
    for (; i < n; i++) {
        memcpy(w, c + 8 * i, 8);
        h->lane[(h->words + i) % 4] = hash_step(h->lane[(h->words + i) % 4], w[0]);
    }
    h->words += n;
    if (bytes % 8) {
        uint64_t last = 0;
        memcpy(&last, c + 8 * n, bytes % 8);
        h->lane[h->words % 4] = hash_step(h->lane[h->words % 4], last);
        h->words++;
    }
}

static uint64_t hash_final(const snap_hash *h)
{
    uint64_t r = h->words * HASH_PRIME;
    for (int i = 0; i < 4; i++)
        r = hash_step(r ^ h->lane[i], HASH_BASIS);
    return r ^ r >> 32;
}

uint64_t trace__snapshot_checksum(const void *file, size_t len)
{
    snap_header h;
    memcpy(&h, file, sizeof h);
    h.checksum = 0;
    snap_hash hash;
    hash_init(&hash);
    hash_bytes(&hash, &h, sizeof h);
    hash_bytes(&hash, (const char *)file + sizeof h, len - sizeof h);
    return hash_final(&hash);
}

/* ---- the layout: one list of arrays for writing, measuring and mapping ---- */

enum cursor_mode { CUR_MEASURE, CUR_WRITE, CUR_MAP };

typedef struct cursor {
    enum cursor_mode mode;
    int fd;                  /* CUR_WRITE: the file */
    snap_hash *hash;         /* CUR_WRITE: running checksum */
    const char *payload;     /* CUR_MAP: start of the payload in the mapping */
    uint64_t off, len;       /* bytes of payload so far; CUR_MAP: its length */
    int err;                 /* errno of a failed write, or -1 for an overrun */
} cursor;

static uint64_t pad8(uint64_t n)
{
    return (n + 7) & ~(uint64_t)7;
}

/* One array of `bytes` bytes: written (from p), measured, or found in the mapping
 * (returned). Failures are remembered in c->err and make later calls no-ops. */
static void *visit(cursor *c, void *p, uint64_t bytes)
{
    static const char zeros[8];
    uint64_t padded = pad8(bytes);
    if (c->err)
        return NULL;
    if (c->mode == CUR_MAP) {
        if (bytes > c->len || padded > c->len - c->off) {
            c->err = -1;
            return NULL;
        }
        p = (void *)(c->payload + c->off);
    } else if (c->mode == CUR_WRITE && bytes > 0) {
        hash_bytes(c->hash, p, bytes);
        c->err = fk_write_all(c->fd, p, bytes);
        if (!c->err)
            c->err = fk_write_all(c->fd, zeros, padded - bytes);
    }
    c->off += padded;
    return p;
}

static void walk_names(trace__names *t, cursor *c)
{
    t->blob = visit(c, t->blob, t->blob_len);
    t->off = visit(c, t->off, (uint64_t)t->n * sizeof *t->off);
    t->slots = visit(c, t->slots, (uint64_t)t->nslots * sizeof *t->slots);
}

/* Every array of the index, in file order. The one definition of the layout. */
static void walk_arrays(trace_index *ix, cursor *c)
{
    uint64_t ns = ix->subjects.n, np = ix->places.n, m = ix->nmerged, q = ix->npairs;
    uint64_t d = 2 * (uint64_t)ix->ndetections;
    walk_names(&ix->subjects, c);
    walk_names(&ix->places, c);
    ix->start = visit(c, ix->start, m * sizeof *ix->start);
    ix->end = visit(c, ix->end, m * sizeof *ix->end);
    ix->subj = visit(c, ix->subj, m * sizeof *ix->subj);
    ix->sp_rec = visit(c, ix->sp_rec, m * sizeof *ix->sp_rec);
    ix->row_pair = visit(c, ix->row_pair, m * sizeof *ix->row_pair);
    ix->place_off = visit(c, ix->place_off, (np + 1) * sizeof *ix->place_off);
    ix->place_maxlen = visit(c, ix->place_maxlen, np * sizeof *ix->place_maxlen);
    ix->place_src = visit(c, ix->place_src, np);
    ix->subj_off = visit(c, ix->subj_off, (ns + 1) * sizeof *ix->subj_off);
    ix->pair_place = visit(c, ix->pair_place, q * sizeof *ix->pair_place);
    ix->pair_off = visit(c, ix->pair_off, (q + 1) * sizeof *ix->pair_off);
    ix->pair_total = visit(c, ix->pair_total, q * sizeof *ix->pair_total);
    ix->prox_off = visit(c, ix->prox_off, (ns + 1) * sizeof *ix->prox_off);
    ix->prox_other = visit(c, ix->prox_other, d * sizeof *ix->prox_other);
    ix->prox_time = visit(c, ix->prox_time, d * sizeof *ix->prox_time);
}

static snap_header header_of(const trace_index *ix, const trace_snapshot_marks *m)
{
    snap_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, SNAP_MAGIC, 8);
    h.format = SNAP_FORMAT;
    h.endian = SNAP_ENDIAN;
    if (m) {
        h.version = m->version;
        h.mark_stays = m->stays;
        h.mark_pings = m->pings;
        h.mark_detections = m->detections;
    }
    h.nrecords = ix->nrecords;
    h.nmerged = ix->nmerged;
    h.npairs = ix->npairs;
    h.ndetections = ix->ndetections;
    h.subj_blob = ix->subjects.blob_len;
    h.place_blob = ix->places.blob_len;
    h.nsubj = ix->subjects.n;
    h.nplace = ix->places.n;
    h.subj_slots = ix->subjects.nslots;
    h.place_slots = ix->places.nslots;
    return h;
}

/* ---- save ---- */

/* Header placeholder, payload, then the header with its checksum; fsync. errno or 0. */
static int write_file(int fd, const trace_index *ix, const trace_snapshot_marks *m)
{
    trace_index copy = *ix;     /* walk_arrays assigns what it visits: a copy, not ix */
    cursor measure = {.mode = CUR_MEASURE};
    walk_arrays(&copy, &measure);
    snap_header h = header_of(ix, m);
    h.payload_len = measure.off;
    snap_hash hash;
    hash_init(&hash);
    hash_bytes(&hash, &h, sizeof h);
    int rc = fk_write_all(fd, &h, sizeof h);
    cursor w = {.mode = CUR_WRITE, .fd = fd, .hash = &hash};
    copy = *ix;
    if (rc == 0)
        walk_arrays(&copy, &w);
    rc = rc ? rc : w.err;
    h.checksum = hash_final(&hash);
    if (rc == 0 && pwrite(fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
        rc = errno ? errno : EIO;
    if (rc == 0 && fsync(fd) != 0)
        rc = errno;
    return rc;
}

/* The temporary of this save: path.tmp.PID.N, N counting the saves of this process, so
 * that no two running writers (processes, or threads of one) ever share one temporary
 * file. A file already there under this name was left by a dead process that had our
 * pid: ours to overwrite (O_TRUNC), never someone's save in progress. */
static char *temp_name(const char *path)
{
    static atomic_uint seq;
    unsigned n = atomic_fetch_add(&seq, 1);
    size_t cap = strlen(path) + 48;
    char *tmp = fk_malloc(cap);
    snprintf(tmp, cap, "%s.tmp.%ld.%u", path, (long)getpid(), n);
    return tmp;
}

/* The pid in a directory entry named BASE.tmp.PID.N, or 0 when it is not one. */
static long temp_owner(const char *entry, const char *base)
{
    size_t len = strlen(base);
    if (strncmp(entry, base, len) != 0 || strncmp(entry + len, ".tmp.", 5) != 0)
        return 0;
    char *end;
    long pid = strtol(entry + len + 5, &end, 10);
    return pid > 0 && pid <= INT32_MAX && *end == '.' ? pid : 0;
}

/* The directory holding path (caller frees): ".", "/" or the part before the last '/'. */
static char *dir_of(const char *path)
{
    char *dir = fk_strdup(path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    return dir;
}

/* Remove the temporaries that writers killed mid-save left next to path (each is as
 * large as a snapshot; unique names mean nobody else would ever overwrite them). Only
 * those of processes no longer running: a live writer's temporary is its own. (A writer
 * in another pid namespace sharing the directory looks dead: its save then fails at the
 * rename and is retried by it later; the snapshot itself is never damaged.) */
static void remove_stale_temps(const char *path)
{
    char *dir = dir_of(path);
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        long pid = temp_owner(e->d_name, base);
        if (pid == 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char *stale = fk_malloc(strlen(dir) + strlen(e->d_name) + 2);
        sprintf(stale, "%s/%s", dir, e->d_name);
        unlink(stale);
        free(stale);
    }
    if (d)
        closedir(d);
    free(dir);
}

int trace_index_save(const trace_index *ix, const char *path, const trace_snapshot_marks *m,
                     fk_err *err)
{
    if (!ix || !path || !path[0])
        return fk_fail(err, FK_EINVAL, ix ? "path" : "index", "missing argument");
    remove_stale_temps(path);
    char *tmp = temp_name(path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), rc;
    if (fd < 0) {
        rc = errno;
    } else {
        rc = write_file(fd, ix, m);
        if (close(fd) != 0 && rc == 0)
            rc = errno;
    }
    if (rc == 0 && rename(tmp, path) != 0)
        rc = errno;
    if (rc == 0)
        rc = fk_fsync_dir_of(path);
    else if (fd >= 0)
        unlink(tmp);
    free(tmp);
    if (rc != 0)
        return fk_fail(err, FK_EIO, "snapshot", "%s: %s", path, strerror(rc));
    return 0;
}

/* ---- open: header, layout, checksum, structure ---- */

static int refuse(fk_err *err, const char *path, const char *what)
{
    return fk_fail(err, FK_EINVAL, "snapshot", "%s: %s", path, what);
}

/* Magic, byte order, format and counts that fit the file; fills ix's counts. */
static int check_header(const snap_header *h, uint64_t size, trace_index *ix, const char *path,
                        fk_err *err)
{
    if (memcmp(h->magic, SNAP_MAGIC, 8) != 0)
        return refuse(err, path, "not a trace index snapshot (bad magic)");
    if (h->endian != SNAP_ENDIAN)
        return refuse(err, path, "snapshot written with the other byte order");
    if (h->format != SNAP_FORMAT)
        return fk_fail(err, FK_EINVAL, "snapshot", "%s: snapshot format %u, this build reads %u",
                       path, h->format, SNAP_FORMAT);
    if (h->payload_len != size - sizeof *h)
        return fk_fail(err, FK_EINVAL, "snapshot",
                       "%s: truncated or padded snapshot (%llu payload bytes, header says %llu)",
                       path, (unsigned long long)(size - sizeof *h),
                       (unsigned long long)h->payload_len);
    /* Row numbers are 32-bit in the index; anything larger cannot come from a build. */
    if (h->nmerged >= UINT32_MAX || h->npairs >= UINT32_MAX ||
        h->ndetections >= UINT32_MAX / 2 || h->subj_blob > size || h->place_blob > size)
        return refuse(err, path, "counts out of range");
    ix->nrecords = h->nrecords;
    ix->nmerged = h->nmerged;
    ix->npairs = h->npairs;
    ix->ndetections = h->ndetections;
    ix->subjects = (trace__names){.n = h->nsubj, .cap = h->nsubj, .nslots = h->subj_slots,
                                  .blob_len = h->subj_blob, .blob_cap = h->subj_blob};
    ix->places = (trace__names){.n = h->nplace, .cap = h->nplace, .nslots = h->place_slots,
                                .blob_len = h->place_blob, .blob_cap = h->place_blob};
    return 0;
}

/* a[0..n] starts at 0, never decreases and ends at last. */
static int offsets_ok(const uint32_t *a, uint64_t n, uint64_t last)
{
    if (a[0] != 0 || a[n] != last)
        return 0;
    for (uint64_t i = 0; i < n; i++)
        if (a[i] > a[i + 1])
            return 0;
    return 1;
}

/* Every id in a[0..n) is below limit. */
static int ids_ok(const uint32_t *a, uint64_t n, uint64_t limit)
{
    for (uint64_t i = 0; i < n; i++)
        if (a[i] >= limit)
            return 0;
    return 1;
}

/* Names end inside the blob and are shorter than maxlen; the hash table can terminate. */
static int names_ok(const trace__names *t, size_t maxlen)
{
    if (t->n && (t->blob_len == 0 || t->blob[t->blob_len - 1] != '\0'))
        return 0;
    for (uint32_t i = 0; i < t->n; i++)
        if (t->off[i] >= t->blob_len || strnlen(t->blob + t->off[i], maxlen) >= maxlen)
            return 0;
    if (t->nslots == 0)
        return 1;            /* lookups answer "unknown" without probing */
    if ((t->nslots & (t->nslots - 1)) != 0)
        return 0;
    size_t empty = 0;
    for (uint32_t i = 0; i < t->nslots; i++) {
        if (t->slots[i] > t->n)
            return 0;
        empty += t->slots[i] == 0;
    }
    return empty > 0;
}

/* Every time in a[0..n) is a time the build accepts (queries subtract them). */
static int times_ok(const int64_t *a, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (a[i] < 0 || a[i] > TRACE_TIME_MAX)
            return 0;
    return 1;
}

static const char *structure_problem(const trace_index *ix)
{
    uint64_t ns = ix->subjects.n, np = ix->places.n, m = ix->nmerged, q = ix->npairs;
    uint64_t d = 2 * (uint64_t)ix->ndetections;
    if (!names_ok(&ix->subjects, sizeof ((trace_contact *)0)->subject) ||
        !names_ok(&ix->places, sizeof ((trace_contact *)0)->place))
        return "bad name table";
    if (!offsets_ok(ix->place_off, np, m) || !offsets_ok(ix->subj_off, ns, q) ||
        !offsets_ok(ix->pair_off, q, m) || !offsets_ok(ix->prox_off, ns, d))
        return "bad offsets";
    if (!ids_ok(ix->subj, m, ns) || !ids_ok(ix->sp_rec, m, m) || !ids_ok(ix->row_pair, m, q) ||
        !ids_ok(ix->pair_place, q, np) || !ids_ok(ix->prox_other, d, ns))
        return "id out of range";
    if (!times_ok(ix->start, m) || !times_ok(ix->end, m) || !times_ok(ix->place_maxlen, np) ||
        !times_ok(ix->prox_time, d))
        return "time out of range";
    return NULL;
}

/* Layout, checksum and structure of the mapped file; ix's arrays point into it. */
static int check_mapped(trace_index *ix, const char *map, uint64_t size, const char *path,
                        fk_err *err)
{
    snap_header h;
    memcpy(&h, map, sizeof h);
    if (check_header(&h, size, ix, path, err) != 0)
        return -1;
    cursor c = {.mode = CUR_MAP, .payload = map + sizeof h, .len = h.payload_len};
    walk_arrays(ix, &c);
    if (c.err || c.off != h.payload_len)
        return refuse(err, path, "array sizes do not match the file size");
    if (trace__snapshot_checksum(map, size) != h.checksum)
        return refuse(err, path, "checksum mismatch (corrupted snapshot)");
    const char *problem = structure_problem(ix);
    if (problem)
        return refuse(err, path, problem);
    return 0;
}

trace_index *trace_index_open(const char *path, trace_snapshot_marks *m, fk_err *err)
{
    if (!path || !path[0]) {
        fk_fail(err, FK_EINVAL, "path", "no snapshot path");
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        fk_fail(err, FK_EIO, "snapshot", "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    uint64_t size = (uint64_t)sb.st_size;
    if (size < sizeof(snap_header)) {
        close(fd);
        fk_fail(err, FK_EINVAL, "snapshot", "%s: truncated snapshot (%llu bytes)", path,
                (unsigned long long)size);
        return NULL;
    }
    /* MAP_POPULATE: the checksum reads every page anyway; faulting them in one call
     * is cheaper than one fault at a time. */
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    int merr = errno;
    close(fd);
    if (map == MAP_FAILED) {
        fk_fail(err, FK_EIO, "snapshot", "%s: mmap: %s", path, strerror(merr));
        return NULL;
    }
    trace_index *ix = fk_calloc(1, sizeof *ix);
    if (check_mapped(ix, map, size, path, err) != 0) {
        munmap(map, size);
        free(ix);
        return NULL;
    }
    ix->map = map;
    ix->map_len = size;
    if (m) {
        const snap_header *h = map;
        *m = (trace_snapshot_marks){h->version, h->mark_stays, h->mark_pings, h->mark_detections};
    }
    return ix;
}

void trace__unmap(trace_index *ix)
{
    munmap(ix->map, ix->map_len);
    free(ix);
}
