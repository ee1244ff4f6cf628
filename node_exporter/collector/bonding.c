/* SPDX-License-Identifier: Apache-2.0 */
/* bonding.c: the bonding collector: configured and active (mii_status "up") slaves per
 * master listed in <sysfs>/class/net/bonding_masters. No bonding_masters gives "no data". */
#include <stdio.h>
#include <string.h>
#include "lm/procfile.h"
#include "node_exporter/ne.h"
#include "node_exporter/sysfs.h"

static int
bond_collect(void *state, const struct lm_collect_ctx *ctx, struct lm_emit *e, struct lm_err *err)
{
    char root[4096], masters[4096], slaves[4096], p[4600], st[64];
    ne_path(ctx, NE_SYSFS, "class/net", root, sizeof root);
    int rc = ne_attr_str(root, "bonding_masters", masters, sizeof masters);
    if (rc == LM_ENOENT)
        return lm_err_set(err, LM_ENODATA, root, "Not collecting bonding, file does not exist");
    if (rc)
        return lm_err_set(err, rc, root, "bonding_masters: %s", lm_strerror(rc));
    for (char *m = masters + strspn(masters, " \t\n"); *m; m += strspn(m, " \t\n")) {
        size_t mn = strcspn(m, " \t\n");
        char master[256];
        snprintf(master, sizeof master, "%.*s", (int)mn, m);
        m += mn;
        snprintf(p, sizeof p, "%s/%s/bonding", root, master);
        if ((rc = ne_attr_str(p, "slaves", slaves, sizeof slaves)))
            return lm_err_set(err, rc, p, "slaves: %s", lm_strerror(rc));
        int total = 0, active = 0;
        for (char *s = slaves + strspn(slaves, " \t\n"); *s; s += strspn(s, " \t\n")) {
            size_t sn = strcspn(s, " \t\n");
            snprintf(p, sizeof p, "%s/%s/lower_%.*s/bonding_slave", root, master, (int)sn, s);
            rc = ne_attr_str(p, "mii_status", st, sizeof st);
            if (rc == LM_ENOENT) {
                snprintf(p, sizeof p, "%s/%s/slave_%.*s/bonding_slave", root, master, (int)sn, s);
                rc = ne_attr_str(p, "mii_status", st, sizeof st);
            }
            if (rc)
                return lm_err_set(err, rc, p, "mii_status: %s", lm_strerror(rc));
            total++;
            active += strcmp(st, "up") == 0;
            s += sn;
        }
        lm_emit_family(e, "node_bonding_slaves", "Number of configured slaves per bonding interface.", LM_TYPE_GAUGE);
        lm_emit_samplev(e, total, "master", master, NULL);
        lm_emit_family(e, "node_bonding_active", "Number of active slaves per bonding interface.", LM_TYPE_GAUGE);
        lm_emit_samplev(e, active, "master", master, NULL);
    }
    return 0;
}

const struct lm_collector_desc ne_bonding_collector = {
    .name = "bonding",
    .enabled_by_default = true,
    .collect = bond_collect,
};
