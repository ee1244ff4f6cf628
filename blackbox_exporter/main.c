/* SPDX-License-Identifier: Apache-2.0 */
/* main.c: blackbox_exporter's entry point: the exporter scaffold on :9115 with /probe and
 * /-/reload routes, the loaded blackbox.yml (swapped atomically on reload, kept while
 * probes use it; a bad file leaves the old one in place), a SIGHUP watcher thread, and
 * the probe handler: timeout choice, a fresh registry and log per probe, debug output;
 * the exporter's own families on /metrics (reload outcome, unknown modules), and the
 * probe history (history.c) on the landing page and /logs?id=N. */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "blackbox_exporter/bb.h"
#include "lm/alloc.h"
#include "lm/exporter.h"
#include "lm/http.h"
#include "lm/limits.h"
#include "lm/version.h"

#define BB_DESCRIPTION                                                                      \
    "Prometheus blackbox prober exporter (http, tcp, icmp, dns). Run as User=prometheus; "  \
    "ICMP uses unprivileged datagram sockets when net.ipv4.ping_group_range allows, else "  \
    "raw sockets (CAP_NET_RAW)."

struct cfgref {
    struct bb_config *cfg;          /* owned */
    long refs;                      /* probes using it */
};

struct bb_state {
    pthread_mutex_t mu;             /* guards cur and refs */
    struct cfgref *cur;             /* the config new probes get */
    const char *path;               /* --config.file */
    double offset;                  /* --timeout-offset */
    struct lm_log *log;             /* exporter log */
    pthread_t hup;                  /* SIGHUP watcher */
    bool hup_running;               /* hup was started */
    volatile sig_atomic_t stopping; /* teardown asked the watcher to stop */
    bool reload_ok;                 /* the last (re)load succeeded (under mu) */
    double reload_ok_time;          /* wall-clock seconds of the last success (under mu) */
    unsigned long unknown_modules;  /* probes naming an unknown module (under mu) */
    struct bb_history *hist;        /* the last --history.limit probes */
};

/* The state the self collector reads (collectors get no user data): set by main. */
static struct bb_state *self_state;

static const struct lm_flag_desc bb_flags[] = {
    {"config.file", "blackbox.yml", "Blackbox exporter configuration file.", false, false},
    {"config.check", "false",
     "If true validate the config file and then exit.", true, false},
    {"timeout-offset", "0.5", "Offset to subtract from timeout in seconds.", false, false},
    {"history.limit", "100", "The maximum amount of items to keep in the history.", false,
     false},
    {"web.external-url", "", "Accepted and ignored.", false, false},
    {"web.route-prefix", "", "Accepted and ignored.", false, false},
    {NULL, NULL, NULL, false, false},
};

static const struct lm_flag_desc *const bb_flag_tables[] = {bb_flags, NULL};

static struct cfgref *
cfg_acquire(struct bb_state *st)
{
    pthread_mutex_lock(&st->mu);
    struct cfgref *r = st->cur;
    r->refs++;
    pthread_mutex_unlock(&st->mu);
    return r;
}

static void
cfg_release(struct bb_state *st, struct cfgref *r)
{
    pthread_mutex_lock(&st->mu);
    bool dead = --r->refs == 0 && r != st->cur;
    pthread_mutex_unlock(&st->mu);
    if (dead) {
        bb_config_free(r->cfg);
        lm_free(r);
    }
}

/* reload: load the file and swap it in; on error the old config stays. 0 or LM_E*. */
static int
reload(struct bb_state *st, struct lm_err *err)
{
    struct bb_config *c = bb_config_load(st->path, err);
    if (!c) {
        pthread_mutex_lock(&st->mu);
        st->reload_ok = false;
        pthread_mutex_unlock(&st->mu);
        return err->code ? err->code : LM_ECONFIG;
    }
    struct cfgref *r = lm_calloc(1, sizeof *r);
    if (!r) {
        bb_config_free(c);
        return lm_err_set(err, LM_ENOMEM, st->path, "out of memory");
    }
    r->cfg = c;
    pthread_mutex_lock(&st->mu);
    struct cfgref *old = st->cur;
    st->cur = r;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    st->reload_ok = true;
    st->reload_ok_time = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
    bool dead = old && old->refs == 0;
    pthread_mutex_unlock(&st->mu);
    if (dead) {
        bb_config_free(old->cfg);
        lm_free(old);
    }
    return 0;
}

