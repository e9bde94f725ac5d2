/*
 * positives.c - what follows a lab result (contract: positives.h).
 */
#include "services/positives.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "model/hold.h"
#include "model/role.h"
#include "services/codes.h"
#include "services/isolation.h"
#include "services/leads.h"
#include "services/registry.h"

/* ---- helpers ----------------------------------------------------------------------------- */

/* The ids of the rows as a JSON array text, the store's row source. */
/* Audit a set change as one record naming its count (nothing when n is 0). */
static int audit_set(store *st, const actor *a, const char *action, int64_t id, int64_t n,
                     const char *what, fk_err *err)
{
    char detail[160];
    if (!n)
        return 0;
    snprintf(detail, sizeof detail, "%lld %s", (long long)n, what);
    return actor_audit_append(st, a, action, "testing_hold", id, detail, err);
}

typedef struct follow {
    store *st;
    const policy *pol;
    const actor *a;
    const char *ids;
    int64_t now;
    int64_t released; /* holds released so far by this recording */
} follow;

/* Every audience (a role) of the policy list at `path` in turn. */
typedef int (*audience_fn)(const follow *f, const char *audience, const void *arg, fk_err *err);
static int each_audience(const follow *f, const char *path, audience_fn fn, const void *arg,
                         fk_err *err)
{
    const char *audiences[8];
    size_t n = 0;
    if (policy_get_string_array(f->pol, path, audiences, 8, &n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (fn(f, audiences[i], arg, err))
            return -1;
    return 0;
}

typedef struct pool_notice { const char *kind, *fmt; } pool_notice;

static int pool_notice_to(const follow *f, const char *audience, const void *arg, fk_err *err)
{
    const pool_notice *p = arg;
    return store_notices_for_results(f->st, p->kind, f->ids, audience, p->fmt, f->now, err);
}

/* The retest leads of the holds just released close; one audit record for the set. */
static int close_leads(const follow *f, int64_t released, const char *note, fk_err *err)
{
    char detail[128];
    snprintf(detail, sizeof detail, "retest leads of %lld released holds closed: %s",
             (long long)released, note);
    return store_holds_close_leads(f->st, f->ids, f->now, f->a->username, "other", note, err) ||
           actor_audit_append(f->st, f->a, "transition", "lead", 0, detail, err);
}

/* ---- 1. corrections ---------------------------------------------------------------------- */

static int corrections_end(follow *f, fk_err *err)
{
    int64_t released = 0;
    if (store_holds_release_corrected(f->st, f->ids, f->now, f->a->username,
                                      HOLD_NOTE_CORRECTED, &released, err) != 0)
        return -1;
    f->released += released;
    if (!released)
        return 0;
    return close_leads(f, released, "结果更正：解除管控", err) ||
           audit_set(f->st, f->a, "release", 0, released, "holds released by a correction",
                     err);
}

/* ---- 2, 3. holds, leads, recheck rounds -------------------------------------------------- */

static int hold_rules(const policy *pol, hold_open *h, int64_t *within_h, fk_err *err)
{
    bool pool = false, resample = false;
    if (policy_get_bool(pol, "testing.positive_pool.hold_members", &pool, err) != 0 ||
        policy_get_bool(pol, "testing.invalid.resample", &resample, err) != 0 ||
        policy_get_int(pol, "testing.positive_pool.retest_within_h", within_h, err) != 0 ||
        policy_get_string(pol, "testing.invalid.lead_measure", &h->measure_invalid, err) != 0)
        return -1;
    h->hold_pool = pool;
    h->hold_invalid = resample;
    return 0;
}

static int holds_made(const follow *f, fk_err *err)
{
    char measure[32];
    int64_t within_h, first = 0, made = 0;
    hold_open h = {.ids = f->ids, .at = f->now, .by = f->a->username, .measure_pool = measure,
                   .note_pool = HOLD_NOTE_POOL, .note_invalid = HOLD_NOTE_INVALID,
                   .recheck_suffix = HOLD_RECHECK_SUFFIX};
    if (hold_rules(f->pol, &h, &within_h, err) != 0 ||
        leads_measure_for(f->pol, "pool_retest", measure, sizeof measure, err) != 0 ||
        leads_deadlines(f->pol, "pool_retest", f->now, h.deadlines, err) != 0)
        return -1;
    h.recheck_until = f->now + within_h * 3600;
    if (store_holds_open(f->st, &h, &first, &made, err) != 0)
        return -1;
    if (!made)
        return 0;
    pool_notice p = {"pool_positive", HOLD_MSG_POOL_POSITIVE};
    return audit_set(f->st, f->a, "hold", first, made, "persons held or marked for re-sample, "
                     "each with a pool_retest lead", err) ||
           actor_audit_append(f->st, f->a, "create", "lead", 0, "pool_retest leads of the "
                              "new holds", err) ||
           each_audience(f, "testing.positive_pool.notify", pool_notice_to, &p, err);
}

/* ---- 4. negative single re-samples ------------------------------------------------------- */

static int negatives_release(follow *f, fk_err *err)
{
    int64_t released = 0;
    if (store_holds_release_negative(f->st, f->ids, f->now, f->a->username, HOLD_NOTE_NEGATIVE,
                                     &released, err) != 0)
        return -1;
    f->released += released;
    if (!released)
        return 0;
    return close_leads(f, released, HOLD_NOTE_NEGATIVE, err) ||
           audit_set(f->st, f->a, "release", 0, released, "holds released by a negative "
                     "single re-sample", err);
}

/* Pools whose members were all released by this recording (by their single re-samples
 * or corrections of them) are cleared: told once, after every release. */
static int pools_cleared(const follow *f, fk_err *err)
{
    pool_notice p = {"pool_cleared", HOLD_MSG_POOL_CLEARED};
    return f->released ? each_audience(f, "testing.positive_pool.notify", pool_notice_to, &p, err)
                       : 0;
}

/* ---- 5. single positives ----------------------------------------------------------------- */

typedef struct single_notice { const single_positive *sp; const char *kind, *message; } single_notice;

static int single_notice_to(const follow *f, const char *audience, const void *arg, fk_err *err)
{
    const single_notice *s = arg;
    notice_rec n = {.entity_id = s->sp->tube_id, .created_at = f->now};
    snprintf(n.audience, sizeof n.audience, "%s", audience);
    snprintf(n.area_code, sizeof n.area_code, "%s", s->sp->community_code);
    snprintf(n.kind, sizeof n.kind, "%s", s->kind);
    snprintf(n.entity, sizeof n.entity, "tube");
    snprintf(n.message, sizeof n.message, "%s", s->message);
    return store_notice_insert(f->st, &n, err);
}

static int single_case(const follow *f, const single_positive *sp, epicase *c, fk_err *err)
{
    const char *source;
    char day[11];
    if (sp->reported) { /* the tube made its case already: never twice */
        memset(c, 0, sizeof *c);
        c->id = sp->case_id;
        c->number = sp->case_number;
        return 0;
    }
    if (policy_get_string(f->pol, "testing.single_positive.case_source", &source, err) != 0)
        return -1;
    isolation_date_at(f->pol, sp->scanned_at, day);
    return registry_case_screening_positive(f->st, f->a, sp->person_id, source, day, c, err);
}

static int single_positive_follow(const follow *f, const single_positive *sp, fk_err *err)
{
    epicase c;
    int64_t confirmed = 0;
    char message[512];
    if (single_case(f, sp, &c, err) != 0 ||
        store_holds_confirm(f->st, sp->person_id, sp->scanned_at, sp->replaces, sp->result_id,
                            c.id, f->now, f->a->username, HOLD_NOTE_CONFIRMED, &confirmed,
                            err) != 0 ||
        audit_set(f->st, f->a, "confirm", c.id, confirmed, "holds confirmed by a positive "
                  "single re-sample", err) != 0)
        return -1;
    if (sp->reported)
        return 0;
    hold_msg_screening_positive(message, sizeof message, sp->barcode, sp->ct_orf1ab, sp->ct_n,
                                (long long)c.number);
    single_notice s = {sp, "screening_positive", message};
    return each_audience(f, "testing.single_positive.notify", single_notice_to, &s, err);
}

/* A positive single tube corrected away from positive: the case is the epidemiologists'
 * to reclassify; they are told, naming it. */
static int single_corrected(const follow *f, const single_positive *sp, fk_err *err)
{
    char message[512];
    hold_msg_corrected(message, sizeof message, sp->barcode, sp->result,
                       (long long)sp->case_number);
    single_notice s = {sp, "result_corrected", message};
    return each_audience(f, "testing.single_positive.notify", single_notice_to, &s, err);
}

static int singles(const follow *f, fk_err *err)
{
    single_positive_list l;
    int rc = 0;
    if (store_single_positives(f->st, f->ids, &l, err) != 0)
        return -1;
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        const single_positive *sp = &l.items[i];
        bool now_positive = hold_call_for(sp->result, 1) == HOLD_SINGLE_POSITIVE;
        bool was_positive = hold_call_for(sp->previous, 1) == HOLD_SINGLE_POSITIVE;
        if (now_positive && !was_positive)
            rc = single_positive_follow(f, sp, err);
        else if (!now_positive && was_positive)
            rc = single_corrected(f, sp, err);
    }
    single_positive_list_free(&l);
    return rc;
}

/* Steps 1-6 over `some` (a JSON array of the rows to act on), then the health codes of the
 * rows (an import's range first..last, or the JSON array `all`). */
static int follow_some(store *st, const policy *pol, const actor *a, const char *some,
                       bool corrections, bool run, int64_t first, int64_t last,
                       const char *all, fk_err *err)
{
    follow f = {st, pol, a, some, fk_now(), 0};
    int rc = strcmp(some, "[]") &&
             ((corrections && corrections_end(&f, err)) || holds_made(&f, err) ||
              negatives_release(&f, err) || singles(&f, err) || pools_cleared(&f, err));
    rc = rc || (run ? codes_recompute_results(st, a, "results", first, last, some, err)
                    : codes_recompute_set(st, a, "results", CODES_BY_RESULTS, all, err));
    return rc ? -1 : 0;
}

static int no_policy(fk_err *err)
{
    return fk_fail(err, FK_EINVAL, "policy", "policy: the follow-up of results reads the "
                   "policy's testing rules");
}

int positives_follow_up_ids(store *st, const policy *pol, const actor *a, const int64_t *ids,
                            size_t n, bool corrections, fk_err *err)
{
    if (!n)
        return 0;
    if (!pol)
        return no_policy(err);
    strbuf json = STRBUF_INIT;
    char *some = NULL;
    sb_append_id_array(&json, ids, n);
    /* steps 1-6 read only the rows they can act on (a round's negative pools are not):
     * each of their statements parsed the whole set for a few dozen rows (bench/testing);
     * health codes read every row's tube. An import lists those rows itself
     * (positives_follow_up_run). */
    if (store_results_to_follow(st, sb_str(&json), &some, err) != 0) {
        sb_free(&json);
        return -1;
    }
    int rc = follow_some(st, pol, a, some, corrections, false, 0, 0, sb_str(&json), err);
    free(some);
    sb_free(&json);
    return rc;
}

int positives_follow_up_run(store *st, const policy *pol, const actor *a, int64_t first,
                            int64_t last, const int64_t *follow, size_t nfollow, fk_err *err)
{
    if (last < first)
        return 0;
    if (!pol)
        return no_policy(err);
    strbuf some = STRBUF_INIT;
    sb_append_id_array(&some, follow, nfollow);
    int rc = follow_some(st, pol, a, sb_str(&some), false, true, first, last, NULL, err);
    sb_free(&some);
    return rc;
}

int positives_follow_up(store *st, const policy *pol, const actor *a, const result_rec *r,
                        size_t n, fk_err *err)
{
    if (!n)
        return positives_follow_up_ids(st, pol, a, NULL, 0, false, err);
    int64_t *ids = fk_calloc(n, sizeof *ids);
    bool corrections = false;
    for (size_t i = 0; i < n; i++) {
        ids[i] = r[i].id;
        corrections |= r[i].replaces != 0;
    }
    int rc = positives_follow_up_ids(st, pol, a, ids, n, corrections, err);
    free(ids);
    return rc;
}

/* ---- reads ------------------------------------------------------------------------------- */

void positives_mask_holds(const actor *a, hold_list *l)
{
    for (size_t i = 0; l && i < l->n; i++) {
        hold_rec *h = &l->items[i];
        registry_mask_name(a, h->person_name, sizeof h->person_name);
        registry_mask_id_number(a, h->id_number, sizeof h->id_number);
    }
}

int positives_holds_list(store *st, const actor *a, const hold_filter *f, hold_list *out,
                         fk_err *err)
{
    char scope[16], detail[128];
    hold_filter g = *f;
    memset(out, 0, sizeof *out);
    if (actor_require_either(a, PERM_TESTING, PERM_LEADS, err) != 0)
        return -1;
    if (f->state && !hold_state_known(f->state))
        return fk_fail(err, FK_EINVAL, "state", "state: held, released or confirmed");
    if (!actor_narrow_area(a, f->area_prefix, scope, sizeof scope, &g.area_prefix))
        return 0;
    if (store_hold_list(st, &g, out, err) != 0)
        return -1;
    snprintf(detail, sizeof detail, "round=%lld state=%s area=%s returned=%zu",
             (long long)g.round_id, g.state ? g.state : "", g.area_prefix ? g.area_prefix : "",
             out->n);
    if (actor_audit_append(st, a, "list", "testing_hold", 0, detail, err) != 0) {
        hold_list_free(out);
        return -1;
    }
    positives_mask_holds(a, out);
    return 0;
}

/* The audience a role reads: its own; command reads every audience. */
static const char *audience_of(const actor *a)
{
    return strcmp(a->role, "command") ? a->role : NULL;
}

int notices_list(store *st, const actor *a, int unacked, int limit, int offset,
                 notice_list *out, fk_err *err)
{
    notice_filter f = {.audience = audience_of(a),
                       .area_prefix = a->area_code[0] ? a->area_code : NULL,
                       .unacked = unacked, .limit = limit, .offset = offset};
    memset(out, 0, sizeof *out);
    if (store_notice_list(st, &f, out, err) != 0)
        return -1;
    if (actor_audit_append(st, a, "list", "notification", 0, unacked ? "unacked" : "", err)) {
        notice_list_free(out);
        return -1;
    }
    return 0;
}

int notices_ack(store *st, const actor *a, int64_t id, notice_rec *out, fk_err *err)
{
    const char *audience = audience_of(a);
    if (store_notice_get(st, id, out, err) != 0)
        return -1;
    if ((audience && strcmp(audience, out->audience)) ||
        !role_in_jurisdiction(a->area_code, out->area_code))
        return fk_fail(err, FK_ENOTFOUND, "id", "id: no notification %lld", (long long)id);
    if (out->ack_at)
        return fk_fail(err, FK_ECONFLICT, "id", "id: notification %lld was acknowledged by %s",
                       (long long)id, out->ack_by);
    audit_rec rec;
    actor_audit(a, &rec, "ack", "notification", id, out->kind);
    if (store_notice_ack(st, id, a->username, fk_now(), &rec, err) != 0)
        return -1;
    return store_notice_get(st, id, out, err);
}
