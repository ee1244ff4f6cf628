/* SPDX-License-Identifier: Apache-2.0 */
/* xmlrpc_lex.c: a small bounds-checked XML tokenizer and well-formedness check for the
 * XML-RPC response parser (see xmlrpc_lex.h). It accepts the XML that XML-RPC servers
 * send: an XML declaration, elements with attributes (namespace prefixes are kept in
 * the qualified name and dropped from the local one), character data with the five
 * predefined entities and character references, CDATA sections, comments and processing
 * instructions. DOCTYPEs (and with them every entity expansion attack) are refused. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "proto/xmlrpc_lex.h"

#define REF_MAX 40   /* bytes of a reference, "&" and ";" included */

/* lex_fail: LM_EPARSE "invalid XML: ..." at offset at of the document. */
static int lex_fail(const struct proto_xml_lexer *lx, size_t at, struct lm_err *err,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int
lex_fail(const struct proto_xml_lexer *lx, size_t at, struct lm_err *err, const char *fmt, ...)
{
    char where[32], msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(where, sizeof where, "line %ld", proto_xml_line(lx->doc, lx->len, at));
    return lm_err_set(err, LM_EPARSE, where, "invalid XML: %s", msg);
}

long
proto_xml_line(const char *doc, size_t len, size_t at)
{
    long line = 1;
    if (at > len)
        at = len;
    for (const char *p = doc, *end = doc + at; (p = memchr(p, '\n', (size_t)(end - p)));
         p++)
        line++;
    return line;
}

static bool
is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool
proto_xml_blank(const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!is_ws(s[k]))
            return false;
    return true;
}

