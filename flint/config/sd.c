/* SPDX-License-Identifier: Apache-2.0 */
/* sd.c: the service discovery sections inlined in scrape and Alertmanager configs:
 * static_configs and file_sd_configs are read (and later run by flint/discovery); the
 * other *_sd_configs of Prometheus 2.42 are accepted with a warning and ignored. */
#include "flint/config/cfg_int.h"

#include <string.h>

#include "lm/alloc.h"

static const char *const other_sds[] = {
    "azure_sd_configs",     "consul_sd_configs",     "digitalocean_sd_configs",
    "docker_sd_configs",    "dockerswarm_sd_configs", "dns_sd_configs",
    "ec2_sd_configs",       "eureka_sd_configs",     "gce_sd_configs",
    "hetzner_sd_configs",   "http_sd_configs",       "ionos_sd_configs",
    "kubernetes_sd_configs", "kuma_sd_configs",      "lightsail_sd_configs",
    "linode_sd_configs",    "marathon_sd_configs",   "nerve_sd_configs",
    "nomad_sd_configs",     "openstack_sd_configs",  "ovhcloud_sd_configs",
    "puppetdb_sd_configs",  "scaleway_sd_configs",   "serverset_sd_configs",
    "triton_sd_configs",    "uyuni_sd_configs",      "vultr_sd_configs",
    NULL,
};

static void
static_free(struct cfg_static *s)
{
    cfg_strv_free(s->targets, s->ntargets);
    lbl_set_free(&s->labels);
}

static void
file_sd_free(struct cfg_file_sd *f)
{
    cfg_strv_free(f->files, f->nfiles);
}

void
cfg_sd_free_(struct cfg_sd *sd)
{
    for (size_t i = 0; i < sd->nstatics; i++)
        static_free(&sd->statics[i]);
    lm_free(sd->statics);
    for (size_t i = 0; i < sd->nfile_sds; i++)
        file_sd_free(&sd->file_sds[i]);
    lm_free(sd->file_sds);
    memset(sd, 0, sizeof *sd);
}

static int
parse_static(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_static *s)
{
    struct cfg_y *y = &x->y;
    if (cfg_y_is_null(n))
        return cfg_y_fail(y, n, "empty or null section in static_configs");
    int rc = cfg_y_map(y, n, "targetgroup.Group", false);
    if (rc)
        return rc;
    yaml_node_t *k, *v;
    const char *key;
    CFG_Y_FOR_PAIRS(y, n, k, v, key) {
        if (!strcmp(key, "targets"))
            rc = cfg_y_strlist(y, v, key, &s->targets, &s->ntargets);
        else if (!strcmp(key, "labels"))
            rc = cfg_y_labels(y, v, key, &s->labels);
        else
            rc = cfg_y_unknown(y, k, "targetgroup.Group");
        if (rc)
            return rc;
    }
    return 0;
}

/* file_pattern_ok: Prometheus's ^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$ */
static bool
file_pattern_ok(const char *p)
{
    static const char *const exts[] = {".json", ".yml", ".yaml", ".JSON", ".YML", ".YAML"};
    const char *star = strchr(p, '*');
    if (star && strchr(star + 1, '/'))
        return false;
    size_t l = strlen(p);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t el = strlen(exts[i]);
        /* with a star, the extension must come after it */
        if (l >= el && !strcmp(p + l - el, exts[i]) && (!star || star < p + l - el))
            return true;
    }
    return false;
}

