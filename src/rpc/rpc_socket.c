/* Non-blocking unix and TCP stream sockets that carry RPC packets. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_RPC

#include "rpc/rpc_socket.h"
#include "rpc/rpc_tls.h"
#include "util/error.h"
#include "util/log.h"

LOG_INIT("rpc.socket");

/* Pending connections a listener queues before accept. */
#define RPC_SOCKET_BACKLOG 128

struct _RpcSocket {
    int fd;
    int family; /* AF_UNIX, AF_INET, AF_INET6 */
    bool listener;
    char *unlinkPath; /* unix listener path removed on free, or NULL */
    bool eof;         /* the peer closed its end */

    RpcReader *reader; /* NULL for listeners */
    RpcWriter *writer; /* NULL for listeners */
    RpcReaderReadFunc readFunc;
    RpcWriterWriteFunc writeFunc;
    void *ioOpaque;
    RpcTLSSession *tls; /* owned; NULL for plain connections */
};

/* Closes *@fd if open; for g_autoptr-free error paths below. */
static void
rpcSocketCloseFD(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;

        close(*fd);
        errno = saved;
        *fd = -1;
    }
}

static int
rpcSocketSetNonBlock(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        reportSystemError(errno, "%s", _("cannot make the socket non-blocking"));
        return -1;
    }
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        reportSystemError(errno, "%s", _("cannot set close-on-exec on the socket"));
        return -1;
    }
    return 0;
}

/* Small calls must not wait for Nagle's algorithm. */
static void
rpcSocketSetNoDelay(int fd, int family)
{
    int on = 1;

    if (family != AF_INET && family != AF_INET6)
        return;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) < 0)
        LOG_DEBUG("cannot set TCP_NODELAY on fd %d: %s", fd, g_strerror(errno));
}

static RpcSocket *
rpcSocketWrap(int fd, int family, bool listener)
{
    RpcSocket *sock = g_new0(RpcSocket, 1);

    sock->fd = fd;
    sock->family = family;
    sock->listener = listener;
    if (!listener) {
        sock->reader = rpcReaderNew();
        sock->writer = rpcWriterNew();
        sock->readFunc = rpcReaderReadFD;
        sock->writeFunc = rpcWriterWriteFD;
        sock->ioOpaque = GINT_TO_POINTER(fd);
    }
    return sock;
}

/**
 * rpcSocketNewFromFD:
 * @fd: a connected stream socket (or pipe-like fd); ownership is taken,
 *      also on failure
 *
 * Wraps @fd, making it non-blocking and close-on-exec.
 *
 * Returns: the socket (caller owns), or NULL with an error reported.
 */
RpcSocket *
rpcSocketNewFromFD(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);
    int family = AF_UNSPEC;

    if (rpcSocketSetNonBlock(fd) < 0) {
        rpcSocketCloseFD(&fd);
        return NULL;
    }
    if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0)
        family = ss.ss_family;
    rpcSocketSetNoDelay(fd, family);
    return rpcSocketWrap(fd, family, false);
}

/**
 * rpcSocketNewPair:
 * @retA: set to one end
 * @retB: set to the other end
 *
 * Creates two connected unix stream sockets (in-process transports and
 * tests).
 *
 * Returns: 0 on success (caller owns both), -1 with an error reported.
 */
int
rpcSocketNewPair(RpcSocket **retA, RpcSocket **retB)
{
    int fds[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) < 0) {
        reportSystemError(errno, "%s", _("cannot create a socket pair"));
        return -1;
    }
    *retA = rpcSocketWrap(fds[0], AF_UNIX, false);
    *retB = rpcSocketWrap(fds[1], AF_UNIX, false);
    return 0;
}

static int
rpcSocketUnixAddress(const char *path, struct sockaddr_un *addr)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr->sun_path)) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("unix socket path '%1$s' is too long"), path);
        return -1;
    }
    g_strlcpy(addr->sun_path, path, sizeof(addr->sun_path));
    return 0;
}

/* True when something accepts connections on the unix socket @addr. */
static bool
rpcSocketUnixInUse(const struct sockaddr_un *addr)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool inUse = false;

    if (fd < 0)
        return false;
    inUse = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0;
    close(fd);
    return inUse;
}

/**
 * rpcSocketNewListenUnix:
 * @path: filesystem path of the socket
 * @mode: permissions given to the socket file
 *
 * Creates a listening unix socket at @path.  A stale socket file left by
 * a process that died is replaced; one that still accepts connections is
 * an error.  The file is removed when the socket is freed.
 *
 * Returns: the listener (caller owns), or NULL with an error reported.
 */
