/* SPDX-License-Identifier: Apache-2.0 */
/* test_fibrechannel.c: unit tests for the fibrechannel collector: the info series and hex counters of class/fc_host (an all-ones counter skipped), a non-hex counter, no fc_host class (LM_ENODATA). */
#include "harness.h"

extern const struct lm_collector_desc ne_fibrechannel_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_fibrechannel_collector, "fibrechannel.prom", NULL);
}
END_TEST

START_TEST(bad)
{
    ne_expect_error(&ne_fibrechannel_collector, LM_EPARSE, "statistics/rx_frames");
}
END_TEST

START_TEST(missing)
{
    const char *args[] = {"--path.sysfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_fibrechannel_collector, args, &r);
    ck_assert_int_eq(r.init_rc, 0);
    ck_assert_int_eq(r.rc, LM_ENODATA);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "");
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *fibrechannel_suite(void);

Suite *
fibrechannel_suite(void)
{
    Suite *s = suite_create("fibrechannel");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, missing);
    suite_add_tcase(s, tc);
    return s;
}
