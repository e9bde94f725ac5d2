/*
 * codes.c - health codes (contract: codes.h).
 *
 * Overrides, as a state machine (the schema enforces it, 0020):
 *
 *     pending --approve (another user)--> approved --until passes (sweep)--> expired
 *        |
 *        +----reject (another user)-----> rejected
 *
 * Only an approved override in force changes a colour, and only through the recompute,
 * which logs it with the override's id: there is no other write path to health_codes.
 */
#include "services/codes.h"

#include <jansson.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "codes/qr.h"
#include "model/idcard.h"
#include "model/person.h"
#include "model/role.h"
#include "services/throttle.h"

/* ---- compiling the policy's rules ------------------------------------------------------- */

#define MAX_RULES 32

static void json_text(const json_t *j, char *out, size_t cap)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    snprintf(out, cap, "%s", s ? s : "[]");
    free(s);
}

/* The clearance of each contact kind a pending_clearance rule covers, keyed by the kind
 * contacts use ('companion', 'venue'), from measures.<cohort>.clearance. */
static json_t *clearance_kinds(const json_t *doc, const json_t *cohorts)
{
    static const struct { const char *cohort, *kind; } kinds[] = {
        {"companion", "companion"}, {"venue_exposure", "venue"}};
    json_t *out = json_object(), *c;
    size_t i;
    json_array_foreach(cohorts, i, c) {
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            if (strcmp(json_string_value(c), kinds[k].cohort) != 0)
                continue;
            const json_t *m = json_object_get(json_object_get(doc, "measures"), kinds[k].cohort);
            const json_t *cl = json_object_get(m, "clearance");
            if (!cl || json_is_false(json_object_get(m, "applies")))
                continue;
            json_object_set_new(out, kinds[k].kind,
                                json_pack("{s:s, s:O, s:O}", "cohort", kinds[k].cohort,
                                          "tests", json_object_get(cl, "tests"), "min_gap_h",
                                          json_object_get(cl, "min_gap_h")));
        }
    }
    return out;
}

static int compile_rule(const json_t *doc, const json_t *r, int ord, code_rule_rec *out,
                        fk_err *err)
{
    const char *cond = json_string_value(json_object_get(r, "condition"));
    memset(out, 0, sizeof *out);
    out->ord = ord;
    snprintf(out->rule, sizeof out->rule, "%s", json_string_value(json_object_get(r, "id")));
    snprintf(out->zh, sizeof out->zh, "%s", json_string_value(json_object_get(r, "zh")) ?: "");
    snprintf(out->colour, sizeof out->colour, "%s",
             json_string_value(json_object_get(r, "colour")));
    snprintf(out->condition, sizeof out->condition, "%s", cond ? cond : "");
    if (!store_codes_condition_known(out->condition))
        return fk_fail(err, FK_EINVAL, "health_code.rules", "health_code.rules.%d: condition "
                       "'%s' is not one fangkong evaluates", ord, out->condition);
    json_t *params = json_object();
    const char *keys[] = {"cohorts", "phases", "levels"};
    for (size_t k = 0; k < 3; k++)
        json_object_set_new(params, keys[k], json_deep_copy(json_object_get(r, keys[k])) ?:
                            json_array());
    if (!strcmp(out->condition, "pending_clearance"))
        json_object_set_new(params, "kinds",
                            clearance_kinds(doc, json_object_get(params, "cohorts")));
    json_text(params, out->params, sizeof out->params);
    json_decref(params);
    return 0;
}

static int compile(const policy *pol, code_settings_rec *cs, code_rule_rec *rules, size_t *n,
                   fk_err *err)
{
    json_t *doc = policy_document(pol), *r;
    const json_t *hc = json_object_get(doc, "health_code");
    const json_t *rr = json_object_get(hc, "rules");
    const json_t *restrict_ = json_object_get(hc, "red_restriction");
    size_t i;
    int rc = 0;
    memset(cs, 0, sizeof *cs);
    *n = 0;
    if (json_array_size(rr) == 0 || json_array_size(rr) > MAX_RULES) {
        json_decref(doc);
        return fk_fail(err, FK_EINVAL, "health_code.rules", "health_code.rules: 1 to %d rules",
                       MAX_RULES);
    }
    json_array_foreach(rr, i, r) {
        if (rc == 0)
            rc = compile_rule(doc, r, (int)i, &rules[i], err);
    }
    *n = json_array_size(rr);
    snprintf(cs->policy_version, sizeof cs->policy_version, "%s", policy_id(pol));
    cs->utc_offset_h = json_integer_value(json_object_get(json_object_get(doc, "reporting"),
                                                          "utc_offset_h"));
    cs->overdue_grace_h = json_integer_value(json_object_get(hc, "overdue_grace_h"));
    cs->red_restricted = json_is_true(json_object_get(restrict_, "enabled"));
    json_text(json_object_get(restrict_, "cohorts"), cs->red_cohorts, sizeof cs->red_cohorts);
    json_decref(doc);
    return rc;
}

