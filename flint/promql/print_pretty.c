/* SPDX-License-Identifier: Apache-2.0 */
/* print_pretty.c: Prometheus 2.42's Pretty() (promql/parser/prettier.go), what
 * /api/v1/format_query returns: an expression whose String() is longer than 100 bytes
 * is split over lines, two spaces of indent per level; shorter ones print as String(). */
#include <string.h>

#include "flint/promql/parse.h"
#include "lm/alloc.h"
#include "lm/buf.h"

#define PQL_PRETTY_LINE 100

static void indent(struct lm_buf *out, int level)
{
    for (int i = 0; i < level; i++)
        lm_buf_puts(out, "  ");
}

static bool needs_split(const struct pql_node *n)
{
    struct lm_buf b;
    lm_buf_init(&b, (size_t)1 << 30);
    pql_print(n, &b);
    bool r = b.len > PQL_PRETTY_LINE;
    lm_buf_cleanup(&b);
    return r;
}

static void pretty(const struct pql_node *n, int level, struct lm_buf *out);

static void labels(struct lm_buf *out, char *const *v, size_t n)
{
    lm_buf_putc(out, '(');
    for (size_t i = 0; i < n; i++) {
        if (i)
            lm_buf_puts(out, ", ");
        lm_buf_puts(out, v[i]);
    }
    lm_buf_putc(out, ')');
}

/* The subquery's "[range:step] @ .. offset .." suffix, as in its String(). */
static void subquery_suffix(const struct pql_node *n, struct lm_buf *out)
{
    struct lm_buf full, inner;
    lm_buf_init(&full, (size_t)1 << 30);
    lm_buf_init(&inner, (size_t)1 << 30);
    pql_print(n, &full);
    pql_print(n->u.sq.expr, &inner);
    if (!full.err && !inner.err && full.len >= inner.len)
        lm_buf_append(out, full.data + inner.len, full.len - inner.len);
    lm_buf_cleanup(&full);
    lm_buf_cleanup(&inner);
}

static void pretty(const struct pql_node *n, int level, struct lm_buf *out)
{
    switch (n->kind) {
    case PQL_AGGREGATE:
        indent(out, level);
        if (!needs_split(n)) {
            pql_print(n, out);
            return;
        }
        lm_buf_puts(out, pql_aggop_str(n->u.agg.op));
        if (n->u.agg.without || n->u.agg.ngrouping > 0) {
            lm_buf_puts(out, n->u.agg.without ? " without " : " by ");
            labels(out, n->u.agg.grouping, n->u.agg.ngrouping);
            lm_buf_putc(out, ' ');
        }
        lm_buf_puts(out, "(\n");
        if (n->u.agg.param) {
            pretty(n->u.agg.param, level + 1, out);
            lm_buf_puts(out, ",\n");
        }
        pretty(n->u.agg.expr, level + 1, out);
        lm_buf_putc(out, '\n');
        indent(out, level);
        lm_buf_putc(out, ')');
        return;
    case PQL_BINARY: {
        const struct pql_binary *b = &n->u.bin;
        if (!needs_split(n)) {
            indent(out, level);
            pql_print(n, out);
            return;
        }
        pretty(b->lhs, level + 1, out);
        lm_buf_putc(out, '\n');
        indent(out, level);
        lm_buf_puts(out, pql_binop_str(b->op));
        if (b->return_bool)
            lm_buf_puts(out, " bool");
        if (b->has_matching && (b->nmatching > 0 || b->on)) {
            lm_buf_puts(out, b->on ? " on " : " ignoring ");
            labels(out, b->matching, b->nmatching);
            if (b->card == PQL_CARD_MANY_TO_ONE || b->card == PQL_CARD_ONE_TO_MANY) {
                lm_buf_puts(out, b->card == PQL_CARD_MANY_TO_ONE ? " group_left "
                                                                 : " group_right ");
                labels(out, b->include, b->ninclude);
            }
        }
        lm_buf_putc(out, '\n');
        pretty(b->rhs, level + 1, out);
        return;
    }
    case PQL_CALL:
        indent(out, level);
        if (!needs_split(n)) {
            pql_print(n, out);
            return;
        }
        lm_buf_puts(out, n->u.call.func->name);
        lm_buf_puts(out, "(\n");
        for (size_t i = 0; i < n->u.call.nargs; i++) {
            if (i)
                lm_buf_puts(out, ",\n");
            pretty(n->u.call.args[i], level + 1, out);
        }
        lm_buf_putc(out, '\n');
        indent(out, level);
        lm_buf_putc(out, ')');
        return;
    case PQL_PAREN:
        indent(out, level);
        if (!needs_split(n)) {
            pql_print(n, out);
            return;
        }
        lm_buf_puts(out, "(\n");
        pretty(n->u.paren, level + 1, out);
        lm_buf_putc(out, '\n');
        indent(out, level);
        lm_buf_putc(out, ')');
        return;
    case PQL_SUBQUERY:
        if (!needs_split(n)) {
            pql_print(n, out); /* 2.42 prints no indent here */
            return;
        }
        pretty(n->u.sq.expr, level, out);
        subquery_suffix(n, out);
        return;
    case PQL_UNARY: {
        struct lm_buf child;
        lm_buf_init(&child, (size_t)1 << 30);
        pretty(n->u.un.expr, level, &child);
        const char *s = lm_buf_cstr(&child);
        size_t len = strlen(s);
        while (len && (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')) {
            s++;
            len--;
        }
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\t' ||
                       s[len - 1] == '\r'))
            len--;
        indent(out, level);
        lm_buf_puts(out, pql_binop_str(n->u.un.op));
        lm_buf_append(out, s, len);
        lm_buf_cleanup(&child);
        return;
    }
    default:
        indent(out, level);
        pql_print(n, out);
        return;
    }
}

int pql_print_pretty(const struct pql_node *n, struct lm_buf *out)
{
    if (n)
        pretty(n, 0, out);
    return out->err;
}
