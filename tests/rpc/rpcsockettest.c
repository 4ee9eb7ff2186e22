/* Tests of framing and transport: src/rpc/rpc_reader.c, rpc_writer.c, rpc_socket.c. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_RPC

#include "rpc/rpc_socket.h"
#include "remote/remote_protocol.h"
#include "util/error.h"

/* Seconds a test may wait on a socket before it is declared stuck. */
#define WAIT_MS 10000

static void
assertError(int code, const char *frag)
{
    virErrorPtr err = errorGetSlot();

    if (err->code != code || !err->message || !strstr(err->message, frag)) {
        g_test_message("expected error %d containing '%s', got %d '%s'", code, frag, err->code,
                       err->message ? err->message : "(null)");
        g_test_fail();
    }
    errorReset();
}

/* A call whose payload is a string of @len bytes of @fill (a GET_XML_DESC reply). */
static RpcMessage *
newPacket(unsigned int serial, size_t len, char fill)
{
    RpcMessage *msg = rpcMessageNew();
    g_autofree char *xml = g_malloc(len + 1);
    remote_domain_get_xml_desc_ret ret = {.xml = xml};

    memset(xml, fill, len);
    xml[len] = '\0';
    rpcMessageSetHeader(msg, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                        REMOTE_PROC_DOMAIN_GET_XML_DESC, RPC_TYPE_REPLY, serial, RPC_STATUS_OK);
    g_assert_cmpint(rpcMessageEncode(msg, (xdrproc_t)xdr_remote_domain_get_xml_desc_ret, &ret), ==,
                    0);
    return msg;
}

static void
checkPacket(RpcMessage *msg, unsigned int serial, size_t len, char fill)
{
    remote_domain_get_xml_desc_ret ret = {0};
    size_t i;

    g_assert_cmpint(rpcMessageCheckHeader(msg), ==, 0);
    g_assert_cmpuint(msg->header.serial, ==, serial);
    g_assert_cmpint(
        rpcMessageDecodePayload(msg, (xdrproc_t)xdr_remote_domain_get_xml_desc_ret, &ret), ==, 0);
    g_assert_cmpuint(strlen(ret.xml), ==, len);
    for (i = 0; i < len; i++) {
        if (ret.xml[i] != fill) {
            g_test_message("serial %u: byte %zu is 0x%x", serial, i, ret.xml[i]);
            g_test_fail();
            break;
        }
    }
    xdr_free((xdrproc_t)xdr_remote_domain_get_xml_desc_ret, &ret);
}

/* Several packets in one feed, then one cut in every possible place. */
static void
testReaderSplit(void)
{
    g_autoptr(RpcReader) reader = rpcReaderNew();
    g_autoptr(GByteArray) all = g_byte_array_new();
    RpcMessage *msg = NULL;
    unsigned int serial;
    size_t split;

    for (serial = 0; serial < 5; serial++) {
        g_autoptr(RpcMessage) p = newPacket(serial, serial * 3, 'a' + serial);

        g_byte_array_append(all, p->buffer, p->bufferLength);
    }
    rpcReaderFeed(reader, all->data, all->len);
    for (serial = 0; serial < 5; serial++) {
        g_assert_cmpint(rpcReaderNext(reader, &msg), ==, 1);
        checkPacket(msg, serial, serial * 3, 'a' + serial);
        g_clear_pointer(&msg, rpcMessageFree);
    }
    g_assert_cmpint(rpcReaderNext(reader, &msg), ==, 0);
    g_assert_false(rpcReaderHasPartial(reader));
    g_assert_cmpuint(rpcReaderBuffered(reader), ==, 0);

    for (split = 0; split <= all->len; split++) {
        g_autoptr(RpcReader) r = rpcReaderNew();
        unsigned int n = 0;

        rpcReaderFeed(r, all->data, split);
        while (rpcReaderNext(r, &msg) == 1) {
            checkPacket(msg, n, n * 3, 'a' + n);
            g_clear_pointer(&msg, rpcMessageFree);
            n++;
        }
        rpcReaderFeed(r, all->data + split, all->len - split);
        while (rpcReaderNext(r, &msg) == 1) {
            checkPacket(msg, n, n * 3, 'a' + n);
            g_clear_pointer(&msg, rpcMessageFree);
            n++;
        }
        g_assert_cmpuint(n, ==, 5);
    }
}

