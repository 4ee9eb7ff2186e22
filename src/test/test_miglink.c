/* The test driver's simulated migration data link between two processes (test_miglink.h). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#define ERR_DOMAIN VIR_FROM_TEST

#include "test/test_miglink.h"
#include "util/error.h"
#include "util/log.h"

LOG_INIT("test.miglink");

/*
 * Wire: messages of four big-endian u32 (type, a, b, c), an UPDATE
 * followed by c more u32 (the events).  HELLO (a = token) is the source's
 * first message; UPDATE (a = xfer, b = pc, c = number of events); ACK.
 */
enum {
    LINK_MSG_HELLO = 1,
    LINK_MSG_UPDATE = 2,
    LINK_MSG_ACK = 3,
};

/* How long a sender waits for the peer's acknowledgement. */
#define LINK_ACK_TIMEOUT_US (5 * G_USEC_PER_SEC)
/* How long the destination waits for the source to connect. */
#define LINK_ACCEPT_TIMEOUT_MS (10 * 60 * 1000)

struct _TestMigLink {
    TestMigLinkApply apply; /* immutable */
    TestMigLinkDown down;   /* immutable */
    void *opaque;           /* immutable */
    guint32 token;          /* immutable */
    int listenFd;           /* immutable until free; -1 on the source */
    int wakeFd[2];          /* immutable: pipe that stops the thread */
    GThread *thread;        /* immutable */

    GMutex lock;
    GCond cond;
    int fd;           /* protected by lock; the connection, -1 none */
    bool dead;        /* protected by lock: connection gone for good */
    guint64 acks;     /* protected by lock: acknowledgements received */
    GMutex writeLock; /* serializes writes on fd */
};

static int
linkWriteAll(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= n;
    }
    return 0;
}

/* Read @len bytes, waking up for @wake; 0, or -1 on EOF, error or wake-up. */
static int
linkReadAll(int fd, int wake, void *buf, size_t len)
{
    char *p = buf;

    while (len > 0) {
        struct pollfd fds[2] = {{fd, POLLIN, 0}, {wake, POLLIN, 0}};
        ssize_t n;

        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (fds[1].revents)
            return -1;
        n = recv(fd, p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= n;
    }
    return 0;
}

static int
linkSendMsg(TestMigLink *link, int fd, guint32 type, guint32 a, guint32 b, const int *events,
            size_t nevents)
{
    guint32 buf[4 + TEST_MIG_LINK_MAX_EVENTS];
    size_t i;
    int rc;

    buf[0] = htonl(type);
    buf[1] = htonl(a);
    buf[2] = htonl(b);
    buf[3] = htonl((guint32)nevents);
    for (i = 0; i < nevents; i++)
        buf[4 + i] = htonl((guint32)events[i]);
    g_mutex_lock(&link->writeLock);
    rc = linkWriteAll(fd, buf, (4 + nevents) * sizeof(guint32));
    g_mutex_unlock(&link->writeLock);
    return rc;
}

/* Destination: wait for the source's connection with the right token. */
static int
linkAccept(TestMigLink *link)
{
    for (;;) {
        struct pollfd fds[2] = {{link->listenFd, POLLIN, 0}, {link->wakeFd[0], POLLIN, 0}};
        guint32 hello[4];
        int fd;
        int rc = poll(fds, 2, LINK_ACCEPT_TIMEOUT_MS);

        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0 || fds[1].revents)
            return -1;
        if ((fd = accept4(link->listenFd, NULL, NULL, SOCK_CLOEXEC)) < 0)
            continue;
        if (linkReadAll(fd, link->wakeFd[0], hello, sizeof(hello)) < 0 ||
            ntohl(hello[0]) != LINK_MSG_HELLO || ntohl(hello[1]) != link->token) {
            LOG_DEBUG("migration link: dropping a connection without the token");
            close(fd);
            continue;
        }
        return fd;
    }
}

