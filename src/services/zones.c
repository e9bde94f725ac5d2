/*
 * zones.c - risk zones (contract in zones.h).
 *
 * A zone's life, each arrow one unit of work with its event and audit record:
 *
 *     (case) --propose--> proposed --publish--> published --lift--> lifted
 *                            |  ^                 |  ^
 *                            |  +--edit/extend    |  +--edit/extend/downgrade
 *                            +--reject--> rejected
 *
 * Dates (may_downgrade_date, may_lift_date) and the stored over-reach flag are
 * recomputed from the zone's timeline (model/zone.h) after every change; "kept too long"
 * depends on today and is added when read.
 */
#include "services/zones.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "model/epicase.h"
#include "model/role.h"
#include "model/zone.h"
#include "services/codes.h"
#include "services/tracing.h"

#define DAY_S 86400
#define MAX_ROUNDS 64
#define MAX_UNITS 5

static int utc_offset(const policy *pol)
{
    int64_t h = 0;
    fk_err e;
    policy_get_int(pol, "reporting.utc_offset_h", &h, &e);
    return (int)h;
}

static int64_t today_of(const policy *pol)
{
    return zone_local_day(fk_now(), utc_offset(pol));
}

static int64_t day_or0(const char *s)
{
    int64_t d = 0;
    fk_err e;
    return s && *s && zone_day_parse(s, &d, "date", &e) == 0 ? d : 0;
}

static int level_rank(const policy *pol, const char *level)
{
    zone_level l;
    fk_err e;
    return level && *level && zone_level_get(pol, level, &l, "level", &e) == 0 ? l.rank : 0;
}

int zones_members_changed(store *st, const actor *a, int64_t zone_id, bool after, fk_err *err)
{
    /* Issue 6 contract: the health codes of the zone's persons, before the change (touched)
     * and after it (touched and recomputed, all in the caller's transaction), logged as
     * the decision's maker. */
    if (!after)
        return codes_touch(st, CODES_BY_ZONE, zone_id, err);
    return codes_recompute_for(st, a, "zone", CODES_BY_ZONE, zone_id, err);
}

/* ---- dates and flags ------------------------------------------------------------------ */

/* The district (county) an area code lies in: walk up the parents. */
static void county_of(store *st, const char *code, char out[16])
{
    area ar;
    fk_err e;
    snprintf(out, 16, "%s", code);
    for (int i = 0; i < 6 && store_area_get(st, out, &ar, &e) == 0 && ar.parent_code[0]; i++)
        snprintf(out, 16, "%s", ar.parent_code);
}

