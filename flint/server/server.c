/* SPDX-License-Identifier: Apache-2.0 */
/* server.c: the running wiring: the current configuration (reference counted, so the
 * API can read it while a reload replaces it), discovery manager, scrape manager, the
 * dropped targets, the thread that turns discovery changes into scrape pools, reloads,
 * and the callbacks the API calls. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "flint/scrape/scrape.h"
#include "flint/server/server.h"
#include "lm/alloc.h"
#include "lm/log.h"
#include "lm/registry.h"

#define SYNC_WAIT_MS 1000   /* the sync thread wakes at least this often to see stop */

/* A loaded configuration and its readers. */
struct cref {
    struct cfg *c;        /* owned */
    unsigned refs;        /* API readers holding it */
    struct cref *next;    /* older configs still read */
};

struct srv {
    char *config_file;            /* owned */
    struct tsdb *db;              /* borrowed */
    struct lm_log *log;           /* borrowed */
    struct disc_manager *disc;    /* owned */
    struct scr_manager *scr;      /* owned */
    pthread_mutex_t reload_mu;    /* serialises reloads and pool syncs */
    pthread_mutex_t mu;           /* guards cur, retired, dropped, runtime */
    struct cref *cur;             /* the running config (owned) */
    struct cref *retired;         /* replaced configs still read by the API (owned) */
    struct api_dropped *dropped;  /* owned: dropped targets of every pool */
    size_t ndropped;              /* entries in dropped */
    bool reload_ok;               /* the last (re)load worked */
    int64_t last_config_ms;       /* when cur was applied */
    struct lm_metric *m_reload_ok;    /* prometheus_config_last_reload_successful */
    struct lm_metric *m_reload_ts;    /* ..._last_reload_success_timestamp_seconds */
    pthread_t thread;             /* follows discovery */
    bool thread_on;               /* thread started */
    atomic_bool stop;             /* tells the thread to end */
    atomic_bool quit;             /* /-/quit was called */
};

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* sync_pools: rebuild every pool of c from discovery and hand them to the scraper;
 * replace the dropped list. Called with reload_mu held. */
static int
sync_pools(struct srv *s, const struct cfg *c, struct lm_err *err)
{
    size_t n = c->nscrapes;
    struct srv_pool *pools = lm_calloc(n ? n : 1, sizeof *pools);
    struct scr_job *jobs = lm_calloc(n ? n : 1, sizeof *jobs);
    struct scr_pool_spec *specs = lm_calloc(n ? n : 1, sizeof *specs);
    struct scr_target_spec **tspecs = lm_calloc(n ? n : 1, sizeof *tspecs);
    int rc = 0;
    if (!pools || !jobs || !specs || !tspecs) {
        rc = lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        goto done;
    }
    size_t ndropped = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const struct cfg_scrape *sc = &c->scrapes[i];
        struct disc_group *g = NULL;
        size_t ng = 0;
        int grc = disc_manager_groups(s->disc, sc->job_name, &g, &ng, NULL);
        if (grc == LM_ENOMEM) {
            rc = lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
            break;
        }
        if (!grc && srv_pool_build(sc, g, ng, s->log, &pools[i]))
            rc = lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        disc_groups_free(g, ng);
        if (rc)
            break;
        scr_job_from_cfg(&jobs[i], sc);
        tspecs[i] = lm_calloc(pools[i].ntargets ? pools[i].ntargets : 1, sizeof *tspecs[i]);
        if (!tspecs[i]) {
            rc = lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
            break;
        }
        for (size_t t = 0; t < pools[i].ntargets; t++) {
            tspecs[i][t].labels = &pools[i].targets[t];
            tspecs[i][t].discovered = &pools[i].discovered[t];
        }
        specs[i] = (struct scr_pool_spec){&jobs[i], tspecs[i], pools[i].ntargets};
        ndropped += pools[i].ndropped;
    }
    if (rc)
        goto done;
    rc = scr_manager_sync(s->scr, specs, n, err);
    /* dropped targets, grouped by pool in name order (the API's contract) */
    struct api_dropped *dropped = lm_calloc(ndropped ? ndropped : 1, sizeof *dropped);
    if (!dropped)
        goto done;
    size_t k = 0;
    bool *done_pool = lm_calloc(n ? n : 1, sizeof *done_pool);
    for (size_t round = 0; done_pool && round < n; round++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (!done_pool[i] && (best == n || strcmp(c->scrapes[i].job_name,
                                                      c->scrapes[best].job_name) < 0))
                best = i;
        done_pool[best] = true;
        if (pools[best].ndropped)
            memcpy(dropped + k, pools[best].dropped, pools[best].ndropped * sizeof *dropped);
        k += pools[best].ndropped;
        pools[best].ndropped = 0;   /* moved */
    }
    lm_free(done_pool);
    pthread_mutex_lock(&s->mu);
    struct api_dropped *old = s->dropped;
    size_t nold = s->ndropped;
    s->dropped = dropped;
    s->ndropped = k;
    pthread_mutex_unlock(&s->mu);
    api_dropped_free(old, nold);
