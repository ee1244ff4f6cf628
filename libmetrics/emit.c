/* SPDX-License-Identifier: Apache-2.0 */
/* emit.c: the per-scrape sample emitter (lm/emit.h). Each sample is rendered to its text
 * line at emit time into a per-scrape arena, with a sort key made of its label values;
 * lm_emit_finish sorts families by name and samples by label values (client_golang's
 * order) and writes them. Keeps nothing between scrapes; not thread-safe. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "emit_int.h"
#include "lm/alloc.h"
#include "lm/fmt.h"
#include "lm/limits.h"

#define ARENA_BLOCK 65536

struct arena_blk {
    struct arena_blk *next;    /* older block */
    size_t used;               /* bytes handed out */
    size_t cap;                /* bytes in data */
    max_align_t data[];        /* the memory */
};

struct esample {
    const char *key;      /* label values in label-name order, each NUL-ended (no le/quantile) */
    const char *spec;     /* le / quantile value as rendered, or NULL */
    const char *line;     /* the whole rendered line, '\n' included */
    uint32_t keylen;      /* bytes in key */
    uint32_t speclen;     /* bytes in spec */
    uint32_t linelen;     /* bytes in line */
    uint32_t seq;         /* emission order, for stable sorting */
    uint16_t nlab;        /* label pairs in key */
    uint8_t part;         /* 0 value/bucket/quantile, 1 _sum, 2 _count, 3 other suffix */
};

struct efam {
    char *name;                 /* family name (arena) */
    char *help;                 /* help (arena), or NULL */
    enum lm_type type;          /* family type */
    struct esample **s;         /* samples (lm_malloc'd array) */
    size_t n;                   /* samples used */
    size_t cap;                 /* samples allocated */
};

struct lm_emit {
    enum lm_format fmt;         /* rendering format */
    struct arena_blk *arena;    /* per-scrape memory, newest block first */
    struct efam **fams;         /* families in creation order (sorted after lmi_emit_sort) */
    size_t nfams;               /* families used */
    size_t capfams;             /* families allocated */
    uint32_t *tab;              /* open-addressing index: family index + 1, 0 = empty */
    size_t tabcap;              /* slots (power of two) */
    struct efam *cur;           /* family samples go to; NULL after a refused family */
    int cur_err;                /* why cur is NULL (returned for dropped samples) */
    bool sorted;                /* lmi_emit_sort was called */
    uint32_t seq;               /* next sample sequence number */
    struct lm_buf line;         /* scratch for rendering one line */
    struct lm_err err;          /* first error */
};

/* fail: record the first error and return code. */
static int
fail(struct lm_emit *e, int code, const char *where, const char *msg)
{
    if (!e->err.code)
        lm_err_set(&e->err, code, where, "%s", msg);
    return code;
}

void
lmi_emit_fail(struct lm_emit *e, const struct lm_err *err)
{
    if (!e->err.code && err && err->code)
        e->err = *err;
}

