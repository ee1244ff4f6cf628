/* SPDX-License-Identifier: Apache-2.0 */
/* lex_lit.c: PromQL literals the Go way: numbers (strconv.ParseInt base 0, then
 * ParseFloat), durations (model.ParseDuration), string unquoting (strutil.Unquote),
 * and the Go formatting the parser's messages and the printer need (strconv.Quote,
 * %q of a rune, %#U, %f). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "flint/promql/lex.h"
#include "lm/alloc.h"
#include "lm/buf.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Go's strconv.ParseInt(s, 0, 64) for unsigned input: true with *v on success. */
static bool go_parse_int0(const char *s, size_t n, int64_t *v)
{
    unsigned base = 10;
    size_t i = 0;
    if (n > 1 && s[0] == '0') {
        if (s[1] == 'x' || s[1] == 'X') {
            base = 16; i = 2;
        } else if (s[1] == 'o' || s[1] == 'O') {
            base = 8; i = 2;
        } else if (s[1] == 'b' || s[1] == 'B') {
            base = 2; i = 2;
        } else {
            base = 8; i = 1;
        }
    }
    if (i >= n)
        return false;
    uint64_t acc = 0;
    for (; i < n; i++) {
        int d = hexval((unsigned char)s[i]);
        if (d < 0 || (unsigned)d >= base)
            return false;
        if (acc > (UINT64_C(0x7fffffffffffffff) - (uint64_t)d) / base)
            return false;
        acc = acc * base + (uint64_t)d;
    }
    *v = (int64_t)acc;
    return true;
}

/* Go's strconv.ParseFloat(s, 64) on what the lexer can produce: 0 ok, -1 syntax,
 * -2 range. */
static int go_parse_float(const char *s, size_t n, double *v)
{
    if (n == 3 && strncasecmp(s, "inf", 3) == 0) {
        *v = INFINITY;
        return 0;
    }
    if (n == 3 && strncasecmp(s, "nan", 3) == 0) {
        *v = NAN;
        return 0;
    }
    size_t i = 0, digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        i++; digits++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++; digits++;
        }
    }
    if (!digits)
        return -1;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++; e++;
        }
        if (!e)
            return -1;
    }
    if (i != n)
        return -1;
    char tmp[512];
    if (n >= sizeof tmp) {
        /* very long decimal: strtod on a heap copy */
        char *h = lm_strndup(s, n);
        if (!h)
            return -1;
        *v = strtod(h, NULL);
        lm_free(h);
    } else {
        memcpy(tmp, s, n);
        tmp[n] = 0;
        *v = strtod(tmp, NULL);
    }
    return isinf(*v) ? -2 : 0;
}

int pql_parse_number(const char *s, size_t n, double *out, char *msg, size_t msgsz)
{
    int64_t iv;
    if (go_parse_int0(s, n, &iv)) {
        *out = (double)iv;
        return 0;
    }
    int rc = go_parse_float(s, n, out);
    if (rc == 0)
        return 0;
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    lm_buf_puts(&b, "strconv.ParseFloat: parsing ");
    pql_quote(&b, s, n);
    lm_buf_puts(&b, rc == -2 ? ": value out of range" : ": invalid syntax");
    snprintf(msg, msgsz, "%s", lm_buf_cstr(&b));
    lm_buf_cleanup(&b);
    return -1;
}

int pql_parse_duration(const char *s, size_t n, int64_t *ms, char *msg, size_t msgsz)
{
    /* units in the order model.ParseDuration's regexp requires them */
    static const struct {
        const char *unit;
        int64_t mult;
    } units[] = {
        {"y", INT64_C(1000) * 60 * 60 * 24 * 365}, {"w", INT64_C(1000) * 60 * 60 * 24 * 7},
        {"d", INT64_C(1000) * 60 * 60 * 24}, {"h", INT64_C(1000) * 60 * 60},
        {"m", INT64_C(1000) * 60}, {"s", 1000}, {"ms", 1},
    };
    size_t i = 0, next_unit = 0;
    uint64_t dur = 0; /* nanoseconds, wrapping as Go's int64 does */
    bool overflow = false;
    if (n == 1 && s[0] == '0') {
        snprintf(msg, msgsz, "duration must be greater than 0");
        return -1;
    }
    if (n == 0)
        goto invalid;
    while (i < n) {
        size_t d0 = i;
        uint64_t v = 0;
        bool big = false;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (v > (UINT64_C(0x7fffffffffffffff) - (uint64_t)(s[i] - '0')) / 10)
                big = true;
            else
                v = v * 10 + (uint64_t)(s[i] - '0');
            i++;
        }
        if (i == d0 || i == n)
            goto invalid;
        size_t ulen = (s[i] == 'm' && i + 1 < n && s[i + 1] == 's') ? 2 : 1;
        size_t k;
        for (k = next_unit; k < sizeof units / sizeof units[0]; k++) {
            if (strlen(units[k].unit) == ulen && strncmp(units[k].unit, s + i, ulen) == 0)
                break;
        }
        if (k == sizeof units / sizeof units[0])
            goto invalid;
        i += ulen;
        next_unit = k + 1;
        if (big)
            v = UINT64_C(0x7fffffffffffffff);
        uint64_t mult = (uint64_t)units[k].mult;
        if (v > UINT64_C(0x7fffffffffffffff) / mult / 1000000)
            overflow = true;
        dur += v * 1000000 * mult;
        if ((int64_t)dur < 0)
            overflow = true;
    }
    if (overflow) {
        snprintf(msg, msgsz, "duration out of range");
        return -1;
    }
    *ms = (int64_t)(dur / 1000000);
    if (!*ms && !dur) {
        snprintf(msg, msgsz, "duration must be greater than 0");
        return -1;
    }
    return 0;
