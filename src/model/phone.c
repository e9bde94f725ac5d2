#include "model/phone.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return n > 0;
}

static bool is_mobile(const char *s)
{
    return strlen(s) == 11 && all_digits(s, 11) && s[0] == '1' && s[1] >= '3' && s[1] <= '9';
}

static bool is_landline(const char *s)
{
    const char *dash = strchr(s, '-');
    if (!dash || s[0] != '0')
        return false;
    size_t area = (size_t)(dash - s), sub = strlen(dash + 1);
    return (area == 3 || area == 4) && all_digits(s, area) && (sub == 7 || sub == 8) &&
           all_digits(dash + 1, sub) && dash[1] != '0';
}

int phone_normalize(const char *in, char *out, size_t cap, const char *field, fk_err *err)
{
    const char *s = in ? in : "";
    if (!strncmp(s, "+86", 3))
        s += 3;
    else if (!strncmp(s, "86", 2) && strlen(s) == 13)
        s += 2;
    if (is_mobile(s) || is_landline(s)) {
        if (strlen(s) >= cap)
            return fk_fail(err, FK_EINVAL, field, "%s: too long", field);
        snprintf(out, cap, "%s", s);
        return 0;
    }
    return fk_fail(err, FK_EINVAL, field,
                   "%s: expected a mobile number (11 digits, 1[3-9]...) or a landline "
                   "like 028-12345678", field);
}
