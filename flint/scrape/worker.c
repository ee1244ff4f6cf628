/* SPDX-License-Identifier: Apache-2.0 */
/* worker.c: a scrape worker: one thread, one libcurl multi handle and a heap of scrape
 * loops ordered by their next event (a scrape at its offset within the interval, or
 * the staleness markers of a stopped loop). Transfers run concurrently in the multi
 * handle; a finished page is parsed and appended in this thread. A slow target only
 * holds its own transfer. The manager talks to it through an inbox and a wakeup. */
#include "flint/scrape/scrape_int.h"

#include <curl/curl.h>
#include <string.h>

#include "lm/alloc.h"
#include "lm/log.h"

#define IDLE_POLL_MS 1000
#define BODY_KEEP (256 * 1024) /* page buffers up to this size go back to the worker's spares */
#define BODY_SPARES 4          /* spare page buffers per worker (transfers in flight) */

/* A loop handed over or stopped by the manager, waiting for the thread. */
struct msg {
    struct scri_loop *l;  /* the loop */
    int kind;             /* MSG_ADD, MSG_STOP, MSG_DROP */
};
enum { MSG_ADD, MSG_STOP, MSG_DROP };

struct scri_worker {
    struct scri_ctx *ctx;          /* shared with the manager */
    pthread_t th;                  /* the thread */
    CURLM *multi;                  /* transfers */
    struct lm_parser *ptext;       /* text format parser */
    struct lm_parser *pom;         /* OpenMetrics parser */
    pthread_mutex_t mu;            /* guards inbox, ninbox, quit */
    struct msg *inbox;             /* messages from the manager */
    size_t ninbox, capinbox;       /* used, allocated */
    bool quit;                     /* stop the thread */
    atomic_size_t load;            /* loops added and not stopped */
    struct scri_loop **heap;       /* min-heap on next_ms (thread-owned) */
    size_t nheap, capheap;         /* used, allocated */
    struct scri_loop *loops;       /* every loop the thread owns (list) */
    struct lm_buf spare[BODY_SPARES]; /* page buffers between scrapes (data owned) */
    size_t nspare;                 /* spares held */
};

/* body_take: give l's page buffer the memory of a spare (scrapes spread over the
 * interval, so a few buffers serve every loop of the worker instead of one each). */
static void body_take(struct scri_worker *w, struct scri_loop *l)
{
    if (l->body.data || !w->nspare)
        return;
    struct lm_buf *s = &w->spare[--w->nspare];
    l->body.data = s->data;
    l->body.cap = s->cap;
    l->body.len = 0;
    lm_buf_init(s, 0);
}

/* body_give: take l's page buffer back after its append (freed when too big or when
 * the spares are full). */
static void body_give(struct scri_worker *w, struct scri_loop *l)
{
    if (l->body.data && l->body.cap <= BODY_KEEP && w->nspare < BODY_SPARES) {
        struct lm_buf *s = &w->spare[w->nspare++];
        s->data = l->body.data;
        s->cap = l->body.cap;
        lm_buf_init(&l->body, l->body.max);
        return;
    }
    lm_buf_cleanup(&l->body);
}

void scri_loop_free(struct scri_loop *l)
{
    if (!l)
        return;
    scri_http_cleanup(l);
    scri_target_cleanup(&l->tgt);
    lbl_set_free(&l->labels);
    lbl_set_free(&l->public_labels);
    lbl_set_free(&l->discovered);
    lm_free(l->url);
    lm_free(l->last_error);
    scri_pool_unref(l->pool);
    lm_free(l);
}

/* ---- the heap -------------------------------------------------------------------- */

static void heap_set(struct scri_worker *w, size_t i, struct scri_loop *l)
{
    w->heap[i] = l;
    l->heap_idx = i;
}

static void heap_up(struct scri_worker *w, size_t i)
{
    struct scri_loop *l = w->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (w->heap[p]->next_ms <= l->next_ms)
            break;
        heap_set(w, i, w->heap[p]);
        i = p;
    }
    heap_set(w, i, l);
}

