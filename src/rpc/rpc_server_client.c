/* One connection of the RPC server: its socket, queues, call limit and keepalive. */
#define ERR_DOMAIN VIR_FROM_RPC

#include "rpc/rpc_server_client.h"
#include "rpc/rpc_keepalive.h"
#include "rpc/rpc_server_watch.h"
#include "rpc/rpc_tls.h"
#include "util/error.h"
#include "util/log.h"
#include "util/thread.h"

LOG_INIT("rpc.server_client");

/* Packets handled per wake-up before other clients get their turn. */
#define RPC_SERVER_CLIENT_READ_BURST 64
/*
 * Calls run inline per wake-up (each one is also a packet of the burst):
 * a client sending quick calls back to back holds the loop at most this
 * many calls before the other clients get their turn.
 */
#define RPC_SERVER_CLIENT_INLINE_BURST 8

/*
 * Threads (docs/daemon.md, src/rpc/README.md): the event-loop thread
 * reads the socket, decodes headers, answers keepalive, runs the quick
 * (inline) calls itself and queues the others to the workers; it alone
 * reads the socket and closes it.  Whoever finishes a call writes its
 * reply at once when the output queue was empty (under @lock);
 * otherwise, and for events, packets are queued (under @lock) and the
 * loop is asked to come by (rpcServerWakeClient), which flushes the queue
 * and re-evaluates what to watch.
 */
struct _RpcServerClient {
    gint refs;                /* atomic */
    unsigned long long id;    /* immutable */
    RpcServer *server;        /* immutable; outlives its clients */
    bool readonly;            /* immutable: accepted on a read-only socket */
    uid_t uid;                /* immutable: peer credentials (-1 unknown) */
    gid_t gid;                /* immutable */
    pid_t pid;                /* immutable */
    unsigned int maxRequests; /* immutable */
    size_t maxOutputBytes;    /* immutable */
    size_t maxOutputPackets;  /* immutable */
    int kaInterval;           /* immutable */
    unsigned int kaCount;     /* immutable */
    GMainContext *ctx;        /* immutable once attached */
    void *priv;               /* immutable once set */
    GDestroyNotify privFree;  /* immutable once set */

    Mutex lock;
    /*
     * Reading (the socket's reader) is event-loop thread only; the
     * pointer and the write queue are protected by @lock.  NULL once
     * closed.
     */
    RpcSocket *sock;
    bool closed;             /* protected by lock */
    bool wantClose;          /* protected by lock: close at the loop's next turn */
    bool draining;           /* protected by lock: server stopping, read no more */
    unsigned int nrequests;  /* protected by lock: calls queued or running */
    size_t outputPackets;    /* protected by lock: pushed since the queue was empty */
    RpcKeepalive *keepalive; /* protected by lock; NULL until started */
    GSource *kaTimer;        /* protected by lock */

    RpcServerClientStreamFunc streamFunc; /* protected by lock; see rpcServerClientSetStreamFunc */
    void *streamOpaque;                   /* protected by lock */

    GSource *watch;   /* event-loop thread only */
    bool handshaking; /* event-loop thread only: TLS handshake not finished */
    GSource *hsTimer; /* event-loop thread only: RPC_SERVER_TLS_HANDSHAKE_TIMEOUT */
    bool pendingWake; /* protected by the server's lock */
};

/**
 * rpcServerClientNew:
 * @srv: the server accepting the connection
 * @sock: the accepted socket (ownership taken)
 * @readonly: whether it came in on a read-only socket
 * @id: a number unique in the server, for logs
 * @cfg: the server's limits
 *
 * Returns: a client with one reference (the server's list).
 */
RpcServerClient *
rpcServerClientNew(RpcServer *srv, RpcSocket *sock, bool readonly, unsigned long long id,
                   const RpcServerConfig *cfg)
{
    RpcServerClient *client = g_new0(RpcServerClient, 1);

    client->refs = 1;
    client->id = id;
    client->server = srv;
    client->readonly = readonly;
    client->uid = (uid_t)-1;
    client->gid = (gid_t)-1;
    client->pid = (pid_t)-1;
    if (rpcSocketIsUnix(sock) &&
        rpcSocketGetPeerIdentity(sock, &client->uid, &client->gid, &client->pid) < 0)
        errorReset();
    client->maxRequests = MAX(cfg->maxClientRequests, 1);
    client->maxOutputBytes = cfg->maxClientOutputBytes;
    client->maxOutputPackets = cfg->maxClientOutputPackets;
    client->kaInterval = cfg->keepaliveInterval;
    client->kaCount = cfg->keepaliveCount;
    mutexInit(&client->lock);
    client->sock = sock;
    client->handshaking = rpcSocketGetTLS(sock) != NULL;
    return client;
}

