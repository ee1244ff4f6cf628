/* SPDX-License-Identifier: Apache-2.0 */
/* fmt.c: the single float formatter (Go 'g' shortest, as client_golang writes it), the
 * label-value and HELP escapers and the name validators (lm/fmt.h). Integral values take
 * a table-driven integer path; then exact 128-bit digit generation (values ~1e-6 ..
 * 1.7e38); outside that range short decimals an exact scaled-integer path and the rest a
 * round-trip search over one 17-digit snprintf (strtod checks the shorter roundings).
 * Owns no state. */
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

typedef unsigned __int128 u128;
typedef __int128 i128;

static const uint64_t p10u[20] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
    100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
    10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
    100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL,
};

/* pow10_128: 10^k for 0 <= k <= 38. */
static u128
pow10_128(int k)
{
    return k < 20 ? (u128)p10u[k] : (u128)p10u[19] * p10u[k - 19];
}

/* exact_shortest: the general path in 128-bit integers for normal a in about
 * [1e-6, 1.7e38]: a x 10^s = Q + R/D exactly, with Q of 17 digits; the 15, 16 and
 * 17-digit roundings of it (half to even on exact ties, as printf) and their round trip
 * decided exactly against a's rounding interval (closed when a's mantissa is even, as
 * strtod breaks ties). Same digits as search_shortest; 0 when a is outside the range. */
static size_t
exact_shortest(double a, char *d, int *exp)
{
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    int be = (int)(bits >> 52) & 0x7ff;
    if (be == 0 || be == 0x7ff)
        return 0;
    uint64_t frac = bits & ((1ULL << 52) - 1), m = frac | (1ULL << 52);
    int e = be - 1075;   /* a = m x 2^e */
    /* e10 estimated from the binary exponent (78913 / 2^18 is just under log10(2)), off
     * by at most one either way, which the loop below corrects; no libm call, so the
     * exporters need not map libm for this */
    int t = (be - 1023) * 78913;
    int e10 = t >= 0 ? t >> 18 : -((-t + (1 << 18) - 1) >> 18);
    for (int tries = 0; tries < 4; tries++) {
        int s = 16 - e10;
        u128 Q, R = 0, D = 1, H;   /* H: 4 x half the gap above a, x D, scaled */
        if (s >= 0) {
            if (s > 22)
                return 0;
            u128 n = (u128)m * pow10_128(s);   /* < 2^53 x 10^22 < 2^127 */
            if (e < 0) {
                if (-e > 120)
                    return 0;
                D = (u128)1 << -e;
                Q = n >> -e;
                R = n & (D - 1);
                H = 2 * pow10_128(s);
            } else {
                if (e > 8)
                    return 0;
                Q = n << e;
                H = ((u128)1 << (e + 1)) * pow10_128(s);
            }
        } else {
            if (e < 0 || e > 74 || -s > 30)
                return 0;
            D = pow10_128(-s);
            u128 n = (u128)m << e;
            Q = n / D;
            R = n % D;
            H = (u128)1 << (e + 1);
        }
        if (Q >= p10u[17]) {
            e10++;
            continue;
        }
        if (Q < p10u[16]) {
            e10--;
            continue;
        }
        /* here D < 2^75 (Q >= 10^16), so the products below fit */
        i128 hup = (i128)H, hdn = frac == 0 && be > 1 ? (i128)(H / 2) : (i128)H;
        bool even = (m & 1) == 0;
        uint64_t q17 = (uint64_t)Q;
        for (int p = 15; p <= 17; p++) {
            uint64_t pj = p10u[17 - p], q = q17 / pj, r = q17 % pj;
            u128 lhs = 2 * ((u128)r * D + R), rhs = (u128)pj * D;
            if (lhs > rhs || (lhs == rhs && (q & 1)))
                q++;
            if (p < 17) {
                i128 diff = (i128)q * (i128)pj - (i128)q17;
                i128 err4 = 4 * (diff * (i128)D - (i128)R);
                bool ok = err4 >= 0 ? err4 < hup || (err4 == hup && even)
                                    : -err4 < hdn || (-err4 == hdn && even);
                if (!ok)
                    continue;
            }
            int ex = e10;
            if (q == p10u[p]) {   /* 99..9 rounded up */
                q = p10u[p - 1];
                ex++;
            }
            size_t nd = u64_digits(d, q);
            while (nd > 1 && d[nd - 1] == '0')
                nd--;
            *exp = ex;
            return nd;
        }
    }
    return 0;
}

