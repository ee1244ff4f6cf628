/* SPDX-License-Identifier: Apache-2.0 */
/* binop.c: binary operators at one evaluation time, as Prometheus 2.42: scalar/scalar,
 * vector/scalar (comparison filters keep the vector's value, bool gives 0/1),
 * vector/vector with one-to-one, many-to-one and one-to-many matching (on/ignoring,
 * group_left/right include labels, its error texts), and the set operators and, or,
 * unless. Matching signatures and result labels are interned and cached per node. */
#include "flint/promql/eval.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "flint/promql/func.h"
#include "lm/buf.h"

/* elem: vectorElemBinop: the value and whether a comparison keeps it. */
static double elem(enum pql_binop op, double l, double r, bool *keep)
{
    *keep = true;
    switch (op) {
    case PQL_OP_ADD: return l + r;
    case PQL_OP_SUB: return l - r;
    case PQL_OP_MUL: return l * r;
    case PQL_OP_DIV: return l / r;
    case PQL_OP_POW: return pow(l, r);
    case PQL_OP_MOD: return fmod(l, r);
    case PQL_OP_ATAN2: return pql_go_atan2(l, r);
    case PQL_OP_EQLC: *keep = l == r; return l;
    case PQL_OP_NEQ: *keep = l != r; return l;
    case PQL_OP_GTR: *keep = l > r; return l;
    case PQL_OP_LSS: *keep = l < r; return l;
    case PQL_OP_GTE: *keep = l >= r; return l;
    case PQL_OP_LTE: *keep = l <= r; return l;
    default: break;
    }
    *keep = false;
    return NAN;
}

/* drops_name: shouldDropMetricName (arithmetic operators). */
static bool drops_name(enum pql_binop op)
{
    switch (op) {
    case PQL_OP_ADD: case PQL_OP_SUB: case PQL_OP_MUL: case PQL_OP_DIV: case PQL_OP_POW:
    case PQL_OP_MOD:
        return true;
    default:
        return false;
    }
}

static bool listed(const struct pql_binary *b, const char *name)
{
    for (size_t i = 0; i < b->nmatching; i++)
        if (!strcmp(b->matching[i], name))
            return true;
    return false;
}

/* keep_sig: is name a matching label (ctx: the binary node)? */
static bool keep_sig(const char *name, const void *ctx)
{
    const struct pql_binary *b = ctx;
    return b->on ? listed(b, name) : !listed(b, name) && strcmp(name, LBL_METRIC_NAME);
}

/* sig: the matching labels of ls (on: only those; ignoring: all but those and the name),
 * interned; cached per node. */
static const struct pql_ls *sig(struct pql_ev *ev, const struct pql_node *n,
                                const struct pql_ls *ls)
{
    struct pql_pmap *cache = pql_ev_pmap(ev, (const char *)n + 1, false);
    const struct pql_ls *s = pql_pmap_get(cache, ls);
    if (s)
        return s;
    s = pql_ev_intern_sub(ev, ls, keep_sig, &n->u.bin);
    bool found;
    void **slot = pql_pmap_slot(cache, ls, &found);
    if (!slot)
        pql_ev_oom(ev);
    *slot = (void *)s;
    return s;
}

/* result_labels: resultMetric(many, one). */
static const struct pql_ls *result_labels(struct pql_ev *ev, const struct pql_node *n,
                                          const struct pql_ls *many, const struct pql_ls *one)
{
    const struct pql_binary *b = &n->u.bin;
    struct pql_pmap *cache = NULL;
    if (!b->ninclude) {
        cache = pql_ev_pmap(ev, (const char *)n + 2, false);
        const struct pql_ls *r = pql_pmap_get(cache, many);
        if (r)
            return r;
    }
    if (lbl_set_copy(&ev->scratch, &many->s))
        pql_ev_oom(ev);
    if (drops_name(b->op))
        lbl_set_del(&ev->scratch, LBL_METRIC_NAME);
    if (b->card == PQL_CARD_ONE_TO_ONE) {
        if (b->on) {
            for (size_t i = ev->scratch.n; i-- > 0;)
                if (!listed(b, ev->scratch.v[i].name))
                    lbl_set_del(&ev->scratch, ev->scratch.v[i].name);
        } else {
            for (size_t i = 0; i < b->nmatching; i++)
                lbl_set_del(&ev->scratch, b->matching[i]);
        }
    }
    for (size_t i = 0; i < b->ninclude; i++) {
        const char *v = lbl_set_get(&one->s, b->include[i]);
        if (lbl_set_add(&ev->scratch, b->include[i], v ? v : ""))
            pql_ev_oom(ev);
    }
    const struct pql_ls *r = pql_ev_intern(ev, &ev->scratch);
    if (cache) {
        bool found;
        void **slot = pql_pmap_slot(cache, many, &found);
        if (!slot)
            pql_ev_oom(ev);
        *slot = (void *)r;
    }
    return r;
}

