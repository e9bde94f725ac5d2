/*
 * travel.c - traveler screening and checkpoint scans (contract in travel.h).
 *
 * Matching an arrival, inside the caller's transaction:
 *   stays   the arrival's origin [0, arrived_at] and the person's itinerary records
 *           ending within max(lookback_days) before the arrival;
 *   match   model/travel.h per stay against the current rows; the strictest level wins;
 *   lead    unless the arrival has a match of that level or a stricter one: a lead
 *           (leads' store path, audited, with its first event) and its match row;
 *   hook    travel_leads_changed for the person.
 */
#include "services/travel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "model/role.h"
#include "services/codes.h"
#include "services/leads.h"
#include "services/registry.h"

#define DAY 86400

/* ---- the policy --------------------------------------------------------------------------- */

static int cohort_rules(const policy *pol, int level, travel_rules *r, fk_err *err)
{
    char path[96];
    const char *c = travel_level_cohort(level);
    bool applies = false;
    size_t phases = 0;
    snprintf(path, sizeof path, "measures.%s.applies", c);
    if (policy_get_bool(pol, path, &applies, err) != 0)
        return -1;
    snprintf(path, sizeof path, "measures.%s.lookback_days", c);
    int64_t days = 0;
    if (applies && policy_has(pol, path) && policy_get_int(pol, path, &days, err) != 0)
        return -1;
    snprintf(path, sizeof path, "measures.%s.phases", c);
    if (policy_has(pol, path) && policy_get_count(pol, path, &phases, err) != 0)
        return -1;
    snprintf(path, sizeof path, "measures.%s.clearance.tests", c);
    /* a lead needs something to do on arrival: a phase, or tests to clear */
    r->applies[level] = applies && days > 0 && (phases > 0 || policy_has(pol, path));
    r->lookback_days[level] = r->applies[level] ? (int)days : 0;
    return 0;
}

int travel_rules_from_policy(const policy *pol, travel_rules *out, fk_err *err)
{
    int64_t off;
    memset(out, 0, sizeof *out);
    for (int lv = 0; lv < TRAVEL_LEVELS; lv++)
        if (cohort_rules(pol, lv, out, err) != 0)
            return -1;
    if (policy_get_int(pol, "reporting.utc_offset_h", &off, err) != 0)
        return -1;
    out->utc_offset_h = (int)off;
    return 0;
}

static int max_lookback(const travel_rules *r)
{
    int m = 0;
    for (int lv = 0; lv < TRAVEL_LEVELS; lv++)
        if (r->lookback_days[lv] > m)
            m = r->lookback_days[lv];
    return m;
}

/* The measure and test days a lead of `level` carries. */
static int measure_of(const policy *pol, int level, match_rec *m, fk_err *err)
{
    char path[96];
    const char *c = travel_level_cohort(level), *kind = "test";
    int64_t days[32];
    size_t n = 0, phases = 0;
    m->test_days[0] = '\0';
    snprintf(path, sizeof path, "measures.%s.phases", c);
    if (policy_has(pol, path) && policy_get_count(pol, path, &phases, err) != 0)
        return -1;
    if (phases > 0) {
        snprintf(path, sizeof path, "measures.%s.phases.0.kind", c);
        if (policy_get_string(pol, path, &kind, err) != 0)
            return -1;
        snprintf(path, sizeof path, "measures.%s.phases.0.test_days", c);
        if (policy_get_int_array(pol, path, days, 32, &n, err) != 0)
            return -1;
        size_t len = 0;
        for (size_t i = 0; i < n && len + 8 < sizeof m->test_days; i++)
            len += (size_t)snprintf(m->test_days + len, sizeof m->test_days - len, "%s%lld",
                                    i ? "," : "", (long long)days[i]);
    } else {
        int64_t tests = 0, within = 0;
        snprintf(path, sizeof path, "measures.%s.clearance.tests", c);
        if (policy_get_int(pol, path, &tests, err) != 0)
            return -1;
        snprintf(path, sizeof path, "measures.%s.clearance.within_days", c);
        if (policy_get_int(pol, path, &within, err) != 0)
            return -1;
        snprintf(m->test_days, sizeof m->test_days, "%lld tests in %lld days",
                 (long long)tests, (long long)within);
    }
    snprintf(m->measure, sizeof m->measure, "%s", kind);
    snprintf(m->cohort, sizeof m->cohort, "%s", c);
    return 0;
}

