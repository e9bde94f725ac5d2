/*
 * cmd_testing_boxes.c - `fangkong testing boxes FILE.csv`: the courier's and the lab's
 * side in bulk. The CSV has the header box,tube,site,courier,lab and one row per tube;
 * every box is packed with its tubes (closed tubes of its site), handed to its courier
 * and received at its lab, now, through services/sample_flow.h as the CLI operator.
 *
 * Contract: the whole file is one transaction. Any bad row refuses the file, nothing
 * changes, and every bad row is listed on stderr as "row N: FIELD: reason" (N the CSV
 * record, the header being 1), then one line "fangkong testing: K bad rows; nothing
 * changed". First the rows alone, each against the rows before it (fields, a tube
 * listed twice, a box's rows naming different sites, couriers or labs); then, when
 * they are clean, each box through the services: a box the service refuses to pack is
 * tried tube by tube (each try rolled back) so that every bad tube of it is listed
 * with the service's reason; a hand-over or receipt refused is listed on the box's
 * first row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_testing.h"
#include "io/csv_reader.h"
#include "model/tube.h"
#include "services/sample_flow.h"

#define CMD "testing"

enum { COL_BOX, COL_TUBE, COL_SITE, COL_COURIER, COL_LAB, NCOLS };

typedef struct box_row {
    size_t row;
    char box[24], tube[24], courier[128];
    int64_t site, lab;
} box_row;

typedef struct boxes_ctx {
    box_row *rows;
    size_t n;
    int bad;
    store *st;
    actor me;
    int boxes;
} boxes_ctx;

/* Report a bad row: the field, and the reason without the "field: " its message
 * may start with. */
static void bad_row(boxes_ctx *cx, size_t row, const char *field, const char *message)
{
    size_t k = strlen(field);
    const char *m = message;
    const char *colon = strstr(m, ": ");
    if (colon && (size_t)(colon - m) <= 16 && !memchr(m, ' ', (size_t)(colon - m)))
        m = colon + 2; /* the service's own field prefix ("barcodes: ", "lab_id: ") */
    else if (!strncmp(m, field, k) && !strncmp(m + k, ": ", 2))
        m += k + 2;
    fprintf(stderr, "row %zu: %s: %s\n", row, field, m);
    cx->bad++;
}

static int64_t positive_id(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    return *s && !*end && v > 0 ? v : 0;
}

/* The fields of one data row into r, or the first bad one into *field and err. */
static int row_fields(const csvr_row *in, box_row *r, const char **field, fk_err *err)
{
    const char *const *f = in->fields;
    *field = "box";
    if (tube_barcode_check(f[COL_BOX], "box", err) != 0)
        return -1;
    *field = "tube";
    if (tube_barcode_check(f[COL_TUBE], "tube", err) != 0)
        return -1;
    *field = "site";
    if (!(r->site = positive_id(f[COL_SITE])))
        return fk_fail(err, FK_EINVAL, "site", "site: the site's id, a positive integer");
    *field = "courier";
    if (!f[COL_COURIER][0] || strlen(f[COL_COURIER]) > 127)
        return fk_fail(err, FK_EINVAL, "courier", "courier: the courier's name, 1 to 127 bytes");
    *field = "lab";
    if (!(r->lab = positive_id(f[COL_LAB])))
        return fk_fail(err, FK_EINVAL, "lab", "lab: the lab's id, a positive integer");
    snprintf(r->box, sizeof r->box, "%s", f[COL_BOX]);
    snprintf(r->tube, sizeof r->tube, "%s", f[COL_TUBE]);
    snprintf(r->courier, sizeof r->courier, "%s", f[COL_COURIER]);
    return 0;
}

/* A row against the rows before it: a tube once in the file; a box with one site,
 * courier and lab. 0, or -1 after reporting it. */
static int check_row(boxes_ctx *cx, const box_row *r)
{
    char m[256];
    for (size_t j = 0; j < cx->n; j++) {
        const box_row *p = &cx->rows[j];
        if (!strcmp(p->tube, r->tube)) {
            snprintf(m, sizeof m, "%s is listed twice (row %zu)", r->tube, p->row);
            bad_row(cx, r->row, "tube", m);
            return -1;
        }
        if (strcmp(p->box, r->box) != 0)
            continue;
        const char *f = p->site != r->site ? "site" : strcmp(p->courier, r->courier) ? "courier"
                        : p->lab != r->lab ? "lab" : NULL;
        if (f) {
            snprintf(m, sizeof m, "box %s has another %s on row %zu", r->box, f, p->row);
            bad_row(cx, r->row, f, m);
            return -1;
        }
    }
    return 0;
}

