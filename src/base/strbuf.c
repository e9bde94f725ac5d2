#include "base/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

static void reserve(strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap)
        return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    sb->buf = fk_realloc(sb->buf, cap);
    sb->cap = cap;
}

void sb_reserve(strbuf *sb, size_t n)
{
    reserve(sb, n);
}

void sb_append_len(strbuf *sb, const char *s, size_t n)
{
    reserve(sb, n);
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void sb_append(strbuf *sb, const char *s)
{
    sb_append_len(sb, s, strlen(s));
}

void sb_append_char(strbuf *sb, char c)
{
    sb_append_len(sb, &c, 1);
}

void sb_appendf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    reserve(sb, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void sb_reset(strbuf *sb)
{
    sb->len = 0;
    if (sb->buf)
        sb->buf[0] = '\0';
}

void sb_free(strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

char *sb_take(strbuf *sb)
{
    char *b = sb->buf ? sb->buf : fk_strdup("");
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return b;
}

const char *sb_str(const strbuf *sb)
{
    return sb->buf ? sb->buf : "";
}

void sb_append_i64(strbuf *sb, long long v)
{
    char digits[24], *p = digits + sizeof digits;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    sb_append_len(sb, p, (size_t)(digits + sizeof digits - p));
}

void sb_append_id_array(strbuf *sb, const int64_t *ids, size_t n)
{
    sb_append_char(sb, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_append_char(sb, ',');
        sb_append_i64(sb, ids[i]);
    }
    sb_append_char(sb, ']');
}

void sb_append_json_string(strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    sb_append_char(sb, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *esc = *p == '"' ? "\\\"" : *p == '\\' ? "\\\\" : *p == '\n' ? "\\n"
                        : *p == '\r' ? "\\r" : *p == '\t' ? "\\t" : *p == '\b' ? "\\b"
                        : *p == '\f' ? "\\f" : NULL;
        if (esc) {
            sb_append(sb, esc);
        } else if (*p < 0x20) {
            char u[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0};
            sb_append(sb, u);
        } else {
            sb_append_char(sb, (char)*p);
        }
    }
    sb_append_char(sb, '"');
}
