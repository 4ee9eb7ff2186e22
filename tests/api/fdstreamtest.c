/* Fd streams (src/api/fdstream.c) through the public stream API: blocking, non-blocking, events, hangup. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "api/fdstream.h"
#include "mockdriver.h"
#include "util/thread.h"

static virConnectPtr conn;
static gint loopStop;

static void
quietErrors(void *opaque G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
}

static gpointer
loopThread(gpointer opaque G_GNUC_UNUSED)
{
    while (!g_atomic_int_get(&loopStop))
        virEventRunDefaultImpl();
    return NULL;
}

static void
loopTick(int timer G_GNUC_UNUSED, void *opaque G_GNUC_UNUSED)
{
}

/* A stream on one end of a socket pair; *peer gets the other end. */
static virStreamPtr
pairStream(unsigned int flags, int *peer)
{
    int sv[2];
    virStreamPtr st = virStreamNew(conn, flags);

    g_assert_nonnull(st);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    g_assert_cmpint(fdStreamOpen(st, sv[0], NULL, NULL), ==, 0);
    *peer = sv[1];
    return st;
}

static gpointer
writeLater(gpointer opaque)
{
    int fd = GPOINTER_TO_INT(opaque);

    g_usleep(100 * 1000);
    g_assert_cmpint(write(fd, "late", 4), ==, 4);
    return NULL;
}

static void
testBlocking(void)
{
    int peer;
    virStreamPtr st = pairStream(0, &peer);
    char buf[16];
    GThread *th;
    gint64 start;

    /* Send and receive. */
    g_assert_cmpint(virStreamSend(st, "hello", 5), ==, 5);
    g_assert_cmpint(read(peer, buf, sizeof(buf)), ==, 5);
    g_assert_cmpint(memcmp(buf, "hello", 5), ==, 0);
    /* A blocking Recv waits for data. */
    th = g_thread_new("writer", writeLater, GINT_TO_POINTER(peer));
    start = g_get_monotonic_time();
    g_assert_cmpint(virStreamRecv(st, buf, sizeof(buf)), ==, 4);
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 50 * 1000);
    g_thread_join(th);
    /* The peer's end of data is Recv's 0. */
    close(peer);
    g_assert_cmpint(virStreamRecv(st, buf, sizeof(buf)), ==, 0);
    g_assert_cmpint(virStreamFinish(st), ==, 0);
    g_assert_cmpint(virStreamRecv(st, buf, sizeof(buf)), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(virStreamFree(st), ==, 0);
}

static void
testNonBlocking(void)
{
    int peer;
    virStreamPtr st = pairStream(VIR_STREAM_NONBLOCK, &peer);
    g_autofree char *big = g_malloc0(1 << 20);
    char buf[16];
    int n;
    size_t total = 0;

    g_assert_cmpint(virStreamRecv(st, buf, sizeof(buf)), ==, -2);
    g_assert_null(virGetLastError());
    /* Send fills the socket, then says -2 instead of waiting. */
    while ((n = virStreamSend(st, big, 1 << 20)) > 0)
        total += (size_t)n;
    g_assert_cmpint(n, ==, -2);
    g_assert_cmpuint(total, >, 0);
    g_assert_cmpint(write(peer, "x", 1), ==, 1);
    g_assert_cmpint(virStreamRecv(st, buf, sizeof(buf)), ==, 1);
    g_assert_cmpint(virStreamAbort(st), ==, 0);
    virStreamFree(st);
    close(peer);
}

static gpointer
recvBlocked(gpointer opaque)
{
    char buf[4];

    return GINT_TO_POINTER(virStreamRecv(opaque, buf, sizeof(buf)));
}

static int closeCalls;

static void
onClose(virStreamPtr st G_GNUC_UNUSED, void *opaque)
{
    g_atomic_int_inc((gint *)opaque);
}

