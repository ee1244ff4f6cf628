/* SPDX-License-Identifier: Apache-2.0 */
/* udp_queues.c: the udp_queues collector: bytes queued in UDP sockets, summed over the
 * tx_queue:rx_queue column (hex) of /proc/net/udp and /proc/net/udp6. A missing file is
 * skipped; both missing gives LM_ENODATA. Its state is one procfile. */
#include <string.h>
#include "node_exporter/procutil.h"

/* sum_queues: add every socket's tx and rx queue of the table in pf. */
static int
sum_queues(const struct lm_procfile *pf, const char *path, double *tx, double *rx,
           struct lm_err *err)
{
    *tx = *rx = 0;
    for (size_t l = 1; l < lm_procfile_lines(pf); l++) {
        if (lm_procfile_words(pf, l) == 0)
            continue;
        const char *q = lm_procfile_word(pf, l, 4);
        const char *colon = strchr(q, ':');
        uint64_t t, r;
        if (!colon || ne_hex_u64(q, (size_t)(colon - q), &t) || ne_hex_u64(colon + 1, 0, &r))
            return lm_err_set(err, LM_EPARSE, path, "%s: line %zu: invalid queue field \"%s\"",
                              path, l + 1, q);
        *tx += (double)t;
        *rx += (double)r;
    }
    return 0;
}

static int
udp_queues_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
                   struct lm_err *err)
{
    static const char *const files[2] = {"net/udp", "net/udp6"};
    static const char *const ips[2] = {"v4", "v6"};
    struct lm_procfile *pf = state;
    char path[4096];
    int missing = 0;
    for (size_t i = 0; i < 2; i++) {
        int rc = ne_proc_read(pf, ctx, NE_PROCFS, files[i], path, sizeof path, err);
        if (rc == LM_ENOENT) {
            missing++;
            continue;
        }
        double tx, rx;
        if (rc || (rc = sum_queues(pf, path, &tx, &rx, err)))
            return rc;
        lm_emit_family(e, "node_udp_queues",
                       "Number of allocated memory in the kernel for UDP datagrams in bytes.",
                       LM_TYPE_GAUGE);
        lm_emit_samplev(e, tx, "queue", "tx", "ip", ips[i], NULL);
        lm_emit_samplev(e, rx, "queue", "rx", "ip", ips[i], NULL);
    }
    if (missing == 2)
        return lm_err_set(err, LM_ENODATA, path, "udp and udp6 tables not found");
    lm_err_clear(err);
    return 0;
}

const struct lm_collector_desc ne_udp_queues_collector = {
    .name = "udp_queues",
    .enabled_by_default = true,
    .flags = NULL,
    .init = ne_pf_init,
    .collect = udp_queues_collect,
    .fini = ne_pf_fini,
};
