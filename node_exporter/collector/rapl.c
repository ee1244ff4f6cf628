/* SPDX-License-Identifier: Apache-2.0 */
/* rapl.c: the rapl collector: energy counters of the RAPL zones in <sysfs>/class/powercap
 * (every entry with a name file), node_rapl_<zone>_joules_total{index,path}, or one
 * node_rapl_joules_total{rapl_zone} with --collector.rapl.enable-zone-label. Unreadable
 * energy_uj (root-only on recent kernels) or no powercap gives "no data". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/flags.h"
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

static const struct lm_flag_desc flags[] = {
    {"collector.rapl.enable-zone-label", "false", "Enables service unit metric unit_start_time", true},
    {NULL, NULL, NULL, false},
};

#define MAXNAMES 64

struct walk {
    struct lm_emit *e;              /* output */
    bool zone_label;                /* --collector.rapl.enable-zone-label */
    int rc;                         /* LM_ENODATA when energy_uj is unreadable */
    size_t nn;                      /* names seen */
    char names[MAXNAMES][64];       /* zone names seen, for the index of unnumbered names */
    int next[MAXNAMES];             /* next index per name */
};

static int
zone(void *arg, const char *dir, const char *entry)
{
    struct walk *w = arg;
    char d[4096], name[64], idx[24], mname[128], help[160];
    uint64_t uj;
    ne_join(d, sizeof d, dir, entry);
    if (ne_attr_str(d, "name", name, sizeof name))
        return 0;
    /* "<name>-<index>" carries its index; others count uses of the name */
    char *dash = strchr(name, '-');
    long index = -1;
    if (dash && !strchr(dash + 1, '-') && dash[1]) {
        char *end;
        long v = strtol(dash + 1, &end, 10);
        if (!*end) {
            index = v;
            *dash = '\0';
        }
    }
    size_t k = 0;
    while (k < w->nn && strcmp(w->names[k], name) != 0)
        k++;
    if (k == w->nn && w->nn < MAXNAMES)
        snprintf(w->names[w->nn++], sizeof w->names[0], "%s", name);
    if (index < 0)
        index = k < MAXNAMES ? w->next[k] : 0;
    if (k < MAXNAMES)
        w->next[k] = (int)index + 1;
    int rc = ne_attr_u64(d, "energy_uj", &uj);
    if (rc) {
        w->rc = LM_ENODATA;
        return rc == LM_ENOENT ? 0 : LM_ENODATA;
    }
    snprintf(idx, sizeof idx, "%ld", index);
    if (w->zone_label) {
        lm_emit_family(w->e, "node_rapl_joules_total", "Current RAPL value in joules", LM_TYPE_COUNTER);
        lm_emit_samplev(w->e, (double)uj / 1e6, "index", idx, "path", d, "rapl_zone", name, NULL);
        return 0;
    }
    char san[64];
    snprintf(mname, sizeof mname, "node_rapl_%s_joules_total", ne_sanitize_name(name, san, sizeof san));
    snprintf(help, sizeof help, "Current RAPL %s value in joules", name);
    lm_emit_family(w->e, mname, help, LM_TYPE_COUNTER);
    lm_emit_samplev(w->e, (double)uj / 1e6, "index", idx, "path", d, NULL);
    return 0;
}

static int
rapl_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    char dir[4096];
    struct walk *w = lm_emit_alloc(e, sizeof *w);
    if (!w)
        return lm_err_set(err, LM_ENOMEM, "rapl", "out of memory");
    w->e = e;
    w->zone_label = ctx->flags && lm_flags_get_bool(ctx->flags, "collector.rapl.enable-zone-label");
    int rc = ne_dir_each(ne_path(ctx, NE_SYSFS, "class/powercap", dir, sizeof dir), NULL, zone, w);
    if (rc == LM_ENOENT)
        return lm_err_set(err, LM_ENODATA, dir, "Platform doesn't have powercap files present");
    if (rc == LM_ENODATA || w->rc == LM_ENODATA)
        return lm_err_set(err, LM_ENODATA, dir, "Can't access energy_uj file");
    if (rc)
        return lm_err_set(err, rc, dir, "%s", lm_strerror(rc));
    return 0;
}

const struct lm_collector_desc ne_rapl_collector = {
    .name = "rapl",
    .enabled_by_default = true,
    .flags = flags,
    .collect = rapl_collect,
};
