/* SPDX-License-Identifier: Apache-2.0 */
/* test_expo.c: golden registry pages in text 0.0.4 and OpenMetrics (every type, const and
 * variable labels, escaping, a collector merged with a registry family), content
 * negotiation, gzip, process and build_info metrics, the atomic textfile writer. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "lm/alloc.h"
#include "lm/expo.h"
#include "lm/process.h"
#include "lm/textfile.h"

static double
clock_zero(void *arg)
{
    (void)arg;
    return 0;
}

static int
collect_some(void *state, struct lm_emit *e, struct lm_err *err)
{
    (void)state;
    (void)err;
    lm_emit_one(e, "aaa_collected", "From a collector.", LM_TYPE_GAUGE, 42);
    lm_emit_family(e, "temp_celsius", "Temperature.", LM_TYPE_GAUGE);
    return lm_emit_samplev(e, 30, "sensor", "x", NULL);
}

static int
collect_fail(void *state, struct lm_emit *e, struct lm_err *err)
{
    (void)state;
    (void)e;
    return lm_err_set(err, LM_EIO, "/proc/x", "cannot read");
}

static struct lm_registry *
page_registry(void)
{
    struct lm_registry *r = lm_registry_new();
    lm_registry_set_clock(r, clock_zero, NULL);
    const char *ln[] = {"method", "code"};
    struct lm_label job = {"job", "api"};
    struct lm_metric_opts oc = {.name = "http_requests_total", .help = "Requests.",
                                .type = LM_TYPE_COUNTER, .label_names = ln, .nlabels = 2,
                                .const_labels = &job, .nconst = 1};
    struct lm_family *c = lm_registry_add(r, &oc, NULL);
    lm_counter_add(lm_family_withv(c, "get", "200", NULL), 5);
    lm_counter_inc(lm_family_withv(c, "get", "404", NULL));
    lm_counter_add(lm_family_withv(c, "post", "200", NULL), 2.5);
    lm_counter_inc(lm_family_withv(c, "get\"x", "500", NULL));
    lm_gauge_set(lm_gauge_new(r, "temp_celsius", "Temperature.", NULL), 21.5);
    struct lm_metric_opts ou = {.name = "legacy_value", .help = "Untyped.",
                                .type = LM_TYPE_UNTYPED};
    lm_gauge_set(lm_family_with(lm_registry_add(r, &ou, NULL), NULL), 1e6);
    const char *lp[] = {"path"};
    double b[] = {0.1, 1};
    struct lm_metric_opts oh = {.name = "req_duration_seconds", .help = "Durations.",
                                .type = LM_TYPE_HISTOGRAM, .label_names = lp, .nlabels = 1,
                                .buckets = b, .nbuckets = 2};
    struct lm_metric *h = lm_family_withv(lm_registry_add(r, &oh, NULL), "/", NULL);
    lm_histogram_observe(h, 0.0625);
    lm_histogram_observe(h, 0.5);
    lm_histogram_observe(h, 4);
    struct lm_quantile q[] = {{0.9, 0.01}, {0.5, 0.05}};
    struct lm_metric_opts os = {.name = "rpc_seconds", .help = "RPC.", .type = LM_TYPE_SUMMARY,
                                .objectives = q, .nobjectives = 2};
    struct lm_metric *s = lm_family_with(lm_registry_add(r, &os, NULL), NULL);
    for (int i = 1; i <= 4; i++)
        lm_summary_observe(s, i);
    struct lm_metric_opts oe = {.name = "zz_no_children_total", .type = LM_TYPE_COUNTER,
                                .label_names = lp, .nlabels = 1};
    lm_registry_add(r, &oe, NULL);
    lm_registry_add_collector(r, "some", collect_some, NULL, NULL);
    return r;
}

static const char golden_text[] =
    "# HELP aaa_collected From a collector.\n"
    "# TYPE aaa_collected gauge\n"
    "aaa_collected 42\n"
    "# HELP http_requests_total Requests.\n"
    "# TYPE http_requests_total counter\n"
    "http_requests_total{code=\"200\",job=\"api\",method=\"get\"} 5\n"
    "http_requests_total{code=\"200\",job=\"api\",method=\"post\"} 2.5\n"
    "http_requests_total{code=\"404\",job=\"api\",method=\"get\"} 1\n"
    "http_requests_total{code=\"500\",job=\"api\",method=\"get\\\"x\"} 1\n"
    "# HELP legacy_value Untyped.\n"
    "# TYPE legacy_value untyped\n"
    "legacy_value 1e+06\n"
    "# HELP req_duration_seconds Durations.\n"
    "# TYPE req_duration_seconds histogram\n"
    "req_duration_seconds_bucket{path=\"/\",le=\"0.1\"} 1\n"
    "req_duration_seconds_bucket{path=\"/\",le=\"1\"} 2\n"
    "req_duration_seconds_bucket{path=\"/\",le=\"+Inf\"} 3\n"
    "req_duration_seconds_sum{path=\"/\"} 4.5625\n"
    "req_duration_seconds_count{path=\"/\"} 3\n"
    "# HELP rpc_seconds RPC.\n"
    "# TYPE rpc_seconds summary\n"
    "rpc_seconds{quantile=\"0.5\"} 2\n"
    "rpc_seconds{quantile=\"0.9\"} 4\n"
    "rpc_seconds_sum 10\n"
    "rpc_seconds_count 4\n"
    "# HELP temp_celsius Temperature.\n"
    "# TYPE temp_celsius gauge\n"
    "temp_celsius 21.5\n"
    "temp_celsius{sensor=\"x\"} 30\n";

static const char golden_om[] =
    "# HELP aaa_collected From a collector.\n"
    "# TYPE aaa_collected gauge\n"
    "aaa_collected 42.0\n"
    "# HELP http_requests Requests.\n"
    "# TYPE http_requests counter\n"
    "http_requests_total{code=\"200\",job=\"api\",method=\"get\"} 5.0\n"
    "http_requests_total{code=\"200\",job=\"api\",method=\"post\"} 2.5\n"
    "http_requests_total{code=\"404\",job=\"api\",method=\"get\"} 1.0\n"
    "http_requests_total{code=\"500\",job=\"api\",method=\"get\\\"x\"} 1.0\n"
    "# HELP legacy_value Untyped.\n"
    "# TYPE legacy_value unknown\n"
    "legacy_value 1e+06\n"
    "# HELP req_duration_seconds Durations.\n"
    "# TYPE req_duration_seconds histogram\n"
    "req_duration_seconds_bucket{path=\"/\",le=\"0.1\"} 1\n"
    "req_duration_seconds_bucket{path=\"/\",le=\"1.0\"} 2\n"
    "req_duration_seconds_bucket{path=\"/\",le=\"+Inf\"} 3\n"
    "req_duration_seconds_sum{path=\"/\"} 4.5625\n"
    "req_duration_seconds_count{path=\"/\"} 3\n"
    "# HELP rpc_seconds RPC.\n"
    "# TYPE rpc_seconds summary\n"
    "rpc_seconds{quantile=\"0.5\"} 2.0\n"
    "rpc_seconds{quantile=\"0.9\"} 4.0\n"
    "rpc_seconds_sum 10.0\n"
    "rpc_seconds_count 4\n"
    "# HELP temp_celsius Temperature.\n"
    "# TYPE temp_celsius gauge\n"
    "temp_celsius 21.5\n"
    "temp_celsius{sensor=\"x\"} 30.0\n"
    "# EOF\n";

static void
check_page(enum lm_format fmt, const char *want)
{
    struct lm_registry *r = page_registry();
    for (int round = 0; round < 2; round++) {   /* the second write uses the cached order */
        struct lm_buf b;
        lm_buf_init(&b, 1 << 20);
        struct lm_err err;
        lm_err_clear(&err);
        ck_assert_int_eq(lm_expo_write(r, fmt, &b, &err), 0);
        ck_assert_msg(err.code == 0, "%s: %s", err.where, err.msg);
        ck_assert_str_eq(lm_buf_cstr(&b), want);
        lm_buf_cleanup(&b);
    }
    lm_registry_free(r);
}

