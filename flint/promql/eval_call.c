/* SPDX-License-Identifier: Apache-2.0 */
/* eval_call.c: function calls at one evaluation time: range functions over each window
 * (func_range.c), element-wise math and dates (func_math.c), clamp*, round, timestamp,
 * time, pi, vector, scalar, absent(_over_time), sort(_desc), histogram_quantile; label_*
 * live in func_label.c. Names are dropped where Prometheus 2.42 drops them. */
#include "flint/promql/eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flint/promql/func.h"
#include "lm/alloc.h"

static double scalar_arg(struct pql_ev *ev, const struct pql_node *n, int64_t ts)
{
    struct pql_v v;
    pql_eval(ev, n, ts, &v);
    return v.s;
}

static const struct pql_ls *empty_ls(struct pql_ev *ev)
{
    struct lbl_set e = {0};
    return pql_ev_intern(ev, &e);
}

/* range_of: the range and reference time of a matrix argument at ts. */
static void range_of(const struct pql_ev *ev, const struct pql_node *m, int64_t ts,
                     int64_t *range, int64_t *ref)
{
    enum pql_at at;
    int64_t at_ms, off;
    if (m->kind == PQL_MATRIX_SEL) {
        const struct pql_vector_sel *vs = &m->u.ms.vs->u.vs;
        *range = m->u.ms.range_ms;
        at = vs->at;
        at_ms = vs->at_ms;
        off = vs->offset_ms;
    } else {
        *range = m->u.sq.range_ms;
        at = m->u.sq.at;
        at_ms = m->u.sq.at_ms;
        off = m->u.sq.offset_ms;
    }
    int64_t t = ts;
    if (at == PQL_AT_TS)
        t = at_ms;
    else if (at == PQL_AT_START)
        t = ev->start;
    else if (at == PQL_AT_END)
        t = ev->end;
    *ref = pql_tsub(t, off);
}

static void call_rollup(struct pql_ev *ev, const struct pql_node *n, int64_t ts,
                        struct pql_v *out)
{
    const struct pql_call *c = &n->u.call;
    enum pql_func_id fn = c->func->id;
    size_t mi = fn == PQL_FN_QUANTILE_OVER_TIME ? 1 : 0;
    struct pql_roll r = {0};
    r.ts = ts;
    if (fn == PQL_FN_QUANTILE_OVER_TIME)
        r.arg = scalar_arg(ev, c->args[0], ts);
    else if (fn == PQL_FN_PREDICT_LINEAR || fn == PQL_FN_HOLT_WINTERS)
        r.arg = scalar_arg(ev, c->args[1], ts);
    if (fn == PQL_FN_HOLT_WINTERS)
        r.arg2 = scalar_arg(ev, c->args[2], ts);
    const struct pql_node *m = pql_node_unparen(c->args[mi]);
    range_of(ev, m, ts, &r.range_ms, &r.range_end);
    r.range_start = pql_tsub(r.range_end, r.range_ms);
    struct pql_v mv;
    pql_eval(ev, m, ts, &mv);
    out->type = PQL_T_VECTOR;
    bool keep = pql_rollup_keeps_name(fn);
    for (size_t i = 0; i < mv.mat.n; i++) {
        const struct pql_win *w = &mv.mat.v[i];
        pql_ev_check(ev);
        if (!w->n)
            continue;
        double v;
        char msg[PQL_ERR_MSG_MAX];
        int rc = pql_rollup(fn, w->pts, w->n, &r, &v, msg);
        if (rc < 0)
            pql_ev_fail(ev, PQL_ERR_EXECUTION, "%s", msg);
        if (rc > 0)
            pql_ev_push(ev, &out->vec, keep ? w->ls : pql_ev_drop_name(ev, w->ls), ts, v);
    }
    pql_ev_check_dups(ev, &out->vec);
}

/* parse_le: strconv.ParseFloat of an le value; false when it is not a number. */
static bool parse_le(const char *s, double *out)
{
    if (!s || !*s || s[0] == ' ' || s[0] == '\t' || s[0] == '\n')
        return false;
    char *end;
    *out = strtod(s, &end);
    return *end == '\0';
}

struct hq_group {
    const struct pql_ls *ls;      /* output labels (no __name__, no le) */
    struct pql_bucket *b;         /* tmp arena */
    size_t n, cap;
};

static bool not_le(const char *name, const void *ctx)
{
    (void)ctx;
    return strcmp(name, "le") != 0;
}

