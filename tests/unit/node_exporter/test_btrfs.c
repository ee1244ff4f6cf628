/* SPDX-License-Identifier: Apache-2.0 */
/* test_btrfs.c: unit tests for the btrfs collector: info, global reserve, allocation
 * per block group type and layout, device sizes; no fs/btrfs directory means no data. */
#include "harness.h"

extern const struct lm_collector_desc ne_btrfs_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_btrfs_collector, "btrfs.prom", NULL);
}
END_TEST

START_TEST(missing)
{
    const char *args[] = {"--path.sysfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_btrfs_collector, args, &r);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "");
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *btrfs_suite(void);

Suite *
btrfs_suite(void)
{
    Suite *s = suite_create("btrfs");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, missing);
    suite_add_tcase(s, tc);
    return s;
}
