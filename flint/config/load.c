/* SPDX-License-Identifier: Apache-2.0 */
/* load.c: loading prometheus.yml: the top-level config.Config mapping, global,
 * rule_files, the cross-section checks (interval inheritance, unique job and remote
 * write names), relative path resolution, warnings, and freeing. The sections are read
 * by scrape.c, alerting.c and remote_write.c. */
#include "flint/config/cfg_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/limits.h"

int
cfg_oom_(struct cfg_ctx *x)
{
    return lm_err_set(x->y.err, LM_ENOMEM, x->y.name, "out of memory");
}

bool
cfg_streq_(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

bool
cfg_strv_eq_(char *const *a, size_t na, char *const *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!cfg_streq_(a[i], b[i]))
            return false;
    return true;
}

int
cfg_path_(struct cfg_ctx *x, char **p)
{
    if (!*p || !**p || **p == '/' || !x->dir || !*x->dir || !strcmp(x->dir, "."))
        return 0;
    struct lm_buf b;
    lm_buf_init(&b, LM_LIMIT_CONFIG_BYTES);
    lm_buf_puts(&b, x->dir);
    if (x->dir[strlen(x->dir) - 1] != '/')
        lm_buf_putc(&b, '/');
    lm_buf_puts(&b, *p);
    char *j = lm_buf_take(&b, NULL);
    if (!j)
        return cfg_oom_(x);
    lm_free(*p);
    *p = j;
    return 0;
}

int
cfg_warn_(struct cfg_ctx *x, const yaml_node_t *n, const char *fmt, ...)
{
    struct cfg *c = x->c;
    char where[LM_ERR_WHERE_MAX];
    cfg_y_where(&x->y, n, where, sizeof where);
    struct lm_buf b;
    lm_buf_init(&b, LM_LIMIT_LOG_LINE);
    lm_buf_printf(&b, "%s: ", where);
    va_list ap;
    va_start(ap, fmt);
    lm_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    char *w = lm_buf_take(&b, NULL);
    char **nv = w ? lm_realloc(c->warnings, (c->nwarnings + 1) * sizeof *nv) : NULL;
    if (!nv) {
        lm_free(w);
        return cfg_oom_(x);
    }
    nv[c->nwarnings++] = w;
    c->warnings = nv;
    return 0;
}

static int
parse_global(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_global *g)
{
    struct cfg_y *y = &x->y;
    int rc = cfg_y_map(y, n, "config.GlobalConfig", true);
    if (rc)
        return rc;
    const yaml_node_t *at = n;
    if (!cfg_y_is_null(n)) {
        yaml_node_t *k, *v;
        const char *key;
        CFG_Y_FOR_PAIRS(y, n, k, v, key) {
            if (!strcmp(key, "scrape_interval"))
                rc = cfg_y_duration(y, v, key, &g->scrape_interval_ms);
            else if (!strcmp(key, "scrape_timeout") && (at = v))
                rc = cfg_y_duration(y, v, key, &g->scrape_timeout_ms);
            else if (!strcmp(key, "evaluation_interval"))
                rc = cfg_y_duration(y, v, key, &g->evaluation_interval_ms);
            else if (!strcmp(key, "query_log_file"))
                rc = cfg_y_str(y, v, key, &g->query_log_file) ?: cfg_path_(x, &g->query_log_file);
            else if (!strcmp(key, "external_labels"))
                rc = cfg_y_labels(y, v, key, &g->external_labels);
            else
                rc = cfg_y_unknown(y, k, "config.GlobalConfig");
            if (rc)
                return rc;
        }
    }
    /* GlobalConfig.UnmarshalYAML's defaults and check */
    if (!g->scrape_interval_ms)
        g->scrape_interval_ms = CFG_DEFAULT_SCRAPE_INTERVAL_MS;
    if (g->scrape_timeout_ms > g->scrape_interval_ms)
        return cfg_y_fail(y, at, "global scrape timeout greater than scrape interval");
    if (!g->scrape_timeout_ms)
        g->scrape_timeout_ms = CFG_DEFAULT_SCRAPE_TIMEOUT_MS > g->scrape_interval_ms
                                   ? g->scrape_interval_ms
                                   : CFG_DEFAULT_SCRAPE_TIMEOUT_MS;
    if (!g->evaluation_interval_ms)
        g->evaluation_interval_ms = CFG_DEFAULT_EVAL_INTERVAL_MS;
    return 0;
}

/* esc_ok: one class character of a Go filepath.Match range at *p ('\\' escapes). */
static bool
esc_ok(const char **p)
{
    const char *s = *p;
    if (!*s || *s == '-' || *s == ']')
        return false;
    if (*s == '\\' && !*++s)
        return false;
    *p = s + 1;
    return true;
}

