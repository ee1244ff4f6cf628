/* SPDX-License-Identifier: Apache-2.0 */
/* thermal_zone.c: the thermal_zone collector: node_thermal_zone_temp per
 * <sysfs>/class/thermal/thermal_zone<N> and the cur/max throttle state of every
 * cooling_device<N>. A zone whose type or temp cannot be read is skipped. */
#include <stdio.h>
#include <string.h>
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

static int
zone(void *arg, const char *dir, const char *name)
{
    struct lm_emit *e = arg;
    char d[4096], type[256];
    int64_t temp;
    ne_join(d, sizeof d, dir, name);
    if (ne_attr_str(d, "type", type, sizeof type) || ne_attr_i64(d, "temp", &temp))
        return 0;
    lm_emit_family(e, "node_thermal_zone_temp", "Zone temperature in Celsius", LM_TYPE_GAUGE);
    lm_emit_samplev(e, (double)temp / 1000.0, "type", type, "zone", name + strlen("thermal_zone"), NULL);
    return 0;
}

static int
cooling(void *arg, const char *dir, const char *name)
{
    struct lm_emit *e = arg;
    char d[4096], type[256];
    int64_t cur, max;
    ne_join(d, sizeof d, dir, name);
    if (ne_attr_str(d, "type", type, sizeof type) || ne_attr_i64(d, "cur_state", &cur) ||
        ne_attr_i64(d, "max_state", &max))
        return 0;
    const char *n = name + strlen("cooling_device");
    lm_emit_family(e, "node_cooling_device_cur_state", "Current throttle state of the cooling device", LM_TYPE_GAUGE);
    lm_emit_samplev(e, (double)cur, "name", n, "type", type, NULL);
    lm_emit_family(e, "node_cooling_device_max_state", "Maximum throttle state of the cooling device", LM_TYPE_GAUGE);
    lm_emit_samplev(e, (double)max, "name", n, "type", type, NULL);
    return 0;
}

static int
tz_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    char dir[4096];
    ne_path(ctx, NE_SYSFS, "class/thermal", dir, sizeof dir);
    int rc = ne_dir_each(dir, "thermal_zone", zone, e);
    if (rc == 0)
        rc = ne_dir_each(dir, "cooling_device", cooling, e);
    if (rc && rc != LM_ENOENT)
        return lm_err_set(err, rc, dir, "%s", lm_strerror(rc));
    return 0;
}

const struct lm_collector_desc ne_thermal_zone_collector = {
    .name = "thermal_zone",
    .enabled_by_default = true,
    .collect = tz_collect,
};
