/* SPDX-License-Identifier: Apache-2.0 */
/* httpc.c: fuzz target for the HTTP answer parser of proto/httpc.c (status line,
 * headers, Content-Length / chunked / to-EOF framing, 1xx answers) and, on the same
 * bytes, the URL parser and redaction. The input copy is exactly sized so ASan sees
 * overreads. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/buf.h"
#include "proto/httpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    struct lm_buf body;
    struct lm_err err;
    for (int mode = 0; mode < 4; mode++) {
        lm_buf_init(&body, 4096);
        struct proto_httpc_resp r = {.body = &body};
        int rc = proto_httpc_parse(copy, size, mode & 1, mode >> 1, &r, &err);
        if (!rc && body.len > 4096)
            abort();
        lm_buf_cleanup(&body);
    }
    char *s = malloc(size + 1);
    if (s) {
        memcpy(s, data, size);
        s[size] = '\0';
        struct proto_url *u = malloc(sizeof *u);
        if (u && !proto_url_parse(s, u, &err) && (!u->host[0] || u->target[0] != '/'))
            abort();
        char out[128];
        proto_url_redact(s, out, sizeof out);
        free(u);
        free(s);
    }
    free(copy);
    return 0;
}
