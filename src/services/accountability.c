/*
 * accountability.c - the responsibility matrix, failures, performance, briefings and
 * actions (contract: accountability.h).
 *
 * Design: failures and performance are tables. A failure source is a function that
 * appends the failures of a period; a measure is a function that fills one column of
 * the performance table. Both read the store through a context that loads the
 * period's lead facts and report states once, on first use, so a table of any length
 * costs one aggregate query per kind of data, never a query per unit. When transfers
 * exist, a late-transfer source and measure are one row each.
 */
#include "services/accountability.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/timeutil.h"
#include "model/report.h"
#include "model/responsibility.h"
#include "model/role.h"
#include "services/reports.h"

#define DAY 86400
#define MAX_PERIOD_DAYS 366

/* ---- matrix -------------------------------------------------------------------------------- */

static int text_given(const char *v, size_t cap, const char *field, fk_err *err)
{
    if (!v[0])
        return fk_fail(err, FK_EINVAL, field, "%s: required", field);
    if (strlen(v) >= cap)
        return fk_fail(err, FK_EINVAL, field, "%s: at most %zu bytes", field, cap - 1);
    return 0;
}

static int check_resp(store *st, const actor *a, const resp_rec *r, int64_t now, fk_err *err)
{
    area ar;
    fk_err ignored;
    if (actor_require(a, PERM_ACCOUNTABILITY, err) != 0)
        return -1;
    if (!resp_function_known(r->function))
        return fk_fail(err, FK_EINVAL, "function", "function: must be %s", resp_function_list());
    if (r->area_code[0] && store_area_get(st, r->area_code, &ar, &ignored) != 0)
        return fk_fail(err, FK_EREF, "area_code", "area_code: no area %s", r->area_code);
    if (!role_in_jurisdiction(a->area_code, r->area_code))
        return fk_fail(err, FK_EFORBIDDEN, "area_code",
                       "area_code: '%s' is outside your jurisdiction %s", r->area_code,
                       a->area_code);
    if (text_given(r->unit, 96, "unit", err) || text_given(r->official, 64, "official", err))
        return -1;
    if (r->valid_from > now)
        return fk_fail(err, FK_EINVAL, "valid_from", "valid_from: cannot be in the future");
    return 0;
}

int acc_resp_set(store *st, const actor *a, resp_rec *r, int64_t now, fk_err *err)
{
    char detail[160];
    if (!r->valid_from)
        r->valid_from = now;
    if (check_resp(st, a, r, now, err) != 0)
        return -1;
    snprintf(r->set_by, sizeof r->set_by, "%s", a->username);
    r->set_at = now;
    audit_rec rec;
    snprintf(detail, sizeof detail, "area=%s function=%s from=%lld", r->area_code, r->function,
             (long long)r->valid_from);
    actor_audit(a, &rec, "set", "responsibility", 0, detail);
    return store_resp_set(st, r, &rec, err);
}

int acc_resp_list(store *st, const actor *a, const resp_filter *f, resp_list *out, fk_err *err)
{
    char scope[16], detail[128];
    resp_filter g = *f;
    memset(out, 0, sizeof *out);
    if (f->function && !resp_function_known(f->function))
        return fk_fail(err, FK_EINVAL, "function", "function: must be %s", resp_function_list());
    if (!actor_narrow_area(a, f->area_prefix, scope, sizeof scope, &g.area_prefix))
        return 0;
    if (store_resp_list(st, &g, out, err) != 0)
        return -1;
    audit_rec rec;
    snprintf(detail, sizeof detail, "area=%s function=%s at=%lld history=%d returned=%zu",
             g.area_prefix, g.function ? g.function : "", (long long)g.at, g.history, out->n);
    actor_audit(a, &rec, "list", "responsibility", 0, detail);
    if (store_audit_append(st, &rec, err) != 0) {
        resp_list_free(out);
        return -1;
    }
    return 0;
}

/* The row of `function` for exactly `unit` at `at`: 1, 0 when none, -1 on error. */
static int resp_of_unit(store *st, const char *function, const char *unit, int64_t at,
                        resp_rec *out, fk_err *err)
{
    fk_err miss;
    if (store_resp_at(st, function, unit, at, out, &miss) == 0)
        return 1;
    memset(out, 0, sizeof *out);
    if (miss.code == FK_ENOTFOUND)
        return 0;
    *err = miss;
    return -1;
}

int acc_responsible(store *st, const char *function, const char *area_code, int level,
                    int64_t at, resp_rec *out, fk_err *err)
{
    char unit[16];
    resp_unit_code(area_code, level, unit);
    return resp_of_unit(st, function, unit, at, out, err);
}

/* ---- periods ----------------------------------------------------------------------------------- */

static int64_t local_midnight(int64_t days, const report_clock *c)
{
    return days * DAY - (int64_t)c->utc_offset_h * 3600;
}

