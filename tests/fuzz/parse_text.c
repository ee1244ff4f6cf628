/* SPDX-License-Identifier: Apache-2.0 */
/* parse_text.c: libFuzzer target for the Prometheus text 0.0.4 parser (lm/parse.h): the
 * input parsed whole and in random chunks must agree and satisfy the invariants in
 * parse_fuzz.h; any crash, leak or abort is a bug. */
#include "tests/fuzz/parse_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_one(LM_FORMAT_TEXT, data, size);
}
