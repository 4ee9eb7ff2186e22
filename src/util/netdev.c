/*
 * Host network devices for guest interfaces: create and delete tap
 * devices through /dev/net/tun, set their MAC, MTU and link state, and
 * attach them to a Linux bridge (SIOCBRADDIF).  Everything is done with
 * ioctls in the calling process, in the caller's network namespace; it
 * needs CAP_NET_ADMIN there (a failure reports the system error).
 */
#define ERR_DOMAIN VIR_FROM_NONE

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/error.h"
#include "util/netdev.h"

#define NETDEV_TUN_PATH "/dev/net/tun"

/* Fills @ifr with @ifname, reporting a name that does not fit. */
static int
netdevIfreqInit(struct ifreq *ifr, const char *ifname)
{
    memset(ifr, 0, sizeof(*ifr));
    if (!ifname || !*ifname || strlen(ifname) >= sizeof(ifr->ifr_name)) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("invalid network device name '%1$s'"),
                    ifname ? ifname : "");
        return -1;
    }
    g_strlcpy(ifr->ifr_name, ifname, sizeof(ifr->ifr_name));
    return 0;
}

static int
netdevControlSocket(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        reportSystemError(errno, "%s", _("cannot open a network control socket"));
    return fd;
}

/**
 * netdevTapCreate:
 * @name: the device name, or a template with "%d" (NETDEV_TAP_TEMPLATE)
 *        the kernel completes with the lowest free number
 * @nqueues: how many queues (descriptors); > 1 makes a multiqueue tap
 * @fds: @nqueues entries, filled with descriptors (close-on-exec)
 * @ifname: (out) the name the device got
 *
 * Creates (or, for an existing persistent tap of that name, attaches to) a
 * tap device without packet information headers and with vnet headers (as
 * QEMU's virtio-net expects from libvirt's taps).  The device is not
 * persistent: it goes away when the last descriptor closes.
 *
 * Returns: 0, or -1 with an error (nothing left open).
 */
int
netdevTapCreate(const char *name, size_t nqueues, int *fds, char **ifname)
{
    struct ifreq ifr;
    size_t i;
    int err;

    if (nqueues == 0)
        nqueues = 1;
    for (i = 0; i < nqueues; i++)
        fds[i] = -1;
    if (netdevIfreqInit(&ifr, name) < 0)
        return -1;

    for (i = 0; i < nqueues; i++) {
        struct ifreq req = ifr;

        if ((fds[i] = open(NETDEV_TUN_PATH, O_RDWR | O_CLOEXEC)) < 0) {
            err = errno;
            reportSystemError(err, _("Unable to open %1$s, is tun module loaded?"),
                              NETDEV_TUN_PATH);
            errno = err;
            goto error;
        }
        req.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
        if (nqueues > 1)
            req.ifr_flags |= IFF_MULTI_QUEUE;
        if (ioctl(fds[i], TUNSETIFF, &req) < 0) {
            err = errno;
            reportSystemError(err, _("Unable to create tap device %1$s"), name);
            errno = err;
            goto error;
        }
        /* The later queues attach to the device the first one named. */
        g_strlcpy(ifr.ifr_name, req.ifr_name, sizeof(ifr.ifr_name));
    }
    *ifname = g_strdup(ifr.ifr_name);
    return 0;

 error:
    err = errno;
    for (i = 0; i < nqueues; i++) {
        if (fds[i] >= 0)
            close(fds[i]);
        fds[i] = -1;
    }
    errno = err; /* callers may explain a missing permission */
    return -1;
}

/**
 * netdevTapDelete:
 * @ifname: a tap device
 *
 * Removes @ifname if it still exists (a non-persistent tap is already gone
 * once its last user closed it): attaches to it and clears its persistence,
 * so it vanishes with our descriptor.
 *
 * Returns: 0 (also when there was nothing to delete), or -1 with an error.
 */
int
netdevTapDelete(const char *ifname)
{
    struct ifreq ifr;
    int fd;
    int ret = -1;

    if (!netdevExists(ifname))
        return 0;
    if (netdevIfreqInit(&ifr, ifname) < 0)
        return -1;
    if ((fd = open(NETDEV_TUN_PATH, O_RDWR | O_CLOEXEC)) < 0) {
        reportSystemError(errno, _("Unable to open %1$s, is tun module loaded?"), NETDEV_TUN_PATH);
        return -1;
    }
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        /* gone meanwhile: nothing to do */
        if (errno == ENODEV || !netdevExists(ifname))
            ret = 0;
        else
            reportSystemError(errno, _("Unable to associate TAP device %1$s"), ifname);
        goto cleanup;
    }
    if (ioctl(fd, TUNSETPERSIST, 0) < 0) {
        reportSystemError(errno, _("Unable to make device %1$s non-persistent"), ifname);
        goto cleanup;
    }
    ret = 0;
 cleanup:
    close(fd);
    return ret;
}

