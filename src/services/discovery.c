/*
 * discovery.c - a case's contacts of every kind (contract: discovery.h).
 *
 * Order of work: degree 1 per subject of the case (companion, venue, proximity), then
 * the household and the interview from the registry, then sort and fold duplicates;
 * then, when asked and identified, degree 2 from each close contact. Contacts found
 * under a subject are linked to a person only for degree 2 (to reach their household
 * and their other subjects); the API links every stored row (services/contacts).
 */
#include "services/discovery.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/timeutil.h"
#include "policy/policy.h"

#define DAY 86400
#define CHINA_UTC_OFFSET (8 * 3600) /* dates in the registry are China's civil dates */

int discovery_rules_from_policy(const struct policy *p, discovery_rules *out, fk_err *err)
{
    fk_err quiet;
    memset(out, 0, sizeof *out);
    out->companions = trace_rules_from_policy(p, &out->companion, &quiet) == 0;
    if (!out->companions && quiet.code != FK_ECONFLICT)
        return fk_fail(err, quiet.code, quiet.field, "%s", quiet.message);
    if (policy_get_int(p, "close_contact.min_copresence_s", &out->min_copresence_s, err) ||
        policy_get_int(p, "close_contact.min_proximity_s", &out->min_proximity_s, err) ||
        policy_get_int(p, "trace_inputs.proximity.interval_s", &out->proximity_interval_s,
                       err) ||
        policy_get_int(p, "close_contact.days_before_onset", &out->days_before_onset, err) ||
        policy_get_int(p, "close_contact.days_before_sample_asymptomatic",
                       &out->days_before_sample, err) ||
        policy_get_bool(p, "secondary_contact.identified", &out->secondary, err))
        return -1;
    if (out->proximity_interval_s <= 0)
        return fk_fail(err, FK_EINVAL, "trace_inputs.proximity.interval_s",
                       "the proximity interval must be positive");
    return 0;
}

void discovery_case_from_person(const person *p, discovery_case *c)
{
    memset(c->subjects, 0, sizeof c->subjects);
    snprintf(c->subjects[0], sizeof c->subjects[0], "%s", p->phone);
    snprintf(c->subjects[1], sizeof c->subjects[1], "%s", p->id_number);
    snprintf(c->subjects[2], sizeof c->subjects[2], "%lld", (long long)p->id);
    c->person_id = p->id;
    c->household_id = p->household_id;
}

int discovery_person_of_subject(store *st, const char *subject, person *out, fk_err *err)
{
    fk_err e;
    size_t n = strlen(subject);
    if (n && store_person_find_by_subject(st, subject, out, &e) == 0)
        return 1;
    if (n && e.code != FK_ENOTFOUND) {
        *err = e;
        return -1;
    }
    if (n == 0 || n > 9 || strspn(subject, "0123456789") != n)
        return 0;
    if (store_person_get(st, strtoll(subject, NULL, 10), out, &e) == 0)
        return 1;
    if (e.code == FK_ENOTFOUND)
        return 0;
    *err = e;
    return -1;
}

int discovery_case_from_subject(store *st, const char *subject, discovery_case *c, fk_err *err)
{
    person p;
    int r = discovery_person_of_subject(st, subject, &p, err);
    if (r < 0)
        return -1;
    if (r == 1) {
        discovery_case_from_person(&p, c);
        return 0;
    }
    memset(c->subjects, 0, sizeof c->subjects);
    snprintf(c->subjects[0], sizeof c->subjects[0], "%s", subject);
    c->person_id = 0;
    c->household_id = 0;
    return 0;
}

int discovery_infectious_window(const epicase *k, const discovery_rules *r, int64_t until,
                                int64_t *from, int64_t *to, fk_err *err)
{
    int y, m, d;
    const char *date = k->onset_date[0] ? k->onset_date : k->sampling_date;
    int64_t days = k->onset_date[0] ? r->days_before_onset : r->days_before_sample;
    if (fk_date_parse(date, &y, &m, &d, k->onset_date[0] ? "onset_date" : "sampling_date",
                      err) != 0)
        return -1;
    *from = (fk_days_from_civil(y, m, d) - days) * DAY - CHINA_UTC_OFFSET;
    *to = until;
    if (*to <= *from)
        return fk_fail(err, FK_EINVAL, "to", "the infectious window ends before it starts");
    return 0;
}

/* ---- degree 1 ------------------------------------------------------------------- */

static bool is_case_subject(const discovery_case *c, const char *s)
{
    for (int i = 0; i < DISCOVERY_MAX_SUBJECTS; i++)
        if (c->subjects[i][0] && !strcmp(c->subjects[i], s))
            return true;
    return false;
}

