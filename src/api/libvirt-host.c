/* Public API: connection and host queries (virConnectGet*, virNode*, close callbacks). */
#include <string.h>

/* libvirt reports these functions' argument errors from VIR_FROM_DOMAIN. */
#define ERR_DOMAIN VIR_FROM_DOMAIN
#include "api/entry.h"
#include "util/thread.h"

/**
 * virConnectRef:
 * @conn: a connection
 *
 * Adds a reference, released by one more virConnectClose.
 *
 * Returns: 0, or -1 if @conn is invalid.
 */
int
virConnectRef(virConnectPtr conn)
{
    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    connectRef(conn);
    return 0;
}

/**
 * virConnectGetType:
 * @conn: a connection
 *
 * Returns: the hypervisor type ("QEMU", "TEST", ...) as a static string
 * (do not free), or NULL on error.
 */
const char *
virConnectGetType(virConnectPtr conn)
{
    const char *ret = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, NULL);
    if (conn->driver->connectGetType &&
        (ret = conn->driver->connectGetType(conn)))
        return ret;
    return conn->driver->name;
}

/**
 * virConnectGetVersion:
 * @conn: a connection
 * @hvVer: where to store the hypervisor version (major * 1,000,000 +
 *         minor * 1,000 + release)
 *
 * Returns: 0, or -1 on error.
 */
