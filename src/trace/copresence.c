/*
 * copresence.c - co-presence rules over the trace index: the time-space companion rule
 * (时空伴随, grid cells) and venue co-presence (场所, venues: a close-contact situation).
 *
 * Both are one walk with different parameters (struct walk): which places count
 * (cells or venues), the minimum overlap, and the dwell rule (none for venues).
 * A query walks only the places the case visited (its pair list). For one place p:
 *   1. the case's merged intervals at p, clipped to the window W = [from, to): CW;
 *   2. the column rows of p that may overlap CW: per case interval [a, b), a binary
 *      search finds the first row with start >= a - place_maxlen[p] (no earlier row
 *      can reach a), and the scan stops at the first start >= b (scan_place);
 *   3. every other subject's row there is intersected with CW; since each side's
 *      intervals are disjoint (merged at build), summing the pieces gives the exact
 *      cumulative overlap |case ∩ subject ∩ W| and the first piece is first_overlap;
 *   4. per subject: overlap > 0 and >= min_overlap_s, and the case's or the subject's
 *      dwell at p within D = [to - lookback_s, to) >= dwell_s.
 * Rows come out sorted by (subject id, place id), i.e. by subject then place name.
 *
 * Thread safety: the index is only read; all scratch memory belongs to the query.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "policy/policy.h"
#include "trace/trace_int.h"

typedef struct span { int64_t a, b; } span;
/* One co-presence rule applied to one kind of place. */
typedef struct walk {
    trace_rules rules;      /* dwell_s 0 = no dwell rule */
    int venues;             /* 1: venues only; 0: grid cells only */
    const char *kind;       /* the kind of the rows it yields */
} walk;
typedef struct hit { uint32_t s, p, q; int64_t first, ov; } hit;   /* q: s's pair at p */

/* A growable array of T owned by one query. */
typedef struct vec { void *items; size_t n, cap, size; } vec;

static void *vec_push(vec *v)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        void *items = fk_try_realloc(v->items, cap * v->size);
        if (!items)
            return NULL;
        v->items = items;
        v->cap = cap;
    }
    return (char *)v->items + v->size * v->n++;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
    return (b > 0 && a < INT64_MIN + b) ? INT64_MIN : a - b;
}

int trace_rules_from_policy(const struct policy *p, trace_rules *out, fk_err *err)
{
    bool enabled = false;
    int64_t min_overlap, dwell, days;
    if (policy_get_bool(p, "companion.enabled", &enabled, err) != 0)
        return -1;
    if (!enabled)
        return fk_fail(err, FK_ECONFLICT, "companion.enabled",
                       "policy %s does not identify time-space companions", policy_id(p));
    if (policy_get_int(p, "companion.min_overlap_s", &min_overlap, err) != 0 ||
        policy_get_int(p, "companion.dwell_s", &dwell, err) != 0 ||
        policy_get_int(p, "companion.lookback_days", &days, err) != 0)
        return -1;
    if (days < 0 || days > 36500)
        return fk_fail(err, FK_EINVAL, "companion.lookback_days", "lookback of %lld days",
                       (long long)days);
    out->min_overlap_s = min_overlap;
    out->dwell_s = dwell;
    out->lookback_s = days * 86400;
    return 0;
}

/* Seconds of the pair's merged intervals (sp_rec[a..b)) inside [lo, hi). */
static int64_t pair_sum(const trace_index *ix, uint32_t a, uint32_t b, int64_t lo, int64_t hi)
{
    uint32_t l = a, r = b;            /* first interval with end > lo: ends are sorted */
    while (l < r) {
        uint32_t mid = l + (r - l) / 2;
        if (ix->end[ix->sp_rec[mid]] <= lo)
            l = mid + 1;
        else
            r = mid;
    }
    int64_t sum = 0;
    for (uint32_t k = l; k < b && ix->start[ix->sp_rec[k]] < hi; k++) {
        int64_t x = ix->start[ix->sp_rec[k]], y = ix->end[ix->sp_rec[k]];
        sum += (y < hi ? y : hi) - (x > lo ? x : lo);
    }
    return sum;
}

