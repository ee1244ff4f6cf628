/* SPDX-License-Identifier: Apache-2.0 */
/* exporter.c: the exporter scaffold's start-up and /metrics body (lm/exporter.h): the
 * standard flags with upstream help texts, kingpin-style flag errors, logging set-up,
 * the start-up log lines, collector initialisation, and rendering of a scrape (collector
 * output, <prog>_build_info, process_* and promhttp_* families). Serving is in
 * exporter_http.c. */
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exporter_int.h"
#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/expo.h"
#include "lm/limits.h"
#include "lm/version.h"

int
lm_exporter_add_std_flags(struct lm_flags *f, const struct lm_exporter_desc *d)
{
    const struct lm_flag_desc listen = {
        "web.listen-address", d->default_listen ? d->default_listen : ":8080",
        "Addresses on which to expose metrics and web interface. Repeatable for multiple "
        "addresses.", false};
    const struct lm_flag_desc std[] = {
        {"web.config.file", "",
         "[EXPERIMENTAL] Path to configuration file that can enable TLS or authentication.",
         false},
        {"web.telemetry-path", d->default_path ? d->default_path : "/metrics",
         "Path under which to expose metrics.", false},
        {"web.disable-exporter-metrics", "false",
         "Exclude metrics about the exporter itself (promhttp_*, process_*, go_*).", true},
        {"web.max-requests", "40",
         "Maximum number of parallel scrape requests. Use 0 to disable.", false},
        {"log.level", "info",
         "Only log messages with the given severity or above. One of: [debug, info, warn, "
         "error]", false},
        {"log.format", "logfmt", "Output format of log messages. One of: [logfmt, json]",
         false},
        {NULL, NULL, NULL, false},
    };
    /* lm_flags copies the descriptor structs; the strings are literals or d's (static). */
    int rc = lm_flags_add(f, &listen, true);
    for (size_t i = 0; !rc && std[i].name; i++)
        rc = lm_flags_add(f, &std[i], false);
    return rc;
}

