/* SPDX-License-Identifier: Apache-2.0 */
/* uwsgi_stats.h: a uWSGI stats server client: reads the JSON document a `stats = ...`
 * server writes (unix:///path, tcp://host:port, http://host:port for --stats-http,
 * file:///path) under a deadline, and parses it (jansson) into plain structs holding the
 * numbers uwsgi_exporter exports. Does not emit metrics or log. Includes libc headers
 * only. */
#ifndef PROTO_UWSGI_STATS_H
#define PROTO_UWSGI_STATS_H

#include <stddef.h>
#include "lm/buf.h"
#include "lm/err.h"

#define PROTO_UWSGI_MAX_DOC (16UL * 1024 * 1024)  /* stats document bytes read */
#define PROTO_UWSGI_MAX_ITEMS 65536               /* elements kept per JSON array */

/* sockets[] entry. Strings are views into the parsed document. */
struct proto_uwsgi_socket {
    const char *name;      /* "127.0.0.1:8000" or a path */
    const char *proto;     /* "uwsgi", "http", ... */
    double queue;          /* current listen queue length */
    double max_queue;      /* listen queue capacity */
    double shared;         /* 1 when shared between workers */
    double can_offload;    /* 1 when offloading is possible */
};

/* workers[i].apps[] entry. */
struct proto_uwsgi_app {
    double id;             /* app id */
    const char *mountpoint; /* "" for the default app */
    const char *chdir;     /* "" when none */
    double startup_time;   /* seconds the app took to load */
    double requests;       /* requests served */
    double exceptions;     /* exceptions raised */
};

/* workers[i].cores[] entry (one per thread / async core). */
struct proto_uwsgi_core {
    double id;                  /* core id */
    double requests;            /* requests served */
    double static_requests;     /* static files served */
    double routed_requests;     /* requests handled by the router */
    double offloaded_requests;  /* requests offloaded */
    double write_errors;        /* write errors */
    double read_errors;         /* read errors */
    double in_request;          /* 1 while serving a request */
};

/* workers[] entry. Times are as uWSGI gives them: running_time and avg_rt in
 * microseconds, last_spawn in epoch seconds. */
struct proto_uwsgi_worker {
    double id;                 /* 1-based; 0 = standby worker (adaptive mode) */
    double accepting;          /* 1 when accepting requests */
    double requests;           /* requests served since start */
    double delta_requests;     /* requests since the last stats reset */
    double exceptions;         /* exceptions raised */
    double harakiri_count;     /* harakiri kills */
    double signals;            /* uWSGI signals handled */
    double signal_queue;       /* uWSGI signals queued */
    double rss;                /* bytes (0 without --memory-report) */
    double vsz;                /* bytes (0 without --memory-report) */
    double running_time;       /* microseconds spent serving */
    double last_spawn;         /* epoch seconds */
    double respawn_count;      /* respawns */
    double tx;                 /* bytes transmitted */
    double avg_rt;             /* average response time, microseconds */
    const char *status;        /* "idle", "busy", "cheap", "pause", "sig<N>" */
    struct proto_uwsgi_app *apps;   /* owned by the stats object */
    size_t napps;              /* count of apps */
    struct proto_uwsgi_core *cores; /* owned by the stats object */
    size_t ncores;             /* count of cores */
};

/* caches[] entry (only with --cache2). */
struct proto_uwsgi_cache {
    const char *name;      /* cache name */
    double hits;           /* lookups that hit */
    double miss;           /* lookups that missed */
    double full;           /* times the cache was full */
    double items;          /* items stored */
    double max_items;      /* capacity */
};

/* A parsed stats document. Owned by the caller of proto_uwsgi_parse. */
struct proto_uwsgi_stats {
    const char *version;            /* "2.0.21", or "" */
    double listen_queue;            /* listen queue length */
    double listen_queue_errors;     /* listen queue overflows */
    double signal_queue;            /* master signal queue length */
    double load;                    /* requests being served */
    struct proto_uwsgi_socket *sockets;  /* owned */
    size_t nsockets;                /* count of sockets */
    struct proto_uwsgi_worker *workers;  /* owned */
    size_t nworkers;                /* count of workers */
    struct proto_uwsgi_cache *caches;    /* owned */
    size_t ncaches;                 /* count of caches */
    void *doc;                      /* owned json_t the string views point into */
};

/* proto_uwsgi_global_init: route jansson's allocations through lm_malloc/lm_free. Call
 * once from the main thread before any parse (jansson's allocator hook is global). */
void proto_uwsgi_global_init(void);

/* proto_uwsgi_read: the raw document at uri into out (appended; cap out->max or
 * PROTO_UWSGI_MAX_DOC, whichever is smaller), finishing by deadline (CLOCK_MONOTONIC
 * seconds, > 0). unix:// and tcp:// connect and read to EOF; http:// sends an HTTP/1.0
 * GET and keeps the body of a 200 answer; file:// reads a file. Errors (err->where is
 * uri): LM_EINVAL bad uri, LM_ENOENT socket or file missing, LM_EIO refused, permission
 * denied or a bad HTTP answer (each said in words), LM_ETIMEOUT, LM_ETOOBIG, LM_ENOMEM.
 * Thread-safe (blocking name lookup for tcp/http host names). */
int proto_uwsgi_read(const char *uri, double deadline, struct lm_buf *out,
                     struct lm_err *err) __attribute__((warn_unused_result));

/* proto_uwsgi_parse: parse len bytes of JSON (need not be NUL-terminated). On success
 * returns 0 with *out owned by the caller (free with proto_uwsgi_stats_free). Errors:
 * LM_EPARSE with err->where "line L, column C" (bad JSON) or the field path
 * ("workers[2].requests": wrong type), LM_ETOOBIG (too many array items), LM_ENOMEM.
 * *out is NULL on error. Thread-safe after proto_uwsgi_global_init. */
int proto_uwsgi_parse(const char *data, size_t len, struct proto_uwsgi_stats **out,
                      struct lm_err *err) __attribute__((warn_unused_result));

/* proto_uwsgi_stats_free: free s and every view into it (accepts NULL). */
void proto_uwsgi_stats_free(struct proto_uwsgi_stats *s);

#endif
