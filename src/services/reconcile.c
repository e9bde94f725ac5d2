/*
 * reconcile.c - daily reconciliation of a testing round (contract: reconcile.h).
 */
#include "services/reconcile.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "model/hold.h"
#include "model/person.h"
#include "model/role.h"
#include "model/tube.h"
#include "services/coverage.h"

#define DAY_S 86400

/* ---- pure rules -------------------------------------------------------------------------- */

int reconcile_day_bounds(const char *day, int utc_offset_h, int64_t *from, int64_t *to,
                         fk_err *err)
{
    int y, m, d;
    if (!day || strlen(day) != 10 || fk_date_parse(day, &y, &m, &d, "day", err) != 0)
        return fk_fail(err, FK_EINVAL, "day", "day: a local date YYYY-MM-DD");
    *from = fk_days_from_civil(y, m, d) * DAY_S - (int64_t)utc_offset_h * 3600;
    *to = *from + DAY_S;
    return 0;
}

/* The length of the white space at s (ASCII, or U+3000 as UTF-8 E3 80 80), 0 when none. */
static size_t space_at(const char *s)
{
    if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        return 1;
    if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
        return 3;
    return 0;
}

static const char *skip_spaces(const char *s)
{
    size_t n;
    while ((n = space_at(s)) > 0)
        s += n;
    return s;
}

bool reconcile_names_equal(const char *a, const char *b)
{
    for (;;) {
        a = skip_spaces(a);
        b = skip_spaces(b);
        if (*a != *b)
            return false;
        if (!*a)
            return true;
        a++;
        b++;
    }
}

bool reconcile_same_person(const person_key *a, const person_key *b)
{
    if (a->id == b->id || !a->phone[0] || strcmp(a->phone, b->phone) != 0)
        return false;
    if (!*skip_spaces(a->name) || strcmp(a->birth_date, b->birth_date) != 0)
        return false;
    return reconcile_names_equal(a->name, b->name);
}

const char *reconcile_extra_reason(bool known, bool in_other_box, int n_members)
{
    if (!known)
        return "unknown";
    if (in_other_box)
        return "other_box";
    return n_members > 0 ? "not_boxed" : "never_sampled";
}

const char *reconcile_kind_name(recon_kind k)
{
    static const char *const names[RECON_KINDS] = {"unreceived", "unsampled", "unknown_results",
                                                   "no_result", "duplicate_persons"};
    return k < RECON_KINDS ? names[k] : "";
}

/* ---- helpers ----------------------------------------------------------------------------- */

static int require_read(const actor *a, fk_err *err)
{
    return actor_require_either(a, PERM_TESTING, PERM_LAB, err);
}

static bool lab_in_view(const actor *a, const lab_rec *l)
{
    return role_areas_overlap(a->area_code, l->area_code);
}

/* ---- unpacking --------------------------------------------------------------------------- */

/* The received box of a code whose site the actor may work, received by lab_id if given. */
static int box_to_unpack(store *st, const actor *a, const char *code, int64_t lab_id,
                         box_rec *b, fk_err *err)
{
    unpack_rec done;
    if (tube_barcode_check(code, "code", err) != 0 || store_box_get(st, code, b, err) != 0)
        return -1;
    if (!role_in_jurisdiction(a->area_code, b->site_area))
        return fk_fail(err, FK_ENOTFOUND, "code", "code: no box %s", code);
    if (strcmp(b->state, "received") != 0)
        return fk_fail(err, FK_ECONFLICT, "code", "code: box %s is %s: only a received box is "
                       "unpacked", code, b->state);
    if (lab_id && lab_id != b->lab_id)
        return fk_fail(err, FK_ECONFLICT, "lab_id", "lab_id: box %s was received by %s", code,
                       b->lab_name);
    int found = store_box_unpack_get(st, b->id, &done, err);
    if (found < 0)
        return -1;
    return found ? fk_fail(err, FK_ECONFLICT, "code", "code: box %s was unpacked by %s already",
                           code, done.unpacked_by) : 0;
}

