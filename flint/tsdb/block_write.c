/* SPDX-License-Identifier: Apache-2.0 */
/* block_write.c: writes one block directory from a series source (any order): chunks
 * are encoded and streamed to the chunks file as series arrive; labels are interned in
 * a symbol table; at the end series are sorted by labels and the index (symbols,
 * series with chunk metas, postings) and meta.json are written, fsynced, and the tmp
 * dir renamed into place. Format: FORMAT-blocks.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "flint/tsdb/block_int.h"
#include "lm/alloc.h"

#define FLUSH_AT (1u << 20)
#define BUF_MAX ((size_t)1 << 40)

struct wseries {
    uint32_t *lbl;               /* name, value symbol ids (arrival ids), 2 * nl */
    uint32_t nl;
    struct tsdb_chunk_meta *m;   /* owned */
    uint32_t nm;
};

struct symtab {
    char **s;                    /* owned strings by arrival id */
    uint32_t n, cap;
    uint32_t *h;                 /* open addressing: id + 1, 0 = empty */
    uint32_t hcap;
};

struct writer {
    struct symtab sy;
    struct wseries *se;
    size_t nse, capse;
    int ckfd;
    uint64_t ckoff;              /* bytes written to chunks so far */
    struct lm_buf out;           /* pending chunks bytes */
    ZSTD_CCtx *zc;
    int64_t *ts;                 /* samples of the current series */
    double *vs;
    size_t ns, capns;
    uint64_t nsamples, nchunks;
    int64_t smin, smax;          /* actual sample range */
};

static uint64_t
str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return h;
}

/* sym_intern: the arrival id of s (copied when new). -1 on ENOMEM. */
static long
sym_intern(struct symtab *t, const char *s)
{
    if (t->n * 2 >= t->hcap) {
        uint32_t ncap = t->hcap ? t->hcap * 2 : 1024;
        uint32_t *nh = lm_calloc(ncap, sizeof(*nh));
        if (!nh)
            return -1;
        for (uint32_t i = 0; i < t->n; i++) {
            uint32_t j = (uint32_t)(str_hash(t->s[i]) & (ncap - 1));
            while (nh[j])
                j = (j + 1) & (ncap - 1);
            nh[j] = i + 1;
        }
        lm_free(t->h);
        t->h = nh;
        t->hcap = ncap;
    }
    uint32_t j = (uint32_t)(str_hash(s) & (t->hcap - 1));
    while (t->h[j]) {
        if (strcmp(t->s[t->h[j] - 1], s) == 0)
            return t->h[j] - 1;
        j = (j + 1) & (t->hcap - 1);
    }
    if (t->n == t->cap) {
        uint32_t ncap = t->cap ? t->cap * 2 : 256;
        char **ns = lm_realloc(t->s, ncap * sizeof(*ns));
        if (!ns)
            return -1;
        t->s = ns;
        t->cap = ncap;
    }
    char *c = lm_strdup(s);
    if (!c)
        return -1;
    t->s[t->n] = c;
    t->h[j] = ++t->n;
    return t->n - 1;
}

static int
write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return LM_EIO;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int
flush_chunks(struct writer *w)
{
    if (w->out.err)
        return w->out.err;
    int rc = write_all(w->ckfd, w->out.data, w->out.len);
    lm_buf_reset(&w->out);
    return rc;
}

/* emit_chunks: cut the buffered samples into balanced chunks and encode them. */
static int
emit_chunks(struct writer *w, struct wseries *s)
{
    size_t nch = (w->ns + TSDB_BLOCK_CHUNK_SAMPLES - 1) / TSDB_BLOCK_CHUNK_SAMPLES;
    s->m = lm_calloc(nch, sizeof(*s->m));
    if (!s->m)
        return LM_ENOMEM;
    size_t at = 0;
    for (size_t c = 0; c < nch; c++) {
        size_t cnt = (w->ns - at) / (nch - c);
        uint64_t ref = w->ckoff + w->out.len;
        size_t mark = w->out.len;
        int rc = tsdb_bchunk_encode(w->ts + at, w->vs + at, cnt, w->zc, &w->out);
        if (rc != 0)
            return rc;
        uint32_t crc = (uint32_t)crc32(0, (const uint8_t *)w->out.data + mark,
                                       (uInt)(w->out.len - mark));
        uint8_t le[4] = {(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16),
                         (uint8_t)(crc >> 24)};
        lm_buf_append(&w->out, le, 4);
        s->m[c] = (struct tsdb_chunk_meta){w->ts[at], w->ts[at + cnt - 1], ref, (uint32_t)cnt};
        at += cnt;
        if (w->out.len >= FLUSH_AT) {
            w->ckoff += w->out.len;
            if ((rc = flush_chunks(w)) != 0)
                return rc;
        }
    }
    s->nm = (uint32_t)nch;
    w->nchunks += nch;
    return w->out.err;
}

