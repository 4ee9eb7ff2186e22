/* Streams end to end: our libvirt.so.0 against a real daemon (libvirtd or virtkitd). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "util/thread.h"
#include "testutils.h"

/*
 * Run by tests/remote/remote-run.py --only-test (REMOTE_TEST_URI,
 * REMOTE_TEST_DAEMON).  The test driver's screenshot is a fixed PNG:
 * libvirtd sends /usr/share/libvirt/test-screenshot.png, virtkitd its own
 * 64x48 image.  Proves that our client speaks libvirt's stream protocol
 * (blocking, non-blocking, event callbacks, finish, abort) to both.
 */

#define WAIT_US (10 * G_USEC_PER_SEC)

static const char *testURI;
static const char *daemonName;
static gint loopStop;

#define CHECK(cond, ...) \
    do { \
        if (!(cond)) { \
            testFail(__VA_ARGS__); \
            goto cleanup; \
        } \
    } while (0)

static void
quietErrors(void *opaque G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
}

static gpointer
loopThread(gpointer opaque G_GNUC_UNUSED)
{
    while (!g_atomic_int_get(&loopStop)) {
        if (virEventRunDefaultImpl() < 0)
            break;
    }
    return NULL;
}

static void
loopTick(int timer G_GNUC_UNUSED, void *opaque G_GNUC_UNUSED)
{
}

static int
sink(virStreamPtr st G_GNUC_UNUSED, const char *data, size_t nbytes, void *opaque)
{
    g_byte_array_append(opaque, (const guint8 *)data, nbytes);
    return (int)nbytes;
}

/* The image the daemon's test driver must send. */
static int
checkImage(GByteArray *img, const char *what)
{
    static const guint8 sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    if (img->len < 24 || memcmp(img->data, sig, 8) != 0) {
        testFail("%s: not a PNG image (%u bytes)", what, img->len);
        return -1;
    }
    if (g_strcmp0(daemonName, "libvirtd") == 0) {
        g_autofree char *expect = NULL;
        gsize len = 0;

        if (!g_file_get_contents("/usr/share/libvirt/test-screenshot.png", &expect, &len, NULL)) {
            testNote("no /usr/share/libvirt/test-screenshot.png: size not compared");
            return 0;
        }
        if (len != img->len || memcmp(expect, img->data, len) != 0) {
            testFail("%s: %u bytes differ from libvirtd's test-screenshot.png (%zu)", what,
                     img->len, (size_t)len);
            return -1;
        }
    } else {
        /* virtkitd's image: IHDR width 64, height 48. */
        if (img->data[19] != 64 || img->data[23] != 48) {
            testFail("%s: unexpected image size", what);
            return -1;
        }
    }
    return 0;
}

static int
testBlocking(const void *data G_GNUC_UNUSED)
{
    virConnectPtr conn = virConnectOpen(testURI);
    virDomainPtr dom = NULL;
    virStreamPtr st = NULL;
    g_autoptr(GByteArray) img = g_byte_array_new();
    char *mime = NULL;
    char byte;
    int rc = -1;

    CHECK(conn, "open: %s", virGetLastErrorMessage());
    CHECK((dom = virDomainLookupByName(conn, "test")), "lookup: %s", virGetLastErrorMessage());
    CHECK((st = virStreamNew(conn, 0)), "virStreamNew: %s", virGetLastErrorMessage());
    CHECK((mime = virDomainScreenshot(dom, st, 0, 0)), "screenshot: %s",
          virGetLastErrorMessage());
    CHECK(strcmp(mime, "image/png") == 0, "mime type '%s'", mime);
    CHECK(virStreamRecvAll(st, sink, img) == 0, "RecvAll: %s", virGetLastErrorMessage());
    if (checkImage(img, "blocking") < 0)
        goto cleanup;
    CHECK(virStreamRecv(st, &byte, 1) == 0, "Recv after the end must return 0");
    CHECK(virStreamFinish(st) == 0, "Finish: %s", virGetLastErrorMessage());
    CHECK(virStreamFinish(st) < 0, "a second Finish must fail");
    virResetLastError();
    /* The connection serves calls after the stream. */
    CHECK(virConnectNumOfDomains(conn) >= 1, "call after the stream: %s",
          virGetLastErrorMessage());
    rc = 0;

 cleanup:
    free(mime);
    if (st)
        virStreamFree(st);
    if (dom)
        virDomainFree(dom);
    if (conn)
        virConnectClose(conn);
    return rc;
}

