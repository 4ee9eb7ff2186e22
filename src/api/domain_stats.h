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

int domainStatsCheckGroups(unsigned int *stats, unsigned int supported, unsigned int flags);
int domainStatsCollect(DomainObjList *list, virConnectPtr conn, virDomainPtr *doms,
                       unsigned int ndoms, unsigned int stats, unsigned int flags,
                       DomainStatsFillFunc fill, void *opaque,
                       virDomainStatsRecordPtr **retStats);
