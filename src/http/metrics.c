#include "http/metrics.h"

#include <stdatomic.h>

/* Upper bounds of the latency histogram, in microseconds. */
static const int64_t bounds[] = {1000, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])

/* Every request adds to these: one set shared by the worker threads made each request's
 * three additions move their cache lines between the two cores (the threads of a gate's
 * scans at 60,000 a second, bench/codes). A thread counts into its own slot, on lines of
 * its own; a render sums the slots. */
#define METRICS_SLOTS 64

typedef struct metrics_slot {
    atomic_llong by_class[6];          /* 1xx..5xx by index 1..5 */
    atomic_llong buckets[NBOUNDS + 1]; /* last one is +Inf */
    atomic_llong micros_sum;
} __attribute__((aligned(64))) metrics_slot;

static metrics_slot slots[METRICS_SLOTS];

/* The calling thread's slot: threads take ordinals in the order of their first request. */
static metrics_slot *slot_of_thread(void)
{
    static atomic_uint next_ordinal;
    static _Thread_local metrics_slot *mine;
    if (!mine)
        mine = &slots[atomic_fetch_add(&next_ordinal, 1) % METRICS_SLOTS];
    return mine;
}

void metrics_observe(int status, int64_t micros)
{
    metrics_slot *m = slot_of_thread();
    int cls = status / 100;
    if (cls >= 1 && cls <= 5)
        atomic_fetch_add_explicit(&m->by_class[cls], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < NBOUNDS && micros > bounds[b])
        b++;
    atomic_fetch_add_explicit(&m->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->micros_sum, micros, memory_order_relaxed);
}

static long long sum_class(int c)
{
    long long n = 0;
    for (size_t i = 0; i < METRICS_SLOTS; i++)
        n += atomic_load_explicit(&slots[i].by_class[c], memory_order_relaxed);
    return n;
}

static long long sum_bucket(size_t b)
{
    long long n = 0;
    for (size_t i = 0; i < METRICS_SLOTS; i++)
        n += atomic_load_explicit(&slots[i].buckets[b], memory_order_relaxed);
    return n;
}

static long long sum_micros(void)
{
    long long n = 0;
    for (size_t i = 0; i < METRICS_SLOTS; i++)
        n += atomic_load_explicit(&slots[i].micros_sum, memory_order_relaxed);
    return n;
}

void metrics_render(strbuf *out, int64_t persons, int64_t cases, int64_t audit_rows)
{
    sb_append(out, "# HELP fangkong_http_requests_total HTTP requests answered, by status class.\n"
                   "# TYPE fangkong_http_requests_total counter\n");
    for (int c = 1; c <= 5; c++)
        sb_appendf(out, "fangkong_http_requests_total{code=\"%dxx\"} %lld\n", c,
                   sum_class(c));
    sb_append(out, "# HELP fangkong_http_request_duration_seconds Time to answer a request.\n"
                   "# TYPE fangkong_http_request_duration_seconds histogram\n");
    long long cumulative = 0;
    for (size_t b = 0; b <= NBOUNDS; b++) {
        cumulative += sum_bucket(b);
        if (b < NBOUNDS)
            sb_appendf(out, "fangkong_http_request_duration_seconds_bucket{le=\"%g\"} %lld\n",
                       bounds[b] / 1e6, cumulative);
        else
            sb_appendf(out, "fangkong_http_request_duration_seconds_bucket{le=\"+Inf\"} %lld\n",
                       cumulative);
    }
    sb_appendf(out, "fangkong_http_request_duration_seconds_sum %.6f\n",
               sum_micros() / 1e6);
    sb_appendf(out, "fangkong_http_request_duration_seconds_count %lld\n", cumulative);
    sb_appendf(out, "# TYPE fangkong_persons gauge\nfangkong_persons %lld\n", (long long)persons);
    sb_appendf(out, "# TYPE fangkong_cases gauge\nfangkong_cases %lld\n", (long long)cases);
    sb_appendf(out, "# TYPE fangkong_audit_records gauge\nfangkong_audit_records %lld\n",
               (long long)audit_rows);
}
