/* SPDX-License-Identifier: Apache-2.0 */
/* test_append.c: the append step (page -> TSDB) against a real TSDB: cache hits,
 * staleness (series gone, target down), honor_labels both ways with exported_ and
 * empty-valued labels, metric relabeling, sample/label limits, duplicate lines,
 * honor_timestamps, out-of-order samples, parse errors, OpenMetrics, the report. */
#include "flint/scrape/scrape_int.h"
#include "lm/parse.h"
#include "scrape_test.h"

Suite *append_suite(void);

/* A target with its pool, cache and database. */
struct fx {
    struct st_db d;            /* the TSDB */
    struct cfg *c;             /* its config */
    struct scri_pool *pool;    /* settings */
    struct lbl_set tl;         /* public target labels */
    struct scri_target t;      /* cache */
    struct lm_parser *p[2];    /* text, OpenMetrics */
    struct lm_buf out;         /* dumps */
};

static void fx_init(struct fx *f, const char *extra)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml, "scrape_configs:\n  - job_name: node\n%s", extra);
    memset(f, 0, sizeof *f);
    st_db_open(&f->d);
    f->c = st_cfg(yaml);
    struct scr_job job;
    scr_job_from_cfg(&job, &f->c->scrapes[0]);
    struct lm_err err = {0};
    f->pool = scri_pool_new(&job, &err);
    ck_assert_ptr_nonnull(f->pool);
    lbl_set_add(&f->tl, "job", "node");
    lbl_set_add(&f->tl, "instance", "h:1");
    scri_target_init(&f->t, f->pool, &f->tl);
    f->p[0] = lm_parser_new(LM_FORMAT_TEXT);
    f->p[1] = lm_parser_new(LM_FORMAT_OPENMETRICS);
    lm_buf_init(&f->out, 1 << 20);
}

static void fx_free(struct fx *f)
{
    scri_target_cleanup(&f->t);
    scri_pool_unref(f->pool);
    lbl_set_free(&f->tl);
    lm_parser_free(f->p[0]);
    lm_parser_free(f->p[1]);
    lm_buf_cleanup(&f->out);
    cfg_free(f->c);
    st_db_close(&f->d);
}

/* fx_page: what a worker does with a page (NULL: a failed scrape) at ts: append, or on
 * error roll back and append an empty page; then commit. Returns scri_append's rc. */
static int fx_page_fmt(struct fx *f, const char *page, int om, int64_t ts,
                       struct scri_append_res *res, struct lm_err *err)
{
    struct tsdb_app *app = tsdb_appender(f->d.db);
    ck_assert_ptr_nonnull(app);
    int rc = scri_append(&f->t, page ? f->p[om] : NULL, app, page ? page : "",
                         page ? strlen(page) : 0, ts, res, err);
    if (rc) {
        tsdb_app_rollback(app);
        app = tsdb_appender(f->d.db);
        struct scri_append_res r2;
        struct lm_err e2;
        ck_assert_int_eq(scri_append(&f->t, NULL, app, NULL, 0, ts, &r2, &e2), 0);
    }
    ck_assert_int_eq(scri_report(&f->t, app, ts, 0.5, res, page && rc == 0, false), 0);
    struct lm_err cerr = {0};
    ck_assert_int_eq(tsdb_app_commit(app, &cerr), 0);
    return rc;
}

static int fx_page(struct fx *f, const char *page, int64_t ts, struct scri_append_res *res,
                   struct lm_err *err)
{
    return fx_page_fmt(f, page, 0, ts, res, err);
}

#define OK_PAGE(f, page, ts)                                         \
    do {                                                             \
        struct scri_append_res r_;                                   \
        struct lm_err e_ = {0};                                      \
        int rc_ = fx_page((f), (page), (ts), &r_, &e_);              \
        ck_assert_msg(rc_ == 0, "append: %d %s", rc_, e_.msg);       \
    } while (0)

