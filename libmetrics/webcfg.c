/* SPDX-License-Identifier: Apache-2.0 */
/* webcfg.c: the web-config.yml parser: loads the YAML document with libyaml (dlopened on
 * first use, webcfg_yaml.c), walks the fixed schema of exporter-toolkit
 * (tls_server_config, http_server_config, basic_auth_users, rate_limit) strictly, and
 * reports each problem at "file:line:col".
 * TLS material is checked by webcfg_tls.c; serving is http*.c's business. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/limits.h"
#include "lm/webcfg.h"
#include "webcfg_int.h"
#include "webcfg_yaml.h"   /* libyaml, loaded on first use */

/* Parser state for one document. */
struct pctx {
    const char *name;           /* file name, for error places */
    yaml_document_t *doc;       /* the loaded document */
    struct lm_webcfg *c;        /* the config being filled */
    struct lmi_tls_raw tls;     /* TLS settings, checked after the walk */
    struct lm_err *err;         /* where errors go */
};

/* Headers that may be configured and, when the list is not empty, their only values
 * (exporter-toolkit's extraHTTPHeaders). */
static const struct {
    const char *name;        /* header name, exact case */
    const char *values[3];   /* allowed values, NULL-terminated; none = anything */
} allowed_headers[] = {
    {"Strict-Transport-Security", {NULL}},
    {"X-Content-Type-Options", {"nosniff", NULL}},
    {"X-Frame-Options", {"deny", "sameorigin", NULL}},
    {"X-XSS-Protection", {NULL}},
    {"Content-Security-Policy", {NULL}},
};

static void
place(const struct pctx *p, const yaml_node_t *n, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s:%zu:%zu", p->name, n->start_mark.line + 1,
             n->start_mark.column + 1);
}

/* fail: record a LM_ECONFIG at node n and return it. */
static int fail(struct pctx *p, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int
fail(struct pctx *p, const yaml_node_t *n, const char *fmt, ...)
{
    char where[LM_ERR_WHERE_MAX], msg[LM_ERR_MSG_MAX];
    place(p, n, where, sizeof where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lm_err_set(p->err, LM_ECONFIG, where, "%s", msg);
}

static yaml_node_t *
node(const struct pctx *p, int id)
{
    return yaml_document_get_node(p->doc, id);
}

/* is_null: an absent value, or a plain scalar spelling YAML null. */
static int
is_null(const yaml_node_t *n)
{
    if (!n)
        return 1;
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *v = (const char *)n->data.scalar.value;
    return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
           !strcmp(v, "NULL");
}

static const char *
kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_MAPPING_NODE:
        return "a mapping";
    case YAML_SEQUENCE_NODE:
        return "a sequence";
    default:
        return "a scalar";
    }
}

/* get_str: *out = the string value of n, or NULL when n is null. Non-scalars and strings
 * with NUL bytes are errors. */
static int
get_str(struct pctx *p, const yaml_node_t *n, const char *what, const char **out)
{
    *out = NULL;
    if (is_null(n))
        return 0;
    if (n->type != YAML_SCALAR_NODE)
        return fail(p, n, "%s must be a string, not %s", what, kind(n));
    if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
        return fail(p, n, "%s contains a NUL byte", what);
    *out = (const char *)n->data.scalar.value;
    return 0;
}

/* get_bool: YAML 1.1 booleans as yaml.v2 reads them; null leaves *out alone. */
static int
get_bool(struct pctx *p, const yaml_node_t *n, const char *what, int *out)
{
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
                                      "on", "On", "ON", "y", "Y", NULL};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO",
                                     "off", "Off", "OFF", "n", "N", NULL};
    if (is_null(n))
        return 0;
    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *v = (const char *)n->data.scalar.value;
        for (size_t i = 0; yes[i]; i++)
            if (!strcmp(v, yes[i]))
                return *out = 1, 0;
        for (size_t i = 0; no[i]; i++)
            if (!strcmp(v, no[i]))
                return *out = 0, 0;
    }
    return fail(p, n, "%s must be a boolean (true or false)", what);
}

/* get_long: a plain decimal integer. */
static int
get_long(struct pctx *p, const yaml_node_t *n, const char *what, long *out)
{
    if (is_null(n))
        return 0;
    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *v = (const char *)n->data.scalar.value;
        char *end;
        errno = 0;
        long x = strtol(v, &end, 10);
        if (*v && !*end && !errno) {
            *out = x;
            return 0;
        }
    }
    return fail(p, n, "%s must be an integer", what);
}

