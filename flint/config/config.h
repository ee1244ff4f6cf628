/* SPDX-License-Identifier: Apache-2.0 */
/* config.h: flint's prometheus.yml (--config.file) as Prometheus 2.42 reads it: global,
 * scrape_configs (HTTP client settings, static_configs, file_sd_configs, relabeling),
 * rule_files, alerting and remote_write. Loading is strict like Prometheus (unknown keys,
 * wrong types, bad regexes and bad durations are errors at "file:line:col"), fills the
 * Prometheus defaults and runs its validation. A loaded struct cfg is immutable: share it
 * read-only between threads; a reload builds a new one. Prefix cfg_. */
#ifndef FLINT_CONFIG_H
#define FLINT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/labels.h"
#include "flint/relabel/relabel.h"
#include "lm/err.h"

/* Durations are milliseconds (Prometheus model.Duration has millisecond resolution). */
#define CFG_DEFAULT_SCRAPE_INTERVAL_MS 60000
#define CFG_DEFAULT_SCRAPE_TIMEOUT_MS 10000
#define CFG_DEFAULT_EVAL_INTERVAL_MS 60000
#define CFG_DEFAULT_FILE_SD_REFRESH_MS 300000
#define CFG_DEFAULT_AM_TIMEOUT_MS 10000
#define CFG_DEFAULT_RW_TIMEOUT_MS 30000

struct cfg_global {
    int64_t scrape_interval_ms;     /* default 1m */
    int64_t scrape_timeout_ms;      /* default 10s (capped to the interval) */
    int64_t evaluation_interval_ms; /* default 1m */
    char *query_log_file;           /* owned; NULL when unset */
    struct lbl_set external_labels; /* owned */
};

struct cfg_basic_auth {
    char *username;      /* owned; NULL when unset */
    char *password;      /* owned; NULL when unset (secret: never log) */
    char *password_file; /* owned, absolute or relative to the config's dir; NULL */
};

struct cfg_tls {
    char *ca_file;             /* owned paths (resolved against the config's dir); NULL */
    char *cert_file;           /* owned; NULL */
    char *key_file;            /* owned; NULL */
    char *server_name;         /* owned; NULL */
    bool insecure_skip_verify; /* default false */
    char *min_version;         /* owned "TLS10".."TLS13" as written; NULL */
    char *max_version;         /* owned, as min_version; NULL */
};

/* Prometheus common HTTPClientConfig. bearer_token(_file) are folded into authorization
 * as Prometheus does (type "Bearer"). */
struct cfg_http_client {
    bool has_basic_auth;              /* basic_auth given */
    struct cfg_basic_auth basic_auth; /* owned content */
    bool has_authorization;           /* authorization given, or a bearer_token(_file) */
    char *bearer_token;               /* owned while parsing; NULL after load (folded) */
    char *bearer_token_file;          /* owned while parsing; NULL after load (folded) */
    char *auth_type;                  /* owned; "Bearer" by default when has_authorization */
    char *auth_credentials;           /* owned secret; NULL */
    char *auth_credentials_file;      /* owned path; NULL */
    struct cfg_tls tls;               /* owned content */
    char *proxy_url;                  /* owned; NULL */
    bool follow_redirects;            /* default true */
    bool enable_http2;                /* default true */
};

/* One static_configs entry or one file_sd group: targets (host:port) + labels. */
struct cfg_static {
    char **targets;      /* owned array of owned strings */
    size_t ntargets;     /* entries in targets */
    struct lbl_set labels; /* owned group labels */
};

struct cfg_file_sd {
    char **files;            /* owned patterns (resolved against the config's dir) */
    size_t nfiles;           /* entries in files */
    int64_t refresh_ms;      /* refresh_interval, default 5m */
};

/* The service discovery of a job (or of an Alertmanager set). */
struct cfg_sd {
    struct cfg_static *statics;  /* owned array */
    size_t nstatics;             /* entries; group i has source "i" as in Prometheus */
    struct cfg_file_sd *file_sds; /* owned array */
    size_t nfile_sds;            /* entries */
};

/* params: name -> values (url.Values). */
struct cfg_param {
    char *name;     /* owned */
    char **values;  /* owned array of owned strings */
    size_t nvalues; /* entries in values */
};

struct cfg_scrape {
    char *job_name;                 /* owned, unique in the config */
    int64_t scrape_interval_ms;     /* the global one when unset */
    int64_t scrape_timeout_ms;      /* inherits as Prometheus does; <= interval */
    char *metrics_path;             /* owned; default "/metrics" */
    char *scheme;                   /* owned; "http" (default) or "https" */
    struct cfg_param *params;       /* owned array */
    size_t nparams;                 /* entries */
    bool honor_labels;              /* default false */
    bool honor_timestamps;          /* default true */
    uint64_t body_size_limit;       /* bytes; 0 = none */
    uint64_t sample_limit;          /* 0 = none */
    uint64_t target_limit;          /* 0 = none */
    uint64_t label_limit;           /* 0 = none */
    uint64_t label_name_length_limit;  /* 0 = none */
    uint64_t label_value_length_limit; /* 0 = none */
    struct cfg_http_client http;    /* owned content */
    struct cfg_sd sd;               /* owned content */
    struct rl_rule *relabel;        /* owned array: relabel_configs */
    size_t nrelabel;                /* entries */
    struct rl_rule *metric_relabel; /* owned array: metric_relabel_configs */
    size_t nmetric_relabel;         /* entries */
};

