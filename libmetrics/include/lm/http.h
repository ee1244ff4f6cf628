/* SPDX-License-Identifier: Apache-2.0 */
/* http.h: a small HTTP/1.1 server for exporters and flint (libmetrics' own, over plain
 * sockets; GnuTLS is loaded only when the web config enables TLS or basic auth):
 * exact-path and prefix routes, GET/HEAD (POST and PUT on opt-in, with urlencoded form
 * bodies read as query parameters), 404/405 with Allow,
 * a limit on concurrent requests (--web.max-requests), an idle timeout, and TLS, client
 * certificates, basic auth, extra headers and rate limiting from a web config
 * (lm/webcfg.h). One thread per connection: handlers may block (a scrape); they run
 * concurrently and must be thread-safe. Also the landing page and /-/healthy. */
#ifndef LM_HTTP_H
#define LM_HTTP_H

#include <stddef.h>
#include "lm/buf.h"
#include "lm/err.h"

struct lm_http_server;
struct lm_http_request;
struct lm_http_response;
struct lm_log;
struct lm_webcfg;

#define LM_HTTP_MAX_LISTEN 16           /* listen addresses per server */
#define LM_HTTP_DEFAULT_MAX_REQUESTS 40 /* node_exporter's --web.max-requests default */
#define LM_HTTP_DEFAULT_TIMEOUT_S 120   /* idle connection timeout */

struct lm_http_options {
    const char *const *listen;     /* "host:port", ":port" (all addresses), "[v6]:port";
                                    * port 0 = ephemeral. Borrowed; copied by _new */
    size_t nlisten;                /* entries in listen, 1..LM_HTTP_MAX_LISTEN */
    unsigned max_requests;         /* concurrent requests on LM_HTTP_LIMITED routes;
                                    * past it: 503 at once. 0 = no limit */
    unsigned timeout_s;            /* close connections idle this long; 0 = never */
    const struct lm_webcfg *webcfg;/* borrowed, must outlive the server; NULL = plain
                                    * HTTP without authentication */
    struct lm_log *log;            /* request errors go here (borrowed); NULL = silent */
};

/* lm_http_options_init: defaults (max_requests 40, timeout 120 s, no listen address,
 * no web config, no log). Cannot fail. */
void lm_http_options_init(struct lm_http_options *o);

/* Route flags. */
#define LM_HTTP_ALLOW_POST 0x1  /* POST is allowed too (e.g. /-/reload) */
#define LM_HTTP_LIMITED 0x2     /* counts against max_requests (the metrics route) */
#define LM_HTTP_PREFIX 0x4      /* the path is a prefix: the route serves every request
                                 * path that starts with it (see lm_http_route) */
#define LM_HTTP_ALLOW_PUT 0x8   /* PUT is allowed too (Prometheus's /-/reload and /-/quit) */

/* Largest form body read from a POST or PUT (Go's net/http ParseForm limit, 10 MiB).
 * A larger one is answered 413 without calling the handler. */
#define LM_HTTP_MAX_FORM_BYTES (10UL * 1024 * 1024)

/* A handler fills resp (status 200 and "text/plain; charset=utf-8" unless it says
 * otherwise) and returns 0; a negative LM_E* return discards resp and answers 500 (the
 * error is logged). Called from a connection thread: it must be thread-safe, and req and
 * resp are valid only during the call. HEAD requests run the handler too; the body is
 * dropped and Content-Length kept. */
typedef int lm_http_handler_fn(const struct lm_http_request *req,
                               struct lm_http_response *resp, void *ud);

/* lm_http_server_new: a stopped server. Listen addresses are checked for syntax here
 * (LM_EINVAL with the address in err->where), resolved and bound by _start. The web
 * config's basic auth cache is set up here. NULL on error, with err set. */
struct lm_http_server *lm_http_server_new(const struct lm_http_options *opts,
                                          struct lm_err *err);

/* lm_http_route: serve path (copied) with handler(ud). Without LM_HTTP_PREFIX the
 * request path must equal path ("/metrics"); with it, the route serves every request
 * path that starts with path byte for byte ("/api/v1/label/" serves
 * "/api/v1/label/job/values"; the handler reads the rest from lm_http_request_path).
 * Choice: an exact route whose path equals the request path wins; otherwise the prefix
 * route with the longest matching path; otherwise 404. The same path may be registered
 * once as exact and once as prefix. Only before _start. 0, LM_EINVAL (bad path, after
 * start, or the same path with the same kind already routed), or LM_ENOMEM. */
int lm_http_route(struct lm_http_server *srv, const char *path, unsigned flags,
                  lm_http_handler_fn *handler, void *ud);

/* lm_http_route_healthy: /-/healthy answering 200 "Healthy" (as blackbox_exporter). */
int lm_http_route_healthy(struct lm_http_server *srv);

