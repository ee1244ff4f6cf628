/* SPDX-License-Identifier: Apache-2.0 */
/* block_read.c: opens one block directory: meta.json (jansson), the index and chunks
 * files memory-mapped read-only; the index TOC and every section CRC are verified at
 * open, and every later read (symbols, series entries, postings, chunk records) is
 * bounds-checked, so a corrupt block fails to open or yields nothing, never a crash.
 * Also the postings-based matcher evaluation of one block. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "flint/tsdb/block_int.h"
#include "lm/alloc.h"

#define TOC_LEN (3 * 20 + 4 + 4)
#define POST_ENT 20

/* map_file: mmap path read-only. 0, or LM_EIO. An empty file maps to NULL/0. */
static int
map_file(const char *path, const uint8_t **p, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return LM_EIO;
    struct stat st;
    int rc = LM_EIO;
    if (fstat(fd, &st) == 0) {
        *len = (size_t)st.st_size;
        *p = NULL;
        rc = 0;
        if (*len > 0) {
            void *m = mmap(NULL, *len, PROT_READ, MAP_SHARED, fd, 0);
            if (m == MAP_FAILED)
                rc = LM_EIO;
            else
                *p = m;
        }
    }
    close(fd);
    return rc;
}

/* parse_meta: meta.json into b. */
static int
parse_meta(struct tsdb_block *b, const char *path, struct lm_err *err)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        return lm_err_set(err, LM_EIO, path, "meta.json: %s (line %d)", je.text, je.line);
    int rc = LM_EIO;
    const char *ulid = json_string_value(json_object_get(root, "ulid"));
    json_t *mint = json_object_get(root, "minTime"), *maxt = json_object_get(root, "maxTime");
    json_t *stats = json_object_get(root, "stats"), *comp = json_object_get(root, "compaction");
    if (!ulid || strlen(ulid) != TSDB_BLOCK_ULID_LEN || !json_is_integer(mint) ||
        !json_is_integer(maxt) || json_integer_value(json_object_get(root, "version")) != 1) {
        lm_err_set(err, rc, path, "meta.json: missing or bad ulid/minTime/maxTime/version");
        goto out;
    }
    memcpy(b->ulid, ulid, TSDB_BLOCK_ULID_LEN + 1);
    b->mint = json_integer_value(mint);
    b->maxt = json_integer_value(maxt);
    b->nsamples = (uint64_t)json_integer_value(json_object_get(stats, "numSamples"));
    b->nchunks = (uint64_t)json_integer_value(json_object_get(stats, "numChunks"));
    b->level = (int)json_integer_value(json_object_get(comp, "level"));
    json_t *src = json_object_get(comp, "sources");
    size_t n = json_is_array(src) ? json_array_size(src) : 0;
    if (n) {
        b->sources = lm_calloc(n, sizeof(*b->sources));
        if (!b->sources) {
            rc = lm_err_set(err, LM_ENOMEM, path, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            const char *s = json_string_value(json_array_get(src, i));
            if (s && !(b->sources[b->nsources++] = lm_strdup(s))) {
                rc = lm_err_set(err, LM_ENOMEM, path, "out of memory");
                goto out;
            }
        }
    }
    rc = 0;
out:
    json_decref(root);
    return rc;
}

