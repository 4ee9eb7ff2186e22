/*
 * Host side of guest network interfaces (issue 5: "bridge via tap where
 * permitted").  Before QEMU starts, the driver creates one tap device per
 * <interface type='bridge'> (and per managed <interface type='ethernet'>),
 * named after <target dev> or "vnetN" picked by the kernel, gives it the
 * guest's MAC with the first byte 0xFE (so the bridge never takes the
 * guest's address as its own), the bridge's MTU (or <mtu size>), makes it
 * a port of <source bridge> and brings it up.  QEMU gets the descriptors
 * (-netdev tap,fd=N); the name goes into the live definition
 * (<target dev='vnet0'/>), which the status XML keeps across a driver
 * restart.  The taps are not persistent: they vanish with QEMU's last
 * descriptor; qemuInterfaceStopDevices() removes any left on every stop
 * path.  This needs CAP_NET_ADMIN (a privileged daemon, qemu:///system).
 */
#define ERR_DOMAIN VIR_FROM_QEMU

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "qemu/qemu_interface.h"
#include "util/error.h"
#include "util/log.h"
#include "util/netdev.h"
#include "util/str.h"

LOG_INIT("qemu.interface");

#define QEMU_INTERFACE_VHOST_NET "/dev/vhost-net"

/* Whether the driver creates (and removes) the tap device of @net. */
bool
qemuInterfaceIsManagedTap(const DomainNetDef *net)
{
    switch (net->type) {
    case DOMAIN_NET_TYPE_BRIDGE:
        return true;
    case DOMAIN_NET_TYPE_ETHERNET:
        return net->managedTap != DOMAIN_TRISTATE_BOOL_NO;
    default:
        return false;
    }
}

static void
qemuInterfaceCloseAll(int *fds, size_t n)
{
    size_t i;

    for (i = 0; fds && i < n; i++) {
        if (fds[i] >= 0)
            close(fds[i]);
        fds[i] = -1;
    }
}

/* Closes every descriptor (after QEMU inherited them, or on failure). */
void
qemuInterfaceFdsClose(QemuInterfaceFds *fds)
{
    size_t i;

    if (!fds)
        return;
    for (i = 0; i < fds->nnets; i++) {
        qemuInterfaceCloseAll(fds->tapfds[i], fds->nets[i].ntapfds);
        qemuInterfaceCloseAll(fds->vhostfds[i], fds->nets[i].nvhostfds);
    }
}

void
qemuInterfaceFdsFree(QemuInterfaceFds *fds)
{
    size_t i;

    if (!fds)
        return;
    qemuInterfaceFdsClose(fds);
    for (i = 0; i < fds->nnets; i++) {
        g_free(fds->tapfds[i]);
        g_free(fds->vhostfds[i]);
    }
    g_free(fds->tapfds);
    g_free(fds->vhostfds);
    g_free(fds->nets);
    g_free(fds);
}

