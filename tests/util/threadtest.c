/* Tests for util/thread: mutual exclusion, try-lock, condition waits, read-write locks. */
#include <string.h>
#include <sys/wait.h>

#include "testutils.h"
#include "util/str.h"
#include "util/thread.h"

#if defined(__SANITIZE_THREAD__)
# define TEST_TSAN 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define TEST_TSAN 1
# endif
#endif

#define NTHREADS 4
#define NLOOPS 20000
/* Long enough never to expire on a loaded machine; a hang fails the test. */
#define LONG_WAIT (30 * G_TIME_SPAN_SECOND)

/* ---- mutual exclusion ---- */

typedef struct {
    Mutex *lock;
    long counter;       /* protected by @lock, deliberately not atomic */
    int inside;         /* threads in the critical section, under @lock */
    int overlaps;       /* times a thread found another inside */
} Shared;

static gpointer
testExclusionThread(gpointer opaque)
{
    Shared *s = opaque;
    int i;

    for (i = 0; i < NLOOPS; i++) {
        mutexLock(s->lock);
        if (s->inside++ != 0)
            s->overlaps++;
        s->counter++;
        s->inside--;
        mutexUnlock(s->lock);
    }
    return NULL;
}

static int
testExclusion(Mutex *lock)
{
    Shared s = { .lock = lock };
    GThread *threads[NTHREADS];
    size_t i;

    for (i = 0; i < NTHREADS; i++)
        threads[i] = g_thread_new("excl", testExclusionThread, &s);
    for (i = 0; i < NTHREADS; i++)
        g_thread_join(threads[i]);
    if (s.counter != (long)NTHREADS * NLOOPS || s.overlaps != 0) {
        testFail("counter %ld (expected %ld), %d overlapping critical sections",
                 s.counter, (long)NTHREADS * NLOOPS, s.overlaps);
        return -1;
    }
    return 0;
}

static int
testMutexHeap(const void *data G_GNUC_UNUSED)
{
    g_autofree Mutex *lock = g_new0(Mutex, 1);
    int ret;

    mutexInit(lock);
    ret = testExclusion(lock);
    mutexClear(lock);
    return ret;
}

static Mutex staticLock;   /* zero-filled: usable without mutexInit */

static int
testMutexStatic(const void *data G_GNUC_UNUSED)
{
    return testExclusion(&staticLock);
}

/* ---- try-lock ---- */

static gpointer
testTryLockThread(gpointer opaque)
{
    Mutex *lock = opaque;

    if (!mutexTryLock(lock))
        return GINT_TO_POINTER(0);
    mutexUnlock(lock);
    return GINT_TO_POINTER(1);
}

static bool
testTryFromOtherThread(Mutex *lock)
{
    return GPOINTER_TO_INT(g_thread_join(g_thread_new("try", testTryLockThread, lock)));
}

static int
testTryLock(const void *data G_GNUC_UNUSED)
{
    Mutex lock;
    int ret = 0;

    mutexInit(&lock);
    if (!mutexTryLock(&lock)) {
        testFail("try-lock of a free mutex failed");
        ret = -1;
        goto cleanup;
    }
    if (testTryFromOtherThread(&lock)) {
        testFail("another thread could take a held mutex");
        ret = -1;
    }
    mutexUnlock(&lock);
    if (!testTryFromOtherThread(&lock)) {
        testFail("another thread could not take a released mutex");
        ret = -1;
    }
 cleanup:
    mutexClear(&lock);
    return ret;
}

/* ---- conditions ---- */

typedef struct {
    Mutex lock;
    Cond cond;
    int ready;          /* predicate, under @lock */
    int woken;          /* waiters that saw the predicate, under @lock */
    bool timedOut;      /* a waiter reached its deadline, under @lock */
} Waiters;

static gpointer
testWaiterThread(gpointer opaque)
{
    Waiters *w = opaque;
    gint64 deadline = g_get_monotonic_time() + LONG_WAIT;

    mutexLock(&w->lock);
    while (!w->ready) {
        if (!condWaitUntil(&w->cond, &w->lock, deadline) && !w->ready) {
            w->timedOut = true;
            break;
        }
    }
    if (w->ready)
        w->woken++;
    mutexUnlock(&w->lock);
    return NULL;
}

