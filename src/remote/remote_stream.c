/* The daemon's end of RPC streams: a client's stream packets <-> a virStream of its connection. */
#include <string.h>

#define ERR_DOMAIN VIR_FROM_STREAMS

#include "remote/remote_stream.h"
#include "remote/remote_dispatch_client.h"
#include "remote/remote_protocol.h"
#include "rpc/rpc_server_client.h"
#include "util/error.h"
#include "util/log.h"
#include "util/thread.h"

LOG_INIT("remote.stream");

/*
 * A stream call (DOMAIN_OPEN_CONSOLE, DOMAIN_SCREENSHOT) opens a
 * non-blocking virStream on the client's in-process connection; its
 * reply starts a RemoteStream that pumps data between that virStream and
 * the client's STREAM packets (docs/internals/rpc.md, "Streams").
 *
 * Threads: everything runs on the event-loop thread (the virStream's
 * event callback, the client's packets, the kick timer), except the
 * creation by the worker that ran the call and the free function of sent
 * packets, which only flag work and arm the kick timer.
 *
 * Flow control, as libvirtd:
 * - daemon -> client: at most one data packet of a stream waits in the
 *   client's output queue; the next read from the virStream happens
 *   when it has been written (RpcMessage.freeFunc).  A client that does
 *   not read stalls only its own stream.
 * - client -> daemon: each queued incoming packet counts as one of the
 *   client's outstanding requests (rpcServerClientBeginCall) until the
 *   virStream took it, so the server stops reading from a client whose
 *   sink is slow once max_client_requests packets wait.
 */

typedef struct _RemoteStream RemoteStream;
struct _RemoteStream {
    gint refs;                 /* atomic */
    RpcServerClient *client;   /* immutable, referenced */
    RemoteStreamList *list;    /* immutable */
    virStreamPtr st;           /* immutable, referenced */
    rpc_header hdr;            /* immutable: prog, vers, proc, serial of the call */
    gint kick;                 /* atomic: the loop timer, -1 once removed */

    /* Event-loop thread only. */
    GQueue rx;                 /* incoming packets, each counted as a request */
    bool recvEOF;              /* the virStream's end of data was sent */
    bool closed;               /* finished, aborted or failed */
    bool hasCallback;          /* the virStream's event callback is set */
    int events;                /* VIR_STREAM_EVENT_* asked for */

    gint started;              /* atomic: the reply of the call was queued */
    gint txReady;              /* atomic: no data packet of ours waits in the output queue */
};

struct _RemoteStreamList {
    Mutex lock;
    GPtrArray *streams;        /* RemoteStream *; protected by lock */
    bool closed;               /* protected by lock: the client is gone */
};

static void remoteStreamProcess(RemoteStream *rs, int events);

static RemoteStream *
remoteStreamRef(RemoteStream *rs)
{
    g_atomic_int_inc(&rs->refs);
    return rs;
}

static void
remoteStreamUnref(void *opaque)
{
    RemoteStream *rs = opaque;

    if (!rs || !g_atomic_int_dec_and_test(&rs->refs))
        return;
    virStreamFree(rs->st);
    virResetLastError();
    rpcServerClientUnref(rs->client);
    g_free(rs);
}

/* --- the list of a client's streams ------------------------------------------ */

static RemoteStreamList *
remoteStreamListGet(RemoteClient *rc)
{
    RemoteStreamList *list;

    mutexLock(&rc->lock);
    if (rc->closed) {
        /* Gone before its first stream: nobody would abort a new one. */
        mutexUnlock(&rc->lock);
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("client is closed"));
        return NULL;
    }
    if (!rc->streams) {
        rc->streams = g_new0(RemoteStreamList, 1);
        mutexInit(&rc->streams->lock);
        rc->streams->streams = g_ptr_array_new();
    }
    list = rc->streams;
    mutexUnlock(&rc->lock);
    return list;
}

/**
 * remoteStreamListFree:
 * @list: a client's streams, or NULL
 *
 * With the client's last reference (the streams were aborted at close).
 */
void
remoteStreamListFree(RemoteStreamList *list)
{
    if (!list)
        return;
    g_ptr_array_free(list->streams, TRUE);
    mutexClear(&list->lock);
    g_free(list);
}

