/* The daemon side of REMOTE_PROGRAM: procedure table, decode -> public API call -> encode. */
#pragma once

#include <glib.h>

#include "rpc/rpc_server.h"

typedef struct _RemoteDispatch RemoteDispatch;

RemoteDispatch *remoteDispatchNew(void);
void remoteDispatchFree(RemoteDispatch *rd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemoteDispatch, remoteDispatchFree);

RpcServerProgram *remoteDispatchNewProgram(void);
void remoteDispatchInstall(RemoteDispatch *rd, RpcServer *srv);
void remoteDispatchKeepDriver(RemoteDispatch *rd, const char *name);
