/* Domain event objects, the per-driver callback registry, and dispatch on the event loop. */
#include <stdint.h>
#include <string.h>

/* libvirt reports registration errors without an error domain. */
#define ERR_DOMAIN VIR_FROM_NONE
#include "api/domain_event.h"
#include "util/error.h"
#include "util/event.h"
#include "util/log.h"
#include "util/thread.h"

LOG_INIT("api.domain_event");

/*
 * Design (docs/internals/events.md):
 * - a driver owns one DomainEventState; callbacks of all its connections
 *   live in one list, in registration order, numbered from 0;
 * - the first registration adds a disabled timer to the application's
 *   event loop (so registration fails without a loop, as libvirt);
 *   queueing an event arms it with period 0, so delivery happens on the
 *   next loop iteration, on the loop's thread, never on the thread (and
 *   under the locks) of the driver that queued it;
 * - callbacks run without the state lock held, so they may call any API,
 *   including (de)registration; removals during a dispatch are deferred
 *   (the callback is marked deleted and never called again) and purged
 *   when the dispatch ends;
 * - each callback holds a reference on its connection until it is
 *   removed; its freecb runs on removal, on the removing thread, or at
 *   the end of the dispatch when removed from inside one (as libvirt);
 * - events queued while nobody listens are dropped; the timer goes when
 *   the last callback does.
 */

struct _DomainEvent {
    int eventID;                            /* virDomainEventID */
    char *name;
    unsigned char uuid[VIR_UUID_BUFLEN];
    int id;
    union {
        struct {
            int type;
            int detail;
        } lifecycle;
        struct {
            virTypedParameterPtr params;
            int nparams;
        } jobCompleted;
        struct {
            int iteration;
        } migrationIteration;
        struct {
            int phase;
            virDomainEventGraphicsAddress local;    /* strings owned */
            virDomainEventGraphicsAddress remote;
            char *authScheme;
            virDomainEventGraphicsSubject subject;  /* identities owned */
        } graphics;
        struct {
            DomainEventFields f;        /* strings point into s[] */
            char *s[3];
            virTypedParameterPtr params; /* TUNABLE */
            int nparams;
        } fields;
    } data;
};

typedef struct {
    int callbackID;                         /* immutable */
    int eventID;                            /* immutable */
    virConnectPtr conn;                     /* immutable; referenced */
    bool haveDom;                           /* immutable */
    unsigned char uuid[VIR_UUID_BUFLEN];    /* immutable; filter if haveDom */
    bool legacy;                            /* immutable: virConnectDomainEventRegister */
    virConnectDomainEventGenericCallback cb; /* immutable */
    void *opaque;                           /* immutable */
    virFreeCallback freecb;                 /* immutable */
    bool deleted;                           /* protected by state->lock */
} DomainEventCallback;

struct _DomainEventState {
    gint refs;              /* atomic: the owner's, plus one held by the timer */
    Mutex lock;
    GPtrArray *callbacks;   /* DomainEventCallback *; protected by lock */
    GQueue queue;           /* DomainEvent *; protected by lock */
    int timer;              /* loop timer, -1 when none; protected by lock */
    int nextID;             /* protected by lock */
    int dispatching;        /* callbacks running; protected by lock */
};

/* --- events ------------------------------------------------------------- */

static DomainEvent *
domainEventNew(int eventID, const char *name, const unsigned char *uuid,
               int id)
{
    DomainEvent *event = g_new0(DomainEvent, 1);

    event->eventID = eventID;
    event->name = g_strdup(name);
    memcpy(event->uuid, uuid, VIR_UUID_BUFLEN);
    event->id = id;
    return event;
}

/**
 * domainEventLifecycleNew:
 * @name: domain name
 * @uuid: domain UUID (VIR_UUID_BUFLEN bytes)
 * @id: domain id, -1 when not running
 * @type: virDomainEventType
 * @detail: the type's detail enum value
 *
 * Returns: a new VIR_DOMAIN_EVENT_ID_LIFECYCLE event (caller owns).
 */
DomainEvent *
domainEventLifecycleNew(const char *name, const unsigned char *uuid, int id,
                        int type, int detail)
{
    DomainEvent *event = domainEventNew(VIR_DOMAIN_EVENT_ID_LIFECYCLE, name,
                                        uuid, id);

    event->data.lifecycle.type = type;
    event->data.lifecycle.detail = detail;
    return event;
}

