/* SPDX-License-Identifier: Apache-2.0 */
/* discovery.h: service discovery for flint's scrape jobs: static_configs and
 * file_sd_configs (JSON and YAML target files, glob patterns, watched with inotify plus
 * the refresh_interval re-read, as Prometheus does). The manager keeps the current target
 * groups of every job and tells the server when they change. A bad target file is logged
 * with file:line and the last good groups of that file are kept. Prefix disc_. */
#ifndef FLINT_DISCOVERY_H
#define FLINT_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/config/config.h"
#include "flint/labels.h"
#include "lm/err.h"

struct lm_log;
struct disc_manager;

/* One target group, as Prometheus's targetgroup.Group. */
struct disc_group {
    char *source;            /* owned: "0", "1" for static_configs (index in the job),
                              * "<file>:<i>" for file_sd */
    struct lbl_set *targets; /* owned array: each set holds __address__ (and, for
                              * nothing yet, other target-level labels) */
    size_t ntargets;         /* entries in targets */
    struct lbl_set labels;   /* owned group labels (file_sd adds __meta_filepath) */
};

/* disc_groups_free: free n groups and the array itself; accepts NULL. */
void disc_groups_free(struct disc_group *g, size_t n);

/* ---- target files (file_sd) -------------------------------------------------- */

/* disc_file_parse: parse a file_sd document (JSON when name ends in .json, else YAML):
 * a list of {targets: [...], labels: {...}}. Groups get source "<name>:<i>" and the
 * label __meta_filepath=<name>. Returns 0 with an owned array in *out (may be empty), or
 * LM_EPARSE/LM_ECONFIG/LM_ENOMEM with err->where "<name>:line:col". */
int disc_file_parse(const char *name, const char *data, size_t len, struct disc_group **out,
                    size_t *n, struct lm_err *err);
/* disc_file_load: read path and disc_file_parse it (LM_EIO when unreadable). */
int disc_file_load(const char *path, struct disc_group **out, size_t *n,
                   struct lm_err *err);
/* disc_static_groups: the groups of a job's static_configs (sources "0", "1", ...),
 * owned array in *out. 0 or LM_ENOMEM. */
int disc_static_groups(const struct cfg_sd *sd, struct disc_group **out, size_t *n);

/* ---- the manager --------------------------------------------------------------- */

/* disc_notify_fn: called (from the manager's thread, or from disc_manager_apply's
 * caller) after the groups of one or more jobs changed. Must not call back into the
 * manager's apply/free; disc_manager_groups is fine. */
typedef void (*disc_notify_fn)(void *ud);

/* disc_manager_new: an idle manager logging to log (borrowed, may be NULL). Starts its
 * watcher thread. NULL on failure (OOM, thread or inotify creation). */
struct disc_manager *disc_manager_new(struct lm_log *log);
/* disc_manager_set_notify: set the change callback (NULL: none). Call before apply. */
void disc_manager_set_notify(struct disc_manager *m, disc_notify_fn fn, void *ud);
/* disc_manager_apply: make the providers match c's scrape jobs: jobs whose service
 * discovery is unchanged keep their provider and groups; new ones are read at once
 * (file_sd files synchronously, so groups are ready on return); removed ones go away.
 * c is borrowed only for the call (what is needed is copied). 0, or LM_ENOMEM (the old
 * state is kept). Bad target files are not an error here: they are logged. */
int disc_manager_apply(struct disc_manager *m, const struct cfg *c, struct lm_err *err);
/* disc_manager_groups: a deep copy of job's current groups (*out owned by the caller,
 * free with disc_groups_free) and, when gen is not NULL, that job's generation (grows
 * every time its groups change). LM_ENOENT for an unknown job, LM_ENOMEM. */
int disc_manager_groups(struct disc_manager *m, const char *job, struct disc_group **out,
                        size_t *n, uint64_t *gen);
/* disc_manager_generation: grows whenever any job's groups change (or jobs are added or
 * removed). disc_manager_wait: block until the generation is above seen or timeout_ms
 * passes (<0: forever); returns the current generation. */
uint64_t disc_manager_generation(struct disc_manager *m);
uint64_t disc_manager_wait(struct disc_manager *m, uint64_t seen, int timeout_ms);
/* disc_manager_free: stop the thread and free everything; accepts NULL. */
void disc_manager_free(struct disc_manager *m);

/* Thread-safety: every disc_manager_* function may be called from any thread, except
 * that disc_manager_free must not race with the others. disc_file_* and
 * disc_static_groups are pure. */

#endif
