/* SPDX-License-Identifier: Apache-2.0 */
/* curl_dl.h: libcurl loaded with dlopen on first use instead of linked, so a binary that
 * never fetches an https:// URL never maps libcurl and its dependency tree (OpenSSL,
 * Kerberos, LDAP, nghttp2, ...: several MB of RSS). Include this instead of
 * <curl/curl.h>: it declares the same API and maps each curl_* function used in this
 * repository onto the loaded table, so code written against libcurl compiles unchanged.
 * Call proto_curl_load() (thread-safe, idempotent) before any other curl_* call. */
#ifndef PROTO_CURL_DL_H
#define PROTO_CURL_DL_H

#define CURL_DISABLE_TYPECHECK 1  /* the type-checking macros call the real symbols */
#include <curl/curl.h>
#include "lm/err.h"

/* The loaded functions. */
struct proto_curl_api {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *h);
    void (*easy_reset)(CURL *h);
    CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    CURLcode (*easy_perform)(CURL *h);
    const char *(*easy_strerror)(CURLcode c);
    char *(*easy_unescape)(CURL *h, const char *s, int n, int *outlen);
    void (*free)(void *p);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
    CURLU *(*url)(void);
    void (*url_cleanup)(CURLU *u);
    CURLUcode (*url_get)(const CURLU *u, CURLUPart what, char **part, unsigned flags);
    CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part, unsigned flags);
};

/* The table after a successful proto_curl_load(); all NULL before. */
extern struct proto_curl_api proto_curl;

/* proto_curl_load: dlopen libcurl.so.4 and resolve the table, once per process, and run
 * curl_global_init (once). 0, or LM_EUNSUPP with err saying why (library missing). */
int proto_curl_load(struct lm_err *err);

#define curl_global_init (*proto_curl.global_init)
#define curl_global_cleanup (*proto_curl.global_cleanup)
#define curl_easy_init (*proto_curl.easy_init)
#define curl_easy_cleanup (*proto_curl.easy_cleanup)
#define curl_easy_reset (*proto_curl.easy_reset)
#undef curl_easy_setopt
#define curl_easy_setopt (*proto_curl.easy_setopt)
#undef curl_easy_getinfo
#define curl_easy_getinfo (*proto_curl.easy_getinfo)
#define curl_easy_perform (*proto_curl.easy_perform)
#define curl_easy_strerror (*proto_curl.easy_strerror)
#define curl_easy_unescape (*proto_curl.easy_unescape)
#define curl_free (*proto_curl.free)
#define curl_slist_append (*proto_curl.slist_append)
#define curl_slist_free_all (*proto_curl.slist_free_all)
#define curl_url (*proto_curl.url)
#define curl_url_cleanup (*proto_curl.url_cleanup)
#define curl_url_get (*proto_curl.url_get)
#define curl_url_set (*proto_curl.url_set)

#endif
