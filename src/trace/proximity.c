/*
 * proximity.c - proximity contacts from pairwise detections (Bluetooth, RFID badges).
 *
 * A detection at t says the pair was close during (t - interval, t]; detections of one
 * pair no more than `interval` apart chain into one event [first - interval, last).
 * The case's detections are one contiguous run of the prox arrays, sorted by other
 * subject then time (trace_int.h), so a query reads only the case's own detections:
 * per other subject, chain the events, clip each to the window, and sum.
 *
 * Thread safety: the index is only read; scratch memory belongs to the query.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "trace/trace_int.h"

typedef struct prox_sum { int64_t first, total; } prox_sum;

/* Add event [a, b) clipped to [from, to) to *sum. */
static void add_event(prox_sum *sum, int64_t a, int64_t b, int64_t from, int64_t to)
{
    a = a > from ? a : from;
    b = b < to ? b : to;
    if (a >= b)
        return;
    if (sum->total == 0)
        sum->first = a;
    sum->total += b - a;
}

/* The events of the detections times[0..n) (sorted) summed inside [from, to). */
static prox_sum sum_events(const int64_t *times, size_t n, int64_t interval, int64_t from,
                           int64_t to)
{
    prox_sum sum = {0, 0};
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j + 1 < n && times[j + 1] - times[j] <= interval)
            j++;
        add_event(&sum, times[i] - interval, times[j], from, to);
        i = j + 1;
    }
    return sum;
}

static int push_row(const trace_index *ix, uint32_t other, prox_sum s, trace_contact_list *out,
                    size_t *cap)
{
    if (out->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        trace_contact *grown = fk_try_realloc(out->items, ncap * sizeof *grown);
        if (!grown)
            return -1;
        out->items = grown;
        *cap = ncap;
    }
    trace_contact *t = &out->items[out->n++];
    memset(t, 0, sizeof *t);
    strcpy(t->subject, trace__name(&ix->subjects, other)); /* lengths checked at build */
    strcpy(t->kind, "proximity");
    strcpy(t->source, "proximity");
    t->first_overlap = s.first;
    t->overlap_s = s.total;
    t->degree = 1;
    return 0;
}

int trace_proximity_contacts(const trace_index *ix, const char *case_subject, int64_t from,
                             int64_t to, int64_t interval_s, int64_t min_s,
                             trace_contact_list *out, fk_err *err)
{
    if (!out)
        return fk_fail(err, FK_EINVAL, "out", "no result list");
    out->items = NULL;
    out->n = 0;
    if (!ix || !case_subject || !case_subject[0])
        return fk_fail(err, FK_EINVAL, ix ? "case" : "index", "missing argument");
    if (from >= to)
        return fk_fail(err, FK_EINVAL, "to", "window end %lld is not after its start %lld",
                       (long long)to, (long long)from);
    if (interval_s <= 0 || min_s < 0)
        return fk_fail(err, FK_EINVAL, "rules", "proximity interval %lld, minimum %lld",
                       (long long)interval_s, (long long)min_s);
    int64_t c = trace__names_find(&ix->subjects, case_subject);
    if (c < 0)
        return 0;
    size_t cap = 0;
    uint32_t k = ix->prox_off[c], end = ix->prox_off[c + 1];
    while (k < end) {
        uint32_t other = ix->prox_other[k], j = k;
        while (j < end && ix->prox_other[j] == other)
            j++;
        prox_sum s = sum_events(ix->prox_time + k, j - k, interval_s, from, to);
        if (s.total > 0 && s.total >= min_s && push_row(ix, other, s, out, &cap) != 0) {
            trace_contact_list_free(out);
            return fk_fail(err, FK_EBUSY, "", "out of memory in a proximity query");
        }
        k = j;
    }
    return 0;
}
