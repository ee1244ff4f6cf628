/* SPDX-License-Identifier: Apache-2.0 */
/* engine_mem.c: a sample source over in-memory series arrays (tests, and any caller that
 * has its samples at hand): matchers checked with lbl_set_matches, label order kept. */
#include "flint/promql/engine_int.h"

#include <stdio.h>
#include <stdlib.h>

static int cmp_ptr(const void *a, const void *b)
{
    const struct pql_mem_series *x = *(const struct pql_mem_series *const *)a;
    const struct pql_mem_series *y = *(const struct pql_mem_series *const *)b;
    return lbl_set_cmp(&x->ls, &y->ls);
}

static int mem_select(void *ctx, struct pql_ev *ev, struct pql_sel *sel)
{
    const struct pql_mem_src *m = ctx;
    const struct pql_vector_sel *vs = &sel->node->u.vs;
    const struct pql_mem_series **order = calloc(m->n + 1, sizeof *order);
    if (!order) {
        ev->err->type = PQL_ERR_INTERNAL;
        snprintf(ev->err->msg, sizeof ev->err->msg, "out of memory");
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < m->n; i++)
        if (lbl_set_matches(&m->s[i].ls, vs->matchers, vs->nmatchers))
            order[k++] = &m->s[i];
    qsort(order, k, sizeof *order, cmp_ptr);
    int rc = 0;
    for (size_t i = 0; i < k && !rc; i++) {
        const struct pql_mem_series *s = order[i];
        bool any = false;
        for (size_t j = 0; j < s->n && !rc; j++) {
            if (s->pts[j].t < sel->mint || s->pts[j].t > sel->maxt)
                continue;
            if (!any) {
                rc = pql_sel_series(ev, sel, &s->ls);
                any = true;
            }
            if (!rc)
                rc = pql_sel_point(ev, sel, s->pts[j].t, s->pts[j].v);
        }
    }
    free(order);
    return rc;
}

struct pql_source pql_mem_source(const struct pql_mem_src *m)
{
    struct pql_source s = {mem_select, (void *)m};
    return s;
}
