/* SPDX-License-Identifier: Apache-2.0 */
/* zeo_client.h: just enough of the ZEO wire protocol to ask a ZEO storage server for its
 * status: sized frames (4-byte big-endian length + payload), the server's announcement
 * ("Z5", "M5", "Z4", ...), the `ruok` request and its JSON reply (ZEO >= 4.1), and the
 * legacy ZEO <= 4 monitor-server text report. zeo_client.c does the I/O; zeo_status.c the
 * pure parsing (JSON mapping, TID and ctime decoding), usable without a socket. Nothing
 * here prints; every failure is returned with a struct lm_err. */
#ifndef ZEO_CLIENT_H
#define ZEO_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include "lm/err.h"

#define ZEO_MAX_ANNOUNCE 64              /* announcement payload bytes ("Z5", "Z3101") */
#define ZEO_MAX_REPLY (4UL * 1024 * 1024) /* ruok JSON / monitor report bytes */
#define ZEO_MAX_STORAGES 1024            /* storages kept from one reply */
#define ZEO_NAME_MAX 256                 /* storage name bytes kept (incl. NUL) */

/* timeout-thread-is-alive as reported. */
enum zeo_tt {
    ZEO_TT_ABSENT = 0,   /* key missing (ZEO 4, monitor mode) */
    ZEO_TT_DEAD,         /* false */
    ZEO_TT_ALIVE,        /* true */
    ZEO_TT_STUB,         /* "stub": no transaction-timeout configured */
};

/* One storage's figures. Doubles hold JSON integers exactly up to 2^53. */
struct zeo_storage {
    char name[ZEO_NAME_MAX];       /* storage name ("1" by default) */
    double connections;            /* connected clients */
    double waiting;                /* transactions waiting for the commit lock */
    double active_txns;            /* transactions in progress */
    double commits;                /* finished transactions (counter) */
    double aborts;                 /* aborted transactions (counter) */
    double loads;                  /* object loads (counter) */
    double stores;                 /* stores (counter) */
    double conflicts;              /* conflict errors (counter) */
    double conflicts_resolved;     /* resolved conflicts (counter) */
    double verifying;              /* verifying_clients (ZEO 4 only) */
    bool has_verifying;            /* verifying is set */
    double lock_time;              /* epoch the commit lock was taken */
    bool lock_held;                /* lock_time is set (not null) */
    double lock_held_for;          /* monitor mode: seconds the lock has been held */
    bool has_lock_held_for;        /* lock_held_for is set */
    double start;                  /* server start, epoch seconds */
    bool has_start;                /* start parsed */
    double last_txn;               /* last committed TID as epoch seconds */
    bool has_last_txn;             /* last_txn is set (storage not empty) */
    enum zeo_tt timeout_thread;    /* timeout-thread-is-alive */
    unsigned seen;                 /* ZEO_SEEN bits of the counters/gauges reported */
};

/* The bit of seen that tells whether the double at offset off of struct zeo_storage
 * (connections .. conflicts_resolved) was reported: monitor reports lack "waiting". */
#define ZEO_SEEN(off) (1u << (((off) - offsetof(struct zeo_storage, connections)) / \
                              sizeof(double)))

/* A whole reply: the announcement and every storage. */
struct zeo_status {
    char protocol[ZEO_MAX_ANNOUNCE + 1];  /* announcement ("Z5"); "" in monitor mode */
    struct zeo_storage *storages;         /* owned array (lm_malloc) */
    size_t n;                             /* storages used */
};

/* zeo_status_init: empty status in caller storage; cannot fail. zeo_status_cleanup:
 * free the storages and return to the init state. */
void zeo_status_init(struct zeo_status *st);
void zeo_status_cleanup(struct zeo_status *st);

/* ---- pure parsing (zeo_status.c) ------------------------------------------------ */

/* zeo_frame_size: given the first len bytes of a stream, the total size of the first
 * frame (4 + payload length) in *total, or 4 when fewer than 4 bytes are known.
 * Returns 0, or LM_ETOOBIG (with err) when the announced payload exceeds max. */
int zeo_frame_size(const unsigned char *buf, size_t len, size_t max, size_t *total,
                   struct lm_err *err);

/* zeo_announce_check: validate an announcement payload (1..ZEO_MAX_ANNOUNCE printable
 * bytes; first byte 'Z' (pickle) or 'M' (msgpack), then a version) and copy it into
 * st->protocol. Returns 0 or LM_EPARSE with err. */
int zeo_announce_check(const unsigned char *p, size_t len, struct zeo_status *st,
                       struct lm_err *err);

/* zeo_status_parse_json: map a ruok JSON reply (object of storage name -> object of
 * stats; unknown keys ignored, wrong types refused) into st (storages appended).
 * Returns 0, LM_EPARSE with err (line:col of a JSON error), or LM_ENOMEM. */
int zeo_status_parse_json(const char *json, size_t len, struct zeo_status *st,
                          struct lm_err *err);

/* zeo_reply_parse: a whole captured server stream: announcement frame then reply frame
 * (the fuzz target's unit). Returns 0, LM_EPARSE, LM_ETOOBIG or LM_ENOMEM with err. */
int zeo_reply_parse(const unsigned char *data, size_t len, struct zeo_status *st,
                    struct lm_err *err);

/* zeo_monitor_parse: the legacy monitor server's text report (ZEO <= 4). Returns 0,
 * LM_EPARSE with err (line number), LM_ETOOBIG or LM_ENOMEM. "Commit lock held for: N"
 * becomes lock_held_for. */
int zeo_monitor_parse(const char *text, size_t len, struct zeo_status *st,
                      struct lm_err *err);

/* zeo_tid_time: the 16 hex digits of a ZODB TID as UTC epoch seconds (persistent's
 * TimeStamp layout: high 32 bits minutes since 1900-01-01 00:00 with 31-day months,
 * low 32 bits seconds * 2^32 / 60). *empty is set for "0000000000000000".
 * Returns 0 or LM_EPARSE (wrong length, not hex, or a field out of range). */
int zeo_tid_time(const char *hex, size_t len, double *out, bool *empty);

/* zeo_ctime_parse: Python ctime-format text, e.g. ("Sun Jan  4 09:37:03 2015"), which is the
 * server's local time, as epoch seconds using this process's time zone (TZ).
 * Returns 0 or LM_EPARSE. Thread-safe. */
int zeo_ctime_parse(const char *s, double *out);

/* ---- network (zeo_client.c) ------------------------------------------------------ */

/* zeo_fetch: connect to address (host:port, [v6addr]:port, or a unix socket path: anything
 * containing '/', or unix:PATH; see proto/sock.h), read the announcement frame, send `ruok`, read the reply
 * frame and parse it into st. With monitor set, instead read a legacy monitor-server
 * report to EOF and parse that. Everything (resolution excepted) finishes by deadline
 * (CLOCK_MONOTONIC seconds). Returns 0, or LM_EINVAL (bad address), LM_EIO (connect,
 * read, peer closed), LM_ETIMEOUT, LM_ETOOBIG, LM_EPARSE or LM_ENOMEM, with err->where
 * the address. Thread-safe (no shared state). */
int zeo_fetch(const char *address, bool monitor, double deadline, struct zeo_status *st,
              struct lm_err *err);

#endif
