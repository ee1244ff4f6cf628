/* SPDX-License-Identifier: Apache-2.0 */
/* func_math.c: element-wise PromQL functions (abs .. tanh, deg, rad, sgn, the UTC date
 * functions), Go's math.Max/Min, and the quantile math shared by quantile(),
 * quantile_over_time() and histogram_quantile(), as in Prometheus 2.42. */
#include "flint/promql/func.h"

#include <math.h>
#include <stdlib.h>

double pql_go_max(double a, double b)
{
    if ((isinf(a) && a > 0) || (isinf(b) && b > 0))
        return INFINITY;
    if (isnan(a) || isnan(b))
        return NAN;
    if (a == 0 && a == b)
        return signbit(a) ? b : a;
    return a > b ? a : b;
}

double pql_go_min(double a, double b)
{
    if ((isinf(a) && a < 0) || (isinf(b) && b < 0))
        return -INFINITY;
    if (isnan(a) || isnan(b))
        return NAN;
    if (a == 0 && a == b)
        return signbit(a) ? a : b;
    return a < b ? a : b;
}

/* civil: days since 1970-01-01 to year, month (1-12), day (H. Hinnant's algorithm). */
static void civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static double date_part(enum pql_func_id fn, double v)
{
    if (!isfinite(v) || v >= 9.2e18 || v <= -9.2e18)
        return NAN;
    int64_t t = (int64_t)v;   /* Go's int64(v): truncation */
    int64_t days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    int64_t y;
    unsigned m, d;
    civil(days, &y, &m, &d);
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    switch (fn) {
    case PQL_FN_HOUR: return (double)(secs / 3600);
    case PQL_FN_MINUTE: return (double)(secs / 60 % 60);
    case PQL_FN_MONTH: return m;
    case PQL_FN_YEAR: return (double)y;
    case PQL_FN_DAY_OF_MONTH: return d;
    case PQL_FN_DAY_OF_WEEK: {
        int64_t w = (days + 4) % 7;
        return (double)(w < 0 ? w + 7 : w);
    }
    case PQL_FN_DAY_OF_YEAR: {
        unsigned yd = d;
        for (unsigned i = 1; i < m; i++)
            yd += mdays[i - 1] + (i == 2 && leap(y));
        return yd;
    }
    case PQL_FN_DAYS_IN_MONTH: return mdays[m - 1] + (m == 2 && leap(y));
    default: return NAN;
    }
}

bool pql_is_date(enum pql_func_id fn)
{
    switch (fn) {
    case PQL_FN_HOUR: case PQL_FN_MINUTE: case PQL_FN_MONTH: case PQL_FN_YEAR:
    case PQL_FN_DAY_OF_MONTH: case PQL_FN_DAY_OF_WEEK: case PQL_FN_DAY_OF_YEAR:
    case PQL_FN_DAYS_IN_MONTH:
        return true;
    default:
        return false;
    }
}

/* go_log: Go's math.Log (FreeBSD's e_log.c), so ln/log2/log10 round as Prometheus. */
static double go_log(double x)
{
    static const double ln2hi = 6.93147180369123816490e-01, ln2lo = 1.90821492927058770002e-10,
                        l1 = 6.666666666666735130e-01, l2 = 3.999999999940941908e-01,
                        l3 = 2.857142874366239149e-01, l4 = 2.222219843214978396e-01,
                        l5 = 1.818357216161805012e-01, l6 = 1.531383769920937332e-01,
                        l7 = 1.479819860511658591e-01;
    if (isnan(x) || (isinf(x) && x > 0))
        return x;
    if (x < 0)
        return NAN;
    if (x == 0)
        return -INFINITY;
    int ki;
    double f1 = frexp(x, &ki);
    if (f1 < M_SQRT2 / 2) {
        f1 *= 2;
        ki--;
    }
    double f = f1 - 1, k = (double)ki;
    double s = f / (2 + f), s2 = s * s, s4 = s2 * s2;
    double t1 = s2 * (l1 + s4 * (l3 + s4 * (l5 + s4 * l7)));
    double t2 = s4 * (l2 + s4 * (l4 + s4 * l6));
    double r = t1 + t2, hfsq = 0.5 * f * f;
    return k * ln2hi - ((hfsq - (s * (hfsq + r) + k * ln2lo)) - f);
}

