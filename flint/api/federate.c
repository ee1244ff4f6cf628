/* SPDX-License-Identifier: Apache-2.0 */
/* federate.c: /federate as Prometheus 2.42: for every series matching any match[]
 * selector, its latest sample within the lookback delta (stale ones left out), grouped
 * by metric name with a "# TYPE name untyped" line, the series' labels then the
 * external labels it lacks, value and timestamp (ms), in text format 0.0.4. Errors are
 * plain text, as Prometheus's http.Error. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flint/api/api_int.h"
#include "flint/tsdb/tsdb.h"
#include "lm/alloc.h"
#include "lm/expo.h"
#include "lm/fmt.h"

/* One latest sample. */
struct fed {
    struct lbl_set ls;   /* owned */
    int64_t t;           /* ms */
    double v;            /* value */
};

/* A growable list of them. */
struct feds {
    struct fed *v;       /* owned */
    size_t n, cap;       /* used and allocated */
};

static int
cmp_fed(const void *x, const void *y)
{
    const struct fed *a = x, *b = y;
    const char *na = lbl_set_get(&a->ls, LBL_METRIC_NAME), *nb = lbl_set_get(&b->ls, LBL_METRIC_NAME);
    int c = strcmp(na ? na : "", nb ? nb : "");
    return c ? c : lbl_set_cmp(&a->ls, &b->ls);
}

static void
feds_free(struct feds *f)
{
    for (size_t i = 0; i < f->n; i++)
        lbl_set_free(&f->v[i].ls);
    lm_free(f->v);
}

/* collect: the latest non-stale sample of every series of ss into f. */
static int
collect(struct tsdb_ss *ss, struct feds *f)
{
    while (tsdb_ss_next(ss)) {
        struct tsdb_it *it = tsdb_ss_iter(ss);
        int64_t t, lt = 0;
        double v, lv = 0;
        bool any = false;
        while (tsdb_it_next(it, &t, &v)) {
            lt = t;
            lv = v;
            any = true;
        }
        if (!any || tsdb_is_stale(lv))
            continue;
        if (f->n == f->cap) {
            size_t nc = f->cap ? f->cap * 2 : 256;
            struct fed *p = lm_realloc(f->v, nc * sizeof *p);
            if (!p)
                return LM_ENOMEM;
            f->v = p;
            f->cap = nc;
        }
        struct fed *e = &f->v[f->n];
        e->ls = (struct lbl_set){0};
        if (lbl_set_copy(&e->ls, tsdb_ss_labels(ss)))
            return LM_ENOMEM;
        e->t = lt;
        e->v = lv;
        f->n++;
    }
    return 0;
}

static void
put_label(struct lm_buf *b, bool *first, const struct lbl *l)
{
    lm_buf_putc(b, *first ? '{' : ',');
    *first = false;
    lm_buf_puts(b, l->name);
    lm_buf_puts(b, "=\"");
    lm_fmt_put_label_value(b, l->value, strlen(l->value));
    lm_buf_putc(b, '"');
}

/* write: the page for f (sorted) with external labels ext. */
static void
write_page(struct lm_buf *b, const struct feds *f, const struct lbl_set *ext)
{
    const char *last = NULL;
    for (size_t i = 0; i < f->n; i++) {
        const struct fed *e = &f->v[i];
        if (i && !lbl_set_cmp(&e->ls, &f->v[i - 1].ls))
            continue;
        const char *name = lbl_set_get(&e->ls, LBL_METRIC_NAME);
        if (!name)
            name = "";
        if (!last || strcmp(last, name)) {
            lm_buf_puts(b, "# TYPE ");
            lm_buf_puts(b, name);
            lm_buf_puts(b, " untyped\n");
            last = name;
        }
        lm_buf_puts(b, name);
        bool first = true;
        for (size_t k = 0; k < e->ls.n; k++)
            if (strcmp(e->ls.v[k].name, LBL_METRIC_NAME))
                put_label(b, &first, &e->ls.v[k]);
        for (size_t k = 0; ext && k < ext->n; k++)
            if (!lbl_set_get(&e->ls, ext->v[k].name))
                put_label(b, &first, &ext->v[k]);
        if (!first)
            lm_buf_putc(b, '}');
        lm_buf_putc(b, ' ');
        lm_fmt_put_double(b, e->v, LM_FORMAT_TEXT);
        lm_buf_printf(b, " %lld\n", (long long)e->t);
    }
}

static int
h_federate(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct api *a = ud;
    struct feds f = {0};
    struct lm_err err = {0};
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t maxt = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    size_t n = lm_http_request_query_count(req, "match[]");
    struct tsdb_q *q = tsdb_querier(a->db, maxt - a->lookback_ms, maxt, &err);
    if (!q)
        return lm_http_response_text(resp, 500, err.msg);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        struct lbl_matcher *ms;
        size_t nm;
        if (api_parse_selector(lm_http_request_query_nth(req, "match[]", i), &ms, &nm, &err)) {
            rc = err.code;
            break;
        }
        struct tsdb_ss *ss = tsdb_q_select(q, ms, nm, &err);
        if (!ss)
            rc = err.code ? err.code : LM_EIO;
        else
            rc = collect(ss, &f);
        tsdb_ss_free(ss);
        api_matchers_free(ms, nm);
    }
    tsdb_q_close(q);
    if (rc) {
        feds_free(&f);
        if (rc == LM_ENOMEM)
            return rc;
        lm_http_response_text(resp, rc == LM_EPARSE || rc == LM_EINVAL ? 400 : 500, err.msg);
        return lm_buf_putc(lm_http_response_body(resp), '\n');
    }
    if (f.n > 1)
        qsort(f.v, f.n, sizeof *f.v, cmp_fed);
    const struct cfg *c = a->be.config_get(a->be.ud);
    lm_http_response_body_limit(resp, API_MAX_BODY);
    lm_http_response_content_type(resp, lm_expo_content_type(LM_FORMAT_TEXT));
    write_page(lm_http_response_body(resp), &f, c ? &c->global.external_labels : NULL);
    if (c)
        a->be.config_put(a->be.ud, c);
    feds_free(&f);
    return 0;
}

int
api_federate_register(struct api *a, struct lm_http_server *srv)
{
    return lm_http_route(srv, "/federate", 0, h_federate, a);
}