START_TEST(cache_and_staleness)
{
    struct fx f;
    fx_init(&f, "");
    struct scri_append_res r;
    struct lm_err e = {0};
    ck_assert_int_eq(fx_page(&f, "a 1\nb{x=\"1\"} 2\n", 1000, &r, &e), 0);
    ck_assert_uint_eq(r.total, 2);
    ck_assert_uint_eq(r.added, 2);
    ck_assert_uint_eq(r.series_added, 2);
    /* same series, other text (label order) -> same series, not a new one */
    ck_assert_int_eq(fx_page(&f, "a 3\nb{x=\"1\"} 4\n", 2000, &r, &e), 0);
    ck_assert_uint_eq(r.series_added, 0);
    ck_assert_uint_eq(f.t.cache.n, 2);
    /* b goes away: stale at the scrape time */
    ck_assert_int_eq(fx_page(&f, "a 5\n", 3000, &r, &e), 0);
    /* target down: everything stale */
    ck_assert_int_eq(fx_page(&f, NULL, 4000, &r, &e), 0);
    /* back up: no markers for what was already stale */
    OK_PAGE(&f, "a 7\n", 5000);
    ck_assert_uint_eq(st_dump(f.d.db, "a|b", &f.out), 2);
    st_has(&f.out, "{__name__=\"a\", instance=\"h:1\", job=\"node\"} 1000=1 2000=3 3000=5 "
                   "4000=stale 5000=7\n");
    st_has(&f.out, "{__name__=\"b\", instance=\"h:1\", job=\"node\", x=\"1\"} 1000=2 2000=4 "
                   "3000=stale\n");
    ck_assert_uint_eq(st_dump(f.d.db, "up", &f.out), 1);
    st_has(&f.out, "{__name__=\"up\", instance=\"h:1\", job=\"node\"} 1000=1 2000=1 3000=1 "
                   "4000=0 5000=1\n");
    ck_assert_uint_eq(st_dump(f.d.db, "scrape_samples_scraped", &f.out), 1);
    st_has(&f.out, "1000=2 2000=2 3000=1 4000=0 5000=1\n");
    ck_assert_uint_eq(st_dump(f.d.db, "scrape_series_added", &f.out), 1);
    st_has(&f.out, "1000=2 2000=0 3000=0 4000=0 5000=0\n");
    ck_assert_uint_eq(st_dump(f.d.db, "scrape_duration_seconds", &f.out), 1);
    st_has(&f.out, "1000=0.5");
    fx_free(&f);
}
END_TEST

START_TEST(cache_flush)
{
    struct fx f;
    fx_init(&f, "");
    /* texts not seen in the last successful scrape are forgotten */
    OK_PAGE(&f, "a 1\nb 1\n", 1000);
    ck_assert_uint_eq(f.t.cache.n, 2);
    OK_PAGE(&f, "a 1\n", 2000);
    ck_assert_uint_eq(f.t.cache.n, 1);
    /* a failed scrape does not flush */
    struct scri_append_res r;
    struct lm_err e;
    ck_assert_int_eq(fx_page(&f, NULL, 3000, &r, &e), 0);
    ck_assert_uint_eq(f.t.cache.n, 1);
    fx_free(&f);
}
END_TEST

START_TEST(lost_refs)
{
    struct fx f;
    fx_init(&f, "");
    /* the cache keeps no labels: a line whose tsdb ref is lost (unknown, or gone from
     * the head) gets its labels rebuilt from the page and lands in the same series */
    OK_PAGE(&f, "a 1\nb{x=\"1\"} 2\n", 1000);
    struct scri_cache *c = &f.t.cache;
    size_t n = 0;
    for (size_t i = 0; i < c->nb; i++)
        for (struct scri_entry *e = c->b[i]; e; e = e->next, n++)
            e->ref = n ? 0 : UINT32_MAX - 5;
    ck_assert_uint_eq(n, 2);
    struct scri_append_res r;
    struct lm_err e = {0};
    ck_assert_int_eq(fx_page(&f, "a 3\nb{x=\"1\"} 4\n", 2000, &r, &e), 0);
    ck_assert_uint_eq(r.added, 2);
    ck_assert_uint_eq(r.series_added, 0);
    for (size_t i = 0; i < c->nb; i++)
        for (struct scri_entry *en = c->b[i]; en; en = en->next)
            ck_assert(en->ref && en->ref < 100);
    OK_PAGE(&f, "a 5\n", 3000);
    ck_assert_uint_eq(st_dump(f.d.db, "a|b", &f.out), 2);
    st_has(&f.out, "job=\"node\"} 1000=1 2000=3 3000=5\n");
    st_has(&f.out, "x=\"1\"} 1000=2 2000=4 3000=stale\n");
    fx_free(&f);
}
END_TEST

