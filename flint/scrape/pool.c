/* SPDX-License-Identifier: Apache-2.0 */
/* pool.c: a scrape pool's settings as the scraper keeps them: an owned deep copy of the
 * caller's struct scr_job (strings, params, metric relabel rules with their regexes
 * recompiled, password and credentials files read), shared by the pool's loops through a
 * reference count, and compared by value so a reload keeps unchanged loops running. */
#include "flint/scrape/scrape_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lm/alloc.h"
#include "lm/regex.h"

#define SECRET_FILE_MAX (64 * 1024)

/* dup: copy s (NULL stays NULL) and note a failure in *oom. */
static char *dup(const char *s, bool *oom)
{
    if (!s)
        return NULL;
    char *d = lm_strdup(s);
    if (!d)
        *oom = true;
    return d;
}

/* read_secret: the file's content without trailing newlines (as Prometheus trims
 * spaces around credentials files). Owned string or NULL with err set. */
static char *read_secret(const char *path, struct lm_err *err)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        lm_err_set(err, LM_EIO, path, "unable to read file %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = lm_malloc(SECRET_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        lm_err_set(err, LM_ENOMEM, path, "out of memory");
        return NULL;
    }
    size_t n = fread(buf, 1, SECRET_FILE_MAX, f);
    fclose(f);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' ||
                 buf[n - 1] == '\t'))
        n--;
    buf[n] = '\0';
    size_t skip = strspn(buf, " \t\r\n");
    memmove(buf, buf + skip, n - skip + 1);
    return buf;
}

static void params_free(struct cfg_param *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++) {
        lm_free(p[i].name);
        for (size_t j = 0; j < p[i].nvalues; j++)
            lm_free(p[i].values[j]);
        lm_free(p[i].values);
    }
    lm_free(p);
}

static void rules_free(struct rl_rule *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++)
        rl_rule_free(&r[i]);
    lm_free(r);
}

/* rule_copy: *d = deep copy of *s. 0 or an error (d is then freeable). */
static int rule_copy(struct rl_rule *d, const struct rl_rule *s, struct lm_err *err)
{
    bool oom = false;
    memset(d, 0, sizeof *d);
    d->modulus = s->modulus;
    d->action = s->action;
    d->separator = dup(s->separator, &oom);
    d->target_label = dup(s->target_label, &oom);
    d->replacement = dup(s->replacement, &oom);
    if (s->nsource) {
        d->source_labels = lm_calloc(s->nsource, sizeof *d->source_labels);
        if (!d->source_labels)
            return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        d->nsource = s->nsource;
        for (size_t i = 0; i < s->nsource; i++)
            d->source_labels[i] = dup(s->source_labels[i], &oom);
    }
    if (oom)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    if (s->regex) {
        d->regex = lm_regex_new(lm_regex_pattern(s->regex), true, err);
        if (!d->regex)
            return err && err->code ? err->code : LM_ENOMEM;
    }
    return 0;
}

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static bool rule_eq(const struct rl_rule *a, const struct rl_rule *b)
{
    if (a->action != b->action || a->modulus != b->modulus || a->nsource != b->nsource ||
        !str_eq(a->separator, b->separator) || !str_eq(a->target_label, b->target_label) ||
        !str_eq(a->replacement, b->replacement) || !a->regex != !b->regex)
        return false;
    if (a->regex && strcmp(lm_regex_pattern(a->regex), lm_regex_pattern(b->regex)))
        return false;
    for (size_t i = 0; i < a->nsource; i++)
        if (!str_eq(a->source_labels[i], b->source_labels[i]))
            return false;
    return true;
}

static void pool_free(struct scri_pool *p)
{
    struct scr_job *j = &p->job;
    const char *strs[] = {j->job_name, j->metrics_path, j->scheme, j->basic_user,
                          j->basic_password, j->basic_password_file, j->auth_type,
                          j->auth_credentials, j->auth_credentials_file, j->tls_ca_file,
                          j->tls_cert_file, j->tls_key_file, j->tls_server_name,
                          j->tls_min_version, j->proxy_url};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        lm_free((char *)strs[i]);
    lm_free(p->password);
    lm_free(p->credentials);
    params_free(p->params, j->nparams);
    rules_free(p->rules, j->nmetric_relabel);
    lm_free(p);
}

/* copy_strings: the job's strings (s) into d's job. */
static void copy_strings(struct scr_job *d, const struct scr_job *s, bool *oom)
{
    d->job_name = dup(s->job_name ? s->job_name : "", oom);
    d->metrics_path = dup(s->metrics_path ? s->metrics_path : "/metrics", oom);
    d->scheme = dup(s->scheme ? s->scheme : "http", oom);
    d->basic_user = dup(s->basic_user, oom);
    d->basic_password = dup(s->basic_password, oom);
    d->basic_password_file = dup(s->basic_password_file, oom);
    d->auth_type = dup(s->auth_type, oom);
    d->auth_credentials = dup(s->auth_credentials, oom);
    d->auth_credentials_file = dup(s->auth_credentials_file, oom);
    d->tls_ca_file = dup(s->tls_ca_file, oom);
    d->tls_cert_file = dup(s->tls_cert_file, oom);
    d->tls_key_file = dup(s->tls_key_file, oom);
    d->tls_server_name = dup(s->tls_server_name, oom);
    d->tls_min_version = dup(s->tls_min_version, oom);
    d->proxy_url = dup(s->proxy_url, oom);
}

