/* SPDX-License-Identifier: Apache-2.0 */
/* uname.c: the uname collector: node_uname_info from the uname(2) system call (the live
 * kernel, as upstream does; not from procfs). Stateless. */
#include <string.h>
#include <sys/utsname.h>
#include "lm/collector.h"

static int
uname_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e,
              struct lm_err *err)
{
    struct utsname u;
    if (uname(&u) != 0)
        return lm_err_set(err, LM_EIO, "uname", "uname(2) failed");
    lm_emit_family(e, "node_uname_info",
                   "Labeled system information as provided by the uname system call.",
                   LM_TYPE_GAUGE);
    lm_emit_samplev(e, 1, "domainname", u.domainname, "machine", u.machine, "nodename",
                    u.nodename, "release", u.release, "sysname", u.sysname, "version",
                    u.version, NULL);
    return 0;
}

const struct lm_collector_desc ne_uname_collector = {
    .name = "uname",
    .enabled_by_default = true,
    .flags = NULL,
    .init = NULL,
    .collect = uname_collect,
    .fini = NULL,
};
