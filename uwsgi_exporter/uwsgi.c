/* SPDX-License-Identifier: Apache-2.0 */
/* uwsgi.c: the uwsgi collector: on each scrape, reads every configured stats endpoint
 * (--stats.uri, repeated, plus the unix sockets --stats.glob matches now) concurrently,
 * one thread each under a common deadline, then parses each document and emits
 * timonwong/uwsgi_exporter's metric names with a stats_uri label per endpoint. A failed
 * endpoint gives uwsgi_up 0 and a log line; the others still report. The stats client is
 * proto/uwsgi_stats.h; this file maps its structs to samples. */
#include <glob.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/exporter.h"
#include "lm/flags.h"
#include "lm/log.h"
#include "lm/duration.h"
#include "proto/uwsgi_stats.h"
#include "uwsgi_exporter/uw.h"

#define MAX_ENDPOINTS 1024          /* endpoints read in one scrape */
#define THREAD_STACK (256 * 1024)   /* reader threads do socket I/O only */
#define LOGGED_MAX (64 * 1024)      /* remembered "uri\terror" lines, bytes */

static const struct lm_flag_desc uw_flags[] = {
    {"stats.uri", "",
     "URI of a uWSGI stats server: unix:///path, tcp://host:port, http://host:port "
     "(--stats-http) or file:///path. Repeat for several endpoints.", false, true},
    {"stats.glob", "",
     "Glob of stats unix socket paths (e.g. /run/uwsgi/*.stats.sock), expanded at every "
     "scrape; each match is read as unix://PATH.", false},
    {"stats.timeout", "5s",
     "Time limit for reading all endpoints in one scrape (endpoints are read in "
     "parallel). Lowered to the scrape timeout minus --timeout-offset when Prometheus "
     "sends X-Prometheus-Scrape-Timeout-Seconds.", false},
    {"timeout-offset", "0.25",
     "Offset to subtract from the scrape timeout, in seconds.", false},
    {"collect.cores", "false", "Collect per-core metrics (uwsgi_worker_core_*).", true},
    {NULL, NULL, NULL, false},
};

/* The collector's state: configuration from flags plus the exporter's own counters.
 * The runner serialises collect calls, so no lock is needed. */
struct uw_state {
    const char *const *uris;  /* --stats.uri values (views into the flags) */
    size_t nuris;             /* count of uris */
    const char *glob;      /* --stats.glob (a view into the flags), "" for none */
    bool cores;            /* --collect.cores */
    double timeout;        /* --stats.timeout, seconds */
    double offset;         /* --timeout-offset, seconds */
    double scrapes;        /* uwsgi_exporter_scrapes_total */
    double errors;         /* uwsgi_exporter_scrape_errors_total */
    double dur_sum;        /* scrape duration summary: sum */
    double dur_count;      /* scrape duration summary: count */
    struct lm_buf logged;  /* "uri\terror\n" lines logged at warn last scrape */
};

/* One endpoint read in one scrape; lives in the emitter's arena. */
struct job {
    const char *uri;       /* arena or state string */
    double deadline;       /* CLOCK_MONOTONIC seconds */
    struct lm_buf doc;     /* what was read */
    struct lm_err err;     /* why it failed */
    int rc;                /* 0 or LM_E* */
    pthread_t th;          /* reader thread */
    bool threaded;         /* th was started */
};

/* A worker number field: metric name, help, type, offset and scale. */
struct wfield {
    const char *name;      /* metric name */
    const char *help;      /* HELP text */
    enum lm_type type;     /* counter or gauge */
    size_t off;            /* offsetof in struct proto_uwsgi_worker */
    double scale;          /* multiplier to base units */
};