static int check_barcodes(const char *const *codes, size_t n, fk_err *err)
{
    if (n > SAMPLE_BOX_MAX)
        return fk_fail(err, FK_EINVAL, "barcodes", "barcodes: at most %d", SAMPLE_BOX_MAX);
    for (size_t i = 0; i < n; i++) {
        if (tube_barcode_check(codes[i], "barcodes", err) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(codes[i], codes[j]))
                return fk_fail(err, FK_EINVAL, "barcodes", "barcodes: %s is listed twice",
                               codes[i]);
    }
    return 0;
}

static bool listed(const char *code, const char (*list)[24], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(code, list[i]))
            return true;
    return false;
}

/* The unmatched row of a barcode found in box b that b does not list. */
static int extra_row(store *st, const actor *a, const box_rec *b, const char *code,
                     unmatched_rec *u, fk_err *err)
{
    tube_rec t;
    box_rec other;
    int known = store_tube_get(st, code, &t, NULL, err) == 0;
    if (!known && err->code != FK_ENOTFOUND)
        return -1;
    int boxed = known ? store_box_of_tube(st, t.id, &other, err) : 0;
    if (boxed < 0)
        return -1;
    memset(u, 0, sizeof *u);
    snprintf(u->kind, sizeof u->kind, "found");
    snprintf(u->reason, sizeof u->reason, "%s",
             reconcile_extra_reason(known, boxed, known ? t.n_members : 0));
    u->round_id = b->round_id;
    snprintf(u->area_code, sizeof u->area_code, "%s", b->site_area);
    snprintf(u->barcode, sizeof u->barcode, "%s", code);
    u->tube_id = known ? t.id : 0;
    u->box_id = b->id;
    u->lab_id = b->lab_id;
    u->recorded_at = fk_now();
    snprintf(u->recorded_by, sizeof u->recorded_by, "%s", a->username);
    return 0;
}

/* The listed tubes not found: their barcodes into out->missing, their ids into *ids. */
static int missing_tubes(store *st, const char (*list)[24], size_t nl, const char *const *found,
                         size_t nf, unpack_report *out, int64_t **ids, fk_err *err)
{
    out->missing = calloc(nl ? nl : 1, sizeof *out->missing);
    *ids = calloc(nl ? nl : 1, sizeof **ids);
    if (!out->missing || !*ids)
        return fk_fail(err, FK_EBUSY, NULL, "out of memory");
    for (size_t i = 0; i < nl; i++) {
        bool seen = false;
        for (size_t j = 0; j < nf && !seen; j++)
            seen = !strcmp(list[i], found[j]);
        if (seen)
            continue;
        tube_rec t;
        if (store_tube_get(st, list[i], &t, NULL, err) != 0)
            return -1;
        (*ids)[out->n_missing] = t.id;
        memcpy(out->missing[out->n_missing++], list[i], 24);
    }
    return 0;
}

static int extra_tubes(store *st, const actor *a, const char (*list)[24], size_t nl,
                       const char *const *found, size_t nf, unpack_report *out, fk_err *err)
{
    out->extras = calloc(nf ? nf : 1, sizeof *out->extras);
    if (!out->extras)
        return fk_fail(err, FK_EBUSY, NULL, "out of memory");
    for (size_t i = 0; i < nf; i++)
        if (!listed(found[i], list, nl) &&
            extra_row(st, a, &out->box, found[i], &out->extras[out->n_extras++], err) != 0)
            return -1;
    return 0;
}

static int unpack_store(store *st, const actor *a, unpack_report *out, const int64_t *ids,
                        size_t nf, fk_err *err)
{
    unpack_rec *u = &out->unpack;
    memset(u, 0, sizeof *u);
    u->box_id = out->box.id;
    u->lab_id = out->box.lab_id;
    u->unpacked_at = fk_now();
    snprintf(u->unpacked_by, sizeof u->unpacked_by, "%s", a->username);
    u->found = (int)(nf - out->n_extras);
    u->missing = (int)out->n_missing;
    u->extra = (int)out->n_extras;
    char detail[96];
    snprintf(detail, sizeof detail, "found %d missing %d extra %d", u->found, u->missing,
             u->extra);
    audit_rec rec;
    actor_audit(a, &rec, "unpack", "sample_box", out->box.id, detail);
    return store_box_unpack(st, u, ids, out->n_missing, out->extras, out->n_extras, &rec, err);
}

