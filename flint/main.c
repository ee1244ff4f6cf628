/* SPDX-License-Identifier: Apache-2.0 */
/* main.c: flint's entry point, as Prometheus's cmd/prometheus: the `tsdb` subcommands,
 * then flags, logging, the TSDB, flint's own metrics, the server wiring (config ->
 * discovery -> scrape -> tsdb), the PromQL engine, the HTTP API, and the signal loop
 * (SIGHUP reloads, SIGTERM/SIGINT or /-/quit stop). */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flint/api/api.h"
#include "flint/config/config.h"
#include "flint/promql/engine.h"
#include "flint/server/server.h"
#include "flint/server/settings.h"
#include "flint/tsdb/tsdb.h"
#include "flint/tsdb/tsdb_cli.h"
#include "lm/alloc.h"
#include "lm/flags.h"
#include "lm/http.h"
#include "lm/log.h"
#include "lm/process.h"
#include "lm/registry.h"
#include "lm/webcfg.h"

#define MAX_FLAGS 64   /* entries of srv_flag_table, for /api/v1/status/flags */

/* Everything main starts, for one teardown path. */
struct flint {
    struct lm_flags *flags;          /* parsed command line */
    struct srv_settings set;         /* checked settings */
    struct lm_log *log;              /* the logger */
    struct lm_webcfg *webcfg;        /* --web.config.file, or NULL */
    struct lm_registry *reg;         /* flint's own metrics */
    struct tsdb *db;                 /* the database */
    struct srv *srv;                 /* the wiring */
    struct pql_engine *engine;       /* PromQL */
    struct api *api;                 /* the HTTP API */
    struct lm_http_server *http;     /* the listener */
    struct api_flag aflags[MAX_FLAGS]; /* flag values for the API */
};

/* flint_tsdb_main: `flint tsdb import openmetrics FILE [DIR]`, `flint tsdb analyze
 * [DIR]`; argv starts at "tsdb". */
static int
flint_tsdb_main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "import"))
        return tsdb_cli_import(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "analyze"))
        return tsdb_cli_analyze(argc - 1, argv + 1);
    fprintf(stderr, "usage: flint tsdb import openmetrics [--max-block-duration=2h] [--quiet] "
                    "FILE [DIR]\n       flint tsdb analyze [--limit=20] [DIR] [BLOCK_ID]\n");
    return 2;
}

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
teardown(struct flint *f)
{
    lm_http_server_free(f->http);
    srv_free(f->srv);
    api_free(f->api);
    pql_engine_free(f->engine);
    tsdb_close(f->db);
    lm_registry_free(f->reg);
    lm_webcfg_free(f->webcfg);
    lm_log_free(f->log);
    lm_flags_free(f->flags);
}

/* fail: log err with msg and return the exit status. */
static int
fail(struct flint *f, const char *msg, const struct lm_err *err)
{
    char m[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX];
    lm_err_format(err, m, sizeof m);
    if (f->log)
        lm_error(f->log, msg, "err", m, NULL);
    else
        fprintf(stderr, "flint: error: %s: %s\n", msg, m);
    return 1;
}

/* parse_flags: flags, settings and the logger. -1: exit 0 (--help, --version). */
static int
parse_flags(struct flint *f, int argc, char **argv, struct lm_err *err)
{
    bool exit_now = false;
    enum lm_log_level lvl;
    enum lm_log_format fmt;
    f->flags = lm_flags_new("flint", "The Flint monitoring server");
    if (!f->flags || lm_flags_add_table(f->flags, srv_flag_table))
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    if (lm_flags_parse(f->flags, argc, argv, stdout, &exit_now, err))
        return err->code;
    if (exit_now)
        return -1;
    if (srv_settings_from_flags(f->flags, &f->set, err))
        return err->code;
    if (lm_log_level_parse(f->set.log_level, &lvl))
        return lm_err_set(err, LM_EINVAL, "--log.level", "unrecognized log level \"%s\"",
                          f->set.log_level);
    if (lm_log_format_parse(f->set.log_format, &fmt))
        return lm_err_set(err, LM_EINVAL, "--log.format", "unrecognized log format \"%s\"",
                          f->set.log_format);
    if (!(f->log = lm_log_new(stderr, lvl, fmt)))
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    size_t n = 0;
    for (const struct lm_flag_desc *d = srv_flag_table; d->name && n < MAX_FLAGS; d++, n++)
        f->aflags[n] = (struct api_flag){d->name, lm_flags_get(f->flags, d->name)};
    return 0;
}

/* open_storage: the TSDB and flint's own metrics. */
static int
open_storage(struct flint *f, struct lm_err *err)
{
    struct tsdb_opts to = {
        .dir = f->set.tsdb_path,
        .retention_ms = f->set.retention_ms ? f->set.retention_ms : SRV_RETENTION_MAX_MS,
        .retention_bytes = f->set.retention_bytes,
        .block_range_ms = f->set.min_block_ms,
        .wal_compression = f->set.wal_compression,
        .log = f->log,
    };
    if (f->set.deprecated_retention)
        lm_warn(f->log, "'storage.tsdb.retention' flag is deprecated use "
                        "'storage.tsdb.retention.time' instead.", "component", "main", NULL);
    lm_info(f->log, "Starting TSDB ...", "path", f->set.tsdb_path, "retention",
            f->set.retention_str, NULL);
    if (!(f->db = tsdb_open(&to, err)))
        return err->code ? err->code : LM_EIO;
    lm_info(f->log, "TSDB started", NULL, NULL);
    if (!(f->reg = lm_registry_new()))
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    if (lm_process_register(f->reg, err) ||
        lm_build_info_register(f->reg, "prometheus", NULL, NULL, NULL, err))
        return err->code;
    int rc = tsdb_register_metrics(f->db, f->reg);
    if (rc)
        return lm_err_set(err, rc, NULL, "cannot register the TSDB metrics");
    return 0;
}