#define W(f) offsetof(struct proto_uwsgi_worker, f)
static const struct wfield wfields[] = {
    {"uwsgi_worker_accepting", "Is this worker accepting requests?", LM_TYPE_GAUGE,
     W(accepting), 1},
    {"uwsgi_worker_delta_requests", "Number of requests since the last stats reset.",
     LM_TYPE_GAUGE, W(delta_requests), 1},
    {"uwsgi_worker_signal_queue_length", "Length of the worker's signal queue.",
     LM_TYPE_GAUGE, W(signal_queue), 1},
    {"uwsgi_worker_rss_bytes", "Worker RSS bytes (needs uWSGI --memory-report).",
     LM_TYPE_GAUGE, W(rss), 1},
    {"uwsgi_worker_vsz_bytes", "Worker VSZ bytes (needs uWSGI --memory-report).",
     LM_TYPE_GAUGE, W(vsz), 1},
    {"uwsgi_worker_running_time_seconds", "Worker running time in seconds.", LM_TYPE_GAUGE,
     W(running_time), 1e-6},
    {"uwsgi_worker_last_spawn_time_seconds", "Last spawn time of the worker, in seconds "
     "since the epoch.", LM_TYPE_GAUGE, W(last_spawn), 1},
    {"uwsgi_worker_average_response_time_seconds", "Average response time in seconds.",
     LM_TYPE_GAUGE, W(avg_rt), 1e-6},
    {"uwsgi_worker_requests_total", "Total number of requests.", LM_TYPE_COUNTER,
     W(requests), 1},
    {"uwsgi_worker_exceptions_total", "Total number of exceptions.", LM_TYPE_COUNTER,
     W(exceptions), 1},
    {"uwsgi_worker_harakiri_count_total", "Total number of harakiri kills.",
     LM_TYPE_COUNTER, W(harakiri_count), 1},
    {"uwsgi_worker_signals_total", "Total number of uWSGI signals handled.",
     LM_TYPE_COUNTER, W(signals), 1},
    {"uwsgi_worker_respawn_count_total", "Total number of respawns.", LM_TYPE_COUNTER,
     W(respawn_count), 1},
    {"uwsgi_worker_transmitted_bytes_total", "Total bytes transmitted.", LM_TYPE_COUNTER,
     W(tx), 1},
};
#undef W

static int
uw_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    size_t nuris = 0;
    const char *const *uris = lm_flags_get_all(ctx->flags, "stats.uri", &nuris);
    const char *glb = lm_flags_get(ctx->flags, "stats.glob");
    double timeout, offset = 0;
    if (!nuris && (!glb || !*glb))
        return lm_err_set(err, LM_ECONFIG, "--stats.uri",
                          "give at least one --stats.uri or a --stats.glob");
    int rc = lm_duration_parse(lm_flags_get(ctx->flags, "stats.timeout"),
                                  "--stats.timeout", &timeout, err);
    const char *off = lm_flags_get(ctx->flags, "timeout-offset");
    if (!rc && off && *off && strtod(off, NULL) > 0)
        rc = lm_duration_parse(off, "--timeout-offset", &offset, err);
    if (rc)
        return rc;
    struct uw_state *s = lm_calloc(1, sizeof *s);
    if (!s)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    s->uris = uris;
    s->nuris = nuris;
    s->glob = glb ? glb : "";
    s->cores = lm_flags_get_bool(ctx->flags, "collect.cores");
    s->timeout = timeout;
    s->offset = offset;
    lm_buf_init(&s->logged, LOGGED_MAX);
    proto_uwsgi_global_init();
    *state = s;
    return 0;
}

static void
uw_fini(void *state)
{
    struct uw_state *s = state;
    if (!s)
        return;
    lm_buf_cleanup(&s->logged);
    lm_free(s);
}

/* reader: a thread body: one endpoint's document into j->doc. */
static void *
reader(void *arg)
{
    struct job *j = arg;
    j->rc = proto_uwsgi_read(j->uri, j->deadline, &j->doc, &j->err);
    return NULL;
}

/* add_job: append uri (borrowed: must live until the scrape ends) to jobs (room for
 * max). */
static void
add_job(struct job *jobs, size_t max, size_t *n, const char *uri, double deadline)
{
    if (*n >= max)
        return;
    struct job *j = &jobs[(*n)++];
    j->uri = uri;
    j->deadline = deadline;
    lm_buf_init(&j->doc, PROTO_UWSGI_MAX_DOC);
    lm_err_clear(&j->err);
}

