/* SPDX-License-Identifier: Apache-2.0 */
/* test_httpc.c: proto/httpc.c: URL parsing (userinfo, IPv6, default ports, targets),
 * redaction, the answer parser (Content-Length, chunked with trailers, read to EOF, 1xx
 * skipped, HEAD/204, truncation, caps, malformed heads) and a full exchange over a
 * socketpair checking the request bytes (method, Host, basic auth, body, extra headers),
 * the answer's head, version and Content-Length, the header lookup, and the exchange
 * over a caller's transport (proto_httpc_exchange_io). */
#include <check.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "lm/buf.h"
#include "lm/exporter.h"
#include "proto/httpc.h"

Suite *httpc_suite(void);

START_TEST(test_url_parse)
{
    struct proto_url u;
    struct lm_err err;
    ck_assert_int_eq(proto_url_parse("http://127.0.0.1:8080/server-status?auto", &u, &err), 0);
    ck_assert_str_eq(u.scheme, "http");
    ck_assert_str_eq(u.host, "127.0.0.1");
    ck_assert_str_eq(u.port, "8080");
    ck_assert_str_eq(u.hostport, "127.0.0.1:8080");
    ck_assert_str_eq(u.target, "/server-status?auto");
    ck_assert_int_eq(u.has_user, 0);
    ck_assert_int_eq(proto_url_parse("HTTPS://al%40ice:p%3Aw@[::1]/x#frag", &u, &err), 0);
    ck_assert_str_eq(u.scheme, "https");
    ck_assert_str_eq(u.user, "al@ice");
    ck_assert_str_eq(u.pass, "p:w");
    ck_assert_str_eq(u.host, "::1");
    ck_assert_str_eq(u.port, "443");
    ck_assert_str_eq(u.hostport, "[::1]");
    ck_assert_str_eq(u.target, "/x");
    ck_assert_int_eq(proto_url_parse("http://h?q=1", &u, &err), 0);
    ck_assert_str_eq(u.target, "/?q=1");
    ck_assert_str_eq(u.port, "80");
    ck_assert_int_eq(proto_url_parse("http://u@h:81", &u, &err), 0);
    ck_assert_str_eq(u.user, "u");
    ck_assert_str_eq(u.pass, "");
    ck_assert_str_eq(u.target, "/");
    const char *bad[] = {"ftp://h/", "http://", "http://:80/", "http://h:99999/", "http://h:8x/",
                         "http://[::1/", "http://h/a b", "http://u%zz@h/", "h:80", "http://h:/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = proto_url_parse(bad[i], &u, &err);
        if (!strcmp(bad[i], "http://h:/")) {  /* empty port: the default, as Go */
            ck_assert_int_eq(rc, 0);
            ck_assert_str_eq(u.hostport, "h");
            continue;
        }
        ck_assert_msg(rc == LM_EINVAL, "%s accepted", bad[i]);
    }
}
END_TEST

START_TEST(test_redact)
{
    char out[256];
    ck_assert_str_eq(proto_url_redact("http://u:secret@h:1/p?q", out, sizeof out),
                     "http://u:xxxxx@h:1/p?q");
    ck_assert_str_eq(proto_url_redact("http://u@h/p", out, sizeof out), "http://u@h/p");
    ck_assert_str_eq(proto_url_redact("http://h/p", out, sizeof out), "http://h/p");
    ck_assert_str_eq(proto_url_redact("bogus:pw@x", out, sizeof out), "bogus");
    ck_assert_ptr_null(strstr(proto_url_redact("https://a:b:c@h/", out, sizeof out), "b:c"));
}
END_TEST

/* parse: data as a complete answer into body (cap max); returns the code. */
static int
parse(const char *data, int complete, int head, size_t max, struct proto_httpc_resp *r,
      struct lm_buf *body)
{
    struct lm_err err;
    lm_buf_init(body, max);
    memset(r, 0, sizeof *r);
    r->body = body;
    return proto_httpc_parse(data, strlen(data), complete, head, r, &err);
}