static void
log_reload(struct bb_state *st, int rc, const struct lm_err *err)
{
    char m[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX + 4];
    if (rc)
        lm_error(st->log, "Error reloading config", "err", lm_err_format(err, m, sizeof m),
                 NULL);
    else
        lm_info(st->log, "Reloaded config file", NULL);
}

static void *
hup_main(void *ud)
{
    struct bb_state *st = ud;
    sigset_t set;
    int sig;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    for (;;) {
        if (sigwait(&set, &sig) != 0)
            continue;
        if (st->stopping)
            return NULL;
        struct lm_err err = {0};
        log_reload(st, reload(st, &err), &err);
    }
}

static int
bb_setup(struct lm_exporter *x, void *ud, struct lm_err *err)
{
    struct bb_state *st = ud;
    const struct lm_flags *f = lm_exporter_flags(x);
    char *end;
    st->log = lm_exporter_log(x);
    st->path = lm_flags_get(f, "config.file");
    st->offset = strtod(lm_flags_get(f, "timeout-offset"), &end);
    if (*end || st->offset < 0)
        return lm_err_set(err, LM_EINVAL, "--timeout-offset", "bad value");
    const char *hl = lm_flags_get(f, "history.limit");
    unsigned long limit = strtoul(hl, &end, 10);
    if (*end || !*hl || *hl == '-' || limit > 1000000)
        return lm_err_set(err, LM_EINVAL, "--history.limit", "bad value");
    if (!(st->hist = bb_history_new(limit)))
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    int rc = reload(st, err);
    if (rc)
        return rc;
    lm_info(st->log, "Loaded config file", NULL);
    /* SIGHUP: blocked here, before the server's threads exist, so only hup_main gets it. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (pthread_create(&st->hup, NULL, hup_main, st) == 0)
        st->hup_running = true;
    return 0;
}

static void
bb_teardown(struct lm_exporter *x, void *ud)
{
    struct bb_state *st = ud;
    if (st->hup_running) {
        st->stopping = 1;
        pthread_kill(st->hup, SIGHUP);
        pthread_join(st->hup, NULL);
    }
    if (st->cur) {
        bb_config_free(st->cur->cfg);
        lm_free(st->cur);
        st->cur = NULL;
    }
    bb_history_free(st->hist);
    st->hist = NULL;
}

static double
probe_timeout(const struct bb_state *st, const struct lm_http_request *req,
              const struct bb_module *m)
{
    const char *h = lm_http_request_header(req, "X-Prometheus-Scrape-Timeout-Seconds");
    double t = 120;
    if (h) {
        char *end;
        double v = strtod(h, &end);
        if (end != h && v > 0)
            t = v;
    }
    t -= st->offset;
    if (m->timeout > 0 && (m->timeout < t || t <= 0))
        t = m->timeout;
    return t > 0 ? t : 0.001;
}

static void
module_yaml(struct lm_buf *b, const struct bb_module *m)
{
    lm_buf_printf(b, "prober: %s\n", bb_prober_name(m->prober));
    if (m->timeout > 0)
        lm_buf_printf(b, "timeout: %gs\n", m->timeout);
    lm_buf_printf(b, "http:\n  preferred_ip_protocol: ip%d\n  ip_protocol_fallback: %s\n"
                     "  follow_redirects: %s\n  enable_http2: %s\n",
                  m->http.ip.preferred, m->http.ip.fallback ? "true" : "false",
                  m->http.follow_redirects ? "true" : "false",
                  m->http.enable_http2 ? "true" : "false");
    lm_buf_printf(b, "tcp:\n  ip_protocol_fallback: %s\n",
                  m->tcp.ip.fallback ? "true" : "false");
    lm_buf_printf(b, "icmp:\n  ip_protocol_fallback: %s\n  ttl: %d\n",
                  m->icmp.ip.fallback ? "true" : "false", m->icmp.ttl);
    lm_buf_printf(b, "dns:\n  ip_protocol_fallback: %s\n  recursion_desired: %s\n",
                  m->dns.ip.fallback ? "true" : "false",
                  m->dns.recursion_desired ? "true" : "false");
}

static int
do_probe(struct bb_state *st, const struct lm_http_request *req,
         struct lm_http_response *resp, const struct bb_module *m)
{
    const struct bb_prober *pr = bb_prober_find(m->prober);
    char msg[256];
    if (!pr) {
        snprintf(msg, sizeof msg, "Unknown prober \"%s\"\n", bb_prober_name(m->prober));
        return lm_http_response_text(resp, 400, msg);
    }
    const char *dbg = lm_http_request_query(req, "debug");
    bool debug = dbg && !strcmp(dbg, "true");
    /* lm_log writes with write(2) on the FILE's descriptor: a memfd holds the lines. */
    int lfd = memfd_create("bb-probe-log", MFD_CLOEXEC);
    FILE *lf = lfd >= 0 ? fdopen(lfd, "w+") : NULL;
    if (!lf && lfd >= 0)
        close(lfd);
    struct lm_log *plog = lf ? lm_log_new(lf, LM_LOG_DEBUG, LM_LOG_LOGFMT) : NULL;
    struct lm_emit *e = lm_emit_new(LM_FORMAT_TEXT);
    int rc = LM_ENOMEM;
    if (!plog || !e)
        goto out;
    struct bb_probe p = {
        .mod = m,
        .target = lm_http_request_query(req, "target"),
        .hostname = lm_http_request_query(req, "hostname"),
        .timeout = probe_timeout(st, req, m),
        .e = e,
        .log = plog,
    };
    char tos[32];
    snprintf(tos, sizeof tos, "%g", p.timeout);
    bb_pinfo(&p, "Beginning probe", "probe", pr->name, "timeout_seconds", tos, NULL);
    double t0 = lm_monotonic();
    p.deadline = t0 + p.timeout;
    bool ok = pr->run(&p);
    double dur = lm_monotonic() - t0;
    snprintf(tos, sizeof tos, "%.9g", dur);
    if (ok)
        bb_pinfo(&p, "Probe succeeded", "duration_seconds", tos, NULL);
    else
        bb_perror(&p, "Probe failed", "duration_seconds", tos, NULL);
    if (!ok)
        lm_debug(st->log, "Probe failed", "module", m->name, "target", p.target, NULL);
    bb_gauge(e, "probe_duration_seconds",
             "Returns how long the probe took to complete in seconds", dur);
    bb_gauge(e, "probe_success", "Displays whether or not the probe was a success",
             ok ? 1 : 0);
    struct lm_buf *body = lm_http_response_body(resp);
    struct lm_buf metrics, text;    /* the exposition; the debug text (also for history) */
    lm_buf_init(&metrics, LM_LIMIT_EXPO_BYTES);
    lm_buf_init(&text, LM_LIMIT_EXPO_BYTES);
    lm_emit_finish(e, &metrics);
    char chunk[4096];
    ssize_t n;
    lm_buf_puts(&text, "Logs for the probe:\n");
    lseek(lfd, 0, SEEK_SET);
    while ((n = read(lfd, chunk, sizeof chunk)) > 0)
        lm_buf_append(&text, chunk, (size_t)n);
    lm_buf_puts(&text, "\n\n\nMetrics that would have been returned:\n");
    lm_buf_append(&text, metrics.data ? metrics.data : "", metrics.len);
    lm_buf_puts(&text, "\n\n\nModule configuration:\n");
    module_yaml(&text, m);
    if (!text.err)
        bb_history_add(st->hist, m->name, p.target, ok, text.data, text.len);
    if (debug) {
        lm_buf_append(body, text.data ? text.data : "", text.len);
        rc = lm_http_response_content_type(resp, "text/plain");
    } else {
        lm_buf_append(body, metrics.data ? metrics.data : "", metrics.len);
        rc = lm_http_response_content_type(resp, "text/plain; version=0.0.4; charset=utf-8");
    }
    lm_buf_cleanup(&metrics);
    lm_buf_cleanup(&text);
out:
    lm_emit_free(e);
    lm_log_free(plog);
    if (lf)
        fclose(lf);
    return rc;
}