/* A digest of what the recompute reads, so an unchanged policy costs nothing at start. */
static void fingerprint(code_settings_rec *cs, const code_rule_rec *rules, size_t n)
{
    crypto_generichash_state h;
    unsigned char d[32];
    crypto_generichash_init(&h, NULL, 0, sizeof d);
    crypto_generichash_update(&h, (const unsigned char *)cs, offsetof(code_settings_rec,
                                                                      fingerprint));
    char nums[96];
    snprintf(nums, sizeof nums, "%lld/%lld/%d/%s", (long long)cs->utc_offset_h,
             (long long)cs->overdue_grace_h, cs->red_restricted, "v1");
    crypto_generichash_update(&h, (const unsigned char *)nums, strlen(nums));
    crypto_generichash_update(&h, (const unsigned char *)cs->red_cohorts, strlen(cs->red_cohorts));
    for (size_t i = 0; i < n; i++) {
        char row[1400];
        snprintf(row, sizeof row, "%d|%s|%s|%s|%s|%s", rules[i].ord, rules[i].rule, rules[i].zh,
                 rules[i].colour, rules[i].condition, rules[i].params);
        crypto_generichash_update(&h, (const unsigned char *)row, strlen(row));
    }
    crypto_generichash_final(&h, d, sizeof d);
    sodium_bin2hex(cs->fingerprint, sizeof cs->fingerprint, d, sizeof d);
}

int codes_install(store *st, const policy *pol, code_run *out, fk_err *err)
{
    code_settings_rec cs, now_cs;
    code_rule_rec *rules = fk_calloc(MAX_RULES, sizeof *rules);
    size_t n = 0;
    actor sys;
    code_run ignored;
    out = out ? out : &ignored;
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0 || compile(pol, &cs, rules, &n, err) != 0) {
        free(rules);
        return -1;
    }
    fingerprint(&cs, rules, n);
    cs.installed_at = fk_now();
    int found = store_codes_settings(st, &now_cs, err);
    if (found < 0 || (found && !strcmp(now_cs.fingerprint, cs.fingerprint))) {
        free(rules);
        return found < 0 ? -1 : 0;
    }
    actor_system(&sys, "policy");
    int rc = store_begin(st, err);
    if (rc == 0) {
        rc = store_codes_install(st, &cs, rules, n, err) ||
             codes_recompute_all(st, &sys, "policy", out, err) ? -1 : 0;
        rc = store_end(st, rc, err);
    }
    free(rules);
    return rc;
}

/* ---- recompute ----------------------------------------------------------------------------- */

static int recompute(store *st, const actor *a, const char *source, codes_by by, int64_t id,
                     const char *ids, code_run *out, fk_err *err)
{
    code_run ignored;
    int64_t now = fk_now();
    if (store_begin(st, err) != 0)
        return -1;
    int rc = store_codes_touch(st, by, id, ids, now, err) ||
             store_codes_recompute(st, now, a->username, source, out ? out : &ignored, err)
                 ? -1 : 0;
    return store_end(st, rc, err);
}

int codes_recompute_for(store *st, const actor *a, const char *source, codes_by by, int64_t id,
                        fk_err *err)
{
    return recompute(st, a, source, by, id, NULL, NULL, err);
}

int codes_recompute_set(store *st, const actor *a, const char *source, codes_by by,
                        const char *ids, fk_err *err)
{
    return recompute(st, a, source, by, 0, ids, NULL, err);
}

int codes_recompute_results(store *st, const actor *a, const char *source, int64_t first,
                            int64_t last, const char *rows, fk_err *err)
{
    strbuf run = STRBUF_INIT;
    sb_appendf(&run, "{\"last\":%lld,\"rows\":%s}", (long long)last, rows ? rows : "[]");
    int rc = recompute(st, a, source, CODES_BY_RESULT_RANGE, first, sb_str(&run), NULL, err);
    sb_free(&run);
    return rc;
}

int codes_recompute_all(store *st, const actor *a, const char *source, code_run *out,
                        fk_err *err)
{
    return recompute(st, a, source, CODES_BY_ALL, 0, NULL, out, err);
}

int codes_touch(store *st, codes_by by, int64_t id, fk_err *err)
{
    return store_codes_touch(st, by, id, NULL, fk_now(), err);
}

int codes_recompute_touched(store *st, const actor *a, const char *source, code_run *out,
                            fk_err *err)
{
    code_run ignored;
    return store_codes_recompute(st, fk_now(), a->username, source, out ? out : &ignored, err);
}

int codes_sweep(store *st, int64_t now, code_run *out, fk_err *err)
{
    actor sys;
    int64_t expired = 0;
    code_run ignored;
    out = out ? out : &ignored;
    actor_system(&sys, "codes sweep");
    if (store_begin(st, err) != 0)
        return -1;
    int rc = store_overrides_expire(st, now, &expired, err) ||
             store_codes_touch(st, CODES_BY_DUE, 0, NULL, now, err) ||
             store_codes_recompute(st, now, sys.username, "sweep", out, err) ? -1 : 0;
    return store_end(st, rc, err);
}

/* ---- the runtime: key and scan audit queue -------------------------------------------------- */

