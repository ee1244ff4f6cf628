/* SPDX-License-Identifier: Apache-2.0 */
/* ast.c: freeing PromQL syntax trees, their value types, and operator names. */
#include "flint/promql/ast.h"
#include "lm/alloc.h"

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lm_free(v[i]);
    lm_free(v);
}

void pql_node_free(struct pql_node *n)
{
    if (!n)
        return;
    switch (n->kind) {
    case PQL_NUMBER:
        break;
    case PQL_STRING:
        lm_free(n->u.string.s);
        break;
    case PQL_VECTOR_SEL:
        lm_free(n->u.vs.name);
        for (size_t i = 0; i < n->u.vs.nmatchers; i++)
            lbl_matcher_free(&n->u.vs.matchers[i]);
        lm_free(n->u.vs.matchers);
        break;
    case PQL_MATRIX_SEL:
        pql_node_free(n->u.ms.vs);
        break;
    case PQL_SUBQUERY:
        pql_node_free(n->u.sq.expr);
        break;
    case PQL_CALL:
        for (size_t i = 0; i < n->u.call.nargs; i++)
            pql_node_free(n->u.call.args[i]);
        lm_free(n->u.call.args);
        break;
    case PQL_AGGREGATE:
        free_strv(n->u.agg.grouping, n->u.agg.ngrouping);
        pql_node_free(n->u.agg.param);
        pql_node_free(n->u.agg.expr);
        break;
    case PQL_BINARY:
        free_strv(n->u.bin.matching, n->u.bin.nmatching);
        free_strv(n->u.bin.include, n->u.bin.ninclude);
        pql_node_free(n->u.bin.lhs);
        pql_node_free(n->u.bin.rhs);
        break;
    case PQL_UNARY:
        pql_node_free(n->u.un.expr);
        break;
    case PQL_PAREN:
        pql_node_free(n->u.paren);
        break;
    }
    lm_free(n);
}

enum pql_type pql_node_type(const struct pql_node *n)
{
    if (!n)
        return PQL_T_NONE;
    switch (n->kind) {
    case PQL_NUMBER: return PQL_T_SCALAR;
    case PQL_STRING: return PQL_T_STRING;
    case PQL_VECTOR_SEL: return PQL_T_VECTOR;
    case PQL_MATRIX_SEL: return PQL_T_MATRIX;
    case PQL_SUBQUERY: return PQL_T_MATRIX;
    case PQL_CALL: return n->u.call.func ? (enum pql_type)n->u.call.func->ret : PQL_T_NONE;
    case PQL_AGGREGATE: return PQL_T_VECTOR;
    case PQL_BINARY:
        if (pql_node_type(n->u.bin.lhs) == PQL_T_SCALAR &&
            pql_node_type(n->u.bin.rhs) == PQL_T_SCALAR)
            return PQL_T_SCALAR;
        return PQL_T_VECTOR;
    case PQL_UNARY: return pql_node_type(n->u.un.expr);
    case PQL_PAREN: return pql_node_type(n->u.paren);
    }
    return PQL_T_NONE;
}

const char *pql_binop_str(enum pql_binop op)
{
    static const char *const s[] = {"+", "-", "*", "/", "%", "^", "atan2", "==", "!=",
                                    "<", "<=", ">", ">=", "and", "or", "unless"};
    return (unsigned)op < sizeof s / sizeof s[0] ? s[op] : "?";
}

const char *pql_aggop_str(enum pql_aggop op)
{
    static const char *const s[] = {"sum", "avg", "count", "min", "max", "group",
                                    "stddev", "stdvar", "topk", "bottomk",
                                    "count_values", "quantile"};
    return (unsigned)op < sizeof s / sizeof s[0] ? s[op] : "?";
}

const char *pql_type_str(enum pql_type t)
{
    switch (t) {
    case PQL_T_SCALAR: return "scalar";
    case PQL_T_VECTOR: return "instant vector";
    case PQL_T_MATRIX: return "range vector";
    case PQL_T_STRING: return "string";
    case PQL_T_NONE: break;
    }
    return "none";
}

bool pql_binop_is_comparison(enum pql_binop op)
{
    return op >= PQL_OP_EQLC && op <= PQL_OP_GTE;
}

bool pql_binop_is_set(enum pql_binop op)
{
    return op == PQL_OP_LAND || op == PQL_OP_LOR || op == PQL_OP_LUNLESS;
}

bool pql_aggop_has_param(enum pql_aggop op)
{
    return op == PQL_AGG_TOPK || op == PQL_AGG_BOTTOMK || op == PQL_AGG_COUNT_VALUES ||
           op == PQL_AGG_QUANTILE;
}
