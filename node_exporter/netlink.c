/* SPDX-License-Identifier: Apache-2.0 */
/* netlink.c: one RTM_GETLINK dump over rtnetlink, handing each link's name and
 * rtnl_link_stats64 (IFLA_STATS64) to a callback: what upstream's netdev collector reads
 * with --collector.netdev.netlink, for every interface in one round trip instead of
 * 24 sysfs reads per interface. See netlink.h. */
#include <errno.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "node_exporter/netlink.h"

/* The kernel sizes a dump's messages to the reader's buffer, up to 32 KiB. */
#define NL_BUF_BYTES (32 * 1024)

/* nl_link: one RTM_NEWLINK message; calls fn when it has a name and 64-bit stats. */
static int
nl_link(const struct nlmsghdr *h, ne_nl_link_fn fn, void *arg)
{
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
        return 0;
    const struct ifinfomsg *ifi = NLMSG_DATA(h);
    int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *ifi));
    char name[IFNAMSIZ + 1] = "";
    struct rtnl_link_stats64 st;
    bool have = false;
    for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        size_t n = RTA_PAYLOAD(a);
        if (a->rta_type == IFLA_IFNAME) {
            if (n > IFNAMSIZ)
                n = IFNAMSIZ;
            memcpy(name, RTA_DATA(a), n);
            name[n] = '\0';
        } else if (a->rta_type == IFLA_STATS64) {
            memset(&st, 0, sizeof st);
            memcpy(&st, RTA_DATA(a), n < sizeof st ? n : sizeof st);
            have = true;
        }
    }
    return name[0] && have ? fn(arg, name, &st) : 0;
}

int
ne_nl_links(ne_nl_link_fn fn, void *arg, struct lm_err *err)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return lm_err_set(err, LM_EIO, "netlink", "socket: %s", strerror(errno));
    struct {
        struct nlmsghdr h;
        struct ifinfomsg ifi;
    } req = {
        .h = {.nlmsg_len = sizeof req, .nlmsg_type = RTM_GETLINK,
              .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1},
        .ifi = {.ifi_family = AF_UNSPEC},
    };
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    char *buf = lm_malloc(NL_BUF_BYTES);
    int rc = 0;
    if (!buf) {
        rc = lm_err_set(err, LM_ENOMEM, "netlink", "out of memory");
        goto out;
    }
    if (sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
        rc = lm_err_set(err, LM_EIO, "netlink", "send RTM_GETLINK: %s", strerror(errno));
        goto out;
    }
    for (;;) {
        ssize_t r = recv(fd, buf, NL_BUF_BYTES, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = lm_err_set(err, LM_EIO, "netlink", "receive RTM_GETLINK: %s", strerror(errno));
            goto out;
        }
        if (r == 0) {
            rc = lm_err_set(err, LM_EIO, "netlink", "receive RTM_GETLINK: end of stream");
            goto out;
        }
        int len = (int)r;
        for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf; NLMSG_OK(h, len);
             h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_seq != req.h.nlmsg_seq)
                continue;
            if (h->nlmsg_type == NLMSG_DONE)
                goto out;
            if (h->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = NLMSG_DATA(h);
                int code = h->nlmsg_len >= NLMSG_LENGTH(sizeof *e) ? -e->error : EIO;
                rc = lm_err_set(err, LM_EIO, "netlink", "RTM_GETLINK: %s", strerror(code));
                goto out;
            }
            if (h->nlmsg_type == RTM_NEWLINK && (rc = nl_link(h, fn, arg)))
                goto out;
        }
    }
out:
    lm_free(buf);
    close(fd);
    return rc;
}