/**
 * rpcServerClientRef:
 * @client: a client
 *
 * Returns: @client, with one more reference.
 */
RpcServerClient *
rpcServerClientRef(RpcServerClient *client)
{
    g_atomic_int_inc(&client->refs);
    return client;
}

/**
 * rpcServerClientUnref:
 * @client: a client, or NULL
 *
 * Drops a reference; the last one frees the private data (possibly on a
 * worker thread) and the client.
 */
void
rpcServerClientUnref(RpcServerClient *client)
{
    if (!client || !g_atomic_int_dec_and_test(&client->refs))
        return;
    if (client->privFree)
        client->privFree(client->priv);
    rpcSocketFree(client->sock);
    rpcKeepaliveFree(client->keepalive);
    mutexClear(&client->lock);
    g_free(client);
}

/**
 * rpcServerClientGetID:
 * @client: a client
 *
 * Returns: the client's number (unique in its server), for logs.
 */
unsigned long long
rpcServerClientGetID(const RpcServerClient *client)
{
    return client->id;
}

/**
 * rpcServerClientIsReadonly:
 * @client: a client
 *
 * Returns: true when the client connected to a read-only socket.
 */
bool
rpcServerClientIsReadonly(const RpcServerClient *client)
{
    return client->readonly;
}

/**
 * rpcServerClientGetPrivateData:
 * @client: a client
 *
 * Returns: the data the server's privNew hook made (owned by the client).
 */
void *
rpcServerClientGetPrivateData(const RpcServerClient *client)
{
    return client->priv;
}

/**
 * rpcServerClientSetPrivateData:
 * @client: a new client, not yet attached
 * @priv: the data
 * @privFree: frees @priv with the client, or NULL
 */
void
rpcServerClientSetPrivateData(RpcServerClient *client, void *priv, GDestroyNotify privFree)
{
    client->priv = priv;
    client->privFree = privFree;
}

/**
 * rpcServerClientGetIdentity:
 * @client: a client
 * @retUid: set to the peer's uid, or -1 when unknown (TCP)
 * @retGid: set to the peer's gid, or -1
 * @retPid: set to the peer's pid, or -1
 */
void
rpcServerClientGetIdentity(const RpcServerClient *client, uid_t *retUid, gid_t *retGid,
                           pid_t *retPid)
{
    *retUid = client->uid;
    *retGid = client->gid;
    *retPid = client->pid;
}

/* Must hold client->lock. */
static bool
rpcServerClientIsGoneLocked(RpcServerClient *client)
{
    return client->closed || client->wantClose;
}

/* Queues @msg; must hold client->lock.  Takes ownership of @msg. */
static void
rpcServerClientQueueLocked(RpcServerClient *client, RpcMessage *msg)
{
    size_t before;

    if (rpcServerClientIsGoneLocked(client)) {
        rpcMessageFree(msg);
        return;
    }
    before = rpcSocketQueuedBytes(client->sock);
    if (before == 0)
        client->outputPackets = 0;
    rpcSocketQueue(client->sock, msg);
    client->outputPackets++;

    /*
     * A client that does not read what it is sent would make the daemon
     * hold its replies and events without bound.  One packet (up to the
     * protocol's 32 MiB) always fits in an empty queue; beyond that the
     * queue is capped in bytes and in packets added while it never got
     * empty.
     */
    if (before > 0 && (rpcSocketQueuedBytes(client->sock) > client->maxOutputBytes ||
                       client->outputPackets > client->maxOutputPackets)) {
        LOG_WARN(
            "client %llu does not read its replies (%zu bytes, %zu packets queued), closing it",
            client->id, rpcSocketQueuedBytes(client->sock), client->outputPackets);
        client->wantClose = true;
    }
}

/**
 * rpcServerClientSendMessage:
 * @client: a client
 * @msg: an encoded packet (ownership taken)
 *
 * Queues @msg for the client from any thread; the event loop writes it.
 * A client that lets its queue grow past the server's limits is closed.
 *
 * Returns: 0 when queued, -1 (no error reported) when the client is
 * closed or closing and @msg was dropped.
 */