/* Scans are audited without a synchronous commit per request: the handler appends to
 * a bounded in-memory queue and a thread writes what is queued as one transaction every
 * SCAN_FLUSH_MS (or sooner when a shard of the queue is half full) into code_scans (0029:
 * a table of its own, no index; store_audit_list reads it with the audit table). What
 * kill -9 can lose: the scans of the last tenth of a second or so, which were reads
 * (nobody's state changed, the answer was masked); a commit per scan would cap the gates'
 * rate at the disk's fsync rate, which is what the benchmark measures against nginx. When
 * a shard is full the scans past it are counted, and the count is written as one audit
 * record, so a loss is never silent.
 *
 * The queue is SCAN_SHARDS shards, each two arrays under a mutex of its own; a thread
 * appends to the shard of its ordinal (the server's default of four workers: one shard
 * each), so a worker's lock is contended only at the writer's swap, ten times a second.
 * One queue under one mutex was a lock every worker took at every scan, and on two cores
 * shared by four workers and wrk a worker waiting for a holder that had lost its core
 * waits for that holder's next turn. (With this and the wal-index header's mapping kept,
 * store_sqlite.c, the server's futex calls at 256 connections fell from one in five scans
 * to one in thirty: strace -c of bench/codes.) An entry is
 * made before the lock, so a lock covers a copy and a count; the writer swaps a shard's
 * `fill` and `spare` under its mutex and reads the full one without it. Only the drainer
 * (the writer thread, or a flush, each holding `drain_mu`) touches `spare` and `batch`
 * outside the mutexes. Holding a lock while copying a second's worth of scans stalled
 * every worker thread once a second, at the moment a gate's p99 is made.
 *
 * Time order: code_scans promises its readers that rowid order is time order. An entry's
 * time never goes back within its shard (`last_at`); the drainer merges the shards by
 * time into `batch`, and an entry older than the last one written (a shard swapped a few
 * microseconds later across a second's boundary) is written at that last time, at most
 * the one second later. */
#define SCAN_QUEUE 65536
#define SCAN_SHARDS 4
#define SHARD_QUEUE (SCAN_QUEUE / SCAN_SHARDS)
/* How often the writer commits. Its work is about the same whatever the interval (35-40
 * ms of CPU a second at 50,000-60,000 scans a second, perf of bench/codes at 256
 * connections); once a second it came as one burst on one of the two cores, which that
 * core's workers and wrk then shared with it: a window as long as the slowest percent of
 * a second's requests, where a gate's p99 is made. Ten commits a second make ten bursts
 * of a few ms. */
#define SCAN_FLUSH_MS 100

typedef struct scan_shard {
    pthread_mutex_t mu;           /* fill, n, lost, last_at */
    scan_audit_rec *fill, *spare; /* SHARD_QUEUE entries each */
    size_t n;                     /* entries in fill */
    int64_t lost, last_at;
    char pad[64]; /* the next shard's lock off this one's cache line */
} scan_shard;

struct codes_runtime {
    code_key key;
    char *data_dir;
    scan_shard shards[SCAN_SHARDS];
    pthread_mutex_t mu;       /* stop, wake (the writer's wait) */
    pthread_mutex_t drain_mu; /* one drainer at a time: the writer or a flush */
    pthread_cond_t cv;
    pthread_t thread;
    bool stop, wake, started;
    scan_audit_rec *batch;    /* SCAN_QUEUE entries: the shards merged (drain_mu) */
    int64_t written_at;       /* the time of the last entry written (drain_mu) */
    pthread_key_t memory_key; /* each thread's scan_memory (see codes_scan) */
    bool memory_key_made;
};

const code_key *codes_runtime_key(const codes_runtime *rt)
{
    return &rt->key;
}

/* The calling thread's shard: threads take ordinals in the order of their first scan. */
static scan_shard *shard_of_thread(codes_runtime *rt)
{
    static atomic_uint next_ordinal;
    static _Thread_local unsigned ordinal; /* 0: none yet; else ordinal + 1 */
    if (!ordinal)
        ordinal = atomic_fetch_add(&next_ordinal, 1) + 1;
    return &rt->shards[(ordinal - 1) % SCAN_SHARDS];
}

static void copy_text(char *out, size_t cap, const char *s)
{
    size_t n = s ? strnlen(s, cap - 1) : 0;
    memcpy(out, s ? s : "", n);
    out[n] = 0;
}

/* The scan's record at `now` (the scan reads the clock once: a clock read is about 60 ns
 * in this virtual machine). */
static void log_scan_at(codes_runtime *rt, int64_t person_id, const char *colour,
                        const char *remote, int64_t now)
{
    scan_audit_rec e = {.person_id = person_id};
    copy_text(e.colour, sizeof e.colour, colour);
    copy_text(e.remote, sizeof e.remote, remote);
    scan_shard *sh = shard_of_thread(rt);
    bool half = false;
    pthread_mutex_lock(&sh->mu);
    if (now > sh->last_at)
        sh->last_at = now;
    e.at = sh->last_at;
    if (sh->n == SHARD_QUEUE) {
        sh->lost++;
    } else {
        sh->fill[sh->n] = e;
        half = ++sh->n == SHARD_QUEUE / 2;
    }
    pthread_mutex_unlock(&sh->mu);
    if (half) {
        pthread_mutex_lock(&rt->mu);
        rt->wake = true;
        pthread_cond_signal(&rt->cv);
        pthread_mutex_unlock(&rt->mu);
    }
}

void codes_runtime_log_scan(codes_runtime *rt, int64_t person_id, const char *colour,
                            const char *remote)
{
    if (rt)
        log_scan_at(rt, person_id, colour, remote, fk_now());
}

/* Swap one shard's arrays: *out is the one filled so far, n entries, valid until the next
 * take (the caller holds drain_mu). */
