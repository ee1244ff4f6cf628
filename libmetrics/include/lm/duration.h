/* SPDX-License-Identifier: Apache-2.0 */
/* duration.h: Go-style duration text ("5s", "250ms", "1m30s", or bare seconds "2.5") for
 * timeout and interval flags (--supervisord.timeout, --zeo.timeout, ...). Parsing
 * only; no clock. Includes libc headers only. */
#ifndef LM_DURATION_H
#define LM_DURATION_H

#include "lm/err.h"

/* lm_duration_parse: s as seconds into *out. Units h, m, s, ms, us, ns may be chained
 * ("1m30s"); a bare number is seconds. The result must be > 0. Returns 0, or LM_EINVAL
 * with err naming the text (err->where = what, e.g. "--stats.timeout"). */
int lm_duration_parse(const char *s, const char *what, double *out, struct lm_err *err);

#endif
