/* SPDX-License-Identifier: Apache-2.0 */
/* textfile_load.c: turns one *.prom file into the textfile collector's cached form
 * (textfile.h). The libmetrics pull parser checks the syntax; this file adds what Go's
 * expfmt TextParser enforces on families (one HELP and one TYPE per family, TYPE before
 * samples, _sum/_count/_bucket folded into their summary or histogram, le/quantile must
 * be floats) and what node_exporter's convertMetricFamily does: missing labels filled
 * with "", histograms and summaries rebuilt (sorted buckets, +Inf added, integer counts).
 * No I/O and no logging here. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/limits.h"
#include "lm/parse.h"
#include "lm/fmt.h"
#include "node_exporter/collector/textfile.h"

#define BLK_SIZE 65536

struct ne_tf_blk {
    struct ne_tf_blk *next;   /* older block */
    size_t used;              /* bytes handed out */
    size_t cap;               /* bytes in data */
    max_align_t data[];       /* the memory */
};

enum part { P_PLAIN, P_BUCKET, P_SUM, P_COUNT, P_QUANTILE, P_IGNORE };

/* A sample as read, before the family-level rebuild. */
struct raw {
    struct lm_label *labels;   /* sorted by name, without le/quantile (arena) */
    uint32_t nlab;             /* pairs */
    uint32_t fam;              /* family index */
    uint8_t part;              /* enum part */
    double value;              /* sample value */
    double spec;               /* le / quantile bound */
};

struct loader {
    struct ne_tf_parsed *f;     /* what is being built */
    struct lm_parser *p;        /* the pull parser */
    const char *path;           /* for messages */
    const char *buf;            /* the file */
    size_t len;                 /* its size */
    uint8_t *typed;             /* per family: TYPE seen or samples seen */
    uint8_t *helped;            /* per family: HELP seen */
    size_t capfams;             /* families allocated */
    uint32_t *tab;              /* name index: family + 1, 0 empty */
    size_t tabcap;              /* slots, power of two */
    struct raw *raw;            /* samples read */
    size_t nraw;                /* used */
    size_t capraw;              /* allocated */
    bool has_ts;                /* some sample had a timestamp */
    struct lm_err *err;         /* where errors go */
};

