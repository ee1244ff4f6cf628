/* SPDX-License-Identifier: Apache-2.0 */
/* parse_om.c: the line grammar of OpenMetrics 1.0.0 text: single spaces only, no blank
 * lines or free comments, "# HELP"/"# TYPE"/"# UNIT" (unit a suffix of the name),
 * float-second timestamps, exemplars ("# {labels} value [ts]"), and "# EOF" last. */
#include <math.h>
#include <string.h>
#include "parse_int.h"

/* The OM spec caps an exemplar's label names and values at 128 UTF-8 characters. */
#define EXEMPLAR_RUNES_MAX 128

/* runes: UTF-8 characters in a valid UTF-8 span. */
static size_t
runes(struct lm_span s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++)
        n += ((unsigned char)s.ptr[i] & 0xc0) != 0x80;
    return n;
}

/* token: the run of non-space bytes at s; *end after it. */
static size_t
token(const char *s, const char **end)
{
    const char *q = s;
    while (*q != ' ' && *q != '\n')
        q++;
    *end = q;
    return (size_t)(q - s);
}

/* om_value: a float token at s (after its space); what names it in errors. */
static const char *
om_value(struct lm_parser *p, const char *s, double *out, const char *what)
{
    const char *q;
    size_t n = token(s, &q);
    if (!n) {
        lmi_parse_fail(p, s, LM_EPARSE, "expected value after %s, got \"%s\"", what,
                       lmi_parse_tok(s));
        return NULL;
    }
    int r = lmi_parse_double(p, s, n, out);
    if (r == LM_ENOMEM) {
        lmi_parse_fail(p, s, LM_ENOMEM, "out of memory");
        return NULL;
    }
    if (r != 0) {
        lmi_parse_fail(p, s, LM_EPARSE, "invalid float \"%.*s\"", (int)(n > 64 ? 64 : n), s);
        return NULL;
    }
    return q;
}

/* om_ts: a float-seconds timestamp token at s into *ms. */
static const char *
om_ts(struct lm_parser *p, const char *s, int64_t *ms)
{
    const char *q;
    size_t n = token(s, &q);
    double v;
    int r = n ? lmi_parse_double(p, s, n, &v) : -1;
    if (r == LM_ENOMEM) {
        lmi_parse_fail(p, s, LM_ENOMEM, "out of memory");
        return NULL;
    }
    /* the product must fit int64 before the (truncating, as Go's) conversion */
    if (r != 0 || !isfinite(v) || !(fabs(v * 1000.0) < 9.2233720368547758e18)) {
        lmi_parse_fail(p, s, LM_EPARSE, "invalid timestamp \"%.*s\"", (int)(n > 64 ? 64 : n), s);
        return NULL;
    }
    *ms = (int64_t)(v * 1000.0);
    return q;
}

/* exemplar: " # {labels} value [ts]" with q at '#'. Returns the line end or NULL. */
static const char *
exemplar(struct lm_parser *p, const char *q)
{
    if (q[1] != ' ' || q[2] != '{') {
        lmi_parse_fail(p, q, LM_EPARSE, "expected \"# {\" to start an exemplar");
        return NULL;
    }
    if (lmi_parse_labels(p, q + 3, &q, p->exlabels, &p->ex.nlabels, false) != 0)
        return NULL;
    size_t nr = 0;
    for (size_t i = 0; i < p->ex.nlabels; i++)
        nr += p->exlabels[i].name.len + runes(p->exlabels[i].value);
    if (nr > EXEMPLAR_RUNES_MAX) {
        lmi_parse_fail(p, q - 1, LM_EPARSE, "exemplar labels have %zu UTF-8 characters, more "
                       "than %d", nr, EXEMPLAR_RUNES_MAX);
        return NULL;
    }
    if (*q != ' ') {
        lmi_parse_fail(p, q, LM_EPARSE, "expected value after exemplar labels, got \"%s\"",
                       lmi_parse_tok(q));
        return NULL;
    }
    if (!(q = om_value(p, q + 1, &p->ex.value, "exemplar labels")))
        return NULL;
    p->ex.labels = p->exlabels;
    p->ex.has_ts = 0;
    p->ex.ts_ms = 0;
    if (*q == ' ') {
        if (!(q = om_ts(p, q + 1, &p->ex.ts_ms)))
            return NULL;
        p->ex.has_ts = 1;
    }
    if (*q != '\n') {
        lmi_parse_fail(p, q, LM_EPARSE, "expected next entry after exemplar timestamp, got \"%s\"",
                       lmi_parse_tok(q));
        return NULL;
    }
    p->has_ex = 1;
    return q;
}

