/* SPDX-License-Identifier: Apache-2.0 */
/* summary.c: the sliding-window quantile estimator behind summary children. The window
 * (max_age) is cut into age_buckets time slots; each slot keeps its observations exactly
 * up to LM_SUMMARY_WINDOW_SAMPLES, then a uniform reservoir of them (Vitter's algorithm R)
 * weighted by how many it stands for. A quantile is the nearest-rank value of the
 * weighted observations of the slots still inside the window. Sum and count never expire. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include "lm/alloc.h"
#include "registry_int.h"

struct agebuf {
    int64_t slot;      /* time slot held (floor(now / width)), INT64_MIN when empty */
    double *v;         /* observations (or the reservoir) */
    size_t n;          /* used */
    size_t cap;        /* allocated */
    uint64_t seen;     /* observations this slot received */
};

struct lmi_summary {
    pthread_mutex_t mu;      /* everything below */
    double sum;              /* all-time sum */
    uint64_t count;          /* all-time count */
    double width;            /* seconds per slot */
    unsigned nage;           /* slots in the window */
    uint64_t rng;            /* xorshift64 state for the reservoir */
    struct agebuf age[];     /* nage slots, indexed by slot mod nage */
};

struct wv {
    double v;   /* value */
    double w;   /* weight: observations it stands for */
};

struct lmi_summary *
lmi_summary_new(const struct lm_family *f)
{
    struct lmi_summary *s = lm_calloc(1, sizeof *s + f->age_buckets * sizeof s->age[0]);
    if (!s)
        return NULL;
    pthread_mutex_init(&s->mu, NULL);
    s->nage = f->age_buckets;
    s->width = f->max_age / f->age_buckets;
    s->rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)s;
    for (unsigned i = 0; i < s->nage; i++)
        s->age[i].slot = INT64_MIN;
    return s;
}

void
lmi_summary_free(struct lmi_summary *s)
{
    if (!s)
        return;
    for (unsigned i = 0; i < s->nage; i++)
        lm_free(s->age[i].v);
    pthread_mutex_destroy(&s->mu);
    lm_free(s);
}

static int64_t
slot_of(const struct lmi_summary *s, double now)
{
    /* floor without libm (the small exporters then do not map it) */
    double q = now / s->width;
    int64_t t = (int64_t)q;
    return (double)t > q ? t - 1 : t;
}

static struct agebuf *
buf_of(struct lmi_summary *s, int64_t slot)
{
    int64_t i = slot % (int64_t)s->nage;
    return &s->age[i < 0 ? i + s->nage : i];
}

static uint64_t
next_rand(struct lmi_summary *s)
{
    uint64_t x = s->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return s->rng = x;
}

void
lmi_summary_observe(struct lmi_summary *s, double v, double now)
{
    int64_t slot = slot_of(s, now);
    pthread_mutex_lock(&s->mu);
    s->sum += v;
    s->count++;
    struct agebuf *b = buf_of(s, slot);
    if (b->slot != slot) {
        b->slot = slot;
        b->n = 0;
        b->seen = 0;
    }
    b->seen++;
    if (b->n < LM_SUMMARY_WINDOW_SAMPLES) {
        if (b->n == b->cap) {
            size_t cap = b->cap ? b->cap * 2 : 16;
            if (cap > LM_SUMMARY_WINDOW_SAMPLES)
                cap = LM_SUMMARY_WINDOW_SAMPLES;
            double *nv = lm_realloc(b->v, cap * sizeof *nv);
            if (!nv) {   /* OOM: the observation counts but is not in the window */
                b->seen--;
                pthread_mutex_unlock(&s->mu);
                return;
            }
            b->v = nv;
            b->cap = cap;
        }
        b->v[b->n++] = v;
    } else {
        uint64_t j = next_rand(s) % b->seen;
        if (j < b->n)
            b->v[j] = v;
    }
    pthread_mutex_unlock(&s->mu);
}

static int
cmp_wv(const void *a, const void *b)
{
    double x = ((const struct wv *)a)->v, y = ((const struct wv *)b)->v;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return x < y ? -1 : x > y;
}

int
lmi_summary_snapshot(struct lmi_summary *s, double now, double *sum, uint64_t *count,
                     const double *qs, double *out, size_t nq)
{
    int64_t cur = slot_of(s, now);
    for (size_t i = 0; i < nq; i++)
        out[i] = NAN;
    pthread_mutex_lock(&s->mu);
    *sum = s->sum;
    *count = s->count;
    size_t n = 0;
    for (unsigned i = 0; nq && i < s->nage; i++)
        if (s->age[i].slot <= cur && s->age[i].slot > cur - (int64_t)s->nage)
            n += s->age[i].n;
    struct wv *all = n ? lm_malloc(n * sizeof *all) : NULL;
    size_t k = 0;
    double total = 0;
    for (unsigned i = 0; all && i < s->nage; i++) {
        const struct agebuf *b = &s->age[i];
        if (b->slot > cur || b->slot <= cur - (int64_t)s->nage || !b->n)
            continue;
        double w = (double)b->seen / (double)b->n;
        for (size_t j = 0; j < b->n; j++)
            all[k++] = (struct wv){b->v[j], w};
        total += w * (double)b->n;
    }
    pthread_mutex_unlock(&s->mu);
    if (!all)
        return n ? LM_ENOMEM : 0;
    qsort(all, k, sizeof *all, cmp_wv);
    for (size_t i = 0; i < nq; i++) {
        double target = qs[i] * total, cum = 0;
        out[i] = all[k - 1].v;
        for (size_t j = 0; j < k; j++) {
            cum += all[j].w;
            if (cum >= target * (1 - 1e-12)) {
                out[i] = all[j].v;
                break;
            }
        }
    }
    lm_free(all);
    return 0;
}
