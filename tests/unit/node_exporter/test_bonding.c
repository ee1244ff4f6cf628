/* SPDX-License-Identifier: Apache-2.0 */
/* test_bonding.c: unit tests for the bonding collector: lower_ and slave_ links, a slave
 * without mii_status, and no bonding_masters. */
#include "harness.h"

extern const struct lm_collector_desc ne_bonding_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_bonding_collector, "bonding.prom", NULL);
}
END_TEST

START_TEST(bad)
{
    ne_expect_error(&ne_bonding_collector, LM_ENOENT, "bad/sys/class/net/bond0");
}
END_TEST

START_TEST(nodata)
{
    const char *args[] = {"--path.sysfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_bonding_collector, args, &r);
    ck_assert_int_eq(r.rc, LM_ENODATA);
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *bonding_suite(void);

Suite *
bonding_suite(void)
{
    Suite *s = suite_create("bonding");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, nodata);
    suite_add_tcase(s, tc);
    return s;
}
