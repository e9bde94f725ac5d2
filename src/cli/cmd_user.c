/* cmd_user.c - `fangkong user add|list|set-role|reset-password`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "model/role.h"
#include "services/auth.h"

static const char usage_text[] =
    "usage: fangkong user add NAME --role ROLE [--area CODE] [--data DIR]\n"
    "       fangkong user set-role NAME --role ROLE [--area CODE] [--data DIR]\n"
    "       fangkong user reset-password NAME [--data DIR]\n"
    "       fangkong user list [--data DIR]\n"
    "  Passwords (8-128 characters) are read from the first line of standard input.\n"
    "  Roles: command epidemiologist lab quarantine transfer community checkpoint viewer.\n"
    "  --area CODE limits the user to a district, street or community (default: whole city;\n"
    "  --area '' on set-role widens back to the whole city).\n";

typedef struct user_args {
    const char *verb, *name, *role, *area, *data;
} user_args;

static int parse(int argc, char **argv, user_args *a)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'}, {"role", required_argument, 0, 'r'},
        {"area", required_argument, 0, 'a'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    *a = (user_args){.data = CLI_DEFAULT_DATA};
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': a->data = optarg; break;
        case 'r': a->role = optarg; break;
        case 'a': a->area = optarg; break;
        case 'h': fputs(usage_text, stdout); return 1;
        default: return -1;
        }
    }
    if (optind < argc)
        a->verb = argv[optind++];
    if (optind < argc)
        a->name = argv[optind++];
    return optind == argc && a->verb ? 0 : -1;
}

static int read_password(char *buf, size_t cap)
{
    if (!fgets(buf, (int)cap, stdin))
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

static int list_users(store *st)
{
    user_list l;
    fk_err err;
    if (store_user_list(st, &l, &err) != 0)
        return cli_fail("user", &err);
    printf("%-20s %-16s %-16s %s\n", "USERNAME", "ROLE", "AREA", "STATE");
    for (size_t i = 0; i < l.n; i++)
        printf("%-20s %-16s %-16s %s\n", l.items[i].username, l.items[i].role,
               l.items[i].area_code[0] ? l.items[i].area_code : "(city)",
               l.items[i].disabled ? "disabled" : "active");
    user_list_free(&l);
    return 0;
}

static int run(store *st, const user_args *a)
{
    fk_err err;
    actor me;
    char pw[256];
    actor_cli(&me);
    if (!strcmp(a->verb, "list"))
        return a->name ? cli_usage(usage_text) : list_users(st);
    if (!a->name)
        return cli_usage(usage_text);
    if (!strcmp(a->verb, "set-role")) {
        if (!a->role)
            return cli_failf("user", "set-role needs --role");
        if (auth_user_set_role(st, &me, a->name, a->role, a->area, &err) != 0)
            return cli_fail("user", &err);
        printf("%s is now %s\n", a->name, a->role);
        return 0;
    }
    if (strcmp(a->verb, "add") && strcmp(a->verb, "reset-password"))
        return cli_usage(usage_text);
    if (!strcmp(a->verb, "add") && !a->role)
        return cli_failf("user", "add needs --role");
    if (read_password(pw, sizeof pw) != 0)
        return cli_failf("user", "no password on standard input");
    int rc = !strcmp(a->verb, "add")
                 ? auth_user_add(st, &me, a->name, a->role, a->area, pw, NULL, &err)
                 : auth_user_reset_password(st, &me, a->name, pw, &err);
    memset(pw, 0, sizeof pw);
    if (rc != 0)
        return cli_fail("user", &err);
    printf("%s %s\n", a->name, !strcmp(a->verb, "add") ? "added" : "password reset");
    return 0;
}

int cmd_user(int argc, char **argv)
{
    user_args a;
    int p = parse(argc, argv, &a);
    if (p != 0)
        return p > 0 ? 0 : cli_usage(usage_text);
    store *st = cli_open_store("user", a.data);
    if (!st)
        return 1;
    int rc = run(st, &a);
    store_close(st);
    return rc;
}