static int
parse_file_sd(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_file_sd *f)
{
    struct cfg_y *y = &x->y;
    f->refresh_ms = CFG_DEFAULT_FILE_SD_REFRESH_MS;
    int rc = cfg_y_map(y, n, "file.SDConfig", true);
    if (rc)
        return rc;
    if (!cfg_y_is_null(n)) {
        yaml_node_t *k, *v;
        const char *key;
        CFG_Y_FOR_PAIRS(y, n, k, v, key) {
            if (!strcmp(key, "files"))
                rc = cfg_y_strlist(y, v, key, &f->files, &f->nfiles);
            else if (!strcmp(key, "refresh_interval"))
                rc = cfg_y_duration(y, v, key, &f->refresh_ms);
            else
                rc = cfg_y_unknown(y, k, "file.SDConfig");
            if (rc)
                return rc;
        }
    }
    if (!f->nfiles)
        return cfg_y_fail(y, n, "file service discovery config must contain at least one "
                          "path name");
    for (size_t i = 0; i < f->nfiles; i++) {
        if (!file_pattern_ok(f->files[i]))
            return cfg_y_fail(y, n, "path name \"%s\" is not valid for file discovery",
                              f->files[i]);
        if ((rc = cfg_path_(x, &f->files[i])))
            return rc;
    }
    return 0;
}

/* grow: make room for cnt more elements of size sz in *arr holding *n. */
static int
grow(struct cfg_ctx *x, void **arr, size_t n, size_t cnt, size_t sz)
{
    void *p = lm_realloc(*arr, (n + cnt) * sz);
    if (!p)
        return cfg_oom_(x);
    memset((char *)p + n * sz, 0, cnt * sz);
    *arr = p;
    return 0;
}

int
cfg_sd_key_(struct cfg_ctx *x, const yaml_node_t *k, const yaml_node_t *v, struct cfg_sd *sd)
{
    const char *key = (const char *)k->data.scalar.value;
    size_t cnt;
    int rc;
    yaml_node_t *it;
    size_t i;
    if (!strcmp(key, "static_configs")) {
        if ((rc = cfg_y_seq(&x->y, v, key, &cnt)) || !cnt)
            return rc;
        if ((rc = grow(x, (void **)&sd->statics, sd->nstatics, cnt, sizeof *sd->statics)))
            return rc;
        size_t base = sd->nstatics;
        sd->nstatics += cnt;
        CFG_Y_FOR_ITEMS(&x->y, v, it, i) {
            if ((rc = parse_static(x, it, &sd->statics[base + i])))
                return rc;
        }
        return 0;
    }
    if (!strcmp(key, "file_sd_configs")) {
        if ((rc = cfg_y_seq(&x->y, v, key, &cnt)) || !cnt)
            return rc;
        if ((rc = grow(x, (void **)&sd->file_sds, sd->nfile_sds, cnt, sizeof *sd->file_sds)))
            return rc;
        size_t base = sd->nfile_sds;
        sd->nfile_sds += cnt;
        CFG_Y_FOR_ITEMS(&x->y, v, it, i) {
            if ((rc = parse_file_sd(x, it, &sd->file_sds[base + i])))
                return rc;
        }
        return 0;
    }
    for (size_t j = 0; other_sds[j]; j++)
        if (!strcmp(key, other_sds[j])) {
            if ((rc = cfg_y_seq(&x->y, v, key, &cnt)))
                return rc;
            return cfg_warn_(x, k, "%s are not supported by flint yet (ignored)", key);
        }
    return 1;
}

static bool
static_eq(const struct cfg_static *a, const struct cfg_static *b)
{
    return cfg_strv_eq_(a->targets, a->ntargets, b->targets, b->ntargets) &&
           lbl_set_eq(&a->labels, &b->labels);
}

bool
cfg_sd_eq(const struct cfg_sd *a, const struct cfg_sd *b)
{
    if (a->nstatics != b->nstatics || a->nfile_sds != b->nfile_sds)
        return false;
    for (size_t i = 0; i < a->nstatics; i++)
        if (!static_eq(&a->statics[i], &b->statics[i]))
            return false;
    for (size_t i = 0; i < a->nfile_sds; i++)
        if (a->file_sds[i].refresh_ms != b->file_sds[i].refresh_ms ||
            !cfg_strv_eq_(a->file_sds[i].files, a->file_sds[i].nfiles, b->file_sds[i].files,
                          b->file_sds[i].nfiles))
            return false;
    return true;
}
