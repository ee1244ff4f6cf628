/* SPDX-License-Identifier: Apache-2.0 */
/* netdev.c: the netdev collector: per-interface counters node_network_<stat>_total.
 * With --collector.netdev.netlink (the default) the link statistics come from one
 * rtnetlink dump (IFLA_STATS64, as upstream) when --path.sysfs is /sys, and from
 * <sysfs>/class/net/<dev>/statistics/ (the same rtnl_link_stats64 counters, including
 * rx_nohandler) when it points elsewhere, so fixture trees work; otherwise from
 * <procfs>/net/dev. Names are
 * folded into /proc/net/dev's legacy names unless --collector.netdev.enable-detailed-metrics.
 * --collector.netdev.address-info adds node_network_address_info from getifaddrs(3). */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/flags.h"
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/netlink.h"
#include "node_exporter/sysfs.h"

static const struct lm_flag_desc flags[] = {
    {"collector.netdev.device-include", NULL,
     "Regexp of net devices to include (mutually exclusive to device-exclude).", false},
    {"collector.netdev.device-whitelist", NULL, "DEPRECATED: Use collector.netdev.device-include", false},
    {"collector.netdev.device-exclude", "^lo$",
     "Regexp of net devices to exclude (mutually exclusive to device-include).", false},
    {"collector.netdev.device-blacklist", NULL, "DEPRECATED: Use collector.netdev.device-exclude", false},
    {"collector.netdev.address-info", "false", "Collect address-info for every device", true},
    {"collector.netdev.enable-detailed-metrics", "false",
     "Use (incompatible) metric names that provide more detailed stats on Linux", true},
    {"collector.netdev.netlink", "true", "Use netlink to gather stats instead of /proc/net/dev.", true},
    {NULL, NULL, NULL, false},
};

/* sysfs statistics file (= rtnl_link_stats64 field) -> netlink-style key -> legacy key
 * (several fold into one) */
#define NL_OFF(f) offsetof(struct rtnl_link_stats64, f)
static const struct {
    const char *file;     /* under statistics/ */
    const char *key;      /* detailed (netlink) name */
    const char *legacy;   /* /proc/net/dev-style name */
    size_t off;           /* the field in struct rtnl_link_stats64 */
} nl_stats[] = {
    {"rx_bytes", "receive_bytes", "receive_bytes", NL_OFF(rx_bytes)},
    {"rx_packets", "receive_packets", "receive_packets", NL_OFF(rx_packets)},
    {"rx_errors", "receive_errors", "receive_errs", NL_OFF(rx_errors)},
    {"rx_dropped", "receive_dropped", "receive_drop", NL_OFF(rx_dropped)},
    {"rx_missed_errors", "receive_missed_errors", "receive_drop", NL_OFF(rx_missed_errors)},
    {"rx_fifo_errors", "receive_fifo_errors", "receive_fifo", NL_OFF(rx_fifo_errors)},
    {"rx_frame_errors", "receive_frame_errors", "receive_frame", NL_OFF(rx_frame_errors)},
    {"rx_length_errors", "receive_length_errors", "receive_frame", NL_OFF(rx_length_errors)},
    {"rx_over_errors", "receive_over_errors", "receive_frame", NL_OFF(rx_over_errors)},
    {"rx_crc_errors", "receive_crc_errors", "receive_frame", NL_OFF(rx_crc_errors)},
    {"rx_compressed", "receive_compressed", "receive_compressed", NL_OFF(rx_compressed)},
    {"multicast", "multicast", "receive_multicast", NL_OFF(multicast)},
    {"rx_nohandler", "receive_nohandler", "receive_nohandler", NL_OFF(rx_nohandler)},
    {"tx_bytes", "transmit_bytes", "transmit_bytes", NL_OFF(tx_bytes)},
    {"tx_packets", "transmit_packets", "transmit_packets", NL_OFF(tx_packets)},
    {"tx_errors", "transmit_errors", "transmit_errs", NL_OFF(tx_errors)},
    {"tx_dropped", "transmit_dropped", "transmit_drop", NL_OFF(tx_dropped)},
    {"tx_fifo_errors", "transmit_fifo_errors", "transmit_fifo", NL_OFF(tx_fifo_errors)},
    {"collisions", "collisions", "transmit_colls", NL_OFF(collisions)},
    {"tx_carrier_errors", "transmit_carrier_errors", "transmit_carrier", NL_OFF(tx_carrier_errors)},
    {"tx_aborted_errors", "transmit_aborted_errors", "transmit_carrier", NL_OFF(tx_aborted_errors)},
    {"tx_heartbeat_errors", "transmit_heartbeat_errors", "transmit_carrier", NL_OFF(tx_heartbeat_errors)},
    {"tx_window_errors", "transmit_window_errors", "transmit_carrier", NL_OFF(tx_window_errors)},
    {"tx_compressed", "transmit_compressed", "transmit_compressed", NL_OFF(tx_compressed)},
};
#define NNL (sizeof nl_stats / sizeof nl_stats[0])

