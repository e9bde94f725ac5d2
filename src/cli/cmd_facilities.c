/*
 * cmd_facilities.c - the isolation commands where a batch makes sense:
 *   fangkong facilities import FILE.csv   facilities with their room counts
 *                                         (name,area_code,address,lon,lat,rooms), all or
 *                                         nothing; every bad row is listed
 *   fangkong isolations due [--date D]    the lab work list: tests due on or before D
 *                                         (default today) without a result, as CSV
 * Both run as the CLI operator (whole city) through services/isolation.h, so the
 * checks and the audit are the API's.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "cli/cli.h"
#include "io/csv_reader.h"
#include "services/isolation.h"

static const char facilities_usage[] =
    "usage: fangkong facilities import FILE.csv [--data DIR] [--policy ID|FILE]\n"
    "  Adds isolation facilities with their rooms from CSV with the header\n"
    "  name,area_code,address,lon,lat,rooms (rooms numbered 1..rooms). Any bad row\n"
    "  refuses the whole file; every bad row is listed.\n";

static const char isolations_usage[] =
    "usage: fangkong isolations due [--date YYYY-MM-DD] [--data DIR]\n"
    "  Lists the isolation tests due on or before the date (default today) that have no\n"
    "  result yet, as CSV: the lab work list.\n";

enum { COL_NAME, COL_AREA, COL_ADDRESS, COL_LON, COL_LAT, COL_ROOMS, NCOLS };

typedef struct import_ctx {
    store *st;
    const policy *pol;
    actor me;
    int bad, facilities;
    long rooms;
} import_ctx;

static int import_row_fields(import_ctx *cx, const csvr_row *r, fk_err *err)
{
    static const char *const header[NCOLS] = {"name", "area_code", "address", "lon", "lat",
                                              "rooms"};
    if (r->nfields != NCOLS)
        return fk_fail(err, FK_EINVAL, "", "%zu fields, expected %d", r->nfields, NCOLS);
    if (r->row == 1) {
        for (int i = 0; i < NCOLS; i++)
            if (strcmp(r->fields[i], header[i]) != 0)
                return fk_fail(err, FK_EINVAL, "", "the header must be "
                               "name,area_code,address,lon,lat,rooms");
        return 1;
    }
    (void)cx;
    return 0;
}

static int import_facility(import_ctx *cx, const csvr_row *r, fk_err *err)
{
    facility_rec f = {0};
    char *end;
    snprintf(f.name, sizeof f.name, "%s", r->fields[COL_NAME]);
    snprintf(f.area_code, sizeof f.area_code, "%s", r->fields[COL_AREA]);
    snprintf(f.address, sizeof f.address, "%s", r->fields[COL_ADDRESS]);
    f.lon = strtod(r->fields[COL_LON], &end);
    if (!r->fields[COL_LON][0] || *end)
        return fk_fail(err, FK_EINVAL, "lon", "lon: a number");
    f.lat = strtod(r->fields[COL_LAT], &end);
    if (!r->fields[COL_LAT][0] || *end)
        return fk_fail(err, FK_EINVAL, "lat", "lat: a number");
    long rooms = strtol(r->fields[COL_ROOMS], &end, 10);
    if (!r->fields[COL_ROOMS][0] || *end || rooms < 1 || rooms > ISOLATION_MAX_ROOMS)
        return fk_fail(err, FK_EINVAL, "rooms", "rooms: 1 to %d", ISOLATION_MAX_ROOMS);
    if (isolation_facility_create(cx->st, &cx->me, &f, err) != 0)
        return -1;
    char(*names)[24] = calloc((size_t)rooms, sizeof *names);
    const char **ptrs = calloc((size_t)rooms, sizeof *ptrs);
    if (!names || !ptrs)
        abort();
    for (long i = 0; i < rooms; i++) {
        snprintf(names[i], sizeof names[i], "%ld", i + 1);
        ptrs[i] = names[i];
    }
    int rc = isolation_rooms_add(cx->st, cx->pol, &cx->me, f.id, ptrs, (size_t)rooms, true, err);
    free(names);
    free(ptrs);
    cx->facilities += rc == 0;
    cx->rooms += rc == 0 ? rooms : 0;
    return rc;
}

/* Every row is tried (each in its own savepoint), so that every bad one is listed. */
static int import_row(void *ud, const csvr_row *r, fk_err *err)
{
    import_ctx *cx = ud;
    fk_err row_err;
    int rc = import_row_fields(cx, r, &row_err);
    if (rc == 0)
        rc = import_facility(cx, r, &row_err);
    if (rc < 0) {
        fprintf(stderr, "row %zu: %s\n", r->row, row_err.message);
        cx->bad++;
        if (r->row == 1)
            return fk_fail(err, FK_EINVAL, "", "row 1: %s", row_err.message);
    }
    return 0;
}

