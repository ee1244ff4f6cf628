/* SPDX-License-Identifier: Apache-2.0 */
/* time.c: the time collector: wall-clock time, the local zone's offset, and the available
 * and current clocksources of each <sysfs>/devices/system/clocksource/clocksourceN (a
 * missing directory only drops the clocksource families, as upstream). Stateless. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

/* clocksource: emit one clocksourceN directory's available and current sources. */
static int
clocksource(void *arg, const char *dir, const char *name)
{
    struct lm_emit *e = arg;
    char sub[4096], avail[1024], cur[256];
    const char *dev = name + strlen("clocksource");
    ne_join(sub, sizeof sub, dir, name);
    if (ne_attr_str(sub, "available_clocksource", avail, sizeof avail) != 0 ||
        ne_attr_str(sub, "current_clocksource", cur, sizeof cur) != 0)
        return 0;
    lm_emit_family(e, "node_time_clocksource_available_info",
                   "Available clocksources read from '/sys/devices/system/clocksource'.",
                   LM_TYPE_GAUGE);
    for (char *p = avail; *p;) {
        char *end = p + strcspn(p, " \t");
        char c = *end;
        *end = '\0';
        if (end > p)
            lm_emit_samplev(e, 1, "clocksource", p, "device", dev, NULL);
        p = c ? end + 1 : end;
    }
    lm_emit_family(e, "node_time_clocksource_current_info",
                   "Current clocksource read from '/sys/devices/system/clocksource'.",
                   LM_TYPE_GAUGE);
    lm_emit_samplev(e, 1, "clocksource", cur, "device", dev, NULL);
    return 0;
}

static int
time_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
             struct lm_err *err)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    lm_emit_one(e, "node_time_seconds", "System time in seconds since epoch (1970).",
                LM_TYPE_GAUGE, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
    struct tm tm;
    time_t now = ts.tv_sec;
    tzset();
    if (localtime_r(&now, &tm)) {
        lm_emit_family(e, "node_time_zone_offset_seconds", "System time zone offset in seconds.",
                       LM_TYPE_GAUGE);
        lm_emit_samplev(e, (double)tm.tm_gmtoff, "time_zone", tm.tm_zone ? tm.tm_zone : "",
                        NULL);
    }
    char dir[4096];
    ne_path(ctx, NE_SYSFS, "devices/system/clocksource", dir, sizeof dir);
    ne_dir_each(dir, "clocksource", clocksource, e);   /* errors: debug-only upstream */
    return 0;
}

const struct lm_collector_desc ne_time_collector = {
    .name = "time",
    .enabled_by_default = true,
    .flags = NULL,
    .init = NULL,
    .collect = time_collect,
    .fini = NULL,
};
