/* SPDX-License-Identifier: Apache-2.0 */
/* config.c: blackbox.yml reader (libyaml document API). Strict like upstream's YAML
 * decoding: unknown keys, wrong node kinds, bad durations, unknown probers and regexes
 * that do not compile are errors naming file:line:col. Every string, array and regex of
 * a config lives in its arena and is freed by bb_config_free in one go. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>
#include "blackbox_exporter/bb.h"
#include "lm/alloc.h"
#include "lm/duration.h"

#define BB_CONFIG_MAX_BYTES (16L * 1024 * 1024)   /* a larger blackbox.yml is refused */

struct arena_block {
    struct arena_block *next;       /* older block */
};

struct bb_config {
    struct bb_module *mods;         /* modules in file order */
    size_t n;                       /* count */
    struct arena_block *blocks;     /* every allocation below */
    struct lm_regex **regexes;      /* compiled regexes to free */
    size_t nregex;                  /* used */
    size_t capregex;                /* allocated */
};

/* Parse state for one document. */
struct pctx {
    struct bb_config *c;            /* the config being built */
    yaml_document_t *doc;           /* libyaml document */
    const char *file;               /* name for messages */
    struct lm_err *err;             /* where errors go */
};

static void *
aalloc(struct bb_config *c, size_t n)
{
    struct arena_block *b = lm_calloc(1, sizeof *b + n + 16);
    if (!b)
        return NULL;
    b->next = c->blocks;
    c->blocks = b;
    return (char *)b + sizeof *b + (16 - sizeof *b % 16) % 16;
}

static int fail(struct pctx *x, yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* fail: an LM_ECONFIG naming file:line:col of node n (may be NULL). */
static int
fail(struct pctx *x, yaml_node_t *n, const char *fmt, ...)
{
    char where[LM_ERR_WHERE_MAX], msg[LM_ERR_MSG_MAX];
    va_list ap;
    snprintf(where, sizeof where, "%s:%lu:%lu", x->file,
             n ? (unsigned long)n->start_mark.line + 1 : 0UL,
             n ? (unsigned long)n->start_mark.column + 1 : 0UL);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lm_err_set(x->err, LM_ECONFIG, where, "%s", msg);
}

static int
nomem(struct pctx *x)
{
    return lm_err_set(x->err, LM_ENOMEM, x->file, "out of memory");
}

static const char *
scalar(yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int
get_str(struct pctx *x, yaml_node_t *n, const char *key, const char **out)
{
    const char *s = scalar(n);
    if (!s)
        return fail(x, n, "field %s: expected a string", key);
    char *d = aalloc(x->c, strlen(s) + 1);
    if (!d)
        return nomem(x);
    memcpy(d, s, strlen(s) + 1);
    *out = d;
    return 0;
}

static int
get_bool(struct pctx *x, yaml_node_t *n, const char *key, bool *out)
{
    const char *s = scalar(n);
    if (s && (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "yes"))) {
        *out = true;
        return 0;
    }
    if (s && (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "no"))) {
        *out = false;
        return 0;
    }
    return fail(x, n, "field %s: cannot unmarshal %s into bool", key, s ? s : "non-scalar");
}

static int
get_int(struct pctx *x, yaml_node_t *n, const char *key, long *out)
{
    const char *s = scalar(n);
    char *end;
    if (!s || !*s)
        return fail(x, n, "field %s: expected an integer", key);
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end || errno)
        return fail(x, n, "field %s: cannot unmarshal %s into int", key, s);
    *out = v;
    return 0;
}

static int
get_regex(struct pctx *x, yaml_node_t *n, struct lm_regex **out)
{
    const char *s = scalar(n);
    struct lm_err rerr;
    if (!s)
        return fail(x, n, "expected a regular expression");
    struct lm_regex *re = lm_regex_new(s, false, &rerr);
    if (!re) {
        if (rerr.code == LM_ENOMEM)
            return nomem(x);
        return fail(x, n, "\"%s\": %s", s, rerr.msg);
    }
    struct bb_config *c = x->c;
    if (c->nregex == c->capregex) {
        size_t ncap = c->capregex ? c->capregex * 2 : 16;
        struct lm_regex **r = lm_realloc(c->regexes, ncap * sizeof *r);
        if (!r) {
            lm_regex_free(re);
            return nomem(x);
        }
        c->regexes = r;
        c->capregex = ncap;
    }
    c->regexes[c->nregex++] = re;
    *out = re;
    return 0;
}

