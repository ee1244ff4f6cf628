/* SPDX-License-Identifier: Apache-2.0 */
/* test_parse.c: the PromQL parser against Prometheus 2.42's own answers (parse_cases.h:
 * every query's /api/v1/format_query text or error message, recorded from the real
 * server with parse_cases_record.py), and the shape of the trees it builds: precedence
 * and associativity, unary folding, selectors and matchers, offsets and @, subqueries,
 * calls, aggregations, vector matching, positions. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flint/promql/parse.h"
#include "lm/alloc.h"
#include "lm/buf.h"
#include "parse_cases.h"

Suite *parse_suite(void);

#define NCASES ((int)(sizeof pql_cases / sizeof pql_cases[0]))

static char *print_str(const struct pql_node *n, int pretty)
{
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    if (pretty)
        pql_print_pretty(n, &b);
    else
        pql_print(n, &b);
    ck_assert_int_eq(b.err, 0);
    size_t len;
    char *s = lm_buf_take(&b, &len);
    return s ? s : lm_strdup("");
}

START_TEST(golden)
{
    const struct pql_case *c = &pql_cases[_i];
    struct pql_parse_err err;
    struct pql_node *n = pql_parse(c->query, strlen(c->query), &err);
    if (!c->ok) {
        ck_assert_msg(!n, "query %s parsed, want error %s", c->query, c->expect);
        ck_assert_int_eq(err.code, LM_EPARSE);
        ck_assert_str_eq(err.msg, c->expect);
        return;
    }
    ck_assert_msg(n, "query %s: %s", c->query, err.msg);
    char *pretty = print_str(n, 1);
    ck_assert_str_eq(pretty, c->expect);
    char *s = print_str(n, 0);
    if (!strchr(c->expect, '\n'))
        ck_assert_str_eq(s, c->expect);
    /* the printed form parses back to the same text, in both forms */
    struct pql_node *n2 = pql_parse(s, strlen(s), &err);
    ck_assert_msg(n2, "reparse of %s: %s", s, err.msg);
    char *s2 = print_str(n2, 0);
    ck_assert_str_eq(s2, s);
    struct pql_node *n3 = pql_parse(pretty, strlen(pretty), &err);
    ck_assert_msg(n3, "reparse of %s: %s", pretty, err.msg);
    char *s3 = print_str(n3, 0);
    ck_assert_str_eq(s3, s);
    lm_free(pretty);
    lm_free(s);
    lm_free(s2);
    lm_free(s3);
    pql_node_free(n);
    pql_node_free(n2);
    pql_node_free(n3);
}
END_TEST

static struct pql_node *parse_ok(const char *q)
{
    struct pql_parse_err err;
    struct pql_node *n = pql_parse(q, strlen(q), &err);
    ck_assert_msg(n, "%s: %s", q, err.msg);
    return n;
}

START_TEST(precedence)
{
    /* -2 ^ 2 is -(2 ^ 2); unary minus on a literal folds into it */
    struct pql_node *n = parse_ok("-2 ^ 2");
    ck_assert_int_eq(n->kind, PQL_UNARY);
    ck_assert_int_eq(n->u.un.op, PQL_OP_SUB);
    ck_assert_int_eq(n->u.un.expr->kind, PQL_BINARY);
    ck_assert_int_eq(n->u.un.expr->u.bin.op, PQL_OP_POW);
    pql_node_free(n);
    n = parse_ok("- -1.5");
    ck_assert_int_eq(n->kind, PQL_NUMBER);
    ck_assert(n->u.number == 1.5);
    ck_assert_uint_eq(n->pos.start, 0);
    pql_node_free(n);
    /* ^ is right-associative: 2 ^ 3 ^ 2 = 2 ^ (3 ^ 2) */
    n = parse_ok("2 ^ 3 ^ 2");
    ck_assert_int_eq(n->u.bin.lhs->kind, PQL_NUMBER);
    ck_assert_int_eq(n->u.bin.rhs->kind, PQL_BINARY);
    pql_node_free(n);
    /* - is left-associative: a - b - c = (a - b) - c */
    n = parse_ok("a - b - c");
    ck_assert_int_eq(n->u.bin.lhs->kind, PQL_BINARY);
    ck_assert_int_eq(n->u.bin.rhs->kind, PQL_VECTOR_SEL);
    pql_node_free(n);
    /* a or b and c unless d * e + f > g: or at the top, then and/unless */
    n = parse_ok("a or b and c unless d * e + f > g");
    ck_assert_int_eq(n->u.bin.op, PQL_OP_LOR);
    const struct pql_node *r = n->u.bin.rhs;
    ck_assert_int_eq(r->u.bin.op, PQL_OP_LUNLESS);
    ck_assert_int_eq(r->u.bin.lhs->u.bin.op, PQL_OP_LAND);
    ck_assert_int_eq(r->u.bin.rhs->u.bin.op, PQL_OP_GTR);
    ck_assert_int_eq(r->u.bin.rhs->u.bin.lhs->u.bin.op, PQL_OP_ADD);
    ck_assert_int_eq(r->u.bin.rhs->u.bin.lhs->u.bin.lhs->u.bin.op, PQL_OP_MUL);
    ck_assert_int_eq(r->u.bin.lhs->u.bin.card, PQL_CARD_MANY_TO_MANY);
    pql_node_free(n);
    /* unary minus binds like *: -a * b = (-a) * b; -a offset 5m = -(a offset 5m) */
    n = parse_ok("-a * b");
    ck_assert_int_eq(n->kind, PQL_BINARY);
    ck_assert_int_eq(n->u.bin.lhs->kind, PQL_UNARY);
    pql_node_free(n);
    n = parse_ok("-a offset 5m");
    ck_assert_int_eq(n->kind, PQL_UNARY);
    ck_assert_int_eq(n->u.un.expr->u.vs.offset_ms, 300000);
    ck_assert_int_eq(pql_node_type(n), PQL_T_VECTOR);
    pql_node_free(n);
}
END_TEST

