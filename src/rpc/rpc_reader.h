/* Assembles RPC packets from a non-blocking byte stream, with length limits. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "rpc/rpc_message.h"

/* Outcome of the non-blocking receive functions. */
typedef enum {
    RPC_READER_ERROR = -1, /* error reported; the connection is unusable */
    RPC_READER_AGAIN = 0,  /* nothing more now: wait until readable */
    RPC_READER_OK = 1,     /* progress: bytes read, or a packet returned */
    RPC_READER_EOF = 2,    /* the peer closed its end between two packets */
} RpcReaderStatus;

/*
 * Reads up to @len bytes into @buf with read(2)'s conventions: the count,
 * 0 at end of file, or -1 with errno (EAGAIN when nothing is available).
 * The plain fd version is rpcReaderReadFD; TLS supplies its own.
 */
typedef ssize_t (*RpcReaderReadFunc)(void *opaque, void *buf, size_t len);

typedef struct _RpcReader RpcReader;

RpcReader *rpcReaderNew(void);
void rpcReaderFree(RpcReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcReader, rpcReaderFree);

void rpcReaderFeed(RpcReader *reader, const void *data, size_t len);
int rpcReaderNext(RpcReader *reader, RpcMessage **retMsg);
RpcReaderStatus rpcReaderFill(RpcReader *reader, RpcReaderReadFunc func, void *opaque);
bool rpcReaderHasPartial(const RpcReader *reader);
bool rpcReaderDrained(const RpcReader *reader);
size_t rpcReaderBuffered(const RpcReader *reader);

ssize_t rpcReaderReadFD(void *opaque, void *buf, size_t len);
