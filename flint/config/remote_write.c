/* SPDX-License-Identifier: Apache-2.0 */
/* remote_write.c: one remote_write entry (config.RemoteWriteConfig): url, name,
 * timeout, headers, write_relabel_configs, queue_config, metadata_config and the HTTP
 * client. Parsed and validated now, used by the remote_write client later. */
#include "flint/config/cfg_int.h"

#include <string.h>
#include <strings.h>

#include "lm/alloc.h"

/* Headers Prometheus does not let users set (config.reservedHeaders). */
static const char *const reserved_headers[] = {
    "Authorization", "Host", "Content-Encoding", "Content-Length", "Content-Type",
    "User-Agent", "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
    "Www-Authenticate", "Accept-Encoding", "X-Prometheus-Remote-Write-Version",
    "X-Prometheus-Remote-Read-Version", "X-Scope-Orgid", NULL,
};

void
cfg_rw_free_(struct cfg_remote_write *rw)
{
    lm_free(rw->url);
    lm_free(rw->name);
    for (size_t i = 0; i < rw->nheaders; i++) {
        lm_free(rw->headers[i].name);
        lm_free(rw->headers[i].value);
    }
    lm_free(rw->headers);
    cfg_relabel_list_free_(rw->write_relabel, rw->nwrite_relabel);
    cfg_http_free_(&rw->http);
    memset(rw, 0, sizeof *rw);
}

static int
parse_headers(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_remote_write *rw)
{
    struct cfg_y *y = &x->y;
    int rc = cfg_y_map(y, n, "headers", true);
    if (rc || cfg_y_is_null(n))
        return rc;
    size_t cnt = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (!cnt)
        return 0;
    if (!(rw->headers = lm_calloc(cnt, sizeof *rw->headers)))
        return cfg_oom_(x);
    yaml_node_t *k, *v;
    const char *key;
    CFG_Y_FOR_PAIRS(y, n, k, v, key) {
        for (size_t i = 0; reserved_headers[i]; i++)
            if (!strcasecmp(key, reserved_headers[i]))
                return cfg_y_fail(y, k, "%s is a reserved header. It must not be changed", key);
        struct cfg_header *h = &rw->headers[rw->nheaders++];
        if (!(h->name = lm_strdup(key)))
            return cfg_oom_(x);
        if ((rc = cfg_y_str(y, v, key, &h->value)))
            return rc;
        if (!h->value && !(h->value = lm_strdup("")))
            return cfg_oom_(x);
    }
    return 0;
}

static int
parse_queue(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_remote_write *rw)
{
    struct cfg_y *y = &x->y;
    int rc = cfg_y_map(y, n, "config.QueueConfig", true);
    if (rc || cfg_y_is_null(n))
        return rc;
    yaml_node_t *k, *v;
    const char *key;
    CFG_Y_FOR_PAIRS(y, n, k, v, key) {
        if (!strcmp(key, "capacity"))
            rc = cfg_y_i64(y, v, key, &rw->q_capacity);
        else if (!strcmp(key, "max_shards"))
            rc = cfg_y_i64(y, v, key, &rw->q_max_shards);
        else if (!strcmp(key, "min_shards"))
            rc = cfg_y_i64(y, v, key, &rw->q_min_shards);
        else if (!strcmp(key, "max_samples_per_send"))
            rc = cfg_y_i64(y, v, key, &rw->q_max_samples_per_send);
        else if (!strcmp(key, "batch_send_deadline"))
            rc = cfg_y_duration(y, v, key, &rw->q_batch_send_deadline_ms);
        else if (!strcmp(key, "min_backoff"))
            rc = cfg_y_duration(y, v, key, &rw->q_min_backoff_ms);
        else if (!strcmp(key, "max_backoff"))
            rc = cfg_y_duration(y, v, key, &rw->q_max_backoff_ms);
        else if (!strcmp(key, "retry_on_http_429"))
            rc = cfg_y_bool(y, v, key, &rw->q_retry_on_http_429);
        else
            rc = cfg_y_unknown(y, k, "config.QueueConfig");
        if (rc)
            return rc;
    }
    return 0;
}

