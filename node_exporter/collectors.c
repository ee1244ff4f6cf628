/* SPDX-License-Identifier: Apache-2.0 */
/* collectors.c: the table of node_exporter's collectors, in name order. Each collector
 * file exports one const struct lm_collector_desc named ne_<name>_collector; adding a
 * collector means one extern line and one table entry here. */
#include <stddef.h>
#include "node_exporter/ne.h"

/* extern declarations, one per collector file (keep sorted) */

const struct lm_collector_desc *const ne_collectors[] = {
    /* table entries (keep sorted) */
    NULL,
};