static int
probe_handler(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct bb_state *st = ud;
    const char *target = lm_http_request_query(req, "target");
    const char *mname = lm_http_request_query(req, "module");
    if (!mname || !*mname)
        mname = "http_2xx";
    if (!target || !*target)
        return lm_http_response_text(resp, 400, "Target parameter is missing\n");
    struct cfgref *r = cfg_acquire(st);
    const struct bb_module *m = bb_config_module(r->cfg, mname);
    int rc;
    if (!m) {
        char msg[512];
        snprintf(msg, sizeof msg, "Unknown module \"%.400s\"\n", mname);
        lm_debug(st->log, "Unknown module", "module", mname, NULL);
        pthread_mutex_lock(&st->mu);
        st->unknown_modules++;
        pthread_mutex_unlock(&st->mu);
        rc = lm_http_response_text(resp, 400, msg);
    } else {
        rc = do_probe(st, req, resp, m);
    }
    cfg_release(st, r);
    return rc;
}

static int
reload_handler(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct bb_state *st = ud;
    const char *meth = lm_http_request_method(req);
    if (strcmp(meth, "POST") && strcmp(meth, "PUT"))
        return lm_http_response_text(resp, 405, "This endpoint requires a POST request.\n");
    struct lm_err err = {0};
    int rc = reload(st, &err);
    log_reload(st, rc, &err);
    if (rc) {
        char m[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX + 64];
        char e[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX + 4];
        snprintf(m, sizeof m, "failed to reload config: %s\n", lm_err_format(&err, e, sizeof e));
        return lm_http_response_text(resp, 500, m);
    }
    return lm_http_response_text(resp, 200, "");
}

