/* Tests of the client end of RPC streams (src/rpc/rpc_stream.c) against a scripted peer. */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_RPC

#include "rpc/rpc_client.h"
#include "rpc/rpc_stream.h"
#include "util/error.h"
#include "util/event_glib.h"
#include "util/str.h"
#include "testutils.h"

/*
 * The peer plays libvirtd's part byte for byte: the reply of the opening
 * call, then STREAM packets under its serial and procedure (CONTINUE data,
 * empty CONTINUE for the end, OK to confirm, ERROR with a remote_error).
 * It checks what the client sends: data, finish (empty OK), abort (empty
 * ERROR), all with the call's serial and procedure.
 */

#define TEST_PROG 0x7e570001
#define TEST_VERS 1
#define TEST_PROC_OPEN 3
#define WAIT_MS 10000

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
        if (g_get_monotonic_time() > deadline || rpcSocketWait(sock, true, 100) < 0)
            return -1;
    }
    return rc < 0 ? -1 : 0;
}

static gpointer
peerThread(gpointer opaque)
{
    Peer *peer = opaque;

    peer->result = peer->script(peer->sock, peer->data);
    errorReset();
    return NULL;
}

static RpcClient *
peerStart(Peer *peer, int (*script)(RpcSocket *, void *), void *data)
{
    RpcSocket *mine = NULL;

    memset(peer, 0, sizeof(*peer));
    if (rpcSocketNewPair(&mine, &peer->sock) < 0)
        abort();
    peer->script = script;
    peer->data = data;
    peer->thread = g_thread_new("peer", peerThread, peer);
    return rpcClientNewSocket(mine);
}

static int
peerJoin(Peer *peer)
{
    g_thread_join(peer->thread);
    rpcSocketFree(peer->sock);
    if (peer->result < 0)
        testFail("the scripted peer failed");
    return peer->result;
}

/* Receives the opening call, replies OK; returns its serial or -1. */
static long
peerAcceptOpen(RpcSocket *sock)
{
    g_autoptr(RpcMessage) call = peerRecv(sock);
    RpcMessage *reply = NULL;
    int value = 0;

    if (!call || call->header.type != RPC_TYPE_CALL || call->header.proc != TEST_PROC_OPEN ||
        rpcMessageDecodePayload(call, (xdrproc_t)xdr_int, &value) < 0 || value != 42)
        return -1;
    reply = rpcMessageNew();
    rpcMessageSetReplyHeader(reply, &call->header, RPC_STATUS_OK);
    if (rpcMessageEncode(reply, NULL, NULL) < 0 || peerSend(sock, reply) < 0)
        return -1;
    return call->header.serial;
}

static int
peerStream(RpcSocket *sock, unsigned int serial, rpc_status status, const char *data)
{
    RpcMessage *msg = rpcMessageNew();

    rpcMessageSetHeader(msg, TEST_PROG, TEST_VERS, TEST_PROC_OPEN, RPC_TYPE_STREAM, serial,
                        status);
    if (rpcMessageEncodeRaw(msg, data, data ? strlen(data) : 0) < 0)
        abort();
    return peerSend(sock, msg);
}

static int
peerStreamError(RpcSocket *sock, unsigned int serial, const char *message)
{
    RpcMessage *msg = rpcMessageNew();
    virError err = { .code = VIR_ERR_INTERNAL_ERROR, .domain = VIR_FROM_QEMU,
                     .level = VIR_ERR_ERROR, .message = (char *)message };

    rpcMessageSetHeader(msg, TEST_PROG, TEST_VERS, TEST_PROC_OPEN, RPC_TYPE_STREAM, serial,
                        RPC_STATUS_ERROR);
    if (rpcMessageEncodeError(msg, &err) < 0)
        abort();
    return peerSend(sock, msg);
}

