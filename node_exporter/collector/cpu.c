/* SPDX-License-Identifier: Apache-2.0 */
/* cpu.c: the cpu collector: per-CPU mode and guest seconds from the cpuN lines of
 * /proc/stat (USER_HZ ticks; counters kept monotonic across scrapes), thermal throttle
 * counts from <sysfs>/devices/system/cpu/cpuN, and with --collector.cpu.info the
 * /proc/cpuinfo info, flag and bug families. Owns two procfiles and the per-CPU history. */
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/flags.h"
#include "node_exporter/procutil.h"
#include "node_exporter/sysfs.h"

#define USER_HZ 100.0
#define NMODES 10

static const char *const modes[8] = {"user", "nice", "system", "idle",
                                     "iowait", "irq", "softirq", "steal"};

struct cpu_state {
    struct lm_procfile *stat;     /* /proc/stat */
    struct lm_procfile *info;     /* /proc/cpuinfo (with --collector.cpu.info) */
    bool guest;                   /* --collector.cpu.guest */
    bool want_info;               /* --collector.cpu.info (or an include flag set) */
    struct lm_regex *flags_re;    /* --collector.cpu.info.flags-include, or NULL */
    struct lm_regex *bugs_re;     /* --collector.cpu.info.bugs-include, or NULL */
    double (*last)[NMODES];       /* last value per CPU and field, for monotonicity */
    size_t nlast;                 /* CPUs in last */
    uint64_t *seen;               /* throttle dedup: (package << 32 | core), per scrape */
    size_t nseen, seen_cap;       /* used / allocated */
    struct lm_emit *e;            /* current scrape's emitter (collect only) */
};

static const struct lm_flag_desc cpu_flags[] = {
    {"collector.cpu.guest", "true", "Enables metric node_cpu_guest_seconds_total", true},
    {"collector.cpu.info", "false", "Enables metric cpu_info", true},
    {"collector.cpu.info.flags-include", NULL,
     "Filter the `flags` field in cpuInfo with a value that must be a regular expression", false},
    {"collector.cpu.info.bugs-include", NULL,
     "Filter the `bugs` field in cpuInfo with a value that must be a regular expression", false},
    {NULL, NULL, NULL, false},
};

static void
cpu_fini(void *state)
{
    struct cpu_state *s = state;
    if (!s)
        return;
    lm_procfile_free(s->stat);
    lm_procfile_free(s->info);
    lm_regex_free(s->flags_re);
    lm_regex_free(s->bugs_re);
    lm_free(s->last);
    lm_free(s->seen);
    lm_free(s);
}

static int
cpu_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    struct cpu_state *s = lm_calloc(1, sizeof *s);
    if (!s || !(s->stat = lm_procfile_new(NULL)) || !(s->info = lm_procfile_new(NULL))) {
        cpu_fini(s);
        return lm_err_set(err, LM_ENOMEM, "cpu", "out of memory");
    }
    s->guest = lm_flags_get_bool(ctx->flags, "collector.cpu.guest");
    s->want_info = lm_flags_get_bool(ctx->flags, "collector.cpu.info");
    static const char *const inc[2] = {"collector.cpu.info.flags-include",
                                       "collector.cpu.info.bugs-include"};
    struct lm_regex **re[2] = {&s->flags_re, &s->bugs_re};
    for (size_t i = 0; i < 2; i++) {
        const char *v = lm_flags_get(ctx->flags, inc[i]);
        if (!v || !*v)
            continue;
        s->want_info = true;   /* upstream turns --collector.cpu.info on */
        if (!(*re[i] = ne_flag_regex(ctx, inc[i], err))) {
            cpu_fini(s);
            return err ? err->code : LM_ECONFIG;
        }
    }
    *state = s;
    return 0;
}

/* info_value: the text after "key<tabs>: " on a cpuinfo line, or NULL for another key. */
static const char *
info_value(const char *line, const char *key)
{
    size_t kl = strlen(key);
    if (strncmp(line, key, kl) != 0 || (line[kl] != '\t' && line[kl] != ' ' && line[kl] != ':'))
        return NULL;
    const char *c = strchr(line + kl, ':');
    if (!c)
        return NULL;
    return c[1] == ' ' ? c + 2 : c + 1;
}