static RemoteStream *
remoteStreamListFind(RemoteStreamList *list, const rpc_header *hdr)
{
    RemoteStream *ret = NULL;
    guint i;

    mutexLock(&list->lock);
    for (i = 0; i < list->streams->len; i++) {
        RemoteStream *rs = g_ptr_array_index(list->streams, i);

        if (rs->hdr.prog == hdr->prog && rs->hdr.vers == hdr->vers &&
            rs->hdr.proc == hdr->proc && rs->hdr.serial == hdr->serial) {
            ret = remoteStreamRef(rs);
            break;
        }
    }
    mutexUnlock(&list->lock);
    return ret;
}

/* --- sending --------------------------------------------------------------- */

/* A data packet of ours left the output queue (or was dropped): read the next one. */
static void
remoteStreamSent(void *opaque)
{
    RemoteStream *rs = opaque;

    int kick = g_atomic_int_get(&rs->kick);

    g_atomic_int_set(&rs->txReady, 1);
    if (kick >= 0)
        virEventUpdateTimeout(kick, 0);
    remoteStreamUnref(rs);
}

/* Queues a STREAM packet with @status; data packets are tracked for flow control. */
static int
remoteStreamSendPacket(RemoteStream *rs, rpc_status status, const char *data, size_t len)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();

    rpcMessageSetHeader(msg, rs->hdr.prog, rs->hdr.vers, rs->hdr.proc, RPC_TYPE_STREAM,
                        rs->hdr.serial, status);
    if (rpcMessageEncodeRaw(msg, data, len) < 0)
        return -1;
    if (status == RPC_STATUS_CONTINUE) {
        g_atomic_int_set(&rs->txReady, 0);
        msg->freeFunc = remoteStreamSent;
        msg->freeOpaque = remoteStreamRef(rs);
    }
    /* A closed client drops the packet (running freeFunc): nothing to do. */
    rpcServerClientSendMessage(rs->client, g_steal_pointer(&msg));
    return 0;
}

/* Sends the calling thread's error (util slot) as STREAM + ERROR. */
static void
remoteStreamSendError(RemoteStream *rs)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();

    rpcMessageSetHeader(msg, rs->hdr.prog, rs->hdr.vers, rs->hdr.proc, RPC_TYPE_STREAM,
                        rs->hdr.serial, RPC_STATUS_ERROR);
    if (rpcMessageEncodeError(msg, NULL) < 0) {
        LOG_ERROR("cannot encode a stream error: %s", errorGetSlot()->message);
        errorReset();
        return;
    }
    errorReset();
    rpcServerClientSendMessage(rs->client, g_steal_pointer(&msg));
}

/* --- closing --------------------------------------------------------------- */

/* Drops what the client sent and the stream's place in the list.  Loop thread. */
static void
remoteStreamRemove(RemoteStream *rs)
{
    RpcMessage *msg;
    bool found;

    rs->closed = true;
    if (rs->hasCallback) {
        virStreamEventRemoveCallback(rs->st);
        rs->hasCallback = false;
    }
    {
        int kick = g_atomic_int_exchange(&rs->kick, -1);

        if (kick >= 0)
            virEventRemoveTimeout(kick);
    }
    while ((msg = g_queue_pop_head(&rs->rx))) {
        rpcMessageFree(msg);
        rpcServerClientEndCall(rs->client, NULL);
    }
    virResetLastError();

    mutexLock(&rs->list->lock);
    found = g_ptr_array_remove(rs->list->streams, rs);
    mutexUnlock(&rs->list->lock);
    if (found)
        remoteStreamUnref(rs);
}

/* Aborts the virStream after a failure and tells the client (util error set). */
static void
remoteStreamFail(RemoteStream *rs)
{
    LOG_DEBUG("client %llu: stream serial %u failed: %s", rpcServerClientGetID(rs->client),
              rs->hdr.serial, errorGetSlot()->message);
    rs->closed = true;
    if (rs->hasCallback) {
        virStreamEventRemoveCallback(rs->st);
        rs->hasCallback = false;
    }
    virStreamAbort(rs->st);
    virResetLastError();
    remoteStreamSendError(rs);
    remoteStreamRemove(rs);
}

/**
 * remoteStreamAbortAll:
 * @list: a client's streams, or NULL
 *
 * The client's connection closed: every stream is aborted.  Loop thread.
 */
