/* SPDX-License-Identifier: Apache-2.0 */
/* fibrechannel.c: the fibrechannel collector: per <sysfs>/class/fc_host/<host> an info
 * series of its string attributes (names/ids without "0x") and the statistics/ counters
 * (hex); a counter of all ones (not implemented by the HBA) is skipped, an absent one is
 * 0, as upstream. A malformed counter fails the scrape. No fc_host class: LM_ENODATA. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/procutil.h"
#include "node_exporter/sysfs.h"

/* info labels: sysfs attribute = label name (fc_host comes first, from the directory) */
static const char *const attrs[] = {
    "speed", "port_state", "port_type", "port_id", "port_name", "fabric_name",
    "symbolic_name", "supported_classes", "supported_speeds", "dev_loss_tmo",
};
#define NATTRS (sizeof attrs / sizeof attrs[0])

static const struct {
    const char *file;     /* statistics/ file */
    const char *name;     /* after node_fibrechannel_ */
    const char *help;     /* HELP text */
} ctrs[] = {
    {"dumped_frames", "dumped_frames_total", "Number of dumped frames"},
    {"error_frames", "error_frames_total", "Number of errors in frames"},
    {"invalid_crc_count", "invalid_crc_total", "Invalid Cyclic Redundancy Check count"},
    {"rx_frames", "rx_frames_total", "Number of frames received"},
    {"rx_words", "rx_words_total", "Number of words received by host port"},
    {"tx_frames", "tx_frames_total", "Number of frames transmitted by host port"},
    {"tx_words", "tx_words_total", "Number of words transmitted by host port"},
    {"seconds_since_last_reset", "seconds_since_last_reset_total", "Number of seconds since last host port reset"},
    {"invalid_tx_word_count", "invalid_tx_words_total", "Number of invalid words transmitted by host port"},
    {"link_failure_count", "link_failure_total", "Number of times the host port link has failed"},
    {"loss_of_sync_count", "loss_of_sync_total", "Number of failures on either bit or transmission word boundaries"},
    {"loss_of_signal_count", "loss_of_signal_total", "Number of times signal has been lost"},
    {"nos_count", "nos_total", "Number Not_Operational Primitive Sequence received by host port"},
    {"fcp_packet_aborts", "fcp_packet_aborts_total", "Number of aborted packets"},
};
#define NCTRS (sizeof ctrs / sizeof ctrs[0])

struct fc_walk {
    struct lm_emit *e;        /* output */
    struct lm_err *err;       /* collect's error */
};

/* skippable: a read error upstream ignores (missing or write-only attribute). */
static bool
skippable(int rc)
{
    return rc == LM_ENOENT || (rc == LM_EIO && (errno == EOPNOTSUPP || errno == EINVAL));
}

/* number: Go's ParseUint(s, 0, 64) for the forms sysfs uses: "0x" hex or decimal. */
static int
number(const char *s, uint64_t *out)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return ne_hex_u64(s + 2, 0, out);
    return lm_parse_u64(s, out);
}

static int
host(void *arg, const char *dir, const char *name)
{
    struct fc_walk *w = arg;
    char d[4096], sd[4096], p[4096], val[NATTRS][256], v[128];
    uint64_t c[NCTRS] = {0};
    int rc;
    ne_join(d, sizeof d, dir, name);
    struct lm_label l[NATTRS + 1] = {{"fc_host", name}};
    for (size_t i = 0; i < NATTRS; i++) {
        val[i][0] = '\0';
        rc = ne_attr_str(d, attrs[i], val[i], sizeof val[i]);
        if (rc && !skippable(rc))
            return lm_err_set(w->err, rc, ne_join(p, sizeof p, d, attrs[i]),
                              "failed to read file: %s", lm_strerror(rc));
        const char *s = val[i];
        if (!strncmp(s, "0x", 2) && (!strcmp(attrs[i], "port_id") ||
                                     !strcmp(attrs[i], "port_name") ||
                                     !strcmp(attrs[i], "fabric_name")))
            s += 2;
        l[i + 1] = (struct lm_label){attrs[i], s};
    }
    ne_join(sd, sizeof sd, d, "statistics");
    for (size_t i = 0; i < NCTRS; i++) {
        rc = ne_attr_str(sd, ctrs[i].file, v, sizeof v);
        if (rc && skippable(rc))
            continue;
        ne_join(p, sizeof p, sd, ctrs[i].file);
        if (rc)
            return lm_err_set(w->err, rc, p, "failed to read file: %s", lm_strerror(rc));
        if (number(v, &c[i]))
            return lm_err_set(w->err, LM_EPARSE, p, "invalid value \"%s\"", v);
    }
    lm_emit_family(w->e, "node_fibrechannel_info",
                   "Non-numeric data from /sys/class/fc_host/<host>, value is always 1.",
                   LM_TYPE_GAUGE);
    lm_emit_sample(w->e, l, NATTRS + 1, 1);
    for (size_t i = 0; i < NCTRS; i++) {
        char m[128];
        if (c[i] == UINT64_MAX)
            continue;  /* not implemented by the HBA firmware */
        snprintf(m, sizeof m, "node_fibrechannel_%s", ctrs[i].name);
        lm_emit_family(w->e, m, ctrs[i].help, LM_TYPE_COUNTER);
        lm_emit_samplev(w->e, (double)c[i], "fc_host", name, NULL);
    }
    return 0;
}

static int
fc_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    (void)state;
    char dir[4096];
    struct fc_walk w = {e, err};
    int rc = ne_dir_each(ne_path(ctx, NE_SYSFS, "class/fc_host", dir, sizeof dir), NULL, host, &w);
    if (rc == LM_ENOENT && !err->code)
        return lm_err_set(err, LM_ENODATA, dir, "fibrechannel statistics not found, skipping");
    if (rc && !err->code)
        return lm_err_set(err, rc, dir, "error obtaining FibreChannel class info: %s",
                          lm_strerror(rc));
    return rc;
}

const struct lm_collector_desc ne_fibrechannel_collector = {
    .name = "fibrechannel",
    .enabled_by_default = true,
    .collect = fc_collect,
};