/* check_map: n must be a mapping whose keys are unique strings. */
static int
check_map(struct pctx *p, const yaml_node_t *n, const char *what)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail(p, n, "%s must be a mapping, not %s", what, kind(n));
    for (yaml_node_pair_t *a = n->data.mapping.pairs.start; a < n->data.mapping.pairs.top;
         a++) {
        yaml_node_t *k = node(p, a->key);
        if (!k || k->type != YAML_SCALAR_NODE)
            return fail(p, k ? k : n, "keys of %s must be strings", what);
        if (strlen((const char *)k->data.scalar.value) != k->data.scalar.length)
            return fail(p, k, "a key of %s contains a NUL byte", what);
        for (yaml_node_pair_t *b = n->data.mapping.pairs.start; b < a; b++) {
            yaml_node_t *kb = node(p, b->key);
            if (kb->data.scalar.length == k->data.scalar.length &&
                !memcmp(kb->data.scalar.value, k->data.scalar.value, k->data.scalar.length))
                return fail(p, k, "duplicate key \"%s\" in %s", (const char *)k->data.scalar.value,
                            what);
        }
    }
    return 0;
}

#define FOR_PAIRS(p, n, k, v)                                                              \
    for (yaml_node_pair_t *pr_ = (n)->data.mapping.pairs.start;                           \
         pr_ < (n)->data.mapping.pairs.top && ((k) = node((p), pr_->key), (v) = node((p), pr_->value), 1); \
         pr_++)

/* get_seq: n must be a sequence (or null: *count = 0) of strings; each item is passed to
 * item(). */
static int
get_seq(struct pctx *p, const yaml_node_t *n, const char *what,
        int (*item)(struct pctx *p, const yaml_node_t *it, const char *s, size_t i, void *ud),
        void *ud, size_t *count)
{
    *count = 0;
    if (is_null(n))
        return 0;
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(p, n, "%s must be a sequence, not %s", what, kind(n));
    size_t i = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++, i++) {
        yaml_node_t *in = node(p, *it);
        const char *s;
        int rc = get_str(p, in, what, &s);
        if (rc)
            return rc;
        if (!s)
            return fail(p, in, "%s: null item", what);
        if ((rc = item(p, in, s, i, ud)))
            return rc;
    }
    *count = i;
    return 0;
}

static size_t
seq_len(const yaml_node_t *n)
{
    if (!n || n->type != YAML_SEQUENCE_NODE)
        return 0;
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static int
cipher_item(struct pctx *p, const yaml_node_t *it, const char *s, size_t i, void *ud)
{
    int idx = lmi_tls_cipher_index(s);
    if (idx < 0)
        return fail(p, it, "unknown cipher: %s", s);
    p->tls.ciphers[i] = idx;
    return 0;
}

static int
curve_item(struct pctx *p, const yaml_node_t *it, const char *s, size_t i, void *ud)
{
    int idx = lmi_tls_curve_index(s);
    if (idx < 0)
        return fail(p, it, "unknown curve: %s", s);
    p->tls.curves[i] = idx;
    return 0;
}

static int
san_item(struct pctx *p, const yaml_node_t *it, const char *s, size_t i, void *ud)
{
    if (!(p->c->sans[i] = lm_strdup(s)))
        return lm_err_set(p->err, LM_ENOMEM, NULL, "out of memory");
    p->c->nsans = i + 1;
    return 0;
}

/* int_list: allocate *arr for the items of sequence n (at least one slot). */
static int
int_list(struct pctx *p, const yaml_node_t *n, int **arr)
{
    lm_free(*arr);
    size_t len = seq_len(n);
    *arr = lm_calloc(len ? len : 1, sizeof **arr);
    return *arr ? 0 : lm_err_set(p->err, LM_ENOMEM, NULL, "out of memory");
}

static int
get_version(struct pctx *p, const yaml_node_t *n, const char *what, enum lm_tls_version *out)
{
    const char *s;
    int rc = get_str(p, n, what, &s);
    if (rc || !s)
        return rc;
    if (lmi_tls_version_parse(s, out))
        return fail(p, n, "unknown TLS version: %s", s);
    return 0;
}

static int
get_client_auth(struct pctx *p, const yaml_node_t *n)
{
    static const struct {
        const char *name;
        enum lm_tls_client_auth v;
    } types[] = {
        {"NoClientCert", LM_TLS_NO_CLIENT_CERT},
        {"RequestClientCert", LM_TLS_REQUEST_CLIENT_CERT},
        {"RequireAnyClientCert", LM_TLS_REQUIRE_ANY_CLIENT_CERT},
        {"RequireClientCert", LM_TLS_REQUIRE_ANY_CLIENT_CERT},  /* upstream's old name */
        {"VerifyClientCertIfGiven", LM_TLS_VERIFY_CLIENT_CERT_IF_GIVEN},
        {"RequireAndVerifyClientCert", LM_TLS_REQUIRE_AND_VERIFY_CLIENT_CERT},
    };
    const char *s;
    int rc = get_str(p, n, "client_auth_type", &s);
    if (rc || !s || !*s)
        return rc;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (!strcmp(s, types[i].name)) {
            p->tls.auth_set = 1;
            p->tls.client_auth = types[i].v;
            return 0;
        }
    }
    return fail(p, n, "invalid client_auth_type: %s", s);
}

