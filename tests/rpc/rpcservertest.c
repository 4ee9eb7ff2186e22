/* Tests of src/rpc/rpc_server.c threading: inline calls on the event loop, slow ones on workers. */
#include <string.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_RPC

#include "rpc/rpc_client.h"
#include "rpc/rpc_server.h"
#include "rpc/rpc_server_client.h"
#include "util/error.h"
#include "util/thread.h"
#include "testutils.h"

/*
 * A server of our own on a unix socket in a temporary directory, its
 * event loop on a thread of this process, and clients from
 * src/rpc/rpc_client.c.  One normal worker, so that one slow call is
 * enough to occupy every worker, and no priority worker (a second server
 * has one, for the last test).  The program (int in, int + 1 out):
 *
 *   QUICK        flagged inline: runs on the loop thread
 *   QUICK_NO     flagged inline, but the program's check refuses it
 *   QUERY        a read-only query without the inline flag: a worker
 *   SLOW         waits until the test releases it: a worker
 *   CHEAPISH     flagged inline-while-cheap; busy for as many
 *                microseconds as its argument says
 *   PRIO         a high-priority query (RPC_SERVER_PROC_HIGH_PRIORITY,
 *                as the remote program marks job info or abort job)
 *
 * Each handler records whether it ran on the loop thread.
 */
#define TEST_PROG 0x7e570002
#define TEST_VERS 1
enum { PROC_QUICK = 1, PROC_QUICK_NO, PROC_QUERY, PROC_SLOW, PROC_CHEAPISH, PROC_PRIO, PROC_LAST };

/* Longest a test waits for anything before it is declared stuck. */
#define WAIT_US (20 * G_USEC_PER_SEC)

/*
 * A server and its loop.  Both servers run from start to end: GLib hands
 * the threads of a freed pool to the next pool, through bookkeeping that
 * ThreadSanitizer cannot follow.
 */
typedef struct {
    GMainContext *ctx;
    GThread *thread;
    gint quit; /* atomic */
    RpcServer *srv;
    char *dir;
    char *path;
} TestServer;

static TestServer noPrioServer; /* no priority worker */
static TestServer prioServer;   /* one priority worker */
/* The server the running test talks to; set between tests only. */
static TestServer *cur = &noPrioServer;

/* What the handlers saw; atomics, reset by each test. */
static gint ranOnLoop[PROC_LAST]; /* 1 on the loop thread, 2 elsewhere */
static gint slowStarted;

/* Releases the SLOW calls. */
static Mutex slowLock;
static Cond slowCond;
static bool slowRelease; /* protected by slowLock */

static int
handleQuick(RpcServer *srv, RpcServerClient *client, const RpcMessage *call, void *args, void *ret)
{
    int proc = call->header.proc;

    g_atomic_int_set(&ranOnLoop[proc], g_main_context_is_owner(cur->ctx) ? 1 : 2);
    *(int *)ret = *(int *)args + 1;
    return 0;
}

static int
handleSlow(RpcServer *srv, RpcServerClient *client, const RpcMessage *call, void *args, void *ret)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_US;
    bool released;

    g_atomic_int_set(&ranOnLoop[PROC_SLOW], g_main_context_is_owner(cur->ctx) ? 1 : 2);
    g_atomic_int_inc(&slowStarted);
    mutexLock(&slowLock);
    while (!slowRelease && condWaitUntil(&slowCond, &slowLock, deadline))
        ;
    released = slowRelease;
    mutexUnlock(&slowLock);
    if (!released) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", "the slow call was never released");
        return -1;
    }
    *(int *)ret = *(int *)args + 1;
    return 0;
}

static int
handleCheapish(RpcServer *srv, RpcServerClient *client, const RpcMessage *call, void *args,
               void *ret)
{
    gint64 until = g_get_monotonic_time() + *(int *)args;

    g_atomic_int_set(&ranOnLoop[PROC_CHEAPISH], g_main_context_is_owner(cur->ctx) ? 1 : 2);
    while (g_get_monotonic_time() < until)
        ;
    *(int *)ret = *(int *)args + 1;
    return 0;
}

