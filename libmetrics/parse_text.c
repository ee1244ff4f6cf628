/* SPDX-License-Identifier: Apache-2.0 */
/* parse_text.c: the line grammar of the Prometheus text format 0.0.4, as Prometheus's
 * textparse reads it (blanks between tokens, "# HELP"/"# TYPE"/free comments, blank
 * lines, integer millisecond timestamps), made strict where Go's expfmt is: escapes,
 * duplicate labels, a blank between name and value, a comma between labels. */
#include <string.h>
#include "parse_int.h"

static inline const char *
blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* meta: "# HELP name text" or "# TYPE name type"; q is just after the keyword blanks. */
static enum lm_parse_entry
meta(struct lm_parser *p, const char *q, enum lm_parse_entry kind)
{
    const char *kw = kind == LM_PARSE_HELP ? "HELP" : "TYPE";
    const char *end = p->line + p->line_len;
    const char *t = lmi_parse_name(p, q, kind == LM_PARSE_HELP ? "expected metric name after HELP"
                                                            : "expected metric name after TYPE");
    if (!t)
        return LM_PARSE_ERROR;
    if (*t == ' ' || *t == '\t')
        t++;
    else if (*t != '\n')
        return lmi_parse_fail(p, t, LM_EPARSE, "invalid metric name in %s", kw);
    if (kind == LM_PARSE_TYPE) {
        int ty = lmi_parse_type_word(t, (size_t)(end - t), LM_FORMAT_TEXT);
        if (t == end)
            return lmi_parse_fail(p, t, LM_EPARSE, "expected text in TYPE, got \"LINEBREAK\"");
        if (ty < 0)
            return lmi_parse_fail(p, t, LM_EPARSE, "invalid metric type \"%.*s\"",
                                  (int)(end - t > 64 ? 64 : end - t), t);
        p->type = (enum lm_parse_type)ty;
        p->text = (struct lm_span){t, (size_t)(end - t)};
    } else if (lmi_parse_help(p, t, end, &p->text) != 0) {
        return LM_PARSE_ERROR;
    }
    return lmi_parse_family_meta(p, kind, p->line);
}

/* comment: a line starting with '#' (after blanks) at s. */
static enum lm_parse_entry
comment(struct lm_parser *p, const char *s)
{
    const char *q = s + 1;
    const char *end = p->line + p->line_len;
    if (*q == ' ' || *q == '\t') {
        q = blanks(q);
        if (end - q >= 5 && (q[4] == ' ' || q[4] == '\t')) {
            if (!memcmp(q, "HELP", 4))
                return meta(p, blanks(q + 4), LM_PARSE_HELP);
            if (!memcmp(q, "TYPE", 4))
                return meta(p, blanks(q + 4), LM_PARSE_TYPE);
        }
    }
    p->text = (struct lm_span){q, (size_t)(end - q)};
    return LM_PARSE_COMMENT;
}

enum lm_parse_entry
lmi_parse_text_line(struct lm_parser *p)
{
    const char *s = blanks(p->line);
    if (*s == '\n')
        return LM_PARSE_NEED_MORE;   /* blank line: skipped */
    if (p->line_noeol && !p->allow_no_eol)
        return lmi_parse_fail(p, p->line + p->line_len, LM_EPARSE,
                              "unexpected end of input (last line has no newline)");
    if (*s == '#')
        return comment(p, s);

    const char *q = lmi_parse_name(p, s, "expected a valid start token");
    if (!q)
        return LM_PARSE_ERROR;
    const char *ne = q;
    q = blanks(q);
    if (*q == '{') {
        if (lmi_parse_labels(p, q + 1, &q, p->labels, &p->nlabels, true) != 0)
            return LM_PARSE_ERROR;
        p->series = (struct lm_span){s, (size_t)(q - s)};
        q = blanks(q);
    } else {
        p->series = p->name;
        if (q == ne && *q != '\n')
            return lmi_parse_fail(p, q, LM_EPARSE, "invalid metric name");
    }
    if (*q == '\n')
        return lmi_parse_fail(p, q, LM_EPARSE, "expected value after metric, got \"%s\"",
                              lmi_parse_tok(q));
    const char *v = q;
    while (*q != ' ' && *q != '\t' && *q != '\n' && *q != '{')
        q++;
    if (q == v)
        return lmi_parse_fail(p, q, LM_EPARSE, "expected value after metric, got \"%s\"",
                              lmi_parse_tok(q));
    int r = lmi_parse_double(p, v, (size_t)(q - v), &p->value);
    if (r == LM_ENOMEM)
        return lmi_parse_fail(p, v, LM_ENOMEM, "out of memory");
    if (r != 0)
        return lmi_parse_fail(p, v, LM_EPARSE, "invalid float \"%.*s\"",
                              (int)(q - v > 64 ? 64 : q - v), v);
    q = blanks(q);
    if (*q != '\n') {
        const char *t = q;
        while (*q >= '0' && *q <= '9')
            q++;
        if (q == t)
            return lmi_parse_fail(p, t, LM_EPARSE, "expected timestamp or new record, got \"%s\"",
                                  lmi_parse_tok(t));
        if (lmi_parse_i64(t, (size_t)(q - t), &p->ts) != 0)
            return lmi_parse_fail(p, t, LM_EPARSE, "invalid timestamp \"%.*s\"",
                                  (int)(q - t > 64 ? 64 : q - t), t);
        p->has_ts = 1;
        q = blanks(q);
        if (*q != '\n')
            return lmi_parse_fail(p, q, LM_EPARSE,
                                  "expected next entry after timestamp, got \"%s\"",
                                  lmi_parse_tok(q));
    }
    lmi_parse_family_sample(p);
    return LM_PARSE_SAMPLE;
}
