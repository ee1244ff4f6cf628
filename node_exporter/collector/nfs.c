/* SPDX-License-Identifier: Apache-2.0 */
/* nfs.c: the nfs collector: NFS client statistics from <procfs>/net/rpc/nfs (net, rpc,
 * proc2, proc3, proc4 lines): packets and connections, RPC counts, and requests per NFS
 * version and procedure (node_nfs_requests_total{method,proto}, upstream's method names).
 * An unknown line or a line with the wrong value count fails the scrape, as procfs does.
 * No file (no NFS client module): LM_ENODATA. Also owns the helpers of nfs.h. */
#include <stdio.h>
#include <string.h>
#include "lm/procfile.h"
#include "node_exporter/collector/nfs.h"
#include "node_exporter/ne.h"
#include "node_exporter/procutil.h"

const char *const ne_nfs_v2_methods[18] = {
    "Null", "GetAttr", "SetAttr", "Root", "Lookup", "ReadLink", "Read", "WrCache", "Write",
    "Create", "Remove", "Rename", "Link", "SymLink", "MkDir", "RmDir", "ReadDir", "FsStat",
};

const char *const ne_nfs_v3_methods[22] = {
    "Null", "GetAttr", "SetAttr", "Lookup", "Access", "ReadLink", "Read", "Write", "Create",
    "MkDir", "SymLink", "MkNod", "Remove", "RmDir", "Rename", "Link", "ReadDir", "ReadDirPlus",
    "FsStat", "FsInfo", "PathConf", "Commit",
};

/* client NFSv4 operations of the proc4 line; shorter lines are padded with zeros */
static const char *const v4_methods[] = {
    "Null", "Read", "Write", "Commit", "Open", "OpenConfirm", "OpenNoattr", "OpenDowngrade",
    "Close", "Setattr", "FsInfo", "Renew", "SetClientID", "SetClientIDConfirm", "Lock",
    "Lockt", "Locku", "Access", "Getattr", "Lookup", "LookupRoot", "Remove", "Rename", "Link",
    "Symlink", "Create", "Pathconf", "StatFs", "ReadLink", "ReadDir", "ServerCaps",
    "DelegReturn", "GetACL", "SetACL", "FsLocations", "ReleaseLockowner", "Secinfo",
    "FsidPresent", "ExchangeID", "CreateSession", "DestroySession", "Sequence",
    "GetLeaseTime", "ReclaimComplete", "LayoutGet", "GetDeviceInfo", "LayoutCommit",
    "LayoutReturn", "SecinfoNoName", "TestStateID", "FreeStateID", "GetDeviceList",
    "BindConnToSession", "DestroyClientID", "Seek", "Allocate", "DeAllocate", "LayoutStats",
    "Clone",
};
#define NV4 (sizeof v4_methods / sizeof v4_methods[0])

int
ne_nfs_values(const struct lm_procfile *pf, size_t l, const char *path, uint64_t *v,
              struct lm_err *err)
{
    size_t n = lm_procfile_words(pf, l);
    if (n - 1 > NE_NFS_MAXVALS)
        return lm_err_set(err, LM_EPARSE, path, "line %zu: too many values (%zu)", l + 1, n - 1);
    for (size_t i = 1; i < n; i++)
        if (lm_parse_u64(lm_procfile_word(pf, l, i), &v[i - 1]))
            return lm_err_set(err, LM_EPARSE, path, "line %zu: invalid value \"%s\"", l + 1,
                              lm_procfile_word(pf, l, i));
    return (int)n - 1;
}

int
ne_nfs_proc_ok(const uint64_t *v, int n, uint64_t min)
{
    return n >= 1 && v[0] == (uint64_t)(n - 1) && v[0] >= min;
}

/* Parsed /proc/net/rpc/nfs; absent lines leave zeros, as upstream. */
struct nfs_stats {
    uint64_t net[4];            /* netcnt udpcnt tcpcnt tcpconn */
    uint64_t rpc[3];            /* calls retransmissions authrefreshes */
    uint64_t v2[18];            /* proc2 counters */
    uint64_t v3[22];            /* proc3 counters */
    uint64_t v4[NV4];           /* proc4 counters */
};

