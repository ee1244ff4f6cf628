/* SPDX-License-Identifier: Apache-2.0 */
/* value.c: the evaluator's arena, the label-set intern pool, vector helpers, and the
 * public result's destructor (see value.h, engine.h). */
#include "flint/promql/value.h"

#include <string.h>

#include "lm/alloc.h"

#define ARENA_BLK_MIN (64 * 1024)

struct pql_arena_blk {
    struct pql_arena_blk *next;   /* older block */
    size_t size, off;             /* usable bytes, bytes used */
    max_align_t data[];           /* the memory */
};

void *pql_arena_alloc(struct pql_arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    struct pql_arena_blk *b = a->head;
    if ((!b || b->size - b->off < n) && a->spare && a->spare->size >= n) {
        b = a->spare;
        a->spare = b->next;
        b->next = a->head;
        b->off = 0;
        a->head = b;
    } else if (!b || b->size - b->off < n) {
        size_t sz = n > ARENA_BLK_MIN ? n : ARENA_BLK_MIN;
        if (b && b->size * 2 > sz && b->size < 16 * 1024 * 1024)
            sz = b->size * 2 > n ? b->size * 2 : n;
        b = lm_malloc(sizeof *b + sz);
        if (!b)
            return NULL;
        b->next = a->head;
        b->size = sz;
        b->off = 0;
        a->head = b;
    }
    void *p = (char *)b->data + b->off;
    b->off += n;
    a->used += n;
    return p;
}

struct pql_arena_mark pql_arena_mark(const struct pql_arena *a)
{
    struct pql_arena_mark m = {a->head, a->head ? a->head->off : 0, a->used};
    return m;
}

void pql_arena_release(struct pql_arena *a, struct pql_arena_mark m)
{
    while (a->head && a->head != m.blk) {
        struct pql_arena_blk *b = a->head;
        a->head = b->next;
        b->next = a->spare;
        a->spare = b;
    }
    if (a->head)
        a->head->off = m.off;
    a->used = m.used;
}

void pql_arena_free(struct pql_arena *a)
{
    struct pql_arena_mark m = {NULL, 0, 0};
    pql_arena_release(a, m);
    while (a->spare) {
        struct pql_arena_blk *b = a->spare;
        a->spare = b->next;
        lm_free(b);
    }
}

/* ---- intern pool ---------------------------------------------------------------- */

static bool pool_grow(struct pql_lspool *p)
{
    size_t cap = p->cap ? p->cap * 2 : 256;
    struct pql_lsslot *tab = lm_calloc(cap, sizeof *tab);
    if (!tab)
        return false;
    for (size_t i = 0; i < p->cap; i++) {
        if (!p->tab[i].e)
            continue;
        size_t j = p->tab[i].hash & (cap - 1);
        while (tab[j].e)
            j = (j + 1) & (cap - 1);
        tab[j] = p->tab[i];
    }
    lm_free(p->tab);
    p->tab = tab;
    p->cap = cap;
    return true;
}

static inline uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

/* hash_str: fold the string s (its bytes 8 at a time, then its length) into h. */
static inline uint64_t hash_str(uint64_t h, const char *s)
{
    size_t n = strlen(s), i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
    }
    uint64_t w = 0;
    memcpy(&w, s + i, n - i);
    h = (h ^ w ^ (uint64_t)n << 56) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

/* pool_hash: the pool's hash of a label set (names and values with their lengths). */
static uint64_t pool_hash(const struct lbl_set *s)
{
    uint64_t h = 0x2545f4914f6cdd1dULL ^ s->n;
    for (size_t i = 0; i < s->n; i++) {
        h = hash_str(h, s->v[i].name);
        h = hash_str(h, s->v[i].value);
    }
    return mix(h);
}

/* lookup: the slot of s (hash h): its entry, or the empty slot where it goes. */
static size_t lookup(const struct pql_lspool *p, const struct lbl_set *s, uint64_t h)
{
    size_t j = h & (p->cap - 1);
    while (p->tab[j].e && (p->tab[j].hash != h || !lbl_set_eq(&p->tab[j].e->s, s)))
        j = (j + 1) & (p->cap - 1);
    return j;
}

