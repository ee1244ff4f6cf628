/* SPDX-License-Identifier: Apache-2.0 */
/* apache_status.c: fuzz target for ap_status_parse (mod_status ?auto pages) and
 * ap_status_version_number. Any input must parse without reading past its end (the copy
 * is exactly sized, so ASan sees overreads); every parsed field is touched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "apache_exporter/status_parse.h"
#include "lm/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    struct ap_status st;
    struct lm_err err;
    ap_status_init(&st);
    lm_err_clear(&err);
    volatile double sum = 0;
    if (ap_status_parse(copy, size, &st, &err) == 0) {
        for (unsigned k = 0; k < AP_K_COUNT; k++)
            sum += st.has[k] ? st.v[k] : 0;
        for (unsigned i = 0; i < AP_SB_COUNT; i++)
            sum += st.sb[i] + (double)strlen(ap_sb_label((enum ap_sb)i));
        for (size_t i = 0; i < st.nworkers; i++)
            sum += (double)(strlen(st.workers[i].balancer) + strlen(st.workers[i].worker) +
                            strlen(st.workers[i].status)) + st.workers[i].elected;
        double v;
        if (ap_status_version_number(st.version, &v) == 0)
            sum += v;
        sum += (double)strlen(st.mpm) + (double)st.page;
    }
    (void)sum;
    ap_status_cleanup(&st);
    free(copy);
    return 0;
}
