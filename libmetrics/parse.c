/* SPDX-License-Identifier: Apache-2.0 */
/* parse.c: the exposition parser's frame: input chunks and line splitting (in place, or
 * through the carry buffer for a line that straddles chunks), entry dispatch to the text
 * or OpenMetrics line grammar, accessors, errors with line:column, metric family
 * tracking, label sets and HELP unescaping. Numbers are in parse_num.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "parse_int.h"

enum pstate {
    ST_RUN = 0,        /* parsing lines */
    ST_AFTER_EOF,      /* OM: "# EOF" seen; only the end of input may follow */
    ST_END,            /* END returned */
    ST_ERROR,          /* ERROR returned; sticky */
};

/* Result of next_line. */
enum lres { L_LINE, L_MORE, L_END, L_ERR };

#define M_ (LMI_C_MSTART | LMI_C_MCHAR)
#define L_ (LMI_C_MSTART | LMI_C_MCHAR | LMI_C_LSTART | LMI_C_LCHAR)
#define D_ (LMI_C_MCHAR | LMI_C_LCHAR)
#define V_ LMI_C_VSTOP
#define B_ LMI_C_BLANK
#define H_ LMI_C_VSTOP   /* bytes >= 0x80 */
#define H8_ H_, H_, H_, H_, H_, H_, H_, H_
#define H64_ H8_, H8_, H8_, H8_, H8_, H8_, H8_, H8_

const unsigned char lmi_parse_cls[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, B_, V_, 0, 0, 0, 0, 0,          /* \t \n */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    B_, 0, V_, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,          /* ' ' '"' */
    D_, D_, D_, D_, D_, D_, D_, D_, D_, D_, M_, 0, 0, 0, 0, 0,  /* 0-9 : */
    0, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_,
    L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, 0, V_, 0, 0, L_, /* '\\' '_' */
    0, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_,
    L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, 0, 0, 0, 0, 0,
    H64_, H64_,
};

struct lm_parser *
lm_parser_new(enum lm_format fmt)
{
    struct lm_parser *p = lm_malloc(sizeof *p);
    if (!p)
        return NULL;
    memset(p, 0, sizeof *p);
    p->fmt = fmt == LM_FORMAT_OPENMETRICS ? LM_FORMAT_OPENMETRICS : LM_FORMAT_TEXT;
    lm_parser_reset(p);
    return p;
}

void
lm_parser_free(struct lm_parser *p)
{
    if (!p)
        return;
    lm_free(p->carry);
    lm_free(p->scratch);
    lm_free(p->numbuf);
    lm_free(p);
}

void
lm_parser_reset(struct lm_parser *p)
{
    p->in = NULL;
    p->inlen = p->inpos = 0;
    p->fed = p->finished = 0;
    p->carry_len = 0;
    p->carry_pending = 0;
    p->state = ST_RUN;
    p->lineno = 0;
    p->line_noeol = 0;
    p->line = "\n";
    p->line_len = 0;
    p->name = p->text = p->series = (struct lm_span){"", 0};
    p->type = LM_PTYPE_UNKNOWN;
    p->value = 0;
    p->ts = 0;
    p->has_ts = p->has_ex = 0;
    p->nlabels = 0;
    p->fam_len = 0;
    p->fam_type = LM_PTYPE_UNKNOWN;
    p->fam_typed = p->fam_helped = p->fam_sampled = p->fam_unit = 0;
    lm_err_clear(&p->err);
}

void
lm_parser_allow_missing_eol(struct lm_parser *p, int allow)
{
    p->allow_no_eol = allow != 0;
}

int
lm_parser_feed(struct lm_parser *p, const char *data, size_t len)
{
    if (p->state != ST_RUN && p->state != ST_AFTER_EOF)
        return 0;   /* END or ERROR: input is ignored */
    if ((p->fed && p->inpos < p->inlen) || p->finished || (!data && len))
        return lm_err_set(&p->err, LM_EINVAL, "", "lm_parser_feed while input is pending");
    p->in = len ? data : "";
    p->inlen = len;
    p->inpos = 0;
    p->fed = 1;
    return 0;
}

void
lm_parser_finish(struct lm_parser *p)
{
    p->finished = 1;
}