int
rpcServerClientSendMessage(RpcServerClient *client, RpcMessage *msg)
{
    bool gone;

    mutexLock(&client->lock);
    gone = rpcServerClientIsGoneLocked(client);
    rpcServerClientQueueLocked(client, msg);
    mutexUnlock(&client->lock);
    if (gone)
        return -1;
    rpcServerWakeClient(client->server, client);
    return 0;
}

/**
 * rpcServerClientSendError:
 * @client: a client
 * @call: header of the call that failed
 *
 * Replies to @call with the calling thread's error (src/util/error.h),
 * then clears that error.
 */
void
rpcServerClientSendError(RpcServerClient *client, const rpc_header *call)
{
    g_autoptr(RpcMessage) reply = rpcMessageNew();

    rpcMessageSetReplyHeader(reply, call, RPC_STATUS_ERROR);
    if (rpcMessageEncodeError(reply, NULL) < 0) {
        LOG_ERROR("cannot encode an error reply to client %llu: %s", client->id,
                  errorGetSlot()->message);
        errorReset();
        return;
    }
    errorReset();
    rpcServerClientSendMessage(client, g_steal_pointer(&reply));
}

/**
 * rpcServerClientBeginCall:
 * @client: a client
 *
 * Counts a call the loop is about to hand to a worker.
 *
 * Returns: false when the client is closing (the call is dropped).
 */
bool
rpcServerClientBeginCall(RpcServerClient *client)
{
    bool ok;

    mutexLock(&client->lock);
    ok = !rpcServerClientIsGoneLocked(client);
    if (ok)
        client->nrequests++;
    mutexUnlock(&client->lock);
    return ok;
}

/**
 * rpcServerClientEndCall:
 * @client: a client
 * @reply: the call's reply (ownership taken), or NULL
 *
 * Queues the reply of a finished call and lets the loop read the next
 * calls if the client was at its limit.
 */
void
rpcServerClientEndCall(RpcServerClient *client, RpcMessage *reply)
{
    bool wake;
    bool wasEmpty;

    mutexLock(&client->lock);
    wasEmpty = !rpcServerClientIsGoneLocked(client) && !rpcSocketHasOutput(client->sock);
    if (reply)
        rpcServerClientQueueLocked(client, reply);
    /* At the limit the loop stopped reading: it must resume. */
    wake = client->nrequests-- >= client->maxRequests;

    /*
     * The common case, a reply to a client whose queue was empty: write
     * it now, from this worker, instead of waking the event loop for it
     * (one thread hand-off less per call).  The lock serializes this with
     * the loop's own flushes; only the loop reads and closes the socket.
     */
    if (wasEmpty && !rpcServerClientIsGoneLocked(client)) {
        int rc = rpcSocketFlush(client->sock);

        if (rc < 0) {
            LOG_DEBUG("client %llu: %s; closing", client->id, errorGetSlot()->message);
            errorReset();
            client->wantClose = true;
        } else if (rc == 1) {
            client->outputPackets = 0;
        }
    }
    if (rpcServerClientIsGoneLocked(client) || rpcSocketHasOutput(client->sock) || client->draining)
        wake = true;
    mutexUnlock(&client->lock);
    if (wake)
        rpcServerWakeClient(client->server, client);
}

/**
 * rpcServerClientRequestClose:
 * @client: a client
 *
 * Asks the event loop to close the connection (from any thread).
 */
void
rpcServerClientRequestClose(RpcServerClient *client)
{
    mutexLock(&client->lock);
    client->wantClose = true;
    mutexUnlock(&client->lock);
    rpcServerWakeClient(client->server, client);
}

/**
 * rpcServerClientIsClosed:
 * @client: a client
 *
 * Returns: true once the connection is closed or about to be.
 */
bool
rpcServerClientIsClosed(RpcServerClient *client)
{
    bool ret;

    mutexLock(&client->lock);
    ret = rpcServerClientIsGoneLocked(client);
    mutexUnlock(&client->lock);
    return ret;
}

/**
 * rpcServerClientStopReading:
 * @client: a client
 *
 * Reads no more calls (the server is shutting down); queued replies are
 * still written.
 */
void
rpcServerClientStopReading(RpcServerClient *client)
{
    mutexLock(&client->lock);
    client->draining = true;
    mutexUnlock(&client->lock);
    rpcServerWakeClient(client->server, client);
}