static void
testHangup(void)
{
    int sv[2];
    virStreamPtr st = virStreamNew(conn, 0);
    GThread *th;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    g_assert_cmpint(fdStreamOpen(st, sv[0], onClose, &closeCalls), ==, 0);
    th = g_thread_new("reader", recvBlocked, st);
    g_usleep(50 * 1000);
    /* Forcing the session off wakes the blocked reader with the end of data. */
    fdStreamHangup(st);
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(th)), ==, 0);
    g_assert_cmpint(g_atomic_int_get(&closeCalls), ==, 1);
    g_assert_cmpint(virStreamSend(st, "x", 1), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_ABORTED);
    virStreamFree(st);
    /* The close notification runs once only. */
    g_assert_cmpint(g_atomic_int_get(&closeCalls), ==, 1);
    close(sv[1]);
}

typedef struct {
    Mutex lock;
    Cond cond;
    int events;
    int calls;
    int freed;
    GString *data;
} EvState;

static void
evCb(virStreamPtr st, int events, void *opaque)
{
    EvState *es = opaque;
    char buf[64];
    int n;

    mutexLock(&es->lock);
    es->events |= events;
    es->calls++;
    mutexUnlock(&es->lock);
    if (events & VIR_STREAM_EVENT_READABLE) {
        while ((n = virStreamRecv(st, buf, sizeof(buf))) > 0) {
            mutexLock(&es->lock);
            g_string_append_len(es->data, buf, n);
            mutexUnlock(&es->lock);
        }
        if (n == 0)
            virStreamEventUpdateCallback(st, 0);
    }
    if (events & VIR_STREAM_EVENT_HANGUP)
        virStreamEventUpdateCallback(st, 0);
    mutexLock(&es->lock);
    condBroadcast(&es->cond);
    mutexUnlock(&es->lock);
}

static void
evFree(void *opaque)
{
    EvState *es = opaque;

    mutexLock(&es->lock);
    es->freed++;
    condBroadcast(&es->cond);
    mutexUnlock(&es->lock);
}

static bool
evWait(EvState *es, bool (*pred)(EvState *es))
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    bool ok;

    mutexLock(&es->lock);
    while (!(ok = pred(es)) && condWaitUntil(&es->cond, &es->lock, deadline))
        ;
    mutexUnlock(&es->lock);
    return ok;
}

static bool gotHello(EvState *es) { return strstr(es->data->str, "hello") != NULL; }
static bool gotHangup(EvState *es) { return es->events & VIR_STREAM_EVENT_HANGUP; }
static bool gotFreed(EvState *es) { return es->freed == 1; }
static bool gotWritable(EvState *es) { return es->events & VIR_STREAM_EVENT_WRITABLE; }

static void
testEvents(void)
{
    int peer;
    virStreamPtr st = pairStream(VIR_STREAM_NONBLOCK, &peer);
    EvState es = { .data = g_string_new(NULL) };

    mutexInit(&es.lock);
    condInit(&es.cond);
    g_assert_cmpint(virStreamEventAddCallback(st, VIR_STREAM_EVENT_READABLE, evCb, &es,
                                              evFree), ==, 0);
    g_assert_cmpint(virStreamEventAddCallback(st, VIR_STREAM_EVENT_READABLE, evCb, &es,
                                              NULL), ==, -1);
    g_assert_cmpint(write(peer, "hello", 5), ==, 5);
    g_assert_true(evWait(&es, gotHello));
    g_assert_cmpint(virStreamEventUpdateCallback(st, VIR_STREAM_EVENT_WRITABLE), ==, 0);
    g_assert_true(evWait(&es, gotWritable));
    g_assert_cmpint(virStreamEventUpdateCallback(st, 0), ==, 0);
    fdStreamHangup(st);
    g_assert_true(evWait(&es, gotHangup));
    g_assert_cmpint(virStreamEventRemoveCallback(st), ==, 0);
    g_assert_true(evWait(&es, gotFreed));
    g_assert_cmpint(virStreamEventRemoveCallback(st), ==, -1);
    virStreamFree(st);
    close(peer);
    g_string_free(es.data, TRUE);
    mutexClear(&es.lock);
    condClear(&es.cond);
}

static int
sinkAppend(virStreamPtr st G_GNUC_UNUSED, const char *data, size_t n, void *opaque)
{
    g_string_append_len(opaque, data, n);
    return (int)n;
}

