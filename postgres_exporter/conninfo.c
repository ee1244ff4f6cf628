/* SPDX-License-Identifier: Apache-2.0 */
/* conninfo.c: libpq's connection strings without libpq: the URL form
 * (postgres[ql]://[user[:password]@][host][:port][,...][/dbname][?key=value&...]) and the
 * key=value form, into a keyword/value list; then the parameters our own client needs
 * with libpq's environment variables and defaults applied. Error messages name at most a
 * keyword, never a value. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/buf.h"
#include "postgres_exporter/pgconn.h"

#define CI_MAX_VALUE 4096

/* libpq 15/16's keywords; any other is refused, as PQconninfoParse does */
static const char *const keywords[] = {
    "service", "user", "password", "passfile", "channel_binding", "connect_timeout",
    "dbname", "host", "hostaddr", "port", "client_encoding", "options", "application_name",
    "fallback_application_name", "keepalives", "keepalives_idle", "keepalives_interval",
    "keepalives_count", "tcp_user_timeout", "sslmode", "sslcompression", "sslcert",
    "sslkey", "sslpassword", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer",
    "ssl_min_protocol_version", "ssl_max_protocol_version", "gssencmode", "krbsrvname",
    "gsslib", "gssdelegation", "target_session_attrs", "load_balance_hosts", "require_auth",
    "sslcertmode", "replication", NULL,
};

static bool
known(const char *k, size_t n)
{
    for (const char *const *w = keywords; *w; w++)
        if (strlen(*w) == n && !memcmp(*w, k, n))
            return true;
    return false;
}

void
pge_conninfo_free(struct pge_conninfo *ci)
{
    for (size_t i = 0; i < ci->n; i++) {
        if (ci->val[i])
            memset(ci->val[i], 0, strlen(ci->val[i]));
        lm_free(ci->key[i]);
        lm_free(ci->val[i]);
    }
    memset(ci, 0, sizeof *ci);
}

const char *
pge_conninfo_get(const struct pge_conninfo *ci, const char *key)
{
    for (size_t i = ci->n; i-- > 0;)
        if (!strcmp(ci->key[i], key))
            return ci->val[i];
    return NULL;
}

/* add: append key (klen bytes) = val (vlen bytes, copied as is). */
static int
add(struct pge_conninfo *ci, const char *k, size_t klen, const char *v, size_t vlen,
    struct lm_err *err)
{
    if (!known(k, klen))
        return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME",
                          "invalid connection option \"%.*s\"", (int)(klen > 64 ? 64 : klen), k);
    if (ci->n >= PGE_CI_MAX)
        return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME", "too many settings");
    if (vlen > CI_MAX_VALUE)
        return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME", "value of %.*s too long",
                          (int)klen, k);
    char *kk = lm_strndup(k, klen), *vv = lm_strndup(v, vlen);
    if (!kk || !vv) {
        lm_free(kk);
        lm_free(vv);
        return lm_err_set(err, LM_ENOMEM, "DATA_SOURCE_NAME", "out of memory");
    }
    ci->key[ci->n] = kk;
    ci->val[ci->n++] = vv;
    return 0;
}

static int
hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* add_dec: add key = the percent-decoding of v (vlen bytes). */
static int
add_dec(struct pge_conninfo *ci, const char *k, const char *v, size_t vlen, struct lm_err *err)
{
    if (vlen > CI_MAX_VALUE)
        return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME", "value of %s too long", k);
    char tmp[CI_MAX_VALUE + 1];
    size_t o = 0;
    for (size_t i = 0; i < vlen; i++) {
        if (v[i] != '%') {
            tmp[o++] = v[i];
            continue;
        }
        if (i + 2 >= vlen)
            return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME", "invalid percent-encoded "
                              "token in %s", k);
        int a = hexval(v[i + 1]), b = hexval(v[i + 2]);
        if (a < 0 || b < 0 || (a == 0 && b == 0))
            return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME", "invalid percent-encoded "
                              "token in %s", k);
        tmp[o++] = (char)(a << 4 | b);
        i += 2;
    }
    int rc = add(ci, k, strlen(k), tmp, o, err);
    memset(tmp, 0, o);
    return rc;
}

