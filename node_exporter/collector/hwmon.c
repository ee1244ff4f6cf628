/* SPDX-License-Identifier: Apache-2.0 */
/* hwmon.c: the hwmon collector: every <type><n>_<item> attribute of each chip under
 * <sysfs>/class/hwmon (and its device/ directory), scaled to base units (milli-degree C,
 * mV, mA -> 1; uW, uJ -> 1), plus node_hwmon_chip_names and node_hwmon_sensor_label.
 * Chips are named from their resolved device link ("platform_coretemp_0"), else from the
 * name file, else from the hwmonN directory. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lm/alloc.h"
#include "lm/flags.h"
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

static const struct lm_flag_desc flags[] = {
    {"collector.hwmon.chip-include", NULL,
     "Regexp of hwmon chip to include (mutually exclusive to device-exclude).", false},
    {"collector.hwmon.chip-exclude", NULL,
     "Regexp of hwmon chip to exclude (mutually exclusive to device-include).", false},
    {NULL, NULL, NULL, false},
};

static const char *const sensor_types[] = {
    "vrm", "beep_enable", "update_interval", "in", "cpu", "fan", "pwm", "temp", "curr",
    "power", "energy", "humidity", "intrusion", NULL,
};

/* One sensor attribute: sensor "temp1", its type "temp", property "input" and value. */
struct hw_ent {
    char sensor[64];   /* type + number */
    char type[32];     /* sensor type */
    char prop[64];     /* property after '_', may be "" */
    char val[256];     /* file contents, newline trimmed */
};

struct hw_chip {
    struct hw_ent *ents;   /* lm_realloc'ed */
    size_t n, cap;         /* used, allocated */
};

struct walk {
    struct ne_filter *filter;  /* chip include/exclude */
    struct lm_emit *e;         /* output */
    int rc;                    /* first error (ENOMEM) */
};

/* Splits "<type><digits>[_<prop>]"; type is everything before the first digit. */
static bool
explode(const char *f, char *type, size_t tn, int *num, const char **prop)
{
    size_t t = strcspn(f, "0123456789");
    if (t == 0 || t >= tn)
        return false;
    memcpy(type, f, t);
    type[t] = '\0';
    const char *p = f + t;
    *num = 0;
    while (*p >= '0' && *p <= '9')
        *num = *num * 10 + (*p++ - '0');
    if (*p == '\0') {
        *prop = "";
        return true;
    }
    if (*p != '_' || !p[1])
        return false;
    *prop = p + 1;
    return true;
}

static int
add_file(void *arg, const char *dir, const char *name)
{
    struct hw_chip *c = arg;
    char type[32];
    int num;
    const char *prop;
    if (!explode(name, type, sizeof type, &num, &prop))
        return 0;
    bool known = false;
    for (int i = 0; sensor_types[i] && !known; i++)
        known = !strcmp(sensor_types[i], type);
    if (!known)
        return 0;
    char val[256], sensor[64];
    if (ne_attr_str(dir, name, val, sizeof val))
        return 0;
    snprintf(sensor, sizeof sensor, "%s%d", type, num);
    struct hw_ent *ent = NULL;
    for (size_t i = 0; i < c->n && !ent; i++)
        if (!strcmp(c->ents[i].sensor, sensor) && !strcmp(c->ents[i].prop, prop))
            ent = &c->ents[i];
    if (!ent) {
        if (c->n == c->cap) {
            size_t nc = c->cap ? c->cap * 2 : 32;
            struct hw_ent *ne = lm_realloc(c->ents, nc * sizeof *ne);
            if (!ne)
                return LM_ENOMEM;
            c->ents = ne;
            c->cap = nc;
        }
        ent = &c->ents[c->n++];
        snprintf(ent->sensor, sizeof ent->sensor, "%s", sensor);
        snprintf(ent->type, sizeof ent->type, "%s", type);
        snprintf(ent->prop, sizeof ent->prop, "%s", prop);
    }
    snprintf(ent->val, sizeof ent->val, "%s", val);
    return 0;
}