/* seq: the items of a sequence node; NULL with an error for other kinds. */
static yaml_node_item_t *
seq(struct pctx *x, yaml_node_t *n, const char *key, size_t *count)
{
    if (n->type != YAML_SEQUENCE_NODE) {
        fail(x, n, "field %s: expected a list", key);
        return NULL;
    }
    *count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    return n->data.sequence.items.start;
}

static int
get_regexes(struct pctx *x, yaml_node_t *n, const char *key, struct bb_regexes *out)
{
    size_t cnt;
    yaml_node_item_t *it = seq(x, n, key, &cnt);
    if (!it)
        return LM_ECONFIG;
    out->re = aalloc(x->c, (cnt + 1) * sizeof *out->re);
    if (!out->re)
        return nomem(x);
    for (size_t i = 0; i < cnt; i++) {
        int rc = get_regex(x, yaml_document_get_node(x->doc, it[i]), &out->re[i]);
        if (rc)
            return rc;
    }
    out->n = cnt;
    return 0;
}

/* A mapping walker: calls fn(x, key, value node, obj) for each pair. */
typedef int field_fn(struct pctx *x, const char *key, yaml_node_t *k, yaml_node_t *v,
                     void *obj);

static int
walk(struct pctx *x, yaml_node_t *n, const char *type, field_fn *fn, void *obj)
{
    if (n->type == YAML_SCALAR_NODE && !*scalar(n))
        return 0;   /* empty value: all defaults */
    if (n->type != YAML_MAPPING_NODE)
        return fail(x, n, "expected a mapping for %s", type);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(x->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(x->doc, p->value);
        const char *ks = k ? scalar(k) : NULL;
        if (!ks || !v)
            return fail(x, k, "expected a string key in %s", type);
        int rc = fn(x, ks, k, v, obj);
        if (rc)
            return rc;
    }
    return 0;
}

static int
unknown(struct pctx *x, yaml_node_t *k, const char *key, const char *type)
{
    return fail(x, k, "field %s not found in type %s", key, type);
}

static int
ip_field(struct pctx *x, const char *key, yaml_node_t *v, struct bb_ipopts *ip, bool *done)
{
    *done = true;
    if (!strcmp(key, "preferred_ip_protocol")) {
        const char *s = scalar(v);
        if (s && (!strcmp(s, "ip4") || !strcmp(s, "ipv4")))
            ip->preferred = 4;
        else if (s && (!strcmp(s, "ip6") || !strcmp(s, "ipv6") || !*s))
            ip->preferred = 6;
        else
            return fail(x, v, "preferred_ip_protocol: %s is not ip4 or ip6", s ? s : "?");
        return 0;
    }
    if (!strcmp(key, "ip_protocol_fallback"))
        return get_bool(x, v, key, &ip->fallback);
    if (!strcmp(key, "source_ip_address"))
        return get_str(x, v, key, &ip->source_ip);
    *done = false;
    return 0;
}

static int
tls_field(struct pctx *x, const char *key, yaml_node_t *k, yaml_node_t *v, void *obj)
{
    struct bb_tls_config *t = obj;
    if (!strcmp(key, "insecure_skip_verify"))
        return get_bool(x, v, key, &t->insecure_skip_verify);
    if (!strcmp(key, "ca_file"))
        return get_str(x, v, key, &t->ca_file);
    if (!strcmp(key, "cert_file"))
        return get_str(x, v, key, &t->cert_file);
    if (!strcmp(key, "key_file"))
        return get_str(x, v, key, &t->key_file);
    if (!strcmp(key, "server_name"))
        return get_str(x, v, key, &t->server_name);
    if (!strcmp(key, "min_version"))
        return get_str(x, v, key, &t->min_version);
    return unknown(x, k, key, "config.TLSConfig");
}

