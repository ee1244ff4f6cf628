/* SPDX-License-Identifier: Apache-2.0 */
/* http.c: the http prober over libcurl. Resolves the URL's host itself (so the common
 * families and the address choice match upstream), pins curl to that address, applies
 * the module's method, headers, body, auth, TLS and redirect settings, then checks the
 * status, HTTP version, TLS use, body and header regexes. Phase durations come from
 * curl's timings; TLS facts from the OpenSSL handle curl exposes during the transfer. */
#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "blackbox_exporter/bb.h"
#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/exporter.h"

#define HTTP_BODY_CAP (16UL * 1024 * 1024)  /* bytes of body kept for regexes */
#define HTTP_HDR_CAP (256UL * 1024)         /* bytes of response headers kept */

struct hstate {
    struct bb_probe *p;             /* the probe */
    CURL *curl;                     /* the handle */
    struct lm_buf body;             /* final response body (capped) */
    struct lm_buf hdrs;             /* final response header block */
    size_t body_len;                /* uncompressed bytes received */
    size_t limit;                   /* body_size_limit, 0 none */
    bool over_limit;                /* body_size_limit passed */
    struct bb_tls_info tls;         /* facts of the last TLS hop */
    double lookup;                  /* our resolve step, seconds */
};

static size_t
on_body(char *ptr, size_t size, size_t n, void *ud)
{
    struct hstate *s = ud;
    size_t len = size * n;
    s->body_len += len;
    if (s->limit && s->body_len > s->limit) {
        s->over_limit = true;
        return 0;
    }
    if (s->body.len + len <= HTTP_BODY_CAP)
        lm_buf_append(&s->body, ptr, len);
    return len;
}

static size_t
on_header(char *ptr, size_t size, size_t n, void *ud)
{
    struct hstate *s = ud;
    size_t len = size * n;
    if (len >= 5 && !strncmp(ptr, "HTTP/", 5)) {
        lm_buf_reset(&s->hdrs);
        const struct curl_tlssessioninfo *ti = NULL;
        if (curl_easy_getinfo(s->curl, CURLINFO_TLS_SSL_PTR, &ti) == CURLE_OK && ti &&
            ti->backend == CURLSSLBACKEND_OPENSSL && ti->internals)
            bb_tls_collect(ti->internals, &s->tls);
        else
            memset(&s->tls, 0, sizeof s->tls);
    }
    lm_buf_append(&s->hdrs, ptr, len);
    return len;
}

/* header_values: call back for each value of header name in the block; returns count. */
static size_t
header_match(struct hstate *s, const char *name, const struct lm_regex *re, size_t *matched)
{
    const char *h = lm_buf_cstr(&s->hdrs);
    size_t nl = strlen(name), seen = 0;
    *matched = 0;
    while (*h) {
        const char *eol = strchr(h, '\n');
        size_t ll = eol ? (size_t)(eol - h) : strlen(h);
        if (ll > nl && h[nl] == ':' && !strncasecmp(h, name, nl)) {
            const char *v = h + nl + 1;
            size_t vl = ll - nl - 1;
            while (vl && (*v == ' ' || *v == '\t'))
                v++, vl--;
            while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
                vl--;
            seen++;
            if (lm_regex_match(re, v, vl))
                (*matched)++;
        }
        h += ll + (eol ? 1 : 0);
    }
    return seen;
}

static bool
check_regexes(struct hstate *s)
{
    const struct bb_http_module *h = &s->p->mod->http;
    struct bb_probe *p = s->p;
    for (size_t i = 0; i < h->body_match.n; i++)
        if (lm_regex_match(h->body_match.re[i], s->body.data ? s->body.data : "",
                           s->body.len)) {
            bb_perror(p, "Body matched regular expression", "regexp",
                      lm_regex_pattern(h->body_match.re[i]), NULL);
            return false;
        }
    for (size_t i = 0; i < h->body_not_match.n; i++)
        if (!lm_regex_match(h->body_not_match.re[i], s->body.data ? s->body.data : "",
                            s->body.len)) {
            bb_perror(p, "Body did not match regular expression", "regexp",
                      lm_regex_pattern(h->body_not_match.re[i]), NULL);
            return false;
        }
    for (size_t i = 0; i < h->nhdr_match; i++) {
        const struct bb_header_match *m = &h->hdr_match[i];
        size_t matched, seen = header_match(s, m->header, m->re, &matched);
        if (!seen && !m->allow_missing) {
            bb_perror(p, "Missing required header", "header", m->header, NULL);
            return false;
        }
        if (matched) {
            bb_perror(p, "Header matched regular expression", "header", m->header, "regexp",
                      lm_regex_pattern(m->re), NULL);
            return false;
        }
    }
    for (size_t i = 0; i < h->nhdr_not_match; i++) {
        const struct bb_header_match *m = &h->hdr_not_match[i];
        size_t matched, seen = header_match(s, m->header, m->re, &matched);
        if (!seen && !m->allow_missing) {
            bb_perror(p, "Missing required header", "header", m->header, NULL);
            return false;
        }
        if (seen && !matched) {
            bb_perror(p, "Header did not match regular expression", "header", m->header,
                      "regexp", lm_regex_pattern(m->re), NULL);
            return false;
        }
    }
    return true;
}

