/* SPDX-License-Identifier: Apache-2.0 */
/* flags.h: Go/kingpin-style command-line flags: --name=value and --name value, boolean
 * switches --name / --no-name, repeatable flags, defaults shown by --help, --version.
 * Flags are declared with lm_flag_desc tables (collector.h) or one at a time, then parsed
 * once; values are read back by name. Not thread-safe while parsing; reads are. */
#ifndef LM_FLAGS_H
#define LM_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "lm/collector.h"
#include "lm/err.h"

struct lm_flags;

/* lm_flags_new: an empty flag set for program prog (used in --help). NULL on OOM. */
struct lm_flags *lm_flags_new(const char *prog, const char *description);
void lm_flags_free(struct lm_flags *f);

/* lm_flags_add: declare one flag (desc's strings are borrowed and must outlive f).
 * repeatable: the flag may be given many times (read with lm_flags_get_all).
 * Returns 0, LM_EDUP (name already declared) or LM_ENOMEM. */
int lm_flags_add(struct lm_flags *f, const struct lm_flag_desc *desc, bool repeatable);
/* lm_flags_add_table: every entry of a zero-terminated table (desc->repeatable says
 * which may be given many times). */
int lm_flags_add_table(struct lm_flags *f, const struct lm_flag_desc *table);

/* Another name for a declared flag, for upstream spellings that differ from ours
 * (apache_exporter's --telemetry.address for --web.listen-address). Plain value. */
struct lm_flag_alias {
    const char *alias;     /* without "--"; NULL ends a table */
    const char *target;    /* the declared flag it stands for */
};

/* lm_flags_alias: accept --alias (and --no-alias for switches) as --target; reading
 * either name gives the target's value; --help lists the alias as "Alias of --target.".
 * alias is borrowed. Returns 0, LM_ENOENT (no such target), LM_EDUP or LM_ENOMEM. */
int lm_flags_alias(struct lm_flags *f, const char *alias, const char *target);

/* lm_flags_parse: parse argv. Unknown flags, missing values and bad booleans are errors
 * naming the flag (err->where = "--name"). "--help" and "--version" set *exit_now and
 * print to out (usage, or "<prog>, version X (branch: ..., revision: ...)"). */
int lm_flags_parse(struct lm_flags *f, int argc, char **argv, FILE *out, bool *exit_now,
                   struct lm_err *err);

/* Read values after parse (before parse: defaults). Strings are views valid for f's life.
 * lm_flags_get returns the last value given (or the default; "" when none); NULL when the
 * flag was never declared. lm_flags_get_bool: true for "true"/"1". lm_flags_is_set: given
 * on the command line. lm_flags_get_all: every value of a repeatable flag (n in *n). */
const char *lm_flags_get(const struct lm_flags *f, const char *name);
bool lm_flags_get_bool(const struct lm_flags *f, const char *name);
bool lm_flags_is_set(const struct lm_flags *f, const char *name);
const char *const *lm_flags_get_all(const struct lm_flags *f, const char *name, size_t *n);

/* lm_flags_usage: the --help text. */
void lm_flags_usage(const struct lm_flags *f, FILE *out);

#endif
