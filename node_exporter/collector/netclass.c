/* SPDX-License-Identifier: Apache-2.0 */
/* netclass.c: the netclass collector: node_network_info, node_network_up and one gauge or
 * counter per numeric attribute of <sysfs>/class/net/<iface>/. An attribute that cannot be
 * read (missing, or EINVAL as carrier/speed/dormant give on a down link) is left out, as
 * upstream does. Does not use netlink. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lm/alloc.h"
#include "lm/flags.h"
#include "lm/procfile.h"
#include "lm/regex.h"
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

static const struct lm_flag_desc flags[] = {
    {"collector.netclass.ignored-devices", "^$",
     "Regexp of net devices to ignore for netclass collector.", false},
    {"collector.netclass.ignore-invalid-speed", "false",
     "Ignore devices where the speed is invalid. This will be the default behavior in 2.x.", true},
    {NULL, NULL, NULL, false},
};

/* numeric attributes, in upstream's order */
static const struct {
    const char *file;     /* sysfs attribute */
    const char *metric;   /* suffix after node_network_ */
    enum lm_type type;    /* gauge or counter */
} props[] = {
    {"addr_assign_type", "address_assign_type", LM_TYPE_GAUGE},
    {"carrier", "carrier", LM_TYPE_GAUGE},
    {"carrier_changes", "carrier_changes_total", LM_TYPE_COUNTER},
    {"carrier_up_count", "carrier_up_changes_total", LM_TYPE_COUNTER},
    {"carrier_down_count", "carrier_down_changes_total", LM_TYPE_COUNTER},
    {"dev_id", "device_id", LM_TYPE_GAUGE},
    {"dormant", "dormant", LM_TYPE_GAUGE},
    {"flags", "flags", LM_TYPE_GAUGE},
    {"ifindex", "iface_id", LM_TYPE_GAUGE},
    {"iflink", "iface_link", LM_TYPE_GAUGE},
    {"link_mode", "iface_link_mode", LM_TYPE_GAUGE},
    {"mtu", "mtu_bytes", LM_TYPE_GAUGE},
    {"name_assign_type", "name_assign_type", LM_TYPE_GAUGE},
    {"netdev_group", "net_dev_group", LM_TYPE_GAUGE},
    {"speed", "speed_bytes", LM_TYPE_GAUGE},
    {"tx_queue_len", "transmit_queue_length", LM_TYPE_GAUGE},
    {"type", "protocol_type", LM_TYPE_GAUGE},
};

struct netclass {
    struct lm_regex *ignored;   /* --collector.netclass.ignored-devices */
    bool ignore_invalid_speed;  /* --collector.netclass.ignore-invalid-speed */
};

struct walk {
    struct netclass *s;         /* collector state */
    struct lm_emit *e;          /* output */
};

/* string attributes for node_network_info */
static const char *const info[6] = {"address", "broadcast", "duplex", "ifalias", "operstate", NULL};

/* Go's strconv.ParseInt(s, 0, 64): decimal, 0x hex, leading-0 octal. */
static int
parse_int0(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (end == s || *end || errno)
        return LM_EPARSE;
    *out = v;
    return 0;
}

static int
iface(void *arg, const char *dir, const char *dev)
{
    struct walk *w = arg;
    char d[4096], v[6][256];
    struct stat st;
    snprintf(d, sizeof d, "%s/%s", dir, dev);
    if (stat(d, &st) || !S_ISDIR(st.st_mode))
        return 0;  /* bonding_masters and other plain files */
    if (w->s->ignored && lm_regex_match(w->s->ignored, dev, SIZE_MAX))
        return 0;
    for (int i = 0; info[i]; i++)
        if (ne_attr_str(d, info[i], v[i], sizeof v[i]))
            v[i][0] = '\0';
    lm_emit_family(w->e, "node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", LM_TYPE_GAUGE);
    lm_emit_samplev(w->e, strcmp(v[4], "up") == 0, "device", dev, NULL);
    lm_emit_family(w->e, "node_network_info",
                   "Non-numeric data from /sys/class/net/<iface>, value is always 1.", LM_TYPE_GAUGE);
    lm_emit_samplev(w->e, 1, "address", v[0], "broadcast", v[1], "device", dev, "duplex", v[2],
                    "ifalias", v[3], "operstate", v[4], NULL);
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
        char raw[64], name[96], help[96];
        int64_t n;
        if (ne_attr_str(d, props[i].file, raw, sizeof raw) || parse_int0(raw, &n))
            continue;
        double val = (double)n;
        if (!strcmp(props[i].file, "speed")) {
            if (n < 0 && w->s->ignore_invalid_speed)
                continue;
            val = (double)(n * 1000 * 1000 / 8);
        }
        snprintf(name, sizeof name, "node_network_%s", props[i].metric);
        snprintf(help, sizeof help, "Network device property: %s", props[i].metric);
        lm_emit_family(w->e, name, help, props[i].type);
        lm_emit_samplev(w->e, val, "device", dev, NULL);
    }
    return 0;
}

static int
nc_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    const char *pat = ctx->flags ? lm_flags_get(ctx->flags, "collector.netclass.ignored-devices") : "^$";
    struct netclass *s = lm_calloc(1, sizeof *s);
    if (!s)
        return lm_err_set(err, LM_ENOMEM, "netclass", "out of memory");
    struct lm_err e = {0};
    if (pat && *pat && !(s->ignored = lm_regex_new(pat, false, &e))) {
        lm_free(s);
        return lm_err_set(err, LM_ECONFIG, "--collector.netclass.ignored-devices", "%s", e.msg);
    }
    s->ignore_invalid_speed = ctx->flags &&
                              lm_flags_get_bool(ctx->flags, "collector.netclass.ignore-invalid-speed");
    *state = s;
    return 0;
}

static void
nc_fini(void *state)
{
    struct netclass *s = state;
    if (s)
        lm_regex_free(s->ignored);
    lm_free(s);
}

static int
nc_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    char dir[4096];
    struct walk w = {state, e};
    int rc = ne_dir_each(ne_path(ctx, NE_SYSFS, "class/net", dir, sizeof dir), NULL, iface, &w);
    if (rc == LM_ENOENT)
        return lm_err_set(err, LM_ENODATA, dir, "Could not read netclass file");
    if (rc)
        return lm_err_set(err, rc, dir, "could not get net class info: %s", lm_strerror(rc));
    return 0;
}

const struct lm_collector_desc ne_netclass_collector = {
    .name = "netclass",
    .enabled_by_default = true,
    .flags = flags,
    .init = nc_init,
    .collect = nc_collect,
    .fini = nc_fini,
};
