/* SPDX-License-Identifier: Apache-2.0 */
/* engine.c: the engine object (limits; --query.max-concurrency worker threads) and query
 * execution over any sample source: parse, set up the evaluator context with the limits,
 * run it on a worker, map failures to Prometheus's error types. The workers persist and
 * the most recently idle one takes the next query, so a query's memory comes from a
 * malloc arena that earlier queries already grew (a fresh connection thread would start
 * on a cold arena: page faults, and resident memory growing per thread). The tsdb source
 * is in engine_tsdb.c so this file does not need the tsdb. */
#include "flint/promql/engine_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flint/promql/eval.h"
#include "flint/promql/parse.h"
#include "lm/alloc.h"

/* One query handed to a worker. */
struct job {
    struct pql_ev *ev;
    const struct pql_node *root;
    struct pql_result *res;
    int rc;
    bool done;
    pthread_cond_t cv;            /* signalled when done */
};

struct worker {
    struct pql_engine *e;
    pthread_t th;
    pthread_cond_t cv;            /* signalled when job is set or at shutdown */
    struct job *job;              /* the query to run, NULL when idle */
    struct worker *next_idle;     /* idle stack (most recently idle first) */
    struct worker *next;          /* every worker, for shutdown */
};

struct pql_engine {
    struct pql_engine_opts o;     /* with defaults filled in */
    pthread_mutex_t mu;
    pthread_cond_t cv;            /* signalled when a worker becomes idle */
    struct worker *idle;          /* stack of idle workers */
    struct worker *all;           /* owned list of every worker */
    int nworkers;                 /* at most o.max_concurrency */
    bool quit;
};

struct pql_engine *pql_engine_new(const struct pql_engine_opts *o)
{
    struct pql_engine *e = lm_calloc(1, sizeof *e);
    if (!e)
        return NULL;
    if (o)
        e->o = *o;
    if (e->o.timeout_ms <= 0)
        e->o.timeout_ms = PQL_DEFAULT_TIMEOUT_MS;
    if (e->o.max_samples <= 0)
        e->o.max_samples = PQL_DEFAULT_MAX_SAMPLES;
    if (e->o.lookback_ms <= 0)
        e->o.lookback_ms = PQL_DEFAULT_LOOKBACK_MS;
    if (e->o.max_concurrency <= 0)
        e->o.max_concurrency = PQL_DEFAULT_CONCURRENCY;
    if (e->o.subquery_step_ms <= 0)
        e->o.subquery_step_ms = PQL_DEFAULT_SUBQUERY_STEP;
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->cv, NULL);
    return e;
}

void pql_engine_free(struct pql_engine *e)
{
    if (!e)
        return;
    pthread_mutex_lock(&e->mu);
    e->quit = true;
    for (struct worker *w = e->all; w; w = w->next)
        pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&e->mu);
    while (e->all) {
        struct worker *w = e->all;
        e->all = w->next;
        pthread_join(w->th, NULL);
        pthread_cond_destroy(&w->cv);
        lm_free(w);
    }
    pthread_cond_destroy(&e->cv);
    pthread_mutex_destroy(&e->mu);
    lm_free(e);
}

/* run_job: evaluate (on the worker) and free the evaluator there, where it was grown. */
static void run_job(struct job *j)
{
    j->rc = pql_ev_run(j->ev, j->root, j->res);
    pql_ev_cleanup(j->ev);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pql_engine *e = w->e;
    pthread_mutex_lock(&e->mu);
    for (;;) {
        while (!w->job && !e->quit)
            pthread_cond_wait(&w->cv, &e->mu);
        if (!w->job)
            break;
        struct job *j = w->job;
        pthread_mutex_unlock(&e->mu);
        run_job(j);
        pthread_mutex_lock(&e->mu);
        w->job = NULL;
        j->done = true;
        pthread_cond_signal(&j->cv);
        w->next_idle = e->idle;
        e->idle = w;
        pthread_cond_signal(&e->cv);
    }
    pthread_mutex_unlock(&e->mu);
    return NULL;
}

/* run_on_worker: run j on an idle worker (a new one while under max_concurrency; else
 * wait for one) and wait for it; inline when no thread can be started. */
static void run_on_worker(struct pql_engine *e, struct job *j)
{
    pthread_mutex_lock(&e->mu);
    struct worker *w = NULL;
    for (;;) {
        if (e->idle) {
            w = e->idle;
            e->idle = w->next_idle;
            break;
        }
        if (e->nworkers < e->o.max_concurrency) {
            w = lm_calloc(1, sizeof *w);
            if (w) {
                w->e = e;
                pthread_cond_init(&w->cv, NULL);
                if (pthread_create(&w->th, NULL, worker_main, w) != 0) {
                    pthread_cond_destroy(&w->cv);
                    lm_free(w);
                    w = NULL;
                } else {
                    w->next = e->all;
                    e->all = w;
                    e->nworkers++;
                }
            }
            break;
        }
        pthread_cond_wait(&e->cv, &e->mu);
    }
    if (!w) {
        pthread_mutex_unlock(&e->mu);
        run_job(j);
        return;
    }
    pthread_cond_init(&j->cv, NULL);
    w->job = j;
    pthread_cond_signal(&w->cv);
    while (!j->done)
        pthread_cond_wait(&j->cv, &e->mu);
    pthread_mutex_unlock(&e->mu);
    pthread_cond_destroy(&j->cv);
}

int pql_exec_src(struct pql_engine *e, const struct pql_source *src, const char *query,
                 int64_t start, int64_t end, int64_t step, const struct pql_query_opts *qo,
                 struct pql_result *res, struct pql_err *err)
{
    memset(res, 0, sizeof *res);
    memset(err, 0, sizeof *err);
    if (step < 0 || (step > 0 && end < start)) {
        err->type = PQL_ERR_BAD_DATA;
        snprintf(err->msg, sizeof err->msg, "end timestamp must not be before start time");
        return -1;
    }
    struct pql_parse_err perr;
    memset(&perr, 0, sizeof perr);
    struct pql_node *root = pql_parse(query, strlen(query), &perr);
    if (!root) {
        err->type = perr.code == LM_ENOMEM ? PQL_ERR_INTERNAL : PQL_ERR_BAD_DATA;
        snprintf(err->msg, sizeof err->msg, "%s", perr.msg);
        return -1;
    }
    struct pql_ev *ev = lm_calloc(1, sizeof *ev);
    if (!ev) {
        pql_node_free(root);
        err->type = PQL_ERR_INTERNAL;
        snprintf(err->msg, sizeof err->msg, "out of memory");
        return -1;
    }
    ev->start = start;
    ev->end = step ? end : start;
    ev->step = step;
    ev->lookback = qo && qo->lookback_ms > 0 ? qo->lookback_ms : e->o.lookback_ms;
    ev->sq_step = e->o.subquery_step_ms;
    ev->max_samples = e->o.max_samples;
    int64_t timeout = e->o.timeout_ms;
    if (qo && qo->timeout_ms > 0 && qo->timeout_ms < timeout)
        timeout = qo->timeout_ms;
    ev->cancel = qo ? qo->cancel : NULL;
    ev->src = *src;
    ev->err = err;
    struct timespec tp;
    clock_gettime(CLOCK_MONOTONIC, &tp);
    ev->deadline_ns = (int64_t)tp.tv_sec * 1000000000 + tp.tv_nsec + timeout * 1000000;
    struct job j = {.ev = ev, .root = root, .res = res};
    run_on_worker(e, &j);
    int rc = j.rc;
    lm_free(ev);
    pql_node_free(root);
    return rc;
}
