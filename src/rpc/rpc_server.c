/* RPC server: listening sockets, clients, programs and the worker pools that run calls. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_RPC

#include "rpc/rpc_server.h"
#include "rpc/rpc_server_client.h"
#include "rpc/rpc_server_watch.h"
#include "rpc/rpc_socket.h"
#include "rpc/rpc_tls.h"
#include "util/error.h"
#include "util/log.h"
#include "util/thread.h"

LOG_INIT("rpc.server");

/* Connections accepted per wake-up of a listening socket. */
#define RPC_SERVER_ACCEPT_BURST 64
/* Pause before accepting again after the process ran out of descriptors. */
#define RPC_SERVER_ACCEPT_RETRY_MS 1000

struct _RpcServerProgram {
    unsigned int prog;                /* immutable */
    unsigned int vers;                /* immutable */
    int procLast;                     /* immutable: numbers 1..procLast-1 are defined */
    const RpcServerProc **index;      /* immutable: [procLast], NULL = not implemented */
    const char *const *names;         /* immutable: procedure names for messages, or NULL */
    int nnames;                       /* immutable */
    RpcServerInlineCheck inlineCheck; /* immutable: NULL = every INLINE procedure may */
    gint *costUs; /* [procLast], atomic: moving average of INLINE_CHEAP procedures' cost */
    gint *replyBytes; /* [procLast], atomic: size of the last reply (bounded) */
};

typedef struct {
    RpcServer *srv;     /* immutable */
    RpcSocket *sock;    /* event-loop thread only */
    bool readonly;      /* immutable */
    RpcTLSContext *tls; /* immutable, referenced; NULL: plain */
    GSource *watch;     /* event-loop thread only */
} RpcServerService;

typedef struct {
    RpcServerClient *client; /* referenced */
    RpcMessage *msg;
    RpcServerProgram *prog;
    const RpcServerProc *proc;
    bool normalPool;
} RpcServerJob;

/*
 * Threads (docs/daemon.md, src/rpc/README.md): everything touching
 * sockets, the service list, the watches and the timers runs on the
 * thread that iterates @ctx (the event loop).  Calls run on the worker
 * pools, except quick ones (RPC_SERVER_PROC_INLINE) that the loop runs
 * itself as soon as it has read them.  Workers and other threads reach
 * the loop through the wake queue: a client put there is visited (output
 * flushed, reading resumed, or closed) on the loop's next turn.  Lock
 * order: the server's lock, then a client's lock.
 */
struct _RpcServer {
    RpcServerConfig cfg;                /* immutable */
    GMainContext *ctx;                  /* immutable; referenced */
    GPtrArray *programs;                /* immutable once started */
    GPtrArray *services;                /* event-loop thread only */
    RpcServerClientPrivNew privNew;     /* immutable once started */
    GDestroyNotify privFree;            /* immutable once started */
    RpcServerClientPrivClose privClose; /* immutable once started */
    void *privOpaque;                   /* immutable once started */
    GThreadPool *workers;               /* immutable once started */
    GThreadPool *prioWorkers;           /* immutable once started; NULL without priority workers */
    gint busyWorkers;                   /* atomic: jobs queued on or running in @workers */
    gint inflight;                      /* atomic: calls not answered yet */

    Mutex lock;
    GPtrArray *clients; /* RpcServerClient *, referenced; protected by lock */
    GQueue wakeQueue;   /* RpcServerClient *, referenced; protected by lock */
    gint wakeCount;     /* atomic mirror of wakeQueue's length */

    GSource *wakeSource;             /* event-loop thread only */
    GSource *acceptRetry;            /* event-loop thread only */
    bool accepting;                  /* event-loop thread only */
    bool started;                    /* event-loop thread only */
    bool stopped;                    /* event-loop thread only */
    unsigned long long nextClientID; /* event-loop thread only */
    unsigned int idleTimeout;        /* event-loop thread only; seconds, 0 = never */
    RpcServerIdleFunc idleFunc;      /* event-loop thread only */
    void *idleOpaque;                /* event-loop thread only */
    GSource *idleTimer;              /* event-loop thread only */
};

/* --- programs --------------------------------------------------------------- */

/**
 * rpcServerProgramNew:
 * @prog: program number
 * @vers: program version
 * @procLast: one more than the highest procedure number the program
 *            defines; numbers from 1 below it without an implementation
 *            (rpcServerProgramAddProcs) answer VIR_ERR_NO_SUPPORT, numbers
 *            outside answer VIR_ERR_RPC "unknown procedure"
 *
 * Returns: the program (caller owns, until rpcServerAddProgram).
 */
RpcServerProgram *
rpcServerProgramNew(unsigned int prog, unsigned int vers, int procLast)
{
    RpcServerProgram *p = g_new0(RpcServerProgram, 1);

    p->prog = prog;
    p->vers = vers;
    p->procLast = MAX(procLast, 1);
    p->index = g_new0(const RpcServerProc *, p->procLast);
    p->costUs = g_new0(gint, p->procLast);
    p->replyBytes = g_new0(gint, p->procLast);
    return p;
}

