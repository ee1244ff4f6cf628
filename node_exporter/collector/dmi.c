/* SPDX-License-Identifier: Apache-2.0 */
/* dmi.c: the dmi collector: node_dmi_info labelled by every non-empty, readable attribute
 * of <sysfs>/class/dmi/id (sys_vendor becomes system_vendor). Read once at init, as
 * upstream does; no class/dmi/id gives "no data" on every scrape. */
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

#define NDMI 21

/* sysfs file and label name, in label order */
static const char *const dmi_files[NDMI][2] = {
    {"bios_date", "bios_date"}, {"bios_release", "bios_release"}, {"bios_vendor", "bios_vendor"},
    {"bios_version", "bios_version"}, {"board_asset_tag", "board_asset_tag"},
    {"board_name", "board_name"}, {"board_serial", "board_serial"}, {"board_vendor", "board_vendor"},
    {"board_version", "board_version"}, {"chassis_asset_tag", "chassis_asset_tag"},
    {"chassis_serial", "chassis_serial"}, {"chassis_type", "chassis_type"},
    {"chassis_vendor", "chassis_vendor"}, {"chassis_version", "chassis_version"},
    {"product_family", "product_family"}, {"product_name", "product_name"},
    {"product_serial", "product_serial"}, {"product_sku", "product_sku"},
    {"product_uuid", "product_uuid"}, {"product_version", "product_version"},
    {"sys_vendor", "system_vendor"},
};

struct dmi {
    bool present;                 /* class/dmi/id existed at init */
    size_t n;                     /* labels in use */
    struct lm_label labels[NDMI]; /* name -> value (values point into vals) */
    char vals[NDMI][256];         /* attribute contents */
};

static int
dmi_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    char dir[4096];
    struct dmi *s = lm_calloc(1, sizeof *s);
    if (!s)
        return lm_err_set(err, LM_ENOMEM, "dmi", "out of memory");
    ne_path(ctx, NE_SYSFS, "class/dmi/id", dir, sizeof dir);
    for (int i = 0; i < NDMI; i++) {
        int rc = ne_attr_str(dir, dmi_files[i][0], s->vals[s->n], sizeof s->vals[0]);
        if (rc == 0)
            s->present = true;
        if (rc || !s->vals[s->n][0])
            continue;
        s->labels[s->n].name = dmi_files[i][1];
        s->labels[s->n].value = s->vals[s->n];
        s->n++;
    }
    *state = s;
    return 0;
}

static int
dmi_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    struct dmi *s = state;
    if (!s->present)
        return lm_err_set(err, LM_ENODATA, "dmi",
                          "Platform does not support Desktop Management Interface (DMI) information");
    lm_emit_family(e, "node_dmi_info",
                   "A metric with a constant '1' value labeled by bios_date, bios_release, bios_vendor, "
                   "bios_version, board_asset_tag, board_name, board_serial, board_vendor, board_version, "
                   "chassis_asset_tag, chassis_serial, chassis_type, chassis_vendor, chassis_version, "
                   "product_family, product_name, product_serial, product_sku, product_uuid, "
                   "product_version, system_vendor if provided by DMI.", LM_TYPE_GAUGE);
    lm_emit_sample(e, s->labels, s->n, 1);
    return 0;
}

const struct lm_collector_desc ne_dmi_collector = {
    .name = "dmi",
    .enabled_by_default = true,
    .init = dmi_init,
    .collect = dmi_collect,
    .fini = lm_free,
};
