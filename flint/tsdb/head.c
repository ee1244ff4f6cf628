/* SPDX-License-Identifier: Apache-2.0 */
/* head.c: the head's series (see head.h): creation and lookup by labels or ref, the
 * append path with Prometheus's out-of-order / duplicate / bounds checks and chunk
 * cutting, truncation after a block cut and garbage collection of empty series.
 * Matcher evaluation is in head_index.c, reading copies in head_read.c. */
#include <stdlib.h>
#include <string.h>

#include "flint/tsdb/head.h"
#include "flint/tsdb/tsdb.h"
#include "lm/alloc.h"
#include "lm/err.h"

uint64_t
tsdb_head_hash_labels(const struct lbl_set *ls)
{
    uint64_t h = 0x1234567;
    for (size_t i = 0; i < ls->n; i++) {
        h = tsdb_hash_bytes(h, ls->v[i].name, strlen(ls->v[i].name));
        h = tsdb_hash_bytes(h ^ 0xff, ls->v[i].value, strlen(ls->v[i].value));
    }
    return h;
}

struct tsdb_head *
tsdb_head_new(int64_t range_ms)
{
    struct tsdb_head *h = lm_calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->range = range_ms > 0 ? range_ms : 2 * 3600 * 1000LL;
    h->syms = tsdb_syms_new();
    h->post = tsdb_postings_new();
    h->buckets = lm_calloc(1024, sizeof(*h->buckets));
    if (!h->syms || !h->post || !h->buckets) {
        tsdb_syms_free(h->syms);
        tsdb_postings_free(h->post);
        lm_free(h->buckets);
        lm_free(h);
        return NULL;
    }
    h->bmask = 1023;
    pthread_rwlock_init(&h->lock, NULL);
    for (size_t i = 0; i < TSDB_HEAD_STRIPES; i++)
        pthread_mutex_init(&h->stripes[i], NULL);
    atomic_init(&h->mint, INT64_MAX);
    atomic_init(&h->maxt, INT64_MIN);
    atomic_init(&h->min_valid, INT64_MIN);
    return h;
}

int
tsdb_head_set_chunk_dir(struct tsdb_head *h, const char *dir, struct lm_err *err)
{
    h->hcs = tsdb_hcs_open(dir, err);
    return h->hcs ? 0 : err->code;
}

static void
chunk_free(struct tsdb_head *h, struct tsdb_hchunk *c)
{
    if (c->file == TSDB_HCS_HEAP)
        lm_free((void *)c->b);
    else
        tsdb_hcs_release(h->hcs, c->file);
    c->b = NULL;
}

static void
series_free(struct tsdb_head *h, struct tsdb_series *s)
{
    for (uint32_t i = 0; i < s->nclosed; i++)
        chunk_free(h, &s->closed[i]);
    lm_free(s->closed);
    tsdb_chunk_enc_free(&s->open);
    lm_free(s);
}

void
tsdb_head_free(struct tsdb_head *h)
{
    if (!h)
        return;
    for (uint32_t i = 0; i < h->ntab; i++)
        if (h->tab[i])
            series_free(h, h->tab[i]);
    lm_free(h->tab);
    lm_free(h->buckets);
    tsdb_syms_free(h->syms);
    tsdb_postings_free(h->post);
    tsdb_hcs_close(h->hcs);
    pthread_rwlock_destroy(&h->lock);
    for (size_t i = 0; i < TSDB_HEAD_STRIPES; i++)
        pthread_mutex_destroy(&h->stripes[i]);
    lm_free(h);
}

pthread_mutex_t *
tsdb_head_stripe(struct tsdb_head *h, uint32_t ref)
{
    return &h->stripes[ref & (TSDB_HEAD_STRIPES - 1)];
}

/* same_labels: does s hold exactly ls? Caller holds the lock. */
static bool
same_labels(const struct tsdb_head *h, const struct tsdb_series *s, const struct lbl_set *ls)
{
    if (s->nlbl != ls->n)
        return false;
    for (size_t i = 0; i < ls->n; i++) {
        const char *n = tsdb_sym_str(h->syms, s->lbl[2 * i]);
        const char *v = tsdb_sym_str(h->syms, s->lbl[2 * i + 1]);
        if (strcmp(n, ls->v[i].name) != 0 || strcmp(v, ls->v[i].value) != 0)
            return false;
    }
    return true;
}

static struct tsdb_series *
find(const struct tsdb_head *h, const struct lbl_set *ls, uint64_t hash)
{
    for (struct tsdb_series *s = h->buckets[hash & h->bmask]; s; s = s->next)
        if (s->hash == hash && same_labels(h, s, ls))
            return s;
    return NULL;
}

