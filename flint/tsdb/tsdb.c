/* SPDX-License-Identifier: Apache-2.0 */
/* tsdb.c: the database object: open (lock the dir, load blocks, replay the WAL into the
 * head), the background thread that cuts the head into blocks (then truncates the head
 * and checkpoints the WAL), compacts blocks and applies retention, and close. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "flint/tsdb/tsdb_int.h"
#include "lm/alloc.h"
#include "lm/log.h"

#define BG_INTERVAL_S 60
#define READERS_WAIT_S 30
#define MAX_BLOCK_RANGE_MS (31LL * 24 * 3600 * 1000)

static double
mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* mkdir_p: create dir and its parents. 0 or errno. */
static int
mkdir_p(const char *dir)
{
    char p[4096];
    size_t n = strlen(dir);
    if (n >= sizeof(p))
        return ENAMETOOLONG;
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] == '/' || p[i] == '\0') {
            char c = p[i];
            p[i] = '\0';
            if (mkdir(p, 0777) && errno != EEXIST)
                return errno;
            p[i] = c;
        }
    }
    return 0;
}

/* ---- WAL replay into the head ------------------------------------------------- */

struct replay {
    struct tsdb *db;
    uint32_t *alias;      /* WAL ref -> head ref + 1 for series logged twice (owned) */
    size_t nalias;
};

static int
replay_series(void *ctx, uint32_t ref, const struct lbl_set *ls)
{
    struct replay *r = ctx;
    struct tsdb_head *h = r->db->head;
    struct tsdb_series *s;
    bool created;
    int rc = tsdb_head_get_or_create(h, ls, tsdb_head_hash_labels(ls), ref, &s, &created);
    if (rc == LM_EINVAL || rc == LM_ELABEL) {
        lm_warn(r->db->log, "WAL series record conflicts with another, skipped", "dir",
                r->db->dir, NULL);
        return 0;
    }
    if (rc)
        return rc;
    atomic_store(&s->logged, true);
    atomic_fetch_sub(&s->pending, 1);
    if (s->ref != ref) {
        if (ref >= r->nalias) {
            size_t n = r->nalias ? r->nalias : 1024;
            while (n <= ref)
                n *= 2;
            uint32_t *na = lm_realloc(r->alias, sizeof(*na) * n);
            if (!na)
                return LM_ENOMEM;
            memset(na + r->nalias, 0, sizeof(*na) * (n - r->nalias));
            r->alias = na;
            r->nalias = n;
        }
        r->alias[ref] = s->ref + 1;
    }
    return 0;
}

static void
replay_sample(void *ctx, uint32_t ref, int64_t t, double v)
{
    struct replay *r = ctx;
    struct tsdb_head *h = r->db->head;
    if (ref < r->nalias && r->alias[ref])
        ref = r->alias[ref] - 1;
    struct tsdb_series *s = ref < h->ntab ? h->tab[ref] : NULL;
    if (!s) {
        atomic_fetch_add(&r->db->unknown_refs, 1);
        return;
    }
    tsdb_head_append(h, s, t, v);
}

/* ---- cutting the head into blocks ------------------------------------------- */

struct head_src {
    struct tsdb_head *h;
    uint32_t *refs;           /* series to visit (owned) */
    size_t n, i;
    int64_t mint, maxt;       /* the block range, maxt exclusive */
    struct tsdb_hsnap snap;   /* current series */
    size_t ci;                /* current chunk */
    struct tsdb_chunk_dec dec;
    bool in_chunk;
};

static int
src_next_series(void *ctx, const struct lbl_set **ls)
{
    struct head_src *s = ctx;
    while (s->i < s->n) {
        int rc = tsdb_head_snapshot(s->h, s->refs[s->i++], s->mint, s->maxt - 1, &s->snap);
        if (rc == LM_ENOENT)
            continue;
        if (rc)
            return rc;
        if (!s->snap.n)
            continue;
        s->ci = 0;
        s->in_chunk = false;
        *ls = &s->snap.ls;
        return 1;
    }
    return 0;
}

static bool
src_next_sample(void *ctx, int64_t *t, double *v)
{
    struct head_src *s = ctx;
    for (;;) {
        if (!s->in_chunk) {
            if (s->ci >= s->snap.n)
                return false;
            tsdb_chunk_dec_init(&s->dec, (const uint8_t *)s->snap.data.data + s->snap.off[s->ci],
                                s->snap.len[s->ci]);
            s->ci++;
            s->in_chunk = true;
        }
        if (!tsdb_chunk_dec_next(&s->dec, t, v)) {
            s->in_chunk = false;
            continue;
        }
        if (*t < s->mint)
            continue;
        if (*t >= s->maxt) {
            s->ci = s->snap.n;
            s->in_chunk = false;
            return false;
        }
        return true;
    }
}

