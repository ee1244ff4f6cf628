/* SPDX-License-Identifier: Apache-2.0 */
/* uw.h: what uwsgi_exporter's files share: the collector descriptor (uwsgi.c) and the
 * separator main.c uses to hand every repeated --stats.uri to the collector through the
 * scaffold's single-valued flag. */
#ifndef UW_H
#define UW_H

#include "lm/collector.h"

/* main.c joins repeated --stats.uri values with this byte (never valid in a URI). */
#define UW_URI_SEP '\n'

extern const struct lm_collector_desc uw_collector;

#endif
