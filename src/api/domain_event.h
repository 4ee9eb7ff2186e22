/* Domain event objects, the per-driver callback registry, and dispatch on the event loop. */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

#include "api/datatypes.h"

/* One queued event; immutable once queued. */
typedef struct _DomainEvent DomainEvent;

/*
 * The callbacks registered with a driver, and the queue of events waiting
 * to be delivered.  Thread safe: any thread may queue; delivery happens on
 * the event-loop thread (a zero timeout armed by domainEventStateQueue), never
 * with a domain lock held.
 */
typedef struct _DomainEventState DomainEventState;

DomainEventState *domainEventStateNew(void);
void domainEventStateFree(DomainEventState *state);

/* Lifecycle event (VIR_DOMAIN_EVENT_ID_LIFECYCLE) for a domain. */
DomainEvent *domainEventLifecycleNew(const char *name,
                                     const unsigned char *uuid, int id,
                                     int type, int detail);
/* VIR_DOMAIN_EVENT_ID_REBOOT */
DomainEvent *domainEventRebootNew(const char *name, const unsigned char *uuid,
                                  int id);
/* VIR_DOMAIN_EVENT_ID_JOB_COMPLETED; takes ownership of @params. */
DomainEvent *domainEventJobCompletedNew(const char *name,
                                        const unsigned char *uuid, int id,
                                        virTypedParameterPtr params,
                                        int nparams);
/* VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION */
DomainEvent *domainEventMigrationIterationNew(const char *name,
                                              const unsigned char *uuid,
                                              int id, int iteration);
void domainEventFree(DomainEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainEvent, domainEventFree);

int domainEventGetID(const DomainEvent *event);
void domainEventGetLifecycle(const DomainEvent *event, int *type, int *detail);

/*
 * Queue @event (takes ownership) for delivery to every matching callback.
 * Safe from any thread, with or without a domain lock held.
 */
void domainEventStateQueue(DomainEventState *state, DomainEvent *event);

/*
 * Registration, called by drivers' connectDomainEvent* entries.  Errors
 * follow libvirt: a duplicate legacy callback or an unknown callbackID is
 * VIR_ERR_INVALID_ARG; an eventID out of range is VIR_ERR_INVALID_ARG; no
 * event loop registered is VIR_ERR_INTERNAL_ERROR.
 *
 * Returns: the callback ID (>= 0) or -1.
 */
int domainEventStateRegisterAny(DomainEventState *state, virConnectPtr conn,
                                virDomainPtr dom, int eventID,
                                virConnectDomainEventGenericCallback cb,
                                void *opaque, virFreeCallback freecb);
int domainEventStateDeregisterAny(DomainEventState *state,
                                  virConnectPtr conn, int callbackID);
int domainEventStateRegisterLegacy(DomainEventState *state, virConnectPtr conn,
                                   virConnectDomainEventCallback cb,
                                   void *opaque, virFreeCallback freecb);
int domainEventStateDeregisterLegacy(DomainEventState *state,
                                     virConnectPtr conn,
                                     virConnectDomainEventCallback cb);

/* Drop every callback of @conn (connection closing); freecbs run. */
void domainEventStateDeregisterConn(DomainEventState *state,
                                    virConnectPtr conn);

/* Number of callbacks registered for @eventID (for tests and the daemon). */
size_t domainEventStateCount(DomainEventState *state, int eventID);

/*
 * Deliver everything queued now, on the calling thread.  For tests and for
 * the daemon's own loop; normal delivery needs no call.
 */
void domainEventStateFlush(DomainEventState *state);
