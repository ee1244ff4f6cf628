/* SPDX-License-Identifier: Apache-2.0 */
/* block_query.c: reading across blocks: a view holds references to the blocks that
 * overlap a time range; a select evaluates matchers on each block's postings and
 * merges the per-block series lists (each sorted by labels) into one sorted stream,
 * uniting the chunks of a label set found in several blocks; an iterator decodes those
 * chunks group by group (overlapping chunks are merged, duplicates dropped). Also label
 * names and values through the postings tables. */
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "flint/tsdb/block_int.h"
#include "lm/alloc.h"

struct tsdb_blocks_view {
    struct tsdb_block **v;   /* one reference each, mint order */
    size_t n;
    int64_t mint, maxt;      /* inclusive */
};

struct bchunk {
    struct tsdb_block *b;    /* borrowed from the view */
    struct tsdb_chunk_meta m;
    size_t order;            /* block index, for dedup precedence */
};

struct cursor {
    struct tsdb_block *b;
    uint32_t *ids;           /* owned, matching series ids */
    size_t n, pos;
    struct lbl_set ls;       /* labels of ids[pos] when pos < n (a block view) */
    struct tsdb_chunk_meta *metas;
    size_t nmeta, capmeta;
};

struct tsdb_bit {
    struct tsdb_bss *ss;
    size_t next;             /* next chunk index in ss->ch */
    int64_t *ts;             /* decoded samples of the current group */
    double *vs;
    size_t n, pos, cap;
    int64_t gmax;            /* group max time */
    bool has_cur;            /* a sample was returned: cur_t/cur_v */
    int64_t cur_t;
    double cur_v;
};

struct tsdb_bss {
    struct tsdb_blocks_view *v;
    struct cursor *c;
    size_t nc;
    struct lbl_set cur;      /* current series labels (a view: strings borrowed from a
                              * block of the view, array owned) */
    struct bchunk *ch;       /* its chunks in range, sorted by mint */
    size_t nch, capch;
    struct tsdb_bit it;
    struct lm_buf scratch;
    ZSTD_DCtx *dctx;         /* owned, created on the first compressed chunk */
    int err;                 /* sticky LM_ENOMEM: a next/iterator stopped early */
};

struct tsdb_blocks_view *
tsdb_blocks_view(struct tsdb_blocks *bs, int64_t mint, int64_t maxt)
{
    struct tsdb_blocks_view *v = lm_calloc(1, sizeof(*v));
    if (!v)
        return NULL;
    v->mint = mint;
    v->maxt = maxt;
    pthread_mutex_lock(&bs->mu);
    v->v = lm_calloc(bs->n ? bs->n : 1, sizeof(*v->v));
    if (!v->v) {
        pthread_mutex_unlock(&bs->mu);
        lm_free(v);
        return NULL;
    }
    for (size_t i = 0; i < bs->n; i++) {
        struct tsdb_block *b = bs->v[i];
        if (b->mint <= maxt && b->maxt > mint) {
            tsdb_block_ref(b);
            v->v[v->n++] = b;
        }
    }
    pthread_mutex_unlock(&bs->mu);
    return v;
}

struct tsdb_blocks_view *
tsdb_blocks_view_of(struct tsdb_block *const *g, size_t n, int64_t mint, int64_t maxt)
{
    struct tsdb_blocks_view *v = lm_calloc(1, sizeof(*v));
    if (!v || !(v->v = lm_calloc(n ? n : 1, sizeof(*v->v)))) {
        lm_free(v);
        return NULL;
    }
    v->mint = mint;
    v->maxt = maxt;
    for (size_t i = 0; i < n; i++) {
        tsdb_block_ref(g[i]);
        v->v[v->n++] = g[i];
    }
    return v;
}

void
tsdb_blocks_view_free(struct tsdb_blocks_view *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++)
        tsdb_block_unref(v->v[i]);
    lm_free(v->v);
    lm_free(v);
}

size_t
tsdb_blocks_view_count(const struct tsdb_blocks_view *v)
{
    return v->n;
}

/* cursor_load: decode the labels and metas at c->pos (skips corrupt entries). */
static int
cursor_load(struct cursor *c)
{
    while (c->pos < c->n) {
        int rc = tsdb_block_series_view(c->b, c->ids[c->pos], &c->ls, &c->metas, &c->nmeta,
                                        &c->capmeta);
        if (rc == 0)
            return 0;
        if (rc == LM_ENOMEM)
            return rc;
        c->pos++;
    }
    return 0;
}