static bool
status_ok(const struct bb_http_module *h, long code)
{
    if (!h->nvalid_status)
        return code >= 200 && code < 300;
    for (size_t i = 0; i < h->nvalid_status; i++)
        if (h->valid_status[i] == code)
            return true;
    return false;
}

static char *
read_secret(const char *path)
{
    FILE *f = fopen(path, "re");
    char line[4096];
    if (!f)
        return NULL;
    char *r = fgets(line, sizeof line, f) ? line : NULL;
    fclose(f);
    if (!r)
        return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    return lm_strdup(line);
}

static double
span(double a, double b)
{
    return b > a ? b - a : 0;
}

/* setup: options on s->curl for url and the module; slist gets the headers (caller frees).
 * Returns false (logged) on a problem with the module's files. */
static bool
setup(struct hstate *s, const char *url, const char *pin, struct curl_slist **hl,
      char **secret)
{
    struct bb_probe *p = s->p;
    const struct bb_http_module *h = &p->mod->http;
    CURL *c = s->curl;
    double left = p->deadline - lm_monotonic();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(left > 0.001 ? left * 1000 : 1));
    curl_easy_setopt(c, CURLOPT_USERAGENT, "Blackbox Exporter/" LM_VERSION);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(c, CURLOPT_FILETIME, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, h->follow_redirects ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(c, CURLOPT_PROXY, h->proxy_url ? h->proxy_url : "");
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION,
                     h->enable_http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
    if (pin) {
        struct curl_slist *r = curl_slist_append(NULL, pin);
        curl_easy_setopt(c, CURLOPT_RESOLVE, r);
        curl_easy_setopt(c, CURLOPT_PRIVATE, r);
    }
    if (strcmp(h->method, "GET"))
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, h->method);
    if (!strcmp(h->method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (h->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, h->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(h->body));
    }
    if (h->compression)
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, h->compression);
    for (size_t i = 0; i < h->nheaders; i++) {
        char line[8192];
        snprintf(line, sizeof line, "%s: %s", h->headers[i].key, h->headers[i].value);
        *hl = curl_slist_append(*hl, line);
    }
    if (p->hostname && *p->hostname) {
        char line[1024];
        snprintf(line, sizeof line, "Host: %s", p->hostname);
        *hl = curl_slist_append(*hl, line);
    }
    if (h->bearer_token || h->bearer_token_file) {
        char line[8192];
        if (h->bearer_token_file && !(*secret = read_secret(h->bearer_token_file))) {
            bb_perror(p, "Error reading bearer token file", "file", h->bearer_token_file,
                      NULL);
            return false;
        }
        snprintf(line, sizeof line, "Authorization: Bearer %s",
                 *secret ? *secret : h->bearer_token);
        *hl = curl_slist_append(*hl, line);
    }
    if (h->username) {
        if (h->password_file && !(*secret = read_secret(h->password_file))) {
            bb_perror(p, "Error reading password file", "file", h->password_file, NULL);
            return false;
        }
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, h->username);
        curl_easy_setopt(c, CURLOPT_PASSWORD,
                         *secret ? *secret : h->password ? h->password : "");
    }
    if (*hl)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hl);
    const struct bb_tls_config *t = &h->tls;
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, t->insecure_skip_verify ? 0L : 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, t->insecure_skip_verify ? 0L : 2L);
    if (t->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, t->ca_file);
    if (t->cert_file)
        curl_easy_setopt(c, CURLOPT_SSLCERT, t->cert_file);
    if (t->key_file)
        curl_easy_setopt(c, CURLOPT_SSLKEY, t->key_file);
    if (t->min_version) {
        long v = !strcmp(t->min_version, "TLS13")   ? CURL_SSLVERSION_TLSv1_3
                 : !strcmp(t->min_version, "TLS11") ? CURL_SSLVERSION_TLSv1_1
                 : !strcmp(t->min_version, "TLS10") ? CURL_SSLVERSION_TLSv1_0
                                                    : CURL_SSLVERSION_TLSv1_2;
        curl_easy_setopt(c, CURLOPT_SSLVERSION, v);
    }
    return true;
}

