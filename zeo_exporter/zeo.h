/* SPDX-License-Identifier: Apache-2.0 */
/* zeo.h: what zeo_exporter's main.c and the tests see of the zeo collector (zeo.c): its
 * descriptor and its flags. */
#ifndef ZEO_H
#define ZEO_H

#include "lm/collector.h"

extern const struct lm_collector_desc zeo_collector;
extern const struct lm_flag_desc zeo_flags[];

#endif
