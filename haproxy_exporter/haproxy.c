/* SPDX-License-Identifier: Apache-2.0 */
/* haproxy.c: the haproxy collector: reads the stats CSV from the stats page over HTTP
 * (proto/fetch.h) or from the stats socket (unix: or tcp://, stats_socket.c, which also
 * gives `show info` for haproxy_version_info), walks the rows with csv_parse.c and emits
 * upstream 0.14's haproxy_frontend_* / _backend_* / _server_* families by column index
 * (fields.c), plus haproxy_up and the exporter's counters. A scrape failure returns an
 * error for the runner to log; CSV problems are counted and logged once per scrape. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "haproxy_exporter/csv_parse.h"
#include "haproxy_exporter/hap.h"
#include "lm/alloc.h"
#include "lm/flags.h"
#include "lm/log.h"
#include "proto/fetch.h"

#define HAP_MAX_BODY (64UL * 1024 * 1024)   /* CSV of very large configurations */
#define HAP_MAX_EXCLUDE 64                  /* --haproxy.server-exclude-states entries */

enum hap_kind { HAP_HTTP = 0, HAP_UNIX, HAP_TCP };

struct hap_state {
    enum hap_kind kind;                /* how to reach HAProxy */
    const char *uri;                   /* --haproxy.scrape-uri (view into flags) */
    char addr[512];                    /* socket path or host:port for HAP_UNIX/HAP_TCP */
    bool ssl_verify;                   /* --haproxy.ssl-verify */
    bool proxy_env;                    /* --http.proxy-from-env */
    double timeout;                    /* --haproxy.timeout, seconds */
    bool server_col[HAP_MAX_COL];      /* server columns selected */
    char *exclude_buf;                 /* owned copy of --haproxy.server-exclude-states */
    const char *exclude[HAP_MAX_EXCLUDE];  /* views into exclude_buf */
    size_t nexclude;                   /* entries used */
    double scrapes;                    /* haproxy_exporter_scrapes_total */
    double failures;                   /* haproxy_exporter_csv_parse_failures_total */
    struct proto_fetch *fetch;         /* HTTP client, NULL for sockets */
    struct proto_fetch_resp resp;      /* last HTTP answer */
    struct lm_buf sock;                /* last socket reply */
    struct lm_buf info;                /* last `show info` reply */
};

const struct lm_flag_desc hap_flags[] = {
    {"haproxy.scrape-uri", "http://localhost/;csv", "URI on which to scrape HAProxy.", false},
    {"haproxy.ssl-verify", "true",
     "Flag that enables SSL certificate verification for the scrape URI", true},
    {"haproxy.server-metric-fields", hap_default_server_fields,
     "Comma-separated list of exported server metrics. See "
     "http://cbonte.github.io/haproxy-dconv/configuration-1.5.html#9.1", false},
    {"haproxy.server-exclude-states", "",
     "Comma-separated list of exported server states to exclude. See "
     "https://cbonte.github.io/haproxy-dconv/1.8/management.html#9.1, field 17 statuus",
     false},
    {"haproxy.timeout", "5s", "Timeout for trying to get stats from HAProxy.", false},
    {"haproxy.pid-file", "",
     "Path to HAProxy pid file. Accepted for compatibility; haproxy_process_* metrics are "
     "not exported yet.", false},
    {"http.proxy-from-env", "false",
     "Flag that enables using HTTP proxy settings from environment variables ($http_proxy, "
     "$https_proxy, $no_proxy)", true},
    {NULL, NULL, NULL, false},
};

/* parse_duration: Go's time.ParseDuration for the units people use (h m s ms us ns). */
static int
parse_duration(const char *s, double *out)
{
    static const struct { const char *u; double mul; } units[] = {
        {"ns", 1e-9}, {"us", 1e-6}, {"µs", 1e-6}, {"ms", 1e-3}, {"s", 1}, {"m", 60},
        {"h", 3600},
    };
    double total = 0;
    if (!strcmp(s, "0")) {
        *out = 0;
        return 0;
    }
    if (!*s)
        return LM_EINVAL;
    while (*s) {
        char *end = NULL;
        double v = strtod(s, &end);
        if (end == s || v < 0)
            return LM_EINVAL;
        size_t best = 0;
        double mul = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t n = strlen(units[i].u);
            if (!strncmp(end, units[i].u, n) && n > best)
                best = n, mul = units[i].mul;
        }
        if (!best)
            return LM_EINVAL;
        total += v * mul;
        s = end + best;
    }
    *out = total;
    return 0;
}

