/* SPDX-License-Identifier: Apache-2.0 */
/* json.c: the small JSON writer of flint's API: strings escaped exactly as Go's
 * encoding/json does (HTML-safe, invalid UTF-8 replaced), label sets as objects, Go
 * time.Time and float64 encodings. Appends to an lm_buf; errors are the buffer's sticky
 * error. No parsing here. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flint/api/api_int.h"
#include "flint/promql/engine.h"

static const char hex[] = "0123456789abcdef";

/* utf8_len: length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t c, min;
    if (s[0] < 0xc2 || s[0] > 0xf4)
        return 0;
    if (s[0] < 0xe0) {
        len = 2, c = s[0] & 0x1f, min = 0x80;
    } else if (s[0] < 0xf0) {
        len = 3, c = s[0] & 0x0f, min = 0x800;
    } else {
        len = 4, c = s[0] & 0x07, min = 0x10000;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

int
api_json_strn(struct lm_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, start = 0;
    lm_buf_putc(b, '"');
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
                i++;
                continue;
            }
            lm_buf_append(b, s + start, i - start);
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            if (c == '"' || c == '\\') {
                esc[1] = (char)c;
                lm_buf_append(b, esc, 2);
            } else if (c == '\n' || c == '\r' || c == '\t') {
                esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
                lm_buf_append(b, esc, 2);
            } else {
                lm_buf_append(b, esc, 6);
            }
            start = ++i;
            continue;
        }
        uint32_t cp = 0;
        size_t k = utf8_len(p + i, n - i, &cp);
        if (k && cp != 0x2028 && cp != 0x2029) {
            i += k;
            continue;
        }
        lm_buf_append(b, s + start, i - start);
        if (!k) {
            lm_buf_puts(b, "\\ufffd");
            i++;
        } else {
            lm_buf_puts(b, cp == 0x2028 ? "\\u2028" : "\\u2029");
            i += k;
        }
        start = i;
    }
    lm_buf_append(b, s + start, n - start);
    return lm_buf_putc(b, '"');
}

int
api_json_str(struct lm_buf *b, const char *s)
{
    return api_json_strn(b, s, strlen(s));
}

int
api_json_labels(struct lm_buf *b, const struct lbl_set *ls)
{
    lm_buf_putc(b, '{');
    for (size_t i = 0; i < ls->n; i++) {
        if (i)
            lm_buf_putc(b, ',');
        api_json_str(b, ls->v[i].name);
        lm_buf_putc(b, ':');
        api_json_str(b, ls->v[i].value);
    }
    return lm_buf_putc(b, '}');
}

int
api_json_strv(struct lm_buf *b, char *const *v, size_t n)
{
    lm_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            lm_buf_putc(b, ',');
        api_json_str(b, v[i]);
    }
    return lm_buf_putc(b, ']');
}

int
api_json_time(struct lm_buf *b, int64_t ms)
{
    if (!ms)
        return lm_buf_puts(b, "\"0001-01-01T00:00:00Z\"");
    int64_t sec = ms / 1000, frac = ms % 1000;
    if (frac < 0) {
        frac += 1000;
        sec--;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return lm_buf_puts(b, "\"0001-01-01T00:00:00Z\"");
    lm_buf_printf(b, "\"%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (frac) {
        char f[5];
        snprintf(f, sizeof f, ".%03d", (int)frac);
        size_t n = 4;
        while (f[n - 1] == '0')
            n--;
        lm_buf_append(b, f, n);
    }
    return lm_buf_puts(b, "Z\"");
}

int
api_json_float(struct lm_buf *b, double v)
{
    char out[PQL_FMT_VALUE_MAX];
    if (!isfinite(v))
        return lm_buf_putc(b, '0');
    size_t n = pql_fmt_value(out, v);
    /* Go's encoding/json writes e-07 as e-7 */
    char *e = memchr(out, 'e', n);
    if (e && e[1] == '-' && e[2] == '0' && e + 3 < out + n) {
        memmove(e + 2, e + 3, (size_t)(out + n - (e + 3)));
        n--;
    }
    return lm_buf_append(b, out, n);
}
