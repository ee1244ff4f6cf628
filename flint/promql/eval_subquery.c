/* SPDX-License-Identifier: Apache-2.0 */
/* eval_subquery.c: subqueries. The inner expression is evaluated at the multiples of
 * the step inside [t - offset - range, t - offset] (Prometheus 2.42's alignment: the
 * first is step * ((t - offset - range) / step), moved up one step when below), and the
 * points are grouped by series. Inner steps are cached per node across evaluations
 * (the outer steps of a range query overlap), so each inner step is computed once. */
#include "flint/promql/eval.h"

#include <stdlib.h>
#include <string.h>

#include "lm/alloc.h"

struct sq_step {                 /* one cached inner step */
    int64_t t;
    struct pql_el *v;            /* lm_malloc'd copy; ls interned */
    size_t n;
};

struct sq_cache {
    struct sq_step *s;           /* lm_malloc'd ring-free deque: s[head .. n) live */
    size_t head, n, cap;
    int64_t step;
};

static void cache_free(void *p)
{
    struct sq_cache *c = p;
    for (size_t i = c->head; i < c->n; i++)
        lm_free(c->s[i].v);
    lm_free(c->s);
    lm_free(c);
}

static void cache_drop_front(struct pql_ev *ev, struct sq_cache *c)
{
    ev->loaded -= (int64_t)c->s[c->head].n;
    lm_free(c->s[c->head].v);
    c->head++;
}

static void cache_add(struct pql_ev *ev, struct sq_cache *c, int64_t t, const struct pql_v *v)
{
    if (c->n == c->cap) {
        if (c->head) {
            memmove(c->s, c->s + c->head, (c->n - c->head) * sizeof *c->s);
            c->n -= c->head;
            c->head = 0;
        }
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 16;
            struct sq_step *ns = lm_realloc(c->s, cap * sizeof *ns);
            if (!ns)
                pql_ev_oom(ev);
            c->s = ns;
            c->cap = cap;
        }
    }
    struct sq_step *st = &c->s[c->n];
    st->t = t;
    st->n = 0;
    st->v = NULL;
    size_t n = v->type == PQL_T_SCALAR ? 1 : v->vec.n;
    if (n) {
        st->v = lm_malloc(n * sizeof *st->v);
        if (!st->v)
            pql_ev_oom(ev);
    }
    c->n++;
    if (v->type == PQL_T_SCALAR) {
        struct lbl_set empty = {0};
        st->v[0] = (struct pql_el){pql_ev_intern(ev, &empty), t, v->s};
    } else if (n) {
        memcpy(st->v, v->vec.v, n * sizeof *st->v);
    }
    st->n = n;
    pql_ev_count(ev, (int64_t)n);
}

struct acc {                     /* one series of the result being built */
    const struct pql_ls *ls;
    struct pql_point *pts;       /* tmp arena */
    size_t n, cap;
};

static int cmp_acc(const void *a, const void *b)
{
    const struct acc *x = a, *y = b;
    return lbl_set_cmp(&x->ls->s, &y->ls->s);
}

void pql_eval_subquery(struct pql_ev *ev, const struct pql_node *n, int64_t ts,
                       struct pql_v *out)
{
    const struct pql_subquery *sq = &n->u.sq;
    int64_t step = sq->step_ms ? sq->step_ms : ev->sq_step;
    int64_t ref = pql_tsub(pql_at_time(ev, sq->at, sq->at_ms, ts), sq->offset_ms);
    int64_t first = pql_tsub(ref, sq->range_ms);
    int64_t t0 = step * (first / step);   /* Go's truncating division, as Prometheus */
    if (t0 < first)
        t0 = pql_tsub(t0, -step);
    struct pql_nstate *st = pql_ev_state(ev, n);
    if (!st->p) {
        st->p = lm_calloc(1, sizeof(struct sq_cache));
        if (!st->p)
            pql_ev_oom(ev);
        st->free_fn = cache_free;
    }
    struct sq_cache *c = st->p;
    /* keep the cached run only if it can serve this window from its front */
    if (c->head < c->n && c->s[c->head].t > t0)
        while (c->head < c->n)
            cache_drop_front(ev, c);
    while (c->head < c->n && c->s[c->head].t < t0)
        cache_drop_front(ev, c);
    int64_t have = c->head < c->n ? c->s[c->n - 1].t : pql_tsub(t0, step);
    for (int64_t t = pql_tsub(have, -step); t <= ref && t >= have; t = pql_tsub(t, -step)) {
        pql_ev_check(ev);
        struct pql_arena_mark m = pql_arena_mark(&ev->tmp);
        struct pql_v v;
        pql_eval(ev, sq->expr, t, &v);
        cache_add(ev, c, t, &v);
        pql_arena_release(&ev->tmp, m);
    }
    /* group the window's points by series */
    struct pql_pmap *idx = pql_ev_pmap(ev, (const char *)n + 1, true);
    struct acc *accs = NULL;
    size_t nacc = 0, capacc = 0;
    for (size_t i = c->head; i < c->n && c->s[i].t <= ref; i++) {
        const struct sq_step *s = &c->s[i];
        for (size_t j = 0; j < s->n; j++) {
            bool found;
            void **slot = pql_pmap_slot(idx, s->v[j].ls, &found);
            if (!slot)
                pql_ev_oom(ev);
            if (!found) {
                if (nacc == capacc) {
                    size_t cap = capacc ? capacc * 2 : 16;
                    struct acc *na = pql_ev_alloc(ev, cap * sizeof *na);
                    if (nacc)
                        memcpy(na, accs, nacc * sizeof *na);
                    accs = na;
                    capacc = cap;
                }
                accs[nacc] = (struct acc){s->v[j].ls, NULL, 0, 0};
                *slot = (void *)(uintptr_t)++nacc;
            }
            struct acc *a = &accs[(uintptr_t)*slot - 1];
            if (a->n == a->cap) {
                size_t cap = a->cap ? a->cap * 2 : 16;
                struct pql_point *np = pql_ev_alloc(ev, cap * sizeof *np);
                if (a->n)
                    memcpy(np, a->pts, a->n * sizeof *np);
                a->pts = np;
                a->cap = cap;
            }
            a->pts[a->n++] = (struct pql_point){s->t, s->v[j].v};
        }
    }
    if (nacc > 1)
        qsort(accs, nacc, sizeof *accs, cmp_acc);
    out->type = PQL_T_MATRIX;
    for (size_t i = 0; i < nacc; i++) {
        struct pql_win w = {accs[i].ls, accs[i].pts, accs[i].n};
        if (!pql_mat_push(&ev->tmp, &out->mat, &w))
            pql_ev_oom(ev);
    }
}