/* Expects a STREAM packet of the stream with @status and payload @data. */
static int
peerExpect(RpcSocket *sock, unsigned int serial, rpc_status status, const char *data)
{
    g_autoptr(RpcMessage) msg = peerRecv(sock);
    size_t len = 0;
    const uint8_t *payload;

    if (!msg)
        return -1;
    payload = rpcMessageGetPayload(msg, &len);
    if (msg->header.type != RPC_TYPE_STREAM || msg->header.serial != serial ||
        msg->header.proc != TEST_PROC_OPEN || msg->header.prog != TEST_PROG ||
        (int)msg->header.status != (int)status || len != strlen(data) ||
        memcmp(payload, data, len) != 0) {
        fprintf(stderr, "# peer: unexpected packet type %d serial %u proc %d status %d len %zu\n",
                msg->header.type, msg->header.serial, msg->header.proc, msg->header.status,
                len);
        return -1;
    }
    return 0;
}

static RpcClientStream *
openStream(RpcClient *client)
{
    RpcClientStream *st = rpcClientStreamNew(client, TEST_PROG, TEST_VERS, TEST_PROC_OPEN);
    int arg = 42;

    if (rpcClientStreamCall(st, (xdrproc_t)xdr_int, &arg, NULL, NULL) < 0) {
        testFail("open: %s", errorGetSlot()->message);
        rpcClientStreamUnref(st);
        return NULL;
    }
    return st;
}

/* The calling thread's error must be @code; clears it. */
static int
checkErr(int code)
{
    virErrorPtr err = errorGetSlot();

    if (err->code != code) {
        testFail("expected error %d, got %d '%s'", code, err->code,
                 err->message ? err->message : "(null)");
        return -1;
    }
    errorReset();
    return 0;
}

/* Reads the whole stream (blocking) into @out; returns the last Recv result. */
static int
readAll(RpcClientStream *st, GString *out)
{
    char buf[3];
    int n;

    while ((n = rpcClientStreamRecv(st, buf, sizeof(buf), false)) > 0)
        g_string_append_len(out, buf, n);
    return n;
}

/* --- data, the end, finish --------------------------------------------------- */

static int
scriptRead(RpcSocket *sock, void *data G_GNUC_UNUSED)
{
    long serial = peerAcceptOpen(sock);

    if (serial < 0 ||
        peerStream(sock, serial + 100, RPC_STATUS_CONTINUE, "not ours") < 0 ||
        peerStream(sock, serial, RPC_STATUS_CONTINUE, "hello ") < 0 ||
        peerStream(sock, serial, RPC_STATUS_CONTINUE, "world") < 0 ||
        peerStream(sock, serial, RPC_STATUS_CONTINUE, NULL) < 0 ||
        peerExpect(sock, serial, RPC_STATUS_OK, "") < 0 ||
        peerStream(sock, serial, RPC_STATUS_OK, NULL) < 0 ||
        peerStream(sock, serial, RPC_STATUS_CONTINUE, "late") < 0)
        return -1;
    return 0;
}

static int
testRead(const void *opaque G_GNUC_UNUSED)
{
    Peer peer;
    RpcClient *client = peerStart(&peer, scriptRead, NULL);
    RpcClientStream *st = openStream(client);
    g_autoptr(GString) got = g_string_new(NULL);
    char byte;
    int rc = -1;

    if (!st)
        goto cleanup;
    if (readAll(st, got) != 0 || !streq(got->str, "hello world")) {
        testFail("read '%s'", got->str);
        goto cleanup;
    }
    if (rpcClientStreamRecv(st, &byte, 1, true) != 0) {
        testFail("Recv after the end must keep returning 0");
        goto cleanup;
    }
    if (rpcClientStreamFinish(st) < 0) {
        testFail("finish: %s", errorGetSlot()->message);
        goto cleanup;
    }
    rc = 0;

 cleanup:
    if (peerJoin(&peer) < 0)
        rc = -1;
    rpcClientStreamUnref(st);
    rpcClientClose(client);
    rpcClientUnref(client);
    return rc;
}

/* --- the daemon fails the stream ----------------------------------------------- */