/**
 * rpcServerClientIsQuiescent:
 * @client: a client
 *
 * Returns: true when no call of @client runs and its output is written
 * (or it is closed).
 */
bool
rpcServerClientIsQuiescent(RpcServerClient *client)
{
    bool ret;

    mutexLock(&client->lock);
    ret = client->nrequests == 0 &&
          (client->closed || client->wantClose || !rpcSocketHasOutput(client->sock));
    mutexUnlock(&client->lock);
    return ret;
}

/**
 * rpcServerClientPendingWake:
 * @client: a client
 *
 * Returns: the flag that keeps a client queued once in the server's list
 * of clients to visit; protected by the server's lock.
 */
bool *
rpcServerClientPendingWake(RpcServerClient *client)
{
    return &client->pendingWake;
}

/* --- keepalive ------------------------------------------------------------ */

static gboolean rpcServerClientKeepaliveTimer(gpointer opaque);

/* Arms the keepalive timer to fire at monotonic time @when; must hold lock. */
static void
rpcServerClientArmKeepaliveLocked(RpcServerClient *client, gint64 when)
{
    gint64 now = g_get_monotonic_time();
    guint ms = when > now ? (guint)((when - now + 999) / 1000) : 0;
    GSource *timer = g_timeout_source_new(ms);

    if (client->kaTimer) {
        g_source_destroy(client->kaTimer);
        g_source_unref(client->kaTimer);
    }
    g_source_set_callback(timer, rpcServerClientKeepaliveTimer, rpcServerClientRef(client),
                          (GDestroyNotify)rpcServerClientUnref);
    g_source_attach(timer, client->ctx);
    client->kaTimer = timer;
}

static gboolean
rpcServerClientKeepaliveTimer(gpointer opaque)
{
    RpcServerClient *client = opaque;
    RpcKeepaliveAction action;
    g_autoptr(RpcMessage) ping = NULL;
    gint64 next = 0;

    errorReset();
    mutexLock(&client->lock);
    if (client->closed || !client->keepalive) {
        mutexUnlock(&client->lock);
        return G_SOURCE_REMOVE;
    }
    /*
     * At its call limit the client is not read, so its PONGs would go
     * unseen: it is waiting for us, not silent.
     */
    if (client->nrequests >= client->maxRequests)
        rpcKeepaliveReceived(client->keepalive, g_get_monotonic_time());
    action = rpcKeepaliveCheck(client->keepalive, g_get_monotonic_time(), &next);
    switch (action) {
    case RPC_KEEPALIVE_DEAD:
        LOG_INFO("client %llu: connection closed due to keepalive timeout", client->id);
        client->wantClose = true;
        break;
    case RPC_KEEPALIVE_PING:
        if ((ping = rpcKeepaliveNewPing()))
            rpcServerClientQueueLocked(client, g_steal_pointer(&ping));
        else
            errorReset();
        G_GNUC_FALLTHROUGH;
    case RPC_KEEPALIVE_WAIT:
        /* Replaces (and so destroys) the source running now: return REMOVE. */
        rpcServerClientArmKeepaliveLocked(client, next);
        break;
    }
    mutexUnlock(&client->lock);
    rpcServerWakeClient(client->server, client);
    return G_SOURCE_REMOVE;
}

/**
 * rpcServerClientStartKeepalive:
 * @client: a client
 *
 * Starts pinging a silent client and closing it when it stays silent
 * (the client announced keepalive support with
 * CONNECT_SUPPORTS_FEATURE).  Does nothing when the server's interval is
 * not positive or keepalive already runs.  Any thread.
 */
void
rpcServerClientStartKeepalive(RpcServerClient *client)
{
    gint64 now = g_get_monotonic_time();
    gint64 next = 0;

    if (client->kaInterval <= 0)
        return;
    mutexLock(&client->lock);
    if (!client->keepalive && !rpcServerClientIsGoneLocked(client)) {
        client->keepalive = rpcKeepaliveNew(client->kaInterval, client->kaCount);
        rpcKeepaliveStart(client->keepalive, now);
        rpcKeepaliveCheck(client->keepalive, now, &next);
        rpcServerClientArmKeepaliveLocked(client, next);
        LOG_DEBUG("client %llu: keepalive every %d s, %u pings", client->id, client->kaInterval,
                  client->kaCount);
    }
    mutexUnlock(&client->lock);
}

/* --- event-loop side ------------------------------------------------------ */

