/* SPDX-License-Identifier: Apache-2.0 */
/* parse_int.h: the exposition parser's state and the helpers shared by parse.c (input,
 * lines, family tracking, labels), parse_num.c (floats, integers), parse_text.c and
 * parse_om.c (one line grammar each). Private to libmetrics. */
#ifndef LM_PARSE_INT_H
#define LM_PARSE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lm/limits.h"
#include "lm/parse.h"

/* Character classes (lmi_parse_cls). */
#define LMI_C_MSTART 0x01   /* [a-zA-Z_:] metric name start */
#define LMI_C_MCHAR  0x02   /* [a-zA-Z0-9_:] metric name */
#define LMI_C_LSTART 0x04   /* [a-zA-Z_] label name start */
#define LMI_C_LCHAR  0x08   /* [a-zA-Z0-9_] label name */
#define LMI_C_BLANK  0x10   /* ' ' or '\t' */
#define LMI_C_VSTOP  0x20   /* ends a label value scan: '"' '\\' '\n' or >= 0x80 */

extern const unsigned char lmi_parse_cls[256];

struct lm_parser {
    enum lm_format fmt;              /* text 0.0.4 or OpenMetrics */
    int allow_no_eol;                /* text: accept a last line without '\n' */
    /* input */
    const char *in;                  /* current chunk (borrowed) */
    size_t inlen;                    /* its length */
    size_t inpos;                    /* next unread byte of in */
    int fed;                         /* a chunk is being consumed */
    int finished;                    /* lm_parser_finish was called */
    char *carry;                     /* head of a line straddling chunks (owned) */
    size_t carry_len;                /* bytes in carry */
    size_t carry_cap;                /* bytes allocated */
    int carry_pending;               /* carry holds an incomplete line */
    int state;                       /* enum pstate in parse.c */
    size_t lineno;                   /* lines consumed so far (current line number) */
    int line_noeol;                  /* current line had no '\n' (a sentinel was added) */
    const char *line;                /* current line start; line[line_len] == '\n' */
    size_t line_len;                 /* bytes before the '\n' */
    /* current entry */
    struct lm_span name;             /* metric or family name */
    struct lm_span text;             /* HELP/UNIT/COMMENT text */
    struct lm_span series;           /* raw name{labels} */
    enum lm_parse_type type;         /* TYPE entry, or the sample's family type */
    double value;                    /* sample value */
    int64_t ts;                      /* timestamp (ms) */
    int has_ts;                      /* 1 when ts is set */
    size_t nlabels;                  /* used entries of labels */
    struct lm_parse_label labels[LM_LIMIT_LABELS];   /* sample labels */
    struct lm_parse_exemplar ex;     /* exemplar, when has_ex */
    int has_ex;                      /* 1 when the sample has an exemplar */
    struct lm_parse_label exlabels[LM_LIMIT_LABELS]; /* exemplar labels */
    /* scratch */
    char *scratch;                   /* unescaped label values and help (owned) */
    size_t scratch_cap;              /* bytes allocated */
    size_t scratch_len;              /* bytes used for the current line */
    char *numbuf;                    /* NUL-terminated copy of a long number (owned) */
    size_t numbuf_cap;               /* bytes allocated */
    /* family tracking */
    char fam[LM_LIMIT_NAME_BYTES];   /* current family name */
    size_t fam_len;                  /* its length; 0: none yet */
    enum lm_parse_type fam_type;     /* its type */
    int fam_typed;                   /* a TYPE line was seen for it */
    int fam_helped;                  /* a HELP line was seen for it */
    int fam_sampled;                 /* a sample of it was seen */
    int fam_unit;                    /* a UNIT line was seen for it (OM) */
    struct lm_err err;               /* the sticky error */
};

/* lmi_parse_fail: set the sticky error at byte pos of the current line (pos may be
 * line + line_len for "at the end"); returns LM_PARSE_ERROR. */
enum lm_parse_entry lmi_parse_fail(struct lm_parser *p, const char *pos, int code,
                                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* lmi_parse_name: a metric name at s into p->name; returns the byte after it, or NULL
 * after failing with "<what>, got ..." (or LM_ETOOBIG past LM_LIMIT_NAME_BYTES). */
const char *lmi_parse_name(struct lm_parser *p, const char *s, const char *what);

/* lmi_parse_tok: a Prometheus-style name for what starts at s ("INVALID", "LINEBREAK",
 * "COMMA", ...) for "expected X, got \"TOK\"" messages. */
const char *lmi_parse_tok(const char *s);

/* lmi_parse_labels: parse a label set starting just after '{' at s; the line's '\n'
 * ends it. blanks: allow ' '/'\t' around tokens (text format). On success sets *end to
 * just after '}', fills out[0..*n) and returns 0; else returns LM_PARSE_ERROR. */
int lmi_parse_labels(struct lm_parser *p, const char *s, const char **end,
                     struct lm_parse_label *out, size_t *n, bool blanks);

/* lmi_parse_unescape_help: unescape a HELP text (text: \\ \n; OM also \"); sets *out to
 * a view (in place when there is nothing to unescape). 0 or LM_PARSE_ERROR. */
int lmi_parse_help(struct lm_parser *p, const char *s, const char *e, struct lm_span *out);

/* lmi_parse_double: parse s[0..n) with Go's strconv.ParseFloat rules as Prometheus uses
 * them (decimal only, no '_', 'p', hex; "Inf"/"Infinity"/"NaN" in any case; a sign on
 * Inf, not on NaN; overflow is an error, underflow rounds). Correctly rounded. Returns
 * 0, -1 (syntax or range) or LM_ENOMEM (a very long number needed a copy). */
int lmi_parse_double(struct lm_parser *p, const char *s, size_t n, double *out);

/* lmi_parse_i64: decimal digits only (no sign) into *out; -1 on syntax or overflow. */
int lmi_parse_i64(const char *s, size_t n, int64_t *out);

/* lmi_parse_family_meta: a HELP/TYPE/UNIT line named name: switch or check the current
 * family (second TYPE, TYPE after samples, ...). pos for the error. */
enum lm_parse_entry lmi_parse_family_meta(struct lm_parser *p, enum lm_parse_entry kind,
                                          const char *pos);

/* lmi_parse_family_sample: set p->type for the sample named p->name. */
void lmi_parse_family_sample(struct lm_parser *p);

/* lmi_parse_type_word: the type for a TYPE word in fmt; -1 when it is not one. */
int lmi_parse_type_word(const char *s, size_t n, enum lm_format fmt);

/* The line grammars: parse p->line (p->line[p->line_len] == '\n'). */
enum lm_parse_entry lmi_parse_text_line(struct lm_parser *p);
enum lm_parse_entry lmi_parse_om_line(struct lm_parser *p);

#endif
