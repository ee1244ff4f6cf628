/* SPDX-License-Identifier: Apache-2.0 */
/* exporter_http.c: the exporter scaffold's serving half: the /metrics handler (collect[]
 * and exclude[] filters, upstream's 400 text, gzip when asked, promhttp counters), the
 * landing page, /-/healthy and the exporter's own routes on lm/http.h, the "Listening on"
 * log lines, and a clean stop on SIGTERM/SIGINT. Rendering itself is in exporter.c. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "exporter_int.h"
#include "lm/alloc.h"
#include "lm/expo.h"
#include "lm/limits.h"
#include "lm/version.h"
#include "lm/webcfg.h"

#define MAX_FILTER 256   /* collect[] / exclude[] values honoured per request */

/* scrape_deadline: Prometheus's X-Prometheus-Scrape-Timeout-Seconds as a CLOCK_MONOTONIC
 * deadline (0 when absent or unparsable). */
static double
scrape_deadline(const struct lm_http_request *req)
{
    const char *h = lm_http_request_header(req, "X-Prometheus-Scrape-Timeout-Seconds");
    if (!h)
        return 0;
    char *end = NULL;
    double t = strtod(h, &end);
    if (end == h || !(t > 0))
        return 0;
    return lm_monotonic() + t;
}

/* query_list: every value of a repeated query argument, at most MAX_FILTER. */
static size_t
query_list(const struct lm_http_request *req, const char *name, const char **out)
{
    size_t n = lm_http_request_query_count(req, name);
    if (n > MAX_FILTER)
        n = MAX_FILTER;
    for (size_t i = 0; i < n; i++)
        out[i] = lm_http_request_query_nth(req, name, i);
    return n;
}

static int
metrics_handler(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct lm_exporter *x = ud;
    atomic_fetch_add(&x->in_flight, 1);
    const char **collect = lm_calloc(2 * MAX_FILTER, sizeof *collect);
    if (!collect) {
        atomic_fetch_sub(&x->in_flight, 1);
        atomic_fetch_add(&x->requests[LMI_CODE_500], 1);
        return LM_ENOMEM;
    }
    const char **exclude = collect + MAX_FILTER;
    struct lm_runner_filter flt = {collect, query_list(req, "collect[]", collect), exclude,
                                   query_list(req, "exclude[]", exclude)};
    if (flt.ncollect || flt.nexclude)
        lm_debug(x->log, "collect query:", "filters",
                 flt.ncollect ? collect[0] : exclude[0], NULL);

    bool gz = lm_expo_gzip_accepted(lm_http_request_header(req, "Accept-Encoding"));
    struct lm_buf plain;
    lm_buf_init(&plain, LM_LIMIT_EXPO_BYTES);
    struct lm_buf *body = lm_http_response_body(resp);
    const char *ct = NULL;
    struct lm_err err;
    lm_err_clear(&err);
    int rc = lm_exporter_render_metrics(x, lm_http_request_header(req, "Accept"), &flt,
                                        scrape_deadline(req), gz ? &plain : body, &ct, &err);
    int code = LMI_CODE_200;
    if (rc == LM_EINVAL) {
        lm_warn(x->log, "Couldn't create filtered metrics handler:", "err", err.msg, NULL);
        char msg[LM_ERR_MSG_MAX + 2];
        snprintf(msg, sizeof msg, "%s\n", err.msg);
        lm_buf_reset(body);
        rc = lm_http_response_text(resp, 400, msg);
        code = -1;
    } else if (rc) {
        char m[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX];
        lm_error(x->log, "error encoding and sending metric family", "err",
                 lm_err_format(&err, m, sizeof m), NULL);
        code = LMI_CODE_500;
    } else {
        rc = lm_http_response_content_type(resp, ct);
        if (!rc && gz) {
            rc = lm_http_response_header(resp, "Content-Encoding", "gzip");
            if (!rc)
                rc = lm_expo_gzip(&plain, body, 0);
        }
        if (rc)
            code = LMI_CODE_500;
    }
    lm_buf_cleanup(&plain);
    lm_free(collect);
    atomic_fetch_sub(&x->in_flight, 1);
    if (code >= 0)
        atomic_fetch_add(&x->requests[code], 1);
    return rc;
}

/* shown_address: the address as Go's listener.Addr() prints it: ":9100" -> "[::]:9100",
 * with the bound port (differs from the flag's when it was 0). */