/* A link on the landing page. */
struct lm_http_link {
    const char *address;      /* href */
    const char *text;         /* link text */
    const char *description;  /* text after the link, or NULL */
};

/* The landing page, like exporter-toolkit's: name as title and header, an optional
 * description and version, a "Metrics" link to telemetry_path, then extra links. All
 * text is HTML-escaped. */
struct lm_http_landing {
    const char *name;                  /* e.g. "Node Exporter" */
    const char *description;           /* e.g. "Prometheus Node Exporter", or NULL */
    const char *version;               /* or NULL */
    const char *telemetry_path;        /* e.g. "/metrics" */
    const struct lm_http_link *links;  /* extra links, or NULL */
    size_t nlinks;                     /* entries in links */
};

/* lm_http_landing_page: render the page into out (appended). 0 or out's sticky error. */
int lm_http_landing_page(struct lm_buf *out, const struct lm_http_landing *lp);

/* lm_http_route_landing: render the page once and serve it at "/" as text/html. */
int lm_http_route_landing(struct lm_http_server *srv, const struct lm_http_landing *lp);

/* lm_http_server_start: bind every listen address and start serving. 0, or LM_EINVAL
 * (unresolvable address), LM_EIO (bind/listen failed, e.g. address in use; the address
 * is in err->where), LM_ECONFIG (TLS setup failed) or LM_ENOMEM; on failure nothing is
 * left listening. */
int lm_http_server_start(struct lm_http_server *srv, struct lm_err *err);

/* lm_http_server_port: the bound port of listen address i after _start (useful with
 * port 0), or -1. */
int lm_http_server_port(const struct lm_http_server *srv, size_t i);

/* lm_http_server_stop: close the listeners and wait for requests in flight. Idempotent;
 * the server cannot be started again. */
void lm_http_server_stop(struct lm_http_server *srv);

/* lm_http_server_free: stop if needed and free. Accepts NULL. */
void lm_http_server_free(struct lm_http_server *srv);

/* Request views, valid during the handler call. */
const char *lm_http_request_method(const struct lm_http_request *req);  /* "GET", ... */
const char *lm_http_request_path(const struct lm_http_request *req);    /* decoded path */
/* A request header, case-insensitive; NULL when absent. */
const char *lm_http_request_header(const struct lm_http_request *req, const char *name);
/* Query parameters (decoded). _query: the first value of name, "" when given without
 * a value, NULL when absent. _query_count / _query_nth: repeated parameters in order
 * (collect[]=a&collect[]=b); _nth returns NULL when i is out of range.
 * Form bodies: on a POST or PUT whose Content-Type is application/x-www-form-urlencoded
 * (parameters after ';' ignored, case-insensitive), the body is read (at most
 * LM_HTTP_MAX_FORM_BYTES), decoded as a query string ('+' is a space, %XX a byte, a
 * malformed escape is kept literally, pairs split on '&') and its parameters come
 * first, then the URL's, as in Go's Request.Form: _query returns the body's value when
 * both have one, and _count/_nth see body values then URL values. Other bodies are read
 * and dropped. */
const char *lm_http_request_query(const struct lm_http_request *req, const char *name);
size_t lm_http_request_query_count(const struct lm_http_request *req, const char *name);
const char *lm_http_request_query_nth(const struct lm_http_request *req, const char *name,
                                      size_t i);
/* The basic-auth user that was accepted, or NULL when auth is off. */
const char *lm_http_request_user(const struct lm_http_request *req);

/* Response setters. The body is an lm_buf owned by the response (cap
 * LM_LIMIT_EXPO_BYTES unless lm_http_response_body_limit changes it): append to it;
 * when the handler returns, it is written to the connection and freed with lm_free. A
 * failed (sticky) body buffer turns into a 500. */
void lm_http_response_status(struct lm_http_response *resp, int status);
/* Copies ct. 0 or LM_ENOMEM. */
int lm_http_response_content_type(struct lm_http_response *resp, const char *ct);
/* Adds a header (name and value copied; no CR/LF allowed). 0, LM_EINVAL or LM_ENOMEM. */
int lm_http_response_header(struct lm_http_response *resp, const char *name,
                            const char *value);
struct lm_buf *lm_http_response_body(struct lm_http_response *resp);
/* lm_http_response_body_limit: set the body's cap to max bytes, e.g. above
 * LM_LIMIT_EXPO_BYTES for API answers and /federate. Applies to appends made after the
 * call; if the body already holds more than max, the cap becomes its length. A cap
 * lowered after the first append is not enforced for appends that fit the memory
 * already allocated: lower it before appending. */
void lm_http_response_body_limit(struct lm_http_response *resp, size_t max);
/* Status, "text/plain; charset=utf-8" and text as the body. 0 or an LM_E* code. */
int lm_http_response_text(struct lm_http_response *resp, int status, const char *text);

#endif
