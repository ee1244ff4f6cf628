/* SPDX-License-Identifier: Apache-2.0 */
/* child.c: the children of a registry family (lm/registry.h): lookup by label values in a
 * lock-free open-addressing table, creation under the family's short lock, the atomic
 * updates and reads, the lazily merged sorted order the writer walks, bucket helpers. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lm/alloc.h"
#include "lm/fmt.h"
#include "lm/limits.h"
#include "registry_int.h"

/* atomic_addf: add v to the double stored in *w (CAS loop on its bits). */
static void
atomic_addf(_Atomic uint64_t *w, double v)
{
    uint64_t old = atomic_load_explicit(w, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(w, &old, lmi_d2bits(lmi_bits2d(old) + v),
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
}

static uint32_t
hash_values(const char *const *values, const size_t *lens, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < lens[i]; k++)
            h = (h ^ (unsigned char)values[i][k]) * 16777619u;
        h = (h ^ 0xffu) * 16777619u;
    }
    return h;
}

static bool
child_matches(const struct lm_metric *m, uint32_t h, const char *const *values,
              const size_t *lens, size_t n)
{
    if (m->hash != h)
        return false;
    const uint16_t *ml = lmi_child_lens(m);
    const char *p = lmi_child_vals(m);
    for (size_t i = 0; i < n; i++) {
        if (ml[i] != lens[i] || memcmp(p, values[i], lens[i]) != 0)
            return false;
        p += lens[i];
    }
    return true;
}

static struct lm_metric *
tab_find(struct lmi_ctab *t, uint32_t h, const char *const *values, const size_t *lens,
         size_t n)
{
    if (!t)
        return NULL;
    size_t mask = t->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct lm_metric *m = atomic_load_explicit(&t->slot[i], memory_order_acquire);
        if (!m || child_matches(m, h, values, lens, n))
            return m;
    }
}

static void
tab_put(struct lmi_ctab *t, struct lm_metric *m)
{
    size_t mask = t->cap - 1;
    size_t i = m->hash & mask;
    while (atomic_load_explicit(&t->slot[i], memory_order_relaxed))
        i = (i + 1) & mask;
    atomic_store_explicit(&t->slot[i], m, memory_order_release);
}

/* reserve: room for one more child in the table and in pending. Under f->mu. */
static int
reserve(struct lm_family *f)
{
    if (f->npending == f->cappending) {
        size_t cap = f->cappending ? f->cappending * 2 : 16;
        struct lm_metric **p = lm_realloc(f->pending, cap * sizeof *p);
        if (!p)
            return LM_ENOMEM;
        f->pending = p;
        f->cappending = cap;
    }
    if (f->nlabels == 0)
        return 0;
    struct lmi_ctab *t = atomic_load_explicit(&f->tab, memory_order_relaxed);
    if (t && (f->nchildren + 1) * 4 <= t->cap * 3)
        return 0;
    size_t cap = t ? t->cap * 2 : 16;
    struct lmi_ctab *nt = lm_calloc(1, sizeof *nt + cap * sizeof nt->slot[0]);
    if (!nt)
        return LM_ENOMEM;
    nt->cap = cap;
    nt->retired = t;
    for (size_t i = 0; t && i < t->cap; i++) {
        struct lm_metric *m = atomic_load_explicit(&t->slot[i], memory_order_relaxed);
        if (m)
            tab_put(nt, m);
    }
    atomic_store_explicit(&f->tab, nt, memory_order_release);
    return 0;
}

