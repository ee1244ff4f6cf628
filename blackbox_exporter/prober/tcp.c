/* SPDX-License-Identifier: Apache-2.0 */
/* tcp.c: the tcp prober: connect to host:port (non-blocking, bounded by the probe
 * deadline), optionally TLS from the start or by a query_response starttls step
 * (lm/tlsc.h: GnuTLS, loaded on the first TLS probe), then walk the query_response steps: wait for a line matching `expect`,
 * write `send` plus "\n", with ${1} etc. taken from the last expect match (Go's
 * Regexp.Expand rules). Regex misses set probe_failed_due_to_regex. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "blackbox_exporter/bb.h"
#include "lm/buf.h"
#include "lm/exporter.h"
#include "lm/regex.h"
#include "lm/tlsc.h"

#define TCP_LINE_MAX 8192       /* longest line kept while waiting for an expect */

struct conn {
    int fd;                     /* socket */
    struct lm_tlsc *tls;        /* TLS session, or NULL */
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
    struct lm_tlsc_opts o;
    struct lm_err err;
    bb_tls_opts(&p->mod->tcp.tls_config, host, &o);
    if (!(c->tls = lm_tlsc_start(c->fd, &o, c->deadline, &err))) {
        bb_perror(p, "TLS Handshake (client) failed", "err", err.msg, NULL);
        return false;
    }
    return true;
}

static ssize_t
conn_read(struct conn *c, void *b, size_t n)
{
    struct lm_err err;
    if (c->tls) {
        ssize_t r = lm_tlsc_read(c->tls, b, n, c->deadline, &err);
        return r < 0 ? -1 : r;
    }
    for (;;) {
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
    struct lm_err err;
    if (c->tls)
        return !lm_tlsc_write(c->tls, b, n, c->deadline, &err);
    while (n) {
        ssize_t r = send(c->fd, b, n, MSG_NOSIGNAL);
        if (r < 0) {
            if ((errno != EAGAIN && errno != EINTR) || wait_fd(c, POLLOUT))
                return false;
            continue;
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
    char why[128];
    if ((c.fd = bb_dial(&ss, sl, c.deadline, why, sizeof why)) < 0) {
        bb_perror(p, "Error dialing TCP", "err", why, NULL);
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
            if (c.tls || !tls_start(p, &c, host))
                goto out;
        }
    }
    ok = true;
out:
    bb_gauge(p->e, "probe_failed_due_to_regex", "Indicates if probe failed due to regex",
             regex_ok ? 0 : 1);
    if (c.tls) {
        struct lm_tlsc_info info;
        lm_tlsc_info(c.tls, &info);
        if (ok)
            bb_tls_emit(p->e, &info);
        lm_tlsc_free(c.tls);
    }
    if (c.fd >= 0)
        close(c.fd);
    lm_buf_cleanup(&matched);
    lm_buf_cleanup(&sendbuf);
    return ok;
}

const struct bb_prober bb_prober_tcp = {"tcp", probe_tcp};
