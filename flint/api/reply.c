/* SPDX-License-Identifier: Apache-2.0 */
/* reply.c: Prometheus's API envelope: {"status":"success","data":...} and
 * {"status":"error","errorType":"bad_data","error":"..."} with the HTTP status each
 * error type gets in Prometheus 2.42 (web/api/v1/api.go respondError). */
#include <stdarg.h>
#include <stdio.h>

#include "flint/api/api_int.h"

#define JSON_CT "application/json"

static const struct {
    const char *name;   /* errorType */
    int status;         /* HTTP status */
} errtypes[] = {
    [API_ERR_BAD_DATA] = {"bad_data", 400},
    [API_ERR_EXECUTION] = {"execution", 422},
    [API_ERR_TIMEOUT] = {"timeout", 503},
    [API_ERR_CANCELED] = {"canceled", 503},
    [API_ERR_INTERNAL] = {"internal", 500},
    [API_ERR_NOT_FOUND] = {"not_found", 404},
    [API_ERR_UNAVAILABLE] = {"unavailable", 503},
};

struct lm_buf *
api_reply_begin(struct lm_http_response *resp)
{
    struct lm_buf *b = lm_http_response_body(resp);
    lm_http_response_body_limit(resp, API_MAX_BODY);
    lm_http_response_content_type(resp, JSON_CT);
    lm_buf_puts(b, "{\"status\":\"success\",\"data\":");
    return b;
}

int
api_reply_end(struct lm_http_response *resp)
{
    return lm_buf_putc(lm_http_response_body(resp), '}');
}

int
api_reply_error(struct lm_http_response *resp, enum api_errtype type, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct lm_buf *b = lm_http_response_body(resp);
    lm_buf_reset(b);
    lm_http_response_content_type(resp, JSON_CT);
    lm_http_response_status(resp, errtypes[type].status);
    lm_buf_puts(b, "{\"status\":\"error\",\"errorType\":\"");
    lm_buf_puts(b, errtypes[type].name);
    lm_buf_puts(b, "\",\"error\":");
    api_json_str(b, msg);
    return lm_buf_putc(b, '}');
}
