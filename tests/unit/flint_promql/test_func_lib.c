/* SPDX-License-Identifier: Apache-2.0 */
/* test_func_lib.c: the function library on plain arrays, expected values worked out
 * from Prometheus 2.42's code: rate/increase/delta extrapolation (boundaries, counter
 * resets, the zero point), irate/idelta, deriv, holt_winters errors, quantiles,
 * histogram bucket math, Go's Max/Min, dates; and the API's value/time formatting. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "flint/promql/func.h"
#include "lm/buf.h"

Suite *func_lib_suite(void);

static int roll(enum pql_func_id fn, const struct pql_point *p, size_t n, int64_t end,
                int64_t range, double *out)
{
    struct pql_roll r = {end - range, end, range, end, 0, 0};
    char msg[PQL_ERR_MSG_MAX];
    return pql_rollup(fn, p, n, &r, out, msg);
}

START_TEST(test_rate_extrapolation)
{
    /* window [0, 60s]; samples 5s..50s every 15s: both ends within 1.1 * avg, extended
     * fully, but the start is capped at the counter's zero point (value 0 at 5s). */
    struct pql_point p[] = {{5000, 0}, {20000, 10}, {35000, 20}, {50000, 30}};
    double v;
    ck_assert_int_eq(roll(PQL_FN_INCREASE, p, 4, 60000, 60000, &v), 1);
    ck_assert_double_eq_tol(v, 30.0 * 55 / 45, 1e-12);
    ck_assert_int_eq(roll(PQL_FN_RATE, p, 4, 60000, 60000, &v), 1);
    ck_assert_double_eq_tol(v, 30.0 * 55 / 45 / 60, 1e-12);
    /* delta is not a counter: no zero-point cap, 5 s + 10 s extension */
    ck_assert_int_eq(roll(PQL_FN_DELTA, p, 4, 60000, 60000, &v), 1);
    ck_assert_double_eq_tol(v, 30.0 * 60 / 45, 1e-12);
    /* far from the end (> 1.1 * avg): half an interval only */
    ck_assert_int_eq(roll(PQL_FN_DELTA, p, 4, 90000, 90000, &v), 1);
    ck_assert_double_eq_tol(v, 30.0 * (45 + 5 + 7.5) / 45, 1e-12);
    /* fewer than two samples: no output */
    ck_assert_int_eq(roll(PQL_FN_RATE, p, 1, 60000, 60000, &v), 0);
}
END_TEST

START_TEST(test_rate_counter_reset)
{
    struct pql_point p[] = {{0, 10}, {15000, 20}, {30000, 5}, {45000, 15}};
    double v;
    /* raw delta 5 plus the 20 lost at the reset: 25, over [0,45s] exactly */
    ck_assert_int_eq(roll(PQL_FN_INCREASE, p, 4, 45000, 45000, &v), 1);
    ck_assert_double_eq_tol(v, 25.0, 1e-12);
    ck_assert_int_eq(roll(PQL_FN_RESETS, p, 4, 45000, 45000, &v), 1);
    ck_assert_double_eq(v, 1);
    ck_assert_int_eq(roll(PQL_FN_IRATE, p, 3, 30000, 45000, &v), 1);
    ck_assert_double_eq_tol(v, 5.0 / 15, 1e-12);   /* reset: last value / dt */
    ck_assert_int_eq(roll(PQL_FN_IDELTA, p, 3, 30000, 45000, &v), 1);
    ck_assert_double_eq(v, -15);
    ck_assert_int_eq(roll(PQL_FN_CHANGES, p, 4, 45000, 45000, &v), 1);
    ck_assert_double_eq(v, 3);
}
END_TEST

START_TEST(test_deriv_predict)
{
    struct pql_point p[] = {{0, 1}, {10000, 3}, {20000, 5}, {30000, 7}};
    double v;
    ck_assert_int_eq(roll(PQL_FN_DERIV, p, 4, 30000, 60000, &v), 1);
    ck_assert_double_eq_tol(v, 0.2, 1e-12);
    struct pql_roll r = {-30000, 30000, 60000, 30000, 10, 0};
    char msg[PQL_ERR_MSG_MAX];
    ck_assert_int_eq(pql_rollup(PQL_FN_PREDICT_LINEAR, p, 4, &r, &v, msg), 1);
    ck_assert_double_eq_tol(v, 9.0, 1e-12);
    r.arg = 1.5;
    r.arg2 = 0.5;
    ck_assert_int_eq(pql_rollup(PQL_FN_HOLT_WINTERS, p, 4, &r, &v, msg), -1);
    ck_assert_str_eq(msg, "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.500000");
}
END_TEST

