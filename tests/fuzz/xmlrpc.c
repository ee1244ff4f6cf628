/* SPDX-License-Identifier: Apache-2.0 */
/* xmlrpc.c: fuzz target for proto_xmlrpc_parse_response (the supervisord reply parser).
 * Any input must give 0 with a tree, or an error with no tree; the tree is walked through
 * every accessor so reads past its ends show up under ASan. */
#include <stdint.h>
#include <stdlib.h>
#include "proto/xmlrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* walk: touch every node through the public accessors. */
static size_t
walk(const struct proto_xmlrpc_value *v, int depth)
{
    size_t sum = (size_t)proto_xmlrpc_type(v), len = 0;
    int64_t i;
    double d;
    bool b;
    const char *s = proto_xmlrpc_string_view(v, &len);
    if (s && len)
        sum += (unsigned char)s[len - 1] + (unsigned char)s[len];
    if (!proto_xmlrpc_get_int(v, &i))
        sum += (size_t)i;
    if (!proto_xmlrpc_get_double(v, &d))
        sum += d > 0;
    if (!proto_xmlrpc_get_bool(v, &b))
        sum += b;
    if (!proto_xmlrpc_get_time(v, &i))
        sum += (size_t)i;
    for (size_t k = 0; k < proto_xmlrpc_len(v); k++) {
        const char *name = proto_xmlrpc_member_name(v, k);
        if (name)
            sum += proto_xmlrpc_member(v, name) != NULL;
        sum += walk(proto_xmlrpc_at(v, k), depth + 1);
    }
    if (depth > PROTO_XMLRPC_MAX_DEPTH + 1)
        abort();
    return sum;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proto_xmlrpc_value *v = NULL;
    struct proto_xmlrpc_fault f;
    struct lm_err err;
    int rc = proto_xmlrpc_parse_response((const char *)data, size, &v, &f, &err);
    if (rc == 0 && !v)
        abort();
    if (rc != 0 && (v || !err.code))
        abort();
    volatile size_t sink = walk(v, 0);
    (void)sink;
    proto_xmlrpc_value_free(v);
    return 0;
}
