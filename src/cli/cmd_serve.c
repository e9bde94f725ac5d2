/* cmd_serve.c - `fangkong serve`: run the HTTP server until SIGINT or SIGTERM. */
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "cli/cli.h"
#include "http/server.h"
#include "policy/policy.h"
#include "services/allocator.h"
#include "services/codes.h"
#include "services/residents.h"
#include "services/sweeps.h"
#include "services/throttle.h"
#include "services/tracing.h"

static const char usage_text[] =
    "usage: fangkong serve [--data DIR] [--port P] [--bind ADDR] [--web DIR] [--threads N]\n"
    "  --data DIR     data directory (default ./data)\n"
    "  --port P       TCP port (default 8080; 0 = any free port, printed on start)\n"
    "  --bind ADDR    listen address (default 127.0.0.1)\n"
    "  --web DIR      console files (default ./web)\n"
    "  --threads N    worker threads (default 2 x cores)\n"
    "  --policy P     protocol version (v8, v9, m20, x10) or a policy file; default\n"
    "                 DIR/policy.json when present, else v9\n"
    "  --policy-local FILE  local overrides; default DIR/policy-local.json when present\n"
    "  --sweep-interval S   seconds between the timed duties (lead escalation...);\n"
    "                 default 60, 0 = none (then `fangkong sweep` from cron)\n"
    "  --residents-interval S  seconds between checks of the kept residents lookup (built\n"
    "                 again in the background when persons changed; also at start);\n"
    "                 default 300, 0 = none (then imports build it when they need it)\n"
    "  --login-attempts N   failed logins of one username (or public code look-ups of\n"
    "                 one ID number or phone) before refusals, default 5; 0 = no limit\n"
    "  --login-window S     seconds those failures are counted over and refusals last,\n"
    "                 from the first failure; default 900\n";

/* SIGINT and SIGTERM are blocked in every thread (cmd_serve blocks them before the
 * workers start, and threads inherit the mask), so only this sigwait receives them. */
static int wait_for_signal(const sigset_t *set)
{
    int sig = 0;
    sigwait(set, &sig);
    return sig;
}

typedef struct serve_args {
    server_config cfg;
    const char *policy, *policy_local;
    int sweep_interval_s, residents_interval_s, login_attempts, login_window_s;
} serve_args;

static bool parse_int(const char *s, int min, int max, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < min || v > max)
        return false;
    *out = (int)v;
    return true;
}

/* 0: run; 1: help printed; -1: usage error. */
static int parse_args(int argc, char **argv, serve_args *a)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'}, {"port", required_argument, 0, 'p'},
        {"bind", required_argument, 0, 'b'}, {"web", required_argument, 0, 'w'},
        {"threads", required_argument, 0, 't'}, {"policy", required_argument, 0, 'P'},
        {"policy-local", required_argument, 0, 'L'}, {"sweep-interval", required_argument, 0, 'S'},
        {"residents-interval", required_argument, 0, 'R'},
        {"login-attempts", required_argument, 0, 'A'}, {"login-window", required_argument, 0, 'W'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    *a = (serve_args){.cfg = {.port = 8080, .data_dir = CLI_DEFAULT_DATA, .web_dir = "web"},
                      .sweep_interval_s = 60, .residents_interval_s = 300, .login_attempts = 5, .login_window_s = 900};
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': a->cfg.data_dir = optarg; break;
        case 'p': if (!parse_int(optarg, 0, 65535, &a->cfg.port)) return -1; break;
        case 'b': a->cfg.bind_addr = optarg; break;
        case 'w': a->cfg.web_dir = optarg; break;
        case 't': if (!parse_int(optarg, 1, 256, &a->cfg.threads)) return -1; break;
        case 'P': a->policy = optarg; break;
        case 'L': a->policy_local = optarg; break;
        case 'S': if (!parse_int(optarg, 0, 86400, &a->sweep_interval_s)) return -1; break;
        case 'R': if (!parse_int(optarg, 0, 86400, &a->residents_interval_s)) return -1; break;
        case 'A': if (!parse_int(optarg, 0, 1000, &a->login_attempts)) return -1; break;
        case 'W': if (!parse_int(optarg, 1, 86400, &a->login_window_s)) return -1; break;
        case 'h': fputs(usage_text, stdout); return 1;
        default: return -1;
        }
    }
    return optind == argc ? 0 : -1;
}

static bool is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Health codes: the policy's rules installed (every code recomputed when they changed)
 * and the runtime (token key, scan audit writer). NULL, logged, when they cannot be. */
