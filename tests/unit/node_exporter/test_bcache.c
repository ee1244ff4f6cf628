/* SPDX-License-Identifier: Apache-2.0 */
/* test_bcache.c: unit tests for the bcache collector: cache set, bdev and cache values in bch_hprint form (golden, with and without --collector.bcache.priorityStats), an unparsable value, no fs/bcache (no samples, no error, as upstream). */
#include "harness.h"

extern const struct lm_collector_desc ne_bcache_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_bcache_collector, "bcache.prom", NULL);
}
END_TEST

START_TEST(bad)
{
    ne_expect_error(&ne_bcache_collector, LM_EPARSE, "average_key_size");
}
END_TEST

START_TEST(missing)
{
    const char *args[] = {"--path.sysfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_bcache_collector, args, &r);
    ck_assert_int_eq(r.init_rc, 0);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "");
    lm_buf_cleanup(&r.out);
}
END_TEST

START_TEST(priority)
{
    const char *extra[] = {"--collector.bcache.priorityStats", NULL};
    ne_expect_golden(&ne_bcache_collector, "bcache-priority.prom", extra);
}
END_TEST

Suite *bcache_suite(void);

Suite *
bcache_suite(void)
{
    Suite *s = suite_create("bcache");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, missing);
    tcase_add_test(tc, priority);
    suite_add_tcase(s, tc);
    return s;
}
