/* SPDX-License-Identifier: Apache-2.0 */
/* yamlnode.c: strict libyaml document reading for flint's config and file_sd files (see
 * yamlnode.h): loading one document, yaml.v2-like scalar resolution for the typed
 * getters, and errors at "file:line:col". The approach is libmetrics/webcfg.c's. */
#include "flint/config/yamlnode.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flint/config/config.h"
#include "lm/alloc.h"
#include "lm/limits.h"

void
cfg_y_where(const struct cfg_y *y, const yaml_node_t *n, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s:%zu:%zu", y->name, n->start_mark.line + 1,
             n->start_mark.column + 1);
}

int
cfg_y_fail(struct cfg_y *y, const yaml_node_t *n, const char *fmt, ...)
{
    char where[LM_ERR_WHERE_MAX], msg[LM_ERR_MSG_MAX];
    if (n)
        cfg_y_where(y, n, where, sizeof where);
    else
        snprintf(where, sizeof where, "%s", y->name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lm_err_set(y->err, LM_ECONFIG, where, "%s", msg);
}

/* parse_error: turn a libyaml parser failure into LM_EPARSE (or LM_ENOMEM). */
static int
parse_error(const char *name, const yaml_parser_t *yp, struct lm_err *err)
{
    if (yp->error == YAML_MEMORY_ERROR)
        return lm_err_set(err, LM_ENOMEM, name, "out of memory");
    const yaml_mark_t *m = yp->problem ? &yp->problem_mark : &yp->context_mark;
    char where[LM_ERR_WHERE_MAX];
    snprintf(where, sizeof where, "%s:%zu:%zu", name, m->line + 1, m->column + 1);
    return lm_err_set(err, LM_EPARSE, where, "yaml: %s%s%s",
                      yp->problem ? yp->problem : "invalid YAML", yp->context ? " " : "",
                      yp->context ? yp->context : "");
}

/* ---- merge keys ("<<: *base"), which yaml.v2 and so Prometheus support ----------- */

static bool
is_merge_key(const yaml_node_t *k)
{
    return k && k->type == YAML_SCALAR_NODE && k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           !strcmp((const char *)k->data.scalar.value, "<<");
}

/* has_key: does the pair list [p, p+n) hold a scalar key equal to k's? */
static bool
has_key(const struct cfg_y *y, const yaml_node_pair_t *p, size_t n, const yaml_node_t *k)
{
    if (k->type != YAML_SCALAR_NODE)
        return false;
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *o = cfg_y_node(y, p[i].key);
        if (o && o->type == YAML_SCALAR_NODE &&
            !strcmp((const char *)o->data.scalar.value, (const char *)k->data.scalar.value))
            return true;
    }
    return false;
}

static int expand(struct cfg_y *y, int id, unsigned char *state);

/* A growing pair array, in libyaml's allocator (malloc), since libyaml frees it. */
struct pairs {
    yaml_node_pair_t *v; /* malloc'ed */
    size_t n, cap;       /* used, allocated */
};

static int
push(struct cfg_y *y, struct pairs *o, yaml_node_pair_t p)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 8;
        yaml_node_pair_t *v = realloc(o->v, cap * sizeof *v);
        if (!v)
            return lm_err_set(y->err, LM_ENOMEM, y->name, "out of memory");
        o->v = v;
        o->cap = cap;
    }
    o->v[o->n++] = p;
    return 0;
}

/* add_from: append the pairs of mapping src (expanded first) not already in out. */
static int
add_from(struct cfg_y *y, int src, unsigned char *state, struct pairs *out)
{
    yaml_node_t *m = cfg_y_node(y, src);
    if (!m || m->type != YAML_MAPPING_NODE)
        return cfg_y_fail(y, m, "map merge requires map or sequence of maps as the value");
    int rc = expand(y, src, state);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         !rc && p < m->data.mapping.pairs.top; p++)
        if (!has_key(y, out->v, out->n, cfg_y_node(y, p->key)))
            rc = push(y, out, *p);
    return rc;
}

