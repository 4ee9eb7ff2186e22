/* RPC packets: length word, header and XDR payload, encoded and decoded in memory (no I/O). */
#include <string.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_RPC

#include "rpc/rpc_message.h"
#include "util/error.h"
#include "util/log.h"

LOG_INIT("rpc.message");

/* Largest packet, length word included. */
#define RPC_MESSAGE_PACKET_MAX (RPC_MESSAGE_MAX + RPC_MESSAGE_LEN_MAX)

/* Length word + header. */
#define RPC_MESSAGE_PREFIX_LEN (RPC_MESSAGE_LEN_MAX + RPC_MESSAGE_HEADER_MAX)

G_STATIC_ASSERT(RPC_MESSAGE_PAYLOAD_MAX == RPC_MESSAGE_MAX - RPC_MESSAGE_HEADER_MAX);

static const char *const rpcMessageTypeNames[] = {
    "call", "reply", "message", "stream", "call-with-fds", "reply-with-fds", "stream-hole",
};
G_STATIC_ASSERT(G_N_ELEMENTS(rpcMessageTypeNames) == RPC_TYPE_LAST);

static const char *const rpcMessageStatusNames[] = {
    "ok",
    "error",
    "continue",
};
G_STATIC_ASSERT(G_N_ELEMENTS(rpcMessageStatusNames) == RPC_STATUS_LAST);

/**
 * rpcMessageNew:
 *
 * Allocates an empty packet.
 *
 * Returns: the new packet (caller owns; free with rpcMessageFree), never NULL.
 */
RpcMessage *
rpcMessageNew(void)
{
    /* Not g_new0: glibc's calloc bypasses the per-thread cache. */
    RpcMessage *msg = g_new(RpcMessage, 1);

    memset(msg, 0, sizeof(*msg));
    return msg;
}

/**
 * rpcMessageClear:
 * @msg: a packet
 *
 * Forgets the header, bytes and announced fds of @msg but keeps its buffer
 * for reuse.  Any fd still held is closed.
 */
void
rpcMessageClear(RpcMessage *msg)
{
    size_t i;

    for (i = 0; i < msg->nfds; i++) {
        if (msg->fds[i] >= 0)
            close(msg->fds[i]);
    }
    g_clear_pointer(&msg->fds, g_free);
    msg->nfds = 0;
    memset(&msg->header, 0, sizeof(msg->header));
    msg->bufferLength = 0;
    msg->bufferOffset = 0;
}

/**
 * rpcMessageFree:
 * @msg: a packet, or NULL
 *
 * Releases @msg, its buffer and any fd it still holds.
 */
void
rpcMessageFree(RpcMessage *msg)
{
    if (!msg)
        return;
    if (msg->freeFunc)
        msg->freeFunc(msg->freeOpaque);
    rpcMessageClear(msg);
    g_free(msg->buffer);
    g_free(msg);
}

/**
 * rpcMessageReserve:
 * @msg: a packet
 * @size: bytes the buffer must hold (length word included)
 *
 * Makes room for @size bytes in the buffer, keeping its contents.  A
 * sender that knows roughly how big a packet will be reserves that much
 * before encoding it, so that a big payload is encoded once instead of
 * measured (xdr_sizeof) and encoded again.
 */
void
rpcMessageReserve(RpcMessage *msg, size_t size)
{
    if (msg->bufferCapacity >= size)
        return;
    size = MAX(size, RPC_MESSAGE_BUFFER_INITIAL);
    msg->buffer = g_realloc(msg->buffer, size);
    msg->bufferCapacity = size;
}

/* Writes @msg->bufferLength into the length word. */
static void
rpcMessageStoreLength(RpcMessage *msg)
{
    uint32_t be = GUINT32_TO_BE((uint32_t)msg->bufferLength);

    memcpy(msg->buffer, &be, sizeof(be));
}

/**
 * rpcMessageSetHeader:
 * @msg: a packet
 * @prog: program number
 * @vers: program version
 * @proc: procedure number
 * @type: packet type
 * @serial: serial number
 * @status: status
 *
 * Fills the header of @msg; nothing is encoded yet.
 */
