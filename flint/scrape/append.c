/* SPDX-License-Identifier: Apache-2.0 */
/* append.c: one scraped page into the TSDB, as Prometheus 2.42's scrapeLoop.append and
 * report: the scrape cache fast path (a known line costs a hash lookup and an add_ref),
 * target labels with honor_labels (exported_ on conflicts), metric relabeling, label and
 * sample limits, duplicate lines, refused samples counted, staleness markers for series
 * that went away, and the up/scrape_* report series. Runs in the worker thread that got
 * the page. */
#include "flint/scrape/scrape_int.h"

#include <strings.h>
#include <string.h>

#include "lm/alloc.h"

#define EXPORTED_PREFIX "exported_"

static const char *const report_names[SCRI_NREPORT] = {
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
};

void scri_target_init(struct scri_target *t, const struct scri_pool *pool,
                      const struct lbl_set *labels)
{
    memset(t, 0, sizeof *t);
    t->pool = pool;
    t->labels = labels;
    scri_cache_init(&t->cache);
}

void scri_target_cleanup(struct scri_target *t)
{
    scri_cache_cleanup(&t->cache);
    lbl_set_free(&t->scratch);
}

enum lm_format scri_format(const char *ct)
{
    static const char om[] = "application/openmetrics-text";
    if (!ct)
        return LM_FORMAT_TEXT;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    if (n == sizeof om - 1 && !strncasecmp(ct, om, n))
        return LM_FORMAT_OPENMETRICS;
    return LM_FORMAT_TEXT;
}

/* exposed_has: did the page's line carry label name (empty values count, as in
 * Prometheus's labels.Has on the parsed set)? */
static bool exposed_has(const struct lm_parse_label *pl, size_t n, const char *name)
{
    size_t len = strlen(name);
    if (!strcmp(name, LBL_METRIC_NAME))
        return true;
    for (size_t i = 0; i < n; i++)
        if (pl[i].name.len == len && !memcmp(pl[i].name.ptr, name, len))
            return true;
    return false;
}

/* One exposed label that clashed with a target label. */
struct conflict {
    char *name;   /* owned; becomes exported_<name> */
    char *value;  /* owned */
};

static bool conflicts_have(const struct conflict *cf, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cf[i].name, name))
            return true;
    return false;
}

/* set_target_labels: honor_labels=false: target labels win, clashing exposed labels
 * are renamed exported_<name> (repeated until free), shortest names first, as
 * resolveConflictingExposedLabels. 0 or LM_ENOMEM. */
static int set_target_labels(struct lbl_set *ls, const struct lbl_set *tl,
                             const struct lm_parse_label *pl, size_t npl)
{
    struct conflict *cf = NULL;
    size_t nc = 0;
    int rc = 0;
    for (size_t i = 0; !rc && i < tl->n; i++) {
        const char *ev = lbl_set_get(ls, tl->v[i].name);
        if (ev) {
            if (!cf && !(cf = lm_calloc(tl->n, sizeof *cf)))
                return LM_ENOMEM;
            cf[nc].name = lm_strdup(tl->v[i].name);
            cf[nc].value = lm_strdup(ev);
            if (!cf[nc++].value || !cf[nc - 1].name)
                rc = LM_ENOMEM;
        }
        if (!rc)
            rc = lbl_set_add(ls, tl->v[i].name, tl->v[i].value);
    }
    for (size_t i = 1; i < nc; i++) /* stable sort by name length */
        for (size_t j = i; j > 0 && strlen(cf[j - 1].name) > strlen(cf[j].name); j--) {
            struct conflict x = cf[j];
            cf[j] = cf[j - 1];
            cf[j - 1] = x;
        }
    for (size_t i = 0; !rc && i < nc; i++) {
        char *name = cf[i].name;
        for (;;) {
            size_t n = strlen(name);
            char *nn = lm_malloc(sizeof EXPORTED_PREFIX + n);
            if (!nn) {
                rc = LM_ENOMEM;
                break;
            }
            memcpy(nn, EXPORTED_PREFIX, sizeof EXPORTED_PREFIX - 1);
            memcpy(nn + sizeof EXPORTED_PREFIX - 1, name, n + 1);
            if (name != cf[i].name)
                lm_free(name);
            name = nn;
            if (!exposed_has(pl, npl, name) && !lbl_set_get(tl, name) &&
                !conflicts_have(cf, i, name))
                break;
        }
        if (name != cf[i].name) {
            lm_free(cf[i].name);
            cf[i].name = name;
        }
    }
    for (size_t i = 0; !rc && i < nc; i++)
        rc = lbl_set_add(ls, cf[i].name, cf[i].value);
    for (size_t i = 0; i < nc; i++) {
        lm_free(cf[i].name);
        lm_free(cf[i].value);
    }
    lm_free(cf);
    return rc;
}

