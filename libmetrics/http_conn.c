/* SPDX-License-Identifier: Apache-2.0 */
/* http_conn.c: the HTTP/1.1 connection layer of lm/http.h (see http_conn.h): one accept
 * thread per listening socket, each connection served on a worker thread of http_pool.c
 * (counted, so stop can shut them down and wait), the request reader (head limit, header count, percent-decoded
 * path, decoded query, Content-Length or chunked bodies, 100-continue, kept only for
 * urlencoded forms), keep-alive and the idle timeout (SO_RCVTIMEO/SO_SNDTIMEO), and the
 * response writer. Plain sockets or a TLS session from http_tls.c. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/http.h"
#include "lm/log.h"
#include "http_conn.h"
#include "http_pool.h"
#include "webcfg_int.h"

#define READ_CHUNK 16384             /* bytes per recv */
#define CHUNK_LINE_MAX 4096          /* a chunk-size line of a chunked request body */

struct lmi_conns {
    struct lmi_conn_opts o;          /* how to serve (copied) */
    struct lmi_tls *tls;             /* TLS credentials, or NULL */
    int wake[2];                     /* pipe: readable once stopping */
    int lfd[LM_HTTP_MAX_LISTEN];     /* listening sockets */
    pthread_t lth[LM_HTTP_MAX_LISTEN];  /* their accept threads */
    size_t nls;                      /* entries in lfd/lth */
    pthread_mutex_t mu;              /* guards open, nconns, stopping */
    pthread_cond_t cv;               /* signalled when a connection ends */
    struct lmi_conn *open;           /* open connections */
    size_t nconns;                   /* entries in open */
    struct lmi_pool pool;            /* the threads serving connections */
    int stopping;                    /* _stop began */
    int stopped;                     /* _stop finished */
};

struct lmi_conn {
    struct lmi_pool_item item;       /* first: how it is handed to a worker */
    struct lmi_conns *cs;            /* the server's connection state */
    int fd;                          /* the socket */
    void *tls;                       /* TLS session, or NULL */
    struct lmi_conn *prev, *next;    /* in cs->open */
    char *buf;                       /* read buffer, LMI_HTTP_HEAD_MAX + 1 bytes */
    size_t off, len;                 /* unread bytes are buf[off..len) */
    int head_only;                   /* the request being answered is HEAD */
    int keep;                        /* keep the connection after this answer */
    int http10;                      /* the request was HTTP/1.0 */
};

const char *
lmi_req_header(const struct lmi_req *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (!strcasecmp(r->hname[i], name))
            return r->hval[i];
    return NULL;
}

