/* SPDX-License-Identifier: Apache-2.0 */
/* err.h: error codes, names and messages for libmetrics and the binaries, from one
 * X-macro table, plus struct lm_err which carries a code, a place and a reason for
 * anything that reads user input (file:line:col, a target, a flag). Never prints. */
#ifndef LM_ERR_H
#define LM_ERR_H

#include <stddef.h>

#define LM_ERRNO_MAP(X)                                   \
    X(ENOMEM, "out of memory")                            \
    X(EINVAL, "invalid argument")                         \
    X(ENAME, "invalid metric name")                       \
    X(ELABEL, "invalid label name or value")              \
    X(EDUP, "already registered")                         \
    X(EPARSE, "parse error")                              \
    X(EIO, "input/output error")                          \
    X(ETOOBIG, "too big")                                 \
    X(ECONFIG, "bad configuration")                       \
    X(ETIMEOUT, "timed out")                              \
    X(EUNSUPP, "not supported")                           \
    X(ENOENT, "not found")                                \
    X(ENODATA, "no data")

/* Codes are negative; 0 (LM_OK) is success. */
enum lm_errno {
    LM_OK = 0,
    LM_EBASE_ = -1000,
#define LM_ERR_ENUM_(name, msg) LM_##name,
    LM_ERRNO_MAP(LM_ERR_ENUM_)
#undef LM_ERR_ENUM_
    LM_ELAST_
};

#define LM_ERR_WHERE_MAX 256
#define LM_ERR_MSG_MAX 512

/* An error with its place. Plain value: callers own it, usually on the stack. */
struct lm_err {
    int code;                         /* LM_E*, or 0 when nothing failed */
    char where[LM_ERR_WHERE_MAX];     /* "file:line:col", a target or a flag; may be "" */
    char msg[LM_ERR_MSG_MAX];         /* the reason, in words */
};

/* lm_strerror: the message for a code ("unknown error" for codes not in the table).
 * lm_err_name: the symbolic name, e.g. "LM_EPARSE". Both return static strings. */
const char *lm_strerror(int code);
const char *lm_err_name(int code);

/* lm_err_set: fill *err (when err is not NULL) with code, place and a printf-style reason,
 * and return code, so callers can write `return lm_err_set(err, LM_EPARSE, ...)`.
 * where may be NULL. Truncates silently; cannot fail. */
int lm_err_set(struct lm_err *err, int code, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* lm_err_clear: reset *err to "no error". err may be NULL. */
void lm_err_clear(struct lm_err *err);

/* lm_err_format: "where: msg" (or "msg" when where is empty) into out, for logging.
 * Returns out. */
const char *lm_err_format(const struct lm_err *err, char *out, size_t outsz);

#endif
