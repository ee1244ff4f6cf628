/* SPDX-License-Identifier: Apache-2.0 */
/* stats_socket.c: one command on HAProxy's stats socket (the CLI): connect to a unix
 * socket path or a tcp host:port, write "show stat\n" or "show info\n", shut down the
 * write side and read until HAProxy closes (non-interactive mode). Everything is bounded
 * by a CLOCK_MONOTONIC deadline (poll) and the output by the buffer's cap. Never logs. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "haproxy_exporter/hap.h"

static double
now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* wait_fd: poll fd for ev until deadline. 0 ready, LM_ETIMEOUT, or LM_EIO. */
static int
wait_fd(int fd, short ev, double deadline)
{
    for (;;) {
        double left = deadline - now_mono();
        if (left <= 0)
            return LM_ETIMEOUT;
        struct pollfd p = {fd, ev, 0};
        int ms = left > 1e6 ? 1000000000 : (int)(left * 1000) + 1;
        int n = poll(&p, 1, ms);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return LM_EIO;
    }
}

/* connect_nb: non-blocking connect of fd to sa within the deadline. 0 or LM_E*. */
static int
connect_nb(int fd, const struct sockaddr *sa, socklen_t len, double deadline, int *sys)
{
    if (connect(fd, sa, len) == 0)
        return 0;
    if (errno != EINPROGRESS && errno != EAGAIN) {
        *sys = errno;
        return LM_EIO;
    }
    int rc = wait_fd(fd, POLLOUT, deadline);
    if (rc)
        return rc;
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    *sys = soerr;
    return soerr ? LM_EIO : 0;
}

/* open_conn: a connected non-blocking socket to addr ("unix:" path or "tcp:" host:port
 * as split by the caller). Returns the fd or a negative LM_E* with err set. */
static int
open_conn(bool is_unix, const char *addr, double deadline, struct lm_err *err)
{
    int sys = 0, rc;
    if (is_unix) {
        struct sockaddr_un sun = {.sun_family = AF_UNIX};
        if (strlen(addr) >= sizeof sun.sun_path)
            return lm_err_set(err, LM_EINVAL, addr, "socket path too long");
        memcpy(sun.sun_path, addr, strlen(addr) + 1);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return lm_err_set(err, LM_EIO, addr, "socket: %s", strerror(errno));
        rc = connect_nb(fd, (struct sockaddr *)&sun, sizeof sun, deadline, &sys);
        if (!rc)
            return fd;
        close(fd);
        return lm_err_set(err, rc, addr, "dial unix %s: %s", addr,
                          rc == LM_ETIMEOUT ? "i/o timeout" : strerror(sys));
    }
    char host[256];
    const char *colon = strrchr(addr, ':');
    if (!colon || (size_t)(colon - addr) >= sizeof host)
        return lm_err_set(err, LM_EINVAL, addr, "want tcp://host:port");
    const char *h = addr;
    size_t hl = (size_t)(colon - addr);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']')
        h++, hl -= 2;
    memcpy(host, h, hl);
    host[hl] = '\0';
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int gai = getaddrinfo(host, colon + 1, &hints, &res);
    if (gai)
        return lm_err_set(err, LM_EIO, addr, "dial tcp %s: %s", addr, gai_strerror(gai));
    rc = LM_EIO;
    int fd = -1;
    for (struct addrinfo *ai = res; ai && rc; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0)
            continue;
        rc = connect_nb(fd, ai->ai_addr, ai->ai_addrlen, deadline, &sys);
        if (rc) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd >= 0)
        return fd;
    return lm_err_set(err, rc, addr, "dial tcp %s: %s", addr,
                      rc == LM_ETIMEOUT ? "i/o timeout" : strerror(sys ? sys : ECONNREFUSED));
}

int
hap_socket_cmd(bool is_unix, const char *addr, const char *cmd, double deadline,
               struct lm_buf *out, struct lm_err *err)
{
    lm_buf_reset(out);
    int fd = open_conn(is_unix, addr, deadline, err);
    if (fd < 0)
        return fd;
    int rc = 0;
    size_t off = 0, n = strlen(cmd);
    while (!rc && off < n) {
        ssize_t w = send(fd, cmd + off, n - off, MSG_NOSIGNAL);
        if (w > 0)
            off += (size_t)w;
        else if (w < 0 && (errno == EAGAIN || errno == EINTR))
            rc = wait_fd(fd, POLLOUT, deadline);
        else
            rc = lm_err_set(err, LM_EIO, addr, "write: %s", strerror(errno));
    }
    if (!rc)
        shutdown(fd, SHUT_WR);
    char buf[16384];
    while (!rc) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r == 0)
            break;
        if (r > 0) {
            rc = lm_buf_append(out, buf, (size_t)r);
            if (rc)
                lm_err_set(err, rc, addr, "reply larger than %zu bytes", out->max);
        } else if (errno == EAGAIN || errno == EINTR) {
            rc = wait_fd(fd, POLLIN, deadline);
        } else {
            rc = lm_err_set(err, LM_EIO, addr, "read: %s", strerror(errno));
        }
    }
    if (rc == LM_ETIMEOUT && !err->code)
        lm_err_set(err, rc, addr, "%s: i/o timeout", cmd[0] ? "read" : "write");
    else if (rc && !err->code)
        lm_err_set(err, rc, addr, "%s", lm_strerror(rc));
    close(fd);
    return rc;
}