/* parse_index: check the TOC, section CRCs and headers; set the section views. */
static int
parse_index(struct tsdb_block *b, const char *path, struct lm_err *err)
{
    const uint8_t *ix = b->ix;
    size_t len = b->ixlen;
    if (len < 8 + TOC_LEN || memcmp(ix, "FLIX", 4) != 0 || tsdb_rd32(ix + 4) != 1 ||
        memcmp(ix + len - 4, "FLIX", 4) != 0)
        return lm_err_set(err, LM_EIO, path, "not a flint index (magic/version)");
    const uint8_t *toc = ix + len - TOC_LEN;
    if (crc32(0, toc, 60) != tsdb_rd32(toc + 60))
        return lm_err_set(err, LM_EIO, path, "index TOC checksum mismatch");
    const uint8_t *sec[3];
    size_t slen[3];
    for (int s = 0; s < 3; s++) {
        uint64_t off = tsdb_rd64(toc + s * 20), l = tsdb_rd64(toc + s * 20 + 8);
        if (off < 8 || off > len - TOC_LEN || l < 4 || l > len - TOC_LEN - off)
            return lm_err_set(err, LM_EIO, path, "index section %d out of bounds", s);
        if (crc32(0, ix + off, (uInt)l) != tsdb_rd32(toc + s * 20 + 16))
            return lm_err_set(err, LM_EIO, path, "index section %d checksum mismatch", s);
        sec[s] = ix + off;
        slen[s] = (size_t)l;
    }
    b->nsyms = tsdb_rd32(sec[0]);
    if (((uint64_t)b->nsyms + 2) * 4 > slen[0])
        return lm_err_set(err, LM_EIO, path, "symbol table truncated");
    b->symoff = sec[0] + 4;
    b->symdata = sec[0] + 4 + ((size_t)b->nsyms + 1) * 4;
    b->symdatalen = slen[0] - 4 - ((size_t)b->nsyms + 1) * 4;
    b->nseries = tsdb_rd32(sec[1]);
    if (4 + b->nseries * 8 > slen[1])
        return lm_err_set(err, LM_EIO, path, "series table truncated");
    b->seroff = sec[1] + 4;
    b->serdata = sec[1] + 4 + b->nseries * 8;
    b->serdatalen = slen[1] - 4 - b->nseries * 8;
    b->npost = tsdb_rd32(sec[2]);
    if (4 + (uint64_t)b->npost * POST_ENT > slen[2])
        return lm_err_set(err, LM_EIO, path, "postings table truncated");
    b->posttab = sec[2] + 4;
    b->postdata = b->posttab + (size_t)b->npost * POST_ENT;
    b->postdatalen = slen[2] - 4 - (size_t)b->npost * POST_ENT;
    return 0;
}

/* check_chunks_header: the chunks file magic. */
static int
check_chunks_header(const struct tsdb_block *b, const char *path, struct lm_err *err)
{
    if (b->cklen < 8 || memcmp(b->ck, "FLCK\1", 5) != 0)
        return lm_err_set(err, LM_EIO, path, "not a flint chunks file");
    return 0;
}

static void
block_free(struct tsdb_block *b)
{
    if (b->ix && !b->borrowed)
        munmap((void *)b->ix, b->ixlen);
    if (b->ck && !b->borrowed)
        munmap((void *)b->ck, b->cklen);
    if (b->deleted && b->dir)
        tsdb_rm_rf(b->dir);
    for (size_t i = 0; i < b->nsources; i++)
        lm_free(b->sources[i]);
    lm_free(b->sources);
    char *strs = atomic_load(&b->symstr);
    if (strs != (char *)b)
        lm_free(strs);
    lm_free(b->dir);
    lm_free(b);
}

struct tsdb_block *
tsdb_block_open(const char *dir, struct lm_err *err)
{
    struct tsdb_block *b = lm_calloc(1, sizeof(*b));
    if (!b || !(b->dir = lm_strdup(dir))) {
        lm_free(b);
        lm_err_set(err, LM_ENOMEM, dir, "out of memory");
        return NULL;
    }
    atomic_init(&b->refs, 1);
    char path[4200];
    struct stat st;
    snprintf(path, sizeof(path), "%s/meta.json", dir);
    if (parse_meta(b, path, err) != 0)
        goto fail;
    b->bytes = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
    snprintf(path, sizeof(path), "%s/index", dir);
    if (map_file(path, &b->ix, &b->ixlen) != 0) {
        lm_err_set(err, LM_EIO, path, "cannot map: %s", strerror(errno));
        goto fail;
    }
    if (parse_index(b, path, err) != 0)
        goto fail;
    snprintf(path, sizeof(path), "%s/chunks", dir);
    if (map_file(path, &b->ck, &b->cklen) != 0) {
        lm_err_set(err, LM_EIO, path, "cannot map: %s", strerror(errno));
        goto fail;
    }
    if (check_chunks_header(b, path, err) != 0)
        goto fail;
    b->bytes += b->ixlen + b->cklen;
    return b;
fail:
    block_free(b);
    return NULL;
}