/* Whether pair q's seconds within [lo, hi) reach need. The pair's total settles it
 * without a sum when it falls short (most visitors of a cell) or when every interval
 * lies inside [lo, hi) (the usual case of a lookback that covers the data). */
static bool pair_dwell_reaches(const trace_index *ix, uint32_t q, int64_t lo, int64_t hi,
                               int64_t need)
{
    uint32_t a = ix->pair_off[q], b = ix->pair_off[q + 1];
    if (need <= 0)
        return true;
    if ((int64_t)ix->pair_total[q] < need)
        return false;
    if (ix->pair_total[q] < UINT32_MAX && ix->start[ix->sp_rec[a]] >= lo &&
        ix->end[ix->sp_rec[b - 1]] <= hi)
        return true;
    return pair_sum(ix, a, b, lo, hi) >= need;
}

/* Intersect [x, y) with cw[0..n) (sorted, disjoint): seconds, and *first (OUT). */
static int64_t clip_overlap(const span *cw, size_t n, int64_t x, int64_t y, int64_t *first)
{
    size_t l = 0, r = n;
    while (l < r) {
        size_t mid = l + (r - l) / 2;
        if (cw[mid].b <= x)
            l = mid + 1;
        else
            r = mid;
    }
    int64_t ov = 0;
    for (size_t k = l; k < n && cw[k].a < y; k++) {
        int64_t a = cw[k].a > x ? cw[k].a : x, b = cw[k].b < y ? cw[k].b : y;
        if (ov == 0)
            *first = a;
        ov += b - a;
    }
    return ov;
}

/* The case's intervals of pair q clipped to [from, to) into cw (sized for the pair). */
static size_t case_window(const trace_index *ix, uint32_t q, int64_t from, int64_t to,
                          span *cw)
{
    size_t n = 0;
    for (uint32_t k = ix->pair_off[q]; k < ix->pair_off[q + 1]; k++) {
        int64_t a = ix->start[ix->sp_rec[k]], b = ix->end[ix->sp_rec[k]];
        a = a > from ? a : from;
        b = b < to ? b : to;
        if (a < b)
            cw[n++] = (span){a, b};
    }
    return n;
}

/* First column row in [l, r) with start >= lo (rows of one place are sorted by start). */
static uint32_t first_start_at(const trace_index *ix, uint32_t l, uint32_t r, int64_t lo)
{
    while (l < r) {
        uint32_t mid = l + (r - l) / 2;
        if (ix->start[mid] < lo)
            l = mid + 1;
        else
            r = mid;
    }
    return l;
}

/* Step 2-3: raw hits of the other subjects at place p against cw, appended to hits.
 * Only rows that can reach one of the case's intervals are read: for interval [a, b)
 * the rows starting in [a - place_maxlen, b). The ranges of successive intervals are
 * walked with one cursor, so a row is read at most once even where they overlap; a
 * case that passed through a cell for 20 minutes reads hours of its rows, not days. */
static int scan_place(const trace_index *ix, uint32_t c, uint32_t p, const span *cw,
                      size_t ncw, vec *hits)
{
    uint32_t end = ix->place_off[p + 1], k = ix->place_off[p];
    for (size_t i = 0; i < ncw; i++) {
        uint32_t l = first_start_at(ix, k, end, sat_sub(cw[i].a, ix->place_maxlen[p]));
        for (k = l > k ? l : k; k < end && ix->start[k] < cw[i].b; k++) {
            if (ix->subj[k] == c || ix->end[k] <= cw[i].a)
                continue;
            int64_t first = 0, ov = clip_overlap(cw, ncw, ix->start[k], ix->end[k], &first);
            if (ov == 0)
                continue;
            hit *h = vec_push(hits);
            if (!h)
                return -1;
            *h = (hit){ix->subj[k], p, ix->row_pair[k], first, ov};
        }
    }
    return 0;
}

