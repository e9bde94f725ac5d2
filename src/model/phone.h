/*
 * phone.h - phone numbers as Chinese registries record them.
 *
 * Accepted: mainland mobile "1[3-9]XXXXXXXXX" (11 digits), optionally prefixed by
 * "+86" or "86"; landline "0AA(A)-NNNNNNN(N)" (area code 3-4 digits starting with 0,
 * subscriber 7-8 digits). phone_normalize writes the canonical form (mobile without
 * prefix; landline with the dash). Pure, thread-safe.
 */
#ifndef FK_MODEL_PHONE_H
#define FK_MODEL_PHONE_H

#include <stddef.h>

#include "base/err.h"

/* Validate `in`; on success write the canonical form into out (cap >= 20). */
int phone_normalize(const char *in, char *out, size_t cap, const char *field, fk_err *err);

#endif