/* Append l to out, leaving out the case's own subjects; l is freed. */
static int take(trace_contact_list *out, trace_contact_list *l, const discovery_case *c,
                fk_err *err)
{
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++)
        if (!is_case_subject(c, l->items[i].subject))
            l->items[kept++] = l->items[i];
    l->n = kept;
    int rc = trace_contact_list_append(out, l, err);
    trace_contact_list_free(l);
    return rc;
}

/* Venue and proximity contacts of one subject in [from, to). */
static int close_by_presence(const trace_index *ix, const discovery_rules *r, const char *s,
                             int64_t from, int64_t to, const discovery_case *c,
                             trace_contact_list *out, fk_err *err)
{
    trace_contact_list l;
    if (trace_venue_contacts(ix, s, from, to, r->min_copresence_s, &l, err) != 0 ||
        take(out, &l, c, err) != 0)
        return -1;
    if (trace_proximity_contacts(ix, s, from, to, r->proximity_interval_s, r->min_proximity_s,
                                 &l, err) != 0 ||
        take(out, &l, c, err) != 0)
        return -1;
    return 0;
}

static trace_contact *push(trace_contact_list *out, fk_err *err)
{
    trace_contact *grown = fk_try_realloc(out->items, (out->n + 1) * sizeof *grown);
    if (!grown) {
        fk_fail(err, FK_EBUSY, "", "out of memory collecting contacts");
        return NULL;
    }
    out->items = grown;
    trace_contact *t = &out->items[out->n++];
    memset(t, 0, sizeof *t);
    t->degree = 1;
    return t;
}

/* The other members of household h as household contacts from `from`. */
static int household_of(store *st, int64_t h, int64_t self, int64_t from,
                     const discovery_case *c, trace_contact_list *out, fk_err *err)
{
    person_filter f = {.household_id = h, .limit = 1000};
    person_list l;
    if (!h)
        return 0;
    if (store_person_list(st, &f, &l, err) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        const person *p = &l.items[i];
        const char *subject = p->phone[0] ? p->phone : p->id_number;
        if (p->id == self || is_case_subject(c, subject))
            continue;
        trace_contact *t = push(out, err);
        if (!t) {
            rc = -1;
            break;
        }
        snprintf(t->subject, sizeof t->subject, "%s", subject);
        strcpy(t->kind, "household");
        strcpy(t->source, "registry");
        /* living together: exposed over the whole window, to its end (the case isolated,
         * or now), which is the last exposure an isolation's day 1 counts from */
        t->first_overlap = from;
        t->overlap_s = c->to > from ? c->to - from : 0;
    }
    person_list_free(&l);
    return rc;
}

/* The people named in the case's interview (stored contacts of kind interview). */
static int interview(store *st, const discovery_case *c, trace_contact_list *out, fk_err *err)
{
    contact_rec_list l;
    if (!c->case_id)
        return 0;
    if (store_contact_list(st, c->case_id, &l, err) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        const contact_rec *k = &l.items[i];
        if (strcmp(k->kind, "interview") != 0 || k->degree != 1)
            continue;
        trace_contact *t = push(out, err);
        if (!t) {
            rc = -1;
            break;
        }
        snprintf(t->subject, sizeof t->subject, "%s", k->subject);
        strcpy(t->kind, "interview");
        snprintf(t->place, sizeof t->place, "%s", k->place);
        strcpy(t->source, "interview");
        t->first_overlap = k->first_overlap;
        t->overlap_s = k->overlap_s;
    }
    contact_rec_list_free(&l);
    return rc;
}

static int row_cmp(const void *a, const void *b)
{
    const trace_contact *x = a, *y = b;
    int c;
    if (x->degree != y->degree)
        return x->degree - y->degree;
    if ((c = strcmp(x->subject, y->subject)) || (c = strcmp(x->kind, y->kind)) ||
        (c = strcmp(x->place, y->place)) || (c = strcmp(x->via, y->via)))
        return c;
    return (x->overlap_s < y->overlap_s) - (x->overlap_s > y->overlap_s); /* larger first */
}

static bool same_row(const trace_contact *x, const trace_contact *y)
{
    return x->degree == y->degree && !strcmp(x->subject, y->subject) &&
           !strcmp(x->kind, y->kind) && !strcmp(x->place, y->place) && !strcmp(x->via, y->via);
}

/* Sort rows [base, n) and fold repeats, keeping the first (largest overlap). */
static void sort_fold(trace_contact_list *out, size_t base)
{
    trace_contact *v = out->items + base;
    size_t n = out->n - base, kept = 0;
    if (n == 0)
        return;
    qsort(v, n, sizeof *v, row_cmp);
    for (size_t i = 0; i < n; i++)
        if (kept == 0 || !same_row(&v[kept - 1], &v[i]))
            v[kept++] = v[i];
    out->n = base + kept;
}

