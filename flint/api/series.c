/* SPDX-License-Identifier: Apache-2.0 */
/* series.c: the metadata endpoints over the TSDB querier: /api/v1/series (match[]
 * required, start, end), /api/v1/labels and /api/v1/label/<name>/values (optional
 * match[]), with Prometheus 2.42's parameters, defaults, union of match[] sets and
 * errors. */
#include <stdlib.h>
#include <string.h>

#include "flint/api/api_int.h"
#include "flint/tsdb/tsdb.h"
#include "lm/alloc.h"

#define LABEL_PREFIX "/api/v1/label/"
#define VALUES_SUFFIX "/values"

/* A growable list of label sets or strings. */
struct sets {
    struct lbl_set *v;   /* owned sets */
    size_t n, cap;       /* used and allocated */
};

struct strs {
    char **v;            /* owned strings */
    size_t n, cap;       /* used and allocated */
};

static int
cmp_set(const void *a, const void *b)
{
    return lbl_set_cmp(a, b);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
sets_free(struct sets *s)
{
    for (size_t i = 0; i < s->n; i++)
        lbl_set_free(&s->v[i]);
    lm_free(s->v);
}

static void
strs_free(struct strs *s)
{
    tsdb_strv_free(s->v, s->n);
}

/* strs_take: move count strings of v (an owned tsdb string array) into s. */
static int
strs_take(struct strs *s, char **v, size_t count)
{
    if (!count) {
        lm_free(v);
        return 0;
    }
    if (s->n + count > s->cap) {
        size_t nc = (s->n + count) * 2;
        char **p = lm_realloc(s->v, nc * sizeof *p);
        if (!p) {
            tsdb_strv_free(v, count);
            return LM_ENOMEM;
        }
        s->v = p;
        s->cap = nc;
    }
    memcpy(s->v + s->n, v, count * sizeof *v);
    s->n += count;
    lm_free(v);
    return 0;
}

/* strs_uniq: sort and drop duplicates. */
static void
strs_uniq(struct strs *s)
{
    if (!s->n)
        return;
    qsort(s->v, s->n, sizeof *s->v, cmp_str);
    size_t o = 1;
    for (size_t i = 1; i < s->n; i++) {
        if (!strcmp(s->v[i], s->v[o - 1]))
            lm_free(s->v[i]);
        else
            s->v[o++] = s->v[i];
    }
    s->n = o;
}

/* open_querier: start/end from req and a querier, or -1 after answering. */
static struct tsdb_q *
open_querier(struct api *a, const struct lm_http_request *req, struct lm_http_response *resp)
{
    int64_t start, end;
    struct lm_err err = {0};
    if (api_time_param(req, resp, "start", API_PROM_MIN_MS, &start) ||
        api_time_param(req, resp, "end", API_PROM_MAX_MS, &end))
        return NULL;
    struct tsdb_q *q = tsdb_querier(a->db, start, end, &err);
    if (!q)
        api_reply_error(resp, API_ERR_EXECUTION, "%s", err.msg);
    return q;
}

static int
h_series(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct api *a = ud;
    struct api_msets ms;
    struct sets out = {0};
    struct lm_err err = {0};
    int rc = 0;
    if (api_match_param(req, resp, true, &ms))
        return 0;
    struct tsdb_q *q = open_querier(a, req, resp);
    if (!q) {
        api_msets_free(&ms);
        return 0;
    }
    for (size_t i = 0; i < ms.n && !rc; i++) {
        struct tsdb_ss *ss = tsdb_q_select(q, ms.sets[i], ms.lens[i], &err);
        if (!ss) {
            rc = err.code ? err.code : LM_EIO;
            break;
        }
        while (!rc && tsdb_ss_next(ss)) {
            if (out.n == out.cap) {
                size_t nc = out.cap ? out.cap * 2 : 64;
                struct lbl_set *p = lm_realloc(out.v, nc * sizeof *p);
                if (!p) {
                    rc = LM_ENOMEM;
                    break;
                }
                out.v = p;
                out.cap = nc;
            }
            out.v[out.n] = (struct lbl_set){0};
            if (lbl_set_copy(&out.v[out.n], tsdb_ss_labels(ss)))
                rc = LM_ENOMEM;
            else
                out.n++;
        }
        tsdb_ss_free(ss);
    }
    tsdb_q_close(q);
    size_t nsets = ms.n;
    api_msets_free(&ms);
    if (rc) {
        sets_free(&out);
        return api_reply_error(resp, rc == LM_ENOMEM ? API_ERR_INTERNAL : API_ERR_EXECUTION,
                               "%s", err.code ? err.msg : lm_strerror(rc));
    }
    if (nsets > 1 && out.n > 1)
        qsort(out.v, out.n, sizeof *out.v, cmp_set);
    struct lm_buf *b = api_reply_begin(resp);
    lm_buf_putc(b, '[');
    for (size_t i = 0, k = 0; i < out.n; i++) {
        if (i && lbl_set_eq(&out.v[i], &out.v[i - 1]))
            continue;
        if (k++)
            lm_buf_putc(b, ',');
        api_json_labels(b, &out.v[i]);
    }
    lm_buf_putc(b, ']');
    sets_free(&out);
    return api_reply_end(resp);
}

/* labels_or_values: /labels (name NULL) or /label/<name>/values. */
static int
labels_or_values(struct api *a, const struct lm_http_request *req,
                 struct lm_http_response *resp, const char *name)
{
    struct api_msets ms;
    struct strs out = {0};
    struct lm_err err = {0};
    int rc = 0;
    if (api_match_param(req, resp, false, &ms))
        return 0;
    struct tsdb_q *q = open_querier(a, req, resp);
    if (!q) {
        api_msets_free(&ms);
        return 0;
    }
    for (size_t i = 0; i < (ms.n ? ms.n : 1) && !rc; i++) {
        char **v = NULL;
        size_t count = 0;
        const struct lbl_matcher *m = ms.n ? ms.sets[i] : NULL;
        size_t nm = ms.n ? ms.lens[i] : 0;
        rc = name ? tsdb_q_label_values(q, name, m, nm, &v, &count, &err)
                  : tsdb_q_label_names(q, m, nm, &v, &count, &err);
        if (!rc)
            rc = strs_take(&out, v, count);
    }
    tsdb_q_close(q);
    if (ms.n > 1)
        strs_uniq(&out);
    api_msets_free(&ms);
    if (rc) {
        strs_free(&out);
        return api_reply_error(resp, rc == LM_ENOMEM ? API_ERR_INTERNAL : API_ERR_EXECUTION,
                               "%s", err.code ? err.msg : lm_strerror(rc));
    }
    struct lm_buf *b = api_reply_begin(resp);
    api_json_strv(b, out.v, out.n);
    strs_free(&out);
    return api_reply_end(resp);
}

static int
h_labels(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    return labels_or_values(ud, req, resp, NULL);
}

/* h_label_values: /api/v1/label/<name>/values; other paths under the prefix are 404. */
static int
h_label_values(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    const char *p = lm_http_request_path(req) + strlen(LABEL_PREFIX);
    const char *slash = strchr(p, '/');
    if (!slash || slash == p || strcmp(slash, VALUES_SUFFIX))
        return lm_http_response_text(resp, 404, "404 page not found\n");
    char *name = lm_strndup(p, (size_t)(slash - p));
    if (!name)
        return LM_ENOMEM;
    int rc;
    if (!lbl_name_valid(name, strlen(name)))
        rc = api_reply_error(resp, API_ERR_BAD_DATA, "invalid label name: \"%s\"", name);
    else
        rc = labels_or_values(ud, req, resp, name);
    lm_free(name);
    return rc;
}

int
api_series_register(struct api *a, struct lm_http_server *srv)
{
    int rc = lm_http_route(srv, "/api/v1/series", LM_HTTP_ALLOW_POST, h_series, a);
    if (!rc)
        rc = lm_http_route(srv, "/api/v1/labels", LM_HTTP_ALLOW_POST, h_labels, a);
    if (!rc)
        rc = lm_http_route(srv, LABEL_PREFIX, LM_HTTP_PREFIX, h_label_values, a);
    return rc;
}
