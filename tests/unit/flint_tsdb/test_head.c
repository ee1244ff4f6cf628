/* SPDX-License-Identifier: Apache-2.0 */
/* test_head.c: appending to the head through the public API: out-of-order, duplicate
 * (same value ignored, other value refused) and out-of-bounds samples, the stale NaN
 * stored bit for bit, label validation, ref caching (add_ref, ENOENT after GC),
 * rollback, chunk cutting at 120 samples and at range boundaries, stats. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "flint/tsdb/tsdb.h"
#include "head_fixture.h"

Suite *head_suite(void);

static int
add1(struct tsdb *db, const char *spec, int64_t t, double v)
{
    struct lbl_set ls = {0};
    hf_labels(&ls, spec);
    struct tsdb_app *a = tsdb_appender(db);
    int rc = tsdb_app_add(a, &ls, t, v, NULL);
    struct lm_err err = {0};
    if (rc)
        tsdb_app_rollback(a);
    else
        ck_assert_int_eq(tsdb_app_commit(a, &err), 0);
    lbl_set_free(&ls);
    return rc;
}

/* read1: the samples of the single series matching __name__=name. */
static size_t
read1(struct tsdb *db, const char *name, int64_t *ts, double *vs, size_t max)
{
    struct lbl_matcher m;
    hf_matcher(&m, "__name__", "=", name);
    struct lm_err err = {0};
    struct tsdb_q *q = tsdb_querier(db, INT64_MIN, INT64_MAX, &err);
    struct tsdb_ss *ss = tsdb_q_select(q, &m, 1, &err);
    ck_assert_ptr_nonnull(ss);
    size_t n = 0;
    if (tsdb_ss_next(ss)) {
        struct tsdb_it *it = tsdb_ss_iter(ss);
        while (n < max && tsdb_it_next(it, &ts[n], &vs[n]))
            n++;
        ck_assert(!tsdb_ss_next(ss));
    }
    tsdb_ss_free(ss);
    tsdb_q_close(q);
    lbl_matcher_free(&m);
    return n;
}

START_TEST(order_and_duplicates)
{
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    struct tsdb *db = hf_open(dir, 0);
    ck_assert_int_eq(add1(db, "__name__=m,job=a", 1000, 1), 0);
    ck_assert_int_eq(add1(db, "__name__=m,job=a", 2000, 2), 0);
    ck_assert_int_eq(add1(db, "__name__=m,job=a", 1500, 9), TSDB_EOUTOFORDER);
    ck_assert_int_eq(add1(db, "__name__=m,job=a", 2000, 2), 0);  /* same value: ignored */
    ck_assert_int_eq(add1(db, "__name__=m,job=a", 2000, 3), TSDB_EDUPLICATE);
    ck_assert_int_eq(add1(db, "__name__=m,job=a", 3000, tsdb_stale_nan()), 0);
    ck_assert_int_eq(add1(db, "__name__=m,job=a", 3000, tsdb_stale_nan()), 0);
    ck_assert_int_eq(add1(db, "__name__=m,job=a", 3000, NAN), TSDB_EDUPLICATE);
    ck_assert_int_eq(add1(db, "__name__=m,job=a", 4000, -0.0), 0);
    /* older than the head's max time - range/2 (1 h): out of bounds */
    ck_assert_int_eq(add1(db, "__name__=m,job=b", 3 * 3600 * 1000LL, 1), 0);
    ck_assert_int_eq(add1(db, "__name__=m,job=c", 3600 * 1000LL, 1), TSDB_EOUTOFBOUNDS);
    int64_t ts[16];
    double vs[16];
    struct lbl_matcher m[2];
    hf_matcher(&m[0], "__name__", "=", "m");
    hf_matcher(&m[1], "job", "=", "a");
    struct lm_err err = {0};
    struct tsdb_q *q = tsdb_querier(db, 0, INT64_MAX, &err);
    struct tsdb_ss *ss = tsdb_q_select(q, m, 2, &err);
    ck_assert(tsdb_ss_next(ss));
    struct tsdb_it *it = tsdb_ss_iter(ss);
    size_t n = 0;
    while (tsdb_it_next(it, &ts[n], &vs[n]))
        n++;
    ck_assert_uint_eq(n, 4);
    ck_assert_int_eq(ts[0], 1000);
    ck_assert(vs[1] == 2);
    ck_assert(tsdb_is_stale(vs[2]));
    ck_assert_uint_eq(hf_bits(vs[2]), TSDB_STALE_NAN_BITS);
    ck_assert_uint_eq(hf_bits(vs[3]), hf_bits(-0.0));
    ck_assert(!tsdb_ss_next(ss));
    tsdb_ss_free(ss);
    tsdb_q_close(q);
    lbl_matcher_free(&m[0]);
    lbl_matcher_free(&m[1]);
    (void)read1;
    tsdb_close(db);
    hf_rmrf(dir);
}
END_TEST