/**
 * domainEventRebootNew:
 * @name: domain name
 * @uuid: domain UUID
 * @id: domain id
 *
 * Returns: a new VIR_DOMAIN_EVENT_ID_REBOOT event (caller owns).
 */
DomainEvent *
domainEventRebootNew(const char *name, const unsigned char *uuid, int id)
{
    return domainEventNew(VIR_DOMAIN_EVENT_ID_REBOOT, name, uuid, id);
}

/**
 * domainEventJobCompletedNew:
 * @name: domain name
 * @uuid: domain UUID
 * @id: domain id
 * @params: the job's final statistics; the event takes ownership
 * @nparams: number of entries in @params
 *
 * Returns: a new VIR_DOMAIN_EVENT_ID_JOB_COMPLETED event (caller owns).
 */
DomainEvent *
domainEventJobCompletedNew(const char *name, const unsigned char *uuid, int id,
                           virTypedParameterPtr params, int nparams)
{
    DomainEvent *event = domainEventNew(VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                        name, uuid, id);

    event->data.jobCompleted.params = params;
    event->data.jobCompleted.nparams = nparams;
    return event;
}

/**
 * domainEventMigrationIterationNew:
 * @name: domain name
 * @uuid: domain UUID
 * @id: domain id
 * @iteration: number of the memory pass, from 1
 *
 * Returns: a new VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION event (caller owns).
 */
DomainEvent *
domainEventMigrationIterationNew(const char *name, const unsigned char *uuid,
                                 int id, int iteration)
{
    DomainEvent *event = domainEventNew(VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
                                        name, uuid, id);

    event->data.migrationIteration.iteration = iteration;
    return event;
}

/**
 * domainEventHasFields:
 * @eventID: a virDomainEventID
 *
 * Returns: true when @eventID's payload is a DomainEventFields.
 */
bool
domainEventHasFields(int eventID)
{
    switch (eventID) {
    case VIR_DOMAIN_EVENT_ID_RTC_CHANGE:
    case VIR_DOMAIN_EVENT_ID_WATCHDOG:
    case VIR_DOMAIN_EVENT_ID_IO_ERROR:
    case VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON:
    case VIR_DOMAIN_EVENT_ID_CONTROL_ERROR:
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB:
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2:
    case VIR_DOMAIN_EVENT_ID_DISK_CHANGE:
    case VIR_DOMAIN_EVENT_ID_TRAY_CHANGE:
    case VIR_DOMAIN_EVENT_ID_PMWAKEUP:
    case VIR_DOMAIN_EVENT_ID_PMSUSPEND:
    case VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK:
    case VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE:
    case VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED:
    case VIR_DOMAIN_EVENT_ID_DEVICE_ADDED:
    case VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED:
    case VIR_DOMAIN_EVENT_ID_TUNABLE:
    case VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE:
    case VIR_DOMAIN_EVENT_ID_METADATA_CHANGE:
    case VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD:
    case VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE:
    case VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE:
        return true;
    default:
        return false;
    }
}

/**
 * domainEventFieldsNew:
 * @eventID: an ID for which domainEventHasFields() is true
 * @name: domain name
 * @uuid: domain UUID
 * @id: domain id
 * @fields: the payload (strings copied; see domain_event.h for the mapping)
 * @params: TUNABLE's parameters (ownership taken), else NULL
 * @nparams: number of entries in @params
 *
 * Returns: a new event (caller owns).
 */
DomainEvent *
domainEventFieldsNew(int eventID, const char *name, const unsigned char *uuid,
                     int id, const DomainEventFields *fields,
                     virTypedParameterPtr params, int nparams)
{
    DomainEvent *event = domainEventNew(eventID, name, uuid, id);

    event->data.fields.f = *fields;
    event->data.fields.s[0] = g_strdup(fields->s1);
    event->data.fields.s[1] = g_strdup(fields->s2);
    event->data.fields.s[2] = g_strdup(fields->s3);
    event->data.fields.f.s1 = event->data.fields.s[0];
    event->data.fields.f.s2 = event->data.fields.s[1];
    event->data.fields.f.s3 = event->data.fields.s[2];
    event->data.fields.params = params;
    event->data.fields.nparams = nparams;
    return event;
}

