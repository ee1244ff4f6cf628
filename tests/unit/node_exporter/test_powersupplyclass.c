/* SPDX-License-Identifier: Apache-2.0 */
/* test_powersupplyclass.c: unit tests for the powersupplyclass collector: scaled gauges
 * and the info labels of a mains supply and a battery, the ignore regexp, an unparsable
 * attribute and a missing class directory (no data). */
#include "harness.h"

extern const struct lm_collector_desc ne_powersupplyclass_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_powersupplyclass_collector, "powersupplyclass.prom", NULL);
}
END_TEST

START_TEST(ignored)
{
    const char *extra[] = {"--collector.powersupply.ignored-supplies=^BAT", NULL};
    ne_expect_golden(&ne_powersupplyclass_collector, "powersupplyclass-ignored.prom", extra);
}
END_TEST

START_TEST(bad)
{
    ne_expect_error(&ne_powersupplyclass_collector, LM_EPARSE, "BAT1/capacity");
}
END_TEST

START_TEST(missing)
{
    const char *args[] = {"--path.sysfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_powersupplyclass_collector, args, &r);
    ck_assert_int_eq(r.rc, LM_ENODATA);
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *powersupplyclass_suite(void);

Suite *
powersupplyclass_suite(void)
{
    Suite *s = suite_create("powersupplyclass");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, ignored);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, missing);
    suite_add_tcase(s, tc);
    return s;
}
