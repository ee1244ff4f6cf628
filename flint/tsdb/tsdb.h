/* SPDX-License-Identifier: Apache-2.0 */
/* tsdb.h: flint's time-series database, the public face used by the scraper, PromQL,
 * the API and `flint tsdb`. A head of in-memory series with compressed chunks, a
 * write-ahead log (every committed sample is in the WAL before commit returns),
 * immutable memory-mapped blocks cut from the head and compacted, retention by time and
 * size. Timestamps are int64 milliseconds; values are doubles; the staleness marker is
 * the NaN with bits TSDB_STALE_NAN_BITS (as Prometheus's value.StaleNaN). Prefix tsdb_.
 *
 * Threads: any number of appenders (each used by one thread) and queriers at once; the
 * head takes its own locks. A querier sees a consistent view of the blocks it opened. */
#ifndef FLINT_TSDB_H
#define FLINT_TSDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/labels.h"
#include "lm/err.h"

struct lm_log;

#define TSDB_STALE_NAN_BITS 0x7ff0000000000002ULL
/* tsdb_is_stale: v is the staleness marker (compares bits, not value). */
bool tsdb_is_stale(double v);
/* tsdb_stale_nan: the staleness marker value. */
double tsdb_stale_nan(void);

struct tsdb_opts {
    const char *dir;            /* --storage.tsdb.path, e.g. "data/" (created if absent) */
    int64_t retention_ms;       /* --storage.tsdb.retention.time; 0 = 15 days */
    uint64_t retention_bytes;   /* --storage.tsdb.retention.size; 0 = no size limit */
    int64_t block_range_ms;     /* smallest block range; 0 = 2 h */
    bool wal_compression;       /* --storage.tsdb.wal-compression */
    struct lm_log *log;         /* borrowed; NULL = silent */
};

struct tsdb;

/* tsdb_open: open or create the database in opts->dir: load blocks (a corrupt block is
 * logged and left out), replay the WAL (a torn or corrupt tail is cut off with a log
 * line), start the background compaction thread. NULL with err set on failure (the dir
 * cannot be created or locked). */
struct tsdb *tsdb_open(const struct tsdb_opts *opts, struct lm_err *err);
/* tsdb_close: stop background work, flush and close the WAL, free everything. NULL ok. */
void tsdb_close(struct tsdb *db);
/* tsdb_compact: run the background work now: cut the head into blocks when it spans
 * more than 1.5 block ranges (force: every whole block range older than its newest
 * sample), truncate the head, checkpoint the WAL, compact blocks, apply retention.
 * 0 or LM_E* with err set (logged too; the server keeps running, data stays). */
int tsdb_compact(struct tsdb *db, bool force, struct lm_err *err);
/* tsdb_snapshot: as Prometheus's /api/v1/admin/tsdb/snapshot: create dir (must not
 * exist), hard-link every persisted block into it and, with with_head, write the head's
 * samples into it as one more block. The database keeps running; a failure leaves a
 * partial dir (removed when possible). 0 or LM_E* with err set. */
int tsdb_snapshot(struct tsdb *db, const char *dir, bool with_head, struct lm_err *err);

/* ---- appending ---------------------------------------------------------------- */

/* Append errors, counted by the caller as Prometheus does (scrape reports). */
#define TSDB_EOUTOFORDER  (-2001) /* older than the series' last sample */
#define TSDB_EDUPLICATE   (-2002) /* same timestamp, different value */
#define TSDB_EOUTOFBOUNDS (-2003) /* older than what the head accepts */

struct tsdb_app;

/* tsdb_appender: a new appender (a transaction, e.g. one scrape). Owned by the caller,
 * ended by _commit or _rollback, which free it. NULL on ENOMEM. */
struct tsdb_app *tsdb_appender(struct tsdb *db);
/* tsdb_app_add: stage sample (t, v) for the series ls (borrowed; copied when the series
 * is new). *ref, when not NULL, is a cache: 0 on the first call; on return it holds a
 * reference that tsdb_app_add_ref accepts for the same series later (also across
 * appenders) until the series is garbage collected (then add_ref fails with
 * LM_ENOENT and the caller falls back to add). Returns 0, TSDB_E*, LM_ELABEL (empty or
 * unsorted/duplicate labels) or LM_ENOMEM. */
int tsdb_app_add(struct tsdb_app *a, const struct lbl_set *ls, int64_t t, double v,
                 uint64_t *ref);
int tsdb_app_add_ref(struct tsdb_app *a, uint64_t ref, int64_t t, double v);
/* tsdb_app_commit: write the staged samples to the WAL, then make them visible. 0 or
 * LM_EIO/LM_ENOMEM with err set (nothing is visible then). Frees a. */
