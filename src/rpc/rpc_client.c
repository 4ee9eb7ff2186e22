/* Client end of an RPC connection: concurrent calls, replies in any order, events, keepalive. */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_RPC

#include "rpc/rpc_client.h"
#include "rpc/rpc_keepalive.h"
#include "rpc/rpc_stream.h"
#include "rpc/rpc_tls.h"
#include "util/error.h"
#include "util/event.h"
#include "util/log.h"
#include "util/thread.h"

LOG_INIT("rpc.client");

/*
 * I/O model ("the calling thread does the I/O"; docs/internals/rpc.md):
 *
 * - A call encodes its packet, queues it and then waits for its reply.
 *   The first waiting thread becomes the I/O owner: it alone polls the
 *   socket (without the lock), writes the queue, reads packets and hands
 *   each reply to the call with its serial, waking that call's thread.
 *   When its own reply arrives it passes the duty to another waiting call
 *   (if any) and returns.  A single-threaded caller thus does its own
 *   write + poll + read with no thread switch.
 * - A call made while another thread owns the I/O writes its packet at
 *   once when the socket takes it (else it wakes the owner through an
 *   eventfd so that it polls for writability) and sleeps on its own
 *   condition.
 * - When no call is in flight and the application registered an event
 *   loop, a loop watch on the socket reads events, answers PINGs and
 *   notices a peer that went away; the watch is disabled while a thread
 *   owns the I/O.  Without a loop, what arrives meanwhile is read by the
 *   next call.
 * - Keepalive (only with an event loop, as libvirt): a loop timer, or
 *   the owner's poll timeout while a call is in flight, runs
 *   rpcKeepaliveCheck.
 * - Closing (EOF, I/O error, keepalive timeout, protocol error) fails
 *   every pending call with the cause; later calls fail with "client
 *   socket is closed"; the close callback runs once, unlocked, on the
 *   thread that noticed.
 */

typedef struct {
    rpc_header header;          /* immutable: what the reply must match */
    Cond cond;                 /* signalled when done, or to hand over the I/O */
    bool done;                  /* protected by client->lock */
    RpcMessage *reply;          /* protected by client->lock; NULL if failed */
    virError error;             /* protected by client->lock; the failure */
    int streamWaiter;           /* immutable: RPC_CLIENT_WAIT_*, 0 for a call */
} RpcClientCall;

/* What a stream's wait (an RpcClientCall without a packet) waits for. */
enum {
    RPC_CLIENT_WAIT_PACKET = 1, /* a stream packet (or the end of the connection) */
    RPC_CLIENT_WAIT_DRAIN = 2,  /* the output queue written out */
};

struct _RpcClient {
    gint refs;                      /* atomic */
    Mutex lock;
    RpcSocket *sock;                /* immutable pointer; used under lock */
    int fd;                         /* immutable: the socket's descriptor */
    int wakeFD;                     /* immutable: eventfd waking the I/O owner */
    bool local;                     /* immutable: a unix socket */
    bool encrypted;                 /* immutable: TLS */
    gint nextSerial;                /* atomic: serial of the next call */

    bool closed;                    /* protected by lock */
    int closeReason;                /* protected by lock */
    virError closeError;            /* protected by lock */
    gint closePending;              /* atomic: the close callback is due */

    GQueue calls;                   /* RpcClientCall *; protected by lock */
    bool haveOwner;                 /* protected by lock */
    RpcClientCall *ownerCall;       /* protected by lock: the owner's own call */

    int watch;                      /* protected by lock; -1 when none */
    int watchEvents;                /* protected by lock */

    RpcKeepalive *ka;               /* protected by lock; NULL when off */
    int kaTimer;                    /* protected by lock; -1 when none */
    gint64 kaNext;                  /* protected by lock: next check, monotonic */

    RpcClientMessageFunc msgFunc;   /* protected by lock */
    void *msgOpaque;                /* protected by lock */
    RpcClientCloseFunc closeFunc;   /* protected by lock */
    void *closeOpaque;              /* protected by lock */
    GDestroyNotify closeFree;       /* protected by lock */

    GPtrArray *streams;             /* RpcClientStream *; protected by lock (rpc_stream.c) */
    unsigned int streamWaiters;     /* protected by lock: stream waits in @calls */
    unsigned int drainWaiters;      /* protected by lock: those of them for RPC_CLIENT_WAIT_DRAIN */
    unsigned int selfFlushers;      /* protected by lock: senders writing the queue themselves */
};

static void rpcClientWatchCallback(int watch, int fd, int events, void *opaque);

/* --- lifetime --------------------------------------------------------- */

/**
 * rpcClientNewSocket:
 * @sock: a connected socket; ownership is taken, also on failure
 *
 * Wraps @sock in a client.  When an event loop implementation is
 * registered, the socket is watched by it while no call is in flight.
 *
 * Returns: the client (caller owns one reference; call rpcClientClose
 * before dropping it), or NULL with an error reported.
 */
RpcClient *
rpcClientNewSocket(RpcSocket *sock)
{
    RpcClient *client = NULL;
    int wakeFD = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

    if (wakeFD < 0) {
        reportSystemError(errno, "%s", _("cannot create an eventfd"));
        rpcSocketFree(sock);
        return NULL;
    }

    client = g_new0(RpcClient, 1);
    client->refs = 1;
    mutexInit(&client->lock);
    client->sock = sock;
    client->fd = rpcSocketGetFD(sock);
    client->local = rpcSocketIsUnix(sock);
    client->encrypted = rpcSocketGetTLS(sock) != NULL;
    client->wakeFD = wakeFD;
    client->watch = -1;
    client->kaTimer = -1;
    g_queue_init(&client->calls);
    client->streams = g_ptr_array_new();

    if (eventHaveImpl()) {
        /*
         * The loop thread may run the watch callback (which reads
         * client->watch under the lock) as soon as the handle exists.
         */
        mutexLock(&client->lock);
        client->watchEvents = VIR_EVENT_HANDLE_READABLE;
        client->watch = eventAddHandle(client->fd, client->watchEvents,
                                       rpcClientWatchCallback,
                                       rpcClientRef(client),
                                       (virFreeCallback)rpcClientUnref);
        if (client->watch < 0) {
            LOG_DEBUG("no event loop watch for fd %d", client->fd);
            client->watchEvents = 0;
            mutexUnlock(&client->lock);
            rpcClientUnref(client);
        } else {
            mutexUnlock(&client->lock);
        }
    }
    LOG_DEBUG("client %p on fd %d (watch %d)", (void *)client, client->fd,
              client->watch);
    return client;
}