int
virConnectGetVersion(virConnectPtr conn, unsigned long *hvVer)
{
    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_NON_NULL(hvVer, error);
    ENTRY_DRIVER_FUNC(conn, connectGetVersion, error);
    if (conn->driver->connectGetVersion(conn, hvVer) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virConnectGetLibVersion:
 * @conn: a connection
 * @libVer: where to store the version of the library serving @conn (the
 *          daemon's for a remote connection)
 *
 * Returns: 0, or -1 on error.
 */
int
virConnectGetLibVersion(virConnectPtr conn, unsigned long *libVer)
{
    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_NON_NULL(libVer, error);
    if (conn->driver->connectGetLibVersion) {
        if (conn->driver->connectGetLibVersion(conn, libVer) < 0)
            goto error;
        return 0;
    }
    *libVer = LIBVIR_VERSION_NUMBER;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virConnectGetHostname:
 * @conn: a connection
 *
 * Returns: the host name of the hypervisor's machine (caller frees), or
 * NULL on error.
 */
char *
virConnectGetHostname(virConnectPtr conn)
{
    char *ret = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, NULL);
    ENTRY_DRIVER_FUNC(conn, connectGetHostname, error);
    if (!(ret = conn->driver->connectGetHostname(conn)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virConnectGetURI:
 * @conn: a connection
 *
 * Returns: the canonical URI of @conn, e.g. "test:///default" for a
 * connection opened with a NULL name (caller frees), or NULL on error.
 */
char *
virConnectGetURI(virConnectPtr conn)
{
    char *ret = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, NULL);
    if (!conn->driver->connectGetURI)
        return g_strdup(conn->uriString);
    if (!(ret = conn->driver->connectGetURI(conn)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virConnectGetCapabilities:
 * @conn: a connection
 *
 * Returns: the capabilities XML (caller frees), or NULL on error.
 */
char *
virConnectGetCapabilities(virConnectPtr conn)
{
    char *ret = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, NULL);
    ENTRY_DRIVER_FUNC(conn, connectGetCapabilities, error);
    if (!(ret = conn->driver->connectGetCapabilities(conn)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virConnectGetMaxVcpus:
 * @conn: a connection
 * @type: a guest type, or NULL
 *
 * Returns: the maximum number of vCPUs of a guest, or -1 on error.
 */
int
virConnectGetMaxVcpus(virConnectPtr conn, const char *type)
{
    int ret;

    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_DRIVER_FUNC(conn, connectGetMaxVcpus, error);
    if ((ret = conn->driver->connectGetMaxVcpus(conn, type)) < 0)
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virConnectGetDomainCapabilities:
 * @conn: a connection
 * @emulatorbin: path to the emulator, or NULL for the driver's choice
 * @arch: guest architecture, or NULL
 * @machine: machine type, or NULL for the emulator's default
 * @virttype: virtualization type ("kvm", "qemu"), or NULL for the best one
 * @flags: none defined yet; 0
 *
 * Describes what the hypervisor can run for that combination, in
 * libvirt's <domainCapabilities> format.  Allowed on read-only
 * connections, as in libvirt.
 *
 * Returns: the XML (caller frees), or NULL on error.
 */
char *
virConnectGetDomainCapabilities(virConnectPtr conn, const char *emulatorbin, const char *arch,
                                const char *machine, const char *virttype, unsigned int flags)
{
    char *ret = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, NULL);
    ENTRY_DRIVER_FUNC(conn, connectGetDomainCapabilities, error);
    if (!(ret = conn->driver->connectGetDomainCapabilities(conn, emulatorbin, arch, machine,
                                                           virttype, flags)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}

/*
 * The three predicates share a shape: 1 / 0 from the driver, -1 on error.
 */
#define HOST_PREDICATE(conn, field) \
    do { \
        int ret_; \
        errorReset(); \
        ENTRY_CHECK_CONN(conn, -1); \
        ENTRY_DRIVER_FUNC(conn, field, error); \
        if ((ret_ = conn->driver->field(conn)) < 0) \
            goto error; \
        return ret_; \
     error: \
        entryDispatchError(conn); \
        return -1; \
    } while (0)

/**
 * virConnectIsAlive:
 * @conn: a connection
 *
 * Returns: 1 if the connection works, 0 if not, -1 on error.
 */
int
virConnectIsAlive(virConnectPtr conn)
{
    HOST_PREDICATE(conn, connectIsAlive);
}

/**
 * virConnectIsSecure:
 * @conn: a connection
 *
 * Returns: 1 if the connection cannot be eavesdropped (in-process, local
 * socket, TLS), 0 if not, -1 on error.
 */
int
virConnectIsSecure(virConnectPtr conn)
{
    HOST_PREDICATE(conn, connectIsSecure);
}

/**
 * virConnectIsEncrypted:
 * @conn: a connection
 *
 * Returns: 1 if the connection is encrypted, 0 if not, -1 on error.
 */
int
virConnectIsEncrypted(virConnectPtr conn)
{
    HOST_PREDICATE(conn, connectIsEncrypted);
}

/**
 * virConnectSetKeepAlive:
 * @conn: a connection
 * @interval: seconds of silence from the server before a keepalive
 *            request is sent; <= 0 stops keepalive
 * @count: requests left unanswered before the connection is closed
 *
 * Starts, retunes or stops the client side of the keepalive protocol.
 * The connection is closed (close callback reason
 * VIR_CONNECT_CLOSE_REASON_KEEPALIVE) after about interval * (count + 1)
 * seconds without any message from the server.  Needs an event loop
 * implementation (virEventRegisterImpl or virEventRegisterDefaultImpl).
 * As in libvirt, only remote connections support it: in-process drivers
 * (test, qemu embed) fail with VIR_ERR_NO_SUPPORT.
 *
 * Returns: 0 on success, 1 when the server does not support keepalive,
 * -1 on error.
 */
int
virConnectSetKeepAlive(virConnectPtr conn, int interval, unsigned int count)
{
    int ret;

    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_DRIVER_FUNC(conn, connectSetKeepAlive, error);
    if ((ret = conn->driver->connectSetKeepAlive(conn, interval, count)) < 0)
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virConnectRegisterCloseCallback:
 * @conn: a connection
 * @cb: called when the driver loses the connection (not on
 *      virConnectClose)
 * @opaque: passed to @cb
 * @freecb: frees @opaque when the callback is replaced, unregistered or
 *          the connection is freed; may be NULL
 *
 * Drivers with their own bookkeeping (remote) get the call; for the
 * others the callback is kept on the connection and fired by the driver
 * through connectCloseCallbackFire.  As libvirt's in-process drivers, a
 * second registration replaces the first and succeeds.
 *
 * Returns: 0, or -1 on error.
 */
int
virConnectRegisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb,
                                void *opaque, virFreeCallback freecb)
{
    virFreeCallback oldFreecb = NULL;
    void *oldOpaque = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_NON_NULL(cb, error);
    if (conn->driver->connectRegisterCloseCallback) {
        if (conn->driver->connectRegisterCloseCallback(conn, cb, opaque,
                                                       freecb) < 0)
            goto error;
        return 0;
    }

    mutexLock(&conn->lock);
    if (conn->closeCb) {
        oldFreecb = conn->closeFreecb;
        oldOpaque = conn->closeOpaque;
    }
    conn->closeCb = cb;
    conn->closeOpaque = opaque;
    conn->closeFreecb = freecb;
    mutexUnlock(&conn->lock);
    if (oldFreecb)
        oldFreecb(oldOpaque);
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virConnectUnregisterCloseCallback:
 * @conn: a connection
 * @cb: the callback given to virConnectRegisterCloseCallback
 *
 * Removes @cb (running its freecb) if it is the registered callback;
 * otherwise nothing happens, as with libvirt's in-process drivers.
 *
 * Returns: 0, or -1 on error.
 */
int
virConnectUnregisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb)
{
    virFreeCallback freecb = NULL;
    void *opaque = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_NON_NULL(cb, error);
    if (conn->driver->connectUnregisterCloseCallback) {
        if (conn->driver->connectUnregisterCloseCallback(conn, cb) < 0)
            goto error;
        return 0;
    }

    mutexLock(&conn->lock);
    if (conn->closeCb == cb) {
        freecb = conn->closeFreecb;
        opaque = conn->closeOpaque;
        conn->closeCb = NULL;
        conn->closeOpaque = NULL;
        conn->closeFreecb = NULL;
    }
    mutexUnlock(&conn->lock);
    if (freecb)
        freecb(opaque);
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virNodeGetInfo:
 * @conn: a connection
 * @info: filled with the host's CPU and memory data
 *
 * Returns: 0, or -1 on error.
 */
int
virNodeGetInfo(virConnectPtr conn, virNodeInfoPtr info)
{
    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_NON_NULL(info, error);
    ENTRY_DRIVER_FUNC(conn, nodeGetInfo, error);
    if (conn->driver->nodeGetInfo(conn, info) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virNodeGetCPUMap:
 * @conn: a connection
 * @cpumap: where to store a new bitmap of the online host CPUs (caller
 *          frees it with free()), or NULL
 * @online: where to store the number of online CPUs, or NULL
 * @flags: none defined (0)
 *
 * Returns: the number of CPUs present on the host (the bits of @cpumap
 * that mean something), or -1 on error.
 */
int
virNodeGetCPUMap(virConnectPtr conn, unsigned char **cpumap, unsigned int *online,
                 unsigned int flags)
{
    int ret;

    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_DRIVER_FUNC(conn, nodeGetCPUMap, error);
    if ((ret = conn->driver->nodeGetCPUMap(conn, cpumap, online, flags)) < 0)
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virNodeGetSecurityModel:
 * @conn: a connection
 * @secmodel: filled with the host's security model ("" when none)
 *
 * Returns: 0, or -1 on error.
 */
int
virNodeGetSecurityModel(virConnectPtr conn, virSecurityModelPtr secmodel)
{
    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_NON_NULL(secmodel, error);
    memset(secmodel, 0, sizeof(*secmodel));
    ENTRY_DRIVER_FUNC(conn, nodeGetSecurityModel, error);
    if (conn->driver->nodeGetSecurityModel(conn, secmodel) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virNodeGetFreeMemory:
 * @conn: a connection
 *
 * Returns: the free memory of the host in bytes, or 0 on error.
 */
unsigned long long
virNodeGetFreeMemory(virConnectPtr conn)
{
    unsigned long long ret;

    errorReset();
    ENTRY_CHECK_CONN(conn, 0);
    ENTRY_DRIVER_FUNC(conn, nodeGetFreeMemory, error);
    /* 0 is also a possible answer: it is a failure only with an error. */
    if ((ret = conn->driver->nodeGetFreeMemory(conn)) == 0 && errorIsSet())
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return 0;
}