/* Which conditions the watch needs now; must hold client->lock. */
static GIOCondition
rpcServerClientWantedLocked(RpcServerClient *client)
{
    GIOCondition cond = 0;

    if (rpcServerClientIsGoneLocked(client))
        return 0;
    if (client->handshaking)
        return rpcTLSSessionWantsWrite(rpcSocketGetTLS(client->sock)) ? G_IO_OUT : G_IO_IN;
    if (!client->draining && client->nrequests < client->maxRequests)
        cond |= G_IO_IN;
    else
        cond |= G_IO_HUP | G_IO_ERR; /* still notice a peer that went away */
    if (rpcSocketHasOutput(client->sock))
        cond |= G_IO_OUT;
    return cond;
}

/*
 * Handles one packet read from the client.  Event-loop thread.
 * Returns -1 when the connection must be closed, 1 when the packet was
 * a call that ran inline, 0 otherwise.
 */
static int
rpcServerClientHandlePacket(RpcServerClient *client, RpcMessage *msg)
{
    g_autoptr(RpcMessage) owned = msg;
    RpcMessage *reply = NULL;
    const rpc_header *hdr = &msg->header;

    mutexLock(&client->lock);
    if (client->keepalive)
        rpcKeepaliveReceived(client->keepalive, g_get_monotonic_time());
    mutexUnlock(&client->lock);

    if (rpcMessageCheckHeader(msg) < 0) {
        LOG_DEBUG("client %llu: %s; closing", client->id, errorGetSlot()->message);
        errorReset();
        return -1;
    }

    if (rpcKeepaliveIsMessage(msg)) {
        if (rpcKeepaliveHandleMessage(msg, &reply) < 0) {
            LOG_DEBUG("client %llu: %s, ignoring", client->id, errorGetSlot()->message);
            errorReset();
            return 0;
        }
        if (reply)
            rpcServerClientSendMessage(client, reply);
        return 0;
    }

    switch ((int)hdr->type) {
    case RPC_TYPE_CALL:
        return rpcServerDispatchCall(client->server, client, g_steal_pointer(&owned)) ? 1 : 0;
    case RPC_TYPE_CALL_WITH_FDS:
        /*
         * The descriptors would follow the packet as extra bytes that this
         * transport cannot take apart yet; we answer FD_PASSING with 0, so
         * a client sending this is broken.
         */
        LOG_DEBUG("client %llu: call %d with file descriptors, closing", client->id, hdr->proc);
        return -1;
    case RPC_TYPE_STREAM:
    case RPC_TYPE_STREAM_HOLE: {
        RpcServerClientStreamFunc func;
        void *opaque;

        mutexLock(&client->lock);
        func = client->streamFunc;
        opaque = client->streamOpaque;
        mutexUnlock(&client->lock);
        if (func && func(client, msg, opaque)) {
            g_steal_pointer(&owned);
            return 0;
        }
        /* No stream with that serial (maybe closed already): libvirt drops these. */
        LOG_DEBUG("client %llu: dropping %s packet prog 0x%x proc %d serial %u", client->id,
                  rpcMessageTypeToString(hdr->type), hdr->prog, hdr->proc, hdr->serial);
        return 0;
    }
    default:
        /* Replies, events and stream packets without an open stream: libvirt drops them. */
        LOG_DEBUG("client %llu: dropping %s packet prog 0x%x proc %d serial %u", client->id,
                  rpcMessageTypeToString(hdr->type), hdr->prog, hdr->proc, hdr->serial);
        return 0;
    }
}

/* Reads and handles the packets available now.  Event-loop thread. */
static void
rpcServerClientRead(RpcServerClient *client)
{
    size_t inlined = 0;
    size_t n;

    for (n = 0; n < RPC_SERVER_CLIENT_READ_BURST && inlined < RPC_SERVER_CLIENT_INLINE_BURST; n++) {
        RpcMessage *msg = NULL;
        RpcReaderStatus st;
        bool stop;

        mutexLock(&client->lock);
        stop = rpcServerClientIsGoneLocked(client) || client->draining ||
               client->nrequests >= client->maxRequests;
        mutexUnlock(&client->lock);
        if (stop)
            return;

        /* Only this thread reads, and only it frees the socket. */
        st = rpcSocketReceive(client->sock, &msg);
        switch (st) {
        case RPC_READER_AGAIN:
            return;
        case RPC_READER_EOF:
            LOG_DEBUG("client %llu: end of file", client->id);
            rpcServerClientRequestClose(client);
            return;
        case RPC_READER_ERROR:
            LOG_DEBUG("client %llu: %s; closing", client->id, errorGetSlot()->message);
            errorReset();
            rpcServerClientRequestClose(client);
            return;
        case RPC_READER_OK:
            switch (rpcServerClientHandlePacket(client, msg)) {
            case -1:
                rpcServerClientRequestClose(client);
                return;
            case 1:
                inlined++;
                break;
            default:
                break;
            }
            /* Spare the read(2) that would only say EAGAIN. */
            if (rpcSocketInputDrained(client->sock))
                return;
            break;
        }
    }
    /* More may be buffered: come back after the other clients. */
    rpcServerWakeClient(client->server, client);
}

