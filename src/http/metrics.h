/*
 * metrics.h - process-wide request counters in Prometheus text format.
 * Lock-free atomics: safe to call from every worker thread.
 */
#ifndef FK_HTTP_METRICS_H
#define FK_HTTP_METRICS_H

#include <stdint.h>

#include "base/strbuf.h"

void metrics_observe(int status, int64_t micros);
/* Appends the exposition text (counters, histogram, the given gauges). */
void metrics_render(strbuf *out, int64_t persons, int64_t cases, int64_t audit_rows);

#endif
