/*
 * hold.h - what a lab result sets off (阳性处置), the rules that need no store: the
 * states of a hold (就地管控 / 待重采) and why one is made, the words of the notes and
 * notices (Chinese, the console's language; never an ID number), and which result of a
 * tube calls for what.
 *
 * A hold: a member of a positive pooled tube (reason positive_pool) or of an invalid
 * tube (reason invalid: re-sample) is held > released (a negative single re-sample, or
 * the result corrected) | confirmed (a positive single re-sample: a case). Pure; the
 * strings are static. Thread-safe.
 */
#ifndef FK_MODEL_HOLD_H
#define FK_MODEL_HOLD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

bool hold_state_known(const char *state);

/* What a tube's result calls for: a pooled positive holds its members, an invalid tube
 * owes a re-sample of its members, a single positive is a case. */
typedef enum { HOLD_NOTHING, HOLD_POOL_POSITIVE, HOLD_RESAMPLE, HOLD_SINGLE_POSITIVE } hold_call;
hold_call hold_call_for(const char *result, int tube_size);

/* "阴性", "阳性", "无效" ("" for anything else). */
const char *hold_result_zh(const char *result);

/* Notes of holds and lead events. */
#define HOLD_NOTE_POOL "混采阳性：就地管控，单采复核"
#define HOLD_NOTE_INVALID "检测无效：重新采样"
#define HOLD_NOTE_NEGATIVE "单采复核阴性：解除管控"
#define HOLD_NOTE_CONFIRMED "单采复核阳性：已登记初筛阳性病例"
/* SQLite printf: the new result in Chinese (%s), the reason (%s). */
#define HOLD_NOTE_CORRECTED "结果更正为%s：%s"
/* The suffix of a recheck round's name. */
#define HOLD_RECHECK_SUFFIX " 单采复核"

/* Notices to a tube's site (SQLite printf: round %s, site %s, barcode %s, members %d). */
#define HOLD_MSG_POOL_POSITIVE                                                              \
    "混采阳性：%s %s 管 %s（%d 人混采），成员已就地管控，请组织单采复核。"
#define HOLD_MSG_POOL_CLEARED                                                               \
    "单采复核完成：%s %s 管 %s 的 %d 名成员复核均为阴性，已全部解除管控。"

/* The notice of a single positive tube into out (cap bytes): barcode, Ct values, the
 * case's number. -1 when cap is too small (out truncated). */
int hold_msg_screening_positive(char *out, size_t cap, const char *barcode, double ct_orf1ab,
                                double ct_n, long long case_number);
/* The notice of a positive single tube corrected to `result`, naming the person's case. */
int hold_msg_corrected(char *out, size_t cap, const char *barcode, const char *result,
                       long long case_number);
/* The notice of a positive result no received tube matches: barcode, why unmatched
 * ("unknown" or "not_received"), Ct values when has_ct. -1 when cap is too small. */
int hold_msg_unmatched_positive(char *out, size_t cap, const char *barcode,
                                const char *reason, bool has_ct, double ct_orf1ab,
                                double ct_n);

#endif