/* Whether a network device named @ifname exists in our namespace. */
bool
netdevExists(const char *ifname)
{
    return ifname && if_nametoindex(ifname) != 0;
}

/* Sets the hardware address of @ifname. */
int
netdevSetMAC(const char *ifname, const MacAddr *mac)
{
    struct ifreq ifr;
    int fd;
    int ret = -1;

    if (netdevIfreqInit(&ifr, ifname) < 0 || (fd = netdevControlSocket()) < 0)
        return -1;
    ifr.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER */
    memcpy(ifr.ifr_hwaddr.sa_data, mac->addr, MAC_BUFLEN);
    if (ioctl(fd, SIOCSIFHWADDR, &ifr) < 0) {
        char buf[MAC_STRING_BUFLEN];

        reportSystemError(errno, _("Cannot set interface MAC to %1$s on '%2$s'"),
                          macFormat(mac, buf), ifname);
        goto cleanup;
    }
    ret = 0;
 cleanup:
    close(fd);
    return ret;
}

/* The MTU of @ifname, or -1 with an error. */
int
netdevGetMTU(const char *ifname)
{
    struct ifreq ifr;
    int fd;
    int ret = -1;

    if (netdevIfreqInit(&ifr, ifname) < 0 || (fd = netdevControlSocket()) < 0)
        return -1;
    if (ioctl(fd, SIOCGIFMTU, &ifr) < 0)
        reportSystemError(errno, _("Cannot get interface MTU on '%1$s'"), ifname);
    else
        ret = ifr.ifr_mtu;
    close(fd);
    return ret;
}

/* Sets the MTU of @ifname. */
int
netdevSetMTU(const char *ifname, int mtu)
{
    struct ifreq ifr;
    int fd;
    int ret = -1;

    if (netdevIfreqInit(&ifr, ifname) < 0 || (fd = netdevControlSocket()) < 0)
        return -1;
    ifr.ifr_mtu = mtu;
    if (ioctl(fd, SIOCSIFMTU, &ifr) < 0)
        reportSystemError(errno, _("Cannot set interface MTU to %1$d on '%2$s'"), mtu, ifname);
    else
        ret = 0;
    close(fd);
    return ret;
}

/* Brings @ifname up or down (IFF_UP). */
int
netdevSetUp(const char *ifname, bool up)
{
    struct ifreq ifr;
    int fd;
    int ret = -1;

    if (netdevIfreqInit(&ifr, ifname) < 0 || (fd = netdevControlSocket()) < 0)
        return -1;
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
        reportSystemError(errno, _("Cannot get interface flags on '%1$s'"), ifname);
        goto cleanup;
    }
    if (up)
        ifr.ifr_flags |= IFF_UP;
    else
        ifr.ifr_flags &= ~IFF_UP;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
        reportSystemError(errno, _("Cannot set interface flags on '%1$s'"), ifname);
        goto cleanup;
    }
    ret = 0;
 cleanup:
    close(fd);
    return ret;
}

/* Makes @ifname a port of the Linux bridge @bridge. */
int
netdevBridgeAddPort(const char *bridge, const char *ifname)
{
    struct ifreq ifr;
    unsigned int idx;
    int fd;
    int ret = -1;

    if (netdevIfreqInit(&ifr, bridge) < 0)
        return -1;
    if (!(idx = if_nametoindex(ifname))) {
        reportSystemError(errno, _("Unable to get interface index for '%1$s'"), ifname);
        return -1;
    }
    if ((fd = netdevControlSocket()) < 0)
        return -1;
    ifr.ifr_ifindex = (int)idx;
    if (ioctl(fd, SIOCBRADDIF, &ifr) < 0) {
        reportSystemError(errno, _("Unable to add bridge %1$s port %2$s"), bridge, ifname);
        goto cleanup;
    }
    ret = 0;
 cleanup:
    close(fd);
    return ret;
}
