/* A stream's event callback record, shared by the stream drivers (fdstream, remote). */
#include "api/stream_event.h"
#include "util/thread.h"

struct _StreamEventCb {
    gint refs;                 /* atomic */
    virStreamEventCallback cb; /* immutable */
    void *opaque;              /* immutable */
    virFreeCallback ff;        /* immutable */

    Mutex lock;
    Cond cond;
    virStreamPtr st;           /* protected by lock; NULL once detached */
    unsigned int running;      /* protected by lock: callbacks in progress */
    GThread *runner;           /* protected by lock: the thread running one */
};

/**
 * streamEventCbNew:
 * @st: the stream (not referenced: the stream detaches the record before it goes)
 * @cb: the application's callback
 * @opaque: its data
 * @ff: frees @opaque, or NULL
 *
 * Returns: a record with one reference.
 */
StreamEventCb *
streamEventCbNew(virStreamPtr st, virStreamEventCallback cb, void *opaque, virFreeCallback ff)
{
    StreamEventCb *ecb = g_new0(StreamEventCb, 1);

    ecb->refs = 1;
    ecb->cb = cb;
    ecb->opaque = opaque;
    ecb->ff = ff;
    ecb->st = st;
    mutexInit(&ecb->lock);
    condInit(&ecb->cond);
    return ecb;
}

/* Forgets the free function (a registration that failed: the caller keeps its data). */
void
streamEventCbForgetFree(StreamEventCb *ecb)
{
    ecb->ff = NULL;
}

StreamEventCb *
streamEventCbRef(StreamEventCb *ecb)
{
    g_atomic_int_inc(&ecb->refs);
    return ecb;
}

/**
 * streamEventCbUnref:
 * @ecb: a record, or NULL
 *
 * Drops a reference; the last one runs the application's free function.
 */
void
streamEventCbUnref(StreamEventCb *ecb)
{
    if (!ecb || !g_atomic_int_dec_and_test(&ecb->refs))
        return;
    if (ecb->ff)
        ecb->ff(ecb->opaque);
    mutexClear(&ecb->lock);
    condClear(&ecb->cond);
    g_free(ecb);
}

/**
 * streamEventCbFire:
 * @ecb: a record
 * @events: VIR_STREAM_EVENT_* that hold
 *
 * Calls the application's callback (without locks) unless the record is
 * detached.  Event-loop thread.
 */
void
streamEventCbFire(StreamEventCb *ecb, int events)
{
    virStreamPtr st;

    mutexLock(&ecb->lock);
    st = ecb->st;
    if (st) {
        ecb->running++;
        ecb->runner = g_thread_self();
    }
    mutexUnlock(&ecb->lock);
    if (!st || !events) {
        if (st) {
            mutexLock(&ecb->lock);
            ecb->running--;
            condBroadcast(&ecb->cond);
            mutexUnlock(&ecb->lock);
        }
        return;
    }

    ecb->cb(st, events, ecb->opaque);

    mutexLock(&ecb->lock);
    ecb->running--;
    if (!ecb->running)
        ecb->runner = NULL;
    condBroadcast(&ecb->cond);
    mutexUnlock(&ecb->lock);
}

/**
 * streamEventCbDetach:
 * @ecb: a record, or NULL
 *
 * The callback will not run again; waits until a run on another thread
 * ends (a callback may remove itself or free its stream).
 */
void
streamEventCbDetach(StreamEventCb *ecb)
{
    if (!ecb)
        return;
    mutexLock(&ecb->lock);
    ecb->st = NULL;
    while (ecb->running && ecb->runner != g_thread_self())
        condWaitUntil(&ecb->cond, &ecb->lock, g_get_monotonic_time() + G_USEC_PER_SEC);
    mutexUnlock(&ecb->lock);
}