static bool
inlineCheck(RpcServerClient *client, const RpcServerProc *proc)
{
    return proc->proc != PROC_QUICK_NO;
}

#define TEST_PROC(num, fn, fl)                                                                     \
    {                                                                                              \
        num, #num, NULL, fn, (xdrproc_t)xdr_int, sizeof(int), (xdrproc_t)xdr_int, sizeof(int), fl  \
    }

static const RpcServerProc testProcs[] = {
    TEST_PROC(PROC_QUICK, handleQuick, RPC_SERVER_PROC_READONLY | RPC_SERVER_PROC_INLINE),
    TEST_PROC(PROC_QUICK_NO, handleQuick, RPC_SERVER_PROC_READONLY | RPC_SERVER_PROC_INLINE),
    TEST_PROC(PROC_QUERY, handleQuick, RPC_SERVER_PROC_READONLY),
    TEST_PROC(PROC_SLOW, handleSlow, 0),
    TEST_PROC(PROC_CHEAPISH, handleCheapish,
              RPC_SERVER_PROC_READONLY | RPC_SERVER_PROC_INLINE_CHEAP),
    TEST_PROC(PROC_PRIO, handleQuick, RPC_SERVER_PROC_READONLY | RPC_SERVER_PROC_HIGH_PRIORITY),
};

static gpointer
loopMain(gpointer opaque)
{
    TestServer *ts = opaque;

    g_main_context_push_thread_default(ts->ctx);
    while (!g_atomic_int_get(&ts->quit))
        g_main_context_iteration(ts->ctx, TRUE);
    g_main_context_pop_thread_default(ts->ctx);
    return NULL;
}

/* Starts @ts with one normal worker and @prioWorkers priority workers. */
static int
serverStart(TestServer *ts, unsigned int prioWorkers)
{
    RpcServerConfig cfg;
    RpcServerProgram *prog;

    rpcServerConfigInitDefaults(&cfg);
    cfg.maxWorkers = 1;
    cfg.prioWorkers = prioWorkers;
    cfg.maxClientRequests = 10;
    cfg.keepaliveInterval = 0;

    ts->dir = g_dir_make_tmp("rpcservertest-XXXXXX", NULL);
    if (!ts->dir)
        return -1;
    ts->path = g_build_filename(ts->dir, "sock", NULL);
    ts->ctx = g_main_context_new();
    ts->srv = rpcServerNew(&cfg, ts->ctx);
    prog = rpcServerProgramNew(TEST_PROG, TEST_VERS, PROC_LAST);
    rpcServerProgramAddProcs(prog, testProcs, G_N_ELEMENTS(testProcs));
    rpcServerProgramSetInlineCheck(prog, inlineCheck);
    rpcServerAddProgram(ts->srv, prog);
    if (rpcServerAddUnixService(ts->srv, ts->path, 0600, (gid_t)-1, false) < 0 ||
        rpcServerStart(ts->srv) < 0) {
        testFail("cannot start the server: %s", errorGetSlot()->message);
        return -1;
    }
    ts->thread = g_thread_new("rpcservertest-loop", loopMain, ts);
    return 0;
}

static void
serverStop(TestServer *ts)
{
    gint64 deadline;

    if (ts->thread) {
        g_atomic_int_set(&ts->quit, 1);
        g_main_context_wakeup(ts->ctx);
        g_thread_join(g_steal_pointer(&ts->thread));
    }
    /* Also releases a SLOW call a failed test left behind. */
    mutexLock(&slowLock);
    slowRelease = true;
    condBroadcast(&slowCond);
    mutexUnlock(&slowLock);
    /*
     * A worker's last touch of the server comes after its reply went out:
     * wait for it, as the daemon does before it frees its server (the
     * atomic count is also what orders that touch before the free).
     */
    deadline = g_get_monotonic_time() + WAIT_US;
    while (ts->srv && rpcServerCountCalls(ts->srv) > 0 && g_get_monotonic_time() < deadline)
        g_usleep(1000);
    rpcServerFree(g_steal_pointer(&ts->srv));
    if (ts->ctx)
        g_main_context_unref(g_steal_pointer(&ts->ctx));
    if (ts->path)
        unlink(ts->path);
    if (ts->dir)
        rmdir(ts->dir);
    g_clear_pointer(&ts->path, g_free);
    g_clear_pointer(&ts->dir, g_free);
}

