/* SPDX-License-Identifier: Apache-2.0 */
/* status.c: /api/v1/status/{config,flags,runtimeinfo,buildinfo,tsdb} in Prometheus
 * 2.42's shapes. config is the YAML text as loaded (not re-marshalled); runtimeinfo's
 * Go-only fields get their nearest C meaning (goroutineCount: threads, GOMAXPROCS:
 * online CPUs, GOGC/GODEBUG: ""). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flint/api/api_int.h"
#include "flint/tsdb/tsdb.h"
#include "lm/alloc.h"
#include "lm/version.h"

static int
h_config(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct api *a = ud;
    const struct cfg *c = a->be.config_get(a->be.ud);
    struct lm_buf *b = api_reply_begin(resp);
    lm_buf_puts(b, "{\"yaml\":");
    api_json_strn(b, c && c->raw ? c->raw : "", c && c->raw ? c->raw_len : 0);
    lm_buf_putc(b, '}');
    if (c)
        a->be.config_put(a->be.ud, c);
    return api_reply_end(resp);
}

static int
cmp_flag(const void *x, const void *y)
{
    return strcmp(((const struct api_flag *)x)->name, ((const struct api_flag *)y)->name);
}

static int
h_flags(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct api *a = ud;
    struct api_flag *v = lm_malloc((a->nflags ? a->nflags : 1) * sizeof *v);
    if (!v)
        return LM_ENOMEM;
    memcpy(v, a->flags, a->nflags * sizeof *v);
    qsort(v, a->nflags, sizeof *v, cmp_flag);
    struct lm_buf *b = api_reply_begin(resp);
    lm_buf_putc(b, '{');
    for (size_t i = 0; i < a->nflags; i++) {
        if (i)
            lm_buf_putc(b, ',');
        api_json_str(b, v[i].name);
        lm_buf_putc(b, ':');
        api_json_str(b, v[i].value ? v[i].value : "");
    }
    lm_buf_putc(b, '}');
    lm_free(v);
    return api_reply_end(resp);
}

/* threads: this process's thread count from /proc/self/stat (field 20), 0 if unknown. */
static long
threads(void)
{
    char buf[1024];
    FILE *f = fopen("/proc/self/stat", "re");
    long n = 0;
    if (!f)
        return 0;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    const char *p = strrchr(buf, ')');
    for (int field = 2; p && *p && field < 20; p++)
        if (*p == ' ')
            field++;
    if (p)
        n = strtol(p, NULL, 10);
    return n;
}

static int
h_runtimeinfo(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct api *a = ud;
    struct api_runtime rt = {0};
    char cwd[4096];
    a->be.runtime(a->be.ud, &rt);
    if (!getcwd(cwd, sizeof cwd))
        cwd[0] = '\0';
    struct lm_buf *b = api_reply_begin(resp);
    lm_buf_puts(b, "{\"startTime\":");
    api_json_time(b, a->start_ms);
    lm_buf_puts(b, ",\"CWD\":");
    api_json_str(b, cwd);
    lm_buf_printf(b, ",\"reloadConfigSuccess\":%s,\"lastConfigTime\":",
                  rt.reload_success ? "true" : "false");
    api_json_time(b, rt.last_config_ms);
    lm_buf_printf(b, ",\"corruptionCount\":0,\"goroutineCount\":%ld,\"GOMAXPROCS\":%ld,"
                     "\"GOGC\":\"\",\"GODEBUG\":\"\",\"storageRetention\":",
                  threads(), sysconf(_SC_NPROCESSORS_ONLN));
    api_json_str(b, a->retention);
    lm_buf_putc(b, '}');
    return api_reply_end(resp);
}

static int
h_buildinfo(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct lm_version v;
    lm_version_get(&v);
    struct lm_buf *b = api_reply_begin(resp);
    lm_buf_puts(b, "{\"version\":");
    api_json_str(b, v.version);
    lm_buf_puts(b, ",\"revision\":");
    api_json_str(b, v.revision);
    lm_buf_puts(b, ",\"branch\":");
    api_json_str(b, v.branch);
    lm_buf_puts(b, ",\"buildUser\":");
    api_json_str(b, v.build_user);
    lm_buf_puts(b, ",\"buildDate\":");
    api_json_str(b, v.build_date);
    lm_buf_puts(b, ",\"goVersion\":");
    api_json_str(b, v.compiler);
    lm_buf_putc(b, '}');
    return api_reply_end(resp);
}

static void
stat_list(struct lm_buf *b, const char *key, const struct tsdb_stat_entry *v, size_t n)
{
    lm_buf_printf(b, ",\"%s\":[", key);
    for (size_t i = 0; i < n; i++) {
        lm_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
        api_json_str(b, v[i].name ? v[i].name : "");
        lm_buf_printf(b, ",\"value\":%" PRIu64 "}", v[i].value);
    }
    lm_buf_putc(b, ']');
}

static int
h_tsdb(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct api *a = ud;
    struct tsdb_stats st;
    memset(&st, 0, sizeof st);
    if (tsdb_stats(a->db, &st))
        return api_reply_error(resp, API_ERR_INTERNAL, "out of memory");
    uint64_t pairs = 0;
    for (size_t i = 0; i < st.n_label_value_counts; i++)
        pairs += st.label_value_counts[i].value;
    struct lm_buf *b = api_reply_begin(resp);
    lm_buf_printf(b, "{\"headStats\":{\"numSeries\":%" PRIu64 ",\"numLabelPairs\":%" PRIu64
                     ",\"chunkCount\":%" PRIu64 ",\"minTime\":%" PRId64 ",\"maxTime\":%" PRId64
                     "}",
                  st.head_series, pairs, st.head_chunks, st.head_min_time, st.head_max_time);
    stat_list(b, "seriesCountByMetricName", st.series_by_metric, st.n_series_by_metric);
    stat_list(b, "labelValueCountByLabelName", st.label_value_counts, st.n_label_value_counts);
    stat_list(b, "memoryInBytesByLabelName", st.memory_by_label, st.n_memory_by_label);
    stat_list(b, "seriesCountByLabelValuePair", st.series_by_label_pair,
              st.n_series_by_label_pair);
    lm_buf_putc(b, '}');
    tsdb_stats_free(&st);
    return api_reply_end(resp);
}

int
api_status_register(struct api *a, struct lm_http_server *srv)
{
    static const struct {
        const char *path;
        lm_http_handler_fn *fn;
    } routes[] = {
        {"/api/v1/status/config", h_config},
        {"/api/v1/status/flags", h_flags},
        {"/api/v1/status/runtimeinfo", h_runtimeinfo},
        {"/api/v1/status/buildinfo", h_buildinfo},
        {"/api/v1/status/tsdb", h_tsdb},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        int rc = lm_http_route(srv, routes[i].path, 0, routes[i].fn, a);
        if (rc)
            return rc;
    }
    return 0;
}
