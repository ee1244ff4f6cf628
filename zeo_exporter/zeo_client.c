/* SPDX-License-Identifier: Apache-2.0 */
/* zeo_client.c: the socket half of the ZEO client (zeo_client.h): parse an address
 * (host:port, [v6]:port, unix path), connect without blocking past the deadline, read
 * sized frames by looping on recv until each is complete, send `ruok`, and hand the reply
 * to zeo_status.c. Also reads the legacy monitor report to EOF. One connection per call;
 * no state is kept between calls. TLS (a ZEO <ssl> section) is not supported. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/exporter.h"
#include "zeo_exporter/zeo_client.h"

/* wait_fd: poll fd for events until deadline. Returns 0, LM_ETIMEOUT or LM_EIO. */
static int
wait_fd(int fd, short events, double deadline)
{
    for (;;) {
        double left = deadline - lm_monotonic();
        if (left <= 0)
            return LM_ETIMEOUT;
        struct pollfd p = {.fd = fd, .events = events};
        int ms = (int)(left * 1000) + 1;
        int n = poll(&p, 1, ms);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return LM_EIO;
    }
}

/* connect_addr: a non-blocking connected socket for one sockaddr, or -1 with *rc. */
static int
connect_addr(int family, const struct sockaddr *sa, socklen_t salen, double deadline, int *rc)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *rc = LM_EIO;
        return -1;
    }
    if (connect(fd, sa, salen) == 0)
        return fd;
    if (errno != EINPROGRESS) {
        *rc = LM_EIO;
        goto fail;
    }
    *rc = wait_fd(fd, POLLOUT, deadline);
    if (*rc)
        goto fail;
    int soerr = 0;
    socklen_t l = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l) || soerr) {
        errno = soerr ? soerr : errno;
        *rc = LM_EIO;
        goto fail;
    }
    return fd;
fail: {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
}

/* open_conn: resolve and connect address. Returns the fd, or -1 with err set. */
static int
open_conn(const char *address, double deadline, struct lm_err *err)
{
    int rc = LM_EIO;
    if (strchr(address, '/')) {
        struct sockaddr_un un;
        memset(&un, 0, sizeof un);
        un.sun_family = AF_UNIX;
        if (strlen(address) >= sizeof un.sun_path) {
            lm_err_set(err, LM_EINVAL, address, "unix socket path too long");
            return -1;
        }
        memcpy(un.sun_path, address, strlen(address));
        int fd = connect_addr(AF_UNIX, (struct sockaddr *)&un, sizeof un, deadline, &rc);
        if (fd < 0)
            lm_err_set(err, rc, address, "connect: %s",
                       rc == LM_ETIMEOUT ? "timed out" : strerror(errno));
        return fd;
    }
    char host[256], port[16];
    const char *colon = strrchr(address, ':');
    const char *h = address;
    size_t hl = colon ? (size_t)(colon - address) : 0;
    if (hl && address[0] == '[') {
        if (address[hl - 1] != ']') {
            lm_err_set(err, LM_EINVAL, address, "bad address: want [v6addr]:port");
            return -1;
        }
        h++;
        hl -= 2;
    }
    if (!colon || !colon[1] || strlen(colon + 1) >= sizeof port || hl >= sizeof host) {
        lm_err_set(err, LM_EINVAL, address,
                   "bad address: want host:port, [v6addr]:port or a socket path");
        return -1;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    memcpy(port, colon + 1, strlen(colon + 1) + 1);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = AF_UNSPEC;
    int g = getaddrinfo(hl ? host : NULL, port, &hints, &res);
    if (g) {
        lm_err_set(err, LM_EIO, address, "resolve: %s", gai_strerror(g));
        return -1;
    }
    int fd = -1, e = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = connect_addr(ai->ai_family, ai->ai_addr, ai->ai_addrlen, deadline, &rc);
        e = errno;
        if (rc == LM_ETIMEOUT)
            break;
    }
    freeaddrinfo(res);
    if (fd < 0)
        lm_err_set(err, rc, address, "connect: %s",
                   rc == LM_ETIMEOUT ? "timed out" : strerror(e));
    return fd;
}

/* recv_some: append what is readable (at most want bytes) to b. Returns bytes read
 * (0 at EOF) or a negative LM_E*. */