/* go_log2: Go's math.Log2 (exact for powers of two). */
static double go_log2(double x)
{
    int e;
    double frac = frexp(x, &e);
    if (frac == 0.5)
        return (double)(e - 1);
    return go_log(frac) * 1.442695040888963407359924681001892137 + (double)e;
}

/* xatan, satan, pql_go_atan, pql_go_atan2: Go's math.Atan/Atan2 (Cephes), bit for bit. */
static double xatan(double x)
{
    static const double p0 = -8.750608600031904122785e-01, p1 = -1.615753718733365076637e+01,
                        p2 = -7.500855792314704667340e+01, p3 = -1.228866684490136173410e+02,
                        p4 = -6.485021904942025371773e+01, q0 = +2.485846490142306297962e+01,
                        q1 = +1.650270098316988542046e+02, q2 = +4.328810604912902668951e+02,
                        q3 = +4.853903996359136964868e+02, q4 = +1.945506571482613964425e+02;
    double z = x * x;
    z = z * ((((p0 * z + p1) * z + p2) * z + p3) * z + p4) /
        (((((z + q0) * z + q1) * z + q2) * z + q3) * z + q4);
    return x * z + x;
}

static double satan(double x)
{
    static const double morebits = 6.123233995736765886130e-17, tan3pio8 = 2.41421356237309504880;
    if (x <= 0.66)
        return xatan(x);
    if (x > tan3pio8)
        return M_PI / 2 - xatan(1 / x) + morebits;
    return M_PI / 4 + xatan((x - 1) / (x + 1)) + 0.5 * morebits;
}

double pql_go_atan(double x)
{
    if (x == 0)
        return x;
    return x > 0 ? satan(x) : -satan(-x);
}

double pql_go_atan2(double y, double x)
{
    if (isnan(y) || isnan(x))
        return NAN;
    if (y == 0) {
        if (x >= 0 && !signbit(x))
            return copysign(0, y);
        return copysign(M_PI, y);
    }
    if (x == 0)
        return copysign(M_PI / 2, y);
    if (isinf(x)) {
        if (x > 0)
            return isinf(y) ? copysign(M_PI / 4, y) : copysign(0, y);
        return isinf(y) ? copysign(3 * M_PI / 4, y) : copysign(M_PI, y);
    }
    if (isinf(y))
        return copysign(M_PI / 2, y);
    double q = pql_go_atan(y / x);
    if (x < 0)
        return q <= 0 ? q + M_PI : q - M_PI;
    return q;
}

double pql_math(enum pql_func_id fn, double v)
{
    switch (fn) {
    case PQL_FN_ABS: return fabs(v);
    case PQL_FN_CEIL: return ceil(v);
    case PQL_FN_FLOOR: return floor(v);
    case PQL_FN_EXP: return exp(v);
    case PQL_FN_SQRT: return sqrt(v);
    case PQL_FN_LN: return go_log(v);
    case PQL_FN_LOG2: return go_log2(v);
    case PQL_FN_LOG10: return go_log(v) * 0.434294481903251827651128918916605082;
    case PQL_FN_SIN: return sin(v);
    case PQL_FN_COS: return cos(v);
    case PQL_FN_TAN: return tan(v);
    case PQL_FN_ASIN: return asin(v);
    case PQL_FN_ACOS: return acos(v);
    case PQL_FN_ATAN: return pql_go_atan(v);
    case PQL_FN_SINH: return sinh(v);
    case PQL_FN_COSH: return cosh(v);
    case PQL_FN_TANH: return tanh(v);
    case PQL_FN_ASINH: return asinh(v);
    case PQL_FN_ACOSH: return acosh(v);
    case PQL_FN_ATANH: return atanh(v);
    case PQL_FN_DEG: return v * 180 / M_PI;
    case PQL_FN_RAD: return v * M_PI / 180;
    case PQL_FN_SGN: return v < 0 ? -1 : v > 0 ? 1 : v;
    default: return date_part(fn, v);
    }
}