static gpointer
linkThread(gpointer opaque)
{
    TestMigLink *link = opaque;
    int fd;

    if (link->listenFd >= 0) {
        fd = linkAccept(link);
        g_mutex_lock(&link->lock);
        link->fd = fd;
        g_cond_broadcast(&link->cond);
        g_mutex_unlock(&link->lock);
    } else {
        g_mutex_lock(&link->lock);
        fd = link->fd;
        g_mutex_unlock(&link->lock);
    }

    while (fd >= 0) {
        guint32 hdr[4];
        guint32 evs[TEST_MIG_LINK_MAX_EVENTS];
        int events[TEST_MIG_LINK_MAX_EVENTS];
        guint32 n;
        guint32 i;

        if (linkReadAll(fd, link->wakeFd[0], hdr, sizeof(hdr)) < 0)
            break;
        if (ntohl(hdr[0]) == LINK_MSG_ACK) {
            g_mutex_lock(&link->lock);
            link->acks++;
            g_cond_broadcast(&link->cond);
            g_mutex_unlock(&link->lock);
            continue;
        }
        n = ntohl(hdr[3]);
        if (ntohl(hdr[0]) != LINK_MSG_UPDATE || n > TEST_MIG_LINK_MAX_EVENTS ||
            linkReadAll(fd, link->wakeFd[0], evs, n * sizeof(guint32)) < 0)
            break;
        for (i = 0; i < n; i++)
            events[i] = (int)ntohl(evs[i]);
        link->apply(link->opaque, (int)ntohl(hdr[1]), (int)ntohl(hdr[2]), events, n);
        if (linkSendMsg(link, fd, LINK_MSG_ACK, 0, 0, NULL, 0) < 0)
            break;
    }

    g_mutex_lock(&link->lock);
    link->dead = true;
    g_cond_broadcast(&link->cond);
    g_mutex_unlock(&link->lock);
    /* not when we were told to stop: the owner is going away */
    {
        struct pollfd wake = {link->wakeFd[0], POLLIN, 0};

        if (poll(&wake, 1, 0) == 0) {
            LOG_DEBUG("migration link: connection to the peer lost");
            link->down(link->opaque);
        }
    }
    return NULL;
}

static TestMigLink *
linkNew(guint32 token, TestMigLinkApply apply, TestMigLinkDown down, void *opaque)
{
    TestMigLink *link = g_new0(TestMigLink, 1);

    link->apply = apply;
    link->down = down;
    link->opaque = opaque;
    link->token = token;
    link->listenFd = -1;
    link->fd = -1;
    g_mutex_init(&link->lock);
    g_mutex_init(&link->writeLock);
    g_cond_init(&link->cond);
    if (pipe2(link->wakeFd, O_CLOEXEC) < 0) {
        reportSystemError(errno, "%s", _("cannot create a pipe"));
        g_mutex_clear(&link->lock);
        g_mutex_clear(&link->writeLock);
        g_cond_clear(&link->cond);
        g_free(link);
        return NULL;
    }
    return link;
}

/* A socket bound to (listen) or connected to (!listen) @host:@port. */
static int
linkSocket(const char *host, int port, bool listen_, int *retPort)
{
    struct addrinfo hints = {0};
    struct addrinfo *res = NULL;
    struct addrinfo *ai;
    g_autofree char *service = g_strdup_printf("%d", port);
    int fd = -1;
    int saved = 0;
    int rc;

    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = listen_ ? AI_PASSIVE : 0;
    if ((rc = getaddrinfo(host, service, &hints, &res)) != 0) {
        reportError(VIR_ERR_OPERATION_FAILED, _("cannot resolve '%1$s': %2$s"), host ? host : "*",
                    gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        int one = 1;

        if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0)) < 0) {
            saved = errno;
            continue;
        }
        if (listen_) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 4) == 0)
                break;
        } else {
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
                break;
        }
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        reportSystemError(saved, _("cannot %1$s migration port %2$s:%3$d"),
                          listen_ ? "listen on" : "connect to", host ? host : "*", port);
        return -1;
    }
    if (listen_ && retPort) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);

        getsockname(fd, (struct sockaddr *)&ss, &len);
        *retPort = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                            : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    return fd;
}

/**
 * testMigLinkListen:
 * @host: address to listen on (NULL: every address)
 * @token: what the source must say first
 * @apply, @down, @opaque: the callbacks (see test_miglink.h)
 * @retPort: set to the port chosen
 *
 * Destination side: listens on an ephemeral port and waits, on the link's
 * own thread, for the source to connect.
 *
 * Returns: the link (free with testMigLinkFree), or NULL with an error.
 */
