/* SPDX-License-Identifier: Apache-2.0 */
/* expo.h: writing a registry (its families and its collectors' output, merged and sorted
 * by name) as Prometheus text 0.0.4 or OpenMetrics 1.0; choosing the format from an Accept
 * header as promhttp does; content types; gzip. The write path is built for large pages
 * (cached per-family prefixes, no printf, children sorted only when new ones appeared). */
#ifndef LM_EXPO_H
#define LM_EXPO_H

#include <stdbool.h>
#include "lm/buf.h"
#include "lm/emit.h"
#include "lm/err.h"
#include "lm/registry.h"

/* lm_expo_write: run r's collectors, then append the whole page in fmt to out, ending
 * with "# EOF" for OpenMetrics. Returns 0 or out's sticky error (LM_ENOMEM, LM_ETOOBIG).
 * A failing collector or a family conflict does not stop the page: the first such error
 * is put in err (err->code != 0, err->where names the collector or family) and the rest
 * is written, as client_golang's ContinueOnError. Thread-safe: concurrent writes and
 * updates are fine (each write sees every counter at some instant of the write). */
int lm_expo_write(struct lm_registry *r, enum lm_format fmt, struct lm_buf *out,
                  struct lm_err *err);

/* lm_expo_write_with: the same for an emitter the caller already filled (e.g. by an
 * exporter's collector runner), in e's format: r's collectors (r may be NULL) add to e,
 * r's families merge with e's, the page is appended to out with "# EOF" for OpenMetrics.
 * Afterwards e takes no more samples; free it with lm_emit_free. Errors as above, and
 * lm_emit_error(e) is reported in err when nothing else failed. */
int lm_expo_write_with(struct lm_registry *r, struct lm_emit *e, struct lm_buf *out,
                       struct lm_err *err);

/* lm_expo_finish: append what ends a page: "# EOF\n" for OpenMetrics, nothing for text.
 * For callers that use lm_emit_finish directly. 0 or out's sticky error. */
int lm_expo_finish(struct lm_buf *out, enum lm_format fmt);

/* lm_expo_negotiate: the format for an Accept header (NULL or "" allowed), as promhttp
 * with EnableOpenMetrics: media ranges by decreasing q (then specificity); the first
 * that is text/plain (version 0.0.4 or none) gives text, the first that is
 * application/openmetrics-text (version 1.0.0, 0.0.1 or none) gives OpenMetrics;
 * anything else (protobuf, wildcards) is skipped; default text. Never fails. */
enum lm_format lm_expo_negotiate(const char *accept);

/* lm_expo_content_type: "text/plain; version=0.0.4; charset=utf-8" or
 * "application/openmetrics-text; version=1.0.0; charset=utf-8" (static strings). */
const char *lm_expo_content_type(enum lm_format fmt);

/* lm_expo_gzip_accepted: true when an Accept-Encoding header allows gzip ("gzip",
 * "gzip;q=0.5", "x-gzip"; not "gzip;q=0"; "*" is not taken as gzip, as promhttp). */
bool lm_expo_gzip_accepted(const char *accept_encoding);

/* lm_expo_gzip: compress in into out (appended, gzip framing) at level (1..9; 0 or
 * negative: 1, plenty for a metrics page). Returns 0, LM_ENOMEM, LM_ETOOBIG or LM_EIO. */
int lm_expo_gzip(const struct lm_buf *in, struct lm_buf *out, int level);

#endif
