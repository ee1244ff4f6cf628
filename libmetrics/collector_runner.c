/* SPDX-License-Identifier: Apache-2.0 */
/* collector_runner.c: node_exporter's collector.go in C (lm/exporter.h): builds the
 * --[no-]collector.NAME flags from a table, initialises the enabled collectors, and on
 * each scrape runs the selected ones, timing each and emitting
 * <ns>_scrape_collector_duration_seconds and _success. Owns the collectors' states; the
 * only place that logs collector failures. HTTP and exposition live in exporter.c. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/exporter.h"
#include "lm/limits.h"

#define HELP_MAX 128   /* "Enable the NAME collector (default: enabled)." */

struct coll {
    const struct lm_collector_desc *d;  /* borrowed table entry */
    void *state;                        /* from init, owned by the collector */
    pthread_mutex_t mu;                 /* serialises collect and guards last_err */
    char last_err[LM_ERR_MSG_MAX];      /* last failure logged ("" after a success) */
};

struct lm_runner {
    const char *ns;                     /* meta-metric namespace, borrowed */
    const struct lm_collector_desc *const *table;  /* full table, borrowed */
    const struct lm_flags *flags;       /* parsed flags, borrowed */
    struct lm_log *log;                 /* logger, borrowed */
    struct coll *c;                     /* enabled collectors, table order */
    size_t n;                           /* count of c */
    char dur_name[256]; /* <ns>_scrape_collector_duration_seconds */
    char ok_name[256];    /* <ns>_scrape_collector_success */
    char dur_help[128];                 /* "<ns>_exporter: Duration of a collector scrape." */
    char ok_help[128];                  /* "<ns>_exporter: Whether a collector succeeded." */
};

double
lm_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Generated flag descriptors: lm_flags borrows them, so they live in one block the
 * caller frees after the flag set (see lm_runner_add_flags). */
struct flagstr {
    struct lm_flag_desc d;   /* the descriptor handed to lm_flags_add */
    char name[96];           /* "collector.NAME" */
    char help[HELP_MAX];     /* upstream help text */
};

int
lm_runner_add_flags(struct lm_flags *f, const struct lm_collector_desc *const *table,
                    void **storage)
{
    static const struct lm_flag_desc disable_defaults = {
        "collector.disable-defaults", "false", "Set all collectors to disabled by default.",
        true};
    size_t n = 0;
    *storage = NULL;
    for (; table && table[n]; n++) {
        int rc = lm_flags_add_table(f, table[n]->flags);
        if (rc)
            return rc;
    }
    if (n) {
        struct flagstr *fs = lm_calloc(n, sizeof *fs);
        if (!fs)
            return LM_ENOMEM;
        *storage = fs;
        for (size_t i = 0; i < n; i++) {
            const struct lm_collector_desc *c = table[i];
            snprintf(fs[i].name, sizeof fs[i].name, "collector.%s", c->name);
            snprintf(fs[i].help, sizeof fs[i].help, "Enable the %s collector (default: %s).",
                     c->name, c->enabled_by_default ? "enabled" : "disabled");
            fs[i].d = (struct lm_flag_desc){fs[i].name, c->enabled_by_default ? "true" : "false",
                                            fs[i].help, true};
            int rc = lm_flags_add(f, &fs[i].d, false);
            if (rc)
                return rc;
        }
    }
    return lm_flags_add(f, &disable_defaults, false);
}

/* enabled: node_exporter's rule: an explicit --[no-]collector.NAME wins; otherwise the
 * table default, unless --collector.disable-defaults. */
static bool
enabled(const struct lm_flags *flags, const struct lm_collector_desc *c)
{
    char name[96];
    snprintf(name, sizeof name, "collector.%s", c->name);
    if (!lm_flags_get(flags, name))   /* no per-collector flags: single-collector mode */
        return c->enabled_by_default;
    if (lm_flags_is_set(flags, name))
        return lm_flags_get_bool(flags, name);
    if (lm_flags_get_bool(flags, "collector.disable-defaults"))
        return false;
    return c->enabled_by_default;
}

