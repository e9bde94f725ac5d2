/*
 * person.h - a registered person and the rules a record must satisfy.
 *
 * A person either belongs to a household (resident_type "resident", household_id > 0)
 * or is a non-resident 流动人口 registered at an address (resident_type "non_resident",
 * household_id 0, address non-empty). community_code is the community 社区/村 the
 * person is counted in; for residents the store derives it from the household.
 *
 * ID types: "resident" (GB 11643 number; birth date and sex derived from it and, when
 * also given, cross-checked), "passport", "hk_macao" (港澳居民来往内地通行证),
 * "taiwan" (台湾居民来往大陆通行证). For other types birth_date and sex are required.
 *
 * Plain value type with fixed buffers: no heap, copy freely. Pure, thread-safe.
 */
#ifndef FK_MODEL_PERSON_H
#define FK_MODEL_PERSON_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum person_flag {
    PERSON_ELDERLY_ALONE = 1 << 0, /* 独居老人 */
    PERSON_DISABLED = 1 << 1,      /* 残疾 */
    PERSON_PREGNANT = 1 << 2,      /* 孕产妇 */
    PERSON_CHRONIC = 1 << 3,       /* 慢性病治疗 e.g. dialysis */
};

typedef struct person {
    int64_t id;               /* 0 before insert */
    char name[96];            /* UTF-8, up to 30 CJK characters */
    char id_type[16];         /* resident | passport | hk_macao | taiwan */
    char id_number[32];
    char sex[2];              /* "M" | "F" */
    char birth_date[11];      /* YYYY-MM-DD */
    char phone[20];           /* canonical, see phone.h; may be empty */
    char resident_type[16];   /* resident | non_resident */
    int64_t household_id;     /* 0 when non_resident */
    char address[256];        /* required for non_resident */
    char community_code[16];
    char work_unit[128];
    unsigned flags;           /* enum person_flag */
    int64_t created_at, updated_at;
} person;

/* Check every field; normalise phone and ID number in place; derive birth_date and sex
 * from a resident ID number (and refuse a mismatch with given values). Does not check
 * references (household, community): the store does. */
int person_validate(person *p, fk_err *err);

/* Names of flags as used in JSON ("elderly_alone", "disabled", "pregnant", "chronic").
 * person_flag_from_name returns 0 for an unknown name. */
const char *person_flag_name(unsigned flag);
unsigned person_flag_from_name(const char *name);

/* Public masking: "张*明", "5101**********123X", "138****1234". out cap >= in size. */
void mask_name(const char *name, char *out, size_t cap);
void mask_id_number(const char *id, char *out, size_t cap);
void mask_phone(const char *phone, char *out, size_t cap);

#endif
