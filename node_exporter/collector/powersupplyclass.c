/* SPDX-License-Identifier: Apache-2.0 */
/* powersupplyclass.c: the powersupplyclass collector: one gauge per known numeric attribute
 * of <sysfs>/class/power_supply/<supply>/ (scaled from µA/µV/µWh/µW and tenths of °C) and
 * node_power_supply_info with the non-empty string attributes as labels. An attribute that
 * reads as ENOENT/EOPNOTSUPP/ENODEV/EINVAL is skipped; another read or parse error fails
 * the scrape, as upstream's sysfs parser does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lm/alloc.h"
#include "lm/flags.h"
#include "lm/procfile.h"
#include "lm/regex.h"
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

static const struct lm_flag_desc flags[] = {
    {"collector.powersupply.ignored-supplies", "^$",
     "Regexp of power supplies to ignore for powersupplyclass collector.", false},
    {NULL, NULL, NULL, false},
};

/* numeric attributes; metric NULL: parsed (a bad value fails) but not exported */
static const struct {
    const char *file;     /* sysfs attribute */
    const char *metric;   /* suffix after node_power_supply_, or NULL */
    double div;           /* divisor applied to the raw value */
} nums[] = {
    {"authentic", "authentic", 1}, {"calibrate", "calibrate", 1},
    {"capacity", "capacity", 1}, {"capacity_alert_max", "capacity_alert_max", 1},
    {"capacity_alert_min", "capacity_alert_min", 1}, {"charge_avg", NULL, 1},
    {"charge_control_limit", "charge_control_limit", 1e6},
    {"charge_control_limit_max", "charge_control_limit_max", 1e6},
    {"charge_counter", "charge_counter", 1e6}, {"charge_empty", "charge_empty", 1e6},
    {"charge_empty_design", "charge_empty_design", 1e6}, {"charge_full", "charge_full", 1e6},
    {"charge_full_design", "charge_full_design", 1e6}, {"charge_now", "charge_ampere", 1e6},
    {"charge_term_current", "charge_term_current", 1e6},
    {"constant_charge_current", "constant_charge_current", 1e6},
    {"constant_charge_current_max", "constant_charge_current_max", 1e6},
    {"constant_charge_voltage", "constant_charge_voltage", 1e6},
    {"constant_charge_voltage_max", "constant_charge_voltage_max", 1e6},
    {"current_avg", NULL, 1}, {"current_boot", "current_boot", 1e6},
    {"current_max", "current_max", 1e6}, {"current_now", "current_ampere", 1e6},
    {"cycle_count", "cyclecount", 1}, {"energy_avg", NULL, 1},
    {"energy_empty", "energy_empty", 1e6}, {"energy_empty_design", "energy_empty_design", 1e6},
    {"energy_full", "energy_full", 1e6}, {"energy_full_design", "energy_full_design", 1e6},
    {"energy_now", "energy_watthour", 1e6}, {"input_current_limit", "input_current_limit", 1e6},
    {"online", "online", 1}, {"power_avg", NULL, 1}, {"power_now", "power_watt", 1e6},
    {"precharge_current", "precharge_current", 1e6}, {"present", "present", 1},
    {"temp", "temp_celsius", 10}, {"temp_alert_max", "temp_alert_max_celsius", 10},
    {"temp_alert_min", "temp_alert_min_celsius", 10}, {"temp_ambient", "temp_ambient_celsius", 10},
    {"temp_ambient_max", "temp_ambient_max_celsius", 10},
    {"temp_ambient_min", "temp_ambient_min_celsius", 10}, {"temp_max", "temp_max_celsius", 10},
    {"temp_min", "temp_min_celsius", 10}, {"time_to_empty_avg", NULL, 1},
    {"time_to_empty_now", "time_to_empty_seconds", 1}, {"time_to_full_avg", NULL, 1},
    {"time_to_full_now", "time_to_full_seconds", 1}, {"voltage_avg", NULL, 1},
    {"voltage_boot", "voltage_boot", 1e6}, {"voltage_max", "voltage_max", 1e6},
    {"voltage_max_design", "voltage_max_design", 1e6}, {"voltage_min", "voltage_min", 1e6},
    {"voltage_min_design", "voltage_min_design", 1e6}, {"voltage_now", "voltage_volt", 1e6},
    {"voltage_ocv", "voltage_ocv", 1e6},
};
#define NNUMS (sizeof nums / sizeof nums[0])

/* string attributes, exported as labels of node_power_supply_info */
static const char *const strs[] = {
    "capacity_level", "charge_type", "health", "manufacturer", "model_name", "scope",
    "serial_number", "status", "technology", "type", "usb_type",
};
#define NSTRS (sizeof strs / sizeof strs[0])

/* One supply's values while its directory is read. */
struct supply {
    bool has[NNUMS];           /* nums[i] was read */
    long long val[NNUMS];      /* its raw value */
    char str[NSTRS][256];      /* strs[i], "" when absent */
    struct lm_err *err;        /* where a hard error goes */
};