/* Writes what the queue holds, without blocking.  Event-loop thread. */
static void
rpcServerClientFlush(RpcServerClient *client)
{
    int rc = 1;

    mutexLock(&client->lock);
    if (!client->closed && rpcSocketHasOutput(client->sock)) {
        rc = rpcSocketFlush(client->sock);
        if (rc == 1)
            client->outputPackets = 0;
    }
    mutexUnlock(&client->lock);
    if (rc < 0) {
        LOG_DEBUG("client %llu: %s; closing", client->id, errorGetSlot()->message);
        errorReset();
        rpcServerClientRequestClose(client);
    }
}

/*
 * Applies the state to the watch, or closes the client when that was
 * asked.  Event-loop thread.
 */
static void
rpcServerClientUpdate(RpcServerClient *client)
{
    GIOCondition cond;
    bool close;

    mutexLock(&client->lock);
    close = client->wantClose && !client->closed;
    cond = rpcServerClientWantedLocked(client);
    mutexUnlock(&client->lock);

    if (close) {
        rpcServerClientCloseNow(client);
        return;
    }
    if (client->watch)
        rpcServerWatchSetCondition(client->watch, cond);
}

/* Drops the handshake deadline (done, or the client is closing). Event-loop thread. */
static void
rpcServerClientStopHandshakeTimer(RpcServerClient *client)
{
    if (!client->hsTimer)
        return;
    g_source_destroy(client->hsTimer);
    g_source_unref(g_steal_pointer(&client->hsTimer));
}

/* A TLS client that did not finish its handshake in time is dropped. */
static gboolean
rpcServerClientHandshakeTimeout(gpointer opaque)
{
    RpcServerClient *client = opaque;

    if (client->handshaking) {
        LOG_DEBUG("client %llu: no TLS handshake within %d s; closing", client->id,
                  RPC_SERVER_TLS_HANDSHAKE_TIMEOUT);
        rpcServerClientRequestClose(client);
        rpcServerClientUpdate(client);
    }
    return G_SOURCE_REMOVE;
}

/*
 * Advances the TLS handshake of a new client; a failure (including a
 * client certificate that does not pass the checks) closes it without
 * affecting anyone else.  Event-loop thread.
 */
static void
rpcServerClientHandshake(RpcServerClient *client)
{
    bool closed;
    int rc;

    mutexLock(&client->lock);
    closed = rpcServerClientIsGoneLocked(client);
    mutexUnlock(&client->lock);
    if (closed)
        return;

    rc = rpcTLSSessionHandshake(rpcSocketGetTLS(client->sock));
    if (rc < 0) {
        /* Caused by the client: its business, logged at debug only. */
        LOG_DEBUG("client %llu: %s; closing", client->id, errorGetSlot()->message);
        errorReset();
        rpcServerClientRequestClose(client);
        return;
    }
    if (rc == 0)
        return;
    LOG_DEBUG("client %llu: TLS handshake done", client->id);
    client->handshaking = false;
    rpcServerClientStopHandshakeTimer(client);
    /* Bytes that came with the last handshake records are read now. */
    rpcServerClientRead(client);
}

