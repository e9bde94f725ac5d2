/*
 * leads.c - the leads service (contract: leads.h).
 *
 * Every path that reads or changes a lead for a user goes through here, so the
 * permission, jurisdiction, masking and audit rules are applied once.
 */
#include "services/leads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/timeutil.h"
#include "model/person.h"
#include "model/responsibility.h"
#include "model/role.h"
#include "services/accountability.h"
#include "services/contacts.h"
#include "services/discovery.h"
#include "services/registry.h"
#include "services/travel.h"

/* ---- policy ------------------------------------------------------------------------ */

/* The time limit that bounds control of a lead of `kind` (a policy path): a retest of a
 * positive pool's member is due within testing.positive_pool.retest_within_h, the
 * others within tracing.time_limits_h. */
static const char *controlled_limit_path(const char *kind)
{
    if (!strcmp(kind, "close_contact"))
        return "tracing.time_limits_h.close_contacts_isolated";
    if (!strcmp(kind, "secondary_contact"))
        return "tracing.time_limits_h.secondary_contacts_isolated";
    if (!strcmp(kind, "pool_retest"))
        return "testing.positive_pool.retest_within_h";
    return "tracing.time_limits_h.assist_controlled";
}

int leads_deadlines(const policy *pol, const char *kind, int64_t pushed_at,
                    int64_t out[LEAD_STEPS], fk_err *err)
{
    const char *paths[LEAD_STEPS] = {"tracing.time_limits_h.assist_located",
                                     controlled_limit_path(kind),
                                     "tracing.time_limits_h.pushed_list_closed"};
    for (int i = 0; i < LEAD_STEPS; i++) {
        int64_t h;
        if (policy_get_int(pol, paths[i], &h, err) != 0)
            return -1;
        out[i] = pushed_at + h * 3600;
        /* a local override may shorten a later limit below an earlier one; a lead
         * cannot be due controlled before it is due found, so the later one waits */
        if (i > 0 && out[i] < out[i - 1])
            out[i] = out[i - 1];
    }
    return 0;
}

/* The policy's measures cohort of a kind, or NULL for kinds whose measure is a test. */
static const char *measure_cohort(const char *kind)
{
    if (!strcmp(kind, "close_contact") || !strcmp(kind, "secondary_contact"))
        return kind;
    if (!strcmp(kind, "traveler"))
        return "high_risk_area_stay";
    return NULL;
}

int leads_measure_for(const policy *pol, const char *kind, char *out, size_t cap, fk_err *err)
{
    const char *cohort = measure_cohort(kind), *measure = "test";
    char path[96];
    if (cohort) {
        snprintf(path, sizeof path, "measures.%s.phases.0.kind", cohort);
        if (policy_get_string(pol, path, &measure, err) != 0)
            return -1;
    }
    snprintf(out, cap, "%s", measure);
    return 0;
}

/* ---- scope, masking, audit --------------------------------------------------------- */

static void mask_subject(char *subject, size_t cap)
{
    char buf[64];
    size_t n = strlen(subject);
    if (n == 11)
        mask_phone(subject, buf, sizeof buf);
    else
        mask_id_number(subject, buf, sizeof buf);
    snprintf(subject, cap, "%s", buf);
}

static void mask_lead(const actor *a, lead_rec *l)
{
    if (role_can(a->role, PERM_UNMASKED))
        return;
    char phone[sizeof l->person_phone];
    registry_mask_name(a, l->person_name, sizeof l->person_name);
    mask_phone(l->person_phone, phone, sizeof phone);
    memcpy(l->person_phone, phone, sizeof phone);
    if (l->subject[0])
        mask_subject(l->subject, sizeof l->subject);
}

/* Who answers for the lead at its escalation level now (the matrix's function leads). */
static int name_responsible(store *st, lead_rec *l, int64_t now, fk_err *err)
{
    resp_rec r;
    int found = acc_responsible(st, "leads", l->area_code, l->escalation_level, now, &r, err);
    snprintf(l->resp_unit, sizeof l->resp_unit, "%s", found > 0 ? r.unit : "");
    snprintf(l->resp_official, sizeof l->resp_official, "%s", found > 0 ? r.official : "");
    return found < 0 ? -1 : 0;
}