void
rpcMessageSetHeader(RpcMessage *msg, unsigned int prog, unsigned int vers, int proc, rpc_type type,
                    unsigned int serial, rpc_status status)
{
    msg->header.prog = prog;
    msg->header.vers = vers;
    msg->header.proc = proc;
    msg->header.type = type;
    msg->header.serial = serial;
    msg->header.status = status;
}

/**
 * rpcMessageSetReplyHeader:
 * @msg: the reply being built
 * @call: header of the call being answered
 * @status: RPC_STATUS_OK or RPC_STATUS_ERROR
 *
 * Fills the header of @msg as the reply to @call: same program, version,
 * procedure and serial, type RPC_TYPE_REPLY.
 */
void
rpcMessageSetReplyHeader(RpcMessage *msg, const rpc_header *call, rpc_status status)
{
    rpcMessageSetHeader(msg, call->prog, call->vers, call->proc, RPC_TYPE_REPLY, call->serial,
                        status);
}

/**
 * rpcMessageTypeToString:
 * @type: an rpc_type value
 *
 * Returns: a static name for @type, or NULL when it is not a known type.
 */
const char *
rpcMessageTypeToString(int type)
{
    if (type < 0 || type >= RPC_TYPE_LAST)
        return NULL;
    return rpcMessageTypeNames[type];
}

/**
 * rpcMessageStatusToString:
 * @status: an rpc_status value
 *
 * Returns: a static name for @status, or NULL when it is not known.
 */
const char *
rpcMessageStatusToString(int status)
{
    if (status < 0 || status >= RPC_STATUS_LAST)
        return NULL;
    return rpcMessageStatusNames[status];
}

/**
 * rpcMessageCheckHeader:
 * @msg: a packet whose header was decoded
 *
 * Checks that the type is known and that the status is one that type may
 * carry: calls and messages are always OK, replies OK or ERROR, stream
 * packets any status, hole packets CONTINUE.
 *
 * Returns: 0 if the header is well formed, -1 with VIR_ERR_RPC reported.
 */
int
rpcMessageCheckHeader(const RpcMessage *msg)
{
    const rpc_header *hdr = &msg->header;
    bool ok = false;

    switch ((int)hdr->type) {
    case RPC_TYPE_CALL:
    case RPC_TYPE_CALL_WITH_FDS:
    case RPC_TYPE_MESSAGE:
        ok = hdr->status == RPC_STATUS_OK;
        break;
    case RPC_TYPE_REPLY:
    case RPC_TYPE_REPLY_WITH_FDS:
        ok = hdr->status == RPC_STATUS_OK || hdr->status == RPC_STATUS_ERROR;
        break;
    case RPC_TYPE_STREAM:
        ok = hdr->status == RPC_STATUS_OK || hdr->status == RPC_STATUS_ERROR ||
             hdr->status == RPC_STATUS_CONTINUE;
        break;
    case RPC_TYPE_STREAM_HOLE:
        ok = hdr->status == RPC_STATUS_CONTINUE;
        break;
    default:
        reportError(VIR_ERR_RPC, _("unknown packet type %1$d (procedure %2$d, serial %3$u)"),
                    (int)hdr->type, hdr->proc, hdr->serial);
        return -1;
    }

    if (!ok) {
        reportError(VIR_ERR_RPC,
                    _("invalid status %1$d for packet type '%2$s' (procedure %3$d, serial %4$u)"),
                    (int)hdr->status, rpcMessageTypeToString(hdr->type), hdr->proc, hdr->serial);
        return -1;
    }
    return 0;
}

/**
 * rpcMessageCheckProgram:
 * @msg: a packet whose header was decoded
 * @prog: the program expected
 * @vers: its version
 *
 * Checks that @msg belongs to program @prog version @vers.  A server
 * tries each of its programs and answers a call for none of them with
 * this error, as libvirtd does.
 *
 * Returns: 0 if it does, -1 with VIR_ERR_RPC reported.
 */