struct tsdb_block *
tsdb_block_from_mem(const uint8_t *ix, size_t ixlen, const uint8_t *ck, size_t cklen,
                    struct lm_err *err)
{
    struct tsdb_block *b = lm_calloc(1, sizeof(*b));
    if (!b) {
        lm_err_set(err, LM_ENOMEM, "mem", "out of memory");
        return NULL;
    }
    atomic_init(&b->refs, 1);
    b->borrowed = true;
    b->ix = ix;
    b->ixlen = ixlen;
    b->ck = ck;
    b->cklen = cklen;
    b->maxt = 1;
    if (parse_index(b, "index", err) != 0 || check_chunks_header(b, "chunks", err) != 0) {
        block_free(b);
        return NULL;
    }
    return b;
}

void
tsdb_block_ref(struct tsdb_block *b)
{
    atomic_fetch_add(&b->refs, 1);
}

void
tsdb_block_unref(struct tsdb_block *b)
{
    if (b && atomic_fetch_sub(&b->refs, 1) == 1)
        block_free(b);
}

const char *
tsdb_block_sym(const struct tsdb_block *b, uint32_t i, size_t *len)
{
    if (i >= b->nsyms)
        return NULL;
    uint32_t s = tsdb_rd32(b->symoff + (size_t)i * 4), e = tsdb_rd32(b->symoff + (size_t)i * 4 + 4);
    if (s > e || e > b->symdatalen)
        return NULL;
    *len = e - s;
    return (const char *)b->symdata + s;
}

/* sym_cmp: compare symbol i with the NUL-terminated s (as strcmp); 2 when i is bad. */
static int
sym_cmp(const struct tsdb_block *b, uint32_t i, const char *s)
{
    size_t len;
    const char *p = tsdb_block_sym(b, i, &len);
    if (!p)
        return 2;
    size_t sl = strlen(s);
    int c = memcmp(p, s, len < sl ? len : sl);
    if (c)
        return c < 0 ? -1 : 1;
    return len < sl ? -1 : len > sl;
}

/* sym_strs: the block's symbols as NUL-terminated strings, built on first use (symbol i
 * at off_i + i, off_i its offset in symdata), freed with the block; NULL on ENOMEM or
 * when the offsets are not ascending (a corrupt table). */
static const char *
sym_strs(const struct tsdb_block *cb)
{
    struct tsdb_block *b = (struct tsdb_block *)cb; /* a cache: logically const */
    char *s = atomic_load_explicit(&b->symstr, memory_order_acquire);
    if (s)
        return s == (char *)b ? NULL : s;
    char *ns = lm_malloc(b->symdatalen + b->nsyms + 1);
    if (!ns)
        return NULL;
    uint32_t prev = tsdb_rd32(b->symoff);
    bool ok = prev <= b->symdatalen;
    for (uint32_t i = 0; ok && i < b->nsyms; i++) {
        uint32_t e = tsdb_rd32(b->symoff + ((size_t)i + 1) * 4);
        ok = e >= prev && e <= b->symdatalen;
        if (ok) {
            memcpy(ns + prev + i, b->symdata + prev, e - prev);
            ns[e + i] = 0;
        }
        prev = e;
    }
    if (!ok) {
        lm_free(ns);
        ns = (char *)b; /* the "unusable" mark */
    }
    char *exp = NULL;
    if (!atomic_compare_exchange_strong(&b->symstr, &exp, ns)) {
        if (ns != (char *)b)
            lm_free(ns);
        ns = exp;
    }
    return ns == (char *)b ? NULL : ns;
}

/* view_add: insert the borrowed label (n, v) into the view ls in name order (its array
 * grown with lm_realloc). 0, LM_EIO on a repeated name, LM_ENOMEM. */