static int
auth_field(struct pctx *x, const char *key, yaml_node_t *k, yaml_node_t *v, void *obj)
{
    struct bb_http_module *h = obj;
    if (!strcmp(key, "username"))
        return get_str(x, v, key, &h->username);
    if (!strcmp(key, "password"))
        return get_str(x, v, key, &h->password);
    if (!strcmp(key, "password_file"))
        return get_str(x, v, key, &h->password_file);
    return unknown(x, k, key, "config.BasicAuth");
}

static int
hdrmatch_field(struct pctx *x, const char *key, yaml_node_t *k, yaml_node_t *v, void *obj)
{
    struct bb_header_match *m = obj;
    if (!strcmp(key, "header"))
        return get_str(x, v, key, &m->header);
    if (!strcmp(key, "regexp"))
        return get_regex(x, v, &m->re);
    if (!strcmp(key, "allow_missing"))
        return get_bool(x, v, key, &m->allow_missing);
    return unknown(x, k, key, "config.HeaderMatch");
}

static int
get_hdrmatches(struct pctx *x, yaml_node_t *v, const char *key, struct bb_header_match **out,
               size_t *nout)
{
    size_t cnt;
    yaml_node_item_t *it = seq(x, v, key, &cnt);
    if (!it)
        return LM_ECONFIG;
    *out = aalloc(x->c, (cnt + 1) * sizeof **out);
    if (!*out)
        return nomem(x);
    for (size_t i = 0; i < cnt; i++) {
        yaml_node_t *n = yaml_document_get_node(x->doc, it[i]);
        int rc = walk(x, n, "config.HeaderMatch", hdrmatch_field, &(*out)[i]);
        if (rc)
            return rc;
        if (!(*out)[i].header || !(*out)[i].re)
            return fail(x, n, "header and regexp must be set for %s", key);
    }
    *nout = cnt;
    return 0;
}