static void
shown_address(const char *listen, int port, char *out, size_t n)
{
    const char *colon = strrchr(listen, ':');
    size_t hl = colon ? (size_t)(colon - listen) : strlen(listen);
    if (hl == 0)
        snprintf(out, n, "[::]:%d", port);
    else
        snprintf(out, n, "%.*s:%d", (int)hl, listen, port);
}

/* add_routes: /metrics, the landing page, /-/healthy and the exporter's own routes. */
static int
add_routes(struct lm_exporter *x, struct lm_http_server *srv)
{
    const struct lm_exporter_desc *d = x->d;
    struct lm_http_link links[16];
    size_t nlinks = 0;
    int rc = lm_http_route(srv, x->metrics_path, LM_HTTP_LIMITED, metrics_handler, x);
    for (size_t i = 0; !rc && d->routes && d->routes[i].path; i++) {
        const struct lm_exporter_route *r = &d->routes[i];
        rc = lm_http_route(srv, r->path, r->flags, r->handler, d->ud);
        if (r->title && nlinks < sizeof links / sizeof links[0])
            links[nlinks++] = (struct lm_http_link){r->path, r->title, r->description};
    }
    if (!rc)
        rc = lm_http_route_healthy(srv);
    bool own_root = false;   /* the exporter serves "/" itself (blackbox's history) */
    for (size_t i = 0; d->routes && d->routes[i].path; i++)
        own_root = own_root || !strcmp(d->routes[i].path, "/");
    if (!rc && strcmp(x->metrics_path, "/") != 0 && !own_root) {
        struct lm_version v;
        lm_version_get(&v);
        char ver[256];
        snprintf(ver, sizeof ver, "(version=%s, branch=%s, revision=%s)", v.version, v.branch,
                 v.revision);
        struct lm_http_landing lp = {d->title ? d->title : d->prog, d->description, ver,
                                     x->metrics_path, links, nlinks};
        rc = lm_http_route_landing(srv, &lp);
    }
    return rc;
}

int
lmi_exporter_serve(struct lm_exporter *x)
{
    struct lm_err err;
    lm_err_clear(&err);
    char e[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX];
    struct lm_webcfg *wc = NULL;
    const char *wcpath = lm_flags_get(x->flags, "web.config.file");
    if (wcpath && *wcpath && lm_webcfg_load(wcpath, &wc, &err)) {
        lm_error(x->log, "Error loading web config", "err", lm_err_format(&err, e, sizeof e),
                 NULL);
        return 1;
    }
    size_t nlisten = 0;
    const char *const *listen = lm_flags_get_all(x->flags, "web.listen-address", &nlisten);
    struct lm_http_options o;
    lm_http_options_init(&o);
    o.listen = listen;
    o.nlisten = nlisten;
    o.max_requests = (unsigned)x->max_requests;
    o.webcfg = wc;
    o.log = x->log;

    /* Block the stop signals before the server's threads exist, so they inherit the
     * mask and only sigwait below sees them. */
    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, &old);
    signal(SIGPIPE, SIG_IGN);

    int status = 1;
    struct lm_http_server *srv = lm_http_server_new(&o, &err);
    if (!srv || add_routes(x, srv) || lm_http_server_start(srv, &err)) {
        if (!err.code)
            lm_err_set(&err, LM_ENOMEM, NULL, "setting up routes failed");
        lm_error(x->log, "Error starting HTTP server", "err", lm_err_format(&err, e, sizeof e),
                 NULL);
        goto out;
    }
    for (size_t i = 0; i < nlisten; i++) {
        char addr[300];
        shown_address(listen[i], lm_http_server_port(srv, i), addr, sizeof addr);
        lm_info(x->log, "Listening on", "address", addr, NULL);
        if (!wc || !lm_webcfg_tls_enabled(wc))
            lm_info(x->log, "TLS is disabled.", "http2", "false", "address", addr, NULL);
        else
            lm_info(x->log, "TLS is enabled.", "http2", "false", "address", addr, NULL);
    }
    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    lm_info(x->log, "Shutting down", "signal", sig == SIGINT ? "interrupt" : "terminated", NULL);
    lm_http_server_stop(srv);
    status = 0;
out:
    lm_http_server_free(srv);
    lm_webcfg_free(wc);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return status;
}
