#include "model/area.h"

#include <ctype.h>
#include <string.h>

const char *area_level_of(const char *code)
{
    size_t n = strlen(code);
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)code[i]))
            return NULL;
    switch (n) {
    case 6: return "district";
    case 9: return "street";
    case 12: return "community";
    case 15: return "grid";
    }
    return NULL;
}

int area_validate(const area *a, fk_err *err)
{
    const char *level = area_level_of(a->code);
    if (!level)
        return fk_fail(err, FK_EINVAL, "code", "code: 6, 9, 12 or 15 digits");
    if (strcmp(level, a->level))
        return fk_fail(err, FK_EINVAL, "level", "level: a code of this length is a %s", level);
    if (!a->name[0])
        return fk_fail(err, FK_EINVAL, "name", "name: required");
    size_t n = strlen(a->code);
    if (n == 6)
        return a->parent_code[0]
                   ? fk_fail(err, FK_EINVAL, "parent_code", "parent_code: a district has none")
                   : 0;
    if (strlen(a->parent_code) != n - 3 || strncmp(a->parent_code, a->code, n - 3))
        return fk_fail(err, FK_EINVAL, "parent_code",
                       "parent_code: must be the first %zu digits of code", n - 3);
    return 0;
}

int venue_validate(const venue *v, fk_err *err)
{
    static const char *const kinds[] = {"market", "supermarket", "hospital", "station", "school",
                                        "work_unit", "restaurant", "other", NULL};
    const char *const *k = kinds;
    while (*k && strcmp(*k, v->kind))
        k++;
    if (!*k)
        return fk_fail(err, FK_EINVAL, "kind", "kind: unknown venue kind");
    if (!v->code[0] || !v->name[0])
        return fk_fail(err, FK_EINVAL, v->code[0] ? "name" : "code", "code and name required");
    if (v->lon < 73 || v->lon > 136 || v->lat < 3 || v->lat > 54)
        return fk_fail(err, FK_EINVAL, "lon", "lon/lat: outside China");
    return 0;
}
