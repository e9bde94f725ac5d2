#include "cli/cli.h"

#include <pthread.h>
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

/* The policy in force, or NULL with *err: `which` (a file or a built-in id), else
 * DIR/policy.json, else v9; then `local`'s overrides, else DIR/policy-local.json's. */
static policy *load_policy(const char *data_dir, const char *which, const char *local,
                           fk_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/policy.json", data_dir);
    if (!which)
        which = is_file(path) ? path : "v9";
    policy *p = is_file(which) ? policy_load_file(which, err) : policy_load_builtin(which, err);
    if (!p)
        return NULL;
    snprintf(path, sizeof path, "%s/policy-local.json", data_dir);
    if (!local && is_file(path))
        local = path;
    if (local && policy_apply_overrides(p, local, err) != 0) {
        policy_free(p);
        return NULL;
    }
    return p;
}

policy *cli_load_policy(const char *cmd, const char *data_dir, const char *which,
                        const char *local)
{
    fk_err err;
    policy *p = load_policy(data_dir, which, local, &err);
    if (!p)
        cli_fail(cmd, &err);
    return p;
}

typedef struct policy_job {
    const char *data_dir, *which, *local;
    policy *p;
    fk_err err;
} policy_job;

static void *run_policy_job(void *arg)
{
    policy_job *j = arg;
    j->p = load_policy(j->data_dir, j->which, j->local, &j->err);
    return NULL;
}

/* The policy is loaded on a thread of its own while the store opens: each is about 2 ms
 * of a command's start (jansson's parse and the schema's checks; SQLite's parse of the
 * store's schema), 8-9 M instructions each (callgrind, `fangkong import`). A broken
 * policy is reported first, as when it was loaded first; the store has been opened (and
 * brought to this binary's schema) all the same, which any command would have done. */
int cli_open_policy_store(const char *cmd, const char *data_dir, const char *which,
                          const char *local, policy **pol, store **st)
{
    policy_job j = {.data_dir = data_dir, .which = which, .local = local};
    pthread_t th;
    bool threaded = pthread_create(&th, NULL, run_policy_job, &j) == 0;
    if (!threaded)
        run_policy_job(&j);
    fk_err err;
    *st = store_open(data_dir, &err);
    if (threaded)
        pthread_join(th, NULL);
    *pol = j.p;
    if (*pol && *st)
        return 0;
    cli_fail(cmd, *pol ? &err : &j.err);
    policy_free(*pol);
    store_close(*st);
    *pol = NULL;
    *st = NULL;
    return 1;
}
