/* SPDX-License-Identifier: Apache-2.0 */
/* eval_run.c: one query from start to end: find every selector and the time range it
 * needs (offset, @, range or lookback, enclosing subqueries), load those series once
 * through the source, evaluate the tree at each step, and turn the steps into the
 * public result (vector, scalar, string, or a matrix sorted by labels). */
#include "flint/promql/eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lm/alloc.h"

/* ---- loading --------------------------------------------------------------------- */

int pql_sel_series(struct pql_ev *ev, struct pql_sel *sel, const struct lbl_set *ls)
{
    if (sel->n == sel->cap) {
        size_t cap = sel->cap ? sel->cap * 2 : 16;
        struct pql_sser *ns = lm_realloc(sel->s, cap * sizeof *ns);
        if (!ns)
            goto oom;
        sel->s = ns;
        sel->cap = cap;
    }
    const struct pql_ls *il = pql_lspool_get(&ev->pool, ls);
    if (!il)
        goto oom;
    struct pql_sser *s = &sel->s[sel->n++];
    memset(s, 0, sizeof *s);
    s->ls = il;
    return 0;
oom:
    ev->err->type = PQL_ERR_INTERNAL;
    snprintf(ev->err->msg, sizeof ev->err->msg, "out of memory");
    return -1;
}

int pql_sel_point(struct pql_ev *ev, struct pql_sel *sel, int64_t t, double v)
{
    struct pql_sser *s = &sel->s[sel->n - 1];
    if (s->nall == s->capall) {
        /* the previous series' length is a good first guess (same scrape interval) */
        size_t guess = sel->n > 1 ? sel->s[sel->n - 2].nall + 1 : 64;
        size_t cap = s->capall ? s->capall * 2 : guess < 64 ? 64 : guess;
        struct pql_point *np = lm_realloc(s->all, cap * sizeof *np);
        if (!np) {
            ev->err->type = PQL_ERR_INTERNAL;
            snprintf(ev->err->msg, sizeof ev->err->msg, "out of memory");
            return -1;
        }
        s->all = np;
        s->capall = cap;
    }
    s->all[s->nall++] = (struct pql_point){t, v};
    if (++ev->loaded > ev->max_samples) {
        ev->err->type = PQL_ERR_EXECUTION;
        snprintf(ev->err->msg, sizeof ev->err->msg,
                 "query processing would load too many samples into memory in query "
                 "execution");
        return -1;
    }
    return 0;
}

/* finish_sel: the stale-free copies of sel's series. */
static int finish_sel(struct pql_ev *ev, struct pql_sel *sel)
{
    for (size_t i = 0; i < sel->n; i++) {
        struct pql_sser *s = &sel->s[i];
        size_t stale = 0;
        for (size_t j = 0; j < s->nall; j++)
            stale += pql_is_stale(s->all[j].v);
        if (!stale) {
            s->clean = s->all;
            s->nclean = s->nall;
            continue;
        }
        s->clean = pql_arena_alloc(&ev->arena, (s->nall - stale + 1) * sizeof *s->clean);
        if (!s->clean) {
            ev->err->type = PQL_ERR_INTERNAL;
            snprintf(ev->err->msg, sizeof ev->err->msg, "out of memory");
            return -1;
        }
        for (size_t j = 0; j < s->nall; j++)
            if (!pql_is_stale(s->all[j].v))
                s->clean[s->nclean++] = s->all[j];
    }
    return 0;
}

static int64_t at_ref(const struct pql_ev *ev, enum pql_at at, int64_t at_ms, int64_t t)
{
    switch (at) {
    case PQL_AT_TS: return at_ms;
    case PQL_AT_START: return ev->start;
    case PQL_AT_END: return ev->end;
    case PQL_AT_NONE: break;
    }
    return t;
}

static int add_sel(struct pql_ev *ev, const struct pql_node *vs, int64_t mint, int64_t maxt)
{
    if (ev->nsels == ev->capsels) {
        size_t cap = ev->capsels ? ev->capsels * 2 : 8;
        struct pql_sel *ns = lm_realloc(ev->sels, cap * sizeof *ns);
        if (!ns) {
            ev->err->type = PQL_ERR_INTERNAL;
            snprintf(ev->err->msg, sizeof ev->err->msg, "out of memory");
            return -1;
        }
        ev->sels = ns;
        ev->capsels = cap;
    }
    struct pql_sel *sel = &ev->sels[ev->nsels++];
    memset(sel, 0, sizeof *sel);
    sel->node = vs;
    sel->mint = mint;
    sel->maxt = maxt;
    if (ev->src.select(ev->src.ctx, ev, sel))
        return -1;
    return finish_sel(ev, sel);
}