static void
domainEventGraphicsAddressCopy(virDomainEventGraphicsAddress *dst,
                               const virDomainEventGraphicsAddress *src)
{
    dst->family = src ? src->family : 0;
    dst->node = g_strdup(src && src->node ? src->node : "");
    dst->service = g_strdup(src && src->service ? src->service : "");
}

/**
 * domainEventGraphicsNew:
 * @name: domain name
 * @uuid: domain UUID
 * @id: domain id
 * @phase: virDomainEventGraphicsPhase
 * @local: the server end of the graphics connection
 * @remote: the client end
 * @authScheme: how the client authenticated ("none", "vnc", "sasl", ...)
 * @subject: the client's identities (may be NULL: none)
 *
 * Returns: a new VIR_DOMAIN_EVENT_ID_GRAPHICS event holding copies (caller owns).
 */
DomainEvent *
domainEventGraphicsNew(const char *name, const unsigned char *uuid, int id, int phase,
                       const virDomainEventGraphicsAddress *local,
                       const virDomainEventGraphicsAddress *remote, const char *authScheme,
                       const virDomainEventGraphicsSubject *subject)
{
    DomainEvent *event = domainEventNew(VIR_DOMAIN_EVENT_ID_GRAPHICS, name, uuid, id);
    int n = subject ? subject->nidentity : 0;
    int i;

    event->data.graphics.phase = phase;
    domainEventGraphicsAddressCopy(&event->data.graphics.local, local);
    domainEventGraphicsAddressCopy(&event->data.graphics.remote, remote);
    event->data.graphics.authScheme = g_strdup(authScheme ? authScheme : "");
    event->data.graphics.subject.nidentity = n;
    event->data.graphics.subject.identities = g_new0(virDomainEventGraphicsSubjectIdentity,
                                                     MAX(n, 1));
    for (i = 0; i < n; i++) {
        event->data.graphics.subject.identities[i].type =
            g_strdup(subject->identities[i].type);
        event->data.graphics.subject.identities[i].name =
            g_strdup(subject->identities[i].name);
    }
    return event;
}

/**
 * domainEventFree:
 * @event: an event, or NULL
 *
 * Frees @event and what it owns.
 */
void
domainEventFree(DomainEvent *event)
{
    if (!event)
        return;
    if (event->eventID == VIR_DOMAIN_EVENT_ID_JOB_COMPLETED)
        virTypedParamsFree(event->data.jobCompleted.params,
                           event->data.jobCompleted.nparams);
    if (event->eventID == VIR_DOMAIN_EVENT_ID_GRAPHICS) {
        int i;

        g_free(event->data.graphics.local.node);
        g_free(event->data.graphics.local.service);
        g_free(event->data.graphics.remote.node);
        g_free(event->data.graphics.remote.service);
        g_free(event->data.graphics.authScheme);
        for (i = 0; i < event->data.graphics.subject.nidentity; i++) {
            g_free(event->data.graphics.subject.identities[i].type);
            g_free(event->data.graphics.subject.identities[i].name);
        }
        g_free(event->data.graphics.subject.identities);
    }
    if (domainEventHasFields(event->eventID)) {
        g_free(event->data.fields.s[0]);
        g_free(event->data.fields.s[1]);
        g_free(event->data.fields.s[2]);
        if (event->data.fields.params)
            virTypedParamsFree(event->data.fields.params, event->data.fields.nparams);
    }
    g_free(event->name);
    g_free(event);
}

/**
 * domainEventGetID:
 * @event: an event
 *
 * Returns: the virDomainEventID of @event.
 */
int
domainEventGetID(const DomainEvent *event)
{
    return event->eventID;
}

/**
 * domainEventGetLifecycle:
 * @event: a VIR_DOMAIN_EVENT_ID_LIFECYCLE event
 * @type: where to store the virDomainEventType
 * @detail: where to store the detail
 */
void
domainEventGetLifecycle(const DomainEvent *event, int *type, int *detail)
{
    *type = event->data.lifecycle.type;
    *detail = event->data.lifecycle.detail;
}

/* --- state ------------------------------------------------------------------ */