START_TEST(test_parse)
{
    struct proto_httpc_resp r;
    struct lm_buf b;
    ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                           "Content-Length: 5\r\n\r\nhelloEXTRA", 0, 0, 100, &r, &b), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.content_type, "text/plain");
    ck_assert_str_eq(lm_buf_cstr(&b), "hello");
    lm_buf_cleanup(&b);
    ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", 0, 0, 100, &r, &b),
                     LM_ENODATA);
    lm_buf_cleanup(&b);
    ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", 1, 0, 100, &r, &b),
                     LM_EIO);
    lm_buf_cleanup(&b);
    const char *ch = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\nA\r\n0123456789\r\n"
                     "0\r\nX-Trailer: 1\r\n\r\n";
    ck_assert_int_eq(parse(ch, 0, 0, 100, &r, &b), 0);
    ck_assert_str_eq(lm_buf_cstr(&b), "abc0123456789");
    lm_buf_cleanup(&b);
    ck_assert_int_eq(parse(ch, 0, 0, 5, &r, &b), LM_ETOOBIG);
    lm_buf_cleanup(&b);
    ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
                           1, 0, 100, &r, &b), LM_EIO);
    lm_buf_cleanup(&b);
    ck_assert_int_eq(parse("HTTP/1.0 302 Found\nLocation:  /next \n\nto EOF", 0, 0, 100, &r, &b),
                     LM_ENODATA);
    lm_buf_cleanup(&b);
    ck_assert_int_eq(parse("HTTP/1.0 302 Found\nLocation:  /next \n\nto EOF", 1, 0, 100, &r, &b),
                     0);
    ck_assert_int_eq(r.status, 302);
    ck_assert_str_eq(r.location, "/next");
    ck_assert_str_eq(lm_buf_cstr(&b), "to EOF");
    lm_buf_cleanup(&b);
    ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", 0, 1, 100, &r, &b), 0);
    ck_assert_uint_eq(b.len, 0);
    lm_buf_cleanup(&b);
    ck_assert_int_eq(parse("HTTP/1.1 204 No Content\r\n\r\n", 0, 0, 100, &r, &b), 0);
    lm_buf_cleanup(&b);
    ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", 0, 0, 100, &r, &b),
                     LM_ETOOBIG);
    lm_buf_cleanup(&b);
    const char *bad[] = {"HTTP/2 200\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "garbage\r\n\r\n",
                         "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
                         "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                         "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
                         "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(parse(bad[i], 1, 0, 100, &r, &b) == LM_EIO, "accepted: %s", bad[i]);
        lm_buf_cleanup(&b);
    }
    ck_assert_int_eq(parse("", 1, 0, 100, &r, &b), LM_EIO);
    lm_buf_cleanup(&b);
}
END_TEST

START_TEST(test_exchange)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    const char *answer = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
    ck_assert_int_eq(write(sv[1], answer, strlen(answer)), (ssize_t)strlen(answer));
    shutdown(sv[1], SHUT_WR);
    struct lm_buf body;
    lm_buf_init(&body, 1024);
    struct proto_httpc_req req = {.method = "POST", .target = "/RPC2", .host = "localhost",
                                  .user = "alice", .pass = "pw", .user_agent = "t/1",
                                  .content_type = "text/xml", .body = "<x/>", .body_len = 4};
    struct proto_httpc_resp resp = {.body = &body};
    struct lm_err err;
    ck_assert_int_eq(proto_httpc_exchange(sv[0], &req, &resp, lm_monotonic() + 5, "here", &err),
                     0);
    ck_assert_int_eq(resp.status, 200);
    ck_assert_str_eq(lm_buf_cstr(&body), "ok");
    char got[1024];
    ssize_t n = read(sv[1], got, sizeof got - 1);
    ck_assert_int_gt(n, 0);
    got[n] = '\0';
    ck_assert_ptr_nonnull(strstr(got, "POST /RPC2 HTTP/1.1\r\nHost: localhost\r\n"));
    ck_assert_ptr_nonnull(strstr(got, "Authorization: Basic YWxpY2U6cHc=\r\n"));
    ck_assert_ptr_nonnull(strstr(got, "Content-Length: 4\r\n"));
    ck_assert_ptr_nonnull(strstr(got, "Connection: close\r\n\r\n<x/>"));
    /* header injection is refused */
    req.host = "h\r\nX: y";
    ck_assert_int_eq(proto_httpc_exchange(sv[0], &req, &resp, lm_monotonic() + 5, "here", &err),
                     LM_EINVAL);
    lm_buf_cleanup(&body);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

