/* SPDX-License-Identifier: Apache-2.0 */
/* test_exporter.c: the collector runner (libmetrics/collector_runner.c): flags from the
 * table, enable/disable rules, init failure naming the collector, collect[]/exclude[]
 * filters with upstream's 400 texts, meta metrics, and a failing collector that keeps
 * the others (and its own partial output). */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/exporter.h"

static int
ok_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    int *calls = state;
    if (calls)
        (*calls)++;
    return lm_emit_one(e, "test_ok_value", "An ok value.", LM_TYPE_GAUGE, 42);
}

static int
ok_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    *state = lm_calloc(1, sizeof(int));
    return *state ? 0 : LM_ENOMEM;
}

static void
ok_fini(void *state)
{
    lm_free(state);
}

static int
bad_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    lm_emit_one(e, "test_bad_partial", "Emitted before failing.", LM_TYPE_GAUGE, 1);
    return lm_err_set(err, LM_EIO, "/proc/nosuch", "open failed");
}

static int
nodata_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
               struct lm_err *err)
{
    return lm_err_set(err, LM_ENODATA, NULL, "no hardware");
}

static int
fail_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    return lm_err_set(err, LM_ECONFIG, NULL, "bad regex");
}

static const struct lm_flag_desc ok_flags[] = {
    {"collector.aok.option", "x", "An option.", false},
    {NULL, NULL, NULL, false},
};
static const struct lm_collector_desc c_ok = {"aok", true, ok_flags, ok_init, ok_collect, ok_fini};
static const struct lm_collector_desc c_bad = {"bad", true, NULL, NULL, bad_collect, NULL};
static const struct lm_collector_desc c_nodata = {"nodata", true, NULL, NULL, nodata_collect, NULL};
static const struct lm_collector_desc c_off = {"off", false, NULL, NULL, ok_collect, NULL};
static const struct lm_collector_desc c_initfail = {"initfail", true, NULL, fail_init, NULL, NULL};

static const struct lm_collector_desc *const table[] = {&c_ok, &c_bad, &c_nodata, &c_off, NULL};
static const struct lm_collector_desc *const table_fail[] = {&c_ok, &c_initfail, NULL};

struct fixture {
    struct lm_flags *f;   /* parsed flags */
    void *store;          /* runner flag strings */
    struct lm_runner *r;  /* the runner, or NULL */
    struct lm_err err;    /* lm_runner_new's error */
};

static void
setup_fx(struct fixture *fx, const struct lm_collector_desc *const *t, int argc, char **argv)
{
    fx->f = lm_flags_new("test_exporter", NULL);
    ck_assert_ptr_nonnull(fx->f);
    ck_assert_int_eq(lm_runner_add_flags(fx->f, t, &fx->store), 0);
    bool ex;
    ck_assert_int_eq(lm_flags_parse(fx->f, argc, argv, stderr, &ex, &fx->err), 0);
    fx->r = lm_runner_new("test", t, fx->f, NULL, &fx->err);
}

static void
teardown_fx(struct fixture *fx)
{
    lm_runner_free(fx->r);
    lm_flags_free(fx->f);
    lm_free(fx->store);
}

/* scrape: run the runner with flt and render the text exposition (malloc'd). */
static char *
scrape(struct lm_runner *r, const struct lm_runner_filter *flt, int *rc, struct lm_err *err)
{
    struct lm_emit *e = lm_emit_new(LM_FORMAT_TEXT);
    ck_assert_ptr_nonnull(e);
    *rc = lm_runner_collect(r, flt, e, 0, err);
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    ck_assert_int_eq(lm_emit_finish(e, &b), 0);
    char *s = strdup(lm_buf_cstr(&b));
    lm_buf_cleanup(&b);
    lm_emit_free(e);
    return s;
}

START_TEST(flags_and_defaults)
{
    struct fixture fx;
    char *argv[] = {"p", NULL};
    setup_fx(&fx, table, 1, argv);
    ck_assert_ptr_nonnull(fx.r);
    ck_assert_uint_eq(lm_runner_count(fx.r), 3);
    ck_assert_str_eq(lm_runner_name(fx.r, 0), "aok");
    ck_assert_str_eq(lm_runner_name(fx.r, 2), "nodata");
    ck_assert_ptr_null(lm_runner_name(fx.r, 3));
    ck_assert_str_eq(lm_flags_get(fx.f, "collector.aok.option"), "x");
    char *h = NULL;
    size_t hl = 0;
    FILE *out = open_memstream(&h, &hl);
    lm_flags_usage(fx.f, out);
    fclose(out);
    ck_assert_ptr_nonnull(strstr(h, "Enable the aok collector (default: enabled)."));
    ck_assert_ptr_nonnull(strstr(h, "Enable the off collector (default: disabled)."));
    ck_assert_ptr_nonnull(strstr(h, "--collector.disable-defaults"));
    free(h);
    teardown_fx(&fx);

    char *argv2[] = {"p", "--collector.disable-defaults", "--collector.off", "--no-collector.bad",
                     NULL};
    setup_fx(&fx, table, 4, argv2);
    ck_assert_uint_eq(lm_runner_count(fx.r), 1);
    ck_assert_str_eq(lm_runner_name(fx.r, 0), "off");
    teardown_fx(&fx);
}
END_TEST