enum lm_parse_entry
lmi_parse_fail(struct lm_parser *p, const char *pos, int code, const char *fmt, ...)
{
    char where[64];
    if (pos)
        snprintf(where, sizeof where, "%zu:%zu", p->lineno, (size_t)(pos - p->line) + 1);
    else
        snprintf(where, sizeof where, "%zu:1", p->lineno + 1);
    p->err.code = code;
    snprintf(p->err.where, sizeof p->err.where, "%s", where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err.msg, sizeof p->err.msg, fmt, ap);
    va_end(ap);
    p->state = ST_ERROR;
    return LM_PARSE_ERROR;
}

const char *
lmi_parse_tok(const char *s)
{
    unsigned char c = (unsigned char)*s;
    switch (c) {
    case '\n': return "LINEBREAK";
    case ' ': case '\t': return "WHITESPACE";
    case ',': return "COMMA";
    case '{': return "BOPEN";
    case '}': return "BCLOSE";
    case '=': return "EQUAL";
    case '"': return "QSTRING";
    case '#': return "COMMENT";
    }
    if (lmi_parse_cls[c] & LMI_C_MSTART)
        return "NAME";
    if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')
        return "VALUE";
    return "INVALID";
}

/* carry_reserve: room for n more bytes in carry (plus the sentinel). 0 or -1 (OOM). */
static int
carry_reserve(struct lm_parser *p, size_t n)
{
    size_t need = p->carry_len + n + 1;
    if (need <= p->carry_cap)
        return 0;
    size_t cap = p->carry_cap ? p->carry_cap : 256;
    while (cap < need)
        cap *= 2;
    char *c = lm_realloc(p->carry, cap);
    if (!c)
        return -1;
    p->carry = c;
    p->carry_cap = cap;
    return 0;
}

/* carry_add: append in[inpos, inpos+n) to carry, enforcing the line limit. */
static enum lres
carry_add(struct lm_parser *p, size_t n)
{
    if (p->carry_len + n > LM_LIMIT_PARSE_LINE + 1) {
        p->lineno++;
        p->line = p->carry;
        lmi_parse_fail(p, p->line, LM_ETOOBIG, "line longer than %lu bytes",
                       (unsigned long)LM_LIMIT_PARSE_LINE);
        return L_ERR;
    }
    if (carry_reserve(p, n) != 0) {
        p->lineno++;
        p->line = p->carry ? p->carry : "\n";
        lmi_parse_fail(p, p->line, LM_ENOMEM, "out of memory");
        return L_ERR;
    }
    memcpy(p->carry + p->carry_len, p->in + p->inpos, n);
    p->carry_len += n;
    p->inpos += n;
    return L_LINE;
}

/* set_line: make [s, s+len) (with s[len] == '\n') the current line. */
static enum lres
set_line(struct lm_parser *p, const char *s, size_t len, int noeol)
{
    p->lineno++;
    p->line = s;
    p->line_len = len;
    p->line_noeol = noeol;
    if (len > LM_LIMIT_PARSE_LINE) {
        lmi_parse_fail(p, s, LM_ETOOBIG, "line longer than %lu bytes",
                       (unsigned long)LM_LIMIT_PARSE_LINE);
        return L_ERR;
    }
    return L_LINE;
}

/* next_line: the next complete line, in place when it lies inside the chunk. */
static enum lres
next_line(struct lm_parser *p)
{
    if (!p->carry_pending)
        p->carry_len = 0;
    size_t avail = p->fed ? p->inlen - p->inpos : 0;
    const char *s = p->fed ? p->in + p->inpos : "";
    const char *nl = avail ? memchr(s, '\n', avail) : NULL;
    if (p->carry_pending) {
        if (nl) {
            if (carry_add(p, (size_t)(nl - s) + 1) != L_LINE)
                return L_ERR;
            p->carry_pending = 0;
            return set_line(p, p->carry, p->carry_len - 1, 0);
        }
        if (avail && carry_add(p, avail) != L_LINE)
            return L_ERR;
        if (!p->finished)
            return L_MORE;
    } else if (nl) {
        p->inpos += (size_t)(nl - s) + 1;
        return set_line(p, s, (size_t)(nl - s), 0);
    } else if (avail) {
        if (carry_add(p, avail) != L_LINE)
            return L_ERR;
        if (!p->finished) {
            p->carry_pending = 1;
            return L_MORE;
        }
    } else {
        return p->finished ? L_END : L_MORE;
    }
    /* finished with a last line that has no '\n': add the sentinel */
    if (carry_reserve(p, 1) != 0) {
        p->lineno++;
        p->line = p->carry ? p->carry : "\n";
        lmi_parse_fail(p, p->line, LM_ENOMEM, "out of memory");
        return L_ERR;
    }
    p->carry[p->carry_len++] = '\n';
    p->carry_pending = 0;
    return set_line(p, p->carry, p->carry_len - 1, 1);
}

