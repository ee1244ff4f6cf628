/* SPDX-License-Identifier: Apache-2.0 */
/* xmlrpc_curl.c: the XML-RPC POST to an https:// URL, with libcurl loaded on first use
 * (proto/curl_dl.h); plain http and unix sockets never come here (xmlrpc_call.c). Basic
 * auth from the URL; bounds the response size and the time. Never logs. */
#include <stdio.h>
#include <string.h>
#include "lm/alloc.h"
#include "proto/curl_dl.h"
#include "proto/xmlrpc_int.h"

/* on_body: curl's write callback; returning short makes curl stop with a write error. */
static size_t
on_body(char *p, size_t size, size_t nmemb, void *userp)
{
    struct lm_buf *b = userp;
    return lm_buf_append(b, p, size * nmemb) ? 0 : size * nmemb;
}

int
proto_xmlrpc_post_curl(const char *url, const struct lm_buf *req, double timeout,
                       struct proto_xmlrpc_http *out, const char *where, struct lm_err *err)
{
    int rc = proto_curl_load(err);
    if (rc) {
        snprintf(err->where, sizeof err->where, "%s", where);
        return rc;
    }
    CURL *h = curl_easy_init();
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: text/xml");
    struct curl_slist *h2 = hdrs ? curl_slist_append(hdrs, "Expect:") : NULL;
    if (!h || !h2) {
        rc = lm_err_set(err, LM_ENOMEM, where, "out of memory");
        goto out;
    }
    hdrs = h2;
    char ebuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->data ? req->data : "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->len);
    curl_easy_setopt(h, CURLOPT_USERAGENT, PROTO_XMLRPC_USER_AGENT);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000 + 0.5));
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)PROTO_XMLRPC_MAX_RESPONSE);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &out->body);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    CURLcode cc = curl_easy_perform(h);
    if ((cc == CURLE_WRITE_ERROR && out->body.err == LM_ETOOBIG) || cc == CURLE_FILESIZE_EXCEEDED)
        rc = lm_err_set(err, LM_ETOOBIG, where, "response over %lu bytes",
                        (unsigned long)PROTO_XMLRPC_MAX_RESPONSE);
    else if (cc == CURLE_WRITE_ERROR && out->body.err)
        rc = lm_err_set(err, out->body.err, where, "%s", lm_strerror(out->body.err));
    else if (cc == CURLE_OPERATION_TIMEDOUT)
        rc = lm_err_set(err, LM_ETIMEOUT, where, "%s", ebuf[0] ? ebuf : "timed out");
    else if (cc == CURLE_URL_MALFORMAT)
        rc = lm_err_set(err, LM_EINVAL, where, "malformed URL");
    else if (cc != CURLE_OK)
        rc = lm_err_set(err, LM_EIO, where, "%s", ebuf[0] ? ebuf : curl_easy_strerror(cc));
    if (!rc) {
        long status = 0;
        char *ct = NULL;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
        out->status = (int)status;
        snprintf(out->content_type, sizeof out->content_type, "%s", ct ? ct : "");
    }
out:
    if (h)
        curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);
    return rc;
}
