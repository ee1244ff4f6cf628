/* SPDX-License-Identifier: Apache-2.0 */
/* xmlrpc.c: the XML-RPC codec: methodCall bodies out, methodResponse bodies in (libxml2
 * DOM, no network, no DTD, no entity expansion), the value tree and its accessors.
 * The HTTP transport lives in xmlrpc_call.c so this file links with libxml2 alone
 * (the fuzz target uses only this file). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/globals.h>
#include "proto/xml_dl.h"  /* after the libxml2 headers: maps their calls */
#include "lm/alloc.h"
#include "proto/xmlrpc.h"

struct proto_xmlrpc_value {
    enum proto_xmlrpc_type type;           /* what this node holds */
    int64_t i;                             /* INT value; BOOL as 0/1 */
    double d;                              /* DOUBLE value */
    char *s;                               /* STRING/DATETIME/BASE64 bytes, NUL-ended */
    size_t n;                              /* bytes in s, or kids in an ARRAY/STRUCT */
    size_t cap;                            /* slots allocated in kids (and names) */
    struct proto_xmlrpc_value **kids;      /* ARRAY elements or STRUCT member values */
    char **names;                          /* STRUCT member names, parallel to kids */
};

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

/* add_kid: append kid (and its member name, taken) to an ARRAY or STRUCT node. On
 * failure nothing is taken. */
static int
add_kid(struct proto_xmlrpc_value *v, struct proto_xmlrpc_value *kid, char *name)
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

/* ---------------------------------------------------------------- response parsing */

