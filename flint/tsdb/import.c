/* SPDX-License-Identifier: Apache-2.0 */
/* import.c: `flint tsdb import openmetrics FILE [DIR]`, as `promtool tsdb
 * create-blocks-from openmetrics`: OpenMetrics text with a timestamp (seconds) on every
 * sample and a final "# EOF" becomes blocks aligned to the block duration (2 h, or the
 * largest of 2h*3^k <= --max-block-duration), one per range that has samples.
 *
 * Bounded memory: pass 1 parses the file (mmapped) to validate it and count samples per
 * range; then ranges are grouped into batches of at most IMPORT_MAX_SAMPLES buffered
 * samples, and each batch re-parses the file keeping only its samples (usually one
 * batch: two passes in all). Memory = the series table + one batch of samples. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flint/tsdb/block_int.h"
#include "flint/tsdb/import_int.h"
#include "flint/tsdb/tsdb_cli.h"
#include "lm/alloc.h"
#include "lm/duration.h"
#include "lm/parse.h"

#define IMPORT_MAX_SAMPLES (8u << 20) /* buffered per batch: 8 Mi samples, 128 MiB */

struct range_count {
    int64_t start;     /* range start, ms */
    uint64_t n;        /* samples */
};

struct imp {
    const char *path;
    const char *data;  /* mmapped file */
    size_t len;
    bool progress;     /* stderr is a terminal */
    struct imp_series_tab tab;
    struct range_count *rc;
    size_t nrc, caprc;
    int64_t dur;       /* block duration, ms */
    uint64_t dups;     /* duplicate timestamps dropped */
};

/* range_of: promtool's alignment (Go integer division truncates toward zero). */
static int64_t
range_of(int64_t t, int64_t dur)
{
    return dur * (t / dur) - (t < 0 && t % dur ? dur : 0);
}

static int
count_range(struct imp *im, int64_t t)
{
    int64_t s = range_of(t, im->dur);
    size_t lo = 0, hi = im->nrc;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (im->rc[m].start < s)
            lo = m + 1;
        else
            hi = m;
    }
    if (lo < im->nrc && im->rc[lo].start == s) {
        im->rc[lo].n++;
        return 0;
    }
    if (im->nrc == im->caprc) {
        size_t ncap = im->caprc ? im->caprc * 2 : 64;
        struct range_count *n = lm_realloc(im->rc, ncap * sizeof(*n));
        if (!n)
            return LM_ENOMEM;
        im->rc = n;
        im->caprc = ncap;
    }
    memmove(&im->rc[lo + 1], &im->rc[lo], (im->nrc - lo) * sizeof(*im->rc));
    im->rc[lo] = (struct range_count){s, 1};
    im->nrc++;
    return 0;
}

static void
progress(const struct imp *im, const char *what, const char *at)
{
    if (!im->progress)
        return;
    double pct = 100;
    uintptr_t a = (uintptr_t)at, d = (uintptr_t)im->data;
    if (im->len && a >= d && a - d <= im->len) /* else a copy inside the parser */
        pct = 100.0 * (double)(a - d) / (double)im->len;
    fprintf(stderr, "\r%s: %5.1f%%", what, pct);
}

/* parse_pass: parse the whole file. Pass 1 (lo > hi) counts ranges; otherwise samples
 * with lo <= t < hi are buffered. 0, or an LM_E* with err set ("FILE:line:col"). */
