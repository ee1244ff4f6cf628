/* SPDX-License-Identifier: Apache-2.0 */
/* loadavg.c: the loadavg collector: node_load1, node_load5 and node_load15 from the first
 * three fields of /proc/loadavg. Its state is one reusable procfile. */
#include "node_exporter/procutil.h"

static const char *const names[3] = {"node_load1", "node_load5", "node_load15"};
static const char *const helps[3] = {"1m load average.", "5m load average.",
                                     "15m load average."};

static int
loadavg_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
                struct lm_err *err)
{
    struct lm_procfile *pf = state;
    char path[4096];
    int rc = ne_proc_read(pf, ctx, NE_PROCFS, "loadavg", path, sizeof path, err);
    if (rc)
        return rc;
    if (lm_procfile_words(pf, 0) < 3)
        return lm_err_set(err, LM_EPARSE, path, "%s: unexpected content \"%s\"", path,
                          lm_procfile_line(pf, 0));
    double v[3];
    for (size_t i = 0; i < 3; i++) {
        rc = ne_num(lm_procfile_word(pf, 0, i), path, 0, &v[i], err);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < 3; i++)
        lm_emit_one(e, names[i], helps[i], LM_TYPE_GAUGE, v[i]);
    return 0;
}

const struct lm_collector_desc ne_loadavg_collector = {
    .name = "loadavg",
    .enabled_by_default = true,
    .flags = NULL,
    .init = ne_pf_init,
    .collect = loadavg_collect,
    .fini = ne_pf_fini,
};