static int
scriptError(RpcSocket *sock, void *data G_GNUC_UNUSED)
{
    long serial = peerAcceptOpen(sock);

    if (serial < 0 ||
        peerStream(sock, serial, RPC_STATUS_CONTINUE, "abc") < 0 ||
        peerStreamError(sock, serial, "internal error: the console broke") < 0)
        return -1;
    /* The client's finish is not answered again: the error was the answer. */
    return 0;
}

static int
testError(const void *opaque G_GNUC_UNUSED)
{
    Peer peer;
    RpcClient *client = peerStart(&peer, scriptError, NULL);
    RpcClientStream *st = openStream(client);
    g_autoptr(GString) got = g_string_new(NULL);
    virErrorPtr err;
    int rc = -1;

    if (!st)
        goto cleanup;
    if (readAll(st, got) != -1 || !streq(got->str, "abc")) {
        testFail("expected the data then -1, got '%s'", got->str);
        goto cleanup;
    }
    err = errorGetSlot();
    if (err->code != VIR_ERR_INTERNAL_ERROR || err->domain != VIR_FROM_QEMU ||
        !streq(err->message, "internal error: the console broke")) {
        testFail("error %d/%d '%s'", err->code, err->domain, err->message);
        goto cleanup;
    }
    errorReset();
    if (rpcClientStreamFinish(st) != -1 || errorGetSlot()->code != VIR_ERR_INTERNAL_ERROR) {
        testFail("finish after the daemon's error must report it");
        goto cleanup;
    }
    errorReset();
    rc = 0;

 cleanup:
    if (peerJoin(&peer) < 0)
        rc = -1;
    rpcClientStreamUnref(st);
    rpcClientClose(client);
    rpcClientUnref(client);
    return rc;
}

/* --- sending, abort -------------------------------------------------------------- */

static int
scriptSendAbort(RpcSocket *sock, void *data G_GNUC_UNUSED)
{
    long serial = peerAcceptOpen(sock);

    if (serial < 0 ||
        peerExpect(sock, serial, RPC_STATUS_CONTINUE, "typed keys") < 0 ||
        peerExpect(sock, serial, RPC_STATUS_ERROR, "") < 0 ||
        peerStream(sock, serial, RPC_STATUS_OK, NULL) < 0)
        return -1;
    return 0;
}

static int
testSendAbort(const void *opaque G_GNUC_UNUSED)
{
    Peer peer;
    RpcClient *client = peerStart(&peer, scriptSendAbort, NULL);
    RpcClientStream *st = openStream(client);
    char buf[4];
    int rc = -1;

    if (!st)
        goto cleanup;
    if (rpcClientStreamRecv(st, buf, sizeof(buf), true) != -2) {
        testFail("a non-blocking Recv without data must return -2");
        goto cleanup;
    }
    if (rpcClientStreamSend(st, "typed keys", 10, false) != 10) {
        testFail("send: %s", errorGetSlot()->message);
        goto cleanup;
    }
    if (rpcClientStreamAbort(st) < 0) {
        testFail("abort: %s", errorGetSlot()->message);
        goto cleanup;
    }
    if (rpcClientStreamSend(st, "x", 1, false) != -1 ||
        checkErr(VIR_ERR_OPERATION_INVALID) < 0)
        goto cleanup;
    rc = 0;

 cleanup:
    if (peerJoin(&peer) < 0)
        rc = -1;
    rpcClientStreamUnref(st);
    rpcClientClose(client);
    rpcClientUnref(client);
    return rc;
}

/* --- holes and hang-ups ------------------------------------------------------------ */

