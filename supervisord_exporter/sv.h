/* SPDX-License-Identifier: Apache-2.0 */
/* sv.h: what supervisord_exporter's files share: the collector descriptor that
 * supervisord.c defines and main.c lists. */
#ifndef SV_H
#define SV_H

#include "lm/collector.h"

extern const struct lm_collector_desc sv_collector;

#endif
