/* SPDX-License-Identifier: Apache-2.0 */
/* http.c: the HTTP server: listen sockets (bound here, served by the connection layer of
 * http_conn.c: an accept thread each, reused connection threads), the request dispatcher
 * (client certificate, rate limit, basic auth, route, method, concurrency limit, handler)
 * and the request/response views handed to handlers. Authentication details are in
 * http_auth.c, TLS sessions in http_tls.c, pages in http_page.c, form body decoding in
 * http_form.c. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/http.h"
#include "lm/limits.h"
#include "lm/log.h"
#include "http_conn.h"
#include "http_int.h"
#include "webcfg_int.h"

#define TEXT_PLAIN "text/plain; charset=utf-8"
#define MAX_RESP_HEADERS_BYTES (16 * 1024)  /* extra headers of one response */

struct route {
    char *path;                 /* exact path or prefix (LM_HTTP_PREFIX), owned */
    unsigned flags;             /* LM_HTTP_* route flags */
    lm_http_handler_fn *fn;     /* handler */
    void *ud;                   /* handler's argument */
    void (*free_ud)(void *);    /* frees ud with the server, or NULL (borrowed ud) */
};

struct listener {
    char *addr;                 /* as given, owned */
    char *host;                 /* host part, owned; "" = all addresses */
    char *port;                 /* port part, owned */
    int bound_port;             /* after start; -1 before */
    int on;                     /* being served */
};

struct lm_http_server {
    struct listener ls[LM_HTTP_MAX_LISTEN];  /* listen addresses */
    size_t nls;                              /* entries in ls */
    struct route *routes;                    /* registered routes */
    size_t nroutes;                          /* entries in routes */
    unsigned max_requests;                   /* limit on LM_HTTP_LIMITED routes; 0 = none */
    unsigned timeout_s;                      /* idle connection timeout */
    const struct lm_webcfg *wc;              /* web config (borrowed) or NULL */
    struct lm_log *log;                      /* request log (borrowed) or NULL */
    struct lmi_auth *auth;                   /* basic auth, or NULL when no users */
    struct lmi_rate rate;                    /* rate limiter when rate_on */
    int rate_on;                             /* rate_limit configured */
    atomic_uint inflight;                    /* requests in LM_HTTP_LIMITED handlers */
    int started;                             /* _start succeeded once */
    struct lmi_conns *conns;                 /* the connection layer after _start */
};

struct lm_http_request {
    const struct lmi_req *raw;    /* the parsed request (headers, URL query) */
    const char *method;           /* request method */
    const char *path;             /* decoded path */
    const char *user;             /* accepted basic-auth user, or NULL */
    const struct lmi_form *form;  /* decoded form body (maybe empty) */
};

struct lm_http_response {
    int status;                   /* HTTP status */
    char *ctype;                  /* Content-Type, owned, or NULL for text/plain */
    struct lm_buf headers;        /* extra headers: "name\0value\0" pairs */
    struct lm_buf body;           /* the body */
};

void
lm_http_options_init(struct lm_http_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_requests = LM_HTTP_DEFAULT_MAX_REQUESTS;
    o->timeout_s = LM_HTTP_DEFAULT_TIMEOUT_S;
}

/* split_addr: "host:port", ":port" or "[v6]:port" into l->host and l->port. */
static int
split_addr(struct listener *l, struct lm_err *err)
{
    const char *a = l->addr, *colon, *hs, *he;
    if (a[0] == '[') {
        hs = a + 1;
        he = strchr(a, ']');
        if (!he || he[1] != ':')
            return lm_err_set(err, LM_EINVAL, a, "invalid listen address: missing port");
        colon = he + 1;
    } else {
        colon = strrchr(a, ':');
        if (!colon)
            return lm_err_set(err, LM_EINVAL, a, "invalid listen address: missing port");
        if (memchr(a, ':', (size_t)(colon - a)))
            return lm_err_set(err, LM_EINVAL, a, "invalid listen address: too many colons");
        hs = a;
        he = colon;
    }
    if (!colon[1] || memchr(hs, '/', (size_t)(he - hs)))
        return lm_err_set(err, LM_EINVAL, a, "invalid listen address");
    l->host = lm_strndup(hs, (size_t)(he - hs));
    l->port = lm_strdup(colon + 1);
    if (!l->host || !l->port)
        return lm_err_set(err, LM_ENOMEM, a, "out of memory");
    return 0;
}

