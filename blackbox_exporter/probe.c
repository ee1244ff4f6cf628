/* SPDX-License-Identifier: Apache-2.0 */
/* probe.c: what every prober shares: target splitting, the resolve step with upstream's
 * preferred_ip_protocol / ip_protocol_fallback choice and its three common families
 * (probe_dns_lookup_time_seconds, probe_ip_protocol, probe_ip_addr_hash), and the prober
 * table. No state of its own: safe from any thread. */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "blackbox_exporter/bb.h"
#include "lm/exporter.h"

static const struct bb_prober *const probers[] = {
    [BB_HTTP] = &bb_prober_http,
    [BB_TCP] = &bb_prober_tcp,
    [BB_ICMP] = &bb_prober_icmp,
    [BB_DNS] = &bb_prober_dns,
    [BB_GRPC] = NULL,
};

const struct bb_prober *
bb_prober_find(enum bb_prober_kind k)
{
    return (unsigned)k < sizeof probers / sizeof *probers ? probers[k] : NULL;
}

void
bb_gauge(struct lm_emit *e, const char *name, const char *help, double v)
{
    lm_emit_one(e, name, help, LM_TYPE_GAUGE, v);
}

int
bb_split_hostport(const char *s, char *host, size_t hostsz, char *port, size_t portsz)
{
    const char *colon;
    size_t hl;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return -1;
        hl = (size_t)(close - s - 1);
        s++;
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || strchr(s, ':') != colon)
            return -1;
        hl = (size_t)(colon - s);
    }
    if (hl >= hostsz || strlen(colon + 1) >= portsz || !colon[1])
        return -1;
    memcpy(host, s, hl);
    host[hl] = '\0';
    memcpy(port, colon + 1, strlen(colon + 1) + 1);
    return 0;
}

void
bb_addr_string(const struct sockaddr_storage *ss, char *out, size_t outsz)
{
    const void *a = ss->ss_family == AF_INET6
                        ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
                        : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
    if (!inet_ntop(ss->ss_family, a, out, (socklen_t)outsz))
        snprintf(out, outsz, "?");
}

/* FNV-1a, 32 bits, over the raw address bytes (as upstream's probe_ip_addr_hash). */
static uint32_t
addr_hash(const struct sockaddr_storage *ss)
{
    const unsigned char *b;
    size_t n;
    if (ss->ss_family == AF_INET6) {
        b = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
        n = 16;
    } else {
        b = (const unsigned char *)&((const struct sockaddr_in *)ss)->sin_addr.s_addr;
        n = 4;
    }
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 16777619u;
    }
    return h;
}

int
bb_resolve(struct bb_probe *p, const char *host, const char *port, const struct bb_ipopts *ip,
           struct sockaddr_storage *out, socklen_t *outlen, double *lookup)
{
    struct addrinfo hints = {0}, *res = NULL;
    const char *proto = ip->preferred == 4 ? "ip4" : "ip6";
    double t0 = lm_monotonic();
    bb_pinfo(p, "Resolving target address", "target", host, "ip_protocol", proto, NULL);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = ip->fallback ? AF_UNSPEC : ip->preferred == 4 ? AF_INET : AF_INET6;
    int rc = getaddrinfo(host, port, &hints, &res);
    *lookup = lm_monotonic() - t0;
    bb_gauge(p->e, "probe_dns_lookup_time_seconds",
             "Returns the time taken for probe dns lookup in seconds", *lookup);
    if (rc) {
        bb_perror(p, "Resolution with IP protocol failed", "target", host, "err",
                  gai_strerror(rc), NULL);
        return -1;
    }
    int want = ip->preferred == 4 ? AF_INET : AF_INET6;
    struct addrinfo *pick = NULL;
    for (struct addrinfo *a = res; a && !pick; a = a->ai_next)
        if (a->ai_family == want)
            pick = a;
    for (struct addrinfo *a = res; a && !pick; a = a->ai_next)
        if (a->ai_family == AF_INET || a->ai_family == AF_INET6)
            pick = a;
    if (!pick) {
        freeaddrinfo(res);
        bb_perror(p, "Resolution with IP protocol failed", "target", host, "err",
                  "no suitable address", NULL);
        return -1;
    }
    memcpy(out, pick->ai_addr, pick->ai_addrlen);
    *outlen = pick->ai_addrlen;
    freeaddrinfo(res);
    char txt[INET6_ADDRSTRLEN];
    bb_addr_string(out, txt, sizeof txt);
    bb_pinfo(p, "Resolved target address", "target", host, "ip", txt, NULL);
    bb_gauge(p->e, "probe_ip_protocol", "Specifies whether probe ip protocol is IP4 or IP6",
             out->ss_family == AF_INET6 ? 6 : 4);
    bb_gauge(p->e, "probe_ip_addr_hash",
             "Specifies the hash of IP address. It's useful to detect if the IP address "
             "changes.",
             addr_hash(out));
    return 0;
}

int
bb_dial(const struct sockaddr_storage *ss, socklen_t sl, double deadline, char *why,
        size_t whysz)
{
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int e = fd < 0 ? errno : 0;
    if (!e && connect(fd, (const struct sockaddr *)ss, sl) && errno != EINPROGRESS)
        e = errno;
    while (!e) {
        double left = deadline - lm_monotonic();
        struct pollfd pfd = {fd, POLLOUT, 0};
        int r = left > 0 ? poll(&pfd, 1, (int)(left * 1000) + 1) : 0;
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            snprintf(why, whysz, "i/o timeout");
            close(fd);
            return -1;
        }
        socklen_t el = sizeof e;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el))
            e = errno;
        if (!e)
            return fd;
    }
    /* Go's wording: "connect: connection refused" (strerror, first letter lowered). */
    snprintf(why, whysz, "connect: %s", strerror(e));
    why[9] = (char)tolower((unsigned char)why[9]);
    if (fd >= 0)
        close(fd);
    return -1;
}
