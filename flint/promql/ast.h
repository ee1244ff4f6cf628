/* SPDX-License-Identifier: Apache-2.0 */
/* ast.h: the PromQL syntax tree, as Prometheus 2.42's promql/parser/ast.go: literals,
 * vector and matrix selectors, subqueries, function calls, aggregations, binary and
 * unary expressions, parentheses. Each node owns its children, strings and matchers;
 * pql_node_free releases a whole tree. Built by pql_parse (parse.h), printed by
 * pql_print, walked by the evaluator. Prefix pql_. */
#ifndef FLINT_PROMQL_AST_H
#define FLINT_PROMQL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/labels.h"
#include "flint/promql/ast_funcs.h"

/* The value type of an expression (Prometheus's ValueType). */
enum pql_type {
    PQL_T_NONE,
    PQL_T_SCALAR,
    PQL_T_VECTOR,  /* instant vector */
    PQL_T_MATRIX,  /* range vector */
    PQL_T_STRING,
};

enum pql_node_kind {
    PQL_NUMBER,      /* number literal */
    PQL_STRING,      /* string literal */
    PQL_VECTOR_SEL,  /* x{a="b"} offset 5m @ 100 */
    PQL_MATRIX_SEL,  /* x{a="b"}[5m] (offset and @ live in the inner vector selector) */
    PQL_SUBQUERY,    /* expr[range:step] offset .. @ .. */
    PQL_CALL,        /* f(args) */
    PQL_AGGREGATE,   /* sum by (l) (expr), topk(k, expr) */
    PQL_BINARY,      /* lhs op bool on(l) group_left(m) rhs */
    PQL_UNARY,       /* -expr, +expr (a unary on a number literal is folded into it) */
    PQL_PAREN,       /* (expr) */
};

/* Binary operators. Comparison: EQLC..GTE; set: LAND, LOR, LUNLESS. */
enum pql_binop {
    PQL_OP_ADD, PQL_OP_SUB, PQL_OP_MUL, PQL_OP_DIV, PQL_OP_MOD, PQL_OP_POW, PQL_OP_ATAN2,
    PQL_OP_EQLC, PQL_OP_NEQ, PQL_OP_LSS, PQL_OP_LTE, PQL_OP_GTR, PQL_OP_GTE,
    PQL_OP_LAND, PQL_OP_LOR, PQL_OP_LUNLESS,
};

enum pql_aggop {
    PQL_AGG_SUM, PQL_AGG_AVG, PQL_AGG_COUNT, PQL_AGG_MIN, PQL_AGG_MAX, PQL_AGG_GROUP,
    PQL_AGG_STDDEV, PQL_AGG_STDVAR, PQL_AGG_TOPK, PQL_AGG_BOTTOMK, PQL_AGG_COUNT_VALUES,
    PQL_AGG_QUANTILE,
};

/* Vector matching cardinality. Set operators are always many-to-many. */
enum pql_card { PQL_CARD_ONE_TO_ONE, PQL_CARD_MANY_TO_ONE, PQL_CARD_ONE_TO_MANY,
                PQL_CARD_MANY_TO_MANY };

/* The @ modifier: none, a fixed timestamp (at_ms), or start()/end() of the query. */
enum pql_at { PQL_AT_NONE, PQL_AT_TS, PQL_AT_START, PQL_AT_END };

/* Byte offsets into the query text, [start, end). */
struct pql_pos {
    uint32_t start, end;
};

struct pql_node;

struct pql_vector_sel {
    char *name;                   /* owned; NULL when written as {__name__=...} or {..} */
    struct lbl_matcher *matchers; /* owned array; when name is set its __name__="name"
                                     matcher is the last one (as in Prometheus) */
    size_t nmatchers;
    int64_t offset_ms;            /* the written offset (negative allowed), 0 = none */
    enum pql_at at;
    int64_t at_ms;                /* when at == PQL_AT_TS: round(ts * 1000) */
};

struct pql_matrix_sel {
    struct pql_node *vs;          /* owned; always a PQL_VECTOR_SEL */
    int64_t range_ms;
};

struct pql_subquery {
    struct pql_node *expr;        /* owned */
    int64_t range_ms;
    int64_t step_ms;              /* 0: the default (global evaluation interval) */
    int64_t offset_ms;
    enum pql_at at;
    int64_t at_ms;
};

struct pql_call {
    const struct pql_func_def *func; /* static table entry (ast_funcs.h) */
    struct pql_node **args;          /* owned array of owned nodes */
    size_t nargs;
};

struct pql_aggregate {
    enum pql_aggop op;
    bool without;                 /* grouping is a "without" list, else "by" */
    char **grouping;              /* owned array of owned label names */
    size_t ngrouping;
    struct pql_node *param;       /* owned; topk/bottomk/quantile/count_values, else NULL */
    struct pql_node *expr;        /* owned */
};

struct pql_binary {
    enum pql_binop op;
    bool return_bool;             /* "bool" modifier */
    bool has_matching;            /* vector matching present (both sides vectors) */
    enum pql_card card;
    bool on;                      /* on(...) rather than ignoring(...) */
    char **matching;              /* owned; on/ignoring labels */
    size_t nmatching;
    char **include;               /* owned; group_left/group_right extra labels */
    size_t ninclude;
    struct pql_node *lhs, *rhs;   /* owned */
};

struct pql_unary {
    enum pql_binop op;            /* PQL_OP_ADD or PQL_OP_SUB */
    struct pql_node *expr;        /* owned */
};

struct pql_node {
    enum pql_node_kind kind;
    struct pql_pos pos;
    uint32_t depth;               /* nesting depth of this subtree (1 for a leaf) */
    union {
        double number;                          /* PQL_NUMBER */
        struct { char *s; size_t len; } string; /* PQL_STRING, owned, NUL-terminated */
        struct pql_vector_sel vs;               /* PQL_VECTOR_SEL */
        struct pql_matrix_sel ms;               /* PQL_MATRIX_SEL */
        struct pql_subquery sq;                 /* PQL_SUBQUERY */
        struct pql_call call;                   /* PQL_CALL */
        struct pql_aggregate agg;               /* PQL_AGGREGATE */
        struct pql_binary bin;                  /* PQL_BINARY */
        struct pql_unary un;                    /* PQL_UNARY */
        struct pql_node *paren;                 /* PQL_PAREN, owned */
    } u;
};

/* pql_node_type: the value type of n (Prometheus's Expr.Type()). */
enum pql_type pql_node_type(const struct pql_node *n);
/* pql_node_free: free n and everything it owns. NULL is fine. */
void pql_node_free(struct pql_node *n);

/* Names as Prometheus prints them: "+", "==", "and", "atan2"; "sum", "count_values";
 * "scalar", "instant vector", "range vector", "string" (documentedType). */
const char *pql_binop_str(enum pql_binop op);
const char *pql_aggop_str(enum pql_aggop op);
const char *pql_type_str(enum pql_type t);
bool pql_binop_is_comparison(enum pql_binop op);
bool pql_binop_is_set(enum pql_binop op);
/* pql_aggop_has_param: topk, bottomk, quantile, count_values. */
bool pql_aggop_has_param(enum pql_aggop op);

#endif
