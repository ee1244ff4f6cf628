/* SPDX-License-Identifier: Apache-2.0 */
/* fetch.c: GET of a status page (proto/fetch.h). Plain http:// (over TCP or a unix
 * socket) goes through the small client in proto/httpc.c, one connection per request,
 * following redirects itself; https:// and proxies taken from the environment go to
 * libcurl (fetch_curl.c), which is loaded only then. Does not judge HTTP statuses or
 * bodies: callers do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "proto/fetch.h"
#include "proto/fetch_int.h"
#include "proto/httpc.h"
#include "proto/sock.h"

#define DEFAULT_UA "lm-fetch/1.0"

struct proto_fetch {
    void *curl;                    /* libcurl easy handle, created on the first https GET */
};

struct proto_fetch *
proto_fetch_new(void)
{
    return lm_calloc(1, sizeof(struct proto_fetch));
}

void
proto_fetch_free(struct proto_fetch *f)
{
    if (!f)
        return;
    proto_fetch_curl_free(f->curl);
    lm_free(f);
}

void
proto_fetch_resp_init(struct proto_fetch_resp *r)
{
    memset(r, 0, sizeof *r);
    lm_buf_init(&r->body, PROTO_FETCH_MAX_BODY);
}

void
proto_fetch_resp_cleanup(struct proto_fetch_resp *r)
{
    lm_buf_cleanup(&r->body);
    proto_fetch_resp_init(r);
}

const char *
proto_fetch_redact(const char *url, char *out, size_t n)
{
    return proto_url_redact(url, out, n);
}

/* monotonic_now: CLOCK_MONOTONIC in seconds. */
static double
monotonic_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* time_limit_ms: the earlier of timeout and deadline, in ms; 0 none, -1 already past. */
static long
time_limit_ms(const struct proto_fetch_req *req)
{
    double limit = req->timeout > 0 ? req->timeout : 0;
    if (req->deadline > 0) {
        double left = req->deadline - monotonic_now();
        if (left <= 0)
            return -1;
        if (limit == 0 || left < limit)
            limit = left;
    }
    if (limit == 0)
        return 0;
    long ms = (long)(limit * 1000.0);
    return ms > 0 ? ms : 1;
}

/* env_proxy: a proxy is set in the environment for scheme ("http"/"https"). no_proxy is
 * left to libcurl, which then gets the request. */
static int
env_proxy(const char *scheme)
{
    const char *names[] = {!strcmp(scheme, "https") ? "https_proxy" : "http_proxy",
                           !strcmp(scheme, "https") ? "HTTPS_PROXY" : "HTTP_PROXY",
                           "all_proxy", "ALL_PROXY"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        if (v && *v)
            return 1;
    }
    return 0;
}