int reconcile_unpack(store *st, const actor *a, const char *code, int64_t lab_id,
                     const char *const *barcodes, size_t n, unpack_report *out, fk_err *err)
{
    char(*list)[24] = NULL;
    size_t nl = 0;
    int64_t *ids = NULL;
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_LAB, err) != 0 || check_barcodes(barcodes, n, err) != 0 ||
        box_to_unpack(st, a, code, lab_id, &out->box, err) != 0 ||
        store_box_barcodes(st, out->box.id, &list, &nl, err) != 0)
        return -1;
    int rc = missing_tubes(st, (const char(*)[24])list, nl, barcodes, n, out, &ids, err) ||
             extra_tubes(st, a, (const char(*)[24])list, nl, barcodes, n, out, err) ||
             unpack_store(st, a, out, ids, n, err);
    free(list);
    free(ids);
    if (rc)
        unpack_report_free(out);
    return rc ? -1 : 0;
}

void unpack_report_free(unpack_report *r)
{
    free(r->missing);
    free(r->extras);
    r->missing = NULL;
    r->extras = NULL;
    r->n_missing = r->n_extras = 0;
}

/* ---- unmatched results ------------------------------------------------------------------- */

/* A known tube: refused when received by this lab; else its round, site and reason. */
static int known_tube_row(store *st, const tube_rec *t, int64_t lab_id, int64_t round_id,
                          unmatched_rec *u, fk_err *err)
{
    box_rec b;
    site_rec site;
    int boxed = store_box_of_tube(st, t->id, &b, err);
    if (boxed < 0 || store_site_get(st, t->site_id, &site, err) != 0)
        return -1;
    if (boxed && !strcmp(b.state, "received") && b.lab_id == lab_id)
        return fk_fail(err, FK_ECONFLICT, "barcode", "barcode: %s was received by this lab in "
                       "box %s: record its result on the tube", t->barcode, b.code);
    if (round_id && round_id != t->round_id)
        return fk_fail(err, FK_ECONFLICT, "round_id", "round_id: tube %s is of round %lld",
                       t->barcode, (long long)t->round_id);
    u->round_id = t->round_id;
    u->tube_id = t->id;
    snprintf(u->area_code, sizeof u->area_code, "%s", site.area_code);
    snprintf(u->reason, sizeof u->reason, "not_received");
    return 0;
}

/* An unknown barcode: the round given, visible to the actor. */
static int unknown_tube_row(store *st, const actor *a, int64_t round_id, unmatched_rec *u,
                            fk_err *err)
{
    round_rec r;
    if (!round_id)
        return fk_fail(err, FK_EINVAL, "round_id", "round_id: required for a barcode no tube "
                       "has (which round's samples the lab is testing)");
    if (store_round_get(st, round_id, &r, err) != 0)
        return -1;
    if (!coverage_round_in_view(a, &r))
        return fk_fail(err, FK_ENOTFOUND, "round_id", "round_id: no round %lld",
                       (long long)round_id);
    u->round_id = r.id;
    snprintf(u->area_code, sizeof u->area_code, "%s", r.area_code);
    snprintf(u->reason, sizeof u->reason, "unknown");
    return 0;
}

static void result_fields(const actor *a, const result_input *in, int64_t lab_id,
                          const char *note, unmatched_rec *u)
{
    snprintf(u->kind, sizeof u->kind, "result");
    snprintf(u->barcode, sizeof u->barcode, "%s", in->barcode);
    snprintf(u->result, sizeof u->result, "%s", in->result);
    u->has_ct = in->has_orf1ab && in->has_n;
    u->ct_orf1ab = in->ct_orf1ab;
    u->ct_n = in->ct_n;
    u->lab_id = lab_id;
    snprintf(u->note, sizeof u->note, "%s", note ? note : "");
    u->recorded_at = fk_now();
    snprintf(u->recorded_by, sizeof u->recorded_by, "%s", a->username);
}

