/* SPDX-License-Identifier: Apache-2.0 */
/* test_netdev.c: unit tests for the netdev collector: sysfs statistics (the netlink
 * counter set) folded into legacy names, detailed names, /proc/net/dev, bad input. */
#include "harness.h"

extern const struct lm_collector_desc ne_netdev_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_netdev_collector, "netdev.prom", NULL);
}
END_TEST

START_TEST(detailed)
{
    const char *extra[] = {"--collector.netdev.enable-detailed-metrics",
                           "--collector.netdev.device-include=^eth", NULL};
    ne_expect_golden(&ne_netdev_collector, "netdev-detailed.prom", extra);
}
END_TEST

START_TEST(procfs)
{
    const char *extra[] = {"--no-collector.netdev.netlink", NULL};
    ne_expect_golden(&ne_netdev_collector, "netdev-proc.prom", extra);
}
END_TEST

START_TEST(bad)
{
    const char *args[] = {NE_BAD_ARGS, "--no-collector.netdev.netlink", NULL};
    struct ne_run r;
    ne_run(&ne_netdev_collector, args, &r);
    ck_assert_int_eq(r.rc, LM_EPARSE);
    ck_assert_ptr_nonnull(strstr(r.err.where, "bad/proc/net/dev"));
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *netdev_suite(void);

Suite *
netdev_suite(void)
{
    Suite *s = suite_create("netdev");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, detailed);
    tcase_add_test(tc, procfs);
    tcase_add_test(tc, bad);
    suite_add_tcase(s, tc);
    return s;
}
