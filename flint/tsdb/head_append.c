/* SPDX-License-Identifier: Apache-2.0 */
/* head_append.c: appenders (tsdb_appender .. tsdb_app_commit): samples are staged with
 * their series pinned, then a commit writes one WAL batch (series records for series
 * not yet logged, then one samples record) and only then appends to the head under
 * each series' stripe lock. */
#include <string.h>
#include <zstd.h>

#include "flint/tsdb/tsdb_int.h"
#include "lm/alloc.h"
#include "lm/err.h"

#define APP_WAL_MAX ((size_t)1 << 34)

struct staged {
    struct tsdb_series *s;  /* pinned */
    int64_t t;
    double v;
};

struct tsdb_app {
    struct tsdb *db;        /* borrowed */
    struct staged *v;       /* owned */
    size_t n, cap;
    int64_t maxt;           /* newest staged time */
};

bool
tsdb_is_stale(double v)
{
    uint64_t b;
    memcpy(&b, &v, 8);
    return b == TSDB_STALE_NAN_BITS;
}

double
tsdb_stale_nan(void)
{
    uint64_t b = TSDB_STALE_NAN_BITS;
    double v;
    memcpy(&v, &b, 8);
    return v;
}

struct tsdb_app *
tsdb_appender(struct tsdb *db)
{
    struct tsdb_app *a = lm_calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->db = db;
    a->maxt = INT64_MIN;
    atomic_fetch_add(&db->appenders, 1);
    return a;
}

static void
app_free(struct tsdb_app *a)
{
    for (size_t i = 0; i < a->n; i++)
        atomic_fetch_sub(&a->v[i].s->pending, 1);
    atomic_fetch_sub(&a->db->appenders, 1);
    lm_free(a->v);
    lm_free(a);
}

void
tsdb_app_rollback(struct tsdb_app *a)
{
    if (a)
        app_free(a);
}

/* stage: check (t, v) against s (pinned by the caller; unpinned here unless staged). */
static int
stage(struct tsdb_app *a, struct tsdb_series *s, int64_t t, double v)
{
    struct tsdb_head *h = a->db->head;
    uint64_t bits;
    memcpy(&bits, &v, 8);
    pthread_mutex_t *mu = tsdb_head_stripe(h, s->ref);
    pthread_mutex_lock(mu);
    int rc = tsdb_head_appendable(h, s, t, bits);
    pthread_mutex_unlock(mu);
    if (rc) {
        atomic_fetch_sub(&s->pending, 1);
        if (rc < 0)
            atomic_fetch_add(rc == TSDB_EOUTOFORDER ? &h->ooo :
                             rc == TSDB_EDUPLICATE ? &h->dup : &h->oob, 1);
        return rc < 0 ? rc : 0;
    }
    if (a->n == a->cap) {
        size_t ncap = a->cap ? a->cap * 2 : 64;
        struct staged *nv = lm_realloc(a->v, sizeof(*nv) * ncap);
        if (!nv) {
            atomic_fetch_sub(&s->pending, 1);
            return LM_ENOMEM;
        }
        a->v = nv;
        a->cap = ncap;
    }
    a->v[a->n].s = s;
    a->v[a->n].t = t;
    a->v[a->n].v = v;
    a->n++;
    if (t > a->maxt)
        a->maxt = t;
    return 0;
}

int
tsdb_app_add(struct tsdb_app *a, const struct lbl_set *ls, int64_t t, double v, uint64_t *ref)
{
    struct tsdb_head *h = a->db->head;
    if (ref && *ref && *ref <= UINT32_MAX) {
        struct tsdb_series *s = tsdb_head_by_ref(h, (uint32_t)(*ref - 1), true);
        if (s)
            return stage(a, s, t, v);
    }
    struct tsdb_series *s;
    bool created;
    int rc = tsdb_head_get_or_create(h, ls, tsdb_head_hash_labels(ls), UINT32_MAX, &s, &created);
    if (rc)
        return rc;
    if (ref)
        *ref = (uint64_t)s->ref + 1;
    return stage(a, s, t, v);
}

int
tsdb_app_add_ref(struct tsdb_app *a, uint64_t ref, int64_t t, double v)
{
    if (!ref || ref > UINT32_MAX)
        return LM_ENOENT;
    struct tsdb_series *s = tsdb_head_by_ref(a->db->head, (uint32_t)(ref - 1), true);
    if (!s)
        return LM_ENOENT;
    return stage(a, s, t, v);
}

/* zctx_take / zctx_give: a compression context from the db's pool (NULL: none). */
static ZSTD_CCtx *
zctx_take(struct tsdb *db)
{
    ZSTD_CCtx *z = NULL;
    pthread_mutex_lock(&db->z_mu);
    if (db->nz)
        z = db->zpool[--db->nz];
    pthread_mutex_unlock(&db->z_mu);
    return z ? z : ZSTD_createCCtx();
}

