/* SPDX-License-Identifier: Apache-2.0 */
/* status_parse.h: the parser of mod_status's machine-readable page (server-status?auto)
 * into plain values: the numeric keys, version and MPM, the scoreboard and the
 * mod_proxy_balancer worker lines. It also tells what kind of page it was given (HTML,
 * not a status page at all), so the collector can diagnose a wrong scrape_uri. Pure:
 * no I/O, no logging; used by apache.c, the unit tests and the fuzz target. */
#ifndef AP_STATUS_PARSE_H
#define AP_STATUS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include "lm/err.h"

#define AP_MAX_BALANCER_WORKERS 4096  /* proxy balancer worker entries kept per page */
#define AP_TEXT_MAX 256               /* version, MPM, balancer/worker names and status */

/* The numeric keys of ?auto the exporter uses. */
enum ap_key {
    AP_K_CONFIG_GEN = 0,  /* ParentServerConfigGeneration */
    AP_K_MPM_GEN,         /* ParentServerMPMGeneration */
    AP_K_LOAD1,           /* Load1 */
    AP_K_LOAD5,           /* Load5 */
    AP_K_LOAD15,          /* Load15 */
    AP_K_ACCESSES,        /* Total Accesses (ExtendedStatus On only) */
    AP_K_KBYTES,          /* Total kBytes (ExtendedStatus On only) */
    AP_K_DURATION,        /* Total Duration, ms (ExtendedStatus On only) */
    AP_K_CPU_USER,        /* CPUUser */
    AP_K_CPU_SYSTEM,      /* CPUSystem */
    AP_K_CPU_CHILD_USER,  /* CPUChildrenUser */
    AP_K_CPU_CHILD_SYS,   /* CPUChildrenSystem */
    AP_K_CPULOAD,         /* CPULoad */
    AP_K_UPTIME,          /* Uptime */
    AP_K_BUSY,            /* BusyWorkers */
    AP_K_IDLE,            /* IdleWorkers */
    AP_K_PROCESSES,       /* Processes */
    AP_K_STOPPING,        /* Stopping */
    AP_K_CONNS_TOTAL,     /* ConnsTotal */
    AP_K_CONNS_WRITING,   /* ConnsAsyncWriting */
    AP_K_CONNS_KEEPALIVE, /* ConnsAsyncKeepAlive */
    AP_K_CONNS_CLOSING,   /* ConnsAsyncClosing */
    AP_K_COUNT
};

/* Scoreboard states in mod_status's legend order; AP_SB_COUNT ends the known ones. */
enum ap_sb {
    AP_SB_IDLE = 0,       /* '_' waiting for connection */
    AP_SB_STARTUP,        /* 'S' */
    AP_SB_READ,           /* 'R' */
    AP_SB_REPLY,          /* 'W' */
    AP_SB_KEEPALIVE,      /* 'K' */
    AP_SB_DNS,            /* 'D' */
    AP_SB_CLOSING,        /* 'C' */
    AP_SB_LOGGING,        /* 'L' */
    AP_SB_GRACEFUL,       /* 'G' */
    AP_SB_IDLE_CLEANUP,   /* 'I' */
    AP_SB_OPEN,           /* '.' */
    AP_SB_COUNT
};

/* One mod_proxy_balancer worker (ProxyBalancer[i]Worker[j]...). */
struct ap_balancer_worker {
    char balancer[AP_TEXT_MAX];  /* the last ProxyBalancer[i]Name seen */
    char worker[AP_TEXT_MAX];    /* ...Worker[j]Name */
    char status[AP_TEXT_MAX];    /* ...Status, "" when absent */
    bool has_status;             /* a Status line was seen */
    double elected;              /* ...Elected (requests) */
    double busy;                 /* ...Busy */
    double sent_kb;              /* ...Sent, "K" suffix removed */
    double rcvd_kb;              /* ...Rcvd, "K" suffix removed */
    unsigned have;               /* bit per field seen: 1 elected, 2 busy, 4 sent, 8 rcvd */
};

/* What kind of body the parser was given. */
enum ap_page {
    AP_PAGE_AUTO = 0,     /* mod_status ?auto output */
    AP_PAGE_HTML_STATUS,  /* mod_status's HTML page (?auto missing) */
    AP_PAGE_HTML_OTHER,   /* some other HTML page */
    AP_PAGE_OTHER,        /* text that is not ?auto output (no ServerVersion/Scoreboard) */
    AP_PAGE_EMPTY,        /* empty body */
};

/* The parsed page. Set up with ap_status_init; free with ap_status_cleanup. */
struct ap_status {
    enum ap_page page;                       /* kind of page */
    bool has[AP_K_COUNT];                    /* key present with a valid number */
    double v[AP_K_COUNT];                    /* its value */
    char version[AP_TEXT_MAX];               /* ServerVersion, "" when absent */
    char mpm[AP_TEXT_MAX];                   /* ServerMPM, "" when absent */
    bool has_version;                        /* ServerVersion line seen */
    bool has_mpm;                            /* ServerMPM line seen */
    bool has_scoreboard;                     /* Scoreboard line seen */
    double sb[AP_SB_COUNT];                  /* scoreboard count per known state */
    double sb_other[128];                    /* count per other printable ASCII char */
    struct ap_balancer_worker *workers;      /* owned; nworkers used */
    size_t nworkers;                         /* entries used */
    size_t capworkers;                       /* entries allocated */
    unsigned keys;                           /* "Key: value" lines seen */
    unsigned bad_values;                     /* known keys whose value did not parse */
    unsigned first_bad_line;                 /* 1-based line of the first, 0 none */
    char first_bad_key[64];                  /* its key */
};

/* ap_status_init: empty storage (allocates nothing; cannot fail). */
void ap_status_init(struct ap_status *st);
/* ap_status_cleanup: free the worker array; st returns to the init state. */
void ap_status_cleanup(struct ap_status *st);

/* ap_status_parse: parse body (len bytes, need not be NUL-terminated) into st (reset
 * first). Lines are "Key: value"; unknown keys are ignored; a known numeric key whose
 * value does not parse is skipped and counted in bad_values (the rest still parses).
 * Classifies the page in st->page. Returns 0, or LM_ENOMEM (st then holds what was
 * parsed so far; err says so). Never reads past len. */
int ap_status_parse(const char *body, size_t len, struct ap_status *st, struct lm_err *err);

/* ap_status_version_number: upstream's apache_version value from ServerVersion:
 * "Apache/2.4.71 (Debian)" gives 2.04071 (major, minor as 2 digits, patch as 3).
 * Returns 0 and *out, or LM_EPARSE when the version has no major.minor.patch (as with
 * ServerTokens Prod or Major). */
int ap_status_version_number(const char *version, double *out);

/* ap_sb_label: the apache_scoreboard state label of a known state. */
const char *ap_sb_label(enum ap_sb s);

#endif