static int
testCondTimeout(const void *data G_GNUC_UNUSED)
{
    Waiters w = { 0 };
    gint64 start;
    gint64 elapsed;
    bool woken;
    bool heldAfter;
    int ret = 0;

    mutexInit(&w.lock);
    condInit(&w.cond);
    mutexLock(&w.lock);
    start = g_get_monotonic_time();
    do {
        woken = condWaitUntil(&w.cond, &w.lock, start + 50 * G_TIME_SPAN_MILLISECOND);
    } while (woken);   /* a spurious wake-up: wait again for the same deadline */
    elapsed = g_get_monotonic_time() - start;
    heldAfter = !testTryFromOtherThread(&w.lock);
    mutexUnlock(&w.lock);

    if (elapsed < 50 * G_TIME_SPAN_MILLISECOND) {
        testFail("returned false after %" G_GINT64_FORMAT " us, before the 50 ms deadline",
                 elapsed);
        ret = -1;
    }
    if (!heldAfter) {
        testFail("the mutex was not held again after the timed-out wait");
        ret = -1;
    }
    condClear(&w.cond);
    mutexClear(&w.lock);
    return ret;
}

static int
testCondWake(bool broadcast)
{
    Waiters w = { 0 };
    GThread *threads[NTHREADS];
    int nwaiters = broadcast ? NTHREADS : 1;
    int i;
    int ret = 0;

    mutexInit(&w.lock);
    condInit(&w.cond);
    for (i = 0; i < nwaiters; i++)
        threads[i] = g_thread_new("waiter", testWaiterThread, &w);

    mutexLock(&w.lock);
    w.ready = 1;
    if (broadcast)
        condBroadcast(&w.cond);
    else
        condSignal(&w.cond);
    mutexUnlock(&w.lock);

    for (i = 0; i < nwaiters; i++)
        g_thread_join(threads[i]);
    if (w.woken != nwaiters || w.timedOut) {
        testFail("%d of %d waiters saw the predicate%s", w.woken, nwaiters,
                 w.timedOut ? ", one timed out" : "");
        ret = -1;
    }
    condClear(&w.cond);
    mutexClear(&w.lock);
    return ret;
}

static int
testCondSignal(const void *data G_GNUC_UNUSED)
{
    return testCondWake(false);
}

static int
testCondBroadcast(const void *data G_GNUC_UNUSED)
{
    return testCondWake(true);
}

/* ---- read-write locks ---- */

typedef struct {
    RWLock rw;
    Mutex lock;         /* for the fields below */
    Cond cond;
    int readersIn;      /* readers holding @rw */
    bool release;       /* readers may drop @rw */
    bool writerIn;      /* the writer holds @rw */
    bool overlap;       /* the writer saw a reader inside */
    long a;             /* under @rw: a == b whenever @rw is free */
    long b;
} RWShared;

static gpointer
testRWReaderThread(gpointer opaque)
{
    RWShared *s = opaque;
    gint64 deadline = g_get_monotonic_time() + LONG_WAIT;

    rwLockReaderLock(&s->rw);
    mutexLock(&s->lock);
    s->readersIn++;
    condBroadcast(&s->cond);
    while (!s->release && condWaitUntil(&s->cond, &s->lock, deadline))
        ;
    s->readersIn--;
    mutexUnlock(&s->lock);
    rwLockReaderUnlock(&s->rw);
    return NULL;
}

static gpointer
testRWWriterThread(gpointer opaque)
{
    RWShared *s = opaque;

    rwLockWriterLock(&s->rw);
    mutexLock(&s->lock);
    s->writerIn = true;
    if (s->readersIn)
        s->overlap = true;
    condBroadcast(&s->cond);
    mutexUnlock(&s->lock);
    rwLockWriterUnlock(&s->rw);
    return NULL;
}

