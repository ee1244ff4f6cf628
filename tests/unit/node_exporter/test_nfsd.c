/* SPDX-License-Identifier: Apache-2.0 */
/* test_nfsd.c: unit tests for the nfsd collector: golden output from net/rpc/nfsd, a th line without its values, no file (LM_ENODATA). */
#include "harness.h"

extern const struct lm_collector_desc ne_nfsd_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_nfsd_collector, "nfsd.prom", NULL);
}
END_TEST

START_TEST(bad)
{
    ne_expect_error(&ne_nfsd_collector, LM_EPARSE, "net/rpc/nfsd");
}
END_TEST

START_TEST(missing)
{
    const char *args[] = {"--path.procfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_nfsd_collector, args, &r);
    ck_assert_int_eq(r.init_rc, 0);
    ck_assert_int_eq(r.rc, LM_ENODATA);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "");
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *nfsd_suite(void);

Suite *
nfsd_suite(void)
{
    Suite *s = suite_create("nfsd");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, missing);
    suite_add_tcase(s, tc);
    return s;
}