START_TEST(test_exchange_timeout)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    struct lm_buf body;
    lm_buf_init(&body, 1024);
    struct proto_httpc_req req = {.method = "GET", .target = "/", .host = "h"};
    struct proto_httpc_resp resp = {.body = &body};
    struct lm_err err;
    double t0 = lm_monotonic();
    ck_assert_int_eq(proto_httpc_exchange(sv[0], &req, &resp, t0 + 0.2, "here", &err),
                     LM_ETIMEOUT);
    ck_assert_double_lt(lm_monotonic() - t0, 2.0);
    ck_assert_ptr_nonnull(strstr(err.msg, "timed out"));
    ck_assert_str_eq(err.where, "here");
    lm_buf_cleanup(&body);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

START_TEST(test_exchange_head)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    const char *answer = "HTTP/1.0 302 Found\r\nLocation: /next\r\nX-A: one\r\n"
                         "x-a:  two \r\nContent-Length: 3\r\n\r\nabc";
    ck_assert_int_eq(write(sv[1], answer, strlen(answer)), (ssize_t)strlen(answer));
    shutdown(sv[1], SHUT_WR);
    struct lm_buf body, head;
    lm_buf_init(&body, 1024);
    lm_buf_init(&head, 1024);
    const char *hdrs[] = {"X-Custom", "v 1", "Accept", "text/plain"};
    struct proto_httpc_req req = {.method = "GET", .target = "/", .host = "h",
                                  .headers = hdrs, .nheaders = 2};
    struct proto_httpc_resp resp = {.body = &body, .head = &head};
    struct lm_err err;
    double t0 = lm_monotonic();
    ck_assert_int_eq(proto_httpc_exchange(sv[0], &req, &resp, t0 + 5, "here", &err), 0);
    ck_assert_int_eq(resp.status, 302);
    ck_assert_int_eq(resp.minor, 0);
    ck_assert_int_eq(resp.content_length, 3);
    ck_assert(resp.first_byte >= t0 && resp.first_byte <= lm_monotonic());
    ck_assert_str_eq(resp.location, "/next");
    ck_assert_str_eq(lm_buf_cstr(&body), "abc");
    ck_assert_uint_eq(head.len, strlen(answer) - 3);
    char v[64];
    size_t at = 0;
    ck_assert_int_eq(proto_httpc_header(head.data, head.len, "X-A", &at, v, sizeof v), 1);
    ck_assert_str_eq(v, "one");
    ck_assert_int_eq(proto_httpc_header(head.data, head.len, "X-A", &at, v, sizeof v), 1);
    ck_assert_str_eq(v, "two");
    ck_assert_int_eq(proto_httpc_header(head.data, head.len, "X-A", &at, v, sizeof v), 0);
    ck_assert_int_eq(proto_httpc_header(head.data, head.len, "location", NULL, v, 3), 1);
    ck_assert_str_eq(v, "/n");
    ck_assert_int_eq(proto_httpc_header(head.data, head.len, "HTTP/1.0 302 Found", NULL, v,
                                        sizeof v), 0);
    char got[1024];
    ssize_t n = read(sv[1], got, sizeof got - 1);
    ck_assert_int_gt(n, 0);
    got[n] = '\0';
    ck_assert_ptr_nonnull(strstr(got, "\r\nX-Custom: v 1\r\nAccept: text/plain\r\n"));
    ck_assert_ptr_null(strstr(got, "*/*"));
    /* a header name with a colon or a value with a line break is refused */
    hdrs[0] = "X:Y";
    ck_assert_int_eq(proto_httpc_exchange(sv[0], &req, &resp, t0 + 5, "here", &err), LM_EINVAL);
    hdrs[0] = "X";
    hdrs[1] = "a\nb";
    ck_assert_int_eq(proto_httpc_exchange(sv[0], &req, &resp, t0 + 5, "here", &err), LM_EINVAL);
    lm_buf_cleanup(&body);
    lm_buf_cleanup(&head);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

