/* SPDX-License-Identifier: Apache-2.0 */
/* entropy.c: the entropy collector: available bits and pool size from
 * /proc/sys/kernel/random/{entropy_avail,poolsize}. Stateless: two one-value reads. */
#include "lm/procfile.h"
#include "node_exporter/ne.h"

/* read_one: one value file under procfs; error naming the path on failure. */
static int
read_one(const struct lm_collect_ctx *ctx, const char *rel, double *out, struct lm_err *err)
{
    char path[4096];
    ne_path(ctx, NE_PROCFS, rel, path, sizeof path);
    int rc = lm_read_double(path, out);
    if (rc)
        return lm_err_set(err, rc, path, "couldn't read %s: %s", path, lm_strerror(rc));
    return 0;
}

static int
entropy_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
                struct lm_err *err)
{
    double v;
    int rc = read_one(ctx, "sys/kernel/random/entropy_avail", &v, err);
    if (rc)
        return rc;
    lm_emit_one(e, "node_entropy_available_bits", "Bits of available entropy.",
                LM_TYPE_GAUGE, v);
    if ((rc = read_one(ctx, "sys/kernel/random/poolsize", &v, err)))
        return rc;
    lm_emit_one(e, "node_entropy_pool_size_bits", "Bits of entropy pool.", LM_TYPE_GAUGE, v);
    return 0;
}

const struct lm_collector_desc ne_entropy_collector = {
    .name = "entropy",
    .enabled_by_default = true,
    .flags = NULL,
    .init = NULL,
    .collect = entropy_collect,
    .fini = NULL,
};
