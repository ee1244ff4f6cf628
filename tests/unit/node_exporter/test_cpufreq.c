/* SPDX-License-Identifier: Apache-2.0 */
/* test_cpufreq.c: unit tests for the cpufreq collector: per-CPU frequencies and governors from devices/system/cpu. */
#include "harness.h"

extern const struct lm_collector_desc ne_cpufreq_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_cpufreq_collector, "cpufreq.prom", NULL);
}
END_TEST

Suite *cpufreq_suite(void);

Suite *
cpufreq_suite(void)
{
    Suite *s = suite_create("cpufreq");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    suite_add_tcase(s, tc);
    return s;
}