static gboolean
rpcServerClientWatchEvent(int fd, GIOCondition cond, gpointer opaque)
{
    RpcServerClient *client = opaque;

    errorReset();
    if (client->handshaking) {
        if (cond & G_IO_NVAL)
            rpcServerClientRequestClose(client);
        else
            rpcServerClientHandshake(client);
        rpcServerClientUpdate(client);
        return G_SOURCE_CONTINUE;
    }
    if (cond & G_IO_OUT)
        rpcServerClientFlush(client);
    if ((cond & (G_IO_HUP | G_IO_ERR)) && !(cond & G_IO_IN)) {
        bool stalled;

        /*
         * Not reading (at its request limit, e.g. stream packets its sink
         * cannot take yet) and the peer is gone: nobody will take the
         * replies, and the requests may never end; close now.
         */
        mutexLock(&client->lock);
        stalled = client->draining || client->nrequests >= client->maxRequests;
        mutexUnlock(&client->lock);
        if (stalled) {
            LOG_DEBUG("client %llu hung up while not being read; closing", client->id);
            rpcServerClientRequestClose(client);
        }
    }
    if (cond & (G_IO_IN | G_IO_HUP | G_IO_ERR))
        rpcServerClientRead(client);
    if (cond & G_IO_NVAL)
        rpcServerClientRequestClose(client);
    rpcServerClientUpdate(client);
    return G_SOURCE_CONTINUE;
}

/**
 * rpcServerClientAttach:
 * @client: a new client
 * @ctx: the server's context
 *
 * Starts watching the client's socket.  Event-loop thread.
 */
void
rpcServerClientAttach(RpcServerClient *client, GMainContext *ctx)
{
    client->ctx = ctx;
    client->watch =
        rpcServerWatchNew(rpcSocketGetFD(client->sock), G_IO_IN, rpcServerClientWatchEvent,
                          rpcServerClientRef(client), (GDestroyNotify)rpcServerClientUnref);
    g_source_attach(client->watch, ctx);
    if (client->handshaking) {
        client->hsTimer = g_timeout_source_new_seconds(RPC_SERVER_TLS_HANDSHAKE_TIMEOUT);
        g_source_set_callback(client->hsTimer, rpcServerClientHandshakeTimeout,
                              rpcServerClientRef(client), (GDestroyNotify)rpcServerClientUnref);
        g_source_attach(client->hsTimer, ctx);
    }
}

/**
 * rpcServerClientProcess:
 * @client: a client the server was asked to visit
 *
 * Writes queued output, reads calls buffered or waiting if the client
 * is below its limit, then updates what the loop watches, or closes the
 * client if that was asked.  Event-loop thread.
 */
void
rpcServerClientProcess(RpcServerClient *client)
{
    bool closed;
    bool readMore;

    mutexLock(&client->lock);
    closed = client->closed;
    readMore = !rpcServerClientIsGoneLocked(client) && !client->draining &&
               client->nrequests < client->maxRequests && !client->handshaking;
    mutexUnlock(&client->lock);
    if (closed)
        return;

    rpcServerClientFlush(client);
    if (readMore)
        rpcServerClientRead(client);
    rpcServerClientUpdate(client);
}

/**
 * rpcServerClientCloseNow:
 * @client: a client
 *
 * Closes the connection: stops watching, closes the socket (dropping
 * unsent output), runs the server's privClose hook and removes the client
 * from the server.  Calls still running finish and their replies are
 * dropped.  Event-loop thread.
 */
void
rpcServerClientCloseNow(RpcServerClient *client)
{
    g_autoptr(RpcSocket) sock = NULL;
    GSource *timer = NULL;

    mutexLock(&client->lock);
    if (client->closed) {
        mutexUnlock(&client->lock);
        return;
    }
    client->closed = true;
    sock = g_steal_pointer(&client->sock);
    timer = g_steal_pointer(&client->kaTimer);
    mutexUnlock(&client->lock);

    LOG_DEBUG("client %llu: closed", client->id);
    rpcServerClientStopHandshakeTimer(client);
    if (client->watch) {
        g_source_destroy(client->watch);
        g_source_unref(g_steal_pointer(&client->watch));
    }
    if (timer) {
        g_source_destroy(timer);
        g_source_unref(timer);
    }
    rpcServerClientClosed(client->server, client);
}

/**
 * rpcServerClientSetStreamFunc:
 * @client: a client
 * @func: takes the client's STREAM and STREAM_HOLE packets, or NULL
 * @opaque: passed to @func
 *
 * Routes stream packets to the program's streams (src/remote/remote_stream.c).
 * @func runs on the event-loop thread and returns true when it took the
 * packet (ownership included); packets nobody takes are dropped.
 */
void
rpcServerClientSetStreamFunc(RpcServerClient *client, RpcServerClientStreamFunc func,
                             void *opaque)
{
    mutexLock(&client->lock);
    client->streamFunc = func;
    client->streamOpaque = opaque;
    mutexUnlock(&client->lock);
}
