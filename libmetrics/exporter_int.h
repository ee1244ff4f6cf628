/* SPDX-License-Identifier: Apache-2.0 */
/* exporter_int.h: the exporter scaffold's state, shared by exporter.c (flags, logging,
 * start-up, /metrics rendering) and exporter_http.c (serving, routes, shutdown). */
#ifndef LM_EXPORTER_INT_H
#define LM_EXPORTER_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include "lm/exporter.h"

enum { LMI_CODE_200 = 0, LMI_CODE_500, LMI_CODE_503, LMI_NCODES };

struct lm_exporter {
    const struct lm_exporter_desc *d;   /* borrowed, static */
    struct lm_flags *flags;             /* owned */
    void *flag_store;                   /* runner-generated flag strings, owned */
    struct lm_log *log;                 /* owned */
    struct lm_runner *runner;           /* owned; NULL when d->collectors is NULL */
    bool exporter_metrics;              /* !--web.disable-exporter-metrics */
    long max_requests;                  /* --web.max-requests; 0 = unlimited */
    const char *metrics_path;           /* --web.telemetry-path (view into flags) */
    bool setup_done;                    /* d->setup succeeded: call d->teardown */
    atomic_long in_flight;              /* /metrics requests being served */
    atomic_ulong requests[LMI_NCODES];  /* promhttp_metric_handler_requests_total by code */
    atomic_ulong errors_encoding;       /* promhttp_metric_handler_errors_total{encoding} */
    atomic_ulong errors_gathering;      /* ...{cause="gathering"} */
};

/* lmi_exporter_serve: listen on every --web.listen-address, serve until SIGTERM or
 * SIGINT, stop the server. Returns the exit status (0, or 1 when listening failed). */
int lmi_exporter_serve(struct lm_exporter *x);

/* lmi_exporter_emit_process: the process_* families (exporter_process.c). */
void lmi_exporter_emit_process(struct lm_exporter *x, struct lm_emit *e);

#endif
