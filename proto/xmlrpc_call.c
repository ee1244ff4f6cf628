/* SPDX-License-Identifier: Apache-2.0 */
/* xmlrpc_call.c: the XML-RPC transport: one POST per call with libcurl, over a unix
 * socket (unix:///path, as supervisorctl's serverurl) or to an http(s) URL with optional
 * basic auth taken from the URL. Bounds the response size and the time, checks the HTTP
 * status and Content-Type, then hands the body to the codec in xmlrpc.c. Never logs; the
 * password never reaches an error message. */
#include <curl/curl.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "proto/xmlrpc.h"

#define UNIX_PREFIX "unix://"
#define USER_AGENT "lm-xmlrpc/1.0"

/* What one call needs besides the curl handle. */
struct call {
    char where[LM_ERR_WHERE_MAX];   /* the url with the password redacted, for errors */
    char sock[512];                 /* unix socket path, or "" for http(s) */
    struct lm_buf body;             /* the response body, capped */
};

int
proto_xmlrpc_global_init(struct lm_err *err)
{
    xmlInitParser();
    CURLcode c = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (c != CURLE_OK)
        return lm_err_set(err, LM_EIO, NULL, "curl_global_init: %s", curl_easy_strerror(c));
    return 0;
}

void
proto_xmlrpc_global_cleanup(void)
{
    curl_global_cleanup();
}

/* redact: url without its password into out (libcurl's URL parser; Go's URL.Redacted
 * spelling "xxxxx"). Unparseable URLs are shown as their scheme only. */
static void
redact(const char *url, char *out, size_t n)
{
    CURLU *u = curl_url();
    char *pw = NULL, *full = NULL;
    snprintf(out, n, "%.*s", (int)strcspn(url, ":"), url);
    if (!u)
        return;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
        if (curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK)
            curl_url_set(u, CURLUPART_PASSWORD, "xxxxx", 0);
        if (curl_url_get(u, CURLUPART_URL, &full, 0) == CURLUE_OK)
            snprintf(out, n, "%s", full);
    }
    curl_free(pw);
    curl_free(full);
    curl_url_cleanup(u);
}

/* on_body: curl's write callback; returning short makes curl stop with a write error. */
static size_t
on_body(char *p, size_t size, size_t nmemb, void *userp)
{
    struct call *c = userp;
    return lm_buf_append(&c->body, p, size * nmemb) ? 0 : size * nmemb;
}

/* set_userinfo: "user[:pass]" (n bytes at ui, percent-encoded) as h's credentials. */
static int
set_userinfo(CURL *h, const char *ui, size_t n, struct lm_err *err)
{
    const char *colon = memchr(ui, ':', n);
    size_t ul = colon ? (size_t)(colon - ui) : n;
    char *user = curl_easy_unescape(h, ui, (int)ul, NULL);
    char *pass = colon ? curl_easy_unescape(h, colon + 1, (int)(n - ul - 1), NULL) : NULL;
    int rc = 0;
    if (!user || (colon && !pass))
        rc = lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
    else
        curl_easy_setopt(h, CURLOPT_USERNAME, user);
    if (!rc && pass)
        curl_easy_setopt(h, CURLOPT_PASSWORD, pass);
    if (pass)
        memset(pass, 0, strlen(pass));
    curl_free(user);
    curl_free(pass);
    return rc;
}

/* prepare: set the target options on h for url; fills c->where and c->sock. */
static int
prepare(CURL *h, const char *url, struct call *c, struct lm_err *err)
{
    if (!strncmp(url, UNIX_PREFIX, strlen(UNIX_PREFIX))) {
        const char *path = url + strlen(UNIX_PREFIX);
        /* unix://user:pass@/path: basic auth for a [unix_http_server] with a username */
        const char *at = path[0] != '/' ? strstr(path, "@/") : NULL;
        if (at) {
            int rc = set_userinfo(h, path, (size_t)(at - path), err);
            if (rc)
                return rc;
            path = at + 1;
        }
        snprintf(c->where, sizeof c->where, "%s%s", UNIX_PREFIX, path);
        if (path[0] != '/' || strlen(path) >= sizeof c->sock)
            return lm_err_set(err, LM_EINVAL, c->where,
                              "a unix URL needs an absolute socket path, as in "
                              "unix:///var/run/supervisor.sock");
        snprintf(c->sock, sizeof c->sock, "%s", path);
        /* supervisord answers XML-RPC on /RPC2 and accepts any Host header */
        if (curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->sock) != CURLE_OK ||
            curl_easy_setopt(h, CURLOPT_URL, "http://localhost/RPC2") != CURLE_OK)
            return lm_err_set(err, LM_EUNSUPP, c->where, "libcurl without unix socket support");
        return 0;
    }
    redact(url, c->where, sizeof c->where);
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return lm_err_set(err, LM_EINVAL, c->where,
                          "unsupported URL scheme: use http://, https:// or unix://");
    if (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK)
        return lm_err_set(err, LM_EINVAL, c->where, "malformed URL");
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    return 0;
}

