/* SPDX-License-Identifier: Apache-2.0 */
/* csv_parse.h: a record reader for HAProxy's stats CSV (`show stat`, `/stats;csv`) with
 * the semantics of Go's encoding/csv as haproxy_exporter 0.14 configures it: '#' lines
 * are comments (the header), blank lines are skipped, RFC 4180 quoting ("" inside quotes,
 * quoted fields may span lines), a bare quote is an error, and every record must have
 * as many fields as the first good one. A bad record is reported and skipped; reading
 * continues with the next. Pure: no I/O, no logging. */
#ifndef HAP_CSV_PARSE_H
#define HAP_CSV_PARSE_H

#include <stddef.h>
#include "lm/err.h"

#define HAP_CSV_MAX_FIELDS 4096   /* fields in one record */

/* Reader state. Set up with hap_csv_init; free with hap_csv_cleanup. */
struct hap_csv {
    const char *p;        /* next unread byte (borrowed input) */
    const char *end;      /* end of input */
    size_t line;          /* 1-based line of the next unread byte */
    size_t expect;        /* fields per record, from the first good one; 0 until then */
    char *buf;            /* owned: the current record's fields, each NUL-terminated */
    size_t buflen;        /* bytes used in buf */
    size_t bufcap;        /* bytes allocated in buf */
    size_t *off;          /* owned: offset of field i in buf */
    size_t nf;            /* fields in the current record */
    size_t capf;          /* entries allocated in off */
};

/* hap_csv_init: read data (len bytes, borrowed, need not be NUL-terminated; it must
 * outlive the reader). Allocates nothing; cannot fail. */
void hap_csv_init(struct hap_csv *c, const char *data, size_t len);
/* hap_csv_cleanup: free the field storage. */
void hap_csv_cleanup(struct hap_csv *c);

/* hap_csv_next: read the next record. Returns 1 (a record: read it with the accessors,
 * valid until the next call), 0 at the end, LM_EPARSE for a bad record (err->where is
 * "line N", err->msg Go's wording; the record is skipped and the caller may call again),
 * or LM_ENOMEM (stop). */
int hap_csv_next(struct hap_csv *c, struct lm_err *err);

/* hap_csv_nfields / hap_csv_field: the current record's field count and field i as a
 * NUL-terminated view ("" when i is out of range). */
size_t hap_csv_nfields(const struct hap_csv *c);
const char *hap_csv_field(const struct hap_csv *c, size_t i);

#endif
