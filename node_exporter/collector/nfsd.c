/* SPDX-License-Identifier: Apache-2.0 */
/* nfsd.c: the nfsd collector: NFS server statistics from <procfs>/net/rpc/nfsd (rc, fh,
 * io, th, ra, net, rpc, proc2, proc3, proc4, proc4ops lines): reply cache, file handles,
 * bytes, threads, read-ahead cache, packets, RPC errors and requests per version and
 * procedure (node_nfsd_requests_total{method,proto}). An unknown line or a wrong value
 * count fails the scrape, as procfs does. No file (no nfsd module): LM_ENODATA. */
#include <stdio.h>
#include <string.h>
#include "lm/procfile.h"
#include "node_exporter/collector/nfs.h"
#include "node_exporter/ne.h"
#include "node_exporter/procutil.h"

/* server NFSv4 operations exported, with their column in proc4ops (after the count) */
static const struct {
    const char *name;   /* method label */
    unsigned idx;       /* 0-based column */
} v4ops[] = {
    {"Access", 3}, {"Close", 4}, {"Commit", 5}, {"Create", 6}, {"DelegPurge", 7},
    {"DelegReturn", 8}, {"GetAttr", 9}, {"GetFH", 10}, {"Link", 11}, {"Lock", 12},
    {"Lockt", 13}, {"Locku", 14}, {"Lookup", 15}, {"LookupRoot", 16}, {"Nverify", 17},
    {"Open", 18}, {"OpenAttr", 19}, {"OpenConfirm", 20}, {"OpenDgrd", 21}, {"PutFH", 22},
    {"Read", 25}, {"ReadDir", 26}, {"ReadLink", 27}, {"Remove", 28}, {"Rename", 29},
    {"Renew", 30}, {"RestoreFH", 31}, {"SaveFH", 32}, {"SecInfo", 33}, {"SetAttr", 34},
    {"Verify", 35}, {"Write", 36}, {"RelLockOwner", 37},
};
#define NV4OPS (sizeof v4ops / sizeof v4ops[0])

/* fixed-size lines: key and exact value count */
static const struct {
    const char *key;    /* first word */
    int n;              /* values it must have */
} fixed[] = {{"rc", 3}, {"fh", 5}, {"io", 2}, {"ra", 12}, {"net", 4}, {"rpc", 5}, {"th", 2}};
#define NFIXED (sizeof fixed / sizeof fixed[0])

/* Parsed /proc/net/rpc/nfsd; absent lines leave zeros, as upstream. */
struct nfsd_stats {
    uint64_t fix[NFIXED][12];   /* values of fixed[i] */
    uint64_t v2[18];            /* proc2 counters */
    uint64_t v3[22];            /* proc3 counters */
    uint64_t v4[40];            /* proc4ops counters (first 40) */
};

/* line: one line of pf into s. */
static int
line(const struct lm_procfile *pf, size_t l, const char *path, struct nfsd_stats *s,
     struct lm_err *err)
{
    uint64_t v[NE_NFS_MAXVALS];
    const char *key = lm_procfile_word(pf, l, 0);
    int n;
    if (lm_procfile_words(pf, l) < 2)
        return lm_err_set(err, LM_EPARSE, path, "invalid NFSd metric line \"%s\"",
                          lm_procfile_line(pf, l));
    if (!strcmp(key, "th")) {  /* "th threads fullcnt <histogram of floats>": first two only */
        n = (int)lm_procfile_words(pf, l) - 1;
        for (int i = 0; n >= 2 && i < 2; i++)
            if (lm_parse_u64(lm_procfile_word(pf, l, 1 + i), &v[i]))
                return lm_err_set(err, LM_EPARSE, path, "line %zu: invalid value \"%s\"", l + 1,
                                  lm_procfile_word(pf, l, 1 + i));
        n = n >= 2 ? 2 : n;
    } else if ((n = ne_nfs_values(pf, l, path, v, err)) < 0) {
        return n;
    }
    for (size_t i = 0; i < NFIXED; i++)
        if (!strcmp(key, fixed[i].key)) {
            if (n != fixed[i].n)
                return lm_err_set(err, LM_EPARSE, path, "line %zu: invalid %s line (%d values)",
                                  l + 1, key, n);
            memcpy(s->fix[i], v, (size_t)n * sizeof v[0]);
            return 0;
        }
    bool ok;
    if (!strcmp(key, "proc2") && (ok = ne_nfs_proc_ok(v, n, 18)))
        memcpy(s->v2, v + 1, sizeof s->v2);
    else if (!strcmp(key, "proc3") && (ok = ne_nfs_proc_ok(v, n, 22)))
        memcpy(s->v3, v + 1, sizeof s->v3);
    else if (!strcmp(key, "proc4"))
        ok = ne_nfs_proc_ok(v, n, 2) && v[0] == 2;  /* null, compound: not exported */
    else if (!strcmp(key, "proc4ops") && (ok = ne_nfs_proc_ok(v, n, 39)))
        memcpy(s->v4, v + 1, (n - 1 < 40 ? (size_t)(n - 1) : 40) * sizeof v[0]);
    else if (strcmp(key, "proc2") && strcmp(key, "proc3") && strcmp(key, "proc4ops"))
        return lm_err_set(err, LM_EPARSE, path, "unknown NFSd metric line \"%s\"", key);
    else
        ok = false;
    if (!ok)
        return lm_err_set(err, LM_EPARSE, path, "line %zu: invalid %s line (%d values)", l + 1,
                          key, n);
    return 0;
}