/**
 * rpcServerProgramAddProcs:
 * @prog: a program not yet added to a server
 * @procs: implemented procedures (the array must outlive the program)
 * @nprocs: their number
 *
 * A procedure number outside the program's range, or given twice, is a
 * programming error (assertion).
 */
void
rpcServerProgramAddProcs(RpcServerProgram *prog, const RpcServerProc *procs, size_t nprocs)
{
    size_t i;

    for (i = 0; i < nprocs; i++) {
        int n = procs[i].proc;

        g_assert(n > 0 && n < prog->procLast && !prog->index[n]);
        /* Only queries may run on the event loop: nothing that changes state. */
        g_assert(!(procs[i].flags & (RPC_SERVER_PROC_INLINE | RPC_SERVER_PROC_INLINE_CHEAP)) ||
                 (procs[i].flags & RPC_SERVER_PROC_READONLY));
        prog->index[n] = &procs[i];
    }
}

/**
 * rpcServerProgramSetNames:
 * @prog: a program not yet added to a server
 * @names: procedure names indexed by number (NULL entries allowed); the
 *         array must outlive the program
 * @count: the array's length
 *
 * Lets refusals of unimplemented procedures name them.
 */
void
rpcServerProgramSetNames(RpcServerProgram *prog, const char *const *names, int count)
{
    prog->names = names;
    prog->nnames = count;
}

/**
 * rpcServerProgramSetInlineCheck:
 * @prog: a program not yet added to a server
 * @check: asked before a call of a procedure flagged
 *         RPC_SERVER_PROC_INLINE (or RPC_SERVER_PROC_INLINE_CHEAP, when
 *         cheap lately) runs on the event-loop thread; when it
 *         says no, the call goes to the workers like any other.  NULL:
 *         the flag alone decides.
 */
void
rpcServerProgramSetInlineCheck(RpcServerProgram *prog, RpcServerInlineCheck check)
{
    prog->inlineCheck = check;
}

/**
 * rpcServerProgramFree:
 * @prog: a program, or NULL
 */
void
rpcServerProgramFree(RpcServerProgram *prog)
{
    if (!prog)
        return;
    g_free(prog->index);
    g_free(prog->costUs);
    g_free(prog->replyBytes);
    g_free(prog);
}

/* --- configuration and lifecycle -------------------------------------------- */

/**
 * rpcServerConfigInitDefaults:
 * @cfg: the configuration to fill
 *
 * Sets libvirtd's defaults (libvirtd.conf): 5000 clients, 20 workers,
 * 5 priority workers, 5 calls per client, keepalive every 5 s with 5
 * pings; plus our output limits (64 MiB or 16384 packets queued).
 */
void
rpcServerConfigInitDefaults(RpcServerConfig *cfg)
{
    cfg->maxClients = 5000;
    cfg->maxWorkers = 20;
    cfg->prioWorkers = 5;
    cfg->maxClientRequests = 5;
    cfg->keepaliveInterval = 5;
    cfg->keepaliveCount = 5;
    cfg->maxClientOutputBytes = 64 * 1024 * 1024;
    cfg->maxClientOutputPackets = 16384;
}

static void rpcServerServiceFree(gpointer data);

/**
 * rpcServerNew:
 * @cfg: limits and keepalive settings (copied)
 * @ctx: the context whose thread is the server's event loop (referenced)
 *
 * Returns: a server without programs or sockets (caller owns).
 */
RpcServer *
rpcServerNew(const RpcServerConfig *cfg, GMainContext *ctx)
{
    RpcServer *srv = g_new0(RpcServer, 1);

    srv->cfg = *cfg;
    srv->cfg.maxClients = MAX(srv->cfg.maxClients, 1);
    srv->cfg.maxWorkers = MAX(srv->cfg.maxWorkers, 1);
    srv->cfg.maxClientRequests = MAX(srv->cfg.maxClientRequests, 1);
    srv->ctx = g_main_context_ref(ctx);
    srv->programs = g_ptr_array_new_with_free_func((GDestroyNotify)rpcServerProgramFree);
    srv->services = g_ptr_array_new_with_free_func(rpcServerServiceFree);
    srv->clients = g_ptr_array_new();
    mutexInit(&srv->lock);
    g_queue_init(&srv->wakeQueue);
    srv->nextClientID = 1;
    return srv;
}

/**
 * rpcServerSetClientHooks:
 * @srv: a server not started yet
 * @privNew: makes a client's private data when it connects, or NULL
 * @privFree: frees that data with the client, or NULL
 * @privClose: runs when the client's connection closes, or NULL
 * @opaque: passed to @privNew
 */
void
rpcServerSetClientHooks(RpcServer *srv, RpcServerClientPrivNew privNew, GDestroyNotify privFree,
                        RpcServerClientPrivClose privClose, void *opaque)
{
    srv->privNew = privNew;
    srv->privFree = privFree;
    srv->privClose = privClose;
    srv->privOpaque = opaque;
}