/* logs_handler: /logs?id=N, a past probe's debug=true text (Go's wording for a miss). */
static int
logs_handler(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct bb_state *st = ud;
    const char *ids = lm_http_request_query(req, "id");
    char *end;
    long id = ids && *ids ? strtol(ids, &end, 10) : -1;
    if (!ids || !*ids || *end)
        return lm_http_response_text(resp, 400, "Invalid probe id\n");
    if (bb_history_text(st->hist, id, lm_http_response_body(resp)))
        return lm_http_response_text(resp, 404, "Probe id not present\n");
    return lm_http_response_content_type(resp, "text/plain");
}

/* landing_handler: "/": the scaffold's landing page with the recent probes added. */
static int
landing_handler(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct bb_state *st = ud;
    (void)req;
    struct lm_version v;
    char ver[256];
    lm_version_get(&v);
    snprintf(ver, sizeof ver, "(version=%s, branch=%s, revision=%s)", v.version, v.branch,
             v.revision);
    static const struct lm_http_link links[] = {
        {"/probe?target=prometheus.io&module=http_2xx", "Probe prometheus.io for http_2xx",
         NULL},
        {"/probe?target=prometheus.io&module=http_2xx&debug=true",
         "Debug probe prometheus.io for http_2xx", NULL},
    };
    struct lm_http_landing lp = {"Blackbox Exporter", BB_DESCRIPTION, ver, "/metrics", links,
                                 sizeof links / sizeof links[0]};
    struct lm_buf page, table;
    lm_buf_init(&page, LM_LIMIT_EXPO_BYTES);
    lm_buf_init(&table, LM_LIMIT_EXPO_BYTES);
    lm_http_landing_page(&page, &lp);
    bb_history_html(st->hist, &table);
    const char *html = lm_buf_cstr(&page), *tail = strstr(html, "</body>");
    size_t head = tail ? (size_t)(tail - html) : page.len;
    struct lm_buf *body = lm_http_response_body(resp);
    lm_buf_append(body, html, head);
    lm_buf_append(body, table.data ? table.data : "", table.len);
    lm_buf_append(body, html + head, page.len - head);
    int rc = page.err ? page.err : table.err;
    lm_buf_cleanup(&page);
    lm_buf_cleanup(&table);
    return rc ? rc : lm_http_response_content_type(resp, "text/html; charset=utf-8");
}