RpcSocket *
rpcSocketNewListenUnix(const char *path, mode_t mode)
{
    struct sockaddr_un addr;
    int fd = -1;
    RpcSocket *sock = NULL;

    if (rpcSocketUnixAddress(path, &addr) < 0)
        return NULL;

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        reportSystemError(errno, "%s", _("cannot create a unix socket"));
        return NULL;
    }

    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        if (errno != EADDRINUSE) {
            reportSystemError(errno, _("cannot bind socket to '%1$s'"), path);
            goto error;
        }
        if (rpcSocketUnixInUse(&addr)) {
            reportError(VIR_ERR_OPERATION_FAILED, _("socket '%1$s' is in use by another process"),
                        path);
            goto error;
        }
        if (unlink(path) < 0 && errno != ENOENT) {
            reportSystemError(errno, _("cannot remove stale socket '%1$s'"), path);
            goto error;
        }
        if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
            reportSystemError(errno, _("cannot bind socket to '%1$s'"), path);
            goto error;
        }
    }

    if (chmod(path, mode) < 0) {
        reportSystemError(errno, _("cannot set permissions of socket '%1$s'"), path);
        unlink(path);
        goto error;
    }
    if (listen(fd, RPC_SOCKET_BACKLOG) < 0) {
        reportSystemError(errno, _("cannot listen on socket '%1$s'"), path);
        unlink(path);
        goto error;
    }

    sock = rpcSocketWrap(fd, AF_UNIX, true);
    sock->unlinkPath = g_strdup(path);
    return sock;

error:
    rpcSocketCloseFD(&fd);
    return NULL;
}

/**
 * rpcSocketNewConnectUnix:
 * @path: filesystem path of a listening unix socket
 *
 * Connects to @path (the connect itself blocks, as a local connect
 * completes at once) and returns a non-blocking socket.
 *
 * Returns: the socket (caller owns), or NULL with an error reported.
 */
RpcSocket *
rpcSocketNewConnectUnix(const char *path)
{
    struct sockaddr_un addr;
    int fd = -1;

    if (rpcSocketUnixAddress(path, &addr) < 0)
        return NULL;

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        reportSystemError(errno, "%s", _("cannot create a unix socket"));
        return NULL;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        reportSystemError(errno, _("cannot connect to socket '%1$s'"), path);
        rpcSocketCloseFD(&fd);
        return NULL;
    }
    if (rpcSocketSetNonBlock(fd) < 0) {
        rpcSocketCloseFD(&fd);
        return NULL;
    }
    return rpcSocketWrap(fd, AF_UNIX, false);
}

static int
rpcSocketResolve(const char *node, const char *service, bool passive, struct addrinfo **retAi)
{
    struct addrinfo hints = {0};
    int rc;

    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    rc = getaddrinfo(node, service, &hints, retAi);
    if (rc != 0) {
        reportError(VIR_ERR_SYSTEM_ERROR, _("cannot resolve address '%1$s' service '%2$s': %3$s"),
                    node ? node : "*", service, gai_strerror(rc));
        return -1;
    }
    return 0;
}

/**
 * rpcSocketNewListenTCP:
 * @node: address or host name to listen on, NULL for every address
 * @service: port number or service name ("0" picks a free port)
 *
 * Creates one listening socket per address @node resolves to (typically
 * one IPv4 and one IPv6).  Address families the host lacks are skipped.
 *
 * Returns: an array of RpcSocket (caller owns; freeing it frees the
 * sockets), or NULL with an error reported if none could be created.
 */
