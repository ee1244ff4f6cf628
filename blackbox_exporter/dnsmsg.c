/* SPDX-License-Identifier: Apache-2.0 */
/* dnsmsg.c: the DNS wire format (RFC 1035) for the dns prober: build a one-question
 * query, and parse a reply into its three RR sections, each RR rendered as one line of
 * zone-file text (name, TTL, class, type, rdata; tab-separated, as upstream matches
 * regexes against). Parsing is bounds-checked everywhere; a compression pointer must
 * point before the run of labels it ends, which rules out loops. No I/O: this file alone is fuzzed. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "blackbox_exporter/bb.h"
#include "lm/alloc.h"
#include "lm/buf.h"

#define NAME_MAX_WIRE 255       /* longest uncompressed name, bytes */
#define RR_TEXT_MAX (1u << 20)  /* cap on one rendered RR */

struct rd {
    const unsigned char *m;     /* whole message */
    size_t len;                 /* its length */
};

static unsigned
get16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint32_t
get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int
bb_dns_build_query(unsigned char *out, size_t outsz, unsigned id, const char *name, int type,
                   int cls, bool rd)
{
    size_t n = 12;
    if (outsz < 12 + 1 + 4)
        return -1;
    memset(out, 0, 12);
    out[0] = (unsigned char)(id >> 8);
    out[1] = (unsigned char)id;
    out[2] = rd ? 0x01 : 0x00;   /* QR=0, opcode QUERY, RD */
    out[5] = 1;                  /* QDCOUNT */
    const char *s = strcmp(name, ".") ? name : "";
    size_t wire = 0;
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t ll = dot ? (size_t)(dot - s) : strlen(s);
        if (ll == 0 || ll > 63)
            return -1;
        wire += ll + 1;
        if (wire + 1 > NAME_MAX_WIRE || n + ll + 1 + 5 > outsz)
            return -1;
        out[n++] = (unsigned char)ll;
        memcpy(out + n, s, ll);
        n += ll;
        s += ll;
        if (*s == '.')
            s++;
    }
    out[n++] = 0;
    out[n++] = (unsigned char)(type >> 8);
    out[n++] = (unsigned char)type;
    out[n++] = (unsigned char)(cls >> 8);
    out[n++] = (unsigned char)cls;
    return (int)n;
}

/* Render the name at *off as text into b (escaped as presentation format); *off moves
 * past the name as it appears in place. -1 on a malformed name. */
static int
name_text(const struct rd *r, size_t *off, struct lm_buf *b)
{
    size_t p = *off, total = 0, after = 0;
    size_t seg = p;          /* where the current run of labels began */
    bool jumped = false;
    size_t start = b->len;
    for (;;) {
        if (p >= r->len)
            return -1;
        unsigned c = r->m[p];
        if ((c & 0xC0) == 0xC0) {
            if (p + 1 >= r->len)
                return -1;
            size_t to = (c & 0x3F) << 8 | r->m[p + 1];
            if (to >= seg)   /* strictly before this run: positions fall, no loops */
                return -1;
            seg = to;
            if (!jumped)
                after = p + 2;
            jumped = true;
            p = to;
            continue;
        }
        if (c & 0xC0)        /* 0x40 / 0x80: extended label types, unsupported */
            return -1;
        p++;
        if (c == 0)
            break;
        if (p + c > r->len || (total += c + 1) > NAME_MAX_WIRE)
            return -1;
        for (unsigned i = 0; i < c; i++) {
            unsigned char ch = r->m[p + i];
            if (strchr(".;()@\"\\ '", ch) && ch)
                lm_buf_printf(b, "\\%c", ch);
            else if (ch < ' ' || ch > '~')
                lm_buf_printf(b, "\\%03u", ch);
            else
                lm_buf_putc(b, (char)ch);
        }
        lm_buf_putc(b, '.');
        p += c;
    }
    if (b->len == start)
        lm_buf_putc(b, '.');
    *off = jumped ? after : p;
    return 0;
}

static void
txt_text(const unsigned char *p, size_t n, struct lm_buf *b)
{
    size_t i = 0;
    bool first = true;
    while (i < n) {
        size_t sl = p[i++];
        if (sl > n - i)
            sl = n - i;
        if (!first)
            lm_buf_putc(b, ' ');
        first = false;
        lm_buf_putc(b, '"');
        for (size_t j = 0; j < sl; j++) {
            unsigned char ch = p[i + j];
            if (ch == '"' || ch == '\\')
                lm_buf_printf(b, "\\%c", ch);
            else if (ch < ' ' || ch > '~')
                lm_buf_printf(b, "\\%03u", ch);
            else
                lm_buf_putc(b, (char)ch);
        }
        lm_buf_putc(b, '"');
        i += sl;
    }
}

static void
generic_text(const unsigned char *p, size_t n, struct lm_buf *b)
{
    lm_buf_printf(b, "\\# %zu", n);
    if (n)
        lm_buf_putc(b, ' ');
    for (size_t i = 0; i < n; i++)
        lm_buf_printf(b, "%02x", p[i]);
}

static const char *
class_name(unsigned c, char *tmp, size_t tmpsz)
{
    switch (c) {
    case 1: return "IN";
    case 2: return "CS";
    case 3: return "CH";
    case 4: return "HS";
    case 254: return "NONE";
    case 255: return "ANY";
    default: snprintf(tmp, tmpsz, "CLASS%u", c); return tmp;
    }
}

