/* SPDX-License-Identifier: Apache-2.0 */
/* expo.c: writes a registry page (lm/expo.h): registry families through a fast path that
 * copies cached per-family pieces and label values straight into the output buffer,
 * collector output through the emitter, merged into one walk sorted by family name.
 * Content negotiation (Accept, Accept-Encoding) and gzip live in expo_http.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "emit_int.h"
#include "lm/alloc.h"
#include "lm/expo.h"
#include "lm/fmt.h"
#include "lm/limits.h"
#include "registry_int.h"

/* ensure: room for n more bytes (and a NUL) in out; false when out failed. */
static inline bool
ensure(struct lm_buf *out, size_t n)
{
    if (out->cap - out->len > n && !out->err)
        return true;
    return lm_buf_reserve(out, n) == 0;
}

/* put_labels: the label body of m (no braces), at p. Returns the new end. */
static char *
put_labels(char *p, const struct lm_family *f, const struct lm_metric *m)
{
    const uint16_t *lens = lmi_child_lens(m);
    const char *vals = lmi_child_vals(m);
    bool esc = m->flags & LMI_CHILD_ESCAPE;
    if (f->perm_identity && !esc) {   /* the common case: values in output order */
        for (size_t i = 0; i < f->nlabels; i++) {
            if (i > 0) {
                memcpy(p, f->seg[i], f->seglen[i]);
                p += f->seglen[i];
            }
            memcpy(p, vals, lens[i]);
            p += lens[i];
            vals += lens[i];
        }
        return p;
    }
    size_t off[LM_LIMIT_LABELS];
    size_t o = 0;
    for (size_t i = 0; i < f->nlabels; i++) {
        off[i] = o;
        o += lens[i];
    }
    for (size_t i = 0; i < f->nlabels; i++) {
        if (i > 0) {
            memcpy(p, f->seg[i], f->seglen[i]);
            p += f->seglen[i];
        }
        size_t k = f->perm[i];
        if (esc) {
            p += lm_fmt_escape_label_value(p, vals + off[k], lens[k]);
        } else {
            memcpy(p, vals + off[k], lens[k]);
            p += lens[k];
        }
    }
    return p;
}

/* bound: bytes a line of m can take besides its value and extra label. */
static inline size_t
bound(const struct lm_family *f, const struct lm_metric *m)
{
    return f->fixedlen + 2 * (size_t)m->lablen + 8;
}

/* write_simple: counter, gauge and untyped children: the hot loop. */
static void
write_simple(const struct lm_family *f, enum lm_format fmt, struct lm_buf *out)
{
    bool om = fmt == LM_FORMAT_OPENMETRICS;
    for (size_t i = 0; i < f->nsorted; i++) {
        const struct lm_metric *m = f->sorted[i];
        if (i + 8 < f->nsorted)   /* children are scattered: fetch ahead */
            __builtin_prefetch(f->sorted[i + 8]);
        if (!ensure(out, bound(f, m) + LM_FMT_DOUBLE_MAX))
            return;
        char *p = out->data + out->len;
        memcpy(p, f->lead, f->leadlen);
        p += f->leadlen;
        if (f->has_labels) {
            p = put_labels(p, f, m);
            memcpy(p, f->tail, f->taillen);
            p += f->taillen;
        }
        double v = lmi_bits2d(atomic_load_explicit(&m->v[0], memory_order_relaxed));
        if (v >= 0 && v < 1e6 && v == (double)(uint32_t)v) {   /* small integers */
            p += lm_fmt_u64(p, (uint32_t)v);
            if (om) {
                p[0] = '.';
                p[1] = '0';
                p += 2;
            }
        } else {
            p += lm_fmt_double_fmt(p, v, fmt);
        }
        *p++ = '\n';
        out->len = (size_t)(p - out->data);
    }
}

/* write_series: one line of a histogram or summary child: name+suffix, labels, an
 * optional extra label (le, quantile), the value (an integer count when is_count in
 * OpenMetrics). */
static void
write_series(const struct lm_family *f, const struct lm_metric *m, const char *suffix,
             const char *extra, const char *extraval, double v, bool is_count,
             enum lm_format fmt, struct lm_buf *out)
{
    size_t nl = strlen(f->name), sl = strlen(suffix);
    size_t el = extra ? strlen(extra) + strlen(extraval) + 4 : 0;
    if (!ensure(out, bound(f, m) + sl + el + f->seglen[0] + f->seglen[f->nlabels] + 32 +
                         LM_FMT_DOUBLE_MAX))
        return;
    char *p = out->data + out->len;
    memcpy(p, f->name, nl);
    p += nl;
    memcpy(p, suffix, sl);
    p += sl;
    if (f->has_labels || extra) {
        *p++ = '{';
        memcpy(p, f->seg[0], f->seglen[0]);
        p += f->seglen[0];
        p = put_labels(p, f, m);
        if (f->nlabels) {
            memcpy(p, f->seg[f->nlabels], f->seglen[f->nlabels]);
            p += f->seglen[f->nlabels];
        }
        if (extra) {
            if (f->has_labels)
                *p++ = ',';
            p = stpcpy(p, extra);
            *p++ = '=';
            *p++ = '"';
            p = stpcpy(p, extraval);
            *p++ = '"';
        }
        *p++ = '}';
    }
    *p++ = ' ';
    if (is_count && fmt == LM_FORMAT_OPENMETRICS)
        p += lm_fmt_u64(p, (uint64_t)v);
    else
        p += lm_fmt_double_fmt(p, v, fmt);
    *p++ = '\n';
    out->len = (size_t)(p - out->data);
}

