/* SPDX-License-Identifier: Apache-2.0 */
/* test_edac.c: unit tests for the edac collector: memory controller and csrow error counts from devices/system/edac. */
#include "harness.h"

extern const struct lm_collector_desc ne_edac_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_edac_collector, "edac.prom", NULL);
}
END_TEST

Suite *edac_suite(void);

Suite *
edac_suite(void)
{
    Suite *s = suite_create("edac");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    suite_add_tcase(s, tc);
    return s;
}
