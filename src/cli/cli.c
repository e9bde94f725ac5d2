#include "cli/cli.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

#include "policy/policy.h"

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

static bool is_file(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

policy *cli_load_policy(const char *cmd, const char *data_dir, const char *which,
                        const char *local)
{
    char path[4096];
    fk_err err;
    policy *p;
    snprintf(path, sizeof path, "%s/policy.json", data_dir);
    if (!which)
        which = is_file(path) ? path : "v9";
    p = is_file(which) ? policy_load_file(which, &err) : policy_load_builtin(which, &err);
    if (!p) {
        cli_fail(cmd, &err);
        return NULL;
    }
    snprintf(path, sizeof path, "%s/policy-local.json", data_dir);
    if (!local && is_file(path))
        local = path;
    if (local && policy_apply_overrides(p, local, &err) != 0) {
        cli_fail(cmd, &err);
        policy_free(p);
        return NULL;
    }
    return p;
}

int cli_open_policy_store(const char *cmd, const char *data_dir, const char *which,
                          const char *local, policy **pol, store **st)
{
    *st = NULL;
    *pol = cli_load_policy(cmd, data_dir, which, local);
    if (*pol && (*st = cli_open_store(cmd, data_dir)))
        return 0;
    policy_free(*pol);
    *pol = NULL;
    return 1;
}
