/* SPDX-License-Identifier: Apache-2.0 */
/* test_uname.c: unit tests for the uname collector: node_uname_info from uname(2), not procfs. */
#include "harness.h"

extern const struct lm_collector_desc ne_uname_collector;

START_TEST(live)
{
    const char *args[] = {NE_BAD_ARGS, NULL};
    struct ne_run r;
    ne_run(&ne_uname_collector, args, &r);
    ck_assert_int_eq(r.rc, 0);
    const char *out = lm_buf_cstr(&r.out);
    ck_assert_ptr_nonnull(strstr(out, "# TYPE node_uname_info gauge\nnode_uname_info{domainname=\""));
    ck_assert_ptr_nonnull(strstr(out, "sysname=\"Linux\""));
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *uname_suite(void);

Suite *
uname_suite(void)
{
    Suite *s = suite_create("uname");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, live);
    suite_add_tcase(s, tc);
    return s;
}