int tsdb_app_commit(struct tsdb_app *a, struct lm_err *err);
/* tsdb_app_rollback: drop the staged samples. Frees a. NULL ok. */
void tsdb_app_rollback(struct tsdb_app *a);

/* ---- querying ----------------------------------------------------------------- */

struct tsdb_q;   /* a querier over [mint, maxt] (inclusive, ms) */
struct tsdb_ss;  /* a set of series, sorted by labels (lbl_set_cmp) */
struct tsdb_it;  /* the samples of one series, ascending by time */

/* tsdb_querier: a view of head and blocks over [mint, maxt]. Owned by the caller; free
 * with tsdb_q_close. NULL with err set. */
struct tsdb_q *tsdb_querier(struct tsdb *db, int64_t mint, int64_t maxt, struct lm_err *err);
void tsdb_q_close(struct tsdb_q *q);

/* tsdb_q_select: series matching every matcher (at least one matcher must not match the
 * empty string, as Prometheus requires; otherwise LM_EINVAL). Series with no sample in
 * [mint, maxt] are left out. The set is owned by the caller (tsdb_ss_free) and must be
 * freed before q is closed. NULL with err set. */
struct tsdb_ss *tsdb_q_select(struct tsdb_q *q, const struct lbl_matcher *ms, size_t n,
                              struct lm_err *err);
/* tsdb_ss_next: advance to the next series; false at the end. */
bool tsdb_ss_next(struct tsdb_ss *ss);
/* tsdb_ss_labels: the current series' labels (borrowed until the next _next). */
const struct lbl_set *tsdb_ss_labels(const struct tsdb_ss *ss);
/* tsdb_ss_iter: an iterator over the current series' samples in [mint, maxt]
 * (borrowed, valid until the next _next; each call restarts it). */
struct tsdb_it *tsdb_ss_iter(struct tsdb_ss *ss);
void tsdb_ss_free(struct tsdb_ss *ss);

/* tsdb_it_next: the next sample; false at the end. */
bool tsdb_it_next(struct tsdb_it *it, int64_t *t, double *v);
/* tsdb_it_seek: advance to the first sample with time >= t (never backwards) and
 * return it; false when there is none. */
bool tsdb_it_seek(struct tsdb_it *it, int64_t t, int64_t *ts, double *v);

/* tsdb_q_label_names / tsdb_q_label_values: sorted, distinct label names (or values of
 * name) of the series that match ms (n = 0: all series) with samples in the querier's
 * range. *out is an array of *count strings, all owned by the caller: free with
 * tsdb_strv_free. 0 or an LM_E* code with err set. */
int tsdb_q_label_names(struct tsdb_q *q, const struct lbl_matcher *ms, size_t n,
                       char ***out, size_t *count, struct lm_err *err);
int tsdb_q_label_values(struct tsdb_q *q, const char *name, const struct lbl_matcher *ms,
                        size_t n, char ***out, size_t *count, struct lm_err *err);
void tsdb_strv_free(char **v, size_t count);

/* ---- status ------------------------------------------------------------------- */

#define TSDB_STATS_TOP 10

struct tsdb_stat_entry {
    char *name;      /* owned */
    uint64_t value;
};

struct tsdb_stats {
    uint64_t head_series, head_chunks, head_samples;
    int64_t head_min_time, head_max_time;    /* ms; INT64_MAX/INT64_MIN when empty */
    uint64_t blocks, block_bytes, wal_bytes;
    int64_t min_time;                        /* oldest sample anywhere, ms */
    /* as /api/v1/status/tsdb: top 10 each, descending */
    struct tsdb_stat_entry series_by_metric[TSDB_STATS_TOP];
    struct tsdb_stat_entry label_value_counts[TSDB_STATS_TOP];
    struct tsdb_stat_entry memory_by_label[TSDB_STATS_TOP];
    struct tsdb_stat_entry series_by_label_pair[TSDB_STATS_TOP];
    size_t n_series_by_metric, n_label_value_counts, n_memory_by_label,
        n_series_by_label_pair;
};

/* tsdb_stats: fill st (free with tsdb_stats_free). 0 or LM_ENOMEM. */
int tsdb_stats(struct tsdb *db, struct tsdb_stats *st);
void tsdb_stats_free(struct tsdb_stats *st);

/* tsdb_register_metrics: flint's own prometheus_tsdb_* metrics (head series, chunks,
 * WAL corruptions, compactions, ...) into reg (a struct lm_registry *). 0 or LM_E*. */
struct lm_registry;
int tsdb_register_metrics(struct tsdb *db, struct lm_registry *reg);

#endif
