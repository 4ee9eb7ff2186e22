/* REMOTE_PROGRAM event registration and the relays that forward library events to clients. */
#define ERR_DOMAIN VIR_FROM_REMOTE

#include "remote/remote_dispatch_event.h"
#include "remote/remote_dispatch_client.h"
#include "remote/remote_protocol.h"
#include "rpc/rpc_server_client.h"
#include "util/error.h"
#include "util/log.h"
#include "util/thread.h"

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
 * The other events (callback registrations only: the legacy messages of
 * the older ones are not sent, as our drivers never had legacy clients of
 * them).  Strings are encoded straight from the library's arguments.
 */
#define RELAY_DOM(msgvar)                                                                          \
    RemoteEventCallback *cb = opaque;                                                              \
    remoteDispatchMakeDomain(dom, &(msgvar))
#define RELAY_SEND(msgvar, domfield, proc, type)                                                   \
    do {                                                                                           \
        remoteEventSend(cb, REMOTE_PROC_##proc, (xdrproc_t)xdr_##type, &(msgvar));                 \
        g_free((domfield).name);                                                                   \
    } while (0)
/* An optional string (remote_string) pointing at @str, or NULL. */
#define RELAY_OPT(holder, str) ((holder) = (char *)(str), (str) ? &(holder) : NULL)

static void
remoteEventRelayRTCChange(virConnectPtr conn, virDomainPtr dom, long long offset, void *opaque)
{
    remote_domain_event_callback_rtc_change_msg msg = {0};
    RELAY_DOM(msg.msg.dom);

    msg.callbackID = cb->callbackID;
    msg.msg.offset = offset;
    RELAY_SEND(msg, msg.msg.dom, DOMAIN_EVENT_CALLBACK_RTC_CHANGE,
               remote_domain_event_callback_rtc_change_msg);
}

static void
remoteEventRelayWatchdog(virConnectPtr conn, virDomainPtr dom, int action, void *opaque)
{
    remote_domain_event_callback_watchdog_msg msg = {0};
    RELAY_DOM(msg.msg.dom);

    msg.callbackID = cb->callbackID;
    msg.msg.action = action;
    RELAY_SEND(msg, msg.msg.dom, DOMAIN_EVENT_CALLBACK_WATCHDOG,
               remote_domain_event_callback_watchdog_msg);
}

static void
remoteEventRelayIOError(virConnectPtr conn, virDomainPtr dom, const char *srcPath,
                        const char *devAlias, int action, void *opaque)
{
    remote_domain_event_callback_io_error_msg msg = {0};
    RELAY_DOM(msg.msg.dom);

    msg.callbackID = cb->callbackID;
    msg.msg.srcPath = (char *)(srcPath ? srcPath : "");
    msg.msg.devAlias = (char *)(devAlias ? devAlias : "");
    msg.msg.action = action;
    RELAY_SEND(msg, msg.msg.dom, DOMAIN_EVENT_CALLBACK_IO_ERROR,
               remote_domain_event_callback_io_error_msg);
}

static void
remoteEventGraphicsAddress(remote_domain_event_graphics_address *dst,
                           const virDomainEventGraphicsAddress *src)
{
    dst->family = src ? src->family : 0;
    dst->node = (char *)(src && src->node ? src->node : "");
    dst->service = (char *)(src && src->service ? src->service : "");
}

static void
remoteEventRelayGraphics(virConnectPtr conn, virDomainPtr dom, int phase,
                         const virDomainEventGraphicsAddress *local,
                         const virDomainEventGraphicsAddress *remote, const char *authScheme,
                         const virDomainEventGraphicsSubject *subject, void *opaque)
{
    remote_domain_event_callback_graphics_msg msg = {0};
    g_autofree remote_domain_event_graphics_identity *ids = NULL;
    int n = subject ? subject->nidentity : 0;
    int i;
    RELAY_DOM(msg.msg.dom);

    if (n > REMOTE_DOMAIN_EVENT_GRAPHICS_IDENTITY_MAX) {
        LOG_WARN("graphics event with %d identities (limit %d), sending the first ones", n,
                 REMOTE_DOMAIN_EVENT_GRAPHICS_IDENTITY_MAX);
        n = REMOTE_DOMAIN_EVENT_GRAPHICS_IDENTITY_MAX;
    }
    ids = g_new0(remote_domain_event_graphics_identity, MAX(n, 1));
    for (i = 0; i < n; i++) {
        ids[i].type = subject->identities[i].type ? subject->identities[i].type : (char *)"";
        ids[i].name = subject->identities[i].name ? subject->identities[i].name : (char *)"";
    }
    msg.callbackID = cb->callbackID;
    msg.msg.phase = phase;
    remoteEventGraphicsAddress(&msg.msg.local, local);
    remoteEventGraphicsAddress(&msg.msg.remote, remote);
    msg.msg.authScheme = (char *)(authScheme ? authScheme : "");
    msg.msg.subject.subject_len = (u_int)n;
    msg.msg.subject.subject_val = ids;
    RELAY_SEND(msg, msg.msg.dom, DOMAIN_EVENT_CALLBACK_GRAPHICS,
               remote_domain_event_callback_graphics_msg);
}

static void
remoteEventRelayIOErrorReason(virConnectPtr conn, virDomainPtr dom, const char *srcPath,
                              const char *devAlias, int action, const char *reason, void *opaque)
{
    remote_domain_event_callback_io_error_reason_msg msg = {0};
    RELAY_DOM(msg.msg.dom);

    msg.callbackID = cb->callbackID;
    msg.msg.srcPath = (char *)(srcPath ? srcPath : "");
    msg.msg.devAlias = (char *)(devAlias ? devAlias : "");
    msg.msg.action = action;
    msg.msg.reason = (char *)(reason ? reason : "");
    RELAY_SEND(msg, msg.msg.dom, DOMAIN_EVENT_CALLBACK_IO_ERROR_REASON,
               remote_domain_event_callback_io_error_reason_msg);
}

static void
remoteEventRelayControlError(virConnectPtr conn, virDomainPtr dom, void *opaque)
{
    remote_domain_event_callback_control_error_msg msg = {0};
    RELAY_DOM(msg.msg.dom);

    msg.callbackID = cb->callbackID;
    RELAY_SEND(msg, msg.msg.dom, DOMAIN_EVENT_CALLBACK_CONTROL_ERROR,
               remote_domain_event_callback_control_error_msg);
}

static void
remoteEventRelayBlockJob(virConnectPtr conn, virDomainPtr dom, const char *disk, int type,
                         int status, void *opaque)
{
    RemoteEventCallback *cb = opaque;

    if (cb->eventID == VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2) {
        remote_domain_event_block_job_2_msg msg = {0};

        remoteDispatchMakeDomain(dom, &msg.dom);
        msg.callbackID = cb->callbackID;
        msg.dst = (char *)(disk ? disk : "");
        msg.type = type;
        msg.status = status;
        RELAY_SEND(msg, msg.dom, DOMAIN_EVENT_BLOCK_JOB_2, remote_domain_event_block_job_2_msg);
    } else {
        remote_domain_event_callback_block_job_msg msg = {0};

        remoteDispatchMakeDomain(dom, &msg.msg.dom);
        msg.callbackID = cb->callbackID;
        msg.msg.path = (char *)(disk ? disk : "");
        msg.msg.type = type;
        msg.msg.status = status;
        RELAY_SEND(msg, msg.msg.dom, DOMAIN_EVENT_CALLBACK_BLOCK_JOB,
                   remote_domain_event_callback_block_job_msg);
    }
}

static void
remoteEventRelayDiskChange(virConnectPtr conn, virDomainPtr dom, const char *oldSrcPath,
                           const char *newSrcPath, const char *devAlias, int reason, void *opaque)
{
    remote_domain_event_callback_disk_change_msg msg = {0};
    char *oldHolder = NULL;
    char *newHolder = NULL;
    RELAY_DOM(msg.msg.dom);

    msg.callbackID = cb->callbackID;
    msg.msg.oldSrcPath = RELAY_OPT(oldHolder, oldSrcPath);
    msg.msg.newSrcPath = RELAY_OPT(newHolder, newSrcPath);
    msg.msg.devAlias = (char *)(devAlias ? devAlias : "");
    msg.msg.reason = reason;
    RELAY_SEND(msg, msg.msg.dom, DOMAIN_EVENT_CALLBACK_DISK_CHANGE,
               remote_domain_event_callback_disk_change_msg);
}

static void
remoteEventRelayTrayChange(virConnectPtr conn, virDomainPtr dom, const char *devAlias, int reason,
                           void *opaque)
{
    remote_domain_event_callback_tray_change_msg msg = {0};
    RELAY_DOM(msg.msg.dom);

    msg.callbackID = cb->callbackID;
    msg.msg.devAlias = (char *)(devAlias ? devAlias : "");
    msg.msg.reason = reason;
    RELAY_SEND(msg, msg.msg.dom, DOMAIN_EVENT_CALLBACK_TRAY_CHANGE,
               remote_domain_event_callback_tray_change_msg);
}

/* PMWAKEUP, PMSUSPEND and PMSUSPEND_DISK share a layout. */
static void
remoteEventRelayPM(virConnectPtr conn, virDomainPtr dom, int reason, void *opaque)
{
    remote_domain_event_callback_pmwakeup_msg msg = {0};
    RELAY_DOM(msg.msg.dom);

    msg.callbackID = cb->callbackID;
    msg.reason = reason;
    if (cb->eventID == VIR_DOMAIN_EVENT_ID_PMWAKEUP)
        RELAY_SEND(msg, msg.msg.dom, DOMAIN_EVENT_CALLBACK_PMWAKEUP,
                   remote_domain_event_callback_pmwakeup_msg);
    else if (cb->eventID == VIR_DOMAIN_EVENT_ID_PMSUSPEND)
        RELAY_SEND(msg, msg.msg.dom, DOMAIN_EVENT_CALLBACK_PMSUSPEND,
                   remote_domain_event_callback_pmwakeup_msg);
    else
        RELAY_SEND(msg, msg.msg.dom, DOMAIN_EVENT_CALLBACK_PMSUSPEND_DISK,
                   remote_domain_event_callback_pmwakeup_msg);
}

static void
remoteEventRelayBalloonChange(virConnectPtr conn, virDomainPtr dom, unsigned long long actual,
                              void *opaque)
{
    remote_domain_event_callback_balloon_change_msg msg = {0};
    RELAY_DOM(msg.msg.dom);

    msg.callbackID = cb->callbackID;
    msg.msg.actual = actual;
    RELAY_SEND(msg, msg.msg.dom, DOMAIN_EVENT_CALLBACK_BALLOON_CHANGE,
               remote_domain_event_callback_balloon_change_msg);
}

/* DEVICE_REMOVED (nested layout), DEVICE_ADDED and DEVICE_REMOVAL_FAILED (flat). */
static void
remoteEventRelayDevice(virConnectPtr conn, virDomainPtr dom, const char *devAlias, void *opaque)
{
    RemoteEventCallback *cb = opaque;
    char *alias = (char *)(devAlias ? devAlias : "");

    if (cb->eventID == VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED) {
        remote_domain_event_callback_device_removed_msg msg = {0};

        remoteDispatchMakeDomain(dom, &msg.msg.dom);
        msg.callbackID = cb->callbackID;
        msg.msg.devAlias = alias;
        RELAY_SEND(msg, msg.msg.dom, DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED,
                   remote_domain_event_callback_device_removed_msg);
    } else {
        remote_domain_event_callback_device_added_msg msg = {0};

        remoteDispatchMakeDomain(dom, &msg.dom);
        msg.callbackID = cb->callbackID;
        msg.devAlias = alias;
        if (cb->eventID == VIR_DOMAIN_EVENT_ID_DEVICE_ADDED)
            RELAY_SEND(msg, msg.dom, DOMAIN_EVENT_CALLBACK_DEVICE_ADDED,
                       remote_domain_event_callback_device_added_msg);
        else
            RELAY_SEND(msg, msg.dom, DOMAIN_EVENT_CALLBACK_DEVICE_REMOVAL_FAILED,
                       remote_domain_event_callback_device_added_msg);
    }
}

static void
remoteEventRelayTunable(virConnectPtr conn, virDomainPtr dom, virTypedParameterPtr params,
                        int nparams, void *opaque)
{
    remote_domain_event_callback_tunable_msg msg = {0};
    RELAY_DOM(msg.dom);

    msg.callbackID = cb->callbackID;
    if (remoteDispatchSerializeParams(params, nparams, REMOTE_DOMAIN_EVENT_TUNABLE_MAX,
                                      &msg.params.params_val, &msg.params.params_len) < 0) {
        LOG_WARN("cannot forward a tunable event: %s, ignoring", errorGetSlot()->message);
        errorReset();
    } else {
        remoteEventSend(cb, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_TUNABLE,
                        (xdrproc_t)xdr_remote_domain_event_callback_tunable_msg, &msg);
    }
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_tunable_msg, (char *)&msg);
}

