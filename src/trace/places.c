/*
 * places.c - the venues one subject was at in a time window (trace_subject_venues), for
 * the zones drawn over a case's activity places: the subject's (subject, place) pairs
 * (subj_off), the venue places among them (place_src), and their merged intervals
 * (pair_off, sp_rec) tested against the window. No scan of other subjects.
 */
#include "trace/trace_int.h"

int trace_subject_venues(const trace_index *ix, const char *subject, int64_t from, int64_t to,
                         trace_place_fn fn, void *ctx)
{
    int64_t c = ix ? trace__names_find(&ix->subjects, subject) : -1;
    if (c < 0)
        return 0;
    for (uint32_t q = ix->subj_off[c]; q < ix->subj_off[c + 1]; q++) {
        uint32_t p = ix->pair_place[q];
        if (!(ix->place_src[p] & TRACE_SRC_VENUE))
            continue;
        for (uint32_t k = ix->pair_off[q]; k < ix->pair_off[q + 1]; k++) {
            if (ix->start[ix->sp_rec[k]] < to && ix->end[ix->sp_rec[k]] > from) {
                int rc = fn(trace__name(&ix->places, p), ctx);
                if (rc != 0)
                    return rc;
                break;
            }
        }
    }
    return 0;
}