int
rpcMessageCheckProgram(const RpcMessage *msg, unsigned int prog, unsigned int vers)
{
    if (msg->header.prog != prog || msg->header.vers != vers) {
        reportError(VIR_ERR_RPC, _("cannot find program %1$u version %2$u"), msg->header.prog,
                    msg->header.vers);
        return -1;
    }
    return 0;
}

/**
 * rpcMessageCheckReply:
 * @msg: a received reply whose header was decoded
 * @call: header of the call it is taken to answer
 *
 * Checks the rules that tie a reply to its call: a reply type, and the
 * call's program, version, procedure and serial.
 *
 * Returns: 0 if @msg answers @call, -1 with VIR_ERR_RPC reported.
 */
int
rpcMessageCheckReply(const RpcMessage *msg, const rpc_header *call)
{
    const rpc_header *hdr = &msg->header;

    if (hdr->type != RPC_TYPE_REPLY && hdr->type != RPC_TYPE_REPLY_WITH_FDS) {
        reportError(VIR_ERR_RPC,
                    _("expected a reply to procedure %1$d serial %2$u, got packet type %3$d"),
                    call->proc, call->serial, (int)hdr->type);
        return -1;
    }
    if (hdr->prog != call->prog || hdr->vers != call->vers || hdr->proc != call->proc ||
        hdr->serial != call->serial) {
        reportError(VIR_ERR_RPC,
                    _("reply %1$x:%2$u:%3$d:%4$u does not match the call %5$x:%6$u:%7$d:%8$u"),
                    hdr->prog, hdr->vers, hdr->proc, hdr->serial, call->prog, call->vers,
                    call->proc, call->serial);
        return -1;
    }
    return 0;
}

/**
 * rpcMessageFormatHeader:
 * @msg: a packet
 *
 * Describes the header and length of @msg in one line, for debug logs and
 * test output, e.g. "prog=0x20008086 vers=1 proc=66 type=call serial=0
 * status=ok len=28".
 *
 * Returns: the text (caller owns), never NULL.
 */
char *
rpcMessageFormatHeader(const RpcMessage *msg)
{
    const char *type = rpcMessageTypeToString(msg->header.type);
    const char *status = rpcMessageStatusToString(msg->header.status);
    g_autofree char *typeNum = NULL;
    g_autofree char *statusNum = NULL;

    if (!type)
        type = typeNum = g_strdup_printf("%d", (int)msg->header.type);
    if (!status)
        status = statusNum = g_strdup_printf("%d", (int)msg->header.status);

    return g_strdup_printf("prog=0x%x vers=%u proc=%d type=%s serial=%u status=%s len=%zu",
                           msg->header.prog, msg->header.vers, msg->header.proc, type,
                           msg->header.serial, status, msg->bufferLength);
}

/**
 * rpcMessageEncodeHeader:
 * @msg: a packet whose header is filled in
 *
 * Starts the bytes of @msg afresh: the length word and the header, with an
 * empty payload (length 28).  Payload encoders append after it.
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
rpcMessageEncodeHeader(RpcMessage *msg)
{
    XDR xdr;

    rpcMessageReserve(msg, RPC_MESSAGE_BUFFER_INITIAL);
    xdrmem_create(&xdr, (char *)msg->buffer + RPC_MESSAGE_LEN_MAX, RPC_MESSAGE_HEADER_MAX,
                  XDR_ENCODE);
    if (!xdr_rpc_header(&xdr, &msg->header)) {
        xdr_destroy(&xdr);
        reportError(VIR_ERR_RPC, "%s", _("unable to encode the packet header"));
        return -1;
    }
    xdr_destroy(&xdr);

    msg->bufferLength = RPC_MESSAGE_PREFIX_LEN;
    msg->bufferOffset = 0;
    rpcMessageStoreLength(msg);
    return 0;
}

/**
 * rpcMessageEncodeNumFDs:
 * @msg: a packet whose header was just encoded, with @msg->nfds set
 *
 * Appends the fd count that *_WITH_FDS packets carry before their payload.
 *
 * Returns: 0 on success, -1 with an error reported (too many fds).
 */