void
remoteStreamAbortAll(RemoteStreamList *list)
{
    g_autoptr(GPtrArray) streams = g_ptr_array_new();
    guint i;

    if (!list)
        return;
    mutexLock(&list->lock);
    list->closed = true;
    for (i = 0; i < list->streams->len; i++)
        g_ptr_array_add(streams, remoteStreamRef(g_ptr_array_index(list->streams, i)));
    mutexUnlock(&list->lock);

    for (i = 0; i < streams->len; i++) {
        RemoteStream *rs = g_ptr_array_index(streams, i);

        if (!rs->closed) {
            LOG_DEBUG("client %llu gone: aborting stream serial %u",
                      rpcServerClientGetID(rs->client), rs->hdr.serial);
            rs->closed = true;
            if (rs->hasCallback) {
                virStreamEventRemoveCallback(rs->st);
                rs->hasCallback = false;
            }
            virStreamAbort(rs->st);
        }
        remoteStreamRemove(rs);
        remoteStreamUnref(rs);
    }
    virResetLastError();
}

/* --- the pump (event-loop thread) --------------------------------------------- */

/* Hands queued client packets to the virStream.  Returns false once the stream is gone. */
static bool
remoteStreamHandleIncoming(RemoteStream *rs)
{
    RpcMessage *msg;

    while (!rs->closed && (msg = g_queue_peek_head(&rs->rx))) {
        if (msg->header.type == RPC_TYPE_STREAM_HOLE) {
            /* We never accept sparse streams. */
            reportError(VIR_ERR_RPC, "%s", _("Unexpected stream hole"));
            remoteStreamFail(rs);
            return false;
        }
        switch ((rpc_status)msg->header.status) {
        case RPC_STATUS_CONTINUE: {
            size_t len = 0;
            const uint8_t *data = rpcMessageGetPayload(msg, &len);
            int n = 0;

            if (len > 0 && (n = virStreamSend(rs->st, (const char *)data, len)) == -2)
                return true; /* wait for WRITABLE */
            if (n < 0) {
                remoteDispatchAPIError();
                remoteStreamFail(rs);
                return false;
            }
            msg->bufferOffset += (size_t)n;
            if ((size_t)n < len)
                continue;
            rpcMessageFree(g_queue_pop_head(&rs->rx));
            rpcServerClientEndCall(rs->client, NULL);
            break;
        }
        case RPC_STATUS_OK:
            /* The client finished: confirm, or report the virStream's error. */
            rpcMessageFree(g_queue_pop_head(&rs->rx));
            rpcServerClientEndCall(rs->client, NULL);
            rs->closed = true;
            if (rs->hasCallback) {
                virStreamEventRemoveCallback(rs->st);
                rs->hasCallback = false;
            }
            if (virStreamFinish(rs->st) < 0) {
                remoteDispatchAPIError();
                remoteStreamSendError(rs);
            } else {
                remoteStreamSendPacket(rs, RPC_STATUS_OK, NULL, 0);
            }
            remoteStreamRemove(rs);
            return false;
        case RPC_STATUS_ERROR:
        default:
            /* The client aborted (an empty ERROR): confirm with OK. */
            rpcMessageFree(g_queue_pop_head(&rs->rx));
            rpcServerClientEndCall(rs->client, NULL);
            rs->closed = true;
            if (rs->hasCallback) {
                virStreamEventRemoveCallback(rs->st);
                rs->hasCallback = false;
            }
            LOG_DEBUG("client %llu: stream serial %u aborted by the client",
                      rpcServerClientGetID(rs->client), rs->hdr.serial);
            if (virStreamAbort(rs->st) < 0) {
                remoteDispatchAPIError();
                remoteStreamSendError(rs);
            } else {
                remoteStreamSendPacket(rs, RPC_STATUS_OK, NULL, 0);
            }
            remoteStreamRemove(rs);
            return false;
        }
    }
    return !rs->closed;
}

/* Reads one packet's worth from the virStream and sends it.  Returns false once gone. */
static bool
remoteStreamHandleOutgoing(RemoteStream *rs)
{
    g_autofree char *buf = g_malloc(RPC_MESSAGE_LEGACY_PAYLOAD_MAX);
    int n = virStreamRecv(rs->st, buf, RPC_MESSAGE_LEGACY_PAYLOAD_MAX);

    if (n == -2)
        return true;
    if (n < 0) {
        remoteDispatchAPIError();
        remoteStreamFail(rs);
        return false;
    }
    if (n == 0)
        rs->recvEOF = true;
    if (remoteStreamSendPacket(rs, RPC_STATUS_CONTINUE, buf, (size_t)n) < 0) {
        remoteStreamFail(rs);
        return false;
    }
    return true;
}