/* parse_tls: tls_server_config. */
static int
parse_tls(struct pctx *p, const yaml_node_t *key, const yaml_node_t *m)
{
    struct lmi_tls_raw *t = &p->tls;
    place(p, key, t->section_at, sizeof t->section_at);
    snprintf(t->max_at, sizeof t->max_at, "%s", t->section_at);
    if (is_null(m))
        return 0;
    int rc = check_map(p, m, "tls_server_config");
    yaml_node_t *k, *v;
    FOR_PAIRS(p, m, k, v) {
        if (rc)
            break;
        const char *name = (const char *)k->data.scalar.value;
        if (!strcmp(name, "cert")) {
            if (!(rc = get_str(p, v, name, &t->cert)) && !t->cert_file)
                place(p, v, t->cert_at, sizeof t->cert_at);
        } else if (!strcmp(name, "cert_file")) {
            if (!(rc = get_str(p, v, name, &t->cert_file)) && t->cert_file)
                place(p, v, t->cert_at, sizeof t->cert_at);
        } else if (!strcmp(name, "key")) {
            if (!(rc = get_str(p, v, name, &t->key)) && !t->key_file)
                place(p, v, t->key_at, sizeof t->key_at);
        } else if (!strcmp(name, "key_file")) {
            if (!(rc = get_str(p, v, name, &t->key_file)) && t->key_file)
                place(p, v, t->key_at, sizeof t->key_at);
        } else if (!strcmp(name, "client_ca")) {
            if (!(rc = get_str(p, v, name, &t->client_ca)) && !t->ca_file)
                place(p, v, t->ca_at, sizeof t->ca_at);
        } else if (!strcmp(name, "client_ca_file")) {
            if (!(rc = get_str(p, v, name, &t->ca_file)) && t->ca_file)
                place(p, v, t->ca_at, sizeof t->ca_at);
        } else if (!strcmp(name, "client_auth_type")) {
            rc = get_client_auth(p, v);
        } else if (!strcmp(name, "min_version")) {
            rc = get_version(p, v, name, &t->min_version);
        } else if (!strcmp(name, "max_version")) {
            if (!(rc = get_version(p, v, name, &t->max_version)))
                place(p, v, t->max_at, sizeof t->max_at);
        } else if (!strcmp(name, "cipher_suites")) {
            place(p, k, t->ciphers_at, sizeof t->ciphers_at);
            if (!(rc = int_list(p, v, &t->ciphers)))
                rc = get_seq(p, v, name, cipher_item, NULL, &t->nciphers);
        } else if (!strcmp(name, "curve_preferences")) {
            if (!(rc = int_list(p, v, &t->curves)))
                rc = get_seq(p, v, name, curve_item, NULL, &t->ncurves);
        } else if (!strcmp(name, "prefer_server_cipher_suites")) {
            rc = get_bool(p, v, name, &t->prefer_server);
        } else if (!strcmp(name, "client_allowed_sans")) {
            place(p, k, t->sans_at, sizeof t->sans_at);
            for (size_t i = 0; i < p->c->nsans; i++)
                lm_free(p->c->sans[i]);
            lm_free(p->c->sans);
            p->c->nsans = 0;
            size_t n = seq_len(v), cnt;
            if (!(p->c->sans = lm_calloc(n ? n : 1, sizeof *p->c->sans)))
                return lm_err_set(p->err, LM_ENOMEM, NULL, "out of memory");
            rc = get_seq(p, v, name, san_item, NULL, &cnt);
        } else {
            rc = fail(p, k, "unknown key \"%s\" in tls_server_config", name);
        }
    }
    return rc;
}

