/* SPDX-License-Identifier: Apache-2.0 */
/* parse_num.c: numbers for the exposition parser. Floats follow Go's strconv.ParseFloat
 * as Prometheus calls it (decimal syntax only) and are correctly rounded: an exact fast
 * path (Clinger's: mantissa <= 2^53 and |power of ten| <= 22, one IEEE multiply or
 * divide) and strtod_l in the "C" locale for everything else. Integers: int64 digits. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "parse_int.h"

/* 10^0 .. 10^22 are exact doubles. */
static const double pow10_exact[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

#define MANT_EXACT_MAX (1ULL << 53)

static pthread_once_t c_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;   /* the "C" locale for strtod_l; (locale_t)0 if unavailable */

static void
c_locale_init(void)
{
    c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* ieq: s[0..n) equals the lower-case word w, ignoring ASCII case. */
static bool
ieq(const char *s, size_t n, const char *w)
{
    if (strlen(w) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != w[i])
            return false;
    return true;
}

/* Prometheus's NormalNaN (model/value): the one NaN the parser hands out. */
static double
normal_nan(void)
{
    uint64_t bits = 0x7ff8000000000001ULL;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* slow_double: strtod_l on a NUL-terminated copy of s[0..n) (syntax already checked). */
static int
slow_double(struct lm_parser *p, const char *s, size_t n, double *out)
{
    char small[96];
    char *buf = small;
    if (n >= sizeof small) {
        if (n + 1 > p->numbuf_cap) {
            char *nb = lm_realloc(p->numbuf, n + 1);
            if (!nb)
                return LM_ENOMEM;
            p->numbuf = nb;
            p->numbuf_cap = n + 1;
        }
        buf = p->numbuf;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    pthread_once(&c_once, c_locale_init);
    char *end;
    double v = c_locale ? strtod_l(buf, &end, c_locale) : strtod(buf, &end);
    if (end != buf + n || isinf(v))
        return -1;   /* isinf: overflow, which Go reports as an error */
    *out = v;
    return 0;
}

int
lmi_parse_double(struct lm_parser *p, const char *s, size_t n, double *out)
{
    const char *i = s, *e = s + n;
    bool neg = false, sign = false;
    if (i < e && (*i == '+' || *i == '-')) {
        neg = *i == '-';
        sign = true;
        i++;
    }
    if (i < e && ((*i | 0x20) == 'i' || (*i | 0x20) == 'n')) {
        size_t r = (size_t)(e - i);
        if (ieq(i, r, "inf") || ieq(i, r, "infinity")) {
            *out = neg ? -HUGE_VAL : HUGE_VAL;
            return 0;
        }
        if (!sign && ieq(i, r, "nan")) {
            *out = normal_nan();
            return 0;
        }
        return -1;
    }
    uint64_t m = 0;
    int nd = 0;          /* significant digits in m */
    int exp10 = 0;       /* value = m * 10^exp10 (when !trunc) */
    bool digits = false, trunc = false;
    for (; i < e && *i >= '0' && *i <= '9'; i++) {
        digits = true;
        if (nd < 19) {
            m = m * 10 + (uint64_t)(*i - '0');
            nd += m != 0;
        } else {
            trunc = true;
            exp10++;
        }
    }
    if (i < e && *i == '.') {
        for (i++; i < e && *i >= '0' && *i <= '9'; i++) {
            digits = true;
            if (nd < 19) {
                m = m * 10 + (uint64_t)(*i - '0');
                nd += m != 0;
                exp10--;
            } else {
                trunc = true;
            }
        }
    }
    if (!digits)
        return -1;
    if (i < e && (*i | 0x20) == 'e') {
        i++;
        bool eneg = false;
        if (i < e && (*i == '+' || *i == '-'))
            eneg = *i++ == '-';
        if (i == e || *i < '0' || *i > '9')
            return -1;
        int x = 0;
        for (; i < e && *i >= '0' && *i <= '9'; i++)
            if (x < 100000)
                x = x * 10 + (*i - '0');
        exp10 += eneg ? -x : x;
    }
    if (i != e)
        return -1;
    if (m == 0 && !trunc) {
        *out = neg ? -0.0 : 0.0;
        return 0;
    }
    if (!trunc && m <= MANT_EXACT_MAX && exp10 >= -22 && exp10 <= 22) {
        double v = (double)m;
        v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
        *out = neg ? -v : v;
        return 0;
    }
    return slow_double(p, s, n, out);
}

int
lmi_parse_i64(const char *s, size_t n, int64_t *out)
{
    if (n == 0)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (uint64_t)(INT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = (int64_t)v;
    return 0;
}
