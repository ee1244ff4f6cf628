/* SPDX-License-Identifier: Apache-2.0 */
/* engine_tsdb.c: queries against flint's tsdb: the sample source over a tsdb querier
 * (each selector's series in label order, samples of its loaded range) and the public
 * pql_exec* entry points. */
#include "flint/promql/engine_int.h"

#include <stdio.h>
#include <string.h>

#include "flint/tsdb/tsdb.h"

static int tsdb_select(void *ctx, struct pql_ev *ev, struct pql_sel *sel)
{
    struct tsdb *db = ctx;
    const struct pql_vector_sel *vs = &sel->node->u.vs;
    struct lm_err le = {0};
    struct tsdb_q *q = tsdb_querier(db, sel->mint, sel->maxt, &le);
    if (!q)
        goto storage;
    struct tsdb_ss *ss = tsdb_q_select(q, vs->matchers, vs->nmatchers, &le);
    if (!ss) {
        tsdb_q_close(q);
        goto storage;
    }
    int rc = 0;
    while (!rc && tsdb_ss_next(ss)) {
        struct tsdb_it *it = tsdb_ss_iter(ss);
        int64_t t;
        double v;
        bool ok = tsdb_it_seek(it, sel->mint, &t, &v);
        if (!ok || t > sel->maxt)
            continue;
        rc = pql_sel_series(ev, sel, tsdb_ss_labels(ss));
        while (!rc && ok && t <= sel->maxt) {
            rc = pql_sel_point(ev, sel, t, v);
            ok = tsdb_it_next(it, &t, &v);
        }
    }
    tsdb_ss_free(ss);
    tsdb_q_close(q);
    return rc;
storage:
    ev->err->type = PQL_ERR_INTERNAL;
    snprintf(ev->err->msg, sizeof ev->err->msg, "%s", le.msg);
    return -1;
}

int pql_exec(struct pql_engine *e, struct tsdb *db, const char *query, int64_t start,
             int64_t end, int64_t step, const struct pql_query_opts *qo,
             struct pql_result *res, struct pql_err *err)
{
    struct pql_source src = {tsdb_select, db};
    return pql_exec_src(e, &src, query, start, end, step, qo, res, err);
}

int pql_exec_instant(struct pql_engine *e, struct tsdb *db, const char *query, int64_t t_ms,
                     struct pql_result *res, struct pql_err *err)
{
    return pql_exec(e, db, query, t_ms, t_ms, 0, NULL, res, err);
}

int pql_exec_range(struct pql_engine *e, struct tsdb *db, const char *query, int64_t start,
                   int64_t end, int64_t step, struct pql_result *res, struct pql_err *err)
{
    if (step <= 0) {
        memset(res, 0, sizeof *res);
        err->type = PQL_ERR_BAD_DATA;
        snprintf(err->msg, sizeof err->msg,
                 "zero or negative query resolution step widths are not accepted. Try a "
                 "positive integer");
        return -1;
    }
    return pql_exec(e, db, query, start, end, step, NULL, res, err);
}
