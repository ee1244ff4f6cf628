/* SPDX-License-Identifier: Apache-2.0 */
/* nfs.h: what the nfs (client) and nfsd (server) collectors share: the NFSv2/v3 procedure
 * names in /proc/net/rpc/{nfs,nfsd} column order, and the parser of one "key v1 v2 ..."
 * line of those files. Defined in nfs.c. */
#ifndef NE_NFS_H
#define NE_NFS_H

#include <stddef.h>
#include <stdint.h>
#include "lm/err.h"
#include "lm/procfile.h"

#define NE_NFS_MAXVALS 256   /* values kept from one line; more fail the parse */

/* procedure names of the proc2 (18) and proc3 (22) lines, "Null" first */
extern const char *const ne_nfs_v2_methods[18];
extern const char *const ne_nfs_v3_methods[22];

/* ne_nfs_values: parse words 1.. of line l of pf (read from path) as unsigned integers
 * into v (at most NE_NFS_MAXVALS). Returns the count, or LM_EPARSE (negative) with err
 * naming path and line. */
int ne_nfs_values(const struct lm_procfile *pf, size_t l, const char *path, uint64_t *v,
                  struct lm_err *err);

/* ne_nfs_proc_ok: whether v (n values, v[0] the announced count) announces exactly n-1
 * values and at least min. */
int ne_nfs_proc_ok(const uint64_t *v, int n, uint64_t min);

#endif