static void
remoteEventRelayAgentLifecycle(virConnectPtr conn, virDomainPtr dom, int state, int reason,
                               void *opaque)
{
    remote_domain_event_callback_agent_lifecycle_msg msg = {0};
    RELAY_DOM(msg.dom);

    msg.callbackID = cb->callbackID;
    msg.state = state;
    msg.reason = reason;
    RELAY_SEND(msg, msg.dom, DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE,
               remote_domain_event_callback_agent_lifecycle_msg);
}

static void
remoteEventRelayMetadataChange(virConnectPtr conn, virDomainPtr dom, int type, const char *nsuri,
                               void *opaque)
{
    remote_domain_event_callback_metadata_change_msg msg = {0};
    char *holder = NULL;
    RELAY_DOM(msg.dom);

    msg.callbackID = cb->callbackID;
    msg.type = type;
    msg.nsuri = RELAY_OPT(holder, nsuri);
    RELAY_SEND(msg, msg.dom, DOMAIN_EVENT_CALLBACK_METADATA_CHANGE,
               remote_domain_event_callback_metadata_change_msg);
}

static void
remoteEventRelayBlockThreshold(virConnectPtr conn, virDomainPtr dom, const char *dev,
                               const char *path, unsigned long long threshold,
                               unsigned long long excess, void *opaque)
{
    remote_domain_event_block_threshold_msg msg = {0};
    char *holder = NULL;
    RELAY_DOM(msg.dom);

    msg.callbackID = cb->callbackID;
    msg.dev = (char *)(dev ? dev : "");
    msg.path = RELAY_OPT(holder, path);
    msg.threshold = threshold;
    msg.excess = excess;
    RELAY_SEND(msg, msg.dom, DOMAIN_EVENT_BLOCK_THRESHOLD, remote_domain_event_block_threshold_msg);
}