/* conn_recv: up to n bytes into p. >0 bytes, 0 at EOF, -1 on error or timeout. */
static long
conn_recv(struct lmi_conn *c, void *p, size_t n)
{
    if (c->tls)
        return lmi_tls_recv(c->tls, p, n);
    for (;;) {
        ssize_t r = recv(c->fd, p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        return (long)r;
    }
}

/* conn_write: all n bytes of p (and q, m bytes, after it). 0 or -1. */
static int
conn_write(struct lmi_conn *c, const char *p, size_t n, const char *q, size_t m)
{
    if (c->tls) {
        for (int part = 0; part < 2; part++) {
            const char *s = part ? q : p;
            size_t left = part ? m : n;
            while (left) {
                long w = lmi_tls_send(c->tls, s, left);
                if (w <= 0)
                    return -1;
                s += w;
                left -= (size_t)w;
            }
        }
        return 0;
    }
    struct iovec iov[2] = {{(void *)p, n}, {(void *)q, m}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
    while (iov[0].iov_len || iov[1].iov_len) {
        ssize_t w = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        for (int i = 0; i < 2; i++) {
            size_t k = (size_t)w < iov[i].iov_len ? (size_t)w : iov[i].iov_len;
            iov[i].iov_base = (char *)iov[i].iov_base + k;
            iov[i].iov_len -= k;
            w -= (ssize_t)k;
        }
    }
    return 0;
}

/* fill: read more bytes after buf[len), compacting first. 1 read, 0 EOF/error/timeout,
 * -1 the buffer is full. */
static int
fill(struct lmi_conn *c)
{
    if (c->off) {
        memmove(c->buf, c->buf + c->off, c->len - c->off);
        c->len -= c->off;
        c->off = 0;
    }
    if (c->len >= LMI_HTTP_HEAD_MAX)
        return -1;
    size_t want = LMI_HTTP_HEAD_MAX - c->len;
    long r = conn_recv(c, c->buf + c->len, want < READ_CHUNK ? want : READ_CHUNK);
    if (r <= 0)
        return 0;
    c->len += (size_t)r;
    return 1;
}

static const char *
reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

/* has_header: the "name\0value\0" pairs in h hold name (case-insensitive). */
static int
has_header(const struct lm_buf *h, const char *name)
{
    const char *p = h ? h->data : NULL, *end = p ? p + h->len : NULL;
    while (p && p < end) {
        const char *v = p + strlen(p) + 1;
        if (!strcasecmp(p, name))
            return 1;
        p = v + strlen(v) + 1;
    }
    return 0;
}

int
lmi_conn_send(struct lmi_conn *c, const struct lmi_answer *a)
{
    struct lm_buf h;
    lm_buf_init(&h, 64 * 1024);
    char date[64];
    struct tm tm;
    time_t now = time(NULL);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&now, &tm));
    lm_buf_printf(&h, "HTTP/1.1 %d %s\r\nDate: %s\r\n", a->status, reason(a->status), date);
    int bodyless = a->status == 204 || a->status == 304 || a->status < 200;
    if (!bodyless)
        lm_buf_printf(&h, "Content-Length: %zu\r\n", a->len);
    if (a->ctype)
        lm_buf_printf(&h, "Content-Type: %s\r\n", a->ctype);
    const char *p = a->headers ? a->headers->data : NULL;
    const char *end = p ? p + a->headers->len : NULL;
    while (p && p < end) {
        const char *v = p + strlen(p) + 1;
        lm_buf_printf(&h, "%s: %s\r\n", p, v);
        p = v + strlen(v) + 1;
    }
    /* web-config headers, unless the response set its own (Go sets them first, then the
     * handler may overwrite them) */
    const struct lm_webcfg *wc = c->cs->o.wc;
    for (size_t i = 0; wc && i < wc->nheaders; i++)
        if (!has_header(a->headers, wc->headers[i].name))
            lm_buf_printf(&h, "%s: %s\r\n", wc->headers[i].name, wc->headers[i].value);
    if (!c->keep)
        lm_buf_puts(&h, "Connection: close\r\n");
    else if (c->http10)
        lm_buf_puts(&h, "Connection: keep-alive\r\n");
    lm_buf_puts(&h, "\r\n");
    int rc = h.err ? -1
                   : conn_write(c, h.data, h.len, a->body,
                                c->head_only || bodyless ? 0 : a->len);
    lm_buf_cleanup(&h);
    if (rc)
        c->keep = 0;
    return rc;
}

/* send_error: a plain-text error answer that ends the connection. */
static void
send_error(struct lmi_conn *c, int status)
{
    char body[96];
    snprintf(body, sizeof body, "%d %s\n", status, reason(status));
    c->keep = 0;
    c->head_only = 0;
    struct lmi_answer a = {.status = status, .ctype = "text/plain; charset=utf-8",
                           .body = body, .len = strlen(body)};
    lmi_conn_send(c, &a);
}

