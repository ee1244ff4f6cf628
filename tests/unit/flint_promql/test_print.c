/* SPDX-License-Identifier: Apache-2.0 */
/* test_print.c: the PromQL printer (model.Duration text, Pretty() line splitting, Go
 * float and string forms), pql_parse_selector for match[] (answers recorded from
 * Prometheus 2.42's /api/v1/series), and parsing under failing allocations (no crash,
 * no leak, an "out of memory" error). */
#include <check.h>
#include <string.h>

#include "flint/promql/parse.h"
#include "lm/alloc.h"
#include "lm/buf.h"

Suite *print_suite(void);

START_TEST(durations)
{
    struct { int64_t ms; const char *want; } cases[] = {
        {0, "0s"}, {1, "1ms"}, {1000, "1s"}, {1500, "1s500ms"}, {60000, "1m"},
        {5400000, "1h30m"}, {86400000, "1d"}, {604800000, "1w"}, {691200000, "8d"},
        {31536000000LL, "1y"}, {31536000001LL, "365d1ms"}, {63072000000LL, "2y"},
        {1209600000 + 3600000, "14d1h"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct lm_buf b;
        lm_buf_init(&b, 100);
        ck_assert_int_eq(pql_print_duration(cases[i].ms, &b), 0);
        ck_assert_str_eq(lm_buf_cstr(&b), cases[i].want);
        lm_buf_cleanup(&b);
    }
}
END_TEST

static void check_print(const char *q, const char *want, int pretty)
{
    struct pql_parse_err err;
    struct pql_node *n = pql_parse(q, strlen(q), &err);
    ck_assert_msg(n, "%s: %s", q, err.msg);
    struct lm_buf b;
    lm_buf_init(&b, 1 << 16);
    if (pretty)
        pql_print_pretty(n, &b);
    else
        pql_print(n, &b);
    ck_assert_str_eq(lm_buf_cstr(&b), want);
    lm_buf_cleanup(&b);
    pql_node_free(n);
}

START_TEST(forms)
{
    /* values from Prometheus 2.42's format_query */
    check_print("1000000", "1e+06", 0);
    check_print("0.0000001", "1e-07", 0);
    check_print("-0", "-0", 0);
    check_print("x @ 1.0005", "x @ 1.001", 0);
    check_print("{b='1',a=`2`,__name__=\"x\"}", "{__name__=\"x\",a=\"2\",b=\"1\"}", 0);
    check_print("x{a=\"\\u00e9\\u00a0\\x01\"}", "x{a=\"\xc3\xa9\\u00a0\\x01\"}", 0);
    check_print("sum(x) without () ", "sum without () (x)", 0);
    check_print("sum by () (x)", "sum(x)", 0);
    check_print("x + ignoring() group_left y", "x + y", 0);
    check_print("x * on(a) group_left y", "x * on (a) group_left () y", 0);
    check_print("x offset 1m @ start()", "x @ start() offset 1m", 0);
    check_print("x[5m] offset -1w @ 10", "x[5m] @ 10.000 offset -1w", 0);
    check_print("(x)[1h:]", "(x)[1h:]", 0);
    /* short expressions: Pretty is String */
    check_print("sum(x)", "sum(x)", 1);
    check_print("sum(rate(http_requests_total{job=\"api\",status=~\"5..\"}[5m])) / "
                "sum(rate(http_requests_total{job=\"api\"}[5m]))",
                "  sum(rate(http_requests_total{job=\"api\",status=~\"5..\"}[5m]))\n/\n"
                "  sum(rate(http_requests_total{job=\"api\"}[5m]))", 1);
}
END_TEST

START_TEST(selector)
{
    struct lbl_matcher *ms;
    size_t n;
    struct lm_err err = {0};
    ck_assert_int_eq(pql_parse_selector("up{job=~\"n.*\"}", &ms, &n, &err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(ms[0].name, "job");
    ck_assert_int_eq(ms[0].type, LBL_MATCH_RE);
    ck_assert_str_eq(ms[1].name, "__name__");
    ck_assert_str_eq(ms[1].value, "up");
    for (size_t i = 0; i < n; i++)
        lbl_matcher_free(&ms[i]);
    lm_free(ms);
    /* no non-empty check here: the API does it ("match[] must contain ...") */
    ck_assert_int_eq(pql_parse_selector("{}", &ms, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    lm_free(ms);
    struct { const char *s; const char *msg; } bad[] = {
        {"", "1:1: parse error: unexpected end of input"},
        {"sum(x)", "1:4: parse error: unexpected \"(\""},
        {"x offset 5m", "1:3: parse error: unexpected <offset>"},
        {"x{a=\"b\"", "1:8: parse error: unexpected end of input inside braces"},
        {"1", "1:1: parse error: unexpected number \"1\""},
        {"x[5m]", "1:2: parse error: unexpected \"[\""},
        {"x{a=~\"(\"}", "1:3: parse error: error parsing regexp: missing closing ): `^(?:()$`"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(pql_parse_selector(bad[i].s, &ms, &n, &err), LM_EPARSE);
        ck_assert_str_eq(err.msg, bad[i].msg);
        ck_assert_ptr_null(ms);
    }
}
END_TEST

START_TEST(alloc_failures)
{
    const char *q = "sum by (job) (rate(x{a=~\"b.*\",c!=\"d\"}[5m] offset 1m)) / on(job) "
                    "group_left(v) label_replace(y, \"a\", \"$1\", \"b\", \"(.*)\") > bool 0.5 "
                    "or topk(3, max_over_time(z[1h:5m] @ end()))";
    struct pql_parse_err err;
    int ooms = 0;
    for (long k = 1; k < 400; k++) {
        lm_alloc_fail_after(k);
        struct pql_node *n = pql_parse(q, strlen(q), &err);
        lm_alloc_fail_after(0);
        if (n) {
            pql_node_free(n);
            break;
        }
        ck_assert_int_eq(err.code, LM_ENOMEM);
        ck_assert_str_eq(err.msg, "out of memory");
        ooms++;
    }
    ck_assert_int_gt(ooms, 20);
}
END_TEST

Suite *print_suite(void)
{
    Suite *s = suite_create("print");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, durations);
    tcase_add_test(tc, forms);
    tcase_add_test(tc, selector);
    tcase_add_test(tc, alloc_failures);
    suite_add_tcase(s, tc);
    return s;
}