/* create: a new child with these values. Under f->mu; NULL on OOM. */
static struct lm_metric *
create(struct lm_family *f, uint32_t h, const char *const *values, const size_t *lens)
{
    size_t n = f->nlabels, total = 0;
    for (size_t i = 0; i < n; i++)
        total += lens[i];
    if (total > UINT16_MAX || reserve(f))
        return NULL;
    struct lm_metric *m = lm_malloc(sizeof *m + f->nwords * sizeof m->v[0] +
                                    n * sizeof(uint16_t) + total);
    if (!m)
        return NULL;
    m->fam = f;
    m->hash = h;
    m->lablen = (uint16_t)total;
    m->flags = 0;
    m->pad_ = 0;
    for (size_t i = 0; i < f->nwords; i++)
        atomic_init(&m->v[i], 0);
    if (f->type == LM_TYPE_SUMMARY) {
        struct lmi_summary *s = lmi_summary_new(f);
        if (!s) {
            lm_free(m);
            return NULL;
        }
        atomic_init(&m->v[0], (uint64_t)(uintptr_t)s);
    }
    uint16_t *ml = (uint16_t *)(void *)(m->v + f->nwords);
    char *p = (char *)(ml + n);
    for (size_t i = 0; i < n; i++) {
        ml[i] = (uint16_t)lens[i];
        memcpy(p, values[i], lens[i]);
        if (lm_fmt_label_value_needs_escape(values[i], lens[i]))
            m->flags |= LMI_CHILD_ESCAPE;
        p += lens[i];
    }
    if (n)
        tab_put(atomic_load_explicit(&f->tab, memory_order_relaxed), m);
    f->pending[f->npending++] = m;
    f->nchildren++;
    return m;
}

struct lm_metric *
lm_family_with(struct lm_family *f, const char *const *values)
{
    if (!f)
        return NULL;
    size_t n = f->nlabels;
    if (n == 0) {
        if (f->single)
            return f->single;
        pthread_mutex_lock(&f->mu);
        if (!f->single)
            f->single = create(f, 0, NULL, NULL);
        pthread_mutex_unlock(&f->mu);
        return f->single;
    }
    if (!values)
        return NULL;
    size_t lens[LM_LIMIT_LABELS];
    for (size_t i = 0; i < n; i++) {
        if (!values[i])
            return NULL;
        lens[i] = strlen(values[i]);
        if (lens[i] > UINT16_MAX)
            return NULL;
    }
    uint32_t h = hash_values(values, lens, n);
    struct lm_metric *m =
        tab_find(atomic_load_explicit(&f->tab, memory_order_acquire), h, values, lens, n);
    if (m)
        return m;
    pthread_mutex_lock(&f->mu);
    m = tab_find(atomic_load_explicit(&f->tab, memory_order_relaxed), h, values, lens, n);
    if (!m)
        m = create(f, h, values, lens);
    pthread_mutex_unlock(&f->mu);
    return m;
}

struct lm_metric *
lm_family_withv(struct lm_family *f, ...)
{
    const char *values[LM_LIMIT_LABELS];
    if (!f)
        return NULL;
    va_list ap;
    va_start(ap, f);
    size_t n = 0;
    const char *v;
    while ((v = va_arg(ap, const char *)) != NULL && n < LM_LIMIT_LABELS)
        values[n++] = v;
    va_end(ap);
    if (n != f->nlabels)
        return NULL;
    return lm_family_with(f, values);
}

size_t
lm_family_children(struct lm_family *f)
{
    pthread_mutex_lock(&f->mu);
    size_t n = f->nchildren;
    pthread_mutex_unlock(&f->mu);
    return n;
}

/* value_at: the value of declared label i of m, and its length. */
static const char *
value_at(const struct lm_metric *m, size_t i, size_t *len)
{
    const uint16_t *ml = lmi_child_lens(m);
    const char *p = lmi_child_vals(m);
    for (size_t k = 0; k < i; k++)
        p += ml[k];
    *len = ml[i];
    return p;
}

