/* SPDX-License-Identifier: Apache-2.0 */
/* test_timex.c: unit tests for the timex collector: adjtimex families present with their types. */
#include "harness.h"

extern const struct lm_collector_desc ne_timex_collector;

START_TEST(families)
{
    struct ne_run r;
    ne_run(&ne_timex_collector, NULL, &r);
    ck_assert_int_eq(r.rc, 0);
    const char *out = lm_buf_cstr(&r.out);
    ck_assert_ptr_nonnull(strstr(out, "# TYPE node_timex_sync_status gauge\n"));
    ck_assert_ptr_nonnull(strstr(out, "# TYPE node_timex_pps_error_total counter\n"));
    ck_assert_ptr_nonnull(strstr(out, "# HELP node_timex_tick_seconds Seconds between clock ticks.\n"));
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *timex_suite(void);

Suite *
timex_suite(void)
{
    Suite *s = suite_create("timex");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, families);
    suite_add_tcase(s, tc);
    return s;
}