/* expand: replace the "<<" pairs of mapping id by the pairs they merge in (explicit keys
 * win, then earlier merges). state: 0 new, 1 in progress, 2 done. The pair array is
 * replaced with malloc/free, which libyaml's allocator is. */
static int
expand(struct cfg_y *y, int id, unsigned char *state)
{
    yaml_node_t *m = cfg_y_node(y, id);
    if (!m || m->type != YAML_MAPPING_NODE || state[id] == 2)
        return 0;
    if (state[id] == 1)
        return cfg_y_fail(y, m, "recursive map merge");
    bool any = false;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++)
        any |= is_merge_key(cfg_y_node(y, p->key));
    if (!any) {
        state[id] = 2;
        return 0;
    }
    state[id] = 1;
    struct pairs out = {0};
    int rc = 0;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         !rc && p < m->data.mapping.pairs.top; p++)
        if (!is_merge_key(cfg_y_node(y, p->key)))
            rc = push(y, &out, *p);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         !rc && p < m->data.mapping.pairs.top; p++) {
        if (!is_merge_key(cfg_y_node(y, p->key)))
            continue;
        yaml_node_t *v = cfg_y_node(y, p->value);
        if (v && v->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *it = v->data.sequence.items.start;
                 !rc && it < v->data.sequence.items.top; it++)
                rc = add_from(y, *it, state, &out);
        } else {
            rc = add_from(y, p->value, state, &out);
        }
    }
    if (rc) {
        free(out.v);
        return rc;
    }
    free(m->data.mapping.pairs.start);
    m->data.mapping.pairs.start = out.v;
    /* no pairs at all (e.g. only "<<: []"): out.v is NULL, and NULL + 0 is undefined */
    m->data.mapping.pairs.top = out.v ? out.v + out.n : NULL;
    m->data.mapping.pairs.end = out.v ? out.v + out.cap : NULL;
    state[id] = 2;
    return 0;
}

static int
expand_merges(struct cfg_y *y)
{
    size_t nn = (size_t)(y->doc.nodes.top - y->doc.nodes.start);
    unsigned char *state = lm_calloc(nn + 1, 1);
    if (!state)
        return lm_err_set(y->err, LM_ENOMEM, y->name, "out of memory");
    int rc = 0;
    for (size_t id = 1; !rc && id <= nn; id++)
        rc = expand(y, (int)id, state);
    lm_free(state);
    return rc;
}

int
cfg_y_load(struct cfg_y *y, const char *name, const char *data, size_t len,
           struct lm_err *err)
{
    memset(y, 0, sizeof *y);
    y->name = name;
    y->err = err;
    if (len > LM_LIMIT_CONFIG_BYTES)
        return lm_err_set(err, LM_ETOOBIG, name, "file is larger than %lu bytes",
                          (unsigned long)LM_LIMIT_CONFIG_BYTES);
    yaml_parser_t yp;
    if (!yaml_parser_initialize(&yp))
        return lm_err_set(err, LM_ENOMEM, name, "out of memory");
    yaml_parser_set_input_string(&yp, (const unsigned char *)data, len);
    int rc = 0;
    if (!yaml_parser_load(&yp, &y->doc)) {
        rc = parse_error(name, &yp, err);
        goto out;
    }
    y->loaded = true;
    /* Later documents are ignored, as yaml.v2's Unmarshal (Prometheus) does. */
    rc = expand_merges(y);
out:
    yaml_parser_delete(&yp);
    return rc;
}

void
cfg_y_cleanup(struct cfg_y *y)
{
    if (y->loaded)
        yaml_document_delete(&y->doc);
    y->loaded = false;
}

yaml_node_t *
cfg_y_root(const struct cfg_y *y)
{
    return y->loaded ? yaml_document_get_root_node((yaml_document_t *)&y->doc) : NULL;
}