/* A hit's order: subject, then place. */
static inline uint64_t hit_key(const hit *h)
{
    return (uint64_t)h->s << 32 | h->p;
}

/* Sort hits by hit_key. Why not qsort: the queries sort a few thousand hits a place
 * and qsort's call through a comparison pointer per step was a fifth of a query's time
 * (perf, bench city); this is a plain quicksort (median of three, insertion sort
 * below 16 items, recursion into the smaller side only) with the key inline. Equal
 * keys are summed afterwards, so stability does not matter. */
static void sort_hits(hit *h, size_t n)
{
    while (n > 16) {
        size_t mid = n / 2;
        uint64_t a = hit_key(&h[0]), b = hit_key(&h[mid]), c = hit_key(&h[n - 1]);
        uint64_t pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (hit_key(&h[i]) < pivot)
                i++;
            while (hit_key(&h[j]) > pivot)
                j--;
            if (i >= j)
                break;
            hit t = h[i];
            h[i++] = h[j];
            h[j--] = t;
        }
        size_t left = j + 1;     /* h[0..left) <= pivot <= h[left..n) */
        if (left < n - left) {
            sort_hits(h, left);
            h += left;
            n -= left;
        } else {
            sort_hits(h + left, n - left);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        hit t = h[i];
        size_t j = i;
        for (; j > 0 && hit_key(&h[j - 1]) > hit_key(&t); j--)
            h[j] = h[j - 1];
        h[j] = t;
    }
}

/* Step 4: fold hits[base..) per subject and keep those meeting the rule in place. */
static size_t apply_rule(const trace_index *ix, vec *hits, size_t base, bool case_dwells,
                         int64_t to, const trace_rules *r)
{
    size_t n = hits->n - base, kept = 0;
    if (n == 0)
        return 0;
    hit *h = (hit *)hits->items + base;
    sort_hits(h, n);
    int64_t dlo = sat_sub(to, r->lookback_s);
    for (size_t i = 0; i < n;) {
        hit sum = h[i];
        for (i++; i < n && h[i].s == sum.s; i++) {
            sum.ov += h[i].ov;
            sum.first = h[i].first < sum.first ? h[i].first : sum.first;
        }
        if (sum.ov < r->min_overlap_s)
            continue;
        if (!case_dwells && !pair_dwell_reaches(ix, sum.q, dlo, to, r->dwell_s))
            continue;
        h[kept++] = sum;
    }
    hits->n = base + kept;
    return kept;
}

static int place_wanted(const trace_index *ix, uint32_t p, const walk *w)
{
    return ((ix->place_src[p] & TRACE_SRC_VENUE) != 0) == (w->venues != 0);
}

/* All places of case c: the kept hits, in (place, subject) order, into hits. */
static int find_hits(const trace_index *ix, uint32_t c, int64_t from, int64_t to,
                     const walk *w, vec *hits)
{
    const trace_rules *r = &w->rules;
    span *cw = NULL;
    size_t cw_cap = 0;
    int rc = 0;
    for (uint32_t q = ix->subj_off[c]; q < ix->subj_off[c + 1] && rc == 0; q++) {
        if (!place_wanted(ix, ix->pair_place[q], w))
            continue;
        size_t need = ix->pair_off[q + 1] - ix->pair_off[q];
        if (need > cw_cap) {
            span *grown = fk_try_realloc(cw, need * sizeof *cw);
            if (!grown) {
                rc = -1;
                break;
            }
            cw = grown;
            cw_cap = need;
        }
        size_t ncw = case_window(ix, q, from, to, cw);
        if (ncw == 0)
            continue;
        uint32_t p = ix->pair_place[q];
        size_t base = hits->n;
        rc = scan_place(ix, c, p, cw, ncw, hits);
        if (rc == 0) {
            bool dwells = pair_dwell_reaches(ix, q, sat_sub(to, r->lookback_s), to,
                                             r->dwell_s);
            apply_rule(ix, hits, base, dwells, to, r);
        }
    }
    free(cw);
    return rc;
}

