/* Elements libvirt knows that this model keeps without interpreting them. */
#pragma once

#include "conf/domain_conf.h"
#include "util/xmlwriter.h"

int domainRawParse(DomainDef *def, xmlNodePtr parent, bool devices, unsigned int flags);
void domainRawFormat(XmlWriter *w, const DomainDef *def, const char *name);
bool domainRawHas(const DomainDef *def, const char *name);
void domainRawFree(DomainRawDef *raw);
