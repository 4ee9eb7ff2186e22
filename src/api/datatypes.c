/* The public handle objects (virConnect, virDomain): allocation and reference counting. */
#include <string.h>

#define ERR_DOMAIN VIR_FROM_NONE
#include "api/datatypes.h"
#include "api/driver.h"
#include "util/error.h"
#include "util/log.h"
#include "util/thread.h"

LOG_INIT("api.datatypes");

/**
 * connectNew:
 *
 * Allocates an empty connection handle with one reference; the caller
 * fills in the driver fields before handing it out.
 *
 * Returns: the new connection (never NULL).
 */
virConnectPtr
connectNew(void)
{
    virConnectPtr conn = g_new0(virConnect, 1);

    conn->magic = CONNECT_MAGIC;
    conn->refs = 1;
    mutexInit(&conn->lock);
    return conn;
}

/**
 * connectRef:
 * @conn: a live connection
 *
 * Returns: @conn with one more reference.
 */
virConnectPtr
connectRef(virConnectPtr conn)
{
    g_atomic_int_inc(&conn->refs);
    return conn;
}

static void
connectDispose(virConnectPtr conn)
{
    virConnectCloseFunc closeCb = NULL;
    virFreeCallback closeFreecb = NULL;
    void *closeOpaque = NULL;

    LOG_DEBUG("closing connection %p (%s)", (void *)conn,
              conn->uriString ? conn->uriString : "");
    if (conn->driver && conn->driver->connectClose) {
        /* The caller's error (if any) must survive the driver's cleanup. */
        g_autoptr(SavedError) saved = errorSave();

        if (conn->driver->connectClose(conn) < 0)
            LOG_WARN("driver failed to close connection %p, ignoring",
                     (void *)conn);
    }

    mutexLock(&conn->lock);
    closeCb = g_steal_pointer(&conn->closeCb);
    closeFreecb = g_steal_pointer(&conn->closeFreecb);
    closeOpaque = g_steal_pointer(&conn->closeOpaque);
    mutexUnlock(&conn->lock);
    if (closeCb && closeFreecb)
        closeFreecb(closeOpaque);

    conn->magic = 0;
    uriFree(conn->uri);
    g_free(conn->uriString);
    errorClear(&conn->err);
    mutexClear(&conn->lock);
    g_free(conn);
}

/**
 * connectUnref:
 * @conn: a live connection, or NULL
 *
 * Drops one reference; the last one closes the connection in the driver
 * (connectClose), releases a registered close callback's data and frees
 * the handle.
 *
 * Returns: the number of references left (0 when @conn was freed).
 */
int
connectUnref(virConnectPtr conn)
{
    int old;

    if (!conn)
        return 0;
    old = g_atomic_int_add(&conn->refs, -1);
    if (old == 1) {
        connectDispose(conn);
        return 0;
    }
    return old - 1;
}

/**
 * connectIsValid:
 * @conn: a connection pointer from a caller
 *
 * Returns: true when @conn looks like a live connection handle.
 */
bool
connectIsValid(virConnectPtr conn)
{
    return conn && conn->magic == CONNECT_MAGIC &&
        g_atomic_int_get(&conn->refs) > 0;
}

/**
 * connectIsReadOnly:
 * @conn: a live connection
 *
 * Returns: true when @conn was opened with VIR_CONNECT_RO.
 */
bool
connectIsReadOnly(virConnectPtr conn)
{
    return (conn->flags & VIR_CONNECT_RO) != 0;
}

/**
 * connectCloseCallbackFire:
 * @conn: a live connection
 * @reason: a virConnectCloseReason
 *
 * For drivers whose connection can be lost (remote): calls the callback
 * registered with virConnectRegisterCloseCallback, if any.  Must not be
 * called with driver locks held.
 */
void
connectCloseCallbackFire(virConnectPtr conn, int reason)
{
    virConnectCloseFunc cb = NULL;
    void *opaque = NULL;

    mutexLock(&conn->lock);
    cb = conn->closeCb;
    opaque = conn->closeOpaque;
    mutexUnlock(&conn->lock);
    if (cb)
        cb(conn, reason, opaque);
}

/**
 * domainHandleNew:
 * @conn: the connection the handle belongs to (referenced by the handle)
 * @name: domain name (copied)
 * @uuid: VIR_UUID_BUFLEN bytes (copied)
 * @id: domain id, -1 when not running
 *
 * Returns: a new domain handle with one reference (never NULL); release
 * it with domainHandleUnref (virDomainFree for applications).
 */
virDomainPtr
domainHandleNew(virConnectPtr conn, const char *name,
                const unsigned char *uuid, int id)
{
    return domainHandleNewLen(conn, name, strlen(name), uuid, id);
}

