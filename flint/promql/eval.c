/* SPDX-License-Identifier: Apache-2.0 */
/* eval.c: the tree walk at one evaluation time: literals, vector selectors (lookback,
 * staleness, offset, @), matrix selectors (closed window [t-range, t] as 2.42),
 * subqueries (inner steps aligned to absolute multiples of the step), unary minus and
 * parentheses; plus the shared helpers of eval.h (errors, limits, interning). */
#include "flint/promql/eval.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lm/alloc.h"

void pql_ev_fail(struct pql_ev *ev, enum pql_err_type type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ev->err->type = type;
    vsnprintf(ev->err->msg, sizeof ev->err->msg, fmt, ap);
    va_end(ap);
    longjmp(ev->jb, 1);
}

void pql_ev_oom(struct pql_ev *ev)
{
    pql_ev_fail(ev, PQL_ERR_INTERNAL, "out of memory");
}

static int64_t now_ns(void)
{
    struct timespec tp;
    clock_gettime(CLOCK_MONOTONIC, &tp);
    return (int64_t)tp.tv_sec * 1000000000 + tp.tv_nsec;
}

void pql_ev_check(struct pql_ev *ev)
{
    if (ev->cancel && *ev->cancel)
        pql_ev_fail(ev, PQL_ERR_CANCELED, "query was canceled in query execution");
    if (ev->deadline_ns && (++ev->tick & 63) == 0 && now_ns() > ev->deadline_ns)
        pql_ev_fail(ev, PQL_ERR_TIMEOUT, "query timed out in query execution");
}

void pql_ev_count(struct pql_ev *ev, int64_t n)
{
    ev->loaded += n;
    if (ev->loaded > ev->max_samples)
        pql_ev_fail(ev, PQL_ERR_EXECUTION,
                    "query processing would load too many samples into memory in query "
                    "execution");
}

void *pql_ev_alloc(struct pql_ev *ev, size_t n)
{
    void *p = pql_arena_alloc(&ev->tmp, n ? n : 1);
    if (!p)
        pql_ev_oom(ev);
    return p;
}

const struct pql_ls *pql_ev_intern(struct pql_ev *ev, struct lbl_set *s)
{
    const struct pql_ls *ls = pql_lspool_take(&ev->pool, s);
    if (!ls)
        pql_ev_oom(ev);
    return ls;
}

const struct pql_ls *pql_ev_intern_sub(struct pql_ev *ev, const struct pql_ls *ls,
                                       bool (*keep)(const char *name, const void *ctx),
                                       const void *ctx)
{
    if (ls->s.n > ev->capview) {
        struct lbl *nv = lm_realloc(ev->view, ls->s.n * sizeof *nv);
        if (!nv)
            pql_ev_oom(ev);
        ev->view = nv;
        ev->capview = ls->s.n;
    }
    struct lbl_set v = {ev->view, 0, ev->capview};
    for (size_t i = 0; i < ls->s.n; i++)
        if (keep(ls->s.v[i].name, ctx))
            v.v[v.n++] = ls->s.v[i];
    if (v.n == ls->s.n)
        return ls;
    const struct pql_ls *r = pql_lspool_get(&ev->pool, &v);
    if (!r)
        pql_ev_oom(ev);
    return r;
}

static bool not_name(const char *name, const void *ctx)
{
    (void)ctx;
    return strcmp(name, LBL_METRIC_NAME) != 0;
}

const struct pql_ls *pql_ev_drop_name(struct pql_ev *ev, const struct pql_ls *ls)
{
    if (ls->noname)
        return ls->noname;
    const struct pql_ls *r = pql_ev_intern_sub(ev, ls, not_name, NULL);
    ((struct pql_ls *)ls)->noname = r;
    ((struct pql_ls *)r)->noname = r;
    return r;
}

void pql_ev_push(struct pql_ev *ev, struct pql_vec *v, const struct pql_ls *ls, int64_t t,
                 double val)
{
    if (!pql_vec_push(&ev->tmp, v, ls, t, val))
        pql_ev_oom(ev);
}

