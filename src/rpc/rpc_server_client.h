/* One connection of the RPC server: its socket, queues, call limit and keepalive. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "rpc/rpc_message.h"
#include "rpc/rpc_server.h"
#include "rpc/rpc_socket.h"

/*
 * Seconds a client on a TLS socket gets to complete its TLS handshake
 * before it is dropped (libvirtd has no setting for this; a handshake
 * takes milliseconds, so this only bounds clients that stall).
 */
#define RPC_SERVER_TLS_HANDSHAKE_TIMEOUT 10

/* For programs: what they may do with a client (any thread unless noted). */
RpcServerClient *rpcServerClientRef(RpcServerClient *client);
void rpcServerClientUnref(RpcServerClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcServerClient, rpcServerClientUnref);

unsigned long long rpcServerClientGetID(const RpcServerClient *client);
bool rpcServerClientIsReadonly(const RpcServerClient *client);
void *rpcServerClientGetPrivateData(const RpcServerClient *client);
void rpcServerClientGetIdentity(const RpcServerClient *client, uid_t *retUid, gid_t *retGid,
                                pid_t *retPid);
int rpcServerClientSendMessage(RpcServerClient *client, RpcMessage *msg);
void rpcServerClientStartKeepalive(RpcServerClient *client);
void rpcServerClientRequestClose(RpcServerClient *client);
/* Stream packets (event-loop thread); true when @msg was taken. */
typedef bool (*RpcServerClientStreamFunc)(RpcServerClient *client, RpcMessage *msg, void *opaque);
void rpcServerClientSetStreamFunc(RpcServerClient *client, RpcServerClientStreamFunc func,
                                  void *opaque);
bool rpcServerClientIsClosed(RpcServerClient *client);

/* For rpc_server.c only. */
RpcServerClient *rpcServerClientNew(RpcServer *srv, RpcSocket *sock, bool readonly,
                                    unsigned long long id, const RpcServerConfig *cfg);
void rpcServerClientSetPrivateData(RpcServerClient *client, void *priv, GDestroyNotify privFree);
void rpcServerClientAttach(RpcServerClient *client, GMainContext *ctx);
void rpcServerClientProcess(RpcServerClient *client);
void rpcServerClientCloseNow(RpcServerClient *client);
void rpcServerClientStopReading(RpcServerClient *client);
bool rpcServerClientIsQuiescent(RpcServerClient *client);
bool rpcServerClientBeginCall(RpcServerClient *client);
void rpcServerClientEndCall(RpcServerClient *client, RpcMessage *reply);
void rpcServerClientSendError(RpcServerClient *client, const rpc_header *call);
bool *rpcServerClientPendingWake(RpcServerClient *client);
