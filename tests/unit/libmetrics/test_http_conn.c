/* SPDX-License-Identifier: Apache-2.0 */
/* test_http_conn.c: the connection layer under lm/http.h (http_conn.c), with raw
 * sockets against a live server on 127.0.0.1 port 0: two requests on one keep-alive
 * connection and pipelined requests, HTTP/1.0 closing, HEAD keeping Content-Length,
 * a chunked urlencoded form body, 100-continue, the percent-decoded path and '+' in the
 * query, and refusals: malformed request line, HTTP/1.1 without Host, an oversized head
 * (431), an unknown HTTP version (505), Content-Length with Transfer-Encoding; many
 * sequential and concurrent connections served by a bounded, reused set of threads. */
#include <check.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/http.h"

Suite *http_conn_suite(void);

static struct lm_http_server *srv;
static int port;

/* echo: answers "path=<path> q=<q> n=<count of q> m=<method>". */
static int
echo(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    const char *q = lm_http_request_query(req, "q");
    return lm_buf_printf(lm_http_response_body(resp), "path=%s q=%s n=%zu m=%s",
                         lm_http_request_path(req), q ? q : "(none)",
                         lm_http_request_query_count(req, "q"), lm_http_request_method(req));
}

static void
setup(void)
{
    const char *listen[] = {"127.0.0.1:0"};
    struct lm_http_options o;
    lm_http_options_init(&o);
    o.listen = listen;
    o.nlisten = 1;
    o.timeout_s = 5;
    struct lm_err err;
    srv = lm_http_server_new(&o, &err);
    ck_assert_ptr_nonnull(srv);
    ck_assert_int_eq(lm_http_route(srv, "/e", LM_HTTP_ALLOW_POST | LM_HTTP_PREFIX, echo, NULL), 0);
    ck_assert_int_eq(lm_http_server_start(srv, &err), 0);
    port = lm_http_server_port(srv, 0);
    ck_assert_int_gt(port, 0);
}

static void
teardown(void)
{
    lm_http_server_free(srv);
    srv = NULL;
}

static int
dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void
put(int fd, const char *s)
{
    ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* slurp: what fd sends until EOF or 1 s of silence, into out (NUL-terminated). */
static size_t
slurp(int fd, char *out, size_t n)
{
    size_t len = 0;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 1000) <= 0)
            break;
        ssize_t r = read(fd, out + len, n - 1 - len);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    out[len] = '\0';
    return len;
}

/* count: occurrences of needle in hay. */
static int
count(const char *hay, const char *needle)
{
    int k = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        k++;
    return k;
}

