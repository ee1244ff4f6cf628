/* SPDX-License-Identifier: Apache-2.0 */
/* test_engine_range.c: range queries against the exact JSON Prometheus 2.42 answered
 * (range_cases.h): step timestamps, lookback, subquery alignment, @ and offset, name
 * dropping, sorting by labels and the value/time formatting, byte for byte. */
#include "oracle_fixture.h"
#include "range_cases.h"
#include "lm/alloc.h"

Suite *engine_range_suite(void);

static struct pql_mem_series rmem[NSERIES];
static struct pql_point *rpts[NSERIES];

static void range_setup(void)
{
    for (size_t i = 0; i < NSERIES; i++) {
        memset(&rmem[i], 0, sizeof rmem[i]);
        parse_metric(oracle_series[i].metric, &rmem[i].ls);
        rpts[i] = calloc(256, sizeof *rpts[i]);
        rmem[i].n = expand_at(oracle_series[i].values, rpts[i], 1700000000000LL, false);
        rmem[i].pts = rpts[i];
    }
}

static void range_teardown(void)
{
    for (size_t i = 0; i < NSERIES; i++) {
        lbl_set_free(&rmem[i].ls);
        free(rpts[i]);
    }
}

START_TEST(test_range_json)
{
    const struct range_case *c = &range_cases[_i];
    struct pql_mem_src ms = {rmem, NSERIES};
    struct pql_source src = pql_mem_source(&ms);
    struct pql_engine *e = pql_engine_new(NULL);
    ck_assert_ptr_nonnull(e);
    struct pql_result res;
    struct pql_err err;
    int rc = pql_exec_src(e, &src, c->expr, c->start, c->end, c->step, NULL, &res, &err);
    ck_assert_msg(rc == 0, "%s: %s", c->expr, err.msg);
    struct lm_buf b;
    lm_buf_init(&b, 1 << 24);
    ck_assert_int_eq(pql_result_json(&res, &b), 0);
    ck_assert_str_eq(lm_buf_cstr(&b), c->json);
    lm_buf_cleanup(&b);
    pql_result_free(&res);
    pql_engine_free(e);
}
END_TEST

/* test_limits: max samples, timeouts and cancellation surface as Prometheus's errors. */
START_TEST(test_limits)
{
    struct pql_mem_src ms = {rmem, NSERIES};
    struct pql_source src = pql_mem_source(&ms);
    struct pql_engine_opts o = {0};
    o.max_samples = 50;
    struct pql_engine *e = pql_engine_new(&o);
    struct pql_result res;
    struct pql_err err;
    ck_assert_int_ne(pql_exec_src(e, &src, "c", 1700000000000LL, 1700000600000LL, 15000, NULL,
                                  &res, &err), 0);
    ck_assert_int_eq(err.type, PQL_ERR_EXECUTION);
    ck_assert_str_eq(err.msg, "query processing would load too many samples into memory in "
                              "query execution");
    pql_engine_free(e);
    e = pql_engine_new(NULL);
    volatile int cancel = 1;
    struct pql_query_opts qo = {0};
    qo.cancel = &cancel;
    ck_assert_int_ne(pql_exec_src(e, &src, "sum(c)", 1700000000000LL, 1700000600000LL, 15000,
                                  &qo, &res, &err), 0);
    ck_assert_int_eq(err.type, PQL_ERR_CANCELED);
    ck_assert_str_eq(pql_err_type_str(err.type), "canceled");
    /* a 1 ms timeout on a long range query */
    qo.cancel = NULL;
    qo.timeout_ms = 1;
    ck_assert_int_ne(pql_exec_src(e, &src, "sum(rate(c[1m]))", 0, 1000000000LL, 1000, &qo,
                                  &res, &err), 0);
    ck_assert_int_eq(err.type, PQL_ERR_TIMEOUT);
    ck_assert_str_eq(err.msg, "query timed out in query execution");
    qo.timeout_ms = 0;
    /* per-query lookback: 10 s finds nothing 16 s after the last sample of g */
    qo.cancel = NULL;
    qo.lookback_ms = 10000;
    ck_assert_int_eq(pql_exec_src(e, &src, "g", 1700000211000LL, 0, 0, &qo, &res, &err), 0);
    ck_assert_int_eq(res.type, PQL_VAL_VECTOR);
    ck_assert_uint_eq(res.nvec, 0);
    pql_result_free(&res);
    qo.lookback_ms = 0;
    ck_assert_int_eq(pql_exec_src(e, &src, "g", 1700000211000LL, 0, 0, &qo, &res, &err), 0);
    ck_assert_uint_eq(res.nvec, 1);
    ck_assert_double_eq(res.vec[0].v, 11);
    ck_assert_int_eq(res.vec[0].t, 1700000211000LL);
    pql_result_free(&res);
    /* scalar and string results of instant queries */
    ck_assert_int_eq(pql_exec_src(e, &src, "\"hello\"", 1000, 0, 0, NULL, &res, &err), 0);
    ck_assert_int_eq(res.type, PQL_VAL_STRING);
    ck_assert_str_eq(res.str, "hello");
    pql_result_free(&res);
    ck_assert_int_eq(pql_exec_src(e, &src, "c[30s]", 1700000030000LL, 0, 0, NULL, &res, &err),
                     0);
    ck_assert_int_eq(res.type, PQL_VAL_MATRIX);
    ck_assert_uint_eq(res.nmat, 3);
    ck_assert_uint_eq(res.mat[0].n, 3);   /* [0s, 30s] closed: 0, 15, 30 */
    pql_result_free(&res);
    pql_engine_free(e);
}
END_TEST

