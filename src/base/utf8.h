/*
 * utf8.h - UTF-8 validation of byte runs, for what reads text from outside (imports).
 *
 * fk_ascii_prefix counts the bytes before the first one above 0x7F, 8 at a time;
 * fk_utf8_valid tells whether a run is well-formed UTF-8 (no overlong two-byte forms,
 * no truncated sequence). Neither stops at a NUL byte: callers that refuse NULs test
 * for them. Pure functions, thread-safe.
 */
#ifndef FK_BASE_UTF8_H
#define FK_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

size_t fk_ascii_prefix(const unsigned char *p, size_t n);
bool fk_utf8_valid(const unsigned char *p, size_t n);

#endif
