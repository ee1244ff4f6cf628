/* SPDX-License-Identifier: Apache-2.0 */
/* fmt.c: the single float formatter (Go 'g' shortest, as client_golang writes it), the
 * label-value and HELP escapers and the name validators (lm/fmt.h). Integral values take
 * a table-driven integer path; short decimals an exact scaled-integer path; the rest a
 * snprintf/strtod round-trip search. Owns no state. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/fmt.h"
#include "lm/limits.h"

static const char digits2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* u64_digits: write v's decimal digits into out (no NUL); return the count. */
static size_t
u64_digits(char *out, uint64_t v)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100) * 2;
        v /= 100;
        p -= 2;
        p[0] = digits2[r];
        p[1] = digits2[r + 1];
    }
    if (v >= 10) {
        p -= 2;
        p[0] = digits2[v * 2];
        p[1] = digits2[v * 2 + 1];
    } else {
        *--p = (char)('0' + v);
    }
    size_t n = (size_t)(tmp + sizeof tmp - p);
    memcpy(out, p, n);
    return n;
}

size_t
lm_fmt_u64(char *out, uint64_t v)
{
    size_t n = u64_digits(out, v);
    out[n] = '\0';
    return n;
}

size_t
lm_fmt_i64(char *out, int64_t v)
{
    if (v >= 0)
        return lm_fmt_u64(out, (uint64_t)v);
    out[0] = '-';
    return 1 + lm_fmt_u64(out + 1, (uint64_t)0 - (uint64_t)v);
}

/* layout: write digits d[0..nd) (no leading/trailing zeros, nd >= 1) with decimal
 * exponent exp (value = d[0].d[1..] x 10^exp) the way Go's 'g' with shortest precision
 * does: %e when exp < -4 || exp >= 6, else %f. Returns the length written. */
static size_t
layout(char *out, int neg, const char *d, size_t nd, int exp)
{
    char *p = out;
    if (neg)
        *p++ = '-';
    if (exp < -4 || exp >= 6) {
        *p++ = d[0];
        if (nd > 1) {
            *p++ = '.';
            memcpy(p, d + 1, nd - 1);
            p += nd - 1;
        }
        *p++ = 'e';
        *p++ = exp < 0 ? '-' : '+';
        unsigned e = (unsigned)(exp < 0 ? -exp : exp);
        if (e >= 100)
            *p++ = (char)('0' + e / 100);
        *p++ = (char)('0' + e / 10 % 10);
        *p++ = (char)('0' + e % 10);
    } else if (exp < 0) {
        *p++ = '0';
        *p++ = '.';
        for (int i = -1; i > exp; i--)
            *p++ = '0';
        memcpy(p, d, nd);
        p += nd;
    } else {
        size_t ni = (size_t)exp + 1;   /* integer digits */
        if (nd <= ni) {
            memcpy(p, d, nd);
            p += nd;
            for (size_t i = nd; i < ni; i++)
                *p++ = '0';
        } else {
            memcpy(p, d, ni);
            p += ni;
            *p++ = '.';
            memcpy(p, d + ni, nd - ni);
            p += nd - ni;
        }
    }
    *p = '\0';
    return (size_t)(p - out);
}

static const double pow10tab[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* scaled_shortest: find the fewest decimals k (1..22) such that m = round(a * 10^k)
 * < 2^49 and m / 10^k rounds back to a. With m < 2^49 the rounding error of a * 10^k is
 * below 1/8, so the m found is the closest candidate and the smallest k gives the fewest
 * significant digits (this path is exact). Returns k, or 0 when the path does not apply. */
static int
scaled_shortest(double a, uint64_t *m)
{
    for (int k = 1; k <= 22; k++) {
        double t = a * pow10tab[k];
        if (t >= 562949953421312.0)   /* 2^49 */
            return 0;
        uint64_t r = (uint64_t)(t + 0.5);
        if ((double)r / pow10tab[k] == a) {
            *m = r;
            return k;
        }
    }
    return 0;
}

/* search_shortest: general path: the shortest of %.14e, %.15e, %.16e that round-trips.
 * Any normal number with a <= 15-digit round-tripping form is found at 15 digits
 * (DBL_DIG).
 * Fills digits (without trailing zeros) and returns their count; *exp gets the exponent. */
static size_t
search_shortest(double a, char *d, int *exp)
{
    char tmp[48];
    /* subnormals have fewer significant bits: there, search from one digit */
    for (int prec = a < 2.2250738585072014e-308 ? 1 : 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, a);
        if (prec < 17 && strtod(tmp, NULL) != a)
            continue;
        size_t nd = 0;
        const char *p = tmp;
        for (; *p && *p != 'e'; p++)
            if (*p >= '0' && *p <= '9')
                d[nd++] = *p;
        *exp = (int)strtol(p + 1, NULL, 10);
        while (nd > 1 && d[nd - 1] == '0')
            nd--;
        return nd;
    }
    return 0;   /* not reached: 17 digits always round-trip */
}