/* parse_fields: --haproxy.server-metric-fields into server_col. */
static int
parse_fields(struct hap_state *s, const char *list, struct lm_err *err)
{
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char tmp[32];
        char *end = NULL;
        snprintf(tmp, sizeof tmp, "%.*s", (int)(n < sizeof tmp ? n : sizeof tmp - 1), p);
        long v = strtol(tmp, &end, 10);
        if (!n || n >= sizeof tmp || *end)
            return lm_err_set(err, LM_EINVAL, "--haproxy.server-metric-fields",
                              "invalid server metric field number: %.*s", (int)n, p);
        if (v >= 0 && v < HAP_MAX_COL)
            s->server_col[v] = true;
        p += n + (comma ? 1 : 0);
    }
    return 0;
}

/* parse_uri: HTTP(S), unix:/path (also unix:///path) or tcp://host:port. */
static int
parse_uri(struct hap_state *s, struct lm_err *err)
{
    const char *u = s->uri;
    if (!strncmp(u, "http://", 7) || !strncmp(u, "https://", 8)) {
        s->kind = HAP_HTTP;
        return 0;
    }
    const char *rest = NULL;
    if (!strncmp(u, "unix:", 5)) {
        s->kind = HAP_UNIX;
        rest = u + 5;
        if (!strncmp(rest, "//", 2))
            rest += 2;
    } else if (!strncmp(u, "tcp://", 6)) {
        s->kind = HAP_TCP;
        rest = u + 6;
        rest += strcspn(rest, "@") < strlen(rest) ? strcspn(rest, "@") + 1 : 0;
    } else {
        return lm_err_set(err, LM_EINVAL, "--haproxy.scrape-uri", "unsupported scheme: %.*s",
                          (int)strcspn(u, ":"), u);
    }
    size_t n = s->kind == HAP_TCP ? strcspn(rest, "/?") : strlen(rest);
    if (!n || n >= sizeof s->addr)
        return lm_err_set(err, LM_EINVAL, "--haproxy.scrape-uri", "missing or too long %s",
                          s->kind == HAP_UNIX ? "socket path" : "host:port");
    memcpy(s->addr, rest, n);
    s->addr[n] = '\0';
    return 0;
}

static void hap_fini(void *state);

static int
hap_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    struct hap_state *s = lm_calloc(1, sizeof *s);
    if (!s)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    proto_fetch_resp_init(&s->resp);
    lm_buf_init(&s->sock, HAP_MAX_BODY);
    lm_buf_init(&s->info, 1024 * 1024);
    *state = s;
    s->uri = lm_flags_get(ctx->flags, "haproxy.scrape-uri");
    s->ssl_verify = lm_flags_get_bool(ctx->flags, "haproxy.ssl-verify");
    s->proxy_env = lm_flags_get_bool(ctx->flags, "http.proxy-from-env");
    const char *to = lm_flags_get(ctx->flags, "haproxy.timeout");
    int rc = parse_uri(s, err);
    if (!rc && parse_duration(to, &s->timeout))
        rc = lm_err_set(err, LM_EINVAL, "--haproxy.timeout", "time: invalid duration \"%s\"",
                        to);
    if (!rc)
        rc = parse_fields(s, lm_flags_get(ctx->flags, "haproxy.server-metric-fields"), err);
    if (!rc && !(s->exclude_buf = lm_strdup(lm_flags_get(ctx->flags,
                                                         "haproxy.server-exclude-states"))))
        rc = lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    for (char *p = s->exclude_buf; !rc && p && s->nexclude < HAP_MAX_EXCLUDE;) {
        s->exclude[s->nexclude++] = p;   /* like Go's strings.Split: "" is an entry too */
        p = strchr(p, ',');
        if (p)
            *p++ = '\0';
    }
    if (!rc && s->kind == HAP_HTTP && !(s->fetch = proto_fetch_new()))
        rc = lm_err_set(err, LM_ENOMEM, NULL, "cannot set up libcurl");
    if (!rc && *lm_flags_get(ctx->flags, "haproxy.pid-file"))
        lm_warn(ctx->log, "--haproxy.pid-file is accepted but haproxy_process_* metrics are "
                "not exported by this version", NULL);
    if (rc) {
        hap_fini(s);
        *state = NULL;
    }
    return rc;
}

