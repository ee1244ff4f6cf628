/* SPDX-License-Identifier: Apache-2.0 */
/* test_http.c: black-box tests of lm/http.h: a live server on 127.0.0.1 port 0 in the
 * test process, libcurl as the client. Routes, 404/405/HEAD, query and headers, pages,
 * basic auth (and its cache), TLS with server and client certificates made by the
 * openssl command, TLS versions, the concurrency limit, the rate limit and timeouts. */
#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/http.h"
#include "lm/webcfg.h"

static char dir[64];

/* One client exchange. */
struct fetch {
    CURLcode rc;          /* curl's result */
    long status;          /* HTTP status, 0 when none */
    char body[16384];     /* body, NUL-terminated (truncated) */
    size_t len;           /* body bytes received */
    char hdrs[8192];      /* response header lines, NUL-terminated */
    size_t hlen;          /* bytes in hdrs */
};

/* Client options for fetch(). */
struct copts {
    const char *method;   /* NULL = GET; "HEAD", "POST" or any custom method */
    const char *userpwd;  /* "user:pass" for basic auth, or NULL */
    const char *cert;     /* client certificate file (in dir), or NULL */
    const char *key;      /* client key file (in dir), or NULL */
    int tls12_only;       /* limit the client to TLS 1.2 */
};

static size_t
on_body(char *p, size_t sz, size_t n, void *ud)
{
    struct fetch *f = ud;
    size_t k = sz * n;
    size_t room = sizeof f->body - 1 - f->len;
    memcpy(f->body + f->len, p, k < room ? k : room);
    f->len += k < room ? k : room;
    f->body[f->len] = '\0';
    return k;
}

static size_t
on_header(char *p, size_t sz, size_t n, void *ud)
{
    struct fetch *f = ud;
    size_t k = sz * n;
    size_t room = sizeof f->hdrs - 1 - f->hlen;
    memcpy(f->hdrs + f->hlen, p, k < room ? k : room);
    f->hlen += k < room ? k : room;
    f->hdrs[f->hlen] = '\0';
    return k;
}

static void
fetch(struct fetch *f, const char *url, const struct copts *o)
{
    static const struct copts none;
    char path[256];
    if (!o)
        o = &none;
    memset(f, 0, sizeof *f);
    CURL *c = curl_easy_init();
    ck_assert_ptr_nonnull(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, f);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (o->method && !strcmp(o->method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (o->method && !strcmp(o->method, "POST"))
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "x=1");
    else if (o->method)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, o->method);
    if (o->userpwd) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERPWD, o->userpwd);
    }
    if (!strncmp(url, "https:", 6)) {
        snprintf(path, sizeof path, "%s/ca.crt", dir);
        curl_easy_setopt(c, CURLOPT_CAINFO, path);
    }
    if (o->cert) {
        snprintf(path, sizeof path, "%s/%s", dir, o->cert);
        curl_easy_setopt(c, CURLOPT_SSLCERT, path);
        snprintf(path, sizeof path, "%s/%s", dir, o->key);
        curl_easy_setopt(c, CURLOPT_SSLKEY, path);
    }
    if (o->tls12_only)
        curl_easy_setopt(c, CURLOPT_SSLVERSION,
                         (long)(CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2));
    f->rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &f->status);
    curl_easy_cleanup(c);
}

/* has_header: the response carried the exact line "name: value". */
static int
has_header(const struct fetch *f, const char *line)
{
    char want[512];
    snprintf(want, sizeof want, "\n%s\r\n", line);
    return strcasestr(f->hdrs, want) != NULL;
}

/* Handlers. */

static int
h_metrics(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    lm_http_response_content_type(resp, "text/plain; version=0.0.4; charset=utf-8");
    return lm_buf_puts(lm_http_response_body(resp), "metric 1\n");
}

