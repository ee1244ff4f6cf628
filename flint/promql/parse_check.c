/* SPDX-License-Identifier: Apache-2.0 */
/* parse_check.c: the checks Prometheus 2.42 runs on a parsed tree (parser.checkAST):
 * argument counts and types of calls and aggregations, operand types of binary and
 * unary expressions, bool and vector-matching rules, subquery operand types, duplicate
 * metric names and selectors that would match everything. Fills in what checkAST
 * normalises (set operators are many-to-many; no matching between non-vectors). */
#include <stdio.h>
#include <string.h>

#include "flint/promql/parse_int.h"
#include "lm/buf.h"

static enum pql_type check(struct pql_parser *p, struct pql_node *n);

static const char *raw_type(enum pql_type t)
{
    switch (t) {
    case PQL_T_SCALAR: return "scalar";
    case PQL_T_VECTOR: return "vector";
    case PQL_T_MATRIX: return "matrix";
    case PQL_T_STRING: return "string";
    case PQL_T_NONE: break;
    }
    return "none";
}

static void expect_type(struct pql_parser *p, struct pql_node *n, enum pql_type want,
                        const char *context)
{
    enum pql_type t = check(p, n);
    if (t != want)
        pql_p_errf(p, n->pos.start, n->pos.end, "expected type %s in %s, got %s",
                   pql_type_str(want), context, pql_type_str(t));
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* op_start: where the operator of a binary expression starts (after the lhs and any
 * whitespace), as Prometheus's opRange. */
static uint32_t op_start(struct pql_parser *p, const struct pql_node *n)
{
    uint32_t s = n->u.bin.lhs->pos.end;
    while (s < p->len && is_space(p->in[s]))
        s++;
    return s;
}

static void check_binary(struct pql_parser *p, struct pql_node *n)
{
    struct pql_binary *b = &n->u.bin;
    enum pql_type lt = check(p, b->lhs);
    enum pql_type rt = check(p, b->rhs);
    uint32_t os = op_start(p, n);
    if (b->return_bool && !pql_binop_is_comparison(b->op))
        pql_p_errf(p, os, os, "bool modifier can only be used on comparison operators");
    if (pql_binop_is_comparison(b->op) && !b->return_bool &&
        pql_node_type(b->rhs) == PQL_T_SCALAR && pql_node_type(b->lhs) == PQL_T_SCALAR)
        pql_p_errf(p, os, os, "comparisons between scalars must use BOOL modifier");
    if (pql_binop_is_set(b->op) && b->card == PQL_CARD_ONE_TO_ONE)
        b->card = PQL_CARD_MANY_TO_MANY;
    if (b->on) {
        for (size_t i = 0; i < b->nmatching; i++) {
            for (size_t j = 0; j < b->ninclude; j++) {
                if (strcmp(b->matching[i], b->include[j]) == 0)
                    pql_p_errf(p, os, os, "label \"%s\" must not occur in ON and GROUP "
                               "clause at once", b->matching[i]);
            }
        }
    }
    if (lt != PQL_T_SCALAR && lt != PQL_T_VECTOR)
        pql_p_errf(p, b->lhs->pos.start, b->lhs->pos.end,
                   "binary expression must contain only scalar and instant vector types");
    if (rt != PQL_T_SCALAR && rt != PQL_T_VECTOR)
        pql_p_errf(p, b->rhs->pos.start, b->rhs->pos.end,
                   "binary expression must contain only scalar and instant vector types");
    if ((lt != PQL_T_VECTOR || rt != PQL_T_VECTOR) && b->has_matching) {
        if (b->nmatching > 0)
            pql_p_errf(p, n->pos.start, n->pos.end,
                       "vector matching only allowed between instant vectors");
        b->has_matching = false;
    } else if (pql_binop_is_set(b->op)) {
        if (b->card == PQL_CARD_ONE_TO_MANY || b->card == PQL_CARD_MANY_TO_ONE)
            pql_p_errf(p, n->pos.start, n->pos.end, "no grouping allowed for \"%s\" operation",
                       pql_binop_str(b->op));
        if (b->card != PQL_CARD_MANY_TO_MANY)
            pql_p_errf(p, n->pos.start, n->pos.end, "set operations must always be many-to-many");
    }
    if ((lt == PQL_T_SCALAR || rt == PQL_T_SCALAR) && pql_binop_is_set(b->op))
        pql_p_errf(p, n->pos.start, n->pos.end,
                   "set operator \"%s\" not allowed in binary scalar expression",
                   pql_binop_str(b->op));
}

static void check_call(struct pql_parser *p, struct pql_node *n)
{
    const struct pql_func_def *f = n->u.call.func;
    size_t nargs = f->nargs, got = n->u.call.nargs;
    if (f->variadic == 0) {
        if (nargs != got)
            pql_p_errf(p, n->pos.start, n->pos.end,
                       "expected %zu argument(s) in call to \"%s\", got %zu", nargs, f->name, got);
    } else {
        size_t na = nargs - 1;
        if (na > got)
            pql_p_errf(p, n->pos.start, n->pos.end,
                       "expected at least %zu argument(s) in call to \"%s\", got %zu", na,
                       f->name, got);
        else if (f->variadic > 0 && na + (size_t)f->variadic < got)
            pql_p_errf(p, n->pos.start, n->pos.end,
                       "expected at most %zu argument(s) in call to \"%s\", got %zu",
                       na + (size_t)f->variadic, f->name, got);
    }
    char ctx[96];
    snprintf(ctx, sizeof ctx, "call to function \"%s\"", f->name);
    for (size_t i = 0; i < got; i++) {
        size_t k = i;
        if (k >= nargs) {
            if (f->variadic == 0)
                break;
            k = nargs - 1;
        }
        expect_type(p, n->u.call.args[i], (enum pql_type)f->args[k], ctx);
    }
}

static void check_selector(struct pql_parser *p, struct pql_node *n)
{
    const struct pql_vector_sel *vs = &n->u.vs;
    if (vs->name) {
        for (size_t i = 0; i + 1 < vs->nmatchers; i++) {
            if (strcmp(vs->matchers[i].name, LBL_METRIC_NAME) == 0) {
                struct lm_buf a, b;
                lm_buf_init(&a, 1 << 20);
                lm_buf_init(&b, 1 << 20);
                pql_quote(&a, vs->name, strlen(vs->name));
                pql_quote(&b, vs->matchers[i].value, strlen(vs->matchers[i].value));
                pql_p_errf(p, n->pos.start, n->pos.end,
                           "metric name must not be set twice: %s or %s", lm_buf_cstr(&a),
                           lm_buf_cstr(&b));
                lm_buf_cleanup(&a);
                lm_buf_cleanup(&b);
            }
        }
        return;
    }
    for (size_t i = 0; i < vs->nmatchers; i++) {
        if (!lbl_matcher_matches_empty(&vs->matchers[i]))
            return;
    }
    pql_p_errf(p, n->pos.start, n->pos.end,
               "vector selector must contain at least one non-empty matcher");
}

static enum pql_type check(struct pql_parser *p, struct pql_node *n)
{
    enum pql_type typ = pql_node_type(n);
    switch (n->kind) {
    case PQL_AGGREGATE:
        expect_type(p, n->u.agg.expr, PQL_T_VECTOR, "aggregation expression");
        if (n->u.agg.op == PQL_AGG_TOPK || n->u.agg.op == PQL_AGG_BOTTOMK ||
            n->u.agg.op == PQL_AGG_QUANTILE)
            expect_type(p, n->u.agg.param, PQL_T_SCALAR, "aggregation parameter");
        if (n->u.agg.op == PQL_AGG_COUNT_VALUES)
            expect_type(p, n->u.agg.param, PQL_T_STRING, "aggregation parameter");
        break;
    case PQL_BINARY:
        check_binary(p, n);
        break;
    case PQL_CALL:
        check_call(p, n);
        break;
    case PQL_PAREN:
        check(p, n->u.paren);
        break;
    case PQL_UNARY: {
        enum pql_type t = check(p, n->u.un.expr);
        if (t != PQL_T_SCALAR && t != PQL_T_VECTOR)
            pql_p_errf(p, n->pos.start, n->pos.end, "unary expression only allowed on "
                       "expressions of type scalar or instant vector, got \"%s\"",
                       pql_type_str(t));
        break;
    }
    case PQL_SUBQUERY: {
        enum pql_type t = check(p, n->u.sq.expr);
        if (t != PQL_T_VECTOR)
            pql_p_errf(p, n->pos.start, n->pos.end,
                       "subquery is only allowed on instant vector, got %s instead", raw_type(t));
        break;
    }
    case PQL_MATRIX_SEL:
        check(p, n->u.ms.vs);
        break;
    case PQL_VECTOR_SEL:
        check_selector(p, n);
        break;
    case PQL_NUMBER:
    case PQL_STRING:
        break;
    }
    return typ;
}

void pql_p_check(struct pql_parser *p, struct pql_node *n)
{
    check(p, n);
}