START_TEST(test_golden_text)
{
    check_page(LM_FORMAT_TEXT, golden_text);
}
END_TEST

START_TEST(test_golden_om)
{
    check_page(LM_FORMAT_OPENMETRICS, golden_om);
}
END_TEST

START_TEST(test_new_children_between_writes)
{
    struct lm_registry *r = lm_registry_new();
    const char *ln[] = {"k"};
    struct lm_family *f = lm_gauge_vec_new(r, "g", "", ln, 1, NULL);
    struct lm_metric_opts oc = {.name = "c", .help = "no _total", .type = LM_TYPE_COUNTER};
    lm_counter_inc(lm_family_with(lm_registry_add(r, &oc, NULL), NULL));
    const char *order[] = {"m", "c", "x", "a", "b", "z", "d"};
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    for (size_t i = 0; i < 7; i++) {
        lm_gauge_set(lm_family_withv(f, order[i], NULL), (double)i);
        if (i % 3 == 0) {
            lm_buf_reset(&b);
            lm_expo_write(r, LM_FORMAT_TEXT, &b, NULL);
        }
    }
    lm_buf_reset(&b);
    lm_expo_write(r, LM_FORMAT_TEXT, &b, NULL);
    ck_assert_str_eq(lm_buf_cstr(&b), "# HELP c no _total\n# TYPE c counter\nc 1\n"
                                      "# HELP g \n# TYPE g gauge\n"
                                      "g{k=\"a\"} 3\ng{k=\"b\"} 4\ng{k=\"c\"} 1\ng{k=\"d\"} 6\n"
                                      "g{k=\"m\"} 0\ng{k=\"x\"} 2\ng{k=\"z\"} 5\n");
    lm_buf_reset(&b);
    lm_expo_write(r, LM_FORMAT_OPENMETRICS, &b, NULL);
    ck_assert(strncmp(lm_buf_cstr(&b), "# HELP c no _total\n# TYPE c unknown\nc 1.0\n", 40) == 0);
    lm_buf_cleanup(&b);
    lm_registry_free(r);
}
END_TEST