int acc_period_make(const policy *pol, const char *from_day, const char *to_day, int64_t now,
                    acc_period *out, fk_err *err)
{
    int y, m, d;
    report_clock c;
    memset(out, 0, sizeof *out);
    if (reports_clock(pol, &c, err) != 0 || fk_date_parse(from_day, &y, &m, &d, "from", err))
        return -1;
    int64_t a = fk_days_from_civil(y, m, d);
    if (fk_date_parse(to_day, &y, &m, &d, "to", err) != 0)
        return -1;
    int64_t b = fk_days_from_civil(y, m, d);
    if (b < a)
        return fk_fail(err, FK_EINVAL, "to", "to: before from");
    if (b - a >= MAX_PERIOD_DAYS)
        return fk_fail(err, FK_EINVAL, "to", "to: a period is at most %d days", MAX_PERIOD_DAYS);
    snprintf(out->from_day, sizeof out->from_day, "%s", from_day);
    snprintf(out->to_day, sizeof out->to_day, "%s", to_day);
    out->from = local_midnight(a, &c);
    out->to = local_midnight(b + 1, &c);
    out->now = now;
    return 0;
}

/* ---- the data of a period, read once ------------------------------------------------------------ */

typedef struct acc_ctx {
    store *st;
    const policy *pol;
    const acc_period *p;
    const char *prefix;
    report_clock clock;
    int have_facts, have_reports, have_trips;
    lead_fact_list facts;
    report_status_list reports;
    trip_list trips;
} acc_ctx;

static int ctx_facts(acc_ctx *cx, fk_err *err)
{
    if (cx->have_facts)
        return 0;
    if (store_lead_facts(cx->st, cx->p->from, cx->p->to, cx->prefix, &cx->facts, err) != 0)
        return -1;
    cx->have_facts = 1;
    return 0;
}

static int ctx_reports(acc_ctx *cx, fk_err *err)
{
    if (cx->have_reports)
        return 0;
    if (reports_status(cx->st, cx->pol, NULL, cx->p->from_day, cx->p->to_day, cx->prefix,
                       cx->p->now, &cx->reports, err) != 0)
        return -1;
    cx->have_reports = 1;
    return 0;
}

static int ctx_trips(acc_ctx *cx, fk_err *err)
{
    if (cx->have_trips)
        return 0;
    if (store_trip_due_between(cx->st, cx->p->from, cx->p->to, cx->prefix, &cx->trips, err))
        return -1;
    cx->have_trips = 1;
    return 0;
}

static void ctx_free(acc_ctx *cx)
{
    lead_fact_list_free(&cx->facts);
    report_status_list_free(&cx->reports);
    trip_list_free(&cx->trips);
}

/* A trip due in the period that was late as things stood at `now`: arrived after its
 * due time, or not arrived by now and now past it. Cancelled trips fetched nobody late. */
static bool trip_failed(const trip_rec *t, int64_t now, int64_t *late)
{
    int64_t done = t->arrived_at && t->arrived_at <= now ? t->arrived_at : 0;
    if (!strcmp(t->state, "cancelled") || (done ? done <= t->due_at : now <= t->due_at))
        return false;
    *late = (done ? done : now) - t->due_at;
    return true;
}

/* When step s was done, as things stood at `now` (0: not yet). */
static int64_t done_by(const lead_fact *f, int s, int64_t now)
{
    return f->done[s] && f->done[s] <= now ? f->done[s] : 0;
}

/* Did the lead miss step s as of now? *late (OUT) by how much. */
static bool step_missed(const lead_fact *f, int s, int64_t now, int64_t *late)
{
    int64_t due = f->deadlines[s], done = done_by(f, s, now);
    if (done ? done <= due : now <= due)
        return false;
    *late = (done ? done : now) - due;
    return true;
}

/* Failures of step s that count in the period: deadline inside it. */
static bool lead_failed(const lead_fact *f, int s, const acc_period *p, int64_t *late)
{
    return f->deadlines[s] >= p->from && f->deadlines[s] < p->to &&
           step_missed(f, s, p->now, late);
}

/* The level the lead stood at when step s's deadline passed: one per earlier miss. */
static int level_at_step(const lead_fact *f, int s, int64_t now)
{
    int level = 0;
    int64_t late;
    for (int k = 0; k < s; k++)
        level += step_missed(f, k, now, &late);
    return level > LEAD_LEVEL_COMMAND ? LEAD_LEVEL_COMMAND : level;
}

/* ---- failure sources ------------------------------------------------------------------------------ */

static void failure_push(failure_list *l, size_t *cap, const failure *f)
{
    if (l->n == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        l->items = fk_realloc(l->items, *cap * sizeof *l->items);
    }
    l->items[l->n++] = *f;
}

