/* SPDX-License-Identifier: Apache-2.0 */
/* icmp.c: the icmp prober: one echo request to the target over IPv4 or IPv6, with an
 * unprivileged ICMP datagram socket when net.ipv4.ping_group_range allows it and a raw
 * socket (CAP_NET_RAW) otherwise; waits for the matching echo reply until the deadline.
 * Phases resolve/setup/rtt and the reply's TTL / hop limit from ancillary data (or the
 * IPv4 header on a raw socket). */
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "blackbox_exporter/bb.h"
#include "lm/exporter.h"

#define ICMP_PKT_MAX 65536      /* largest packet read */

static uint16_t
csum(const unsigned char *b, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(b[i] << 8 | b[i + 1]);
    if (n & 1)
        s += (uint32_t)(b[n - 1] << 8);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static bool
probe_icmp(struct bb_probe *p)
{
    const struct bb_icmp_module *m = &p->mod->icmp;
    struct sockaddr_storage ss;
    socklen_t sl;
    double resolve = 0, setup = 0, rtt = 0;
    int fd = -1, hop = -1;
    bool ok = false, raw = false;
    unsigned char *pkt = NULL;
    if (bb_resolve(p, p->target, NULL, &m->ip, &ss, &sl, &resolve))
        goto out;
    double t0 = lm_monotonic();
    bool v6 = ss.ss_family == AF_INET6;
    int proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
    fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
    if (fd < 0) {
        fd = socket(ss.ss_family, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
        raw = true;
    }
    if (fd < 0) {
        bb_perror(p, "Error listening to socket", "err", strerror(errno), NULL);
        goto out;
    }
    int one = 1, ttl = m->ttl > 0 ? m->ttl : 64;
    if (v6) {
        setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one);
        setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
    } else {
        setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof one);
        setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
        if (m->dont_fragment) {
            int pmtu = IP_PMTUDISC_DO;
            setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
        }
    }
    static const char text[] = "Prometheus Blackbox Exporter";
    size_t plen = m->payload_size > 0 ? (size_t)m->payload_size : sizeof text - 1;
    pkt = calloc(1, ICMP_PKT_MAX);   /* libc: freed below on every path */
    if (!pkt)
        goto out;
    for (size_t i = 0; i < plen; i++)
        pkt[8 + i] = (unsigned char)text[i % (sizeof text - 1)];
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint16_t id = (uint16_t)(getpid() ^ (uintptr_t)p ^ (uintptr_t)now.tv_nsec);
    uint16_t seq = (uint16_t)(now.tv_nsec >> 8);
    pkt[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
    pkt[4] = (unsigned char)(id >> 8);
    pkt[5] = (unsigned char)id;
    pkt[6] = (unsigned char)(seq >> 8);
    pkt[7] = (unsigned char)seq;
    if (!v6) {
        uint16_t c = csum(pkt, 8 + plen);
        pkt[2] = (unsigned char)(c >> 8);
        pkt[3] = (unsigned char)c;
    }
    setup = lm_monotonic() - t0;
    char ip[64];
    bb_addr_string(&ss, ip, sizeof ip);
    bb_pinfo(p, "Creating ICMP packet", "packet_id", "", "seq", "", NULL);
    bb_pinfo(p, "Writing out packet", "ip", ip, "socket", raw ? "raw" : "datagram", NULL);
    double ts = lm_monotonic();
    if (sendto(fd, pkt, 8 + plen, 0, (struct sockaddr *)&ss, sl) < 0) {
        bb_perror(p, "Error writing to socket", "err", strerror(errno), NULL);
        goto out;
    }
    bb_pinfo(p, "Waiting for reply packets", NULL);
    for (;;) {
        double left = p->deadline - lm_monotonic();
        struct pollfd pfd = {fd, POLLIN, 0};
        if (left <= 0 || poll(&pfd, 1, (int)(left * 1000) + 1) <= 0) {
            bb_perror(p, "Error reading from socket", "err", "i/o timeout", NULL);
            goto out;
        }
        unsigned char ctl[256];
        struct sockaddr_storage from;
        struct iovec iov = {pkt, ICMP_PKT_MAX};
        struct msghdr mh = {&from, sizeof from, &iov, 1, ctl, sizeof ctl, 0};
        ssize_t n = recvmsg(fd, &mh, 0);
        if (n < 0)
            continue;
        const unsigned char *r = pkt;
        int thop = -1;
        if (raw && !v6) {
            size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
            if ((size_t)n < ihl + 8)
                continue;
            thop = pkt[8];
            r = pkt + ihl;
            n -= (ssize_t)ihl;
        }
        if (n < 8 || r[0] != (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY))
            continue;
        if ((uint16_t)(r[6] << 8 | r[7]) != seq)
            continue;
        if (raw && (uint16_t)(r[4] << 8 | r[5]) != id)
            continue;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
            if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
                (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT))
                memcpy(&thop, CMSG_DATA(c), sizeof thop);
        hop = thop;
        rtt = lm_monotonic() - ts;
        bb_pinfo(p, "Found matching reply packet", NULL);
        ok = true;
        break;
    }
out:
    lm_emit_family(p->e, "probe_icmp_duration_seconds", "Duration of icmp request by phase",
                   LM_TYPE_GAUGE);
    lm_emit_samplev(p->e, resolve, "phase", "resolve", NULL);
    lm_emit_samplev(p->e, setup, "phase", "setup", NULL);
    lm_emit_samplev(p->e, rtt, "phase", "rtt", NULL);
    if (ok && hop >= 0)
        bb_gauge(p->e, "probe_icmp_reply_hop_limit", "Replied packet hop limit (TTL for ipv4)",
                 hop);
    free(pkt);
    if (fd >= 0)
        close(fd);
    return ok;
}

const struct bb_prober bb_prober_icmp = {"icmp", probe_icmp};