done:
    for (size_t i = 0; pools && i < n; i++)
        srv_pool_free(&pools[i]);
    for (size_t i = 0; tspecs && i < n; i++)
        lm_free(tspecs[i]);
    lm_free(pools);
    lm_free(jobs);
    lm_free(specs);
    lm_free(tspecs);
    return rc;
}

/* current_cfg: the running config, unreferenced. Caller holds s->mu. */
static const struct cfg *
current_cfg(struct srv *s)
{
    return s->cur ? s->cur->c : NULL;
}

/* apply: make c (owned, consumed) the running config. Called with reload_mu held. */
static int
apply(struct srv *s, struct cfg *c, struct lm_err *err)
{
    for (size_t i = 0; i < c->nwarnings; i++)
        lm_warn(s->log, "Configuration accepted with a warning", "file", s->config_file,
                "warning", c->warnings[i], NULL);
    struct cref *r = lm_calloc(1, sizeof *r);
    if (!r) {
        cfg_free(c);
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    }
    r->c = c;
    int rc = disc_manager_apply(s->disc, c, err);
    if (rc) {
        cfg_free(c);
        lm_free(r);
        return rc;
    }
    rc = sync_pools(s, c, err);
    /* a pool the scraper could not sync (unreadable password file) stays as it was;
     * the config is still the running one, as Prometheus's ApplyConfig */
    pthread_mutex_lock(&s->mu);
    struct cref *old = s->cur;
    s->cur = r;
    if (old) {
        if (old->refs) {
            old->next = s->retired;
            s->retired = old;
        } else {
            cfg_free(old->c);
            lm_free(old);
        }
    }
    s->last_config_ms = now_ms();
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* follow: the thread that resyncs pools when discovery reports changes. */
static void *
follow(void *arg)
{
    struct srv *s = arg;
    uint64_t seen = disc_manager_generation(s->disc);
    while (!atomic_load(&s->stop)) {
        uint64_t g = disc_manager_wait(s->disc, seen, SYNC_WAIT_MS);
        if (g == seen || atomic_load(&s->stop))
            continue;
        seen = g;
        struct lm_err err = {0};
        pthread_mutex_lock(&s->reload_mu);
        pthread_mutex_lock(&s->mu);
        const struct cfg *c = current_cfg(s);
        pthread_mutex_unlock(&s->mu);
        if (c && sync_pools(s, c, &err)) {
            char m[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX];
            lm_error(s->log, "Updating scrape targets failed", "err",
                     lm_err_format(&err, m, sizeof m), NULL);
        }
        pthread_mutex_unlock(&s->reload_mu);
    }
    return NULL;
}

static void
set_reload_metrics(struct srv *s, bool ok)
{
    pthread_mutex_lock(&s->mu);
    s->reload_ok = ok;
    pthread_mutex_unlock(&s->mu);
    if (s->m_reload_ok)
        lm_gauge_set(s->m_reload_ok, ok ? 1 : 0);
    if (ok && s->m_reload_ts)
        lm_gauge_set_to_current_time(s->m_reload_ts);
}

/* load_and_apply: the shared body of the first load and reloads. */
static int
load_and_apply(struct srv *s, struct lm_err *err)
{
    lm_info(s->log, "Loading configuration file", "filename", s->config_file, NULL);
    struct cfg *c = cfg_load_file(s->config_file, err);
    int rc = c ? apply(s, c, err) : (err->code ? err->code : LM_ECONFIG);
    char m[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX];
    if (rc)
        lm_error(s->log, "Error reloading config", "filename", s->config_file, "err",
                 lm_err_format(err, m, sizeof m), NULL);
    else
        lm_info(s->log, "Completed loading of configuration file", "filename",
                s->config_file, NULL);
    set_reload_metrics(s, !rc);
    return rc;
}

int
srv_reload(struct srv *s, struct lm_err *err)
{
    pthread_mutex_lock(&s->reload_mu);
    int rc = load_and_apply(s, err);
    pthread_mutex_unlock(&s->reload_mu);
    return rc;
}

struct srv *
srv_new(const struct srv_opts *o, struct lm_err *err)
{
    struct srv *s = lm_calloc(1, sizeof *s);
    if (!s) {
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->reload_mu, NULL);
    pthread_mutex_init(&s->mu, NULL);
    s->db = o->db;
    s->log = o->log;
    if (!(s->config_file = lm_strdup(o->config_file))) {
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        goto fail;
    }
    if (o->reg) {
        s->m_reload_ok = lm_gauge_new(o->reg, "prometheus_config_last_reload_successful",
                                      "Whether the last configuration reload attempt was "
                                      "successful.", err);
        s->m_reload_ts = lm_gauge_new(o->reg,
                                      "prometheus_config_last_reload_success_timestamp_seconds",
                                      "Timestamp of the last successful configuration "
                                      "reload.", err);
        if (!s->m_reload_ok || !s->m_reload_ts)
            goto fail;
    }
    if (!(s->disc = disc_manager_new(s->log))) {
        lm_err_set(err, LM_EIO, NULL, "cannot start service discovery");
        goto fail;
    }
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    struct lbl_set hl = {0};
    lbl_set_add(&hl, "host", host);
    struct scr_manager_opts so = {.threads = o->scrape_threads, .log = s->log,
                                  .jitter_seed = lbl_set_hash(&hl)};
    lbl_set_free(&hl);
    if (!(s->scr = scr_manager_new(s->db, &so, err)))
        goto fail;
    if (o->reg && scr_manager_register_metrics(s->scr, o->reg, err))
        goto fail;
    if (load_and_apply(s, err))
        goto fail;
    if (pthread_create(&s->thread, NULL, follow, s)) {
        lm_err_set(err, LM_EIO, NULL, "cannot start the discovery thread");
        goto fail;
    }
    s->thread_on = true;
    return s;
fail:
    srv_free(s);
    return NULL;
}

void
srv_free(struct srv *s)
{
    if (!s)
        return;
    atomic_store(&s->stop, true);
    if (s->thread_on)
        pthread_join(s->thread, NULL);
    scr_manager_free(s->scr);
    disc_manager_free(s->disc);
    if (s->cur) {
        cfg_free(s->cur->c);
        lm_free(s->cur);
    }
    for (struct cref *r = s->retired, *next; r; r = next) {
        next = r->next;
        cfg_free(r->c);
        lm_free(r);
    }
    api_dropped_free(s->dropped, s->ndropped);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->reload_mu);
    lm_free(s->config_file);
    lm_free(s);
}

