/* SPDX-License-Identifier: Apache-2.0 */
/* scrape_int.h: the scraper's private seams: the per-target scrape cache (series text ->
 * final series, staleness tracking), the append step (page -> tsdb samples), the pool
 * settings the manager copies, and the HTTP transfer of one loop. Prefix scri_. */
#ifndef FLINT_SCRAPE_INT_H
#define FLINT_SCRAPE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/scrape/scrape.h"
#include "flint/tsdb/tsdb.h"
#include "lm/buf.h"
#include "lm/parse.h"

/* ---- pool settings (an owned deep copy of a struct scr_job) ---------------------- */

struct scri_pool {
    atomic_uint refs;              /* loops + the manager; freed at 0 */
    struct scr_job job;            /* every string and array owned (copied) */
    char *password;                /* basic auth password (inline or read from file) */
    char *credentials;             /* authorization credentials (inline or from file) */
    struct rl_rule *rules;         /* owned copies of the metric relabel rules */
    struct cfg_param *params;      /* owned copies of job.params */
};

/* scri_pool_new: a deep copy of job (files read now). NULL with err set. */
struct scri_pool *scri_pool_new(const struct scr_job *job, struct lm_err *err);
/* scri_pool_eq: same settings (rules compared by value). */
bool scri_pool_eq(const struct scri_pool *a, const struct scri_pool *b);
void scri_pool_ref(struct scri_pool *p);
void scri_pool_unref(struct scri_pool *p);  /* NULL ok */

/* ---- the scrape cache ------------------------------------------------------------- */

/* A series text of the page ("name{labels}" as written), keyed by a 64-bit hash of the
 * text alone (neither the text nor the final labels are kept: the tsdb has the labels,
 * and a line whose ref is unknown rebuilds them from the page). Two texts that map to
 * the same final series have one entry each with the same ref; the tsdb keeps the
 * first sample of a timestamp. 48 bytes, allocated in slabs. */
struct scri_entry {
    struct scri_entry *next;    /* hash chain (free list when unused) */
    struct scri_entry *seq;     /* the entry that followed it on the last page (the
                                 * guess for the next line); NULL: none */
    uint64_t h;                 /* scri_hash_bytes of the text: the key */
    uint64_t ref;               /* tsdb ref; 0 = none yet (or lost) */
    uint32_t last_iter;         /* last iteration it was seen */
    uint32_t tracked;           /* iteration + 1 when tracked for staleness */
    uint32_t added;             /* iteration + 1 when appended at the scrape time */
    uint32_t dropped;           /* 1: dropped by metric relabeling */
};

struct scri_slab;

struct scri_cache {
    struct scri_entry **b;      /* buckets (power of two) */
    size_t nb, n;               /* buckets, entries */
    struct scri_entry *first;   /* first entry of the last page (guess for line 1) */
    struct scri_entry *free;    /* unused entries (chained by next) */
    struct scri_slab *slabs;    /* entry storage (owned) */
    uint32_t iter;              /* current iteration (one per append; wraps) */
    size_t seen;                /* entries seen in this iteration */
    size_t successful;          /* entries after the last successful scrape */
};

uint64_t scri_hash_bytes(const char *p, size_t n);
void scri_cache_init(struct scri_cache *c);    /* cannot fail */
void scri_cache_cleanup(struct scri_cache *c);
/* scri_cache_get: the entry of the text of hash h, or NULL. */
struct scri_entry *scri_cache_get(const struct scri_cache *c, uint64_t h);
/* scri_cache_add: a new entry for the text of hash h (not in the cache), ref 0;
 * dropped: metric relabeling dropped the text. NULL on ENOMEM. */
struct scri_entry *scri_cache_add(struct scri_cache *c, uint64_t h, bool dropped);
/* scri_cache_lookup: the entry of a page line, trying first the entry that followed
 * prev (NULL: the page's start) on the last page (pages keep their order, so the chain
 * walk is rare). *h gets the text's hash. NULL when unknown. */
struct scri_entry *scri_cache_lookup(const struct scri_cache *c, const struct scri_entry *prev,
                                     const char *text, size_t len, uint64_t *h);
