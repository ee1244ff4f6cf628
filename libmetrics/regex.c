/* SPDX-License-Identifier: Apache-2.0 */
/* regex.c: lm/regex.h over PCRE2 (8-bit, UTF). Anchoring to the whole subject wraps the
 * pattern in ^(?:...)$ as Prometheus does, so alternations anchor as a whole. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/regex.h"

struct lm_regex {
    pcre2_code *code;   /* compiled pattern (JIT-compiled when available) */
    char *pattern;      /* source as given, owned */
};

struct lm_regex *
lm_regex_new(const char *pattern, bool anchored, struct lm_err *err)
{
    struct lm_regex *re = lm_calloc(1, sizeof *re);
    char *src = NULL;
    if (!re)
        goto oom;
    re->pattern = lm_strdup(pattern);
    size_t n = strlen(pattern) + 16;
    src = lm_malloc(n);
    if (!re->pattern || !src)
        goto oom;
    snprintf(src, n, anchored ? "^(?:%s)$" : "%s", pattern);
    int ec;
    PCRE2_SIZE off;
    /* DOLLAR_ENDONLY: Go's $ without (?m) matches only at the very end. */
    re->code = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
                             PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &ec, &off, NULL);
    if (!re->code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        char where[32];
        size_t shift = anchored ? 4 : 0;
        snprintf(where, sizeof where, "offset %zu", off >= shift ? (size_t)off - shift : 0);
        lm_err_set(err, LM_EINVAL, where, "error parsing regexp: %s: `%s`", (char *)msg, pattern);
        lm_free(src);
        lm_regex_free(re);
        return NULL;
    }
    (void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
    lm_free(src);
    return re;
oom:
    lm_free(src);
    lm_regex_free(re);
    lm_err_set(err, LM_ENOMEM, NULL, "out of memory compiling regexp");
    return NULL;
}

void
lm_regex_free(struct lm_regex *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    lm_free(re->pattern);
    lm_free(re);
}

bool
lm_regex_match(const struct lm_regex *re, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        len = strlen(s);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
    if (!md)
        return false;
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

const char *
lm_regex_pattern(const struct lm_regex *re)
{
    return re->pattern;
}
