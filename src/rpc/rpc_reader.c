/* Assembles RPC packets from a non-blocking byte stream, with length limits. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_RPC

#include "rpc/rpc_reader.h"
#include "util/error.h"
#include "util/log.h"

LOG_INIT("rpc.reader");

/*
 * Bytes read per system call.  Small packets arrive many to a read; the
 * tail of a packet larger than this is read straight into its own buffer.
 */
#define RPC_READER_STAGE_SIZE RPC_MESSAGE_INITIAL

/* The length word and the header of a packet. */
#define RPC_READER_PREFIX_LEN (RPC_MESSAGE_LEN_MAX + RPC_MESSAGE_HEADER_MAX)

struct _RpcReader {
    RpcMessage *msg; /* packet being assembled, NULL between packets */
    bool haveLength; /* the length word of @msg was decoded */

    uint8_t *stage; /* bytes read but not yet given to a packet */
    size_t stageStart;
    size_t stageEnd;
    size_t stageSize;

    bool bulk;      /* the last packet was larger than the stage (stream data) */
    bool failed;    /* a bad packet was seen: the stream is lost */
    bool lastShort; /* the last fill got less than it asked for (or nothing) */
};

/**
 * rpcReaderNew:
 *
 * Returns: a reader with nothing buffered (caller owns; free with
 * rpcReaderFree), never NULL.
 */
RpcReader *
rpcReaderNew(void)
{
    return g_new0(RpcReader, 1);
}

/**
 * rpcReaderFree:
 * @reader: a reader, or NULL
 *
 * Releases @reader and any partial packet it holds.
 */
void
rpcReaderFree(RpcReader *reader)
{
    if (!reader)
        return;
    rpcMessageFree(reader->msg);
    g_free(reader->stage);
    g_free(reader);
}

/* Moves unconsumed bytes to the front and makes room for @want more. */
static void
rpcReaderMakeRoom(RpcReader *reader, size_t want)
{
    size_t avail = reader->stageEnd - reader->stageStart;

    if (avail == 0) {
        reader->stageStart = reader->stageEnd = 0;
    } else if (reader->stageStart > 0 && reader->stageSize - reader->stageEnd < want) {
        memmove(reader->stage, reader->stage + reader->stageStart, avail);
        reader->stageStart = 0;
        reader->stageEnd = avail;
    }
    if (reader->stageSize - reader->stageEnd < want) {
        reader->stageSize = MAX(reader->stageEnd + want, RPC_READER_STAGE_SIZE);
        reader->stage = g_realloc(reader->stage, reader->stageSize);
    }
}

/**
 * rpcReaderFeed:
 * @reader: a reader
 * @data: bytes of the stream
 * @len: their number
 *
 * Appends bytes that came from the stream by some other means (tests,
 * fuzzing, a transport that decrypts into its own buffer).  Packets are
 * taken out with rpcReaderNext.
 */
void
rpcReaderFeed(RpcReader *reader, const void *data, size_t len)
{
    if (len == 0)
        return;
    rpcReaderMakeRoom(reader, len);
    memcpy(reader->stage + reader->stageEnd, data, len);
    reader->stageEnd += len;
}

/**
 * rpcReaderNext:
 * @reader: a reader
 * @retMsg: set to the next complete packet on success
 *
 * Takes the next complete packet out of the buffered bytes.  Its length
 * word is checked (see rpcMessageDecodeLength) as soon as its four bytes
 * are there, so an oversized packet is refused before any of its body is
 * buffered; its header is decoded, its payload is not.  After an error
 * the stream is out of step and every later call fails.
 *
 * Returns: 1 with *@retMsg set (caller owns it), 0 when more bytes are
 * needed, -1 with VIR_ERR_RPC reported.
 */
int
rpcReaderNext(RpcReader *reader, RpcMessage **retMsg)
{
    if (reader->failed) {
        reportError(VIR_ERR_RPC, "%s",
                    _("the packet stream is out of step after an earlier error"));
        return -1;
    }

    for (;;) {
        size_t avail = reader->stageEnd - reader->stageStart;
        RpcMessage *msg = reader->msg;
        size_t n;

        if (!msg) {
            if (avail == 0)
                return 0;
            msg = reader->msg = rpcMessageNew();
            /* Room for a small packet: no reallocation once its length is known. */
            msg->buffer = g_malloc(RPC_MESSAGE_BUFFER_INITIAL);
            msg->bufferCapacity = RPC_MESSAGE_BUFFER_INITIAL;
            msg->bufferLength = RPC_MESSAGE_LEN_MAX;
            msg->bufferOffset = 0;
            reader->haveLength = false;
        }

        n = MIN(msg->bufferLength - msg->bufferOffset, avail);
        if (n > 0) {
            memcpy(msg->buffer + msg->bufferOffset, reader->stage + reader->stageStart, n);
            msg->bufferOffset += n;
            reader->stageStart += n;
        }
        if (msg->bufferOffset < msg->bufferLength)
            return 0;

        if (!reader->haveLength) {
            if (rpcMessageDecodeLength(msg) < 0)
                goto error;
            reader->haveLength = true;
            continue;
        }

        if (rpcMessageDecodeHeader(msg) < 0)
            goto error;
        reader->haveLength = false;
        reader->bulk = msg->bufferLength > RPC_READER_STAGE_SIZE;
        *retMsg = g_steal_pointer(&reader->msg);
        return 1;
    }

error:
    reader->failed = true;
    g_clear_pointer(&reader->msg, rpcMessageFree);
    return -1;
}

