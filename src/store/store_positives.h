/*
 * store_positives.h - the positives section of store.h (tables testing_holds and
 * notifications, recheck rounds: migration 0016), in its own header; include
 * store/store.h, which includes it. Same conventions as store.h: 0 or -1 with err,
 * lists owned by the caller (free them with the *_list_free below).
 *
 * The follow-up calls (store_holds_*, store_notices_for_results) are set statements
 * over the new result rows of one recording, given as `ids`: a JSON array text of
 * result ids ("[4,5,6]"), so a box of 1,000 results or an import of many
 * thousand costs a handful of statements, never a round trip per member. They join the
 * caller's unit (store_begin); the service audits them (counts) in the same unit.
 * The schema is the last word (0016): one open hold per (tube, person), holds move
 * held > released | confirmed and are never deleted.
 * Thread safety: as store.h.
 */
#ifndef FK_STORE_STORE_POSITIVES_H
#define FK_STORE_STORE_POSITIVES_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct audit_rec;
typedef struct store store;

typedef struct hold_rec {
    int64_t id, person_id, tube_id, round_id, result_id;
    char reason[16]; /* positive_pool, invalid */
    char state[12];  /* held, released, confirmed */
    char area_code[16];
    int64_t lead_id, case_id, ended_result_id; /* 0: none */
    int64_t held_at, ended_at;                 /* ended_at 0 while held */
    char held_by[64], ended_by[64], note[304];
    /* filled on reads */
    char barcode[24], round_name[128], site_name[128], person_name[96], id_number[32];
    char result[12], ended_result[12];
    int size;
} hold_rec;
typedef struct hold_list { hold_rec *items; size_t n; int64_t total; } hold_list;

typedef struct hold_filter {
    int64_t round_id, person_id, tube_id; /* 0 = any */
    const char *state;                    /* NULL = any */
    const char *area_prefix;              /* the person's community within it; NULL = all */
    int limit, offset;
} hold_filter;

typedef struct notice_rec {
    int64_t id;
    char audience[32], area_code[16], kind[24], entity[24];
    int64_t entity_id;
    char message[512];
    int64_t created_at, ack_at; /* ack_at 0: not acknowledged */
    char ack_by[64];
} notice_rec;
typedef struct notice_list { notice_rec *items; size_t n; int64_t total; } notice_list;

typedef struct notice_filter {
    const char *audience;    /* NULL = every audience (command) */
    const char *area_prefix; /* NULL = all */
    int unacked, limit, offset;
} notice_filter;

/* The new holds of one recording: every member of a positive pooled tube (reason
 * positive_pool) or of an invalid tube (reason invalid) among `ids`, unless already held
 * for that tube; each with a pool_retest lead (deadlines, measure per reason, first event
 * note per reason) in the person's community, linked by lead_id; and the recheck round of
 * each round concerned, opened (until recheck_until) when it has none, its window
 * stretched to recheck_until when it is open. *n (OUT) counts the new holds. */
typedef struct hold_open {
    const char *ids;
    int64_t at;
    const char *by;
    int64_t deadlines[3];
    const char *measure_pool, *measure_invalid, *note_pool, *note_invalid;
    int64_t recheck_until;
    const char *recheck_suffix; /* appended to the parent round's name */
    int hold_pool, hold_invalid; /* the policy's: hold positive pools, re-sample invalids */
} hold_open;
int store_holds_open(store *st, const hold_open *h, int64_t *first, int64_t *n,
                     fk_err *err);

/* A correction among `ids` whose result differs from the row it replaces ends what that
 * row did: the tube's open holds and (unless the new result is positive) the holds the
 * replaced row confirmed are released, note_fmt (printf of SQLite: %s the new result,
 * %s the reason) as note. *n (OUT) counts them. */
int store_holds_release_corrected(store *st, const char *ids, int64_t at, const char *by,
                                  const char *note_fmt, int64_t *n,
                                  fk_err *err);
/* Every open hold of a person sampled into a single tube whose result among `ids` is
 * negative, held before that sample, is released by it (note). *n (OUT) counts them. */
int store_holds_release_negative(store *st, const char *ids, int64_t at, const char *by,
                                 const char *note, int64_t *n,
                                 fk_err *err);
/* The open leads of the holds released by a result among `ids` move to closed by the
 * legal path (model/lead.h lead_close_path), measure_taken at controlled, each step an
 * event with `note`. */
int store_holds_close_leads(store *st, const char *ids, int64_t at, const char *by,
                            const char *measure, const char *note, fk_err *err);

/* A single tube among the new rows that is positive, or was before a correction: its
 * member, the person's latest screening_positive case (0 none) and whether the tube had
 * its screening_positive notice (the case was made for it) already. */
typedef struct single_positive {
    int64_t result_id, tube_id, person_id, replaces, scanned_at, case_id, case_number;
    char barcode[24], community_code[16];
    char result[12], previous[12]; /* previous: the replaced row's result, "" none */
    double ct_orf1ab, ct_n;
    int reported;
} single_positive;
typedef struct single_positive_list { single_positive *items; size_t n; } single_positive_list;
int store_single_positives(store *st, const char *ids, single_positive_list *out, fk_err *err);
/* The rows of `ids` any of the calls above acts on, as a JSON array text in *out (the
 * caller frees it): a result other than negative, a correction, or a single tube's (a
 * negative re-sample releases holds). A negative pooled tube, nearly every row of a
 * round's results, makes no hold, releases none and is no single positive. */
int store_results_to_follow(store *st, const char *ids, char **out, fk_err *err);
/* The person's holds open before `sampled_at`, or ended by `replaced` (non-zero), become
 * confirmed by result `result_id` with case_id; their leads get an event (note) in the
 * same state. *n (OUT) counts them. */
int store_holds_confirm(store *st, int64_t person_id, int64_t sampled_at, int64_t replaced,
                        int64_t result_id, int64_t case_id, int64_t at, const char *by,
                        const char *note, int64_t *n, fk_err *err);

/* Notices for the tubes of `ids`, one per tube and audience, in the sampling site's area,
 * message format fmt (SQLite printf: round name %s, site name %s, barcode %s, members
 * %d). kind pool_positive: positive pooled tubes that got holds from these rows;
 * pool_cleared: pooled tubes whose holds of one result were all released, the last by a
 * row of `ids`. */
int store_notices_for_results(store *st, const char *kind, const char *ids,
                              const char *audience, const char *fmt, int64_t at, fk_err *err);
/* One notice; fills id. */
int store_notice_insert(store *st, notice_rec *n, fk_err *err);
int store_notice_list(store *st, const notice_filter *f, notice_list *out, fk_err *err);
int store_notice_get(store *st, int64_t id, notice_rec *out, fk_err *err);
/* Acknowledge a notice not yet acknowledged (FK_ECONFLICT "id" otherwise). */
int store_notice_ack(store *st, int64_t id, const char *by, int64_t at,
                     const struct audit_rec *a, fk_err *err);

int store_hold_list(store *st, const hold_filter *f, hold_list *out, fk_err *err);
/* Does the person have an open hold? 1 yes, 0 no. */
int store_person_held(store *st, int64_t person_id, fk_err *err);

void hold_list_free(hold_list *l);
void notice_list_free(notice_list *l);
void single_positive_list_free(single_positive_list *l);

#endif