static int
h_echo(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct lm_buf *b = lm_http_response_body(resp);
    const char *x = lm_http_request_query(req, "x"), *flag = lm_http_request_query(req, "flag");
    const char *hdr = lm_http_request_header(req, "x-test"), *user = lm_http_request_user(req);
    lm_buf_printf(b, "%s %s x=%s flag=[%s] missing=%s hdr=%s user=%s collect=",
                  lm_http_request_method(req), lm_http_request_path(req), x ? x : "(null)",
                  flag ? flag : "(null)", lm_http_request_query(req, "nope") ? "yes" : "no",
                  hdr ? hdr : "(null)", user ? user : "(null)");
    size_t n = lm_http_request_query_count(req, "collect[]");
    for (size_t i = 0; i < n; i++)
        lm_buf_printf(b, "%s%s", i ? "," : "", lm_http_request_query_nth(req, "collect[]", i));
    if (lm_http_request_query_nth(req, "collect[]", n))
        lm_buf_puts(b, " nth-out-of-range-not-null");
    lm_http_response_header(resp, "X-Echo", "yes");
    ck_assert_int_eq(lm_http_response_header(resp, "Bad\r\nName", "v"), LM_EINVAL);
    return 0;
}

static int
h_fail(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    lm_buf_puts(lm_http_response_body(resp), "partial");
    return LM_EIO;
}

static int
h_reload(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    return lm_http_response_text(resp, 200, lm_http_request_method(req));
}

/* A gate that /block handlers wait on. */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_entered;

static int
h_block(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    pthread_mutex_lock(&gate_mu);
    gate_entered++;
    pthread_cond_broadcast(&gate_cv);
    while (!gate_open)
        pthread_cond_wait(&gate_cv, &gate_mu);
    pthread_mutex_unlock(&gate_mu);
    return lm_buf_puts(lm_http_response_body(resp), "released");
}

static struct lm_http_server *srv;
static char base[128];

/* start: a server on 127.0.0.1:0 with every test route; base gets "http(s)://host:port". */
static void
start(const struct lm_webcfg *wc, unsigned max_requests, unsigned timeout_s)
{
    static const char *const listen[] = {"127.0.0.1:0"};
    static const struct lm_http_link links[] = {{"/echo", "Echo <test>", "echoes & more"}};
    struct lm_http_landing lp = {.name = "Test <Exporter>", .description = "A test exporter",
                                 .version = "1.2.3", .telemetry_path = "/metrics",
                                 .links = links, .nlinks = 1};
    struct lm_http_options o;
    struct lm_err err = {0};
    lm_http_options_init(&o);
    ck_assert_uint_eq(o.max_requests, 40);
    o.listen = listen;
    o.nlisten = 1;
    o.max_requests = max_requests;
    o.timeout_s = timeout_s;
    o.webcfg = wc;
    srv = lm_http_server_new(&o, &err);
    ck_assert_msg(srv != NULL, "%s: %s", err.where, err.msg);
    ck_assert_int_eq(lm_http_route(srv, "/metrics", LM_HTTP_LIMITED, h_metrics, NULL), 0);
    ck_assert_int_eq(lm_http_route(srv, "/echo", 0, h_echo, NULL), 0);
    ck_assert_int_eq(lm_http_route(srv, "/fail", 0, h_fail, NULL), 0);
    ck_assert_int_eq(lm_http_route(srv, "/-/reload", LM_HTTP_ALLOW_POST, h_reload, NULL), 0);
    ck_assert_int_eq(lm_http_route(srv, "/block", LM_HTTP_LIMITED, h_block, NULL), 0);
    ck_assert_int_eq(lm_http_route(srv, "/echo", 0, h_echo, NULL), LM_EINVAL);
    ck_assert_int_eq(lm_http_route(srv, "nope", 0, h_echo, NULL), LM_EINVAL);
    ck_assert_int_eq(lm_http_route_healthy(srv), 0);
    ck_assert_int_eq(lm_http_route_landing(srv, &lp), 0);
    ck_assert_int_eq(lm_http_server_port(srv, 0), -1);
    ck_assert_msg(lm_http_server_start(srv, &err) == 0, "%s: %s", err.where, err.msg);
    ck_assert_int_eq(lm_http_route(srv, "/late", 0, h_echo, NULL), LM_EINVAL);
    int port = lm_http_server_port(srv, 0);
    ck_assert_int_gt(port, 0);
    ck_assert_int_eq(lm_http_server_port(srv, 1), -1);
    snprintf(base, sizeof base, "%s://127.0.0.1:%d",
             wc && lm_webcfg_tls_enabled(wc) ? "https" : "http", port);
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void
stop(void)
{
    lm_http_server_free(srv);
    srv = NULL;
}

static void
get(struct fetch *f, const char *path, const struct copts *o)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", base, path);
    fetch(f, url, o);
}