/* ---- matching ----------------------------------------------------------------------------- */

typedef struct matcher {
    store *st;
    const policy *pol;
    const actor *a;
    travel_rules rules;
    risk_area_list rows;
    int64_t now;
} matcher;

static int matcher_open(matcher *m, store *st, const policy *pol, const actor *a, fk_err *err)
{
    memset(m, 0, sizeof *m);
    m->st = st;
    m->pol = pol;
    m->a = a;
    m->now = fk_now();
    if (travel_rules_from_policy(pol, &m->rules, err) != 0)
        return -1;
    return store_risk_areas_current(st, &m->rows, err);
}

static void matcher_close(matcher *m)
{
    risk_area_list_free(&m->rows);
}

/* The strictest match over the arrival's stays: 1 with *best and *where, else 0. */
static int best_stay(matcher *m, const arrival_rec *ar, travel_match *best, travel_stay *where,
                     fk_err *err)
{
    travel_stay s = {.from = 0, .to = ar->arrived_at};
    travel_match t;
    int found = 0;
    snprintf(s.region_code, sizeof s.region_code, "%s", ar->from_region);
    snprintf(s.area_name, sizeof s.area_name, "%s", ar->from_area);
    if (travel_match_stay(&m->rules, &s, ar->arrived_at, m->rows.items, m->rows.n, &t)) {
        *best = t, *where = s;
        found = 1;
    }
    itinerary_list it;
    int64_t since = ar->arrived_at - (int64_t)max_lookback(&m->rules) * DAY;
    if (store_itineraries_of(m->st, ar->person_id, since, &it, err) != 0)
        return -1;
    for (size_t i = 0; i < it.n; i++) {
        travel_stay x = {.from = it.items[i].stay_from, .to = it.items[i].stay_to,
                         .itinerary_id = it.items[i].id};
        snprintf(x.region_code, sizeof x.region_code, "%s", it.items[i].region_code);
        snprintf(x.area_name, sizeof x.area_name, "%s", it.items[i].area_name);
        if (travel_match_stay(&m->rules, &x, ar->arrived_at, m->rows.items, m->rows.n, &t) &&
            (!found || t.level < best->level)) {
            *best = t, *where = x;
            found = 1;
        }
    }
    itinerary_list_free(&it);
    return found;
}

static int make_lead(matcher *m, const arrival_rec *ar, const travel_match *t,
                     const travel_stay *where, travel_leads *made, fk_err *err)
{
    match_rec mr = {.arrival_id = ar->id, .person_id = ar->person_id,
                    .risk_area_id = t->risk_area_id, .itinerary_id = where->itinerary_id,
                    .matched_at = m->now};
    lead_rec l = {.person_id = ar->person_id, .pushed_at = m->now};
    char note[400], detail[160];
    audit_rec rec;
    snprintf(mr.level, sizeof mr.level, "%s", travel_level_name(t->level));
    snprintf(mr.region_code, sizeof mr.region_code, "%s", where->region_code);
    snprintf(mr.area_name, sizeof mr.area_name, "%s", where->area_name);
    if (measure_of(m->pol, t->level, &mr, err) != 0 ||
        leads_deadlines(m->pol, "traveler", m->now, l.deadlines, err) != 0)
        return -1;
    memcpy(l.kind, "traveler", 9);
    snprintf(l.measure_required, sizeof l.measure_required, "%s", mr.measure);
    snprintf(l.area_code, sizeof l.area_code, "%s", ar->community_code);
    snprintf(note, sizeof note,
             "外防输入: %s risk area stay (%s %.100s), arrival %lld; tests %s", mr.level, mr.region_code, mr.area_name, (long long)ar->id, mr.test_days);
    snprintf(detail, sizeof detail, "traveler arrival=%lld level=%s area=%s",
             (long long)ar->id, mr.level, l.area_code);
    actor_audit(m->a, &rec, "create", "lead", 0, detail);
    if (store_lead_insert(m->st, &l, m->a->username, note, &rec, err) != 0)
        return -1;
    mr.lead_id = l.id;
    if (store_match_insert(m->st, &mr, err) != 0)
        return -1;
    if (made && made->n < TRAVEL_LEVELS) {
        size_t i = made->n++;
        made->ids[i] = l.id;
        snprintf(made->level[i], sizeof made->level[i], "%s", mr.level);
        snprintf(made->measure[i], sizeof made->measure[i], "%s", mr.measure);
        snprintf(made->test_days[i], sizeof made->test_days[i], "%s", mr.test_days);
    }
    return travel_leads_changed(m->st, m->a, &ar->person_id, 1, err);
}