invalid:;
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    lm_buf_puts(&b, "not a valid duration string: ");
    pql_quote(&b, s, n);
    snprintf(msg, msgsz, "%s", lm_buf_cstr(&b));
    lm_buf_cleanup(&b);
    return -1;
}

static void put_utf8(struct lm_buf *b, uint32_t r)
{
    char u[4];
    size_t n;
    if (r < 0x80) {
        u[0] = (char)r; n = 1;
    } else if (r < 0x800) {
        u[0] = (char)(0xC0 | (r >> 6)); u[1] = (char)(0x80 | (r & 0x3F)); n = 2;
    } else if (r < 0x10000) {
        u[0] = (char)(0xE0 | (r >> 12)); u[1] = (char)(0x80 | ((r >> 6) & 0x3F));
        u[2] = (char)(0x80 | (r & 0x3F)); n = 3;
    } else {
        u[0] = (char)(0xF0 | (r >> 18)); u[1] = (char)(0x80 | ((r >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((r >> 6) & 0x3F)); u[3] = (char)(0x80 | (r & 0x3F)); n = 4;
    }
    lm_buf_append(b, u, n);
}

/* One character of strutil.Unquote's unquoteChar: appends to b and advances *i.
 * false on a syntax error. */
static bool unquote_char(const char *s, size_t n, size_t *i, char quote, struct lm_buf *b)
{
    unsigned char c = (unsigned char)s[*i];
    if (c == (unsigned char)quote && (quote == '\'' || quote == '"'))
        return false;
    if (c >= 0x80) {
        size_t w;
        int32_t r = pql_utf8_decode(s + *i, n - *i, &w);
        put_utf8(b, (uint32_t)r);
        *i += w;
        return true;
    }
    if (c != '\\') {
        lm_buf_putc(b, (char)c);
        (*i)++;
        return true;
    }
    if (n - *i <= 1)
        return false;
    c = (unsigned char)s[*i + 1];
    *i += 2;
    static const char esc_from[] = "abfnrtv\\";
    static const char esc_to[] = "\a\b\f\n\r\t\v\\";
    const char *e = c ? strchr(esc_from, c) : NULL;
    if (e) {
        lm_buf_putc(b, esc_to[e - esc_from]);
        return true;
    }
    if (c == 'x' || c == 'u' || c == 'U') {
        size_t k = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        if (n - *i < k)
            return false;
        uint32_t v = 0;
        for (size_t j = 0; j < k; j++) {
            int x = hexval((unsigned char)s[*i + j]);
            if (x < 0)
                return false;
            v = v << 4 | (uint32_t)x;
        }
        *i += k;
        if (c == 'x') {
            lm_buf_putc(b, (char)v);
            return true;
        }
        if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000))
            return false;
        put_utf8(b, v);
        return true;
    }
    if (c >= '0' && c <= '7') {
        uint32_t v = c - '0';
        if (n - *i < 2)
            return false;
        for (size_t j = 0; j < 2; j++) {
            int x = s[*i + j] - '0';
            if (x < 0 || x > 7)
                return false;
            v = (v << 3) | (uint32_t)x;
        }
        *i += 2;
        if (v > 255)
            return false;
        lm_buf_putc(b, (char)v);
        return true;
    }
    if (c == '\'' || c == '"') {
        if (c != (unsigned char)quote)
            return false;
        lm_buf_putc(b, (char)c);
        return true;
    }
    return false;
}

int pql_unquote(const char *s, size_t n, char **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    if (n < 2 || s[0] != s[n - 1])
        return -1;
    char quote = s[0];
    s++;
    n -= 2;
    if (quote == '`') {
        if (memchr(s, '`', n))
            return -1;
    } else if (quote != '"' && quote != '\'') {
        return -1;
    } else if (memchr(s, '\n', n)) {
        return -1;
    }
    struct lm_buf b;
    lm_buf_init(&b, (size_t)1 << 30);
    lm_buf_reserve(&b, n + 1);
    if (quote == '`') {
        lm_buf_append(&b, s, n);
    } else {
        size_t i = 0;
        while (i < n) {
            if (!unquote_char(s, n, &i, quote, &b)) {
                lm_buf_cleanup(&b);
                return -1;
            }
        }
    }
    if (b.err) {
        lm_buf_cleanup(&b);
        return -2;
    }
    *outlen = b.len;
    if (!b.len) {
        lm_buf_cleanup(&b);
        *out = lm_strdup("");
        return *out ? 0 : -2;
    }
    *out = lm_buf_take(&b, outlen);
    return *out ? 0 : -2;
}

