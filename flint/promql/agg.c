/* SPDX-License-Identifier: Apache-2.0 */
/* agg.c: aggregation operators at one evaluation time, as Prometheus 2.42's
 * aggregation(): groups in order of first appearance; sum plain, avg (incremental) and
 * stddev/stdvar (Welford, population) Kahan-compensated, min/max with NaN replaced,
 * count, group, count_values (value label in Go 'f' form), quantile, and topk/bottomk
 * through Go's container/heap moves so ties pick the same series. */
#include "flint/promql/eval.h"

#include <math.h>
#include <string.h>

#include "flint/promql/func.h"
#include "lm/alloc.h"

struct grp {
    const struct pql_ls *ls;      /* output labels */
    double value, mean;
    double cmean, cvalue;         /* Kahan compensation of mean and value */
    double count;
    struct pql_el *heap;          /* topk/bottomk/quantile members (tmp arena) */
    size_t n, cap;
};

struct keep_ctx {
    const struct pql_aggregate *a;
    const char *extra;
};

/* keep_group: is name one of the output labels of the aggregation? */
static bool keep_group(const char *name, const void *ctx)
{
    const struct keep_ctx *k = ctx;
    bool listed = k->extra && !strcmp(name, k->extra);
    for (size_t j = 0; !listed && j < k->a->ngrouping; j++)
        listed = !strcmp(name, k->a->grouping[j]);
    if (k->a->without)
        return !listed && strcmp(name, LBL_METRIC_NAME) != 0;
    return listed;
}

/* group_labels: the grouping labels of ls for this aggregation (cached per input). */
static const struct pql_ls *group_labels(struct pql_ev *ev, const struct pql_aggregate *a,
                                         const struct pql_ls *ls, const char *extra)
{
    struct keep_ctx k = {a, a->without ? NULL : extra};
    return pql_ev_intern_sub(ev, ls, keep_group, &k);
}

static void heap_push(struct pql_ev *ev, struct grp *g, const struct pql_el *e)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        struct pql_el *nh = pql_ev_alloc(ev, cap * sizeof *nh);
        if (g->n)
            memcpy(nh, g->heap, g->n * sizeof *nh);
        g->heap = nh;
        g->cap = cap;
    }
    g->heap[g->n++] = *e;
}

/* less: vectorByValueHeap (top) or vectorByReverseValueHeap (bottom) Less(i, j). */
static bool less(const struct pql_el *h, size_t i, size_t j, bool top)
{
    if (isnan(h[i].v))
        return true;
    return top ? h[i].v < h[j].v : h[i].v > h[j].v;
}

static void swap(struct pql_el *h, size_t i, size_t j)
{
    struct pql_el t = h[i];
    h[i] = h[j];
    h[j] = t;
}

static void up(struct pql_el *h, size_t j, bool top)
{
    while (j > 0) {
        size_t i = (j - 1) / 2;
        if (!less(h, j, i, top))
            break;
        swap(h, i, j);
        j = i;
    }
}

static bool down(struct pql_el *h, size_t i0, size_t n, bool top)
{
    size_t i = i0;
    for (;;) {
        size_t j1 = 2 * i + 1;
        if (j1 >= n)
            break;
        size_t j = j1;
        if (j1 + 1 < n && less(h, j1 + 1, j1, top))
            j = j1 + 1;
        if (!less(h, j, i, top))
            break;
        swap(h, i, j);
        i = j;
    }
    return i > i0;
}

static void topk_add(struct pql_ev *ev, struct grp *g, const struct pql_el *e, int64_t k,
                     bool top)
{
    if ((int64_t)g->n < k) {
        heap_push(ev, g, e);
        up(g->heap, g->n - 1, top);
        return;
    }
    double h0 = g->heap[0].v;
    bool repl = top ? h0 < e->v : h0 > e->v;
    if (repl || (isnan(h0) && !isnan(e->v))) {
        g->heap[0] = *e;
        if (k > 1 && !down(g->heap, 0, g->n, top))
            up(g->heap, 0, top);
    }
}

/* topk_order: sort.Sort(sort.Reverse(heap)) (insertion sort, as Go for <= 12). */
static void topk_order(struct grp *g, bool top)
{
    for (size_t i = 1; i < g->n; i++)
        for (size_t j = i; j > 0 && less(g->heap, j - 1, j, top); j--)
            swap(g->heap, j, j - 1);
}

