/* SPDX-License-Identifier: Apache-2.0 */
/* queries.c: reader for upstream's queries.yaml (--extend.query-path): namespaces with
 * query, master, cache_seconds, runonserver and an ordered metrics list of one-key maps
 * (usage, description, metric_mapping, pg_version), into pge_qmap values for qmap.c.
 * Parses text only (the caller reads the file); unknown keys are ignored as upstream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "lm/alloc.h"
#include "postgres_exporter/pge.h"

struct pge_queries {
    struct pge_qmap maps[PGE_MAX_QUERIES];  /* parsed namespaces */
    size_t n;                                /* maps used */
    void **owned;                            /* everything to lm_free */
    size_t nowned;                           /* entries used */
    size_t capowned;                         /* entries allocated */
};

/* keep: record p (NULL means an allocation failed) for pge_queries_free. */
static void *
keep(struct pge_queries *q, void *p)
{
    if (!p)
        return NULL;
    if (q->nowned == q->capowned) {
        size_t cap = q->capowned ? q->capowned * 2 : 32;
        void **n = lm_realloc(q->owned, cap * sizeof *n);
        if (!n) {
            lm_free(p);
            return NULL;
        }
        q->owned = n;
        q->capowned = cap;
    }
    q->owned[q->nowned++] = p;
    return p;
}

/* str: an owned copy of scalar node n. */
static const char *
str(struct pge_queries *q, yaml_node_t *n)
{
    char *s = lm_malloc(n->data.scalar.length + 1);
    if (!s)
        return NULL;
    memcpy(s, n->data.scalar.value, n->data.scalar.length);
    s[n->data.scalar.length] = '\0';
    return keep(q, s);
}

static int
bad(struct lm_err *err, int code, yaml_node_t *n, const char *what)
{
    char where[64];
    snprintf(where, sizeof where, "%zu:%zu", n ? n->start_mark.line + 1 : 0,
             n ? n->start_mark.column + 1 : 0);
    return lm_err_set(err, code, where, "%s", what);
}

static bool
is_scalar(yaml_node_t *n, const char *s)
{
    return n && n->type == YAML_SCALAR_NODE && (!s || !strcmp((const char *)n->data.scalar.value, s));
}

static int
parse_usage(const char *s, enum pge_usage *u)
{
    static const struct { const char *name; enum pge_usage u; } t[] = {
        {"DISCARD", PGE_DISCARD}, {"LABEL", PGE_LABEL}, {"COUNTER", PGE_COUNTER},
        {"GAUGE", PGE_GAUGE}, {"MAPPEDMETRIC", PGE_MAPPED}, {"DURATION", PGE_DURATION},
        {"HISTOGRAM", PGE_HISTOGRAM},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(t[i].name, s)) {
            *u = t[i].u;
            return 0;
        }
    return LM_ECONFIG;
}

/* parse_col: `<column>: {usage, description, metric_mapping, pg_version}`. */
static int
parse_col(struct pge_queries *q, yaml_document_t *d, yaml_node_t *item, struct pge_col *col,
          struct lm_err *err)
{
    if (item->type != YAML_MAPPING_NODE ||
        item->data.mapping.pairs.top - item->data.mapping.pairs.start != 1)
        return bad(err, LM_EPARSE, item, "each metrics entry must be a one-key map");
    yaml_node_pair_t *pr = item->data.mapping.pairs.start;
    yaml_node_t *k = yaml_document_get_node(d, pr->key), *v = yaml_document_get_node(d, pr->value);
    if (!is_scalar(k, NULL) || !v || v->type != YAML_MAPPING_NODE)
        return bad(err, LM_EPARSE, item, "metrics entry: expected <column>: {usage: ...}");
    if (!(col->name = str(q, k)))
        return LM_ENOMEM;
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *pk = yaml_document_get_node(d, p->key), *pv = yaml_document_get_node(d, p->value);
        if (!is_scalar(pk, NULL) || !pv)
            return bad(err, LM_EPARSE, pk, "expected a key");
        const char *key = (const char *)pk->data.scalar.value;
        if (!strcmp(key, "metric_mapping")) {
            if (pv->type != YAML_MAPPING_NODE)
                return bad(err, LM_EPARSE, pv, "metric_mapping must be a map");
            size_t n = (size_t)(pv->data.mapping.pairs.top - pv->data.mapping.pairs.start);
            if (n > PGE_MAX_MAPPING)
                return bad(err, LM_ETOOBIG, pv, "metric_mapping has too many entries");
            struct pge_mapping *m = keep(q, lm_malloc((n ? n : 1) * sizeof *m));
            if (!m)
                return LM_ENOMEM;
            for (size_t i = 0; i < n; i++) {
                yaml_node_pair_t *mp = pv->data.mapping.pairs.start + i;
                yaml_node_t *mk = yaml_document_get_node(d, mp->key);
                yaml_node_t *mv = yaml_document_get_node(d, mp->value);
                if (!is_scalar(mk, NULL) || !is_scalar(mv, NULL))
                    return bad(err, LM_EPARSE, pv, "metric_mapping: expected string: number");
                char *end;
                m[i].value = strtod((const char *)mv->data.scalar.value, &end);
                if (end == (char *)mv->data.scalar.value || *end)
                    return bad(err, LM_EPARSE, mv, "metric_mapping value is not a number");
                if (!(m[i].key = str(q, mk)))
                    return LM_ENOMEM;
            }
            col->map = m;
            col->nmap = n;
            continue;
        }
        if (pv->type != YAML_SCALAR_NODE)
            continue;   /* unknown structured key: ignored */
        if (!strcmp(key, "usage")) {
            if (parse_usage((const char *)pv->data.scalar.value, &col->usage))
                return bad(err, LM_ECONFIG, pv, "unknown usage (LABEL, COUNTER, GAUGE, "
                           "DISCARD, MAPPEDMETRIC, DURATION, HISTOGRAM)");
        } else if (!strcmp(key, "description")) {
            if (!(col->help = str(q, pv)))
                return LM_ENOMEM;
        } else if (!strcmp(key, "pg_version")) {
            if (!(col->pg_version = str(q, pv)))
                return LM_ENOMEM;
        }
    }
    if (!col->help)
        col->help = "";
    return 0;
}

