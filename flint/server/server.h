/* SPDX-License-Identifier: Apache-2.0 */
/* server.h: flint's wiring, as Prometheus's main: the configuration file is loaded and
 * applied to service discovery; every change of a job's target groups goes through the
 * scraper's target-label population (relabel_configs) into the scrape manager, which
 * appends to the TSDB; dropped targets are remembered for /api/v1/targets. Reloads
 * (SIGHUP, /-/reload) load the file again and apply it only when it is valid; the old
 * configuration keeps running otherwise. The functions named srv_api_* have the shape of
 * flint/api's backend callbacks. Prefix srv_. */
#ifndef FLINT_SERVER_H
#define FLINT_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/api/api.h"
#include "flint/discovery/discovery.h"
#include "flint/config/config.h"
#include "lm/err.h"

struct lm_log;
struct lm_registry;
struct tsdb;
struct srv;

struct srv_opts {
    const char *config_file;   /* --config.file (copied) */
    struct tsdb *db;           /* borrowed: the scraper appends here; outlives the srv */
    struct lm_log *log;        /* borrowed; NULL: silent */
    struct lm_registry *reg;   /* borrowed: prometheus_config_* and the scraper's
                                * prometheus_target_* metrics go here; NULL: none */
    unsigned scrape_threads;   /* scraper worker threads; 0: the scraper's default */
};

/* srv_new: load the configuration (failure: NULL with err = the file:line:col and
 * reason), start discovery and the scrape manager, apply the configuration, and start
 * the thread that follows discovery changes. NULL with err set on any failure. */
struct srv *srv_new(const struct srv_opts *o, struct lm_err *err);

/* srv_reload: load the configuration file again; when it loads, apply it (discovery,
 * then scrape pools) and make it current; otherwise keep the running one. Either way
 * the outcome is logged and counted (prometheus_config_last_reload_successful).
 * 0 or the load's LM_E* code with err set. Thread-safe (reloads are serialised). */
int srv_reload(struct srv *s, struct lm_err *err);

/* srv_quit_requested: /-/quit was called (the main loop polls it). */
bool srv_quit_requested(struct srv *s);

/* srv_free: stop following discovery, stop every scrape loop (no staleness markers, as
 * Prometheus on shutdown), free everything. NULL ok. */
void srv_free(struct srv *s);

/* srv_api_backend: fill be with the srv_api_* callbacks on s. */
void srv_api_backend(struct srv *s, struct api_backend *be);

/* ---- the backend callbacks (ud is the struct srv *) ------------------------------- */

const struct cfg *srv_api_config_get(void *ud);
void srv_api_config_put(void *ud, const struct cfg *c);
int srv_api_targets(void *ud, struct scr_target_info **act, size_t *nact,
                    struct api_dropped **dropped, size_t *ndropped);
int srv_api_reload(void *ud, struct lm_err *err);
bool srv_api_ready(void *ud);
void srv_api_quit(void *ud);
void srv_api_runtime(void *ud, struct api_runtime *rt);

/* ---- target building (targets.c), used by the server and its tests --------------- */

/* The targets of one job built from its discovered groups. */
struct srv_pool {
    struct lbl_set *targets;      /* owned: final label sets (scr_target_labels) */
    struct lbl_set *discovered;   /* owned: their discovered sets, parallel to targets */
    size_t ntargets;              /* entries in targets and discovered */
    struct api_dropped *dropped;  /* owned: targets relabeling dropped */
    size_t ndropped;              /* entries in dropped */
};

/* srv_pool_build: Prometheus's targetsFromGroup for every group of job sc: each target's
 * labels plus its group's labels (the target's win), populated and relabeled by
 * scr_target_labels. Kept targets go to targets, dropped ones to dropped; a target whose
 * labels are invalid (no address, bad interval, ...) is logged and left out, as
 * Prometheus does. 0 or LM_ENOMEM (p is then empty). */
int srv_pool_build(const struct cfg_scrape *sc, const struct disc_group *groups, size_t n,
                   struct lm_log *log, struct srv_pool *p);
void srv_pool_free(struct srv_pool *p);

#endif