/* The lead, unmasked, if it lies in the caller's jurisdiction (else "not found"). */
static int lead_in_scope(store *st, const actor *a, int64_t id, lead_rec *out, fk_err *err)
{
    if (actor_require(a, PERM_LEADS, err) != 0 || store_lead_get(st, id, out, err) != 0)
        return -1;
    if (!role_in_jurisdiction(a->area_code, out->area_code))
        return fk_fail(err, FK_ENOTFOUND, "", "no lead with id %lld", (long long)id);
    return 0;
}

/* ---- push from a case -------------------------------------------------------------- */

/* The push of case k now: per degree the kind, the policy's measure and deadlines. */
static int push_of(const policy *pol, const actor *a, const epicase *k, lead_push *p,
                   fk_err *err)
{
    static const char *const kinds[2] = {"close_contact", "secondary_contact"};
    memset(p, 0, sizeof *p);
    p->case_id = k->id;
    snprintf(p->case_area, sizeof p->case_area, "%s", k->community_code);
    p->pushed_at = fk_now();
    p->actor = a->username;
    p->note = "pushed from the case's contacts";
    for (int d = 0; d < 2; d++) {
        snprintf(p->kind[d], sizeof p->kind[d], "%s", kinds[d]);
        if (leads_measure_for(pol, kinds[d], p->measure[d], sizeof p->measure[d], err) != 0 ||
            leads_deadlines(pol, kinds[d], p->pushed_at, p->deadlines[d], err) != 0)
            return -1;
    }
    return 0;
}

static int insert_audited(store *st, const actor *a, lead_rec *l, const char *note, fk_err *err)
{
    audit_rec rec;
    char detail[96];
    snprintf(detail, sizeof detail, "%s case=%lld area=%s", l->kind, (long long)l->case_id,
             l->area_code);
    actor_audit(a, &rec, "create", "lead", 0, detail);
    return store_lead_insert(st, l, a->username, note, &rec, err);
}

/* One audit record for the whole push, naming the ids made: a case's push can make
 * thousands of leads in one change, and their ids are consecutive (one statement). */
static void audit_push(const actor *a, const epicase *k, int64_t first, int64_t last,
                       audit_rec *rec)
{
    char detail[160];
    snprintf(detail, sizeof detail, "pushed %lld leads (ids %lld-%lld) case=%lld",
             (long long)(last - first + 1), (long long)first, (long long)last, (long long)k->id);
    actor_audit(a, rec, "create", "lead", first, detail);
}

