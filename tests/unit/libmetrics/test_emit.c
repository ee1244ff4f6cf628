/* SPDX-License-Identifier: Apache-2.0 */
/* test_emit.c: the per-scrape emitter: golden text 0.0.4 and OpenMetrics output (byte for
 * byte), family sorting and merging, sample ordering by label values, errors, and an OOM
 * torture of a whole emit sequence. */
#include <check.h>
#include <math.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/emit.h"

/* emit_page: a representative collector output, emitted out of order on purpose. */
static int
emit_page(struct lm_emit *e)
{
    int rc = 0;
    rc |= lm_emit_family(e, "node_load1", "1m load average.", LM_TYPE_GAUGE);
    rc |= lm_emit_sample(e, NULL, 0, 0.21);
    rc |= lm_emit_family(e, "node_cpu_seconds_total", "Seconds the CPUs spent in each mode.",
                         LM_TYPE_COUNTER);
    rc |= lm_emit_samplev(e, 1234.5, "mode", "user", "cpu", "1", NULL);
    rc |= lm_emit_samplev(e, 98765.25, "cpu", "0", "mode", "idle", NULL);
    rc |= lm_emit_samplev(e, 12, "cpu", "0", "mode", "user", NULL);
    rc |= lm_emit_samplev(e, 3e6, "cpu", "10", "mode", "idle", NULL);
    rc |= lm_emit_family(e, "a_untyped", "Esc \\ and\nnewline \"q\".", LM_TYPE_UNTYPED);
    rc |= lm_emit_samplev(e, NAN, "path", "C:\\x \"y\"\nz", NULL);
    rc |= lm_emit_family(e, "rpc_duration_seconds", "RPC latency.", LM_TYPE_SUMMARY);
    rc |= lm_emit_samplev(e, 0.05, "quantile", "0.5", "service", "b", NULL);
    rc |= lm_emit_samplev(e, 0.01, "quantile", "0.5", "service", "a", NULL);
    rc |= lm_emit_samplev(e, 0.09, "service", "a", "quantile", "0.99", NULL);
    struct lm_label sa = {"service", "a"};
    rc |= lm_emit_sample_suffix(e, "_sum", &sa, 1, 17.5);
    rc |= lm_emit_sample_suffix(e, "_count", &sa, 1, 1000);
    struct lm_label sb = {"service", "b"};
    rc |= lm_emit_sample_suffix(e, "_count", &sb, 1, 1);
    rc |= lm_emit_sample_suffix(e, "_sum", &sb, 1, 0.05);
    rc |= lm_emit_family(e, "http_request_duration_seconds", "Latency.", LM_TYPE_HISTOGRAM);
    double bounds[] = {0.1, 1, 2.5};
    double cum[] = {1, 3, 4};
    struct lm_label h = {"handler", "/"};
    rc |= lm_emit_histogram(e, &h, 1, bounds, cum, 3, 6.25, 5);
    /* the same gauge family again from "another collector": merged */
    rc |= lm_emit_family(e, "node_load1", "1m load average.", LM_TYPE_GAUGE);
    rc |= lm_emit_sample(e, (struct lm_label[]){{"x", "y"}}, 1, -1);
    rc |= lm_emit_one(e, "node_empty_family_is_not_written", "x", LM_TYPE_GAUGE, 1);
    rc |= lm_emit_family(e, "node_zz_empty", "no samples", LM_TYPE_GAUGE);
    return rc;
}

