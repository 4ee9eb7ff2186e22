/* Error dispatch for the public entry points: connection copy, handlers, default printer. */
#define ERR_DOMAIN VIR_FROM_NONE
#include "api/entry.h"
#include "util/log.h"
#include "util/thread.h"

LOG_INIT("api.entry");

/* virSetErrorFunc: process-wide, one of the globals STYLE.md allows. */
static Mutex entryHandlerLock;
static virErrorFunc entryHandler;     /* protected by entryHandlerLock */
static void *entryHandlerData;        /* protected by entryHandlerLock */

/**
 * entrySetGlobalHandler:
 * @userData: passed to @handler
 * @handler: the process-wide error handler, or NULL for the default one
 *
 * Backs virSetErrorFunc.
 */
void
entrySetGlobalHandler(void *userData, virErrorFunc handler)
{
    mutexLock(&entryHandlerLock);
    entryHandler = handler;
    entryHandlerData = userData;
    mutexUnlock(&entryHandlerLock);
}

/**
 * entrySetGenericError:
 *
 * Sets the calling thread's error to libvirt's generic failure
 * (VIR_ERR_INTERNAL_ERROR, no domain, "An error occurred, but the cause
 * is unknown"): what libvirt reports when a call fails without a cause,
 * e.g. virGetVersion(NULL, ...).
 */
void
entrySetGenericError(void)
{
    virErrorPtr err = errorGetSlot();

    errorClear(err);
    err->code = VIR_ERR_INTERNAL_ERROR;
    err->domain = VIR_FROM_NONE;
    err->level = VIR_ERR_ERROR;
    err->message = g_strdup(_("An error occurred, but the cause is unknown"));
}

/**
 * entryDispatchError:
 * @conn: the connection the failed call used, or NULL
 *
 * The failure path of every public function.  An empty error slot is a
 * bug somewhere below: it is filled with libvirt's generic failure
 * (entrySetGenericError) and logged at warning level.  The error is then copied to @conn (virConnGetLastError) and
 * handed to one handler: @conn's (virConnSetErrorFunc), else the global
 * one (virSetErrorFunc), else virDefaultErrorFunc, which prints it.
 * Handlers run on the calling thread, without locks held.
 */
void
entryDispatchError(virConnectPtr conn)
{
    virErrorPtr err = errorGetSlot();
    virErrorFunc handler = NULL;
    void *userData = NULL;

    if (err->code == VIR_ERR_OK) {
        LOG_WARN("public API failed without reporting an error");
        entrySetGenericError();
    }

    mutexLock(&entryHandlerLock);
    handler = entryHandler;
    userData = entryHandlerData;
    mutexUnlock(&entryHandlerLock);

    if (conn) {
        mutexLock(&conn->lock);
        errorCopy(err, &conn->err);
        if (conn->handler) {
            handler = conn->handler;
            userData = conn->userData;
        }
        mutexUnlock(&conn->lock);
    }

    if (handler)
        handler(userData, err);
    else
        virDefaultErrorFunc(err);
}
