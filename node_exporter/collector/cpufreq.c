/* SPDX-License-Identifier: Apache-2.0 */
/* cpufreq.c: the cpufreq collector: per-CPU cpuinfo_* and scaling_* frequencies (kHz in
 * sysfs, hertz out) and node_cpu_scaling_governor from
 * <sysfs>/devices/system/cpu/cpu<N>/cpufreq. CPUs without cpufreq are skipped. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

static const struct {
    const char *file, *name, *help;   /* attribute, family, upstream HELP */
} freqs[] = {
    {"cpuinfo_cur_freq", "node_cpu_frequency_hertz", "Current cpu thread frequency in hertz."},
    {"cpuinfo_max_freq", "node_cpu_frequency_max_hertz", "Maximum cpu thread frequency in hertz."},
    {"cpuinfo_min_freq", "node_cpu_frequency_min_hertz", "Minimum cpu thread frequency in hertz."},
    {"scaling_cur_freq", "node_cpu_scaling_frequency_hertz", "Current scaled CPU thread frequency in hertz."},
    {"scaling_max_freq", "node_cpu_scaling_frequency_max_hertz", "Maximum scaled CPU thread frequency in hertz."},
    {"scaling_min_freq", "node_cpu_scaling_frequency_min_hertz", "Minimum scaled CPU thread frequency in hertz."},
};

static int
cpu(void *arg, const char *dir, const char *name)
{
    struct lm_emit *e = arg;
    const char *num = name + 3;
    if (!*num || strspn(num, "0123456789") != strlen(num))
        return 0;
    char d[4096], gov[128], avail[1024];
    snprintf(d, sizeof d, "%s/%s/cpufreq", dir, name);
    for (size_t i = 0; i < sizeof freqs / sizeof freqs[0]; i++) {
        uint64_t v;
        int rc = ne_attr_u64(d, freqs[i].file, &v);
        struct stat st;
        if (rc == LM_ENOENT && i == 0 && stat(d, &st))
            return 0;  /* no cpufreq directory (a VM): nothing below it to read */
        if (rc)
            continue;
        lm_emit_family(e, freqs[i].name, freqs[i].help, LM_TYPE_GAUGE);
        lm_emit_samplev(e, (double)v * 1000.0, "cpu", num, NULL);
    }
    if (ne_attr_str(d, "scaling_governor", gov, sizeof gov) || !gov[0] ||
        ne_attr_str(d, "scaling_available_governors", avail, sizeof avail))
        return 0;
    lm_emit_family(e, "node_cpu_scaling_governor", "Current enabled CPU frequency governor.", LM_TYPE_GAUGE);
    for (char *p = avail; *p;) {
        size_t n = strcspn(p, " \t");
        char g[128];
        snprintf(g, sizeof g, "%.*s", (int)n, p);
        if (n)
            lm_emit_samplev(e, strcmp(g, gov) == 0, "cpu", num, "governor", g, NULL);
        p += n;
        p += strspn(p, " \t");
    }
    return 0;
}

static int
cf_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    char dir[4096];
    int rc = ne_dir_each(ne_path(ctx, NE_SYSFS, "devices/system/cpu", dir, sizeof dir), "cpu", cpu, e);
    if (rc && rc != LM_ENOENT)
        return lm_err_set(err, rc, dir, "%s", lm_strerror(rc));
    return 0;
}

const struct lm_collector_desc ne_cpufreq_collector = {
    .name = "cpufreq",
    .enabled_by_default = true,
    .collect = cf_collect,
};
