/* Mutex, condition and read-write lock wrappers that ThreadSanitizer can see. */
#include "util/thread.h"

/*
 * GCC defines __SANITIZE_THREAD__ under -fsanitize=thread; clang answers
 * __has_feature(thread_sanitizer) instead.
 */
#if defined(__SANITIZE_THREAD__)
# define THREAD_TSAN 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define THREAD_TSAN 1
# endif
#endif

#ifdef THREAD_TSAN
# include <sanitizer/tsan_interface.h>
# define THREAD_TSAN_CREATE(m) __tsan_mutex_create((m), __tsan_mutex_not_static)
# define THREAD_TSAN_DESTROY(m) __tsan_mutex_destroy((m), __tsan_mutex_not_static)
# define THREAD_TSAN_PRE_LOCK(m, f) __tsan_mutex_pre_lock((m), (f))
# define THREAD_TSAN_POST_LOCK(m, f) __tsan_mutex_post_lock((m), (f), 0)
# define THREAD_TSAN_PRE_UNLOCK(m) __tsan_mutex_pre_unlock((m), 0)
# define THREAD_TSAN_POST_UNLOCK(m) __tsan_mutex_post_unlock((m), 0)
# define THREAD_TSAN_TRY_LOCK __tsan_mutex_try_lock
# define THREAD_TSAN_TRY_LOCK_FAILED __tsan_mutex_try_lock_failed
#else
# define THREAD_TSAN_CREATE(m) do { } while (0)
# define THREAD_TSAN_DESTROY(m) do { } while (0)
# define THREAD_TSAN_PRE_LOCK(m, f) do { } while (0)
# define THREAD_TSAN_POST_LOCK(m, f) do { } while (0)
# define THREAD_TSAN_PRE_UNLOCK(m) do { } while (0)
# define THREAD_TSAN_POST_UNLOCK(m) do { } while (0)
# define THREAD_TSAN_TRY_LOCK 0
# define THREAD_TSAN_TRY_LOCK_FAILED 0
#endif

/**
 * mutexInit:
 * @mutex: an unused mutex inside an allocated object
 *
 * Prepares @mutex for use.  Not needed for a zero-filled static Mutex.
 * Every mutexInit is paired with a mutexClear.
 */
void
mutexInit(Mutex *mutex)
{
    g_mutex_init(&mutex->m);
    THREAD_TSAN_CREATE(mutex);
}

/**
 * mutexClear:
 * @mutex: a mutex set up by mutexInit, not locked
 *
 * Releases what @mutex holds; it must not be used afterwards unless
 * initialised again.
 */
void
mutexClear(Mutex *mutex)
{
    THREAD_TSAN_DESTROY(mutex);
    g_mutex_clear(&mutex->m);
}

/**
 * mutexLock:
 * @mutex: the mutex
 *
 * Locks @mutex, waiting as long as another thread holds it.  Not
 * recursive: locking a mutex the calling thread holds deadlocks.
 */
void
mutexLock(Mutex *mutex)
{
    THREAD_TSAN_PRE_LOCK(mutex, 0);
    g_mutex_lock(&mutex->m);
    THREAD_TSAN_POST_LOCK(mutex, 0);
}

/**
 * mutexTryLock:
 * @mutex: the mutex
 *
 * Locks @mutex if no thread holds it.
 *
 * Returns: true if the caller now holds @mutex, false if it was busy.
 */
bool
mutexTryLock(Mutex *mutex)
{
    bool locked;

    THREAD_TSAN_PRE_LOCK(mutex, THREAD_TSAN_TRY_LOCK);
    locked = g_mutex_trylock(&mutex->m);
    THREAD_TSAN_POST_LOCK(mutex, locked ? THREAD_TSAN_TRY_LOCK
                                        : THREAD_TSAN_TRY_LOCK | THREAD_TSAN_TRY_LOCK_FAILED);
    return locked;
}

/**
 * mutexUnlock:
 * @mutex: a mutex the calling thread holds
 */
void
mutexUnlock(Mutex *mutex)
{
    THREAD_TSAN_PRE_UNLOCK(mutex);
    g_mutex_unlock(&mutex->m);
    THREAD_TSAN_POST_UNLOCK(mutex);
}

/**
 * condInit:
 * @cond: an unused condition inside an allocated object
 *
 * Prepares @cond for use.  Not needed for a zero-filled static Cond.
 */
void
condInit(Cond *cond)
{
    g_cond_init(&cond->c);
}

/**
 * condClear:
 * @cond: a condition set up by condInit that no thread waits on
 */
void
condClear(Cond *cond)
{
    g_cond_clear(&cond->c);
}

/**
 * condWaitUntil:
 * @cond: the condition
 * @mutex: a mutex the calling thread holds
 * @endTime: deadline on the g_get_monotonic_time() clock
 *
 * Releases @mutex, waits until @cond is signalled or @endTime passes,
 * and takes @mutex again before returning, as g_cond_wait_until() does.
 * Wake-ups may be spurious: call it in a loop that re-checks the
 * predicate (STYLE.md 5.2: every wait has a deadline).
 *
 * Returns: false if @endTime passed, true otherwise (woken up, maybe
 * spuriously).  @mutex is held again in both cases.
 */
