/* The process-wide event loop hooks (virEventRegisterImpl) and calls through them. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libvirt/libvirt.h>

/* The six hooks an event loop implementation provides. */
typedef struct {
    virEventAddHandleFunc addHandle;
    virEventUpdateHandleFunc updateHandle;
    virEventRemoveHandleFunc removeHandle;
    virEventAddTimeoutFunc addTimeout;
    virEventUpdateTimeoutFunc updateTimeout;
    virEventRemoveTimeoutFunc removeTimeout;
} EventImpl;

void eventRegisterImpl(const EventImpl *impl);
bool eventHaveImpl(void);

int eventAddHandle(int fd, int events, virEventHandleCallback cb,
                   void *opaque, virFreeCallback ff);
void eventUpdateHandle(int watch, int events);
int eventRemoveHandle(int watch);

int eventAddTimeout(int timeout, virEventTimeoutCallback cb, void *opaque,
                    virFreeCallback ff);
void eventUpdateTimeout(int timer, int timeout);
int eventRemoveTimeout(int timer);