static void lead_failure(const lead_fact *lf, int s, int64_t late, const report_clock *c,
                         int64_t now, failure *f)
{
    memset(f, 0, sizeof *f);
    resp_ref_lead(lf->id, s, f->ref);
    snprintf(f->source, sizeof f->source, "lead");
    snprintf(f->what, sizeof f->what, "%s", resp_step_name(s));
    snprintf(f->area_code, sizeof f->area_code, "%s", lf->area_code);
    f->level = level_at_step(lf, s, now);
    resp_unit_code(lf->area_code, f->level, f->unit_code);
    f->due_at = lf->deadlines[s];
    f->done_at = done_by(lf, s, now);
    f->late_s = late;
    f->lead_id = lf->id;
    fk_date_of(f->due_at + (int64_t)c->utc_offset_h * 3600, f->day);
}

/* Room for `more` failures at once: a city's period holds a million, and growing by
 * doubling copied them over and over. */
static void failure_reserve(failure_list *l, size_t *cap, size_t more)
{
    if (l->n + more > *cap) {
        *cap = l->n + more;
        l->items = fk_realloc(l->items, *cap * sizeof *l->items);
    }
}

static int leads_source(acc_ctx *cx, failure_list *out, size_t *cap, fk_err *err)
{
    if (ctx_facts(cx, err) != 0)
        return -1;
    size_t missed = 0;
    for (size_t i = 0; i < cx->facts.n; i++)
        for (int s = 0; s < LEAD_STEPS; s++) {
            int64_t late;
            missed += lead_failed(&cx->facts.items[i], s, cx->p, &late);
        }
    failure_reserve(out, cap, missed);
    for (size_t i = 0; i < cx->facts.n; i++)
        for (int s = 0; s < LEAD_STEPS; s++) {
            int64_t late;
            failure f;
            if (!lead_failed(&cx->facts.items[i], s, cx->p, &late))
                continue;
            lead_failure(&cx->facts.items[i], s, late, &cx->clock, cx->p->now, &f);
            failure_push(out, cap, &f);
        }
    return 0;
}

static void report_failure(const report_status *r, int64_t now, failure *f)
{
    memset(f, 0, sizeof *f);
    resp_ref_report(r->unit.code, r->day, f->ref);
    snprintf(f->source, sizeof f->source, "report");
    snprintf(f->what, sizeof f->what, "%s", report_state_name(r->state));
    snprintf(f->area_code, sizeof f->area_code, "%s", r->unit.code);
    snprintf(f->unit_code, sizeof f->unit_code, "%s", r->unit.code);
    snprintf(f->day, sizeof f->day, "%s", r->day);
    f->due_at = r->deadline;
    f->done_at = r->state == REPORT_LATE ? r->report.submitted_at : 0; /* not yet, at now */
    f->late_s = (f->done_at ? f->done_at : now) - f->due_at;
}

static int reports_source(acc_ctx *cx, failure_list *out, size_t *cap, fk_err *err)
{
    if (ctx_reports(cx, err) != 0)
        return -1;
    for (size_t i = 0; i < cx->reports.n; i++) {
        const report_status *r = &cx->reports.items[i];
        failure f;
        if (r->state != REPORT_MISSING && r->state != REPORT_LATE)
            continue;
        report_failure(r, cx->p->now, &f);
        failure_push(out, cap, &f);
    }
    return 0;
}

static void trip_failure(const trip_rec *t, int64_t late, const report_clock *c, int64_t now,
                         failure *f)
{
    memset(f, 0, sizeof *f);
    resp_ref_trip(t->id, f->ref);
    snprintf(f->source, sizeof f->source, "trip");
    int arrived = t->arrived_at && t->arrived_at <= now;
    snprintf(f->what, sizeof f->what, "%s", arrived ? "arrived_late" : "not_arrived");
    snprintf(f->area_code, sizeof f->area_code, "%s", t->area_code);
    snprintf(f->unit_code, sizeof f->unit_code, "%s", t->area_code); /* the transfer unit */
    f->due_at = t->due_at;
    f->done_at = arrived ? t->arrived_at : 0;
    f->late_s = late;
    f->trip_id = t->id;
    fk_date_of(f->due_at + (int64_t)c->utc_offset_h * 3600, f->day);
}

static int trips_source(acc_ctx *cx, failure_list *out, size_t *cap, fk_err *err)
{
    if (ctx_trips(cx, err) != 0)
        return -1;
    for (size_t i = 0; i < cx->trips.n; i++) {
        int64_t late;
        failure f;
        if (!trip_failed(&cx->trips.items[i], cx->p->now, &late))
            continue;
        trip_failure(&cx->trips.items[i], late, &cx->clock, cx->p->now, &f);
        failure_push(out, cap, &f);
    }
    return 0;
}

/* The failure sources; the function whose matrix row answers for each. */
static const struct failure_source {
    const char *name, *function;
    int (*collect)(acc_ctx *cx, failure_list *out, size_t *cap, fk_err *err);
} sources[] = {
    {"lead", "leads", leads_source},
    {"report", "reporting", reports_source},
    {"trip", "transfer", trips_source},
};

static const char *function_of(const char *source)
{
    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++)
        if (!strcmp(sources[i].name, source))
            return sources[i].function;
    return "";
}

