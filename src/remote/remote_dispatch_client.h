/* The daemon's per-client state for REMOTE_PROGRAM: its library connection and event callbacks. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libvirt/libvirt.h>

#include "remote/remote_protocol.h"
#include "rpc/rpc_server.h"
#include "util/thread.h"

typedef struct _RemoteDispatch RemoteDispatch;

/* Handles of the public API, released with their own functions. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virConnect, virConnectClose);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomain, virDomainFree);

/*
 * One client's REMOTE_PROGRAM state, the private data of its
 * RpcServerClient.  The connection is the public API handle the daemon
 * opened for it in-process (CONNECT_OPEN); every call goes through it.
 */
typedef struct _RemoteClient RemoteClient;
struct _RemoteClient {
    RemoteDispatch *rd;      /* immutable */
    RpcServerClient *client; /* immutable; not referenced (it owns us) */
    unsigned long long id;   /* immutable: the RPC client's number */

    Mutex lock;
    virConnectPtr conn;   /* protected by lock; NULL until open / after close */
    bool opening;         /* protected by lock: CONNECT_OPEN running */
    bool closed;          /* protected by lock: the socket is gone */
    GPtrArray *callbacks; /* RemoteEventCallback *; protected by lock */
    int nextCallbackID;   /* protected by lock */
    bool closeCallback;   /* protected by lock: registered on @conn */
    struct _RemoteStreamList *streams; /* protected by lock; NULL until a stream opens */
    bool quickQueries;    /* protected by lock: @conn's driver runs quick queries inline */
};

void *remoteDispatchClientNew(RpcServerClient *client, void *opaque);
void remoteDispatchClientFree(void *opaque);
void remoteDispatchClientClose(RpcServerClient *client, void *opaque);

RemoteClient *remoteDispatchClientGet(RpcServerClient *client);
virConnectPtr remoteDispatchClientGetConn(RemoteClient *rc);
virDomainPtr remoteDispatchClientGetDomain(RpcServerClient *client,
                                           const remote_nonnull_domain *dom);

int remoteDispatchAPIError(void);
void remoteDispatchMakeDomain(virDomainPtr dom, remote_nonnull_domain *ret);
int remoteDispatchSerializeParams(virTypedParameterPtr params, int nparams, unsigned int max,
                                  remote_typed_param **retVal, u_int *retLen);
int remoteDispatchDeserializeParams(const remote_typed_param *wire, u_int n,
                                    virTypedParameterPtr *retParams, int *retN);

/* The parameters of every handler (an RpcServerDispatchFunc). */
#define REMOTE_DISPATCH_PARAMS                                                                     \
    RpcServer *srv, RpcServerClient *client, const RpcMessage *call, void *argsp, void *retp

/*
 * Rows of the procedure tables; the payload types follow from the
 * procedure's name: remote_<name>_args and remote_<name>_ret.
 */
#define REMOTE_PROC_AR(NAME, lname, api, func, flags)                                              \
    {                                                                                              \
        REMOTE_PROC_##NAME, #NAME, api, func, (xdrproc_t)xdr_remote_##lname##_args,                \
            sizeof(remote_##lname##_args), (xdrproc_t)xdr_remote_##lname##_ret,                    \
            sizeof(remote_##lname##_ret), flags                                                    \
    }
#define REMOTE_PROC_A(NAME, lname, api, func, flags)                                               \
    {                                                                                              \
        REMOTE_PROC_##NAME, #NAME, api, func, (xdrproc_t)xdr_remote_##lname##_args,                \
            sizeof(remote_##lname##_args), NULL, 0, flags                                          \
    }
#define REMOTE_PROC_R(NAME, lname, api, func, flags)                                               \
    {                                                                                              \
        REMOTE_PROC_##NAME, #NAME, api, func, NULL, 0, (xdrproc_t)xdr_remote_##lname##_ret,        \
            sizeof(remote_##lname##_ret), flags                                                    \
    }
#define REMOTE_PROC_V(NAME, api, func, flags)                                                      \
    {                                                                                              \
        REMOTE_PROC_##NAME, #NAME, api, func, NULL, 0, NULL, 0, flags                              \
    }

/* Queries: allowed on read-only sockets, may run on the priority workers. */
#define REMOTE_PROC_QUERY (RPC_SERVER_PROC_READONLY | RPC_SERVER_PROC_HIGH_PRIORITY)
/* Changes: read-write sockets only, normal workers. */
#define REMOTE_PROC_CHANGE 0
/*
 * Quick queries: constant, small work that never waits in any driver
 * that sets HypervisorDriver.quickQueries; they run on the daemon's
 * event-loop thread for the connections of such drivers, on the workers
 * otherwise (src/rpc/README.md, "The call path and its threads").
 * Nothing whose cost grows with the host (listings, XML) and nothing that
 * may ever ask a hypervisor (job statistics).
 */
#define REMOTE_PROC_QUICK (REMOTE_PROC_QUERY | RPC_SERVER_PROC_INLINE)
/*
 * Listings and XML: never wait either (same drivers), but cost grows with
 * the host; on the event-loop thread only while they have been cheap
 * lately (RPC_SERVER_PROC_INLINE_CHEAP), on the workers otherwise.
 */
#define REMOTE_PROC_LISTING (REMOTE_PROC_QUERY | RPC_SERVER_PROC_INLINE_CHEAP)

bool remoteDispatchInlineCheck(RpcServerClient *client, const RpcServerProc *proc);
