/* SPDX-License-Identifier: Apache-2.0 */
/* mdadm.c: the mdadm collector: md array state, disk counts and block (re)sync progress
 * from <procfs>/mdstat, following the kernel's layout: "<md> : <state> <level> <disks>",
 * a status line with "<blocks> blocks ... [total/active] [UU_]", an optional bitmap line
 * and an optional recovery/resync/check line. No mdstat gives "no data". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/procfile.h"
#include "node_exporter/ne.h"

struct md {
    const char *name;      /* mdX, view into the procfile */
    const char *state;     /* active, inactive, recovering, resyncing, checking */
    double active, failed, spare, total, blocks, synced;  /* the gauges */
};

static size_t
count(const char *s, const char *needle)
{
    size_t n = 0, l = strlen(needle);
    for (const char *p = s; (p = strstr(p, needle)); p += l)
        n++;
    return n;
}

/* parse_status: "<blocks> blocks ... [n/m] [UU_]" for one device; LM_EPARSE otherwise. */
static int
parse_status(const char *dev, const char *st, struct md *m)
{
    char *end;
    st += strspn(st, " \t");
    m->blocks = (double)strtoull(st, &end, 10);
    if (end == st)
        return LM_EPARSE;
    if (strstr(dev, "raid0") || strstr(dev, "linear")) {
        m->total = m->active = (double)count(dev, "[");
        return 0;
    }
    if (strstr(dev, "inactive"))
        return 0;
    if (!strstr(st, " blocks "))
        return LM_EPARSE;
    for (const char *p = strchr(st, '['); p; p = strchr(p + 1, '[')) {
        unsigned long a, b;
        char *e1, *e2;
        a = strtoul(p + 1, &e1, 10);
        if (e1 == p + 1 || *e1 != '/')
            continue;
        b = strtoul(e1 + 1, &e2, 10);
        if (e2 == e1 + 1 || e2[0] != ']' || e2[1] != ' ' || e2[2] != '[')
            continue;
        size_t us = strspn(e2 + 3, "U_");
        if (!us || e2[3 + us] != ']')
            continue;
        m->total = (double)a;
        m->active = (double)b;
        return 0;
    }
    return LM_EPARSE;
}

/* node_md_state label value, and the parsed state it flags */
static const char *const states[][2] = {
    {"active", "active"}, {"inactive", "inactive"}, {"recovering", "recovering"},
    {"resync", "resyncing"}, {"check", "checking"},
};

static void
emit_md(struct lm_emit *e, const struct md *m)
{
    const char *dh = "Number of active/failed/spare disks of device.";
    lm_emit_family(e, "node_md_disks", dh, LM_TYPE_GAUGE);
    lm_emit_samplev(e, m->active, "device", m->name, "state", "active", NULL);
    lm_emit_samplev(e, m->failed, "device", m->name, "state", "failed", NULL);
    lm_emit_samplev(e, m->spare, "device", m->name, "state", "spare", NULL);
    lm_emit_family(e, "node_md_disks_required", "Total number of disks of device.", LM_TYPE_GAUGE);
    lm_emit_samplev(e, m->total, "device", m->name, NULL);
    lm_emit_family(e, "node_md_blocks", "Total number of blocks on device.", LM_TYPE_GAUGE);
    lm_emit_samplev(e, m->blocks, "device", m->name, NULL);
    lm_emit_family(e, "node_md_blocks_synced", "Number of blocks synced on device.", LM_TYPE_GAUGE);
    lm_emit_samplev(e, m->synced, "device", m->name, NULL);
    lm_emit_family(e, "node_md_state", "Indicates the state of md-device.", LM_TYPE_GAUGE);
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        lm_emit_samplev(e, strcmp(m->state, states[i][1]) == 0, "device", m->name, "state",
                        states[i][0], NULL);
}

static int
md_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    char path[4096];
    struct lm_procfile *pf = lm_procfile_new(NULL);
    if (!pf)
        return lm_err_set(err, LM_ENOMEM, "mdadm", "out of memory");
    int rc = lm_procfile_read(pf, ne_path(ctx, NE_PROCFS, "mdstat", path, sizeof path), err);
    if (rc == LM_ENOENT)
        rc = lm_err_set(err, LM_ENODATA, path, "Not collecting mdstat, file does not exist");
    size_t nl = lm_procfile_lines(pf);
    for (size_t i = 0; rc == 0 && i < nl; i++) {
        const char *line = lm_procfile_line(pf, i);
        if (!*line || line[0] == ' ' || line[0] == '\t' || !line[strspn(line, " \t")] ||
            !strncmp(line, "Personalities", 13) || !strncmp(line, "unused", 6))
            continue;
        if (lm_procfile_words(pf, i) < 3) {
            rc = lm_err_set(err, LM_EPARSE, path, "not enough fields in mdline (expected at least 3): %s", line);
            break;
        }
        struct md m = {.name = lm_procfile_word(pf, i, 0), .state = lm_procfile_word(pf, i, 2)};
        if (i + 2 >= nl) {
            rc = lm_err_set(err, LM_EPARSE, path, "error parsing %s: too few lines for md device", m.name);
            break;
        }
        m.failed = (double)count(line, "(F)");
        m.spare = (double)count(line, "(S)");
        if (parse_status(line, lm_procfile_line(pf, i + 1), &m)) {
            rc = lm_err_set(err, LM_EPARSE, path, "error parsing md device lines: %s", lm_procfile_line(pf, i + 1));
            break;
        }
        m.synced = m.blocks;
        size_t si = i + 2;
        if (strstr(lm_procfile_line(pf, si), "bitmap"))
            si++;
        const char *sl = lm_procfile_line(pf, si);
        bool rec = strstr(sl, "recovery"), res = strstr(sl, "resync"), chk = strstr(sl, "check");
        if (rec || res || chk) {
            m.state = rec ? "recovering" : chk ? "checking" : "resyncing";
            if (strstr(sl, "PENDING") || strstr(sl, "DELAYED")) {
                m.synced = 0;
            } else {
                const char *p = strchr(sl, '(');
                char *end;
                unsigned long long v = p ? strtoull(p + 1, &end, 10) : 0;
                if (!p || end == p + 1 || *end != '/') {
                    rc = lm_err_set(err, LM_EPARSE, path, "unexpected recoveryLine: %s", sl);
                    break;
                }
                m.synced = (double)v;
            }
        }
        emit_md(e, &m);
    }
    lm_procfile_free(pf);
    return rc;
}

const struct lm_collector_desc ne_mdadm_collector = {
    .name = "mdadm",
    .enabled_by_default = true,
    .collect = md_collect,
};