int
rpcMessageEncodeNumFDs(RpcMessage *msg)
{
    uint32_t be;

    if (msg->nfds > RPC_MESSAGE_NUM_FDS_MAX) {
        reportError(VIR_ERR_RPC, _("too many file descriptors: %1$zu, the limit is %2$d"),
                    msg->nfds, RPC_MESSAGE_NUM_FDS_MAX);
        return -1;
    }
    rpcMessageReserve(msg, msg->bufferLength + sizeof(be));
    be = GUINT32_TO_BE((uint32_t)msg->nfds);
    memcpy(msg->buffer + msg->bufferLength, &be, sizeof(be));
    msg->bufferLength += sizeof(be);
    rpcMessageStoreLength(msg);
    return 0;
}

/* Encodes @data with @filter at @start into @room bytes; returns the size or -1. */
static ssize_t
rpcMessageTryEncode(RpcMessage *msg, size_t start, size_t room, xdrproc_t filter, const void *data)
{
    XDR xdr;
    ssize_t ret = -1;

    xdrmem_create(&xdr, (char *)msg->buffer + start, room, XDR_ENCODE);
    if (filter(&xdr, (void *)data))
        ret = xdr_getpos(&xdr);
    xdr_destroy(&xdr);
    return ret;
}

/**
 * rpcMessageEncodePayload:
 * @msg: a packet whose header was encoded
 * @filter: XDR routine of the payload type, or NULL for no payload
 * @data: the payload struct (read only)
 *
 * Appends the XDR encoding of @data and updates the length word.  The
 * buffer grows as needed up to the protocol limit.
 *
 * Returns: 0 on success, -1 with VIR_ERR_RPC reported when @data cannot
 * be encoded (e.g. a string or array over its limit)
 * or the packet would exceed RPC_MESSAGE_MAX.
 */
int
rpcMessageEncodePayload(RpcMessage *msg, xdrproc_t filter, const void *data)
{
    size_t start = msg->bufferLength;
    ssize_t used;
    u_long needed;

    if (!filter)
        return 0;

    rpcMessageReserve(msg, MAX(start, RPC_MESSAGE_BUFFER_INITIAL));
    used = rpcMessageTryEncode(msg, start, msg->bufferCapacity - start, filter, data);
    if (used < 0) {
        /* Out of room, or not encodable at all: measuring tells which. */
        needed = xdr_sizeof(filter, (void *)data);
        if (needed == 0) {
            reportError(VIR_ERR_RPC, _("unable to encode the payload of procedure %1$d"),
                        msg->header.proc);
            return -1;
        }
        if (needed > RPC_MESSAGE_PACKET_MAX - start) {
            reportError(VIR_ERR_RPC,
                        _("packet too large: %1$lu payload bytes for procedure %2$d, limit %3$d"),
                        needed, msg->header.proc, RPC_MESSAGE_PAYLOAD_MAX);
            return -1;
        }
        rpcMessageReserve(msg, start + needed);
        used = rpcMessageTryEncode(msg, start, needed, filter, data);
        if (used < 0) {
            reportError(VIR_ERR_RPC, _("unable to encode the payload of procedure %1$d"),
                        msg->header.proc);
            return -1;
        }
    }
    if ((size_t)used > RPC_MESSAGE_PACKET_MAX - start) {
        reportError(VIR_ERR_RPC,
                    _("packet too large: %1$zd payload bytes for procedure %2$d, limit %3$d"), used,
                    msg->header.proc, RPC_MESSAGE_PAYLOAD_MAX);
        return -1;
    }

    msg->bufferLength = start + used;
    rpcMessageStoreLength(msg);
    return 0;
}

/**
 * rpcMessageEncodePayloadRaw:
 * @msg: a packet whose header was encoded
 * @data: bytes to append, may be NULL when @len is 0
 * @len: number of bytes
 *
 * Appends raw bytes (stream data, which is not XDR) and updates the length
 * word.
 *
 * Returns: 0 on success, -1 with VIR_ERR_RPC reported when the packet
 * would exceed RPC_MESSAGE_MAX.
 */