/* emit_words: one gauge sample per word of list matching re (flags/bugs). */
static void
emit_words(struct lm_emit *e, const char *list, const struct lm_regex *re, const char *name,
           const char *help, const char *label)
{
    if (!re || !list)
        return;
    lm_emit_family(e, name, help, LM_TYPE_GAUGE);
    char word[128];
    while (*list) {
        size_t n = strcspn(list, " \t");
        if (n && n < sizeof word) {
            memcpy(word, list, n);
            word[n] = '\0';
            if (lm_regex_match(re, word, n))
                lm_emit_samplev(e, 1, label, word, NULL);
        }
        list += n;
        list += strspn(list, " \t");
    }
}

static int
update_info(struct cpu_state *s, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    static const char *const keys[10] = {"processor", "vendor_id", "cpu family", "model",
                                         "model name", "stepping", "microcode", "cache size",
                                         "physical id", "core id"};
    static const char *const labels[10] = {"cpu", "vendor", "family", "model", "model_name",
                                           "stepping", "microcode", "cachesize", "package",
                                           "core"};
    char path[4096];
    int rc = ne_proc_read(s->info, ctx, NE_PROCFS, "cpuinfo", path, sizeof path, err);
    if (rc)
        return rc;
    const char *val[10] = {0}, *flags = NULL, *bugs = NULL;
    size_t nl = lm_procfile_lines(s->info), ncpu = 0;
    for (size_t l = 0; l <= nl; l++) {
        const char *line = lm_procfile_line(s->info, l);
        if (!*line) {   /* blank line or end: one processor block done */
            if (val[0]) {
                struct lm_label lb[10];
                for (size_t i = 0; i < 10; i++)
                    lb[i] = (struct lm_label){labels[i], val[i] ? val[i] : ""};
                lm_emit_family(s->e, "node_cpu_info", "CPU information from /proc/cpuinfo.",
                               LM_TYPE_GAUGE);
                lm_emit_sample(s->e, lb, 10, 1);
                ncpu++;
            }
            memset(val, 0, sizeof val);
            continue;
        }
        for (size_t i = 0; i < 10; i++)
            if (!val[i] && (val[i] = info_value(line, keys[i])))
                break;
        if (ncpu == 0 && !flags)
            flags = info_value(line, "flags");
        if (ncpu == 0 && !bugs)
            bugs = info_value(line, "bugs");
    }
    emit_words(s->e, flags, s->flags_re, "node_cpu_flag_info",
               "The `flags` field of CPU information from /proc/cpuinfo taken from the first core.",
               "flag");
    emit_words(s->e, bugs, s->bugs_re, "node_cpu_bug_info",
               "The `bugs` field of CPU information from /proc/cpuinfo taken from the first core.",
               "bug");
    return 0;
}

/* throttle: one cpuN directory; core and package counts, each (package, core) once. */
static int
throttle(void *arg, const char *dir, const char *name)
{
    struct cpu_state *s = arg;
    uint64_t pkg, core, n, dummy;
    char d[4096], t[4096], ps[24], cs[24];
    if (lm_parse_u64(name + 3, &dummy) != 0)
        return 0;
    ne_join(d, sizeof d, dir, name);
    ne_join(t, sizeof t, d, "topology");
    if (ne_attr_u64(t, "physical_package_id", &pkg) || ne_attr_u64(t, "core_id", &core))
        return 0;
    uint64_t kcore = pkg << 32 | (core & 0xffffffffu), kpkg = UINT64_MAX - pkg;
    bool core_seen = false, pkg_seen = false;
    for (size_t i = 0; i < s->nseen; i++) {
        core_seen |= s->seen[i] == kcore;
        pkg_seen |= s->seen[i] == kpkg;
    }
    if (s->nseen + 2 > s->seen_cap) {
        size_t cap = s->seen_cap ? s->seen_cap * 2 : 64;
        uint64_t *p = lm_realloc(s->seen, cap * sizeof *p);
        if (!p)
            return LM_ENOMEM;
        s->seen = p;
        s->seen_cap = cap;
    }
    snprintf(ps, sizeof ps, "%llu", (unsigned long long)pkg);
    snprintf(cs, sizeof cs, "%llu", (unsigned long long)core);
    ne_join(t, sizeof t, d, "thermal_throttle");
    if (!core_seen) {
        s->seen[s->nseen++] = kcore;
        if (ne_attr_u64(t, "core_throttle_count", &n) == 0) {
            lm_emit_family(s->e, "node_cpu_core_throttles_total",
                           "Number of times this CPU core has been throttled.", LM_TYPE_COUNTER);
            lm_emit_samplev(s->e, (double)n, "package", ps, "core", cs, NULL);
        }
    }
    if (!pkg_seen) {
        s->seen[s->nseen++] = kpkg;
        if (ne_attr_u64(t, "package_throttle_count", &n) == 0) {
            lm_emit_family(s->e, "node_cpu_package_throttles_total",
                           "Number of times this CPU package has been throttled.",
                           LM_TYPE_COUNTER);
            lm_emit_samplev(s->e, (double)n, "package", ps, NULL);
        }
    }
    return 0;
}