static codes_runtime *serve_codes(const char *data_dir, const policy *pol)
{
    fk_err err;
    code_run r;
    store *st = store_open(data_dir, &err);
    if (!st || codes_install(st, pol, &r, &err) != 0) {
        log_warn("serve", "health code rules not installed: %s", err.message);
    } else if (r.touched) {
        log_info("serve", "health code rules of %s installed: %lld codes evaluated, %lld "
                 "changed", policy_id(pol), (long long)r.touched, (long long)r.changed);
    }
    store_close(st);
    codes_runtime *rt = codes_runtime_start(data_dir, &err);
    if (!rt)
        log_warn("serve", "no health codes served: %s", err.message);
    return rt;
}

/* The server's heap kept, not given back to the kernel after each big free. glibc trims
 * a thread's heap whenever its free top passes 128 KiB: a B-tree balance's scratch buffer
 * (tens of KiB, malloc'd and freed by SQLite per split) then grew the heap again, and
 * every page of it faulted in zeroed (sysmalloc, mprotect, page faults: 6-10% of the
 * server's CPU in bench/loop's allocation, about half of which this saves; the rest is
 * page caches growing). With a fixed trim threshold glibc also
 * stops moving its mmap threshold, so that is fixed too, at what it would have reached. */
static void keep_heap(void)
{
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

int cmd_serve(int argc, char **argv)
{
    serve_args a;
    int parsed = parse_args(argc, argv, &a);
    if (parsed != 0)
        return parsed > 0 ? 0 : cli_usage(usage_text);
    server_config *cfg = &a.cfg;
    keep_heap();
    if (!is_dir(cfg->web_dir)) {
        log_warn("serve", "no console: %s is not a directory", cfg->web_dir);
        cfg->web_dir = NULL;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    store *st = cli_open_store("serve", cfg->data_dir); /* applies migrations once */
    if (!st)
        return 1;
    store_close(st);
    fk_err err;
    /* before every handle of the server: their commits then leave checkpoints to it */
    store_checkpointer *ckpt = store_checkpointer_start(cfg->data_dir, NULL, &err);
    if (!ckpt)
        log_warn("serve", "the handles checkpoint at their commits: %s", err.message);
    policy *pol = cli_load_policy("serve", cfg->data_dir, a.policy, a.policy_local);
    if (!pol) {
        store_checkpointer_stop(ckpt);
        return 1;
    }
    cfg->policy = pol;
    tracing *tr = tracing_new(pol);
    char snap[4096];
    if (tracing_snapshot_path(cfg->data_dir, pol, snap, sizeof snap, &err) == 0)
        tracing_set_snapshot(tr, snap);
    else
        log_warn("serve", "no trace snapshot: %s", err.message);
    cfg->tracing = tr;
    codes_runtime *codes = serve_codes(cfg->data_dir, pol);
    cfg->codes = codes;
    allocator *alloc = allocator_start(cfg->data_dir, &err);
    if (!alloc)
        log_warn("serve", "allocation batches on the workers' handles: %s", err.message);
    cfg->allocator = alloc;
    throttle *logins = throttle_new((throttle_limits){a.login_attempts, a.login_window_s});
    cfg->throttle = logins;
    http_server *srv = logins ? http_server_start(cfg, &err) : NULL;
    if (!srv) {
        if (!logins)
            fk_fail(&err, FK_EBUSY, "", "out of memory");
        throttle_free(logins);
        allocator_stop(alloc);
        codes_runtime_stop(codes);
        tracing_free(tr);
        policy_free(pol);
        store_checkpointer_stop(ckpt);
        return cli_fail("serve", &err);
    }
    log_info("serve", "policy %s (%s), %zu local overrides", policy_id(pol), policy_title(pol),
             policy_override_count(pol));
    sweeper *sw = NULL;
    if (a.sweep_interval_s > 0 && !(sw = sweeper_start(cfg->data_dir, pol, a.sweep_interval_s, &err)))
        log_warn("serve", "no timed duties: %s", err.message);
    residents_keeper *rk = NULL;
    if (a.residents_interval_s > 0 &&
        !(rk = residents_keeper_start(cfg->data_dir, a.residents_interval_s, &err)))
        log_warn("serve", "no kept residents lookup: %s", err.message);
    printf("fangkong serving http://%s:%d/ (data %s)\n",
           cfg->bind_addr ? cfg->bind_addr : "127.0.0.1", http_server_port(srv), cfg->data_dir);
    fflush(stdout);
    log_info("serve", "signal %d: stopping", wait_for_signal(&set));
    sweeper_stop(sw);
    residents_keeper_stop(rk);
    http_server_stop(srv);
    allocator_stop(alloc); /* after the server: no batch is running */
    codes_runtime_stop(codes); /* after the server: the last scans are queued, then written */
    throttle_free(logins);
    tracing_free(tr);
    policy_free(pol);
    store_checkpointer_stop(ckpt); /* last: every handle it watched is closed */
    return 0;
}