/* The push of case_id on st, one unit after the case's read (audited on its own). */
static int push_unit(store *st, const policy *pol, const actor *a, int64_t case_id,
                     int64_t *first, int64_t *last, fk_err *err)
{
    epicase k;
    lead_push p;
    if (registry_case_get(st, a, case_id, &k, err) != 0 || push_of(pol, a, &k, &p, err) != 0)
        return -1;
    /* the audit row names ids the insert makes: written in the same unit, after it */
    if (store_begin(st, err) != 0)
        return -1;
    audit_rec rec;
    int rc = store_lead_push(st, &p, NULL, first, last, err);
    if (rc == 0 && *last >= *first) {
        audit_push(a, &k, *first, *last, &rec);
        rc = store_audit_append(st, &rec, err);
    }
    if (rc == 0)
        rc = store_commit(st, err);
    if (rc != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

int leads_push_case_ids(store *st, const policy *pol, const actor *a, int64_t case_id,
                        int64_t *first_id, int64_t *last_id, fk_err *err)
{
    int64_t first = 0, last = -1;
    *first_id = 0;
    *last_id = -1;
    /* pushing a case's contacts is the epidemiologists' act (contacts need PERM_TRACE),
     * working the leads the communities' */
    if (actor_require(a, PERM_LEADS, err) != 0 || actor_require(a, PERM_TRACE, err) != 0)
        return -1;
    /* on the process's shared handle: its cache still holds the contacts' and persons'
     * pages the last push read, whichever thread pushed; announced as a burst of writes,
     * so the checkpointer copies between pushes, not beside one (bench/loop, three
     * interleaved pairs: 0.98-1.07 s against 1.04-1.11 s) */
    store *w = store_shared_take(st);
    store_writes_pending(true);
    int rc = push_unit(w, pol, a, case_id, &first, &last, err);
    store_writes_pending(false);
    store_shared_give(st, w);
    if (rc != 0)
        return -1;
    *first_id = first;
    *last_id = last;
    return 0;
}

int leads_push_case(store *st, const policy *pol, const actor *a, int64_t case_id,
                    lead_list *created, fk_err *err)
{
    int64_t first, last;
    memset(created, 0, sizeof *created);
    if (leads_push_case_ids(st, pol, a, case_id, &first, &last, err) != 0)
        return -1;
    if (last >= first && store_lead_range(st, first, last, created, err) != 0)
        return -1;
    for (size_t i = 0; i < created->n; i++)
        mask_lead(a, &created->items[i]);
    return 0;
}

/* ---- by hand ------------------------------------------------------------------------- */

static int text_field(const char *v, size_t cap, const char *field, fk_err *err)
{
    if (strlen(v) >= cap)
        return fk_fail(err, FK_EINVAL, field, "%s: at most %zu bytes", field, cap - 1);
    return 0;
}

static int check_assignee(store *st, const char *assignee, fk_err *err)
{
    user u;
    fk_err ignored;
    if (!assignee || !assignee[0])
        return 0;
    if (text_field(assignee, 64, "assignee", err) != 0)
        return -1;
    if (store_user_get_by_name(st, assignee, &u, &ignored) != 0)
        return fk_fail(err, FK_EREF, "assignee", "assignee: no user %s", assignee);
    return 0;
}

/* Link the lead to its person (given, or found by subject) and take the area from the
 * person, else from the case, else the one given. */
static int resolve_person_and_area(store *st, const actor *a, lead_rec *l, fk_err *err)
{
    person p;
    epicase k;
    if (!l->person_id && l->subject[0]) {
        int linked = discovery_person_of_subject(st, l->subject, &p, err);
        if (linked < 0)
            return -1;
        l->person_id = linked ? p.id : 0;
    }
    if (l->person_id) {
        if (registry_person_get(st, a, l->person_id, &p, err) != 0)
            return fk_fail(err, FK_EREF, "person_id", "person_id: no person %lld",
                           (long long)l->person_id);
        snprintf(l->area_code, sizeof l->area_code, "%s", p.community_code);
    } else if (l->case_id && !l->area_code[0]) {
        if (registry_case_get(st, a, l->case_id, &k, err) != 0)
            return fk_fail(err, FK_EREF, "case_id", "case_id: no case %lld",
                           (long long)l->case_id);
        snprintf(l->area_code, sizeof l->area_code, "%s", k.community_code);
    }
    return 0;
}

static int check_area(store *st, const actor *a, const char *code, fk_err *err)
{
    area ar;
    fk_err ignored;
    if (!code[0])
        return fk_fail(err, FK_EINVAL, "area_code",
                       "area_code: required when the lead has no registered person or case");
    if (store_area_get(st, code, &ar, &ignored) != 0)
        return fk_fail(err, FK_EREF, "area_code", "area_code: no area %s", code);
    if (!role_in_jurisdiction(a->area_code, code))
        return fk_fail(err, FK_EFORBIDDEN, "area_code",
                       "area_code: %s is outside your jurisdiction %s", code, a->area_code);
    return 0;
}

static int check_new_lead(store *st, const actor *a, lead_rec *l, int64_t now, fk_err *err)
{
    epicase k;
    if (actor_require(a, PERM_LEADS, err) != 0)
        return -1;
    if (!lead_kind_known(l->kind))
        return fk_fail(err, FK_EINVAL, "kind",
                       "kind: must be close_contact, secondary_contact, traveler, pool_retest "
                       "or missed_test");
    if (!l->person_id && !l->subject[0])
        return fk_fail(err, FK_EINVAL, "subject",
                       "subject: a phone or ID number is required without person_id");
    if (l->pushed_at > now)
        return fk_fail(err, FK_EINVAL, "pushed_at", "pushed_at: cannot be in the future");
    if (l->case_id && registry_case_get(st, a, l->case_id, &k, err) != 0)
        return fk_fail(err, FK_EREF, "case_id", "case_id: no case %lld", (long long)l->case_id);
    if (check_assignee(st, l->assignee, err) != 0 ||
        resolve_person_and_area(st, a, l, err) != 0)
        return -1;
    return check_area(st, a, l->area_code, err);
}

int leads_create(store *st, const policy *pol, const actor *a, lead_rec *l, fk_err *err)
{
    int64_t now = fk_now();
    if (check_new_lead(st, a, l, now, err) != 0)
        return -1;
    if (!l->pushed_at)
        l->pushed_at = now;
    if (!l->measure_required[0] &&
        leads_measure_for(pol, l->kind, l->measure_required, sizeof l->measure_required, err))
        return -1;
    if (leads_deadlines(pol, l->kind, l->pushed_at, l->deadlines, err) != 0 ||
        insert_audited(st, a, l, "created by hand", err) != 0 ||
        store_lead_get(st, l->id, l, err) != 0)
        return -1;
    mask_lead(a, l);
    return name_responsible(st, l, fk_now(), err);
}

/* ---- reads --------------------------------------------------------------------------- */

int leads_list(store *st, const actor *a, const lead_filter *f, lead_list *out, fk_err *err)
{
    char scope[16], detail[160];
    lead_filter g = *f;
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_LEADS, err) != 0)
        return -1;
    if (!actor_narrow_area(a, f->area_prefix, scope, sizeof scope, &g.area_prefix))
        return 0;
    if (store_lead_list(st, &g, out, err) != 0)
        return -1;
    snprintf(detail, sizeof detail, "state=%s kind=%s area=%s case=%lld overdue=%d returned=%zu",
             g.state ? g.state : "", g.kind ? g.kind : "", g.area_prefix,
             (long long)g.case_id, g.overdue_at > 0, out->n);
    if (actor_audit_append(st, a, "list", "lead", 0, detail, err) != 0) {
        lead_list_free(out);
        return -1;
    }
    int64_t now = fk_now();
    for (size_t i = 0; i < out->n; i++) {
        mask_lead(a, &out->items[i]);
        if (name_responsible(st, &out->items[i], now, err) != 0) {
            lead_list_free(out);
            return -1;
        }
    }
    return 0;
}

