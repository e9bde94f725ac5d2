#include "model/role.h"

#include <string.h>

/* r: read, w: write, t: case transitions, a: audit, u: users, c: clear (unmasked),
 * x: contact discovery (location data), l: leads (the queue pushed to the ground),
 * i: isolation facilities and isolations, v: transfer (vehicles, trips), d: daily
 * reports of its unit, b: responsibility and accountability (matrix, briefings),
 * n: nucleic-acid testing (rounds, sampling sites, tubes, scans), p: the lab's part of
 * the sample flow (labs, receiving boxes, results and their corrections), z: risk zones,
 * g: traveler screening (risk-area lists, arrivals, itineraries), s: checkpoint scans,
 * h: health codes of persons in jurisdiction, o: manual code overrides (asked by one
 * command user, approved by another) */
static const struct {
    const char *name;
    const char *person, *cases, *extra;
} matrix[] = {
    {"command",         "rw", "rwt", "aucxlivdbnpzgsho"},
    {"epidemiologist",  "rw", "rwt", "cxldgh"},
    {"lab",             "r",  "rw",  "cdnp"},
    {"quarantine",      "r",  "rt",  "cidh"},
    {"transfer",        "r",  "rt",  "clvd"},
    {"community",       "rw", "r",   "cldgh"},
    {"checkpoint",      "r",  "",    "gs"},
    /* 公安: told of pool positives (testing.positive_pool.notify), helps find persons */
    {"police",          "r",  "r",   "cl"},
    {"viewer",          "r",  "r",   ""},
};

static const char *const names[] = {"command", "epidemiologist", "lab", "quarantine",
                                    "transfer", "community", "checkpoint", "police",
                                    "viewer", NULL};

const char *const *role_names(void)
{
    return names;
}

static int find(const char *role)
{
    for (size_t i = 0; i < sizeof matrix / sizeof matrix[0]; i++)
        if (role && !strcmp(matrix[i].name, role))
            return (int)i;
    return -1;
}

bool role_known(const char *role)
{
    return find(role) >= 0;
}

bool role_can(const char *role, perm p)
{
    int i = find(role);
    if (i < 0)
        return false;
    switch (p) {
    case PERM_PERSON_READ: return strchr(matrix[i].person, 'r') != NULL;
    case PERM_PERSON_WRITE: return strchr(matrix[i].person, 'w') != NULL;
    case PERM_CASE_READ: return strchr(matrix[i].cases, 'r') != NULL;
    case PERM_CASE_WRITE: return strchr(matrix[i].cases, 'w') != NULL;
    case PERM_CASE_TRANSITION: return strchr(matrix[i].cases, 't') != NULL;
    case PERM_AUDIT_READ: return strchr(matrix[i].extra, 'a') != NULL;
    case PERM_USER_ADMIN: return strchr(matrix[i].extra, 'u') != NULL;
    case PERM_UNMASKED: return strchr(matrix[i].extra, 'c') != NULL;
    case PERM_TRACE: return strchr(matrix[i].extra, 'x') != NULL;
    case PERM_LEADS: return strchr(matrix[i].extra, 'l') != NULL;
    case PERM_ISOLATION: return strchr(matrix[i].extra, 'i') != NULL;
    case PERM_TRANSFER: return strchr(matrix[i].extra, 'v') != NULL;
    case PERM_REPORT: return strchr(matrix[i].extra, 'd') != NULL;
    case PERM_ACCOUNTABILITY: return strchr(matrix[i].extra, 'b') != NULL;
    case PERM_TESTING: return strchr(matrix[i].extra, 'n') != NULL;
    case PERM_LAB: return strchr(matrix[i].extra, 'p') != NULL;
    case PERM_ZONES: return strchr(matrix[i].extra, 'z') != NULL;
    case PERM_TRAVEL: return strchr(matrix[i].extra, 'g') != NULL;
    case PERM_CHECKPOINT: return strchr(matrix[i].extra, 's') != NULL;
    case PERM_CODES: return strchr(matrix[i].extra, 'h') != NULL;
    case PERM_CODE_OVERRIDE: return strchr(matrix[i].extra, 'o') != NULL;
    case PERM__COUNT: break;
    }
    return false;
}

bool role_in_jurisdiction(const char *user_area, const char *community_code)
{
    if (!user_area || !user_area[0])
        return true;
    return community_code && !strncmp(community_code, user_area, strlen(user_area));
}

bool role_areas_overlap(const char *user_area, const char *area)
{
    return role_in_jurisdiction(user_area, area) || role_in_jurisdiction(area, user_area);
}

const char *role_perm_name(perm p)
{
    static const char *const names_of[PERM__COUNT] = {
        [PERM_PERSON_READ] = "person.read",   [PERM_PERSON_WRITE] = "person.write",
        [PERM_CASE_READ] = "cases.read",      [PERM_CASE_WRITE] = "cases.write",
        [PERM_CASE_TRANSITION] = "cases.transition", [PERM_AUDIT_READ] = "audit",
        [PERM_USER_ADMIN] = "users",          [PERM_UNMASKED] = "unmasked",
        [PERM_TRACE] = "trace",               [PERM_LEADS] = "leads",
        [PERM_ISOLATION] = "isolation",       [PERM_TRANSFER] = "transfer",
        [PERM_REPORT] = "reports",            [PERM_ACCOUNTABILITY] = "accountability",
        [PERM_TESTING] = "testing",           [PERM_LAB] = "lab",
        [PERM_ZONES] = "zones",               [PERM_TRAVEL] = "travel",
        [PERM_CHECKPOINT] = "checkpoint",     [PERM_CODES] = "codes",
        [PERM_CODE_OVERRIDE] = "codes.override",
    };
    return p < PERM__COUNT ? names_of[p] : NULL;
}
