/* SPDX-License-Identifier: Apache-2.0 */
/* sysfs.h: helpers shared by node_exporter's /sys and /proc collectors: a directory
 * walker, attribute readers relative to a directory, the include/exclude device filter
 * (upstream's deviceFilter) and metric-name sanitising. No collector logic lives here. */
#ifndef NE_SYSFS_H
#define NE_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lm/collector.h"
#include "lm/err.h"
#include "lm/regex.h"

/* ne_dir_each: call fn(arg, dir, name) for every entry of dir whose name starts with
 * prefix (NULL or "" for all; "." and ".." are skipped), in name order. A non-zero return
 * from fn stops the walk and is returned. Returns LM_ENOENT when dir is missing,
 * LM_EIO when it cannot be read, LM_ENOMEM, or 0. */
int ne_dir_each(const char *dir, const char *prefix,
                int (*fn)(void *arg, const char *dir, const char *name), void *arg);

/* ne_attr_str: read "<dir>/<name>" (trailing newline trimmed) into out (n bytes).
 * ne_attr_u64 / ne_attr_i64 / ne_attr_double: the same, parsed. All return 0, LM_ENOENT,
 * LM_EIO or LM_EPARSE (lm_read_* contracts). */
int ne_attr_str(const char *dir, const char *name, char *out, size_t n);
int ne_attr_u64(const char *dir, const char *name, uint64_t *out);
int ne_attr_i64(const char *dir, const char *name, int64_t *out);
int ne_attr_double(const char *dir, const char *name, double *out);

/* ne_join: "<a>/<b>" into out (n bytes); returns out. Truncates at n. */
const char *ne_join(char *out, size_t n, const char *a, const char *b);

/* Device filter: exclude and include patterns (Go regexp, unanchored), mutually
 * exclusive. Empty pattern means none. */
struct ne_filter {
    struct lm_regex *exclude;  /* NULL when no exclude pattern */
    struct lm_regex *include;  /* NULL when no include pattern */
};

/* ne_filter_init: compile. Both given: LM_ECONFIG "... are mutually exclusive".
 * Bad pattern: LM_ECONFIG with err naming flag_prefix. Cleanup with ne_filter_cleanup. */
int ne_filter_init(struct ne_filter *f, const char *exclude, const char *include,
                   const char *what, struct lm_err *err);
bool ne_filter_ignored(const struct ne_filter *f, const char *name);
void ne_filter_cleanup(struct ne_filter *f);

/* ne_flag_alias: the value of flag `name`, or of its deprecated alias `old` when only that
 * was given on the command line. Never NULL (falls back to ""). Returns LM_ECONFIG in *rc
 * when both were set explicitly (upstream refuses to start). */
const char *ne_flag_alias(const struct lm_collect_ctx *ctx, const char *name, const char *old,
                          int *rc, struct lm_err *err);

/* ne_clean_name: lower-case s, map every char outside [a-z0-9:_] to '_', trim '_' at both
 * ends (hwmon's cleanMetricName). Writes into out (n bytes); returns out. */
const char *ne_clean_name(const char *s, char *out, size_t n);

/* ne_sanitize_name: Go's SanitizeMetricName: every char outside [a-zA-Z0-9_:] becomes
 * '_' (no case change, no trimming). Writes into out (n bytes); returns out. */
const char *ne_sanitize_name(const char *s, char *out, size_t n);

#endif
