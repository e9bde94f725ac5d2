/*
 * codes.h - health codes (健康码): the colour of every person from the policy's rules, its
 * recompute whenever the state behind it changes, the colour log, two-person overrides,
 * the signed token and QR of a code, and the scan a gate makes.
 *
 * Rules: codes_install compiles health_code.rules of the policy in force into the store
 * (code_rules, code_settings); when they differ from the installed ones (a policy
 * change), every code is recomputed in the same unit. Every process then applies the
 * same rules, without needing the policy: a recompute reads them from the store.
 *
 * Recompute entry points (each runs inside the caller's unit when one is open, so a
 * colour changes in the transaction of the state change; else in a unit of its own):
 *   codes_recompute_for(st, a, source, by, id, err)   the persons `by` names for one id
 *                                                     (a case, an isolation, a contact...)
 *   codes_recompute_set(st, a, source, by, ids, err)  the same for a JSON array of ids
 *                                                     (persons, result ids)
 *   codes_recompute_results(st, a, source, first, last, rows, err)  results
 *                                                     by id range (an import's run of rows)
 *   codes_recompute_all(st, a, source, out, err)      every person (`fangkong codes
 *                                                     recompute`, a policy change, demo)
 *   codes_sweep(st, now, out, err)                    the time-driven changes: overrides
 *                                                     expired, tests overdue, monitoring
 *                                                     phases ended (the sweeps thread)
 *   codes_touch(st, by, id, err) then, before the unit ends,
 *   codes_recompute_touched(st, a, source, out, err)  for bulk writes (an import of
 *                                                     persons): one recompute for the lot
 * The operator written to the log is the actor's username; `source` names the change
 * ("case", "isolation", "results", "override", "sweep", "policy" ...).
 *
 * Reads check PERM_CODES and the person's jurisdiction and are audited; the scan
 * (codes_scan) is public: the token is verified first (no store read for a forged or
 * expired one), then the answer is read, or taken from what the calling thread kept
 * while the store's code_answers_version has not moved (migration 0033; codes.c); its
 * audit record goes through a codes_runtime queue written in batches by a background
 * thread (see codes_runtime_start), for every scan.
 * Thread safety: as the store handle passed; a codes_runtime is shared by all threads,
 * and keeps per thread that scans about 3 MB (tokens and answers), freed when the thread
 * ends (the calling thread's by codes_runtime_stop).
 */
#ifndef FK_SERVICES_CODES_H
#define FK_SERVICES_CODES_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "codes/token.h"
#include "policy/policy.h"
#include "services/actor.h"
#include "store/store.h"

/* ---- rules and recompute ------------------------------------------------------------------ */
int codes_install(store *st, const policy *pol, code_run *out, fk_err *err);
int codes_recompute_for(store *st, const actor *a, const char *source, codes_by by, int64_t id,
                        fk_err *err);
int codes_recompute_set(store *st, const actor *a, const char *source, codes_by by,
                        const char *ids, fk_err *err);
int codes_recompute_all(store *st, const actor *a, const char *source, code_run *out,
                        fk_err *err);
/* codes_recompute_set of CODES_BY_RESULTS for the results (fk_results) of ids first..last
 * (an import's first results: the smallest and largest of their ids). rows: a JSON array
 * of the import's ids that may be positive, invalid or corrections (at least those: the
 * follow-up's list), whose tubes' members are touched; the hold and contact persons'
 * scans are tested against the whole range of ids. Ids are keyed by tube (0043): the
 * range may also hold results written before, of tubes between the import's; a hold or
 * contact person of such a tube is recomputed to the code they have. */
int codes_recompute_results(store *st, const actor *a, const char *source, int64_t first,
                            int64_t last, const char *rows, fk_err *err);
int codes_sweep(store *st, int64_t now, code_run *out, fk_err *err);
int codes_touch(store *st, codes_by by, int64_t id, fk_err *err);
int codes_recompute_touched(store *st, const actor *a, const char *source, code_run *out,
                            fk_err *err);

