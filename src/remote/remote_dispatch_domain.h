/* REMOTE_PROGRAM domain procedures: listing, lookup, lifecycle, information, jobs. */
#pragma once

#include <stddef.h>

#include "rpc/rpc_server.h"

extern const RpcServerProc remoteDispatchDomainProcs[];
extern const size_t remoteDispatchDomainProcsCount;