/* parse_url: the URL form; dsn starts with the scheme */
static int
parse_url(const char *dsn, struct pge_conninfo *ci, struct lm_err *err)
{
    const char *p = strstr(dsn, "://") + 3;
    size_t nl = strcspn(p, "/?");
    const char *at = memchr(p, '@', nl);
    int rc = 0;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *uend = colon ? colon : at;
        if (uend > p)
            rc = add_dec(ci, "user", p, (size_t)(uend - p), err);
        if (!rc && colon)
            rc = add_dec(ci, "password", colon + 1, (size_t)(at - colon - 1), err);
        nl -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    /* hosts: h1[:p1],[v6]:p2,... into "host" and "port" lists */
    char hosts[CI_MAX_VALUE + 1] = "", ports[CI_MAX_VALUE + 1] = "";
    size_t hl = 0, pl = 0;
    bool anyport = false;
    for (const char *h = p, *end = p + nl; !rc && h <= end;) {
        const char *hs = h, *he;
        if (*h == '[') {
            const char *rb = memchr(h, ']', (size_t)(end - h));
            if (!rb)
                return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME",
                                  "missing \"]\" in an IPv6 host address");
            hs = h + 1;
            he = rb;
            h = rb + 1;
        } else {
            he = h + strcspn(h, ":,/?");
            if (he > end)
                he = end;
            h = he;
        }
        const char *ps = NULL, *pe = NULL;
        if (h < end && *h == ':') {
            ps = h + 1;
            pe = ps + strcspn(ps, ",/?");
            if (pe > end)
                pe = end;
            h = pe;
            anyport = true;
        }
        if (h < end && *h != ',')
            return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME", "unexpected character in "
                              "the host part of the URI");
        size_t a = (size_t)(he - hs), b = ps ? (size_t)(pe - ps) : 0;
        if (hl + a + 2 > CI_MAX_VALUE || pl + b + 2 > CI_MAX_VALUE)
            return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME", "host list too long");
        memcpy(hosts + hl, hs, a);
        hl += a;
        if (b)
            memcpy(ports + pl, ps, b);
        pl += b;
        if (h >= end)
            break;
        hosts[hl++] = ',';
        ports[pl++] = ',';
        h++;
    }
    if (!rc && hl)
        rc = add_dec(ci, "host", hosts, hl, err);
    if (!rc && anyport)
        rc = add_dec(ci, "port", ports, pl, err);
    p += nl;
    if (!rc && *p == '/') {
        p++;
        size_t dl = strcspn(p, "?");
        if (dl)
            rc = add_dec(ci, "dbname", p, dl, err);
        p += dl;
    }
    if (!rc && *p == '?') {
        for (p++; *p && !rc;) {
            size_t len = strcspn(p, "&");
            const char *eq = memchr(p, '=', len);
            if (!eq)
                return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME",
                                  "missing key/value separator \"=\" in URI query parameter");
            char key[64];
            size_t kl = (size_t)(eq - p);
            if (kl >= sizeof key)
                return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME",
                                  "invalid URI query parameter");
            memcpy(key, p, kl);
            key[kl] = '\0';
            const char *v = eq + 1;
            size_t vl = len - kl - 1;
            if (!strcmp(key, "ssl") && vl == 4 && !memcmp(v, "true", 4))
                rc = add(ci, "sslmode", 7, "require", 7, err);
            else if (!known(key, kl))
                rc = lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME",
                                "invalid URI query parameter: \"%s\"", key);
            else
                rc = add_dec(ci, key, v, vl, err);
            p += len;
            if (*p == '&')
                p++;
        }
    }
    memset(hosts, 0, sizeof hosts);
    return rc;
}

/* parse_kv: key = value pairs separated by white space */
static int
parse_kv(const char *dsn, struct pge_conninfo *ci, struct lm_err *err)
{
    const char *p = dsn;
    char val[CI_MAX_VALUE + 1];
    int rc = 0;
    while (!rc) {
        p += strspn(p, " \t\r\n\f\v");
        if (!*p)
            break;
        const char *k = p;
        size_t kl = strcspn(p, "= \t\r\n\f\v");
        p += kl;
        p += strspn(p, " \t\r\n\f\v");
        if (*p != '=' || !kl)
            return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME",
                              "missing \"=\" after a keyword in connection info string");
        p++;
        p += strspn(p, " \t\r\n\f\v");
        size_t vl = 0;
        if (*p == '\'') {
            for (p++;; p++) {
                if (!*p)
                    return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME",
                                      "unterminated quoted string in connection info string");
                if (*p == '\'') {
                    p++;
                    break;
                }
                if (*p == '\\' && p[1])
                    p++;
                if (vl >= CI_MAX_VALUE)
                    return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME", "value too long");
                val[vl++] = *p;
            }
        } else {
            for (; *p && !strchr(" \t\r\n\f\v", *p); p++) {
                if (*p == '\\' && p[1])
                    p++;
                if (vl >= CI_MAX_VALUE)
                    return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME", "value too long");
                val[vl++] = *p;
            }
        }
        rc = add(ci, k, kl, val, vl, err);
        memset(val, 0, vl);
    }
    return rc;
}

int
pge_conninfo_parse(const char *dsn, struct pge_conninfo *ci, struct lm_err *err)
{
    memset(ci, 0, sizeof *ci);
    int rc = (!strncmp(dsn, "postgresql://", 13) || !strncmp(dsn, "postgres://", 11))
                 ? parse_url(dsn, ci, err)
                 : parse_kv(dsn, ci, err);
    if (rc)
        pge_conninfo_free(ci);
    return rc;
}

/* pick: first of the DSN value, the environment variable, the default (any may be NULL);
 * the first comma-separated entry when list. Copied to out (outsz); false when too long. */
