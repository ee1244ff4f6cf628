/* SPDX-License-Identifier: Apache-2.0 */
/* nvme.c: the nvme collector: node_nvme_info per controller in <sysfs>/class/nvme, from
 * its firmware_rev, model, serial and state attributes. No class/nvme gives "no data". */
#include <stdio.h>
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

static const char *const files[4] = {"firmware_rev", "model", "serial", "state"};

static int
ctrl(void *arg, const char *dir, const char *name)
{
    struct lm_emit *e = arg;
    char d[4096], v[4][256];
    ne_join(d, sizeof d, dir, name);
    for (int i = 0; i < 4; i++)
        if (ne_attr_str(d, files[i], v[i], sizeof v[i]))
            return 0;  /* upstream fails the device; skip it */
    lm_emit_family(e, "node_nvme_info", "Non-numeric data from /sys/class/nvme/<device>, value is always 1.",
                   LM_TYPE_GAUGE);
    lm_emit_samplev(e, 1, "device", name, "firmware_revision", v[0], "model", v[1], "serial", v[2],
                    "state", v[3], NULL);
    return 0;
}

static int
nvme_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    char dir[4096];
    int rc = ne_dir_each(ne_path(ctx, NE_SYSFS, "class/nvme", dir, sizeof dir), NULL, ctrl, e);
    if (rc == LM_ENOENT)
        return lm_err_set(err, LM_ENODATA, dir, "nvme statistics not found, skipping");
    if (rc)
        return lm_err_set(err, rc, dir, "error obtaining NVMe class info: %s", lm_strerror(rc));
    return 0;
}

const struct lm_collector_desc ne_nvme_collector = {
    .name = "nvme",
    .enabled_by_default = true,
    .collect = nvme_collect,
};