/* make_jobs: every --stats.uri and every current --stats.glob match, in that order, at
 * most MAX_ENDPOINTS, in an array sized to them in e's arena (strings copied there too).
 * The count goes to *n; NULL on OOM. */
static struct job *
make_jobs(const struct uw_state *s, struct lm_emit *e, double deadline, size_t *n)
{
    glob_t g;
    bool globbed = s->glob[0] && glob(s->glob, 0, NULL, &g) == 0;
    size_t max = s->nuris + (globbed ? g.gl_pathc : 0);
    if (max > MAX_ENDPOINTS)
        max = MAX_ENDPOINTS;
    struct job *jobs = lm_emit_alloc(e, (max ? max : 1) * sizeof *jobs);
    *n = 0;
    for (size_t i = 0; jobs && i < s->nuris; i++)
        if (s->uris[i][0])
            add_job(jobs, max, n, s->uris[i], deadline);
    for (size_t i = 0; jobs && globbed && i < g.gl_pathc; i++) {
        size_t len = strlen("unix://") + strlen(g.gl_pathv[i]) + 1;
        char *u = lm_emit_alloc(e, len);
        if (u) {
            snprintf(u, len, "unix://%s", g.gl_pathv[i]);
            add_job(jobs, max, n, u, deadline);
        }
    }
    if (globbed)
        globfree(&g);
    return jobs;
}

/* read_all: run every job, in parallel threads where possible. */
static void
read_all(struct job *jobs, size_t n)
{
    pthread_attr_t attr;
    bool have_attr = pthread_attr_init(&attr) == 0;
    if (have_attr)
        pthread_attr_setstacksize(&attr, THREAD_STACK);
    for (size_t i = 0; i < n; i++) {
        if (n > 1)
            jobs[i].threaded =
                pthread_create(&jobs[i].th, have_attr ? &attr : NULL, reader, &jobs[i]) == 0;
        if (!jobs[i].threaded)
            reader(&jobs[i]);
    }
    for (size_t i = 0; i < n; i++)
        if (jobs[i].threaded)
            pthread_join(jobs[i].th, NULL);
    if (have_attr)
        pthread_attr_destroy(&attr);
}

