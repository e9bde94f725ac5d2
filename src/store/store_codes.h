/*
 * store_codes.h - the health-code section of store.h (migration 0020: code_rules,
 * code_settings, health_codes, code_changes, code_overrides), in its own header; include
 * store/store.h, which includes it. Same conventions as store.h: 0 or -1 with err, lists
 * owned by the caller (free them with the *_list_free below).
 *
 * Recompute is set-based and runs in two steps inside the caller's unit (store_begin),
 * so a code changes in the transaction of the state change that changed it:
 *   1. store_codes_touch adds persons to the connection's touched set (a temporary table)
 *      by what changed: a person, a case, an isolation, a contact, result rows, ...;
 *   2. store_codes_recompute evaluates the installed rules (code_rules, first match wins)
 *      for the touched set in SQL, writes only the codes whose colour, rule or override
 *      changed with one code_changes row each, refreshes details and the last
 *      negative isolation test, and empties the set. A tube's results touch only the
 *      members they can recolour (CODES_BY_RESULTS): the last negative tube is read
 *      with the code (store_code_get), never written per member. With no rules installed it only empties the set.
 * The conditions a rule may name are a table in the backend (store_sqlite_codes.c):
 * store_codes_condition_known says which exist.
 * Thread safety: as store.h.
 */
#ifndef FK_STORE_STORE_CODES_H
#define FK_STORE_STORE_CODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct audit_rec;
typedef struct store store;

typedef struct code_rule_rec {
    int ord;
    char rule[48], zh[128], colour[8], condition[48];
    char params[1024]; /* JSON object: cohorts, phases, kinds (clearance), levels ... */
} code_rule_rec;

typedef struct code_settings_rec {
    char policy_version[16];
    char fingerprint[72];
    int64_t utc_offset_h, overdue_grace_h;
    int red_restricted;
    char red_cohorts[512]; /* JSON array */
    int64_t installed_at;
} code_settings_rec;

/* What to touch. ids is a JSON array text of ids for the *_MANY kinds, else id. */
typedef enum codes_by {
    CODES_BY_PERSON,        /* id: a person */
    CODES_BY_PERSONS,       /* ids: persons */
    CODES_BY_CASE,          /* id: the person of a case */
    CODES_BY_CASE_CONTACTS, /* id: the persons linked to the contacts of a case */
    CODES_BY_CONTACT,       /* id: the person of one contact */
    CODES_BY_ISOLATION,     /* id: the person of an isolation */
    CODES_BY_RESULTS,       /* ids: results (fk_results): the members they can recolour */
    CODES_BY_ZONE,          /* id: the persons zone_persons lists for a zone */
    CODES_BY_LEAD,          /* id: the person of a lead */
    CODES_BY_DUE,           /* time-driven: tests newly overdue, monitoring ended,
                               overrides expired (run with now) */
    CODES_BY_ALL,           /* every person */
    CODES_BY_RESULT_RANGE   /* id and ids: the results from id, ids a JSON object
                               {"last": the last id, "rows": [the range's ids that may be
                               positive, invalid or corrections]} (an import's rows: the
                               range of their ids), as CODES_BY_RESULTS without a JSON
                               array of every id */
} codes_by;

typedef struct code_run {
    int64_t touched, changed, first_change, last_change; /* change ids, 0 when none */
    bool installed; /* rules were installed (otherwise nothing was evaluated) */
} code_run;

/* The current code of a person with what the reads show. */
typedef struct code_rec {
    int64_t person_id;
    char colour[8], rule[48], rule_zh[128], cohort[32], detail[256];
    int64_t since, override_id; /* 0: none */
    /* the last negative test (0: none): the later of the last negative isolation test
     * (written by the recompute) and the scan of the last tube whose current result is
     * negative (read with the code through the person's scans; migration 0030) */
    int64_t last_negative_at;
    char policy_version[16];
    char name[96], community_code[16];
    /* the override in force (override_id != 0) */
    char ov_colour[8], ov_reason[504], ov_requested_by[64], ov_decided_by[64];
    int64_t ov_until;
} code_rec;

typedef struct code_change_rec {
    int64_t id, person_id, at, override_id;
    char from_colour[8], to_colour[8], rule[48], reason[504], operator_[64], source[48];
    char policy_version[16];
} code_change_rec;
typedef struct code_change_list { code_change_rec *items; size_t n; } code_change_list;

typedef struct override_rec {
    int64_t id, person_id, until, requested_at, decided_at; /* until 0: none */
    char colour[8], reason[504], status[12], requested_by[64], decided_by[64], note[504];
    char person_name[96], community_code[16]; /* filled on reads */
} override_rec;
typedef struct override_list { override_rec *items; size_t n; int64_t total; } override_list;

/* Replace the installed rules and settings (one unit). */
int store_codes_install(store *st, const code_settings_rec *s, const code_rule_rec *rules,
                        size_t n, fk_err *err);
/* The installed settings: 1 found, 0 none installed, -1 error. */
int store_codes_settings(store *st, code_settings_rec *out, fk_err *err);
bool store_codes_condition_known(const char *condition);

int store_codes_touch(store *st, codes_by by, int64_t id, const char *ids, int64_t now,
                      fk_err *err);
/* Evaluate and write the touched set as of `now`; operator and source go to the log. */
int store_codes_recompute(store *st, int64_t now, const char *operator_, const char *source,
                          code_run *out, fk_err *err);

/* 1 found, 0 the person has no code row yet, -1 error. */
int store_code_get(store *st, int64_t person_id, code_rec *out, fk_err *err);
/* The version of everything a scan's answer is made of (migration 0033): it moves with
 * every change of a code, a person's name, the rules, a tube's result or a scan into a
 * tube with a result, whoever writes it; 0 when the row is missing (deleted by hand:
 * then nothing may be kept). 0 or -1. */
int store_code_answers_version(store *st, int64_t *version, fk_err *err);
/* The colour log of a person, newest first (limit 1..1000). */
int store_code_history(store *st, int64_t person_id, int limit, code_change_list *out,
                       fk_err *err);
void code_change_list_free(code_change_list *l);

/* Insert a pending override (fills id, requested_at when 0); the person must exist. */
int store_override_insert(store *st, override_rec *o, const struct audit_rec *a, fk_err *err);
int store_override_get(store *st, int64_t id, override_rec *out, fk_err *err);
/* status NULL = any; area_prefix: the person's community within it (NULL = all). */
int store_override_list(store *st, const char *status, const char *area_prefix, int limit,
                        int offset, override_list *out, fk_err *err);
void override_list_free(override_list *l);
/* pending > approved | rejected by `by` (not the requester: FK_ECONFLICT otherwise). */
int store_override_decide(store *st, int64_t id, const char *status, const char *by,
                          int64_t at, const char *note, const struct audit_rec *a,
                          fk_err *err);
/* approved overrides whose until <= now become expired; their persons are touched. */
int store_overrides_expire(store *st, int64_t now, int64_t *n, fk_err *err);

#endif
