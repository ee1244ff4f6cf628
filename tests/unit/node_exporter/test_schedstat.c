/* SPDX-License-Identifier: Apache-2.0 */
/* test_schedstat.c: unit tests for the schedstat collector: running/waiting seconds and timeslices per CPU, short lines skipped, missing means no data. */
#include "harness.h"

extern const struct lm_collector_desc ne_schedstat_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_schedstat_collector, "schedstat.prom", NULL);
}
END_TEST

START_TEST(short_lines)
{
    const char *args[] = {NE_BAD_ARGS, NULL};
    struct ne_run r;
    ne_run(&ne_schedstat_collector, args, &r);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "");
    lm_buf_cleanup(&r.out);
}
END_TEST

START_TEST(missing)
{
    const char *args[] = {"--path.procfs=" NE_FIX "/nonexistent", "--path.sysfs=" NE_FIX "/nonexistent",
                          "--path.rootfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_schedstat_collector, args, &r);
    ck_assert_int_eq(r.init_rc, 0);
    ck_assert_msg(r.rc == LM_ENODATA, "rc %s: %s", lm_err_name(r.rc), r.err.msg);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "");
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *schedstat_suite(void);

Suite *
schedstat_suite(void)
{
    Suite *s = suite_create("schedstat");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, short_lines);
    tcase_add_test(tc, missing);
    suite_add_tcase(s, tc);
    return s;
}
