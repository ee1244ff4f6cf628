/* SPDX-License-Identifier: Apache-2.0 */
/* test_disc_manager.c: the discovery manager on a temporary directory: jobs from a
 * config (static + file_sd), change detection when a target file is written, added or
 * removed, last good groups kept on a bad file, unchanged jobs kept across apply, removed
 * jobs gone, the callback and the generation counter. */
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flint/discovery/discovery.h"

Suite *disc_manager_suite(void);

static char dir[256];
static atomic_int notified;

static void
on_change(void *ud)
{
    (void)ud;
    atomic_fetch_add(&notified, 1);
}

static void
write_file(const char *name, const char *text)
{
    char path[512], tmp[520];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    ck_assert_int_eq(rename(tmp, path), 0);
}

static struct cfg *
config(const char *jobs)
{
    char text[2048];
    snprintf(text, sizeof text, "scrape_configs:\n%s", jobs);
    struct lm_err err = {0};
    struct cfg *c = cfg_load_string("p.yml", text, strlen(text), dir, &err);
    ck_assert_msg(c, "%s: %s", err.where, err.msg);
    return c;
}

/* targets: the number of targets of job now. */
static size_t
targets(struct disc_manager *m, const char *job, uint64_t *gen)
{
    struct disc_group *g;
    size_t n, t = 0;
    ck_assert_int_eq(disc_manager_groups(m, job, &g, &n, gen), 0);
    for (size_t i = 0; i < n; i++)
        t += g[i].ntargets;
    disc_groups_free(g, n);
    return t;
}

/* wait_targets: wait (up to 5 s) until job has want targets. */
static bool
wait_targets(struct disc_manager *m, const char *job, size_t want)
{
    for (int i = 0; i < 50; i++) {
        uint64_t g = disc_manager_generation(m);
        if (targets(m, job, NULL) == want)
            return true;
        disc_manager_wait(m, g, 100);
    }
    return targets(m, job, NULL) == want;
}

static void
setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/flint-disc-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    atomic_store(&notified, 0);
}

static void
teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(file_changes)
{
    write_file("a.json", "[{\"targets\": [\"a1:1\", \"a2:1\"], \"labels\": {\"x\": \"1\"}}]");
    struct disc_manager *m = disc_manager_new(NULL);
    ck_assert_ptr_nonnull(m);
    disc_manager_set_notify(m, on_change, NULL);
    struct cfg *c = config("  - job_name: f\n"
                           "    file_sd_configs: [{files: ['*.json', '*.yml']}]\n"
                           "    static_configs: [{targets: ['s:1']}]\n"
                           "  - job_name: s\n"
                           "    static_configs: [{targets: ['t:1', 't:2']}]\n");
    struct lm_err err = {0};
    ck_assert_int_eq(disc_manager_apply(m, c, &err), 0);
    ck_assert_int_ge(atomic_load(&notified), 1);
    uint64_t g0;
    ck_assert_uint_eq(targets(m, "f", &g0), 3); /* read synchronously by apply */
    ck_assert_uint_eq(targets(m, "s", NULL), 2);
    struct disc_group *g;
    size_t n;
    ck_assert_int_eq(disc_manager_groups(m, "f", &g, &n, NULL), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(g[0].source, "0");
    char want[300];
    snprintf(want, sizeof want, "%s/a.json:0", dir);
    ck_assert_str_eq(g[1].source, want);
    disc_groups_free(g, n);
    ck_assert_int_eq(disc_manager_groups(m, "nope", &g, &n, NULL), LM_ENOENT);

    /* a new file appears */
    write_file("b.yml", "- targets: ['b1:1']\n");
    ck_assert(wait_targets(m, "f", 4));
    uint64_t g1;
    targets(m, "f", &g1);
    ck_assert_uint_gt(g1, g0);

    /* a file changes */
    write_file("a.json", "[{\"targets\": [\"a1:1\"]}]");
    ck_assert(wait_targets(m, "f", 3));

    /* a bad file keeps its last good groups */
    uint64_t before = disc_manager_generation(m);
    write_file("a.json", "[{\"targets\": [\"a1:1\",]}]");
    disc_manager_wait(m, before, 500);
    ck_assert_uint_eq(targets(m, "f", NULL), 3);

    /* a removed file takes its targets away */
    char path[300];
    snprintf(path, sizeof path, "%s/b.yml", dir);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert(wait_targets(m, "f", 2));

    /* applying the same config keeps everything; removing a job drops it */
    uint64_t gs;
    targets(m, "s", &gs);
    struct cfg *c2 = config("  - job_name: s\n"
                            "    static_configs: [{targets: ['t:1', 't:2']}]\n");
    uint64_t gen = disc_manager_generation(m);
    ck_assert_int_eq(disc_manager_apply(m, c2, &err), 0);
    ck_assert_uint_gt(disc_manager_generation(m), gen);
    ck_assert_int_eq(disc_manager_groups(m, "f", &g, &n, NULL), LM_ENOENT);
    uint64_t gs2;
    ck_assert_uint_eq(targets(m, "s", &gs2), 2);
    ck_assert_uint_eq(gs2, gs);
    gen = disc_manager_generation(m);
    ck_assert_int_eq(disc_manager_apply(m, c2, &err), 0);
    ck_assert_uint_eq(disc_manager_generation(m), gen);

    /* a changed static config is a change of that job */
    struct cfg *c3 = config("  - job_name: s\n"
                            "    static_configs: [{targets: ['t:1']}]\n");
    ck_assert_int_eq(disc_manager_apply(m, c3, &err), 0);
    ck_assert_uint_eq(targets(m, "s", &gs2), 1);
    ck_assert_uint_gt(gs2, gs);
    cfg_free(c);
    cfg_free(c2);
    cfg_free(c3);
    disc_manager_free(m);
}
END_TEST

START_TEST(refresh_interval)
{
    /* a pattern in a directory that does not exist yet cannot be watched: the timed
     * re-read finds the file once it appears */
    struct disc_manager *m = disc_manager_new(NULL);
    struct cfg *c = config("  - job_name: r\n"
                           "    file_sd_configs: [{files: ['later/*.yml'], "
                           "refresh_interval: 200ms}]\n");
    struct lm_err err = {0};
    ck_assert_int_eq(disc_manager_apply(m, c, &err), 0);
    ck_assert_uint_eq(targets(m, "r", NULL), 0);
    char sub[300];
    snprintf(sub, sizeof sub, "%s/later", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    write_file("later/x.yml", "- targets: [x:1]\n");
    ck_assert(wait_targets(m, "r", 1));
    cfg_free(c);
    disc_manager_free(m);
    disc_manager_free(NULL);
}
END_TEST

Suite *
disc_manager_suite(void)
{
    Suite *s = suite_create("disc_manager");
    TCase *tc = tcase_create("manager");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, file_changes);
    tcase_add_test(tc, refresh_interval);
    suite_add_tcase(s, tc);
    return s;
}