static int read_row(void *ud, const csvr_row *in, fk_err *err)
{
    static const char *const header[NCOLS] = {"box", "tube", "site", "courier", "lab"};
    boxes_ctx *cx = ud;
    if (in->nfields != NCOLS && in->row == 1)
        return fk_fail(err, FK_EINVAL, "", "row 1: the header must be box,tube,site,courier,lab");
    for (int i = 0; in->row == 1 && i < NCOLS; i++)
        if (strcmp(in->fields[i], header[i]) != 0)
            return fk_fail(err, FK_EINVAL, "", "row 1: the header must be "
                           "box,tube,site,courier,lab");
    if (in->row == 1)
        return 0;
    if (in->nfields != NCOLS) {
        char m[64];
        snprintf(m, sizeof m, "%zu fields, expected %d", in->nfields, NCOLS);
        bad_row(cx, in->row, "row", m);
        return 0;
    }
    box_row r = {.row = in->row};
    const char *field;
    fk_err e;
    if (row_fields(in, &r, &field, &e) != 0) {
        bad_row(cx, in->row, field, e.message);
        return 0;
    }
    if (check_row(cx, &r) != 0)
        return 0;
    cx->rows = realloc(cx->rows, (cx->n + 1) * sizeof *cx->rows);
    if (!cx->rows)
        abort();
    cx->rows[cx->n++] = r;
    return 0;
}

/* The field of a row that a pack refusal names. */
static const char *pack_field(const fk_err *e)
{
    return !strcmp(e->field, "code") ? "box" : !strcmp(e->field, "site_id") ? "site" : "tube";
}

/* A box the service refused to pack: each of its tubes alone, rolled back, to list
 * every bad one; when each packs alone, the box's own refusal on its first row. */
static void diagnose_pack(boxes_ctx *cx, const box_row *first, const size_t *idx, size_t k,
                          const fk_err *box_err)
{
    int before = cx->bad;
    fk_err e;
    box_rec b;
    for (size_t i = 0; i < k; i++) {
        const box_row *r = &cx->rows[idx[i]];
        const char *one[1] = {r->tube};
        if (store_begin(cx->st, &e) != 0)
            break;
        int rc = sample_box_pack(cx->st, &cx->me, r->box, r->site, one, 1, &b, &e);
        store_rollback(cx->st);
        if (rc != 0)
            bad_row(cx, r->row, pack_field(&e), e.message);
    }
    if (cx->bad == before)
        bad_row(cx, first->row, pack_field(box_err), box_err->message);
}

/* Pack, hand over and receive the box of rows idx[0..k) (all of one box). */
static void run_box(boxes_ctx *cx, const size_t *idx, size_t k)
{
    const box_row *first = &cx->rows[idx[0]];
    const char **codes = calloc(k, sizeof *codes);
    if (!codes)
        abort();
    for (size_t i = 0; i < k; i++)
        codes[i] = cx->rows[idx[i]].tube;
    fk_err e;
    box_rec b;
    if (sample_box_pack(cx->st, &cx->me, first->box, first->site, codes, k, &b, &e) != 0)
        diagnose_pack(cx, first, idx, k, &e);
    else if (sample_box_hand_over(cx->st, &cx->me, first->box, first->courier, &b, &e) != 0)
        bad_row(cx, first->row, "courier", e.message);
    else if (sample_box_receive(cx->st, &cx->me, first->box, first->lab, &b, &e) != 0)
        bad_row(cx, first->row, "lab", e.message);
    else
        cx->boxes++;
    free(codes);
}

/* Every box, in the order of its first row. */
static void run_boxes(boxes_ctx *cx)
{
    size_t *idx = calloc(cx->n ? cx->n : 1, sizeof *idx);
    char *done = calloc(cx->n ? cx->n : 1, 1);
    if (!idx || !done)
        abort();
    for (size_t i = 0; i < cx->n; i++) {
        if (done[i])
            continue;
        size_t k = 0;
        for (size_t j = i; j < cx->n; j++)
            if (!done[j] && !strcmp(cx->rows[j].box, cx->rows[i].box)) {
                done[j] = 1;
                idx[k++] = j;
            }
        run_box(cx, idx, k);
    }
    free(idx);
    free(done);
}

/* 0 when every row went through (the caller commits), else -1 with err. */
static int boxes_unit(boxes_ctx *cx, const char *file, fk_err *err)
{
    if (csvr_read_file(file, NULL, read_row, cx, err) != 0)
        return -1;
    if (!cx->bad && cx->n == 0)
        return fk_fail(err, FK_EINVAL, "", "%s holds no rows", file);
    if (!cx->bad)
        run_boxes(cx);
    if (cx->bad)
        return fk_fail(err, FK_EINVAL, "", "%d bad rows; nothing changed", cx->bad);
    return 0;
}

int cli_testing_boxes(const testing_args *a)
{
    boxes_ctx cx = {0};
    fk_err err;
    actor_cli(&cx.me);
    if (!(cx.st = cli_open_store(CMD, a->data)))
        return 1;
    int rc = store_begin(cx.st, &err);
    if (rc == 0)
        rc = store_end(cx.st, boxes_unit(&cx, a->operand, &err), &err);
    store_close(cx.st);
    size_t tubes = cx.n;
    free(cx.rows);
    if (rc != 0)
        return cli_fail(CMD, &err);
    printf("packed, handed over and received %d boxes with %zu tubes\n", cx.boxes, tubes);
    return 0;
}
