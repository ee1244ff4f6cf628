/* SPDX-License-Identifier: Apache-2.0 */
/* postings.c: the head's inverted index (see postings.h): an open-addressing map from
 * (name id, value id) to a sorted ref array, a map from name id to its value ids, the
 * list of all series, and the sorted-array set operations. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "flint/tsdb/postings.h"
#include "lm/alloc.h"
#include "lm/err.h"

#define EMPTY_KEY UINT64_MAX

/* u64 -> u32 open-addressing map. */
struct kv {
    uint64_t key;   /* EMPTY_KEY when free */
    uint32_t val;   /* index into the owner's array */
};

struct map {
    struct kv *t;   /* owned, mask + 1 slots */
    uint32_t mask;  /* size - 1 */
    uint32_t n;     /* used slots */
};

struct name_ent {
    uint32_t name;   /* symbol id */
    uint32_t n, cap; /* value ids used / allocated */
    uint32_t *vals;  /* value ids with a non-empty list (unsorted, owned) */
};

struct pair_ent {
    struct tsdb_plist l;  /* the series refs */
    uint32_t name, value; /* the pair */
    uint32_t gc_mark;     /* last gc round that rewrote it */
};

struct tsdb_postings {
    struct map pairs;          /* (name << 32 | value) -> index in pv */
    struct pair_ent *pv;       /* owned */
    uint32_t npv, cappv;
    struct map names;          /* name -> index in nv */
    struct name_ent *nv;       /* owned */
    uint32_t nnv, capnv;
    uint32_t *name_ids;        /* nv[i].name, for tsdb_postings_names */
    struct tsdb_plist all;     /* every series */
    uint32_t gc_round;         /* current gc round */
};

static inline uint64_t
hash64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

static int
map_init(struct map *m)
{
    m->t = lm_malloc(sizeof(struct kv) * 256);
    if (!m->t)
        return LM_ENOMEM;
    for (size_t i = 0; i < 256; i++)
        m->t[i].key = EMPTY_KEY;
    m->mask = 255;
    m->n = 0;
    return 0;
}

static uint32_t *
map_get(const struct map *m, uint64_t key)
{
    for (uint32_t i = (uint32_t)hash64(key) & m->mask;; i = (i + 1) & m->mask) {
        if (m->t[i].key == key)
            return &m->t[i].val;
        if (m->t[i].key == EMPTY_KEY)
            return NULL;
    }
}

static int
map_put(struct map *m, uint64_t key, uint32_t val)
{
    if ((uint64_t)(m->n + 1) * 4 > (uint64_t)(m->mask + 1) * 3) {
        uint32_t nsz = (m->mask + 1) * 2;
        struct kv *nt = lm_malloc(sizeof(struct kv) * nsz);
        if (!nt)
            return LM_ENOMEM;
        for (uint32_t i = 0; i < nsz; i++)
            nt[i].key = EMPTY_KEY;
        for (uint32_t i = 0; i <= m->mask; i++) {
            if (m->t[i].key == EMPTY_KEY)
                continue;
            uint32_t j = (uint32_t)hash64(m->t[i].key) & (nsz - 1);
            while (nt[j].key != EMPTY_KEY)
                j = (j + 1) & (nsz - 1);
            nt[j] = m->t[i];
        }
        lm_free(m->t);
        m->t = nt;
        m->mask = nsz - 1;
    }
    uint32_t i = (uint32_t)hash64(key) & m->mask;
    while (m->t[i].key != EMPTY_KEY)
        i = (i + 1) & m->mask;
    m->t[i].key = key;
    m->t[i].val = val;
    m->n++;
    return 0;
}

int
tsdb_plist_add(struct tsdb_plist *l, uint32_t ref)
{
    if (l->n == l->cap) {
        uint32_t ncap = l->cap < 4 ? 4 : l->cap + l->cap / 2;
        uint32_t *nv = lm_realloc(l->v, sizeof(uint32_t) * ncap);
        if (!nv)
            return LM_ENOMEM;
        l->v = nv;
        l->cap = ncap;
    }
    if (!l->n || l->v[l->n - 1] < ref) {
        l->v[l->n++] = ref;
        return 0;
    }
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (l->v[mid] < ref)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (l->v[lo] == ref)
        return 0;
    memmove(l->v + lo + 1, l->v + lo, sizeof(uint32_t) * (l->n - lo));
    l->v[lo] = ref;
    l->n++;
    return 0;
}

