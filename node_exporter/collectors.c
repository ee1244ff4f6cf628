/* SPDX-License-Identifier: Apache-2.0 */
/* collectors.c: the table of node_exporter's collectors, in name order. Each collector
 * file exports one const struct lm_collector_desc named ne_<name>_collector; adding a
 * collector means one extern line and one table entry here. */
#include <stddef.h>
#include "node_exporter/ne.h"

/* extern declarations, one per collector file (keep sorted) */
extern const struct lm_collector_desc ne_arp_collector;
extern const struct lm_collector_desc ne_bcache_collector;
extern const struct lm_collector_desc ne_bonding_collector;
extern const struct lm_collector_desc ne_btrfs_collector;
extern const struct lm_collector_desc ne_conntrack_collector;
extern const struct lm_collector_desc ne_cpu_collector;
extern const struct lm_collector_desc ne_cpufreq_collector;
extern const struct lm_collector_desc ne_diskstats_collector;
extern const struct lm_collector_desc ne_dmi_collector;
extern const struct lm_collector_desc ne_edac_collector;
extern const struct lm_collector_desc ne_entropy_collector;
extern const struct lm_collector_desc ne_fibrechannel_collector;
extern const struct lm_collector_desc ne_filefd_collector;
extern const struct lm_collector_desc ne_filesystem_collector;
extern const struct lm_collector_desc ne_hwmon_collector;
extern const struct lm_collector_desc ne_infiniband_collector;
extern const struct lm_collector_desc ne_ipvs_collector;
extern const struct lm_collector_desc ne_loadavg_collector;
extern const struct lm_collector_desc ne_mdadm_collector;
extern const struct lm_collector_desc ne_meminfo_collector;
extern const struct lm_collector_desc ne_netclass_collector;
extern const struct lm_collector_desc ne_netdev_collector;
extern const struct lm_collector_desc ne_netstat_collector;
extern const struct lm_collector_desc ne_nfs_collector;
extern const struct lm_collector_desc ne_nfsd_collector;
extern const struct lm_collector_desc ne_nvme_collector;
extern const struct lm_collector_desc ne_os_collector;
extern const struct lm_collector_desc ne_powersupplyclass_collector;
extern const struct lm_collector_desc ne_pressure_collector;
extern const struct lm_collector_desc ne_rapl_collector;
extern const struct lm_collector_desc ne_schedstat_collector;
extern const struct lm_collector_desc ne_selinux_collector;
extern const struct lm_collector_desc ne_sockstat_collector;
extern const struct lm_collector_desc ne_softnet_collector;
extern const struct lm_collector_desc ne_stat_collector;
extern const struct lm_collector_desc ne_supervisord_collector;
extern const struct lm_collector_desc ne_systemd_collector;
extern const struct lm_collector_desc ne_tapestats_collector;
extern const struct lm_collector_desc ne_textfile_collector;
extern const struct lm_collector_desc ne_thermal_zone_collector;
extern const struct lm_collector_desc ne_time_collector;
extern const struct lm_collector_desc ne_timex_collector;
extern const struct lm_collector_desc ne_udp_queues_collector;
extern const struct lm_collector_desc ne_uname_collector;
extern const struct lm_collector_desc ne_vmstat_collector;
extern const struct lm_collector_desc ne_xfs_collector;
extern const struct lm_collector_desc ne_zfs_collector;

const struct lm_collector_desc *const ne_collectors[] = {
    /* table entries (keep sorted) */
    &ne_arp_collector,
    &ne_bcache_collector,
    &ne_bonding_collector,
    &ne_btrfs_collector,
    &ne_conntrack_collector,
    &ne_cpu_collector,
    &ne_cpufreq_collector,
    &ne_diskstats_collector,
    &ne_dmi_collector,
    &ne_edac_collector,
    &ne_entropy_collector,
    &ne_fibrechannel_collector,
    &ne_filefd_collector,
    &ne_filesystem_collector,
    &ne_hwmon_collector,
    &ne_infiniband_collector,
    &ne_ipvs_collector,
    &ne_loadavg_collector,
    &ne_mdadm_collector,
    &ne_meminfo_collector,
    &ne_netclass_collector,
    &ne_netdev_collector,
    &ne_netstat_collector,
    &ne_nfs_collector,
    &ne_nfsd_collector,
    &ne_nvme_collector,
    &ne_os_collector,
    &ne_powersupplyclass_collector,
    &ne_pressure_collector,
    &ne_rapl_collector,
    &ne_schedstat_collector,
    &ne_selinux_collector,
    &ne_sockstat_collector,
    &ne_softnet_collector,
    &ne_stat_collector,
    &ne_supervisord_collector,
    &ne_systemd_collector,
    &ne_tapestats_collector,
    &ne_textfile_collector,
    &ne_thermal_zone_collector,
    &ne_time_collector,
    &ne_timex_collector,
    &ne_udp_queues_collector,
    &ne_uname_collector,
    &ne_vmstat_collector,
    &ne_xfs_collector,
    &ne_zfs_collector,
    NULL,
};