/* Bad length words stop the stream at once, and for good. */
static void
testReaderBadLength(void)
{
    static const uint8_t tooBig[] = {0x02, 0x00, 0x00, 0x05};
    static const uint8_t tooSmall[] = {0x00, 0x00, 0x00, 0x1b, 0xde, 0xad};
    static const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff};
    g_autoptr(RpcReader) r1 = rpcReaderNew();
    g_autoptr(RpcReader) r2 = rpcReaderNew();
    g_autoptr(RpcReader) r3 = rpcReaderNew();
    g_autoptr(RpcMessage) good = newPacket(1, 10, 'x');
    RpcMessage *msg = NULL;

    /* 32 MiB + 5: refused from its first four bytes, nothing buffered. */
    rpcReaderFeed(r1, tooBig, 3);
    g_assert_cmpint(rpcReaderNext(r1, &msg), ==, 0);
    rpcReaderFeed(r1, tooBig + 3, 1);
    g_assert_cmpint(rpcReaderNext(r1, &msg), ==, -1);
    assertError(VIR_ERR_RPC, "too large");
    rpcReaderFeed(r1, good->buffer, good->bufferLength);
    g_assert_cmpint(rpcReaderNext(r1, &msg), ==, -1);
    assertError(VIR_ERR_RPC, "out of step");
    g_assert_null(msg);

    rpcReaderFeed(r2, tooSmall, sizeof(tooSmall));
    g_assert_cmpint(rpcReaderNext(r2, &msg), ==, -1);
    assertError(VIR_ERR_RPC, "too short");

    rpcReaderFeed(r3, good->buffer, good->bufferLength);
    rpcReaderFeed(r3, huge, sizeof(huge));
    g_assert_cmpint(rpcReaderNext(r3, &msg), ==, 1);
    g_clear_pointer(&msg, rpcMessageFree);
    g_assert_cmpint(rpcReaderNext(r3, &msg), ==, -1);
    assertError(VIR_ERR_RPC, "too large");
}

/* Garbage after a valid length: the header decodes, checks refuse it. */
static void
testReaderGarbage(void)
{
    g_autoptr(RpcReader) reader = rpcReaderNew();
    g_autoptr(RpcMessage) msg = NULL;
    uint8_t junk[40];
    size_t i;

    for (i = 0; i < sizeof(junk); i++)
        junk[i] = 0x5a ^ (i * 37);
    junk[0] = 0;
    junk[1] = 0;
    junk[2] = 0;
    junk[3] = sizeof(junk);
    rpcReaderFeed(reader, junk, sizeof(junk));
    g_assert_cmpint(rpcReaderNext(reader, &msg), ==, 1);
    g_assert_cmpint(rpcMessageCheckHeader(msg), ==, -1);
    g_assert_cmpint(errorGetCode(), ==, VIR_ERR_RPC);
    errorReset();
}

