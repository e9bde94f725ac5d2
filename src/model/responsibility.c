/*
 * responsibility.c - functions, units by level, failure references (contract:
 * responsibility.h).
 */
#include "model/responsibility.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "model/lead.h"

static const char *const functions[] = {"testing", "transfer", "isolation", "supplies", "leads",
                                          "reporting"};
static const char *const steps[LEAD_STEPS] = {"found", "controlled", "closed"};

bool resp_function_known(const char *function)
{
    for (size_t i = 0; function && i < sizeof functions / sizeof functions[0]; i++)
        if (!strcmp(functions[i], function))
            return true;
    return false;
}

const char *resp_function_list(void)
{
    return "testing, transfer, isolation, supplies, leads or reporting";
}

void resp_unit_code(const char *area_code, int level, char out[16])
{
    static const size_t lengths[] = {12, 9, 6, 0}; /* community, street, district, command */
    size_t want = level >= 0 && level <= LEAD_LEVEL_COMMAND ? lengths[level] : 0;
    size_t have = strlen(area_code);
    size_t n = have < want ? have : want;
    if (n > 15)
        n = 15;
    memcpy(out, area_code, n);
    out[n] = '\0';
}

int resp_level_length(const char *level)
{
    static const struct { const char *name; int len; } levels[] = {
        {"district", 6}, {"street", 9}, {"community", 12}, {"grid", 15}};
    for (size_t i = 0; level && i < sizeof levels / sizeof levels[0]; i++)
        if (!strcmp(levels[i].name, level))
            return levels[i].len;
    return 0;
}

const char *resp_step_name(int step)
{
    return step >= 0 && step < LEAD_STEPS ? steps[step] : NULL;
}

int resp_step_of(const char *name)
{
    for (int i = 0; name && i < LEAD_STEPS; i++)
        if (!strcmp(steps[i], name))
            return i;
    return -1;
}

void resp_ref_lead(int64_t lead_id, int step, char out[64])
{
    snprintf(out, 64, "lead:%lld:%s", (long long)lead_id,
             resp_step_name(step) ? resp_step_name(step) : "?");
}

void resp_ref_report(const char *area_code, const char *day, char out[64])
{
    snprintf(out, 64, "report:%s:%s", area_code, day);
}

void resp_ref_trip(int64_t trip_id, char out[64])
{
    snprintf(out, 64, "trip:%lld", (long long)trip_id);
}

static int bad_ref(fk_err *err)
{
    return fk_fail(err, FK_EINVAL, "failure_ref",
                   "failure_ref: expected lead:ID:STEP (found, controlled, closed), "
                   "report:AREA:YYYY-MM-DD or trip:ID, as the briefing names failures");
}

static int parse_trip(const char *s, failure_ref *out, fk_err *err)
{
    char *end;
    long long id = strtoll(s, &end, 10);
    if (end == s || *end || id <= 0)
        return bad_ref(err);
    out->trip_id = id;
    return 0;
}

static int parse_lead(const char *s, failure_ref *out, fk_err *err)
{
    char *end;
    long long id = strtoll(s, &end, 10);
    if (end == s || *end != ':' || id <= 0 || (out->step = resp_step_of(end + 1)) < 0)
        return bad_ref(err);
    out->lead_id = id;
    return 0;
}

static int parse_report(const char *s, failure_ref *out, fk_err *err)
{
    const char *colon = strchr(s, ':');
    size_t n = colon ? (size_t)(colon - s) : 0;
    fk_err ignored;
    if (!colon || n == 0 || n > 15 || strspn(s, "0123456789") != n ||
        fk_date_parse(colon + 1, NULL, NULL, NULL, "failure_ref", &ignored) != 0)
        return bad_ref(err);
    memcpy(out->area_code, s, n);
    out->area_code[n] = '\0';
    snprintf(out->day, sizeof out->day, "%s", colon + 1);
    return 0;
}

int resp_ref_parse(const char *s, failure_ref *out, fk_err *err)
{
    memset(out, 0, sizeof *out);
    out->step = -1;
    if (!s || strlen(s) >= 64)
        return bad_ref(err);
    if (!strncmp(s, "lead:", 5)) {
        snprintf(out->kind, sizeof out->kind, "lead");
        return parse_lead(s + 5, out, err);
    }
    if (!strncmp(s, "report:", 7)) {
        snprintf(out->kind, sizeof out->kind, "report");
        return parse_report(s + 7, out, err);
    }
    if (!strncmp(s, "trip:", 5)) {
        snprintf(out->kind, sizeof out->kind, "trip");
        return parse_trip(s + 5, out, err);
    }
    return bad_ref(err);
}
