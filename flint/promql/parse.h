/* SPDX-License-Identifier: Apache-2.0 */
/* parse.h: the PromQL parser and printer, matching Prometheus 2.42: pql_parse builds a
 * type-checked tree (ast.h) or fails with Prometheus's own error text
 * ("1:5: parse error: unexpected ..."); pql_print writes an expression back in the form
 * of Prometheus's Expr.String() (what /api/v1/format_query returns for short queries);
 * pql_parse_selector parses a series selector as for match[] (ParseMetricSelector).
 * Prefix pql_. */
#ifndef FLINT_PROMQL_PARSE_H
#define FLINT_PROMQL_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "flint/promql/ast.h"
#include "lm/err.h"

struct lm_buf;

/* A parse failure. msg is the whole Prometheus message, e.g.
 * "1:6: parse error: expected type range vector in call to function \"rate\", got
 * instant vector"; line and col (1-based, col in bytes) and the byte range as in it. */
struct pql_parse_err {
    int code;                 /* 0, LM_EPARSE, or LM_ENOMEM (msg "out of memory") */
    uint32_t start, end;      /* byte offsets of the offending range */
    unsigned line, col;
    char msg[LM_ERR_MSG_MAX];
};

/* pql_parse: parse query[0..len) into a new tree (caller frees with pql_node_free).
 * NULL on failure with *err filled (err may be NULL). */
struct pql_node *pql_parse(const char *query, size_t len, struct pql_parse_err *err);

/* pql_print: append n in Prometheus's String() form. Returns out's sticky error. */
int pql_print(const struct pql_node *n, struct lm_buf *out);

/* pql_print_pretty: append n as Prometheus's Pretty(0), what /api/v1/format_query
 * answers: String() when it fits in 100 bytes, else split over indented lines.
 * Returns out's sticky error. */
int pql_print_pretty(const struct pql_node *n, struct lm_buf *out);

/* pql_print_duration: append ms as Prometheus's model.Duration String() ("1h30m",
 * "0s", "1y", "90d" style). Returns out's sticky error. */
int pql_print_duration(int64_t ms, struct lm_buf *out);

/* pql_parse_selector: parse a series selector (`up`, `{job="x"}`, `x{a=~"b"}`) into a
 * new array of *n matchers (free each with lbl_matcher_free, then lm_free the array);
 * the metric name becomes a trailing __name__= matcher. No non-empty-matcher check
 * (the API does it). 0, or LM_EPARSE / LM_ENOMEM with err->msg the Prometheus text
 * ("1:3: parse error: unexpected ..."). */
int pql_parse_selector(const char *s, struct lbl_matcher **ms, size_t *n,
                       struct lm_err *err);

#endif
