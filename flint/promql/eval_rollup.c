/* SPDX-License-Identifier: Apache-2.0 */
/* eval_rollup.c: range functions of a plain matrix selector in a range query, computed
 * series by series for a batch of steps instead of step by step over every series:
 * the same windows and pql_rollup calls in another order, so a series' samples stay in
 * cache across the steps. Each step then hands out its row of the batch. */
#include "flint/promql/eval.h"

#include <string.h>

#include "flint/promql/func.h"
#include "lm/alloc.h"

#define BATCH_MAX_STEPS 64
#define BATCH_MAX_CELLS (1u << 19)   /* steps x series in one batch */

struct rbatch {
    size_t nser;                  /* series of the selector */
    size_t cap;                   /* steps per batch */
    int64_t k0;                   /* first step of the batch (index from ev->start) */
    size_t nk;                    /* steps computed, 0 = none yet */
    double *v;                    /* [cap][nser] values */
    uint8_t *has;                 /* [cap][nser] 1 = a sample */
    const struct pql_ls **ls;     /* [nser] output labels */
    size_t *hlo, *hhi;            /* [nser] window cursors */
    bool distinct;                /* the output labels are pairwise distinct */
};

static void rbatch_free(void *p)
{
    struct rbatch *b = p;
    if (!b)
        return;
    lm_free(b->v);
    lm_free(b->has);
    lm_free(b->ls);
    lm_free(b->hlo);
    lm_free(b->hhi);
    lm_free(b);
}

/* applies: fn takes only the matrix argument and m is a matrix selector. */
static bool applies(const struct pql_ev *ev, const struct pql_node *n)
{
    const struct pql_call *c = &n->u.call;
    enum pql_func_id fn = c->func->id;
    if (!ev->step || fn == PQL_FN_QUANTILE_OVER_TIME || fn == PQL_FN_PREDICT_LINEAR ||
        fn == PQL_FN_HOLT_WINTERS || c->nargs != 1)
        return false;
    return pql_node_unparen(c->args[0])->kind == PQL_MATRIX_SEL;
}

/* rbatch_new: the state of call n over selector sel (output labels, distinctness). */
static struct rbatch *rbatch_new(struct pql_ev *ev, const struct pql_node *n,
                                 const struct pql_sel *sel, bool keep)
{
    struct rbatch *b = lm_calloc(1, sizeof *b);
    if (!b)
        pql_ev_oom(ev);
    struct pql_nstate *st = pql_ev_state(ev, (const char *)n + 5);
    st->p = b;
    st->free_fn = rbatch_free;
    size_t ns = sel->n ? sel->n : 1;
    b->nser = sel->n;
    b->cap = BATCH_MAX_CELLS / ns;
    if (b->cap > BATCH_MAX_STEPS)
        b->cap = BATCH_MAX_STEPS;
    if (b->cap == 0)
        b->cap = 1;
    b->v = lm_malloc(b->cap * ns * sizeof *b->v);
    b->has = lm_malloc(b->cap * ns);
    b->ls = lm_malloc(ns * sizeof *b->ls);
    b->hlo = lm_calloc(ns, sizeof *b->hlo);
    b->hhi = lm_calloc(ns, sizeof *b->hhi);
    if (!b->v || !b->has || !b->ls || !b->hlo || !b->hhi)
        pql_ev_oom(ev);
    for (size_t i = 0; i < sel->n; i++)
        b->ls[i] = keep ? sel->s[i].ls : pql_ev_drop_name(ev, sel->s[i].ls);
    struct pql_pmap *seen = pql_ev_pmap(ev, (const char *)n + 6, true);
    b->distinct = true;
    for (size_t i = 0; b->distinct && i < sel->n; i++) {
        bool found;
        if (!pql_pmap_slot(seen, b->ls[i], &found))
            pql_ev_oom(ev);
        b->distinct = !found;
    }
    pql_pmap_clear(seen);
    return b;
}

/* compute: steps k0 .. k0 + b->nk - 1 of every series. */
static void compute(struct pql_ev *ev, struct rbatch *b, const struct pql_node *m,
                    enum pql_func_id fn, const struct pql_sel *sel)
{
    const struct pql_vector_sel *vs = &m->u.ms.vs->u.vs;
    int64_t range = m->u.ms.range_ms;
    for (size_t i = 0; i < b->nser; i++) {
        const struct pql_sser *s = &sel->s[i];
        pql_ev_check(ev);
        for (size_t k = 0; k < b->nk; k++) {
            int64_t ts = ev->start + (b->k0 + (int64_t)k) * ev->step;
            struct pql_roll r = {0};
            r.ts = ts;
            r.range_ms = range;
            r.range_end = pql_tsub(pql_at_time(ev, vs->at, vs->at_ms, ts), vs->offset_ms);
            r.range_start = pql_tsub(r.range_end, range);
            size_t a = pql_lower_from(s->clean, s->nclean, r.range_start, &b->hlo[i]);
            size_t e = pql_upper_from(s->clean, s->nclean, r.range_end, &b->hhi[i]);
            uint8_t *has = &b->has[k * b->nser + i];
            *has = 0;
            if (a >= e)
                continue;
            char msg[PQL_ERR_MSG_MAX];
            int rc = pql_rollup(fn, s->clean + a, e - a, &r, &b->v[k * b->nser + i], msg);
            if (rc < 0)
                pql_ev_fail(ev, PQL_ERR_EXECUTION, "%s", msg);
            *has = rc > 0;
        }
    }
}

bool pql_rollup_batched(struct pql_ev *ev, const struct pql_node *n, int64_t ts,
                        struct pql_v *out)
{
    if (!applies(ev, n) || ts < ev->start || ts > ev->end || (ts - ev->start) % ev->step)
        return false;
    const struct pql_call *c = &n->u.call;
    const struct pql_node *m = pql_node_unparen(c->args[0]);
    const struct pql_sel *sel = pql_ev_sel(ev, m->u.ms.vs);
    struct rbatch *b = pql_ev_state(ev, (const char *)n + 5)->p;
    if (!b)
        b = rbatch_new(ev, n, sel, pql_rollup_keeps_name(c->func->id));
    int64_t k = (ts - ev->start) / ev->step;
    if (!b->nk || k < b->k0 || k >= b->k0 + (int64_t)b->nk) {
        int64_t left = (ev->end - ev->start) / ev->step + 1 - k;
        b->k0 = k;
        b->nk = left < (int64_t)b->cap ? (size_t)left : b->cap;
        compute(ev, b, m, c->func->id, sel);
    }
    size_t row = (size_t)(k - b->k0) * b->nser;
    out->type = PQL_T_VECTOR;
    out->vec.v = pql_ev_alloc(ev, b->nser * sizeof *out->vec.v);
    out->vec.cap = b->nser;
    for (size_t i = 0; i < b->nser; i++)
        if (b->has[row + i])
            out->vec.v[out->vec.n++] = (struct pql_el){b->ls[i], ts, b->v[row + i]};
    if (!b->distinct)
        pql_ev_check_dups(ev, &out->vec);
    return true;
}