/* parse_ns: one namespace's map. */
static int
parse_ns(struct pge_queries *q, yaml_document_t *d, yaml_node_t *body, struct pge_qmap *m,
         struct lm_err *err)
{
    if (body->type != YAML_MAPPING_NODE)
        return bad(err, LM_EPARSE, body, "a namespace must map to {query, metrics}");
    m->untyped_unknown = true;
    for (yaml_node_pair_t *p = body->data.mapping.pairs.start; p < body->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(d, p->key), *v = yaml_document_get_node(d, p->value);
        if (!is_scalar(k, NULL) || !v)
            return bad(err, LM_EPARSE, k, "expected a key");
        const char *key = (const char *)k->data.scalar.value;
        if (!strcmp(key, "metrics")) {
            if (v->type != YAML_SEQUENCE_NODE)
                return bad(err, LM_EPARSE, v, "metrics must be a list");
            size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
            if (n > PGE_MAX_COLS)
                return bad(err, LM_ETOOBIG, v, "too many metrics in one query");
            struct pge_col *cols = keep(q, lm_malloc((n ? n : 1) * sizeof *cols));
            if (!cols)
                return LM_ENOMEM;
            memset(cols, 0, (n ? n : 1) * sizeof *cols);
            for (size_t i = 0; i < n; i++) {
                yaml_node_t *it = yaml_document_get_node(d, v->data.sequence.items.start[i]);
                int rc = it ? parse_col(q, d, it, &cols[i], err) : LM_EPARSE;
                if (rc)
                    return rc == LM_ENOMEM ? lm_err_set(err, rc, NULL, "out of memory") : rc;
            }
            m->cols = cols;
            m->ncols = n;
            continue;
        }
        if (v->type != YAML_SCALAR_NODE)
            continue;
        const char *val = (const char *)v->data.scalar.value;
        if (!strcmp(key, "query")) {
            if (!(m->query = str(q, v)))
                return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        } else if (!strcmp(key, "master")) {
            m->master = !strcmp(val, "true");
        } else if (!strcmp(key, "cache_seconds")) {
            m->cache_seconds = (unsigned)strtoul(val, NULL, 10);
        } else if (!strcmp(key, "runonserver")) {
            if (!(m->runonserver = str(q, v)))
                return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        }
    }
    if (!m->query || !*m->query)
        return bad(err, LM_ECONFIG, body, "namespace without a query");
    return 0;
}

struct pge_queries *
pge_queries_parse(const char *text, size_t len, struct lm_err *err)
{
    if (len > PGE_QUERIES_MAX_BYTES) {
        lm_err_set(err, LM_ETOOBIG, NULL, "queries file over %lu bytes", PGE_QUERIES_MAX_BYTES);
        return NULL;
    }
    struct pge_queries *q = lm_malloc(sizeof *q);
    if (!q) {
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        return NULL;
    }
    memset(q, 0, sizeof *q);
    yaml_parser_t parser;
    yaml_document_t doc;
    int rc = 0;
    bool have_doc = false;
    if (!yaml_parser_initialize(&parser)) {
        lm_free(q);
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        char where[64];
        snprintf(where, sizeof where, "%zu:%zu", parser.problem_mark.line + 1,
                 parser.problem_mark.column + 1);
        rc = lm_err_set(err, LM_EPARSE, where, "%s",
                        parser.problem ? parser.problem : "YAML error");
        goto out;
    }
    have_doc = true;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root)
        goto out;   /* empty file: no queries */
    if (root->type != YAML_MAPPING_NODE) {
        rc = bad(err, LM_EPARSE, root, "expected a map of namespaces");
        goto out;
    }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&doc, p->key), *v = yaml_document_get_node(&doc, p->value);
        if (!is_scalar(k, NULL) || !v) {
            rc = bad(err, LM_EPARSE, k, "expected a namespace name");
            goto out;
        }
        if (q->n >= PGE_MAX_QUERIES) {
            rc = bad(err, LM_ETOOBIG, k, "too many namespaces");
            goto out;
        }
        struct pge_qmap *m = &q->maps[q->n];
        memset(m, 0, sizeof *m);
        if (!(m->ns = str(q, k))) {
            rc = lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
            goto out;
        }
        if ((rc = parse_ns(q, &doc, v, m, err)))
            goto out;
        q->n++;
    }
out:
    if (have_doc)
        yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (rc) {
        pge_queries_free(q);
        return NULL;
    }
    return q;
}

void
pge_queries_free(struct pge_queries *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->nowned; i++)
        lm_free(q->owned[i]);
    lm_free(q->owned);
    lm_free(q);
}

size_t
pge_queries_count(const struct pge_queries *q)
{
    return q ? q->n : 0;
}

const struct pge_qmap *
pge_queries_get(const struct pge_queries *q, size_t i)
{
    return &q->maps[i];
}