START_TEST(bad_labels)
{
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    struct tsdb *db = hf_open(dir, 0);
    struct tsdb_app *a = tsdb_appender(db);
    struct lbl_set empty = {0};
    ck_assert_int_eq(tsdb_app_add(a, &empty, 1, 1, NULL), LM_ELABEL);
    struct lbl l2[2] = {{"b", "1"}, {"a", "2"}};  /* unsorted */
    struct lbl_set uns = {l2, 2, 2};
    ck_assert_int_eq(tsdb_app_add(a, &uns, 1, 1, NULL), LM_ELABEL);
    struct lbl l3[2] = {{"a", "1"}, {"a", "2"}};  /* duplicate */
    struct lbl_set dup = {l3, 2, 2};
    ck_assert_int_eq(tsdb_app_add(a, &dup, 1, 1, NULL), LM_ELABEL);
    struct lbl_set many = {0};
    for (int i = 0; i < 257; i++) {
        char n[16];
        snprintf(n, sizeof(n), "l%03d", i);
        ck_assert_int_eq(lbl_set_add(&many, n, "v"), 0);
    }
    ck_assert_int_eq(tsdb_app_add(a, &many, 1, 1, NULL), LM_ELABEL);   /* > 256 pairs */
    lbl_set_del(&many, "l000");
    ck_assert_int_eq(tsdb_app_add(a, &many, 1, 1, NULL), 0);
    lbl_set_free(&many);
    ck_assert_int_eq(tsdb_app_add_ref(a, 12345, 1, 1), LM_ENOENT);
    ck_assert_int_eq(tsdb_app_add_ref(a, 0, 1, 1), LM_ENOENT);
    struct lm_err err = {0};
    ck_assert_int_eq(tsdb_app_commit(a, &err), 0);
    tsdb_close(db);
    db = hf_open(dir, 0);   /* the 256-label series replays */
    struct lbl_matcher m;
    hf_matcher(&m, "l255", "=", "v");
    size_t n;
    ck_assert_uint_eq(hf_count(db, &m, 1, INT64_MIN, INT64_MAX, &n), 1);
    ck_assert_uint_eq(n, 1);
    lbl_matcher_free(&m);
    tsdb_close(db);
    hf_rmrf(dir);
}
END_TEST

START_TEST(refs_rollback_gc)
{
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    const int64_t H = 3600 * 1000LL;
    struct tsdb *db = hf_open(dir, 2 * H);
    struct lbl_set ls = {0};
    hf_labels(&ls, "__name__=r,x=1");
    uint64_t ref = 0;
    struct tsdb_app *a = tsdb_appender(db);
    ck_assert_int_eq(tsdb_app_add(a, &ls, 1000, 1, &ref), 0);
    ck_assert_uint_ne(ref, 0);
    ck_assert_int_eq(tsdb_app_add_ref(a, ref, 2000, 2), 0);
    tsdb_app_rollback(a);   /* nothing visible */
    int64_t ts[8];
    double vs[8];
    ck_assert_uint_eq(read1(db, "r", ts, vs, 8), 0);
    a = tsdb_appender(db);
    uint64_t ref2 = ref;
    ck_assert_int_eq(tsdb_app_add(a, &ls, 1000, 1, &ref2), 0);
    ck_assert_uint_eq(ref2, ref);
    ck_assert_int_eq(tsdb_app_add_ref(a, ref, 2000, 2), 0);
    struct lm_err err = {0};
    ck_assert_int_eq(tsdb_app_commit(a, &err), 0);
    ck_assert_uint_eq(read1(db, "r", ts, vs, 8), 2);
    /* another series far ahead, then a forced cut: "r" moves to a block, is GC'd */
    ck_assert_int_eq(add1(db, "__name__=later", 10 * H, 5), 0);
    ck_assert_int_eq(tsdb_compact(db, true, &err), 0);
    a = tsdb_appender(db);
    ck_assert_int_eq(tsdb_app_add_ref(a, ref, 10 * H + 1, 3), LM_ENOENT);
    tsdb_app_rollback(a);
    ck_assert_uint_eq(read1(db, "r", ts, vs, 8), 2);   /* from the block now */
    ck_assert_int_eq(ts[1], 2000);
    ck_assert(vs[1] == 2);
    struct tsdb_stats st;
    ck_assert_int_eq(tsdb_stats(db, &st), 0);
    ck_assert_uint_eq(st.head_series, 1);
    ck_assert_uint_ge(st.blocks, 1);
    ck_assert_int_le(st.min_time, 1000); /* a block starts at its range start */
    tsdb_stats_free(&st);
    lbl_set_free(&ls);
    tsdb_close(db);
    hf_rmrf(dir);
}
END_TEST

