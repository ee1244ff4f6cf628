/* SPDX-License-Identifier: Apache-2.0 */
/* registry.c: registration of families and collectors, child lookup/creation (a lock-free
 * open-addressing table, a short lock on creation) and the lock-free updates (lm/registry.h).
 * Rendering lives in expo.c, the summary window in summary.c. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "emit_int.h"
#include "lm/alloc.h"
#include "lm/fmt.h"
#include "lm/limits.h"
#include "registry_int.h"

const double lm_def_buckets[LM_DEF_BUCKETS_N] = {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};

double
lmi_now(const struct lm_registry *r)
{
    if (r->now)
        return r->now(r->now_arg);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct lm_registry *
lm_registry_new(void)
{
    struct lm_registry *r = lm_calloc(1, sizeof *r);
    if (r)
        pthread_mutex_init(&r->mu, NULL);
    return r;
}

static void
free_child(struct lm_family *f, struct lm_metric *m)
{
    if (f->type == LM_TYPE_SUMMARY)
        lmi_summary_free((struct lmi_summary *)(uintptr_t)atomic_load(&m->v[0]));
    lm_free(m);
}

static void
free_family(struct lm_family *f)
{
    if (!f)
        return;
    struct lmi_ctab *t = atomic_load(&f->tab);
    if (t)
        for (size_t i = 0; i < t->cap; i++) {
            struct lm_metric *m = atomic_load(&t->slot[i]);
            if (m)
                free_child(f, m);
        }
    if (f->single && !t)
        free_child(f, f->single);
    while (t) {
        struct lmi_ctab *n = t->retired;
        lm_free(t);
        t = n;
    }
    for (size_t i = 0; i < f->nlabels; i++)
        lm_free(f->label_names ? f->label_names[i] : NULL);
    for (size_t i = 0; f->seg && i <= f->nlabels; i++)
        lm_free(f->seg[i]);
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; f->le[k] && i < f->nb; i++)
            lm_free(f->le[k][i]);
        lm_free(f->le[k]);
    }
    for (size_t i = 0; f->consts && i < f->nconst; i++) {
        lm_free((char *)f->consts[i].name);
        lm_free((char *)f->consts[i].value);
    }
    lm_free(f->consts);
    lm_free(f->label_names);
    lm_free(f->perm);
    lm_free(f->seg);
    lm_free(f->seglen);
    lm_free(f->lead);
    lm_free(f->tail);
    lm_free(f->bounds);
    lm_free(f->obj);
    lm_free(f->pending);
    lm_free(f->sorted);
    lm_free(f->name);
    lm_free(f->help);
    pthread_mutex_destroy(&f->mu);
    pthread_mutex_destroy(&f->wmu);
    lm_free(f);
}

void
lm_registry_free(struct lm_registry *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nfams; i++)
        free_family(r->fams[i]);
    for (size_t i = 0; i < r->ncolls; i++)
        lm_free(r->colls[i].name);
    lm_free(r->fams);
    lm_free(r->colls);
    pthread_mutex_destroy(&r->mu);
    lm_free(r);
}

void
lm_registry_set_clock(struct lm_registry *r, double (*now)(void *arg), void *arg)
{
    r->now = now;
    r->now_arg = arg;
}

/* check_labels: validate variable and constant label names for type t. */
static int
check_labels(const struct lm_metric_opts *o, struct lm_err *err)
{
    const char *reserved = o->type == LM_TYPE_HISTOGRAM ? "le"
                         : o->type == LM_TYPE_SUMMARY   ? "quantile"
                                                        : NULL;
    size_t total = o->nlabels + o->nconst;
    if (total > LM_LIMIT_LABELS)
        return lm_err_set(err, LM_ELABEL, o->name, "too many labels (%zu)", total);
    for (size_t i = 0; i < total; i++) {
        const char *n = i < o->nlabels ? o->label_names[i] : o->const_labels[i - o->nlabels].name;
        if (!lm_label_name_valid(n))
            return lm_err_set(err, LM_ELABEL, o->name, "invalid label name \"%s\"", n ? n : "");
        if (reserved && strcmp(n, reserved) == 0)
            return lm_err_set(err, LM_ELABEL, o->name, "label name \"%s\" is reserved", n);
        if (i >= o->nlabels && !o->const_labels[i - o->nlabels].value)
            return lm_err_set(err, LM_ELABEL, o->name, "constant label \"%s\" has no value", n);
        for (size_t j = 0; j < i; j++) {
            const char *p = j < o->nlabels ? o->label_names[j]
                                           : o->const_labels[j - o->nlabels].name;
            if (strcmp(p, n) == 0)
                return lm_err_set(err, LM_ELABEL, o->name, "duplicate label name \"%s\"", n);
        }
    }
    return 0;
}