static void
resetState(void)
{
    size_t i;

    for (i = 0; i < PROC_LAST; i++)
        g_atomic_int_set(&ranOnLoop[i], 0);
    g_atomic_int_set(&slowStarted, 0);
    mutexLock(&slowLock);
    slowRelease = false;
    mutexUnlock(&slowLock);
}

static void
releaseSlow(void)
{
    mutexLock(&slowLock);
    slowRelease = true;
    condBroadcast(&slowCond);
    mutexUnlock(&slowLock);
}

/* One call; returns 0 when the reply is @arg + 1. */
static int
call(RpcClient *client, int proc, int arg)
{
    int ret = 0;

    if (rpcClientCall(client, TEST_PROG, TEST_VERS, proc, (xdrproc_t)xdr_int, &arg,
                      (xdrproc_t)xdr_int, &ret) < 0) {
        testFail("procedure %d failed: %s", proc, errorGetSlot()->message);
        return -1;
    }
    if (ret != arg + 1) {
        testFail("procedure %d answered %d to %d", proc, ret, arg);
        return -1;
    }
    return 0;
}

/* A call made on a thread of its own. */
typedef struct {
    RpcClient *client;
    int proc;
    int arg;
    gint done; /* atomic: 1 succeeded, -1 failed */
    GThread *thread;
} AsyncCall;

static gpointer
asyncCallMain(gpointer opaque)
{
    AsyncCall *ac = opaque;

    g_atomic_int_set(&ac->done, call(ac->client, ac->proc, ac->arg) == 0 ? 1 : -1);
    return NULL;
}

static void
asyncCallStart(AsyncCall *ac, RpcClient *client, int proc, int arg)
{
    ac->client = client;
    ac->proc = proc;
    ac->arg = arg;
    ac->done = 0;
    ac->thread = g_thread_new("rpcservertest-call", asyncCallMain, ac);
}

static int
asyncCallJoin(AsyncCall *ac)
{
    if (!ac->thread)
        return -1;
    g_thread_join(g_steal_pointer(&ac->thread));
    return g_atomic_int_get(&ac->done) == 1 ? 0 : -1;
}

/* Waits until *@flag is non-zero; false after WAIT_US. */
static bool
waitFor(gint *flag)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_US;

    while (!g_atomic_int_get(flag)) {
        if (g_get_monotonic_time() > deadline)
            return false;
        g_usleep(1000);
    }
    return true;
}

static int
testWhereCallsRun(const void *data)
{
    g_autoptr(RpcClient) client = rpcClientNewUnix(cur->path);
    int rc = -1;

    resetState();
    if (!client) {
        testFail("cannot connect: %s", errorGetSlot()->message);
        return -1;
    }
    if (call(client, PROC_QUICK, 41) < 0 || call(client, PROC_QUICK_NO, 1) < 0 ||
        call(client, PROC_QUERY, 2) < 0)
        goto cleanup;
    if (g_atomic_int_get(&ranOnLoop[PROC_QUICK]) != 1) {
        testFail("the inline procedure did not run on the event-loop thread");
        goto cleanup;
    }
    if (g_atomic_int_get(&ranOnLoop[PROC_QUICK_NO]) != 2) {
        testFail("the inline procedure refused by the program's check ran on the loop");
        goto cleanup;
    }
    if (g_atomic_int_get(&ranOnLoop[PROC_QUERY]) != 2) {
        testFail("a procedure without the inline flag ran on the event-loop thread");
        goto cleanup;
    }
    rc = 0;

cleanup:
    rpcClientClose(client);
    return rc;
}