/* Pushes @count packets through a socket pair with small kernel buffers. */
static void
pumpPair(RpcSocket *tx, RpcSocket *rx, unsigned int count, size_t (*sizeOf)(unsigned int))
{
    unsigned int received = 0;
    unsigned int i;

    for (i = 0; i < count; i++)
        rpcSocketQueue(tx, newPacket(i, sizeOf(i), 'A' + i % 26));

    while (received < count) {
        RpcMessage *msg = NULL;
        RpcReaderStatus st;

        if (rpcSocketHasOutput(tx))
            g_assert_cmpint(rpcSocketFlush(tx), >=, 0);

        while ((st = rpcSocketReceive(rx, &msg)) == RPC_READER_OK) {
            checkPacket(msg, received, sizeOf(received), 'A' + received % 26);
            g_clear_pointer(&msg, rpcMessageFree);
            received++;
            /* Nothing is written meanwhile: "drained" must mean nothing to read. */
            if (rpcSocketInputDrained(rx)) {
                g_assert_cmpint(rpcSocketReceive(rx, &msg), ==, RPC_READER_AGAIN);
                g_assert_null(msg);
            }
        }
        g_assert_cmpint(st, ==, RPC_READER_AGAIN);
        if (received < count && !rpcSocketHasOutput(tx))
            g_assert_cmpint(rpcSocketWait(rx, false, WAIT_MS), ==, 1);
    }
    g_assert_false(rpcSocketHasOutput(tx));
    g_assert_cmpuint(rpcSocketQueuedBytes(tx), ==, 0);
}

static size_t
sizeSmall(unsigned int i)
{
    return i % 50;
}

static size_t
sizeMixed(unsigned int i)
{
    static const size_t sizes[] = {0, 100000, 7, 3 * 1024 * 1024 + 1, 65536, 65500, 1};

    return sizes[i % G_N_ELEMENTS(sizes)];
}

