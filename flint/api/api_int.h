/* SPDX-License-Identifier: Apache-2.0 */
/* api_int.h: what flint/api's files share: the api state, the JSON writer (json.c), the
 * Prometheus response envelope (reply.c), request parameters (params.c) and each file's
 * route table entry points. Private to flint/api. */
#ifndef FLINT_API_INT_H
#define FLINT_API_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flint/api/api.h"
#include "lm/buf.h"
#include "lm/http.h"

#define API_MAX_BODY ((size_t)8 * 1024 * 1024 * 1024)  /* one API answer or /federate */
#define API_DEFAULT_LOOKBACK_MS (5 * 60 * 1000)
/* Prometheus's minTime and maxTime in ms (time.Unix(MinInt64/1000 + 62135596801, 0) and
 * time.Unix(MaxInt64/1000 - 62135596801, 999999999)): the default start and end of
 * /series, /labels and /label/../values, and their RFC 3339 spellings. */
#define API_PROM_MIN_MS (-9223309901257974000LL)
#define API_PROM_MAX_MS (9223309901257974999LL)
#define API_PROM_MIN_STR "-292273086-05-16T16:47:06Z"
#define API_PROM_MAX_STR "292277025-08-18T07:12:54.999999999Z"

struct api {
    struct tsdb *db;                 /* borrowed */
    struct pql_engine *engine;       /* borrowed, may be NULL */
    struct lm_registry *reg;         /* borrowed, may be NULL */
    struct lm_log *log;              /* borrowed */
    struct api_backend be;           /* copy */
    const struct api_flag *flags;    /* borrowed */
    size_t nflags;                   /* entries in flags */
    bool lifecycle;                  /* --web.enable-lifecycle */
    bool admin;                      /* --web.enable-admin-api */
    char *data_dir;                  /* owned */
    char *external_url;              /* owned, "" when none */
    int64_t lookback_ms;             /* for /federate */
    char *retention;                 /* owned storageRetention text */
    int64_t start_ms;                /* process start */
};

/* ---- JSON (json.c) ---------------------------------------------------------------- */

/* api_json_str / _strn: a JSON string, escaped as Go's encoding/json (with its HTML
 * escaping of <, >, &, U+2028/9; invalid UTF-8 becomes U+FFFD). 0 or b's error. */
int api_json_str(struct lm_buf *b, const char *s);
int api_json_strn(struct lm_buf *b, const char *s, size_t n);
/* api_json_labels: {"name":"value",...} in the set's order. */
int api_json_labels(struct lm_buf *b, const struct lbl_set *ls);
/* api_json_time: a Go time.Time as JSON: "2006-01-02T15:04:05.999Z" (UTC, RFC 3339 with
 * the fraction's trailing zeros cut); ms == 0 gives Go's zero time
 * "0001-01-01T00:00:00Z". */
int api_json_time(struct lm_buf *b, int64_t ms);
/* api_json_float: a finite float as Go's encoding/json writes float64 (NaN and Inf,
 * which Go refuses, are written as 0). */
int api_json_float(struct lm_buf *b, double v);
/* api_json_strv: ["a","b",...] of n strings. */
int api_json_strv(struct lm_buf *b, char *const *v, size_t n);

/* ---- replies (reply.c) ------------------------------------------------------------ */

enum api_errtype {
    API_ERR_BAD_DATA,     /* "bad_data", 400 */
    API_ERR_EXECUTION,    /* "execution", 422 */
    API_ERR_TIMEOUT,      /* "timeout", 503 */
    API_ERR_CANCELED,     /* "canceled", 503 */
    API_ERR_INTERNAL,     /* "internal", 500 */
    API_ERR_NOT_FOUND,    /* "not_found", 404 */
    API_ERR_UNAVAILABLE,  /* "unavailable", 503 */
};

/* api_reply_begin: set the JSON content type and the body cap, and write
 * {"status":"success","data": ; the handler then writes the data and calls
 * api_reply_end, which closes the object. Returns the body. */
struct lm_buf *api_reply_begin(struct lm_http_response *resp);
int api_reply_end(struct lm_http_response *resp);
/* api_reply_error: replace the body with {"status":"error","errorType":..,"error":msg}
 * and the status for type. Returns 0 or the body's error. */
int api_reply_error(struct lm_http_response *resp, enum api_errtype type, const char *fmt,
                    ...) __attribute__((format(printf, 3, 4)));

/* ---- parameters (params.c) ------------------------------------------------------- */

/* api_time_param: the time parameter name of req (def when absent or ""). On a bad
 * value answers 400 bad_data `invalid parameter "name": Invalid time value for 'name':
 * cannot parse ...` into resp and returns -1. */
int api_time_param(const struct lm_http_request *req, struct lm_http_response *resp,
                   const char *name, int64_t def, int64_t *ms);

/* A parsed match[] list: one matcher set per match[] value. */
struct api_msets {
    struct lbl_matcher **sets;   /* owned array of owned matcher arrays */
    size_t *lens;                /* owned: matchers in each set */
    size_t n;                    /* sets */
};
/* api_match_param: parse every match[] of req. When required and there is none,
 * answers "no match[] parameter provided". Bad selectors or sets whose matchers all
 * match "" answer 400 `invalid parameter "match[]": ...`. -1 after answering; 0 with
 * *out filled (n may be 0 when not required). */
int api_match_param(const struct lm_http_request *req, struct lm_http_response *resp,
                    bool required, struct api_msets *out);
void api_msets_free(struct api_msets *m);

/* ---- route groups (each file registers its own) --------------------------------- */

int api_series_register(struct api *a, struct lm_http_server *srv);   /* series.c */
int api_targets_register(struct api *a, struct lm_http_server *srv);  /* targets.c */
int api_status_register(struct api *a, struct lm_http_server *srv);   /* status.c */
int api_federate_register(struct api *a, struct lm_http_server *srv); /* federate.c */
int api_web_register(struct api *a, struct lm_http_server *srv);      /* web.c */
int api_query_register(struct api *a, struct lm_http_server *srv);    /* query.c */
int api_admin_register(struct api *a, struct lm_http_server *srv);    /* admin.c */

#endif
