/* SPDX-License-Identifier: Apache-2.0 */
/* test_snapshot.c: tsdb_snapshot: a snapshot of a database with persisted blocks and a
 * head holds every sample (opened as a database of its own), leaves the source
 * untouched, and refuses an existing directory. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "flint/tsdb/tsdb.h"
#include "head_fixture.h"

Suite *snapshot_suite(void);

static void append(struct tsdb *db, size_t ns, size_t k0, size_t k1, int64_t t0, int64_t step)
{
    for (size_t k = k0; k < k1; k++) {
        struct tsdb_app *a = tsdb_appender(db);
        ck_assert_ptr_nonnull(a);
        for (size_t i = 0; i < ns; i++) {
            struct lbl_set ls = {0};
            char spec[64];
            snprintf(spec, sizeof spec, "__name__=m,i=%zu", i);
            hf_labels(&ls, spec);
            ck_assert_int_eq(tsdb_app_add(a, &ls, t0 + (int64_t)k * step, (double)k, NULL), 0);
            lbl_set_free(&ls);
        }
        struct lm_err err = {0};
        ck_assert_int_eq(tsdb_app_commit(a, &err), 0);
    }
}

START_TEST(snapshot_blocks_and_head)
{
    char dir[64], snap[128];
    hf_tmpdir(dir, sizeof dir);
    const int64_t range = 3600000, t0 = 1700000000000LL / range * range, step = 60000;
    struct tsdb *db = hf_open(dir, range);
    /* 3 hours of samples, then a forced cut persists the whole first hours */
    append(db, 20, 0, 180, t0, step);
    struct lm_err err = {0};
    ck_assert_int_eq(tsdb_compact(db, true, &err), 0);
    struct tsdb_stats st;
    ck_assert_int_eq(tsdb_stats(db, &st), 0);
    ck_assert_uint_ge(st.blocks, 1);
    tsdb_stats_free(&st);
    append(db, 20, 180, 200, t0, step);
    snprintf(snap, sizeof snap, "%s/snapshots-x", dir);
    ck_assert_int_eq(tsdb_snapshot(db, snap, true, &err), 0);
    ck_assert_int_ne(tsdb_snapshot(db, snap, true, &err), 0);   /* exists */
    struct lbl_matcher m;
    hf_matcher(&m, "__name__", "=", "m");
    size_t samples = 0;
    ck_assert_uint_eq(hf_count(db, &m, 1, t0, t0 + 200 * step, &samples), 20);
    ck_assert_uint_eq(samples, 20 * 200);
    tsdb_close(db);
    /* the snapshot opens as a database with every sample */
    db = hf_open(snap, range);
    samples = 0;
    ck_assert_uint_eq(hf_count(db, &m, 1, t0, t0 + 200 * step, &samples), 20);
    ck_assert_uint_eq(samples, 20 * 200);
    tsdb_close(db);
    lbl_matcher_free(&m);
    hf_rmrf(dir);
}
END_TEST

Suite *snapshot_suite(void)
{
    Suite *s = suite_create("snapshot");
    TCase *tc = tcase_create("snapshot");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, snapshot_blocks_and_head);
    suite_add_tcase(s, tc);
    return s;
}
