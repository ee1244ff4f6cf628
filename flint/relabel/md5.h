/* SPDX-License-Identifier: Apache-2.0 */
/* md5.h: MD5 (RFC 1321) of a byte string, for the hashmod relabel action, which must
 * give the same shard numbers as Prometheus. Not for security. Prefix rl_. */
#ifndef FLINT_RELABEL_MD5_H
#define FLINT_RELABEL_MD5_H

#include <stddef.h>
#include <stdint.h>

/* rl_md5: the 16-byte digest of len bytes at p into out. Cannot fail. */
void rl_md5(const void *p, size_t len, uint8_t out[16]);

#endif