/**
 * rpcClientNewUnix:
 * @path: filesystem path of the daemon's unix socket
 *
 * Connects to @path.  Errors are worded as libvirt's ("Failed to connect
 * socket to '...'", VIR_ERR_SYSTEM_ERROR with the errno).
 *
 * Returns: the client (caller owns), or NULL with an error reported.
 */
RpcClient *
rpcClientNewUnix(const char *path)
{
    struct sockaddr_un addr = {0};
    RpcSocket *sock = NULL;
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        reportError(VIR_ERR_INTERNAL_ERROR,
                    _("UNIX socket path '%1$s' too long"), path);
        return NULL;
    }
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, path, strlen(path));

    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        reportSystemError(errno, "%s", _("Failed to create socket"));
        return NULL;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int saved = errno;

        close(fd);
        reportSystemError(saved, _("Failed to connect socket to '%1$s'"),
                          path);
        return NULL;
    }
    if (!(sock = rpcSocketNewFromFD(fd)))
        return NULL;
    return rpcClientNewSocket(sock);
}

/* Connects a TCP socket to @host:@port; returns the fd or -1 with an error reported. */
static int
rpcClientConnectTCP(const char *host, const char *port)
{
    struct addrinfo hints = {0};
    struct addrinfo *ai = NULL;
    struct addrinfo *cur;
    int savedErrno = ECONNREFUSED;
    int fd = -1;
    int rc;

    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
        reportError(VIR_ERR_SYSTEM_ERROR,
                    _("unable to resolve hostname '%1$s': %2$s"), host,
                    gai_strerror(rc));
        return -1;
    }
    for (cur = ai; cur; cur = cur->ai_next) {
        fd = socket(cur->ai_family, cur->ai_socktype | SOCK_CLOEXEC,
                    cur->ai_protocol);
        if (fd < 0) {
            savedErrno = errno;
            continue;
        }
        if (connect(fd, cur->ai_addr, cur->ai_addrlen) == 0)
            break;
        savedErrno = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        reportSystemError(savedErrno,
                          _("unable to connect to server at '%1$s:%2$s'"),
                          host, port);
        return -1;
    }
    return fd;
}

/**
 * rpcClientNewTCP:
 * @host: host name or address
 * @port: port number or service name
 *
 * Connects to the first address of @host that accepts.
 *
 * Returns: the client (caller owns), or NULL with an error reported.
 */
RpcClient *
rpcClientNewTCP(const char *host, const char *port)
{
    RpcSocket *sock = NULL;
    int fd = rpcClientConnectTCP(host, port);

    if (fd < 0)
        return NULL;
    if (!(sock = rpcSocketNewFromFD(fd)))
        return NULL;
    return rpcClientNewSocket(sock);
}

/**
 * rpcClientNewTLS:
 * @host: host name or address; the server's certificate must name it
 *        (unless @tls does not verify)
 * @port: port number or service name
 * @tls: the client's credentials
 *
 * Connects to @host and completes the TLS handshake, the check of the
 * server's certificate and libvirt's confirmation byte (the server's
 * verdict on our certificate) before returning, in the calling thread.
 *
 * Returns: the client (caller owns), or NULL with an error reported.
 */
RpcClient *
rpcClientNewTLS(const char *host, const char *port, RpcTLSContext *tls)
{
    g_autoptr(RpcSocket) sock = NULL;
    RpcTLSSession *sess = NULL;
    int fd = rpcClientConnectTCP(host, port);
    int rc;

    if (fd < 0)
        return NULL;
    if (!(sock = rpcSocketNewFromFD(fd)))
        return NULL;
    if (!(sess = rpcTLSSessionNew(tls, rpcSocketGetFD(sock), host)))
        return NULL;
    rpcSocketSetTLS(sock, sess);
    while ((rc = rpcTLSSessionHandshake(sess)) == 0) {
        if (rpcSocketWait(sock, rpcTLSSessionWantsWrite(sess), -1) < 0)
            return NULL;
    }
    if (rc < 0)
        return NULL;
    return rpcClientNewSocket(g_steal_pointer(&sock));
}

/**
 * rpcClientRef:
 * @client: a client
 *
 * Returns: @client with one more reference.
 */
RpcClient *
rpcClientRef(RpcClient *client)
{
    g_atomic_int_inc(&client->refs);
    return client;
}

/**
 * rpcClientUnref:
 * @client: a client, or NULL
 *
 * Drops a reference; the last one frees the client.  The event loop's
 * watch and timer hold references of their own until rpcClientClose (or
 * a failure) removes them, so the owner must close the client before
 * dropping its reference.
 */
void
rpcClientUnref(RpcClient *client)
{
    if (!client || !g_atomic_int_dec_and_test(&client->refs))
        return;
    LOG_DEBUG("freeing client %p", (void *)client);
    if (client->closeFree)
        client->closeFree(client->closeOpaque);
    rpcKeepaliveFree(client->ka);
    errorClear(&client->closeError);
    rpcSocketFree(client->sock);
    g_ptr_array_unref(client->streams);
    close(client->wakeFD);
    mutexClear(&client->lock);
    g_free(client);
}

/**
 * rpcClientSetMessageHandler:
 * @client: a client
 * @func: receives one-way packets (see RpcClientMessageFunc), or NULL
 * @opaque: passed to @func
 *
 * Sets the receiver of event packets.
 */
void
rpcClientSetMessageHandler(RpcClient *client, RpcClientMessageFunc func,
                           void *opaque)
{
    mutexLock(&client->lock);
    client->msgFunc = func;
    client->msgOpaque = opaque;
    mutexUnlock(&client->lock);
}

/**
 * rpcClientSetCloseCallback:
 * @client: a client
 * @func: called once when the connection breaks, or NULL to remove
 * @opaque: passed to @func
 * @freeFunc: releases @opaque when the callback is replaced or removed,
 *            after it ran, or when the client is freed; may be NULL
 *
 * Sets the callback told about a broken connection (not about
 * rpcClientClose).  Replacing a callback that is running right now on
 * another thread is safe: that run keeps its own @opaque until it ends.
 */
void
rpcClientSetCloseCallback(RpcClient *client, RpcClientCloseFunc func,
                          void *opaque, GDestroyNotify freeFunc)
{
    GDestroyNotify oldFree = NULL;
    void *oldOpaque = NULL;

    mutexLock(&client->lock);
    oldFree = client->closeFree;
    oldOpaque = client->closeOpaque;
    client->closeFunc = func;
    client->closeOpaque = opaque;
    client->closeFree = freeFunc;
    mutexUnlock(&client->lock);
    if (oldFree)
        oldFree(oldOpaque);
}

