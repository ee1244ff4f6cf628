/* SPDX-License-Identifier: Apache-2.0 */
/* test_ipvs.c: unit tests for the ipvs collector: totals and summed backends from net/ip_vs_stats and net/ip_vs, --collector.ipvs.backend-labels (golden and an unknown name), a non-hex total, no ip_vs_stats (LM_ENODATA). */
#include "harness.h"

extern const struct lm_collector_desc ne_ipvs_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_ipvs_collector, "ipvs.prom", NULL);
}
END_TEST

START_TEST(bad)
{
    ne_expect_error(&ne_ipvs_collector, LM_EPARSE, "net/ip_vs_stats");
}
END_TEST

START_TEST(missing)
{
    const char *args[] = {"--path.procfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_ipvs_collector, args, &r);
    ck_assert_int_eq(r.init_rc, 0);
    ck_assert_int_eq(r.rc, LM_ENODATA);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "");
    lm_buf_cleanup(&r.out);
}
END_TEST

/* fewer labels: backends that differ only in dropped labels are summed */
START_TEST(labels)
{
    const char *extra[] = {"--collector.ipvs.backend-labels=local_port,proto", NULL};
    ne_expect_golden(&ne_ipvs_collector, "ipvs-labels.prom", extra);
}
END_TEST

START_TEST(unknown_label)
{
    const char *args[] = {NE_FIX_ARGS, "--collector.ipvs.backend-labels=proto,zz,aa", NULL};
    struct ne_run r;
    ne_run(&ne_ipvs_collector, args, &r);
    ck_assert_int_eq(r.init_rc, LM_ECONFIG);
    ck_assert_str_eq(r.err.msg, "unknown IPVS backend labels: \"aa, zz\"");
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *ipvs_suite(void);

Suite *
ipvs_suite(void)
{
    Suite *s = suite_create("ipvs");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, missing);
    tcase_add_test(tc, labels);
    tcase_add_test(tc, unknown_label);
    suite_add_tcase(s, tc);
    return s;
}
