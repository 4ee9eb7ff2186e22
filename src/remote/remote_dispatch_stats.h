/* REMOTE_PROGRAM statistics procedures: vCPUs, block, interface, memory, bulk stats. */
#pragma once

#include <stddef.h>

#include "rpc/rpc_server.h"

extern const RpcServerProc remoteDispatchStatsProcs[];
extern const size_t remoteDispatchStatsProcsCount;