/* --- closing ------------------------------------------------------------- */

static void
rpcClientWakeOwner(RpcClient *client)
{
    uint64_t one = 1;

    if (write(client->wakeFD, &one, sizeof(one)) < 0 && errno != EAGAIN)
        LOG_DEBUG("cannot wake the I/O owner: %s", g_strerror(errno));
}

static void
rpcClientDrainWake(RpcClient *client)
{
    uint64_t count;

    if (read(client->wakeFD, &count, sizeof(count)) < 0 && errno != EAGAIN)
        LOG_DEBUG("cannot drain the wake-up eventfd: %s", g_strerror(errno));
}

/*
 * Marks the connection closed: every pending call fails with @err,
 * later calls with "client socket is closed".  The loop watch and timer
 * go, the socket is shut down (the descriptor itself is closed when the
 * client is freed, so a loop still polling it never sees a reused
 * number).  Unless @reason is VIR_CONNECT_CLOSE_REASON_CLIENT the close
 * callback becomes due: the caller runs rpcClientFireClose after
 * unlocking.  Called with client->lock held.
 */
static void
rpcClientCloseLocked(RpcClient *client, int reason, const virError *err)
{
    RpcClientCall *call = NULL;

    if (client->closed)
        return;
    LOG_DEBUG("client %p closed, reason %d: %s", (void *)client, reason,
              err->message ? err->message : "");
    client->closed = true;
    client->closeReason = reason;
    errorCopy(err, &client->closeError);

    while ((call = g_queue_pop_head(&client->calls))) {
        errorCopy(err, &call->error);
        call->done = true;
        condSignal(&call->cond);
    }
    client->streamWaiters = 0;
    client->drainWaiters = 0;
    g_ptr_array_foreach(client->streams, rpcClientStreamClosedLocked, (void *)err);
    if (client->watch >= 0) {
        eventRemoveHandle(client->watch);
        client->watch = -1;
    }
    if (client->kaTimer >= 0) {
        eventRemoveTimeout(client->kaTimer);
        client->kaTimer = -1;
    }
    shutdown(client->fd, SHUT_RDWR);
    rpcClientWakeOwner(client);
    if (reason != VIR_CONNECT_CLOSE_REASON_CLIENT)
        g_atomic_int_set(&client->closePending, 1);
}

/*
 * Closes with the calling thread's pending error as the cause (reported
 * just before by the code that noticed the failure).
 */
static void
rpcClientFailLocked(RpcClient *client, int reason)
{
    virErrorPtr err = errorGetSlot();

    if (err->code == VIR_ERR_OK)
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("client socket is closed"));
    rpcClientCloseLocked(client, reason, err);
}

/*
 * Runs the close callback if it is due: once, without the lock, keeping
 * the calling thread's error intact.
 */
static void
rpcClientFireClose(RpcClient *client)
{
    RpcClientCloseFunc func = NULL;
    GDestroyNotify freeFunc = NULL;
    void *opaque = NULL;
    int reason;

    if (!g_atomic_int_compare_and_exchange(&client->closePending, 1, 0))
        return;

    mutexLock(&client->lock);
    func = g_steal_pointer(&client->closeFunc);
    opaque = g_steal_pointer(&client->closeOpaque);
    freeFunc = g_steal_pointer(&client->closeFree);
    reason = client->closeReason;
    mutexUnlock(&client->lock);

    if (func) {
        g_autoptr(SavedError) saved = errorSave();

        func(client, reason, opaque);
    }
    if (freeFunc)
        freeFunc(opaque);
}

/**
 * rpcClientClose:
 * @client: a client
 *
 * Closes the connection at the application's request: calls still
 * waiting (there should be none) and later calls fail with "client
 * socket is closed"; the close callback does not run.  Idempotent.
 */
void
rpcClientClose(RpcClient *client)
{
    virError err = {0};

    err.code = VIR_ERR_INTERNAL_ERROR;
    err.domain = VIR_FROM_RPC;
    err.level = VIR_ERR_ERROR;
    err.message = errorFormatMessage(VIR_ERR_INTERNAL_ERROR,
                                     _("client socket is closed"));
    mutexLock(&client->lock);
    rpcClientCloseLocked(client, VIR_CONNECT_CLOSE_REASON_CLIENT, &err);
    mutexUnlock(&client->lock);
    errorClear(&err);
}

/**
 * rpcClientIsOpen:
 * @client: a client
 *
 * Returns: true until the connection is closed (virConnectIsAlive).
 */
bool
rpcClientIsOpen(RpcClient *client)
{
    bool open;

    mutexLock(&client->lock);
    open = !client->closed;
    mutexUnlock(&client->lock);
    return open;
}

/**
 * rpcClientIsLocal:
 * @client: a client
 *
 * Returns: true for a unix socket connection (same host).
 */
bool
rpcClientIsLocal(RpcClient *client)
{
    return client->local;
}

/**
 * rpcClientIsEncrypted:
 * @client: a client
 *
 * Returns: whether the transport encrypts (TLS).
 */
bool
rpcClientIsEncrypted(RpcClient *client)
{
    return client->encrypted;
}

/**
 * rpcClientIsSelfConnection:
 * @client: a client
 *
 * Returns: true when the peer of a unix socket is this very process (a
 * daemon about to call itself).
 */
bool
rpcClientIsSelfConnection(RpcClient *client)
{
    uid_t uid;
    gid_t gid;
    pid_t pid;

    if (!client->local)
        return false;
    if (rpcSocketGetPeerIdentity(client->sock, &uid, &gid, &pid) < 0) {
        errorReset();
        return false;
    }
    return pid == getpid();
}

/* --- I/O ---------------------------------------------------------------- */

/*
 * Replaces a system error reported by the transport layer with libvirt's
 * wording ("Cannot recv data: ...", "Cannot write data: ..."), keeping
 * the errno.
 */
static void
rpcClientRewordIOError(const char *what)
{
    virErrorPtr err = errorGetSlot();
    int errnum;

    if (err->code != VIR_ERR_SYSTEM_ERROR || err->int1 <= 0)
        return;
    errnum = err->int1;
    errorReset();
    reportSystemError(errnum, "%s", what);
}

/*
 * Writes what the socket takes now.  Returns 1 when nothing is left, 0
 * when bytes remain, -1 when the write failed (the client is closed).
 * Called with client->lock held.
 */
static int
rpcClientFlushLocked(RpcClient *client)
{
    int rc;

    if (client->closed)
        return -1;
    if (!rpcSocketHasOutput(client->sock))
        return 1;
    if ((rc = rpcSocketFlush(client->sock)) < 0) {
        rpcClientRewordIOError(_("Cannot write data"));
        rpcClientFailLocked(client, VIR_CONNECT_CLOSE_REASON_EOF);
    }
    return rc;
}

