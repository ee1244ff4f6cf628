/* SPDX-License-Identifier: Apache-2.0 */
/* selinux.c: the selinux collector: node_selinux_enabled from selinuxfs
 * (<sysfs>/fs/selinux/enforce readable), and when enabled the current mode (that file)
 * and the configured mode (SELINUX= in <rootfs>/etc/selinux/config): 1 enforcing,
 * 0 permissive, -1 disabled. */
#include <stdio.h>
#include <string.h>
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

/* config_mode: SELINUX= from the config file; -1 when unset or unreadable. */
static int
config_mode(struct lm_procfile *pf, const struct lm_collect_ctx *ctx)
{
    char path[4096];
    if (lm_procfile_read(pf, ne_path(ctx, NE_ROOTFS, "etc/selinux/config", path, sizeof path), NULL))
        return -1;
    for (size_t l = 0; l < lm_procfile_lines(pf); l++) {
        const char *line = lm_procfile_line(pf, l);
        line += strspn(line, " \t");
        if (strncmp(line, "SELINUX=", 8) != 0)
            continue;
        const char *v = line + 8;
        if (!strncmp(v, "enforcing", 9))
            return 1;
        if (!strncmp(v, "permissive", 10))
            return 0;
        return -1;
    }
    return -1;
}

static int
se_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    char dir[4096];
    int64_t enforce;
    bool on = ne_attr_i64(ne_path(ctx, NE_SYSFS, "fs/selinux", dir, sizeof dir), "enforce", &enforce) == 0;
    lm_emit_one(e, "node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", LM_TYPE_GAUGE, on);
    if (!on)
        return 0;
    struct lm_procfile *pf = lm_procfile_new(NULL);
    if (!pf)
        return lm_err_set(err, LM_ENOMEM, "selinux", "out of memory");
    lm_emit_one(e, "node_selinux_config_mode", "Configured SELinux enforcement mode", LM_TYPE_GAUGE,
                config_mode(pf, ctx));
    lm_procfile_free(pf);
    lm_emit_one(e, "node_selinux_current_mode", "Current SELinux enforcement mode", LM_TYPE_GAUGE,
                enforce ? 1 : 0);
    return 0;
}

const struct lm_collector_desc ne_selinux_collector = {
    .name = "selinux",
    .enabled_by_default = true,
    .collect = se_collect,
};