/* check_limits: Prometheus's verifyLabelLimits. */
static int check_limits(const struct scr_job *job, const struct lbl_set *ls,
                        struct lm_err *err)
{
    const char *met = lbl_set_get(ls, LBL_METRIC_NAME);
    if (job->label_limit && ls->n > job->label_limit)
        return lm_err_set(err, LM_ETOOBIG, NULL,
                          "label_limit exceeded (metric: %.50s, number of labels: %zu, "
                          "limit: %llu)", met, ls->n, (unsigned long long)job->label_limit);
    for (size_t i = 0; i < ls->n; i++) {
        size_t nl = strlen(ls->v[i].name), vl = strlen(ls->v[i].value);
        if (job->label_name_length_limit && nl > job->label_name_length_limit)
            return lm_err_set(err, LM_ETOOBIG, NULL,
                              "label_name_length_limit exceeded (metric: %.50s, label name: "
                              "%.50s, length: %zu, limit: %llu)", met, ls->v[i].name, nl,
                              (unsigned long long)job->label_name_length_limit);
        if (job->label_value_length_limit && vl > job->label_value_length_limit)
            return lm_err_set(err, LM_ETOOBIG, NULL,
                              "label_value_length_limit exceeded (metric: %.50s, label name: "
                              "%.50s, value: \"%.50s\", length: %zu, limit: %llu)", met,
                              ls->v[i].name, ls->v[i].value, vl,
                              (unsigned long long)job->label_value_length_limit);
    }
    return 0;
}

/* build_series: the final labels of the current line into t->scratch (Prometheus's
 * mutateSampleLabels + checks). 0, 1 when metric relabeling dropped it, or an error
 * with err set. */
static int build_series(struct scri_target *t, struct lm_parser *p, struct lm_err *err)
{
    const struct scr_job *job = &t->pool->job;
    struct lbl_set *ls = &t->scratch;
    const struct lm_parse_label *pl = NULL;
    size_t npl = lm_parser_labels(p, &pl);
    struct lm_span name = lm_parser_name(p);
    lbl_set_clear(ls);
    int rc = lbl_set_addn(ls, LBL_METRIC_NAME, sizeof LBL_METRIC_NAME - 1, name.ptr, name.len);
    for (size_t i = 0; !rc && i < npl; i++)
        rc = lbl_set_addn(ls, pl[i].name.ptr, pl[i].name.len, pl[i].value.ptr,
                          pl[i].value.len);
    const struct lbl_set *tl = t->labels;
    if (!rc && job->honor_labels) {
        for (size_t i = 0; !rc && i < tl->n; i++)
            if (!exposed_has(pl, npl, tl->v[i].name))
                rc = lbl_set_add(ls, tl->v[i].name, tl->v[i].value);
    } else if (!rc) {
        rc = set_target_labels(ls, tl, pl, npl);
    }
    if (rc)
        return lm_err_set(err, rc, NULL, "out of memory");
    if (job->nmetric_relabel) {
        bool oom = false;
        if (!rl_process(t->pool->rules, job->nmetric_relabel, ls, &oom) || !ls->n)
            return oom ? lm_err_set(err, LM_ENOMEM, NULL, "out of memory") : 1;
        if (oom)
            return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    }
    if (!ls->n)
        return 1;
    const char *met = lbl_set_get(ls, LBL_METRIC_NAME);
    if (!met)
        return lm_err_set(err, LM_ENAME, NULL, "missing metric name (__name__ label)");
    bool valid = lbl_metric_name_valid(met, strlen(met));
    for (size_t i = 0; valid && i < ls->n; i++)
        valid = lbl_name_valid(ls->v[i].name, strlen(ls->v[i].name));
    if (!valid) {
        struct lm_buf b;
        lm_buf_init(&b, LM_ERR_MSG_MAX);
        lbl_set_format(ls, &b);
        lm_err_set(err, LM_ELABEL, NULL, "invalid metric name or label names: %s",
                   lm_buf_cstr(&b));
        lm_buf_cleanup(&b);
        return LM_ELABEL;
    }
    return check_limits(job, ls, err);
}

