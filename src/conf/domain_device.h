/* Domain devices: parse and format of the <devices> children (internal to conf). */
#pragma once

#include "conf/domain_conf.h"
#include "util/xmlwriter.h"

int domainDefParseDevices(DomainDef *def, xmlNodePtr devices, unsigned int flags);
void domainDefFormatDevices(XmlWriter *w, const DomainDef *def, unsigned int flags);

/* Ordered insertion as libvirt keeps these lists (used by post-parse). */
void domainDefInsertDisk(DomainDef *def, DomainDiskDef *disk);
void domainDefInsertController(DomainDef *def, DomainControllerDef *ctrl);
DomainControllerDef *domainControllerDefNew(int type, int idx);
DomainChrDef *domainChrDefNew(int deviceType);
int domainChrDefCopyInto(DomainChrDef *dst, const DomainChrDef *src);
DomainVideoDef *domainVideoDefNew(void);

int domainDiskNameToIndex(const char *name);
const char *domainControllerModelCheck(int type, const char *model);
