/* SPDX-License-Identifier: Apache-2.0 */
/* test_mdadm.c: unit tests for the mdadm collector: active, inactive, raid0, recovery,
 * resync, DELAYED, check and bitmap lines; malformed status line; missing mdstat. */
#include "harness.h"

extern const struct lm_collector_desc ne_mdadm_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_mdadm_collector, "mdadm.prom", NULL);
}
END_TEST

START_TEST(bad)
{
    ne_expect_error(&ne_mdadm_collector, LM_EPARSE, "bad/proc/mdstat");
}
END_TEST

START_TEST(nodata)
{
    const char *args[] = {"--path.procfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_mdadm_collector, args, &r);
    ck_assert_int_eq(r.rc, LM_ENODATA);
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *mdadm_suite(void);

Suite *
mdadm_suite(void)
{
    Suite *s = suite_create("mdadm");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, nodata);
    suite_add_tcase(s, tc);
    return s;
}
