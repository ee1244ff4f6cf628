/* SPDX-License-Identifier: Apache-2.0 */
/* regex.h: regular expressions in (close to) Go's RE2 syntax, over PCRE2, compiled once
 * and matched many times; used for include/exclude flags and, later, relabeling and
 * PromQL matchers. Matching is thread-safe (per-call match data). */
#ifndef LM_REGEX_H
#define LM_REGEX_H

#include <stdbool.h>
#include <stddef.h>
#include "lm/err.h"

struct lm_regex;

/* lm_regex_new: compile pattern. anchored = true matches the whole subject (as
 * Prometheus's relabel and PromQL matchers do); false finds it anywhere (as Go's
 * regexp.MatchString, used by exporters' include/exclude flags). On a bad pattern returns
 * NULL with err->msg "error parsing regexp: ..." and err->where the offset. */
struct lm_regex *lm_regex_new(const char *pattern, bool anchored, struct lm_err *err);
void lm_regex_free(struct lm_regex *re);
/* lm_regex_match: true when s (len bytes; SIZE_MAX: NUL-terminated) matches. */
bool lm_regex_match(const struct lm_regex *re, const char *s, size_t len);
/* lm_regex_expand: when s (len bytes; SIZE_MAX: NUL-terminated) matches, append tmpl to
 * out with Go's Regexp.Expand rules: $1 or ${1} is group 1, $name or ${name} a named
 * group, a group that did not take part (or does not exist) gives "", $$ gives "$", and a
 * '$' not followed by a name is copied as is; the longest run of letters, digits and '_'
 * after '$' is the name ($1x is group "1x", so write ${1}x). Returns true on a match
 * (false: out untouched); out's sticky error tells of a failed append. */
struct lm_buf;
bool lm_regex_expand(const struct lm_regex *re, const char *s, size_t len, const char *tmpl,
                     struct lm_buf *out);

/* lm_regex_pattern: the source pattern (borrowed, lives with re). */
const char *lm_regex_pattern(const struct lm_regex *re);

#endif