/**
 * rpcServerAddProgram:
 * @srv: a server not started yet
 * @prog: a program (ownership taken)
 */
void
rpcServerAddProgram(RpcServer *srv, RpcServerProgram *prog)
{
    g_ptr_array_add(srv->programs, prog);
}

/**
 * rpcServerGetContext:
 * @srv: a server
 *
 * Returns: the context of the server's event loop (not referenced).
 */
GMainContext *
rpcServerGetContext(RpcServer *srv)
{
    return srv->ctx;
}

/**
 * rpcServerCountClients:
 * @srv: a server
 *
 * Returns: the number of connected clients.
 */
size_t
rpcServerCountClients(RpcServer *srv)
{
    size_t n;

    mutexLock(&srv->lock);
    n = srv->clients->len;
    mutexUnlock(&srv->lock);
    return n;
}

/* --- the wake queue: other threads ask the loop to visit a client ----------- */

/**
 * rpcServerWakeClient:
 * @srv: a server
 * @client: one of its clients
 *
 * Asks the event loop to visit @client soon (flush, read, close).  Any
 * thread; a client is queued at most once.
 */
void
rpcServerWakeClient(RpcServer *srv, RpcServerClient *client)
{
    bool *pending = rpcServerClientPendingWake(client);
    bool queued = false;

    mutexLock(&srv->lock);
    if (!*pending) {
        *pending = true;
        g_queue_push_tail(&srv->wakeQueue, rpcServerClientRef(client));
        g_atomic_int_inc(&srv->wakeCount);
        queued = true;
    }
    mutexUnlock(&srv->lock);
    if (queued)
        g_main_context_wakeup(srv->ctx);
}

/* The source through which the wake queue reaches the loop. */
typedef struct {
    GSource base;
    RpcServer *srv; /* immutable */
} RpcServerWakeSource;

static gboolean
rpcServerWakePrepare(GSource *source, gint *timeout)
{
    RpcServer *srv = ((RpcServerWakeSource *)source)->srv;

    *timeout = -1;
    return g_atomic_int_get(&srv->wakeCount) > 0;
}

static gboolean
rpcServerWakeCheck(GSource *source)
{
    RpcServer *srv = ((RpcServerWakeSource *)source)->srv;

    return g_atomic_int_get(&srv->wakeCount) > 0;
}