/* app_add: stage (t, v) for e through its ref when known, else with its labels:
 * scratch when have_labels (a miss built them), else rebuilt from the parser's current
 * line (p NULL: no line, the series is gone from the tsdb: LM_ENOENT). */
static int app_add(struct scri_target *t, struct lm_parser *p, struct tsdb_app *app,
                   struct scri_entry *e, int64_t ts, double v, bool have_labels,
                   struct lm_err *err)
{
    if (e->ref) {
        int rc = tsdb_app_add_ref(app, e->ref, ts, v);
        if (rc != LM_ENOENT)
            return rc;
        e->ref = 0;
    }
    if (!have_labels) {
        if (!p)
            return LM_ENOENT;
        int br = build_series(t, p, err);
        if (br)
            return br == 1 ? 0 : br; /* the same rules drop it now: cannot happen */
    }
    return tsdb_app_add(app, &t->scratch, ts, v, &e->ref);
}

/* mark_stale: staleness markers at ts for the series tracked in the previous append and
 * not in this one. Out-of-order and duplicate refusals are expected (a recreated
 * target, or another text of the same series still on the page) and ignored, as are
 * series the tsdb no longer has. */
static int mark_stale(struct scri_target *t, struct tsdb_app *app, int64_t ts,
                      struct lm_err *err)
{
    struct scri_cache *c = &t->cache;
    double stale = tsdb_stale_nan();
    for (size_t i = 0; i < c->nb; i++)
        for (struct scri_entry *e = c->b[i]; e; e = e->next) {
            if (e->tracked != c->iter)
                continue;
            int rc = app_add(t, NULL, app, e, ts, stale, false, err);
            if (rc && rc != TSDB_EOUTOFORDER && rc != TSDB_EDUPLICATE &&
                rc != TSDB_EOUTOFBOUNDS && rc != LM_ENOENT)
                return lm_err_set(err, rc, NULL, "appending staleness marker: %s",
                                  lm_strerror(rc));
        }
    return 0;
}

/* add_error: count a refused sample; 0 when the append can go on. */
static int add_error(int rc, struct scri_append_res *res, struct lm_err *err)
{
    switch (rc) {
    case TSDB_EOUTOFORDER:
        res->out_of_order++;
        return 0;
    case TSDB_EDUPLICATE:
        res->duplicate++;
        return 0;
    case TSDB_EOUTOFBOUNDS:
        res->out_of_bounds++;
        return 0;
    default:
        return lm_err_set(err, rc, NULL, "%s", lm_strerror(rc));
    }
}