struct pql_nstate *pql_ev_state(struct pql_ev *ev, const void *node)
{
    for (size_t i = 0; i < ev->nstates; i++)
        if (ev->states[i].node == node)
            return &ev->states[i];
    if (ev->nstates == ev->capstates) {
        size_t cap = ev->capstates ? ev->capstates * 2 : 8;
        struct pql_nstate *ns = lm_realloc(ev->states, cap * sizeof *ns);
        if (!ns)
            pql_ev_oom(ev);
        ev->states = ns;
        ev->capstates = cap;
    }
    struct pql_nstate *st = &ev->states[ev->nstates++];
    memset(st, 0, sizeof *st);
    st->node = node;
    return st;
}

static void free_pmap(void *p)
{
    pql_pmap_free(p);
    lm_free(p);
}

struct pql_pmap *pql_ev_pmap(struct pql_ev *ev, const void *key, bool clear)
{
    struct pql_nstate *st = pql_ev_state(ev, key);
    if (!st->p) {
        st->p = lm_calloc(1, sizeof(struct pql_pmap));
        if (!st->p)
            pql_ev_oom(ev);
        st->free_fn = free_pmap;
    }
    if (clear)
        pql_pmap_clear(st->p);
    return st->p;
}

void pql_ev_check_dups(struct pql_ev *ev, const struct pql_vec *v)
{
    if (v->n < 2)
        return;
    pql_pmap_clear(&ev->scratch_map);
    for (size_t i = 0; i < v->n; i++) {
        bool found;
        if (!pql_pmap_slot(&ev->scratch_map, v->v[i].ls, &found))
            pql_ev_oom(ev);
        if (found)
            pql_ev_fail(ev, PQL_ERR_EXECUTION,
                        "vector cannot contain metrics with the same labelset");
    }
}

const struct pql_node *pql_node_unparen(const struct pql_node *n)
{
    while (n->kind == PQL_PAREN)
        n = n->u.paren;
    return n;
}

/* ---- selectors ------------------------------------------------------------------ */

struct pql_sel *pql_ev_sel(struct pql_ev *ev, const struct pql_node *vs)
{
    for (size_t i = 0; i < ev->nsels; i++)
        if (ev->sels[i].node == vs)
            return &ev->sels[i];
    pql_ev_fail(ev, PQL_ERR_INTERNAL, "selector was not loaded");
}

int64_t pql_at_time(const struct pql_ev *ev, enum pql_at at, int64_t at_ms, int64_t ts)
{
    switch (at) {
    case PQL_AT_TS: return at_ms;
    case PQL_AT_START: return ev->start;
    case PQL_AT_END: return ev->end;
    case PQL_AT_NONE: break;
    }
    return ts;
}

/* upper: the first index with p[i].t > t. */
static size_t upper(const struct pql_point *p, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid].t <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* lower: the first index with p[i].t >= t. */
static size_t lower(const struct pql_point *p, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid].t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* upper_from / lower_from: upper / lower starting from the previous answer *hint, a
 * few linear steps forward (range-query steps move little), else a binary search. */
size_t pql_upper_from(const struct pql_point *p, size_t n, int64_t t, size_t *hint)
{
    size_t h = *hint;
    if (h <= n && (h == 0 || p[h - 1].t <= t)) {
        for (int k = 0; k < 8; k++, h++) {
            if (h == n || p[h].t > t) {
                *hint = h;
                return h;
            }
        }
    }
    *hint = upper(p, n, t);
    return *hint;
}

size_t pql_lower_from(const struct pql_point *p, size_t n, int64_t t, size_t *hint)
{
    size_t h = *hint;
    if (h <= n && (h == 0 || p[h - 1].t < t)) {
        for (int k = 0; k < 8; k++, h++) {
            if (h == n || p[h].t >= t) {
                *hint = h;
                return h;
            }
        }
    }
    *hint = lower(p, n, t);
    return *hint;
}