static void
hap_fini(void *state)
{
    struct hap_state *s = state;
    if (!s)
        return;
    proto_fetch_free(s->fetch);
    proto_fetch_resp_cleanup(&s->resp);
    lm_buf_cleanup(&s->sock);
    lm_buf_cleanup(&s->info);
    lm_free(s->exclude_buf);
    lm_free(s);
}

/* A CSV problem noticed while walking the rows: counted, the first one kept for the log. */
struct hap_walk {
    struct hap_state *s;               /* collector state (failure counter) */
    unsigned bad;                      /* problems this scrape */
    char first[LM_ERR_MSG_MAX];        /* the first one, in words */
};

static void __attribute__((format(printf, 2, 3)))
walk_fail(struct hap_walk *w, const char *fmt, ...)
{
    w->s->failures++;
    if (!w->bad++) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->first, sizeof w->first, fmt, ap);
        va_end(ap);
    }
}

/* value_of: a cell as upstream reads it; false (a parse failure) when it does not parse. */
static bool
value_of(int col, const char *v, double *out)
{
    char *end = NULL;
    if (col == HAP_COL_STATUS) {
        *out = hap_status_up(v);
        return true;
    }
    if (hap_col_is_ms(col)) {
        double d = strtod(v, &end);
        *out = d / 1000;
        return end != v && !*end && v[0] != ' ';
    }
    long long i = strtoll(v, &end, 10);
    *out = (double)i;
    return end != v && !*end && v[0] != ' ' && v[0] != '\t';
}

/* emit_row: one table's metrics for the current row. */
static void
emit_row(struct hap_walk *w, struct lm_emit *e, const struct hap_csv *c, const char *kind,
         const struct hap_metric *tab, const bool *only, const struct lm_label *lab, size_t nl)
{
    size_t nf = hap_csv_nfields(c);
    for (const struct hap_metric *m = tab; m->col >= 0; m++) {
        if ((only && !only[m->col]) || (size_t)m->col >= nf)
            continue;
        const char *v = hap_csv_field(c, (size_t)m->col);
        double d;
        if (!*v)
            continue;
        if (!value_of(m->col, v, &d)) {
            walk_fail(w, "can't parse CSV field value \"%s\" (column %zu)", v, (size_t)m->col);
            continue;
        }
        char name[128];
        snprintf(name, sizeof name, "haproxy_%s_%s", kind, m->name);
        struct lm_label l[3];
        memcpy(l, lab, nl * sizeof *l);
        size_t n = nl;
        if (m->code)
            l[n++] = (struct lm_label){"code", m->code};
        lm_emit_family(e, name, m->help, m->type);
        lm_emit_sample(e, l, n, d);
    }
}

static bool
excluded(const struct hap_state *s, const char *status)
{
    for (size_t i = 0; i < s->nexclude; i++)
        if (!strcmp(s->exclude[i], status))
            return true;
    return false;
}

/* walk_csv: every row of body; returns 0 or LM_ENOMEM. */
static int
walk_csv(struct hap_walk *w, struct lm_emit *e, const char *body, size_t len,
         struct lm_err *err)
{
    struct hap_csv c;
    hap_csv_init(&c, body, len);
    int rc;
    struct lm_err cerr;
    lm_err_clear(&cerr);
    while ((rc = hap_csv_next(&c, &cerr)) != 0) {
        if (rc == LM_ENOMEM)
            break;
        if (rc < 0) {
            walk_fail(w, "can't read CSV: %s", cerr.msg);
            continue;
        }
        size_t nf = hap_csv_nfields(&c);
        if (nf < HAP_MIN_FIELDS) {
            walk_fail(w, "unexpected number of CSV fields: %zu (at least 33)", nf);
            continue;
        }
        const char *px = hap_csv_field(&c, 0), *sv = hap_csv_field(&c, 1);
        const char *type = hap_csv_field(&c, HAP_COL_TYPE);
        if (!strcmp(type, "0")) {
            struct lm_label l[1] = {{"frontend", px}};
            emit_row(w, e, &c, "frontend", hap_frontend_metrics, NULL, l, 1);
        } else if (!strcmp(type, "1")) {
            struct lm_label l[1] = {{"backend", px}};
            emit_row(w, e, &c, "backend", hap_backend_metrics, NULL, l, 1);
        } else if (!strcmp(type, "2") && !excluded(w->s, hap_csv_field(&c, HAP_COL_STATUS))) {
            struct lm_label l[2] = {{"backend", px}, {"server", sv}};
            emit_row(w, e, &c, "server", hap_server_metrics, w->s->server_col, l, 2);
        }
    }
    hap_csv_cleanup(&c);
    if (rc == LM_ENOMEM)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory reading the CSV");
    return 0;
}