/* run: the request, checks and families; true on success. */
static bool
run(struct hstate *s, const char *url, const char *pin)
{
    struct bb_probe *p = s->p;
    const struct bb_http_module *h = &p->mod->http;
    struct curl_slist *hl = NULL, *pinlist = NULL;
    char *secret = NULL;
    bool ok = setup(s, url, pin, &hl, &secret);
    long code = 0, redirects = 0, ver = 0;
    curl_off_t clen = -1, tmr = -1;
    double tn = 0, tc = 0, ta = 0, tp = 0, ts = 0, tt = 0;
    char *scheme = NULL;
    CURLcode cr = CURLE_OK;
    bool regex_ok = true;
    if (ok) {
        bb_pinfo(p, "Making HTTP request", "url", url, NULL);
        cr = curl_easy_perform(s->curl);
        curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
        curl_easy_getinfo(s->curl, CURLINFO_REDIRECT_COUNT, &redirects);
        curl_easy_getinfo(s->curl, CURLINFO_HTTP_VERSION, &ver);
        curl_easy_getinfo(s->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &clen);
        curl_easy_getinfo(s->curl, CURLINFO_FILETIME_T, &tmr);
        curl_easy_getinfo(s->curl, CURLINFO_NAMELOOKUP_TIME, &tn);
        curl_easy_getinfo(s->curl, CURLINFO_CONNECT_TIME, &tc);
        curl_easy_getinfo(s->curl, CURLINFO_APPCONNECT_TIME, &ta);
        curl_easy_getinfo(s->curl, CURLINFO_PRETRANSFER_TIME, &tp);
        curl_easy_getinfo(s->curl, CURLINFO_STARTTRANSFER_TIME, &ts);
        curl_easy_getinfo(s->curl, CURLINFO_TOTAL_TIME, &tt);
        curl_easy_getinfo(s->curl, CURLINFO_SCHEME, &scheme);
        curl_easy_getinfo(s->curl, CURLINFO_PRIVATE, (char **)&pinlist);
        if (cr != CURLE_OK && !(s->over_limit && cr == CURLE_WRITE_ERROR)) {
            bb_perror(p, "Error for HTTP request", "err", curl_easy_strerror(cr), NULL);
            ok = false;
        } else if (s->over_limit) {
            bb_perror(p, "Failed to read HTTP response body", "err",
                      "body size limit exceeded", NULL);
            ok = false;
        } else {
            char sc[16];
            snprintf(sc, sizeof sc, "%ld", code);
            bb_pinfo(p, "Received HTTP response", "status_code", sc, NULL);
            if (!status_ok(h, code)) {
                bb_perror(p, "Invalid HTTP response status code", "status_code", sc,
                          "valid_status_codes", h->nvalid_status ? "(configured)" : "2xx",
                          NULL);
                ok = false;
            }
        }
    }
    bool tls = scheme && !strcasecmp(scheme, "https");
    double version = ver == CURL_HTTP_VERSION_1_0 ? 1.0
                     : ver == CURL_HTTP_VERSION_1_1 ? 1.1
                     : ver == CURL_HTTP_VERSION_2_0 ? 2
                     : ver == CURL_HTTP_VERSION_3   ? 3 : 0;
    if (ok && h->nvalid_versions) {
        char vs[16];
        snprintf(vs, sizeof vs, version == 1.1 ? "HTTP/1.1" : version == 1 ? "HTTP/1.0"
                                : version == 2 ? "HTTP/2.0" : "HTTP/3.0");
        bool found = false;
        for (size_t i = 0; i < h->nvalid_versions; i++)
            found = found || !strcmp(h->valid_versions[i], vs) ||
                    (version == 2 && !strcmp(h->valid_versions[i], "HTTP/2"));
        if (!found) {
            bb_perror(p, "Invalid HTTP version number", "version", vs, NULL);
            ok = false;
        }
    }
    if (ok && code) {
        regex_ok = check_regexes(s);
        ok = regex_ok;
    }
    if (ok && h->fail_if_ssl && tls) {
        bb_perror(p, "Final request was over SSL", NULL);
        ok = false;
    }
    if (ok && h->fail_if_not_ssl && !tls) {
        bb_perror(p, "Final request was not over SSL", NULL);
        ok = false;
    }
    struct lm_emit *e = p->e;
    bb_gauge(e, "probe_failed_due_to_regex", "Indicates if probe failed due to regex",
             regex_ok ? 0 : 1);
    bb_gauge(e, "probe_http_content_length", "Length of http content response",
             code ? (double)clen : 0);
    bb_gauge(e, "probe_http_uncompressed_body_length", "Length of uncompressed response body",
             (double)s->body_len);
    bb_gauge(e, "probe_http_redirects", "The number of redirects", (double)redirects);
    bb_gauge(e, "probe_http_ssl", "Indicates if SSL was used for the final redirect",
             code && tls ? 1 : 0);
    bb_gauge(e, "probe_http_status_code", "Response HTTP status code", (double)code);
    bb_gauge(e, "probe_http_version", "Returns the version of HTTP of the probe response",
             code ? version : 0);
    if (code && tmr > 0)
        bb_gauge(e, "probe_http_last_modified_timestamp_seconds",
                 "Returns the Last-Modified HTTP response header in unixtime", (double)tmr);
    double base = ta > 0 ? ta : tc;
    double phases[5] = {s->lookup, span(tn, tc), ta > 0 ? span(tc, ta) : 0,
                        code ? span(base, ts) : 0, code ? span(ts, tt) : 0};
    (void)tp;
    static const char *const names[5] = {"resolve", "connect", "tls", "processing",
                                         "transfer"};
    lm_emit_family(e, "probe_http_duration_seconds",
                   "Duration of http request by phase, summed over all redirects",
                   LM_TYPE_GAUGE);
    for (int i = 0; i < 5; i++)
        lm_emit_samplev(e, phases[i], "phase", names[i], NULL);
    if (code && tls)
        bb_tls_emit(e, &s->tls);
    curl_slist_free_all(hl);
    curl_slist_free_all(pinlist);
    lm_free(secret);
    return ok;
}