struct tsdb_bss *
tsdb_blocks_select(struct tsdb_blocks_view *v, const struct lbl_matcher *ms, size_t n,
                   struct lm_err *err)
{
    struct tsdb_bss *ss = lm_calloc(1, sizeof(*ss));
    if (!ss)
        goto oom;
    ss->v = v;
    lm_buf_init(&ss->scratch, TSDB_BCHUNK_MAX_RAW + 1);
    ss->it.ss = ss;
    ss->c = lm_calloc(v->n ? v->n : 1, sizeof(*ss->c));
    if (!ss->c)
        goto oom;
    for (size_t i = 0; i < v->n; i++) {
        struct cursor *c = &ss->c[ss->nc++];
        c->b = v->v[i];
        if (tsdb_block_match(c->b, ms, n, &c->ids, &c->n) != 0 || cursor_load(c) != 0)
            goto oom;
    }
    return ss;
oom:
    tsdb_bss_free(ss);
    lm_err_set(err, LM_ENOMEM, "blocks", "out of memory selecting series");
    return NULL;
}

static int
cmp_bchunk(const void *a, const void *b)
{
    const struct bchunk *x = a, *y = b;
    if (x->m.mint != y->m.mint)
        return x->m.mint < y->m.mint ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

bool
tsdb_bss_next(struct tsdb_bss *ss)
{
    for (;;) {
        struct cursor *min = NULL;
        for (size_t i = 0; i < ss->nc; i++) {
            struct cursor *c = &ss->c[i];
            if (c->pos < c->n && (!min || lbl_set_cmp(&c->ls, &min->ls) < 0))
                min = c;
        }
        if (!min)
            return false;
        if (ss->cur.cap < min->ls.n) {
            struct lbl *nv = lm_realloc(ss->cur.v, min->ls.n * sizeof(*nv));
            if (!nv) {
                ss->err = LM_ENOMEM;
                return false;
            }
            ss->cur.v = nv;
            ss->cur.cap = min->ls.n;
        }
        if (min->ls.n)
            memcpy(ss->cur.v, min->ls.v, min->ls.n * sizeof(*ss->cur.v));
        ss->cur.n = min->ls.n;
        ss->nch = 0;
        for (size_t i = 0; i < ss->nc; i++) {
            struct cursor *c = &ss->c[i];
            if (c->pos >= c->n || !lbl_set_eq(&c->ls, &ss->cur))
                continue;
            for (size_t k = 0; k < c->nmeta; k++) {
                struct tsdb_chunk_meta *m = &c->metas[k];
                if (m->maxt < ss->v->mint || m->mint > ss->v->maxt)
                    continue;
                if (ss->nch == ss->capch) {
                    size_t ncap = ss->capch ? ss->capch * 2 : 16;
                    struct bchunk *nb = lm_realloc(ss->ch, ncap * sizeof(*nb));
                    if (!nb) {
                        ss->err = LM_ENOMEM;
                        return false;
                    }
                    ss->ch = nb;
                    ss->capch = ncap;
                }
                ss->ch[ss->nch++] = (struct bchunk){c->b, *m, i};
            }
            c->pos++;
            if (cursor_load(c) != 0) {
                ss->err = LM_ENOMEM;
                return false;
            }
        }
        if (ss->nch == 0)
            continue;
        qsort(ss->ch, ss->nch, sizeof(*ss->ch), cmp_bchunk);
        ss->it.next = ss->it.n = ss->it.pos = 0;
        ss->it.has_cur = false;
        return true;
    }
}

const struct lbl_set *
tsdb_bss_labels(const struct tsdb_bss *ss)
{
    return &ss->cur;
}

struct tsdb_bit *
tsdb_bss_iter(struct tsdb_bss *ss)
{
    ss->it.next = ss->it.n = ss->it.pos = 0;
    ss->it.has_cur = false;
    return &ss->it;
}

int
tsdb_bss_err(const struct tsdb_bss *ss)
{
    return ss->err;
}

void
tsdb_bss_free(struct tsdb_bss *ss)
{
    if (!ss)
        return;
    for (size_t i = 0; i < ss->nc; i++) {
        lm_free(ss->c[i].ids);
        lm_free(ss->c[i].ls.v);
        lm_free(ss->c[i].metas);
    }
    lm_free(ss->c);
    lm_free(ss->cur.v);
    lm_free(ss->ch);
    lm_free(ss->it.ts);
    lm_free(ss->it.vs);
    lm_buf_cleanup(&ss->scratch);
    if (ss->dctx)
        ZSTD_freeDCtx(ss->dctx);
    lm_free(ss);
}

/* ---- iterator ---- */

struct tv {
    int64_t t;
    double v;
    size_t order;
};

static int
cmp_tv(const void *a, const void *b)
{
    const struct tv *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static bool
it_reserve(struct tsdb_bit *it, size_t need)
{
    if (need <= it->cap)
        return true;
    size_t ncap = it->cap ? it->cap * 2 : 1024;
    while (ncap < need)
        ncap *= 2;
    int64_t *nt = lm_realloc(it->ts, ncap * sizeof(*nt));
    if (!nt)
        return false;
    it->ts = nt;
    double *nv = lm_realloc(it->vs, ncap * sizeof(*nv));
    if (!nv)
        return false;
    it->vs = nv;
    it->cap = ncap;
    return true;
}

/* merge_group: sort the n samples of a multi-chunk group, keep one per timestamp. */
static bool
merge_group(struct tsdb_bit *it, const size_t *order_of, size_t n)
{
    struct tv *a = lm_malloc((n ? n : 1) * sizeof(*a));
    if (!a)
        return false;
    for (size_t i = 0; i < n; i++)
        a[i] = (struct tv){it->ts[i], it->vs[i], order_of[i]};
    qsort(a, n, sizeof(*a), cmp_tv);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k > 0 && it->ts[k - 1] == a[i].t)
            continue;
        it->ts[k] = a[i].t;
        it->vs[k++] = a[i].v;
    }
    it->n = k;
    lm_free(a);
    return true;
}