yaml_node_t *
cfg_y_node(const struct cfg_y *y, int id)
{
    return yaml_document_get_node((yaml_document_t *)&y->doc, id);
}

bool
cfg_y_is_null(const yaml_node_t *n)
{
    if (!n)
        return true;
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *v = (const char *)n->data.scalar.value;
    return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
           !strcmp(v, "NULL");
}

static bool
in_list(const char *v, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(v, list[i]))
            return true;
    return false;
}

static const char *const yes_words[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on",
                                        "On", "ON", "y", "Y", NULL};
static const char *const no_words[] = {"false", "False", "FALSE", "no", "No", "NO", "off",
                                       "Off", "OFF", "n", "N", NULL};

/* plain_int: a yaml.v2 integer scalar (decimal, optional sign, '_' separators). */
static bool
plain_int(const char *v)
{
    if (*v == '+' || *v == '-')
        v++;
    if (!(*v >= '0' && *v <= '9'))
        return false;
    for (; *v; v++)
        if (!((*v >= '0' && *v <= '9') || *v == '_'))
            return false;
    return true;
}

const char *
cfg_y_tag(const yaml_node_t *n)
{
    if (cfg_y_is_null(n))
        return "!!null";
    if (n->type == YAML_MAPPING_NODE)
        return "!!map";
    if (n->type == YAML_SEQUENCE_NODE)
        return "!!seq";
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return "!!str";
    const char *v = (const char *)n->data.scalar.value;
    if (in_list(v, yes_words) || in_list(v, no_words))
        return "!!bool";
    if (plain_int(v))
        return "!!int";
    char *end;
    errno = 0;
    (void)strtod(v, &end);
    if (*v && !*end && v[strspn(v, "+-.0123456789eE")] == '\0')
        return "!!float";
    return "!!str";
}

/* bad_type: yaml.v2's "cannot unmarshal !!seq into string" with the key. */
static int
bad_type(struct cfg_y *y, const yaml_node_t *n, const char *key, const char *want)
{
    if (n->type == YAML_SCALAR_NODE)
        return cfg_y_fail(y, n, "%s: cannot unmarshal %s `%.64s` into %s", key, cfg_y_tag(n),
                          (const char *)n->data.scalar.value, want);
    return cfg_y_fail(y, n, "%s: cannot unmarshal %s into %s", key, cfg_y_tag(n), want);
}

int
cfg_y_scalar(struct cfg_y *y, const yaml_node_t *n, const char *key, const char **out)
{
    *out = NULL;
    if (cfg_y_is_null(n))
        return 0;
    if (n->type != YAML_SCALAR_NODE)
        return bad_type(y, n, key, "string");
    if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
        return cfg_y_fail(y, n, "%s: string contains a NUL byte", key);
    *out = (const char *)n->data.scalar.value;
    return 0;
}

int
cfg_y_str(struct cfg_y *y, const yaml_node_t *n, const char *key, char **out)
{
    const char *s;
    int rc = cfg_y_scalar(y, n, key, &s);
    if (rc)
        return rc;
    if (!s) {
        lm_free(*out);
        *out = NULL;
        return 0;
    }
    char *c = lm_strdup(s);
    if (!c)
        return lm_err_set(y->err, LM_ENOMEM, y->name, "out of memory");
    lm_free(*out);
    *out = c;
    return 0;
}

int
cfg_y_bool(struct cfg_y *y, const yaml_node_t *n, const char *key, bool *out)
{
    if (cfg_y_is_null(n))
        return *out = false, 0;
    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *v = (const char *)n->data.scalar.value;
        if (in_list(v, yes_words))
            return *out = true, 0;
        if (in_list(v, no_words))
            return *out = false, 0;
    }
    return bad_type(y, n, key, "bool");
}

