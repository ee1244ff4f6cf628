/* SPDX-License-Identifier: Apache-2.0 */
/* test_meminfo.c: unit tests for the meminfo collector: kB and unitless lines, Active(anon) naming, unknown unit. */
#include "harness.h"

extern const struct lm_collector_desc ne_meminfo_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_meminfo_collector, "meminfo.prom", NULL);
}
END_TEST

START_TEST(bad)
{
    ne_expect_error(&ne_meminfo_collector, LM_EPARSE, "bad/proc/meminfo");
}
END_TEST

START_TEST(missing)
{
    const char *args[] = {"--path.procfs=" NE_FIX "/nonexistent", "--path.sysfs=" NE_FIX "/nonexistent",
                          "--path.rootfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_meminfo_collector, args, &r);
    ck_assert_int_eq(r.init_rc, 0);
    ck_assert_msg(r.rc == LM_ENOENT, "rc %s: %s", lm_err_name(r.rc), r.err.msg);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "");
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *meminfo_suite(void);

Suite *
meminfo_suite(void)
{
    Suite *s = suite_create("meminfo");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, missing);
    suite_add_tcase(s, tc);
    return s;
}
