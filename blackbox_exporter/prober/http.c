/* SPDX-License-Identifier: Apache-2.0 */
/* http.c: the http prober on our HTTP/1.1 client (proto/httpc.h) and, for https, our TLS
 * client (lm/tlsc.h, GnuTLS loaded on the first TLS probe): no libcurl, no OpenSSL. The
 * target's host is resolved with the module's ip options (probe.c); each request of a
 * redirect chain is timed as Go's httptrace is (resolve, connect, tls, processing =
 * first answer byte since the connection was ready, transfer = the final body), the
 * phases summed over the chain. Then the status, header regexes, body regexes, HTTP
 * version and TLS use are checked in the Go prober's order, and its families emitted.
 * HTTP/1.1 only: HTTP/2 is never offered (enable_http2 has no effect), so
 * valid_http_versions: [HTTP/2.0] fails. proxy_url is refused by config.c. */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "blackbox_exporter/bb.h"
#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/exporter.h"
#include "lm/tlsc.h"
#include "proto/httpc.h"

#define HTTP_BODY_CAP (16UL * 1024 * 1024)  /* body bytes read without body_size_limit */
#define HTTP_MAX_REDIRECTS 10               /* as Go's prober */
#define HTTP_MAX_HEADERS 64                 /* module headers sent */

enum { PH_RESOLVE, PH_CONNECT, PH_TLS, PH_PROCESSING, PH_TRANSFER, PH_N };

/* The probe's state across the redirect chain. */
struct hstate {
    struct bb_probe *p;                 /* the probe */
    double ph[PH_N];                    /* phase sums, seconds */
    struct lm_buf body;                 /* final answer body */
    struct lm_buf head;                 /* final answer head */
    struct proto_httpc_resp resp;       /* the last answer */
    bool got;                           /* an answer came (resp is valid) */
    bool tls;                           /* the last request went over TLS */
    struct lm_tlsc_info tlsinfo;        /* its handshake facts */
    int redirects;                      /* Go's len(via) */
    bool stopped;                       /* a redirect was not followed (body unread) */
    bool too_big;                       /* the body passed body_size_limit */
};

/* One request's settings. */
struct hreq {
    struct proto_url u;                 /* where */
    struct sockaddr_storage ss;         /* its address */
    socklen_t sl;                       /* its length */
    char host[PROTO_HTTPC_HOST_MAX + 8];/* Host header value */
    const char *method;                 /* method (GET after a 303) */
    const char *body;                   /* request body, or NULL */
};

static bool
status_ok(const struct bb_http_module *h, int code)
{
    if (!h->nvalid_status)
        return code >= 200 && code < 300;
    for (size_t i = 0; i < h->nvalid_status; i++)
        if (h->valid_status[i] == code)
            return true;
    return false;
}

/* read_secret: the first line of path (owned), or NULL. */
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
    return a > 0 && b > a ? b - a : 0;
}

/* decoding: the module asks for a body encoding to undo (gzip or deflate). */
static bool
decoding(const struct bb_http_module *h)
{
    return h->compression && (!strcmp(h->compression, "gzip") ||
                              !strcmp(h->compression, "deflate"));
}

/* resolve_hop: the address of a redirect's host (getaddrinfo, the module's family first).
 * 0 or -1 with why. */
static int
resolve_hop(const struct bb_ipopts *ip, const struct proto_url *u, struct hreq *r,
            char *why, size_t whysz)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL, *pick = NULL;
    hints.ai_family = ip->fallback ? AF_UNSPEC : ip->preferred == 4 ? AF_INET : AF_INET6;
    int rc = getaddrinfo(u->host, u->port, &hints, &res);
    if (rc) {
        snprintf(why, whysz, "dial tcp: lookup %s: %s", u->host, gai_strerror(rc));
        return -1;
    }
    int want = ip->preferred == 4 ? AF_INET : AF_INET6;
    for (struct addrinfo *a = res; a && !pick; a = a->ai_next)
        if (a->ai_family == want)
            pick = a;
    if (!pick)
        pick = res;
    memcpy(&r->ss, pick->ai_addr, pick->ai_addrlen);
    r->sl = pick->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* set_port: the port of u into the address. */