static int
http_field(struct pctx *x, const char *key, yaml_node_t *k, yaml_node_t *v, void *obj)
{
    struct bb_http_module *h = obj;
    bool done;
    int rc = ip_field(x, key, v, &h->ip, &done);
    if (done)
        return rc;
    size_t cnt;
    yaml_node_item_t *it;
    if (!strcmp(key, "valid_status_codes")) {
        if (!(it = seq(x, v, key, &cnt)))
            return LM_ECONFIG;
        if (!(h->valid_status = aalloc(x->c, (cnt + 1) * sizeof *h->valid_status)))
            return nomem(x);
        for (size_t i = 0; i < cnt; i++) {
            long c;
            if ((rc = get_int(x, yaml_document_get_node(x->doc, it[i]), key, &c)))
                return rc;
            h->valid_status[i] = (int)c;
        }
        h->nvalid_status = cnt;
        return 0;
    }
    if (!strcmp(key, "valid_http_versions")) {
        if (!(it = seq(x, v, key, &cnt)))
            return LM_ECONFIG;
        if (!(h->valid_versions = aalloc(x->c, (cnt + 1) * sizeof *h->valid_versions)))
            return nomem(x);
        for (size_t i = 0; i < cnt; i++)
            if ((rc = get_str(x, yaml_document_get_node(x->doc, it[i]), key,
                              &h->valid_versions[i])))
                return rc;
        h->nvalid_versions = cnt;
        return 0;
    }
    if (!strcmp(key, "headers")) {
        if (v->type != YAML_MAPPING_NODE)
            return fail(x, v, "field %s: expected a mapping", key);
        cnt = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
        if (!(h->headers = aalloc(x->c, (cnt + 1) * sizeof *h->headers)))
            return nomem(x);
        for (size_t i = 0; i < cnt; i++) {
            yaml_node_pair_t *p = &v->data.mapping.pairs.start[i];
            if ((rc = get_str(x, yaml_document_get_node(x->doc, p->key), key,
                              &h->headers[i].key)) ||
                (rc = get_str(x, yaml_document_get_node(x->doc, p->value), key,
                              &h->headers[i].value)))
                return rc;
        }
        h->nheaders = cnt;
        return 0;
    }
    if (!strcmp(key, "method"))
        return get_str(x, v, key, &h->method);
    if (!strcmp(key, "body"))
        return get_str(x, v, key, &h->body);
    if (!strcmp(key, "fail_if_ssl"))
        return get_bool(x, v, key, &h->fail_if_ssl);
    if (!strcmp(key, "fail_if_not_ssl"))
        return get_bool(x, v, key, &h->fail_if_not_ssl);
    if (!strcmp(key, "fail_if_body_matches_regexp"))
        return get_regexes(x, v, key, &h->body_match);
    if (!strcmp(key, "fail_if_body_not_matches_regexp"))
        return get_regexes(x, v, key, &h->body_not_match);
    if (!strcmp(key, "fail_if_header_matches"))
        return get_hdrmatches(x, v, key, &h->hdr_match, &h->nhdr_match);
    if (!strcmp(key, "fail_if_header_not_matches"))
        return get_hdrmatches(x, v, key, &h->hdr_not_match, &h->nhdr_not_match);
    if (!strcmp(key, "follow_redirects"))
        return get_bool(x, v, key, &h->follow_redirects);
    if (!strcmp(key, "no_follow_redirects")) {
        bool b;
        if ((rc = get_bool(x, v, key, &b)))
            return rc;
        h->follow_redirects = !b;
        return 0;
    }
    if (!strcmp(key, "enable_http2"))
        return get_bool(x, v, key, &h->enable_http2);
    if (!strcmp(key, "basic_auth"))
        return walk(x, v, "config.BasicAuth", auth_field, h);
    if (!strcmp(key, "bearer_token"))
        return get_str(x, v, key, &h->bearer_token);
    if (!strcmp(key, "bearer_token_file"))
        return get_str(x, v, key, &h->bearer_token_file);
    if (!strcmp(key, "proxy_url"))   /* the prober has no proxy client (prober/http.c) */
        return fail(x, v, "field %s: not supported by this build (no proxy client)", key);
    if (!strcmp(key, "compression")) {   /* what decompress.c decodes */
        if (!(rc = get_str(x, v, key, &h->compression)) && !bb_compression_known(h->compression))
            return fail(x, v, "field %s: unsupported compression algorithm", key);
        return rc;
    }
    if (!strcmp(key, "body_size_limit")) {
        const char *s = scalar(v);
        char *end;
        double d = s ? strtod(s, &end) : 0;
        if (!s || end == s)
            return fail(x, v, "field %s: bad size %s", key, s ? s : "");
        if (!strcasecmp(end, "KB") || !strcasecmp(end, "KiB"))
            d *= 1024;
        else if (!strcasecmp(end, "MB") || !strcasecmp(end, "MiB"))
            d *= 1024 * 1024;
        else if (!strcasecmp(end, "GB") || !strcasecmp(end, "GiB"))
            d *= 1024.0 * 1024 * 1024;
        else if (*end && strcasecmp(end, "B"))
            return fail(x, v, "field %s: bad size %s", key, s);
        h->body_size_limit = (long)d;
        return 0;
    }
    if (!strcmp(key, "tls_config"))
        return walk(x, v, "config.TLSConfig", tls_field, &h->tls);
    return unknown(x, k, key, "config.HTTPProbe");
}

static int
qr_field(struct pctx *x, const char *key, yaml_node_t *k, yaml_node_t *v, void *obj)
{
    struct bb_query_response *q = obj;
    if (!strcmp(key, "expect"))
        return get_regex(x, v, &q->expect);
    if (!strcmp(key, "send"))
        return get_str(x, v, key, &q->send);
    if (!strcmp(key, "starttls"))
        return get_bool(x, v, key, &q->starttls);
    return unknown(x, k, key, "config.QueryResponse");
}

static int
tcp_field(struct pctx *x, const char *key, yaml_node_t *k, yaml_node_t *v, void *obj)
{
    struct bb_tcp_module *t = obj;
    bool done;
    int rc = ip_field(x, key, v, &t->ip, &done);
    if (done)
        return rc;
    if (!strcmp(key, "query_response")) {
        size_t cnt;
        yaml_node_item_t *it = seq(x, v, key, &cnt);
        if (!it)
            return LM_ECONFIG;
        if (!(t->qr = aalloc(x->c, (cnt + 1) * sizeof *t->qr)))
            return nomem(x);
        for (size_t i = 0; i < cnt; i++)
            if ((rc = walk(x, yaml_document_get_node(x->doc, it[i]), "config.QueryResponse",
                           qr_field, &t->qr[i])))
                return rc;
        t->nqr = cnt;
        return 0;
    }
    if (!strcmp(key, "tls"))
        return get_bool(x, v, key, &t->tls);
    if (!strcmp(key, "tls_config"))
        return walk(x, v, "config.TLSConfig", tls_field, &t->tls_config);
    return unknown(x, k, key, "config.TCPProbe");
}

