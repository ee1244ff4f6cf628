/* SPDX-License-Identifier: Apache-2.0 */
/* test_xmlrpc.c: the XML-RPC client: request bodies (byte-equal to what node_exporter
 * sends), response parsing of real supervisord replies, faults, every value type,
 * malformed input, OOM torture, and the transport against a forked one-shot HTTP server
 * on a unix socket and on loopback TCP (status codes, Content-Type, size cap, timeout,
 * password redaction). */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "proto/xmlrpc.h"

#define GO_BODY                                                                    \
    "<?xml version=\"1.0\"?><methodCall><methodName>supervisor.getAllProcessInfo"  \
    "</methodName><params></params></methodCall>"

/* read_corpus: a seed file of tests/fuzz/corpus/xmlrpc (tests run from the repo root). */
static char *
read_corpus(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "tests/fuzz/corpus/xmlrpc/%s", name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f, "cannot open %s", path);
    static char buf[65536];
    *len = fread(buf, 1, sizeof buf - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static int
parse_str(const char *s, struct proto_xmlrpc_value **v, struct lm_err *err)
{
    return proto_xmlrpc_parse_response(s, strlen(s), v, NULL, err);
}

START_TEST(test_request_go_bytes)
{
    struct lm_buf b;
    struct lm_err err;
    lm_buf_init(&b, 4096);
    ck_assert_int_eq(proto_xmlrpc_build_request("supervisor.getAllProcessInfo", NULL, 0, &b,
                                                &err), 0);
    ck_assert_str_eq(lm_buf_cstr(&b), GO_BODY);
    ck_assert_uint_eq(b.len, 116);  /* Content-Length in the captured Go request */
    lm_buf_cleanup(&b);
}
END_TEST

START_TEST(test_request_params)
{
    struct lm_buf b;
    struct lm_err err;
    struct proto_xmlrpc_param p[] = {
        {.type = PROTO_XMLRPC_STRING, .s = "grp:a<b>&c\r"},
        {.type = PROTO_XMLRPC_INT, .i = -7},
        {.type = PROTO_XMLRPC_INT, .i = 5000000000LL},
        {.type = PROTO_XMLRPC_BOOL, .b = true},
        {.type = PROTO_XMLRPC_DOUBLE, .d = 0.5},
        {.type = PROTO_XMLRPC_NIL},
    };
    lm_buf_init(&b, 4096);
    ck_assert_int_eq(proto_xmlrpc_build_request("supervisor.startProcess", p, 6, &b, &err), 0);
    ck_assert_str_eq(lm_buf_cstr(&b),
                     "<?xml version=\"1.0\"?><methodCall><methodName>supervisor.startProcess"
                     "</methodName><params>"
                     "<param><value><string>grp:a&lt;b&gt;&amp;c&#13;</string></value></param>"
                     "<param><value><int>-7</int></value></param>"
                     "<param><value><i8>5000000000</i8></value></param>"
                     "<param><value><boolean>1</boolean></value></param>"
                     "<param><value><double>0.5</double></value></param>"
                     "<param><value><nil/></value></param>"
                     "</params></methodCall>");
    lm_buf_reset(&b);
    ck_assert_int_eq(proto_xmlrpc_build_request("bad name", NULL, 0, &b, &err), LM_EINVAL);
    ck_assert_int_eq(proto_xmlrpc_build_request("", NULL, 0, &b, &err), LM_EINVAL);
    struct proto_xmlrpc_param bad = {.type = PROTO_XMLRPC_STRING, .s = "a\001b"};
    ck_assert_int_eq(proto_xmlrpc_build_request("m", &bad, 1, &b, &err), LM_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "param 1"));
    struct proto_xmlrpc_param arr = {.type = PROTO_XMLRPC_ARRAY};
    ck_assert_int_eq(proto_xmlrpc_build_request("m", &arr, 1, &b, &err), LM_EINVAL);
    lm_buf_cleanup(&b);
    /* the cap holds */
    lm_buf_init(&b, 64);
    ck_assert_int_eq(proto_xmlrpc_build_request("supervisor.getAllProcessInfo", NULL, 0, &b,
                                                &err), LM_ETOOBIG);
    lm_buf_cleanup(&b);
}
END_TEST