/* parse_headers: http_server_config.headers, checked against allowed_headers. */
static int
parse_headers(struct pctx *p, const yaml_node_t *m)
{
    if (is_null(m))
        return 0;
    int rc = check_map(p, m, "headers");
    if (rc)
        return rc;
    size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
    struct lmi_kv *h = lm_calloc(n ? n : 1, sizeof *h);
    if (!h)
        return lm_err_set(p->err, LM_ENOMEM, NULL, "out of memory");
    p->c->headers = h;
    yaml_node_t *k, *v;
    FOR_PAIRS(p, m, k, v) {
        const char *name = (const char *)k->data.scalar.value, *val;
        size_t a;
        for (a = 0; a < sizeof allowed_headers / sizeof allowed_headers[0]; a++)
            if (!strcmp(name, allowed_headers[a].name))
                break;
        if (a == sizeof allowed_headers / sizeof allowed_headers[0])
            return fail(p, k, "HTTP header \"%s\" can not be configured", name);
        if ((rc = get_str(p, v, name, &val)))
            return rc;
        if (!val)
            val = "";
        int ok = !allowed_headers[a].values[0];
        for (size_t i = 0; !ok && allowed_headers[a].values[i]; i++)
            ok = !strcmp(val, allowed_headers[a].values[i]);
        if (!ok)
            return fail(p, v, "invalid value for %s: \"%s\"", name, val);
        if (!*val)
            continue;  /* "Unset if blank" */
        struct lmi_kv *kv = &p->c->headers[p->c->nheaders];
        kv->name = lm_strdup(name);
        kv->value = lm_strdup(val);
        p->c->nheaders++;
        if (!kv->name || !kv->value)
            return lm_err_set(p->err, LM_ENOMEM, NULL, "out of memory");
    }
    return 0;
}

/* parse_http: http_server_config. */
static int
parse_http(struct pctx *p, const yaml_node_t *m)
{
    if (is_null(m))
        return 0;
    int rc = check_map(p, m, "http_server_config");
    yaml_node_t *k, *v;
    FOR_PAIRS(p, m, k, v) {
        if (rc)
            break;
        const char *name = (const char *)k->data.scalar.value;
        if (!strcmp(name, "http2"))
            rc = get_bool(p, v, name, &p->c->http2);
        else if (!strcmp(name, "headers"))
            rc = parse_headers(p, v);
        else
            rc = fail(p, k, "unknown key \"%s\" in http_server_config", name);
    }
    return rc;
}

/* parse_users: basic_auth_users. The hash is never echoed in messages. */
static int
parse_users(struct pctx *p, const yaml_node_t *m)
{
    if (is_null(m))
        return 0;
    int rc = check_map(p, m, "basic_auth_users");
    if (rc)
        return rc;
    size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
    if (!(p->c->users = lm_calloc(n ? n : 1, sizeof *p->c->users)))
        return lm_err_set(p->err, LM_ENOMEM, NULL, "out of memory");
    yaml_node_t *k, *v;
    FOR_PAIRS(p, m, k, v) {
        const char *user = (const char *)k->data.scalar.value, *hash;
        if ((rc = get_str(p, v, "password hash", &hash)))
            return rc;
        if (!hash || !lmi_bcrypt_hash_ok(hash))
            return fail(p, v ? v : k, "invalid bcrypt hash for user \"%s\"", user);
        struct lmi_kv *kv = &p->c->users[p->c->nusers++];
        kv->name = lm_strdup(user);
        kv->value = lm_strdup(hash);
        if (!kv->name || !kv->value)
            return lm_err_set(p->err, LM_ENOMEM, NULL, "out of memory");
    }
    return 0;
}

/* parse_rate: rate_limit. */
static int
parse_rate(struct pctx *p, const yaml_node_t *m)
{
    if (is_null(m))
        return 0;
    int rc = check_map(p, m, "rate_limit");
    yaml_node_t *k, *v;
    FOR_PAIRS(p, m, k, v) {
        if (rc)
            break;
        const char *name = (const char *)k->data.scalar.value, *s;
        if (!strcmp(name, "interval")) {
            if (!(rc = get_str(p, v, name, &s)) && s && lmi_parse_duration(s, &p->c->rate_interval_ns))
                rc = fail(p, v, "invalid duration for interval: \"%s\"", s);
        } else if (!strcmp(name, "burst")) {
            rc = get_long(p, v, name, &p->c->rate_burst);
        } else {
            rc = fail(p, k, "unknown key \"%s\" in rate_limit", name);
        }
    }
    return rc;
}

