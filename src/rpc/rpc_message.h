/* RPC packets: length word, header and XDR payload, encoded and decoded in memory (no I/O). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libvirt/virterror.h>

#include "rpc/rpc_protocol.h"

/*
 * Serial numbers of one-way packets, as libvirt 9.0 sends them: events
 * carry 1 and keepalive messages 0.  Receivers ignore the serial of
 * RPC_TYPE_MESSAGE packets; a call's serial is chosen by the client (the
 * first call of a connection has serial 0) and repeated by its reply and
 * by every packet of a stream the call opened.
 */
#define RPC_EVENT_SERIAL 1
#define RPC_KEEPALIVE_SERIAL 0

/*
 * First buffer of a packet: of an outgoing one (most calls and replies are
 * a few hundred bytes; a bigger payload is measured and the buffer grown
 * once) and of one being received (a small call then needs no second
 * allocation).  Up to this size glibc's malloc serves and takes back
 * blocks from its per-thread cache; a 4 KiB buffer cost each small call a
 * trip through the arena and a consolidation of its free lists.
 */
#define RPC_MESSAGE_BUFFER_INITIAL 1024

/*
 * One packet.  For an outgoing packet, fill @header then call an
 * rpcMessageEncode* function; @buffer then holds the bytes to send.  For
 * an incoming one, the reader fills @buffer and the rpcMessageDecode*
 * functions take it apart.
 */
typedef struct _RpcMessage RpcMessage;
struct _RpcMessage {
    rpc_header header;

    /*
     * The packet, length word first.  While a packet is received,
     * @bufferLength is the number of bytes expected and @bufferOffset the
     * number received; once decoding starts, @bufferOffset is the decode
     * cursor.  While encoding, @bufferLength is the bytes written so far.
     */
    uint8_t *buffer;
    size_t bufferLength;
    size_t bufferOffset;
    size_t bufferCapacity;

    /* File descriptors announced by a *_WITH_FDS packet (-1 until received). */
    size_t nfds;
    int *fds;

    /*
     * Called once by rpcMessageFree, i.e. when a queued packet has been
     * written out or dropped with its connection (stream flow control:
     * the daemon sends a stream's next data packet after the previous
     * one left).  Runs under the sending connection's lock: it may only
     * flag work for later.
     */
    void (*freeFunc)(void *opaque);
    void *freeOpaque;
};

RpcMessage *rpcMessageNew(void);
void rpcMessageFree(RpcMessage *msg);
void rpcMessageClear(RpcMessage *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcMessage, rpcMessageFree);

/* Header helpers. */
void rpcMessageSetHeader(RpcMessage *msg, unsigned int prog, unsigned int vers, int proc,
                         rpc_type type, unsigned int serial, rpc_status status);
void rpcMessageSetReplyHeader(RpcMessage *msg, const rpc_header *call, rpc_status status);
int rpcMessageCheckHeader(const RpcMessage *msg);
int rpcMessageCheckProgram(const RpcMessage *msg, unsigned int prog, unsigned int vers);
int rpcMessageCheckReply(const RpcMessage *msg, const rpc_header *call);
const char *rpcMessageTypeToString(int type);
const char *rpcMessageStatusToString(int status);
char *rpcMessageFormatHeader(const RpcMessage *msg);

/* Encoding. */
void rpcMessageReserve(RpcMessage *msg, size_t size);
int rpcMessageEncodeHeader(RpcMessage *msg);
int rpcMessageEncodeNumFDs(RpcMessage *msg);
int rpcMessageEncodePayload(RpcMessage *msg, xdrproc_t filter, const void *data);
int rpcMessageEncodePayloadRaw(RpcMessage *msg, const void *data, size_t len);
int rpcMessageEncode(RpcMessage *msg, xdrproc_t filter, const void *data);
int rpcMessageEncodeRaw(RpcMessage *msg, const void *data, size_t len);
int rpcMessageEncodeRawHeader(RpcMessage *msg, size_t len);
int rpcMessageEncodeError(RpcMessage *msg, const virError *err);

/* Decoding. */
int rpcMessageDecodeLength(RpcMessage *msg);
int rpcMessageDecodeHeader(RpcMessage *msg);
int rpcMessageDecodeNumFDs(RpcMessage *msg);
int rpcMessageDecodePayload(RpcMessage *msg, xdrproc_t filter, void *data);
int rpcMessageDecodeError(RpcMessage *msg, virError *retErr);
int rpcMessageReportError(RpcMessage *msg);
int rpcMessageSetPacket(RpcMessage *msg, const void *data, size_t len);
const uint8_t *rpcMessageGetPayload(const RpcMessage *msg, size_t *retLen);
