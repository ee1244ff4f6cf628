/* SPDX-License-Identifier: Apache-2.0 */
/* test_rapl.c: unit tests for the rapl collector: RAPL zone energy counters, with and without the zone label. */
#include "harness.h"

extern const struct lm_collector_desc ne_rapl_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_rapl_collector, "rapl.prom", NULL);
}
END_TEST

START_TEST(nodata)
{
    const char *args[] = {"--path.sysfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_rapl_collector, args, &r);
    ck_assert_int_eq(r.init_rc, 0);
    ck_assert_msg(r.rc == LM_ENODATA, "rc %s: %s", lm_err_name(r.rc), r.err.msg);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "");
    lm_buf_cleanup(&r.out);
}
END_TEST

START_TEST(zonelabel)
{
    const char *extra[] = {"--collector.rapl.enable-zone-label", NULL};
    ne_expect_golden(&ne_rapl_collector, "rapl-zone-label.prom", extra);
}
END_TEST

Suite *rapl_suite(void);

Suite *
rapl_suite(void)
{
    Suite *s = suite_create("rapl");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, nodata);
    tcase_add_test(tc, zonelabel);
    suite_add_tcase(s, tc);
    return s;
}
