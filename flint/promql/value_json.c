/* SPDX-License-Identifier: Apache-2.0 */
/* value_json.c: Prometheus's JSON for query results ("data" of /api/v1/query and
 * /api/v1/query_range): values formatted as its API does (Go 'f' shortest, 'e' outside
 * [1e-6, 1e21)), timestamps as seconds with 3 ms digits, strings escaped as Go's
 * encoding/json with HTML escaping. Shortest digits come from lm_fmt_double_go. */
#include "flint/promql/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lm/buf.h"
#include "lm/fmt.h"

/* fmt_float: Go's strconv.FormatFloat(v, 'f', -1, 64), or with allow_e the API's switch
 * to 'e' outside [1e-6, 1e21). out needs PQL_FMT_FLOAT_MAX bytes. */
static size_t fmt_float(char *out, double v, bool allow_e)
{
    /* fast path: integers below 2^53 print as themselves in both forms */
    if (v >= -9007199254740992.0 && v <= 9007199254740992.0 && v == (double)(int64_t)v &&
        (v != 0 || !signbit(v))) {
        int64_t i = (int64_t)v;
        return lm_fmt_i64(out, i);
    }
    if (isnan(v)) {
        memcpy(out, "NaN", 4);
        return 3;
    }
    if (isinf(v)) {
        memcpy(out, v > 0 ? "+Inf" : "-Inf", 5);
        return 4;
    }
    char g[LM_FMT_DOUBLE_MAX];
    lm_fmt_double_go(g, v);
    /* split g into sign, digits and decimal exponent: value = 0.DIGITS x 10^dp */
    const char *p = g;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    char dig[32];
    size_t nd = 0;
    int dp = 0;
    bool seen_dot = false;
    for (; *p && *p != 'e'; p++) {
        if (*p == '.') {
            seen_dot = true;
            continue;
        }
        if (nd == 0 && *p == '0') {     /* leading zeros */
            if (seen_dot)
                dp--;
            continue;
        }
        dig[nd++] = *p;
        if (!seen_dot)
            dp++;
    }
    if (*p == 'e')
        dp += (int)strtol(p + 1, NULL, 10);
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    if (nd == 0) {
        out[o++] = '0';
        out[o] = '\0';
        return o;
    }
    double a = fabs(v);
    if (allow_e && (a < 1e-6 || a >= 1e21)) {
        out[o++] = dig[0];
        if (nd > 1) {
            out[o++] = '.';
            memcpy(out + o, dig + 1, nd - 1);
            o += nd - 1;
        }
        int e = dp - 1;
        out[o++] = 'e';
        out[o++] = e < 0 ? '-' : '+';
        if (e < 0)
            e = -e;
        if (e >= 100)
            out[o++] = (char)('0' + e / 100);
        out[o++] = (char)('0' + e / 10 % 10);
        out[o++] = (char)('0' + e % 10);
    } else if (dp <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = 0; i < -dp; i++)
            out[o++] = '0';
        memcpy(out + o, dig, nd);
        o += nd;
    } else if ((size_t)dp >= nd) {
        memcpy(out + o, dig, nd);
        o += nd;
        for (size_t i = nd; i < (size_t)dp; i++)
            out[o++] = '0';
    } else {
        memcpy(out + o, dig, (size_t)dp);
        o += (size_t)dp;
        out[o++] = '.';
        memcpy(out + o, dig + dp, nd - (size_t)dp);
        o += nd - (size_t)dp;
    }
    out[o] = '\0';
    return o;
}

size_t pql_fmt_value(char *out, double v)
{
    return fmt_float(out, v, true);
}

size_t pql_fmt_float_f(char *out, double v)
{
    return fmt_float(out, v, false);
}

size_t pql_fmt_time(char *out, int64_t t)
{
    size_t o = 0;
    uint64_t u;
    if (t < 0) {
        out[o++] = '-';
        u = (uint64_t)0 - (uint64_t)t;
    } else {
        u = (uint64_t)t;
    }
    o += lm_fmt_u64(out + o, u / 1000);
    unsigned frac = (unsigned)(u % 1000);
    if (frac) {
        out[o++] = '.';
        out[o++] = (char)('0' + frac / 100);
        out[o++] = (char)('0' + frac / 10 % 10);
        out[o++] = (char)('0' + frac % 10);
    }
    out[o] = '\0';
    return o;
}

