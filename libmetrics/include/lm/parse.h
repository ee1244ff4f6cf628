/* SPDX-License-Identifier: Apache-2.0 */
/* parse.h: a streaming, strict pull parser for the Prometheus text format 0.0.4 and
 * OpenMetrics 1.0.0 text (Prometheus's textparse: Next() returns the entry kind and the
 * accessors return views valid until the next call). Used by flint's scraper and by
 * node_exporter's textfile collector. Input is parsed in place where it can be; only a
 * line that straddles two fed chunks is copied. Memory is bounded by the limits in
 * lm/limits.h. One parser per thread; distinct parsers are independent. */
#ifndef LM_PARSE_H
#define LM_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include "lm/emit.h"
#include "lm/err.h"

/* What lm_parser_next found. */
enum lm_parse_entry {
    LM_PARSE_ERROR = -1,    /* see lm_parser_error; sticky: later calls return it again */
    LM_PARSE_NEED_MORE = 0, /* every fed byte is used up: lm_parser_feed or lm_parser_finish */
    LM_PARSE_END,           /* input finished and fully parsed (OM: after "# EOF") */
    LM_PARSE_HELP,          /* "# HELP name text": lm_parser_name, lm_parser_text */
    LM_PARSE_TYPE,          /* "# TYPE name type": lm_parser_name, lm_parser_type */
    LM_PARSE_UNIT,          /* OM "# UNIT name unit": lm_parser_name, lm_parser_text */
    LM_PARSE_COMMENT,       /* text format "# anything": lm_parser_text */
    LM_PARSE_SAMPLE,        /* a sample: name, labels, value, timestamp, exemplar */
    LM_PARSE_EOF,           /* OM "# EOF"; the next call gives END, or an error if data follows */
};

/* Metric family types. The first five equal enum lm_type (emit.h); the rest are
 * OpenMetrics only. */
enum lm_parse_type {
    LM_PTYPE_UNKNOWN = LM_TYPE_UNTYPED,  /* "untyped" (text), "unknown" (OM), or no TYPE */
    LM_PTYPE_COUNTER = LM_TYPE_COUNTER,
    LM_PTYPE_GAUGE = LM_TYPE_GAUGE,
    LM_PTYPE_HISTOGRAM = LM_TYPE_HISTOGRAM,
    LM_PTYPE_SUMMARY = LM_TYPE_SUMMARY,
    LM_PTYPE_GAUGEHISTOGRAM,
    LM_PTYPE_INFO,
    LM_PTYPE_STATESET,
};

/* A borrowed byte range; not NUL-terminated. */
struct lm_span {
    const char *ptr;     /* first byte (never NULL: "" when empty) */
    size_t len;          /* bytes */
};

/* One label pair of a sample or an exemplar; the value is unescaped. */
struct lm_parse_label {
    struct lm_span name;   /* [a-zA-Z_][a-zA-Z0-9_]* */
    struct lm_span value;  /* valid UTF-8, escapes resolved */
};

/* An OpenMetrics exemplar ("# {labels} value [timestamp]"). */
struct lm_parse_exemplar {
    const struct lm_parse_label *labels;  /* nlabels pairs, views as above */
    size_t nlabels;                       /* may be 0 */
    double value;                         /* the exemplar value */
    int64_t ts_ms;                        /* timestamp in milliseconds when has_ts */
    int has_ts;                           /* 1 when a timestamp was given */
};

struct lm_parser;

/* lm_parser_new: a parser for format fmt. NULL on OOM.
 * lm_parser_free: frees it (accepts NULL).
 * lm_parser_reset: start a new page, keeping the buffers (no allocation). */
struct lm_parser *lm_parser_new(enum lm_format fmt);
void lm_parser_free(struct lm_parser *p);
void lm_parser_reset(struct lm_parser *p);

/* lm_parser_allow_missing_eol: text format only: accept a last line without '\n' (as
 * Go's expfmt does, for textfile collector files). Prometheus's scraper rejects it, so
 * the default is 0 (strict). */
