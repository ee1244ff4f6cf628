/* SPDX-License-Identifier: Apache-2.0 */
/* xmlrpc.c: the XML-RPC codec's request side (methodCall bodies), and the value tree
 * with its accessors. methodResponse bodies are read in xmlrpc_read.c (with the XML
 * reader of xmlrpc_lex.c); the HTTP transport lives in xmlrpc_call.c, so the codec
 * needs libc alone (the fuzz target uses only the codec files). */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lm/alloc.h"
#include "proto/xmlrpc.h"
#include "proto/xmlrpc_int.h"

/* ---------------------------------------------------------------- request building */

/* put_escaped: s into out with XML escaping; LM_EINVAL for disallowed control chars. */
static int
put_escaped(struct lm_buf *out, const char *s, struct lm_err *err)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': lm_buf_puts(out, "&amp;"); break;
        case '<': lm_buf_puts(out, "&lt;"); break;
        case '>': lm_buf_puts(out, "&gt;"); break;
        case '\r': lm_buf_puts(out, "&#13;"); break;
        case '\t':
        case '\n': lm_buf_putc(out, (char)*p); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                return lm_err_set(err, LM_EINVAL, NULL,
                                  "control character 0x%02x cannot be sent in XML", *p);
            lm_buf_putc(out, (char)*p);
        }
    }
    return out->err;
}

/* method_valid: the XML-RPC spec's method name alphabet. */
static bool
method_valid(const char *m)
{
    if (!m || !*m)
        return false;
    for (; *m; m++) {
        char c = *m;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == ':' || c == '/'))
            return false;
    }
    return true;
}

int
proto_xmlrpc_build_request(const char *method, const struct proto_xmlrpc_param *params,
                           size_t n, struct lm_buf *out, struct lm_err *err)
{
    if (!method_valid(method))
        return lm_err_set(err, LM_EINVAL, NULL, "invalid XML-RPC method name \"%s\"",
                          method ? method : "");
    lm_buf_puts(out, "<?xml version=\"1.0\"?><methodCall><methodName>");
    lm_buf_puts(out, method);
    lm_buf_puts(out, "</methodName><params>");
    for (size_t k = 0; k < n; k++) {
        const struct proto_xmlrpc_param *p = &params[k];
        lm_buf_puts(out, "<param><value>");
        switch (p->type) {
        case PROTO_XMLRPC_NIL: lm_buf_puts(out, "<nil/>"); break;
        case PROTO_XMLRPC_INT:
            lm_buf_printf(out, "<%s>%lld</%s>", p->i < INT32_MIN || p->i > INT32_MAX ? "i8" : "int",
                          (long long)p->i, p->i < INT32_MIN || p->i > INT32_MAX ? "i8" : "int");
            break;
        case PROTO_XMLRPC_BOOL: lm_buf_puts(out, p->b ? "<boolean>1</boolean>" : "<boolean>0</boolean>"); break;
        case PROTO_XMLRPC_DOUBLE:
            if (!isfinite(p->d))
                return lm_err_set(err, LM_EINVAL, NULL, "param %zu: XML-RPC has no NaN or Inf", k + 1);
            lm_buf_printf(out, "<double>%.17g</double>", p->d);
            break;
        case PROTO_XMLRPC_STRING: {
            lm_buf_puts(out, "<string>");
            int rc = put_escaped(out, p->s ? p->s : "", err);
            if (rc == LM_EINVAL) {
                char why[LM_ERR_MSG_MAX];   /* a copy: lm_err_set writes err->msg */
                snprintf(why, sizeof why, "%.400s", err ? err->msg : "");
                return lm_err_set(err, rc, NULL, "param %zu: %s", k + 1, why);
            }
            if (rc)
                return rc;
            lm_buf_puts(out, "</string>");
            break;
        }
        default:
            return lm_err_set(err, LM_EINVAL, NULL, "param %zu: type %s cannot be sent",
                              k + 1, proto_xmlrpc_type_name(p->type));
        }
        lm_buf_puts(out, "</value></param>");
    }
    lm_buf_puts(out, "</params></methodCall>");
    if (out->err)
        return lm_err_set(err, out->err, NULL, "building the request: %s", lm_strerror(out->err));
    return 0;
}

