/* SPDX-License-Identifier: Apache-2.0 */
/* bb.h: blackbox_exporter's internal interfaces: the parsed blackbox.yml (config.c), the
 * context handed to every prober and the prober table (probe.c), and the shared
 * TLS certificate reporting (tls.c). Probers keep no globals: everything a probe needs is
 * in struct bb_probe, so probes run concurrently from the HTTP server's threads. */
#ifndef BB_H
#define BB_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include "lm/buf.h"
#include "lm/emit.h"
#include "lm/err.h"
#include "lm/log.h"
#include "lm/regex.h"

enum bb_prober_kind { BB_HTTP = 0, BB_TCP, BB_ICMP, BB_DNS, BB_GRPC };

struct bb_regexes {
    struct lm_regex **re;           /* compiled patterns (owned by the config) */
    size_t n;                       /* count */
};

struct bb_header_match {
    const char *header;             /* header name */
    struct lm_regex *re;            /* pattern */
    bool allow_missing;             /* a missing header is not a failure */
};

struct bb_kv {
    const char *key;                /* header name */
    const char *value;              /* header value */
};

struct bb_tls_config {
    bool insecure_skip_verify;      /* do not verify the peer */
    const char *ca_file;            /* CA bundle, or NULL for the system one */
    const char *cert_file;          /* client certificate, or NULL */
    const char *key_file;           /* client key, or NULL */
    const char *server_name;        /* SNI and verification name, or NULL */
    const char *min_version;        /* "TLS10".."TLS13", or NULL */
};

struct bb_ipopts {
    int preferred;                  /* 4 or 6 (upstream default ip6) */
    bool fallback;                  /* try the other family (default true) */
    const char *source_ip;          /* bind address, or NULL */
};

struct bb_http_module {
    struct bb_ipopts ip;                     /* address family choice */
    int *valid_status;                       /* accepted codes; none: 2xx */
    size_t nvalid_status;                    /* count */
    const char **valid_versions;             /* "HTTP/1.1", ...; none: any */
    size_t nvalid_versions;                  /* count */
    const char *method;                      /* "GET" by default */
    struct bb_kv *headers;                   /* request headers */
    size_t nheaders;                         /* count */
    const char *body;                        /* request body, or NULL */
    bool fail_if_ssl;                        /* fail when the final hop used TLS */
    bool fail_if_not_ssl;                    /* fail when it did not */
    struct bb_regexes body_match;            /* fail_if_body_matches_regexp */
    struct bb_regexes body_not_match;        /* fail_if_body_not_matches_regexp */
    struct bb_header_match *hdr_match;       /* fail_if_header_matches */
    size_t nhdr_match;                       /* count */
    struct bb_header_match *hdr_not_match;   /* fail_if_header_not_matches */
    size_t nhdr_not_match;                   /* count */
    bool follow_redirects;                   /* default true */
    bool enable_http2;                       /* default true */
    const char *username;                    /* basic_auth username, or NULL */
    const char *password;                    /* basic_auth password, or NULL */
    const char *password_file;               /* basic_auth password_file, or NULL */
    const char *bearer_token;                /* bearer token, or NULL */
    const char *bearer_token_file;           /* file holding it, or NULL */
    const char *compression;                 /* Accept-Encoding value, or NULL */
    long body_size_limit;                    /* bytes, 0: our cap */
    struct bb_tls_config tls;                /* tls_config */
};

struct bb_query_response {
    struct lm_regex *expect;        /* line to wait for, or NULL */
    const char *send;               /* line to send (CRLF not added: "\n"), or NULL */
    bool starttls;                  /* upgrade to TLS at this step */
};

struct bb_tcp_module {
    struct bb_ipopts ip;                 /* address family choice */
    struct bb_query_response *qr;        /* query_response steps */
    size_t nqr;                          /* count */
    bool tls;                            /* TLS from the start */
    struct bb_tls_config tls_config;     /* tls_config */
};

struct bb_icmp_module {
    struct bb_ipopts ip;            /* address family choice */
    bool dont_fragment;             /* set DF (IPv4) */
    int payload_size;               /* bytes of payload, 0: the default text */
    int ttl;                        /* outgoing TTL / hop limit (default 64) */
};

struct bb_rr_validate {
    struct bb_regexes matches;      /* fail_if_matches_regexp */
    struct bb_regexes all_match;    /* fail_if_all_match_regexp */
    struct bb_regexes not_matches;  /* fail_if_not_matches_regexp */
    struct bb_regexes none_matches; /* fail_if_none_matches_regexp */
};