/* add_series: read one series from src into the writer. */
static int
add_series(struct writer *w, const struct lbl_set *ls, const struct tsdb_block_src *src,
           int64_t mint, int64_t maxt)
{
    w->ns = 0;
    int64_t t;
    double v;
    while (src->next_sample(src->ctx, &t, &v)) {
        if (t < mint || t >= maxt)
            continue;
        if (w->ns > 0 && t <= w->ts[w->ns - 1])
            return LM_EINVAL;
        if (w->ns == w->capns) {
            size_t ncap = w->capns ? w->capns * 2 : 1024;
            int64_t *nt = lm_realloc(w->ts, ncap * sizeof(*nt));
            if (!nt)
                return LM_ENOMEM;
            w->ts = nt;
            double *nv = lm_realloc(w->vs, ncap * sizeof(*nv));
            if (!nv)
                return LM_ENOMEM;
            w->vs = nv;
            w->capns = ncap;
        }
        w->ts[w->ns] = t;
        w->vs[w->ns++] = v;
    }
    if (w->ns == 0 || ls->n == 0)
        return 0;
    if (w->nse == w->capse) {
        size_t ncap = w->capse ? w->capse * 2 : 1024;
        struct wseries *n = lm_realloc(w->se, ncap * sizeof(*n));
        if (!n)
            return LM_ENOMEM;
        w->se = n;
        w->capse = ncap;
    }
    struct wseries *s = &w->se[w->nse];
    memset(s, 0, sizeof(*s));
    s->lbl = lm_malloc(ls->n * 2 * sizeof(uint32_t));
    if (!s->lbl)
        return LM_ENOMEM;
    w->nse++;
    s->nl = (uint32_t)ls->n;
    for (size_t i = 0; i < ls->n; i++) {
        long a = sym_intern(&w->sy, ls->v[i].name), b = sym_intern(&w->sy, ls->v[i].value);
        if (a < 0 || b < 0)
            return LM_ENOMEM;
        s->lbl[2 * i] = (uint32_t)a;
        s->lbl[2 * i + 1] = (uint32_t)b;
    }
    if (w->ts[0] < w->smin)
        w->smin = w->ts[0];
    if (w->ts[w->ns - 1] > w->smax)
        w->smax = w->ts[w->ns - 1];
    w->nsamples += w->ns;
    return emit_chunks(w, s);
}

/* ---- sorting and the index ---- */

static int
cmp_symid(const void *a, const void *b, void *ctx)
{
    char **syms = ctx;
    return strcmp(syms[*(const uint32_t *)a], syms[*(const uint32_t *)b]);
}

/* cmp_series: label order through rank (arrival symbol id -> sorted id). */
static int
cmp_series(const void *a, const void *b, void *ctx)
{
    const uint32_t *rank = ctx;
    const struct wseries *x = a, *y = b;
    uint32_t n = x->nl < y->nl ? x->nl : y->nl;
    for (uint32_t i = 0; i < 2 * n; i++) {
        uint32_t p = rank[x->lbl[i]], q = rank[y->lbl[i]];
        if (p != q)
            return p < q ? -1 : 1;
    }
    return x->nl < y->nl ? -1 : x->nl > y->nl;
}

struct posting {
    uint32_t name, value, sid;
};

static int
cmp_posting(const void *a, const void *b)
{
    const struct posting *x = a, *y = b;
    if (x->name != y->name)
        return x->name < y->name ? -1 : 1;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return x->sid < y->sid ? -1 : x->sid > y->sid;
}