GPtrArray *
rpcSocketNewListenTCP(const char *node, const char *service)
{
    g_autoptr(GPtrArray) socks = g_ptr_array_new_with_free_func((GDestroyNotify)rpcSocketFree);
    struct addrinfo *ai = NULL;
    struct addrinfo *cur;
    int savedErrno = 0;

    if (rpcSocketResolve(node, service, true, &ai) < 0)
        return NULL;

    for (cur = ai; cur; cur = cur->ai_next) {
        int fd = socket(cur->ai_family, cur->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                        cur->ai_protocol);
        int on = 1;

        if (fd < 0) {
            if (errno == EAFNOSUPPORT)
                continue;
            savedErrno = errno;
            break;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
        if (cur->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
        if (bind(fd, cur->ai_addr, cur->ai_addrlen) < 0) {
            int err = errno;

            rpcSocketCloseFD(&fd);
            if (err == EADDRNOTAVAIL || err == EAFNOSUPPORT)
                continue;
            savedErrno = err;
            break;
        }
        if (listen(fd, RPC_SOCKET_BACKLOG) < 0) {
            savedErrno = errno;
            rpcSocketCloseFD(&fd);
            break;
        }
        g_ptr_array_add(socks, rpcSocketWrap(fd, cur->ai_family, true));
    }
    freeaddrinfo(ai);

    if (savedErrno != 0 || socks->len == 0) {
        reportSystemError(savedErrno ? savedErrno : EADDRNOTAVAIL,
                          _("cannot listen on address '%1$s' service '%2$s'"), node ? node : "*",
                          service);
        return NULL;
    }
    return g_steal_pointer(&socks);
}

/**
 * rpcSocketNewConnectTCP:
 * @node: host name or address
 * @service: port number or service name
 *
 * Connects to the first address of @node that accepts (the connect
 * blocks) and returns a non-blocking socket with TCP_NODELAY set.
 *
 * Returns: the socket (caller owns), or NULL with an error reported.
 */
RpcSocket *
rpcSocketNewConnectTCP(const char *node, const char *service)
{
    struct addrinfo *ai = NULL;
    struct addrinfo *cur;
    int savedErrno = ECONNREFUSED;
    int fd = -1;
    int family = AF_UNSPEC;

    if (rpcSocketResolve(node, service, false, &ai) < 0)
        return NULL;

    for (cur = ai; cur; cur = cur->ai_next) {
        fd = socket(cur->ai_family, cur->ai_socktype | SOCK_CLOEXEC, cur->ai_protocol);
        if (fd < 0) {
            savedErrno = errno;
            continue;
        }
        if (connect(fd, cur->ai_addr, cur->ai_addrlen) == 0) {
            family = cur->ai_family;
            break;
        }
        savedErrno = errno;
        rpcSocketCloseFD(&fd);
    }
    freeaddrinfo(ai);

    if (fd < 0) {
        reportSystemError(savedErrno, _("cannot connect to host '%1$s' service '%2$s'"), node,
                          service);
        return NULL;
    }
    if (rpcSocketSetNonBlock(fd) < 0) {
        rpcSocketCloseFD(&fd);
        return NULL;
    }
    rpcSocketSetNoDelay(fd, family);
    return rpcSocketWrap(fd, family, false);
}

/**
 * rpcSocketAccept:
 * @listener: a listening socket
 * @retClient: set to the accepted connection
 *
 * Accepts one pending connection without blocking.
 *
 * Returns: 1 with *@retClient set (caller owns), 0 when none is pending,
 * -1 with an error reported.
 */
int
rpcSocketAccept(RpcSocket *listener, RpcSocket **retClient)
{
    int fd;

    do {
        fd = accept4(listener->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    } while (fd < 0 && errno == EINTR);

    if (fd < 0) {
        /* The client may have gone away between poll and accept. */
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED)
            return 0;
        reportSystemError(errno, "%s", _("cannot accept a connection"));
        return -1;
    }
    rpcSocketSetNoDelay(fd, listener->family);
    *retClient = rpcSocketWrap(fd, listener->family, false);
    return 1;
}

/**
 * rpcSocketFree:
 * @sock: a socket, or NULL
 *
 * Closes @sock, drops unsent packets and, for a unix listener, removes
 * its socket file.
 */
void
rpcSocketFree(RpcSocket *sock)
{
    if (!sock)
        return;
    if (sock->unlinkPath && unlink(sock->unlinkPath) < 0 && errno != ENOENT)
        LOG_DEBUG("cannot remove socket '%s': %s", sock->unlinkPath, g_strerror(errno));
    rpcTLSSessionFree(sock->tls);
    rpcSocketCloseFD(&sock->fd);
    rpcReaderFree(sock->reader);
    rpcWriterFree(sock->writer);
    g_free(sock->unlinkPath);
    g_free(sock);
}

/**
 * rpcSocketGetFD:
 * @sock: a socket
 *
 * Returns: the file descriptor, for adding @sock to an event loop.  It
 * stays owned by @sock.
 */
int
rpcSocketGetFD(const RpcSocket *sock)
{
    return sock->fd;
}

/**
 * rpcSocketIsUnix:
 * @sock: a socket
 *
 * Returns: true for a unix-domain socket (a local peer).
 */
bool
rpcSocketIsUnix(const RpcSocket *sock)
{
    return sock->family == AF_UNIX;
}

/**
 * rpcSocketGetLocalPort:
 * @sock: a TCP socket
 *
 * Returns: the local port (e.g. the one picked for a "0" listener), or -1
 * with an error reported.
 */
int
rpcSocketGetLocalPort(const RpcSocket *sock)
{
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);

    if (getsockname(sock->fd, (struct sockaddr *)&ss, &sslen) < 0) {
        reportSystemError(errno, "%s", _("cannot get the socket address"));
        return -1;
    }
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("not a TCP socket"));
    return -1;
}

