/* SPDX-License-Identifier: Apache-2.0 */
/* fields.c: the stats CSV column -> metric tables of haproxy_exporter 0.14 (names,
 * HELP texts and types as its /metrics shows them), the status mapping and the
 * millisecond columns. Data only; the collector (haproxy.c) walks these tables. */
#include <string.h>
#include "haproxy_exporter/hap.h"

#define C LM_TYPE_COUNTER
#define G LM_TYPE_GAUGE
#define H_QCUR_BE "Current number of queued requests not assigned to any server."
#define H_QMAX_BE "Maximum observed number of queued requests not assigned to any server."
#define H_SCUR "Current number of active sessions."
#define H_SMAX "Maximum observed number of active sessions."
#define H_SLIM "Configured session limit."
#define H_STOT "Total number of sessions."
#define H_BIN "Current total of incoming bytes."
#define H_BOUT "Current total of outgoing bytes."
#define H_ECON "Total of connection errors."
#define H_ERESP "Total of response errors."
#define H_WRETR "Total of retry warnings."
#define H_WREDIS "Total of redispatch warnings."
#define H_LBTOT "Total number of times a server was selected, either for new sessions, or " \
                "when re-dispatching."
#define H_RATE "Current number of sessions per second over last elapsed second."
#define H_RATE_MAX "Maximum observed number of sessions per second."
#define H_HRSP "Total of HTTP responses."
#define H_CLI_ABRT "Total number of data transfers aborted by the client."
#define H_SRV_ABRT "Total number of data transfers aborted by the server."
#define H_COMP_IN "Number of HTTP response bytes fed to the compressor"
#define H_COMP_OUT "Number of HTTP response bytes emitted by the compressor"
#define H_COMP_BYP "Number of bytes that bypassed the HTTP compressor"
#define H_COMP_RSP "Number of HTTP responses that were compressed"
#define H_AVG(x) "Avg. HTTP " x " time for last 1024 successful connections."
#define HRSP_ROWS                                                                        \
    {39, "http_responses_total", H_HRSP, C, "1xx"},                                      \
    {40, "http_responses_total", H_HRSP, C, "2xx"},                                      \
    {41, "http_responses_total", H_HRSP, C, "3xx"},                                      \
    {42, "http_responses_total", H_HRSP, C, "4xx"},                                      \
    {43, "http_responses_total", H_HRSP, C, "5xx"},                                      \
    {44, "http_responses_total", H_HRSP, C, "other"}
#define TIME_ROWS                                                                        \
    {58, "http_queue_time_average_seconds", H_AVG("queue"), G, NULL},                    \
    {59, "http_connect_time_average_seconds", H_AVG("connect"), G, NULL},                \
    {60, "http_response_time_average_seconds", H_AVG("response"), G, NULL},              \
    {61, "http_total_time_average_seconds", H_AVG("total"), G, NULL}

const struct hap_metric hap_frontend_metrics[] = {
    {4, "current_sessions", H_SCUR, G, NULL},
    {5, "max_sessions", H_SMAX, G, NULL},
    {6, "limit_sessions", H_SLIM, G, NULL},
    {7, "sessions_total", H_STOT, C, NULL},
    {8, "bytes_in_total", H_BIN, C, NULL},
    {9, "bytes_out_total", H_BOUT, C, NULL},
    {10, "requests_denied_total", "Total of requests denied for security.", C, NULL},
    {12, "request_errors_total", "Total of request errors.", C, NULL},
    {33, "current_session_rate", H_RATE, G, NULL},
    {34, "limit_session_rate", "Configured limit on new sessions per second.", G, NULL},
    {35, "max_session_rate", H_RATE_MAX, G, NULL},
    HRSP_ROWS,
    {48, "http_requests_total", "Total HTTP requests.", C, NULL},
    {51, "compressor_bytes_in_total", H_COMP_IN, C, NULL},
    {52, "compressor_bytes_out_total", H_COMP_OUT, C, NULL},
    {53, "compressor_bytes_bypassed_total", H_COMP_BYP, C, NULL},
    {54, "http_responses_compressed_total", H_COMP_RSP, C, NULL},
    {79, "connections_total", "Total number of connections", C, NULL},
    {-1, NULL, NULL, G, NULL},
};