static const char golden_text[] =
    "# HELP a_untyped Esc \\\\ and\\nnewline \"q\".\n"
    "# TYPE a_untyped untyped\n"
    "a_untyped{path=\"C:\\\\x \\\"y\\\"\\nz\"} NaN\n"
    "# HELP http_request_duration_seconds Latency.\n"
    "# TYPE http_request_duration_seconds histogram\n"
    "http_request_duration_seconds_bucket{handler=\"/\",le=\"0.1\"} 1\n"
    "http_request_duration_seconds_bucket{handler=\"/\",le=\"1\"} 3\n"
    "http_request_duration_seconds_bucket{handler=\"/\",le=\"2.5\"} 4\n"
    "http_request_duration_seconds_bucket{handler=\"/\",le=\"+Inf\"} 5\n"
    "http_request_duration_seconds_sum{handler=\"/\"} 6.25\n"
    "http_request_duration_seconds_count{handler=\"/\"} 5\n"
    "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
    "# TYPE node_cpu_seconds_total counter\n"
    "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 98765.25\n"
    "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 12\n"
    "node_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 1234.5\n"
    "node_cpu_seconds_total{cpu=\"10\",mode=\"idle\"} 3e+06\n"
    "# HELP node_empty_family_is_not_written x\n"
    "# TYPE node_empty_family_is_not_written gauge\n"
    "node_empty_family_is_not_written 1\n"
    "# HELP node_load1 1m load average.\n"
    "# TYPE node_load1 gauge\n"
    "node_load1 0.21\n"
    "node_load1{x=\"y\"} -1\n"
    "# HELP rpc_duration_seconds RPC latency.\n"
    "# TYPE rpc_duration_seconds summary\n"
    "rpc_duration_seconds{service=\"a\",quantile=\"0.5\"} 0.01\n"
    "rpc_duration_seconds{service=\"a\",quantile=\"0.99\"} 0.09\n"
    "rpc_duration_seconds_sum{service=\"a\"} 17.5\n"
    "rpc_duration_seconds_count{service=\"a\"} 1000\n"
    "rpc_duration_seconds{service=\"b\",quantile=\"0.5\"} 0.05\n"
    "rpc_duration_seconds_sum{service=\"b\"} 0.05\n"
    "rpc_duration_seconds_count{service=\"b\"} 1\n";

static const char golden_om[] =
    "# HELP a_untyped Esc \\\\ and\\nnewline \\\"q\\\".\n"
    "# TYPE a_untyped unknown\n"
    "a_untyped{path=\"C:\\\\x \\\"y\\\"\\nz\"} NaN\n"
    "# HELP http_request_duration_seconds Latency.\n"
    "# TYPE http_request_duration_seconds histogram\n"
    "http_request_duration_seconds_bucket{handler=\"/\",le=\"0.1\"} 1\n"
    "http_request_duration_seconds_bucket{handler=\"/\",le=\"1.0\"} 3\n"
    "http_request_duration_seconds_bucket{handler=\"/\",le=\"2.5\"} 4\n"
    "http_request_duration_seconds_bucket{handler=\"/\",le=\"+Inf\"} 5\n"
    "http_request_duration_seconds_sum{handler=\"/\"} 6.25\n"
    "http_request_duration_seconds_count{handler=\"/\"} 5\n"
    "# HELP node_cpu_seconds Seconds the CPUs spent in each mode.\n"
    "# TYPE node_cpu_seconds counter\n"
    "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 98765.25\n"
    "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 12.0\n"
    "node_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 1234.5\n"
    "node_cpu_seconds_total{cpu=\"10\",mode=\"idle\"} 3e+06\n"
    "# HELP node_empty_family_is_not_written x\n"
    "# TYPE node_empty_family_is_not_written gauge\n"
    "node_empty_family_is_not_written 1.0\n"
    "# HELP node_load1 1m load average.\n"
    "# TYPE node_load1 gauge\n"
    "node_load1 0.21\n"
    "node_load1{x=\"y\"} -1.0\n"
    "# HELP rpc_duration_seconds RPC latency.\n"
    "# TYPE rpc_duration_seconds summary\n"
    "rpc_duration_seconds{service=\"a\",quantile=\"0.5\"} 0.01\n"
    "rpc_duration_seconds{service=\"a\",quantile=\"0.99\"} 0.09\n"
    "rpc_duration_seconds_sum{service=\"a\"} 17.5\n"
    "rpc_duration_seconds_count{service=\"a\"} 1000\n"
    "rpc_duration_seconds{service=\"b\",quantile=\"0.5\"} 0.05\n"
    "rpc_duration_seconds_sum{service=\"b\"} 0.05\n"
    "rpc_duration_seconds_count{service=\"b\"} 1\n";

static void
check_golden(enum lm_format fmt, const char *want)
{
    struct lm_emit *e = lm_emit_new(fmt);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(emit_page(e), 0);
    ck_assert_ptr_null(lm_emit_error(e));
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    ck_assert_int_eq(lm_emit_finish(e, &b), 0);
    ck_assert_str_eq(lm_buf_cstr(&b), want);
    lm_buf_cleanup(&b);
    lm_emit_free(e);
}

START_TEST(test_golden_text)
{
    check_golden(LM_FORMAT_TEXT, golden_text);
}
END_TEST

START_TEST(test_golden_om)
{
    check_golden(LM_FORMAT_OPENMETRICS, golden_om);
}
END_TEST

