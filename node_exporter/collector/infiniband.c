/* SPDX-License-Identifier: Apache-2.0 */
/* infiniband.c: the infiniband collector: per <sysfs>/class/infiniband/<device> an info
 * series (board_id, firmware_version, hca_type) and per port its state, physical state,
 * rate and the counters of ports/<n>/counters and counters_ext (data counters are in
 * 4-octet units; "N/A (no PMA)" counters are skipped). A malformed value or a port
 * without counters fails the scrape. No infiniband class: LM_ENODATA. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

/* One counter file: where it lives, its metric, HELP and scale. */
static const struct {
    const char *file;     /* file under counters/ or counters_ext/ */
    bool ext;             /* in counters_ext */
    const char *name;     /* after node_infiniband_ */
    const char *help;     /* HELP text */
    double scale;         /* multiplier (octet counters count 4-octet words) */
} ctrs[] = {
    {"excessive_buffer_overrun_errors", false, "excessive_buffer_overrun_errors_total", "Number of times that OverrunErrors consecutive flow control update periods occurred, each having at least one overrun error.", 1},
    {"link_downed", false, "link_downed_total", "Number of times the link failed to recover from an error state and went down", 1},
    {"link_error_recovery", false, "link_error_recovery_total", "Number of times the link successfully recovered from an error state", 1},
    {"local_link_integrity_errors", false, "local_link_integrity_errors_total", "Number of times that the count of local physical errors exceeded the threshold specified by LocalPhyErrors.", 1},
    {"multicast_rcv_packets", false, "multicast_packets_received_total", "Number of multicast packets received (including errors)", 1},
    {"multicast_xmit_packets", false, "multicast_packets_transmitted_total", "Number of multicast packets transmitted (including errors)", 1},
    {"port_rcv_constraint_errors", false, "port_constraint_errors_received_total", "Number of packets received on the switch physical port that are discarded", 1},
    {"port_xmit_constraint_errors", false, "port_constraint_errors_transmitted_total", "Number of packets not transmitted from the switch physical port", 1},
    {"port_rcv_data", false, "port_data_received_bytes_total", "Number of data octets received on all links", 4},
    {"port_xmit_data", false, "port_data_transmitted_bytes_total", "Number of data octets transmitted on all links", 4},
    {"port_rcv_discards", false, "port_discards_received_total", "Number of inbound packets discarded by the port because the port is down or congested", 1},
    {"port_xmit_discards", false, "port_discards_transmitted_total", "Number of outbound packets discarded by the port because the port is down or congested", 1},
    {"port_rcv_errors", false, "port_errors_received_total", "Number of packets containing an error that were received on this port", 1},
    {"port_rcv_packets", false, "port_packets_received_total", "Number of packets received on all VLs by this port (including errors)", 1},
    {"port_xmit_packets", false, "port_packets_transmitted_total", "Number of packets transmitted on all VLs from this port (including errors)", 1},
    {"port_xmit_wait", false, "port_transmit_wait_total", "Number of ticks during which the port had data to transmit but no data was sent during the entire tick", 1},
    {"port_rcv_remote_physical_errors", false, "port_receive_remote_physical_errors_total", "Number of packets marked with the EBP (End of Bad Packet) delimiter received on the port.", 1},
    {"port_rcv_switch_relay_errors", false, "port_receive_switch_relay_errors_total", "Number of packets that could not be forwarded by the switch.", 1},
    {"symbol_error", false, "symbol_error_total", "Number of minor link errors detected on one or more physical lanes.", 1},
    {"unicast_rcv_packets", false, "unicast_packets_received_total", "Number of unicast packets received (including errors)", 1},
    {"unicast_xmit_packets", false, "unicast_packets_transmitted_total", "Number of unicast packets transmitted (including errors)", 1},
    {"VL15_dropped", false, "vl15_dropped_total", "Number of incoming VL15 packets dropped due to resource limitations.", 1},
    {"port_multicast_rcv_packets", true, "legacy_multicast_packets_received_total", "Number of multicast packets received", 1},
    {"port_multicast_xmit_packets", true, "legacy_multicast_packets_transmitted_total", "Number of multicast packets transmitted", 1},
    {"port_rcv_data_64", true, "legacy_data_received_bytes_total", "Number of data octets received on all links", 4},
    {"port_rcv_packets_64", true, "legacy_packets_received_total", "Number of data packets received on all links", 1},
    {"port_unicast_rcv_packets", true, "legacy_unicast_packets_received_total", "Number of unicast packets received", 1},
    {"port_unicast_xmit_packets", true, "legacy_unicast_packets_transmitted_total", "Number of unicast packets transmitted", 1},
    {"port_xmit_data_64", true, "legacy_data_transmitted_bytes_total", "Number of data octets transmitted on all links", 4},
    {"port_xmit_packets_64", true, "legacy_packets_transmitted_total", "Number of data packets received on all links", 1},
};
#define NCTRS (sizeof ctrs / sizeof ctrs[0])

/* per-port attributes, parsed in this order */
static const char *const port_files[] = {"state", "phys_state", "rate"};

struct ib_walk {
    const char *device;       /* device being walked */
    struct lm_emit *e;        /* output */
    struct lm_err *err;       /* collect's error */
};

/* state_id: "4: ACTIVE" -> 4. 0 or LM_EPARSE. */
static int
state_id(const char *s, uint64_t *out)
{
    char num[32];
    const char *colon = strchr(s, ':');
    if (!colon || strchr(colon + 1, ':') || (size_t)(colon - s) >= sizeof num)
        return LM_EPARSE;
    memcpy(num, s, (size_t)(colon - s));
    num[colon - s] = '\0';
    return lm_parse_u64(num, out);
}