struct bb_dns_module {
    struct bb_ipopts ip;                 /* address family choice */
    bool tcp;                            /* transport_protocol tcp */
    const char *query_name;              /* name to ask for */
    int query_type;                      /* RR type code (default ANY = 255) */
    int query_class;                     /* class code (default IN = 1) */
    bool recursion_desired;              /* RD bit (default true) */
    int *valid_rcodes;                   /* accepted rcodes; none: NOERROR */
    size_t nvalid_rcodes;                /* count */
    struct bb_rr_validate answer;        /* validate_answer_rrs */
    struct bb_rr_validate authority;     /* validate_authority_rrs */
    struct bb_rr_validate additional;    /* validate_additional_rrs */
};

struct bb_module {
    const char *name;               /* key under modules: */
    enum bb_prober_kind prober;     /* prober: */
    double timeout;                 /* seconds, 0: none set */
    struct bb_http_module http;     /* http: */
    struct bb_tcp_module tcp;       /* tcp: */
    struct bb_icmp_module icmp;     /* icmp: */
    struct bb_dns_module dns;       /* dns: */
};

struct bb_config;

/* bb_config_parse: parse blackbox.yml text (len bytes) named file (for messages). Unknown
 * keys, wrong types, bad durations, bad regexes and unknown probers are errors with
 * err->where = "file:line:col" (1-based). Returns an owned config or NULL with err set
 * (LM_ECONFIG, or LM_ENOMEM). */
struct bb_config *bb_config_parse(const char *text, size_t len, const char *file,
                                  struct lm_err *err);
/* bb_config_load: read path and parse it as above (LM_EIO when unreadable). */
struct bb_config *bb_config_load(const char *path, struct lm_err *err);
/* bb_config_free: free everything (accepts NULL). */
void bb_config_free(struct bb_config *c);
/* bb_config_module: the module called name (borrowed, lives with c), or NULL. */
const struct bb_module *bb_config_module(const struct bb_config *c, const char *name);
size_t bb_config_count(const struct bb_config *c);
const struct bb_module *bb_config_nth(const struct bb_config *c, size_t i);
/* bb_prober_name: "http", "tcp", ... */
const char *bb_prober_name(enum bb_prober_kind k);
/* bb_dns_type_code / bb_dns_type_name: RR type mnemonic <-> code; -1 / NULL unknown. */
int bb_dns_type_code(const char *name);
const char *bb_dns_type_name(int code);

/* One probe. Everything a prober may touch; built per request by main.c. */
struct bb_probe {
    const struct bb_module *mod;    /* the module (borrowed for the probe) */
    const char *target;             /* target= */
    const char *hostname;           /* hostname= (http only), or NULL */
    double deadline;                /* CLOCK_MONOTONIC seconds */
    double timeout;                 /* the probe's timeout, seconds */
    struct lm_emit *e;              /* this probe's registry */
    struct lm_log *log;             /* this probe's log (kept for debug=true) */
};

#define bb_plog(p, lvl, msg, ...) \
    LM_LOG((p)->log, lvl, msg, "module", (p)->mod->name, "target", (p)->target, __VA_ARGS__)
#define bb_pinfo(p, msg, ...) bb_plog(p, LM_LOG_INFO, msg, __VA_ARGS__)
#define bb_perror(p, msg, ...) bb_plog(p, LM_LOG_ERROR, msg, __VA_ARGS__)

/* A prober: run the probe, emit its families into p->e, return true on success. */
typedef bool bb_prober_fn(struct bb_probe *p);

struct bb_prober {
    const char *name;               /* "http" */
    bb_prober_fn *run;              /* the probe */
};

/* bb_prober_find: the prober for kind, or NULL when not built in. */
const struct bb_prober *bb_prober_find(enum bb_prober_kind k);

extern const struct bb_prober bb_prober_http;
extern const struct bb_prober bb_prober_tcp;
extern const struct bb_prober bb_prober_icmp;
extern const struct bb_prober bb_prober_dns;

/* The DNS wire format (dnsmsg.c). */
struct bb_dns_rr {
    char *text;                     /* "name\tttl\tclass\ttype\trdata" (owned) */
    size_t len;                     /* strlen(text) */
    int type;                       /* RR type code */
    unsigned long soa_serial;       /* SOA serial, when type is SOA */
};

