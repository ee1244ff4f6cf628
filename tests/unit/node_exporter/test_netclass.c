/* SPDX-License-Identifier: Apache-2.0 */
/* test_netclass.c: unit tests for the netclass collector: info/up and per-attribute
 * gauges, missing attributes, speed -1, ignored devices, unparsable values. */
#include "harness.h"

extern const struct lm_collector_desc ne_netclass_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_netclass_collector, "netclass.prom", NULL);
}
END_TEST

START_TEST(ignored)
{
    const char *extra[] = {"--collector.netclass.ignored-devices=^(lo|bond0|eth0)$",
                           "--collector.netclass.ignore-invalid-speed", NULL};
    ne_expect_golden(&ne_netclass_collector, "netclass-ignored.prom", extra);
}
END_TEST

START_TEST(bad)
{
    const char *args[] = {NE_BAD_ARGS, NULL};
    struct ne_run r;
    ne_run(&ne_netclass_collector, args, &r);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_ptr_null(strstr(lm_buf_cstr(&r.out), "mtu_bytes"));
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *netclass_suite(void);

Suite *
netclass_suite(void)
{
    Suite *s = suite_create("netclass");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, ignored);
    tcase_add_test(tc, bad);
    suite_add_tcase(s, tc);
    return s;
}
