/* REMOTE_PROGRAM event registration and the relays that forward library events to clients. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libvirt/libvirt.h>

#include "rpc/rpc_server.h"

extern const RpcServerProc remoteDispatchEventProcs[];
extern const size_t remoteDispatchEventProcsCount;

void remoteDispatchEventDropAll(virConnectPtr conn, GPtrArray *callbacks, bool closeCallback);
