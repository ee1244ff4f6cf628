/* SPDX-License-Identifier: Apache-2.0 */
/* engine.c: the engine object (limits, a counting semaphore for --query.max-concurrency)
 * and query execution over any sample source: parse, set up the evaluator context with
 * the limits, run it, map failures to Prometheus's error types. The tsdb source is in
 * engine_tsdb.c so this file does not need the tsdb. */
#include "flint/promql/engine_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flint/promql/eval.h"
#include "flint/promql/parse.h"
#include "lm/alloc.h"

struct pql_engine {
    struct pql_engine_opts o;     /* with defaults filled in */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int running;                  /* queries holding a slot */
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
    pthread_cond_destroy(&e->cv);
    pthread_mutex_destroy(&e->mu);
    lm_free(e);
}

static void slot_take(struct pql_engine *e)
{
    pthread_mutex_lock(&e->mu);
    while (e->running >= e->o.max_concurrency)
        pthread_cond_wait(&e->cv, &e->mu);
    e->running++;
    pthread_mutex_unlock(&e->mu);
}

static void slot_give(struct pql_engine *e)
{
    pthread_mutex_lock(&e->mu);
    e->running--;
    pthread_cond_signal(&e->cv);
    pthread_mutex_unlock(&e->mu);
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
    slot_take(e);
    struct timespec tp;
    clock_gettime(CLOCK_MONOTONIC, &tp);
    ev->deadline_ns = (int64_t)tp.tv_sec * 1000000000 + tp.tv_nsec + timeout * 1000000;
    int rc = pql_ev_run(ev, root, res);
    slot_give(e);
    pql_ev_cleanup(ev);
    lm_free(ev);
    pql_node_free(root);
    return rc;
}