/*
 * Hands @reply (ownership taken) to the call waiting with its serial.
 * Called with client->lock held.
 */
static void
rpcClientCompleteLocked(RpcClient *client, RpcMessage *reply)
{
    GList *link;

    for (link = client->calls.head; link; link = link->next) {
        RpcClientCall *call = link->data;

        if (call->streamWaiter || call->header.serial != reply->header.serial)
            continue;
        g_queue_delete_link(&client->calls, link);
        call->reply = reply;
        call->done = true;
        /* The owner's thread is not waiting: it is the one reading. */
        if (call != client->ownerCall)
            condSignal(&call->cond);
        return;
    }
    LOG_DEBUG("no call waits for the reply to procedure %d serial %u, ignoring",
              reply->header.proc, reply->header.serial);
    rpcMessageFree(reply);
}

/*
 * Acts on one received packet (ownership taken).  Called with
 * client->lock held.
 */
static void
rpcClientDispatchLocked(RpcClient *client, RpcMessage *msg)
{
    g_autoptr(RpcMessage) owned = msg;

    if (client->ka)
        rpcKeepaliveReceived(client->ka, g_get_monotonic_time());
    if (rpcMessageCheckHeader(msg) < 0) {
        rpcClientFailLocked(client, VIR_CONNECT_CLOSE_REASON_ERROR);
        return;
    }

    switch ((rpc_type)msg->header.type) {
    case RPC_TYPE_REPLY:
    case RPC_TYPE_REPLY_WITH_FDS:
        rpcClientCompleteLocked(client, g_steal_pointer(&owned));
        return;

    case RPC_TYPE_MESSAGE:
        if (rpcKeepaliveIsMessage(msg)) {
            RpcMessage *answer = NULL;

            if (rpcKeepaliveHandleMessage(msg, &answer) < 0) {
                /* libvirt drops malformed keepalive packets. */
                LOG_DEBUG("%s, ignoring", errorGetSlot()->message);
                errorReset();
                return;
            }
            if (answer)
                rpcSocketQueue(client->sock, answer);
            return;
        }
        if (client->msgFunc)
            client->msgFunc(client, msg, client->msgOpaque);
        return;

    case RPC_TYPE_STREAM:
    case RPC_TYPE_STREAM_HOLE:
        rpcClientStreamDispatchLocked(client, g_steal_pointer(&owned));
        return;

    case RPC_TYPE_CALL:
    case RPC_TYPE_CALL_WITH_FDS:
    case RPC_TYPE_LAST:
    default:
        LOG_DEBUG("unexpected %s packet for procedure %d, ignoring",
                  rpcMessageTypeToString(msg->header.type),
                  msg->header.proc);
        return;
    }
}

/*
 * Reads and dispatches every packet available now.  Called with
 * client->lock held.
 */
static void
rpcClientReadLocked(RpcClient *client)
{
    while (!client->closed) {
        RpcMessage *msg = NULL;

        switch (rpcSocketReceive(client->sock, &msg)) {
        case RPC_READER_OK:
            rpcClientDispatchLocked(client, msg);
            /* Spare the read(2) that would only say EAGAIN. */
            if (rpcSocketInputDrained(client->sock))
                return;
            break;
        case RPC_READER_AGAIN:
            return;
        case RPC_READER_EOF:
            reportSystemError(EIO, "%s", _("End of file while reading data"));
            rpcClientFailLocked(client, VIR_CONNECT_CLOSE_REASON_EOF);
            return;
        case RPC_READER_ERROR:
        default: {
            /*
             * A socket error ends the connection like an end of file; an
             * unframeable packet (or a TLS failure) is an I/O error, as
             * libvirt's client reports it to the close callback.
             */
            int reason = errorGetSlot()->code == VIR_ERR_SYSTEM_ERROR ?
                         VIR_CONNECT_CLOSE_REASON_EOF : VIR_CONNECT_CLOSE_REASON_ERROR;

            rpcClientRewordIOError(_("Cannot recv data"));
            rpcClientFailLocked(client, reason);
            return;
        }
        }
    }
}

/*
 * Runs the keepalive rules now: maybe sends a PING, maybe declares the
 * peer dead.  Called with client->lock held and client->ka set.
 */
static void
rpcClientKeepAliveCheckLocked(RpcClient *client)
{
    gint64 next = 0;
    RpcMessage *ping = NULL;

    switch (rpcKeepaliveCheck(client->ka, g_get_monotonic_time(), &next)) {
    case RPC_KEEPALIVE_WAIT:
        break;
    case RPC_KEEPALIVE_PING:
        LOG_DEBUG("client %p: sending keepalive PING", (void *)client);
        if ((ping = rpcKeepaliveNewPing()))
            rpcSocketQueue(client->sock, ping);
        else
            errorReset();
        rpcClientFlushLocked(client);
        break;
    case RPC_KEEPALIVE_DEAD:
    default:
        reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                    _("connection closed due to keepalive timeout"));
        rpcClientFailLocked(client, VIR_CONNECT_CLOSE_REASON_KEEPALIVE);
        return;
    }
    client->kaNext = next;
}

/* Milliseconds until the next keepalive check, -1 without keepalive. */
static int
rpcClientKeepAliveTimeoutLocked(RpcClient *client)
{
    gint64 wait;

    if (!client->ka)
        return -1;
    wait = client->kaNext - g_get_monotonic_time();
    if (wait <= 0)
        return 0;
    return (int)MIN((wait + 999) / 1000, G_MAXINT);
}

/*
 * Points the loop watch at what needs doing: readable (and writable with
 * output queued) while nobody owns the I/O, nothing otherwise.  Called
 * with client->lock held.
 */
static void
rpcClientUpdateWatchLocked(RpcClient *client)
{
    int events = 0;

    if (client->watch < 0)
        return;
    if (!client->closed && !client->haveOwner) {
        events = VIR_EVENT_HANDLE_READABLE;
        /* A sender waiting for room writes the queue itself. */
        if (rpcSocketHasOutput(client->sock) && !client->selfFlushers)
            events |= VIR_EVENT_HANDLE_WRITABLE;
    }
    if (events != client->watchEvents) {
        client->watchEvents = events;
        eventUpdateHandle(client->watch, events);
    }
}

/*
 * The I/O owner's loop: runs until @self is done or the connection
 * closes, then hands the duty to another waiting call.  Called with
 * client->lock held and no owner; the lock is dropped while polling.
 */
