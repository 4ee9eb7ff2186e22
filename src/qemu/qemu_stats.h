/* QEMU driver statistics: queries answered from driver state, /proc and cached QMP data. */
#pragma once

#include <libvirt/libvirt.h>

#include "qemu/qemu_domain.h"

void qemuStatsCacheFree(QemuStatsCache *cache);

int qemuStatsNodeGetCPUMap(virConnectPtr conn, unsigned char **cpumap, unsigned int *online,
                           unsigned int flags);

int qemuStatsDomainGetVcpus(virDomainPtr dom, virVcpuInfoPtr info, int maxinfo,
                            unsigned char *cpumaps, int maplen);
int qemuStatsDomainBlockStats(virDomainPtr dom, const char *disk, virDomainBlockStatsPtr stats);
int qemuStatsDomainBlockStatsFlags(virDomainPtr dom, const char *disk,
                                   virTypedParameterPtr params, int *nparams,
                                   unsigned int flags);
int qemuStatsDomainInterfaceStats(virDomainPtr dom, const char *device,
                                  virDomainInterfaceStatsPtr stats);
int qemuStatsDomainMemoryStats(virDomainPtr dom, virDomainMemoryStatPtr stats,
                               unsigned int nr_stats, unsigned int flags);
int qemuStatsDomainGetBlockInfo(virDomainPtr dom, const char *disk, virDomainBlockInfoPtr info,
                                unsigned int flags);
int qemuStatsConnectGetAllDomainStats(virConnectPtr conn, virDomainPtr *doms,
                                      unsigned int ndoms, unsigned int stats,
                                      virDomainStatsRecordPtr **retStats, unsigned int flags);