START_TEST(test_collector_errors)
{
    struct lm_registry *r = lm_registry_new();
    lm_gauge_set(lm_gauge_new(r, "temp_celsius", "Other help.", NULL), 1);
    lm_registry_add_collector(r, "bad", collect_fail, NULL, NULL);
    lm_registry_add_collector(r, "some", collect_some, NULL, NULL);
    ck_assert_int_eq(lm_registry_add_collector(r, "some", collect_some, NULL, NULL), LM_EDUP);
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    struct lm_err err;
    lm_err_clear(&err);
    ck_assert_int_eq(lm_expo_write(r, LM_FORMAT_TEXT, &b, &err), 0);
    ck_assert_int_eq(err.code, LM_EIO);
    ck_assert_str_eq(err.where, "/proc/x");
    /* conflicting help: the collector's family wins the name, the page stays valid */
    ck_assert_ptr_nonnull(strstr(lm_buf_cstr(&b), "aaa_collected 42\n"));
    ck_assert_ptr_nonnull(strstr(lm_buf_cstr(&b), "temp_celsius{sensor=\"x\"} 30\n"));
    lm_buf_cleanup(&b);
    lm_registry_free(r);
}
END_TEST

START_TEST(test_negotiate)
{
    ck_assert_int_eq(lm_expo_negotiate(NULL), LM_FORMAT_TEXT);
    ck_assert_int_eq(lm_expo_negotiate(""), LM_FORMAT_TEXT);
    ck_assert_int_eq(lm_expo_negotiate("*/*"), LM_FORMAT_TEXT);
    ck_assert_int_eq(lm_expo_negotiate("application/openmetrics-text"), LM_FORMAT_OPENMETRICS);
    /* Prometheus 2.x scrape Accept header */
    ck_assert_int_eq(lm_expo_negotiate("application/openmetrics-text;version=1.0.0,"
                                       "application/openmetrics-text;version=0.0.1;q=0.75,"
                                       "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
                     LM_FORMAT_OPENMETRICS);
    ck_assert_int_eq(lm_expo_negotiate("text/plain;version=0.0.4;q=0.9, "
                                       "application/openmetrics-text; version=1.0.0; q=0.5"),
                     LM_FORMAT_TEXT);
    ck_assert_int_eq(lm_expo_negotiate("application/openmetrics-text; version=2.0.0, text/plain"),
                     LM_FORMAT_TEXT);
    ck_assert_int_eq(lm_expo_negotiate("application/vnd.google.protobuf;"
                                       "proto=io.prometheus.client.MetricFamily;"
                                       "encoding=delimited;q=0.7,"
                                       "application/OpenMetrics-Text;q=0.6"),
                     LM_FORMAT_OPENMETRICS);
    ck_assert_int_eq(lm_expo_negotiate("application/openmetrics-text;q=0"), LM_FORMAT_TEXT);
    ck_assert_str_eq(lm_expo_content_type(LM_FORMAT_TEXT),
                     "text/plain; version=0.0.4; charset=utf-8");
    ck_assert_str_eq(lm_expo_content_type(LM_FORMAT_OPENMETRICS),
                     "application/openmetrics-text; version=1.0.0; charset=utf-8");
    ck_assert(lm_expo_gzip_accepted("gzip"));
    ck_assert(lm_expo_gzip_accepted("deflate, gzip;q=1.0, *;q=0.5"));
    ck_assert(lm_expo_gzip_accepted("br,x-gzip"));
    ck_assert(!lm_expo_gzip_accepted("gzip;q=0"));
    ck_assert(!lm_expo_gzip_accepted("identity, *"));
    ck_assert(!lm_expo_gzip_accepted(NULL));
    ck_assert(!lm_expo_gzip_accepted("gzipx"));
}
END_TEST

START_TEST(test_gzip)
{
    struct lm_buf in, out;
    lm_buf_init(&in, 1 << 24);
    lm_buf_init(&out, 1 << 24);
    for (int i = 0; i < 10000; i++)
        lm_buf_printf(&in, "metric_%d{a=\"b\"} %d\n", i % 50, i);
    ck_assert_int_eq(lm_expo_gzip(&in, &out, 1), 0);
    ck_assert_uint_lt(out.len, in.len / 3);
    ck_assert_int_eq((unsigned char)out.data[0], 0x1f);
    ck_assert_int_eq((unsigned char)out.data[1], 0x8b);
    char *back = malloc(in.len + 1);
    z_stream z = {0};
    inflateInit2(&z, 15 + 16);
    z.next_in = (Bytef *)out.data;
    z.avail_in = (uInt)out.len;
    z.next_out = (Bytef *)back;
    z.avail_out = (uInt)in.len + 1;
    ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
    ck_assert_uint_eq(z.total_out, in.len);
    ck_assert(memcmp(back, in.data, in.len) == 0);
    inflateEnd(&z);
    free(back);
    for (long n = 1; n < 50; n++) {   /* OOM inside zlib and in out */
        lm_buf_reset(&out);
        lm_buf_cleanup(&out);
        lm_alloc_fail_after(n);
        int rc = lm_expo_gzip(&in, &out, 6);
        lm_alloc_fail_after(0);
        if (rc == 0)
            break;
        ck_assert_int_eq(rc, LM_ENOMEM);
    }
    lm_buf_cleanup(&in);
    lm_buf_cleanup(&out);
}
END_TEST

START_TEST(test_process_and_build_info)
{
    struct lm_registry *r = lm_registry_new();
    ck_assert_int_eq(lm_process_register(r, NULL), 0);
    ck_assert_int_eq(lm_build_info_register(r, "node_exporter", "1.5.0", "abc", "main", NULL), 0);
    struct lm_err err;
    ck_assert_int_eq(lm_build_info_register(r, "node_exporter", NULL, NULL, NULL, &err), LM_EDUP);
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    lm_err_clear(&err);
    ck_assert_int_eq(lm_expo_write(r, LM_FORMAT_TEXT, &b, &err), 0);
    ck_assert_int_eq(err.code, 0);
    const char *page = lm_buf_cstr(&b);
    const char *want[] = {
        "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
        "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ",
        "# HELP process_max_fds Maximum number of open file descriptors.\n",
        "# HELP process_open_fds Number of open file descriptors.\n",
        "# HELP process_resident_memory_bytes Resident memory size in bytes.\n",
        "# HELP process_start_time_seconds Start time of the process since unix epoch in "
        "seconds.\n",
        "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n",
        "# HELP process_virtual_memory_max_bytes Maximum amount of virtual memory available in "
        "bytes.\n",
        "# HELP node_exporter_build_info A metric with a constant '1' value labeled by version, "
        "revision, branch, goversion from which node_exporter was built, and the goos and goarch "
        "for the build.\n# TYPE node_exporter_build_info gauge\n"
        "node_exporter_build_info{branch=\"main\",goarch=\"",
        "\",goos=\"linux\",goversion=\"",
        "\",revision=\"abc\",version=\"1.5.0\"} 1\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(page, want[i]), "missing: %s\nin:\n%s", want[i], page);
    const char *st = strstr(page, "\nprocess_start_time_seconds ");
    ck_assert(st && strtod(st + 28, NULL) > 1.5e9);
    lm_buf_cleanup(&b);
    struct lm_emit *e = lm_emit_new(LM_FORMAT_TEXT);
    lm_err_clear(&err);
    ck_assert_int_eq(lm_process_collect((void *)"/nonexistent", e, &err), LM_EIO);
    ck_assert_ptr_nonnull(strstr(err.where, "/nonexistent"));
    lm_emit_free(e);
    lm_registry_free(r);
}
END_TEST

START_TEST(test_textfile)
{
    char dir[] = "/tmp/lm_textfile_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/batch.prom", dir);
    struct lm_registry *r = lm_registry_new();
    lm_gauge_set(lm_gauge_new(r, "my_batch_last_success_seconds", "Last success.", NULL), 1.7e9);
    struct lm_err err;
    lm_err_clear(&err);
    ck_assert_int_eq(lm_textfile_write(r, path, &err), 0);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char buf[512];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    ck_assert_str_eq(buf, "# HELP my_batch_last_success_seconds Last success.\n"
                          "# TYPE my_batch_last_success_seconds gauge\n"
                          "my_batch_last_success_seconds 1.7e+09\n");
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0644);
    snprintf(buf, sizeof buf, "%s.tmp.%ld", path, (long)getpid());
    ck_assert_int_ne(access(buf, F_OK), 0);   /* no temp file left */
    snprintf(buf, sizeof buf, "%s/missing/x.prom", dir);
    ck_assert_int_eq(lm_textfile_write(r, buf, &err), LM_EIO);
    ck_assert_ptr_nonnull(strstr(err.where, "missing"));
    unlink(path);
    rmdir(dir);
    lm_registry_free(r);
}
END_TEST