START_TEST(test_errors)
{
    struct lm_emit *e = lm_emit_new(LM_FORMAT_TEXT);
    ck_assert_int_eq(lm_emit_sample(e, NULL, 0, 1), LM_EINVAL);   /* no family yet */
    ck_assert_int_eq(lm_emit_family(e, "bad-name", "h", LM_TYPE_GAUGE), LM_ENAME);
    ck_assert_int_eq(lm_emit_sample(e, NULL, 0, 1), LM_ENAME);    /* dropped */
    ck_assert_int_eq(lm_emit_family(e, "g", "help", LM_TYPE_GAUGE), 0);
    ck_assert_int_eq(lm_emit_samplev(e, 1, "a", "1", "a", "2", NULL), LM_ELABEL);
    ck_assert_int_eq(lm_emit_samplev(e, 1, "__a", "1", NULL), LM_ELABEL);
    ck_assert_int_eq(lm_emit_samplev(e, 1, "a-b", "1", NULL), LM_ELABEL);
    ck_assert_int_eq(lm_emit_samplev(e, 1, "a", "1", NULL), 0);
    ck_assert_int_eq(lm_emit_family(e, "g", "other help", LM_TYPE_GAUGE), LM_EDUP);
    ck_assert_int_eq(lm_emit_samplev(e, 2, "a", "2", NULL), LM_EDUP);   /* dropped */
    ck_assert_int_eq(lm_emit_family(e, "g", "help", LM_TYPE_COUNTER), LM_EDUP);
    ck_assert_int_eq(lm_emit_family(e, "g", "help", LM_TYPE_GAUGE), 0);
    ck_assert_int_eq(lm_emit_samplev(e, 3, "a", "1", NULL), 0);   /* duplicate series */
    const struct lm_err *err = lm_emit_error(e);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->code, LM_EINVAL);   /* the first error is kept */
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    ck_assert_int_eq(lm_emit_finish(e, &b), 0);
    ck_assert_str_eq(lm_buf_cstr(&b), "# HELP g help\n# TYPE g gauge\ng{a=\"1\"} 1\n");
    lm_buf_cleanup(&b);
    lm_emit_free(e);
}
END_TEST

START_TEST(test_arena_and_order)
{
    struct lm_emit *e = lm_emit_new(LM_FORMAT_TEXT);
    char *p = lm_emit_alloc(e, 100);
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(p[i], 0);
    ck_assert_ptr_nonnull(lm_emit_alloc(e, 1 << 20));   /* big one-off block */
    ck_assert_int_eq(lm_emit_family(e, "x", NULL, LM_TYPE_GAUGE), 0);
    /* ordering by values position by position, bytewise, as Go strings compare */
    const char *vals[] = {"b", "a", "ab", "", "B", "a\x7f", "\xc3\xa9"};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        ck_assert_int_eq(lm_emit_samplev(e, (double)i, "l", vals[i], NULL), 0);
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    lm_emit_finish(e, &b);
    ck_assert_str_eq(lm_buf_cstr(&b), "# TYPE x gauge\nx{l=\"\"} 3\nx{l=\"B\"} 4\nx{l=\"a\"} 1\n"
                                      "x{l=\"ab\"} 2\nx{l=\"a\x7f\"} 5\nx{l=\"b\"} 0\n"
                                      "x{l=\"\xc3\xa9\"} 6\n");
    lm_buf_cleanup(&b);
    lm_emit_free(e);
    lm_emit_free(NULL);
}
END_TEST

START_TEST(test_oom)
{
    for (long n = 1;; n++) {
        lm_alloc_fail_after(n);
        struct lm_emit *e = lm_emit_new(LM_FORMAT_OPENMETRICS);
        if (!e)
            continue;
        int rc = emit_page(e);
        struct lm_buf b;
        lm_buf_init(&b, 1 << 20);
        int frc = lm_emit_finish(e, &b);
        lm_alloc_fail_after(0);
        if (rc == 0 && frc == 0 && !lm_emit_error(e)) {
            ck_assert_str_eq(lm_buf_cstr(&b), golden_om);
            lm_buf_cleanup(&b);
            lm_emit_free(e);
            break;
        }
        ck_assert(rc != 0 || frc != 0 || lm_emit_error(e)->code == LM_ENOMEM);
        lm_buf_cleanup(&b);
        lm_emit_free(e);
        ck_assert_int_lt(n, 10000);
    }
}
END_TEST

Suite *emit_suite(void);
Suite *
emit_suite(void)
{
    Suite *s = suite_create("emit");
    TCase *tc = tcase_create("emit");
    tcase_add_test(tc, test_golden_text);
    tcase_add_test(tc, test_golden_om);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_arena_and_order);
    tcase_add_test(tc, test_oom);
    suite_add_tcase(s, tc);
    return s;
}
