/* SPDX-License-Identifier: Apache-2.0 */
/* xmlrpc_lex.h: the small XML reader under the XML-RPC response parser (no libxml2):
 * a bounds-checked tokenizer over a byte buffer (UTF-8 or ASCII only, no DTD, only the
 * five predefined entities and character references; comments and processing
 * instructions skipped) and a well-formedness check of a whole document. Private to
 * proto/xmlrpc*.c. */
#ifndef PROTO_XMLRPC_LEX_H
#define PROTO_XMLRPC_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include "lm/buf.h"
#include "lm/err.h"

#define PROTO_XML_MAX_NESTING 256   /* element levels, as libxml2's default */

enum proto_xml_kind {
    PROTO_XML_EOF = 0,   /* end of the document */
    PROTO_XML_OPEN,      /* a start tag; a self-closing tag gives OPEN then CLOSE */
    PROTO_XML_CLOSE,     /* an end tag */
    PROTO_XML_TEXT,      /* character data, raw (references not yet decoded) */
    PROTO_XML_CDATA,     /* a CDATA section's content, literal */
};

/* One token: views into the document. */
struct proto_xml_token {
    enum proto_xml_kind kind;
    const char *name;     /* OPEN/CLOSE: the local name (namespace prefix dropped) */
    size_t name_len;
    const char *qname;    /* OPEN/CLOSE: the name as written, prefix included */
    size_t qname_len;
    const char *text;     /* TEXT/CDATA: the bytes */
    size_t text_len;
    size_t at;            /* offset of the token in the document */
};

/* Reader state over a caller-owned buffer. */
struct proto_xml_lexer {
    const char *doc;      /* the document (not necessarily NUL-terminated) */
    size_t len;           /* its bytes */
    size_t pos;           /* next byte to read */
    bool pending_close;   /* a self-closing tag's CLOSE is still to be returned */
    struct proto_xml_token pend;   /* that CLOSE */
};

/* proto_xml_lex_init: set lx up on doc and read the prolog's start: an optional UTF-8
 * byte order mark and XML declaration (encoding UTF-8 or US-ASCII only). Unless checked
 * (proto_xml_check passed on doc already), checks the whole buffer is valid UTF-8 with
 * no characters XML forbids. 0, or LM_EPARSE with err->where "line N" and err->msg
 * "invalid XML: ...". */
int proto_xml_lex_init(struct proto_xml_lexer *lx, const char *doc, size_t len, bool checked,
                       struct lm_err *err);

/* proto_xml_next: the next token in *t. Comments and processing instructions are
 * skipped. 0 (EOF at the end), or LM_EPARSE ("invalid XML: ...", or "a DOCTYPE is not
 * allowed in XML-RPC") for a lexical error. */
int proto_xml_next(struct proto_xml_lexer *lx, struct proto_xml_token *t, struct lm_err *err);

/* proto_xml_check: the whole document is well-formed: one root element, balanced tags
 * nested at most PROTO_XML_MAX_NESTING deep, only blank text outside the root. Uses
 * its own lexer; 0 or LM_EPARSE as above. */
int proto_xml_check(const char *doc, size_t len, struct lm_err *err);

/* proto_xml_append_text: append the text of a TEXT or CDATA token to out, references
 * decoded (TEXT only) and line ends normalised to "\n". Returns out's sticky error. */
int proto_xml_append_text(const struct proto_xml_token *t, struct lm_buf *out);

/* proto_xml_line: the 1-based line of offset at in doc, for messages. */
long proto_xml_line(const char *doc, size_t len, size_t at);

/* proto_xml_blank: s (n bytes) is XML whitespace only. */
bool proto_xml_blank(const char *s, size_t n);

#endif
