/* libvirt-event.h: the event loop used for callbacks and its hooks. */

/*
 * Part of virtkit's libvirt-compatible public API (libvirt 9.0.0 level).
 * Names, values and prototypes follow libvirt; see include/libvirt/README.md.
 * Included through <libvirt/libvirt.h> only.
 */

#ifndef LIBVIRT_EVENT_H
#define LIBVIRT_EVENT_H

#ifndef __VIR_LIBVIRT_H_INCLUDES__
# error "include <libvirt/libvirt.h> instead of this file"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* BEGIN GENERATED enums: scripts/gen-public-enums.py */
/* Conditions watched on (and reported for) a file handle */
typedef enum {
    VIR_EVENT_HANDLE_READABLE = 1 << 0,
    VIR_EVENT_HANDLE_WRITABLE = 1 << 1,
    VIR_EVENT_HANDLE_ERROR    = 1 << 2,
    VIR_EVENT_HANDLE_HANGUP   = 1 << 3,
} virEventHandleType;
/* END GENERATED enums */

/* BEGIN GENERATED callbacks: scripts/gen-public-enums.py */
/* A watched file handle is ready */
typedef void (*virEventHandleCallback)(int watch,
                                       int fd,
                                       int events,
                                       void *opaque);

/* Event loop hook: watch a handle */
typedef int (*virEventAddHandleFunc)(int fd,
                                     int event,
                                     virEventHandleCallback cb,
                                     void *opaque,
                                     virFreeCallback ff);

/* Event loop hook: drop a watch */
typedef int (*virEventRemoveHandleFunc)(int watch);

/* Event loop hook: drop a timer */
typedef int (*virEventRemoveTimeoutFunc)(int timer);

/* A timer fired */
typedef void (*virEventTimeoutCallback)(int timer,
                                        void *opaque);

/* Event loop hook: add a timer */
typedef int (*virEventAddTimeoutFunc)(int timeout,
                                      virEventTimeoutCallback cb,
                                      void *opaque,
                                      virFreeCallback ff);

/* Event loop hook: change a watch */
typedef void (*virEventUpdateHandleFunc)(int watch,
                                         int event);

/* Event loop hook: change a timer */
typedef void (*virEventUpdateTimeoutFunc)(int timer,
                                          int timeout);
/* END GENERATED callbacks */

/* Installing an event loop: the application's own, or the built-in one */
void virEventRegisterImpl(virEventAddHandleFunc addHandle,
                          virEventUpdateHandleFunc updateHandle,
                          virEventRemoveHandleFunc removeHandle,
                          virEventAddTimeoutFunc addTimeout,
                          virEventUpdateTimeoutFunc updateTimeout,
                          virEventRemoveTimeoutFunc removeTimeout);
int virEventRegisterDefaultImpl(void);
int virEventRunDefaultImpl(void);

/* File handle watches on the installed loop */
int virEventAddHandle(int fd,
                      int events,
                      virEventHandleCallback cb,
                      void *opaque,
                      virFreeCallback ff);
void virEventUpdateHandle(int watch,
                          int events);
int virEventRemoveHandle(int watch);

/* Timers on the installed loop (timeout in ms; -1 disables, 0 fires
 * on every iteration) */
int virEventAddTimeout(int timeout,
                       virEventTimeoutCallback cb,
                       void *opaque,
                       virFreeCallback ff);
void virEventUpdateTimeout(int timer,
                           int timeout);
int virEventRemoveTimeout(int timer);

#ifdef __cplusplus
}
#endif

#endif /* LIBVIRT_EVENT_H */
