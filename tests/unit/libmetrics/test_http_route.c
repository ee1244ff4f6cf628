/* SPDX-License-Identifier: Apache-2.0 */
/* test_http_route.c: lm/http.h's routing and request-body extensions, against a live
 * server on 127.0.0.1 port 0 with libcurl as the client: prefix routes (longest prefix,
 * exact before prefix), PUT on opt-in, urlencoded POST/PUT form bodies read through the
 * query accessors (body values before URL values, as Go's Request.Form), the form size
 * limit, non-form bodies ignored, and the per-response body cap. */
#include <check.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/http.h"
#include "lm/limits.h"

Suite *http_route_suite(void);

/* One exchange: status and body (truncated to the buffer). */
struct ex {
    long status;          /* HTTP status, 0 when none */
    char body[4096];      /* body, NUL-terminated */
    size_t len;           /* body bytes received (all of them, even past the buffer) */
    char allow[128];      /* the Allow header value, or "" */
};

static size_t
on_body(char *p, size_t sz, size_t n, void *ud)
{
    struct ex *e = ud;
    size_t k = sz * n, have = e->len < sizeof e->body - 1 ? e->len : sizeof e->body - 1;
    size_t room = sizeof e->body - 1 - have;
    memcpy(e->body + have, p, k < room ? k : room);
    e->body[have + (k < room ? k : room)] = '\0';
    e->len += k;
    return k;
}

static size_t
on_header(char *p, size_t sz, size_t n, void *ud)
{
    struct ex *e = ud;
    size_t k = sz * n;
    if (k > 7 && !strncasecmp(p, "Allow: ", 7)) {
        size_t v = k - 7;
        while (v && (p[7 + v - 1] == '\r' || p[7 + v - 1] == '\n'))
            v--;
        snprintf(e->allow, sizeof e->allow, "%.*s", (int)v, p + 7);
    }
    return k;
}

static struct lm_http_server *srv;
static char base[64];

/* request: method (NULL = GET) to path, with body (NULL = none) of type ctype. */
static void
request(struct ex *e, const char *method, const char *path, const char *body,
        size_t bodylen, const char *ctype)
{
    char url[256], ct[128];
    struct curl_slist *hl = NULL;
    memset(e, 0, sizeof *e);
    snprintf(url, sizeof url, "%s%s", base, path);
    CURL *c = curl_easy_init();
    ck_assert_ptr_nonnull(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, e);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, e);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)bodylen);
        snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
        hl = curl_slist_append(hl, ct);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    }
    if (method)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &e->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(hl);
}

/* h_name: answers "<ud> <path>" to tell which route served. */
static int
h_name(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    return lm_buf_printf(lm_http_response_body(resp), "%s %s", (const char *)ud,
                         lm_http_request_path(req));
}

/* h_params: every value of "a" and "match[]", then "q" and "missing". */
static int
h_params(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct lm_buf *b = lm_http_response_body(resp);
    const char *names[] = {"a", "match[]"};
    for (size_t k = 0; k < 2; k++) {
        size_t n = lm_http_request_query_count(req, names[k]);
        lm_buf_printf(b, "%s=%zu:", names[k], n);
        for (size_t i = 0; i < n; i++)
            lm_buf_printf(b, "[%s]", lm_http_request_query_nth(req, names[k], i));
        ck_assert_ptr_null(lm_http_request_query_nth(req, names[k], n));
        lm_buf_putc(b, ' ');
    }
    const char *q = lm_http_request_query(req, "q");
    lm_buf_printf(b, "q=%s missing=%s", q ? q : "(null)",
                  lm_http_request_query(req, "missing") ? "yes" : "no");
    return 0;
}

/* h_big: raise the cap above LM_LIMIT_EXPO_BYTES after appending, or (?small) lower
 * it to 4 bytes before appending 10 (the sticky error turns into a 500). */
