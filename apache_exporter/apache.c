/* SPDX-License-Identifier: Apache-2.0 */
/* apache.c: the apache collector: GET --scrape_uri (proto/fetch.h), parse the ?auto page
 * (status_parse.c), emit upstream's apache_* families, and when the page is not what it
 * should be (unreachable, 404, 403, a redirect that ends badly, HTML without ?auto, not a
 * status page, ExtendedStatus off, malformed values) set apache_up 0, name the problem in
 * apache_exporter_scrape_problem{problem} and return an error whose text says how to fix
 * it (the runner logs it once). Owns the fetch client; does no logging of its own except
 * one warning when a redirect is followed successfully. */
#include <stdio.h>
#include <string.h>
#include "apache_exporter/ap.h"
#include "lm/flags.h"
#include "apache_exporter/status_parse.h"
#include "lm/alloc.h"
#include "lm/log.h"
#include "proto/fetch.h"

#define AP_DEFAULT_TIMEOUT 10.0           /* seconds, when Prometheus sends no deadline */
#define AP_MAX_BODY (4UL * 1024 * 1024)   /* a status page with many balancers */

struct ap_state {
    struct proto_fetch *fetch;   /* reused client (keep-alive) */
    const char *uri;             /* --scrape_uri (view into flags) */
    const char *host;            /* --host_override (view into flags) */
    bool insecure;               /* --insecure */
    char ua[64];                 /* User-Agent, as upstream's */
    double failures;             /* apache_exporter_scrape_failures_total */
    bool warned_redirect;        /* the redirect warning was logged */
    struct proto_fetch_resp resp;  /* last answer (buffer reused between scrapes) */
    struct ap_status st;         /* last parsed page (worker array reused) */
};

const struct lm_flag_desc ap_flags[] = {
    {"scrape_uri", "http://localhost/server-status/?auto", "URI to apache stub status page.",
     false},
    {"host_override", "", "Override for HTTP Host header; empty string for no override.",
     false},
    {"insecure", "false", "Ignore server certificate if using https.", true},
    {NULL, NULL, NULL, false},
};

static int
ap_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    struct ap_state *s = lm_calloc(1, sizeof *s);
    if (!s)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    s->fetch = proto_fetch_new();
    if (!s->fetch) {
        lm_free(s);
        return lm_err_set(err, LM_ENOMEM, NULL, "cannot set up libcurl");
    }
    s->uri = lm_flags_get(ctx->flags, "scrape_uri");
    s->host = lm_flags_get(ctx->flags, "host_override");
    s->insecure = lm_flags_get_bool(ctx->flags, "insecure");
    snprintf(s->ua, sizeof s->ua, "Prometheus-Apache-Exporter/%s", LM_VERSION);
    proto_fetch_resp_init(&s->resp);
    ap_status_init(&s->st);
    *state = s;
    return 0;
}

static void
ap_fini(void *state)
{
    struct ap_state *s = state;
    if (!s)
        return;
    proto_fetch_free(s->fetch);
    proto_fetch_resp_cleanup(&s->resp);
    ap_status_cleanup(&s->st);
    lm_free(s);
}

/* redirect_note: " (after redirects to URL)" when the request was redirected. */
static void
redirect_note(const struct proto_fetch_resp *r, char *out, size_t n)
{
    out[0] = '\0';
    if (r->redirects)
        snprintf(out, n, " (after %u redirect%s, ending at %s)", r->redirects,
                 r->redirects > 1 ? "s" : "", r->final_url);
}

/* diagnose_http: a problem name and an error for an answer that is not a usable page;
 * NULL when the status is 200 and the page is ?auto output. */
