/* SPDX-License-Identifier: Apache-2.0 */
/* schedstat.c: the schedstat collector: per-CPU running and waiting time and timeslices
 * from /proc/schedstat ("cpuN" lines, fields 7-9). A missing file gives LM_ENODATA.
 * Its state is one procfile. */
#include <string.h>
#include "node_exporter/procutil.h"

static const struct {
    const char *name;         /* family */
    const char *help;         /* HELP */
    double scale;             /* divisor: ns -> s, or 1 */
} fam[3] = {
    {"node_schedstat_running_seconds_total", "Number of seconds CPU spent running a process.",
     1e9},
    {"node_schedstat_waiting_seconds_total",
     "Number of seconds spent by processing waiting for this CPU.", 1e9},
    {"node_schedstat_timeslices_total", "Number of timeslices executed by CPU.", 1},
};

static int
schedstat_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
                  struct lm_err *err)
{
    struct lm_procfile *pf = state;
    char path[4096];
    int rc = ne_proc_read(pf, ctx, NE_PROCFS, "schedstat", path, sizeof path, err);
    if (rc)
        return ne_nodata(rc, err);
    size_t nl = lm_procfile_lines(pf);
    for (size_t l = 0; l < nl; l++) {
        const char *w0 = lm_procfile_word(pf, l, 0);
        uint64_t cpu;
        if (strncmp(w0, "cpu", 3) != 0 || lm_parse_u64(w0 + 3, &cpu) != 0 ||
            lm_procfile_words(pf, l) < 10)
            continue;
        double v[3];
        for (size_t f = 0; f < 3; f++)
            if ((rc = ne_num(lm_procfile_word(pf, l, 7 + f), path, l, &v[f], err)))
                return rc;
        for (size_t f = 0; f < 3; f++) {
            lm_emit_family(e, fam[f].name, fam[f].help, LM_TYPE_COUNTER);
            lm_emit_samplev(e, v[f] / fam[f].scale, "cpu", w0 + 3, NULL);
        }
    }
    return 0;
}

const struct lm_collector_desc ne_schedstat_collector = {
    .name = "schedstat",
    .enabled_by_default = true,
    .flags = NULL,
    .init = ne_pf_init,
    .collect = schedstat_collect,
    .fini = ne_pf_fini,
};