static void call_histogram_quantile(struct pql_ev *ev, const struct pql_node *n, int64_t ts,
                                    struct pql_v *out)
{
    double phi = scalar_arg(ev, n->u.call.args[0], ts);
    struct pql_v in;
    pql_eval(ev, n->u.call.args[1], ts, &in);
    out->type = PQL_T_VECTOR;
    struct pql_pmap *keys = pql_ev_pmap(ev, n, true);
    struct hq_group *g = pql_ev_alloc(ev, (in.vec.n + 1) * sizeof *g);
    size_t ng = 0;
    for (size_t i = 0; i < in.vec.n; i++) {
        const struct pql_el *e = &in.vec.v[i];
        double le;
        if (!parse_le(lbl_set_get(&e->ls->s, "le"), &le))
            continue;
        /* group by every label but le (the name included), as Prometheus */
        const struct pql_ls *key = pql_ev_intern_sub(ev, e->ls, not_le, NULL);
        bool found;
        void **slot = pql_pmap_slot(keys, key, &found);
        if (!slot)
            pql_ev_oom(ev);
        if (!found) {
            g[ng] = (struct hq_group){pql_ev_drop_name(ev, key), NULL, 0, 0};
            *slot = (void *)(uintptr_t)++ng;
        }
        struct hq_group *gr = &g[(uintptr_t)*slot - 1];
        if (gr->n == gr->cap) {
            size_t cap = gr->cap ? gr->cap * 2 : 16;
            struct pql_bucket *nb = pql_ev_alloc(ev, cap * sizeof *nb);
            if (gr->n)
                memcpy(nb, gr->b, gr->n * sizeof *nb);
            gr->b = nb;
            gr->cap = cap;
        }
        gr->b[gr->n++] = (struct pql_bucket){le, e->v};
    }
    for (size_t i = 0; i < ng; i++)
        pql_ev_push(ev, &out->vec, g[i].ls, ts, pql_bucket_quantile(phi, g[i].b, g[i].n));
    pql_ev_check_dups(ev, &out->vec);
}

/* sort order: ascending or descending by value, NaN last, stable. */
static int cmp_asc(const void *a, const void *b)
{
    const struct pql_el *x = a, *y = b;
    if (isnan(x->v) || isnan(y->v))
        return isnan(x->v) - isnan(y->v);
    return x->v < y->v ? -1 : x->v > y->v;
}

static int cmp_desc(const void *a, const void *b)
{
    const struct pql_el *x = a, *y = b;
    if (isnan(x->v) || isnan(y->v))
        return isnan(x->v) - isnan(y->v);
    return x->v > y->v ? -1 : x->v < y->v;
}

/* stable_sort: insertion-merge sort keeping input order for ties. */
static void stable_sort(struct pql_ev *ev, struct pql_el *v, size_t n,
                        int (*cmp)(const void *, const void *))
{
    if (n < 2)
        return;
    struct pql_el *tmp = pql_ev_alloc(ev, n * sizeof *tmp);
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = cmp(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
            while (i < mid)
                tmp[k++] = v[i++];
            while (j < hi)
                tmp[k++] = v[j++];
        }
        memcpy(v, tmp, n * sizeof *v);
    }
}