static DomainEventState *
domainEventStateRef(DomainEventState *state)
{
    g_atomic_int_inc(&state->refs);
    return state;
}

static void
domainEventStateUnref(DomainEventState *state)
{
    if (!state || !g_atomic_int_dec_and_test(&state->refs))
        return;
    g_queue_clear_full(&state->queue, (GDestroyNotify)domainEventFree);
    g_ptr_array_unref(state->callbacks);
    mutexClear(&state->lock);
    g_free(state);
}

/* The timer's free callback: drops the timer's reference. */
static void
domainEventStateTimerFree(void *opaque)
{
    domainEventStateUnref(opaque);
}

/**
 * domainEventStateNew:
 *
 * Returns: an empty event state for a driver (caller owns; free with
 * domainEventStateFree).
 */
DomainEventState *
domainEventStateNew(void)
{
    DomainEventState *state = g_new0(DomainEventState, 1);

    state->refs = 1;
    mutexInit(&state->lock);
    state->callbacks = g_ptr_array_new();
    g_queue_init(&state->queue);
    state->timer = -1;
    return state;
}

static void
domainEventCallbackFree(DomainEventCallback *cb)
{
    if (cb->freecb)
        cb->freecb(cb->opaque);
    connectUnref(cb->conn);
    g_free(cb);
}

/*
 * Removes the callbacks marked deleted (unless a dispatch is running) and,
 * once nobody listens, the timer and the queue.  The removed callbacks
 * are moved to @dead: run domainEventCallbackFree on them after unlocking.
 * Called with state->lock held.
 */
static void
domainEventStatePurgeLocked(DomainEventState *state, GPtrArray *dead)
{
    guint i = 0;

    if (state->dispatching > 0)
        return;
    while (i < state->callbacks->len) {
        DomainEventCallback *cb = g_ptr_array_index(state->callbacks, i);

        if (cb->deleted) {
            g_ptr_array_remove_index(state->callbacks, i);
            g_ptr_array_add(dead, cb);
        } else {
            i++;
        }
    }
    if (state->callbacks->len == 0 && state->timer >= 0) {
        eventRemoveTimeout(state->timer);
        state->timer = -1;
        g_queue_clear_full(&state->queue, (GDestroyNotify)domainEventFree);
    }
}

static void
domainEventCallbacksFree(GPtrArray *dead)
{
    guint i;

    for (i = 0; i < dead->len; i++)
        domainEventCallbackFree(g_ptr_array_index(dead, i));
    g_ptr_array_unref(dead);
}

/**
 * domainEventStateFree:
 * @state: an event state, or NULL
 *
 * Drops every callback (running their freecbs), the queued events and the
 * loop timer, then releases @state.  For driver shutdown.
 */
void
domainEventStateFree(DomainEventState *state)
{
    GPtrArray *dead = NULL;
    guint i;

    if (!state)
        return;
    dead = g_ptr_array_new();
    mutexLock(&state->lock);
    for (i = 0; i < state->callbacks->len; i++)
        ((DomainEventCallback *)g_ptr_array_index(state->callbacks, i))->deleted = true;
    domainEventStatePurgeLocked(state, dead);
    mutexUnlock(&state->lock);
    domainEventCallbacksFree(dead);
    domainEventStateUnref(state);
}

/* --- dispatch ----------------------------------------------------------- */

static bool
domainEventCallbackMatches(const DomainEventCallback *cb,
                           const DomainEvent *event)
{
    if (cb->deleted || cb->eventID != event->eventID)
        return false;
    return !cb->haveDom || memcmp(cb->uuid, event->uuid, VIR_UUID_BUFLEN) == 0;
}

/* Callbacks of every signature are stored as the generic one. */
typedef void (*DomainEventAnyFunc)(void);

/* Casts through void (*)(void), the type GCC accepts any function type from. */
#define DOMAIN_EVENT_GENERIC(cb) \
    ((virConnectDomainEventGenericCallback)(DomainEventAnyFunc)(cb))

