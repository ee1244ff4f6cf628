/* SPDX-License-Identifier: Apache-2.0 */
/* target.c: what a discovered target becomes before it is scraped, as Prometheus 2.42's
 * PopulateLabels and Target.URL: the scrape labels, relabel_configs, the default port,
 * the checks, the instance label and the scrape URL. Pure functions; no I/O. */
#include "flint/scrape/scrape.h"

#include <string.h>

#include "lm/alloc.h"
#include "lm/buf.h"

#define SCHEME_LABEL "__scheme__"
#define ADDRESS_LABEL "__address__"
#define PATH_LABEL "__metrics_path__"
#define INTERVAL_LABEL "__scrape_interval__"
#define TIMEOUT_LABEL "__scrape_timeout__"
#define PARAM_PREFIX "__param_"
#define META_PREFIX "__meta_"

void scr_job_from_cfg(struct scr_job *job, const struct cfg_scrape *c)
{
    memset(job, 0, sizeof *job);
    job->job_name = c->job_name;
    job->interval_ms = c->scrape_interval_ms;
    job->timeout_ms = c->scrape_timeout_ms;
    job->metrics_path = c->metrics_path;
    job->scheme = c->scheme;
    job->params = c->params;
    job->nparams = c->nparams;
    job->honor_labels = c->honor_labels;
    job->honor_timestamps = c->honor_timestamps;
    job->body_size_limit = c->body_size_limit;
    job->sample_limit = c->sample_limit;
    job->label_limit = c->label_limit;
    job->label_name_length_limit = c->label_name_length_limit;
    job->label_value_length_limit = c->label_value_length_limit;
    if (c->http.has_basic_auth) {
        job->basic_user = c->http.basic_auth.username ? c->http.basic_auth.username : "";
        job->basic_password = c->http.basic_auth.password;
        job->basic_password_file = c->http.basic_auth.password_file;
    }
    job->auth_type = c->http.auth_type;
    job->auth_credentials = c->http.auth_credentials;
    job->auth_credentials_file = c->http.auth_credentials_file;
    job->tls_ca_file = c->http.tls.ca_file;
    job->tls_cert_file = c->http.tls.cert_file;
    job->tls_key_file = c->http.tls.key_file;
    job->tls_server_name = c->http.tls.server_name;
    job->tls_insecure_skip_verify = c->http.tls.insecure_skip_verify;
    job->tls_min_version = c->http.tls.min_version;
    job->proxy_url = c->http.proxy_url;
    job->follow_redirects = c->http.follow_redirects;
    job->enable_http2 = c->http.enable_http2;
    job->metric_relabel = c->metric_relabel;
    job->nmetric_relabel = c->nmetric_relabel;
}

/* split_host_port_ok: would Go's net.SplitHostPort accept s[0..n)? */
static bool split_host_port_ok(const char *s, size_t n)
{
    const char *colon = NULL;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ':')
            colon = s + i;
    if (!colon)
        return false;
    size_t i = (size_t)(colon - s), j = 0, k = 0;
    if (n > 0 && s[0] == '[') {
        const char *end = memchr(s, ']', n);
        if (!end)
            return false;
        size_t e = (size_t)(end - s);
        if (e + 1 == n || e + 1 != i)
            return false;
        j = 1;
        k = e + 1;
    } else if (memchr(s, ':', i)) {
        return false;
    }
    if (memchr(s + j, '[', n - j))
        return false;
    if (memchr(s + k, ']', n - k))
        return false;
    return true;
}

/* add_port: the address with the scheme's default port added where Prometheus adds one,
 * into out. 0, LM_EINVAL (unknown scheme) or LM_ENOMEM. */
static int add_port(const char *addr, const char *scheme, const char *cfg_scheme,
                    struct lm_buf *out, struct lm_err *err)
{
    size_t n = strlen(addr);
    lm_buf_append(out, addr, n);
    if (split_host_port_ok(addr, n))
        return out->err;
    char tmp[8] = ":1234";
    struct lm_buf probe;
    lm_buf_init(&probe, n + sizeof tmp);
    lm_buf_append(&probe, addr, n);
    lm_buf_puts(&probe, tmp);
    bool ok = !probe.err && split_host_port_ok(probe.data, probe.len);
    int perr = probe.err;
    lm_buf_cleanup(&probe);
    if (perr)
        return perr;
    if (!ok)
        return out->err;
    if (!scheme || !*scheme || !strcmp(scheme, "http"))
        lm_buf_puts(out, ":80");
    else if (!strcmp(scheme, "https"))
        lm_buf_puts(out, ":443");
    else
        return lm_err_set(err, LM_EINVAL, NULL, "invalid scheme: \"%s\"",
                          cfg_scheme ? cfg_scheme : "http");
    return out->err;
}

