/* SPDX-License-Identifier: Apache-2.0 */
/* expo_page.c: writes a representative registry page (every metric type, constant and
 * variable labels, escaping, a collector merged in, process_* and build_info) to stdout
 * in the format named by argv[1] ("text" or "openmetrics"), for
 * tests/integration/libmetrics/promtool.sh. */
#include <stdio.h>
#include <string.h>
#include "lm/expo.h"
#include "lm/process.h"

static int
collect(void *state, struct lm_emit *e, struct lm_err *err)
{
    (void)state;
    (void)err;
    lm_emit_family(e, "demo_collected_temperature_celsius", "Temperature read on scrape.",
                   LM_TYPE_GAUGE);
    lm_emit_samplev(e, 21.5, "sensor", "cpu0", NULL);
    lm_emit_samplev(e, -3.25, "sensor", "outside \"north\"\\wall", NULL);
    return 0;
}

int
main(int argc, char **argv)
{
    enum lm_format fmt = argc > 1 && strcmp(argv[1], "openmetrics") == 0
                             ? LM_FORMAT_OPENMETRICS
                             : LM_FORMAT_TEXT;
    struct lm_err err;
    lm_err_clear(&err);
    struct lm_registry *r = lm_registry_new();
    if (!r)
        return 1;
    const char *ln[] = {"method", "code"};
    struct lm_label cl = {"service", "api"};
    struct lm_metric_opts oc = {.name = "demo_http_requests_total",
                                .help = "Total HTTP requests.\nBy method and code.",
                                .type = LM_TYPE_COUNTER, .label_names = ln, .nlabels = 2,
                                .const_labels = &cl, .nconst = 1};
    struct lm_family *c = lm_registry_add(r, &oc, &err);
    lm_counter_add(lm_family_withv(c, "get", "200", NULL), 1234);
    lm_counter_add(lm_family_withv(c, "post", "500", NULL), 2.5e9);
    lm_gauge_set(lm_gauge_new(r, "demo_queue_length", "Jobs waiting.", &err), 7);
    struct lm_metric_opts ou = {.name = "demo_legacy_ratio", .help = "An untyped value.",
                                .type = LM_TYPE_UNTYPED};
    lm_gauge_set(lm_family_with(lm_registry_add(r, &ou, &err), NULL), 0.000125);
    const char *lp[] = {"handler"};
    struct lm_metric_opts oh = {.name = "demo_request_duration_seconds",
                                .help = "Request latency.", .type = LM_TYPE_HISTOGRAM,
                                .label_names = lp, .nlabels = 1};
    struct lm_family *h = lm_registry_add(r, &oh, &err);
    for (int i = 0; i < 100; i++)
        lm_histogram_observe(lm_family_withv(h, i % 2 ? "/" : "/metrics", NULL), i * 0.07);
    struct lm_quantile q[] = {{0.5, 0.05}, {0.9, 0.01}, {0.99, 0.001}};
    struct lm_metric_opts os = {.name = "demo_rpc_duration_seconds", .help = "RPC latency.",
                                .type = LM_TYPE_SUMMARY, .objectives = q, .nobjectives = 3};
    struct lm_metric *s = lm_family_with(lm_registry_add(r, &os, &err), NULL);
    for (int i = 0; i < 1000; i++)
        lm_summary_observe(s, (i % 97) * 0.001);
    lm_registry_add_collector(r, "demo", collect, NULL, &err);
    lm_process_register(r, &err);
    lm_build_info_register(r, "demo_exporter", NULL, NULL, NULL, &err);
    if (err.code) {
        fprintf(stderr, "expo_page: %s: %s\n", err.where, err.msg);
        return 1;
    }
    struct lm_buf b;
    lm_buf_init(&b, 1 << 24);
    int rc = lm_expo_write(r, fmt, &b, &err);
    if (rc || err.code) {
        fprintf(stderr, "expo_page: %s\n", lm_strerror(rc ? rc : err.code));
        return 1;
    }
    fwrite(b.data, 1, b.len, stdout);
    lm_buf_cleanup(&b);
    lm_registry_free(r);
    return 0;
}