/* match_pattern_ok: Go's filepath.Match would not return ErrBadPattern for p. */
static bool
match_pattern_ok(const char *p)
{
    while (*p) {
        if (*p == '\\') {
            if (!p[1])
                return false;
            p += 2;
        } else if (*p == '[') {
            p++;
            if (*p == '^')
                p++;
            for (int nrange = 0;; nrange++) {
                if (*p == ']' && nrange > 0) {
                    p++;
                    break;
                }
                if (!esc_ok(&p))
                    return false;
                if (*p == '-') {
                    p++;
                    if (!esc_ok(&p))
                        return false;
                }
            }
        } else {
            p++;
        }
    }
    return true;
}

static int
parse_rule_files(struct cfg_ctx *x, const yaml_node_t *n)
{
    struct cfg *c = x->c;
    int rc = cfg_y_strlist(&x->y, n, "rule_files", &c->rule_files, &c->nrule_files);
    if (rc)
        return rc;
    for (size_t i = 0; i < c->nrule_files; i++) {
        if (!match_pattern_ok(c->rule_files[i]))
            return cfg_y_fail(&x->y, n, "invalid rule file path \"%s\"", c->rule_files[i]);
        if ((rc = cfg_path_(x, &c->rule_files[i])))
            return rc;
    }
    return 0;
}

/* parse_list: a sequence section into a new array of cnt elements of size sz. */
static int
parse_list(struct cfg_ctx *x, const yaml_node_t *n, const char *key, void **arr, size_t *cnt,
           size_t sz, int (*one)(struct cfg_ctx *, const yaml_node_t *, void *))
{
    size_t m;
    int rc = cfg_y_seq(&x->y, n, key, &m);
    if (rc || !m)
        return rc;
    char *a = lm_realloc(*arr, (*cnt + m) * sz);
    if (!a)
        return cfg_oom_(x);
    memset(a + *cnt * sz, 0, m * sz);
    *arr = a;
    size_t base = *cnt;
    *cnt += m;
    yaml_node_t *it;
    size_t i;
    CFG_Y_FOR_ITEMS(&x->y, n, it, i) {
        if ((rc = one(x, it, a + (base + i) * sz)))
            return rc;
    }
    return 0;
}

static int
one_scrape(struct cfg_ctx *x, const yaml_node_t *n, void *s)
{
    return cfg_scrape_parse_(x, n, s);
}

static int
one_rw(struct cfg_ctx *x, const yaml_node_t *n, void *rw)
{
    return cfg_rw_parse_(x, n, rw);
}

/* finish_scrapes: Config.UnmarshalYAML's inheritance and uniqueness checks. n is the
 * scrape_configs node (items in the same order as c->scrapes). */
static int
finish_scrapes(struct cfg_ctx *x, const yaml_node_t *n)
{
    struct cfg *c = x->c;
    yaml_node_t *it;
    size_t i;
    CFG_Y_FOR_ITEMS(&x->y, n, it, i) {
        struct cfg_scrape *s = &c->scrapes[i];
        if (!s->scrape_interval_ms)
            s->scrape_interval_ms = c->global.scrape_interval_ms;
        if (s->scrape_timeout_ms > s->scrape_interval_ms)
            return cfg_y_fail(&x->y, it, "scrape timeout greater than scrape interval for "
                              "scrape config with job name \"%s\"", s->job_name);
        if (!s->scrape_timeout_ms)
            s->scrape_timeout_ms = c->global.scrape_timeout_ms > s->scrape_interval_ms
                                       ? s->scrape_interval_ms
                                       : c->global.scrape_timeout_ms;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(c->scrapes[j].job_name, s->job_name))
                return cfg_y_fail(&x->y, it, "found multiple scrape configs with job name "
                                  "\"%s\"", s->job_name);
    }
    return 0;
}

static int
finish_rws(struct cfg_ctx *x, const yaml_node_t *n)
{
    struct cfg *c = x->c;
    yaml_node_t *it;
    size_t i;
    CFG_Y_FOR_ITEMS(&x->y, n, it, i) {
        const char *name = c->rws[i].name;
        for (size_t j = 0; name && *name && j < i; j++)
            if (cfg_streq_(c->rws[j].name, name))
                return cfg_y_fail(&x->y, it, "found multiple remote write configs with job "
                                  "name \"%s\"", name);
    }
    return 0;
}