/* test_oom: every allocation failing in turn gives a clean error (and, under ASan, no
 * leak), until the query succeeds with the right answer. */
START_TEST(test_oom)
{
    static const char *const qs[] = {
        "sum by (job) (rate(c[1m])) / on(job) group_left max by (job) (c)",
        "max_over_time(label_replace(g, \"x\", \"$1\", \"job\", \"(.*)\")[2m:30s])",
        "histogram_quantile(0.9, rate(h_bucket[1m])) or topk(1, -m)",
    };
    struct pql_mem_src ms = {rmem, NSERIES};
    struct pql_source src = pql_mem_source(&ms);
    for (size_t q = 0; q < 2 * sizeof qs / sizeof qs[0]; q++) {
        int64_t step = q % 2 ? 0 : 30000;   /* range, then instant */
        const char *query = qs[q / 2];
        struct pql_result res;
        struct pql_err err;
        struct pql_engine *e = pql_engine_new(NULL);
        ck_assert_ptr_nonnull(e);
        int rc = -1;
        long n;
        for (n = 1; n < 100000 && rc; n++) {
            lm_alloc_fail_after(n);
            rc = pql_exec_src(e, &src, query, 1700000030000LL, 1700000300000LL, step, NULL,
                              &res, &err);
            lm_alloc_fail_after(0);
            if (rc) {
                ck_assert_msg(err.type == PQL_ERR_INTERNAL || err.type == PQL_ERR_BAD_DATA,
                              "%s: failure %ld gave %s: %s", query, n,
                              pql_err_type_str(err.type), err.msg);
                ck_assert_int_eq(res.type, PQL_VAL_NONE);
            }
        }
        ck_assert_int_eq(rc, 0);
        ck_assert_int_eq(res.type, step ? PQL_VAL_MATRIX : PQL_VAL_VECTOR);
        ck_assert_uint_gt(step ? res.nmat : res.nvec, 0);
        pql_result_free(&res);
        pql_engine_free(e);
    }
}
END_TEST

Suite *engine_range_suite(void)
{
    Suite *s = suite_create("engine_range");
    TCase *tc = tcase_create("range");
    tcase_add_checked_fixture(tc, range_setup, range_teardown);
    tcase_add_loop_test(tc, test_range_json, 0,
                        (int)(sizeof range_cases / sizeof range_cases[0]));
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_oom);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}