size_t pql_lbl_packed_size(const struct lbl_set *s)
{
    size_t n = s->n * sizeof(struct lbl);
    for (size_t i = 0; i < s->n; i++)
        n += strlen(s->v[i].name) + strlen(s->v[i].value) + 2;
    return (n + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
}

void pql_lbl_pack(void *mem, const struct lbl_set *s, struct lbl_set *dst)
{
    struct lbl *v = mem;
    char *str = (char *)(v + s->n);
    for (size_t i = 0; i < s->n; i++) {
        size_t nl = strlen(s->v[i].name) + 1, vl = strlen(s->v[i].value) + 1;
        memcpy(str, s->v[i].name, nl);
        v[i].name = str;
        str += nl;
        memcpy(str, s->v[i].value, vl);
        v[i].value = str;
        str += vl;
    }
    *dst = (struct lbl_set){s->n ? v : NULL, s->n, s->n};
}

/* pack: a pool entry holding a deep copy of s in one arena block. NULL on ENOMEM. */
static struct pql_ls *pack(struct pql_lspool *p, const struct lbl_set *s, uint64_t h)
{
    struct pql_ls *e = pql_arena_alloc(&p->mem, sizeof *e + pql_lbl_packed_size(s));
    if (!e)
        return NULL;
    pql_lbl_pack(e + 1, s, &e->s);
    e->hash = h;
    e->noname = NULL;
    return e;
}

const struct pql_ls *pql_lspool_take(struct pql_lspool *p, struct lbl_set *s)
{
    const struct pql_ls *e = pql_lspool_get(p, s);
    lbl_set_free(s);
    return e;
}

const struct pql_ls *pql_lspool_get(struct pql_lspool *p, const struct lbl_set *s)
{
    if ((p->n + 1) * 2 > p->cap && !pool_grow(p))
        return NULL;
    uint64_t h = pool_hash(s);
    size_t j = lookup(p, s, h);
    if (p->tab[j].e)
        return p->tab[j].e;
    struct pql_ls *e = pack(p, s, h);
    if (!e)
        return NULL;
    p->tab[j] = (struct pql_lsslot){h, e};
    p->n++;
    return e;
}

void pql_lspool_free(struct pql_lspool *p)
{
    lm_free(p->tab);
    pql_arena_free(&p->mem);
    memset(p, 0, sizeof *p);
}

/* ---- vectors ---------------------------------------------------------------------- */

static void *grow(struct pql_arena *a, void *old, size_t n, size_t *cap, size_t elsz)
{
    size_t nc = *cap ? *cap * 2 : 8;
    void *nv = pql_arena_alloc(a, nc * elsz);
    if (!nv)
        return NULL;
    if (n)
        memcpy(nv, old, n * elsz);
    *cap = nc;
    return nv;
}

bool pql_vec_push(struct pql_arena *a, struct pql_vec *vec, const struct pql_ls *ls, int64_t t,
                  double v)
{
    if (vec->n == vec->cap) {
        struct pql_el *nv = grow(a, vec->v, vec->n, &vec->cap, sizeof *nv);
        if (!nv)
            return false;
        vec->v = nv;
    }
    vec->v[vec->n++] = (struct pql_el){ls, t, v};
    return true;
}

bool pql_mat_push(struct pql_arena *a, struct pql_mat *m, const struct pql_win *w)
{
    if (m->n == m->cap) {
        struct pql_win *nv = grow(a, m->v, m->n, &m->cap, sizeof *nv);
        if (!nv)
            return false;
        m->v = nv;
    }
    m->v[m->n++] = *w;
    return true;
}

/* ---- pointer map ---------------------------------------------------------------- */

static size_t ptr_hash(const void *p, size_t cap)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

void *pql_pmap_get(const struct pql_pmap *m, const void *key)
{
    if (!m->cap)
        return NULL;
    size_t j = ptr_hash(key, m->cap);
    while (m->tab[j].key) {
        if (m->tab[j].key == key)
            return m->tab[j].val;
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

void **pql_pmap_slot(struct pql_pmap *m, const void *key, bool *found)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        struct pql_pmap_ent *tab = lm_calloc(cap, sizeof *tab);
        if (!tab)
            return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->tab[i].key)
                continue;
            size_t j = ptr_hash(m->tab[i].key, cap);
            while (tab[j].key)
                j = (j + 1) & (cap - 1);
            tab[j] = m->tab[i];
        }
        lm_free(m->tab);
        m->tab = tab;
        m->cap = cap;
    }
    size_t j = ptr_hash(key, m->cap);
    while (m->tab[j].key) {
        if (m->tab[j].key == key) {
            *found = true;
            return &m->tab[j].val;
        }
        j = (j + 1) & (m->cap - 1);
    }
    *found = false;
    m->tab[j].key = key;
    m->tab[j].val = NULL;
    m->n++;
    return &m->tab[j].val;
}

void pql_pmap_clear(struct pql_pmap *m)
{
    if (m->cap)
        memset(m->tab, 0, m->cap * sizeof *m->tab);
    m->n = 0;
}

void pql_pmap_free(struct pql_pmap *m)
{
    lm_free(m->tab);
    memset(m, 0, sizeof *m);
}

bool pql_is_stale(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b == 0x7ff0000000000002ULL;
}

/* ---- public result ---------------------------------------------------------------- */

void pql_result_free(struct pql_result *r)
{
    if (!r)
        return;
    lm_free(r->str);
    for (size_t i = 0; i < r->nvec && !r->lblmem; i++)
        lbl_set_free(&r->vec[i].ls);
    lm_free(r->vec);
    for (size_t i = 0; i < r->nmat; i++) {
        if (!r->lblmem)
            lbl_set_free(&r->mat[i].ls);
        lm_free(r->mat[i].pts);
    }
    lm_free(r->lblmem);
    lm_free(r->mat);
    memset(r, 0, sizeof *r);
}

const char *pql_err_type_str(enum pql_err_type t)
{
    switch (t) {
    case PQL_ERR_BAD_DATA: return "bad_data";
    case PQL_ERR_EXECUTION: return "execution";
    case PQL_ERR_TIMEOUT: return "timeout";
    case PQL_ERR_CANCELED: return "canceled";
    case PQL_ERR_INTERNAL: return "internal";
    case PQL_ERR_NONE: break;
    }
    return "";
}