int
rpcMessageEncodePayloadRaw(RpcMessage *msg, const void *data, size_t len)
{
    size_t start = msg->bufferLength;

    if (len > RPC_MESSAGE_PACKET_MAX - start) {
        reportError(VIR_ERR_RPC,
                    _("packet too large: %1$zu payload bytes for procedure %2$d, limit %3$d"), len,
                    msg->header.proc, RPC_MESSAGE_PAYLOAD_MAX);
        return -1;
    }
    rpcMessageReserve(msg, start + len);
    if (len > 0)
        memcpy(msg->buffer + start, data, len);
    msg->bufferLength = start + len;
    rpcMessageStoreLength(msg);
    return 0;
}

/**
 * rpcMessageEncode:
 * @msg: a packet whose header is filled in (see rpcMessageSetHeader)
 * @filter: XDR routine of the payload, or NULL for an empty payload
 * @data: the payload struct
 *
 * Encodes the whole packet: length, header, then the fd count when the
 * type is a *_WITH_FDS one, then the payload.
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
rpcMessageEncode(RpcMessage *msg, xdrproc_t filter, const void *data)
{
    if (rpcMessageEncodeHeader(msg) < 0)
        return -1;
    if ((msg->header.type == RPC_TYPE_CALL_WITH_FDS ||
         msg->header.type == RPC_TYPE_REPLY_WITH_FDS) &&
        rpcMessageEncodeNumFDs(msg) < 0)
        return -1;
    return rpcMessageEncodePayload(msg, filter, data);
}

/**
 * rpcMessageEncodeRaw:
 * @msg: a packet whose header is filled in
 * @data: raw payload bytes
 * @len: their number
 *
 * Encodes a whole stream-data packet: length, header, raw bytes.
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
rpcMessageEncodeRaw(RpcMessage *msg, const void *data, size_t len)
{
    if (rpcMessageEncodeHeader(msg) < 0)
        return -1;
    return rpcMessageEncodePayloadRaw(msg, data, len);
}

/**
 * rpcMessageEncodeRawHeader:
 * @msg: a packet whose header is filled in
 * @len: the number of raw payload bytes that will follow
 *
 * Encodes the length word and header of a stream-data packet whose
 * payload is sent from elsewhere (the caller's buffer): the length word
 * counts @len more bytes than @msg holds.  @msg alone is not a whole
 * packet; its @len payload bytes must be written right after it.
 *
 * Returns: 0 on success, -1 with VIR_ERR_RPC reported when the packet
 * would exceed RPC_MESSAGE_MAX.
 */
int
rpcMessageEncodeRawHeader(RpcMessage *msg, size_t len)
{
    uint32_t be;

    if (rpcMessageEncodeHeader(msg) < 0)
        return -1;
    if (len > RPC_MESSAGE_PACKET_MAX - msg->bufferLength) {
        reportError(VIR_ERR_RPC,
                    _("packet too large: %1$zu payload bytes for procedure %2$d, limit %3$d"), len,
                    msg->header.proc, RPC_MESSAGE_PAYLOAD_MAX);
        return -1;
    }
    be = GUINT32_TO_BE((uint32_t)(msg->bufferLength + len));
    memcpy(msg->buffer, &be, sizeof(be));
    return 0;
}

/**
 * rpcMessageEncodeError:
 * @msg: a packet whose header is filled in (a reply or stream packet)
 * @err: the error to send, or NULL for the calling thread's error
 *
 * Sets the status of @msg to RPC_STATUS_ERROR and encodes @err as the
 * rpc_error payload.  When there is no error to send (the code is
 * VIR_ERR_OK), sends VIR_ERR_INTERNAL_ERROR "no error reported", so that
 * a failure never reaches the peer as a success.  @err is not modified.
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
rpcMessageEncodeError(RpcMessage *msg, const virError *err)
{
    g_autofree char *fallbackMsg = NULL;
    virError fallback = {0};
    rpc_error rerr = {0};

    if (!err || err->code == VIR_ERR_OK)
        err = errorIsSet() ? errorGetSlot() : NULL;
    if (!err) {
        fallbackMsg = errorFormatMessage(VIR_ERR_INTERNAL_ERROR, _("no error reported"));
        fallback.code = VIR_ERR_INTERNAL_ERROR;
        fallback.domain = VIR_FROM_RPC;
        fallback.level = VIR_ERR_ERROR;
        fallback.message = fallbackMsg;
        err = &fallback;
    }

    /* The strings are borrowed: encoding only reads them. */
    rerr.code = err->code;
    rerr.domain = err->domain;
    rerr.message = err->message ? (char **)&err->message : NULL;
    rerr.level = err->level;
    rerr.str1 = err->str1 ? (char **)&err->str1 : NULL;
    rerr.str2 = err->str2 ? (char **)&err->str2 : NULL;
    rerr.str3 = err->str3 ? (char **)&err->str3 : NULL;
    rerr.int1 = err->int1;
    rerr.int2 = err->int2;

    msg->header.status = RPC_STATUS_ERROR;
    return rpcMessageEncode(msg, (xdrproc_t)xdr_rpc_error, &rerr);
}

