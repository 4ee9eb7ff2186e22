/* REMOTE_PROGRAM event registration and the relays that forward library events to clients. */
#define ERR_DOMAIN VIR_FROM_REMOTE

#include "remote/remote_dispatch_event.h"
#include "remote/remote_dispatch_client.h"
#include "remote/remote_protocol.h"
#include "rpc/rpc_server_client.h"
#include "util/error.h"
#include "util/log.h"

LOG_INIT("remote.dispatch_event");

/* Event callbacks one client may hold (each costs a library registration). */
#define REMOTE_EVENT_CALLBACKS_MAX 1024

/*
 * How events reach clients (docs/daemon.md): each registration of a
 * client becomes a registration on the client's own library connection
 * with one of the relays below as callback and this record as opaque.
 * The library calls the relay on the event-loop thread; the relay encodes
 * the event message and queues it on the client.  Modern clients register
 * with CALLBACK_REGISTER_ANY and get messages carrying the number we gave
 * the registration; legacy registrations (REGISTER, REGISTER_ANY) get the
 * older messages without it.  Event IDs whose messages our protocol
 * description lacks (our drivers do not emit them yet) are accepted and
 * recorded without a library registration.
 */
typedef struct {
    RpcServerClient *client; /* immutable; referenced */
    int callbackID;          /* immutable: ours, sent in event messages */
    int eventID;             /* immutable */
    int libID;               /* immutable: the library's callback ID, -1 if none */
    bool legacy;             /* immutable */
} RemoteEventCallback;

static void
remoteEventCallbackFree(void *opaque)
{
    RemoteEventCallback *cb = opaque;

    if (!cb)
        return;
    rpcServerClientUnref(cb->client);
    g_free(cb);
}

/* Encodes an event message and queues it for the callback's client. */
static void
remoteEventSend(RemoteEventCallback *cb, int proc, xdrproc_t filter, const void *data)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();

    rpcMessageSetHeader(msg, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, proc, RPC_TYPE_MESSAGE,
                        RPC_EVENT_SERIAL, RPC_STATUS_OK);
    if (rpcMessageEncode(msg, filter, data) < 0) {
        LOG_WARN("cannot encode event %d for client %llu: %s, ignoring", proc,
                 rpcServerClientGetID(cb->client), errorGetSlot()->message);
        errorReset();
        return;
    }
    LOG_DEBUG("event %d to client %llu (callback %d)", proc, rpcServerClientGetID(cb->client),
              cb->callbackID);
    rpcServerClientSendMessage(cb->client, g_steal_pointer(&msg));
}

static int
remoteEventRelayLifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    RemoteEventCallback *cb = opaque;
    remote_domain_event_lifecycle_msg legacy = {0};
    remote_domain_event_callback_lifecycle_msg msg = {0};

    remoteDispatchMakeDomain(dom, &legacy.dom);
    legacy.event = event;
    legacy.detail = detail;
    if (cb->legacy) {
        remoteEventSend(cb, REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE,
                        (xdrproc_t)xdr_remote_domain_event_lifecycle_msg, &legacy);
    } else {
        msg.callbackID = cb->callbackID;
        msg.msg = legacy;
        remoteEventSend(cb, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
                        (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, &msg);
    }
    g_free(legacy.dom.name);
    return 0;
}

static void
remoteEventRelayReboot(virConnectPtr conn, virDomainPtr dom, void *opaque)
{
    RemoteEventCallback *cb = opaque;
    remote_domain_event_reboot_msg legacy = {0};
    remote_domain_event_callback_reboot_msg msg = {0};

    remoteDispatchMakeDomain(dom, &legacy.dom);
    if (cb->legacy) {
        remoteEventSend(cb, REMOTE_PROC_DOMAIN_EVENT_REBOOT,
                        (xdrproc_t)xdr_remote_domain_event_reboot_msg, &legacy);
    } else {
        msg.callbackID = cb->callbackID;
        msg.msg = legacy;
        remoteEventSend(cb, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT,
                        (xdrproc_t)xdr_remote_domain_event_callback_reboot_msg, &msg);
    }
    g_free(legacy.dom.name);
}

static void
remoteEventRelayMigrationIteration(virConnectPtr conn, virDomainPtr dom, int iteration,
                                   void *opaque)
{
    RemoteEventCallback *cb = opaque;
    remote_domain_event_callback_migration_iteration_msg msg = {0};

    msg.callbackID = cb->callbackID;
    remoteDispatchMakeDomain(dom, &msg.dom);
    msg.iteration = iteration;
    remoteEventSend(cb, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION,
                    (xdrproc_t)xdr_remote_domain_event_callback_migration_iteration_msg, &msg);
    g_free(msg.dom.name);
}