/* check_opts: everything about o that can be refused before allocating. */
static int
check_opts(const struct lm_metric_opts *o, struct lm_err *err)
{
    if (!lm_metric_name_valid(o->name))
        return lm_err_set(err, LM_ENAME, o->name, "invalid metric name \"%s\"",
                          o->name ? o->name : "");
    if ((unsigned)o->type > LM_TYPE_SUMMARY)
        return lm_err_set(err, LM_EINVAL, o->name, "invalid metric type %d", (int)o->type);
    if ((o->nlabels && !o->label_names) || (o->nconst && !o->const_labels))
        return lm_err_set(err, LM_EINVAL, o->name, "label count without labels");
    int rc = check_labels(o, err);
    if (rc)
        return rc;
    if (o->type == LM_TYPE_HISTOGRAM && o->buckets) {
        for (size_t i = 0; i < o->nbuckets; i++)
            if (isnan(o->buckets[i]) || (i > 0 && !(o->buckets[i] > o->buckets[i - 1])) ||
                (isinf(o->buckets[i]) && !(i == o->nbuckets - 1 && o->buckets[i] > 0)))
                return lm_err_set(err, LM_EINVAL, o->name,
                                  "histogram buckets must be in increasing order");
    }
    if (o->type == LM_TYPE_SUMMARY) {
        if (o->nobjectives && !o->objectives)
            return lm_err_set(err, LM_EINVAL, o->name, "objective count without objectives");
        for (size_t i = 0; i < o->nobjectives; i++)
            if (!(o->objectives[i].q >= 0 && o->objectives[i].q <= 1))
                return lm_err_set(err, LM_EINVAL, o->name, "quantile %g not in [0, 1]",
                                  o->objectives[i].q);
        if (o->max_age < 0 || isnan(o->max_age))
            return lm_err_set(err, LM_EINVAL, o->name, "negative summary max_age");
    }
    return 0;
}

static int
cmp_q(const void *a, const void *b)
{
    double x = ((const struct lm_quantile *)a)->q, y = ((const struct lm_quantile *)b)->q;
    return x < y ? -1 : x > y;
}

/* label_item: one label of the rendered body, sorted by name. */
struct label_item {
    const char *name;    /* label name */
    const char *value;   /* constant value, or NULL for a variable label */
    size_t var;          /* declared index of a variable label */
};

static int
cmp_item(const void *a, const void *b)
{
    return strcmp(((const struct label_item *)a)->name, ((const struct label_item *)b)->name);
}

/* build_layout: perm, seg[], lead and tail from the sorted label list. */
static int
build_layout(struct lm_family *f, const struct lm_metric_opts *o)
{
    size_t total = o->nlabels + o->nconst;
    struct label_item items[LM_LIMIT_LABELS];
    for (size_t i = 0; i < o->nlabels; i++)
        items[i] = (struct label_item){o->label_names[i], NULL, i};
    for (size_t i = 0; i < o->nconst; i++)
        items[o->nlabels + i] = (struct label_item){o->const_labels[i].name,
                                                    o->const_labels[i].value, 0};
    qsort(items, total, sizeof items[0], cmp_item);
    f->has_labels = total > 0;
    f->perm = lm_calloc(f->nlabels + 1, sizeof *f->perm);
    f->seg = lm_calloc(f->nlabels + 1, sizeof *f->seg);
    f->seglen = lm_calloc(f->nlabels + 1, sizeof *f->seglen);
    if (!f->perm || !f->seg || !f->seglen)
        return LM_ENOMEM;
    struct lm_buf b;
    lm_buf_init(&b, LM_LIMIT_EXPO_BYTES);
    size_t nv = 0;
    int rc = 0;
    for (size_t i = 0; i < total && !rc; i++) {
        if (i > 0)
            lm_buf_putc(&b, ',');
        lm_buf_puts(&b, items[i].name);
        lm_buf_append(&b, "=\"", 2);
        if (items[i].value) {
            lm_fmt_put_label_value(&b, items[i].value, strlen(items[i].value));
            lm_buf_putc(&b, '"');
            continue;
        }
        f->perm[nv] = items[i].var;
        f->seglen[nv] = b.len;
        f->seg[nv] = lm_buf_take(&b, NULL);
        if (!f->seg[nv])
            f->seg[nv] = lm_strdup("");
        if (!f->seg[nv])
            rc = LM_ENOMEM;
        nv++;
        lm_buf_putc(&b, '"');
    }
    if (!rc) {
        f->seglen[nv] = b.len;
        f->seg[nv] = b.len ? lm_buf_take(&b, NULL) : lm_strdup("");
        if (!f->seg[nv])
            rc = LM_ENOMEM;
    }
    lm_buf_cleanup(&b);
    if (rc)
        return rc;
    lm_buf_init(&b, LM_LIMIT_EXPO_BYTES);
    lm_buf_puts(&b, f->name);
    if (f->has_labels) {
        lm_buf_putc(&b, '{');
        lm_buf_append(&b, f->seg[0], f->seglen[0]);
    } else {
        lm_buf_putc(&b, ' ');
    }
    f->leadlen = b.len;
    f->lead = lm_buf_take(&b, NULL);
    if (f->has_labels) {
        if (nv)   /* with no variable label, seg[0] is already in lead */
            lm_buf_append(&b, f->seg[nv], f->seglen[nv]);
        lm_buf_append(&b, "} ", 2);
        f->taillen = b.len;
        f->tail = lm_buf_take(&b, NULL);
    } else {
        f->tail = lm_strdup("");
    }
    f->perm_identity = true;
    f->fixedlen = f->leadlen + f->taillen + 2;
    for (size_t i = 0; i < nv; i++) {
        f->perm_identity &= f->perm[i] == i;
        f->fixedlen += f->seglen[i];
    }
    return f->lead && f->tail ? 0 : LM_ENOMEM;
}

