/* SPDX-License-Identifier: Apache-2.0 */
/* test_zfs.c: unit tests for the zfs collector: kstat groups, pool io, objset and state
 * from proc/spl/kstat/zfs; a negative uint64 kstat; no kstat directory (no data). */
#include "harness.h"

extern const struct lm_collector_desc ne_zfs_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_zfs_collector, "zfs.prom", NULL);
}
END_TEST

START_TEST(bad)
{
    ne_expect_error(&ne_zfs_collector, LM_EPARSE, "spl/kstat/zfs/arcstats");
}
END_TEST

START_TEST(missing)
{
    const char *args[] = {"--path.procfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_zfs_collector, args, &r);
    ck_assert_int_eq(r.rc, LM_ENODATA);
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *zfs_suite(void);

Suite *
zfs_suite(void)
{
    Suite *s = suite_create("zfs");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, missing);
    suite_add_tcase(s, tc);
    return s;
}
