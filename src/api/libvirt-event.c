/* Public API: the event loop hooks and the built-in GLib event loop. */
#define ERR_DOMAIN VIR_FROM_EVENT
#include "api/entry.h"
#include "util/event_glib.h"

/**
 * virEventRegisterImpl:
 * @addHandle: hook adding a file handle watch
 * @updateHandle: hook changing a watch's conditions
 * @removeHandle: hook removing a watch
 * @addTimeout: hook adding a timer
 * @updateTimeout: hook changing a timer's period
 * @removeTimeout: hook removing a timer
 *
 * Installs the application's event loop; the library adds its handles
 * and timers (event delivery, connections) through these hooks.  Call it
 * before opening connections.
 */
void
virEventRegisterImpl(virEventAddHandleFunc addHandle,
                     virEventUpdateHandleFunc updateHandle,
                     virEventRemoveHandleFunc removeHandle,
                     virEventAddTimeoutFunc addTimeout,
                     virEventUpdateTimeoutFunc updateTimeout,
                     virEventRemoveTimeoutFunc removeTimeout)
{
    EventImpl impl = {
        .addHandle = addHandle,
        .updateHandle = updateHandle,
        .removeHandle = removeHandle,
        .addTimeout = addTimeout,
        .updateTimeout = updateTimeout,
        .removeTimeout = removeTimeout,
    };

    errorReset();
    eventRegisterImpl(&impl);
}

/**
 * virEventRegisterDefaultImpl:
 *
 * Installs the built-in event loop (on GLib's default main context); run
 * it with virEventRunDefaultImpl, typically in a dedicated thread.
 *
 * Returns: 0.
 */
int
virEventRegisterDefaultImpl(void)
{
    errorReset();
    eventGlibRegister();
    return 0;
}

/**
 * virEventRunDefaultImpl:
 *
 * Runs one iteration of the built-in event loop: waits until a handle or
 * timer is ready, then dispatches their callbacks on the calling thread.
 *
 * Returns: 0.
 */
int
virEventRunDefaultImpl(void)
{
    errorReset();
    return eventGlibRunOnce();
}

/**
 * virEventAddHandle:
 * @fd: file descriptor to watch
 * @events: VIR_EVENT_HANDLE_* conditions
 * @cb: called from the loop when a condition holds
 * @opaque: passed to @cb
 * @ff: frees @opaque after the watch is removed, or NULL
 *
 * Returns: a watch number (> 0), or -1 when no event loop is registered.
 */
int
virEventAddHandle(int fd, int events, virEventHandleCallback cb, void *opaque,
                  virFreeCallback ff)
{
    return eventAddHandle(fd, events, cb, opaque, ff);
}

/**
 * virEventUpdateHandle:
 * @watch: a watch number
 * @events: the new conditions; 0 stops watching
 */
void
virEventUpdateHandle(int watch, int events)
{
    eventUpdateHandle(watch, events);
}

/**
 * virEventRemoveHandle:
 * @watch: a watch number
 *
 * The watch's @ff runs later, from the loop.
 *
 * Returns: 0, or -1 when @watch is unknown.
 */
int
virEventRemoveHandle(int watch)
{
    return eventRemoveHandle(watch);
}

/**
 * virEventAddTimeout:
 * @timeout: period in ms; 0 fires on every loop iteration, -1 disabled
 * @cb: called from the loop
 * @opaque: passed to @cb
 * @ff: frees @opaque after the timer is removed, or NULL
 *
 * Returns: a timer number (> 0), or -1 when no event loop is registered.
 */
int
virEventAddTimeout(int timeout, virEventTimeoutCallback cb, void *opaque,
                   virFreeCallback ff)
{
    return eventAddTimeout(timeout, cb, opaque, ff);
}

/**
 * virEventUpdateTimeout:
 * @timer: a timer number
 * @timeout: the new period (see virEventAddTimeout)
 */
void
virEventUpdateTimeout(int timer, int timeout)
{
    eventUpdateTimeout(timer, timeout);
}

/**
 * virEventRemoveTimeout:
 * @timer: a timer number
 *
 * The timer's @ff runs later, from the loop.
 *
 * Returns: 0, or -1 when @timer is unknown.
 */
int
virEventRemoveTimeout(int timer)
{
    return eventRemoveTimeout(timer);
}
