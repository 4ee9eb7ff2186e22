/* REMOTE_PROGRAM migration procedures (the v3 steps, speed, downtime, post-copy). */
#pragma once

#include "rpc/rpc_server.h"

extern const RpcServerProc remoteDispatchMigrateProcs[];
extern const size_t remoteDispatchMigrateProcsCount;
