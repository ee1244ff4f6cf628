/* SPDX-License-Identifier: Apache-2.0 */
/* settings.c: flint's flag table (Prometheus 2.42's names and defaults, flint.yml for the
 * config file) and the conversion of parsed flags into checked, typed settings. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "flint/config/config.h"
#include "flint/server/settings.h"
#include "lm/flags.h"

#define IGNORED " Accepted for compatibility; ignored by flint."

const struct lm_flag_desc srv_flag_table[] = {
    {"config.file", "flint.yml", "Flint configuration file path (Prometheus's prometheus.yml).",
     false, false},
    {"web.listen-address", "0.0.0.0:9090", "Address to listen on for UI, API, and telemetry.",
     false, false},
    {"web.config.file", "", "[EXPERIMENTAL] Path to configuration file that can enable TLS or "
                            "authentication.", false, false},
    {"web.read-timeout", "5m", "Maximum duration before timing out read of the request, and "
                               "closing idle connections.", false, false},
    {"web.max-connections", "512", "Maximum number of simultaneous connections." IGNORED, false,
     false},
    {"web.external-url", "", "The URL under which Flint is externally reachable (for "
                             "example, if Flint is served via a reverse proxy). Used for "
                             "generating relative and absolute links back to Flint itself.",
     false, false},
    {"web.route-prefix", "", "Prefix for the internal routes of web endpoints. Defaults to "
                             "path of --web.external-url; only \"/\" is supported.", false, false},
    {"web.user-assets", "", "Path to static asset directory, available at /user." IGNORED, false,
     false},
    {"web.enable-lifecycle", "false", "Enable shutdown and reload via HTTP request.", true,
     false},
    {"web.enable-admin-api", "false", "Enable API endpoints for admin control actions "
                                      "(flint has /api/v1/admin/tsdb/snapshot).",
     true, false},
    {"web.enable-remote-write-receiver", "false",
     "Enable API endpoint accepting remote write requests." IGNORED, true, false},
    {"web.console.templates", "consoles", "Path to the console template directory." IGNORED,
     false, false},
    {"web.console.libraries", "console_libraries", "Path to the console library directory."
                                                   IGNORED, false, false},
    {"web.page-title", "Prometheus Time Series Collection and Processing Server",
     "Document title of Prometheus instance." IGNORED, false, false},
    {"web.cors.origin", ".*", "Regex for CORS origin. It is fully anchored." IGNORED, false,
     false},
    {"storage.tsdb.path", "data/", "Base path for metrics storage.", false, false},
    {"storage.tsdb.retention", "", "[DEPRECATED] How long to retain samples in storage. This "
                                   "flag has been deprecated, use "
                                   "\"storage.tsdb.retention.time\" instead.", false, false},
    {"storage.tsdb.retention.time", "", "How long to retain samples in storage. When this "
                                        "flag is set it overrides \"storage.tsdb.retention\". "
                                        "If neither this flag nor \"storage.tsdb.retention\" "
                                        "nor \"storage.tsdb.retention.size\" is set, the "
                                        "retention time defaults to 15d. Units Supported: y, "
                                        "w, d, h, m, s, ms.", false, false},
    {"storage.tsdb.retention.size", "0B", "Maximum number of bytes that can be stored for "
                                          "blocks. A unit is required, supported units: B, KB, "
                                          "MB, GB, TB, PB, EB. Ex: \"512MB\". Based on powers-of"
                                          "-2, so 1KB is 1024B.", false, false},
    {"storage.tsdb.no-lockfile", "false", "Do not create lockfile in data directory." IGNORED,
     true, false},
    {"storage.tsdb.wal-compression", "true", "Compress the tsdb WAL.", true, false},
    {"storage.tsdb.min-block-duration", "2h", "Minimum duration of a data block before being "
                                              "persisted.", false, false},
    {"storage.tsdb.max-block-duration", "", "Maximum duration compacted blocks may span."
                                            IGNORED, false, false},
    {"storage.remote.flush-deadline", "1m", "How long to wait flushing sample on shutdown or "
                                            "config reload." IGNORED, false, false},
    {"rules.alert.for-outage-tolerance", "1h", "Max time to tolerate prometheus outage for "
                                               "restoring \"for\" state of alert." IGNORED,
     false, false},
    {"rules.alert.for-grace-period", "10m", "Minimum duration between alert and restored "
                                            "\"for\" state." IGNORED, false, false},
    {"rules.alert.resend-delay", "1m", "Minimum amount of time to wait before resending an "
                                       "alert to Alertmanager." IGNORED, false, false},
    {"alertmanager.notification-queue-capacity", "10000", "The capacity of the queue for "
                                                          "pending Alertmanager notifications."
                                                          IGNORED, false, false},
    {"query.lookback-delta", "5m", "The maximum lookback duration for retrieving metrics "
                                   "during expression evaluations and federation.", false,
     false},
    {"query.timeout", "2m", "Maximum time a query may take before being aborted.", false,
     false},
    {"query.max-concurrency", "20", "Maximum number of queries executed concurrently.", false,
     false},
    {"query.max-samples", "50000000", "Maximum number of samples a single query can load into "
                                      "memory. Note that queries will fail if they try to load "
                                      "more samples than this into memory, so this also limits "
                                      "the number of samples a query can return.", false, false},
    {"enable-feature", "", "Comma separated feature names to enable." IGNORED, false, true},
    {"log.level", "info", "Only log messages with the given severity or above. One of: "
                          "[debug, info, warn, error]", false, false},
    {"log.format", "logfmt", "Output format of log messages. One of: [logfmt, json]", false,
     false},
    {NULL, NULL, NULL, false, false},
};

static const char units[] = " KMGTPE";

int
srv_parse_bytes(const char *s, uint64_t *out)
{
    char *end;
    if (!isdigit((unsigned char)*s))
        return LM_EINVAL;
    double v = strtod(s, &end);
    uint64_t mul = 1;
    if (*end) {
        const char *u = strchr(units + 1, toupper((unsigned char)*end));
        if (u) {
            for (const char *k = units; k < u; k++)
                mul *= 1024;
            end++;
            if (*end == 'i' || *end == 'I')
                end++;
        }
        if (toupper((unsigned char)*end) != 'B' || end[1])
            return LM_EINVAL;
    } else if (v != 0) {
        return LM_EINVAL;   /* a unit is required, as Prometheus */
    }
    double r = v * (double)mul;
    if (r < 0 || r >= 1.8e19)
        return LM_EINVAL;
    *out = (uint64_t)r;
    return 0;
}

