/* SPDX-License-Identifier: Apache-2.0 */
/* targets.c: /api/v1/targets as Prometheus 2.42: activeTargets (discoveredLabels,
 * labels, scrapePool, scrapeUrl, globalUrl, lastError, lastScrape, lastScrapeDuration,
 * health, scrapeInterval, scrapeTimeout) and droppedTargets (discoveredLabels), the
 * state= filter (active, dropped, any), pools in name order. */
#include <string.h>
#include <strings.h>

#include "flint/api/api_int.h"
#include "flint/config/config.h"
#include "lm/alloc.h"

void
api_dropped_free(struct api_dropped *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        lm_free(v[i].pool);
        lbl_set_free(&v[i].discovered);
    }
    lm_free(v);
}

/* is_loopback: host (no port) names this machine. */
static bool
is_loopback(const char *h, size_t n)
{
    return (n == 9 && !strncasecmp(h, "localhost", 9)) || (n >= 4 && !strncmp(h, "127.", 4)) ||
           (n == 5 && !strncmp(h, "[::1]", 5));
}

/* global_url: the scrape URL with a loopback host replaced by the external URL's host, as
 * Prometheus's getGlobalURL (so a remote reader can follow it). */
static void
global_url(struct lm_buf *b, const char *url, const char *external)
{
    const char *hs = strstr(url, "://"), *xs = strstr(external, "://");
    if (!hs || !xs) {
        api_json_str(b, url);
        return;
    }
    hs += 3;
    xs += 3;
    size_t hl = strcspn(hs, "/?#"), xl = strcspn(xs, "/?#");
    const char *hc = memchr(hs, ']', hl) ? (const char *)memchr(hs, ']', hl) + 1 : hs;
    const char *colon = memchr(hc, ':', hl - (size_t)(hc - hs));
    size_t host_len = colon ? (size_t)(colon - hs) : hl;
    const char *xc = memchr(xs, ']', xl) ? (const char *)memchr(xs, ']', xl) + 1 : xs;
    const char *xcolon = memchr(xc, ':', xl - (size_t)(xc - xs));
    size_t xhost_len = xcolon ? (size_t)(xcolon - xs) : xl;
    if (!is_loopback(hs, host_len) || !xhost_len) {
        api_json_str(b, url);
        return;
    }
    struct lm_buf t;
    lm_buf_init(&t, b->max);
    lm_buf_append(&t, url, (size_t)(hs - url));
    lm_buf_append(&t, xs, xhost_len);
    lm_buf_puts(&t, hs + host_len);
    api_json_strn(b, t.data ? t.data : "", t.len);
    lm_buf_cleanup(&t);
}

static void
active_json(struct lm_buf *b, const struct scr_target_info *t, const char *external)
{
    char d[32];
    lm_buf_puts(b, "{\"discoveredLabels\":");
    api_json_labels(b, &t->discovered);
    lm_buf_puts(b, ",\"labels\":");
    api_json_labels(b, &t->labels);
    lm_buf_puts(b, ",\"scrapePool\":");
    api_json_str(b, t->pool);
    lm_buf_puts(b, ",\"scrapeUrl\":");
    api_json_str(b, t->scrape_url);
    lm_buf_puts(b, ",\"globalUrl\":");
    global_url(b, t->scrape_url, external);
    lm_buf_puts(b, ",\"lastError\":");
    api_json_str(b, t->last_error ? t->last_error : "");
    lm_buf_puts(b, ",\"lastScrape\":");
    api_json_time(b, t->last_scrape_ms);
    lm_buf_puts(b, ",\"lastScrapeDuration\":");
    api_json_float(b, t->last_duration_s);
    lm_buf_puts(b, ",\"health\":");
    api_json_str(b, scr_health_str(t->health));
    lm_buf_puts(b, ",\"scrapeInterval\":");
    api_json_str(b, cfg_duration_format(t->interval_ms, d, sizeof d));
    lm_buf_puts(b, ",\"scrapeTimeout\":");
    api_json_str(b, cfg_duration_format(t->timeout_ms, d, sizeof d));
    lm_buf_putc(b, '}');
}

static int
h_targets(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct api *a = ud;
    const char *state = lm_http_request_query(req, "state");
    bool active = true, dropped = true;
    if (state && *state) {
        active = !strcasecmp(state, "any") || !strcasecmp(state, "active");
        dropped = !strcasecmp(state, "any") || !strcasecmp(state, "dropped");
    }
    struct scr_target_info *act = NULL;
    struct api_dropped *dr = NULL;
    size_t nact = 0, ndr = 0;
    int rc = a->be.targets(a->be.ud, &act, &nact, &dr, &ndr);
    if (rc)
        return api_reply_error(resp, API_ERR_INTERNAL, "%s", lm_strerror(rc));
    struct lm_buf *b = api_reply_begin(resp);
    lm_buf_puts(b, "{\"activeTargets\":[");
    for (size_t i = 0; active && i < nact; i++) {
        if (i)
            lm_buf_putc(b, ',');
        active_json(b, &act[i], a->external_url);
    }
    lm_buf_puts(b, "],\"droppedTargets\":[");
    for (size_t i = 0; dropped && i < ndr; i++) {
        if (i)
            lm_buf_putc(b, ',');
        lm_buf_puts(b, "{\"discoveredLabels\":");
        api_json_labels(b, &dr[i].discovered);
        lm_buf_putc(b, '}');
    }
    lm_buf_puts(b, "]}");
    scr_target_infos_free(act, nact);
    api_dropped_free(dr, ndr);
    return api_reply_end(resp);
}

int
api_targets_register(struct api *a, struct lm_http_server *srv)
{
    return lm_http_route(srv, "/api/v1/targets", 0, h_targets, a);
}