static const char *
diagnose_http(const struct ap_state *s, struct lm_err *err, const char *where)
{
    const struct proto_fetch_resp *r = &s->resp;
    char rd[PROTO_FETCH_URL_MAX + 64];
    redirect_note(r, rd, sizeof rd);
    if (r->status >= 300 && r->status < 400) {
        lm_err_set(err, LM_ECONFIG, where,
                   "apache answered %ld, a redirect to %s that was not followed; set "
                   "--scrape_uri to the final URL, keeping ?auto", r->status,
                   r->location[0] ? r->location : "(no Location header)");
        return "redirect";
    }
    if (r->status == 404) {
        lm_err_set(err, LM_ECONFIG, where,
                   "apache answered 404 Not Found%s: mod_status is not loaded (run "
                   "`a2enmod status`) or no <Location> with `SetHandler server-status` "
                   "matches this path; check the path of --scrape_uri", rd);
        return r->redirects ? "redirect" : "not_found";
    }
    if (r->status == 401 || r->status == 403) {
        lm_err_set(err, LM_ECONFIG, where,
                   "apache answered %ld%s: the status page refuses the exporter; allow it "
                   "in the server-status <Location> (e.g. `Require local` or `Require ip "
                   "<exporter address>`)", r->status, rd);
        return "forbidden";
    }
    if (r->status != 200) {
        lm_err_set(err, LM_EIO, where, "apache answered HTTP %ld%s", r->status, rd);
        return "http_error";
    }
    switch (s->st.page) {
    case AP_PAGE_HTML_STATUS:
        lm_err_set(err, LM_ECONFIG, where,
                   "apache sent its HTML status page%s, not the machine-readable one: "
                   "add ?auto to --scrape_uri (e.g. http://localhost/server-status?auto)%s",
                   rd, r->redirects ? "; the redirect dropped the query string, so point "
                                      "--scrape_uri at the final URL" : "");
        return r->redirects ? "redirect" : "html_without_auto";
    case AP_PAGE_HTML_OTHER:
    case AP_PAGE_OTHER:
    case AP_PAGE_EMPTY:
        lm_err_set(err, LM_ECONFIG, where,
                   "the page at --scrape_uri%s is not mod_status output (content type "
                   "\"%s\"): another handler (an application, a proxy, a DirectoryIndex) "
                   "serves this path; check that mod_status is loaded and that its "
                   "<Location> uses `SetHandler server-status`", rd,
                   r->content_type[0] ? r->content_type : "none");
        return r->redirects ? "redirect" : "not_status_page";
    case AP_PAGE_AUTO:
        break;
    }
    return NULL;
}

/* diagnose_page: problems of a ?auto page: ExtendedStatus off, malformed values. */
static const char *
diagnose_page(const struct ap_status *st, struct lm_err *err, const char *where)
{
    if (!st->has[AP_K_ACCESSES] && !st->has[AP_K_UPTIME]) {
        lm_err_set(err, LM_ECONFIG, where,
                   "the status page has no Total Accesses, Total kBytes or Uptime lines: "
                   "ExtendedStatus is Off; put `ExtendedStatus On` in the server "
                   "configuration (mods-enabled/status.conf) and reload apache");
        return "extended_status_off";
    }
    if (st->bad_values) {
        lm_err_set(err, LM_EPARSE, where,
                   "%u value%s did not parse, first \"%s\" on line %u", st->bad_values,
                   st->bad_values > 1 ? "s" : "", st->first_bad_key, st->first_bad_line);
        return "malformed";
    }
    return NULL;
}

/* emit_balancers: the mod_proxy_balancer families, one series per worker entry. */
static void
emit_balancers(struct lm_emit *e, const struct ap_status *st)
{
    static const struct {
        const char *name;   /* family */
        const char *help;   /* upstream's HELP */
        enum lm_type type;  /* family type */
    } fam[4] = {
        {"apache_proxy_balancer_accesses_total", "Apache Proxy Balancer Request Count",
         LM_TYPE_COUNTER},
        {"apache_proxy_balancer_busy", "Apache Proxy Balancer Active Requests", LM_TYPE_GAUGE},
        {"apache_proxy_balancer_request_kbytes_total", "Apache Proxy Balancer Request Count",
         LM_TYPE_COUNTER},
        {"apache_proxy_balancer_response_kbytes_total", "Apache Proxy Balancer Request Count",
         LM_TYPE_COUNTER},
    };
    if (!st->nworkers)
        return;
    lm_emit_family(e, "apache_proxy_balancer_status", "Apache Proxy Balancer Statuses",
                   LM_TYPE_GAUGE);
    for (size_t i = 0; i < st->nworkers; i++)
        if (st->workers[i].has_status)
            lm_emit_samplev(e, 1.0, "balancer", st->workers[i].balancer, "worker",
                            st->workers[i].worker, "status", st->workers[i].status, NULL);
    for (unsigned f = 0; f < 4; f++) {
        lm_emit_family(e, fam[f].name, fam[f].help, fam[f].type);
        for (size_t i = 0; i < st->nworkers; i++) {
            const struct ap_balancer_worker *w = &st->workers[i];
            const double v[4] = {w->elected, w->busy, w->sent_kb, w->rcvd_kb};
            if (w->have & (1u << f))
                lm_emit_samplev(e, v[f], "balancer", w->balancer, "worker", w->worker, NULL);
        }
    }
}