/* Match one arrival; a lead when its strictest level is new and stricter than any had. */
static int match_arrival(matcher *m, int64_t arrival_id, travel_leads *made, fk_err *err)
{
    arrival_rec ar;
    travel_match t;
    travel_stay where;
    unsigned had;
    if (store_arrival_get(m->st, arrival_id, &ar, err) != 0)
        return -1;
    int found = best_stay(m, &ar, &t, &where, err);
    if (found <= 0)
        return found;
    if (store_match_levels(m->st, arrival_id, &had, err) != 0)
        return -1;
    if (had & ((2u << t.level) - 1))   /* this level or a stricter one already */
        return 0;
    return make_lead(m, &ar, &t, &where, made, err);
}

static int rematch_ids(matcher *m, const int64_t *ids, size_t n, travel_leads *made,
                       size_t *count, fk_err *err)
{
    for (size_t i = 0; i < n; i++) {
        travel_leads one = {0};
        if (match_arrival(m, ids[i], &one, err) != 0)
            return -1;
        if (count)
            *count += one.n;
        for (size_t j = 0; made && j < one.n && made->n < TRAVEL_LEVELS; j++) {
            size_t k = made->n++;
            made->ids[k] = one.ids[j];
            memcpy(made->level[k], one.level[j], sizeof made->level[k]);
            memcpy(made->measure[k], one.measure[j], sizeof made->measure[k]);
            memcpy(made->test_days[k], one.test_days[j], sizeof made->test_days[k]);
        }
    }
    return 0;
}

/* ---- lists ---------------------------------------------------------------------------------- */

int travel_list_publish(store *st, const policy *pol, const actor *a, risk_list_rec *l,
                        risk_area_rec *rows, size_t n, size_t *made, fk_err *err)
{
    matcher m;
    audit_rec rec;
    char detail[160];
    int64_t *ids = NULL;
    size_t nids = 0;
    *made = 0;
    if (actor_require(a, PERM_TRAVEL, err) != 0)
        return -1;
    snprintf(detail, sizeof detail, "risk-area list source=%s rows=%zu sha256=%.16s", l->source,
             n, l->digest);
    actor_audit(a, &rec, "import", "risk_area_list", 0, detail);
    l->imported_at = fk_now();
    snprintf(l->imported_by, sizeof l->imported_by, "%s", a->username);
    if (store_risk_list_insert(st, l, rows, n, &rec, err) != 0 ||
        matcher_open(&m, st, pol, a, err) != 0)
        return -1;
    int64_t since = m.now - (int64_t)max_lookback(&m.rules) * DAY;
    int rc = max_lookback(&m.rules) == 0 ? 0 : store_arrival_ids_since(st, since, &ids, &nids, err);
    if (rc == 0)
        rc = rematch_ids(&m, ids, nids, NULL, made, err);
    free(ids);
    matcher_close(&m);
    return rc;
}

int travel_lists(store *st, const actor *a, risk_list_list *out, fk_err *err)
{
    memset(out, 0, sizeof *out);
    if (actor_require_either(a, PERM_TRAVEL, PERM_CHECKPOINT, err) != 0)
        return -1;
    return store_risk_lists(st, out, err);
}