/* rdata of one RR at [p, p+n) into b. Names inside may be compressed. -1 malformed. */
static int
rdata_text(const struct rd *r, unsigned type, size_t p, size_t n, struct lm_buf *b,
           unsigned long *serial)
{
    size_t end = p + n, q = p;
    char ip[INET6_ADDRSTRLEN];
    switch (type) {
    case 1:   /* A */
    case 28:  /* AAAA */
        if (n != (type == 1 ? 4u : 16u))
            return -1;
        if (!inet_ntop(type == 1 ? AF_INET : AF_INET6, r->m + p, ip, sizeof ip))
            return -1;
        lm_buf_puts(b, ip);
        return 0;
    case 2: case 5: case 12:   /* NS, CNAME, PTR */
        if (name_text(r, &q, b) || q != end)
            return -1;
        return 0;
    case 15:  /* MX */
        if (n < 3)
            return -1;
        lm_buf_printf(b, "%u ", get16(r->m + p));
        q += 2;
        if (name_text(r, &q, b) || q != end)
            return -1;
        return 0;
    case 33:  /* SRV */
        if (n < 7)
            return -1;
        lm_buf_printf(b, "%u %u %u ", get16(r->m + p), get16(r->m + p + 2),
                      get16(r->m + p + 4));
        q += 6;
        if (name_text(r, &q, b) || q != end)
            return -1;
        return 0;
    case 6:   /* SOA */
        if (name_text(r, &q, b) || q >= end)
            return -1;
        lm_buf_putc(b, ' ');
        if (name_text(r, &q, b) || q + 20 != end)
            return -1;
        *serial = get32(r->m + q);
        lm_buf_printf(b, " %u %u %u %u %u", (unsigned)get32(r->m + q),
                      (unsigned)get32(r->m + q + 4), (unsigned)get32(r->m + q + 8),
                      (unsigned)get32(r->m + q + 12), (unsigned)get32(r->m + q + 16));
        return 0;
    case 16:  /* TXT */
        txt_text(r->m + p, n, b);
        return 0;
    default:
        generic_text(r->m + p, n, b);
        return 0;
    }
}

/* Parse one RR at *off into rr. -1 on malformed, LM_ENOMEM-ish -2 on allocation. */
static int
parse_rr(const struct rd *r, size_t *off, struct bb_dns_rr *rr)
{
    struct lm_buf b;
    char tmp[24];
    lm_buf_init(&b, RR_TEXT_MAX);
    memset(rr, 0, sizeof *rr);
    if (name_text(r, off, &b) || *off + 10 > r->len)
        goto bad;
    const unsigned char *h = r->m + *off;
    unsigned type = get16(h), cls = get16(h + 2), rdlen = get16(h + 8);
    uint32_t ttl = get32(h + 4);
    *off += 10;
    if (rdlen > r->len - *off)
        goto bad;
    const char *tn = bb_dns_type_name((int)type);
    if (!tn || type == 255) {
        snprintf(tmp, sizeof tmp, "TYPE%u", type);
        tn = tmp;
    }
    lm_buf_printf(&b, "\t%u\t", (unsigned)ttl);
    lm_buf_puts(&b, class_name(cls, tmp + 12, 12));
    lm_buf_printf(&b, "\t%s\t", tn);
    if (rdata_text(r, type, *off, rdlen, &b, &rr->soa_serial))
        goto bad;
    *off += rdlen;
    rr->type = (int)type;
    rr->len = b.len;
    if (!(rr->text = lm_buf_take(&b, NULL)))
        return -2;
    return 0;
bad:
    lm_buf_cleanup(&b);
    return -1;
}

int
bb_dns_parse_reply(const unsigned char *msg, size_t len, struct bb_dns_reply *rep)
{
    struct rd r = {msg, len};
    memset(rep, 0, sizeof *rep);
    if (len < 12)
        return -1;
    rep->id = get16(msg);
    rep->qr = msg[2] & 0x80;
    rep->tc = msg[2] & 0x02;
    rep->rcode = msg[3] & 0x0F;
    unsigned qd = get16(msg + 4);
    size_t off = 12;
    for (unsigned i = 0; i < qd; i++) {
        struct lm_buf b;
        lm_buf_init(&b, 1024);
        int rc = name_text(&r, &off, &b);
        lm_buf_cleanup(&b);
        if (rc || off + 4 > len)
            return -1;
        off += 4;
    }
    for (int s = 0; s < 3; s++) {
        unsigned cnt = get16(msg + 6 + 2 * s);
        if (cnt > (len - off) / 11)   /* every RR needs at least 11 bytes */
            goto bad;
        if (!cnt)
            continue;
        if (!(rep->rrs[s] = lm_malloc(cnt * sizeof *rep->rrs[s])))
            goto bad;
        for (unsigned i = 0; i < cnt; i++) {
            if (parse_rr(&r, &off, &rep->rrs[s][i]))
                goto bad;
            rep->n[s]++;
        }
    }
    return 0;
bad:
    bb_dns_reply_free(rep);
    return -1;
}

void
bb_dns_reply_free(struct bb_dns_reply *rep)
{
    for (int s = 0; s < 3; s++) {
        for (size_t i = 0; i < rep->n[s]; i++)
            lm_free(rep->rrs[s][i].text);
        lm_free(rep->rrs[s]);
        rep->rrs[s] = NULL;
        rep->n[s] = 0;
    }
}

const char *
bb_dns_rcode_name(int rcode)
{
    static const char *const names[] = {
        "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
        "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
    };
    return rcode >= 0 && (size_t)rcode < sizeof names / sizeof *names ? names[rcode] : "RCODE?";
}