int
tsdb_head_write_block(struct tsdb *db, struct tsdb_blocks *bs, int64_t a, int64_t b,
                      char *ulid, struct lm_err *err)
{
    struct tsdb_head *h = db->head;
    struct head_src src = {.h = h, .mint = a, .maxt = b};
    pthread_rwlock_rdlock(&h->lock);
    int rc = tsdb_head_postings(h, NULL, 0, &src.refs, &src.n);
    pthread_rwlock_unlock(&h->lock);
    if (!rc) {
        struct tsdb_block_src bsrc = {&src, src_next_series, src_next_sample};
        rc = tsdb_blocks_write(bs, a, b, 1, &bsrc, ulid, err);
    } else {
        lm_err_set(err, rc, db->dir, "cannot list head series");
    }
    lm_free(src.refs);
    tsdb_hsnap_free(&src.snap);
    return rc;
}

/* ckpt_series: the series records of every logged head series (for checkpoints). */
static int
ckpt_series(void *ctx, struct lm_buf *out)
{
    struct tsdb_head *h = ctx;
    struct lbl lv[TSDB_MAX_LABELS];
    pthread_rwlock_rdlock(&h->lock);
    size_t start = 0, inrec = 0;
    for (uint32_t r = 0; r < h->ntab && !out->err; r++) {
        struct tsdb_series *s = h->tab[r];
        if (!s || !atomic_load(&s->logged))
            continue;
        if (!inrec)
            start = tsdb_wal_rec_begin(out, TSDB_WAL_SERIES);
        struct lbl_set ls;
        tsdb_head_labels_view(h, s, lv, &ls);
        tsdb_wal_put_series(out, s->ref, &ls);
        if (++inrec == 4096) {
            tsdb_wal_rec_end(out, start);
            inrec = 0;
        }
    }
    pthread_rwlock_unlock(&h->lock);
    if (inrec)
        tsdb_wal_rec_end(out, start);
    return out->err;
}

/* wait_readers: queriers opened before the new block was added do not see it; let
 * them finish before the head drops what the block now holds (at most READERS_WAIT_S,
 * then go on: such a slow query may miss samples of that range). */
static void
wait_readers(struct tsdb *db)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += READERS_WAIT_S;
    pthread_mutex_lock(&db->q_mu);
    uint64_t e = db->q_epoch++;
    while (db->q_readers[e & 1] &&
           pthread_cond_timedwait(&db->q_cv, &db->q_mu, &ts) == 0)
        ;
    pthread_mutex_unlock(&db->q_mu);
}

/* cut_once: write the oldest block range of the head to a block, truncate the head and
 * checkpoint the WAL. 1 when a block range was cut, 0 when the head is not long enough
 * (or force and empty), < 0 on error (logged; the head keeps its data). */
static int
cut_once(struct tsdb *db, bool force)
{
    struct tsdb_head *h = db->head;
    int64_t mint = atomic_load(&h->mint), maxt = atomic_load(&h->maxt);
    if (mint == INT64_MAX || maxt == INT64_MIN)
        return 0;
    if (!force && maxt - mint <= db->range / 2 * 3)
        return 0;
    int64_t a = mint / db->range * db->range;
    if (mint < 0 && mint % db->range)
        a -= db->range;
    int64_t b = a + db->range;
    if (force && b > maxt)
        return 0;   /* forced: only whole ranges */
    struct lm_err err = {0};
    char ulid[TSDB_BLOCK_ULID_LEN + 1] = "";
    int rc = tsdb_head_write_block(db, db->blocks, a, b, ulid, &err);
    if (rc == LM_ENODATA)
        rc = 0;
    if (!rc)
        lm_info(db->log, "head cut into a block", "ulid", ulid[0] ? ulid : "(empty)", NULL);
    if (rc) {
        char buf[LM_ERR_WHERE_MAX + LM_ERR_MSG_MAX + 8];
        lm_error(db->log, "cannot write block from head; head kept", "err",
                 lm_err_format(&err, buf, sizeof(buf)), NULL);
        atomic_fetch_add(&db->cut_failed, 1);
        return -1;
    }
    atomic_fetch_add(&db->head_cuts, 1);
    wait_readers(db);
    tsdb_head_truncate(h, b);
    rc = tsdb_wal_checkpoint(db->wal, b, ckpt_series, h, &err);
    if (rc) {
        char buf[LM_ERR_WHERE_MAX + LM_ERR_MSG_MAX + 8];
        lm_error(db->log, "WAL checkpoint failed", "err", lm_err_format(&err, buf, sizeof(buf)),
                 NULL);
        atomic_fetch_add(&db->checkpoint_failed, 1);
    } else {
        atomic_fetch_add(&db->checkpoints, 1);
    }
    return 1;
}

