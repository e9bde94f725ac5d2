/*
 * batch_writer.c - double-buffered writes on a second thread. Contract: batch_writer.h.
 */
#include "base/batch_writer.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "base/alloc.h"

struct batch_writer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;       /* signalled when a batch is handed over or done */
    bw_write_fn write;
    void *ctx;
    void *fill, *spare;      /* the caller's buffer; the other one */
    void *busy;              /* the batch being written (== spare); NULL = idle */
    size_t n, first_row, last_row, written;
    bool quit, failed;
    fk_err err;
};

static void *writer_main(void *arg)
{
    batch_writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->busy && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->busy)
            break;
        bool skip = w->failed;   /* after a failure, later batches are dropped */
        pthread_mutex_unlock(&w->mu);
        fk_err e;
        fk_err_clear(&e);
        int rc = skip ? 0 : w->write(w->ctx, w->busy, w->n, w->first_row, w->last_row, &e);
        pthread_mutex_lock(&w->mu);
        if (rc != 0) {
            w->failed = true;
            w->err = e;
        } else if (!skip) {
            w->written += w->n;
        }
        w->busy = NULL;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

batch_writer *bw_new(size_t size, size_t cap, bw_write_fn write, void *ctx, fk_err *err)
{
    batch_writer *w = fk_calloc(1, sizeof *w);
    w->write = write;
    w->ctx = ctx;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w);
        fk_fail(err, FK_EBUSY, "", "cannot start the import's writer thread");
        return NULL;
    }
    w->fill = fk_malloc(size * cap);
    w->spare = fk_malloc(size * cap);
    return w;
}

void *bw_buffer(batch_writer *w)
{
    return w->fill;
}

/* Wait for the writer to be idle; the mutex is held on return. */
static void wait_idle(batch_writer *w)
{
    pthread_mutex_lock(&w->mu);
    while (w->busy)
        pthread_cond_wait(&w->cv, &w->mu);
}

static int failure(batch_writer *w, fk_err *err)
{
    if (err)
        *err = w->err;
    return -1;
}

int bw_submit(batch_writer *w, size_t n, size_t first_row, size_t last_row, fk_err *err)
{
    wait_idle(w);
    if (w->failed) {
        pthread_mutex_unlock(&w->mu);
        return failure(w, err);   /* err is only written by the writer before it failed */
    }
    void *t = w->spare;
    w->spare = w->fill;
    w->fill = t;
    w->busy = w->spare;
    w->n = n;
    w->first_row = first_row;
    w->last_row = last_row;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

int bw_drain(batch_writer *w, fk_err *err)
{
    wait_idle(w);
    bool failed = w->failed;
    pthread_mutex_unlock(&w->mu);
    return failed ? failure(w, err) : 0;
}

size_t bw_written(batch_writer *w)
{
    pthread_mutex_lock(&w->mu);
    size_t n = w->written;
    pthread_mutex_unlock(&w->mu);
    return n;
}

void bw_free(batch_writer *w)
{
    if (!w)
        return;
    wait_idle(w);
    w->quit = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w->fill);
    free(w->spare);
    free(w);
}
