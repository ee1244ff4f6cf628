/* SPDX-License-Identifier: Apache-2.0 */
/* softnet.c: the softnet collector: per-CPU processed, dropped and time-squeezed packet
 * counts from /proc/net/softnet_stat (hexadecimal columns, one line per CPU; the cpu label
 * is the line index). Its state is one procfile. */
#include <stdio.h>
#include "node_exporter/procutil.h"

static const struct {
    const char *name;         /* family */
    const char *help;         /* HELP */
} fam[3] = {
    {"node_softnet_processed_total", "Number of processed packets"},
    {"node_softnet_dropped_total", "Number of dropped packets"},
    {"node_softnet_times_squeezed_total", "Number of times processing packets ran out of quota"},
};

static int
softnet_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
                struct lm_err *err)
{
    struct lm_procfile *pf = state;
    char path[4096];
    int rc = ne_proc_read(pf, ctx, NE_PROCFS, "net/softnet_stat", path, sizeof path, err);
    if (rc)
        return rc;
    size_t nl = lm_procfile_lines(pf);
    for (size_t l = 0; l < nl; l++) {
        if (lm_procfile_words(pf, l) < 9)
            return lm_err_set(err, LM_EPARSE, path, "%s: line %zu: %zu columns, want >= 9",
                              path, l + 1, lm_procfile_words(pf, l));
        uint64_t v[3];
        for (size_t f = 0; f < 3; f++) {
            const char *w = lm_procfile_word(pf, l, f);
            if (ne_hex_u64(w, 0, &v[f]))
                return lm_err_set(err, LM_EPARSE, path, "%s: line %zu: invalid value \"%s\"",
                                  path, l + 1, w);
        }
        char cpu[24];
        snprintf(cpu, sizeof cpu, "%zu", l);
        for (size_t f = 0; f < 3; f++) {
            lm_emit_family(e, fam[f].name, fam[f].help, LM_TYPE_COUNTER);
            lm_emit_samplev(e, (double)v[f], "cpu", cpu, NULL);
        }
    }
    return 0;
}

const struct lm_collector_desc ne_softnet_collector = {
    .name = "softnet",
    .enabled_by_default = true,
    .flags = NULL,
    .init = ne_pf_init,
    .collect = softnet_collect,
    .fini = ne_pf_fini,
};
