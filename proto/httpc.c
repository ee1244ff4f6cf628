/* SPDX-License-Identifier: Apache-2.0 */
/* httpc.c: the plain HTTP/1.1 client (proto/httpc.h): URL parsing and redaction, the
 * request writer (basic auth in base64), and the answer reader: read until the answer is
 * complete by its framing (Content-Length, chunked, or EOF), skipping 1xx answers, with
 * the head and the body capped. The parser works on the whole answer read so far, so it
 * is a pure function of its bytes (fuzzed by tests/fuzz/httpc.c). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "proto/httpc.h"
#include "proto/sock.h"

#define READ_CHUNK 16384
#define CHUNK_LINE_MAX 1024    /* a chunk-size line with extensions */

/* unhex: the value of one hex digit, or -1. */
static int
unhex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int
proto_url_unescape(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int h = unhex(s[i + 1]), l = h < 0 ? -1 : unhex(s[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            c = h * 16 + l;
            i += 2;
        }
        if (!c || o + 1 >= cap)
            return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

/* port_value: n decimal digits at s (n <= 5) as a number. */
static long
port_value(const char *s, size_t n)
{
    long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* copy_n: n bytes of s into out (cap bytes) as a string; -1 when it does not fit. */
static int
copy_n(char *out, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

int
proto_url_parse(const char *url, struct proto_url *u, struct lm_err *err)
{
    memset(u, 0, sizeof *u);
    const char *p;
    if (!strncasecmp(url, "http://", 7)) {
        snprintf(u->scheme, sizeof u->scheme, "http");
        p = url + 7;
    } else if (!strncasecmp(url, "https://", 8)) {
        snprintf(u->scheme, sizeof u->scheme, "https");
        p = url + 8;
    } else {
        return lm_err_set(err, LM_EINVAL, NULL, "unsupported URL scheme: want http or https");
    }
    size_t alen = strcspn(p, "/?#");
    const char *auth = p, *rest = p + alen;
    for (const char *c = url; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7f)
            return lm_err_set(err, LM_EINVAL, NULL, "malformed URL: control character or space");
    const char *at = NULL;
    for (size_t i = 0; i < alen; i++)
        if (auth[i] == '@')
            at = auth + i;
    if (at) {
        size_t ulen = (size_t)(at - auth);
        const char *colon = memchr(auth, ':', ulen);
        size_t nl = colon ? (size_t)(colon - auth) : ulen;
        if (proto_url_unescape(auth, nl, u->user, sizeof u->user) ||
            (colon && proto_url_unescape(colon + 1, ulen - nl - 1, u->pass, sizeof u->pass)))
            return lm_err_set(err, LM_EINVAL, NULL, "malformed URL: bad user information");
        u->has_user = 1;
        alen -= ulen + 1;
        auth = at + 1;
    }
    const char *hs = auth, *he, *port = NULL;
    if (alen && auth[0] == '[') {
        const char *rb = memchr(auth, ']', alen);
        if (!rb)
            return lm_err_set(err, LM_EINVAL, NULL, "malformed URL: missing ']'");
        hs = auth + 1;
        he = rb;
        if (rb + 1 < auth + alen) {
            if (rb[1] != ':')
                return lm_err_set(err, LM_EINVAL, NULL, "malformed URL: bad port");
            port = rb + 2;
        }
    } else {
        const char *colon = memchr(auth, ':', alen);
        he = colon ? colon : auth + alen;
        port = colon ? colon + 1 : NULL;
    }
    if (he == hs || copy_n(u->host, sizeof u->host, hs, (size_t)(he - hs)))
        return lm_err_set(err, LM_EINVAL, NULL, "malformed URL: bad or missing host");
    size_t plen = port ? (size_t)(auth + alen - port) : 0;
    if (port && plen) {
        if (plen > 5 || strspn(port, "0123456789") < plen || port_value(port, plen) > 65535)
            return lm_err_set(err, LM_EINVAL, NULL, "malformed URL: bad port");
        copy_n(u->port, sizeof u->port, port, plen);
    } else {
        snprintf(u->port, sizeof u->port, "%s", u->scheme[4] == 's' ? "443" : "80");
    }
    if (copy_n(u->hostport, sizeof u->hostport, auth, port && !plen ? alen - 1 : alen))
        return lm_err_set(err, LM_EINVAL, NULL, "malformed URL: host too long");
    size_t tlen = strcspn(rest, "#");
    if (!tlen || rest[0] != '/') {
        if (tlen + 1 >= sizeof u->target)
            return lm_err_set(err, LM_EINVAL, NULL, "URL too long");
        u->target[0] = '/';
        memcpy(u->target + 1, rest, tlen);
        u->target[tlen + 1] = '\0';
    } else if (copy_n(u->target, sizeof u->target, rest, tlen)) {
        return lm_err_set(err, LM_EINVAL, NULL, "URL too long");
    }
    return 0;
}

const char *
proto_url_redact(const char *url, char *out, size_t n)
{
    if (!n)
        return out;
    struct lm_err e;
    struct proto_url *u = lm_malloc(sizeof *u);
    int ok = u && !proto_url_parse(url, u, &e);
    if (!ok) {
        snprintf(out, n, "%.*s", (int)strcspn(url, ":"), url);
    } else {
        const char *auth = strstr(url, "://") + 3;
        const char *at = NULL;
        size_t alen = strcspn(auth, "/?#");
        for (size_t i = 0; i < alen; i++)
            if (auth[i] == '@')
                at = auth + i;
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon)
            snprintf(out, n, "%.*sxxxxx%s", (int)(colon + 1 - url), url, at);
        else
            snprintf(out, n, "%s", url);
    }
    if (u)
        explicit_bzero(u, sizeof *u);
    lm_free(u);
    return out;
}

/* b64_encode: n bytes of p as base64 appended to b. */
static void
b64_encode(struct lm_buf *b, const unsigned char *p, size_t n)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char q[4] = {tab[(v >> 18) & 63], tab[(v >> 12) & 63],
                     i + 1 < n ? tab[(v >> 6) & 63] : '=', i + 2 < n ? tab[v & 63] : '='};
        lm_buf_append(b, q, 4);
    }
}

/* has_crlf: s holds a CR or LF (header injection). */
static int
has_crlf(const char *s)
{
    return s && strpbrk(s, "\r\n") != NULL;
}

/* build_request: the request head and body into b. 0, LM_EINVAL or b's error. */
static int
build_request(const struct proto_httpc_req *req, struct lm_buf *b, struct lm_err *err,
              const char *where)
{
    int accept = 0;
    for (size_t i = 0; i < 2 * req->nheaders; i++)
        if (has_crlf(req->headers[i]) || (i % 2 == 0 && strpbrk(req->headers[i], ": \t")))
            return lm_err_set(err, LM_EINVAL, where, "CR, LF or space in a request header");
        else if (i % 2 == 0 && !strcasecmp(req->headers[i], "Accept"))
            accept = 1;
    if (has_crlf(req->target) || has_crlf(req->host) || has_crlf(req->user_agent) ||
        has_crlf(req->content_type) || strpbrk(req->target, " \t"))
        return lm_err_set(err, LM_EINVAL, where, "CR, LF or space in a request header");
    lm_buf_printf(b, "%s %s HTTP/1.1\r\nHost: %s\r\n", req->method, req->target, req->host);
    if (req->user_agent)
        lm_buf_printf(b, "User-Agent: %s\r\n", req->user_agent);
    if (req->user) {
        struct lm_buf cred;
        lm_buf_init(&cred, 2 * PROTO_HTTPC_CRED_MAX + 2);
        lm_buf_printf(&cred, "%s:%s", req->user, req->pass ? req->pass : "");
        lm_buf_puts(b, "Authorization: Basic ");
        b64_encode(b, (const unsigned char *)(cred.data ? cred.data : ""), cred.len);
        lm_buf_puts(b, "\r\n");
        if (cred.data)
            explicit_bzero(cred.data, cred.len);
        lm_buf_cleanup(&cred);
    }
    if (req->content_type)
        lm_buf_printf(b, "Content-Type: %s\r\n", req->content_type);
    if (req->body || strcmp(req->method, "GET"))
        lm_buf_printf(b, "Content-Length: %zu\r\n", req->body_len);
    for (size_t i = 0; i < req->nheaders; i++)
        lm_buf_printf(b, "%s: %s\r\n", req->headers[2 * i], req->headers[2 * i + 1]);
    if (!accept)
        lm_buf_puts(b, "Accept: */*\r\n");
    lm_buf_puts(b, "Connection: close\r\n\r\n");
    if (req->body_len)
        lm_buf_append(b, req->body, req->body_len);
    return b->err ? lm_err_set(err, b->err, where, "request: %s", lm_strerror(b->err)) : 0;
}

/* A parsed answer head. */
struct head {
    int status;           /* status code */
    int minor;            /* HTTP/1.minor */
    size_t len;           /* bytes of status line + headers + blank line */
    long long clen;       /* Content-Length, -1 when absent */
    int chunked;          /* Transfer-Encoding: chunked */
};

/* find_lf: the offset of the next "\n" at or after i in d[0..n), or n. */
static size_t
find_lf(const char *d, size_t i, size_t n)
{
    const char *p = memchr(d + i, '\n', n - i);
    return p ? (size_t)(p - d) : n;
}

/* hdr_value: copy a header value (spaces trimmed) of v[0..n) into out (cap, truncated). */
static void
hdr_value(const char *v, size_t n, char *out, size_t cap)
{
    while (n && (*v == ' ' || *v == '\t'))
        v++, n--;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, v, n);
    out[n] = '\0';
}