/* chip_name: the stable chip label (see the file comment). */
static void
chip_name(const char *dir, char *out, size_t n)
{
    char link[4096], real[PATH_MAX], raw[256];
    ne_join(link, sizeof link, dir, "device");
    if (realpath(link, real)) {
        char *slash = strrchr(real, '/'), dev[256], typ[256];
        if (slash && slash != real) {
            *slash = '\0';
            char *ps = strrchr(real, '/');
            ne_clean_name(slash + 1, dev, sizeof dev);
            ne_clean_name(ps ? ps + 1 : real, typ, sizeof typ);
            if (*typ && *dev) {
                snprintf(out, n, "%s_%s", typ, dev);
                return;
            }
            if (*dev) {
                snprintf(out, n, "%s", dev);
                return;
            }
        }
    }
    if (ne_attr_str(dir, "name", raw, sizeof raw) == 0 && *ne_clean_name(raw, out, n))
        return;
    const char *base = strrchr(dir, '/');
    ne_clean_name(base ? base + 1 : dir, out, n);
}

static void
emit(struct lm_emit *e, const char *name, const char *help, enum lm_type t, double v,
     const char *chip, const char *sensor)
{
    lm_emit_family(e, name, help, t);
    lm_emit_samplev(e, v, "chip", chip, "sensor", sensor, NULL);
}

/* One attribute, following upstream's unit rules. */
static void
emit_ent(struct lm_emit *e, const struct hw_chip *c, const struct hw_ent *x, const char *chip)
{
    char name[192], help[256], el[64];
    double v;
    const char *t = x->type, *p = x->prop;
    if (!strcmp(p, "label"))
        return;
    if (!strcmp(t, "beep_enable")) {
        emit(e, "node_hwmon_beep_enabled", "Hardware beep enabled", LM_TYPE_GAUGE,
             !strcmp(x->val, "1"), chip, x->sensor);
        return;
    }
    if (lm_parse_double(x->val, &v))
        return;
    if (!strcmp(t, "vrm")) {
        emit(e, "node_hwmon_voltage_regulator_version", "Hardware voltage regulator", LM_TYPE_GAUGE, v, chip, x->sensor);
        return;
    }
    if (!strcmp(t, "update_interval")) {
        emit(e, "node_hwmon_update_interval_seconds", "Hardware monitor update interval", LM_TYPE_GAUGE, v * 0.001, chip, x->sensor);
        return;
    }
    int k = snprintf(name, sizeof name, "node_hwmon_%s", t);
    if (!strcmp(p, "input")) {
        for (size_t i = 0; i < c->n; i++)
            if (!strcmp(c->ents[i].sensor, x->sensor) && !c->ents[i].prop[0])
                snprintf(name + k, sizeof name - (size_t)k, "_input");
    } else if (*p) {
        snprintf(name + k, sizeof name - (size_t)k, "_%s", ne_clean_name(p, el, sizeof el));
    }
    size_t nl = strlen(name);
    char *suf = name + nl;
    size_t sn = sizeof name - nl;
    const char *elem = p;
    double scale = 1;
    enum lm_type type = LM_TYPE_GAUGE;
    if (!strcmp(p, "fault") || !strcmp(p, "alarm")) {
        snprintf(help, sizeof help, "Hardware sensor %s status (%s)", p, t);
    } else if (!strcmp(p, "beep")) {
        snprintf(suf, sn, "_enabled");
        snprintf(help, sizeof help, "Hardware monitor sensor has beeping enabled");
    } else if (!strcmp(t, "in") || !strcmp(t, "cpu")) {
        snprintf(suf, sn, "_volts");
        snprintf(help, sizeof help, "Hardware monitor for voltage (%s)", elem);
        scale = 0.001;
    } else if (!strcmp(t, "temp") && strcmp(p, "type") != 0) {
        snprintf(suf, sn, "_celsius");
        snprintf(help, sizeof help, "Hardware monitor for temperature (%s)", *elem ? elem : "input");
        scale = 0.001;
    } else if (!strcmp(t, "curr")) {
        snprintf(suf, sn, "_amps");
        snprintf(help, sizeof help, "Hardware monitor for current (%s)", elem);
        scale = 0.001;
    } else if (!strcmp(t, "energy")) {
        snprintf(suf, sn, "_joule_total");
        snprintf(help, sizeof help, "Hardware monitor for joules used so far (%s)", elem);
        scale = 1e-6;
        type = LM_TYPE_COUNTER;
    } else if (!strcmp(t, "power") && !strcmp(p, "accuracy")) {
        snprintf(help, sizeof help, "Hardware monitor power meter accuracy, as a ratio");
        scale = 1e-6;
    } else if (!strcmp(t, "power") && !strncmp(p, "average_interval", 16) &&
               (!p[16] || !strcmp(p + 16, "_min") || !strcmp(p + 16, "_max"))) {
        snprintf(suf, sn, "_seconds");
        snprintf(help, sizeof help, "Hardware monitor power usage update interval (%s)", elem);
        scale = 0.001;
    } else if (!strcmp(t, "power")) {
        snprintf(suf, sn, "_watt");
        snprintf(help, sizeof help, "Hardware monitor for power usage in watts (%s)", elem);
        scale = 1e-6;
    } else if (!strcmp(t, "humidity")) {
        snprintf(help, sizeof help, "Hardware monitor for humidity, as a ratio (multiply with "
                 "100.0 to get the humidity as a percentage) (%s)", elem);
        scale = 1e-6;
    } else if (!strcmp(t, "fan") && (!strcmp(p, "input") || !strcmp(p, "min") ||
                                     !strcmp(p, "max") || !strcmp(p, "target"))) {
        snprintf(suf, sn, "_rpm");
        snprintf(help, sizeof help, "Hardware monitor for fan revolutions per minute (%s)", elem);
    } else {
        snprintf(help, sizeof help, "Hardware monitor %s element %s", t, elem);
    }
    emit(e, name, help, type, v * scale, chip, x->sensor);
}

