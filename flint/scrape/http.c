/* SPDX-License-Identifier: Apache-2.0 */
/* http.c: the HTTP side of a scrape loop, as Prometheus 2.42's targetScraper: one
 * libcurl easy handle per target (reused, so the connection stays open), the Accept,
 * Accept-Encoding: gzip, User-Agent, X-Prometheus-Scrape-Timeout-Seconds and
 * Authorization headers, basic auth, tls_config, proxy_url, redirects, the timeout,
 * body_size_limit on the decoded page, and the scrape error in Prometheus's words. */
#include "flint/scrape/scrape_int.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lm/alloc.h"

#define BODY_MAX_DEFAULT (1024UL * 1024 * 1024)  /* no body_size_limit: 1 GiB */

int64_t scri_wall_ms(void)
{
    return scri_wall_ns() / 1000000;
}

int64_t scri_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t scri_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct scri_loop *l = ud;
    size_t n = size * nmemb;
    uint64_t limit = l->pool->job.body_size_limit;
    if (limit && l->body.len + n >= limit) {
        l->body_too_big = true;
        return 0;
    }
    if (lm_buf_append(&l->body, data, n))
        return 0;
    return n;
}

/* on_header: keep the reason of the last status line ("HTTP/1.1 404 Not Found"). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    struct scri_loop *l = ud;
    size_t n = size * nmemb;
    if (n > 5 && !memcmp(data, "HTTP/", 5)) {
        const char *sp = memchr(data, ' ', n);
        if (sp) {
            size_t k = n - (size_t)(sp + 1 - data);
            while (k && (sp[k] == '\r' || sp[k] == '\n'))
                k--;
            if (k >= sizeof l->status_line)
                k = sizeof l->status_line - 1;
            memcpy(l->status_line, sp + 1, k);
            l->status_line[k] = '\0';
        }
    }
    return n;
}

/* timeout_text: seconds as Go's FormatFloat(s, 'f', -1, 64) ("10", "0.5"). */
static void timeout_text(int64_t ms, char *out, size_t n)
{
    snprintf(out, n, "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
    char *e = out + strlen(out) - 1;
    while (*e == '0')
        *e-- = '\0';
    if (*e == '.')
        *e = '\0';
}

static long tls_version(const char *v)
{
    if (!v)
        return CURL_SSLVERSION_DEFAULT;
    if (!strcmp(v, "TLS10"))
        return CURL_SSLVERSION_TLSv1_0;
    if (!strcmp(v, "TLS11"))
        return CURL_SSLVERSION_TLSv1_1;
    if (!strcmp(v, "TLS12"))
        return CURL_SSLVERSION_TLSv1_2;
    if (!strcmp(v, "TLS13"))
        return CURL_SSLVERSION_TLSv1_3;
    return CURL_SSLVERSION_DEFAULT;
}

/* add_header: append "name: value" to the list; false on ENOMEM. */
static bool add_header(struct curl_slist **h, const char *name, const char *value)
{
    struct lm_buf b;
    lm_buf_init(&b, 64 * 1024);
    lm_buf_puts(&b, name);
    lm_buf_puts(&b, ": ");
    lm_buf_puts(&b, value);
    struct curl_slist *n = b.err ? NULL : curl_slist_append(*h, lm_buf_cstr(&b));
    lm_buf_cleanup(&b);
    if (!n)
        return false;
    *h = n;
    return true;
}

/* server_name_route: tls_config.server_name for an https target: libcurl verifies and
 * sends SNI for the URL's host, so the URL names server_name and CURLOPT_CONNECT_TO
 * sends the connection to the real address, with the real Host header (as Go's
 * tls.Config.ServerName). Fills url (the URL to fetch), route and host. false when the
 * address has no port (nothing to do) or on ENOMEM. */
static bool server_name_route(const struct scri_loop *l, const char *sn, struct lm_buf *url,
                              struct lm_buf *route, struct lm_buf *host)
{
    const char *addr = lbl_set_get(&l->labels, "__address__");
    const char *colon = addr ? strrchr(addr, ':') : NULL;
    if (!colon || (strchr(addr, ']') && strchr(addr, ']') > colon))
        return false;
    size_t prefix = strlen("https://") + strlen(addr);
    if (strncmp(l->url, "https://", 8) || strlen(l->url) < prefix ||
        strncmp(l->url + 8, addr, strlen(addr)))
        return false;
    lm_buf_printf(url, "https://%s%s%s", sn, colon, l->url + prefix);
    lm_buf_printf(route, "%s%s:%.*s%s", sn, colon, (int)(colon - addr), addr, colon);
    lm_buf_printf(host, "Host: %s", addr);
    return !url->err && !route->err && !host->err;
}

int scri_http_setup(struct scri_loop *l, const char *user_agent, struct lm_err *err)
{
    const struct scri_pool *p = l->pool;
    const struct scr_job *j = &p->job;
    CURL *c = curl_easy_init();
    if (!c)
        return lm_err_set(err, LM_EIO, l->url, "cannot create a libcurl handle");
    l->easy = c;
    lm_buf_init(&l->body, j->body_size_limit ? j->body_size_limit : BODY_MAX_DEFAULT);
    struct curl_slist *h = NULL;
    char tbuf[48];
    timeout_text(l->timeout_ms, tbuf, sizeof tbuf);
    bool ok = add_header(&h, "Accept", SCR_ACCEPT_HEADER) &&
              add_header(&h, "X-Prometheus-Scrape-Timeout-Seconds", tbuf);
    if (ok && p->credentials) {
        struct lm_buf v;
        lm_buf_init(&v, 64 * 1024);
        lm_buf_puts(&v, j->auth_type && *j->auth_type ? j->auth_type : "Bearer");
        lm_buf_putc(&v, ' ');
        lm_buf_puts(&v, p->credentials);
        ok = !v.err && add_header(&h, "Authorization", lm_buf_cstr(&v));
        lm_buf_cleanup(&v);
    }
    struct lm_buf url, route, host;
    lm_buf_init(&url, 64 * 1024);
    lm_buf_init(&route, 64 * 1024);
    lm_buf_init(&host, 64 * 1024);
    bool sn = ok && j->tls_server_name && *j->tls_server_name &&
              server_name_route(l, j->tls_server_name, &url, &route, &host);
    struct curl_slist *connect_to = NULL;
    if (sn) {
        struct curl_slist *nh = curl_slist_append(h, lm_buf_cstr(&host));
        connect_to = curl_slist_append(NULL, lm_buf_cstr(&route));
        ok = nh && connect_to;
        h = nh ? nh : h;
    }
    l->headers = h;
    l->connect_to = connect_to;
    if (!ok) {
        lm_buf_cleanup(&url);
        lm_buf_cleanup(&route);
        lm_buf_cleanup(&host);
        return lm_err_set(err, LM_ENOMEM, l->url, "out of memory");
    }
    CURLcode rc = CURLE_OK;
#define SET(opt, val) \
    do { if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val); } while (0)
    SET(CURLOPT_URL, sn ? lm_buf_cstr(&url) : l->url);
    if (sn)
        SET(CURLOPT_CONNECT_TO, connect_to);
    SET(CURLOPT_PRIVATE, l);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_ERRORBUFFER, l->errbuf);
    SET(CURLOPT_TIMEOUT_MS, (long)l->timeout_ms);
    SET(CURLOPT_ACCEPT_ENCODING, "gzip");
    SET(CURLOPT_USERAGENT, user_agent);
    SET(CURLOPT_HTTPHEADER, h);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, l);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, l);
    SET(CURLOPT_FOLLOWLOCATION, j->follow_redirects ? 1L : 0L);
    SET(CURLOPT_MAXREDIRS, 10L);
    SET(CURLOPT_PROXY, j->proxy_url ? j->proxy_url : "");
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (!j->enable_http2)
        SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    if (j->basic_user) {
        SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        SET(CURLOPT_USERNAME, j->basic_user);
        SET(CURLOPT_PASSWORD, p->password ? p->password : "");
    }
    if (j->tls_ca_file)
        SET(CURLOPT_CAINFO, j->tls_ca_file);
    if (j->tls_cert_file)
        SET(CURLOPT_SSLCERT, j->tls_cert_file);
    if (j->tls_key_file)
        SET(CURLOPT_SSLKEY, j->tls_key_file);
    if (j->tls_insecure_skip_verify) {
        SET(CURLOPT_SSL_VERIFYPEER, 0L);
        SET(CURLOPT_SSL_VERIFYHOST, 0L);
    }
    SET(CURLOPT_SSLVERSION, tls_version(j->tls_min_version));