/**
 * rpcSocketGetPeerIdentity:
 * @sock: a connected unix socket
 * @retUid: set to the peer's user id
 * @retGid: set to the peer's group id
 * @retPid: set to the peer's process id
 *
 * Asks the kernel who is on the other end (SO_PEERCRED).
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
rpcSocketGetPeerIdentity(const RpcSocket *sock, uid_t *retUid, gid_t *retGid, pid_t *retPid)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);

    if (sock->family != AF_UNIX) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("peer identity is only known for unix sockets"));
        return -1;
    }
    if (getsockopt(sock->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        reportSystemError(errno, "%s", _("cannot get the peer's credentials"));
        return -1;
    }
    *retUid = cred.uid;
    *retGid = cred.gid;
    *retPid = cred.pid;
    return 0;
}

/**
 * rpcSocketSetIO:
 * @sock: a connected socket
 * @readFunc: replaces read(2) on the fd
 * @writeFunc: replaces writev(2) on the fd
 * @opaque: passed to both
 *
 * Routes the socket's bytes through another layer, e.g. a TLS session
 * once its handshake is done.  Bytes already buffered stay buffered.
 */
void
rpcSocketSetIO(RpcSocket *sock, RpcReaderReadFunc readFunc, RpcWriterWriteFunc writeFunc,
               void *opaque)
{
    sock->readFunc = readFunc;
    sock->writeFunc = writeFunc;
    sock->ioOpaque = opaque;
}

/**
 * rpcSocketSetTLS:
 * @sock: a connected socket that has carried nothing yet
 * @sess: a TLS session on the socket's descriptor (ownership taken)
 *
 * Routes the socket's packets through @sess.  Nothing may be received or
 * sent before rpcTLSSessionHandshake (rpcSocketGetTLS) completed.
 */
void
rpcSocketSetTLS(RpcSocket *sock, RpcTLSSession *sess)
{
    rpcTLSSessionFree(sock->tls);
    sock->tls = sess;
    rpcSocketSetIO(sock, rpcTLSSessionRead, rpcTLSSessionWrite, sess);
}

/**
 * rpcSocketGetTLS:
 * @sock: a socket
 *
 * Returns: the socket's TLS session (owned by @sock), or NULL.
 */
RpcTLSSession *
rpcSocketGetTLS(const RpcSocket *sock)
{
    return sock->tls;
}

/**
 * rpcSocketReceive:
 * @sock: a connected socket
 * @retMsg: set to a received packet
 *
 * Returns the next complete packet, reading from the socket at most once
 * when none is buffered.  So that one busy peer cannot starve others,
 * RPC_READER_AGAIN may come back while more bytes wait in the kernel: the
 * caller goes back to its (level-triggered) event loop either way.  The
 * packet's header is decoded but not checked (rpcMessageCheckHeader).
 *
 * Returns: RPC_READER_OK with *@retMsg set (caller owns), RPC_READER_AGAIN,
 * RPC_READER_EOF when the peer closed between packets, or
 * RPC_READER_ERROR with an error reported (bad length, read failure, end
 * of file inside a packet); after EOF or ERROR, close the socket.
 */
RpcReaderStatus
rpcSocketReceive(RpcSocket *sock, RpcMessage **retMsg)
{
    RpcReaderStatus st;
    int rc;

    if (sock->listener) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("cannot receive on a listening socket"));
        return RPC_READER_ERROR;
    }

    rc = rpcReaderNext(sock->reader, retMsg);
    if (rc != 0)
        return rc > 0 ? RPC_READER_OK : RPC_READER_ERROR;
    if (sock->eof)
        return RPC_READER_EOF;

    /*
     * TLS may hold decrypted bytes the socket will never signal again:
     * keep filling until a packet is complete or nothing is held.  A
     * plain socket that filled all that was asked (a packet's header
     * after a large packet, see rpcReaderFill) likely has more: read on
     * rather than going back to the loop for it.
     */
    do {
        st = rpcReaderFill(sock->reader, sock->readFunc, sock->ioOpaque);
        if (st == RPC_READER_EOF)
            sock->eof = true;
        if (st != RPC_READER_OK)
            return st;

        rc = rpcReaderNext(sock->reader, retMsg);
        if (rc != 0)
            return rc > 0 ? RPC_READER_OK : RPC_READER_ERROR;
    } while ((sock->tls && rpcTLSSessionPending(sock->tls) > 0) ||
             (!sock->tls && !rpcReaderDrained(sock->reader)));
    return RPC_READER_AGAIN;
}