static int
view_add(struct lbl_set *ls, const char *n, const char *v)
{
    if (ls->n == ls->cap) {
        size_t ncap = ls->cap ? ls->cap * 2 : 16;
        struct lbl *nv = lm_realloc(ls->v, ncap * sizeof(*nv));
        if (!nv)
            return LM_ENOMEM;
        ls->v = nv;
        ls->cap = ncap;
    }
    size_t i = ls->n;
    int c = 1;
    while (i > 0 && (c = strcmp(ls->v[i - 1].name, n)) > 0) {
        ls->v[i] = ls->v[i - 1];
        i--;
    }
    if (c == 0) {
        memmove(&ls->v[i], &ls->v[i + 1], (ls->n - i) * sizeof(ls->v[0]));
        return LM_EIO;
    }
    ls->v[i] = (struct lbl){(char *)n, (char *)v};
    ls->n++;
    return 0;
}

/* series_decode: tsdb_block_series (view false) or tsdb_block_series_view. */
static int
series_decode(const struct tsdb_block *b, uint32_t id, struct lbl_set *ls, bool view,
              struct tsdb_chunk_meta **metas, size_t *nmeta, size_t *capmeta)
{
    const char *strs = NULL;
    if (view) {
        ls->n = 0;
        if (!(strs = sym_strs(b)))
            return b->symstr ? LM_EIO : LM_ENOMEM;
    }
    if (id >= b->nseries)
        return LM_EIO;
    uint64_t off = tsdb_rd64(b->seroff + (size_t)id * 8);
    if (off >= b->serdatalen)
        return LM_EIO;
    const uint8_t *p = b->serdata + off;
    size_t len = b->serdatalen - off, pos = 0, r;
    uint64_t nl, nc, x, y;
    if (!view)
        lbl_set_clear(ls);
    if (!(r = tsdb_get_uvarint(p, len, &nl)) || nl > 1024)
        return LM_EIO;
    pos += r;
    for (uint64_t i = 0; i < nl; i++) {
        size_t nlen, vlen;
        if (!(r = tsdb_get_uvarint(p + pos, len - pos, &x)))
            return LM_EIO;
        pos += r;
        if (!(r = tsdb_get_uvarint(p + pos, len - pos, &y)))
            return LM_EIO;
        pos += r;
        const char *n = x <= UINT32_MAX ? tsdb_block_sym(b, (uint32_t)x, &nlen) : NULL;
        const char *v = y <= UINT32_MAX ? tsdb_block_sym(b, (uint32_t)y, &vlen) : NULL;
        if (!n || !v || nlen == 0 || vlen == 0 || memchr(n, 0, nlen) || memchr(v, 0, vlen))
            return LM_EIO;
        if (view) {
            /* the same bytes, NUL-terminated, in the symbol cache */
            int rc = view_add(ls, strs + (n - (const char *)b->symdata) + x,
                              strs + (v - (const char *)b->symdata) + y);
            if (rc != 0)
                return rc;
        } else if (lbl_set_addn(ls, n, nlen, v, vlen) != 0) {
            return LM_ENOMEM;
        }
    }
    if (ls->n != nl)
        return LM_EIO;
    if (!metas)
        return 0;
    if (!(r = tsdb_get_uvarint(p + pos, len - pos, &nc)) || nc > len)
        return LM_EIO;
    pos += r;
    if (nc > *capmeta) {
        struct tsdb_chunk_meta *nm = lm_realloc(*metas, nc * sizeof(*nm));
        if (!nm)
            return LM_ENOMEM;
        *metas = nm;
        *capmeta = nc;
    }
    int64_t prevmax = 0;
    uint64_t prevref = 0;
    for (uint64_t c = 0; c < nc; c++) {
        int64_t mint;
        uint64_t span, dref, cnt;
        if (!(r = tsdb_get_varint(p + pos, len - pos, &mint)))
            return LM_EIO;
        pos += r;
        if (!(r = tsdb_get_uvarint(p + pos, len - pos, &span)))
            return LM_EIO;
        pos += r;
        if (!(r = tsdb_get_uvarint(p + pos, len - pos, &dref)))
            return LM_EIO;
        pos += r;
        if (!(r = tsdb_get_uvarint(p + pos, len - pos, &cnt)) || cnt == 0 || cnt > UINT16_MAX)
            return LM_EIO;
        pos += r;
        struct tsdb_chunk_meta *m = &(*metas)[c];
        m->mint = c == 0 ? mint : (int64_t)((uint64_t)prevmax + (uint64_t)mint);
        m->maxt = (int64_t)((uint64_t)m->mint + span);
        m->ref = prevref + dref;
        m->n = (uint32_t)cnt;
        prevmax = m->maxt;
        prevref = m->ref;
    }
    *nmeta = (size_t)nc;
    return 0;
}

