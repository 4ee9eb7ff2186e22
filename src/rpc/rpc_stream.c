/* Client end of RPC streams: data, finish and abort packets under the serial of the opening call. */
#include <limits.h>
#include <string.h>

#define ERR_DOMAIN VIR_FROM_STREAMS

#include "rpc/rpc_stream.h"
#include "util/error.h"
#include "util/event.h"
#include "util/log.h"
#include "util/thread.h"

LOG_INIT("rpc.stream");

/*
 * Wire protocol (docs/internals/rpc.md, "Streams"): every packet is type
 * STREAM with the program, procedure and serial of the opening call.
 * CONTINUE carries raw data (empty: the sender's end of data); OK from
 * the client finishes, from the server confirms a finish or an abort;
 * ERROR from the client (empty) aborts, from the server carries a
 * remote_error.
 *
 * Flow control: the daemon has at most one data packet of a stream in
 * its output queue; a blocking sender here waits until its packet is
 * written, a non-blocking one backs off (-2) while the connection's
 * output queue holds more than RPC_STREAM_SEND_QUEUE_MAX bytes.
 */
#define RPC_STREAM_SEND_QUEUE_MAX (4 * RPC_MESSAGE_LEGACY_PAYLOAD_MAX)

/* VIR_STREAM_EVENT_* (the rpc layer does not include the public headers' enum users). */
#define STREAM_EV_READABLE (1 << 0)
#define STREAM_EV_WRITABLE (1 << 1)
#define STREAM_EV_ERROR (1 << 2)
#define STREAM_EV_HANGUP (1 << 3)

struct _RpcClientStream {
    gint refs;                /* atomic */
    RpcClient *client;        /* immutable, referenced */
    unsigned int prog;        /* immutable */
    unsigned int vers;        /* immutable */
    int proc;                 /* immutable */

    Mutex lock;
    unsigned int serial;      /* protected by lock; set by rpcClientStreamCall */
    bool registered;          /* protected by lock: in the client's list */
    GQueue rx;                /* RpcMessage * data packets; protected by lock */
    bool incomingEOF;         /* protected by lock: empty CONTINUE received */
    bool gotConfirm;          /* protected by lock: the server's OK */
    bool gotError;            /* protected by lock: the server's ERROR, or the connection closed */
    virError err;             /* protected by lock: that error */
    bool localEnd;            /* protected by lock: finish or abort sent */

    RpcClientStreamEventFunc evFunc; /* protected by lock; NULL without a callback */
    void *evOpaque;                  /* protected by lock */
    GDestroyNotify evFree;           /* protected by lock */
    void *evDoomed;                  /* protected by lock: opaque to free after the running dispatch */
    GDestroyNotify evDoomedFree;     /* protected by lock */
    int evEvents;                    /* protected by lock */
    int evTimer;                     /* protected by lock; -1 when none */
    bool evDispatching;              /* protected by lock */
};

RpcClientStream *
rpcClientStreamNew(RpcClient *client, unsigned int prog, unsigned int vers, int proc)
{
    RpcClientStream *st = g_new0(RpcClientStream, 1);

    st->refs = 1;
    st->client = rpcClientRef(client);
    st->prog = prog;
    st->vers = vers;
    st->proc = proc;
    st->evTimer = -1;
    mutexInit(&st->lock);
    g_queue_init(&st->rx);
    return st;
}

RpcClientStream *
rpcClientStreamRef(RpcClientStream *st)
{
    g_atomic_int_inc(&st->refs);
    return st;
}

void
rpcClientStreamUnref(RpcClientStream *st)
{
    if (!st || !g_atomic_int_dec_and_test(&st->refs))
        return;
    g_queue_clear_full(&st->rx, (GDestroyNotify)rpcMessageFree);
    errorClear(&st->err);
    rpcClientUnref(st->client);
    mutexClear(&st->lock);
    g_free(st);
}

/* --- events ------------------------------------------------------------- */