static int
parse_pass(struct imp *im, int64_t lo, int64_t hi, const char *what, struct lm_err *err)
{
    struct lm_parser *p = lm_parser_new(LM_FORMAT_OPENMETRICS);
    if (!p)
        return lm_err_set(err, LM_ENOMEM, im->path, "out of memory");
    int rc = 0;
    lm_parser_feed(p, im->data, im->len);
    lm_parser_finish(p);
    uint64_t n = 0;
    for (;;) {
        enum lm_parse_entry e = lm_parser_next(p);
        if (e == LM_PARSE_END)
            break;
        if (e == LM_PARSE_ERROR || e == LM_PARSE_NEED_MORE) {
            const struct lm_err *pe = lm_parser_error(p);
            if (e == LM_PARSE_NEED_MORE || !pe->code)
                rc = lm_err_set(err, LM_EPARSE, im->path, "unexpected end of input (no # EOF)");
            else
                rc = lm_err_set(err, pe->code, im->path, "%s: %s", pe->where, pe->msg);
            break;
        }
        if (e != LM_PARSE_SAMPLE)
            continue;
        int64_t t;
        if (!lm_parser_timestamp(p, &t)) {
            struct lm_span name = lm_parser_name(p);
            rc = lm_err_set(err, LM_EPARSE, im->path, "%zu: expected timestamp for series %.*s",
                            lm_parser_line(p), (int)name.len, name.ptr);
            break;
        }
        if ((++n & 0xffff) == 0)
            progress(im, what, lm_parser_name(p).ptr);
        if (lo > hi) {
            if ((rc = count_range(im, t)) != 0) {
                lm_err_set(err, rc, im->path, "out of memory");
                break;
            }
            continue;
        }
        if (t < lo || t >= hi)
            continue;
        if ((rc = imp_tab_add(&im->tab, p, t, lm_parser_value(p))) != 0) {
            lm_err_set(err, rc, im->path, "%zu: %s", lm_parser_line(p), lm_strerror(rc));
            break;
        }
    }
    if (im->progress)
        fprintf(stderr, "\r%s: done  \n", what);
    lm_parser_free(p);
    return rc;
}

/* ---- the block source over one range of the batch ---- */

struct rsrc {
    struct imp_series_tab *tab;
    int64_t lo, hi;
    size_t cur, pos;
};

static int
rsrc_next_series(void *ctx, const struct lbl_set **ls)
{
    struct rsrc *r = ctx;
    while (r->cur < r->tab->n) {
        struct imp_series *s = r->tab->v[r->cur++];
        size_t a = imp_series_lower(s, r->lo);
        if (a < s->n && s->s[a].t < r->hi) {
            r->pos = a;
            *ls = &s->ls;
            return 1;
        }
    }
    return 0;
}

static bool
rsrc_next_sample(void *ctx, int64_t *t, double *v)
{
    struct rsrc *r = ctx;
    struct imp_series *s = r->tab->v[r->cur - 1];
    if (r->pos >= s->n || s->s[r->pos].t >= r->hi)
        return false;
    *t = s->s[r->pos].t;
    *v = s->s[r->pos].v;
    r->pos++;
    return true;
}

/* fmt_dur: ms as Go's time.Duration String ("2h0m0s", "1h59m59.999s"). */
static void
fmt_dur(char *out, size_t sz, int64_t ms)
{
    int64_t h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60, f = ms % 1000;
    if (f)
        snprintf(out, sz, "%lldh%lldm%lld.%03llds", (long long)h, (long long)m, (long long)s,
                 (long long)f);
    else
        snprintf(out, sz, "%lldh%lldm%llds", (long long)h, (long long)m, (long long)s);
}

static void
print_block(const char *dir, const char *ulid, bool header)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, ulid);
    struct lm_err e = {0};
    struct tsdb_block *b = tsdb_block_open(path, &e);
    if (!b)
        return;
    if (header)
        printf("%-26s  %-13s  %-13s  %-9s  %-11s  %-10s  %-10s  %s\n", "BLOCK ULID", "MIN TIME",
               "MAX TIME", "DURATION", "NUM SAMPLES", "NUM CHUNKS", "NUM SERIES", "SIZE");
    char dur[64];
    fmt_dur(dur, sizeof(dur), b->maxt - b->mint);
    printf("%-26s  %-13lld  %-13lld  %-9s  %-11llu  %-10llu  %-10llu  %llu\n", b->ulid,
           (long long)b->mint, (long long)b->maxt, dur,
           (unsigned long long)b->nsamples, (unsigned long long)b->nchunks,
           (unsigned long long)b->nseries, (unsigned long long)b->bytes);
    tsdb_block_unref(b);
}

