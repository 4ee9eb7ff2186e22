/* Streams backed by a file descriptor (a pty, a pipe, a file), for the drivers. */
#define ERR_DOMAIN VIR_FROM_STREAMS
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/fdstream.h"
#include "api/driver.h"
#include "api/stream_event.h"
#include "util/error.h"
#include "util/event.h"
#include "util/log.h"
#include "util/thread.h"

LOG_INIT("api.fdstream");

/*
 * The descriptor is always non-blocking; a blocking stream waits in
 * poll() on it and on an eventfd that fdStreamHangup signals.  Event
 * callbacks watch the descriptor through the application's event loop;
 * conditions that come from us (a hangup, a regular file, which is
 * always ready) are delivered by a zero timer instead.  The loop sources
 * hold references on the FdStream, so it outlives a dispatch racing
 * with virStreamFree.
 */
typedef struct {
    gint refs;                   /* atomic */
    Mutex lock;
    int fd;                      /* protected by lock; -1 once closed */
    int wakeFD;                  /* immutable: eventfd interrupting a blocking wait */
    bool regular;                /* immutable: a regular file (never waits) */
    bool hungup;                 /* protected by lock: forced off (fdStreamHangup) */
    bool closed;                 /* protected by lock: finished or aborted */
    StreamEventCb *ecb;          /* protected by lock; NULL without a callback */
    int cbEvents;                /* protected by lock */
    int watch;                   /* protected by lock; -1 when none */
    int timer;                   /* protected by lock; -1 when none */
    FdStreamCloseFunc closeFunc; /* protected by lock; cleared once called */
    void *closeOpaque;           /* protected by lock */
} FdStream;

/* What a loop source carries. */
typedef struct {
    FdStream *fs;
    StreamEventCb *ecb;
} FdStreamSource;

static FdStream *
fdStreamRef(FdStream *fs)
{
    g_atomic_int_inc(&fs->refs);
    return fs;
}

static void
fdStreamUnref(FdStream *fs)
{
    if (!fs || !g_atomic_int_dec_and_test(&fs->refs))
        return;
    if (fs->fd >= 0)
        close(fs->fd);
    close(fs->wakeFD);
    mutexClear(&fs->lock);
    g_free(fs);
}

static FdStreamSource *
fdStreamSourceNew(FdStream *fs, StreamEventCb *ecb)
{
    FdStreamSource *src = g_new0(FdStreamSource, 1);

    src->fs = fdStreamRef(fs);
    src->ecb = streamEventCbRef(ecb);
    return src;
}

static void
fdStreamSourceFree(void *opaque)
{
    FdStreamSource *src = opaque;

    streamEventCbUnref(src->ecb);
    fdStreamUnref(src->fs);
    g_free(src);
}

/* Calls the close notification once; must hold fs->lock (released around it). */
static void
fdStreamNotifyCloseLocked(virStreamPtr st, FdStream *fs)
{
    FdStreamCloseFunc func = g_steal_pointer(&fs->closeFunc);

    if (!func)
        return;
    mutexUnlock(&fs->lock);
    func(st, fs->closeOpaque);
    mutexLock(&fs->lock);
}

/* The conditions to deliver now, for @handleEvents from the watch. */
static int
fdStreamEventsLocked(FdStream *fs, int handleEvents)
{
    if (fs->hungup || fs->closed || fs->fd < 0)
        return VIR_STREAM_EVENT_HANGUP;
    if (fs->regular)
        return fs->cbEvents & (VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_WRITABLE);
    return handleEvents & (fs->cbEvents | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP);
}

static void
fdStreamDispatch(FdStreamSource *src, int handleEvents)
{
    FdStream *fs = src->fs;
    int events;

    mutexLock(&fs->lock);
    if (fs->ecb != src->ecb) {
        mutexUnlock(&fs->lock);
        return;
    }
    events = fdStreamEventsLocked(fs, handleEvents);
    mutexUnlock(&fs->lock);
    streamEventCbFire(src->ecb, events);
}

static void
fdStreamHandleEvent(int watch G_GNUC_UNUSED, int fd G_GNUC_UNUSED, int events, void *opaque)
{
    fdStreamDispatch(opaque, events);
}

