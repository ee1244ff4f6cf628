/* SPDX-License-Identifier: Apache-2.0 */
/* params.c: request parameters as Prometheus's API reads them: times (Unix seconds or
 * RFC 3339, plus its min/max time strings), durations (seconds or model.Duration) and
 * match[] selector lists (parsed by flint/promql's parser), with Prometheus's error
 * texts. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flint/api/api_int.h"
#include "flint/config/config.h"
#include "flint/promql/parse.h"
#include "lm/alloc.h"

/* parse_float: the whole of s as a float (Go's ParseFloat, roughly: no spaces). */
static int
parse_float(const char *s, double *out)
{
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    *out = strtod(s, &end);
    return *end ? -1 : 0;
}

/* digits: n decimal digits at *p into *v. */
static int
digits(const char **p, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return -1;
        *v = *v * 10 + (**p - '0');
    }
    return 0;
}

/* parse_rfc3339: Go's time.Parse(time.RFC3339Nano, s). */
static int
parse_rfc3339(const char *s, int64_t *ms)
{
    struct tm tm = {0};
    int y, mo, d, h, mi, se, oh = 0, om = 0;
    const char *p = s;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
        digits(&p, 2, &d) || *p++ != 'T' || digits(&p, 2, &h) || *p++ != ':' ||
        digits(&p, 2, &mi) || *p++ != ':' || digits(&p, 2, &se))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59)
        return -1;
    int64_t frac_ms = 0;
    if (*p == '.') {
        p++;
        int nd = 0;
        int64_t scale = 100;
        while (isdigit((unsigned char)*p)) {
            if (nd < 3)
                frac_ms += (*p - '0') * scale;
            scale /= 10;
            nd++;
            p++;
        }
        if (!nd || nd > 9)
            return -1;
    }
    int sign = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p++ == '+' ? 1 : -1;
        if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59)
            return -1;
    } else {
        return -1;
    }
    if (*p)
        return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    int64_t t = (int64_t)timegm(&tm);
    t -= sign * (oh * 3600 + om * 60);
    *ms = t * 1000 + frac_ms;
    return 0;
}

int
api_parse_time(const char *s, int64_t *ms, struct lm_err *err)
{
    double f;
    if (!parse_float(s, &f) && isfinite(f) && fabs(f) < 9.2e15) {
        double ip, fp = modf(f, &ip);
        fp = round(fp * 1000) / 1000;
        *ms = (int64_t)ip * 1000 + (int64_t)llround(fp * 1000);
        return 0;
    }
    if (!parse_rfc3339(s, ms))
        return 0;
    if (!strcmp(s, API_PROM_MIN_STR)) {
        *ms = API_PROM_MIN_MS;
        return 0;
    }
    if (!strcmp(s, API_PROM_MAX_STR)) {
        *ms = API_PROM_MAX_MS;
        return 0;
    }
    return lm_err_set(err, LM_EINVAL, NULL, "cannot parse \"%s\" to a valid timestamp", s);
}

int
api_parse_duration(const char *s, int64_t *ms, struct lm_err *err)
{
    double f;
    if (!parse_float(s, &f)) {
        double ns = f * 1e9;
        if (!(ns <= 9.2233720368547758e18 && ns >= -9.2233720368547758e18))
            return lm_err_set(err, LM_EINVAL, NULL,
                              "cannot parse \"%s\" to a valid duration. It overflows int64", s);
        *ms = (int64_t)(ns / 1e6);
        return 0;
    }
    struct lm_err e = {0};
    if (!cfg_duration_parse(s, ms, &e))
        return 0;
    return lm_err_set(err, LM_EINVAL, NULL, "cannot parse \"%s\" to a valid duration", s);
}

int
api_time_param(const struct lm_http_request *req, struct lm_http_response *resp,
               const char *name, int64_t def, int64_t *ms)
{
    const char *v = lm_http_request_query(req, name);
    struct lm_err err = {0};
    if (!v || !*v) {
        *ms = def;
        return 0;
    }
    if (!api_parse_time(v, ms, &err))
        return 0;
    api_reply_error(resp, API_ERR_BAD_DATA,
                    "invalid parameter \"%s\": Invalid time value for '%s': %s", name, name,
                    err.msg);
    return -1;
}

int
api_parse_selector(const char *s, struct lbl_matcher **ms, size_t *n, struct lm_err *err)
{
    return pql_parse_selector(s, ms, n, err);
}

void
api_matchers_free(struct lbl_matcher *ms, size_t n)
{
    for (size_t i = 0; ms && i < n; i++)
        lbl_matcher_free(&ms[i]);
    lm_free(ms);
}

void
api_msets_free(struct api_msets *m)
{
    for (size_t i = 0; i < m->n; i++)
        api_matchers_free(m->sets[i], m->lens[i]);
    lm_free(m->sets);
    lm_free(m->lens);
    memset(m, 0, sizeof *m);
}

int
api_match_param(const struct lm_http_request *req, struct lm_http_response *resp,
                bool required, struct api_msets *out)
{
    size_t n = lm_http_request_query_count(req, "match[]");
    memset(out, 0, sizeof *out);
    if (!n) {
        if (!required)
            return 0;
        api_reply_error(resp, API_ERR_BAD_DATA, "no match[] parameter provided");
        return -1;
    }
    out->sets = lm_calloc(n, sizeof *out->sets);
    out->lens = lm_calloc(n, sizeof *out->lens);
    if (!out->sets || !out->lens) {
        api_msets_free(out);
        api_reply_error(resp, API_ERR_INTERNAL, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct lm_err err = {0};
        const char *sel = lm_http_request_query_nth(req, "match[]", i);
        if (api_parse_selector(sel, &out->sets[i], &out->lens[i], &err)) {
            api_msets_free(out);
            api_reply_error(resp, err.code == LM_ENOMEM ? API_ERR_INTERNAL : API_ERR_BAD_DATA,
                            "invalid parameter \"match[]\": %s", err.msg);
            return -1;
        }
        out->n++;
        bool nonempty = false;
        for (size_t k = 0; k < out->lens[i]; k++)
            nonempty |= !lbl_matcher_matches_empty(&out->sets[i][k]);
        if (!nonempty) {
            api_msets_free(out);
            api_reply_error(resp, API_ERR_BAD_DATA, "invalid parameter \"match[]\": match[] "
                                                    "must contain at least one non-empty matcher");
            return -1;
        }
    }
    return 0;
}