/* webcfg: parse text with files relative to dir; the caller frees. */
static struct lm_webcfg *
webcfg(const char *text)
{
    struct lm_webcfg *c;
    struct lm_err err = {0};
    int rc = lm_webcfg_parse_mem("t.yml", text, strlen(text), dir, &c, &err);
    ck_assert_msg(rc == 0, "%s: %s", err.where, err.msg);
    return c;
}

START_TEST(route_ok)
{
    struct fetch f;
    start(NULL, 40, 10);
    get(&f, "/metrics", NULL);
    ck_assert_int_eq(f.rc, CURLE_OK);
    ck_assert_int_eq(f.status, 200);
    ck_assert_str_eq(f.body, "metric 1\n");
    ck_assert(has_header(&f, "Content-Type: text/plain; version=0.0.4; charset=utf-8"));
    get(&f, "/-/healthy", NULL);
    ck_assert_int_eq(f.status, 200);
    ck_assert_str_eq(f.body, "Healthy");
    ck_assert(has_header(&f, "Content-Type: text/plain; charset=utf-8"));
    get(&f, "/-/reload", &(struct copts){.method = "POST"});
    ck_assert_int_eq(f.status, 200);
    ck_assert_str_eq(f.body, "POST");
    stop();
}
END_TEST

START_TEST(not_found_and_methods)
{
    struct fetch f;
    start(NULL, 40, 10);
    get(&f, "/nope", NULL);
    ck_assert_int_eq(f.status, 404);
    ck_assert_str_eq(f.body, "404 page not found\n");
    ck_assert(has_header(&f, "Content-Type: text/plain; charset=utf-8"));
    get(&f, "/metrics/", NULL);
    ck_assert_int_eq(f.status, 404);
    get(&f, "/metrics", &(struct copts){.method = "DELETE"});
    ck_assert_int_eq(f.status, 405);
    ck_assert_str_eq(f.body, "Method Not Allowed\n");
    ck_assert(has_header(&f, "Allow: GET, HEAD"));
    get(&f, "/metrics", &(struct copts){.method = "POST"});
    ck_assert_int_eq(f.status, 405);
    get(&f, "/-/reload", &(struct copts){.method = "PUT"});
    ck_assert_int_eq(f.status, 405);
    ck_assert(has_header(&f, "Allow: GET, HEAD, POST"));
    get(&f, "/fail", NULL);
    ck_assert_int_eq(f.status, 500);
    ck_assert_str_eq(f.body, "Internal Server Error\n");
    stop();
}
END_TEST

START_TEST(head)
{
    struct fetch f;
    start(NULL, 40, 10);
    get(&f, "/metrics", &(struct copts){.method = "HEAD"});
    ck_assert_int_eq(f.rc, CURLE_OK);
    ck_assert_int_eq(f.status, 200);
    ck_assert_uint_eq(f.len, 0);
    ck_assert(has_header(&f, "Content-Length: 9"));
    ck_assert(has_header(&f, "Content-Type: text/plain; version=0.0.4; charset=utf-8"));
    stop();
}
END_TEST

START_TEST(query_and_headers)
{
    struct fetch f;
    start(NULL, 40, 10);
    char url[256];
    snprintf(url, sizeof url, "%s/echo?collect[]=cpu&x=a%%20b&collect%%5B%%5D=mem&flag&"
             "collect[]=", base);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "X-Test: hello");
    memset(&f, 0, sizeof f);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &f);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &f);
    ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    ck_assert_str_eq(f.body, "GET /echo x=a b flag=[] missing=no hdr=hello user=(null) "
                             "collect=cpu,mem,");
    ck_assert(has_header(&f, "X-Echo: yes"));
    stop();
}
END_TEST

START_TEST(landing_page)
{
    struct fetch f;
    start(NULL, 40, 10);
    get(&f, "/", NULL);
    ck_assert_int_eq(f.status, 200);
    ck_assert(has_header(&f, "Content-Type: text/html; charset=utf-8"));
    ck_assert_ptr_nonnull(strstr(f.body, "<a href=\"/metrics\">Metrics</a>"));
    ck_assert_ptr_nonnull(strstr(f.body, "<title>Test &lt;Exporter&gt;</title>"));
    ck_assert_ptr_nonnull(strstr(f.body, "<h3>A test exporter</h3>"));
    ck_assert_ptr_nonnull(strstr(f.body, "Version: 1.2.3"));
    ck_assert_ptr_nonnull(
        strstr(f.body, "<a href=\"/echo\">Echo &lt;test&gt;</a>: echoes &amp; more"));
    get(&f, "/index.html", NULL);
    ck_assert_int_eq(f.status, 404);
    stop();
}
END_TEST

