/* SPDX-License-Identifier: Apache-2.0 */
/* xmlrpc.h: a small XML-RPC client shared by node_exporter's supervisord collector and
 * supervisord_exporter. Builds methodCall bodies, sends them over HTTP on a unix socket
 * (unix:///path) or to an http(s):// URL (libcurl), and parses methodResponse bodies
 * (a small XML reader of its own, no libxml2) into an immutable value tree read through
 * accessors. Faults come back as
 * errors carrying faultCode/faultString. Includes libc headers only. */
#ifndef PROTO_XMLRPC_H
#define PROTO_XMLRPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lm/buf.h"
#include "lm/err.h"

#define PROTO_XMLRPC_MAX_RESPONSE (32UL * 1024 * 1024)  /* response body bytes */
#define PROTO_XMLRPC_MAX_REQUEST (1UL * 1024 * 1024)    /* request body bytes */
#define PROTO_XMLRPC_MAX_DEPTH 64                       /* nested array/struct levels */
#define PROTO_XMLRPC_FAULT_MAX 256                      /* faultString bytes kept */

/* Value types of the XML-RPC spec plus the common <nil/> extension. */
enum proto_xmlrpc_type {
    PROTO_XMLRPC_NIL = 0,     /* <nil/> (also ex:nil), or an absent value */
    PROTO_XMLRPC_INT,         /* <int>, <i4>, <i8> */
    PROTO_XMLRPC_BOOL,        /* <boolean>0|1</boolean> */
    PROTO_XMLRPC_DOUBLE,      /* <double> */
    PROTO_XMLRPC_STRING,      /* <string>, or bare text inside <value> */
    PROTO_XMLRPC_DATETIME,    /* <dateTime.iso8601>, kept as text */
    PROTO_XMLRPC_BASE64,      /* <base64>, kept decoded */
    PROTO_XMLRPC_ARRAY,       /* <array><data><value>... */
    PROTO_XMLRPC_STRUCT,      /* <struct><member><name/><value/>... */
};

/* A request parameter: a plain scalar value (supervisord's methods take only these).
 * Strings are borrowed for the duration of the call. */
struct proto_xmlrpc_param {
    enum proto_xmlrpc_type type;  /* NIL, INT, BOOL, DOUBLE or STRING */
    int64_t i;                    /* INT value */
    bool b;                       /* BOOL value */
    double d;                     /* DOUBLE value */
    const char *s;                /* STRING value (NUL-terminated, no control chars) */
};

/* A fault returned by the server. Plain value, on the caller's stack. */
struct proto_xmlrpc_fault {
    int code;                              /* faultCode; 0 when there was no fault */
    char string[PROTO_XMLRPC_FAULT_MAX];   /* faultString, truncated */
};

/* An immutable tree of values, owned by whoever got it from a parse or call. */
struct proto_xmlrpc_value;

/* proto_xmlrpc_global_init: process-wide set-up, from the main thread before any other
 * thread calls; safe to call from each user's init. Nothing needs it today (libcurl is
 * initialised when https is first used); kept so callers need not change. Returns 0. */
int proto_xmlrpc_global_init(struct lm_err *err);
/* proto_xmlrpc_global_cleanup: drop one reference taken by proto_xmlrpc_global_init. */
void proto_xmlrpc_global_cleanup(void);

/* proto_xmlrpc_build_request: append a methodCall for method with n params to out.
 * method must be a non-empty name of [A-Za-z0-9_.:/]; strings must not contain control
 * characters other than tab, CR and LF. Returns 0, LM_EINVAL (err names the bad part) or
 * out's sticky error (LM_ENOMEM, LM_ETOOBIG). */
int proto_xmlrpc_build_request(const char *method, const struct proto_xmlrpc_param *params,
                               size_t n, struct lm_buf *out, struct lm_err *err);

/* proto_xmlrpc_parse_response: parse a methodResponse body of len bytes (not necessarily
 * NUL-terminated). On success returns 0 and *result owns the single returned value (NIL
 * for an empty <params/>). On a fault returns LM_EIO, fills *fault (when not NULL) and
 * err ("fault 10: BAD_NAME: nosuch"). Malformed XML, a DOCTYPE, unknown elements, bad
 * numbers or nesting deeper than PROTO_XMLRPC_MAX_DEPTH give LM_EPARSE with the line in
 * err->where ("line 12"); LM_ETOOBIG past PROTO_XMLRPC_MAX_RESPONSE; LM_ENOMEM.
 * Only UTF-8 (or US-ASCII) documents are read; entities other than the five predefined
 * ones are errors. On error *result is NULL. Thread-safe. */
int proto_xmlrpc_parse_response(const char *data, size_t len,
                                struct proto_xmlrpc_value **result,
                                struct proto_xmlrpc_fault *fault, struct lm_err *err);