/* The callback signatures of the DomainEventFields IDs (libvirt-domain.h). */
static void
domainEventInvokeFields(const DomainEventCallback *cb, virDomainPtr dom,
                        const DomainEvent *event)
{
    const DomainEventFields *f = &event->data.fields.f;
    DomainEventAnyFunc fn = (DomainEventAnyFunc)cb->cb;
    virConnectPtr conn = cb->conn;
    void *op = cb->opaque;

    switch (event->eventID) {
    case VIR_DOMAIN_EVENT_ID_RTC_CHANGE:
        ((virConnectDomainEventRTCChangeCallback)fn)(conn, dom, f->ll, op);
        break;
    case VIR_DOMAIN_EVENT_ID_WATCHDOG:
        ((virConnectDomainEventWatchdogCallback)fn)(conn, dom, f->i1, op);
        break;
    case VIR_DOMAIN_EVENT_ID_IO_ERROR:
        ((virConnectDomainEventIOErrorCallback)fn)(conn, dom, f->s1, f->s2, f->i1, op);
        break;
    case VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON:
        ((virConnectDomainEventIOErrorReasonCallback)fn)(conn, dom, f->s1, f->s2, f->i1,
                                                         f->s3, op);
        break;
    case VIR_DOMAIN_EVENT_ID_CONTROL_ERROR:
        cb->cb(conn, dom, op);
        break;
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB:
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2:
        ((virConnectDomainEventBlockJobCallback)fn)(conn, dom, f->s1, f->i1, f->i2, op);
        break;
    case VIR_DOMAIN_EVENT_ID_DISK_CHANGE:
        ((virConnectDomainEventDiskChangeCallback)fn)(conn, dom, f->s1, f->s2, f->s3,
                                                      f->i1, op);
        break;
    case VIR_DOMAIN_EVENT_ID_TRAY_CHANGE:
        ((virConnectDomainEventTrayChangeCallback)fn)(conn, dom, f->s1, f->i1, op);
        break;
    case VIR_DOMAIN_EVENT_ID_PMWAKEUP:
        ((virConnectDomainEventPMWakeupCallback)fn)(conn, dom, f->i1, op);
        break;
    case VIR_DOMAIN_EVENT_ID_PMSUSPEND:
        ((virConnectDomainEventPMSuspendCallback)fn)(conn, dom, f->i1, op);
        break;
    case VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK:
        ((virConnectDomainEventPMSuspendDiskCallback)fn)(conn, dom, f->i1, op);
        break;
    case VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE:
        ((virConnectDomainEventBalloonChangeCallback)fn)(conn, dom, f->ull1, op);
        break;
    case VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED:
        ((virConnectDomainEventDeviceRemovedCallback)fn)(conn, dom, f->s1, op);
        break;
    case VIR_DOMAIN_EVENT_ID_DEVICE_ADDED:
        ((virConnectDomainEventDeviceAddedCallback)fn)(conn, dom, f->s1, op);
        break;
    case VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED:
        ((virConnectDomainEventDeviceRemovalFailedCallback)fn)(conn, dom, f->s1, op);
        break;
    case VIR_DOMAIN_EVENT_ID_TUNABLE:
        ((virConnectDomainEventTunableCallback)fn)(conn, dom, event->data.fields.params,
                                                   event->data.fields.nparams, op);
        break;
    case VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE:
        ((virConnectDomainEventAgentLifecycleCallback)fn)(conn, dom, f->i1, f->i2, op);
        break;
    case VIR_DOMAIN_EVENT_ID_METADATA_CHANGE:
        ((virConnectDomainEventMetadataChangeCallback)fn)(conn, dom, f->i1, f->s1, op);
        break;
    case VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD:
        ((virConnectDomainEventBlockThresholdCallback)fn)(conn, dom, f->s1, f->s2, f->ull1,
                                                          f->ull2, op);
        break;
    case VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE:
        ((virConnectDomainEventMemoryFailureCallback)fn)(conn, dom, f->i1, f->i2, f->u1, op);
        break;
    case VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE:
        ((virConnectDomainEventMemoryDeviceSizeChangeCallback)fn)(conn, dom, f->s1, f->ull1,
                                                                  op);
        break;
    default:
        break;
    }
}

