/* SPDX-License-Identifier: Apache-2.0 */
/* meminfo.c: the meminfo collector: one gauge per /proc/meminfo line,
 * node_memory_<Key>_bytes for "kB" lines (value x 1024) and node_memory_<Key> for unitless
 * ones; "Active(anon)" becomes "Active_anon". Its state is one procfile. */
#include <stdio.h>
#include <string.h>
#include "node_exporter/procutil.h"
#include "node_exporter/sysfs.h"

/* What one line callback needs. */
struct mem_walk {
    struct lm_emit *e;        /* where samples go */
    const char *path;         /* for errors */
    struct lm_err *err;       /* for errors */
};

static int
mem_line(void *arg, const char *key, double value, const char *unit)
{
    struct mem_walk *w = arg;
    char k[160], clean[160], name[200], help[240];
    size_t j = 0;
    for (const char *p = key; *p && j + 1 < sizeof k; p++)
        if (*p != ')')
            k[j++] = *p == '(' ? '_' : *p;
    k[j] = '\0';
    if (*unit) {
        if (strcmp(unit, "kB") != 0)
            return lm_err_set(w->err, LM_EPARSE, w->path, "%s: invalid unit \"%s\" for %s",
                              w->path, unit, key);
        value *= 1024;
        strncat(k, "_bytes", sizeof k - strlen(k) - 1);
    }
    ne_sanitize_name(k, clean, sizeof clean);
    snprintf(name, sizeof name, "node_memory_%s", clean);
    snprintf(help, sizeof help, "Memory information field %s.", clean);
    lm_emit_one(w->e, name, help, LM_TYPE_GAUGE, value);
    return 0;
}

static int
meminfo_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
                struct lm_err *err)
{
    struct lm_procfile *pf = state;
    char path[4096];
    int rc = ne_proc_read(pf, ctx, NE_PROCFS, "meminfo", path, sizeof path, err);
    if (rc)
        return rc;
    struct mem_walk w = {e, path, err};
    return ne_kv_each(pf, path, mem_line, &w, err);
}

const struct lm_collector_desc ne_meminfo_collector = {
    .name = "meminfo",
    .enabled_by_default = true,
    .flags = NULL,
    .init = ne_pf_init,
    .collect = meminfo_collect,
    .fini = ne_pf_fini,
};