/* grp_init: start group g with its first element e. */
static void grp_init(struct pql_ev *ev, const struct pql_aggregate *a, struct grp *g,
                     const struct pql_ls *gl, const struct pql_el *e)
{
    memset(g, 0, sizeof *g);
    g->ls = gl;
    g->value = e->v;
    g->mean = e->v;
    g->count = 1;
    switch (a->op) {
    case PQL_AGG_STDDEV:
    case PQL_AGG_STDVAR: g->value = 0; break;
    case PQL_AGG_TOPK:
    case PQL_AGG_BOTTOMK:
    case PQL_AGG_QUANTILE: heap_push(ev, g, e); break;
    case PQL_AGG_GROUP: g->value = 1; break;
    default: break;
    }
}

/* grp_add: add a further element e to group gr. */
static void grp_add(struct pql_ev *ev, const struct pql_aggregate *a, struct grp *gr,
                    const struct pql_el *e, int64_t k, bool top)
{
    double v = e->v;
    switch (a->op) {
    case PQL_AGG_SUM: gr->value += v; break;
    case PQL_AGG_AVG:
        gr->count++;
        if (isinf(gr->mean)) {
            if (isinf(v) && (gr->mean > 0) == (v > 0))
                break;
            if (!isinf(v) && !isnan(v))
                break;
        }
        pql_kahan_inc(v / gr->count - gr->mean / gr->count, &gr->mean, &gr->cmean);
        break;
    case PQL_AGG_GROUP: break;
    case PQL_AGG_COUNT:
    case PQL_AGG_COUNT_VALUES: gr->count++; break;
    case PQL_AGG_MAX:
        if (gr->value < v || isnan(gr->value))
            gr->value = v;
        break;
    case PQL_AGG_MIN:
        if (gr->value > v || isnan(gr->value))
            gr->value = v;
        break;
    case PQL_AGG_STDVAR:
    case PQL_AGG_STDDEV: {
        gr->count++;
        double delta = v - (gr->mean + gr->cmean);
        pql_kahan_inc(delta / gr->count, &gr->mean, &gr->cmean);
        pql_kahan_inc(delta * (v - (gr->mean + gr->cmean)), &gr->value, &gr->cvalue);
        break;
    }
    case PQL_AGG_TOPK:
    case PQL_AGG_BOTTOMK: topk_add(ev, gr, e, k, top); break;
    case PQL_AGG_QUANTILE: heap_push(ev, gr, e); break;
    }
}

/* The grouping of the last input vector of an aggregation node: in a range query the
 * next step's input usually has the same series in the same order, and then the group
 * of each element is known without a lookup. */
struct memo {
    const struct pql_ls **in;     /* input labels in order (n valid) */
    uint32_t *gi;                 /* their group indexes */
    const struct pql_ls **gl;     /* group labels by index */
    size_t n, cap;
};

static void memo_free(void *p)
{
    struct memo *m = p;
    if (!m)
        return;
    lm_free(m->in);
    lm_free(m->gi);
    lm_free(m->gl);
    lm_free(m);
}

static struct memo *memo_of(struct pql_ev *ev, const struct pql_node *n)
{
    if (!ev->step)
        return NULL;
    struct pql_nstate *st = pql_ev_state(ev, (const char *)n + 2);
    if (!st->p) {
        if (!(st->p = lm_calloc(1, sizeof(struct memo))))
            pql_ev_oom(ev);
        st->free_fn = memo_free;
    }
    return st->p;
}

static bool memo_same(const struct memo *m, const struct pql_vec *v)
{
    if (m->n != v->n)
        return false;
    for (size_t i = 0; i < v->n; i++)
        if (m->in[i] != v->v[i].ls)
            return false;
    return true;
}

/* memo_reserve: room for n elements; the memo is emptied. */
static bool memo_reserve(struct memo *m, size_t n)
{
    m->n = 0;
    if (n <= m->cap)
        return true;
    const struct pql_ls **in = lm_realloc(m->in, n * sizeof *in);
    if (in)
        m->in = in;
    uint32_t *gi = lm_realloc(m->gi, n * sizeof *gi);
    if (gi)
        m->gi = gi;
    const struct pql_ls **gl = lm_realloc(m->gl, n * sizeof *gl);
    if (gl)
        m->gl = gl;
    if (!in || !gi || !gl)
        return false;
    m->cap = n;
    return true;
}