/* How long a caller polls without sleeping for a reply (see rpcClientPoll). */
#define RPC_CLIENT_SPIN_US 50
/* After this much of it, the caller yields the CPU between polls. */
#define RPC_CLIENT_SPIN_YIELD_US 10

/* Threads of this process waiting in rpcClientPoll() now. */
static gint rpcClientPollers;

/*
 * poll() that first checks without sleeping for up to RPC_CLIENT_SPIN_US:
 * a small call's reply usually comes back within that time, and a thread
 * that went to sleep pays a wake-up (tens of microseconds on an idle
 * virtual CPU) on top of the round trip.  Only a thread that is the
 * process's only waiter spins: with several calls in flight the CPUs are
 * busy anyway, and spinning would take the CPU the daemon or another
 * caller needs.  A reply that is not there after RPC_CLIENT_SPIN_YIELD_US
 * is probably late because the daemon waits for this very CPU (the
 * scheduler likes to put a woken thread next to its waker): from then on
 * the caller yields between polls.  Not from the start: on a busy machine
 * each yield may hand the CPU to an unrelated process for a while.
 */
/*
 * Whether the machine has more than one CPU.  Asked once: GLib answers
 * g_get_num_processors() by reading sysfs, a few microseconds that a
 * small call would otherwise pay on every reply it waits for.
 */
static bool
rpcClientMultiCPU(void)
{
    static gsize once;

    if (g_once_init_enter(&once))
        g_once_init_leave(&once, g_get_num_processors() > 1 ? 2 : 1);
    return once == 2;
}

static int
rpcClientPoll(struct pollfd *fds, nfds_t nfds, int timeout)
{
    bool alone = g_atomic_int_add(&rpcClientPollers, 1) == 0;
    int rc = 0;

    if (timeout != 0 && alone && rpcClientMultiCPU()) {
        gint64 start = g_get_monotonic_time();
        gint64 now = start;

        while ((rc = poll(fds, nfds, 0)) == 0 && now - start < RPC_CLIENT_SPIN_US &&
               g_atomic_int_get(&rpcClientPollers) == 1) {
            if (now - start >= RPC_CLIENT_SPIN_YIELD_US)
                sched_yield();
            now = g_get_monotonic_time();
        }
    }
    if (rc == 0)
        rc = poll(fds, nfds, timeout);
    g_atomic_int_add(&rpcClientPollers, -1);
    return rc;
}

static void
rpcClientIOLoopLocked(RpcClient *client, RpcClientCall *self)
{
    RpcClientCall *next = NULL;

    client->haveOwner = true;
    client->ownerCall = self;
    rpcClientUpdateWatchLocked(client);

    while (!self->done && !client->closed) {
        struct pollfd fds[2];
        int rc;

        if (rpcClientFlushLocked(client) < 0)
            break;
        /* Blocked stream senders wait for the queue to drain. */
        if (client->drainWaiters && !rpcSocketHasOutput(client->sock)) {
            rpcClientWakeStreamWaitersLocked(client, RPC_CLIENT_WAIT_DRAIN);
            if (self->done)
                break;
        }

        fds[0].fd = client->fd;
        fds[0].events = POLLIN;
        if (rpcSocketHasOutput(client->sock))
            fds[0].events |= POLLOUT;
        fds[0].revents = 0;
        fds[1].fd = client->wakeFD;
        fds[1].events = POLLIN;
        fds[1].revents = 0;

        rc = rpcClientKeepAliveTimeoutLocked(client);
        mutexUnlock(&client->lock);
        rc = rpcClientPoll(fds, G_N_ELEMENTS(fds), rc);
        if (rc < 0 && errno != EINTR) {
            int saved = errno;

            mutexLock(&client->lock);
            reportSystemError(saved, "%s", _("poll on socket failed"));
            rpcClientFailLocked(client, VIR_CONNECT_CLOSE_REASON_ERROR);
            break;
        }
        mutexLock(&client->lock);
        if (client->closed)
            break;
        if (rc <= 0)
            memset(fds, 0, sizeof(fds));
        if (fds[1].revents)
            rpcClientDrainWake(client);
        if (client->ka && g_get_monotonic_time() >= client->kaNext) {
            rpcClientKeepAliveCheckLocked(client);
            if (client->closed)
                break;
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
            rpcClientReadLocked(client);
    }

    /* PONGs queued by the last read go out now, loop or not. */
    rpcClientFlushLocked(client);
    client->haveOwner = false;
    client->ownerCall = NULL;
    if (!client->closed && (next = g_queue_peek_head(&client->calls)))
        condSignal(&next->cond);
    rpcClientUpdateWatchLocked(client);
}

/* The loop watch: the socket while no call is in flight. */
static void
rpcClientWatchCallback(int watch G_GNUC_UNUSED, int fd G_GNUC_UNUSED,
                       int events, void *opaque)
{
    RpcClient *client = opaque;

    errorReset();
    mutexLock(&client->lock);
    if (!client->closed && !client->haveOwner) {
        if (events & VIR_EVENT_HANDLE_WRITABLE)
            rpcClientFlushLocked(client);
        if (events & (VIR_EVENT_HANDLE_READABLE | VIR_EVENT_HANDLE_HANGUP |
                      VIR_EVENT_HANDLE_ERROR))
            rpcClientReadLocked(client);
        rpcClientFlushLocked(client);
        rpcClientUpdateWatchLocked(client);
    }
    mutexUnlock(&client->lock);
    rpcClientFireClose(client);
    errorReset();
}

/* The loop timer of keepalive, while no call is in flight. */
static void
rpcClientKeepAliveTimer(int timer G_GNUC_UNUSED, void *opaque)
{
    RpcClient *client = opaque;

    errorReset();
    mutexLock(&client->lock);
    if (!client->closed && client->ka) {
        if (!client->haveOwner && g_get_monotonic_time() >= client->kaNext)
            rpcClientKeepAliveCheckLocked(client);
        if (!client->closed) {
            rpcClientUpdateWatchLocked(client);
            /* Fire again exactly when the next check is due. */
            if (client->kaTimer >= 0)
                eventUpdateTimeout(client->kaTimer,
                                   MAX(rpcClientKeepAliveTimeoutLocked(client), 1));
        }
    }
    mutexUnlock(&client->lock);
    rpcClientFireClose(client);
    errorReset();
}

/* --- calls -------------------------------------------------------------- */

/**
 * rpcClientCall:
 * @client: a client
 * @prog: program number
 * @vers: program version
 * @proc: procedure number
 * @argsFilter: XDR routine of the arguments, or NULL when there are none
 * @args: the arguments
 * @retFilter: XDR routine of the reply payload, or NULL when it is empty
 * @ret: zero-initialised reply struct, filled on success
 *
 * Sends a call and waits for its reply (no time limit: keepalive, when
 * started, detects a dead peer).  Safe from any number of threads at
 * once; replies are matched by serial whatever their order.
 *
 * Returns: 0 on success (free @ret with xdr_free(@retFilter, @ret)), -1
 * with the error set: the daemon's error as it sent it, a transport
 * failure (VIR_ERR_SYSTEM_ERROR, e.g. "End of file while reading data"),
 * "connection closed due to keepalive timeout", or "client socket is
 * closed" (VIR_ERR_INTERNAL_ERROR) once the connection is closed.
 */
int
rpcClientCall(RpcClient *client, unsigned int prog, unsigned int vers,
              int proc, xdrproc_t argsFilter, const void *args,
              xdrproc_t retFilter, void *ret)
{
    return rpcClientCallSerial(client, rpcClientNewSerial(client), prog, vers, proc,
                               argsFilter, args, retFilter, ret);
}

/**
 * rpcClientNewSerial:
 * @client: a client
 *
 * Returns: a serial no other call of @client uses, for rpcClientCallSerial
 * (a stream registers itself under it before its call goes out).
 */
unsigned int
rpcClientNewSerial(RpcClient *client)
{
    return (unsigned int)g_atomic_int_add(&client->nextSerial, 1);
}

/**
 * rpcClientCallSerial:
 * @client: a client
 * @serial: from rpcClientNewSerial
 * @prog, @vers, @proc, @argsFilter, @args, @retFilter, @ret: as rpcClientCall
 *
 * rpcClientCall with a serial chosen beforehand.
 *
 * Returns: as rpcClientCall.
 */
int
rpcClientCallSerial(RpcClient *client, unsigned int serial, unsigned int prog,
                    unsigned int vers, int proc, xdrproc_t argsFilter, const void *args,
                    xdrproc_t retFilter, void *ret)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();
    g_autoptr(RpcMessage) reply = NULL;
    RpcClientCall call = {0};
    int rc = -1;

    rpcMessageSetHeader(msg, prog, vers, proc, RPC_TYPE_CALL, serial,
                        RPC_STATUS_OK);
    if (rpcMessageEncode(msg, argsFilter, args) < 0)
        return -1;
    call.header = msg->header;
    condInit(&call.cond);

    rpcClientRef(client);
    mutexLock(&client->lock);
    if (client->closed) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("client socket is closed"));
        call.done = true;
    } else {
        g_queue_push_tail(&client->calls, &call);
        rpcSocketQueue(client->sock, g_steal_pointer(&msg));
        /* With an I/O owner busy elsewhere, send it now if the socket
         * takes it, else make the owner poll for writability. */
        if (client->haveOwner && rpcClientFlushLocked(client) == 0)
            rpcClientWakeOwner(client);
    }
    while (!call.done) {
        if (!client->haveOwner) {
            rpcClientIOLoopLocked(client, &call);
            continue;
        }
        condWaitUntil(&call.cond, &client->lock, g_get_monotonic_time() + G_USEC_PER_SEC);
    }
    reply = g_steal_pointer(&call.reply);
    mutexUnlock(&client->lock);

    if (!reply) {
        if (call.error.code != VIR_ERR_OK)
            errorSetFromCopy(&call.error);
        goto cleanup;
    }
    if (rpcMessageCheckReply(reply, &call.header) < 0)
        goto cleanup;
    if (reply->header.status == RPC_STATUS_ERROR) {
        rpcMessageReportError(reply);
        goto cleanup;
    }
    if (reply->header.type == RPC_TYPE_REPLY_WITH_FDS) {
        reportError(VIR_ERR_RPC, _("unexpected file descriptors in the reply to procedure %1$d"),
                    proc);
        goto cleanup;
    }
    if (rpcMessageDecodePayload(reply, retFilter, ret) < 0)
        goto cleanup;
    rc = 0;

 cleanup:
    errorClear(&call.error);
    condClear(&call.cond);
    rpcClientFireClose(client);
    rpcClientUnref(client);
    return rc;
}