enum lm_parse_entry
lm_parser_next(struct lm_parser *p)
{
    for (;;) {
        if (p->state == ST_ERROR)
            return LM_PARSE_ERROR;
        if (p->state == ST_END)
            return LM_PARSE_END;
        if (p->err.code == LM_EINVAL) {   /* misuse recorded by lm_parser_feed */
            p->state = ST_ERROR;
            return LM_PARSE_ERROR;
        }
        switch (next_line(p)) {
        case L_ERR:
            return LM_PARSE_ERROR;
        case L_MORE:
            return LM_PARSE_NEED_MORE;
        case L_END:
            if (p->fmt == LM_FORMAT_OPENMETRICS && p->state != ST_AFTER_EOF)
                return lmi_parse_fail(p, NULL, LM_EPARSE, "data does not end with # EOF");
            p->state = ST_END;
            return LM_PARSE_END;
        case L_LINE:
            break;
        }
        if (p->state == ST_AFTER_EOF)
            return lmi_parse_fail(p, p->line, LM_EPARSE, "unexpected data after # EOF");
        p->scratch_len = 0;
        p->nlabels = 0;
        p->has_ts = p->has_ex = 0;
        enum lm_parse_entry e = p->fmt == LM_FORMAT_TEXT ? lmi_parse_text_line(p)
                                                         : lmi_parse_om_line(p);
        if (e == LM_PARSE_NEED_MORE)
            continue;   /* a blank line */
        if (e == LM_PARSE_EOF)
            p->state = ST_AFTER_EOF;
        return e;
    }
}

/* scratch_ensure: make the scratch buffer hold a whole line, so views into it stay put
 * while the line is parsed. 0 or LM_PARSE_ERROR (OOM). */
static int
scratch_ensure(struct lm_parser *p)
{
    if (p->scratch_cap > p->line_len)
        return 0;
    size_t cap = p->scratch_cap ? p->scratch_cap : 256;
    while (cap <= p->line_len)
        cap *= 2;
    char *s = lm_realloc(p->scratch, cap);
    if (!s)
        return lmi_parse_fail(p, p->line, LM_ENOMEM, "out of memory");
    p->scratch = s;
    p->scratch_cap = cap;
    return 0;
}

/* utf8_seq: length of the valid UTF-8 sequence at s (s[0] >= 0x80), or 0. Reads no
 * further than the first non-continuation byte, so the line's '\n' bounds it. */
