/* SPDX-License-Identifier: Apache-2.0 */
/* collector.h: the contract between an exporter's collectors (or probers) and the shared
 * runner. Each collector file exports one const struct lm_collector_desc; the exporter's
 * table file (collectors.c) lists them. The runner builds --[no-]collector.NAME and the
 * collector's own flags from the table, calls init once after flags are parsed, collect
 * on every scrape (timed, with <ns>_scrape_collector_duration_seconds and _success), and
 * fini at shutdown. */
#ifndef LM_COLLECTOR_H
#define LM_COLLECTOR_H

#include <stdbool.h>
#include "lm/emit.h"
#include "lm/err.h"

struct lm_flags;
struct lm_log;

/* One flag a collector owns, e.g. {"collector.filesystem.mount-points-exclude", "^/(dev|proc)($|/)",
 * "Regexp of mount points to exclude ..."}. Tables end with a zeroed entry. Boolean flags
 * take "true"/"false" defaults and is_bool = true (they get a --no- form). */
struct lm_flag_desc {
    const char *name;      /* without the leading "--" */
    const char *def;       /* default value as text; NULL means "" */
    const char *help;      /* one line for --help */
    bool is_bool;          /* a switch: --name / --no-name */
    bool repeatable;       /* may be given many times (read with lm_flags_get_all) */
};

/* What a collector sees on init and on each collect. Read-only for collectors. */
struct lm_collect_ctx {
    const struct lm_flags *flags;  /* parsed flags: read with lm_flags_get() */
    struct lm_log *log;            /* the exporter's logger */
    double deadline;               /* collect only: CLOCK_MONOTONIC seconds to finish by; 0 none */
};

struct lm_collector_desc {
    const char *name;                   /* "loadavg": gives --collector.loadavg */
    bool enabled_by_default;            /* as upstream */
    const struct lm_flag_desc *flags;   /* its own flags, or NULL */
    /* init: parse options (via ctx->flags), precompile regexes, open what can be kept.
     * *state receives the collector's own state (may stay NULL). Returns 0 or an LM_E*
     * with err filled; the exporter then refuses to start, naming the collector. May be NULL. */
    int (*init)(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err);
    /* collect: emit this scrape's samples. Returns 0, LM_ENODATA (the source does not
     * exist here: logged at debug, _success 0 as upstream's ErrNoData) or another LM_E*
     * with err filled (_success 0, logged at error once per distinct message). */
    int (*collect)(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
                   struct lm_err *err);
    /* fini: free state. May be NULL. */
    void (*fini)(void *state);
};

#endif
