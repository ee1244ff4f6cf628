/* SPDX-License-Identifier: Apache-2.0 */
/* test_registry.c: registration rules, children, updates from many threads (exact totals),
 * histogram and summary maths (with a fake clock), bucket helpers, OOM torture of the
 * constructors, and memory per labelled counter child. */
#include <check.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/registry.h"

START_TEST(test_register_rules)
{
    struct lm_registry *r = lm_registry_new();
    struct lm_err err;
    const char *l1[] = {"code", "method"};
    ck_assert_ptr_nonnull(lm_counter_vec_new(r, "http_requests_total", "h", l1, 2, &err));
    ck_assert_ptr_null(lm_counter_vec_new(r, "http_requests_total", "h", l1, 2, &err));
    ck_assert_int_eq(err.code, LM_EDUP);
    ck_assert_ptr_null(lm_gauge_new(r, "bad-name", "h", &err));
    ck_assert_int_eq(err.code, LM_ENAME);
    ck_assert_ptr_null(lm_gauge_new(r, "", "h", &err));
    ck_assert_int_eq(err.code, LM_ENAME);
    const char *bad[][2] = {{"__x", "ok"}, {"a-b", "ok"}, {"a", "a"}, {"0a", "ok"}};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_ptr_null(lm_gauge_vec_new(r, "g1", "h", bad[i], 2, &err));
        ck_assert_int_eq(err.code, LM_ELABEL);
    }
    const char *le[] = {"le"};
    struct lm_metric_opts o = {.name = "h1", .type = LM_TYPE_HISTOGRAM, .label_names = le,
                               .nlabels = 1};
    ck_assert_ptr_null(lm_registry_add(r, &o, &err));
    ck_assert_int_eq(err.code, LM_ELABEL);
    ck_assert_ptr_nonnull(strstr(err.msg, "reserved"));
    struct lm_label cq = {"quantile", "x"};
    o = (struct lm_metric_opts){.name = "s1", .type = LM_TYPE_SUMMARY, .const_labels = &cq,
                                .nconst = 1};
    ck_assert_ptr_null(lm_registry_add(r, &o, &err));
    ck_assert_int_eq(err.code, LM_ELABEL);
    o.type = LM_TYPE_GAUGE;   /* quantile is fine on a gauge */
    ck_assert_ptr_nonnull(lm_registry_add(r, &o, &err));
    double badb[] = {1, 0.5};
    o = (struct lm_metric_opts){.name = "h2", .type = LM_TYPE_HISTOGRAM, .buckets = badb,
                                .nbuckets = 2};
    ck_assert_ptr_null(lm_registry_add(r, &o, &err));
    ck_assert_int_eq(err.code, LM_EINVAL);
    struct lm_quantile badq = {1.5, 0.01};
    o = (struct lm_metric_opts){.name = "s2", .type = LM_TYPE_SUMMARY, .objectives = &badq,
                                .nobjectives = 1};
    ck_assert_ptr_null(lm_registry_add(r, &o, &err));
    ck_assert_int_eq(err.code, LM_EINVAL);
    struct lm_label dup[] = {{"code", "x"}};
    o = (struct lm_metric_opts){.name = "c2_total", .type = LM_TYPE_COUNTER,
                                .label_names = l1, .nlabels = 2, .const_labels = dup,
                                .nconst = 1};
    ck_assert_ptr_null(lm_registry_add(r, &o, &err));
    ck_assert_int_eq(err.code, LM_ELABEL);
    int (*cb)(void *, struct lm_emit *, struct lm_err *) = NULL;
    ck_assert_int_eq(lm_registry_add_collector(r, "x", cb, NULL, &err), LM_EINVAL);
    lm_registry_free(r);
    lm_registry_free(NULL);
}
END_TEST