static void
shrinkBuffers(RpcSocket *a, RpcSocket *b)
{
    int small = 4096;

    setsockopt(rpcSocketGetFD(a), SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    setsockopt(rpcSocketGetFD(b), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
}

/* Two packets in one read: not drained while the second is staged. */
static void
testDrained(void)
{
    g_autoptr(RpcSocket) a = NULL;
    g_autoptr(RpcSocket) b = NULL;
    RpcMessage *msg = NULL;

    g_assert_cmpint(rpcSocketNewPair(&a, &b), ==, 0);
    rpcSocketQueue(a, newPacket(1, 10, 'x'));
    rpcSocketQueue(a, newPacket(2, 20, 'y'));
    g_assert_cmpint(rpcSocketFlush(a), ==, 1);

    g_assert_cmpint(rpcSocketReceive(b, &msg), ==, RPC_READER_OK);
    checkPacket(msg, 1, 10, 'x');
    g_clear_pointer(&msg, rpcMessageFree);
    g_assert_false(rpcSocketInputDrained(b));
    g_assert_cmpint(rpcSocketReceive(b, &msg), ==, RPC_READER_OK);
    checkPacket(msg, 2, 20, 'y');
    g_clear_pointer(&msg, rpcMessageFree);
    g_assert_true(rpcSocketInputDrained(b));
    g_assert_cmpint(rpcSocketReceive(b, &msg), ==, RPC_READER_AGAIN);

    /* New bytes: the next receive reads them (drained is only a hint). */
    rpcSocketQueue(a, newPacket(3, 5, 'z'));
    g_assert_cmpint(rpcSocketFlush(a), ==, 1);
    g_assert_cmpint(rpcSocketReceive(b, &msg), ==, RPC_READER_OK);
    checkPacket(msg, 3, 5, 'z');
    g_clear_pointer(&msg, rpcMessageFree);
    g_assert_true(rpcSocketInputDrained(b));
}

/* Many small packets: several per read, several per write. */
static void
testPairSmall(void)
{
    g_autoptr(RpcSocket) a = NULL;
    g_autoptr(RpcSocket) b = NULL;

    g_assert_cmpint(rpcSocketNewPair(&a, &b), ==, 0);
    shrinkBuffers(a, b);
    pumpPair(a, b, 2000, sizeSmall);
    pumpPair(b, a, 300, sizeSmall);
}

/* Big packets: partial writes resumed, the tail read straight into the packet. */
static void
testPairLarge(void)
{
    g_autoptr(RpcSocket) a = NULL;
    g_autoptr(RpcSocket) b = NULL;

    g_assert_cmpint(rpcSocketNewPair(&a, &b), ==, 0);
    shrinkBuffers(a, b);
    pumpPair(a, b, 21, sizeMixed);
}

/* A writer that accepts at most 3 bytes per call, and fails on demand. */
typedef struct {
    GByteArray *out;
    int calls;
    int failAt;
} TrickleSink;

static ssize_t
trickleWrite(void *opaque, const struct iovec *iov, int iovcnt)
{
    TrickleSink *sink = opaque;
    size_t n = 0;
    int i;

    sink->calls++;
    if (sink->calls == sink->failAt) {
        errno = EPIPE;
        return -1;
    }
    if (sink->calls % 2 == 0) {
        errno = EAGAIN;
        return -1;
    }
    for (i = 0; i < iovcnt && n < 3; i++) {
        size_t take = MIN(iov[i].iov_len, 3 - n);

        g_byte_array_append(sink->out, iov[i].iov_base, take);
        n += take;
    }
    return n;
}

static void
testWriterPartial(void)
{
    g_autoptr(RpcWriter) writer = rpcWriterNew();
    g_autoptr(GByteArray) expect = g_byte_array_new();
    g_autoptr(GByteArray) out = g_byte_array_new();
    TrickleSink sink = {.out = out, .failAt = -1};
    unsigned int i;
    int rc;

    for (i = 0; i < 10; i++) {
        RpcMessage *msg = newPacket(i, i, 'q');

        g_byte_array_append(expect, msg->buffer, msg->bufferLength);
        rpcWriterPush(writer, msg);
    }
    g_assert_cmpuint(rpcWriterQueuedPackets(writer), ==, 10);
    g_assert_cmpuint(rpcWriterQueuedBytes(writer), ==, expect->len);

    while ((rc = rpcWriterFlush(writer, trickleWrite, &sink)) == 0)
        g_assert_cmpuint(rpcWriterQueuedBytes(writer), ==, expect->len - out->len);
    g_assert_cmpint(rc, ==, 1);
    g_assert_true(rpcWriterIsEmpty(writer));
    g_assert_cmpmem(out->data, out->len, expect->data, expect->len);

    /* A hard error is reported and the rest stays queued. */
    rpcWriterPush(writer, newPacket(99, 5, 'z'));
    sink.calls = 0;
    sink.failAt = 1;
    g_assert_cmpint(rpcWriterFlush(writer, trickleWrite, &sink), ==, -1);
    assertError(VIR_ERR_SYSTEM_ERROR, "cannot write to the connection");
    g_assert_false(rpcWriterIsEmpty(writer));
}

/* End of file between packets is EOF; inside one, an error. */
static void
testEOF(void)
{
    g_autoptr(RpcSocket) a = NULL;
    g_autoptr(RpcSocket) b = NULL;
    g_autoptr(RpcSocket) c = NULL;
    g_autoptr(RpcSocket) d = NULL;
    g_autoptr(RpcMessage) pkt = newPacket(3, 10, 'e');
    RpcMessage *msg = NULL;

    g_assert_cmpint(rpcSocketNewPair(&a, &b), ==, 0);
    rpcSocketQueue(a, newPacket(1, 4, 'e'));
    g_assert_cmpint(rpcSocketFlush(a), ==, 1);
    g_clear_pointer(&a, rpcSocketFree);
    g_assert_cmpint(rpcSocketWait(b, false, WAIT_MS), ==, 1);
    g_assert_cmpint(rpcSocketReceive(b, &msg), ==, RPC_READER_OK);
    checkPacket(msg, 1, 4, 'e');
    g_clear_pointer(&msg, rpcMessageFree);
    g_assert_cmpint(rpcSocketReceive(b, &msg), ==, RPC_READER_EOF);
    g_assert_cmpint(rpcSocketReceive(b, &msg), ==, RPC_READER_EOF);
    g_assert_false(errorIsSet());

    g_assert_cmpint(rpcSocketNewPair(&c, &d), ==, 0);
    g_assert_cmpint(write(rpcSocketGetFD(c), pkt->buffer, pkt->bufferLength - 1), ==,
                    (ssize_t)pkt->bufferLength - 1);
    g_clear_pointer(&c, rpcSocketFree);
    g_assert_cmpint(rpcSocketReceive(d, &msg), ==, RPC_READER_AGAIN);
    g_assert_cmpint(rpcSocketReceive(d, &msg), ==, RPC_READER_ERROR);
    assertError(VIR_ERR_RPC, "closed in the middle of a packet");
}

/* Writing to a peer that went away fails with EPIPE, without SIGPIPE. */
static void
testPeerGone(void)
{
    g_autoptr(RpcSocket) a = NULL;
    g_autoptr(RpcSocket) b = NULL;

    g_assert_cmpint(rpcSocketNewPair(&a, &b), ==, 0);
    g_clear_pointer(&b, rpcSocketFree);
    rpcSocketQueue(a, newPacket(1, 4, 'p'));
    g_assert_cmpint(rpcSocketFlush(a), ==, -1);
    assertError(VIR_ERR_SYSTEM_ERROR, "cannot write to the connection");
}

static void
exchange(RpcSocket *client, RpcSocket *server)
{
    RpcMessage *msg = NULL;

    rpcSocketQueue(client, newPacket(7, 1000, 'c'));
    while (rpcSocketFlush(client) == 0)
        g_assert_cmpint(rpcSocketWait(client, true, WAIT_MS), ==, 1);
    for (;;) {
        RpcReaderStatus st = rpcSocketReceive(server, &msg);

        if (st == RPC_READER_OK)
            break;
        g_assert_cmpint(st, ==, RPC_READER_AGAIN);
        g_assert_cmpint(rpcSocketWait(server, false, WAIT_MS), ==, 1);
    }
    checkPacket(msg, 7, 1000, 'c');
    rpcMessageFree(msg);
}

static void
acceptOne(RpcSocket *listener, RpcSocket **retClient)
{
    int rc;

    g_assert_cmpint(rpcSocketWait(listener, false, WAIT_MS), ==, 1);
    rc = rpcSocketAccept(listener, retClient);
    g_assert_cmpint(rc, ==, 1);
}

static void
testUnix(void)
{
    g_autofree char *dir = g_dir_make_tmp("vkrpc-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "sock", NULL);
    g_autoptr(RpcSocket) listener = NULL;
    g_autoptr(RpcSocket) second = NULL;
    g_autoptr(RpcSocket) client = NULL;
    g_autoptr(RpcSocket) server = NULL;
    RpcSocket *none = NULL;
    struct sockaddr_un addr = {0};
    struct stat sb;
    uid_t uid;
    gid_t gid;
    pid_t pid;
    int fd;

    g_assert_nonnull(dir);

    /* A stale socket file (bound, nobody listening) is replaced. */
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(fd, >=, 0);
    addr.sun_family = AF_UNIX;
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    close(fd);
    g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));

    listener = rpcSocketNewListenUnix(path, 0660);
    g_assert_nonnull(listener);
    g_assert_cmpint(stat(path, &sb), ==, 0);
    g_assert_cmpuint(sb.st_mode & 0777, ==, 0660);
    g_assert_true(rpcSocketIsUnix(listener));

    /* A live one is not. */
    second = rpcSocketNewListenUnix(path, 0600);
    g_assert_null(second);
    assertError(VIR_ERR_OPERATION_FAILED, "is in use");

    /* The in-use probe connected and left at once: it reads as EOF. */
    g_assert_cmpint(rpcSocketAccept(listener, &none), ==, 1);
    {
        g_autoptr(RpcSocket) probe = none;
        RpcMessage *msg = NULL;

        g_assert_cmpint(rpcSocketWait(probe, false, WAIT_MS), ==, 1);
        g_assert_cmpint(rpcSocketReceive(probe, &msg), ==, RPC_READER_EOF);
    }
    none = NULL;
    g_assert_cmpint(rpcSocketAccept(listener, &none), ==, 0);
    g_assert_null(none);

    client = rpcSocketNewConnectUnix(path);
    g_assert_nonnull(client);
    acceptOne(listener, &server);
    exchange(client, server);
    exchange(server, client);

    g_assert_cmpint(rpcSocketGetPeerIdentity(server, &uid, &gid, &pid), ==, 0);
    g_assert_cmpuint(uid, ==, getuid());
    g_assert_cmpuint(gid, ==, getgid());
    g_assert_cmpint(pid, ==, getpid());

    g_clear_pointer(&listener, rpcSocketFree);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));

    g_assert_null(rpcSocketNewConnectUnix(path));
    assertError(VIR_ERR_SYSTEM_ERROR, "cannot connect to socket");
    rmdir(dir);
}

