/* SPDX-License-Identifier: Apache-2.0 */
/* head_chunks.h: where the head keeps closed chunks: appended to files
 * <dir>/chunks_head/000001, ... and read back through a shared read-only mapping, so
 * they cost page cache, not heap (as Prometheus's m-mapped head chunks). A file is
 * deleted once every chunk in it was released and a newer one is being written. The
 * files are scratch: the WAL is the source of truth, so start-up clears them. When a
 * write fails (disk full) the chunk stays on the heap. Internal to flint/tsdb. Prefix
 * tsdb_hcs_. */
#ifndef FLINT_TSDB_HEAD_CHUNKS_H
#define FLINT_TSDB_HEAD_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

#include "lm/err.h"

#define TSDB_HCS_HEAP UINT32_MAX           /* "file" of a chunk kept on the heap */
#define TSDB_HCS_FILE_MAX (128UL << 20)     /* bytes per file */

struct tsdb_hcs;

/* tsdb_hcs_open: the store in dir (created; files left there are removed). NULL with
 * err set. */
struct tsdb_hcs *tsdb_hcs_open(const char *dir, struct lm_err *err);
void tsdb_hcs_close(struct tsdb_hcs *hc);
/* tsdb_hcs_put: store b[0..len); *out points at the stored bytes (valid until
 * released) and *file names the file. 0, or -1 when it could not be written (then the
 * caller keeps the bytes itself). Thread-safe. */
int tsdb_hcs_put(struct tsdb_hcs *hc, const uint8_t *b, size_t len, const uint8_t **out,
                 uint32_t *file);
/* tsdb_hcs_release: one chunk of file is no longer used. Thread-safe. */
void tsdb_hcs_release(struct tsdb_hcs *hc, uint32_t file);
/* tsdb_hcs_bytes: bytes in files. */
uint64_t tsdb_hcs_bytes(struct tsdb_hcs *hc);

#endif