/* self_collect: the Go build's own families (its config reload and module metrics). */
static int
self_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
             struct lm_err *err)
{
    struct bb_state *st = self_state;
    (void)state;
    (void)ctx;
    (void)err;
    pthread_mutex_lock(&st->mu);
    bool ok = st->reload_ok;
    double t = st->reload_ok_time;
    unsigned long unknown = st->unknown_modules;
    pthread_mutex_unlock(&st->mu);
    lm_emit_one(e, "blackbox_exporter_config_last_reload_success_timestamp_seconds",
                "Timestamp of the last successful configuration reload.", LM_TYPE_GAUGE, t);
    lm_emit_one(e, "blackbox_exporter_config_last_reload_successful",
                "Blackbox exporter config loaded successfully.", LM_TYPE_GAUGE, ok ? 1 : 0);
    lm_emit_one(e, "blackbox_module_unknown_total", "Count of unknown modules requested by probes",
                LM_TYPE_COUNTER, (double)unknown);
    return 0;
}

static const struct lm_collector_desc bb_self = {"blackbox", true, NULL, NULL, self_collect,
                                                 NULL};
static const struct lm_collector_desc *const bb_collectors[] = {&bb_self, NULL};

static const struct lm_exporter_route bb_routes[] = {
    {"/probe", "Probe", "prometheus.io/docs: /probe?target=...&module=...", LM_HTTP_LIMITED,
     probe_handler},
    {"/-/reload", NULL, NULL, LM_HTTP_ALLOW_POST, reload_handler},
    {"/logs", NULL, NULL, 0, logs_handler},
    {"/", NULL, NULL, 0, landing_handler},   /* replaces the scaffold's landing page */
    {NULL, NULL, NULL, 0, NULL},
};

/* config_check: --config.check handled before the scaffold starts: load, report, exit. */
static int
config_check(int argc, char **argv)
{
    const char *path = "blackbox.yml";
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "--config.file=", 14))
            path = argv[i] + 14;
        else if (!strcmp(argv[i], "--config.file") && i + 1 < argc)
            path = argv[++i];
    }
    struct lm_err err = {0};
    struct bb_config *c = bb_config_load(path, &err);
    if (!c) {
        char m[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX + 4];
        fprintf(stderr, "Error loading config: %s\n", lm_err_format(&err, m, sizeof m));
        return 1;
    }
    bb_config_free(c);
    fprintf(stderr, "Config file is ok exiting...\n");
    return 0;
}

int
main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--config.check") || !strcmp(argv[i], "--config.check=true"))
            return config_check(argc, argv);
    struct bb_state st = {.mu = PTHREAD_MUTEX_INITIALIZER};
    self_state = &st;
    struct lm_exporter_desc d = {
        .prog = "blackbox_exporter",
        .ns = "blackbox_exporter",
        .collectors = bb_collectors,
        .description = BB_DESCRIPTION,
        .title = "Blackbox Exporter",
        .default_listen = ":9115",
        .default_path = "/metrics",
        .flag_tables = bb_flag_tables,
        .routes = bb_routes,
        .single_collector = true,
        .setup = bb_setup,
        .teardown = bb_teardown,
        .ud = &st,
    };
    int rc = lm_exporter_main(&d, argc, argv);
    pthread_mutex_destroy(&st.mu);
    return rc;
}
