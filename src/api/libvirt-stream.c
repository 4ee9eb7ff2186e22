/* Public API: data streams (virStream*), with libvirt's semantics. */
#define ERR_DOMAIN VIR_FROM_STREAMS
#include <string.h>

#include "api/entry.h"

/* Chunk size of virStreamSendAll / virStreamRecvAll (libvirt's: 64 KiB). */
#define STREAM_ALL_CHUNK (64 * 1024)

/* Fail with VIR_ERR_INVALID_STREAM unless @st is a live stream. */
#define ENTRY_CHECK_STREAM(st, retval) \
    do { \
        if (!streamHandleIsValid(st)) { \
            errorReport(VIR_FROM_STREAMS, VIR_ERR_INVALID_STREAM, __FILE__, \
                        __func__, __LINE__, "%s", __func__); \
            entryDispatchError(NULL); \
            return retval; \
        } \
    } while (0)

/* VIR_ERR_NO_SUPPORT unless the stream is open and its driver has @field. */
#define STREAM_DRIVER_FUNC(st, field, label) \
    do { \
        if (!(st)->driver || !(st)->driver->field) { \
            reportError(VIR_ERR_NO_SUPPORT, "%s", __func__); \
            goto label; \
        } \
    } while (0)

/**
 * virStreamNew:
 * @conn: a connection
 * @flags: VIR_STREAM_NONBLOCK or 0
 *
 * Creates an unused stream, to be opened by a call such as
 * virDomainOpenConsole or virDomainScreenshot.  With VIR_STREAM_NONBLOCK,
 * virStreamSend / virStreamRecv return -2 instead of waiting.
 *
 * Returns: the stream (release with virStreamFree), or NULL on error.
 */
virStreamPtr
virStreamNew(virConnectPtr conn, unsigned int flags)
{
    errorReset();
    ENTRY_CHECK_CONN(conn, NULL);
    return streamHandleNew(conn, flags);
}

/**
 * virStreamRef:
 * @st: a stream
 *
 * Adds a reference, released by one more virStreamFree.
 *
 * Returns: 0, or -1 on error.
 */
int
virStreamRef(virStreamPtr st)
{
    errorReset();
    ENTRY_CHECK_STREAM(st, -1);
    streamHandleRef(st);
    return 0;
}

/**
 * virStreamSend:
 * @st: an open stream
 * @data: the bytes to send
 * @nbytes: how many
 *
 * Sends up to @nbytes.  A blocking stream waits until it can send some;
 * a non-blocking one returns -2 when it cannot take any now.
 *
 * Returns: the number of bytes sent (may be fewer than @nbytes), -2
 * (non-blocking, try later), or -1 on error.
 */
int
virStreamSend(virStreamPtr st, const char *data, size_t nbytes)
{
    int ret;

    errorReset();
    ENTRY_CHECK_STREAM(st, -1);
    ENTRY_CHECK_NON_NULL(data, error);
    STREAM_DRIVER_FUNC(st, streamSend, error);
    if ((ret = st->driver->streamSend(st, data, nbytes)) == -2)
        return -2;
    if (ret < 0)
        goto error;
    return ret;

 error:
    entryDispatchError(st->conn);
    return -1;
}

/**
 * virStreamRecvFlags:
 * @st: an open stream
 * @data: where to store the bytes
 * @nbytes: room in @data
 * @flags: 0 (VIR_STREAM_RECV_STOP_AT_HOLE needs sparse streams, which
 *         no virtkit driver offers yet)
 *
 * Receives up to @nbytes.  A blocking stream waits until data, the end
 * or an error arrives; a non-blocking one returns -2 when none is there.
 *
 * Returns: the number of bytes received, 0 at the end of the stream, -2
 * (non-blocking, nothing yet), or -1 on error.
 */
