/* SPDX-License-Identifier: Apache-2.0 */
/* uwsgi_stats_read.c: fetching a uWSGI stats document: connect to a unix or TCP stats
 * server and read to EOF (the server writes the JSON and closes), or send an HTTP/1.0 GET
 * to a --stats-http server and keep the body, or read a file. The socket work (connect,
 * write, read under the caller's deadline) is proto/sock.c; this file maps its errors to
 * uWSGI hints. Parsing lives in uwsgi_stats.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "proto/sock.h"
#include "proto/uwsgi_stats.h"

#define HOST_MAX 256   /* host part of a tcp:// or http:// URI */

/* A parsed stats URI. */
struct target {
    const char *uri;          /* as given, for errors */
    int kind;                 /* K_UNIX, K_TCP, K_HTTP or K_FILE */
    char host[HOST_MAX];      /* tcp/http host (brackets stripped) */
    char port[16];            /* tcp/http port */
    const char *path;         /* unix/file path, or the http request path ("/" if none) */
};

enum { K_UNIX = 1, K_TCP, K_HTTP, K_FILE };

/* parse_uri: split uri into t. LM_EINVAL for unknown schemes or a missing port. */
static int
parse_uri(const char *uri, struct target *t, struct lm_err *err)
{
    static const struct {
        const char *prefix;   /* scheme with :// */
        int kind;             /* K_* */
    } schemes[] = {{"unix://", K_UNIX}, {"tcp://", K_TCP}, {"http://", K_HTTP},
                   {"file://", K_FILE}};
    memset(t, 0, sizeof *t);
    t->uri = uri;
    const char *rest = NULL;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i].prefix);
        if (!strncmp(uri, schemes[i].prefix, n)) {
            t->kind = schemes[i].kind;
            rest = uri + n;
        }
    }
    if (!rest)
        return lm_err_set(err, LM_EINVAL, uri,
                          "unsupported stats URI: use unix:///path, tcp://host:port, "
                          "http://host:port or file:///path");
    if (t->kind == K_UNIX || t->kind == K_FILE) {
        if (rest[0] != '/')
            return lm_err_set(err, LM_EINVAL, uri, "needs an absolute path, as in "
                              "unix:///run/uwsgi/app.stats.sock");
        t->path = rest;
        return 0;
    }
    size_t hl = strcspn(rest, "/");
    t->path = rest[hl] ? rest + hl : "/";
    const char *colon = NULL;
    if (rest[0] == '[') {   /* [v6]:port */
        const char *close = memchr(rest, ']', hl);
        if (!close || close[1] != ':')
            return lm_err_set(err, LM_EINVAL, uri, "malformed IPv6 address, use [addr]:port");
        snprintf(t->host, sizeof t->host, "%.*s", (int)(close - rest - 1), rest + 1);
        colon = close + 1;
    } else {
        for (const char *p = rest; p < rest + hl; p++)
            if (*p == ':')
                colon = p;
        if (!colon)
            return lm_err_set(err, LM_EINVAL, uri, "missing port, as in tcp://127.0.0.1:1717");
        if ((size_t)(colon - rest) >= sizeof t->host)
            return lm_err_set(err, LM_EINVAL, uri, "host name too long");
        snprintf(t->host, sizeof t->host, "%.*s", (int)(colon - rest), rest);
    }
    size_t pl = (size_t)(rest + hl - colon - 1);
    if (pl == 0 || pl >= sizeof t->port || strspn(colon + 1, "0123456789") < pl)
        return lm_err_set(err, LM_EINVAL, uri, "bad port");
    memcpy(t->port, colon + 1, pl);
    t->port[pl] = '\0';
    return 0;
}

/* connect_err: an errno from connecting into an error said in words. */
static int
connect_err(const struct target *t, int e, struct lm_err *err)
{
    const char *what = t->kind == K_UNIX ? "stats socket" : "stats server";
    switch (e) {
    case ENOENT:
        return lm_err_set(err, LM_ENOENT, t->uri,
                          "%s does not exist (is uWSGI running with stats = this path?)", what);
    case EACCES:
    case EPERM:
        return lm_err_set(err, LM_EIO, t->uri,
                          "permission denied on the %s: run the exporter as a user or group "
                          "that may write to it (uWSGI's chmod-socket / chown-socket)", what);
    case ECONNREFUSED:
        return lm_err_set(err, LM_EIO, t->uri, "connection refused (uWSGI not listening)");
    case ETIMEDOUT:
        return lm_err_set(err, LM_ETIMEOUT, t->uri, "connect timed out");
    default:   /* keep proto_sock_connect_*'s "dial ...: <reason>" */
        snprintf(err->where, sizeof err->where, "%s", t->uri);
        return err->code;
    }
}

