/* SPDX-License-Identifier: Apache-2.0 */
/* http.c: the HTTP server over libmicrohttpd: listen sockets (bound here, one MHD daemon
 * each, thread per connection), the request dispatcher (client certificate, rate limit,
 * basic auth, route, method, concurrency limit, handler) and the request/response views
 * handed to handlers. Authentication details are in http_auth.c, pages in http_page.c. */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
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
#include "http_int.h"
#include "webcfg_int.h"

#define TEXT_PLAIN "text/plain; charset=utf-8"
#define MAX_RESP_HEADERS_BYTES (16 * 1024)  /* extra headers of one response */

struct route {
    char *path;                 /* exact path, owned */
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
    struct MHD_Daemon *d;       /* running daemon, or NULL */
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
};

struct lm_http_request {
    struct MHD_Connection *conn;  /* the connection */
    const char *method;           /* request method */
    const char *path;             /* decoded path */
    const char *user;             /* accepted basic-auth user, or NULL */
};

struct lm_http_response {
    int status;                   /* HTTP status */
    char *ctype;                  /* Content-Type, owned, or NULL for text/plain */
    struct lm_buf headers;        /* extra headers: "name\0value\0" pairs */
    struct lm_buf body;           /* the body */
};

/* A distinct address for req_cls: "headers seen, waiting for the body". */
static const char request_started = 0;

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
        if (!strcmp(srv->routes[i].path, path))
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

/* queue: hand resp to MHD; the body moves to MHD without a copy and is freed with
 * lm_free after it is sent. */
static enum MHD_Result
queue(struct lm_http_server *srv, struct MHD_Connection *conn, struct lm_http_response *resp)
{
    size_t len = 0;
    char *data = lm_buf_take(&resp->body, &len);
    struct MHD_Response *r =
        data ? MHD_create_response_from_buffer_with_free_callback(len, data, lm_free)
             : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) {
        lm_free(data);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            resp->ctype ? resp->ctype : TEXT_PLAIN);
    const char *h = resp->headers.data, *end = h + resp->headers.len;
    while (h && h < end) {
        const char *v = h + strlen(h) + 1;
        MHD_add_response_header(r, h, v);
        h = v + strlen(v) + 1;
    }
    /* web-config headers, unless the response set its own (Go sets them first, then the
     * handler may overwrite them) */
    for (size_t i = 0; srv->wc && i < srv->wc->nheaders; i++)
        if (!MHD_get_response_header(r, srv->wc->headers[i].name))
            MHD_add_response_header(r, srv->wc->headers[i].name, srv->wc->headers[i].value);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static const struct route *
find_route(const struct lm_http_server *srv, const char *path)
{
    for (size_t i = 0; i < srv->nroutes; i++)
        if (!strcmp(srv->routes[i].path, path))
            return &srv->routes[i];
    return NULL;
}

/* serve_route: method check, concurrency limit and the handler, into resp. */
static void
serve_route(struct lm_http_server *srv, const struct route *rt, struct lm_http_request *req,
            struct lm_http_response *resp)
{
    const char *m = req->method;
    int post = (rt->flags & LM_HTTP_ALLOW_POST) != 0;
    if (strcmp(m, "GET") && strcmp(m, "HEAD") && !(post && !strcmp(m, "POST"))) {
        resp_text(resp, 405, "Method Not Allowed\n");
        lm_http_response_header(resp, "Allow", post ? "GET, HEAD, POST" : "GET, HEAD");
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

/* dispatch: one complete request. MHD_NO closes the connection without an answer. */
static enum MHD_Result
dispatch(struct lm_http_server *srv, struct MHD_Connection *conn, const char *url,
         const char *method)
{
    struct lm_http_request req = {.conn = conn, .method = method, .path = url};
    struct lm_http_response resp;
    char *user = NULL, *pass = NULL;
    if (srv->wc && srv->wc->tls && srv->wc->client_auth != LM_TLS_NO_CLIENT_CERT) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        char why[160];
        if (lmi_tls_check(srv->wc, ci ? ci->tls_session : NULL, why, sizeof why)) {
            lm_warn(srv->log, "TLS client refused", "path", url, "err", why, NULL);
            return MHD_NO;
        }
    }
    resp_init(&resp);
    if (srv->rate_on && !lmi_rate_allow(&srv->rate)) {
        resp_text(&resp, 429, "Too Many Requests\n");
        goto send;
    }
    if (srv->auth) {
        user = MHD_basic_auth_get_username_password(conn, &pass);
        if (!user || !lmi_auth_check(srv->auth, user, pass ? pass : "")) {
            resp_text(&resp, 401, "Unauthorized\n");
            lm_http_response_header(&resp, "WWW-Authenticate", "Basic");
            goto send;
        }
        req.user = user;
    }
    const struct route *rt = find_route(srv, url);
    if (!rt)
        resp_text(&resp, 404, "404 page not found\n");
    else
        serve_route(srv, rt, &req, &resp);
send:;
    enum MHD_Result ret = queue(srv, conn, &resp);
    resp_cleanup(&resp);
    if (pass) {
        explicit_bzero(pass, strlen(pass));
        MHD_free(pass);
    }
    if (user)
        MHD_free(user);
    return ret;
}

/* on_request: MHD's access handler. The first call (headers only) just marks the request;
 * request bodies are read and dropped; the last call dispatches. */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size,
           void **req_cls)
{
    if (!*req_cls) {
        *req_cls = (void *)&request_started;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    return dispatch(cls, conn, url, method);
}

/* on_connection: at connection start, set up client-certificate requests (TLS only). */
static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
              enum MHD_ConnectionNotificationCode toe)
{
    struct lm_http_server *srv = cls;
    if (toe != MHD_CONNECTION_NOTIFY_STARTED)
        return;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (ci && ci->tls_session)
        lmi_tls_prepare(srv->wc, ci->tls_session);
}