static void
set_port(struct sockaddr_storage *ss, const char *port)
{
    unsigned short n = htons((unsigned short)strtoul(port, NULL, 10));
    if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = n;
    else
        ((struct sockaddr_in *)ss)->sin_port = n;
}

/* resolve_location: the redirect target loc relative to cur into next (a full URL in
 * buf). *relative: loc had no host (Go keeps the address and Host then). */
static int
resolve_location(const struct proto_url *cur, const char *loc, char *buf, size_t bufsz,
                 bool *relative)
{
    *relative = false;
    if (strstr(loc, "://"))
        snprintf(buf, bufsz, "%s", loc);
    else if (loc[0] == '/' && loc[1] == '/')
        snprintf(buf, bufsz, "%s:%s", cur->scheme, loc);
    else if (loc[0] == '/' || loc[0] == '?') {
        *relative = true;
        if (loc[0] == '/')
            snprintf(buf, bufsz, "%s://%s%s", cur->scheme, cur->hostport, loc);
        else
            snprintf(buf, bufsz, "%s://%s%.*s%s", cur->scheme, cur->hostport,
                     (int)strcspn(cur->target, "?"), cur->target, loc);
    } else {
        *relative = true;
        size_t pl = strcspn(cur->target, "?");
        const char *slash = cur->target;
        for (size_t i = 0; i < pl; i++)
            if (cur->target[i] == '/')
                slash = cur->target + i;
        snprintf(buf, bufsz, "%s://%s%.*s/%s", cur->scheme, cur->hostport,
                 (int)(slash - cur->target), cur->target, loc);
    }
    return 0;
}

/* tls_io_*: the proto_httpc_io transport over a TLS session. */
static long
tls_io_read(void *ctx, void *p, size_t n, double deadline, struct lm_err *err)
{
    return (long)lm_tlsc_read(ctx, p, n, deadline, err);
}

static int
tls_io_write(void *ctx, const void *p, size_t n, double deadline, struct lm_err *err)
{
    return lm_tlsc_write(ctx, p, n, deadline, err);
}

/* hop: one request of the chain into s->resp, its phases added to s->ph. resolve: the
 * address must be looked up first (an absolute redirect). 0 when an answer came (a body
 * over body_size_limit included: s->too_big), -1 with why. */
static int
hop(struct hstate *s, struct hreq *r, const struct proto_httpc_req *base, bool resolve,
    const struct lm_tlsc_opts *tlso, char *why, size_t whysz)
{
    struct bb_probe *p = s->p;
    double t0 = lm_monotonic(), tdns = t0, tconn, tready;
    if (resolve) {
        int rc = resolve_hop(&p->mod->http.ip, &r->u, r, why, whysz);
        tdns = lm_monotonic();
        s->ph[PH_RESOLVE] += tdns - t0;
        if (rc)
            return -1;
    }
    int fd = bb_dial(&r->ss, r->sl, p->deadline, why, whysz);
    tconn = tready = lm_monotonic();
    if (fd < 0) {
        char ip[64], tmp[256];
        bb_addr_string(&r->ss, ip, sizeof ip);
        snprintf(tmp, sizeof tmp, "%.200s", why);
        snprintf(why, whysz, r->ss.ss_family == AF_INET6 ? "dial tcp [%s]:%s: %s"
                                                          : "dial tcp %s:%s: %s",
                 ip, r->u.port, tmp);
        return -1;
    }
    s->ph[PH_CONNECT] += tconn - tdns;
    struct lm_tlsc *tls = NULL;
    s->tls = !strcmp(r->u.scheme, "https");
    if (s->tls) {
        struct lm_err err;
        tls = lm_tlsc_start(fd, tlso, p->deadline, &err);
        tready = lm_monotonic();
        s->ph[PH_TLS] += tready - tconn;
        if (!tls) {
            snprintf(why, whysz, "%s", err.msg);
            close(fd);
            return -1;
        }
        lm_tlsc_info(tls, &s->tlsinfo);
    }
    struct proto_httpc_req req = *base;
    req.method = r->method;
    req.target = r->u.target;
    req.host = r->host;
    req.body = r->body;
    req.body_len = r->body ? strlen(r->body) : 0;
    struct proto_httpc_io io = {.ctx = tls, .read = tls_io_read, .write = tls_io_write};
    struct lm_err err;
    lm_buf_reset(&s->body);
    lm_buf_reset(&s->head);
    s->resp = (struct proto_httpc_resp){.body = &s->body, .head = &s->head};
    int rc = tls ? proto_httpc_exchange_io(&io, &req, &s->resp, p->deadline, "", &err)
                 : proto_httpc_exchange(fd, &req, &s->resp, p->deadline, "", &err);
    double tend = lm_monotonic();
    lm_tlsc_free(tls);
    close(fd);
    if (s->resp.first_byte > 0)
        s->ph[PH_PROCESSING] += span(tready, s->resp.first_byte);
    s->ph[PH_TRANSFER] = s->resp.first_byte > 0 ? span(s->resp.first_byte, tend) : 0;
    if (rc == LM_ETOOBIG && s->resp.status && p->mod->http.body_size_limit > 0 &&
        !decoding(&p->mod->http)) {
        s->too_big = true;
        return 0;
    }
    if (rc) {
        snprintf(why, whysz, "%s", err.msg);
        return -1;
    }
    return 0;
}