/* content_type_ok: the response claims to be XML (or says nothing). */
static bool
content_type_ok(CURL *h)
{
    char *ct = NULL;
    if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK || !ct)
        return true;
    return strstr(ct, "xml") != NULL;
}

/* transfer: run the request on h and check what came back. */
static int
transfer(CURL *h, struct call *c, struct lm_err *err)
{
    char ebuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    CURLcode cc = curl_easy_perform(h);
    if (cc == CURLE_WRITE_ERROR && c->body.err == LM_ETOOBIG)
        return lm_err_set(err, LM_ETOOBIG, c->where, "response over %lu bytes",
                          (unsigned long)PROTO_XMLRPC_MAX_RESPONSE);
    if (cc == CURLE_WRITE_ERROR && c->body.err)
        return lm_err_set(err, c->body.err, c->where, "%s", lm_strerror(c->body.err));
    if (cc == CURLE_FILESIZE_EXCEEDED)
        return lm_err_set(err, LM_ETOOBIG, c->where, "response over %lu bytes",
                          (unsigned long)PROTO_XMLRPC_MAX_RESPONSE);
    if (cc == CURLE_OPERATION_TIMEDOUT)
        return lm_err_set(err, LM_ETIMEOUT, c->where, "%s", ebuf[0] ? ebuf : "timed out");
    if (cc != CURLE_OK)
        return lm_err_set(err, LM_EIO, c->where, "%s", ebuf[0] ? ebuf : curl_easy_strerror(cc));
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status == 401)
        return lm_err_set(err, LM_EIO, c->where,
                          "HTTP 401 Unauthorized: supervisord wants the username and password "
                          "of its [unix_http_server] or [inet_http_server] section");
    if (status != 200)
        return lm_err_set(err, LM_EIO, c->where, "HTTP status %ld%s", status,
                          status == 404 ? " (is the URL path /RPC2?)" : "");
    if (!content_type_ok(h))
        return lm_err_set(err, LM_EIO, c->where,
                          "got a non-XML page instead of an XML-RPC response "
                          "(is the URL path /RPC2?)");
    return 0;
}

int
proto_xmlrpc_call(const char *url, const char *method, const struct proto_xmlrpc_param *params,
                  size_t n, double timeout, struct proto_xmlrpc_value **result,
                  struct proto_xmlrpc_fault *fault, struct lm_err *err)
{
    struct lm_buf req;
    struct call *c = NULL;
    struct curl_slist *hdrs = NULL, *h2;
    CURL *h = NULL;
    int rc;

    *result = NULL;
    if (fault) {
        fault->code = 0;
        fault->string[0] = '\0';
    }
    lm_buf_init(&req, PROTO_XMLRPC_MAX_REQUEST);
    if (!url || !*url)
        return lm_err_set(err, LM_EINVAL, NULL, "empty XML-RPC URL");
    rc = proto_xmlrpc_build_request(method, params, n, &req, err);
    if (rc)
        goto out;
    c = lm_calloc(1, sizeof *c);
    h = curl_easy_init();
    if (!c || !h) {
        rc = lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        goto out;
    }
    lm_buf_init(&c->body, PROTO_XMLRPC_MAX_RESPONSE);
    rc = prepare(h, url, c, err);
    if (rc)
        goto out;
    hdrs = curl_slist_append(NULL, "Content-Type: text/xml");
    /* Medusa does not speak 100-continue */
    h2 = hdrs ? curl_slist_append(hdrs, "Expect:") : NULL;
    if (!h2) {
        rc = lm_err_set(err, LM_ENOMEM, NULL, "out of memory");
        goto out;
    }
    hdrs = h2;
    if (timeout <= 0)
        timeout = 10;
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, lm_buf_cstr(&req));
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req.len);
    curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000 + 0.5));
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)PROTO_XMLRPC_MAX_RESPONSE);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    rc = transfer(h, c, err);
    if (rc)
        goto out;
    rc = proto_xmlrpc_parse_response(c->body.data ? c->body.data : "", c->body.len, result,
                                     fault, err);
    if (rc && err) {
        /* keep the parser's "line N" in the message and put the url in where */
        char msg[LM_ERR_MSG_MAX];
        if (err->where[0])
            snprintf(msg, sizeof msg, "%.40s: %.400s", err->where, err->msg);
        else
            snprintf(msg, sizeof msg, "%s", err->msg);
        lm_err_set(err, rc, c->where, "%s", msg);
    }
out:
    if (h)
        curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);
    if (c)
        lm_buf_cleanup(&c->body);
    lm_free(c);
    lm_buf_cleanup(&req);
    return rc;
}