static bool
pick(char *out, size_t outsz, const char *v, const char *envv, const char *def, bool list)
{
    const char *s = v && *v && (!list || *v != ',') ? v
                  : envv && *envv ? envv : def ? def : "";
    size_t n = list ? strcspn(s, ",") : strlen(s);
    if (n >= outsz)
        return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

static const char *
env(pge_getenv_fn *get, const char *name)
{
    return get ? get(name) : getenv(name);
}

int
pge_params_resolve(const struct pge_conninfo *ci, pge_getenv_fn *get, struct pge_params *p,
                   struct lm_err *err)
{
    memset(p, 0, sizeof *p);
    char osuser[128] = "";
    struct passwd pw, *res = NULL;
    char pwbuf[1024];
    if (!getpwuid_r(geteuid(), &pw, pwbuf, sizeof pwbuf, &res) && res)
        snprintf(osuser, sizeof osuser, "%s", pw.pw_name);
    const char *bad = NULL;
    if (!pick(p->host, sizeof p->host, pge_conninfo_get(ci, "host"), env(get, "PGHOST"),
              "/var/run/postgresql", true))
        bad = "host";
    else if (!pick(p->hostaddr, sizeof p->hostaddr, pge_conninfo_get(ci, "hostaddr"),
                   env(get, "PGHOSTADDR"), NULL, true))
        bad = "hostaddr";
    else if (!pick(p->port, sizeof p->port, pge_conninfo_get(ci, "port"), env(get, "PGPORT"),
                   "5432", true))
        bad = "port";
    else if (!pick(p->user, sizeof p->user, pge_conninfo_get(ci, "user"), env(get, "PGUSER"),
                   osuser, false))
        bad = "user";
    else if (!pick(p->dbname, sizeof p->dbname, pge_conninfo_get(ci, "dbname"),
                   env(get, "PGDATABASE"), p->user, false))
        bad = "dbname";
    else if (!pick(p->sslmode, sizeof p->sslmode, pge_conninfo_get(ci, "sslmode"),
                   env(get, "PGSSLMODE"), "prefer", false))
        bad = "sslmode";
    else if (!pick(p->application_name, sizeof p->application_name,
                   pge_conninfo_get(ci, "application_name"), env(get, "PGAPPNAME"),
                   pge_conninfo_get(ci, "fallback_application_name"), false))
        bad = "application_name";
    else if (!pick(p->options, sizeof p->options, pge_conninfo_get(ci, "options"),
                   env(get, "PGOPTIONS"), NULL, false))
        bad = "options";
    if (bad)
        return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME", "%s too long", bad);
    static const char *const modes[] = {"disable", "allow", "prefer", "require",
                                        "verify-ca", "verify-full", NULL};
    bool okmode = false;
    for (const char *const *m = modes; *m; m++)
        okmode |= !strcmp(p->sslmode, *m);
    if (!okmode)
        return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME", "invalid sslmode value: \"%s\"",
                          p->sslmode);
    if (!*p->port || strspn(p->port, "0123456789") != strlen(p->port) || strlen(p->port) > 5)
        return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME", "invalid port number");
    char tmo[16] = "";
    pick(tmo, sizeof tmo, pge_conninfo_get(ci, "connect_timeout"),
         env(get, "PGCONNECT_TIMEOUT"), NULL, false);
    if (*tmo) {
        char *e;
        long t = strtol(tmo, &e, 10);
        if (*e || t < 0 || t > 86400)
            return lm_err_set(err, LM_ECONFIG, "DATA_SOURCE_NAME",
                              "invalid integer value for connect_timeout");
        p->connect_timeout = t > 0 && t < 2 ? 2 : (int)t;   /* libpq's minimum */
    }
    if (!*p->host)
        snprintf(p->host, sizeof p->host, "/var/run/postgresql");
    p->unix_socket = p->host[0] == '/' && !*p->hostaddr;
    const char *pass = pge_conninfo_get(ci, "password");
    if (!pass || !*pass)
        pass = env(get, "PGPASSWORD");
    if (pass && *pass) {
        p->password = lm_strdup(pass);
        if (!p->password)
            return lm_err_set(err, LM_ENOMEM, "DATA_SOURCE_NAME", "out of memory");
        return 0;
    }
    char path[512] = "";
    const char *pf = pge_conninfo_get(ci, "passfile");
    if (!pf || !*pf)
        pf = env(get, "PGPASSFILE");
    if (pf && *pf) {
        snprintf(path, sizeof path, "%s", pf);
    } else {
        const char *home = env(get, "HOME");
        if ((!home || !*home) && res)
            home = pw.pw_dir;
        if (home && *home)
            snprintf(path, sizeof path, "%s/.pgpass", home);
    }
    if (*path)
        p->password = pge_pgpass_lookup(path, p->unix_socket ? "localhost" : p->host, p->port,
                                        p->dbname, p->user);
    return 0;
}

void
pge_params_cleanup(struct pge_params *p)
{
    if (p->password) {
        memset(p->password, 0, strlen(p->password));
        lm_free(p->password);
    }
    memset(p, 0, sizeof *p);
}