static int unmatched_row_of(store *st, const actor *a, int64_t lab_id, int64_t round_id,
                            const result_input *in, unmatched_rec *u, fk_err *err)
{
    tube_rec t;
    memset(u, 0, sizeof *u);
    if (tube_barcode_check(in->barcode, "barcode", err) != 0)
        return -1;
    if (store_tube_get(st, in->barcode, &t, NULL, err) == 0)
        return known_tube_row(st, &t, lab_id, round_id, u, err);
    return err->code == FK_ENOTFOUND ? unknown_tube_row(st, a, round_id, u, err) : -1;
}

/* A positive nobody can be named for yet is told to the policy's audiences in its area,
 * in the transaction that records it: it must reach someone without a report being read. */
static int unmatched_notify(store *st, const policy *pol, const unmatched_rec *u, fk_err *err)
{
    const char *audiences[8];
    notice_rec n = {.entity_id = u->id, .created_at = u->recorded_at};
    size_t count = 0;
    snprintf(n.area_code, sizeof n.area_code, "%s", u->area_code);
    snprintf(n.kind, sizeof n.kind, "unmatched_positive");
    snprintf(n.entity, sizeof n.entity, "unmatched_tube");
    if (hold_msg_unmatched_positive(n.message, sizeof n.message, u->barcode, u->reason,
                                    u->has_ct, u->ct_orf1ab, u->ct_n) != 0)
        return fk_fail(err, FK_EINTERNAL, "", "unmatched positive notice does not fit");
    if (policy_get_string_array(pol, "testing.unmatched_positive.notify", audiences, 8, &count,
                                err) != 0)
        return -1;
    for (size_t i = 0; i < count; i++) {
        snprintf(n.audience, sizeof n.audience, "%s", audiences[i]);
        if (store_notice_insert(st, &n, err) != 0)
            return -1;
    }
    return 0;
}

static int unmatched_result_unit(store *st, const policy *pol, const actor *a, unmatched_rec *u,
                                 fk_err *err)
{
    audit_rec rec;
    actor_audit(a, &rec, "record", "unmatched_tube", 0, u->result);
    if (store_unmatched_insert(st, u, &rec, err) != 0)
        return -1;
    if (strcmp(u->result, "positive") != 0)
        return 0;
    char detail[96];
    snprintf(detail, sizeof detail, "%s ORF1ab %.1f N %.1f", u->barcode, u->ct_orf1ab, u->ct_n);
    actor_audit(a, &rec, "positive", "unmatched_tube", u->id, detail);
    return store_audit_append(st, &rec, err) || unmatched_notify(st, pol, u, err);
}

static int lab_in_scope(store *st, const actor *a, int64_t lab_id, lab_rec *l, fk_err *err)
{
    if (store_lab_get(st, lab_id, l, err) != 0)
        return err->code == FK_EREF ? fk_fail(err, FK_ENOTFOUND, "id", "id: no lab %lld",
                                               (long long)lab_id) : -1;
    if (!lab_in_view(a, l))
        return fk_fail(err, FK_ENOTFOUND, "id", "id: no lab %lld", (long long)lab_id);
    return 0;
}

int reconcile_unmatched_result(store *st, const policy *pol, const actor *a, int64_t lab_id,
                               int64_t round_id, const result_input *in, const char *note,
                               unmatched_rec *out, fk_err *err)
{
    lab_rec lab;
    if (actor_require(a, PERM_LAB, err) != 0 || lab_in_scope(st, a, lab_id, &lab, err) != 0 ||
        sample_result_check(in, NULL, err) != 0)
        return -1;
    if (note && strlen(note) > 255)
        return fk_fail(err, FK_EINVAL, "note", "note: at most 255 bytes");
    if (unmatched_row_of(st, a, lab_id, round_id, in, out, err) != 0)
        return -1;
    result_fields(a, in, lab_id, note, out);
    if (store_begin(st, err) != 0)
        return -1;
    if (store_end(st, unmatched_result_unit(st, pol, a, out, err), err) != 0)
        return -1;
    return store_unmatched_get(st, out->id, out, err);
}

