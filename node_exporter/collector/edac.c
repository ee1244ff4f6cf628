/* SPDX-License-Identifier: Apache-2.0 */
/* edac.c: the edac collector: correctable/uncorrectable memory error counts per memory
 * controller and per csrow from <sysfs>/devices/system/edac/mc/mc<N>; the *_noinfo_count
 * files are reported as csrow "unknown". No edac directory means no series. */
#include <stdio.h>
#include <string.h>
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

#define CE_HELP "Total correctable memory errors for this csrow."
#define UE_HELP "Total uncorrectable memory errors for this csrow."

struct walk {
    struct lm_emit *e;   /* output */
    const char *mc;      /* controller number */
};

static void
csrow_emit(struct lm_emit *e, const char *mc, const char *row, const char *d, const char *ce,
           const char *ue)
{
    uint64_t v;
    if (ne_attr_u64(d, ce, &v) == 0) {
        lm_emit_family(e, "node_edac_csrow_correctable_errors_total", CE_HELP, LM_TYPE_COUNTER);
        lm_emit_samplev(e, (double)v, "controller", mc, "csrow", row, NULL);
    }
    if (ne_attr_u64(d, ue, &v) == 0) {
        lm_emit_family(e, "node_edac_csrow_uncorrectable_errors_total", UE_HELP, LM_TYPE_COUNTER);
        lm_emit_samplev(e, (double)v, "controller", mc, "csrow", row, NULL);
    }
}

static int
csrow(void *arg, const char *dir, const char *name)
{
    struct walk *w = arg;
    char d[4096];
    csrow_emit(w->e, w->mc, name + 5, ne_join(d, sizeof d, dir, name), "ce_count", "ue_count");
    return 0;
}

static int
mc(void *arg, const char *dir, const char *name)
{
    struct lm_emit *e = arg;
    const char *num = name + 2;
    if (!*num || strspn(num, "0123456789") != strlen(num))
        return 0;
    char d[4096];
    uint64_t v;
    ne_join(d, sizeof d, dir, name);
    if (ne_attr_u64(d, "ce_count", &v) == 0) {
        lm_emit_family(e, "node_edac_correctable_errors_total", "Total correctable memory errors.", LM_TYPE_COUNTER);
        lm_emit_samplev(e, (double)v, "controller", num, NULL);
    }
    if (ne_attr_u64(d, "ue_count", &v) == 0) {
        lm_emit_family(e, "node_edac_uncorrectable_errors_total", "Total uncorrectable memory errors.", LM_TYPE_COUNTER);
        lm_emit_samplev(e, (double)v, "controller", num, NULL);
    }
    csrow_emit(e, num, "unknown", d, "ce_noinfo_count", "ue_noinfo_count");
    struct walk w = {e, num};
    int rc = ne_dir_each(d, "csrow", csrow, &w);
    return rc == LM_ENOENT ? 0 : rc;
}

static int
edac_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    char dir[4096];
    int rc = ne_dir_each(ne_path(ctx, NE_SYSFS, "devices/system/edac/mc", dir, sizeof dir), "mc", mc, e);
    if (rc && rc != LM_ENOENT)
        return lm_err_set(err, rc, dir, "%s", lm_strerror(rc));
    return 0;
}

const struct lm_collector_desc ne_edac_collector = {
    .name = "edac",
    .enabled_by_default = true,
    .collect = edac_collect,
};