bool pql_is_math(enum pql_func_id fn)
{
    switch (fn) {
    case PQL_FN_ABS: case PQL_FN_CEIL: case PQL_FN_FLOOR: case PQL_FN_EXP: case PQL_FN_SQRT:
    case PQL_FN_LN: case PQL_FN_LOG2: case PQL_FN_LOG10: case PQL_FN_SIN: case PQL_FN_COS:
    case PQL_FN_TAN: case PQL_FN_ASIN: case PQL_FN_ACOS: case PQL_FN_ATAN: case PQL_FN_SINH:
    case PQL_FN_COSH: case PQL_FN_TANH: case PQL_FN_ASINH: case PQL_FN_ACOSH:
    case PQL_FN_ATANH: case PQL_FN_DEG: case PQL_FN_RAD: case PQL_FN_SGN:
        return true;
    default:
        return pql_is_date(fn);
    }
}

/* cmp_nan_first: ascending, NaN before everything (Go's vectorByValueHeap order). */
static int cmp_nan_first(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x))
        return isnan(y) ? 0 : -1;
    if (isnan(y))
        return 1;
    return x < y ? -1 : x > y ? 1 : 0;
}

double pql_quantile(double phi, double *v, size_t n)
{
    if (n == 0)
        return NAN;
    if (phi < 0)
        return -INFINITY;
    if (phi > 1)
        return INFINITY;
    if (isnan(phi))
        return NAN;
    qsort(v, n, sizeof *v, cmp_nan_first);
    double cnt = (double)n;
    double rank = phi * (cnt - 1);
    double lo = fmax(0, floor(rank));
    double hi = fmin(cnt - 1, lo + 1);
    double w = rank - floor(rank);
    return v[(size_t)lo] * (1 - w) + v[(size_t)hi] * w;
}

static int cmp_bucket(const void *a, const void *b)
{
    double x = ((const struct pql_bucket *)a)->upper, y = ((const struct pql_bucket *)b)->upper;
    return x < y ? -1 : x > y ? 1 : 0;
}

double pql_bucket_quantile(double phi, struct pql_bucket *b, size_t n)
{
    if (isnan(phi))
        return NAN;
    if (phi < 0)
        return -INFINITY;
    if (phi > 1)
        return INFINITY;
    qsort(b, n, sizeof *b, cmp_bucket);
    if (!(isinf(b[n - 1].upper) && b[n - 1].upper > 0))
        return NAN;
    /* coalesce equal bounds */
    size_t k = 0;
    struct pql_bucket last = b[0];
    for (size_t i = 1; i < n; i++) {
        if (b[i].upper == last.upper) {
            last.count += b[i].count;
        } else {
            b[k++] = last;
            last = b[i];
        }
    }
    b[k++] = last;
    n = k;
    /* ensure monotonic counts */
    double max = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (b[i].count > max)
            max = b[i].count;
        else if (b[i].count < max)
            b[i].count = max;
    }
    if (n < 2)
        return NAN;
    double obs = b[n - 1].count;
    if (obs == 0)
        return NAN;
    double rank = phi * obs;
    /* first i in [0, n-1) with count >= rank, else n-1 */
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b[mid].count >= rank)
            hi = mid;
        else
            lo = mid + 1;
    }
    size_t i = lo;
    if (i == n - 1)
        return b[n - 2].upper;
    if (i == 0 && b[0].upper <= 0)
        return b[0].upper;
    double start = 0, end = b[i].upper, count = b[i].count;
    if (i > 0) {
        start = b[i - 1].upper;
        count -= b[i - 1].count;
        rank -= b[i - 1].count;
    }
    return start + (end - start) * (rank / count);
}
