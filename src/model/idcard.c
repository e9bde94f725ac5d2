#include "model/idcard.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"

char idcard_check_char(const char *first17)
{
    static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char code[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (first17[i] - '0') * weight[i];
    return code[sum % 11];
}

void idcard_normalize(char *id)
{
    size_t n = strlen(id);
    if (n == 18 && id[17] == 'x')
        id[17] = 'X';
}

int idcard_parse(const char *id, idcard_info *out, const char *field, fk_err *err)
{
    size_t n = id ? strlen(id) : 0;
    if (n != 18)
        return fk_fail(err, FK_EINVAL, field,
                       "%s: a resident ID number has 18 characters, got %zu", field, n);
    for (int i = 0; i < 17; i++)
        if (!isdigit((unsigned char)id[i]))
            return fk_fail(err, FK_EINVAL, field,
                           "%s: character %d must be a digit", field, i + 1);
    char last = (char)toupper((unsigned char)id[17]);
    if (!isdigit((unsigned char)last) && last != 'X')
        return fk_fail(err, FK_EINVAL, field, "%s: the last character must be 0-9 or X", field);
    int y = (id[6] - '0') * 1000 + (id[7] - '0') * 100 + (id[8] - '0') * 10 + (id[9] - '0');
    int m = (id[10] - '0') * 10 + (id[11] - '0');
    int d = (id[12] - '0') * 10 + (id[13] - '0');
    if (!fk_date_valid_ymd(y, m, d))
        return fk_fail(err, FK_EINVAL, field,
                       "%s: characters 7-14 must be a birth date, %.8s is not", field, id + 6);
    char want = idcard_check_char(id);
    if (want != last)
        return fk_fail(err, FK_EINVAL, field,
                       "%s: check digit is %c but should be %c (GB 11643)", field, last, want);
    if (out) {
        memcpy(out->region, id, 6);
        out->region[6] = '\0';
        snprintf(out->birth_date, sizeof out->birth_date, "%04u-%02u-%02u", (unsigned)y % 10000,
                 (unsigned)m % 100, (unsigned)d % 100);
        out->sex = ((id[16] - '0') % 2) ? 'M' : 'F';
    }
    return 0;
}

void idcard_make(const char *region6, int y, int m, int d, int seq, char out[19])
{
    snprintf(out, 19, "%.6s%04u%02u%02u%03u", region6, (unsigned)y % 10000, (unsigned)m % 100,
             (unsigned)d % 100, (unsigned)seq % 1000);
    out[17] = idcard_check_char(out);
    out[18] = '\0';
}
