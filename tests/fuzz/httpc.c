/* SPDX-License-Identifier: Apache-2.0 */
/* httpc.c: fuzz target for the HTTP answer parser of proto/httpc.c (status line,
 * headers, Content-Length / chunked / to-EOF framing, 1xx answers), the header lookup
 * over the captured head, and, on the same bytes, the URL parser and redaction. The input copy is exactly sized so ASan sees
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
    struct lm_buf body, head;
    struct lm_err err;
    for (int mode = 0; mode < 4; mode++) {
        lm_buf_init(&body, 4096);
        lm_buf_init(&head, PROTO_HTTPC_HEAD_MAX + 1);
        struct proto_httpc_resp r = {.body = &body, .head = mode ? &head : NULL};
        int rc = proto_httpc_parse(copy, size, mode & 1, mode >> 1, &r, &err);
        if (!rc && body.len > 4096)
            abort();
        if (!rc && mode && head.len) {
            char v[64];
            size_t at = 0, n = 0;
            while (proto_httpc_header(head.data, head.len, "x-a", &at, v, sizeof v))
                if (++n > head.len || strlen(v) >= sizeof v)
                    abort();
            proto_httpc_header(head.data, head.len, "Location", NULL, v, sizeof v);
        }
        lm_buf_cleanup(&body);
        lm_buf_cleanup(&head);
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