int
virStreamRecvFlags(virStreamPtr st, char *data, size_t nbytes, unsigned int flags)
{
    int ret;

    errorReset();
    ENTRY_CHECK_STREAM(st, -1);
    ENTRY_CHECK_NON_NULL(data, error);
    STREAM_DRIVER_FUNC(st, streamRecv, error);
    if ((ret = st->driver->streamRecv(st, data, nbytes, flags)) == -2)
        return -2;
    if (ret < 0)
        goto error;
    return ret;

 error:
    entryDispatchError(st->conn);
    return -1;
}

/**
 * virStreamRecv:
 * @st: an open stream
 * @data: where to store the bytes
 * @nbytes: room in @data
 *
 * virStreamRecvFlags with no flags.
 *
 * Returns: bytes received, 0 at the end, -2 (non-blocking), or -1.
 */
int
virStreamRecv(virStreamPtr st, char *data, size_t nbytes)
{
    int ret;

    errorReset();
    ENTRY_CHECK_STREAM(st, -1);
    ENTRY_CHECK_NON_NULL(data, error);
    STREAM_DRIVER_FUNC(st, streamRecv, error);
    if ((ret = st->driver->streamRecv(st, data, nbytes, 0)) == -2)
        return -2;
    if (ret < 0)
        goto error;
    return ret;

 error:
    entryDispatchError(st->conn);
    return -1;
}

/* Aborts @st after a failure in an *All loop, keeping the failure's error. */
static void
streamAbortQuietly(virStreamPtr st)
{
    g_autoptr(SavedError) saved = errorSave();

    if (st->driver && st->driver->streamAbort)
        st->driver->streamAbort(st);
}

/**
 * virStreamSendAll:
 * @st: an open, blocking stream
 * @handler: supplies the data
 * @opaque: passed to @handler
 *
 * Sends everything @handler supplies until it returns 0.  When @handler
 * or a send fails, the stream is aborted.  Call virStreamFinish after a
 * success.
 *
 * Returns: 0, or -1 on error (the stream is aborted).
 */
int
virStreamSendAll(virStreamPtr st, virStreamSourceFunc handler, void *opaque)
{
    g_autofree char *buf = NULL;

    errorReset();
    ENTRY_CHECK_STREAM(st, -1);
    ENTRY_CHECK_NON_NULL(handler, error);
    if (st->flags & VIR_STREAM_NONBLOCK) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("data sources cannot be used for non-blocking streams"));
        goto error;
    }
    STREAM_DRIVER_FUNC(st, streamSend, error);

    buf = g_malloc(STREAM_ALL_CHUNK);
    for (;;) {
        int got = handler(st, buf, STREAM_ALL_CHUNK, opaque);
        int off = 0;

        if (got < 0) {
            if (!errorIsSet())
                reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                            _("the stream's data source failed"));
            goto abort;
        }
        if (got == 0)
            break;
        while (off < got) {
            int sent = st->driver->streamSend(st, buf + off, (size_t)(got - off));

            if (sent < 0)
                goto abort;
            off += sent;
        }
    }
    return 0;

 abort:
    streamAbortQuietly(st);
 error:
    entryDispatchError(st->conn);
    return -1;
}

/**
 * virStreamRecvAll:
 * @st: an open, blocking stream
 * @handler: takes the data; must consume all it is given
 * @opaque: passed to @handler
 *
 * Receives until the end of the stream, passing everything to @handler.
 * When @handler or a receive fails, the stream is aborted.  Call
 * virStreamFinish after a success.
 *
 * Returns: 0, or -1 on error (the stream is aborted).
 */
int
virStreamRecvAll(virStreamPtr st, virStreamSinkFunc handler, void *opaque)
{
    g_autofree char *buf = NULL;

    errorReset();
    ENTRY_CHECK_STREAM(st, -1);
    ENTRY_CHECK_NON_NULL(handler, error);
    if (st->flags & VIR_STREAM_NONBLOCK) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("data sinks cannot be used for non-blocking streams"));
        goto error;
    }
    STREAM_DRIVER_FUNC(st, streamRecv, error);

    buf = g_malloc(STREAM_ALL_CHUNK);
    for (;;) {
        int got = st->driver->streamRecv(st, buf, STREAM_ALL_CHUNK, 0);
        int off = 0;

        if (got < 0)
            goto abort;
        if (got == 0)
            break;
        while (off < got) {
            int taken = handler(st, buf + off, (size_t)(got - off), opaque);

            if (taken <= 0) {
                if (!errorIsSet())
                    reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                                _("the stream's data sink failed"));
                goto abort;
            }
            off += taken;
        }
    }
    return 0;

 abort:
    streamAbortQuietly(st);
 error:
    entryDispatchError(st->conn);
    return -1;
}

