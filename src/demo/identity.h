/*
 * identity.h - unique resident ID numbers and mobile numbers for the demo persons.
 *
 * ID numbers (idcard.h): the sequence number space of one (region, birth date) is
 * 1000, odd for men and even for women. demo_ids keeps a counter per (region, day,
 * sex) and maps the k-th person to a scrambled but distinct sequence number, so no
 * two persons ever share an ID; when a day's 500 numbers of one sex are used up the
 * birth date moves one day earlier. Phones: 1[3-9]XXXXXXXXX from real operator
 * prefixes, kept unique with an open-addressing set.
 *
 * Covers birth dates up to DEMO_IDS_YEARS years before the reference day.
 * demo_ids owns its tables; free with demo__ids_free. Not thread-safe.
 */
#ifndef FK_DEMO_IDENTITY_H
#define FK_DEMO_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#define DEMO_IDS_YEARS 120

typedef struct demo_ids demo_ids;

/* Regions are numbered 0..n_regions-1 by the caller; today is days since 1970. */
demo_ids *demo__ids_new(size_t n_regions, int64_t today, size_t expected_phones);
void demo__ids_free(demo_ids *ids);

/* Write a new ID number for (region, sex 'M'/'F', *day) into out. *day (IN/OUT, days
 * since 1970, within the covered range) moves earlier if that day is full. */
void demo__ids_make(demo_ids *ids, size_t region, const char *region6, char sex, int64_t *day,
                    char out[19]);

/* A mobile number no earlier call returned. */
uint64_t demo__phone_new(demo_ids *ids, gsl_rng *r);

/* Civil date of a day number (days since 1970-01-01). */
void demo__civil(int64_t day, int *y, int *m, int *d);

#endif
