/* SPDX-License-Identifier: Apache-2.0 */
/* querier.c: queries over head and blocks: a querier holds a blocks view for its range;
 * a select merges the head's matching series (labels copied at select, sorted) with the
 * blocks' series set by lbl_set_cmp, and an iterator merges their samples by time,
 * equal timestamps once (the head's value wins). Label names and values likewise. */
#include <stdlib.h>
#include <string.h>

#include "flint/tsdb/tsdb_int.h"
#include "lm/alloc.h"
#include "lm/err.h"


struct hentry {
    uint32_t ref;          /* head series */
    struct lbl_set ls;     /* view into the select's label arena */
};

struct tsdb_it {
    struct tsdb_hsnap *snap;         /* head chunks (borrowed from the set), or NULL */
    size_t ci;                       /* next chunk to open */
    struct tsdb_chunk_dec dec;       /* current chunk */
    bool in_chunk;
    bool hv;                         /* (ht, hval) is the head's next sample */
    int64_t ht;
    double hval;
    struct tsdb_bit *bit;            /* block samples (borrowed), or NULL */
    bool bvalid;                     /* (bt, bval) is the blocks' next sample */
    int64_t bt;
    double bval;
    bool cur;                        /* (ct, cv) was returned last */
    int64_t ct;
    double cv;
    int64_t mint, maxt;
};

struct tsdb_ss {
    struct tsdb_q *q;                /* borrowed */
    struct hentry *h;                /* head series, sorted (owned) */
    size_t nh, hi;                   /* count, next */
    struct lbl *arena;               /* label pairs of all head entries (owned) */
    struct tsdb_bss *bss;            /* block series, or NULL (owned) */
    bool bhas;                       /* bss is on a series not yet consumed */
    bool started;
    int cur;                         /* 1 head, 2 block, 3 both */
    const struct lbl_set *ls;        /* current labels */
    struct tsdb_hsnap snap;          /* current head series' chunks */
    bool snap_ok;                    /* snap holds the current series */
    bool fresh;                      /* it was started by _next and not handed out */
    struct tsdb_it it;
};

struct tsdb_q *
tsdb_querier(struct tsdb *db, int64_t mint, int64_t maxt, struct lm_err *err)
{
    struct tsdb_q *q = lm_calloc(1, sizeof(*q));
    if (!q) {
        lm_err_set(err, LM_ENOMEM, "tsdb", "out of memory");
        return NULL;
    }
    q->db = db;
    q->mint = mint;
    q->maxt = maxt;
    pthread_mutex_lock(&db->q_mu);
    q->epoch = db->q_epoch;
    db->q_readers[q->epoch & 1]++;
    pthread_mutex_unlock(&db->q_mu);
    q->bv = tsdb_blocks_view(db->blocks, mint, maxt);
    if (!q->bv) {
        tsdb_q_close(q);
        lm_err_set(err, LM_ENOMEM, "tsdb", "out of memory");
        return NULL;
    }
    return q;
}

void
tsdb_q_close(struct tsdb_q *q)
{
    if (!q)
        return;
    if (q->bv)
        tsdb_blocks_view_free(q->bv);
    struct tsdb *db = q->db;
    pthread_mutex_lock(&db->q_mu);
    db->q_readers[q->epoch & 1]--;
    pthread_cond_broadcast(&db->q_cv);
    pthread_mutex_unlock(&db->q_mu);
    lm_free(q);
}

static int
cmp_hentry(const void *a, const void *b)
{
    return lbl_set_cmp(&((const struct hentry *)a)->ls, &((const struct hentry *)b)->ls);
}

/* head_select: the head series matching ms with samples in [mint, maxt], labels copied
 * into ss->arena, sorted. 0 or LM_ENOMEM. */
