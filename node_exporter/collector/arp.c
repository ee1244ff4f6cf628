/* SPDX-License-Identifier: Apache-2.0 */
/* arp.c: the arp collector: node_arp_entries{device}, the number of /proc/net/arp rows per
 * interface (column 6). Counting uses a per-scrape table from the emitter's arena.
 * Its state is one procfile. */
#include <string.h>
#include "node_exporter/procutil.h"

struct arp_dev {
    const char *name;         /* device, a view into the procfile */
    double n;                 /* entries seen */
};

static int
arp_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
            struct lm_err *err)
{
    struct lm_procfile *pf = state;
    char path[4096];
    int rc = ne_proc_read(pf, ctx, NE_PROCFS, "net/arp", path, sizeof path, err);
    if (rc)
        return rc;
    size_t nl = lm_procfile_lines(pf), nd = 0;
    struct arp_dev *devs = lm_emit_alloc(e, (nl + 1) * sizeof *devs);
    if (!devs)
        return lm_err_set(err, LM_ENOMEM, path, "out of memory");
    for (size_t l = 1; l < nl; l++) {
        size_t nw = lm_procfile_words(pf, l);
        if (nw == 0)
            continue;
        if (nw != 6)
            return lm_err_set(err, LM_EPARSE, path, "%s: line %zu: %zu columns, want 6",
                              path, l + 1, nw);
        const char *dev = lm_procfile_word(pf, l, 5);
        size_t d = 0;
        while (d < nd && strcmp(devs[d].name, dev) != 0)
            d++;
        if (d == nd)
            devs[nd++].name = dev;
        devs[d].n++;
    }
    lm_emit_family(e, "node_arp_entries", "ARP entries by device", LM_TYPE_GAUGE);
    for (size_t d = 0; d < nd; d++)
        lm_emit_samplev(e, devs[d].n, "device", devs[d].name, NULL);
    return 0;
}

const struct lm_collector_desc ne_arp_collector = {
    .name = "arp",
    .enabled_by_default = true,
    .flags = NULL,
    .init = ne_pf_init,
    .collect = arp_collect,
    .fini = ne_pf_fini,
};
