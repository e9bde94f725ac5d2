/*
 * idcard.h - PRC resident identity numbers (GB 11643-1999).
 *
 * 18 characters: 6-digit region code, 8-digit birth date YYYYMMDD, 3-digit sequence
 * (odd = male, even = female), and a check character (0-9 or X) computed with the
 * ISO 7064 MOD 11-2 weights. Pure functions, thread-safe.
 */
#ifndef FK_MODEL_IDCARD_H
#define FK_MODEL_IDCARD_H

#include "base/err.h"

typedef struct idcard_info {
    char region[7];      /* "510104" */
    char birth_date[11]; /* "1990-03-07" */
    char sex;            /* 'M' or 'F' */
} idcard_info;

/* The check character for the first 17 digits (which must be digits). */
char idcard_check_char(const char *first17);

/* Validate `id` (a lowercase final x is accepted and must be normalised by the
 * caller with idcard_normalize) and fill *out (may be NULL). Errors name `field`
 * and say exactly what is wrong: length, characters, birth date, check digit. */
int idcard_parse(const char *id, idcard_info *out, const char *field, fk_err *err);

/* Uppercase a trailing 'x' in place. */
void idcard_normalize(char *id);

/* Build a valid number from parts; out must hold 19 bytes. seq is 0..999. */
void idcard_make(const char *region6, int y, int m, int d, int seq, char out[19]);

#endif