static size_t take_shard(scan_shard *sh, scan_audit_rec **out, int64_t *lost)
{
    pthread_mutex_lock(&sh->mu);
    size_t n = sh->n;
    scan_audit_rec *full = sh->fill;
    sh->fill = sh->spare;
    sh->spare = full;
    sh->n = 0;
    *lost += sh->lost;
    sh->lost = 0;
    pthread_mutex_unlock(&sh->mu);
    *out = full;
    return n;
}

/* Everything queued, merged by time into rt->batch (each shard is in time order), no
 * entry before the last one written. The caller holds drain_mu. */
static size_t take(codes_runtime *rt, int64_t *lost)
{
    scan_audit_rec *part[SCAN_SHARDS];
    size_t len[SCAN_SHARDS], at[SCAN_SHARDS] = {0}, n = 0;
    *lost = 0;
    for (int i = 0; i < SCAN_SHARDS; i++)
        len[i] = take_shard(&rt->shards[i], &part[i], lost);
    for (;;) {
        int next = -1;
        for (int i = 0; i < SCAN_SHARDS; i++)
            if (at[i] < len[i] && (next < 0 || part[i][at[i]].at < part[next][at[next]].at))
                next = i;
        if (next < 0)
            break;
        scan_audit_rec *e = &rt->batch[n++];
        *e = part[next][at[next]++];
        if (e->at < rt->written_at)
            e->at = rt->written_at;
        rt->written_at = e->at;
    }
    return n;
}

/* One commit for the batch; the queue's losses, rare, as an audit record after it. */
static int write_scans(store *st, const scan_audit_rec *e, size_t n, int64_t lost, fk_err *err)
{
    if (n && store_scan_audit_append_many(st, e, n, err) != 0)
        return -1;
    if (!lost)
        return 0;
    audit_rec r = {.at = fk_now()};
    snprintf(r.actor, sizeof r.actor, "system");
    snprintf(r.action, sizeof r.action, "scan");
    snprintf(r.entity, sizeof r.entity, "health_code");
    snprintf(r.detail, sizeof r.detail, "%lld scans not recorded: the audit queue was full",
             (long long)lost);
    return store_audit_append(st, &r, err);
}

static int flush_with(codes_runtime *rt, store *st, fk_err *err)
{
    int64_t lost;
    pthread_mutex_lock(&rt->drain_mu);
    size_t n = take(rt, &lost);
    int rc = (n || lost) ? write_scans(st, rt->batch, n, lost, err) : 0;
    pthread_mutex_unlock(&rt->drain_mu);
    return rc;
}

int codes_runtime_flush(codes_runtime *rt, fk_err *err)
{
    store *st = store_open(rt->data_dir, err);
    if (!st)
        return -1;
    int rc = flush_with(rt, st, err);
    store_close(st);
    return rc;
}

/* The writer yields to the workers: SCHED_BATCH (a normal thread's share of the CPU, so
 * it keeps up, but its wake-up never preempts a running worker: it waits for the end of
 * that worker's slice or for a core to go idle). Unprivileged; a refusal is only logged. */
static void scan_writer_yields(void)
{
    struct sched_param sp = {0};
    pthread_setname_np(pthread_self(), "fk-scan-audit"); /* what perf and top show */
    int rc = pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
    if (rc != 0)
        log_warn("codes", "scan audit writer: SCHED_BATCH refused: %s", strerror(rc));
}

static void *scan_writer(void *arg)
{
    codes_runtime *rt = arg;
    fk_err err;
    scan_writer_yields();
    store *st = store_open(rt->data_dir, &err);
    if (!st)
        log_warn("codes", "scan audit writer: %s", err.message);
    for (;;) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += SCAN_FLUSH_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_mutex_lock(&rt->mu);
        while (!rt->stop && !rt->wake &&
               pthread_cond_timedwait(&rt->cv, &rt->mu, &until) == 0)
            ;
        bool stop = rt->stop;
        rt->wake = false;
        pthread_mutex_unlock(&rt->mu);
        if (st && flush_with(rt, st, &err) != 0)
            log_warn("codes", "scan audit: %s", err.message);
        if (stop)
            break;
    }
    store_close(st);
    return NULL;
}

codes_runtime *codes_runtime_start(const char *data_dir, fk_err *err)
{
    codes_runtime *rt = fk_calloc(1, sizeof *rt);
    if (code_key_load(data_dir, &rt->key, err) != 0) {
        free(rt);
        return NULL;
    }
    rt->data_dir = fk_strdup(data_dir);
    for (int i = 0; i < SCAN_SHARDS; i++) {
        scan_shard *sh = &rt->shards[i];
        sh->fill = fk_calloc(SHARD_QUEUE, sizeof *sh->fill);
        sh->spare = fk_calloc(SHARD_QUEUE, sizeof *sh->spare);
        pthread_mutex_init(&sh->mu, NULL);
    }
    rt->batch = fk_calloc(SCAN_QUEUE, sizeof *rt->batch);
    pthread_mutex_init(&rt->mu, NULL);
    pthread_mutex_init(&rt->drain_mu, NULL);
    pthread_cond_init(&rt->cv, NULL);
    rt->memory_key_made = pthread_key_create(&rt->memory_key, free) == 0;
    if (pthread_create(&rt->thread, NULL, scan_writer, rt) != 0) {
        codes_runtime_stop(rt);
        fk_fail(err, FK_EINTERNAL, "", "codes: cannot start the scan audit writer");
        return NULL;
    }
    rt->started = true;
    return rt;
}