static int degree_one(const trace_index *ix, store *st, const discovery_rules *r,
                      const discovery_case *c, trace_contact_list *out, fk_err *err)
{
    for (int i = 0; i < DISCOVERY_MAX_SUBJECTS; i++) {
        const char *s = c->subjects[i];
        trace_contact_list l;
        if (!s[0])
            continue;
        if (r->companions &&
            (trace_companions(ix, s, c->comp_from, c->comp_to, &r->companion, &l, err) != 0 ||
             take(out, &l, c, err) != 0))
            return -1;
        if (close_by_presence(ix, r, s, c->from, c->to, c, out, err) != 0)
            return -1;
    }
    if (household_of(st, c->household_id, c->person_id, c->from, c, out, err) != 0 ||
        interview(st, c, out, err) != 0)
        return -1;
    sort_fold(out, 0);
    return 0;
}

/* ---- degree 2 ------------------------------------------------------------------- */

/* Is s a close contact (a degree-1 row of any kind but companion)? Rows [0, n1) are
 * sorted by subject (sort_fold), so this is a binary search: it runs once per
 * secondary row, thousands of times a case. */
static bool is_close_subject(const trace_contact_list *out, size_t n1, const char *s)
{
    size_t l = 0, r = n1;
    while (l < r) {
        size_t mid = l + (r - l) / 2;
        if (strcmp(out->items[mid].subject, s) < 0)
            l = mid + 1;
        else
            r = mid;
    }
    for (; l < n1 && !strcmp(out->items[l].subject, s); l++)
        if (strcmp(out->items[l].kind, "companion"))
            return true;
    return false;
}

/* The contacts of close contact `subject`, first exposed to the case at `first`, as
 * degree 2 (the contact as a discovery_case of its own). */
static int secondary_of(const trace_index *ix, store *st, const discovery_rules *r,
                        const discovery_case *c, const char *subject, int64_t first,
                        size_t n1, trace_contact_list *out, fk_err *err)
{
    discovery_case kc = {0};
    trace_contact_list l = {0};
    if (discovery_case_from_subject(st, subject, &kc, err) != 0)
        return -1;
    kc.from = first > c->from ? first : c->from;
    kc.to = c->to;
    if (kc.from >= kc.to)
        return 0;
    int rc = 0;
    for (int i = 0; i < DISCOVERY_MAX_SUBJECTS && rc == 0; i++)
        if (kc.subjects[i][0])
            rc = close_by_presence(ix, r, kc.subjects[i], kc.from, kc.to, &kc, &l, err);
    if (rc == 0)
        rc = household_of(st, kc.household_id, kc.person_id, kc.from, &kc, &l, err);
    size_t kept = 0;
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        trace_contact *t = &l.items[i];
        if (is_case_subject(c, t->subject) || is_close_subject(out, n1, t->subject))
            continue;
        t->degree = 2;
        snprintf(t->via, sizeof t->via, "%s", subject);
        l.items[kept++] = *t;
    }
    l.n = kept;
    if (rc == 0)
        rc = trace_contact_list_append(out, &l, err);
    trace_contact_list_free(&l);
    return rc;
}

/* Degree 2: once per close contact (rows [0, n1) are sorted by subject), from the
 * earliest exposure over its close-contact rows. */
static int degree_two(const trace_index *ix, store *st, const discovery_rules *r,
                      const discovery_case *c, size_t n1, trace_contact_list *out, fk_err *err)
{
    for (size_t i = 0; i < n1;) {
        char subject[64];
        int64_t first = INT64_MAX;
        snprintf(subject, sizeof subject, "%s", out->items[i].subject);
        for (; i < n1 && !strcmp(out->items[i].subject, subject); i++)
            if (strcmp(out->items[i].kind, "companion") && out->items[i].first_overlap < first)
                first = out->items[i].first_overlap;
        if (first != INT64_MAX && secondary_of(ix, st, r, c, subject, first, n1, out, err))
            return -1;
    }
    return 0;
}

int discovery_run(const trace_index *ix, store *st, const discovery_rules *r,
                  const discovery_case *c, trace_contact_list *out, fk_err *err)
{
    memset(out, 0, sizeof *out);
    if (c->from >= c->to)
        return fk_fail(err, FK_EINVAL, "to", "to: the window ends before it starts");
    if (r->companions && c->comp_from >= c->comp_to)
        return fk_fail(err, FK_EINVAL, "to", "to: the companion window ends before it starts");
    int rc = degree_one(ix, st, r, c, out, err);
    size_t n1 = out->n;
    if (rc == 0 && c->secondary && r->secondary)
        rc = degree_two(ix, st, r, c, n1, out, err);
    if (rc != 0) {
        trace_contact_list_free(out);
        return -1;
    }
    sort_fold(out, n1);
    return 0;
}