static void
domainEventInvoke(const DomainEventCallback *cb, const DomainEvent *event)
{
    virDomainPtr dom = domainHandleNew(cb->conn, event->name, event->uuid,
                                       event->id);
    DomainEventAnyFunc fn = (DomainEventAnyFunc)cb->cb;

    switch (event->eventID) {
    case VIR_DOMAIN_EVENT_ID_LIFECYCLE:
        ((virConnectDomainEventCallback)fn)(cb->conn, dom,
                                            event->data.lifecycle.type,
                                            event->data.lifecycle.detail,
                                            cb->opaque);
        break;
    case VIR_DOMAIN_EVENT_ID_REBOOT:
        cb->cb(cb->conn, dom, cb->opaque);
        break;
    case VIR_DOMAIN_EVENT_ID_JOB_COMPLETED:
        ((virConnectDomainEventJobCompletedCallback)fn)(
            cb->conn, dom, event->data.jobCompleted.params,
            event->data.jobCompleted.nparams, cb->opaque);
        break;
    case VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION:
        ((virConnectDomainEventMigrationIterationCallback)fn)(
            cb->conn, dom, event->data.migrationIteration.iteration,
            cb->opaque);
        break;
    case VIR_DOMAIN_EVENT_ID_GRAPHICS:
        ((virConnectDomainEventGraphicsCallback)fn)(
            cb->conn, dom, event->data.graphics.phase, &event->data.graphics.local,
            &event->data.graphics.remote, event->data.graphics.authScheme,
            &event->data.graphics.subject, cb->opaque);
        break;
    default:
        if (domainEventHasFields(event->eventID)) {
            domainEventInvokeFields(cb, dom, event);
            break;
        }
        LOG_WARN("no dispatcher for event %d, ignoring", event->eventID);
        break;
    }
    /* Whatever the callback left in the error slot stays with it. */
    errorReset();
    domainHandleUnref(dom);
}

/**
 * domainEventStateFlush:
 * @state: an event state
 *
 * Delivers every queued event to every matching callback, on the calling
 * thread, in queue order and, per event, in registration order, to the
 * callbacks registered when that event's delivery starts.  The
 * loop timer calls it; tests and the daemon may too.
 */
void
domainEventStateFlush(DomainEventState *state)
{
    GQueue events = G_QUEUE_INIT;
    GPtrArray *dead = g_ptr_array_new();
    DomainEvent *event = NULL;

    mutexLock(&state->lock);
    events = state->queue;
    g_queue_init(&state->queue);
    if (state->timer >= 0)
        eventUpdateTimeout(state->timer, -1);
    state->dispatching++;

    while ((event = g_queue_pop_head(&events))) {
        /*
         * The list may grow while unlocked (entries stay until the purge):
         * a callback registered while this event is delivered does not get
         * it, or it would depend on how far the delivery had come.
         */
        guint n = state->callbacks->len;
        guint i;

        for (i = 0; i < n; i++) {
            DomainEventCallback *cb = g_ptr_array_index(state->callbacks, i);

            if (!domainEventCallbackMatches(cb, event))
                continue;
            mutexUnlock(&state->lock);
            domainEventInvoke(cb, event);
            mutexLock(&state->lock);
        }
        domainEventFree(event);
    }

    state->dispatching--;
    domainEventStatePurgeLocked(state, dead);
    mutexUnlock(&state->lock);
    domainEventCallbacksFree(dead);
}

static void
domainEventStateTimer(int timer, void *opaque)
{
    errorReset();
    domainEventStateFlush(opaque);
    errorReset();
}

/**
 * domainEventStateQueue:
 * @state: an event state
 * @event: the event; ownership is taken
 *
 * Queues @event for delivery from the event loop; dropped when no
 * callback is registered.  Safe from any thread, with or without a
 * domain lock held: it never calls a callback.
 */
void
domainEventStateQueue(DomainEventState *state, DomainEvent *event)
{
    if (!event)
        return;
    mutexLock(&state->lock);
    if (state->timer < 0) {
        mutexUnlock(&state->lock);
        domainEventFree(event);
        return;
    }
    g_queue_push_tail(&state->queue, event);
    /* The first event arms the timer; a flush disarms it when it takes
     * the queue, so this also covers events queued during a dispatch. */
    if (state->queue.length == 1)
        eventUpdateTimeout(state->timer, 0);
    mutexUnlock(&state->lock);
}

/* --- registration --------------------------------------------------------- */