START_TEST(test_children_and_updates)
{
    struct lm_registry *r = lm_registry_new();
    const char *ln[] = {"a", "b", "c"};
    struct lm_family *f = lm_counter_vec_new(r, "c_total", "h", ln, 3, NULL);
    struct lm_metric *m1 = lm_family_withv(f, "x", "y", "z", NULL);
    ck_assert_ptr_nonnull(m1);
    ck_assert_ptr_eq(lm_family_withv(f, "x", "y", "z", NULL), m1);
    ck_assert_ptr_ne(lm_family_withv(f, "x", "yz", "", NULL), m1);
    ck_assert_ptr_null(lm_family_withv(f, "x", "y", NULL));   /* wrong count */
    const char *withnull[] = {"x", NULL, "z"};
    ck_assert_ptr_null(lm_family_with(f, withnull));
    ck_assert_uint_eq(lm_family_children(f), 2);
    for (int i = 0; i < 5000; i++) {   /* forces table growth */
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        const char *vals[] = {v, "k", "k"};
        struct lm_metric *m = lm_family_with(f, vals);
        ck_assert_ptr_nonnull(m);
        lm_counter_add(m, i);
    }
    for (int i = 0; i < 5000; i += 7) {
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        ck_assert_double_eq(lm_metric_value(lm_family_withv(f, v, "k", "k", NULL)), i);
    }
    lm_counter_inc(m1);
    ck_assert_int_eq(lm_counter_add(m1, 2.5), 0);
    ck_assert_int_eq(lm_counter_add(m1, -1), LM_EINVAL);
    ck_assert_double_eq(lm_metric_value(m1), 3.5);
    struct lm_metric *g = lm_gauge_new(r, "g", "h", NULL);
    lm_gauge_set(g, 10);
    lm_gauge_inc(g);
    lm_gauge_dec(g);
    lm_gauge_dec(g);
    lm_gauge_add(g, 0.5);
    lm_gauge_sub(g, 2);
    ck_assert_double_eq(lm_metric_value(g), 7.5);
    lm_counter_inc(g);   /* wrong type: ignored */
    ck_assert_double_eq(lm_metric_value(g), 7.5);
    lm_gauge_set_to_current_time(g);
    ck_assert(lm_metric_value(g) > 1.6e9);
    lm_registry_free(r);
}
END_TEST

#define NTHREADS 8
#define NITER 100000

struct mt_arg {
    struct lm_metric *shared;   /* counter all threads hit */
    struct lm_family *fam;      /* family all threads create children in */
    struct lm_metric *hist;     /* histogram */
    int id;                     /* thread number */
};

static void *
mt_worker(void *p)
{
    struct mt_arg *a = p;
    for (int i = 0; i < NITER; i++) {
        lm_counter_inc(a->shared);
        lm_histogram_observe(a->hist, (i % 3) * 0.5);
        if (i % 100 == 0) {
            char v[16];
            snprintf(v, sizeof v, "%d", i / 100);   /* same names in every thread */
            lm_counter_add(lm_family_withv(a->fam, v, NULL), 0.5);
        }
    }
    return NULL;
}

START_TEST(test_multithreaded)
{
    struct lm_registry *r = lm_registry_new();
    const char *ln[] = {"n"};
    struct mt_arg args[NTHREADS];
    struct lm_metric *shared = lm_counter_new(r, "shared_total", "h", NULL);
    struct lm_family *fam = lm_counter_vec_new(r, "per_total", "h", ln, 1, NULL);
    double b[] = {0.25, 0.75};
    struct lm_metric_opts o = {.name = "h", .type = LM_TYPE_HISTOGRAM, .buckets = b,
                               .nbuckets = 2};
    struct lm_metric *hist = lm_family_with(lm_registry_add(r, &o, NULL), NULL);
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        args[i] = (struct mt_arg){shared, fam, hist, i};
        pthread_create(&t[i], NULL, mt_worker, &args[i]);
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    ck_assert_double_eq(lm_metric_value(shared), (double)NTHREADS * NITER);
    ck_assert_uint_eq(lm_family_children(fam), NITER / 100);
    for (int i = 0; i < NITER / 100; i += 37) {
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        ck_assert_double_eq(lm_metric_value(lm_family_withv(fam, v, NULL)), NTHREADS * 0.5);
    }
    ck_assert_double_eq(lm_metric_value(hist), (double)NTHREADS * NITER);
    ck_assert_uint_eq(lm_histogram_bucket(hist, 2), (uint64_t)NTHREADS * NITER);
    lm_registry_free(r);
}
END_TEST