/* Points the virStream's callback at what the pump can do now. */
static void
remoteStreamUpdateEvents(RemoteStream *rs)
{
    int events = 0;

    if (rs->closed || !rs->hasCallback)
        return;
    if (!g_queue_is_empty(&rs->rx))
        events |= VIR_STREAM_EVENT_WRITABLE;
    if (g_atomic_int_get(&rs->txReady) && !rs->recvEOF)
        events |= VIR_STREAM_EVENT_READABLE;
    if (events != rs->events) {
        rs->events = events;
        if (virStreamEventUpdateCallback(rs->st, events) < 0)
            virResetLastError();
    }
}

static void
remoteStreamProcess(RemoteStream *rs, int events)
{
    if (rs->closed || !g_atomic_int_get(&rs->started))
        return;

    if (!remoteStreamHandleIncoming(rs))
        return;
    if ((events & VIR_STREAM_EVENT_READABLE) && g_atomic_int_get(&rs->txReady) &&
        !rs->recvEOF && !remoteStreamHandleOutgoing(rs))
        return;
    if ((events & VIR_STREAM_EVENT_HANGUP) && !rs->recvEOF &&
        !(events & VIR_STREAM_EVENT_READABLE)) {
        /* The source went away: the client sees the end of the data. */
        rs->recvEOF = true;
        remoteStreamSendPacket(rs, RPC_STATUS_CONTINUE, "", 0);
    } else if (events & VIR_STREAM_EVENT_ERROR) {
        reportError(VIR_ERR_RPC, "%s", _("stream had I/O failure"));
        remoteStreamFail(rs);
        return;
    }
    remoteStreamUpdateEvents(rs);
}

static void
remoteStreamEvent(virStreamPtr st G_GNUC_UNUSED, int events, void *opaque)
{
    RemoteStream *rs = opaque;

    remoteStreamRef(rs);
    remoteStreamProcess(rs, events);
    remoteStreamUnref(rs);
}

/* The kick timer: the stream started, or its last data packet was written. */
static void
remoteStreamKick(int timer, void *opaque)
{
    RemoteStream *rs = opaque;

    virEventUpdateTimeout(timer, -1);
    remoteStreamRef(rs);
    if (!rs->closed && !rs->hasCallback && g_atomic_int_get(&rs->started)) {
        /* First run: watch the virStream (READABLE asks for the first chunk). */
        if (virStreamEventAddCallback(rs->st, 0, remoteStreamEvent, remoteStreamRef(rs),
                                      remoteStreamUnref) < 0) {
            remoteStreamUnref(rs);
            remoteDispatchAPIError();
            remoteStreamFail(rs);
            remoteStreamUnref(rs);
            return;
        }
        rs->hasCallback = true;
        rs->events = 0;
    }
    remoteStreamProcess(rs, 0);
    remoteStreamUnref(rs);
}

/* The call message's free function: its reply is queued, the stream may start. */
static void
remoteStreamStart(void *opaque)
{
    RemoteStream *rs = opaque;

    int kick = g_atomic_int_get(&rs->kick);

    g_atomic_int_set(&rs->started, 1);
    if (kick >= 0)
        virEventUpdateTimeout(kick, 0);
    remoteStreamUnref(rs);
}

/* The client's STREAM packets (event-loop thread, rpcServerClientSetStreamFunc). */
static bool
remoteStreamIncoming(RpcServerClient *client, RpcMessage *msg, void *opaque)
{
    RemoteStreamList *list = opaque;
    RemoteStream *rs = remoteStreamListFind(list, &msg->header);

    if (!rs)
        return false;
    if (rs->closed || !rpcServerClientBeginCall(client)) {
        /* Late packets of a closed stream are dropped, as libvirtd does. */
        remoteStreamUnref(rs);
        rpcMessageFree(msg);
        return true;
    }
    g_queue_push_tail(&rs->rx, msg);
    remoteStreamProcess(rs, 0);
    remoteStreamUnref(rs);
    return true;
}

/*
 * Makes the RemoteStream for @st, opened by the call @call of @client
 * (a worker thread).  It starts pumping once the call's reply is queued.
 * Returns 0, or -1 with an error set (the caller aborts @st).
 */