static int
scriptHoleThenHangUp(RpcSocket *sock, void *data G_GNUC_UNUSED)
{
    long serial = peerAcceptOpen(sock);
    RpcMessage *hole = NULL;
    rpc_stream_hole h = { .length = 4096, .flags = 0 };

    if (serial < 0)
        return -1;
    hole = rpcMessageNew();
    rpcMessageSetHeader(hole, TEST_PROG, TEST_VERS, TEST_PROC_OPEN, RPC_TYPE_STREAM_HOLE, serial,
                        RPC_STATUS_CONTINUE);
    if (rpcMessageEncode(hole, (xdrproc_t)xdr_rpc_stream_hole, &h) < 0 || peerSend(sock, hole) < 0)
        return -1;
    /* Second stream: the connection goes away under it. */
    if ((serial = peerAcceptOpen(sock)) < 0)
        return -1;
    return 0;
}

static int
testHoleAndHangUp(const void *opaque G_GNUC_UNUSED)
{
    Peer peer;
    RpcClient *client = peerStart(&peer, scriptHoleThenHangUp, NULL);
    RpcClientStream *st = openStream(client);
    RpcClientStream *st2 = NULL;
    g_autoptr(GString) got = g_string_new(NULL);
    int rc = -1;

    if (!st)
        goto cleanup;
    if (readAll(st, got) != -1 || checkErr(VIR_ERR_RPC) < 0)
        goto cleanup;
    rpcClientStreamAbort(st);
    errorReset();
    if (!(st2 = openStream(client)))
        goto cleanup;
    if (peerJoin(&peer) < 0)
        goto cleanup_nojoin;
    peer.thread = NULL;
    /* The peer's end of the socket is closed now. */
    if (readAll(st2, got) != -1 || checkErr(VIR_ERR_SYSTEM_ERROR) < 0)
        goto cleanup_nojoin;
    rc = 0;
    goto cleanup_nojoin;

 cleanup:
    if (peerJoin(&peer) < 0)
        rc = -1;
 cleanup_nojoin:
    rpcClientStreamUnref(st);
    rpcClientStreamUnref(st2);
    rpcClientClose(client);
    rpcClientUnref(client);
    return rc;
}

/* --- bulk data through a full socket ------------------------------------------- */

/*
 * A blocking sender of whole 256 KiB packets (the tunnelled migration's
 * pump) on a client an event loop watches, while another thread makes a
 * call: the socket fills at every packet, so the packets leave partly
 * from the sender's buffer and partly from the queue.  The peer reads
 * slowly and checks every byte, that each packet is whole, and that the
 * call arrives between two packets, never inside one.
 */
#define BULK_PACKETS 8
#define BULK_CHUNK 262120
#define TEST_PROC_CALL 5

static guchar
bulkByte(size_t off)
{
    return (guchar)((off * 7 + off / 251) % 253);
}

static int scriptBulkRun(RpcSocket *sock);

/* A failing peer hangs up, so that the blocked sender fails instead of waiting for ever. */
static int
scriptBulk(RpcSocket *sock, void *data G_GNUC_UNUSED)
{
    if (scriptBulkRun(sock) < 0) {
        shutdown(rpcSocketGetFD(sock), SHUT_RDWR);
        return -1;
    }
    return 0;
}

static int
scriptBulkRun(RpcSocket *sock)
{
    long serial = peerAcceptOpen(sock);
    size_t off = 0;
    bool gotCall = false;

    if (serial < 0)
        return -1;
    while (off < (size_t)BULK_PACKETS * BULK_CHUNK || !gotCall) {
        g_autoptr(RpcMessage) msg = peerRecv(sock);
        const uint8_t *payload;
        size_t len = 0;
        size_t i;

        if (!msg) {
            fprintf(stderr, "# peer: no packet after %zu bytes\n", off);
            return -1;
        }
        if (msg->header.type == RPC_TYPE_CALL && msg->header.proc == TEST_PROC_CALL) {
            RpcMessage *reply = rpcMessageNew();
            int value = 0;

            if (rpcMessageDecodePayload(msg, (xdrproc_t)xdr_int, &value) < 0 || value != 7)
                return -1;
            value = 8;
            rpcMessageSetReplyHeader(reply, &msg->header, RPC_STATUS_OK);
            if (rpcMessageEncode(reply, (xdrproc_t)xdr_int, &value) < 0 ||
                peerSend(sock, reply) < 0)
                return -1;
            gotCall = true;
            continue;
        }
        payload = rpcMessageGetPayload(msg, &len);
        if (msg->header.type != RPC_TYPE_STREAM || msg->header.serial != serial ||
            msg->header.status != RPC_STATUS_CONTINUE || len != BULK_CHUNK) {
            fprintf(stderr, "# peer: packet type %d status %d len %zu after %zu bytes\n",
                    msg->header.type, msg->header.status, len, off);
            return -1;
        }
        for (i = 0; i < len; i++) {
            if (payload[i] != bulkByte(off + i)) {
                fprintf(stderr, "# peer: wrong byte at %zu\n", off + i);
                return -1;
            }
        }
        off += len;
        g_usleep(2000); /* a slow reader: the client's socket fills */
    }
    if (peerExpect(sock, serial, RPC_STATUS_OK, "") < 0 ||
        peerStream(sock, serial, RPC_STATUS_OK, NULL) < 0)
        return -1;
    return 0;
}

