/* SPDX-License-Identifier: Apache-2.0 */
/* registry_int.h: the registry's layout, shared by registry.c (registration, children,
 * updates), summary.c (the sliding-window quantile estimator) and expo.c (the writer).
 * Children are one allocation each: header, payload words, packed label values. */
#ifndef LM_REGISTRY_INT_H
#define LM_REGISTRY_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include "lm/registry.h"

#define LMI_CHILD_ESCAPE 1u   /* some label value needs escaping when written */

/* A child. Payload words by type: counter/gauge/untyped: [0] value bits; histogram:
 * [0] sum bits, [1..nb+1] per-bucket counts (last: above every bound); summary: [0] a
 * struct lmi_summary pointer. Then uint16_t lens[nlabels] and the values' bytes. */
struct lm_metric {
    struct lm_family *fam;     /* owner */
    uint32_t hash;             /* hash of the label values */
    uint16_t lablen;           /* bytes of value data after lens[] */
    uint8_t flags;             /* LMI_CHILD_* */
    uint8_t pad_;              /* unused */
    _Atomic uint64_t v[];      /* payload words */
};

/* Open-addressing child table; replaced (not freed) when it grows, so lookups need no
 * lock. Retired tables are freed with the family. */
struct lmi_ctab {
    size_t cap;                          /* slots, a power of two */
    struct lmi_ctab *retired;            /* older table */
    _Atomic(struct lm_metric *) slot[];  /* children or NULL */
};

struct lm_family {
    struct lm_registry *reg;      /* owner */
    char *name;                   /* metric name */
    char *help;                   /* help text ("" when none) */
    enum lm_type type;            /* family type */
    size_t nlabels;               /* variable labels */
    char **label_names;           /* variable label names, declared order */
    size_t *perm;                 /* perm[i]: declared index of the i-th label by name */
    char **seg;                   /* nlabels+1 label-body pieces around the values */
    size_t *seglen;               /* their lengths */
    struct lm_label *consts;      /* constant labels (owned copies) */
    size_t nconst;                /* number of constant labels */
    bool has_labels;              /* any constant or variable label */
    bool perm_identity;           /* variable labels were declared sorted by name */
    size_t fixedlen;              /* bytes of a simple line besides values and number */
    char *lead;                   /* fast path: "name{" seg[0], or "name " */
    size_t leadlen;               /* its length */
    char *tail;                   /* fast path: seg[nlabels] "} " */
    size_t taillen;               /* its length */
    size_t nwords;                /* payload words per child */
    double *bounds;               /* histogram bounds */
    size_t nb;                    /* number of bounds */
    char **le[2];                 /* le strings per format (text, OpenMetrics) */
    struct lm_quantile *obj;      /* summary objectives, by q */
    size_t nobj;                  /* number of objectives */
    double max_age;               /* summary window seconds */
    unsigned age_buckets;         /* summary age buckets */
    struct lm_metric *single;     /* the child of an unlabelled family */
    _Atomic(struct lmi_ctab *) tab;  /* child lookup */
    size_t nchildren;             /* children (under mu) */
    pthread_mutex_t mu;           /* child creation, pending */
    struct lm_metric **pending;   /* children created since the last write (under mu) */
    size_t npending;              /* used */
    size_t cappending;            /* allocated */
    pthread_mutex_t wmu;          /* writers: sorted */
    struct lm_metric **sorted;    /* children by label values (under wmu) */
    size_t nsorted;               /* used */
};

struct lmi_collector {
    char *name;                                              /* for errors */
    int (*collect)(void *state, struct lm_emit *e, struct lm_err *err);  /* callback */
    void *state;                                             /* borrowed */
};

struct lm_registry {
    pthread_mutex_t mu;                 /* families and collectors */
    struct lm_family **fams;            /* sorted by name */
    size_t nfams;                       /* used */
    size_t capfams;                     /* allocated */
    struct lmi_collector *colls;        /* in registration order */
    size_t ncolls;                      /* used */
    double (*now)(void *arg);           /* summary clock, or NULL */
    void *now_arg;                      /* its argument */
};

/* Label data of a child: lengths then bytes. */
static inline const uint16_t *
lmi_child_lens(const struct lm_metric *m)
{
    return (const uint16_t *)(const void *)(m->v + m->fam->nwords);
}
static inline const char *
lmi_child_vals(const struct lm_metric *m)
{
    return (const char *)(lmi_child_lens(m) + m->fam->nlabels);
}

static inline double
lmi_bits2d(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}
static inline uint64_t
lmi_d2bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* lmi_now: the registry clock in seconds. */
double lmi_now(const struct lm_registry *r);

/* summary.c: the window state of one summary child. */
struct lmi_summary;
struct lmi_summary *lmi_summary_new(const struct lm_family *f);
void lmi_summary_free(struct lmi_summary *s);
void lmi_summary_observe(struct lmi_summary *s, double v, double now);
/* lmi_summary_snapshot: sum, count, and the estimate of each qs[i] into out[i] (NaN when
 * the window is empty or on OOM); nq may be 0. Returns 0 or LM_ENOMEM. */
int lmi_summary_snapshot(struct lmi_summary *s, double now, double *sum, uint64_t *count,
                          const double *qs, double *out, size_t nq);

/* lmi_family_sorted: bring f->sorted up to date (merge pending). Caller holds f->wmu.
 * 0 or LM_ENOMEM (then f->sorted is still the old, valid order without the new ones). */
int lmi_family_sorted(struct lm_family *f);

/* lmi_histogram_read: cumulative bucket counts (nb+1, the last is +Inf = count) and sum. */
void lmi_histogram_read(struct lm_metric *m, uint64_t *cum, double *sum);

#endif
