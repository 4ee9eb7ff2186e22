/* TLS for RPC connections: x509 credentials, non-blocking handshake, record-layer I/O (GnuTLS). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Certificates and policy shared by every session of one side. */
typedef struct _RpcTLSContext RpcTLSContext;
/* One TLS connection over a non-blocking socket. */
typedef struct _RpcTLSSession RpcTLSSession;

/* libvirt's default certificate paths (root mode; prefixed by a daemon's --root). */
#define RPC_TLS_CA_CERT "/etc/pki/CA/cacert.pem"
#define RPC_TLS_CA_CRL "/etc/pki/CA/cacrl.pem"
#define RPC_TLS_SERVER_CERT "/etc/pki/libvirt/servercert.pem"
#define RPC_TLS_SERVER_KEY "/etc/pki/libvirt/private/serverkey.pem"
#define RPC_TLS_CLIENT_CERT "/etc/pki/libvirt/clientcert.pem"
#define RPC_TLS_CLIENT_KEY "/etc/pki/libvirt/private/clientkey.pem"
/* File names inside a client's ?pkipath=DIR or ~/.pki/libvirt. */
#define RPC_TLS_PKI_CA "cacert.pem"
#define RPC_TLS_PKI_CERT "clientcert.pem"
#define RPC_TLS_PKI_KEY "clientkey.pem"

RpcTLSContext *rpcTLSContextNewServer(const char *caFile, const char *crlFile,
                                      const char *certFile, const char *keyFile,
                                      bool verifyPeer, const char *priority);
RpcTLSContext *rpcTLSContextNewClient(const char *caFile, const char *certFile,
                                      const char *keyFile, bool verifyPeer,
                                      const char *priority);
void rpcTLSContextSetAllowedDNs(RpcTLSContext *ctx, const char *const *patterns);
RpcTLSContext *rpcTLSContextRef(RpcTLSContext *ctx);
void rpcTLSContextUnref(RpcTLSContext *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcTLSContext, rpcTLSContextUnref);

RpcTLSSession *rpcTLSSessionNew(RpcTLSContext *ctx, int fd, const char *hostname);
void rpcTLSSessionFree(RpcTLSSession *sess);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcTLSSession, rpcTLSSessionFree);

int rpcTLSSessionHandshake(RpcTLSSession *sess);
bool rpcTLSSessionWantsWrite(const RpcTLSSession *sess);
bool rpcTLSSessionIsDone(const RpcTLSSession *sess);

ssize_t rpcTLSSessionRead(void *opaque, void *buf, size_t len);
ssize_t rpcTLSSessionWrite(void *opaque, const struct iovec *iov, int iovcnt);
size_t rpcTLSSessionPending(void *opaque);