struct lm_http_server *
lm_http_server_new(const struct lm_http_options *opts, struct lm_err *err)
{
    if (!opts || !opts->nlisten || opts->nlisten > LM_HTTP_MAX_LISTEN || !opts->listen) {
        lm_err_set(err, LM_EINVAL, NULL, "between 1 and %d listen addresses are needed",
                   LM_HTTP_MAX_LISTEN);
        return NULL;
    }
    struct lm_http_server *srv = lm_calloc(1, sizeof *srv);
    if (!srv) {
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        return NULL;
    }
    srv->max_requests = opts->max_requests;
    srv->timeout_s = opts->timeout_s;
    srv->wc = opts->webcfg;
    srv->log = opts->log;
    atomic_init(&srv->inflight, 0);
    for (size_t i = 0; i < opts->nlisten; i++) {
        struct listener *l = &srv->ls[srv->nls++];
        l->bound_port = -1;
        if (!opts->listen[i]) {
            lm_err_set(err, LM_EINVAL, NULL, "NULL listen address");
            goto fail;
        }
        if (!(l->addr = lm_strdup(opts->listen[i]))) {
            lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
            goto fail;
        }
        if (split_addr(l, err))
            goto fail;
    }
    if (srv->wc && srv->wc->nusers && !(srv->auth = lmi_auth_new(srv->wc))) {
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        goto fail;
    }
    if (srv->wc && srv->wc->rate_interval_ns > 0) {
        lmi_rate_init(&srv->rate, srv->wc->rate_interval_ns, srv->wc->rate_burst);
        srv->rate_on = 1;
    }
    return srv;
fail:
    lm_http_server_free(srv);
    return NULL;
}

int
lm_http_route(struct lm_http_server *srv, const char *path, unsigned flags,
              lm_http_handler_fn *handler, void *ud)
{
    return lmi_http_route_owned(srv, path, flags, handler, ud, NULL);
}

int
lmi_http_route_owned(struct lm_http_server *srv, const char *path, unsigned flags,
                     lm_http_handler_fn *handler, void *ud, void (*free_ud)(void *))
{
    int rc = 0;
    struct route *r = NULL;
    if (srv->started || !path || path[0] != '/' || !handler)
        rc = LM_EINVAL;
    for (size_t i = 0; !rc && i < srv->nroutes; i++)
        if (!strcmp(srv->routes[i].path, path) &&
            !((srv->routes[i].flags ^ flags) & LM_HTTP_PREFIX))
            rc = LM_EINVAL;
    if (!rc && !(r = lm_realloc(srv->routes, (srv->nroutes + 1) * sizeof *r)))
        rc = LM_ENOMEM;
    if (!rc) {
        srv->routes = r;
        r += srv->nroutes;
        if (!(r->path = lm_strdup(path)))
            rc = LM_ENOMEM;
    }
    if (rc) {
        if (free_ud)
            free_ud(ud);
        return rc;
    }
    r->flags = flags;
    r->fn = handler;
    r->ud = ud;
    r->free_ud = free_ud;
    srv->nroutes++;
    return 0;
}

/* bind_one: a listening, non-blocking socket for l; the fd or -1 with err set. */
static int
bind_one(struct listener *l, struct lm_err *err)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res, *ai;
    const char *host = l->host[0] ? l->host : NULL;
    int fd = -1, e = 0;
    hints.ai_family = host ? AF_UNSPEC : AF_INET6;  /* ":port": dual-stack when possible */
    int g = getaddrinfo(host, l->port, &hints, &res);
    if (g && !host) {
        hints.ai_family = AF_INET;
        g = getaddrinfo(NULL, l->port, &hints, &res);
    }
    if (g) {
        lm_err_set(err, LM_EINVAL, l->addr, "cannot resolve listen address: %s", gai_strerror(g));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0 && !host && ai->ai_family == AF_INET6) {
            /* no IPv6 on this host: all IPv4 addresses instead */
            struct sockaddr_in sin = {.sin_family = AF_INET};
            sin.sin_port = ((struct sockaddr_in6 *)ai->ai_addr)->sin6_port;
            fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
            int one = 1;
            if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
                            bind(fd, (struct sockaddr *)&sin, sizeof sin) ||
                            listen(fd, SOMAXCONN))) {
                e = errno;
                close(fd);
                fd = -1;
            }
            if (fd >= 0)
                break;
            continue;
        }
        if (fd < 0) {
            e = errno;
            continue;
        }
        int one = 1, zero = 0;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (ai->ai_family == AF_INET6 && !host)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
        if (!bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, SOMAXCONN))
            break;
        e = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        lm_err_set(err, LM_EIO, l->addr, "cannot listen: %s", strerror(e ? e : EADDRNOTAVAIL));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    l->bound_port = -1;
    if (!getsockname(fd, (struct sockaddr *)&ss, &sl))
        l->bound_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                       : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