/* parse_head: the head at d[0..n) into h and resp's header fields. LM_ENODATA when the
 * blank line has not come yet, LM_EIO when malformed. */
static int
parse_head(const char *d, size_t n, struct head *h, struct proto_httpc_resp *resp,
           struct lm_err *err)
{
    size_t eol = find_lf(d, 0, n);
    if (eol == n)
        return n > PROTO_HTTPC_HEAD_MAX ? lm_err_set(err, LM_EIO, NULL, "answer head too long")
                                        : LM_ENODATA;
    if (eol < 12 || strncmp(d, "HTTP/1.", 7) || d[8] != ' ' || d[9] < '1' || d[9] > '9' ||
        d[10] < '0' || d[10] > '9' || d[11] < '0' || d[11] > '9' ||
        (eol > 12 && d[12] != ' ' && d[12] != '\r'))
        return lm_err_set(err, LM_EIO, NULL, "malformed HTTP answer: bad status line");
    h->status = (d[9] - '0') * 100 + (d[10] - '0') * 10 + (d[11] - '0');
    if (d[7] < '0' || d[7] > '9')
        return lm_err_set(err, LM_EIO, NULL, "malformed HTTP answer: bad status line");
    h->minor = d[7] - '0';
    h->clen = -1;
    h->chunked = 0;
    resp->content_type[0] = resp->location[0] = '\0';
    size_t i = eol + 1;
    for (;;) {
        if (i > PROTO_HTTPC_HEAD_MAX)
            return lm_err_set(err, LM_EIO, NULL, "answer head too long");
        size_t e = find_lf(d, i, n);
        if (e == n)
            return LM_ENODATA;
        size_t ll = e - i;
        if (ll && d[e - 1] == '\r')
            ll--;
        const char *line = d + i;
        i = e + 1;
        if (!ll)
            break;
        const char *colon = memchr(line, ':', ll);
        if (!colon || colon == line)
            return lm_err_set(err, LM_EIO, NULL, "malformed HTTP answer: bad header line");
        size_t nl = (size_t)(colon - line), vl = ll - nl - 1;
        const char *v = colon + 1;
        if (nl == 14 && !strncasecmp(line, "Content-Length", 14)) {
            char num[24];
            hdr_value(v, vl, num, sizeof num);
            char *end;
            errno = 0;
            long long cl = strtoll(num, &end, 10);
            if (!num[0] || *end || cl < 0 || errno || (h->clen >= 0 && h->clen != cl))
                return lm_err_set(err, LM_EIO, NULL, "malformed HTTP answer: bad Content-Length");
            h->clen = cl;
        } else if (nl == 17 && !strncasecmp(line, "Transfer-Encoding", 17)) {
            char te[64];
            hdr_value(v, vl, te, sizeof te);
            if (strcasecmp(te, "chunked") && strcasecmp(te, "identity"))
                return lm_err_set(err, LM_EIO, NULL, "unsupported Transfer-Encoding \"%s\"", te);
            h->chunked = !strcasecmp(te, "chunked");
        } else if (nl == 12 && !strncasecmp(line, "Content-Type", 12)) {
            hdr_value(v, vl, resp->content_type, sizeof resp->content_type);
        } else if (nl == 8 && !strncasecmp(line, "Location", 8)) {
            hdr_value(v, vl, resp->location, sizeof resp->location);
        }
    }
    h->len = i;
    return 0;
}

