/*
 * cmd_testing_setup.c - `fangkong testing` verbs that set a round up, as the CLI
 * operator through services/testing.h and services/sample_flow.h (so permission-checked,
 * validated and audited as the API):
 *   round add            prints the new round's id
 *   round open|close ID  prints the round after, as a line of `rounds`
 *   rounds               id, kind, state, area, window (FROM/TO), name; tab-separated
 *   site add             prints the new site's id
 *   tubes issue          prefix + count (first, digits) or a file of barcodes, all or
 *                        none; prints the count and the first and last barcode
 *   lab add, labs        prints the new lab's id; id, area, name per lab
 * A refusal is the service's message, naming its field, on one line; nothing changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "cli/cli.h"
#include "cli/cmd_testing.h"
#include "model/tube.h"
#include "services/sample_flow.h"
#include "services/testing.h"

#define CMD "testing"

/* ---- rounds ------------------------------------------------------------------------------ */

static void print_round(const round_rec *r)
{
    char from[21], to[21];
    fk_instant_format(r->starts_at, from);
    fk_instant_format(r->ends_at, to);
    printf("%lld\t%s\t%s\t%s\t%s/%s\t%s\n", (long long)r->id, r->kind, r->state, r->area_code,
           from, to, r->name);
}

/* Copy a text option into a record's field: FK_EINVAL naming it when too long. */
static int copy_opt(char *dst, size_t cap, const char *src, const char *field, fk_err *err)
{
    if (src && strlen(src) >= cap)
        return fk_fail(err, FK_EINVAL, field, "%s: at most %zu bytes", field, cap - 1);
    snprintf(dst, cap, "%s", src ? src : "");
    return 0;
}