static int
testNonBlocking(const void *data G_GNUC_UNUSED)
{
    virConnectPtr conn = virConnectOpen(testURI);
    virDomainPtr dom = NULL;
    virStreamPtr st = NULL;
    g_autoptr(GByteArray) img = g_byte_array_new();
    char *mime = NULL;
    gint64 deadline = g_get_monotonic_time() + WAIT_US;
    char buf[1000];
    int again = 0;
    int rc = -1;

    CHECK(conn, "open: %s", virGetLastErrorMessage());
    CHECK((dom = virDomainLookupByName(conn, "test")), "lookup: %s", virGetLastErrorMessage());
    CHECK((st = virStreamNew(conn, VIR_STREAM_NONBLOCK)), "virStreamNew: %s",
          virGetLastErrorMessage());
    CHECK(virStreamRecvAll(st, sink, img) < 0, "RecvAll must refuse a non-blocking stream");
    virResetLastError();
    CHECK((mime = virDomainScreenshot(dom, st, 0, 0)), "screenshot: %s",
          virGetLastErrorMessage());
    for (;;) {
        int n = virStreamRecv(st, buf, sizeof(buf));

        if (n == -2) {
            again++;
            CHECK(g_get_monotonic_time() < deadline, "no end of data within 10 s");
            g_usleep(1000);
            continue;
        }
        CHECK(n >= 0, "Recv: %s", virGetLastErrorMessage());
        if (n == 0)
            break;
        g_byte_array_append(img, (guint8 *)buf, n);
    }
    testNote("non-blocking: %u bytes, %d times -2", img->len, again);
    if (checkImage(img, "non-blocking") < 0)
        goto cleanup;
    CHECK(virStreamFinish(st) == 0, "Finish: %s", virGetLastErrorMessage());
    rc = 0;

 cleanup:
    free(mime);
    if (st)
        virStreamFree(st);
    if (dom)
        virDomainFree(dom);
    if (conn)
        virConnectClose(conn);
    return rc;
}

typedef struct {
    Mutex lock;
    Cond cond;
    GByteArray *img;
    bool done;
    bool failed;
    int calls;
    gint freed;
} EventState;

static void
streamEvent(virStreamPtr st, int events, void *opaque)
{
    EventState *es = opaque;
    char buf[4096];

    mutexLock(&es->lock);
    es->calls++;
    if (es->done) {             /* the test removes the callback itself */
        mutexUnlock(&es->lock);
        return;
    }
    mutexUnlock(&es->lock);
    if (!(events & (VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR |
                    VIR_STREAM_EVENT_HANGUP)))
        return;
    for (;;) {
        int n = virStreamRecv(st, buf, sizeof(buf));

        if (n == -2)
            return;
        mutexLock(&es->lock);
        if (n > 0) {
            g_byte_array_append(es->img, (guint8 *)buf, n);
            mutexUnlock(&es->lock);
            continue;
        }
        es->failed = n < 0;
        es->done = true;
        condSignal(&es->cond);
        mutexUnlock(&es->lock);
        return;
    }
}

static void
eventFree(void *opaque)
{
    EventState *es = opaque;

    g_atomic_int_set(&es->freed, 1);
}

static int
testEvents(const void *data G_GNUC_UNUSED)
{
    virConnectPtr conn = virConnectOpen(testURI);
    virDomainPtr dom = NULL;
    virStreamPtr st = NULL;
    EventState es = {0};
    char *mime = NULL;
    gint64 deadline = g_get_monotonic_time() + WAIT_US;
    int rc = -1;

    mutexInit(&es.lock);
    condInit(&es.cond);
    es.img = g_byte_array_new();
    CHECK(conn, "open: %s", virGetLastErrorMessage());
    CHECK((dom = virDomainLookupByName(conn, "test")), "lookup: %s", virGetLastErrorMessage());
    CHECK((st = virStreamNew(conn, VIR_STREAM_NONBLOCK)), "virStreamNew: %s",
          virGetLastErrorMessage());
    CHECK(virStreamEventAddCallback(st, VIR_STREAM_EVENT_READABLE, streamEvent, &es, NULL) < 0,
          "a callback on an unopened stream must fail");
    virResetLastError();
    CHECK((mime = virDomainScreenshot(dom, st, 0, 0)), "screenshot: %s",
          virGetLastErrorMessage());
    CHECK(virStreamEventAddCallback(st, VIR_STREAM_EVENT_READABLE, streamEvent, &es,
                                    eventFree) == 0,
          "EventAddCallback: %s", virGetLastErrorMessage());
    CHECK(virStreamEventAddCallback(st, VIR_STREAM_EVENT_READABLE, streamEvent, &es, NULL) < 0,
          "a second callback must fail");
    virResetLastError();
    mutexLock(&es.lock);
    while (!es.done) {
        if (!condWaitUntil(&es.cond, &es.lock, deadline))
            break;
    }
    mutexUnlock(&es.lock);
    CHECK(es.done && !es.failed, "callback reading: done %d failed %d", es.done, es.failed);
    if (checkImage(es.img, "event callback") < 0)
        goto cleanup;
    /* Removed here, not by the callback: until now a second registration
     * had to meet this one, however fast the image arrived. */
    CHECK(virStreamEventRemoveCallback(st) == 0, "EventRemoveCallback: %s",
          virGetLastErrorMessage());
    CHECK(virStreamFinish(st) == 0, "Finish: %s", virGetLastErrorMessage());
    while (!g_atomic_int_get(&es.freed) && g_get_monotonic_time() < deadline)
        g_usleep(1000);
    CHECK(g_atomic_int_get(&es.freed), "the callback's free function did not run");
    rc = 0;

 cleanup:
    free(mime);
    if (st)
        virStreamFree(st);
    if (dom)
        virDomainFree(dom);
    if (conn)
        virConnectClose(conn);
    g_byte_array_unref(es.img);
    mutexClear(&es.lock);
    condClear(&es.cond);
    return rc;
}

