/* SPDX-License-Identifier: Apache-2.0 */
/* cache.c: a target's scrape cache (Prometheus's scrapeCache): the series text of each
 * exposition line maps to its final series (labels after target labels and metric
 * relabeling, plus the tsdb ref), so a line seen before costs one hash lookup and no
 * label work. Series remember the iteration they were last tracked in, which gives the
 * staleness set without a second map. Owned by one loop; not thread-safe. */
#include "flint/scrape/scrape_int.h"

#include <string.h>

#include "lm/alloc.h"

#define MIN_BUCKETS 64

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

#define ENC_MAX (64UL * 1024 * 1024)

void scri_cache_init(struct scri_cache *c)
{
    memset(c, 0, sizeof *c);
    lm_buf_init(&c->enc, ENC_MAX);
}

static void series_free(struct scri_series *s)
{
    lm_free(s);
}

int scri_series_labels(const struct scri_series *s, struct lbl_set *out)
{
    lbl_set_clear(out);
    const char *p = s->enc, *end = s->enc + s->len;
    while (p < end) {
        size_t nl = strlen(p);
        const char *v = p + nl + 1;
        size_t vl = strlen(v);
        int rc = lbl_set_addn(out, p, nl, v, vl);
        if (rc)
            return rc;
        p = v + vl + 1;
    }
    return 0;
}

void scri_cache_cleanup(struct scri_cache *c)
{
    for (size_t i = 0; i < c->nb; i++)
        for (struct scri_entry *e = c->b[i], *n; e; e = n) {
            n = e->next;
            lm_free(e);
        }
    for (size_t i = 0; i < c->nsb; i++)
        for (struct scri_series *s = c->sb[i], *n; s; s = n) {
            n = s->next;
            series_free(s);
        }
    lm_free(c->b);
    lm_free(c->sb);
    lm_buf_cleanup(&c->enc);
    memset(c, 0, sizeof *c);
    lm_buf_init(&c->enc, ENC_MAX);
}

struct scri_entry *scri_cache_get(const struct scri_cache *c, const char *text, size_t len,
                                  uint64_t h)
{
    if (!c->nb)
        return NULL;
    for (struct scri_entry *e = c->b[h & (c->nb - 1)]; e; e = e->next)
        if (e->h == h && e->len == len && !memcmp(e->text, text, len))
            return e;
    return NULL;
}

struct scri_entry *scri_cache_lookup(const struct scri_cache *c, const struct scri_entry *prev,
                                     const char *text, size_t len, uint64_t *h)
{
    struct scri_entry *g = prev ? prev->seq : c->first;
    if (g && g->len == len && !memcmp(g->text, text, len)) {
        *h = 0;
        return g;
    }
    *h = scri_hash_bytes(text, len);
    return scri_cache_get(c, text, len, *h);
}

void scri_cache_follow(struct scri_cache *c, struct scri_entry *prev, struct scri_entry *e)
{
    if (prev)
        prev->seq = e;
    else
        c->first = e;
}

/* grow: double a chained table when it is full (a failed grow keeps the old one). */
static void grow_entries(struct scri_cache *c)
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

static void grow_series(struct scri_cache *c)
{
    size_t nb = c->nsb ? c->nsb * 2 : MIN_BUCKETS;
    struct scri_series **b = lm_calloc(nb, sizeof *b);
    if (!b)
        return;
    for (size_t i = 0; i < c->nsb; i++)
        for (struct scri_series *s = c->sb[i], *n; s; s = n) {
            n = s->next;
            s->next = b[s->hash & (nb - 1)];
            b[s->hash & (nb - 1)] = s;
        }
    lm_free(c->sb);
    c->sb = b;
    c->nsb = nb;
}

/* series_get: the series equal to *ls, created when new. */
static struct scri_series *series_get(struct scri_cache *c, const struct lbl_set *ls)
{
    struct lm_buf *b = &c->enc;
    lm_buf_reset(b);
    for (size_t i = 0; i < ls->n; i++) {
        lm_buf_append(b, ls->v[i].name, strlen(ls->v[i].name) + 1);
        lm_buf_append(b, ls->v[i].value, strlen(ls->v[i].value) + 1);
    }
    if (b->err)
        return NULL;
    const char *enc = b->data ? b->data : "";
    uint64_t h = scri_hash_bytes(enc, b->len);
    if (c->ns >= c->nsb)
        grow_series(c);
    if (!c->nsb)
        return NULL;
    for (struct scri_series *s = c->sb[h & (c->nsb - 1)]; s; s = s->next)
        if (s->hash == h && s->len == b->len && !memcmp(s->enc, enc, b->len))
            return s;
    struct scri_series *s = lm_calloc(1, sizeof *s + b->len);
    if (!s)
        return NULL;
    s->hash = h;
    s->len = b->len;
    memcpy(s->enc, enc, b->len);
    s->next = c->sb[h & (c->nsb - 1)];
    c->sb[h & (c->nsb - 1)] = s;
    c->ns++;
    return s;
}

static void series_release(struct scri_cache *c, struct scri_series *s)
{
    if (!s || --s->nentries)
        return;
    struct scri_series **pp = &c->sb[s->hash & (c->nsb - 1)];
    while (*pp != s)
        pp = &(*pp)->next;
    *pp = s->next;
    c->ns--;
    series_free(s);
}

struct scri_entry *scri_cache_add(struct scri_cache *c, const char *text, size_t len,
                                  uint64_t h, const struct lbl_set *ls)
{
    if (c->n >= c->nb)
        grow_entries(c);
    if (!c->nb)
        return NULL;
    struct scri_entry *e = lm_malloc(sizeof *e + len);
    if (!e)
        return NULL;
    e->h = h;
    e->seq = NULL;
    e->len = len;
    e->last_iter = c->iter;
    e->s = NULL;
    memcpy(e->text, text, len);
    if (ls) {
        e->s = series_get(c, ls);
        if (!e->s) {
            lm_free(e);
            return NULL;
        }
        e->s->nentries++;
    }
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
                series_release(c, e->s);
                lm_free(e);
            }
        }
    }
    c->iter++;
    c->seen = 0;
}
