/* SPDX-License-Identifier: Apache-2.0 */
/* timex.c: the timex collector: the kernel clock discipline state from adjtimex(2) in
 * read-only mode (offset, frequency, errors, PPS counters, sync status). Stateless. */
#include <string.h>
#include <sys/timex.h>
#include "lm/collector.h"

#define PPM16FRAC 65536000000.0   /* "scaled ppm" (16-bit fraction) to a ratio */

static int
timex_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
              struct lm_err *err)
{
    struct timex t;
    memset(&t, 0, sizeof t);
    int st = adjtimex(&t);
    if (st < 0)
        return lm_err_set(err, LM_EIO, "adjtimex", "failed to retrieve adjtimex stats");
    double div = (t.status & STA_NANO) ? 1e9 : 1e6;
    const struct {
        const char *name;     /* family */
        const char *help;     /* HELP */
        enum lm_type type;    /* gauge or counter */
        double v;             /* value */
    } m[] = {
        {"node_timex_offset_seconds", "Time offset in between local system and reference clock.",
         LM_TYPE_GAUGE, (double)t.offset / div},
        {"node_timex_frequency_adjustment_ratio", "Local clock frequency adjustment.",
         LM_TYPE_GAUGE, 1 + (double)t.freq / PPM16FRAC},
        {"node_timex_maxerror_seconds", "Maximum error in seconds.", LM_TYPE_GAUGE,
         (double)t.maxerror / 1e6},
        {"node_timex_estimated_error_seconds", "Estimated error in seconds.", LM_TYPE_GAUGE,
         (double)t.esterror / 1e6},
        {"node_timex_status", "Value of the status array bits.", LM_TYPE_GAUGE,
         (double)t.status},
        {"node_timex_loop_time_constant", "Phase-locked loop time constant.", LM_TYPE_GAUGE,
         (double)t.constant},
        {"node_timex_tick_seconds", "Seconds between clock ticks.", LM_TYPE_GAUGE,
         (double)t.tick / 1e6},
        {"node_timex_pps_frequency_hertz", "Pulse per second frequency.", LM_TYPE_GAUGE,
         (double)t.ppsfreq / PPM16FRAC},
        {"node_timex_pps_jitter_seconds", "Pulse per second jitter.", LM_TYPE_GAUGE,
         (double)t.jitter / div},
        {"node_timex_pps_shift_seconds", "Pulse per second interval duration.", LM_TYPE_GAUGE,
         (double)t.shift},
        {"node_timex_pps_stability_hertz",
         "Pulse per second stability, average of recent frequency changes.", LM_TYPE_GAUGE,
         (double)t.stabil / PPM16FRAC},
        {"node_timex_pps_jitter_total", "Pulse per second count of jitter limit exceeded events.",
         LM_TYPE_COUNTER, (double)t.jitcnt},
        {"node_timex_pps_calibration_total", "Pulse per second count of calibration intervals.",
         LM_TYPE_COUNTER, (double)t.calcnt},
        {"node_timex_pps_error_total", "Pulse per second count of calibration errors.",
         LM_TYPE_COUNTER, (double)t.errcnt},
        {"node_timex_pps_stability_exceeded_total",
         "Pulse per second count of stability limit exceeded events.", LM_TYPE_COUNTER,
         (double)t.stbcnt},
        {"node_timex_tai_offset_seconds", "International Atomic Time (TAI) offset.",
         LM_TYPE_GAUGE, (double)t.tai},
        {"node_timex_sync_status",
         "Is clock synchronized to a reliable server (1 = yes, 0 = no).", LM_TYPE_GAUGE,
         st == TIME_ERROR ? 0 : 1},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        lm_emit_one(e, m[i].name, m[i].help, m[i].type, m[i].v);
    return 0;
}

const struct lm_collector_desc ne_timex_collector = {
    .name = "timex",
    .enabled_by_default = true,
    .flags = NULL,
    .init = NULL,
    .collect = timex_collect,
    .fini = NULL,
};
