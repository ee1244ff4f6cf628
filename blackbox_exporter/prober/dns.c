/* SPDX-License-Identifier: Apache-2.0 */
/* dns.c: the dns prober: resolve the server (target "host[:port]", port 53 by default),
 * send one query over UDP or TCP (2-byte length prefix), parse the reply (dnsmsg.c),
 * then check valid_rcodes and the validate_*_rrs regexes against each RR's text.
 * Emits probe_dns_duration_seconds{phase=resolve|connect|request}, the three RR counts,
 * probe_dns_query_succeeded and, for SOA queries, probe_dns_serial. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netdb.h>
#include <sys/random.h>
#include "blackbox_exporter/bb.h"
#include "lm/alloc.h"
#include "lm/exporter.h"

#define DNS_MSG_MAX 65535       /* largest message (TCP length prefix) */

static int
wait_fd(int fd, short ev, double deadline)
{
    double left = deadline - lm_monotonic();
    if (left <= 0)
        return -1;
    struct pollfd pfd = {fd, ev, 0};
    return poll(&pfd, 1, (int)(left * 1000) + 1) > 0 ? 0 : -1;
}

static int
write_all(int fd, const unsigned char *b, size_t n, double deadline)
{
    while (n) {
        ssize_t r = send(fd, b, n, MSG_NOSIGNAL);
        if (r < 0) {
            if ((errno != EAGAIN && errno != EINTR) || wait_fd(fd, POLLOUT, deadline))
                return -1;
            continue;
        }
        b += r;
        n -= (size_t)r;
    }
    return 0;
}

static int
read_full(int fd, unsigned char *b, size_t n, double deadline)
{
    while (n) {
        ssize_t r = read(fd, b, n);
        if (r == 0)
            return -1;
        if (r < 0) {
            if ((errno != EAGAIN && errno != EINTR) || wait_fd(fd, POLLIN, deadline))
                return -1;
            continue;
        }
        b += r;
        n -= (size_t)r;
    }
    return 0;
}

/* exchange: send q, receive a reply with the same id into buf. Returns its length or -1
 * with *why set. */
static ssize_t
exchange(int fd, bool tcp, const unsigned char *q, size_t qlen, unsigned char *buf,
         double deadline, const char **why)
{
    unsigned id = (unsigned)q[0] << 8 | q[1];
    if (tcp) {
        unsigned char pfx[2] = {(unsigned char)(qlen >> 8), (unsigned char)qlen};
        if (write_all(fd, pfx, 2, deadline) || write_all(fd, q, qlen, deadline)) {
            *why = "write failed or timed out";
            return -1;
        }
        for (;;) {
            if (read_full(fd, pfx, 2, deadline)) {
                *why = "read failed or timed out";
                return -1;
            }
            size_t n = (size_t)pfx[0] << 8 | pfx[1];
            if (read_full(fd, buf, n, deadline)) {
                *why = "read failed or timed out";
                return -1;
            }
            if (n >= 2 && ((unsigned)buf[0] << 8 | buf[1]) == id)
                return (ssize_t)n;
        }
    }
    if (write_all(fd, q, qlen, deadline)) {
        *why = "write failed or timed out";
        return -1;
    }
    for (;;) {
        ssize_t r = recv(fd, buf, DNS_MSG_MAX, 0);
        if (r < 0) {
            if ((errno != EAGAIN && errno != EINTR) || wait_fd(fd, POLLIN, deadline)) {
                *why = errno == ECONNREFUSED ? "connection refused" : "i/o timeout";
                return -1;
            }
            continue;
        }
        if (r >= 2 && ((unsigned)buf[0] << 8 | buf[1]) == id)
            return r;
    }
}

static bool
valid_rcode(struct bb_probe *p, int rcode)
{
    const struct bb_dns_module *d = &p->mod->dns;
    bool ok = d->nvalid_rcodes == 0 && rcode == 0;
    for (size_t i = 0; i < d->nvalid_rcodes && !ok; i++)
        ok = d->valid_rcodes[i] == rcode;
    if (!ok)
        bb_perror(p, "Rcode is not one of the valid rcodes", "string_rcode",
                  bb_dns_rcode_name(rcode), NULL);
    else
        bb_pinfo(p, "Rcode is valid", "string_rcode", bb_dns_rcode_name(rcode), NULL);
    return ok;
}

static bool
re_match(const struct lm_regex *re, const struct bb_dns_rr *rr)
{
    return lm_regex_match(re, rr->text, rr->len);
}