static int
icmp_field(struct pctx *x, const char *key, yaml_node_t *k, yaml_node_t *v, void *obj)
{
    struct bb_icmp_module *m = obj;
    bool done;
    long n;
    int rc = ip_field(x, key, v, &m->ip, &done);
    if (done)
        return rc;
    if (!strcmp(key, "dont_fragment"))
        return get_bool(x, v, key, &m->dont_fragment);
    if (!strcmp(key, "payload_size") || !strcmp(key, "ttl")) {
        if ((rc = get_int(x, v, key, &n)))
            return rc;
        if (n < 0 || n > 65000 || (key[0] == 't' && n > 255))
            return fail(x, v, "field %s: value %s out of range", key, scalar(v));
        *(key[0] == 't' ? &m->ttl : &m->payload_size) = (int)n;
        return 0;
    }
    return unknown(x, k, key, "config.ICMPProbe");
}

static int
rrv_field(struct pctx *x, const char *key, yaml_node_t *k, yaml_node_t *v, void *obj)
{
    struct bb_rr_validate *r = obj;
    if (!strcmp(key, "fail_if_matches_regexp"))
        return get_regexes(x, v, key, &r->matches);
    if (!strcmp(key, "fail_if_all_match_regexp"))
        return get_regexes(x, v, key, &r->all_match);
    if (!strcmp(key, "fail_if_not_matches_regexp"))
        return get_regexes(x, v, key, &r->not_matches);
    if (!strcmp(key, "fail_if_none_matches_regexp"))
        return get_regexes(x, v, key, &r->none_matches);
    return unknown(x, k, key, "config.DNSRRValidator");
}

static const char *const rcode_names[] = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
    "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
};

static int
dns_field(struct pctx *x, const char *key, yaml_node_t *k, yaml_node_t *v, void *obj)
{
    struct bb_dns_module *d = obj;
    bool done;
    int rc = ip_field(x, key, v, &d->ip, &done);
    if (done)
        return rc;
    const char *s = scalar(v);
    if (!strcmp(key, "transport_protocol")) {
        if (!s || (strcmp(s, "udp") && strcmp(s, "tcp") && *s))
            return fail(x, v, "transport_protocol: %s is not udp or tcp", s ? s : "?");
        d->tcp = s && !strcmp(s, "tcp");
        return 0;
    }
    if (!strcmp(key, "query_name"))
        return get_str(x, v, key, &d->query_name);
    if (!strcmp(key, "query_type")) {
        int t = s ? bb_dns_type_code(s) : -1;
        if (t < 0)
            return fail(x, v, "query type '%s' is not valid", s ? s : "?");
        d->query_type = t;
        return 0;
    }
    if (!strcmp(key, "query_class")) {
        if (!s || (strcmp(s, "IN") && strcmp(s, "CH") && strcmp(s, "ANY")))
            return fail(x, v, "query class '%s' is not valid", s ? s : "?");
        d->query_class = !strcmp(s, "IN") ? 1 : !strcmp(s, "CH") ? 3 : 255;
        return 0;
    }
    if (!strcmp(key, "recursion_desired"))
        return get_bool(x, v, key, &d->recursion_desired);
    if (!strcmp(key, "valid_rcodes")) {
        size_t cnt;
        yaml_node_item_t *it = seq(x, v, key, &cnt);
        if (!it)
            return LM_ECONFIG;
        if (!(d->valid_rcodes = aalloc(x->c, (cnt + 1) * sizeof *d->valid_rcodes)))
            return nomem(x);
        for (size_t i = 0; i < cnt; i++) {
            yaml_node_t *n = yaml_document_get_node(x->doc, it[i]);
            const char *r = scalar(n);
            size_t j = 0;
            while (r && j < sizeof rcode_names / sizeof *rcode_names && strcmp(r, rcode_names[j]))
                j++;
            if (!r || j == sizeof rcode_names / sizeof *rcode_names)
                return fail(x, n, "rcode '%s' is not valid", r ? r : "?");
            d->valid_rcodes[i] = (int)j;
        }
        d->nvalid_rcodes = cnt;
        return 0;
    }
    if (!strcmp(key, "validate_answer_rrs"))
        return walk(x, v, "config.DNSRRValidator", rrv_field, &d->answer);
    if (!strcmp(key, "validate_authority_rrs"))
        return walk(x, v, "config.DNSRRValidator", rrv_field, &d->authority);
    if (!strcmp(key, "validate_additional_rrs"))
        return walk(x, v, "config.DNSRRValidator", rrv_field, &d->additional);
    return unknown(x, k, key, "config.DNSProbe");
}

