/* SPDX-License-Identifier: Apache-2.0 */
/* hap.h: haproxy_exporter's private interfaces between its files: the column -> metric
 * tables (fields.c), the stats socket client (stats_socket.c) and the collector
 * descriptor (haproxy.c) that main.c puts in its table. */
#ifndef HAP_H
#define HAP_H

#include <stdbool.h>
#include <stddef.h>
#include "lm/buf.h"
#include "lm/collector.h"
#include "lm/emit.h"
#include "lm/err.h"

#define HAP_COL_STATUS 17          /* status: mapped to 0/1 */
#define HAP_COL_TYPE 32            /* 0 frontend, 1 backend, 2 server, 3 listener */
#define HAP_MIN_FIELDS 33          /* rows with fewer fields are parse failures */
#define HAP_MAX_COL 128            /* highest column a metric may come from, + 1 */

/* One exported column: haproxy_<kind>_<name>, with an optional code="..." label. */
struct hap_metric {
    int col;                       /* CSV column index; -1 ends a table */
    const char *name;              /* name after haproxy_<kind>_ */
    const char *help;              /* upstream 0.14's HELP */
    enum lm_type type;             /* counter or gauge */
    const char *code;              /* value of the code label, or NULL for none */
};

extern const struct hap_metric hap_frontend_metrics[];  /* ends with col -1 */
extern const struct hap_metric hap_backend_metrics[];   /* ends with col -1 */
extern const struct hap_metric hap_server_metrics[];    /* ends with col -1 */
extern const char hap_default_server_fields[];          /* upstream's default list */

/* hap_col_is_ms: the column holds milliseconds exported as seconds (38, 58-61). */
bool hap_col_is_ms(int col);
/* hap_status_up: upstream's status mapping: 1 for UP, UP 1/3, UP 2/3, OPEN, no check,
 * DRAIN; 0 for anything else. */
int hap_status_up(const char *status);

/* hap_socket_cmd: send cmd (e.g. "show stat\n") to the stats socket at addr (a unix
 * socket path when is_unix, else "host:port") and read the whole reply into out (reset
 * first; capped by out->max). deadline: CLOCK_MONOTONIC seconds. Returns 0, or LM_EIO
 * (connect/read failure, err->msg in Go's "dial unix ...: ..." wording), LM_ETIMEOUT,
 * LM_ETOOBIG, LM_EINVAL (bad address) or LM_ENOMEM, with err->where = addr. */
int hap_socket_cmd(bool is_unix, const char *addr, const char *cmd, double deadline,
                   struct lm_buf *out, struct lm_err *err);

extern const struct lm_flag_desc hap_flags[];       /* --haproxy.* flags */
extern const struct lm_collector_desc hap_collector; /* "haproxy" */

#endif
