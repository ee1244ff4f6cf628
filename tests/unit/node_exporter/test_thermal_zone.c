/* SPDX-License-Identifier: Apache-2.0 */
/* test_thermal_zone.c: unit tests for the thermal_zone collector: thermal zones and cooling devices from class/thermal. */
#include "harness.h"

extern const struct lm_collector_desc ne_thermal_zone_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_thermal_zone_collector, "thermal_zone.prom", NULL);
}
END_TEST

Suite *thermal_zone_suite(void);

Suite *
thermal_zone_suite(void)
{
    Suite *s = suite_create("thermal_zone");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    suite_add_tcase(s, tc);
    return s;
}