static int
write_histograms(const struct lm_family *f, enum lm_format fmt, struct lm_buf *out)
{
    uint64_t stackcum[64];
    uint64_t *cum = f->nb < 64 ? stackcum : lm_malloc((f->nb + 1) * sizeof *cum);
    if (!cum)
        return LM_ENOMEM;
    int fi = fmt == LM_FORMAT_OPENMETRICS;
    for (size_t i = 0; i < f->nsorted; i++) {
        struct lm_metric *m = f->sorted[i];
        double sum;
        lmi_histogram_read(m, cum, &sum);
        for (size_t b = 0; b < f->nb; b++)
            write_series(f, m, "_bucket", "le", f->le[fi][b], (double)cum[b], true, fmt, out);
        write_series(f, m, "_bucket", "le", "+Inf", (double)cum[f->nb], true, fmt, out);
        write_series(f, m, "_sum", NULL, NULL, sum, false, fmt, out);
        write_series(f, m, "_count", NULL, NULL, (double)cum[f->nb], true, fmt, out);
    }
    if (cum != stackcum)
        lm_free(cum);
    return 0;
}

static int
write_summaries(const struct lm_family *f, enum lm_format fmt, struct lm_buf *out)
{
    double qs[LM_LIMIT_LABELS], vals[LM_LIMIT_LABELS];
    char qtext[LM_LIMIT_LABELS][LM_FMT_DOUBLE_MAX];
    size_t nq = f->nobj < LM_LIMIT_LABELS ? f->nobj : LM_LIMIT_LABELS;
    for (size_t k = 0; k < nq; k++) {
        qs[k] = f->obj[k].q;
        lm_fmt_double_fmt(qtext[k], qs[k], fmt);
    }
    int rc = 0;
    for (size_t i = 0; i < f->nsorted; i++) {
        struct lm_metric *m = f->sorted[i];
        struct lmi_summary *s = (struct lmi_summary *)(uintptr_t)atomic_load(&m->v[0]);
        double sum;
        uint64_t count;
        if (lmi_summary_snapshot(s, lmi_now(f->reg), &sum, &count, qs, vals, nq))
            rc = LM_ENOMEM;   /* written with NaN quantiles; reported */
        for (size_t k = 0; k < nq; k++)
            write_series(f, m, "", "quantile", qtext[k], vals[k], false, fmt, out);
        write_series(f, m, "_sum", NULL, NULL, sum, false, fmt, out);
        write_series(f, m, "_count", NULL, NULL, (double)count, true, fmt, out);
    }
    return rc;
}

/* write_family: one registry family, fast path. 0, or LM_ENOMEM when the newest
 * children could not be sorted in or a summary window could not be read (the rest is
 * still written). */
static int
write_family(struct lm_family *f, enum lm_format fmt, struct lm_buf *out)
{
    pthread_mutex_lock(&f->wmu);
    int rc = lmi_family_sorted(f);
    if (f->nsorted) {
        lmi_write_family_header(out, f->name, f->help, f->type, fmt);
        if (f->type == LM_TYPE_HISTOGRAM)
            rc = rc ? rc : write_histograms(f, fmt, out);
        else if (f->type == LM_TYPE_SUMMARY)
            rc = rc ? rc : write_summaries(f, fmt, out);
        else
            write_simple(f, fmt, out);
    }
    pthread_mutex_unlock(&f->wmu);
    return rc;
}

/* emit_family: the slow path for a registry family whose name an emitter family also
 * has: its samples go through the emitter so both merge. */
