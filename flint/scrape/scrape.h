/* SPDX-License-Identifier: Apache-2.0 */
/* scrape.h: flint's scraper, as Prometheus 2.42's scrape package: target label
 * population (populateLabels), one scrape loop per target spread over the interval by a
 * hash offset, driven by libcurl multi handles in a few worker threads, both text
 * formats parsed with lm/parse.h, metric_relabel_configs, honor_labels/_timestamps,
 * limits, up/scrape_* report series and staleness markers, all appended to flint/tsdb.
 * It does not discover targets nor keep dropped targets: the server does. Prefix scr_. */
#ifndef FLINT_SCRAPE_H
#define FLINT_SCRAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/config/config.h"
#include "flint/labels.h"
#include "flint/relabel/relabel.h"
#include "lm/err.h"

struct lm_log;
struct lm_registry;
struct tsdb;

/* What Prometheus 2.42 sends. */
#define SCR_ACCEPT_HEADER                                                          \
    "application/openmetrics-text;version=1.0.0,"                                  \
    "application/openmetrics-text;version=0.0.1;q=0.75,"                           \
    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
#define SCR_TIMESTAMP_TOLERANCE_MS 2  /* scrape timestamp alignment (Prometheus's) */

/* A scrape pool's settings (one scrape_config). Plain data: every pointer is borrowed
 * for the duration of the call it is passed to; scr_manager_sync copies what it keeps
 * (rules included: regexes are recompiled from their patterns), so the caller may free
 * its config as soon as sync returns. NULL strings mean "unset". */
struct scr_job {
    const char *job_name;             /* required */
    int64_t interval_ms;              /* > 0 */
    int64_t timeout_ms;               /* > 0, <= interval_ms */
    const char *metrics_path;         /* NULL: "/metrics" */
    const char *scheme;               /* NULL: "http" */
    const struct cfg_param *params;   /* url params (first value becomes __param_<name>) */
    size_t nparams;                   /* entries in params */
    bool honor_labels;                /* exposed labels win over target labels */
    bool honor_timestamps;            /* use exposed timestamps (Prometheus default true) */
    uint64_t body_size_limit;         /* bytes after gzip decoding; 0: none */
    uint64_t sample_limit;            /* samples after metric relabeling; 0: none */
    uint64_t label_limit;             /* labels per series; 0: none */
    uint64_t label_name_length_limit; /* 0: none */
    uint64_t label_value_length_limit;/* 0: none */
    /* HTTP client (Prometheus common HTTPClientConfig) */
    const char *basic_user;           /* basic_auth.username; NULL: no basic auth */
    const char *basic_password;       /* basic_auth.password (secret) */
    const char *basic_password_file;  /* read when the job is (re)synced */
    const char *auth_type;            /* authorization.type, e.g. "Bearer"; NULL: none */
    const char *auth_credentials;     /* secret */
    const char *auth_credentials_file;/* read when the job is (re)synced */
    const char *tls_ca_file;          /* tls_config (paths) */
    const char *tls_cert_file;        /* client certificate */
    const char *tls_key_file;         /* its key */
    const char *tls_server_name;      /* SNI and verified name (the connection still goes
                                       * to __address__, with its Host header) */
    bool tls_insecure_skip_verify;    /* no certificate or name check */
    const char *tls_min_version;      /* "TLS10".."TLS13" */
    const char *proxy_url;            /* NULL: no proxy (environment ignored) */
    bool follow_redirects;            /* Prometheus default true */
    bool enable_http2;                /* Prometheus default true */
    /* metric_relabel_configs, applied to every scraped series (not to up & co.) */
    const struct rl_rule *metric_relabel;
    size_t nmetric_relabel;
};

/* scr_job_from_cfg: fill *job with borrowed views of c's fields (lives with c).
 * Cannot fail. */
void scr_job_from_cfg(struct scr_job *job, const struct cfg_scrape *c);

/* scr_target_labels: Prometheus's PopulateLabels for one discovered target: the
 * discovered set (target + group labels, borrowed) gets job, __scrape_interval__,
 * __scrape_timeout__, __metrics_path__, __scheme__ (when not already set) and
 * __param_<name> (first value); the relabel rules (relabel_configs) run; then
 * __address__ is required, a default port is added from the scheme (":80"/":443"),
 * "/" in the address is refused, interval/timeout labels are parsed and checked,
 * __meta_* labels are removed and instance defaults to __address__.
 * out (caller storage, old content freed) receives the final set, which keeps the other
 * "__" labels (__address__, __scheme__, __metrics_path__, __param_*, intervals) since
 * the scraper needs them; a dropped target gives *keep = false and an empty out.
 * When discovered_out is not NULL it receives the pre-relabeling set (the API's
 * discoveredLabels). Returns 0, or LM_EINVAL with err->msg as Prometheus's ("no
 * address", "invalid scheme: \"ftp\"", "\"a/b\" is not a valid hostname", "scrape
 * timeout cannot be greater than scrape interval (\"5s\" > \"1s\")", ...), or LM_ENOMEM.
 * Thread-safe. */
int scr_target_labels(const struct scr_job *job, const struct rl_rule *relabel,
                      size_t nrelabel, const struct lbl_set *discovered,
                      struct lbl_set *out, struct lbl_set *discovered_out, bool *keep,
                      struct lm_err *err);

