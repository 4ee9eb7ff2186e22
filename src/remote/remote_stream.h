/* The daemon's end of RPC streams: a client's stream packets <-> a virStream of its connection. */
#pragma once

#include <stddef.h>

#include "rpc/rpc_server.h"

typedef struct _RemoteStreamList RemoteStreamList; /* also named in RemoteClient */

void remoteStreamListFree(RemoteStreamList *list);
void remoteStreamAbortAll(RemoteStreamList *list);

/* DOMAIN_OPEN_CONSOLE and DOMAIN_SCREENSHOT. */
extern const RpcServerProc remoteStreamProcs[];
extern const size_t remoteStreamProcsCount;
