/*
 * zones.h - risk zones (风险区域划定, issue 6): proposed from cases, reviewed, edited,
 * published, downgraded and lifted by the command, and listed for the public.
 *
 * Contract:
 *  - Proposal (zones_propose_case): from a case (confirmed or asymptomatic; a screening
 *    positive is refused, FK_ECONFLICT "classification"). The case's residence gets a zone
 *    of the scheme's top level at the largest unit that level allows among the
 *    residence's building, grid (= compound), community, street, district (the smallest
 *    when none is allowed: flagged); each venue the case stayed at from
 *    days_before_onset before onset (or sampling) until it was reported (isolation) gets
 *    the next level down at the venue's grid, unless that is the scheme's rank-1 level
 *    (the rest of the county). A unit with a live zone already gets the case added
 *    (extension: dates move out; a stricter level is applied to a proposed zone, and to a
 *    published one only proposed: pending_level, per positive_inside_becomes). Live zones
 *    whose unit holds the case's residence are extended the same way.
 *    zones_case_written runs it automatically when a case write made a case confirmed
 *    (not confirmed before), inside the caller's unit, as the case writer (a proposal
 *    needs no PERM_ZONES; every step after it does): the API's case create and edit, and
 *    each row of a cases import (io/import.c, tr NULL: venues read from the store).
 *  - Decisions need PERM_ZONES and the zone's area within the caller's (FK_ENOTFOUND
 *    outside, existence not disclosed): edit (level, unit, name; proposed or published),
 *    publish (proposed only; the start date becomes the day of publication), reject
 *    (proposed), downgrade and lift (published; the next lifting step of model/zone.h:
 *    a downgrade is a step to a level, a lift a step that ends the zone), each with a note
 *    (required, 1..500 bytes). A step before its date or without its tests is refused
 *    (FK_ECONFLICT "date", the reason) unless force is set with a note, which is recorded
 *    (event forced = 1, ZONE_FLAG_FORCED). Every change: one unit, one event, one audit
 *    record, and zones_members_changed before and after when members or level change.
 *  - Reads: PERM_ZONES or PERM_CASE_READ; area-narrowed; audited. Zones carry no person
 *    data; a zone's detail names its cases by id and number only.
 *  - Public (zones_public): no actor, published zones (history: every zone ever
 *    published, with from and to); area name, level, public level, since, may-lift.
 *    The current list adds, per county (district) holding a live zone above the
 *    scheme's lowest level, a row for the rest of that county at the lowest level
 *    (rank 1, unit county: 低风险区 / 防范区, never drawn as a zone), since the earliest
 *    such zone's publication (zone id 0, name "<county>其他区域"). The history does not
 *    carry these rows (they are implied by the zones' own dates).
 * Days are local (reporting.utc_offset_h). Ownership: lists are the caller's.
 * Thread safety: as the store handle; the policy is read-only.
 */
#ifndef FK_SERVICES_ZONES_H
#define FK_SERVICES_ZONES_H

#include <stdbool.h>

#include "policy/policy.h"
#include "services/actor.h"
#include "store/store.h"

/* A zone as answered: the row plus what is computed when read. */
typedef struct zone_view {
    zone_rec z;
    char level_zh[32], public_level[8];
    int flags;               /* stored flags | ZONE_FLAG_KEPT when it applies today */
    char needs[256];         /* the next step's missing tests */
    int64_t residents;       /* -1 unless asked for */
} zone_view;
typedef struct zone_view_list { zone_view *items; size_t n; int64_t total; } zone_view_list;
void zone_view_list_free(zone_view_list *l);

/* The hook of the issue 6 contract: runs after a zone's membership or level changes
 * (publish, edit of a published zone, downgrade, lift, extension of a published zone),
 * inside the same unit, once before the change (after = false) and once after. The
 * codes recompute `SELECT person_id FROM zone_persons WHERE zone_id = ?` here, the
 * colour log naming `a`, who made the change. */
int zones_members_changed(store *st, const actor *a, int64_t zone_id, bool after,
                          fk_err *err);

struct tracing;
/* Propose zones from a case; *ids (OUT, cap) the zones proposed or extended. The case's
 * venues come from tr's trace index (services/tracing.h, every stay including bulk
 * packs, found by subject); with tr NULL from the stays table (a scan: tests, tools). */
int zones_propose_case(store *st, const policy *pol, struct tracing *tr, const actor *a,
                       int64_t case_id, int64_t *ids, size_t cap, size_t *n, fk_err *err);
/* After a case write: propose when `before_class` (NULL for a new case) was not
 * "confirmed" and the case now is. Joins the caller's unit. */
int zones_case_written(store *st, const policy *pol, struct tracing *tr, const actor *a,
                       const char *before_class, int64_t case_id, fk_err *err);

int zones_list(store *st, const policy *pol, const actor *a, const zone_filter *f,
               zone_view_list *out, fk_err *err);
int zones_get(store *st, const policy *pol, const actor *a, int64_t id, zone_view *out,
              zone_case_list *cases, zone_event_list *events, fk_err *err);

typedef struct zone_edit {
    const char *level, *name, *unit_kind, *area_code; /* NULL: unchanged */
    int64_t building_id;                              /* with unit_kind building */
    const char *note;
} zone_edit;
int zones_edit(store *st, const policy *pol, const actor *a, int64_t id, const zone_edit *e,
               zone_view *out, fk_err *err);
/* what: "publish", "reject", "downgrade", "lift". */
int zones_decide(store *st, const policy *pol, const actor *a, int64_t id, const char *what,
                 const char *note, bool force, zone_view *out, fk_err *err);

/* The public list (no actor): current (history false) or every zone ever published. */
int zones_public(store *st, const policy *pol, bool history, zone_view_list *out,
                 fk_err *err);

#endif