int travel_list_get(store *st, const actor *a, int64_t id, risk_list_rec *out,
                    risk_area_list *rows, fk_err *err)
{
    if (rows)
        memset(rows, 0, sizeof *rows);
    if (actor_require_either(a, PERM_TRAVEL, PERM_CHECKPOINT, err) != 0)
        return -1;
    return store_risk_list_get(st, id, out, rows, err);
}

/* ---- arrivals and itineraries ------------------------------------------------------------- */

static int resolve_person(store *st, int64_t *person_id, const char *id_number, person *p,
                          fk_err *err)
{
    fk_err ignored;
    if (!*person_id && (!id_number || !id_number[0]))
        return fk_fail(err, FK_EINVAL, "person_id", "person_id: give person_id or id_number");
    if (*person_id) {
        if (store_person_get(st, *person_id, p, &ignored) != 0)
            return fk_fail(err, FK_EREF, "person_id", "person_id: no person %lld",
                           (long long)*person_id);
        return 0;
    }
    if (store_person_find_by_id_number(st, id_number, p, &ignored) != 0)
        return fk_fail(err, FK_EREF, "id_number", "id_number: no registered person with it "
                       "(register the traveler first)");
    *person_id = p->id;
    return 0;
}

static bool place_kind_known(const char *k)
{
    static const char *const kinds[] = {"station", "airport", "highway", "port", "gate"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(k, kinds[i]))
            return true;
    return false;
}

int travel_arrival_check(store *st, const actor *a, arrival_rec *r, const char *id_number,
                         fk_err *err)
{
    person p;
    area ar;
    fk_err ignored;
    int64_t now = fk_now();
    if (actor_require(a, PERM_TRAVEL, err) != 0 ||
        resolve_person(st, &r->person_id, id_number, &p, err) != 0)
        return -1;
    if (!r->arrived_at)
        r->arrived_at = now;
    if (r->arrived_at > now + 300)
        return fk_fail(err, FK_EINVAL, "arrived_at", "arrived_at: in the future");
    if (!place_kind_known(r->place_kind))
        return fk_fail(err, FK_EINVAL, "place_kind",
                       "place_kind: must be station, airport, highway, port or gate");
    if (!travel_region_code_valid(r->from_region))
        return fk_fail(err, FK_EINVAL, "from_region", "from_region: 6 to 12 digits");
    if (!r->community_code[0])
        snprintf(r->community_code, sizeof r->community_code, "%s", p.community_code);
    if (store_area_get(st, r->community_code, &ar, &ignored) != 0)
        return fk_fail(err, FK_EREF, "community_code", "community_code: no area %s",
                       r->community_code);
    if (r->checkpoint_id) {
        checkpoint_rec c;
        if (store_checkpoint_get(st, r->checkpoint_id, &c, &ignored) != 0)
            return fk_fail(err, FK_EREF, "checkpoint_id", "checkpoint_id: no checkpoint %lld",
                           (long long)r->checkpoint_id);
        return actor_require_area(a, c.area_code, err);
    }
    /* without a checkpoint, the registering unit is the destination's */
    return actor_require_area(a, r->community_code, err);
}

static int arrival_unit(store *st, const policy *pol, const actor *a, arrival_rec *r,
                        travel_leads *made, fk_err *err)
{
    audit_rec rec;
    char detail[128];
    matcher m;
    snprintf(detail, sizeof detail, "arrival person=%lld from=%s to=%s source=%s",
             (long long)r->person_id, r->from_region, r->community_code, r->source);
    actor_audit(a, &rec, "create", "arrival", 0, detail);
    r->registered_at = fk_now();
    snprintf(r->registered_by, sizeof r->registered_by, "%s", a->username);
    if (store_arrival_insert(st, r, &rec, err) != 0 || matcher_open(&m, st, pol, a, err) != 0)
        return -1;
    int rc = match_arrival(&m, r->id, made, err);
    matcher_close(&m);
    return rc;
}

