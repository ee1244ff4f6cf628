/* SPDX-License-Identifier: Apache-2.0 */
/* lex.c: the PromQL lexer, a port of Prometheus 2.42's promql/parser/lex.go state
 * machine (statements, inside braces, durations after '[', strings, numbers,
 * keywords), with the same token boundaries, positions and error texts. */
#include <stdio.h>
#include <string.h>

#include "flint/promql/lex.h"
#include "lm/buf.h"

#define PQL_EOF (-1)
#define PQL_RUNE_ERROR 0xFFFD

static const struct {
    const char *word;
    enum pql_tok_type type;
} pql_keys[] = {
    {"and", PQL_TK_LAND}, {"or", PQL_TK_LOR}, {"unless", PQL_TK_LUNLESS},
    {"atan2", PQL_TK_ATAN2},
    {"sum", PQL_TK_SUM}, {"avg", PQL_TK_AVG}, {"count", PQL_TK_COUNT},
    {"min", PQL_TK_MIN}, {"max", PQL_TK_MAX}, {"group", PQL_TK_GROUP},
    {"stddev", PQL_TK_STDDEV}, {"stdvar", PQL_TK_STDVAR}, {"topk", PQL_TK_TOPK},
    {"bottomk", PQL_TK_BOTTOMK}, {"count_values", PQL_TK_COUNT_VALUES},
    {"quantile", PQL_TK_QUANTILE},
    {"offset", PQL_TK_OFFSET}, {"by", PQL_TK_BY}, {"without", PQL_TK_WITHOUT},
    {"on", PQL_TK_ON}, {"ignoring", PQL_TK_IGNORING}, {"group_left", PQL_TK_GROUP_LEFT},
    {"group_right", PQL_TK_GROUP_RIGHT}, {"bool", PQL_TK_BOOL},
    {"start", PQL_TK_START}, {"end", PQL_TK_END},
    {"inf", PQL_TK_NUMBER}, {"nan", PQL_TK_NUMBER},
};

int32_t pql_utf8_decode(const char *str, size_t n, size_t *w)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c = s[0];
    *w = 1;
    if (c < 0x80)
        return (int32_t)c;
    size_t need;
    uint32_t r, min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1; r = c & 0x1F; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2; r = c & 0x0F; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3; r = c & 0x07; min = 0x10000;
    } else {
        return PQL_RUNE_ERROR;
    }
    if (n < need + 1)
        return PQL_RUNE_ERROR;
    for (size_t i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return PQL_RUNE_ERROR;
        r = (r << 6) | (s[i] & 0x3F);
    }
    if (r < min || r > 0x10FFFF || (r >= 0xD800 && r < 0xE000))
        return PQL_RUNE_ERROR;
    *w = need + 1;
    return (int32_t)r;
}

static int32_t lx_next(struct pql_lexer *l)
{
    if (l->pos >= l->len) {
        l->width = 0;
        return PQL_EOF;
    }
    int32_t r = pql_utf8_decode(l->in + l->pos, l->len - l->pos, &l->width);
    l->pos += l->width;
    return r;
}

static void lx_backup(struct pql_lexer *l) { l->pos -= l->width; }

static int32_t lx_peek(struct pql_lexer *l)
{
    int32_t r = lx_next(l);
    lx_backup(l);
    return r;
}

static bool lx_accept(struct pql_lexer *l, const char *valid)
{
    int32_t r = lx_next(l);
    if (r > 0 && r < 0x80 && strchr(valid, (int)r))
        return true;
    lx_backup(l);
    return false;
}

static void lx_accept_run(struct pql_lexer *l, const char *valid)
{
    while (lx_accept(l, valid)) {
    }
}