void pql_eval_call(struct pql_ev *ev, const struct pql_node *n, int64_t ts, struct pql_v *out)
{
    const struct pql_call *c = &n->u.call;
    enum pql_func_id fn = c->func->id;
    if (pql_is_rollup(fn)) {
        if (!pql_rollup_batched(ev, n, ts, out))
            call_rollup(ev, n, ts, out);
        return;
    }
    out->type = PQL_T_VECTOR;
    switch (fn) {
    case PQL_FN_TIME:
        out->type = PQL_T_SCALAR;
        out->s = (double)ts / 1000;
        return;
    case PQL_FN_PI:
        out->type = PQL_T_SCALAR;
        out->s = M_PI;
        return;
    case PQL_FN_VECTOR:
        pql_ev_push(ev, &out->vec, empty_ls(ev), ts, scalar_arg(ev, c->args[0], ts));
        return;
    case PQL_FN_SCALAR: {
        struct pql_v in;
        pql_eval(ev, c->args[0], ts, &in);
        out->type = PQL_T_SCALAR;
        out->s = in.vec.n == 1 ? in.vec.v[0].v : NAN;
        return;
    }
    case PQL_FN_ABSENT_OVER_TIME: {
        struct pql_v in;
        pql_eval(ev, c->args[0], ts, &in);
        if (in.mat.n == 0)
            pql_ev_push(ev, &out->vec, pql_absent_labels(ev, c->args[0]), ts, 1);
        return;
    }
    case PQL_FN_ABSENT: {
        struct pql_v in;
        pql_eval(ev, c->args[0], ts, &in);
        if (in.vec.n == 0)
            pql_ev_push(ev, &out->vec, pql_absent_labels(ev, c->args[0]), ts, 1);
        return;
    }
    case PQL_FN_HISTOGRAM_QUANTILE:
        call_histogram_quantile(ev, n, ts, out);
        return;
    case PQL_FN_HISTOGRAM_COUNT:
    case PQL_FN_HISTOGRAM_SUM:
    case PQL_FN_HISTOGRAM_FRACTION: {
        /* native histograms only: float samples give nothing */
        for (size_t i = 0; i < c->nargs; i++) {
            struct pql_v in;
            pql_eval(ev, c->args[i], ts, &in);
        }
        return;
    }
    case PQL_FN_LABEL_REPLACE:
    case PQL_FN_LABEL_JOIN: {
        struct pql_v in;
        pql_eval(ev, c->args[0], ts, &in);
        pql_eval_label_fn(ev, n, &in.vec, ts, &out->vec);
        pql_ev_check_dups(ev, &out->vec);
        return;
    }
    default:
        break;
    }
    if (pql_is_date(fn) && c->nargs == 0) {
        pql_ev_push(ev, &out->vec, empty_ls(ev), ts, pql_math(fn, (double)(ts / 1000)));
        return;
    }
    /* the rest take an instant vector first */
    struct pql_v in;
    pql_eval(ev, c->args[0], ts, &in);
    double a1 = 0, a2 = 0;
    if (c->nargs > 1)
        a1 = scalar_arg(ev, c->args[1], ts);
    if (c->nargs > 2)
        a2 = scalar_arg(ev, c->args[2], ts);
    switch (fn) {
    case PQL_FN_SORT:
    case PQL_FN_SORT_DESC:
        out->vec = in.vec;
        for (size_t i = 0; i < out->vec.n; i++)
            out->vec.v[i].t = ts;
        stable_sort(ev, out->vec.v, out->vec.n, fn == PQL_FN_SORT ? cmp_asc : cmp_desc);
        return;
    case PQL_FN_TIMESTAMP: {
        bool sel = pql_node_unparen(c->args[0])->kind == PQL_VECTOR_SEL;
        for (size_t i = 0; i < in.vec.n; i++) {
            const struct pql_el *e = &in.vec.v[i];
            pql_ev_push(ev, &out->vec, pql_ev_drop_name(ev, e->ls), ts,
                        (double)(sel ? e->t : ts) / 1000);
        }
        break;
    }
    case PQL_FN_CLAMP:
        if (a2 < a1)
            return;
        for (size_t i = 0; i < in.vec.n; i++) {
            const struct pql_el *e = &in.vec.v[i];
            pql_ev_push(ev, &out->vec, pql_ev_drop_name(ev, e->ls), ts,
                        pql_go_max(a1, pql_go_min(a2, e->v)));
        }
        break;
    case PQL_FN_CLAMP_MIN:
    case PQL_FN_CLAMP_MAX:
        for (size_t i = 0; i < in.vec.n; i++) {
            const struct pql_el *e = &in.vec.v[i];
            double v = fn == PQL_FN_CLAMP_MIN ? pql_go_max(a1, e->v) : pql_go_min(a1, e->v);
            pql_ev_push(ev, &out->vec, pql_ev_drop_name(ev, e->ls), ts, v);
        }
        break;
    case PQL_FN_ROUND: {
        double inv = 1.0 / (c->nargs > 1 ? a1 : 1.0);
        for (size_t i = 0; i < in.vec.n; i++) {
            const struct pql_el *e = &in.vec.v[i];
            pql_ev_push(ev, &out->vec, pql_ev_drop_name(ev, e->ls), ts,
                        floor(e->v * inv + 0.5) / inv);
        }
        break;
    }
    default:
        if (!pql_is_math(fn))
            pql_ev_fail(ev, PQL_ERR_EXECUTION, "function %s is not supported",
                        c->func->name);
        for (size_t i = 0; i < in.vec.n; i++) {
            const struct pql_el *e = &in.vec.v[i];
            pql_ev_push(ev, &out->vec, pql_ev_drop_name(ev, e->ls), ts, pql_math(fn, e->v));
        }
        break;
    }
    pql_ev_check_dups(ev, &out->vec);
}