/* resp_text: replace resp with a plain-text error page, as Go's http.Error writes it. */
static void
resp_text(struct lm_http_response *resp, int status, const char *text)
{
    lm_buf_reset(&resp->headers);
    lm_http_response_text(resp, status, text);
    lm_http_response_header(resp, "X-Content-Type-Options", "nosniff");
}

static void
resp_init(struct lm_http_response *resp)
{
    resp->status = 200;
    resp->ctype = NULL;
    lm_buf_init(&resp->headers, MAX_RESP_HEADERS_BYTES);
    lm_buf_init(&resp->body, LM_LIMIT_EXPO_BYTES);
}

static void
resp_cleanup(struct lm_http_response *resp)
{
    lm_free(resp->ctype);
    lm_buf_cleanup(&resp->headers);
    lm_buf_cleanup(&resp->body);
}

/* answer: write resp on connection c. 0, or -1 when the write failed. */
static int
answer(struct lmi_conn *c, struct lm_http_response *resp)
{
    struct lmi_answer a = {
        .status = resp->status,
        .ctype = resp->ctype ? resp->ctype : TEXT_PLAIN,
        .headers = &resp->headers,
        .body = resp->body.data ? resp->body.data : "",
        .len = resp->body.len,
    };
    return lmi_conn_send(c, &a);
}

static const struct route *
find_route(const struct lm_http_server *srv, const char *path)
{
    const struct route *best = NULL;
    size_t bestlen = 0;
    for (size_t i = 0; i < srv->nroutes; i++) {
        const struct route *r = &srv->routes[i];
        if (!(r->flags & LM_HTTP_PREFIX)) {
            if (!strcmp(r->path, path))
                return r;
            continue;
        }
        size_t n = strlen(r->path);
        if ((!best || n > bestlen) && !strncmp(r->path, path, n)) {
            best = r;
            bestlen = n;
        }
    }
    return best;
}

/* allow_header: the Allow value of a route. */
static const char *
allow_header(unsigned flags)
{
    switch (flags & (LM_HTTP_ALLOW_POST | LM_HTTP_ALLOW_PUT)) {
    case LM_HTTP_ALLOW_POST:
        return "GET, HEAD, POST";
    case LM_HTTP_ALLOW_PUT:
        return "GET, HEAD, PUT";
    case LM_HTTP_ALLOW_POST | LM_HTTP_ALLOW_PUT:
        return "GET, HEAD, POST, PUT";
    default:
        return "GET, HEAD";
    }
}

/* serve_route: method check, concurrency limit and the handler, into resp. */
static void
serve_route(struct lm_http_server *srv, const struct route *rt, struct lm_http_request *req,
            struct lm_http_response *resp)
{
    const char *m = req->method;
    int post = (rt->flags & LM_HTTP_ALLOW_POST) != 0;
    int put = (rt->flags & LM_HTTP_ALLOW_PUT) != 0;
    if (strcmp(m, "GET") && strcmp(m, "HEAD") && !(post && !strcmp(m, "POST")) &&
        !(put && !strcmp(m, "PUT"))) {
        resp_text(resp, 405, "Method Not Allowed\n");
        lm_http_response_header(resp, "Allow", allow_header(rt->flags));
        return;
    }
    int limited = (rt->flags & LM_HTTP_LIMITED) && srv->max_requests;
    if (limited && atomic_fetch_add(&srv->inflight, 1) >= srv->max_requests) {
        atomic_fetch_sub(&srv->inflight, 1);
        char msg[128];
        snprintf(msg, sizeof msg, "Limit of concurrent requests reached (%u), try again later.\n",
                 srv->max_requests);
        resp_text(resp, 503, msg);
        return;
    }
    int rc = rt->fn(req, resp, rt->ud);
    if (limited)
        atomic_fetch_sub(&srv->inflight, 1);
    if (rc < 0 || resp->body.err || resp->headers.err) {
        int code = rc < 0 ? rc : resp->body.err ? resp->body.err : resp->headers.err;
        lm_error(srv->log, "error serving request", "path", req->path, "err", lm_strerror(code),
                 NULL);
        lm_buf_cleanup(&resp->body);
        resp_text(resp, 500, "Internal Server Error\n");
    }
}

