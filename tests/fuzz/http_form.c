/* SPDX-License-Identifier: Apache-2.0 */
/* http_form.c: libFuzzer target for the urlencoded form decoder of libmetrics's HTTP
 * server (http_form.c): any bytes decode without reading past their length; every pair
 * found by name is found again by index, and the counts agree. */
#include <stdlib.h>
#include <string.h>

#include "libmetrics/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    struct lmi_form f;
    if (lmi_form_decode(&f, copy, size)) {
        free(copy);
        return 0;
    }
    if (f.len > 2 * size + 2)
        abort();
    const char *p = f.data;
    for (size_t i = 0; i < f.npairs; i++) {
        size_t seen = 0, total = 0;
        const char *v = p + strlen(p) + 1;
        /* the first value of this name is found at index 0 */
        const char *first = lmi_form_find(&f, p, 0, &seen);
        if (!first || seen != 1)
            abort();
        lmi_form_find(&f, p, SIZE_MAX, &total);
        if (total < 1 || total > f.npairs)
            abort();
        p = v + strlen(v) + 1;
    }
    lmi_form_content_type(copy[0] ? "application/x-www-form-urlencoded; a" : "text/plain");
    lmi_form_free(&f);
    free(copy);
    return 0;
}
