/* SPDX-License-Identifier: Apache-2.0 */
/* tcp.c: the tcp prober: connect to host:port (non-blocking, bounded by the probe
 * deadline), optionally TLS from the start or by a query_response starttls step
 * (OpenSSL), then walk the query_response steps: wait for a line matching `expect`,
 * write `send` plus "\n", with ${1} etc. taken from the last expect match (Go's
 * Regexp.Expand rules). Regex misses set probe_failed_due_to_regex. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include "blackbox_exporter/bb.h"
#include "lm/buf.h"
#include "lm/regex.h"
#include "lm/exporter.h"

#define TCP_LINE_MAX 8192       /* longest line kept while waiting for an expect */

struct conn {
    int fd;                     /* socket */
    SSL_CTX *ctx;               /* TLS context, or NULL */
    SSL *ssl;                   /* TLS session, or NULL */
    char buf[TCP_LINE_MAX];     /* read buffer */
    size_t len;                 /* bytes in buf */
    double deadline;            /* CLOCK_MONOTONIC */
};

static int
wait_fd(struct conn *c, short ev)
{
    double left = c->deadline - lm_monotonic();
    if (left <= 0)
        return -1;
    struct pollfd pfd = {c->fd, ev, 0};
    int r = poll(&pfd, 1, (int)(left * 1000) + 1);
    return r > 0 ? 0 : -1;
}

static bool
tls_start(struct bb_probe *p, struct conn *c, const char *host)
{
    const struct bb_tls_config *t = &p->mod->tcp.tls_config;
    c->ctx = SSL_CTX_new(TLS_client_method());
    if (!c->ctx)
        return false;
    if (t->ca_file)
        SSL_CTX_load_verify_locations(c->ctx, t->ca_file, NULL);
    else
        SSL_CTX_set_default_verify_paths(c->ctx);
    if (t->cert_file && t->key_file) {
        SSL_CTX_use_certificate_chain_file(c->ctx, t->cert_file);
        SSL_CTX_use_PrivateKey_file(c->ctx, t->key_file, SSL_FILETYPE_PEM);
    }
    SSL_CTX_set_verify(c->ctx, t->insecure_skip_verify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
                       NULL);
    if (!(c->ssl = SSL_new(c->ctx)))
        return false;
    const char *sni = t->server_name ? t->server_name : host;
    SSL_set_tlsext_host_name(c->ssl, sni);
    if (!t->insecure_skip_verify)
        SSL_set1_host(c->ssl, sni);
    SSL_set_fd(c->ssl, c->fd);
    for (;;) {
        int r = SSL_connect(c->ssl);
        if (r == 1)
            return true;
        int e = SSL_get_error(c->ssl, r);
        if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
            wait_fd(c, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT)) {
            char msg[256];
            long v = SSL_get_verify_result(c->ssl);
            if (v != X509_V_OK)
                snprintf(msg, sizeof msg, "tls: %s", X509_verify_cert_error_string(v));
            else
                snprintf(msg, sizeof msg, "tls: handshake failed (%s)",
                         ERR_reason_error_string(ERR_peek_last_error())
                             ? ERR_reason_error_string(ERR_peek_last_error()) : "timeout");
            bb_perror(p, "TLS Handshake (client) failed", "err", msg, NULL);
            return false;
        }
    }
}

static ssize_t
conn_read(struct conn *c, void *b, size_t n)
{
    for (;;) {
        if (c->ssl) {
            int r = SSL_read(c->ssl, b, (int)n);
            if (r > 0)
                return r;
            int e = SSL_get_error(c->ssl, r);
            if (e == SSL_ERROR_ZERO_RETURN)
                return 0;
            if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
                wait_fd(c, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT))
                return -1;
            continue;
        }
        ssize_t r = read(c->fd, b, n);
        if (r >= 0)
            return r;
        if ((errno != EAGAIN && errno != EINTR) || wait_fd(c, POLLIN))
            return -1;
    }
}

static bool
conn_write(struct conn *c, const char *b, size_t n)
{
    while (n) {
        ssize_t r;
        if (c->ssl) {
            int w = SSL_write(c->ssl, b, (int)n);
            if (w <= 0) {
                int e = SSL_get_error(c->ssl, w);
                if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
                    wait_fd(c, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT))
                    return false;
                continue;
            }
            r = w;
        } else {
            r = send(c->fd, b, n, MSG_NOSIGNAL);
            if (r < 0) {
                if ((errno != EAGAIN && errno != EINTR) || wait_fd(c, POLLOUT))
                    return false;
                continue;
            }
        }
        b += r;
        n -= (size_t)r;
    }
    return true;
}

/* expect: read lines until one matches re; the matching line (without its line end)
 * is copied into *line for ${n} in a later send. 1 matched, 0 EOF/timeout, -1 error. */
