/* SPDX-License-Identifier: Apache-2.0 */
/* import_tab.c: the per-batch series table of `flint tsdb import` (import_int.h): a
 * raw-text cache in front of a canonical label-set table, growable sample arrays, and
 * the final sort and de-duplication of each series. */
#include <stdlib.h>
#include <string.h>

#include "flint/tsdb/import_int.h"
#include "lm/alloc.h"
#include "lm/err.h"
#include "lm/parse.h"

void
imp_tab_init(struct imp_series_tab *t)
{
    memset(t, 0, sizeof(*t));
}

void
imp_tab_free(struct imp_series_tab *t)
{
    for (size_t i = 0; i < t->n; i++) {
        lbl_set_free(&t->v[i]->ls);
        lm_free(t->v[i]->s);
        lm_free(t->v[i]);
    }
    lm_free(t->v);
    for (size_t i = 0; i < t->capraw; i++)
        lm_free(t->raw[i].key);
    lm_free(t->raw);
    lm_free(t->canon);
    memset(t, 0, sizeof(*t));
}

static uint64_t
hash_bytes(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)p[i]) * 1099511628211ULL;
    return h;
}

static int
grow_raw(struct imp_series_tab *t)
{
    size_t ncap = t->capraw ? t->capraw * 2 : 1024;
    struct imp_raw *nr = lm_calloc(ncap, sizeof(*nr));
    if (!nr)
        return LM_ENOMEM;
    for (size_t i = 0; i < t->capraw; i++) {
        if (!t->raw[i].key)
            continue;
        size_t j = t->raw[i].hash & (ncap - 1);
        while (nr[j].key)
            j = (j + 1) & (ncap - 1);
        nr[j] = t->raw[i];
    }
    lm_free(t->raw);
    t->raw = nr;
    t->capraw = ncap;
    return 0;
}

static int
grow_canon(struct imp_series_tab *t)
{
    size_t ncap = t->capcanon ? t->capcanon * 2 : 1024;
    uint32_t *nc = lm_calloc(ncap, sizeof(*nc));
    if (!nc)
        return LM_ENOMEM;
    for (size_t i = 0; i < t->n; i++) {
        size_t j = lbl_set_hash(&t->v[i]->ls) & (ncap - 1);
        while (nc[j])
            j = (j + 1) & (ncap - 1);
        nc[j] = (uint32_t)i + 1;
    }
    lm_free(t->canon);
    t->canon = nc;
    t->capcanon = ncap;
    return 0;
}

/* series_for: the canonical series of the parser's current labels (created). */
static int
series_for(struct imp_series_tab *t, const struct lm_parser *p, uint32_t *out)
{
    struct lbl_set ls = {0};
    struct lm_span name = lm_parser_name(p);
    const struct lm_parse_label *lb;
    size_t nl = lm_parser_labels(p, &lb);
    int rc = lbl_set_addn(&ls, LBL_METRIC_NAME, strlen(LBL_METRIC_NAME), name.ptr, name.len);
    for (size_t i = 0; i < nl && rc == 0; i++)
        if (lb[i].value.len > 0) /* an empty value means absent, as in Prometheus */
            rc = lbl_set_addn(&ls, lb[i].name.ptr, lb[i].name.len, lb[i].value.ptr,
                              lb[i].value.len);
    if (rc != 0) {
        lbl_set_free(&ls);
        return rc;
    }
    if ((t->n + 1) * 2 > t->capcanon && (rc = grow_canon(t)) != 0) {
        lbl_set_free(&ls);
        return rc;
    }
    size_t j = lbl_set_hash(&ls) & (t->capcanon - 1);
    while (t->canon[j]) {
        if (lbl_set_eq(&t->v[t->canon[j] - 1]->ls, &ls)) {
            lbl_set_free(&ls);
            *out = t->canon[j] - 1;
            return 0;
        }
        j = (j + 1) & (t->capcanon - 1);
    }
    if (t->n == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 1024;
        struct imp_series **nv = lm_realloc(t->v, ncap * sizeof(*nv));
        if (!nv) {
            lbl_set_free(&ls);
            return LM_ENOMEM;
        }
        t->v = nv;
        t->cap = ncap;
    }
    struct imp_series *s = lm_calloc(1, sizeof(*s));
    if (!s) {
        lbl_set_free(&ls);
        return LM_ENOMEM;
    }
    lbl_set_move(&s->ls, &ls);
    t->v[t->n] = s;
    t->canon[j] = (uint32_t)++t->n;
    *out = (uint32_t)(t->n - 1);
    return 0;
}