/* Validates a length word; reports and returns -1 when out of bounds. */
static int
rpcMessageCheckLength(uint32_t len)
{
    if (len < RPC_MESSAGE_PREFIX_LEN) {
        reportError(VIR_ERR_RPC,
                    _("packet too short: length %1$u is below the %2$d bytes of the header"), len,
                    RPC_MESSAGE_PREFIX_LEN);
        return -1;
    }
    if (len - RPC_MESSAGE_LEN_MAX > RPC_MESSAGE_MAX) {
        reportError(VIR_ERR_RPC, _("packet too large: length %1$u exceeds the limit of %2$d bytes"),
                    len, RPC_MESSAGE_PACKET_MAX);
        return -1;
    }
    return 0;
}

/**
 * rpcMessageDecodeLength:
 * @msg: a packet whose buffer holds at least the 4-byte length word
 *
 * Reads and checks the length word (at least 28, at most RPC_MESSAGE_MAX
 * plus the word itself), grows the buffer to hold the whole packet, and
 * sets @bufferLength to it; @bufferOffset becomes 4, the bytes received.
 *
 * Returns: 0 on success, -1 with VIR_ERR_RPC reported.
 */
int
rpcMessageDecodeLength(RpcMessage *msg)
{
    uint32_t be;
    uint32_t len;

    if (msg->bufferCapacity < RPC_MESSAGE_LEN_MAX || msg->bufferOffset < RPC_MESSAGE_LEN_MAX) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("packet length word not received yet"));
        return -1;
    }
    memcpy(&be, msg->buffer, sizeof(be));
    len = GUINT32_FROM_BE(be);
    if (rpcMessageCheckLength(len) < 0)
        return -1;

    rpcMessageReserve(msg, len);
    msg->bufferLength = len;
    msg->bufferOffset = RPC_MESSAGE_LEN_MAX;
    return 0;
}

/**
 * rpcMessageDecodeHeader:
 * @msg: a complete packet whose length was decoded
 *
 * Decodes the six header words into @msg->header and moves the decode
 * cursor to the payload.  Values are not judged here: see
 * rpcMessageCheckHeader.
 *
 * Returns: 0 on success, -1 with VIR_ERR_RPC reported.
 */
int
rpcMessageDecodeHeader(RpcMessage *msg)
{
    XDR xdr;

    if (msg->bufferLength < RPC_MESSAGE_PREFIX_LEN) {
        reportError(VIR_ERR_RPC,
                    _("packet too short: length %1$zu is below the %2$d bytes of the header"),
                    msg->bufferLength, RPC_MESSAGE_PREFIX_LEN);
        return -1;
    }
    xdrmem_create(&xdr, (char *)msg->buffer + RPC_MESSAGE_LEN_MAX, RPC_MESSAGE_HEADER_MAX,
                  XDR_DECODE);
    if (!xdr_rpc_header(&xdr, &msg->header)) {
        xdr_destroy(&xdr);
        reportError(VIR_ERR_RPC, "%s", _("unable to decode the packet header"));
        return -1;
    }
    xdr_destroy(&xdr);
    msg->bufferOffset = RPC_MESSAGE_PREFIX_LEN;
    return 0;
}

