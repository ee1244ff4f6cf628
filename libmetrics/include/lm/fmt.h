/* SPDX-License-Identifier: Apache-2.0 */
/* fmt.h: the one float formatter, the one label-value escaper, the one HELP escaper and
 * the metric/label name validators of libmetrics. Floats come out exactly as Go's
 * strconv.FormatFloat(v, 'g', -1, 64) as used by client_golang's text and OpenMetrics
 * writers: shortest digits that round-trip, exponent form when exp < -4 or exp >= 6
 * ("2.42776e+06", "1.7275e-05"), "+Inf", "-Inf", "NaN". All functions are thread-safe. */
#ifndef LM_FMT_H
#define LM_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lm/buf.h"
#include "lm/emit.h"

/* Room needed by the lm_fmt_* writers below, including the NUL they append. */
#define LM_FMT_DOUBLE_MAX 32

/* lm_fmt_double_go: exactly strconv.FormatFloat(v, 'g', -1, 64) ("-0" for negative zero).
 * Writes into out (at least LM_FMT_DOUBLE_MAX bytes), NUL-terminated; returns the length.
 * Shortest digits are exact except for one documented corner: doubles whose round-trip
 * interval is asymmetric (exact powers of two) and need 16 digits may get 17. */
size_t lm_fmt_double_go(char *out, double v);

/* lm_fmt_double: a sample value or label float as client_golang's text 0.0.4 writer
 * prints it: like lm_fmt_double_go but negative zero is "0". */
size_t lm_fmt_double(char *out, double v);

/* lm_fmt_double_om: as client_golang's OpenMetrics writer: "1.0", "0.0", "-1.0", and ".0"
 * appended when the text has neither '.' nor 'e' ("42.0", but "1e+06"). */
size_t lm_fmt_double_om(char *out, double v);

/* lm_fmt_double_fmt: lm_fmt_double or lm_fmt_double_om according to fmt. */
size_t lm_fmt_double_fmt(char *out, double v, enum lm_format fmt);

/* lm_fmt_u64 / lm_fmt_i64: decimal integers; out needs 21 bytes; NUL-terminated. */
size_t lm_fmt_u64(char *out, uint64_t v);
size_t lm_fmt_i64(char *out, int64_t v);

/* lm_fmt_put_double: append v formatted for fmt. Returns 0 or b's sticky error. */
int lm_fmt_put_double(struct lm_buf *b, double v, enum lm_format fmt);

/* lm_fmt_label_value_needs_escape: true when s[0..n) holds '\\', '"' or '\n'. */
bool lm_fmt_label_value_needs_escape(const char *s, size_t n);

/* lm_fmt_escape_label_value: write s[0..n) into out with '\\' -> "\\\\", '"' -> "\\\"",
 * '\n' -> "\\n" (the same rule in text 0.0.4 and OpenMetrics). out needs 2n bytes; no NUL
 * is added. Returns the number of bytes written. */
size_t lm_fmt_escape_label_value(char *out, const char *s, size_t n);

/* lm_fmt_put_label_value: append the escaped label value. 0 or b's sticky error. */
int lm_fmt_put_label_value(struct lm_buf *b, const char *s, size_t n);

/* lm_fmt_put_help: append HELP text escaped for fmt: text 0.0.4 escapes '\\' and '\n';
 * OpenMetrics also escapes '"'. 0 or b's sticky error. */
int lm_fmt_put_help(struct lm_buf *b, const char *s, size_t n, enum lm_format fmt);

/* lm_metric_name_valid: s matches [a-zA-Z_:][a-zA-Z0-9_:]* and is at most
 * LM_LIMIT_NAME_BYTES long. */
bool lm_metric_name_valid(const char *s);

/* lm_label_name_valid: s matches [a-zA-Z_][a-zA-Z0-9_]*, is at most LM_LIMIT_NAME_BYTES
 * long and does not start with the reserved prefix "__". */
bool lm_label_name_valid(const char *s);

#endif
