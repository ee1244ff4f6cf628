/* SPDX-License-Identifier: Apache-2.0 */
/* test_filesystem.c: unit tests for the filesystem collector with an injected statfs
 * (values do not depend on the machine): mount parsing, excludes, dedupe, escapes, ro,
 * statfs errors, and a hung mount (/mnt/nfs's statfs blocks until released): the scrape
 * returns after mount-timeout, later scrapes skip the stuck mount, and it is stat'ed again
 * once the hung call returns. */
#include <errno.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"
#include "lm/alloc.h"
#include "node_exporter/collector/filesystem.h"

extern const struct lm_collector_desc ne_filesystem_collector;

/* test-only switch: the fake NFS mount hangs while this is 0 */
static atomic_int released;

static int
fake_statfs(const char *path, struct statfs *b)
{
    size_t n = strlen(path);
    if (n >= 8 && !strcmp(path + n - 8, "/mnt/nfs")) {
        for (int i = 0; i < 500 && !atomic_load(&released); i++)
            usleep(10000);
    }
    if (strstr(path, "/srv/ro")) {
        errno = EACCES;
        return -1;
    }
    memset(b, 0, sizeof *b);
    b->f_bsize = 4096;
    b->f_blocks = 1000 + n;
    b->f_bfree = 500;
    b->f_bavail = 400;
    b->f_files = 100;
    b->f_ffree = 50;
    return 0;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct fx {
    struct lm_flags *f;          /* parsed flags */
    struct lm_collect_ctx ctx;   /* context */
    void *state;                 /* collector state */
};

static void
fx_init(struct fx *x, const char *timeout)
{
    char to[64];
    snprintf(to, sizeof to, "--collector.filesystem.mount-timeout=%s", timeout);
    char *argv[] = {(char *)"node_exporter", (char *)"--path.procfs=" NE_FIX "/proc",
                    (char *)"--path.rootfs=" NE_FIX "/rootfs", to, NULL};
    x->f = lm_flags_new("node_exporter", "test");
    ck_assert_int_eq(lm_flags_add_table(x->f, ne_path_flags), 0);
    ck_assert_int_eq(lm_flags_add_table(x->f, ne_filesystem_collector.flags), 0);
    bool exit_now = false;
    struct lm_err err = {0};
    ck_assert_int_eq(lm_flags_parse(x->f, 4, argv, stderr, &exit_now, &err), 0);
    x->ctx = (struct lm_collect_ctx){.flags = x->f};
    ck_assert_int_eq(ne_filesystem_collector.init(&x->state, &x->ctx, &err), 0);
    ne_filesystem_set_statfs(x->state, fake_statfs);
}

/* scrape: one collect; returns the page (free with lm_free) and its duration. */
static char *
scrape(struct fx *x, double *secs)
{
    struct lm_emit *e = lm_emit_new(LM_FORMAT_TEXT);
    struct lm_buf out;
    struct lm_err err = {0};
    lm_buf_init(&out, LM_LIMIT_EXPO_BYTES);
    double t0 = now();
    ck_assert_int_eq(ne_filesystem_collector.collect(x->state, &x->ctx, e, &err), 0);
    *secs = now() - t0;
    ck_assert_int_eq(lm_emit_finish(e, &out), 0);
    lm_emit_free(e);
    char *page = lm_strdup(lm_buf_cstr(&out));
    lm_buf_cleanup(&out);
    ck_assert_ptr_nonnull(page);
    return page;
}

#define NFS_ERR "node_filesystem_device_error{device=\"server:/export\",fstype=\"nfs4\",mountpoint=\"/mnt/nfs\"} 1\n"
#define NFS_OK "node_filesystem_device_error{device=\"server:/export\",fstype=\"nfs4\",mountpoint=\"/mnt/nfs\"} 0\n"

START_TEST(hung_mount)
{
    struct fx x;
    double secs;
    atomic_store(&released, 0);
    fx_init(&x, "200ms");
    char *p = scrape(&x, &secs);
    ck_assert_msg(secs < 1.5, "first scrape took %.2fs", secs);
    struct lm_buf b;
    lm_buf_init(&b, LM_LIMIT_EXPO_BYTES);
    ck_assert_int_eq(lm_buf_puts(&b, p), 0);
    ne_golden("filesystem.prom", &b);
    lm_buf_cleanup(&b);
    lm_free(p);
    p = scrape(&x, &secs);  /* stuck: skipped without waiting */
    ck_assert_msg(secs < 0.15, "second scrape took %.2fs", secs);
    ck_assert_ptr_nonnull(strstr(p, NFS_ERR));
    lm_free(p);
    atomic_store(&released, 1);
    usleep(200000);         /* the hung call returns and unmarks the mount */
    p = scrape(&x, &secs);
    ck_assert_ptr_nonnull(strstr(p, NFS_OK));
    ck_assert_ptr_nonnull(strstr(p, "node_filesystem_size_bytes{device=\"server:/export\""));
    lm_free(p);
    ne_filesystem_collector.fini(x.state);
    lm_flags_free(x.f);
}
END_TEST

START_TEST(fini_while_stuck)
{
    struct fx x;
    double secs;
    atomic_store(&released, 0);
    fx_init(&x, "50ms");
    lm_free(scrape(&x, &secs));
    ne_filesystem_collector.fini(x.state);  /* the worker still holds the shared part */
    lm_flags_free(x.f);
    atomic_store(&released, 1);
    usleep(200000);
}
END_TEST

START_TEST(bad)
{
    const char *args[] = {NE_BAD_ARGS, NULL};
    struct ne_run r;
    ne_run(&ne_filesystem_collector, args, &r);
    ck_assert_int_eq(r.rc, LM_EPARSE);
    ck_assert_ptr_nonnull(strstr(r.err.msg, "malformed mount point information"));
    lm_buf_cleanup(&r.out);
}
END_TEST

START_TEST(bad_timeout)
{
    const char *args[] = {NE_FIX_ARGS, "--collector.filesystem.mount-timeout=soon", NULL};
    struct ne_run r;
    ne_run(&ne_filesystem_collector, args, &r);
    ck_assert_int_eq(r.init_rc, LM_ECONFIG);
    lm_buf_cleanup(&r.out);
}
END_TEST

Suite *filesystem_suite(void);

Suite *
filesystem_suite(void)
{
    Suite *s = suite_create("filesystem");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, hung_mount);
    tcase_add_test(tc, fini_while_stuck);
    tcase_add_test(tc, bad);
    tcase_add_test(tc, bad_timeout);
    suite_add_tcase(s, tc);
    return s;
}
