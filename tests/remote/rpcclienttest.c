/* Tests of src/rpc/rpc_client.c against a scripted in-process peer on a socket pair. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_RPC

#include "rpc/rpc_client.h"
#include "rpc/keepalive_protocol.h"
#include "util/error.h"
#include "util/event.h"
#include "util/event_glib.h"
#include "util/str.h"
#include "util/thread.h"
#include "testutils.h"

/* A program number of our own for the scripted calls (int in, int out). */
#define TEST_PROG 0x7e570001
#define TEST_VERS 1
#define TEST_PROC_DOUBLE 1
#define TEST_PROC_EVENT 2

/* Longest a test waits for anything before it is declared stuck. */
#define WAIT_MS 10000

/* --- the scripted peer ------------------------------------------------- */

typedef struct {
    RpcSocket *sock;
    GThread *thread;
    int (*script)(RpcSocket *sock, void *data);
    void *data;
    int result;
} Peer;

static RpcMessage *
peerRecv(RpcSocket *sock)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
    RpcMessage *msg = NULL;

    while (g_get_monotonic_time() < deadline) {
        RpcReaderStatus st = rpcSocketReceive(sock, &msg);

        if (st == RPC_READER_OK)
            return msg;
        if (st != RPC_READER_AGAIN)
            return NULL;
        if (rpcSocketWait(sock, false, 100) < 0)
            return NULL;
    }
    return NULL;
}

static int
peerSend(RpcSocket *sock, RpcMessage *msg)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
    int rc;

    rpcSocketQueue(sock, msg);
    while ((rc = rpcSocketFlush(sock)) == 0) {
        if (g_get_monotonic_time() > deadline ||
            rpcSocketWait(sock, true, 100) < 0)
            return -1;
    }
    return rc < 0 ? -1 : 0;
}

static RpcMessage *
newIntPacket(int proc, rpc_type type, unsigned int serial, rpc_status status,
             int value)
{
    RpcMessage *msg = rpcMessageNew();

    rpcMessageSetHeader(msg, TEST_PROG, TEST_VERS, proc, type, serial, status);
    if (rpcMessageEncode(msg, (xdrproc_t)xdr_int, &value) < 0)
        abort();
    return msg;
}

/* Receives a call and returns its int argument (and serial). */
static int
peerRecvCall(RpcSocket *sock, unsigned int *serial, int *value)
{
    g_autoptr(RpcMessage) msg = NULL;

    /* Keepalive packets from the client are answered and skipped. */
    while ((msg = peerRecv(sock))) {
        if (msg->header.prog != KEEPALIVE_PROGRAM)
            break;
        g_clear_pointer(&msg, rpcMessageFree);
    }
    if (!msg || msg->header.type != RPC_TYPE_CALL || msg->header.prog != TEST_PROG)
        return -1;
    *serial = msg->header.serial;
    *value = 0;
    return rpcMessageDecodePayload(msg, (xdrproc_t)xdr_int, value);
}

static int
peerReplyInt(RpcSocket *sock, unsigned int serial, int value)
{
    return peerSend(sock, newIntPacket(TEST_PROC_DOUBLE, RPC_TYPE_REPLY, serial,
                                       RPC_STATUS_OK, value));
}

static int
peerSendEvent(RpcSocket *sock, int value)
{
    return peerSend(sock, newIntPacket(TEST_PROC_EVENT, RPC_TYPE_MESSAGE, 1,
                                       RPC_STATUS_OK, value));
}

static gpointer
peerThread(gpointer opaque)
{
    Peer *peer = opaque;

    peer->result = peer->script(peer->sock, peer->data);
    errorReset();
    return NULL;
}

/*
 * Returns a client on one end of a socket pair whose other end will run
 * @script once peerGo() is called.  With an event loop running, the loop
 * reads from the client as soon as it exists: a case that needs a
 * message handler or close callback sets it between the two, or the
 * peer's first packets may be read (and dropped) before it is set.
 */
static RpcClient *
peerPrepare(Peer *peer, int (*script)(RpcSocket *, void *), void *data)
{
    RpcSocket *mine = NULL;

    memset(peer, 0, sizeof(*peer));
    if (rpcSocketNewPair(&mine, &peer->sock) < 0)
        abort();
    peer->script = script;
    peer->data = data;
    return rpcClientNewSocket(mine);
}