/* --- keepalive ---------------------------------------------------------- */

/**
 * rpcClientKeepAliveStart:
 * @client: a client
 * @interval: seconds of silence from the daemon before each PING; <= 0
 *            stops keepalive
 * @count: PINGs left unanswered before the connection is closed
 *
 * Starts (or retunes) the client's keepalive: the connection closes
 * with reason VIR_CONNECT_CLOSE_REASON_KEEPALIVE after interval * (count
 * + 1) seconds without any packet from the daemon.  As in libvirt, this
 * needs an event loop implementation (checks run on its timer while no
 * call is in flight); the caller has checked that the daemon supports
 * the keepalive program.
 *
 * Returns: 0, or -1 with an error reported.
 */
int
rpcClientKeepAliveStart(RpcClient *client, int interval, unsigned int count)
{
    int ret = -1;

    if (interval <= 0) {
        rpcClientKeepAliveStop(client);
        return 0;
    }
    if (!eventHaveImpl()) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                    _("keepalive needs an event loop implementation"));
        return -1;
    }
    if (interval > INT_MAX / 1000) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("keepalive interval %d too large"),
                    interval);
        return -1;
    }

    mutexLock(&client->lock);
    if (client->closed) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("client socket is closed"));
        goto cleanup;
    }
    if (client->kaTimer < 0) {
        client->kaTimer = eventAddTimeout(interval * 1000, rpcClientKeepAliveTimer,
                                          rpcClientRef(client),
                                          (virFreeCallback)rpcClientUnref);
        if (client->kaTimer < 0) {
            rpcClientUnref(client);
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("cannot add the keepalive timer"));
            goto cleanup;
        }
    } else {
        eventUpdateTimeout(client->kaTimer, interval * 1000);
    }
    rpcKeepaliveFree(client->ka);
    client->ka = rpcKeepaliveNew(interval, count);
    rpcKeepaliveStart(client->ka, g_get_monotonic_time());
    client->kaNext = g_get_monotonic_time() + (gint64)interval * G_USEC_PER_SEC;
    LOG_DEBUG("client %p: keepalive every %d s, count %u", (void *)client,
              interval, count);
    /* An owner in poll() recomputes its timeout. */
    if (client->haveOwner)
        rpcClientWakeOwner(client);
    ret = 0;

 cleanup:
    mutexUnlock(&client->lock);
    return ret;
}

/**
 * rpcClientKeepAliveStop:
 * @client: a client
 *
 * Stops sending PINGs and watching the daemon's silence.  PINGs from the
 * daemon are still answered.
 */