/* cmp_child: client_golang's order: label values by label name, bytewise. */
static int
cmp_child(const void *a, const void *b, void *arg)
{
    const struct lm_family *f = arg;
    const struct lm_metric *x = *(struct lm_metric *const *)a, *y = *(struct lm_metric *const *)b;
    if (f->perm_identity) {   /* values are stored in output order: walk both */
        const uint16_t *lx = lmi_child_lens(x), *ly = lmi_child_lens(y);
        const char *px = lmi_child_vals(x), *py = lmi_child_vals(y);
        for (size_t i = 0; i < f->nlabels; i++) {
            int c = memcmp(px, py, lx[i] < ly[i] ? lx[i] : ly[i]);
            if (c)
                return c;
            if (lx[i] != ly[i])
                return lx[i] < ly[i] ? -1 : 1;
            px += lx[i];
            py += ly[i];
        }
        return 0;
    }
    for (size_t i = 0; i < f->nlabels; i++) {
        size_t lx, ly;
        const char *px = value_at(x, f->perm[i], &lx), *py = value_at(y, f->perm[i], &ly);
        int c = memcmp(px, py, lx < ly ? lx : ly);
        if (c)
            return c;
        if (lx != ly)
            return lx < ly ? -1 : 1;
    }
    return 0;
}

int
lmi_family_sorted(struct lm_family *f)
{
    pthread_mutex_lock(&f->mu);
    size_t k = f->npending;
    pthread_mutex_unlock(&f->mu);
    if (!k)
        return 0;
    size_t total = f->nsorted + k;
    struct lm_metric **all = lm_malloc(total * sizeof *all);
    if (!all)
        return LM_ENOMEM;
    pthread_mutex_lock(&f->mu);   /* pending only grows while we are not looking */
    memcpy(all, f->pending, k * sizeof *all);
    memmove(f->pending, f->pending + k, (f->npending - k) * sizeof *all);
    f->npending -= k;
    pthread_mutex_unlock(&f->mu);
    struct lm_metric **fresh = all;
    qsort_r(fresh, k, sizeof *fresh, cmp_child, f);
    /* merge from the back: old f->sorted[0..i) with fresh = all[0..j) into all[0..total);
     * the write position i + j - 1 never lands on an unread fresh entry */
    size_t i = f->nsorted, j = k, o = total;
    while (j > 0) {
        if (i > 0 && cmp_child(&f->sorted[i - 1], &fresh[j - 1], f) > 0)
            all[--o] = f->sorted[--i];
        else
            all[--o] = fresh[--j];
    }
    if (i)
        memcpy(all, f->sorted, i * sizeof *all);
    lm_free(f->sorted);
    f->sorted = all;
    f->nsorted = total;
    return 0;
}

/* Updates. */

static bool
is(const struct lm_metric *m, enum lm_type a, enum lm_type b)
{
    return m && (m->fam->type == a || m->fam->type == b);
}

void
lm_counter_inc(struct lm_metric *m)
{
    if (is(m, LM_TYPE_COUNTER, LM_TYPE_UNTYPED))
        atomic_addf(&m->v[0], 1);
}

int
lm_counter_add(struct lm_metric *m, double v)
{
    if (!is(m, LM_TYPE_COUNTER, LM_TYPE_UNTYPED) || v < 0)
        return LM_EINVAL;
    atomic_addf(&m->v[0], v);
    return 0;
}

void
lm_gauge_set(struct lm_metric *m, double v)
{
    if (is(m, LM_TYPE_GAUGE, LM_TYPE_UNTYPED))
        atomic_store_explicit(&m->v[0], lmi_d2bits(v), memory_order_relaxed);
}

void
lm_gauge_add(struct lm_metric *m, double v)
{
    if (is(m, LM_TYPE_GAUGE, LM_TYPE_UNTYPED))
        atomic_addf(&m->v[0], v);
}

void
lm_gauge_sub(struct lm_metric *m, double v)
{
    lm_gauge_add(m, -v);
}

void
lm_gauge_inc(struct lm_metric *m)
{
    lm_gauge_add(m, 1);
}

void
lm_gauge_dec(struct lm_metric *m)
{
    lm_gauge_add(m, -1);
}

void
lm_gauge_set_to_current_time(struct lm_metric *m)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    lm_gauge_set(m, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

void
lm_histogram_observe(struct lm_metric *m, double v)
{
    if (!is(m, LM_TYPE_HISTOGRAM, LM_TYPE_HISTOGRAM))
        return;
    const struct lm_family *f = m->fam;
    size_t lo = 0, hi = f->nb;   /* first bound >= v; NaN ends in +Inf */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (f->bounds[mid] >= v)
            hi = mid;
        else
            lo = mid + 1;
    }
    if (isnan(v))
        lo = f->nb;
    atomic_fetch_add_explicit(&m->v[1 + lo], 1, memory_order_relaxed);
    atomic_addf(&m->v[0], v);
}

