/* Client end of an RPC connection: concurrent calls, replies in any order, events, keepalive. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "rpc/rpc_message.h"
#include "rpc/rpc_socket.h"

/*
 * One connection to a daemon.  Reference counted and thread safe: any
 * number of threads may call rpcClientCall at once.  Whichever thread
 * waits for a reply does the socket I/O for everybody (see
 * docs/internals/rpc.md, "Client I/O"); when no call is in flight and the
 * application registered an event loop, the loop watches the socket so
 * that events, keepalive PINGs and a closing peer are noticed at once.
 */
typedef struct _RpcClient RpcClient;

/*
 * Receives each one-way MESSAGE packet of a program other than keepalive
 * (events), in arrival order.  Called with the client's lock held, from
 * whichever thread read the packet: it must not call any rpcClient
 * function and may take only locks that are never held while calling
 * into the client.  @msg stays owned by the client.
 */
typedef void (*RpcClientMessageFunc)(RpcClient *client, RpcMessage *msg,
                                     void *opaque);

/*
 * Told once, without the client's lock held, that the connection closed
 * for @reason (a virConnectCloseReason) other than rpcClientClose.
 */
typedef void (*RpcClientCloseFunc)(RpcClient *client, int reason,
                                   void *opaque);

RpcClient *rpcClientNewUnix(const char *path);
RpcClient *rpcClientNewTCP(const char *host, const char *port);
typedef struct _RpcTLSContext RpcTLSContext;
RpcClient *rpcClientNewTLS(const char *host, const char *port,
                           RpcTLSContext *tls);
RpcClient *rpcClientNewSocket(RpcSocket *sock);
RpcClient *rpcClientRef(RpcClient *client);
void rpcClientUnref(RpcClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcClient, rpcClientUnref);

void rpcClientSetMessageHandler(RpcClient *client, RpcClientMessageFunc func,
                                void *opaque);
void rpcClientSetCloseCallback(RpcClient *client, RpcClientCloseFunc func,
                               void *opaque, GDestroyNotify freeFunc);

int rpcClientCall(RpcClient *client, unsigned int prog, unsigned int vers,
                  int proc, xdrproc_t argsFilter, const void *args,
                  xdrproc_t retFilter, void *ret);

/* Streams (rpc_stream.c builds on these). */
typedef struct _RpcClientStream RpcClientStream;
unsigned int rpcClientNewSerial(RpcClient *client);
int rpcClientCallSerial(RpcClient *client, unsigned int serial, unsigned int prog,
                        unsigned int vers, int proc, xdrproc_t argsFilter, const void *args,
                        xdrproc_t retFilter, void *ret);
int rpcClientAddStream(RpcClient *client, RpcClientStream *st);
void rpcClientRemoveStream(RpcClient *client, RpcClientStream *st);
RpcClientStream *rpcClientFindStreamLocked(RpcClient *client, const rpc_header *hdr);
void rpcClientWakeStreamWaitersLocked(RpcClient *client, int kinds);
#define RPC_CLIENT_WAKE_ALL_STREAM_WAITERS 3
int rpcClientSendPacket(RpcClient *client, RpcMessage *msg, bool nonblock);
int rpcClientSendData(RpcClient *client, RpcMessage *msg, const char *data, size_t len,
                      bool nonblock);
size_t rpcClientQueuedBytes(RpcClient *client);
int rpcClientWaitStream(RpcClient *client, bool (*ready)(void *opaque), void *opaque);
void rpcClientPoke(RpcClient *client);

int rpcClientKeepAliveStart(RpcClient *client, int interval,
                            unsigned int count);
void rpcClientKeepAliveStop(RpcClient *client);

bool rpcClientIsOpen(RpcClient *client);
bool rpcClientIsLocal(RpcClient *client);
bool rpcClientIsEncrypted(RpcClient *client);
bool rpcClientIsSelfConnection(RpcClient *client);
void rpcClientClose(RpcClient *client);
