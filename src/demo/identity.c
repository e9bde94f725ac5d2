/*
 * identity.c - see identity.h.
 *
 * Sequence numbers: the k-th person of one (region, day, sex) gets
 * seq = ((k * 7 + offset) mod 500) * 2 + (sex == 'M'); 7 is coprime to 500, so the
 * first 500 values of k give 500 distinct numbers, and `offset`, a hash of (region,
 * day), keeps every family from starting at 001.
 * Phones: the set stores the numbers themselves (never 0) in a power-of-two table,
 * kept at most half full.
 */
#include "demo/identity.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "model/idcard.h"

static const char *const phone_prefixes[] = {
    "134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159",
    "178", "182", "183", "187", "188", "198", "130", "131", "132", "155", "156", "166",
    "175", "176", "185", "186", "133", "153", "173", "177", "180", "181", "189", "199"};

struct demo_ids {
    size_t n_regions;
    int64_t today;
    size_t days;              /* covered days per region */
    uint16_t *used;           /* [region][days back][sex] */
    uint64_t *phones;         /* open addressing, 0 = empty */
    size_t phone_cap, phone_n;
};

demo_ids *demo__ids_new(size_t n_regions, int64_t today, size_t expected_phones)
{
    demo_ids *ids = fk_calloc(1, sizeof *ids);
    ids->n_regions = n_regions;
    ids->today = today;
    ids->days = (size_t)DEMO_IDS_YEARS * 366;
    ids->used = fk_calloc(n_regions * ids->days * 2, sizeof *ids->used);
    ids->phone_cap = 1024;
    while (ids->phone_cap < 2 * expected_phones)
        ids->phone_cap *= 2;
    ids->phones = fk_calloc(ids->phone_cap, sizeof *ids->phones);
    return ids;
}

void demo__ids_free(demo_ids *ids)
{
    if (!ids)
        return;
    free(ids->used);
    free(ids->phones);
    free(ids);
}

/* Howard Hinnant's civil_from_days, written out for day numbers since 1970. */
void demo__civil(int64_t day, int *y, int *m, int *d)
{
    int64_t z = day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

void demo__ids_make(demo_ids *ids, size_t region, const char *region6, char sex, int64_t *day,
                    char out[19])
{
    int s = sex == 'M';
    for (;;) {
        int64_t back = ids->today - *day;
        if (back < 0 || (size_t)back >= ids->days) { /* outside the range: clamp into it */
            *day = back < 0 ? ids->today : ids->today - (int64_t)ids->days + 1;
            continue;
        }
        uint16_t *k = &ids->used[(region * ids->days + (size_t)back) * 2 + (size_t)s];
        if (*k >= 500) {
            (*day)--;
            continue;
        }
        unsigned offset = (unsigned)((region * 2654435761u + (size_t)back * 40503u) % 500u);
        int seq = (int)(((unsigned)*k * 7u + offset) % 500u) * 2 + s;
        (*k)++;
        int y, m, d;
        demo__civil(*day, &y, &m, &d);
        idcard_make(region6, y, m, d, seq, out);
        return;
    }
}

static uint64_t hash64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    return x;
}

/* Inserts v; 1 if it was new, 0 if already present. */
static int phone_insert(demo_ids *ids, uint64_t v)
{
    if (2 * (ids->phone_n + 1) > ids->phone_cap) {
        size_t old_cap = ids->phone_cap;
        uint64_t *old = ids->phones;
        ids->phone_cap *= 2;
        ids->phones = fk_calloc(ids->phone_cap, sizeof *ids->phones);
        ids->phone_n = 0;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i])
                phone_insert(ids, old[i]);
        free(old);
    }
    size_t mask = ids->phone_cap - 1, i = (size_t)hash64(v) & mask;
    while (ids->phones[i]) {
        if (ids->phones[i] == v)
            return 0;
        i = (i + 1) & mask;
    }
    ids->phones[i] = v;
    ids->phone_n++;
    return 1;
}

uint64_t demo__phone_new(demo_ids *ids, gsl_rng *r)
{
    const size_t n = sizeof phone_prefixes / sizeof phone_prefixes[0];
    for (;;) {
        const char *p = phone_prefixes[gsl_rng_uniform_int(r, n)];
        uint64_t prefix = (uint64_t)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
        uint64_t v = prefix * 100000000ull + gsl_rng_uniform_int(r, 100000000ul);
        if (phone_insert(ids, v))
            return v;
    }
}
