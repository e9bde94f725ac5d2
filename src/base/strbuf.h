/*
 * strbuf.h - a growable, always NUL-terminated byte string.
 *
 * The caller owns the struct (usually on the stack) and releases its buffer with
 * sb_free() or takes it with sb_take() (then owns it, frees with free()).
 * Growth uses fk_realloc: it aborts on out-of-memory (see alloc.h).
 * Not thread-safe: one strbuf belongs to one thread.
 */
#ifndef FK_BASE_STRBUF_H
#define FK_BASE_STRBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct strbuf {
    char *buf;
    size_t len;
    size_t cap;
} strbuf;

#define STRBUF_INIT {NULL, 0, 0}

void sb_append(strbuf *sb, const char *s);
void sb_append_len(strbuf *sb, const char *s, size_t n);
void sb_appendf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_append_char(strbuf *sb, char c);
/* v in decimal (without printf: for rows written by the hundred thousand). */
void sb_append_i64(strbuf *sb, long long v);
/* "[id,id,...]": ids as a JSON array, the form SQLite's json_each reads a batch from. */
void sb_append_id_array(strbuf *sb, const int64_t *ids, size_t n);
/* s as a JSON string, as jansson writes one (JSON_COMPACT): UTF-8 as is, the quote, the
 * backslash and the control characters escaped. For answers written straight into their
 * bytes on hot paths (a gate's scan, an allocation batch), where a tree of JSON values
 * built and freed for each request was a measured share of the CPU. */
void sb_append_json_string(strbuf *sb, const char *s);
/* Room for n more bytes now (one allocation for an answer whose size is about known,
 * instead of the doublings from 64 bytes). */
void sb_reserve(strbuf *sb, size_t n);
void sb_reset(strbuf *sb);
void sb_free(strbuf *sb);
/* Returns the buffer (never NULL, "" when empty) and leaves *sb empty. */
char *sb_take(strbuf *sb);
/* The current contents, "" when empty; valid until the next modification. */
const char *sb_str(const strbuf *sb);

#endif