START_TEST(test_histogram_maths)
{
    struct lm_registry *r = lm_registry_new();
    struct lm_metric_opts o = {.name = "d", .type = LM_TYPE_HISTOGRAM};
    struct lm_metric *h = lm_family_with(lm_registry_add(r, &o, NULL), NULL);
    double obs[] = {0.005, 0.0051, 0.3, 1, 10, 11, NAN};
    for (size_t i = 0; i < 6; i++)
        lm_histogram_observe(h, obs[i]);
    /* le semantics: v <= bound */
    uint64_t want[] = {1, 2, 2, 2, 2, 2, 3, 4, 4, 4, 5, 6};
    for (size_t i = 0; i <= LM_DEF_BUCKETS_N; i++)
        ck_assert_uint_eq(lm_histogram_bucket(h, i), want[i]);
    ck_assert_double_eq_tol(lm_metric_sum(h), 22.3101, 1e-12);
    ck_assert_double_eq(lm_metric_value(h), 6);
    lm_histogram_observe(h, obs[6]);
    ck_assert_uint_eq(lm_histogram_bucket(h, LM_DEF_BUCKETS_N), 7);
    ck_assert(isnan(lm_metric_sum(h)));
    double lb[4], eb[4];
    ck_assert_int_eq(lm_buckets_linear(1, 0.5, 4, lb), 0);
    ck_assert_double_eq(lb[3], 2.5);
    ck_assert_int_eq(lm_buckets_exponential(1, 2, 4, eb), 0);
    ck_assert_double_eq(eb[3], 8);
    ck_assert_int_eq(lm_buckets_exponential(0, 2, 4, eb), LM_EINVAL);
    ck_assert_int_eq(lm_buckets_exponential(1, 1, 4, eb), LM_EINVAL);
    ck_assert_int_eq(lm_buckets_linear(1, 1, 0, eb), LM_EINVAL);
    double withinf[] = {1, 2, INFINITY};   /* a final +Inf is dropped */
    o = (struct lm_metric_opts){.name = "d2", .type = LM_TYPE_HISTOGRAM, .buckets = withinf,
                                .nbuckets = 3};
    h = lm_family_with(lm_registry_add(r, &o, NULL), NULL);
    lm_histogram_observe(h, 3);
    ck_assert_uint_eq(lm_histogram_bucket(h, 1), 0);
    ck_assert_uint_eq(lm_histogram_bucket(h, 2), 1);
    lm_registry_free(r);
}
END_TEST

static double fake_now;
static double
fake_clock(void *arg)
{
    (void)arg;
    return fake_now;
}

START_TEST(test_summary_maths)
{
    struct lm_registry *r = lm_registry_new();
    lm_registry_set_clock(r, fake_clock, NULL);
    fake_now = 1000;
    struct lm_quantile q[] = {{0.99, 0.001}, {0.5, 0.05}, {0.9, 0.01}};
    struct lm_metric_opts o = {.name = "s", .type = LM_TYPE_SUMMARY, .objectives = q,
                               .nobjectives = 3, .max_age = 100, .age_buckets = 5};
    struct lm_metric *s = lm_family_with(lm_registry_add(r, &o, NULL), NULL);
    ck_assert(isnan(lm_summary_quantile(s, 0.5)));
    for (int i = 1000; i >= 1; i--)   /* 1..1000, in reverse */
        lm_summary_observe(s, i);
    ck_assert_double_eq(lm_summary_quantile(s, 0.5), 500);
    ck_assert_double_eq(lm_summary_quantile(s, 0.9), 900);
    ck_assert_double_eq(lm_summary_quantile(s, 0.99), 990);
    ck_assert_double_eq(lm_summary_quantile(s, 0), 1);
    ck_assert_double_eq(lm_summary_quantile(s, 1), 1000);
    ck_assert_double_eq(lm_metric_value(s), 1000);
    ck_assert_double_eq(lm_metric_sum(s), 500500);
    /* 50 s later, new observations join the old ones (still inside the 100 s window) */
    fake_now = 1050;
    for (int i = 0; i < 1000; i++)
        lm_summary_observe(s, 5000);
    ck_assert_double_eq(lm_summary_quantile(s, 0.25), 500);
    ck_assert_double_eq(lm_summary_quantile(s, 0.75), 5000);
    /* 100 s after the first batch, it has aged out; the second batch remains */
    fake_now = 1100;
    ck_assert_double_eq(lm_summary_quantile(s, 0.01), 5000);
    /* after the whole window, nothing is left; sum and count never expire */
    fake_now = 1200;
    ck_assert(isnan(lm_summary_quantile(s, 0.5)));
    ck_assert_double_eq(lm_metric_value(s), 2000);
    /* beyond the exact cap, the reservoir keeps an unbiased estimate */
    fake_now = 2000;
    for (int i = 0; i < 100000; i++)
        lm_summary_observe(s, i % 1000);
    ck_assert_double_eq_tol(lm_summary_quantile(s, 0.5), 500, 30);
    ck_assert_double_eq_tol(lm_summary_quantile(s, 0.9), 900, 30);
    lm_registry_free(r);
}
END_TEST