static void fmt_ls(const struct pql_ls *ls, char *out, size_t outsz)
{
    struct lm_buf b;
    lm_buf_init(&b, outsz - 1);
    lbl_set_format(&ls->s, &b);
    snprintf(out, outsz, "%s", lm_buf_cstr(&b));
    lm_buf_cleanup(&b);
}

static void vector_binop(struct pql_ev *ev, const struct pql_node *n, const struct pql_vec *l,
                         const struct pql_vec *r, int64_t ts, struct pql_vec *out)
{
    const struct pql_binary *b = &n->u.bin;
    bool swapped = b->card == PQL_CARD_ONE_TO_MANY;
    const struct pql_vec *many = swapped ? r : l, *one = swapped ? l : r;
    struct pql_pmap *ones = pql_ev_pmap(ev, (const char *)n + 3, true);
    for (size_t i = 0; i < one->n; i++) {
        const struct pql_ls *s = sig(ev, n, one->v[i].ls);
        bool found;
        void **slot = pql_pmap_slot(ones, s, &found);
        if (!slot)
            pql_ev_oom(ev);
        if (found) {
            const struct pql_el *dup = *slot;
            char a[300], c[300], d[300];
            fmt_ls(s, a, sizeof a);
            fmt_ls(one->v[i].ls, c, sizeof c);
            fmt_ls(dup->ls, d, sizeof d);
            pql_ev_fail(ev, PQL_ERR_EXECUTION,
                        "found duplicate series for the match group %s on the %s hand-side "
                        "of the operation: [%s, %s];many-to-many matching not allowed: "
                        "matching labels must be unique on one side",
                        a, swapped ? "left" : "right", c, d);
        }
        *slot = (void *)&one->v[i];
    }
    struct pql_pmap *matched = pql_ev_pmap(ev, (const char *)n + 4, true);
    for (size_t i = 0; i < many->n; i++) {
        const struct pql_el *m = &many->v[i];
        const struct pql_ls *s = sig(ev, n, m->ls);
        const struct pql_el *o = pql_pmap_get(ones, s);
        if (!o)
            continue;
        double vl = m->v, vr = o->v;
        if (swapped) {
            vl = o->v;
            vr = m->v;
        }
        bool keep;
        double v = elem(b->op, vl, vr, &keep);
        if (b->return_bool) {
            v = keep ? 1.0 : 0.0;
        } else if (!keep) {
            continue;
        }
        const struct pql_ls *rl = result_labels(ev, n, m->ls, o->ls);
        if (b->return_bool)
            rl = pql_ev_drop_name(ev, rl);
        bool found;
        if (b->card == PQL_CARD_ONE_TO_ONE) {
            void **slot = pql_pmap_slot(matched, s, &found);
            if (!slot)
                pql_ev_oom(ev);
            if (found)
                pql_ev_fail(ev, PQL_ERR_EXECUTION,
                            "multiple matches for labels: many-to-one matching must be "
                            "explicit (group_left/group_right)");
            *slot = (void *)s;
        } else {
            void **slot = pql_pmap_slot(matched, rl, &found);
            if (!slot)
                pql_ev_oom(ev);
            if (found && *slot == (void *)s)
                pql_ev_fail(ev, PQL_ERR_EXECUTION,
                            "multiple matches for labels: grouping labels must ensure unique "
                            "results");
            *slot = (void *)s;
        }
        pql_ev_push(ev, out, rl, ts, v);
    }
}

