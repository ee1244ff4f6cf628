/* SPDX-License-Identifier: Apache-2.0 */
/* test_infiniband.c: unit tests for the infiniband collector: device info and per-port state, rate and counters (N/A counters skipped, counters_ext legacy counters), an unparsable rate, no infiniband class (LM_ENODATA). */
#include "harness.h"

extern const struct lm_collector_desc ne_infiniband_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_infiniband_collector, "infiniband.prom", NULL);
}
END_TEST

START_TEST(bad)
{
    ne_expect_error(&ne_infiniband_collector, LM_EPARSE, "ports/1/rate");
}
END_TEST

START_TEST(missing)
{
    const char *args[] = {"--path.sysfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_infiniband_collector, args, &r);
    ck_assert_int_eq(r.init_rc, 0);
    ck_assert_int_eq(r.rc, LM_ENODATA);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "");
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *infiniband_suite(void);

Suite *
infiniband_suite(void)
{
    Suite *s = suite_create("infiniband");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, missing);
    suite_add_tcase(s, tc);
    return s;
}