/**
 * rpcMessageDecodeNumFDs:
 * @msg: a *_WITH_FDS packet whose header was decoded
 *
 * Reads the fd count that precedes the payload, checks it against
 * RPC_MESSAGE_NUM_FDS_MAX and allocates @msg->fds, filled with -1 until the
 * transport receives them.
 *
 * Returns: 0 on success, -1 with VIR_ERR_RPC reported.
 */
int
rpcMessageDecodeNumFDs(RpcMessage *msg)
{
    uint32_t be;
    uint32_t nfds;
    size_t i;

    if (msg->bufferLength - msg->bufferOffset < sizeof(be)) {
        reportError(VIR_ERR_RPC, "%s", _("packet too short for its file descriptor count"));
        return -1;
    }
    memcpy(&be, msg->buffer + msg->bufferOffset, sizeof(be));
    nfds = GUINT32_FROM_BE(be);
    if (nfds > RPC_MESSAGE_NUM_FDS_MAX) {
        reportError(VIR_ERR_RPC, _("too many file descriptors: %1$u, the limit is %2$d"), nfds,
                    RPC_MESSAGE_NUM_FDS_MAX);
        return -1;
    }
    for (i = 0; i < msg->nfds; i++) {
        if (msg->fds[i] >= 0)
            close(msg->fds[i]);
    }
    g_free(msg->fds);
    msg->nfds = nfds;
    msg->fds = g_new(int, nfds);
    for (i = 0; i < nfds; i++)
        msg->fds[i] = -1;
    msg->bufferOffset += sizeof(be);
    return 0;
}

/**
 * rpcMessageDecodePayload:
 * @msg: a packet whose header (and fd count) was decoded
 * @filter: XDR routine of the expected payload type, or NULL when the
 *          payload must be empty
 * @data: zero-initialised struct of that type, filled on success
 *
 * Decodes the rest of the packet into @data.  The payload must be
 * consumed exactly: trailing bytes mean the peer and we disagree on the
 * layout, and are an error.  On failure whatever was partly decoded is
 * released with xdr_free, so @data needs no cleanup.
 *
 * Returns: 0 on success (free @data with xdr_free(@filter, @data)), -1
 * with VIR_ERR_RPC reported.
 */
int
rpcMessageDecodePayload(RpcMessage *msg, xdrproc_t filter, void *data)
{
    size_t avail = msg->bufferLength - msg->bufferOffset;
    XDR xdr;
    size_t used;

    if (msg->bufferOffset > msg->bufferLength) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("packet decode cursor out of range"));
        return -1;
    }
    if (!filter) {
        if (avail != 0) {
            reportError(VIR_ERR_RPC,
                        _("%1$zu unexpected bytes after the payload of procedure %2$d"), avail,
                        msg->header.proc);
            return -1;
        }
        return 0;
    }

    xdrmem_create(&xdr, (char *)msg->buffer + msg->bufferOffset, avail, XDR_DECODE);
    if (!filter(&xdr, data)) {
        xdr_destroy(&xdr);
        xdr_free(filter, data);
        reportError(VIR_ERR_RPC,
                    _("unable to decode the payload of procedure %1$d (type %2$d, %3$zu bytes)"),
                    msg->header.proc, (int)msg->header.type, avail);
        return -1;
    }
    used = xdr_getpos(&xdr);
    xdr_destroy(&xdr);
    if (used != avail) {
        xdr_free(filter, data);
        reportError(VIR_ERR_RPC, _("%1$zu unexpected bytes after the payload of procedure %2$d"),
                    avail - used, msg->header.proc);
        return -1;
    }
    msg->bufferOffset = msg->bufferLength;
    return 0;
}

/**
 * rpcMessageDecodeError:
 * @msg: a packet with status RPC_STATUS_ERROR whose header was decoded
 * @retErr: filled with the error on success (previous contents released)
 *
 * Decodes the rpc_error payload into @retErr.  A missing message is
 * replaced by the generic text for the code; a code of VIR_ERR_OK (a
 * peer bug) becomes VIR_ERR_RPC, so the result is always an error.
 *
 * Returns: 0 on success (release @retErr with errorClear), -1 with
 * VIR_ERR_RPC reported.
 */