const char *
srv_format_bytes(uint64_t v, char *out, size_t outsz)
{
    char parts[7][32];
    int np = 0;
    if (!v) {
        snprintf(out, outsz, "0B");
        return out;
    }
    for (int i = 0; i < 7 && v; i++) {
        if (v % 1024)
            snprintf(parts[np++], sizeof parts[0], "%llu%.*s%s", (unsigned long long)(v % 1024),
                     i ? 1 : 0, units + i, i ? "iB" : "B");
        v /= 1024;
    }
    size_t o = 0;
    out[0] = '\0';
    while (np-- > 0 && o < outsz)
        o += (size_t)snprintf(out + o, outsz - o, "%s", parts[np]);
    return out;
}

/* duration: a Prometheus duration flag. */
static int
duration(const struct lm_flags *f, const char *name, int64_t *ms, struct lm_err *err)
{
    const char *v = lm_flags_get(f, name);
    struct lm_err e = {0};
    char where[80];
    if (!cfg_duration_parse(v, ms, &e))
        return 0;
    snprintf(where, sizeof where, "--%s", name);
    return lm_err_set(err, LM_EINVAL, where, "%s", e.msg);
}

/* integer: a decimal flag >= min. */
static int
integer(const struct lm_flags *f, const char *name, int64_t min, int64_t *out,
        struct lm_err *err)
{
    const char *v = lm_flags_get(f, name);
    char *end, where[80];
    long long n = strtoll(v, &end, 10);
    if (*v && !*end && n >= min) {
        *out = n;
        return 0;
    }
    snprintf(where, sizeof where, "--%s", name);
    return lm_err_set(err, LM_EINVAL, where, "invalid value \"%s\"", v);
}