/* load: walk n, evaluated at times [s, e], and load every selector it holds. */
static int load(struct pql_ev *ev, const struct pql_node *n, int64_t s, int64_t e)
{
    switch (n->kind) {
    case PQL_NUMBER:
    case PQL_STRING:
        return 0;
    case PQL_PAREN:
        return load(ev, n->u.paren, s, e);
    case PQL_UNARY:
        return load(ev, n->u.un.expr, s, e);
    case PQL_VECTOR_SEL: {
        const struct pql_vector_sel *vs = &n->u.vs;
        int64_t lo = pql_tsub(at_ref(ev, vs->at, vs->at_ms, s), vs->offset_ms);
        int64_t hi = pql_tsub(at_ref(ev, vs->at, vs->at_ms, e), vs->offset_ms);
        return add_sel(ev, n, pql_tsub(lo, ev->lookback), hi);
    }
    case PQL_MATRIX_SEL: {
        const struct pql_vector_sel *vs = &n->u.ms.vs->u.vs;
        int64_t lo = pql_tsub(at_ref(ev, vs->at, vs->at_ms, s), vs->offset_ms);
        int64_t hi = pql_tsub(at_ref(ev, vs->at, vs->at_ms, e), vs->offset_ms);
        return add_sel(ev, n->u.ms.vs, pql_tsub(lo, n->u.ms.range_ms), hi);
    }
    case PQL_SUBQUERY: {
        const struct pql_subquery *sq = &n->u.sq;
        int64_t lo = pql_tsub(pql_tsub(at_ref(ev, sq->at, sq->at_ms, s), sq->offset_ms),
                              sq->range_ms);
        int64_t hi = pql_tsub(at_ref(ev, sq->at, sq->at_ms, e), sq->offset_ms);
        return load(ev, sq->expr, lo, hi);
    }
    case PQL_CALL:
        for (size_t i = 0; i < n->u.call.nargs; i++)
            if (load(ev, n->u.call.args[i], s, e))
                return -1;
        return 0;
    case PQL_AGGREGATE:
        if (n->u.agg.param && load(ev, n->u.agg.param, s, e))
            return -1;
        return load(ev, n->u.agg.expr, s, e);
    case PQL_BINARY:
        if (load(ev, n->u.bin.lhs, s, e))
            return -1;
        return load(ev, n->u.bin.rhs, s, e);
    }
    return 0;
}

/* ---- output ---------------------------------------------------------------------- */

static void out_add(struct pql_ev *ev, const struct pql_ls *ls, int64_t t, double v)
{
    bool found;
    void **slot = pql_pmap_slot(&ev->outmap, ls, &found);
    if (!slot)
        pql_ev_oom(ev);
    if (!found) {
        if (ev->nout == ev->capout) {
            size_t cap = ev->capout ? ev->capout * 2 : 16;
            struct pql_oser *no = lm_realloc(ev->out, cap * sizeof *no);
            if (!no)
                pql_ev_oom(ev);
            ev->out = no;
            ev->capout = cap;
        }
        ev->out[ev->nout] = (struct pql_oser){ls, NULL, 0, 0};
        *slot = (void *)(uintptr_t)++ev->nout;
    }
    struct pql_oser *o = &ev->out[(uintptr_t)*slot - 1];
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 16;
        struct pql_point *np = lm_realloc(o->pts, cap * sizeof *np);
        if (!np)
            pql_ev_oom(ev);
        o->pts = np;
        o->cap = cap;
    }
    o->pts[o->n++] = (struct pql_point){t, v};
    pql_ev_count(ev, 1);
}

static int cmp_oser(const void *a, const void *b)
{
    const struct pql_oser *x = a, *y = b;
    return lbl_set_cmp(&x->ls->s, &y->ls->s);
}

/* lbl_mem: one block for n label sets whose total lbl_bytes is bytes. */
static char *lbl_mem(struct pql_ev *ev, struct pql_result *res, size_t bytes)
{
    res->lblmem = lm_malloc(bytes ? bytes : 1);
    if (!res->lblmem)
        pql_ev_oom(ev);
    return res->lblmem;
}

/* to_matrix: move ev->out (sorted by labels) into res. */
static void to_matrix(struct pql_ev *ev, struct pql_result *res)
{
    if (ev->nout > 1)
        qsort(ev->out, ev->nout, sizeof *ev->out, cmp_oser);
    res->type = PQL_VAL_MATRIX;
    res->mat = lm_calloc(ev->nout ? ev->nout : 1, sizeof *res->mat);
    if (!res->mat)
        pql_ev_oom(ev);
    size_t bytes = 0;
    for (size_t i = 0; i < ev->nout; i++)
        bytes += pql_lbl_packed_size(&ev->out[i].ls->s);
    char *mem = lbl_mem(ev, res, bytes);
    for (size_t i = 0; i < ev->nout; i++) {
        struct pql_series *s = &res->mat[res->nmat];
        pql_lbl_pack(mem, &ev->out[i].ls->s, &s->ls);
        mem += pql_lbl_packed_size(&ev->out[i].ls->s);
        res->nmat++;
        s->pts = ev->out[i].pts;
        s->n = s->cap = ev->out[i].n;
        ev->out[i].pts = NULL;
    }
}

