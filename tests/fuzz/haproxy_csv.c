/* SPDX-License-Identifier: Apache-2.0 */
/* haproxy_csv.c: fuzz target for the HAProxy stats CSV reader (hap_csv_next). Any input
 * must end in 0 or LM_ENOMEM after a finite number of records and bad records, without
 * reading past the input (exactly sized copy, so ASan sees overreads); every field of
 * every record is touched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "haproxy_exporter/csv_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    struct hap_csv c;
    struct lm_err err;
    hap_csv_init(&c, copy, size);
    volatile size_t sum = 0;
    int rc;
    size_t rounds = 0;
    while ((rc = hap_csv_next(&c, &err)) != 0 && rc != LM_ENOMEM) {
        if (++rounds > size + 1)
            abort();   /* no progress: a reader bug */
        if (rc < 0)
            continue;
        for (size_t i = 0; i < hap_csv_nfields(&c); i++)
            sum += strlen(hap_csv_field(&c, i));
        sum += strlen(hap_csv_field(&c, hap_csv_nfields(&c)));
    }
    (void)sum;
    hap_csv_cleanup(&c);
    free(copy);
    return 0;
}
