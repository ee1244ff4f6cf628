/* SPDX-License-Identifier: Apache-2.0 */
/* test_querier.c: selects over head and blocks against a brute-force model: random
 * series and samples, random matcher sets (=, !=, =~, !~, empty-matching ones), sorted
 * output, samples bit for bit within [mint, maxt]; series split between blocks and the
 * head merge into one with equal timestamps once; label names and values. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flint/tsdb/tsdb.h"
#include "head_fixture.h"

Suite *querier_suite(void);

#define NS 300
#define NSAMP 40
#define STEP 15000LL

struct model {
    struct lbl_set ls[NS];
    int64_t t[NS][NSAMP];
    double v[NS][NSAMP];
    size_t n[NS];
};

static const char *jobs[] = {"api", "db", "web", "cache"};
static const char *envs[] = {"prod", "dev"};

static void
build(struct model *m, uint64_t *seed, int64_t t0)
{
    for (size_t i = 0; i < NS; i++) {
        char spec[256];
        const char *name = i % 3 == 0 ? "up" : i % 3 == 1 ? "http_requests_total" : "temp";
        int len = snprintf(spec, sizeof(spec), "__name__=%s,instance=h%zu:9100,job=%s", name,
                           i / 2, jobs[hf_rand(seed) % 4]);
        if (i % 5 != 0)   /* some series have no env label */
            snprintf(spec + len, sizeof(spec) - (size_t)len, ",zenv=%s", envs[hf_rand(seed) % 2]);
        memset(&m->ls[i], 0, sizeof(m->ls[i]));
        hf_labels(&m->ls[i], spec);
        int64_t t = t0 + (int64_t)(hf_rand(seed) % 1000);
        m->n[i] = 1 + hf_rand(seed) % NSAMP;
        for (size_t k = 0; k < m->n[i]; k++) {
            m->t[i][k] = t;
            uint32_t r = hf_rand(seed);
            m->v[i][k] = r % 17 == 0 ? tsdb_stale_nan() : (double)(r % 1000) / 8.0;
            t += STEP + (int64_t)(hf_rand(seed) % 3) - 1;
        }
    }
}

static void
load(struct tsdb *db, struct model *m)
{
    /* interleaved commits of several series, like scrapes */
    size_t pos[NS] = {0};
    uint64_t refs[NS] = {0};
    for (size_t k = 0; k < NSAMP; k++) {
        struct tsdb_app *a = tsdb_appender(db);
        for (size_t i = 0; i < NS; i++) {
            if (pos[i] >= m->n[i])
                continue;
            ck_assert_int_eq(tsdb_app_add(a, &m->ls[i], m->t[i][pos[i]], m->v[i][pos[i]],
                                          &refs[i]), 0);
            pos[i]++;
        }
        struct lm_err err = {0};
        ck_assert_int_eq(tsdb_app_commit(a, &err), 0);
    }
}

static int
cmp_idx(const void *a, const void *b, void *arg)
{
    struct model *m = arg;
    return lbl_set_cmp(&m->ls[*(const size_t *)a], &m->ls[*(const size_t *)b]);
}

/* check: select with ms over [mint, maxt] and compare with the model. */
static void
check(struct tsdb *db, struct model *m, const struct lbl_matcher *ms, size_t n, int64_t mint,
      int64_t maxt)
{
    size_t want[NS], nw = 0;
    for (size_t i = 0; i < NS; i++) {
        if (!lbl_set_matches(&m->ls[i], ms, n))
            continue;
        bool any = false;
        for (size_t k = 0; k < m->n[i] && !any; k++)
            any = m->t[i][k] >= mint && m->t[i][k] <= maxt;
        if (any)
            want[nw++] = i;
    }
    qsort_r(want, nw, sizeof(size_t), cmp_idx, m);
    struct lm_err err = {0};
    struct tsdb_q *q = tsdb_querier(db, mint, maxt, &err);
    ck_assert_ptr_nonnull(q);
    struct tsdb_ss *ss = tsdb_q_select(q, ms, n, &err);
    ck_assert_msg(ss != NULL, "%s", err.msg);
    size_t got = 0;
    while (tsdb_ss_next(ss)) {
        ck_assert_uint_lt(got, nw);
        size_t i = want[got++];
        ck_assert(lbl_set_eq(tsdb_ss_labels(ss), &m->ls[i]));
        struct tsdb_it *it = tsdb_ss_iter(ss);
        int64_t t;
        double v;
        for (size_t k = 0; k < m->n[i]; k++) {
            if (m->t[i][k] < mint || m->t[i][k] > maxt)
                continue;
            ck_assert(tsdb_it_next(it, &t, &v));
            ck_assert_int_eq(t, m->t[i][k]);
            ck_assert_uint_eq(hf_bits(v), hf_bits(m->v[i][k]));
        }
        ck_assert(!tsdb_it_next(it, &t, &v));
    }
    ck_assert_uint_eq(got, nw);
    tsdb_ss_free(ss);
    tsdb_q_close(q);
}

static const char *ops[] = {"=", "!=", "=~", "!~"};
static const char *vals[] = {"api", "db", "", "a.*", ".*", "h1:9100", "prod|dev", "up",
                             ".+", "web|cache", "h[0-9]+:9100", "x"};
static const char *names[] = {"job", "instance", "zenv", "__name__", "nolabel"};

