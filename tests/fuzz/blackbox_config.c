/* SPDX-License-Identifier: Apache-2.0 */
/* blackbox_config.c: fuzz target for the blackbox.yml reader (bb_config_parse). Any
 * input must give a config or an error with a place, never a crash or a leak; a parsed
 * config's modules are all walked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "blackbox_exporter/bb.h"

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
    struct bb_config *c = bb_config_parse(copy, size, "fuzz.yml", &err);
    if (c) {
        volatile size_t sum = 0;
        for (size_t i = 0; i < bb_config_count(c); i++)
            sum += strlen(bb_config_nth(c, i)->name);
        (void)sum;
        bb_config_free(c);
    } else if (!err.code) {
        abort();
    }
    free(copy);
    return 0;
}