static void
peerGo(Peer *peer)
{
    peer->thread = g_thread_new("peer", peerThread, peer);
}

/* Starts @script on one end of a socket pair; returns a client on the other. */
static RpcClient *
peerStart(Peer *peer, int (*script)(RpcSocket *, void *), void *data)
{
    RpcClient *client = peerPrepare(peer, script, data);

    peerGo(peer);
    return client;
}

/* Waits for the peer's script; returns its result. */
static int
peerJoin(Peer *peer)
{
    g_thread_join(peer->thread);
    rpcSocketFree(peer->sock);
    if (peer->result < 0)
        testFail("the scripted peer failed");
    return peer->result;
}

/* --- shared checks ------------------------------------------------------ */

static int
callDouble(RpcClient *client, int value, int *result)
{
    *result = 0;
    return rpcClientCall(client, TEST_PROG, TEST_VERS, TEST_PROC_DOUBLE,
                         (xdrproc_t)xdr_int, &value, (xdrproc_t)xdr_int, result);
}

static int
checkError(int code, const char *message)
{
    virErrorPtr err = errorGetSlot();

    if (err->code != code || !err->message ||
        (message && !streq(err->message, message))) {
        testFail("expected error %d '%s', got %d '%s'", code, message ? message : "", err->code,
                 err->message ? err->message : "(null)");
        return -1;
    }
    errorReset();
    return 0;
}

/* Close callback bookkeeping. */
typedef struct {
    Mutex lock;
    Cond cond;
    int fired;
    int reason;
} CloseRecord;

static void
recordClose(RpcClient *client G_GNUC_UNUSED, int reason, void *opaque)
{
    CloseRecord *rec = opaque;

    mutexLock(&rec->lock);
    rec->fired++;
    rec->reason = reason;
    condBroadcast(&rec->cond);
    mutexUnlock(&rec->lock);
}

static int
waitClose(CloseRecord *rec, int reason)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
    int rc = 0;

    mutexLock(&rec->lock);
    while (!rec->fired) {
        if (!condWaitUntil(&rec->cond, &rec->lock, deadline))
            break;
    }
    if (rec->fired != 1 || rec->reason != reason) {
        testFail("close callback: fired %d times with reason %d, expected once with %d",
                 rec->fired, rec->reason, reason);
        rc = -1;
    }
    mutexUnlock(&rec->lock);
    return rc;
}

/* Event bookkeeping: values of TEST_PROC_EVENT messages, in order. */
typedef struct {
    Mutex lock;
    Cond cond;
    GArray *values;
} EventRecord;

static void
recordEvent(RpcClient *client G_GNUC_UNUSED, RpcMessage *msg, void *opaque)
{
    EventRecord *rec = opaque;
    int value = 0;

    if (msg->header.proc != TEST_PROC_EVENT ||
        rpcMessageDecodePayload(msg, (xdrproc_t)xdr_int, &value) < 0)
        value = -1;
    mutexLock(&rec->lock);
    g_array_append_val(rec->values, value);
    condBroadcast(&rec->cond);
    mutexUnlock(&rec->lock);
}

static int
waitEvents(EventRecord *rec, guint n)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
    guint i;
    int rc = 0;

    mutexLock(&rec->lock);
    while (rec->values->len < n) {
        if (!condWaitUntil(&rec->cond, &rec->lock, deadline))
            break;
    }
    if (rec->values->len != n) {
        testFail("expected %u events, got %u", n, rec->values->len);
        rc = -1;
    }
    for (i = 0; rc == 0 && i < n; i++) {
        if (g_array_index(rec->values, int, i) != (int)i + 1) {
            testFail("event %u carries %d, expected %u", i,
                     g_array_index(rec->values, int, i), i + 1);
            rc = -1;
        }
    }
    mutexUnlock(&rec->lock);
    return rc;
}

/* --- cases without an event loop ---------------------------------------- */