static void
put32(struct lm_buf *b, uint32_t v)
{
    uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    lm_buf_append(b, le, 4);
}

static void
put64(struct lm_buf *b, uint64_t v)
{
    put32(b, (uint32_t)v);
    put32(b, (uint32_t)(v >> 32));
}

/* build_index: the whole index file into ix. rank maps arrival id -> sorted id. */
static int
build_index(struct writer *w, const uint32_t *order, const uint32_t *rank, struct lm_buf *ix)
{
    uint64_t secoff[3], seclen[3];
    lm_buf_append(ix, "FLIX", 4);
    put32(ix, 1);
    /* symbols, sorted */
    secoff[0] = ix->len;
    put32(ix, w->sy.n);
    uint32_t off = 0;
    for (uint32_t i = 0; i < w->sy.n; i++) {
        put32(ix, off);
        off += (uint32_t)strlen(w->sy.s[order[i]]);
    }
    put32(ix, off);
    for (uint32_t i = 0; i < w->sy.n; i++)
        lm_buf_puts(ix, w->sy.s[order[i]]);
    seclen[0] = ix->len - secoff[0];
    /* series */
    secoff[1] = ix->len;
    put32(ix, (uint32_t)w->nse);
    size_t tab = ix->len;
    for (size_t i = 0; i < w->nse; i++)
        put64(ix, 0);
    size_t data0 = ix->len;
    for (size_t i = 0; i < w->nse && !ix->err; i++) {
        struct wseries *s = &w->se[i];
        uint64_t o = ix->len - data0;
        for (int j = 0; j < 8; j++)
            ix->data[tab + i * 8 + (size_t)j] = (char)(o >> (8 * j));
        tsdb_put_uvarint(ix, s->nl);
        for (uint32_t j = 0; j < 2 * s->nl; j++)
            tsdb_put_uvarint(ix, rank[s->lbl[j]]);
        tsdb_put_uvarint(ix, s->nm);
        int64_t prevmax = 0;
        uint64_t prevref = 0;
        for (uint32_t c = 0; c < s->nm; c++) {
            struct tsdb_chunk_meta *m = &s->m[c];
            tsdb_put_varint(ix, c == 0 ? m->mint : (int64_t)((uint64_t)m->mint - (uint64_t)prevmax));
            tsdb_put_uvarint(ix, (uint64_t)m->maxt - (uint64_t)m->mint);
            tsdb_put_uvarint(ix, m->ref - prevref);
            tsdb_put_uvarint(ix, m->n);
            prevmax = m->maxt;
            prevref = m->ref;
        }
    }
    seclen[1] = ix->len - secoff[1];
    /* postings */
    size_t np = 0;
    for (size_t i = 0; i < w->nse; i++)
        np += w->se[i].nl;
    struct posting *ps = lm_malloc((np ? np : 1) * sizeof(*ps));
    if (!ps)
        return LM_ENOMEM;
    np = 0;
    for (size_t i = 0; i < w->nse; i++)
        for (uint32_t j = 0; j < w->se[i].nl; j++)
            ps[np++] = (struct posting){rank[w->se[i].lbl[2 * j]],
                                        rank[w->se[i].lbl[2 * j + 1]], (uint32_t)i};
    qsort(ps, np, sizeof(*ps), cmp_posting);
    secoff[2] = ix->len;
    uint32_t nent = 0;
    for (size_t i = 0; i < np; i++)
        if (i == 0 || ps[i].name != ps[i - 1].name || ps[i].value != ps[i - 1].value)
            nent++;
    put32(ix, nent);
    uint64_t idoff = 0;
    for (size_t i = 0; i < np;) {
        size_t j = i;
        while (j < np && ps[j].name == ps[i].name && ps[j].value == ps[i].value)
            j++;
        put32(ix, ps[i].name);
        put32(ix, ps[i].value);
        put64(ix, idoff);
        put32(ix, (uint32_t)(j - i));
        idoff += (j - i) * 4;
        i = j;
    }
    for (size_t i = 0; i < np; i++)
        put32(ix, ps[i].sid);
    lm_free(ps);
    seclen[2] = ix->len - secoff[2];
    /* TOC */
    size_t toc = ix->len;
    for (int s = 0; s < 3; s++) {
        put64(ix, secoff[s]);
        put64(ix, seclen[s]);
        if (!ix->err)
            put32(ix, (uint32_t)crc32(0, (const uint8_t *)ix->data + secoff[s], (uInt)seclen[s]));
    }
    if (!ix->err)
        put32(ix, (uint32_t)crc32(0, (const uint8_t *)ix->data + toc, (uInt)(ix->len - toc)));
    lm_buf_append(ix, "FLIX", 4);
    return ix->err;
}

