#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>

int cli_fail(const char *cmd, const fk_err *err)
{
    fprintf(stderr, "fangkong %s: %s\n", cmd, err->message[0] ? err->message : "failed");
    return 1;
}

int cli_failf(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "fangkong %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

int cli_usage(const char *usage)
{
    fputs(usage, stderr);
    return 2;
}

store *cli_open_store(const char *cmd, const char *data_dir)
{
    fk_err err;
    store *st = store_open(data_dir, &err);
    if (!st)
        cli_fail(cmd, &err);
    return st;
}
