/*
 * store_leads.h - the leads section of store.h (tables leads and lead_events,
 * migration 0007; lead_pushes and escalation_notices, 0021; escalation_sweeps, the
 * clock levels derive from, 0022), kept in its own header;
 * include store/store.h, which includes it. Same conventions as store.h: 0 or -1 with
 * err, every change atomic with its audit record (a, NULL = none) and its history
 * (a lead_events row; for a push and a sweep one row per batch, see
 * store_lead_events), lists owned by the caller.
 * The store judges moves with model/lead.h inside the transaction that writes them.
 */
#ifndef FK_STORE_STORE_LEADS_H
#define FK_STORE_STORE_LEADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "model/lead.h"

struct audit_rec;
typedef struct store store;

typedef struct lead_rec {
    int64_t id;
    char kind[20];               /* close_contact, secondary_contact, traveler, ... */
    int64_t person_id;           /* 0: no registered person known */
    char subject[64];            /* phone or ID number to find; "" when person_id given */
    int64_t case_id, contact_id; /* the origin; 0: none */
    char measure_required[32];   /* e.g. central_isolation (the policy's measure) */
    char area_code[16];          /* the responsible unit */
    char assignee[64];           /* username or "" */
    char state[12];
    char measure_taken[32];      /* "" until controlled */
    int64_t pushed_at;
    int64_t deadlines[LEAD_STEPS]; /* found_by, controlled_by, closed_by */
    int64_t due_at;              /* deadline of the current state, 0 once closed (store) */
    int escalation_level;        /* LEAD_LEVEL_* */
    int64_t escalated_at, updated_at;
    int64_t esc_deadline;        /* store-internal: the deadline whose passing raised the
                                  * level shown, when derived from the sweep clock; 0 */
    char person_name[96];        /* filled on reads: the person's name or "" */
    char person_phone[20];       /* filled on reads */
    char resp_unit[96];          /* filled by the leads service on reads: who answers */
    char resp_official[64];      /* for it at its escalation level ("" = nobody on record) */
} lead_rec;

typedef struct lead_event {
    int64_t id, lead_id, at;
    char actor[64];
    char from_state[12], to_state[12];
    char note[256];
} lead_event;

typedef struct lead_filter {
    const char *state, *kind;  /* exact; NULL = any */
    const char *area_prefix;   /* area_code starts with it; NULL/"" = all */
    int64_t case_id;           /* 0 = any */
    int64_t overdue_at;        /* > 0: only leads whose due_at lies before it */
    int limit, offset;         /* limit 1..1000 */
} lead_filter;

typedef struct lead_list { lead_rec *items; size_t n; int64_t total; } lead_list;
typedef struct lead_event_list { lead_event *items; size_t n; } lead_event_list;

/* Insert with state "pushed" (due_at from the deadlines) and its first event
 * ("" -> pushed, by `actor`, note). Fills l->id, state, due_at, updated_at. FK_ECONFLICT
 * when the table refuses it (unknown person, case, area; deadlines out of order). */
int store_lead_insert(store *st, lead_rec *l, const char *actor, const char *note,
                      const struct audit_rec *a, fk_err *err);
int store_lead_get(store *st, int64_t id, lead_rec *out, fk_err *err);
/* Ordered by due_at (open first, soonest first), then id. */
int store_lead_list(store *st, const lead_filter *f, lead_list *out, fk_err *err);
/* Every lead of the filter (limit and offset ignored) in the list's order, in one read
 * snapshot and one pass: fn(ctx, lead) for each, stopping at the first non-zero return
 * (returned). For exports: paging by offset would sort the whole filter once a page. */
typedef int (*lead_fn)(void *ctx, lead_rec *l);
int store_lead_each(store *st, const lead_filter *f, lead_fn fn, void *ctx, fk_err *err);
/* The lead's whole history in order: its lead_events rows (by id) and the entries kept
 * per batch (migration 0021), which carry id 0: the pushed entry of a push ("" ->
 * pushed, first) and each escalation by a sweep (in the state the lead was in, placed
 * after the events written before it), as the per-lead events they replace read. */
int store_lead_events(store *st, int64_t lead_id, lead_event_list *out, fk_err *err);
/* Move lead `id` from `from` (it must still be in it: FK_ECONFLICT "state" otherwise)
 * to `to` if lead_check_transition allows it, setting measure_taken (when to is
 * controlled) and assignee (NULL keeps it), with an event by `actor`. from == to with
 * only an assignee or note is allowed and recorded the same way. Fills *out. */
int store_lead_transition(store *st, int64_t id, const char *from, const char *to,
                          const char *measure_taken, const char *assignee, const char *actor,
                          const char *note, int64_t at, const struct audit_rec *a,
                          lead_rec *out, fk_err *err);
