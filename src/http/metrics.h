/*
 * metrics.h - process-wide request counters in Prometheus text format.
 * Lock-free atomics: safe to call from every worker thread. Each thread counts into a
 * slot of its own (threads beyond METRICS_SLOTS share slots, still atomically); a render
 * sums the slots, so it may see one request's counts half added, never lost ones.
 */
#ifndef FK_HTTP_METRICS_H
#define FK_HTTP_METRICS_H

#include <stdint.h>

#include "base/strbuf.h"

void metrics_observe(int status, int64_t micros);
/* Appends the exposition text (counters, histogram, the given gauges). */
void metrics_render(strbuf *out, int64_t persons, int64_t cases, int64_t audit_rows);

#endif
