/* SPDX-License-Identifier: Apache-2.0 */
/* pressure.c: the pressure collector: PSI "total" stall times from /proc/pressure/{cpu,io,
 * memory} as counters in seconds. A missing file means no PSI support (kernel < 4.20 or
 * CONFIG_PSI off): LM_ENODATA, as upstream's ErrNoData. Its state is one procfile. */
#include <string.h>
#include "node_exporter/procutil.h"

/* Each resource file and the families its "some" and "full" lines become. */
static const struct {
    const char *file;         /* under <procfs>/pressure/ */
    const char *some_name;    /* family for the "some" line */
    const char *some_help;    /* its HELP */
    const char *full_name;    /* family for the "full" line, or NULL (cpu: not exported) */
    const char *full_help;    /* its HELP */
} res[] = {
    {"pressure/cpu", "node_pressure_cpu_waiting_seconds_total",
     "Total time in seconds that processes have waited for CPU time", NULL, NULL},
    {"pressure/io", "node_pressure_io_waiting_seconds_total",
     "Total time in seconds that processes have waited due to IO congestion",
     "node_pressure_io_stalled_seconds_total",
     "Total time in seconds no process could make progress due to IO congestion"},
    {"pressure/memory", "node_pressure_memory_waiting_seconds_total",
     "Total time in seconds that processes have waited for memory",
     "node_pressure_memory_stalled_seconds_total",
     "Total time in seconds no process could make progress due to memory congestion"},
};

/* total: the total=N (microseconds) of line l, in seconds. */
static int
total(const struct lm_procfile *pf, size_t l, const char *path, double *out,
      struct lm_err *err)
{
    size_t nw = lm_procfile_words(pf, l);
    for (size_t w = 1; w < nw; w++) {
        const char *word = lm_procfile_word(pf, l, w);
        if (strncmp(word, "total=", 6) != 0)
            continue;
        int rc = ne_num(word + 6, path, l, out, err);
        *out = *out / 1000 / 1000;   /* as upstream: exact same rounding */
        return rc;
    }
    return lm_err_set(err, LM_EPARSE, path, "%s: line %zu: no total= field", path, l + 1);
}

static int
pressure_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
                 struct lm_err *err)
{
    struct lm_procfile *pf = state;
    char path[4096];
    for (size_t r = 0; r < sizeof res / sizeof res[0]; r++) {
        int rc = ne_proc_read(pf, ctx, NE_PROCFS, res[r].file, path, sizeof path, err);
        if (rc == LM_ENOENT)
            return lm_err_set(err, LM_ENODATA, path,
                              "pressure information is unavailable, you need a Linux kernel "
                              ">= 4.20 and/or CONFIG_PSI");
        if (rc)
            return rc;
        double some = -1, full = -1;
        for (size_t l = 0; l < lm_procfile_lines(pf); l++) {
            const char *kind = lm_procfile_word(pf, l, 0);
            if (strcmp(kind, "some") == 0)
                rc = total(pf, l, path, &some, err);
            else if (strcmp(kind, "full") == 0)
                rc = total(pf, l, path, &full, err);
            if (rc)
                return rc;
        }
        if (some < 0)
            return lm_err_set(err, LM_EPARSE, path, "%s: no \"some\" line", path);
        lm_emit_one(e, res[r].some_name, res[r].some_help, LM_TYPE_COUNTER, some);
        if (res[r].full_name) {
            if (full < 0)
                return lm_err_set(err, LM_EPARSE, path, "%s: no \"full\" line", path);
            lm_emit_one(e, res[r].full_name, res[r].full_help, LM_TYPE_COUNTER, full);
        }
    }
    return 0;
}

const struct lm_collector_desc ne_pressure_collector = {
    .name = "pressure",
    .enabled_by_default = true,
    .flags = NULL,
    .init = ne_pf_init,
    .collect = pressure_collect,
    .fini = ne_pf_fini,
};