/* unhex: one hex digit's value, or -1. */
static int
unhex(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* decode_path: percent-decode s in place (a bad escape stays as is). -1 on a NUL byte. */
static int
decode_path(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        int h, l;
        if (*p == '%' && (h = unhex(p[1])) >= 0 && (l = unhex(p[2])) >= 0) {
            if (!(h | l))
                return -1;
            *o++ = (char)(h * 16 + l);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return 0;
}

/* is_token: s is an HTTP token (method, header name). */
static int
is_token(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f || strchr("()<>@,;:\\\"/[]?={}", *s))
            return 0;
    return 1;
}

/* has_word: the comma-separated header value v holds word (case-insensitive). */
static int
has_word(const char *v, const char *word)
{
    size_t wl = strlen(word);
    while (v && *v) {
        v += strspn(v, " \t,");
        size_t n = strcspn(v, ",");
        size_t k = n;
        while (k && (v[k - 1] == ' ' || v[k - 1] == '\t'))
            k--;
        if (k == wl && !strncasecmp(v, word, wl))
            return 1;
        v += n;
    }
    return 0;
}

/* parse_head: the request head (NUL-terminated, parsed in place; r points into it) into
 * r. 0 or the HTTP status to refuse it with. */
static int
parse_head(struct lmi_conn *c, char *head, struct lmi_req *r)
{
    char *line = head, *next = strchr(line, '\n');
    if (next)
        *next++ = '\0';
    size_t ll = strlen(line);
    if (ll && line[ll - 1] == '\r')
        line[--ll] = '\0';
    char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2 || strchr(sp2 + 1, ' '))
        return 400;
    *sp1 = *sp2 = '\0';
    char *target = sp1 + 1, *version = sp2 + 1;
    if (!is_token(line))
        return 400;
    if (!strcmp(version, "HTTP/1.1"))
        c->http10 = 0;
    else if (!strcmp(version, "HTTP/1.0"))
        c->http10 = 1;
    else
        return strncmp(version, "HTTP/", 5) ? 400 : 505;
    r->method = line;
    if (!strncasecmp(target, "http://", 7) || !strncasecmp(target, "https://", 8)) {
        char *slash = strchr(strstr(target, "//") + 2, '/');
        if (!slash)
            return 400;
        target = slash;
    }
    if (target[0] != '/' && strcmp(target, "*"))
        return 400;
    char *q = strchr(target, '?');
    if (q) {
        *q++ = '\0';
        if (lmi_form_decode(&r->query, q, strlen(q)))
            return 500;
    }
    char *hash = strchr(target, '#');
    if (hash)
        *hash = '\0';
    if (decode_path(target))
        return 400;
    r->path = target;
    while (next && *next) {
        line = next;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        ll = strlen(line);
        if (ll && line[ll - 1] == '\r')
            line[--ll] = '\0';
        if (!ll)
            break;
        if (line[0] == ' ' || line[0] == '\t')
            return 400;  /* obsolete line folding */
        char *colon = strchr(line, ':');
        if (!colon)
            return 400;
        *colon = '\0';
        if (!is_token(line))
            return 400;
        if (r->nheaders == LMI_HTTP_HEADERS_MAX)
            return 431;
        char *v = colon + 1;
        v += strspn(v, " \t");
        size_t vl = strlen(v);
        while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
            v[--vl] = '\0';
        r->hname[r->nheaders] = line;
        r->hval[r->nheaders++] = v;
    }
    return 0;
}

/* take_body: n body bytes: into r->body when keeping a form, else dropped. The buffered
 * bytes are used first. 0, or -1 when the connection ended early. */
static int
take_body(struct lmi_conn *c, struct lmi_req *r, unsigned long long n)
{
    while (n) {
        if (c->off == c->len && fill(c) <= 0)
            return -1;
        size_t k = c->len - c->off;
        if (k > n)
            k = (size_t)n;
        if (r->form && !r->toobig && lm_buf_append(&r->body, c->buf + c->off, k))
            r->toobig = 1;
        c->off += k;
        n -= k;
        if (r->toobig)
            return 0;  /* answered 413 and closed: no need to read the rest */
    }
    return 0;
}