static int
port(void *arg, const char *dir, const char *name)
{
    struct ib_walk *w = arg;
    char d[4096], cd[4096], v[128], p[4096];
    uint64_t st, phys, num, c;
    double rate;
    int rc;
    if (lm_parse_u64(name, &num))
        return lm_err_set(w->err, LM_EPARSE, ne_join(p, sizeof p, dir, name),
                          "failed to convert \"%s\" into uint", name);
    ne_join(d, sizeof d, dir, name);
    struct stat sb;
    if (stat(ne_join(cd, sizeof cd, d, "counters"), &sb) || !S_ISDIR(sb.st_mode))
        return lm_err_set(w->err, LM_EIO, cd, "failed to read counters directory");
    for (int i = 0; i < 3; i++) {
        ne_join(p, sizeof p, d, port_files[i]);
        if ((rc = ne_attr_str(d, port_files[i], v, sizeof v)))
            return lm_err_set(w->err, rc, p, "failed to read file: %s", lm_strerror(rc));
        char *sp = strchr(v, ' ');
        if (sp && i == 2)
            *sp = '\0';  /* "40 Gb/sec (4X QDR)": the number, in Gb/s */
        if ((i == 0 && state_id(v, &st)) || (i == 1 && state_id(v, &phys)) ||
            (i == 2 && (!sp || lm_parse_double(v, &rate))))
            return lm_err_set(w->err, LM_EPARSE, p, "could not parse value \"%s\"", v);
    }
    struct lm_label l[2] = {{"device", w->device}, {"port", name}};
    lm_emit_family(w->e, "node_infiniband_state_id", "State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)", LM_TYPE_GAUGE);
    lm_emit_sample(w->e, l, 2, (double)st);
    lm_emit_family(w->e, "node_infiniband_physical_state_id", "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)", LM_TYPE_GAUGE);
    lm_emit_sample(w->e, l, 2, (double)phys);
    lm_emit_family(w->e, "node_infiniband_rate_bytes_per_second", "Maximum signal transfer rate", LM_TYPE_GAUGE);
    lm_emit_sample(w->e, l, 2, (double)(uint64_t)(rate * 125000000));
    for (size_t i = 0; i < NCTRS; i++) {
        ne_join(cd, sizeof cd, d, ctrs[i].ext ? "counters_ext" : "counters");
        ne_join(p, sizeof p, cd, ctrs[i].file);
        rc = ne_attr_str(cd, ctrs[i].file, v, sizeof v);
        if (rc == LM_ENOENT)
            continue;  /* not every HCA has every counter */
        if (rc)
            return lm_err_set(w->err, rc, p, "failed to read file: %s", lm_strerror(rc));
        if (!strncmp(v, "N/A", 3))
            continue;  /* "N/A (no PMA)" */
        if (lm_parse_u64(v, &c))
            return lm_err_set(w->err, LM_EPARSE, p, "invalid value \"%s\"", v);
        char m[128];
        snprintf(m, sizeof m, "node_infiniband_%s", ctrs[i].name);
        lm_emit_family(w->e, m, ctrs[i].help, LM_TYPE_COUNTER);
        lm_emit_sample(w->e, l, 2, (double)c * ctrs[i].scale);
    }
    return 0;
}

static int
device(void *arg, const char *dir, const char *name)
{
    struct ib_walk *w = arg;
    char d[4096], board[256], fw[256], hca[256] = "", p[4096];
    int rc;
    ne_join(d, sizeof d, dir, name);
    if ((rc = ne_attr_str(d, "board_id", board, sizeof board)) ||
        (rc = ne_attr_str(d, "fw_ver", fw, sizeof fw)))
        return lm_err_set(w->err, rc, d, "failed to read board_id/fw_ver: %s", lm_strerror(rc));
    if ((rc = ne_attr_str(d, "hca_type", hca, sizeof hca)) && rc != LM_ENOENT)
        return lm_err_set(w->err, rc, ne_join(p, sizeof p, d, "hca_type"), "%s", lm_strerror(rc));
    lm_emit_family(w->e, "node_infiniband_info",
                   "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.",
                   LM_TYPE_GAUGE);
    lm_emit_samplev(w->e, 1, "board_id", board, "device", name, "firmware_version", fw,
                    "hca_type", rc ? "" : hca, NULL);
    w->device = name;
    rc = ne_dir_each(ne_join(p, sizeof p, d, "ports"), NULL, port, w);
    if (rc && !w->err->code)
        return lm_err_set(w->err, rc, p, "%s", lm_strerror(rc));
    return rc;
}

static int
ib_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    (void)state;
    char dir[4096];
    struct ib_walk w = {NULL, e, err};
    int rc = ne_dir_each(ne_path(ctx, NE_SYSFS, "class/infiniband", dir, sizeof dir), NULL,
                         device, &w);
    if (rc == LM_ENOENT && !err->code)
        return lm_err_set(err, LM_ENODATA, dir, "infiniband statistics not found");
    if (rc && !err->code)
        return lm_err_set(err, rc, dir, "error obtaining InfiniBand class info: %s",
                          lm_strerror(rc));
    return rc;
}

const struct lm_collector_desc ne_infiniband_collector = {
    .name = "infiniband",
    .enabled_by_default = true,
    .collect = ib_collect,
};
