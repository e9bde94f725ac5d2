#include "model/person.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "model/idcard.h"
#include "model/phone.h"

static const char *const flag_names[] = {"elderly_alone", "disabled", "pregnant", "chronic"};

const char *person_flag_name(unsigned flag)
{
    for (unsigned i = 0; i < 4; i++)
        if (flag == 1u << i)
            return flag_names[i];
    return NULL;
}

unsigned person_flag_from_name(const char *name)
{
    for (unsigned i = 0; i < 4; i++)
        if (!strcmp(name, flag_names[i]))
            return 1u << i;
    return 0;
}

static bool one_of(const char *v, const char *const *set)
{
    for (; *set; set++)
        if (!strcmp(v, *set))
            return true;
    return false;
}

/* Length in Unicode code points of valid UTF-8, or -1 if invalid. */
static int utf8_len(const char *s)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; n++) {
        int k = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 0;
        if (!k)
            return -1;
        for (int i = 1; i < k; i++)
            if ((p[i] & 0xC0) != 0x80)
                return -1;
        p += k;
    }
    return n;
}

static int validate_name(const person *p, fk_err *err)
{
    int n = utf8_len(p->name);
    if (n < 0)
        return fk_fail(err, FK_EINVAL, "name", "name: not valid UTF-8");
    if (n == 0)
        return fk_fail(err, FK_EINVAL, "name", "name: required");
    if (n > 30)
        return fk_fail(err, FK_EINVAL, "name", "name: at most 30 characters");
    return 0;
}

static int validate_identity(person *p, fk_err *err)
{
    static const char *const types[] = {"resident", "passport", "hk_macao", "taiwan", NULL};
    if (!one_of(p->id_type, types))
        return fk_fail(err, FK_EINVAL, "id_type",
                       "id_type: must be resident, passport, hk_macao or taiwan");
    if (!strcmp(p->id_type, "resident")) {
        idcard_info info;
        idcard_normalize(p->id_number);
        if (idcard_parse(p->id_number, &info, "id_number", err) != 0)
            return -1;
        if (p->birth_date[0] && strcmp(p->birth_date, info.birth_date))
            return fk_fail(err, FK_EINVAL, "birth_date",
                           "birth_date: %s does not match the ID number (%s)", p->birth_date,
                           info.birth_date);
        if (p->sex[0] && p->sex[0] != info.sex)
            return fk_fail(err, FK_EINVAL, "sex", "sex: does not match the ID number (%c)",
                           info.sex);
        snprintf(p->birth_date, sizeof p->birth_date, "%s", info.birth_date);
        p->sex[0] = info.sex;
        p->sex[1] = '\0';
        return 0;
    }
    size_t n = strlen(p->id_number);
    if (n < 5 || n > 20)
        return fk_fail(err, FK_EINVAL, "id_number", "id_number: 5 to 20 characters");
    for (size_t i = 0; i < n; i++) {
        char c = p->id_number[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
            return fk_fail(err, FK_EINVAL, "id_number", "id_number: only digits and capitals");
    }
    if (fk_date_parse(p->birth_date, NULL, NULL, NULL, "birth_date", err) != 0)
        return -1;
    if (strcmp(p->sex, "M") && strcmp(p->sex, "F"))
        return fk_fail(err, FK_EINVAL, "sex", "sex: must be M or F");
    return 0;
}

static int validate_residence(const person *p, fk_err *err)
{
    if (!strcmp(p->resident_type, "resident")) {
        if (p->household_id <= 0)
            return fk_fail(err, FK_EINVAL, "household_id", "household_id: required for a resident");
        return 0;
    }
    if (!strcmp(p->resident_type, "non_resident")) {
        if (p->household_id != 0)
            return fk_fail(err, FK_EINVAL, "household_id",
                           "household_id: a non-resident has no household");
        if (!p->address[0])
            return fk_fail(err, FK_EINVAL, "address", "address: required for a non-resident");
        if (!p->community_code[0])
            return fk_fail(err, FK_EINVAL, "community_code",
                           "community_code: required for a non-resident");
        return 0;
    }
    return fk_fail(err, FK_EINVAL, "resident_type",
                   "resident_type: must be resident or non_resident");
}

int person_validate(person *p, fk_err *err)
{
    if (validate_name(p, err) || validate_identity(p, err))
        return -1;
    if (p->phone[0]) {
        char canon[20];
        if (phone_normalize(p->phone, canon, sizeof canon, "phone", err) != 0)
            return -1;
        snprintf(p->phone, sizeof p->phone, "%s", canon);
    }
    if (utf8_len(p->address) < 0 || utf8_len(p->work_unit) < 0)
        return fk_fail(err, FK_EINVAL, p->address[0] ? "address" : "work_unit",
                       "text is not valid UTF-8");
    if (p->flags & ~0xFu)
        return fk_fail(err, FK_EINVAL, "flags", "flags: unknown flag");
    return validate_residence(p, err);
}

/* Copies the first UTF-8 character of s into out; returns its byte length. */
static size_t first_char(const char *s)
{
    unsigned char c = (unsigned char)s[0];
    return c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
}

void mask_name(const char *name, char *out, size_t cap)
{
    int n = utf8_len(name);
    if (n <= 0 || cap < 8) {
        snprintf(out, cap, "*");
        return;
    }
    size_t k = first_char(name);
    if (n == 1) {
        snprintf(out, cap, "*");
        return;
    }
    /* keep the surname and, for names of 3+ characters, the last character */
    const char *last = name + strlen(name);
    do
        last--;
    while (last > name && ((unsigned char)*last & 0xC0) == 0x80);
    if (n == 2)
        snprintf(out, cap, "%.*s*", (int)k, name);
    else
        snprintf(out, cap, "%.*s*%s", (int)k, name, last);
}

void mask_id_number(const char *id, char *out, size_t cap)
{
    size_t n = strlen(id);
    snprintf(out, cap, "%s", id);
    if (n <= 8) {
        for (size_t i = 2; i < n && i < cap - 1; i++)
            out[i] = '*';
        return;
    }
    for (size_t i = 4; i < n - 4 && i < cap - 1; i++)
        out[i] = '*';
}

void mask_phone(const char *phone, char *out, size_t cap)
{
    size_t n = strlen(phone);
    snprintf(out, cap, "%s", phone);
    for (size_t i = 3; n > 7 && i < n - 4 && i < cap - 1; i++)
        out[i] = '*';
}
