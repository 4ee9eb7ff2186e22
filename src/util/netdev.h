/* Host network devices: tap devices and Linux bridges (ioctl, no helpers). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "util/mac.h"

#define NETDEV_TAP_TEMPLATE "vnet%d" /* names the kernel picks, as libvirt's */

int netdevTapCreate(const char *name, size_t nqueues, int *fds, char **ifname);
int netdevTapDelete(const char *ifname);
bool netdevExists(const char *ifname);
int netdevSetMAC(const char *ifname, const MacAddr *mac);
int netdevGetMTU(const char *ifname);
int netdevSetMTU(const char *ifname, int mtu);
int netdevSetUp(const char *ifname, bool up);
int netdevBridgeAddPort(const char *bridge, const char *ifname);
