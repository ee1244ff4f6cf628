/* SPDX-License-Identifier: Apache-2.0 */
/* lex.h: internal interface of the PromQL lexer (lex.c) and the literal helpers the
 * parser and printer share (lex_lit.c: numbers, durations, Go string unquoting and
 * quoting). The lexer is a port of Prometheus 2.42's promql/parser/lex.go state
 * machine, so tokens, positions and error texts are the same. Not for use outside
 * flint/promql. Prefix pql_. */
#ifndef FLINT_PROMQL_LEX_H
#define FLINT_PROMQL_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lm/err.h"

struct lm_buf;

enum pql_tok_type {
    PQL_TK_EOF, PQL_TK_ERROR, PQL_TK_COMMENT, PQL_TK_IDENTIFIER, PQL_TK_METRIC_IDENTIFIER,
    PQL_TK_NUMBER, PQL_TK_STRING, PQL_TK_DURATION,
    PQL_TK_LEFT_PAREN, PQL_TK_RIGHT_PAREN, PQL_TK_LEFT_BRACE, PQL_TK_RIGHT_BRACE,
    PQL_TK_LEFT_BRACKET, PQL_TK_RIGHT_BRACKET, PQL_TK_COMMA, PQL_TK_EQL, PQL_TK_COLON,
    /* operators (Prometheus's IsOperator range) */
    PQL_TK_OPS_START_,
    PQL_TK_ADD, PQL_TK_DIV, PQL_TK_EQLC, PQL_TK_EQL_REGEX, PQL_TK_GTE, PQL_TK_GTR,
    PQL_TK_LAND, PQL_TK_LOR, PQL_TK_LSS, PQL_TK_LTE, PQL_TK_LUNLESS, PQL_TK_MOD,
    PQL_TK_MUL, PQL_TK_NEQ, PQL_TK_NEQ_REGEX, PQL_TK_POW, PQL_TK_SUB, PQL_TK_AT,
    PQL_TK_ATAN2,
    PQL_TK_OPS_END_,
    /* aggregators */
    PQL_TK_AGG_START_,
    PQL_TK_AVG, PQL_TK_BOTTOMK, PQL_TK_COUNT, PQL_TK_COUNT_VALUES, PQL_TK_GROUP,
    PQL_TK_MAX, PQL_TK_MIN, PQL_TK_QUANTILE, PQL_TK_STDDEV, PQL_TK_STDVAR, PQL_TK_SUM,
    PQL_TK_TOPK,
    PQL_TK_AGG_END_,
    /* keywords */
    PQL_TK_KW_START_,
    PQL_TK_BOOL, PQL_TK_BY, PQL_TK_GROUP_LEFT, PQL_TK_GROUP_RIGHT, PQL_TK_IGNORING,
    PQL_TK_OFFSET, PQL_TK_ON, PQL_TK_WITHOUT,
    PQL_TK_KW_END_,
    /* preprocessors */
    PQL_TK_START, PQL_TK_END,
};

struct pql_token {
    enum pql_tok_type type;
    uint32_t pos;     /* byte offset of the first byte */
    uint32_t len;     /* bytes of text (for ERROR: 0; the message is in the lexer) */
};

enum pql_lex_state { PQL_LS_STATEMENTS, PQL_LS_DURATION, PQL_LS_DONE };

struct pql_lexer {
    const char *in;        /* borrowed query text */
    size_t len;
    size_t pos, start;     /* scan position; start of the token being scanned */
    size_t width;          /* bytes of the last rune read (for backup) */
    enum pql_lex_state state;
    int paren_depth;
    bool brace_open, bracket_open, got_colon;
    int32_t string_open;   /* the quote rune of the string being scanned */
    char err[LM_ERR_MSG_MAX]; /* message of the last ERROR token */
};

void pql_lex_init(struct pql_lexer *l, const char *in, size_t len);
/* pql_lex_next: the next token, comments included. After an ERROR or EOF, EOF forever. */
void pql_lex_next(struct pql_lexer *l, struct pql_token *t);
/* pql_tok_desc: append Prometheus's Item.desc() of t ("identifier \"x\"", "<op:+>",
 * "\"(\"", "end of input", "number \"1\""). */
void pql_tok_desc(const struct pql_lexer *l, const struct pql_token *t, struct lm_buf *out);

/* Go-compatible rune decoding: returns the rune at s[0..n) (n > 0) and its width in *w;
 * invalid UTF-8 gives 0xFFFD with width 1 (utf8.DecodeRuneInString). */
int32_t pql_utf8_decode(const char *s, size_t n, size_t *w);

/* Literals (lex_lit.c). Each returns 0, or -1 with a Go-style message in msg. */
/* pql_parse_number: Prometheus's parser.number(): strconv.ParseInt(s, 0, 64), else
 * strconv.ParseFloat(s, 64). msg like "strconv.ParseFloat: parsing \"1e\": invalid
 * syntax". */
int pql_parse_number(const char *s, size_t n, double *out, char *msg, size_t msgsz);
/* pql_parse_duration: model.ParseDuration plus "duration must be greater than 0". */
int pql_parse_duration(const char *s, size_t n, int64_t *ms, char *msg, size_t msgsz);
/* pql_unquote: strutil.Unquote of a quoted token ("...", '...', `...`) into a new
 * NUL-terminated string (*out, lm_free) of *outlen bytes. -1 with *out NULL on
 * "invalid syntax"; -2 when out of memory. */
int pql_unquote(const char *s, size_t n, char **out, size_t *outlen);
/* pql_quote: append strconv.Quote(s) (Go's %q of a string). */
void pql_quote(struct lm_buf *out, const char *s, size_t n);
/* pql_quote_trunc: Go's %.<max>q: quote the first max runes only. */
void pql_quote_trunc(struct lm_buf *out, const char *s, size_t n, size_t max);
/* pql_quote_rune: append Go's %q of a rune ('a', '\n', '\x00'). */
void pql_quote_rune(struct lm_buf *out, int32_t r);
/* pql_rune_U: append Go's %#U of a rune ("U+0067 'g'"). */
void pql_rune_U(struct lm_buf *out, int32_t r);
/* pql_go_printable: strconv.IsPrint (approximate for rare scripts). */
bool pql_go_printable(int32_t r);
/* pql_fmt_f6: append Go's %f of v ("+Inf", "NaN", "1.500000"). */
void pql_fmt_f6(struct lm_buf *out, double v);

#endif