int
imp_tab_add(struct imp_series_tab *t, const struct lm_parser *p, int64_t ts, double v)
{
    struct lm_span raw = lm_parser_series(p);
    uint64_t h = hash_bytes(raw.ptr, raw.len);
    if ((t->nraw + 1) * 2 > t->capraw && grow_raw(t) != 0)
        return LM_ENOMEM;
    size_t j = h & (t->capraw - 1);
    while (t->raw[j].key &&
           !(t->raw[j].hash == h && t->raw[j].len == raw.len &&
             memcmp(t->raw[j].key, raw.ptr, raw.len) == 0))
        j = (j + 1) & (t->capraw - 1);
    if (!t->raw[j].key) {
        uint32_t si;
        int rc = series_for(t, p, &si);
        if (rc != 0)
            return rc;
        char *k = lm_strndup(raw.ptr, raw.len);
        if (!k)
            return LM_ENOMEM;
        t->raw[j] = (struct imp_raw){k, raw.len, h, si};
        t->nraw++;
    }
    struct imp_series *s = t->v[t->raw[j].series];
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        struct imp_sample *ns = lm_realloc(s->s, ncap * sizeof(*ns));
        if (!ns)
            return LM_ENOMEM;
        s->s = ns;
        s->cap = ncap;
    }
    if (s->n > 0 && ts <= s->s[s->n - 1].t)
        s->unsorted = true;
    s->s[s->n++] = (struct imp_sample){ts, v};
    return 0;
}

static int
cmp_sample(const void *a, const void *b)
{
    const struct imp_sample *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

struct tagged {
    int64_t t;
    double v;
    size_t i;            /* arrival order, so the first of equal times wins */
};

static int
cmp_tagged(const void *a, const void *b)
{
    const struct tagged *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

uint64_t
imp_tab_sort(struct imp_series_tab *t)
{
    uint64_t dropped = 0;
    for (size_t i = 0; i < t->n; i++) {
        struct imp_series *s = t->v[i];
        if (!s->unsorted)
            continue;
        struct tagged *tmp = lm_malloc(s->n * sizeof(*tmp));
        if (tmp) {
            for (size_t k = 0; k < s->n; k++)
                tmp[k] = (struct tagged){s->s[k].t, s->s[k].v, k};
            qsort(tmp, s->n, sizeof(*tmp), cmp_tagged);
            for (size_t k = 0; k < s->n; k++)
                s->s[k] = (struct imp_sample){tmp[k].t, tmp[k].v};
            lm_free(tmp);
        } else {
            /* no memory for the tags: plain sort, equal times keep an arbitrary one */
            qsort(s->s, s->n, sizeof(*s->s), cmp_sample);
        }
        size_t k = 0;
        for (size_t r = 0; r < s->n; r++) {
            if (k > 0 && s->s[k - 1].t == s->s[r].t) {
                dropped++;
                continue;
            }
            s->s[k++] = s->s[r];
        }
        s->n = k;
        s->unsorted = false;
    }
    return dropped;
}

size_t
imp_series_lower(const struct imp_series *s, int64_t t)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (s->s[m].t < t)
            lo = m + 1;
        else
            hi = m;
    }
    return lo;
}