/*
 * While client A's slow call holds the only worker: client B's quick
 * query and a quick query of A itself answer at once, B's query without
 * the inline flag waits for a worker (what the inline path avoids), and
 * everything completes once the slow call is released.
 */
static int
testSlowCallDoesNotBlockQuick(const void *data)
{
    g_autoptr(RpcClient) a = rpcClientNewUnix(cur->path);
    g_autoptr(RpcClient) b = rpcClientNewUnix(cur->path);
    AsyncCall slow = {0};
    AsyncCall query = {0};
    gint64 t0;
    gint64 elapsed;
    int rc = -1;

    resetState();
    if (!a || !b) {
        testFail("cannot connect: %s", errorGetSlot()->message);
        goto cleanup;
    }
    asyncCallStart(&slow, a, PROC_SLOW, 10);
    if (!waitFor(&slowStarted)) {
        testFail("the slow call did not start");
        goto cleanup;
    }
    if (g_atomic_int_get(&ranOnLoop[PROC_SLOW]) != 2) {
        testFail("the slow call ran on the event-loop thread");
        goto cleanup;
    }

    t0 = g_get_monotonic_time();
    if (call(b, PROC_QUICK, 20) < 0 || call(a, PROC_QUICK, 30) < 0)
        goto cleanup;
    elapsed = g_get_monotonic_time() - t0;
    if (g_atomic_int_get(&slow.done) != 0) {
        testFail("the slow call finished before it was released");
        goto cleanup;
    }
    /* Generous: the machine may be loaded; a blocked loop would never answer. */
    if (elapsed > 5 * G_USEC_PER_SEC) {
        testFail("quick calls took %" G_GINT64_FORMAT " us beside a slow call", elapsed);
        goto cleanup;
    }

    /* The same query without the inline flag queues behind the slow call. */
    asyncCallStart(&query, b, PROC_QUERY, 40);
    g_usleep(200 * 1000);
    if (g_atomic_int_get(&query.done) != 0) {
        testFail("a worker query answered while the only worker was busy: "
                 "the test does not show what it should");
        goto cleanup;
    }
    releaseSlow();
    if (asyncCallJoin(&slow) < 0 || asyncCallJoin(&query) < 0)
        goto cleanup;
    rc = 0;

cleanup:
    releaseSlow();
    asyncCallJoin(&slow);
    asyncCallJoin(&query);
    if (a)
        rpcClientClose(a);
    if (b)
        rpcClientClose(b);
    return rc;
}

/* Waits up to @us for an asynchronous call to end; true when it did. */
static bool
asyncCallWait(AsyncCall *ac, gint64 us)
{
    gint64 deadline = g_get_monotonic_time() + us;

    while (!g_atomic_int_get(&ac->done)) {
        if (g_get_monotonic_time() > deadline)
            return false;
        g_usleep(1000);
    }
    return true;
}

/*
 * While client A's slow call holds the only normal worker, client B's
 * high-priority query: with a priority worker (*@data true) it is
 * answered on that worker while B's normal query waits for the normal
 * worker; without one (*@data false) it waits like any worker call
 * (docs/daemon.md, src/rpc/README.md: priority workers are what lets
 * queries pass a slow call).  Everything completes once the slow call is
 * released.
 */