/* flag_error: kingpin's fatal error shape on stderr: "<prog>: error: <reason>". */
static void __attribute__((format(printf, 2, 3)))
flag_error(const struct lm_exporter_desc *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: error: ", d->prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int
build_flags(struct lm_exporter *x)
{
    const struct lm_exporter_desc *d = x->d;
    x->flags = lm_flags_new(d->prog, d->description);
    if (!x->flags)
        return LM_ENOMEM;
    int rc = 0;
    for (size_t i = 0; !rc && d->flag_tables && d->flag_tables[i]; i++)
        rc = lm_flags_add_table(x->flags, d->flag_tables[i]);
    if (!rc && d->collectors && !d->single_collector)
        rc = lm_runner_add_flags(x->flags, d->collectors, &x->flag_store);
    for (size_t i = 0; !rc && d->single_collector && d->collectors && d->collectors[i]; i++)
        rc = lm_flags_add_table(x->flags, d->collectors[i]->flags);   /* own flags only */
    if (!rc)
        rc = lm_exporter_add_std_flags(x->flags, d);
    for (size_t i = 0; !rc && d->aliases && d->aliases[i].alias; i++)
        rc = lm_flags_alias(x->flags, d->aliases[i].alias, d->aliases[i].target);
    return rc;
}

/* start_log: the lines upstream prints at start-up (promlog + node_exporter's main). */
static void
start_log(struct lm_exporter *x)
{
    struct lm_version v;
    lm_version_get(&v);
    char msg[128], ver[256], ctx[512];
    snprintf(msg, sizeof msg, "Starting %s", x->d->prog);
    snprintf(ver, sizeof ver, "(version=%s, branch=%s, revision=%s)", v.version, v.branch,
             v.revision);
    snprintf(ctx, sizeof ctx, "(cc=%s, platform=%s/%s, user=%s, date=%s)", v.compiler, v.os,
             v.arch, v.build_user, v.build_date);
    lm_info(x->log, msg, "version", ver, NULL);
    lm_info(x->log, "Build context", "build_context", ctx, NULL);
}

struct lm_exporter *
lm_exporter_new(const struct lm_exporter_desc *d, int argc, char **argv, int *status)
{
    *status = 1;
    struct lm_exporter *x = lm_calloc(1, sizeof *x);
    if (x)
        x->d = d;
    if (!x || build_flags(x)) {
        flag_error(d, "%s", "out of memory");
        lm_exporter_free(x);
        return NULL;
    }
    struct lm_err err;
    bool exit_now = false;
    if (lm_flags_parse(x->flags, argc, argv, stderr, &exit_now, &err)) {
        flag_error(d, "%s", err.msg);
        lm_exporter_free(x);
        return NULL;
    }
    if (exit_now) {
        *status = 0;
        lm_exporter_free(x);
        return NULL;
    }
    enum lm_log_level lvl;
    enum lm_log_format fmt;
    if (lm_log_level_parse(lm_flags_get(x->flags, "log.level"), &lvl)) {
        flag_error(d, "unrecognized log level \"%s\"", lm_flags_get(x->flags, "log.level"));
        lm_exporter_free(x);
        return NULL;
    }
    if (lm_log_format_parse(lm_flags_get(x->flags, "log.format"), &fmt)) {
        flag_error(d, "unrecognized log format \"%s\"", lm_flags_get(x->flags, "log.format"));
        lm_exporter_free(x);
        return NULL;
    }
    const char *mr = lm_flags_get(x->flags, "web.max-requests");
    char *end = NULL;
    x->max_requests = strtol(mr, &end, 10);
    if (!*mr || *end || x->max_requests < 0) {
        flag_error(d, "strconv.ParseInt: parsing \"%s\": invalid syntax", mr);
        lm_exporter_free(x);
        return NULL;
    }
    x->exporter_metrics = !lm_flags_get_bool(x->flags, "web.disable-exporter-metrics");
    x->metrics_path = lm_flags_get(x->flags, "web.telemetry-path");
    x->log = lm_log_new(stderr, lvl, fmt);
    if (!x->log) {
        flag_error(d, "%s", "out of memory");
        lm_exporter_free(x);
        return NULL;
    }
    start_log(x);
    if (d->setup) {
        lm_err_clear(&err);
        if (d->setup(x, d->ud, &err)) {
            char e[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX];
            lm_error(x->log, "Setup failed", "err", lm_err_format(&err, e, sizeof e), NULL);
            lm_exporter_free(x);
            return NULL;
        }
        x->setup_done = true;
    }
    if (d->collectors) {
        lm_err_clear(&err);
        x->runner = lm_runner_new(d->single_collector ? NULL : d->ns, d->collectors, x->flags,
                                  x->log, &err);
        if (!x->runner) {
            lm_error(x->log, "Couldn't create metrics handler", "collector",
                     err.where[0] ? err.where : "-", "err",
                     err.msg[0] ? err.msg : lm_strerror(err.code), NULL);
            lm_exporter_free(x);
            return NULL;
        }
        lm_info(x->log, "Enabled collectors", NULL);
        for (size_t i = 0; i < lm_runner_count(x->runner); i++)
            lm_info(x->log, NULL, "collector", lm_runner_name(x->runner, i), NULL);
    }
    *status = 0;
    return x;
}

void
lm_exporter_free(struct lm_exporter *x)
{
    if (!x)
        return;
    lm_runner_free(x->runner);
    if (x->setup_done && x->d->teardown)
        x->d->teardown(x, x->d->ud);
    lm_log_free(x->log);
    lm_flags_free(x->flags);
    lm_free(x->flag_store);
    lm_free(x);
}

int
lm_exporter_main(const struct lm_exporter_desc *d, int argc, char **argv)
{
    int status;
    /* A scrape allocates large buffers and frees them. With glibc's dynamic mmap
     * threshold, the first free raises the threshold and the next ones come from the
     * heap, where the memory stays resident between scrapes (~1 MB for a small exporter).
     * A fixed threshold keeps them mmapped, so they go back to the kernel when freed. */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    struct lm_exporter *x = lm_exporter_new(d, argc, argv, &status);
    if (!x)
        return status;
    status = lmi_exporter_serve(x);
    lm_exporter_free(x);
    return status;
}

const struct lm_flags *
lm_exporter_flags(const struct lm_exporter *x)
{
    return x->flags;
}

struct lm_log *
lm_exporter_log(const struct lm_exporter *x)
{
    return x->log;
}

struct lm_runner *
lm_exporter_runner(const struct lm_exporter *x)
{
    return x->runner;
}

const char *
lm_exporter_metrics_path(const struct lm_exporter *x)
{
    return x->metrics_path;
}

/* emit_build_info: <prog>_build_info with client_golang's labels; goversion carries the
 * C compiler so dashboards grouping by it keep working. */
static void
emit_build_info(struct lm_exporter *x, struct lm_emit *e)
{
    struct lm_version v;
    lm_version_get(&v);
    char name[128], help[320];
    snprintf(name, sizeof name, "%s_build_info", x->d->prog);
    snprintf(help, sizeof help,
             "A metric with a constant '1' value labeled by version, revision, branch, "
             "goversion from which %s was built, and the goos and goarch for the build.",
             x->d->prog);
    lm_emit_family(e, name, help, LM_TYPE_GAUGE);
    lm_emit_samplev(e, 1.0, "branch", v.branch, "goarch", v.arch, "goos", v.os, "goversion",
                    v.compiler, "revision", v.revision, "version", v.version, NULL);
}

/* emit_promhttp: the promhttp_metric_handler_* families client_golang adds. The current
 * request counts itself in flight; it is counted in requests_total after it finishes. */
static void
emit_promhttp(struct lm_exporter *x, struct lm_emit *e)
{
    lm_emit_family(e, "promhttp_metric_handler_errors_total",
                   "Total number of internal errors encountered by the promhttp metric handler.",
                   LM_TYPE_COUNTER);
    lm_emit_samplev(e, (double)atomic_load(&x->errors_encoding), "cause", "encoding", NULL);
    lm_emit_samplev(e, (double)atomic_load(&x->errors_gathering), "cause", "gathering", NULL);
    lm_emit_one(e, "promhttp_metric_handler_requests_in_flight",
                "Current number of scrapes being served.", LM_TYPE_GAUGE,
                (double)atomic_load(&x->in_flight));
    lm_emit_family(e, "promhttp_metric_handler_requests_total",
                   "Total number of scrapes by HTTP status code.", LM_TYPE_COUNTER);
    static const char *const codes[LMI_NCODES] = {"200", "500", "503"};
    for (int i = 0; i < LMI_NCODES; i++)
        lm_emit_samplev(e, (double)atomic_load(&x->requests[i]), "code", codes[i], NULL);
}

int
lm_exporter_render_metrics(struct lm_exporter *x, const char *accept,
                           const struct lm_runner_filter *flt, double deadline,
                           struct lm_buf *out,
                           const char **content_type, struct lm_err *err)
{
    /* The Go exporters never answer OpenMetrics; an exporter may opt in. */
    enum lm_format fmt = x->d->openmetrics ? lm_expo_negotiate(accept) : LM_FORMAT_TEXT;
    *content_type = lm_expo_content_type(fmt);
    bool filtered = flt && (flt->ncollect || flt->nexclude);
    if (filtered && x->runner) {
        int rc = lm_runner_check(x->runner, flt, err);
        if (rc)
            return rc;
    }
    struct lm_emit *e = lm_emit_new(fmt);
    if (!e)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    int rc = 0;
    if (x->runner)
        rc = lm_runner_collect(x->runner, flt, e, deadline, err);
    if (!rc) {
        emit_build_info(x, e);
        if (!filtered && x->exporter_metrics) {
            lmi_exporter_emit_process(x, e);
            emit_promhttp(x, e);
        }
        struct lm_err werr;
        lm_err_clear(&werr);
        rc = lm_expo_write_with(NULL, e, out, &werr);
        if (rc) {
            atomic_fetch_add(&x->errors_encoding, 1);
            lm_err_set(err, rc, NULL, "%s", lm_strerror(rc));
        } else if (werr.code) {
            /* ContinueOnError: the page is served, the problem logged and counted. */
            char m[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX];
            atomic_fetch_add(&x->errors_gathering, 1);
            lm_error(x->log, "error gathering metrics", "err",
                     lm_err_format(&werr, m, sizeof m), NULL);
        }
    }
    lm_emit_free(e);
    return rc;
}