START_TEST(test_over_time)
{
    struct pql_point p[] = {{0, 1e100}, {1, 1}, {2, -1e100}};
    double v;
    /* 2.42: sum_over_time compensated, avg_over_time not */
    ck_assert_int_eq(roll(PQL_FN_SUM_OVER_TIME, p, 3, 2, 10, &v), 1);
    ck_assert_double_eq(v, 1);
    ck_assert_int_eq(roll(PQL_FN_AVG_OVER_TIME, p, 3, 2, 10, &v), 1);
    ck_assert_double_eq(v, 0);
    struct pql_point q[] = {{0, NAN}, {1, 3}, {2, 1}};
    ck_assert_int_eq(roll(PQL_FN_MAX_OVER_TIME, q, 3, 2, 10, &v), 1);
    ck_assert_double_eq(v, 3);
    ck_assert_int_eq(roll(PQL_FN_MIN_OVER_TIME, q, 3, 2, 10, &v), 1);
    ck_assert_double_eq(v, 1);
    ck_assert_int_eq(roll(PQL_FN_LAST_OVER_TIME, q, 3, 2, 10, &v), 1);
    ck_assert_double_eq(v, 1);
    struct pql_point s[] = {{0, 2}, {1, 4}, {2, 4}, {3, 4}, {4, 5}, {5, 5}, {6, 7}, {7, 9}};
    ck_assert_int_eq(roll(PQL_FN_STDDEV_OVER_TIME, s, 8, 7, 10, &v), 1);
    ck_assert_double_eq_tol(v, 2.0, 1e-12);
    ck_assert_int_eq(roll(PQL_FN_STDVAR_OVER_TIME, s, 8, 7, 10, &v), 1);
    ck_assert_double_eq_tol(v, 4.0, 1e-12);
}
END_TEST

START_TEST(test_quantile)
{
    double v[] = {4, 1, 3, 2};
    ck_assert_double_eq_tol(pql_quantile(0.5, v, 4), 2.5, 1e-12);
    ck_assert_double_eq_tol(pql_quantile(0.9, v, 4), 3.7, 1e-12);
    ck_assert_double_eq(pql_quantile(1, v, 4), 4);
    ck_assert(isinf(pql_quantile(-0.5, v, 4)) && pql_quantile(-0.5, v, 4) < 0);
    ck_assert(isinf(pql_quantile(1.5, v, 4)) && pql_quantile(1.5, v, 4) > 0);
    ck_assert(isnan(pql_quantile(0.5, v, 0)));
}
END_TEST

START_TEST(test_bucket_quantile)
{
    /* unsorted, with +Inf */
    struct pql_bucket b[] = {{INFINITY, 100}, {0.5, 50}, {0.1, 10}, {1, 90}};
    ck_assert_double_eq_tol(pql_bucket_quantile(0.5, b, 4), 0.5, 1e-12);
    struct pql_bucket c[] = {{0.1, 10}, {0.5, 50}, {1, 90}, {INFINITY, 100}};
    /* rank 25 in (0.1, 0.5]: 0.1 + 0.4 * 15/40 */
    ck_assert_double_eq_tol(pql_bucket_quantile(0.25, c, 4), 0.1 + 0.4 * 15 / 40, 1e-12);
    /* rank in the +Inf bucket: the second-highest bound */
    struct pql_bucket d[] = {{0.1, 10}, {0.5, 50}, {1, 90}, {INFINITY, 100}};
    ck_assert_double_eq(pql_bucket_quantile(0.99, d, 4), 1);
    /* first bucket: lower bound 0 */
    struct pql_bucket e[] = {{0.1, 10}, {INFINITY, 100}};
    ck_assert_double_eq_tol(pql_bucket_quantile(0.05, e, 2), 0.05, 1e-12);
    /* no +Inf bucket, a single bucket, zero observations: NaN */
    struct pql_bucket f[] = {{0.1, 10}, {1, 20}};
    ck_assert(isnan(pql_bucket_quantile(0.5, f, 2)));
    struct pql_bucket g[] = {{INFINITY, 10}};
    ck_assert(isnan(pql_bucket_quantile(0.5, g, 1)));
    struct pql_bucket h[] = {{1, 0}, {INFINITY, 0}};
    ck_assert(isnan(pql_bucket_quantile(0.5, h, 2)));
    /* non-monotonic counts are raised; out-of-range phi */
    struct pql_bucket k[] = {{1, 10}, {2, 5}, {INFINITY, 20}};
    ck_assert_double_eq_tol(pql_bucket_quantile(0.5, k, 3), 1, 1e-12);
    ck_assert(isinf(pql_bucket_quantile(2, k, 3)));
    ck_assert(isnan(pql_bucket_quantile(NAN, k, 3)));
}
END_TEST

