/* SPDX-License-Identifier: Apache-2.0 */
/* exporter.h: the scaffold every exporter binary shares. lm_exporter_main parses the
 * standard flags (web.*, log.*, collector.*), sets up logging, initialises the collectors,
 * serves /metrics, / and /-/healthy (plus the exporter's own routes) and shuts down cleanly
 * on SIGTERM/SIGINT. The collector runner underneath is public too, so tests and exporters
 * with their own HTTP handling can drive collectors directly. */
#ifndef LM_EXPORTER_H
#define LM_EXPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include "lm/collector.h"
#include "lm/emit.h"
#include "lm/err.h"
#include "lm/flags.h"
#include "lm/http.h"
#include "lm/log.h"

/* ---- Collector runner (collector_runner.c) ----------------------------------------- */

struct lm_runner;

/* lm_runner_add_flags: declare, for a NULL-terminated collector table, each collector's
 * own flags, then --[no-]collector.NAME ("Enable the NAME collector (default: enabled).")
 * and --collector.disable-defaults. The generated names and help texts live in *storage
 * (set even on failure, may be NULL): lm_free it after lm_flags_free(f).
 * Returns 0, LM_EDUP or LM_ENOMEM. */
int lm_runner_add_flags(struct lm_flags *f, const struct lm_collector_desc *const *table,
                        void **storage);

/* lm_runner_new: the collectors enabled by flags (parsed; see lm_runner_add_flags; a
 * collector without a --collector.NAME flag follows its table default), each
 * init'ed in table order. ns is the meta-metric namespace ("node"; borrowed; NULL or "": no
 * <ns>_scrape_collector_* pair). table,
 * flags and log are borrowed and must outlive the runner. On failure returns NULL with
 * err set: LM_ENOMEM, or the failing collector's code with err->where = its name (earlier
 * collectors are fini'ed). Not thread-safe; call once at start-up. */
struct lm_runner *lm_runner_new(const char *ns, const struct lm_collector_desc *const *table,
                                const struct lm_flags *flags, struct lm_log *log,
                                struct lm_err *err);
/* lm_runner_free: fini every enabled collector (reverse order) and free. Accepts NULL. */
void lm_runner_free(struct lm_runner *r);

/* Enabled collectors, in table order: count and name i (borrowed from the table). */
size_t lm_runner_count(const struct lm_runner *r);
const char *lm_runner_name(const struct lm_runner *r, size_t i);

/* A scrape's collect[] / exclude[] query filter (borrowed strings). Empty = all. */
struct lm_runner_filter {
    const char *const *collect;   /* names asked for with collect[] */
    size_t ncollect;              /* count of collect */
    const char *const *exclude;   /* names refused with exclude[] */
    size_t nexclude;              /* count of exclude */
};

/* lm_runner_check: validate a filter against the table without collecting. Returns 0 or
 * LM_EINVAL with err->msg the exact 400 body node_exporter gives, e.g.
 * "Couldn't create filtered metrics handler: couldn't create collector: missing collector:
 * nosuch" (also "disabled collector: X"; using both collect[] and exclude[] is refused). */
int lm_runner_check(const struct lm_runner *r, const struct lm_runner_filter *flt,
                    struct lm_err *err);

/* lm_runner_collect: run the selected collectors one after another into e, timing each
 * with CLOCK_MONOTONIC, then emit <ns>_scrape_collector_duration_seconds{collector} and
 * <ns>_scrape_collector_success{collector}. As upstream, success is 0 for any error,
 * LM_ENODATA included (logged at debug as "collector returned no data"); other errors
 * are logged at error ("collector failed", name=, duration_seconds=, err=) once per
 * distinct message until the collector succeeds again. deadline: CLOCK_MONOTONIC seconds
 * (0 = none) handed to collectors. flt may be NULL. A collector's calls are serialised
 * (one mutex per collector), so concurrent scrapes are safe. Returns 0, LM_EINVAL for a
 * bad filter (as lm_runner_check), or LM_ENOMEM. */
int lm_runner_collect(struct lm_runner *r, const struct lm_runner_filter *flt,
                      struct lm_emit *e, double deadline, struct lm_err *err);

/* lm_monotonic: CLOCK_MONOTONIC now, in seconds (for deadlines). */
double lm_monotonic(void);

/* ---- Exporter scaffold (exporter.c) ------------------------------------------------ */

struct lm_exporter;

/* An extra HTTP route (e.g. blackbox's /probe), served with lm/http.h: the handler is
 * called with the desc's ud, from connection threads, concurrently (it must be
 * thread-safe). Tables end with a NULL path. */
