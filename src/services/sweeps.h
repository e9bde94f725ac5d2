/*
 * sweeps.h - the platform's timed duties: work that falls due with the clock rather
 * than with a request: an open lead whose deadline passes escalates, a transfer trip
 * running late escalates; each slice adds its own row (a daily report missing at its
 * deadline...).
 *
 * Contract:
 *  - One table of sweeps (sweeps.c). sweeps_run runs every one of them as of `now`, as
 *    the system actor (username "system", role command, whole city), each in its own
 *    transactions, and reports how many records each changed. A sweep that fails does
 *    not stop the others: the first error is returned after all have run.
 *  - Each sweep is idempotent at a given `now`: running it twice changes nothing more.
 *  - sweeper_start runs sweeps_run on a thread of its own, with a store handle of its
 *    own, every `interval_s` seconds from start, until sweeper_stop (which wakes it and
 *    joins it). Failures are logged, never fatal: the next tick tries again.
 * Ownership: the sweeper is the caller's (sweeper_stop frees it); the policy must
 * outlive it. Thread safety: sweeps_run as the store handle; a sweeper is driven from
 * one thread.
 */
#ifndef FK_SERVICES_SWEEPS_H
#define FK_SERVICES_SWEEPS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "policy/policy.h"
#include "store/store.h"

enum { SWEEPS_MAX = 8 };

typedef struct sweep_report {
    size_t n;
    struct {
        const char *name; /* static: "lead_escalation", ... */
        int changed;
        int failed;       /* 1 when this sweep returned an error */
    } items[SWEEPS_MAX];
} sweep_report;

int sweeps_run(store *st, const policy *pol, int64_t now, sweep_report *out, fk_err *err);

typedef struct sweeper sweeper;

/* NULL with err when the thread cannot start. interval_s >= 1. */
sweeper *sweeper_start(const char *data_dir, const policy *pol, int interval_s, fk_err *err);
void sweeper_stop(sweeper *s);

#endif
