/* Client end of RPC streams: data, finish and abort packets under the serial of the opening call. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libvirt/virterror.h>

#include "rpc/rpc_client.h"
#include "rpc/rpc_message.h"

/*
 * One stream of a client (docs/internals/rpc.md, "Streams").  Create it,
 * open it with rpcClientStreamCall (the call whose reply starts the
 * stream), then move data with Send/Recv and end it with Finish or
 * Abort.  Thread safe; reference counted (the client holds a reference
 * while the stream is registered).
 */

/* VIR_STREAM_EVENT_* values, so that the remote driver passes them through. */
typedef void (*RpcClientStreamEventFunc)(RpcClientStream *st, int events, void *opaque);

RpcClientStream *rpcClientStreamNew(RpcClient *client, unsigned int prog, unsigned int vers,
                                    int proc);
RpcClientStream *rpcClientStreamRef(RpcClientStream *st);
void rpcClientStreamUnref(RpcClientStream *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcClientStream, rpcClientStreamUnref);

int rpcClientStreamCall(RpcClientStream *st, xdrproc_t argsFilter, const void *args,
                        xdrproc_t retFilter, void *ret);
int rpcClientStreamSend(RpcClientStream *st, const char *data, size_t nbytes, bool nonblock);
int rpcClientStreamRecv(RpcClientStream *st, char *data, size_t nbytes, bool nonblock);
int rpcClientStreamFinish(RpcClientStream *st);
int rpcClientStreamAbort(RpcClientStream *st);
void rpcClientStreamRelease(RpcClientStream *st);

int rpcClientStreamSetEventCallback(RpcClientStream *st, int events,
                                    RpcClientStreamEventFunc func, void *opaque,
                                    GDestroyNotify freeFunc);
int rpcClientStreamUpdateEventCallback(RpcClientStream *st, int events);
void rpcClientStreamRemoveEventCallback(RpcClientStream *st);

/* For rpc_client.c (called with the client's lock held). */
bool rpcClientStreamMatches(RpcClientStream *st, const rpc_header *hdr);
void rpcClientStreamDispatchLocked(RpcClient *client, RpcMessage *msg);
void rpcClientStreamClosedLocked(gpointer st, gpointer err);
