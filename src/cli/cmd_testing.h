/*
 * cmd_testing.h - the pieces `fangkong testing` shares among its files: the parsed
 * options of every verb (cmd_testing.c parses them once) and the verbs that set a
 * round up (cmd_testing_setup.c) and move its boxes (cmd_testing_boxes.c). Each verb
 * runs as the CLI operator (actor_cli: command role, whole city) through the services
 * the API uses, and returns the exit status of cli.h (0, or 1 after one line
 * "fangkong testing: reason" on stderr; the boxes file lists its bad rows first).
 */
#ifndef FK_CLI_CMD_TESTING_H
#define FK_CLI_CMD_TESTING_H

#include <stdbool.h>
#include <stdint.h>

typedef struct testing_args {
    const char *data, *pol, *pol_local, *area, *out, *day;
    const char *name, *team, *prefix, *barcodes;
    int64_t round, now, site, from, to, count, first, digits;
    bool open, home;
    const char *operand; /* the verb's ID or FILE, NULL when none */
} testing_args;

/* round add, round open|close ID, rounds, site add, tubes issue, lab add, labs. */
int cli_testing_round_add(const testing_args *a);
int cli_testing_round_state(const testing_args *a, const char *state);
int cli_testing_rounds(const testing_args *a);
int cli_testing_site_add(const testing_args *a);
int cli_testing_tubes(const testing_args *a);
int cli_testing_lab_add(const testing_args *a);
int cli_testing_labs(const testing_args *a);
/* boxes FILE.csv (box,tube,site,courier,lab): pack, hand over, receive, all or none. */
int cli_testing_boxes(const testing_args *a);

#endif
