/* SPDX-License-Identifier: Apache-2.0 */
/* test_xfs.c: unit tests for the xfs collector: per-device counters from
 * fs/xfs/<dev>/stats/stats, a line with the wrong value count, no fs/xfs directory. */
#include "harness.h"

extern const struct lm_collector_desc ne_xfs_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_xfs_collector, "xfs.prom", NULL);
}
END_TEST

START_TEST(bad)
{
    ne_expect_error(&ne_xfs_collector, LM_EPARSE, "sdb1/stats/stats");
}
END_TEST

START_TEST(missing)
{
    const char *args[] = {"--path.sysfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_xfs_collector, args, &r);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "");
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *xfs_suite(void);

Suite *
xfs_suite(void)
{
    Suite *s = suite_create("xfs");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, missing);
    suite_add_tcase(s, tc);
    return s;
}