/* emit_labelled: one family of a labelled gauge from present keys only. */
static void
emit_labelled(struct lm_emit *e, const struct ap_status *st, const char *name,
              const char *help, const char *label, const enum ap_key *keys,
              const char *const *values, unsigned n)
{
    lm_emit_family(e, name, help, LM_TYPE_GAUGE);
    for (unsigned i = 0; i < n; i++)
        if (st->has[keys[i]])
            lm_emit_samplev(e, st->v[keys[i]], label, values[i], NULL);
}

/* emit_status: every family a ?auto page gives, named and labelled as upstream 0.12. */
static void
emit_status(struct lm_emit *e, const struct ap_status *st)
{
    double ver;
    if (st->has_version && ap_status_version_number(st->version, &ver) == 0)
        lm_emit_one(e, "apache_version", "Apache server version", LM_TYPE_GAUGE, ver);
    lm_emit_family(e, "apache_info", "Apache version information", LM_TYPE_GAUGE);
    lm_emit_samplev(e, 1.0, "mpm", st->has_mpm ? st->mpm : "UNKNOWN", "version",
                    st->has_version ? st->version : "UNKNOWN", NULL);
    static const struct {
        enum ap_key k;      /* key */
        const char *name;   /* family */
        const char *help;   /* upstream's HELP */
    } counters[] = {
        {AP_K_ACCESSES, "apache_accesses_total", "Current total apache accesses (*)"},
        {AP_K_KBYTES, "apache_sent_kilobytes_total", "Current total kbytes sent (*)"},
        {AP_K_DURATION, "apache_duration_ms_total",
         "Total duration of all registered requests in ms"},
        {AP_K_UPTIME, "apache_uptime_seconds_total", "Current uptime in seconds (*)"},
    };
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        if (st->has[counters[i].k])
            lm_emit_one(e, counters[i].name, counters[i].help, LM_TYPE_COUNTER,
                        st->v[counters[i].k]);
    if (st->has[AP_K_CPU_USER] || st->has[AP_K_CPU_SYSTEM] || st->has[AP_K_CPU_CHILD_USER] ||
        st->has[AP_K_CPU_CHILD_SYS]) {
        lm_emit_family(e, "apache_cpu_time_ms_total", "Apache CPU time", LM_TYPE_COUNTER);
        lm_emit_samplev(e, 1000 * (st->v[AP_K_CPU_USER] + st->v[AP_K_CPU_CHILD_USER]), "type",
                        "user", NULL);
        lm_emit_samplev(e, 1000 * (st->v[AP_K_CPU_SYSTEM] + st->v[AP_K_CPU_CHILD_SYS]),
                        "type", "system", NULL);
    }
    lm_emit_one(e, "apache_cpuload",
                "The current percentage CPU used by each worker and in total by all workers "
                "combined (*)", LM_TYPE_GAUGE, st->has[AP_K_CPULOAD] ? st->v[AP_K_CPULOAD] : 0);
    static const enum ap_key gen_k[] = {AP_K_CONFIG_GEN, AP_K_MPM_GEN};
    static const char *const gen_v[] = {"config", "mpm"};
    emit_labelled(e, st, "apache_generation", "Apache restart generation", "type", gen_k,
                  gen_v, 2);
    static const enum ap_key load_k[] = {AP_K_LOAD1, AP_K_LOAD5, AP_K_LOAD15};
    static const char *const load_v[] = {"1min", "5min", "15min"};
    emit_labelled(e, st, "apache_load", "Apache server load", "interval", load_k, load_v, 3);
    static const enum ap_key wk_k[] = {AP_K_BUSY, AP_K_IDLE};
    static const char *const wk_v[] = {"busy", "idle"};
    emit_labelled(e, st, "apache_workers", "Apache worker statuses", "state", wk_k, wk_v, 2);
    static const enum ap_key pr_k[] = {AP_K_PROCESSES, AP_K_STOPPING};
    static const char *const pr_v[] = {"all", "stopping"};
    emit_labelled(e, st, "apache_processes", "Apache process count", "state", pr_k, pr_v, 2);
    static const enum ap_key cn_k[] = {AP_K_CONNS_TOTAL, AP_K_CONNS_WRITING,
                                       AP_K_CONNS_KEEPALIVE, AP_K_CONNS_CLOSING};
    static const char *const cn_v[] = {"total", "writing", "keepalive", "closing"};
    emit_labelled(e, st, "apache_connections", "Apache connection statuses", "state", cn_k,
                  cn_v, 4);
    if (st->has_scoreboard) {
        lm_emit_family(e, "apache_scoreboard", "Apache scoreboard statuses", LM_TYPE_GAUGE);
        for (unsigned i = 0; i < AP_SB_COUNT; i++)
            lm_emit_samplev(e, st->sb[i], "state", ap_sb_label((enum ap_sb)i), NULL);
        for (unsigned c = 0; c < 128; c++) {
            char lbl[2] = {(char)c, '\0'};
            if (st->sb_other[c] > 0)
                lm_emit_samplev(e, st->sb_other[c], "state", lbl, NULL);
        }
    }
    emit_balancers(e, st);
}