static void
remoteEventRelayMemoryFailure(virConnectPtr conn, virDomainPtr dom, int recipient, int action,
                              unsigned int flags, void *opaque)
{
    remote_domain_event_memory_failure_msg msg = {0};
    RELAY_DOM(msg.dom);

    msg.callbackID = cb->callbackID;
    msg.recipient = recipient;
    msg.action = action;
    msg.flags = flags;
    RELAY_SEND(msg, msg.dom, DOMAIN_EVENT_MEMORY_FAILURE, remote_domain_event_memory_failure_msg);
}

static void
remoteEventRelayMemoryDeviceSizeChange(virConnectPtr conn, virDomainPtr dom, const char *alias,
                                       unsigned long long size, void *opaque)
{
    remote_domain_event_memory_device_size_change_msg msg = {0};
    RELAY_DOM(msg.dom);

    msg.callbackID = cb->callbackID;
    msg.alias = (char *)(alias ? alias : "");
    msg.size = size;
    RELAY_SEND(msg, msg.dom, DOMAIN_EVENT_MEMORY_DEVICE_SIZE_CHANGE,
               remote_domain_event_memory_device_size_change_msg);
}

#undef RELAY_DOM
#undef RELAY_SEND
#undef RELAY_OPT

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
        break;
    }
    if (legacy)
        return NULL;
    switch (eventID) {
    case VIR_DOMAIN_EVENT_ID_RTC_CHANGE:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayRTCChange);
    case VIR_DOMAIN_EVENT_ID_WATCHDOG:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayWatchdog);
    case VIR_DOMAIN_EVENT_ID_IO_ERROR:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayIOError);
    case VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayIOErrorReason);
    case VIR_DOMAIN_EVENT_ID_GRAPHICS:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayGraphics);
    case VIR_DOMAIN_EVENT_ID_CONTROL_ERROR:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayControlError);
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB:
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayBlockJob);
    case VIR_DOMAIN_EVENT_ID_DISK_CHANGE:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayDiskChange);
    case VIR_DOMAIN_EVENT_ID_TRAY_CHANGE:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayTrayChange);
    case VIR_DOMAIN_EVENT_ID_PMWAKEUP:
    case VIR_DOMAIN_EVENT_ID_PMSUSPEND:
    case VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayPM);
    case VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayBalloonChange);
    case VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED:
    case VIR_DOMAIN_EVENT_ID_DEVICE_ADDED:
    case VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayDevice);
    case VIR_DOMAIN_EVENT_ID_TUNABLE:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayTunable);
    case VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayAgentLifecycle);
    case VIR_DOMAIN_EVENT_ID_METADATA_CHANGE:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayMetadataChange);
    case VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayBlockThreshold);
    case VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayMemoryFailure);
    case VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteEventRelayMemoryDeviceSizeChange);
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

    mutexLock(&rc->lock);
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
    mutexUnlock(&rc->lock);
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

    mutexLock(&rc->lock);
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
    mutexUnlock(&rc->lock);
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

    mutexLock(&rc->lock);
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
    mutexUnlock(&rc->lock);
    return ret;
}

static int
remoteDispatchConnectUnregisterCloseCallback(REMOTE_DISPATCH_PARAMS)
{
    RemoteClient *rc = remoteDispatchClientGet(client);
    int ret = -1;

    mutexLock(&rc->lock);
    if (!rc->conn) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("connection not open"));
    } else if (rc->closeCallback &&
               virConnectUnregisterCloseCallback(rc->conn, remoteEventRelayClose) < 0) {
        remoteDispatchAPIError();
    } else {
        rc->closeCallback = false;
        ret = 0;
    }
    mutexUnlock(&rc->lock);
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