static bool is_space(int32_t r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
static bool is_alpha(int32_t r)
{
    return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
}
static bool is_digit(int32_t r) { return r >= '0' && r <= '9'; }
static bool is_alnum(int32_t r) { return is_alpha(r) || is_digit(r); }

/* The token being produced by the current pql_lex_next call. */
struct lx_ctx {
    struct pql_lexer *l;
    struct pql_token *t;
    bool scanned;
};

static void lx_emit(struct lx_ctx *c, enum pql_tok_type type)
{
    c->t->type = type;
    c->t->pos = (uint32_t)c->l->start;
    c->t->len = (uint32_t)(c->l->pos - c->l->start);
    c->l->start = c->l->pos;
    c->scanned = true;
}

/* lx_error: an ERROR token with message msg; the lexer stops. */
static void lx_error(struct lx_ctx *c, const char *msg)
{
    snprintf(c->l->err, sizeof c->l->err, "%s", msg);
    c->t->type = PQL_TK_ERROR;
    c->t->pos = (uint32_t)c->l->start;
    c->t->len = 0;
    c->l->state = PQL_LS_DONE;
    c->scanned = true;
}

/* lx_error_buf: an ERROR token whose message is prefix + the text in b. */
static void lx_error_buf(struct lx_ctx *c, const char *prefix, struct lm_buf *b)
{
    char tmp[LM_ERR_MSG_MAX];
    snprintf(tmp, sizeof tmp, "%s%s", prefix, lm_buf_cstr(b));
    lx_error(c, tmp);
    lm_buf_cleanup(b);
}

static void lx_error_rune(struct lx_ctx *c, const char *prefix, int32_t r, bool as_U)
{
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    if (as_U)
        pql_rune_U(&b, r);
    else
        pql_quote_rune(&b, r);
    lx_error_buf(c, prefix, &b);
}

static void lx_error_quoted(struct lx_ctx *c, const char *prefix)
{
    struct lm_buf b;
    lm_buf_init(&b, 1 << 20);
    pql_quote(&b, c->l->in + c->l->start, c->l->pos - c->l->start);
    lx_error_buf(c, prefix, &b);
}

static void lx_line_comment(struct lx_ctx *c)
{
    struct pql_lexer *l = c->l;
    l->pos += 1;
    int32_t r = lx_next(l);
    while (r != '\n' && r != '\r' && r != PQL_EOF)
        r = lx_next(l);
    lx_backup(l);
    lx_emit(c, PQL_TK_COMMENT);
}

static void lx_space(struct pql_lexer *l)
{
    while (is_space(lx_peek(l)))
        lx_next(l);
    l->start = l->pos;
}

static int digit_val(int32_t ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return 16;
}

/* lx_escape: after a backslash in a quoted string. false when it emitted an error. */
static bool lx_escape(struct lx_ctx *c)
{
    struct pql_lexer *l = c->l;
    int n;
    uint32_t base, max;
    int32_t ch = lx_next(l);
    switch (ch) {
    case 'a': case 'b': case 'f': case 'n': case 'r': case 't': case 'v': case '\\':
        return true;
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        n = 3; base = 8; max = 255;
        break;
    case 'x':
        ch = lx_next(l); n = 2; base = 16; max = 255;
        break;
    case 'u':
        ch = lx_next(l); n = 4; base = 16; max = 0x10FFFF;
        break;
    case 'U':
        ch = lx_next(l); n = 8; base = 16; max = 0x10FFFF;
        break;
    case PQL_EOF:
        lx_error(c, "escape sequence not terminated");
        return false;
    default:
        if (ch == l->string_open)
            return true;
        lx_error_rune(c, "unknown escape sequence ", ch, true);
        return false;
    }
    uint32_t x = 0;
    while (n > 0) {
        uint32_t d = (uint32_t)digit_val(ch);
        if (d >= base) {
            if (ch == PQL_EOF) {
                lx_error(c, "escape sequence not terminated");
                return false;
            }
            lx_error_rune(c, "illegal character ", ch, true);
            snprintf(l->err + strlen(l->err), sizeof l->err - strlen(l->err),
                     " in escape sequence");
            return false;
        }
        x = x * base + d;
        n--;
        if (n > 0)
            ch = lx_next(l);
    }
    if (x > max || (x >= 0xD800 && x < 0xE000)) {
        lx_error(c, "escape sequence is an invalid Unicode code point");
        return false;
    }
    return true;
}

static void lx_string(struct lx_ctx *c, bool raw)
{
    struct pql_lexer *l = c->l;
    for (;;) {
        int32_t r = lx_next(l);
        if (r == '\\' && !raw) {
            if (!lx_escape(c))
                return;
        } else if (r == PQL_RUNE_ERROR) {
            lx_error(c, "invalid UTF-8 rune");
            return;
        } else if (r == PQL_EOF || (r == '\n' && !raw)) {
            lx_error(c, raw ? "unterminated raw string" : "unterminated quoted string");
            return;
        } else if (r == l->string_open) {
            break;
        }
    }
    lx_emit(c, PQL_TK_STRING);
}

static bool lx_scan_number(struct pql_lexer *l)
{
    const char *digits = "0123456789";
    if (lx_accept(l, "0") && lx_accept(l, "xX"))
        digits = "0123456789abcdefABCDEF";
    lx_accept_run(l, digits);
    if (lx_accept(l, "."))
        lx_accept_run(l, digits);
    if (lx_accept(l, "eE")) {
        lx_accept(l, "+-");
        lx_accept_run(l, "0123456789");
    }
    return !is_alnum(lx_peek(l));
}

static bool lx_accept_remaining_duration(struct pql_lexer *l)
{
    if (!lx_accept(l, "smhdwy"))
        return false;
    lx_accept(l, "s");
    while (lx_accept(l, "0123456789")) {
        while (lx_accept(l, "0123456789")) {
        }
        if (!lx_accept(l, "smhdw"))
            return false;
        lx_accept(l, "s");
    }
    return !is_alnum(lx_next(l));
}

static void lx_number_or_duration(struct lx_ctx *c)
{
    struct pql_lexer *l = c->l;
    if (lx_scan_number(l)) {
        lx_emit(c, PQL_TK_NUMBER);
        return;
    }
    if (lx_accept_remaining_duration(l)) {
        lx_backup(l);
        lx_emit(c, PQL_TK_DURATION);
        return;
    }
    lx_error_quoted(c, "bad number or duration syntax: ");
}

static void lx_duration(struct lx_ctx *c)
{
    struct pql_lexer *l = c->l;
    l->state = PQL_LS_STATEMENTS;
    if (lx_scan_number(l)) {
        lx_error(c, "missing unit character in duration");
        return;
    }
    if (!lx_accept_remaining_duration(l)) {
        lx_error_quoted(c, "bad duration syntax: ");
        return;
    }
    lx_backup(l);
    lx_emit(c, PQL_TK_DURATION);
}

static void lx_keyword_or_identifier(struct lx_ctx *c)
{
    struct pql_lexer *l = c->l;
    for (;;) {
        int32_t r = lx_next(l);
        if (is_alnum(r) || r == ':')
            continue;
        lx_backup(l);
        break;
    }
    const char *w = l->in + l->start;
    size_t n = l->pos - l->start;
    for (size_t i = 0; i < sizeof pql_keys / sizeof pql_keys[0]; i++) {
        if (strlen(pql_keys[i].word) == n && strncasecmp(pql_keys[i].word, w, n) == 0) {
            lx_emit(c, pql_keys[i].type);
            return;
        }
    }
    lx_emit(c, memchr(w, ':', n) ? PQL_TK_METRIC_IDENTIFIER : PQL_TK_IDENTIFIER);
}

static void lx_inside_braces(struct lx_ctx *c)
{
    struct pql_lexer *l = c->l;
    if (l->pos < l->len && l->in[l->pos] == '#') {
        lx_line_comment(c);
        return;
    }
    int32_t r = lx_next(l);
    if (r == PQL_EOF) {
        lx_error(c, "unexpected end of input inside braces");
    } else if (is_space(r)) {
        lx_space(l);
    } else if (is_alpha(r)) {
        while (is_alnum(lx_next(l))) {
        }
        lx_backup(l);
        lx_emit(c, PQL_TK_IDENTIFIER);
    } else if (r == ',') {
        lx_emit(c, PQL_TK_COMMA);
    } else if (r == '"' || r == '\'' || r == '`') {
        l->string_open = r;
        lx_string(c, r == '`');
    } else if (r == '=') {
        if (lx_next(l) == '~') {
            lx_emit(c, PQL_TK_EQL_REGEX);
        } else {
            lx_backup(l);
            lx_emit(c, PQL_TK_EQL);
        }
    } else if (r == '!') {
        int32_t nr = lx_next(l);
        if (nr == '~')
            lx_emit(c, PQL_TK_NEQ_REGEX);
        else if (nr == '=')
            lx_emit(c, PQL_TK_NEQ);
        else
            lx_error_rune(c, "unexpected character after '!' inside braces: ", nr, false);
    } else if (r == '{') {
        lx_error_rune(c, "unexpected left brace ", r, false);
    } else if (r == '}') {
        lx_emit(c, PQL_TK_RIGHT_BRACE);
        l->brace_open = false;
    } else {
        lx_error_rune(c, "unexpected character inside braces: ", r, false);
    }
}

static void lx_op2(struct lx_ctx *c, int32_t second, enum pql_tok_type two,
                   enum pql_tok_type one)
{
    if (lx_peek(c->l) == second) {
        lx_next(c->l);
        lx_emit(c, two);
    } else {
        lx_emit(c, one);
    }
}

static void lx_statements(struct lx_ctx *c)
{
    struct pql_lexer *l = c->l;
    if (l->brace_open) {
        lx_inside_braces(c);
        return;
    }
    if (l->pos < l->len && l->in[l->pos] == '#') {
        lx_line_comment(c);
        return;
    }
    int32_t r = lx_next(l);
    switch (r) {
    case PQL_EOF:
        if (l->paren_depth != 0)
            lx_error(c, "unclosed left parenthesis");
        else if (l->bracket_open)
            lx_error(c, "unclosed left bracket");
        else {
            lx_emit(c, PQL_TK_EOF);
            l->state = PQL_LS_DONE;
        }
        return;
    case ',': lx_emit(c, PQL_TK_COMMA); return;
    case ' ': case '\t': case '\n': case '\r': lx_space(l); return;
    case '*': lx_emit(c, PQL_TK_MUL); return;
    case '/': lx_emit(c, PQL_TK_DIV); return;
    case '%': lx_emit(c, PQL_TK_MOD); return;
    case '+': lx_emit(c, PQL_TK_ADD); return;
    case '-': lx_emit(c, PQL_TK_SUB); return;
    case '^': lx_emit(c, PQL_TK_POW); return;
    case '@': lx_emit(c, PQL_TK_AT); return;
    case '=': {
        int32_t t = lx_peek(l);
        if (t == '=') {
            lx_next(l);
            lx_emit(c, PQL_TK_EQLC);
        } else if (t == '~') {
            lx_error_rune(c, "unexpected character after '=': ", t, false);
        } else {
            lx_emit(c, PQL_TK_EQL);
        }
        return;
    }
    case '!': {
        int32_t t = lx_next(l);
        if (t == '=')
            lx_emit(c, PQL_TK_NEQ);
        else
            lx_error_rune(c, "unexpected character after '!': ", t, false);
        return;
    }
    case '<': lx_op2(c, '=', PQL_TK_LTE, PQL_TK_LSS); return;
    case '>': lx_op2(c, '=', PQL_TK_GTE, PQL_TK_GTR); return;
    case '"': case '\'': case '`':
        l->string_open = r;
        lx_string(c, r == '`');
        return;
    case '(':
        lx_emit(c, PQL_TK_LEFT_PAREN);
        l->paren_depth++;
        return;
    case ')':
        lx_emit(c, PQL_TK_RIGHT_PAREN);
        l->paren_depth--;
        if (l->paren_depth < 0) {
            c->scanned = false;  /* Go overwrites the token with the error */
            lx_error_rune(c, "unexpected right parenthesis ", r, false);
        }
        return;
    case '{':
        lx_emit(c, PQL_TK_LEFT_BRACE);
        l->brace_open = true;
        return;
    case '[':
        if (l->bracket_open) {
            lx_error_rune(c, "unexpected left bracket ", r, false);
            return;
        }
        l->got_colon = false;
        lx_emit(c, PQL_TK_LEFT_BRACKET);
        if (is_space(lx_peek(l)))
            lx_space(l);
        l->bracket_open = true;
        l->state = PQL_LS_DURATION;
        return;
    case ']':
        if (!l->bracket_open) {
            lx_error_rune(c, "unexpected right bracket ", r, false);
            return;
        }
        lx_emit(c, PQL_TK_RIGHT_BRACKET);
        l->bracket_open = false;
        return;
    default:
        break;
    }
    if (is_digit(r) || (r == '.' && is_digit(lx_peek(l)))) {
        lx_backup(l);
        lx_number_or_duration(c);
    } else if (is_alpha(r) || r == ':') {
        if (!l->bracket_open) {
            lx_backup(l);
            lx_keyword_or_identifier(c);
        } else if (l->got_colon) {
            lx_error_rune(c, "unexpected colon ", r, false);
        } else {
            lx_emit(c, PQL_TK_COLON);
            l->got_colon = true;
        }
    } else {
        lx_error_rune(c, "unexpected character: ", r, false);
    }
}

void pql_lex_init(struct pql_lexer *l, const char *in, size_t len)
{
    memset(l, 0, sizeof *l);
    l->in = in;
    l->len = len;
    l->state = PQL_LS_STATEMENTS;
}

void pql_lex_next(struct pql_lexer *l, struct pql_token *t)
{
    struct lx_ctx c = {l, t, false};
    while (!c.scanned) {
        switch (l->state) {
        case PQL_LS_DONE:
            lx_emit(&c, PQL_TK_EOF);
            break;
        case PQL_LS_DURATION:
            lx_duration(&c);
            break;
        case PQL_LS_STATEMENTS:
            lx_statements(&c);
            break;
        }
    }
}

void pql_tok_desc(const struct pql_lexer *l, const struct pql_token *t, struct lm_buf *out)
{
    const char *txt = l->in + t->pos;
    const char *kind = NULL;
    switch (t->type) {
    case PQL_TK_EOF: lm_buf_puts(out, "end of input"); return;
    case PQL_TK_ERROR: lm_buf_puts(out, l->err); return;
    case PQL_TK_COMMENT: kind = "comment"; break;
    case PQL_TK_IDENTIFIER: kind = "identifier"; break;
    case PQL_TK_METRIC_IDENTIFIER: kind = "metric identifier"; break;
    case PQL_TK_STRING: kind = "string"; break;
    case PQL_TK_NUMBER: kind = "number"; break;
    case PQL_TK_DURATION: kind = "duration"; break;
    default: break;
    }
    if (t->type == PQL_TK_AT) {
        /* Prometheus's ItemTypeStr lacks AT, so its desc() shows the yacc token number */
        lm_buf_puts(out, "\"<Item 57385>\" <op:@>");
        return;
    }
    if (kind) {
        lm_buf_puts(out, kind);
        lm_buf_putc(out, ' ');
    }
    if (t->type == PQL_TK_IDENTIFIER || t->type == PQL_TK_METRIC_IDENTIFIER) {
        pql_quote(out, txt, t->len);
    } else if (t->type > PQL_TK_KW_START_ && t->type < PQL_TK_KW_END_) {
        lm_buf_printf(out, "<%.*s>", (int)t->len, txt);
    } else if (t->type > PQL_TK_OPS_START_ && t->type < PQL_TK_OPS_END_) {
        lm_buf_printf(out, "<op:%.*s>", (int)t->len, txt);
    } else if (t->type > PQL_TK_AGG_START_ && t->type < PQL_TK_AGG_END_) {
        lm_buf_printf(out, "<aggr:%.*s>", (int)t->len, txt);
    } else if (t->len > 10) {
        pql_quote_trunc(out, txt, t->len, 10);
        lm_buf_puts(out, "...");
    } else {
        pql_quote(out, txt, t->len);
    }
}