typedef struct export_ctx {
    store *st;
    const actor *a;
    int64_t now, n;
    lead_fn fn;
    void *ctx;
    fk_err *err;
} export_ctx;

static int export_one(void *ctx, lead_rec *l)
{
    export_ctx *x = ctx;
    mask_lead(x->a, l);
    if (name_responsible(x->st, l, x->now, x->err) != 0)
        return -1;
    x->n++;
    return x->fn(x->ctx, l);
}

int leads_export(store *st, const actor *a, const lead_filter *f, lead_fn fn, void *ctx,
                 fk_err *err)
{
    char scope[16], detail[160];
    lead_filter g = *f;
    export_ctx x = {st, a, fk_now(), 0, fn, ctx, err};
    if (actor_require(a, PERM_LEADS, err) != 0)
        return -1;
    if (actor_narrow_area(a, f->area_prefix, scope, sizeof scope, &g.area_prefix) &&
        store_lead_each(st, &g, export_one, &x, err) != 0)
        return -1;
    snprintf(detail, sizeof detail, "state=%s kind=%s area=%s overdue=%d exported=%lld",
             g.state ? g.state : "", g.kind ? g.kind : "", g.area_prefix ? g.area_prefix : "",
             g.overdue_at > 0, (long long)x.n);
    return actor_audit_append(st, a, "export", "lead", 0, detail, err);
}

int leads_get(store *st, const actor *a, int64_t id, lead_rec *out, lead_event_list *events,
              fk_err *err)
{
    if (events)
        memset(events, 0, sizeof *events);
    if (lead_in_scope(st, a, id, out, err) != 0 ||
        actor_audit_append(st, a, "read", "lead", id, "", err) != 0)
        return -1;
    if (events && store_lead_events(st, id, events, err) != 0)
        return -1;
    mask_lead(a, out);
    return name_responsible(st, out, fk_now(), err);
}

/* ---- changes ------------------------------------------------------------------------- */

