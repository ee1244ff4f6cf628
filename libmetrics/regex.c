/* SPDX-License-Identifier: Apache-2.0 */
/* regex.c: lm/regex.h over PCRE2 (8-bit, UTF). Anchoring to the whole subject wraps the
 * pattern in ^(?:...)$ as Prometheus does, so alternations anchor as a whole. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/buf.h"
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

/* name_char: a character of a $name in an expansion template. */
static bool
name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

/* put_group: append group `name` (len bytes) of the match in md to out; "" when absent. */
static void
put_group(const struct lm_regex *re, pcre2_match_data *md, int rc, const char *s,
          const char *name, size_t len, struct lm_buf *out)
{
    long n = -1;
    bool digits = len > 0;
    for (size_t i = 0; i < len; i++)
        digits = digits && name[i] >= '0' && name[i] <= '9';
    if (digits) {
        n = 0;
        for (size_t i = 0; i < len && n < 100000; i++)
            n = n * 10 + (name[i] - '0');
    } else {
        char nm[128];
        if (len >= sizeof nm)
            return;
        memcpy(nm, name, len);
        nm[len] = '\0';
        n = pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)nm);
    }
    if (n < 0 || n >= rc)
        return;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    if (ov[2 * n] == PCRE2_UNSET)
        return;
    lm_buf_append(out, s + ov[2 * n], ov[2 * n + 1] - ov[2 * n]);
}

bool
lm_regex_expand(const struct lm_regex *re, const char *s, size_t len, const char *tmpl,
                struct lm_buf *out)
{
    if (len == SIZE_MAX)
        len = strlen(s);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
    if (!md)
        return false;
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
    if (rc < 0) {
        pcre2_match_data_free(md);
        return false;
    }
    if (rc == 0)   /* ovector too small: cannot happen with match data from the pattern */
        rc = (int)pcre2_get_ovector_count(md);
    for (const char *p = tmpl; *p;) {
        if (*p != '$') {
            size_t n = strcspn(p, "$");
            lm_buf_append(out, p, n);
            p += n;
            continue;
        }
        if (p[1] == '$') {
            lm_buf_putc(out, '$');
            p += 2;
            continue;
        }
        const char *name = p + 1, *end;
        size_t nlen = 0;
        if (*name == '{') {
            name++;
            while (name_char(name[nlen]))
                nlen++;
            end = name + nlen;
            if (*end != '}' || nlen == 0) {   /* malformed: '$' stays as text */
                lm_buf_putc(out, '$');
                p++;
                continue;
            }
            end++;
        } else {
            while (name_char(name[nlen]))
                nlen++;
            end = name + nlen;
            if (nlen == 0) {
                lm_buf_putc(out, '$');
                p++;
                continue;
            }
        }
        put_group(re, md, rc, s, name, nlen, out);
        p = end;
    }
    pcre2_match_data_free(md);
    return true;
}

const char *
lm_regex_pattern(const struct lm_regex *re)
{
    return re->pattern;
}