TestMigLink *
testMigLinkListen(const char *host, guint32 token, TestMigLinkApply apply, TestMigLinkDown down,
                  void *opaque, int *retPort)
{
    TestMigLink *link = linkNew(token, apply, down, opaque);

    if (!link)
        return NULL;
    if ((link->listenFd = linkSocket(host, 0, true, retPort)) < 0) {
        testMigLinkFree(link);
        return NULL;
    }
    link->thread = g_thread_new("test-miglink", linkThread, link);
    return link;
}

/**
 * testMigLinkConnect:
 * @host, @port: where the destination listens
 * @token: the destination's token (from its cookie)
 * @apply, @down, @opaque: the callbacks (see test_miglink.h)
 *
 * Source side: connects to the destination's link.
 *
 * Returns: the link (free with testMigLinkFree), or NULL with an error.
 */
TestMigLink *
testMigLinkConnect(const char *host, int port, guint32 token, TestMigLinkApply apply,
                   TestMigLinkDown down, void *opaque)
{
    TestMigLink *link = linkNew(token, apply, down, opaque);
    int fd;

    if (!link)
        return NULL;
    if ((fd = linkSocket(host, port, false, NULL)) < 0) {
        testMigLinkFree(link);
        return NULL;
    }
    link->fd = fd;
    if (linkSendMsg(link, fd, LINK_MSG_HELLO, token, 0, NULL, 0) < 0) {
        reportSystemError(errno, _("cannot talk to migration port %1$s:%2$d"), host, port);
        testMigLinkFree(link);
        return NULL;
    }
    link->thread = g_thread_new("test-miglink", linkThread, link);
    return link;
}

/**
 * testMigLinkSend:
 * @link: a link
 * @xfer, @pc: the new transfer state / post-copy flag, -1 = unchanged
 * @events, @nevents: events for the peer's queue (at most
 *                    TEST_MIG_LINK_MAX_EVENTS)
 *
 * Sends an update and waits until the peer has applied it.  On the
 * destination, waits for the source to connect first.
 *
 * Returns: 0, or -1 when the link is down (no error reported: the
 * link's down callback tells the owner).
 */
int
testMigLinkSend(TestMigLink *link, int xfer, int pc, const int *events, size_t nevents)
{
    gint64 deadline = g_get_monotonic_time() + LINK_ACK_TIMEOUT_US;
    guint64 want;
    int fd;

    if (nevents > TEST_MIG_LINK_MAX_EVENTS)
        nevents = TEST_MIG_LINK_MAX_EVENTS;
    g_mutex_lock(&link->lock);
    while (link->fd < 0 && !link->dead) {
        if (!g_cond_wait_until(&link->cond, &link->lock, deadline))
            break;
    }
    fd = link->fd;
    want = link->acks + 1;
    if (fd < 0 || link->dead) {
        g_mutex_unlock(&link->lock);
        return -1;
    }
    g_mutex_unlock(&link->lock);
    if (linkSendMsg(link, fd, LINK_MSG_UPDATE, (guint32)xfer, (guint32)pc, events, nevents) < 0)
        return -1;
    g_mutex_lock(&link->lock);
    while (link->acks < want && !link->dead) {
        if (!g_cond_wait_until(&link->cond, &link->lock, deadline))
            break;
    }
    want = link->acks >= want;
    g_mutex_unlock(&link->lock);
    return want ? 0 : -1;
}

/**
 * testMigLinkFree:
 * @link: a link or NULL
 *
 * Closes the connection and stops the link's thread (the down callback
 * does not run for this).  Call without holding locks the callbacks take.
 */
void
testMigLinkFree(TestMigLink *link)
{
    if (!link)
        return;
    if (write(link->wakeFd[1], "x", 1) < 0)
        LOG_DEBUG("migration link: cannot wake the thread, ignoring");
    g_mutex_lock(&link->lock);
    if (link->fd >= 0)
        shutdown(link->fd, SHUT_RDWR);
    g_mutex_unlock(&link->lock);
    if (link->thread)
        g_thread_join(link->thread);
    if (link->fd >= 0)
        close(link->fd);
    if (link->listenFd >= 0)
        close(link->listenFd);
    close(link->wakeFd[0]);
    close(link->wakeFd[1]);
    g_cond_clear(&link->cond);
    g_mutex_clear(&link->writeLock);
    g_mutex_clear(&link->lock);
    g_free(link);
}
