/* SPDX-License-Identifier: Apache-2.0 */
/* http_client.c: the HTTP client settings that Prometheus inlines into scrape configs,
 * Alertmanager and remote_write sections (prometheus/common HTTPClientConfig):
 * basic_auth, authorization, bearer_token(_file), tls_config, proxy_url,
 * follow_redirects, enable_http2, with common's Validate() rules. */
#include "flint/config/cfg_int.h"

#include <string.h>
#include <strings.h>

#include "lm/alloc.h"

static const char *const tls_versions[] = {"TLS10", "TLS11", "TLS12", "TLS13", NULL};

void
cfg_http_defaults_(struct cfg_http_client *h)
{
    h->follow_redirects = true;
    h->enable_http2 = true;
}

static int
parse_basic_auth(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_basic_auth *b)
{
    struct cfg_y *y = &x->y;
    int rc = cfg_y_map(y, n, "config.BasicAuth", true);
    if (rc || cfg_y_is_null(n))
        return rc;
    yaml_node_t *k, *v;
    const char *key;
    CFG_Y_FOR_PAIRS(y, n, k, v, key) {
        if (!strcmp(key, "username"))
            rc = cfg_y_str(y, v, key, &b->username);
        else if (!strcmp(key, "password"))
            rc = cfg_y_str(y, v, key, &b->password);
        else if (!strcmp(key, "password_file"))
            rc = cfg_y_str(y, v, key, &b->password_file) ?: cfg_path_(x, &b->password_file);
        else
            rc = cfg_y_unknown(y, k, "config.BasicAuth");
        if (rc)
            return rc;
    }
    return 0;
}

static int
parse_authorization(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_http_client *h)
{
    struct cfg_y *y = &x->y;
    int rc = cfg_y_map(y, n, "config.Authorization", true);
    if (rc || cfg_y_is_null(n))
        return rc;
    yaml_node_t *k, *v;
    const char *key;
    CFG_Y_FOR_PAIRS(y, n, k, v, key) {
        if (!strcmp(key, "type"))
            rc = cfg_y_str(y, v, key, &h->auth_type);
        else if (!strcmp(key, "credentials"))
            rc = cfg_y_str(y, v, key, &h->auth_credentials);
        else if (!strcmp(key, "credentials_file"))
            rc = cfg_y_str(y, v, key, &h->auth_credentials_file) ?:
                 cfg_path_(x, &h->auth_credentials_file);
        else
            rc = cfg_y_unknown(y, k, "config.Authorization");
        if (rc)
            return rc;
    }
    return 0;
}

static int
tls_version(struct cfg_ctx *x, const yaml_node_t *v, const char *key, char **out)
{
    int rc = cfg_y_str(&x->y, v, key, out);
    if (rc || !*out)
        return rc;
    for (size_t i = 0; tls_versions[i]; i++)
        if (!strcmp(*out, tls_versions[i]))
            return 0;
    return cfg_y_fail(&x->y, v, "unknown TLS version: %s", *out);
}

static int
parse_tls(struct cfg_ctx *x, const yaml_node_t *n, struct cfg_tls *t)
{
    struct cfg_y *y = &x->y;
    int rc = cfg_y_map(y, n, "config.TLSConfig", true);
    if (rc || cfg_y_is_null(n))
        return rc;
    yaml_node_t *k, *v;
    const char *key;
    CFG_Y_FOR_PAIRS(y, n, k, v, key) {
        if (!strcmp(key, "ca_file"))
            rc = cfg_y_str(y, v, key, &t->ca_file) ?: cfg_path_(x, &t->ca_file);
        else if (!strcmp(key, "cert_file"))
            rc = cfg_y_str(y, v, key, &t->cert_file) ?: cfg_path_(x, &t->cert_file);
        else if (!strcmp(key, "key_file"))
            rc = cfg_y_str(y, v, key, &t->key_file) ?: cfg_path_(x, &t->key_file);
        else if (!strcmp(key, "server_name"))
            rc = cfg_y_str(y, v, key, &t->server_name);
        else if (!strcmp(key, "insecure_skip_verify"))
            rc = cfg_y_bool(y, v, key, &t->insecure_skip_verify);
        else if (!strcmp(key, "min_version"))
            rc = tls_version(x, v, key, &t->min_version);
        else if (!strcmp(key, "max_version"))
            rc = tls_version(x, v, key, &t->max_version);
        else if (!strcmp(key, "ca") || !strcmp(key, "cert") || !strcmp(key, "key"))
            rc = cfg_warn_(x, k, "tls_config: inline %s is not supported by flint yet "
                           "(ignored); use %s_file", key, key);
        else
            rc = cfg_y_unknown(y, k, "config.TLSConfig");
        if (rc)
            return rc;
    }
    if (t->key_file && !t->cert_file)
        return cfg_y_fail(y, n, "client key file \"%s\" specified without client cert file",
                          t->key_file);
    if (t->cert_file && !t->key_file)
        return cfg_y_fail(y, n, "client cert file \"%s\" specified without client key file",
                          t->cert_file);
    return 0;
}