/* check_proc: element i of a getAllProcessInfo reply. */
static void
check_proc(const struct proto_xmlrpc_value *arr, size_t i, const char *name, int64_t state,
           int64_t exitstatus, int64_t start)
{
    const struct proto_xmlrpc_value *p = proto_xmlrpc_at(arr, i);
    int64_t x;
    ck_assert_int_eq(proto_xmlrpc_type(p), PROTO_XMLRPC_STRUCT);
    ck_assert_uint_eq(proto_xmlrpc_len(p), 14);
    ck_assert_str_eq(proto_xmlrpc_member_name(p, 0), "name");
    ck_assert_str_eq(proto_xmlrpc_string_view(proto_xmlrpc_member(p, "name"), NULL), name);
    ck_assert_str_eq(proto_xmlrpc_string_view(proto_xmlrpc_member(p, "group"), NULL), name);
    ck_assert_int_eq(proto_xmlrpc_get_int(proto_xmlrpc_member(p, "state"), &x), 0);
    ck_assert_int_eq(x, state);
    ck_assert_int_eq(proto_xmlrpc_get_int(proto_xmlrpc_member(p, "exitstatus"), &x), 0);
    ck_assert_int_eq(x, exitstatus);
    ck_assert_int_eq(proto_xmlrpc_get_int(proto_xmlrpc_member(p, "start"), &x), 0);
    ck_assert_int_eq(x, start);
}

START_TEST(test_parse_supervisord)
{
    size_t len;
    const char *body = read_corpus("getallprocessinfo.xml", &len);
    struct proto_xmlrpc_value *v;
    struct proto_xmlrpc_fault f;
    struct lm_err err;
    ck_assert_int_eq(proto_xmlrpc_parse_response(body, len, &v, &f, &err), 0);
    ck_assert_int_eq(f.code, 0);
    ck_assert_int_eq(proto_xmlrpc_type(v), PROTO_XMLRPC_ARRAY);
    ck_assert_uint_eq(proto_xmlrpc_len(v), 4);
    check_proc(v, 0, "failer", 200, 0, 1795610000);
    check_proc(v, 1, "quick", 100, 3, 1795609997);
    check_proc(v, 2, "sleeper", 20, 0, 1795609997);
    check_proc(v, 3, "stopped", 0, 0, 0);
    ck_assert_str_eq(proto_xmlrpc_string_view(proto_xmlrpc_member(proto_xmlrpc_at(v, 2),
                                                                  "description"), NULL),
                     "pid 7945, uptime 0:06:19");
    ck_assert_str_eq(proto_xmlrpc_string_view(proto_xmlrpc_member(proto_xmlrpc_at(v, 2),
                                                                  "spawnerr"), NULL), "");
    ck_assert_ptr_null(proto_xmlrpc_at(v, 4));
    ck_assert_ptr_null(proto_xmlrpc_member(proto_xmlrpc_at(v, 0), "nosuch"));
    ck_assert_ptr_null(proto_xmlrpc_member_name(v, 0));
    proto_xmlrpc_value_free(v);
}
END_TEST

START_TEST(test_parse_fault)
{
    size_t len;
    const char *body = read_corpus("fault_bad_name.xml", &len);
    struct proto_xmlrpc_value *v = (void *)1;
    struct proto_xmlrpc_fault f;
    struct lm_err err;
    ck_assert_int_eq(proto_xmlrpc_parse_response(body, len, &v, &f, &err), LM_EIO);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(f.code, 10);
    ck_assert_str_eq(f.string, "BAD_NAME: nosuch");
    ck_assert_str_eq(err.msg, "fault 10: BAD_NAME: nosuch");
    /* a fault without faultString is malformed, not a fault */
    ck_assert_int_eq(parse_str("<methodResponse><fault><value><struct><member><name>faultCode"
                               "</name><value><int>1</int></value></member></struct></value>"
                               "</fault></methodResponse>", &v, &err), LM_EPARSE);
}
END_TEST

