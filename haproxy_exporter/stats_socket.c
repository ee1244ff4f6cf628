/* SPDX-License-Identifier: Apache-2.0 */
/* stats_socket.c: one command on HAProxy's stats socket (the CLI): connect to a unix
 * socket path or a tcp host:port, write "show stat\n" or "show info\n", shut down the
 * write side and read until HAProxy closes (non-interactive mode). Everything is bounded
 * by a CLOCK_MONOTONIC deadline and the output by the buffer's cap (proto/sock.c does the
 * socket work). Never logs. */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "haproxy_exporter/hap.h"
#include "proto/sock.h"

int
hap_socket_cmd(bool is_unix, const char *addr, const char *cmd, double deadline,
               struct lm_buf *out, struct lm_err *err)
{
    lm_buf_reset(out);
    int fd = is_unix ? proto_sock_connect_unix(addr, deadline, err)
                     : proto_sock_connect(addr, deadline, err);
    if (fd < 0)
        return fd;
    int rc = proto_sock_write(fd, cmd, strlen(cmd), deadline, addr, err);
    if (!rc) {
        shutdown(fd, SHUT_WR);
        rc = proto_sock_read(fd, out, 0, deadline, addr, err);
    }
    close(fd);
    return rc;
}