/* Concurrency limit 2: two /block requests wait inside the handler; a third limited
 * request gets 503 at once; an unlimited route still answers. */
struct bg {
    pthread_t t;        /* the client thread */
    struct fetch f;     /* its result */
};

static void *
bg_run(void *ud)
{
    struct bg *b = ud;
    get(&b->f, "/block", NULL);
    return NULL;
}

START_TEST(concurrency_limit)
{
    struct bg a, b;
    struct fetch f;
    start(NULL, 2, 10);
    pthread_create(&a.t, NULL, bg_run, &a);
    pthread_create(&b.t, NULL, bg_run, &b);
    pthread_mutex_lock(&gate_mu);
    while (gate_entered < 2)
        pthread_cond_wait(&gate_cv, &gate_mu);
    pthread_mutex_unlock(&gate_mu);
    get(&f, "/block", NULL);
    ck_assert_int_eq(f.status, 503);
    ck_assert_str_eq(f.body, "Limit of concurrent requests reached (2), try again later.\n");
    get(&f, "/metrics", NULL);
    ck_assert_int_eq(f.status, 503);
    get(&f, "/-/healthy", NULL);
    ck_assert_int_eq(f.status, 200);
    pthread_mutex_lock(&gate_mu);
    gate_open = 1;
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&gate_mu);
    pthread_join(a.t, NULL);
    pthread_join(b.t, NULL);
    ck_assert_int_eq(a.f.status, 200);
    ck_assert_int_eq(b.f.status, 200);
    ck_assert_str_eq(a.f.body, "released");
    get(&f, "/metrics", NULL);
    ck_assert_int_eq(f.status, 200);
    stop();
}
END_TEST

/* max_requests 0: no limit. */
START_TEST(no_limit)
{
    struct bg t[5];
    start(NULL, 0, 10);
    for (int i = 0; i < 5; i++)
        pthread_create(&t[i].t, NULL, bg_run, &t[i]);
    pthread_mutex_lock(&gate_mu);
    while (gate_entered < 5)
        pthread_cond_wait(&gate_cv, &gate_mu);
    gate_open = 1;
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&gate_mu);
    for (int i = 0; i < 5; i++) {
        pthread_join(t[i].t, NULL);
        ck_assert_int_eq(t[i].f.status, 200);
    }
    stop();
}
END_TEST

/* An idle connection is closed after timeout_s. */
START_TEST(request_timeout)
{
    start(NULL, 40, 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(lm_http_server_port(srv, 0))};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    ck_assert_int_eq(write(fd, "GET /metrics HTTP/1.1\r\n", 23), 23);  /* never finished */
    struct pollfd p = {.fd = fd, .events = POLLIN};
    ck_assert_int_eq(poll(&p, 1, 8000), 1);
    char buf[64];
    ck_assert_int_le(read(fd, buf, sizeof buf), 0);
    close(fd);
    stop();
}
END_TEST