START_TEST(test_oom_write)
{
    for (long n = 1; n < 100000; n++) {
        struct lm_registry *r = page_registry();
        struct lm_buf b;
        lm_buf_init(&b, 1 << 20);
        struct lm_err err;
        lm_err_clear(&err);
        lm_alloc_fail_after(n);
        int rc = lm_expo_write(r, LM_FORMAT_OPENMETRICS, &b, &err);
        lm_alloc_fail_after(0);
        if (rc == 0 && err.code) {   /* soft failure: reported, page still complete */
            ck_assert_int_eq(err.code, LM_ENOMEM);
            ck_assert(strstr(lm_buf_cstr(&b), "# EOF\n"));
        } else if (rc == 0) {
            ck_assert_str_eq(lm_buf_cstr(&b), golden_om);
            lm_buf_cleanup(&b);
            lm_registry_free(r);
            break;
        } else {
            ck_assert_int_eq(rc, LM_ENOMEM);
        }
        lm_buf_cleanup(&b);
        lm_registry_free(r);
    }
}
END_TEST

Suite *expo_suite(void);
Suite *
expo_suite(void)
{
    Suite *s = suite_create("expo");
    TCase *tc = tcase_create("expo");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_golden_text);
    tcase_add_test(tc, test_golden_om);
    tcase_add_test(tc, test_new_children_between_writes);
    tcase_add_test(tc, test_collector_errors);
    tcase_add_test(tc, test_negotiate);
    tcase_add_test(tc, test_gzip);
    tcase_add_test(tc, test_process_and_build_info);
    tcase_add_test(tc, test_textfile);
    tcase_add_test(tc, test_oom_write);
    suite_add_tcase(s, tc);
    return s;
}
