/*
 * names.h - plausible Chinese names for the demo city: people, places, work units
 * and venues of the fictional city 安澜市.
 *
 * Person names: surnames drawn by their real frequency in China (top 100 and a few
 * compound surnames); given names of one or two characters from lists split by sex
 * and by birth generation (建国 and 秀英 are old, 子轩 and 梓涵 young).
 * Place names are fictional (district, street and community lists below), chosen by
 * index so that names within one parent do not repeat.
 *
 * Every function writes NUL-terminated UTF-8 into a caller buffer (truncating at
 * `cap`, never overflowing) and draws, if at all, only from the generator it is
 * given, so output is a pure function of the generator's state.
 * demo_names holds the precomputed lookup tables; one per generator run, not shared
 * between threads. The table strings are static and never freed.
 */
#ifndef FK_DEMO_NAMES_H
#define FK_DEMO_NAMES_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

typedef struct demo_names demo_names;

demo_names *demo_names_new(void);
void demo_names_free(demo_names *n);

/* A surname, weighted by frequency. Static string. */
const char *demo_name_surname(demo_names *n, gsl_rng *r);
/* surname + a given name fitting sex ('M'/'F') and birth year. */
void demo_name_person(demo_names *n, gsl_rng *r, const char *surname, char sex, int birth_year,
                      char *out, size_t cap);

/* Place names. `i` is the place's index among its siblings (or city-wide for
 * districts); names repeat only after every combination was used. */
void demo_name_district(size_t i, char *out, size_t cap);            /* "澜江区" */
void demo_name_street(size_t i, size_t salt, char *out, size_t cap); /* "东湖街道" */
void demo_name_community(size_t i, size_t salt, int rural, char *out, size_t cap);
/* "第3网格" */
void demo_name_grid(size_t i, char *out, size_t cap);
/* "和平路17号", an address line within a community. */
void demo_name_road_address(gsl_rng *r, char *out, size_t cap);

/* Work units and venues. `place` is the name used to qualify it ("东湖", "澜江区"). */
/* The i-th work unit of the city ("安澜华兴机械厂"); distinct for distinct i. */
void demo_name_work_unit(size_t i, size_t salt, char *out, size_t cap);
void demo_name_restaurant(demo_names *n, gsl_rng *r, char *out, size_t cap);
void demo_name_supermarket(gsl_rng *r, const char *place, char *out, size_t cap);

/* n (1-999) in Chinese numerals: 1 "一", 12 "十二", 23 "二十三", 105 "一百零五". */
void demo_name_number(int n, char *out, size_t cap);

/* The name without its level suffix: "东湖街道" -> "东湖", "桂花社区" -> "桂花". */
void demo_name_stem(const char *name, char *out, size_t cap);

#endif