/* scr_target_url: append the scrape URL of a final target set (from scr_target_labels)
 * to out: __scheme__://__address____metrics_path__?params, params being job's params
 * overridden by the __param_* labels, sorted and query-escaped as Go's url.Values.
 * Returns out's sticky error (0 when fine) or LM_ENOMEM. */
struct lm_buf;
int scr_target_url(const struct scr_job *job, const struct lbl_set *target,
                   struct lm_buf *out);

/* scr_public_labels: out (old content freed) = target's labels whose names do not
 * start with "__" (what the samples get and what /api/v1/targets shows as labels).
 * 0 or LM_ENOMEM. */
int scr_public_labels(const struct lbl_set *target, struct lbl_set *out);

/* ---- the manager --------------------------------------------------------------- */

struct scr_manager_opts {
    unsigned threads;          /* worker threads (each one libcurl multi handle); 0: 2 */
    struct lm_log *log;        /* borrowed, must outlive the manager; NULL: silent */
    uint64_t jitter_seed;      /* mixed into the per-target offsets (Prometheus hashes
                                * hostname + external labels); 0 is fine */
    const char *user_agent;    /* copied; NULL: "flint/<version>" */
};

/* One target of a pool. */
struct scr_target_spec {
    const struct lbl_set *labels;     /* final set from scr_target_labels (borrowed) */
    const struct lbl_set *discovered; /* pre-relabeling set, for the API (borrowed;
                                       * NULL: empty) */
};

/* One scrape pool: a job and its current targets. */
struct scr_pool_spec {
    const struct scr_job *job;              /* borrowed for the call */
    const struct scr_target_spec *targets;  /* borrowed for the call */
    size_t ntargets;                        /* entries; duplicates (same labels) are
                                             * scraped once */
};

struct scr_manager;

/* scr_manager_new: a manager appending into db (borrowed, must outlive it), with its
 * worker threads started and no targets. NULL with err set (LM_ENOMEM, LM_EIO when
 * libcurl or a thread cannot start). */
struct scr_manager *scr_manager_new(struct tsdb *db, const struct scr_manager_opts *o,
                                    struct lm_err *err);

/* scr_manager_sync: make the running loops match pools (the complete wanted state):
 * a target whose pool settings and labels are unchanged keeps its loop (its cache, its
 * schedule); new targets start (first scrape at their offset within the interval);
 * targets no longer wanted, of removed pools or of pools whose settings changed, stop:
 * as Prometheus, their series get staleness markers at the time their next scrape
 * would have been, written after 2.1 intervals (so a recreated target wins).
 * Everything given is copied. 0, or LM_ENOMEM / LM_EIO (password or credentials file
 * unreadable: that pool is left as it was) with err set; other pools are still synced.
 * Not to be called concurrently with itself or _free; any thread. */
int scr_manager_sync(struct scr_manager *m, const struct scr_pool_spec *pools, size_t n,
                     struct lm_err *err);

/* scr_manager_free: stop every loop (no staleness markers: the server is shutting down,
 * as Prometheus), join the threads, free everything. NULL ok. */
void scr_manager_free(struct scr_manager *m);

/* ---- introspection (/api/v1/targets) ------------------------------------------- */

enum scr_health { SCR_HEALTH_UNKNOWN = 0, SCR_HEALTH_UP, SCR_HEALTH_DOWN };

/* One active target. All owned by the array (scr_target_infos_free). */
struct scr_target_info {
    char *pool;                  /* scrapePool (job name) */
    struct lbl_set labels;       /* labels (public: without "__" ones) */
    struct lbl_set discovered;   /* discoveredLabels */
    char *scrape_url;            /* scrapeUrl (globalUrl is the server's: it knows the
                                  * external URL) */
    char *last_error;            /* lastError, "" when none */
    int64_t last_scrape_ms;      /* lastScrape, Unix ms; 0 = never */
    double last_duration_s;      /* lastScrapeDuration, seconds */
    enum scr_health health;      /* health */
    int64_t interval_ms;         /* scrapeInterval */
    int64_t timeout_ms;          /* scrapeTimeout */
};

/* scr_manager_targets: a snapshot of every active target, sorted by pool then by
 * labels, into *out (owned array of *n entries; free with scr_target_infos_free).
 * 0 or LM_ENOMEM. Thread-safe. */
int scr_manager_targets(struct scr_manager *m, struct scr_target_info **out, size_t *n);
const char *scr_health_str(enum scr_health h);    /* "unknown", "up", "down" */
void scr_target_infos_free(struct scr_target_info *v, size_t n);

/* scr_manager_register_metrics: flint's own prometheus_target_* counters
 * (prometheus_target_scrapes_exceeded_sample_limit_total,
 * prometheus_target_scrapes_sample_out_of_order_total, _duplicate_timestamp_total,
 * _out_of_bounds_total, prometheus_target_scrapes_exceeded_body_size_limit_total,
 * prometheus_target_scrape_pool_targets, ...) as a collector of reg. m must outlive
 * reg's use. 0 or LM_E*. */
int scr_manager_register_metrics(struct scr_manager *m, struct lm_registry *reg,
                                 struct lm_err *err);

#endif