void
lm_summary_observe(struct lm_metric *m, double v)
{
    if (!is(m, LM_TYPE_SUMMARY, LM_TYPE_SUMMARY))
        return;
    struct lmi_summary *s = (struct lmi_summary *)(uintptr_t)atomic_load(&m->v[0]);
    lmi_summary_observe(s, v, lmi_now(m->fam->reg));
}

void
lmi_histogram_read(struct lm_metric *m, uint64_t *cum, double *sum)
{
    uint64_t c = 0;
    for (size_t i = 0; i <= m->fam->nb; i++) {
        c += atomic_load_explicit(&m->v[1 + i], memory_order_relaxed);
        cum[i] = c;
    }
    *sum = lmi_bits2d(atomic_load_explicit(&m->v[0], memory_order_relaxed));
}

/* read_agg: count and sum of a histogram or summary child. */
static void
read_agg(struct lm_metric *m, double *count, double *sum)
{
    if (m->fam->type == LM_TYPE_HISTOGRAM) {
        uint64_t c = 0;
        for (size_t i = 0; i <= m->fam->nb; i++)
            c += atomic_load_explicit(&m->v[1 + i], memory_order_relaxed);
        *count = (double)c;
        *sum = lmi_bits2d(atomic_load_explicit(&m->v[0], memory_order_relaxed));
    } else {
        struct lmi_summary *s = (struct lmi_summary *)(uintptr_t)atomic_load(&m->v[0]);
        uint64_t c;
        lmi_summary_snapshot(s, lmi_now(m->fam->reg), sum, &c, NULL, NULL, 0);
        *count = (double)c;
    }
}

double
lm_metric_value(struct lm_metric *m)
{
    if (!m)
        return NAN;
    if (is(m, LM_TYPE_HISTOGRAM, LM_TYPE_SUMMARY)) {
        double c, s;
        read_agg(m, &c, &s);
        return c;
    }
    return lmi_bits2d(atomic_load_explicit(&m->v[0], memory_order_relaxed));
}

double
lm_metric_sum(struct lm_metric *m)
{
    if (!is(m, LM_TYPE_HISTOGRAM, LM_TYPE_SUMMARY))
        return lm_metric_value(m);
    double c, s;
    read_agg(m, &c, &s);
    return s;
}

uint64_t
lm_histogram_bucket(struct lm_metric *m, size_t i)
{
    if (!is(m, LM_TYPE_HISTOGRAM, LM_TYPE_HISTOGRAM) || i > m->fam->nb)
        return 0;
    uint64_t c = 0;
    for (size_t k = 0; k <= i; k++)
        c += atomic_load_explicit(&m->v[1 + k], memory_order_relaxed);
    return c;
}

double
lm_summary_quantile(struct lm_metric *m, double q)
{
    if (!is(m, LM_TYPE_SUMMARY, LM_TYPE_SUMMARY))
        return NAN;
    struct lmi_summary *s = (struct lmi_summary *)(uintptr_t)atomic_load(&m->v[0]);
    double sum, out;
    uint64_t c;
    lmi_summary_snapshot(s, lmi_now(m->fam->reg), &sum, &c, &q, &out, 1);
    return out;
}

int
lm_buckets_linear(double start, double width, size_t count, double *out)
{
    if (count == 0 || !out)
        return LM_EINVAL;
    for (size_t i = 0; i < count; i++) {
        out[i] = start;
        start += width;
    }
    return 0;
}

int
lm_buckets_exponential(double start, double factor, size_t count, double *out)
{
    if (count == 0 || !out || !(start > 0) || !(factor > 1))
        return LM_EINVAL;
    for (size_t i = 0; i < count; i++) {
        out[i] = start;
        start *= factor;
    }
    return 0;
}
