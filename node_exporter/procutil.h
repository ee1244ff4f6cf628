/* SPDX-License-Identifier: Apache-2.0 */
/* procutil.h: helpers shared by node_exporter's /proc collectors: reading a file under a
 * path root into a collector's procfile, a "key value [unit]" table walker (meminfo,
 * vmstat, snmp6), hex parsing and uniform parse-error reporting. No collector logic. */
#ifndef NE_PROCUTIL_H
#define NE_PROCUTIL_H

#include <stddef.h>
#include <stdint.h>
#include "lm/collector.h"
#include "lm/err.h"
#include "lm/procfile.h"
#include "lm/regex.h"
#include "node_exporter/ne.h"

/* ne_proc_read: read "<root>/<rel>" into pf. The path used is left in path (n bytes) for
 * error messages. Returns 0 or the lm_procfile_read error (LM_ENOENT, LM_EIO, ...), with
 * err naming the path. */
int ne_proc_read(struct lm_procfile *pf, const struct lm_collect_ctx *ctx, enum ne_root root,
                 const char *rel, char *path, size_t n, struct lm_err *err);

/* ne_nodata: turn LM_ENOENT into LM_ENODATA (upstream's ErrNoData for a missing source);
 * other codes pass through. err->code is updated to match. */
int ne_nodata(int rc, struct lm_err *err);

/* ne_num: parse word (line `line` of path) as a double; on failure LM_EPARSE with err
 * "path: line N: invalid value \"word\"". */
int ne_num(const char *word, const char *path, size_t line, double *out, struct lm_err *err);

/* ne_hex_u64: parse a hexadecimal number (no 0x prefix) of exactly len bytes of s
 * (len 0: up to the NUL). 0 or LM_EPARSE. */
int ne_hex_u64(const char *s, size_t len, uint64_t *out);

/* ne_kv_each: for every non-empty line "key[:] value [unit]" of pf, call
 * fn(arg, key, value, unit) with the trailing ':' of key removed and unit "" when absent.
 * A line whose value is not a number gives LM_EPARSE naming path and line. A non-zero
 * return from fn stops the walk and is returned. key is a copy valid during the call. */
int ne_kv_each(const struct lm_procfile *pf, const char *path,
               int (*fn)(void *arg, const char *key, double value, const char *unit),
               void *arg, struct lm_err *err);

/* ne_flag_regex: compile the value of flag `name` (unanchored, Go semantics). NULL with
 * err (where = "--name") on a bad pattern or OOM. */
struct lm_regex *ne_flag_regex(const struct lm_collect_ctx *ctx, const char *name,
                               struct lm_err *err);

/* ne_pf_init / ne_pf_fini: init and fini for collectors whose whole state is one
 * reusable procfile (word separators " \t"); *state is the struct lm_procfile.
 * ne_pf_init returns 0 or LM_ENOMEM. */
int ne_pf_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err);
void ne_pf_fini(void *state);

#endif