static uint64_t
head_chunk_bytes(struct tsdb *db)
{
    return db->head->hcs ? tsdb_hcs_bytes(db->head->hcs) : 0;
}

/* housekeeping: cut, compact, retention. force also cuts when the head spans less than
 * 1.5 ranges (every whole range before the head's max time). */
static int
housekeeping(struct tsdb *db, bool force, struct lm_err *err)
{
    int rc = 0;
    pthread_mutex_lock(&db->cut_mu);
    for (int i = 0; i < 1000; i++) {
        int c = cut_once(db, force);
        if (c < 0) {
            rc = lm_err_set(err, LM_EIO, db->dir, "cannot cut the head into a block");
            break;
        }
        if (!c)
            break;
    }
    int64_t maxr = db->retention_ms > 0 ? db->retention_ms / 10 : MAX_BLOCK_RANGE_MS;
    if (maxr > MAX_BLOCK_RANGE_MS)
        maxr = MAX_BLOCK_RANGE_MS;
    unsigned nc = 0;
    struct lm_err cerr = {0};
    if (tsdb_blocks_compact(db->blocks, db->range, maxr, &nc, &cerr)) {
        char buf[LM_ERR_WHERE_MAX + LM_ERR_MSG_MAX + 8];
        lm_error(db->log, "compaction failed", "err", lm_err_format(&cerr, buf, sizeof(buf)),
                 NULL);
        atomic_fetch_add(&db->compactions_failed, 1);
        if (!rc)
            rc = lm_err_set(err, cerr.code, cerr.where, "%s", cerr.msg);
    }
    atomic_fetch_add(&db->compactions, nc);
    int64_t now = atomic_load(&db->head->maxt);
    struct tsdb_blocks_stats bst;
    tsdb_blocks_stats(db->blocks, &bst);
    if (now == INT64_MIN || bst.max_time > now)
        now = bst.max_time;
    if (now != INT64_MIN) {
        unsigned nr = tsdb_blocks_retention_at(db->blocks, now, db->retention_ms,
                                               db->retention_bytes,
                                               tsdb_wal_bytes(db->wal) + head_chunk_bytes(db));
        atomic_fetch_add(&db->retentions, nr);
    }
    pthread_mutex_unlock(&db->cut_mu);
    return rc;
}

int
tsdb_compact(struct tsdb *db, bool force, struct lm_err *err)
{
    return housekeeping(db, force, err);
}

static void *
bg_main(void *arg)
{
    struct tsdb *db = arg;
    pthread_mutex_lock(&db->bg_mu);
    while (!db->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += BG_INTERVAL_S;
        pthread_cond_timedwait(&db->bg_cv, &db->bg_mu, &ts);
        if (db->stop)
            break;
        pthread_mutex_unlock(&db->bg_mu);
        struct lm_err err = {0};
        tsdb_wal_sync(db->wal);
        housekeeping(db, false, &err);
        pthread_mutex_lock(&db->bg_mu);
    }
    pthread_mutex_unlock(&db->bg_mu);
    return NULL;
}

/* ---- open / close --------------------------------------------------------------- */