/* load_group: decode the next group of mutually overlapping chunks. false at the end. */
static bool
load_group(struct tsdb_bit *it)
{
    struct tsdb_bss *ss = it->ss;
    while (it->next < ss->nch) {
        size_t g0 = it->next, g1 = g0 + 1;
        int64_t gmax = ss->ch[g0].m.maxt;
        while (g1 < ss->nch && ss->ch[g1].m.mint <= gmax) {
            if (ss->ch[g1].m.maxt > gmax)
                gmax = ss->ch[g1].m.maxt;
            g1++;
        }
        it->next = g1;
        it->n = it->pos = 0;
        it->gmax = gmax;
        size_t total = 0;
        for (size_t i = g0; i < g1; i++)
            total += ss->ch[i].m.n;
        size_t *ord = g1 - g0 > 1 ? lm_malloc(total * sizeof(*ord)) : NULL;
        if (!it_reserve(it, total) || (g1 - g0 > 1 && !ord)) {
            lm_free(ord);
            ss->err = LM_ENOMEM;
            return false;
        }
        for (size_t i = g0; i < g1; i++) {
            uint8_t enc;
            const uint8_t *p;
            size_t len;
            long got = -1;
            bool ok = tsdb_block_chunk(ss->ch[i].b, ss->ch[i].m.ref, &enc, &p, &len);
            if (ok && enc == TSDB_BENC_COLZ && !ss->dctx && !(ss->dctx = ZSTD_createDCtx()))
                got = -2;   /* created on the first compressed chunk */
            else if (ok)
                got = tsdb_bchunk_decode(enc, p, len, it->ts + it->n, it->vs + it->n,
                                         ss->ch[i].m.n, &ss->scratch, ss->dctx);
            if (got == -2) {
                lm_free(ord);
                ss->err = LM_ENOMEM;
                return false;
            }
            if (got < 0)
                continue; /* corrupt chunk: skipped */
            for (size_t k = 0; ord && k < (size_t)got; k++)
                ord[it->n + k] = ss->ch[i].order;
            it->n += (size_t)got;
        }
        if (ord) {
            bool ok = merge_group(it, ord, it->n);
            lm_free(ord);
            if (!ok) {
                ss->err = LM_ENOMEM;
                return false;
            }
        }
        if (it->n > 0)
            return true;
    }
    return false;
}

bool
tsdb_bit_next(struct tsdb_bit *it, int64_t *t, double *v)
{
    const struct tsdb_blocks_view *vw = it->ss->v;
    for (;;) {
        while (it->pos < it->n) {
            size_t i = it->pos++;
            if (it->ts[i] < vw->mint)
                continue;
            if (it->ts[i] > vw->maxt) {
                it->pos = it->n;
                it->next = it->ss->nch;
                return false;
            }
            *t = it->cur_t = it->ts[i];
            *v = it->cur_v = it->vs[i];
            it->has_cur = true;
            return true;
        }
        if (!load_group(it))
            return false;
    }
}