START_TEST(page_order)
{
    struct fx f;
    fx_init(&f, "");
    /* lines are guessed from the last page's order; reordering, removing and adding
     * lines must not confuse the guesses (nor leave them pointing at freed entries) */
    OK_PAGE(&f, "a 1\nb 1\nc 1\n", 1000);
    OK_PAGE(&f, "c 2\na 2\n", 2000);
    ck_assert_uint_eq(f.t.cache.n, 2);
    OK_PAGE(&f, "a 3\nb 3\nc 3\nd 3\n", 3000);
    OK_PAGE(&f, "d 4\nc 4\nb 4\na 4\n", 4000);
    OK_PAGE(&f, "a 5\nb 5\n", 5000);
    OK_PAGE(&f, "a 6\nb 6\n", 6000);
    ck_assert_uint_eq(st_dump(f.d.db, "a|b|c|d", &f.out), 4);
    st_has(&f.out, "job=\"node\"} 1000=1 2000=2 3000=3 4000=4 5000=5 6000=6\n");
    st_has(&f.out, "job=\"node\"} 1000=1 2000=stale 3000=3 4000=4 5000=5 6000=6\n");
    st_has(&f.out, "job=\"node\"} 1000=1 2000=2 3000=3 4000=4 5000=stale\n");
    st_has(&f.out, "job=\"node\"} 3000=3 4000=4 5000=stale\n");
    fx_free(&f);
}
END_TEST

START_TEST(exposed_up)
{
    struct fx f;
    fx_init(&f, "");
    /* a page exposing up itself: with the target labels it is the report's series;
     * the page's sample comes first and wins, as in Prometheus */
    OK_PAGE(&f, "up 5\n", 1000);
    ck_assert_uint_eq(st_dump(f.d.db, "up", &f.out), 1);
    st_has(&f.out, "{__name__=\"up\", instance=\"h:1\", job=\"node\"} 1000=5\n");
    fx_free(&f);
}
END_TEST

START_TEST(honor_labels_false)
{
    struct fx f;
    fx_init(&f, "");
    OK_PAGE(&f, "a{job=\"x\",instance=\"y\",exported_job=\"z\"} 1\n"
                "c{job=\"\"} 1\n"
                "d{exported_instance=\"q\",instance=\"w\"} 1\n", 1000);
    st_dump(f.d.db, "a|c|d", &f.out);
    /* checked against Prometheus 2.42 */
    st_has(&f.out, "{__name__=\"d\", exported_exported_instance=\"w\", "
                   "exported_instance=\"q\", instance=\"h:1\", job=\"node\"} 1000=1\n");
    st_has(&f.out, "{__name__=\"a\", exported_exported_job=\"x\", exported_instance=\"y\", "
                   "exported_job=\"z\", instance=\"h:1\", job=\"node\"} 1000=1\n");
    /* an empty exposed value is no conflict */
    st_has(&f.out, "{__name__=\"c\", instance=\"h:1\", job=\"node\"} 1000=1\n");
    fx_free(&f);
}
END_TEST

START_TEST(honor_labels_true)
{
    struct fx f;
    fx_init(&f, "    honor_labels: true\n");
    OK_PAGE(&f, "a{job=\"x\"} 1\nb{job=\"\"} 1\n", 1000);
    st_dump(f.d.db, "a|b", &f.out);
    st_has(&f.out, "{__name__=\"a\", instance=\"h:1\", job=\"x\"} 1000=1\n");
    /* job="" was exposed, so the target's job is not added (Prometheus's Has) */
    st_has(&f.out, "{__name__=\"b\", instance=\"h:1\"} 1000=1\n");
    fx_free(&f);
}
END_TEST

