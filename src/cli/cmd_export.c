/* cmd_export.c - `fangkong export KIND FILE`: CSV or XLSX through io/export.h. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "io/export.h"

static const char usage_text[] =
    "usage: fangkong export KIND FILE [--data DIR] [--community CODE] [--status S]\n"
    "  KIND is persons, cases, areas, audit or stays. FILE ending in .xlsx is written as\n"
    "  an Excel workbook, anything else as UTF-8 CSV with a byte order mark.\n"
    "  --community CODE  persons of that community; cases of persons within that area\n"
    "                    code; areas: that subtree\n"
    "  --status S        cases only: reported, transferred, hospitalized, discharged, died\n"
    "  persons, cases and stays exports can be imported again (fangkong import); stays\n"
    "  are the location data (imported stays and check-ins, interview places), with\n"
    "  times as Unix seconds.\n";

typedef struct export_args {
    const char *kind, *file, *data;
    export_opts o;
} export_args;

static int parse(int argc, char **argv, export_args *a)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'}, {"community", required_argument, 0, 'c'},
        {"status", required_argument, 0, 's'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    *a = (export_args){.data = CLI_DEFAULT_DATA};
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': a->data = optarg; break;
        case 'c': a->o.community = optarg; break;
        case 's': a->o.status = optarg; break;
        case 'h': fputs(usage_text, stdout); return 1;
        default: return -1;
        }
    }
    if (optind + 2 != argc)
        return -1;
    a->kind = argv[optind];
    a->file = argv[optind + 1];
    return 0;
}

int cmd_export(int argc, char **argv)
{
    export_args a;
    int p = parse(argc, argv, &a);
    if (p != 0)
        return p > 0 ? 0 : cli_usage(usage_text);
    store *st = cli_open_store("export", a.data);
    if (!st)
        return 1;
    actor me;
    actor_cli(&me);
    size_t rows = 0;
    fk_err err;
    int rc = export_file(st, &me, a.kind, a.file, &a.o, &rows, &err);
    if (rc == 0)
        printf("exported %zu %s rows to %s\n", rows, a.kind, a.file);
    else
        rc = cli_fail("export", &err);
    store_close(st);
    return rc;
}