/* Conditions that hold now, among the wanted ones.  Must hold st->lock. */
static int
rpcClientStreamEventsLocked(RpcClientStream *st)
{
    int events = 0;

    if ((st->evEvents & STREAM_EV_READABLE) &&
        (!g_queue_is_empty(&st->rx) || st->incomingEOF || st->gotConfirm))
        events |= STREAM_EV_READABLE;
    if ((st->evEvents & STREAM_EV_WRITABLE) && !st->gotError)
        events |= STREAM_EV_WRITABLE;
    if (st->gotError) {
        /* The application learns the error from its next Recv/Send. */
        events |= STREAM_EV_ERROR | (st->evEvents & STREAM_EV_READABLE);
    }
    return events;
}

/* Arms the timer when a condition holds.  Must hold st->lock. */
static void
rpcClientStreamEventUpdateLocked(RpcClientStream *st)
{
    if (st->evTimer < 0 || st->evDispatching)
        return;
    eventUpdateTimeout(st->evTimer, rpcClientStreamEventsLocked(st) ? 0 : -1);
}

static void
rpcClientStreamEventTimer(int timer G_GNUC_UNUSED, void *opaque)
{
    RpcClientStream *st = opaque;
    RpcClientStreamEventFunc func;
    void *fopaque;
    void *doomed = NULL;
    GDestroyNotify doomedFree = NULL;
    int events;

    mutexLock(&st->lock);
    events = rpcClientStreamEventsLocked(st);
    func = st->evFunc;
    fopaque = st->evOpaque;
    if (!func || !events) {
        if (st->evTimer >= 0)
            eventUpdateTimeout(st->evTimer, -1);
        mutexUnlock(&st->lock);
        return;
    }
    st->evDispatching = true;
    mutexUnlock(&st->lock);

    func(st, events, fopaque);

    mutexLock(&st->lock);
    st->evDispatching = false;
    doomed = g_steal_pointer(&st->evDoomed);
    doomedFree = g_steal_pointer(&st->evDoomedFree);
    rpcClientStreamEventUpdateLocked(st);
    mutexUnlock(&st->lock);
    if (doomedFree)
        doomedFree(doomed);
}

int
rpcClientStreamSetEventCallback(RpcClientStream *st, int events, RpcClientStreamEventFunc func,
                                void *opaque, GDestroyNotify freeFunc)
{
    int ret = -1;

    mutexLock(&st->lock);
    if (st->evFunc) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("stream already has a callback registered"));
        goto cleanup;
    }
    if (!eventHaveImpl()) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                    _("stream callbacks need an event loop implementation"));
        goto cleanup;
    }
    st->evTimer = eventAddTimeout(-1, rpcClientStreamEventTimer, rpcClientStreamRef(st),
                                  (virFreeCallback)rpcClientStreamUnref);
    if (st->evTimer < 0) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("cannot add a timer for the stream"));
        goto cleanup;
    }
    st->evFunc = func;
    st->evOpaque = opaque;
    st->evFree = freeFunc;
    st->evEvents = events;
    rpcClientStreamEventUpdateLocked(st);
    ret = 0;

 cleanup:
    mutexUnlock(&st->lock);
    return ret;
}

int
rpcClientStreamUpdateEventCallback(RpcClientStream *st, int events)
{
    int ret = -1;

    mutexLock(&st->lock);
    if (!st->evFunc) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("stream does not have a callback registered"));
    } else {
        st->evEvents = events;
        rpcClientStreamEventUpdateLocked(st);
        ret = 0;
    }
    mutexUnlock(&st->lock);
    return ret;
}

void
rpcClientStreamRemoveEventCallback(RpcClientStream *st)
{
    void *opaque;
    GDestroyNotify freeFunc;

    mutexLock(&st->lock);
    if (st->evTimer >= 0)
        eventRemoveTimeout(st->evTimer);
    st->evTimer = -1;
    st->evFunc = NULL;
    opaque = g_steal_pointer(&st->evOpaque);
    freeFunc = g_steal_pointer(&st->evFree);
    st->evEvents = 0;
    if (st->evDispatching && freeFunc) {
        /* The running callback still uses @opaque: its dispatcher frees it. */
        st->evDoomed = opaque;
        st->evDoomedFree = freeFunc;
        freeFunc = NULL;
    }
    mutexUnlock(&st->lock);
    if (freeFunc)
        freeFunc(opaque);
}

/* --- packets from rpc_client.c (client lock held) ------------------------- */