START_TEST(chunk_cuts)
{
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    struct tsdb *db = hf_open(dir, 0);
    struct lbl_set ls = {0};
    hf_labels(&ls, "__name__=c");
    uint64_t ref = 0;
    /* 1000 samples, 1 s apart: chunks of at most 240 samples, split at 2 h boundaries */
    for (int i = 0; i < 1000; i++) {
        struct tsdb_app *a = tsdb_appender(db);
        ck_assert_int_eq(tsdb_app_add(a, &ls, 7200 * 1000LL - 500000 + i * 1000LL, i, &ref), 0);
        struct lm_err err = {0};
        ck_assert_int_eq(tsdb_app_commit(a, &err), 0);
    }
    struct tsdb_stats st;
    ck_assert_int_eq(tsdb_stats(db, &st), 0);
    ck_assert_uint_eq(st.head_samples, 1000);
    ck_assert_uint_ge(st.head_chunks, 1000 / 240 + 1);
    ck_assert_uint_eq(st.head_series, 1);
    ck_assert_uint_eq(st.n_series_by_metric, 1);
    ck_assert_str_eq(st.series_by_metric[0].name, "c");
    ck_assert_str_eq(st.series_by_label_pair[0].name, "__name__=c");
    tsdb_stats_free(&st);
    int64_t *ts = malloc(sizeof(int64_t) * 1000);
    double *vs = malloc(sizeof(double) * 1000);
    ck_assert_uint_eq(read1(db, "c", ts, vs, 1000), 1000);
    for (int i = 0; i < 1000; i++)
        ck_assert(vs[i] == i);
    /* seek across chunks */
    struct lbl_matcher m;
    hf_matcher(&m, "__name__", "=", "c");
    struct lm_err err = {0};
    struct tsdb_q *q = tsdb_querier(db, INT64_MIN, INT64_MAX, &err);
    struct tsdb_ss *ss = tsdb_q_select(q, &m, 1, &err);
    ck_assert(tsdb_ss_next(ss));
    struct tsdb_it *it = tsdb_ss_iter(ss);
    int64_t t;
    double v;
    ck_assert(tsdb_it_seek(it, ts[700] - 1, &t, &v));
    ck_assert_int_eq(t, ts[700]);
    ck_assert(tsdb_it_seek(it, ts[100], &t, &v));   /* never backwards */
    ck_assert_int_eq(t, ts[700]);
    ck_assert(tsdb_it_next(it, &t, &v));
    ck_assert(v == 701);
    ck_assert(!tsdb_it_seek(it, ts[999] + 1, &t, &v));
    tsdb_ss_free(ss);
    tsdb_q_close(q);
    lbl_matcher_free(&m);
    free(ts);
    free(vs);
    lbl_set_free(&ls);
    tsdb_close(db);
    hf_rmrf(dir);
}
END_TEST

Suite *
head_suite(void)
{
    Suite *s = suite_create("head");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, order_and_duplicates);
    tcase_add_test(tc, bad_labels);
    tcase_add_test(tc, refs_rollback_gc);
    tcase_add_test(tc, chunk_cuts);
    suite_add_tcase(s, tc);
    return s;
}