int cli_testing_round_add(const testing_args *a)
{
    store *st = cli_open_store(CMD, a->data);
    if (!st)
        return 1;
    actor me;
    actor_cli(&me);
    fk_err err;
    round_rec r = {.starts_at = a->from, .ends_at = a->to};
    snprintf(r.state, sizeof r.state, "%s", a->open ? "open" : "planned");
    int rc = copy_opt(r.name, sizeof r.name, a->name, "name", &err) ||
             copy_opt(r.area_code, sizeof r.area_code, a->area, "area_code", &err) ||
             testing_round_create(st, &me, &r, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(CMD, &err);
    printf("%lld\n", (long long)r.id);
    return 0;
}

/* The positive id of an operand, 0 when it is none. */
static int64_t operand_id(const char *s)
{
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    return s && *s && !*end && v > 0 ? v : 0;
}

int cli_testing_round_state(const testing_args *a, const char *state)
{
    int64_t id = operand_id(a->operand);
    if (!id)
        return cli_failf(CMD, "round %s: the round's id, a positive integer", state);
    store *st = cli_open_store(CMD, a->data);
    if (!st)
        return 1;
    actor me;
    actor_cli(&me);
    fk_err err;
    round_rec r;
    int rc = testing_round_set_state(st, &me, id, state, &r, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(CMD, &err);
    print_round(&r);
    return 0;
}

int cli_testing_rounds(const testing_args *a)
{
    store *st = cli_open_store(CMD, a->data);
    if (!st)
        return 1;
    actor me;
    actor_cli(&me);
    fk_err err;
    round_list l = {0};
    int rc = 0, offset = 0;
    int64_t total = 1;
    while (rc == 0 && offset < total) {
        rc = testing_round_list(st, &me, a->area, 1000, offset, &l, &err);
        for (size_t i = 0; rc == 0 && i < l.n; i++)
            print_round(&l.items[i]);
        total = l.n ? l.total : 0;
        offset += (int)l.n;
        round_list_free(&l);
    }
    store_close(st);
    return rc != 0 ? cli_fail(CMD, &err) : 0;
}

/* ---- sites and tubes --------------------------------------------------------------------- */

int cli_testing_site_add(const testing_args *a)
{
    store *st = cli_open_store(CMD, a->data);
    if (!st)
        return 1;
    actor me;
    actor_cli(&me);
    fk_err err;
    site_rec s = {.round_id = a->round};
    int rc = copy_opt(s.name, sizeof s.name, a->name, "name", &err) ||
             copy_opt(s.area_code, sizeof s.area_code, a->area, "area_code", &err) ||
             copy_opt(s.team, sizeof s.team, a->team, "team", &err) ||
             testing_site_create(st, &me, &s, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(CMD, &err);
    printf("%lld\n", (long long)s.id);
    return 0;
}

typedef struct barcodes {
    char (*code)[48];
    const char **ptr;
    size_t n;
} barcodes;

static void barcodes_free(barcodes *b)
{
    free(b->code);
    free(b->ptr);
}

static void barcodes_add(barcodes *b, const char *s)
{
    b->code = realloc(b->code, (b->n + 1) * sizeof *b->code);
    b->ptr = realloc(b->ptr, (b->n + 1) * sizeof *b->ptr);
    if (!b->code || !b->ptr)
        abort();
    snprintf(b->code[b->n], sizeof b->code[b->n], "%s", s);
    b->n++;
    for (size_t i = 0; i < b->n; i++) /* realloc may have moved them */
        b->ptr[i] = b->code[i];
}

/* prefix + first..first+count-1, each number written with `digits` digits. */
static int barcodes_series(const testing_args *a, barcodes *b, fk_err *err)
{
    if (a->count < 1 || a->count > TESTING_MAX_ISSUE)
        return fk_fail(err, FK_EINVAL, "count", "count: 1 to %d", TESTING_MAX_ISSUE);
    if (a->digits < 1 || a->digits > 12 || strlen(a->prefix) > TUBE_BARCODE_MAX)
        return fk_fail(err, FK_EINVAL, "digits", "digits: 1 to 12, prefix at most %d",
                       TUBE_BARCODE_MAX);
    char code[48];
    for (int64_t i = 0; i < a->count; i++) {
        snprintf(code, sizeof code, "%s%0*lld", a->prefix, (int)a->digits,
                 (long long)(a->first + i));
        barcodes_add(b, code);
    }
    return 0;
}

/* One barcode a line; blank lines and a header line "barcode" are skipped. */
static int barcodes_file(const char *path, barcodes *b, fk_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return fk_fail(err, FK_EIO, "barcodes", "barcodes: cannot read %s", path);
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char *s = line + strspn(line, " \t\xef\xbb\xbf"), *e = s + strlen(s);
        while (e > s && strchr(" \t\r\n", e[-1]))
            *--e = 0;
        if (*s && strcmp(s, "barcode") != 0)
            barcodes_add(b, s);
    }
    fclose(f);
    if (b->n == 0)
        return fk_fail(err, FK_EINVAL, "barcodes", "barcodes: %s holds no barcode", path);
    return 0;
}

int cli_testing_tubes(const testing_args *a)
{
    barcodes b = {0};
    fk_err err;
    int rc = a->barcodes ? barcodes_file(a->barcodes, &b, &err) : barcodes_series(a, &b, &err);
    store *st = rc == 0 ? cli_open_store(CMD, a->data) : NULL;
    if (rc == 0 && !st) {
        barcodes_free(&b);
        return 1;
    }
    actor me;
    actor_cli(&me);
    rc = rc || testing_tubes_issue(st, &me, a->site, b.ptr, b.n, &err);
    if (st)
        store_close(st);
    if (rc == 0)
        printf("issued %zu tubes to site %lld: %s to %s\n", b.n, (long long)a->site, b.ptr[0],
               b.ptr[b.n - 1]);
    barcodes_free(&b);
    return rc ? cli_fail(CMD, &err) : 0;
}

/* ---- labs -------------------------------------------------------------------------------- */

int cli_testing_lab_add(const testing_args *a)
{
    store *st = cli_open_store(CMD, a->data);
    if (!st)
        return 1;
    actor me;
    actor_cli(&me);
    fk_err err;
    lab_rec l = {0};
    int rc = copy_opt(l.name, sizeof l.name, a->name, "name", &err) ||
             copy_opt(l.area_code, sizeof l.area_code, a->area, "area_code", &err) ||
             sample_lab_create(st, &me, &l, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(CMD, &err);
    printf("%lld\n", (long long)l.id);
    return 0;
}

int cli_testing_labs(const testing_args *a)
{
    store *st = cli_open_store(CMD, a->data);
    if (!st)
        return 1;
    actor me;
    actor_cli(&me);
    fk_err err;
    lab_list l;
    int rc = sample_lab_list(st, &me, &l, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(CMD, &err);
    for (size_t i = 0; i < l.n; i++)
        printf("%lld\t%s\t%s\n", (long long)l.items[i].id, l.items[i].area_code, l.items[i].name);
    lab_list_free(&l);
    return 0;
}
