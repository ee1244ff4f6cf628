/* SPDX-License-Identifier: Apache-2.0 */
/* xmlrpc_call.c: the XML-RPC transport: one POST per call, over a unix socket
 * (unix:///path, as supervisorctl's serverurl) or to an http URL with the small client of
 * proto/httpc.h, or to an https URL with libcurl loaded on first use (xmlrpc_curl.c);
 * optional basic auth from the URL. Bounds the response size and the time, checks the
 * HTTP status and Content-Type, then hands the body to the codec (xmlrpc_read.c). Also
 * supervisord's system.multicall (several methods in one round trip). Never logs; the
 * password never reaches an error message. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "proto/httpc.h"
#include "proto/sock.h"
#include "proto/xmlrpc.h"
#include "proto/xmlrpc_int.h"

#define UNIX_PREFIX "unix://"

int
proto_xmlrpc_global_init(struct lm_err *err)
{
    return 0;
}

void
proto_xmlrpc_global_cleanup(void)
{
}

/* now: CLOCK_MONOTONIC seconds. */
static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* post_unix: POST req over the unix socket of url (unix://[user[:pass]@]/path). */
static int
post_unix(const char *url, const struct lm_buf *req, double deadline,
          struct proto_xmlrpc_http *out, char *where, size_t wn, struct lm_err *err)
{
    const char *path = url + strlen(UNIX_PREFIX);
    char user[PROTO_HTTPC_CRED_MAX] = "", pass[PROTO_HTTPC_CRED_MAX] = "";
    int has_user = 0;
    /* unix://user:pass@/path: basic auth for a [unix_http_server] with a username */
    const char *at = path[0] != '/' ? strstr(path, "@/") : NULL;
    if (at) {
        const char *colon = memchr(path, ':', (size_t)(at - path));
        size_t ul = colon ? (size_t)(colon - path) : (size_t)(at - path);
        if (proto_url_unescape(path, ul, user, sizeof user) ||
            (colon && proto_url_unescape(colon + 1, (size_t)(at - colon - 1), pass, sizeof pass)))
            return lm_err_set(err, LM_EINVAL, UNIX_PREFIX, "bad user information in the URL");
        has_user = 1;
        path = at + 1;
    }
    snprintf(where, wn, "%s%s", UNIX_PREFIX, path);
    if (path[0] != '/' || strlen(path) >= 108)
        return lm_err_set(err, LM_EINVAL, where,
                          "a unix URL needs an absolute socket path, as in "
                          "unix:///var/run/supervisor.sock");
    int fd = proto_sock_connect_unix(path, deadline, err);
    if (fd < 0) {
        snprintf(err->where, sizeof err->where, "%s", where);
        explicit_bzero(pass, sizeof pass);
        return err->code;
    }
    /* supervisord answers XML-RPC on /RPC2 and accepts any Host header */
    struct proto_httpc_req hr = {
        .method = "POST", .target = "/RPC2", .host = "localhost",
        .user = has_user ? user : NULL, .pass = pass,
        .user_agent = PROTO_XMLRPC_USER_AGENT, .content_type = "text/xml",
        .body = req->data, .body_len = req->len,
    };
    struct proto_httpc_resp hresp = {.body = &out->body};
    int rc = proto_httpc_exchange(fd, &hr, &hresp, deadline, where, err);
    close(fd);
    explicit_bzero(pass, sizeof pass);
    out->status = hresp.status;
    snprintf(out->content_type, sizeof out->content_type, "%s", hresp.content_type);
    return rc;
}

/* post_http: POST req to the http url. */
static int
post_http(const char *url, const struct lm_buf *req, double deadline,
          struct proto_xmlrpc_http *out, const char *where, struct lm_err *err)
{
    struct proto_url *u = lm_malloc(sizeof *u);
    if (!u)
        return lm_err_set(err, LM_ENOMEM, where, "out of memory");
    int rc = proto_url_parse(url, u, err), fd = -1;
    if (rc)
        goto out;
    if ((fd = proto_sock_connect_tcp(u->host, u->port, deadline, err)) < 0) {
        rc = err->code;
        goto out;
    }
    struct proto_httpc_req hr = {
        .method = "POST", .target = u->target, .host = u->hostport,
        .user = u->has_user ? u->user : NULL, .pass = u->pass,
        .user_agent = PROTO_XMLRPC_USER_AGENT, .content_type = "text/xml",
        .body = req->data, .body_len = req->len,
    };
    struct proto_httpc_resp hresp = {.body = &out->body};
    rc = proto_httpc_exchange(fd, &hr, &hresp, deadline, where, err);
    out->status = hresp.status;
    snprintf(out->content_type, sizeof out->content_type, "%s", hresp.content_type);
out:
    if (fd >= 0)
        close(fd);
    if (rc)
        snprintf(err->where, sizeof err->where, "%s", where);
    explicit_bzero(u, sizeof *u);
    lm_free(u);
    return rc;
}

/* check_answer: the HTTP status and Content-Type of out. */
static int
check_answer(const struct proto_xmlrpc_http *out, const char *where, struct lm_err *err)
{
    if (out->status == 401)
        return lm_err_set(err, LM_EIO, where,
                          "HTTP 401 Unauthorized: supervisord wants the username and password "
                          "of its [unix_http_server] or [inet_http_server] section");
    if (out->status != 200)
        return lm_err_set(err, LM_EIO, where, "HTTP status %d%s", out->status,
                          out->status == 404 ? " (is the URL path /RPC2?)" : "");
    if (out->content_type[0] && !strstr(out->content_type, "xml"))
        return lm_err_set(err, LM_EIO, where,
                          "got a non-XML page instead of an XML-RPC response "
                          "(is the URL path /RPC2?)");
    return 0;
}

/* exchange: POST the methodCall in req to url within timeout seconds and parse the
 * answer into *result (see proto_xmlrpc_call). */
static int
exchange(const char *url, const struct lm_buf *req, double timeout,
         struct proto_xmlrpc_value **result, struct proto_xmlrpc_fault *fault,
         struct lm_err *err)
{
    char where[LM_ERR_WHERE_MAX];
    struct proto_xmlrpc_http *out = lm_calloc(1, sizeof *out);
    if (!out)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    lm_buf_init(&out->body, PROTO_XMLRPC_MAX_RESPONSE);
    if (timeout <= 0)
        timeout = 10;
    double deadline = now() + timeout;
    int rc;
    if (!strncmp(url, UNIX_PREFIX, strlen(UNIX_PREFIX))) {
        rc = post_unix(url, req, deadline, out, where, sizeof where, err);
    } else {
        proto_url_redact(url, where, sizeof where);
        if (!strncasecmp(url, "http://", 7))
            rc = post_http(url, req, deadline, out, where, err);
        else if (!strncasecmp(url, "https://", 8))
            rc = proto_xmlrpc_post_curl(url, req, timeout, out, where, err);
        else
            rc = lm_err_set(err, LM_EINVAL, where,
                            "unsupported URL scheme: use http://, https:// or unix://");
    }
    if (!rc)
        rc = check_answer(out, where, err);
    if (!rc) {
        rc = proto_xmlrpc_parse_response(out->body.data ? out->body.data : "", out->body.len,
                                         result, fault, err);
        if (rc && err) {
            /* keep the parser's "line N" in the message and put the url in where */
            char msg[LM_ERR_MSG_MAX];
            if (err->where[0])
                snprintf(msg, sizeof msg, "%.40s: %.400s", err->where, err->msg);
            else
                snprintf(msg, sizeof msg, "%s", err->msg);
            lm_err_set(err, rc, where, "%s", msg);
        }
    }
    lm_buf_cleanup(&out->body);
    lm_free(out);
    return rc;
}

/* clear_fault: no fault yet. */
static void
clear_fault(struct proto_xmlrpc_fault *fault)
{
    if (fault) {
        fault->code = 0;
        fault->string[0] = '\0';
    }
}

int
proto_xmlrpc_call(const char *url, const char *method, const struct proto_xmlrpc_param *params,
                  size_t n, double timeout, struct proto_xmlrpc_value **result,
                  struct proto_xmlrpc_fault *fault, struct lm_err *err)
{
    struct lm_buf req;
    *result = NULL;
    clear_fault(fault);
    if (!url || !*url)
        return lm_err_set(err, LM_EINVAL, NULL, "empty XML-RPC URL");
    lm_buf_init(&req, PROTO_XMLRPC_MAX_REQUEST);
    int rc = proto_xmlrpc_build_request(method, params, n, &req, err);
    if (!rc)
        rc = exchange(url, &req, timeout, result, fault, err);
    lm_buf_cleanup(&req);
    return rc;
}

/* unpack: supervisord's multicall answer all (an array of n values, each a method's
 * value itself or a fault struct) into results. */
static int
unpack(struct proto_xmlrpc_value *all, const char *const *methods, size_t n,
       struct proto_xmlrpc_value **results, struct proto_xmlrpc_fault *fault,
       const char *where, struct lm_err *err)
{
    if (proto_xmlrpc_type(all) != PROTO_XMLRPC_ARRAY || proto_xmlrpc_len(all) != n)
        return lm_err_set(err, LM_EPARSE, where,
                          "system.multicall: expected an array of %zu answers, got %s of %zu",
                          n, proto_xmlrpc_type_name(proto_xmlrpc_type(all)),
                          proto_xmlrpc_len(all));
    for (size_t i = 0; i < n; i++) {
        const struct proto_xmlrpc_value *a = proto_xmlrpc_at(all, i);
        int64_t code;
        const char *str = proto_xmlrpc_string_view(proto_xmlrpc_member(a, "faultString"), NULL);
        if (proto_xmlrpc_type(a) == PROTO_XMLRPC_STRUCT && proto_xmlrpc_len(a) == 2 && str &&
            !proto_xmlrpc_get_int(proto_xmlrpc_member(a, "faultCode"), &code)) {
            if (fault) {
                fault->code = code < INT_MIN ? INT_MIN : code > INT_MAX ? INT_MAX : (int)code;
                snprintf(fault->string, sizeof fault->string, "%s", str);
            }
            return lm_err_set(err, LM_EIO, where, "fault %lld: %.300s (in %.100s)",
                              (long long)code, str, methods[i]);
        }
    }
    for (size_t i = 0; i < n; i++)
        results[i] = proto_xmlrpc_value_take(all, i);
    return 0;
}

int
proto_xmlrpc_multicall(const char *url, const char *const *methods, size_t n,
                       double timeout, struct proto_xmlrpc_value **results,
                       struct proto_xmlrpc_fault *fault, struct lm_err *err)
{
    struct lm_buf req;
    struct proto_xmlrpc_value *all = NULL;
    for (size_t i = 0; i < n && i < PROTO_XMLRPC_MULTICALL_MAX; i++)
        results[i] = NULL;
    clear_fault(fault);
    if (!url || !*url)
        return lm_err_set(err, LM_EINVAL, NULL, "empty XML-RPC URL");
    lm_buf_init(&req, PROTO_XMLRPC_MAX_REQUEST);
    int rc = proto_xmlrpc_build_multicall(methods, n, &req, err);
    if (!rc)
        rc = exchange(url, &req, timeout, &all, fault, err);
    lm_buf_cleanup(&req);
    if (!rc) {
        /* where, as the transport shows it: no user information */
        char where[LM_ERR_WHERE_MAX];
        if (strncmp(url, UNIX_PREFIX, strlen(UNIX_PREFIX))) {
            proto_url_redact(url, where, sizeof where);
        } else {
            const char *path = url + strlen(UNIX_PREFIX);
            const char *at = path[0] != '/' ? strstr(path, "@/") : NULL;
            snprintf(where, sizeof where, "%s%s", UNIX_PREFIX, at ? at + 1 : path);
        }
        rc = unpack(all, methods, n, results, fault, where, err);
    }
    proto_xmlrpc_value_free(all);
    return rc;
}