/* One call; the serials start at 0. */
static int
scriptSimple(RpcSocket *sock, void *data G_GNUC_UNUSED)
{
    unsigned int serial;
    int value;
    int i;

    for (i = 0; i < 3; i++) {
        if (peerRecvCall(sock, &serial, &value) < 0 || serial != (unsigned int)i)
            return -1;
        if (peerReplyInt(sock, serial, value * 2) < 0)
            return -1;
    }
    return 0;
}

static int
testSimple(const void *data G_GNUC_UNUSED)
{
    Peer peer;
    g_autoptr(RpcClient) client = peerStart(&peer, scriptSimple, NULL);
    int result;
    int i;
    int rc = 0;

    for (i = 0; i < 3; i++) {
        if (callDouble(client, 21 + i, &result) < 0 || result != 2 * (21 + i)) {
            testFail("call %d: got %d", i, result);
            rc = -1;
        }
    }
    if (peerJoin(&peer) < 0)
        rc = -1;
    rpcClientClose(client);
    if (callDouble(client, 1, &result) == 0 ||
        checkError(VIR_ERR_INTERNAL_ERROR, "internal error: client socket is closed") < 0)
        rc = -1;
    return rc;
}

/* The daemon's error comes back exactly as sent. */
static int
scriptError(RpcSocket *sock, void *data G_GNUC_UNUSED)
{
    g_autoptr(RpcMessage) reply = rpcMessageNew();
    virError err = {0};
    unsigned int serial;
    int value;
    int rc;

    if (peerRecvCall(sock, &serial, &value) < 0)
        return -1;
    err.code = VIR_ERR_NO_DOMAIN;
    err.domain = VIR_FROM_TEST;
    err.level = VIR_ERR_ERROR;
    err.message = (char *)"Domain not found: no domain with matching name 'x'";
    err.str1 = (char *)"Domain not found: %s";
    err.str2 = (char *)"no domain with matching name 'x'";
    err.int1 = -1;
    rpcMessageSetHeader(reply, TEST_PROG, TEST_VERS, TEST_PROC_DOUBLE, RPC_TYPE_REPLY,
                        serial, RPC_STATUS_ERROR);
    if (rpcMessageEncodeError(reply, &err) < 0)
        return -1;
    rc = peerSend(sock, g_steal_pointer(&reply));
    return rc;
}

static int
testError(const void *data G_GNUC_UNUSED)
{
    Peer peer;
    g_autoptr(RpcClient) client = peerStart(&peer, scriptError, NULL);
    virErrorPtr err = NULL;
    int result;
    int rc = 0;

    if (callDouble(client, 1, &result) == 0) {
        testFail("the call succeeded");
        rc = -1;
    }
    err = errorGetSlot();
    if (err->code != VIR_ERR_NO_DOMAIN || err->domain != VIR_FROM_TEST ||
        !streq(err->message, "Domain not found: no domain with matching name 'x'") ||
        !streq(err->str2, "no domain with matching name 'x'")) {
        testFail("got error %d/%d '%s'", err->code, err->domain,
                 err->message ? err->message : "");
        rc = -1;
    }
    errorReset();
    if (peerJoin(&peer) < 0)
        rc = -1;
    rpcClientClose(client);
    return rc;
}

/*
 * Many threads at once: the peer collects every call, then answers in
 * reverse order, with an event and a PING in between.
 */
#define CONCURRENT_THREADS 8
#define CONCURRENT_ROUNDS 25

static int
scriptConcurrent(RpcSocket *sock, void *data G_GNUC_UNUSED)
{
    int round;

    for (round = 0; round < CONCURRENT_ROUNDS; round++) {
        unsigned int serials[CONCURRENT_THREADS];
        int values[CONCURRENT_THREADS];
        int i;

        for (i = 0; i < CONCURRENT_THREADS; i++) {
            if (peerRecvCall(sock, &serials[i], &values[i]) < 0)
                return -1;
        }
        for (i = CONCURRENT_THREADS - 1; i >= 0; i--) {
            if (peerReplyInt(sock, serials[i], values[i] * 2) < 0)
                return -1;
        }
    }
    return 0;
}

typedef struct {
    RpcClient *client;
    int index;
    int failures;
} Worker;

