/* The remote driver's streams: virStream over RPC stream packets (client side). */
#include <string.h>

#define ERR_DOMAIN VIR_FROM_REMOTE

#include "remote/remote_driver_stream.h"
#include "remote/remote_protocol.h"
#include "api/datatypes.h"
#include "api/driver.h"
#include "api/stream_event.h"
#include "rpc/rpc_stream.h"
#include "util/error.h"
#include "util/thread.h"

/*
 * A virStream of a remote connection: the RpcClientStream of the call
 * that opened it (src/rpc/rpc_stream.c does the protocol and the
 * waiting), plus the application's event callback record.
 */
typedef struct {
    RpcClientStream *rs;      /* immutable */
    Mutex lock;
    StreamEventCb *ecb;       /* protected by lock */
    bool ended;               /* protected by lock: finished or aborted */
} RemoteDriverStream;

static RemoteDriverStream *
remoteDriverStreamGet(virStreamPtr st)
{
    return st->privateData;
}

static int
remoteDriverStreamSend(virStreamPtr st, const char *data, size_t nbytes)
{
    return rpcClientStreamSend(remoteDriverStreamGet(st)->rs, data, nbytes,
                               st->flags & VIR_STREAM_NONBLOCK);
}

static int
remoteDriverStreamRecv(virStreamPtr st, char *data, size_t nbytes, unsigned int flags)
{
    checkFlags(flags, 0, -1);
    return rpcClientStreamRecv(remoteDriverStreamGet(st)->rs, data, nbytes,
                               st->flags & VIR_STREAM_NONBLOCK);
}

/* The rpc stream's timer: hands the events to the application. */
static void
remoteDriverStreamEvent(RpcClientStream *rs G_GNUC_UNUSED, int events, void *opaque)
{
    streamEventCbFire(opaque, events);
}

static void
remoteDriverStreamEventFree(void *opaque)
{
    streamEventCbUnref(opaque);
}

static int
remoteDriverStreamEventAdd(virStreamPtr st, int events, virStreamEventCallback cb, void *opaque,
                           virFreeCallback ff)
{
    RemoteDriverStream *ds = remoteDriverStreamGet(st);
    StreamEventCb *ecb = NULL;
    int ret = -1;

    mutexLock(&ds->lock);
    if (ds->ecb) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("stream already has a callback registered"));
        goto cleanup;
    }
    ecb = streamEventCbNew(st, cb, opaque, ff);
    if (rpcClientStreamSetEventCallback(ds->rs, events, remoteDriverStreamEvent,
                                        streamEventCbRef(ecb), remoteDriverStreamEventFree) < 0) {
        streamEventCbUnref(ecb); /* the reference meant for the rpc stream */
        streamEventCbForgetFree(ecb);
        streamEventCbUnref(ecb);
        goto cleanup;
    }
    ds->ecb = ecb;
    ret = 0;

 cleanup:
    mutexUnlock(&ds->lock);
    return ret;
}

static int
remoteDriverStreamEventUpdate(virStreamPtr st, int events)
{
    return rpcClientStreamUpdateEventCallback(remoteDriverStreamGet(st)->rs, events);
}

/* Detaches and drops the application's callback, if any. */
static int
remoteDriverStreamEventDrop(RemoteDriverStream *ds, bool mustExist)
{
    StreamEventCb *ecb;

    mutexLock(&ds->lock);
    ecb = g_steal_pointer(&ds->ecb);
    mutexUnlock(&ds->lock);
    if (!ecb) {
        if (mustExist) {
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("stream does not have a callback registered"));
            return -1;
        }
        return 0;
    }
    rpcClientStreamRemoveEventCallback(ds->rs);
    streamEventCbDetach(ecb);
    streamEventCbUnref(ecb);
    return 0;
}

static int
remoteDriverStreamEventRemove(virStreamPtr st)
{
    return remoteDriverStreamEventDrop(remoteDriverStreamGet(st), true);
}

static int
remoteDriverStreamEnd(virStreamPtr st, bool finish)
{
    RemoteDriverStream *ds = remoteDriverStreamGet(st);

    mutexLock(&ds->lock);
    ds->ended = true;
    mutexUnlock(&ds->lock);
    remoteDriverStreamEventDrop(ds, false);
    return finish ? rpcClientStreamFinish(ds->rs) : rpcClientStreamAbort(ds->rs);
}

static int
remoteDriverStreamFinish(virStreamPtr st)
{
    return remoteDriverStreamEnd(st, true);
}

static int
remoteDriverStreamAbort(virStreamPtr st)
{
    return remoteDriverStreamEnd(st, false);
}

static void
remoteDriverStreamFree(virStreamPtr st)
{
    RemoteDriverStream *ds = remoteDriverStreamGet(st);
    bool ended;

    mutexLock(&ds->lock);
    ended = ds->ended;
    mutexUnlock(&ds->lock);
    remoteDriverStreamEventDrop(ds, false);
    if (!ended) {
        /* Freed while open: the daemon would keep its end otherwise. */
        g_autoptr(SavedError) saved = errorSave();

        if (rpcClientStreamAbort(ds->rs) < 0)
            errorReset();
    }
    rpcClientStreamRelease(ds->rs);
    rpcClientStreamUnref(ds->rs);
    mutexClear(&ds->lock);
    g_free(ds);
}

static const StreamDriver remoteDriverStreamDriver = {
    .streamSend = remoteDriverStreamSend,
    .streamRecv = remoteDriverStreamRecv,
    .streamEventAddCallback = remoteDriverStreamEventAdd,
    .streamEventUpdateCallback = remoteDriverStreamEventUpdate,
    .streamEventRemoveCallback = remoteDriverStreamEventRemove,
    .streamFinish = remoteDriverStreamFinish,
    .streamAbort = remoteDriverStreamAbort,
    .streamFree = remoteDriverStreamFree,
};