START_TEST(listen_addresses)
{
    struct lm_err err = {0};
    struct lm_http_options o;
    lm_http_options_init(&o);
    static const char *const bad[] = {"9100", "localhost", "[::1]", "[::1]9100", "::1:9100",
                                      "host:", "a/b:1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o.listen = &bad[i];
        o.nlisten = 1;
        ck_assert_ptr_null(lm_http_server_new(&o, &err));
        ck_assert_int_eq(err.code, LM_EINVAL);
        ck_assert_str_eq(err.where, bad[i]);
    }
    o.nlisten = 0;
    ck_assert_ptr_null(lm_http_server_new(&o, &err));

    /* ":0" listens on every address; two listeners; the port of each */
    static const char *const two[] = {":0", "127.0.0.1:0"};
    o.listen = two;
    o.nlisten = 2;
    struct lm_http_server *s = lm_http_server_new(&o, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(lm_http_route_healthy(s), 0);
    ck_assert_int_eq(lm_http_server_start(s, &err), 0);
    ck_assert_int_eq(lm_http_server_start(s, &err), LM_EINVAL);
    int p0 = lm_http_server_port(s, 0), p1 = lm_http_server_port(s, 1);
    ck_assert_int_gt(p0, 0);
    ck_assert_int_gt(p1, 0);
    ck_assert_int_ne(p0, p1);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char url[128];
    struct fetch f;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/-/healthy", p0);
    fetch(&f, url, NULL);
    ck_assert_int_eq(f.status, 200);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/-/healthy", p1);
    fetch(&f, url, NULL);
    ck_assert_int_eq(f.status, 200);
    int v6 = socket(AF_INET6, SOCK_STREAM, 0);
    if (v6 >= 0) {
        close(v6);
        snprintf(url, sizeof url, "http://[::1]:%d/-/healthy", p0);
        fetch(&f, url, NULL);
        ck_assert_int_eq(f.status, 200);
    }

    /* the same port again: in use */
    char busy[32];
    snprintf(busy, sizeof busy, "127.0.0.1:%d", p1);
    const char *one[] = {busy};
    o.listen = one;
    o.nlisten = 1;
    struct lm_http_server *s2 = lm_http_server_new(&o, &err);
    ck_assert_ptr_nonnull(s2);
    ck_assert_int_eq(lm_http_server_start(s2, &err), LM_EIO);
    ck_assert_str_eq(err.where, busy);
    ck_assert_ptr_nonnull(strstr(err.msg, "in use"));
    ck_assert_int_eq(lm_http_server_port(s2, 0), -1);
    lm_http_server_free(s2);
    lm_http_server_stop(s);
    lm_http_server_stop(s);
    lm_http_server_free(s);
    lm_http_server_free(NULL);
}
END_TEST

START_TEST(ipv6_listen)
{
    int v6 = socket(AF_INET6, SOCK_STREAM, 0);
    if (v6 < 0)
        return;  /* no IPv6 here */
    close(v6);
    static const char *const l[] = {"[::1]:0"};
    struct lm_http_options o;
    struct lm_err err = {0};
    lm_http_options_init(&o);
    o.listen = l;
    o.nlisten = 1;
    struct lm_http_server *s = lm_http_server_new(&o, &err);
    ck_assert_int_eq(lm_http_route_healthy(s), 0);
    if (lm_http_server_start(s, &err)) {  /* ::1 not configured */
        lm_http_server_free(s);
        return;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char url[128];
    struct fetch f;
    snprintf(url, sizeof url, "http://[::1]:%d/-/healthy", lm_http_server_port(s, 0));
    fetch(&f, url, NULL);
    ck_assert_int_eq(f.status, 200);
    lm_http_server_free(s);
}
END_TEST

/* bcrypt hash of "pass" (htpasswd -nbBC 10 user pass) */
#define HASH "$2y$10$CLyACWrN3QEmazEn/7ZeT.4Y3A67dZYP0y4yX.hSXQtjbMWDj5rwS"

START_TEST(basic_auth)
{
    struct lm_webcfg *wc = webcfg("basic_auth_users:\n  alice: " HASH "\n"
                                  "http_server_config:\n  headers:\n"
                                  "    X-Frame-Options: deny\n"
                                  "    X-Content-Type-Options: nosniff\n");
    struct fetch f;
    start(wc, 40, 10);
    get(&f, "/metrics", NULL);
    ck_assert_int_eq(f.status, 401);
    ck_assert(has_header(&f, "WWW-Authenticate: Basic"));
    ck_assert(has_header(&f, "X-Frame-Options: deny"));
    ck_assert_str_eq(f.body, "Unauthorized\n");
    /* configured and built-in X-Content-Type-Options give one header, not two */
    const char *x = strcasestr(f.hdrs, "X-Content-Type-Options");
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_null(strcasestr(x + 1, "X-Content-Type-Options"));
    get(&f, "/metrics", &(struct copts){.userpwd = "alice:wrong"});
    ck_assert_int_eq(f.status, 401);
    get(&f, "/metrics", &(struct copts){.userpwd = "mallory:pass"});
    ck_assert_int_eq(f.status, 401);
    get(&f, "/nope", NULL);
    ck_assert_int_eq(f.status, 401);  /* auth comes before routing, as upstream */

    /* the first good check runs bcrypt (one allocation for its state); the second is
     * served from the cache, so it allocates one block less */
    lm_alloc_fail_after(0);
    get(&f, "/echo", &(struct copts){.userpwd = "alice:pass"});
    long first = lm_alloc_count();
    ck_assert_int_eq(f.status, 200);
    ck_assert_ptr_nonnull(strstr(f.body, "user=alice"));
    ck_assert(has_header(&f, "X-Frame-Options: deny"));
    lm_alloc_fail_after(0);
    get(&f, "/echo", &(struct copts){.userpwd = "alice:pass"});
    long second = lm_alloc_count();
    ck_assert_int_eq(f.status, 200);
    ck_assert_int_eq(second, first - 1);
    /* a wrong password is never served from the cache */
    get(&f, "/echo", &(struct copts){.userpwd = "alice:pas"});
    ck_assert_int_eq(f.status, 401);
    get(&f, "/nope", &(struct copts){.userpwd = "alice:pass"});
    ck_assert_int_eq(f.status, 404);
    ck_assert(has_header(&f, "X-Frame-Options: deny"));
    stop();
    lm_webcfg_free(wc);
}
END_TEST

START_TEST(rate_limit)
{
    struct lm_webcfg *wc = webcfg("rate_limit:\n  interval: 1h\n  burst: 2\n");
    struct fetch f;
    start(wc, 40, 10);
    get(&f, "/metrics", NULL);
    ck_assert_int_eq(f.status, 200);
    get(&f, "/metrics", NULL);
    ck_assert_int_eq(f.status, 200);
    get(&f, "/metrics", NULL);
    ck_assert_int_eq(f.status, 429);
    stop();
    lm_webcfg_free(wc);
}
END_TEST

/* TLS: server cert signed by ca; client certs signed by client-ca; a self-signed rogue. */
static void
make_certs(void)
{
    snprintf(dir, sizeof dir, "/tmp/lm_http_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd %s && exec >/dev/null 2>&1 && "
             "EC='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes' && "
             "openssl req -x509 $EC -keyout ca.key -out ca.crt -days 2 -subj /CN=ca && "
             "openssl req $EC -keyout server.key -out server.csr -subj /CN=localhost && "
             "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > server.ext && "
             "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
             "-out server.crt -days 2 -extfile server.ext && "
             "openssl req -x509 $EC -keyout client-ca.key -out client-ca.crt -days 2 "
             "-subj /CN=client-ca && "
             "openssl req $EC -keyout client.key -out client.csr -subj /CN=client && "
             "printf 'subjectAltName=DNS:client.example\\nextendedKeyUsage=clientAuth\\n' "
             "> client.ext && "
             "openssl x509 -req -in client.csr -CA client-ca.crt -CAkey client-ca.key "
             "-CAcreateserial -out client.crt -days 2 -extfile client.ext && "
             "openssl req -x509 $EC -keyout rogue.key -out rogue.crt -days 2 -subj /CN=client "
             "-addext subjectAltName=DNS:client.example -addext extendedKeyUsage=clientAuth",
             dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void
remove_certs(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(tls_server)
{
    struct lm_webcfg *wc =
        webcfg("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n");
    struct fetch f;
    start(wc, 40, 10);
    ck_assert_ptr_nonnull(strstr(base, "https://"));
    get(&f, "/metrics", NULL);
    ck_assert_msg(f.rc == CURLE_OK, "%s", curl_easy_strerror(f.rc));
    ck_assert_int_eq(f.status, 200);
    ck_assert_str_eq(f.body, "metric 1\n");
    get(&f, "/metrics", &(struct copts){.tls12_only = 1});
    ck_assert_int_eq(f.status, 200);
    /* plain HTTP to a TLS port gets no answer */
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/metrics", lm_http_server_port(srv, 0));
    fetch(&f, url, NULL);
    ck_assert_int_ne(f.status, 200);
    stop();
    lm_webcfg_free(wc);
}
END_TEST

START_TEST(tls_min_version)
{
    struct lm_webcfg *wc = webcfg("tls_server_config:\n  cert_file: server.crt\n"
                                  "  key_file: server.key\n  min_version: TLS13\n");
    struct fetch f;
    start(wc, 40, 10);
    get(&f, "/metrics", &(struct copts){.tls12_only = 1});
    ck_assert_int_ne(f.rc, CURLE_OK);
    ck_assert_int_eq(f.status, 0);
    get(&f, "/metrics", NULL);
    ck_assert_int_eq(f.rc, CURLE_OK);
    ck_assert_int_eq(f.status, 200);
    stop();
    lm_webcfg_free(wc);
}
END_TEST

/* client_auth_type with a client CA: good certificate, none, and a rogue one. */
static void
client_cert_case(const char *auth, int none_ok, int rogue_ok, int tls12)
{
    char y[512];
    snprintf(y, sizeof y, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
             "  client_ca_file: client-ca.crt\n  client_auth_type: %s\n", auth);
    struct lm_webcfg *wc = webcfg(y);
    struct fetch f;
    start(wc, 40, 10);
    get(&f, "/metrics", &(struct copts){.cert = "client.crt", .key = "client.key",
                                        .tls12_only = tls12});
    ck_assert_msg(f.status == 200, "%s good cert: %s", auth, curl_easy_strerror(f.rc));
    get(&f, "/metrics", &(struct copts){.tls12_only = tls12});
    ck_assert_msg((f.status == 200) == none_ok, "%s no cert: %ld %s", auth, f.status,
                  curl_easy_strerror(f.rc));
    get(&f, "/metrics", &(struct copts){.cert = "rogue.crt", .key = "rogue.key",
                                        .tls12_only = tls12});
    ck_assert_msg((f.status == 200) == rogue_ok, "%s rogue cert: %ld %s", auth, f.status,
                  curl_easy_strerror(f.rc));
    stop();
    lm_webcfg_free(wc);
}

START_TEST(tls_client_auth)
{
    int tls12 = _i;  /* both protocol versions: certificates are requested differently */
    client_cert_case("RequireAndVerifyClientCert", 0, 0, tls12);
    client_cert_case("VerifyClientCertIfGiven", 1, 0, tls12);
    client_cert_case("RequireAnyClientCert", 0, 1, tls12);
    client_cert_case("RequestClientCert", 1, 1, tls12);
}
END_TEST

START_TEST(tls_allowed_sans)
{
#define SANS_FMT                                                                   \
    "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"            \
    "  client_ca_file: client-ca.crt\n  client_auth_type: RequireAndVerifyClientCert\n" \
    "  client_allowed_sans: [%s]\n"
    char y[512];
    struct fetch f;
    snprintf(y, sizeof y, SANS_FMT, "other.example, client.example");
    struct lm_webcfg *wc = webcfg(y);
    start(wc, 40, 10);
    get(&f, "/metrics", &(struct copts){.cert = "client.crt", .key = "client.key"});
    ck_assert_int_eq(f.status, 200);
    stop();
    lm_webcfg_free(wc);
    snprintf(y, sizeof y, SANS_FMT, "other.example");
    wc = webcfg(y);
    start(wc, 40, 10);
    get(&f, "/metrics", &(struct copts){.cert = "client.crt", .key = "client.key"});
    ck_assert_int_ne(f.status, 200);
    stop();
    lm_webcfg_free(wc);
}
END_TEST

START_TEST(tls_and_basic_auth)
{
    struct lm_webcfg *wc = webcfg("tls_server_config:\n  cert_file: server.crt\n"
                                  "  key_file: server.key\nbasic_auth_users:\n"
                                  "  alice: " HASH "\n");
    struct fetch f;
    start(wc, 40, 10);
    get(&f, "/metrics", NULL);
    ck_assert_int_eq(f.status, 401);
    get(&f, "/metrics", &(struct copts){.userpwd = "alice:pass"});
    ck_assert_int_eq(f.status, 200);
    stop();
    lm_webcfg_free(wc);
}
END_TEST

Suite *http_suite(void);

Suite *
http_suite(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("http");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, route_ok);
    tcase_add_test(tc, not_found_and_methods);
    tcase_add_test(tc, head);
    tcase_add_test(tc, query_and_headers);
    tcase_add_test(tc, landing_page);
    tcase_add_test(tc, concurrency_limit);
    tcase_add_test(tc, no_limit);
    tcase_add_test(tc, request_timeout);
    tcase_add_test(tc, listen_addresses);
    tcase_add_test(tc, ipv6_listen);
    tcase_add_test(tc, basic_auth);
    tcase_add_test(tc, rate_limit);
    suite_add_tcase(s, tc);
    TCase *tls = tcase_create("tls");
    tcase_set_timeout(tls, 120);
    tcase_add_unchecked_fixture(tls, make_certs, remove_certs);
    tcase_add_test(tls, tls_server);
    tcase_add_test(tls, tls_min_version);
    tcase_add_loop_test(tls, tls_client_auth, 0, 2);
    tcase_add_test(tls, tls_allowed_sans);
    tcase_add_test(tls, tls_and_basic_auth);
    suite_add_tcase(s, tls);
    return s;
}
