/* SPDX-License-Identifier: Apache-2.0 */
/* test_hwmon.c: unit tests for the hwmon collector: chip naming from the device link and
 * from the name file, every unit rule, chip-exclude, and no class/hwmon. */
#include "harness.h"

extern const struct lm_collector_desc ne_hwmon_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_hwmon_collector, "hwmon.prom", NULL);
}
END_TEST

START_TEST(exclude)
{
    const char *extra[] = {"--collector.hwmon.chip-exclude=^nct", NULL};
    ne_expect_golden(&ne_hwmon_collector, "hwmon-exclude.prom", extra);
}
END_TEST

START_TEST(nodata)
{
    const char *args[] = {NE_BAD_ARGS, NULL};
    struct ne_run r;
    ne_run(&ne_hwmon_collector, args, &r);
    ck_assert_int_eq(r.rc, LM_ENODATA);
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *hwmon_suite(void);

Suite *
hwmon_suite(void)
{
    Suite *s = suite_create("hwmon");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, exclude);
    tcase_add_test(tc, nodata);
    suite_add_tcase(s, tc);
    return s;
}
