/* SPDX-License-Identifier: Apache-2.0 */
/* parse_int.h: internals shared by the PromQL parser's files (parse.c: expressions;
 * parse_mod.c: ranges, subqueries, offset and @;
 * parse_sel.c: selectors, matchers and grouping lists; parse_check.c: the type checks
 * Prometheus runs after parsing). Not for use outside flint/promql. Prefix pql_. */
#ifndef FLINT_PROMQL_PARSE_INT_H
#define FLINT_PROMQL_PARSE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "flint/promql/ast.h"
#include "flint/promql/lex.h"
#include "flint/promql/parse.h"

/* Deepest tree accepted: keeps printing, checking and freeing off the stack's edge. */
#define PQL_MAX_DEPTH 1000

struct pql_parser {
    struct pql_lexer lx;
    const char *in;
    size_t len;
    struct pql_token tok;   /* the lookahead, valid when have_tok */
    bool have_tok;
    uint32_t prev_end;      /* end offset of the last consumed token */
    int agg_depth;          /* aggregations being parsed ("in aggregation" errors) */
    int depth;              /* recursion depth */
    bool failed;
    struct pql_parse_err *err;
};

/* Token access: peek lexes the lookahead (reporting a lexer error the first time),
 * skipping comments; advance consumes it. */
const struct pql_token *pql_p_peek(struct pql_parser *p);
void pql_p_advance(struct pql_parser *p);

/* pql_p_errf: record an error at [start, end) unless one is already recorded. */
void pql_p_errf(struct pql_parser *p, uint32_t start, uint32_t end, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* pql_p_unexpected: Prometheus's unexpected(context, expected) about the lookahead. */
void pql_p_unexpected(struct pql_parser *p, const char *context, const char *expected);
void pql_p_oom(struct pql_parser *p);

struct pql_node *pql_p_new(struct pql_parser *p, enum pql_node_kind kind, uint32_t start,
                           uint32_t end);

/* pql_p_set_depth: raise n->depth above child c's; false (error recorded) when the
 * tree gets deeper than PQL_MAX_DEPTH. */
bool pql_p_set_depth(struct pql_parser *p, struct pql_node *n, const struct pql_node *c);

/* parse_mod.c */
/* pql_p_number / pql_p_duration: the lookahead NUMBER / DURATION token's value
 * (consumed); false with the error recorded. */
bool pql_p_number(struct pql_parser *p, double *v);
bool pql_p_duration(struct pql_parser *p, int64_t *ms);
/* pql_p_postfix: apply every [..], offset and @ that follows operand e; NULL (e freed)
 * after an error. */
struct pql_node *pql_p_postfix(struct pql_parser *p, struct pql_node *e);

/* parse_sel.c */
/* pql_p_selector: a vector selector starting at the lookahead (a metric identifier,
 * possibly followed by matchers, or matchers alone). */
struct pql_node *pql_p_selector(struct pql_parser *p);
/* pql_p_grouping: "(" label, ... ")" into a new array; false after an error. */
bool pql_p_grouping(struct pql_parser *p, char ***labels, size_t *n);
/* pql_tok_is_metric_identifier: tokens Prometheus accepts as a metric name. */
bool pql_tok_is_metric_identifier(enum pql_tok_type t);

/* parse_re.c: pql_re2_check: false with Go's message ("invalid repeat count: `{2,1}`")
 * in msg when pattern breaks an RE2 rule that PCRE2 would let through. */
bool pql_re2_check(const char *pattern, char *msg, size_t msgsz);

/* parse_check.c: Prometheus's checkAST on the finished tree. */
void pql_p_check(struct pql_parser *p, struct pql_node *n);

#endif