/* The kept hits as contact rows, sorted by subject then place. */
static int emit(const trace_index *ix, const walk *w, vec *hits, trace_contact_list *out)
{
    hit *h = hits->items;
    if (hits->n == 0)
        return 0;
    sort_hits(h, hits->n);
    out->items = fk_try_malloc(hits->n * sizeof *out->items);
    if (!out->items)
        return -1;
    for (size_t i = 0; i < hits->n; i++) {
        trace_contact *t = &out->items[i];
        memset(t, 0, sizeof *t);   /* whole rows compare equal byte for byte */
        strcpy(t->subject, trace__name(&ix->subjects, h[i].s)); /* lengths checked at build */
        strcpy(t->kind, w->kind);   /* "companion" or "venue": fits */
        strcpy(t->place, trace__name(&ix->places, h[i].p));
        t->first_overlap = h[i].first;
        t->overlap_s = h[i].ov;
        t->degree = 1;
        trace__source_names(ix->place_src[h[i].p], t->source, sizeof t->source);
    }
    out->n = hits->n;
    return 0;
}

static int run_walk(const trace_index *ix, const char *case_subject, int64_t from, int64_t to,
                    const walk *w, trace_contact_list *out, fk_err *err)
{
    const trace_rules *r = w ? &w->rules : NULL;
    if (!out)
        return fk_fail(err, FK_EINVAL, "out", "no result list");
    out->items = NULL;
    out->n = 0;
    if (!ix || !r)
        return fk_fail(err, FK_EINVAL, ix ? "rules" : "index", "missing argument");
    if (!case_subject || !case_subject[0])
        return fk_fail(err, FK_EINVAL, "case", "empty case subject");
    if (from >= to)
        return fk_fail(err, FK_EINVAL, "to", "window end %lld is not after its start %lld",
                       (long long)to, (long long)from);
    if (r->min_overlap_s < 0 || r->dwell_s < 0 || r->lookback_s < 0)
        return fk_fail(err, FK_EINVAL, "rules", "negative %s rule", w->kind);
    int64_t c = trace__names_find(&ix->subjects, case_subject);
    if (c < 0)
        return 0;
    vec hits = {.size = sizeof(hit)};
    int rc = find_hits(ix, (uint32_t)c, from, to, w, &hits);
    if (rc == 0)
        rc = emit(ix, w, &hits, out);
    free(hits.items);
    if (rc != 0)
        return fk_fail(err, FK_EBUSY, "", "out of memory in a %s query", w->kind);
    return 0;
}

int trace_companions(const trace_index *ix, const char *case_subject, int64_t from, int64_t to,
                     const trace_rules *r, trace_contact_list *out, fk_err *err)
{
    walk w = {.venues = 0, .kind = "companion"};
    if (r)
        w.rules = *r;
    return run_walk(ix, case_subject, from, to, r ? &w : NULL, out, err);
}

int trace_venue_contacts(const trace_index *ix, const char *case_subject, int64_t from,
                         int64_t to, int64_t min_overlap_s, trace_contact_list *out, fk_err *err)
{
    walk w = {.rules = {.min_overlap_s = min_overlap_s}, .venues = 1, .kind = "venue"};
    return run_walk(ix, case_subject, from, to, &w, out, err);
}

int trace_contact_list_append(trace_contact_list *out, trace_contact_list *l, fk_err *err)
{
    if (l->n == 0)
        return 0;
    if (out->n == 0) {          /* take l's array as it is: no copy */
        free(out->items);
        *out = *l;
        *l = (trace_contact_list){0};
        return 0;
    }
    trace_contact *grown = fk_try_realloc(out->items, (out->n + l->n) * sizeof *grown);
    if (!grown)
        return fk_fail(err, FK_EBUSY, "", "out of memory collecting contacts");
    memcpy(grown + out->n, l->items, l->n * sizeof *grown);
    out->items = grown;
    out->n += l->n;
    trace_contact_list_free(l);
    return 0;
}

void trace_contact_list_free(trace_contact_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
