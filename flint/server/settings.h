/* SPDX-License-Identifier: Apache-2.0 */
/* settings.h: flint's command line, as Prometheus 2.42's where a flag applies: the flag
 * table (for lm/flags.h), and the typed settings checked from the parsed flags
 * (durations, sizes, retention, listen address, external URL and route prefix).
 * Prometheus flags that mean nothing here are accepted and ignored, so existing systemd
 * units keep working. Prefix srv_. */
#ifndef FLINT_SERVER_SETTINGS_H
#define FLINT_SERVER_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lm/collector.h"
#include "lm/err.h"

struct lm_flags;

#define SRV_DEFAULT_RETENTION_MS (15LL * 24 * 3600 * 1000)
#define SRV_RETENTION_MAX_MS (100LL * 365 * 24 * 3600 * 1000)  /* Prometheus's 100y cap */

/* The flag table, zero-terminated (names without "--"). */
extern const struct lm_flag_desc srv_flag_table[];

struct srv_settings {
    const char *config_file;      /* --config.file (view into the flags) */
    const char *listen;           /* --web.listen-address */
    const char *web_config_file;  /* --web.config.file; "" = none */
    bool enable_lifecycle;        /* --web.enable-lifecycle */
    bool enable_admin;            /* --web.enable-admin-api */
    int64_t read_timeout_ms;      /* --web.read-timeout */
    char external_url[512];       /* --web.external-url, or http://<host>:<port>/ */
    const char *tsdb_path;        /* --storage.tsdb.path */
    int64_t retention_ms;         /* time retention; 0 = none (size only) */
    uint64_t retention_bytes;     /* --storage.tsdb.retention.size; 0 = none */
    char retention_str[128];      /* runtimeinfo's storageRetention: "15d", "1GiB",
                                   * "15d or 1GiB" */
    bool wal_compression;         /* --storage.tsdb.wal-compression */
    int64_t min_block_ms;         /* --storage.tsdb.min-block-duration */
    int64_t query_timeout_ms;     /* --query.timeout */
    int64_t query_max_samples;    /* --query.max-samples */
    int64_t lookback_ms;          /* --query.lookback-delta */
    int query_max_concurrency;    /* --query.max-concurrency */
    const char *log_level;        /* --log.level */
    const char *log_format;       /* --log.format */
    bool deprecated_retention;    /* --storage.tsdb.retention was used (log a warning) */
};

/* srv_settings_from_flags: check and convert the parsed flags. 0, or LM_EINVAL with
 * err->where = "--flag" and the reason (bad duration, size, route prefix other than
 * "/", a retention over 100y, ...). */
int srv_settings_from_flags(const struct lm_flags *f, struct srv_settings *s,
                            struct lm_err *err);

/* srv_parse_bytes: a size as Prometheus's units.Base2Bytes: "0", "512MB", "1GiB", "10KB"
 * (KB = KiB = 1024; B, KB, MB, GB, TB, PB, EB). 0 or LM_EINVAL. */
int srv_parse_bytes(const char *s, uint64_t *out);
/* srv_format_bytes: as Base2Bytes.String(): "1GiB", "1536MiB", "0B". Returns out. */
const char *srv_format_bytes(uint64_t v, char *out, size_t outsz);

#endif