static int check_change(store *st, const lead_rec *cur, const lead_change *c, fk_err *err)
{
    if (!c->state && !c->note && !c->assignee && !c->measure_taken)
        return fk_fail(err, FK_EINVAL, "state", "state: nothing to change");
    if (c->note && text_field(c->note, 256, "note", err) != 0)
        return -1;
    if (c->measure_taken && (!c->state || strcmp(c->state, "controlled")))
        return fk_fail(err, FK_EINVAL, "measure_taken",
                       "measure_taken: only given with state controlled");
    if (c->state && strcmp(c->state, cur->state) &&
        lead_check_transition(cur->state, c->state, c->measure_taken, err) != 0)
        return -1;
    if (c->state && !strcmp(c->state, cur->state) && strcmp(c->state, "controlled") == 0)
        return fk_fail(err, FK_ECONFLICT, "state", "state: the lead is already controlled");
    return check_assignee(st, c->assignee, err);
}

int leads_change(store *st, const actor *a, int64_t id, const lead_change *c, lead_rec *out,
                 fk_err *err)
{
    lead_rec cur;
    if (lead_in_scope(st, a, id, &cur, err) != 0 || check_change(st, &cur, c, err) != 0)
        return -1;
    const char *to = c->state ? c->state : cur.state;
    audit_rec rec;
    char detail[96];
    snprintf(detail, sizeof detail, "%s->%s%s%s", cur.state, to, c->assignee ? " assignee=" : "",
             c->assignee ? c->assignee : "");
    actor_audit(a, &rec, "transition", "lead", id, detail);
    if (store_begin(st, err) != 0)
        return -1;
    int rc = store_lead_transition(st, id, cur.state, to, c->measure_taken, c->assignee,
                                   a->username, c->note, fk_now(), &rec, out, err);
    /* a traveler lead closed: the travel hook (health codes) in the same transaction */
    if (rc == 0 && !strcmp(cur.kind, "traveler") && !strcmp(to, "closed") && cur.person_id)
        rc = travel_leads_changed(st, a, &cur.person_id, 1, err);
    if (store_end(st, rc, err) != 0)
        return -1;
    mask_lead(a, out);
    return name_responsible(st, out, fk_now(), err);
}

/* ---- escalation ---------------------------------------------------------------------- */

/* Who answers at each (unit, level) a sweep met: each page asks once per (area, new
 * level), and the pages of a sweep meet the same few units again and again. The matrix
 * is read at one `now` for the whole sweep, so an entry never goes stale within it. */
enum { RESP_CACHE = 64 };
typedef struct resp_cache {
    struct {
        char unit[16];
        int level, found;
        resp_rec r;
    } e[RESP_CACHE];
    size_t n, next;
} resp_cache;

static int responsible_cached(store *st, resp_cache *c, const char *area, int level,
                              int64_t now, resp_rec *out, fk_err *err)
{
    char unit[16];
    resp_unit_code(area, level, unit);
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].level == level && !strcmp(c->e[i].unit, unit)) {
            *out = c->e[i].r;
            return c->e[i].found;
        }
    int found = acc_responsible(st, "leads", area, level, now, out, err);
    if (found < 0)
        return -1;
    size_t slot = c->n < RESP_CACHE ? c->n++ : c->next++ % RESP_CACHE;
    snprintf(c->e[slot].unit, sizeof c->e[slot].unit, "%s", unit);
    c->e[slot].level = level;
    c->e[slot].found = found;
    c->e[slot].r = *out;
    return found;
}

/* The event's note names who answers at the new level, as the matrix has it at `now`. */
typedef struct note_ctx {
    store *st;
    resp_cache *cache;
    int64_t now;
} note_ctx;

static int escalation_note(void *ctx, const char *area_code, int level, char *note, size_t cap,
                           fk_err *err)
{
    note_ctx *c = ctx;
    resp_rec r;
    int found = responsible_cached(c->st, c->cache, area_code, level, c->now, &r, err);
    if (found < 0)
        return -1;
    snprintf(note, cap, "escalated to level %d (%s)%s%s%s%s", level, lead_level_name(level),
             found ? ": " : "", found ? r.unit : "", found ? ", " : "", found ? r.official : "");
    return 0;
}

/* ---- the audit of a page: every raised lead named, as runs of consecutive ids ---------- */

enum { AUDIT_DETAIL = sizeof(((audit_rec *)0)->detail) };