size_t
lm_fmt_double_go(char *out, double v)
{
    if (isnan(v)) {
        memcpy(out, "NaN", 4);
        return 3;
    }
    if (isinf(v)) {
        memcpy(out, v > 0 ? "+Inf" : "-Inf", 5);
        return 4;
    }
    int neg = signbit(v) != 0;
    double a = neg ? -v : v;
    char d[32];
    size_t nd;
    int exp;
    if (a == 0) {
        d[0] = '0';
        return layout(out, neg, d, 1, 0);
    }
    if (a < 9007199254740992.0 && a == (double)(uint64_t)a) {
        uint64_t u = (uint64_t)a;
        if (u < 1000000) {   /* plain integer, the common case */
            char *p = out;
            if (neg)
                *p++ = '-';
            p += u64_digits(p, u);
            *p = '\0';
            return (size_t)(p - out);
        }
        nd = u64_digits(d, u);
        exp = (int)nd - 1;
        while (nd > 1 && d[nd - 1] == '0')
            nd--;
        return layout(out, neg, d, nd, exp);
    }
    uint64_t m;
    int k = scaled_shortest(a, &m);
    if (k > 0) {
        nd = u64_digits(d, m);
        exp = (int)nd - 1 - k;
        while (nd > 1 && d[nd - 1] == '0')
            nd--;
        return layout(out, neg, d, nd, exp);
    }
    nd = search_shortest(a, d, &exp);
    return layout(out, neg, d, nd, exp);
}

size_t
lm_fmt_double(char *out, double v)
{
    if (v == 0) {
        memcpy(out, "0", 2);
        return 1;
    }
    return lm_fmt_double_go(out, v);
}

size_t
lm_fmt_double_om(char *out, double v)
{
    if (v == 0) {
        memcpy(out, "0.0", 4);
        return 3;
    }
    size_t n = lm_fmt_double_go(out, v);
    if (isnan(v) || isinf(v))
        return n;
    if (!memchr(out, '.', n) && !memchr(out, 'e', n)) {
        memcpy(out + n, ".0", 3);
        n += 2;
    }
    return n;
}

size_t
lm_fmt_double_fmt(char *out, double v, enum lm_format fmt)
{
    return fmt == LM_FORMAT_OPENMETRICS ? lm_fmt_double_om(out, v) : lm_fmt_double(out, v);
}

int
lm_fmt_put_double(struct lm_buf *b, double v, enum lm_format fmt)
{
    char tmp[LM_FMT_DOUBLE_MAX];
    size_t n = lm_fmt_double_fmt(tmp, v, fmt);
    return lm_buf_append(b, tmp, n);
}

bool
lm_fmt_label_value_needs_escape(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\\' || s[i] == '"' || s[i] == '\n')
            return true;
    return false;
}

size_t
lm_fmt_escape_label_value(char *out, const char *s, size_t n)
{
    char *p = out;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\' || c == '"') {
            *p++ = '\\';
            *p++ = c;
        } else if (c == '\n') {
            *p++ = '\\';
            *p++ = 'n';
        } else {
            *p++ = c;
        }
    }
    return (size_t)(p - out);
}

/* put_escaped: append s with '\\' and '\n' escaped, and '"' too when quotes is set. */
static int
put_escaped(struct lm_buf *b, const char *s, size_t n, bool quotes)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        if (s[i] == '\\')
            rep = "\\\\";
        else if (s[i] == '\n')
            rep = "\\n";
        else if (s[i] == '"' && quotes)
            rep = "\\\"";
        if (!rep)
            continue;
        lm_buf_append(b, s + start, i - start);
        lm_buf_append(b, rep, 2);
        start = i + 1;
    }
    return lm_buf_append(b, s + start, n - start);
}

int
lm_fmt_put_label_value(struct lm_buf *b, const char *s, size_t n)
{
    return put_escaped(b, s, n, true);
}

int
lm_fmt_put_help(struct lm_buf *b, const char *s, size_t n, enum lm_format fmt)
{
    return put_escaped(b, s, n, fmt == LM_FORMAT_OPENMETRICS);
}

bool
lm_metric_name_valid(const char *s)
{
    if (!s || !*s)
        return false;
    size_t i = 0;
    for (; s[i]; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                  (i > 0 && c >= '0' && c <= '9');
        if (!ok || i >= LM_LIMIT_NAME_BYTES)
            return false;
    }
    return true;
}

bool
lm_label_name_valid(const char *s)
{
    if (!s || !*s || (s[0] == '_' && s[1] == '_'))
        return false;
    size_t i = 0;
    for (; s[i]; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                  (i > 0 && c >= '0' && c <= '9');
        if (!ok || i >= LM_LIMIT_NAME_BYTES)
            return false;
    }
    return true;
}