/* build_everything: a registry with every kind of family; 0 or an error code. */
static int
build_everything(struct lm_registry **out)
{
    struct lm_err err;
    struct lm_registry *r = lm_registry_new();
    *out = r;
    if (!r)
        return LM_ENOMEM;
    const char *ln[] = {"a", "b"};
    struct lm_label cl = {"job", "x"};
    struct lm_quantile q = {0.5, 0.05};
    struct lm_metric_opts os[] = {
        {.name = "c_total", .type = LM_TYPE_COUNTER, .label_names = ln, .nlabels = 2,
         .const_labels = &cl, .nconst = 1},
        {.name = "g", .help = "gauge", .type = LM_TYPE_GAUGE},
        {.name = "h", .type = LM_TYPE_HISTOGRAM, .label_names = ln, .nlabels = 1},
        {.name = "s", .type = LM_TYPE_SUMMARY, .objectives = &q, .nobjectives = 1},
        {.name = "u", .type = LM_TYPE_UNTYPED},
    };
    for (size_t i = 0; i < sizeof os / sizeof os[0]; i++) {
        struct lm_family *f = lm_registry_add(r, &os[i], &err);
        if (!f)
            return err.code;
        const char *v[] = {"1", "2"};
        struct lm_metric *m = lm_family_with(f, v);
        if (!m)
            return LM_ENOMEM;
        lm_summary_observe(m, 1);
    }
    return 0;
}

START_TEST(test_oom_constructors)
{
    long n;
    for (n = 1; n < 100000; n++) {
        lm_alloc_fail_after(n);
        struct lm_registry *r;
        int rc = build_everything(&r);
        lm_alloc_fail_after(0);
        lm_registry_free(r);
        if (rc == 0)
            break;
        ck_assert_int_eq(rc, LM_ENOMEM);
    }
    ck_assert_int_gt(n, 20);
}
END_TEST

/* Counting allocator for the memory test. */
static size_t live_bytes;
static void *
cnt_malloc(size_t n)
{
    void *p = malloc(n);
    if (p)
        live_bytes += malloc_usable_size(p) + 8;
    return p;
}
static void *
cnt_realloc(void *p, size_t n)
{
    size_t old = p ? malloc_usable_size(p) + 8 : 0;
    void *q = realloc(p, n);
    if (q)
        live_bytes += malloc_usable_size(q) + 8 - old;
    return q;
}
static void
cnt_free(void *p)
{
    if (p)
        live_bytes -= malloc_usable_size(p) + 8;
    free(p);
}

START_TEST(test_memory_per_child)
{
    struct lm_allocator a = {cnt_malloc, cnt_realloc, cnt_free};
    lm_allocator_set(&a);
    live_bytes = 0;
    struct lm_registry *r = lm_registry_new();
    const char *ln[] = {"code", "method", "path"};
    struct lm_family *f = lm_counter_vec_new(r, "http_requests_total", "h", ln, 3, NULL);
    size_t before = live_bytes;
    enum { N = 100000 };
    for (int i = 0; i < N; i++) {
        char path[32];
        snprintf(path, sizeof path, "/api/v1/x%d", i);
        const char *v[] = {i % 2 ? "200" : "404", i % 3 ? "get" : "post", path};
        lm_counter_inc(lm_family_with(f, v));
    }
    double per = (double)(live_bytes - before) / N;
    lm_registry_free(r);
    lm_allocator_set(NULL);
    ck_assert_msg(per < 200, "%.1f bytes per child", per);
}
END_TEST

Suite *registry_suite(void);
Suite *
registry_suite(void)
{
    Suite *s = suite_create("registry");
    TCase *tc = tcase_create("registry");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_register_rules);
    tcase_add_test(tc, test_children_and_updates);
    tcase_add_test(tc, test_multithreaded);
    tcase_add_test(tc, test_histogram_maths);
    tcase_add_test(tc, test_summary_maths);
    tcase_add_test(tc, test_oom_constructors);
    tcase_add_test(tc, test_memory_per_child);
    suite_add_tcase(s, tc);
    return s;
}
