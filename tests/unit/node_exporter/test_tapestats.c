/* SPDX-License-Identifier: Apache-2.0 */
/* test_tapestats.c: unit tests for the tapestats collector: the stats/ counters of class/scsi_tape/st<N> (nst0, st0a skipped; golden with and without --collector.tapestats.ignored-devices), a non-number, no scsi_tape class (LM_ENODATA). */
#include "harness.h"

extern const struct lm_collector_desc ne_tapestats_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_tapestats_collector, "tapestats.prom", NULL);
}
END_TEST

START_TEST(bad)
{
    ne_expect_error(&ne_tapestats_collector, LM_EPARSE, "st0/stats/in_flight");
}
END_TEST

START_TEST(missing)
{
    const char *args[] = {"--path.sysfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_tapestats_collector, args, &r);
    ck_assert_int_eq(r.init_rc, 0);
    ck_assert_int_eq(r.rc, LM_ENODATA);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "");
    lm_buf_cleanup(&r.out);
}
END_TEST

START_TEST(ignored)
{
    const char *extra[] = {"--collector.tapestats.ignored-devices=^st1$", NULL};
    ne_expect_golden(&ne_tapestats_collector, "tapestats-ignored.prom", extra);
}
END_TEST

Suite *tapestats_suite(void);

Suite *
tapestats_suite(void)
{
    Suite *s = suite_create("tapestats");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, missing);
    tcase_add_test(tc, ignored);
    suite_add_tcase(s, tc);
    return s;
}