/* emit_workers: the per-worker, per-app and (optionally) per-core families. */
static void
emit_workers(const struct uw_state *s, struct lm_emit *e, const char *uri,
             const struct proto_uwsgi_stats *st)
{
    char wid[32], aid[32], cid[32];
    for (size_t f = 0; f < sizeof wfields / sizeof wfields[0]; f++) {
        lm_emit_family(e, wfields[f].name, wfields[f].help, wfields[f].type);
        for (size_t i = 0; i < st->nworkers; i++) {
            const struct proto_uwsgi_worker *w = &st->workers[i];
            double v = *(const double *)((const char *)w + wfields[f].off);
            snprintf(wid, sizeof wid, "%.0f", w->id);
            lm_emit_samplev(e, v * wfields[f].scale, "stats_uri", uri, "worker_id", wid, NULL);
        }
    }
    static const char *const statuses[] = {"busy", "idle", "cheap"};
    for (size_t k = 0; k < 3; k++) {
        char name[64], help[96];
        snprintf(name, sizeof name, "uwsgi_worker_%s", statuses[k]);
        snprintf(help, sizeof help, "Is the worker %s?", statuses[k]);
        lm_emit_family(e, name, help, LM_TYPE_GAUGE);
        for (size_t i = 0; i < st->nworkers; i++) {
            snprintf(wid, sizeof wid, "%.0f", st->workers[i].id);
            lm_emit_samplev(e, strcmp(st->workers[i].status, statuses[k]) == 0 ? 1.0 : 0.0,
                            "stats_uri", uri, "worker_id", wid, NULL);
        }
    }
    lm_emit_family(e, "uwsgi_worker_apps", "Number of apps.", LM_TYPE_GAUGE);
    for (size_t i = 0; i < st->nworkers; i++) {
        snprintf(wid, sizeof wid, "%.0f", st->workers[i].id);
        lm_emit_samplev(e, (double)st->workers[i].napps, "stats_uri", uri, "worker_id", wid,
                        NULL);
    }
    lm_emit_family(e, "uwsgi_worker_cores", "Number of cores.", LM_TYPE_GAUGE);
    for (size_t i = 0; i < st->nworkers; i++) {
        snprintf(wid, sizeof wid, "%.0f", st->workers[i].id);
        lm_emit_samplev(e, (double)st->workers[i].ncores, "stats_uri", uri, "worker_id", wid,
                        NULL);
    }
    static const struct {
        const char *name;  /* metric name */
        const char *help;  /* HELP text */
        enum lm_type type; /* gauge or counter */
        int which;         /* 0 startup_time, 1 requests, 2 exceptions */
    } afields[] = {
        {"uwsgi_worker_app_startup_time_seconds", "How long this app took to start.",
         LM_TYPE_GAUGE, 0},
        {"uwsgi_worker_app_requests_total", "Total number of requests.", LM_TYPE_COUNTER, 1},
        {"uwsgi_worker_app_exceptions_total", "Total number of exceptions.",
         LM_TYPE_COUNTER, 2},
    };
    for (size_t f = 0; f < 3; f++) {
        lm_emit_family(e, afields[f].name, afields[f].help, afields[f].type);
        for (size_t i = 0; i < st->nworkers; i++) {
            const struct proto_uwsgi_worker *w = &st->workers[i];
            snprintf(wid, sizeof wid, "%.0f", w->id);
            for (size_t j = 0; j < w->napps; j++) {
                const struct proto_uwsgi_app *a = &w->apps[j];
                double v = afields[f].which == 0   ? a->startup_time
                           : afields[f].which == 1 ? a->requests
                                                   : a->exceptions;
                snprintf(aid, sizeof aid, "%.0f", a->id);
                lm_emit_samplev(e, v, "app_id", aid, "chdir", a->chdir, "mountpoint",
                                a->mountpoint, "stats_uri", uri, "worker_id", wid, NULL);
            }
        }
    }
    if (!s->cores)
        return;
    static const struct {
        const char *name;  /* metric name */
        const char *help;  /* HELP text */
        enum lm_type type; /* gauge or counter */
        size_t off;        /* offsetof in struct proto_uwsgi_core */
    } cfields[] = {
        {"uwsgi_worker_core_busy", "Is the core busy?", LM_TYPE_GAUGE,
         offsetof(struct proto_uwsgi_core, in_request)},
        {"uwsgi_worker_core_requests_total", "Total number of requests.", LM_TYPE_COUNTER,
         offsetof(struct proto_uwsgi_core, requests)},
        {"uwsgi_worker_core_static_requests_total", "Total number of static requests.",
         LM_TYPE_COUNTER, offsetof(struct proto_uwsgi_core, static_requests)},
        {"uwsgi_worker_core_routed_requests_total", "Total number of routed requests.",
         LM_TYPE_COUNTER, offsetof(struct proto_uwsgi_core, routed_requests)},
        {"uwsgi_worker_core_offloaded_requests_total", "Total number of offloaded requests.",
         LM_TYPE_COUNTER, offsetof(struct proto_uwsgi_core, offloaded_requests)},
        {"uwsgi_worker_core_write_errors_total", "Total number of write errors.",
         LM_TYPE_COUNTER, offsetof(struct proto_uwsgi_core, write_errors)},
        {"uwsgi_worker_core_read_errors_total", "Total number of read errors.",
         LM_TYPE_COUNTER, offsetof(struct proto_uwsgi_core, read_errors)},
    };
    for (size_t f = 0; f < sizeof cfields / sizeof cfields[0]; f++) {
        lm_emit_family(e, cfields[f].name, cfields[f].help, cfields[f].type);
        for (size_t i = 0; i < st->nworkers; i++) {
            const struct proto_uwsgi_worker *w = &st->workers[i];
            snprintf(wid, sizeof wid, "%.0f", w->id);
            for (size_t j = 0; j < w->ncores; j++) {
                double v = *(const double *)((const char *)&w->cores[j] + cfields[f].off);
                snprintf(cid, sizeof cid, "%.0f", w->cores[j].id);
                lm_emit_samplev(e, v, "core_id", cid, "stats_uri", uri, "worker_id", wid,
                                NULL);
            }
        }
    }
}

