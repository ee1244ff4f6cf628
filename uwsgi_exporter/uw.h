/* SPDX-License-Identifier: Apache-2.0 */
/* uw.h: what uwsgi_exporter's files share: the collector descriptor (uwsgi.c). */
#ifndef UW_H
#define UW_H

#include "lm/collector.h"

extern const struct lm_collector_desc uw_collector;

#endif