/**
 * rpcSocketInputDrained:
 * @sock: a connected socket
 *
 * Lets a reader that just took a packet stop before a read(2) that would
 * fail with EAGAIN: true when the last read got less than it asked for
 * (the kernel had nothing more then) and nothing is buffered.  New bytes
 * arriving since make the socket readable again for poll, so a
 * level-triggered loop loses nothing.  Always false with TLS, which reads
 * a record at a time.
 *
 * Returns: true when another rpcSocketReceive now would find nothing.
 */
bool
rpcSocketInputDrained(const RpcSocket *sock)
{
    return !sock->tls && !sock->listener && rpcReaderDrained(sock->reader);
}

/**
 * rpcSocketQueue:
 * @sock: a connected socket
 * @msg: an encoded packet; ownership is taken
 *
 * Queues @msg for sending; rpcSocketFlush writes it.
 */
void
rpcSocketQueue(RpcSocket *sock, RpcMessage *msg)
{
    rpcWriterPush(sock->writer, msg);
}

/**
 * rpcSocketFlush:
 * @sock: a connected socket
 *
 * Writes queued packets without blocking.
 *
 * Returns: 1 when everything was written, 0 when packets remain (wait
 * until writable), -1 with an error reported.
 */
int
rpcSocketFlush(RpcSocket *sock)
{
    if (sock->listener) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("cannot send on a listening socket"));
        return -1;
    }
    return rpcWriterFlush(sock->writer, sock->writeFunc, sock->ioOpaque);
}

/**
 * rpcSocketWriteDirect:
 * @sock: a connected plain socket (not TLS) with nothing queued
 * @iov: bytes to write, in order
 * @iovcnt: their number
 *
 * Writes what the socket takes now, bypassing the queue, so that bulk
 * data (stream packets) goes from the caller's buffer to the kernel
 * without being copied into a packet first.  The caller queues whatever
 * was not written (rpcSocketQueue) before anything else is written.
 *
 * Returns: the bytes written (0 when the socket is full), or -1 with an
 * error reported (the connection is unusable).
 */
ssize_t
rpcSocketWriteDirect(RpcSocket *sock, const struct iovec *iov, int iovcnt)
{
    ssize_t done;

    if (sock->listener || sock->tls || rpcSocketHasOutput(sock)) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("cannot write around the socket's queue"));
        return -1;
    }
    do {
        done = sock->writeFunc(sock->ioOpaque, iov, iovcnt);
    } while (done < 0 && errno == EINTR);
    if (done < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        reportSystemError(errno, "%s", _("cannot write to the connection"));
        return -1;
    }
    return done;
}

/**
 * rpcSocketCanWriteDirect:
 * @sock: a socket
 *
 * Returns: true when rpcSocketWriteDirect may be used now: a plain
 * connection whose queue is empty.
 */
bool
rpcSocketCanWriteDirect(const RpcSocket *sock)
{
    return !sock->listener && !sock->tls && !rpcSocketHasOutput(sock);
}

/**
 * rpcSocketHasOutput:
 * @sock: a socket
 *
 * Returns: true when packets wait to be written (watch for writability).
 */
bool
rpcSocketHasOutput(const RpcSocket *sock)
{
    return sock->writer && !rpcWriterIsEmpty(sock->writer);
}

/**
 * rpcSocketQueuedBytes:
 * @sock: a socket
 *
 * Returns: bytes queued and not yet written.
 */
size_t
rpcSocketQueuedBytes(const RpcSocket *sock)
{
    return sock->writer ? rpcWriterQueuedBytes(sock->writer) : 0;
}

/**
 * rpcSocketWait:
 * @sock: a socket
 * @forWrite: wait for writability instead of readability
 * @timeoutMs: longest wait in milliseconds, -1 for no limit
 *
 * Blocks until @sock is ready, for simple synchronous users and tests;
 * event-loop users watch rpcSocketGetFD instead.
 *
 * Returns: 1 when ready (or the peer hung up), 0 on timeout, -1 with an
 * error reported.
 */
int
rpcSocketWait(const RpcSocket *sock, bool forWrite, int timeoutMs)
{
    struct pollfd pfd = {.fd = sock->fd, .events = forWrite ? POLLOUT : POLLIN};
    int rc;

    do {
        rc = poll(&pfd, 1, timeoutMs);
    } while (rc < 0 && errno == EINTR);

    if (rc < 0) {
        reportSystemError(errno, "%s", _("cannot wait for the socket"));
        return -1;
    }
    return rc > 0 ? 1 : 0;
}