static int
testRWShareAndExclude(const void *data G_GNUC_UNUSED)
{
    RWShared s = { 0 };
    GThread *readers[2];
    GThread *writer;
    gint64 deadline = g_get_monotonic_time() + LONG_WAIT;
    bool bothIn;
    bool writerEarly;
    int ret = 0;
    size_t i;

    rwLockInit(&s.rw);
    mutexInit(&s.lock);
    condInit(&s.cond);

    /* Two readers hold the lock at the same time... */
    for (i = 0; i < G_N_ELEMENTS(readers); i++)
        readers[i] = g_thread_new("reader", testRWReaderThread, &s);
    mutexLock(&s.lock);
    while (s.readersIn < 2 && condWaitUntil(&s.cond, &s.lock, deadline))
        ;
    bothIn = s.readersIn == 2;
    mutexUnlock(&s.lock);

    /* ...and a writer waits for both of them. */
    writer = g_thread_new("writer", testRWWriterThread, &s);
    g_usleep(50 * G_TIME_SPAN_MILLISECOND);
    mutexLock(&s.lock);
    writerEarly = s.writerIn;
    s.release = true;
    condBroadcast(&s.cond);
    mutexUnlock(&s.lock);

    for (i = 0; i < G_N_ELEMENTS(readers); i++)
        g_thread_join(readers[i]);
    g_thread_join(writer);

    if (!bothIn) {
        testFail("two readers could not hold the lock together");
        ret = -1;
    }
    if (writerEarly || s.overlap || !s.writerIn) {
        testFail("writer: got in early %d, overlapped a reader %d, got in at all %d",
                 writerEarly, s.overlap, s.writerIn);
        ret = -1;
    }
    condClear(&s.cond);
    mutexClear(&s.lock);
    rwLockClear(&s.rw);
    return ret;
}

static gpointer
testRWMixedThread(gpointer opaque)
{
    RWShared *s = opaque;
    long torn = 0;
    int i;

    for (i = 0; i < NLOOPS / 4; i++) {
        if (i % 4 == 0) {
            rwLockWriterLock(&s->rw);
            s->a++;
            s->b++;
            rwLockWriterUnlock(&s->rw);
        } else {
            rwLockReaderLock(&s->rw);
            if (s->a != s->b)
                torn++;
            rwLockReaderUnlock(&s->rw);
        }
    }
    return GSIZE_TO_POINTER(torn);
}

static RWLock staticRW;    /* zero-filled: usable without rwLockInit */

static int
testRWMixed(const void *data G_GNUC_UNUSED)
{
    RWShared s = { 0 };
    GThread *threads[NTHREADS];
    long torn = 0;
    long expected = NTHREADS * (NLOOPS / 4 / 4);
    size_t i;

    rwLockInit(&s.rw);
    for (i = 0; i < NTHREADS; i++)
        threads[i] = g_thread_new("mixed", testRWMixedThread, &s);
    for (i = 0; i < NTHREADS; i++)
        torn += GPOINTER_TO_SIZE(g_thread_join(threads[i]));
    rwLockClear(&s.rw);

    rwLockWriterLock(&staticRW);
    rwLockWriterUnlock(&staticRW);
    rwLockReaderLock(&staticRW);
    rwLockReaderUnlock(&staticRW);

    if (torn || s.a != expected || s.b != expected) {
        testFail("%ld torn reads; a=%ld b=%ld, expected %ld", torn, s.a, s.b, expected);
        return -1;
    }
    return 0;
}

/* ---- hand-over through a channel TSan cannot see ---- */

/*
 * The channel: one pointer slot.  Under TSan it is written and read with
 * relaxed atomics, which TSan does not count as synchronisation, so that
 * only threadHandOff/threadTakeOver order the sender's writes before the
 * receiver's reads, as with GLib's queues.  Elsewhere release/acquire.
 */
#ifdef TEST_TSAN
# define PARCEL_STORE __ATOMIC_RELAXED
# define PARCEL_LOAD __ATOMIC_RELAXED
#else
# define PARCEL_STORE __ATOMIC_RELEASE
# define PARCEL_LOAD __ATOMIC_ACQUIRE
#endif

typedef struct {
    long value;         /* plain: written by the sender, read by the receiver */
} Parcel;

static Parcel *parcelSlot;
static bool parcelAnnotate = true;

static gpointer
testParcelSender(gpointer opaque G_GNUC_UNUSED)
{
    Parcel *p = g_new0(Parcel, 1);

    p->value = 42;
    if (parcelAnnotate)
        threadHandOff(p);
    __atomic_store_n(&parcelSlot, p, PARCEL_STORE);
    return NULL;
}

/* Receives one parcel; returns its value, or -1 when none came. */
static long
testParcelReceive(void)
{
    GThread *sender = g_thread_new("sender", testParcelSender, NULL);
    gint64 deadline = g_get_monotonic_time() + LONG_WAIT;
    Parcel *p = NULL;
    long value = -1;

    while (!(p = __atomic_exchange_n(&parcelSlot, NULL, PARCEL_LOAD)) &&
           g_get_monotonic_time() < deadline)
        g_usleep(1000);
    if (p) {
        if (parcelAnnotate)
            threadTakeOver(p);
        value = p->value;
        g_free(p);
    }
    /* Joined only now: pthread_join() would order everything for TSan. */
    g_thread_join(sender);
    return value;
}