START_TEST(init_failure)
{
    struct fixture fx;
    char *argv[] = {"p", NULL};
    setup_fx(&fx, table_fail, 1, argv);
    ck_assert_ptr_null(fx.r);
    ck_assert_int_eq(fx.err.code, LM_ECONFIG);
    ck_assert_str_eq(fx.err.where, "initfail");
    ck_assert_str_eq(fx.err.msg, "bad regex");
    teardown_fx(&fx);
}
END_TEST

START_TEST(meta_metrics)
{
    struct fixture fx;
    char *argv[] = {"p", NULL};
    setup_fx(&fx, table, 1, argv);
    struct lm_err err;
    int rc;
    char *s = scrape(fx.r, NULL, &rc, &err);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(s, "test_ok_value 42\n"));
    ck_assert_ptr_nonnull(strstr(s, "test_bad_partial 1\n"));
    ck_assert_ptr_nonnull(strstr(s,
        "# HELP test_scrape_collector_duration_seconds test_exporter: Duration of a collector "
        "scrape.\n# TYPE test_scrape_collector_duration_seconds gauge\n"));
    ck_assert_ptr_nonnull(strstr(s,
        "# HELP test_scrape_collector_success test_exporter: Whether a collector succeeded.\n"
        "# TYPE test_scrape_collector_success gauge\n"
        "test_scrape_collector_success{collector=\"aok\"} 1\n"
        "test_scrape_collector_success{collector=\"bad\"} 0\n"
        "test_scrape_collector_success{collector=\"nodata\"} 0\n"));
    ck_assert_ptr_nonnull(strstr(s, "test_scrape_collector_duration_seconds{collector=\"bad\"} "));
    ck_assert_ptr_null(strstr(s, "collector=\"off\""));
    free(s);
    teardown_fx(&fx);
}
END_TEST

START_TEST(filters)
{
    struct fixture fx;
    char *argv[] = {"p", NULL};
    setup_fx(&fx, table, 1, argv);
    struct lm_err err;
    int rc;
    const char *only[] = {"aok"};
    struct lm_runner_filter flt = {only, 1, NULL, 0};
    char *s = scrape(fx.r, &flt, &rc, &err);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(s, "{collector=\"aok\"} 1\n"));
    ck_assert_ptr_null(strstr(s, "collector=\"bad\""));
    ck_assert_ptr_null(strstr(s, "test_bad_partial"));
    free(s);

    struct lm_runner_filter ex = {NULL, 0, only, 1};
    s = scrape(fx.r, &ex, &rc, &err);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_null(strstr(s, "collector=\"aok\""));
    ck_assert_ptr_nonnull(strstr(s, "collector=\"bad\""));
    free(s);

    const char *nosuch[] = {"aok", "nosuch"};
    struct lm_runner_filter bad = {nosuch, 2, NULL, 0};
    s = scrape(fx.r, &bad, &rc, &err);
    ck_assert_int_eq(rc, LM_EINVAL);
    ck_assert_str_eq(err.msg, "Couldn't create filtered metrics handler: couldn't create "
                              "collector: missing collector: nosuch");
    free(s);
    const char *off[] = {"off"};
    struct lm_runner_filter dis = {off, 1, NULL, 0};
    ck_assert_int_eq(lm_runner_check(fx.r, &dis, &err), LM_EINVAL);
    ck_assert_str_eq(err.msg, "Couldn't create filtered metrics handler: couldn't create "
                              "collector: disabled collector: off");
    struct lm_runner_filter both = {only, 1, only, 1};
    ck_assert_int_eq(lm_runner_check(fx.r, &both, &err), LM_EINVAL);
    teardown_fx(&fx);
}
END_TEST

START_TEST(oom)
{
    for (long n = 1; n < 400; n++) {
        struct lm_flags *f = lm_flags_new("p", NULL);
        void *store = NULL;
        ck_assert_int_eq(lm_runner_add_flags(f, table, &store), 0);
        char *argv[] = {"p", NULL};
        bool ex;
        struct lm_err err;
        ck_assert_int_eq(lm_flags_parse(f, 1, argv, stderr, &ex, &err), 0);
        lm_alloc_fail_after(n);
        struct lm_runner *r = lm_runner_new("test", table, f, NULL, &err);
        int rc = r ? 0 : err.code;
        struct lm_emit *e = NULL;
        if (r) {
            e = lm_emit_new(LM_FORMAT_TEXT);
            rc = e ? lm_runner_collect(r, NULL, e, 0, &err) : LM_ENOMEM;
        }
        lm_alloc_fail_after(0);
        lm_emit_free(e);
        lm_runner_free(r);
        lm_flags_free(f);
        lm_free(store);
        if (!rc && e)
            return;
        ck_assert_int_eq(rc, LM_ENOMEM);
    }
    ck_abort_msg("never succeeded");
}
END_TEST