static int
testAbort(const void *data G_GNUC_UNUSED)
{
    virConnectPtr conn = virConnectOpen(testURI);
    virDomainPtr dom = NULL;
    virStreamPtr st = NULL;
    char *mime = NULL;
    char buf[100];
    int i;
    int rc = -1;

    CHECK(conn, "open: %s", virGetLastErrorMessage());
    CHECK((dom = virDomainLookupByName(conn, "test")), "lookup: %s", virGetLastErrorMessage());
    for (i = 0; i < 20; i++) {
        CHECK((st = virStreamNew(conn, 0)), "virStreamNew: %s", virGetLastErrorMessage());
        CHECK((mime = virDomainScreenshot(dom, st, 0, 0)), "screenshot %d: %s", i,
              virGetLastErrorMessage());
        CHECK(virStreamRecv(st, buf, sizeof(buf)) > 0, "Recv: %s", virGetLastErrorMessage());
        if (i % 2 == 0) {
            CHECK(virStreamAbort(st) == 0, "Abort: %s", virGetLastErrorMessage());
            CHECK(virStreamRecv(st, buf, sizeof(buf)) < 0, "Recv after Abort must fail");
            virResetLastError();
        }
        /* Odd rounds: freed while open, which aborts it. */
        virStreamFree(st);
        st = NULL;
        free(g_steal_pointer(&mime));
    }
    CHECK(virConnectNumOfDomains(conn) >= 1, "call after 20 aborted streams: %s",
          virGetLastErrorMessage());
    rc = 0;

 cleanup:
    free(mime);
    if (st)
        virStreamFree(st);
    if (dom)
        virDomainFree(dom);
    if (conn)
        virConnectClose(conn);
    return rc;
}

static int
testArgs(const void *data G_GNUC_UNUSED)
{
    virConnectPtr conn = virConnectOpen(testURI);
    virConnectPtr other = virConnectOpen(testURI);
    virDomainPtr dom = NULL;
    virStreamPtr st = NULL;
    char buf[8];
    int rc = -1;

    CHECK(conn && other, "open: %s", virGetLastErrorMessage());
    CHECK((dom = virDomainLookupByName(conn, "test")), "lookup: %s", virGetLastErrorMessage());
    CHECK((st = virStreamNew(other, 0)), "virStreamNew: %s", virGetLastErrorMessage());
    CHECK(!virDomainScreenshot(dom, st, 0, 0), "a stream of another connection must fail");
    CHECK(virGetLastErrorCode() == VIR_ERR_INVALID_ARG, "error %d", virGetLastErrorCode());
    virResetLastError();
    CHECK(virStreamRecv(st, buf, sizeof(buf)) < 0, "Recv on an unopened stream must fail");
    virResetLastError();
    CHECK(!virDomainScreenshot(dom, NULL, 0, 0), "a NULL stream must fail");
    CHECK(virGetLastErrorCode() == VIR_ERR_INVALID_STREAM, "error %d", virGetLastErrorCode());
    virResetLastError();
    CHECK(virStreamFree(NULL) < 0, "virStreamFree(NULL) must fail");
    virResetLastError();
    rc = 0;

 cleanup:
    if (st)
        virStreamFree(st);
    if (dom)
        virDomainFree(dom);
    if (conn)
        virConnectClose(conn);
    if (other)
        virConnectClose(other);
    return rc;
}

static int
mymain(void)
{
    GThread *loop = NULL;
    int timer;
    int ret = 0;

    testURI = g_getenv("REMOTE_TEST_URI");
    daemonName = g_getenv("REMOTE_TEST_DAEMON");
    if (!testURI) {
        printf("# REMOTE_TEST_URI not set (run through remote-run.py)\n");
        return 0;
    }
    testNote("daemon %s, uri %s", daemonName ? daemonName : "?", testURI);
    virSetErrorFunc(NULL, quietErrors);
    if (virEventRegisterDefaultImpl() < 0)
        return -1;
    timer = virEventAddTimeout(100, loopTick, NULL, NULL);
    loop = g_thread_new("loop", loopThread, NULL);

    if (testRun("screenshot stream, blocking", testBlocking, NULL) < 0)
        ret = -1;
    if (testRun("screenshot stream, non-blocking", testNonBlocking, NULL) < 0)
        ret = -1;
    if (testRun("screenshot stream, event callback", testEvents, NULL) < 0)
        ret = -1;
    if (testRun("abort and free mid-stream", testAbort, NULL) < 0)
        ret = -1;
    if (testRun("stream argument checks", testArgs, NULL) < 0)
        ret = -1;

    g_atomic_int_set(&loopStop, 1);
    g_thread_join(loop);
    virEventRemoveTimeout(timer);
    return ret;
}

int
main(int argc, char **argv)
{
    return testMain(argc, argv, mymain);
}
