/* SPDX-License-Identifier: Apache-2.0 */
/* sock.h: a stream socket client bounded by a CLOCK_MONOTONIC deadline: connect to a unix
 * socket path or a TCP host:port without blocking past it, write a request, read a reply
 * to EOF (or a given length) into a capped lm_buf. Shared by the haproxy stats socket, the
 * ZEO client and the uWSGI stats reader. Errors are returned in struct lm_err naming the
 * address and the OS reason; nothing is logged. Includes libc headers only. */
#ifndef PROTO_SOCK_H
#define PROTO_SOCK_H

#include <stddef.h>
#include "lm/buf.h"
#include "lm/err.h"

/* proto_sock_connect: a connected non-blocking, close-on-exec socket to addr, which is
 * "unix:PATH", a PATH holding a '/', "host:port", "[v6addr]:port" or ":port" (loopback).
 * deadline: CLOCK_MONOTONIC seconds (lm_monotonic()). Returns the fd (>= 0, the caller
 * closes it) or a negative LM_EINVAL (bad address), LM_EIO or LM_ETIMEOUT with err set:
 * where = addr, msg in Go's wording ("dial tcp 127.0.0.1:1: Connection refused",
 * "dial unix /run/x.sock: i/o timeout", "dial tcp h:1: lookup h: Name or service not
 * known"). On failure errno holds the OS reason of a failed connect (ETIMEDOUT when the
 * deadline passed), or 0 when the address was bad or did not resolve. */
int proto_sock_connect(const char *addr, double deadline, struct lm_err *err);

/* proto_sock_connect_unix: the same for a unix socket path taken as is (no "unix:"). */
int proto_sock_connect_unix(const char *path, double deadline, struct lm_err *err);

/* proto_sock_connect_tcp: the same for a host (brackets stripped; NULL or "" for the
 * loopback) and a port, each address getaddrinfo gives tried in turn. where = "host:port"
 * ("[host]:port" for a v6 literal). */
int proto_sock_connect_tcp(const char *host, const char *port, double deadline,
                           struct lm_err *err);

/* proto_sock_write: write all n bytes of p to fd (MSG_NOSIGNAL) by the deadline. Returns
 * 0, LM_EIO ("write: <strerror>") or LM_ETIMEOUT, with err->where = where. */
int proto_sock_write(int fd, const void *p, size_t n, double deadline, const char *where,
                     struct lm_err *err);

/* proto_sock_read: append what fd gives to out until EOF or, when want > 0, until want
 * bytes have been appended (an earlier EOF is not an error: compare out->len). Uses
 * read(2), so any non-blocking fd works, a file too. Returns 0, LM_ETIMEOUT, LM_EIO
 * ("read: <strerror>"), LM_ETOOBIG (reply over out->max) or LM_ENOMEM, with
 * err->where = where; what was read stays in out. */
int proto_sock_read(int fd, struct lm_buf *out, size_t want, double deadline,
                    const char *where, struct lm_err *err);

#endif