struct bb_dns_reply {
    unsigned id;                    /* message id */
    bool qr;                        /* QR bit: this is a response */
    bool tc;                        /* TC bit: truncated */
    int rcode;                      /* header rcode (0..15) */
    struct bb_dns_rr *rrs[3];       /* answer, authority, additional */
    size_t n[3];                    /* counts */
};

/* bb_dns_build_query: a one-question query for name (dots between labels, a trailing
 * dot optional) into out. Returns its length, or -1 when the name is invalid or out is
 * too small. */
int bb_dns_build_query(unsigned char *out, size_t outsz, unsigned id, const char *name,
                       int type, int cls, bool rd);
/* bb_dns_parse_reply: parse a whole message; on 0 rep owns the rendered RRs (free with
 * bb_dns_reply_free), on -1 (malformed or out of memory) rep holds nothing. */
int bb_dns_parse_reply(const unsigned char *msg, size_t len, struct bb_dns_reply *rep);
void bb_dns_reply_free(struct bb_dns_reply *rep);
/* bb_dns_rcode_name: "NOERROR", "NXDOMAIN", ... */
const char *bb_dns_rcode_name(int rcode);

/* bb_resolve: look host up as the module's ip options say, emitting
 * probe_dns_lookup_time_seconds, probe_ip_protocol and probe_ip_addr_hash. port (may be
 * NULL) is put in the address. *lookup gets the lookup seconds. Logs "Resolving target
 * address" and the outcome. Returns 0 or -1 (logged). */
int bb_resolve(struct bb_probe *p, const char *host, const char *port,
               const struct bb_ipopts *ip, struct sockaddr_storage *out, socklen_t *outlen,
               double *lookup);
/* bb_split_hostport: "host:port" / "[v6]:port" into host and port buffers. -1 on bad. */
int bb_split_hostport(const char *s, char *host, size_t hostsz, char *port, size_t portsz);
/* bb_addr_string: numeric text of a socket address. */
void bb_addr_string(const struct sockaddr_storage *ss, char *out, size_t outsz);
/* bb_gauge: one unlabelled gauge family. */
void bb_gauge(struct lm_emit *e, const char *name, const char *help, double v);

/* bb_dial: a non-blocking, close-on-exec TCP socket connected to ss by deadline. The fd,
 * or -1 with why (Go's wording: "connect: connection refused", "i/o timeout"). */
int bb_dial(const struct sockaddr_storage *ss, socklen_t sl, double deadline, char *why,
            size_t whysz);

/* bb_compression_known: alg is a `compression` value we decode (or "", "identity"). */
static inline bool
bb_compression_known(const char *alg)
{
    return !*alg || !strcmp(alg, "gzip") || !strcmp(alg, "deflate") ||
           !strcmp(alg, "identity");
}

/* bb_decompress: n bytes at in decoded as alg ("gzip", or "deflate": raw deflate) and
 * appended to out (its max caps the output). 0, or LM_EIO (bad data), LM_ETOOBIG (over
 * out->max) or LM_ENOMEM with why in Go's words ("gzip: invalid header", "http: request
 * body too large"). */
int bb_decompress(const char *alg, const void *in, size_t n, struct lm_buf *out, char *why,
                  size_t whysz);

/* The probe history (history.c): the last `limit` probes with their debug=true text. */
struct bb_history;
/* bb_history_new: an empty history of limit entries (0: keeps nothing); NULL on OOM. */
struct bb_history *bb_history_new(size_t limit);
void bb_history_free(struct bb_history *h);
/* bb_history_add: keep copies of a finished probe's facts and text (thread-safe; an
 * allocation failure drops the entry). */
void bb_history_add(struct bb_history *h, const char *module, const char *target, bool ok,
                    const char *text, size_t len);
/* bb_history_text: append probe id's debug text to out: 0, LM_ENOENT (gone or never
 * was) or out's error. */
int bb_history_text(struct bb_history *h, long id, struct lm_buf *out);
/* bb_history_html: the "Recent Probes" table, newest first, appended to out. */
void bb_history_html(struct bb_history *h, struct lm_buf *out);

struct lm_tlsc_info;
struct lm_tlsc_opts;

/* bb_tls_opts: lm/tlsc.h options from a module's tls_config; the server name is
 * tls_config.server_name, else name. Borrows from t and name. */
void bb_tls_opts(const struct bb_tls_config *t, const char *name, struct lm_tlsc_opts *o);
/* bb_tls_emit: the probe_ssl_* and probe_tls_version_info families of a handshake. */
void bb_tls_emit(struct lm_emit *e, const struct lm_tlsc_info *info);

#endif
