/* Keepalive: the PING/PONG program's packets and the dead-peer timer logic, without I/O. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "rpc/rpc_message.h"

/* What the owner of a connection must do after rpcKeepaliveCheck(). */
typedef enum {
    RPC_KEEPALIVE_WAIT = 0, /* nothing now; check again at the returned time */
    RPC_KEEPALIVE_PING,     /* send rpcKeepaliveNewPing(), then check again later */
    RPC_KEEPALIVE_DEAD,     /* the peer is silent for too long: close the connection */
} RpcKeepaliveAction;

/*
 * The timer state of one connection.  Not locked: the owner serializes
 * calls (the server does so under the client's lock).
 */
typedef struct _RpcKeepalive RpcKeepalive;

RpcKeepalive *rpcKeepaliveNew(int interval, unsigned int count);
void rpcKeepaliveFree(RpcKeepalive *ka);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcKeepalive, rpcKeepaliveFree);

void rpcKeepaliveStart(RpcKeepalive *ka, gint64 now);
bool rpcKeepaliveIsActive(const RpcKeepalive *ka);
void rpcKeepaliveReceived(RpcKeepalive *ka, gint64 now);
RpcKeepaliveAction rpcKeepaliveCheck(RpcKeepalive *ka, gint64 now, gint64 *retNext);

/* Packets of KEEPALIVE_PROGRAM. */
bool rpcKeepaliveIsMessage(const RpcMessage *msg);
RpcMessage *rpcKeepaliveNewPing(void);
RpcMessage *rpcKeepaliveNewPong(void);
int rpcKeepaliveHandleMessage(const RpcMessage *msg, RpcMessage **retReply);