static void
remoteEventRelayJobCompleted(virConnectPtr conn, virDomainPtr dom, virTypedParameterPtr params,
                             int nparams, void *opaque)
{
    RemoteEventCallback *cb = opaque;
    remote_domain_event_callback_job_completed_msg msg = {0};

    msg.callbackID = cb->callbackID;
    remoteDispatchMakeDomain(dom, &msg.dom);
    if (remoteDispatchSerializeParams(params, nparams, REMOTE_DOMAIN_JOB_STATS_MAX,
                                      &msg.params.params_val, &msg.params.params_len) < 0) {
        LOG_WARN("cannot forward a job-completed event: %s, ignoring", errorGetSlot()->message);
        errorReset();
    } else {
        remoteEventSend(cb, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED,
                        (xdrproc_t)xdr_remote_domain_event_callback_job_completed_msg, &msg);
    }
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_job_completed_msg, (char *)&msg);
}

/*
 * The relay for @eventID, or NULL when our protocol cannot carry that
 * event (for @legacy registrations: no message without a callback ID).
 */
static virConnectDomainEventGenericCallback
remoteEventRelayFor(int eventID, bool legacy)
{
    switch (eventID) {
    case VIR_DOMAIN_EVENT_ID_LIFECYCLE:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayLifecycle);
    case VIR_DOMAIN_EVENT_ID_REBOOT:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayReboot);
    case VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION:
        return legacy ? NULL : VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayMigrationIteration);
    case VIR_DOMAIN_EVENT_ID_JOB_COMPLETED:
        return legacy ? NULL : VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayJobCompleted);
    default:
        return NULL;
    }
}

static void
remoteEventRelayClose(virConnectPtr conn, int reason, void *opaque)
{
    RpcServerClient *client = opaque;

    /*
     * Our protocol description has no CONNECT_EVENT_CONNECTION_CLOSED
     * message yet; closing the socket tells the client that its
     * connection is gone (its own close callback fires with EOF).
     */
    LOG_INFO("client %llu: driver connection closed (reason %d), closing the client",
             rpcServerClientGetID(client), reason);
    rpcServerClientRequestClose(client);
}

/*
 * Registers @cb with the library when a relay exists; must hold rc->lock.
 * Returns 0, or -1 with an error set (@cb is then still the caller's).
 */
static int
remoteEventRegisterLocked(RemoteClient *rc, virDomainPtr dom, RemoteEventCallback *cb)
{
    virConnectDomainEventGenericCallback relay = remoteEventRelayFor(cb->eventID, cb->legacy);
    int libID;

    cb->libID = -1;
    if (!relay) {
        LOG_DEBUG("client %llu: event %d recorded, not relayed", rc->id, cb->eventID);
        return 0;
    }
    libID = virConnectDomainEventRegisterAny(rc->conn, dom, cb->eventID, relay, cb,
                                             remoteEventCallbackFree);
    if (libID < 0)
        return remoteDispatchAPIError();
    cb->libID = libID;
    return 0;
}

/* Drops one record: from the library, which frees it, or directly. */
static void
remoteEventUnregister(virConnectPtr conn, RemoteEventCallback *cb)
{
    if (cb->libID < 0) {
        remoteEventCallbackFree(cb);
        return;
    }
    /* The library owns @cb now and frees it when the registration goes. */
    if (!conn || virConnectDomainEventDeregisterAny(conn, cb->libID) < 0) {
        LOG_WARN("cannot drop event callback %d: %s, ignoring", cb->libID,
                 conn ? virGetLastErrorMessage() : "no connection");
        virResetLastError();
    }
}

/* Validates an event ID as libvirtd does. */
static int
remoteEventCheckID(int eventID)
{
    if (eventID < 0 || eventID >= VIR_DOMAIN_EVENT_ID_LAST) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("unsupported event ID %1$d"), eventID);
        return -1;
    }
    return 0;
}

/*
 * Adds a registration for @client.  @legacy registrations exist once per
 * event ID.  Returns the callback's number, or -1 with an error set.
 */