void
rpcClientKeepAliveStop(RpcClient *client)
{
    mutexLock(&client->lock);
    if (client->kaTimer >= 0) {
        eventRemoveTimeout(client->kaTimer);
        client->kaTimer = -1;
    }
    g_clear_pointer(&client->ka, rpcKeepaliveFree);
    mutexUnlock(&client->lock);
}

/* --- streams (the stream objects live in rpc_stream.c) ------------------ */

/*
 * Marks every stream wait done, so that each re-checks its condition.
 * Called with client->lock held, after a stream packet arrived or the
 * output queue drained.
 */
void
rpcClientWakeStreamWaitersLocked(RpcClient *client, int kinds)
{
    GList *link = client->calls.head;

    if (!client->streamWaiters)
        return;
    while (link) {
        GList *next = link->next;
        RpcClientCall *call = link->data;

        if (call->streamWaiter & kinds) {
            g_queue_delete_link(&client->calls, link);
            call->done = true;
            condSignal(&call->cond);
            client->streamWaiters--;
            if (call->streamWaiter == RPC_CLIENT_WAIT_DRAIN)
                client->drainWaiters--;
        }
        link = next;
    }
}

/**
 * rpcClientAddStream:
 * @client: a client
 * @st: a stream (referenced by the client until removed or closed)
 *
 * Routes the STREAM packets matching @st to it.
 *
 * Returns: 0, or -1 with an error when the client is closed.
 */
int
rpcClientAddStream(RpcClient *client, RpcClientStream *st)
{
    int ret = -1;

    mutexLock(&client->lock);
    if (client->closed) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("client socket is closed"));
    } else {
        g_ptr_array_add(client->streams, rpcClientStreamRef(st));
        ret = 0;
    }
    mutexUnlock(&client->lock);
    return ret;
}

/**
 * rpcClientRemoveStream:
 * @client: a client
 * @st: a stream added before (or not: then nothing happens)
 */
void
rpcClientRemoveStream(RpcClient *client, RpcClientStream *st)
{
    bool found;

    mutexLock(&client->lock);
    found = g_ptr_array_remove(client->streams, st);
    mutexUnlock(&client->lock);
    if (found)
        rpcClientStreamUnref(st);
}

/* For rpc_stream.c: the registered stream @hdr belongs to, or NULL.  Must hold client->lock. */
RpcClientStream *
rpcClientFindStreamLocked(RpcClient *client, const rpc_header *hdr)
{
    guint i;

    for (i = 0; i < client->streams->len; i++) {
        RpcClientStream *st = g_ptr_array_index(client->streams, i);

        if (rpcClientStreamMatches(st, hdr))
            return st;
    }
    return NULL;
}

/*
 * Sends @msg followed by @len bytes at @data (the payload of @msg when
 * @len > 0, see rpcMessageEncodeRawHeader; ownership of @msg taken).
 * With an empty queue on a plain socket, both go to the kernel straight
 * from their buffers (one writev, no copy of the payload into a packet);
 * only what the socket did not take is copied and queued, ahead of
 * anything queued later.  Otherwise the payload is appended to @msg and
 * the whole packet queued and flushed.  Called with client->lock held on
 * an open client.
 *
 * Returns: 0, or -1 with the error (the client is closed).
 */
static int
rpcClientWriteDataLocked(RpcClient *client, RpcMessage *msg, const char *data, size_t len)
{
    struct iovec iov[2];
    size_t head = msg->bufferLength;
    size_t total = head + len;
    size_t rest;
    size_t headRest;
    uint8_t *buf = NULL;
    ssize_t done;

    if (!rpcSocketCanWriteDirect(client->sock)) {
        if (len > 0 && rpcMessageEncodePayloadRaw(msg, data, len) < 0) {
            rpcMessageFree(msg);
            return -1;
        }
        rpcSocketQueue(client->sock, msg);
        if (client->haveOwner) {
            if (rpcClientFlushLocked(client) == 0)
                rpcClientWakeOwner(client);
            return client->closed ? -1 : 0;
        }
        return rpcClientFlushLocked(client) < 0 ? -1 : 0;
    }

    iov[0].iov_base = msg->buffer;
    iov[0].iov_len = head;
    iov[1].iov_base = (void *)data;
    iov[1].iov_len = len;
    if ((done = rpcSocketWriteDirect(client->sock, iov, len > 0 ? 2 : 1)) < 0) {
        rpcMessageFree(msg);
        rpcClientRewordIOError(_("Cannot write data"));
        rpcClientFailLocked(client, VIR_CONNECT_CLOSE_REASON_EOF);
        return -1;
    }
    if ((size_t)done == total) {
        rpcMessageFree(msg);
        return 0;
    }

    /* The socket is full: the rest of the packet waits in the queue. */
    rest = total - (size_t)done;
    headRest = (size_t)done < head ? head - (size_t)done : 0;
    buf = g_malloc(rest);
    memcpy(buf, msg->buffer + head - headRest, headRest);
    if (rest > headRest)
        memcpy(buf + headRest, data + len - (rest - headRest), rest - headRest);
    g_free(msg->buffer);
    msg->buffer = buf;
    msg->bufferLength = rest;
    msg->bufferCapacity = rest;
    msg->bufferOffset = 0;
    rpcSocketQueue(client->sock, msg);
    if (client->haveOwner)
        rpcClientWakeOwner(client);
    return 0;
}

/*
 * Waits until the output queue is written out.  Without an I/O owner,
 * on a client the event loop watches for input, the caller writes the
 * queue itself, polling the socket for room without the lock: the loop
 * keeps reading (keepalive, stream errors) and is neither woken nor
 * re-armed for each packet.  Otherwise it waits as a stream waiter (and
 * does the I/O when nobody does).  Called with client->lock held.
 *
 * Returns: 0, or -1 with the error (the client closed).
 */
