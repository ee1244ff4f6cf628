/* SPDX-License-Identifier: Apache-2.0 */
/* test_cpu.c: unit tests for the cpu collector: per-CPU modes, guest, throttles, --collector.cpu.info with flag/bug filters, monotonic counters. */
#include "harness.h"

extern const struct lm_collector_desc ne_cpu_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_cpu_collector, "cpu.prom", NULL);
}
END_TEST

START_TEST(info)
{
    const char *extra[] = {"--collector.cpu.info.flags-include=^(sse2|avx2)$", "--collector.cpu.info.bugs-include=spectre", "--no-collector.cpu.guest", NULL};
    ne_expect_golden(&ne_cpu_collector, "cpu_info.prom", extra);
}
END_TEST

START_TEST(bad)
{
    ne_expect_error(&ne_cpu_collector, LM_EPARSE, "bad/proc/stat");
}
END_TEST

START_TEST(missing)
{
    const char *args[] = {"--path.procfs=" NE_FIX "/nonexistent", "--path.sysfs=" NE_FIX "/nonexistent",
                          "--path.rootfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_cpu_collector, args, &r);
    ck_assert_int_eq(r.init_rc, 0);
    ck_assert_msg(r.rc == LM_ENOENT, "rc %s: %s", lm_err_name(r.rc), r.err.msg);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "");
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *cpu_suite(void);

Suite *
cpu_suite(void)
{
    Suite *s = suite_create("cpu");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, info);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, missing);
    suite_add_tcase(s, tc);
    return s;
}