bool
tsdb_bit_seek(struct tsdb_bit *it, int64_t t, int64_t *ts, double *v)
{
    struct tsdb_bss *ss = it->ss;
    if (it->has_cur && it->cur_t >= t) {
        *ts = it->cur_t;
        *v = it->cur_v;
        return true;
    }
    if (it->pos >= it->n || it->ts[it->n - 1] < t) {
        /* skip whole chunks that end before t without decoding them */
        while (it->next < ss->nch && ss->ch[it->next].m.maxt < t) {
            bool overlaps_next = it->next + 1 < ss->nch &&
                                 ss->ch[it->next + 1].m.mint <= ss->ch[it->next].m.maxt;
            if (overlaps_next)
                break;
            it->next++;
        }
        it->pos = it->n;
    }
    for (;;) {
        if (it->pos < it->n && it->ts[it->n - 1] >= t) {
            size_t lo = it->pos, hi = it->n;
            while (lo < hi) {
                size_t m = lo + (hi - lo) / 2;
                if (it->ts[m] < t)
                    lo = m + 1;
                else
                    hi = m;
            }
            it->pos = lo;
            return tsdb_bit_next(it, ts, v);
        }
        if (!load_group(it))
            return false;
    }
}

/* ---- label names and values ---- */

struct strv {
    char **v;
    size_t n, cap;
};

static int
strv_add(struct strv *s, const char *p, size_t len)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        char **nv = lm_realloc(s->v, ncap * sizeof(*nv));
        if (!nv)
            return LM_ENOMEM;
        s->v = nv;
        s->cap = ncap;
    }
    if (!(s->v[s->n] = lm_strndup(p, len)))
        return LM_ENOMEM;
    s->n++;
    return 0;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* strv_finish: sort, dedupe, hand out. */
static void
strv_finish(struct strv *s, char ***out, size_t *count)
{
    if (s->n > 1)
        qsort(s->v, s->n, sizeof(*s->v), cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (k > 0 && strcmp(s->v[k - 1], s->v[i]) == 0) {
            lm_free(s->v[i]);
            continue;
        }
        s->v[k++] = s->v[i];
    }
    *out = s->v;
    *count = k;
}

static void
strv_free(struct strv *s)
{
    for (size_t i = 0; i < s->n; i++)
        lm_free(s->v[i]);
    lm_free(s->v);
}

/* collect: names (name NULL) or values of name, over all view blocks. */
static int
collect(struct tsdb_blocks_view *v, const char *name, const struct lbl_matcher *ms, size_t n,
        char ***out, size_t *count, struct lm_err *err)
{
    struct strv s = {0};
    int rc = 0;
    struct lbl_set ls = {0};
    for (size_t i = 0; i < v->n && rc == 0; i++) {
        struct tsdb_block *b = v->v[i];
        if (n == 0) {
            uint32_t lo = 0, hi = b->npost, nm, vm, cnt, prev = UINT32_MAX;
            const uint8_t *ids;
            if (name)
                tsdb_block_name_range(b, name, &lo, &hi);
            for (uint32_t e = lo; e < hi && rc == 0; e++) {
                size_t len;
                if (!tsdb_block_post_entry(b, e, &nm, &vm, &ids, &cnt) || cnt == 0)
                    continue;
                uint32_t sym = name ? vm : nm;
                if (sym == prev)
                    continue;
                prev = sym;
                const char *p = tsdb_block_sym(b, sym, &len);
                if (p)
                    rc = strv_add(&s, p, len);
            }
            continue;
        }
        uint32_t *ids;
        size_t nids;
        if ((rc = tsdb_block_match(b, ms, n, &ids, &nids)) != 0)
            break;
        for (size_t k = 0; k < nids && rc == 0; k++) {
            if (tsdb_block_series_view(b, ids[k], &ls, NULL, NULL, NULL) != 0)
                continue;
            for (size_t j = 0; j < ls.n && rc == 0; j++) {
                if (!name)
                    rc = strv_add(&s, ls.v[j].name, strlen(ls.v[j].name));
                else if (strcmp(ls.v[j].name, name) == 0)
                    rc = strv_add(&s, ls.v[j].value, strlen(ls.v[j].value));
            }
        }
        lm_free(ids);
    }
    lm_free(ls.v);
    if (rc != 0) {
        strv_free(&s);
        return lm_err_set(err, rc, "blocks", "out of memory listing labels");
    }
    strv_finish(&s, out, count);
    return 0;
}

int
tsdb_blocks_label_names(struct tsdb_blocks_view *v, const struct lbl_matcher *ms, size_t n,
                        char ***out, size_t *count, struct lm_err *err)
{
    return collect(v, NULL, ms, n, out, count, err);
}

int
tsdb_blocks_label_values(struct tsdb_blocks_view *v, const char *name,
                         const struct lbl_matcher *ms, size_t n, char ***out, size_t *count,
                         struct lm_err *err)
{
    return collect(v, name, ms, n, out, count, err);
}
