/* SPDX-License-Identifier: Apache-2.0 */
/* conntrack.c: the conntrack collector: table size and limit from
 * /proc/sys/net/netfilter/nf_conntrack_{count,max} and per-CPU statistics summed from
 * /proc/net/stat/nf_conntrack (hex columns named by its header line). Missing files mean
 * conntrack is not loaded: LM_ENODATA. Its state is one procfile. */
#include <string.h>
#include "node_exporter/procutil.h"

/* The statistics columns we export, by header name. */
static const struct {
    const char *col;          /* header column name */
    const char *name;         /* family */
    const char *help;         /* HELP */
} stats[] = {
    {"found", "node_nf_conntrack_stat_found", "Number of searched entries which were successful."},
    {"invalid", "node_nf_conntrack_stat_invalid",
     "Number of packets seen which can not be tracked."},
    {"ignore", "node_nf_conntrack_stat_ignore",
     "Number of packets seen which are already connected to a conntrack entry."},
    {"insert", "node_nf_conntrack_stat_insert", "Number of entries inserted into the list."},
    {"insert_failed", "node_nf_conntrack_stat_insert_failed",
     "Number of entries for which list insertion was attempted but failed."},
    {"drop", "node_nf_conntrack_stat_drop",
     "Number of packets dropped due to conntrack failure."},
    {"early_drop", "node_nf_conntrack_stat_early_drop",
     "Number of dropped conntrack entries to make room for new ones, if maximum table size "
     "was reached."},
    {"search_restart", "node_nf_conntrack_stat_search_restart",
     "Number of conntrack table lookups which had to be restarted due to hashtable resizes."},
};
#define NSTATS (sizeof stats / sizeof stats[0])

/* one_value: a one-number procfs file; LM_ENODATA when missing. */
static int
one_value(const struct lm_collect_ctx *ctx, const char *rel, double *out, struct lm_err *err)
{
    char path[4096];
    ne_path(ctx, NE_PROCFS, rel, path, sizeof path);
    int rc = lm_read_double(path, out);
    if (rc == LM_ENOENT)
        return lm_err_set(err, LM_ENODATA, path, "%s: conntrack probably not loaded", path);
    if (rc)
        return lm_err_set(err, rc, path, "couldn't read %s: %s", path, lm_strerror(rc));
    return 0;
}

static int
conntrack_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
                  struct lm_err *err)
{
    struct lm_procfile *pf = state;
    double v;
    int rc = one_value(ctx, "sys/net/netfilter/nf_conntrack_count", &v, err);
    if (rc)
        return rc;
    lm_emit_one(e, "node_nf_conntrack_entries",
                "Number of currently allocated flow entries for connection tracking.",
                LM_TYPE_GAUGE, v);
    if ((rc = one_value(ctx, "sys/net/netfilter/nf_conntrack_max", &v, err)))
        return rc;
    lm_emit_one(e, "node_nf_conntrack_entries_limit",
                "Maximum size of connection tracking table.", LM_TYPE_GAUGE, v);

    char path[4096];
    rc = ne_proc_read(pf, ctx, NE_PROCFS, "net/stat/nf_conntrack", path, sizeof path, err);
    if (rc)
        return ne_nodata(rc, err);
    size_t col[NSTATS], nh = lm_procfile_words(pf, 0);
    double sum[NSTATS] = {0};
    for (size_t i = 0; i < NSTATS; i++) {
        col[i] = nh;
        for (size_t w = 0; w < nh; w++)
            if (strcmp(lm_procfile_word(pf, 0, w), stats[i].col) == 0)
                col[i] = w;
        if (col[i] == nh)
            return lm_err_set(err, LM_EPARSE, path, "%s: no \"%s\" column", path, stats[i].col);
    }
    for (size_t l = 1; l < lm_procfile_lines(pf); l++) {
        if (lm_procfile_words(pf, l) != nh)
            return lm_err_set(err, LM_EPARSE, path, "%s: line %zu: %zu columns, want %zu",
                              path, l + 1, lm_procfile_words(pf, l), nh);
        for (size_t i = 0; i < NSTATS; i++) {
            uint64_t x;
            const char *w = lm_procfile_word(pf, l, col[i]);
            if (ne_hex_u64(w, 0, &x))
                return lm_err_set(err, LM_EPARSE, path, "%s: line %zu: invalid value \"%s\"",
                                  path, l + 1, w);
            sum[i] += (double)x;
        }
    }
    for (size_t i = 0; i < NSTATS; i++)
        lm_emit_one(e, stats[i].name, stats[i].help, LM_TYPE_GAUGE, sum[i]);
    return 0;
}

const struct lm_collector_desc ne_conntrack_collector = {
    .name = "conntrack",
    .enabled_by_default = true,
    .flags = NULL,
    .init = ne_pf_init,
    .collect = conntrack_collect,
    .fini = ne_pf_fini,
};