static int
expect(struct bb_probe *p, struct conn *c, const struct lm_regex *re, struct lm_buf *line)
{
    for (;;) {
        char *nl;
        while ((nl = memchr(c->buf, '\n', c->len))) {
            size_t ll = (size_t)(nl - c->buf);
            size_t cut = ll && c->buf[ll - 1] == '\r' ? ll - 1 : ll;
            bool m = lm_regex_match(re, c->buf, cut);
            if (m) {
                lm_buf_reset(line);
                lm_buf_append(line, c->buf, cut);
            }
            memmove(c->buf, nl + 1, c->len - ll - 1);
            c->len -= ll + 1;
            if (m)
                return 1;
        }
        if (c->len == sizeof c->buf)
            c->len = 0;   /* overlong line: drop it */
        ssize_t r = conn_read(c, c->buf + c->len, sizeof c->buf - c->len);
        if (r <= 0) {
            if (c->len && lm_regex_match(re, c->buf, c->len)) {
                lm_buf_reset(line);
                lm_buf_append(line, c->buf, c->len);
                c->len = 0;
                return 1;
            }
            bb_perror(p, "Error reading from connection", "err",
                      r == 0 ? "EOF" : "read failed or timed out", NULL);
            return 0;
        }
        c->len += (size_t)r;
    }
}

static bool
probe_tcp(struct bb_probe *p)
{
    const struct bb_tcp_module *t = &p->mod->tcp;
    char host[512], port[32], ip[64];
    struct sockaddr_storage ss;
    socklen_t sl;
    double lookup;
    bool ok = false, regex_ok = true;
    struct conn c = {.fd = -1, .deadline = p->deadline};
    struct lm_buf matched, sendbuf;   /* last expect's line; the expanded send */
    lm_buf_init(&matched, TCP_LINE_MAX);
    lm_buf_init(&sendbuf, 2 * TCP_LINE_MAX);
    if (bb_split_hostport(p->target, host, sizeof host, port, sizeof port)) {
        bb_perror(p, "Error splitting target address and port", "err",
                  "missing port in address", NULL);
        goto out;
    }
    if (bb_resolve(p, host, port, &t->ip, &ss, &sl, &lookup))
        goto out;
    bb_addr_string(&ss, ip, sizeof ip);
    bb_pinfo(p, "Dialing TCP without TLS", "address", ip, "port", port, NULL);
    c.fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0 || (connect(c.fd, (struct sockaddr *)&ss, sl) && errno != EINPROGRESS)) {
        bb_perror(p, "Error dialing TCP", "err", strerror(errno), NULL);
        goto out;
    }
    if (wait_fd(&c, POLLOUT)) {
        bb_perror(p, "Error dialing TCP", "err", "i/o timeout", NULL);
        goto out;
    }
    int soerr = 0;
    socklen_t el = sizeof soerr;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &soerr, &el);
    if (soerr) {
        bb_perror(p, "Error dialing TCP", "err", strerror(soerr), NULL);
        goto out;
    }
    bb_pinfo(p, "Successfully dialed", NULL);
    if (t->tls && !tls_start(p, &c, host))
        goto out;
    const struct lm_regex *last_re = NULL;   /* the last expect that matched, and its line */
    for (size_t i = 0; i < t->nqr; i++) {
        const struct bb_query_response *q = &t->qr[i];
        if (q->expect) {
            bb_pinfo(p, "Processing query response entry", "entry_number", "",
                     "expect", lm_regex_pattern(q->expect), NULL);
            int r = expect(p, &c, q->expect, &matched);
            if (r <= 0) {
                bb_perror(p, "Regexp did not match", "regexp", lm_regex_pattern(q->expect),
                          NULL);
                regex_ok = false;
                goto out;
            }
            last_re = q->expect;
        }
        if (q->send) {
            lm_buf_reset(&sendbuf);
            if (!last_re || !strchr(q->send, '$') ||
                !lm_regex_expand(last_re, lm_buf_cstr(&matched), matched.len, q->send, &sendbuf))
                lm_buf_puts(&sendbuf, q->send);
            lm_buf_putc(&sendbuf, '\n');
            if (sendbuf.err || !conn_write(&c, sendbuf.data, sendbuf.len)) {
                bb_perror(p, "Failed to send", "err", "write failed or timed out", NULL);
                goto out;
            }
        }
        if (q->starttls) {
            bb_pinfo(p, "Starting TLS", NULL);
            if (c.ssl || !tls_start(p, &c, host))
                goto out;
        }
    }
    ok = true;
out:
    bb_gauge(p->e, "probe_failed_due_to_regex", "Indicates if probe failed due to regex",
             regex_ok ? 0 : 1);
    if (c.ssl) {
        struct bb_tls_info info;
        bb_tls_collect(c.ssl, &info);
        if (ok)
            bb_tls_emit(p->e, &info);
        SSL_free(c.ssl);
    }
    SSL_CTX_free(c.ctx);
    if (c.fd >= 0)
        close(c.fd);
    lm_buf_cleanup(&matched);
    lm_buf_cleanup(&sendbuf);
    return ok;
}

const struct bb_prober bb_prober_tcp = {"tcp", probe_tcp};
