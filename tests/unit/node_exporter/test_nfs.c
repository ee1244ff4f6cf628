/* SPDX-License-Identifier: Apache-2.0 */
/* test_nfs.c: unit tests for the nfs collector: golden output from net/rpc/nfs (short proc4 line padded), a non-number value, no file (LM_ENODATA). */
#include <sys/stat.h>
#include <unistd.h>
#include "harness.h"

extern const struct lm_collector_desc ne_nfs_collector;

START_TEST(golden)
{
    ne_expect_golden(&ne_nfs_collector, "nfs.prom", NULL);
}
END_TEST

START_TEST(bad)
{
    ne_expect_error(&ne_nfs_collector, LM_EPARSE, "net/rpc/nfs");
}
END_TEST

START_TEST(missing)
{
    const char *args[] = {"--path.procfs=" NE_FIX "/nonexistent", NULL};
    struct ne_run r;
    ne_run(&ne_nfs_collector, args, &r);
    ck_assert_int_eq(r.init_rc, 0);
    ck_assert_int_eq(r.rc, LM_ENODATA);
    ck_assert_str_eq(lm_buf_cstr(&r.out), "");
    lm_buf_cleanup(&r.out);
}
END_TEST

/* an unknown line fails, naming the key, as procfs's "unknown NFS metric line" */
START_TEST(unknown_line)
{
    char dir[] = "/tmp/ne_nfs_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char p[256], arg[300];
    snprintf(p, sizeof p, "%s/net", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/net/rpc", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/net/rpc/nfs", dir);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs("net 1 2 3 4\nproc3 3 1 2\n", f);
    fclose(f);
    snprintf(arg, sizeof arg, "--path.procfs=%s", dir);
    const char *args[] = {arg, NULL};
    struct ne_run r;
    ne_run(&ne_nfs_collector, args, &r);
    ck_assert_int_eq(r.rc, LM_EPARSE);
    ck_assert_msg(strstr(r.err.msg, "proc3"), "%s", r.err.msg);
    lm_buf_cleanup(&r.out);
    unlink(p);
    snprintf(p, sizeof p, "%s/net/rpc", dir);
    rmdir(p);
    snprintf(p, sizeof p, "%s/net", dir);
    rmdir(p);
    rmdir(dir);
}
END_TEST

Suite *nfs_suite(void);

Suite *
nfs_suite(void)
{
    Suite *s = suite_create("nfs");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, golden);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, missing);
    tcase_add_test(tc, unknown_line);
    suite_add_tcase(s, tc);
    return s;
}
