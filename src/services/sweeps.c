#include "services/sweeps.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/periodic.h"
#include "base/timeutil.h"
#include "services/actor.h"
#include "services/codes.h"
#include "services/leads.h"
#include "services/transfers.h"

static int sweep_lead_escalation(store *st, const policy *pol, const actor *a, int64_t now,
                                 int *changed, fk_err *err)
{
    (void)pol;
    return leads_escalate(st, a, now, changed, err);
}

static int sweep_transfer_lateness(store *st, const policy *pol, const actor *a, int64_t now,
                                   int *changed, fk_err *err)
{
    return transfers_escalate(st, pol, a, now, changed, err);
}

/* Codes that change with the clock alone: overrides expired, tests overdue, monitoring
 * phases ended (services/codes.h). */
static int sweep_health_codes(store *st, const policy *pol, const actor *a, int64_t now,
                              int *changed, fk_err *err)
{
    code_run r;
    (void)pol, (void)a;
    int rc = codes_sweep(st, now, &r, err);
    *changed = rc == 0 ? (int)r.changed : 0;
    return rc;
}

typedef int (*sweep_fn)(store *st, const policy *pol, const actor *a, int64_t now,
                        int *changed, fk_err *err);

static const struct {
    const char *name;
    sweep_fn run;
} sweeps[] = {
    {"lead_escalation", sweep_lead_escalation},
    {"transfer_lateness", sweep_transfer_lateness},
    {"health_codes", sweep_health_codes},
};

int sweeps_run(store *st, const policy *pol, int64_t now, sweep_report *out, fk_err *err)
{
    actor sys;
    actor_system(&sys, "sweep");
    int rc = 0;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof sweeps / sizeof sweeps[0] && i < SWEEPS_MAX; i++) {
        fk_err one;
        int changed = 0;
        int r = sweeps[i].run(st, pol, &sys, now, &changed, &one);
        out->items[out->n].name = sweeps[i].name;
        out->items[out->n].changed = r == 0 ? changed : 0;
        out->items[out->n].failed = r != 0;
        out->n++;
        if (r != 0 && rc == 0) {
            *err = one;
            rc = -1;
        }
    }
    return rc;
}

/* ---- the sweeper thread ---------------------------------------------------------------- */

struct sweeper {
    periodic *thread;
    store *st;              /* the thread's own handle, opened at its first tick */
    const policy *pol;
    char data_dir[4096];
};

static void log_report(const sweep_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->items[i].changed > 0)
            log_info("sweep", "%s: %d changed", r->items[i].name, r->items[i].changed);
}

static void tick(void *ctx)
{
    sweeper *s = ctx;
    fk_err err;
    if (!s->st) {
        if (!(s->st = store_open(s->data_dir, &err))) {
            log_warn("sweep", "cannot open the store: %s", err.message);
            return;
        }
        if (store_map_reads(s->st, &err) != 0)
            log_warn("sweep", "reads not mapped: %s", err.message);
    }
    sweep_report r;
    if (sweeps_run(s->st, s->pol, fk_now(), &r, &err) != 0)
        log_warn("sweep", "%s", err.message);
    log_report(&r);
}

static void sweeper_done(void *ctx)
{
    sweeper *s = ctx;
    store_close(s->st);
}

sweeper *sweeper_start(const char *data_dir, const policy *pol, int interval_s, fk_err *err)
{
    sweeper *s = calloc(1, sizeof *s);
    if (!s) {
        fk_fail(err, FK_EINTERNAL, "", "out of memory");
        return NULL;
    }
    snprintf(s->data_dir, sizeof s->data_dir, "%s", data_dir);
    s->pol = pol;
    /* the first sweep one interval after start, then every interval */
    periodic_job job = {.name = "sweeper", .interval_s = interval_s, .tick = tick,
                        .done = sweeper_done, .ctx = s};
    if (!(s->thread = periodic_start(&job, err))) {
        free(s);
        return NULL;
    }
    return s;
}

void sweeper_stop(sweeper *s)
{
    if (!s)
        return;
    periodic_stop(s->thread);
    free(s);
}
