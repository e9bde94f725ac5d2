/*
 * embed.h - files compiled into the binary at build time.
 *
 * tools/embed.sh turns policy/<id>.json and src/store/migrations/<n>.sql into
 * build/.../gen/embedded.c (generated, do not edit). Names are the repository paths,
 * e.g. "policy/v9.json". The data is static and immutable: thread-safe, never freed.
 */
#ifndef FK_BASE_EMBED_H
#define FK_BASE_EMBED_H

#include <stddef.h>

typedef struct embedded_file {
    const char *name;
    const char *data; /* NUL-terminated */
    size_t len;
} embedded_file;

extern const embedded_file embedded_files[];
extern const size_t embedded_count;

/* The file called `name`, or NULL. */
const embedded_file *embedded_find(const char *name);

#endif