/* valid_rrs: upstream's four regex rules over one section. */
static bool
valid_rrs(struct bb_probe *p, const struct bb_dns_rr *rrs, size_t n,
          const struct bb_rr_validate *v)
{
    bool any = false, all = true;
    if (n == 0 && v->not_matches.n) {
        bb_perror(p, "fail_if_not_matches_regexp specified but no RRs returned", NULL);
        return false;
    }
    if (n == 0 && v->none_matches.n) {
        bb_perror(p, "fail_if_none_matches_regexp specified but no RRs returned", NULL);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const struct bb_dns_rr *rr = &rrs[i];
        bb_pinfo(p, "Validating RR", "rr", rr->text, NULL);
        for (size_t j = 0; j < v->matches.n; j++)
            if (re_match(v->matches.re[j], rr)) {
                bb_perror(p, "At least one RR matched regexp", "regexp",
                          lm_regex_pattern(v->matches.re[j]), "rr", rr->text, NULL);
                return false;
            }
        for (size_t j = 0; j < v->all_match.n; j++)
            if (!re_match(v->all_match.re[j], rr))
                all = false;
        for (size_t j = 0; j < v->not_matches.n; j++)
            if (!re_match(v->not_matches.re[j], rr)) {
                bb_perror(p, "At least one RR did not match regexp", "regexp",
                          lm_regex_pattern(v->not_matches.re[j]), "rr", rr->text, NULL);
                return false;
            }
        for (size_t j = 0; j < v->none_matches.n; j++)
            if (re_match(v->none_matches.re[j], rr))
                any = true;
    }
    if (v->all_match.n && all) {
        bb_perror(p, "All RRs matched fail_if_all_match_regexp", NULL);
        return false;
    }
    if (v->none_matches.n && !any) {
        bb_perror(p, "None of the RRs matched any regexp in fail_if_none_matches_regexp",
                  NULL);
        return false;
    }
    return true;
}

/* split_target: "host[:port]" or "[v6]:port" or a bare v6 address; port 53 default. */
static int
split_target(const char *t, char *host, size_t hsz, char *port, size_t psz)
{
    if (!bb_split_hostport(t, host, hsz, port, psz))
        return 0;
    size_t n = strlen(t);
    if (t[0] == '[') {
        if (n < 3 || t[n - 1] != ']' || n - 2 >= hsz)
            return -1;
        memcpy(host, t + 1, n - 2);
        host[n - 2] = '\0';
    } else {
        if (n >= hsz || (strchr(t, ':') && strchr(t, ':') == strrchr(t, ':')))
            return -1;
        memcpy(host, t, n + 1);
    }
    snprintf(port, psz, "53");
    return 0;
}

