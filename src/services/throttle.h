/*
 * throttle.h - failed-attempt throttling for credential checks: the staff login (key: the
 * username) and the public page of one's own health code (keys: the ID number and the
 * phone). After `max_failures` failures of one key within `window_s` seconds from its
 * first failure, that key is refused until the window ends, right credentials or not; a
 * success clears the key. Guessing a password, or a phone for a known ID number, then
 * costs a window per few attempts.
 *
 * Contract:
 *  - Keys are stored as a keyed BLAKE2b hash (a key drawn per process): the table holds
 *    no username, ID number or phone.
 *  - The table has THROTTLE_SLOTS slots; a key probes THROTTLE_PROBE of them. When all
 *    are live with other keys, the one whose window began first is reused: filling the
 *    table can only make it forget a key, never refuse a key nobody failed.
 *  - Locking a known account out for a window is possible for anyone who knows its name
 *    (the usual price of per-account throttling; per-address limits would refuse every
 *    user behind one proxy instead).
 * Ownership: throttle_new's result is the caller's (throttle_free). Thread safety: every
 * call takes the throttle's mutex; one throttle is shared by all request threads.
 */
#ifndef FK_SERVICES_THROTTLE_H
#define FK_SERVICES_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

#define THROTTLE_SLOTS 4096
#define THROTTLE_PROBE 8

typedef struct throttle_limits {
    int max_failures; /* failures within a window before refusals; <= 0 = never refuse */
    int64_t window_s; /* seconds from a key's first failure */
} throttle_limits;

typedef struct throttle throttle;

throttle *throttle_new(throttle_limits limits);
void throttle_free(throttle *t);

/* FK_ETOOMANY naming `field` (retry time in the message) when `key` is refused at `now`;
 * 0 otherwise. A NULL throttle refuses nothing. */
int throttle_check(throttle *t, const char *key, const char *field, int64_t now, fk_err *err);
/* A failure of `key` at `now`. */
void throttle_failed(throttle *t, const char *key, int64_t now);
/* A success: `key` starts afresh. */
void throttle_succeeded(throttle *t, const char *key);

#endif
