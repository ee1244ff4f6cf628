/* SPDX-License-Identifier: Apache-2.0 */
/* pgwire.h: the PostgreSQL frontend/backend protocol v3 as pure functions over bytes:
 * framing of backend messages, the readers of the messages the exporter handles
 * (Authentication*, ParameterStatus, BackendKeyData, ErrorResponse/NoticeResponse,
 * RowDescription, DataRow, CommandComplete, ReadyForQuery), the writers of the frontend
 * messages it sends (StartupMessage, SSLRequest, PasswordMessage, SASLInitialResponse,
 * SASLResponse, Query, Terminate), the query result container (pgresult.c) and the
 * password exchanges (pgauth.c: MD5, SCRAM-SHA-256). No I/O here: pgsession.c does it.
 * Every reader checks every length against the bytes it was given. Prefix pgw_. */
#ifndef PGE_PGWIRE_H
#define PGE_PGWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lm/buf.h"
#include "lm/err.h"

#define PGW_MAX_MSG (256u << 20)   /* largest backend message accepted (bytes) */
#define PGW_MAX_FIELDS 1664        /* PostgreSQL's own column limit */
#define PGW_PROTO_V3 196608        /* 3.0 */
#define PGW_SSL_REQUEST 80877103   /* 1234.5679 */
#define PGW_CANCEL_REQUEST 80877102 /* 1234.5678 */

/* ---- pgwire.c: framing ------------------------------------------------------------- */
/* pgw_frame: the backend message at the start of p (n bytes): *type and the payload
 * (*body, *blen) inside p. Returns the message's whole size (> 0), 0 when p holds only a
 * part of it (*need = the size to wait for, or 5 while the header is incomplete), or -1
 * when its length word is invalid (< 4 or over PGW_MAX_MSG). */
long pgw_frame(const uint8_t *p, size_t n, char *type, const uint8_t **body, size_t *blen,
               size_t *need);

/* ---- pgwire.c: readers (each returns 0, or -1 for a malformed message) -------------- */
/* Authentication ('R'): the request code and the bytes after it. */
int pgw_read_auth(const uint8_t *p, size_t n, uint32_t *code, const uint8_t **data,
                  size_t *dlen);
/* ParameterStatus ('S'): name and value point into p (NUL-terminated there). */
int pgw_read_param(const uint8_t *p, size_t n, const char **name, const char **value);
/* BackendKeyData ('K'). */
int pgw_read_key(const uint8_t *p, size_t n, uint32_t *pid, uint32_t *secret);
/* ReadyForQuery ('Z'): the transaction status byte. */
int pgw_read_ready(const uint8_t *p, size_t n, char *status);

/* The fields of an ErrorResponse ('E') or NoticeResponse ('N') that matter; each points
 * into the message (NUL-terminated there), or is NULL when absent. */
struct pgw_notice {
    const char *severity;         /* S (localized) */
    const char *severity_nl;      /* V (never localized) */
    const char *code;             /* C: SQLSTATE */
    const char *message;          /* M */
    const char *detail;           /* D */
    const char *hint;             /* H */
};
int pgw_read_notice(const uint8_t *p, size_t n, struct pgw_notice *out);
/* pgw_notice_format: "FATAL: message (SQLSTATE 28P01) DETAIL: ... HINT: ..." into out
 * (outsz bytes, truncated, control characters replaced by spaces). */
void pgw_notice_format(const struct pgw_notice *nt, char *out, size_t outsz);

/* The result of one query (simple Query protocol): columns and rows of text values. */
struct pge_result {
    int nfields;                  /* columns */
    int ntuples;                  /* rows */
    char **fname;                 /* owned array of nfields owned names */
    uint32_t *ftype;              /* owned array of nfields type OIDs */
    size_t *off;                  /* owned; ntuples * nfields offsets into data, or SIZE_MAX for NULL */
    size_t ncells;                /* cells added so far (the last row may be partial) */
    size_t offcap;                /* entries allocated in off */
    struct lm_buf data;           /* the cell texts, each NUL-terminated */
};
/* RowDescription ('T'): set res's columns (res must have none yet). -1 also on OOM
 * (*oom set). */