/* take_line: the next line of the buffered stream (for chunk sizes and trailers) as a
 * NUL-terminated string in the buffer; NULL when the connection ended or it is too long. */
static char *
take_line(struct lmi_conn *c)
{
    for (;;) {
        char *nl = memchr(c->buf + c->off, '\n', c->len - c->off);
        if (nl) {
            char *line = c->buf + c->off;
            *nl = '\0';
            if (nl > line && nl[-1] == '\r')
                nl[-1] = '\0';
            c->off = (size_t)(nl - c->buf) + 1;
            return line;
        }
        if (c->len - c->off > CHUNK_LINE_MAX || fill(c) <= 0)
            return NULL;
    }
}

/* take_chunked: a chunked body (sizes, data, trailers). 0, -1 (connection ended), or 400
 * for a malformed body. */
static int
take_chunked(struct lmi_conn *c, struct lmi_req *r)
{
    for (;;) {
        char *line = take_line(c), *end;
        if (!line)
            return -1;
        if (unhex((unsigned char)line[0]) < 0)
            return 400;
        errno = 0;
        unsigned long long n = strtoull(line, &end, 16);
        if (errno || (*end && *end != ';' && *end != ' ' && *end != '\t'))
            return 400;
        if (!n)
            break;
        if (take_body(c, r, n))
            return -1;
        if (r->toobig)
            return 0;
        if (!(line = take_line(c)))
            return -1;
        if (*line)
            return 400;
    }
    for (;;) {  /* trailers until a blank line */
        char *line = take_line(c);
        if (!line)
            return -1;
        if (!*line)
            return 0;
    }
}

/* read_request: the next request into r (parsed in c->buf). 0 with r filled, -1 when the
 * connection ended or idled out, or an HTTP status to refuse with. */
static int
read_request(struct lmi_conn *c, struct lmi_req *r)
{
    char *head = NULL;
    size_t scanned = 0;
    for (;;) {
        while (c->off < c->len && (c->buf[c->off] == '\r' || c->buf[c->off] == '\n'))
            c->off++;  /* stray CRLFs between requests */
        if (c->off < c->len) {
            char *start = c->buf + c->off;
            size_t avail = c->len - c->off;
            for (size_t i = scanned > 3 ? scanned - 3 : 0; i < avail; i++) {
                if (start[i] == '\n' && ((i >= 1 && start[i - 1] == '\n') ||
                                         (i >= 2 && start[i - 1] == '\r' && start[i - 2] == '\n'))) {
                    start[i] = '\0';
                    head = start;
                    c->off += i + 1;
                    break;
                }
            }
            if (head)
                break;
            scanned = avail;
        }
        int f = fill(c);  /* compacts: scanned stays relative to buf + off */
        if (f < 0)
            return 431;
        if (!f)
            return -1;
    }
    /* the body reads below reuse buf: parse a copy of the head, which r keeps */
    if (!(r->head = lm_strdup(head)))
        return 500;
    int st = parse_head(c, r->head, r);
    if (st)
        return st;
    if (!c->http10 && !lmi_req_header(r, "Host"))
        return 400;  /* HTTP/1.1 requires Host (RFC 9112 3.2), as Go and libmicrohttpd */
    const char *conn = lmi_req_header(r, "Connection");
    c->keep = c->http10 ? has_word(conn, "keep-alive") : !has_word(conn, "close");
    const char *te = lmi_req_header(r, "Transfer-Encoding");
    const char *cl = lmi_req_header(r, "Content-Length");
    unsigned long long n = 0;
    if (te && strcasecmp(te, "chunked"))
        return 501;
    if (te && cl)
        return 400;
    if (cl) {
        char *end;
        errno = 0;
        n = strtoull(cl, &end, 10);
        if (!*cl || *end || errno || cl[0] == '-' || cl[0] == '+')
            return 400;
    }
    r->form = (!strcmp(r->method, "POST") || !strcmp(r->method, "PUT")) &&
              lmi_form_content_type(lmi_req_header(r, "Content-Type"));
    lm_buf_init(&r->body, LM_HTTP_MAX_FORM_BYTES);
    const char *expect = lmi_req_header(r, "Expect");
    if ((n || te) && !c->http10 && expect && !strcasecmp(expect, "100-continue") &&
        conn_write(c, "HTTP/1.1 100 Continue\r\n\r\n", 25, NULL, 0))
        return -1;
    if (te) {
        int rc = take_chunked(c, r);
        if (rc)
            return rc;
    } else if (n && take_body(c, r, n)) {
        return -1;
    }
    if (r->toobig)
        c->keep = 0;
    return 0;
}