/* walk: the top-level mapping. */
static int
walk(struct pctx *p)
{
    yaml_node_t *root = yaml_document_get_root_node(p->doc);
    if (is_null(root))
        return 0;
    int rc = check_map(p, root, "the web config");
    yaml_node_t *k, *v;
    FOR_PAIRS(p, root, k, v) {
        if (rc)
            break;
        const char *name = (const char *)k->data.scalar.value;
        if (!strcmp(name, "tls_server_config"))
            rc = parse_tls(p, k, v);
        else if (!strcmp(name, "http_server_config"))
            rc = parse_http(p, v);
        else if (!strcmp(name, "basic_auth_users"))
            rc = parse_users(p, v);
        else if (!strcmp(name, "rate_limit"))
            rc = parse_rate(p, v);
        else
            rc = fail(p, k, "unknown key \"%s\"", name);
    }
    return rc;
}

/* yaml_error: turn a libyaml parser failure into LM_EPARSE (or LM_ENOMEM). */
static int
yaml_error(const char *name, const yaml_parser_t *yp, struct lm_err *err)
{
    if (yp->error == YAML_MEMORY_ERROR)
        return lm_err_set(err, LM_ENOMEM, name, "out of memory");
    const yaml_mark_t *m = yp->problem ? &yp->problem_mark : &yp->context_mark;
    char where[LM_ERR_WHERE_MAX];
    snprintf(where, sizeof where, "%s:%zu:%zu", name, m->line + 1, m->column + 1);
    if (yp->context)
        return lm_err_set(err, LM_EPARSE, where, "%s %s", yp->problem ? yp->problem : "error",
                          yp->context);
    return lm_err_set(err, LM_EPARSE, where, "%s", yp->problem ? yp->problem : "invalid YAML");
}

int
lm_webcfg_parse_mem(const char *name, const void *data, size_t len, const char *basedir,
                    struct lm_webcfg **out, struct lm_err *err)
{
    *out = NULL;
    if (!name)
        name = "web config";
    if (len > LM_LIMIT_CONFIG_BYTES)
        return lm_err_set(err, LM_ETOOBIG, name, "web config is larger than %lu bytes",
                          (unsigned long)LM_LIMIT_CONFIG_BYTES);
    struct lm_webcfg *c = lm_calloc(1, sizeof *c);
    if (!c)
        return lm_err_set(err, LM_ENOMEM, name, "out of memory");
    c->http2 = 1;
    c->min_version = LM_TLS12;
    c->max_version = LM_TLS13;

    struct pctx p = {.name = name, .c = c, .err = err};
    p.tls.min_version = LM_TLS12;
    p.tls.max_version = LM_TLS13;
    p.tls.prefer_server = 1;

    yaml_parser_t yp;
    yaml_document_t doc;
    int rc, have_doc = 0;
    if ((rc = lmi_yaml_load(name, err))) {
        lm_free(c);
        return rc;
    }
    if (!yaml_parser_initialize(&yp)) {
        lm_free(c);
        return lm_err_set(err, LM_ENOMEM, name, "out of memory");
    }
    yaml_parser_set_input_string(&yp, data, len);
    if (!yaml_parser_load(&yp, &doc)) {
        rc = yaml_error(name, &yp, err);
        goto out;
    }
    have_doc = 1;
    p.doc = &doc;
    if ((rc = walk(&p)))
        goto out;
    /* A second document in the stream is an error, as in yaml.v2's Unmarshal. */
    yaml_document_t extra;
    if (!yaml_parser_load(&yp, &extra)) {
        rc = yaml_error(name, &yp, err);
        goto out;
    }
    int more = yaml_document_get_root_node(&extra) != NULL;
    yaml_node_t *r2 = more ? yaml_document_get_root_node(&extra) : NULL;
    if (more) {
        char where[LM_ERR_WHERE_MAX];
        snprintf(where, sizeof where, "%s:%zu:%zu", name, r2->start_mark.line + 1,
                 r2->start_mark.column + 1);
        rc = lm_err_set(err, LM_ECONFIG, where, "more than one YAML document");
    }
    yaml_document_delete(&extra);
    if (rc)
        goto out;
    rc = lmi_webcfg_tls(c, &p.tls, basedir, err);
out:
    if (have_doc)
        yaml_document_delete(&doc);
    yaml_parser_delete(&yp);
    lm_free(p.tls.ciphers);
    lm_free(p.tls.curves);
    if (rc) {
        lm_webcfg_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int
lm_webcfg_load(const char *path, struct lm_webcfg **out, struct lm_err *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return lm_err_set(err, LM_EIO, path, "cannot open web config: %s", strerror(errno));
    struct stat st;
    int rc = 0;
    char *buf = NULL;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        rc = lm_err_set(err, LM_EIO, path, "web config is not a regular file");
        goto out;
    }
    if ((unsigned long long)st.st_size > LM_LIMIT_CONFIG_BYTES) {
        rc = lm_err_set(err, LM_ETOOBIG, path, "web config is larger than %lu bytes",
                        (unsigned long)LM_LIMIT_CONFIG_BYTES);
        goto out;
    }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    if (!(buf = lm_malloc(cap))) {
        rc = lm_err_set(err, LM_ENOMEM, path, "out of memory");
        goto out;
    }
    for (;;) {
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = lm_err_set(err, LM_EIO, path, "cannot read web config: %s", strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == cap) {  /* the file grew while we read it */
            rc = lm_err_set(err, LM_EIO, path, "web config changed while being read");
            goto out;
        }
    }
    char *dir = lm_strdup(path);
    if (!dir) {
        rc = lm_err_set(err, LM_ENOMEM, path, "out of memory");
        goto out;
    }
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir] = '\0';  /* "/x.yml" -> "/", "a/b.yml" -> "a" */
    rc = lm_webcfg_parse_mem(path, buf, len, slash ? dir : NULL, out, err);
    lm_free(dir);
out:
    lm_free(buf);
    close(fd);
    return rc;
}