static size_t
utf8_seq(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c >= 0xc2 && c <= 0xdf)
        return (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if ((s[1] & 0xc0) != 0x80 || (c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
            return 0;
        return (s[2] & 0xc0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if ((s[1] & 0xc0) != 0x80 || (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
            return 0;
        if ((s[2] & 0xc0) != 0x80)
            return 0;
        return (s[3] & 0xc0) == 0x80 ? 4 : 0;
    }
    return 0;
}

/* scan_quoted: s is just after an opening '"'. Scan to the closing quote, validating
 * UTF-8 and escapes (\\ \n \" always; help: quote_ok 0 rejects \"), and set *out to the
 * value (unescaped into scratch when it holds a backslash). Returns the byte after the
 * closing quote, or NULL after failing. stop_nl: the string ends at the line end
 * instead of a quote (HELP text). */
static const char *
scan_quoted(struct lm_parser *p, const char *s, struct lm_span *out, int quote_ok,
            int stop_nl)
{
    const unsigned char *q = (const unsigned char *)s;
    char *w = NULL;   /* unescape cursor once a backslash was seen */
    const unsigned char *from = q;
    for (;;) {
        while (!(lmi_parse_cls[*q] & LMI_C_VSTOP))
            q++;
        if (*q == '"' && !stop_nl)
            break;
        if (*q == '\n') {
            if (stop_nl)
                break;
            lmi_parse_fail(p, s - 1, LM_EPARSE, "unterminated label value");
            return NULL;
        }
        if (*q == '"') {   /* inside HELP text: plain byte */
            q++;
            continue;
        }
        if (*q >= 0x80) {
            size_t n = utf8_seq(q);
            if (!n) {
                lmi_parse_fail(p, (const char *)q, LM_EPARSE, "invalid UTF-8 in %s",
                               stop_nl ? "help text" : "label value");
                return NULL;
            }
            q += n;
            continue;
        }
        /* backslash */
        char r;
        if (q[1] == '\\')
            r = '\\';
        else if (q[1] == 'n')
            r = '\n';
        else if (q[1] == '"' && quote_ok)
            r = '"';
        else {
            lmi_parse_fail(p, (const char *)q, LM_EPARSE, "invalid escape sequence \"\\%c\"",
                           q[1] >= 0x20 && q[1] < 0x7f ? q[1] : '?');
            return NULL;
        }
        if (!w) {
            if (scratch_ensure(p) != 0)
                return NULL;
            w = p->scratch + p->scratch_len;
            out->ptr = w;
        }
        memcpy(w, from, (size_t)(q - from));
        w += q - from;
        *w++ = r;
        q += 2;
        from = q;
    }
    if (w) {
        memcpy(w, from, (size_t)(q - from));
        w += q - from;
        out->len = (size_t)(w - out->ptr);
        p->scratch_len = (size_t)(w - p->scratch);
    } else {
        out->ptr = s;
        out->len = (size_t)((const char *)q - s);
    }
    return (const char *)q + (stop_nl ? 0 : 1);
}

int
lmi_parse_help(struct lm_parser *p, const char *s, const char *e, struct lm_span *out)
{
    (void)e;
    if (!scan_quoted(p, s, out, p->fmt == LM_FORMAT_OPENMETRICS, 1))
        return LM_PARSE_ERROR;
    return 0;
}

/* skip_blanks: past ' ' and '\t' when allowed. */
static inline const char *
skip_blanks(const char *s, bool blanks)
{
    if (blanks)
        while (*s == ' ' || *s == '\t')
            s++;
    return s;
}

int
lmi_parse_labels(struct lm_parser *p, const char *s, const char **end,
                 struct lm_parse_label *out, size_t *n, bool blanks)
{
    size_t k = 0;
    const char *q = skip_blanks(s, blanks);
    for (;;) {
        if (*q == '}') {
            *end = q + 1;
            *n = k;
            return 0;
        }
        if (!(lmi_parse_cls[(unsigned char)*q] & LMI_C_LSTART))
            return lmi_parse_fail(p, q, LM_EPARSE, "expected label name, got \"%s\"",
                                  lmi_parse_tok(q));
        const char *n0 = q++;
        while (lmi_parse_cls[(unsigned char)*q] & LMI_C_LCHAR)
            q++;
        size_t nl = (size_t)(q - n0);
        if (nl > LM_LIMIT_NAME_BYTES)
            return lmi_parse_fail(p, n0, LM_ETOOBIG, "label name longer than %d bytes",
                                  LM_LIMIT_NAME_BYTES);
        if (k >= LM_LIMIT_LABELS)
            return lmi_parse_fail(p, n0, LM_ETOOBIG, "more than %d labels", LM_LIMIT_LABELS);
        if (nl == 8 && !memcmp(n0, "__name__", 8))
            return lmi_parse_fail(p, n0, LM_EPARSE, "label name \"__name__\" is reserved");
        for (size_t i = 0; i < k; i++)
            if (out[i].name.len == nl && !memcmp(out[i].name.ptr, n0, nl))
                return lmi_parse_fail(p, n0, LM_EPARSE, "duplicate label name \"%.*s\"",
                                      (int)(nl > 64 ? 64 : nl), n0);
        q = skip_blanks(q, blanks);
        if (*q != '=')
            return lmi_parse_fail(p, q, LM_EPARSE, "expected equal, got \"%s\"",
                                  lmi_parse_tok(q));
        q = skip_blanks(q + 1, blanks);
        if (*q != '"')
            return lmi_parse_fail(p, q, LM_EPARSE, "expected label value, got \"%s\"",
                                  lmi_parse_tok(q));
        out[k].name = (struct lm_span){n0, nl};
        q = scan_quoted(p, q + 1, &out[k].value, 1, 0);
        if (!q)
            return LM_PARSE_ERROR;
        k++;
        q = skip_blanks(q, blanks);
        if (*q == ',')
            q = skip_blanks(q + 1, blanks);
        else if (*q != '}')
            return lmi_parse_fail(p, q, LM_EPARSE, "expected comma or brace close, got \"%s\"",
                                  lmi_parse_tok(q));
    }
}

/* suffix_member: name n belongs to family f of type t (f itself or f + a suffix the
 * type allows). */
static bool
suffix_member(const char *n, size_t nl, const char *f, size_t fl, enum lm_parse_type t)
{
    if (nl < fl || memcmp(n, f, fl) != 0)
        return false;
    if (nl == fl)
        return true;
    static const char *const sfx[][5] = {
        [LM_PTYPE_COUNTER] = {"_total", "_created"},
        [LM_PTYPE_HISTOGRAM] = {"_bucket", "_sum", "_count", "_created"},
        [LM_PTYPE_SUMMARY] = {"_sum", "_count", "_created"},
        [LM_PTYPE_GAUGEHISTOGRAM] = {"_bucket", "_gsum", "_gcount"},
        [LM_PTYPE_INFO] = {"_info"},
    };
    if ((size_t)t >= sizeof sfx / sizeof sfx[0])
        return false;
    const char *s = n + fl;
    size_t sl = nl - fl;
    for (int i = 0; i < 5 && sfx[t][i]; i++)
        if (strlen(sfx[t][i]) == sl && !memcmp(sfx[t][i], s, sl))
            return true;
    return false;
}

/* fam_start: make p->name the current family, with nothing seen yet. */
static void
fam_start(struct lm_parser *p)
{
    memcpy(p->fam, p->name.ptr, p->name.len);
    p->fam_len = p->name.len;
    p->fam_type = LM_PTYPE_UNKNOWN;
    p->fam_typed = p->fam_helped = p->fam_sampled = p->fam_unit = 0;
}

void
lmi_parse_family_sample(struct lm_parser *p)
{
    if (!p->fam_len || !suffix_member(p->name.ptr, p->name.len, p->fam, p->fam_len, p->fam_type))
        fam_start(p);
    p->fam_sampled = 1;
    p->type = p->fam_type;
}

enum lm_parse_entry
lmi_parse_family_meta(struct lm_parser *p, enum lm_parse_entry kind, const char *pos)
{
    int nl = (int)(p->name.len > 200 ? 200 : p->name.len);
    bool same = p->fam_len == p->name.len && !memcmp(p->fam, p->name.ptr, p->name.len);
    if (!same)
        fam_start(p);
    switch (kind) {
    case LM_PARSE_HELP:
        if (p->fam_helped)
            return lmi_parse_fail(p, pos, LM_EPARSE, "second HELP line for metric name \"%.*s\"",
                                  nl, p->name.ptr);
        p->fam_helped = 1;
        break;
    case LM_PARSE_TYPE:
        if (p->fam_typed || p->fam_sampled)
            return lmi_parse_fail(p, pos, LM_EPARSE,
                                  "second TYPE line for metric name \"%.*s\", or TYPE reported "
                                  "after samples", nl, p->name.ptr);
        p->fam_typed = 1;
        p->fam_type = p->type;
        break;
    case LM_PARSE_UNIT:
        if (p->fam_unit || p->fam_sampled)
            return lmi_parse_fail(p, pos, LM_EPARSE,
                                  "second UNIT line for metric name \"%.*s\", or UNIT reported "
                                  "after samples", nl, p->name.ptr);
        p->fam_unit = 1;
        break;
    default:
        break;
    }
    if (kind != LM_PARSE_TYPE)
        p->type = p->fam_type;
    return kind;
}

int
lmi_parse_type_word(const char *s, size_t n, enum lm_format fmt)
{
    static const struct {
        const char *w;            /* the word */
        enum lm_parse_type t;     /* its type */
        int om;                   /* 0: both formats, 1: OM only, 2: text only */
    } words[] = {
        {"counter", LM_PTYPE_COUNTER, 0},   {"gauge", LM_PTYPE_GAUGE, 0},
        {"histogram", LM_PTYPE_HISTOGRAM, 0}, {"summary", LM_PTYPE_SUMMARY, 0},
        {"untyped", LM_PTYPE_UNKNOWN, 2},   {"unknown", LM_PTYPE_UNKNOWN, 1},
        {"gaugehistogram", LM_PTYPE_GAUGEHISTOGRAM, 1}, {"info", LM_PTYPE_INFO, 1},
        {"stateset", LM_PTYPE_STATESET, 1},
    };
    int om = fmt == LM_FORMAT_OPENMETRICS;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i].w) == n && !memcmp(words[i].w, s, n) &&
            (words[i].om == 0 || words[i].om == (om ? 1 : 2)))
            return (int)words[i].t;
    return -1;
}

const char *
lm_parse_type_name(enum lm_parse_type t)
{
    static const char *const names[] = {
        [LM_PTYPE_UNKNOWN] = "unknown", [LM_PTYPE_COUNTER] = "counter",
        [LM_PTYPE_GAUGE] = "gauge", [LM_PTYPE_HISTOGRAM] = "histogram",
        [LM_PTYPE_SUMMARY] = "summary", [LM_PTYPE_GAUGEHISTOGRAM] = "gaugehistogram",
        [LM_PTYPE_INFO] = "info", [LM_PTYPE_STATESET] = "stateset",
    };
    if ((size_t)t < sizeof names / sizeof names[0])
        return names[t];
    return "unknown";
}

/* Accessors (see parse.h). */
struct lm_span
lm_parser_name(const struct lm_parser *p)
{
    return p->name;
}

struct lm_span
lm_parser_text(const struct lm_parser *p)
{
    return p->text;
}

enum lm_parse_type
lm_parser_type(const struct lm_parser *p)
{
    return p->type;
}

size_t
lm_parser_labels(const struct lm_parser *p, const struct lm_parse_label **labels)
{
    if (labels)
        *labels = p->labels;
    return p->nlabels;
}

struct lm_span
lm_parser_series(const struct lm_parser *p)
{
    return p->series;
}

double
lm_parser_value(const struct lm_parser *p)
{
    return p->value;
}

int
lm_parser_timestamp(const struct lm_parser *p, int64_t *ts_ms)
{
    if (p->has_ts && ts_ms)
        *ts_ms = p->ts;
    return p->has_ts;
}

int
lm_parser_exemplar(const struct lm_parser *p, struct lm_parse_exemplar *ex)
{
    if (p->has_ex && ex)
        *ex = p->ex;
    return p->has_ex;
}

size_t
lm_parser_line(const struct lm_parser *p)
{
    return p->lineno;
}

const struct lm_err *
lm_parser_error(const struct lm_parser *p)
{
    return &p->err;
}

/* lmi_parse_name: see parse_int.h; shared by the text and OpenMetrics grammars. */
const char *
lmi_parse_name(struct lm_parser *p, const char *s, const char *what)
{
    if (!(lmi_parse_cls[(unsigned char)*s] & LMI_C_MSTART)) {
        lmi_parse_fail(p, s, LM_EPARSE, "%s, got \"%s\"", what, lmi_parse_tok(s));
        return NULL;
    }
    const char *q = s + 1;
    while (lmi_parse_cls[(unsigned char)*q] & LMI_C_MCHAR)
        q++;
    if ((size_t)(q - s) > LM_LIMIT_NAME_BYTES) {
        lmi_parse_fail(p, s, LM_ETOOBIG, "metric name longer than %d bytes",
                       LM_LIMIT_NAME_BYTES);
        return NULL;
    }
    p->name = (struct lm_span){s, (size_t)(q - s)};
    return q;
}