static gboolean
rpcServerWakeDispatch(GSource *source, GSourceFunc callback, gpointer data)
{
    RpcServer *srv = ((RpcServerWakeSource *)source)->srv;
    GQueue batch = G_QUEUE_INIT;
    RpcServerClient *client;

    errorReset();
    mutexLock(&srv->lock);
    batch = srv->wakeQueue;
    g_queue_init(&srv->wakeQueue);
    g_atomic_int_set(&srv->wakeCount, 0);
    for (GList *l = batch.head; l; l = l->next)
        *rpcServerClientPendingWake(l->data) = false;
    mutexUnlock(&srv->lock);

    while ((client = g_queue_pop_head(&batch))) {
        rpcServerClientProcess(client);
        rpcServerClientUnref(client);
    }
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs rpcServerWakeFuncs = {
    .prepare = rpcServerWakePrepare,
    .check = rpcServerWakeCheck,
    .dispatch = rpcServerWakeDispatch,
};

/* --- calls ------------------------------------------------------------------ */

static RpcServerProgram *
rpcServerFindProgram(RpcServer *srv, unsigned int prog, unsigned int vers)
{
    size_t i;

    for (i = 0; i < srv->programs->len; i++) {
        RpcServerProgram *p = g_ptr_array_index(srv->programs, i);

        if (p->prog == prog && p->vers == vers)
            return p;
    }
    return NULL;
}

/*
 * Payload structs of up to this size are decoded into and encoded from
 * the stack; larger ones are allocated.
 */
#define RPC_SERVER_STACK_PAYLOAD 256

/* Reply buffers are pre-sized from the procedure's last reply up to this. */
#define RPC_SERVER_REPLY_HINT_MAX (1024 * 1024)

typedef union {
    char bytes[RPC_SERVER_STACK_PAYLOAD];
    long double alignLD;
    void *alignP;
    gint64 alignI;
} RpcServerPayloadBuf;

/*
 * Whether a call of @proc (flagged RPC_SERVER_PROC_INLINE_CHEAP) has
 * been cheap lately.
 */
static bool
rpcServerProcIsCheap(RpcServerProgram *prog, const RpcServerProc *proc)
{
    return g_atomic_int_get(&prog->costUs[proc->proc]) < RPC_SERVER_INLINE_COST_MAX_US;
}

/*
 * Adds one measured cost of @proc to its moving average (weight 1/8: one
 * expensive call is enough to send the next ones to the workers, about
 * 30 cheap ones bring them back).  Concurrent updates may lose one
 * sample, which does not matter for an estimate.
 */
static void
rpcServerProcAddCost(RpcServerProgram *prog, const RpcServerProc *proc, gint64 us)
{
    gint old = g_atomic_int_get(&prog->costUs[proc->proc]);
    gint64 sample = MIN(us, (gint64)G_MAXINT / 2);

    g_atomic_int_set(&prog->costUs[proc->proc], (gint)(old + (sample - old) / 8));
}

/*
 * Runs one call: decodes its arguments, runs the handler, encodes the
 * reply (or the error) and queues it, writing it at once when the
 * client's output queue was empty.  On a worker, or on the event-loop
 * thread for an inline call.  @msg stays owned by the caller.
 */
static void
rpcServerRunCall(RpcServer *srv, RpcServerProgram *prog, RpcServerClient *client, RpcMessage *msg,
                 const RpcServerProc *proc)
{
    bool measure = (proc->flags & RPC_SERVER_PROC_INLINE_CHEAP) != 0;
    gint64 start = measure ? g_get_monotonic_time() : 0;
    gint64 spent = 0;
    g_autoptr(RpcMessage) reply = rpcMessageNew();
    RpcServerPayloadBuf argsBuf;
    RpcServerPayloadBuf retBuf;
    g_autofree void *argsHeap = NULL;
    g_autofree void *retHeap = NULL;
    void *args;
    void *ret;
    bool decoded = false;
    int rc = -1;

    if (proc->argsSize <= sizeof(argsBuf)) {
        memset(&argsBuf, 0, MAX(proc->argsSize, 1));
        args = &argsBuf;
    } else {
        args = argsHeap = g_malloc0(proc->argsSize);
    }
    if (proc->retSize <= sizeof(retBuf)) {
        memset(&retBuf, 0, MAX(proc->retSize, 1));
        ret = &retBuf;
    } else {
        ret = retHeap = g_malloc0(proc->retSize);
    }

    errorReset();
    if (rpcMessageDecodePayload(msg, proc->argsFilter, args) == 0) {
        decoded = true;
        LOG_DEBUG("client %llu: %s serial %u", rpcServerClientGetID(client), proc->name,
                  msg->header.serial);
        rc = proc->func(srv, client, msg, args, ret);
    }

    rpcMessageSetReplyHeader(reply, &msg->header, RPC_STATUS_OK);
    if (rc == 0) {
        /*
         * Replies of one procedure tend to be alike in size: a buffer the
         * size of the last one lets a big reply (a listing of many
         * domains) be encoded in one pass, without measuring it first.
         */
        rpcMessageReserve(reply, (size_t)g_atomic_int_get(&prog->replyBytes[proc->proc]));
        if (rpcMessageEncode(reply, proc->retFilter, ret) < 0)
            rc = -1;
        else
            g_atomic_int_set(&prog->replyBytes[proc->proc],
                             (gint)MIN(reply->bufferLength, RPC_SERVER_REPLY_HINT_MAX));
    }
    if (rc < 0) {
        rpcMessageClear(reply);
        rpcMessageSetReplyHeader(reply, &msg->header, RPC_STATUS_ERROR);
        if (rpcMessageEncodeError(reply, NULL) < 0) {
            LOG_ERROR("cannot encode the error reply of %s: %s", proc->name,
                      errorGetSlot()->message);
            g_clear_pointer(&reply, rpcMessageFree);
        }
    }
    errorReset();
    if (measure)
        spent = g_get_monotonic_time() - start;

    /*
     * The reply goes out first, the caller waits for it, not for the
     * freeing (which still counts in the cost, the writing does not).
     */
    rpcServerClientEndCall(client, g_steal_pointer(&reply));

    if (measure)
        start = g_get_monotonic_time();
    if (decoded && proc->argsFilter)
        xdr_free(proc->argsFilter, args);
    /* Also after a failure: a handler may fail after filling part of @ret. */
    if (proc->retFilter)
        xdr_free(proc->retFilter, ret);
    if (measure)
        rpcServerProcAddCost(prog, proc, spent + g_get_monotonic_time() - start);
}

/* Runs one call on a worker thread. */
static void
rpcServerWorker(gpointer data, gpointer userData)
{
    RpcServerJob *job = data;
    RpcServer *srv = userData;

    threadTakeOver(job);
    rpcServerRunCall(srv, job->prog, job->client, job->msg, job->proc);
    if (job->normalPool)
        g_atomic_int_add(&srv->busyWorkers, -1);
    rpcServerClientUnref(job->client);
    rpcMessageFree(job->msg);
    g_free(job);
    g_atomic_int_add(&srv->inflight, -1);
}

/**
 * rpcServerDispatchCall:
 * @srv: a server
 * @client: the client that sent @msg
 * @msg: a call packet with a checked header (ownership taken)
 *
 * Finds the procedure and runs the call at once when it is an inline
 * one (RPC_SERVER_PROC_INLINE, and the program's check agrees), else
 * queues it to a worker; or answers at once with an error: VIR_ERR_RPC
 * for an unknown program, version or procedure number, VIR_ERR_NO_SUPPORT
 * for a procedure the program defines but does not implement,
 * VIR_ERR_OPERATION_DENIED for a modifying procedure on a read-only
 * socket.  None of these closes the connection.  Event-loop thread.
 *
 * Returns: true when the call ran here (inline), false otherwise.
 */
bool
rpcServerDispatchCall(RpcServer *srv, RpcServerClient *client, RpcMessage *msg)
{
    g_autoptr(RpcMessage) owned = msg;
    const rpc_header *hdr = &msg->header;
    RpcServerProgram *prog = rpcServerFindProgram(srv, hdr->prog, hdr->vers);
    const RpcServerProc *proc = NULL;
    RpcServerJob *job = NULL;
    bool normal = true;

    if (!prog) {
        reportError(VIR_ERR_RPC, _("cannot find program %1$u version %2$u"), hdr->prog, hdr->vers);
        goto error;
    }
    if (hdr->proc <= 0 || hdr->proc >= prog->procLast) {
        /* libvirtd's wording and code (virnetserverprogram.c). */
        reportError(VIR_ERR_RPC, _("unknown procedure: %1$d"), hdr->proc);
        goto error;
    }
    if (!(proc = prog->index[hdr->proc])) {
        if (hdr->proc < prog->nnames && prog->names[hdr->proc])
            reportError(VIR_ERR_NO_SUPPORT, _("%1$s (procedure %2$d)"), prog->names[hdr->proc],
                        hdr->proc);
        else
            reportError(VIR_ERR_NO_SUPPORT, _("procedure %1$d"), hdr->proc);
        goto error;
    }
    if (rpcServerClientIsReadonly(client) && !(proc->flags & RPC_SERVER_PROC_READONLY)) {
        reportError(VIR_ERR_OPERATION_DENIED, _("read only access prevents %1$s"),
                    proc->apiName ? proc->apiName : proc->name);
        goto error;
    }
    if (!rpcServerClientBeginCall(client))
        return false;

    /*
     * A call that never waits and costs little (always, or lately for
     * RPC_SERVER_PROC_INLINE_CHEAP) runs right here: one
     * thread hand-off (and one sleep and wake-up) less per call.  It
     * cannot hold up the other clients for long, and the client's
     * limits still apply (it counts as one of its calls while it runs).
     */
    if (((proc->flags & RPC_SERVER_PROC_INLINE) ||
         ((proc->flags & RPC_SERVER_PROC_INLINE_CHEAP) && rpcServerProcIsCheap(prog, proc))) &&
        (!prog->inlineCheck || prog->inlineCheck(client, proc))) {
        g_atomic_int_inc(&srv->inflight);
        rpcServerRunCall(srv, prog, client, msg, proc);
        g_atomic_int_add(&srv->inflight, -1);
        return true;
    }

    /*
     * A quick query goes to the normal workers while one is free, and to
     * the priority workers when all are busy, so that a slow call
     * (starting a guest, migrating) never holds up queries.
     */
    if ((proc->flags & RPC_SERVER_PROC_HIGH_PRIORITY) && srv->prioWorkers &&
        (unsigned int)g_atomic_int_get(&srv->busyWorkers) >= srv->cfg.maxWorkers)
        normal = false;

    job = g_new0(RpcServerJob, 1);
    job->client = rpcServerClientRef(client);
    job->msg = g_steal_pointer(&owned);
    job->prog = prog;
    job->proc = proc;
    job->normalPool = normal;
    g_atomic_int_inc(&srv->inflight);
    if (normal)
        g_atomic_int_inc(&srv->busyWorkers);
    threadHandOff(job);
    /* Pushing to an existing pool cannot fail (it only creates threads lazily).
     * Its queue node is freed by the worker under GLib's futex lock. */
    threadGlibInternalsBegin();
    g_thread_pool_push(normal ? srv->workers : srv->prioWorkers, job, NULL);
    threadGlibInternalsEnd();
    return false;

error:
    LOG_DEBUG("client %llu: call prog 0x%x vers %u proc %d refused: %s",
              rpcServerClientGetID(client), hdr->prog, hdr->vers, hdr->proc,
              errorGetSlot()->message);
    rpcServerClientSendError(client, hdr);
    return false;
}

/* --- clients and listening sockets ------------------------------------------ */

static void rpcServerUpdateAccepting(RpcServer *srv);
static void rpcServerUpdateIdleTimer(RpcServer *srv);

/**
 * rpcServerClientClosed:
 * @srv: a server
 * @client: one of its clients, just closed
 *
 * Runs the privClose hook and drops the client from the server (and the
 * server's reference).  Event-loop thread.
 */
void
rpcServerClientClosed(RpcServer *srv, RpcServerClient *client)
{
    bool found;

    if (srv->privClose)
        srv->privClose(client, rpcServerClientGetPrivateData(client));
    errorReset();

    mutexLock(&srv->lock);
    found = g_ptr_array_remove_fast(srv->clients, client);
    mutexUnlock(&srv->lock);
    if (found)
        rpcServerClientUnref(client);

    rpcServerUpdateAccepting(srv);
    rpcServerUpdateIdleTimer(srv);
}

static void
rpcServerServiceFree(gpointer data)
{
    RpcServerService *svc = data;

    if (svc->watch) {
        g_source_destroy(svc->watch);
        g_source_unref(svc->watch);
    }
    rpcSocketFree(svc->sock);
    rpcTLSContextUnref(svc->tls);
    g_free(svc);
}

static gboolean
rpcServerAcceptRetry(gpointer opaque)
{
    RpcServer *srv = opaque;

    g_source_unref(g_steal_pointer(&srv->acceptRetry));
    rpcServerUpdateAccepting(srv);
    return G_SOURCE_REMOVE;
}

/* Accepts one connection from @svc.  Returns 1, 0 when none is pending, -1. */
static int
rpcServerAcceptOne(RpcServer *srv, RpcServerService *svc)
{
    RpcSocket *sock = NULL;
    RpcServerClient *client = NULL;
    uid_t uid;
    gid_t gid;
    pid_t pid;
    int rc = rpcSocketAccept(svc->sock, &sock);

    if (rc <= 0)
        return rc;
    if (svc->tls) {
        RpcTLSSession *sess = rpcTLSSessionNew(svc->tls, rpcSocketGetFD(sock), NULL);

        if (!sess) {
            /* Not the listener's fault: drop this connection, keep accepting. */
            LOG_WARN("%s, dropping a TLS connection", errorGetSlot()->message);
            errorReset();
            rpcSocketFree(sock);
            return 1;
        }
        rpcSocketSetTLS(sock, sess);
    }

    client = rpcServerClientNew(srv, sock, svc->readonly, srv->nextClientID++, &srv->cfg);
    if (srv->privNew)
        rpcServerClientSetPrivateData(client, srv->privNew(client, srv->privOpaque), srv->privFree);
    mutexLock(&srv->lock);
    g_ptr_array_add(srv->clients, client);
    mutexUnlock(&srv->lock);
    rpcServerClientAttach(client, srv->ctx);
    rpcServerClientGetIdentity(client, &uid, &gid, &pid);
    LOG_DEBUG("client %llu connected%s: uid %d pid %d", rpcServerClientGetID(client),
              svc->readonly ? " (read-only)" : "", (int)uid, (int)pid);
    return 1;
}

static gboolean
rpcServerServiceEvent(int fd, GIOCondition cond, gpointer opaque)
{
    RpcServerService *svc = opaque;
    RpcServer *srv = svc->srv;
    size_t i;

    errorReset();
    for (i = 0; i < RPC_SERVER_ACCEPT_BURST; i++) {
        int rc;

        if (rpcServerCountClients(srv) >= srv->cfg.maxClients)
            break;
        rc = rpcServerAcceptOne(srv, svc);
        if (rc == 0)
            break;
        if (rc < 0) {
            /* Typically EMFILE: pause instead of spinning on a ready socket. */
            LOG_WARN("%s, retrying in %d ms", errorGetSlot()->message, RPC_SERVER_ACCEPT_RETRY_MS);
            errorReset();
            if (!srv->acceptRetry) {
                srv->acceptRetry = g_timeout_source_new(RPC_SERVER_ACCEPT_RETRY_MS);
                g_source_set_callback(srv->acceptRetry, rpcServerAcceptRetry, srv, NULL);
                g_source_attach(srv->acceptRetry, srv->ctx);
            }
            break;
        }
    }
    rpcServerUpdateAccepting(srv);
    rpcServerUpdateIdleTimer(srv);
    return G_SOURCE_CONTINUE;
}

/*
 * Watches the listening sockets only while clients may still come:
 * at max_clients new connections wait in the backlog, as with libvirtd.
 * Event-loop thread.
 */
static void
rpcServerUpdateAccepting(RpcServer *srv)
{
    bool want = srv->started && !srv->stopped && !srv->acceptRetry &&
                rpcServerCountClients(srv) < srv->cfg.maxClients;
    size_t i;

    if (want == srv->accepting)
        return;
    srv->accepting = want;
    if (!want)
        LOG_DEBUG("not accepting clients for now (%zu connected)", rpcServerCountClients(srv));
    for (i = 0; i < srv->services->len; i++) {
        RpcServerService *svc = g_ptr_array_index(srv->services, i);

        if (svc->watch)
            rpcServerWatchSetCondition(svc->watch, want ? G_IO_IN : 0);
    }
}

/**
 * rpcServerAddUnixService:
 * @srv: a server
 * @path: the socket file to create (a stale one is replaced)
 * @mode: its permissions
 * @gid: its group, or (gid_t)-1 to keep the process's
 * @readonly: clients of this socket may only call read-only procedures
 *
 * Returns: 0, or -1 with an error reported.
 */
int
rpcServerAddUnixService(RpcServer *srv, const char *path, mode_t mode, gid_t gid, bool readonly)
{
    RpcServerService *svc = NULL;
    RpcSocket *sock = rpcSocketNewListenUnix(path, mode);

    if (!sock)
        return -1;
    if (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) < 0) {
        reportSystemError(errno, _("cannot set the group of socket '%1$s'"), path);
        rpcSocketFree(sock);
        return -1;
    }
    svc = g_new0(RpcServerService, 1);
    svc->srv = srv;
    svc->sock = sock;
    svc->readonly = readonly;
    g_ptr_array_add(srv->services, svc);
    LOG_DEBUG("listening on '%s'%s", path, readonly ? " (read-only)" : "");
    return 0;
}