void codes_runtime_stop(codes_runtime *rt)
{
    if (!rt)
        return;
    if (rt->started) {
        pthread_mutex_lock(&rt->mu);
        rt->stop = true;
        pthread_cond_signal(&rt->cv);
        pthread_mutex_unlock(&rt->mu);
        pthread_join(rt->thread, NULL);
    }
    if (rt->memory_key_made) { /* the other threads' memory went with them (the server's) */
        free(pthread_getspecific(rt->memory_key));
        pthread_key_delete(rt->memory_key);
    }
    pthread_mutex_destroy(&rt->mu);
    pthread_mutex_destroy(&rt->drain_mu);
    pthread_cond_destroy(&rt->cv);
    sodium_memzero(&rt->key, sizeof rt->key);
    for (int i = 0; i < SCAN_SHARDS; i++) {
        pthread_mutex_destroy(&rt->shards[i].mu);
        free(rt->shards[i].fill);
        free(rt->shards[i].spare);
    }
    free(rt->batch);
    free(rt->data_dir);
    free(rt);
}

/* ---- reads --------------------------------------------------------------------------------- */

const char *codes_colour_zh(const char *colour)
{
    if (!strcmp(colour, "red"))
        return "红码";
    if (!strcmp(colour, "yellow"))
        return "黄码";
    if (!strcmp(colour, "green"))
        return "绿码";
    return "";
}

void codes_mask_name(const char *name, char *out, size_t cap)
{
    size_t k = 1;
    unsigned char c = (unsigned char)name[0];
    if (!c) {
        snprintf(out, cap, "某某");
        return;
    }
    if (c >= 0xF0)
        k = 4;
    else if (c >= 0xE0)
        k = 3;
    else if (c >= 0xC0)
        k = 2;
    if (strnlen(name, k) < k)
        k = strnlen(name, k);
    snprintf(out, cap, "%.*s某某", (int)k, name);
}

void code_view_free(code_view *v)
{
    if (v) {
        free(v->qr_svg);
        v->qr_svg = NULL;
    }
}

/* The code row of a person, made now when the person has none yet (a person added by a
 * path that did not recompute). 0 or -1; FK_ENOTFOUND when the person does not exist. */
static int code_of(store *st, int64_t person_id, code_rec *out, fk_err *err)
{
    int found = store_code_get(st, person_id, out, err);
    if (found != 0)
        return found < 0 ? -1 : 0;
    actor sys;
    actor_system(&sys, "codes first read");
    if (codes_recompute_for(st, &sys, "first_read", CODES_BY_PERSON, person_id, err) != 0)
        return -1;
    found = store_code_get(st, person_id, out, err);
    if (found == 0)
        return fk_fail(err, FK_ENOTFOUND, "id", "id: no code for person %lld (no rules "
                       "installed, or no such person)", (long long)person_id);
    return found < 0 ? -1 : 0;
}

static int view_fill(const policy *pol, const code_key *key, code_view *out, fk_err *err)
{
    int64_t valid_s = 300;
    if (policy_get_int(pol, "health_code.token_valid_s", &valid_s, err) != 0)
        return -1;
    strbuf svg = STRBUF_INIT;
    out->colour_zh = codes_colour_zh(out->code.colour);
    out->valid_until = fk_now() + valid_s;
    code_token_make(key, out->code.person_id, out->valid_until, out->token);
    if (code_qr_svg(out->token, out->code.colour, &svg, NULL, err) != 0) {
        sb_free(&svg);
        return -1;
    }
    out->qr_svg = fk_strdup(sb_str(&svg));
    sb_free(&svg);
    codes_mask_name(out->code.name, out->name_masked, sizeof out->name_masked);
    return 0;
}

/* A person the caller may see: one that exists inside the caller's area. Outside it the
 * person is answered as missing, so a code never tells whether someone exists elsewhere. */
static int person_in_reach(store *st, const actor *a, int64_t person_id, fk_err *err)
{
    person p;
    fk_err ignored;
    if (store_person_get(st, person_id, &p, &ignored) != 0 ||
        !role_in_jurisdiction(a->area_code, p.community_code))
        return fk_fail(err, FK_ENOTFOUND, "id", "id: no person %lld", (long long)person_id);
    return 0;
}

int codes_person_code(store *st, const policy *pol, const code_key *key, const actor *a,
                      int64_t person_id, code_view *out, fk_err *err)
{
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_CODES, err) != 0)
        return -1;
    if (person_in_reach(st, a, person_id, err) != 0)
        return -1;
    if (code_of(st, person_id, &out->code, err) != 0 || view_fill(pol, key, out, err) != 0 ||
        actor_audit_append(st, a, "read", "health_code", person_id, out->code.colour, err)) {
        code_view_free(out);
        return -1;
    }
    return 0;
}

static void public_audit(store *st, const char *action, const char *remote)
{
    fk_err ignored;
    audit_rec r = {0};
    snprintf(r.actor, sizeof r.actor, "public");
    snprintf(r.action, sizeof r.action, "%s", action);
    snprintf(r.entity, sizeof r.entity, "health_code");
    snprintf(r.remote, sizeof r.remote, "%s", remote ? remote : "");
    store_audit_append(st, &r, &ignored);
}

/* Guessing a phone for a known ID number, or an ID number for a known phone, costs a
 * throttle window per few tries: both halves are keys. */