const struct hap_metric hap_backend_metrics[] = {
    {2, "current_queue", H_QCUR_BE, G, NULL},
    {3, "max_queue", H_QMAX_BE, G, NULL},
    {4, "current_sessions", H_SCUR, G, NULL},
    {5, "max_sessions", H_SMAX, G, NULL},
    {6, "limit_sessions", H_SLIM, G, NULL},
    {7, "sessions_total", H_STOT, C, NULL},
    {8, "bytes_in_total", H_BIN, C, NULL},
    {9, "bytes_out_total", H_BOUT, C, NULL},
    {13, "connection_errors_total", H_ECON, C, NULL},
    {14, "response_errors_total", H_ERESP, C, NULL},
    {15, "retry_warnings_total", H_WRETR, C, NULL},
    {16, "redispatch_warnings_total", H_WREDIS, C, NULL},
    {17, "up", "Current health status of the backend (1 = UP, 0 = DOWN).", G, NULL},
    {18, "weight", "Total weight of the servers in the backend.", G, NULL},
    {19, "current_server", "Current number of active servers", G, NULL},
    {30, "server_selected_total", H_LBTOT, C, NULL},
    {33, "current_session_rate", H_RATE, G, NULL},
    {35, "max_session_rate", "Maximum number of sessions per second.", G, NULL},
    HRSP_ROWS,
    {49, "client_aborts_total", H_CLI_ABRT, C, NULL},
    {50, "server_aborts_total", H_SRV_ABRT, C, NULL},
    {51, "compressor_bytes_in_total", H_COMP_IN, C, NULL},
    {52, "compressor_bytes_out_total", H_COMP_OUT, C, NULL},
    {53, "compressor_bytes_bypassed_total", H_COMP_BYP, C, NULL},
    {54, "http_responses_compressed_total", H_COMP_RSP, C, NULL},
    TIME_ROWS,
    {-1, NULL, NULL, G, NULL},
};

const struct hap_metric hap_server_metrics[] = {
    {2, "current_queue", "Current number of queued requests assigned to this server.", G,
     NULL},
    {3, "max_queue", "Maximum observed number of queued requests assigned to this server.", G,
     NULL},
    {4, "current_sessions", H_SCUR, G, NULL},
    {5, "max_sessions", H_SMAX, G, NULL},
    {6, "limit_sessions", H_SLIM, G, NULL},
    {7, "sessions_total", H_STOT, C, NULL},
    {8, "bytes_in_total", H_BIN, C, NULL},
    {9, "bytes_out_total", H_BOUT, C, NULL},
    {13, "connection_errors_total", H_ECON, C, NULL},
    {14, "response_errors_total", H_ERESP, C, NULL},
    {15, "retry_warnings_total", H_WRETR, C, NULL},
    {16, "redispatch_warnings_total", H_WREDIS, C, NULL},
    {17, "up", "Current health status of the server (1 = UP, 0 = DOWN).", G, NULL},
    {18, "weight", "Current weight of the server.", G, NULL},
    {21, "check_failures_total", "Total number of failed health checks.", C, NULL},
    {24, "downtime_seconds_total", "Total downtime in seconds.", C, NULL},
    {30, "server_selected_total", H_LBTOT, C, NULL},
    {33, "current_session_rate", H_RATE, G, NULL},
    {35, "max_session_rate", H_RATE_MAX, G, NULL},
    {38, "check_duration_seconds", "Previously run health check duration, in seconds", G,
     NULL},
    HRSP_ROWS,
    {49, "client_aborts_total", H_CLI_ABRT, C, NULL},
    {50, "server_aborts_total", H_SRV_ABRT, C, NULL},
    TIME_ROWS,
    {-1, NULL, NULL, G, NULL},
};

const char hap_default_server_fields[] =
    "2,3,4,5,6,7,8,9,13,14,15,16,17,18,21,24,30,33,35,38,39,40,41,42,43,44,49,50,58,59,60,61";

bool
hap_col_is_ms(int col)
{
    return col == 38 || (col >= 58 && col <= 61);
}

int
hap_status_up(const char *s)
{
    static const char *const up[] = {"UP", "UP 1/3", "UP 2/3", "OPEN", "no check", "DRAIN"};
    for (size_t i = 0; i < sizeof up / sizeof up[0]; i++)
        if (!strcmp(s, up[i]))
            return 1;
    return 0;
}