static int
sinkFail(virStreamPtr st G_GNUC_UNUSED, const char *data G_GNUC_UNUSED,
         size_t n G_GNUC_UNUSED, void *opaque G_GNUC_UNUSED)
{
    return -1;
}

static int sourceLeft;

static int
sourceCount(virStreamPtr st G_GNUC_UNUSED, char *data, size_t n, void *opaque G_GNUC_UNUSED)
{
    int k = MIN((int)n, sourceLeft);

    memset(data, 'z', k);
    sourceLeft -= k;
    return k;
}

/* Reads @opaque (an fd) to its end; returns the byte count. */
static gpointer
drainCount(gpointer opaque)
{
    char buf[4096];
    ssize_t n;
    int total = 0;

    while ((n = read(GPOINTER_TO_INT(opaque), buf, sizeof(buf))) > 0)
        total += (int)n;
    return GINT_TO_POINTER(total);
}

static void
testFileAndAll(void)
{
    g_autofree char *path = g_build_filename(g_get_tmp_dir(), "vk-fdstream-XXXXXX", NULL);
    int fd = g_mkstemp(path);
    virStreamPtr st = virStreamNew(conn, 0);
    g_autoptr(GString) got = g_string_new(NULL);
    g_autoptr(GString) big = g_string_new(NULL);
    int peer;
    size_t i;

    for (i = 0; i < 20000; i++)
        g_string_append_printf(big, "line %zu\n", i);
    g_assert_cmpint(write(fd, big->str, big->len), ==, (ssize_t)big->len);
    close(fd);

    g_assert_cmpint(fdStreamOpenFile(st, path), ==, 0);
    g_assert_cmpint(virStreamRecvAll(st, sinkAppend, got), ==, 0);
    g_assert_cmpstr(got->str, ==, big->str);
    g_assert_cmpint(virStreamFinish(st), ==, 0);
    virStreamFree(st);

    /* A failing sink aborts the stream. */
    st = virStreamNew(conn, 0);
    g_assert_cmpint(fdStreamOpenFile(st, path), ==, 0);
    g_assert_cmpint(virStreamRecvAll(st, sinkFail, NULL), ==, -1);
    g_assert_cmpint(virStreamRecv(st, (char *)&i, 1), ==, -1);
    virStreamFree(st);
    unlink(path);

    st = virStreamNew(conn, 0);
    g_assert_cmpint(fdStreamOpenFile(st, "/nonexistent/x"), ==, -1);
    virStreamFree(st);

    /* SendAll until the source says 0. */
    st = pairStream(0, &peer);
    sourceLeft = 100000;
    {
        GThread *th = g_thread_new("drain", drainCount, GINT_TO_POINTER(peer));

        g_assert_cmpint(virStreamSendAll(st, sourceCount, NULL), ==, 0);
        g_assert_cmpint(virStreamFinish(st), ==, 0);
        g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(th)), ==, 100000);
    }
    g_assert_cmpint(virStreamFree(st), ==, 0);
    close(peer);
}

int
main(int argc, char **argv)
{
    GThread *loop;
    int timer;
    int ret;

    g_test_init(&argc, &argv, NULL);
    mockDriverRegister();
    virSetErrorFunc(NULL, quietErrors);
    virEventRegisterDefaultImpl();
    timer = virEventAddTimeout(50, loopTick, NULL, NULL);
    loop = g_thread_new("loop", loopThread, NULL);
    conn = virConnectOpen("mock:///");
    g_assert_nonnull(conn);

    g_test_add_func("/fdstream/blocking", testBlocking);
    g_test_add_func("/fdstream/nonblocking", testNonBlocking);
    g_test_add_func("/fdstream/hangup", testHangup);
    g_test_add_func("/fdstream/events", testEvents);
    g_test_add_func("/fdstream/file-and-all", testFileAndAll);
    ret = g_test_run();

    virConnectClose(conn);
    g_atomic_int_set(&loopStop, 1);
    g_thread_join(loop);
    virEventRemoveTimeout(timer);
    return ret;
}