void
tsdb_plist_free(struct tsdb_plist *l)
{
    lm_free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* gallop: the first index >= lo in a[0..n) with a[i] >= x. */
static size_t
gallop(const uint32_t *a, size_t lo, size_t n, uint32_t x)
{
    size_t step = 1, hi = lo;
    while (hi < n && a[hi] < x) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    if (hi > n)
        hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t
tsdb_post_intersect(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, uint32_t *out)
{
    size_t i = 0, j = 0, k = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) {
            out[k++] = a[i];
            i++;
            j++;
        } else if (a[i] < b[j]) {
            i = gallop(a, i + 1, na, b[j]);
        } else {
            j = gallop(b, j + 1, nb, a[i]);
        }
    }
    return k;
}

size_t
tsdb_post_subtract(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, uint32_t *out)
{
    size_t i = 0, j = 0, k = 0;
    while (i < na) {
        if (j < nb && b[j] < a[i]) {
            j = gallop(b, j + 1, nb, a[i]);
            continue;
        }
        if (j < nb && b[j] == a[i]) {
            i++;
            j++;
            continue;
        }
        out[k++] = a[i++];
    }
    return k;
}

static int
cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

int
tsdb_post_union(const struct tsdb_plist *const *lists, size_t k, struct tsdb_plist *out)
{
    size_t total = 0, nonempty = 0, last = 0;
    for (size_t i = 0; i < k; i++) {
        total += lists[i]->n;
        if (lists[i]->n) {
            nonempty++;
            last = i;
        }
    }
    uint32_t *v = lm_malloc(sizeof(uint32_t) * (total ? total : 1));
    if (!v)
        return LM_ENOMEM;
    size_t n = 0;
    if (nonempty == 1) {
        memcpy(v, lists[last]->v, sizeof(uint32_t) * total);
        n = total;
    } else if (nonempty == 2) {
        const struct tsdb_plist *a = NULL, *b = NULL;
        for (size_t i = 0; i < k; i++)
            if (lists[i]->n) {
                if (a)
                    b = lists[i];
                else
                    a = lists[i];
            }
        size_t i = 0, j = 0;
        while (i < a->n || j < b->n) {
            if (j >= b->n || (i < a->n && a->v[i] < b->v[j]))
                v[n++] = a->v[i++];
            else if (i >= a->n || b->v[j] < a->v[i])
                v[n++] = b->v[j++];
            else {
                v[n++] = a->v[i++];
                j++;
            }
        }
    } else if (nonempty > 2) {
        for (size_t i = 0; i < k; i++) {
            if (!lists[i]->n)
                continue;
            memcpy(v + n, lists[i]->v, sizeof(uint32_t) * lists[i]->n);
            n += lists[i]->n;
        }
        qsort(v, n, sizeof(uint32_t), cmp_u32);
        size_t w = 0;
        for (size_t i = 0; i < n; i++)
            if (!w || v[w - 1] != v[i])
                v[w++] = v[i];
        n = w;
    }
    tsdb_plist_free(out);
    out->v = v;
    out->n = (uint32_t)n;
    out->cap = (uint32_t)(total ? total : 1);
    return 0;
}

struct tsdb_postings *
tsdb_postings_new(void)
{
    struct tsdb_postings *p = lm_calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    if (map_init(&p->pairs) || map_init(&p->names)) {
        tsdb_postings_free(p);
        return NULL;
    }
    return p;
}

void
tsdb_postings_free(struct tsdb_postings *p)
{
    if (!p)
        return;
    for (uint32_t i = 0; i < p->npv; i++)
        tsdb_plist_free(&p->pv[i].l);
    for (uint32_t i = 0; i < p->nnv; i++)
        lm_free(p->nv[i].vals);
    lm_free(p->pv);
    lm_free(p->nv);
    lm_free(p->name_ids);
    lm_free(p->pairs.t);
    lm_free(p->names.t);
    tsdb_plist_free(&p->all);
    lm_free(p);
}

static struct name_ent *
name_get(struct tsdb_postings *p, uint32_t name, bool create)
{
    uint32_t *ix = map_get(&p->names, name);
    if (ix)
        return &p->nv[*ix];
    if (!create)
        return NULL;
    if (p->nnv == p->capnv) {
        uint32_t ncap = p->capnv ? p->capnv * 2 : 64;
        struct name_ent *nv = lm_realloc(p->nv, sizeof(*nv) * ncap);
        if (!nv)
            return NULL;
        p->nv = nv;
        uint32_t *ni = lm_realloc(p->name_ids, sizeof(uint32_t) * ncap);
        if (!ni)
            return NULL;
        p->name_ids = ni;
        p->capnv = ncap;
    }
    if (map_put(&p->names, name, p->nnv))
        return NULL;
    struct name_ent *e = &p->nv[p->nnv];
    memset(e, 0, sizeof(*e));
    e->name = name;
    p->name_ids[p->nnv++] = name;
    return e;
}