bool
rpcClientStreamMatches(RpcClientStream *st, const rpc_header *hdr)
{
    bool ret;

    mutexLock(&st->lock);
    ret = st->registered && hdr->prog == st->prog && hdr->vers == st->vers &&
          hdr->proc == st->proc && hdr->serial == st->serial;
    mutexUnlock(&st->lock);
    return ret;
}

/* Records @err (or the generic "stream closed" one) as the stream's failure.  Must hold st->lock. */
static void
rpcClientStreamSetErrorLocked(RpcClientStream *st, const virError *err)
{
    if (st->gotError)
        return;
    st->gotError = true;
    errorCopy(err, &st->err);
}

void
rpcClientStreamDispatchLocked(RpcClient *client, RpcMessage *msg)
{
    RpcClientStream *st = rpcClientFindStreamLocked(client, &msg->header);
    size_t len = 0;

    if (!st) {
        LOG_DEBUG("no stream for %s packet proc %d serial %u, dropping",
                  rpcMessageTypeToString(msg->header.type), msg->header.proc,
                  msg->header.serial);
        rpcMessageFree(msg);
        return;
    }

    mutexLock(&st->lock);
    if (msg->header.type == RPC_TYPE_STREAM_HOLE) {
        virError err = {0};

        /* We never announce sparse streams: a hole is a protocol error. */
        err.code = VIR_ERR_RPC;
        err.domain = VIR_FROM_RPC;
        err.level = VIR_ERR_ERROR;
        err.message = errorFormatMessage(VIR_ERR_RPC, _("Unexpected stream hole"));
        rpcClientStreamSetErrorLocked(st, &err);
        errorClear(&err);
        rpcMessageFree(msg);
    } else {
        switch ((rpc_status)msg->header.status) {
        case RPC_STATUS_CONTINUE:
            rpcMessageGetPayload(msg, &len);
            if (len == 0) {
                st->incomingEOF = true;
                rpcMessageFree(msg);
            } else {
                g_queue_push_tail(&st->rx, msg);
            }
            break;
        case RPC_STATUS_OK:
            st->gotConfirm = true;
            rpcMessageFree(msg);
            break;
        case RPC_STATUS_ERROR:
        default: {
            virError err = {0};

            if (rpcMessageDecodeError(msg, &err) < 0) {
                errorCopy(errorGetSlot(), &err);
                errorReset();
            }
            rpcClientStreamSetErrorLocked(st, &err);
            errorClear(&err);
            rpcMessageFree(msg);
            break;
        }
        }
    }
    rpcClientStreamEventUpdateLocked(st);
    mutexUnlock(&st->lock);
    rpcClientWakeStreamWaitersLocked(client, RPC_CLIENT_WAKE_ALL_STREAM_WAITERS);
}

void
rpcClientStreamClosedLocked(gpointer data, gpointer errp)
{
    RpcClientStream *st = data;

    mutexLock(&st->lock);
    rpcClientStreamSetErrorLocked(st, errp);
    rpcClientStreamEventUpdateLocked(st);
    mutexUnlock(&st->lock);
}

/* --- application side ------------------------------------------------------ */

/**
 * rpcClientStreamCall:
 * @st: a new stream
 * @argsFilter, @args, @retFilter, @ret: the opening call, as rpcClientCall
 *
 * Makes the call that opens the stream; packets that arrive right after
 * its reply already reach the stream.
 *
 * Returns: 0 (the stream is open), or -1 with the error.
 */
int
rpcClientStreamCall(RpcClientStream *st, xdrproc_t argsFilter, const void *args,
                    xdrproc_t retFilter, void *ret)
{
    unsigned int serial = rpcClientNewSerial(st->client);

    mutexLock(&st->lock);
    st->serial = serial;
    st->registered = true;
    mutexUnlock(&st->lock);
    if (rpcClientAddStream(st->client, st) < 0)
        return -1;
    if (rpcClientCallSerial(st->client, serial, st->prog, st->vers, st->proc, argsFilter, args,
                            retFilter, ret) < 0) {
        rpcClientStreamRelease(st);
        return -1;
    }
    return 0;
}