static void heap_down(struct scri_worker *w, size_t i)
{
    struct scri_loop *l = w->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= w->nheap)
            break;
        if (c + 1 < w->nheap && w->heap[c + 1]->next_ms < w->heap[c]->next_ms)
            c++;
        if (w->heap[c]->next_ms >= l->next_ms)
            break;
        heap_set(w, i, w->heap[c]);
        i = c;
    }
    heap_set(w, i, l);
}

static bool heap_push(struct scri_worker *w, struct scri_loop *l)
{
    if (w->nheap == w->capheap) {
        size_t cap = w->capheap ? w->capheap * 2 : 64;
        struct scri_loop **h = lm_realloc(w->heap, cap * sizeof *h);
        if (!h)
            return false;
        w->heap = h;
        w->capheap = cap;
    }
    heap_set(w, w->nheap++, l);
    heap_up(w, w->nheap - 1);
    return true;
}

static void heap_remove(struct scri_worker *w, struct scri_loop *l)
{
    size_t i = l->heap_idx;
    struct scri_loop *last = w->heap[--w->nheap];
    if (i == w->nheap)
        return;
    heap_set(w, i, last);
    heap_up(w, i);
    heap_down(w, last->heap_idx);
}

/* ---- loop lifecycle ---------------------------------------------------------------- */

static void list_add(struct scri_worker *w, struct scri_loop *l)
{
    l->prev = NULL;
    l->next = w->loops;
    if (w->loops)
        w->loops->prev = l;
    w->loops = l;
}

static void list_del(struct scri_worker *w, struct scri_loop *l)
{
    if (l->prev)
        l->prev->next = l->next;
    else
        w->loops = l->next;
    if (l->next)
        l->next->prev = l->prev;
}

/* destroy: forget l everywhere and free it. */
static void destroy(struct scri_worker *w, struct scri_loop *l)
{
    if (l->state == SCRI_SCRAPING)
        curl_multi_remove_handle(w->multi, l->easy);
    else if (l->state != SCRI_BROKEN)
        heap_remove(w, l);
    list_del(w, l);
    scri_loop_free(l);
}

/* schedule: put l (out of heap and multi) back in the heap, or park it as broken until
 * the manager stops it (an ENDING loop is simply dropped: nobody refers to it). */
static void schedule(struct scri_worker *w, struct scri_loop *l)
{
    if (heap_push(w, l))
        return;
    if (l->state == SCRI_ENDING) {
        list_del(w, l);
        scri_loop_free(l);
        return;
    }
    l->state = SCRI_BROKEN;
}

/* set_status: what the API shows for l. err NULL: healthy. */
static void set_status(struct scri_worker *w, struct scri_loop *l, const struct lm_err *err,
                       double duration_s)
{
    char *msg = err ? lm_strdup(err->msg) : NULL;
    pthread_mutex_lock(&w->ctx->status_mu);
    lm_free(l->last_error);
    l->last_error = msg;
    l->last_scrape_ms = l->scrape_ts;
    l->last_duration_s = duration_s;
    l->health = err ? SCR_HEALTH_DOWN : SCR_HEALTH_UP;
    pthread_mutex_unlock(&w->ctx->status_mu);
}

/* schedule_first: the first scrape at the target's offset within the interval. */
static void schedule_first(struct scri_loop *l)
{
    int64_t now = scri_wall_ms(), iv = l->interval_ms;
    int64_t t = now - now % iv + l->offset_ms;
    if (t <= now)
        t += iv;
    l->next_ms = t;
}

static void log_err(struct scri_worker *w, struct scri_loop *l, const char *msg,
                    const struct lm_err *err)
{
    if (!w->ctx->log)
        return;
    lm_debug(w->ctx->log, msg, "scrape_pool", l->pool->job.job_name, "target", l->url, "err",
             err->msg, (const char *)NULL);
}

