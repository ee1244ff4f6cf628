/* SPDX-License-Identifier: Apache-2.0 */
/* sock.c: the deadline-bounded stream socket client of sock.h. Every wait is one poll()
 * for the time left before the CLOCK_MONOTONIC deadline (lm_monotonic), so a peer that
 * accepts and never answers costs at most the deadline. Address parsing accepts the
 * union of what the callers take: unix:PATH, a path, host:port, [v6]:port. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "lm/exporter.h"
#include "proto/sock.h"

#define HOST_MAX 256   /* host part of host:port */
#define PORT_MAX 32    /* port part of host:port */
#define CHUNK 16384    /* bytes per read(2) */

/* wait_fd: poll fd for ev until deadline. 0 when ready, LM_ETIMEOUT, or LM_EIO. */
static int
wait_fd(int fd, short ev, double deadline)
{
    for (;;) {
        double left = deadline - lm_monotonic();
        if (left <= 0)
            return LM_ETIMEOUT;
        struct pollfd p = {.fd = fd, .events = ev};
        int ms = left > 1e6 ? 1000000000 : (int)(left * 1000) + 1;
        int n = poll(&p, 1, ms);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return LM_EIO;
    }
}

/* connect_fd: a new socket of family connected to sa by deadline. Returns the fd, or
 * a negative LM_EIO / LM_ETIMEOUT with *sys the OS reason (ETIMEDOUT for the deadline). */
static int
connect_fd(int family, int proto, const struct sockaddr *sa, socklen_t len,
           double deadline, int *sys)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (fd < 0) {
        *sys = errno;
        return LM_EIO;
    }
    int rc = LM_EIO;
    if (connect(fd, sa, len) == 0)
        return fd;
    if (errno != EINPROGRESS && errno != EAGAIN) {
        *sys = errno;
        goto fail;
    }
    rc = wait_fd(fd, POLLOUT, deadline);
    if (rc) {
        *sys = rc == LM_ETIMEOUT ? ETIMEDOUT : errno;
        goto fail;
    }
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
        soerr = errno;
    if (!soerr)
        return fd;
    *sys = soerr;
    rc = LM_EIO;
fail:
    close(fd);
    return rc;
}

/* dial_fail: set err for a failed dial and leave sys in errno. Returns rc. */
static int
dial_fail(struct lm_err *err, int rc, int sys, const char *where, const char *net,
          const char *reason)
{
    if (!reason)
        reason = sys == ETIMEDOUT ? "i/o timeout" : strerror(sys);
    lm_err_set(err, rc, where, "dial %s %s: %s", net, where, reason);
    errno = sys;
    return rc;
}

int
proto_sock_connect_unix(const char *path, double deadline, struct lm_err *err)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    size_t n = strlen(path);
    if (!n || n >= sizeof sun.sun_path)
        return dial_fail(err, LM_EINVAL, 0, path, "unix",
                         n ? "socket path too long" : "empty socket path");
    memcpy(sun.sun_path, path, n + 1);
    int sys = 0;
    int fd = connect_fd(AF_UNIX, 0, (struct sockaddr *)&sun, sizeof sun, deadline, &sys);
    if (fd < 0)
        return dial_fail(err, fd, sys, path, "unix", NULL);
    return fd;
}

int
proto_sock_connect_tcp(const char *host, const char *port, double deadline,
                       struct lm_err *err)
{
    char where[HOST_MAX + PORT_MAX + 4];
    bool v6 = host && strchr(host, ':');
    snprintf(where, sizeof where, "%s%s%s:%s", v6 ? "[" : "", host ? host : "", v6 ? "]" : "",
             port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int g = getaddrinfo(host && host[0] ? host : NULL, port, &hints, &res);
    if (g) {
        char reason[LM_ERR_MSG_MAX];
        snprintf(reason, sizeof reason, "lookup %s: %s", host && host[0] ? host : "localhost",
                 gai_strerror(g));
        return dial_fail(err, LM_EIO, 0, where, "tcp", reason);
    }
    int fd = LM_EIO, sys = ECONNREFUSED;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = connect_fd(ai->ai_family, ai->ai_protocol, ai->ai_addr, ai->ai_addrlen,
                        deadline, &sys);
        if (fd == LM_ETIMEOUT)
            break;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return dial_fail(err, fd, sys, where, "tcp", NULL);
    return fd;
}

int
proto_sock_connect(const char *addr, double deadline, struct lm_err *err)
{
    if (!strncmp(addr, "unix:", 5))
        return proto_sock_connect_unix(addr + 5, deadline, err);
    if (addr[0] != '[' && strchr(addr, '/'))
        return proto_sock_connect_unix(addr, deadline, err);
    char host[HOST_MAX], port[PORT_MAX];
    const char *colon = strrchr(addr, ':');
    const char *h = addr;
    size_t hl = colon ? (size_t)(colon - addr) : 0;
    if (hl && addr[0] == '[') {
        if (hl < 2 || addr[hl - 1] != ']') {
            errno = 0;
            return lm_err_set(err, LM_EINVAL, addr, "bad address: want [v6addr]:port");
        }
        h++;
        hl -= 2;
    }
    if (!colon || !colon[1] || strlen(colon + 1) >= sizeof port || hl >= sizeof host) {
        errno = 0;
        return lm_err_set(err, LM_EINVAL, addr,
                          "bad address: want host:port, [v6addr]:port or a socket path");
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    memcpy(port, colon + 1, strlen(colon + 1) + 1);
    int fd = proto_sock_connect_tcp(host, port, deadline, err);
    if (fd < 0) {   /* name the address as the caller gave it */
        int sys = errno;
        snprintf(err->where, sizeof err->where, "%s", addr);
        errno = sys;
    }
    return fd;
}

int
proto_sock_write(int fd, const void *p, size_t n, double deadline, const char *where,
                 struct lm_err *err)
{
    const char *c = p;
    size_t off = 0;
    while (off < n) {
        ssize_t w = send(fd, c + off, n - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR)
            return lm_err_set(err, LM_EIO, where, "write: %s", strerror(errno));
        int rc = wait_fd(fd, POLLOUT, deadline);
        if (rc == LM_ETIMEOUT)
            return lm_err_set(err, rc, where, "write: timed out after %zu of %zu bytes",
                              off, n);
        if (rc)
            return lm_err_set(err, rc, where, "write: poll: %s", strerror(errno));
    }
    return 0;
}

int
proto_sock_read(int fd, struct lm_buf *out, size_t want, double deadline,
                const char *where, struct lm_err *err)
{
    char chunk[CHUNK];
    size_t got = 0;
    while (!want || got < want) {
        size_t ask = want && want - got < sizeof chunk ? want - got : sizeof chunk;
        ssize_t r = read(fd, chunk, ask);
        if (r == 0)
            return 0;
        if (r > 0) {
            int rc = lm_buf_append(out, chunk, (size_t)r);
            if (rc == LM_ETOOBIG)
                return lm_err_set(err, rc, where, "reply larger than %zu bytes", out->max);
            if (rc)
                return lm_err_set(err, rc, where, "%s", lm_strerror(rc));
            got += (size_t)r;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            return lm_err_set(err, LM_EIO, where, "read: %s", strerror(errno));
        int rc = wait_fd(fd, POLLIN, deadline);
        if (rc == LM_ETIMEOUT)
            return got ? lm_err_set(err, rc, where, "read: timed out after %zu bytes", got)
                       : lm_err_set(err, rc, where, "read: no answer before the timeout");
        if (rc)
            return lm_err_set(err, rc, where, "read: poll: %s", strerror(errno));
    }
    return 0;
}