/* walk_chunks: the chunked body at d[0..n). With out NULL only checks completeness:
 * 0 when the last chunk and trailers are in, LM_ENODATA when more is needed, LM_EIO when
 * malformed, LM_ETOOBIG past max. With out, appends the data. */
static int
walk_chunks(const char *d, size_t n, size_t max, struct lm_buf *out, struct lm_err *err)
{
    size_t i = 0, total = 0;
    for (;;) {
        size_t e = find_lf(d, i, n);
        if (e == n)
            return e - i > CHUNK_LINE_MAX ? lm_err_set(err, LM_EIO, NULL, "bad chunk size line")
                                          : LM_ENODATA;
        unsigned long long sz = 0;
        size_t k = i, digits = 0;
        for (; k < e && unhex(d[k]) >= 0; k++, digits++) {
            if (sz > (1ULL << 40))
                return lm_err_set(err, LM_EIO, NULL, "chunk too large");
            sz = sz * 16 + (unsigned)unhex(d[k]);
        }
        if (!digits || (k < e && d[k] != ';' && d[k] != '\r' && d[k] != ' ' && d[k] != '\t'))
            return lm_err_set(err, LM_EIO, NULL, "malformed chunk size line");
        i = e + 1;
        if (!sz) {  /* trailers until a blank line */
            for (;;) {
                size_t t = find_lf(d, i, n);
                if (t == n)
                    return LM_ENODATA;
                size_t tl = t - i - (t > i && d[t - 1] == '\r');
                i = t + 1;
                if (!tl)
                    return 0;
            }
        }
        if (sz > max - total)
            return lm_err_set(err, LM_ETOOBIG, NULL, "answer body larger than %zu bytes", max);
        if (n - i < sz + 1)
            return LM_ENODATA;
        if (out && lm_buf_append(out, d + i, (size_t)sz))
            return lm_err_set(err, out->err, NULL, "%s", lm_strerror(out->err));
        total += (size_t)sz;
        i += (size_t)sz;
        if (d[i] == '\r') {
            if (n - i < 2)
                return LM_ENODATA;
            i++;
        }
        if (d[i] != '\n')
            return lm_err_set(err, LM_EIO, NULL, "malformed chunk: no CRLF after the data");
        i++;
    }
}

