/* The daemon's end of RPC streams: a client's stream packets <-> a virStream of its connection. */
#pragma once

#include <stddef.h>

#include <libvirt/libvirt.h>

#include "rpc/rpc_server.h"

typedef struct _RemoteStreamList RemoteStreamList; /* also named in RemoteClient */

void remoteStreamListFree(RemoteStreamList *list);
void remoteStreamAbortAll(RemoteStreamList *list);

/*
 * For stream procedures elsewhere (DOMAIN_MIGRATE_PREPARE_TUNNEL3_PARAMS):
 * a non-blocking stream on the client's connection (NULL with the error
 * set), and its attachment to the call that opened it (-1 with an error:
 * the caller aborts @st).
 */
virStreamPtr remoteStreamNew(RpcServerClient *client);
int remoteStreamAttach(RpcServerClient *client, const RpcMessage *call, virStreamPtr st);

/* DOMAIN_OPEN_CONSOLE and DOMAIN_SCREENSHOT. */
extern const RpcServerProc remoteStreamProcs[];
extern const size_t remoteStreamProcsCount;
