/* The event loop hooks and the built-in GLib loop: handles, timers, removal, threads. */
#include <errno.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "mockdriver.h"
#include "util/thread.h"

static Mutex lock;
static int fired;            /* protected by lock */
static int freed;            /* protected by lock */
static int lastEvents;       /* protected by lock */
static int handled;          /* protected by lock: handle callbacks run */
static GThread *firedOn;     /* protected by lock */

static void
counterReset(void)
{
    mutexLock(&lock);
    fired = freed = lastEvents = 0;
    firedOn = NULL;
    mutexUnlock(&lock);
}

static int
firedGet(void)
{
    int n;

    mutexLock(&lock);
    n = fired;
    mutexUnlock(&lock);
    return n;
}

static int
freedGet(void)
{
    int n;

    mutexLock(&lock);
    n = freed;
    mutexUnlock(&lock);
    return n;
}

static void
countFree(void *opaque)
{
    mutexLock(&lock);
    freed++;
    mutexUnlock(&lock);
}

static void
timerCb(int timer, void *opaque)
{
    mutexLock(&lock);
    fired++;
    firedOn = g_thread_self();
    mutexUnlock(&lock);
}

static void
timerSelfRemove(int timer, void *opaque)
{
    timerCb(timer, opaque);
    g_assert_cmpint(virEventRemoveTimeout(timer), ==, 0);
    /* The data must stay usable until the callback returns. */
    g_assert_cmpint(freedGet(), ==, 0);
}

static void
handleCb(int watch, int fd, int events, void *opaque)
{
    char buf[64];

    mutexLock(&lock);
    fired++;
    handled++;
    lastEvents = events;
    mutexUnlock(&lock);
    if (events & VIR_EVENT_HANDLE_READABLE)
        g_assert_cmpint(read(fd, buf, sizeof(buf)), >, 0);
    if (opaque && g_str_equal(opaque, "self-remove"))
        g_assert_cmpint(virEventRemoveHandle(watch), ==, 0);
}

/* Runs the loop until @pred holds, failing after 5 s. */
static void
runUntil(bool (*pred)(void))
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
    int wake = virEventAddTimeout(10, timerCb, NULL, NULL);

    while (!pred()) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        virEventRunDefaultImpl();
    }
    virEventRemoveTimeout(wake);
}

static void
testNoImpl(void)
{
    /* Before any implementation is registered, nothing can be added. */
    g_assert_cmpint(virEventAddTimeout(0, timerCb, NULL, NULL), ==, -1);
    g_assert_cmpint(virEventAddHandle(0, VIR_EVENT_HANDLE_READABLE, handleCb,
                                      NULL, NULL), ==, -1);
    g_assert_cmpint(virEventRemoveTimeout(1), ==, -1);
    g_assert_cmpint(virEventRemoveHandle(1), ==, -1);
    virEventUpdateTimeout(1, 0);
    virEventUpdateHandle(1, 0);
}

static int customCalls;

static int
customAddHandle(int fd, int events, virEventHandleCallback cb, void *opaque,
                virFreeCallback ff)
{
    customCalls++;
    return 42;
}

static int
customAddTimeout(int timeout, virEventTimeoutCallback cb, void *opaque,
                 virFreeCallback ff)
{
    customCalls++;
    return 43;
}

static int
customRemove(int id)
{
    customCalls++;
    return 0;
}

static void
customUpdate(int id, int value)
{
    customCalls++;
}

static void
testCustomImpl(void)
{
    virEventRegisterImpl(customAddHandle, customUpdate, customRemove,
                         customAddTimeout, customUpdate, customRemove);
    g_assert_cmpint(virEventAddHandle(3, 1, handleCb, NULL, NULL), ==, 42);
    virEventUpdateHandle(42, 0);
    g_assert_cmpint(virEventRemoveHandle(42), ==, 0);
    g_assert_cmpint(virEventAddTimeout(5, timerCb, NULL, NULL), ==, 43);
    virEventUpdateTimeout(43, 1);
    g_assert_cmpint(virEventRemoveTimeout(43), ==, 0);
    g_assert_cmpint(customCalls, ==, 6);
    g_assert_cmpint(virEventRegisterDefaultImpl(), ==, 0);
}