static int
head_select(struct tsdb_ss *ss, const struct lbl_matcher *ms, size_t n)
{
    struct tsdb_head *h = ss->q->db->head;
    int64_t hmin = atomic_load(&h->mint), hmax = atomic_load(&h->maxt);
    if (hmin > ss->q->maxt || hmax < ss->q->mint)
        return 0;
    uint32_t *refs;
    size_t nrefs;
    pthread_rwlock_rdlock(&h->lock);
    int rc = tsdb_head_postings(h, ms, n, &refs, &nrefs);
    size_t npairs = 0;
    for (size_t i = 0; !rc && i < nrefs; i++) {
        struct tsdb_series *s = h->tab[refs[i]];
        if (s)
            npairs += s->nlbl;
    }
    if (!rc && nrefs) {
        ss->h = lm_malloc(sizeof(*ss->h) * nrefs);
        ss->arena = lm_malloc(sizeof(*ss->arena) * (npairs ? npairs : 1));
        if (!ss->h || !ss->arena)
            rc = LM_ENOMEM;
    }
    size_t used = 0;
    for (size_t i = 0; !rc && i < nrefs; i++) {
        struct tsdb_series *s = h->tab[refs[i]];
        if (!s)
            continue;
        pthread_mutex_t *mu = tsdb_head_stripe(h, s->ref);
        pthread_mutex_lock(mu);
        int64_t mn, mx;
        bool ok = tsdb_head_series_range(s, &mn, &mx) && mn <= ss->q->maxt && mx >= ss->q->mint;
        pthread_mutex_unlock(mu);
        if (!ok)
            continue;
        struct hentry *e = &ss->h[ss->nh++];
        e->ref = s->ref;
        tsdb_head_labels_view(h, s, ss->arena + used, &e->ls);
        used += s->nlbl;
    }
    pthread_rwlock_unlock(&h->lock);
    lm_free(refs);
    if (!rc && ss->nh)
        qsort(ss->h, ss->nh, sizeof(*ss->h), cmp_hentry);
    return rc;
}

struct tsdb_ss *
tsdb_q_select(struct tsdb_q *q, const struct lbl_matcher *ms, size_t n, struct lm_err *err)
{
    bool ok = false;
    for (size_t i = 0; i < n && !ok; i++)
        ok = !lbl_matcher_matches_empty(&ms[i]);
    if (!ok) {
        lm_err_set(err, LM_EINVAL, "select",
                   "at least one matcher must not match the empty string");
        return NULL;
    }
    struct tsdb_ss *ss = lm_calloc(1, sizeof(*ss));
    if (!ss) {
        lm_err_set(err, LM_ENOMEM, "select", "out of memory");
        return NULL;
    }
    ss->q = q;
    if (head_select(ss, ms, n)) {
        tsdb_ss_free(ss);
        lm_err_set(err, LM_ENOMEM, "select", "out of memory");
        return NULL;
    }
    if (tsdb_blocks_view_count(q->bv)) {
        ss->bss = tsdb_blocks_select(q->bv, ms, n, err);
        if (!ss->bss) {
            tsdb_ss_free(ss);
            return NULL;
        }
    }
    return ss;
}

static void iter_start(struct tsdb_ss *ss, bool resnap);
static void head_adv(struct tsdb_it *it, int64_t from);
static void block_adv(struct tsdb_it *it, int64_t from, bool seek);

bool
tsdb_ss_next(struct tsdb_ss *ss)
{
    for (;;) {
        if (!ss->started) {
            ss->started = true;
            ss->bhas = ss->bss && tsdb_bss_next(ss->bss);
        } else {
            if (ss->cur & 1)
                ss->hi++;
            if (ss->cur & 2)
                ss->bhas = tsdb_bss_next(ss->bss);
        }
        bool hh = ss->hi < ss->nh;
        if (!hh && !ss->bhas) {
            ss->cur = 0;
            return false;
        }
        int c;
        if (!hh)
            c = 1;
        else if (!ss->bhas)
            c = -1;
        else
            c = lbl_set_cmp(&ss->h[ss->hi].ls, tsdb_bss_labels(ss->bss));
        ss->cur = c < 0 ? 1 : c > 0 ? 2 : 3;
        ss->ls = ss->cur & 1 ? &ss->h[ss->hi].ls : tsdb_bss_labels(ss->bss);
        /* leave out series without a sample in range (chunks may only span it) */
        iter_start(ss, true);
        if (ss->it.hv || ss->it.bvalid) {
            ss->fresh = true;
            return true;
        }
    }
}

