/*
 * role.h - who may do what, and where (roles and jurisdiction).
 *
 * Roles: command 指挥部, epidemiologist 流调, lab 检测, quarantine 隔离, transfer 转运,
 * community 社区, checkpoint 卡口, viewer. The permission matrix is the table in
 * role.c: one row per role, and nothing else in the program decides permissions.
 *
 * Jurisdiction: a user carries an area code ("" = the whole city). Area codes are
 * hierarchical by prefix (see area.h), so "in jurisdiction" means the record's
 * community code starts with the user's area code. Pure, thread-safe.
 */
#ifndef FK_MODEL_ROLE_H
#define FK_MODEL_ROLE_H

#include <stdbool.h>

typedef enum perm {
    PERM_PERSON_READ,
    PERM_PERSON_WRITE,
    PERM_CASE_READ,
    PERM_CASE_WRITE,
    PERM_CASE_TRANSITION,
    PERM_AUDIT_READ,
    PERM_USER_ADMIN,
    PERM_UNMASKED,     /* sees names and ID numbers in clear */
    PERM_TRACE,        /* imports location data and runs contact discovery */
    PERM_LEADS,        /* sees and works the leads queue (推送、排查、管控) */
    PERM_ISOLATION,    /* facilities, rooms, allocation and isolations (集中隔离) */
    PERM_TRANSFER,     /* vehicles, crews and transfer trips (转运) */
    PERM_REPORT,       /* submits its unit's daily report (日报告、零报告) */
    PERM_ACCOUNTABILITY, /* responsibility matrix, briefings, actions decided (压实责任) */
    PERM_TESTING,      /* mass testing: rounds, sampling sites, tubes and scans (核酸采样) */
    PERM_LAB,          /* the lab's part: labs, receiving boxes, results (检测、报告) */
    PERM_ZONES,        /* proposes, edits, publishes and lifts risk zones (划定风险区) */
    PERM_TRAVEL,       /* risk-area lists, arrivals and itineraries (外防输入) */
    PERM_CHECKPOINT,   /* records scans at a checkpoint (卡口, 双码联查) */
    PERM_CODES,        /* reads a person's health code with its reasons (健康码) */
    PERM_CODE_OVERRIDE, /* asks for or approves a manual code override (two people) */
    PERM__COUNT
} perm;

bool role_known(const char *role);
/* Stable name of a permission for clients ("person.read", "cases.transition", "audit",
 * ...), so the console derives what to show from this table instead of copying it. */
const char *role_perm_name(perm p);
bool role_can(const char *role, perm p);
/* NULL-terminated list of role names, for help texts and validation messages. */
const char *const *role_names(void);
/* True when `community_code` lies within `user_area` ("" user_area = everywhere). */
bool role_in_jurisdiction(const char *user_area, const char *community_code);
/* True when either area lies within the other: a district's round concerns a user of one
 * of its communities, and a community's round the user of its district. */
bool role_areas_overlap(const char *user_area, const char *area);

#endif
