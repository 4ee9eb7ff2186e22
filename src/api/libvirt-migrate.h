/* Internal: the managed migration steps, shared by the public API and drivers that do peer-to-peer in-process. */
#pragma once

#include <libvirt/libvirt.h>

virDomainPtr migrateRunSteps(virDomainPtr domain, virConnectPtr dconn,
                             virTypedParameterPtr params, int nparams,
                             unsigned int flags);