int pgw_read_rowdesc(const uint8_t *p, size_t n, struct pge_result *res, bool *oom);
/* DataRow ('D'): append one row to res (its column count must match). -1 also on OOM. */
int pgw_read_datarow(const uint8_t *p, size_t n, struct pge_result *res, bool *oom);

/* ---- pgwire.c: writers (append to b; 0 or b's sticky error) ------------------------- */
/* StartupMessage: protocol 3.0 with the NULL-terminated name/value pairs kv. */
int pgw_put_startup(struct lm_buf *b, const char *const *kv);
int pgw_put_ssl_request(struct lm_buf *b);
/* CancelRequest for the backend pid with its secret key (sent on a new connection). */
int pgw_put_cancel(struct lm_buf *b, uint32_t pid, uint32_t secret);
/* PasswordMessage ('p') with a NUL-terminated password (cleartext or md5 hash). */
int pgw_put_password(struct lm_buf *b, const char *pw);
int pgw_put_sasl_initial(struct lm_buf *b, const char *mech, const void *data, size_t len);
int pgw_put_sasl_response(struct lm_buf *b, const void *data, size_t len);
int pgw_put_query(struct lm_buf *b, const char *sql);
int pgw_put_terminate(struct lm_buf *b);

/* ---- pgresult.c --------------------------------------------------------------------- */
/* pge_result_new: an empty owned result (NULL on OOM); pge_result_free frees it (NULL ok). */
struct pge_result *pge_result_new(void);
void pge_result_free(struct pge_result *r);
/* pge_result_add_field: append a column (name copied). 0 or LM_ENOMEM. */
int pge_result_add_field(struct pge_result *r, const char *name, size_t namelen,
                         uint32_t type);
/* pge_result_add_cell: append the next cell of the current row (val NULL for SQL NULL);
 * a row is complete after nfields cells. 0, LM_ENOMEM or LM_ETOOBIG. */
int pge_result_add_cell(struct pge_result *r, const char *val, size_t len);
/* pge_result_end_row: count the row whose cells were just added. */
void pge_result_end_row(struct pge_result *r);
/* Accessors (row, col in range): the text of a cell ("" for NULL), whether it is NULL,
 * a column's name and type OID. */
const char *pge_result_value(const struct pge_result *r, int row, int col);
bool pge_result_isnull(const struct pge_result *r, int row, int col);
const char *pge_result_fname(const struct pge_result *r, int col);
uint32_t pge_result_ftype(const struct pge_result *r, int col);

/* ---- pgauth.c ----------------------------------------------------------------------- */
/* pgw_md5_password: "md5" + md5hex(md5hex(password + user) + salt) into out. */
void pgw_md5_password(const char *user, const char *password, const uint8_t salt[4],
                      char out[36]);

/* A SCRAM-SHA-256 exchange (RFC 5802, RFC 7677) without channel binding. */
struct pgw_scram {
    char first_bare[160];         /* client-first-message-bare */
    char nonce[64];               /* client nonce */
    uint8_t server_sig[32];       /* expected ServerSignature, after client_final */
    bool final_sent;              /* client_final succeeded */
};
/* pgw_scram_first: start: the client-first-message ("n,,n=USER,r=NONCE") into out.
 * nonce: printable, without ',' (NULL: 24 random base64 characters). 0 or LM_EINVAL/
 * LM_EIO (no randomness) / out's error. */
int pgw_scram_first(struct pgw_scram *s, const char *user, const char *nonce,
                    struct lm_buf *out, struct lm_err *err);
/* pgw_scram_final: read the server-first-message (n bytes) and append the
 * client-final-message with the proof for password to out. 0 or LM_EPARSE (bad or
 * unsafe server message: nonce not extending ours, iteration count out of range, bad
 * salt) with err set; the password never appears in err. */
int pgw_scram_final(struct pgw_scram *s, const char *password, const char *msg, size_t n,
                    struct lm_buf *out, struct lm_err *err);
/* pgw_scram_verify: check the server-final-message: 0 when its signature is the one
 * expected, LM_EPARSE (malformed, "e=" server error, or a wrong signature) otherwise. */
int pgw_scram_verify(struct pgw_scram *s, const char *msg, size_t n, struct lm_err *err);
/* pgw_scram_cleanup: wipe s. */
void pgw_scram_cleanup(struct pgw_scram *s);

#endif