#undef SET
    lm_buf_cleanup(&url);
    lm_buf_cleanup(&route);
    lm_buf_cleanup(&host);
    if (rc != CURLE_OK)
        return lm_err_set(err, LM_EIO, l->url, "libcurl: %s", curl_easy_strerror(rc));
    return 0;
}

void scri_http_reset(struct scri_loop *l)
{
    lm_buf_reset(&l->body);
    l->body_too_big = false;
    l->ctype[0] = '\0';
    l->status_line[0] = '\0';
    l->errbuf[0] = '\0';
}

/* connect_error: Go's "dial tcp host:port: connect: <errno text>" for a refused or
 * failed connection. */
static void connect_error(struct scri_loop *l, CURL *c, struct lm_err *err)
{
    long oserr = 0;
    curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &oserr);
    const char *host = lbl_set_get(&l->labels, "__address__");
    if (oserr == ECONNREFUSED)
        lm_err_set(err, LM_EIO, l->url, "Get \"%s\": dial tcp %s: connect: connection refused",
                   l->url, host ? host : "");
    else if (oserr)
        lm_err_set(err, LM_EIO, l->url, "Get \"%s\": dial tcp %s: connect: %s", l->url,
                   host ? host : "", strerror((int)oserr));
    else
        lm_err_set(err, LM_EIO, l->url, "Get \"%s\": %s", l->url,
                   l->errbuf[0] ? l->errbuf : "connection failed");
}