/* build_type: histogram bounds and le strings; summary objectives. */
static int
build_type(struct lm_family *f, const struct lm_metric_opts *o)
{
    if (f->type == LM_TYPE_HISTOGRAM) {
        const double *b = o->buckets ? o->buckets : lm_def_buckets;
        size_t nb = o->buckets ? o->nbuckets : LM_DEF_BUCKETS_N;
        if (nb && isinf(b[nb - 1]))
            nb--;
        f->nb = nb;
        f->bounds = lm_calloc(nb + 1, sizeof *f->bounds);
        f->le[0] = lm_calloc(nb + 1, sizeof(char *));
        f->le[1] = lm_calloc(nb + 1, sizeof(char *));
        if (!f->bounds || !f->le[0] || !f->le[1])
            return LM_ENOMEM;
        for (size_t i = 0; i < nb; i++) {
            char tmp[LM_FMT_DOUBLE_MAX];
            f->bounds[i] = b[i];
            lm_fmt_double(tmp, b[i]);
            f->le[0][i] = lm_strdup(tmp);
            lm_fmt_double_om(tmp, b[i]);
            f->le[1][i] = lm_strdup(tmp);
            if (!f->le[0][i] || !f->le[1][i])
                return LM_ENOMEM;
        }
        f->nwords = 1 + nb + 1;
    } else if (f->type == LM_TYPE_SUMMARY) {
        f->nobj = o->nobjectives;
        f->obj = lm_calloc(f->nobj + 1, sizeof *f->obj);
        if (!f->obj)
            return LM_ENOMEM;
        if (f->nobj)
            memcpy(f->obj, o->objectives, f->nobj * sizeof *f->obj);
        qsort(f->obj, f->nobj, sizeof *f->obj, cmp_q);
        f->max_age = o->max_age > 0 ? o->max_age : LM_SUMMARY_MAX_AGE;
        f->age_buckets = o->age_buckets ? o->age_buckets : LM_SUMMARY_AGE_BUCKETS;
        f->nwords = 1;
    } else {
        f->nwords = 1;
    }
    return 0;
}

/* new_family: allocate and fill f from o (already checked). NULL on OOM. */
static struct lm_family *
new_family(struct lm_registry *r, const struct lm_metric_opts *o)
{
    struct lm_family *f = lm_calloc(1, sizeof *f);
    if (!f)
        return NULL;
    pthread_mutex_init(&f->mu, NULL);
    pthread_mutex_init(&f->wmu, NULL);
    f->reg = r;
    f->type = o->type;
    f->nlabels = o->nlabels;
    f->name = lm_strdup(o->name);
    f->help = lm_strdup(o->help ? o->help : "");
    f->label_names = lm_calloc(f->nlabels + 1, sizeof *f->label_names);
    if (!f->name || !f->help || !f->label_names)
        goto fail;
    for (size_t i = 0; i < f->nlabels; i++)
        if (!(f->label_names[i] = lm_strdup(o->label_names[i])))
            goto fail;
    f->nconst = o->nconst;
    f->consts = lm_calloc(o->nconst + 1, sizeof *f->consts);
    if (!f->consts)
        goto fail;
    for (size_t i = 0; i < o->nconst; i++) {
        f->consts[i].name = lm_strdup(o->const_labels[i].name);
        f->consts[i].value = lm_strdup(o->const_labels[i].value);
        if (!f->consts[i].name || !f->consts[i].value)
            goto fail;
    }
    if (build_layout(f, o) || build_type(f, o))
        goto fail;
    if (f->nlabels == 0 && !lm_family_with(f, NULL))
        goto fail;
    return f;
fail:
    free_family(f);
    return NULL;
}

