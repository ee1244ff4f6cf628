/* SPDX-License-Identifier: Apache-2.0 */
/* querier_labels.c: label names and label values of a querier (head and blocks),
 * sorted and distinct. Without matchers the head answers from its index; with
 * matchers from the matching series that have samples in range. */
#include <stdlib.h>
#include <string.h>

#include "flint/tsdb/tsdb_int.h"
#include "lm/alloc.h"
#include "lm/err.h"


struct strv {
    char **v;          /* owned strings */
    size_t n, cap;
    int err;           /* sticky LM_ENOMEM */
};

static void
strv_add(struct strv *s, const char *str, bool copy)
{
    if (s->err)
        return;
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 32;
        char **nv = lm_realloc(s->v, sizeof(*nv) * ncap);
        if (!nv) {
            s->err = LM_ENOMEM;
            return;
        }
        s->v = nv;
        s->cap = ncap;
    }
    char *c = copy ? lm_strdup(str) : (char *)str;
    if (!c) {
        s->err = LM_ENOMEM;
        return;
    }
    s->v[s->n++] = c;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void
tsdb_strv_free(char **v, size_t count)
{
    if (!v)
        return;
    for (size_t i = 0; i < count; i++)
        lm_free(v[i]);
    lm_free(v);
}

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* head_ids: symbol ids of the label names (name == NULL) or of the values of name, in
 * the head series matching ms with samples in range. Caller holds the read lock. */
static int
head_ids(struct tsdb_q *q, const char *name, const struct lbl_matcher *ms, size_t n,
         uint32_t **out, size_t *count)
{
    struct tsdb_head *h = q->db->head;
    *out = NULL;
    *count = 0;
    uint32_t nid = name ? tsdb_sym_find(h->syms, name, strlen(name)) : TSDB_SYM_NONE;
    if (name && nid == TSDB_SYM_NONE)
        return 0;
    if (!n) {
        size_t k;
        const uint32_t *src;
        if (name) {
            src = tsdb_postings_values(h->post, nid, &k);
        } else {
            src = tsdb_postings_names(h->post, &k);
        }
        uint32_t *v = lm_malloc(sizeof(uint32_t) * (k ? k : 1));
        if (!v)
            return LM_ENOMEM;
        size_t w = 0;
        for (size_t i = 0; i < k; i++) {
            size_t nv = 0;
            if (!name)
                tsdb_postings_values(h->post, src[i], &nv);
            if (name || nv)
                v[w++] = src[i];
        }
        *out = v;
        *count = w;
        return 0;
    }
    uint32_t *refs;
    size_t nrefs;
    int rc = tsdb_head_postings(h, ms, n, &refs, &nrefs);
    if (rc)
        return rc;
    size_t cap = 64, w = 0;
    uint32_t *v = lm_malloc(sizeof(uint32_t) * cap);
    for (size_t i = 0; v && i < nrefs; i++) {
        struct tsdb_series *s = h->tab[refs[i]];
        if (!s)
            continue;
        pthread_mutex_t *mu = tsdb_head_stripe(h, s->ref);
        pthread_mutex_lock(mu);
        int64_t mn, mx;
        bool ok = tsdb_head_series_range(s, &mn, &mx) && mn <= q->maxt && mx >= q->mint;
        pthread_mutex_unlock(mu);
        if (!ok)
            continue;
        for (uint16_t j = 0; v && j < s->nlbl; j++) {
            if (name && s->lbl[2 * j] != nid)
                continue;
            if (w + 1 > cap) {
                cap *= 2;
                uint32_t *nv = lm_realloc(v, sizeof(uint32_t) * cap);
                if (!nv) {
                    lm_free(v);
                    v = NULL;
                    break;
                }
                v = nv;
            }
            v[w++] = s->lbl[2 * j + (name ? 1 : 0)];
        }
    }
    lm_free(refs);
    if (!v)
        return LM_ENOMEM;
    if (w)
        qsort(v, w, sizeof(uint32_t), cmp_u32);
    size_t u = 0;
    for (size_t i = 0; i < w; i++)
        if (!u || v[u - 1] != v[i])
            v[u++] = v[i];
    *out = v;
    *count = u;
    return 0;
}

static int
collect(struct tsdb_q *q, const char *name, const struct lbl_matcher *ms, size_t n,
        char ***out, size_t *count, struct lm_err *err)
{
    struct strv s = {0};
    *out = NULL;
    *count = 0;
    struct tsdb_head *h = q->db->head;
    int64_t hmin = atomic_load(&h->mint), hmax = atomic_load(&h->maxt);
    int rc = 0;
    if (hmin <= q->maxt && hmax >= q->mint) {
        uint32_t *ids;
        size_t nids;
        pthread_rwlock_rdlock(&h->lock);
        rc = head_ids(q, name, ms, n, &ids, &nids);
        for (size_t i = 0; !rc && i < nids; i++)
            strv_add(&s, tsdb_sym_str(h->syms, ids[i]), true);
        pthread_rwlock_unlock(&h->lock);
        if (!rc)
            lm_free(ids);
    }
    if (!rc && tsdb_blocks_view_count(q->bv)) {
        char **bv = NULL;
        size_t bn = 0;
        rc = name ? tsdb_blocks_label_values(q->bv, name, ms, n, &bv, &bn, err)
                  : tsdb_blocks_label_names(q->bv, ms, n, &bv, &bn, err);
        if (!rc) {
            for (size_t i = 0; i < bn; i++) {
                strv_add(&s, bv[i], false);
                if (s.err)
                    lm_free(bv[i]);
            }
            lm_free(bv);
        } else {
            tsdb_strv_free(s.v, s.n);
            return rc;
        }
    }
    if (!rc)
        rc = s.err;
    if (rc) {
        tsdb_strv_free(s.v, s.n);
        return lm_err_set(err, rc, "tsdb", "cannot list labels: %s", lm_strerror(rc));
    }
    if (s.n)
        qsort(s.v, s.n, sizeof(char *), cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (u && !strcmp(s.v[u - 1], s.v[i]))
            lm_free(s.v[i]);
        else
            s.v[u++] = s.v[i];
    }
    *out = s.v;
    *count = u;
    return 0;
}

int
tsdb_q_label_names(struct tsdb_q *q, const struct lbl_matcher *ms, size_t n, char ***out,
                   size_t *count, struct lm_err *err)
{
    return collect(q, NULL, ms, n, out, count, err);
}

int
tsdb_q_label_values(struct tsdb_q *q, const char *name, const struct lbl_matcher *ms,
                    size_t n, char ***out, size_t *count, struct lm_err *err)
{
    return collect(q, name, ms, n, out, count, err);
}