static void
counter(struct lm_emit *e, const char *name, const char *help, uint64_t v)
{
    lm_emit_one(e, name, help, LM_TYPE_COUNTER, (double)v);
}

static int
nfsd_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
             struct lm_err *err)
{
    char path[4096];
    struct nfsd_stats s = {0};
    int rc = ne_proc_read(state, ctx, NE_PROCFS, "net/rpc/nfsd", path, sizeof path, err);
    if (rc == LM_ENOENT)
        return lm_err_set(err, LM_ENODATA, path, "Not collecting NFSd metrics: no such file");
    for (size_t l = 0; !rc && l < lm_procfile_lines(state); l++)
        rc = line(state, l, path, &s, err);
    if (rc)
        return rc;
    const uint64_t *rcache = s.fix[0], *fh = s.fix[1], *io = s.fix[2], *ra = s.fix[3],
                   *net = s.fix[4], *rpc = s.fix[5], *th = s.fix[6];
    counter(e, "node_nfsd_reply_cache_hits_total",
            "Total number of NFSd Reply Cache hits (client lost server response).", rcache[0]);
    counter(e, "node_nfsd_reply_cache_misses_total",
            "Total number of NFSd Reply Cache an operation that requires caching (idempotent).",
            rcache[1]);
    counter(e, "node_nfsd_reply_cache_nocache_total",
            "Total number of NFSd Reply Cache non-idempotent operations (rename/delete/\xe2\x80\xa6).",
            rcache[2]);
    counter(e, "node_nfsd_file_handles_stale_total", "Total number of NFSd stale file handles",
            fh[0]);
    counter(e, "node_nfsd_disk_bytes_read_total", "Total NFSd bytes read.", io[0]);
    counter(e, "node_nfsd_disk_bytes_written_total", "Total NFSd bytes written.", io[1]);
    lm_emit_one(e, "node_nfsd_server_threads",
                "Total number of NFSd kernel threads that are running.", LM_TYPE_GAUGE,
                (double)th[0]);
    lm_emit_one(e, "node_nfsd_read_ahead_cache_size_blocks",
                "How large the read ahead cache is in blocks.", LM_TYPE_GAUGE, (double)ra[0]);
    counter(e, "node_nfsd_read_ahead_cache_not_found_total",
            "Total number of NFSd read ahead cache not found.", ra[11]);
    lm_emit_family(e, "node_nfsd_packets_total",
                   "Total NFSd network packets (sent+received) by protocol type.", LM_TYPE_COUNTER);
    lm_emit_samplev(e, (double)net[2], "proto", "tcp", NULL);
    lm_emit_samplev(e, (double)net[1], "proto", "udp", NULL);
    counter(e, "node_nfsd_connections_total", "Total number of NFSd TCP connections.", net[3]);
    lm_emit_family(e, "node_nfsd_rpc_errors_total", "Total number of NFSd RPC errors by error type.",
                   LM_TYPE_COUNTER);
    lm_emit_samplev(e, (double)rpc[3], "error", "auth", NULL);
    lm_emit_samplev(e, (double)rpc[4], "error", "cInt", NULL);
    lm_emit_samplev(e, (double)rpc[2], "error", "fmt", NULL);
    counter(e, "node_nfsd_server_rpcs_total", "Total number of NFSd RPCs.", rpc[0]);
    lm_emit_family(e, "node_nfsd_requests_total",
                   "Total number NFSd Requests by method and protocol.", LM_TYPE_COUNTER);
    for (size_t i = 1; i < 18; i++)  /* Null is not exported by the server collector */
        lm_emit_samplev(e, (double)s.v2[i], "method", ne_nfs_v2_methods[i], "proto", "2", NULL);
    for (size_t i = 1; i < 22; i++)
        lm_emit_samplev(e, (double)s.v3[i], "method", ne_nfs_v3_methods[i], "proto", "3", NULL);
    for (size_t i = 0; i < NV4OPS; i++)
        lm_emit_samplev(e, (double)s.v4[v4ops[i].idx], "method", v4ops[i].name, "proto", "4",
                        NULL);
    return 0;
}

const struct lm_collector_desc ne_nfsd_collector = {
    .name = "nfsd",
    .enabled_by_default = true,
    .init = ne_pf_init,
    .collect = nfsd_collect,
    .fini = ne_pf_fini,
};
