/* SPDX-License-Identifier: Apache-2.0 */
/* test_fdcache.c: unit tests for the open-descriptor cache behind lm/procfile.h as
 * node_exporter uses it (lm_procfile_cache, lm_procfile_dirent via ne_dir_each): a kept
 * file rewritten in place, replaced, removed; a directory that disappears and comes back;
 * a device directory swapped under the same name; the bound and stale eviction; sysfs and
 * procfs kept by default while ordinary files are not. Ordinary files are kept here with
 * all_fs so the invalidation paths run on a temporary directory. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lm/procfile.h"
#include "node_exporter/sysfs.h"

static char tmpdir[64];

static void
setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ne_fdcache_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    ck_assert_int_eq(lm_procfile_cache(8, true), 0);
}

static void
teardown(void)
{
    char cmd[128];
    ck_assert_int_eq(lm_procfile_cache(0, false), 0);
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* path: tmpdir/rel into out */
static const char *
path(char *out, size_t n, const char *rel)
{
    snprintf(out, n, "%s/%s", tmpdir, rel);
    return out;
}

/* put: write s to tmpdir/rel in place (truncate + write, same inode). */
static void
put(const char *rel, const char *s)
{
    char p[256];
    FILE *f = fopen(path(p, sizeof p, rel), "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(s, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
}

/* replace: write s to a new file and rename it over tmpdir/rel (a new inode). */
static void
replace(const char *rel, const char *s)
{
    char p[256], t[300];
    path(p, sizeof p, rel);
    snprintf(t, sizeof t, "%s.new", p);
    FILE *f = fopen(t, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(s, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(rename(t, p), 0);
}

static uint64_t
u64(const char *rel, int want_rc)
{
    char p[256];
    uint64_t v = 0;
    ck_assert_int_eq(lm_read_u64(path(p, sizeof p, rel), &v), want_rc);
    return v;
}

START_TEST(rewritten_in_place)
{
    put("a", "1\n");
    ck_assert_uint_eq(u64("a", 0), 1);
    ck_assert_uint_eq(lm_procfile_cache_count(), 1);
    put("a", "22\n");
    ck_assert_uint_eq(u64("a", 0), 22);
    put("a", "3\n");      /* shorter than before: no stale tail */
    ck_assert_uint_eq(u64("a", 0), 3);
    ck_assert_uint_eq(lm_procfile_cache_count(), 1);
}
END_TEST

START_TEST(replaced)
{
    put("a", "1\n");
    ck_assert_uint_eq(u64("a", 0), 1);
    replace("a", "2\n");
    ck_assert_uint_eq(u64("a", 0), 2);
    ck_assert_uint_eq(lm_procfile_cache_count(), 1);
}
END_TEST

START_TEST(removed)
{
    put("a", "1\n");
    ck_assert_uint_eq(u64("a", 0), 1);
    char p[256];
    ck_assert_int_eq(unlink(path(p, sizeof p, "a")), 0);
    u64("a", LM_ENOENT);
    ck_assert_uint_eq(lm_procfile_cache_count(), 0);
    put("a", "5\n");
    ck_assert_uint_eq(u64("a", 0), 5);
}
END_TEST

START_TEST(directory_gone)
{
    char p[256];
    ck_assert_int_eq(mkdir(path(p, sizeof p, "dev0"), 0755), 0);
    put("dev0/mtu", "1500\n");
    ck_assert_uint_eq(u64("dev0/mtu", 0), 1500);
    ck_assert_int_eq(unlink(path(p, sizeof p, "dev0/mtu")), 0);
    ck_assert_int_eq(rmdir(path(p, sizeof p, "dev0")), 0);
    u64("dev0/mtu", LM_ENOENT);
    ck_assert_uint_eq(lm_procfile_cache_count(), 0);
    ck_assert_int_eq(mkdir(path(p, sizeof p, "dev0"), 0755), 0);
    put("dev0/mtu", "9000\n");
    ck_assert_uint_eq(u64("dev0/mtu", 0), 9000);
}
END_TEST

static int
count_entry(void *arg, const char *dir, const char *name)
{
    (void)dir;
    (void)name;
    ++*(int *)arg;
    return 0;
}

/* dev0 renamed away and dev1 renamed to dev0 between two walks: the kept dev0/mtu is
 * still linked (the unlink check cannot see it); the walk's new inode must drop it. */
START_TEST(directory_swapped)
{
    char p[256], q[256];
    ck_assert_int_eq(mkdir(path(p, sizeof p, "class"), 0755), 0);
    ck_assert_int_eq(mkdir(path(p, sizeof p, "class/dev0"), 0755), 0);
    ck_assert_int_eq(mkdir(path(p, sizeof p, "class/dev1"), 0755), 0);
    put("class/dev0/mtu", "1500\n");
    put("class/dev1/mtu", "9000\n");
    int n = 0;
    ck_assert_int_eq(ne_dir_each(path(p, sizeof p, "class"), NULL, count_entry, &n), 0);
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(u64("class/dev0/mtu", 0), 1500);
    ck_assert_uint_eq(u64("class/dev1/mtu", 0), 9000);
    ck_assert_int_eq(rename(path(p, sizeof p, "class/dev0"), path(q, sizeof q, "class/tmp")), 0);
    ck_assert_int_eq(rename(path(p, sizeof p, "class/dev1"), path(q, sizeof q, "class/dev0")), 0);
    ck_assert_int_eq(rename(path(p, sizeof p, "class/tmp"), path(q, sizeof q, "class/dev1")), 0);
    n = 0;
    ck_assert_int_eq(ne_dir_each(path(p, sizeof p, "class"), NULL, count_entry, &n), 0);
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(lm_procfile_cache_count(), 0);
    ck_assert_uint_eq(u64("class/dev0/mtu", 0), 9000);
    ck_assert_uint_eq(u64("class/dev1/mtu", 0), 1500);
}
END_TEST

/* More files than the bound (8): all read right, at most 8 kept; after the first eight
 * go stale, later files take their places. */
START_TEST(bound)
{
    char rel[32];
    for (int i = 0; i < 20; i++) {
        snprintf(rel, sizeof rel, "f%d", i);
        char v[16];
        snprintf(v, sizeof v, "%d\n", i);
        put(rel, v);
    }
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 20; i++) {
            snprintf(rel, sizeof rel, "f%d", i);
            ck_assert_uint_eq(u64(rel, 0), (uint64_t)i);
            ck_assert_uint_le(lm_procfile_cache_count(), 8);
        }
    ck_assert_uint_eq(lm_procfile_cache_count(), 8);
    /* f0..f7 are kept; read only f10..f17 until f0..f7 are stale */
    for (int round = 0; round < 8; round++)
        for (int i = 10; i < 18; i++) {
            snprintf(rel, sizeof rel, "f%d", i);
            ck_assert_uint_eq(u64(rel, 0), (uint64_t)i);
        }
    ck_assert_uint_eq(lm_procfile_cache_count(), 8);
    /* now f10..f17 are the kept ones: rewriting f0 by rename must still be seen */
    replace("f0", "100\n");
    ck_assert_uint_eq(u64("f0", 0), 100);
}
END_TEST

/* lm_procfile_read through the cache: a file over one buffer, then shorter. */
START_TEST(whole_file)
{
    static char big[20000];
    memset(big, 'x', sizeof big - 2);
    big[sizeof big - 2] = '\n';
    put("big", big);
    struct lm_procfile *pf = lm_procfile_new(NULL);
    ck_assert_ptr_nonnull(pf);
    char p[256];
    struct lm_err err = {0};
    size_t len;
    ck_assert_int_eq(lm_procfile_read(pf, path(p, sizeof p, "big"), &err), 0);
    lm_procfile_data(pf, &len);
    ck_assert_uint_eq(len, sizeof big - 1);
    put("big", "a b\nc\n");
    ck_assert_int_eq(lm_procfile_read(pf, p, &err), 0);
    ck_assert_uint_eq(lm_procfile_lines(pf), 2);
    ck_assert_str_eq(lm_procfile_word(pf, 0, 1), "b");
    ck_assert_uint_eq(lm_procfile_cache_count(), 1);
    lm_procfile_free(pf);
}
END_TEST

/* Default mode: procfs files are kept, ordinary files are not. */
START_TEST(virtual_only)
{
    ck_assert_int_eq(lm_procfile_cache(8, false), 0);
    put("a", "7\n");
    ck_assert_uint_eq(u64("a", 0), 7);
    ck_assert_uint_eq(lm_procfile_cache_count(), 0);
    char s[64];
    ck_assert_int_eq(lm_read_str("/proc/sys/kernel/ostype", s, sizeof s), 0);
    ck_assert_str_eq(s, "Linux");
    ck_assert_uint_eq(lm_procfile_cache_count(), 1);
    ck_assert_int_eq(lm_read_str("/proc/sys/kernel/ostype", s, sizeof s), 0);
    ck_assert_str_eq(s, "Linux");
    ck_assert_uint_eq(lm_procfile_cache_count(), 1);
    /* a seq_file re-read from offset 0 is generated again: /proc/self/stat's pid */
    struct lm_procfile *pf = lm_procfile_new(NULL);
    ck_assert_ptr_nonnull(pf);
    struct lm_err err = {0};
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(lm_procfile_read(pf, "/proc/self/stat", &err), 0);
        uint64_t pid;
        ck_assert_int_eq(lm_parse_u64(lm_procfile_word(pf, 0, 0), &pid), 0);
        ck_assert_uint_eq(pid, (uint64_t)getpid());
    }
    ck_assert_uint_eq(lm_procfile_cache_count(), 2);
    lm_procfile_free(pf);
    ck_assert_int_eq(lm_procfile_cache(0, false), 0);
    ck_assert_uint_eq(lm_procfile_cache_count(), 0);
}
END_TEST

Suite *fdcache_suite(void);

Suite *
fdcache_suite(void)
{
    Suite *s = suite_create("fdcache");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, rewritten_in_place);
    tcase_add_test(tc, replaced);
    tcase_add_test(tc, removed);
    tcase_add_test(tc, directory_gone);
    tcase_add_test(tc, directory_swapped);
    tcase_add_test(tc, bound);
    tcase_add_test(tc, whole_file);
    tcase_add_test(tc, virtual_only);
    suite_add_tcase(s, tc);
    return s;
}