int reconcile_unmatched_resolve(store *st, const actor *a, int64_t id, const char *resolution,
                                const char *note, unmatched_rec *out, fk_err *err)
{
    static const char *const allowed[] = {"matched", "resampled", "discarded"};
    bool ok = false;
    if (require_read(a, err) != 0 || store_unmatched_get(st, id, out, err) != 0)
        return -1;
    if (!role_in_jurisdiction(a->area_code, out->area_code))
        return fk_fail(err, FK_ENOTFOUND, "id", "id: no unmatched tube %lld", (long long)id);
    for (size_t i = 0; resolution && i < sizeof allowed / sizeof *allowed; i++)
        ok = ok || !strcmp(resolution, allowed[i]);
    if (!ok)
        return fk_fail(err, FK_EINVAL, "resolution", "resolution: matched, resampled or "
                       "discarded");
    if (!note || !note[0] || strlen(note) > 255)
        return fk_fail(err, FK_EINVAL, "note", "note: how it was resolved, 1 to 255 bytes");
    audit_rec rec;
    actor_audit(a, &rec, "resolve", "unmatched_tube", id, resolution);
    if (store_unmatched_resolve(st, id, resolution, note, a->username, fk_now(), &rec, err) != 0)
        return -1;
    return store_unmatched_get(st, id, out, err);
}

/* ---- the report -------------------------------------------------------------------------- */

typedef struct report_ctx {
    const actor *who;
    bool clear;
    recon_fn fn;
    void *ctx;
    reconcile_summary *sum;
} report_ctx;

static void mask_into(char *field, size_t cap, void (*mask)(const char *, char *, size_t))
{
    char tmp[128];
    if (!field[0] || cap > sizeof tmp)
        return;
    mask(field, tmp, cap);
    memcpy(field, tmp, cap);
}

static void mask_item(recon_item *it)
{
    mask_into(it->name, sizeof it->name, mask_name);
    mask_into(it->id_number, sizeof it->id_number, mask_id_number);
    mask_into(it->phone, sizeof it->phone, mask_phone);
    mask_into(it->other_name, sizeof it->other_name, mask_name);
    mask_into(it->other_id_number, sizeof it->other_id_number, mask_id_number);
}

static bool duplicate_by_rule(const recon_item *it)
{
    person_key p = {it->person_id, it->name, it->phone, it->birth_date};
    person_key q = {it->other_id, it->other_name, it->phone, it->other_birth_date};
    return reconcile_same_person(&p, &q);
}

static int report_row(const recon_item *in, void *vctx)
{
    report_ctx *c = vctx;
    if (in->kind == RECON_DUPLICATE && !duplicate_by_rule(in))
        return 0;
    c->sum->counts[in->kind]++;
    if (in->kind == RECON_UNKNOWN && !in->resolution[0])
        c->sum->open_unknown++;
    if (!c->fn)
        return 0;
    recon_item it = *in;
    if (!c->clear)
        mask_item(&it);
    return c->fn(&it, c->ctx);
}

/* The round, the area, the day and the policy's limits into q and out. */
static int prepare(store *st, const policy *pol, const actor *a, const reconcile_args *args,
                   recon_query *q, reconcile_summary *out, fk_err *err)
{
    int64_t offset;
    memset(q, 0, sizeof *q);
    if (require_read(a, err) != 0 || store_round_get(st, args->round_id, &out->round, err) != 0)
        return err->code == FK_ENOTFOUND ? fk_fail(err, FK_ENOTFOUND, "round_id", "round_id: no "
                                                   "round %lld", (long long)args->round_id) : -1;
    if (!coverage_round_in_view(a, &out->round))
        return fk_fail(err, FK_ENOTFOUND, "round_id", "round_id: no round %lld",
                       (long long)args->round_id);
    if (coverage_resolve_area(a, &out->round, args->area, out->area, err) != 0 ||
        policy_get_int(pol, "testing.time_limits_h.sample_to_lab", &out->sample_to_lab_h, err) ||
        policy_get_int(pol, "testing.time_limits_h.voluntary", &out->lab_to_result_h, err) ||
        policy_get_int(pol, "reporting.utc_offset_h", &offset, err))
        return -1;
    if (args->day && args->day[0] &&
        reconcile_day_bounds(args->day, (int)offset, &out->from, &out->to, err) != 0)
        return -1;
    snprintf(out->day, sizeof out->day, "%s", args->day ? args->day : "");
    out->now = args->now > 0 ? args->now : fk_now();
    *q = (recon_query){.round_id = out->round.id, .area = out->area, .from = out->from,
                       .to = out->to, .now = out->now,
                       .sample_to_lab_s = out->sample_to_lab_h * 3600,
                       .lab_to_result_s = out->lab_to_result_h * 3600};
    return 0;
}