int scri_http_error(struct scri_loop *l, int code, struct lm_err *err)
{
    CURL *c = l->easy;
    if (l->body_too_big)
        return lm_err_set(err, LM_ETOOBIG, l->url, "body size limit exceeded");
    switch ((CURLcode)code) {
    case CURLE_OK:
        break;
    case CURLE_OPERATION_TIMEDOUT:
        return lm_err_set(err, LM_ETIMEOUT, l->url, "Get \"%s\": context deadline exceeded",
                          l->url);
    case CURLE_COULDNT_CONNECT:
        connect_error(l, c, err);
        return LM_EIO;
    case CURLE_OUT_OF_MEMORY:
        return lm_err_set(err, LM_ENOMEM, l->url, "out of memory");
    default:
        return lm_err_set(err, LM_EIO, l->url, "Get \"%s\": %s", l->url,
                          l->errbuf[0] ? l->errbuf : curl_easy_strerror((CURLcode)code));
    }
    if (l->body.err)
        return lm_err_set(err, l->body.err, l->url, "%s", lm_strerror(l->body.err));
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        if (l->status_line[0])
            return lm_err_set(err, LM_EIO, l->url, "server returned HTTP status %s",
                              l->status_line);
        return lm_err_set(err, LM_EIO, l->url, "server returned HTTP status %ld", status);
    }
    char *ct = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    snprintf(l->ctype, sizeof l->ctype, "%s", ct ? ct : "");
    return 0;
}

void scri_http_cleanup(struct scri_loop *l)
{
    if (l->easy)
        curl_easy_cleanup(l->easy);
    curl_slist_free_all(l->headers);
    curl_slist_free_all(l->connect_to);
    l->easy = NULL;
    l->headers = NULL;
    l->connect_to = NULL;
    lm_buf_cleanup(&l->body);
}