START_TEST(metric_relabel)
{
    struct fx f;
    fx_init(&f, "    metric_relabel_configs:\n"
                "      - source_labels: [__name__]\n        regex: drop_.*\n"
                "        action: drop\n"
                "      - source_labels: [x]\n        target_label: y\n"
                "        replacement: was_$1\n"
                "      - regex: x\n        action: labeldrop\n");
    struct scri_append_res r;
    struct lm_err e = {0};
    ck_assert_int_eq(fx_page(&f, "drop_me 1\nkeep{x=\"1\"} 2\ndrop_too 3\n", 1000, &r, &e),
                     0);
    ck_assert_uint_eq(r.total, 3);
    ck_assert_uint_eq(r.added, 1);
    ck_assert_uint_eq(st_dump(f.d.db, ".*drop.*|keep", &f.out), 1);
    st_has(&f.out, "{__name__=\"keep\", instance=\"h:1\", job=\"node\", y=\"was_1\"} 1000=2\n");
    /* dropped lines are cached as dropped */
    ck_assert_int_eq(fx_page(&f, "drop_me 1\nkeep{x=\"1\"} 2\n", 2000, &r, &e), 0);
    ck_assert_uint_eq(r.added, 1);
    ck_assert_uint_eq(f.t.cache.n, 2);
    ck_assert_uint_eq(st_dump(f.d.db, "scrape_samples_post_metric_relabeling", &f.out), 1);
    st_has(&f.out, "1000=1 2000=1\n");
    fx_free(&f);
}
END_TEST

START_TEST(missing_name)
{
    struct fx f;
    fx_init(&f, "    metric_relabel_configs:\n      - regex: __name__\n        action: labeldrop\n");
    struct scri_append_res r;
    struct lm_err e = {0};
    ck_assert_int_eq(fx_page(&f, "a 1\n", 1000, &r, &e), LM_ENAME);
    ck_assert_str_eq(e.msg, "missing metric name (__name__ label)");
    fx_free(&f);
}
END_TEST

START_TEST(sample_limit)
{
    struct fx f;
    fx_init(&f, "    sample_limit: 2\n");
    OK_PAGE(&f, "a 1\nb 1\n", 1000);
    struct scri_append_res r;
    struct lm_err e = {0};
    ck_assert_int_eq(fx_page(&f, "a 2\nb 2\nc 2\n", 2000, &r, &e), LM_ETOOBIG);
    ck_assert_str_eq(e.msg, "sample limit exceeded");
    ck_assert(r.sample_limit);
    ck_assert_uint_eq(r.total, 3);
    ck_assert_uint_eq(r.added, 3);
    /* nothing of the failed page is kept; a and b were tracked before the limit hit,
     * so (as Prometheus) they get no marker, the rest would */
    ck_assert_uint_eq(st_dump(f.d.db, "a|b|c", &f.out), 2);
    st_has(&f.out, "{__name__=\"a\", instance=\"h:1\", job=\"node\"} 1000=1\n");
    st_dump(f.d.db, "up", &f.out);
    st_has(&f.out, "1000=1 2000=0\n");
    st_dump(f.d.db, "scrape_samples_scraped", &f.out);
    st_has(&f.out, "1000=2 2000=3\n");
    fx_free(&f);
}
END_TEST

START_TEST(label_limits)
{
    struct fx f;
    fx_init(&f, "    label_limit: 3\n");
    struct scri_append_res r;
    struct lm_err e = {0};
    OK_PAGE(&f, "a 1\n", 1000);
    ck_assert_int_eq(fx_page(&f, "a 1\nb{x=\"1\"} 1\n", 2000, &r, &e), LM_ETOOBIG);
    ck_assert_str_eq(e.msg, "label_limit exceeded (metric: b, number of labels: 4, limit: 3)");
    ck_assert(r.label_limit);
    /* a was tracked in the failed append before the error: as Prometheus, it gets no
     * marker (only series absent from the failed page would) */
    st_dump(f.d.db, "a", &f.out);
    st_has(&f.out, "job=\"node\"} 1000=1\n");
    fx_free(&f);
    fx_init(&f, "    label_name_length_limit: 5\n");
    ck_assert_int_eq(fx_page(&f, "a{abcdef=\"1\"} 1\n", 1000, &r, &e), LM_ETOOBIG);
    ck_assert_str_eq(e.msg, "label_name_length_limit exceeded (metric: a, label name: "
                            "__name__, length: 8, limit: 5)");
    fx_free(&f);
    fx_init(&f, "    label_value_length_limit: 4\n");
    ck_assert_int_eq(fx_page(&f, "ab{x=\"abcde\"} 1\n", 1000, &r, &e), LM_ETOOBIG);
    ck_assert_str_eq(e.msg, "label_value_length_limit exceeded (metric: ab, label name: x, "
                            "value: \"abcde\", length: 5, limit: 4)");
    fx_free(&f);
}
END_TEST