static int
emit_family(struct lm_family *f, struct lm_emit *e)
{
    int rc = lm_emit_family(e, f->name, f->help, f->type);
    if (rc)
        return rc;
    struct lm_label l[LM_LIMIT_LABELS + 1];
    size_t n = f->nconst + f->nlabels;
    for (size_t k = 0; k < f->nconst; k++)
        l[k] = f->consts[k];
    pthread_mutex_lock(&f->wmu);
    rc = lmi_family_sorted(f);
    for (size_t i = 0; i < f->nsorted && !rc; i++) {
        struct lm_metric *m = f->sorted[i];
        const uint16_t *lens = lmi_child_lens(m);
        const char *vals = lmi_child_vals(m);
        for (size_t k = 0; k < f->nlabels; k++) {
            char *v = lm_emit_alloc(e, lens[k] + 1u);
            if (!v) {
                rc = LM_ENOMEM;
                break;
            }
            memcpy(v, vals, lens[k]);
            vals += lens[k];
            l[f->nconst + k] = (struct lm_label){f->label_names[k], v};
        }
        if (rc)
            break;
        if (f->type == LM_TYPE_HISTOGRAM) {
            double sum, *cum = lm_emit_alloc(e, (f->nb + 1) * sizeof *cum);
            uint64_t *ucum = lm_emit_alloc(e, (f->nb + 1) * sizeof *ucum);
            if (!cum || !ucum) {
                rc = LM_ENOMEM;
                break;
            }
            lmi_histogram_read(m, ucum, &sum);
            for (size_t b = 0; b <= f->nb; b++)
                cum[b] = (double)ucum[b];
            rc = lm_emit_histogram(e, l, n, f->bounds, cum, f->nb, sum, cum[f->nb]);
        } else if (f->type == LM_TYPE_SUMMARY) {
            struct lmi_summary *s = (struct lmi_summary *)(uintptr_t)atomic_load(&m->v[0]);
            double sum, v;
            uint64_t count;
            char q[LM_FMT_DOUBLE_MAX];
            l[n].name = "quantile";
            l[n].value = q;
            for (size_t k = 0; k < f->nobj && !rc; k++) {
                rc = lmi_summary_snapshot(s, lmi_now(f->reg), &sum, &count, &f->obj[k].q, &v, 1);
                if (rc)
                    break;
                lm_fmt_double(q, f->obj[k].q);
                rc = lm_emit_sample_suffix(e, "", l, n + 1, v);
            }
            lmi_summary_snapshot(s, lmi_now(f->reg), &sum, &count, NULL, NULL, 0);
            if (!rc)
                rc = lm_emit_sample_suffix(e, "_sum", l, n, sum);
            if (!rc)
                rc = lm_emit_sample_suffix(e, "_count", l, n, (double)count);
        } else {
            rc = lm_emit_sample(e, l, n,
                                lmi_bits2d(atomic_load_explicit(&m->v[0], memory_order_relaxed)));
        }
    }
    pthread_mutex_unlock(&f->wmu);
    return rc;
}

/* note: keep the first error in err. */
static void
note(struct lm_err *err, int code, const char *where, const char *what)
{
    if (err && !err->code)
        lm_err_set(err, code, where, "%s: %s", what, lm_strerror(code));
}

int
lm_expo_write_with(struct lm_registry *r, struct lm_emit *e, struct lm_buf *out,
                   struct lm_err *err)
{
    enum lm_format fmt = lm_emit_format(e);
    if (r) {
        pthread_mutex_lock(&r->mu);
        for (size_t i = 0; i < r->ncolls; i++) {
            struct lm_err cerr;
            lm_err_clear(&cerr);
            int rc = r->colls[i].collect(r->colls[i].state, e, &cerr);
            if (rc && err && !err->code) {
                if (cerr.code)
                    *err = cerr;
                else
                    lm_err_set(err, rc, NULL, "collector failed: %s", lm_strerror(rc));
                if (!err->where[0])
                    lm_err_set(err, err->code, r->colls[i].name, "%.400s", cerr.msg);
            }
        }
        for (size_t j = 0; j < r->nfams; j++)
            if (lmi_emit_has(e, r->fams[j]->name)) {
                int rc = emit_family(r->fams[j], e);
                if (rc)
                    note(err, rc, r->fams[j]->name, "cannot merge family");
            }
    }
    size_t ne = lmi_emit_sort(e), nr = r ? r->nfams : 0, i = 0, j = 0;
    while (i < ne || j < nr) {
        int c = i == ne ? 1 : j == nr ? -1 : strcmp(lmi_emit_name(e, i), r->fams[j]->name);
        if (c <= 0) {
            lmi_emit_write(e, i++, out);
            j += c == 0;   /* already merged into the emitter */
        } else {
            int rc = write_family(r->fams[j], fmt, out);
            if (rc)
                note(err, rc, r->fams[j]->name, "incomplete family");
            j++;
        }
    }
    if (r)
        pthread_mutex_unlock(&r->mu);
    const struct lm_err *ee = lm_emit_error(e);
    if (ee && err && !err->code)
        *err = *ee;
    return lm_expo_finish(out, fmt);
}

int
lm_expo_write(struct lm_registry *r, enum lm_format fmt, struct lm_buf *out,
              struct lm_err *err)
{
    struct lm_emit *e = lm_emit_new(fmt);
    if (!e)
        return out->err ? out->err : (out->err = LM_ENOMEM);
    int rc = lm_expo_write_with(r, e, out, err);
    lm_emit_free(e);
    return rc;
}

int
lm_expo_finish(struct lm_buf *out, enum lm_format fmt)
{
    if (fmt == LM_FORMAT_OPENMETRICS)
        lm_buf_append(out, "# EOF\n", 6);
    return out->err;
}