static int public_throttled(throttle *t, const char *id_number, const char *phone, char *by_id,
                            char *by_phone, int64_t now, fk_err *err)
{
    snprintf(by_id, 64, "code-id:%.40s", id_number ? id_number : "");
    snprintf(by_phone, 64, "code-phone:%.40s", phone ? phone : "");
    return throttle_check(t, by_id, "id_number", now, err) != 0 ||
           throttle_check(t, by_phone, "phone", now, err) != 0;
}

int codes_public_code(store *st, throttle *t, const policy *pol, const code_key *key,
                      const char *id_number, const char *phone, const char *remote,
                      code_view *out, fk_err *err)
{
    person p;
    fk_err ignored;
    char by_id[64], by_phone[64];
    int64_t now = fk_now();
    memset(out, 0, sizeof *out);
    if (public_throttled(t, id_number, phone, by_id, by_phone, now, err)) {
        public_audit(st, "login_refused", remote);
        return -1;
    }
    if (!id_number || !phone || !*id_number || !*phone ||
        store_person_find_by_id_number(st, id_number, &p, &ignored) != 0 ||
        strcmp(p.phone, phone) != 0) {
        throttle_failed(t, by_id, now);
        throttle_failed(t, by_phone, now);
        public_audit(st, "login_failed", remote);
        return fk_fail(err, FK_EUNAUTH, "", "the ID number and phone do not match a person");
    }
    throttle_succeeded(t, by_id);
    throttle_succeeded(t, by_phone);
    if (code_of(st, p.id, &out->code, err) != 0 || view_fill(pol, key, out, err) != 0) {
        code_view_free(out);
        return -1;
    }
    audit_rec r = {.entity_id = p.id};
    snprintf(r.actor, sizeof r.actor, "public");
    snprintf(r.action, sizeof r.action, "read");
    snprintf(r.entity, sizeof r.entity, "health_code");
    snprintf(r.detail, sizeof r.detail, "own code by ID number and phone");
    snprintf(r.remote, sizeof r.remote, "%s", remote ? remote : "");
    if (store_audit_append(st, &r, err) != 0) {
        code_view_free(out);
        return -1;
    }
    return 0;
}

/* ---- the scan: what each worker thread keeps -------------------------------------------------
 *
 * A gate's scan is the platform's hottest call, and a code is scanned again and again:
 * at each gate and door a person passes, a queue's codes scanned twice, a token's every
 * scan within its life (bench/codes cycles 3,000 tokens: the best case of what follows;
 * a scan whose person was never kept costs what it did before, plus the version). Each
 * thread that scans keeps, without locks (its own memory, freed when the thread ends):
 *  - tokens: the exact 64 characters of each token whose MAC held, with the person and
 *    expiry it carries. A scan of those same bytes skips the HMAC (a forged token never
 *    gets in: only what verified is kept, compared byte for byte, never by a hash
 *    alone); the expiry is checked on every scan as before.
 *  - answers: each person's answer (colour, rule, its Chinese name, masked name, last
 *    negative test, override) with the store's code_answers_version it was read at
 *    (migration 0033). A scan reads that version (one row, and no row at all while no
 *    transaction committed since its last read: store_sqlite_codes.c) and uses the
 *    answer only while it has not moved; every writer of what the answer is made of
 *    moves it, in this process or another, so a change shows on the very next scan. The
 *    version is read before the answer: a change committed in between leaves a newer
 *    answer under an older version, read again next time, never the reverse.
 * Both are open-addressed tables of SCAN_SLOTS; at three quarters full one is emptied
 * whole (bounded memory, no eviction bookkeeping; a gate's working set is far smaller). */
#define SCAN_SLOTS 8192
#define SCAN_FULL (SCAN_SLOTS / 4 * 3)

typedef struct token_slot {
    char token[CODE_TOKEN_CHARS]; /* the verified bytes; token[0] == 0: empty */
    int64_t person_id, expires;
} token_slot;

typedef struct answer_slot {
    int64_t person_id, version; /* version 0: empty */
    int64_t last_negative_at, override_id;
    char colour[8], rule[48], rule_zh[128], name_masked[64];
} answer_slot;

typedef struct scan_memory {
    size_t n_tokens, n_answers;
    token_slot tokens[SCAN_SLOTS];
    answer_slot answers[SCAN_SLOTS];
} scan_memory;

static scan_memory *scan_memory_of(codes_runtime *rt)
{
    if (!rt->memory_key_made)
        return NULL;
    scan_memory *m = pthread_getspecific(rt->memory_key);
    if (!m) {
        m = calloc(1, sizeof *m); /* NULL: this thread scans without memory */
        if (m && pthread_setspecific(rt->memory_key, m) != 0) {
            free(m);
            m = NULL;
        }
    }
    return m;
}

static size_t slot_of(uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 40) & (SCAN_SLOTS - 1);
}

/* The token's slot: where it is kept, or the empty one where it would go. The key is
 * eight characters of its MAC (uniform for tokens that verified). */
static token_slot *token_find(scan_memory *m, const char *token)
{
    uint64_t key;
    memcpy(&key, token + CODE_TOKEN_CHARS - sizeof key, sizeof key);
    for (size_t i = slot_of(key);; i = (i + 1) & (SCAN_SLOTS - 1)) {
        token_slot *t = &m->tokens[i];
        if (!t->token[0] || !memcmp(t->token, token, CODE_TOKEN_CHARS))
            return t;
    }
}

