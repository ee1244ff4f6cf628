/* SPDX-License-Identifier: Apache-2.0 */
/* netlink.h: the network links of the current namespace with their 64-bit counters, from
 * one rtnetlink RTM_GETLINK dump (upstream netdev's netlink source). */
#ifndef NE_NETLINK_H
#define NE_NETLINK_H

#include <linux/if_link.h>
#include <stdbool.h>
#include "lm/err.h"

/* Called once per link; a non-zero return stops the walk and is returned. */
typedef int (*ne_nl_link_fn)(void *arg, const char *name, const struct rtnl_link_stats64 *st);

/* ne_nl_links: dump every link and call fn for each that reports IFLA_STATS64, in the
 * kernel's (ifindex) order. 0, fn's non-zero return, or LM_EIO / LM_ENOMEM with err set. */
int ne_nl_links(ne_nl_link_fn fn, void *arg, struct lm_err *err);

#endif