int
proto_xmlrpc_build_multicall(const char *const *methods, size_t n, struct lm_buf *out,
                             struct lm_err *err)
{
    if (!n || n > PROTO_XMLRPC_MULTICALL_MAX)
        return lm_err_set(err, LM_EINVAL, NULL, "a multicall takes 1 to %d methods",
                          PROTO_XMLRPC_MULTICALL_MAX);
    for (size_t k = 0; k < n; k++)
        if (!method_valid(methods[k]))
            return lm_err_set(err, LM_EINVAL, NULL, "invalid XML-RPC method name \"%s\"",
                              methods[k] ? methods[k] : "");
    lm_buf_puts(out, "<?xml version=\"1.0\"?><methodCall><methodName>system.multicall"
                     "</methodName><params><param><value><array><data>");
    for (size_t k = 0; k < n; k++) {
        lm_buf_puts(out, "<value><struct><member><name>methodName</name><value><string>");
        lm_buf_puts(out, methods[k]);
        lm_buf_puts(out, "</string></value></member><member><name>params</name><value>"
                         "<array><data></data></array></value></member></struct></value>");
    }
    lm_buf_puts(out, "</data></array></value></param></params></methodCall>");
    if (out->err)
        return lm_err_set(err, out->err, NULL, "building the request: %s", lm_strerror(out->err));
    return 0;
}

/* ---------------------------------------------------------------- value tree */

void
proto_xmlrpc_value_free(struct proto_xmlrpc_value *v)
{
    if (!v)
        return;
    if (v->type == PROTO_XMLRPC_ARRAY || v->type == PROTO_XMLRPC_STRUCT) {
        for (size_t k = 0; k < v->n; k++) {
            proto_xmlrpc_value_free(v->kids[k]);
            if (v->names)
                lm_free(v->names[k]);
        }
    }
    lm_free(v->kids);
    lm_free(v->names);
    lm_free(v->s);
    lm_free(v);
}

struct proto_xmlrpc_value *
proto_xmlrpc_value_take(struct proto_xmlrpc_value *v, size_t i)
{
    if (!v || (v->type != PROTO_XMLRPC_ARRAY && v->type != PROTO_XMLRPC_STRUCT) || i >= v->n)
        return NULL;
    struct proto_xmlrpc_value *kid = v->kids[i];
    v->kids[i] = NULL;
    return kid;
}

int
proto_xmlrpc_value_add(struct proto_xmlrpc_value *v, struct proto_xmlrpc_value *kid, char *name)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 8;
        struct proto_xmlrpc_value **nk = lm_realloc(v->kids, nc * sizeof *nk);
        if (!nk)
            return LM_ENOMEM;
        v->kids = nk;
        if (v->type == PROTO_XMLRPC_STRUCT) {
            char **nn = lm_realloc(v->names, nc * sizeof *nn);
            if (!nn)
                return LM_ENOMEM;
            v->names = nn;
        }
        v->cap = nc;
    }
    v->kids[v->n] = kid;
    if (v->type == PROTO_XMLRPC_STRUCT)
        v->names[v->n] = name;
    v->n++;
    return 0;
}

enum proto_xmlrpc_type
proto_xmlrpc_type(const struct proto_xmlrpc_value *v)
{
    return v ? v->type : PROTO_XMLRPC_NIL;
}

int
proto_xmlrpc_get_int(const struct proto_xmlrpc_value *v, int64_t *out)
{
    if (!v || (v->type != PROTO_XMLRPC_INT && v->type != PROTO_XMLRPC_BOOL))
        return LM_EINVAL;
    *out = v->i;
    return 0;
}