static int audit_report(store *st, const actor *a, const char *action,
                        const reconcile_summary *s, fk_err *err)
{
    char detail[96];
    snprintf(detail, sizeof detail, "day=%s area=%s", s->day[0] ? s->day : "all", s->area);
    return actor_audit_append(st, a, action, "reconciliation", s->round.id, detail, err);
}

static int run_report(store *st, const policy *pol, const actor *a, const reconcile_args *args,
                      recon_fn fn, void *ctx, reconcile_summary *out, fk_err *err)
{
    recon_query q;
    memset(out, 0, sizeof *out);
    if (prepare(st, pol, a, args, &q, out, err) != 0)
        return -1;
    report_ctx c = {a, role_can(a->role, PERM_UNMASKED), fn, ctx, out};
    return store_reconcile_each(st, &q, report_row, &c, err);
}

int reconcile_report(store *st, const policy *pol, const actor *a, const reconcile_args *args,
                     recon_fn fn, void *ctx, reconcile_summary *out, fk_err *err)
{
    int rc = run_report(st, pol, a, args, fn, ctx, out, err);
    if (rc != 0)
        return rc;
    return audit_report(st, a, "read", out, err);
}

/* ---- export ------------------------------------------------------------------------------ */

static const char *const export_header[] = {
    "kind", "barcode", "box", "box_state", "site", "area", "reason", "at", "received_at",
    "lab", "result", "ct_orf1ab", "ct_n", "resolution", "note", "person_id", "name",
    "id_number", "phone", "birth_date", "other_person_id", "other_name", "other_id_number",
    "other_scanned"};
enum { EXPORT_COLS = sizeof export_header / sizeof export_header[0] };

typedef struct export_ctx { tw *w; fk_err *err; } export_ctx;

static void instant_or_empty(int64_t t, char out[21])
{
    out[0] = '\0';
    if (t)
        fk_instant_format(t, out);
}

static int export_row(const recon_item *it, void *vctx)
{
    export_ctx *c = vctx;
    char at[21], rec[21], orf[16] = "", n[16] = "", pid[24] = "", oid[24] = "";
    instant_or_empty(it->at, at);
    instant_or_empty(it->received_at, rec);
    if (it->has_ct) {
        snprintf(orf, sizeof orf, "%.2f", it->ct_orf1ab);
        snprintf(n, sizeof n, "%.2f", it->ct_n);
    }
    if (it->person_id)
        snprintf(pid, sizeof pid, "%" PRId64, it->person_id);
    if (it->other_id)
        snprintf(oid, sizeof oid, "%" PRId64, it->other_id);
    const char *dup = it->kind == RECON_DUPLICATE ? (it->other_scanned ? "1" : "0") : "";
    const char *cells[EXPORT_COLS] = {
        reconcile_kind_name(it->kind), it->barcode, it->box, it->box_state, it->site,
        it->area, it->reason, at, rec, it->lab, it->result, orf, n, it->resolution, it->note,
        pid, it->name, it->id_number, it->phone, it->birth_date, oid, it->other_name,
        it->other_id_number, dup};
    return tw_row(c->w, cells, EXPORT_COLS, c->err) != 0 ? -1 : 0;
}

int reconcile_export(store *st, const policy *pol, const actor *a, const reconcile_args *args,
                     tw *w, reconcile_summary *out, fk_err *err)
{
    export_ctx c = {w, err};
    if (tw_row(w, export_header, EXPORT_COLS, err) != 0 ||
        run_report(st, pol, a, args, export_row, &c, out, err) != 0)
        return -1;
    return audit_report(st, a, "export", out, err);
}
