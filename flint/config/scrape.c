/* SPDX-License-Identifier: Apache-2.0 */
/* scrape.c: one scrape_configs entry (Prometheus config.ScrapeConfig): its own keys,
 * the inlined HTTP client and service discovery keys, relabeling, defaults and the
 * per-job validation. Inheritance from global and cross-job checks are in load.c. */
#include "flint/config/cfg_int.h"

#include <string.h>

#include "lm/alloc.h"

#define TYPE "config.ScrapeConfig"

static void
params_free(struct cfg_param *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++) {
        lm_free(p[i].name);
        cfg_strv_free(p[i].values, p[i].nvalues);
    }
    lm_free(p);
}

void
cfg_scrape_free_(struct cfg_scrape *s)
{
    lm_free(s->job_name);
    lm_free(s->metrics_path);
    lm_free(s->scheme);
    params_free(s->params, s->nparams);
    cfg_http_free_(&s->http);
    cfg_sd_free_(&s->sd);
    cfg_relabel_list_free_(s->relabel, s->nrelabel);
    cfg_relabel_list_free_(s->metric_relabel, s->nmetric_relabel);
    memset(s, 0, sizeof *s);
}

static int
parse_params(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_scrape *s)
{
    struct cfg_y *y = &x->y;
    int rc = cfg_y_map(y, n, "url.Values", true);
    if (rc)
        return rc;
    params_free(s->params, s->nparams);
    s->params = NULL;
    s->nparams = 0;
    if (cfg_y_is_null(n))
        return 0;
    size_t cnt = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (!cnt)
        return 0;
    if (!(s->params = lm_calloc(cnt, sizeof *s->params)))
        return cfg_oom_(x);
    yaml_node_t *k, *v;
    const char *key;
    CFG_Y_FOR_PAIRS(y, n, k, v, key) {
        struct cfg_param *p = &s->params[s->nparams++];
        if (!(p->name = lm_strdup(key)))
            return cfg_oom_(x);
        if ((rc = cfg_y_strlist(y, v, key, &p->values, &p->nvalues)))
            return rc;
    }
    return 0;
}

/* check_static_targets: Prometheus rejects URLs as targets when nothing relabels them. */
static int
check_static_targets(struct cfg_ctx *x, const yaml_node_t *n, const struct cfg_sd *sd)
{
    for (size_t i = 0; i < sd->nstatics; i++)
        for (size_t j = 0; j < sd->statics[i].ntargets; j++)
            if (strchr(sd->statics[i].targets[j], '/'))
                return cfg_y_fail(&x->y, n, "\"%s\" is not a valid hostname",
                                  sd->statics[i].targets[j]);
    return 0;
}