/* info_value: the value of "Key: value" in a `show info` reply, as a bounded copy. */
static void
info_value(const struct lm_buf *b, const char *key, char *out, size_t n)
{
    out[0] = '\0';
    size_t kl = strlen(key);
    const char *p = b->data, *end = b->data ? b->data + b->len : NULL;
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = (size_t)((nl ? nl : end) - p);
        if (ll >= kl + 2 && !memcmp(p, key, kl) && p[kl] == ':' && p[kl + 1] == ' ') {
            size_t vl = ll - kl - 2;
            if (vl && p[kl + 2 + vl - 1] == '\r')
                vl--;
            snprintf(out, n, "%.*s", (int)vl, p + kl + 2);
            return;
        }
        p = nl ? nl + 1 : end;
    }
}

static double
now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* fetch_csv: the CSV body into body and len, and for sockets `show info` first. */
static int
fetch_csv(struct hap_state *s, struct lm_emit *e, double deadline, const char **body,
          size_t *len, struct lm_err *err)
{
    if (s->kind == HAP_HTTP) {
        struct proto_fetch_req req = {
            .url = s->uri, .timeout = s->timeout, .deadline = deadline,
            .insecure = !s->ssl_verify, .max_body = HAP_MAX_BODY,
            .proxy_from_env = s->proxy_env, .user_agent = "haproxy_exporter/" LM_VERSION,
        };
        int rc = proto_fetch_get(s->fetch, &req, &s->resp, err);
        if (rc)
            return rc;
        if (s->resp.status < 200 || s->resp.status >= 300) {
            char where[LM_ERR_WHERE_MAX];
            proto_fetch_redact(s->uri, where, sizeof where);
            return lm_err_set(err, LM_EIO, where, "HTTP status %ld", s->resp.status);
        }
        *body = s->resp.body.data ? s->resp.body.data : "";
        *len = s->resp.body.len;
        return 0;
    }
    bool ux = s->kind == HAP_UNIX;
    int rc = hap_socket_cmd(ux, s->addr, "show info\n", deadline, &s->info, err);
    if (!rc) {
        char ver[256], date[64];
        info_value(&s->info, "Version", ver, sizeof ver);
        info_value(&s->info, "Release_date", date, sizeof date);
        lm_emit_family(e, "haproxy_version_info", "HAProxy version info.", LM_TYPE_GAUGE);
        lm_emit_samplev(e, 1.0, "release_date", date, "version", ver, NULL);
        rc = hap_socket_cmd(ux, s->addr, "show stat\n", deadline, &s->sock, err);
    }
    *body = s->sock.data ? s->sock.data : "";
    *len = s->sock.len;
    return rc;
}

static int
hap_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
            struct lm_err *err)
{
    struct hap_state *s = state;
    s->scrapes++;
    double deadline = now_mono() + (s->timeout > 0 ? s->timeout : 3600);
    if (ctx->deadline > 0 && ctx->deadline < deadline)
        deadline = ctx->deadline;
    const char *body = NULL;
    size_t len = 0;
    int rc = fetch_csv(s, e, deadline, &body, &len, err);
    struct hap_walk w = {s, 0, ""};
    if (!rc)
        rc = walk_csv(&w, e, body, len, err);
    if (w.bad) {
        char n[32];
        snprintf(n, sizeof n, "%u", w.bad);
        lm_warn(ctx->log, "CSV parse failures", "count", n, "first", w.first, NULL);
    }
    lm_emit_one(e, "haproxy_up", "Was the last scrape of HAProxy successful.", LM_TYPE_GAUGE,
                rc ? 0 : 1);
    lm_emit_one(e, "haproxy_exporter_scrapes_total", "Current total HAProxy scrapes.",
                LM_TYPE_COUNTER, s->scrapes);
    lm_emit_one(e, "haproxy_exporter_csv_parse_failures_total",
                "Number of errors while parsing CSV.", LM_TYPE_COUNTER, s->failures);
    return rc;
}

const struct lm_collector_desc hap_collector = {
    .name = "haproxy",
    .enabled_by_default = true,
    .flags = hap_flags,
    .init = hap_init,
    .collect = hap_collect,
    .fini = hap_fini,
};
