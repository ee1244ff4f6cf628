/* SPDX-License-Identifier: Apache-2.0 */
/* test_sock.c: proto/sock.c against a forked one-connection server on loopback TCP and
 * on a unix socket: write a request and read the reply to EOF, read a fixed length,
 * connection refused, a missing socket path, bad addresses, a peer that accepts and
 * never answers (the read ends at the deadline) and a reply over the buffer's cap. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>
#include "lm/buf.h"
#include "lm/exporter.h"
#include "proto/sock.h"

enum { S_ECHO = 1, S_SEND, S_HANG };

/* A forked server: one connection, one behaviour. */
struct server {
    int lfd;            /* listening socket (parent's copy closed after fork) */
    pid_t pid;          /* the child */
    char addr[128];     /* what to pass to proto_sock_connect */
};

/* serve: the child: accept one connection and act out mode. Never returns. */
static void
serve(int lfd, int mode, size_t nsend)
{
    int c = accept(lfd, NULL, NULL);
    if (c < 0)
        _exit(1);
    if (mode == S_ECHO) {   /* read the request to EOF, answer "got:" + request */
        char req[256];
        size_t n = 0;
        ssize_t r;
        while (n < sizeof req && (r = read(c, req + n, sizeof req - n)) > 0)
            n += (size_t)r;
        if (write(c, "got:", 4) != 4 || write(c, req, n) != (ssize_t)n)
            _exit(1);
    } else if (mode == S_SEND) {
        char x[1024];
        memset(x, 'x', sizeof x);
        for (size_t off = 0; off < nsend;) {
            size_t k = nsend - off < sizeof x ? nsend - off : sizeof x;
            ssize_t w = write(c, x, k);
            if (w <= 0)
                _exit(0);
            off += (size_t)w;
        }
    } else {
        pause();
    }
    close(c);
    _exit(0);
}

/* start: listen on loopback TCP (unix_path NULL) or on unix_path, fork the server. */
static void
start(struct server *s, const char *unix_path, int mode, size_t nsend)
{
    if (unix_path) {
        struct sockaddr_un sun = {.sun_family = AF_UNIX};
        snprintf(sun.sun_path, sizeof sun.sun_path, "%s", unix_path);
        unlink(unix_path);
        s->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
        ck_assert_int_eq(bind(s->lfd, (struct sockaddr *)&sun, sizeof sun), 0);
        snprintf(s->addr, sizeof s->addr, "%s", unix_path);
    } else {
        struct sockaddr_in sin = {.sin_family = AF_INET,
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t sl = sizeof sin;
        s->lfd = socket(AF_INET, SOCK_STREAM, 0);
        ck_assert_int_eq(bind(s->lfd, (struct sockaddr *)&sin, sizeof sin), 0);
        ck_assert_int_eq(getsockname(s->lfd, (struct sockaddr *)&sin, &sl), 0);
        snprintf(s->addr, sizeof s->addr, "127.0.0.1:%d", ntohs(sin.sin_port));
    }
    ck_assert_int_eq(listen(s->lfd, 4), 0);
    s->pid = fork();
    ck_assert_int_ge(s->pid, 0);
    if (s->pid == 0)
        serve(s->lfd, mode, nsend);
    close(s->lfd);
}

/* stop: end the child (it may be parked in pause()) and reap it. */
static void
stop(struct server *s)
{
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
}

/* request: connect to addr, send "ping", shut down writing, read the reply to EOF. */
static void
request(const char *addr)
{
    struct lm_err err = {0};
    struct lm_buf b;
    lm_buf_init(&b, 1024);
    double dl = lm_monotonic() + 5;
    int fd = proto_sock_connect(addr, dl, &err);
    ck_assert_msg(fd >= 0, "%s: %s", err.where, err.msg);
    ck_assert_int_eq(proto_sock_write(fd, "ping", 4, dl, addr, &err), 0);
    shutdown(fd, SHUT_WR);
    ck_assert_int_eq(proto_sock_read(fd, &b, 0, dl, addr, &err), 0);
    ck_assert_str_eq(lm_buf_cstr(&b), "got:ping");
    close(fd);
    lm_buf_cleanup(&b);
}

START_TEST(test_tcp_roundtrip)
{
    struct server s;
    start(&s, NULL, S_ECHO, 0);
    request(s.addr);
    stop(&s);
}
END_TEST

START_TEST(test_unix_roundtrip)
{
    char path[108], addr[128];
    snprintf(path, sizeof path, "/tmp/test_sock.%d.sock", (int)getpid());
    struct server s;
    start(&s, path, S_ECHO, 0);
    request(s.addr);                       /* a path holding a '/' */
    stop(&s);
    start(&s, path, S_ECHO, 0);
    snprintf(addr, sizeof addr, "unix:%s", path);
    request(addr);                         /* unix:PATH */
    stop(&s);
    unlink(path);
}
END_TEST

START_TEST(test_read_want)
{
    struct server s;
    struct lm_err err = {0};
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    start(&s, NULL, S_SEND, 100);
    double dl = lm_monotonic() + 5;
    int fd = proto_sock_connect(s.addr, dl, &err);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(proto_sock_read(fd, &b, 30, dl, s.addr, &err), 0);
    ck_assert_uint_eq(b.len, 30);
    ck_assert_int_eq(proto_sock_read(fd, &b, 500, dl, s.addr, &err), 0);   /* EOF first */
    ck_assert_uint_eq(b.len, 100);
    close(fd);
    stop(&s);
    lm_buf_cleanup(&b);
}
END_TEST

START_TEST(test_refused)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sin;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_eq(bind(l, (struct sockaddr *)&sin, sizeof sin), 0);
    ck_assert_int_eq(getsockname(l, (struct sockaddr *)&sin, &sl), 0);
    close(l);   /* bound once, nobody listens now */
    char addr[64], want[128];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", ntohs(sin.sin_port));
    struct lm_err err = {0};
    ck_assert_int_eq(proto_sock_connect(addr, lm_monotonic() + 5, &err), LM_EIO);
    ck_assert_int_eq(errno, ECONNREFUSED);
    ck_assert_str_eq(err.where, addr);
    snprintf(want, sizeof want, "dial tcp %s: %s", addr, strerror(ECONNREFUSED));
    ck_assert_str_eq(err.msg, want);

    ck_assert_int_eq(proto_sock_connect("/nonexistent/x.sock", lm_monotonic() + 5, &err),
                     LM_EIO);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_str_eq(err.where, "/nonexistent/x.sock");
    ck_assert_ptr_nonnull(strstr(err.msg, "dial unix /nonexistent/x.sock: "));
}
END_TEST

