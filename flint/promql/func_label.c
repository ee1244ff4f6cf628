/* SPDX-License-Identifier: Apache-2.0 */
/* func_label.c: label_replace and label_join (Prometheus 2.42 semantics and error
 * texts: anchored RE2-style regex, Go's $1/${name} expansion, an empty result deletes
 * the label), and the label set absent()/absent_over_time() give for their argument. */
#include "flint/promql/eval.h"

#include <string.h>

#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/regex.h"

static const char *str_arg(const struct pql_node *n)
{
    n = pql_node_unparen(n);
    return n->kind == PQL_STRING ? n->u.string.s : "";
}

static void free_regex(void *p)
{
    lm_regex_free(p);
}

static void label_replace(struct pql_ev *ev, const struct pql_node *n, const struct pql_vec *in,
                          int64_t ts, struct pql_vec *out)
{
    const struct pql_call *c = &n->u.call;
    const char *dst = str_arg(c->args[1]), *repl = str_arg(c->args[2]);
    const char *src = str_arg(c->args[3]), *rx = str_arg(c->args[4]);
    struct pql_nstate *st = pql_ev_state(ev, n);
    if (!st->p) {
        struct lm_err e = {0};
        struct lm_regex *re = lm_regex_new(rx, true, &e);
        if (!re) {
            if (e.code == LM_ENOMEM)
                pql_ev_oom(ev);
            pql_ev_fail(ev, PQL_ERR_EXECUTION,
                        "invalid regular expression in label_replace(): %s", rx);
        }
        st->p = re;
        st->free_fn = free_regex;
        if (!lbl_name_valid(dst, strlen(dst)))
            pql_ev_fail(ev, PQL_ERR_EXECUTION,
                        "invalid destination label name in label_replace(): %s", dst);
    }
    const struct lm_regex *re = st->p;
    struct pql_pmap *cache = pql_ev_pmap(ev, (const char *)n + 1, false);
    for (size_t i = 0; i < in->n; i++) {
        const struct pql_el *e = &in->v[i];
        const struct pql_ls *ol = pql_pmap_get(cache, e->ls);
        if (!ol) {
            const char *sv = lbl_set_get(&e->ls->s, src);
            struct lm_buf b;
            lm_buf_init(&b, 1 << 20);
            if (!lm_regex_expand(re, sv ? sv : "", SIZE_MAX, repl, &b)) {
                ol = e->ls;
            } else {
                int rc = lbl_set_copy(&ev->scratch, &e->ls->s);
                if (!rc && !b.err)
                    rc = lbl_set_addn(&ev->scratch, dst, strlen(dst), b.data ? b.data : "",
                                      b.len);
                lm_buf_cleanup(&b);
                if (rc || b.err)
                    pql_ev_oom(ev);
                ol = pql_ev_intern(ev, &ev->scratch);
            }
            bool found;
            void **slot = pql_pmap_slot(cache, e->ls, &found);
            if (!slot)
                pql_ev_oom(ev);
            *slot = (void *)ol;
        }
        pql_ev_push(ev, out, ol, ts, e->v);
    }
}

static void label_join(struct pql_ev *ev, const struct pql_node *n, const struct pql_vec *in,
                       int64_t ts, struct pql_vec *out)
{
    const struct pql_call *c = &n->u.call;
    const char *dst = str_arg(c->args[1]), *sep = str_arg(c->args[2]);
    for (size_t i = 3; i < c->nargs; i++) {
        const char *s = str_arg(c->args[i]);
        if (!lbl_name_valid(s, strlen(s)))
            pql_ev_fail(ev, PQL_ERR_EXECUTION,
                        "invalid source label name in label_join(): %s", s);
    }
    if (!lbl_name_valid(dst, strlen(dst)))
        pql_ev_fail(ev, PQL_ERR_EXECUTION, "invalid destination label name in label_join(): %s",
                    dst);
    struct pql_pmap *cache = pql_ev_pmap(ev, (const char *)n + 1, false);
    for (size_t i = 0; i < in->n; i++) {
        const struct pql_el *e = &in->v[i];
        const struct pql_ls *ol = pql_pmap_get(cache, e->ls);
        if (!ol) {
            struct lm_buf b;
            lm_buf_init(&b, 1 << 20);
            for (size_t j = 3; j < c->nargs; j++) {
                if (j > 3)
                    lm_buf_puts(&b, sep);
                const char *v = lbl_set_get(&e->ls->s, str_arg(c->args[j]));
                if (v)
                    lm_buf_puts(&b, v);
            }
            int rc = b.err ? b.err : lbl_set_copy(&ev->scratch, &e->ls->s);
            if (!rc)
                rc = lbl_set_addn(&ev->scratch, dst, strlen(dst), b.data ? b.data : "", b.len);
            lm_buf_cleanup(&b);
            if (rc)
                pql_ev_oom(ev);
            ol = pql_ev_intern(ev, &ev->scratch);
            bool found;
            void **slot = pql_pmap_slot(cache, e->ls, &found);
            if (!slot)
                pql_ev_oom(ev);
            *slot = (void *)ol;
        }
        pql_ev_push(ev, out, ol, ts, e->v);
    }
}

void pql_eval_label_fn(struct pql_ev *ev, const struct pql_node *n, const struct pql_vec *in,
                       int64_t ts, struct pql_vec *out)
{
    if (n->u.call.func->id == PQL_FN_LABEL_REPLACE)
        label_replace(ev, n, in, ts, out);
    else
        label_join(ev, n, in, ts, out);
}

const struct pql_ls *pql_absent_labels(struct pql_ev *ev, const struct pql_node *arg)
{
    arg = pql_node_unparen(arg);
    if (arg->kind == PQL_MATRIX_SEL)
        arg = arg->u.ms.vs;
    lbl_set_clear(&ev->scratch);
    if (arg->kind == PQL_VECTOR_SEL) {
        const struct pql_vector_sel *vs = &arg->u.vs;
        /* equality matchers give labels; a name with any other matcher is removed */
        for (size_t i = 0; i < vs->nmatchers; i++) {
            const struct lbl_matcher *m = &vs->matchers[i];
            if (!strcmp(m->name, LBL_METRIC_NAME))
                continue;
            if (m->type == LBL_MATCH_EQ && !lbl_set_get(&ev->scratch, m->name))
                if (lbl_set_add(&ev->scratch, m->name, m->value))
                    pql_ev_oom(ev);
        }
        for (size_t i = 0; i < vs->nmatchers; i++) {
            const struct lbl_matcher *m = &vs->matchers[i];
            if (!strcmp(m->name, LBL_METRIC_NAME))
                continue;
            bool first_eq = false;
            for (size_t j = 0; j < vs->nmatchers; j++) {
                if (!strcmp(vs->matchers[j].name, m->name) &&
                    vs->matchers[j].type == LBL_MATCH_EQ) {
                    first_eq = j == i;
                    break;
                }
            }
            if (!first_eq)
                lbl_set_del(&ev->scratch, m->name);
        }
    }
    return pql_ev_intern(ev, &ev->scratch);
}