/* start_web: the engine, the API and the HTTP listener. */
static int
start_web(struct flint *f, struct lm_err *err)
{
    struct pql_engine_opts eo = {
        .timeout_ms = f->set.query_timeout_ms,
        .max_samples = f->set.query_max_samples,
        .lookback_ms = f->set.lookback_ms,
        .max_concurrency = f->set.query_max_concurrency,
    };
    if (!(f->engine = pql_engine_new(&eo)))
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    struct api_backend be;
    srv_api_backend(f->srv, &be);
    size_t nflags = 0;
    while (nflags < MAX_FLAGS && f->aflags[nflags].name)
        nflags++;
    struct api_opts ao = {
        .db = f->db,
        .engine = f->engine,
        .reg = f->reg,
        .log = f->log,
        .be = &be,
        .flags = f->aflags,
        .nflags = nflags,
        .enable_lifecycle = f->set.enable_lifecycle,
        .enable_admin = f->set.enable_admin,
        .data_dir = f->set.tsdb_path,
        .external_url = f->set.external_url,
        .lookback_ms = f->set.lookback_ms,
        .storage_retention = f->set.retention_str,
        .start_time_ms = now_ms(),
    };
    if (!(f->api = api_new(&ao)))
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    if (*f->set.web_config_file && lm_webcfg_load(f->set.web_config_file, &f->webcfg, err))
        return err->code;
    const char *listen[1] = {f->set.listen};
    struct lm_http_options ho;
    lm_http_options_init(&ho);
    ho.listen = listen;
    ho.nlisten = 1;
    ho.max_requests = 0;
    ho.timeout_s = (unsigned)(f->set.read_timeout_ms / 1000);
    ho.webcfg = f->webcfg;
    ho.log = f->log;
    if (!(f->http = lm_http_server_new(&ho, err)))
        return err->code;
    int rc = api_register(f->api, f->http);
    if (rc)
        return lm_err_set(err, rc, NULL, "cannot register the HTTP routes");
    if ((rc = lm_http_server_start(f->http, err)))
        return rc;
    lm_info(f->log, "Listening on", "address", f->set.listen, NULL);
    return 0;
}

/* serve: wait for signals until asked to stop. */
static void
serve(struct flint *f, const sigset_t *sigs)
{
    lm_info(f->log, "Server is ready to receive web requests.", NULL, NULL);
    for (;;) {
        struct timespec tick = {0, 200 * 1000 * 1000};
        int sig = sigtimedwait(sigs, NULL, &tick);
        if (sig == SIGHUP) {
            struct lm_err err = {0};
            srv_reload(f->srv, &err);   /* logs the outcome itself */
        } else if (sig == SIGTERM || sig == SIGINT) {
            lm_warn(f->log, "Received termination request, exiting gracefully...", "signal",
                    sig == SIGTERM ? "terminated" : "interrupt", NULL);
            break;
        }
        if (srv_quit_requested(f->srv)) {
            lm_warn(f->log, "Received termination request via web service, exiting "
                            "gracefully...", NULL, NULL);
            break;
        }
    }
}

/* tune_malloc: a query allocates and frees tens of MiB; with glibc's defaults those go
 * back to the kernel (munmap, trim) after each query and fault in again on the next,
 * which cost 3-4x in query latency (perf: sysmalloc and page faults on top). Keep freed
 * memory for reuse instead: big blocks from the heap, trim only past 256 MiB free. */
static void tune_malloc(void)
{
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 32 << 20);
}

int
main(int argc, char **argv)
{
    struct flint f;
    struct lm_err err = {0};
    sigset_t sigs;
    memset(&f, 0, sizeof f);
    if (argc > 1 && !strcmp(argv[1], "tsdb"))
        return flint_tsdb_main(argc - 1, argv + 1);
    tune_malloc();
    /* every thread started from here on inherits the blocked set; main waits for them */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGHUP);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    int rc = parse_flags(&f, argc, argv, &err);
    if (rc < 0) {
        teardown(&f);
        return 0;
    }
    int status = 0;
    if (rc) {
        status = fail(&f, "Error parsing command line arguments", &err);
    } else if (open_storage(&f, &err)) {
        status = fail(&f, "Opening storage failed", &err);
    } else {
        struct srv_opts so = {.config_file = f.set.config_file, .db = f.db, .log = f.log,
                              .reg = f.reg};
        if (!(f.srv = srv_new(&so, &err)))
            status = fail(&f, "Error loading config", &err);
        else if (start_web(&f, &err))
            status = fail(&f, "Error starting web server", &err);
        else
            serve(&f, &sigs);
    }
    if (f.http)
        lm_http_server_stop(f.http);
    lm_info(f.log, "See you next time!", NULL, NULL);
    teardown(&f);
    return status;
}