/**
 * rpcReaderFill:
 * @reader: a reader
 * @func: how to read from the transport
 * @opaque: passed to @func (for rpcReaderReadFD, the fd as GINT_TO_POINTER)
 *
 * Reads once from the transport without blocking.  Usually the bytes go
 * to a staging buffer from which rpcReaderNext cuts packets; the rest of
 * a large packet is read straight into that packet.  EINTR is retried.
 *
 * Returns: RPC_READER_OK when bytes were read, RPC_READER_AGAIN when none
 * are available, RPC_READER_EOF when the peer closed the stream between
 * packets, RPC_READER_ERROR with an error reported on a read failure or
 * an end of file in the middle of a packet.
 */
RpcReaderStatus
rpcReaderFill(RpcReader *reader, RpcReaderReadFunc func, void *opaque)
{
    RpcMessage *msg = reader->msg;
    bool direct = false;
    uint8_t *dst = NULL;
    size_t want = 0;
    ssize_t got;

    if (reader->failed) {
        reportError(VIR_ERR_RPC, "%s",
                    _("the packet stream is out of step after an earlier error"));
        return RPC_READER_ERROR;
    }

    if (msg && reader->haveLength && reader->stageStart == reader->stageEnd &&
        msg->bufferLength - msg->bufferOffset >= RPC_READER_STAGE_SIZE) {
        direct = true;
        dst = msg->buffer + msg->bufferOffset;
        want = msg->bufferLength - msg->bufferOffset;
    } else {
        rpcReaderMakeRoom(reader, RPC_READER_STAGE_SIZE / 2);
        dst = reader->stage + reader->stageEnd;
        want = reader->stageSize - reader->stageEnd;
        /*
         * After a large packet (stream data) another one likely follows:
         * read only its length word and header here, so that its payload
         * is read straight into its own buffer instead of being copied
         * from the stage.
         */
        if (reader->bulk && !msg && reader->stageStart == reader->stageEnd)
            want = MIN(want, RPC_READER_PREFIX_LEN);
    }

    do {
        got = func(opaque, dst, want);
    } while (got < 0 && errno == EINTR);

    reader->lastShort = got < 0 || (size_t)got < want;
    if (got < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return RPC_READER_AGAIN;
        reportSystemError(errno, "%s", _("cannot read from the connection"));
        return RPC_READER_ERROR;
    }
    if (got == 0) {
        if (rpcReaderHasPartial(reader)) {
            reportError(VIR_ERR_RPC, "%s", _("connection closed in the middle of a packet"));
            return RPC_READER_ERROR;
        }
        return RPC_READER_EOF;
    }

    if (direct)
        msg->bufferOffset += got;
    else
        reader->stageEnd += got;
    return RPC_READER_OK;
}

/**
 * rpcReaderHasPartial:
 * @reader: a reader
 *
 * Returns: true when bytes of an incomplete packet are buffered, i.e. an
 * end of file now would cut a packet.
 */
bool
rpcReaderHasPartial(const RpcReader *reader)
{
    return reader->msg != NULL || reader->stageEnd > reader->stageStart;
}

/**
 * rpcReaderDrained:
 * @reader: a reader
 *
 * Returns: true when the last rpcReaderFill got fewer bytes than it asked
 * for (so a stream socket had nothing more at that moment) and no byte is
 * staged: filling again before the transport signals new input would
 * only fail with EAGAIN.  A packet being read straight into its own
 * buffer does not count as staged.
 */
bool
rpcReaderDrained(const RpcReader *reader)
{
    return reader->lastShort && reader->stageEnd == reader->stageStart;
}

/**
 * rpcReaderBuffered:
 * @reader: a reader
 *
 * Returns: the number of bytes received and not yet returned as packets.
 */
size_t
rpcReaderBuffered(const RpcReader *reader)
{
    size_t n = reader->stageEnd - reader->stageStart;

    if (reader->msg)
        n += reader->msg->bufferOffset;
    return n;
}

/**
 * rpcReaderReadFD:
 * @opaque: a file descriptor, as GINT_TO_POINTER(fd)
 * @buf: destination
 * @len: room in @buf
 *
 * An RpcReaderReadFunc for plain sockets and pipes: read(2).
 *
 * Returns: as read(2).
 */
ssize_t
rpcReaderReadFD(void *opaque, void *buf, size_t len)
{
    return read(GPOINTER_TO_INT(opaque), buf, len);
}