int
remoteStreamAttach(RpcServerClient *client, const RpcMessage *call, virStreamPtr st)
{
    RemoteClient *rc = remoteDispatchClientGet(client);
    RemoteStreamList *list = remoteStreamListGet(rc);
    RemoteStream *rs = NULL;
    RpcMessage *callMsg = (RpcMessage *)call;

    if (!list)
        return -1;
    rs = g_new0(RemoteStream, 1);

    rs->refs = 1;
    rs->client = rpcServerClientRef(client);
    rs->list = list;
    virStreamRef(st);
    rs->st = st;
    rs->hdr = call->header;
    rs->txReady = 1;
    g_queue_init(&rs->rx);
    g_atomic_int_set(&rs->kick, virEventAddTimeout(-1, remoteStreamKick, remoteStreamRef(rs),
                                                   remoteStreamUnref));
    if (g_atomic_int_get(&rs->kick) < 0) {
        remoteStreamUnref(rs);
        remoteStreamUnref(rs);
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("cannot add a timer for the stream"));
        return -1;
    }

    /*
     * The worker frees the call packet right after queueing the reply:
     * that is when the stream may send its first packet.  (The call is
     * ours to annotate; the server only frees it.)  Its reference is taken
     * before the stream becomes visible: a client closing at once could
     * otherwise free it under our feet.
     */
    callMsg->freeFunc = remoteStreamStart;
    callMsg->freeOpaque = remoteStreamRef(rs);

    mutexLock(&list->lock);
    if (list->closed) {
        mutexUnlock(&list->lock);
        callMsg->freeFunc = NULL;
        callMsg->freeOpaque = NULL;
        remoteStreamUnref(rs);
        virEventRemoveTimeout(g_atomic_int_get(&rs->kick));
        remoteStreamUnref(rs);
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("client is closed"));
        return -1;
    }
    g_ptr_array_add(list->streams, rs); /* the list's reference */
    mutexUnlock(&list->lock);
    rpcServerClientSetStreamFunc(client, remoteStreamIncoming, list);
    return 0;
}

/* --- procedures ------------------------------------------------------------ */

/* A non-blocking stream on the client's connection, or NULL with the error set. */
virStreamPtr
remoteStreamNew(RpcServerClient *client)
{
    virConnectPtr conn = remoteDispatchClientGetConn(remoteDispatchClientGet(client));
    virStreamPtr st;

    if (!conn)
        return NULL;
    if (!(st = virStreamNew(conn, VIR_STREAM_NONBLOCK)))
        remoteDispatchAPIError();
    virConnectClose(conn);
    return st;
}

static int
remoteDispatchDomainOpenConsole(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_open_console_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    virStreamPtr st = NULL;
    int ret = -1;

    if (!dom || !(st = remoteStreamNew(client)))
        goto cleanup;
    if (virDomainOpenConsole(dom, args->dev_name ? *args->dev_name : NULL, st, args->flags) < 0) {
        remoteDispatchAPIError();
        goto cleanup;
    }
    if (remoteStreamAttach(client, call, st) < 0) {
        virStreamAbort(st);
        goto cleanup;
    }
    ret = 0;

 cleanup:
    if (st)
        virStreamFree(st);
    virResetLastError();
    return ret;
}

static int
remoteDispatchDomainScreenshot(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_screenshot_args *args = argsp;
    remote_domain_screenshot_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    virStreamPtr st = NULL;
    char *mime = NULL;
    int rc = -1;

    if (!dom || !(st = remoteStreamNew(client)))
        goto cleanup;
    if (!(mime = virDomainScreenshot(dom, st, args->screen, args->flags))) {
        remoteDispatchAPIError();
        goto cleanup;
    }
    if (remoteStreamAttach(client, call, st) < 0) {
        virStreamAbort(st);
        free(mime);
        goto cleanup;
    }
    ret->mime = g_new0(char *, 1);
    *ret->mime = g_strdup(mime);
    free(mime);
    rc = 0;

 cleanup:
    if (st)
        virStreamFree(st);
    virResetLastError();
    return rc;
}

const RpcServerProc remoteStreamProcs[] = {
    REMOTE_PROC_A(DOMAIN_OPEN_CONSOLE, domain_open_console, "virDomainOpenConsole",
                  remoteDispatchDomainOpenConsole, REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_SCREENSHOT, domain_screenshot, "virDomainScreenshot",
                   remoteDispatchDomainScreenshot, REMOTE_PROC_CHANGE),
};

const size_t remoteStreamProcsCount = G_N_ELEMENTS(remoteStreamProcs);