/* Reports the stream's failure, if any.  Must hold st->lock.  Returns -1 when reported. */
static int
rpcClientStreamCheckLocked(RpcClientStream *st)
{
    if (st->gotError) {
        errorSetFromCopy(&st->err);
        return -1;
    }
    if (st->localEnd) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("stream is not open"));
        return -1;
    }
    return 0;
}

static RpcMessage *
rpcClientStreamPacket(RpcClientStream *st, rpc_status status, const char *data, size_t len)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();
    unsigned int serial;

    mutexLock(&st->lock);
    serial = st->serial;
    mutexUnlock(&st->lock);
    rpcMessageSetHeader(msg, st->prog, st->vers, st->proc, RPC_TYPE_STREAM, serial, status);
    if (rpcMessageEncodeRaw(msg, data, len) < 0)
        return NULL;
    return g_steal_pointer(&msg);
}

/**
 * rpcClientStreamSend:
 * @st: an open stream
 * @data: bytes
 * @nbytes: their number (one packet takes at most 262120)
 * @nonblock: return -2 instead of waiting
 *
 * Returns: the bytes sent, -2, or -1 with an error.
 */
int
rpcClientStreamSend(RpcClientStream *st, const char *data, size_t nbytes, bool nonblock)
{
    RpcMessage *msg = NULL;
    int rc;

    mutexLock(&st->lock);
    rc = rpcClientStreamCheckLocked(st);
    mutexUnlock(&st->lock);
    if (rc < 0)
        return -1;
    if (nbytes == 0)
        return 0;
    if (nonblock && rpcClientQueuedBytes(st->client) > RPC_STREAM_SEND_QUEUE_MAX) {
        rpcClientPoke(st->client);
        if (rpcClientQueuedBytes(st->client) > RPC_STREAM_SEND_QUEUE_MAX)
            return -2;
    }
    nbytes = MIN(nbytes, RPC_MESSAGE_LEGACY_PAYLOAD_MAX);
    /* The payload goes from @data to the socket, not through a packet copy. */
    if (!(msg = rpcClientStreamPacket(st, RPC_STATUS_CONTINUE, NULL, 0)) ||
        rpcMessageEncodeRawHeader(msg, nbytes) < 0) {
        rpcMessageFree(msg);
        return -1;
    }
    if (rpcClientSendData(st->client, msg, data, nbytes, nonblock) < 0)
        return -1;
    return (int)nbytes;
}

static bool
rpcClientStreamHasInput(void *opaque)
{
    RpcClientStream *st = opaque;
    bool ret;

    mutexLock(&st->lock);
    ret = !g_queue_is_empty(&st->rx) || st->incomingEOF || st->gotConfirm || st->gotError;
    mutexUnlock(&st->lock);
    return ret;
}

/* Copies queued data into @data.  Must hold st->lock.  Returns the count (> 0) or 0 if none. */
static size_t
rpcClientStreamTakeLocked(RpcClientStream *st, char *data, size_t nbytes)
{
    size_t got = 0;

    while (got < nbytes && !g_queue_is_empty(&st->rx)) {
        RpcMessage *msg = g_queue_peek_head(&st->rx);
        size_t len = 0;
        const uint8_t *payload = rpcMessageGetPayload(msg, &len);
        size_t n = MIN(len, nbytes - got);

        memcpy(data + got, payload, n);
        got += n;
        msg->bufferOffset += n;
        if (n == len)
            rpcMessageFree(g_queue_pop_head(&st->rx));
    }
    return got;
}

/**
 * rpcClientStreamRecv:
 * @st: an open stream
 * @data: where to store bytes
 * @nbytes: room
 * @nonblock: return -2 instead of waiting
 *
 * Returns: the bytes received, 0 at the end of the data, -2, or -1 with an error.
 */