static void
free_kvs(struct lmi_kv *kv, size_t n)
{
    for (size_t i = 0; kv && i < n; i++) {
        lm_free(kv[i].name);
        if (kv[i].value)
            explicit_bzero(kv[i].value, strlen(kv[i].value));
        lm_free(kv[i].value);
    }
    lm_free(kv);
}

void
lm_webcfg_free(struct lm_webcfg *c)
{
    if (!c)
        return;
    lm_free(c->cert_pem);
    if (c->key_pem)
        explicit_bzero(c->key_pem, strlen(c->key_pem));
    lm_free(c->key_pem);
    lm_free(c->ca_pem);
    lm_free(c->priorities);
    for (size_t i = 0; i < c->nsans; i++)
        lm_free(c->sans[i]);
    lm_free(c->sans);
    free_kvs(c->headers, c->nheaders);
    free_kvs(c->users, c->nusers);
    lm_free(c);
}

int
lm_webcfg_tls_enabled(const struct lm_webcfg *c)
{
    return c->tls;
}

enum lm_tls_client_auth
lm_webcfg_client_auth(const struct lm_webcfg *c)
{
    return c->client_auth;
}

enum lm_tls_version
lm_webcfg_min_version(const struct lm_webcfg *c)
{
    return c->min_version;
}

enum lm_tls_version
lm_webcfg_max_version(const struct lm_webcfg *c)
{
    return c->max_version;
}

const char *
lm_webcfg_tls_priorities(const struct lm_webcfg *c)
{
    return c->priorities;
}

int
lm_webcfg_http2(const struct lm_webcfg *c)
{
    return c->http2;
}

size_t
lm_webcfg_header_count(const struct lm_webcfg *c)
{
    return c->nheaders;
}

size_t
lm_webcfg_user_count(const struct lm_webcfg *c)
{
    return c->nusers;
}

int64_t
lm_webcfg_rate_interval_ns(const struct lm_webcfg *c)
{
    return c->rate_interval_ns;
}

long
lm_webcfg_rate_burst(const struct lm_webcfg *c)
{
    return c->rate_burst;
}


const char *
lm_webcfg_header_name(const struct lm_webcfg *c, size_t i)
{
    return i < c->nheaders ? c->headers[i].name : NULL;
}

const char *
lm_webcfg_header_value(const struct lm_webcfg *c, size_t i)
{
    return i < c->nheaders ? c->headers[i].value : NULL;
}

const char *
lm_webcfg_user_name(const struct lm_webcfg *c, size_t i)
{
    return i < c->nusers ? c->users[i].name : NULL;
}

const char *
lm_webcfg_user_hash(const struct lm_webcfg *c, const char *user)
{
    for (size_t i = 0; user && i < c->nusers; i++)
        if (!strcmp(c->users[i].name, user))
            return c->users[i].value;
    return NULL;
}