static gpointer
workerThread(gpointer opaque)
{
    Worker *w = opaque;
    int round;

    for (round = 0; round < CONCURRENT_ROUNDS; round++) {
        int value = w->index * 1000 + round;
        int result = 0;

        if (callDouble(w->client, value, &result) < 0 || result != value * 2)
            w->failures++;
        errorReset();
    }
    return NULL;
}

static int
testConcurrent(const void *data G_GNUC_UNUSED)
{
    Peer peer;
    g_autoptr(RpcClient) client = peerStart(&peer, scriptConcurrent, NULL);
    Worker workers[CONCURRENT_THREADS];
    GThread *threads[CONCURRENT_THREADS];
    int rc = 0;
    int i;

    for (i = 0; i < CONCURRENT_THREADS; i++) {
        workers[i] = (Worker){ .client = client, .index = i };
        threads[i] = g_thread_new("worker", workerThread, &workers[i]);
    }
    for (i = 0; i < CONCURRENT_THREADS; i++) {
        g_thread_join(threads[i]);
        if (workers[i].failures) {
            testFail("worker %d: %d failed calls", i, workers[i].failures);
            rc = -1;
        }
    }
    if (peerJoin(&peer) < 0)
        rc = -1;
    rpcClientClose(client);
    return rc;
}

/* Events and PINGs arriving before a reply: handled, in order, PONG sent. */
static int
scriptEventsAndPing(RpcSocket *sock, void *data G_GNUC_UNUSED)
{
    g_autoptr(RpcMessage) pong = NULL;
    RpcMessage *ping = rpcMessageNew();
    unsigned int serial;
    int value;

    if (peerRecvCall(sock, &serial, &value) < 0)
        return -1;
    if (peerSendEvent(sock, 1) < 0 || peerSendEvent(sock, 2) < 0)
        return -1;
    rpcMessageSetHeader(ping, KEEPALIVE_PROGRAM, KEEPALIVE_PROTOCOL_VERSION,
                        KEEPALIVE_PROC_PING, RPC_TYPE_MESSAGE, 0, RPC_STATUS_OK);
    if (rpcMessageEncode(ping, NULL, NULL) < 0 || peerSend(sock, ping) < 0)
        return -1;
    if (peerSendEvent(sock, 3) < 0)
        return -1;
    /* The client answers the PING while its call is still waiting. */
    if (!(pong = peerRecv(sock)) || pong->header.prog != KEEPALIVE_PROGRAM ||
        pong->header.proc != KEEPALIVE_PROC_PONG)
        return -1;
    return peerReplyInt(sock, serial, value * 2);
}

static int
testEventsAndPing(const void *data G_GNUC_UNUSED)
{
    Peer peer;
    g_autoptr(RpcClient) client = peerStart(&peer, scriptEventsAndPing, NULL);
    EventRecord rec = { .values = g_array_new(FALSE, FALSE, sizeof(int)) };
    int result;
    int rc = 0;

    mutexInit(&rec.lock);
    condInit(&rec.cond);
    rpcClientSetMessageHandler(client, recordEvent, &rec);
    if (callDouble(client, 5, &result) < 0 || result != 10) {
        testFail("call failed");
        rc = -1;
    }
    if (waitEvents(&rec, 3) < 0)
        rc = -1;
    if (peerJoin(&peer) < 0)
        rc = -1;
    rpcClientClose(client);
    g_array_unref(rec.values);
    return rc;
}

/* EOF while calls wait: each fails with libvirt's error, later calls too. */
static int
scriptHangUp(RpcSocket *sock, void *data G_GNUC_UNUSED)
{
    unsigned int serial;
    int value;

    if (peerRecvCall(sock, &serial, &value) < 0)
        return -1;
    shutdown(rpcSocketGetFD(sock), SHUT_RDWR);
    return 0;
}