static void eval_vs(struct pql_ev *ev, const struct pql_node *n, int64_t ts, struct pql_v *out)
{
    const struct pql_vector_sel *vs = &n->u.vs;
    struct pql_sel *sel = pql_ev_sel(ev, n);
    int64_t ref = pql_tsub(pql_at_time(ev, vs->at, vs->at_ms, ts), vs->offset_ms);
    out->type = PQL_T_VECTOR;
    for (size_t i = 0; i < sel->n; i++) {
        struct pql_sser *s = &sel->s[i];
        size_t k = pql_upper_from(s->all, s->nall, ref, &s->hint_all);
        if (k == 0)
            continue;
        const struct pql_point *p = &s->all[k - 1];
        pql_ev_check(ev);
        if (p->t < pql_tsub(ref, ev->lookback) || pql_is_stale(p->v))
            continue;
        pql_ev_push(ev, &out->vec, s->ls, p->t, p->v);
    }
}

static void eval_ms(struct pql_ev *ev, const struct pql_node *n, int64_t ts, struct pql_v *out)
{
    const struct pql_node *vn = n->u.ms.vs;
    const struct pql_vector_sel *vs = &vn->u.vs;
    struct pql_sel *sel = pql_ev_sel(ev, vn);
    int64_t maxt = pql_tsub(pql_at_time(ev, vs->at, vs->at_ms, ts), vs->offset_ms);
    int64_t mint = pql_tsub(maxt, n->u.ms.range_ms);
    out->type = PQL_T_MATRIX;
    for (size_t i = 0; i < sel->n; i++) {
        struct pql_sser *s = &sel->s[i];
        size_t a = pql_lower_from(s->clean, s->nclean, mint, &s->hint_lo);
        size_t b = pql_upper_from(s->clean, s->nclean, maxt, &s->hint_hi);
        if (a >= b)
            continue;
        struct pql_win w = {s->ls, s->clean + a, b - a};
        if (!pql_mat_push(&ev->tmp, &out->mat, &w))
            pql_ev_oom(ev);
    }
}

/* ---- dispatch -------------------------------------------------------------------- */

static void eval_unary(struct pql_ev *ev, const struct pql_node *n, int64_t ts,
                       struct pql_v *out)
{
    pql_eval(ev, n->u.un.expr, ts, out);
    if (n->u.un.op != PQL_OP_SUB)
        return;
    if (out->type == PQL_T_SCALAR) {
        out->s = -out->s;
        return;
    }
    for (size_t i = 0; i < out->vec.n; i++) {
        struct pql_el *e = &out->vec.v[i];
        e->ls = pql_ev_drop_name(ev, e->ls);
        e->v = -e->v;
        e->t = ts;
    }
    pql_ev_check_dups(ev, &out->vec);
}

void pql_eval(struct pql_ev *ev, const struct pql_node *n, int64_t ts, struct pql_v *out)
{
    memset(out, 0, sizeof *out);
    switch (n->kind) {
    case PQL_NUMBER:
        out->type = PQL_T_SCALAR;
        out->s = n->u.number;
        return;
    case PQL_STRING:
        out->type = PQL_T_STRING;
        out->str = n->u.string.s;
        return;
    case PQL_PAREN:
        pql_eval(ev, n->u.paren, ts, out);
        return;
    case PQL_VECTOR_SEL:
        eval_vs(ev, n, ts, out);
        return;
    case PQL_MATRIX_SEL:
        eval_ms(ev, n, ts, out);
        return;
    case PQL_SUBQUERY:
        pql_eval_subquery(ev, n, ts, out);
        return;
    case PQL_UNARY:
        eval_unary(ev, n, ts, out);
        return;
    case PQL_CALL:
        pql_eval_call(ev, n, ts, out);
        return;
    case PQL_AGGREGATE:
        pql_eval_aggregate(ev, n, ts, out);
        return;
    case PQL_BINARY:
        pql_eval_binary(ev, n, ts, out);
        return;
    }
    pql_ev_fail(ev, PQL_ERR_INTERNAL, "unknown node kind %d", (int)n->kind);
}