static gint bulkLoopQuit;

static gpointer
bulkLoop(gpointer opaque G_GNUC_UNUSED)
{
    while (!g_atomic_int_get(&bulkLoopQuit))
        eventGlibRunOnce();
    return NULL;
}

typedef struct {
    RpcClient *client;
    int rc;
    int value;
} BulkCall;

static gpointer
bulkCallThread(gpointer opaque)
{
    BulkCall *c = opaque;
    int arg = 7;

    c->rc = rpcClientCall(c->client, TEST_PROG, TEST_VERS, TEST_PROC_CALL, (xdrproc_t)xdr_int, &arg,
                          (xdrproc_t)xdr_int, &c->value);
    errorReset();
    return NULL;
}

static int
testBulk(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *buf = g_malloc(BULK_CHUNK);
    GThread *loop = NULL;
    GThread *caller = NULL;
    BulkCall call = {.rc = -1};
    RpcClientStream *st = NULL;
    RpcClient *client = NULL;
    Peer peer;
    size_t off = 0;
    int rc = -1;
    int i;

    /* The daemon's setting: an event loop watches the client between calls. */
    eventGlibRegister();
    loop = g_thread_new("loop", bulkLoop, NULL);
    client = peerStart(&peer, scriptBulk, NULL);
    call.client = client;
    if (!(st = openStream(client)))
        goto cleanup;
    for (i = 0; i < BULK_PACKETS; i++) {
        size_t j;

        for (j = 0; j < BULK_CHUNK; j++)
            buf[j] = (char)bulkByte(off + j);
        if (rpcClientStreamSend(st, buf, BULK_CHUNK, false) != BULK_CHUNK) {
            testFail("send %d: %s", i, errorGetSlot()->message);
            goto cleanup;
        }
        /* @buf is ours again: scribble over it before the next packet */
        memset(buf, 0xee, BULK_CHUNK);
        off += BULK_CHUNK;
        if (i == 1)
            caller = g_thread_new("call", bulkCallThread, &call);
    }
    if (rpcClientStreamFinish(st) < 0) {
        testFail("finish: %s", errorGetSlot()->message);
        goto cleanup;
    }
    g_thread_join(g_steal_pointer(&caller));
    if (call.rc < 0 || call.value != 8) {
        testFail("the call beside the stream: rc %d value %d", call.rc, call.value);
        goto cleanup;
    }
    rc = 0;

 cleanup:
    if (caller)
        g_thread_join(caller);
    if (peerJoin(&peer) < 0)
        rc = -1;
    rpcClientStreamUnref(st);
    rpcClientClose(client);
    rpcClientUnref(client);
    g_atomic_int_set(&bulkLoopQuit, 1);
    g_main_context_wakeup(NULL);
    g_thread_join(loop);
    return rc;
}

static gint stallRelease;

