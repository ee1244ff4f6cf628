/* SPDX-License-Identifier: Apache-2.0 */
/* fetch.c: the libcurl GET wrapper (proto/fetch.h). Owns one easy handle per client so
 * keep-alive connections survive between scrapes; every call resets the options, so no
 * setting leaks from one request to the next. Maps curl's failures to LM_E* codes with
 * the redacted URL as the place. Does not judge HTTP statuses or bodies: callers do. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "lm/alloc.h"
#include "proto/fetch.h"

#define DEFAULT_UA "lm-fetch/1.0"

struct proto_fetch {
    CURL *h;                       /* reused easy handle (connection cache) */
    char errbuf[CURL_ERROR_SIZE];  /* libcurl's detailed reason of the last failure */
};

/* What the write callback needs. */
struct sink {
    struct lm_buf *body;           /* destination, capped */
    bool toobig;                   /* the cap was hit */
    bool nomem;                    /* an allocation failed */
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void
global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct proto_fetch *
proto_fetch_new(void)
{
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK)
        return NULL;
    struct proto_fetch *f = lm_calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->h = curl_easy_init();
    if (!f->h) {
        lm_free(f);
        return NULL;
    }
    return f;
}

void
proto_fetch_free(struct proto_fetch *f)
{
    if (!f)
        return;
    curl_easy_cleanup(f->h);
    lm_free(f);
}

void
proto_fetch_resp_init(struct proto_fetch_resp *r)
{
    memset(r, 0, sizeof *r);
    lm_buf_init(&r->body, PROTO_FETCH_MAX_BODY);
}

void
proto_fetch_resp_cleanup(struct proto_fetch_resp *r)
{
    lm_buf_cleanup(&r->body);
    proto_fetch_resp_init(r);
}

const char *
proto_fetch_redact(const char *url, char *out, size_t n)
{
    if (!n)
        return out;
    snprintf(out, n, "%.*s", (int)strcspn(url, ":"), url);
    CURLU *u = curl_url();
    if (!u)
        return out;
    char *pw = NULL, *full = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
        if (curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK && pw)
            curl_url_set(u, CURLUPART_PASSWORD, "xxxxx", 0);
        if (curl_url_get(u, CURLUPART_URL, &full, 0) == CURLUE_OK && full)
            snprintf(out, n, "%s", full);
    }
    curl_free(pw);
    curl_free(full);
    curl_url_cleanup(u);
    return out;
}

/* on_body: libcurl write callback; refuses (and so aborts the transfer) past the cap. */
static size_t
on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    struct sink *s = ud;
    size_t n = size * nmemb;
    int rc = lm_buf_append(s->body, p, n);
    if (rc == LM_ETOOBIG)
        s->toobig = true;
    else if (rc)
        s->nomem = true;
    return rc ? 0 : n;
}

/* monotonic_now: CLOCK_MONOTONIC in seconds. */
static double
monotonic_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* time_limit_ms: the earlier of timeout and deadline, in ms; 0 none, -1 already past. */
static long
time_limit_ms(const struct proto_fetch_req *req)
{
    double limit = req->timeout > 0 ? req->timeout : 0;
    if (req->deadline > 0) {
        double left = req->deadline - monotonic_now();
        if (left <= 0)
            return -1;
        if (limit == 0 || left < limit)
            limit = left;
    }
    if (limit == 0)
        return 0;
    long ms = (long)(limit * 1000.0);
    return ms > 0 ? ms : 1;
}

