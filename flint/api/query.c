/* SPDX-License-Identifier: Apache-2.0 */
/* query.c: the PromQL endpoints over flint/promql's engine: /api/v1/query (query, time,
 * timeout), /api/v1/query_range (query, start, end, step, timeout) with Prometheus
 * 2.42's checks and texts, /api/v1/format_query (the parser's pretty printer, as
 * Prometheus's Pretty(0)), and the metadata endpoints flint answers empty
 * (/api/v1/metadata: {}, /api/v1/query_exemplars: []: no metadata or exemplars are
 * stored). GET and POST forms alike. */
#include <string.h>
#include <time.h>

#include "flint/api/api_int.h"
#include "flint/promql/engine.h"
#include "flint/promql/parse.h"
#include "lm/buf.h"

#define MAX_POINTS 11000  /* Prometheus's limit of points per series in a range query */

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* bad_param: 400 `invalid parameter "name": msg`. */
static int
bad_param(struct lm_http_response *resp, const char *name, const char *msg)
{
    return api_reply_error(resp, API_ERR_BAD_DATA, "invalid parameter \"%s\": %s", name, msg);
}

/* timeout_param: the optional timeout= as ms (0 when absent); -1 after answering. */
static int
timeout_param(const struct lm_http_request *req, struct lm_http_response *resp, int64_t *ms)
{
    const char *to = lm_http_request_query(req, "timeout");
    struct lm_err err = {0};
    *ms = 0;
    if (!to || !*to)
        return 0;
    if (!api_parse_duration(to, ms, &err) && *ms > 0)
        return 0;
    bad_param(resp, "timeout", err.code ? err.msg : "timeout must be positive");
    return -1;
}

/* run: execute and answer with the result or the engine's error. */
static int
run(struct api *a, struct lm_http_response *resp, const char *query, int64_t start,
    int64_t end, int64_t step, int64_t timeout_ms)
{
    struct pql_query_opts qo = {.timeout_ms = timeout_ms};
    struct pql_result res;
    struct pql_err err;
    memset(&res, 0, sizeof res);
    memset(&err, 0, sizeof err);
    if (pql_exec(a->engine, a->db, query, start, end, step, &qo, &res, &err)) {
        static const enum api_errtype map[] = {
            [PQL_ERR_NONE] = API_ERR_INTERNAL,      [PQL_ERR_BAD_DATA] = API_ERR_BAD_DATA,
            [PQL_ERR_EXECUTION] = API_ERR_EXECUTION, [PQL_ERR_TIMEOUT] = API_ERR_TIMEOUT,
            [PQL_ERR_CANCELED] = API_ERR_CANCELED,  [PQL_ERR_INTERNAL] = API_ERR_INTERNAL,
        };
        if (err.type == PQL_ERR_BAD_DATA)
            return bad_param(resp, "query", err.msg);
        return api_reply_error(resp, map[err.type], "%s", err.msg);
    }
    struct lm_buf *b = api_reply_begin(resp);
    pql_result_json(&res, b);
    pql_result_free(&res);
    return api_reply_end(resp);
}

static int
h_query(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct api *a = ud;
    int64_t t, timeout;
    if (api_time_param(req, resp, "time", now_ms(), &t) || timeout_param(req, resp, &timeout))
        return 0;
    const char *q = lm_http_request_query(req, "query");
    return run(a, resp, q ? q : "", t, t, 0, timeout);
}

static int
h_query_range(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    struct api *a = ud;
    int64_t start, end, step, timeout;
    struct lm_err err = {0};
    const char *v = lm_http_request_query(req, "start");
    if (api_parse_time(v ? v : "", &start, &err))
        return bad_param(resp, "start", err.msg);
    v = lm_http_request_query(req, "end");
    if (api_parse_time(v ? v : "", &end, &err))
        return bad_param(resp, "end", err.msg);
    if (end < start)
        return bad_param(resp, "end", "end timestamp must not be before start time");
    v = lm_http_request_query(req, "step");
    if (api_parse_duration(v ? v : "", &step, &err))
        return bad_param(resp, "step", err.msg);
    if (step <= 0)
        return bad_param(resp, "step", "zero or negative query resolution step widths are not "
                                       "accepted. Try a positive integer");
    if ((end - start) / step > MAX_POINTS)
        return api_reply_error(resp, API_ERR_BAD_DATA,
                               "exceeded maximum resolution of 11,000 points per timeseries. "
                               "Try decreasing the query resolution (?step=XX)");
    if (timeout_param(req, resp, &timeout))
        return 0;
    const char *q = lm_http_request_query(req, "query");
    return run(a, resp, q ? q : "", start, end, step, timeout);
}

static int
h_format_query(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    const char *q = lm_http_request_query(req, "query");
    struct pql_parse_err perr;
    memset(&perr, 0, sizeof perr);
    struct pql_node *n = pql_parse(q ? q : "", q ? strlen(q) : 0, &perr);
    if (!n) {
        if (perr.code == LM_ENOMEM)
            return LM_ENOMEM;
        return bad_param(resp, "query", perr.msg);
    }
    struct lm_buf text;
    lm_buf_init(&text, API_MAX_BODY);
    int rc = pql_print_pretty(n, &text);
    pql_node_free(n);
    if (!rc) {
        api_json_strn(api_reply_begin(resp), text.data ? text.data : "", text.len);
        rc = api_reply_end(resp);
    }
    lm_buf_cleanup(&text);
    return rc;
}

static int
h_metadata(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    lm_buf_putc(api_reply_begin(resp), '{');
    lm_buf_putc(lm_http_response_body(resp), '}');
    return api_reply_end(resp);
}

static int
h_exemplars(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    int64_t start, end;
    if (api_time_param(req, resp, "start", API_PROM_MIN_MS, &start) ||
        api_time_param(req, resp, "end", API_PROM_MAX_MS, &end))
        return 0;
    lm_buf_puts(api_reply_begin(resp), "[]");
    return api_reply_end(resp);
}

int
api_query_register(struct api *a, struct lm_http_server *srv)
{
    int rc = lm_http_route(srv, "/api/v1/query", LM_HTTP_ALLOW_POST, h_query, a);
    if (!rc)
        rc = lm_http_route(srv, "/api/v1/query_range", LM_HTTP_ALLOW_POST, h_query_range, a);
    if (!rc)
        rc = lm_http_route(srv, "/api/v1/format_query", LM_HTTP_ALLOW_POST, h_format_query, a);
    if (!rc)
        rc = lm_http_route(srv, "/api/v1/metadata", 0, h_metadata, a);
    if (!rc)
        rc = lm_http_route(srv, "/api/v1/query_exemplars", LM_HTTP_ALLOW_POST, h_exemplars, a);
    return rc;
}