struct lm_runner *
lm_runner_new(const char *ns, const struct lm_collector_desc *const *table,
              const struct lm_flags *flags, struct lm_log *log, struct lm_err *err)
{
    struct lm_runner *r = lm_calloc(1, sizeof *r);
    size_t n = 0;
    while (table && table[n])
        n++;
    if (!r || !(r->c = lm_calloc(n ? n : 1, sizeof *r->c))) {
        lm_free(r);
        lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        return NULL;
    }
    r->ns = ns ? ns : "";
    r->table = table;
    r->flags = flags;
    r->log = log;
    snprintf(r->dur_name, sizeof r->dur_name, "%s_scrape_collector_duration_seconds", r->ns);
    snprintf(r->ok_name, sizeof r->ok_name, "%s_scrape_collector_success", r->ns);
    snprintf(r->dur_help, sizeof r->dur_help, "%s_exporter: Duration of a collector scrape.",
             r->ns);
    snprintf(r->ok_help, sizeof r->ok_help, "%s_exporter: Whether a collector succeeded.",
             r->ns);
    struct lm_collect_ctx ctx = {flags, log, 0};
    for (size_t i = 0; i < n; i++) {
        if (!enabled(flags, table[i]))
            continue;
        struct coll *c = &r->c[r->n];
        c->d = table[i];
        if (c->d->init) {
            struct lm_err cerr;
            lm_err_clear(&cerr);
            int rc = c->d->init(&c->state, &ctx, &cerr);
            if (rc) {
                lm_err_set(err, rc, c->d->name, "%s", cerr.msg[0] ? cerr.msg : lm_strerror(rc));
                lm_runner_free(r);
                return NULL;
            }
        }
        pthread_mutex_init(&c->mu, NULL);
        r->n++;
    }
    return r;
}

void
lm_runner_free(struct lm_runner *r)
{
    if (!r)
        return;
    for (size_t i = r->n; i-- > 0;) {
        if (r->c[i].d->fini)
            r->c[i].d->fini(r->c[i].state);
        pthread_mutex_destroy(&r->c[i].mu);
    }
    lm_free(r->c);
    lm_free(r);
}

size_t
lm_runner_count(const struct lm_runner *r)
{
    return r ? r->n : 0;
}

const char *
lm_runner_name(const struct lm_runner *r, size_t i)
{
    return r && i < r->n ? r->c[i].d->name : NULL;
}

static const struct coll *
find_enabled(const struct lm_runner *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->c[i].d->name, name))
            return &r->c[i];
    return NULL;
}

static bool
in_table(const struct lm_runner *r, const char *name)
{
    for (size_t i = 0; r->table && r->table[i]; i++)
        if (!strcmp(r->table[i]->name, name))
            return true;
    return false;
}

#define FILTER_PREFIX "Couldn't create filtered metrics handler: "

/* check_names: every name must be in the table and enabled (upstream's wording). */
static int
check_names(const struct lm_runner *r, const char *const *names, size_t n, struct lm_err *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!in_table(r, names[i]))
            return lm_err_set(err, LM_EINVAL, names[i],
                              FILTER_PREFIX "couldn't create collector: missing collector: %s",
                              names[i]);
        if (!find_enabled(r, names[i]))
            return lm_err_set(err, LM_EINVAL, names[i],
                              FILTER_PREFIX "couldn't create collector: disabled collector: %s",
                              names[i]);
    }
    return 0;
}

int
lm_runner_check(const struct lm_runner *r, const struct lm_runner_filter *flt,
                struct lm_err *err)
{
    if (!flt)
        return 0;
    if (flt->ncollect && flt->nexclude)
        return lm_err_set(err, LM_EINVAL, NULL,
                          FILTER_PREFIX "collect[] and exclude[] cannot be used together");
    int rc = check_names(r, flt->collect, flt->ncollect, err);
    return rc ? rc : check_names(r, flt->exclude, flt->nexclude, err);
}