/* Accepts the stream, then reads nothing more (nor answers PINGs) until released. */
static int
scriptStall(RpcSocket *sock, void *data G_GNUC_UNUSED)
{
    if (peerAcceptOpen(sock) < 0)
        return -1;
    while (!g_atomic_int_get(&stallRelease))
        g_usleep(10000);
    return 0;
}

typedef struct {
    RpcClientStream *st;
    gint done;
    int rc;
    char message[256];
} StallSend;

static gpointer
stallSendThread(gpointer opaque)
{
    StallSend *s = opaque;
    g_autofree char *buf = g_malloc0(BULK_CHUNK);
    int i;

    s->rc = 0;
    for (i = 0; i < 1000 && s->rc >= 0; i++)
        s->rc = rpcClientStreamSend(s->st, buf, BULK_CHUNK, false) < 0 ? -1 : 0;
    if (s->rc < 0)
        g_strlcpy(s->message, errorGetSlot()->message ? errorGetSlot()->message : "",
                  sizeof(s->message));
    errorReset();
    g_atomic_int_set(&s->done, 1);
    return NULL;
}

/*
 * An event loop is registered but nobody runs it (the application's
 * thread is the sender): a sender blocked on a full socket to a peer that
 * went silent still runs keepalive, and fails after interval x (count+1).
 */
static int
testStallKeepalive(const void *opaque G_GNUC_UNUSED)
{
    StallSend send = {0};
    RpcClient *client = NULL;
    GThread *sender = NULL;
    Peer peer;
    gint64 start;
    gint64 deadline;
    int rc = -1;

    g_atomic_int_set(&stallRelease, 0);
    client = peerStart(&peer, scriptStall, NULL);
    if (!(send.st = openStream(client)))
        goto cleanup;
    if (rpcClientKeepAliveStart(client, 1, 1) < 0) {
        testFail("keepalive: %s", errorGetSlot()->message);
        goto cleanup;
    }
    start = g_get_monotonic_time();
    sender = g_thread_new("sender", stallSendThread, &send);
    deadline = start + 15 * G_USEC_PER_SEC;
    while (!g_atomic_int_get(&send.done) && g_get_monotonic_time() < deadline)
        g_usleep(10000);
    if (!g_atomic_int_get(&send.done)) {
        testFail("the blocked sender still waits after 15 s (keepalive 1 s x 1)");
        goto cleanup;
    }
    if (send.rc >= 0 || !strstr(send.message, "keepalive")) {
        testFail("the blocked sender: rc %d, '%s' (want the keepalive timeout)", send.rc,
                 send.message);
        goto cleanup;
    }
    testNote("the sender failed after %.1f s: %s",
             (g_get_monotonic_time() - start) / (double)G_USEC_PER_SEC, send.message);
    rc = 0;

 cleanup:
    g_atomic_int_set(&stallRelease, 1);
    if (client)
        rpcClientClose(client);
    if (sender)
        g_thread_join(sender);
    if (peerJoin(&peer) < 0)
        rc = -1;
    rpcClientStreamUnref(send.st);
    rpcClientUnref(client);
    return rc;
}

static int
mymain(void)
{
    int ret = 0;

    if (testRun("data, end of data, finish; other serials dropped", testRead, NULL) < 0)
        ret = -1;
    if (testRun("the daemon's stream error", testError, NULL) < 0)
        ret = -1;
    if (testRun("send, non-blocking recv, abort", testSendAbort, NULL) < 0)
        ret = -1;
    if (testRun("a hole is refused; the connection closes under a stream", testHoleAndHangUp,
                NULL) < 0)
        ret = -1;
    /* last: it registers the event loop for the rest of the process */
    if (testRun("bulk data through a full socket, a call beside it, with an event loop", testBulk,
                NULL) < 0)
        ret = -1;
    /* after testBulk: a loop is registered, and now nobody runs it */
    if (testRun("a sender blocked on a silent peer: keepalive still runs", testStallKeepalive,
                NULL) < 0)
        ret = -1;
    return ret;
}

int
main(int argc, char **argv)
{
    return testMain(argc, argv, mymain);
}
