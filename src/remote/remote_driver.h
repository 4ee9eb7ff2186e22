/* The remote driver: the driver table carried over libvirt's RPC protocol to a daemon. */
#pragma once

#include <stdbool.h>
#include <libvirt/libvirt.h>

int remoteDriverRegister(void);
void remoteDriverSetInsideDaemon(bool inside);

/*
 * virConnectSetKeepAlive's driver entry, ready for a driver-table field
 * `int (*connectSetKeepAlive)(virConnectPtr, int, unsigned int)`.
 */
int remoteConnectSetKeepAlive(virConnectPtr conn, int interval,
                              unsigned int count);