/* header_check: fail_if_header_(not_)matches over the final head; true when it passes. */
static bool
header_check(struct hstate *s, const struct bb_header_match *m, size_t n, bool must_match)
{
    struct bb_probe *p = s->p;
    const char *hd = s->head.data ? s->head.data : "";
    char v[4096];
    for (size_t i = 0; i < n; i++) {
        size_t at = 0, seen = 0, matched = 0;
        while (proto_httpc_header(hd, s->head.len, m[i].header, &at, v, sizeof v)) {
            seen++;
            matched += lm_regex_match(m[i].re, v, strlen(v));
        }
        if (!seen && !m[i].allow_missing) {
            bb_perror(p, "Missing required header", "header", m[i].header, NULL);
            return false;
        }
        if (!seen)
            continue;
        if (!must_match && matched) {
            bb_perror(p, "Header matched regular expression", "header", m[i].header,
                      "regexp", lm_regex_pattern(m[i].re), NULL);
            return false;
        }
        if (must_match && !matched) {
            bb_perror(p, "Header did not match regular expression", "header", m[i].header,
                      "regexp", lm_regex_pattern(m[i].re), NULL);
            return false;
        }
    }
    return true;
}

/* body_check: the body regexes; true when they pass. */
static bool
body_check(struct hstate *s)
{
    const struct bb_http_module *h = &s->p->mod->http;
    const char *b = s->body.data ? s->body.data : "";
    for (size_t i = 0; i < h->body_match.n; i++)
        if (lm_regex_match(h->body_match.re[i], b, s->body.len)) {
            bb_perror(s->p, "Body matched regular expression", "regexp",
                      lm_regex_pattern(h->body_match.re[i]), NULL);
            return false;
        }
    for (size_t i = 0; i < h->body_not_match.n; i++)
        if (!lm_regex_match(h->body_not_match.re[i], b, s->body.len)) {
            bb_perror(s->p, "Body did not match regular expression", "regexp",
                      lm_regex_pattern(h->body_not_match.re[i]), NULL);
            return false;
        }
    return true;
}

/* http_time: an HTTP date (Go's http.ParseTime formats) as unix seconds; -1 when bad. */
static double
http_time(const char *v)
{
    static const char *const fmts[] = {"%a, %d %b %Y %H:%M:%S GMT",
                                       "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"};
    for (size_t i = 0; i < sizeof fmts / sizeof *fmts; i++) {
        struct tm tm = {0};
        const char *end = strptime(v, fmts[i], &tm);
        if (end && !*end)
            return (double)timegm(&tm);
    }
    return -1;
}