static int
fam_pos(const struct lm_registry *r, const char *name, bool *found)
{
    size_t lo = 0, hi = r->nfams;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(r->fams[mid]->name, name);
        if (c == 0) {
            *found = true;
            return (int)mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return (int)lo;
}

struct lm_family *
lm_registry_add(struct lm_registry *r, const struct lm_metric_opts *o, struct lm_err *err)
{
    if (!r || !o)
        return lm_err_set(err, LM_EINVAL, NULL, "no registry or options"), NULL;
    if (check_opts(o, err))
        return NULL;
    struct lm_family *f = new_family(r, o);
    if (!f)
        return lm_err_set(err, LM_ENOMEM, o->name, "out of memory"), NULL;
    pthread_mutex_lock(&r->mu);
    bool found;
    size_t pos = (size_t)fam_pos(r, o->name, &found);
    int rc = 0;
    if (found) {
        rc = lm_err_set(err, LM_EDUP, o->name, "metric \"%s\" is already registered", o->name);
    } else if (r->nfams == r->capfams) {
        size_t cap = r->capfams ? r->capfams * 2 : 16;
        struct lm_family **nf = lm_realloc(r->fams, cap * sizeof *nf);
        if (nf) {
            r->fams = nf;
            r->capfams = cap;
        } else {
            rc = lm_err_set(err, LM_ENOMEM, o->name, "out of memory");
        }
    }
    if (!rc) {
        memmove(r->fams + pos + 1, r->fams + pos, (r->nfams - pos) * sizeof *r->fams);
        r->fams[pos] = f;
        r->nfams++;
    }
    pthread_mutex_unlock(&r->mu);
    if (rc) {
        free_family(f);
        return NULL;
    }
    return f;
}

int
lm_registry_add_collector(struct lm_registry *r, const char *name,
                          int (*collect)(void *state, struct lm_emit *e, struct lm_err *err),
                          void *state, struct lm_err *err)
{
    if (!r || !name || !collect)
        return lm_err_set(err, LM_EINVAL, name, "no registry, name or function");
    int rc = 0;
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->ncolls; i++)
        if (strcmp(r->colls[i].name, name) == 0)
            rc = lm_err_set(err, LM_EDUP, name, "collector \"%s\" is already registered", name);
    char *dup = rc ? NULL : lm_strdup(name);
    struct lmi_collector *c = dup ? lm_realloc(r->colls, (r->ncolls + 1) * sizeof *c) : NULL;
    if (!rc && !c) {
        lm_free(dup);
        rc = lm_err_set(err, LM_ENOMEM, name, "out of memory");
    } else if (!rc) {
        r->colls = c;
        r->colls[r->ncolls++] = (struct lmi_collector){dup, collect, state};
    }
    pthread_mutex_unlock(&r->mu);
    return rc;
}

/* Shorthands. */
static struct lm_family *
add_simple(struct lm_registry *r, const char *name, const char *help, enum lm_type t,
           const char *const *labels, size_t n, struct lm_err *err)
{
    struct lm_metric_opts o = {.name = name, .help = help, .type = t, .label_names = labels,
                               .nlabels = n};
    return lm_registry_add(r, &o, err);
}

struct lm_metric *
lm_counter_new(struct lm_registry *r, const char *name, const char *help, struct lm_err *err)
{
    struct lm_family *f = add_simple(r, name, help, LM_TYPE_COUNTER, NULL, 0, err);
    return f ? f->single : NULL;
}

struct lm_metric *
lm_gauge_new(struct lm_registry *r, const char *name, const char *help, struct lm_err *err)
{
    struct lm_family *f = add_simple(r, name, help, LM_TYPE_GAUGE, NULL, 0, err);
    return f ? f->single : NULL;
}

struct lm_family *
lm_counter_vec_new(struct lm_registry *r, const char *name, const char *help,
                   const char *const *label_names, size_t nlabels, struct lm_err *err)
{
    return add_simple(r, name, help, LM_TYPE_COUNTER, label_names, nlabels, err);
}

struct lm_family *
lm_gauge_vec_new(struct lm_registry *r, const char *name, const char *help,
                 const char *const *label_names, size_t nlabels, struct lm_err *err)
{
    return add_simple(r, name, help, LM_TYPE_GAUGE, label_names, nlabels, err);
}