/* /proc/net/dev columns: detailed name, legacy name */
static const char *const proc_cols[16][2] = {
    {"receive_bytes", "receive_bytes"}, {"receive_packets", "receive_packets"},
    {"receive_errors", "receive_errs"}, {"receive_dropped", "receive_drop"},
    {"receive_fifo", "receive_fifo"}, {"receive_frame", "receive_frame"},
    {"receive_compressed", "receive_compressed"}, {"receive_multicast", "receive_multicast"},
    {"transmit_bytes", "transmit_bytes"}, {"transmit_packets", "transmit_packets"},
    {"transmit_errors", "transmit_errs"}, {"transmit_dropped", "transmit_drop"},
    {"transmit_fifo", "transmit_fifo"}, {"transmit_colls", "transmit_colls"},
    {"transmit_carrier", "transmit_carrier"}, {"transmit_compressed", "transmit_compressed"},
};

struct netdev {
    struct ne_filter filter;   /* device include/exclude */
    bool detailed;             /* --collector.netdev.enable-detailed-metrics */
    bool netlink;              /* --collector.netdev.netlink */
    bool address_info;         /* --collector.netdev.address-info */
    struct lm_procfile *pf;    /* /proc/net/dev */
};

struct walk {
    struct netdev *s;          /* collector state */
    struct lm_emit *e;         /* output */
};

static void
emit_stat(struct lm_emit *e, const char *key, const char *dev, double v)
{
    char name[128], help[128];
    snprintf(name, sizeof name, "node_network_%s_total", key);
    snprintf(help, sizeof help, "Network device statistic %s.", key);
    lm_emit_family(e, name, help, LM_TYPE_COUNTER);
    lm_emit_samplev(e, v, "device", dev, NULL);
}

/* emit_dev: dev's statistics (ok[i]: nl_stats[i] was read into v[i]), detailed or folded
 * into the legacy names. */
static void
emit_dev(const struct walk *w, const char *dev, const uint64_t *v, const bool *ok)
{
    double sum = 0;
    bool have = false;
    for (size_t i = 0; i < NNL; i++) {
        if (w->s->detailed) {
            if (ok[i])
                emit_stat(w->e, nl_stats[i].key, dev, (double)v[i]);
            continue;
        }
        bool first = i == 0 || strcmp(nl_stats[i - 1].legacy, nl_stats[i].legacy) != 0;
        if (first) {
            have = ok[i];
            sum = 0;
        }
        if (ok[i])
            sum += (double)v[i];
        bool last = i + 1 == NNL || strcmp(nl_stats[i + 1].legacy, nl_stats[i].legacy) != 0;
        if (last && have)
            emit_stat(w->e, nl_stats[i].legacy, dev, sum);
    }
}

static int
sysfs_dev(void *arg, const char *dir, const char *dev)
{
    struct walk *w = arg;
    char sdir[4096];
    if (ne_filter_ignored(&w->s->filter, dev))
        return 0;
    snprintf(sdir, sizeof sdir, "%s/%s/statistics", dir, dev);
    uint64_t v[NNL];
    bool ok[NNL];
    for (size_t i = 0; i < NNL; i++)
        ok[i] = ne_attr_u64(sdir, nl_stats[i].file, &v[i]) == 0;
    emit_dev(w, dev, v, ok);
    return 0;
}

static int
netlink_dev(void *arg, const char *dev, const struct rtnl_link_stats64 *st)
{
    struct walk *w = arg;
    if (ne_filter_ignored(&w->s->filter, dev))
        return 0;
    uint64_t v[NNL];
    bool ok[NNL];
    for (size_t i = 0; i < NNL; i++) {
        memcpy(&v[i], (const char *)st + nl_stats[i].off, sizeof v[i]);
        ok[i] = true;
    }
    emit_dev(w, dev, v, ok);
    return 0;
}

static int
proc_netdev(struct netdev *s, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    char path[4096];
    int rc = lm_procfile_read(s->pf, ne_path(ctx, NE_PROCFS, "net/dev", path, sizeof path), err);
    if (rc)
        return rc;
    for (size_t l = 2; l < lm_procfile_lines(s->pf); l++) {
        const char *line = lm_procfile_line(s->pf, l), *colon = strchr(line, ':');
        if (!colon)
            continue;
        char dev[256];
        while (*line == ' ' || *line == '\t')
            line++;
        snprintf(dev, sizeof dev, "%.*s", (int)(colon - line), line);
        if (ne_filter_ignored(&s->filter, dev))
            continue;
        const char *p = colon + 1;
        for (int i = 0; i < 16; i++) {
            p += strspn(p, " \t");
            size_t n = strcspn(p, " \t");
            char num[32];
            uint64_t v;
            snprintf(num, sizeof num, "%.*s", (int)(n < 31 ? n : 31), p);
            if (!n || lm_parse_u64(num, &v))
                return lm_err_set(err, LM_EPARSE, path, "line %zu: bad field %d for %s", l + 1, i + 1, dev);
            emit_stat(e, proc_cols[i][s->detailed ? 0 : 1], dev, (double)v);
            p += n;
        }
    }
    return 0;
}

