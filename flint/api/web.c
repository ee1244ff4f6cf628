/* SPDX-License-Identifier: Apache-2.0 */
/* web.c: the api object and the non-API pages: the landing page, /-/healthy, /-/ready,
 * /-/reload and /-/quit (POST or PUT, only with --web.enable-lifecycle, as Prometheus),
 * and /metrics (flint's own registry, text or OpenMetrics, gzip when asked). Texts and
 * status codes are Prometheus 2.42's. */
#include <stdio.h>
#include <string.h>

#include "flint/api/api_int.h"
#include "lm/alloc.h"
#include "lm/expo.h"
#include "lm/limits.h"
#include "lm/log.h"

struct api *
api_new(const struct api_opts *o)
{
    struct api *a = lm_calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->db = o->db;
    a->engine = o->engine;
    a->reg = o->reg;
    a->log = o->log;
    a->be = *o->be;
    a->flags = o->flags;
    a->nflags = o->nflags;
    a->lifecycle = o->enable_lifecycle;
    a->admin = o->enable_admin;
    a->lookback_ms = o->lookback_ms > 0 ? o->lookback_ms : API_DEFAULT_LOOKBACK_MS;
    a->start_ms = o->start_time_ms;
    a->external_url = lm_strdup(o->external_url ? o->external_url : "");
    a->retention = lm_strdup(o->storage_retention ? o->storage_retention : "");
    a->data_dir = lm_strdup(o->data_dir ? o->data_dir : "data/");
    if (!a->external_url || !a->retention || !a->data_dir) {
        api_free(a);
        return NULL;
    }
    return a;
}

void
api_free(struct api *a)
{
    if (!a)
        return;
    lm_free(a->external_url);
    lm_free(a->data_dir);
    lm_free(a->retention);
    lm_free(a);
}

static int
h_healthy(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    return lm_http_response_text(resp, 200, "Prometheus Server is Healthy.\n");
}

static int
h_ready(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct api *a = ud;
    if (!a->be.ready(a->be.ud))
        return lm_http_response_text(resp, 503, "Service Unavailable\n");
    return lm_http_response_text(resp, 200, "Prometheus Server is Ready.\n");
}

/* lifecycle_refused: answer what Prometheus answers to GET or without the flag. */
static bool
lifecycle_refused(struct api *a, const struct lm_http_request *req,
                  struct lm_http_response *resp)
{
    const char *m = lm_http_request_method(req);
    if (strcmp(m, "POST") && strcmp(m, "PUT")) {
        lm_http_response_text(resp, 405, "Only POST or PUT requests allowed");
        return true;
    }
    if (!a->lifecycle) {
        lm_http_response_text(resp, 403, "Lifecycle API is not enabled.");
        return true;
    }
    return false;
}

static int
h_reload(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct api *a = ud;
    struct lm_err err = {0};
    if (lifecycle_refused(a, req, resp))
        return 0;
    if (!a->be.reload(a->be.ud, &err))
        return lm_http_response_text(resp, 200, "");
    char m[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX + 64];
    char e[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX];
    snprintf(m, sizeof m, "failed to reload config: %s\n", lm_err_format(&err, e, sizeof e));
    return lm_http_response_text(resp, 500, m);
}

static int
h_quit(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct api *a = ud;
    if (lifecycle_refused(a, req, resp))
        return 0;
    a->be.quit(a->be.ud);
    return lm_http_response_text(resp, 200, "Requesting termination... Goodbye!");
}

static int
h_metrics(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct api *a = ud;
    enum lm_format fmt = lm_expo_negotiate(lm_http_request_header(req, "Accept"));
    bool gz = lm_expo_gzip_accepted(lm_http_request_header(req, "Accept-Encoding"));
    struct lm_buf plain;
    struct lm_buf *body = lm_http_response_body(resp);
    struct lm_err err = {0};
    lm_buf_init(&plain, LM_LIMIT_EXPO_BYTES);
    int rc = lm_expo_write(a->reg, fmt, gz ? &plain : body, &err);
    if (err.code) {
        char m[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX];
        lm_error(a->log, "error gathering metrics", "err", lm_err_format(&err, m, sizeof m),
                 NULL);
    }
    if (!rc)
        rc = lm_http_response_content_type(resp, lm_expo_content_type(fmt));
    if (!rc && gz) {
        rc = lm_http_response_header(resp, "Content-Encoding", "gzip");
        if (!rc)
            rc = lm_expo_gzip(&plain, body, 0);
    }
    lm_buf_cleanup(&plain);
    return rc;
}

int
api_web_register(struct api *a, struct lm_http_server *srv)
{
    static const struct lm_http_link links[] = {
        {"/api/v1/targets", "Targets", "scrape targets and their health"},
        {"/api/v1/status/config", "Configuration", NULL},
        {"/api/v1/status/flags", "Flags", NULL},
        {"/api/v1/status/runtimeinfo", "Runtime information", NULL},
        {"/api/v1/status/buildinfo", "Build information", NULL},
        {"/api/v1/status/tsdb", "TSDB status", NULL},
        {"/federate?match[]=up", "Federation", "the latest sample of each selected series"},
        {"/-/healthy", "Health", NULL},
        {"/-/ready", "Readiness", NULL},
    };
    struct lm_http_landing lp = {
        .name = "Flint",
        .description = "A Prometheus-compatible monitoring server",
        .telemetry_path = "/metrics",
        .links = links,
        .nlinks = sizeof links / sizeof links[0],
    };
    int rc = lm_http_route_landing(srv, &lp);
    if (!rc)
        rc = lm_http_route(srv, "/-/healthy", 0, h_healthy, a);
    if (!rc)
        rc = lm_http_route(srv, "/-/ready", 0, h_ready, a);
    if (!rc)
        rc = lm_http_route(srv, "/-/reload", LM_HTTP_ALLOW_POST | LM_HTTP_ALLOW_PUT, h_reload, a);
    if (!rc)
        rc = lm_http_route(srv, "/-/quit", LM_HTTP_ALLOW_POST | LM_HTTP_ALLOW_PUT, h_quit, a);
    if (!rc && a->reg)
        rc = lm_http_route(srv, "/metrics", 0, h_metrics, a);
    return rc;
}

int
api_register(struct api *a, struct lm_http_server *srv)
{
    int rc = api_web_register(a, srv);
    if (!rc)
        rc = api_series_register(a, srv);
    if (!rc)
        rc = api_targets_register(a, srv);
    if (!rc)
        rc = api_status_register(a, srv);
    if (!rc)
        rc = api_federate_register(a, srv);
    if (!rc && a->engine)
        rc = api_query_register(a, srv);
    if (!rc)
        rc = api_admin_register(a, srv);
    return rc;
}
