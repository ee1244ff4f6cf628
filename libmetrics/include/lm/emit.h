/* SPDX-License-Identifier: Apache-2.0 */
/* emit.h: the sample emitter that "collect on scrape" collectors write into. A collector
 * emits families and samples in any order; the emitter renders them into the requested
 * exposition format and the writer sorts and merges families at the end. Nothing here
 * keeps per-series state between scrapes. Not thread-safe: one emitter per scrape. */
#ifndef LM_EMIT_H
#define LM_EMIT_H

#include <stddef.h>
#include "lm/buf.h"
#include "lm/err.h"

/* Metric family types, as in the text formats. */
enum lm_type {
    LM_TYPE_UNTYPED = 0,  /* "untyped" (text) / "unknown" (OpenMetrics) */
    LM_TYPE_COUNTER,
    LM_TYPE_GAUGE,
    LM_TYPE_HISTOGRAM,
    LM_TYPE_SUMMARY,
};

/* Exposition formats. */
enum lm_format {
    LM_FORMAT_TEXT = 0,       /* text/plain; version=0.0.4 */
    LM_FORMAT_OPENMETRICS,    /* application/openmetrics-text; version=1.0.0 */
};

/* A label pair. Plain value; the strings are borrowed by whoever receives it. */
struct lm_label {
    const char *name;
    const char *value;
};

struct lm_emit;

/* lm_emit_new: an emitter rendering in format fmt. Returns NULL on OOM.
 * lm_emit_free: frees it and everything it holds (accepts NULL). */
struct lm_emit *lm_emit_new(enum lm_format fmt);
void lm_emit_free(struct lm_emit *e);

/* lm_emit_family: start or continue the family `name` (borrowed; copied). Following samples
 * belong to it until the next lm_emit_family. Emitting the same name twice (from one or
 * two collectors) merges the samples when help and type agree; when they disagree the
 * family keeps the first help/type, the call returns LM_EDUP and the samples that follow
 * are dropped until the next lm_emit_family. An invalid name gives LM_ENAME.
 * For counters, pass the name as exposed in text 0.0.4 (usually ending in _total); the
 * OpenMetrics rendering strips _total from the family name and keeps it on samples. */
int lm_emit_family(struct lm_emit *e, const char *name, const char *help, enum lm_type type);

/* lm_emit_sample: one sample of the current family, with n label pairs (borrowed; copied
 * and escaped). Label names are validated; duplicate names give LM_ELABEL. Returns 0, or
 * an error (and the sample is dropped). Errors are also kept: see lm_emit_error. */
int lm_emit_sample(struct lm_emit *e, const struct lm_label *labels, size_t n, double value);

/* lm_emit_sample_suffix: like lm_emit_sample for the parts of a histogram or summary:
 * suffix is "_bucket", "_sum", "_count" (or "" for a summary quantile sample). */
int lm_emit_sample_suffix(struct lm_emit *e, const char *suffix, const struct lm_label *labels,
                          size_t n, double value);

/* lm_emit_samplev: convenience form: value, then name, value, name, value, ..., NULL. */
int lm_emit_samplev(struct lm_emit *e, double value, ...) __attribute__((sentinel));

/* lm_emit_one: a family with one unlabelled sample, in one call. */
int lm_emit_one(struct lm_emit *e, const char *name, const char *help, enum lm_type type,
                double value);

/* lm_emit_histogram: a whole histogram sample set for the current family (type
 * histogram): nb bucket upper bounds (ascending, without +Inf) and their cumulative
 * counts, then the +Inf bucket = count, _sum and _count. labels as for lm_emit_sample. */
int lm_emit_histogram(struct lm_emit *e, const struct lm_label *labels, size_t n,
                      const double *bounds, const double *cumcounts, size_t nb,
                      double sum, double count);

/* lm_emit_alloc: n bytes from the emitter's per-scrape arena, zeroed, freed with the
 * emitter; for collector temporaries so their error paths cannot leak. NULL on OOM. */
void *lm_emit_alloc(struct lm_emit *e, size_t n);

/* lm_emit_format: the format e renders in (as given to lm_emit_new). */
enum lm_format lm_emit_format(const struct lm_emit *e);

/* lm_emit_error: the first error any emit call returned since lm_emit_new, or NULL. */
const struct lm_err *lm_emit_error(const struct lm_emit *e);

/* lm_emit_finish: write every family, sorted by name, with HELP and TYPE lines, into out
 * (appending); for OpenMetrics the caller adds "# EOF" (see lm_expo_finish in expo.h).
 * Samples inside a family are ordered by their label values, as client_golang does.
 * Returns 0 or out's sticky error. The emitter may be reused only after lm_emit_free. */
int lm_emit_finish(struct lm_emit *e, struct lm_buf *out);

#endif