/* parse_int: the digits of a plain yaml.v2 int ('_' dropped) into *neg and *mag. */
static bool
parse_int(const char *v, bool *neg, uint64_t *mag)
{
    if (!plain_int(v))
        return false;
    *neg = *v == '-';
    if (*v == '+' || *v == '-')
        v++;
    uint64_t x = 0;
    for (; *v; v++) {
        if (*v == '_')
            continue;
        unsigned d = (unsigned)(*v - '0');
        if (x > (UINT64_MAX - d) / 10)
            return false;
        x = x * 10 + d;
    }
    *mag = x;
    return true;
}

int
cfg_y_u64(struct cfg_y *y, const yaml_node_t *n, const char *key, uint64_t *out)
{
    if (cfg_y_is_null(n))
        return *out = 0, 0;
    bool neg;
    uint64_t x;
    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        parse_int((const char *)n->data.scalar.value, &neg, &x) && (!neg || !x)) {
        *out = x;
        return 0;
    }
    return bad_type(y, n, key, "uint");
}

int
cfg_y_i64(struct cfg_y *y, const yaml_node_t *n, const char *key, int64_t *out)
{
    if (cfg_y_is_null(n))
        return *out = 0, 0;
    bool neg;
    uint64_t x;
    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        parse_int((const char *)n->data.scalar.value, &neg, &x) && x <= INT64_MAX) {
        *out = neg ? -(int64_t)x : (int64_t)x;
        return 0;
    }
    return bad_type(y, n, key, "int");
}

int
cfg_y_duration(struct cfg_y *y, const yaml_node_t *n, const char *key, int64_t *ms)
{
    const char *s;
    int rc = cfg_y_scalar(y, n, key, &s);
    if (rc || !s)
        return rc ? rc : (*ms = 0, 0);
    struct lm_err e = {0};
    if (cfg_duration_parse(s, ms, &e))
        return cfg_y_fail(y, n, "%s: %s", key, e.msg);
    return 0;
}

/* Units of alecthomas/units Base2Bytes (both spellings are base 2). */
static const struct {
    const char *unit;  /* suffix */
    uint64_t mult;     /* bytes */
} size_units[] = {
    {"EiB", 1ULL << 60}, {"PiB", 1ULL << 50}, {"TiB", 1ULL << 40}, {"GiB", 1ULL << 30},
    {"MiB", 1ULL << 20}, {"KiB", 1ULL << 10}, {"EB", 1ULL << 60},  {"PB", 1ULL << 50},
    {"TB", 1ULL << 40},  {"GB", 1ULL << 30},  {"MB", 1ULL << 20},  {"KB", 1ULL << 10},
    {"B", 1},
};

int
cfg_y_size(struct cfg_y *y, const yaml_node_t *n, const char *key, uint64_t *out)
{
    const char *s;
    int rc = cfg_y_scalar(y, n, key, &s);
    if (rc || !s)
        return rc ? rc : (*out = 0, 0);
    if (!strcmp(s, "0")) {
        *out = 0;
        return 0;
    }
    double total = 0;
    const char *p = s;
    while (*p) {
        char *end;
        if (!(*p >= '0' && *p <= '9') && *p != '.')
            goto bad;
        double x = strtod(p, &end);
        if (end == p)
            goto bad;
        size_t u, nu = sizeof size_units / sizeof size_units[0];
        for (u = 0; u < nu; u++)
            if (!strncmp(end, size_units[u].unit, strlen(size_units[u].unit)))
                break;
        if (u == nu)
            goto bad;
        total += x * (double)size_units[u].mult;
        p = end + strlen(size_units[u].unit);
    }
    if (!(total >= 0 && total < 1.8e19))
        goto bad;
    *out = (uint64_t)total;
    return 0;
bad:
    return cfg_y_fail(y, n, "%s: units: unknown unit or bad size in %s", key, s);
}

