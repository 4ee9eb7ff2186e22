/* Queue of encoded RPC packets, flushed to a non-blocking byte stream. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#define ERR_DOMAIN VIR_FROM_RPC

#include "rpc/rpc_writer.h"
#include "util/error.h"
#include "util/log.h"

LOG_INIT("rpc.writer");

/* Packets handed to one writev/sendmsg call at most. */
#define RPC_WRITER_IOV_MAX 64

struct _RpcWriter {
    GQueue queue;       /* RpcMessage *, oldest first */
    size_t headOffset;  /* bytes of the oldest packet already written */
    size_t queuedBytes; /* bytes still to write, over the whole queue */
};

/**
 * rpcWriterNew:
 *
 * Returns: an empty writer (caller owns; free with rpcWriterFree), never
 * NULL.
 */
RpcWriter *
rpcWriterNew(void)
{
    RpcWriter *writer = g_new0(RpcWriter, 1);

    g_queue_init(&writer->queue);
    return writer;
}

/**
 * rpcWriterFree:
 * @writer: a writer, or NULL
 *
 * Releases @writer and every packet still queued (they are not sent).
 */
void
rpcWriterFree(RpcWriter *writer)
{
    if (!writer)
        return;
    g_queue_clear_full(&writer->queue, (GDestroyNotify)rpcMessageFree);
    g_free(writer);
}

/**
 * rpcWriterPush:
 * @writer: a writer
 * @msg: an encoded packet; the writer takes ownership
 *
 * Queues @msg after every packet pushed before it.  Nothing is written
 * until rpcWriterFlush.
 */
void
rpcWriterPush(RpcWriter *writer, RpcMessage *msg)
{
    writer->queuedBytes += msg->bufferLength;
    g_queue_push_tail(&writer->queue, msg);
}

/**
 * rpcWriterFlush:
 * @writer: a writer
 * @func: how to write to the transport
 * @opaque: passed to @func (for rpcWriterWriteFD, the fd as GINT_TO_POINTER)
 *
 * Writes queued packets without blocking, gathering up to 64 packets per
 * system call, until the queue is empty or the transport is full.
 * Written packets are freed; a packet written in part is resumed at the
 * next call.  EINTR is retried.
 *
 * Returns: 1 when the queue is empty, 0 when the transport is full and
 * packets remain (wait until writable), -1 with an error reported when
 * writing failed (the connection is unusable).
 */
int
rpcWriterFlush(RpcWriter *writer, RpcWriterWriteFunc func, void *opaque)
{
    while (!g_queue_is_empty(&writer->queue)) {
        struct iovec iov[RPC_WRITER_IOV_MAX];
        int niov = 0;
        GList *link;
        ssize_t done;

        for (link = writer->queue.head; link && niov < RPC_WRITER_IOV_MAX; link = link->next) {
            RpcMessage *msg = link->data;
            size_t skip = niov == 0 ? writer->headOffset : 0;

            iov[niov].iov_base = msg->buffer + skip;
            iov[niov].iov_len = msg->bufferLength - skip;
            niov++;
        }

        do {
            done = func(opaque, iov, niov);
        } while (done < 0 && errno == EINTR);

        if (done < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            reportSystemError(errno, "%s", _("cannot write to the connection"));
            return -1;
        }
        writer->queuedBytes -= done;

        /* Drop what went out completely, remember where the next resumes. */
        while (done > 0) {
            RpcMessage *msg = g_queue_peek_head(&writer->queue);
            size_t left = msg->bufferLength - writer->headOffset;

            if ((size_t)done < left) {
                writer->headOffset += done;
                break;
            }
            done -= left;
            writer->headOffset = 0;
            rpcMessageFree(g_queue_pop_head(&writer->queue));
        }
    }
    return 1;
}

/**
 * rpcWriterIsEmpty:
 * @writer: a writer
 *
 * Returns: true when nothing is left to write.
 */
bool
rpcWriterIsEmpty(const RpcWriter *writer)
{
    return writer->queue.length == 0;
}

/**
 * rpcWriterQueuedBytes:
 * @writer: a writer
 *
 * Returns: bytes queued and not yet written; a server compares it with
 * its limit to stop reading from a client that does not read its replies.
 */
size_t
rpcWriterQueuedBytes(const RpcWriter *writer)
{
    return writer->queuedBytes;
}

/**
 * rpcWriterQueuedPackets:
 * @writer: a writer
 *
 * Returns: the number of packets not completely written.
 */
size_t
rpcWriterQueuedPackets(const RpcWriter *writer)
{
    return writer->queue.length;
}

/**
 * rpcWriterWriteFD:
 * @opaque: a file descriptor, as GINT_TO_POINTER(fd)
 * @iov: buffers to write
 * @iovcnt: their number
 *
 * An RpcWriterWriteFunc for plain fds.  On a socket it uses sendmsg with
 * MSG_NOSIGNAL, so that a peer that went away gives EPIPE rather than
 * killing the process with SIGPIPE; on anything else, writev.
 *
 * Returns: as writev(2).
 */
ssize_t
rpcWriterWriteFD(void *opaque, const struct iovec *iov, int iovcnt)
{
    int fd = GPOINTER_TO_INT(opaque);
    struct msghdr mh = {0};
    ssize_t ret;

    mh.msg_iov = (struct iovec *)iov;
    mh.msg_iovlen = iovcnt;
    ret = sendmsg(fd, &mh, MSG_NOSIGNAL);
    if (ret < 0 && errno == ENOTSOCK)
        ret = writev(fd, iov, iovcnt);
    return ret;
}