/* b64val: one base64 digit's value, or -1. */
static int
b64val(int ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* basic_auth: the user and password of an "Authorization: Basic ..." value, decoded into
 * a new string "user\0pass" (*user points at it; lm_free it). 0, or -1 when absent or
 * malformed (no colon, bad base64). */
static int
basic_auth(const char *h, char **user, const char **pass)
{
    *user = NULL;
    if (!h || strncasecmp(h, "Basic ", 6))
        return -1;
    h += 6;
    h += strspn(h, " ");
    size_t n = strlen(h), o = 0;
    char *out = lm_malloc(n + 1);
    if (!out)
        return -1;
    unsigned acc = 0;
    int bits = 0;
    size_t i = 0;
    for (; i < n && h[i] != '='; i++) {
        int v = b64val((unsigned char)h[i]);
        if (v < 0)
            break;
        acc = (acc << 6) | (unsigned)v;
        if ((bits += 6) >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    while (i < n && h[i] == '=')
        i++;
    out[o] = '\0';
    char *colon = i == n ? memchr(out, ':', o) : NULL;
    if (!colon || memchr(out, '\0', o)) {
        explicit_bzero(out, o);
        lm_free(out);
        return -1;
    }
    *colon = '\0';
    *user = out;
    *pass = colon + 1;
    return 0;
}

/* dispatch: one complete request (lmi_dispatch_fn). -1 closes the connection without an
 * answer. */
static int
dispatch(void *ud, struct lmi_conn *c, const struct lmi_req *raw)
{
    struct lm_http_server *srv = ud;
    const char *url = raw->path;
    struct lmi_form decoded = {0};
    struct lm_http_request req = {.raw = raw, .method = raw->method, .path = url,
                                  .form = &decoded};
    struct lm_http_response resp;
    char *creds = NULL;
    const char *pass = NULL;
    if (srv->wc && srv->wc->tls && srv->wc->client_auth != LM_TLS_NO_CLIENT_CERT) {
        char why[160];
        if (lmi_tls_check(srv->wc, raw->tls, why, sizeof why)) {
            lm_warn(srv->log, "TLS client refused", "path", url, "err", why, NULL);
            return -1;
        }
    }
    resp_init(&resp);
    if (srv->rate_on && !lmi_rate_allow(&srv->rate)) {
        resp_text(&resp, 429, "Too Many Requests\n");
        goto send;
    }
    if (srv->auth) {
        if (basic_auth(lmi_req_header(raw, "Authorization"), &creds, &pass) ||
            !lmi_auth_check(srv->auth, creds, pass)) {
            resp_text(&resp, 401, "Unauthorized\n");
            lm_http_response_header(&resp, "WWW-Authenticate", "Basic");
            goto send;
        }
        req.user = creds;
    }
    const struct route *rt = find_route(srv, url);
    if (!rt) {
        resp_text(&resp, 404, "404 page not found\n");
    } else if (raw->toobig) {
        resp_text(&resp, 413, "http: POST too large\n");
    } else if (raw->form && raw->body.len &&
               lmi_form_decode(&decoded, raw->body.data, raw->body.len)) {
        resp_text(&resp, 500, "Internal Server Error\n");
    } else {
        serve_route(srv, rt, &req, &resp);
    }
send:;
    int ret = answer(c, &resp);
    resp_cleanup(&resp);
    lmi_form_free(&decoded);
    if (creds) {
        explicit_bzero(creds, strlen(creds) + (pass ? strlen(pass) + 1 : 0));
        lm_free(creds);
    }
    return ret;
}

/* start_one: bind l and serve it. */
static int
start_one(struct lm_http_server *srv, struct listener *l, struct lm_err *err)
{
    int fd = bind_one(l, err);
    if (fd < 0)
        return err ? err->code : LM_EIO;
    int rc = lmi_conns_listen(srv->conns, fd, l->addr, err);  /* takes fd */
    if (rc) {
        l->bound_port = -1;
        return rc;
    }
    l->on = 1;
    return 0;
}

int
lm_http_server_start(struct lm_http_server *srv, struct lm_err *err)
{
    if (srv->started)
        return lm_err_set(err, LM_EINVAL, NULL, "HTTP server already started");
    if (!srv->conns) {
        struct lmi_conn_opts co = {.timeout_s = srv->timeout_s, .wc = srv->wc, .log = srv->log,
                                   .dispatch = dispatch, .ud = srv};
        if (!(srv->conns = lmi_conns_new(&co, err))) {
            int code = err && err->code ? err->code : LM_ECONFIG;
            if (err && srv->nls && !err->where[0])
                snprintf(err->where, sizeof err->where, "%s", srv->ls[0].addr);
            return code;
        }
    }
    for (size_t i = 0; i < srv->nls; i++) {
        int rc = start_one(srv, &srv->ls[i], err);
        if (rc) {
            lm_http_server_stop(srv);
            return rc;
        }
    }
    srv->started = 1;
    return 0;
}

int
lm_http_server_port(const struct lm_http_server *srv, size_t i)
{
    return i < srv->nls && srv->ls[i].on ? srv->ls[i].bound_port : -1;
}

void
lm_http_server_stop(struct lm_http_server *srv)
{
    lmi_conns_stop(srv->conns);  /* closes the listeners, waits for connections */
    for (size_t i = 0; i < srv->nls; i++)
        srv->ls[i].on = 0;
}

void
lm_http_server_free(struct lm_http_server *srv)
{
    if (!srv)
        return;
    lm_http_server_stop(srv);
    lmi_conns_free(srv->conns);
    for (size_t i = 0; i < srv->nls; i++) {
        lm_free(srv->ls[i].addr);
        lm_free(srv->ls[i].host);
        lm_free(srv->ls[i].port);
    }
    for (size_t i = 0; i < srv->nroutes; i++) {
        lm_free(srv->routes[i].path);
        if (srv->routes[i].free_ud)
            srv->routes[i].free_ud(srv->routes[i].ud);
    }
    lm_free(srv->routes);
    lmi_auth_free(srv->auth);
    if (srv->rate_on)
        lmi_rate_cleanup(&srv->rate);
    lm_free(srv);
}

const char *
lm_http_request_method(const struct lm_http_request *req)
{
    return req->method;
}

const char *
lm_http_request_path(const struct lm_http_request *req)
{
    return req->path;
}

const char *
lm_http_request_user(const struct lm_http_request *req)
{
    return req->user;
}

const char *
lm_http_request_header(const struct lm_http_request *req, const char *name)
{
    return lmi_req_header(req->raw, name);
}

/* Form values come first (Go's Request.Form order), then the URL's. */
const char *
lm_http_request_query_nth(const struct lm_http_request *req, const char *name, size_t i)
{
    size_t seen = 0;
    const char *v = req->form ? lmi_form_find(req->form, name, i, &seen) : NULL;
    return v ? v : lmi_form_find(&req->raw->query, name, i, &seen);
}

const char *
lm_http_request_query(const struct lm_http_request *req, const char *name)
{
    return lm_http_request_query_nth(req, name, 0);
}

size_t
lm_http_request_query_count(const struct lm_http_request *req, const char *name)
{
    size_t seen = 0;
    if (req->form)
        lmi_form_find(req->form, name, SIZE_MAX, &seen);
    lmi_form_find(&req->raw->query, name, SIZE_MAX, &seen);
    return seen;
}

void
lm_http_response_status(struct lm_http_response *resp, int status)
{
    resp->status = status;
}

int
lm_http_response_content_type(struct lm_http_response *resp, const char *ct)
{
    char *c = lm_strdup(ct);
    if (!c)
        return LM_ENOMEM;
    lm_free(resp->ctype);
    resp->ctype = c;
    return 0;
}

int
lm_http_response_header(struct lm_http_response *resp, const char *name, const char *value)
{
    if (!*name || strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
        return LM_EINVAL;
    lm_buf_append(&resp->headers, name, strlen(name) + 1);
    return lm_buf_append(&resp->headers, value, strlen(value) + 1);
}

struct lm_buf *
lm_http_response_body(struct lm_http_response *resp)
{
    return &resp->body;
}

void
lm_http_response_body_limit(struct lm_http_response *resp, size_t max)
{
    resp->body.max = max < resp->body.len ? resp->body.len : max;
}

int
lm_http_response_text(struct lm_http_response *resp, int status, const char *text)
{
    resp->status = status;
    int rc = lm_http_response_content_type(resp, TEXT_PLAIN);
    lm_buf_reset(&resp->body);
    return rc ? rc : lm_buf_puts(&resp->body, text);
}