static void
testTimerFrequencies(void)
{
    int t0;
    int tm;
    int i;

    counterReset();
    t0 = virEventAddTimeout(0, timerCb, NULL, countFree);
    tm = virEventAddTimeout(-1, timerCb, NULL, countFree);
    g_assert_cmpint(t0, >, 0);
    g_assert_cmpint(tm, >, t0);

    /* Period 0: once per iteration; -1: never. */
    for (i = 1; i <= 3; i++) {
        g_assert_cmpint(virEventRunDefaultImpl(), ==, 0);
        g_assert_cmpint(firedGet(), ==, i);
    }
    g_assert(firedOn == g_thread_self());
    virEventUpdateTimeout(t0, -1);
    virEventUpdateTimeout(tm, 0);
    virEventRunDefaultImpl();
    g_assert_cmpint(firedGet(), ==, 4);

    /* Removal frees the data from the loop, not at once. */
    g_assert_cmpint(virEventRemoveTimeout(t0), ==, 0);
    g_assert_cmpint(virEventRemoveTimeout(t0), ==, -1);
    g_assert_cmpint(virEventRemoveTimeout(tm), ==, 0);
    g_assert_cmpint(freedGet(), ==, 0);
    virEventRunDefaultImpl();
    g_assert_cmpint(freedGet(), ==, 2);
    g_assert_cmpint(firedGet(), ==, 4);
    g_assert_cmpint(virEventRemoveTimeout(0), ==, -1);
    g_assert_cmpint(virEventRemoveTimeout(-1), ==, -1);
}

static bool
firedOnce(void)
{
    return firedGet() >= 1;
}

static void
testTimerPeriod(void)
{
    gint64 start = g_get_monotonic_time();
    gint64 elapsed;
    int t;

    counterReset();
    t = virEventAddTimeout(60, timerCb, NULL, NULL);
    while (firedGet() < 2)
        virEventRunDefaultImpl();
    elapsed = g_get_monotonic_time() - start;
    g_assert_cmpint(elapsed, >=, 2 * 60 * G_TIME_SPAN_MILLISECOND - 2000);
    g_assert_cmpint(elapsed, <, 5 * G_TIME_SPAN_SECOND);
    virEventRemoveTimeout(t);
}

static bool
freedOnce(void)
{
    return freedGet() >= 1;
}

static void
testTimerSelfRemove(void)
{
    counterReset();
    g_assert_cmpint(virEventAddTimeout(0, timerSelfRemove, NULL, countFree), >, 0);
    virEventRunDefaultImpl();
    g_assert_cmpint(firedGet(), ==, 1);
    runUntil(freedOnce);
    g_assert_cmpint(firedGet(), >=, 1);
}

static void
testHandlePipe(void)
{
    int fds[2];
    int watch;
    int watch2;
    int events;

    g_assert_cmpint(pipe(fds), ==, 0);
    counterReset();
    watch = virEventAddHandle(fds[0], VIR_EVENT_HANDLE_READABLE, handleCb,
                              NULL, countFree);
    g_assert_cmpint(watch, >, 0);
    g_assert_cmpint(write(fds[1], "x", 1), ==, 1);
    runUntil(firedOnce);
    mutexLock(&lock);
    events = lastEvents;
    mutexUnlock(&lock);
    g_assert_cmpint(events, ==, VIR_EVENT_HANDLE_READABLE);

    /* Watching nothing: the data waits. */
    virEventUpdateHandle(watch, 0);
    g_assert_cmpint(write(fds[1], "x", 1), ==, 1);
    {
        int t = virEventAddTimeout(30, timerCb, NULL, NULL);
        int before = firedGet();
        int handledBefore;

        mutexLock(&lock);
        handledBefore = handled;
        mutexUnlock(&lock);
        while (firedGet() == before)
            virEventRunDefaultImpl();
        virEventRemoveTimeout(t);
        mutexLock(&lock);
        g_assert_cmpint(handled, ==, handledBefore);
        mutexUnlock(&lock);
    }
    counterReset();
    virEventUpdateHandle(watch, VIR_EVENT_HANDLE_READABLE);
    runUntil(firedOnce);
    g_assert_cmpint(virEventRemoveHandle(watch), ==, 0);
    g_assert_cmpint(virEventRemoveHandle(watch), ==, -1);
    runUntil(freedOnce);

    /* Removing itself from its callback. */
    counterReset();
    watch2 = virEventAddHandle(fds[0], VIR_EVENT_HANDLE_READABLE, handleCb,
                               (void *)"self-remove", countFree);
    g_assert_cmpint(watch2, >, watch);
    g_assert_cmpint(write(fds[1], "x", 1), ==, 1);
    runUntil(freedOnce);
    g_assert_cmpint(firedGet(), ==, 1);

    /* Hang-up is reported when the writer goes away. */
    counterReset();
    watch = virEventAddHandle(fds[0], VIR_EVENT_HANDLE_READABLE, handleCb,
                              NULL, NULL);
    close(fds[1]);
    runUntil(firedOnce);
    mutexLock(&lock);
    events = lastEvents;
    mutexUnlock(&lock);
    g_assert_true(events & VIR_EVENT_HANDLE_HANGUP);
    virEventRemoveHandle(watch);
    close(fds[0]);
}

