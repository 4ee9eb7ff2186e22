/* Mutex, condition and read-write lock wrappers that ThreadSanitizer can see. */
#pragma once

#include <glib.h>
#include <stdbool.h>

/*
 * Why not GMutex/GCond directly: GLib 2.74 implements both with raw
 * futexes on Linux, which ThreadSanitizer does not intercept, so every
 * access they protect is reported as a race.  These wrappers keep GLib's
 * implementation and, in -fsanitize=thread builds only, describe each
 * lock and unlock to TSan with its mutex annotations.  In other builds
 * they are plain calls to GLib.
 *
 * Like their GLib counterparts, a zero-filled Mutex, Cond or RWLock with
 * static storage duration needs no Init; one embedded in an allocated
 * object is set up with xxxInit and torn down with xxxClear.
 *
 * The members are private: use only the functions below.  In particular
 * never pass &mutex->m to g_cond_wait*(): use condWaitUntil, or TSan
 * loses track of who holds the mutex.
 */

/* A non-recursive mutex. */
typedef struct _Mutex Mutex;
struct _Mutex {
    GMutex m;
};

void mutexInit(Mutex *mutex);
void mutexClear(Mutex *mutex);
void mutexLock(Mutex *mutex);
bool mutexTryLock(Mutex *mutex);
void mutexUnlock(Mutex *mutex);

/* A condition variable, always used with one Mutex. */
typedef struct _Cond Cond;
struct _Cond {
    GCond c;
};

void condInit(Cond *cond);
void condClear(Cond *cond);
bool condWaitUntil(Cond *cond, Mutex *mutex, gint64 endTime);
void condSignal(Cond *cond);
void condBroadcast(Cond *cond);

/*
 * A read-write lock.  GLib 2.74 builds GRWLock on pthread_rwlock_t, which
 * TSan intercepts, so it needs no annotation; the wrapper exists so that
 * every lock in the tree is used the same way.
 */
typedef struct _RWLock RWLock;
struct _RWLock {
    GRWLock l;
};

void rwLockInit(RWLock *lock);
void rwLockClear(RWLock *lock);
void rwLockReaderLock(RWLock *lock);
void rwLockReaderUnlock(RWLock *lock);
void rwLockWriterLock(RWLock *lock);
void rwLockWriterUnlock(RWLock *lock);

/*
 * Hand-over through GLib.  GThreadPool, GAsyncQueue and
 * g_main_context_invoke() pass data between threads under GLib's own
 * futex locks, so TSan does not see that what the sender wrote before
 * the hand-over happens before what the receiver does with it.  Call
 * threadHandOff(obj) just before giving @obj away (g_thread_pool_push,
 * g_async_queue_push...) and threadTakeOver(obj) first thing where it is
 * received.  Both compile to nothing outside TSan builds.
 */
void threadHandOff(const void *obj);
void threadTakeOver(const void *obj);

/*
 * Calls into GLib that free, on this thread, memory GLib allocated on
 * another one under its invisible locks (destroying a source of a loop
 * running elsewhere, pushing to a GThreadPool) are bracketed with
 * threadGlibInternalsBegin() / threadGlibInternalsEnd(): TSan ignores
 * the memory accesses in between (not the synchronisation).  Keep the
 * bracket around the GLib call alone.  No-ops outside TSan builds.
 */
void threadGlibInternalsBegin(void);
void threadGlibInternalsEnd(void);