START_TEST(test_bad_address)
{
    static const char *const bad[] = {"nocolon", "host:", "[::1", "[::1]", "[]:"};
    struct lm_err err = {0};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(proto_sock_connect(bad[i], lm_monotonic() + 1, &err), LM_EINVAL);
        ck_assert_str_eq(err.where, bad[i]);
    }
    char longpath[200];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = '\0';
    ck_assert_int_eq(proto_sock_connect_unix(longpath, lm_monotonic() + 1, &err), LM_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "socket path too long"));
}
END_TEST

START_TEST(test_timeout)
{
    struct server s;
    struct lm_err err = {0};
    struct lm_buf b;
    lm_buf_init(&b, 1024);
    start(&s, NULL, S_HANG, 0);
    double t0 = lm_monotonic();
    int fd = proto_sock_connect(s.addr, t0 + 0.3, &err);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(proto_sock_read(fd, &b, 0, t0 + 0.3, s.addr, &err), LM_ETIMEOUT);
    double el = lm_monotonic() - t0;
    ck_assert_msg(el >= 0.29 && el < 1.5, "took %.3fs", el);
    ck_assert_str_eq(err.where, s.addr);
    ck_assert_str_eq(err.msg, "read: no answer before the timeout");
    close(fd);
    stop(&s);
    lm_buf_cleanup(&b);
}
END_TEST

START_TEST(test_too_big)
{
    char path[108];
    snprintf(path, sizeof path, "/tmp/test_sock_big.%d.sock", (int)getpid());
    struct server s;
    struct lm_err err = {0};
    struct lm_buf b;
    lm_buf_init(&b, 1000);
    start(&s, path, S_SEND, 100000);
    double dl = lm_monotonic() + 5;
    int fd = proto_sock_connect_unix(path, dl, &err);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(proto_sock_read(fd, &b, 0, dl, path, &err), LM_ETOOBIG);
    ck_assert_str_eq(err.msg, "reply larger than 1000 bytes");
    close(fd);
    stop(&s);
    unlink(path);
    lm_buf_cleanup(&b);
}
END_TEST

Suite *sock_suite(void);
Suite *
sock_suite(void)
{
    Suite *s = suite_create("sock");
    TCase *tc = tcase_create("loopback");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_tcp_roundtrip);
    tcase_add_test(tc, test_unix_roundtrip);
    tcase_add_test(tc, test_read_want);
    tcase_add_test(tc, test_refused);
    tcase_add_test(tc, test_bad_address);
    tcase_add_test(tc, test_timeout);
    tcase_add_test(tc, test_too_big);
    suite_add_tcase(s, tc);
    return s;
}
