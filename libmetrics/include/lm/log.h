/* SPDX-License-Identifier: Apache-2.0 */
/* log.h: structured logging in the Go originals' shape: logfmt
 * (ts=... caller=file.c:42 level=info msg="..." key=value) or JSON, to stderr by default.
 * The level is checked before anything is formatted; identical lines repeated within a
 * second are rate-limited. Thread-safe. Never pass secrets as values. */
#ifndef LM_LOG_H
#define LM_LOG_H

#include <stdio.h>
#include "lm/err.h"

enum lm_log_level { LM_LOG_DEBUG = 0, LM_LOG_INFO, LM_LOG_WARN, LM_LOG_ERROR };
enum lm_log_format { LM_LOG_LOGFMT = 0, LM_LOG_JSON };

struct lm_log;

/* lm_log_new: a logger writing to out (borrowed; stderr when NULL). NULL on OOM. */
struct lm_log *lm_log_new(FILE *out, enum lm_log_level level, enum lm_log_format fmt);
void lm_log_free(struct lm_log *l);
/* Parse "debug|info|warn|error" and "logfmt|json"; LM_EINVAL otherwise. */
int lm_log_level_parse(const char *s, enum lm_log_level *out);
int lm_log_format_parse(const char *s, enum lm_log_format *out);
int lm_log_enabled(const struct lm_log *l, enum lm_log_level level);

/* lm_log_write: one line. kv is NULL-terminated key, value pairs (strings); values are
 * quoted and escaped as needed. l may be NULL (then nothing is written). */
void lm_log_write(struct lm_log *l, enum lm_log_level level, const char *file, int line,
                  const char *msg, ...) __attribute__((sentinel));

#define LM_LOG(l, lvl, msg, ...)                                              \
    do {                                                                      \
        if (lm_log_enabled((l), (lvl)))                                       \
            lm_log_write((l), (lvl), __FILE__, __LINE__, (msg), __VA_ARGS__); \
    } while (0)
#define lm_debug(l, msg, ...) LM_LOG(l, LM_LOG_DEBUG, msg, __VA_ARGS__)
#define lm_info(l, msg, ...) LM_LOG(l, LM_LOG_INFO, msg, __VA_ARGS__)
#define lm_warn(l, msg, ...) LM_LOG(l, LM_LOG_WARN, msg, __VA_ARGS__)
#define lm_error(l, msg, ...) LM_LOG(l, LM_LOG_ERROR, msg, __VA_ARGS__)

#endif
