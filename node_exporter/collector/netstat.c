/* SPDX-License-Identifier: Apache-2.0 */
/* netstat.c: the netstat collector: untyped node_netstat_<Proto>_<Field> from the header/
 * value line pairs of /proc/net/netstat and /proc/net/snmp and the "Name value" lines of
 * /proc/net/snmp6 (missing when IPv6 is off: skipped), filtered by
 * --collector.netstat.fields (compiled once at init). */
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "node_exporter/procutil.h"

struct netstat_state {
    struct lm_procfile *pf;   /* reader, reused for the three files */
    struct lm_regex *fields;  /* --collector.netstat.fields */
    struct lm_emit *e;        /* the current scrape's emitter (collect only) */
};

static const struct lm_flag_desc netstat_flags[] = {
    {"collector.netstat.fields",
     "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|"
     "OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|"
     "InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|"
     "OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$",
     "Regexp of fields to return for netstat collector.", false},
    {NULL, NULL, NULL, false},
};

static void
netstat_fini(void *state)
{
    struct netstat_state *s = state;
    if (!s)
        return;
    lm_procfile_free(s->pf);
    lm_regex_free(s->fields);
    lm_free(s);
}

static int
netstat_init(void **state, const struct lm_collect_ctx *ctx, struct lm_err *err)
{
    struct netstat_state *s = lm_calloc(1, sizeof *s);
    if (!s || !(s->pf = lm_procfile_new(NULL))) {
        lm_free(s);
        return lm_err_set(err, LM_ENOMEM, "netstat", "out of memory");
    }
    if (!(s->fields = ne_flag_regex(ctx, "collector.netstat.fields", err))) {
        netstat_fini(s);
        return err ? err->code : LM_ECONFIG;
    }
    *state = s;
    return 0;
}

/* stat: one statistic: proto (without ':'), field, value; emitted when the filter matches */
static void
stat(struct netstat_state *s, const char *proto, size_t plen, const char *field, double v)
{
    char key[192], name[224], help[224];
    snprintf(key, sizeof key, "%.*s_%s", (int)plen, proto, field);
    if (!lm_regex_match(s->fields, key, SIZE_MAX))
        return;
    snprintf(name, sizeof name, "node_netstat_%s", key);
    snprintf(help, sizeof help, "Statistic %.*s%s.", (int)plen, proto, field);
    lm_emit_one(s->e, name, help, LM_TYPE_UNTYPED, v);
}

/* pairs: netstat/snmp: "Proto: names..." followed by "Proto: values...". */
static int
pairs(struct netstat_state *s, const char *path, struct lm_err *err)
{
    const struct lm_procfile *pf = s->pf;
    size_t nl = lm_procfile_lines(pf);
    for (size_t l = 0; l + 1 < nl; l += 2) {
        const char *proto = lm_procfile_word(pf, l, 0);
        size_t plen = strlen(proto), nw = lm_procfile_words(pf, l);
        if (plen && proto[plen - 1] == ':')
            plen--;
        if (nw != lm_procfile_words(pf, l + 1) ||
            strcmp(proto, lm_procfile_word(pf, l + 1, 0)) != 0)
            return lm_err_set(err, LM_EPARSE, path,
                              "%s: line %zu: mismatch field count or protocol", path, l + 2);
        for (size_t w = 1; w < nw; w++) {
            double v;
            int rc = ne_num(lm_procfile_word(pf, l + 1, w), path, l + 1, &v, err);
            if (rc)
                return rc;
            stat(s, proto, plen, lm_procfile_word(pf, l, w), v);
        }
    }
    if (nl % 2)
        return lm_err_set(err, LM_EPARSE, path, "%s: odd number of lines", path);
    return 0;
}

/* snmp6_line: "Icmp6InMsgs 3": the protocol runs up to and including the first '6'. */
static int
snmp6_line(void *arg, const char *key, double value, const char *unit)
{
    const char *six = strchr(key, '6');
    size_t plen = six ? (size_t)(six - key) + 1 : 0;
    stat(arg, key, plen, key + plen, value);
    return 0;
}

static int
netstat_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
                struct lm_err *err)
{
    struct netstat_state *s = state;
    static const char *const files[2] = {"net/netstat", "net/snmp"};
    char path[4096];
    int rc = 0;
    s->e = e;
    for (size_t i = 0; i < 2 && !rc; i++) {
        rc = ne_proc_read(s->pf, ctx, NE_PROCFS, files[i], path, sizeof path, err);
        if (!rc)
            rc = pairs(s, path, err);
    }
    if (!rc) {
        rc = ne_proc_read(s->pf, ctx, NE_PROCFS, "net/snmp6", path, sizeof path, err);
        if (rc == LM_ENOENT) {   /* IPv6 disabled */
            lm_err_clear(err);
            rc = 0;
        } else if (!rc) {
            rc = ne_kv_each(s->pf, path, snmp6_line, s, err);
        }
    }
    s->e = NULL;
    return rc;
}

const struct lm_collector_desc ne_netstat_collector = {
    .name = "netstat",
    .enabled_by_default = true,
    .flags = netstat_flags,
    .init = netstat_init,
    .collect = netstat_collect,
    .fini = netstat_fini,
};