static int
name_add_value(struct name_ent *e, uint32_t value)
{
    if (e->n == e->cap) {
        uint32_t ncap = e->cap < 4 ? 4 : e->cap * 2;
        uint32_t *nv = lm_realloc(e->vals, sizeof(uint32_t) * ncap);
        if (!nv)
            return LM_ENOMEM;
        e->vals = nv;
        e->cap = ncap;
    }
    e->vals[e->n++] = value;
    return 0;
}

int
tsdb_postings_add(struct tsdb_postings *p, uint32_t ref, const uint32_t *lbl, size_t n)
{
    if (tsdb_plist_add(&p->all, ref))
        return LM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        uint32_t name = lbl[2 * i], value = lbl[2 * i + 1];
        uint64_t key = (uint64_t)name << 32 | value;
        uint32_t *ix = map_get(&p->pairs, key);
        struct pair_ent *pe;
        if (ix) {
            pe = &p->pv[*ix];
        } else {
            if (p->npv == p->cappv) {
                uint32_t ncap = p->cappv ? p->cappv * 2 : 256;
                struct pair_ent *nv = lm_realloc(p->pv, sizeof(*nv) * ncap);
                if (!nv)
                    return LM_ENOMEM;
                p->pv = nv;
                p->cappv = ncap;
            }
            if (map_put(&p->pairs, key, p->npv))
                return LM_ENOMEM;
            pe = &p->pv[p->npv++];
            memset(pe, 0, sizeof(*pe));
            pe->name = name;
            pe->value = value;
        }
        if (!pe->l.n) {
            struct name_ent *ne = name_get(p, name, true);
            if (!ne || name_add_value(ne, value))
                return LM_ENOMEM;
        }
        if (tsdb_plist_add(&pe->l, ref))
            return LM_ENOMEM;
    }
    return 0;
}

const struct tsdb_plist *
tsdb_postings_get(const struct tsdb_postings *p, uint32_t name, uint32_t value)
{
    uint32_t *ix = map_get(&p->pairs, (uint64_t)name << 32 | value);
    return ix ? &p->pv[*ix].l : NULL;
}

const struct tsdb_plist *
tsdb_postings_all(const struct tsdb_postings *p)
{
    return &p->all;
}

const uint32_t *
tsdb_postings_values(const struct tsdb_postings *p, uint32_t name, size_t *n)
{
    uint32_t *ix = map_get(&p->names, name);
    if (!ix) {
        *n = 0;
        return NULL;
    }
    *n = p->nv[*ix].n;
    return p->nv[*ix].vals;
}

const uint32_t *
tsdb_postings_names(const struct tsdb_postings *p, size_t *n)
{
    *n = p->nnv;
    return p->name_ids;
}

static inline bool
bit_set(const uint64_t *bm, size_t nbits, uint32_t i)
{
    return i < nbits && (bm[i / 64] >> (i % 64)) & 1;
}

static void
filter(struct tsdb_plist *l, const uint64_t *dead, size_t nbits)
{
    uint32_t w = 0;
    for (uint32_t i = 0; i < l->n; i++)
        if (!bit_set(dead, nbits, l->v[i]))
            l->v[w++] = l->v[i];
    l->n = w;
    if (!w)
        tsdb_plist_free(l);
}

void
tsdb_postings_gc(struct tsdb_postings *p, const uint64_t *dead, size_t nbits,
                 const uint32_t *lbl, size_t nlbl)
{
    p->gc_round++;
    filter(&p->all, dead, nbits);
    for (size_t i = 0; i < nlbl; i++) {
        uint32_t name = lbl[2 * i], value = lbl[2 * i + 1];
        uint32_t *ix = map_get(&p->pairs, (uint64_t)name << 32 | value);
        if (!ix)
            continue;
        struct pair_ent *pe = &p->pv[*ix];
        if (pe->gc_mark == p->gc_round)
            continue;
        pe->gc_mark = p->gc_round;
        bool had = pe->l.n > 0;
        filter(&pe->l, dead, nbits);
        if (had && !pe->l.n) {
            struct name_ent *ne = name_get(p, name, false);
            for (uint32_t j = 0; ne && j < ne->n; j++) {
                if (ne->vals[j] == value) {
                    ne->vals[j] = ne->vals[--ne->n];
                    break;
                }
            }
        }
    }
}

size_t
tsdb_postings_bytes(const struct tsdb_postings *p)
{
    size_t b = sizeof(*p) + sizeof(struct kv) * ((size_t)p->pairs.mask + 1 + p->names.mask + 1);
    b += sizeof(struct pair_ent) * p->cappv + (sizeof(struct name_ent) + 4) * p->capnv;
    for (uint32_t i = 0; i < p->npv; i++)
        b += sizeof(uint32_t) * p->pv[i].l.cap;
    for (uint32_t i = 0; i < p->nnv; i++)
        b += sizeof(uint32_t) * p->nv[i].cap;
    return b + sizeof(uint32_t) * p->all.cap;
}