int
tsdb_block_series(const struct tsdb_block *b, uint32_t id, struct lbl_set *ls,
                  struct tsdb_chunk_meta **metas, size_t *nmeta, size_t *capmeta)
{
    return series_decode(b, id, ls, false, metas, nmeta, capmeta);
}

int
tsdb_block_series_view(const struct tsdb_block *b, uint32_t id, struct lbl_set *ls,
                       struct tsdb_chunk_meta **metas, size_t *nmeta, size_t *capmeta)
{
    return series_decode(b, id, ls, true, metas, nmeta, capmeta);
}

bool
tsdb_block_chunk(const struct tsdb_block *b, uint64_t ref, uint8_t *enc, const uint8_t **p,
                 size_t *len)
{
    if (ref < 8 || ref >= b->cklen)
        return false;
    const uint8_t *c = b->ck + ref;
    size_t avail = b->cklen - ref;
    uint64_t l;
    size_t r = tsdb_get_uvarint(c + 1, avail - 1, &l);
    if (!r || l > avail - 1 - r || avail - 1 - r - l < 4)
        return false;
    uint32_t crc = (uint32_t)crc32(0, c, (uInt)(1 + r + l));
    if (crc != tsdb_rd32(c + 1 + r + l))
        return false;
    *enc = c[0];
    *p = c + 1 + r;
    *len = (size_t)l;
    return true;
}

bool
tsdb_block_post_entry(const struct tsdb_block *b, uint32_t i, uint32_t *name, uint32_t *value,
                      const uint8_t **ids, uint32_t *n)
{
    if (i >= b->npost)
        return false;
    const uint8_t *e = b->posttab + (size_t)i * POST_ENT;
    uint64_t off = tsdb_rd64(e + 8);
    uint32_t cnt = tsdb_rd32(e + 16);
    if (off > b->postdatalen || (uint64_t)cnt * 4 > b->postdatalen - off)
        return false;
    *name = tsdb_rd32(e);
    *value = tsdb_rd32(e + 4);
    *ids = b->postdata + off;
    *n = cnt;
    return true;
}

void
tsdb_block_name_range(const struct tsdb_block *b, const char *name, uint32_t *lo, uint32_t *hi)
{
    uint32_t l = 0, h = b->npost;
    while (l < h) { /* first entry with name >= name */
        uint32_t m = l + (h - l) / 2;
        if (sym_cmp(b, tsdb_rd32(b->posttab + (size_t)m * POST_ENT), name) < 0)
            l = m + 1;
        else
            h = m;
    }
    *lo = l;
    h = b->npost;
    while (l < h) { /* first entry with name > name */
        uint32_t m = l + (h - l) / 2;
        int c = sym_cmp(b, tsdb_rd32(b->posttab + (size_t)m * POST_ENT), name);
        if (c <= 0)
            l = m + 1;
        else
            h = m;
    }
    *hi = l;
}

bool
tsdb_block_postings(const struct tsdb_block *b, const char *name, const char *value,
                    const uint8_t **ids, uint32_t *n)
{
    uint32_t lo, hi;
    tsdb_block_name_range(b, name, &lo, &hi);
    while (lo < hi) {
        uint32_t m = lo + (hi - lo) / 2;
        int c = sym_cmp(b, tsdb_rd32(b->posttab + (size_t)m * POST_ENT + 4), value);
        if (c == 0) {
            uint32_t nn, vv;
            return tsdb_block_post_entry(b, m, &nn, &vv, ids, n);
        }
        if (c < 0)
            lo = m + 1;
        else
            hi = m;
    }
    return false;
}