/* update_stat: the cpuN lines of /proc/stat. */
static int
update_stat(struct cpu_state *s, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    char path[4096];
    int rc = ne_proc_read(s->stat, ctx, NE_PROCFS, "stat", path, sizeof path, err);
    if (rc)
        return rc;
    for (size_t l = 0; l < lm_procfile_lines(s->stat); l++) {
        const char *w0 = lm_procfile_word(s->stat, l, 0);
        uint64_t id;
        if (strncmp(w0, "cpu", 3) != 0 || lm_parse_u64(w0 + 3, &id) != 0)
            continue;
        if (id >= 65536)
            return lm_err_set(err, LM_EPARSE, path, "%s: line %zu: cpu id too big", path, l + 1);
        if (id >= s->nlast) {
            void *p = lm_realloc(s->last, (id + 1) * sizeof *s->last);
            if (!p)
                return lm_err_set(err, LM_ENOMEM, path, "out of memory");
            s->last = p;
            memset(s->last + s->nlast, 0, (id + 1 - s->nlast) * sizeof *s->last);
            s->nlast = id + 1;
        }
        double *last = s->last[id], v[NMODES] = {0};
        size_t nw = lm_procfile_words(s->stat, l);
        for (size_t f = 0; f < NMODES && f + 1 < nw; f++) {
            if ((rc = ne_num(lm_procfile_word(s->stat, l, f + 1), path, l, &v[f], err)))
                return rc;
            v[f] /= USER_HZ;
        }
        if (last[3] - v[3] >= 3.0)   /* idle jumped back: CPU hotplug, start over */
            memset(last, 0, NMODES * sizeof *last);
        for (size_t f = 0; f < NMODES; f++)
            if (v[f] >= last[f])
                last[f] = v[f];
        lm_emit_family(s->e, "node_cpu_seconds_total", "Seconds the CPUs spent in each mode.",
                       LM_TYPE_COUNTER);
        for (size_t f = 0; f < 8; f++)
            lm_emit_samplev(s->e, last[f], "cpu", w0 + 3, "mode", modes[f], NULL);
        if (s->guest) {
            lm_emit_family(s->e, "node_cpu_guest_seconds_total",
                           "Seconds the CPUs spent in guests (VMs) for each mode.",
                           LM_TYPE_COUNTER);
            lm_emit_samplev(s->e, last[8], "cpu", w0 + 3, "mode", "user", NULL);
            lm_emit_samplev(s->e, last[9], "cpu", w0 + 3, "mode", "nice", NULL);
        }
    }
    return 0;
}

static int
cpu_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
            struct lm_err *err)
{
    struct cpu_state *s = state;
    s->e = e;
    s->nseen = 0;
    int rc = s->want_info ? update_info(s, ctx, err) : 0;
    if (!rc)
        rc = update_stat(s, ctx, err);
    if (!rc) {
        char dir[4096];
        ne_path(ctx, NE_SYSFS, "devices/system/cpu", dir, sizeof dir);
        rc = ne_dir_each(dir, "cpu", throttle, s);
        if (rc == LM_ENOENT)
            rc = 0;
        if (rc)
            lm_err_set(err, rc, dir, "%s: %s", dir, lm_strerror(rc));
    }
    s->e = NULL;
    return rc;
}

const struct lm_collector_desc ne_cpu_collector = {
    .name = "cpu",
    .enabled_by_default = true,
    .flags = cpu_flags,
    .init = cpu_init,
    .collect = cpu_collect,
    .fini = cpu_fini,
};