int
rpcClientStreamRecv(RpcClientStream *st, char *data, size_t nbytes, bool nonblock)
{
    bool poked = false;

    if (nbytes > INT_MAX)
        nbytes = INT_MAX;
    for (;;) {
        size_t got;

        mutexLock(&st->lock);
        if (st->localEnd) {
            mutexUnlock(&st->lock);
            reportError(VIR_ERR_OPERATION_INVALID, "%s", _("stream is not open"));
            return -1;
        }
        if ((got = rpcClientStreamTakeLocked(st, data, nbytes)) > 0 || nbytes == 0) {
            rpcClientStreamEventUpdateLocked(st);
            mutexUnlock(&st->lock);
            return (int)got;
        }
        if (st->gotError) {
            errorSetFromCopy(&st->err);
            mutexUnlock(&st->lock);
            return -1;
        }
        if (st->incomingEOF || st->gotConfirm) {
            mutexUnlock(&st->lock);
            return 0;
        }
        mutexUnlock(&st->lock);

        if (nonblock) {
            if (poked)
                return -2;
            rpcClientPoke(st->client);
            poked = true;
            continue;
        }
        if (rpcClientWaitStream(st->client, rpcClientStreamHasInput, st) < 0) {
            /*
             * The connection closed: rpcClientStreamClosedLocked recorded
             * it for a registered stream; record it here otherwise, so
             * that the next round reports it instead of waiting again.
             */
            mutexLock(&st->lock);
            rpcClientStreamSetErrorLocked(st, errorGetSlot());
            mutexUnlock(&st->lock);
            errorReset();
        }
    }
}

static bool
rpcClientStreamHasAnswer(void *opaque)
{
    RpcClientStream *st = opaque;
    bool ret;

    mutexLock(&st->lock);
    ret = st->gotConfirm || st->gotError;
    mutexUnlock(&st->lock);
    return ret;
}

/* Sends finish (OK) or abort (ERROR) and waits for the daemon's answer. */
static int
rpcClientStreamEnd(RpcClientStream *st, rpc_status status)
{
    RpcMessage *msg = NULL;
    int ret = -1;

    mutexLock(&st->lock);
    if (st->localEnd) {
        mutexUnlock(&st->lock);
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("stream is not open"));
        return -1;
    }
    st->localEnd = true;
    if (st->gotError && status == RPC_STATUS_OK) {
        /* The daemon failed the stream already: that is the finish's answer. */
        errorSetFromCopy(&st->err);
        mutexUnlock(&st->lock);
        goto cleanup;
    }
    if (st->gotError) {
        /* Nothing left to abort on the other side. */
        mutexUnlock(&st->lock);
        ret = 0;
        goto cleanup;
    }
    /* A confirmation seen before ours was sent belongs to nobody: forget it. */
    st->gotConfirm = false;
    mutexUnlock(&st->lock);

    if (!(msg = rpcClientStreamPacket(st, status, NULL, 0)) ||
        rpcClientSendPacket(st->client, msg, false) < 0 ||
        rpcClientWaitStream(st->client, rpcClientStreamHasAnswer, st) < 0) {
        if (status == RPC_STATUS_ERROR) {
            /* The connection is gone, and with it the stream. */
            errorReset();
            ret = 0;
        }
        goto cleanup;
    }
    mutexLock(&st->lock);
    if (st->gotError && !st->gotConfirm) {
        errorSetFromCopy(&st->err);
    } else {
        ret = 0;
    }
    mutexUnlock(&st->lock);

 cleanup:
    rpcClientStreamRelease(st);
    return ret;
}

/**
 * rpcClientStreamFinish:
 * @st: an open stream
 *
 * Ends the stream normally; the daemon's error, if it had one, is reported.
 *
 * Returns: 0, or -1 with the error.
 */
int
rpcClientStreamFinish(RpcClientStream *st)
{
    return rpcClientStreamEnd(st, RPC_STATUS_OK);
}

/**
 * rpcClientStreamAbort:
 * @st: an open stream
 *
 * Ends the stream early.
 *
 * Returns: 0, or -1 with an error.
 */
int
rpcClientStreamAbort(RpcClientStream *st)
{
    return rpcClientStreamEnd(st, RPC_STATUS_ERROR);
}

/**
 * rpcClientStreamRelease:
 * @st: a stream
 *
 * Unregisters @st from its client (packets for it are dropped from now
 * on) and removes its event callback.  Idempotent.
 */
void
rpcClientStreamRelease(RpcClientStream *st)
{
    bool registered;

    rpcClientStreamRemoveEventCallback(st);
    mutexLock(&st->lock);
    registered = st->registered;
    st->registered = false;
    mutexUnlock(&st->lock);
    if (registered)
        rpcClientRemoveStream(st->client, st);
}
