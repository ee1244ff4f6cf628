/* SPDX-License-Identifier: Apache-2.0 */
/* textfile.h: atomic writes of a metrics page for node_exporter's textfile collector
 * (batch jobs): write <path>.tmp.<pid> in the same directory, fsync it, rename it over
 * path, fsync the directory, so the collector never reads a half-written file. */
#ifndef LM_TEXTFILE_H
#define LM_TEXTFILE_H

#include <stddef.h>
#include "lm/err.h"
#include "lm/registry.h"

/* lm_textfile_write: write r (families and collectors) in text format 0.0.4 to path
 * atomically, mode 0644. Returns 0, LM_EIO (err names the file and the errno text),
 * LM_ENOMEM or LM_ETOOBIG; on failure the temporary file is removed and path is left as
 * it was. A collector failure is reported in err but the file is still written. */
int lm_textfile_write(struct lm_registry *r, const char *path, struct lm_err *err);

/* lm_textfile_write_data: the same for len bytes already rendered. */
int lm_textfile_write_data(const char *path, const char *data, size_t len, struct lm_err *err);

#endif