static int
module_field(struct pctx *x, const char *key, yaml_node_t *k, yaml_node_t *v, void *obj)
{
    struct bb_module *m = obj;
    const char *s = scalar(v);
    if (!strcmp(key, "prober")) {
        static const char *const names[] = {"http", "tcp", "icmp", "dns", "grpc"};
        for (size_t i = 0; s && i < sizeof names / sizeof *names; i++)
            if (!strcmp(s, names[i])) {
                m->prober = (enum bb_prober_kind)i;
                return 0;
            }
        return fail(x, v, "unknown prober \"%s\"", s ? s : "?");
    }
    if (!strcmp(key, "timeout")) {
        struct lm_err derr;
        if (!s || lm_duration_parse(s, "timeout", &m->timeout, &derr))
            return fail(x, v, "field timeout: bad duration \"%s\"", s ? s : "?");
        return 0;
    }
    if (!strcmp(key, "http"))
        return walk(x, v, "config.HTTPProbe", http_field, &m->http);
    if (!strcmp(key, "tcp"))
        return walk(x, v, "config.TCPProbe", tcp_field, &m->tcp);
    if (!strcmp(key, "icmp"))
        return walk(x, v, "config.ICMPProbe", icmp_field, &m->icmp);
    if (!strcmp(key, "dns"))
        return walk(x, v, "config.DNSProbe", dns_field, &m->dns);
    if (!strcmp(key, "grpc"))
        return 0;   /* accepted, the prober is not built in */
    return unknown(x, k, key, "config.Module");
}

static void
module_defaults(struct bb_module *m)
{
    m->prober = BB_HTTP;
    struct bb_ipopts ip = {6, true, NULL};
    m->http.ip = m->tcp.ip = m->icmp.ip = m->dns.ip = ip;
    m->http.follow_redirects = true;
    m->http.enable_http2 = true;
    m->http.method = "GET";
    m->icmp.ttl = 64;
    m->dns.query_type = 255;
    m->dns.query_class = 1;
    m->dns.recursion_desired = true;
}

static int
modules(struct pctx *x, yaml_node_t *v)
{
    if (v->type != YAML_MAPPING_NODE)
        return fail(x, v, "modules: expected a mapping");
    size_t cnt = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    if (!(x->c->mods = aalloc(x->c, (cnt + 1) * sizeof *x->c->mods)))
        return nomem(x);
    for (size_t i = 0; i < cnt; i++) {
        yaml_node_pair_t *p = &v->data.mapping.pairs.start[i];
        struct bb_module *m = &x->c->mods[i];
        yaml_node_t *kn = yaml_document_get_node(x->doc, p->key);
        int rc;
        module_defaults(m);
        if ((rc = get_str(x, kn, "modules", &m->name)))
            return rc;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(x->c->mods[j].name, m->name))
                return fail(x, kn, "duplicate module \"%s\"", m->name);
        if ((rc = walk(x, yaml_document_get_node(x->doc, p->value), "config.Module",
                       module_field, m)))
            return rc;
        if (m->prober == BB_DNS && !m->dns.query_name)
            return fail(x, kn, "module %s: query name must be set for DNS module", m->name);
        x->c->n = i + 1;
    }
    return 0;
}