/* Raise lead `id` to `level` at `at` with an event (state unchanged, `note`, or one
 * naming the level when NULL) when level is above its current one; *raised (OUT) 1
 * when it was, else 0. */
int store_lead_escalate(store *st, int64_t id, int level, int64_t at, const char *actor,
                        const char *note, const struct audit_rec *a, int *raised, fk_err *err);
/* *pending (OUT): whether any open lead is to be raised at `now`: a deadline of a lead
 * not owed lies between the clock and now (the clock's next_at: one row), or an owed
 * lead's lead_escalation_target lies above its level (the small partial index
 * leads_owed). A read, no write lock: the sweep before each list of the queue and the
 * server's every tick mostly find nothing to do. */
int store_lead_escalation_pending(store *st, int64_t now, bool *pending, fk_err *err);

/* The note of the escalation event of the leads of area `area_code` raised to `level`
 * (into note, cap bytes): the caller names who answers there. 0 or -1 with err. */
typedef int (*lead_note_fn)(void *ctx, const char *area_code, int level, char *note,
                            size_t cap, fk_err *err);

/* The escalation sweep as of `now`: who writes it (actor) and who names each unit's
 * notice (note). */
typedef struct lead_sweep {
    int64_t now;
    const char *actor;             /* of the events */
    lead_note_fn note;
    void *note_ctx;
} lead_sweep;

/* Leads with consecutive ids first..last (n of them) raised from level `from` to `to`. */
typedef struct lead_run {
    int from, to;
    int64_t first, last, n;
} lead_run;

/* What a sweep did (the name is from when it ran in pages): runs ordered by (from, to,
 * first); owned by the caller (lead_sweep_page_free). */
typedef struct lead_sweep_page {
    size_t seen;                   /* leads whose level the sweep looked at */
    int64_t raised;                /* the sum of the runs' n */
    lead_run *runs;
    size_t n_runs;
} lead_sweep_page;

/* The sweep as of `now`, set-based, in one call (the caller's unit must be open: it writes
 * the audit records in it from out->runs). A lead's level is derived from its deadlines
 * and the escalation clock, the latest sweep's now (migration 0022,
 * model/lead.h lead_level_seen), so the sweep writes no row of the leads it raises by
 * time: when some deadline of a lead not owed lies in [clock, now) (next_at), the clock
 * moves to now and the leads whose derived level rises in between (a range on
 * leads_due) are counted; the owed leads (moved past a deadline the clock had passed)
 * the rule as of now raises are written (guarded: never lowers, the state read in the
 * unit; a row it did not raise fails the unit with FK_ECONFLICT). One escalation_notices
 * row per (area, new level), whose note sw->note gives: each raised lead's history entry
 * in the state it was in (store_lead_events). out->seen counts the leads raised;
 * sw->limit, after_due and after_id are not used (kept for callers). */
int store_lead_escalate_page(store *st, lead_sweep *sw, lead_sweep_page *out, fk_err *err);
void lead_sweep_page_free(lead_sweep_page *p);

/* A push: the case's contacts become leads in one statement. Per degree (index 0 close,
 * 1 secondary): the kind, the measure required and the three deadlines. */
typedef struct lead_push {
    int64_t case_id;
    char case_area[16];            /* who finds a contact with no registered person */
    char kind[2][20], measure[2][32];
    int64_t deadlines[2][LEAD_STEPS];
    int64_t pushed_at;
    const char *actor, *note;      /* of every lead's pushed entry */
} lead_push;
/* Every contact of the case not dismissed, one per subject (the lowest degree, then the
 * first found), whose subject has no lead of the case yet, becomes a lead (state pushed)
 * in subject order, consecutive ids *first..*last (OUT; *last < *first when
 * none), their pushed entry one lead_pushes row for the range (store_lead_events). A
 * linked person's community answers for it. In the caller's unit when one is open; a is
 * the audit record (NULL = none). Set-based: a case with thousands of contacts is a few
 * statements, not thousands. FK_ENOTFOUND "case_id" when the case or p->case_area is not
 * in the store, FK_EINVAL when a kind of p is unknown, a measure longer than 31 bytes or a
 * degree's deadlines out of order (pushed_at <= found_by <= controlled_by <= closed_by):
 * both checked first, the rows going in without per-row foreign-key probes and CHECKs. */
int store_lead_push(store *st, const lead_push *p, const struct audit_rec *a, int64_t *first,
                    int64_t *last, fk_err *err);
/* The leads with ids first..last, by id, names and phones filled. */
int store_lead_range(store *st, int64_t first, int64_t last, lead_list *out, fk_err *err);

void lead_list_free(lead_list *l);
void lead_event_list_free(lead_event_list *l);

#endif