/**
 * rpcServerAddTCPService:
 * @srv: a server not started yet
 * @node: address or host name to listen on, NULL for every address
 * @service: port number
 * @tls: credentials for TLS (referenced), or NULL for plain TCP
 *
 * Listens on every address @node resolves to.  Clients of a TLS service
 * complete the handshake (and the certificate check) on the event loop
 * before their first packet is read.
 *
 * Returns: 0, or -1 with an error reported.
 */
int
rpcServerAddTCPService(RpcServer *srv, const char *node, const char *service, RpcTLSContext *tls)
{
    g_autoptr(GPtrArray) socks = rpcSocketNewListenTCP(node, service);
    size_t i;

    if (!socks)
        return -1;
    for (i = 0; i < socks->len; i++) {
        RpcServerService *svc = g_new0(RpcServerService, 1);

        svc->srv = srv;
        svc->sock = g_ptr_array_index(socks, i);
        svc->tls = tls ? rpcTLSContextRef(tls) : NULL;
        g_ptr_array_add(srv->services, svc);
    }
    /* The services own the sockets now. */
    g_ptr_array_set_free_func(socks, NULL);
    LOG_DEBUG("listening on '%s' port %s (%s)", node ? node : "*", service, tls ? "TLS" : "TCP");
    return 0;
}

