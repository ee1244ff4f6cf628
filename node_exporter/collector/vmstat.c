/* SPDX-License-Identifier: Apache-2.0 */
/* vmstat.c: the vmstat collector: /proc/vmstat fields matching --collector.vmstat.fields
 * (compiled once at init) as untyped node_vmstat_<field>. Owns a procfile and the regex. */
#include <stdio.h>
#include "lm/alloc.h"
#include "node_exporter/procutil.h"

struct vmstat_state {
    struct lm_procfile *pf;   /* /proc/vmstat reader */
    struct lm_regex *fields;  /* --collector.vmstat.fields */
    struct lm_emit *e;        /* the current scrape's emitter (collect only) */
};

static const struct lm_flag_desc vmstat_flags[] = {
    {"collector.vmstat.fields", "^(oom_kill|pgpg|pswp|pg.*fault).*",
     "Regexp of fields to return for vmstat collector.", false},
    {NULL, NULL, NULL, false},
};

static void
vmstat_fini(void *state)
{
    struct vmstat_state *s = state;
    if (!s)
        return;
    lm_procfile_free(s->pf);
    lm_regex_free(s->fields);
    lm_free(s);
}

static int
vmstat_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    struct vmstat_state *s = lm_calloc(1, sizeof *s);
    if (!s || !(s->pf = lm_procfile_new(NULL))) {
        lm_free(s);
        return lm_err_set(err, LM_ENOMEM, "vmstat", "out of memory");
    }
    if (!(s->fields = ne_flag_regex(ctx, "collector.vmstat.fields", err))) {
        vmstat_fini(s);
        return err ? err->code : LM_ECONFIG;
    }
    *state = s;
    return 0;
}

static int
vmstat_line(void *arg, const char *key, double value, const char *unit)
{
    struct vmstat_state *s = arg;
    if (!lm_regex_match(s->fields, key, SIZE_MAX))
        return 0;
    char name[192], help[224];
    snprintf(name, sizeof name, "node_vmstat_%s", key);
    snprintf(help, sizeof help, "/proc/vmstat information field %s.", key);
    lm_emit_one(s->e, name, help, LM_TYPE_UNTYPED, value);
    return 0;
}

static int
vmstat_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
               struct lm_err *err)
{
    struct vmstat_state *s = state;
    char path[4096];
    int rc = ne_proc_read(s->pf, ctx, NE_PROCFS, "vmstat", path, sizeof path, err);
    if (rc)
        return rc;
    s->e = e;
    rc = ne_kv_each(s->pf, path, vmstat_line, s, err);
    s->e = NULL;
    return rc;
}

const struct lm_collector_desc ne_vmstat_collector = {
    .name = "vmstat",
    .enabled_by_default = true,
    .flags = vmstat_flags,
    .init = vmstat_init,
    .collect = vmstat_collect,
    .fini = vmstat_fini,
};