/*
 * Adds a callback; the first one also adds the loop timer.  Called with
 * state->lock held.  Returns the callback ID or -1 (reported).
 */
static int
domainEventStateAddLocked(DomainEventState *state, virConnectPtr conn,
                          virDomainPtr dom, int eventID, bool legacy,
                          virConnectDomainEventGenericCallback func,
                          void *opaque, virFreeCallback freecb)
{
    DomainEventCallback *cb = NULL;
    guint i;

    for (i = 0; i < state->callbacks->len; i++) {
        DomainEventCallback *other = g_ptr_array_index(state->callbacks, i);

        if (other->deleted || other->conn != conn || other->cb != func ||
            other->eventID != eventID || other->legacy != legacy ||
            other->haveDom != (dom != NULL))
            continue;
        if (dom && memcmp(other->uuid, dom->uuid, VIR_UUID_BUFLEN) != 0)
            continue;
        reportError(VIR_ERR_INVALID_ARG, "%s",
                    _("event callback already tracked"));
        return -1;
    }

    if (state->timer < 0) {
        int timer = eventAddTimeout(-1, domainEventStateTimer,
                                    domainEventStateRef(state),
                                    domainEventStateTimerFree);

        if (timer < 0) {
            domainEventStateUnref(state);
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("could not initialize domain event timer"));
            return -1;
        }
        state->timer = timer;
    }

    cb = g_new0(DomainEventCallback, 1);
    cb->callbackID = state->nextID++;
    cb->eventID = eventID;
    cb->conn = connectRef(conn);
    if (dom) {
        cb->haveDom = true;
        memcpy(cb->uuid, dom->uuid, VIR_UUID_BUFLEN);
    }
    cb->legacy = legacy;
    cb->cb = func;
    cb->opaque = opaque;
    cb->freecb = freecb;
    g_ptr_array_add(state->callbacks, cb);
    LOG_DEBUG("callback %d: event %d conn %p%s", cb->callbackID, eventID,
              (void *)conn, legacy ? " (legacy)" : "");
    return cb->callbackID;
}

/**
 * domainEventStateRegisterAny:
 * @state: the driver's event state
 * @conn: the connection registering (referenced while registered)
 * @dom: only events of this domain, or NULL
 * @eventID: a virDomainEventID (checked by the entry point)
 * @cb: callback of the signature @eventID calls for
 * @opaque: passed to @cb
 * @freecb: frees @opaque on removal, or NULL
 *
 * Errors (libvirt's): the same callback for the same connection, event
 * and domain twice → VIR_ERR_INVALID_ARG; no event loop registered →
 * VIR_ERR_INTERNAL_ERROR.
 *
 * Returns: the callback ID (>= 0, unique within @state) or -1.
 */
int
domainEventStateRegisterAny(DomainEventState *state, virConnectPtr conn,
                            virDomainPtr dom, int eventID,
                            virConnectDomainEventGenericCallback cb,
                            void *opaque, virFreeCallback freecb)
{
    int ret;

    mutexLock(&state->lock);
    ret = domainEventStateAddLocked(state, conn, dom, eventID, false, cb,
                                    opaque, freecb);
    mutexUnlock(&state->lock);
    return ret;
}

/**
 * domainEventStateRegisterLegacy:
 * @state: the driver's event state
 * @conn: the connection registering
 * @cb: lifecycle callback
 * @opaque: passed to @cb
 * @freecb: frees @opaque on removal, or NULL
 *
 * virConnectDomainEventRegister: lifecycle events of all domains; the
 * same @cb twice on @conn is VIR_ERR_INVALID_ARG.  The registration uses
 * a callback ID internally, which the caller never sees.
 *
 * Returns: 0 or -1.
 */
int
domainEventStateRegisterLegacy(DomainEventState *state, virConnectPtr conn,
                               virConnectDomainEventCallback cb,
                               void *opaque, virFreeCallback freecb)
{
    int ret;

    mutexLock(&state->lock);
    ret = domainEventStateAddLocked(state, conn, NULL,
                                    VIR_DOMAIN_EVENT_ID_LIFECYCLE, true,
                                    DOMAIN_EVENT_GENERIC(cb), opaque, freecb);
    mutexUnlock(&state->lock);
    return ret < 0 ? -1 : 0;
}