/* --- idle timeout ------------------------------------------------------------ */

static gboolean
rpcServerIdleTimerFired(gpointer opaque)
{
    RpcServer *srv = opaque;

    g_source_unref(g_steal_pointer(&srv->idleTimer));
    if (srv->idleFunc && rpcServerCountClients(srv) == 0)
        srv->idleFunc(srv, srv->idleOpaque);
    return G_SOURCE_REMOVE;
}

/* Arms the idle timer while no client is connected.  Event-loop thread. */
static void
rpcServerUpdateIdleTimer(RpcServer *srv)
{
    bool want =
        srv->started && !srv->stopped && srv->idleTimeout > 0 && rpcServerCountClients(srv) == 0;

    if (want && !srv->idleTimer) {
        srv->idleTimer = g_timeout_source_new_seconds(srv->idleTimeout);
        g_source_set_callback(srv->idleTimer, rpcServerIdleTimerFired, srv, NULL);
        g_source_attach(srv->idleTimer, srv->ctx);
    } else if (!want && srv->idleTimer) {
        g_source_destroy(srv->idleTimer);
        g_source_unref(g_steal_pointer(&srv->idleTimer));
    }
}

/**
 * rpcServerSetIdleTimeout:
 * @srv: a server
 * @seconds: how long the server may stay without clients, 0 = forever
 * @func: called (on the event loop) when that time has passed
 * @opaque: passed to @func
 *
 * Event-loop thread.
 */