static bool
listed(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return true;
    return false;
}

static bool
selected(const struct lm_runner_filter *flt, const char *name)
{
    if (!flt)
        return true;
    if (flt->ncollect)
        return listed(flt->collect, flt->ncollect, name);
    return !listed(flt->exclude, flt->nexclude, name);
}

/* run_one: one collector under its mutex; logs as node_exporter's execute() does. */
static int
run_one(struct lm_runner *r, struct coll *c, struct lm_emit *e, double deadline,
        double *dur)
{
    struct lm_collect_ctx ctx = {r->flags, r->log, deadline};
    struct lm_err cerr;
    lm_err_clear(&cerr);
    pthread_mutex_lock(&c->mu);
    double t0 = lm_monotonic();
    int rc = c->d->collect ? c->d->collect(c->state, &ctx, e, &cerr) : 0;
    *dur = lm_monotonic() - t0;
    char ds[32];
    snprintf(ds, sizeof ds, "%.9g", *dur);
    if (rc == 0) {
        c->last_err[0] = '\0';
        lm_debug(r->log, "collector succeeded", "name", c->d->name, "duration_seconds", ds, NULL);
    } else {
        char msg[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX];
        if (!cerr.code)
            lm_err_set(&cerr, rc, NULL, "%s", lm_strerror(rc));
        lm_err_format(&cerr, msg, sizeof msg);
        if (rc == LM_ENODATA) {
            lm_debug(r->log, "collector returned no data", "name", c->d->name,
                     "duration_seconds", ds, "err", msg, NULL);
        } else if (strncmp(c->last_err, msg, sizeof c->last_err - 1) != 0) {
            lm_error(r->log, "collector failed", "name", c->d->name, "duration_seconds", ds,
                     "err", msg, NULL);
            size_t l = strnlen(msg, sizeof c->last_err - 1);
            memcpy(c->last_err, msg, l);
            c->last_err[l] = '\0';
        } else {
            lm_debug(r->log, "collector failed", "name", c->d->name, "duration_seconds", ds,
                     "err", msg, NULL);
        }
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int
lm_runner_collect(struct lm_runner *r, const struct lm_runner_filter *flt, struct lm_emit *e,
                  double deadline, struct lm_err *err)
{
    int rc = lm_runner_check(r, flt, err);
    if (rc)
        return rc;
    double *dur = r->n ? lm_emit_alloc(e, r->n * sizeof *dur) : NULL;
    bool *ok = r->n ? lm_emit_alloc(e, r->n * sizeof *ok) : NULL;
    bool *ran = r->n ? lm_emit_alloc(e, r->n * sizeof *ran) : NULL;
    if (r->n && (!dur || !ok || !ran))
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < r->n; i++) {
        if (!selected(flt, r->c[i].d->name))
            continue;
        ran[i] = true;
        ok[i] = run_one(r, &r->c[i], e, deadline, &dur[i]) == 0;
    }
    bool any = false;
    for (size_t i = 0; i < r->n; i++)
        any = any || ran[i];
    if (!any || !r->ns[0])   /* no namespace: no meta pair (single-collector exporters) */
        return 0;
    lm_emit_family(e, r->dur_name, r->dur_help, LM_TYPE_GAUGE);
    for (size_t i = 0; i < r->n; i++)
        if (ran[i])
            lm_emit_samplev(e, dur[i], "collector", r->c[i].d->name, NULL);
    lm_emit_family(e, r->ok_name, r->ok_help, LM_TYPE_GAUGE);
    for (size_t i = 0; i < r->n; i++)
        if (ran[i])
            lm_emit_samplev(e, ok[i] ? 1.0 : 0.0, "collector", r->c[i].d->name, NULL);
    return 0;
}
