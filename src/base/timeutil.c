#include "base/timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t fk_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool fk_date_valid_ymd(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1)
        return false;
    int max = mdays[m - 1] + (m == 2 && leap(y));
    return d <= max;
}

/* Reads exactly n decimal digits. */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

int fk_date_parse(const char *s, int *y, int *m, int *d, const char *field, fk_err *err)
{
    int yy, mm, dd;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &yy) ||
        !digits(s + 5, 2, &mm) || !digits(s + 8, 2, &dd))
        return fk_fail(err, FK_EINVAL, field, "%s: expected a date YYYY-MM-DD", field);
    if (!fk_date_valid_ymd(yy, mm, dd))
        return fk_fail(err, FK_EINVAL, field, "%s: %s is not a calendar date", field, s);
    if (y) *y = yy;
    if (m) *m = mm;
    if (d) *d = dd;
    return 0;
}

/* Howard Hinnant's days_from_civil algorithm (public domain description). */
int64_t fk_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void fk_date_of(int64_t t, char out[11])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static int parse_offset(const char *p, int *secs)
{
    if (*p == 'Z' && p[1] == '\0') {
        *secs = 0;
        return 0;
    }
    int hh, mm;
    if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' && digits(p + 1, 2, &hh) &&
        digits(p + 4, 2, &mm) && hh <= 14 && mm < 60) {
        *secs = (hh * 3600 + mm * 60) * (*p == '-' ? -1 : 1);
        return 0;
    }
    return -1;
}

static int parse_unix(const char *s, int64_t *out)
{
    char *end;
    if (!*s)
        return -1;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p))
            return -1;
    long long v = strtoll(s, &end, 10);
    if (*end || v > 4102444800LL) /* 2100-01-01 */
        return -1;
    *out = v;
    return 0;
}

int fk_instant_parse(const char *s, int64_t *out, const char *field, fk_err *err)
{
    if (!s)
        return fk_fail(err, FK_EINVAL, field, "%s: missing time", field);
    if (parse_unix(s, out) == 0)
        return 0;
    int y, mo, d, h, mi, sec = 0, off;
    char day[11];
    size_t n = strlen(s), k = n < 10 ? n : 10;
    /* copied by hand: snprintf was a tenth of a 970,001-row scans import's parse */
    memcpy(day, s, k);
    day[k] = '\0';
    if (n < 17 || s[10] != 'T' || fk_date_parse(day, &y, &mo, &d, field, NULL) != 0 ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || h > 23 || mi > 59)
        goto bad;
    const char *p = s + 16;
    if (*p == ':') {
        if (!digits(p + 1, 2, &sec) || sec > 60)
            goto bad;
        p += 3;
        if (*p == '.') {
            p++;
            while (isdigit((unsigned char)*p))
                p++;
        }
    }
    if (parse_offset(p, &off) != 0)
        goto bad;
    *out = fk_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    return 0;
bad:
    return fk_fail(err, FK_EINVAL, field,
                   "%s: expected ISO 8601 time with offset (2022-05-01T08:00:00+08:00) "
                   "or Unix seconds", field);
}

/* Write v as `width` digits at p (v < 10^width). */
static void put_digits(char *p, int64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
}

/* The civil date of day `days` since 1970-01-01 (days >= 0), by the era arithmetic of
 * the proleptic Gregorian calendar: 400-year eras of 146097 days, March-based years so
 * that the leap day falls at the end. */
static void civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t z = days + 719468;                 /* days since 0000-03-01 */
    int64_t era = z / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void fk_instant_format(int64_t t, char out[21])
{
    /* Arithmetic instead of gmtime_r + strftime for the years 1970..9999: exports and
     * `fangkong trace` format hundreds of thousands of instants, and gmtime_r takes
     * the time zone lock each time. Anything else goes the library's way. */
    if (t >= 0 && t <= INT64_C(253402300799)) {
        int64_t y, days = t / 86400, secs = t % 86400;
        int m, d;
        civil_from_days(days, &y, &m, &d);
        memcpy(out, "0000-00-00T00:00:00Z", 21);
        put_digits(out, y, 4);
        put_digits(out + 5, m, 2);
        put_digits(out + 8, d, 2);
        put_digits(out + 11, secs / 3600, 2);
        put_digits(out + 14, secs / 60 % 60, 2);
        put_digits(out + 17, secs % 60, 2);
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

double fk_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