int
cfg_y_map(struct cfg_y *y, const yaml_node_t *n, const char *type, bool allow_null)
{
    if (cfg_y_is_null(n) && allow_null)
        return 0;
    if (!n)
        return cfg_y_fail(y, NULL, "empty %s", type);
    if (n->type != YAML_MAPPING_NODE)
        return cfg_y_fail(y, n, "cannot unmarshal %s into %s", cfg_y_tag(n), type);
    for (yaml_node_pair_t *a = n->data.mapping.pairs.start; a < n->data.mapping.pairs.top;
         a++) {
        yaml_node_t *k = cfg_y_node(y, a->key);
        if (!k || k->type != YAML_SCALAR_NODE)
            return cfg_y_fail(y, k ? k : n, "keys of %s must be strings", type);
        if (strlen((const char *)k->data.scalar.value) != k->data.scalar.length)
            return cfg_y_fail(y, k, "a key of %s contains a NUL byte", type);
        for (yaml_node_pair_t *b = n->data.mapping.pairs.start; b < a; b++) {
            yaml_node_t *kb = cfg_y_node(y, b->key);
            if (!strcmp((const char *)kb->data.scalar.value, (const char *)k->data.scalar.value))
                return cfg_y_fail(y, k, "mapping key \"%s\" already defined at line %zu",
                                  (const char *)k->data.scalar.value, kb->start_mark.line + 1);
        }
    }
    return 0;
}

int
cfg_y_seq(struct cfg_y *y, const yaml_node_t *n, const char *key, size_t *count)
{
    *count = 0;
    if (cfg_y_is_null(n))
        return 0;
    if (n->type != YAML_SEQUENCE_NODE)
        return bad_type(y, n, key, "[]");
    *count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    return 0;
}

void
cfg_strv_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        lm_free(v[i]);
    lm_free(v);
}

int
cfg_y_strlist(struct cfg_y *y, const yaml_node_t *n, const char *key, char ***out,
              size_t *count)
{
    size_t cnt;
    int rc = cfg_y_seq(y, n, key, &cnt);
    if (rc)
        return rc;
    char **v = cnt ? lm_calloc(cnt, sizeof *v) : NULL;
    if (cnt && !v)
        return lm_err_set(y->err, LM_ENOMEM, y->name, "out of memory");
    yaml_node_t *it;
    size_t i;
    if (cnt) {
        CFG_Y_FOR_ITEMS(y, n, it, i) {
            if (cfg_y_is_null(it)) {
                /* yaml.v2 reads null into a string as "" */
                v[i] = lm_strdup("");
                if (!v[i])
                    rc = lm_err_set(y->err, LM_ENOMEM, y->name, "out of memory");
            } else {
                rc = cfg_y_str(y, it, key, &v[i]);
            }
            if (rc) {
                cfg_strv_free(v, cnt);
                return rc;
            }
        }
    }
    cfg_strv_free(*out, *count);
    *out = v;
    *count = cnt;
    return 0;
}

int
cfg_y_labels(struct cfg_y *y, const yaml_node_t *n, const char *key, struct lbl_set *out)
{
    int rc = cfg_y_map(y, n, key, true);
    if (rc || cfg_y_is_null(n))
        return rc;
    yaml_node_t *k, *v;
    const char *name;
    CFG_Y_FOR_PAIRS(y, n, k, v, name) {
        if (!lbl_name_valid(name, strlen(name)))
            return cfg_y_fail(y, k, "%s: \"%s\" is not a valid label name", key, name);
        const char *val;
        if ((rc = cfg_y_scalar(y, v, name, &val)))
            return rc;
        if (lbl_set_add(out, name, val ? val : ""))
            return lm_err_set(y->err, LM_ENOMEM, y->name, "out of memory");
    }
    return 0;
}

int
cfg_y_unknown(struct cfg_y *y, const yaml_node_t *k, const char *type)
{
    return cfg_y_fail(y, k, "field %s not found in type %s",
                      (const char *)k->data.scalar.value, type);
}
