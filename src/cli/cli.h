/*
 * cli.h - shared pieces of the `fangkong` command-line tool.
 *
 * Each subcommand lives in cmd_NAME.c as `int cmd_NAME(int argc, char **argv)`, where
 * argv[0] is the subcommand name. It returns the process exit status: 0 on success,
 * 1 on a failure after printing exactly one line "fangkong NAME: reason" to standard
 * error (cli_fail does that), 2 on a usage error. `--help` prints usage and returns 0.
 * Every subcommand accepts `--data DIR` (default ./data).
 */
#ifndef FK_CLI_CLI_H
#define FK_CLI_CLI_H

#include "base/err.h"
#include "store/store.h"

#define CLI_DEFAULT_DATA "./data"

/* Print "fangkong CMD: message" (with the field when set) and return 1. */
int cli_fail(const char *cmd, const fk_err *err);
int cli_failf(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print usage on stderr and return 2. */
int cli_usage(const char *usage);
/* Open the store at data_dir (created when missing), printing the error on failure. */
store *cli_open_store(const char *cmd, const char *data_dir);

/* The policy in force: `which` names a shipped version (v8, v9, m20, x10) or a file;
 * NULL means DATA/policy.json when present, else v9. Local overrides from `local`, or
 * DATA/policy-local.json when present, apply on top. Prints the error and returns NULL
 * on failure; the caller frees the policy with policy_free. */
struct policy;
struct policy *cli_load_policy(const char *cmd, const char *data_dir, const char *which,
                               const char *local);
/* Both of the above, for the commands that need the policy and the store: 0 with *pol and
 * *st set (the caller closes the store and frees the policy), or 1 with both NULL and the
 * error printed. */
int cli_open_policy_store(const char *cmd, const char *data_dir, const char *which,
                          const char *local, struct policy **pol, store **st);

int cmd_serve(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_leads(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_codes(int argc, char **argv);
int cmd_briefing(int argc, char **argv);
int cmd_reports(int argc, char **argv);
int cmd_facilities(int argc, char **argv);
int cmd_isolations(int argc, char **argv);
int cmd_testing(int argc, char **argv);
int cmd_zones(int argc, char **argv);

#endif