static void
fdStreamTimerEvent(int timer G_GNUC_UNUSED, void *opaque)
{
    fdStreamDispatch(opaque, 0);
}

/*
 * Points the loop sources at the current state: the watch on the
 * descriptor for the wanted conditions, the timer when we must deliver
 * a condition ourselves.  Must hold fs->lock.
 */
static void
fdStreamUpdateSourcesLocked(FdStream *fs)
{
    bool own = fs->hungup || fs->closed || fs->fd < 0 || fs->regular;
    int handleEvents = 0;

    if (!fs->ecb)
        return;
    if (!own)
        handleEvents = fs->cbEvents & (VIR_EVENT_HANDLE_READABLE | VIR_EVENT_HANDLE_WRITABLE);
    if (fs->watch >= 0) {
        if (own) {
            eventRemoveHandle(fs->watch);
            fs->watch = -1;
        } else {
            eventUpdateHandle(fs->watch, handleEvents);
        }
    }
    if (fs->timer >= 0) {
        bool fire = fs->hungup || fs->closed || fs->fd < 0 ||
                    (fs->regular && (fs->cbEvents & (VIR_STREAM_EVENT_READABLE |
                                                     VIR_STREAM_EVENT_WRITABLE)));

        eventUpdateTimeout(fs->timer, fire ? 0 : -1);
    }
}

static void
fdStreamRemoveSourcesLocked(FdStream *fs)
{
    if (fs->watch >= 0)
        eventRemoveHandle(fs->watch);
    if (fs->timer >= 0)
        eventRemoveTimeout(fs->timer);
    fs->watch = -1;
    fs->timer = -1;
}

/* Closes the descriptor (finish, abort, free).  Must hold fs->lock. */
static void
fdStreamCloseLocked(virStreamPtr st, FdStream *fs)
{
    fs->closed = true;
    /* The loop stops watching the descriptor before it is closed. */
    fdStreamUpdateSourcesLocked(fs);
    if (fs->fd >= 0) {
        close(fs->fd);
        fs->fd = -1;
    }
    fdStreamNotifyCloseLocked(st, fs);
}

/*
 * Waits until the descriptor is ready for @events (POLLIN/POLLOUT) or
 * the stream is forced off.  Must hold fs->lock (dropped while waiting).
 * Returns 0, or -1 with an error reported.
 */
static int
fdStreamWaitLocked(FdStream *fs, short events)
{
    struct pollfd fds[2];
    int fd = fs->fd;

    fds[0].fd = fd;
    fds[0].events = events;
    fds[0].revents = 0;
    fds[1].fd = fs->wakeFD;
    fds[1].events = POLLIN;
    fds[1].revents = 0;
    mutexUnlock(&fs->lock);
    while (poll(fds, 2, -1) < 0) {
        if (errno != EINTR) {
            int saved = errno;

            mutexLock(&fs->lock);
            reportSystemError(saved, "%s", _("cannot wait for stream data"));
            return -1;
        }
    }
    mutexLock(&fs->lock);
    return 0;
}

/* Fails unless the stream can still transfer data.  Must hold fs->lock. */
static int
fdStreamCheckOpenLocked(FdStream *fs)
{
    if (fs->closed || fs->fd < 0) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("stream is not open"));
        return -1;
    }
    return 0;
}

static int
fdStreamSend(virStreamPtr st, const char *data, size_t nbytes)
{
    FdStream *fs = st->privateData;
    int ret = -1;

    if (nbytes > INT_MAX)
        nbytes = INT_MAX;
    mutexLock(&fs->lock);
    for (;;) {
        ssize_t n;

        if (fs->hungup) {
            reportError(VIR_ERR_OPERATION_ABORTED, "%s",
                        _("the stream was closed by another session"));
            break;
        }
        if (fdStreamCheckOpenLocked(fs) < 0)
            break;
        /* a socket whose reader went away gives EPIPE, never SIGPIPE */
        if ((n = send(fs->fd, data, nbytes, MSG_NOSIGNAL)) < 0 && errno == ENOTSOCK)
            n = write(fs->fd, data, nbytes);
        if (n >= 0) {
            ret = (int)n;
            break;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN) {
            reportSystemError(errno, "%s", _("cannot write to stream"));
            break;
        }
        if (st->flags & VIR_STREAM_NONBLOCK) {
            ret = -2;
            break;
        }
        if (fdStreamWaitLocked(fs, POLLOUT) < 0)
            break;
    }
    mutexUnlock(&fs->lock);
    return ret;
}

