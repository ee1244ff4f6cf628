/* SPDX-License-Identifier: Apache-2.0 */
/* engine_int.h: the engine's seams for tests and other sources (not a public API):
 * running a query over any sample source, and an in-memory source of series arrays. */
#ifndef FLINT_PROMQL_ENGINE_INT_H
#define FLINT_PROMQL_ENGINE_INT_H

#include "flint/promql/engine.h"
#include "flint/promql/eval.h"

/* pql_exec_src: pql_exec over src instead of a tsdb. */
int pql_exec_src(struct pql_engine *e, const struct pql_source *src, const char *query,
                 int64_t start, int64_t end, int64_t step, const struct pql_query_opts *qo,
                 struct pql_result *res, struct pql_err *err);

/* An in-memory source: series (labels sorted, unique; points ascending), all borrowed. */
struct pql_mem_series {
    struct lbl_set ls;
    const struct pql_point *pts;
    size_t n;
};

struct pql_mem_src {
    const struct pql_mem_series *s;
    size_t n;
};

/* pql_mem_source: a source reading m (borrowed for the query's lifetime). */
struct pql_source pql_mem_source(const struct pql_mem_src *m);

#endif