/* valid_labels: non-empty, names and values non-empty, names strictly ascending. */
static bool
valid_labels(const struct lbl_set *ls)
{
    if (!ls->n || ls->n > TSDB_MAX_LABELS)
        return false;
    for (size_t i = 0; i < ls->n; i++) {
        if (!ls->v[i].name || !ls->v[i].value || !ls->v[i].name[0] || !ls->v[i].value[0])
            return false;
        if (i && strcmp(ls->v[i - 1].name, ls->v[i].name) >= 0)
            return false;
    }
    return true;
}

static int
grow_buckets(struct tsdb_head *h)
{
    uint32_t nsz = (h->bmask + 1) * 2;
    struct tsdb_series **nb = lm_calloc(nsz, sizeof(*nb));
    if (!nb)
        return LM_ENOMEM;
    for (uint32_t i = 0; i <= h->bmask; i++) {
        struct tsdb_series *s = h->buckets[i];
        while (s) {
            struct tsdb_series *nx = s->next;
            s->next = nb[s->hash & (nsz - 1)];
            nb[s->hash & (nsz - 1)] = s;
            s = nx;
        }
    }
    lm_free(h->buckets);
    h->buckets = nb;
    h->bmask = nsz - 1;
    return 0;
}

static void
unlink_hash(struct tsdb_head *h, struct tsdb_series *s)
{
    struct tsdb_series **pp = &h->buckets[s->hash & h->bmask];
    while (*pp && *pp != s)
        pp = &(*pp)->next;
    if (*pp)
        *pp = s->next;
}

/* create: a new series for ls at ref want (or the next ref). Caller holds the write
 * lock. 0 or LM_E*. */
static int
create(struct tsdb_head *h, const struct lbl_set *ls, uint64_t hash, uint32_t want,
       struct tsdb_series **out)
{
    if (!valid_labels(ls))
        return LM_ELABEL;
    uint32_t ref = want != UINT32_MAX ? want : h->ntab;
    if (ref == UINT32_MAX - 1)
        return LM_ENOMEM;
    if (ref < h->ntab && h->tab[ref])
        return LM_EINVAL;
    if (ref >= h->captab) {
        uint32_t ncap = h->captab ? h->captab : 1024;
        while (ncap <= ref)
            ncap *= 2;
        struct tsdb_series **nt = lm_realloc(h->tab, sizeof(*nt) * ncap);
        if (!nt)
            return LM_ENOMEM;
        memset(nt + h->captab, 0, sizeof(*nt) * (ncap - h->captab));
        h->tab = nt;
        h->captab = ncap;
    }
    if (h->nseries + 1 > h->bmask + 1 && grow_buckets(h))
        return LM_ENOMEM;
    struct tsdb_series *s = lm_calloc(1, sizeof(*s) + sizeof(uint32_t) * 2 * ls->n);
    if (!s)
        return LM_ENOMEM;
    for (size_t i = 0; i < ls->n; i++) {
        s->lbl[2 * i] = tsdb_sym_intern(h->syms, ls->v[i].name, strlen(ls->v[i].name));
        s->lbl[2 * i + 1] = tsdb_sym_intern(h->syms, ls->v[i].value, strlen(ls->v[i].value));
        if (s->lbl[2 * i] == TSDB_SYM_NONE || s->lbl[2 * i + 1] == TSDB_SYM_NONE) {
            series_free(h, s);
            return LM_ENOMEM;
        }
    }
    s->nlbl = (uint16_t)ls->n;
    s->hash = hash;
    s->ref = ref;
    tsdb_chunk_enc_init(&s->open);
    if (tsdb_postings_add(h->post, ref, s->lbl, s->nlbl)) {
        size_t nbits = (size_t)ref + 1;
        uint64_t *dead = lm_calloc((nbits + 63) / 64, sizeof(uint64_t));
        if (dead) {
            dead[ref / 64] |= 1ULL << (ref % 64);
            tsdb_postings_gc(h->post, dead, nbits, s->lbl, s->nlbl);
            lm_free(dead);
        }
        series_free(h, s);
        return LM_ENOMEM;
    }
    h->tab[ref] = s;
    if (ref >= h->ntab)
        h->ntab = ref + 1;
    s->next = h->buckets[hash & h->bmask];
    h->buckets[hash & h->bmask] = s;
    h->nseries++;
    atomic_fetch_add(&h->created, 1);
    *out = s;
    return 0;
}

