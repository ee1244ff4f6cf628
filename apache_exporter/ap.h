/* SPDX-License-Identifier: Apache-2.0 */
/* ap.h: what apache_exporter's main.c needs from its collector file: the collector
 * descriptor (apache.c) and its flags (--scrape_uri, --host_override, --insecure). */
#ifndef AP_H
#define AP_H

#include "lm/collector.h"

extern const struct lm_flag_desc ap_flags[];        /* the collector's own flags */
extern const struct lm_collector_desc ap_collector; /* "apache" */

#endif