static int
fdStreamRecv(virStreamPtr st, char *data, size_t nbytes, unsigned int flags)
{
    FdStream *fs = st->privateData;
    int ret = -1;

    checkFlags(flags, 0, -1);
    if (nbytes > INT_MAX)
        nbytes = INT_MAX;
    mutexLock(&fs->lock);
    for (;;) {
        ssize_t n;

        if (fs->hungup) {
            ret = 0;
            break;
        }
        if (fdStreamCheckOpenLocked(fs) < 0)
            break;
        if ((n = read(fs->fd, data, nbytes)) >= 0) {
            ret = (int)n;
            break;
        }
        if (errno == EINTR)
            continue;
        if (errno == EIO && !fs->regular) {
            /* A pty whose other side is gone (the guest's QEMU exited). */
            ret = 0;
            break;
        }
        if (errno != EAGAIN) {
            reportSystemError(errno, "%s", _("cannot read from stream"));
            break;
        }
        if (st->flags & VIR_STREAM_NONBLOCK) {
            ret = -2;
            break;
        }
        if (fdStreamWaitLocked(fs, POLLIN) < 0)
            break;
    }
    mutexUnlock(&fs->lock);
    return ret;
}

static int
fdStreamEventAddCallback(virStreamPtr st, int events, virStreamEventCallback cb, void *opaque,
                         virFreeCallback ff)
{
    FdStream *fs = st->privateData;
    int ret = -1;

    mutexLock(&fs->lock);
    if (fs->ecb) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("stream already has a callback registered"));
        goto cleanup;
    }
    if (!eventHaveImpl()) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                    _("stream callbacks need an event loop implementation"));
        goto cleanup;
    }
    fs->ecb = streamEventCbNew(st, cb, opaque, ff);
    fs->cbEvents = events;
    if (!fs->regular && fs->fd >= 0) {
        fs->watch = eventAddHandle(fs->fd, 0, fdStreamHandleEvent, fdStreamSourceNew(fs, fs->ecb),
                                   fdStreamSourceFree);
    }
    fs->timer = eventAddTimeout(-1, fdStreamTimerEvent, fdStreamSourceNew(fs, fs->ecb),
                                fdStreamSourceFree);
    if (fs->timer < 0 || (!fs->regular && fs->fd >= 0 && fs->watch < 0)) {
        StreamEventCb *ecb = g_steal_pointer(&fs->ecb);

        /* A failed registration keeps the caller's data. */
        fdStreamRemoveSourcesLocked(fs);
        streamEventCbForgetFree(ecb);
        streamEventCbDetach(ecb);
        streamEventCbUnref(ecb);
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("cannot watch the stream"));
        goto cleanup;
    }
    fdStreamUpdateSourcesLocked(fs);
    ret = 0;

 cleanup:
    mutexUnlock(&fs->lock);
    return ret;
}

static int
fdStreamEventUpdateCallback(virStreamPtr st, int events)
{
    FdStream *fs = st->privateData;
    int ret = -1;

    mutexLock(&fs->lock);
    if (!fs->ecb) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("stream does not have a callback registered"));
    } else {
        fs->cbEvents = events;
        fdStreamUpdateSourcesLocked(fs);
        ret = 0;
    }
    mutexUnlock(&fs->lock);
    return ret;
}

static int
fdStreamEventRemoveCallback(virStreamPtr st)
{
    FdStream *fs = st->privateData;
    StreamEventCb *ecb = NULL;

    mutexLock(&fs->lock);
    if (!(ecb = g_steal_pointer(&fs->ecb))) {
        mutexUnlock(&fs->lock);
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("stream does not have a callback registered"));
        return -1;
    }
    fdStreamRemoveSourcesLocked(fs);
    fs->cbEvents = 0;
    mutexUnlock(&fs->lock);
    streamEventCbDetach(ecb);
    streamEventCbUnref(ecb);
    return 0;
}