/* append_page: stage the page (or, when scrape_err is set, an empty one) and the report
 * of l's scrape in flight, then commit. The resulting error (scrape, parse, limits) goes
 * to *final. */
static void append_page(struct scri_worker *w, struct scri_loop *l, bool ok,
                        struct lm_err *final)
{
    struct scri_ctx *ctx = w->ctx;
    struct scri_append_res res;
    struct lm_err aerr;
    memset(&res, 0, sizeof res);
    struct tsdb_app *app = tsdb_appender(ctx->db);
    if (!app) {
        if (ok)
            lm_err_set(final, LM_ENOMEM, l->url, "out of memory");
        return;
    }
    if (ok) {
        struct lm_parser *p = scri_format(l->ctype) == LM_FORMAT_OPENMETRICS ? w->pom
                                                                              : w->ptext;
        if (scri_append(&l->tgt, p, app, l->body.data ? l->body.data : "", l->body.len,
                        l->scrape_ts, &res, &aerr)) {
            *final = aerr;
            ok = false;
            if (res.sample_limit)
                atomic_fetch_add(&ctx->stats.sample_limit, 1);
            if (res.label_limit)
                atomic_fetch_add(&ctx->stats.label_limit, 1);
            tsdb_app_rollback(app);
            app = tsdb_appender(ctx->db);
            if (!app)
                return;
            struct scri_append_res ignored;
            scri_append(&l->tgt, NULL, app, NULL, 0, l->scrape_ts, &ignored, &aerr);
        }
    } else {
        scri_append(&l->tgt, NULL, app, NULL, 0, l->scrape_ts, &res, &aerr);
    }
    atomic_fetch_add(&ctx->stats.out_of_order, res.out_of_order);
    atomic_fetch_add(&ctx->stats.duplicate, res.duplicate);
    atomic_fetch_add(&ctx->stats.out_of_bounds, res.out_of_bounds);
    double dur = (double)(scri_mono_ns() - l->start_ns) / 1e9;
    int rc = scri_report(&l->tgt, app, l->scrape_ts, dur, &res, ok, false);
    if (rc) {
        lm_err_set(&aerr, rc, l->url, "appending scrape report failed: %s", lm_strerror(rc));
        log_err(w, l, "Appending scrape report failed", &aerr);
    }
    if (tsdb_app_commit(app, &aerr))
        log_err(w, l, "Scrape commit failed", &aerr);
    l->scraped = true;
    set_status(w, l, ok ? NULL : final, dur);
}

/* finish: l's transfer ended with libcurl code. */
static void finish(struct scri_worker *w, struct scri_loop *l, int code)
{
    struct lm_err err;
    lm_err_clear(&err);
    curl_multi_remove_handle(w->multi, l->easy);
    int rc = scri_http_error(l, code, &err);
    if (rc == LM_ETOOBIG)
        atomic_fetch_add(&w->ctx->stats.body_size_limit, 1);
    append_page(w, l, rc == 0, &err);
    body_give(w, l);
    atomic_fetch_add(&w->ctx->stats.scrapes, 1);
    if (err.code) {
        atomic_fetch_add(&w->ctx->stats.failed_scrapes, 1);
        log_err(w, l, "Scrape failed", &err);
    }
    l->state = SCRI_IDLE;
    int64_t now = scri_wall_ms();
    while (l->next_ms <= now)
        l->next_ms += l->interval_ms;
    schedule(w, l);
}

/* start: begin l's scrape. The timestamp is Prometheus's aligned scrape time: the tick
 * (its alignedScrapeTime starts at the first tick, as its ticker does) when the start is
 * at most SCR_TIMESTAMP_TOLERANCE_MS late, else the actual time. */