int
rpcMessageDecodeError(RpcMessage *msg, virError *retErr)
{
    rpc_error rerr = {0};

    if (rpcMessageDecodePayload(msg, (xdrproc_t)xdr_rpc_error, &rerr) < 0)
        return -1;

    errorClear(retErr);
    retErr->code = rerr.code;
    if (retErr->code == VIR_ERR_OK)
        retErr->code = VIR_ERR_RPC;
    retErr->domain = rerr.domain;
    retErr->level = rerr.level;
    if (rerr.message && *rerr.message)
        retErr->message = g_strdup(*rerr.message);
    else
        retErr->message = errorFormatMessage(retErr->code, NULL);
    retErr->str1 = rerr.str1 ? g_strdup(*rerr.str1) : NULL;
    retErr->str2 = rerr.str2 ? g_strdup(*rerr.str2) : NULL;
    retErr->str3 = rerr.str3 ? g_strdup(*rerr.str3) : NULL;
    retErr->int1 = rerr.int1;
    retErr->int2 = rerr.int2;

    xdr_free((xdrproc_t)xdr_rpc_error, &rerr);
    return 0;
}

/**
 * rpcMessageReportError:
 * @msg: a failed reply (status RPC_STATUS_ERROR) whose header was decoded
 *
 * Makes the error carried by @msg the calling thread's error, exactly as
 * the peer reported it.  If the payload cannot be decoded, the decoding
 * error is reported instead.
 *
 * Returns: -1 always, so that callers can "return rpcMessageReportError(msg)".
 */
int
rpcMessageReportError(RpcMessage *msg)
{
    virError err = {0};

    if (rpcMessageDecodeError(msg, &err) < 0)
        return -1;
    errorSetFromCopy(&err);
    errorClear(&err);
    return -1;
}

/**
 * rpcMessageSetPacket:
 * @msg: a packet object, whose previous contents are dropped
 * @data: one complete packet, length word first
 * @len: its size
 *
 * Copies the bytes of a complete packet into @msg and decodes its length
 * word and header, leaving the decode cursor on the payload (for
 * *_WITH_FDS types, on the fd count).  The length word must equal @len.
 *
 * Returns: 0 on success, -1 with VIR_ERR_RPC reported.
 */
int
rpcMessageSetPacket(RpcMessage *msg, const void *data, size_t len)
{
    uint32_t be;
    uint32_t wireLen;

    rpcMessageClear(msg);
    if (len < RPC_MESSAGE_LEN_MAX) {
        reportError(VIR_ERR_RPC, _("packet too short: %1$zu bytes"), len);
        return -1;
    }
    memcpy(&be, data, sizeof(be));
    wireLen = GUINT32_FROM_BE(be);
    if (rpcMessageCheckLength(wireLen) < 0)
        return -1;
    if (wireLen != len) {
        reportError(VIR_ERR_RPC, _("packet length word says %1$u bytes but %2$zu were given"),
                    wireLen, len);
        return -1;
    }
    rpcMessageReserve(msg, len);
    memcpy(msg->buffer, data, len);
    msg->bufferLength = len;
    msg->bufferOffset = RPC_MESSAGE_LEN_MAX;
    return rpcMessageDecodeHeader(msg);
}

/**
 * rpcMessageGetPayload:
 * @msg: a decoded packet
 * @retLen: set to the number of payload bytes left
 *
 * Gives the undecoded rest of the packet, e.g. the raw data of a stream
 * packet.  The pointer is valid until @msg is modified or freed.
 *
 * Returns: the bytes at the decode cursor (never NULL when @retLen > 0).
 */
const uint8_t *
rpcMessageGetPayload(const RpcMessage *msg, size_t *retLen)
{
    if (msg->bufferOffset >= msg->bufferLength) {
        *retLen = 0;
        return msg->buffer ? msg->buffer + msg->bufferLength : NULL;
    }
    *retLen = msg->bufferLength - msg->bufferOffset;
    return msg->buffer + msg->bufferOffset;
}
