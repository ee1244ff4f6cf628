/* SPDX-License-Identifier: Apache-2.0 */
/* cache.c: a target's scrape cache (Prometheus's scrapeCache): the series text of each
 * exposition line, by its 64-bit hash, maps to its tsdb ref, so a line seen before costs
 * one hash and no label work. Entries remember the iteration they were last tracked in,
 * which gives the staleness set without a second map. They are 48-byte slots from slabs
 * (no text, no labels: ~48 bytes per series instead of a text and a label copy). Owned
 * by one loop; not thread-safe. */
#include "flint/scrape/scrape_int.h"

#include <string.h>

#include "lm/alloc.h"

#define MIN_BUCKETS 64
#define SLAB_ENTRIES 128

/* A block of entries; freed only with the cache (unused ones wait on the free list). */
struct scri_slab {
    struct scri_slab *next;
    struct scri_entry e[SLAB_ENTRIES];
};

uint64_t scri_hash_bytes(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0x94d049bb133111ebULL;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 32);
}

void scri_cache_init(struct scri_cache *c)
{
    memset(c, 0, sizeof *c);
}

void scri_cache_cleanup(struct scri_cache *c)
{
    for (struct scri_slab *s = c->slabs, *n; s; s = n) {
        n = s->next;
        lm_free(s);
    }
    lm_free(c->b);
    memset(c, 0, sizeof *c);
}

struct scri_entry *scri_cache_get(const struct scri_cache *c, uint64_t h)
{
    if (!c->nb)
        return NULL;
    for (struct scri_entry *e = c->b[h & (c->nb - 1)]; e; e = e->next)
        if (e->h == h)
            return e;
    return NULL;
}

struct scri_entry *scri_cache_lookup(const struct scri_cache *c, const struct scri_entry *prev,
                                     const char *text, size_t len, uint64_t *h)
{
    struct scri_entry *g = prev ? prev->seq : c->first;
    *h = scri_hash_bytes(text, len);
    if (g && g->h == *h)
        return g;
    return scri_cache_get(c, *h);
}

void scri_cache_follow(struct scri_cache *c, struct scri_entry *prev, struct scri_entry *e)
{
    if (prev)
        prev->seq = e;
    else
        c->first = e;
}

/* grow: double the table when it is full (a failed grow keeps the old one). */
static void grow(struct scri_cache *c)
{
    size_t nb = c->nb ? c->nb * 2 : MIN_BUCKETS;
    struct scri_entry **b = lm_calloc(nb, sizeof *b);
    if (!b)
        return;
    for (size_t i = 0; i < c->nb; i++)
        for (struct scri_entry *e = c->b[i], *n; e; e = n) {
            n = e->next;
            e->next = b[e->h & (nb - 1)];
            b[e->h & (nb - 1)] = e;
        }
    lm_free(c->b);
    c->b = b;
    c->nb = nb;
}

/* entry_new: an unused entry (from the free list or a new slab). NULL on ENOMEM. */
static struct scri_entry *entry_new(struct scri_cache *c)
{
    if (!c->free) {
        struct scri_slab *s = lm_malloc(sizeof *s);
        if (!s)
            return NULL;
        s->next = c->slabs;
        c->slabs = s;
        for (size_t i = SLAB_ENTRIES; i-- > 0;) {
            s->e[i].next = c->free;
            c->free = &s->e[i];
        }
    }
    struct scri_entry *e = c->free;
    c->free = e->next;
    return e;
}

struct scri_entry *scri_cache_add(struct scri_cache *c, uint64_t h, bool dropped)
{
    if (c->n >= c->nb)
        grow(c);
    if (!c->nb)
        return NULL;
    struct scri_entry *e = entry_new(c);
    if (!e)
        return NULL;
    memset(e, 0, sizeof *e);
    e->h = h;
    e->last_iter = c->iter;
    e->dropped = dropped;
    e->next = c->b[h & (c->nb - 1)];
    c->b[h & (c->nb - 1)] = e;
    c->n++;
    c->seen++;
    return e;
}

void scri_cache_iter_done(struct scri_cache *c, bool flush)
{
    if (flush)
        c->successful = c->n;
    else if (c->n > c->successful * 2 + 1000)
        flush = true;
    if (flush && c->seen < c->n) {
        /* nobody may keep pointing at an entry about to go */
        if (c->first && c->first->last_iter != c->iter)
            c->first = NULL;
        for (size_t i = 0; i < c->nb; i++)
            for (struct scri_entry *e = c->b[i]; e; e = e->next)
                if (e->seq && e->seq->last_iter != c->iter)
                    e->seq = NULL;
        for (size_t i = 0; i < c->nb; i++) {
            struct scri_entry **pp = &c->b[i];
            while (*pp) {
                struct scri_entry *e = *pp;
                if (e->last_iter == c->iter) {
                    pp = &e->next;
                    continue;
                }
                *pp = e->next;
                c->n--;
                e->next = c->free;
                c->free = e;
            }
        }
    }
    c->iter++;
    c->seen = 0;
}