void pql_eval_aggregate(struct pql_ev *ev, const struct pql_node *n, int64_t ts,
                        struct pql_v *out)
{
    const struct pql_aggregate *a = &n->u.agg;
    double param = 0;
    const char *vlabel = NULL;
    if (a->param) {
        struct pql_v pv;
        pql_eval(ev, a->param, ts, &pv);
        param = pv.s;
        if (a->op == PQL_AGG_COUNT_VALUES) {
            vlabel = pv.str;
            if (!lbl_name_valid(vlabel, strlen(vlabel)))
                pql_ev_fail(ev, PQL_ERR_EXECUTION, "invalid label name \"%s\"", vlabel);
        }
    }
    struct pql_v in;
    pql_eval(ev, a->expr, ts, &in);
    out->type = PQL_T_VECTOR;
    int64_t k = 0;
    if (a->op == PQL_AGG_TOPK || a->op == PQL_AGG_BOTTOMK) {
        if (!(param >= 1))
            return;
        k = param >= (double)in.vec.n ? (int64_t)in.vec.n : (int64_t)param;
    }
    struct pql_pmap *cache = pql_ev_pmap(ev, (const char *)n + 1, false);
    struct pql_pmap *gidx = pql_ev_pmap(ev, n, true);
    struct grp *g = pql_ev_alloc(ev, (in.vec.n + 1) * sizeof *g);
    size_t ng = 0;
    bool top = a->op == PQL_AGG_TOPK;
    struct memo *mm = vlabel ? NULL : memo_of(ev, n);
    bool same = mm && memo_same(mm, &in.vec);
    if (mm && !same && !memo_reserve(mm, in.vec.n))
        pql_ev_oom(ev);
    for (size_t i = 0; i < in.vec.n; i++) {
        const struct pql_el *e = &in.vec.v[i];
        const struct pql_ls *gl;
        if (same) {
            uint32_t gi = mm->gi[i];
            if (gi == ng) {
                struct grp *ng_ = &g[ng++];
                grp_init(ev, a, ng_, mm->gl[gi], e);
                continue;
            }
            grp_add(ev, a, &g[gi], e, k, top);
            continue;
        }
        if (vlabel) {
            char fb[PQL_FMT_FLOAT_MAX];
            size_t fl = pql_fmt_float_f(fb, e->v);
            if (lbl_set_copy(&ev->scratch, &e->ls->s) ||
                lbl_set_addn(&ev->scratch, vlabel, strlen(vlabel), fb, fl))
                pql_ev_oom(ev);
            const struct pql_ls *withv = pql_ev_intern(ev, &ev->scratch);
            gl = group_labels(ev, a, withv, vlabel);
        } else {
            gl = pql_pmap_get(cache, e->ls);
            if (!gl) {
                gl = group_labels(ev, a, e->ls, NULL);
                bool f;
                void **slot = pql_pmap_slot(cache, e->ls, &f);
                if (!slot)
                    pql_ev_oom(ev);
                *slot = (void *)gl;
            }
        }
        bool found;
        void **slot = pql_pmap_slot(gidx, gl, &found);
        if (!slot)
            pql_ev_oom(ev);
        if (!found)
            *slot = (void *)(uintptr_t)(ng + 1);
        size_t gi = (uintptr_t)*slot - 1;
        if (mm) {
            mm->in[i] = e->ls;
            mm->gi[i] = (uint32_t)gi;
            mm->gl[gi] = gl;
            mm->n = i + 1;
        }
        if (!found) {
            grp_init(ev, a, &g[ng++], gl, e);
            continue;
        }
        grp_add(ev, a, &g[gi], e, k, top);
    }
    for (size_t i = 0; i < ng; i++) {
        struct grp *gr = &g[i];
        double v = gr->value;
        switch (a->op) {
        case PQL_AGG_AVG: v = isinf(gr->mean) ? gr->mean : gr->mean + gr->cmean; break;
        case PQL_AGG_COUNT:
        case PQL_AGG_COUNT_VALUES: v = gr->count; break;
        case PQL_AGG_STDVAR: v = (gr->value + gr->cvalue) / gr->count; break;
        case PQL_AGG_STDDEV: v = sqrt((gr->value + gr->cvalue) / gr->count); break;
        case PQL_AGG_QUANTILE: {
            double *vals = pql_ev_alloc(ev, gr->n * sizeof *vals);
            for (size_t j = 0; j < gr->n; j++)
                vals[j] = gr->heap[j].v;
            v = pql_quantile(param, vals, gr->n);
            break;
        }
        case PQL_AGG_TOPK:
        case PQL_AGG_BOTTOMK:
            if (gr->n > 1)
                topk_order(gr, top);
            for (size_t j = 0; j < gr->n; j++)
                pql_ev_push(ev, &out->vec, gr->heap[j].ls, ts, gr->heap[j].v);
            continue;
        default: break;
        }
        pql_ev_push(ev, &out->vec, gr->ls, ts, v);
    }
}