static int by_due(const void *x, const void *y)
{
    const failure *a = x, *b = y;
    if (a->due_at != b->due_at)
        return (a->due_at > b->due_at) - (a->due_at < b->due_at);
    return strcmp(a->ref, b->ref);
}

/* A list read whole, a page at a time: read_page(st, ctx, offset, &items, &n, &total)
 * returns one page (its items the callee's to free with free()); the pages are joined
 * into *items (n of them, `size` bytes each), the caller's. */
typedef int (*page_reader)(store *st, void *ctx, int offset, void **items, size_t *n,
                           int64_t *total, fk_err *err);

static int read_all(store *st, page_reader read_page, void *ctx, size_t size, void **items,
                    size_t *n, fk_err *err)
{
    size_t cap = 0;
    *items = NULL;
    *n = 0;
    for (;;) {
        void *page;
        size_t got;
        int64_t total;
        if (read_page(st, ctx, (int)*n, &page, &got, &total, err) != 0) {
            free(*items);
            *items = NULL;
            *n = 0;
            return -1;
        }
        if (*n + got > cap) {
            cap = 2 * (*n + got);
            *items = fk_realloc(*items, cap * size);
        }
        if (got)
            memcpy((char *)*items + *n * size, page, got * size);
        *n += got;
        free(page);
        if (got == 0 || (int64_t)*n >= total)
            return 0;
    }
}

static int terms_page(store *st, void *ctx, int offset, void **items, size_t *n,
                      int64_t *total, fk_err *err)
{
    (void)ctx;
    resp_filter f = {.history = 1, .limit = 1000, .offset = offset};
    resp_list page;
    if (store_resp_list(st, &f, &page, err) != 0)
        return -1;
    *items = page.items;
    *n = page.n;
    *total = page.total;
    return 0;
}

/* Every term of the matrix (all areas, functions, history), ordered by area, function
 * and start: the matrix is small (areas x functions x terms) next to the failures, so
 * one read replaces a query per failure. */
static int load_terms(store *st, resp_list *out, fk_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = read_all(st, terms_page, NULL, sizeof *out->items, (void **)&out->items, &out->n,
                      err);
    out->total = (int64_t)out->n;
    return rc;
}

static int cmp_term_key(const char *area, const char *fn, const resp_rec *r)
{
    int c = strcmp(area, r->area_code);
    return c ? c : strcmp(fn, r->function);
}

/* The term of (area, fn) holding instant `at`, or NULL. */
static const resp_rec *term_at(const resp_list *terms, const char *area, const char *fn,
                               int64_t at)
{
    size_t lo = 0, hi = terms->n;
    while (lo < hi) { /* first row not below the key */
        size_t mid = (lo + hi) / 2;
        if (cmp_term_key(area, fn, &terms->items[mid]) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < terms->n && !cmp_term_key(area, fn, &terms->items[i]); i++) {
        const resp_rec *r = &terms->items[i];
        if (r->valid_from <= at && (!r->valid_to || at < r->valid_to))
            return r;
    }
    return NULL;
}

/* Name who answered for each failure at its deadline, then order them by deadline. The
 * terms stay with the list: the failures point into them. */
static int name_responsible(store *st, failure_list *l, fk_err *err)
{
    if (load_terms(st, &l->terms, err) != 0)
        return -1;
    for (size_t i = 0; i < l->n; i++) {
        failure *f = &l->items[i];
        f->resp = term_at(&l->terms, f->unit_code, function_of(f->source), f->due_at);
    }
    if (l->n) /* items is NULL when there are none: qsort must not see it */
        qsort(l->items, l->n, sizeof *l->items, by_due);
    return 0;
}

static int collect_failures(acc_ctx *cx, failure_list *out, fk_err *err)
{
    size_t cap = 0;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++)
        if (sources[i].collect(cx, out, &cap, err) != 0) {
            failure_list_free(out);
            return -1;
        }
    if (name_responsible(cx->st, out, err) != 0) {
        failure_list_free(out);
        return -1;
    }
    return 0;
}

int acc_failures(store *st, const policy *pol, const acc_period *p, const char *area_prefix,
                 failure_list *out, fk_err *err)
{
    acc_ctx cx = {.st = st, .pol = pol, .p = p, .prefix = area_prefix ? area_prefix : ""};
    memset(out, 0, sizeof *out);
    if (reports_clock(pol, &cx.clock, err) != 0)
        return -1;
    int rc = collect_failures(&cx, out, err);
    ctx_free(&cx);
    return rc;
}

void failure_list_free(failure_list *l)
{
    if (!l)
        return;
    free(l->items);
    resp_list_free(&l->terms);
    memset(l, 0, sizeof *l);
}

/* ---- performance ------------------------------------------------------------------------------------ */

typedef struct perf_ctx {
    acc_ctx *cx;
    perf_table *t;
    size_t code_len;   /* the level's code length */
    perf_row **fact_rows; /* the unit row of each fact (NULL: none), once for every measure */
} perf_ctx;

