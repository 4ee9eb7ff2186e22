/* Non-blocking unix and TCP stream sockets that carry RPC packets. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "rpc/rpc_message.h"
#include "rpc/rpc_reader.h"
#include "rpc/rpc_writer.h"

typedef struct _RpcSocket RpcSocket;
typedef struct _RpcTLSSession RpcTLSSession;

RpcSocket *rpcSocketNewFromFD(int fd);
int rpcSocketNewPair(RpcSocket **retA, RpcSocket **retB);
RpcSocket *rpcSocketNewListenUnix(const char *path, mode_t mode);
RpcSocket *rpcSocketNewConnectUnix(const char *path);
GPtrArray *rpcSocketNewListenTCP(const char *node, const char *service);
RpcSocket *rpcSocketNewConnectTCP(const char *node, const char *service);
int rpcSocketAccept(RpcSocket *listener, RpcSocket **retClient);
void rpcSocketFree(RpcSocket *sock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcSocket, rpcSocketFree);

int rpcSocketGetFD(const RpcSocket *sock);
bool rpcSocketIsUnix(const RpcSocket *sock);
int rpcSocketGetLocalPort(const RpcSocket *sock);
int rpcSocketGetPeerIdentity(const RpcSocket *sock, uid_t *retUid, gid_t *retGid, pid_t *retPid);
void rpcSocketSetIO(RpcSocket *sock, RpcReaderReadFunc readFunc, RpcWriterWriteFunc writeFunc,
                    void *opaque);
void rpcSocketSetTLS(RpcSocket *sock, RpcTLSSession *sess);
RpcTLSSession *rpcSocketGetTLS(const RpcSocket *sock);

RpcReaderStatus rpcSocketReceive(RpcSocket *sock, RpcMessage **retMsg);
bool rpcSocketInputDrained(const RpcSocket *sock);
void rpcSocketQueue(RpcSocket *sock, RpcMessage *msg);
int rpcSocketFlush(RpcSocket *sock);
bool rpcSocketCanWriteDirect(const RpcSocket *sock);
ssize_t rpcSocketWriteDirect(RpcSocket *sock, const struct iovec *iov, int iovcnt);
bool rpcSocketHasOutput(const RpcSocket *sock);
size_t rpcSocketQueuedBytes(const RpcSocket *sock);
int rpcSocketWait(const RpcSocket *sock, bool forWrite, int timeoutMs);