START_TEST(selectors)
{
    struct pql_node *n = parse_ok("http_requests_total{job=\"api\", code=~\"5..\"} offset -1h30m");
    ck_assert_int_eq(n->kind, PQL_VECTOR_SEL);
    ck_assert_str_eq(n->u.vs.name, "http_requests_total");
    ck_assert_uint_eq(n->u.vs.nmatchers, 3);
    ck_assert_int_eq(n->u.vs.matchers[0].type, LBL_MATCH_EQ);
    ck_assert_str_eq(n->u.vs.matchers[0].name, "job");
    ck_assert_int_eq(n->u.vs.matchers[1].type, LBL_MATCH_RE);
    ck_assert(lbl_matcher_matches(&n->u.vs.matchers[1], "503"));
    ck_assert(!lbl_matcher_matches(&n->u.vs.matchers[1], "5030")); /* anchored */
    ck_assert_str_eq(n->u.vs.matchers[2].name, "__name__");
    ck_assert_str_eq(n->u.vs.matchers[2].value, "http_requests_total");
    ck_assert_int_eq(n->u.vs.offset_ms, -5400000);
    ck_assert_int_eq(n->u.vs.at, PQL_AT_NONE);
    ck_assert_uint_eq(n->pos.start, 0);
    ck_assert_uint_eq(n->pos.end, strlen("http_requests_total{job=\"api\", code=~\"5..\"} offset -1h30m"));
    pql_node_free(n);
    n = parse_ok("{__name__=~\"job:.*\"}[5m] @ 1609746000.5");
    ck_assert_int_eq(n->kind, PQL_MATRIX_SEL);
    ck_assert_int_eq(n->u.ms.range_ms, 300000);
    ck_assert_ptr_null(n->u.ms.vs->u.vs.name);
    ck_assert_int_eq(n->u.ms.vs->u.vs.at, PQL_AT_TS);
    ck_assert_int_eq(n->u.ms.vs->u.vs.at_ms, 1609746000500LL);
    ck_assert_int_eq(pql_node_type(n), PQL_T_MATRIX);
    pql_node_free(n);
    n = parse_ok("x offset 1m @ end()");
    ck_assert_int_eq(n->u.vs.at, PQL_AT_END);
    ck_assert_int_eq(n->u.vs.offset_ms, 60000);
    pql_node_free(n);
    /* keywords are metric and label names where Prometheus allows them */
    n = parse_ok("sum{by=\"1\", offset=\"2\"} + on(bool, group_left) offset");
    ck_assert_str_eq(n->u.bin.lhs->u.vs.name, "sum");
    ck_assert_str_eq(n->u.bin.matching[1], "group_left");
    ck_assert_str_eq(n->u.bin.rhs->u.vs.name, "offset");
    pql_node_free(n);
}
END_TEST