/* xml_char: a code point XML 1.0 allows in a document. */
static bool
xml_char(unsigned long cp)
{
    return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
           (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/* utf8_bad: offset of the first byte that is not valid UTF-8 or not an XML character,
 * or len when all are fine. */
static size_t
utf8_bad(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        /* fast path: 8 bytes of printable ASCII at a time */
        while (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if ((w & 0x8080808080808080ULL) ||
                ((w - 0x2020202020202020ULL) & ~w & 0x8080808080808080ULL))
                break;
            i += 8;
        }
        if (i >= len)
            break;
        unsigned c = s[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                return i;
            i++;
            continue;
        }
        size_t n;
        unsigned long cp, min;
        if ((c & 0xe0) == 0xc0) {
            n = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 3, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (len - i < n)
            return i;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || !xml_char(cp))
            return i;
        i += n;
    }
    return len;
}

/* ref_parse: the reference at p ('&' first, n bytes available): its length with the ';'
 * and its code point in *cp, or 0 when it is not a predefined entity or a valid
 * character reference. */
static size_t
ref_parse(const char *p, size_t n, unsigned long *cp)
{
    size_t k = 1;
    while (k < n && k < REF_MAX && p[k] != ';')
        k++;
    if (k >= n || p[k] != ';')
        return 0;
    const char *s = p + 1;
    size_t sl = k - 1;
    if (sl >= 2 && s[0] == '#') {
        unsigned long v = 0;
        unsigned base = s[1] == 'x' ? 16 : 10;
        size_t i = base == 16 ? 2 : 1;
        if (i >= sl)
            return 0;
        for (; i < sl; i++) {
            char c = s[i];
            unsigned d;
            if (c >= '0' && c <= '9')
                d = (unsigned)(c - '0');
            else if (base == 16 && c >= 'a' && c <= 'f')
                d = (unsigned)(c - 'a' + 10);
            else if (base == 16 && c >= 'A' && c <= 'F')
                d = (unsigned)(c - 'A' + 10);
            else
                return 0;
            v = v * base + d;
            if (v > 0x10ffff)
                return 0;
        }
        if (!xml_char(v))
            return 0;
        *cp = v;
        return k + 1;
    }
    static const struct {
        const char *name;
        char c;
    } ents[] = {{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
    for (size_t e = 0; e < sizeof ents / sizeof ents[0]; e++)
        if (strlen(ents[e].name) == sl && !memcmp(ents[e].name, s, sl)) {
            *cp = (unsigned char)ents[e].c;
            return k + 1;
        }
    return 0;
}

/* bad_ref: the error for an invalid reference at offset at. */
static int
bad_ref(const struct proto_xml_lexer *lx, size_t at, struct lm_err *err)
{
    size_t n = 1;
    while (at + n < lx->len && n < REF_MAX && lx->doc[at + n] != ';' && !is_ws(lx->doc[at + n]))
        n++;
    return lex_fail(lx, at, err, "undefined entity or bad reference \"%.*s\"", (int)n,
                    lx->doc + at);
}

static bool
name_start(unsigned char c)
{
    return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_' || c == ':' || c >= 0x80;
}

/* name_at: the length of the XML name at offset at (0 when there is none). */
static size_t
name_at(const struct proto_xml_lexer *lx, size_t at)
{
    if (at >= lx->len || !name_start((unsigned char)lx->doc[at]))
        return 0;
    size_t k = at + 1;
    while (k < lx->len) {
        unsigned char c = (unsigned char)lx->doc[k];
        if (!name_start(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.')
            break;
        k++;
    }
    return k - at;
}

static void
skip_ws(const struct proto_xml_lexer *lx, size_t *pos)
{
    while (*pos < lx->len && is_ws(lx->doc[*pos]))
        (*pos)++;
}

static bool
starts(const struct proto_xml_lexer *lx, size_t at, const char *s)
{
    size_t n = strlen(s);
    return at <= lx->len && lx->len - at >= n && !memcmp(lx->doc + at, s, n);
}

/* find: the offset of s at or after at, or lx->len when absent. */
static size_t
find(const struct proto_xml_lexer *lx, size_t at, const char *s)
{
    if (at >= lx->len)
        return lx->len;
    const char *p = memmem(lx->doc + at, lx->len - at, s, strlen(s));
    return p ? (size_t)(p - lx->doc) : lx->len;
}

/* attr: one name="value" at *pos (whitespace around '=' allowed); the value's offset and
 * length in *v and *vlen. */
static int
attr(const struct proto_xml_lexer *lx, size_t *pos, size_t *v, size_t *vlen, size_t *nlen,
     struct lm_err *err)
{
    size_t at = *pos, nl = name_at(lx, at);
    if (!nl)
        return lex_fail(lx, at, err, "bad attribute in a tag");
    *nlen = nl;
    size_t p = at + nl;
    skip_ws(lx, &p);
    if (p >= lx->len || lx->doc[p] != '=')
        return lex_fail(lx, p, err, "attribute without '='");
    p++;
    skip_ws(lx, &p);
    if (p >= lx->len || (lx->doc[p] != '"' && lx->doc[p] != '\''))
        return lex_fail(lx, p, err, "attribute value without quotes");
    char q = lx->doc[p++];
    *v = p;
    while (p < lx->len && lx->doc[p] != q) {
        if (lx->doc[p] == '<')
            return lex_fail(lx, p, err, "'<' in an attribute value");
        if (lx->doc[p] == '&') {
            unsigned long cp;
            size_t k = ref_parse(lx->doc + p, lx->len - p, &cp);
            if (!k)
                return bad_ref(lx, p, err);
            p += k;
            continue;
        }
        p++;
    }
    if (p >= lx->len)
        return lex_fail(lx, at, err, "unterminated attribute value");
    *vlen = p - *v;
    *pos = p + 1;
    return 0;
}

/* xml_decl: the XML declaration's pseudo-attributes from *pos up to "?>". */
static int
xml_decl(struct proto_xml_lexer *lx, size_t *pos, struct lm_err *err)
{
    for (;;) {
        size_t ws = *pos;
        skip_ws(lx, pos);
        if (starts(lx, *pos, "?>")) {
            *pos += 2;
            return 0;
        }
        if (*pos == ws)
            return lex_fail(lx, *pos, err, "bad XML declaration");
        size_t at = *pos, v, vlen, nlen;
        int rc = attr(lx, pos, &v, &vlen, &nlen, err);
        if (rc)
            return rc;
        if (nlen == 8 && !memcmp(lx->doc + at, "encoding", 8)) {
            static const char *const ok[] = {"UTF-8", "UTF8", "US-ASCII", "ASCII"};
            bool good = false;
            for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
                good |= strlen(ok[k]) == vlen && !strncasecmp(ok[k], lx->doc + v, vlen);
            if (!good)
                return lex_fail(lx, v, err, "unsupported encoding \"%.*s\"",
                                (int)(vlen > 40 ? 40 : vlen), lx->doc + v);
        }
    }
}

int
proto_xml_lex_init(struct proto_xml_lexer *lx, const char *doc, size_t len, bool checked,
                   struct lm_err *err)
{
    *lx = (struct proto_xml_lexer){.doc = doc, .len = len};
    size_t bad = checked ? len : utf8_bad((const unsigned char *)doc, len);
    if (bad < len)
        return lex_fail(lx, bad, err, "byte 0x%02x at offset %zu is not a valid character",
                        (unsigned char)doc[bad], bad);
    if (starts(lx, 0, "\xef\xbb\xbf"))
        lx->pos = 3;
    if (starts(lx, lx->pos, "<?xml") && lx->pos + 5 < len && is_ws(doc[lx->pos + 5])) {
        lx->pos += 5;
        return xml_decl(lx, &lx->pos, err);
    }
    return 0;
}

/* set_name: a tag token of kind at at, its qualified name qname[0..nl) and the local
 * name after the last ':' (the whole name when there is none). */
static void
set_name(struct proto_xml_token *t, enum proto_xml_kind kind, size_t at, const char *qname,
         size_t nl)
{
    t->kind = kind;
    t->at = at;
    t->qname = qname;
    t->qname_len = nl;
    const char *colon = memrchr(qname, ':', nl);
    t->name = colon && colon + 1 < qname + nl ? colon + 1 : qname;
    t->name_len = nl - (size_t)(t->name - qname);
}

/* tag: a start tag at lx->pos ('<' first) into *t. */
static int
tag(struct proto_xml_lexer *lx, struct proto_xml_token *t, struct lm_err *err)
{
    size_t at = lx->pos, nl = name_at(lx, at + 1);
    if (!nl)
        return lex_fail(lx, at, err, "'<' not followed by a name");
    set_name(t, PROTO_XML_OPEN, at, lx->doc + at + 1, nl);
    size_t p = at + 1 + nl;
    for (;;) {
        size_t ws = p;
        skip_ws(lx, &p);
        if (p >= lx->len)
            return lex_fail(lx, at, err, "unterminated tag <%.*s>", (int)nl, t->qname);
        if (lx->doc[p] == '>') {
            lx->pos = p + 1;
            return 0;
        }
        if (lx->doc[p] == '/') {
            if (p + 1 >= lx->len || lx->doc[p + 1] != '>')
                return lex_fail(lx, p, err, "'/' not followed by '>' in <%.*s>", (int)nl,
                                t->qname);
            lx->pos = p + 2;
            lx->pending_close = true;
            lx->pend = *t;
            lx->pend.kind = PROTO_XML_CLOSE;
            return 0;
        }
        if (p == ws)
            return lex_fail(lx, p, err, "no space before an attribute in <%.*s>", (int)nl,
                            t->qname);
        size_t v, vlen, anl;
        int rc = attr(lx, &p, &v, &vlen, &anl, err);
        if (rc)
            return rc;
    }
}

/* end_tag: an end tag at lx->pos ("</" first) into *t. */
static int
end_tag(struct proto_xml_lexer *lx, struct proto_xml_token *t, struct lm_err *err)
{
    size_t at = lx->pos, nl = name_at(lx, at + 2);
    if (!nl)
        return lex_fail(lx, at, err, "'</' not followed by a name");
    set_name(t, PROTO_XML_CLOSE, at, lx->doc + at + 2, nl);
    size_t p = at + 2 + nl;
    skip_ws(lx, &p);
    if (p >= lx->len || lx->doc[p] != '>')
        return lex_fail(lx, at, err, "bad end tag </%.*s>", (int)nl, t->qname);
    lx->pos = p + 1;
    return 0;
}

/* text: character data from lx->pos to the next '<' into *t, references checked. */
static int
text(struct proto_xml_lexer *lx, struct proto_xml_token *t, struct lm_err *err)
{
    size_t at = lx->pos, p = at;
    while (p < lx->len && lx->doc[p] != '<') {
        char c = lx->doc[p];
        if (c == '&') {
            unsigned long cp;
            size_t k = ref_parse(lx->doc + p, lx->len - p, &cp);
            if (!k)
                return bad_ref(lx, p, err);
            p += k;
            continue;
        }
        if (c == '>' && p >= at + 2 && lx->doc[p - 1] == ']' && lx->doc[p - 2] == ']')
            return lex_fail(lx, p, err, "\"]]>\" in text");
        p++;
    }
    t->kind = PROTO_XML_TEXT;
    t->at = at;
    t->text = lx->doc + at;
    t->text_len = p - at;
    lx->pos = p;
    return 0;
}

int
proto_xml_next(struct proto_xml_lexer *lx, struct proto_xml_token *t, struct lm_err *err)
{
    if (lx->pending_close) {
        lx->pending_close = false;
        *t = lx->pend;
        return 0;
    }
    for (;;) {
        size_t at = lx->pos;
        if (at >= lx->len) {
            *t = (struct proto_xml_token){.kind = PROTO_XML_EOF, .at = lx->len};
            return 0;
        }
        if (lx->doc[at] != '<')
            return text(lx, t, err);
        if (starts(lx, at, "<!--")) {
            size_t e = find(lx, at + 4, "--");
            if (e >= lx->len)
                return lex_fail(lx, at, err, "unterminated comment");
            if (!starts(lx, e, "-->"))
                return lex_fail(lx, e, err, "\"--\" inside a comment");
            lx->pos = e + 3;
            continue;
        }
        if (starts(lx, at, "<![CDATA[")) {
            size_t s = at + 9, e = find(lx, s, "]]>");
            if (e >= lx->len)
                return lex_fail(lx, at, err, "unterminated CDATA section");
            *t = (struct proto_xml_token){.kind = PROTO_XML_CDATA, .at = at,
                                          .text = lx->doc + s, .text_len = e - s};
            lx->pos = e + 3;
            return 0;
        }
        if (starts(lx, at, "<!DOCTYPE")) {
            char where[32];
            snprintf(where, sizeof where, "line %ld", proto_xml_line(lx->doc, lx->len, at));
            return lm_err_set(err, LM_EPARSE, where, "a DOCTYPE is not allowed in XML-RPC");
        }
        if (starts(lx, at, "<!"))
            return lex_fail(lx, at, err, "markup declarations are not allowed");
        if (starts(lx, at, "<?")) {
            size_t nl = name_at(lx, at + 2);
            if (!nl)
                return lex_fail(lx, at, err, "bad processing instruction");
            if (nl == 3 && !strncasecmp(lx->doc + at + 2, "xml", 3))
                return lex_fail(lx, at, err, "XML declaration not at the start");
            size_t e = find(lx, at + 2 + nl, "?>");
            if (e >= lx->len)
                return lex_fail(lx, at, err, "unterminated processing instruction");
            lx->pos = e + 2;
            continue;
        }
        if (starts(lx, at, "</"))
            return end_tag(lx, t, err);
        return tag(lx, t, err);
    }
}

int
proto_xml_check(const char *doc, size_t len, struct lm_err *err)
{
    struct proto_xml_lexer lx;
    struct proto_xml_token t, stack[PROTO_XML_MAX_NESTING];
    size_t depth = 0;
    bool root = false;
    int rc = proto_xml_lex_init(&lx, doc, len, false, err);
    while (!rc && !(rc = proto_xml_next(&lx, &t, err))) {
        switch (t.kind) {
        case PROTO_XML_EOF:
            if (depth)
                return lex_fail(&lx, t.at, err, "document ends inside <%.*s>",
                                (int)stack[depth - 1].qname_len, stack[depth - 1].qname);
            if (!root)
                return lex_fail(&lx, t.at, err, "no root element");
            return 0;
        case PROTO_XML_TEXT:
        case PROTO_XML_CDATA:
            if (!depth && (t.kind == PROTO_XML_CDATA || !proto_xml_blank(t.text, t.text_len)))
                return lex_fail(&lx, t.at, err, "text outside the root element");
            break;
        case PROTO_XML_OPEN:
            if (!depth && root)
                return lex_fail(&lx, t.at, err, "content after the root element");
            if (depth == PROTO_XML_MAX_NESTING)
                return lex_fail(&lx, t.at, err, "elements nested deeper than %d levels",
                                PROTO_XML_MAX_NESTING);
            stack[depth++] = t;
            root = true;
            break;
        case PROTO_XML_CLOSE:
            if (!depth)
                return lex_fail(&lx, t.at, err, "end tag </%.*s> without a start tag",
                                (int)t.qname_len, t.qname);
            depth--;
            if (t.qname_len != stack[depth].qname_len ||
                memcmp(t.qname, stack[depth].qname, t.qname_len))
                return lex_fail(&lx, t.at, err, "end tag </%.*s> does not match <%.*s>",
                                (int)t.qname_len, t.qname, (int)stack[depth].qname_len,
                                stack[depth].qname);
            break;
        }
    }
    return rc;
}

/* put_utf8: code point cp (valid) as UTF-8 into out. */
static void
put_utf8(struct lm_buf *out, unsigned long cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        b[0] = (char)(0xf0 | (cp >> 18)), b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
    }
    lm_buf_append(out, b, n);
}

int
proto_xml_append_text(const struct proto_xml_token *t, struct lm_buf *out)
{
    const char *s = t->text;
    size_t n = t->text_len, i = 0, run = 0;
    while (i < n) {
        if (s[i] == '\r') {
            lm_buf_append(out, s + run, i - run);
            lm_buf_putc(out, '\n');
            i += i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
            run = i;
        } else if (s[i] == '&' && t->kind == PROTO_XML_TEXT) {
            unsigned long cp;
            size_t k = ref_parse(s + i, n - i, &cp);
            lm_buf_append(out, s + run, i - run);
            if (k)
                put_utf8(out, cp);
            else
                lm_buf_putc(out, '&');   /* not reached after proto_xml_check */
            i += k ? k : 1;
            run = i;
        } else {
            i++;
        }
    }
    lm_buf_append(out, s + run, n - run);
    return out->err;
}