/* Creates and sets up the tap device of @net (index @idx in @fds). */
static int
qemuInterfacePrepareTap(DomainNetDef *net, QemuInterfaceFds *fds, size_t idx)
{
    size_t queues = net->driverQueues > 1 ? net->driverQueues : 1;
    g_autofree char *ifname = NULL;
    MacAddr hostMac = net->mac;
    int mtu = (int)net->mtu;
    size_t q;

    fds->tapfds[idx] = g_new(int, queues);
    fds->nets[idx].tapfds = fds->tapfds[idx];
    if (netdevTapCreate(net->ifname ? net->ifname : NETDEV_TAP_TEMPLATE, queues,
                        fds->tapfds[idx], &ifname) < 0) {
        if (errno == EPERM || errno == EACCES)
            reportError(VIR_ERR_SYSTEM_ERROR,
                        _("Unable to create tap device %1$s for interface of type '%2$s': %3$s (it needs CAP_NET_ADMIN: a privileged daemon, qemu:///system)"),
                        net->ifname ? net->ifname : NETDEV_TAP_TEMPLATE,
                        domainNetTypeToString(net->type), g_strerror(errno));
        return -1;
    }
    fds->nets[idx].ntapfds = queues;
    g_free(net->ifname);
    net->ifname = g_steal_pointer(&ifname);

    /* The host side never uses the guest's address: 0xFE keeps the
     * bridge from adopting it as its own (a bridge takes its ports'
     * lowest MAC). */
    hostMac.addr[0] = 0xFE;
    if (netdevSetMAC(net->ifname, &hostMac) < 0)
        return -1;
    if (!mtu && net->type == DOMAIN_NET_TYPE_BRIDGE && net->bridge &&
        (mtu = netdevGetMTU(net->bridge)) < 0)
        return -1;
    if (mtu > 0 && netdevSetMTU(net->ifname, mtu) < 0)
        return -1;
    if (net->type == DOMAIN_NET_TYPE_BRIDGE &&
        netdevBridgeAddPort(net->bridge, net->ifname) < 0)
        return -1;
    if (net->linkState != DOMAIN_NET_LINK_DOWN && netdevSetUp(net->ifname, true) < 0)
        return -1;

    if (net->driverName && streq(net->driverName, "vhost")) {
        fds->vhostfds[idx] = g_new(int, queues);
        fds->nets[idx].vhostfds = fds->vhostfds[idx];
        for (q = 0; q < queues; q++)
            fds->vhostfds[idx][q] = -1;
        fds->nets[idx].nvhostfds = queues;
        for (q = 0; q < queues; q++) {
            if ((fds->vhostfds[idx][q] = open(QEMU_INTERFACE_VHOST_NET,
                                              O_RDWR | O_CLOEXEC)) < 0) {
                reportSystemError(errno, _("Unable to open %1$s"), QEMU_INTERFACE_VHOST_NET);
                return -1;
            }
        }
    }
    LOG_INFO("interface %s: tap device %s (%zu queue(s))%s%s", net->info.alias ? net->info.alias : "",
             net->ifname, queues, net->bridge ? " on bridge " : "", net->bridge ? net->bridge : "");
    return 0;
}

/**
 * qemuInterfacePrepare:
 * @def: the live definition of a domain about to start
 * @fds: (out) the descriptors QEMU must get (see QemuCommandRuntime.nets)
 *
 * Creates the host devices of every interface that needs one, writing
 * the devices' names into @def (<target dev>).  A virtual network
 * (type='network') is refused: virtkit has no network driver.
 *
 * Returns: 0, or -1 with an error and every device created removed again.
 */
int
qemuInterfacePrepare(DomainDef *def, QemuInterfaceFds **fds)
{
    g_autoptr(QemuInterfaceFds) ret = g_new0(QemuInterfaceFds, 1);
    size_t i;

    ret->nnets = def->nnets;
    ret->nets = g_new0(QemuNetRuntime, def->nnets);
    ret->tapfds = g_new0(int *, def->nnets);
    ret->vhostfds = g_new0(int *, def->nnets);

    for (i = 0; i < def->nnets; i++) {
        DomainNetDef *net = def->nets[i];

        if (net->type == DOMAIN_NET_TYPE_NETWORK) {
            reportError(VIR_ERR_NO_SUPPORT,
                        _("interface type 'network' (network '%1$s') is not supported: virtkit has no virtual network driver; use type='bridge'"),
                        net->network ? net->network : "");
            goto error;
        }
        if (!qemuInterfaceIsManagedTap(net))
            continue;
        if (qemuInterfacePrepareTap(net, ret, i) < 0)
            goto error;
    }
    *fds = g_steal_pointer(&ret);
    return 0;

 error:
    {
        g_autoptr(SavedError) saved = errorSave();

        qemuInterfaceFdsClose(ret);
        for (i = 0; i < ret->nnets; i++) {
            if (ret->nets[i].ntapfds > 0 && netdevTapDelete(def->nets[i]->ifname) < 0)
                LOG_WARN("cannot delete tap device %s", def->nets[i]->ifname);
        }
    }
    return -1;
}

/**
 * qemuInterfaceStopDevices:
 * @def: the live definition of a domain whose QEMU is gone
 *
 * Removes the tap devices the driver created for @def that still exist
 * (normally the kernel removed them with QEMU's descriptors).  Errors are
 * logged, never reported: every stop path calls this.
 */
void
qemuInterfaceStopDevices(const DomainDef *def)
{
    g_autoptr(SavedError) saved = errorSave();
    size_t i;

    for (i = 0; i < def->nnets; i++) {
        const DomainNetDef *net = def->nets[i];

        if (!qemuInterfaceIsManagedTap(net) || !net->ifname)
            continue;
        if (netdevTapDelete(net->ifname) < 0)
            LOG_WARN("cannot delete tap device %s: %s", net->ifname,
                     errorGetSlot()->message ? errorGetSlot()->message : "");
    }
}
