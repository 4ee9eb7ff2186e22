/* port_allocator.c: hands out free TCP ports from a range.
 *
 * A port is handed out when nobody in this process holds it (the
 * reservation set) and the host agrees it is free: binding the wildcard
 * address on it works, for IPv4 and (where the host has it) IPv6.  The
 * socket is closed again at once; the caller passes the port to the
 * program that will listen on it (QEMU's -vnc).  SO_REUSEADDR makes a
 * port whose last connection lingers in TIME_WAIT usable again, while a
 * socket still listening on it, on any address, makes the bind fail.
 */
#define ERR_DOMAIN VIR_FROM_NONE

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/port_allocator.h"
#include "util/error.h"
#include "util/log.h"
#include "util/thread.h"


LOG_INIT("util.port_allocator");

struct _PortAllocator {
    char *name;             /* immutable: "display", for messages */
    unsigned int min;       /* immutable */
    unsigned int max;       /* immutable */
    Mutex lock;
    GHashTable *reserved;   /* protected by lock: port -> port */
};

/**
 * portAllocatorNew:
 * @name: what the ports are for, used in error messages ("display")
 * @min: first port of the range (1..65535)
 * @max: last port of the range (@min..65535)
 *
 * Returns: a new allocator (caller frees with portAllocatorFree).
 */
PortAllocator *
portAllocatorNew(const char *name, unsigned int min, unsigned int max)
{
    PortAllocator *pa = g_new0(PortAllocator, 1);

    pa->name = g_strdup(name);
    pa->min = min;
    pa->max = max;
    mutexInit(&pa->lock);
    pa->reserved = g_hash_table_new(g_direct_hash, g_direct_equal);
    return pa;
}

/**
 * portAllocatorFree:
 * @pa: an allocator, or NULL
 */
void
portAllocatorFree(PortAllocator *pa)
{
    if (!pa)
        return;
    g_hash_table_unref(pa->reserved);
    mutexClear(&pa->lock);
    g_free(pa->name);
    g_free(pa);
}

/*
 * 1 if @port can be bound on the wildcard address of @family, 0 if it is
 * in use, -1 (error reported) on another failure.  A family the host lacks
 * counts as free.
 */
static int
portAllocatorBindTest(int family, unsigned int port)
{
    struct sockaddr_storage ss = { 0 };
    socklen_t len;
    int one = 1;
    int fd;
    int rc;

    if ((fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        if (family == AF_INET6 && (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT))
            return 1;
        reportSystemError(errno, "%s", _("Unable to open test socket"));
        return -1;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        (family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)) {
        reportSystemError(errno, "%s", _("Unable to set socket option on test socket"));
        close(fd);
        return -1;
    }
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;

        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        in->sin_addr.s_addr = htonl(INADDR_ANY);
        len = sizeof(*in);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        in6->sin6_addr = in6addr_any;
        len = sizeof(*in6);
    }
    if (bind(fd, (struct sockaddr *)&ss, len) == 0)
        rc = 1;
    else if (errno == EADDRINUSE)
        rc = 0;
    else if (family == AF_INET6 && errno == EADDRNOTAVAIL)
        rc = 1;     /* no IPv6 address configured: nothing can use it */
    else {
        reportSystemError(errno, _("Unable to bind to port %1$u"), port);
        rc = -1;
    }
    close(fd);
    return rc;
}

/**
 * portAllocatorAcquire:
 * @pa: the allocator
 * @retPort: set to the port on success
 *
 * Reserves the lowest port of the range that is neither reserved nor in
 * use on the host.  Release it with portAllocatorRelease.
 *
 * Returns: 0, or -1 with VIR_ERR_INTERNAL_ERROR when the whole range is
 * taken (or a system error from the test sockets).
 */
int
portAllocatorAcquire(PortAllocator *pa, unsigned int *retPort)
{
    unsigned int port;

    mutexLock(&pa->lock);
    for (port = pa->min; port <= pa->max; port++) {
        int rc;

        if (g_hash_table_contains(pa->reserved, GUINT_TO_POINTER(port)))
            continue;
        if ((rc = portAllocatorBindTest(AF_INET, port)) == 1)
            rc = portAllocatorBindTest(AF_INET6, port);
        if (rc < 0) {
            mutexUnlock(&pa->lock);
            return -1;
        }
        if (rc == 0) {
            LOG_DEBUG("%s port %u is in use on the host, skipping", pa->name, port);
            continue;
        }
        g_hash_table_add(pa->reserved, GUINT_TO_POINTER(port));
        mutexUnlock(&pa->lock);
        LOG_DEBUG("%s port %u reserved", pa->name, port);
        *retPort = port;
        return 0;
    }
    mutexUnlock(&pa->lock);
    reportError(VIR_ERR_INTERNAL_ERROR, _("Unable to find an unused port in range '%1$s' (%2$u-%3$u)"),
                pa->name, pa->min, pa->max);
    return -1;
}

/**
 * portAllocatorSetUsed:
 * @pa: the allocator
 * @port: a port some process already listens on for us (a QEMU found
 *        running after a restart)
 *
 * Reserves @port without testing it.  Ports outside the range are
 * ignored (the configuration changed meanwhile).
 *
 * Returns: 0, or -1 with VIR_ERR_INTERNAL_ERROR if it is reserved already.
 */
int
portAllocatorSetUsed(PortAllocator *pa, unsigned int port)
{
    int ret = 0;

    if (port < pa->min || port > pa->max)
        return 0;
    mutexLock(&pa->lock);
    if (!g_hash_table_add(pa->reserved, GUINT_TO_POINTER(port))) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("Failed to reserve port %1$u"), port);
        ret = -1;
    }
    mutexUnlock(&pa->lock);
    return ret;
}

/**
 * portAllocatorRelease:
 * @pa: the allocator
 * @port: a port from portAllocatorAcquire or portAllocatorSetUsed (0 and
 *        ports not reserved are ignored)
 */
void
portAllocatorRelease(PortAllocator *pa, unsigned int port)
{
    if (!port)
        return;
    mutexLock(&pa->lock);
    if (g_hash_table_remove(pa->reserved, GUINT_TO_POINTER(port)))
        LOG_DEBUG("%s port %u released", pa->name, port);
    mutexUnlock(&pa->lock);
}

/**
 * portAllocatorIsReserved:
 * @pa: the allocator
 * @port: a port
 *
 * Returns: whether @port is reserved now.
 */
bool
portAllocatorIsReserved(PortAllocator *pa, unsigned int port)
{
    bool ret;

    mutexLock(&pa->lock);
    ret = g_hash_table_contains(pa->reserved, GUINT_TO_POINTER(port));
    mutexUnlock(&pa->lock);
    return ret;
}