/* write_file: create path with contents, fsync. */
static int
write_file(const char *path, const void *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return LM_EIO;
    int rc = write_all(fd, p, n);
    if (rc == 0 && fsync(fd) != 0)
        rc = LM_EIO;
    if (close(fd) != 0)
        rc = LM_EIO;
    return rc;
}

static int
fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return LM_EIO;
    int rc = fsync(fd) == 0 ? 0 : LM_EIO;
    close(fd);
    return rc;
}

static void
writer_free(struct writer *w)
{
    for (uint32_t i = 0; i < w->sy.n; i++)
        lm_free(w->sy.s[i]);
    lm_free(w->sy.s);
    lm_free(w->sy.h);
    for (size_t i = 0; i < w->nse; i++) {
        lm_free(w->se[i].lbl);
        lm_free(w->se[i].m);
    }
    lm_free(w->se);
    lm_free(w->ts);
    lm_free(w->vs);
    lm_buf_cleanup(&w->out);
    if (w->zc)
        ZSTD_freeCCtx(w->zc);
    if (w->ckfd >= 0)
        close(w->ckfd);
}

/* finish: sort, write index and meta, fsync, rename tmp -> final. */
static int
finish(struct writer *w, const char *tmp, const char *final, const char *ulid, int64_t mint,
       int64_t maxt, int level, const char *const *sources, size_t nsources, struct lm_err *err)
{
    uint32_t *order = lm_malloc((w->sy.n + 1) * sizeof(*order));
    uint32_t *rank = lm_malloc((w->sy.n + 1) * sizeof(*rank));
    struct lm_buf ix, meta;
    lm_buf_init(&ix, BUF_MAX);
    lm_buf_init(&meta, 1 << 20);
    int rc = LM_ENOMEM;
    if (!order || !rank)
        goto out;
    for (uint32_t i = 0; i < w->sy.n; i++)
        order[i] = i;
    qsort_r(order, w->sy.n, sizeof(*order), cmp_symid, w->sy.s);
    for (uint32_t i = 0; i < w->sy.n; i++)
        rank[order[i]] = i;
    qsort_r(w->se, w->nse, sizeof(*w->se), cmp_series, rank);
    for (size_t i = 1; i < w->nse; i++) {
        if (cmp_series(&w->se[i - 1], &w->se[i], rank) == 0) {
            rc = lm_err_set(err, LM_EINVAL, tmp, "the same series was given twice");
            goto out;
        }
    }
    if ((rc = build_index(w, order, rank, &ix)) != 0)
        goto out;
    char path[4200];
    snprintf(path, sizeof(path), "%s/index", tmp);
    if ((rc = write_file(path, ix.data, ix.len)) != 0) {
        lm_err_set(err, rc, path, "cannot write: %s", strerror(errno));
        goto out;
    }
    lm_buf_printf(&meta,
                  "{\n\t\"ulid\": \"%s\",\n\t\"minTime\": %lld,\n\t\"maxTime\": %lld,\n"
                  "\t\"stats\": {\n\t\t\"numSamples\": %llu,\n\t\t\"numSeries\": %zu,\n"
                  "\t\t\"numChunks\": %llu\n\t},\n\t\"compaction\": {\n\t\t\"level\": %d,\n"
                  "\t\t\"sources\": [",
                  ulid, (long long)mint, (long long)maxt, (unsigned long long)w->nsamples,
                  w->nse, (unsigned long long)w->nchunks, level);
    for (size_t i = 0; i < nsources; i++)
        lm_buf_printf(&meta, "%s\"%s\"", i ? ", " : "", sources[i]);
    lm_buf_puts(&meta, "]\n\t},\n\t\"version\": 1,\n\t\"format\": \"flint\"\n}\n");
    snprintf(path, sizeof(path), "%s/meta.json", tmp);
    if (meta.err || (rc = write_file(path, meta.data, meta.len)) != 0) {
        rc = lm_err_set(err, meta.err ? meta.err : LM_EIO, path, "cannot write meta.json");
        goto out;
    }
    if (fsync(w->ckfd) != 0 || fsync_dir(tmp) != 0) {
        rc = lm_err_set(err, LM_EIO, tmp, "fsync: %s", strerror(errno));
        goto out;
    }
    if (rename(tmp, final) != 0) {
        rc = lm_err_set(err, LM_EIO, final, "rename: %s", strerror(errno));
        goto out;
    }
    char parent[4200];
    snprintf(parent, sizeof(parent), "%s/..", final);
    fsync_dir(parent);
    rc = 0;
out:
    if (rc == LM_ENOMEM)
        lm_err_set(err, rc, tmp, "out of memory writing the index");
    lm_buf_cleanup(&ix);
    lm_buf_cleanup(&meta);
    lm_free(order);
    lm_free(rank);
    return rc;
}

