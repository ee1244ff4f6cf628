/* SPDX-License-Identifier: Apache-2.0 */
/* stat.c: the stat collector: boot time, context switches, forks, interrupts and process
 * counts from /proc/stat, plus per-vector softirq counts with --collector.stat.softirq.
 * Per-CPU times belong to the cpu collector. */
#include <string.h>
#include "lm/alloc.h"
#include "lm/flags.h"
#include "node_exporter/procutil.h"

struct stat_state {
    struct lm_procfile *pf;   /* /proc/stat reader */
    bool softirq;             /* --collector.stat.softirq */
};

static const struct lm_flag_desc stat_flags[] = {
    {"collector.stat.softirq", "false", "Export softirq calls per vector", true},
    {NULL, NULL, NULL, false},
};

/* One /proc/stat line we export: its key, and the family it becomes. */
static const struct {
    const char *key;          /* first word of the line */
    const char *name;         /* metric name */
    const char *help;         /* HELP text */
    enum lm_type type;        /* counter or gauge */
} fields[] = {
    {"btime", "node_boot_time_seconds", "Node boot time, in unixtime.", LM_TYPE_GAUGE},
    {"ctxt", "node_context_switches_total", "Total number of context switches.",
     LM_TYPE_COUNTER},
    {"processes", "node_forks_total", "Total number of forks.", LM_TYPE_COUNTER},
    {"intr", "node_intr_total", "Total number of interrupts serviced.", LM_TYPE_COUNTER},
    {"procs_blocked", "node_procs_blocked",
     "Number of processes blocked waiting for I/O to complete.", LM_TYPE_GAUGE},
    {"procs_running", "node_procs_running", "Number of processes in runnable state.",
     LM_TYPE_GAUGE},
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static const char *const vectors[] = {"hi", "timer", "net_tx", "net_rx", "block",
                                      "block_iopoll", "tasklet", "sched", "hrtimer", "rcu"};
#define NVECTORS (sizeof vectors / sizeof vectors[0])

static int
stat_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    struct stat_state *s = lm_calloc(1, sizeof *s);
    if (!s || !(s->pf = lm_procfile_new(NULL))) {
        lm_free(s);
        return lm_err_set(err, LM_ENOMEM, "stat", "out of memory");
    }
    s->softirq = lm_flags_get_bool(ctx->flags, "collector.stat.softirq");
    *state = s;
    return 0;
}

static int
stat_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
             struct lm_err *err)
{
    struct stat_state *s = state;
    char path[4096];
    int rc = ne_proc_read(s->pf, ctx, NE_PROCFS, "stat", path, sizeof path, err);
    if (rc)
        return rc;
    double val[NFIELDS] = {0}, soft[NVECTORS] = {0};
    size_t nl = lm_procfile_lines(s->pf);
    for (size_t l = 0; l < nl; l++) {
        const char *key = lm_procfile_word(s->pf, l, 0);
        if (s->softirq && strcmp(key, "softirq") == 0) {
            size_t nw = lm_procfile_words(s->pf, l);
            for (size_t i = 0; i < NVECTORS && i + 2 < nw; i++)
                if ((rc = ne_num(lm_procfile_word(s->pf, l, i + 2), path, l, &soft[i], err)))
                    return rc;
            continue;
        }
        for (size_t i = 0; i < NFIELDS; i++) {
            if (strcmp(key, fields[i].key) != 0)
                continue;
            if ((rc = ne_num(lm_procfile_word(s->pf, l, 1), path, l, &val[i], err)))
                return rc;
            break;
        }
    }
    for (size_t i = 0; i < NFIELDS; i++)
        lm_emit_one(e, fields[i].name, fields[i].help, fields[i].type, val[i]);
    if (s->softirq) {
        lm_emit_family(e, "node_softirqs_total", "Number of softirq calls.",
                       LM_TYPE_COUNTER);
        for (size_t i = 0; i < NVECTORS; i++)
            lm_emit_samplev(e, soft[i], "vector", vectors[i], NULL);
    }
    return 0;
}

static void
stat_fini(void *state)
{
    struct stat_state *s = state;
    if (!s)
        return;
    lm_procfile_free(s->pf);
    lm_free(s);
}

const struct lm_collector_desc ne_stat_collector = {
    .name = "stat",
    .enabled_by_default = true,
    .flags = stat_flags,
    .init = stat_init,
    .collect = stat_collect,
    .fini = stat_fini,
};