START_TEST(test_math_dates)
{
    ck_assert(isnan(pql_go_max(1, NAN)) && isnan(pql_go_min(NAN, 1)));
    ck_assert(pql_go_max(NAN, INFINITY) == INFINITY);
    ck_assert(!signbit(pql_go_max(-0.0, 0.0)) && signbit(pql_go_min(0.0, -0.0)));
    ck_assert_double_eq(pql_math(PQL_FN_LOG2, 8), 3);
    ck_assert_double_eq(pql_math(PQL_FN_SGN, -4), -1);
    /* 2024-03-01T00:00:00Z, a Friday, day 61 of a leap year */
    ck_assert_double_eq(pql_math(PQL_FN_DAY_OF_YEAR, 1709251200), 61);
    ck_assert_double_eq(pql_math(PQL_FN_DAY_OF_WEEK, 1709251200), 5);
    ck_assert_double_eq(pql_math(PQL_FN_DAYS_IN_MONTH, 1709251200 - 1), 29);
    ck_assert_double_eq(pql_math(PQL_FN_YEAR, 1709251200), 2024);
    /* 2023-11-14T22:13:20Z */
    ck_assert_double_eq(pql_math(PQL_FN_HOUR, 1700000000), 22);
    ck_assert_double_eq(pql_math(PQL_FN_MINUTE, 1700000000), 13);
    ck_assert_double_eq(pql_math(PQL_FN_MONTH, 1700000000), 11);
    ck_assert_double_eq(pql_math(PQL_FN_DAY_OF_MONTH, 1700000000), 14);
}
END_TEST

START_TEST(test_format)
{
    static const struct { double v; const char *want; } c[] = {
        {1.5, "1.5"}, {0, "0"}, {-0.0, "-0"}, {1e21, "1e+21"}, {1e20, "100000000000000000000"},
        {1e-6, "0.000001"}, {1e-7, "1e-07"}, {123.456, "123.456"}, {-2.5e-10, "-2.5e-10"},
        {NAN, "NaN"}, {INFINITY, "+Inf"}, {-INFINITY, "-Inf"}, {0.1, "0.1"},
        {1234567.0, "1234567"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char out[PQL_FMT_VALUE_MAX];
        pql_fmt_value(out, c[i].v);
        ck_assert_str_eq(out, c[i].want);
    }
    char f[PQL_FMT_FLOAT_MAX];
    pql_fmt_float_f(f, 1e-7);
    ck_assert_str_eq(f, "0.0000001");
    pql_fmt_float_f(f, 1e21);
    ck_assert_str_eq(f, "1000000000000000000000");
    char t[32];
    pql_fmt_time(t, 1435781451781);
    ck_assert_str_eq(t, "1435781451.781");
    pql_fmt_time(t, 1435781451000);
    ck_assert_str_eq(t, "1435781451");
    pql_fmt_time(t, 1050);
    ck_assert_str_eq(t, "1.050");
    pql_fmt_time(t, -1500);
    ck_assert_str_eq(t, "-1.500");
}
END_TEST

START_TEST(test_json)
{
    struct pql_result r = {0};
    struct pql_sample s = {{0}, 1435781451781, 1.5};
    ck_assert_int_eq(lbl_set_add(&s.ls, "__name__", "up"), 0);
    ck_assert_int_eq(lbl_set_add(&s.ls, "job", "a<b\"c"), 0);
    r.type = PQL_VAL_VECTOR;
    r.vec = &s;
    r.nvec = 1;
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    ck_assert_int_eq(pql_result_json(&r, &b), 0);
    ck_assert_str_eq(lm_buf_cstr(&b),
                     "{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":\"up\","
                     "\"job\":\"a\\u003cb\\\"c\"},\"value\":[1435781451.781,\"1.5\"]}]}");
    struct pql_point pts[] = {{1000, 1}, {2000, NAN}};
    struct pql_series m = {{0}, pts, 2, 2};
    struct pql_result rm = {0};
    rm.type = PQL_VAL_MATRIX;
    rm.mat = &m;
    rm.nmat = 1;
    lm_buf_reset(&b);
    ck_assert_int_eq(pql_result_json(&rm, &b), 0);
    ck_assert_str_eq(lm_buf_cstr(&b), "{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
                                      "\"values\":[[1,\"1\"],[2,\"NaN\"]]}]}");
    struct pql_result rs = {0};
    rs.type = PQL_VAL_SCALAR;
    rs.t = 1000;
    rs.v = -INFINITY;
    lm_buf_reset(&b);
    ck_assert_int_eq(pql_result_json(&rs, &b), 0);
    ck_assert_str_eq(lm_buf_cstr(&b), "{\"resultType\":\"scalar\",\"result\":[1,\"-Inf\"]}");
    lm_buf_cleanup(&b);
    lbl_set_free(&s.ls);
}
END_TEST

Suite *func_lib_suite(void)
{
    Suite *s = suite_create("func_lib");
    TCase *tc = tcase_create("lib");
    tcase_add_test(tc, test_rate_extrapolation);
    tcase_add_test(tc, test_rate_counter_reset);
    tcase_add_test(tc, test_deriv_predict);
    tcase_add_test(tc, test_over_time);
    tcase_add_test(tc, test_quantile);
    tcase_add_test(tc, test_bucket_quantile);
    tcase_add_test(tc, test_math_dates);
    tcase_add_test(tc, test_format);
    tcase_add_test(tc, test_json);
    suite_add_tcase(s, tc);
    return s;
}