static const struct lm_exporter_desc xdesc = {
    .prog = "test_exporter",
    .ns = "test",
    .title = "Test Exporter",
    .default_listen = ":0",
    .default_path = "/metrics",
    .collectors = table,
};

/* new_x: lm_exporter_new on a NULL-terminated argument list (argv[0] added). */
static struct lm_exporter *
new_x(int *status, ...)
{
    char *argv[16] = {"test_exporter"};
    int argc = 1;
    va_list ap;
    va_start(ap, status);
    for (char *a; (a = va_arg(ap, char *)) && argc < 15;)
        argv[argc++] = a;
    va_end(ap);
    return lm_exporter_new(&xdesc, argc, argv, status);
}

START_TEST(scaffold_startup)
{
    int status = -1;
    ck_assert_ptr_null(new_x(&status, "--help", NULL));
    ck_assert_int_eq(status, 0);
    ck_assert_ptr_null(new_x(&status, "--nosuch", NULL));
    ck_assert_int_eq(status, 1);
    ck_assert_ptr_null(new_x(&status, "--log.level=loud", NULL));
    ck_assert_int_eq(status, 1);
    ck_assert_ptr_null(new_x(&status, "--web.max-requests=x", NULL));
    ck_assert_int_eq(status, 1);
    struct lm_exporter *x = new_x(&status, "--log.level=error", "--web.telemetry-path=/m", NULL);
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(lm_exporter_metrics_path(x), "/m");
    ck_assert_uint_eq(lm_runner_count(lm_exporter_runner(x)), 3);
    ck_assert_ptr_nonnull(lm_exporter_flags(x));
    lm_exporter_free(x);
}
END_TEST

/* render: the /metrics body for flt (malloc'd), rc in *rc. */
static char *
render(struct lm_exporter *x, const struct lm_runner_filter *flt, int *rc, struct lm_err *err)
{
    struct lm_buf b;
    lm_buf_init(&b, 1 << 22);
    const char *ct = NULL;
    *rc = lm_exporter_render_metrics(x, "application/openmetrics-text", flt, 0, &b, &ct, err);
    if (!*rc)
        ck_assert_str_eq(ct, "text/plain; version=0.0.4; charset=utf-8");
    char *s = strdup(lm_buf_cstr(&b));
    lm_buf_cleanup(&b);
    return s;
}

START_TEST(scaffold_render)
{
    int status, rc;
    struct lm_err err;
    struct lm_exporter *x = new_x(&status, "--log.level=error", NULL);
    ck_assert_ptr_nonnull(x);
    char *s = render(x, NULL, &rc, &err);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(s, "# TYPE test_exporter_build_info gauge\n"
                                    "test_exporter_build_info{branch=\""));
    ck_assert_ptr_nonnull(strstr(s, "\nprocess_resident_memory_bytes "));
    ck_assert_ptr_nonnull(strstr(s, "\npromhttp_metric_handler_requests_total{code=\"200\"} "));
    ck_assert_ptr_nonnull(strstr(s, "test_scrape_collector_success{collector=\"aok\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(s, "test_ok_value 42\n"));
    free(s);

    const char *only[] = {"aok"};
    struct lm_runner_filter flt = {only, 1, NULL, 0};
    s = render(x, &flt, &rc, &err);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(s, "test_exporter_build_info{"));
    ck_assert_ptr_null(strstr(s, "process_"));
    ck_assert_ptr_null(strstr(s, "promhttp_"));
    ck_assert_ptr_null(strstr(s, "collector=\"bad\""));
    free(s);

    const char *nosuch[] = {"nosuch"};
    struct lm_runner_filter bad = {nosuch, 1, NULL, 0};
    s = render(x, &bad, &rc, &err);
    ck_assert_int_eq(rc, LM_EINVAL);
    ck_assert_str_eq(err.msg, "Couldn't create filtered metrics handler: couldn't create "
                              "collector: missing collector: nosuch");
    free(s);
    lm_exporter_free(x);

    x = new_x(&status, "--log.level=error", "--web.disable-exporter-metrics", NULL);
    s = render(x, NULL, &rc, &err);
    ck_assert_ptr_null(strstr(s, "process_"));
    ck_assert_ptr_null(strstr(s, "promhttp_"));
    ck_assert_ptr_nonnull(strstr(s, "test_exporter_build_info{"));
    free(s);
    lm_exporter_free(x);
}
END_TEST

Suite *exporter_suite(void);

Suite *
exporter_suite(void)
{
    Suite *s = suite_create("exporter");
    TCase *tc = tcase_create("runner");
    tcase_add_test(tc, flags_and_defaults);
    tcase_add_test(tc, init_failure);
    tcase_add_test(tc, meta_metrics);
    tcase_add_test(tc, filters);
    tcase_add_test(tc, oom);
    suite_add_tcase(s, tc);
    TCase *tx = tcase_create("scaffold");
    tcase_add_test(tx, scaffold_startup);
    tcase_add_test(tx, scaffold_render);
    suite_add_tcase(s, tx);
    return s;
}