int
proto_httpc_parse(const char *data, size_t len, int complete, int head_only,
                  struct proto_httpc_resp *resp, struct lm_err *err)
{
    struct head h = {0};
    int rc;
    size_t max = resp->body->max;
    for (;;) {  /* skip 1xx answers (100 Continue, 103 Early Hints) */
        rc = parse_head(data, len, &h, resp, err);
        if (rc == LM_ENODATA && complete)
            return lm_err_set(err, LM_EIO, NULL, len ? "connection closed in the answer head"
                                                     : "connection closed without an answer");
        if (rc)
            return rc;
        if (h.status >= 200 || h.status == 101)
            break;
        data += h.len;
        len -= h.len;
    }
    resp->status = h.status;
    resp->minor = h.minor;
    resp->content_length = h.clen;
    if (resp->head) {
        lm_buf_reset(resp->head);
        if (lm_buf_append(resp->head, data, h.len))
            return lm_err_set(err, resp->head->err, NULL, "%s", lm_strerror(resp->head->err));
    }
    const char *b = data + h.len;
    size_t bl = len - h.len;
    if (head_only || h.status == 204 || h.status == 304)
        return 0;
    if (h.chunked) {
        rc = walk_chunks(b, bl, max, NULL, err);
        if (rc == LM_ENODATA && complete)
            return lm_err_set(err, LM_EIO, NULL, "connection closed in a chunked body");
        return rc ? rc : walk_chunks(b, bl, max, resp->body, err);
    }
    if (h.clen >= 0) {
        if ((unsigned long long)h.clen > max)
            return lm_err_set(err, LM_ETOOBIG, NULL, "answer body larger than %zu bytes", max);
        if (bl < (size_t)h.clen)
            return complete ? lm_err_set(err, LM_EIO, NULL,
                                         "connection closed after %zu of %lld body bytes", bl,
                                         h.clen)
                            : LM_ENODATA;
        bl = (size_t)h.clen;
    } else if (!complete) {
        return bl > max ? lm_err_set(err, LM_ETOOBIG, NULL, "answer body larger than %zu bytes",
                                     max)
                        : LM_ENODATA;
    }
    if (bl > max)
        return lm_err_set(err, LM_ETOOBIG, NULL, "answer body larger than %zu bytes", max);
    if (lm_buf_append(resp->body, b, bl))
        return lm_err_set(err, resp->body->err, NULL, "%s", lm_strerror(resp->body->err));
    return 0;
}

/* wait_io: poll fd for ev until deadline. 0, LM_ETIMEOUT or LM_EIO. */
static int
wait_io(int fd, short ev, double deadline)
{
    for (;;) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        double left = deadline - ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
        if (left <= 0)
            return LM_ETIMEOUT;
        struct pollfd p = {.fd = fd, .events = ev};
        int r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r > 0)
            return 0;
        if (r == 0)
            continue;
        if (errno != EINTR)
            return LM_EIO;
    }
}