START_TEST(test_keepalive_pipelined)
{
    char buf[8192];
    int fd = dial();
    put(fd, "GET /e/a%20b?q=1+2&q=x HTTP/1.1\r\nHost: h\r\n\r\n"
            "GET /e?q=%41 HTTP/1.1\r\nHost: h\r\n\r\n");
    put(fd, "HEAD /e HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    slurp(fd, buf, sizeof buf);
    close(fd);
    ck_assert_int_eq(count(buf, "HTTP/1.1 200 OK\r\n"), 3);
    ck_assert_ptr_nonnull(strstr(buf, "path=/e/a b q=1 2 n=2 m=GET"));
    ck_assert_ptr_nonnull(strstr(buf, "path=/e q=A n=1 m=GET"));
    /* the HEAD answer: the length of "path=/e q=(none) n=0 m=HEAD", no body, then EOF */
    const char *head = strstr(buf, "HTTP/1.1 200 OK\r\n");
    head = strstr(head + 1, "HTTP/1.1 200 OK\r\n");
    head = strstr(head + 1, "HTTP/1.1 200 OK\r\n");
    ck_assert_ptr_nonnull(strstr(head, "Content-Length: 27\r\n"));
    ck_assert_ptr_nonnull(strstr(head, "Connection: close\r\n"));
    ck_assert_str_eq(strstr(head, "\r\n\r\n"), "\r\n\r\n");
}
END_TEST

START_TEST(test_http10_closes)
{
    char buf[4096];
    int fd = dial();
    put(fd, "GET /e HTTP/1.0\r\n\r\n");
    size_t n = slurp(fd, buf, sizeof buf);
    close(fd);
    ck_assert_uint_gt(n, 0);
    ck_assert_ptr_nonnull(strstr(buf, "Connection: close\r\n"));
    ck_assert_ptr_nonnull(strstr(buf, "m=GET"));
}
END_TEST

START_TEST(test_chunked_form_continue)
{
    char buf[4096];
    int fd = dial();
    put(fd, "POST /e?q=url HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nExpect: 100-continue\r\n"
            "Connection: close\r\n\r\n");
    struct pollfd p = {.fd = fd, .events = POLLIN};
    ck_assert_int_eq(poll(&p, 1, 2000), 1);
    ssize_t r = read(fd, buf, 25);
    ck_assert_int_eq(r, 25);
    ck_assert(!memcmp(buf, "HTTP/1.1 100 Continue\r\n\r\n", 25));
    put(fd, "4\r\nq=bo\r\n2;ext=1\r\ndy\r\n0\r\nTrailer: x\r\n\r\n");
    slurp(fd, buf, sizeof buf);
    close(fd);
    ck_assert_ptr_nonnull(strstr(buf, "HTTP/1.1 200 OK\r\n"));
    ck_assert_ptr_nonnull(strstr(buf, "q=body n=2 m=POST"));
}
END_TEST

/* refused: the status line the server answers raw with. */
static void
refused(const char *raw, const char *status)
{
    char buf[4096];
    int fd = dial();
    put(fd, raw);
    slurp(fd, buf, sizeof buf);
    close(fd);
    ck_assert_msg(!strncmp(buf, status, strlen(status)), "%s -> %.40s", raw, buf);
}

START_TEST(test_refusals)
{
    refused("GARBAGE\r\n\r\n", "HTTP/1.1 400 ");
    refused("GET /e HTTP/1.1\r\n\r\n", "HTTP/1.1 400 ");
    refused("GET /e HTTP/2.0\r\nHost: h\r\n\r\n", "HTTP/1.1 505 ");
    refused("GET e HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 400 ");
    refused("GET /e HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", "HTTP/1.1 400 ");
    refused("POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "HTTP/1.1 400 ");
    refused("POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n", "HTTP/1.1 400 ");
    refused("GET /%00 HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 400 ");
    refused("GET /nowhere HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 404 ");
    refused("DELETE /e HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 405 ");
    /* an oversized head */
    size_t n = 70 * 1024;
    char *big = lm_malloc(n + 64);
    ck_assert_ptr_nonnull(big);
    int k = snprintf(big, n + 64, "GET /e HTTP/1.1\r\nHost: h\r\nX: ");
    memset(big + k, 'a', n);
    big[k + n] = '\0';
    refused(big, "HTTP/1.1 431 ");
    lm_free(big);
}
END_TEST

/* threads: live threads of this process. */
static int
threads(void)
{
    DIR *d = opendir("/proc/self/task");
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

/* get10: an HTTP/1.0 request for /e/<i> on a new connection; its fd. */
static int
get10(int i)
{
    int fd = dial();
    char req[64];
    snprintf(req, sizeof req, "GET /e/%d HTTP/1.0\r\n\r\n", i);
    put(fd, req);
    return fd;
}

/* answered: read fd's whole answer (the server closes), check it is for /e/<i>, close. */
static void
answered(int fd, int i)
{
    char out[1024], want[64];
    slurp(fd, out, sizeof out);
    snprintf(want, sizeof want, "path=/e/%d q=", i);
    ck_assert_msg(strstr(out, "HTTP/1.1 200 ") == out && strstr(out, want), "%d: %s", i, out);
    close(fd);
}

/* settle: wait up to 3 s for at most max threads; the count then. */
static int
settle(int max)
{
    int n = threads();
    for (int i = 0; i < 300 && n > max; i++) {
        poll(NULL, 0, 10);
        n = threads();
    }
    return n;
}

START_TEST(test_threads_reused_bounded)
{
    int base = threads();  /* this one and the accept thread */
    for (int i = 0; i < 300; i++) {
        answered(get10(i), i);
        ck_assert_int_le(threads(), base + 6);
    }
    /* idle workers are kept for the next connection (at most 4), not ended at once */
    int n = settle(base + 4);
    ck_assert_int_gt(n, base);
    ck_assert_int_le(n, base + 4);
    enum { CONC = 24 };
    int fds[CONC];
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < CONC; i++)
            fds[i] = get10(i);
        for (int i = CONC - 1; i >= 0; i--)
            answered(fds[i], i);
        ck_assert_int_le(threads(), base + CONC + 1);
    }
    /* the extra workers end once their connections close: no more than 4 stay idle */
    n = settle(base + 4);
    ck_assert_int_gt(n, base);
    ck_assert_int_le(n, base + 4);
}
END_TEST

Suite *
http_conn_suite(void)
{
    Suite *s = suite_create("http_conn");
    TCase *tc = tcase_create("raw");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_keepalive_pipelined);
    tcase_add_test(tc, test_http10_closes);
    tcase_add_test(tc, test_chunked_form_continue);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_threads_reused_bounded);
    suite_add_tcase(s, tc);
    return s;
}
