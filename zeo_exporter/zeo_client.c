/* SPDX-License-Identifier: Apache-2.0 */
/* zeo_client.c: the socket half of the ZEO client (zeo_client.h): connect to the address
 * (host:port, [v6]:port, unix path) with proto/sock.c under the deadline, read sized
 * frames (length, then payload), send `ruok`, and hand the reply to zeo_status.c. Also
 * reads the legacy monitor report to EOF. One connection per call; no state is kept. TLS (a ZEO <ssl> section) is not supported. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lm/buf.h"
#include "proto/sock.h"
#include "zeo_exporter/zeo_client.h"

/* io_fail: rewrite a proto/sock.c error as "<doing>: <reason>" ("timed out" for the
 * deadline). Returns rc. */
static int
io_fail(struct lm_err *err, int rc, const char *address, const char *doing)
{
    char msg[LM_ERR_MSG_MAX];
    snprintf(msg, sizeof msg, "%s", rc == LM_ETIMEOUT ? "timed out" : err->msg);
    return lm_err_set(err, rc, address, "%s: %s", doing, msg);
}

/* read_frame: read one whole frame into b (replacing its contents): the 4-byte length,
 * then the payload. what names the frame. */
static int
read_frame(int fd, struct lm_buf *b, size_t max, double deadline, const char *what,
           const char *address, struct lm_err *err)
{
    size_t total = 4;
    lm_buf_reset(b);
    while (b->len < total) {
        int rc = proto_sock_read(fd, b, total - b->len, deadline, address, err);
        if (rc) {
            char doing[64];
            snprintf(doing, sizeof doing, "reading the %s", what);
            return io_fail(err, rc, address, doing);
        }
        if (b->len < total)   /* proto_sock_read stopped early: EOF */
            return lm_err_set(err, LM_EIO, address,
                              "server closed the connection after %zu of %zu bytes of the %s",
                              b->len, total, what);
        if (total == 4) {
            rc = zeo_frame_size((const unsigned char *)b->data, b->len, max, &total, err);
            if (rc) {
                char msg[LM_ERR_MSG_MAX];
                snprintf(msg, sizeof msg, "%s", err->msg);
                return lm_err_set(err, rc, address, "%s: %s", what, msg);
            }
        }
    }
    return 0;
}

/* fetch_ruok: announcement, ruok, reply. */
static int
fetch_ruok(int fd, const char *address, double deadline, struct lm_buf *b,
           struct zeo_status *st, struct lm_err *err)
{
    static const unsigned char ruok[] = {0, 0, 0, 4, 'r', 'u', 'o', 'k'};
    int rc = read_frame(fd, b, ZEO_MAX_ANNOUNCE, deadline, "protocol announcement", address,
                        err);
    if (rc)
        return rc;
    rc = zeo_announce_check((const unsigned char *)b->data + 4, b->len - 4, st, err);
    if (rc)
        goto where;
    rc = proto_sock_write(fd, ruok, sizeof ruok, deadline, address, err);
    if (rc)
        return io_fail(err, rc, address, "sending ruok");
    rc = read_frame(fd, b, ZEO_MAX_REPLY, deadline, "ruok reply", address, err);
    if (rc) {
        if (rc == LM_EIO && st->protocol[1] == '3')
            snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
                     " (a %s server predates ruok: use --zeo.monitor-address)", st->protocol);
        return rc;
    }
    rc = zeo_status_parse_json(b->data + 4, b->len - 4, st, err);
    if (rc)
        goto where;
    return 0;
where:
    snprintf(err->where, sizeof err->where, "%s", address);
    return rc;
}

/* fetch_monitor: read the monitor report to EOF and parse it. */
static int
fetch_monitor(int fd, const char *address, double deadline, struct lm_buf *b,
              struct zeo_status *st, struct lm_err *err)
{
    int rc = proto_sock_read(fd, b, 0, deadline, address, err);
    if (rc)
        return io_fail(err, rc, address, "reading the monitor report");
    rc = zeo_monitor_parse(b->data ? b->data : "", b->len, st, err);
    if (rc)
        snprintf(err->where, sizeof err->where, "%s", address);
    return rc;
}

int
zeo_fetch(const char *address, bool monitor, double deadline, struct zeo_status *st,
          struct lm_err *err)
{
    int fd = proto_sock_connect(address, deadline, err);
    if (fd < 0)
        return fd;
    struct lm_buf b;
    lm_buf_init(&b, ZEO_MAX_REPLY + 4);
    int rc = monitor ? fetch_monitor(fd, address, deadline, &b, st, err)
                     : fetch_ruok(fd, address, deadline, &b, st, err);
    lm_buf_cleanup(&b);
    close(fd);
    return rc;
}