struct psc_walk {
    struct lm_regex *ignored;  /* --collector.powersupply.ignored-supplies */
    struct lm_emit *e;         /* output */
    struct lm_err *err;        /* collect's error */
};

static int
attr(void *arg, const char *dir, const char *name)
{
    struct supply *s = arg;
    char p[4096], v[256];
    struct stat st;
    if (lstat(ne_join(p, sizeof p, dir, name), &st) || !S_ISREG(st.st_mode))
        return 0;
    int rc = ne_attr_str(dir, name, v, sizeof v);
    if (rc == LM_EIO && (errno == EOPNOTSUPP || errno == ENODEV || errno == EINVAL))
        return 0;
    if (rc == LM_ENOENT)
        return 0;
    if (rc)
        return lm_err_set(s->err, rc, p, "failed to read file: %s", lm_strerror(rc));
    for (size_t i = 0; i < NSTRS; i++)
        if (!strcmp(name, strs[i])) {
            snprintf(s->str[i], sizeof s->str[i], "%s", v);
            return 0;
        }
    for (size_t i = 0; i < NNUMS; i++) {
        if (strcmp(name, nums[i].file))
            continue;
        char *end;
        errno = 0;
        s->val[i] = strtoll(v, &end, 0);
        if (end == v || *end || errno)
            return lm_err_set(s->err, LM_EPARSE, p, "invalid integer \"%s\"", v);
        s->has[i] = true;
        return 0;
    }
    return 0;
}

static int
supply(void *arg, const char *dir, const char *name)
{
    struct psc_walk *w = arg;
    char d[4096];
    struct stat st;
    if (w->ignored && lm_regex_match(w->ignored, name, SIZE_MAX))
        return 0;
    if (stat(ne_join(d, sizeof d, dir, name), &st) || !S_ISDIR(st.st_mode))
        return 0;
    struct supply *s = lm_emit_alloc(w->e, sizeof *s);
    if (!s)
        return lm_err_set(w->err, LM_ENOMEM, d, "out of memory");
    s->err = w->err;
    int rc = ne_dir_each(d, NULL, attr, s);
    if (rc == LM_ENOENT && w->err->code != rc)
        return 0;  /* removed while we walked */
    if (rc) {
        if (w->err->code != rc)
            lm_err_set(w->err, rc, d, "%s", lm_strerror(rc));
        return rc;
    }
    for (size_t i = 0; i < NNUMS; i++) {
        char m[96], help[128];
        if (!s->has[i] || !nums[i].metric)
            continue;
        snprintf(m, sizeof m, "node_power_supply_%s", nums[i].metric);
        snprintf(help, sizeof help, "%s value of /sys/class/power_supply/<power_supply>.",
                 nums[i].metric);
        lm_emit_family(w->e, m, help, LM_TYPE_GAUGE);
        lm_emit_samplev(w->e, (double)s->val[i] / nums[i].div, "power_supply", name, NULL);
    }
    struct lm_label l[NSTRS + 1];
    size_t n = 0;
    l[n++] = (struct lm_label){"power_supply", name};
    for (size_t i = 0; i < NSTRS; i++)
        if (s->str[i][0])
            l[n++] = (struct lm_label){strs[i], s->str[i]};
    lm_emit_family(w->e, "node_power_supply_info",
                   "info of /sys/class/power_supply/<power_supply>.", LM_TYPE_GAUGE);
    lm_emit_sample(w->e, l, n, 1);
    return 0;
}

static int
psc_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    const char *pat = ctx->flags ? lm_flags_get(ctx->flags, "collector.powersupply.ignored-supplies")
                                 : "^$";
    struct lm_err e = {0};
    struct lm_regex *re = NULL;
    if (pat && *pat && !(re = lm_regex_new(pat, false, &e)))
        return lm_err_set(err, LM_ECONFIG, "--collector.powersupply.ignored-supplies", "%s",
                          e.msg);
    *state = re;
    return 0;
}

static void
psc_fini(void *state)
{
    lm_regex_free(state);
}

static int
psc_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    char dir[4096];
    struct psc_walk w = {state, e, err};
    int rc = ne_dir_each(ne_path(ctx, NE_SYSFS, "class/power_supply", dir, sizeof dir), NULL,
                         supply, &w);
    if (rc == LM_ENOENT)
        return lm_err_set(err, LM_ENODATA, dir, "no power_supply class");
    if (rc && err->code != rc)
        return lm_err_set(err, rc, dir, "could not get power_supply class info: %s",
                          lm_strerror(rc));
    return rc;
}

const struct lm_collector_desc ne_powersupplyclass_collector = {
    .name = "powersupplyclass",
    .enabled_by_default = true,
    .flags = flags,
    .init = psc_init,
    .collect = psc_collect,
    .fini = psc_fini,
};
