/* SPDX-License-Identifier: Apache-2.0 */
/* manager.c: the scrape manager: scrape pools (one per job) and their loops, spread over
 * a few workers; sync against the wanted pools (unchanged loops keep running, removed
 * ones stop with staleness markers), the /api/v1/targets snapshot and the
 * prometheus_target_* counters. The manager's lists only point at loops; workers own
 * them. */
#include "flint/scrape/scrape_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lm/alloc.h"
#include "lm/emit.h"
#include "lm/registry.h"
#include "lm/version.h"

#define DEFAULT_THREADS 2
#define MAX_THREADS 64

/* A scrape pool as the manager keeps it. */
struct mpool {
    struct scri_pool *pool;    /* one reference */
    struct scri_loop **loops;  /* owned array of borrowed loops, sorted (loop_cmp) */
    size_t n;                  /* entries */
    bool *taken;               /* during a sync: loops[i] moved to the new pool (owned) */
};

struct scr_manager {
    struct scri_ctx ctx;           /* shared with the workers */
    uint64_t jitter;               /* jitter_seed */
    struct scri_worker **workers;  /* owned */
    unsigned nworkers;             /* entries */
    pthread_mutex_t mu;            /* guards pools, npools */
    struct mpool *pools;           /* owned array */
    size_t npools;                 /* entries */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_start(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct scr_manager *scr_manager_new(struct tsdb *db, const struct scr_manager_opts *o,
                                    struct lm_err *err)
{
    pthread_once(&curl_once, curl_start);
    struct scr_manager *m = lm_calloc(1, sizeof *m);
    if (!m) {
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        return NULL;
    }
    m->ctx.db = db;
    m->ctx.log = o ? o->log : NULL;
    m->jitter = o ? o->jitter_seed : 0;
    pthread_mutex_init(&m->mu, NULL);
    pthread_mutex_init(&m->ctx.status_mu, NULL);
    if (o && o->user_agent) {
        m->ctx.user_agent = lm_strdup(o->user_agent);
    } else {
        struct lm_version v;
        lm_version_get(&v);
        size_t n = strlen(v.version) + sizeof "flint/";
        m->ctx.user_agent = lm_malloc(n);
        if (m->ctx.user_agent)
            snprintf(m->ctx.user_agent, n, "flint/%s", v.version);
    }
    unsigned nt = o && o->threads ? o->threads : DEFAULT_THREADS;
    if (nt > MAX_THREADS)
        nt = MAX_THREADS;
    m->workers = lm_calloc(nt, sizeof *m->workers);
    if (!m->ctx.user_agent || !m->workers) {
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        scr_manager_free(m);
        return NULL;
    }
    for (; m->nworkers < nt; m->nworkers++) {
        m->workers[m->nworkers] = scri_worker_new(&m->ctx, err);
        if (!m->workers[m->nworkers]) {
            scr_manager_free(m);
            return NULL;
        }
    }
    return m;
}

void scr_manager_free(struct scr_manager *m)
{
    if (!m)
        return;
    for (unsigned i = 0; i < m->nworkers; i++)
        scri_worker_free(m->workers[i]);
    lm_free(m->workers);
    for (size_t i = 0; i < m->npools; i++) {
        lm_free(m->pools[i].loops);
        scri_pool_unref(m->pools[i].pool);
    }
    lm_free(m->pools);
    lm_free(m->ctx.user_agent);
    pthread_mutex_destroy(&m->mu);
    pthread_mutex_destroy(&m->ctx.status_mu);
    lm_free(m);
}

/* ---- sync ------------------------------------------------------------------------ */

/* Order of targets inside a pool: label hash, then labels. */
static int labels_cmp(uint64_t ka, const struct lbl_set *a, uint64_t kb,
                      const struct lbl_set *b)
{
    if (ka != kb)
        return ka < kb ? -1 : 1;
    return lbl_set_cmp(a, b);
}

static int loop_cmp(const void *x, const void *y)
{
    const struct scri_loop *a = *(struct scri_loop *const *)x;
    const struct scri_loop *b = *(struct scri_loop *const *)y;
    return labels_cmp(a->key, &a->labels, b->key, &b->labels);
}

/* A wanted target while syncing. */
struct want {
    const struct scr_target_spec *t;  /* borrowed */
    uint64_t key;                     /* lbl_set_hash(t->labels) */
};

static int want_cmp(const void *x, const void *y)
{
    const struct want *a = x, *b = y;
    return labels_cmp(a->key, a->t->labels, b->key, b->t->labels);
}

/* target_offset: Prometheus's Target.offset: a hash of labels and URL, mixed with the
 * jitter seed, modulo the interval. */
static int64_t target_offset(uint64_t key, const char *url, int64_t interval,
                             uint64_t jitter)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%016llu", (unsigned long long)key);
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *p = digits; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    for (const char *p = url; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    return (int64_t)((h ^ jitter) % (uint64_t)interval);
}

/* label_ms: a duration label of the target, or def. */
static int64_t label_ms(const struct lbl_set *ls, const char *name, int64_t def)
{
    const char *v = lbl_set_get(ls, name);
    int64_t ms = 0;
    struct lm_err e;
    if (!v || cfg_duration_parse(v, &ms, &e) || ms <= 0)
        return def;
    return ms;
}

static struct scri_loop *loop_new(struct scr_manager *m, struct scri_pool *pool,
                                  const struct want *w)
{
    struct scri_loop *l = lm_calloc(1, sizeof *l);
    if (!l)
        return NULL;
    scri_pool_ref(pool);
    l->pool = pool;
    l->key = w->key;
    struct lm_buf url;
    lm_buf_init(&url, 64 * 1024);
    int rc = lbl_set_copy(&l->labels, w->t->labels);
    if (!rc)
        rc = scr_public_labels(w->t->labels, &l->public_labels);
    if (!rc && w->t->discovered)
        rc = lbl_set_copy(&l->discovered, w->t->discovered);
    if (!rc)
        rc = scr_target_url(&pool->job, w->t->labels, &url);
    if (!rc)
        l->url = lm_buf_take(&url, NULL);
    lm_buf_cleanup(&url);
    if (rc || !l->url) {
        scri_loop_free(l);
        return NULL;
    }
    l->interval_ms = label_ms(&l->labels, "__scrape_interval__", pool->job.interval_ms);
    l->timeout_ms = label_ms(&l->labels, "__scrape_timeout__", pool->job.timeout_ms);
    if (l->interval_ms <= 0)
        l->interval_ms = 60000;
    if (l->timeout_ms <= 0 || l->timeout_ms > l->interval_ms)
        l->timeout_ms = l->interval_ms;
    l->offset_ms = target_offset(l->key, l->url, l->interval_ms, m->jitter);
    scri_target_init(&l->tgt, pool, &l->public_labels);
    return l;
}

static struct scri_worker *least_loaded(struct scr_manager *m)
{
    struct scri_worker *best = m->workers[0];
    for (unsigned i = 1; i < m->nworkers; i++)
        if (scri_worker_load(m->workers[i]) < scri_worker_load(best))
            best = m->workers[i];
    return best;
}

/* take_old: the loop of old (sorted) equal to w, marked taken (the slot keeps its
 * pointer: the array stays searchable). NULL when absent or when old->taken could not
 * be allocated (a new loop is made then). */
static struct scri_loop *take_old(struct mpool *old, const struct want *w)
{
    if (!old->taken)
        old->taken = lm_calloc(old->n ? old->n : 1, sizeof *old->taken);
    if (!old->taken)
        return NULL;
    size_t lo = 0, hi = old->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        struct scri_loop *l = old->loops[mid];
        int c = labels_cmp(l->key, &l->labels, w->key, w->t->labels);
        if (c == 0) {
            if (old->taken[mid])
                return NULL;
            old->taken[mid] = true;
            return l;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* update_discovered: a kept loop shows the latest discovered labels. */
static void update_discovered(struct scr_manager *m, struct scri_loop *l,
                              const struct lbl_set *d)
{
    struct lbl_set copy = {0};
    if (!d || lbl_set_eq(d, &l->discovered) || lbl_set_copy(&copy, d))
        return;
    pthread_mutex_lock(&m->ctx.status_mu);
    lbl_set_move(&l->discovered, &copy);
    pthread_mutex_unlock(&m->ctx.status_mu);
}

/* stop_loops: stop every loop of p not taken into a new pool. */
static void stop_loops(struct mpool *p)
{
    for (size_t i = 0; i < p->n; i++)
        if (!p->taken || !p->taken[i])
            scri_worker_stop(p->loops[i]->w, p->loops[i], true);
    lm_free(p->taken);
    p->taken = NULL;
}

/* build_pool: the new state of one pool into *np, taking kept loops out of old. */
static int build_pool(struct scr_manager *m, struct scri_pool *pool, bool reuse,
                      struct mpool *old, const struct scr_pool_spec *spec, struct mpool *np)
{
    struct want *ws = lm_calloc(spec->ntargets ? spec->ntargets : 1, sizeof *ws);
    np->loops = lm_calloc(spec->ntargets ? spec->ntargets : 1, sizeof *np->loops);
    np->pool = pool;
    if (!ws || !np->loops) {
        lm_free(ws);
        return LM_ENOMEM;
    }
    for (size_t i = 0; i < spec->ntargets; i++)
        ws[i] = (struct want){&spec->targets[i], lbl_set_hash(spec->targets[i].labels)};
    qsort(ws, spec->ntargets, sizeof *ws, want_cmp);
    int rc = 0;
    for (size_t i = 0; i < spec->ntargets; i++) {
        if (i && !want_cmp(&ws[i - 1], &ws[i]))
            continue; /* the same target twice */
        struct scri_loop *l = reuse && old ? take_old(old, &ws[i]) : NULL;
        if (l) {
            update_discovered(m, l, ws[i].t->discovered);
        } else {
            l = loop_new(m, pool, &ws[i]);
            if (!l || scri_worker_add(least_loaded(m), l)) {
                scri_loop_free(l);
                rc = LM_ENOMEM;
                continue;
            }
        }
        np->loops[np->n++] = l;
    }
    lm_free(ws);
    return rc;
}

int scr_manager_sync(struct scr_manager *m, const struct scr_pool_spec *pools, size_t n,
                     struct lm_err *err)
{
    int ret = 0;
    struct mpool *np = lm_calloc(n ? n : 1, sizeof *np);
    if (!np)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    pthread_mutex_lock(&m->mu);
    size_t nn = 0;
    for (size_t i = 0; i < n; i++) {
        struct lm_err e;
        struct mpool *old = NULL;
        for (size_t k = 0; k < m->npools && !old; k++)
            if (m->pools[k].pool && !strcmp(m->pools[k].pool->job.job_name,
                                            pools[i].job->job_name ? pools[i].job->job_name : ""))
                old = &m->pools[k];
        struct scri_pool *p = scri_pool_new(pools[i].job, &e);
        if (!p) {
            if (!ret) {
                ret = e.code;
                if (err)
                    *err = e;
            }
            if (old) {
                np[nn++] = *old;
                old->pool = NULL;
                old->loops = NULL;
                old->n = 0;
            }
            continue;
        }
        bool reuse = old && scri_pool_eq(old->pool, p);
        if (reuse) {
            scri_pool_unref(p);
            p = old->pool;
            scri_pool_ref(p);
        }
        int rc = build_pool(m, p, reuse, old, &pools[i], &np[nn]);
        nn++;
        if (rc && !ret)
            ret = lm_err_set(err, rc, pools[i].job->job_name, "out of memory");
        if (old) {
            stop_loops(old);
            lm_free(old->loops);
            scri_pool_unref(old->pool);
            old->pool = NULL;
            old->loops = NULL;
            old->n = 0;
        }
    }
    for (size_t k = 0; k < m->npools; k++) {
        stop_loops(&m->pools[k]);
        lm_free(m->pools[k].loops);
        scri_pool_unref(m->pools[k].pool);
    }
    lm_free(m->pools);
    for (size_t k = 0; k < nn; k++)
        qsort(np[k].loops, np[k].n, sizeof *np[k].loops, loop_cmp);
    m->pools = np;
    m->npools = nn;
    pthread_mutex_unlock(&m->mu);
    return ret;
}

/* ---- introspection ----------------------------------------------------------------- */

const char *scr_health_str(enum scr_health h)
{
    return h == SCR_HEALTH_UP ? "up" : h == SCR_HEALTH_DOWN ? "down" : "unknown";
}

void scr_target_infos_free(struct scr_target_info *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        lm_free(v[i].pool);
        lbl_set_free(&v[i].labels);
        lbl_set_free(&v[i].discovered);
        lm_free(v[i].scrape_url);
        lm_free(v[i].last_error);
    }
    lm_free(v);
}

static int info_cmp(const void *x, const void *y)
{
    const struct scr_target_info *a = x, *b = y;
    int c = strcmp(a->pool, b->pool);
    return c ? c : lbl_set_cmp(&a->labels, &b->labels);
}

/* fill_info: one entry from l (status read under status_mu). */
static int fill_info(struct scr_manager *m, const struct scri_loop *l,
                     struct scr_target_info *ti)
{
    ti->pool = lm_strdup(l->pool->job.job_name);
    ti->scrape_url = lm_strdup(l->url);
    ti->interval_ms = l->interval_ms;
    ti->timeout_ms = l->timeout_ms;
    int rc = lbl_set_copy(&ti->labels, &l->public_labels);
    pthread_mutex_lock(&m->ctx.status_mu);
    if (!rc)
        rc = lbl_set_copy(&ti->discovered, &l->discovered);
    ti->last_error = lm_strdup(l->last_error ? l->last_error : "");
    ti->last_scrape_ms = l->last_scrape_ms;
    ti->last_duration_s = l->last_duration_s;
    ti->health = l->health;
    pthread_mutex_unlock(&m->ctx.status_mu);
    return rc || !ti->pool || !ti->scrape_url || !ti->last_error ? LM_ENOMEM : 0;
}

int scr_manager_targets(struct scr_manager *m, struct scr_target_info **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pthread_mutex_lock(&m->mu);
    size_t total = 0;
    for (size_t i = 0; i < m->npools; i++)
        total += m->pools[i].n;
    struct scr_target_info *v = lm_calloc(total ? total : 1, sizeof *v);
    int rc = v ? 0 : LM_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; !rc && i < m->npools; i++)
        for (size_t j = 0; !rc && j < m->pools[i].n; j++)
            rc = fill_info(m, m->pools[i].loops[j], &v[k++]);
    pthread_mutex_unlock(&m->mu);
    if (rc) {
        scr_target_infos_free(v, k);
        return rc;
    }
    qsort(v, k, sizeof *v, info_cmp);
    *out = v;
    *n = k;
    return 0;
}

/* ---- own metrics --------------------------------------------------------------------- */

static int collect(void *state, struct lm_emit *e, struct lm_err *err)
{
    struct scr_manager *m = state;
    struct scri_stats *s = &m->ctx.stats;
    static const struct {
        const char *name, *help;
        size_t off;
    } counters[] = {
        {"prometheus_target_scrapes_exceeded_sample_limit_total",
         "Total number of scrapes that hit the sample limit and were rejected.",
         offsetof(struct scri_stats, sample_limit)},
        {"prometheus_target_scrapes_sample_out_of_order_total",
         "Total number of samples rejected due to not being out of the expected order.",
         offsetof(struct scri_stats, out_of_order)},
        {"prometheus_target_scrapes_sample_duplicate_timestamp_total",
         "Total number of samples rejected due to duplicate timestamps but different values.",
         offsetof(struct scri_stats, duplicate)},
        {"prometheus_target_scrapes_sample_out_of_bounds_total",
         "Total number of samples rejected due to timestamp falling outside of the time "
         "bounds.", offsetof(struct scri_stats, out_of_bounds)},
        {"prometheus_target_scrapes_exceeded_body_size_limit_total",
         "Total number of scrapes that hit the body size limit",
         offsetof(struct scri_stats, body_size_limit)},
        {"prometheus_target_scrape_pool_exceeded_label_limits_total",
         "Total number of times scrape pools hit the label limits, during sync or config "
         "reload.", offsetof(struct scri_stats, label_limit)},
    };
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
        const atomic_ullong *c = (const atomic_ullong *)((const char *)s + counters[i].off);
        lm_emit_one(e, counters[i].name, counters[i].help, LM_TYPE_COUNTER,
                    (double)atomic_load(c));
    }
    lm_emit_family(e, "prometheus_target_scrape_pool_targets",
                   "Current number of targets in this scrape pool.", LM_TYPE_GAUGE);
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->npools; i++)
        lm_emit_samplev(e, (double)m->pools[i].n, "scrape_job", m->pools[i].pool->job.job_name,
                        (const char *)NULL);
    pthread_mutex_unlock(&m->mu);
    const struct lm_err *ee = lm_emit_error(e);
    if (ee && err)
        *err = *ee;
    return ee ? ee->code : 0;
}

int scr_manager_register_metrics(struct scr_manager *m, struct lm_registry *reg,
                                 struct lm_err *err)
{
    return lm_registry_add_collector(reg, "scrape", collect, m, err);
}
