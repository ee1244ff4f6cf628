/* SPDX-License-Identifier: Apache-2.0 */
/* test_time.c: unit tests for the time collector: clocksources from the fixture sysfs; time and zone are live. */
#include "harness.h"

extern const struct lm_collector_desc ne_time_collector;

START_TEST(clocksources)
{
    const char *args[] = {NE_FIX_ARGS, NULL};
    struct ne_run r;
    ne_run(&ne_time_collector, args, &r);
    ck_assert_int_eq(r.rc, 0);
    const char *out = lm_buf_cstr(&r.out);
    ck_assert_ptr_nonnull(strstr(out, "node_time_clocksource_available_info{clocksource=\"kvm-clock\",device=\"0\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(out, "node_time_clocksource_current_info{clocksource=\"tsc\",device=\"0\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(out, "# TYPE node_time_seconds gauge\nnode_time_seconds "));
    ck_assert_ptr_nonnull(strstr(out, "node_time_zone_offset_seconds{time_zone="));
    lm_buf_cleanup(&r.out);
}
END_TEST

START_TEST(no_sysfs)
{
    const char *args[] = {NE_BAD_ARGS, NULL};
    struct ne_run r;
    ne_run(&ne_time_collector, args, &r);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_ptr_null(strstr(lm_buf_cstr(&r.out), "clocksource"));
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *time_suite(void);

Suite *
time_suite(void)
{
    Suite *s = suite_create("time");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, clocksources);
    tcase_add_test(tc, no_sysfs);
    suite_add_tcase(s, tc);
    return s;
}