static int import_file(const char *data, const char *which, const char *file)
{
    import_ctx cx = {0};
    fk_err err;
    int rc = 1;
    actor_cli(&cx.me);
    cx.pol = cli_load_policy("facilities", data, which, NULL);
    if (!cx.pol || !(cx.st = cli_open_store("facilities", data)))
        goto out;
    if (store_begin(cx.st, &err) != 0) {
        cli_fail("facilities", &err);
        goto out;
    }
    if (csvr_read_file(file, NULL, import_row, &cx, &err) != 0 || cx.bad) {
        store_rollback(cx.st);
        if (cx.bad)
            cli_failf("facilities", "%d bad rows; nothing imported", cx.bad);
        else
            cli_fail("facilities", &err);
        goto out;
    }
    if (store_commit(cx.st, &err) != 0) {
        cli_fail("facilities", &err);
        goto out;
    }
    printf("imported %d facilities with %ld rooms\n", cx.facilities, cx.rooms);
    rc = 0;
out:
    if (cx.st)
        store_close(cx.st);
    policy_free((policy *)cx.pol);
    return rc;
}

int cmd_facilities(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, 0, 'd'},
                                         {"policy", required_argument, 0, 'p'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *data = CLI_DEFAULT_DATA, *which = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            data = optarg;
        else if (c == 'p')
            which = optarg;
        else if (c == 'h')
            return fputs(facilities_usage, stdout), 0;
        else
            return cli_usage(facilities_usage);
    }
    if (optind != argc - 2 || strcmp(argv[optind], "import") != 0)
        return cli_usage(facilities_usage);
    return import_file(data, which, argv[optind + 1]);
}

/* A CSV field: quoted when it holds a comma, quote or newline. */
static void csv_field(const char *s, int last)
{
    if (strpbrk(s, ",\"\n")) {
        putchar('"');
        for (; *s; s++)
            printf(*s == '"' ? "\"\"" : "%c", *s);
        putchar('"');
    } else {
        fputs(s, stdout);
    }
    putchar(last ? '\n' : ',');
}

static int list_due(const char *data, const char *date)
{
    store *st = cli_open_store("isolations", data);
    if (!st)
        return 1;
    actor me;
    fk_err err;
    isolation_test_list l;
    actor_cli(&me);
    int rc = isolation_due(st, &me, date, &l, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail("isolations", &err);
    puts("due_date,day,test_kind,isolation_id,test_id,person_id,person_name,area_code,place");
    for (size_t i = 0; i < l.n; i++) {
        const isolation_test_rec *t = &l.items[i];
        printf("%s,%d,%s,%lld,%lld,%lld,", t->due_date, t->day, t->test_kind,
               (long long)t->isolation_id, (long long)t->id, (long long)t->person_id);
        csv_field(t->person_name, 0);
        csv_field(t->area_code, 0);
        csv_field(t->place, 1);
    }
    isolation_test_list_free(&l);
    return 0;
}

int cmd_isolations(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, 0, 'd'},
                                         {"date", required_argument, 0, 't'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *data = CLI_DEFAULT_DATA, *date = NULL;
    char today[11];
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            data = optarg;
        else if (c == 't')
            date = optarg;
        else if (c == 'h')
            return fputs(isolations_usage, stdout), 0;
        else
            return cli_usage(isolations_usage);
    }
    if (optind != argc - 1 || strcmp(argv[optind], "due") != 0)
        return cli_usage(isolations_usage);
    if (!date) { /* the city's date, by the policy in force */
        policy *pol = cli_load_policy("isolations", data, NULL, NULL);
        if (!pol)
            return 1;
        isolation_today(pol, today);
        policy_free(pol);
    }
    return list_due(data, date ? date : today);
}
