/*
 * throttle.c - failed-attempt throttling (contract: throttle.h). Open addressing over a
 * fixed array: a key's slots are its hash's THROTTLE_PROBE successors.
 */
#include "services/throttle.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
    uint64_t hash;      /* 0 = empty */
    int64_t since;      /* the window's first failure */
    int failures;
} slot;

struct throttle {
    pthread_mutex_t lock;
    throttle_limits limits;
    unsigned char key[crypto_generichash_KEYBYTES];
    slot slots[THROTTLE_SLOTS];
};

throttle *throttle_new(throttle_limits limits)
{
    throttle *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    pthread_mutex_init(&t->lock, NULL);
    t->limits = limits;
    randombytes_buf(t->key, sizeof t->key);
    return t;
}

void throttle_free(throttle *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->lock);
    sodium_memzero(t->key, sizeof t->key);
    free(t);
}

static uint64_t key_hash(const throttle *t, const char *key)
{
    uint64_t h = 0;
    crypto_generichash((unsigned char *)&h, sizeof h, (const unsigned char *)key, strlen(key),
                       t->key, sizeof t->key);
    return h ? h : 1;
}

static bool live(const throttle *t, const slot *s, int64_t now)
{
    return s->hash && now - s->since < t->limits.window_s;
}

/* The key's slot, or NULL. */
static slot *find(throttle *t, uint64_t h)
{
    for (unsigned i = 0; i < THROTTLE_PROBE; i++) {
        slot *s = &t->slots[(h + i) % THROTTLE_SLOTS];
        if (s->hash == h)
            return s;
    }
    return NULL;
}

/* A slot for a new key: an empty or expired one, else the oldest window. */
static slot *claim(throttle *t, uint64_t h, int64_t now)
{
    slot *oldest = NULL;
    for (unsigned i = 0; i < THROTTLE_PROBE; i++) {
        slot *s = &t->slots[(h + i) % THROTTLE_SLOTS];
        if (!live(t, s, now))
            return s;
        if (!oldest || s->since < oldest->since)
            oldest = s;
    }
    return oldest;
}

int throttle_check(throttle *t, const char *key, const char *field, int64_t now, fk_err *err)
{
    if (!t || t->limits.max_failures <= 0)
        return 0;
    pthread_mutex_lock(&t->lock);
    slot *s = find(t, key_hash(t, key));
    int64_t wait = s && live(t, s, now) && s->failures >= t->limits.max_failures
                       ? s->since + t->limits.window_s - now
                       : 0;
    pthread_mutex_unlock(&t->lock);
    if (wait <= 0)
        return 0;
    return fk_fail(err, FK_ETOOMANY, field, "%s: too many failed attempts; try again in %lld "
                   "minutes", field, (long long)(wait + 59) / 60);
}

void throttle_failed(throttle *t, const char *key, int64_t now)
{
    if (!t || t->limits.max_failures <= 0)
        return;
    pthread_mutex_lock(&t->lock);
    uint64_t h = key_hash(t, key);
    slot *s = find(t, h);
    if (!s || !live(t, s, now)) {
        s = s ? s : claim(t, h, now);
        *s = (slot){.hash = h, .since = now, .failures = 0};
    }
    s->failures++;
    pthread_mutex_unlock(&t->lock);
}

void throttle_succeeded(throttle *t, const char *key)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    slot *s = find(t, key_hash(t, key));
    if (s)
        *s = (slot){0};
    pthread_mutex_unlock(&t->lock);
}
