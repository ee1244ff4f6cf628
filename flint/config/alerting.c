/* SPDX-License-Identifier: Apache-2.0 */
/* alerting.c: the alerting section (config.AlertingConfig): alert_relabel_configs and
 * the alertmanagers list with their HTTP client, service discovery, path and timeout.
 * Parsed and validated now, used by the notifier later. */
#include "flint/config/cfg_int.h"

#include <string.h>

#include "lm/alloc.h"

static void
am_free(struct cfg_alertmanager *am)
{
    lm_free(am->scheme);
    lm_free(am->path_prefix);
    lm_free(am->api_version);
    cfg_http_free_(&am->http);
    cfg_sd_free_(&am->sd);
    cfg_relabel_list_free_(am->relabel, am->nrelabel);
}

void
cfg_alerting_free_(struct cfg_alerting *a)
{
    cfg_relabel_list_free_(a->alert_relabel, a->nalert_relabel);
    for (size_t i = 0; i < a->nams; i++)
        am_free(&a->ams[i]);
    lm_free(a->ams);
    memset(a, 0, sizeof *a);
}

static int
parse_am(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_alertmanager *am)
{
    struct cfg_y *y = &x->y;
    cfg_http_defaults_(&am->http);
    am->timeout_ms = CFG_DEFAULT_AM_TIMEOUT_MS;
    if (!(am->scheme = lm_strdup("http")) || !(am->path_prefix = lm_strdup("/")) ||
        !(am->api_version = lm_strdup("v2")))
        return cfg_oom_(x);
    int rc = cfg_y_map(y, n, "config.AlertmanagerConfig", false);
    if (rc)
        return rc;
    yaml_node_t *k, *v;
    const char *key;
    CFG_Y_FOR_PAIRS(y, n, k, v, key) {
        if (!strcmp(key, "scheme"))
            rc = cfg_y_str(y, v, key, &am->scheme);
        else if (!strcmp(key, "path_prefix"))
            rc = cfg_y_str(y, v, key, &am->path_prefix);
        else if (!strcmp(key, "timeout"))
            rc = cfg_y_duration(y, v, key, &am->timeout_ms);
        else if (!strcmp(key, "api_version")) {
            rc = cfg_y_str(y, v, key, &am->api_version);
            if (!rc && (!am->api_version || (strcmp(am->api_version, "v1") &&
                                             strcmp(am->api_version, "v2"))))
                rc = cfg_y_fail(y, v, "expected Alertmanager api version to be one of "
                                "[v1 v2] but got %s", am->api_version ? am->api_version : "");
        } else if (!strcmp(key, "relabel_configs"))
            rc = cfg_relabel_list_(x, v, key, &am->relabel, &am->nrelabel);
        else if ((rc = cfg_http_key_(x, key, v, &am->http)) == 1 &&
                 (rc = cfg_sd_key_(x, k, v, &am->sd)) == 1)
            rc = cfg_y_unknown(y, k, "config.AlertmanagerConfig");
        if (rc)
            return rc;
    }
    if ((rc = cfg_http_validate_(x, n, &am->http)))
        return rc;
    if (!am->nrelabel)
        for (size_t i = 0; i < am->sd.nstatics; i++)
            for (size_t j = 0; j < am->sd.statics[i].ntargets; j++)
                if (strchr(am->sd.statics[i].targets[j], '/'))
                    return cfg_y_fail(y, n, "\"%s\" is not a valid hostname",
                                      am->sd.statics[i].targets[j]);
    return 0;
}

int
cfg_alerting_parse_(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_alerting *a)
{
    struct cfg_y *y = &x->y;
    int rc = cfg_y_map(y, n, "config.AlertingConfig", true);
    if (rc || cfg_y_is_null(n))
        return rc;
    yaml_node_t *k, *v, *it;
    const char *key;
    size_t cnt, i;
    CFG_Y_FOR_PAIRS(y, n, k, v, key) {
        if (!strcmp(key, "alert_relabel_configs")) {
            rc = cfg_relabel_list_(x, v, key, &a->alert_relabel, &a->nalert_relabel);
        } else if (!strcmp(key, "alertmanagers")) {
            if (!(rc = cfg_y_seq(y, v, key, &cnt)) && cnt) {
                for (size_t j = 0; j < a->nams; j++)
                    am_free(&a->ams[j]);
                lm_free(a->ams);
                a->nams = 0;
                if (!(a->ams = lm_calloc(cnt, sizeof *a->ams)))
                    return cfg_oom_(x);
                a->nams = cnt;
                CFG_Y_FOR_ITEMS(y, v, it, i) {
                    if ((rc = parse_am(x, it, &a->ams[i])))
                        break;
                }
            }
        } else {
            rc = cfg_y_unknown(y, k, "config.AlertingConfig");
        }
        if (rc)
            return rc;
    }
    return 0;
}