static bool
probe_dns(struct bb_probe *p)
{
    const struct bb_dns_module *d = &p->mod->dns;
    char host[512], port[32], ip[64], qname[512];
    struct sockaddr_storage ss;
    socklen_t sl;
    double lookup = 0, connect_t = -1, request_t = -1;
    bool ok = false, queried = false;
    struct bb_dns_reply rep = {0};
    unsigned char q[600], *buf = NULL;
    int fd = -1;
    double serial = 0;
    bool have_soa = d->query_type == 6;
    bool resolved = false;

    if (split_target(p->target, host, sizeof host, port, sizeof port)) {
        bb_perror(p, "Error parsing target", "err", "bad target address", NULL);
        goto out;
    }
    if (bb_resolve(p, host, port, &d->ip, &ss, &sl, &lookup))
        goto out;
    resolved = true;
    bb_addr_string(&ss, ip, sizeof ip);
    snprintf(qname, sizeof qname, "%s", d->query_name ? d->query_name : "");
    unsigned short id = 0;
    if (getrandom(&id, sizeof id, GRND_NONBLOCK) != (ssize_t)sizeof id)
        id = (unsigned short)(lm_monotonic() * 1e6);
    int qlen = bb_dns_build_query(q, sizeof q, id, qname, d->query_type, d->query_class,
                                  d->recursion_desired);
    if (qlen < 0) {
        bb_perror(p, "Error building the query", "err", "invalid query_name", NULL);
        goto out;
    }
    if (!(buf = lm_malloc(DNS_MSG_MAX))) {
        bb_perror(p, "Error while sending a DNS query", "err", "out of memory", NULL);
        goto out;
    }
    bb_pinfo(p, "Making DNS query", "target", ip, "dial_protocol", d->tcp ? "tcp" : "udp",
             "query", qname, NULL);
    double t0 = lm_monotonic();
    const char *why = NULL;
    fd = socket(ss.ss_family, (d->tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC,
                0);
    if (fd >= 0 && d->ip.source_ip) {
        struct addrinfo hints = {0}, *src = NULL;
        hints.ai_family = ss.ss_family;
        hints.ai_flags = AI_NUMERICHOST;
        if (getaddrinfo(d->ip.source_ip, NULL, &hints, &src) ||
            bind(fd, src->ai_addr, src->ai_addrlen))
            why = "cannot bind source_ip_address";
        if (src)
            freeaddrinfo(src);
    }
    if (!why && (fd < 0 || (connect(fd, (struct sockaddr *)&ss, sl) && errno != EINPROGRESS)))
        why = strerror(errno);
    if (!why && d->tcp) {
        int soerr = 0;
        socklen_t el = sizeof soerr;
        if (wait_fd(fd, POLLOUT, p->deadline))
            why = "i/o timeout";
        else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el) == 0 && soerr)
            why = strerror(soerr);
    }
    double t1 = lm_monotonic();
    connect_t = t1 - t0;
    ssize_t rlen = -1;
    if (!why)
        rlen = exchange(fd, d->tcp, q, (size_t)qlen, buf, p->deadline, &why);
    request_t = why ? 0 : lm_monotonic() - t1;
    if (why) {
        connect_t = lm_monotonic() - t0;
        bb_perror(p, "Error while sending a DNS query", "err", why, NULL);
        goto out;
    }
    if (bb_dns_parse_reply(buf, (size_t)rlen, &rep) || !rep.qr) {
        bb_perror(p, "Error while sending a DNS query", "err", "dns: bad rdata or malformed reply",
                  NULL);
        goto out;
    }
    bb_pinfo(p, "Got response", "rcode", bb_dns_rcode_name(rep.rcode), "answer_rrs",
             rep.n[0] ? rep.rrs[0][0].text : "", NULL);
    queried = true;
    for (size_t i = 0; have_soa && i < rep.n[0]; i++)
        if (rep.rrs[0][i].type == 6)
            serial = (double)rep.rrs[0][i].soa_serial;
    if (!valid_rcode(p, rep.rcode))
        goto out;
    bb_pinfo(p, "Validating Answer RRs", NULL);
    if (!valid_rrs(p, rep.rrs[0], rep.n[0], &d->answer)) {
        bb_perror(p, "Answer RRs validation failed", NULL);
        goto out;
    }
    bb_pinfo(p, "Validating Authority RRs", NULL);
    if (!valid_rrs(p, rep.rrs[1], rep.n[1], &d->authority)) {
        bb_perror(p, "Authority RRs validation failed", NULL);
        goto out;
    }
    bb_pinfo(p, "Validating Additional RRs", NULL);
    if (!valid_rrs(p, rep.rrs[2], rep.n[2], &d->additional)) {
        bb_perror(p, "Additional RRs validation failed", NULL);
        goto out;
    }
    ok = true;
out:
    bb_gauge(p->e, "probe_dns_answer_rrs",
             "Returns number of entries in the answer resource record list", (double)rep.n[0]);
    bb_gauge(p->e, "probe_dns_authority_rrs",
             "Returns number of entries in the authority resource record list",
             (double)rep.n[1]);
    bb_gauge(p->e, "probe_dns_additional_rrs",
             "Returns number of entries in the additional resource record list",
             (double)rep.n[2]);
    if (resolved) {
        lm_emit_family(p->e, "probe_dns_duration_seconds", "Duration of DNS request by phase",
                       LM_TYPE_GAUGE);
        if (connect_t >= 0)
            lm_emit_samplev(p->e, connect_t, "phase", "connect", NULL);
        if (request_t >= 0)
            lm_emit_samplev(p->e, request_t, "phase", "request", NULL);
        lm_emit_samplev(p->e, lookup, "phase", "resolve", NULL);
    }
    bb_gauge(p->e, "probe_dns_query_succeeded",
             "Displays whether or not the query was executed successfully", queried ? 1 : 0);
    if (have_soa && queried)
        bb_gauge(p->e, "probe_dns_serial", "Returns the serial number of the zone", serial);
    bb_dns_reply_free(&rep);
    lm_free(buf);
    if (fd >= 0)
        close(fd);
    return ok;
}

const struct bb_prober bb_prober_dns = {"dns", probe_dns};
