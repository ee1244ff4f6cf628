/* SPDX-License-Identifier: Apache-2.0 */
/* filefd.c: the filefd collector: allocated and maximum file handles from
 * /proc/sys/fs/file-nr ("allocated unused maximum"). Its state is one procfile. */
#include "node_exporter/procutil.h"

static int
filefd_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
               struct lm_err *err)
{
    struct lm_procfile *pf = state;
    char path[4096];
    int rc = ne_proc_read(pf, ctx, NE_PROCFS, "sys/fs/file-nr", path, sizeof path, err);
    if (rc)
        return rc;
    if (lm_procfile_lines(pf) != 1 || lm_procfile_words(pf, 0) != 3)
        return lm_err_set(err, LM_EPARSE, path, "%s: unexpected number of file stats", path);
    double alloc, max;
    if ((rc = ne_num(lm_procfile_word(pf, 0, 0), path, 0, &alloc, err)) ||
        (rc = ne_num(lm_procfile_word(pf, 0, 2), path, 0, &max, err)))
        return rc;
    lm_emit_one(e, "node_filefd_allocated", "File descriptor statistics: allocated.",
                LM_TYPE_GAUGE, alloc);
    lm_emit_one(e, "node_filefd_maximum", "File descriptor statistics: maximum.",
                LM_TYPE_GAUGE, max);
    return 0;
}

const struct lm_collector_desc ne_filefd_collector = {
    .name = "filefd",
    .enabled_by_default = true,
    .flags = NULL,
    .init = ne_pf_init,
    .collect = filefd_collect,
    .fini = ne_pf_fini,
};