/* meta: "# HELP|TYPE|UNIT name text" with q after the keyword's space. */
static enum lm_parse_entry
meta(struct lm_parser *p, const char *q, enum lm_parse_entry kind, const char *kw)
{
    char what[48];
    const char *end = p->line + p->line_len;
    memcpy(what, "expected metric name after ", 27);
    memcpy(what + 27, kw, 5);
    const char *t = lmi_parse_name(p, q, what);
    if (!t)
        return LM_PARSE_ERROR;
    if (*t != ' ')
        return lmi_parse_fail(p, t, LM_EPARSE, "expected text in %s, got \"%s\"", kw,
                              lmi_parse_tok(t));
    t++;
    size_t n = (size_t)(end - t);
    if (kind == LM_PARSE_TYPE) {
        int ty = lmi_parse_type_word(t, n, LM_FORMAT_OPENMETRICS);
        if (ty < 0)
            return lmi_parse_fail(p, t, LM_EPARSE, "invalid metric type \"%.*s\"",
                                  (int)(n > 64 ? 64 : n), t);
        p->type = (enum lm_parse_type)ty;
        p->text = (struct lm_span){t, n};
    } else if (kind == LM_PARSE_UNIT) {
        const struct lm_span m = p->name;
        if (n && (m.len < n + 1 || memcmp(m.ptr + m.len - n, t, n) != 0 ||
                  m.ptr[m.len - n - 1] != '_'))
            return lmi_parse_fail(p, t, LM_EPARSE, "unit \"%.*s\" not a suffix of metric \"%.*s\"",
                                  (int)(n > 64 ? 64 : n), t, (int)(m.len > 64 ? 64 : m.len),
                                  m.ptr);
        p->text = (struct lm_span){t, n};
    } else if (lmi_parse_help(p, t, end, &p->text) != 0) {
        return LM_PARSE_ERROR;
    }
    return lmi_parse_family_meta(p, kind, p->line);
}

enum lm_parse_entry
lmi_parse_om_line(struct lm_parser *p)
{
    const char *s = p->line;
    if (*s == '#') {
        if (p->line_len == 5 && !memcmp(s, "# EOF", 5))
            return LM_PARSE_EOF;
        if (p->line_noeol)
            return lmi_parse_fail(p, s + p->line_len, LM_EPARSE, "data does not end with # EOF");
        if (s[1] == ' ' && p->line_len >= 7 && s[6] == ' ') {
            if (!memcmp(s + 2, "HELP", 4))
                return meta(p, s + 7, LM_PARSE_HELP, "HELP");
            if (!memcmp(s + 2, "TYPE", 4))
                return meta(p, s + 7, LM_PARSE_TYPE, "TYPE");
            if (!memcmp(s + 2, "UNIT", 4))
                return meta(p, s + 7, LM_PARSE_UNIT, "UNIT");
        }
        return lmi_parse_fail(p, s, LM_EPARSE,
                              "expected \"# HELP\", \"# TYPE\", \"# UNIT\" or \"# EOF\"");
    }
    if (p->line_noeol)
        return lmi_parse_fail(p, s + p->line_len, LM_EPARSE, "data does not end with # EOF");
    const char *q = lmi_parse_name(p, s, "expected a valid start token");
    if (!q)
        return LM_PARSE_ERROR;
    if (*q == '{') {
        if (lmi_parse_labels(p, q + 1, &q, p->labels, &p->nlabels, false) != 0)
            return LM_PARSE_ERROR;
        p->series = (struct lm_span){s, (size_t)(q - s)};
    } else {
        p->series = p->name;
    }
    if (*q != ' ')
        return lmi_parse_fail(p, q, LM_EPARSE, "expected value after metric, got \"%s\"",
                              lmi_parse_tok(q));
    if (!(q = om_value(p, q + 1, &p->value, "metric")))
        return LM_PARSE_ERROR;
    if (*q == ' ' && q[1] != '#') {
        if (!(q = om_ts(p, q + 1, &p->ts)))
            return LM_PARSE_ERROR;
        p->has_ts = 1;
    }
    if (*q == ' ') {
        if (q[1] != '#')
            return lmi_parse_fail(p, q + 1, LM_EPARSE,
                                  "expected next entry after timestamp, got \"%s\"",
                                  lmi_parse_tok(q + 1));
        if (!(q = exemplar(p, q + 1)))
            return LM_PARSE_ERROR;
    }
    lmi_parse_family_sample(p);
    return LM_PARSE_SAMPLE;
}