void
rpcServerSetIdleTimeout(RpcServer *srv, unsigned int seconds, RpcServerIdleFunc func, void *opaque)
{
    srv->idleTimeout = seconds;
    srv->idleFunc = func;
    srv->idleOpaque = opaque;
    rpcServerUpdateIdleTimer(srv);
}

/* --- start and stop ---------------------------------------------------------- */

/**
 * rpcServerStart:
 * @srv: a server with its programs and sockets
 *
 * Starts the worker threads and begins accepting clients.  Event-loop
 * thread (or before the loop runs).
 *
 * Returns: 0, or -1 with an error reported.
 */
int
rpcServerStart(RpcServer *srv)
{
    g_autoptr(GError) gerr = NULL;
    size_t i;

    srv->workers = g_thread_pool_new(rpcServerWorker, srv, (int)srv->cfg.maxWorkers, TRUE, &gerr);
    if (!srv->workers) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("cannot start worker threads: %1$s"), gerr->message);
        return -1;
    }
    if (srv->cfg.prioWorkers > 0) {
        srv->prioWorkers =
            g_thread_pool_new(rpcServerWorker, srv, (int)srv->cfg.prioWorkers, TRUE, &gerr);
        if (!srv->prioWorkers) {
            reportError(VIR_ERR_INTERNAL_ERROR, _("cannot start priority worker threads: %1$s"),
                        gerr->message);
            return -1;
        }
    }

    srv->wakeSource = g_source_new(&rpcServerWakeFuncs, sizeof(RpcServerWakeSource));
    ((RpcServerWakeSource *)srv->wakeSource)->srv = srv;
    g_source_attach(srv->wakeSource, srv->ctx);

    for (i = 0; i < srv->services->len; i++) {
        RpcServerService *svc = g_ptr_array_index(srv->services, i);

        svc->watch =
            rpcServerWatchNew(rpcSocketGetFD(svc->sock), G_IO_IN, rpcServerServiceEvent, svc, NULL);
        g_source_attach(svc->watch, srv->ctx);
    }
    srv->accepting = true;
    srv->started = true;
    rpcServerUpdateIdleTimer(srv);
    LOG_DEBUG("server started: %u workers, %u priority workers, %u clients at most",
              srv->cfg.maxWorkers, srv->cfg.prioWorkers, srv->cfg.maxClients);
    return 0;
}

