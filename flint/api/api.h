/* SPDX-License-Identifier: Apache-2.0 */
/* api.h: flint's HTTP API and pages, shaped as Prometheus 2.42's: /api/v1/series,
 * /labels, /label/<name>/values, /targets, /status/{config,flags,runtimeinfo,buildinfo,
 * tsdb}, the PromQL query endpoints when an engine is given, /federate, /-/healthy,
 * /-/ready, /-/reload, /-/quit, /metrics (flint's own registry) and a landing page. It
 * reads the TSDB and the PromQL engine directly and asks the server (a backend of
 * callbacks) for the configuration, targets and reloads, so it is tested against a fake
 * server. Prefix api_. */
#ifndef FLINT_API_H
#define FLINT_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/config/config.h"
#include "flint/labels.h"
#include "flint/scrape/scrape.h"
#include "lm/err.h"

struct lm_http_server;
struct lm_log;
struct lm_registry;
struct pql_engine;
struct tsdb;

/* One dropped target (relabeling dropped it): what /api/v1/targets shows. */
struct api_dropped {
    char *pool;                  /* owned: the job */
    struct lbl_set discovered;   /* owned: discoveredLabels */
};
/* api_dropped_free: free n entries and the array; NULL ok. */
void api_dropped_free(struct api_dropped *v, size_t n);

/* What /api/v1/status/runtimeinfo needs from the server. */
struct api_runtime {
    bool reload_success;         /* reloadConfigSuccess: the last (re)load worked */
    int64_t last_config_ms;      /* lastConfigTime: when the running config was loaded */
};

/* The server seen from the API. Every callback is called from HTTP threads, at any
 * time, concurrently: it must be thread-safe. ud is the first argument of each. */
struct api_backend {
    void *ud;
    /* config_get: a reference to the running config (never NULL once serving), valid
     * until config_put; a reload meanwhile does not free it. */
    const struct cfg *(*config_get)(void *ud);
    void (*config_put)(void *ud, const struct cfg *c);
    /* targets: the active targets (scr_manager_targets's snapshot, freed by the API
     * with scr_target_infos_free) and dropped ones (freed with api_dropped_free),
     * dropped ones grouped by pool in pool-name order, in discovery order within a
     * pool. 0 or LM_ENOMEM. */
    int (*targets)(void *ud, struct scr_target_info **act, size_t *nact,
                   struct api_dropped **dropped, size_t *ndropped);
    /* reload: load the config file again and apply it; on failure the old config keeps
     * running and err says why (file:line: reason). 0 or an LM_E* code. */
    int (*reload)(void *ud, struct lm_err *err);
    /* ready: the server has started serving (TSDB open, first config applied). */
    bool (*ready)(void *ud);
    /* quit: ask the server to shut down (returns at once). */
    void (*quit)(void *ud);
    void (*runtime)(void *ud, struct api_runtime *rt);
};

/* A command-line flag and its value, for /api/v1/status/flags. */
struct api_flag {
    const char *name;            /* without "--" (borrowed) */
    const char *value;           /* the value in effect (borrowed) */
};

struct api_opts {
    struct tsdb *db;                  /* borrowed; required */
    struct pql_engine *engine;        /* borrowed; NULL: no query endpoints */
    struct lm_registry *reg;          /* borrowed: served at /metrics; NULL: no route */
    struct lm_log *log;               /* borrowed; NULL: silent */
    const struct api_backend *be;     /* copied; required */
    const struct api_flag *flags;     /* borrowed array, must outlive the api */
    size_t nflags;                    /* entries in flags */
    bool enable_lifecycle;            /* --web.enable-lifecycle: /-/reload and /-/quit */
    bool enable_admin;                /* --web.enable-admin-api: /api/v1/admin/... */
    const char *data_dir;             /* --storage.tsdb.path (copied; snapshots go to
                                       * <data_dir>/snapshots/) */
    const char *external_url;         /* --web.external-url (copied); NULL: none */
    int64_t lookback_ms;              /* --query.lookback-delta (for /federate); 0: 5m */
    const char *storage_retention;    /* e.g. "15d" or "15d or 1GiB" (copied) */
    int64_t start_time_ms;            /* when the process started (runtimeinfo) */
};

struct api;

/* api_new: the API over o (copied as documented). NULL on ENOMEM. Owned by the caller;
 * it must outlive every HTTP server it is registered on. */
struct api *api_new(const struct api_opts *o);
void api_free(struct api *a);

/* api_register: route every endpoint on srv (before lm_http_server_start). 0 or
 * lm_http_route's error. */
int api_register(struct api *a, struct lm_http_server *srv);

/* ---- pieces shared with the server and tested on their own ------------------------ */

/* api_parse_time: a time parameter as Prometheus's parseTime: Unix seconds with a
 * fraction ("1435781451.781", rounded to ms) or RFC 3339 ("2015-07-01T20:10:51.781Z",
 * any offset), and Prometheus's min/max time strings. *ms gets Unix ms. 0, or LM_EINVAL
 * with err->msg = `cannot parse "x" to a valid timestamp`. */
int api_parse_time(const char *s, int64_t *ms, struct lm_err *err);
/* api_parse_duration: a duration parameter as Prometheus's parseDuration: seconds as a
 * float ("15", "0.5") or a Prometheus duration ("1m30s"). *ms gets milliseconds.
 * 0 or LM_EINVAL with err->msg = `cannot parse "x" to a valid duration`. */
int api_parse_duration(const char *s, int64_t *ms, struct lm_err *err);

/* api_parse_selector: a series selector (`up`, `{job="x"}`, `up{a=~"b.*",c!=""}`) into
 * an owned array of matchers (*ms, *n; free with api_matchers_free), by flint/promql's
 * pql_parse_selector. 0, or LM_EPARSE with err->msg as Prometheus's parser says
 * ("1:4: parse error: ..."), or LM_ENOMEM. Selectors whose matchers all match "" parse
 * (as ParseMetricSelector); the API refuses them. */
int api_parse_selector(const char *s, struct lbl_matcher **ms, size_t *n, struct lm_err *err);
void api_matchers_free(struct lbl_matcher *ms, size_t n);

#endif
