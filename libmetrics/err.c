/* SPDX-License-Identifier: Apache-2.0 */
/* err.c: names and messages for LM_E* codes (from the table in lm/err.h) and the
 * struct lm_err helpers. Owns nothing; never prints. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lm/err.h"

static const char *const names[] = {
#define X(name, msg) "LM_" #name,
    LM_ERRNO_MAP(X)
#undef X
};
static const char *const msgs[] = {
#define X(name, msg) msg,
    LM_ERRNO_MAP(X)
#undef X
};

const char *
lm_strerror(int code)
{
    if (code == 0)
        return "success";
    if (code > LM_EBASE_ && code < LM_ELAST_)
        return msgs[code - LM_EBASE_ - 1];
    return "unknown error";
}

const char *
lm_err_name(int code)
{
    if (code == 0)
        return "LM_OK";
    if (code > LM_EBASE_ && code < LM_ELAST_)
        return names[code - LM_EBASE_ - 1];
    return "LM_E?";
}

int
lm_err_set(struct lm_err *err, int code, const char *where, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->where, sizeof err->where, "%s", where ? where : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void
lm_err_clear(struct lm_err *err)
{
    if (!err)
        return;
    err->code = 0;
    err->where[0] = '\0';
    err->msg[0] = '\0';
}

const char *
lm_err_format(const struct lm_err *err, char *out, size_t outsz)
{
    if (!err || !err->code)
        snprintf(out, outsz, "no error");
    else if (err->where[0])
        snprintf(out, outsz, "%s: %s", err->where, err->msg[0] ? err->msg : lm_strerror(err->code));
    else
        snprintf(out, outsz, "%s", err->msg[0] ? err->msg : lm_strerror(err->code));
    return out;
}