static int copy_params(struct scri_pool *p, const struct scr_job *s)
{
    if (!s->nparams)
        return 0;
    p->params = lm_calloc(s->nparams, sizeof *p->params);
    if (!p->params)
        return LM_ENOMEM;
    p->job.nparams = s->nparams;
    bool oom = false;
    for (size_t i = 0; i < s->nparams; i++) {
        p->params[i].name = dup(s->params[i].name, &oom);
        if (!s->params[i].nvalues)
            continue;
        p->params[i].values = lm_calloc(s->params[i].nvalues, sizeof(char *));
        if (!p->params[i].values)
            return LM_ENOMEM;
        p->params[i].nvalues = s->params[i].nvalues;
        for (size_t k = 0; k < s->params[i].nvalues; k++)
            p->params[i].values[k] = dup(s->params[i].values[k], &oom);
    }
    return oom ? LM_ENOMEM : 0;
}

struct scri_pool *scri_pool_new(const struct scr_job *job, struct lm_err *err)
{
    struct scri_pool *p = lm_calloc(1, sizeof *p);
    if (!p) {
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        return NULL;
    }
    atomic_init(&p->refs, 1);
    bool oom = false;
    struct scr_job *j = &p->job;
    *j = *job;
    j->params = NULL;
    j->nparams = 0;
    j->metric_relabel = NULL;
    j->nmetric_relabel = 0;
    copy_strings(j, job, &oom);
    int rc = oom ? LM_ENOMEM : copy_params(p, job);
    j->params = p->params;
    if (!rc && job->nmetric_relabel) {
        p->rules = lm_calloc(job->nmetric_relabel, sizeof *p->rules);
        if (!p->rules)
            rc = LM_ENOMEM;
        else
            j->nmetric_relabel = job->nmetric_relabel;
        for (size_t i = 0; !rc && i < job->nmetric_relabel; i++)
            rc = rule_copy(&p->rules[i], &job->metric_relabel[i], err);
        j->metric_relabel = p->rules;
        if (rc && rc != LM_ENOMEM)
            goto fail;
    }
    if (rc) {
        lm_err_set(err, rc, NULL, "out of memory");
        goto fail;
    }
    if (job->basic_password_file && *job->basic_password_file)
        p->password = read_secret(job->basic_password_file, err);
    else if (job->basic_user)
        p->password = dup(job->basic_password ? job->basic_password : "", &oom);
    if (job->auth_credentials_file && *job->auth_credentials_file)
        p->credentials = read_secret(job->auth_credentials_file, err);
    else if (job->auth_credentials)
        p->credentials = dup(job->auth_credentials, &oom);
    if (oom)
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    if (oom || (job->basic_user && !p->password) ||
        (job->auth_credentials_file && *job->auth_credentials_file && !p->credentials))
        goto fail;
    return p;
fail:
    pool_free(p);
    return NULL;
}

bool scri_pool_eq(const struct scri_pool *a, const struct scri_pool *b)
{
    const struct scr_job *x = &a->job, *y = &b->job;
    if (x->interval_ms != y->interval_ms || x->timeout_ms != y->timeout_ms ||
        x->honor_labels != y->honor_labels || x->honor_timestamps != y->honor_timestamps ||
        x->body_size_limit != y->body_size_limit || x->sample_limit != y->sample_limit ||
        x->label_limit != y->label_limit ||
        x->label_name_length_limit != y->label_name_length_limit ||
        x->label_value_length_limit != y->label_value_length_limit ||
        x->tls_insecure_skip_verify != y->tls_insecure_skip_verify ||
        x->follow_redirects != y->follow_redirects || x->enable_http2 != y->enable_http2 ||
        x->nparams != y->nparams || x->nmetric_relabel != y->nmetric_relabel)
        return false;
    const char *sx[] = {x->job_name, x->metrics_path, x->scheme, x->basic_user,
                        x->auth_type, x->tls_ca_file, x->tls_cert_file, x->tls_key_file,
                        x->tls_server_name, x->tls_min_version, x->proxy_url,
                        a->password, a->credentials};
    const char *sy[] = {y->job_name, y->metrics_path, y->scheme, y->basic_user,
                        y->auth_type, y->tls_ca_file, y->tls_cert_file, y->tls_key_file,
                        y->tls_server_name, y->tls_min_version, y->proxy_url,
                        b->password, b->credentials};
    for (size_t i = 0; i < sizeof sx / sizeof sx[0]; i++)
        if (!str_eq(sx[i], sy[i]))
            return false;
    for (size_t i = 0; i < x->nparams; i++) {
        if (!str_eq(x->params[i].name, y->params[i].name) ||
            x->params[i].nvalues != y->params[i].nvalues)
            return false;
        for (size_t k = 0; k < x->params[i].nvalues; k++)
            if (!str_eq(x->params[i].values[k], y->params[i].values[k]))
                return false;
    }
    for (size_t i = 0; i < x->nmetric_relabel; i++)
        if (!rule_eq(&a->rules[i], &b->rules[i]))
            return false;
    return true;
}

void scri_pool_ref(struct scri_pool *p)
{
    atomic_fetch_add(&p->refs, 1);
}

void scri_pool_unref(struct scri_pool *p)
{
    if (p && atomic_fetch_sub(&p->refs, 1) == 1)
        pool_free(p);
}