static int
h_big(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct lm_buf *b = lm_http_response_body(resp);
    if (lm_http_request_query(req, "small")) {
        lm_http_response_body_limit(resp, 4);
        return lm_buf_puts(b, "0123456789");
    }
    lm_buf_puts(b, "0123456789");
    lm_http_response_body_limit(resp, 4);
    ck_assert_uint_eq(b->max, 10);
    lm_http_response_body_limit(resp, (size_t)LM_LIMIT_EXPO_BYTES * 2);
    ck_assert_uint_eq(b->max, (size_t)LM_LIMIT_EXPO_BYTES * 2);
    return lm_buf_puts(b, "abcdef");
}

static void
start(void)
{
    static const char *const listen[] = {"127.0.0.1:0"};
    struct lm_http_options o;
    struct lm_err err = {0};
    lm_http_options_init(&o);
    o.listen = listen;
    o.nlisten = 1;
    srv = lm_http_server_new(&o, &err);
    ck_assert_ptr_nonnull(srv);
    ck_assert_int_eq(lm_http_route(srv, "/api/v1/label/", LM_HTTP_PREFIX, h_name, "label"), 0);
    ck_assert_int_eq(lm_http_route(srv, "/api/", LM_HTTP_PREFIX, h_name, "api"), 0);
    ck_assert_int_eq(lm_http_route(srv, "/api/v1/labels", 0, h_name, "labels"), 0);
    /* the same path once exact, once prefix */
    ck_assert_int_eq(lm_http_route(srv, "/api/v1/label/", 0, h_name, "exact"), 0);
    ck_assert_int_eq(lm_http_route(srv, "/api/", LM_HTTP_PREFIX, h_name, "dup"), LM_EINVAL);
    ck_assert_int_eq(lm_http_route(srv, "/params", LM_HTTP_ALLOW_POST | LM_HTTP_ALLOW_PUT,
                                   h_params, NULL), 0);
    ck_assert_int_eq(lm_http_route(srv, "/getonly", 0, h_params, NULL), 0);
    ck_assert_int_eq(lm_http_route(srv, "/put", LM_HTTP_ALLOW_PUT, h_name, "put"), 0);
    ck_assert_int_eq(lm_http_route(srv, "/big", 0, h_big, NULL), 0);
    ck_assert_msg(lm_http_server_start(srv, &err) == 0, "%s", err.msg);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", lm_http_server_port(srv, 0));
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void
stop(void)
{
    lm_http_server_free(srv);
    srv = NULL;
}

START_TEST(prefix_routes)
{
    struct ex e;
    request(&e, NULL, "/api/v1/label/job/values", NULL, 0, NULL);
    ck_assert_int_eq(e.status, 200);
    ck_assert_str_eq(e.body, "label /api/v1/label/job/values");
    request(&e, NULL, "/api/v1/label/", NULL, 0, NULL);
    ck_assert_str_eq(e.body, "exact /api/v1/label/");
    request(&e, NULL, "/api/v1/labels", NULL, 0, NULL);
    ck_assert_str_eq(e.body, "labels /api/v1/labels");
    request(&e, NULL, "/api/v1/labelsx", NULL, 0, NULL);
    ck_assert_str_eq(e.body, "api /api/v1/labelsx");
    request(&e, NULL, "/api/v1/label", NULL, 0, NULL);
    ck_assert_str_eq(e.body, "api /api/v1/label");
    request(&e, NULL, "/api", NULL, 0, NULL);
    ck_assert_int_eq(e.status, 404);
    request(&e, NULL, "/other", NULL, 0, NULL);
    ck_assert_int_eq(e.status, 404);
    request(&e, "DELETE", "/api/x", NULL, 0, NULL);
    ck_assert_int_eq(e.status, 405);
    ck_assert_str_eq(e.allow, "GET, HEAD");
}
END_TEST

START_TEST(put_method)
{
    struct ex e;
    request(&e, "PUT", "/put", NULL, 0, NULL);
    ck_assert_int_eq(e.status, 200);
    ck_assert_str_eq(e.body, "put /put");
    request(&e, "POST", "/put", "", 0, "text/plain");
    ck_assert_int_eq(e.status, 405);
    ck_assert_str_eq(e.allow, "GET, HEAD, PUT");
    request(&e, "PUT", "/getonly", NULL, 0, NULL);
    ck_assert_int_eq(e.status, 405);
    request(&e, "DELETE", "/params", NULL, 0, NULL);
    ck_assert_str_eq(e.allow, "GET, HEAD, POST, PUT");
}
END_TEST

START_TEST(form_body)
{
    struct ex e;
    static const char body[] = "match[]=up%7Bjob%3D%22x%22%7D&a=b+c&&q=1%2&match[]=node_load1"
                               "&a&a=";
    request(&e, "POST", "/params?a=url&q=urlq&match[]=fromurl", body, sizeof body - 1,
            "application/x-www-form-urlencoded");
    ck_assert_int_eq(e.status, 200);
    ck_assert_str_eq(e.body, "a=4:[b c][][][url] match[]=3:[up{job=\"x\"}][node_load1]"
                             "[fromurl] q=1%2 missing=no");
    /* charset parameter and case; PUT too */
    request(&e, "PUT", "/params", "q=put", 5, "Application/X-WWW-Form-Urlencoded; charset=UTF-8");
    ck_assert_str_eq(e.body, "a=0: match[]=0: q=put missing=no");
    /* other content types: the body is ignored */
    request(&e, "POST", "/params?q=u", "q=json", 6, "application/json");
    ck_assert_str_eq(e.body, "a=0: match[]=0: q=u missing=no");
    /* no body at all, URL only */
    request(&e, NULL, "/params?a=1&a=2&missing", NULL, 0, NULL);
    ck_assert_str_eq(e.body, "a=2:[1][2] match[]=0: q=(null) missing=yes");
    /* a form POST to a GET-only route is still refused */
    request(&e, "POST", "/getonly", "q=1", 3, "application/x-www-form-urlencoded");
    ck_assert_int_eq(e.status, 405);
}
END_TEST

START_TEST(form_too_large)
{
    struct ex e;
    size_t n = LM_HTTP_MAX_FORM_BYTES + 10;
    char *big = lm_malloc(n);
    ck_assert_ptr_nonnull(big);
    memset(big, 'x', n);
    memcpy(big, "q=", 2);
    request(&e, "POST", "/params", big, n, "application/x-www-form-urlencoded");
    ck_assert_int_eq(e.status, 413);
    /* the same size as an opaque body is read and dropped */
    request(&e, "POST", "/params", big, n, "application/octet-stream");
    ck_assert_int_eq(e.status, 200);
    /* just at the limit is accepted */
    request(&e, "POST", "/params", big, LM_HTTP_MAX_FORM_BYTES,
            "application/x-www-form-urlencoded");
    ck_assert_int_eq(e.status, 200);
    ck_assert_uint_eq(e.len, strlen("a=0: match[]=0: q= missing=no") + LM_HTTP_MAX_FORM_BYTES - 2);
    lm_free(big);
}
END_TEST

START_TEST(body_limit)
{
    struct ex e;
    request(&e, NULL, "/big", NULL, 0, NULL);
    ck_assert_int_eq(e.status, 200);
    ck_assert_str_eq(e.body, "0123456789abcdef");
    request(&e, NULL, "/big?small=1", NULL, 0, NULL);
    ck_assert_int_eq(e.status, 500);
}
END_TEST

Suite *
http_route_suite(void)
{
    Suite *s = suite_create("http_route");
    TCase *tc = tcase_create("routes");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, prefix_routes);
    tcase_add_test(tc, put_method);
    tcase_add_test(tc, form_body);
    tcase_add_test(tc, form_too_large);
    tcase_add_test(tc, body_limit);
    suite_add_tcase(s, tc);
    return s;
}
