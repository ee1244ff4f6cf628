/* SPDX-License-Identifier: Apache-2.0 */
/* flint_file_sd.c (fuzz): feeds arbitrary bytes to disc_file_parse as a JSON and as a
 * YAML file_sd target file and checks its contract: success gives groups that each carry
 * a source and __meta_filepath and targets with __address__; failure gives no groups and
 * a coded error placed in the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flint/discovery/discovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
one(const char *name, const uint8_t *data, size_t size)
{
    struct disc_group *g;
    size_t n;
    struct lm_err err = {0};
    int rc = disc_file_parse(name, (const char *)data, size, &g, &n, &err);
    if (rc) {
        if (g || n || err.code != rc || !err.msg[0] || strncmp(err.where, name, strlen(name)))
            abort();
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (!g[i].source || strncmp(g[i].source, name, strlen(name)) ||
            !lbl_set_get(&g[i].labels, "__meta_filepath"))
            abort();
        for (size_t j = 0; j < g[i].ntargets; j++)
            if (g[i].targets[j].n > 1)
                abort();
    }
    disc_groups_free(g, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one("fuzz.json", data, size);
    one("fuzz.yml", data, size);
    return 0;
}