static bool
probe_http(struct bb_probe *p)
{
    const struct bb_http_module *h = &p->mod->http;
    char url[4096];
    bool ok = false;
    if (strstr(p->target, "://"))
        snprintf(url, sizeof url, "%s", p->target);
    else
        snprintf(url, sizeof url, "http://%s", p->target);
    struct hstate s = {.p = p, .limit = (size_t)(h->body_size_limit > 0 ? h->body_size_limit : 0)};
    lm_buf_init(&s.body, HTTP_BODY_CAP);
    lm_buf_init(&s.hdrs, HTTP_HDR_CAP);
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL;
    double lookup = 0;
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        bb_perror(p, "Could not parse target URL", "url", url, NULL);
        goto out;
    }
    char bare[512];
    size_t hl = strlen(host);
    if (host[0] == '[' && hl > 2 && hl < sizeof bare) {
        memcpy(bare, host + 1, hl - 2);
        bare[hl - 2] = '\0';
    } else {
        snprintf(bare, sizeof bare, "%s", host);
    }
    struct sockaddr_storage ss;
    socklen_t sl;
    if (bb_resolve(p, bare, NULL, &h->ip, &ss, &sl, &lookup)) {
        lm_emit_family(p->e, "probe_http_duration_seconds",
                       "Duration of http request by phase, summed over all redirects",
                       LM_TYPE_GAUGE);
        lm_emit_samplev(p->e, lookup, "phase", "resolve", NULL);
        goto out;
    }
    s.lookup = lookup;
    char ip[64], pin[1024];
    bb_addr_string(&ss, ip, sizeof ip);
    snprintf(pin, sizeof pin, ss.ss_family == AF_INET6 ? "%s:%s:[%s]" : "%s:%s:%s", host, port,
             ip);
    if (!(s.curl = curl_easy_init())) {
        bb_perror(p, "Error creating request", "err", "curl_easy_init failed", NULL);
        goto out;
    }
    ok = run(&s, url, pin);
out:
    if (s.curl)
        curl_easy_cleanup(s.curl);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    lm_buf_cleanup(&s.body);
    lm_buf_cleanup(&s.hdrs);
    return ok;
}

const struct bb_prober bb_prober_http = {"http", probe_http};