static long
recv_some(int fd, struct lm_buf *b, size_t want, double deadline)
{
    for (;;) {
        int rc = wait_fd(fd, POLLIN, deadline);
        if (rc)
            return rc;
        if (lm_buf_reserve(b, want))
            return b->err;
        ssize_t n = recv(fd, b->data + b->len, want, 0);
        if (n >= 0) {
            b->len += (size_t)n;
            return (long)n;
        }
        if (errno != EINTR && errno != EAGAIN)
            return LM_EIO;
    }
}

/* read_frame: read one whole frame into b (replacing its contents): looping on recv
 * until the 4-byte length and then the payload are complete. what names the frame. */
static int
read_frame(int fd, struct lm_buf *b, size_t max, double deadline, const char *what,
           const char *address, struct lm_err *err)
{
    size_t total = 4;
    lm_buf_reset(b);
    while (b->len < total) {
        long n = recv_some(fd, b, total - b->len, deadline);
        if (n == 0)
            return lm_err_set(err, LM_EIO, address,
                              "server closed the connection after %zu of %zu bytes of the %s",
                              b->len, total, what);
        if (n < 0)
            return lm_err_set(err, (int)n, address, "reading the %s: %s", what,
                              n == LM_ETIMEOUT ? "timed out" : lm_strerror((int)n));
        if (b->len >= 4 && total == 4) {
            int rc = zeo_frame_size((const unsigned char *)b->data, b->len, max, &total, err);
            if (rc) {
                char msg[LM_ERR_MSG_MAX];
                snprintf(msg, sizeof msg, "%s", err->msg);
                return lm_err_set(err, rc, address, "%s: %s", what, msg);
            }
        }
    }
    return 0;
}

/* send_all: write n bytes by deadline. */
static int
send_all(int fd, const void *p, size_t n, double deadline)
{
    const char *c = p;
    while (n) {
        int rc = wait_fd(fd, POLLOUT, deadline);
        if (rc)
            return rc;
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return LM_EIO;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fetch_ruok: announcement, ruok, reply. */
static int
fetch_ruok(int fd, const char *address, double deadline, struct lm_buf *b,
           struct zeo_status *st, struct lm_err *err)
{
    static const unsigned char ruok[] = {0, 0, 0, 4, 'r', 'u', 'o', 'k'};
    int rc = read_frame(fd, b, ZEO_MAX_ANNOUNCE, deadline, "protocol announcement", address,
                        err);
    if (rc)
        return rc;
    rc = zeo_announce_check((const unsigned char *)b->data + 4, b->len - 4, st, err);
    if (rc)
        goto where;
    rc = send_all(fd, ruok, sizeof ruok, deadline);
    if (rc)
        return lm_err_set(err, rc, address, "sending ruok: %s",
                          rc == LM_ETIMEOUT ? "timed out" : strerror(errno));
    rc = read_frame(fd, b, ZEO_MAX_REPLY, deadline, "ruok reply", address, err);
    if (rc) {
        if (rc == LM_EIO && st->protocol[1] == '3')
            snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
                     " (a %s server predates ruok: use --zeo.monitor-address)", st->protocol);
        return rc;
    }
    rc = zeo_status_parse_json(b->data + 4, b->len - 4, st, err);
    if (rc)
        goto where;
    return 0;
where:
    snprintf(err->where, sizeof err->where, "%s", address);
    return rc;
}

/* fetch_monitor: read the monitor report to EOF and parse it. */
static int
fetch_monitor(int fd, const char *address, double deadline, struct lm_buf *b,
              struct zeo_status *st, struct lm_err *err)
{
    for (;;) {
        long n = recv_some(fd, b, 16384, deadline);
        if (n == 0)
            break;
        if (n < 0)
            return lm_err_set(err, (int)n, address, "reading the monitor report: %s",
                              n == LM_ETIMEOUT ? "timed out" : lm_strerror((int)n));
    }
    int rc = zeo_monitor_parse(b->data ? b->data : "", b->len, st, err);
    if (rc)
        snprintf(err->where, sizeof err->where, "%s", address);
    return rc;
}

int
zeo_fetch(const char *address, bool monitor, double deadline, struct zeo_status *st,
          struct lm_err *err)
{
    int fd = open_conn(address, deadline, err);
    if (fd < 0)
        return err->code ? err->code : LM_EIO;
    struct lm_buf b;
    lm_buf_init(&b, ZEO_MAX_REPLY + 4);
    int rc = monitor ? fetch_monitor(fd, address, deadline, &b, st, err)
                     : fetch_ruok(fd, address, deadline, &b, st, err);
    lm_buf_cleanup(&b);
    close(fd);
    return rc;
}