static void start(struct scri_worker *w, struct scri_loop *l)
{
    int64_t now = scri_wall_ms(), iv = l->interval_ms;
    int64_t ts = now;
    if (!l->aligned_ms)
        l->aligned_ms = l->next_ms;
    if (iv > 100 * SCR_TIMESTAMP_TOLERANCE_MS) {
        while (ts - l->aligned_ms >= iv)
            l->aligned_ms += iv;
        if (ts - l->aligned_ms <= SCR_TIMESTAMP_TOLERANCE_MS)
            ts = l->aligned_ms;
    }
    l->scrape_ts = ts;
    l->start_ns = scri_mono_ns();
    l->next_ms += iv;
    body_take(w, l);
    scri_http_reset(l);
    if (curl_multi_add_handle(w->multi, l->easy) != CURLM_OK) {
        finish(w, l, CURLE_FAILED_INIT);
        return;
    }
    l->state = SCRI_SCRAPING;
}

/* end_run: write the staleness markers of a stopped loop and free it. */
static void end_run(struct scri_worker *w, struct scri_loop *l)
{
    struct tsdb_app *app = tsdb_appender(w->ctx->db);
    struct scri_append_res res;
    struct lm_err err;
    if (app) {
        int rc = scri_append(&l->tgt, NULL, app, NULL, 0, l->stale_ts, &res, &err);
        if (!rc)
            rc = scri_report(&l->tgt, app, l->stale_ts, 0, &res, false, true);
        if (rc)
            tsdb_app_rollback(app);
        else
            tsdb_app_commit(app, &err);
    }
    list_del(w, l);
    scri_loop_free(l);
}

/* stop: the manager no longer wants l. */
static void stop(struct scri_worker *w, struct scri_loop *l, bool stale)
{
    if (l->state == SCRI_ENDING)
        return;
    if (!stale || !l->scraped || l->state == SCRI_BROKEN) {
        destroy(w, l);
        return;
    }
    if (l->state == SCRI_SCRAPING) {
        curl_multi_remove_handle(w->multi, l->easy);
        int64_t now = scri_wall_ms();
        while (l->next_ms <= now)
            l->next_ms += l->interval_ms;
    } else {
        heap_remove(w, l);
    }
    l->state = SCRI_ENDING;
    l->stale_ts = l->next_ms;
    l->next_ms += l->interval_ms + l->interval_ms / 10;
    schedule(w, l);
}

static void add(struct scri_worker *w, struct scri_loop *l)
{
    struct lm_err err;
    list_add(w, l);
    l->state = SCRI_IDLE;
    if (scri_http_setup(l, w->ctx->user_agent, &err)) {
        lm_error(w->ctx->log, "Cannot set up scrape", "target", l->url, "err", err.msg,
                 (const char *)NULL);
        l->state = SCRI_BROKEN;
        return;
    }
    schedule_first(l);
    schedule(w, l);
}

/* run_due: start what is due, end what is over; the poll timeout until the next. */
static long run_due(struct scri_worker *w)
{
    int64_t now = scri_wall_ms();
    while (w->nheap && w->heap[0]->next_ms <= now) {
        struct scri_loop *l = w->heap[0];
        heap_remove(w, l);
        if (l->state == SCRI_ENDING)
            end_run(w, l);
        else
            start(w, l);
        now = scri_wall_ms();
    }
    if (!w->nheap)
        return IDLE_POLL_MS;
    /* round up, so the poll does not end just before the tick */
    int64_t d = (w->heap[0]->next_ms * 1000000 - scri_wall_ns() + 999999) / 1000000;
    return d > IDLE_POLL_MS ? IDLE_POLL_MS : d < 1 ? 1 : (long)d;
}