/* parse_fail: an LM_EPARSE at node's line, with a printf-style reason. */
static int parse_fail(struct lm_err *err, const xmlNode *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int
parse_fail(struct lm_err *err, const xmlNode *node, const char *fmt, ...)
{
    char where[32], msg[LM_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(where, sizeof where, "line %ld", node ? xmlGetLineNo(node) : 0L);
    return lm_err_set(err, LM_EPARSE, where, "%s", msg);
}

/* is_blank: text made of XML whitespace only. */
static bool
is_blank(const xmlChar *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

/* elem_after: the first element sibling from node on (node included), skipping comments,
 * PIs and blank text; *out = NULL at the end. Non-blank text or other nodes: LM_EPARSE. */
static int
elem_after(xmlNode *node, xmlNode **out, const xmlNode *parent, struct lm_err *err)
{
    for (; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE) {
            *out = node;
            return 0;
        }
        if (node->type == XML_COMMENT_NODE || node->type == XML_PI_NODE)
            continue;
        if ((node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) &&
            is_blank(node->content))
            continue;
        return parse_fail(err, node, "unexpected text inside <%s>", (const char *)parent->name);
    }
    *out = NULL;
    return 0;
}

/* only_child: the single element child of parent, which must be named name (or any name
 * when name is NULL). */
static int
only_child(xmlNode *parent, const char *name, xmlNode **out, struct lm_err *err)
{
    xmlNode *c, *extra;
    int rc = elem_after(parent->children, &c, parent, err);
    if (rc)
        return rc;
    if (!c)
        return parse_fail(err, parent, "<%s> is empty", (const char *)parent->name);
    if (name && strcmp((const char *)c->name, name) != 0)
        return parse_fail(err, c, "unexpected element <%s>", (const char *)c->name);
    rc = elem_after(c->next, &extra, parent, err);
    if (rc)
        return rc;
    if (extra)
        return parse_fail(err, extra, "unexpected element <%s>", (const char *)extra->name);
    *out = c;
    return 0;
}

/* text_of: the concatenated text of el (no element children allowed), owned, in *out
 * with its length in *len. */
static int
text_of(const xmlNode *el, char **out, size_t *len, struct lm_err *err)
{
    size_t n = 0;
    for (const xmlNode *c = el->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
            n += strlen((const char *)c->content);
        else if (c->type != XML_COMMENT_NODE && c->type != XML_PI_NODE)
            return parse_fail(err, c, "unexpected markup inside <%s>", (const char *)el->name);
    }
    char *s = lm_malloc(n + 1);
    if (!s)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    size_t at = 0;
    for (const xmlNode *c = el->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            size_t k = strlen((const char *)c->content);
            memcpy(s + at, c->content, k);
            at += k;
        }
    }
    s[at] = '\0';
    *out = s;
    *len = at;
    return 0;
}

/* trim: strip XML whitespace from both ends of s in place; returns the new start. */
static char *
trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* b64val: the value of one base64 digit, or -1. */
static int
b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* b64_decode: decode s in place (whitespace ignored, '=' padding optional); *len gets the
 * byte count. false on a bad digit or a dangling single digit. */
static bool
b64_decode(char *s, size_t *len)
{
    unsigned acc = 0;
    int bits = 0, pad = 0;
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            continue;
        if (*p == '=') {
            pad++;
            continue;
        }
        int v = b64val(*p);
        if (v < 0 || pad)
            return false;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            s[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    if (bits >= 6 || pad > 2)
        return false;
    s[o] = '\0';
    *len = o;
    return true;
}

static int parse_value(xmlNode *valel, int depth, struct proto_xmlrpc_value **out,
                       struct lm_err *err);

/* parse_scalar: a text-typed element (int, string, ...) into v. */
static int
parse_scalar(xmlNode *t, const char *name, struct proto_xmlrpc_value *v, struct lm_err *err)
{
    char *s;
    size_t n;
    int rc = text_of(t, &s, &n, err);
    if (rc)
        return rc;
    v->s = s;
    v->n = n;
    if (!strcmp(name, "string")) {
        v->type = PROTO_XMLRPC_STRING;
        return 0;
    }
    if (!strcmp(name, "base64")) {
        v->type = PROTO_XMLRPC_BASE64;
        return b64_decode(s, &v->n) ? 0 : parse_fail(err, t, "bad %s", "base64");
    }
    char *x = trim(s), *end;
    if (!strcmp(name, "dateTime.iso8601")) {
        v->type = PROTO_XMLRPC_DATETIME;
        v->n = strlen(x);
        memmove(s, x, v->n + 1);
        return 0;
    }
    errno = 0;
    if (!strcmp(name, "int") || !strcmp(name, "i4") || !strcmp(name, "i8")) {
        v->type = PROTO_XMLRPC_INT;
        long long i = strtoll(x, &end, 10);
        if (!*x || *end || errno || (name[1] == '4' && (i < INT32_MIN || i > INT32_MAX)))
            return parse_fail(err, t, "bad integer \"%.40s\"", x);
        v->i = i;
    } else if (!strcmp(name, "boolean")) {
        v->type = PROTO_XMLRPC_BOOL;
        if (!strcmp(x, "1") || !strcmp(x, "true"))
            v->i = 1;
        else if (!strcmp(x, "0") || !strcmp(x, "false"))
            v->i = 0;
        else
            return parse_fail(err, t, "bad boolean \"%.40s\"", x);
    } else if (!strcmp(name, "double")) {
        v->type = PROTO_XMLRPC_DOUBLE;
        v->d = strtod(x, &end);
        if (!*x || *end || (errno && isinf(v->d)))
            return parse_fail(err, t, "bad double \"%.40s\"", x);
    } else {
        return parse_fail(err, t, "unknown value type <%s>", name);
    }
    lm_free(v->s);
    v->s = NULL;
    v->n = 0;
    return 0;
}

/* parse_array: <array><data><value/>...</data></array> into v. */
static int
parse_array(xmlNode *t, int depth, struct proto_xmlrpc_value *v, struct lm_err *err)
{
    xmlNode *data, *c;
    v->type = PROTO_XMLRPC_ARRAY;
    int rc = only_child(t, "data", &data, err);
    if (rc)
        return rc;
    for (rc = elem_after(data->children, &c, data, err); !rc && c;
         rc = elem_after(c->next, &c, data, err)) {
        if (strcmp((const char *)c->name, "value") != 0)
            return parse_fail(err, c, "unexpected element <%s> in <data>", (const char *)c->name);
        struct proto_xmlrpc_value *kid;
        rc = parse_value(c, depth + 1, &kid, err);
        if (rc)
            return rc;
        if (add_kid(v, kid, NULL)) {
            proto_xmlrpc_value_free(kid);
            return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        }
    }
    return rc;
}

/* parse_member: one <member> (a <name> and a <value>, in that order) into v. */
static int
parse_member(xmlNode *m, int depth, struct proto_xmlrpc_value *v, struct lm_err *err)
{
    xmlNode *nm, *val, *extra;
    int rc = elem_after(m->children, &nm, m, err);
    if (!rc && (!nm || strcmp((const char *)nm->name, "name") != 0))
        return parse_fail(err, nm ? nm : m, "<member> without %s", "<name>");
    rc = rc ? rc : elem_after(nm->next, &val, m, err);
    if (!rc && (!val || strcmp((const char *)val->name, "value") != 0))
        return parse_fail(err, val ? val : m, "<member> without %s", "<value>");
    rc = rc ? rc : elem_after(val->next, &extra, m, err);
    if (!rc && extra)
        return parse_fail(err, extra, "unexpected element <%s> in <member>",
                          (const char *)extra->name);
    if (rc)
        return rc;
    char *name;
    size_t len;
    struct proto_xmlrpc_value *kid;
    rc = text_of(nm, &name, &len, err);
    if (rc)
        return rc;
    rc = parse_value(val, depth + 1, &kid, err);
    if (rc) {
        lm_free(name);
        return rc;
    }
    if (add_kid(v, kid, name)) {
        lm_free(name);
        proto_xmlrpc_value_free(kid);
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    }
    return 0;
}

/* parse_struct: <struct><member/>...</struct> into v. */
static int
parse_struct(xmlNode *t, int depth, struct proto_xmlrpc_value *v, struct lm_err *err)
{
    xmlNode *c;
    v->type = PROTO_XMLRPC_STRUCT;
    int rc;
    for (rc = elem_after(t->children, &c, t, err); !rc && c; rc = elem_after(c->next, &c, t, err)) {
        if (strcmp((const char *)c->name, "member") != 0)
            return parse_fail(err, c, "unexpected element <%s> in <struct>", (const char *)c->name);
        rc = parse_member(c, depth, v, err);
        if (rc)
            return rc;
    }
    return rc;
}

/* parse_value: one <value> element into a new node in *out (NULL on error). */
static int
parse_value(xmlNode *valel, int depth, struct proto_xmlrpc_value **out, struct lm_err *err)
{
    *out = NULL;
    if (depth > PROTO_XMLRPC_MAX_DEPTH)
        return parse_fail(err, valel, "values nested deeper than %d levels", PROTO_XMLRPC_MAX_DEPTH);
    struct proto_xmlrpc_value *v = lm_calloc(1, sizeof *v);
    if (!v)
        return lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    xmlNode *t = NULL;
    int rc = 0;
    for (xmlNode *c = valel->children; c && !t; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            t = c;
    if (!t) {
        /* a bare <value>text</value> is a string */
        v->type = PROTO_XMLRPC_STRING;
        rc = text_of(valel, &v->s, &v->n, err);
    } else {
        rc = only_child(valel, NULL, &t, err);
        const char *name = rc ? "" : (const char *)t->name;
        if (rc) {
            /* err already set */
        } else if (!strcmp(name, "array"))
            rc = parse_array(t, depth, v, err);
        else if (!strcmp(name, "struct"))
            rc = parse_struct(t, depth, v, err);
        else if (!strcmp(name, "nil")) {
            xmlNode *x;
            v->type = PROTO_XMLRPC_NIL;
            rc = elem_after(t->children, &x, t, err);
            if (!rc && x)
                rc = parse_fail(err, x, "unexpected element <%s> in <nil>", (const char *)x->name);
        } else
            rc = parse_scalar(t, name, v, err);
    }
    if (rc) {
        proto_xmlrpc_value_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

/* parse_fault: <fault><value><struct> with faultCode and faultString. Returns LM_EIO
 * with the fault filled in, or LM_EPARSE when the fault itself is malformed. */
static int
parse_fault(xmlNode *fel, struct proto_xmlrpc_fault *fault, struct lm_err *err)
{
    xmlNode *valel;
    struct proto_xmlrpc_value *v;
    int rc = only_child(fel, "value", &valel, err);
    rc = rc ? rc : parse_value(valel, 0, &v, err);
    if (rc)
        return rc;
    int64_t code;
    const char *str = proto_xmlrpc_string_view(proto_xmlrpc_member(v, "faultString"), NULL);
    if (proto_xmlrpc_get_int(proto_xmlrpc_member(v, "faultCode"), &code) || !str) {
        proto_xmlrpc_value_free(v);
        return parse_fail(err, fel, "malformed <%s>: needs faultCode and faultString", "fault");
    }
    if (fault) {
        fault->code = code < INT_MIN ? INT_MIN : code > INT_MAX ? INT_MAX : (int)code;
        snprintf(fault->string, sizeof fault->string, "%s", str);
    }
    lm_err_set(err, LM_EIO, NULL, "fault %lld: %s", (long long)code, str);
    proto_xmlrpc_value_free(v);
    return LM_EIO;
}

/* parse_doc: the methodResponse document into *result. */
static int
parse_doc(xmlDoc *doc, struct proto_xmlrpc_value **result, struct proto_xmlrpc_fault *fault,
          struct lm_err *err)
{
    if (doc->intSubset || doc->extSubset)
        return lm_err_set(err, LM_EPARSE, NULL, "a DOCTYPE is not allowed in XML-RPC");
    xmlNode *root = xmlDocGetRootElement(doc), *top, *param;
    if (!root || strcmp((const char *)root->name, "methodResponse") != 0)
        return parse_fail(err, root, "expected <methodResponse>, got <%s>",
                          root ? (const char *)root->name : "");
    int rc = only_child(root, NULL, &top, err);
    if (rc)
        return rc;
    if (!strcmp((const char *)top->name, "fault"))
        return parse_fault(top, fault, err);
    if (strcmp((const char *)top->name, "params") != 0)
        return parse_fail(err, top, "unexpected element <%s> in <methodResponse>",
                          (const char *)top->name);
    rc = elem_after(top->children, &param, top, err);
    if (rc)
        return rc;
    if (!param) {
        *result = lm_calloc(1, sizeof **result);
        return *result ? 0 : lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    }
    xmlNode *valel, *extra;
    if (strcmp((const char *)param->name, "param") != 0)
        return parse_fail(err, param, "unexpected element <%s> in <params>",
                          (const char *)param->name);
    rc = elem_after(param->next, &extra, top, err);
    if (!rc && extra)
        return parse_fail(err, extra, "unexpected element <%s> after <param>",
                          (const char *)extra->name);
    rc = rc ? rc : only_child(param, "value", &valel, err);
    return rc ? rc : parse_value(valel, 0, result, err);
}

/* quiet, quiet_structured: libxml2 error sinks; the error we report comes from the
 * parser context, and library code never prints (libxml2 writes encoding and I/O errors
 * to stderr through its thread-local handlers even with XML_PARSE_NOERROR). */
static void quiet(void *ctx, const char *msg, ...) __attribute__((format(printf, 2, 3)));
static void
quiet(void *ctx, const char *msg, ...)
{
}

static void
quiet_structured(void *ctx, xmlErrorPtr e)
{
}

int
proto_xmlrpc_parse_response(const char *data, size_t len, struct proto_xmlrpc_value **result,
                            struct proto_xmlrpc_fault *fault, struct lm_err *err)
{
    *result = NULL;
    if (fault) {
        fault->code = 0;
        fault->string[0] = '\0';
    }
    if (len > PROTO_XMLRPC_MAX_RESPONSE || len > INT_MAX)
        return lm_err_set(err, LM_ETOOBIG, NULL, "response of %zu bytes is over the %lu limit",
                          len, (unsigned long)PROTO_XMLRPC_MAX_RESPONSE);
    int lrc = proto_xml_load(err);
    if (lrc)
        return lrc;
    /* the handlers are per thread: swap ours in for this parse only */
    xmlGenericErrorFunc old_generic = xmlGenericError;
    void *old_generic_ctx = xmlGenericErrorContext;
    xmlStructuredErrorFunc old_structured = xmlStructuredError;
    void *old_structured_ctx = xmlStructuredErrorContext;
    xmlSetGenericErrorFunc(NULL, quiet);
    xmlSetStructuredErrorFunc(NULL, quiet_structured);
    int rc;
    xmlDoc *doc = NULL;
    xmlParserCtxt *ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        rc = lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        goto out;
    }
    /* no network, no entity substitution, no messages on stderr */
    doc = xmlCtxtReadMemory(ctxt, data, (int)len, NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                XML_PARSE_NOCDATA);
    if (!doc || !ctxt->wellFormed) {
        const xmlError *xe = xmlCtxtGetLastError(ctxt);
        char where[32] = "";
        char msg[200] = "not well-formed XML";
        if (xe && xe->message) {
            snprintf(where, sizeof where, "line %d", xe->line);
            snprintf(msg, sizeof msg, "%s", xe->message);
            msg[strcspn(msg, "\n")] = '\0';
        }
        rc = lm_err_set(err, LM_EPARSE, where[0] ? where : NULL, "invalid XML: %s", msg);
    } else {
        rc = parse_doc(doc, result, fault, err);
    }
    if (rc && *result) {
        proto_xmlrpc_value_free(*result);
        *result = NULL;
    }
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
out:
    xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
    xmlSetStructuredErrorFunc(old_structured_ctx, old_structured);
    return rc;
}
