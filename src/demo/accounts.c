/*
 * accounts.c - stage 5: one demo account per role, all with the shared password.
 *
 * Runs after the city is committed (auth_user_add checks that the area exists).
 * An account whose username already exists is left exactly as it is and reported
 * with created = 0. Users are added by the CLI actor, so each one is audited.
 */
#include <stdio.h>
#include <string.h>

#include "demo/demo_city.h"
#include "services/auth.h"

enum scope { WHOLE_CITY, FIRST_STREET, FIRST_COMMUNITY };

static const struct {
    const char *username, *role;
    enum scope scope;
} accounts[] = {
    {"admin", "command", WHOLE_CITY},           {"liudiao", "epidemiologist", WHOLE_CITY},
    {"jiedao", "community", FIRST_STREET},      {"shequ", "community", FIRST_COMMUNITY},
    {"jiance", "lab", WHOLE_CITY},              {"zhuanyun", "transfer", WHOLE_CITY},
    {"geli", "quarantine", WHOLE_CITY},         {"kakou", "checkpoint", WHOLE_CITY},
    {"gongan", "police", WHOLE_CITY},           {"guest", "viewer", WHOLE_CITY},
};

_Static_assert(sizeof accounts / sizeof accounts[0] <= DEMO_MAX_ACCOUNTS, "too many accounts");

static const demo_place *scope_place(const demo_city *c, enum scope s)
{
    if (s == FIRST_STREET && c->n[DEMO_STREET] > 0)
        return &c->level[DEMO_STREET][0];
    if (s == FIRST_COMMUNITY && c->n[DEMO_COMMUNITY] > 0)
        return &c->level[DEMO_COMMUNITY][0];
    return NULL;
}

/* Adds one account unless its username exists; fills *out either way. */
static int add_account(demo_ctx *cx, const actor *by, size_t i, demo_account *out, fk_err *err)
{
    const demo_place *place = scope_place(cx->city, accounts[i].scope);
    memset(out, 0, sizeof *out);
    snprintf(out->username, sizeof out->username, "%s", accounts[i].username);
    user u;
    fk_err e2;
    if (store_user_get_by_name(cx->st, accounts[i].username, &u, &e2) == 0) {
        snprintf(out->role, sizeof out->role, "%s", u.role);
        snprintf(out->area_code, sizeof out->area_code, "%s", u.area_code);
        return 0;
    }
    if (e2.code != FK_ENOTFOUND) {
        if (err)
            *err = e2;
        return -1;
    }
    snprintf(out->role, sizeof out->role, "%s", accounts[i].role);
    if (place) {
        snprintf(out->area_code, sizeof out->area_code, "%s", place->code);
        snprintf(out->area_name, sizeof out->area_name, "%s", place->name);
    }
    if (auth_user_add(cx->st, by, out->username, out->role, out->area_code, cx->sum->password,
                      &u, err) != 0)
        return -1;
    out->created = 1;
    return 0;
}

int demo__accounts(demo_ctx *cx, fk_err *err)
{
    if (!cx->st)
        return 0;
    actor by;
    actor_cli(&by);
    cx->sum->n_accounts = 0;
    for (size_t i = 0; i < sizeof accounts / sizeof accounts[0]; i++) {
        if (add_account(cx, &by, i, &cx->sum->accounts[i], err) != 0)
            return -1;
        cx->sum->n_accounts++;
    }
    return 0;
}
