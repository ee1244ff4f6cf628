/* SPDX-License-Identifier: Apache-2.0 */
/* test_vmstat.c: unit tests for the vmstat collector: default and custom --collector.vmstat.fields, bad value, bad regex. */
#include "harness.h"

extern const struct lm_collector_desc ne_vmstat_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_vmstat_collector, "vmstat.prom", NULL);
}
END_TEST

START_TEST(custom_fields)
{
    const char *extra[] = {"--collector.vmstat.fields=^nr_", NULL};
    ne_expect_golden(&ne_vmstat_collector, "vmstat_custom.prom", extra);
}
END_TEST

START_TEST(bad)
{
    ne_expect_error(&ne_vmstat_collector, LM_EPARSE, "bad/proc/vmstat");
}
END_TEST

START_TEST(bad_regex)
{
    const char *args[] = {NE_FIX_ARGS, "--collector.vmstat.fields=(", NULL};
    struct ne_run r;
    ne_run(&ne_vmstat_collector, args, &r);
    ck_assert_int_ne(r.init_rc, 0);
    ck_assert_str_eq(r.err.where, "--collector.vmstat.fields");
    lm_buf_cleanup(&r.out);
}
END_TEST

START_TEST(missing)
{
    const char *args[] = {"--path.procfs=" NE_FIX "/nonexistent", "--path.sysfs=" NE_FIX "/nonexistent",
                          "--path.rootfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_vmstat_collector, args, &r);
    ck_assert_int_eq(r.init_rc, 0);
    ck_assert_msg(r.rc == LM_ENOENT, "rc %s: %s", lm_err_name(r.rc), r.err.msg);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "");
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *vmstat_suite(void);

Suite *
vmstat_suite(void)
{
    Suite *s = suite_create("vmstat");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, custom_fields);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, bad_regex);
    tcase_add_test(tc, missing);
    suite_add_tcase(s, tc);
    return s;
}