bool
condWaitUntil(Cond *cond, Mutex *mutex, gint64 endTime)
{
    bool woken;

    /*
     * g_cond_wait_until() unlocks and relocks the GMutex itself, out of
     * our sight: tell TSan the mutex is released before the wait and
     * acquired again after it, so that it sees the hand-over to the
     * signalling thread.
     */
    THREAD_TSAN_PRE_UNLOCK(mutex);
    THREAD_TSAN_POST_UNLOCK(mutex);
    woken = g_cond_wait_until(&cond->c, &mutex->m, endTime);
    THREAD_TSAN_PRE_LOCK(mutex, 0);
    THREAD_TSAN_POST_LOCK(mutex, 0);
    return woken;
}

/**
 * condSignal:
 * @cond: the condition
 *
 * Wakes one thread waiting on @cond, if any.  Change the predicate under
 * the waiters' mutex before signalling.
 */
void
condSignal(Cond *cond)
{
    g_cond_signal(&cond->c);
}

/**
 * condBroadcast:
 * @cond: the condition
 *
 * Wakes every thread waiting on @cond.
 */
void
condBroadcast(Cond *cond)
{
    g_cond_broadcast(&cond->c);
}

/**
 * rwLockInit:
 * @lock: an unused lock inside an allocated object
 *
 * Prepares @lock for use.  Not needed for a zero-filled static RWLock.
 */
void
rwLockInit(RWLock *lock)
{
    g_rw_lock_init(&lock->l);
}

/**
 * rwLockClear:
 * @lock: a lock set up by rwLockInit, not held
 */
void
rwLockClear(RWLock *lock)
{
    g_rw_lock_clear(&lock->l);
}

/**
 * rwLockReaderLock:
 * @lock: the lock
 *
 * Takes @lock shared: other readers may hold it at the same time, no
 * writer can.  Not recursive.
 */
void
rwLockReaderLock(RWLock *lock)
{
    g_rw_lock_reader_lock(&lock->l);
}

/**
 * rwLockReaderUnlock:
 * @lock: a lock the calling thread holds shared
 */
void
rwLockReaderUnlock(RWLock *lock)
{
    g_rw_lock_reader_unlock(&lock->l);
}

/**
 * rwLockWriterLock:
 * @lock: the lock
 *
 * Takes @lock exclusively, waiting for current readers and writers.
 */
void
rwLockWriterLock(RWLock *lock)
{
    g_rw_lock_writer_lock(&lock->l);
}

/**
 * rwLockWriterUnlock:
 * @lock: a lock the calling thread holds exclusively
 */
void
rwLockWriterUnlock(RWLock *lock)
{
    g_rw_lock_writer_unlock(&lock->l);
}

/**
 * threadHandOff:
 * @obj: what is about to be given to another thread (not NULL)
 *
 * Marks the hand-over of @obj for ThreadSanitizer: everything the calling
 * thread did before happens before what the thread that calls
 * threadTakeOver(@obj) does after.  A no-op outside TSan builds.  Needed
 * only where GLib carries @obj (thread pools, async queues, invoked
 * callbacks); our own Mutex and Cond already order their users.
 */
void
threadHandOff(const void *obj)
{
#ifdef THREAD_TSAN
    __tsan_release((void *)obj);
#else
    (void)obj;
#endif
}

/**
 * threadTakeOver:
 * @obj: what another thread handed over with threadHandOff()
 *
 * The receiving side of threadHandOff(); call it before touching @obj.
 */
void
threadTakeOver(const void *obj)
{
#ifdef THREAD_TSAN
    __tsan_acquire((void *)obj);
#else
    (void)obj;
#endif
}

#ifdef THREAD_TSAN
/* Exported by libtsan but not declared by GCC 12's tsan_interface.h. */
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);
#endif

/**
 * threadGlibInternalsBegin:
 *
 * Starts a stretch in which ThreadSanitizer ignores the memory accesses
 * of the calling thread (its locks and hand-overs still count).  Only
 * around calls into GLib whose own bookkeeping (GMainContext poll
 * records and source lists, GThreadPool queue nodes) is allocated on one
 * thread and freed on another under GLib's futex locks, which TSan cannot
 * see: e.g. g_source_destroy() of a source attached to a loop running in
 * another thread.  Never around accesses of our own data.  Nestable;
 * pair each call with threadGlibInternalsEnd().  Nothing outside TSan
 * builds.
 */
void
threadGlibInternalsBegin(void)
{
#ifdef THREAD_TSAN
    __tsan_ignore_thread_begin();
#endif
}

/**
 * threadGlibInternalsEnd:
 *
 * Ends the stretch started by threadGlibInternalsBegin().
 */
void
threadGlibInternalsEnd(void)
{
#ifdef THREAD_TSAN
    __tsan_ignore_thread_end();
#endif
}
