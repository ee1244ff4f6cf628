/* SPDX-License-Identifier: Apache-2.0 */
/* exporter_process.c: the process_* families of an exporter's /metrics, from
 * lm/process.h. A failure to read /proc/self is logged once per distinct message by
 * the logger's rate limit and does not fail the scrape (what was read is kept). */
#include "exporter_int.h"
#include "lm/process.h"

void
lmi_exporter_emit_process(struct lm_exporter *x, struct lm_emit *e)
{
    struct lm_err err;
    lm_err_clear(&err);
    if (lm_process_collect(NULL, e, &err)) {
        char m[LM_ERR_MSG_MAX + LM_ERR_WHERE_MAX];
        lm_warn(x->log, "error reading process metrics", "err",
                lm_err_format(&err, m, sizeof m), NULL);
    }
}