struct cfg_alertmanager {
    char *scheme;               /* owned; default "http" */
    char *path_prefix;          /* owned; default "/" */
    int64_t timeout_ms;         /* default 10s */
    char *api_version;          /* owned; default "v2" */
    struct cfg_http_client http; /* owned content */
    struct cfg_sd sd;           /* owned content */
    struct rl_rule *relabel;    /* owned array: relabel_configs */
    size_t nrelabel;            /* entries */
};

struct cfg_alerting {
    struct rl_rule *alert_relabel;      /* owned array: alert_relabel_configs */
    size_t nalert_relabel;              /* entries */
    struct cfg_alertmanager *ams;       /* owned array: alertmanagers */
    size_t nams;                        /* entries */
};

struct cfg_header {
    char *name;  /* owned */
    char *value; /* owned */
};

struct cfg_remote_write {
    char *url;                   /* owned, required */
    char *name;                  /* owned; NULL when unset (unique when set) */
    int64_t remote_timeout_ms;   /* default 30s */
    struct cfg_header *headers;  /* owned array */
    size_t nheaders;             /* entries */
    struct rl_rule *write_relabel; /* owned array: write_relabel_configs */
    size_t nwrite_relabel;       /* entries */
    struct cfg_http_client http; /* owned content */
    /* queue_config (0 = Prometheus default) */
    int64_t q_capacity;          /* default 2500 */
    int64_t q_max_shards;        /* default 200 */
    int64_t q_min_shards;        /* default 1 */
    int64_t q_max_samples_per_send; /* default 500 */
    int64_t q_batch_send_deadline_ms; /* default 5s */
    int64_t q_min_backoff_ms;    /* default 30ms */
    int64_t q_max_backoff_ms;    /* default 5s */
    bool q_retry_on_http_429;    /* default false */
    /* metadata_config */
    bool md_send;                /* default true */
    int64_t md_send_interval_ms; /* default 1m */
    int64_t md_max_samples_per_send; /* default 500 */
};

struct cfg {
    char *path;                     /* owned; the file loaded, or the name given */
    char *dir;                      /* owned; its directory (relative paths resolve here) */
    char *raw;                      /* owned; the YAML text as loaded (for
                                     * /api/v1/status/config: we return the original text,
                                     * not a re-marshalled form) */
    size_t raw_len;                 /* bytes in raw */
    struct cfg_global global;       /* owned content */
    char **rule_files;              /* owned patterns, resolved against dir */
    size_t nrule_files;             /* entries */
    struct cfg_scrape *scrapes;     /* owned array, in file order */
    size_t nscrapes;                /* entries */
    struct cfg_alerting alerting;   /* owned content */
    struct cfg_remote_write *rws;   /* owned array */
    size_t nrws;                    /* entries */
    char **warnings;                /* owned "file:line:col: text": things accepted but
                                     * ignored (unsupported *_sd_configs, remote_read,
                                     * storage, tracing); the server logs them */
    size_t nwarnings;               /* entries */
};

/* cfg_load_file: read and parse path. Returns an owned config (free with cfg_free) or
 * NULL with err filled: err->where "file:line:col" of the offending node (or the file),
 * err->msg naming the key, e.g. `field scrape_intervall not found in type
 * config.ScrapeConfig`. Relative paths inside (file_sd files, rule_files, TLS and
 * credential files) are resolved against path's directory, as Prometheus does. */
struct cfg *cfg_load_file(const char *path, struct lm_err *err);
/* cfg_load_string: parse len bytes of YAML; name is used in error places and as
 * cfg->path; dir (may be NULL: the current dir) resolves relative paths. */
struct cfg *cfg_load_string(const char *name, const char *data, size_t len, const char *dir,
                            struct lm_err *err);
/* cfg_free: release everything; accepts NULL. */
void cfg_free(struct cfg *c);

/* cfg_scrape_find: the scrape config named job (borrowed, lives with c) or NULL. */
const struct cfg_scrape *cfg_scrape_find(const struct cfg *c, const char *job);
/* cfg_scrape_eq: true when two scrape configs are the same in every setting (so a reload
 * can keep a job's scrape loops running). */
bool cfg_scrape_eq(const struct cfg_scrape *a, const struct cfg_scrape *b);
/* cfg_sd_eq: true when two SD settings are the same (discovery keeps the provider). */
bool cfg_sd_eq(const struct cfg_sd *a, const struct cfg_sd *b);

/* cfg_duration_parse: Prometheus model.Duration text ("1y2w3d4h5m6s7ms", units in this
 * order, integers; "0" alone is 0) into milliseconds. 0 or LM_EINVAL with err->msg
 * (err->where untouched). */
int cfg_duration_parse(const char *s, int64_t *ms, struct lm_err *err);
/* cfg_duration_format: the shortest model.Duration form of ms ("1m30s", "0s") into out
 * (at least 32 bytes). Returns out. */
const char *cfg_duration_format(int64_t ms, char *out, size_t outsz);

#endif