static void *worker_main(void *arg)
{
    struct scri_worker *w = arg;
    struct msg *batch = NULL;
    size_t nbatch = 0, capbatch = 0;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        bool quit = w->quit;
        struct msg *t = batch;
        size_t tc = capbatch;
        batch = w->inbox;
        nbatch = w->ninbox;
        capbatch = w->capinbox;
        w->inbox = t;
        w->capinbox = tc;
        w->ninbox = 0;
        pthread_mutex_unlock(&w->mu);
        for (size_t i = 0; i < nbatch; i++) {
            if (batch[i].kind == MSG_ADD)
                add(w, batch[i].l);
            else
                stop(w, batch[i].l, batch[i].kind == MSG_STOP);
        }
        if (quit)
            break;
        long timeout = run_due(w);
        int running = 0;
        curl_multi_perform(w->multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(w->multi, &left))) {
            if (m->msg != CURLMSG_DONE)
                continue;
            struct scri_loop *l = NULL;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&l);
            finish(w, l, m->data.result);
            timeout = 0;
        }
        long ct = -1;
        curl_multi_timeout(w->multi, &ct);
        if (ct >= 0 && ct < timeout)
            timeout = ct;
        if (timeout > 0)
            curl_multi_poll(w->multi, NULL, 0, (int)timeout, NULL);
    }
    lm_free(batch);
    while (w->loops)
        destroy(w, w->loops);
    return NULL;
}

struct scri_worker *scri_worker_new(struct scri_ctx *ctx, struct lm_err *err)
{
    struct scri_worker *w = lm_calloc(1, sizeof *w);
    if (!w) {
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        return NULL;
    }
    w->ctx = ctx;
    pthread_mutex_init(&w->mu, NULL);
    w->multi = curl_multi_init();
    w->ptext = lm_parser_new(LM_FORMAT_TEXT);
    w->pom = lm_parser_new(LM_FORMAT_OPENMETRICS);
    if (!w->multi || !w->ptext || !w->pom) {
        lm_err_set(err, LM_ENOMEM, NULL, "cannot create a libcurl multi handle or parser");
        goto fail;
    }
    if (pthread_create(&w->th, NULL, worker_main, w)) {
        lm_err_set(err, LM_EIO, NULL, "cannot start a scrape thread");
        goto fail;
    }
    return w;
fail:
    if (w->multi)
        curl_multi_cleanup(w->multi);
    lm_parser_free(w->ptext);
    lm_parser_free(w->pom);
    pthread_mutex_destroy(&w->mu);
    lm_free(w);
    return NULL;
}

/* post: queue a message and wake the thread. */
static int post(struct scri_worker *w, struct scri_loop *l, int kind)
{
    pthread_mutex_lock(&w->mu);
    if (w->ninbox == w->capinbox) {
        size_t cap = w->capinbox ? w->capinbox * 2 : 64;
        struct msg *m = lm_realloc(w->inbox, cap * sizeof *m);
        if (!m) {
            pthread_mutex_unlock(&w->mu);
            return LM_ENOMEM;
        }
        w->inbox = m;
        w->capinbox = cap;
    }
    w->inbox[w->ninbox++] = (struct msg){l, kind};
    pthread_mutex_unlock(&w->mu);
    curl_multi_wakeup(w->multi);
    return 0;
}

int scri_worker_add(struct scri_worker *w, struct scri_loop *l)
{
    l->w = w;
    int rc = post(w, l, MSG_ADD);
    if (!rc)
        atomic_fetch_add(&w->load, 1);
    return rc;
}

int scri_worker_stop(struct scri_worker *w, struct scri_loop *l, bool stale)
{
    int rc = post(w, l, stale ? MSG_STOP : MSG_DROP);
    if (!rc)
        atomic_fetch_sub(&w->load, 1);
    return rc;
}

size_t scri_worker_load(const struct scri_worker *w)
{
    return atomic_load(&((struct scri_worker *)w)->load);
}

void scri_worker_free(struct scri_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->quit = true;
    pthread_mutex_unlock(&w->mu);
    curl_multi_wakeup(w->multi);
    pthread_join(w->th, NULL);
    lm_free(w->inbox);
    lm_free(w->heap);
    curl_multi_cleanup(w->multi);
    lm_parser_free(w->ptext);
    lm_parser_free(w->pom);
    for (size_t i = 0; i < w->nspare; i++)
        lm_buf_cleanup(&w->spare[i]);
    pthread_mutex_destroy(&w->mu);
    lm_free(w);
}
