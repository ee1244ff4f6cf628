/* SPDX-License-Identifier: Apache-2.0 */
/* pg_queries.c: fuzz target for postgres_exporter's queries.yaml reader
 * (pge_queries_parse). Any input must give a set or a clean error, without reading past
 * the input (exactly sized copy); every parsed column is touched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "postgres_exporter/pge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    struct lm_err err;
    struct pge_queries *q = pge_queries_parse(copy, size, &err);
    volatile size_t sum = 0;
    for (size_t i = 0; i < pge_queries_count(q); i++) {
        const struct pge_qmap *m = pge_queries_get(q, i);
        sum += strlen(m->ns) + strlen(m->query);
        for (size_t c = 0; c < m->ncols; c++)
            sum += strlen(m->cols[c].name) + strlen(m->cols[c].help) + m->cols[c].nmap;
    }
    (void)sum;
    if (!q && !err.code)
        abort();
    pge_queries_free(q);
    free(copy);
    return 0;
}