bool pql_go_printable(int32_t r)
{
    static const int32_t not_print[][2] = {
        {0x0000, 0x001F}, {0x007F, 0x00A0}, {0x00AD, 0x00AD}, {0x0378, 0x0379},
        {0x0380, 0x0383}, {0x038B, 0x038B}, {0x038D, 0x038D}, {0x03A2, 0x03A2},
        {0x0600, 0x0605}, {0x061C, 0x061C}, {0x06DD, 0x06DD}, {0x070F, 0x070F},
        {0x08E2, 0x08E2}, {0x1680, 0x1680}, {0x180E, 0x180E}, {0x2000, 0x200F},
        {0x2028, 0x202F}, {0x205F, 0x206F}, {0x3000, 0x3000}, {0xD800, 0xF8FF},
        {0xFEFF, 0xFEFF}, {0xFFF0, 0xFFFB}, {0xFFFE, 0xFFFF}, {0x110BD, 0x110BD},
        {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
        {0x2FA1E, 0x2FFFF}, {0x3134B, 0xDFFFF}, {0xE0000, 0xE00FF}, {0xE01F0, 0x10FFFF},
    };
    if (r < 0 || r > 0x10FFFF)
        return false;
    if (r >= 0x20 && r < 0x7F)
        return true;
    for (size_t i = 0; i < sizeof not_print / sizeof not_print[0]; i++) {
        if (r >= not_print[i][0] && r <= not_print[i][1])
            return false;
    }
    return true;
}

static void put_escaped_rune(struct lm_buf *b, int32_t r, char quote)
{
    static const char hex[] = "0123456789abcdef";
    if (r == quote || r == '\\') {
        lm_buf_putc(b, '\\');
        put_utf8(b, (uint32_t)r);
        return;
    }
    if (pql_go_printable(r)) {
        put_utf8(b, (uint32_t)r);
        return;
    }
    switch (r) {
    case '\a': lm_buf_puts(b, "\\a"); return;
    case '\b': lm_buf_puts(b, "\\b"); return;
    case '\f': lm_buf_puts(b, "\\f"); return;
    case '\n': lm_buf_puts(b, "\\n"); return;
    case '\r': lm_buf_puts(b, "\\r"); return;
    case '\t': lm_buf_puts(b, "\\t"); return;
    case '\v': lm_buf_puts(b, "\\v"); return;
    default: break;
    }
    if (r < ' ' || r == 0x7f) {
        lm_buf_puts(b, "\\x");
        lm_buf_putc(b, hex[(r >> 4) & 0xF]);
        lm_buf_putc(b, hex[r & 0xF]);
        return;
    }
    if (r > 0x10FFFF || (r >= 0xD800 && r < 0xE000))
        r = 0xFFFD;
    int bits = r < 0x10000 ? 16 : 32;
    lm_buf_puts(b, bits == 16 ? "\\u" : "\\U");
    for (int sh = bits - 4; sh >= 0; sh -= 4)
        lm_buf_putc(b, hex[(r >> sh) & 0xF]);
}

void pql_quote_trunc(struct lm_buf *out, const char *s, size_t n, size_t max)
{
    static const char hex[] = "0123456789abcdef";
    lm_buf_putc(out, '"');
    size_t i = 0, runes = 0;
    while (i < n && runes < max) {
        size_t w;
        int32_t r = pql_utf8_decode(s + i, n - i, &w);
        if (w == 1 && r == 0xFFFD) {
            lm_buf_puts(out, "\\x");
            lm_buf_putc(out, hex[((unsigned char)s[i]) >> 4]);
            lm_buf_putc(out, hex[((unsigned char)s[i]) & 0xF]);
        } else {
            put_escaped_rune(out, r, '"');
        }
        i += w;
        runes++;
    }
    lm_buf_putc(out, '"');
}

void pql_quote(struct lm_buf *out, const char *s, size_t n)
{
    pql_quote_trunc(out, s, n, (size_t)-1);
}

void pql_quote_rune(struct lm_buf *out, int32_t r)
{
    if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r < 0xE000))
        r = 0xFFFD;
    lm_buf_putc(out, '\'');
    put_escaped_rune(out, r, '\'');
    lm_buf_putc(out, '\'');
}

void pql_rune_U(struct lm_buf *out, int32_t r)
{
    lm_buf_printf(out, "U+%04X", (unsigned)r);
    if (pql_go_printable(r)) {
        lm_buf_puts(out, " '");
        put_utf8(out, (uint32_t)r);
        lm_buf_putc(out, '\'');
    }
}

void pql_fmt_f6(struct lm_buf *out, double v)
{
    if (isnan(v))
        lm_buf_puts(out, "NaN");
    else if (isinf(v))
        lm_buf_puts(out, v > 0 ? "+Inf" : "-Inf");
    else
        lm_buf_printf(out, "%f", v);
}