/* set_default: name=value unless ls already has a value for name. */
static int set_default(struct lbl_set *ls, const char *name, const char *value)
{
    if (lbl_set_get(ls, name))
        return 0;
    return lbl_set_add(ls, name, value);
}

/* check_durations: Prometheus's interval/timeout label checks. */
static int check_durations(const struct lbl_set *ls, struct lm_err *err)
{
    const char *iv = lbl_set_get(ls, INTERVAL_LABEL), *tv = lbl_set_get(ls, TIMEOUT_LABEL);
    int64_t ims = 0, tms = 0;
    struct lm_err e2;
    if (cfg_duration_parse(iv ? iv : "", &ims, &e2))
        return lm_err_set(err, LM_EINVAL, NULL, "error parsing scrape interval: %s", e2.msg);
    if (ims == 0)
        return lm_err_set(err, LM_EINVAL, NULL, "scrape interval cannot be 0");
    if (cfg_duration_parse(tv ? tv : "", &tms, &e2))
        return lm_err_set(err, LM_EINVAL, NULL, "error parsing scrape timeout: %s", e2.msg);
    if (tms == 0)
        return lm_err_set(err, LM_EINVAL, NULL, "scrape timeout cannot be 0");
    if (tms > ims)
        return lm_err_set(err, LM_EINVAL, NULL,
                          "scrape timeout cannot be greater than scrape interval "
                          "(\"%s\" > \"%s\")", tv, iv);
    return 0;
}

/* add_scrape_labels: the labels Prometheus sets before relabeling. */
static int add_scrape_labels(const struct scr_job *job, struct lbl_set *ls)
{
    char iv[32], tv[32];
    cfg_duration_format(job->interval_ms, iv, sizeof iv);
    cfg_duration_format(job->timeout_ms, tv, sizeof tv);
    int rc = set_default(ls, "job", job->job_name ? job->job_name : "");
    if (!rc)
        rc = set_default(ls, INTERVAL_LABEL, iv);
    if (!rc)
        rc = set_default(ls, TIMEOUT_LABEL, tv);
    if (!rc)
        rc = set_default(ls, PATH_LABEL, job->metrics_path ? job->metrics_path : "/metrics");
    if (!rc)
        rc = set_default(ls, SCHEME_LABEL, job->scheme ? job->scheme : "http");
    for (size_t i = 0; !rc && i < job->nparams; i++) {
        const struct cfg_param *p = &job->params[i];
        if (!p->nvalues)
            continue;
        struct lm_buf name;
        lm_buf_init(&name, LM_ERR_MSG_MAX + 1024);
        lm_buf_puts(&name, PARAM_PREFIX);
        lm_buf_puts(&name, p->name);
        rc = name.err;
        if (!rc)
            rc = lbl_set_add(ls, lm_buf_cstr(&name), p->values[0]);
        lm_buf_cleanup(&name);
    }
    return rc;
}

int scr_target_labels(const struct scr_job *job, const struct rl_rule *relabel,
                      size_t nrelabel, const struct lbl_set *discovered,
                      struct lbl_set *out, struct lbl_set *discovered_out, bool *keep,
                      struct lm_err *err)
{
    struct lbl_set ls = {0};
    struct lm_buf addr;
    lm_buf_init(&addr, 64 * 1024);
    int rc = lbl_set_copy(&ls, discovered);
    *keep = false;
    lbl_set_clear(out);
    if (!rc)
        rc = add_scrape_labels(job, &ls);
    if (!rc && discovered_out)
        rc = lbl_set_copy(discovered_out, &ls);
    if (rc) {
        lm_err_set(err, rc, NULL, "%s", lm_strerror(rc));
        goto out;
    }
    bool oom = false;
    if (!rl_process(relabel, nrelabel, &ls, &oom)) {
        rc = oom ? lm_err_set(err, LM_ENOMEM, NULL, "out of memory") : 0;
        goto out;
    }
    if (oom) {
        rc = lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        goto out;
    }
    const char *a = lbl_set_get(&ls, ADDRESS_LABEL);
    if (!a) {
        rc = lm_err_set(err, LM_EINVAL, NULL, "no address");
        goto out;
    }
    rc = add_port(a, lbl_set_get(&ls, SCHEME_LABEL), job->scheme, &addr, err);
    if (rc) {
        if (rc == LM_ENOMEM)
            lm_err_set(err, rc, NULL, "out of memory");
        goto out;
    }
    if (strchr(lm_buf_cstr(&addr), '/')) {
        rc = lm_err_set(err, LM_EINVAL, NULL, "\"%s\" is not a valid hostname",
                        lm_buf_cstr(&addr));
        goto out;
    }
    rc = lbl_set_add(&ls, ADDRESS_LABEL, lm_buf_cstr(&addr));
    if (!rc)
        rc = check_durations(&ls, err);
    if (rc)
        goto out;
    for (size_t i = 0; i < ls.n;) {
        if (!strncmp(ls.v[i].name, META_PREFIX, strlen(META_PREFIX)))
            lbl_set_del(&ls, ls.v[i].name);
        else
            i++;
    }
    rc = set_default(&ls, "instance", lm_buf_cstr(&addr));
    if (rc) {
        lm_err_set(err, rc, NULL, "out of memory");
        goto out;
    }
    lbl_set_move(out, &ls);
    *keep = true;
out:
    lbl_set_free(&ls);
    lm_buf_cleanup(&addr);
    return rc;
}

