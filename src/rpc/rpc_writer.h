/* Queue of encoded RPC packets, flushed to a non-blocking byte stream. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "rpc/rpc_message.h"

/*
 * Writes from @iov with writev(2)'s conventions: the count written, or -1
 * with errno (EAGAIN when the transport is full).  The plain socket
 * version is rpcWriterWriteFD; TLS supplies its own.
 */
typedef ssize_t (*RpcWriterWriteFunc)(void *opaque, const struct iovec *iov, int iovcnt);

typedef struct _RpcWriter RpcWriter;

RpcWriter *rpcWriterNew(void);
void rpcWriterFree(RpcWriter *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcWriter, rpcWriterFree);

void rpcWriterPush(RpcWriter *writer, RpcMessage *msg);
int rpcWriterFlush(RpcWriter *writer, RpcWriterWriteFunc func, void *opaque);
bool rpcWriterIsEmpty(const RpcWriter *writer);
size_t rpcWriterQueuedBytes(const RpcWriter *writer);
size_t rpcWriterQueuedPackets(const RpcWriter *writer);

ssize_t rpcWriterWriteFD(void *opaque, const struct iovec *iov, int iovcnt);
