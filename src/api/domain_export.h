/* Turning a driver's domain objects into public handles (shared by drivers). */
#pragma once

#include <libvirt/libvirt.h>

#include "api/domain_records.h"
#include "conf/domain_obj.h"

virDomainPtr domainObjHandleNew(virConnectPtr conn, DomainObj *vm);
int domainObjListExport(DomainObjList *list, virConnectPtr conn,
                        virDomainPtr **domains, unsigned int flags);
int domainObjListExportRecords(DomainObjList *list, unsigned int flags,
                               DomainRecords **records);
