/* SPDX-License-Identifier: Apache-2.0 */
/* symbols.c: string interning for the head (see symbols.h): strings live in 64 KiB arena
 * blocks as [len:4][bytes][NUL], an id -> string array and an open-addressing table
 * (id, hash fragment) for lookups. Also the byte hash the head uses everywhere. */
#include <stdbool.h>
#include <string.h>

#include "flint/tsdb/symbols.h"
#include "lm/alloc.h"

#define ARENA_BLOCK (64u * 1024)

struct arena_blk {
    struct arena_blk *next;  /* older block */
    size_t used, cap;        /* bytes used / available in data */
    char data[];             /* the strings */
};

struct slot {
    uint32_t id;   /* TSDB_SYM_NONE when empty */
    uint32_t h;    /* low 32 bits of the hash */
};

struct tsdb_syms {
    struct arena_blk *blk;   /* newest arena block (owned, chained) */
    char **str;              /* id -> string (inside the arena) */
    uint32_t n, cap;         /* ids used / allocated in str */
    struct slot *tab;        /* open addressing, power-of-two size */
    uint32_t mask;           /* table size - 1 */
    size_t bytes;            /* arena bytes allocated */
};

static inline uint64_t
rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t
mix(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t
tsdb_hash_bytes(uint64_t seed, const void *vp, size_t n)
{
    const unsigned char *p = vp;
    uint64_t h = seed ^ 0x9e3779b97f4a7c15ULL ^ (n * 0xa0761d6478bd642fULL);
    while (n >= 16) {
        h = mix(rd64(p) ^ 0xe7037ed1a0b428dbULL, rd64(p + 8) ^ h);
        p += 16;
        n -= 16;
    }
    uint64_t a = 0, b = 0;
    if (n >= 8) {
        a = rd64(p);
        b = rd64(p + n - 8);
    } else if (n > 0) {
        for (size_t i = 0; i < n; i++)
            a |= (uint64_t)p[i] << (8 * i);
        b = a >> 7;
    }
    return mix(a ^ 0x8ebc6af09c88c6e3ULL, b ^ h ^ 0x589965cc75374cc3ULL);
}

struct tsdb_syms *
tsdb_syms_new(void)
{
    struct tsdb_syms *t = lm_calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->tab = lm_malloc(sizeof(struct slot) * 1024);
    if (!t->tab) {
        lm_free(t);
        return NULL;
    }
    memset(t->tab, 0xff, sizeof(struct slot) * 1024);
    t->mask = 1023;
    return t;
}

void
tsdb_syms_free(struct tsdb_syms *t)
{
    if (!t)
        return;
    struct arena_blk *b = t->blk;
    while (b) {
        struct arena_blk *nx = b->next;
        lm_free(b);
        b = nx;
    }
    lm_free(t->str);
    lm_free(t->tab);
    lm_free(t);
}

const char *
tsdb_sym_str(const struct tsdb_syms *t, uint32_t id)
{
    return id < t->n ? t->str[id] : "";
}

uint32_t
tsdb_sym_len(const struct tsdb_syms *t, uint32_t id)
{
    uint32_t len;
    if (id >= t->n)
        return 0;
    memcpy(&len, t->str[id] - 4, 4);
    return len;
}

uint32_t
tsdb_syms_count(const struct tsdb_syms *t)
{
    return t->n;
}

size_t
tsdb_syms_bytes(const struct tsdb_syms *t)
{
    return t->bytes + (size_t)t->cap * sizeof(char *) + ((size_t)t->mask + 1) * sizeof(struct slot);
}

static bool
eq(const struct tsdb_syms *t, uint32_t id, const char *s, size_t n)
{
    return tsdb_sym_len(t, id) == n && memcmp(t->str[id], s, n) == 0;
}

uint32_t
tsdb_sym_find(const struct tsdb_syms *t, const char *s, size_t n)
{
    uint64_t h = tsdb_hash_bytes(0, s, n);
    for (uint32_t i = (uint32_t)h & t->mask;; i = (i + 1) & t->mask) {
        const struct slot *sl = &t->tab[i];
        if (sl->id == TSDB_SYM_NONE)
            return TSDB_SYM_NONE;
        if (sl->h == (uint32_t)h && eq(t, sl->id, s, n))
            return sl->id;
    }
}

static int
grow_tab(struct tsdb_syms *t)
{
    uint32_t nsz = (t->mask + 1) * 2;
    struct slot *nt = lm_malloc(sizeof(struct slot) * nsz);
    if (!nt)
        return -1;
    memset(nt, 0xff, sizeof(struct slot) * nsz);
    for (uint32_t i = 0; i <= t->mask; i++) {
        struct slot sl = t->tab[i];
        if (sl.id == TSDB_SYM_NONE)
            continue;
        uint64_t h = tsdb_hash_bytes(0, t->str[sl.id], tsdb_sym_len(t, sl.id));
        uint32_t j = (uint32_t)h & (nsz - 1);
        while (nt[j].id != TSDB_SYM_NONE)
            j = (j + 1) & (nsz - 1);
        nt[j] = sl;
    }
    lm_free(t->tab);
    t->tab = nt;
    t->mask = nsz - 1;
    return 0;
}

/* store: copy s into the arena; the string pointer or NULL on OOM. */
static char *
store(struct tsdb_syms *t, const char *s, size_t n)
{
    size_t need = 4 + n + 1;
    struct arena_blk *b = t->blk;
    if (!b || b->cap - b->used < need) {
        size_t cap = need > ARENA_BLOCK / 4 ? need : ARENA_BLOCK;
        struct arena_blk *nb = lm_malloc(sizeof(*nb) + cap);
        if (!nb)
            return NULL;
        nb->cap = cap;
        nb->used = 0;
        if (b && need > ARENA_BLOCK / 4) {
            /* a big string gets its own block behind the current one */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            t->blk = nb;
        }
        t->bytes += cap;
        b = nb;
    }
    char *p = b->data + b->used;
    uint32_t len = (uint32_t)n;
    memcpy(p, &len, 4);
    memcpy(p + 4, s, n);
    p[4 + n] = '\0';
    b->used += (need + 3) & ~(size_t)3;
    if (b->used > b->cap)
        b->used = b->cap;
    return p + 4;
}

uint32_t
tsdb_sym_intern(struct tsdb_syms *t, const char *s, size_t n)
{
    uint64_t h = tsdb_hash_bytes(0, s, n);
    uint32_t i = (uint32_t)h & t->mask;
    for (;; i = (i + 1) & t->mask) {
        const struct slot *sl = &t->tab[i];
        if (sl->id == TSDB_SYM_NONE)
            break;
        if (sl->h == (uint32_t)h && eq(t, sl->id, s, n))
            return sl->id;
    }
    if (n > UINT32_MAX - 8 || t->n == TSDB_SYM_NONE - 1)
        return TSDB_SYM_NONE;
    if ((uint64_t)(t->n + 1) * 4 > (uint64_t)(t->mask + 1) * 3) {
        if (grow_tab(t))
            return TSDB_SYM_NONE;
        i = (uint32_t)h & t->mask;
        while (t->tab[i].id != TSDB_SYM_NONE)
            i = (i + 1) & t->mask;
    }
    if (t->n == t->cap) {
        uint32_t ncap = t->cap ? t->cap * 2 : 1024;
        char **ns = lm_realloc(t->str, sizeof(char *) * ncap);
        if (!ns)
            return TSDB_SYM_NONE;
        t->str = ns;
        t->cap = ncap;
    }
    char *p = store(t, s, n);
    if (!p)
        return TSDB_SYM_NONE;
    uint32_t id = t->n++;
    t->str[id] = p;
    t->tab[i].id = id;
    t->tab[i].h = (uint32_t)h;
    return id;
}