static int
fdStreamFinish(virStreamPtr st)
{
    FdStream *fs = st->privateData;

    mutexLock(&fs->lock);
    fdStreamCloseLocked(st, fs);
    mutexUnlock(&fs->lock);
    return 0;
}

static void
fdStreamFree(virStreamPtr st)
{
    FdStream *fs = st->privateData;
    StreamEventCb *ecb = NULL;

    mutexLock(&fs->lock);
    ecb = g_steal_pointer(&fs->ecb);
    fdStreamRemoveSourcesLocked(fs);
    fdStreamCloseLocked(st, fs);
    mutexUnlock(&fs->lock);
    streamEventCbDetach(ecb);
    streamEventCbUnref(ecb);
    fdStreamUnref(fs);
}

static const StreamDriver fdStreamDriver = {
    .streamSend = fdStreamSend,
    .streamRecv = fdStreamRecv,
    .streamEventAddCallback = fdStreamEventAddCallback,
    .streamEventUpdateCallback = fdStreamEventUpdateCallback,
    .streamEventRemoveCallback = fdStreamEventRemoveCallback,
    .streamFinish = fdStreamFinish,
    .streamAbort = fdStreamFinish,
    .streamFree = fdStreamFree,
};

/**
 * fdStreamOpen:
 * @st: an unused stream
 * @fd: the descriptor (ownership taken, also on failure); made non-blocking
 * @closeFunc: told once when the stream closes (finish, abort, free), or NULL
 * @opaque: passed to @closeFunc
 *
 * Binds @st to @fd.
 *
 * Returns: 0, or -1 with an error reported.
 */
int
fdStreamOpen(virStreamPtr st, int fd, FdStreamCloseFunc closeFunc, void *opaque)
{
    FdStream *fs = NULL;
    struct stat sb;
    int flags;
    int wakeFD;

    if (fstat(fd, &sb) < 0 || (flags = fcntl(fd, F_GETFL)) < 0 ||
        fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        reportSystemError(errno, "%s", _("cannot set up the stream's descriptor"));
        close(fd);
        return -1;
    }
    if ((wakeFD = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
        reportSystemError(errno, "%s", _("cannot create an eventfd"));
        close(fd);
        return -1;
    }
    fs = g_new0(FdStream, 1);
    fs->refs = 1;
    mutexInit(&fs->lock);
    fs->fd = fd;
    fs->wakeFD = wakeFD;
    fs->regular = S_ISREG(sb.st_mode);
    fs->watch = -1;
    fs->timer = -1;
    fs->closeFunc = closeFunc;
    fs->closeOpaque = opaque;
    if (streamBind(st, &fdStreamDriver, fs) < 0) {
        fs->closeFunc = NULL;
        fdStreamUnref(fs);
        return -1;
    }
    return 0;
}

/**
 * fdStreamOpenFile:
 * @st: an unused stream
 * @path: a file to read
 *
 * Binds @st to the contents of @path (read side).
 *
 * Returns: 0, or -1 with an error reported.
 */
int
fdStreamOpenFile(virStreamPtr st, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    if (fd < 0) {
        reportSystemError(errno, _("Unable to open stream for '%1$s'"), path);
        return -1;
    }
    return fdStreamOpen(st, fd, NULL, NULL);
}

/**
 * fdStreamHangup:
 * @st: a stream opened by fdStreamOpen
 *
 * Forces the stream off (another session took the console): reads
 * return the end of data, writes fail, a waiting thread wakes up and the
 * event callback sees VIR_STREAM_EVENT_HANGUP.  Any thread.
 */
void
fdStreamHangup(virStreamPtr st)
{
    FdStream *fs = st->privateData;
    uint64_t one = 1;

    mutexLock(&fs->lock);
    if (!fs->hungup && !fs->closed) {
        fs->hungup = true;
        if (write(fs->wakeFD, &one, sizeof(one)) < 0)
            LOG_DEBUG("cannot wake the stream's waiter: %s", g_strerror(errno));
        fdStreamUpdateSourcesLocked(fs);
        fdStreamNotifyCloseLocked(st, fs);
    }
    mutexUnlock(&fs->lock);
}