/* copy_str: bounded copy of a possibly-NULL string. */
static void
copy_str(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

/* fail: map a curl result to an LM_E* with a reason in words. */
static int
fail(struct proto_fetch *f, CURLcode c, const struct sink *s, const char *where,
     struct lm_err *err)
{
    const char *why = f->errbuf[0] ? f->errbuf : curl_easy_strerror(c);
    if (s->toobig)
        return lm_err_set(err, LM_ETOOBIG, where, "response body larger than %zu bytes",
                          s->body->max);
    if (s->nomem || c == CURLE_OUT_OF_MEMORY)
        return lm_err_set(err, LM_ENOMEM, where, "out of memory");
    switch (c) {
    case CURLE_OPERATION_TIMEDOUT:
        return lm_err_set(err, LM_ETIMEOUT, where, "%s", why);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return lm_err_set(err, LM_EINVAL, where, "%s", why);
    case CURLE_TOO_MANY_REDIRECTS:
        return lm_err_set(err, LM_EIO, where, "stopped after %d redirects",
                          PROTO_FETCH_MAX_REDIRECTS);
    default:
        return lm_err_set(err, LM_EIO, where, "%s", why);
    }
}

/* set_options: everything one GET needs on the freshly reset handle. */
static CURLcode
set_options(CURL *h, const struct proto_fetch_req *req, long ms, struct curl_slist *hdrs,
            struct sink *s, char *errbuf)
{
    CURLcode c = curl_easy_setopt(h, CURLOPT_URL, req->url);
    if (!c)
        c = curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (!c)
        c = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (!c)
        c = curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (!c)
        c = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (!c)
        c = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    if (!c)
        c = curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
    if (!c)
        c = curl_easy_setopt(h, CURLOPT_USERAGENT,
                             req->user_agent && *req->user_agent ? req->user_agent
                                                                 : DEFAULT_UA);
    if (!c)
        c = curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    if (!c && ms > 0)
        c = curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
    if (!c && req->follow_redirects) {
        c = curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        if (!c)
            c = curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)PROTO_FETCH_MAX_REDIRECTS);
    }
    if (!c && req->insecure) {
        c = curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        if (!c)
            c = curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!c && !req->proxy_from_env)
        c = curl_easy_setopt(h, CURLOPT_PROXY, "");
    if (!c && req->unix_socket && *req->unix_socket)
        c = curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, req->unix_socket);
    if (!c && hdrs)
        c = curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    return c;
}

/* read_info: status, Content-Type and redirect details after a transfer. */
static void
read_info(CURL *h, struct proto_fetch_resp *r)
{
    long code = 0, nredir = 0;
    char *ct = NULL, *eff = NULL, *loc = NULL;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
    curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff);
    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
    curl_easy_getinfo(h, CURLINFO_REDIRECT_COUNT, &nredir);
    r->status = code;
    r->redirects = nredir > 0 ? (unsigned)nredir : 0;
    copy_str(r->content_type, sizeof r->content_type, ct);
    if (eff)
        proto_fetch_redact(eff, r->final_url, sizeof r->final_url);
    if (loc && code >= 300 && code < 400)
        proto_fetch_redact(loc, r->location, sizeof r->location);
}

int
proto_fetch_get(struct proto_fetch *f, const struct proto_fetch_req *req,
                struct proto_fetch_resp *r, struct lm_err *err)
{
    char where[LM_ERR_WHERE_MAX];
    proto_fetch_redact(req->url ? req->url : "", where, sizeof where);
    lm_buf_reset(&r->body);
    r->body.max = req->max_body ? req->max_body : PROTO_FETCH_MAX_BODY;
    r->status = 0;
    r->redirects = 0;
    r->content_type[0] = r->final_url[0] = r->location[0] = '\0';
    if (!req->url || !*req->url)
        return lm_err_set(err, LM_EINVAL, where, "empty URL");
    long ms = time_limit_ms(req);
    if (ms < 0)
        return lm_err_set(err, LM_ETIMEOUT, where, "deadline passed before the request");

    struct curl_slist *hdrs = NULL;
    if (req->host && *req->host) {
        char line[512];
        snprintf(line, sizeof line, "Host: %s", req->host);
        hdrs = curl_slist_append(NULL, line);
        if (!hdrs)
            return lm_err_set(err, LM_ENOMEM, where, "out of memory");
    }
    struct sink s = {&r->body, false, false};
    curl_easy_reset(f->h);
    f->errbuf[0] = '\0';
    CURLcode c = set_options(f->h, req, ms, hdrs, &s, f->errbuf);
    if (c == CURLE_OK)
        c = curl_easy_perform(f->h);
    read_info(f->h, r);
    /* The handle keeps pointers to hdrs and s: drop them before returning. */
    curl_easy_setopt(f->h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(f->h, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(f->h, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hdrs);
    return c == CURLE_OK ? 0 : fail(f, c, &s, where, err);
}
