/* SPDX-License-Identifier: Apache-2.0 */
/* limits.h: every hard limit of libmetrics in one place (SQLite's sqliteLimit.h). */
#ifndef LM_LIMITS_H
#define LM_LIMITS_H

#define LM_LIMIT_EXPO_BYTES     (1024UL * 1024 * 1024)  /* one exposition page, written */
#define LM_LIMIT_PARSE_LINE     (16UL * 1024 * 1024)    /* one line of a parsed page */
#define LM_LIMIT_LABELS         128                    /* label pairs in one sample */
#define LM_LIMIT_NAME_BYTES     1024                   /* a metric or label name */
#define LM_LIMIT_HELP_BYTES     (64UL * 1024)          /* one HELP text */
#define LM_LIMIT_LOG_LINE       4096                   /* one log line */
#define LM_LIMIT_CONFIG_BYTES   (16UL * 1024 * 1024)   /* a config file (web-config.yml) */
#define LM_LIMIT_ERRBUF         512                    /* error message bytes */

#endif