int
cfg_scrape_parse_(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_scrape *s)
{
    struct cfg_y *y = &x->y;
    s->honor_timestamps = true;
    cfg_http_defaults_(&s->http);
    if (!(s->metrics_path = lm_strdup("/metrics")) || !(s->scheme = lm_strdup("http")))
        return cfg_oom_(x);
    if (cfg_y_is_null(n))
        return cfg_y_fail(y, n, "empty or null scrape config section");
    int rc = cfg_y_map(y, n, TYPE, false);
    if (rc)
        return rc;
    const yaml_node_t *scheme_node = n;
    yaml_node_t *k, *v;
    const char *key;
    CFG_Y_FOR_PAIRS(y, n, k, v, key) {
        if (!strcmp(key, "job_name"))
            rc = cfg_y_str(y, v, key, &s->job_name);
        else if (!strcmp(key, "honor_labels"))
            rc = cfg_y_bool(y, v, key, &s->honor_labels);
        else if (!strcmp(key, "honor_timestamps"))
            rc = cfg_y_bool(y, v, key, &s->honor_timestamps);
        else if (!strcmp(key, "params"))
            rc = parse_params(x, v, s);
        else if (!strcmp(key, "scrape_interval"))
            rc = cfg_y_duration(y, v, key, &s->scrape_interval_ms);
        else if (!strcmp(key, "scrape_timeout"))
            rc = cfg_y_duration(y, v, key, &s->scrape_timeout_ms);
        else if (!strcmp(key, "metrics_path"))
            rc = cfg_y_str(y, v, key, &s->metrics_path);
        else if (!strcmp(key, "scheme") && (scheme_node = v))
            rc = cfg_y_str(y, v, key, &s->scheme);
        else if (!strcmp(key, "body_size_limit"))
            rc = cfg_y_size(y, v, key, &s->body_size_limit);
        else if (!strcmp(key, "sample_limit"))
            rc = cfg_y_u64(y, v, key, &s->sample_limit);
        else if (!strcmp(key, "target_limit"))
            rc = cfg_y_u64(y, v, key, &s->target_limit);
        else if (!strcmp(key, "label_limit"))
            rc = cfg_y_u64(y, v, key, &s->label_limit);
        else if (!strcmp(key, "label_name_length_limit"))
            rc = cfg_y_u64(y, v, key, &s->label_name_length_limit);
        else if (!strcmp(key, "label_value_length_limit"))
            rc = cfg_y_u64(y, v, key, &s->label_value_length_limit);
        else if (!strcmp(key, "relabel_configs"))
            rc = cfg_relabel_list_(x, v, key, &s->relabel, &s->nrelabel);
        else if (!strcmp(key, "metric_relabel_configs"))
            rc = cfg_relabel_list_(x, v, key, &s->metric_relabel, &s->nmetric_relabel);
        else if ((rc = cfg_http_key_(x, key, v, &s->http)) == 1 &&
                 (rc = cfg_sd_key_(x, k, v, &s->sd)) == 1)
            rc = cfg_y_unknown(y, k, TYPE);
        if (rc)
            return rc;
    }
    if (!s->job_name || !*s->job_name)
        return cfg_y_fail(y, n, "job_name is empty");
    if (!s->metrics_path && !(s->metrics_path = lm_strdup("")))
        return cfg_oom_(x);
    /* Prometheus 2.42 accepts any scheme (targets then fail): warn, do not refuse */
    if (!s->scheme && !(s->scheme = lm_strdup("")))
        return cfg_oom_(x);
    if (strcmp(s->scheme, "http") && strcmp(s->scheme, "https") &&
        (rc = cfg_warn_(x, scheme_node, "scheme \"%s\" of job \"%s\" is neither http nor "
                        "https: its targets will fail", s->scheme, s->job_name)))
        return rc;
    if ((rc = cfg_http_validate_(x, n, &s->http)))
        return rc;
    if (!s->nrelabel && (rc = check_static_targets(x, n, &s->sd)))
        return rc;
    return 0;
}

static bool
params_eq(const struct cfg_scrape *a, const struct cfg_scrape *b)
{
    if (a->nparams != b->nparams)
        return false;
    for (size_t i = 0; i < a->nparams; i++)
        if (!cfg_streq_(a->params[i].name, b->params[i].name) ||
            !cfg_strv_eq_(a->params[i].values, a->params[i].nvalues, b->params[i].values,
                          b->params[i].nvalues))
            return false;
    return true;
}

bool
cfg_scrape_eq(const struct cfg_scrape *a, const struct cfg_scrape *b)
{
    return cfg_streq_(a->job_name, b->job_name) &&
           a->scrape_interval_ms == b->scrape_interval_ms &&
           a->scrape_timeout_ms == b->scrape_timeout_ms &&
           cfg_streq_(a->metrics_path, b->metrics_path) && cfg_streq_(a->scheme, b->scheme) &&
           params_eq(a, b) && a->honor_labels == b->honor_labels &&
           a->honor_timestamps == b->honor_timestamps &&
           a->body_size_limit == b->body_size_limit && a->sample_limit == b->sample_limit &&
           a->target_limit == b->target_limit && a->label_limit == b->label_limit &&
           a->label_name_length_limit == b->label_name_length_limit &&
           a->label_value_length_limit == b->label_value_length_limit &&
           cfg_http_eq_(&a->http, &b->http) && cfg_sd_eq(&a->sd, &b->sd) &&
           cfg_relabel_list_eq_(a->relabel, a->nrelabel, b->relabel, b->nrelabel) &&
           cfg_relabel_list_eq_(a->metric_relabel, a->nmetric_relabel, b->metric_relabel,
                                b->nmetric_relabel);
}