/*
 * Marks @cb deleted and purges what can be; dead callbacks land in @dead.
 * Called with state->lock held.
 */
static void
domainEventStateRemoveLocked(DomainEventState *state, DomainEventCallback *cb,
                             GPtrArray *dead)
{
    cb->deleted = true;
    domainEventStatePurgeLocked(state, dead);
}

/**
 * domainEventStateDeregisterAny:
 * @state: the driver's event state
 * @conn: the connection deregistering
 * @callbackID: an ID returned on @conn
 *
 * Returns: 0, or -1 with VIR_ERR_INVALID_ARG when @conn has no such
 * callback.
 */
int
domainEventStateDeregisterAny(DomainEventState *state, virConnectPtr conn,
                              int callbackID)
{
    GPtrArray *dead = g_ptr_array_new();
    DomainEventCallback *found = NULL;
    guint i;

    mutexLock(&state->lock);
    for (i = 0; i < state->callbacks->len; i++) {
        DomainEventCallback *cb = g_ptr_array_index(state->callbacks, i);

        if (!cb->deleted && !cb->legacy && cb->conn == conn &&
            cb->callbackID == callbackID) {
            found = cb;
            break;
        }
    }
    if (found)
        domainEventStateRemoveLocked(state, found, dead);
    mutexUnlock(&state->lock);
    domainEventCallbacksFree(dead);

    if (!found) {
        reportError(VIR_ERR_INVALID_ARG,
                    _("could not find event callback %1$d for deletion"),
                    callbackID);
        return -1;
    }
    return 0;
}

/**
 * domainEventStateDeregisterLegacy:
 * @state: the driver's event state
 * @conn: the connection deregistering
 * @cb: a callback registered with domainEventStateRegisterLegacy on @conn
 *
 * Returns: 0, or -1 with VIR_ERR_INVALID_ARG when it is not registered.
 */
int
domainEventStateDeregisterLegacy(DomainEventState *state, virConnectPtr conn,
                                 virConnectDomainEventCallback cb)
{
    virConnectDomainEventGenericCallback func = DOMAIN_EVENT_GENERIC(cb);
    GPtrArray *dead = g_ptr_array_new();
    DomainEventCallback *found = NULL;
    guint i;

    mutexLock(&state->lock);
    for (i = 0; i < state->callbacks->len; i++) {
        DomainEventCallback *other = g_ptr_array_index(state->callbacks, i);

        if (!other->deleted && other->legacy && other->conn == conn &&
            other->cb == func) {
            found = other;
            break;
        }
    }
    if (found)
        domainEventStateRemoveLocked(state, found, dead);
    mutexUnlock(&state->lock);
    domainEventCallbacksFree(dead);

    if (!found) {
        reportError(VIR_ERR_INVALID_ARG,
                    _("event callback function %1$p not registered"),
                    (void *)(uintptr_t)func);
        return -1;
    }
    return 0;
}

/**
 * domainEventStateDeregisterConn:
 * @state: the driver's event state
 * @conn: a connection going away
 *
 * Removes every callback of @conn, running their freecbs.
 */
void
domainEventStateDeregisterConn(DomainEventState *state, virConnectPtr conn)
{
    GPtrArray *dead = g_ptr_array_new();
    guint i;

    mutexLock(&state->lock);
    for (i = 0; i < state->callbacks->len; i++) {
        DomainEventCallback *cb = g_ptr_array_index(state->callbacks, i);

        if (cb->conn == conn)
            cb->deleted = true;
    }
    domainEventStatePurgeLocked(state, dead);
    mutexUnlock(&state->lock);
    domainEventCallbacksFree(dead);
}

/**
 * domainEventStateCount:
 * @state: an event state
 * @eventID: a virDomainEventID
 *
 * Returns: the number of live callbacks registered for @eventID.
 */
size_t
domainEventStateCount(DomainEventState *state, int eventID)
{
    size_t n = 0;
    guint i;

    mutexLock(&state->lock);
    for (i = 0; i < state->callbacks->len; i++) {
        DomainEventCallback *cb = g_ptr_array_index(state->callbacks, i);

        if (!cb->deleted && cb->eventID == eventID)
            n++;
    }
    mutexUnlock(&state->lock);
    return n;
}
