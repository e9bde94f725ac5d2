/* cmd_check.c - `fangkong check`: integrity, foreign keys, schema version. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"

static const char usage_text[] =
    "usage: fangkong check [--data DIR]\n"
    "  Runs the store's integrity and foreign-key checks and compares the schema version\n"
    "  with the newest this binary knows. Exit 0 when all is well.\n";

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *data = CLI_DEFAULT_DATA;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            data = optarg;
        else if (c == 'h')
            return fputs(usage_text, stdout), 0;
        else
            return cli_usage(usage_text);
    }
    if (optind != argc)
        return cli_usage(usage_text);
    store *st = cli_open_store("check", data);
    if (!st)
        return 1;
    strbuf report = STRBUF_INIT;
    fk_err err;
    int rc = store_check(st, &report, &err);
    fputs(sb_str(&report), stdout);
    sb_free(&report);
    store_close(st);
    return rc == 0 ? 0 : cli_fail("check", &err);
}