static int
parse_metadata(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_remote_write *rw)
{
    struct cfg_y *y = &x->y;
    int rc = cfg_y_map(y, n, "config.MetadataConfig", true);
    if (rc || cfg_y_is_null(n))
        return rc;
    yaml_node_t *k, *v;
    const char *key;
    CFG_Y_FOR_PAIRS(y, n, k, v, key) {
        if (!strcmp(key, "send"))
            rc = cfg_y_bool(y, v, key, &rw->md_send);
        else if (!strcmp(key, "send_interval"))
            rc = cfg_y_duration(y, v, key, &rw->md_send_interval_ms);
        else if (!strcmp(key, "max_samples_per_send"))
            rc = cfg_y_i64(y, v, key, &rw->md_max_samples_per_send);
        else
            rc = cfg_y_unknown(y, k, "config.MetadataConfig");
        if (rc)
            return rc;
    }
    return 0;
}

int
cfg_rw_parse_(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_remote_write *rw)
{
    struct cfg_y *y = &x->y;
    cfg_http_defaults_(&rw->http);
    rw->remote_timeout_ms = CFG_DEFAULT_RW_TIMEOUT_MS;
    rw->q_capacity = 2500;
    rw->q_max_shards = 200;
    rw->q_min_shards = 1;
    rw->q_max_samples_per_send = 500;
    rw->q_batch_send_deadline_ms = 5000;
    rw->q_min_backoff_ms = 30;
    rw->q_max_backoff_ms = 5000;
    rw->md_send = true;
    rw->md_send_interval_ms = 60000;
    rw->md_max_samples_per_send = 500;
    if (cfg_y_is_null(n))
        return cfg_y_fail(y, n, "empty or null remote write config section");
    int rc = cfg_y_map(y, n, "config.RemoteWriteConfig", false);
    if (rc)
        return rc;
    const yaml_node_t *url_node = n;
    bool ignored;
    yaml_node_t *k, *v;
    const char *key;
    CFG_Y_FOR_PAIRS(y, n, k, v, key) {
        if (!strcmp(key, "url") && (url_node = v))
            rc = cfg_y_str(y, v, key, &rw->url);
        else if (!strcmp(key, "name"))
            rc = cfg_y_str(y, v, key, &rw->name);
        else if (!strcmp(key, "remote_timeout"))
            rc = cfg_y_duration(y, v, key, &rw->remote_timeout_ms);
        else if (!strcmp(key, "headers"))
            rc = parse_headers(x, v, rw);
        else if (!strcmp(key, "write_relabel_configs"))
            rc = cfg_relabel_list_(x, v, key, &rw->write_relabel, &rw->nwrite_relabel);
        else if (!strcmp(key, "queue_config"))
            rc = parse_queue(x, v, rw);
        else if (!strcmp(key, "metadata_config"))
            rc = parse_metadata(x, v, rw);
        else if (!strcmp(key, "send_exemplars") || !strcmp(key, "send_native_histograms"))
            rc = cfg_y_bool(y, v, key, &ignored);
        else if (!strcmp(key, "sigv4"))
            rc = cfg_warn_(x, k, "remote_write sigv4 is not supported by flint (ignored)");
        else if ((rc = cfg_http_key_(x, key, v, &rw->http)) == 1)
            rc = cfg_y_unknown(y, k, "config.RemoteWriteConfig");
        if (rc)
            return rc;
    }
    if (!rw->url || !*rw->url)
        return cfg_y_fail(y, url_node, "url for remote_write is empty");
    if (strncmp(rw->url, "http://", 7) && strncmp(rw->url, "https://", 8) &&
        (rc = cfg_warn_(x, url_node, "remote_write url \"%s\" is neither http nor https",
                        rw->url)))
        return rc;
    return cfg_http_validate_(x, n, &rw->http);
}