/* scri_cache_touch: mark e seen in this iteration. */
static inline void scri_cache_touch(struct scri_cache *c, struct scri_entry *e)
{
    if (e->last_iter != c->iter) {
        e->last_iter = c->iter;
        c->seen++;
    }
}
/* scri_cache_follow: record that e came right after prev (NULL: first) on this page. */
void scri_cache_follow(struct scri_cache *c, struct scri_entry *prev, struct scri_entry *e);
/* scri_cache_iter_done: end of an append (Prometheus's iterDone): forget texts not seen
 * in it when flush (or when the cache grew too much), next iteration. */
void scri_cache_iter_done(struct scri_cache *c, bool flush);

/* ---- the append step -------------------------------------------------------------- */

#define SCRI_NREPORT 5

/* What one target's append step needs; owned by its loop. */
struct scri_target {
    const struct scri_pool *pool;    /* settings (borrowed from the loop) */
    const struct lbl_set *labels;    /* public target labels (borrowed) */
    struct scri_cache cache;         /* the scrape cache */
    uint64_t report_refs[SCRI_NREPORT]; /* tsdb refs of up & co. (0: unknown) */
    struct lbl_set scratch;          /* reused while building a series */
};

/* Counters of one append. */
struct scri_append_res {
    size_t total;            /* samples on the page (scrape_samples_scraped) */
    size_t added;            /* after metric relabeling (..._post_metric_relabeling) */
    size_t series_added;     /* new series (scrape_series_added) */
    size_t out_of_order, duplicate, out_of_bounds; /* samples tsdb refused */
    bool sample_limit;       /* sample_limit was exceeded */
    bool label_limit;        /* a label limit was exceeded */
};

/* Counters kept across scrapes (manager-wide, updated atomically). */
struct scri_stats {
    atomic_ullong out_of_order, duplicate, out_of_bounds;
    atomic_ullong sample_limit, body_size_limit, label_limit;
    atomic_ullong scrapes, failed_scrapes;
};

void scri_target_init(struct scri_target *t, const struct scri_pool *pool,
                      const struct lbl_set *labels);
void scri_target_cleanup(struct scri_target *t);

/* scri_format: the parser format for a Content-Type (OpenMetrics for
 * application/openmetrics-text, text otherwise, as Prometheus's textparse.New). */
enum lm_format scri_format(const char *content_type);

/* scri_append: Prometheus's scrapeLoop.append: parse body with p (reset here; p NULL:
 * an empty page, what a failed scrape appends), turn every sample into a series of t's
 * cache (target labels, honor_labels, metric relabeling, label limits) and stage it in
 * app at ts (or the exposed timestamp when honor_timestamps), then stage staleness
 * markers for series of the previous append that are gone. res is filled in any case.
 * 0, or an error with err set (parse error, sample limit exceeded, label limits, missing
 * name, tsdb failure): the caller rolls back and appends an empty page. */
int scri_append(struct scri_target *t, struct lm_parser *p, struct tsdb_app *app,
                const char *body, size_t len, int64_t ts, struct scri_append_res *res,
                struct lm_err *err);

/* scri_report: stage up, scrape_duration_seconds, scrape_samples_scraped,
 * scrape_samples_post_metric_relabeling and scrape_series_added at ts. stale: stage
 * staleness markers for them instead. 0 or the tsdb error. */
int scri_report(struct scri_target *t, struct tsdb_app *app, int64_t ts, double duration_s,
                const struct scri_append_res *res, bool up, bool stale);

/* ---- loops and workers ------------------------------------------------------------ */

#define SCRI_ERRBUF 256            /* libcurl's CURL_ERROR_SIZE */
#define SCRI_CTYPE_MAX 128         /* Content-Type bytes kept */
#define SCRI_STATUS_MAX 128        /* status line bytes kept */

/* What every worker shares with the manager (owned by the manager). */
struct scri_ctx {
    struct tsdb *db;               /* borrowed */
    struct lm_log *log;            /* borrowed; may be NULL */
    char *user_agent;              /* owned */
    pthread_mutex_t status_mu;     /* guards the status fields of every loop */
    struct scri_stats stats;       /* manager-wide counters */
};

