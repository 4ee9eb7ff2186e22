/* RPC server: listening sockets, clients, programs and the worker pools that run calls. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <rpc/rpc.h>

#include "rpc/rpc_message.h"

typedef struct _RpcServer RpcServer;
typedef struct _RpcServerClient RpcServerClient;
typedef struct _RpcServerProgram RpcServerProgram;

/*
 * Runs one call on a worker thread.  @args holds the decoded arguments
 * (zeroed when the call carries none), @ret a zeroed reply struct to fill
 * (memory from g_malloc, which xdr_free releases after encoding).
 *
 * Returns: 0 to send @ret, -1 to send the calling thread's error
 * (src/util/error.h) as an error reply.
 */
typedef int (*RpcServerDispatchFunc)(RpcServer *srv, RpcServerClient *client,
                                     const RpcMessage *call, void *args, void *ret);

typedef enum {
    /* A quick query: may run on a priority worker when every normal one is busy. */
    RPC_SERVER_PROC_HIGH_PRIORITY = 1 << 0,
    /* Allowed to clients of a read-only socket. */
    RPC_SERVER_PROC_READONLY = 1 << 1,
    /*
     * Never waits (no job, no monitor, no peer, only locks that nobody
     * holds while waiting) and costs a few microseconds: runs on the
     * event-loop thread right after its packet is read, when the
     * program's inline check (rpcServerProgramSetInlineCheck) agrees,
     * instead of being handed to a worker.  See src/rpc/README.md.
     */
    RPC_SERVER_PROC_INLINE = 1 << 2,
    /*
     * Never waits either, but its cost depends on the data (a listing):
     * runs on the event-loop thread like an inline call while its recent
     * cost (decode + handler + encode, a moving average over its calls
     * wherever they ran) stays below RPC_SERVER_INLINE_COST_MAX_US, on
     * the workers otherwise.
     */
    RPC_SERVER_PROC_INLINE_CHEAP = 1 << 3,
} RpcServerProcFlags;

/* Recent cost under which an RPC_SERVER_PROC_INLINE_CHEAP call runs inline. */
#define RPC_SERVER_INLINE_COST_MAX_US 25

/* One implemented procedure of a program. */
typedef struct {
    int proc;
    const char *name;    /* "DOMAIN_GET_INFO", for logs */
    const char *apiName; /* public function named when read-only access is denied */
    RpcServerDispatchFunc func;
    xdrproc_t argsFilter; /* NULL: no arguments */
    size_t argsSize;
    xdrproc_t retFilter; /* NULL: empty reply */
    size_t retSize;
    unsigned int flags; /* RpcServerProcFlags */
} RpcServerProc;

/*
 * Decides on the event-loop thread whether a call of @proc (flagged
 * RPC_SERVER_PROC_INLINE or _INLINE_CHEAP) from @client may run there: the program knows
 * what serves the client (for REMOTE_PROGRAM, the driver of its
 * connection).  Must be quick and must not wait.
 */
typedef bool (*RpcServerInlineCheck)(RpcServerClient *client, const RpcServerProc *proc);

RpcServerProgram *rpcServerProgramNew(unsigned int prog, unsigned int vers, int procLast);
void rpcServerProgramAddProcs(RpcServerProgram *prog, const RpcServerProc *procs, size_t nprocs);
void rpcServerProgramSetNames(RpcServerProgram *prog, const char *const *names, int count);
void rpcServerProgramSetInlineCheck(RpcServerProgram *prog, RpcServerInlineCheck check);
void rpcServerProgramFree(RpcServerProgram *prog);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcServerProgram, rpcServerProgramFree);

/* Creates a client's private data when it connects (event-loop thread). */
typedef void *(*RpcServerClientPrivNew)(RpcServerClient *client, void *opaque);
/*
 * Called once on the event-loop thread when a client's connection closes,
 * before its last reference goes (calls may still be running).
 */
typedef void (*RpcServerClientPrivClose)(RpcServerClient *client, void *priv);

/* Called on the event-loop thread when the server has been idle too long. */
typedef void (*RpcServerIdleFunc)(RpcServer *srv, void *opaque);

typedef struct {
    unsigned int maxClients;        /* connections at once; more wait in the backlog */
    unsigned int maxWorkers;        /* threads running calls */
    unsigned int prioWorkers;       /* extra threads for high-priority calls (0: none) */
    unsigned int maxClientRequests; /* calls of one client running at once */
    int keepaliveInterval;          /* seconds; <= 0 disables the server's PINGs */
    unsigned int keepaliveCount;
    size_t maxClientOutputBytes; /* queued output that closes a client */
    size_t maxClientOutputPackets;
} RpcServerConfig;

void rpcServerConfigInitDefaults(RpcServerConfig *cfg);

RpcServer *rpcServerNew(const RpcServerConfig *cfg, GMainContext *ctx);
void rpcServerFree(RpcServer *srv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcServer, rpcServerFree);

void rpcServerSetClientHooks(RpcServer *srv, RpcServerClientPrivNew privNew,
                             GDestroyNotify privFree, RpcServerClientPrivClose privClose,
                             void *opaque);
void rpcServerAddProgram(RpcServer *srv, RpcServerProgram *prog);
int rpcServerAddUnixService(RpcServer *srv, const char *path, mode_t mode, gid_t gid,
                            bool readonly);
typedef struct _RpcTLSContext RpcTLSContext;
int rpcServerAddTCPService(RpcServer *srv, const char *node, const char *service,
                           RpcTLSContext *tls);
int rpcServerStart(RpcServer *srv);
void rpcServerSetIdleTimeout(RpcServer *srv, unsigned int seconds, RpcServerIdleFunc func,
                             void *opaque);

void rpcServerStop(RpcServer *srv);
unsigned int rpcServerCountCalls(RpcServer *srv);
bool rpcServerIsQuiescent(RpcServer *srv);
void rpcServerCloseClients(RpcServer *srv);

size_t rpcServerCountClients(RpcServer *srv);
GMainContext *rpcServerGetContext(RpcServer *srv);

/* For rpc_server_client.c only. */
void rpcServerWakeClient(RpcServer *srv, RpcServerClient *client);
void rpcServerClientClosed(RpcServer *srv, RpcServerClient *client);
bool rpcServerDispatchCall(RpcServer *srv, RpcServerClient *client, RpcMessage *msg);