/* The token's person and expiry: from memory when these exact bytes verified before,
 * else verified (code_token_verify's answers and errors) and kept. */
static int token_check(codes_runtime *rt, scan_memory *m, const char *token, int64_t now,
                       int64_t *person_id, int64_t *expires, fk_err *err)
{
    if (!m || !token || strlen(token) != CODE_TOKEN_CHARS)
        return code_token_verify(&rt->key, token, now, person_id, expires, err);
    token_slot *t = token_find(m, token);
    if (t->token[0]) {
        *person_id = t->person_id;
        *expires = t->expires;
        return code_token_expiry(t->expires, now, err);
    }
    if (code_token_verify(&rt->key, token, now, person_id, expires, err) != 0)
        return -1;
    if (m->n_tokens >= SCAN_FULL) {
        memset(m->tokens, 0, sizeof m->tokens);
        m->n_tokens = 0;
        t = token_find(m, token);
    }
    memcpy(t->token, token, CODE_TOKEN_CHARS);
    t->person_id = *person_id;
    t->expires = *expires;
    m->n_tokens++;
    return 0;
}

static answer_slot *answer_find(scan_memory *m, int64_t person_id)
{
    for (size_t i = slot_of((uint64_t)person_id);; i = (i + 1) & (SCAN_SLOTS - 1)) {
        answer_slot *a = &m->answers[i];
        if (!a->version || a->person_id == person_id)
            return a;
    }
}

static void answer_keep(scan_memory *m, answer_slot *a, const code_view *v, int64_t version)
{
    if (!a->version && m->n_answers >= SCAN_FULL) {
        memset(m->answers, 0, sizeof m->answers);
        m->n_answers = 0;
        a = answer_find(m, v->code.person_id);
    }
    if (!a->version)
        m->n_answers++;
    a->person_id = v->code.person_id;
    a->version = version;
    a->last_negative_at = v->code.last_negative_at;
    a->override_id = v->code.override_id;
    copy_text(a->colour, sizeof a->colour, v->code.colour);
    copy_text(a->rule, sizeof a->rule, v->code.rule);
    copy_text(a->rule_zh, sizeof a->rule_zh, v->code.rule_zh);
    copy_text(a->name_masked, sizeof a->name_masked, v->name_masked);
}

static void answer_give(const answer_slot *a, code_view *out)
{
    out->code.person_id = a->person_id;
    out->code.last_negative_at = a->last_negative_at;
    out->code.override_id = a->override_id;
    memcpy(out->code.colour, a->colour, sizeof a->colour);
    memcpy(out->code.rule, a->rule, sizeof a->rule);
    memcpy(out->code.rule_zh, a->rule_zh, sizeof a->rule_zh);
    memcpy(out->name_masked, a->name_masked, sizeof a->name_masked);
}

/* The answer's fields of a person's code: kept, or read (and kept at `version`). */
static int scan_answer(store *st, scan_memory *m, int64_t person_id, code_view *out,
                       fk_err *err)
{
    int64_t version = 0;
    if (m && store_code_answers_version(st, &version, err) != 0)
        return -1;
    answer_slot *a = m && version ? answer_find(m, person_id) : NULL;
    if (a && a->version == version) {
        answer_give(a, out);
        return 0;
    }
    if (code_of(st, person_id, &out->code, err) != 0)
        return -1;
    codes_mask_name(out->code.name, out->name_masked, sizeof out->name_masked);
    if (a)
        answer_keep(m, a, out, version);
    return 0;
}

int codes_scan(store *st, codes_runtime *rt, const char *token, const char *remote,
               code_view *out, fk_err *err)
{
    int64_t person_id, expires;
    memset(out, 0, sizeof *out);
    if (!rt)
        return fk_fail(err, FK_EBUSY, "", "health codes are not served here");
    scan_memory *m = scan_memory_of(rt);
    int64_t now = fk_now();
    if (token_check(rt, m, token, now, &person_id, &expires, err) != 0 ||
        scan_answer(st, m, person_id, out, err) != 0)
        return -1;
    out->valid_until = expires;
    out->colour_zh = codes_colour_zh(out->code.colour);
    log_scan_at(rt, person_id, out->code.colour, remote, now);
    return 0;
}

int codes_token_person(const codes_runtime *rt, const char *token, int64_t *person_id,
                       fk_err *err)
{
    int64_t expires;
    if (!rt)
        return fk_fail(err, FK_EBUSY, "token", "health codes are not served here");
    return code_token_verify(&rt->key, token, fk_now(), person_id, &expires, err);
}

int codes_history(store *st, const actor *a, int64_t person_id, int limit,
                  code_change_list *out, fk_err *err)
{
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_CODES, err) != 0)
        return -1;
    if (person_in_reach(st, a, person_id, err) != 0)
        return -1;
    if (store_code_history(st, person_id, limit, out, err) != 0)
        return -1;
    if (actor_audit_append(st, a, "read", "code_history", person_id, "", err) != 0) {
        code_change_list_free(out);
        return -1;
    }
    return 0;
}

/* ---- overrides ----------------------------------------------------------------------------- */

static bool colour_known(const char *c)
{
    return c && (!strcmp(c, "red") || !strcmp(c, "yellow") || !strcmp(c, "green"));
}

