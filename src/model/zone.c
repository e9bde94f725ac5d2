/* zone.c - risk zone rules from the policy's zones block (contract in zone.h). */
#include "model/zone.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "policy/policy.h"

#define DAY_S 86400

/* snprintf for policy paths and rule names: a too long one is cut (never by the shipped
 * policies' keys), which the lookup that follows then fails cleanly. */
static void zfmt(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

static bool in_list(const char *const *list, const char *s)
{
    for (; s && *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

bool zone_status_known(const char *status)
{
    static const char *const k[] = {"proposed", "published", "lifted", "rejected", NULL};
    return in_list(k, status);
}

bool zone_unit_kind_known(const char *kind)
{
    static const char *const k[] = {"building", "grid", "community", "street", "district", NULL};
    return in_list(k, kind);
}

const char *zone_policy_unit(const char *unit_kind)
{
    if (!unit_kind)
        return "";
    if (strcmp(unit_kind, "grid") == 0)
        return "compound";
    if (strcmp(unit_kind, "district") == 0)
        return "county";
    return unit_kind;
}

int64_t zone_local_day(int64_t t, int utc_offset_h)
{
    int64_t local = t + (int64_t)utc_offset_h * 3600;
    return local >= 0 ? local / DAY_S : -((-local + DAY_S - 1) / DAY_S);
}

void zone_day_format(int64_t day, char out[11])
{
    fk_date_of(day * DAY_S, out);
}

int zone_day_parse(const char *s, int64_t *day, const char *field, fk_err *err)
{
    int y, m, d;
    if (fk_date_parse(s, &y, &m, &d, field, err) != 0)
        return -1;
    *day = fk_days_from_civil(y, m, d);
    return 0;
}

const char *zone_scheme(const policy *p)
{
    const char *s = "";
    fk_err e;
    policy_get_string(p, "zones.scheme", &s, &e);
    return s;
}

static size_t level_count(const policy *p)
{
    char path[128];
    size_t n = 0;
    fk_err e;
    zfmt(path, sizeof path, "zones.schemes.%s.levels", zone_scheme(p));
    policy_get_count(p, path, &n, &e);
    return n;
}

static int level_at(const policy *p, size_t i, zone_level *out)
{
    char path[160];
    const char *sch = zone_scheme(p);
    int64_t rank = 0;
    fk_err e;
    memset(out, 0, sizeof *out);
    out->index = (int)i;
    zfmt(path, sizeof path, "zones.schemes.%s.levels.%zu.key", sch, i);
    if (policy_get_string(p, path, &out->key, &e) != 0)
        return -1;
    zfmt(path, sizeof path, "zones.schemes.%s.levels.%zu.zh", sch, i);
    policy_get_string(p, path, &out->zh, &e);
    zfmt(path, sizeof path, "zones.schemes.%s.levels.%zu.rank", sch, i);
    policy_get_int(p, path, &rank, &e);
    out->rank = (int)rank;
    zfmt(path, sizeof path, "zones.schemes.%s.levels.%zu.public_level", sch, i);
    if (policy_get_string(p, path, &out->public_level, &e) != 0)
        out->public_level = "";
    zfmt(path, sizeof path, "zones.schemes.%s.levels.%zu.movement", sch, i);
    if (policy_get_string(p, path, &out->movement, &e) != 0)
        out->movement = "";
    return 0;
}

int zone_level_get(const policy *p, const char *key, zone_level *out, const char *field,
                   fk_err *err)
{
    size_t n = level_count(p);
    for (size_t i = 0; key && i < n; i++)
        if (level_at(p, i, out) == 0 && strcmp(out->key, key) == 0)
            return 0;
    return fk_fail(err, FK_EINVAL, field, "%s: '%s' is not a level of the scheme %s", field,
                   key ? key : "", zone_scheme(p));
}

int zone_level_by_rank(const policy *p, int rank, zone_level *out, fk_err *err)
{
    size_t n = level_count(p);
    for (size_t i = 0; i < n; i++)
        if (level_at(p, i, out) == 0 && out->rank == rank)
            return 0;
    return fk_fail(err, FK_ENOTFOUND, "level", "the scheme %s has no level of rank %d",
                   zone_scheme(p), rank);
}

size_t zone_levels_with_movement(const policy *p, const char *movement, const char **keys,
                                 size_t cap)
{
    zone_level l;
    size_t n = level_count(p), found = 0;
    for (size_t i = 0; i < n && found < cap; i++)
        if (level_at(p, i, &l) == 0 && !strcmp(l.movement, movement))
            keys[found++] = l.key;
    return found;
}

int zone_top_rank(const policy *p)
{
    zone_level l;
    int top = 0;
    size_t n = level_count(p);
    for (size_t i = 0; i < n; i++)
        if (level_at(p, i, &l) == 0 && l.rank > top)
            top = l.rank;
    return top;
}

/* Position of a policy unit in zones.unit_order, -1 when absent. */
static int unit_pos(const policy *p, const char *unit)
{
    size_t n = 0;
    fk_err e;
    policy_get_count(p, "zones.unit_order", &n, &e);
    for (size_t i = 0; i < n; i++) {
        char path[64];
        const char *u;
        zfmt(path, sizeof path, "zones.unit_order.%zu", i);
        if (policy_get_string(p, path, &u, &e) == 0 && strcmp(u, unit) == 0)
            return (int)i;
    }
    return -1;
}

/* The largest position in unit_order of the level's units, -1 when unknown. */
static int level_max_unit(const policy *p, const char *level)
{
    zone_level l;
    fk_err e;
    if (zone_level_get(p, level, &l, "level", &e) != 0)
        return -1;
    char path[160];
    size_t n = 0;
    int max = -1;
    zfmt(path, sizeof path, "zones.schemes.%s.levels.%d.units", zone_scheme(p), l.index);
    policy_get_count(p, path, &n, &e);
    for (size_t i = 0; i < n; i++) {
        char up[192];
        const char *u;
        zfmt(up, sizeof up, "%s.%zu", path, i);
        if (policy_get_string(p, up, &u, &e) == 0 && unit_pos(p, u) > max)
            max = unit_pos(p, u);
    }
    return max;
}

bool zone_unit_too_large(const policy *p, const char *level, const char *unit_kind)
{
    int max = level_max_unit(p, level);
    return max >= 0 && unit_pos(p, zone_policy_unit(unit_kind)) > max;
}

const char *zone_unit_allowed(const policy *p, const char *level, const char *const *kinds,
                              size_t n)
{
    const char *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (!zone_unit_too_large(p, level, kinds[i]))
            best = kinds[i];
    return best;
}

int zone_days_before_onset(const policy *p, int64_t *out, fk_err *err)
{
    zone_level l;
    char path[160];
    if (zone_level_by_rank(p, zone_top_rank(p), &l, err) != 0)
        return -1;
    zfmt(path, sizeof path, "zones.schemes.%s.levels.%d.days_before_onset", zone_scheme(p),
             l.index);
    if (policy_has(p, path))
        return policy_get_int(p, path, out, err);
    return policy_get_int(p, "close_contact.days_before_onset", out, err);
}

const char *zone_positive_inside_becomes(const policy *p, const char *level)
{
    zone_level l;
    fk_err e;
    char path[160];
    const char *to;
    if (zone_level_get(p, level, &l, "level", &e) != 0)
        return NULL;
    zfmt(path, sizeof path, "zones.schemes.%s.levels.%d.positive_inside_becomes",
             zone_scheme(p), l.index);
    return policy_get_string(p, path, &to, &e) == 0 ? to : NULL;
}

/* ---- lifting ------------------------------------------------------------------------ */

/* "zones.schemes.<s>.lifting.<mode>" into out. */
static void lifting_path(const policy *p, char *out, size_t cap)
{
    char path[128];
    const char *mode = "";
    fk_err e;
    zfmt(path, sizeof path, "zones.schemes.%s.lifting_mode", zone_scheme(p));
    policy_get_string(p, path, &mode, &e);
    zfmt(out, cap, "zones.schemes.%s.lifting.%s", zone_scheme(p), mode);
}

static size_t step_count(const policy *p, const char *level)
{
    char path[192], base[128];
    size_t n = 0;
    fk_err e;
    lifting_path(p, base, sizeof base);
    zfmt(path, sizeof path, "%s.%s", base, level);
    return policy_get_count(p, path, &n, &e) == 0 ? n : 0;
}

static int64_t step_int(const policy *p, const char *rule, const char *key, int64_t def)
{
    char path[192];
    int64_t v;
    fk_err e;
    zfmt(path, sizeof path, "%s.%s", rule, key);
    return policy_get_int(p, path, &v, &e) == 0 ? v : def;
}

static bool has_round(const zone_timeline *t, int64_t from, int64_t to)
{
    for (size_t i = 0; i < t->n_rounds; i++)
        if (t->negative_round_days[i] >= from && t->negative_round_days[i] <= to)
            return true;
    return false;
}

/* Does the step `to` end the zone? "lifted", or the scheme's rank-1 level. */
static bool step_lifts(const policy *p, const char *to)
{
    zone_level l;
    fk_err e;
    return strcmp(to, "lifted") == 0 ||
           (zone_level_get(p, to, &l, "to", &e) == 0 && l.rank <= 1);
}

/* Add one missing condition (Chinese) to s->needs. */
static void need_text(zone_step *s, const char *text)
{
    size_t len = strlen(s->needs);
    if (len + 1 < sizeof s->needs)
        snprintf(s->needs + len, sizeof s->needs - len, "%s%s", len ? "；" : "", text);
    s->tests_met = false;
}

/* The same with one number in it (fmt has one %lld). */
static void need(zone_step *s, const char *fmt, long long a)
{
    char text[96];
    snprintf(text, sizeof text, fmt, a);
    need_text(s, text);
}

/* The test conditions of the step at `rule` for a decision on `today`. */
static void step_tests(const policy *p, const char *rule, const zone_timeline *t, int64_t base,
                       int64_t today, zone_step *s)
{
    char path[192];
    int64_t n = step_int(p, rule, "negative_round_on_day", 0), days[16];
    size_t nd = 0;
    fk_err e;
    if (n > 0 && !has_round(t, base + n, base + n))
        need(s, "第 %lld 天全员核酸阴性", (long long)n);
    zfmt(path, sizeof path, "%s.pcr_days", rule);
    if (policy_get_int_array(p, path, days, 16, &nd, &e) == 0)
        for (size_t i = 0; i < nd; i++)
            if (!has_round(t, base + days[i], base + days[i]))
                need(s, "第 %lld 天核酸阴性", (long long)days[i]);
    int64_t h = step_int(p, rule, "negative_round_within_h_before", 0);
    if (h > 0 && !has_round(t, today - (h + 23) / 24, today))
        need(s, "解除前 %lld 小时内全员核酸阴性", (long long)h);
    const char *req;
    zfmt(path, sizeof path, "%s.requires", rule);
    if (policy_get_string(p, path, &req, &e) == 0 && t->county_open)
        need_text(s, "本区县封控区、管控区尚未全部解除");
}

/* The date of the step at `rule` counted from `from` (see zone.h). */
static int64_t step_day(const policy *p, const char *rule, const zone_timeline *t, int64_t from)
{
    int64_t day = from + step_int(p, rule, "clean_days", 0);
    int64_t lc = step_int(p, rule, "last_contact_min_days", -1);
    if (lc >= 0 && t->last_contact_day > 0 && t->last_contact_day + lc > day)
        day = t->last_contact_day + lc;
    return day;
}

/* The steps a zone follows: its origin level's from `step`, or its level's from 0. */
static void steps_of(const policy *p, const zone_timeline *t, const char **level, int *first)
{
    const char *origin = t->origin_level && *t->origin_level ? t->origin_level : t->level;
    if ((size_t)t->step < step_count(p, origin)) {
        *level = origin;
        *first = t->step;
    } else {
        *level = t->level;
        *first = strcmp(origin, t->level) == 0 ? t->step : 0;
    }
}

int zone_next_step(const policy *p, const zone_timeline *t, int64_t today, zone_step *out,
                   fk_err *err)
{
    char base_path[128], rule[192];
    const char *level, *to;
    int first;
    memset(out, 0, sizeof *out);
    out->tests_met = true;
    lifting_path(p, base_path, sizeof base_path);
    steps_of(p, t, &level, &first);
    if ((size_t)first >= step_count(p, level))
        return 0;
    int64_t base = t->start_day;
    if (t->last_case_day > base)
        base = t->last_case_day;
    if (t->last_step_day > base)
        base = t->last_step_day;
    zfmt(rule, sizeof rule, "%s.%s.%d", base_path, level, first);
    char path[200];
    zfmt(path, sizeof path, "%s.to", rule);
    if (policy_get_string(p, path, &to, err) != 0)
        return -1;
    out->any = true;
    zfmt(out->to, sizeof out->to, "%s", to);
    zfmt(out->rule, sizeof out->rule, "%s", rule + strlen("zones.schemes."));
    out->lifts = step_lifts(p, to);
    out->day = step_day(p, rule, t, base);
    step_tests(p, rule, t, base, today, out);
    /* The chain to the end: later steps of the same level, each from the one before. */
    int64_t day = out->day;
    bool lifts = out->lifts;
    for (size_t i = (size_t)first + 1; !lifts && i < step_count(p, level); i++) {
        zfmt(rule, sizeof rule, "%s.%s.%zu", base_path, level, i);
        zfmt(path, sizeof path, "%s.to", rule);
        if (policy_get_string(p, path, &to, err) != 0)
            return -1;
        day = step_day(p, rule, t, day);
        lifts = step_lifts(p, to);
    }
    out->lift_day = lifts ? day : 0;
    return 0;
}

int zone_step_allowed(const zone_step *s, int64_t today, fk_err *err)
{
    char d[11];
    if (!s->any)
        return fk_fail(err, FK_ECONFLICT, "date", "date: the policy gives this level no step");
    if (today < s->day) {
        zone_day_format(s->day, d);
        return fk_fail(err, FK_ECONFLICT, "date", "date: not before %s (%s)", d, s->rule);
    }
    if (!s->tests_met)
        return fk_fail(err, FK_ECONFLICT, "date", "date: conditions not met: %s", s->needs);
    return 0;
}

int zone_overreach(const policy *p, const char *level, const char *unit_kind, bool published,
                   const zone_step *next, int64_t today)
{
    int flags = 0;
    bool warn = true;
    fk_err e;
    if (policy_get_bool(p, "zones.overreach_warnings", &warn, &e) == 0 && !warn)
        return 0;
    if (zone_unit_too_large(p, level, unit_kind))
        flags |= ZONE_FLAG_UNIT;
    if (published && next && next->any && today > next->day && next->tests_met)
        flags |= ZONE_FLAG_KEPT;
    return flags;
}

int zone_publish_lateness(const policy *p, int64_t created_at, int64_t published_at,
                          int64_t now)
{
    int64_t hours;
    fk_err ignored;
    if (policy_get_int(p, "zones.publish_within_h", &hours, &ignored) != 0 || hours <= 0)
        return 0;
    int64_t done = published_at ? published_at : now;
    return done - created_at > hours * 3600 ? ZONE_FLAG_LATE : 0;
}