/* Snapshot of the clients, referenced. */
static GPtrArray *
rpcServerGetClients(RpcServer *srv)
{
    GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)rpcServerClientUnref);
    size_t i;

    mutexLock(&srv->lock);
    for (i = 0; i < srv->clients->len; i++)
        g_ptr_array_add(list, rpcServerClientRef(g_ptr_array_index(srv->clients, i)));
    mutexUnlock(&srv->lock);
    return list;
}

/**
 * rpcServerStop:
 * @srv: a started server
 *
 * First step of a clean shutdown: closes the listening sockets (removing
 * their files) and stops reading calls; calls already running go on and
 * their replies are still sent.  Event-loop thread.
 */
void
rpcServerStop(RpcServer *srv)
{
    g_autoptr(GPtrArray) clients = NULL;
    size_t i;

    if (srv->stopped)
        return;
    srv->stopped = true;
    g_ptr_array_set_size(srv->services, 0);
    srv->accepting = false;
    if (srv->acceptRetry) {
        g_source_destroy(srv->acceptRetry);
        g_source_unref(g_steal_pointer(&srv->acceptRetry));
    }
    rpcServerUpdateIdleTimer(srv);

    clients = rpcServerGetClients(srv);
    for (i = 0; i < clients->len; i++)
        rpcServerClientStopReading(g_ptr_array_index(clients, i));
}

/**
 * rpcServerCountCalls:
 * @srv: a server
 *
 * Returns: the number of calls queued or running.
 */
unsigned int
rpcServerCountCalls(RpcServer *srv)
{
    return (unsigned int)g_atomic_int_get(&srv->inflight);
}

/**
 * rpcServerIsQuiescent:
 * @srv: a server
 *
 * Returns: true when no call is running and every reply was written.
 */
bool
rpcServerIsQuiescent(RpcServer *srv)
{
    g_autoptr(GPtrArray) clients = NULL;
    size_t i;

    if (rpcServerCountCalls(srv) > 0)
        return false;
    clients = rpcServerGetClients(srv);
    for (i = 0; i < clients->len; i++) {
        if (!rpcServerClientIsQuiescent(g_ptr_array_index(clients, i)))
            return false;
    }
    return true;
}

/**
 * rpcServerCloseClients:
 * @srv: a server
 *
 * Closes every connection.  Event-loop thread.
 */
void
rpcServerCloseClients(RpcServer *srv)
{
    g_autoptr(GPtrArray) clients = rpcServerGetClients(srv);
    size_t i;

    for (i = 0; i < clients->len; i++)
        rpcServerClientCloseNow(g_ptr_array_index(clients, i));
}

/**
 * rpcServerFree:
 * @srv: a server, or NULL
 *
 * Closes the remaining clients, waits for the workers to finish their
 * calls and frees everything.  Event-loop thread, with the loop no
 * longer iterating.
 */
void
rpcServerFree(RpcServer *srv)
{
    RpcServerClient *client;

    if (!srv)
        return;
    rpcServerStop(srv);
    rpcServerCloseClients(srv);
    /* Stopping the pools queues wake-ups the workers free (see the push). */
    threadGlibInternalsBegin();
    if (srv->workers)
        g_thread_pool_free(srv->workers, FALSE, TRUE);
    if (srv->prioWorkers)
        g_thread_pool_free(srv->prioWorkers, FALSE, TRUE);
    threadGlibInternalsEnd();
    /* Calls that finished after their client closed may have queued it. */
    while ((client = g_queue_pop_head(&srv->wakeQueue)))
        rpcServerClientUnref(client);
    if (srv->wakeSource) {
        g_source_destroy(srv->wakeSource);
        g_source_unref(srv->wakeSource);
    }
    if (srv->idleTimer) {
        g_source_destroy(srv->idleTimer);
        g_source_unref(srv->idleTimer);
    }
    g_ptr_array_unref(srv->services);
    g_ptr_array_unref(srv->programs);
    g_ptr_array_unref(srv->clients);
    mutexClear(&srv->lock);
    g_main_context_unref(srv->ctx);
    g_free(srv);
}