/* decode: replace the body by its decoding (compression); false (logged) on bad data. */
static bool
decode(struct hstate *s)
{
    const struct bb_http_module *h = &s->p->mod->http;
    struct lm_buf out;
    char why[256];
    lm_buf_init(&out, h->body_size_limit > 0 ? (size_t)h->body_size_limit : HTTP_BODY_CAP);
    int rc = bb_decompress(h->compression, s->body.data ? s->body.data : "", s->body.len, &out,
                           why, sizeof why);
    lm_buf_cleanup(&s->body);
    s->body = out;
    if (rc == LM_ETOOBIG) {
        s->too_big = true;
        return true;
    }
    if (rc)
        bb_perror(s->p, "Failed to read HTTP response body", "err", why, NULL);
    return !rc;
}

/* checks: the Go prober's checks of the final answer, in its order; true on success. */
static bool
checks(struct hstate *s, bool *regex_ok)
{
    struct bb_probe *p = s->p;
    const struct bb_http_module *h = &p->mod->http;
    char sc[16], v[128];
    snprintf(sc, sizeof sc, "%d", s->resp.status);
    bb_pinfo(p, "Received HTTP response", "status_code", sc, NULL);
    bool ok = status_ok(h, s->resp.status);
    if (!ok)
        bb_perror(p, "Invalid HTTP response status code", "status_code", sc,
                  "valid_status_codes", h->nvalid_status ? "(configured)" : "2xx", NULL);
    if (ok && (h->nhdr_match || h->nhdr_not_match)) {
        ok = header_check(s, h->hdr_match, h->nhdr_match, false) &&
             header_check(s, h->hdr_not_match, h->nhdr_not_match, true);
        *regex_ok = ok;
    }
    if (decoding(h) && !s->too_big && !s->stopped && !decode(s))
        ok = false;
    if (ok && (h->body_match.n || h->body_not_match.n) && !s->too_big && !s->stopped) {
        ok = body_check(s);
        *regex_ok = ok;
    }
    if (s->too_big) {
        bb_perror(p, "Failed to read HTTP response body", "err", "http: request body too large",
                  NULL);
        ok = false;
    }
    if (proto_httpc_header(s->head.data ? s->head.data : "", s->head.len, "Last-Modified",
                           NULL, v, sizeof v)) {
        double t = http_time(v);
        if (t != -1)
            bb_gauge(p->e, "probe_http_last_modified_timestamp_seconds",
                     "Returns the Last-Modified HTTP response header in unixtime", t);
    }
    snprintf(v, sizeof v, "HTTP/1.%d", s->resp.minor);
    if (h->nvalid_versions) {
        bool found = false;
        for (size_t i = 0; i < h->nvalid_versions && !found; i++)
            found = !strcmp(h->valid_versions[i], v);
        if (!found) {
            bb_perror(p, "Invalid HTTP version number", "version", v, NULL);
            ok = false;
        }
    }
    return ok;
}

/* emit: the http families. */
static void
emit(struct hstate *s, bool regex_ok)
{
    struct lm_emit *e = s->p->e;
    static const char *const names[PH_N] = {"resolve", "connect", "tls", "processing",
                                            "transfer"};
    lm_emit_family(e, "probe_http_duration_seconds",
                   "Duration of http request by phase, summed over all redirects",
                   LM_TYPE_GAUGE);
    for (int i = 0; i < PH_N; i++)
        lm_emit_samplev(e, s->ph[i], "phase", names[i], NULL);
    bb_gauge(e, "probe_failed_due_to_regex", "Indicates if probe failed due to regex",
             regex_ok ? 0 : 1);
    bb_gauge(e, "probe_http_content_length", "Length of http content response",
             s->got ? (double)s->resp.content_length : 0);
    bb_gauge(e, "probe_http_uncompressed_body_length", "Length of uncompressed response body",
             !s->got || s->stopped ? 0
             : s->too_big          ? (double)s->p->mod->http.body_size_limit
                                   : (double)s->body.len);
    bb_gauge(e, "probe_http_redirects", "The number of redirects", s->redirects);
    bb_gauge(e, "probe_http_ssl", "Indicates if SSL was used for the final redirect",
             s->got && s->tls ? 1 : 0);
    bb_gauge(e, "probe_http_status_code", "Response HTTP status code",
             s->got ? s->resp.status : 0);
    bb_gauge(e, "probe_http_version", "Returns the version of HTTP of the probe response",
             s->got ? 1 + s->resp.minor / 10.0 : 0);
    if (s->got && s->tls)
        bb_tls_emit(e, &s->tlsinfo);
}