/**
 * virStreamEventAddCallback:
 * @stream: an open, non-blocking stream
 * @events: VIR_STREAM_EVENT_* conditions to watch
 * @cb: called from the event loop when one of them holds
 * @opaque: passed to @cb
 * @ff: releases @opaque when the callback is removed, or NULL
 *
 * Watches the stream through the registered event loop.  One callback
 * per stream.
 *
 * Returns: 0, or -1 on error.
 */
int
virStreamEventAddCallback(virStreamPtr stream, int events, virStreamEventCallback cb,
                          void *opaque, virFreeCallback ff)
{
    errorReset();
    ENTRY_CHECK_STREAM(stream, -1);
    ENTRY_CHECK_NON_NULL(cb, error);
    STREAM_DRIVER_FUNC(stream, streamEventAddCallback, error);
    if (stream->driver->streamEventAddCallback(stream, events, cb, opaque, ff) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(stream->conn);
    return -1;
}

/**
 * virStreamEventUpdateCallback:
 * @stream: a stream with a callback
 * @events: the new set of VIR_STREAM_EVENT_* conditions
 *
 * Returns: 0, or -1 on error.
 */
int
virStreamEventUpdateCallback(virStreamPtr stream, int events)
{
    errorReset();
    ENTRY_CHECK_STREAM(stream, -1);
    STREAM_DRIVER_FUNC(stream, streamEventUpdateCallback, error);
    if (stream->driver->streamEventUpdateCallback(stream, events) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(stream->conn);
    return -1;
}

/**
 * virStreamEventRemoveCallback:
 * @stream: a stream with a callback
 *
 * Returns: 0, or -1 on error.
 */
int
virStreamEventRemoveCallback(virStreamPtr stream)
{
    errorReset();
    ENTRY_CHECK_STREAM(stream, -1);
    STREAM_DRIVER_FUNC(stream, streamEventRemoveCallback, error);
    if (stream->driver->streamEventRemoveCallback(stream) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(stream->conn);
    return -1;
}

/**
 * virStreamFinish:
 * @st: an open stream
 *
 * Ends the transfer normally: after the sender's last virStreamSend, or
 * after virStreamRecv returned 0.  Reports any error the other end had.
 *
 * Returns: 0, or -1 on error.
 */
int
virStreamFinish(virStreamPtr st)
{
    errorReset();
    ENTRY_CHECK_STREAM(st, -1);
    STREAM_DRIVER_FUNC(st, streamFinish, error);
    if (st->driver->streamFinish(st) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(st->conn);
    return -1;
}

/**
 * virStreamAbort:
 * @st: an open stream
 *
 * Ends the transfer early; the other end sees an error.
 *
 * Returns: 0, or -1 on error.
 */
int
virStreamAbort(virStreamPtr st)
{
    errorReset();
    ENTRY_CHECK_STREAM(st, -1);
    /* As libvirt: a stream never opened has nothing to abort. */
    if (!st->driver)
        return 0;
    STREAM_DRIVER_FUNC(st, streamAbort, error);
    if (st->driver->streamAbort(st) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(st->conn);
    return -1;
}

/**
 * virStreamFree:
 * @st: a stream
 *
 * Drops a reference; the last one releases the stream (a stream neither
 * finished nor aborted is aborted by its driver).
 *
 * Returns: 0, or -1 on error.
 */
int
virStreamFree(virStreamPtr st)
{
    errorReset();
    ENTRY_CHECK_STREAM(st, -1);
    streamHandleUnref(st);
    return 0;
}