/* mhd_log: MHD's messages, at debug level (they are about single connections). */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct lm_http_server *srv = cls;
    if (!lm_log_enabled(srv->log, LM_LOG_DEBUG))
        return;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    lm_debug(srv->log, "libmicrohttpd", "err", msg, NULL);
}

/* start_one: bind l and start its daemon. */
static int
start_one(struct lm_http_server *srv, struct listener *l, struct lm_err *err)
{
    int fd = bind_one(l, err);
    if (fd < 0)
        return err ? err->code : LM_EIO;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG;
    struct MHD_OptionItem ops[12];
    size_t n = 0;
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, fd, NULL};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, srv->timeout_s, NULL};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, srv};
    const struct lm_webcfg *wc = srv->wc;
    if (wc && wc->tls) {
        flags |= MHD_USE_TLS;
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, wc->key_pem};
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, wc->cert_pem};
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, wc->priorities};
        if (wc->ca_pem)
            ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, wc->ca_pem};
        if (wc->client_auth != LM_TLS_NO_CLIENT_CERT)
            ops[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION,
                                               (intptr_t)on_connection, srv};
    }
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    l->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY, ops,
                            MHD_OPTION_END);
    if (!l->d) {
        close(fd);
        l->bound_port = -1;
        return lm_err_set(err, wc && wc->tls ? LM_ECONFIG : LM_EIO, l->addr,
                          "cannot start the HTTP server%s",
                          wc && wc->tls ? " (TLS setup failed)" : "");
    }
    return 0;  /* the daemon owns fd now and closes it when stopped */
}

int
lm_http_server_start(struct lm_http_server *srv, struct lm_err *err)
{
    if (srv->started)
        return lm_err_set(err, LM_EINVAL, NULL, "HTTP server already started");
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
    return i < srv->nls && srv->ls[i].d ? srv->ls[i].bound_port : -1;
}

void
lm_http_server_stop(struct lm_http_server *srv)
{
    for (size_t i = 0; i < srv->nls; i++) {
        if (srv->ls[i].d) {
            MHD_stop_daemon(srv->ls[i].d);
            srv->ls[i].d = NULL;
        }
    }
}

void
lm_http_server_free(struct lm_http_server *srv)
{
    if (!srv)
        return;
    lm_http_server_stop(srv);
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
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/* State of a walk over the query arguments. */
struct qwalk {
    const char *name;     /* argument looked for */
    size_t want;          /* index wanted */
    size_t seen;          /* matches so far */
    const char *found;    /* the value at index want */
};

static enum MHD_Result
qwalk_cb(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct qwalk *w = cls;
    if (!key || strcmp(key, w->name))
        return MHD_YES;
    if (w->seen++ == w->want) {
        w->found = value ? value : "";
        return MHD_NO;
    }
    return MHD_YES;
}

const char *
lm_http_request_query_nth(const struct lm_http_request *req, const char *name, size_t i)
{
    struct qwalk w = {.name = name, .want = i};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, qwalk_cb, &w);
    return w.found;
}

const char *
lm_http_request_query(const struct lm_http_request *req, const char *name)
{
    return lm_http_request_query_nth(req, name, 0);
}

size_t
lm_http_request_query_count(const struct lm_http_request *req, const char *name)
{
    struct qwalk w = {.name = name, .want = SIZE_MAX};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, qwalk_cb, &w);
    return w.seen;
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

int
lm_http_response_text(struct lm_http_response *resp, int status, const char *text)
{
    resp->status = status;
    int rc = lm_http_response_content_type(resp, TEXT_PLAIN);
    lm_buf_reset(&resp->body);
    return rc ? rc : lm_buf_puts(&resp->body, text);
}