int
tsdb_block_write_dir(const char *parent, int64_t mint, int64_t maxt, int level,
                     const char *const *sources, size_t nsources,
                     const struct tsdb_block_src *src, char *ulid_out, char **out_dir,
                     struct lm_err *err)
{
    char ulid[TSDB_BLOCK_ULID_LEN + 1], tmp[4096], final[4096], path[4200];
    tsdb_block_ulid_new(ulid);
    snprintf(final, sizeof(final), "%s/%s", parent, ulid);
    snprintf(tmp, sizeof(tmp), "%s/%s.tmp", parent, ulid);
    struct writer w;
    memset(&w, 0, sizeof(w));
    w.ckfd = -1;
    w.smin = INT64_MAX;
    w.smax = INT64_MIN;
    lm_buf_init(&w.out, BUF_MAX);
    int rc;
    if (mkdir(tmp, 0755) != 0) {
        rc = lm_err_set(err, LM_EIO, tmp, "mkdir: %s", strerror(errno));
        writer_free(&w);
        return rc;
    }
    snprintf(path, sizeof(path), "%s/chunks", tmp);
    w.ckfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    w.zc = ZSTD_createCCtx();
    if (w.ckfd < 0 || !w.zc) {
        rc = lm_err_set(err, w.ckfd < 0 ? LM_EIO : LM_ENOMEM, path, "cannot create");
        goto fail;
    }
    lm_buf_append(&w.out, "FLCK\1\0\0\0", 8);
    for (;;) {
        const struct lbl_set *ls;
        int r = src->next_series(src->ctx, &ls);
        if (r < 0) {
            rc = lm_err_set(err, r, tmp, "series source failed: %s", lm_strerror(r));
            goto fail;
        }
        if (r == 0)
            break;
        if ((rc = add_series(&w, ls, src, mint, maxt)) != 0) {
            lm_err_set(err, rc, tmp, "%s", rc == LM_EINVAL ? "samples out of order"
                                                           : lm_strerror(rc));
            goto fail;
        }
    }
    if (w.nse == 0) {
        rc = lm_err_set(err, LM_ENODATA, tmp, "no samples in range");
        goto fail;
    }
    w.ckoff += w.out.len;
    if ((rc = flush_chunks(&w)) != 0) {
        lm_err_set(err, rc, path, "cannot write chunks: %s", strerror(errno));
        goto fail;
    }
    if ((rc = finish(&w, tmp, final, ulid, mint, maxt, level, sources, nsources, err)) != 0)
        goto fail;
    writer_free(&w);
    if (ulid_out)
        memcpy(ulid_out, ulid, sizeof(ulid));
    if (out_dir && !(*out_dir = lm_strdup(final)))
        return lm_err_set(err, LM_ENOMEM, final, "out of memory");
    return 0;
fail:
    writer_free(&w);
    tsdb_rm_rf(tmp);
    return rc;
}