/* proto_xmlrpc_call: call method on the server at url and wait at most timeout seconds
 * (<= 0: 10 s). url is unix:///abs/path/to/socket (HTTP "POST /RPC2" over the socket;
 * unix://user:pass@/abs/path adds basic auth, percent-encoded as in http URLs)
 * or http(s)://[user:pass@]host[:port]/path (basic auth from the URL). Returns 0 with
 * *result owned by the caller, or: LM_EINVAL (bad url/method/params), LM_ETIMEOUT,
 * LM_ETOOBIG (response over PROTO_XMLRPC_MAX_RESPONSE), LM_EIO (connection failed, HTTP
 * status not 200, not an XML response, or a fault: then *fault is filled), LM_EPARSE,
 * LM_ENOMEM. err->where holds the url with any password replaced by "xxxxx"; nothing
 * here logs and the password never reaches err. Thread-safe after global init. */
int proto_xmlrpc_call(const char *url, const char *method,
                      const struct proto_xmlrpc_param *params, size_t n, double timeout,
                      struct proto_xmlrpc_value **result, struct proto_xmlrpc_fault *fault,
                      struct lm_err *err);

/* proto_xmlrpc_multicall: call n (1..PROTO_XMLRPC_MULTICALL_MAX) methods that take no
 * parameters in one round trip, with supervisord's system.multicall (its answer holds
 * each method's value itself, or a {faultCode, faultString} struct; Python's
 * SimpleXMLRPCServer wraps values in one-element arrays instead and is not supported).
 * url, timeout and the errors are as for proto_xmlrpc_call. On success returns 0 and
 * results[i] owns method i's value. When any method answers with a fault, returns LM_EIO
 * with *fault (when not NULL) and err ("fault 10: BAD_NAME: x (in method m)") and no
 * results; an answer that is not an array of n values is LM_EPARSE. On error every
 * results[i] is NULL. */
#define PROTO_XMLRPC_MULTICALL_MAX 16
int proto_xmlrpc_multicall(const char *url, const char *const *methods, size_t n,
                           double timeout, struct proto_xmlrpc_value **results,
                           struct proto_xmlrpc_fault *fault, struct lm_err *err);

/* proto_xmlrpc_build_multicall: append a system.multicall methodCall for the n
 * parameterless methods to out. Errors as proto_xmlrpc_build_request. */
int proto_xmlrpc_build_multicall(const char *const *methods, size_t n, struct lm_buf *out,
                                 struct lm_err *err);

/* proto_xmlrpc_value_free: free a whole tree (accepts NULL). Views into it end here. */
void proto_xmlrpc_value_free(struct proto_xmlrpc_value *v);

/* Accessors. All accept NULL (an absent value) and never fail loudly.
 * proto_xmlrpc_type: the type; NIL for NULL.
 * proto_xmlrpc_get_int: INT or BOOL into *out; LM_EINVAL for other types.
 * proto_xmlrpc_get_double: DOUBLE or INT into *out; LM_EINVAL otherwise.
 * proto_xmlrpc_get_bool: BOOL or INT (non-zero) into *out; LM_EINVAL otherwise.
 * proto_xmlrpc_get_time: DATETIME (YYYYMMDDThh:mm:ss, optional Z/+hh:mm, or with dashes)
 *   as epoch seconds, naive times taken as UTC; LM_EINVAL for other types or forms.
 * proto_xmlrpc_string_view: STRING, DATETIME or BASE64 bytes, NUL-terminated, length in
 *   *len (may be NULL); NULL for other types. Valid until the tree is freed.
 * proto_xmlrpc_len: elements of an ARRAY or members of a STRUCT; 0 otherwise.
 * proto_xmlrpc_at: the ith ARRAY element or STRUCT member value; NULL when out of range.
 * proto_xmlrpc_member_name: the ith STRUCT member's name; NULL otherwise.
 * proto_xmlrpc_member: the first STRUCT member named name; NULL when none. */
enum proto_xmlrpc_type proto_xmlrpc_type(const struct proto_xmlrpc_value *v);
int proto_xmlrpc_get_int(const struct proto_xmlrpc_value *v, int64_t *out);
int proto_xmlrpc_get_double(const struct proto_xmlrpc_value *v, double *out);
int proto_xmlrpc_get_bool(const struct proto_xmlrpc_value *v, bool *out);
int proto_xmlrpc_get_time(const struct proto_xmlrpc_value *v, int64_t *out);
const char *proto_xmlrpc_string_view(const struct proto_xmlrpc_value *v, size_t *len);
size_t proto_xmlrpc_len(const struct proto_xmlrpc_value *v);
const struct proto_xmlrpc_value *proto_xmlrpc_at(const struct proto_xmlrpc_value *v,
                                                 size_t i);
const char *proto_xmlrpc_member_name(const struct proto_xmlrpc_value *v, size_t i);
const struct proto_xmlrpc_value *proto_xmlrpc_member(const struct proto_xmlrpc_value *v,
                                                     const char *name);

/* proto_xmlrpc_type_name: "int", "string", ... for messages (static string). */
const char *proto_xmlrpc_type_name(enum proto_xmlrpc_type t);

#endif
