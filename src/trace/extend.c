/*
 * extend.c - a new index from an existing one plus new records (a new day of data),
 * without re-reading the old records from anywhere: the base index is the only source.
 *
 * What is merged linearly and what is sorted:
 *   - names: the base's and the new builder's tables are both in strcmp order after
 *     renumbering, so their union is a merge (trace__names_union), giving id maps that
 *     keep the order; the old ids map monotonically into the new ones;
 *   - records: the base's merged intervals, read in pair order (subject, place, start)
 *     and mapped to the new ids, are still sorted; only the NEW records are sorted
 *     (sort.c, a day's worth), then the two runs are merged in one pass, in place;
 *   - the rest (interval merging, pair tables, column, proximity) is the ordinary build
 *     path (trace__assemble), so an extended index is the same as a full build of all
 *     records (the tests compare them array by array). The column sort and the
 *     proximity sort run over everything again: they dominate the cost.
 * Merging already merged base intervals with raw new ones gives the same intervals as
 * merging all raw records at once: the merge is a union of half-open intervals.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "trace/trace_int.h"

typedef struct id_maps { uint32_t *sa, *sb, *pa, *pb; } id_maps;

static void maps_free(id_maps *m)
{
    free(m->sa), free(m->sb), free(m->pa), free(m->pb);
}

/* The union of the names and place sources of base and mix (the new records' names). */
static int union_names(trace_index *ix, const trace_index *base, const trace_index *mix,
                       id_maps *m)
{
    if (trace__names_union(&base->subjects, &mix->subjects, &ix->subjects, &m->sa, &m->sb) != 0 ||
        trace__names_union(&base->places, &mix->places, &ix->places, &m->pa, &m->pb) != 0)
        return -1;
    ix->place_src = fk_try_malloc(ix->places.n ? ix->places.n : 1);
    if (!ix->place_src)
        return -1;
    memset(ix->place_src, 0, ix->places.n ? ix->places.n : 1);
    for (uint32_t p = 0; p < base->places.n; p++)
        ix->place_src[m->pa[p]] |= base->place_src[p];
    for (uint32_t p = 0; p < mix->places.n; p++)
        ix->place_src[m->pb[p]] |= mix->place_src[p];
    return 0;
}

/* The base's merged intervals, new ids, in (subject, place, start) order into out. */
static void base_records(const trace_index *base, const id_maps *m, build_rec *out)
{
    size_t k = 0;
    for (uint32_t s = 0; s < base->subjects.n; s++)
        for (uint32_t q = base->subj_off[s]; q < base->subj_off[s + 1]; q++)
            for (uint32_t i = base->pair_off[q]; i < base->pair_off[q + 1]; i++) {
                uint32_t r = base->sp_rec[i];
                out[k++] = (build_rec){m->sa[s], m->pa[base->pair_place[q]], base->start[r],
                                       base->end[r]};
            }
}

/* Merge the sorted runs all[0..nb) (new) and all[nb..nb+na) (base) into all, in place:
 * the write position i + j never passes the base read position nb + i. */
static void merge_runs(build_rec *all, const build_rec *news, size_t nb, size_t na)
{
    size_t i = 0, j = 0, k = 0;
    const build_rec *olds = all + nb;
    while (i < na && j < nb)
        all[k++] = trace__rec_cmp(&olds[i], &news[j]) <= 0 ? olds[i++] : news[j++];
    while (j < nb)
        all[k++] = news[j++];
    /* the rest of olds is already in place */
}

/* All records, base and new, sorted, into *out (n entries); ix has the union names. */
static int all_records(const trace_index *ix, const trace_index *base, trace_builder *more,
                       const id_maps *m, build_rec **out, size_t *n)
{
    size_t na = base->nmerged, nb = more->n;
    build_rec *all = fk_try_malloc((na + nb ? na + nb : 1) * sizeof *all);
    if (!all)
        return -1;
    for (size_t i = 0; i < nb; i++) {
        more->recs[i].s = m->sb[more->recs[i].s];
        more->recs[i].p = m->pb[more->recs[i].p];
    }
    trace__sort_recs(more->recs, nb, ix->subjects.n, ix->places.n);
    base_records(base, m, all + nb);
    merge_runs(all, more->recs, nb, na);
    *out = all;
    *n = na + nb;
    return 0;
}

/* The base's detections once each (the a < b copy of the two it holds) and the new
 * ones, in new ids; proximity is rebuilt from them by the build path. */
static int all_detections(const trace_index *base, const trace_builder *more, const id_maps *m,
                          build_det **out, size_t *n)
{
    size_t nd = base->ndetections + more->ndet, k = 0;
    build_det *all = fk_try_malloc((nd ? nd : 1) * sizeof *all);
    if (!all)
        return -1;
    for (uint32_t s = 0; s < base->subjects.n; s++)
        for (uint32_t i = base->prox_off[s]; i < base->prox_off[s + 1]; i++)
            if (s < base->prox_other[i] && k < nd)
                all[k++] = (build_det){m->sa[s], m->sa[base->prox_other[i]], base->prox_time[i]};
    for (size_t i = 0; i < more->ndet; i++)
        all[k++] = (build_det){m->sb[more->dets[i].a], m->sb[more->dets[i].b], more->dets[i].t};
    *out = all;
    *n = k;
    return 0;
}

trace_index *trace_index_extend(const trace_index *base, trace_builder *more, fk_err *err)
{
    if (!base || !more) {
        trace_builder_free(more);
        fk_fail(err, FK_EINVAL, base ? "more" : "base", "missing argument");
        return NULL;
    }
    trace_index *mix = more->ix, *ix = fk_calloc(1, sizeof *ix);
    more->ix = NULL;
    id_maps m = {0};
    build_rec *recs = NULL;
    build_det *dets = NULL;
    size_t n = 0, nd = 0;
    int rc = trace__renumber(mix, more);
    if (rc == 0)
        rc = union_names(ix, base, mix, &m);
    if (rc == 0)
        rc = all_records(ix, base, more, &m, &recs, &n);
    if (rc == 0)
        rc = all_detections(base, more, &m, &dets, &nd);
    ix->nrecords = base->nrecords + more->n;
    if (rc == 0)
        rc = trace__assemble(ix, recs, n, dets, nd);
    free(recs);
    free(dets);
    maps_free(&m);
    trace_index_free(mix);
    trace_builder_free(more);
    if (rc != 0) {
        trace_index_free(ix);
        fk_fail(err, FK_EBUSY, "", "out of memory extending the trace index (%zu records)", n);
        return NULL;
    }
    return ix;
}
