/*
 * store_positives.c - dispatch for the positives section of the store
 * (store_positives.h) to the backend's store_positive_ops, and its list frees.
 */
#include <stdlib.h>

#include "store/store_int.h"

#define P(st) ((st)->ops->positive)

int store_holds_open(store *st, const hold_open *h, int64_t *first, int64_t *n,
                     fk_err *err)
{
    return P(st)->holds_open(st, h, first, n, err);
}

int store_holds_release_corrected(store *st, const char *ids, int64_t at, const char *by,
                                  const char *note_fmt, int64_t *n,
                                  fk_err *err)
{
    return P(st)->holds_release_corrected(st, ids, at, by, note_fmt, n, err);
}

int store_holds_release_negative(store *st, const char *ids, int64_t at, const char *by,
                                 const char *note, int64_t *n,
                                 fk_err *err)
{
    return P(st)->holds_release_negative(st, ids, at, by, note, n, err);
}

int store_holds_close_leads(store *st, const char *ids, int64_t at, const char *by,
                            const char *measure, const char *note, fk_err *err)
{
    return P(st)->holds_close_leads(st, ids, at, by, measure, note, err);
}

int store_single_positives(store *st, const char *ids, single_positive_list *out, fk_err *err)
{
    return P(st)->single_positives(st, ids, out, err);
}

int store_results_to_follow(store *st, const char *ids, char **out, fk_err *err)
{
    return P(st)->results_to_follow(st, ids, out, err);
}

int store_holds_confirm(store *st, int64_t person_id, int64_t sampled_at, int64_t replaced,
                        int64_t result_id, int64_t case_id, int64_t at, const char *by,
                        const char *note, int64_t *n, fk_err *err)
{
    return P(st)->holds_confirm(st, person_id, sampled_at, replaced, result_id, case_id, at, by,
                                note, n, err);
}

int store_notices_for_results(store *st, const char *kind, const char *ids,
                              const char *audience, const char *fmt, int64_t at, fk_err *err)
{
    return P(st)->notices_for_results(st, kind, ids, audience, fmt, at, err);
}

int store_notice_insert(store *st, notice_rec *n, fk_err *err)
{
    return P(st)->notice_insert(st, n, err);
}

int store_notice_list(store *st, const notice_filter *f, notice_list *out, fk_err *err)
{
    return P(st)->notice_list(st, f, out, err);
}

int store_notice_get(store *st, int64_t id, notice_rec *out, fk_err *err)
{
    return P(st)->notice_get(st, id, out, err);
}

int store_notice_ack(store *st, int64_t id, const char *by, int64_t at, const audit_rec *a,
                     fk_err *err)
{
    return P(st)->notice_ack(st, id, by, at, a, err);
}

int store_hold_list(store *st, const hold_filter *f, hold_list *out, fk_err *err)
{
    return P(st)->hold_list(st, f, out, err);
}

int store_person_held(store *st, int64_t person_id, fk_err *err)
{
    return P(st)->person_held(st, person_id, err);
}

void hold_list_free(hold_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void notice_list_free(notice_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void single_positive_list_free(single_positive_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