int travel_arrival_register(store *st, const policy *pol, const actor *a, arrival_rec *r,
                            const char *id_number, travel_leads *made, fk_err *err)
{
    memset(made, 0, sizeof *made);
    if (!r->source[0])
        memcpy(r->source, "api", 4);
    if (travel_arrival_check(st, a, r, id_number, err) != 0 || store_begin(st, err) != 0)
        return -1;
    return store_end(st, arrival_unit(st, pol, a, r, made, err), err);
}

static bool itinerary_source_known(const char *s)
{
    return !strcmp(s, "itinerary_card") || !strcmp(s, "self_report") ||
           !strcmp(s, "checkpoint");
}

static int itinerary_unit(store *st, const policy *pol, const actor *a, itinerary_rec *r,
                          travel_leads *made, fk_err *err)
{
    audit_rec rec;
    char detail[128];
    matcher m;
    int64_t *ids = NULL;
    size_t n = 0;
    snprintf(detail, sizeof detail, "itinerary person=%lld region=%s source=%s",
             (long long)r->person_id, r->region_code, r->source);
    actor_audit(a, &rec, "create", "itinerary", 0, detail);
    r->recorded_at = fk_now();
    snprintf(r->recorded_by, sizeof r->recorded_by, "%s", a->username);
    if (store_itinerary_insert(st, r, &rec, err) != 0 || matcher_open(&m, st, pol, a, err) != 0)
        return -1;
    /* the arrivals this stay can concern: those up to the lookback after it ended */
    int rc = store_arrival_ids_of_person(st, r->person_id, r->stay_from, &ids, &n, err);
    if (rc == 0)
        rc = rematch_ids(&m, ids, n, made, NULL, err);
    free(ids);
    matcher_close(&m);
    return rc;
}

int travel_itinerary_check(store *st, const actor *a, itinerary_rec *r, const char *id_number,
                           fk_err *err)
{
    person p;
    if (actor_require(a, PERM_TRAVEL, err) != 0 ||
        resolve_person(st, &r->person_id, id_number, &p, err) != 0)
        return -1;
    if (!travel_region_code_valid(r->region_code))
        return fk_fail(err, FK_EINVAL, "region_code", "region_code: 6 to 12 digits");
    if (!r->stay_from || !r->stay_to)
        return fk_fail(err, FK_EINVAL, r->stay_from ? "to" : "from", "%s: required",
                       r->stay_from ? "to" : "from");
    if (r->stay_to < r->stay_from)
        return fk_fail(err, FK_EINVAL, "to", "to: before from");
    if (!r->source[0])
        memcpy(r->source, "self_report", 12);
    if (!itinerary_source_known(r->source))
        return fk_fail(err, FK_EINVAL, "source",
                       "source: must be itinerary_card, self_report or checkpoint");
    return 0;
}

int travel_itinerary_record(store *st, const policy *pol, const actor *a, itinerary_rec *r,
                            const char *id_number, travel_leads *made, fk_err *err)
{
    memset(made, 0, sizeof *made);
    if (travel_itinerary_check(st, a, r, id_number, err) != 0 || store_begin(st, err) != 0)
        return -1;
    return store_end(st, itinerary_unit(st, pol, a, r, made, err), err);
}

int travel_arrivals_list(store *st, const actor *a, const arrival_filter *f,
                         arrival_list *out, fk_err *err)
{
    char scope[16], detail[160];
    arrival_filter g = *f;
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_TRAVEL, err) != 0)
        return -1;
    if (!actor_narrow_area(a, f->area_prefix, scope, sizeof scope, &g.area_prefix))
        return 0;
    if (store_arrival_list(st, &g, out, err) != 0)
        return -1;
    snprintf(detail, sizeof detail, "area=%s since=%lld matched=%d returned=%zu",
             g.area_prefix ? g.area_prefix : "", (long long)g.since, g.matched, out->n);
    if (actor_audit_append(st, a, "list", "arrival", 0, detail, err) != 0) {
        arrival_list_free(out);
        return -1;
    }
    for (size_t i = 0; i < out->n; i++) {
        registry_mask_name(a, out->items[i].person_name, sizeof out->items[i].person_name);
        registry_mask_id_number(a, out->items[i].id_number, sizeof out->items[i].id_number);
    }
    return 0;
}

