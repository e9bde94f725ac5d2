/*
 * source.c - names of the data sources a place's records came from (evidence).
 * The table is the one place that says which import kinds exist for the engine;
 * an unknown kind is kept as "other" rather than refused, so a new import kind
 * works before the engine learns its name.
 */
#include <stdio.h>
#include <string.h>

#include "trace/trace_int.h"

static const struct { unsigned bit; const char *name; } sources[] = {
    {TRACE_SRC_STAYS, "stays"},         {TRACE_SRC_PINGS, "pings"},
    {TRACE_SRC_CHECKINS, "checkins"},   {TRACE_SRC_INTERVIEW, "interview"},
    {TRACE_SRC_DEMO, "demo"},           {TRACE_SRC_OTHER, "other"},
};
#define NSOURCES (sizeof sources / sizeof sources[0])

unsigned trace__source_bit(const char *source)
{
    if (!source || !source[0])
        return TRACE_SRC_STAYS;
    for (size_t i = 0; i < NSOURCES; i++)
        if (strcmp(source, sources[i].name) == 0)
            return sources[i].bit;
    return TRACE_SRC_OTHER;
}

void trace__source_names(unsigned bits, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < NSOURCES && len < cap; i++)
        if (bits & sources[i].bit) {
            int w = snprintf(out + len, cap - len, "%s%s", len ? "+" : "", sources[i].name);
            len += w > 0 ? (size_t)w : 0;
        }
}