/* ---- the runtime a server shares: the token key and the scan audit queue ----------------- */
typedef struct codes_runtime codes_runtime;
/* Loads (creating) the key in data_dir and starts the thread that writes scan audit
 * records in batches through its own store handle. NULL with err on failure. */
codes_runtime *codes_runtime_start(const char *data_dir, fk_err *err);
/* Writes what is queued, stops the thread, frees. NULL is a no-op. */
void codes_runtime_stop(codes_runtime *rt);
const code_key *codes_runtime_key(const codes_runtime *rt);
/* Queue the audit record of a scan (never blocks; counted as lost when the queue is full). */
void codes_runtime_log_scan(codes_runtime *rt, int64_t person_id, const char *colour,
                            const char *remote);
/* The person a code token names, for a checkpoint scan given a token (contract "Hooks"):
 * 0 with *person_id, or -1 with FK_EINVAL / FK_EFORBIDDEN / FK_EGONE naming "token". */
int codes_token_person(const codes_runtime *rt, const char *token, int64_t *person_id,
                       fk_err *err);
/* Write what is queued now (tests and shutdown). */
int codes_runtime_flush(codes_runtime *rt, fk_err *err);

/* ---- reads --------------------------------------------------------------------------------- */
typedef struct code_view {
    code_rec code;
    const char *colour_zh;
    char token[CODE_TOKEN_CHARS + 1];
    int64_t valid_until;
    char *qr_svg; /* heap, freed by code_view_free */
    char name_masked[64];
} code_view;
void code_view_free(code_view *v);

/* The code of a person for an authorised user (PERM_CODES, jurisdiction; audited). */
int codes_person_code(store *st, const policy *pol, const code_key *key, const actor *a,
                      int64_t person_id, code_view *out, fk_err *err);
struct throttle;
/* A person's own code after a login by ID number and phone (public; audited). A wrong
 * pair is FK_EUNAUTH without saying which part was wrong. With a throttle (may be NULL)
 * the failures of both halves are counted: past the limit for the ID number or for the
 * phone, FK_ETOOMANY naming it, before any read (audited as login_refused). */
int codes_public_code(store *st, struct throttle *t, const policy *pol, const code_key *key,
                      const char *id_number, const char *phone, const char *remote,
                      code_view *out, fk_err *err);
/* A gate's scan of a token (public): FK_EINVAL, FK_EFORBIDDEN, FK_EGONE for bad tokens.
 * The view holds what the scan shows: code.person_id, colour, rule, rule_zh,
 * last_negative_at, override_id, name_masked, colour_zh and valid_until (the token's
 * expiry); no token, no QR, nothing else of the code. */
int codes_scan(store *st, codes_runtime *rt, const char *token, const char *remote,
               code_view *out, fk_err *err);
int codes_history(store *st, const actor *a, int64_t person_id, int limit,
                  code_change_list *out, fk_err *err);

/* ---- overrides ----------------------------------------------------------------------------- */
/* Ask (PERM_CODE_OVERRIDE, jurisdiction): colour, a written reason, optional until. */
int codes_override_request(store *st, const policy *pol, const actor *a, int64_t person_id,
                           const char *colour, const char *reason, int64_t until,
                           override_rec *out, fk_err *err);
/* approve: true approves, false rejects; by a different user than the requester. An
 * approval recomputes the person's code in the same unit. */
int codes_override_decide(store *st, const actor *a, int64_t id, bool approve, const char *note,
                          override_rec *out, fk_err *err);
int codes_override_list(store *st, const actor *a, const char *status, int limit, int offset,
                        override_list *out, fk_err *err);

/* The colour's Chinese name ("红码") or "" for an unknown colour. */
const char *codes_colour_zh(const char *colour);
/* Surname + 某某 (the public masking of a scan). */
void codes_mask_name(const char *name, char *out, size_t cap);

#endif