const struct lbl_set *
tsdb_ss_labels(const struct tsdb_ss *ss)
{
    return ss->ls;
}

void
tsdb_ss_free(struct tsdb_ss *ss)
{
    if (!ss)
        return;
    if (ss->bss)
        tsdb_bss_free(ss->bss);
    tsdb_hsnap_free(&ss->snap);
    lm_free(ss->h);
    lm_free(ss->arena);
    lm_free(ss);
}

/* head_adv: move the head side to its next sample in range (>= from). */
static void
head_adv(struct tsdb_it *it, int64_t from)
{
    it->hv = false;
    if (!it->snap)
        return;
    for (;;) {
        if (!it->in_chunk) {
            /* skip chunks that end before from */
            while (it->ci < it->snap->n && it->snap->cmaxt[it->ci] < from)
                it->ci++;
            if (it->ci >= it->snap->n)
                return;
            tsdb_chunk_dec_init(&it->dec, (const uint8_t *)it->snap->data.data +
                                it->snap->off[it->ci], it->snap->len[it->ci]);
            it->ci++;
            it->in_chunk = true;
        }
        int64_t t;
        double v;
        if (!tsdb_chunk_dec_next(&it->dec, &t, &v)) {
            it->in_chunk = false;
            continue;
        }
        if (t < from || t < it->mint)
            continue;
        if (t > it->maxt) {
            it->ci = it->snap->n;
            it->in_chunk = false;
            return;
        }
        it->hv = true;
        it->ht = t;
        it->hval = v;
        return;
    }
}

static void
block_adv(struct tsdb_it *it, int64_t from, bool seek)
{
    if (!it->bit) {
        it->bvalid = false;
        return;
    }
    it->bvalid = seek ? tsdb_bit_seek(it->bit, from, &it->bt, &it->bval)
                      : tsdb_bit_next(it->bit, &it->bt, &it->bval);
}

/* iter_start: (re)start ss->it on the current series; resnap copies the head chunks
 * again, otherwise the copy taken by tsdb_ss_next is decoded again. */
static void
iter_start(struct tsdb_ss *ss, bool resnap)
{
    struct tsdb_it *it = &ss->it;
    memset(it, 0, sizeof(*it));
    it->mint = ss->q->mint;
    it->maxt = ss->q->maxt;
    if (ss->cur & 1) {
        int rc = 0;
        if (resnap)
            rc = tsdb_head_snapshot(ss->q->db->head, ss->h[ss->hi].ref, it->mint, it->maxt,
                                    &ss->snap);
        if (resnap)
            ss->snap_ok = !rc;
        if (ss->snap_ok) {
            it->snap = &ss->snap;
            head_adv(it, INT64_MIN);
        }
    }
    if (ss->cur & 2) {
        it->bit = tsdb_bss_iter(ss->bss);
        block_adv(it, INT64_MIN, false);
    }
}

struct tsdb_it *
tsdb_ss_iter(struct tsdb_ss *ss)
{
    if (!ss->fresh)
        iter_start(ss, false);
    ss->fresh = false;
    return &ss->it;
}

bool
tsdb_it_next(struct tsdb_it *it, int64_t *t, double *v)
{
    if (!it->hv && !it->bvalid) {
        it->cur = false;
        return false;
    }
    if (it->hv && (!it->bvalid || it->ht <= it->bt)) {
        it->ct = it->ht;
        it->cv = it->hval;
        if (it->bvalid && it->bt == it->ht)
            block_adv(it, 0, false);
        head_adv(it, INT64_MIN);
    } else {
        it->ct = it->bt;
        it->cv = it->bval;
        block_adv(it, 0, false);
    }
    it->cur = true;
    *t = it->ct;
    *v = it->cv;
    return true;
}

bool
tsdb_it_seek(struct tsdb_it *it, int64_t t, int64_t *ts, double *v)
{
    if (it->cur && it->ct >= t) {
        *ts = it->ct;
        *v = it->cv;
        return true;
    }
    if (it->hv && it->ht < t)
        head_adv(it, t);
    if (it->bvalid && it->bt < t)
        block_adv(it, t, true);
    return tsdb_it_next(it, ts, v);
}
