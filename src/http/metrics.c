#include "http/metrics.h"

#include <stdatomic.h>

/* Upper bounds of the latency histogram, in microseconds. */
static const int64_t bounds[] = {1000, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])

static atomic_llong by_class[6];           /* 1xx..5xx by index 1..5 */
static atomic_llong buckets[NBOUNDS + 1];  /* last one is +Inf */
static atomic_llong micros_sum;

void metrics_observe(int status, int64_t micros)
{
    int cls = status / 100;
    if (cls >= 1 && cls <= 5)
        atomic_fetch_add(&by_class[cls], 1);
    size_t b = 0;
    while (b < NBOUNDS && micros > bounds[b])
        b++;
    atomic_fetch_add(&buckets[b], 1);
    atomic_fetch_add(&micros_sum, micros);
}

void metrics_render(strbuf *out, int64_t persons, int64_t cases, int64_t audit_rows)
{
    sb_append(out, "# HELP fangkong_http_requests_total HTTP requests answered, by status class.\n"
                   "# TYPE fangkong_http_requests_total counter\n");
    for (int c = 1; c <= 5; c++)
        sb_appendf(out, "fangkong_http_requests_total{code=\"%dxx\"} %lld\n", c,
                   (long long)atomic_load(&by_class[c]));
    sb_append(out, "# HELP fangkong_http_request_duration_seconds Time to answer a request.\n"
                   "# TYPE fangkong_http_request_duration_seconds histogram\n");
    long long cumulative = 0;
    for (size_t b = 0; b <= NBOUNDS; b++) {
        cumulative += atomic_load(&buckets[b]);
        if (b < NBOUNDS)
            sb_appendf(out, "fangkong_http_request_duration_seconds_bucket{le=\"%g\"} %lld\n",
                       bounds[b] / 1e6, cumulative);
        else
            sb_appendf(out, "fangkong_http_request_duration_seconds_bucket{le=\"+Inf\"} %lld\n",
                       cumulative);
    }
    sb_appendf(out, "fangkong_http_request_duration_seconds_sum %.6f\n",
               atomic_load(&micros_sum) / 1e6);
    sb_appendf(out, "fangkong_http_request_duration_seconds_count %lld\n", cumulative);
    sb_appendf(out, "# TYPE fangkong_persons gauge\nfangkong_persons %lld\n", (long long)persons);
    sb_appendf(out, "# TYPE fangkong_cases gauge\nfangkong_cases %lld\n", (long long)cases);
    sb_appendf(out, "# TYPE fangkong_audit_records gauge\nfangkong_audit_records %lld\n",
               (long long)audit_rows);
}