static int
testPriorityQuery(const void *data)
{
    bool prio = *(const bool *)data;
    g_autoptr(RpcClient) a = rpcClientNewUnix(cur->path);
    g_autoptr(RpcClient) b = rpcClientNewUnix(cur->path);
    AsyncCall slow = {0};
    AsyncCall query = {0};
    AsyncCall normal = {0};
    int rc = -1;

    resetState();
    if (!a || !b) {
        testFail("cannot connect: %s", errorGetSlot()->message);
        goto cleanup;
    }
    asyncCallStart(&slow, a, PROC_SLOW, 10);
    if (!waitFor(&slowStarted)) {
        testFail("the slow call did not start");
        goto cleanup;
    }

    asyncCallStart(&query, b, PROC_PRIO, 20);
    if (prio) {
        /* Generous: a loaded machine; a query stuck behind the slow call never ends. */
        if (!asyncCallWait(&query, 10 * G_USEC_PER_SEC)) {
            testFail("the high-priority query waited behind the slow call");
            goto cleanup;
        }
        if (g_atomic_int_get(&query.done) != 1 || g_atomic_int_get(&ranOnLoop[PROC_PRIO]) != 2) {
            testFail("the high-priority query failed or ran on the event loop (%d)",
                     g_atomic_int_get(&ranOnLoop[PROC_PRIO]));
            goto cleanup;
        }
        asyncCallStart(&normal, b, PROC_QUERY, 30);
        if (asyncCallWait(&normal, 300 * 1000)) {
            testFail("a normal query ran while the only normal worker was busy");
            goto cleanup;
        }
    } else if (asyncCallWait(&query, 300 * 1000)) {
        testFail("without priority workers a high-priority query ran while the only "
                 "worker was busy");
        goto cleanup;
    }
    if (g_atomic_int_get(&slow.done) != 0) {
        testFail("the slow call finished before it was released");
        goto cleanup;
    }
    releaseSlow();
    if (asyncCallJoin(&slow) < 0 || asyncCallJoin(&query) < 0 ||
        (prio && asyncCallJoin(&normal) < 0))
        goto cleanup;
    rc = 0;

cleanup:
    releaseSlow();
    asyncCallJoin(&slow);
    asyncCallJoin(&query);
    asyncCallJoin(&normal);
    if (a)
        rpcClientClose(a);
    if (b)
        rpcClientClose(b);
    return rc;
}

/*
 * An inline-while-cheap procedure runs on the loop while cheap, on a
 * worker right after an expensive call, and back on the loop after some
 * cheap calls.
 */
static int
testCheapWhileCheap(const void *data)
{
    g_autoptr(RpcClient) client = rpcClientNewUnix(cur->path);
    int i;
    int rc = -1;

    resetState();
    if (!client) {
        testFail("cannot connect: %s", errorGetSlot()->message);
        return -1;
    }
    for (i = 0; i < 5; i++) {
        if (call(client, PROC_CHEAPISH, 0) < 0)
            goto cleanup;
    }
    if (g_atomic_int_get(&ranOnLoop[PROC_CHEAPISH]) != 1) {
        testFail("a cheap call did not run on the event-loop thread");
        goto cleanup;
    }
    /* 3 ms: far above RPC_SERVER_INLINE_COST_MAX_US even as one sample of eight. */
    if (call(client, PROC_CHEAPISH, 3000) < 0 || call(client, PROC_CHEAPISH, 0) < 0)
        goto cleanup;
    if (g_atomic_int_get(&ranOnLoop[PROC_CHEAPISH]) != 2) {
        testFail("the call after an expensive one ran on the event-loop thread");
        goto cleanup;
    }
    for (i = 0; i < 1000; i++) {
        if (call(client, PROC_CHEAPISH, 0) < 0)
            goto cleanup;
        if (g_atomic_int_get(&ranOnLoop[PROC_CHEAPISH]) == 1)
            break;
    }
    testNote("back on the event loop after %d cheap calls", i + 1);
    if (i == 1000) {
        testFail("1000 cheap calls later, the procedure still runs on workers");
        goto cleanup;
    }
    rc = 0;

cleanup:
    rpcClientClose(client);
    return rc;
}

/* Client A floods quick calls from several threads; client B still gets answers. */
typedef struct {
    RpcClient *client;
    gint64 until;
    gint failed; /* atomic */
    gint calls;  /* atomic */
} Flood;