START_TEST(test_parse_types)
{
    size_t len, n;
    const char *body = read_corpus("alltypes.xml", &len);
    struct proto_xmlrpc_value *v;
    struct lm_err err;
    int64_t i;
    double d;
    bool b;
    ck_assert_int_eq(proto_xmlrpc_parse_response(body, len, &v, NULL, &err), 0);
    ck_assert_int_eq(proto_xmlrpc_get_int(proto_xmlrpc_member(v, "i4"), &i), 0);
    ck_assert_int_eq(i, -42);
    ck_assert_int_eq(proto_xmlrpc_get_int(proto_xmlrpc_member(v, "i8"), &i), 0);
    ck_assert_int_eq(i, 9007199254740993LL);
    ck_assert_int_eq(proto_xmlrpc_get_bool(proto_xmlrpc_member(v, "b"), &b), 0);
    ck_assert(b);
    ck_assert_int_eq(proto_xmlrpc_type(proto_xmlrpc_member(v, "b")), PROTO_XMLRPC_BOOL);
    ck_assert_int_eq(proto_xmlrpc_get_double(proto_xmlrpc_member(v, "d"), &d), 0);
    ck_assert(d == -1253.0);
    ck_assert_int_eq(proto_xmlrpc_get_double(proto_xmlrpc_member(v, "i4"), &d), 0);
    ck_assert(d == -42.0);
    ck_assert_int_eq(proto_xmlrpc_get_int(proto_xmlrpc_member(v, "d"), &i), LM_EINVAL);
    ck_assert_int_eq(proto_xmlrpc_type(proto_xmlrpc_member(v, "t")), PROTO_XMLRPC_DATETIME);
    ck_assert_str_eq(proto_xmlrpc_string_view(proto_xmlrpc_member(v, "t"), NULL),
                     "19980717T14:08:55");
    ck_assert_int_eq(proto_xmlrpc_get_time(proto_xmlrpc_member(v, "t"), &i), 0);
    ck_assert_int_eq(i, 900684535);
    const char *s = proto_xmlrpc_string_view(proto_xmlrpc_member(v, "b64"), &n);
    ck_assert_uint_eq(n, 20);
    ck_assert_str_eq(s, "you can't read this!");
    ck_assert_ptr_nonnull(proto_xmlrpc_member(v, "n"));
    ck_assert_int_eq(proto_xmlrpc_type(proto_xmlrpc_member(v, "n")), PROTO_XMLRPC_NIL);
    ck_assert_str_eq(proto_xmlrpc_string_view(proto_xmlrpc_member(v, "bare"), NULL),
                     "bare & text \xc3\xa9");
    ck_assert_str_eq(proto_xmlrpc_string_view(proto_xmlrpc_member(v, "cdata"), NULL), "<x>");
    ck_assert_str_eq(proto_xmlrpc_string_view(proto_xmlrpc_member(v, "empty"), NULL), "");
    const struct proto_xmlrpc_value *arr = proto_xmlrpc_member(v, "arr");
    ck_assert_uint_eq(proto_xmlrpc_len(arr), 2);
    ck_assert_int_eq(proto_xmlrpc_type(proto_xmlrpc_at(arr, 0)), PROTO_XMLRPC_ARRAY);
    ck_assert_uint_eq(proto_xmlrpc_len(proto_xmlrpc_at(arr, 0)), 0);
    ck_assert_int_eq(proto_xmlrpc_type(proto_xmlrpc_at(arr, 1)), PROTO_XMLRPC_STRUCT);
    proto_xmlrpc_value_free(v);

    /* an empty <params/> gives nil; ex:nil is nil */
    ck_assert_int_eq(parse_str("<methodResponse><params/></methodResponse>", &v, &err), 0);
    ck_assert_int_eq(proto_xmlrpc_type(v), PROTO_XMLRPC_NIL);
    proto_xmlrpc_value_free(v);
    body = read_corpus("ex_nil.xml", &len);
    ck_assert_int_eq(proto_xmlrpc_parse_response(body, len, &v, NULL, &err), 0);
    ck_assert_int_eq(proto_xmlrpc_type(v), PROTO_XMLRPC_NIL);
    proto_xmlrpc_value_free(v);
    /* datetime forms */
    ck_assert_int_eq(parse_str("<methodResponse><params><param><value><dateTime.iso8601>"
                               "2026-11-25T12:00:00+01:00</dateTime.iso8601></value></param>"
                               "</params></methodResponse>", &v, &err), 0);
    ck_assert_int_eq(proto_xmlrpc_get_time(v, &i), 0);
    ck_assert_int_eq(i, 1795604400);  /* 2026-11-25T11:00:00Z */
    proto_xmlrpc_value_free(v);
    /* NULL is an absent value everywhere */
    ck_assert_int_eq(proto_xmlrpc_type(NULL), PROTO_XMLRPC_NIL);
    ck_assert_uint_eq(proto_xmlrpc_len(NULL), 0);
    ck_assert_ptr_null(proto_xmlrpc_string_view(NULL, NULL));
    ck_assert_int_eq(proto_xmlrpc_get_int(NULL, &i), LM_EINVAL);
    proto_xmlrpc_value_free(NULL);
}
END_TEST

