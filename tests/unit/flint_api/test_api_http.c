/* SPDX-License-Identifier: Apache-2.0 */
/* test_api_http.c: flint's API served by lm_http on 127.0.0.1:0 over a real TSDB in a
 * temporary directory and a fake server backend; libcurl as the client. Checks the exact
 * JSON of /series, /labels, /label/<name>/values (GET and POST forms), /targets (with
 * the state filter and globalUrl), the status endpoints, /federate (external labels,
 * stale series left out), the lifecycle endpoints with and without the flag, /-/ready
 * and /metrics. */
#include <check.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "flint/api/api.h"
#include "flint/promql/engine.h"
#include "flint/tsdb/tsdb.h"
#include "lm/alloc.h"
#include "lm/http.h"
#include "lm/registry.h"

Suite *api_http_suite(void);

static char dir[64];
static struct tsdb *db;
static struct cfg *conf;
static struct lm_registry *reg;
static struct api *api;
static struct pql_engine *engine;
static struct lm_http_server *srv;
static char base[64];
static int reloads, quits, config_refs;
static int64_t now;

static const struct cfg *
fake_config_get(void *ud)
{
    config_refs++;
    return conf;
}

static void
fake_config_put(void *ud, const struct cfg *c)
{
    ck_assert_ptr_eq(c, conf);
    config_refs--;
}

/* fake_targets: one active target of pool "node" on localhost, one dropped. */
static int
fake_targets(void *ud, struct scr_target_info **act, size_t *nact, struct api_dropped **dr,
             size_t *ndr)
{
    struct scr_target_info *t = lm_calloc(1, sizeof *t);
    struct api_dropped *d = lm_calloc(1, sizeof *d);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(d);
    t->pool = lm_strdup("node");
    lbl_set_add(&t->labels, "instance", "localhost:9100");
    lbl_set_add(&t->labels, "job", "node");
    lbl_set_add(&t->discovered, "__address__", "localhost:9100");
    lbl_set_add(&t->discovered, "job", "node");
    t->scrape_url = lm_strdup("http://localhost:9100/metrics");
    t->last_error = lm_strdup("");
    t->last_scrape_ms = 1435781451781;
    t->last_duration_s = 0.0125;
    t->health = SCR_HEALTH_UP;
    t->interval_ms = 15000;
    t->timeout_ms = 10000;
    d->pool = lm_strdup("node");
    lbl_set_add(&d->discovered, "__address__", "drop:1");
    *act = t;
    *nact = 1;
    *dr = d;
    *ndr = 1;
    return 0;
}

static int
fake_reload(void *ud, struct lm_err *err)
{
    reloads++;
    if (reloads > 1)
        return lm_err_set(err, LM_ECONFIG, "flint.yml:3:5", "field foo not found");
    return 0;
}

static bool
fake_ready(void *ud)
{
    return true;
}

static void
fake_quit(void *ud)
{
    quits++;
}

static void
fake_runtime(void *ud, struct api_runtime *rt)
{
    rt->reload_success = true;
    rt->last_config_ms = 1435781451000;
}

static const struct api_backend backend = {
    NULL, fake_config_get, fake_config_put, fake_targets, fake_reload, fake_ready, fake_quit,
    fake_runtime,
};

static const struct api_flag flags[] = {
    {"web.listen-address", "127.0.0.1:0"},
    {"config.file", "flint.yml"},
};

/* add: one sample of the series given as name, then label pairs. */
static void
add(int64_t t, double v, const char *name, const char *k1, const char *v1, const char *k2,
    const char *v2)
{
    struct lbl_set ls = {0};
    struct lm_err err = {0};
    lbl_set_add(&ls, LBL_METRIC_NAME, name);
    if (k1)
        lbl_set_add(&ls, k1, v1);
    if (k2)
        lbl_set_add(&ls, k2, v2);
    struct tsdb_app *a = tsdb_appender(db);
    ck_assert_int_eq(tsdb_app_add(a, &ls, t, v, NULL), 0);
    ck_assert_int_eq(tsdb_app_commit(a, &err), 0);
    lbl_set_free(&ls);
}