static int cmp_unit(const void *key, const void *item)
{
    const char *code = key;
    const perf_row *r = item;
    return strncmp(code, r->unit.code, strlen(r->unit.code));
}

/* The row of the unit holding area `code`, or NULL (another level's area, out of scope). */
static perf_row *unit_of(perf_ctx *pc, const char *code)
{
    if (strlen(code) < pc->code_len)
        return NULL;
    char key[16];
    memcpy(key, code, pc->code_len);
    key[pc->code_len] = '\0';
    return bsearch(key, pc->t->items, pc->t->n, sizeof *pc->t->items, cmp_unit);
}

/* The facts read and each one's unit row found, once: four measures walk the period's
 * leads (352,106 in bench/loop), and a lookup each per measure was a third of the time. */
static int ctx_fact_rows(perf_ctx *pc, fk_err *err)
{
    if (pc->fact_rows)
        return 0;
    if (ctx_facts(pc->cx, err) != 0)
        return -1;
    pc->fact_rows = fk_try_malloc((pc->cx->facts.n + 1) * sizeof *pc->fact_rows);
    if (!pc->fact_rows)
        return fk_fail(err, FK_EBUSY, "", "out of memory computing performance");
    const char *last = NULL;
    perf_row *row = NULL;
    for (size_t i = 0; i < pc->cx->facts.n; i++) {
        const char *code = pc->cx->facts.items[i].area_code;
        if (!last || strncmp(code, last, pc->code_len) != 0 || strlen(code) < pc->code_len)
            row = unit_of(pc, code), last = code;
        pc->fact_rows[i] = row;
    }
    return 0;
}

static int m_leads_due(perf_ctx *pc, size_t col, fk_err *err)
{
    if (ctx_fact_rows(pc, err) != 0)
        return -1;
    for (size_t i = 0; i < pc->cx->facts.n; i++) {
        const lead_fact *f = &pc->cx->facts.items[i];
        perf_row *r = pc->fact_rows[i];
        int64_t due = f->deadlines[LEAD_STEP_CLOSED];
        if (r && due >= pc->cx->p->from && due < pc->cx->p->to)
            r->v[col]++;
    }
    return 0;
}

static int m_closed_on_time(perf_ctx *pc, size_t col, fk_err *err)
{
    if (ctx_fact_rows(pc, err) != 0)
        return -1;
    for (size_t i = 0; i < pc->cx->facts.n; i++) {
        const lead_fact *f = &pc->cx->facts.items[i];
        perf_row *r = pc->fact_rows[i];
        int64_t due = f->deadlines[LEAD_STEP_CLOSED];
        int64_t done = done_by(f, LEAD_STEP_CLOSED, pc->cx->p->now);
        if (r && due >= pc->cx->p->from && due < pc->cx->p->to && done && done <= due)
            r->v[col]++;
    }
    return 0;
}

typedef struct unit_hours { perf_row *row; double h; } unit_hours;

static int by_row_then_hours(const void *x, const void *y)
{
    const unit_hours *a = x, *b = y;
    if (a->row != b->row)
        return (a->row > b->row) - (a->row < b->row);
    return (a->h > b->h) - (a->h < b->h);
}

/* Median hours from push to control, over the leads controlled in the period. */
static int m_median_control(perf_ctx *pc, size_t col, fk_err *err)
{
    if (ctx_fact_rows(pc, err) != 0)
        return -1;
    unit_hours *uh = fk_malloc((pc->cx->facts.n + 1) * sizeof *uh);
    size_t n = 0;
    for (size_t i = 0; i < pc->cx->facts.n; i++) {
        const lead_fact *f = &pc->cx->facts.items[i];
        int64_t done = done_by(f, LEAD_STEP_CONTROLLED, pc->cx->p->now);
        perf_row *r = pc->fact_rows[i];
        if (r && done && done >= pc->cx->p->from && done < pc->cx->p->to)
            uh[n++] = (unit_hours){r, (double)(done - f->pushed_at) / 3600.0};
    }
    qsort(uh, n, sizeof *uh, by_row_then_hours);
    for (size_t i = 0; i < pc->t->n; i++)
        pc->t->items[i].v[col] = NAN;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && uh[j].row == uh[i].row; j++)
            ;
        size_t k = j - i;
        uh[i].row->v[col] = k % 2 ? uh[i + k / 2].h : (uh[i + k / 2 - 1].h + uh[i + k / 2].h) / 2;
    }
    free(uh);
    return 0;
}

static int m_deadlines_missed(perf_ctx *pc, size_t col, fk_err *err)
{
    if (ctx_fact_rows(pc, err) != 0)
        return -1;
    for (size_t i = 0; i < pc->cx->facts.n; i++) {
        const lead_fact *f = &pc->cx->facts.items[i];
        perf_row *r = pc->fact_rows[i];
        int64_t late;
        for (int s = 0; r && s < LEAD_STEPS; s++)
            r->v[col] += lead_failed(f, s, pc->cx->p, &late);
    }
    return 0;
}