struct lm_exporter_route {
    const char *path;             /* exact path, e.g. "/probe"; NULL ends a table; "/"
                                     replaces the scaffold's landing page */
    const char *title;            /* link text on the landing page, or NULL for none */
    const char *description;      /* text after that link, or NULL */
    unsigned flags;               /* LM_HTTP_ALLOW_POST, LM_HTTP_LIMITED */
    lm_http_handler_fn *handler;  /* fills the response; see lm/http.h */
};

/* What an exporter binary hands to lm_exporter_main. All pointers borrowed; static. */
struct lm_exporter_desc {
    const char *prog;             /* "node_exporter": --help, --version, <prog>_build_info */
    const char *ns;               /* "node": <ns>_scrape_collector_*; NULL: no runner */
    const char *description;      /* app help line under "usage:"; may be NULL */
    const char *title;            /* landing page title, "Node Exporter" */
    const char *default_listen;   /* ":9100" */
    const char *default_path;     /* "/metrics" */
    const struct lm_collector_desc *const *collectors;  /* NULL-terminated table or NULL */
    const struct lm_flag_desc *const *flag_tables;      /* NULL-terminated list of tables,
                                                           declared before the runner's */
    const struct lm_exporter_route *routes;             /* extra routes (path NULL ends) */
    const struct lm_flag_alias *aliases;                /* upstream flag names (alias NULL
                                                           ends), e.g. telemetry.address */
    bool single_collector;        /* one built-in collector: no --[no-]collector.* flags
                                     and no <ns>_scrape_collector_* pair (apache, haproxy) */
    bool openmetrics;             /* negotiate OpenMetrics from Accept; false = always
                                     text 0.0.4, as every Go exporter here behaves */
    /* setup: after flags and logging, before collectors are initialised; may be NULL.
     * Non-zero aborts start-up (exit 1) after logging err. */
    int (*setup)(struct lm_exporter *x, void *ud, struct lm_err *err);
    /* teardown: at shutdown after collectors are fini'ed; may be NULL. */
    void (*teardown)(struct lm_exporter *x, void *ud);
    void *ud;                     /* passed to setup, teardown and route handlers */
};

/* lm_exporter_add_std_flags: the flags every exporter has (web.listen-address
 * (repeatable), web.telemetry-path, web.config.file, web.max-requests,
 * web.disable-exporter-metrics, log.level, log.format), with d's defaults. For tests. */
int lm_exporter_add_std_flags(struct lm_flags *f, const struct lm_exporter_desc *d);

/* lm_exporter_new: the start-up half of lm_exporter_main: declare and parse flags
 * (--help/--version print to stderr as kingpin does), set up logging, run d->setup, and
 * initialise the enabled collectors (a failure is logged naming the collector). Returns
 * the exporter, or NULL with *status the exit status (0 after --help/--version, else 1).
 * lm_exporter_free: fini collectors, teardown, free (accepts NULL). */
struct lm_exporter *lm_exporter_new(const struct lm_exporter_desc *d, int argc, char **argv,
                                    int *status);
void lm_exporter_free(struct lm_exporter *x);

/* lm_exporter_main: lm_exporter_new, then serve until SIGTERM/SIGINT, then free. Returns the process exit
 * status: 0 after a clean shutdown or --help/--version, 1 on bad flags (message on
 * stderr in kingpin's "<prog>: error: ..." form), a failed setup, a collector init
 * failure (logged naming the collector) or a listen failure. */
int lm_exporter_main(const struct lm_exporter_desc *d, int argc, char **argv);

/* Accessors for setup, teardown and route handlers (valid for the exporter's life). */
const struct lm_flags *lm_exporter_flags(const struct lm_exporter *x);
struct lm_log *lm_exporter_log(const struct lm_exporter *x);
struct lm_runner *lm_exporter_runner(const struct lm_exporter *x);
const char *lm_exporter_metrics_path(const struct lm_exporter *x);

/* lm_exporter_render_metrics: the /metrics body for a request's Accept header (used only
 * when d->openmetrics; else text 0.0.4), filter and collector deadline
 * (CLOCK_MONOTONIC seconds, 0 none): runner output, <prog>_build_info and, unless filtered or
 * disabled, process_* and promhttp_* families. Appends to out; *content_type receives a
 * static string. Returns 0, LM_EINVAL (bad filter; err->msg is the 400 body) or
 * LM_ENOMEM/LM_ETOOBIG. Thread-safe. Exposed for tests. */
int lm_exporter_render_metrics(struct lm_exporter *x, const char *accept,
                               const struct lm_runner_filter *flt, double deadline,
                               struct lm_buf *out,
                               const char **content_type, struct lm_err *err);

#endif