void *
lm_emit_alloc(struct lm_emit *e, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct arena_blk *b = e->arena;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
        struct arena_blk *nb = lm_malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        nb->used = 0;
        nb->cap = cap;
        if (b && cap != ARENA_BLOCK) {   /* big one-off: keep the current block in front */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            e->arena = nb;
        }
        b = nb;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

static char *
arena_strdup(struct lm_emit *e, const char *s)
{
    size_t n = strlen(s);
    char *d = lm_emit_alloc(e, n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

struct lm_emit *
lm_emit_new(enum lm_format fmt)
{
    struct lm_emit *e = lm_calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->fmt = fmt;
    e->cur_err = LM_EINVAL;
    lm_buf_init(&e->line, LM_LIMIT_EXPO_BYTES);
    return e;
}

void
lm_emit_free(struct lm_emit *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nfams; i++)
        lm_free(e->fams[i]->s);
    lm_free(e->fams);
    lm_free(e->tab);
    while (e->arena) {
        struct arena_blk *n = e->arena->next;
        lm_free(e->arena);
        e->arena = n;
    }
    lm_buf_cleanup(&e->line);
    lm_free(e);
}

const struct lm_err *
lm_emit_error(const struct lm_emit *e)
{
    return e->err.code ? &e->err : NULL;
}

static uint32_t
hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* find: the family called name, or NULL. */
static struct efam *
find(const struct lm_emit *e, const char *name)
{
    if (!e->tabcap)
        return NULL;
    size_t mask = e->tabcap - 1;
    for (size_t i = hash_str(name) & mask;; i = (i + 1) & mask) {
        uint32_t v = e->tab[i];
        if (!v)
            return NULL;
        if (strcmp(e->fams[v - 1]->name, name) == 0)
            return e->fams[v - 1];
    }
}

bool
lmi_emit_has(const struct lm_emit *e, const char *name)
{
    return find(e, name) != NULL;
}

/* tab_insert: index family idx (its name must not be present). */
static void
tab_insert(struct lm_emit *e, size_t idx)
{
    size_t mask = e->tabcap - 1;
    size_t i = hash_str(e->fams[idx]->name) & mask;
    while (e->tab[i])
        i = (i + 1) & mask;
    e->tab[i] = (uint32_t)idx + 1;
}

/* add_family: append a new family; 0 or LM_ENOMEM. */
static int
add_family(struct lm_emit *e, const char *name, const char *help, enum lm_type type)
{
    if (e->nfams == e->capfams) {
        size_t cap = e->capfams ? e->capfams * 2 : 16;
        struct efam **f = lm_realloc(e->fams, cap * sizeof *f);
        if (!f)
            return LM_ENOMEM;
        e->fams = f;
        e->capfams = cap;
    }
    if ((e->nfams + 1) * 2 > e->tabcap) {
        size_t cap = e->tabcap ? e->tabcap * 2 : 32;
        uint32_t *t = lm_calloc(cap, sizeof *t);
        if (!t)
            return LM_ENOMEM;
        lm_free(e->tab);
        e->tab = t;
        e->tabcap = cap;
        for (size_t i = 0; i < e->nfams; i++)
            tab_insert(e, i);
    }
    struct efam *f = lm_emit_alloc(e, sizeof *f);
    if (!f)
        return LM_ENOMEM;
    f->name = arena_strdup(e, name);
    f->help = help ? arena_strdup(e, help) : NULL;
    if (!f->name || (help && !f->help))
        return LM_ENOMEM;
    f->type = type;
    e->fams[e->nfams] = f;
    tab_insert(e, e->nfams++);
    e->cur = f;
    return 0;
}

static bool
help_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

int
lm_emit_family(struct lm_emit *e, const char *name, const char *help, enum lm_type type)
{
    e->cur = NULL;
    if (e->sorted)
        return e->cur_err = fail(e, LM_EINVAL, name, "emitter already finished");
    if (!lm_metric_name_valid(name))
        return e->cur_err = fail(e, LM_ENAME, name, "invalid metric name");
    if ((unsigned)type > LM_TYPE_SUMMARY)
        return e->cur_err = fail(e, LM_EINVAL, name, "invalid metric type");
    struct efam *f = find(e, name);
    if (f) {
        if (f->type != type || !help_eq(f->help, help))
            return e->cur_err = fail(e, LM_EDUP, name,
                                     "family emitted twice with different help or type");
        e->cur = f;
        return 0;
    }
    int rc = add_family(e, name, help, type);
    if (rc)
        return e->cur_err = fail(e, rc, name, "out of memory");
    return 0;
}

static int
part_of(const char *suffix)
{
    if (!*suffix)
        return 0;
    if (strcmp(suffix, "_bucket") == 0)
        return 0;
    if (strcmp(suffix, "_sum") == 0)
        return 1;
    if (strcmp(suffix, "_count") == 0)
        return 2;
    return 3;
}

/* suffix_valid: only name characters. */
static bool
suffix_valid(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' ||
              *s == ':' || (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

/* put_value: the sample value; OpenMetrics writes histogram/summary counts as integers. */
static void
put_value(struct lm_emit *e, struct lm_buf *b, const char *suffix, double v)
{
    enum lm_type t = e->cur->type;
    if (e->fmt == LM_FORMAT_OPENMETRICS && (t == LM_TYPE_HISTOGRAM || t == LM_TYPE_SUMMARY) &&
        (strcmp(suffix, "_count") == 0 || strcmp(suffix, "_bucket") == 0) && v >= 0 &&
        v < 18446744073709551616.0 && v == floor(v)) {
        char tmp[24];
        lm_buf_append(b, tmp, lm_fmt_u64(tmp, (uint64_t)v));
        return;
    }
    lm_fmt_put_double(b, v, e->fmt);
}

/* put_spec: the le/quantile value; OpenMetrics re-renders a number as an OM float. */
static void
put_spec(struct lm_emit *e, struct lm_buf *b, const char *s)
{
    if (e->fmt == LM_FORMAT_OPENMETRICS && *s) {
        char *end;
        double v = strtod(s, &end);
        if (*end == '\0') {
            lm_fmt_put_double(b, v, LM_FORMAT_OPENMETRICS);
            return;
        }
    }
    lm_fmt_put_label_value(b, s, strlen(s));
}

int
lm_emit_sample_suffix(struct lm_emit *e, const char *suffix, const struct lm_label *labels,
                      size_t n, double value)
{
    struct efam *f = e->cur;
    if (!f)
        return e->err.code ? e->cur_err : fail(e, LM_EINVAL, NULL, "sample outside a family");
    if (!suffix)
        suffix = "";
    if (!suffix_valid(suffix))
        return fail(e, LM_ENAME, f->name, "invalid sample name suffix");
    if (n > LM_LIMIT_LABELS)
        return fail(e, LM_ELABEL, f->name, "too many labels");
    const char *specname = NULL;
    if (f->type == LM_TYPE_HISTOGRAM && strcmp(suffix, "_bucket") == 0)
        specname = "le";
    else if (f->type == LM_TYPE_SUMMARY && !*suffix)
        specname = "quantile";

    /* order labels by name (insertion sort; n is small), validate, find le/quantile */
    size_t ord[LM_LIMIT_LABELS];
    size_t no = 0, spec = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        if (!labels[i].name || !labels[i].value || !lm_label_name_valid(labels[i].name))
            return fail(e, LM_ELABEL, f->name, "invalid label name");
        if (specname && strcmp(labels[i].name, specname) == 0) {
            if (spec != (size_t)-1)
                return fail(e, LM_ELABEL, f->name, "duplicate label name");
            spec = i;
            continue;
        }
        size_t j = no;
        while (j > 0 && strcmp(labels[ord[j - 1]].name, labels[i].name) > 0) {
            ord[j] = ord[j - 1];
            j--;
        }
        if (j > 0 && strcmp(labels[ord[j - 1]].name, labels[i].name) == 0)
            return fail(e, LM_ELABEL, f->name, "duplicate label name");
        ord[j] = i;
        no++;
    }

    struct lm_buf *b = &e->line;
    lm_buf_reset(b);
    lm_buf_puts(b, f->name);
    lm_buf_puts(b, suffix);
    size_t keylen = 0;
    if (no || spec != (size_t)-1) {
        char sep = '{';
        for (size_t k = 0; k < no; k++) {
            const struct lm_label *l = &labels[ord[k]];
            lm_buf_putc(b, sep);
            lm_buf_puts(b, l->name);
            lm_buf_append(b, "=\"", 2);
            lm_fmt_put_label_value(b, l->value, strlen(l->value));
            lm_buf_putc(b, '"');
            sep = ',';
            keylen += strlen(l->value) + 1;
        }
        if (spec != (size_t)-1) {
            lm_buf_putc(b, sep);
            lm_buf_puts(b, specname);
            lm_buf_append(b, "=\"", 2);
            put_spec(e, b, labels[spec].value);
            lm_buf_putc(b, '"');
        }
        lm_buf_putc(b, '}');
    }
    lm_buf_putc(b, ' ');
    put_value(e, b, suffix, value);
    lm_buf_putc(b, '\n');
    if (b->err)
        return fail(e, b->err, f->name, "cannot render sample");

    size_t speclen = spec != (size_t)-1 ? strlen(labels[spec].value) : 0;
    if (b->len > UINT32_MAX || keylen > UINT32_MAX)
        return fail(e, LM_ETOOBIG, f->name, "sample too big");
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        struct esample **s = lm_realloc(f->s, cap * sizeof *s);
        if (!s)
            return fail(e, LM_ENOMEM, f->name, "out of memory");
        f->s = s;
        f->cap = cap;
    }
    struct esample *s = lm_emit_alloc(e, sizeof *s + keylen + speclen + b->len);
    if (!s)
        return fail(e, LM_ENOMEM, f->name, "out of memory");
    char *p = (char *)(s + 1);
    s->key = p;
    for (size_t k = 0; k < no; k++) {
        size_t l = strlen(labels[ord[k]].value) + 1;
        memcpy(p, labels[ord[k]].value, l);
        p += l;
    }
    s->keylen = (uint32_t)keylen;
    if (spec != (size_t)-1) {
        memcpy(p, labels[spec].value, speclen);
        s->spec = p;
        s->speclen = (uint32_t)speclen;
        p += speclen;
    }
    memcpy(p, b->data, b->len);
    s->line = p;
    s->linelen = (uint32_t)b->len;
    s->nlab = (uint16_t)no;
    s->part = (uint8_t)part_of(suffix);
    s->seq = e->seq++;
    f->s[f->n++] = s;
    return 0;
}

int
lm_emit_sample(struct lm_emit *e, const struct lm_label *labels, size_t n, double value)
{
    return lm_emit_sample_suffix(e, "", labels, n, value);
}

int
lm_emit_samplev(struct lm_emit *e, double value, ...)
{
    struct lm_label l[LM_LIMIT_LABELS];
    size_t n = 0;
    va_list ap;
    va_start(ap, value);
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        if (n == LM_LIMIT_LABELS) {
            va_end(ap);
            return fail(e, LM_ELABEL, e->cur ? e->cur->name : NULL, "too many labels");
        }
        l[n].name = name;
        l[n].value = v;
        n++;
    }
    va_end(ap);
    return lm_emit_sample(e, l, n, value);
}

int
lm_emit_one(struct lm_emit *e, const char *name, const char *help, enum lm_type type,
            double value)
{
    int rc = lm_emit_family(e, name, help, type);
    if (rc)
        return rc;
    return lm_emit_sample(e, NULL, 0, value);
}

int
lm_emit_histogram(struct lm_emit *e, const struct lm_label *labels, size_t n,
                  const double *bounds, const double *cumcounts, size_t nb, double sum,
                  double count)
{
    if (!e->cur)
        return e->err.code ? e->cur_err : fail(e, LM_EINVAL, NULL, "sample outside a family");
    if (e->cur->type != LM_TYPE_HISTOGRAM)
        return fail(e, LM_EINVAL, e->cur->name, "lm_emit_histogram on a non-histogram family");
    if (n >= LM_LIMIT_LABELS)
        return fail(e, LM_ELABEL, e->cur->name, "too many labels");
    struct lm_label l[LM_LIMIT_LABELS];
    if (n)
        memcpy(l, labels, n * sizeof *l);
    char le[LM_FMT_DOUBLE_MAX];
    l[n].name = "le";
    l[n].value = le;
    int rc;
    for (size_t i = 0; i < nb; i++) {
        lm_fmt_double(le, bounds[i]);
        if ((rc = lm_emit_sample_suffix(e, "_bucket", l, n + 1, cumcounts[i])))
            return rc;
    }
    memcpy(le, "+Inf", 5);
    if ((rc = lm_emit_sample_suffix(e, "_bucket", l, n + 1, count)))
        return rc;
    if ((rc = lm_emit_sample_suffix(e, "_sum", labels, n, sum)))
        return rc;
    return lm_emit_sample_suffix(e, "_count", labels, n, count);
}

static int
cmp_fam(const void *a, const void *b)
{
    return strcmp((*(struct efam *const *)a)->name, (*(struct efam *const *)b)->name);
}

/* cmp_key: client_golang's metric order: label count, then values position by position
 * (NUL-separated keys compare the same way), then part, then emission order. */
static int
cmp_key(const struct esample *x, const struct esample *y)
{
    if (x->nlab != y->nlab)
        return x->nlab < y->nlab ? -1 : 1;
    size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    return x->keylen < y->keylen ? -1 : x->keylen > y->keylen;
}

static int
cmp_sample(const void *a, const void *b)
{
    const struct esample *x = *(struct esample *const *)a, *y = *(struct esample *const *)b;
    int c = cmp_key(x, y);
    if (c)
        return c;
    if (x->part != y->part)
        return x->part < y->part ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

size_t
lmi_emit_sort(struct lm_emit *e)
{
    if (!e->sorted) {
        if (e->nfams > 1)
            qsort(e->fams, e->nfams, sizeof *e->fams, cmp_fam);
        e->sorted = true;
        e->cur = NULL;
    }
    return e->nfams;
}

const char *
lmi_emit_name(const struct lm_emit *e, size_t i)
{
    return e->fams[i]->name;
}

int
lmi_write_family_header(struct lm_buf *out, const char *name, const char *help,
                        enum lm_type type, enum lm_format fmt)
{
    static const char *const tnames[] = {"untyped", "counter", "gauge", "histogram", "summary"};
    size_t nlen = strlen(name);
    const char *tname = tnames[type];
    if (fmt == LM_FORMAT_OPENMETRICS) {
        if (type == LM_TYPE_UNTYPED)
            tname = "unknown";
        if (type == LM_TYPE_COUNTER) {
            if (nlen > 6 && strcmp(name + nlen - 6, "_total") == 0)
                nlen -= 6;
            else
                tname = "unknown";
        }
    }
    if (help) {
        lm_buf_append(out, "# HELP ", 7);
        lm_buf_append(out, name, nlen);
        lm_buf_putc(out, ' ');
        lm_fmt_put_help(out, help, strlen(help), fmt);
        lm_buf_putc(out, '\n');
    }
    lm_buf_append(out, "# TYPE ", 7);
    lm_buf_append(out, name, nlen);
    lm_buf_putc(out, ' ');
    lm_buf_puts(out, tname);
    return lm_buf_putc(out, '\n');
}

/* same_series: s duplicates prev (same labels, part and le/quantile). */
static bool
same_series(const struct esample *prev, const struct esample *s)
{
    if (cmp_key(prev, s) || prev->part != s->part || prev->part == 3)
        return false;
    if (!prev->spec || !s->spec)
        return !prev->spec && !s->spec;
    return prev->speclen == s->speclen && memcmp(prev->spec, s->spec, s->speclen) == 0;
}

int
lmi_emit_write(struct lm_emit *e, size_t i, struct lm_buf *out)
{
    struct efam *f = e->fams[i];
    if (!f->n)
        return out->err;
    if (f->n > 1)
        qsort(f->s, f->n, sizeof *f->s, cmp_sample);
    lmi_write_family_header(out, f->name, f->help, f->type, e->fmt);
    const struct esample *prev = NULL;
    for (size_t k = 0; k < f->n; k++) {
        const struct esample *s = f->s[k];
        if (prev && same_series(prev, s)) {
            fail(e, LM_EDUP, f->name, "sample with the same labels emitted twice; dropped");
            continue;
        }
        lm_buf_append(out, s->line, s->linelen);
        prev = s;
    }
    return out->err;
}

enum lm_format
lm_emit_format(const struct lm_emit *e)
{
    return e->fmt;
}

int
lm_emit_finish(struct lm_emit *e, struct lm_buf *out)
{
    size_t n = lmi_emit_sort(e);
    for (size_t i = 0; i < n; i++)
        lmi_emit_write(e, i, out);
    return out->err;
}
