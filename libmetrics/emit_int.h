/* SPDX-License-Identifier: Apache-2.0 */
/* emit_int.h: library-private access to an emitter's families, so the exposition writer
 * (expo.c) can merge collector output with registry families in one sorted walk. */
#ifndef LM_EMIT_INT_H
#define LM_EMIT_INT_H

#include <stdbool.h>
#include "lm/emit.h"

/* lmi_emit_has: true when e already holds a family called name. */
bool lmi_emit_has(const struct lm_emit *e, const char *name);

/* lmi_emit_sort: sort e's families by name (once; later emits are refused with
 * LM_EINVAL). Returns the number of families, including empty ones. */
size_t lmi_emit_sort(struct lm_emit *e);

/* lmi_emit_name: the name of sorted family i (after lmi_emit_sort). */
const char *lmi_emit_name(const struct lm_emit *e, size_t i);

/* lmi_emit_write: write sorted family i (HELP, TYPE, sorted samples) into out; nothing
 * when it has no samples. 0 or out's sticky error. */
int lmi_emit_write(struct lm_emit *e, size_t i, struct lm_buf *out);

/* lmi_emit_fail: record err as e's error when e has none yet (the first error wins). */
void lmi_emit_fail(struct lm_emit *e, const struct lm_err *err);

/* lmi_write_family_header: "# HELP name help\n# TYPE name type\n" for fmt, with the
 * OpenMetrics counter rules (name without _total; "unknown" when it has no _total).
 * help NULL: no HELP line. Shared by emit.c and the registry writer. */
int lmi_write_family_header(struct lm_buf *out, const char *name, const char *help,
                            enum lm_type type, enum lm_format fmt);

#endif
