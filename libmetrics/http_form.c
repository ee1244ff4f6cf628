/* SPDX-License-Identifier: Apache-2.0 */
/* http_form.c: application/x-www-form-urlencoded request bodies (POST and PUT forms, as
 * Grafana sends PromQL queries), decoded once into name/value pairs that the query
 * accessors of http.c read before the URL's own parameters. Reading the body and the
 * size limit are http.c's; this file only recognises and decodes. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include "lm/alloc.h"
#include "lm/err.h"
#include "http_int.h"

/* lmi_form_content_type: ct names a urlencoded form ("application/x-www-form-urlencoded",
 * any case, parameters after ';' and spaces ignored). NULL is not a form. */
bool
lmi_form_content_type(const char *ct)
{
    static const char want[] = "application/x-www-form-urlencoded";
    if (!ct)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, want, sizeof want - 1))
        return false;
    ct += sizeof want - 1;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return !*ct || *ct == ';';
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* unescape: decode [s, s+n) into out ('+' = space, %XX = byte, a malformed escape
 * literally) and NUL-terminate; returns the bytes written (<= n). */
static size_t
unescape(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 && (lo = hexval(s[i + 2])) >= 0) {
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o++] = '\0';
    return o;
}

/* lmi_form_decode: decode body (len bytes, need not be NUL-terminated) into f, which
 * must be zeroed or freed. Pairs split on '&'; empty pairs skipped; a pair without '='
 * has the value "". 0 or LM_ENOMEM (f is then empty). */
int
lmi_form_decode(struct lmi_form *f, const char *body, size_t len)
{
    memset(f, 0, sizeof *f);
    if (!len)
        return 0;
    /* decoded text is never longer than the input; 2 NULs per pair at most */
    if (!(f->data = lm_malloc(2 * len + 2)))
        return LM_ENOMEM;
    const char *p = body, *end = body + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *e = amp ? amp : end;
        if (e > p) {
            const char *eq = memchr(p, '=', (size_t)(e - p));
            const char *ke = eq ? eq : e;
            f->len += unescape(p, (size_t)(ke - p), f->data + f->len);
            if (eq)
                f->len += unescape(eq + 1, (size_t)(e - eq - 1), f->data + f->len);
            else
                f->data[f->len++] = '\0';
            f->npairs++;
        }
        p = e + 1;
    }
    return 0;
}

void
lmi_form_free(struct lmi_form *f)
{
    lm_free(f->data);
    memset(f, 0, sizeof *f);
}

/* lmi_form_find: walk f's values of name in order; returns the one at index want (or
 * NULL) and adds the number of values seen up to it (all when want is past the end)
 * to *seen. */
const char *
lmi_form_find(const struct lmi_form *f, const char *name, size_t want, size_t *seen)
{
    const char *p = f->data;
    for (size_t i = 0; i < f->npairs; i++) {
        const char *v = p + strlen(p) + 1;
        if (!strcmp(p, name)) {
            if (*seen == want) {
                (*seen)++;
                return v;
            }
            (*seen)++;
        }
        p = v + strlen(v) + 1;
    }
    return NULL;
}