static int
testHandOff(const void *data G_GNUC_UNUSED)
{
    long value = testParcelReceive();

    if (value != 42) {
        testFail("received %ld, expected 42", value);
        return -1;
    }
    return 0;
}

#ifdef TEST_TSAN
/*
 * The premise of util/thread: under TSan, a counter protected only by a
 * bare GMutex is reported as a data race.  If this ever stops being true
 * (GLib becoming visible to TSan), the annotations are redundant; if TSan
 * were not active at all, this would catch that too.
 */
static GMutex rawLock;
static long rawCounter;

static gpointer
testRawThread(gpointer opaque G_GNUC_UNUSED)
{
    int i;

    for (i = 0; i < 1000; i++) {
        g_mutex_lock(&rawLock);
        rawCounter++;
        g_mutex_unlock(&rawLock);
    }
    return NULL;
}

static int
testRawGMutexChild(void)
{
    GThread *t1 = g_thread_new("raw1", testRawThread, NULL);
    GThread *t2 = g_thread_new("raw2", testRawThread, NULL);

    g_thread_join(t1);
    g_thread_join(t2);
    return 0;
}

/* Runs this program with @mode; it must end with a TSan data race report. */
static int
testTsanChildReports(const char *mode)
{
    const char *argv[] = { "/proc/self/exe", mode, NULL };
    g_auto(GStrv) envp = g_get_environ();
    g_autofree char *err = NULL;
    g_autoptr(GError) gerr = NULL;
    int status = 0;

    envp = g_environ_setenv(envp, "TSAN_OPTIONS", "halt_on_error=1:exitcode=66", TRUE);
    if (!g_spawn_sync(NULL, (char **)argv, envp, G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, NULL, &err, &status, &gerr)) {
        testFail("cannot run the child: %s", gerr->message);
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 66 ||
        !strstr(err, "ThreadSanitizer: data race")) {
        testFail("'%s' was expected to produce a TSan report (exit 66); "
                 "status 0x%x, stderr:\n%s", mode, status, err);
        return -1;
    }
    return 0;
}

static int
testTsanSeesRawGMutex(const void *data G_GNUC_UNUSED)
{
    return testTsanChildReports("--raw-gmutex-race");
}

/*
 * Without threadHandOff/threadTakeOver the same hand-over is a race for
 * TSan: the annotations are what makes testHandOff clean.
 */
static int
testTsanHandOffNeeded(const void *data G_GNUC_UNUSED)
{
    return testTsanChildReports("--unannotated-hand-off");
}
#endif

static int
mainBody(void)
{
    int ret = 0;

    if (testRun("mutex: heap, mutual exclusion", testMutexHeap, NULL) < 0)
        ret = -1;
    if (testRun("mutex: static, mutual exclusion", testMutexStatic, NULL) < 0)
        ret = -1;
    if (testRun("mutex: try-lock", testTryLock, NULL) < 0)
        ret = -1;
    if (testRun("cond: deadline", testCondTimeout, NULL) < 0)
        ret = -1;
    if (testRun("cond: signal", testCondSignal, NULL) < 0)
        ret = -1;
    if (testRun("cond: broadcast", testCondBroadcast, NULL) < 0)
        ret = -1;
    if (testRun("rwlock: readers share, writer excluded", testRWShareAndExclude, NULL) < 0)
        ret = -1;
    if (testRun("rwlock: mixed readers and writers", testRWMixed, NULL) < 0)
        ret = -1;
    if (testRun("hand-off: threadHandOff/threadTakeOver", testHandOff, NULL) < 0)
        ret = -1;
#ifdef TEST_TSAN
    if (testRun("tsan: a bare GMutex is invisible to TSan", testTsanSeesRawGMutex, NULL) < 0)
        ret = -1;
    if (testRun("tsan: an unannotated hand-off is a race", testTsanHandOffNeeded, NULL) < 0)
        ret = -1;
#endif
    return ret;
}

int
main(int argc, char **argv)
{
#ifdef TEST_TSAN
    if (argc > 1 && streq(argv[1], "--raw-gmutex-race"))
        return testRawGMutexChild();
    if (argc > 1 && streq(argv[1], "--unannotated-hand-off")) {
        parcelAnnotate = false;
        return testParcelReceive() == 42 ? 0 : 1;
    }
#endif
    return testMain(argc, argv, mainBody);
}