/* round_to: the digits of the 17-digit d17 (correctly rounded from a) rounded to p
 * (15 or 16) digits into d, *exp adjusted on a carry out; false when d17 lies exactly on
 * the rounding boundary (then a itself decides: the caller asks snprintf). */
static bool
round_to(const char *d17, size_t p, char *d, int *exp)
{
    /* d17 is within half a unit of its last digit from a, so unless it sits exactly on
     * the boundary (dropped digits "5" or "50"), a lies on the same side of it */
    int cmp = d17[p] != '5' ? d17[p] - '5' : p == 15 ? d17[16] - '0' : 0;
    if (cmp == 0)
        return false;
    memcpy(d, d17, p);
    if (cmp > 0) {
        size_t i = p;
        while (i > 0 && d[i - 1] == '9')
            d[--i] = '0';
        if (i == 0) {
            d[0] = '1';
            (*exp)++;
        } else {
            d[i - 1]++;
        }
    }
    return true;
}

/* round_trips: do the digits d[0..nd) x 10^(exp - nd + 1) parse back to a? */
static bool
round_trips(double a, const char *d, size_t nd, int exp)
{
    char tmp[48];
    memcpy(tmp, d, nd);
    size_t n = nd;
    tmp[n++] = 'e';
    int e = exp - (int)nd + 1;
    if (e < 0) {
        tmp[n++] = '-';
        e = -e;
    }
    n += u64_digits(tmp + n, (uint64_t)e);
    tmp[n] = '\0';
    return strtod(tmp, NULL) == a;
}

/* search_shortest: general path: the shortest of the 15, 16 and 17-digit roundings that
 * round-trips (any normal number with a <= 15-digit round-tripping form is found at 15
 * digits, DBL_DIG). One snprintf of 17 digits; the shorter roundings come from its
 * digits, or from snprintf when those sit on a rounding boundary. Subnormals have fewer
 * significant bits: there, the search starts at one digit.
 * Fills digits (without trailing zeros) and returns their count; *exp gets the exponent. */
static size_t
search_shortest(double a, char *d, int *exp)
{
    char tmp[48], d17[17];
    int prec = a < 2.2250738585072014e-308 ? 1 : 17;
    for (; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, a);
        const char *p = tmp;
        size_t nd = 0;
        for (; *p && *p != 'e'; p++)
            if (*p >= '0' && *p <= '9')
                d[nd++] = *p;
        *exp = (int)strtol(p + 1, NULL, 10);
        if (prec == 17 && a >= 2.2250738585072014e-308) {
            memcpy(d17, d, 17);
            int e17 = *exp;
            for (size_t q = 15; q <= 16; q++) {
                int eq = e17;
                if (round_to(d17, q, d, &eq)) {
                    if (round_trips(a, d, q, eq)) {
                        nd = q;
                        *exp = eq;
                        break;
                    }
                    continue;
                }
                snprintf(tmp, sizeof tmp, "%.*e", (int)q - 1, a);
                if (strtod(tmp, NULL) != a)
                    continue;
                nd = 0;
                for (p = tmp; *p && *p != 'e'; p++)
                    if (*p >= '0' && *p <= '9')
                        d[nd++] = *p;
                *exp = (int)strtol(p + 1, NULL, 10);
                break;
            }
            if (nd == 17) {
                memcpy(d, d17, 17);
                *exp = e17;
            }
        } else if (prec < 17 && strtod(tmp, NULL) != a) {
            continue;
        }
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
    if ((nd = exact_shortest(a, d, &exp)) > 0)
        return layout(out, neg, d, nd, exp);
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
