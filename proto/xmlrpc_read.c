/* SPDX-License-Identifier: Apache-2.0 */
/* xmlrpc_read.c: methodResponse bodies into the value tree of xmlrpc.c, with the XML
 * reader of xmlrpc_lex.c (no libxml2, no DOM): the document is checked well-formed in
 * one pass, then read token by token in a second, recursion bounded by
 * PROTO_XMLRPC_MAX_DEPTH. No network, no DTD, no entity expansion. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "proto/xmlrpc.h"
#include "proto/xmlrpc_int.h"
#include "proto/xmlrpc_lex.h"

/* The reader of one response. */
struct rd {
    struct proto_xml_lexer lx;
    struct lm_buf text;          /* scratch: the decoded text of the current element */
    struct lm_err *err;
};

/* fail: an LM_EPARSE at offset at's line, with a printf-style reason. */
static int fail(struct rd *r, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int
fail(struct rd *r, size_t at, const char *fmt, ...)
{
    char where[32], msg[LM_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(where, sizeof where, "line %ld", proto_xml_line(r->lx.doc, r->lx.len, at));
    return lm_err_set(r->err, LM_EPARSE, where, "%s", msg);
}

static int
oom(struct rd *r)
{
    return lm_err_set(r->err, LM_ENOMEM, NULL, "out of memory");
}

/* is: the token's local name is name. */
static bool
is(const struct proto_xml_token *t, const char *name)
{
    return t->name_len == strlen(name) && !memcmp(t->name, name, t->name_len);
}

#define TOK_NAME(t) (int)(t)->name_len, (t)->name

/* next_elem: the next start or end tag inside parent, skipping comments and blank
 * text; other text is an error. */
static int
next_elem(struct rd *r, const struct proto_xml_token *parent, struct proto_xml_token *t)
{
    for (;;) {
        int rc = proto_xml_next(&r->lx, t, r->err);
        if (rc)
            return rc;
        if (t->kind == PROTO_XML_OPEN || t->kind == PROTO_XML_CLOSE)
            return 0;
        if (t->kind == PROTO_XML_EOF)
            return fail(r, t->at, "document ends inside <%.*s>", TOK_NAME(parent));
        if (!proto_xml_blank(t->text, t->text_len))
            return fail(r, t->at, "unexpected text inside <%.*s>", TOK_NAME(parent));
    }
}

/* end_of: the next tag inside parent must be its end tag. */
static int
end_of(struct rd *r, const struct proto_xml_token *parent, const char *what)
{
    struct proto_xml_token t;
    int rc = next_elem(r, parent, &t);
    if (!rc && t.kind == PROTO_XML_OPEN)
        return fail(r, t.at, "unexpected element <%.*s>%s", TOK_NAME(&t), what);
    return rc;
}

/* only_child: the single element inside parent, named name (any name when NULL), read
 * up to its start tag; end_of(parent) must follow once it is read. */
static int
only_child(struct rd *r, const struct proto_xml_token *parent, const char *name,
           struct proto_xml_token *t)
{
    int rc = next_elem(r, parent, t);
    if (rc)
        return rc;
    if (t->kind == PROTO_XML_CLOSE)
        return fail(r, parent->at, "<%.*s> is empty", TOK_NAME(parent));
    if (name && !is(t, name))
        return fail(r, t->at, "unexpected element <%.*s>", TOK_NAME(t));
    return 0;
}

/* collect: append the text of el's content to r->text up to el's end tag; markup inside
 * is an error. */
static int
collect(struct rd *r, const struct proto_xml_token *el)
{
    struct proto_xml_token t;
    for (;;) {
        int rc = proto_xml_next(&r->lx, &t, r->err);
        if (rc)
            return rc;
        switch (t.kind) {
        case PROTO_XML_CLOSE:
            return 0;
        case PROTO_XML_TEXT:
        case PROTO_XML_CDATA:
            if (proto_xml_append_text(&t, &r->text))
                return oom(r);
            break;
        case PROTO_XML_OPEN:
            return fail(r, t.at, "unexpected markup inside <%.*s>", TOK_NAME(el));
        case PROTO_XML_EOF:
            return fail(r, t.at, "document ends inside <%.*s>", TOK_NAME(el));
        }
    }
}

/* take_text: r->text copied into a new string (*out, owned) with its length in *len. */
static int
take_text(struct rd *r, char **out, size_t *len)
{
    size_t n = r->text.len;
    char *s = lm_malloc(n + 1);
    if (!s)
        return oom(r);
    if (n)
        memcpy(s, r->text.data, n);
    s[n] = '\0';
    *out = s;
    *len = n;
    return 0;
}

/* text_of: el's whole text content, owned, in *out (length in *len). */
static int
text_of(struct rd *r, const struct proto_xml_token *el, char **out, size_t *len)
{
    lm_buf_reset(&r->text);
    int rc = collect(r, el);
    return rc ? rc : take_text(r, out, len);
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

/* b64_decode: decode s (n bytes) in place (whitespace ignored, '=' padding optional);
 * *len gets the byte count. false on a bad digit or a dangling single digit. */
static bool
b64_decode(char *s, size_t n, size_t *len)
{
    unsigned acc = 0;
    int bits = 0, pad = 0;
    size_t o = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (c == '=') {
            pad++;
            continue;
        }
        int v = b64val(c);
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

/* parse_scalar: a text-typed element t (int, string, ...) into v. */
static int
parse_scalar(struct rd *r, const struct proto_xml_token *t, struct proto_xmlrpc_value *v)
{
    enum proto_xmlrpc_type type;
    if (is(t, "string"))
        type = PROTO_XMLRPC_STRING;
    else if (is(t, "base64"))
        type = PROTO_XMLRPC_BASE64;
    else if (is(t, "dateTime.iso8601"))
        type = PROTO_XMLRPC_DATETIME;
    else if (is(t, "int") || is(t, "i4") || is(t, "i8"))
        type = PROTO_XMLRPC_INT;
    else if (is(t, "boolean"))
        type = PROTO_XMLRPC_BOOL;
    else if (is(t, "double"))
        type = PROTO_XMLRPC_DOUBLE;
    else
        return fail(r, t->at, "unknown value type <%.*s>", TOK_NAME(t));
    v->type = type;
    int rc = text_of(r, t, &v->s, &v->n);
    if (rc)
        return rc;
    if (type == PROTO_XMLRPC_STRING)
        return 0;
    if (type == PROTO_XMLRPC_BASE64)
        return b64_decode(v->s, v->n, &v->n) ? 0 : fail(r, t->at, "bad %s", "base64");
    char *x = trim(v->s), *end;
    if (type == PROTO_XMLRPC_DATETIME) {
        v->n = strlen(x);
        memmove(v->s, x, v->n + 1);
        return 0;
    }
    errno = 0;
    if (type == PROTO_XMLRPC_INT) {
        long long i = strtoll(x, &end, 10);
        if (!*x || *end || errno || (is(t, "i4") && (i < INT32_MIN || i > INT32_MAX)))
            return fail(r, t->at, "bad integer \"%.40s\"", x);
        v->i = i;
    } else if (type == PROTO_XMLRPC_BOOL) {
        if (!strcmp(x, "1") || !strcmp(x, "true"))
            v->i = 1;
        else if (!strcmp(x, "0") || !strcmp(x, "false"))
            v->i = 0;
        else
            return fail(r, t->at, "bad boolean \"%.40s\"", x);
    } else {
        v->d = strtod(x, &end);
        if (!*x || *end || (errno && isinf(v->d)))
            return fail(r, t->at, "bad double \"%.40s\"", x);
    }
    lm_free(v->s);
    v->s = NULL;
    v->n = 0;
    return 0;
}

static int parse_value(struct rd *r, const struct proto_xml_token *valel, int depth,
                       struct proto_xmlrpc_value **out);

/* parse_array: <array><data><value/>...</data></array> into v. */
static int
parse_array(struct rd *r, const struct proto_xml_token *t, int depth, struct proto_xmlrpc_value *v)
{
    struct proto_xml_token data, c;
    v->type = PROTO_XMLRPC_ARRAY;
    int rc = only_child(r, t, "data", &data);
    while (!rc && !(rc = next_elem(r, &data, &c)) && c.kind == PROTO_XML_OPEN) {
        if (!is(&c, "value"))
            return fail(r, c.at, "unexpected element <%.*s> in <data>", TOK_NAME(&c));
        struct proto_xmlrpc_value *kid;
        rc = parse_value(r, &c, depth + 1, &kid);
        if (!rc && proto_xmlrpc_value_add(v, kid, NULL)) {
            proto_xmlrpc_value_free(kid);
            rc = oom(r);
        }
    }
    return rc ? rc : end_of(r, t, "");
}

/* parse_member: one <member> (a <name> and a <value>, in that order) into v. */
static int
parse_member(struct rd *r, const struct proto_xml_token *m, int depth,
             struct proto_xmlrpc_value *v)
{
    struct proto_xml_token nm, val;
    int rc = next_elem(r, m, &nm);
    if (rc)
        return rc;
    if (nm.kind != PROTO_XML_OPEN || !is(&nm, "name"))
        return fail(r, nm.at, "<member> without %s", "<name>");
    char *name = NULL;
    size_t len;
    struct proto_xmlrpc_value *kid = NULL;
    rc = text_of(r, &nm, &name, &len);
    if (rc)
        return rc;
    rc = next_elem(r, m, &val);
    if (!rc && (val.kind != PROTO_XML_OPEN || !is(&val, "value")))
        rc = fail(r, val.at, "<member> without %s", "<value>");
    rc = rc ? rc : parse_value(r, &val, depth + 1, &kid);
    if (rc) {
        lm_free(name);
        return rc;
    }
    if (proto_xmlrpc_value_add(v, kid, name)) {
        lm_free(name);
        proto_xmlrpc_value_free(kid);
        return oom(r);
    }
    return end_of(r, m, " in <member>");
}

/* parse_struct: <struct><member/>...</struct> into v. */
static int
parse_struct(struct rd *r, const struct proto_xml_token *t, int depth, struct proto_xmlrpc_value *v)
{
    struct proto_xml_token c;
    v->type = PROTO_XMLRPC_STRUCT;
    int rc;
    while (!(rc = next_elem(r, t, &c)) && c.kind == PROTO_XML_OPEN) {
        if (!is(&c, "member"))
            return fail(r, c.at, "unexpected element <%.*s> in <struct>", TOK_NAME(&c));
        rc = parse_member(r, &c, depth, v);
        if (rc)
            return rc;
    }
    return rc;
}

/* parse_value: the content of a <value> element (its start tag read) into a new node
 * in *out (NULL on error), up to and including its end tag. */
static int
parse_value(struct rd *r, const struct proto_xml_token *valel, int depth,
            struct proto_xmlrpc_value **out)
{
    *out = NULL;
    if (depth > PROTO_XMLRPC_MAX_DEPTH)
        return fail(r, valel->at, "values nested deeper than %d levels", PROTO_XMLRPC_MAX_DEPTH);
    struct proto_xmlrpc_value *v = lm_calloc(1, sizeof *v);
    if (!v)
        return oom(r);
    struct proto_xml_token t;
    size_t text_at = valel->at;
    int rc;
    lm_buf_reset(&r->text);
    /* text up to the first element or the end tag */
    for (;;) {
        rc = proto_xml_next(&r->lx, &t, r->err);
        if (rc || (t.kind != PROTO_XML_TEXT && t.kind != PROTO_XML_CDATA))
            break;
        if (!proto_xml_blank(t.text, t.text_len))
            text_at = t.at;
        if (proto_xml_append_text(&t, &r->text)) {
            rc = oom(r);
            break;
        }
    }
    if (rc) {
        /* err already set */
    } else if (t.kind == PROTO_XML_CLOSE) {
        /* a bare <value>text</value> is a string */
        v->type = PROTO_XMLRPC_STRING;
        rc = take_text(r, &v->s, &v->n);
    } else if (t.kind == PROTO_XML_EOF) {
        rc = fail(r, t.at, "document ends inside <%.*s>", TOK_NAME(valel));
    } else if (!proto_xml_blank(r->text.data ? r->text.data : "", r->text.len)) {
        rc = fail(r, text_at, "unexpected text inside <%.*s>", TOK_NAME(valel));
    } else {
        if (is(&t, "array"))
            rc = parse_array(r, &t, depth, v);
        else if (is(&t, "struct"))
            rc = parse_struct(r, &t, depth, v);
        else if (is(&t, "nil"))
            rc = end_of(r, &t, " in <nil>");   /* type is NIL already */
        else
            rc = parse_scalar(r, &t, v);
        rc = rc ? rc : end_of(r, valel, "");
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
parse_fault(struct rd *r, const struct proto_xml_token *fel, struct proto_xmlrpc_fault *fault)
{
    struct proto_xml_token valel;
    struct proto_xmlrpc_value *v;
    int rc = only_child(r, fel, "value", &valel);
    rc = rc ? rc : parse_value(r, &valel, 0, &v);
    if (rc)
        return rc;
    rc = end_of(r, fel, "");
    if (rc) {
        proto_xmlrpc_value_free(v);
        return rc;
    }
    int64_t code;
    const char *str = proto_xmlrpc_string_view(proto_xmlrpc_member(v, "faultString"), NULL);
    if (proto_xmlrpc_get_int(proto_xmlrpc_member(v, "faultCode"), &code) || !str) {
        proto_xmlrpc_value_free(v);
        return fail(r, fel->at, "malformed <%s>: needs faultCode and faultString", "fault");
    }
    if (fault) {
        fault->code = code < INT_MIN ? INT_MIN : code > INT_MAX ? INT_MAX : (int)code;
        snprintf(fault->string, sizeof fault->string, "%s", str);
    }
    lm_err_set(r->err, LM_EIO, NULL, "fault %lld: %s", (long long)code, str);
    proto_xmlrpc_value_free(v);
    return LM_EIO;
}

/* parse_params: <params> (start tag read) with zero or one <param> into *result. */
static int
parse_params(struct rd *r, const struct proto_xml_token *top, struct proto_xmlrpc_value **result)
{
    struct proto_xml_token param, valel;
    int rc = next_elem(r, top, &param);
    if (rc)
        return rc;
    if (param.kind == PROTO_XML_CLOSE) {
        *result = lm_calloc(1, sizeof **result);
        return *result ? 0 : oom(r);
    }
    if (!is(&param, "param"))
        return fail(r, param.at, "unexpected element <%.*s> in <params>", TOK_NAME(&param));
    rc = only_child(r, &param, "value", &valel);
    rc = rc ? rc : parse_value(r, &valel, 0, result);
    rc = rc ? rc : end_of(r, &param, "");
    return rc ? rc : end_of(r, top, " after <param>");
}

/* parse_doc: the methodResponse document into *result. */
static int
parse_doc(struct rd *r, struct proto_xmlrpc_value **result, struct proto_xmlrpc_fault *fault)
{
    struct proto_xml_token root, top;
    int rc;
    /* the check pass guarantees one root element, with only blank text and
     * comments before it */
    while (!(rc = proto_xml_next(&r->lx, &root, r->err)) && root.kind != PROTO_XML_OPEN &&
           root.kind != PROTO_XML_EOF)
        ;
    if (rc)
        return rc;
    if (root.kind != PROTO_XML_OPEN || !is(&root, "methodResponse"))
        return fail(r, root.at, "expected <methodResponse>, got <%.*s>", TOK_NAME(&root));
    rc = only_child(r, &root, NULL, &top);
    if (rc)
        return rc;
    if (is(&top, "fault"))
        return parse_fault(r, &top, fault);
    if (!is(&top, "params"))
        return fail(r, top.at, "unexpected element <%.*s> in <methodResponse>", TOK_NAME(&top));
    rc = parse_params(r, &top, result);
    return rc ? rc : end_of(r, &root, "");
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
    if (len > PROTO_XMLRPC_MAX_RESPONSE)
        return lm_err_set(err, LM_ETOOBIG, NULL, "response of %zu bytes is over the %lu limit",
                          len, (unsigned long)PROTO_XMLRPC_MAX_RESPONSE);
    int rc = proto_xml_check(data, len, err);
    if (rc)
        return rc;
    struct rd r = {.err = err};
    lm_buf_init(&r.text, PROTO_XMLRPC_MAX_RESPONSE + 1);
    rc = proto_xml_lex_init(&r.lx, data, len, true, err);
    rc = rc ? rc : parse_doc(&r, result, fault);
    if (rc && *result) {
        proto_xmlrpc_value_free(*result);
        *result = NULL;
    }
    lm_buf_cleanup(&r.text);
    return rc;
}