int
cfg_http_key_(struct cfg_ctx *x, const char *key, const yaml_node_t *v,
              struct cfg_http_client *h)
{
    struct cfg_y *y = &x->y;
    if (!strcmp(key, "basic_auth")) {
        h->has_basic_auth = !cfg_y_is_null(v);
        return parse_basic_auth(x, v, &h->basic_auth);
    }
    if (!strcmp(key, "authorization")) {
        h->has_authorization = !cfg_y_is_null(v);
        return parse_authorization(x, v, h);
    }
    if (!strcmp(key, "bearer_token"))
        return cfg_y_str(y, v, key, &h->bearer_token);
    if (!strcmp(key, "bearer_token_file"))
        return cfg_y_str(y, v, key, &h->bearer_token_file) ?:
               cfg_path_(x, &h->bearer_token_file);
    if (!strcmp(key, "tls_config"))
        return parse_tls(x, v, &h->tls);
    if (!strcmp(key, "proxy_url"))
        return cfg_y_str(y, v, key, &h->proxy_url);
    if (!strcmp(key, "follow_redirects"))
        return cfg_y_bool(y, v, key, &h->follow_redirects);
    if (!strcmp(key, "enable_http2"))
        return cfg_y_bool(y, v, key, &h->enable_http2);
    if (!strcmp(key, "oauth2") || !strcmp(key, "no_proxy") ||
        !strcmp(key, "proxy_from_environment") || !strcmp(key, "proxy_connect_header"))
        return cfg_warn_(x, v, "%s is not supported by flint yet (ignored)", key);
    return 1;
}

int
cfg_http_validate_(struct cfg_ctx *x, const yaml_node_t *owner, struct cfg_http_client *h)
{
    struct cfg_y *y = &x->y;
    bool bt = h->bearer_token && *h->bearer_token;
    bool btf = h->bearer_token_file && *h->bearer_token_file;
    if (bt && btf)
        return cfg_y_fail(y, owner, "at most one of bearer_token & bearer_token_file must be "
                          "configured");
    if (h->has_basic_auth && (bt || btf))
        return cfg_y_fail(y, owner, "at most one of basic_auth, oauth2, bearer_token & "
                          "bearer_token_file must be configured");
    if (h->has_basic_auth && h->basic_auth.password && *h->basic_auth.password &&
        h->basic_auth.password_file && *h->basic_auth.password_file)
        return cfg_y_fail(y, owner, "at most one of basic_auth password & password_file must "
                          "be configured");
    if (h->has_authorization) {
        if (bt || btf)
            return cfg_y_fail(y, owner, "authorization is not compatible with bearer_token & "
                              "bearer_token_file");
        if (h->auth_credentials && *h->auth_credentials && h->auth_credentials_file &&
            *h->auth_credentials_file)
            return cfg_y_fail(y, owner, "at most one of authorization credentials & "
                              "credentials_file must be configured");
        const char *t = h->auth_type ? h->auth_type : "";
        t += strspn(t, " \t\r\n");
        size_t tl = strlen(t);
        while (tl && strchr(" \t\r\n", t[tl - 1]))
            tl--;
        char *trimmed = lm_strndup(tl ? t : "Bearer", tl ? tl : 6);
        if (!trimmed)
            return cfg_oom_(x);
        lm_free(h->auth_type);
        h->auth_type = trimmed;
        if (!strcasecmp(trimmed, "basic"))
            return cfg_y_fail(y, owner, "authorization type cannot be set to \"basic\", use "
                              "\"basic_auth\" instead");
        if (h->has_basic_auth)
            return cfg_y_fail(y, owner, "at most one of basic_auth, oauth2 & authorization "
                              "must be configured");
    } else if (bt || btf) {
        h->has_authorization = true;
        lm_free(h->auth_type);
        if (!(h->auth_type = lm_strdup("Bearer")))
            return cfg_oom_(x);
        if (bt) {
            h->auth_credentials = h->bearer_token;
            h->bearer_token = NULL;
        } else {
            h->auth_credentials_file = h->bearer_token_file;
            h->bearer_token_file = NULL;
        }
    }
    lm_free(h->bearer_token);
    lm_free(h->bearer_token_file);
    h->bearer_token = h->bearer_token_file = NULL;
    return 0;
}

void
cfg_http_free_(struct cfg_http_client *h)
{
    lm_free(h->basic_auth.username);
    lm_free(h->basic_auth.password);
    lm_free(h->basic_auth.password_file);
    lm_free(h->bearer_token);
    lm_free(h->bearer_token_file);
    lm_free(h->auth_type);
    lm_free(h->auth_credentials);
    lm_free(h->auth_credentials_file);
    lm_free(h->tls.ca_file);
    lm_free(h->tls.cert_file);
    lm_free(h->tls.key_file);
    lm_free(h->tls.server_name);
    lm_free(h->tls.min_version);
    lm_free(h->tls.max_version);
    lm_free(h->proxy_url);
    memset(h, 0, sizeof *h);
}

bool
cfg_http_eq_(const struct cfg_http_client *a, const struct cfg_http_client *b)
{
    return a->has_basic_auth == b->has_basic_auth &&
           cfg_streq_(a->basic_auth.username, b->basic_auth.username) &&
           cfg_streq_(a->basic_auth.password, b->basic_auth.password) &&
           cfg_streq_(a->basic_auth.password_file, b->basic_auth.password_file) &&
           a->has_authorization == b->has_authorization &&
           cfg_streq_(a->auth_type, b->auth_type) &&
           cfg_streq_(a->auth_credentials, b->auth_credentials) &&
           cfg_streq_(a->auth_credentials_file, b->auth_credentials_file) &&
           cfg_streq_(a->tls.ca_file, b->tls.ca_file) &&
           cfg_streq_(a->tls.cert_file, b->tls.cert_file) &&
           cfg_streq_(a->tls.key_file, b->tls.key_file) &&
           cfg_streq_(a->tls.server_name, b->tls.server_name) &&
           a->tls.insecure_skip_verify == b->tls.insecure_skip_verify &&
           cfg_streq_(a->tls.min_version, b->tls.min_version) &&
           cfg_streq_(a->tls.max_version, b->tls.max_version) &&
           cfg_streq_(a->proxy_url, b->proxy_url) &&
           a->follow_redirects == b->follow_redirects && a->enable_http2 == b->enable_http2;
}
