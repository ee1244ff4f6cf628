/* SPDX-License-Identifier: Apache-2.0 */
/* curl_dl.c: loads libcurl.so.4 with dlopen once (pthread_once) and fills the function
 * table of proto/curl_dl.h, then runs curl_global_init. The library stays loaded for the
 * life of the process. */
#include <pthread.h>
#include <stdio.h>
#include "lm/dl.h"
#include <string.h>
#include "proto/curl_dl.h"

struct proto_curl_api proto_curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];   /* "" after a successful load */

static void
load(void)
{
    struct proto_curl_api t;
    const struct lm_dl_sym syms[] = {
        {"curl_global_init", (void **)&t.global_init},
        {"curl_global_cleanup", (void **)&t.global_cleanup},
        {"curl_easy_init", (void **)&t.easy_init},
        {"curl_easy_cleanup", (void **)&t.easy_cleanup},
        {"curl_easy_reset", (void **)&t.easy_reset},
        {"curl_easy_setopt", (void **)&t.easy_setopt},
        {"curl_easy_getinfo", (void **)&t.easy_getinfo},
        {"curl_easy_perform", (void **)&t.easy_perform},
        {"curl_easy_strerror", (void **)&t.easy_strerror},
        {"curl_easy_unescape", (void **)&t.easy_unescape},
        {"curl_free", (void **)&t.free},
        {"curl_slist_append", (void **)&t.slist_append},
        {"curl_slist_free_all", (void **)&t.slist_free_all},
        {"curl_url", (void **)&t.url},
        {"curl_url_cleanup", (void **)&t.url_cleanup},
        {"curl_url_get", (void **)&t.url_get},
        {"curl_url_set", (void **)&t.url_set},
    };
    snprintf(load_error, sizeof load_error, "libcurl not loaded");
    if (lm_dl_open("libcurl.so.4", "libcurl", syms,
                   sizeof syms / sizeof syms[0], load_error, sizeof load_error))
        return;
    if (t.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(load_error, sizeof load_error, "curl_global_init failed");
        return;
    }
    proto_curl = t;
    load_error[0] = '\0';
}

int
proto_curl_load(struct lm_err *err)
{
    pthread_once(&load_once, load);
    if (load_error[0])
        return lm_err_set(err, LM_EUNSUPP, NULL, "%s", load_error);
    return 0;
}
