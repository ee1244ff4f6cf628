/* SPDX-License-Identifier: Apache-2.0 */
/* head_read.c: copies of a head series' chunks for queries (see tsdb_head_snapshot),
 * taken under the series' stripe so readers never hold a head lock while they decode
 * and never see a chunk freed by truncation. */
#include <string.h>

#include "flint/tsdb/head.h"
#include "lm/alloc.h"
#include "lm/err.h"

#define SNAP_MAX_BYTES (1UL << 31)

static int
snap_add(struct tsdb_hsnap *sn, const uint8_t *b, size_t len, int64_t maxt)
{
    if (sn->n == sn->cap) {
        size_t ncap = sn->cap ? sn->cap * 2 : 8;
        size_t *no = lm_realloc(sn->off, sizeof(size_t) * ncap);
        if (!no)
            return LM_ENOMEM;
        sn->off = no;
        size_t *nl = lm_realloc(sn->len, sizeof(size_t) * ncap);
        if (!nl)
            return LM_ENOMEM;
        sn->len = nl;
        int64_t *nm = lm_realloc(sn->cmaxt, sizeof(int64_t) * ncap);
        if (!nm)
            return LM_ENOMEM;
        sn->cmaxt = nm;
        sn->cap = ncap;
    }
    sn->off[sn->n] = sn->data.len;
    sn->len[sn->n] = len;
    sn->cmaxt[sn->n] = maxt;
    sn->n++;
    return lm_buf_append(&sn->data, b, len);
}

int
tsdb_head_snapshot(struct tsdb_head *h, uint32_t ref, int64_t mint, int64_t maxt,
                   struct tsdb_hsnap *snap)
{
    if (!snap->data.max)
        lm_buf_init(&snap->data, SNAP_MAX_BYTES);
    lm_buf_reset(&snap->data);
    snap->n = 0;
    int rc = 0;
    pthread_rwlock_rdlock(&h->lock);
    struct tsdb_series *s = ref < h->ntab ? h->tab[ref] : NULL;
    if (!s) {
        pthread_rwlock_unlock(&h->lock);
        return LM_ENOENT;
    }
    if (s->nlbl > snap->lvcap) {
        struct lbl *nl = lm_realloc(snap->lv, sizeof(*nl) * s->nlbl);
        if (!nl) {
            pthread_rwlock_unlock(&h->lock);
            return LM_ENOMEM;
        }
        snap->lv = nl;
        snap->lvcap = s->nlbl;
    }
    tsdb_head_labels_view(h, s, snap->lv, &snap->ls);
    pthread_mutex_t *mu = tsdb_head_stripe(h, ref);
    pthread_mutex_lock(mu);
    for (uint32_t i = 0; i < s->nclosed && !rc; i++) {
        const struct tsdb_hchunk *c = &s->closed[i];
        if (c->maxt >= mint && c->mint <= maxt)
            rc = snap_add(snap, c->b, c->len, c->maxt);
    }
    if (!rc && s->open.count && s->open.maxt >= mint && s->open.mint <= maxt) {
        size_t len;
        const uint8_t *b = tsdb_chunk_enc_bytes(&s->open, &len);
        rc = snap_add(snap, b, len, s->open.maxt);
    }
    pthread_mutex_unlock(mu);
    pthread_rwlock_unlock(&h->lock);
    return rc ? rc : snap->data.err;
}

void
tsdb_hsnap_free(struct tsdb_hsnap *snap)
{
    lm_buf_cleanup(&snap->data);
    lm_free(snap->off);
    lm_free(snap->len);
    lm_free(snap->cmaxt);
    lm_free(snap->lv);
    memset(snap, 0, sizeof(*snap));
}