int
tsdb_head_get_or_create(struct tsdb_head *h, const struct lbl_set *ls, uint64_t hash,
                        uint32_t want, struct tsdb_series **out, bool *created)
{
    *created = false;
    pthread_rwlock_rdlock(&h->lock);
    struct tsdb_series *s = find(h, ls, hash);
    if (s)
        atomic_fetch_add(&s->pending, 1);
    pthread_rwlock_unlock(&h->lock);
    if (s) {
        *out = s;
        return 0;
    }
    pthread_rwlock_wrlock(&h->lock);
    s = find(h, ls, hash);
    int rc = 0;
    if (!s) {
        rc = create(h, ls, hash, want, &s);
        *created = rc == 0;
    }
    if (!rc)
        atomic_fetch_add(&s->pending, 1);
    pthread_rwlock_unlock(&h->lock);
    if (!rc)
        *out = s;
    return rc;
}

struct tsdb_series *
tsdb_head_by_ref(struct tsdb_head *h, uint32_t ref, bool pin)
{
    pthread_rwlock_rdlock(&h->lock);
    struct tsdb_series *s = ref < h->ntab ? h->tab[ref] : NULL;
    if (s && pin)
        atomic_fetch_add(&s->pending, 1);
    pthread_rwlock_unlock(&h->lock);
    return s;
}

int
tsdb_head_appendable(struct tsdb_head *h, const struct tsdb_series *s, int64_t t,
                     uint64_t vbits)
{
    int64_t minv = atomic_load(&h->min_valid);
    if (!h->replaying) {
        int64_t maxt = atomic_load(&h->maxt);
        if (maxt != INT64_MIN && maxt - h->range / 2 > minv)
            minv = maxt - h->range / 2;
    }
    /* as Prometheus: the bound first, then order against the series' last sample */
    if (t < minv)
        return TSDB_EOUTOFBOUNDS;
    if (s->open.count) {
        if (t < s->open.t)
            return TSDB_EOUTOFORDER;
        if (t == s->open.t)
            return vbits == s->open.vbits ? 1 : TSDB_EDUPLICATE;
    }
    return 0;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* cut: close the open chunk into s->closed. 0 or LM_ENOMEM (nothing changed). */
static int
cut(struct tsdb_head *h, struct tsdb_series *s)
{
    uint32_t n = s->nclosed;
    if (n < 2 ? !n : !(n & (n - 1))) {
        /* full: the array holds the next power of two >= nclosed (at least 2) */
        struct tsdb_hchunk *nc = lm_realloc(s->closed, sizeof(*nc) * (n < 2 ? 2 : 2 * n));
        if (!nc)
            return LM_ENOMEM;
        s->closed = nc;
    }
    size_t len;
    const uint8_t *p = tsdb_chunk_enc_bytes(&s->open, &len);
    const uint8_t *b;
    uint32_t file = TSDB_HCS_HEAP;
    if (!h->hcs || tsdb_hcs_put(h->hcs, p, len, &b, &file)) {
        uint8_t *m = lm_malloc(len);
        if (!m)
            return LM_ENOMEM;
        memcpy(m, p, len);
        b = m;
        file = TSDB_HCS_HEAP;
    }
    struct tsdb_hchunk *c = &s->closed[s->nclosed++];
    c->file = file;
    c->mint = s->open.mint;
    c->maxt = s->open.maxt;
    c->b = b;
    c->len = (uint32_t)len;
    tsdb_chunk_enc_free(&s->open);
    return 0;
}

static void
atomic_min(_Atomic int64_t *a, int64_t v)
{
    int64_t cur = atomic_load(a);
    while (v < cur && !atomic_compare_exchange_weak(a, &cur, v))
        ;
}

static void
atomic_max(_Atomic int64_t *a, int64_t v)
{
    int64_t cur = atomic_load(a);
    while (v > cur && !atomic_compare_exchange_weak(a, &cur, v))
        ;
}

int
tsdb_head_append(struct tsdb_head *h, struct tsdb_series *s, int64_t t, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, 8);
    int rc = tsdb_head_appendable(h, s, t, bits);
    if (rc == 1)
        return 0;
    if (rc < 0) {
        atomic_fetch_add(rc == TSDB_EOUTOFORDER ? &h->ooo :
                         rc == TSDB_EDUPLICATE ? &h->dup : &h->oob, 1);
        return rc;
    }
    if (s->open.count) {
        size_t nbytes = (s->open.nbits + 7) / 8;
        if (t >= s->chunk_end || s->open.count >= 2 * TSDB_CHUNK_MAX_SAMPLES ||
            nbytes >= TSDB_HEAD_CHUNK_BYTES) {
            if (cut(h, s))
                return LM_ENOMEM;
        } else if (s->open.count == TSDB_CHUNK_MAX_SAMPLES / 4) {
            /* Prometheus's computeChunkEndTime: aim for equal chunks up to the range end */
            int64_t start = s->open.mint, max = s->chunk_end;
            int64_t n = (max - start) / ((t - start + 1) * 4);
            if (n > 1)
                s->chunk_end = start + (max - start) / n;
        }
    }
    bool fresh = !s->open.count;
    if (fresh)
        s->chunk_end = (floor_div(t, h->range) + 1) * h->range;
    rc = tsdb_chunk_enc_append(&s->open, t, v);
    if (rc)
        return rc;
    if (fresh)
        atomic_fetch_add(&h->nchunks, 1);
    atomic_min(&h->mint, t);
    atomic_max(&h->maxt, t);
    atomic_fetch_add(&h->appended, 1);
    atomic_fetch_add(&h->nsamples, 1);
    return 0;
}

