/* The remote driver: the driver table carried over libvirt's RPC protocol to a daemon. */
#pragma once

#include <stdbool.h>
#include <libvirt/libvirt.h>

int remoteDriverRegister(void);
void remoteDriverSetInsideDaemon(bool inside);

/* virConnectSetKeepAlive's driver entry (also the table's connectSetKeepAlive). */
int remoteConnectSetKeepAlive(virConnectPtr conn, int interval,
                              unsigned int count);
