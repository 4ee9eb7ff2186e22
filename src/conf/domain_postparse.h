/* Domain defaults and cross-checks applied after parsing (internal to conf). */
#pragma once

#include "conf/domain_conf.h"

int domainDefPostParse(DomainDef *def, unsigned int flags);
int domainDefValidateSchema(xmlNodePtr root);