static void
bits_or_ids(uint64_t *bits, const struct tsdb_block *b, const uint8_t *ids, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t id = tsdb_rd32(ids + (size_t)i * 4);
        if (id < b->nseries)
            bits[id >> 6] |= 1ULL << (id & 63);
    }
}

/* matcher_bits: the set of series satisfying m, as a bitmap of nw words. */
static int
matcher_bits(const struct tsdb_block *b, const struct lbl_matcher *m, uint64_t *bits, size_t nw)
{
    memset(bits, 0, nw * 8);
    const uint8_t *ids;
    uint32_t n, lo, hi, nm, vm;
    if (m->type == LBL_MATCH_EQ && m->value[0]) {
        if (tsdb_block_postings(b, m->name, m->value, &ids, &n))
            bits_or_ids(bits, b, ids, n);
        return 0;
    }
    tsdb_block_name_range(b, m->name, &lo, &hi);
    bool empty = lbl_matcher_matches_empty(m);
    uint64_t *has = NULL;
    if (empty && !(has = lm_calloc(nw ? nw : 1, 8)))
        return LM_ENOMEM;
    char stackv[256];
    for (uint32_t i = lo; i < hi; i++) {
        size_t vlen;
        if (!tsdb_block_post_entry(b, i, &nm, &vm, &ids, &n))
            continue;
        const char *v = tsdb_block_sym(b, vm, &vlen);
        if (!v)
            continue;
        char *heap = NULL, *vz = stackv;
        if (vlen >= sizeof(stackv)) {
            if (!(heap = lm_strndup(v, vlen))) {
                lm_free(has);
                return LM_ENOMEM;
            }
            vz = heap;
        } else {
            memcpy(stackv, v, vlen);
            stackv[vlen] = 0;
        }
        if (lbl_matcher_matches(m, vz))
            bits_or_ids(bits, b, ids, n);
        if (has)
            bits_or_ids(has, b, ids, n);
        lm_free(heap);
    }
    if (has) {
        for (size_t w = 0; w < nw; w++)
            bits[w] |= ~has[w];
        if (b->nseries & 63)
            bits[nw - 1] &= (1ULL << (b->nseries & 63)) - 1;
        lm_free(has);
    }
    return 0;
}

int
tsdb_block_match(const struct tsdb_block *b, const struct lbl_matcher *ms, size_t n,
                 uint32_t **ids, size_t *count)
{
    size_t nw = (size_t)(b->nseries + 63) / 64;
    uint64_t *acc = lm_malloc((nw ? nw : 1) * 8), *tmp = lm_malloc((nw ? nw : 1) * 8);
    int rc = LM_ENOMEM;
    *ids = NULL;
    *count = 0;
    if (!acc || !tmp)
        goto out;
    memset(acc, 0xff, nw * 8);
    if (b->nseries & 63)
        acc[nw - 1] = (1ULL << (b->nseries & 63)) - 1;
    for (size_t i = 0; i < n; i++) {
        if ((rc = matcher_bits(b, &ms[i], tmp, nw)) != 0)
            goto out;
        for (size_t w = 0; w < nw; w++)
            acc[w] &= tmp[w];
    }
    size_t c = 0;
    for (size_t w = 0; w < nw; w++)
        c += (size_t)__builtin_popcountll(acc[w]);
    rc = LM_ENOMEM;
    if (!(*ids = lm_malloc((c ? c : 1) * sizeof(**ids))))
        goto out;
    c = 0;
    for (size_t w = 0; w < nw; w++)
        for (uint64_t x = acc[w]; x; x &= x - 1)
            (*ids)[c++] = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(x));
    *count = c;
    rc = 0;
out:
    lm_free(acc);
    lm_free(tmp);
    return rc;
}