static int
remoteEventAdd(RpcServerClient *client, int eventID, const remote_nonnull_domain *filter,
               bool legacy)
{
    RemoteClient *rc = remoteDispatchClientGet(client);
    g_autoptr(virDomain) dom = NULL;
    RemoteEventCallback *cb = NULL;
    int ret = -1;
    size_t i;

    if (remoteEventCheckID(eventID) < 0)
        return -1;
    if (filter && !(dom = remoteDispatchClientGetDomain(client, filter)))
        return -1;

    g_mutex_lock(&rc->lock);
    if (!rc->conn) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("connection not open"));
        goto cleanup;
    }
    if (rc->callbacks->len >= REMOTE_EVENT_CALLBACKS_MAX) {
        reportError(VIR_ERR_OPERATION_FAILED, _("too many event callbacks (limit %1$d)"),
                    REMOTE_EVENT_CALLBACKS_MAX);
        goto cleanup;
    }
    if (legacy) {
        for (i = 0; i < rc->callbacks->len; i++) {
            RemoteEventCallback *other = g_ptr_array_index(rc->callbacks, i);

            if (other->legacy && other->eventID == eventID) {
                reportError(VIR_ERR_INTERNAL_ERROR, _("domain event %1$d already registered"),
                            eventID);
                goto cleanup;
            }
        }
    }

    cb = g_new0(RemoteEventCallback, 1);
    cb->client = rpcServerClientRef(client);
    cb->callbackID = rc->nextCallbackID;
    cb->eventID = eventID;
    cb->legacy = legacy;
    if (remoteEventRegisterLocked(rc, dom, cb) < 0) {
        remoteEventCallbackFree(cb);
        goto cleanup;
    }
    rc->nextCallbackID++;
    g_ptr_array_add(rc->callbacks, cb);
    ret = cb->callbackID;

cleanup:
    g_mutex_unlock(&rc->lock);
    return ret;
}

/*
 * Removes the registration whose callback number (or, for @legacy, event
 * ID) is @key.  Returns 0, or -1 with an error set.
 */
static int
remoteEventRemove(RpcServerClient *client, int key, bool legacy)
{
    RemoteClient *rc = remoteDispatchClientGet(client);
    RemoteEventCallback *cb = NULL;
    int ret = -1;
    size_t i;

    g_mutex_lock(&rc->lock);
    if (!rc->conn) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("connection not open"));
        goto cleanup;
    }
    for (i = 0; i < rc->callbacks->len; i++) {
        RemoteEventCallback *other = g_ptr_array_index(rc->callbacks, i);

        if (other->legacy == legacy && (legacy ? other->eventID : other->callbackID) == key) {
            cb = g_ptr_array_steal_index(rc->callbacks, i);
            break;
        }
    }
    if (!cb) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("domain event %1$d not registered"), key);
        goto cleanup;
    }
    remoteEventUnregister(rc->conn, cb);
    ret = 0;

cleanup:
    g_mutex_unlock(&rc->lock);
    return ret;
}

/**
 * remoteDispatchEventDropAll:
 * @conn: the connection the callbacks were registered on, or NULL
 * @callbacks: RemoteEventCallback records (emptied; the array stays)
 * @closeCallback: whether a close callback is registered on @conn
 *
 * Unregisters everything a client registered (its connection is closing).
 */
void
remoteDispatchEventDropAll(virConnectPtr conn, GPtrArray *callbacks, bool closeCallback)
{
    size_t i;

    for (i = 0; callbacks && i < callbacks->len; i++)
        remoteEventUnregister(conn, g_ptr_array_index(callbacks, i));
    if (callbacks)
        g_ptr_array_set_size(callbacks, 0);
    if (closeCallback && conn && virConnectUnregisterCloseCallback(conn, remoteEventRelayClose) < 0)
        virResetLastError();
}

/* --- procedures --------------------------------------------------------------- */

static int
remoteDispatchConnectDomainEventCallbackRegisterAny(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_domain_event_callback_register_any_args *args = argsp;
    remote_connect_domain_event_callback_register_any_ret *ret = retp;
    int id = remoteEventAdd(client, args->eventID, args->dom, false);

    if (id < 0)
        return -1;
    ret->callbackID = id;
    return 0;
}

static int
remoteDispatchConnectDomainEventCallbackDeregisterAny(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_domain_event_callback_deregister_any_args *args = argsp;

    return remoteEventRemove(client, args->callbackID, false);
}

static int
remoteDispatchConnectDomainEventRegisterAny(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_domain_event_register_any_args *args = argsp;

    return remoteEventAdd(client, args->eventID, NULL, true) < 0 ? -1 : 0;
}