static int
testHangUp(const void *data G_GNUC_UNUSED)
{
    Peer peer;
    g_autoptr(RpcClient) client = peerStart(&peer, scriptHangUp, NULL);
    CloseRecord rec = {0};
    int result;
    int rc = 0;

    mutexInit(&rec.lock);
    condInit(&rec.cond);
    rpcClientSetCloseCallback(client, recordClose, &rec, NULL);
    if (callDouble(client, 1, &result) == 0 ||
        checkError(VIR_ERR_SYSTEM_ERROR,
                   "End of file while reading data: Input/output error") < 0)
        rc = -1;
    if (waitClose(&rec, VIR_CONNECT_CLOSE_REASON_EOF) < 0)
        rc = -1;
    if (rpcClientIsOpen(client)) {
        testFail("client still open");
        rc = -1;
    }
    if (callDouble(client, 1, &result) == 0 ||
        checkError(VIR_ERR_INTERNAL_ERROR, "internal error: client socket is closed") < 0)
        rc = -1;
    if (peerJoin(&peer) < 0)
        rc = -1;
    rpcClientClose(client);
    return rc;
}

/* A reply the client cannot frame (bad length): closed, reason EOF. */
static int
scriptGarbage(RpcSocket *sock, void *data G_GNUC_UNUSED)
{
    static const unsigned char junk[] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
    unsigned int serial;
    int value;

    if (peerRecvCall(sock, &serial, &value) < 0)
        return -1;
    return write(rpcSocketGetFD(sock), junk, sizeof(junk)) == sizeof(junk) ? 0 : -1;
}

static int
testGarbage(const void *data G_GNUC_UNUSED)
{
    Peer peer;
    g_autoptr(RpcClient) client = peerStart(&peer, scriptGarbage, NULL);
    CloseRecord closed = {0};
    int result;
    int rc = 0;

    mutexInit(&closed.lock);
    condInit(&closed.cond);
    rpcClientSetCloseCallback(client, recordClose, &closed, NULL);
    if (callDouble(client, 1, &result) == 0 || errorGetCode() != VIR_ERR_RPC) {
        testFail("expected VIR_ERR_RPC, got %d", errorGetCode());
        rc = -1;
    }
    errorReset();
    if (rpcClientIsOpen(client)) {
        testFail("client still open");
        rc = -1;
    }
    /* a protocol error is VIR_CONNECT_CLOSE_REASON_ERROR, as libvirt */
    if (waitClose(&closed, VIR_CONNECT_CLOSE_REASON_ERROR) < 0)
        rc = -1;
    if (peerJoin(&peer) < 0)
        rc = -1;
    rpcClientClose(client);
    return rc;
}

/* An unframeable packet while idle: the loop closes with reason ERROR. */
static int
scriptGarbageIdle(RpcSocket *sock, void *data G_GNUC_UNUSED)
{
    static const unsigned char junk[] = { 0, 0, 0, 3, 1, 2, 3, 4 };
    RpcMessage *msg;

    if (write(rpcSocketGetFD(sock), junk, sizeof(junk)) != sizeof(junk))
        return -1;
    /* wait for the client to hang up */
    while ((msg = peerRecv(sock)))
        rpcMessageFree(msg);
    errorReset();
    return 0;
}

static int
testGarbageIdle(const void *data G_GNUC_UNUSED)
{
    Peer peer;
    g_autoptr(RpcClient) client = peerPrepare(&peer, scriptGarbageIdle, NULL);
    CloseRecord closed = {0};
    int rc = 0;

    mutexInit(&closed.lock);
    condInit(&closed.cond);
    rpcClientSetCloseCallback(client, recordClose, &closed, NULL);
    peerGo(&peer);
    if (waitClose(&closed, VIR_CONNECT_CLOSE_REASON_ERROR) < 0)
        rc = -1;
    if (rpcClientIsOpen(client)) {
        testFail("client still open");
        rc = -1;
    }
    rpcClientClose(client);
    if (peerJoin(&peer) < 0)
        rc = -1;
    return rc;
}

