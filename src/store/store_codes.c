/*
 * store_codes.c - dispatch for the health-code section of the store (store_codes.h) to
 * the backend's store_codes_ops, and its list frees.
 */
#include <stdlib.h>

#include "store/store_int.h"

#define C(st) ((st)->ops->codes)

int store_codes_install(store *st, const code_settings_rec *s, const code_rule_rec *rules,
                        size_t n, fk_err *err)
{
    return C(st)->install(st, s, rules, n, err);
}

int store_codes_settings(store *st, code_settings_rec *out, fk_err *err)
{
    return C(st)->settings(st, out, err);
}

int store_codes_touch(store *st, codes_by by, int64_t id, const char *ids, int64_t now,
                      fk_err *err)
{
    return C(st)->touch(st, by, id, ids, now, err);
}

int store_codes_recompute(store *st, int64_t now, const char *operator_, const char *source,
                          code_run *out, fk_err *err)
{
    return C(st)->recompute(st, now, operator_, source, out, err);
}

int store_code_get(store *st, int64_t person_id, code_rec *out, fk_err *err)
{
    return C(st)->code_get(st, person_id, out, err);
}

int store_code_answers_version(store *st, int64_t *version, fk_err *err)
{
    return C(st)->code_answers_version(st, version, err);
}

int store_code_history(store *st, int64_t person_id, int limit, code_change_list *out,
                       fk_err *err)
{
    return C(st)->code_history(st, person_id, limit, out, err);
}

void code_change_list_free(code_change_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

int store_override_insert(store *st, override_rec *o, const struct audit_rec *a, fk_err *err)
{
    return C(st)->override_insert(st, o, a, err);
}

int store_override_get(store *st, int64_t id, override_rec *out, fk_err *err)
{
    return C(st)->override_get(st, id, out, err);
}

int store_override_list(store *st, const char *status, const char *area_prefix, int limit,
                        int offset, override_list *out, fk_err *err)
{
    return C(st)->override_list(st, status, area_prefix, limit, offset, out, err);
}

void override_list_free(override_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

int store_override_decide(store *st, int64_t id, const char *status, const char *by,
                          int64_t at, const char *note, const struct audit_rec *a, fk_err *err)
{
    return C(st)->override_decide(st, id, status, by, at, note, a, err);
}

int store_overrides_expire(store *st, int64_t now, int64_t *n, fk_err *err)
{
    return C(st)->overrides_expire(st, now, n, err);
}