/* put_escaped: Go's url escaping of s: query mode (QueryEscape: ' ' -> '+') or path
 * mode (EscapedPath of a plain Path). */
static void put_escaped(struct lm_buf *out, const char *s, bool query)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
        if (!query && strchr("$&+,/:;=@", c))
            keep = true;
        if (keep) {
            lm_buf_putc(out, (char)c);
        } else if (query && c == ' ') {
            lm_buf_putc(out, '+');
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            lm_buf_append(out, e, 3);
        }
    }
}

/* One query parameter value for the URL. */
struct qparam {
    const char *name;   /* borrowed */
    const char *value;  /* borrowed */
};

static int qparam_cmp(const void *a, const void *b)
{
    return strcmp(((const struct qparam *)a)->name, ((const struct qparam *)b)->name);
}

int scr_target_url(const struct scr_job *job, const struct lbl_set *target,
                   struct lm_buf *out)
{
    const char *scheme = lbl_set_get(target, SCHEME_LABEL);
    const char *host = lbl_set_get(target, ADDRESS_LABEL);
    const char *path = lbl_set_get(target, PATH_LABEL);
    lm_buf_puts(out, scheme ? scheme : "");
    lm_buf_puts(out, "://");
    lm_buf_puts(out, host ? host : "");
    if (path && *path != '/' && *path)
        lm_buf_putc(out, '/');
    put_escaped(out, path ? path : "", false);
    /* Every value of job's params, the first one replaced by a __param_ label; then
     * the __param_ labels of names job does not have. Stable sort by name. */
    size_t cap = target->n;
    for (size_t i = 0; i < job->nparams; i++)
        cap += job->params[i].nvalues;
    if (!cap)
        return out->err;
    struct qparam *qp = lm_calloc(cap, sizeof *qp);
    if (!qp)
        return LM_ENOMEM;
    size_t nq = 0;
    const size_t plen = strlen(PARAM_PREFIX);
    for (size_t i = 0; i < job->nparams; i++) {
        const struct cfg_param *p = &job->params[i];
        for (size_t j = 0; j < p->nvalues; j++)
            qp[nq++] = (struct qparam){p->name, p->values[j]};
    }
    for (size_t i = 0; i < target->n; i++) {
        const char *name = target->v[i].name;
        if (strncmp(name, PARAM_PREFIX, plen))
            continue;
        bool replaced = false;
        for (size_t j = 0; j < nq && !replaced; j++)
            if (!strcmp(qp[j].name, name + plen)) {
                qp[j].value = target->v[i].value;
                replaced = true;
            }
        if (!replaced)
            qp[nq++] = (struct qparam){name + plen, target->v[i].value};
    }
    /* qsort is not stable: order equal names by their position first. */
    for (size_t i = 1; i < nq; i++)
        for (size_t j = i; j > 0 && qparam_cmp(&qp[j - 1], &qp[j]) > 0; j--) {
            struct qparam t = qp[j];
            qp[j] = qp[j - 1];
            qp[j - 1] = t;
        }
    for (size_t i = 0; i < nq; i++) {
        lm_buf_putc(out, i ? '&' : '?');
        put_escaped(out, qp[i].name, true);
        lm_buf_putc(out, '=');
        put_escaped(out, qp[i].value, true);
    }
    lm_free(qp);
    return out->err;
}

int scr_public_labels(const struct lbl_set *target, struct lbl_set *out)
{
    lbl_set_clear(out);
    for (size_t i = 0; i < target->n; i++) {
        if (!strncmp(target->v[i].name, "__", 2))
            continue;
        int rc = lbl_set_add(out, target->v[i].name, target->v[i].value);
        if (rc)
            return rc;
    }
    return 0;
}