/* A unix connection to a socket this process listens on is recognised. */
static int
testSelfConnection(const void *data G_GNUC_UNUSED)
{
    g_autofree char *dir = g_dir_make_tmp("vk-rpcclient-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "sock", NULL);
    g_autoptr(RpcSocket) listener = rpcSocketNewListenUnix(path, 0700);
    g_autoptr(RpcClient) client = NULL;
    int rc = 0;

    if (!listener || !(client = rpcClientNewUnix(path))) {
        testFail("cannot listen or connect on '%s'", path);
        return -1;
    }
    if (!rpcClientIsSelfConnection(client) || !rpcClientIsLocal(client)) {
        testFail("a connection to ourselves not recognised");
        rc = -1;
    }
    rpcClientClose(client);
    g_clear_pointer(&listener, rpcSocketFree);
    rmdir(dir);

    /* Once gone, connecting fails as libvirt words it. */
    {
        g_autofree char *msg = g_strdup_printf(
            "Failed to connect socket to '%s': No such file or directory", path);

        if (rpcClientNewUnix(path) || checkError(VIR_ERR_SYSTEM_ERROR, msg) < 0)
            rc = -1;
    }
    return rc;
}

/* --- cases with an event loop ------------------------------------------- */

static gint loopStop;

static gpointer
loopThread(gpointer opaque G_GNUC_UNUSED)
{
    while (!g_atomic_int_get(&loopStop))
        eventGlibRunOnce();
    return NULL;
}

/* With no call in flight, the loop reads events and answers PINGs. */
static int
scriptIdle(RpcSocket *sock, void *data G_GNUC_UNUSED)
{
    g_autoptr(RpcMessage) pong = NULL;
    RpcMessage *ping = rpcMessageNew();
    unsigned int serial;
    int value;

    if (peerSendEvent(sock, 1) < 0 || peerSendEvent(sock, 2) < 0)
        return -1;
    rpcMessageSetHeader(ping, KEEPALIVE_PROGRAM, KEEPALIVE_PROTOCOL_VERSION,
                        KEEPALIVE_PROC_PING, RPC_TYPE_MESSAGE, 0, RPC_STATUS_OK);
    if (rpcMessageEncode(ping, NULL, NULL) < 0 || peerSend(sock, ping) < 0)
        return -1;
    if (!(pong = peerRecv(sock)) || pong->header.proc != KEEPALIVE_PROC_PONG)
        return -1;
    if (peerSendEvent(sock, 3) < 0)
        return -1;
    if (peerRecvCall(sock, &serial, &value) < 0)
        return -1;
    if (peerReplyInt(sock, serial, value * 2) < 0)
        return -1;
    /* Then hang up while idle: the loop notices. */
    shutdown(rpcSocketGetFD(sock), SHUT_RDWR);
    return 0;
}

static int
testIdle(const void *data G_GNUC_UNUSED)
{
    EventRecord rec = { .values = g_array_new(FALSE, FALSE, sizeof(int)) };
    CloseRecord closed = {0};
    Peer peer;
    g_autoptr(RpcClient) client = NULL;
    int result;
    int rc = 0;

    mutexInit(&rec.lock);
    condInit(&rec.cond);
    mutexInit(&closed.lock);
    condInit(&closed.cond);
    client = peerPrepare(&peer, scriptIdle, NULL);
    rpcClientSetMessageHandler(client, recordEvent, &rec);
    rpcClientSetCloseCallback(client, recordClose, &closed, NULL);
    peerGo(&peer);
    if (waitEvents(&rec, 3) < 0)
        rc = -1;
    if (callDouble(client, 4, &result) < 0 || result != 8) {
        testFail("call failed");
        rc = -1;
    }
    if (waitClose(&closed, VIR_CONNECT_CLOSE_REASON_EOF) < 0)
        rc = -1;
    if (peerJoin(&peer) < 0)
        rc = -1;
    rpcClientClose(client);
    g_array_unref(rec.values);
    return rc;
}

/*
 * A silent peer: keepalive (1 s, count 1) closes the connection after
 * about 2 s, failing the waiting call; the client's PINGs reach the peer.
 */
static int
scriptSilent(RpcSocket *sock, void *data)
{
    int *pings = data;
    RpcMessage *msg = NULL;

    /* Read (and never answer) until the client hangs up. */
    while ((msg = peerRecv(sock))) {
        if (msg->header.prog == KEEPALIVE_PROGRAM &&
            msg->header.proc == KEEPALIVE_PROC_PING)
            (*pings)++;
        rpcMessageFree(msg);
    }
    errorReset();
    return 0;
}

static int
testKeepAlive(const void *data G_GNUC_UNUSED)
{
    CloseRecord closed = {0};
    Peer peer;
    g_autoptr(RpcClient) client = NULL;
    gint64 start = g_get_monotonic_time();
    gint64 elapsed;
    int pings = 0;
    int result;
    int rc = 0;

    mutexInit(&closed.lock);
    condInit(&closed.cond);
    client = peerStart(&peer, scriptSilent, &pings);
    rpcClientSetCloseCallback(client, recordClose, &closed, NULL);
    if (rpcClientKeepAliveStart(client, 1, 1) < 0) {
        testFail("cannot start keepalive");
        return -1;
    }
    if (callDouble(client, 1, &result) == 0 ||
        checkError(VIR_ERR_INTERNAL_ERROR,
                   "internal error: connection closed due to keepalive timeout") < 0)
        rc = -1;
    elapsed = (g_get_monotonic_time() - start) / 1000;
    if (elapsed < 1500 || elapsed > 5000) {
        testFail("closed after %" G_GINT64_FORMAT " ms, expected about 2000", elapsed);
        rc = -1;
    }
    if (waitClose(&closed, VIR_CONNECT_CLOSE_REASON_KEEPALIVE) < 0)
        rc = -1;
    if (peerJoin(&peer) < 0)
        rc = -1;
    if (pings != 1) {
        testFail("the peer saw %d PINGs, expected 1", pings);
        rc = -1;
    }
    rpcClientClose(client);
    return rc;
}

/* The same with no call in flight: the loop's timer closes it. */
static int
testKeepAliveIdle(const void *data G_GNUC_UNUSED)
{
    CloseRecord closed = {0};
    Peer peer;
    g_autoptr(RpcClient) client = NULL;
    int pings = 0;
    int result;
    int rc = 0;

    mutexInit(&closed.lock);
    condInit(&closed.cond);
    client = peerPrepare(&peer, scriptSilent, &pings);
    rpcClientSetCloseCallback(client, recordClose, &closed, NULL);
    peerGo(&peer);
    if (rpcClientKeepAliveStart(client, 1, 2) < 0) {
        testFail("cannot start keepalive");
        return -1;
    }
    if (waitClose(&closed, VIR_CONNECT_CLOSE_REASON_KEEPALIVE) < 0)
        rc = -1;
    if (callDouble(client, 1, &result) == 0 ||
        checkError(VIR_ERR_INTERNAL_ERROR, "internal error: client socket is closed") < 0)
        rc = -1;
    if (peerJoin(&peer) < 0)
        rc = -1;
    if (pings != 2) {
        testFail("the peer saw %d PINGs, expected 2", pings);
        rc = -1;
    }
    rpcClientClose(client);
    return rc;
}

static int
mymain(void)
{
    GThread *loop = NULL;
    int ret = 0;

    if (testRun("simple calls, serials from 0", testSimple, NULL) < 0)
        ret = -1;
    if (testRun("error reply", testError, NULL) < 0)
        ret = -1;
    if (testRun("concurrent calls, replies in reverse order", testConcurrent, NULL) < 0)
        ret = -1;
    if (testRun("events and PING during a call", testEventsAndPing, NULL) < 0)
        ret = -1;
    if (testRun("peer hangs up during a call", testHangUp, NULL) < 0)
        ret = -1;
    if (testRun("unframeable reply", testGarbage, NULL) < 0)
        ret = -1;
    if (testRun("connection to ourselves", testSelfConnection, NULL) < 0)
        ret = -1;

    eventGlibRegister();
    loop = g_thread_new("loop", loopThread, NULL);
    if (testRun("idle: events, PING, hang-up via the loop", testIdle, NULL) < 0)
        ret = -1;
    if (testRun("keepalive closes during a call", testKeepAlive, NULL) < 0)
        ret = -1;
    if (testRun("keepalive closes while idle", testKeepAliveIdle, NULL) < 0)
        ret = -1;
    if (testRun("unframeable packet while idle: reason ERROR", testGarbageIdle, NULL) < 0)
        ret = -1;
    g_atomic_int_set(&loopStop, 1);
    g_main_context_wakeup(NULL);
    g_thread_join(loop);
    return ret;
}

int
main(int argc, char **argv)
{
    return testMain(argc, argv, mymain);
}
