/* SPDX-License-Identifier: Apache-2.0 */
/* test_diskstats.c: unit tests for the diskstats collector: 11/15/17-column lines, the
 * default exclude, udev info and ATA gauges, include filter, flag conflicts, bad input. */
#include "harness.h"

extern const struct lm_collector_desc ne_diskstats_collector;

START_TEST(golden)
{
    const char *extra[] = {"--path.udev.data=" NE_FIX "/udev", NULL};
    ne_expect_golden(&ne_diskstats_collector, "diskstats.prom", extra);
}
END_TEST

START_TEST(include_no_udev)
{
    const char *extra[] = {"--path.udev.data=" NE_FIX "/nonexistent",
                           "--collector.diskstats.device-include=^(sda|md)", NULL};
    ne_expect_golden(&ne_diskstats_collector, "diskstats-include.prom", extra);
}
END_TEST

START_TEST(exclusive)
{
    const char *args[] = {NE_FIX_ARGS, "--collector.diskstats.device-include=^sd",
                          "--collector.diskstats.device-exclude=^loop", NULL};
    struct ne_run r;
    ne_run(&ne_diskstats_collector, args, &r);
    ck_assert_int_eq(r.init_rc, LM_ECONFIG);
    lm_buf_cleanup(&r.out);
    const char *args2[] = {NE_FIX_ARGS, "--collector.diskstats.ignored-devices=^loop",
                           "--collector.diskstats.device-exclude=^loop", NULL};
    ne_run(&ne_diskstats_collector, args2, &r);
    ck_assert_int_eq(r.init_rc, LM_ECONFIG);
    lm_buf_cleanup(&r.out);
}
END_TEST

START_TEST(bad)
{
    ne_expect_error(&ne_diskstats_collector, LM_EPARSE, "bad/proc/diskstats");
}
END_TEST

Suite *diskstats_suite(void);

Suite *
diskstats_suite(void)
{
    Suite *s = suite_create("diskstats");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, include_no_udev);
    tcase_add_test(tc, exclusive);
    tcase_add_test(tc, bad);
    suite_add_tcase(s, tc);
    return s;
}
