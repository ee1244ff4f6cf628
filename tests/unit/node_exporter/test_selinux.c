/* SPDX-License-Identifier: Apache-2.0 */
/* test_selinux.c: unit tests for the selinux collector: selinuxfs enabled/current mode and the configured mode. */
#include "harness.h"

extern const struct lm_collector_desc ne_selinux_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_selinux_collector, "selinux.prom", NULL);
}
END_TEST

START_TEST(disabled)
{
    const char *args[] = {"--path.sysfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_selinux_collector, args, &r);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "# HELP node_selinux_enabled SELinux is enabled, 1 is true, 0 is false\n"
                     "# TYPE node_selinux_enabled gauge\nnode_selinux_enabled 0\n");
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *selinux_suite(void);

Suite *
selinux_suite(void)
{
    Suite *s = suite_create("selinux");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, disabled);
    suite_add_tcase(s, tc);
    return s;
}
