/* SPDX-License-Identifier: Apache-2.0 */
/* flint_promql.c: fuzz target for the PromQL lexer, parser and printers. Any input either
 * fails with a "L:C: parse error: ..." message or gives a tree whose String() form and
 * Pretty() form both parse again and print the same String() (the printer and parser
 * agree; see the one exception below), with no crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flint/promql/parse.h"
#include "lm/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *print(const struct pql_node *n, int pretty)
{
    struct lm_buf b;
    lm_buf_init(&b, (size_t)1 << 24);
    if (pretty)
        pql_print_pretty(n, &b);
    else
        pql_print(n, &b);
    if (b.err)
        abort();
    size_t len;
    char *s = lm_buf_take(&b, &len);
    return s ? s : calloc(1, 1);
}

static struct pql_node *reparse(const char *s)
{
    struct pql_parse_err err;
    struct pql_node *n = pql_parse(s, strlen(s), &err);
    if (!n)
        abort(); /* a printed tree must parse */
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    struct pql_parse_err err;
    struct pql_node *n = pql_parse((const char *)data, size, &err);
    if (!n) {
        if (!strstr(err.msg, "parse error: ") && err.code != LM_ENOMEM)
            abort();
        return 0;
    }
    char *s1 = print(n, 0);
    char *p1 = print(n, 1);
    struct pql_node *n2 = reparse(s1);
    struct pql_node *n3 = reparse(p1);
    char *s2 = print(n2, 0);
    char *s3 = print(n3, 0);
    /* Prometheus prints the literal Inf as "+Inf", so "Inf ^ y" prints as "+Inf ^ y",
     * which reads back as +(Inf ^ y): that one form does not round-trip (nor does it in
     * Prometheus). Everything else must. */
    if (!strstr(s1, "Inf ^") && (strcmp(s1, s2) != 0 || strcmp(s1, s3) != 0))
        abort();
    if (pql_node_type(n) != pql_node_type(n2))
        abort();
    free(s1);
    free(p1);
    free(s2);
    free(s3);
    pql_node_free(n);
    pql_node_free(n2);
    pql_node_free(n3);
    return 0;
}