static void *
arena_alloc(struct ne_tf_arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    struct ne_tf_blk *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > BLK_SIZE / 4 ? n : BLK_SIZE;
        struct ne_tf_blk *nb = lm_malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        nb->used = 0;
        nb->cap = cap;
        if (b && cap != BLK_SIZE) {   /* a big one-off goes behind the current block */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

static char *
arena_str(struct ne_tf_arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

void
ne_tf_free(struct ne_tf_parsed *f)
{
    if (!f)
        return;
    while (f->arena.head) {
        struct ne_tf_blk *n = f->arena.head->next;
        lm_free(f->arena.head);
        f->arena.head = n;
    }
    lm_free(f->fams);
    lm_free(f->samples);
    memset(f, 0, sizeof *f);
}

/* fail: LM_EPARSE at the current line; the column is that of at when it points into the
 * file (names and label values are views into it), else 1. */
static int
fail(struct loader *l, const char *at, const char *msg)
{
    size_t col = 1;
    if (at >= l->buf && at < l->buf + l->len) {
        const char *ls = at;
        while (ls > l->buf && ls[-1] != '\n')
            ls--;
        col = (size_t)(at - ls) + 1;
    }
    lm_err_set(l->err, LM_EPARSE, NULL, "%s", msg);
    snprintf(l->err->where, sizeof l->err->where, "%s:%zu:%zu", l->path,
             lm_parser_line(l->p), col);
    return LM_EPARSE;
}

static int
oom(struct loader *l)
{
    return lm_err_set(l->err, LM_ENOMEM, l->path, "out of memory");
}

static uint32_t
hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* lookup: the family called s[0..n), or -1. */
static long
lookup(const struct loader *l, const char *s, size_t n)
{
    if (!l->tabcap)
        return -1;
    size_t mask = l->tabcap - 1;
    for (size_t i = hash(s, n) & mask; l->tab[i]; i = (i + 1) & mask) {
        const char *name = l->f->fams[l->tab[i] - 1].name;
        if (strncmp(name, s, n) == 0 && name[n] == '\0')
            return (long)l->tab[i] - 1;
    }
    return -1;
}

static void
tab_put(struct loader *l, uint32_t idx)
{
    const char *name = l->f->fams[idx].name;
    size_t mask = l->tabcap - 1, i = hash(name, strlen(name)) & mask;
    while (l->tab[i])
        i = (i + 1) & mask;
    l->tab[i] = idx + 1;
}

static long
create(struct loader *l, struct lm_span name)
{
    struct ne_tf_parsed *f = l->f;
    if (f->nfams == l->capfams) {
        size_t cap = l->capfams ? l->capfams * 2 : 16;
        struct ne_tf_family *nf = lm_realloc(f->fams, cap * sizeof *nf);
        if (nf)
            f->fams = nf;
        uint8_t *t = nf ? lm_realloc(l->typed, cap) : NULL;
        if (t)
            l->typed = t;
        uint8_t *h = t ? lm_realloc(l->helped, cap) : NULL;
        if (!h)
            return -1;
        l->helped = h;
        l->capfams = cap;
    }
    if ((f->nfams + 1) * 2 > l->tabcap) {
        size_t cap = l->tabcap ? l->tabcap * 2 : 64;
        uint32_t *t = lm_calloc(cap, sizeof *t);
        if (!t)
            return -1;
        lm_free(l->tab);
        l->tab = t;
        l->tabcap = cap;
        for (size_t i = 0; i < f->nfams; i++)
            tab_put(l, (uint32_t)i);
    }
    struct ne_tf_family *fam = &f->fams[f->nfams];
    memset(fam, 0, sizeof *fam);
    if (!(fam->name = arena_str(&f->arena, name.ptr, name.len)))
        return -1;
    fam->type = LM_TYPE_UNTYPED;
    l->typed[f->nfams] = l->helped[f->nfams] = 0;
    tab_put(l, (uint32_t)f->nfams);
    return (long)f->nfams++;
}

static bool
ends(struct lm_span s, const char *suf, size_t *base)
{
    size_t m = strlen(suf);
    if (s.len <= m || memcmp(s.ptr + s.len - m, suf, m) != 0)
        return false;
    *base = s.len - m;
    return true;
}

/* family: Go's setOrCreateCurrentMF: the exact name, else the summary or histogram that
 * a _sum/_count/_bucket name belongs to, else a new family. *part gets P_SUM/P_COUNT when
 * the name was folded that way, else P_PLAIN. -1 on OOM. */
static long
family(struct loader *l, struct lm_span name, int *part)
{
    *part = P_PLAIN;
    long i = lookup(l, name.ptr, name.len);
    if (i >= 0)
        return i;
    size_t b;
    bool cnt = ends(name, "_count", &b), sum = !cnt && ends(name, "_sum", &b);
    if (cnt || sum) {
        i = lookup(l, name.ptr, b);
        if (i >= 0 && l->f->fams[i].type == LM_TYPE_SUMMARY) {
            *part = cnt ? P_COUNT : P_SUM;
            return i;
        }
    }
    if (cnt || sum || ends(name, "_bucket", &b)) {
        i = lookup(l, name.ptr, b);
        if (i >= 0 && l->f->fams[i].type == LM_TYPE_HISTOGRAM) {
            *part = cnt ? P_COUNT : sum ? P_SUM : P_PLAIN;
            return i;
        }
    }
    return create(l, name);
}

static bool
parse_float(struct lm_span s, double *out)
{
    char tmp[64];
    if (!s.len || s.len >= sizeof tmp)
        return false;
    memcpy(tmp, s.ptr, s.len);
    tmp[s.len] = '\0';
    char *end;
    *out = strtod(tmp, &end);
    return *end == '\0';
}

/* sample: record the current SAMPLE entry. */
static int
sample(struct loader *l)
{
    struct ne_tf_parsed *f = l->f;
    int part;
    long fi = family(l, lm_parser_name(l->p), &part);
    if (fi < 0)
        return oom(l);
    l->typed[fi] = 1;
    enum lm_type type = f->fams[fi].type;
    const char *special = type == LM_TYPE_HISTOGRAM ? "le"
                          : type == LM_TYPE_SUMMARY ? "quantile" : NULL;
    const struct lm_parse_label *pl = NULL;
    size_t n = lm_parser_labels(l->p, &pl);
    struct lm_label *lab = n ? arena_alloc(&f->arena, n * sizeof *lab) : NULL;
    if (n && !lab)
        return oom(l);
    uint32_t k = 0;
    bool has_spec = false;
    double spec = 0;
    for (size_t i = 0; i < n; i++) {
        struct lm_span nm = pl[i].name, v = pl[i].value;
        if (nm.len == 8 && memcmp(nm.ptr, "__name__", 8) == 0)
            return fail(l, nm.ptr, "label name \"__name__\" is reserved");
        if (special && nm.len == strlen(special) && memcmp(nm.ptr, special, nm.len) == 0) {
            if (!parse_float(v, &spec)) {
                char tmp[160];
                snprintf(tmp, sizeof tmp, "expected float as value for '%s' label, got \"%.*s\"",
                         special, (int)(v.len < 100 ? v.len : 100), v.ptr);
                return fail(l, v.ptr, tmp);
            }
            has_spec = true;
            continue;
        }
        struct lm_label x = {arena_str(&f->arena, nm.ptr, nm.len),
                             arena_str(&f->arena, v.ptr, v.len)};
        if (!x.name || !x.value)
            return oom(l);
        uint32_t j = k++;   /* insertion sort by name */
        while (j > 0 && strcmp(lab[j - 1].name, x.name) > 0) {
            lab[j] = lab[j - 1];
            j--;
        }
        lab[j] = x;
    }
    if (special && part == P_PLAIN)
        part = has_spec ? (type == LM_TYPE_HISTOGRAM ? P_BUCKET : P_QUANTILE) : P_IGNORE;
    int64_t ts;
    if (lm_parser_timestamp(l->p, &ts))
        l->has_ts = true;
    if (l->nraw == l->capraw) {
        size_t cap = l->capraw ? l->capraw * 2 : 256;
        struct raw *r = lm_realloc(l->raw, cap * sizeof *r);
        if (!r)
            return oom(l);
        l->raw = r;
        l->capraw = cap;
    }
    l->raw[l->nraw++] = (struct raw){lab, k, (uint32_t)fi, (uint8_t)part,
                                     lm_parser_value(l->p), spec};
    return 0;
}

/* meta: a HELP or TYPE line. */
static int
meta(struct loader *l, enum lm_parse_entry what)
{
    struct lm_span name = lm_parser_name(l->p);
    int part;
    long fi = family(l, name, &part);
    if (fi < 0)
        return oom(l);
    char msg[LM_LIMIT_NAME_BYTES + 96];
    int nl = (int)(name.len < LM_LIMIT_NAME_BYTES ? name.len : LM_LIMIT_NAME_BYTES);
    struct ne_tf_family *fam = &l->f->fams[fi];
    if (what == LM_PARSE_HELP) {
        if (l->helped[fi]) {
            snprintf(msg, sizeof msg, "second HELP line for metric name \"%.*s\"", nl, name.ptr);
            return fail(l, name.ptr, msg);
        }
        struct lm_span t = lm_parser_text(l->p);
        if (!(fam->help = arena_str(&l->f->arena, t.ptr, t.len)))
            return oom(l);
        l->helped[fi] = 1;
        return 0;
    }
    if (l->typed[fi]) {
        snprintf(msg, sizeof msg,
                 "second TYPE line for metric name \"%.*s\", or TYPE reported after samples", nl,
                 name.ptr);
        return fail(l, name.ptr, msg);
    }
    enum lm_parse_type t = lm_parser_type(l->p);
    fam->type = t <= LM_PTYPE_SUMMARY ? (enum lm_type)t : LM_TYPE_UNTYPED;
    l->typed[fi] = 1;
    return 0;
}

static int
cmp_labels(const struct raw *a, const struct raw *b)
{
    if (a->nlab != b->nlab)
        return a->nlab < b->nlab ? -1 : 1;
    for (uint32_t i = 0; i < a->nlab; i++) {
        int c = strcmp(a->labels[i].name, b->labels[i].name);
        if (!c)
            c = strcmp(a->labels[i].value, b->labels[i].value);
        if (c)
            return c;
    }
    return 0;
}

/* group order: label set, then part, then bound, then file order (so "last wins"). */
static int
cmp_group(const void *x, const void *y)
{
    const struct raw *a = *(const struct raw *const *)x, *b = *(const struct raw *const *)y;
    int c = cmp_labels(a, b);
    if (c)
        return c;
    if (a->part != b->part)
        return a->part < b->part ? -1 : 1;
    if (a->spec != b->spec)
        return a->spec < b->spec ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* fill: r's labels extended with every name of names[0..nn) it lacks, valued "", plus
 * an extra slot at the end when extra is set. NULL on OOM. */
static const struct lm_label *
fill(struct ne_tf_arena *a, const struct raw *r, const char *const *names, size_t nn,
     bool extra, uint32_t *nout)
{
    static const struct lm_label none[1] = {{"", ""}};
    if (r->nlab == nn && !extra) {
        *nout = r->nlab;
        return r->nlab ? r->labels : none;
    }
    struct lm_label *lab = arena_alloc(a, (nn + 1) * sizeof *lab);
    if (!lab)
        return NULL;
    memcpy(lab, r->labels, r->nlab * sizeof *lab);
    uint32_t k = r->nlab;
    for (size_t i = 0; i < nn && r->nlab != nn; i++) {
        bool have = false;
        for (uint32_t j = 0; j < r->nlab && !have; j++)
            have = strcmp(r->labels[j].name, names[i]) == 0;
        if (!have)
            lab[k++] = (struct lm_label){names[i], ""};
    }
    *nout = k;
    return lab;
}

static double
as_count(double v)   /* Go's uint64(v) for the values that make sense */
{
    return v >= 0 && v < 18446744073709551616.0 ? floor(v) : 0;
}

static int
push(struct loader *l, const struct lm_label *lab, uint32_t n, int suffix, double v)
{
    struct ne_tf_parsed *f = l->f;
    f->samples[f->nsamples++] = (struct ne_tf_sample){lab, n, (uint8_t)suffix, v};
    return 0;
}

/* rebuild_group: one histogram/summary series from g[0..n) (same labels, sorted). */
static int
rebuild_group(struct loader *l, struct raw **g, size_t n, const char *const *names, size_t nn,
              bool hist)
{
    struct ne_tf_arena *a = &l->f->arena;
    double sum = 0, count = 0;
    bool inf = false;
    uint32_t nb;
    const struct lm_label *base = fill(a, g[0], names, nn, false, &nb);
    if (!base)
        return oom(l);
    for (size_t i = 0; i < n; i++) {
        const struct raw *r = g[i];
        if (r->part == P_SUM)
            sum = r->value;
        else if (r->part == P_COUNT)
            count = r->value;
        if (r->part != P_BUCKET && r->part != P_QUANTILE)
            continue;
        if (i + 1 < n && g[i + 1]->part == r->part && g[i + 1]->spec == r->spec)
            continue;   /* a later duplicate bound wins, as in Go's map */
        struct lm_label *lab = arena_alloc(a, (nb + 1) * sizeof *lab);
        char *sv = arena_alloc(a, LM_FMT_DOUBLE_MAX);
        if (!lab || !sv)
            return oom(l);
        memcpy(lab, base, nb * sizeof *lab);
        lm_fmt_double(sv, r->spec);
        lab[nb] = (struct lm_label){hist ? "le" : "quantile", sv};
        inf |= hist && isinf(r->spec) && r->spec > 0;
        push(l, lab, nb + 1, hist ? NE_TF_BUCKET : NE_TF_PLAIN, hist ? as_count(r->value)
                                                                       : r->value);
    }
    count = as_count(count);
    if (hist && !inf) {
        struct lm_label *lab = arena_alloc(a, (nb + 1) * sizeof *lab);
        if (!lab)
            return oom(l);
        memcpy(lab, base, nb * sizeof *lab);
        lab[nb] = (struct lm_label){"le", "+Inf"};
        push(l, lab, nb + 1, NE_TF_BUCKET, count);
    }
    push(l, base, nb, NE_TF_SUM, sum);
    return push(l, base, nb, NE_TF_COUNT, count);
}

/* rebuild: group raw samples by family and produce the final samples. */
static int
rebuild(struct loader *l)
{
    struct ne_tf_parsed *f = l->f;
    size_t nf = f->nfams;
    size_t *start = lm_calloc(nf + 1, sizeof *start);
    struct raw **ord = lm_malloc((l->nraw + 1) * sizeof *ord);
    /* at most: every raw sample, plus +Inf, _sum and _count per raw sample */
    f->samples = lm_malloc((l->nraw * 4 + 1) * sizeof *f->samples);
    const char **names = NULL;
    size_t capnames = 0;
    int rc = 0;
    if (!start || !ord || !f->samples) {
        rc = oom(l);
        goto out;
    }
    for (size_t i = 0; i < l->nraw; i++)
        start[l->raw[i].fam + 1]++;
    for (size_t i = 0; i < nf; i++)
        start[i + 1] += start[i];
    for (size_t i = 0; i < l->nraw; i++)   /* stable counting sort by family */
        ord[start[l->raw[i].fam]++] = &l->raw[i];
    for (size_t i = nf; i > 0; i--)
        start[i] = start[i - 1];
    start[0] = 0;
    for (size_t fi = 0; fi < nf && !rc; fi++) {
        struct ne_tf_family *fam = &f->fams[fi];
        struct raw **g = ord + start[fi];
        size_t n = start[fi + 1] - start[fi], nn = 0;
        fam->first = f->nsamples;
        for (size_t i = 0; i < n; i++) {   /* the union of label names */
            for (uint32_t j = 0; j < g[i]->nlab; j++) {
                size_t k = 0;
                while (k < nn && strcmp(names[k], g[i]->labels[j].name) != 0)
                    k++;
                if (k < nn)
                    continue;
                if (nn == capnames) {
                    size_t cap = capnames ? capnames * 2 : 16;
                    const char **nw = lm_realloc(names, cap * sizeof *nw);
                    if (!nw) {
                        rc = oom(l);
                        goto out;
                    }
                    names = nw;
                    capnames = cap;
                }
                names[nn++] = g[i]->labels[j].name;
            }
        }
        if (fam->type != LM_TYPE_HISTOGRAM && fam->type != LM_TYPE_SUMMARY) {
            for (size_t i = 0; i < n && !rc; i++) {
                uint32_t k;
                const struct lm_label *lab = fill(&f->arena, g[i], names, nn, false, &k);
                rc = lab ? push(l, lab, k, NE_TF_PLAIN, g[i]->value) : oom(l);
            }
        } else {
            if (n > 1)
                qsort(g, n, sizeof *g, cmp_group);
            for (size_t i = 0; i < n && !rc;) {
                size_t j = i + 1;
                while (j < n && cmp_labels(g[i], g[j]) == 0)
                    j++;
                rc = rebuild_group(l, g + i, j - i, names, nn, fam->type == LM_TYPE_HISTOGRAM);
                i = j;
            }
        }
        fam->n = f->nsamples - fam->first;
    }
out:
    lm_free(names);
    lm_free(start);
    lm_free(ord);
    return rc;
}

int
ne_tf_load(struct lm_parser *p, const char *path, const char *buf, size_t len,
           struct ne_tf_parsed *out, struct lm_err *err)
{
    struct loader l = {.f = out, .p = p, .path = path, .buf = buf, .len = len, .err = err};
    int rc = 0;
    lm_parser_reset(p);
    lm_parser_allow_missing_eol(p, 1);
    if (lm_parser_feed(p, buf, len)) {
        rc = lm_err_set(err, LM_EINVAL, path, "parser refused input");
        goto out;
    }
    lm_parser_finish(p);
    for (;;) {
        enum lm_parse_entry e = lm_parser_next(p);
        if (e == LM_PARSE_END || e == LM_PARSE_NEED_MORE)
            break;
        if (e == LM_PARSE_ERROR) {
            const struct lm_err *pe = lm_parser_error(p);
            rc = lm_err_set(err, pe->code ? pe->code : LM_EPARSE, NULL, "%s", pe->msg);
            size_t pl = strlen(path), wl = strlen(pe->where);
            if (pl + wl + 2 <= sizeof err->where) {   /* "path:line:col" */
                memcpy(err->where, path, pl);
                err->where[pl] = ':';
                memcpy(err->where + pl + 1, pe->where, wl + 1);
            } else {
                snprintf(err->where, sizeof err->where, "%s", pe->where);
            }
            goto out;
        }
        if (e == LM_PARSE_SAMPLE)
            rc = sample(&l);
        else if (e == LM_PARSE_HELP || e == LM_PARSE_TYPE)
            rc = meta(&l, e);
        if (rc)
            goto out;
    }
    if (l.has_ts) {
        rc = lm_err_set(err, LM_EPARSE, path,
                        "textfile \"%s\" contains unsupported client-side timestamps, "
                        "skipping entire file", path);
        goto out;
    }
    rc = rebuild(&l);
out:
    lm_free(l.typed);
    lm_free(l.helped);
    lm_free(l.tab);
    lm_free(l.raw);
    if (rc)
        ne_tf_free(out);
    return rc;
}