static gpointer
floodMain(gpointer opaque)
{
    Flood *f = opaque;
    int i = 0;

    while (g_get_monotonic_time() < f->until) {
        if (call(f->client, PROC_QUICK, i++) < 0) {
            g_atomic_int_set(&f->failed, 1);
            break;
        }
        g_atomic_int_inc(&f->calls);
    }
    return NULL;
}

static int
testFloodDoesNotStarve(const void *data)
{
    g_autoptr(RpcClient) a = rpcClientNewUnix(cur->path);
    g_autoptr(RpcClient) b = rpcClientNewUnix(cur->path);
    Flood flood = {0};
    GThread *threads[4] = {NULL};
    gint64 worst = 0;
    int bcalls = 0;
    size_t i;
    int rc = -1;

    resetState();
    if (!a || !b) {
        testFail("cannot connect: %s", errorGetSlot()->message);
        goto cleanup;
    }
    flood.client = a;
    flood.until = g_get_monotonic_time() + G_USEC_PER_SEC / 2;
    for (i = 0; i < G_N_ELEMENTS(threads); i++)
        threads[i] = g_thread_new("rpcservertest-flood", floodMain, &flood);
    while (g_get_monotonic_time() < flood.until) {
        gint64 t0 = g_get_monotonic_time();

        if (call(b, PROC_QUICK, bcalls) < 0)
            break;
        worst = MAX(worst, g_get_monotonic_time() - t0);
        bcalls++;
    }
    for (i = 0; i < G_N_ELEMENTS(threads); i++)
        g_thread_join(threads[i]);
    if (g_atomic_int_get(&flood.failed)) {
        testFail("the flooding client's calls failed");
        goto cleanup;
    }
    testNote("flood: %d calls of A, %d of B, B's slowest %" G_GINT64_FORMAT " us",
             g_atomic_int_get(&flood.calls), bcalls, worst);
    if (bcalls == 0 || g_atomic_int_get(&flood.calls) == 0) {
        testFail("client B made %d calls, A %d during the flood", bcalls,
                 g_atomic_int_get(&flood.calls));
        goto cleanup;
    }
    if (worst > 5 * G_USEC_PER_SEC) {
        testFail("client B waited %" G_GINT64_FORMAT " us for a call", worst);
        goto cleanup;
    }
    rc = 0;

cleanup:
    if (a)
        rpcClientClose(a);
    if (b)
        rpcClientClose(b);
    return rc;
}

static int
mymain(void)
{
    static const bool noPrio = false;
    static const bool withPrio = true;
    int ret = 0;

    mutexInit(&slowLock);
    condInit(&slowCond);
    if (serverStart(&noPrioServer, 0) < 0 || serverStart(&prioServer, 1) < 0) {
        serverStop(&prioServer);
        serverStop(&noPrioServer);
        return -1;
    }
    if (testRun("where calls run: inline on the loop, others on workers", testWhereCallsRun, NULL) <
        0)
        ret = -1;
    if (testRun("a slow call does not delay quick queries", testSlowCallDoesNotBlockQuick, NULL) <
        0)
        ret = -1;
    if (testRun("inline while cheap: to the workers when expensive, back when cheap",
                testCheapWhileCheap, NULL) < 0)
        ret = -1;
    if (testRun("a flood of quick calls does not starve another client", testFloodDoesNotStarve,
                NULL) < 0)
        ret = -1;
    if (testRun("prio_workers = 0: a high-priority query waits for the busy worker",
                testPriorityQuery, &noPrio) < 0)
        ret = -1;

    cur = &prioServer;
    if (testRun("prio_workers = 1: a high-priority query passes a slow call, a normal one waits",
                testPriorityQuery, &withPrio) < 0)
        ret = -1;
    serverStop(&prioServer);
    serverStop(&noPrioServer);
    condClear(&slowCond);
    mutexClear(&slowLock);
    return ret;
}

int
main(int argc, char **argv)
{
    return testMain(argc, argv, mymain);
}