static void
zctx_give(struct tsdb *db, ZSTD_CCtx *z)
{
    if (!z)
        return;
    pthread_mutex_lock(&db->z_mu);
    if (db->nz < sizeof(db->zpool) / sizeof(db->zpool[0])) {
        db->zpool[db->nz++] = z;
        z = NULL;
    }
    pthread_mutex_unlock(&db->z_mu);
    ZSTD_freeCCtx(z);
}

/* encode: the WAL batch for a's samples into b; *logged gets the series whose series
 * record it holds (to mark after the write). 0 or LM_ENOMEM. */
static int
encode(struct tsdb_app *a, struct lm_buf *b, struct tsdb_series ***logged, size_t *nlogged)
{
    struct tsdb_head *h = a->db->head;
    struct tsdb_series **lg = NULL, **set = NULL;
    size_t nl = 0, mask = 0;
    bool fail = false;
    struct lbl stackv[64], *lv = stackv;
    size_t lvcap = 64;
    size_t start = 0;
    bool open = false;
    pthread_rwlock_rdlock(&h->lock);
    for (size_t i = 0; i < a->n; i++) {
        struct tsdb_series *s = a->v[i].s;
        if (atomic_load(&s->logged))
            continue;
        if (!lg) {
            for (mask = 63; mask < 2 * a->n; mask = mask * 2 + 1)
                ;
            lg = lm_malloc(sizeof(*lg) * a->n);
            set = lm_calloc(mask + 1, sizeof(*set));
            if (!lg || !set) {
                fail = true;
                break;
            }
        }
        size_t k = (size_t)(s->ref * 0x9e3779b1u) & mask;
        while (set[k] && set[k] != s)
            k = (k + 1) & mask;
        if (set[k])
            continue;
        set[k] = s;
        if (s->nlbl > lvcap) {
            struct lbl *nv = lm_malloc(sizeof(*nv) * s->nlbl);
            if (!nv) {
                fail = true;
                break;
            }
            if (lv != stackv)
                lm_free(lv);
            lv = nv;
            lvcap = s->nlbl;
        }
        struct lbl_set ls;
        tsdb_head_labels_view(h, s, lv, &ls);
        if (!open)
            start = tsdb_wal_rec_begin(b, TSDB_WAL_SERIES);
        open = true;
        tsdb_wal_put_series(b, s->ref, &ls);
        lg[nl++] = s;
    }
    pthread_rwlock_unlock(&h->lock);
    if (lv != stackv)
        lm_free(lv);
    lm_free(set);
    ZSTD_CCtx *z = a->db->wal_compress ? zctx_take(a->db) : NULL;
    if (open) {
        tsdb_wal_rec_end(b, start);
        tsdb_wal_rec_compress(b, start, z);
    }
    start = tsdb_wal_rec_begin(b, TSDB_WAL_SAMPLES);
    int64_t prev = 0;
    for (size_t i = 0; i < a->n; i++) {
        tsdb_wal_put_uvarint(b, a->v[i].s->ref);
        tsdb_wal_put_varint(b, i ? (int64_t)((uint64_t)a->v[i].t - (uint64_t)prev) : a->v[i].t);
        prev = a->v[i].t;
        uint64_t bits;
        memcpy(&bits, &a->v[i].v, 8);
        tsdb_wal_put_u64(b, bits);
    }
    tsdb_wal_rec_end(b, start);
    tsdb_wal_rec_compress(b, start, z);
    zctx_give(a->db, z);
    *logged = lg;
    *nlogged = nl;
    if (b->err || fail) {
        lm_free(lg);
        return LM_ENOMEM;
    }
    return 0;
}

int
tsdb_app_commit(struct tsdb_app *a, struct lm_err *err)
{
    if (!a->n) {
        app_free(a);
        return 0;
    }
    struct tsdb *db = a->db;
    struct lm_buf b;
    lm_buf_init(&b, APP_WAL_MAX);
    struct tsdb_series **lg = NULL;
    size_t nl = 0;
    int rc = lm_buf_reserve(&b, a->n * 14 + 64);
    if (!rc)
        rc = encode(a, &b, &lg, &nl);
    if (rc) {
        lm_err_set(err, rc, "tsdb", "cannot encode the WAL batch: %s", lm_strerror(rc));
        goto out;
    }
    rc = tsdb_wal_write(db->wal, b.data, b.len, a->maxt, err);
    if (rc)
        goto out;
    for (size_t i = 0; i < nl; i++)
        atomic_store(&lg[i]->logged, true);
    struct tsdb_head *h = db->head;
    for (size_t i = 0; i < a->n; i++) {
        struct staged *st = &a->v[i];
        pthread_mutex_t *mu = tsdb_head_stripe(h, st->s->ref);
        pthread_mutex_lock(mu);
        tsdb_head_append(h, st->s, st->t, st->v);
        pthread_mutex_unlock(mu);
    }
out:
    lm_free(lg);
    lm_buf_cleanup(&b);
    app_free(a);
    return rc;
}
