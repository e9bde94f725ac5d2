/*
 * tube.h - the rules of pooled sampling (混采) that need no store: a tube barcode's
 * format, a person's pool group and the pool size the policy gives it, whether a person
 * may join an open tube, and whether a testing round takes scans at a time.
 *
 * Barcodes: 8 to 20 characters of 0-9, A-Z and '-', neither first nor last a '-'
 * (printed tube stock: "JC2022-000123"). Lower case is not accepted: scanners send
 * what is printed, and one spelling per tube keeps UNIQUE meaningful.
 *
 * Pool groups are the keys of the policy's testing.pool_by_group.groups: isolation_site
 * (an active isolation), key_group (an open close or secondary contact lead), a zone's
 * group when zones exist (sealed, controlled, precaution; high, medium, low), else other.
 * Pure functions; the policy is read only. Thread-safe.
 */
#ifndef FK_MODEL_TUBE_H
#define FK_MODEL_TUBE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "policy/policy.h"

#define TUBE_BARCODE_MIN 8
#define TUBE_BARCODE_MAX 20

/* 0, or -1 with FK_EINVAL naming `field` and saying what is wrong. */
int tube_barcode_check(const char *barcode, const char *field, fk_err *err);

/* The group of a person: "isolation_site" when isolated, else "key_group" when a
 * contact under an open lead, else zone_group when given (the zones' seam: NULL until
 * zones exist), else "other". Static strings or zone_group itself. */
const char *tube_group(bool isolated, bool contact, const char *zone_group);

/* The group of a person in a recheck round, which takes held persons only, each into a
 * single re-sample: "pool_retest" when held, else FK_ECONFLICT naming `field`. */
int tube_recheck_group(bool held, const char *field, const char **group, fk_err *err);

/* The pool size of `group` from the policy (testing.pool_by_group.groups.<group>; a
 * group the policy does not name takes "other"), checked against testing.pool_sizes.
 * -1 with FK_EINVAL naming the policy path when the policy holds no valid size. */
int tube_pool_size(const policy *pol, const char *group, int *size, fk_err *err);

/* May a person whose group pools by `person_size` join a tube opened for `tube_size`?
 * A person needing a smaller pool may not (FK_ECONFLICT naming `field`, telling the
 * sampler to use a single tube); a larger pool's person may join a smaller one. */
int tube_fits(int tube_size, int person_size, const char *group, const char *field,
              fk_err *err);

/* Does a tube in `state` (issued, open, closed) holding n of `size` take one more
 * member? FK_ECONFLICT naming `field` ("closed: take a new tube", "full") otherwise. */
int tube_takes_member(const char *state, int n, int size, const char *barcode,
                      const char *field, fk_err *err);

/* Round states: planned > open > closed. */
bool tube_round_state_known(const char *state);
/* FK_ECONFLICT "state" unless from > to is a legal move. */
int tube_round_check(const char *from, const char *to, fk_err *err);
/* Does a round take scans at `now`: open, and starts_at <= now < ends_at?
 * FK_ECONFLICT naming "round_id" with the reason otherwise. */
int tube_round_accepts(const char *state, int64_t starts_at, int64_t ends_at, int64_t now,
                       fk_err *err);

#endif