/* emit_stats: every family for one endpoint's document. */
static void
emit_stats(const struct uw_state *s, struct lm_emit *e, const char *uri,
           const struct proto_uwsgi_stats *st)
{
    lm_emit_family(e, "uwsgi_listen_queue_length", "Length of the listen queue.",
                   LM_TYPE_GAUGE);
    lm_emit_samplev(e, st->listen_queue, "stats_uri", uri, NULL);
    lm_emit_family(e, "uwsgi_listen_queue_errors", "Number of listen queue errors.",
                   LM_TYPE_GAUGE);
    lm_emit_samplev(e, st->listen_queue_errors, "stats_uri", uri, NULL);
    lm_emit_family(e, "uwsgi_signal_queue_length", "Length of the signal queue.",
                   LM_TYPE_GAUGE);
    lm_emit_samplev(e, st->signal_queue, "stats_uri", uri, NULL);
    double nw = 0;
    for (size_t i = 0; i < st->nworkers; i++)
        nw += st->workers[i].id != 0;
    lm_emit_family(e, "uwsgi_workers", "Number of workers.", LM_TYPE_GAUGE);
    lm_emit_samplev(e, nw, "stats_uri", uri, NULL);

    static const char *const sock_names[] = {"uwsgi_socket_queue_length",
                                             "uwsgi_socket_max_queue_length",
                                             "uwsgi_socket_shared", "uwsgi_socket_can_offload"};
    static const char *const sock_help[] = {"Length of the socket queue.",
                                            "Max length of the socket queue.",
                                            "Is the socket shared?", "Can socket offload?"};
    for (size_t f = 0; f < 4; f++) {
        lm_emit_family(e, sock_names[f], sock_help[f], LM_TYPE_GAUGE);
        for (size_t i = 0; i < st->nsockets; i++) {
            const struct proto_uwsgi_socket *so = &st->sockets[i];
            bool dup = false;   /* first name+proto wins (upstream bug #22) */
            for (size_t k = 0; k < i && !dup; k++)
                dup = !strcmp(st->sockets[k].name, so->name) &&
                      !strcmp(st->sockets[k].proto, so->proto);
            double v = f == 0 ? so->queue : f == 1 ? so->max_queue : f == 2 ? so->shared
                                                                            : so->can_offload;
            if (!dup)
                lm_emit_samplev(e, v, "name", so->name, "proto", so->proto, "stats_uri", uri,
                                NULL);
        }
    }
    emit_workers(s, e, uri, st);

    static const char *const cache_names[] = {"uwsgi_cache_hits", "uwsgi_cache_misses",
                                              "uwsgi_cache_full", "uwsgi_cache_items",
                                              "uwsgi_cache_max_items"};
    static const char *const cache_help[] = {"Total number of cache hits.",
                                             "Total number of cache misses.",
                                             "Total number of times the cache was full.",
                                             "Items in the cache.", "Capacity of the cache."};
    for (size_t f = 0; f < 5 && st->ncaches; f++) {
        lm_emit_family(e, cache_names[f], cache_help[f], f < 3 ? LM_TYPE_COUNTER : LM_TYPE_GAUGE);
        for (size_t i = 0; i < st->ncaches; i++) {
            const struct proto_uwsgi_cache *c = &st->caches[i];
            double v = f == 0 ? c->hits : f == 1 ? c->miss : f == 2 ? c->full
                       : f == 3 ? c->items : c->max_items;
            lm_emit_samplev(e, v, "name", c->name, "stats_uri", uri, NULL);
        }
    }
}