/* open_conn: a connected non-blocking socket for t in *fd. */
static int
open_conn(const struct target *t, double deadline, int *fd, struct lm_err *err)
{
    *fd = t->kind == K_UNIX ? proto_sock_connect_unix(t->path, deadline, err)
                            : proto_sock_connect_tcp(t->host, t->port, deadline, err);
    if (*fd >= 0)
        return 0;
    return connect_err(t, errno, err);
}

/* read_all: append everything fd gives until EOF to out, by deadline; a timeout says
 * whether anything came (and hints at http:// for a silent tcp:// peer). */
static int
read_all(const struct target *t, int fd, double deadline, struct lm_buf *out,
         struct lm_err *err)
{
    size_t start = out->len;
    int rc = proto_sock_read(fd, out, 0, deadline, t->uri, err);
    if (rc == LM_ETOOBIG)
        return lm_err_set(err, rc, t->uri, "stats document over %zu bytes", out->max);
    if (rc == LM_ETIMEOUT)
        return lm_err_set(err, rc, t->uri,
                          out->len > start ? "timed out reading the stats document"
                          : t->kind == K_TCP
                              ? "no answer before the timeout (a --stats-http server "
                                "needs http://)"
                              : "no answer before the timeout");
    return rc;
}

/* strip_http: check the status line of the HTTP answer in out (from start) and keep
 * only its body. */
static int
strip_http(const struct target *t, struct lm_buf *out, size_t start, struct lm_err *err)
{
    size_t n = out->len - start;
    if (!out->data || n < 12 || memcmp(out->data + start, "HTTP/", 5) != 0)
        return lm_err_set(err, LM_EIO, t->uri,
                          "malformed HTTP response (a plain stats socket needs tcp://)");
    char *p = out->data + start;
    const char *sp = memchr(p, ' ', n);
    long status = sp ? strtol(sp + 1, NULL, 10) : 0;
    if (status != 200)
        return lm_err_set(err, LM_EIO, t->uri, "HTTP status %ld", status);
    const char *body = memmem(p, n, "\r\n\r\n", 4);
    size_t skip = body ? (size_t)(body + 4 - p) : 0;
    if (!body) {
        body = memmem(p, n, "\n\n", 2);
        skip = body ? (size_t)(body + 2 - p) : n;
    }
    memmove(p, p + skip, n - skip);
    out->len -= skip;
    return 0;
}

/* read_file: a file:// document. */
static int
read_file(const struct target *t, double deadline, struct lm_buf *out, struct lm_err *err)
{
    int fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return errno == ENOENT ? lm_err_set(err, LM_ENOENT, t->uri, "no such file")
                               : lm_err_set(err, LM_EIO, t->uri, "open: %s", strerror(errno));
    int rc = read_all(t, fd, deadline, out, err);
    close(fd);
    return rc;
}

int
proto_uwsgi_read(const char *uri, double deadline, struct lm_buf *out, struct lm_err *err)
{
    struct target t;
    int rc = parse_uri(uri, &t, err);
    if (rc)
        return rc;
    if (out->max > PROTO_UWSGI_MAX_DOC || out->max == 0)
        out->max = PROTO_UWSGI_MAX_DOC;
    if (t.kind == K_FILE)
        return read_file(&t, deadline, out, err);
    int fd;
    rc = open_conn(&t, deadline, &fd, err);
    if (rc)
        return rc;
    size_t start = out->len;
    if (t.kind == K_HTTP) {
        char req[HOST_MAX + 1024];
        int n = snprintf(req, sizeof req, "GET %.900s HTTP/1.0\r\nHost: %s:%s\r\n"
                         "User-Agent: uwsgi_exporter\r\nAccept: application/json\r\n\r\n",
                         t.path, t.host, t.port);
        rc = proto_sock_write(fd, req, (size_t)n, deadline, t.uri, err);
    }
    if (!rc)
        rc = read_all(&t, fd, deadline, out, err);
    close(fd);
    if (!rc && t.kind == K_HTTP)
        rc = strip_http(&t, out, start, err);
    return rc;
}