/* Address scope as Go's net.IP predicates classify it. */
static const char *
scope_of(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        uint32_t a = ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);
        if ((a >> 24) == 127 || (a >> 16) == 0xa9fe || (a >> 8) == 0xe00000)
            return "link-local";
        if ((a >> 28) == 0xe || a == 0xffffffff || a == 0)
            return "";
        return "global";
    }
    const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MC_LINKLOCAL(a))
        return "link-local";
    if (IN6_IS_ADDR_MC_NODELOCAL(a))
        return "interface-local";
    if (IN6_IS_ADDR_MULTICAST(a) || IN6_IS_ADDR_UNSPECIFIED(a))
        return "";
    return "global";
}

static int
address_info(struct lm_emit *e, struct lm_err *err)
{
    struct ifaddrs *ifa;
    if (getifaddrs(&ifa))
        return lm_err_set(err, LM_EIO, "getifaddrs", "could not get network interfaces");
    lm_emit_family(e, "node_network_address_info", "node network address by device", LM_TYPE_GAUGE);
    for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
        if (!i->ifa_addr || !i->ifa_netmask ||
            (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
            continue;
        bool v4 = i->ifa_addr->sa_family == AF_INET;
        const void *ad = v4 ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
                            : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
        const unsigned char *m = v4 ? (const unsigned char *)&((struct sockaddr_in *)i->ifa_netmask)->sin_addr
                                    : ((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr.s6_addr;
        int bits = 0;
        for (int b = 0; b < (v4 ? 4 : 16); b++)
            bits += __builtin_popcount(m[b]);
        char addr[INET6_ADDRSTRLEN], mask[12];
        inet_ntop(i->ifa_addr->sa_family, ad, addr, sizeof addr);
        snprintf(mask, sizeof mask, "%d", bits);
        lm_emit_samplev(e, 1, "address", addr, "device", i->ifa_name, "netmask", mask,
                        "scope", scope_of(i->ifa_addr), NULL);
    }
    freeifaddrs(ifa);
    return 0;
}

static int
nd_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    int rc;
    const char *inc = ne_flag_alias(ctx, "collector.netdev.device-include",
                                    "collector.netdev.device-whitelist", &rc, err);
    if (rc)
        return rc;
    const char *exc = ne_flag_alias(ctx, "collector.netdev.device-exclude",
                                    "collector.netdev.device-blacklist", &rc, err);
    if (rc)
        return rc;
    const struct lm_flags *f = ctx->flags;
    if (!f)
        exc = "^lo$";
    else if (*inc && !lm_flags_is_set(f, "collector.netdev.device-exclude") &&
             !lm_flags_is_set(f, "collector.netdev.device-blacklist"))
        exc = "";  /* our default exclude gives way to an explicit include */
    struct netdev *s = lm_calloc(1, sizeof *s);
    if (!s || !(s->pf = lm_procfile_new(NULL))) {
        lm_free(s);
        return lm_err_set(err, LM_ENOMEM, "netdev", "out of memory");
    }
    s->detailed = f && lm_flags_get_bool(f, "collector.netdev.enable-detailed-metrics");
    s->address_info = f && lm_flags_get_bool(f, "collector.netdev.address-info");
    s->netlink = !f || lm_flags_get_bool(f, "collector.netdev.netlink");
    if ((rc = ne_filter_init(&s->filter, exc, inc, "collector.netdev", err))) {
        lm_procfile_free(s->pf);
        lm_free(s);
        return rc;
    }
    *state = s;
    return 0;
}

static void
nd_fini(void *state)
{
    struct netdev *s = state;
    if (!s)
        return;
    ne_filter_cleanup(&s->filter);
    lm_procfile_free(s->pf);
    lm_free(s);
}

static int
nd_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    struct netdev *s = state;
    int rc;
    char dir[4096];
    struct walk w = {s, e};
    if (s->netlink && !strcmp(ne_path(ctx, NE_SYSFS, NULL, dir, sizeof dir), "/sys")) {
        struct lm_err nerr = {0};
        if ((rc = ne_nl_links(netlink_dev, &w, &nerr)))
            return lm_err_set(err, rc, nerr.where, "couldn't get netstats: %s", nerr.msg);
    } else if (s->netlink) {
        rc = ne_dir_each(ne_path(ctx, NE_SYSFS, "class/net", dir, sizeof dir), NULL, sysfs_dev, &w);
        if (rc)
            return lm_err_set(err, rc, dir, "couldn't get netstats: %s", lm_strerror(rc));
    } else if ((rc = proc_netdev(s, ctx, e, err))) {
        return rc;
    }
    return s->address_info ? address_info(e, err) : 0;
}

const struct lm_collector_desc ne_netdev_collector = {
    .name = "netdev",
    .enabled_by_default = true,
    .flags = flags,
    .init = nd_init,
    .collect = nd_collect,
    .fini = nd_fini,
};
