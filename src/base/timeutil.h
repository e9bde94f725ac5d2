/*
 * timeutil.h - calendar dates and instants, validated.
 *
 * Dates are "YYYY-MM-DD" (proleptic Gregorian, years 1900-2100). Instants are Unix
 * seconds (int64_t); on the wire they are ISO 8601 with an offset ("Z" or "+08:00")
 * or plain Unix seconds. Formatting always produces UTC with "Z".
 * All functions are pure and thread-safe.
 */
#ifndef FK_BASE_TIMEUTIL_H
#define FK_BASE_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

int64_t fk_now(void);
/* Monotonic seconds with sub-microsecond resolution, for measuring durations. */
double fk_seconds(void);

bool fk_date_valid_ymd(int y, int m, int d);
/* Parse "YYYY-MM-DD"; fails with FK_EINVAL naming `field`. y/m/d may be NULL. */
int fk_date_parse(const char *s, int *y, int *m, int *d, const char *field, fk_err *err);
/* Days since 1970-01-01 of a valid date. */
int64_t fk_days_from_civil(int y, int m, int d);
/* "YYYY-MM-DD" of the UTC day containing instant t; out must hold 11 bytes. */
void fk_date_of(int64_t t, char out[11]);

/* Parse ISO 8601 "YYYY-MM-DDTHH:MM[:SS][.fff](Z|+hh:mm|-hh:mm)" or decimal Unix seconds. */
int fk_instant_parse(const char *s, int64_t *out, const char *field, fk_err *err);
/* "YYYY-MM-DDTHH:MM:SSZ"; out must hold 21 bytes. */
void fk_instant_format(int64_t t, char out[21]);

#endif
