/* SPDX-License-Identifier: Apache-2.0 */
/* test_nvme.c: unit tests for the nvme collector: node_nvme_info from class/nvme; missing class gives no data. */
#include "harness.h"

extern const struct lm_collector_desc ne_nvme_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_nvme_collector, "nvme.prom", NULL);
}
END_TEST

START_TEST(nodata)
{
    const char *args[] = {"--path.sysfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_nvme_collector, args, &r);
    ck_assert_int_eq(r.init_rc, 0);
    ck_assert_msg(r.rc == LM_ENODATA, "rc %s: %s", lm_err_name(r.rc), r.err.msg);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "");
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *nvme_suite(void);

Suite *
nvme_suite(void)
{
    Suite *s = suite_create("nvme");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, nodata);
    suite_add_tcase(s, tc);
    return s;
}