/* retention: the time and size retention and their runtimeinfo text, as Prometheus. */
static int
retention(const struct lm_flags *f, struct srv_settings *s, struct lm_err *err)
{
    int64_t old = 0, cur = 0;
    if (*lm_flags_get(f, "storage.tsdb.retention")) {
        if (duration(f, "storage.tsdb.retention", &old, err))
            return err->code;
        s->deprecated_retention = true;
    }
    if (*lm_flags_get(f, "storage.tsdb.retention.time") &&
        duration(f, "storage.tsdb.retention.time", &cur, err))
        return err->code;
    if (srv_parse_bytes(lm_flags_get(f, "storage.tsdb.retention.size"), &s->retention_bytes))
        return lm_err_set(err, LM_EINVAL, "--storage.tsdb.retention.size",
                          "invalid size \"%s\"", lm_flags_get(f, "storage.tsdb.retention.size"));
    s->retention_ms = cur ? cur : old;
    if (!s->retention_ms && !s->retention_bytes)
        s->retention_ms = SRV_DEFAULT_RETENTION_MS;
    if (s->retention_ms < 0 || s->retention_ms > SRV_RETENTION_MAX_MS)
        s->retention_ms = SRV_RETENTION_MAX_MS;
    char d[32] = "", b[64] = "";
    if (s->retention_ms)
        cfg_duration_format(s->retention_ms, d, sizeof d);
    if (s->retention_bytes)
        srv_format_bytes(s->retention_bytes, b, sizeof b);
    snprintf(s->retention_str, sizeof s->retention_str, "%s%s%s", d, *d && *b ? " or " : "",
             b);
    return 0;
}

/* external_url: --web.external-url or http://<hostname>:<port>/, and the route prefix
 * check (only "/" is served). */
static int
external_url(const struct lm_flags *f, struct srv_settings *s, struct lm_err *err)
{
    const char *u = lm_flags_get(f, "web.external-url");
    const char *prefix = lm_flags_get(f, "web.route-prefix");
    if (*u) {
        if (strncmp(u, "http://", 7) && strncmp(u, "https://", 8))
            return lm_err_set(err, LM_EINVAL, "--web.external-url",
                              "URL must start with http:// or https://: \"%s\"", u);
        snprintf(s->external_url, sizeof s->external_url, "%s", u);
    } else {
        char host[256] = "localhost";
        const char *colon = strrchr(s->listen, ':');
        gethostname(host, sizeof host - 1);
        host[sizeof host - 1] = '\0';
        snprintf(s->external_url, sizeof s->external_url, "http://%s:%s/", host,
                 colon ? colon + 1 : "9090");
    }
    /* the route prefix defaults to the external URL's path */
    const char *path = strchr(strstr(s->external_url, "://") + 3, '/');
    if (!*prefix)
        prefix = path ? path : "/";
    if (strcmp(prefix, "/") && strcmp(prefix, ""))
        return lm_err_set(err, LM_EUNSUPP, "--web.route-prefix",
                          "only \"/\" is supported as route prefix, not \"%s\"", prefix);
    return 0;
}

int
srv_settings_from_flags(const struct lm_flags *f, struct srv_settings *s, struct lm_err *err)
{
    int64_t n;
    memset(s, 0, sizeof *s);
    s->config_file = lm_flags_get(f, "config.file");
    s->listen = lm_flags_get(f, "web.listen-address");
    s->web_config_file = lm_flags_get(f, "web.config.file");
    s->enable_lifecycle = lm_flags_get_bool(f, "web.enable-lifecycle");
    s->enable_admin = lm_flags_get_bool(f, "web.enable-admin-api");
    s->tsdb_path = lm_flags_get(f, "storage.tsdb.path");
    s->wal_compression = lm_flags_get_bool(f, "storage.tsdb.wal-compression");
    s->log_level = lm_flags_get(f, "log.level");
    s->log_format = lm_flags_get(f, "log.format");
    if (!*s->config_file)
        return lm_err_set(err, LM_EINVAL, "--config.file", "a configuration file is required");
    if (duration(f, "query.timeout", &s->query_timeout_ms, err) ||
        duration(f, "query.lookback-delta", &s->lookback_ms, err) ||
        duration(f, "web.read-timeout", &s->read_timeout_ms, err) ||
        duration(f, "storage.tsdb.min-block-duration", &s->min_block_ms, err) ||
        integer(f, "query.max-samples", 0, &s->query_max_samples, err) ||
        integer(f, "query.max-concurrency", 1, &n, err))
        return err->code;
    s->query_max_concurrency = n > 100000 ? 100000 : (int)n;
    if (retention(f, s, err) || external_url(f, s, err))
        return err->code;
    return 0;
}