/**
 * domainHandleNewLen:
 * @conn: the connection the handle belongs to (referenced by the handle)
 * @name: domain name, @len bytes (copied; need not be NUL-terminated)
 * @len: length of @name
 * @uuid: VIR_UUID_BUFLEN bytes (copied)
 * @id: domain id, -1 when not running
 *
 * domainHandleNew for a name whose length is known, e.g. still in a
 * received packet.
 *
 * Returns: a new domain handle with one reference (never NULL).
 */
virDomainPtr
domainHandleNewLen(virConnectPtr conn, const char *name, size_t len,
                   const unsigned char *uuid, int id)
{
    virDomainPtr dom;

    /*
     * One allocation holds the handle and its name (which never changes):
     * a listing creates and frees a handle per domain, on both sides of
     * the daemon's socket.
     */
    dom = g_malloc(sizeof(*dom) + len + 1);
    dom->magic = DOMAIN_MAGIC;
    dom->refs = 1;
    dom->conn = connectRef(conn);
    dom->name = (char *)(dom + 1);
    memcpy(dom->name, name, len);
    dom->name[len] = '\0';
    memcpy(dom->uuid, uuid, VIR_UUID_BUFLEN);
    dom->id = id;
    return dom;
}

/**
 * domainHandleRef:
 * @dom: a live domain handle
 *
 * Returns: @dom with one more reference.
 */
virDomainPtr
domainHandleRef(virDomainPtr dom)
{
    g_atomic_int_inc(&dom->refs);
    return dom;
}

/**
 * domainHandleUnref:
 * @dom: a domain handle, or NULL
 *
 * Drops one reference; the last one frees the handle and releases its
 * connection reference.
 */
void
domainHandleUnref(virDomainPtr dom)
{
    virConnectPtr conn = NULL;

    if (!dom || !g_atomic_int_dec_and_test(&dom->refs))
        return;
    conn = dom->conn;
    dom->magic = 0;
    g_free(dom);
    connectUnref(conn);
}

/**
 * domainHandleIsValid:
 * @dom: a domain pointer from a caller
 *
 * Returns: true when @dom looks like a live domain handle on a live
 * connection.
 */
bool
domainHandleIsValid(virDomainPtr dom)
{
    return dom && dom->magic == DOMAIN_MAGIC &&
        g_atomic_int_get(&dom->refs) > 0 && connectIsValid(dom->conn);
}

/**
 * streamHandleNew:
 * @conn: the connection the stream belongs to (referenced by the stream)
 * @flags: virStreamFlags
 *
 * Returns: a new, unbound stream with one reference (never NULL).
 */
virStreamPtr
streamHandleNew(virConnectPtr conn, unsigned int flags)
{
    virStreamPtr st = g_new0(virStream, 1);

    st->magic = STREAM_MAGIC;
    st->refs = 1;
    st->conn = connectRef(conn);
    st->flags = flags;
    return st;
}

/**
 * streamHandleRef:
 * @st: a live stream
 *
 * Returns: @st with one more reference.
 */
virStreamPtr
streamHandleRef(virStreamPtr st)
{
    g_atomic_int_inc(&st->refs);
    return st;
}

/**
 * streamHandleUnref:
 * @st: a stream, or NULL
 *
 * Drops one reference; the last one lets the driver release its state,
 * then frees the handle and its connection reference.
 */
void
streamHandleUnref(virStreamPtr st)
{
    virConnectPtr conn = NULL;

    if (!st || !g_atomic_int_dec_and_test(&st->refs))
        return;
    if (st->driver && st->driver->streamFree)
        st->driver->streamFree(st);
    conn = st->conn;
    st->magic = 0;
    g_free(st);
    connectUnref(conn);
}

/**
 * streamHandleIsValid:
 * @st: a stream pointer from a caller
 *
 * Returns: true when @st looks like a live stream on a live connection.
 */
bool
streamHandleIsValid(virStreamPtr st)
{
    return st && st->magic == STREAM_MAGIC &&
        g_atomic_int_get(&st->refs) > 0 && connectIsValid(st->conn);
}

/**
 * streamBind:
 * @st: an unbound stream
 * @driver: the operations of the open stream
 * @privateData: the driver's state, released by @driver->streamFree
 *
 * Attaches an opened data channel to @st (called by the driver call that
 * opens it).  A stream is bound once: a second open on the same handle
 * fails with VIR_ERR_OPERATION_INVALID (and the caller releases
 * @privateData itself).
 *
 * Returns: 0, or -1 with an error reported.
 */
int
streamBind(virStreamPtr st, const StreamDriver *driver, void *privateData)
{
    if (st->driver) {
        errorReport(VIR_FROM_STREAMS, VIR_ERR_OPERATION_INVALID, __FILE__, __func__,
                    __LINE__, "%s", _("the stream is already in use"));
        return -1;
    }
    st->privateData = privateData;
    st->driver = driver;
    return 0;
}
