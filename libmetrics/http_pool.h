/* SPDX-License-Identifier: Apache-2.0 */
/* http_pool.h: the worker threads of the HTTP server's connection layer (http_pool.c): a
 * submitted item runs on an idle worker, or on a new detached one when none is idle; a
 * worker then waits for the next item, at most LMI_POOL_IDLE_MAX of them for
 * LMI_POOL_IDLE_SECS, so a busy server does not create and end a thread per connection
 * and an idle one keeps few threads. Workers never outnumber the items running at once
 * plus the idle ones. Private to libmetrics. */
#ifndef LM_HTTP_POOL_H
#define LM_HTTP_POOL_H

#include <pthread.h>
#include <stddef.h>

#define LMI_POOL_IDLE_MAX 4    /* idle workers kept */
#define LMI_POOL_IDLE_SECS 60  /* an idle worker ends after this long */

struct lmi_pool;

/* An item to run, embedded in the caller's struct (so submitting never allocates). */
struct lmi_pool_item {
    struct lmi_pool *pool;               /* set by lmi_pool_submit */
    struct lmi_pool_item *next;          /* in the pool's queue */
};

/* Runs one item on a worker thread; owns the struct that embeds it. */
typedef void lmi_pool_run_fn(struct lmi_pool_item *item);

struct lmi_pool {
    lmi_pool_run_fn *run;                /* what workers do with an item */
    pthread_mutex_t mu;                  /* guards the fields below */
    pthread_cond_t idle_cv;              /* idle workers wait here (monotonic clock) */
    pthread_cond_t end_cv;               /* signalled when a worker ends */
    struct lmi_pool_item *qhead, *qtail; /* items handed to idle workers, not taken yet */
    size_t nqueued;                      /* entries in the queue */
    size_t nworkers;                     /* live workers */
    size_t nidle;                        /* of them, waiting for an item */
    int stopping;                        /* lmi_pool_stop began */
};

/* lmi_pool_init: an empty pool calling run on each item. */
void lmi_pool_init(struct lmi_pool *p, lmi_pool_run_fn *run);

/* lmi_pool_submit: run item on a worker. 0, or an errno from pthread_create (item not
 * taken: the caller still owns it). */
int lmi_pool_submit(struct lmi_pool *p, struct lmi_pool_item *item);

/* lmi_pool_stop: end idle workers (items already submitted still run) and wait until
 * every worker has ended; the caller makes running items finish. Then free with
 * lmi_pool_cleanup. */
void lmi_pool_stop(struct lmi_pool *p);
void lmi_pool_cleanup(struct lmi_pool *p);

#endif