START_TEST(duplicates_and_timestamps)
{
    struct fx f;
    fx_init(&f, "");
    struct scri_append_res r;
    struct lm_err e = {0};
    /* the same line twice: the first value wins, both count as added */
    ck_assert_int_eq(fx_page(&f, "a 1\na 2\nb{x=\"1\",y=\"2\"} 1\nb{y=\"2\",x=\"1\"} 5\n",
                             1000, &r, &e), 0);
    ck_assert_uint_eq(r.total, 4);
    ck_assert_uint_eq(r.added, 4);
    ck_assert_uint_eq(r.series_added, 3);
    st_dump(f.d.db, "a|b", &f.out);
    st_has(&f.out, "{__name__=\"a\", instance=\"h:1\", job=\"node\"} 1000=1\n");
    st_has(&f.out, "job=\"node\", x=\"1\", y=\"2\"} 1000=1\n");
    /* exposed timestamps are used and not tracked for staleness */
    OK_PAGE(&f, "t 1 1500\n", 2000);
    OK_PAGE(&f, "t 2 1400\n", 3000);   /* out of order */
    ck_assert_int_eq(fx_page(&f, "t 3 1400\n", 4000, &r, &e), 0);
    ck_assert_uint_eq(r.out_of_order + r.duplicate, 1);
    OK_PAGE(&f, "", 5000);
    st_dump(f.d.db, "t", &f.out);
    st_has(&f.out, "{__name__=\"t\", instance=\"h:1\", job=\"node\"} 1500=1\n");
    fx_free(&f);
    fx_init(&f, "    honor_timestamps: false\n");
    OK_PAGE(&f, "t 1 1500\n", 2000);
    OK_PAGE(&f, "", 3000);
    st_dump(f.d.db, "t", &f.out);
    st_has(&f.out, "job=\"node\"} 2000=1 3000=stale\n");
    fx_free(&f);
}
END_TEST

START_TEST(parse_error_and_om)
{
    struct fx f;
    fx_init(&f, "");
    struct scri_append_res r;
    struct lm_err e = {0};
    OK_PAGE(&f, "a 1\n", 1000);
    ck_assert_int_eq(fx_page(&f, "a 2\nb{ 1\n", 2000, &r, &e), LM_EPARSE);
    ck_assert_uint_eq(r.total, 1);
    ck_assert_str_ne(e.msg, "");
    ck_assert_int_eq(fx_page_fmt(&f, "# TYPE c counter\nc_total 4 1.5\n# EOF\n", 1, 3000, &r,
                                 &e), 0);
    /* OpenMetrics without # EOF is an error */
    ck_assert_int_ne(fx_page_fmt(&f, "a 1\n", 1, 4000, &r, &e), 0);
    st_dump(f.d.db, "a|c_total", &f.out);
    /* the failed page tracked a before its error (no marker at 2000, as Prometheus);
     * the OpenMetrics page without a marks it */
    st_has(&f.out, "{__name__=\"a\", instance=\"h:1\", job=\"node\"} 1000=1 3000=stale\n");
    st_has(&f.out, "{__name__=\"c_total\", instance=\"h:1\", job=\"node\"} 1500=4\n");
    ck_assert_int_eq(scri_format("application/openmetrics-text; version=1.0.0; charset=utf-8"),
                     LM_FORMAT_OPENMETRICS);
    ck_assert_int_eq(scri_format("text/plain; version=0.0.4"), LM_FORMAT_TEXT);
    ck_assert_int_eq(scri_format(""), LM_FORMAT_TEXT);
    fx_free(&f);
}
END_TEST

Suite *append_suite(void)
{
    Suite *s = suite_create("scrape_append");
    TCase *tc = tcase_create("append");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, cache_and_staleness);
    tcase_add_test(tc, cache_flush);
    tcase_add_test(tc, lost_refs);
    tcase_add_test(tc, page_order);
    tcase_add_test(tc, exposed_up);
    tcase_add_test(tc, honor_labels_false);
    tcase_add_test(tc, honor_labels_true);
    tcase_add_test(tc, metric_relabel);
    tcase_add_test(tc, missing_name);
    tcase_add_test(tc, sample_limit);
    tcase_add_test(tc, label_limits);
    tcase_add_test(tc, duplicates_and_timestamps);
    tcase_add_test(tc, parse_error_and_om);
    suite_add_tcase(s, tc);
    return s;
}