static int
parse(const struct lm_procfile *pf, const char *path, struct nfs_stats *s, struct lm_err *err)
{
    uint64_t v[NE_NFS_MAXVALS];
    for (size_t l = 0; l < lm_procfile_lines(pf); l++) {
        const char *key = lm_procfile_word(pf, l, 0);
        if (lm_procfile_words(pf, l) < 2)
            return lm_err_set(err, LM_EPARSE, path, "invalid NFS metric line \"%s\"",
                              lm_procfile_line(pf, l));
        int n = ne_nfs_values(pf, l, path, v, err);
        if (n < 0)
            return n;
        bool ok = true;
        if (!strcmp(key, "net") && (ok = n == 4))
            memcpy(s->net, v, sizeof s->net);
        else if (!strcmp(key, "rpc") && (ok = n == 3))
            memcpy(s->rpc, v, sizeof s->rpc);
        else if (!strcmp(key, "proc2") && (ok = ne_nfs_proc_ok(v, n, 18)))
            memcpy(s->v2, v + 1, sizeof s->v2);
        else if (!strcmp(key, "proc3") && (ok = ne_nfs_proc_ok(v, n, 22)))
            memcpy(s->v3, v + 1, sizeof s->v3);
        else if (!strcmp(key, "proc4") && (ok = ne_nfs_proc_ok(v, n, 0)))
            memcpy(s->v4, v + 1, (n - 1 < (int)NV4 ? (size_t)(n - 1) : NV4) * sizeof v[0]);
        else if (ok)
            return lm_err_set(err, LM_EPARSE, path, "unknown NFS metric line \"%s\"", key);
        if (!ok)
            return lm_err_set(err, LM_EPARSE, path, "line %zu: invalid %s line (%d values)",
                              l + 1, key, n);
    }
    return 0;
}

static void
requests(struct lm_emit *e, const char *proto, const char *const *names, const uint64_t *v,
         size_t n)
{
    for (size_t i = 0; i < n; i++)
        lm_emit_samplev(e, (double)v[i], "method", names[i], "proto", proto, NULL);
}

static int
nfs_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    char path[4096];
    struct nfs_stats s = {0};
    int rc = ne_proc_read(state, ctx, NE_PROCFS, "net/rpc/nfs", path, sizeof path, err);
    if (rc == LM_ENOENT)
        return lm_err_set(err, LM_ENODATA, path, "Not collecting NFS metrics: no such file");
    if (rc || (rc = parse(state, path, &s, err)))
        return rc;
    lm_emit_family(e, "node_nfs_packets_total",
                   "Total NFSd network packets (sent+received) by protocol type.", LM_TYPE_COUNTER);
    lm_emit_samplev(e, (double)s.net[2], "protocol", "tcp", NULL);
    lm_emit_samplev(e, (double)s.net[1], "protocol", "udp", NULL);
    lm_emit_one(e, "node_nfs_connections_total", "Total number of NFSd TCP connections.",
                LM_TYPE_COUNTER, (double)s.net[3]);
    lm_emit_one(e, "node_nfs_rpcs_total", "Total number of RPCs performed.", LM_TYPE_COUNTER,
                (double)s.rpc[0]);
    lm_emit_one(e, "node_nfs_rpc_retransmissions_total", "Number of RPC transmissions performed.",
                LM_TYPE_COUNTER, (double)s.rpc[1]);
    lm_emit_one(e, "node_nfs_rpc_authentication_refreshes_total",
                "Number of RPC authentication refreshes performed.", LM_TYPE_COUNTER,
                (double)s.rpc[2]);
    lm_emit_family(e, "node_nfs_requests_total", "Number of NFS procedures invoked.",
                   LM_TYPE_COUNTER);
    requests(e, "2", ne_nfs_v2_methods, s.v2, 18);
    requests(e, "3", ne_nfs_v3_methods, s.v3, 22);
    requests(e, "4", v4_methods, s.v4, NV4);
    return 0;
}

const struct lm_collector_desc ne_nfs_collector = {
    .name = "nfs",
    .enabled_by_default = true,
    .init = ne_pf_init,
    .collect = nfs_collect,
    .fini = ne_pf_fini,
};