int
proto_xmlrpc_get_double(const struct proto_xmlrpc_value *v, double *out)
{
    if (v && v->type == PROTO_XMLRPC_DOUBLE)
        *out = v->d;
    else if (v && v->type == PROTO_XMLRPC_INT)
        *out = (double)v->i;
    else
        return LM_EINVAL;
    return 0;
}

int
proto_xmlrpc_get_bool(const struct proto_xmlrpc_value *v, bool *out)
{
    if (!v || (v->type != PROTO_XMLRPC_INT && v->type != PROTO_XMLRPC_BOOL))
        return LM_EINVAL;
    *out = v->i != 0;
    return 0;
}

/* digits: n decimal digits at *p into *out, advancing *p; false when short. */
static bool
digits(const char **p, int n, int *out)
{
    int x = 0;
    for (int k = 0; k < n; k++) {
        char c = (*p)[k];
        if (c < '0' || c > '9')
            return false;
        x = x * 10 + (c - '0');
    }
    *p += n;
    *out = x;
    return true;
}

int
proto_xmlrpc_get_time(const struct proto_xmlrpc_value *v, int64_t *out)
{
    if (!v || v->type != PROTO_XMLRPC_DATETIME)
        return LM_EINVAL;
    const char *p = v->s;
    int Y, M, D, h, m, s, oh = 0, om = 0, sign = 0;
    if (!digits(&p, 4, &Y))
        return LM_EINVAL;
    if (*p == '-')
        p++;
    if (!digits(&p, 2, &M))
        return LM_EINVAL;
    if (*p == '-')
        p++;
    if (!digits(&p, 2, &D) || *p++ != 'T' || !digits(&p, 2, &h) || *p++ != ':' ||
        !digits(&p, 2, &m) || *p++ != ':' || !digits(&p, 2, &s))
        return LM_EINVAL;
    if (*p == '.' || *p == ',')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p++ == '-' ? -1 : 1;
        if (!digits(&p, 2, &oh))
            return LM_EINVAL;
        if (*p == ':')
            p++;
        if (!digits(&p, 2, &om))
            return LM_EINVAL;
    }
    if (*p || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || s > 60)
        return LM_EINVAL;
    struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D,
                    .tm_hour = h, .tm_min = m, .tm_sec = s};
    *out = (int64_t)timegm(&tm) - (int64_t)sign * (oh * 3600 + om * 60);
    return 0;
}

const char *
proto_xmlrpc_string_view(const struct proto_xmlrpc_value *v, size_t *len)
{
    if (!v || (v->type != PROTO_XMLRPC_STRING && v->type != PROTO_XMLRPC_DATETIME &&
               v->type != PROTO_XMLRPC_BASE64))
        return NULL;
    if (len)
        *len = v->n;
    return v->s;
}

size_t
proto_xmlrpc_len(const struct proto_xmlrpc_value *v)
{
    return v && (v->type == PROTO_XMLRPC_ARRAY || v->type == PROTO_XMLRPC_STRUCT) ? v->n : 0;
}

const struct proto_xmlrpc_value *
proto_xmlrpc_at(const struct proto_xmlrpc_value *v, size_t i)
{
    return i < proto_xmlrpc_len(v) ? v->kids[i] : NULL;
}

const char *
proto_xmlrpc_member_name(const struct proto_xmlrpc_value *v, size_t i)
{
    return v && v->type == PROTO_XMLRPC_STRUCT && i < v->n ? v->names[i] : NULL;
}

const struct proto_xmlrpc_value *
proto_xmlrpc_member(const struct proto_xmlrpc_value *v, const char *name)
{
    if (!v || v->type != PROTO_XMLRPC_STRUCT || !name)
        return NULL;
    for (size_t k = 0; k < v->n; k++)
        if (strcmp(v->names[k], name) == 0)
            return v->kids[k];
    return NULL;
}

const char *
proto_xmlrpc_type_name(enum proto_xmlrpc_type t)
{
    static const char *const names[] = {"nil", "int", "boolean", "double", "string",
                                         "dateTime.iso8601", "base64", "array", "struct"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}