/* A scripted transport: the answer in pieces of at most 3 bytes, the request kept. */
struct script {
    const char *answer;    /* what read hands out */
    size_t off;            /* bytes handed out */
    char sent[1024];       /* what write got */
    size_t nsent;          /* bytes in sent */
    int fail_read;         /* read fails with LM_EIO at the end instead of EOF */
};

static long
script_read(void *ctx, void *p, size_t n, double deadline, struct lm_err *err)
{
    struct script *s = ctx;
    (void)deadline;
    size_t left = strlen(s->answer) - s->off;
    if (!left && s->fail_read)
        return lm_err_set(err, LM_EIO, NULL, "read: tls: boom");
    if (n > 3)
        n = 3;
    if (n > left)
        n = left;
    memcpy(p, s->answer + s->off, n);
    s->off += n;
    return (long)n;
}

static int
script_write(void *ctx, const void *p, size_t n, double deadline, struct lm_err *err)
{
    struct script *s = ctx;
    (void)deadline;
    if (s->nsent + n > sizeof s->sent)
        return lm_err_set(err, LM_EIO, NULL, "write: full");
    memcpy(s->sent + s->nsent, p, n);
    s->nsent += n;
    return 0;
}

START_TEST(test_exchange_io)
{
    struct script sc = {.answer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"};
    struct proto_httpc_io io = {.ctx = &sc, .read = script_read, .write = script_write};
    struct lm_buf body;
    lm_buf_init(&body, 1024);
    struct proto_httpc_req req = {.method = "GET", .target = "/x", .host = "h"};
    struct proto_httpc_resp resp = {.body = &body};
    struct lm_err err;
    ck_assert_int_eq(proto_httpc_exchange_io(&io, &req, &resp, lm_monotonic() + 5, "w", &err),
                     0);
    ck_assert_int_eq(resp.status, 200);
    ck_assert_int_eq(resp.minor, 1);
    ck_assert_int_eq(resp.content_length, -1);
    ck_assert_str_eq(lm_buf_cstr(&body), "abcde");
    ck_assert_int_eq(strncmp(sc.sent, "GET /x HTTP/1.1\r\nHost: h\r\n", 26), 0);
    /* a transport error keeps its reason and gets the place */
    lm_buf_reset(&body);
    sc = (struct script){.answer = "HTTP/1.1 200 OK\r\n", .fail_read = 1};
    ck_assert_int_eq(proto_httpc_exchange_io(&io, &req, &resp, lm_monotonic() + 5, "w", &err),
                     LM_EIO);
    ck_assert_str_eq(err.msg, "read: tls: boom");
    ck_assert_str_eq(err.where, "w");
    lm_buf_cleanup(&body);
}
END_TEST

Suite *
httpc_suite(void)
{
    Suite *s = suite_create("httpc");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_url_parse);
    tcase_add_test(tc, test_redact);
    tcase_add_test(tc, test_parse);
    tcase_add_test(tc, test_exchange);
    tcase_add_test(tc, test_exchange_timeout);
    tcase_add_test(tc, test_exchange_head);
    tcase_add_test(tc, test_exchange_io);
    suite_add_tcase(s, tc);
    return s;
}