/* go_method: Go's error prefix for a method: "Get", "Post". */
static void
go_method(const char *m, char *out, size_t n)
{
    snprintf(out, n, "%s", m);
    for (size_t i = 1; out[i]; i++)
        out[i] = (char)(out[i] >= 'A' && out[i] <= 'Z' ? out[i] + 32 : out[i]);
}

/* chain: the requests from r on, following redirects as the module says. */
static void
chain(struct hstate *s, struct hreq *r, const struct proto_httpc_req *base,
      const struct lm_tlsc_opts *tlso, const char *url)
{
    struct bb_probe *p = s->p;
    const struct bb_http_module *h = &p->mod->http;
    char why[512], next[4096], m[16];
    bool resolve = false;
    for (;;) {
        bb_pinfo(p, "Making HTTP request", "url", url, "host", r->host, NULL);
        if (hop(s, r, base, resolve, tlso, why, sizeof why)) {
            char msg[4096 + 512 + 32];
            go_method(r->method, m, sizeof m);
            snprintf(msg, sizeof msg, "%s \"%s\": %s", m, url, why);
            bb_perror(p, "Error for HTTP request", "err", msg, NULL);
            s->got = false;
            return;
        }
        s->got = true;
        int st = s->resp.status;
        char loc[2048];
        if (s->too_big || (st != 301 && st != 302 && st != 303 && st != 307 && st != 308) ||
            !proto_httpc_header(s->head.data ? s->head.data : "", s->head.len, "Location",
                                NULL, loc, sizeof loc) || !loc[0])
            return;
        bb_pinfo(p, "Received redirect", "location", loc, NULL);
        s->redirects++;
        if (!h->follow_redirects || s->redirects > HTTP_MAX_REDIRECTS) {
            bb_pinfo(p, "Not following redirect", NULL);
            s->stopped = true;
            return;
        }
        bool relative;
        struct lm_err err;
        resolve_location(&r->u, loc, next, sizeof next, &relative);
        if (proto_url_parse(next, &r->u, &err)) {
            bb_perror(p, "Error for HTTP request", "err", err.msg, "location", loc, NULL);
            s->got = false;
            return;
        }
        if (!relative)
            snprintf(r->host, sizeof r->host, "%s", r->u.hostport);
        resolve = !relative;
        if ((st == 301 || st == 302 || st == 303) && strcmp(r->method, "GET") &&
            strcmp(r->method, "HEAD")) {
            r->method = "GET";
            r->body = NULL;
        }
        url = next;
    }
}

/* module_headers: the module's headers as name/value pairs into kv (2 * HTTP_MAX_HEADERS),
 * without Host (its value into *host_hdr); *ua: a User-Agent is among them. */
static size_t
module_headers(const struct bb_http_module *h, const char **kv, const char **host_hdr,
               bool *ua)
{
    size_t n = 0;
    for (size_t i = 0; i < h->nheaders && n < HTTP_MAX_HEADERS; i++) {
        if (!strcasecmp(h->headers[i].key, "Host")) {
            *host_hdr = h->headers[i].value;
            continue;
        }
        *ua = *ua || !strcasecmp(h->headers[i].key, "User-Agent");
        if (h->compression && *h->compression &&
            !strcasecmp(h->headers[i].key, "Accept-Encoding"))
            continue;   /* compression sets it, as in Go */
        kv[2 * n] = h->headers[i].key;
        kv[2 * n + 1] = h->headers[i].value;
        n++;
    }
    if (h->compression && *h->compression) {
        kv[2 * n] = "Accept-Encoding";
        kv[2 * n + 1] = h->compression;
        n++;
    }
    return n;
}