static int
walk(struct cfg_ctx *x)
{
    struct cfg_y *y = &x->y;
    struct cfg *c = x->c;
    yaml_node_t *root = cfg_y_root(y);
    const yaml_node_t *scrapes = NULL, *rws = NULL;
    int rc = cfg_y_map(y, root, "config.Config", true);
    if (!rc && !cfg_y_is_null(root)) {
        yaml_node_t *k, *v;
        const char *key;
        CFG_Y_FOR_PAIRS(y, root, k, v, key) {
            if (!strcmp(key, "global"))
                rc = parse_global(x, v, &c->global);
            else if (!strcmp(key, "rule_files"))
                rc = parse_rule_files(x, v);
            else if (!strcmp(key, "scrape_configs") && (scrapes = v))
                rc = parse_list(x, v, key, (void **)&c->scrapes, &c->nscrapes,
                                sizeof *c->scrapes, one_scrape);
            else if (!strcmp(key, "alerting"))
                rc = cfg_alerting_parse_(x, v, &c->alerting);
            else if (!strcmp(key, "remote_write") && (rws = v))
                rc = parse_list(x, v, key, (void **)&c->rws, &c->nrws, sizeof *c->rws,
                                one_rw);
            else if (!strcmp(key, "remote_read") || !strcmp(key, "storage") ||
                     !strcmp(key, "tracing"))
                rc = cfg_warn_(x, k, "%s is not supported by flint yet (ignored)", key);
            else
                rc = cfg_y_unknown(y, k, "config.Config");
            if (rc)
                return rc;
        }
    }
    if (rc)
        return rc;
    /* global's defaults apply even without a global section */
    if (!c->global.scrape_interval_ms && (rc = parse_global(x, NULL, &c->global)))
        return rc;
    if (scrapes && c->nscrapes && (rc = finish_scrapes(x, scrapes)))
        return rc;
    if (rws && c->nrws && (rc = finish_rws(x, rws)))
        return rc;
    return 0;
}

void
cfg_free(struct cfg *c)
{
    if (!c)
        return;
    lm_free(c->path);
    lm_free(c->dir);
    lm_free(c->raw);
    lm_free(c->global.query_log_file);
    lbl_set_free(&c->global.external_labels);
    cfg_strv_free(c->rule_files, c->nrule_files);
    for (size_t i = 0; i < c->nscrapes; i++)
        cfg_scrape_free_(&c->scrapes[i]);
    lm_free(c->scrapes);
    cfg_alerting_free_(&c->alerting);
    for (size_t i = 0; i < c->nrws; i++)
        cfg_rw_free_(&c->rws[i]);
    lm_free(c->rws);
    cfg_strv_free(c->warnings, c->nwarnings);
    lm_free(c);
}

struct cfg *
cfg_load_string(const char *name, const char *data, size_t len, const char *dir,
                struct lm_err *err)
{
    if (!name)
        name = "config";
    struct cfg *c = lm_calloc(1, sizeof *c);
    if (!c) {
        lm_err_set(err, LM_ENOMEM, name, "out of memory");
        return NULL;
    }
    struct cfg_ctx x = {.c = c, .dir = dir};
    int rc = 0;
    c->raw = lm_malloc(len + 1);
    c->path = lm_strdup(name);
    c->dir = lm_strdup(dir ? dir : ".");
    if (!c->raw || !c->path || !c->dir) {
        rc = lm_err_set(err, LM_ENOMEM, name, "out of memory");
        goto out;
    }
    memcpy(c->raw, data, len);
    c->raw[len] = '\0';
    c->raw_len = len;
    if ((rc = cfg_y_load(&x.y, c->path, data, len, err)))
        goto out;
    rc = walk(&x);
out:
    cfg_y_cleanup(&x.y);
    if (rc) {
        cfg_free(c);
        return NULL;
    }
    return c;
}

struct cfg *
cfg_load_file(const char *path, struct lm_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        lm_err_set(err, LM_EIO, path, "open config file: %s", strerror(errno));
        return NULL;
    }
    struct lm_buf b;
    lm_buf_init(&b, LM_LIMIT_CONFIG_BYTES);
    char chunk[8192];
    ssize_t r;
    while ((r = read(fd, chunk, sizeof chunk)) > 0)
        if (lm_buf_append(&b, chunk, (size_t)r))
            break;
    int saved = errno;
    close(fd);
    if (r < 0 || b.err) {
        if (r < 0)
            lm_err_set(err, LM_EIO, path, "read config file: %s", strerror(saved));
        else
            lm_err_set(err, b.err, path, "config file too big or out of memory");
        lm_buf_cleanup(&b);
        return NULL;
    }
    char *dir = lm_strdup(path);
    if (!dir) {
        lm_buf_cleanup(&b);
        lm_err_set(err, LM_ENOMEM, path, "out of memory");
        return NULL;
    }
    char *slash = strrchr(dir, '/');
    if (slash)
        slash == dir ? (void)(slash[1] = '\0') : (void)(*slash = '\0');
    struct cfg *c = cfg_load_string(path, b.data ? b.data : "", b.len, slash ? dir : ".", err);
    lm_free(dir);
    lm_buf_cleanup(&b);
    return c;
}

const struct cfg_scrape *
cfg_scrape_find(const struct cfg *c, const char *job)
{
    for (size_t i = 0; i < c->nscrapes; i++)
        if (!strcmp(c->scrapes[i].job_name, job))
            return &c->scrapes[i];
    return NULL;
}