static int count_reports(perf_ctx *pc, size_t col, report_state want, fk_err *err)
{
    if (ctx_reports(pc->cx, err) != 0)
        return -1;
    for (size_t i = 0; i < pc->cx->reports.n; i++) {
        const report_status *s = &pc->cx->reports.items[i];
        perf_row *r = s->state == want ? unit_of(pc, s->unit.code) : NULL;
        if (r)
            r->v[col]++;
    }
    return 0;
}

static int m_reports_missing(perf_ctx *pc, size_t col, fk_err *err)
{
    return count_reports(pc, col, REPORT_MISSING, err);
}

static int m_reports_late(perf_ctx *pc, size_t col, fk_err *err)
{
    return count_reports(pc, col, REPORT_LATE, err);
}

/* Trips due in the period that were late, per transfer unit. */
static int m_transfers_late(perf_ctx *pc, size_t col, fk_err *err)
{
    if (ctx_trips(pc->cx, err) != 0)
        return -1;
    for (size_t i = 0; i < pc->cx->trips.n; i++) {
        int64_t late;
        perf_row *r = unit_of(pc, pc->cx->trips.items[i].area_code);
        if (r && trip_failed(&pc->cx->trips.items[i], pc->cx->p->now, &late))
            r->v[col]++;
    }
    return 0;
}

/* The measures. */
static const struct measure {
    acc_measure_info info;
    int (*fill)(perf_ctx *pc, size_t col, fk_err *err);
} measures[] = {
    {{"leads_due", "应办结线索", "leads due", 0}, m_leads_due},
    {{"leads_closed_on_time", "按时办结", "closed on time", 0}, m_closed_on_time},
    {{"median_control_h", "管控中位时长(小时)", "median hours to control", 0}, m_median_control},
    {{"lead_deadlines_missed", "线索超时环节", "lead deadlines missed", 1}, m_deadlines_missed},
    {{"reports_missing", "漏报日报", "daily reports missing", 1}, m_reports_missing},
    {{"reports_late", "迟报日报", "daily reports late", 1}, m_reports_late},
    {{"transfers_late", "转运超时", "late transfers", 1}, m_transfers_late},
};

#define NMEASURES (sizeof measures / sizeof measures[0])
_Static_assert(NMEASURES <= ACC_MAX_MEASURES, "raise ACC_MAX_MEASURES");

const acc_measure_info *acc_measures(size_t *n)
{
    static acc_measure_info info[NMEASURES];
    for (size_t i = 0; i < NMEASURES; i++)
        info[i] = measures[i].info;
    *n = NMEASURES;
    return info;
}

static int perf_units(store *st, const char *level, const char *prefix, perf_table *t,
                      fk_err *err)
{
    area_list units;
    if (store_areas_at_levels(st, level, prefix, &units, err) != 0)
        return -1;
    t->n = units.n;
    t->items = fk_calloc(units.n + 1, sizeof *t->items);
    for (size_t i = 0; i < units.n; i++)
        t->items[i].unit = units.items[i];
    area_list_free(&units);
    return 0;
}

int acc_performance(store *st, const policy *pol, const actor *a, const acc_period *p,
                    const char *level, perf_table *out, fk_err *err)
{
    char scope[16];
    const char *prefix = "";
    int len = resp_level_length(level);
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_ACCOUNTABILITY, err) != 0)
        return -1;
    if (len == 0 || len == 15)
        return fk_fail(err, FK_EINVAL, "level", "level: must be district, street or community");
    if (!actor_narrow_area(a, NULL, scope, sizeof scope, &prefix))
        return 0;
    acc_ctx cx = {.st = st, .pol = pol, .p = p, .prefix = prefix};
    perf_ctx pc = {.cx = &cx, .t = out, .code_len = (size_t)len};
    int rc = reports_clock(pol, &cx.clock, err) != 0 ||
             perf_units(st, level, prefix, out, err) != 0;
    for (size_t i = 0; !rc && i < NMEASURES; i++)
        rc = measures[i].fill(&pc, i, err) != 0;
    ctx_free(&cx);
    free(pc.fact_rows);
    if (rc)
        perf_table_free(out);
    return rc ? -1 : 0;
}

void perf_table_free(perf_table *t)
{
    if (!t)
        return;
    free(t->items);
    t->items = NULL;
    t->n = 0;
}

/* ---- briefing ---------------------------------------------------------------------------------------- */

static int action_by_ref(const void *x, const void *y)
{
    const action_rec *a = x, *b = y;
    int c = strcmp(a->failure_ref, b->failure_ref);
    return c ? c : (a->id > b->id) - (a->id < b->id);
}