/* ---- checkpoints ----------------------------------------------------------------------------- */

int travel_checkpoint_create(store *st, const actor *a, checkpoint_rec *c, fk_err *err)
{
    audit_rec rec;
    area ar;
    fk_err ignored;
    char detail[192];
    if (actor_require(a, PERM_TRAVEL, err) != 0)
        return -1;
    if (!c->name[0])
        return fk_fail(err, FK_EINVAL, "name", "name: required");
    if (!place_kind_known(c->kind))
        return fk_fail(err, FK_EINVAL, "kind",
                       "kind: must be station, airport, highway, port or gate");
    if (actor_require_area(a, c->area_code, err) != 0)
        return -1;
    if (store_area_get(st, c->area_code, &ar, &ignored) != 0)
        return fk_fail(err, FK_EREF, "area_code", "area_code: no area %s", c->area_code);
    c->created_at = fk_now();
    snprintf(c->created_by, sizeof c->created_by, "%s", a->username);
    snprintf(detail, sizeof detail, "checkpoint %.100s kind=%s area=%s", c->name, c->kind,
             c->area_code);
    actor_audit(a, &rec, "create", "checkpoint", 0, detail);
    return store_checkpoint_insert(st, c, &rec, err);
}

int travel_checkpoints_list(store *st, const actor *a, checkpoint_list *out, fk_err *err)
{
    char scope[16];
    const char *prefix = NULL;
    memset(out, 0, sizeof *out);
    if (actor_require_either(a, PERM_TRAVEL, PERM_CHECKPOINT, err) != 0)
        return -1;
    if (!actor_narrow_area(a, NULL, scope, sizeof scope, &prefix))
        return 0;
    return store_checkpoint_list(st, prefix, out, err);
}

/* ---- scans -------------------------------------------------------------------------- */

int travel_scan_person(store *st, const travel_scan_in *in, int64_t *person_id, fk_err *err)
{
    person p;
    int given = (in->id_number != NULL) + (in->person_id != 0) + (in->token != NULL);
    if (given != 1)
        return fk_fail(err, FK_EINVAL, "person_id",
                       "person_id: give exactly one of id_number, person_id or token");
    if (in->token)   /* health-code tokens: the codes service verifies them (at merge) */
        return fk_fail(err, FK_EINVAL, "token", "token: health-code tokens are not read yet");
    *person_id = in->person_id;
    return resolve_person(st, person_id, in->id_number, &p, err);
}

static int scan_unit(store *st, const policy *pol, const actor *a, const checkpoint_rec *c,
                     scan_rec *out, travel_leads *made, fk_err *err)
{
    audit_rec rec;
    char detail[128];
    int64_t dwell;
    if (out->direction[0] == 'i' && out->from_region[0]) {
        arrival_rec r = {.person_id = out->person_id, .arrived_at = out->at,
                         .checkpoint_id = c->id};
        snprintf(r.place_kind, sizeof r.place_kind, "%s", c->kind);
        snprintf(r.place, sizeof r.place, "%s", c->name);
        snprintf(r.from_region, sizeof r.from_region, "%s", out->from_region);
        memcpy(r.source, "checkpoint", 11);
        person p;
        if (store_person_get(st, r.person_id, &p, err) != 0)
            return -1;
        snprintf(r.community_code, sizeof r.community_code, "%s", p.community_code);
        if (arrival_unit(st, pol, a, &r, made, err) != 0)
            return -1;
        out->arrival_id = r.id;
    }
    snprintf(detail, sizeof detail, "scan checkpoint=%lld person=%lld %s from=%s",
             (long long)c->id, (long long)out->person_id, out->direction, out->from_region);
    actor_audit(a, &rec, "create", "checkpoint_scan", 0, detail);
    snprintf(out->scanned_by, sizeof out->scanned_by, "%s", a->username);
    if (store_scan_insert(st, out, &rec, err) != 0 ||
        policy_get_int(pol, "trace_inputs.checkins.default_dwell_s", &dwell, err) != 0)
        return -1;
    /* the scan is a presence at the checkpoint, keyed like every person subject */
    stay_rec s = {.start = out->at, .end = out->at + dwell};
    snprintf(s.subject, sizeof s.subject, "%lld", (long long)out->person_id);
    snprintf(s.place, sizeof s.place, "cp:%lld", (long long)c->id);
    memcpy(s.source, "checkpoint", 11);
    return store_stay_insert(st, &s, err);
}