static int
top_field(struct pctx *x, const char *key, yaml_node_t *k, yaml_node_t *v, void *obj)
{
    if (!strcmp(key, "modules"))
        return modules(x, v);
    return unknown(x, k, key, "config.plain");
}

struct bb_config *
bb_config_parse(const char *text, size_t len, const char *file, struct lm_err *err)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    struct bb_config *c = lm_calloc(1, sizeof *c);
    if (!c) {
        lm_err_set(err, LM_ENOMEM, file, "out of memory");
        return NULL;
    }
    if (!yaml_parser_initialize(&parser)) {
        lm_free(c);
        lm_err_set(err, LM_ENOMEM, file, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        char where[LM_ERR_WHERE_MAX];
        snprintf(where, sizeof where, "%s:%lu:%lu", file,
                 (unsigned long)parser.problem_mark.line + 1,
                 (unsigned long)parser.problem_mark.column + 1);
        lm_err_set(err, LM_ECONFIG, where, "yaml: %s",
                   parser.problem ? parser.problem : "parse error");
        yaml_parser_delete(&parser);
        bb_config_free(c);
        return NULL;
    }
    struct pctx x = {c, &doc, file, err};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    int rc = root ? walk(&x, root, "config.plain", top_field, NULL) : 0;
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (rc) {
        bb_config_free(c);
        return NULL;
    }
    return c;
}

struct bb_config *
bb_config_load(const char *path, struct lm_err *err)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        lm_err_set(err, LM_EIO, path, "open: %s", strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            char *nb = len > BB_CONFIG_MAX_BYTES ? NULL : lm_realloc(buf, cap + 65536);
            if (!nb) {
                lm_free(buf);
                fclose(f);
                lm_err_set(err, LM_ETOOBIG, path, "config file too big or out of memory");
                return NULL;
            }
            buf = nb;
            cap += 65536;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (r == 0)
            break;
    }
    int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        lm_free(buf);
        lm_err_set(err, LM_EIO, path, "read error");
        return NULL;
    }
    struct bb_config *c = bb_config_parse(buf, len, path, err);
    lm_free(buf);
    return c;
}

void
bb_config_free(struct bb_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nregex; i++)
        lm_regex_free(c->regexes[i]);
    lm_free(c->regexes);
    while (c->blocks) {
        struct arena_block *b = c->blocks;
        c->blocks = b->next;
        lm_free(b);
    }
    lm_free(c);
}

const struct bb_module *
bb_config_module(const struct bb_config *c, const char *name)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (!strcmp(c->mods[i].name, name))
            return &c->mods[i];
    return NULL;
}

size_t
bb_config_count(const struct bb_config *c)
{
    return c ? c->n : 0;
}

const struct bb_module *
bb_config_nth(const struct bb_config *c, size_t i)
{
    return c && i < c->n ? &c->mods[i] : NULL;
}

const char *
bb_prober_name(enum bb_prober_kind k)
{
    static const char *const names[] = {"http", "tcp", "icmp", "dns", "grpc"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}

static const struct {
    const char *name;               /* mnemonic */
    int code;                       /* RR type */
} dns_types[] = {
    {"A", 1}, {"NS", 2}, {"CNAME", 5}, {"SOA", 6}, {"PTR", 12}, {"HINFO", 13}, {"MX", 15},
    {"TXT", 16}, {"AAAA", 28}, {"SRV", 33}, {"NAPTR", 35}, {"DS", 43}, {"SSHFP", 44},
    {"RRSIG", 46}, {"NSEC", 47}, {"DNSKEY", 48}, {"TLSA", 52}, {"SVCB", 64}, {"HTTPS", 65},
    {"CAA", 257}, {"ANY", 255},
};

int
bb_dns_type_code(const char *name)
{
    for (size_t i = 0; i < sizeof dns_types / sizeof *dns_types; i++)
        if (!strcmp(dns_types[i].name, name))
            return dns_types[i].code;
    return -1;
}

const char *
bb_dns_type_name(int code)
{
    for (size_t i = 0; i < sizeof dns_types / sizeof *dns_types; i++)
        if (dns_types[i].code == code)
            return dns_types[i].name;
    return NULL;
}