static void
busyCb(int watch, int fd, int events, void *opaque)
{
}

static void
testFreeNotStarved(void)
{
    int fds[2];
    int busy;
    int watch;
    int i;

    /* An always-writable descriptor keeps every iteration busy; the free
     * callback of a removed watch must still run, first, next time. */
    g_assert_cmpint(pipe(fds), ==, 0);
    counterReset();
    busy = virEventAddHandle(fds[1], VIR_EVENT_HANDLE_WRITABLE, busyCb, NULL, NULL);
    watch = virEventAddHandle(fds[0], VIR_EVENT_HANDLE_READABLE, handleCb, NULL,
                              countFree);
    for (i = 0; i < 3; i++)
        virEventRunDefaultImpl();
    g_assert_cmpint(virEventRemoveHandle(watch), ==, 0);
    virEventRunDefaultImpl();
    g_assert_cmpint(freedGet(), ==, 1);
    virEventRemoveHandle(busy);
    virEventRunDefaultImpl();
    close(fds[0]);
    close(fds[1]);
}

static gint stopLoop;

static gpointer
loopThread(gpointer data)
{
    while (!g_atomic_int_get(&stopLoop))
        virEventRunDefaultImpl();
    return NULL;
}

static void
wakeCb(int timer, void *opaque)
{
    timerCb(timer, opaque);
    virEventRemoveTimeout(timer);
}

static void
testCrossThread(void)
{
    GThread *thread = NULL;
    gint64 deadline;
    int i;

    counterReset();
    g_atomic_int_set(&stopLoop, 0);
    thread = g_thread_new("loop", loopThread, NULL);
    /* Let the loop block in poll(), then add work from this thread. */
    g_usleep(50 * 1000);
    for (i = 0; i < 20; i++)
        g_assert_cmpint(virEventAddTimeout(0, wakeCb, NULL, NULL), >, 0);
    deadline = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
    while (firedGet() < 20) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(1000);
    }
    mutexLock(&lock);
    g_assert(firedOn == thread);
    mutexUnlock(&lock);

    g_atomic_int_set(&stopLoop, 1);
    virEventAddTimeout(0, wakeCb, NULL, NULL);
    g_thread_join(thread);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mockDriverRegister();
    /* Order matters: the first test runs before any loop is registered. */
    g_test_add_func("/event/no-impl", testNoImpl);
    g_test_add_func("/event/custom-impl", testCustomImpl);
    g_test_add_func("/event/timer-frequencies", testTimerFrequencies);
    g_test_add_func("/event/timer-period", testTimerPeriod);
    g_test_add_func("/event/timer-self-remove", testTimerSelfRemove);
    g_test_add_func("/event/handle-pipe", testHandlePipe);
    g_test_add_func("/event/free-not-starved", testFreeNotStarved);
    g_test_add_func("/event/cross-thread", testCrossThread);
    return g_test_run();
}
