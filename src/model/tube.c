/*
 * tube.c - pooled sampling rules (contract: tube.h).
 */
#include "model/tube.h"

#include <stdio.h>
#include <string.h>

static bool barcode_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '-';
}

int tube_barcode_check(const char *barcode, const char *field, fk_err *err)
{
    size_t n = barcode ? strlen(barcode) : 0;
    if (n < TUBE_BARCODE_MIN || n > TUBE_BARCODE_MAX)
        return fk_fail(err, FK_EINVAL, field, "%s: a barcode has %d to %d characters", field,
                       TUBE_BARCODE_MIN, TUBE_BARCODE_MAX);
    for (size_t i = 0; i < n; i++)
        if (!barcode_char(barcode[i]))
            return fk_fail(err, FK_EINVAL, field, "%s: character %zu of %s is not 0-9, A-Z or -",
                           field, i + 1, barcode);
    if (barcode[0] == '-' || barcode[n - 1] == '-')
        return fk_fail(err, FK_EINVAL, field, "%s: %s starts or ends with -", field, barcode);
    return 0;
}

const char *tube_group(bool isolated, bool contact, const char *zone_group)
{
    if (isolated)
        return "isolation_site";
    if (contact)
        return "key_group";
    return zone_group && zone_group[0] ? zone_group : "other";
}

int tube_recheck_group(bool held, const char *field, const char **group, fk_err *err)
{
    if (!held)
        return fk_fail(err, FK_ECONFLICT, field, "%s: the person is not held for a single "
                       "re-sample: a recheck round takes held persons only", field);
    *group = "pool_retest";
    return 0;
}

static bool size_allowed(const policy *pol, int64_t size, fk_err *err)
{
    int64_t sizes[8];
    size_t n = 0;
    if (policy_get_int_array(pol, "testing.pool_sizes", sizes, 8, &n, err) != 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (sizes[i] == size)
            return true;
    return false;
}

int tube_pool_size(const policy *pol, const char *group, int *size, fk_err *err)
{
    char path[96];
    int64_t v = 0;
    snprintf(path, sizeof path, "testing.pool_by_group.groups.%s", group);
    /* a zone group of another protocol version (m20 has no "sealed") pools as "other" */
    if (!policy_has(pol, path))
        snprintf(path, sizeof path, "testing.pool_by_group.groups.other");
    if (policy_get_int(pol, path, &v, err) != 0)
        return -1;
    if (!size_allowed(pol, v, err))
        return fk_fail(err, FK_EINVAL, path, "%s: %lld is not one of testing.pool_sizes", path,
                       (long long)v);
    *size = (int)v;
    return 0;
}

int tube_fits(int tube_size, int person_size, const char *group, const char *field,
              fk_err *err)
{
    if (tube_size <= 0 || person_size >= tube_size)
        return 0;
    return fk_fail(err, FK_ECONFLICT, field, "%s: the person is in group %s, pooled %d to a tube "
                   "by the policy; this tube pools %d: use a %s", field, group, person_size,
                   tube_size, person_size == 1 ? "single tube" : "smaller tube");
}

int tube_takes_member(const char *state, int n, int size, const char *barcode,
                      const char *field, fk_err *err)
{
    if (!strcmp(state, "closed") && n >= size)
        return fk_fail(err, FK_ECONFLICT, field, "%s: tube %s is full (%d of %d) and closed: "
                       "take a new tube", field, barcode, n, size);
    if (!strcmp(state, "closed"))
        return fk_fail(err, FK_ECONFLICT, field, "%s: tube %s was closed: take a new tube",
                       field, barcode);
    if (!strcmp(state, "open") && n >= size)
        return fk_fail(err, FK_ECONFLICT, field, "%s: tube %s is full (%d of %d)", field,
                       barcode, n, size);
    return 0;
}

bool tube_round_state_known(const char *state)
{
    return state && (!strcmp(state, "planned") || !strcmp(state, "open") ||
                     !strcmp(state, "closed"));
}

int tube_round_check(const char *from, const char *to, fk_err *err)
{
    if ((!strcmp(from, "planned") && !strcmp(to, "open")) ||
        (!strcmp(from, "open") && !strcmp(to, "closed")) ||
        (!strcmp(from, "planned") && !strcmp(to, "closed")))
        return 0;
    return fk_fail(err, FK_ECONFLICT, "state", "state: a round cannot go from %s to %s", from,
                   to);
}

int tube_round_accepts(const char *state, int64_t starts_at, int64_t ends_at, int64_t now,
                       fk_err *err)
{
    if (strcmp(state, "open") != 0)
        return fk_fail(err, FK_ECONFLICT, "round_id", "round_id: the round is %s, not open",
                       state);
    if (now < starts_at || now >= ends_at)
        return fk_fail(err, FK_ECONFLICT, "round_id", "round_id: the round takes samples from "
                       "its start to its end only, and it is outside that window now");
    return 0;
}