static int
ap_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
           struct lm_err *err)
{
    struct ap_state *s = state;
    char where[LM_ERR_WHERE_MAX];
    proto_fetch_redact(s->uri, where, sizeof where);
    struct proto_fetch_req req = {
        .url = s->uri,
        .host = s->host,
        .user_agent = s->ua,
        .timeout = AP_DEFAULT_TIMEOUT,
        .deadline = ctx->deadline,
        .insecure = s->insecure,
        .follow_redirects = true,
        .max_body = AP_MAX_BODY,
    };
    struct lm_err ferr;
    lm_err_clear(&ferr);
    const char *problem = NULL;
    int rc = proto_fetch_get(s->fetch, &req, &s->resp, &ferr);
    if (rc) {
        problem = rc == LM_ETIMEOUT ? "timeout" : "unreachable";
        lm_err_set(err, rc, ferr.where, "cannot reach apache: %s", ferr.msg);
    } else {
        rc = ap_status_parse(s->resp.body.data ? s->resp.body.data : "", s->resp.body.len,
                             &s->st, err);
        if (rc)
            problem = "exporter_error";
        else if ((problem = diagnose_http(s, err, where)) != NULL ||
                 (problem = diagnose_page(&s->st, err, where)) != NULL)
            rc = err->code;
    }
    if (problem)
        s->failures++;
    lm_emit_one(e, "apache_up", "Could the apache server be reached", LM_TYPE_GAUGE,
                problem ? 0 : 1);
    lm_emit_one(e, "apache_exporter_scrape_failures_total",
                "Number of errors while scraping apache.", LM_TYPE_COUNTER, s->failures);
    if (problem) {
        lm_emit_family(e, "apache_exporter_scrape_problem",
                       "Why the last scrape of apache failed (1 for the problem found).",
                       LM_TYPE_GAUGE);
        lm_emit_samplev(e, 1.0, "problem", problem, NULL);
    }
    if (!problem && s->resp.redirects && !s->warned_redirect) {
        s->warned_redirect = true;
        lm_warn(ctx->log, "scrape_uri is redirected; point --scrape_uri at the final URL",
                "scrape_uri", where, "final_url", s->resp.final_url, NULL);
    }
    bool page_ok = !rc || !strcmp(problem, "extended_status_off") ||
                   !strcmp(problem, "malformed");
    if (page_ok)
        emit_status(e, &s->st);
    return rc;
}

const struct lm_collector_desc ap_collector = {
    .name = "apache",
    .enabled_by_default = true,
    .flags = ap_flags,
    .init = ap_init,
    .collect = ap_collect,
    .fini = ap_fini,
};