/* The first action about `ref` in l (sorted by failure_ref), or l->n. */
static size_t first_action(const action_list *l, const char *ref)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(l->items[mid].failure_ref, ref) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const action_rec *briefing_actions_of(const briefing *b, const char *ref, size_t *n)
{
    size_t i = first_action(&b->actions, ref), j = i;
    while (j < b->actions.n && !strcmp(b->actions.items[j].failure_ref, ref))
        j++;
    *n = j - i;
    return j > i ? &b->actions.items[i] : NULL;
}

static int actions_page(store *st, void *prefix, int offset, void **items, size_t *n,
                        int64_t *total, fk_err *err)
{
    action_filter f = {.area_prefix = prefix, .limit = 1000, .offset = offset};
    action_list page;
    if (store_action_list(st, &f, &page, err) != 0)
        return -1;
    *items = page.items;
    *n = page.n;
    *total = page.total;
    return 0;
}

/* Every action recorded in the area, into out (the caller's). */
static int area_actions(store *st, const char *prefix, action_list *out, fk_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = read_all(st, actions_page, (void *)prefix, sizeof *out->items,
                      (void **)&out->items, &out->n, err);
    out->total = (int64_t)out->n;
    return rc;
}

/* The actions recorded about the failures, by failure_ref: the area's actions (a few)
 * sorted, each failure looks its own up, the ones no failure names are dropped. */
static int briefing_actions(store *st, const char *prefix, const failure_list *fl,
                            action_list *out, fk_err *err)
{
    if (area_actions(st, prefix, out, err) != 0)
        return -1;
    if (out->n == 0)
        return 0;
    qsort(out->items, out->n, sizeof *out->items, action_by_ref);
    bool *named = fk_calloc(out->n, sizeof *named);
    for (size_t i = 0; i < fl->n; i++)
        for (size_t j = first_action(out, fl->items[i].ref);
             j < out->n && !strcmp(out->items[j].failure_ref, fl->items[i].ref); j++)
            named[j] = true;
    size_t kept = 0;
    for (size_t j = 0; j < out->n; j++)
        if (named[j])
            out->items[kept++] = out->items[j];
    out->n = kept;
    out->total = (int64_t)kept;
    free(named);
    return 0;
}

int acc_briefing(store *st, const policy *pol, const actor *a, const acc_period *p,
                 briefing *out, fk_err *err)
{
    char scope[16], detail[128];
    const char *prefix = "";
    memset(out, 0, sizeof *out);
    out->period = *p;
    if (actor_require(a, PERM_ACCOUNTABILITY, err) != 0)
        return -1;
    if (!actor_narrow_area(a, NULL, scope, sizeof scope, &prefix))
        return 0;
    if (acc_failures(st, pol, p, prefix, &out->failures, err) != 0)
        return -1;
    audit_rec rec;
    snprintf(detail, sizeof detail, "from=%s to=%s area=%s failures=%zu", p->from_day, p->to_day,
             prefix, out->failures.n);
    actor_audit(a, &rec, "read", "briefing", 0, detail);
    if (briefing_actions(st, prefix, &out->failures, &out->actions, err) != 0 ||
        store_audit_append(st, &rec, err) != 0) {
        briefing_free(out);
        return -1;
    }
    return 0;
}

void briefing_free(briefing *b)
{
    if (!b)
        return;
    failure_list_free(&b->failures);
    action_list_free(&b->actions);
}

/* ---- actions -------------------------------------------------------------------------------------------- */

static int check_action_name(const policy *pol, const char *action, fk_err *err)
{
    char path[96];
    if (!action[0] || strlen(action) > 31 || !strcmp(action, "source"))
        return fk_fail(err, FK_EINVAL, "action", "action: one of the policy's "
                       "accountability.actions");
    snprintf(path, sizeof path, "accountability.actions.%s.zh", action);
    if (!policy_has(pol, path))
        return fk_fail(err, FK_EINVAL, "action", "action: '%s' is not one of the policy's "
                       "accountability.actions", action);
    return 0;
}

/* The failure a lead reference names, if the data holds it. */
static int lead_ref_failure(store *st, const actor *a, const failure_ref *ref, int64_t now,
                            const report_clock *c, failure *f, fk_err *err)
{
    lead_fact lf;
    int64_t late;
    if (store_lead_fact(st, ref->lead_id, &lf, err) != 0)
        return -1;
    if (!role_in_jurisdiction(a->area_code, lf.area_code))
        return fk_fail(err, FK_ENOTFOUND, "failure_ref", "failure_ref: no lead %lld",
                       (long long)ref->lead_id);
    if (!step_missed(&lf, ref->step, now, &late))
        return fk_fail(err, FK_EINVAL, "failure_ref", "failure_ref: lead %lld did not miss its "
                       "%s deadline", (long long)ref->lead_id, resp_step_name(ref->step));
    lead_failure(&lf, ref->step, late, c, now, f);
    return 0;
}