bool
tsdb_head_series_range(const struct tsdb_series *s, int64_t *mint, int64_t *maxt)
{
    if (s->nclosed) {
        *mint = s->closed[0].mint;
        *maxt = s->open.count ? s->open.maxt : s->closed[s->nclosed - 1].maxt;
        return true;
    }
    if (!s->open.count)
        return false;
    *mint = s->open.mint;
    *maxt = s->open.maxt;
    return true;
}

uint32_t
tsdb_head_truncate(struct tsdb_head *h, int64_t t)
{
    atomic_max(&h->min_valid, t);
    int64_t newmin = INT64_MAX;
    uint64_t dropped = 0, dsamples = 0;
    pthread_rwlock_rdlock(&h->lock);
    for (uint32_t r = 0; r < h->ntab; r++) {
        struct tsdb_series *s = h->tab[r];
        if (!s)
            continue;
        pthread_mutex_t *mu = tsdb_head_stripe(h, r);
        pthread_mutex_lock(mu);
        uint32_t k = 0;
        while (k < s->nclosed && s->closed[k].maxt < t) {
            dsamples += tsdb_chunk_count(s->closed[k].b, s->closed[k].len);
            chunk_free(h, &s->closed[k++]);
        }
        if (k) {
            memmove(s->closed, s->closed + k, sizeof(*s->closed) * (s->nclosed - k));
            s->nclosed -= k;
            dropped += k;
        }
        if (s->open.count && s->open.maxt < t) {
            dsamples += s->open.count;
            tsdb_chunk_enc_free(&s->open);
            dropped++;
        }
        int64_t mn, mx;
        if (tsdb_head_series_range(s, &mn, &mx) && mn < newmin)
            newmin = mn;
        pthread_mutex_unlock(mu);
    }
    pthread_rwlock_unlock(&h->lock);
    atomic_fetch_sub(&h->nchunks, dropped);
    atomic_fetch_sub(&h->nsamples, dsamples);
    atomic_store(&h->mint, newmin);
    if (newmin == INT64_MAX)
        atomic_store(&h->maxt, INT64_MIN);

    /* GC: series without samples that no appender holds */
    pthread_rwlock_wrlock(&h->lock);
    uint32_t removed = 0;
    size_t nbits = h->ntab, nlbl = 0, caplbl = 0;
    uint64_t *dead = lm_calloc((nbits + 63) / 64 + 1, sizeof(uint64_t));
    uint32_t *lbl = NULL;
    for (uint32_t r = 0; dead && r < h->ntab; r++) {
        struct tsdb_series *s = h->tab[r];
        if (!s || s->open.count || s->nclosed || atomic_load(&s->pending))
            continue;
        if (nlbl + s->nlbl > caplbl) {
            size_t ncap = (caplbl ? caplbl * 2 : 1024) + s->nlbl;
            uint32_t *nl = lm_realloc(lbl, sizeof(uint32_t) * 2 * ncap);
            if (!nl)
                break;
            lbl = nl;
            caplbl = ncap;
        }
        memcpy(lbl + 2 * nlbl, s->lbl, sizeof(uint32_t) * 2 * s->nlbl);
        nlbl += s->nlbl;
        dead[r / 64] |= 1ULL << (r % 64);
        unlink_hash(h, s);
        h->tab[r] = NULL;
        h->nseries--;
        series_free(h, s);
        removed++;
    }
    if (removed)
        tsdb_postings_gc(h->post, dead, nbits, lbl, nlbl);
    pthread_rwlock_unlock(&h->lock);
    lm_free(dead);
    lm_free(lbl);
    atomic_fetch_add(&h->removed, removed);
    atomic_fetch_add(&h->truncations, 1);
    return removed;
}

void
tsdb_head_labels_view(const struct tsdb_head *h, const struct tsdb_series *s,
                      struct lbl *lv, struct lbl_set *ls)
{
    for (uint16_t i = 0; i < s->nlbl; i++) {
        lv[i].name = (char *)tsdb_sym_str(h->syms, s->lbl[2 * i]);
        lv[i].value = (char *)tsdb_sym_str(h->syms, s->lbl[2 * i + 1]);
    }
    ls->v = lv;
    ls->n = ls->cap = s->nlbl;
}
