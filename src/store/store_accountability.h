/*
 * store_accountability.h - the accountability section of store.h (tables
 * responsibilities, daily_reports, accountability_actions, migration 0009), and the
 * one read of leads that performance and briefings need (lead facts). Include
 * store/store.h, which includes it. Same conventions as store.h: 0 or -1 with err,
 * every change one unit with its audit record (a, NULL = none), lists owned by the
 * caller and freed with their *_free. The store keeps what SQLite can hold (one
 * current row per area and function, one report per unit and day); the rules (who may,
 * which figures, which deadline) are the services'.
 */
#ifndef FK_STORE_STORE_ACCOUNTABILITY_H
#define FK_STORE_STORE_ACCOUNTABILITY_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "model/lead.h"

struct audit_rec;
struct area_list;
typedef struct store store;

/* ---- the responsibility matrix ------------------------------------------------------ */
typedef struct resp_rec {
    int64_t id;
    char area_code[16];   /* "" = the city (command) */
    char function[12];    /* model/responsibility.h */
    char unit[96];        /* 东湖街道办事处 */
    char official[64];    /* the official's name */
    char phone[20];
    int64_t valid_from;
    int64_t valid_to;     /* 0 = still in office */
    char set_by[64];
    int64_t set_at;
} resp_rec;

typedef struct resp_filter {
    const char *area_prefix;  /* area_code starts with it; NULL/"" = all */
    const char *function;     /* NULL = any */
    int64_t at;               /* > 0: rows in office at that instant; 0: see history */
    int history;              /* at == 0: 1 = every row, 0 = current rows only */
    int limit, offset;
} resp_filter;

typedef struct resp_list { resp_rec *items; size_t n; int64_t total; } resp_list;

/* Put r in office from r->valid_from: the current row of its area and function (if
 * any) ends at that instant. FK_ECONFLICT naming "valid_from" unless r->valid_from
 * lies after the current row's. Fills r->id. */
int store_resp_set(store *st, resp_rec *r, const struct audit_rec *a, fk_err *err);
/* The row of (function, area_code) in office at `at`; FK_ENOTFOUND when none. */
int store_resp_at(store *st, const char *function, const char *area_code, int64_t at,
                  resp_rec *out, fk_err *err);
/* Ordered by area, function, valid_from. */
int store_resp_list(store *st, const resp_filter *f, resp_list *out, fk_err *err);
void resp_list_free(resp_list *l);

/* ---- daily reports ------------------------------------------------------------------- */
typedef struct report_rec {
    int64_t id;
    char area_code[16];
    char day[11];
    int zero;
    char figures[512];     /* a JSON object */
    char note[256];
    char submitted_by[64];
    int64_t submitted_at, deadline;
} report_rec;

typedef struct report_list { report_rec *items; size_t n; } report_list;

/* FK_ECONFLICT naming "day" when the unit already reported that day. Fills r->id. */
int store_report_insert(store *st, report_rec *r, const struct audit_rec *a, fk_err *err);
/* Every report of the days from_day..to_day (inclusive) of units under area_prefix,
 * ordered by day and area. */
int store_reports_between(store *st, const char *from_day, const char *to_day,
                          const char *area_prefix, report_list *out, fk_err *err);
void report_list_free(report_list *l);
/* The areas of the levels given ('|'-separated, e.g. "community|street") under
 * area_prefix, ordered by code. */
int store_areas_at_levels(store *st, const char *levels, const char *area_prefix,
                          struct area_list *out, fk_err *err);

/* ---- actions decided ------------------------------------------------------------------ */
typedef struct action_rec {
    int64_t id;
    char failure_ref[64];
    char area_code[16];
    char unit[96];
    char official[64];
    char action[32];
    char reason[512];
    char decided_by[64];
    int64_t decided_at;
} action_rec;

typedef struct action_filter {
    int64_t from, to;          /* decided_at in [from, to); 0 = open */
    const char *failure_ref;   /* exact; NULL = any */
    const char *area_prefix;
    int limit, offset;
} action_filter;

typedef struct action_list { action_rec *items; size_t n; int64_t total; } action_list;

int store_action_insert(store *st, action_rec *r, const struct audit_rec *a, fk_err *err);
/* Newest first. */
int store_action_list(store *st, const action_filter *f, action_list *out, fk_err *err);
void action_list_free(action_list *l);

/* ---- lead facts ------------------------------------------------------------------------ */
/* A lead as performance and briefings see it: its deadlines and when each step was
 * done (0 = not yet): found = first entry into found, not_found, refused, controlled
 * or closed; controlled = into not_found, controlled or closed; closed = into closed. */
typedef struct lead_fact {
    int64_t id;
    char area_code[16];
    int64_t pushed_at;
    int64_t deadlines[LEAD_STEPS];
    int64_t done[LEAD_STEPS];
} lead_fact;

typedef struct lead_fact_list { lead_fact *items; size_t n; } lead_fact_list;

/* The leads that matter to the period [from, to): pushed before `to` and still open,
 * or with their last deadline or last change at or after `from`; under area_prefix.
 * One aggregate query. */
int store_lead_facts(store *st, int64_t from, int64_t to, const char *area_prefix,
                     lead_fact_list *out, fk_err *err);
/* The facts of one lead; FK_ENOTFOUND when there is none. */
int store_lead_fact(store *st, int64_t id, lead_fact *out, fk_err *err);
void lead_fact_list_free(lead_fact_list *l);

#endif