static int
chip(void *arg, const char *dir, const char *entry)
{
    struct walk *w = arg;
    char d[4096], cname[600], sub[4200], raw[256], hname[256];
    struct stat st;
    snprintf(d, sizeof d, "%s/%s", dir, entry);
    if (stat(d, &st) || !S_ISDIR(st.st_mode))
        return 0;
    chip_name(d, cname, sizeof cname);
    if (ne_filter_ignored(w->filter, cname))
        return 0;
    struct hw_chip c = {0};
    int rc = ne_dir_each(d, NULL, add_file, &c);
    snprintf(sub, sizeof sub, "%s/device", d);
    if (rc != LM_ENOMEM && stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
        rc = ne_dir_each(sub, NULL, add_file, &c);
    if (rc == LM_ENOMEM) {
        lm_free(c.ents);
        w->rc = rc;
        return rc;
    }
    if (ne_attr_str(d, "name", raw, sizeof raw) == 0 && *ne_clean_name(raw, hname, sizeof hname)) {
        lm_emit_family(w->e, "node_hwmon_chip_names", "Annotation metric for human-readable chip names", LM_TYPE_GAUGE);
        lm_emit_samplev(w->e, 1, "chip", cname, "chip_name", hname, NULL);
    }
    for (size_t i = 0; i < c.n; i++) {
        if (!strcmp(c.ents[i].prop, "label")) {
            lm_emit_family(w->e, "node_hwmon_sensor_label", "Label for given chip and sensor", LM_TYPE_GAUGE);
            lm_emit_samplev(w->e, 1, "chip", cname, "label", c.ents[i].val, "sensor", c.ents[i].sensor, NULL);
        }
        emit_ent(w->e, &c, &c.ents[i], cname);
    }
    lm_free(c.ents);
    return 0;
}

static int
hw_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    const struct lm_flags *f = ctx->flags;
    const char *inc = f ? lm_flags_get(f, "collector.hwmon.chip-include") : NULL;
    const char *exc = f ? lm_flags_get(f, "collector.hwmon.chip-exclude") : NULL;
    struct ne_filter *s = lm_calloc(1, sizeof *s);
    if (!s)
        return lm_err_set(err, LM_ENOMEM, "hwmon", "out of memory");
    int rc = ne_filter_init(s, exc, inc, "collector.hwmon", err);
    if (rc) {
        lm_free(s);
        return rc;
    }
    *state = s;
    return 0;
}

static void
hw_fini(void *state)
{
    if (state)
        ne_filter_cleanup(state);
    lm_free(state);
}

static int
hw_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    char dir[4096];
    struct walk w = {state, e, 0};
    int rc = ne_dir_each(ne_path(ctx, NE_SYSFS, "class/hwmon", dir, sizeof dir), NULL, chip, &w);
    if (rc == LM_ENOENT)
        return lm_err_set(err, LM_ENODATA, dir, "hwmon collector metrics are not available for this system");
    if (rc)
        return lm_err_set(err, rc, dir, "%s", lm_strerror(rc));
    return 0;
}

const struct lm_collector_desc ne_hwmon_collector = {
    .name = "hwmon",
    .enabled_by_default = true,
    .flags = flags,
    .init = hw_init,
    .collect = hw_collect,
    .fini = hw_fini,
};
