/* The common body of the drivers' bulk statistics (virConnectGetAllDomainStats). */
#pragma once

#include <libvirt/libvirt.h>

#include "conf/domain_obj.h"

/*
 * Appends the statistics of @vm (locked; never wait on anything while
 * holding it) to the typed-parameter list (*params, *nparams, *maxparams,
 * grown with virTypedParamsAdd*).  @stats are the groups asked for.
 * Returns 0, or -1 with an error reported.
 */
typedef int (*DomainStatsFillFunc)(DomainObj *vm, unsigned int stats,
                                   virTypedParameterPtr *params, int *nparams,
                                   int *maxparams, void *opaque);

int domainStatsCheckGroups(int errDomain, unsigned int *stats, unsigned int supported,
                           unsigned int flags);
int domainStatsCollect(DomainObjList *list, virConnectPtr conn, virDomainPtr *doms,
                       unsigned int ndoms, unsigned int stats, unsigned int flags,
                       DomainStatsFillFunc fill, void *opaque,
                       virDomainStatsRecordPtr **retStats);

/* The disk whose target ("vda") or source path is @path, or NULL. */
DomainDiskDef *domainStatsFindDisk(const DomainDef *def, const char *path);
/* The interface whose target device ("vnet0") or MAC address is @device, or NULL. */
DomainNetDef *domainStatsFindNet(const DomainDef *def, const char *device);

/* The flags of virConnectGetAllDomainStats every driver here accepts. */
#define DOMAIN_STATS_FLAGS \
    (VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE | VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE | \
     VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT | \
     VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT | VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING | \
     VIR_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED | VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF | \
     VIR_CONNECT_GET_ALL_DOMAINS_STATS_OTHER | VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT | \
     VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING | \
     VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS)
