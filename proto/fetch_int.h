/* SPDX-License-Identifier: Apache-2.0 */
/* fetch_int.h: between fetch.c (plain http:// and unix sockets with proto/httpc.h) and
 * fetch_curl.c (https:// and proxies, libcurl loaded on first use). Private to proto/. */
#ifndef PROTO_FETCH_INT_H
#define PROTO_FETCH_INT_H

#include "proto/fetch.h"

/* proto_fetch_curl_get: one GET with libcurl on *handle (created on first use, freed
 * with proto_fetch_curl_free). ms: the time limit in ms, 0 for none. r is reset by the
 * caller. Errors as proto_fetch_get, with where as the place. */
int proto_fetch_curl_get(void **handle, const struct proto_fetch_req *req, long ms,
                         struct proto_fetch_resp *r, const char *where, struct lm_err *err);
void proto_fetch_curl_free(void *handle);

#endif
