/* SPDX-License-Identifier: Apache-2.0 */
/* fetch_curl.c: the libcurl side of proto/fetch.h, for what the plain client in fetch.c
 * does not do: https:// URLs and proxies from the environment. libcurl is loaded with
 * dlopen on the first such request (proto/curl_dl.h). One easy handle per client keeps
 * connections alive; every call resets the options so no setting leaks between requests.
 * Maps curl's failures to LM_E* codes with the redacted URL as the place. */
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "proto/curl_dl.h"
#include "proto/fetch.h"
#include "proto/fetch_int.h"

#define DEFAULT_UA "lm-fetch/1.0"

/* What the write callback needs. */
struct sink {
    struct lm_buf *body;           /* destination, capped */
    bool toobig;                   /* the cap was hit */
    bool nomem;                    /* an allocation failed */
};

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

/* copy_str: bounded copy of a possibly-NULL string. */
static void
copy_str(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

/* fail: map a curl result to an LM_E* with a reason in words. */
static int
fail(const char *errbuf, CURLcode c, const struct sink *s, const char *where,
     struct lm_err *err)
{
    const char *why = errbuf[0] ? errbuf : curl_easy_strerror(c);
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
proto_fetch_curl_get(void **handle, const struct proto_fetch_req *req, long ms,
                     struct proto_fetch_resp *r, const char *where, struct lm_err *err)
{
    int lrc = proto_curl_load(err);
    if (lrc) {
        snprintf(err->where, sizeof err->where, "%s", where);
        return lrc;
    }
    if (!*handle && !(*handle = curl_easy_init()))
        return lm_err_set(err, LM_ENOMEM, where, "out of memory");
    CURL *h = *handle;
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = NULL;
    if (req->host && *req->host) {
        char line[512];
        snprintf(line, sizeof line, "Host: %s", req->host);
        hdrs = curl_slist_append(NULL, line);
        if (!hdrs)
            return lm_err_set(err, LM_ENOMEM, where, "out of memory");
    }
    struct sink s = {&r->body, false, false};
    curl_easy_reset(h);
    CURLcode c = set_options(h, req, ms, hdrs, &s, errbuf);
    if (c == CURLE_OK)
        c = curl_easy_perform(h);
    read_info(h, r);
    /* The handle keeps pointers to hdrs, s and errbuf: drop them before returning. */
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hdrs);
    return c == CURLE_OK ? 0 : fail(errbuf, c, &s, where, err);
}

void
proto_fetch_curl_free(void *handle)
{
    if (handle)
        curl_easy_cleanup(handle);
}
