/* SPDX-License-Identifier: Apache-2.0 */
/* print.c: PromQL trees back to text exactly as Prometheus 2.42's Expr.String()
 * (promql/parser/printer.go): canonical spacing, sorted matchers, "by (a, b)" before the
 * body, durations as model.Duration, @ as seconds with 3 decimals, Go-quoted strings. */
#include <stdlib.h>
#include <string.h>

#include "flint/promql/lex.h"
#include "flint/promql/parse.h"
#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/fmt.h"

int pql_print_duration(int64_t ms, struct lm_buf *out)
{
    static const struct {
        const char *unit;
        int64_t mult;
        int exact;
    } units[] = {
        {"y", INT64_C(1000) * 60 * 60 * 24 * 365, 1}, {"w", INT64_C(1000) * 60 * 60 * 24 * 7, 1},
        {"d", INT64_C(1000) * 60 * 60 * 24, 0}, {"h", INT64_C(1000) * 60 * 60, 0},
        {"m", INT64_C(1000) * 60, 0}, {"s", 1000, 0}, {"ms", 1, 0},
    };
    if (ms == 0)
        return lm_buf_puts(out, "0s");
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (units[i].exact && ms % units[i].mult != 0)
            continue;
        int64_t v = ms / units[i].mult;
        if (v > 0) {
            lm_buf_printf(out, "%lld%s", (long long)v, units[i].unit);
            ms -= v * units[i].mult;
        }
    }
    return out->err;
}