START_TEST(test_parse_malformed)
{
    static const struct {
        const char *file;    /* corpus file, or NULL */
        const char *text;    /* inline body */
        int rc;              /* expected */
        const char *msg;     /* substring of err.msg */
    } cases[] = {
        {"malformed_truncated.xml", NULL, LM_EPARSE, "invalid XML"},
        {"html_page.xml", NULL, LM_EPARSE, ""},
        {"doctype_entity.xml", NULL, LM_EPARSE, "DOCTYPE"},
        {"bad_int.xml", NULL, LM_EPARSE, "bad integer"},
        {"deep.xml", NULL, LM_EPARSE, "nested deeper"},
        {NULL, "", LM_EPARSE, ""},
        {NULL, "<html><body>&nbsp;</body></html>", LM_EPARSE, "invalid XML"},
        {NULL, "<html><body>x</body></html>", LM_EPARSE, "expected <methodResponse>"},
        {NULL, "<methodResponse/>", LM_EPARSE, "empty"},
        {NULL, "<methodResponse><params/><params/></methodResponse>", LM_EPARSE, "unexpected"},
        {NULL, "<methodResponse>junk<params/></methodResponse>", LM_EPARSE, "unexpected text"},
        {NULL, "<methodResponse><params><param><value><int>1</int></value></param>"
               "<param><value><int>2</int></value></param></params></methodResponse>",
         LM_EPARSE, "after <param>"},
        {NULL, "<methodResponse><params><param><value><float>1</float></value></param>"
               "</params></methodResponse>", LM_EPARSE, "unknown value type <float>"},
        {NULL, "<methodResponse><params><param><value><i4>3000000000</i4></value></param>"
               "</params></methodResponse>", LM_EPARSE, "bad integer"},
        {NULL, "<methodResponse><params><param><value><int>99999999999999999999</int>"
               "</value></param></params></methodResponse>", LM_EPARSE, "bad integer"},
        {NULL, "<methodResponse><params><param><value><boolean>2</boolean></value></param>"
               "</params></methodResponse>", LM_EPARSE, "bad boolean"},
        {NULL, "<methodResponse><params><param><value><double>1.5x</double></value></param>"
               "</params></methodResponse>", LM_EPARSE, "bad double"},
        {NULL, "<methodResponse><params><param><value><base64>a$==</base64></value></param>"
               "</params></methodResponse>", LM_EPARSE, "base64"},
        {NULL, "<methodResponse><params><param><value><struct><member><value><int>1</int>"
               "</value></member></struct></value></param></params></methodResponse>",
         LM_EPARSE, "without <name>"},
        {NULL, "<methodResponse><params><param><value><array><value/></array></value>"
               "</param></params></methodResponse>", LM_EPARSE, "unexpected element"},
        {NULL, "<methodResponse><params><param><value><string>a<b/></string></value>"
               "</param></params></methodResponse>", LM_EPARSE, "unexpected markup"},
        {NULL, "<methodResponse><params><param><value><int>1</int><int>2</int></value>"
               "</param></params></methodResponse>", LM_EPARSE, "unexpected element"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t len;
        const char *body = cases[k].file ? read_corpus(cases[k].file, &len) : cases[k].text;
        if (!cases[k].file)
            len = strlen(body);
        struct proto_xmlrpc_value *v = (void *)1;
        struct lm_err err;
        lm_err_clear(&err);
        int rc = proto_xmlrpc_parse_response(body, len, &v, NULL, &err);
        ck_assert_msg(rc == cases[k].rc, "case %zu: rc %d", k, rc);
        ck_assert_ptr_null(v);
        ck_assert_msg(strstr(err.msg, cases[k].msg), "case %zu: msg \"%s\"", k, err.msg);
    }
}
END_TEST

START_TEST(test_parse_oom)
{
    size_t len;
    const char *body = read_corpus("getallprocessinfo.xml", &len);
    for (long n = 1;; n++) {
        struct proto_xmlrpc_value *v = NULL;
        struct lm_err err;
        lm_alloc_fail_after(n);
        int rc = proto_xmlrpc_parse_response(body, len, &v, NULL, &err);
        lm_alloc_fail_after(0);
        if (rc == 0) {
            ck_assert_uint_eq(proto_xmlrpc_len(v), 4);
            proto_xmlrpc_value_free(v);
            ck_assert_int_gt(n, 10);
            break;
        }
        ck_assert_int_eq(rc, LM_ENOMEM);
        ck_assert_ptr_null(v);
        ck_assert_int_lt(n, 100000);
    }
}
END_TEST

/* ---------------------------------------------------------------- transport */

/* serve: in a child, accept one connection on lfd, read the request (headers and
 * Content-Length body) into a file for the parent, and write reply (unless NULL: then
 * hang). Returns the child's pid. */
static pid_t
serve(int lfd, const char *reply, size_t rlen, const char *reqfile)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid)
        return pid;
    int c = accept(lfd, NULL, NULL);
    if (c < 0)
        _exit(1);
    char req[8192];
    size_t n = 0;
    for (;;) {
        ssize_t r = read(c, req + n, sizeof req - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        req[n] = '\0';
        char *end = strstr(req, "\r\n\r\n");
        char *cl = strcasestr(req, "Content-Length:");
        if (end && cl && n >= (size_t)(end + 4 - req) + strtoul(cl + 15, NULL, 10))
            break;
    }
    FILE *f = fopen(reqfile, "wb");
    if (f) {
        fwrite(req, 1, n, f);
        fclose(f);
    }
    if (!reply) {
        sleep(30);
        _exit(0);
    }
    for (size_t off = 0; off < rlen;) {
        ssize_t w = write(c, reply + off, rlen - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(c);
    _exit(0);
}

struct srv {
    char url[200];       /* what to call */
    char reqfile[128];   /* where the child writes the request it got */
    int lfd;             /* listening socket */
    char dir[64];        /* temp dir for the socket */
};

static void
srv_unix(struct srv *s)
{
    snprintf(s->dir, sizeof s->dir, "/tmp/xmlrpc-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(s->dir));
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s/s.sock", s->dir);
    snprintf(s->url, sizeof s->url, "unix://%s", a.sun_path);
    snprintf(s->reqfile, sizeof s->reqfile, "%s/req", s->dir);
    s->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_eq(bind(s->lfd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(s->lfd, 4), 0);
}

static void
srv_tcp(struct srv *s, const char *userinfo)
{
    snprintf(s->dir, sizeof s->dir, "/tmp/xmlrpc-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(s->dir));
    snprintf(s->reqfile, sizeof s->reqfile, "%s/req", s->dir);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_eq(bind(s->lfd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(s->lfd, 4), 0);
    ck_assert_int_eq(getsockname(s->lfd, (struct sockaddr *)&a, &al), 0);
    snprintf(s->url, sizeof s->url, "http://%s127.0.0.1:%u/RPC2", userinfo,
             (unsigned)ntohs(a.sin_port));
}

static char *
srv_request(struct srv *s)
{
    static char req[8192];
    FILE *f = fopen(s->reqfile, "rb");
    size_t n = f ? fread(req, 1, sizeof req - 1, f) : 0;
    if (f)
        fclose(f);
    req[n] = '\0';
    return req;
}

static void
srv_done(struct srv *s, pid_t pid)
{
    int st;
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    close(s->lfd);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s->dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* reply_with: an HTTP/1.0 response as supervisord's Medusa sends it. */
static char *
reply_with(const char *status, const char *ctype, const char *body, size_t *len)
{
    static char r[16384];
    int n = snprintf(r, sizeof r, "HTTP/1.0 %s\r\nServer: Medusa/1.12\r\nContent-Type: %s\r\n"
                     "Content-Length: %zu\r\n\r\n%s", status, ctype, strlen(body), body);
    *len = (size_t)n;
    return r;
}

START_TEST(test_call_unix)
{
    struct srv s;
    size_t blen, rlen;
    srv_unix(&s);
    const char *body = read_corpus("getallprocessinfo.xml", &blen);
    const char *reply = reply_with("200 OK", "text/xml", body, &rlen);
    pid_t pid = serve(s.lfd, reply, rlen, s.reqfile);
    struct proto_xmlrpc_value *v;
    struct lm_err err;
    ck_assert_int_eq(proto_xmlrpc_global_init(&err), 0);
    int rc = proto_xmlrpc_call(s.url, "supervisor.getAllProcessInfo", NULL, 0, 5, &v, NULL, &err);
    ck_assert_msg(rc == 0, "%s: %s", err.where, err.msg);
    ck_assert_uint_eq(proto_xmlrpc_len(v), 4);
    proto_xmlrpc_value_free(v);
    waitpid(pid, NULL, 0);
    const char *req = srv_request(&s);
    ck_assert_ptr_nonnull(strstr(req, "POST /RPC2 HTTP/1.1\r\n"));
    ck_assert_ptr_nonnull(strstr(req, "Content-Type: text/xml\r\n"));
    ck_assert_ptr_nonnull(strstr(req, "Content-Length: 116\r\n"));
    ck_assert_ptr_null(strstr(req, "Expect:"));
    ck_assert_ptr_nonnull(strstr(req, "\r\n\r\n" GO_BODY));
    srv_done(&s, pid);
    proto_xmlrpc_global_cleanup();
}
END_TEST

START_TEST(test_call_errors)
{
    struct srv s;
    size_t rlen;
    struct proto_xmlrpc_value *v;
    struct proto_xmlrpc_fault f;
    struct lm_err err;
    ck_assert_int_eq(proto_xmlrpc_global_init(&err), 0);

    /* a fault over TCP with basic auth: the password reaches the server, not err */
    srv_tcp(&s, "alice:s3cret@");
    size_t blen;
    const char *body = read_corpus("fault_bad_name.xml", &blen);
    const char *reply = reply_with("200 OK", "text/xml", body, &rlen);
    pid_t pid = serve(s.lfd, reply, rlen, s.reqfile);
    struct proto_xmlrpc_param p = {.type = PROTO_XMLRPC_STRING, .s = "nosuch"};
    int rc = proto_xmlrpc_call(s.url, "supervisor.getProcessInfo", &p, 1, 5, &v, &f, &err);
    ck_assert_int_eq(rc, LM_EIO);
    ck_assert_int_eq(f.code, 10);
    ck_assert_str_eq(f.string, "BAD_NAME: nosuch");
    ck_assert_ptr_null(strstr(err.where, "s3cret"));
    ck_assert_ptr_nonnull(strstr(err.where, "alice:xxxxx@127.0.0.1"));
    waitpid(pid, NULL, 0);
    /* base64("alice:s3cret") */
    ck_assert_ptr_nonnull(strstr(srv_request(&s), "Authorization: Basic YWxpY2U6czNjcmV0\r\n"));
    srv_done(&s, pid);

    /* 401 */
    srv_tcp(&s, "bob:hunter2@");
    reply = reply_with("401 Unauthorized", "text/html", "<html>401</html>", &rlen);
    pid = serve(s.lfd, reply, rlen, s.reqfile);
    rc = proto_xmlrpc_call(s.url, "supervisor.getState", NULL, 0, 5, &v, NULL, &err);
    ck_assert_int_eq(rc, LM_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "401"));
    ck_assert_ptr_null(strstr(err.where, "hunter2"));
    ck_assert_ptr_null(strstr(err.msg, "hunter2"));
    srv_done(&s, pid);

    /* the web UI's HTML page (URL without /RPC2) */
    srv_unix(&s);
    reply = reply_with("200 OK", "text/html", "<html><body>&nbsp;</body></html>", &rlen);
    pid = serve(s.lfd, reply, rlen, s.reqfile);
    rc = proto_xmlrpc_call(s.url, "supervisor.getState", NULL, 0, 5, &v, NULL, &err);
    ck_assert_int_eq(rc, LM_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "/RPC2"));
    srv_done(&s, pid);

    /* malformed XML: the line number stays in the message, the url goes to where */
    srv_unix(&s);
    reply = reply_with("200 OK", "text/xml", "<methodResponse>\n<params>\n<oops/>", &rlen);
    pid = serve(s.lfd, reply, rlen, s.reqfile);
    rc = proto_xmlrpc_call(s.url, "supervisor.getState", NULL, 0, 5, &v, NULL, &err);
    ck_assert_int_eq(rc, LM_EPARSE);
    ck_assert_str_eq(err.where, s.url);
    ck_assert_ptr_nonnull(strstr(err.msg, "line "));
    srv_done(&s, pid);

    /* a server that never answers */
    srv_unix(&s);
    pid = serve(s.lfd, NULL, 0, s.reqfile);
    rc = proto_xmlrpc_call(s.url, "supervisor.getState", NULL, 0, 0.3, &v, NULL, &err);
    ck_assert_int_eq(rc, LM_ETIMEOUT);
    srv_done(&s, pid);

    /* nobody listening, bad URLs */
    rc = proto_xmlrpc_call("unix:///nonexistent/supervisor.sock", "supervisor.getState", NULL,
                           0, 1, &v, NULL, &err);
    ck_assert_int_eq(rc, LM_EIO);
    ck_assert_str_eq(err.where, "unix:///nonexistent/supervisor.sock");
    ck_assert_int_eq(proto_xmlrpc_call("unix://relative.sock", "m", NULL, 0, 1, &v, NULL, &err),
                     LM_EINVAL);
    ck_assert_int_eq(proto_xmlrpc_call("ftp://u:pw@host/RPC2", "m", NULL, 0, 1, &v, NULL, &err),
                     LM_EINVAL);
    ck_assert_ptr_null(strstr(err.where, "pw"));
    ck_assert_int_eq(proto_xmlrpc_call("", "m", NULL, 0, 1, &v, NULL, &err), LM_EINVAL);
    proto_xmlrpc_global_cleanup();
}
END_TEST

START_TEST(test_call_too_big)
{
    struct srv s;
    struct lm_err err;
    struct proto_xmlrpc_value *v;
    ck_assert_int_eq(proto_xmlrpc_global_init(&err), 0);
    srv_unix(&s);
    /* a Content-Length past the cap is refused before the body is read */
    static char r[256];
    int n = snprintf(r, sizeof r, "HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n"
                     "Content-Length: %lu\r\n\r\n<methodResponse>",
                     PROTO_XMLRPC_MAX_RESPONSE + 1);
    pid_t pid = serve(s.lfd, r, (size_t)n, s.reqfile);
    int rc = proto_xmlrpc_call(s.url, "supervisor.getState", NULL, 0, 5, &v, NULL, &err);
    ck_assert_int_eq(rc, LM_ETOOBIG);
    srv_done(&s, pid);
    proto_xmlrpc_global_cleanup();
}
END_TEST

#define MC_ANSWER(a, b)                                                                    \
    "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n" a b \
    "</data></array></value>\n</param>\n</params>\n</methodResponse>\n"
#define MC_STATE                                                                           \
    "<value><struct>\n<member>\n<name>statecode</name>\n<value><int>1</int></value>\n"     \
    "</member>\n</struct></value>\n"
#define MC_VERSION "<value><string>4.2.5</string></value>\n"
#define MC_FAULT                                                                           \
    "<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>1</int></value>\n"     \
    "</member>\n<member>\n<name>faultString</name>\n<value><string>UNKNOWN_METHOD</string>" \
    "</value>\n</member>\n</struct></value>\n"

START_TEST(test_multicall)
{
    static const char *const m[] = {"supervisor.getState", "supervisor.getSupervisorVersion"};
    struct lm_buf b;
    struct lm_err err;
    lm_buf_init(&b, 4096);
    ck_assert_int_eq(proto_xmlrpc_build_multicall(m, 1, &b, &err), 0);
    ck_assert_str_eq(lm_buf_cstr(&b),
                     "<?xml version=\"1.0\"?><methodCall><methodName>system.multicall"
                     "</methodName><params><param><value><array><data><value><struct><member>"
                     "<name>methodName</name><value><string>supervisor.getState</string>"
                     "</value></member><member><name>params</name><value><array><data></data>"
                     "</array></value></member></struct></value></data></array></value>"
                     "</param></params></methodCall>");
    ck_assert_int_eq(proto_xmlrpc_build_multicall(m, 0, &b, &err), LM_EINVAL);
    ck_assert_int_eq(proto_xmlrpc_build_multicall(m, PROTO_XMLRPC_MULTICALL_MAX + 1, &b, &err),
                     LM_EINVAL);
    static const char *const bad[] = {"ok", "not ok"};
    ck_assert_int_eq(proto_xmlrpc_build_multicall(bad, 2, &b, &err), LM_EINVAL);
    lm_buf_cleanup(&b);

    static const struct {
        const char *body;   /* the answer */
        int rc;             /* expected */
        const char *msg;    /* substring of err.msg on failure */
    } cases[] = {
        {MC_ANSWER(MC_STATE, MC_VERSION), 0, ""},
        {MC_ANSWER(MC_STATE, MC_FAULT), LM_EIO,
         "fault 1: UNKNOWN_METHOD (in supervisor.getSupervisorVersion)"},
        {MC_ANSWER(MC_STATE, ""), LM_EPARSE, "expected an array of 2 answers"},
        {MC_ANSWER(MC_STATE, MC_VERSION MC_VERSION), LM_EPARSE, "got array of 3"},
        {"<methodResponse><params><param><value><int>1</int></value></param></params>"
         "</methodResponse>", LM_EPARSE, "got int of 0"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct srv s;
        size_t rlen;
        srv_unix(&s);
        const char *reply = reply_with("200 OK", "text/xml", cases[k].body, &rlen);
        pid_t pid = serve(s.lfd, reply, rlen, s.reqfile);
        struct proto_xmlrpc_value *res[2] = {(void *)1, (void *)1};
        struct proto_xmlrpc_fault f;
        lm_err_clear(&err);
        int rc = proto_xmlrpc_multicall(s.url, m, 2, 5, res, &f, &err);
        ck_assert_msg(rc == cases[k].rc, "case %zu: rc %d: %s", k, rc, err.msg);
        waitpid(pid, NULL, 0);
        ck_assert_ptr_nonnull(strstr(srv_request(&s), "<methodName>system.multicall"));
        if (rc == 0) {
            int64_t i;
            ck_assert_int_eq(proto_xmlrpc_get_int(proto_xmlrpc_member(res[0], "statecode"), &i), 0);
            ck_assert_int_eq(i, 1);
            ck_assert_str_eq(proto_xmlrpc_string_view(res[1], NULL), "4.2.5");
            ck_assert_int_eq(f.code, 0);
        } else {
            ck_assert_ptr_null(res[0]);
            ck_assert_ptr_null(res[1]);
            ck_assert_msg(strstr(err.msg, cases[k].msg), "case %zu: msg \"%s\"", k, err.msg);
            ck_assert_str_eq(err.where, s.url);
            if (rc == LM_EIO) {
                ck_assert_int_eq(f.code, 1);
                ck_assert_str_eq(f.string, "UNKNOWN_METHOD");
            }
        }
        proto_xmlrpc_value_free(res[0]);
        proto_xmlrpc_value_free(res[1]);
        srv_done(&s, pid);
    }
}
END_TEST

Suite *xmlrpc_suite(void);
Suite *
xmlrpc_suite(void)
{
    Suite *s = suite_create("xmlrpc");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, test_request_go_bytes);
    tcase_add_test(tc, test_request_params);
    tcase_add_test(tc, test_parse_supervisord);
    tcase_add_test(tc, test_parse_fault);
    tcase_add_test(tc, test_parse_types);
    tcase_add_test(tc, test_parse_malformed);
    tcase_add_test(tc, test_parse_oom);
    suite_add_tcase(s, tc);
    tc = tcase_create("transport");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_call_unix);
    tcase_add_test(tc, test_call_errors);
    tcase_add_test(tc, test_call_too_big);
    tcase_add_test(tc, test_multicall);
    suite_add_tcase(s, tc);
    return s;
}