void lm_parser_allow_missing_eol(struct lm_parser *p, int allow);

/* lm_parser_feed: give the parser the next chunk of the page. Call it first and then
 * whenever lm_parser_next returned LM_PARSE_NEED_MORE; feeding at other times is
 * LM_EINVAL. data is borrowed: it must stay valid and unchanged until lm_parser_next
 * returns LM_PARSE_NEED_MORE again (or END/ERROR). A line may straddle chunks; its head
 * is copied (at most LM_LIMIT_PARSE_LINE bytes). Returns 0 or LM_EINVAL (which also
 * makes the next lm_parser_next return ERROR). After END or ERROR, input is ignored.
 * lm_parser_finish: no more input follows. To parse a whole buffer in place: feed it
 * once, finish, then call lm_parser_next until END or ERROR. */
int lm_parser_feed(struct lm_parser *p, const char *data, size_t len);
void lm_parser_finish(struct lm_parser *p);

/* lm_parser_next: parse the next entry. Views from the accessors below stay valid until
 * the next call to lm_parser_next, lm_parser_feed, lm_parser_reset or lm_parser_free.
 * Never reads outside the fed chunks; no allocation per line (buffers grow to the
 * longest straddling or escaped line and are kept). */
enum lm_parse_entry lm_parser_next(struct lm_parser *p);

/* Accessors for the current entry.
 * lm_parser_name: the metric name of a SAMPLE, the family name of HELP/TYPE/UNIT.
 * lm_parser_text: HELP text (unescaped), UNIT text, or COMMENT text (after "#" and the
 *   blanks that follow it, raw).
 * lm_parser_type: for TYPE the declared type; for SAMPLE the type of the family the
 *   sample belongs to (LM_PTYPE_UNKNOWN when its name does not match the last TYPE).
 * lm_parser_labels: the sample's label pairs in page order (names unique, "__name__"
 *   rejected); returns the count and sets *labels when labels is not NULL.
 * lm_parser_series: the raw "name{labels}" text of a SAMPLE as on the page (for a
 *   scrape cache keyed by it).
 * lm_parser_value: the sample value, correctly rounded (NaN is Prometheus's NormalNaN).
 * lm_parser_timestamp: 1 and *ts_ms when the sample has a timestamp, else 0. OM
 *   timestamps (float seconds) are converted to milliseconds, truncating.
 * lm_parser_exemplar: 1 and *ex when the OM sample has an exemplar, else 0.
 * lm_parser_line: the 1-based line number of the current entry. */
struct lm_span lm_parser_name(const struct lm_parser *p);
struct lm_span lm_parser_text(const struct lm_parser *p);
enum lm_parse_type lm_parser_type(const struct lm_parser *p);
size_t lm_parser_labels(const struct lm_parser *p, const struct lm_parse_label **labels);
struct lm_span lm_parser_series(const struct lm_parser *p);
double lm_parser_value(const struct lm_parser *p);
int lm_parser_timestamp(const struct lm_parser *p, int64_t *ts_ms);
int lm_parser_exemplar(const struct lm_parser *p, struct lm_parse_exemplar *ex);
size_t lm_parser_line(const struct lm_parser *p);

/* lm_parser_error: after LM_PARSE_ERROR, the error: code LM_EPARSE (syntax), LM_ETOOBIG
 * (a limit), LM_ENOMEM or LM_EINVAL (misuse); where "line:column" (1-based, column in
 * bytes); msg like Prometheus's ("expected equal, got \"INVALID\""). Code 0 otherwise. */
const struct lm_err *lm_parser_error(const struct lm_parser *p);

/* lm_parse_type_name: "counter", "gauge", ..., "unknown" (OM spelling; text's "untyped"
 * maps to LM_PTYPE_UNKNOWN). Static string. */
const char *lm_parse_type_name(enum lm_parse_type t);

#endif