static void print_offset_at(struct lm_buf *out, int64_t offset, enum pql_at at, int64_t at_ms)
{
    if (at == PQL_AT_TS)
        lm_buf_printf(out, " @ %.3f", (double)at_ms / 1000.0);
    else if (at == PQL_AT_START)
        lm_buf_puts(out, " @ start()");
    else if (at == PQL_AT_END)
        lm_buf_puts(out, " @ end()");
    if (offset > 0) {
        lm_buf_puts(out, " offset ");
        pql_print_duration(offset, out);
    } else if (offset < 0) {
        lm_buf_puts(out, " offset -");
        pql_print_duration(-offset, out);
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The selector without its offset and @ (those are printed by the caller). */
static void print_selector(const struct pql_vector_sel *vs, struct lm_buf *out)
{
    char *strs[64];
    char **v = strs;
    size_t n = 0;
    if (vs->nmatchers > sizeof strs / sizeof strs[0]) {
        v = lm_malloc(vs->nmatchers * sizeof *v);
        if (!v) {
            lm_buf_reserve(out, (size_t)1 << 62); /* marks out failed */
            return;
        }
    }
    for (size_t i = 0; i < vs->nmatchers; i++) {
        const struct lbl_matcher *m = &vs->matchers[i];
        if (m->type == LBL_MATCH_EQ && strcmp(m->name, LBL_METRIC_NAME) == 0 &&
            strcmp(m->value, vs->name ? vs->name : "") == 0)
            continue;
        struct lm_buf b;
        lm_buf_init(&b, out->max);
        lm_buf_puts(&b, m->name);
        lm_buf_puts(&b, lbl_match_type_str(m->type));
        pql_quote(&b, m->value, strlen(m->value));
        size_t len;
        v[n] = lm_buf_take(&b, &len);
        if (!v[n]) {
            lm_buf_reserve(out, (size_t)1 << 62);
            break;
        }
        n++;
    }
    if (vs->name)
        lm_buf_puts(out, vs->name);
    if (n > 0) {
        qsort(v, n, sizeof *v, cmp_str);
        lm_buf_putc(out, '{');
        for (size_t i = 0; i < n; i++) {
            if (i)
                lm_buf_putc(out, ',');
            lm_buf_puts(out, v[i]);
        }
        lm_buf_putc(out, '}');
    }
    for (size_t i = 0; i < n; i++)
        lm_free(v[i]);
    if (v != strs)
        lm_free(v);
}

static void print_labels(struct lm_buf *out, char *const *v, size_t n)
{
    lm_buf_putc(out, '(');
    for (size_t i = 0; i < n; i++) {
        if (i)
            lm_buf_puts(out, ", ");
        lm_buf_puts(out, v[i]);
    }
    lm_buf_putc(out, ')');
}

static void print_node(const struct pql_node *n, struct lm_buf *out)
{
    switch (n->kind) {
    case PQL_NUMBER: {
        char tmp[LM_FMT_DOUBLE_MAX];
        lm_fmt_double_go(tmp, n->u.number);
        lm_buf_puts(out, tmp);
        break;
    }
    case PQL_STRING:
        pql_quote(out, n->u.string.s, n->u.string.len);
        break;
    case PQL_VECTOR_SEL:
        print_selector(&n->u.vs, out);
        print_offset_at(out, n->u.vs.offset_ms, n->u.vs.at, n->u.vs.at_ms);
        break;
    case PQL_MATRIX_SEL: {
        const struct pql_vector_sel *vs = &n->u.ms.vs->u.vs;
        print_selector(vs, out);
        lm_buf_putc(out, '[');
        pql_print_duration(n->u.ms.range_ms, out);
        lm_buf_putc(out, ']');
        print_offset_at(out, vs->offset_ms, vs->at, vs->at_ms);
        break;
    }
    case PQL_SUBQUERY:
        print_node(n->u.sq.expr, out);
        lm_buf_putc(out, '[');
        pql_print_duration(n->u.sq.range_ms, out);
        lm_buf_putc(out, ':');
        if (n->u.sq.step_ms)
            pql_print_duration(n->u.sq.step_ms, out);
        lm_buf_putc(out, ']');
        print_offset_at(out, n->u.sq.offset_ms, n->u.sq.at, n->u.sq.at_ms);
        break;
    case PQL_CALL:
        lm_buf_puts(out, n->u.call.func->name);
        lm_buf_putc(out, '(');
        for (size_t i = 0; i < n->u.call.nargs; i++) {
            if (i)
                lm_buf_puts(out, ", ");
            print_node(n->u.call.args[i], out);
        }
        lm_buf_putc(out, ')');
        break;
    case PQL_AGGREGATE:
        lm_buf_puts(out, pql_aggop_str(n->u.agg.op));
        if (n->u.agg.without || n->u.agg.ngrouping > 0) {
            lm_buf_puts(out, n->u.agg.without ? " without " : " by ");
            print_labels(out, n->u.agg.grouping, n->u.agg.ngrouping);
            lm_buf_putc(out, ' ');
        }
        lm_buf_putc(out, '(');
        if (n->u.agg.param) {
            print_node(n->u.agg.param, out);
            lm_buf_puts(out, ", ");
        }
        print_node(n->u.agg.expr, out);
        lm_buf_putc(out, ')');
        break;
    case PQL_BINARY: {
        const struct pql_binary *b = &n->u.bin;
        print_node(b->lhs, out);
        lm_buf_putc(out, ' ');
        lm_buf_puts(out, pql_binop_str(b->op));
        if (b->return_bool)
            lm_buf_puts(out, " bool");
        if (b->has_matching && (b->nmatching > 0 || b->on)) {
            lm_buf_puts(out, b->on ? " on " : " ignoring ");
            print_labels(out, b->matching, b->nmatching);
            if (b->card == PQL_CARD_MANY_TO_ONE || b->card == PQL_CARD_ONE_TO_MANY) {
                lm_buf_puts(out, b->card == PQL_CARD_MANY_TO_ONE ? " group_left "
                                                                 : " group_right ");
                print_labels(out, b->include, b->ninclude);
            }
        }
        lm_buf_putc(out, ' ');
        print_node(b->rhs, out);
        break;
    }
    case PQL_UNARY:
        lm_buf_puts(out, pql_binop_str(n->u.un.op));
        print_node(n->u.un.expr, out);
        break;
    case PQL_PAREN:
        lm_buf_putc(out, '(');
        print_node(n->u.paren, out);
        lm_buf_putc(out, ')');
        break;
    }
}

int pql_print(const struct pql_node *n, struct lm_buf *out)
{
    if (n)
        print_node(n, out);
    return out->err;
}