static void
random_checks(struct tsdb *db, struct model *m, uint64_t *seed, int64_t t0, int rounds)
{
    for (int r = 0; r < rounds; r++) {
        struct lbl_matcher ms[3];
        size_t n = 1 + hf_rand(seed) % 3;
        bool ok = false;
        for (size_t j = 0; j < n; j++) {
            hf_matcher(&ms[j], names[hf_rand(seed) % 5], ops[hf_rand(seed) % 4],
                       vals[hf_rand(seed) % 12]);
            ok |= !lbl_matcher_matches_empty(&ms[j]);
        }
        if (!ok) {
            struct lm_err err = {0};
            struct tsdb_q *q = tsdb_querier(db, 0, INT64_MAX, &err);
            ck_assert_ptr_null(tsdb_q_select(q, ms, n, &err));
            ck_assert_int_eq(err.code, LM_EINVAL);
            tsdb_q_close(q);
        } else {
            int64_t a = t0 + (int64_t)(hf_rand(seed) % (NSAMP * STEP));
            int64_t b = a + (int64_t)(hf_rand(seed) % (NSAMP * STEP));
            check(db, m, ms, n, INT64_MIN, INT64_MAX);
            check(db, m, ms, n, a, b);
        }
        for (size_t j = 0; j < n; j++)
            lbl_matcher_free(&ms[j]);
    }
}

START_TEST(matchers_random_head)
{
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    struct tsdb *db = hf_open(dir, 0);
    static struct model m;
    uint64_t seed = 1234 + (uint64_t)_i;
    int64_t t0 = 1700000000000LL;
    build(&m, &seed, t0);
    load(db, &m);
    random_checks(db, &m, &seed, t0, 150);
    tsdb_close(db);
    /* the same after a restart (WAL replay) */
    db = hf_open(dir, 0);
    random_checks(db, &m, &seed, t0, 50);
    tsdb_close(db);
    for (size_t i = 0; i < NS; i++)
        lbl_set_free(&m.ls[i]);
    hf_rmrf(dir);
}
END_TEST

START_TEST(matchers_random_blocks)
{
    /* 1 minute blocks: a 10 min span is cut into blocks; the head keeps the newest */
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    struct tsdb *db = hf_open(dir, 60000);
    static struct model m;
    uint64_t seed = 99;
    int64_t t0 = 1700000000000LL;
    build(&m, &seed, t0);
    load(db, &m);
    struct lm_err err = {0};
    ck_assert_int_eq(tsdb_compact(db, false, &err), 0);
    struct tsdb_stats st;
    ck_assert_int_eq(tsdb_stats(db, &st), 0);
    ck_assert_uint_ge(st.blocks, 2);
    ck_assert_uint_gt(st.head_series, 0);
    tsdb_stats_free(&st);
    random_checks(db, &m, &seed, t0, 100);
    tsdb_close(db);
    db = hf_open(dir, 60000);
    random_checks(db, &m, &seed, t0, 40);
    tsdb_close(db);
    for (size_t i = 0; i < NS; i++)
        lbl_set_free(&m.ls[i]);
    hf_rmrf(dir);
}
END_TEST

static void
expect_strs(char **v, size_t n, const char *const *want, size_t nw)
{
    ck_assert_uint_eq(n, nw);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(v[i], want[i]);
    tsdb_strv_free(v, n);
}

START_TEST(label_names_values)
{
    char dir[64];
    hf_tmpdir(dir, sizeof(dir));
    struct tsdb *db = hf_open(dir, 60000);
    const char *specs[] = {"__name__=a,job=x", "__name__=b,job=y,mode=idle",
                           "__name__=a,job=z,zone=1"};
    int64_t times[] = {1000, 1000, 500000};
    for (size_t i = 0; i < 3; i++) {
        struct lbl_set ls = {0};
        hf_labels(&ls, specs[i]);
        struct tsdb_app *a = tsdb_appender(db);
        ck_assert_int_eq(tsdb_app_add(a, &ls, times[i], 1, NULL), 0);
        struct lm_err err = {0};
        ck_assert_int_eq(tsdb_app_commit(a, &err), 0);
        lbl_set_free(&ls);
    }
    struct lm_err err = {0};
    ck_assert_int_eq(tsdb_compact(db, true, &err), 0);   /* the first two go to a block */
    struct tsdb_q *q = tsdb_querier(db, 0, INT64_MAX, &err);
    char **v;
    size_t n;
    ck_assert_int_eq(tsdb_q_label_names(q, NULL, 0, &v, &n, &err), 0);
    expect_strs(v, n, (const char *const[]){"__name__", "job", "mode", "zone"}, 4);
    ck_assert_int_eq(tsdb_q_label_values(q, "job", NULL, 0, &v, &n, &err), 0);
    expect_strs(v, n, (const char *const[]){"x", "y", "z"}, 3);
    struct lbl_matcher m;
    hf_matcher(&m, "__name__", "=", "a");
    ck_assert_int_eq(tsdb_q_label_values(q, "job", &m, 1, &v, &n, &err), 0);
    expect_strs(v, n, (const char *const[]){"x", "z"}, 2);
    ck_assert_int_eq(tsdb_q_label_names(q, &m, 1, &v, &n, &err), 0);
    expect_strs(v, n, (const char *const[]){"__name__", "job", "zone"}, 3);
    ck_assert_int_eq(tsdb_q_label_values(q, "nope", NULL, 0, &v, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    tsdb_strv_free(v, n);
    tsdb_q_close(q);
    /* a range that only covers the block */
    q = tsdb_querier(db, 0, 2000, &err);
    ck_assert_int_eq(tsdb_q_label_values(q, "job", &m, 1, &v, &n, &err), 0);
    expect_strs(v, n, (const char *const[]){"x"}, 1);
    tsdb_q_close(q);
    lbl_matcher_free(&m);
    tsdb_close(db);
    hf_rmrf(dir);
}
END_TEST

Suite *
querier_suite(void)
{
    Suite *s = suite_create("querier");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, matchers_random_head, 0, 2);
    tcase_add_test(tc, matchers_random_blocks);
    tcase_add_test(tc, label_names_values);
    suite_add_tcase(s, tc);
    return s;
}