bool
srv_quit_requested(struct srv *s)
{
    return atomic_load(&s->quit);
}

/* ---- API backend ------------------------------------------------------------------ */

const struct cfg *
srv_api_config_get(void *ud)
{
    struct srv *s = ud;
    pthread_mutex_lock(&s->mu);
    const struct cfg *c = NULL;
    if (s->cur) {
        s->cur->refs++;
        c = s->cur->c;
    }
    pthread_mutex_unlock(&s->mu);
    return c;
}

void
srv_api_config_put(void *ud, const struct cfg *c)
{
    struct srv *s = ud;
    struct cref *dead = NULL;
    pthread_mutex_lock(&s->mu);
    if (s->cur && s->cur->c == c) {
        s->cur->refs--;
    } else {
        for (struct cref **pp = &s->retired; *pp; pp = &(*pp)->next) {
            if ((*pp)->c == c) {
                if (!--(*pp)->refs) {
                    dead = *pp;
                    *pp = dead->next;
                }
                break;
            }
        }
    }
    pthread_mutex_unlock(&s->mu);
    if (dead) {
        cfg_free(dead->c);
        lm_free(dead);
    }
}

int
srv_api_targets(void *ud, struct scr_target_info **act, size_t *nact,
                struct api_dropped **dropped, size_t *ndropped)
{
    struct srv *s = ud;
    int rc = scr_manager_targets(s->scr, act, nact);
    if (rc)
        return rc;
    pthread_mutex_lock(&s->mu);
    size_t n = s->ndropped, i = 0;
    struct api_dropped *d = lm_calloc(n ? n : 1, sizeof *d);
    bool ok = d != NULL;
    for (; ok && i < n; i++)
        ok = (d[i].pool = lm_strdup(s->dropped[i].pool)) &&
             !lbl_set_copy(&d[i].discovered, &s->dropped[i].discovered);
    pthread_mutex_unlock(&s->mu);
    if (!ok) {
        api_dropped_free(d, i);
        scr_target_infos_free(*act, *nact);
        return LM_ENOMEM;
    }
    *dropped = d;
    *ndropped = i;
    return 0;
}

int
srv_api_reload(void *ud, struct lm_err *err)
{
    return srv_reload(ud, err);
}

bool
srv_api_ready(void *ud)
{
    return ud != NULL;
}

void
srv_api_quit(void *ud)
{
    struct srv *s = ud;
    atomic_store(&s->quit, true);
}

void
srv_api_runtime(void *ud, struct api_runtime *rt)
{
    struct srv *s = ud;
    pthread_mutex_lock(&s->mu);
    rt->reload_success = s->reload_ok;
    rt->last_config_ms = s->last_config_ms;
    pthread_mutex_unlock(&s->mu);
}

void
srv_api_backend(struct srv *s, struct api_backend *be)
{
    *be = (struct api_backend){
        .ud = s,
        .config_get = srv_api_config_get,
        .config_put = srv_api_config_put,
        .targets = srv_api_targets,
        .reload = srv_api_reload,
        .ready = srv_api_ready,
        .quit = srv_api_quit,
        .runtime = srv_api_runtime,
    };
}
