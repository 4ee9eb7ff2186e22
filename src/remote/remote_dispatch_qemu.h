/* QEMU_PROGRAM in the daemon: the libvirt-qemu.h calls (qemu_protocol.x). */
#pragma once

#include "rpc/rpc_server.h"

RpcServerProgram *remoteDispatchQemuNewProgram(void);