/* req_cleanup: free what read_request made. */
static void
req_cleanup(struct lmi_req *r)
{
    lm_free(r->head);
    lmi_form_free(&r->query);
    lm_buf_cleanup(&r->body);
    memset(r, 0, sizeof *r);
}

/* conn_end: unlink c, close it and wake _stop. */
static void
conn_end(struct lmi_conn *c)
{
    struct lmi_conns *cs = c->cs;
    lmi_tls_close(c->tls);
    pthread_mutex_lock(&cs->mu);
    if (c->prev)
        c->prev->next = c->next;
    else
        cs->open = c->next;
    if (c->next)
        c->next->prev = c->prev;
    cs->nconns--;
    close(c->fd);
    pthread_cond_broadcast(&cs->cv);
    pthread_mutex_unlock(&cs->mu);
    lm_free(c->buf);
    lm_free(c);
}

/* serve: a pool item: serve the struct lmi_conn that embeds it (taken over): TLS
 * handshake, then requests until close or idle. */
static void
serve(struct lmi_pool_item *item)
{
    struct lmi_conn *c = (struct lmi_conn *)item;
    struct lmi_conns *cs = c->cs;
    if (cs->tls) {
        char why[256];
        c->tls = lmi_tls_accept(cs->tls, cs->o.wc, c->fd, cs->o.timeout_s * 1000u, why,
                                sizeof why);
        if (!c->tls) {
            lm_debug(cs->o.log, "TLS connection failed", "err", why, NULL);
            conn_end(c);
            return;
        }
    }
    for (;;) {
        struct lmi_req r;
        memset(&r, 0, sizeof r);
        r.tls = c->tls;
        c->keep = 0;
        int st = read_request(c, &r);
        if (st > 0) {
            send_error(c, st);
        } else if (!st) {
            c->head_only = !strcmp(r.method, "HEAD");
            if (cs->o.dispatch(cs->o.ud, c, &r))
                c->keep = 0;
        }
        req_cleanup(&r);
        if (st || !c->keep)
            break;
    }
    conn_end(c);
}