START_TEST(subqueries_calls_aggregations)
{
    struct pql_node *n = parse_ok("max_over_time(rate(x[1m])[5m:] offset 1m)");
    ck_assert_int_eq(n->kind, PQL_CALL);
    ck_assert_int_eq(n->u.call.func->id, PQL_FN_MAX_OVER_TIME);
    ck_assert_uint_eq(n->u.call.nargs, 1);
    const struct pql_node *sq = n->u.call.args[0];
    ck_assert_int_eq(sq->kind, PQL_SUBQUERY);
    ck_assert_int_eq(sq->u.sq.range_ms, 300000);
    ck_assert_int_eq(sq->u.sq.step_ms, 0);
    ck_assert_int_eq(sq->u.sq.offset_ms, 60000);
    ck_assert_int_eq(sq->u.sq.expr->u.call.func->id, PQL_FN_RATE);
    pql_node_free(n);
    n = parse_ok("topk(3, x) without (a, b)");
    ck_assert_int_eq(n->kind, PQL_AGGREGATE);
    ck_assert_int_eq(n->u.agg.op, PQL_AGG_TOPK);
    ck_assert(n->u.agg.without);
    ck_assert_uint_eq(n->u.agg.ngrouping, 2);
    ck_assert_str_eq(n->u.agg.grouping[1], "b");
    ck_assert_int_eq(n->u.agg.param->kind, PQL_NUMBER);
    ck_assert_int_eq(n->u.agg.expr->kind, PQL_VECTOR_SEL);
    pql_node_free(n);
    n = parse_ok("a * on(x) group_right(y, z) b");
    ck_assert_int_eq(n->u.bin.card, PQL_CARD_ONE_TO_MANY);
    ck_assert(n->u.bin.on);
    ck_assert(n->u.bin.has_matching);
    ck_assert_uint_eq(n->u.bin.ninclude, 2);
    pql_node_free(n);
    n = parse_ok("1 > bool 2");
    ck_assert(n->u.bin.return_bool);
    ck_assert(!n->u.bin.has_matching); /* no vector matching between scalars */
    ck_assert_int_eq(pql_node_type(n), PQL_T_SCALAR);
    pql_node_free(n);
    n = parse_ok("label_join(x, \"d\", \"-\", \"a\", \"b\", \"c\")");
    ck_assert_uint_eq(n->u.call.nargs, 6);
    ck_assert_int_eq(n->u.call.args[2]->kind, PQL_STRING);
    ck_assert_str_eq(n->u.call.args[2]->u.string.s, "-");
    pql_node_free(n);
    n = parse_ok("\"a\\x00b\"");
    ck_assert_uint_eq(n->u.string.len, 3);
    ck_assert_int_eq(pql_node_type(n), PQL_T_STRING);
    pql_node_free(n);
}
END_TEST

START_TEST(error_positions)
{
    struct pql_parse_err err;
    const char *q = "sum(x)\n  + rate(y)";
    ck_assert_ptr_null(pql_parse(q, strlen(q), &err));
    ck_assert_uint_eq(err.line, 2);
    ck_assert_uint_eq(err.col, 10);
    ck_assert_uint_eq(err.start, 16);
    ck_assert_str_eq(err.msg, "2:10: parse error: expected type range vector in call to "
                     "function \"rate\", got instant vector");
    /* the length is honoured: no NUL needed, trailing bytes ignored */
    ck_assert_ptr_null(pql_parse("up)", 3, &err));
    struct pql_node *n = pql_parse("up)", 2, &err);
    ck_assert_ptr_nonnull(n);
    pql_node_free(n);
    /* NULL err is allowed */
    ck_assert_ptr_null(pql_parse("", 0, NULL));
}
END_TEST

START_TEST(deep_nesting)
{
    /* deep trees are refused instead of exhausting the stack */
    size_t depth = 5000;
    char *q = malloc(depth * 2 + 2);
    memset(q, '(', depth);
    q[depth] = '1';
    memset(q + depth + 1, ')', depth);
    struct pql_parse_err err;
    ck_assert_ptr_null(pql_parse(q, depth * 2 + 1, &err));
    ck_assert(strstr(err.msg, "nesting too deep"));
    /* a long chain of binary operators too */
    size_t terms = 5000;
    char *q2 = malloc(terms * 2 + 1);
    for (size_t i = 0; i < terms; i++) {
        q2[2 * i] = '1';
        q2[2 * i + 1] = '+';
    }
    q2[terms * 2 - 1] = 0;
    ck_assert_ptr_null(pql_parse(q2, strlen(q2), &err));
    ck_assert(strstr(err.msg, "nesting too deep"));
    /* but 500 nested parentheses are fine */
    memset(q, '(', 500);
    q[500] = '1';
    memset(q + 501, ')', 500);
    struct pql_node *n = pql_parse(q, 1001, &err);
    ck_assert_ptr_nonnull(n);
    pql_node_free(n);
    free(q);
    free(q2);
}
END_TEST

Suite *parse_suite(void)
{
    Suite *s = suite_create("parse");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, golden, 0, NCASES);
    tcase_add_test(tc, precedence);
    tcase_add_test(tc, selectors);
    tcase_add_test(tc, subqueries_calls_aggregations);
    tcase_add_test(tc, error_positions);
    tcase_add_test(tc, deep_nesting);
    suite_add_tcase(s, tc);
    return s;
}
