/* End to end through libvirt.so.0 and test:///default: default URI, events from the loop thread, threads. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

/* Only for the test's own lock, which TSan must see (linked statically). */
#include "util/thread.h"

/* VIR_DOMAIN_EVENT_CALLBACK through void (*)(void), which -Wcast-function-type accepts. */
#define GENERIC_CB(cb) ((virConnectDomainEventGenericCallback)(void (*)(void))(cb))

/* Exits 77 (skip) while test:///default cannot be opened. */

static Mutex lock;
static GThread *loopThread;
static GThread *eventThread;     /* protected by lock */
static int events;               /* protected by lock */
static gint stopLoop;

static void
quiet(void *userData, virErrorPtr err)
{
}

static gpointer
loopMain(gpointer data)
{
    while (!g_atomic_int_get(&stopLoop))
        virEventRunDefaultImpl();
    return NULL;
}

static int
lifecycleCb(virConnectPtr conn, virDomainPtr dom, int event, int detail,
            void *opaque)
{
    mutexLock(&lock);
    events++;
    eventThread = g_thread_self();
    mutexUnlock(&lock);
    return 0;
}

static int
eventCount(void)
{
    int n;

    mutexLock(&lock);
    n = events;
    mutexUnlock(&lock);
    return n;
}

static void
wakeCb(int timer, void *opaque)
{
    virEventRemoveTimeout(timer);
}

static int
check(bool cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "FAIL: %s (last error: %s)\n", what,
                virGetLastErrorMessage());
        return 1;
    }
    printf("ok: %s\n", what);
    return 0;
}

#define THREADS 8
#define ROUNDS 200

static gint threadFailures;

static gpointer
hammer(gpointer data)
{
    int i;

    for (i = 0; i < ROUNDS; i++) {
        virConnectPtr conn = virConnectOpen("test:///default");
        virDomainPtr dom = NULL;
        virDomainPtr *doms = NULL;
        virDomainInfo info;
        int state;
        int n;

        if (!conn || !(dom = virDomainLookupByName(conn, "test")) ||
            virDomainGetInfo(dom, &info) < 0 ||
            virDomainGetState(dom, &state, NULL, 0) < 0 ||
            (n = virConnectListAllDomains(conn, &doms, 0)) < 1 ||
            virDomainLookupByName(conn, "nosuch") != NULL ||
            virGetLastErrorCode() != VIR_ERR_NO_DOMAIN) {
            g_atomic_int_inc(&threadFailures);
        } else {
            while (n-- > 0)
                virDomainFree(doms[n]);
            free(doms);
        }
        if (dom)
            virDomainFree(dom);
        if (conn)
            virConnectClose(conn);
    }
    return NULL;
}

int
main(void)
{
    virConnectPtr conn = NULL;
    virConnectPtr def = NULL;
    virDomainPtr dom = NULL;
    GThread *threads[THREADS];
    char *uri = NULL;
    int failures = 0;
    int id;
    gint64 deadline;
    size_t i;

    g_unsetenv("LIBVIRT_DEFAULT_URI");
    virSetErrorFunc(NULL, quiet);
    if (!(conn = virConnectOpen("test:///default"))) {
        printf("test:///default unavailable (%s): skipping\n",
               virGetLastErrorMessage());
        return 77;
    }
    uri = virConnectGetURI(conn);
    failures += check(uri && g_str_equal(uri, "test:///default"), "GetURI");
    free(uri);

    def = virConnectOpen(NULL);
    uri = def ? virConnectGetURI(def) : NULL;
    failures += check(uri && g_str_equal(uri, "test:///default"),
                      "NULL opens test:///default");
    free(uri);
    if (def)
        virConnectClose(def);

    /* Events arrive on the loop's thread. */
    virEventRegisterDefaultImpl();
    loopThread = g_thread_new("loop", loopMain, NULL);
    dom = virDomainLookupByName(conn, "test");
    failures += check(dom != NULL, "lookup test");
    id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          GENERIC_CB(lifecycleCb),
                                          NULL, NULL);
    failures += check(id >= 0, "register lifecycle callback");
    failures += check(virDomainSuspend(dom) == 0, "suspend");
    failures += check(virDomainResume(dom) == 0, "resume");
    deadline = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
    while (eventCount() < 2 && g_get_monotonic_time() < deadline)
        g_usleep(1000);
    failures += check(eventCount() == 2, "two lifecycle events");
    mutexLock(&lock);
    failures += check(eventThread == loopThread, "delivered on the loop thread");
    mutexUnlock(&lock);
    failures += check(virConnectDomainEventDeregisterAny(conn, id) == 0,
                      "deregister");

    /* Many threads through the entry points at once. */
    for (i = 0; i < THREADS; i++)
        threads[i] = g_thread_new("hammer", hammer, NULL);
    for (i = 0; i < THREADS; i++)
        g_thread_join(threads[i]);
    failures += check(g_atomic_int_get(&threadFailures) == 0,
                      "8 threads x 200 open/lookup/info/list/close");

    g_atomic_int_set(&stopLoop, 1);
    virEventAddTimeout(0, wakeCb, NULL, NULL);
    g_thread_join(loopThread);
    virDomainFree(dom);
    failures += check(virConnectClose(conn) == 0, "close");
    return failures ? 1 : 0;
}