static int report_ref_failure(store *st, const policy *pol, const actor *a,
                              const failure_ref *ref, int64_t now, failure *f, fk_err *err)
{
    report_status_list l;
    if (!role_in_jurisdiction(a->area_code, ref->area_code))
        return fk_fail(err, FK_ENOTFOUND, "failure_ref", "failure_ref: no unit %s",
                       ref->area_code);
    if (reports_status(st, pol, NULL, ref->day, ref->day, ref->area_code, now, &l, err) != 0)
        return -1;
    int rc = fk_fail(err, FK_EINVAL, "failure_ref", "failure_ref: %s's report of %s is neither "
                     "missing nor late", ref->area_code, ref->day);
    for (size_t i = 0; i < l.n; i++)
        if (!strcmp(l.items[i].unit.code, ref->area_code) &&
            (l.items[i].state == REPORT_MISSING || l.items[i].state == REPORT_LATE)) {
            report_failure(&l.items[i], now, f);
            rc = 0;
        }
    report_status_list_free(&l);
    return rc;
}

/* The failure a trip reference names, if the data holds it. */
static int trip_ref_failure(store *st, const actor *a, const failure_ref *ref, int64_t now,
                            const report_clock *c, failure *f, fk_err *err)
{
    trip_rec t;
    int64_t late;
    if (store_trip_get(st, ref->trip_id, &t, NULL, NULL, err) != 0 ||
        !role_in_jurisdiction(a->area_code, t.area_code))
        return fk_fail(err, FK_ENOTFOUND, "failure_ref", "failure_ref: no trip %lld",
                       (long long)ref->trip_id);
    if (!trip_failed(&t, now, &late))
        return fk_fail(err, FK_EINVAL, "failure_ref", "failure_ref: trip %lld was not late",
                       (long long)ref->trip_id);
    trip_failure(&t, late, c, now, f);
    return 0;
}

/* The failure `s` names, with who answered at its deadline in *resp (f->resp points to it). */
static int failure_of_ref(store *st, const policy *pol, const actor *a, const char *s,
                          int64_t now, failure *f, resp_rec *resp, fk_err *err)
{
    failure_ref ref;
    report_clock c;
    if (resp_ref_parse(s, &ref, err) != 0 || reports_clock(pol, &c, err) != 0)
        return -1;
    int rc = !strcmp(ref.kind, "lead")   ? lead_ref_failure(st, a, &ref, now, &c, f, err)
             : !strcmp(ref.kind, "trip") ? trip_ref_failure(st, a, &ref, now, &c, f, err)
                                         : report_ref_failure(st, pol, a, &ref, now, f, err);
    if (rc != 0)
        return -1;
    int found = resp_of_unit(st, function_of(f->source), f->unit_code, f->due_at, resp, err);
    f->resp = found > 0 ? resp : NULL;
    return found < 0 ? -1 : 0;
}

int acc_action_record(store *st, const policy *pol, const actor *a, action_rec *r, int64_t now,
                      fk_err *err)
{
    failure f;
    resp_rec resp;
    char detail[160];
    if (actor_require(a, PERM_ACCOUNTABILITY, err) != 0 ||
        check_action_name(pol, r->action, err) != 0 ||
        text_given(r->reason, sizeof r->reason, "reason", err) != 0 ||
        failure_of_ref(st, pol, a, r->failure_ref, now, &f, &resp, err) != 0)
        return -1;
    if (!r->unit[0] && f.resp)
        snprintf(r->unit, sizeof r->unit, "%s", f.resp->unit);
    if (!r->official[0] && f.resp)
        snprintf(r->official, sizeof r->official, "%s", f.resp->official);
    if (!r->official[0] || !r->unit[0])
        return fk_fail(err, FK_EINVAL, r->unit[0] ? "official" : "unit",
                       "%s: nobody is on record for %s at the time: name the unit and official",
                       r->unit[0] ? "official" : "unit", f.ref);
    snprintf(r->area_code, sizeof r->area_code, "%s", f.unit_code);
    snprintf(r->decided_by, sizeof r->decided_by, "%s", a->username);
    r->decided_at = now;
    audit_rec rec;
    snprintf(detail, sizeof detail, "%s %s unit=%s", r->failure_ref, r->action, r->area_code);
    actor_audit(a, &rec, "create", "acc_action", 0, detail);
    return store_action_insert(st, r, &rec, err);
}

int acc_action_list(store *st, const actor *a, const action_filter *f, action_list *out,
                    fk_err *err)
{
    char scope[16], detail[128];
    action_filter g = *f;
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_ACCOUNTABILITY, err) != 0)
        return -1;
    if (!actor_narrow_area(a, f->area_prefix, scope, sizeof scope, &g.area_prefix))
        return 0;
    if (store_action_list(st, &g, out, err) != 0)
        return -1;
    audit_rec rec;
    snprintf(detail, sizeof detail, "area=%s ref=%s returned=%zu", g.area_prefix,
             g.failure_ref ? g.failure_ref : "", out->n);
    actor_audit(a, &rec, "list", "acc_action", 0, detail);
    if (store_audit_append(st, &rec, err) != 0) {
        action_list_free(out);
        return -1;
    }
    return 0;
}
