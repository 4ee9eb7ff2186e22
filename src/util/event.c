/* The process-wide event loop hooks (virEventRegisterImpl) and calls through them. */
#include "util/event.h"
#include "util/log.h"
#include "util/thread.h"

LOG_INIT("util.event");

/*
 * The registered implementation: one of the few mutable globals
 * (STYLE.md 5.6).  Replaced as a whole under eventImplLock; callers copy
 * the hook they need and call it without the lock, so an implementation
 * may call back into these functions.
 */
static Mutex eventImplLock;
static EventImpl eventImpl;   /* protected by eventImplLock */

/**
 * eventRegisterImpl:
 * @impl: the hooks (copied); any may be NULL
 *
 * Installs @impl as the event loop used for handles and timers by the
 * whole process, replacing the previous one.  Handles and timers added
 * through the previous implementation stay there.
 */
void
eventRegisterImpl(const EventImpl *impl)
{
    mutexLock(&eventImplLock);
    eventImpl = *impl;
    mutexUnlock(&eventImplLock);
    LOG_DEBUG("event loop implementation registered (addHandle=%p addTimeout=%p)",
              (void *)impl->addHandle, (void *)impl->addTimeout);
}

static EventImpl
eventGetImpl(void)
{
    EventImpl impl;

    mutexLock(&eventImplLock);
    impl = eventImpl;
    mutexUnlock(&eventImplLock);
    return impl;
}

/**
 * eventHaveImpl:
 *
 * Returns: true when an implementation with handle and timer hooks is
 * registered.
 */
bool
eventHaveImpl(void)
{
    EventImpl impl = eventGetImpl();

    return impl.addHandle && impl.addTimeout;
}

/**
 * eventAddHandle:
 * @fd: file descriptor to watch
 * @events: VIR_EVENT_HANDLE_* conditions
 * @cb: called from the loop when a condition holds
 * @opaque: passed to @cb
 * @ff: frees @opaque once the watch is removed, or NULL
 *
 * Returns: the watch number (> 0), or -1 when no loop is registered or
 * the loop refused (no error reported, as libvirt).
 */
int
eventAddHandle(int fd, int events, virEventHandleCallback cb, void *opaque,
               virFreeCallback ff)
{
    EventImpl impl = eventGetImpl();

    if (!impl.addHandle)
        return -1;
    return impl.addHandle(fd, events, cb, opaque, ff);
}

/**
 * eventUpdateHandle:
 * @watch: a watch number
 * @events: the new conditions (0 stops watching without removing)
 */
void
eventUpdateHandle(int watch, int events)
{
    EventImpl impl = eventGetImpl();

    if (impl.updateHandle)
        impl.updateHandle(watch, events);
}

/**
 * eventRemoveHandle:
 * @watch: a watch number
 *
 * Returns: 0, or -1 when @watch is unknown or no loop is registered.
 */
int
eventRemoveHandle(int watch)
{
    EventImpl impl = eventGetImpl();

    if (!impl.removeHandle)
        return -1;
    return impl.removeHandle(watch);
}

/**
 * eventAddTimeout:
 * @timeout: period in ms; 0 fires on every loop iteration, -1 disabled
 * @cb: called from the loop
 * @opaque: passed to @cb
 * @ff: frees @opaque once the timer is removed, or NULL
 *
 * Returns: the timer number (> 0), or -1 when no loop is registered.
 */
int
eventAddTimeout(int timeout, virEventTimeoutCallback cb, void *opaque,
                virFreeCallback ff)
{
    EventImpl impl = eventGetImpl();

    if (!impl.addTimeout)
        return -1;
    return impl.addTimeout(timeout, cb, opaque, ff);
}

/**
 * eventUpdateTimeout:
 * @timer: a timer number
 * @timeout: the new period (see eventAddTimeout)
 */
void
eventUpdateTimeout(int timer, int timeout)
{
    EventImpl impl = eventGetImpl();

    if (impl.updateTimeout)
        impl.updateTimeout(timer, timeout);
}

/**
 * eventRemoveTimeout:
 * @timer: a timer number
 *
 * Returns: 0, or -1 when @timer is unknown or no loop is registered.
 */
int
eventRemoveTimeout(int timer)
{
    EventImpl impl = eventGetImpl();

    if (!impl.removeTimeout)
        return -1;
    return impl.removeTimeout(timer);
}