/* ---- the itinerary card -------------------------------------------------------------- */

/* The card of person_id as of `now`, its read audited, inside the caller's unit. */
static int card_unit(store *st, const policy *pol, const actor *a, int64_t person_id,
                     int64_t now, itinerary_card *out, fk_err *err)
{
    int64_t days;
    memset(out, 0, sizeof *out);
    if (policy_get_int(pol, "health_code.itinerary_card.days", &days, err) != 0)
        return -1;
    out->days = (int)days;
    if (days == 0)
        return 0;
    if (store_person_journeys(st, person_id, now - days * 86400, &out->journeys, err) != 0)
        return -1;
    for (size_t i = 0; i < out->journeys.n; i++)
        out->star = out->star || out->journeys.items[i].level[0] != '\0';
    if (actor_audit_append(st, a, "read", "itinerary_card", person_id, "", err) != 0) {
        journey_list_free(&out->journeys);
        return -1;
    }
    return 0;
}

int travel_scan(store *st, const policy *pol, const actor *a, int64_t cp,
                const travel_scan_in *in, scan_rec *out, travel_leads *made,
                itinerary_card *card, fk_err *err)
{
    checkpoint_rec c;
    fk_err ignored;
    int64_t now = fk_now();
    memset(out, 0, sizeof *out);
    memset(made, 0, sizeof *made);
    if (actor_require(a, PERM_CHECKPOINT, err) != 0)
        return -1;
    if (store_checkpoint_get(st, cp, &c, &ignored) != 0 ||
        !role_in_jurisdiction(a->area_code, c.area_code))
        return fk_fail(err, FK_ENOTFOUND, "", "no checkpoint %lld", (long long)cp);
    if (!in->direction || (strcmp(in->direction, "in") && strcmp(in->direction, "out")))
        return fk_fail(err, FK_EINVAL, "direction", "direction: must be in or out");
    if (in->from_region && in->from_region[0] && !travel_region_code_valid(in->from_region))
        return fk_fail(err, FK_EINVAL, "from_region", "from_region: 6 to 12 digits");
    if (in->at > now + 300)
        return fk_fail(err, FK_EINVAL, "at", "at: in the future");
    if (travel_scan_person(st, in, &out->person_id, err) != 0)
        return -1;
    out->checkpoint_id = cp;
    out->at = in->at ? in->at : now;
    snprintf(out->direction, sizeof out->direction, "%s", in->direction);
    snprintf(out->from_region, sizeof out->from_region, "%s",
             in->from_region ? in->from_region : "");
    if (card)
        memset(card, 0, sizeof *card);
    if (store_begin(st, err) != 0)
        return -1;
    int rc = scan_unit(st, pol, a, &c, out, made, err) ||
             (card && card_unit(st, pol, a, out->person_id, out->at, card, err));
    if (store_end(st, rc, err) != 0) {
        if (card)
            journey_list_free(&card->journeys);
        return -1;
    }
    return 0;
}

/* ---- the hook ----------------------------------------------------------------------- */

int travel_leads_changed(store *st, const actor *a, const int64_t *person_ids, size_t n,
                         fk_err *err)
{
    /* Health codes recompute these persons here, in the caller's transaction (issue 6
     * contract "Hooks"), the colour log naming the change's maker. */
    for (size_t i = 0; i < n; i++)
        if (codes_touch(st, CODES_BY_PERSON, person_ids[i], err) != 0)
            return -1;
    return n ? codes_recompute_touched(st, a, "travel", NULL, err) : 0;
}