static int
remoteDispatchConnectDomainEventDeregisterAny(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_domain_event_deregister_any_args *args = argsp;

    return remoteEventRemove(client, args->eventID, true);
}

static int
remoteDispatchConnectDomainEventRegister(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_domain_event_register_ret *ret = retp;

    if (remoteEventAdd(client, VIR_DOMAIN_EVENT_ID_LIFECYCLE, NULL, true) < 0)
        return -1;
    ret->cb_registered = 1;
    return 0;
}

static int
remoteDispatchConnectDomainEventDeregister(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_domain_event_deregister_ret *ret = retp;

    if (remoteEventRemove(client, VIR_DOMAIN_EVENT_ID_LIFECYCLE, true) < 0)
        return -1;
    ret->cb_registered = 0;
    return 0;
}

static int
remoteDispatchConnectRegisterCloseCallback(REMOTE_DISPATCH_PARAMS)
{
    RemoteClient *rc = remoteDispatchClientGet(client);
    int ret = -1;

    g_mutex_lock(&rc->lock);
    if (!rc->conn) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("connection not open"));
    } else if (virConnectRegisterCloseCallback(rc->conn, remoteEventRelayClose,
                                               rpcServerClientRef(client),
                                               (virFreeCallback)rpcServerClientUnref) < 0) {
        rpcServerClientUnref(client);
        remoteDispatchAPIError();
    } else {
        rc->closeCallback = true;
        ret = 0;
    }
    g_mutex_unlock(&rc->lock);
    return ret;
}

static int
remoteDispatchConnectUnregisterCloseCallback(REMOTE_DISPATCH_PARAMS)
{
    RemoteClient *rc = remoteDispatchClientGet(client);
    int ret = -1;

    g_mutex_lock(&rc->lock);
    if (!rc->conn) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("connection not open"));
    } else if (rc->closeCallback &&
               virConnectUnregisterCloseCallback(rc->conn, remoteEventRelayClose) < 0) {
        remoteDispatchAPIError();
    } else {
        rc->closeCallback = false;
        ret = 0;
    }
    g_mutex_unlock(&rc->lock);
    return ret;
}

/* Event procedures: all allowed on read-only sockets, as with libvirtd. */
const RpcServerProc remoteDispatchEventProcs[] = {
    REMOTE_PROC_R(CONNECT_DOMAIN_EVENT_REGISTER, connect_domain_event_register,
                  "virConnectDomainEventRegister", remoteDispatchConnectDomainEventRegister,
                  REMOTE_PROC_QUERY),
    REMOTE_PROC_R(CONNECT_DOMAIN_EVENT_DEREGISTER, connect_domain_event_deregister,
                  "virConnectDomainEventDeregister", remoteDispatchConnectDomainEventDeregister,
                  REMOTE_PROC_QUERY),
    REMOTE_PROC_A(CONNECT_DOMAIN_EVENT_REGISTER_ANY, connect_domain_event_register_any,
                  "virConnectDomainEventRegisterAny", remoteDispatchConnectDomainEventRegisterAny,
                  REMOTE_PROC_QUERY),
    REMOTE_PROC_A(CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, connect_domain_event_deregister_any,
                  "virConnectDomainEventDeregisterAny",
                  remoteDispatchConnectDomainEventDeregisterAny, REMOTE_PROC_QUERY),
    REMOTE_PROC_AR(CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                   connect_domain_event_callback_register_any, "virConnectDomainEventRegisterAny",
                   remoteDispatchConnectDomainEventCallbackRegisterAny, REMOTE_PROC_QUERY),
    REMOTE_PROC_A(CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                  connect_domain_event_callback_deregister_any,
                  "virConnectDomainEventDeregisterAny",
                  remoteDispatchConnectDomainEventCallbackDeregisterAny, REMOTE_PROC_QUERY),
    REMOTE_PROC_V(CONNECT_REGISTER_CLOSE_CALLBACK, "virConnectRegisterCloseCallback",
                  remoteDispatchConnectRegisterCloseCallback, REMOTE_PROC_QUERY),
    REMOTE_PROC_V(CONNECT_UNREGISTER_CLOSE_CALLBACK, "virConnectUnregisterCloseCallback",
                  remoteDispatchConnectUnregisterCloseCallback, REMOTE_PROC_QUERY),
};

const size_t remoteDispatchEventProcsCount = G_N_ELEMENTS(remoteDispatchEventProcs);