static int
rpcClientWaitDrainLocked(RpcClient *client)
{
    while (!client->closed && rpcSocketHasOutput(client->sock)) {
        RpcClientCall wait = {0};

        if (!client->haveOwner && client->watch >= 0) {
            struct pollfd pfd = {.fd = client->fd, .events = POLLOUT | POLLIN};
            int timeout = 1000;
            int rc;

            if (rpcClientFlushLocked(client) != 0)
                continue;
            /* keepalive is ours too while we wait: the loop may be this thread */
            if (client->ka)
                timeout = MIN(timeout, MAX(rpcClientKeepAliveTimeoutLocked(client), 0));
            client->selfFlushers++;
            mutexUnlock(&client->lock);
            if ((rc = poll(&pfd, 1, timeout)) < 0 && errno != EINTR)
                LOG_DEBUG("poll for room on the socket failed: %s", g_strerror(errno));
            mutexLock(&client->lock);
            client->selfFlushers--;
            if (client->ka && !client->closed && g_get_monotonic_time() >= client->kaNext) {
                rpcClientKeepAliveCheckLocked(client);
                if (client->closed)
                    continue;
            }
            /*
             * Input is the loop's, but a loop that is not running (the
             * application's thread is this one) must not leave PINGs
             * and the daemon's packets unread while we wait.
             */
            if (rc > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)) && !client->closed &&
                !client->haveOwner)
                rpcClientReadLocked(client);
            continue;
        }

        wait.streamWaiter = RPC_CLIENT_WAIT_DRAIN;
        condInit(&wait.cond);
        g_queue_push_tail(&client->calls, &wait);
        client->streamWaiters++;
        client->drainWaiters++;
        while (!wait.done) {
            if (!client->haveOwner) {
                rpcClientIOLoopLocked(client, &wait);
                continue;
            }
            condWaitUntil(&wait.cond, &client->lock, g_get_monotonic_time() + G_USEC_PER_SEC);
        }
        if (wait.error.code != VIR_ERR_OK)
            errorSetFromCopy(&wait.error);
        errorClear(&wait.error);
        condClear(&wait.cond);
    }
    if (client->closed) {
        if (!errorIsSet()) {
            if (client->closeError.code != VIR_ERR_OK)
                errorSetFromCopy(&client->closeError);
            else
                reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("client socket is closed"));
        }
        return -1;
    }
    /* Other blocked senders waited for this too. */
    if (client->drainWaiters)
        rpcClientWakeStreamWaitersLocked(client, RPC_CLIENT_WAIT_DRAIN);
    return 0;
}

/**
 * rpcClientSendData:
 * @client: a client
 * @msg: an encoded packet, or the length word and header of one whose
 *       @len payload bytes are at @data (rpcMessageEncodeRawHeader);
 *       ownership taken
 * @data: the payload not in @msg, or NULL
 * @len: its size (0 when @msg is whole)
 * @nonblock: do not wait until the packet is written
 *
 * Sends a packet that has no reply (stream data, finish, abort).  The
 * payload at @data is written from there when the socket takes it at
 * once, else copied: the caller may reuse @data on return.  Unless
 * @nonblock, waits (writing itself, or doing the I/O when no other
 * thread does) until the output queue is written out, so that a fast
 * sender cannot make the client buffer without bound.
 *
 * Returns: 0, or -1 with an error reported (the connection is closed).
 */
int
rpcClientSendData(RpcClient *client, RpcMessage *msg, const char *data, size_t len, bool nonblock)
{
    int ret = -1;

    rpcClientRef(client);
    mutexLock(&client->lock);
    if (client->closed) {
        rpcMessageFree(msg);
        if (client->closeError.code != VIR_ERR_OK)
            errorSetFromCopy(&client->closeError);
        else
            reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("client socket is closed"));
        goto cleanup;
    }
    if (rpcClientWriteDataLocked(client, msg, data, len) < 0)
        goto cleanup;
    if (!nonblock && rpcClientWaitDrainLocked(client) < 0)
        goto cleanup;
    rpcClientUpdateWatchLocked(client);
    ret = 0;

 cleanup:
    mutexUnlock(&client->lock);
    rpcClientFireClose(client);
    rpcClientUnref(client);
    return ret;
}

/**
 * rpcClientSendPacket:
 * @client: a client
 * @msg: an encoded packet (ownership taken)
 * @nonblock: only queue it
 *
 * rpcClientSendData for a whole packet.
 *
 * Returns: 0, or -1 with an error reported (the connection is closed).
 */
int
rpcClientSendPacket(RpcClient *client, RpcMessage *msg, bool nonblock)
{
    return rpcClientSendData(client, msg, NULL, 0, nonblock);
}

/**
 * rpcClientQueuedBytes:
 * @client: a client
 *
 * Returns: the bytes waiting to be written (a non-blocking stream sender
 * backs off above its limit).
 */
size_t
rpcClientQueuedBytes(RpcClient *client)
{
    size_t ret = 0;

    mutexLock(&client->lock);
    if (!client->closed)
        ret = rpcSocketQueuedBytes(client->sock);
    mutexUnlock(&client->lock);
    return ret;
}

/**
 * rpcClientWaitStream:
 * @client: a client
 * @ready: the condition, called with the client's lock held (it may take
 *         only the stream's own lock)
 * @opaque: passed to @ready
 *
 * Waits until @ready returns true, doing the I/O when no other thread
 * does; stream packets and the end of the connection re-check it.
 *
 * Returns: 0 when @ready holds, -1 with the error when the connection
 * closed first.
 */
int
rpcClientWaitStream(RpcClient *client, bool (*ready)(void *opaque), void *opaque)
{
    int ret = -1;

    rpcClientRef(client);
    mutexLock(&client->lock);
    for (;;) {
        RpcClientCall wait = {0};

        if (ready(opaque)) {
            ret = 0;
            break;
        }
        if (client->closed) {
            if (client->closeError.code != VIR_ERR_OK)
                errorSetFromCopy(&client->closeError);
            else
                reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("client socket is closed"));
            break;
        }
        wait.streamWaiter = RPC_CLIENT_WAIT_PACKET;
        condInit(&wait.cond);
        g_queue_push_tail(&client->calls, &wait);
        client->streamWaiters++;
        while (!wait.done) {
            if (!client->haveOwner) {
                rpcClientIOLoopLocked(client, &wait);
                continue;
            }
            condWaitUntil(&wait.cond, &client->lock, g_get_monotonic_time() + G_USEC_PER_SEC);
        }
        errorClear(&wait.error);
        condClear(&wait.cond);
    }
    mutexUnlock(&client->lock);
    rpcClientFireClose(client);
    rpcClientUnref(client);
    return ret;
}

/**
 * rpcClientPoke:
 * @client: a client
 *
 * Reads what has arrived and writes what the socket takes, without
 * waiting, unless another thread owns the I/O (a non-blocking stream
 * looks for data before it answers "nothing yet").
 */
void
rpcClientPoke(RpcClient *client)
{
    rpcClientRef(client);
    mutexLock(&client->lock);
    if (!client->closed && !client->haveOwner) {
        rpcClientFlushLocked(client);
        rpcClientReadLocked(client);
        rpcClientFlushLocked(client);
        rpcClientUpdateWatchLocked(client);
    }
    mutexUnlock(&client->lock);
    rpcClientFireClose(client);
    rpcClientUnref(client);
}