/* import_run: both passes and the block writes. */
static int
import_run(struct imp *im, const char *dir, int level, bool quiet, struct lm_err *err)
{
    int rc = parse_pass(im, 1, 0, "pass 1 (validate)", err);
    if (rc != 0)
        return rc;
    if (im->nrc == 0)
        return lm_err_set(err, LM_ENODATA, im->path, "no samples found");
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return lm_err_set(err, LM_EIO, dir, "mkdir: %s", strerror(errno));
    bool header = true;
    for (size_t b0 = 0; b0 < im->nrc;) {
        size_t b1 = b0;
        uint64_t sum = 0;
        while (b1 < im->nrc && (b1 == b0 || sum + im->rc[b1].n <= IMPORT_MAX_SAMPLES))
            sum += im->rc[b1++].n;
        char what[128];
        snprintf(what, sizeof(what), "pass 2 (ranges %zu-%zu of %zu)", b0 + 1, b1, im->nrc);
        imp_tab_init(&im->tab);
        rc = parse_pass(im, im->rc[b0].start, im->rc[b1 - 1].start + im->dur, what, err);
        if (rc == 0)
            im->dups += imp_tab_sort(&im->tab);
        for (size_t r = b0; r < b1 && rc == 0; r++) {
            struct rsrc rs = {&im->tab, im->rc[r].start, im->rc[r].start + im->dur, 0, 0};
            struct tsdb_block_src src = {&rs, rsrc_next_series, rsrc_next_sample};
            char ulid[TSDB_BLOCK_ULID_LEN + 1];
            rc = tsdb_block_write_dir(dir, rs.lo, rs.hi, level, NULL, 0, &src, ulid, NULL, err);
            if (rc == LM_ENODATA)
                rc = 0;
            else if (rc == 0 && !quiet) {
                print_block(dir, ulid, header);
                header = false;
            }
        }
        imp_tab_free(&im->tab);
        b0 = b1;
    }
    return rc;
}

/* block_duration: promtool's getCompatibleBlockDuration. */
static int64_t
block_duration(int64_t max, int *level)
{
    int64_t d = TSDB_BLOCK_RANGE_MS;
    *level = 1;
    while (d * 3 <= max && *level < 10) {
        d *= 3;
        (*level)++;
    }
    return d;
}

static int
usage(void)
{
    fprintf(stderr, "usage: flint tsdb import openmetrics [--max-block-duration=2h] [--quiet] "
                    "FILE [DIR]\n  DIR defaults to data/\n");
    return 2;
}

int
tsdb_cli_import(int argc, char **argv)
{
    const char *pos[3] = {NULL, NULL, NULL};
    size_t npos = 0;
    double maxdur = 7200;
    bool quiet = false;
    struct lm_err err = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage();
            return 0;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = true;
        } else if (strncmp(a, "--max-block-duration", 20) == 0) {
            const char *v = a[20] == '=' ? a + 21 : (i + 1 < argc ? argv[++i] : "");
            if (lm_duration_parse(v, "--max-block-duration", &maxdur, &err) != 0) {
                fprintf(stderr, "flint: %s: %s\n", err.where, err.msg);
                return 2;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "flint: unknown flag %s\n", a);
            return usage();
        } else if (npos < 3) {
            pos[npos++] = a;
        } else {
            return usage();
        }
    }
    if (npos < 2 || strcmp(pos[0], "openmetrics") != 0)
        return usage();
    struct imp im;
    memset(&im, 0, sizeof(im));
    im.path = pos[1];
    im.progress = isatty(2);
    int level;
    im.dur = block_duration((int64_t)(maxdur * 1000), &level);
    const char *dir = npos > 2 ? pos[2] : "data/";
    int fd = open(im.path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "flint: %s: %s\n", im.path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return 1;
    }
    im.len = (size_t)st.st_size;
    im.data = im.len ? mmap(NULL, im.len, PROT_READ, MAP_PRIVATE, fd, 0) : "";
    close(fd);
    if (im.data == MAP_FAILED) {
        fprintf(stderr, "flint: %s: mmap: %s\n", im.path, strerror(errno));
        return 1;
    }
    if (im.len)
        madvise((void *)im.data, im.len, MADV_SEQUENTIAL);
    int rc = import_run(&im, dir, level, quiet, &err);
    if (im.len)
        munmap((void *)im.data, im.len);
    lm_free(im.rc);
    if (rc != 0) {
        fprintf(stderr, "flint: import failed: %s%s%s\n", err.where, err.where[0] ? ":" : "",
                err.msg);
        return 1;
    }
    if (im.dups)
        fprintf(stderr, "flint: dropped %llu samples with a duplicate timestamp\n",
                (unsigned long long)im.dups);
    return 0;
}