/* Henan's rule (red_restriction): red only for the listed cohorts, overrides included. */
static int red_allowed(store *st, const code_rec *c, fk_err *err)
{
    code_settings_rec cs;
    int found = store_codes_settings(st, &cs, err);
    if (found <= 0 || !cs.red_restricted)
        return found < 0 ? -1 : 0;
    char quoted[48];
    snprintf(quoted, sizeof quoted, "\"%s\"", c->cohort);
    if (c->cohort[0] && strstr(cs.red_cohorts, quoted))
        return 0;
    return fk_fail(err, FK_ECONFLICT, "color", "color: red_restriction of the policy allows red "
                   "only for %s", cs.red_cohorts);
}

static int override_check(const policy *pol, const char *colour, const char *reason,
                          int64_t until, fk_err *err)
{
    bool allowed = false;
    if (policy_get_bool(pol, "health_code.manual_override.allowed", &allowed, err) != 0)
        return -1;
    if (!allowed)
        return fk_fail(err, FK_EFORBIDDEN, "", "the policy in force allows no manual override");
    if (!colour_known(colour))
        return fk_fail(err, FK_EINVAL, "color", "color: red, yellow or green");
    size_t n = reason ? strlen(reason) : 0;
    if (n < 4 || n > 500)
        return fk_fail(err, FK_EINVAL, "reason", "reason: a written reason of 4 to 500 bytes");
    if (until && until <= fk_now())
        return fk_fail(err, FK_EINVAL, "until", "until: must be in the future");
    return 0;
}

int codes_override_request(store *st, const policy *pol, const actor *a, int64_t person_id,
                           const char *colour, const char *reason, int64_t until,
                           override_rec *out, fk_err *err)
{
    code_rec c;
    audit_rec rec;
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_CODE_OVERRIDE, err) != 0 ||
        override_check(pol, colour, reason, until, err) != 0)
        return -1;
    if (person_in_reach(st, a, person_id, err) != 0)
        return -1;
    if (code_of(st, person_id, &c, err) != 0 ||
        (!strcmp(colour, "red") && red_allowed(st, &c, err) != 0))
        return -1;
    out->person_id = person_id;
    out->until = until;
    snprintf(out->colour, sizeof out->colour, "%s", colour);
    snprintf(out->reason, sizeof out->reason, "%s", reason);
    snprintf(out->requested_by, sizeof out->requested_by, "%s", a->username);
    actor_audit(a, &rec, "request", "code_override", 0, colour);
    if (store_override_insert(st, out, &rec, err) != 0)
        return -1;
    return store_override_get(st, out->id, out, err);
}

static int decide_unit(store *st, const actor *a, int64_t id, bool approve, const char *note,
                       const override_rec *o, fk_err *err)
{
    audit_rec rec;
    actor_audit(a, &rec, approve ? "approve" : "reject", "code_override", id, note ? note : "");
    if (store_override_decide(st, id, approve ? "approved" : "rejected", a->username, fk_now(),
                              note, &rec, err) != 0)
        return -1;
    return approve ? codes_recompute_for(st, a, "override", CODES_BY_PERSON, o->person_id, err)
                   : 0;
}

int codes_override_decide(store *st, const actor *a, int64_t id, bool approve, const char *note,
                          override_rec *out, fk_err *err)
{
    if (actor_require(a, PERM_CODE_OVERRIDE, err) != 0)
        return -1;
    if (note && strlen(note) > 500)
        return fk_fail(err, FK_EINVAL, "note", "note: at most 500 bytes");
    if (store_override_get(st, id, out, err) != 0 ||
        !role_in_jurisdiction(a->area_code, out->community_code))
        return fk_fail(err, FK_ENOTFOUND, "id", "id: no override %lld", (long long)id);
    if (strcmp(out->status, "pending") != 0)
        return fk_fail(err, FK_ECONFLICT, "status", "status: override %lld is %s", (long long)id,
                       out->status);
    if (!strcmp(out->requested_by, a->username))
        return fk_fail(err, FK_EFORBIDDEN, "id", "id: an override is approved or rejected by "
                       "another user than the one who asked (%s)", out->requested_by);
    if (store_begin(st, err) != 0)
        return -1;
    if (store_end(st, decide_unit(st, a, id, approve, note, out, err), err) != 0)
        return -1;
    return store_override_get(st, id, out, err);
}

int codes_override_list(store *st, const actor *a, const char *status, int limit, int offset,
                        override_list *out, fk_err *err)
{
    char detail[64];
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_CODE_OVERRIDE, err) != 0)
        return -1;
    if (status && strcmp(status, "pending") && strcmp(status, "approved") &&
        strcmp(status, "rejected") && strcmp(status, "expired"))
        return fk_fail(err, FK_EINVAL, "status", "status: pending, approved, rejected or expired");
    if (store_override_list(st, status, a->area_code[0] ? a->area_code : NULL, limit, offset,
                            out, err) != 0)
        return -1;
    snprintf(detail, sizeof detail, "status=%s returned=%zu", status ? status : "", out->n);
    if (actor_audit_append(st, a, "list", "code_override", 0, detail, err) != 0) {
        override_list_free(out);
        return -1;
    }
    for (size_t i = 0; i < out->n; i++)
        if (!role_can(a->role, PERM_UNMASKED)) {
            char buf[96];
            mask_name(out->items[i].person_name, buf, sizeof buf);
            snprintf(out->items[i].person_name, sizeof out->items[i].person_name, "%s", buf);
        }
    return 0;
}
