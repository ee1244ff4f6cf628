/* SPDX-License-Identifier: Apache-2.0 */
/* webcfg.c (fuzz): feeds arbitrary bytes to lm_webcfg_parse_mem and checks its contract:
 * success gives a usable config, failure gives NULL and a coded error with a reason.
 * File names inside resolve under a directory that does not exist, so they fail. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lm/webcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lm_webcfg *c = NULL;
    struct lm_err err = {0};
    int rc = lm_webcfg_parse_mem("fuzz.yml", data, size, "/nonexistent-fuzz-dir", &c, &err);
    if (rc) {
        if (c || err.code != rc || !err.msg[0])
            abort();
        if ((rc == LM_EPARSE || rc == LM_ECONFIG) && strncmp(err.where, "fuzz.yml:", 9))
            abort();
        return 0;
    }
    if (!c)
        abort();
    for (size_t i = 0; i < lm_webcfg_user_count(c); i++)
        if (!lm_webcfg_user_hash(c, lm_webcfg_user_name(c, i)))
            abort();
    for (size_t i = 0; i < lm_webcfg_header_count(c); i++)
        if (!lm_webcfg_header_name(c, i) || !lm_webcfg_header_value(c, i))
            abort();
    if (lm_webcfg_tls_enabled(c) && !lm_webcfg_tls_priorities(c))
        abort();
    if (lm_webcfg_min_version(c) > lm_webcfg_max_version(c) && lm_webcfg_tls_enabled(c))
        abort();
    lm_webcfg_free(c);
    return 0;
}