/* start_conn: set up fd (accepted) and hand it to a worker. */
static void
start_conn(struct lmi_conns *cs, int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (cs->o.timeout_s) {
        struct timeval tv = {.tv_sec = cs->o.timeout_s};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    struct lmi_conn *c = lm_calloc(1, sizeof *c);
    if (!c || !(c->buf = lm_malloc(LMI_HTTP_HEAD_MAX + 1))) {
        lm_free(c);
        close(fd);
        return;
    }
    c->cs = cs;
    c->fd = fd;
    pthread_mutex_lock(&cs->mu);
    if (cs->stopping) {
        pthread_mutex_unlock(&cs->mu);
        close(fd);
        lm_free(c->buf);
        lm_free(c);
        return;
    }
    c->next = cs->open;
    if (cs->open)
        cs->open->prev = c;
    cs->open = c;
    cs->nconns++;
    pthread_mutex_unlock(&cs->mu);
    int e = lmi_pool_submit(&cs->pool, &c->item);
    if (e) {
        lm_debug(cs->o.log, "cannot start a connection thread", "err", strerror(e), NULL);
        conn_end(c);
    }
}

/* One accept thread's argument. */
struct acceptor {
    struct lmi_conns *cs;
    int fd;
};

/* accept_loop: an accept thread: until the wake pipe says stop. */
static void *
accept_loop(void *arg)
{
    struct acceptor a = *(struct acceptor *)arg;
    lm_free(arg);
    for (;;) {
        struct pollfd p[2] = {{.fd = a.fd, .events = POLLIN}, {.fd = a.cs->wake[0], .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents)
            break;
        if (!(p[0].revents & POLLIN))
            continue;
        int fd = accept4(a.fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                poll(NULL, 0, 50);  /* out of descriptors: let connections end first */
            continue;
        }
        start_conn(a.cs, fd);
    }
    return NULL;
}

struct lmi_conns *
lmi_conns_new(const struct lmi_conn_opts *o, struct lm_err *err)
{
    struct lmi_conns *cs = lm_calloc(1, sizeof *cs);
    if (!cs) {
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        return NULL;
    }
    cs->o = *o;
    cs->wake[0] = cs->wake[1] = -1;
    pthread_mutex_init(&cs->mu, NULL);
    pthread_cond_init(&cs->cv, NULL);
    lmi_pool_init(&cs->pool, serve);
    if (pipe2(cs->wake, O_CLOEXEC)) {
        lm_err_set(err, LM_EIO, NULL, "pipe: %s", strerror(errno));
        lmi_conns_free(cs);
        return NULL;
    }
    if (o->wc && o->wc->tls && !(cs->tls = lmi_tls_new(o->wc, err))) {
        if (err && !err->code)
            err->code = LM_ECONFIG;
        lmi_conns_free(cs);
        return NULL;
    }
    return cs;
}

int
lmi_conns_listen(struct lmi_conns *cs, int fd, const char *addr, struct lm_err *err)
{
    struct acceptor *a = lm_malloc(sizeof *a);
    if (!a || cs->nls == LM_HTTP_MAX_LISTEN) {
        lm_free(a);
        close(fd);
        return lm_err_set(err, LM_ENOMEM, addr, "out of memory");
    }
    a->cs = cs;
    a->fd = fd;
    int e = pthread_create(&cs->lth[cs->nls], NULL, accept_loop, a);
    if (e) {
        lm_free(a);
        close(fd);
        return lm_err_set(err, LM_EIO, addr, "cannot start the accept thread: %s", strerror(e));
    }
    cs->lfd[cs->nls++] = fd;
    return 0;
}

void
lmi_conns_stop(struct lmi_conns *cs)
{
    if (!cs || cs->stopped)
        return;
    pthread_mutex_lock(&cs->mu);
    cs->stopping = 1;
    pthread_mutex_unlock(&cs->mu);
    if (cs->wake[1] >= 0)
        (void)!write(cs->wake[1], "x", 1);
    for (size_t i = 0; i < cs->nls; i++) {
        pthread_join(cs->lth[i], NULL);
        close(cs->lfd[i]);
    }
    cs->nls = 0;
    pthread_mutex_lock(&cs->mu);
    for (struct lmi_conn *c = cs->open; c; c = c->next)
        shutdown(c->fd, SHUT_RDWR);  /* wakes a thread blocked in recv */
    while (cs->nconns)
        pthread_cond_wait(&cs->cv, &cs->mu);
    pthread_mutex_unlock(&cs->mu);
    lmi_pool_stop(&cs->pool);  /* the workers, idle now */
    cs->stopped = 1;
}

void
lmi_conns_free(struct lmi_conns *cs)
{
    if (!cs)
        return;
    lmi_conns_stop(cs);
    lmi_tls_free(cs->tls);
    for (int i = 0; i < 2; i++)
        if (cs->wake[i] >= 0)
            close(cs->wake[i]);
    pthread_mutex_destroy(&cs->mu);
    pthread_cond_destroy(&cs->cv);
    lmi_pool_cleanup(&cs->pool);
    lm_free(cs);
}