int scri_append(struct scri_target *t, struct lm_parser *p, struct tsdb_app *app,
                const char *body, size_t len, int64_t ts, struct scri_append_res *res,
                struct lm_err *err)
{
    const struct scr_job *job = &t->pool->job;
    struct scri_cache *c = &t->cache;
    const uint32_t cur = c->iter + 1;
    uint64_t nlimit = 0;
    struct scri_entry *prev = NULL;
    int rc = 0;
    memset(res, 0, sizeof *res);
    lm_err_clear(err);
    if (p) {
        lm_parser_reset(p);
        if (len)
            rc = lm_parser_feed(p, body, len);
        lm_parser_finish(p);
    }
    while (p && !rc) {
        enum lm_parse_entry e = lm_parser_next(p);
        if (e == LM_PARSE_END || e == LM_PARSE_NEED_MORE)
            break;
        if (e == LM_PARSE_ERROR) {
            const struct lm_err *pe = lm_parser_error(p);
            rc = lm_err_set(err, pe->code ? pe->code : LM_EPARSE, pe->where, "%s", pe->msg);
            break;
        }
        if (e != LM_PARSE_SAMPLE)
            continue;
        res->total++;
        struct lm_span sp = lm_parser_series(p);
        int64_t st = ts;
        bool has_ts = job->honor_timestamps && lm_parser_timestamp(p, &st);
        if (!has_ts)
            st = ts;
        uint64_t h;
        struct scri_entry *ent = scri_cache_lookup(c, prev, sp.ptr, sp.len, &h);
        bool miss = !ent;
        if (ent) {
            scri_cache_touch(c, ent);
        } else {
            int br = build_series(t, p, err);
            if (br < 0) {
                rc = br;
                break;
            }
            ent = scri_cache_add(c, h, br == 1);
            if (!ent) {
                rc = lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
                break;
            }
        }
        if (ent != (prev ? prev->seq : c->first))
            scri_cache_follow(c, prev, ent);
        prev = ent;
        if (ent->dropped)
            continue; /* dropped by metric relabeling */
        bool ok = false;
        if (job->sample_limit && ++nlimit > job->sample_limit) {
            res->sample_limit = true;
        } else if (!has_ts && ent->added == cur) {
            ok = true; /* the line again: the first value wins, as in Prometheus's head */
        } else {
            int arc = app_add(t, p, app, ent, st, lm_parser_value(p), miss, err);
            if (!arc) {
                ok = true;
                if (!has_ts)
                    ent->added = cur;
            } else if ((rc = add_error(arc, res, err))) {
                break;
            }
        }
        if (!has_ts && (ok || miss))
            ent->tracked = cur;
        if (miss && ok && !res->sample_limit)
            res->series_added++;
        res->added++;
    }
    if (!rc && res->sample_limit)
        rc = lm_err_set(err, LM_ETOOBIG, NULL, "sample limit exceeded");
    if (rc == LM_ETOOBIG && !res->sample_limit)
        res->label_limit = !strncmp(err->msg, "label_", 6);
    if (rc)
        return rc;
    rc = mark_stale(t, app, ts, err);
    if (!rc)
        scri_cache_iter_done(c, p && len > 0);
    return rc;
}

/* report_add: one report sample through its cached ref. */
static int report_add(struct scri_target *t, struct tsdb_app *app, size_t i, int64_t ts,
                      double v)
{
    if (t->report_refs[i]) {
        int rc = tsdb_app_add_ref(app, t->report_refs[i], ts, v);
        if (rc != LM_ENOENT)
            return rc;
        t->report_refs[i] = 0;
    }
    int rc = lbl_set_copy(&t->scratch, t->labels);
    if (!rc)
        rc = lbl_set_add(&t->scratch, LBL_METRIC_NAME, report_names[i]);
    if (!rc)
        rc = tsdb_app_add(app, &t->scratch, ts, v, &t->report_refs[i]);
    return rc;
}

int scri_report(struct scri_target *t, struct tsdb_app *app, int64_t ts, double duration_s,
                const struct scri_append_res *res, bool up, bool stale)
{
    double v[SCRI_NREPORT] = {up ? 1 : 0, duration_s, (double)res->total,
                              (double)res->added, (double)res->series_added};
    for (size_t i = 0; i < SCRI_NREPORT; i++) {
        int rc = report_add(t, app, i, ts, stale ? tsdb_stale_nan() : v[i]);
        if (rc && rc != TSDB_EOUTOFORDER && rc != TSDB_EDUPLICATE)
            return rc;
    }
    return 0;
}