/* put_str: a JSON string as Go's encoding/json writes it (HTML-safe, invalid UTF-8 as
 * U+FFFD). */
static void put_str(struct lm_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    lm_buf_putc(b, '"');
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            if (c == '"' || c == '\\') {
                lm_buf_putc(b, '\\');
                lm_buf_putc(b, (char)c);
            } else if (c == '\n') {
                lm_buf_puts(b, "\\n");
            } else if (c == '\r') {
                lm_buf_puts(b, "\\r");
            } else if (c == '\t') {
                lm_buf_puts(b, "\\t");
            } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                lm_buf_append(b, u, 6);
            } else {
                lm_buf_putc(b, (char)c);
            }
            p++;
            continue;
        }
        /* validate one UTF-8 sequence */
        size_t len = 0;
        uint32_t cp = 0;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            cp = c & 0x07;
        }
        bool ok = len > 0;
        for (size_t i = 1; ok && i < len; i++) {
            if ((p[i] & 0xc0) != 0x80)
                ok = false;
            else
                cp = (cp << 6) | (p[i] & 0x3f);
        }
        if (ok && ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
                   (len == 4 && (cp < 0x10000 || cp > 0x10ffff))))
            ok = false;
        if (!ok) {
            lm_buf_puts(b, "\\ufffd");
            p++;
            continue;
        }
        if (cp == 0x2028 || cp == 0x2029)
            lm_buf_puts(b, cp == 0x2028 ? "\\u2028" : "\\u2029");
        else
            lm_buf_append(b, p, len);
        p += len;
    }
    lm_buf_putc(b, '"');
}

static void put_point(struct lm_buf *b, int64_t t, double v)
{
    char tb[32], vb[PQL_FMT_VALUE_MAX];
    size_t tl = pql_fmt_time(tb, t), vl = pql_fmt_value(vb, v);
    lm_buf_putc(b, '[');
    lm_buf_append(b, tb, tl);
    lm_buf_puts(b, ",\"");
    lm_buf_append(b, vb, vl);
    lm_buf_puts(b, "\"]");
}

static void put_metric(struct lm_buf *b, const struct lbl_set *ls)
{
    lm_buf_puts(b, "{\"metric\":{");
    for (size_t i = 0; i < ls->n; i++) {
        if (i)
            lm_buf_putc(b, ',');
        put_str(b, ls->v[i].name);
        lm_buf_putc(b, ':');
        put_str(b, ls->v[i].value);
    }
    lm_buf_putc(b, '}');
}

int pql_result_json(const struct pql_result *r, struct lm_buf *out)
{
    switch (r->type) {
    case PQL_VAL_SCALAR:
        lm_buf_puts(out, "{\"resultType\":\"scalar\",\"result\":");
        put_point(out, r->t, r->v);
        break;
    case PQL_VAL_STRING: {
        char tb[32];
        size_t tl = pql_fmt_time(tb, r->t);
        lm_buf_puts(out, "{\"resultType\":\"string\",\"result\":[");
        lm_buf_append(out, tb, tl);
        lm_buf_putc(out, ',');
        put_str(out, r->str ? r->str : "");
        lm_buf_putc(out, ']');
        break;
    }
    case PQL_VAL_VECTOR:
    case PQL_VAL_NONE:
        lm_buf_puts(out, "{\"resultType\":\"vector\",\"result\":[");
        for (size_t i = 0; i < r->nvec; i++) {
            if (i)
                lm_buf_putc(out, ',');
            put_metric(out, &r->vec[i].ls);
            lm_buf_puts(out, ",\"value\":");
            put_point(out, r->vec[i].t, r->vec[i].v);
            lm_buf_putc(out, '}');
        }
        lm_buf_putc(out, ']');
        break;
    case PQL_VAL_MATRIX:
        lm_buf_puts(out, "{\"resultType\":\"matrix\",\"result\":[");
        for (size_t i = 0; i < r->nmat; i++) {
            if (i)
                lm_buf_putc(out, ',');
            put_metric(out, &r->mat[i].ls);
            lm_buf_puts(out, ",\"values\":[");
            for (size_t j = 0; j < r->mat[i].n; j++) {
                if (j)
                    lm_buf_putc(out, ',');
                put_point(out, r->mat[i].pts[j].t, r->mat[i].pts[j].v);
            }
            lm_buf_puts(out, "]}");
        }
        lm_buf_putc(out, ']');
        break;
    }
    lm_buf_putc(out, '}');
    return out->err;
}