static void
testUnixBadPath(void)
{
    g_autofree char *longPath = g_strnfill(200, 'p');

    g_assert_null(rpcSocketNewListenUnix(longPath, 0600));
    assertError(VIR_ERR_INTERNAL_ERROR, "too long");
    g_assert_null(rpcSocketNewListenUnix("/nonexistent-dir-vk/sock", 0600));
    assertError(VIR_ERR_SYSTEM_ERROR, "cannot bind");
}

static void
testTCP(void)
{
    g_autoptr(GPtrArray) listeners = rpcSocketNewListenTCP("127.0.0.1", "0");
    g_autoptr(RpcSocket) client = NULL;
    g_autoptr(RpcSocket) server = NULL;
    g_autofree char *port = NULL;
    RpcSocket *listener = NULL;
    uid_t uid;
    gid_t gid;
    pid_t pid;

    g_assert_nonnull(listeners);
    g_assert_cmpuint(listeners->len, ==, 1);
    listener = g_ptr_array_index(listeners, 0);
    g_assert_false(rpcSocketIsUnix(listener));
    g_assert_cmpint(rpcSocketGetLocalPort(listener), >, 0);
    port = g_strdup_printf("%d", rpcSocketGetLocalPort(listener));

    client = rpcSocketNewConnectTCP("127.0.0.1", port);
    g_assert_nonnull(client);
    acceptOne(listener, &server);
    exchange(client, server);
    exchange(server, client);

    g_assert_cmpint(rpcSocketGetPeerIdentity(server, &uid, &gid, &pid), ==, -1);
    assertError(VIR_ERR_OPERATION_INVALID, "only known for unix sockets");

    g_assert_null(rpcSocketNewListenTCP("127.0.0.1", port));
    assertError(VIR_ERR_SYSTEM_ERROR, "cannot listen");
    g_assert_null(rpcSocketNewConnectTCP("127.0.0.1", "not-a-service-vk"));
    assertError(VIR_ERR_SYSTEM_ERROR, "cannot resolve");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/rpc/reader/split", testReaderSplit);
    g_test_add_func("/rpc/reader/bad-length", testReaderBadLength);
    g_test_add_func("/rpc/reader/garbage", testReaderGarbage);
    g_test_add_func("/rpc/writer/partial", testWriterPartial);
    g_test_add_func("/rpc/socket/drained", testDrained);
    g_test_add_func("/rpc/socket/pair-small", testPairSmall);
    g_test_add_func("/rpc/socket/pair-large", testPairLarge);
    g_test_add_func("/rpc/socket/eof", testEOF);
    g_test_add_func("/rpc/socket/peer-gone", testPeerGone);
    g_test_add_func("/rpc/socket/unix", testUnix);
    g_test_add_func("/rpc/socket/unix-bad-path", testUnixBadPath);
    g_test_add_func("/rpc/socket/tcp", testTCP);

    return g_test_run();
}
