/*
 * policy.h - the protocol version in force, as data: load it, check it, answer
 * questions about it.
 *
 * Every rule and number of the epidemic-control protocols (close-contact windows,
 * quarantine phases and test days, zone levels and lifting rules, pool sizes, health
 * code colour rules, time limits...) lives in a policy file, one per protocol version
 * (policy/v8.json, v9.json, m20.json, x10.json, compiled into the binary). A deployment
 * may load its own file instead, and may override single rules with a local file. No
 * other module hard-codes these numbers: they ask here, by dotted key path, e.g.
 *     policy_get_int(p, "measures.close_contact.phases.0.days", &days, err)
 * Path segments are object keys, or decimal indexes into arrays.
 *
 * Validation: a file is checked at load against one declarative schema table
 * (policy.c): required keys and their types, sane ranges (no negative numbers anywhere,
 * pool sizes in {1, 5, 10, 20}, test days inside their phase...), and every "source"
 * is tagged [N], [N?], [L] or [?] as in domain.md. A file that fails is refused whole.
 *
 * Local overrides: a file's optional top-level "local" block, and any file given to
 * policy_apply_overrides(), hold {"path", "value", "source"} entries. Each replaces one
 * existing value (same JSON type), the result is validated again, and the override's
 * source is what policy_source() reports for that path from then on. The builtin v9
 * carries the demo's local block (封控/管控/防范 zones, Chengdu's companion rule).
 *
 * Ownership: the caller owns a policy and frees it with policy_free(). Strings handed
 * out (policy_get_string, policy_source, policy_id...) point into the policy and stay
 * valid until policy_free() or the next successful policy_apply_overrides().
 *
 * Thread safety: a loaded policy is immutable: any number of threads may call the
 * getters on it at once. policy_apply_overrides() mutates and must run before the
 * policy is shared. Loading is reentrant.
 */
#ifndef FK_POLICY_POLICY_H
#define FK_POLICY_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct policy policy;

/* The shipped version `id` ("v8", "v9", "m20", "x10"), from the embedded copy of
 * policy/<id>.json, with its local block applied. NULL and FK_ENOTFOUND for an
 * unknown id; FK_EINVAL if the embedded file does not validate (a build bug). */
policy *policy_load_builtin(const char *id, fk_err *err);

/* A deployment's own policy file. Errors: FK_ENOTFOUND / FK_EIO (cannot read),
 * FK_ETOOBIG (over 4 MiB), FK_EINVAL with "line L, column C" for malformed JSON, or
 * naming the key path that is missing, ill-typed or out of range (also in err->field). */
policy *policy_load_file(const char *path, fk_err *err);

/* The same from memory; `name` only labels error messages. */
policy *policy_load_string(const char *name, const char *text, size_t len, fk_err *err);

/* Apply the overrides in the file at `path`:
 *     {"policy": "v9", "name": "...", "overrides": [{"path": "close_contact.days_before_onset",
 *      "value": 4, "source": "[L] 上海 2022-05"}, ...]}
 * ("policy" optional; when present it must equal policy_id(p)). All or nothing: on
 * failure p is unchanged. On success earlier string pointers from p are invalid.
 * Not thread-safe: call before sharing p. Returns 0, or -1 with FK_EINVAL/FK_EIO. */
int policy_apply_overrides(policy *p, const char *path, fk_err *err);

void policy_free(policy *p);
/* The whole document with overrides applied, as a new JSON reference the caller
 * releases (a deep copy: safe while other threads read the policy). */
json_t *policy_document(const policy *p);

const char *policy_id(const policy *p);
const char *policy_title(const policy *p);

/* NULL-terminated ids of the shipped versions, in file-name order. Static storage. */
const char *const *policy_list_builtin(void);

/* Typed getters. Each returns 0 and sets *out, or -1 with FK_EINVAL (err->field = the
 * path) when the path does not exist or holds another type. Integers are not coerced
 * to strings or booleans; policy_get_double accepts an integer. */
int policy_get_int(const policy *p, const char *path, int64_t *out, fk_err *err);
int policy_get_double(const policy *p, const char *path, double *out, fk_err *err);
int policy_get_bool(const policy *p, const char *path, bool *out, fk_err *err);
/* *out points into the policy (see Ownership). */
int policy_get_string(const policy *p, const char *path, const char **out, fk_err *err);
/* An array of integers into out[0..cap). *n (OUT) is the array's length; if it
 * exceeds cap, nothing is copied and FK_ETOOBIG is returned. */
int policy_get_int_array(const policy *p, const char *path, int64_t *out, size_t cap,
                         size_t *n, fk_err *err);
/* An array of strings into out[0..cap), each pointing into the policy; as above. */
int policy_get_string_array(const policy *p, const char *path, const char **out, size_t cap,
                            size_t *n, fk_err *err);
/* Number of elements of an array, or of members of an object. */
int policy_get_count(const policy *p, const char *path, size_t *out, fk_err *err);
/* True when the path exists (any type). Never fails. */
bool policy_has(const policy *p, const char *path);

/* The nearest source for the rule at `path`: the source of the latest override of
 * that path or of an enclosing one, else the "source" of the deepest object on the
 * way down ("[N] 防控方案（第九版）..."). NULL when the path does not exist. */
const char *policy_source(const policy *p, const char *path);

/* Overrides applied so far, oldest first (local block, then override files). */
size_t policy_override_count(const policy *p);
/* Returns 0 and sets *path and *source (OUT, into the policy), or -1 when i is out
 * of range. */
int policy_override_at(const policy *p, size_t i, const char **path, const char **source);

#endif