/* Room for the prefix "escalated N leads: " in front of the runs. */
enum { AUDIT_PREFIX = 40, AUDIT_BODY = AUDIT_DETAIL - AUDIT_PREFIX };

/* Append run r to body ("level F->T (name) ids " first when it opens a (from, to)
 * group); -1, body unchanged, when it does not fit. */
static int append_run(char *body, size_t *len, const lead_run *r, int open_group)
{
    char item[96];
    int n;
    if (open_group)
        n = snprintf(item, sizeof item, "%slevel %d->%d (%s) ids ", *len ? "; " : "", r->from,
                     r->to, lead_level_name(r->to));
    else
        n = snprintf(item, sizeof item, ",");
    if (r->first == r->last)
        n += snprintf(item + n, sizeof item - (size_t)n, "%lld", (long long)r->first);
    else
        n += snprintf(item + n, sizeof item - (size_t)n, "%lld-%lld", (long long)r->first,
                      (long long)r->last);
    if (*len + (size_t)n >= AUDIT_BODY)
        return -1;
    memcpy(body + *len, item, (size_t)n + 1);
    *len += (size_t)n;
    return 0;
}

static int audit_runs(store *st, const actor *a, const char *body, int64_t count, int64_t first,
                      fk_err *err)
{
    audit_rec rec;
    char detail[AUDIT_DETAIL];
    snprintf(detail, sizeof detail, "escalated %lld leads: %.*s", (long long)count,
             (int)AUDIT_BODY - 1, body);
    actor_audit(a, &rec, "escalate", "lead", first, detail);
    return store_audit_append(st, &rec, err);
}

/* As few records as the detail's length allows (one per page unless its ids are
 * scattered), each naming its leads as "level F->T (name) ids a-b,c": someone reading
 * the audit log can tell every lead raised, and to what, without the events. */
static int audit_page(store *st, const actor *a, const lead_sweep_page *p, fk_err *err)
{
    char body[AUDIT_BODY];
    size_t len = 0;
    int64_t count = 0, first = 0;
    for (size_t i = 0; i < p->n_runs; i++) {
        const lead_run *r = &p->runs[i];
        int open_group = len == 0 || r->from != p->runs[i - 1].from || r->to != p->runs[i - 1].to;
        if (append_run(body, &len, r, open_group) != 0) {
            if (audit_runs(st, a, body, count, first, err) != 0)
                return -1;
            len = 0;
            count = 0;
            append_run(body, &len, r, 1);
        }
        if (!count)
            first = r->first;
        count += r->n;
    }
    return count ? audit_runs(st, a, body, count, first, err) : 0;
}

/* ---- the sweep ----------------------------------------------------------------------------- */

/* The sweep in one unit: the raise, the notices and the audit records naming the leads.
 * *raised (IN/OUT) grows by those raised. */
static int escalate_unit(store *st, const actor *a, lead_sweep *sw, int *raised, fk_err *err)
{
    lead_sweep_page page;
    if (store_begin(st, err) != 0)
        return -1;
    int rc = store_lead_escalate_page(st, sw, &page, err);
    if (rc == 0)
        rc = audit_page(st, a, &page, err);
    if (rc == 0)
        rc = store_commit(st, err);
    if (rc != 0)
        store_rollback(st);
    *raised += rc == 0 ? (int)page.raised : 0;
    lead_sweep_page_free(&page);
    return rc;
}

int leads_escalate(store *st, const actor *a, int64_t now, int *raised, fk_err *err)
{
    resp_cache *cache = fk_calloc(1, sizeof *cache);
    note_ctx ctx = {st, cache, now};
    lead_sweep sw = {.now = now, .actor = a->username, .note = escalation_note,
                     .note_ctx = &ctx};
    bool pending = false;
    *raised = 0;
    /* a read first, without the write lock: mostly there is nothing to do */
    int rc = store_lead_escalation_pending(st, now, &pending, err);
    /* one unit: the sweep writes notices and the owed leads, not every lead it raises
     * (their levels derive from the clock it moves) */
    if (rc == 0 && pending)
        rc = escalate_unit(st, a, &sw, raised, err);
    free(cache);
    return rc;
}

bool leads_overdue(const lead_rec *l, int64_t now)
{
    return l->due_at > 0 && now > l->due_at;
}
