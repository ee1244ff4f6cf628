/* SPDX-License-Identifier: Apache-2.0 */
/* dns_reply.c: fuzz target for the dns prober's reply parser (bb_dns_parse_reply). Any
 * input must parse or be refused without a crash, a leak or an over-read; every rendered
 * RR must be a NUL-terminated string of the stated length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "blackbox_exporter/bb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    struct bb_dns_reply rep;
    if (bb_dns_parse_reply(copy, size, &rep) == 0) {
        for (int s = 0; s < 3; s++)
            for (size_t i = 0; i < rep.n[s]; i++)
                if (strlen(rep.rrs[s][i].text) != rep.rrs[s][i].len)
                    abort();
        (void)bb_dns_rcode_name(rep.rcode);
        bb_dns_reply_free(&rep);
    }
    free(copy);
    return 0;
}