struct tsdb *
tsdb_open(const struct tsdb_opts *opts, struct lm_err *err)
{
    const char *dir = opts->dir && opts->dir[0] ? opts->dir : "data/";
    int e = mkdir_p(dir);
    if (e) {
        lm_err_set(err, LM_EIO, dir, "cannot create the data directory: %s", strerror(e));
        return NULL;
    }
    struct tsdb *db = lm_calloc(1, sizeof(*db));
    if (!db || !(db->dir = lm_strdup(dir))) {
        lm_free(db);
        lm_err_set(err, LM_ENOMEM, dir, "out of memory");
        return NULL;
    }
    db->lockfd = -1;
    db->log = opts->log;
    db->range = opts->block_range_ms > 0 ? opts->block_range_ms : TSDB_BLOCK_RANGE_MS;
    db->retention_ms = opts->retention_ms > 0 ? opts->retention_ms : 15LL * 24 * 3600 * 1000;
    db->retention_bytes = opts->retention_bytes;
    pthread_mutex_init(&db->bg_mu, NULL);
    pthread_cond_init(&db->bg_cv, NULL);
    pthread_mutex_init(&db->cut_mu, NULL);
    pthread_mutex_init(&db->q_mu, NULL);
    pthread_mutex_init(&db->z_mu, NULL);
    db->wal_compress = opts->wal_compression;
    pthread_cond_init(&db->q_cv, NULL);

    char path[4200];
    snprintf(path, sizeof(path), "%s/lock", dir);
    db->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (db->lockfd < 0) {
        lm_err_set(err, LM_EIO, path, "cannot open the lock file: %s", strerror(errno));
        goto fail;
    }
    if (flock(db->lockfd, LOCK_EX | LOCK_NB)) {
        lm_err_set(err, LM_EIO, path, "the data directory is locked by another process: %s",
                   strerror(errno));
        goto fail;
    }
    db->blocks = tsdb_blocks_open(dir, db->log, err);
    if (!db->blocks)
        goto fail;
    db->head = tsdb_head_new(db->range);
    if (!db->head) {
        lm_err_set(err, LM_ENOMEM, dir, "out of memory");
        goto fail;
    }
    snprintf(path, sizeof(path), "%s/chunks_head", dir);
    if (tsdb_head_set_chunk_dir(db->head, path, err))
        goto fail;
    struct tsdb_blocks_stats bst;
    tsdb_blocks_stats(db->blocks, &bst);
    if (bst.blocks && bst.max_time != INT64_MIN)
        atomic_store(&db->head->min_valid, bst.max_time + 1);

    snprintf(path, sizeof(path), "%s/wal", dir);
    db->wal = tsdb_wal_open(path, 0, db->log, err);
    if (!db->wal)
        goto fail;
    double t0 = mono_s();
    struct replay r = {.db = db};
    struct tsdb_wal_replay_cb cb = {&r, replay_series, replay_sample};
    struct tsdb_wal_replay_stats st;
    db->head->replaying = true;
    int rc = tsdb_wal_replay(db->wal, &cb, &st, err);
    db->head->replaying = false;
    lm_free(r.alias);
    if (rc)
        goto fail;
    db->replay_seconds = mono_s() - t0;
    char ns[32], nsm[32], dur[32], nseg[32];
    snprintf(ns, sizeof(ns), "%u", db->head->nseries);
    snprintf(nsm, sizeof(nsm), "%llu", (unsigned long long)st.samples);
    snprintf(nseg, sizeof(nseg), "%llu", (unsigned long long)st.segments);
    snprintf(dur, sizeof(dur), "%.3fs", db->replay_seconds);
    lm_info(db->log, "WAL replay completed", "segments", nseg, "series", ns, "samples", nsm,
            "duration", dur, NULL);
    /* series with no sample left (e.g. everything was in blocks) go now */
    tsdb_head_truncate(db->head, atomic_load(&db->head->min_valid));
    if (pthread_create(&db->bg, NULL, bg_main, db) == 0)
        db->bg_started = true;
    return db;
fail:
    tsdb_close(db);
    return NULL;
}

void
tsdb_close(struct tsdb *db)
{
    if (!db)
        return;
    if (db->bg_started) {
        pthread_mutex_lock(&db->bg_mu);
        db->stop = true;
        pthread_cond_signal(&db->bg_cv);
        pthread_mutex_unlock(&db->bg_mu);
        pthread_join(db->bg, NULL);
    }
    tsdb_wal_close(db->wal);
    tsdb_head_free(db->head);
    if (db->blocks)
        tsdb_blocks_close(db->blocks);
    if (db->lockfd >= 0)
        close(db->lockfd);
    pthread_mutex_destroy(&db->bg_mu);
    pthread_cond_destroy(&db->bg_cv);
    pthread_mutex_destroy(&db->cut_mu);
    pthread_mutex_destroy(&db->q_mu);
    for (size_t i = 0; i < db->nz; i++)
        ZSTD_freeCCtx(db->zpool[i]);
    pthread_mutex_destroy(&db->z_mu);
    pthread_cond_destroy(&db->q_cv);
    lm_free(db->dir);
    lm_free(db);
}