enum scri_state {
    SCRI_IDLE = 0,     /* in the heap, waiting for its next scrape */
    SCRI_SCRAPING,     /* its transfer is in the multi handle */
    SCRI_ENDING,       /* stopped: in the heap until its staleness markers are due */
    SCRI_BROKEN,       /* could not be set up or rescheduled: waits for its stop */
};

struct scri_worker;

/* One target's scrape loop. The manager fills the first block and hands the loop to a
 * worker, which owns it from then on (and frees it after a stop). */
struct scri_loop {
    struct scri_pool *pool;        /* one reference */
    struct lbl_set labels;         /* final target labels (with "__" ones) */
    struct lbl_set public_labels;  /* what samples get */
    struct lbl_set discovered;     /* pre-relabeling labels */
    char *url;                     /* owned scrape URL */
    uint64_t key;                  /* lbl_set_hash(&labels) */
    int64_t interval_ms;           /* from __scrape_interval__ */
    int64_t timeout_ms;            /* from __scrape_timeout__ */
    int64_t offset_ms;             /* scrape times are offset_ms modulo interval_ms */
    struct scri_worker *w;         /* the worker that runs it */
    /* worker-owned */
    enum scri_state state;         /* see enum */
    int64_t next_ms;               /* wall clock ms of its next event */
    size_t heap_idx;               /* position in the worker's heap */
    struct scri_loop *prev, *next; /* the worker's list of loops */
    void *easy;                    /* CURL * (reused: keeps the connection) */
    void *headers;                 /* struct curl_slist * */
    void *connect_to;              /* struct curl_slist * (tls server_name) */
    char errbuf[SCRI_ERRBUF];      /* libcurl's error text */
    struct lm_buf body;            /* the page (cap: body_size_limit) */
    bool body_too_big;             /* body_size_limit reached */
    char ctype[SCRI_CTYPE_MAX];    /* Content-Type */
    char status_line[SCRI_STATUS_MAX]; /* "404 Not Found" */
    int64_t scrape_ts;             /* timestamp of the scrape in flight (ms) */
    int64_t aligned_ms;            /* Prometheus's alignedScrapeTime; 0: unset */
    int64_t start_ns;              /* CLOCK_MONOTONIC at the scrape's start */
    int64_t stale_ts;              /* ENDING: timestamp of the staleness markers */
    bool scraped;                  /* at least one scrape appended */
    struct scri_target tgt;        /* cache and report refs */
    /* status for the API, guarded by ctx->status_mu */
    char *last_error;              /* owned; NULL: none */
    int64_t last_scrape_ms;        /* 0: never */
    double last_duration_s;        /* seconds */
    enum scr_health health;        /* up/down/unknown */
};

/* scri_loop_free: free a loop that no multi handle holds. NULL ok. */
void scri_loop_free(struct scri_loop *l);

/* scri_http_setup: the loop's easy handle and headers. 0 or LM_ENOMEM/LM_EIO. */
int scri_http_setup(struct scri_loop *l, const char *user_agent, struct lm_err *err);
/* scri_http_reset: ready for the next transfer (body emptied). */
void scri_http_reset(struct scri_loop *l);
/* scri_http_error: the scrape error of a finished transfer (libcurl result code), in
 * Prometheus's words; 0 when the page is usable (HTTP 200). */
int scri_http_error(struct scri_loop *l, int curl_code, struct lm_err *err);
void scri_http_cleanup(struct scri_loop *l);

/* Workers: a thread with one libcurl multi handle and a heap of loops. */
struct scri_worker *scri_worker_new(struct scri_ctx *ctx, struct lm_err *err);
/* scri_worker_add: hand l over (the worker schedules its first scrape). */
int scri_worker_add(struct scri_worker *w, struct scri_loop *l);
/* scri_worker_stop: stop l (staleness markers later when stale, else freed at once). */
int scri_worker_stop(struct scri_worker *w, struct scri_loop *l, bool stale);
/* scri_worker_load: loops handed to w and not yet stopped. */
size_t scri_worker_load(const struct scri_worker *w);
/* scri_worker_free: stop the thread, free every loop it owns. NULL ok. */
void scri_worker_free(struct scri_worker *w);

int64_t scri_wall_ms(void);
int64_t scri_wall_ns(void);
int64_t scri_mono_ns(void);

#endif