static void run_instant(struct pql_ev *ev, const struct pql_node *root, struct pql_result *res)
{
    struct pql_v v;
    int64_t ts = ev->start;
    pql_eval(ev, root, ts, &v);
    switch (v.type) {
    case PQL_T_SCALAR:
        res->type = PQL_VAL_SCALAR;
        res->t = ts;
        res->v = v.s;
        return;
    case PQL_T_STRING:
        res->type = PQL_VAL_STRING;
        res->t = ts;
        res->str = lm_strdup(v.str);
        if (!res->str)
            pql_ev_oom(ev);
        return;
    case PQL_T_VECTOR:
        res->type = PQL_VAL_VECTOR;
        res->vec = lm_calloc(v.vec.n ? v.vec.n : 1, sizeof *res->vec);
        if (!res->vec)
            pql_ev_oom(ev);
        size_t bytes = 0;
        for (size_t i = 0; i < v.vec.n; i++)
            bytes += pql_lbl_packed_size(&v.vec.v[i].ls->s);
        char *mem = lbl_mem(ev, res, bytes);
        for (size_t i = 0; i < v.vec.n; i++) {
            struct pql_sample *s = &res->vec[res->nvec];
            pql_lbl_pack(mem, &v.vec.v[i].ls->s, &s->ls);
            mem += pql_lbl_packed_size(&v.vec.v[i].ls->s);
            res->nvec++;
            s->t = ts;
            s->v = v.vec.v[i].v;
        }
        return;
    case PQL_T_MATRIX:
        for (size_t i = 0; i < v.mat.n; i++)
            for (size_t j = 0; j < v.mat.v[i].n; j++)
                out_add(ev, v.mat.v[i].ls, v.mat.v[i].pts[j].t, v.mat.v[i].pts[j].v);
        to_matrix(ev, res);
        return;
    case PQL_T_NONE:
        break;
    }
    pql_ev_fail(ev, PQL_ERR_INTERNAL, "expression gave no value");
}

static void run_range(struct pql_ev *ev, const struct pql_node *root, struct pql_result *res)
{
    enum pql_type t = pql_node_type(root);
    if (t != PQL_T_SCALAR && t != PQL_T_VECTOR)
        pql_ev_fail(ev, PQL_ERR_BAD_DATA,
                    "invalid expression type \"%s\" for range query, must be Scalar or "
                    "instant Vector", pql_type_str(t));
    struct lbl_set empty = {0};
    const struct pql_ls *none = pql_ev_intern(ev, &empty);
    for (int64_t ts = ev->start; ts <= ev->end; ts += ev->step) {
        pql_ev_check(ev);
        struct pql_arena_mark m = pql_arena_mark(&ev->tmp);
        struct pql_v v;
        pql_eval(ev, root, ts, &v);
        if (v.type == PQL_T_SCALAR)
            out_add(ev, none, ts, v.s);
        else
            for (size_t i = 0; i < v.vec.n; i++)
                out_add(ev, v.vec.v[i].ls, ts, v.vec.v[i].v);
        pql_arena_release(&ev->tmp, m);
    }
    to_matrix(ev, res);
}

int pql_ev_run(struct pql_ev *ev, const struct pql_node *root, struct pql_result *res)
{
    memset(res, 0, sizeof *res);
    if (setjmp(ev->jb)) {
        pql_result_free(res);
        return -1;
    }
    if (load(ev, root, ev->start, ev->step ? ev->end : ev->start))
        return -1;
    if (ev->step)
        run_range(ev, root, res);
    else
        run_instant(ev, root, res);
    return 0;
}

void pql_ev_cleanup(struct pql_ev *ev)
{
    for (size_t i = 0; i < ev->nsels; i++) {
        for (size_t j = 0; j < ev->sels[i].n; j++)
            lm_free(ev->sels[i].s[j].all);
        lm_free(ev->sels[i].s);
    }
    lm_free(ev->sels);
    for (size_t i = 0; i < ev->nstates; i++)
        if (ev->states[i].free_fn)
            ev->states[i].free_fn(ev->states[i].p);
    lm_free(ev->states);
    for (size_t i = 0; i < ev->nout; i++)
        lm_free(ev->out[i].pts);
    lm_free(ev->out);
    pql_pmap_free(&ev->outmap);
    pql_pmap_free(&ev->scratch_map);
    lbl_set_free(&ev->scratch);
    lm_free(ev->view);
    pql_lspool_free(&ev->pool);
    pql_arena_free(&ev->tmp);
    pql_arena_free(&ev->arena);
}