static void
start(bool lifecycle)
{
    static const char *const listen[] = {"127.0.0.1:0"};
    static const char yml[] = "global:\n  external_labels:\n    site: eu\n    job: ext\n"
                              "scrape_configs:\n  - job_name: node\n";
    struct lm_err err = {0};
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    now = (int64_t)ts.tv_sec * 1000;
    snprintf(dir, sizeof dir, "/tmp/flint_api_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    struct tsdb_opts to = {.dir = dir};
    db = tsdb_open(&to, &err);
    ck_assert_msg(db != NULL, "%s", err.msg);
    add(now - 20000, 1, "up", "job", "node", "instance", "a:1");
    add(now - 10000, 0, "up", "job", "node", "instance", "a:1");
    add(now - 10000, 1, "up", "job", "flint", "instance", "b:2");
    add(now - 10000, 7.5, "node_load1", "job", "node", "instance", "a:1");
    add(now - 20000, 3, "gone", "job", "node", NULL, NULL);
    add(now - 10000, tsdb_stale_nan(), "gone", "job", "node", NULL, NULL);
    add(now - 10000, 2, "quoted", "path", "C:\\x \"y\"", NULL, NULL);
    conf = cfg_load_string("flint.yml", yml, sizeof yml - 1, NULL, &err);
    ck_assert_msg(conf != NULL, "%s", err.msg);
    reg = lm_registry_new();
    ck_assert_ptr_nonnull(lm_gauge_new(reg, "flint_test_gauge", "A test gauge.", &err));
    engine = pql_engine_new(NULL);
    ck_assert_ptr_nonnull(engine);
    struct api_opts o = {.db = db, .reg = reg, .engine = engine, .be = &backend, .flags = flags, .nflags = 2,
                         .enable_lifecycle = lifecycle,
                         .external_url = "http://flint.example:9090/",
                         .storage_retention = "15d", .start_time_ms = 1435781451000};
    api = api_new(&o);
    ck_assert_ptr_nonnull(api);
    struct lm_http_options ho;
    lm_http_options_init(&ho);
    ho.listen = listen;
    ho.nlisten = 1;
    srv = lm_http_server_new(&ho, &err);
    ck_assert_ptr_nonnull(srv);
    ck_assert_int_eq(api_register(api, srv), 0);
    ck_assert_int_eq(lm_http_server_start(srv, &err), 0);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", lm_http_server_port(srv, 0));
    reloads = quits = config_refs = 0;
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void
start_lifecycle(void)
{
    start(true);
}

static void
start_plain(void)
{
    start(false);
}

static void
stop(void)
{
    char cmd[128];
    lm_http_server_free(srv);
    api_free(api);
    pql_engine_free(engine);
    lm_registry_free(reg);
    cfg_free(conf);
    tsdb_close(db);
    ck_assert_int_eq(config_refs, 0);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* One exchange. */
struct ex {
    long status;          /* HTTP status */
    char body[16384];     /* body, NUL-terminated (truncated) */
    size_t len;           /* bytes kept */
    char ctype[128];      /* Content-Type */
};

static size_t
on_body(char *p, size_t sz, size_t n, void *ud)
{
    struct ex *e = ud;
    size_t k = sz * n, room = sizeof e->body - 1 - e->len;
    memcpy(e->body + e->len, p, k < room ? k : room);
    e->len += k < room ? k : room;
    e->body[e->len] = '\0';
    return k;
}

/* req: method NULL = GET; form = POST body (urlencoded), else NULL. */
static void
req(struct ex *e, const char *method, const char *path, const char *form)
{
    char url[512];
    char *ct = NULL;
    memset(e, 0, sizeof *e);
    snprintf(url, sizeof url, "%s%s", base, path);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, e);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    if (form)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
    if (method)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &e->status);
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    snprintf(e->ctype, sizeof e->ctype, "%s", ct ? ct : "");
    curl_easy_cleanup(c);
}

/* expect: status and exact body. */
static void
expect(const char *method, const char *path, const char *form, long status, const char *body)
{
    struct ex e;
    req(&e, method, path, form);
    ck_assert_msg(e.status == status, "%s: status %ld: %s", path, e.status, e.body);
    ck_assert_msg(!strcmp(e.body, body), "%s:\n got  %s\n want %s", path, e.body, body);
}

#define OK(data) "{\"status\":\"success\",\"data\":" data "}"
#define BAD(msg) "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"" msg "\"}"

START_TEST(series)
{
    expect(NULL, "/api/v1/series?match[]=up", NULL, 200,
           OK("[{\"__name__\":\"up\",\"instance\":\"a:1\",\"job\":\"node\"},"
              "{\"__name__\":\"up\",\"instance\":\"b:2\",\"job\":\"flint\"}]"));
    expect(NULL, "/api/v1/series?match[]=up%7Bjob%3D%22flint%22%7D&match[]=node_load1"
                 "&match[]=up%7Binstance%3D%22b%3A2%22%7D", NULL, 200,
           OK("[{\"__name__\":\"node_load1\",\"instance\":\"a:1\",\"job\":\"node\"},"
              "{\"__name__\":\"up\",\"instance\":\"b:2\",\"job\":\"flint\"}]"));
    expect("POST", "/api/v1/series", "match[]=quoted", 200,
           OK("[{\"__name__\":\"quoted\",\"path\":\"C:\\\\x \\\"y\\\"\"}]"));
    expect(NULL, "/api/v1/series?match[]=nothing", NULL, 200, OK("[]"));
    expect(NULL, "/api/v1/series?match[]=up&end=1", NULL, 200, OK("[]"));
    expect(NULL, "/api/v1/series", NULL, 400, BAD("no match[] parameter provided"));
    expect(NULL, "/api/v1/series?match[]=up&start=x", NULL, 400,
           BAD("invalid parameter \\\"start\\\": Invalid time value for 'start': cannot parse "
               "\\\"x\\\" to a valid timestamp"));
    expect(NULL, "/api/v1/series?match[]=%7Ba%3D%22%22%7D", NULL, 400,
           BAD("invalid parameter \\\"match[]\\\": match[] must contain at least one non-empty "
               "matcher"));
    expect(NULL, "/api/v1/series?match[]=up%7B", NULL, 400,
           BAD("invalid parameter \\\"match[]\\\": 1:4: parse error: unexpected end of input "
               "inside braces"));
    struct ex e;
    req(&e, NULL, "/api/v1/series?match[]=up", NULL);
    ck_assert_str_eq(e.ctype, "application/json");
}
END_TEST

START_TEST(labels)
{
    expect(NULL, "/api/v1/labels", NULL, 200,
           OK("[\"__name__\",\"instance\",\"job\",\"path\"]"));
    expect(NULL, "/api/v1/labels?match[]=quoted&match[]=node_load1", NULL, 200,
           OK("[\"__name__\",\"instance\",\"job\",\"path\"]"));
    expect(NULL, "/api/v1/labels?match[]=quoted", NULL, 200, OK("[\"__name__\",\"path\"]"));
    expect(NULL, "/api/v1/label/job/values", NULL, 200, OK("[\"flint\",\"node\"]"));
    expect(NULL, "/api/v1/label/__name__/values?match[]=%7Bjob%3D%22node%22%7D", NULL, 200,
           OK("[\"gone\",\"node_load1\",\"up\"]"));
    expect("POST", "/api/v1/labels", "match[]=up&start=0", 200,
           OK("[\"__name__\",\"instance\",\"job\"]"));
    expect(NULL, "/api/v1/label/nope/values", NULL, 200, OK("[]"));
    expect(NULL, "/api/v1/label/1x/values", NULL, 400, BAD("invalid label name: \\\"1x\\\""));
    expect(NULL, "/api/v1/label/job/other", NULL, 404, "404 page not found\n");
    expect(NULL, "/api/v1/label//values", NULL, 404, "404 page not found\n");
}
END_TEST

START_TEST(targets)
{
    static const char active[] =
        "{\"discoveredLabels\":{\"__address__\":\"localhost:9100\",\"job\":\"node\"},"
        "\"labels\":{\"instance\":\"localhost:9100\",\"job\":\"node\"},\"scrapePool\":\"node\","
        "\"scrapeUrl\":\"http://localhost:9100/metrics\","
        "\"globalUrl\":\"http://flint.example:9100/metrics\",\"lastError\":\"\","
        "\"lastScrape\":\"2015-07-01T20:10:51.781Z\",\"lastScrapeDuration\":0.0125,"
        "\"health\":\"up\",\"scrapeInterval\":\"15s\",\"scrapeTimeout\":\"10s\"}";
    static const char dropped[] = "{\"discoveredLabels\":{\"__address__\":\"drop:1\"}}";
    char want[2048];
    snprintf(want, sizeof want, OK("{\"activeTargets\":[%s],\"droppedTargets\":[%s]}"), active,
             dropped);
    expect(NULL, "/api/v1/targets", NULL, 200, want);
    expect(NULL, "/api/v1/targets?state=Any", NULL, 200, want);
    snprintf(want, sizeof want, OK("{\"activeTargets\":[%s],\"droppedTargets\":[]}"), active);
    expect(NULL, "/api/v1/targets?state=active", NULL, 200, want);
    snprintf(want, sizeof want, OK("{\"activeTargets\":[],\"droppedTargets\":[%s]}"), dropped);
    expect(NULL, "/api/v1/targets?state=dropped", NULL, 200, want);
    expect(NULL, "/api/v1/targets?state=other", NULL, 200,
           OK("{\"activeTargets\":[],\"droppedTargets\":[]}"));
}
END_TEST

START_TEST(status)
{
    struct ex e;
    req(&e, NULL, "/api/v1/status/config", NULL);
    ck_assert_int_eq(e.status, 200);
    ck_assert_str_eq(e.body, OK("{\"yaml\":\"global:\\n  external_labels:\\n    site: eu\\n"
                                "    job: ext\\nscrape_configs:\\n  - job_name: node\\n\"}"));
    expect(NULL, "/api/v1/status/flags", NULL, 200,
           OK("{\"config.file\":\"flint.yml\",\"web.listen-address\":\"127.0.0.1:0\"}"));
    req(&e, NULL, "/api/v1/status/runtimeinfo", NULL);
    ck_assert_int_eq(e.status, 200);
    ck_assert_ptr_nonnull(strstr(e.body, "{\"startTime\":\"2015-07-01T20:10:51Z\",\"CWD\":\""));
    ck_assert_ptr_nonnull(strstr(e.body, "\"reloadConfigSuccess\":true,\"lastConfigTime\":"
                                         "\"2015-07-01T20:10:51Z\",\"corruptionCount\":0,"
                                         "\"goroutineCount\":"));
    ck_assert_ptr_nonnull(strstr(e.body, "\"GOGC\":\"\",\"GODEBUG\":\"\","
                                         "\"storageRetention\":\"15d\"}}"));
    req(&e, NULL, "/api/v1/status/buildinfo", NULL);
    ck_assert_int_eq(strncmp(e.body, "{\"status\":\"success\",\"data\":{\"version\":\"", 39), 0);
    static const char *keys[] = {"\"revision\":", "\"branch\":", "\"buildUser\":",
                                 "\"buildDate\":", "\"goVersion\":"};
    for (size_t i = 0; i < 5; i++)
        ck_assert_ptr_nonnull(strstr(e.body, keys[i]));
    req(&e, NULL, "/api/v1/status/tsdb", NULL);
    ck_assert_int_eq(e.status, 200);
    ck_assert_msg(strstr(e.body, "{\"headStats\":{\"numSeries\":5,\"numLabelPairs\":9,") != NULL, "%s", e.body);
    static const char *lists[] = {"\"seriesCountByMetricName\":[{\"name\":\"up\",\"value\":2}",
                                  "\"labelValueCountByLabelName\":[",
                                  "\"memoryInBytesByLabelName\":[",
                                  "\"seriesCountByLabelValuePair\":["};
    for (size_t i = 0; i < 4; i++)
        ck_assert_msg(strstr(e.body, lists[i]) != NULL, "%s in %s", lists[i], e.body);
}
END_TEST

START_TEST(federate)
{
    struct ex e;
    char want[1024];
    req(&e, NULL, "/federate?match[]=up&match[]=gone&match[]=quoted&match[]=up%7Bjob%3D%22node%22%7D",
        NULL);
    ck_assert_int_eq(e.status, 200);
    ck_assert_str_eq(e.ctype, "text/plain; version=0.0.4; charset=utf-8");
    snprintf(want, sizeof want,
             "# TYPE quoted untyped\n"
             "quoted{path=\"C:\\\\x \\\"y\\\"\",job=\"ext\",site=\"eu\"} 2 %lld\n"
             "# TYPE up untyped\n"
             "up{instance=\"a:1\",job=\"node\",site=\"eu\"} 0 %lld\n"
             "up{instance=\"b:2\",job=\"flint\",site=\"eu\"} 1 %lld\n",
             (long long)now - 10000, (long long)now - 10000, (long long)now - 10000);
    ck_assert_str_eq(e.body, want);
    req(&e, NULL, "/federate", NULL);
    ck_assert_int_eq(e.status, 200);
    ck_assert_str_eq(e.body, "");
    req(&e, NULL, "/federate?match[]=up%7B", NULL);
    ck_assert_int_eq(e.status, 400);
    ck_assert_str_eq(e.body, "1:4: parse error: unexpected end of input inside braces\n");
}
END_TEST

START_TEST(query)
{
    char path[256], want[512];
    snprintf(path, sizeof path, "/api/v1/query?query=node_load1&time=%lld", (long long)now / 1000);
    snprintf(want, sizeof want,
             OK("{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":"
                "\"node_load1\",\"instance\":\"a:1\",\"job\":\"node\"},\"value\":[%lld,"
                "\"7.5\"]}]}"), (long long)now / 1000);
    expect(NULL, path, NULL, 200, want);
    snprintf(path, sizeof path, "query=node_load1&time=%lld", (long long)now / 1000);
    expect("POST", "/api/v1/query", path, 200, want);
    expect(NULL, "/api/v1/query?query=1%2B1&time=10", NULL, 200,
           OK("{\"resultType\":\"scalar\",\"result\":[10,\"2\"]}"));
    expect(NULL, "/api/v1/query?query=up%7B", NULL, 400,
           BAD("invalid parameter \\\"query\\\": 1:4: parse error: unexpected end of input "
               "inside braces"));
    expect(NULL, "/api/v1/query?query=up&timeout=x", NULL, 400,
           BAD("invalid parameter \\\"timeout\\\": cannot parse \\\"x\\\" to a valid "
               "duration"));
    expect(NULL, "/api/v1/query_range?query=up&start=10&end=5&step=1", NULL, 400,
           BAD("invalid parameter \\\"end\\\": end timestamp must not be before start time"));
    expect(NULL, "/api/v1/query_range?query=up&start=0&end=5&step=0", NULL, 400,
           BAD("invalid parameter \\\"step\\\": zero or negative query resolution step "
               "widths are not accepted. Try a positive integer"));
    expect(NULL, "/api/v1/query_range?query=up&start=0&end=100000&step=1", NULL, 400,
           BAD("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing "
               "the query resolution (?step=XX)"));
    expect(NULL, "/api/v1/query_range?query=up&start=0&end=2&step=1", NULL, 200,
           OK("{\"resultType\":\"matrix\",\"result\":[]}"));
    expect(NULL, "/api/v1/format_query?query=sum(rate(x%5B5m%5D))by(job)", NULL, 200,
           OK("\"sum by (job) (rate(x[5m]))\""));
    expect(NULL, "/api/v1/metadata", NULL, 200, OK("{}"));
    expect(NULL, "/api/v1/query_exemplars?query=up", NULL, 200, OK("[]"));
}
END_TEST

START_TEST(lifecycle_on)
{
    expect("POST", "/-/reload", NULL, 200, "");
    ck_assert_int_eq(reloads, 1);
    expect("PUT", "/-/reload", NULL, 500,
           "failed to reload config: flint.yml:3:5: field foo not found\n");
    ck_assert_int_eq(reloads, 2);
    expect(NULL, "/-/reload", NULL, 405, "Only POST or PUT requests allowed");
    ck_assert_int_eq(reloads, 2);
    expect("PUT", "/-/quit", NULL, 200, "Requesting termination... Goodbye!");
    ck_assert_int_eq(quits, 1);
    expect(NULL, "/-/healthy", NULL, 200, "Prometheus Server is Healthy.\n");
    expect(NULL, "/-/ready", NULL, 200, "Prometheus Server is Ready.\n");
    struct ex e;
    req(&e, NULL, "/metrics", NULL);
    ck_assert_int_eq(e.status, 200);
    ck_assert_ptr_nonnull(strstr(e.body, "\nflint_test_gauge 0\n"));
    req(&e, NULL, "/", NULL);
    ck_assert_int_eq(e.status, 200);
    ck_assert_ptr_nonnull(strstr(e.body, "href=\"/api/v1/targets\""));
}
END_TEST

START_TEST(lifecycle_off)
{
    expect("POST", "/-/reload", NULL, 403, "Lifecycle API is not enabled.");
    expect("PUT", "/-/quit", NULL, 403, "Lifecycle API is not enabled.");
    expect(NULL, "/-/quit", NULL, 405, "Only POST or PUT requests allowed");
    ck_assert_int_eq(reloads, 0);
    ck_assert_int_eq(quits, 0);
}
END_TEST

Suite *
api_http_suite(void)
{
    Suite *s = suite_create("api_http");
    TCase *tc = tcase_create("endpoints");
    tcase_add_checked_fixture(tc, start_lifecycle, stop);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, series);
    tcase_add_test(tc, labels);
    tcase_add_test(tc, targets);
    tcase_add_test(tc, status);
    tcase_add_test(tc, federate);
    tcase_add_test(tc, query);
    tcase_add_test(tc, lifecycle_on);
    suite_add_tcase(s, tc);
    TCase *off = tcase_create("lifecycle_off");
    tcase_add_checked_fixture(off, start_plain, stop);
    tcase_add_test(off, lifecycle_off);
    suite_add_tcase(s, off);
    return s;
}
