/* SPDX-License-Identifier: Apache-2.0 */
/* http_pool.c: the connection layer's worker threads (see http_pool.h): detached workers,
 * reused for the next item while idle, counted so that stop can wait for them. */
#include <errno.h>
#include <time.h>
#include "http_pool.h"

void
lmi_pool_init(struct lmi_pool *p, lmi_pool_run_fn *run)
{
    *p = (struct lmi_pool){.run = run};
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->end_cv, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->idle_cv, &ca);
    pthread_condattr_destroy(&ca);
}

/* next_item: with p->mu held, wait as an idle worker for a submitted item; it, or NULL
 * when the worker should end (stopping, LMI_POOL_IDLE_MAX others idle, or
 * LMI_POOL_IDLE_SECS passed). */
static struct lmi_pool_item *
next_item(struct lmi_pool *p)
{
    if (p->stopping || p->nidle >= LMI_POOL_IDLE_MAX)
        return NULL;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += LMI_POOL_IDLE_SECS;
    p->nidle++;
    int e = 0;
    while (!p->nqueued && !p->stopping && e != ETIMEDOUT)
        e = pthread_cond_timedwait(&p->idle_cv, &p->mu, &until);
    p->nidle--;
    struct lmi_pool_item *item = p->qhead;  /* taken even when stopping: handed over */
    if (item) {
        p->qhead = item->next;
        if (!p->qhead)
            p->qtail = NULL;
        p->nqueued--;
    }
    return item;
}

/* worker: a worker thread: run arg (an item), then each item handed over until next_item
 * says end. */
static void *
worker(void *arg)
{
    struct lmi_pool_item *item = arg;
    struct lmi_pool *p = item->pool;
    p->run(item);
    pthread_mutex_lock(&p->mu);
    while ((item = next_item(p))) {
        pthread_mutex_unlock(&p->mu);
        p->run(item);
        pthread_mutex_lock(&p->mu);
    }
    p->nworkers--;
    pthread_cond_broadcast(&p->end_cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int
lmi_pool_submit(struct lmi_pool *p, struct lmi_pool_item *item)
{
    item->pool = p;
    item->next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->nidle > p->nqueued) {  /* an idle worker is free to take it */
        if (p->qtail)
            p->qtail->next = item;
        else
            p->qhead = item;
        p->qtail = item;
        p->nqueued++;
        pthread_cond_signal(&p->idle_cv);
        pthread_mutex_unlock(&p->mu);
        return 0;
    }
    p->nworkers++;
    pthread_mutex_unlock(&p->mu);
    pthread_attr_t at;
    pthread_t th;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    int e = pthread_create(&th, &at, worker, item);
    pthread_attr_destroy(&at);
    if (e) {
        pthread_mutex_lock(&p->mu);
        p->nworkers--;
        pthread_cond_broadcast(&p->end_cv);
        pthread_mutex_unlock(&p->mu);
    }
    return e;
}

void
lmi_pool_stop(struct lmi_pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_cond_broadcast(&p->idle_cv);
    while (p->nworkers)
        pthread_cond_wait(&p->end_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void
lmi_pool_cleanup(struct lmi_pool *p)
{
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->idle_cv);
    pthread_cond_destroy(&p->end_cv);
}
