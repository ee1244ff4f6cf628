/* SPDX-License-Identifier: Apache-2.0 */
/* procfile_int.h: the interface between procfile.c (readers) and procfile_cache.c (the
 * open-file cache behind them). Not for use outside libmetrics. */
#ifndef LM_PROCFILE_INT_H
#define LM_PROCFILE_INT_H

#include <stdbool.h>

/* lmi_pfc_with_file: run rd(fd, arg) on path, opened read-only: on a cached descriptor
 * when the cache holds one (rd must read with pread from offset 0), else on a fresh one
 * that the cache may keep. rd returns 0, a positive errno (a failed read) or a negative
 * LM_E* code. A cached descriptor whose read fails with ENODEV, ENOENT or ESTALE (the
 * sysfs node or its device went away) is dropped and the path opened again, once.
 * Returns rd's result, or the positive errno of a failed open with *opened false. */
int lmi_pfc_with_file(const char *path, int (*rd)(int fd, void *arg), void *arg, bool *opened);

#endif