/* resolve: the Location loc against the URL base into out (n bytes). 0 or -1. */
static int
resolve(const char *base, const char *loc, char *out, size_t n)
{
    int w;
    if (strstr(loc, "://")) {
        w = snprintf(out, n, "%s", loc);
    } else if (loc[0] == '/' && loc[1] == '/') {
        w = snprintf(out, n, "%.*s:%s", (int)strcspn(base, ":"), base, loc);
    } else {
        const char *auth = strstr(base, "://");
        if (!auth)
            return -1;
        auth += 3;
        size_t alen = strcspn(auth, "/?#");
        size_t keep = (size_t)(auth - base) + alen;
        if (loc[0] != '/') {  /* relative to the base's directory */
            const char *path = auth + alen, *q = path + strcspn(path, "?#");
            const char *slash = path;
            for (const char *p = path; p < q; p++)
                if (*p == '/')
                    slash = p + 1;
            keep = (size_t)(slash - base);
            if (slash == path) {
                w = snprintf(out, n, "%.*s/%s", (int)keep, base, loc);
                return w < 0 || (size_t)w >= n ? -1 : 0;
            }
        }
        w = snprintf(out, n, "%.*s%s", (int)keep, base, loc);
    }
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

/* get_plain: one GET of u over a new connection (TCP, or req->unix_socket). */
static int
get_plain(const struct proto_fetch_req *req, const struct proto_url *u, double deadline,
          struct proto_fetch_resp *r, const char *where, struct lm_err *err)
{
    int fd = req->unix_socket && *req->unix_socket
                 ? proto_sock_connect_unix(req->unix_socket, deadline, err)
                 : proto_sock_connect_tcp(u->host, u->port, deadline, err);
    if (fd < 0) {
        snprintf(err->where, sizeof err->where, "%s", where);
        return err->code;
    }
    struct proto_httpc_req hr = {
        .method = "GET",
        .target = u->target,
        .host = req->host && *req->host ? req->host : u->hostport,
        .user = u->has_user ? u->user : NULL,
        .pass = u->pass,
        .user_agent = req->user_agent && *req->user_agent ? req->user_agent : DEFAULT_UA,
    };
    struct proto_httpc_resp hresp = {.body = &r->body};
    lm_buf_reset(&r->body);
    int rc = proto_httpc_exchange(fd, &hr, &hresp, deadline, where, err);
    close(fd);
    r->status = hresp.status;
    snprintf(r->content_type, sizeof r->content_type, "%s", hresp.content_type);
    snprintf(r->location, sizeof r->location, "%s", hresp.location);
    return rc;
}

int
proto_fetch_get(struct proto_fetch *f, const struct proto_fetch_req *req,
                struct proto_fetch_resp *r, struct lm_err *err)
{
    char where[LM_ERR_WHERE_MAX];
    proto_fetch_redact(req->url ? req->url : "", where, sizeof where);
    lm_buf_reset(&r->body);
    r->body.max = req->max_body ? req->max_body : PROTO_FETCH_MAX_BODY;
    r->status = 0;
    r->redirects = 0;
    r->content_type[0] = r->final_url[0] = r->location[0] = '\0';
    if (!req->url || !*req->url)
        return lm_err_set(err, LM_EINVAL, where, "empty URL");
    long ms = time_limit_ms(req);
    if (ms < 0)
        return lm_err_set(err, LM_ETIMEOUT, where, "deadline passed before the request");
    double deadline = ms ? monotonic_now() + (double)ms / 1000.0 : monotonic_now() + 86400.0;
    char *url = lm_malloc(PROTO_FETCH_URL_MAX * 2);
    struct proto_url *u = lm_malloc(sizeof *u);
    int rc = 0;
    if (!url || !u) {
        rc = lm_err_set(err, LM_ENOMEM, where, "out of memory");
        goto out;
    }
    snprintf(url, PROTO_FETCH_URL_MAX * 2, "%s", req->url);
    for (;;) {
        rc = proto_url_parse(url, u, err);
        if (rc) {
            snprintf(err->where, sizeof err->where, "%s", where);
            break;
        }
        if (!strcmp(u->scheme, "https") || (req->proxy_from_env && env_proxy(u->scheme))) {
            struct proto_fetch_req cr = *req;
            cr.url = url;
            unsigned before = r->redirects;
            ms = time_limit_ms(&(struct proto_fetch_req){.deadline = deadline});
            rc = ms < 0 ? lm_err_set(err, LM_ETIMEOUT, where, "timed out")
                        : proto_fetch_curl_get(&f->curl, &cr, ms, r, where, err);
            r->redirects += before;
            break;
        }
        proto_url_redact(url, r->final_url, sizeof r->final_url);
        rc = get_plain(req, u, deadline, r, where, err);
        if (rc || r->status < 300 || r->status >= 400 || !r->location[0])
            break;
        char *next = lm_malloc(PROTO_FETCH_URL_MAX * 2);
        if (!next) {
            rc = lm_err_set(err, LM_ENOMEM, where, "out of memory");
            break;
        }
        int bad = resolve(url, r->location, next, PROTO_FETCH_URL_MAX * 2);
        if (!bad)
            proto_url_redact(next, r->location, sizeof r->location);
        if (bad || !req->follow_redirects) {
            lm_free(next);
            break;
        }
        if (r->redirects >= PROTO_FETCH_MAX_REDIRECTS) {
            lm_free(next);
            rc = lm_err_set(err, LM_EIO, where, "stopped after %d redirects",
                            PROTO_FETCH_MAX_REDIRECTS);
            break;
        }
        r->redirects++;
        r->location[0] = '\0';
        lm_free(url);
        url = next;
    }
out:
    if (u)
        explicit_bzero(u, sizeof *u);
    lm_free(u);
    lm_free(url);
    return rc;
}