/* Binds @st to a new RpcClientStream for @proc; NULL with an error when @st is in use. */
static RemoteDriverStream *
remoteDriverStreamNew(RpcClient *client, virStreamPtr st, int proc)
{
    RemoteDriverStream *ds = NULL;

    if (st->driver) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("the stream is already in use"));
        return NULL;
    }
    ds = g_new0(RemoteDriverStream, 1);
    mutexInit(&ds->lock);
    ds->rs = rpcClientStreamNew(client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, proc);
    return ds;
}

static void
remoteDriverStreamDiscard(RemoteDriverStream *ds)
{
    rpcClientStreamRelease(ds->rs);
    rpcClientStreamUnref(ds->rs);
    mutexClear(&ds->lock);
    g_free(ds);
}

static void
remoteDriverDomainToWire(virDomainPtr dom, remote_nonnull_domain *wire)
{
    wire->name = dom->name;
    memcpy(wire->uuid, dom->uuid, VIR_UUID_BUFLEN);
    wire->id = dom->id;
}

/**
 * remoteDriverOpenConsole:
 * @client: the connection's RPC client
 * @dom, @dev_name, @st, @flags: as virDomainOpenConsole
 *
 * Returns: 0 (@st is open), or -1 with the error.
 */
int
remoteDriverOpenConsole(RpcClient *client, virDomainPtr dom, const char *dev_name,
                        virStreamPtr st, unsigned int flags)
{
    RemoteDriverStream *ds = remoteDriverStreamNew(client, st, REMOTE_PROC_DOMAIN_OPEN_CONSOLE);
    remote_domain_open_console_args args = {0};
    char *name = (char *)dev_name;

    if (!ds)
        return -1;
    remoteDriverDomainToWire(dom, &args.dom);
    args.dev_name = dev_name ? &name : NULL;
    args.flags = flags;
    if (rpcClientStreamCall(ds->rs, (xdrproc_t)xdr_remote_domain_open_console_args, &args, NULL,
                            NULL) < 0 ||
        streamBind(st, &remoteDriverStreamDriver, ds) < 0) {
        remoteDriverStreamDiscard(ds);
        return -1;
    }
    return 0;
}

/**
 * remoteDriverScreenshot:
 * @client: the connection's RPC client
 * @dom, @st, @screen, @flags: as virDomainScreenshot
 *
 * Returns: the MIME type (g_malloc), or NULL with the error.
 */
char *
remoteDriverScreenshot(RpcClient *client, virDomainPtr dom, virStreamPtr st,
                       unsigned int screen, unsigned int flags)
{
    RemoteDriverStream *ds = remoteDriverStreamNew(client, st, REMOTE_PROC_DOMAIN_SCREENSHOT);
    remote_domain_screenshot_args args = {0};
    remote_domain_screenshot_ret ret = {0};
    char *mime = NULL;

    if (!ds)
        return NULL;
    remoteDriverDomainToWire(dom, &args.dom);
    args.screen = screen;
    args.flags = flags;
    if (rpcClientStreamCall(ds->rs, (xdrproc_t)xdr_remote_domain_screenshot_args, &args,
                            (xdrproc_t)xdr_remote_domain_screenshot_ret, &ret) < 0) {
        remoteDriverStreamDiscard(ds);
        return NULL;
    }
    if (ret.mime && *ret.mime)
        mime = g_strdup(*ret.mime);
    xdr_free((xdrproc_t)xdr_remote_domain_screenshot_ret, (char *)&ret);
    if (!mime) {
        reportError(VIR_ERR_RPC, "%s", _("the daemon did not name the screenshot's type"));
        rpcClientStreamAbort(ds->rs);
        remoteDriverStreamDiscard(ds);
        return NULL;
    }
    if (streamBind(st, &remoteDriverStreamDriver, ds) < 0) {
        rpcClientStreamAbort(ds->rs);
        remoteDriverStreamDiscard(ds);
        g_free(mime);
        return NULL;
    }
    return mime;
}

/**
 * remoteDriverMigratePrepareTunnel:
 * @client: the destination connection's RPC client
 * @st: the stream for the migration data (source -> destination)
 * @args: the call's arguments, encoded by the caller
 * @ret: filled with the reply (xdr_free it)
 *
 * DOMAIN_MIGRATE_PREPARE_TUNNEL3_PARAMS: binds @st to the call's stream.
 *
 * Returns: 0, or -1 with the error.
 */
int
remoteDriverMigratePrepareTunnel(RpcClient *client, virStreamPtr st,
                                 remote_domain_migrate_prepare_tunnel3_params_args *args,
                                 remote_domain_migrate_prepare_tunnel3_params_ret *ret)
{
    RemoteDriverStream *ds =
        remoteDriverStreamNew(client, st, REMOTE_PROC_DOMAIN_MIGRATE_PREPARE_TUNNEL3_PARAMS);

    if (!ds)
        return -1;
    if (rpcClientStreamCall(ds->rs,
                            (xdrproc_t)xdr_remote_domain_migrate_prepare_tunnel3_params_args, args,
                            (xdrproc_t)xdr_remote_domain_migrate_prepare_tunnel3_params_ret,
                            ret) < 0) {
        remoteDriverStreamDiscard(ds);
        return -1;
    }
    if (streamBind(st, &remoteDriverStreamDriver, ds) < 0) {
        rpcClientStreamAbort(ds->rs);
        remoteDriverStreamDiscard(ds);
        xdr_free((xdrproc_t)xdr_remote_domain_migrate_prepare_tunnel3_params_ret, (char *)ret);
        memset(ret, 0, sizeof(*ret));
        return -1;
    }
    return 0;
}