static void set_op(struct pql_ev *ev, const struct pql_node *n, const struct pql_vec *l,
                   const struct pql_vec *r, int64_t ts, struct pql_vec *out)
{
    enum pql_binop op = n->u.bin.op;
    if (op == PQL_OP_LOR) {
        struct pql_pmap *seen = pql_ev_pmap(ev, (const char *)n + 3, true);
        for (size_t i = 0; i < l->n; i++) {
            if (r->n) {
                bool f;
                void **slot = pql_pmap_slot(seen, sig(ev, n, l->v[i].ls), &f);
                if (!slot)
                    pql_ev_oom(ev);
                *slot = (void *)1;
            }
            pql_ev_push(ev, out, l->v[i].ls, ts, l->v[i].v);
        }
        for (size_t i = 0; i < r->n; i++)
            if (!l->n || !pql_pmap_get(seen, sig(ev, n, r->v[i].ls)))
                pql_ev_push(ev, out, r->v[i].ls, ts, r->v[i].v);
        return;
    }
    if (!l->n)
        return;
    if (!r->n) {
        if (op == PQL_OP_LUNLESS)
            for (size_t i = 0; i < l->n; i++)
                pql_ev_push(ev, out, l->v[i].ls, ts, l->v[i].v);
        return;
    }
    struct pql_pmap *rs = pql_ev_pmap(ev, (const char *)n + 3, true);
    for (size_t i = 0; i < r->n; i++) {
        bool f;
        void **slot = pql_pmap_slot(rs, sig(ev, n, r->v[i].ls), &f);
        if (!slot)
            pql_ev_oom(ev);
        *slot = (void *)1;
    }
    for (size_t i = 0; i < l->n; i++) {
        bool in = pql_pmap_get(rs, sig(ev, n, l->v[i].ls)) != NULL;
        if (in == (op == PQL_OP_LAND))
            pql_ev_push(ev, out, l->v[i].ls, ts, l->v[i].v);
    }
}

void pql_eval_binary(struct pql_ev *ev, const struct pql_node *n, int64_t ts, struct pql_v *out)
{
    const struct pql_binary *b = &n->u.bin;
    struct pql_v l, r;
    pql_eval(ev, b->lhs, ts, &l);
    pql_eval(ev, b->rhs, ts, &r);
    if (l.type == PQL_T_SCALAR && r.type == PQL_T_SCALAR) {
        bool keep;
        double v = elem(b->op, l.s, r.s, &keep);
        out->type = PQL_T_SCALAR;
        out->s = pql_binop_is_comparison(b->op) ? (keep ? 1.0 : 0.0) : v;
        return;
    }
    out->type = PQL_T_VECTOR;
    if (l.type == PQL_T_VECTOR && r.type == PQL_T_VECTOR) {
        if (pql_binop_is_set(b->op))
            set_op(ev, n, &l.vec, &r.vec, ts, &out->vec);
        else
            vector_binop(ev, n, &l.vec, &r.vec, ts, &out->vec);
        pql_ev_check_dups(ev, &out->vec);
        return;
    }
    bool swap = l.type == PQL_T_SCALAR;
    const struct pql_vec *vec = swap ? &r.vec : &l.vec;
    double sc = swap ? l.s : r.s;
    bool cmp = pql_binop_is_comparison(b->op);
    for (size_t i = 0; i < vec->n; i++) {
        const struct pql_el *e = &vec->v[i];
        double lv = e->v, rv = sc;
        if (swap) {
            lv = sc;
            rv = e->v;
        }
        bool keep;
        double v = elem(b->op, lv, rv, &keep);
        if (cmp && swap)
            v = rv;
        if (b->return_bool) {
            v = keep ? 1.0 : 0.0;
            keep = true;
        }
        if (!keep)
            continue;
        const struct pql_ls *ls = e->ls;
        if (drops_name(b->op) || b->return_bool)
            ls = pql_ev_drop_name(ev, ls);
        pql_ev_push(ev, &out->vec, ls, ts, v);
    }
    pql_ev_check_dups(ev, &out->vec);
}
