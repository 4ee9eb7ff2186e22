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

/*
 * The payload of the other event IDs, named after what their callbacks
 * take; which fields an ID uses (the rest stay 0 / NULL):
 *   RTC_CHANGE ll=utcoffset · WATCHDOG i1=action · IO_ERROR s1=srcPath
 *   s2=devAlias i1=action · IO_ERROR_REASON as IO_ERROR + s3=reason ·
 *   CONTROL_ERROR nothing · BLOCK_JOB, BLOCK_JOB_2 s1=disk i1=type
 *   i2=status · DISK_CHANGE s1=oldSrcPath s2=newSrcPath s3=devAlias
 *   i1=reason · TRAY_CHANGE s1=devAlias i1=reason · PMWAKEUP, PMSUSPEND,
 *   PMSUSPEND_DISK i1=reason · BALLOON_CHANGE ull1=actual ·
 *   DEVICE_REMOVED, DEVICE_ADDED, DEVICE_REMOVAL_FAILED s1=devAlias ·
 *   TUNABLE the params · AGENT_LIFECYCLE i1=state i2=reason ·
 *   METADATA_CHANGE i1=type s1=nsuri · BLOCK_THRESHOLD s1=dev s2=path
 *   ull1=threshold ull2=excess · MEMORY_FAILURE i1=recipient i2=action
 *   u1=flags · MEMORY_DEVICE_SIZE_CHANGE s1=alias ull1=size.
 */
typedef struct {
    int i1;
    int i2;
    unsigned int u1;
    long long ll;
    unsigned long long ull1;
    unsigned long long ull2;
    const char *s1;
    const char *s2;
    const char *s3;
} DomainEventFields;

/*
 * An event of one of the IDs above (not LIFECYCLE, REBOOT, JOB_COMPLETED,
 * MIGRATION_ITERATION or GRAPHICS); copies the strings of @fields and takes
 * ownership of @params (TUNABLE only, else NULL / 0).
 */
DomainEvent *domainEventFieldsNew(int eventID, const char *name,
                                  const unsigned char *uuid, int id,
                                  const DomainEventFields *fields,
                                  virTypedParameterPtr params, int nparams);
/* VIR_DOMAIN_EVENT_ID_GRAPHICS; copies everything. */
DomainEvent *domainEventGraphicsNew(const char *name, const unsigned char *uuid, int id,
                                    int phase, const virDomainEventGraphicsAddress *local,
                                    const virDomainEventGraphicsAddress *remote,
                                    const char *authScheme,
                                    const virDomainEventGraphicsSubject *subject);
/* True for the IDs domainEventFieldsNew takes. */
bool domainEventHasFields(int eventID);
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