static bool
probe_http(struct bb_probe *p)
{
    const struct bb_http_module *h = &p->mod->http;
    char url[4096];
    bool ok = false, regex_ok = true;
    snprintf(url, sizeof url, strstr(p->target, "://") ? "%s" : "http://%s", p->target);
    struct hstate s = {.p = p};
    size_t cap = h->body_size_limit > 0 && !decoding(h) ? (size_t)h->body_size_limit
                                                         : HTTP_BODY_CAP;
    lm_buf_init(&s.body, cap);
    lm_buf_init(&s.head, PROTO_HTTPC_HEAD_MAX);
    struct hreq *r = lm_malloc(sizeof *r);
    const char *kv[2 * HTTP_MAX_HEADERS + 4];   /* + Accept-Encoding, Authorization */
    char *secret = NULL, sni[PROTO_HTTPC_HOST_MAX];
    struct lm_err err;
    double lookup = 0;
    if (!r)
        goto out;
    memset(r, 0, sizeof *r);
    if (proto_url_parse(url, &r->u, &err)) {
        bb_perror(p, "Could not parse target URL", "url", url, "err", err.msg, NULL);
        goto out;
    }
    if (bb_resolve(p, r->u.host, NULL, &h->ip, &r->ss, &r->sl, &lookup)) {
        s.ph[PH_RESOLVE] = lookup;
        emit(&s, true);
        goto out;
    }
    s.ph[PH_RESOLVE] = lookup;
    set_port(&r->ss, r->u.port);
    const char *host_hdr = NULL;
    bool ua = false;
    size_t nkv = module_headers(h, kv, &host_hdr, &ua);
    if (p->hostname && *p->hostname)
        host_hdr = p->hostname;
    snprintf(r->host, sizeof r->host, "%s", host_hdr ? host_hdr : r->u.hostport);
    /* TLS name: tls_config.server_name, else the Host override (port cut), else the host. */
    snprintf(sni, sizeof sni, "%s", r->u.host);
    if (host_hdr) {
        size_t hl = host_hdr[0] == '[' ? strcspn(host_hdr, "]") + 1 : strcspn(host_hdr, ":");
        snprintf(sni, sizeof sni, "%.*s", (int)hl, host_hdr);
    }
    struct lm_tlsc_opts tlso;
    bb_tls_opts(&h->tls, sni, &tlso);
    struct proto_httpc_req base = {.user_agent = ua ? NULL : "Blackbox Exporter/" LM_VERSION,
                                   .headers = kv, .nheaders = nkv};
    if (h->bearer_token || h->bearer_token_file) {
        if (h->bearer_token_file && !(secret = read_secret(h->bearer_token_file))) {
            bb_perror(p, "Error reading bearer token file", "file", h->bearer_token_file, NULL);
            emit(&s, true);
            goto out;
        }
        static char bearer_key[] = "Authorization";
        size_t tl = strlen(secret ? secret : h->bearer_token);
        char *v = lm_malloc(tl + 8);
        if (!v)
            goto out;
        snprintf(v, tl + 8, "Bearer %s", secret ? secret : h->bearer_token);
        lm_free(secret);
        secret = v;
        kv[2 * nkv] = bearer_key;
        kv[2 * nkv + 1] = secret;
        base.nheaders = ++nkv;
    } else if (h->username) {
        if (h->password_file && !(secret = read_secret(h->password_file))) {
            bb_perror(p, "Error reading password file", "file", h->password_file, NULL);
            emit(&s, true);
            goto out;
        }
        base.user = h->username;
        base.pass = secret ? secret : h->password ? h->password : "";
    }
    r->method = h->method;
    r->body = h->body;
    chain(&s, r, &base, &tlso, url);
    if (s.got)
        ok = checks(&s, &regex_ok);
    if (s.got && s.tls && h->fail_if_ssl) {
        bb_perror(p, "Final request was over SSL", NULL);
        ok = false;
    } else if ((!s.got || !s.tls) && h->fail_if_not_ssl) {
        bb_perror(p, "Final request was not over SSL", NULL);
        ok = false;
    }
    emit(&s, regex_ok);
out:
    if (secret)
        explicit_bzero(secret, strlen(secret));
    lm_free(secret);
    lm_free(r);
    lm_buf_cleanup(&s.body);
    lm_buf_cleanup(&s.head);
    return ok;
}

const struct bb_prober bb_prober_http = {"http", probe_http};