/* note_failure: log a failed endpoint at warn when its error is new since the last
 * scrape, at debug otherwise; remember it in next. */
static void
note_failure(struct uw_state *s, const struct lm_collect_ctx *ctx, const struct job *j,
             struct lm_buf *next)
{
    char line[LM_ERR_MSG_MAX + 2 * LM_ERR_WHERE_MAX + 16];
    char msg[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX + 8];
    /* the uri is its own log key: name the place only when it says more ("line 3...") */
    bool where = j->err.where[0] && strcmp(j->err.where, j->uri) != 0;
    snprintf(msg, sizeof msg, "%s%s%s", where ? j->err.where : "", where ? ": " : "",
             j->err.msg);
    snprintf(line, sizeof line, "%s\t%s\n", j->uri, msg);
    bool seen = s->logged.len && memmem(s->logged.data, s->logged.len, line, strlen(line));
    if (seen)
        lm_debug(ctx->log, "error reading uWSGI stats", "stats_uri", j->uri, "err", msg, NULL);
    else
        lm_warn(ctx->log, "error reading uWSGI stats", "stats_uri", j->uri, "err", msg, NULL);
    lm_buf_puts(next, line);
}

static int
uw_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
           struct lm_err *err)
{
    struct uw_state *s = state;
    double t0 = lm_monotonic();
    double deadline = t0 + s->timeout;
    if (ctx->deadline > 0 && ctx->deadline - s->offset < deadline)
        deadline = ctx->deadline - s->offset;
    size_t n;
    struct job *jobs = make_jobs(s, e, deadline, &n);
    if (!jobs)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    read_all(jobs, n);

    struct lm_buf next;
    lm_buf_init(&next, LOGGED_MAX);
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        struct job *j = &jobs[i];
        struct proto_uwsgi_stats *st = NULL;
        if (!j->rc)
            j->rc = proto_uwsgi_parse(j->doc.data, j->doc.len, &st, &j->err);
        lm_buf_cleanup(&j->doc);
        lm_emit_family(e, "uwsgi_up", "Whether the uWSGI stats server could be read.",
                       LM_TYPE_GAUGE);
        lm_emit_samplev(e, j->rc ? 0.0 : 1.0, "stats_uri", j->uri, NULL);
        if (j->rc) {
            failed++;
            note_failure(s, ctx, j, &next);
            continue;
        }
        emit_stats(s, e, j->uri, st);
        proto_uwsgi_stats_free(st);
    }
    lm_buf_cleanup(&s->logged);
    s->logged = next;

    double dur = lm_monotonic() - t0;
    s->scrapes++;
    s->errors += (double)failed;
    s->dur_sum += dur;
    s->dur_count++;
    lm_emit_one(e, "uwsgi_exporter_scrapes_total", "Current total uWSGI scrapes.",
                LM_TYPE_COUNTER, s->scrapes);
    lm_emit_one(e, "uwsgi_exporter_scrape_errors_total",
                "Total number of endpoint reads that failed.", LM_TYPE_COUNTER, s->errors);
    lm_emit_one(e, "uwsgi_exporter_last_scrape_error",
                "Whether the last scrape of metrics from uWSGI resulted in an error (1 for "
                "error, 0 for success).", LM_TYPE_GAUGE, failed ? 1.0 : 0.0);
    lm_emit_family(e, "uwsgi_exporter_scrape_duration_seconds",
                   "Duration of reading the uWSGI stats endpoints.", LM_TYPE_SUMMARY);
    lm_emit_sample_suffix(e, "_sum", NULL, 0, s->dur_sum);
    lm_emit_sample_suffix(e, "_count", NULL, 0, s->dur_count);
    /* a down endpoint is reported by uwsgi_up and logged above, not as a collector
     * failure: the other endpoints' series are good */
    return 0;
}

const struct lm_collector_desc uw_collector = {
    .name = "uwsgi",
    .enabled_by_default = true,
    .flags = uw_flags,
    .init = uw_init,
    .collect = uw_collect,
    .fini = uw_fini,
};
