/*
 * hold.c - the rules of what a result sets off (contract: hold.h).
 */
#include "model/hold.h"

#include <stdio.h>
#include <string.h>

bool hold_state_known(const char *state)
{
    return state && (!strcmp(state, "held") || !strcmp(state, "released") ||
                     !strcmp(state, "confirmed"));
}

hold_call hold_call_for(const char *result, int tube_size)
{
    if (!result)
        return HOLD_NOTHING;
    if (!strcmp(result, "invalid"))
        return HOLD_RESAMPLE;
    if (strcmp(result, "positive") != 0)
        return HOLD_NOTHING;
    return tube_size > 1 ? HOLD_POOL_POSITIVE : HOLD_SINGLE_POSITIVE;
}

const char *hold_result_zh(const char *result)
{
    if (!result)
        return "";
    if (!strcmp(result, "negative"))
        return "阴性";
    if (!strcmp(result, "positive"))
        return "阳性";
    return strcmp(result, "invalid") ? "" : "无效";
}

static int fits(int n, size_t cap)
{
    return n >= 0 && (size_t)n < cap ? 0 : -1;
}

int hold_msg_screening_positive(char *out, size_t cap, const char *barcode, double ct_orf1ab,
                                double ct_n, long long case_number)
{
    return fits(snprintf(out, cap, "初筛阳性：单管 %s 阳性（ORF1ab Ct %.1f，N Ct %.1f），已登记"
                         "初筛阳性病例第 %lld 号，请开展流调。", barcode, ct_orf1ab, ct_n,
                         case_number), cap);
}

int hold_msg_corrected(char *out, size_t cap, const char *barcode, const char *result,
                       long long case_number)
{
    return fits(snprintf(out, cap, "结果更正：单管 %s 由阳性更正为%s，病例第 %lld 号请复核订正。",
                         barcode, hold_result_zh(result), case_number), cap);
}

int hold_msg_unmatched_positive(char *out, size_t cap, const char *barcode,
                                const char *reason, bool has_ct, double ct_orf1ab,
                                double ct_n)
{
    const char *why = strcmp(reason, "unknown") ? "该管未被本实验室接收" : "查无此管";
    char ct[64] = "";
    if (has_ct)
        snprintf(ct, sizeof ct, "（ORF1ab Ct %.1f，N Ct %.1f）", ct_orf1ab, ct_n);
    return fits(snprintf(out, cap, "阳性待匹配：实验室报告条码 %s 阳性%s，%s，无法对应受检人员，"
                         "请立即核查采样记录并组织复核。", barcode, ct, why), cap);
}
