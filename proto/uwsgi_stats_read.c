/* SPDX-License-Identifier: Apache-2.0 */
/* uwsgi_stats_read.c: fetching a uWSGI stats document: connect to a unix or TCP stats
 * server and read to EOF (the server writes the JSON and closes), or send an HTTP/1.0 GET
 * to a --stats-http server and keep the body, or read a file. Every wait is a poll()
 * bounded by the caller's deadline, so a peer that accepts and never answers costs at
 * most the deadline. Parsing lives in uwsgi_stats.c. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
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

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* wait_fd: poll fd for ev until deadline. 0 when ready, LM_ETIMEOUT, or LM_EIO. */
static int
wait_fd(int fd, short ev, double deadline)
{
    for (;;) {
        double left = deadline - now();
        if (left <= 0)
            return LM_ETIMEOUT;
        struct pollfd p = {.fd = fd, .events = ev};
        int r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r > 0)
            return 0;
        if (r == 0)
            continue;
        if (errno != EINTR)
            return LM_EIO;
    }
}

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

/* connect_wait: finish a non-blocking connect of fd to sa by deadline. */
static int
connect_wait(int fd, const struct sockaddr *sa, socklen_t len, double deadline)
{
    if (connect(fd, sa, len) == 0)
        return 0;
    if (errno != EINPROGRESS && errno != EAGAIN)
        return -errno;
    int rc = wait_fd(fd, POLLOUT, deadline);
    if (rc)
        return rc == LM_ETIMEOUT ? -ETIMEDOUT : -EIO;
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
        return -errno;
    return soerr ? -soerr : 0;
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
    default:
        return lm_err_set(err, LM_EIO, t->uri, "connect: %s", strerror(e));
    }
}

/* open_conn: a connected non-blocking socket for t in *fd. */
static int
open_conn(const struct target *t, double deadline, int *fd, struct lm_err *err)
{
    *fd = -1;
    if (t->kind == K_UNIX) {
        struct sockaddr_un sun = {.sun_family = AF_UNIX};
        if (strlen(t->path) >= sizeof sun.sun_path)
            return lm_err_set(err, LM_EINVAL, t->uri, "socket path too long");
        memcpy(sun.sun_path, t->path, strlen(t->path) + 1);
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s < 0)
            return lm_err_set(err, LM_EIO, t->uri, "socket: %s", strerror(errno));
        int e = connect_wait(s, (struct sockaddr *)&sun, sizeof sun, deadline);
        if (e) {
            close(s);
            return connect_err(t, -e, err);
        }
        *fd = s;
        return 0;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int g = getaddrinfo(t->host, t->port, &hints, &res);
    if (g)
        return lm_err_set(err, LM_EIO, t->uri, "resolve %s: %s", t->host, gai_strerror(g));
    int e = ENOENT;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int s = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                       a->ai_protocol);
        if (s < 0) {
            e = errno;
            continue;
        }
        e = -connect_wait(s, a->ai_addr, a->ai_addrlen, deadline);
        if (!e) {
            *fd = s;
            break;
        }
        close(s);
        if (e == ETIMEDOUT)
            break;
    }
    freeaddrinfo(res);
    return *fd >= 0 ? 0 : connect_err(t, e, err);
}

/* send_all: write n bytes of p to fd by deadline. */
static int
send_all(const struct target *t, int fd, const char *p, size_t n, double deadline,
         struct lm_err *err)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR)
            return lm_err_set(err, LM_EIO, t->uri, "send: %s", strerror(errno));
        if (wait_fd(fd, POLLOUT, deadline))
            return lm_err_set(err, LM_ETIMEOUT, t->uri, "timed out sending the request");
    }
    return 0;
}

/* read_all: append everything fd gives until EOF to out, by deadline. */
static int
read_all(const struct target *t, int fd, double deadline, struct lm_buf *out,
         struct lm_err *err)
{
    char chunk[16384];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r == 0)
            return 0;
        if (r > 0) {
            int rc = lm_buf_append(out, chunk, (size_t)r);
            if (rc == LM_ETOOBIG)
                return lm_err_set(err, rc, t->uri, "stats document over %lu bytes",
                                  (unsigned long)out->max);
            if (rc)
                return lm_err_set(err, rc, t->uri, "out of memory");
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            return lm_err_set(err, LM_EIO, t->uri, "read: %s", strerror(errno));
        if (wait_fd(fd, POLLIN, deadline))
            return lm_err_set(err, LM_ETIMEOUT, t->uri,
                              out->len ? "timed out reading the stats document"
                              : t->kind == K_TCP
                                  ? "no answer before the timeout (a --stats-http server "
                                    "needs http://)"
                                  : "no answer before the timeout");
    }
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
        rc = send_all(&t, fd, req, (size_t)n, deadline, err);
    }
    if (!rc)
        rc = read_all(&t, fd, deadline, out, err);
    close(fd);
    if (!rc && t.kind == K_HTTP)
        rc = strip_http(&t, out, start, err);
    return rc;
}
