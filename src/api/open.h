/* Opening a connection: the default URI, URI checks, and offering the URI to the drivers. */
#pragma once

#include "api/datatypes.h"

const char *openDefaultURI(void);
virConnectPtr openConnection(const char *name, virConnectAuthPtr auth,
                             unsigned int flags);