/* fd_read / fd_write: the socket transport of proto_httpc_exchange. */
static long
fd_read(void *ctx, void *p, size_t n, double deadline, struct lm_err *err)
{
    int fd = *(int *)ctx;
    for (;;) {
        ssize_t r = read(fd, p, n);
        if (r >= 0)
            return (long)r;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            return lm_err_set(err, LM_EIO, NULL, "read: %s", strerror(errno));
        int w = wait_io(fd, POLLIN, deadline);
        if (w == LM_ETIMEOUT)
            return lm_err_set(err, w, NULL, "read: timed out");
        if (w)
            return lm_err_set(err, w, NULL, "read: poll: %s", strerror(errno));
    }
}

static int
fd_write(void *ctx, const void *p, size_t n, double deadline, struct lm_err *err)
{
    return proto_sock_write(*(int *)ctx, p, n, deadline, NULL, err);
}

static double
now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
proto_httpc_exchange(int fd, const struct proto_httpc_req *req, struct proto_httpc_resp *resp,
                     double deadline, const char *where, struct lm_err *err)
{
    struct proto_httpc_io io = {.ctx = &fd, .read = fd_read, .write = fd_write};
    return proto_httpc_exchange_io(&io, req, resp, deadline, where, err);
}

int
proto_httpc_exchange_io(const struct proto_httpc_io *io, const struct proto_httpc_req *req,
                        struct proto_httpc_resp *resp, double deadline, const char *where,
                        struct lm_err *err)
{
    struct lm_buf b;
    lm_buf_init(&b, PROTO_HTTPC_HEAD_MAX + resp->body->max + resp->body->max / 8 + 4096);
    int rc = build_request(req, &b, err, where);
    if (!rc && (rc = io->write(io->ctx, b.data, b.len, deadline, err)))
        snprintf(err->where, sizeof err->where, "%s", where ? where : "");
    if (rc) {
        lm_buf_cleanup(&b);
        return rc;
    }
    lm_buf_reset(&b);
    resp->status = 0;
    resp->first_byte = 0;
    int head_only = !strcmp(req->method, "HEAD"), eof = 0;
    char *chunk = lm_malloc(READ_CHUNK);
    if (!chunk) {
        lm_buf_cleanup(&b);
        return lm_err_set(err, LM_ENOMEM, where, "out of memory");
    }
    for (;;) {
        long r = io->read(io->ctx, chunk, READ_CHUNK, deadline, err);
        if (r > 0) {
            if (!resp->first_byte)
                resp->first_byte = now_mono();
            if (lm_buf_append(&b, chunk, (size_t)r)) {
                rc = b.err == LM_ETOOBIG
                         ? lm_err_set(err, LM_ETOOBIG, where, "answer body larger than %zu bytes",
                                      resp->body->max)
                         : lm_err_set(err, b.err, where, "%s", lm_strerror(b.err));
                break;
            }
        } else if (r == 0) {
            eof = 1;
        } else if (r == LM_ETIMEOUT) {
            rc = b.len ? lm_err_set(err, LM_ETIMEOUT, where, "read: timed out after %zu bytes",
                                    b.len)
                       : lm_err_set(err, LM_ETIMEOUT, where,
                                    "read: timed out waiting for the answer");
            break;
        } else {
            rc = (int)r;
            snprintf(err->where, sizeof err->where, "%s", where ? where : "");
            break;
        }
        size_t keep = resp->body->len;
        rc = proto_httpc_parse(b.data ? b.data : "", b.len, eof, head_only, resp, err);
        if (rc == LM_ENODATA && !eof)
            continue;
        if (rc) {
            resp->body->len = keep;
            snprintf(err->where, sizeof err->where, "%s", where ? where : "");
        }
        break;
    }
    lm_free(chunk);
    lm_buf_cleanup(&b);
    return rc;
}

int
proto_httpc_header(const char *head, size_t len, const char *name, size_t *start, char *out,
                   size_t cap)
{
    size_t nl = strlen(name), i = start ? *start : 0;
    if (!i)
        i = find_lf(head, 0, len) + 1;   /* past the status line */
    while (i < len) {
        size_t e = find_lf(head, i, len);
        const char *line = head + i;
        size_t ll = e - i;
        i = e < len ? e + 1 : len;
        if (ll > nl && line[nl] == ':' && !strncasecmp(line, name, nl)) {
            if (cap)
                hdr_value(line + nl + 1, ll - nl - 1, out, cap);
            if (start)
                *start = i;
            return 1;
        }
    }
    if (start)
        *start = len;
    return 0;
}