/* The timeline of z from the store and its next step for a decision today. */
static int next_step(store *st, const policy *pol, const zone_rec *z, int64_t today,
                     zone_step *out, fk_err *err)
{
    int64_t starts[MAX_ROUNDS], days[MAX_ROUNDS], contact = 0, open = 0;
    size_t n = 0;
    char county[16];
    zone_level low;
    if (store_zone_negative_rounds(st, z->id, starts, MAX_ROUNDS, &n, err) != 0 ||
        store_zone_last_contact(st, z->id, &contact, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        days[i] = zone_local_day(starts[i], utc_offset(pol));
    county_of(st, z->area_code, county);
    if (zone_level_by_rank(pol, 1, &low, err) != 0 ||
        store_zones_open_other(st, county, low.key, z->id, &open, err) != 0)
        return -1;
    zone_timeline t = {.origin_level = z->origin_level, .level = z->level, .step = z->steps,
                       .start_day = day_or0(z->start_date),
                       .last_case_day = day_or0(z->last_case_date),
                       .last_step_day = day_or0(z->last_step_date),
                       .last_contact_day = contact ? zone_local_day(contact, utc_offset(pol)) : 0,
                       .negative_round_days = days, .n_rounds = n, .county_open = open > 0};
    return zone_next_step(pol, &t, today, out, err);
}

/* Recompute z's dates and stored flag (in memory; the caller writes z). */
static int recompute(store *st, const policy *pol, zone_rec *z, zone_step *step, fk_err *err)
{
    int64_t today = today_of(pol);
    if (next_step(st, pol, z, today, step, err) != 0)
        return -1;
    z->may_downgrade_date[0] = z->may_downgrade_to[0] = z->may_lift_date[0] = '\0';
    if (step->any && !step->lifts) {
        zone_day_format(step->day, z->may_downgrade_date);
        snprintf(z->may_downgrade_to, sizeof z->may_downgrade_to, "%s", step->to);
    }
    if (step->any && (step->lifts || step->lift_day))
        zone_day_format(step->lifts ? step->day : step->lift_day, z->may_lift_date);
    z->flags = (z->flags & ZONE_FLAG_FORCED) |
               (zone_overreach(pol, z->level, z->unit_kind, false, NULL, today) & ZONE_FLAG_UNIT);
    return 0;
}

static int fill_view(store *st, const policy *pol, const zone_rec *z, bool residents,
                     zone_view *v, fk_err *err)
{
    zone_level l;
    zone_step step;
    fk_err ignored;
    memset(v, 0, sizeof *v);
    v->z = *z;
    v->residents = -1;
    if (zone_level_get(pol, z->level, &l, "level", &ignored) == 0) {
        snprintf(v->level_zh, sizeof v->level_zh, "%s", l.zh);
        snprintf(v->public_level, sizeof v->public_level, "%s", l.public_level);
    }
    v->flags = z->flags;
    if (strcmp(z->status, "rejected") != 0)
        v->flags |= zone_publish_lateness(pol, z->created_at, z->published_at, fk_now());
    if (strcmp(z->status, "published") == 0) {
        if (next_step(st, pol, z, today_of(pol), &step, err) != 0)
            return -1;
        v->flags |= zone_overreach(pol, z->level, z->unit_kind, true, &step, today_of(pol)) &
                    ZONE_FLAG_KEPT;
        snprintf(v->needs, sizeof v->needs, "%s", step.needs);
    }
    if (residents && store_zone_residents(st, z->id, &v->residents, err) != 0)
        return -1;
    return 0;
}

void zone_view_list_free(zone_view_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

/* ---- records of a change ---------------------------------------------------------------- */

static int record(store *st, const actor *a, const zone_rec *z, const char *kind,
                  const char *from, const char *to, int forced, const char *note, fk_err *err)
{
    zone_event ev = {.zone_id = z->id, .at = fk_now(), .forced = forced};
    snprintf(ev.actor, sizeof ev.actor, "%s", a->username);
    snprintf(ev.kind, sizeof ev.kind, "%s", kind);
    snprintf(ev.from_level, sizeof ev.from_level, "%s", from ? from : "");
    snprintf(ev.to_level, sizeof ev.to_level, "%s", to ? to : "");
    snprintf(ev.note, sizeof ev.note, "%s", note ? note : "");
    char detail[192];
    snprintf(detail, sizeof detail, "%s %s%s%s%s", kind, from ? from : "", to ? ">" : "",
             to ? to : "", forced ? " forced" : "");
    return store_zone_event_add(st, &ev, err) == 0 &&
                   actor_audit_append(st, a, kind, "zone", z->id, detail, err) == 0
               ? 0
               : -1;
}

/* Write z (recomputed) with the hook around it when it is published. */
static int save(store *st, const policy *pol, const actor *a, zone_rec *z, bool members_change,
                fk_err *err)
{
    zone_step step;
    bool hook = members_change && strcmp(z->status, "rejected") != 0;
    z->updated_at = fk_now();
    if (recompute(st, pol, z, &step, err) != 0 ||
        (hook && zones_members_changed(st, a, z->id, false, err) != 0) ||
        store_zone_update(st, z, err) != 0 ||
        (hook && zones_members_changed(st, a, z->id, true, err) != 0))
        return -1;
    return 0;
}

/* ---- proposal ------------------------------------------------------------------------------ */

typedef struct unit {
    char kind[12], code[16], name[132];
    int64_t building_id;
} unit;

/* The residence's units, smallest first: building, grid, community, street, district. */
static size_t residence_units(store *st, const zone_place *p, unit *u, fk_err *err)
{
    size_t n = 0;
    area ar;
    char code[16];
    if (p->building_id) {
        snprintf(u[n].kind, sizeof u[n].kind, "building");
        snprintf(u[n].code, sizeof u[n].code, "%s", p->grid_code);
        snprintf(u[n].name, sizeof u[n].name, "%s", p->name);
        u[n++].building_id = p->building_id;
    }
    snprintf(code, sizeof code, "%s", p->grid_code[0] ? p->grid_code : p->community_code);
    while (code[0] && n < MAX_UNITS && store_area_get(st, code, &ar, err) == 0) {
        snprintf(u[n].kind, sizeof u[n].kind, "%s", ar.level);
        snprintf(u[n].code, sizeof u[n].code, "%s", ar.code);
        snprintf(u[n].name, sizeof u[n].name, "%s", ar.name);
        u[n++].building_id = 0;
        snprintf(code, sizeof code, "%s", ar.parent_code);
    }
    return n;
}

/* The largest of the units the level allows; the smallest when none is (flagged). */
static const unit *pick_unit(const policy *pol, const char *level, const unit *u, size_t n)
{
    const unit *best = n ? &u[0] : NULL;
    for (size_t i = 0; i < n; i++)
        if (!zone_unit_too_large(pol, level, u[i].kind))
            best = &u[i];
    return best;
}

typedef struct proposal {
    const epicase *c;
    tracing *tr;
    int64_t case_day;
    int64_t *ids;
    size_t cap, *n;
} proposal;

static void note_id(proposal *p, int64_t id)
{
    for (size_t i = 0; i < *p->n; i++)
        if (p->ids[i] == id)
            return;
    if (*p->n < p->cap)
        p->ids[(*p->n)++] = id;
}

/* A case joins a live zone: the last case date moves out; a stricter `wanted` level is
 * applied to a proposed zone and proposed (pending_level) for a published one. */
static int extend(store *st, const policy *pol, const actor *a, zone_rec *z, proposal *pr,
                  const char *rule, const char *wanted, fk_err *err)
{
    int added = 0;
    char day[11], note[160];
    if (store_zone_case_add(st, z->id, pr->c->id, rule, fk_now(), &added, err) != 0)
        return -1;
    note_id(pr, z->id);
    if (!added)
        return 0;
    zone_day_format(pr->case_day, day);
    if (strcmp(day, z->last_case_date) > 0)
        snprintf(z->last_case_date, sizeof z->last_case_date, "%s", day);
    bool published = strcmp(z->status, "published") == 0;
    bool stricter = wanted && level_rank(pol, wanted) > level_rank(pol, z->level);
    char from[16];
    snprintf(from, sizeof from, "%s", z->level);
    if (stricter && !published) {
        snprintf(z->level, sizeof z->level, "%s", wanted);
        snprintf(z->origin_level, sizeof z->origin_level, "%s", wanted);
    } else if (stricter) {
        snprintf(z->pending_level, sizeof z->pending_level, "%s", wanted);
    }
    snprintf(note, sizeof note, "病例 %lld 号（%s）", (long long)pr->c->number, rule);
    if (save(st, pol, a, z, published, err) != 0 ||
        record(st, a, z, "extended", NULL, NULL, 0, note, err) != 0)
        return -1;
    if (stricter)
        return record(st, a, z, published ? "upgrade_proposed" : "edited", from, wanted, 0,
                      note, err);
    return 0;
}

/* The zone of `level` at unit u for the case: a new proposal or an extension. */
static int place_zone(store *st, const policy *pol, const actor *a, const unit *u,
                      const char *level, const char *rule, proposal *pr, fk_err *err)
{
    zone_rec z;
    int found = store_zone_live_at(st, u->kind, u->code, u->building_id, &z, err);
    if (found < 0)
        return -1;
    if (found)
        return extend(st, pol, a, &z, pr, rule, level, err);
    memset(&z, 0, sizeof z);
    snprintf(z.scheme, sizeof z.scheme, "%s", zone_scheme(pol));
    snprintf(z.level, sizeof z.level, "%s", level);
    snprintf(z.origin_level, sizeof z.origin_level, "%s", level);
    snprintf(z.unit_kind, sizeof z.unit_kind, "%s", u->kind);
    snprintf(z.area_code, sizeof z.area_code, "%s", u->code);
    snprintf(z.name, sizeof z.name, "%s", u->name[0] ? u->name : u->code);
    z.building_id = u->building_id;
    snprintf(z.status, sizeof z.status, "proposed");
    snprintf(z.rule, sizeof z.rule, "%s: zones.schemes.%s (%s)", rule, z.scheme, level);
    snprintf(z.policy_version, sizeof z.policy_version, "%s", policy_id(pol));
    zone_day_format(today_of(pol), z.start_date);
    zone_day_format(pr->case_day, z.last_case_date);
    z.created_at = z.updated_at = fk_now();
    snprintf(z.created_by, sizeof z.created_by, "%s", a->username);
    zone_step step;
    int added;
    char note[96];
    snprintf(note, sizeof note, "病例 %lld 号（%s）", (long long)pr->c->number, rule);
    if (store_zone_insert(st, &z, err) != 0 ||
        store_zone_case_add(st, z.id, pr->c->id, rule, fk_now(), &added, err) != 0 ||
        recompute(st, pol, &z, &step, err) != 0 || store_zone_update(st, &z, err) != 0 ||
        record(st, a, &z, "proposed", NULL, level, 0, note, err) != 0)
        return -1;
    note_id(pr, z.id);
    return 0;
}

/* The case's stay window: days_before_onset before onset (or sampling) to its report. */
static int case_window(const policy *pol, const epicase *c, int64_t *from, int64_t *to,
                       fk_err *err)
{
    int64_t before, day;
    const char *d = c->onset_date[0] ? c->onset_date : c->sampling_date;
    if (zone_days_before_onset(pol, &before, err) != 0 ||
        zone_day_parse(d, &day, "onset_date", err) != 0)
        return -1;
    *from = (day - before) * DAY_S - (int64_t)utc_offset(pol) * 3600;
    *to = c->reported_at ? c->reported_at : fk_now();
    return 0;
}

/* Live zones holding the case's residence are extended (positive_inside_becomes). */
static int extend_holders(store *st, const policy *pol, const actor *a, proposal *pr,
                          fk_err *err)
{
    int64_t ids[16];
    size_t n = 0;
    if (store_zones_holding_case(st, pr->c->id, ids, 16, &n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        zone_rec z;
        if (store_zone_get(st, ids[i], &z, err) != 0 ||
            extend(st, pol, a, &z, pr, "inside", zone_positive_inside_becomes(pol, z.level),
                   err) != 0)
            return -1;
    }
    return 0;
}

/* The venue codes of a case's stays, distinct, from the trace index. */
typedef struct venue_codes { char (*code)[32]; size_t n, cap; } venue_codes;

static int add_code(const char *place, void *ctx)
{
    venue_codes *v = ctx;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->code[i], place) == 0)
            return 0;
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        char (*grown)[32] = realloc(v->code, cap * sizeof *grown);
        if (!grown)
            return -2;
        v->code = grown;
        v->cap = cap;
    }
    snprintf(v->code[v->n++], sizeof v->code[0], "%s", place);
    return 0;
}

/* The case's venues from the trace index appended to places (kind venue). */
static int index_venues(store *st, tracing *tr, const epicase *c, int64_t from, int64_t to,
                        zone_place_list *places, fk_err *err)
{
    person p;
    venue_codes v = {0};
    char id[24];
    if (store_person_get(st, c->person_id, &p, err) != 0)
        return -1;
    snprintf(id, sizeof id, "%lld", (long long)p.id);
    const char *subjects[] = {id, p.id_number, p.phone};
    int rc = tracing_subject_venues(tr, st, subjects, 3, from, to, add_code, &v, err);
    if (rc == -2)
        rc = fk_fail(err, FK_EBUSY, "", "out of memory listing the case's venues");
    zone_place *grown = rc == 0 && v.n ? realloc(places->items, (places->n + v.n) * sizeof *grown)
                                       : places->items;
    if (rc == 0 && v.n && !grown)
        rc = fk_fail(err, FK_EBUSY, "", "out of memory listing the case's venues");
    for (size_t i = 0; rc == 0 && i < v.n; i++) {
        zone_place *z = &grown[places->n];
        memset(z, 0, sizeof *z);
        snprintf(z->kind, sizeof z->kind, "venue");
        int found = store_zone_venue(st, v.code[i], z->grid_code, z->name, err);
        if (found < 0)
            rc = -1;
        else if (found)
            places->n++;
    }
    if (grown)
        places->items = grown;
    free(v.code);
    return rc;
}

static int propose(store *st, const policy *pol, const actor *a, const epicase *c,
                   proposal *pr, fk_err *err)
{
    int64_t from, to;
    zone_place_list places;
    zone_level top, next;
    unit u[MAX_UNITS];
    if (case_window(pol, c, &from, &to, err) != 0 ||
        zone_level_by_rank(pol, zone_top_rank(pol), &top, err) != 0 ||
        extend_holders(st, pol, a, pr, err) != 0 ||
        store_zone_case_places(st, c->id, pr->tr ? 0 : from, pr->tr ? 0 : to, &places, err) != 0)
        return -1;
    if (pr->tr && index_venues(st, pr->tr, c, from, to, &places, err) != 0) {
        zone_place_list_free(&places);
        return -1;
    }
    int rc = 0;
    bool venues = zone_level_by_rank(pol, top.rank - 1, &next, err) == 0 && next.rank > 1;
    for (size_t i = 0; rc == 0 && i < places.n; i++) {
        const zone_place *p = &places.items[i];
        if (strcmp(p->kind, "residence") == 0) {
            size_t n = residence_units(st, p, u, err);
            const unit *pick = pick_unit(pol, top.key, u, n);
            rc = pick ? place_zone(st, pol, a, pick, top.key, "residence", pr, err) : 0;
        } else if (venues) {
            area ar;
            if (store_area_get(st, p->grid_code, &ar, err) != 0) {
                rc = -1;
                break;
            }
            unit v = {.building_id = 0};
            snprintf(v.kind, sizeof v.kind, "%s", ar.level);
            snprintf(v.code, sizeof v.code, "%s", ar.code);
            snprintf(v.name, sizeof v.name, "%.60s（%.60s）", ar.name, p->name);
            rc = place_zone(st, pol, a, &v, next.key, "activity", pr, err);
        }
    }
    zone_place_list_free(&places);
    return rc;
}

static int propose_checked(store *st, const policy *pol, const actor *a, int64_t case_id,
                           bool any_class, proposal *pr, fk_err *err)
{
    epicase c;
    if (store_case_get(st, case_id, &c, err) != 0)
        return -1;
    if (!role_in_jurisdiction(a->area_code, c.community_code))
        return fk_fail(err, FK_ENOTFOUND, "id", "no case %lld", (long long)case_id);
    if (strcmp(c.classification, "confirmed") != 0 &&
        !(any_class && strcmp(c.classification, "asymptomatic") == 0))
        return fk_fail(err, FK_ECONFLICT, "classification", "classification: zones are "
                       "proposed from confirmed and asymptomatic cases, not %s",
                       c.classification);
    pr->c = &c;
    pr->case_day = zone_local_day(c.reported_at ? c.reported_at : fk_now(), utc_offset(pol));
    return propose(st, pol, a, &c, pr, err);
}

int zones_propose_case(store *st, const policy *pol, tracing *tr, const actor *a,
                       int64_t case_id, int64_t *ids, size_t cap, size_t *n, fk_err *err)
{
    proposal pr = {.tr = tr, .ids = ids, .cap = cap, .n = n};
    *n = 0;
    if (actor_require(a, PERM_ZONES, err) != 0 || store_begin(st, err) != 0)
        return -1;
    return store_end(st, propose_checked(st, pol, a, case_id, true, &pr, err), err);
}

int zones_case_written(store *st, const policy *pol, tracing *tr, const actor *a,
                       const char *before_class, int64_t case_id, fk_err *err)
{
    epicase c;
    int64_t ids[32];
    size_t n = 0;
    proposal pr = {.tr = tr, .ids = ids, .cap = 32, .n = &n};
    if (before_class && strcmp(before_class, "confirmed") == 0)
        return 0;
    if (store_case_get(st, case_id, &c, err) != 0)
        return -1;
    if (strcmp(c.classification, "confirmed") != 0)
        return 0;
    return propose_checked(st, pol, a, case_id, false, &pr, err);
}

/* ---- reads -------------------------------------------------------------------------------- */

/* The zone within the actor's area, else FK_ENOTFOUND. */
static int zone_in_scope(store *st, const actor *a, int64_t id, zone_rec *z, fk_err *err)
{
    if (store_zone_get(st, id, z, err) != 0)
        return -1;
    if (!role_in_jurisdiction(a->area_code, z->area_code))
        return fk_fail(err, FK_ENOTFOUND, "id", "no zone %lld", (long long)id);
    return 0;
}

static int views_of(store *st, const policy *pol, const zone_list *l, bool residents,
                    zone_view_list *out, fk_err *err)
{
    memset(out, 0, sizeof *out);
    out->total = l->total;
    if (l->n == 0)
        return 0;
    out->items = calloc(l->n, sizeof *out->items);
    if (!out->items)
        return fk_fail(err, FK_EBUSY, "", "out of memory");
    for (size_t i = 0; i < l->n; i++, out->n++)
        if (fill_view(st, pol, &l->items[i], residents, &out->items[i], err) != 0) {
            zone_view_list_free(out);
            return -1;
        }
    return 0;
}

int zones_list(store *st, const policy *pol, const actor *a, const zone_filter *f,
               zone_view_list *out, fk_err *err)
{
    zone_filter g = *f;
    char scope[16], detail[160];
    zone_list l;
    memset(out, 0, sizeof *out);
    if (actor_require_either(a, PERM_ZONES, PERM_CASE_READ, err) != 0)
        return -1;
    if (g.status && *g.status && !zone_status_known(g.status))
        return fk_fail(err, FK_EINVAL, "status", "status: one of proposed, published, lifted, "
                       "rejected");
    if (g.level && *g.level) {
        zone_level lv;
        if (zone_level_get(pol, g.level, &lv, "level", err) != 0)
            return -1;
    }
    if (!actor_narrow_area(a, f->area_prefix, scope, sizeof scope, &g.area_prefix))
        return 0;
    if (store_zone_list(st, &g, &l, err) != 0)
        return -1;
    int rc = views_of(st, pol, &l, false, out, err);
    zone_list_free(&l);
    snprintf(detail, sizeof detail, "status=%s level=%s returned=%zu", g.status ? g.status : "",
             g.level ? g.level : "", out->n);
    if (rc == 0 && actor_audit_append(st, a, "list", "zone", 0, detail, err) != 0) {
        zone_view_list_free(out);
        return -1;
    }
    return rc;
}

int zones_get(store *st, const policy *pol, const actor *a, int64_t id, zone_view *out,
              zone_case_list *cases, zone_event_list *events, fk_err *err)
{
    zone_rec z;
    memset(cases, 0, sizeof *cases);
    memset(events, 0, sizeof *events);
    if (actor_require_either(a, PERM_ZONES, PERM_CASE_READ, err) != 0 ||
        zone_in_scope(st, a, id, &z, err) != 0 || fill_view(st, pol, &z, true, out, err) != 0)
        return -1;
    if (store_zone_cases(st, id, cases, err) != 0)
        return -1;
    if (store_zone_events(st, id, events, err) != 0 ||
        actor_audit_append(st, a, "read", "zone", id, "", err) != 0) {
        zone_case_list_free(cases);
        zone_event_list_free(events);
        return -1;
    }
    return 0;
}

/* ---- decisions ------------------------------------------------------------------------------ */

static int check_note(const char *note, bool required, fk_err *err)
{
    if (required && (!note || !*note))
        return fk_fail(err, FK_EINVAL, "note", "note: required");
    if (note && strlen(note) > 500)
        return fk_fail(err, FK_EINVAL, "note", "note: at most 500 bytes");
    return 0;
}

/* The new unit of an edit into z (validated, in the actor's area). */
static int edit_unit(store *st, const actor *a, const zone_edit *e, zone_rec *z, fk_err *err)
{
    char grid[16], name[132];
    if (!zone_unit_kind_known(e->unit_kind))
        return fk_fail(err, FK_EINVAL, "unit_kind", "unit_kind: one of building, grid, "
                       "community, street, district");
    if (strcmp(e->unit_kind, "building") == 0) {
        int found = e->building_id > 0 ? store_zone_building(st, e->building_id, grid, name, err)
                                       : 0;
        if (found < 0)
            return -1;
        if (!found)
            return fk_fail(err, FK_EREF, "building_id", "building_id: no building %lld",
                           (long long)e->building_id);
        z->building_id = e->building_id;
        snprintf(z->area_code, sizeof z->area_code, "%s", grid);
    } else {
        area ar;
        fk_err nf;
        if (!e->area_code || store_area_get(st, e->area_code, &ar, &nf) != 0)
            return fk_fail(err, FK_EREF, "area_code", "area_code: no area %s",
                           e->area_code ? e->area_code : "");
        if (strcmp(ar.level, e->unit_kind) != 0)
            return fk_fail(err, FK_EINVAL, "area_code", "area_code: %s is a %s, not a %s",
                           ar.code, ar.level, e->unit_kind);
        z->building_id = 0;
        snprintf(z->area_code, sizeof z->area_code, "%s", ar.code);
    }
    snprintf(z->unit_kind, sizeof z->unit_kind, "%s", e->unit_kind);
    return actor_require_area(a, z->area_code, err);
}

static int edit_in_unit(store *st, const policy *pol, const actor *a, zone_rec *z,
                        const zone_edit *e, fk_err *err)
{
    char from[16], detail[300];
    zone_level lv;
    snprintf(from, sizeof from, "%s", z->level);
    if (strcmp(z->status, "proposed") != 0 && strcmp(z->status, "published") != 0)
        return fk_fail(err, FK_ECONFLICT, "status", "status: a %s zone is not edited", z->status);
    if (e->level) {
        if (zone_level_get(pol, e->level, &lv, "level", err) != 0)
            return -1;
        snprintf(z->level, sizeof z->level, "%s", e->level);
        snprintf(z->origin_level, sizeof z->origin_level, "%s", e->level);
        z->steps = 0;
        if (level_rank(pol, z->pending_level) <= lv.rank)
            z->pending_level[0] = '\0';
    }
    if (e->name) {
        size_t len = strlen(e->name);
        if (len == 0 || len > 128)
            return fk_fail(err, FK_EINVAL, "name", "name: 1 to 128 bytes");
        snprintf(z->name, sizeof z->name, "%s", e->name);
    }
    if (e->unit_kind && edit_unit(st, a, e, z, err) != 0)
        return -1;
    snprintf(detail, sizeof detail, "%s%s%s%s%s", e->level ? "level " : "",
             e->name ? "name " : "", e->unit_kind ? "unit " : "", e->note ? ": " : "",
             e->note ? e->note : "");
    bool members = strcmp(z->status, "published") == 0 && (e->level || e->unit_kind);
    return save(st, pol, a, z, members, err) == 0 &&
                   record(st, a, z, "edited", from, z->level, 0, detail, err) == 0
               ? 0
               : -1;
}

int zones_edit(store *st, const policy *pol, const actor *a, int64_t id, const zone_edit *e,
               zone_view *out, fk_err *err)
{
    zone_rec z;
    if (actor_require(a, PERM_ZONES, err) != 0 || check_note(e->note, false, err) != 0)
        return -1;
    if (!e->level && !e->name && !e->unit_kind)
        return fk_fail(err, FK_EINVAL, "level", "level, name or unit_kind: nothing to change");
    if (store_begin(st, err) != 0)
        return -1;
    int rc = zone_in_scope(st, a, id, &z, err);
    if (rc == 0)
        rc = edit_in_unit(st, pol, a, &z, e, err);
    if (store_end(st, rc, err) != 0)
        return -1;
    return fill_view(st, pol, &z, true, out, err);
}

static int publish(store *st, const policy *pol, const actor *a, zone_rec *z, const char *note,
                   fk_err *err)
{
    if (strcmp(z->status, "proposed") != 0)
        return fk_fail(err, FK_ECONFLICT, "status", "status: only a proposed zone is published "
                       "(this one is %s)", z->status);
    snprintf(z->status, sizeof z->status, "published");
    z->published_at = fk_now();
    snprintf(z->published_by, sizeof z->published_by, "%s", a->username);
    zone_day_format(today_of(pol), z->start_date);
    snprintf(z->origin_level, sizeof z->origin_level, "%s", z->level);
    z->steps = 0;
    return save(st, pol, a, z, true, err) == 0 &&
                   record(st, a, z, "published", NULL, z->level, 0, note, err) == 0
               ? 0
               : -1;
}

static int reject(store *st, const policy *pol, const actor *a, zone_rec *z, const char *note,
                  fk_err *err)
{
    if (strcmp(z->status, "proposed") != 0)
        return fk_fail(err, FK_ECONFLICT, "status", "status: only a proposed zone is rejected "
                       "(this one is %s)", z->status);
    snprintf(z->status, sizeof z->status, "rejected");
    return save(st, pol, a, z, false, err) == 0 &&
                   record(st, a, z, "rejected", z->level, NULL, 0, note, err) == 0
               ? 0
               : -1;
}

/* A downgrade or a lift: the next step of the policy, or forced with its reason. */
static int step(store *st, const policy *pol, const actor *a, zone_rec *z, bool lift,
                const char *note, bool force, fk_err *err)
{
    zone_step s;
    int64_t today = today_of(pol);
    char from[16];
    if (strcmp(z->status, "published") != 0)
        return fk_fail(err, FK_ECONFLICT, "status", "status: only a published zone is %s "
                       "(this one is %s)", lift ? "lifted" : "downgraded", z->status);
    if (next_step(st, pol, z, today, &s, err) != 0)
        return -1;
    int refused = zone_step_allowed(&s, today, err);
    if (refused == 0 && s.lifts != lift)
        refused = fk_fail(err, FK_ECONFLICT, "date", "date: the policy's next step is %s "
                          "(%s)", s.lifts ? "a lift" : "a downgrade", s.to);
    if (!lift && !s.any)
        return fk_fail(err, FK_ECONFLICT, "date", "date: the policy gives no lower level");
    if (refused != 0 && !force)
        return -1;
    snprintf(from, sizeof from, "%s", z->level);
    bool forced = refused != 0;
    if (forced)
        z->flags |= ZONE_FLAG_FORCED;
    if (lift) {
        snprintf(z->status, sizeof z->status, "lifted");
        z->lifted_at = fk_now();
        snprintf(z->lifted_by, sizeof z->lifted_by, "%s", a->username);
    } else {
        const char *to = s.lifts && s.any ? NULL : s.to;
        if (!to)
            return fk_fail(err, FK_ECONFLICT, "date", "date: the next step lifts the zone: lift it");
        snprintf(z->level, sizeof z->level, "%s", to);
        z->steps++;
        if (level_rank(pol, z->pending_level) <= level_rank(pol, to))
            z->pending_level[0] = '\0';
    }
    zone_day_format(today, z->last_step_date);
    return save(st, pol, a, z, true, err) == 0 &&
                   record(st, a, z, lift ? "lifted" : "downgraded", from,
                          lift ? "lifted" : z->level, forced, note, err) == 0
               ? 0
               : -1;
}

int zones_decide(store *st, const policy *pol, const actor *a, int64_t id, const char *what,
                 const char *note, bool force, zone_view *out, fk_err *err)
{
    zone_rec z;
    bool needs_note = strcmp(what, "publish") != 0;
    if (actor_require(a, PERM_ZONES, err) != 0 || check_note(note, needs_note || force, err))
        return -1;
    if (store_begin(st, err) != 0)
        return -1;
    int rc = zone_in_scope(st, a, id, &z, err);
    if (rc == 0 && strcmp(what, "publish") == 0)
        rc = publish(st, pol, a, &z, note, err);
    else if (rc == 0 && strcmp(what, "reject") == 0)
        rc = reject(st, pol, a, &z, note, err);
    else if (rc == 0 && (strcmp(what, "lift") == 0 || strcmp(what, "downgrade") == 0))
        rc = step(st, pol, a, &z, strcmp(what, "lift") == 0, note, force, err);
    else if (rc == 0)
        rc = fk_fail(err, FK_ENOTFOUND, "", "no decision %s", what);
    if (store_end(st, rc, err) != 0)
        return -1;
    return fill_view(st, pol, &z, true, out, err);
}

/* The row of the rest of county `code` at the scheme's lowest level, published since
 * `since` (its earliest live zone above that level). */
static int county_row(store *st, const zone_level *low, const char *code, int64_t since,
                      zone_view *v, fk_err *err)
{
    area county;
    memset(v, 0, sizeof *v);
    if (store_area_get(st, code, &county, err) != 0)
        return -1;
    snprintf(v->z.area_code, sizeof v->z.area_code, "%s", code);
    snprintf(v->z.area_name, sizeof v->z.area_name, "%s", county.name);
    snprintf(v->z.name, sizeof v->z.name, "%.96s其他区域", county.name);
    snprintf(v->z.level, sizeof v->z.level, "%s", low->key);
    snprintf(v->z.unit_kind, sizeof v->z.unit_kind, "district");
    snprintf(v->z.status, sizeof v->z.status, "published");
    snprintf(v->level_zh, sizeof v->level_zh, "%s", low->zh);
    snprintf(v->public_level, sizeof v->public_level, "%s", low->public_level);
    v->z.published_at = since;
    v->residents = -1;
    return 0;
}

/* Every scheme's lowest level is the rest of the county (zones.schemes.*.levels, rank
 * 1, unit county): it is never drawn as a zone, so the public list adds one row per
 * county (district) holding a live zone above it, as the notices read (XX区其他区域为
 * 低风险区). Counties in the order their first zone appears. */
static int rest_of_counties(store *st, const policy *pol, zone_view_list *out, fk_err *err)
{
    zone_level low, l;
    fk_err ignored;
    size_t n = out->n, added = 0;
    if (zone_level_by_rank(pol, 1, &low, &ignored) != 0 || n == 0)
        return 0;
    zone_view *grown = realloc(out->items, 2 * n * sizeof *grown);
    if (!grown)
        return fk_fail(err, FK_EBUSY, "", "out of memory");
    out->items = grown;
    for (size_t i = 0; i < n; i++) {
        const zone_rec *z = &out->items[i].z;
        if (zone_level_get(pol, z->level, &l, "level", &ignored) != 0 || l.rank <= low.rank)
            continue;
        size_t k = n;
        while (k < n + added && strncmp(out->items[k].z.area_code, z->area_code, 6) != 0)
            k++;
        if (k < n + added) {
            if (z->published_at < out->items[k].z.published_at)
                out->items[k].z.published_at = z->published_at;
            continue;
        }
        char code[7];
        snprintf(code, sizeof code, "%.6s", z->area_code);
        if (county_row(st, &low, code, z->published_at, &out->items[n + added], err) != 0)
            return -1;
        added++;
    }
    out->n += added;
    out->total += (int64_t)added;
    return 0;
}

int zones_public(store *st, const policy *pol, bool history, zone_view_list *out, fk_err *err)
{
    zone_filter f = {.status = history ? NULL : "published", .published_ever = history,
                     .limit = 1000};
    zone_list l;
    memset(out, 0, sizeof *out);
    if (store_zone_list(st, &f, &l, err) != 0)
        return -1;
    int rc = views_of(st, pol, &l, false, out, err);
    zone_list_free(&l);
    if (rc == 0 && !history)
        rc = rest_of_counties(st, pol, out, err);
    if (rc != 0)
        zone_view_list_free(out);
    return rc;
}
