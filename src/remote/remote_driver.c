/* The remote driver: the driver table carried over libvirt's RPC protocol to a daemon. */
#include <string.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_REMOTE

#include "remote/remote_driver.h"
#include "remote/remote_driver_stream.h"
#include "remote/remote_protocol.h"
#include "remote/qemu_protocol.h"
#include "api/daemon_mode.h"
#include "api/datatypes.h"
#include "api/domain_event.h"
#include "api/driver.h"
#include "rpc/rpc_client.h"
#include "rpc/rpc_tls.h"
#include "util/error.h"
#include "util/event.h"
#include "util/log.h"
#include "util/str.h"
#include "util/thread.h"
#include "util/uri.h"

LOG_INIT("remote.driver");

/*
 * One connection = one RpcClient to a daemon (virtkitd or libvirt's
 * libvirtd), opened as libvirt's own client does it (AUTH_LIST,
 * SUPPORTS_FEATURE(keepalive), CONNECT_OPEN, SUPPORTS_FEATURE(event
 * callbacks, close callbacks)); every driver entry is one call (two for
 * nothing) with libvirt's procedure number and payload.  Design notes:
 * docs/remote.md and docs/internals/rpc.md ("Client I/O").
 */

/* Default TCP port of the daemon (libvirt's; TLS would be 16514). */
#define REMOTE_TCP_PORT "16509"
#define REMOTE_TLS_PORT "16514"

/* Default daemon sockets, system (root) and per-user (session). */
#define REMOTE_SYSTEM_SOCKET_DIR "/run/virtkit"
#define REMOTE_SOCKET_NAME "virtkit-sock"
#define REMOTE_SOCKET_NAME_RO "virtkit-sock-ro"

/* Set in virtkitd: local URIs are its own drivers' business. */
static gint remoteInsideDaemon;

/*
 * The application's close callback (virConnectRegisterCloseCallback).
 * Shared, reference counted, between the connection's private data and
 * the RpcClient's close callback, so that a close noticed on another
 * thread never touches freed memory.  The registration holds a reference
 * on the connection, as libvirt's does (virConnectClose returns 1 while
 * a close callback is registered); it is dropped when the callback is
 * unregistered or after it ran once.
 */
typedef struct {
    gint refs;                      /* atomic */
    Mutex lock;
    virConnectPtr conn;             /* protected by lock; referenced while cb is set */
    virConnectCloseFunc cb;         /* protected by lock */
    void *opaque;                   /* protected by lock */
    virFreeCallback freecb;         /* protected by lock */
} RemoteCloseState;

typedef struct {
    RpcClient *client;              /* immutable */
    bool serverKeepAlive;           /* immutable: feature PROGRAM_KEEPALIVE */
    bool serverEventCallback;       /* immutable: feature REMOTE_EVENT_CALLBACK */
    bool serverCloseCallback;       /* immutable: feature REMOTE_CLOSE_CALLBACK */
    char *uri;                      /* immutable: learnt by CONNECT_GET_URI, or NULL */

    Mutex lock;
    char *type;                     /* protected by lock: cached CONNECT_GET_TYPE */

    DomainEventState *events;       /* immutable pointer */
    /*
     * Serializes event (de)registration and close callback registration,
     * across the RPC calls they make; never held by the code that reads
     * packets, which only reads remoteIDs atomically.
     */
    Mutex registerLock;
    gint remoteIDs[VIR_DOMAIN_EVENT_ID_LAST]; /* atomic: daemon callback ID per event, -1 none */
    GHashTable *localEventIDs;      /* protected by registerLock: local callback ID -> eventID */

    RemoteCloseState *closeState;   /* immutable pointer */
} RemotePrivate;

/* --- close callback state ----------------------------------------------- */

static RemoteCloseState *
remoteCloseStateNew(void)
{
    RemoteCloseState *state = g_new0(RemoteCloseState, 1);

    state->refs = 1;
    mutexInit(&state->lock);
    return state;
}

static RemoteCloseState *
remoteCloseStateRef(RemoteCloseState *state)
{
    g_atomic_int_inc(&state->refs);
    return state;
}

/* Drops the registration; returns what the caller must release unlocked. */
static void
remoteCloseStateTakeLocked(RemoteCloseState *state, virConnectPtr *conn,
                           virConnectCloseFunc *cb, void **opaque,
                           virFreeCallback *freecb)
{
    *conn = g_steal_pointer(&state->conn);
    *cb = g_steal_pointer(&state->cb);
    *opaque = g_steal_pointer(&state->opaque);
    *freecb = g_steal_pointer(&state->freecb);
}

static void
remoteCloseStateUnref(void *opaque)
{
    RemoteCloseState *state = opaque;
    virConnectPtr conn = NULL;
    virConnectCloseFunc cb = NULL;
    void *cbOpaque = NULL;
    virFreeCallback freecb = NULL;

    if (!state || !g_atomic_int_dec_and_test(&state->refs))
        return;
    remoteCloseStateTakeLocked(state, &conn, &cb, &cbOpaque, &freecb);
    if (freecb)
        freecb(cbOpaque);
    connectUnref(conn);
    mutexClear(&state->lock);
    g_free(state);
}

/* The RpcClient's close callback: runs the application's once. */
static void
remoteClientClosed(RpcClient *client G_GNUC_UNUSED, int reason, void *opaque)
{
    RemoteCloseState *state = opaque;
    virConnectPtr conn = NULL;
    virConnectCloseFunc cb = NULL;
    void *cbOpaque = NULL;
    virFreeCallback freecb = NULL;

    mutexLock(&state->lock);
    remoteCloseStateTakeLocked(state, &conn, &cb, &cbOpaque, &freecb);
    mutexUnlock(&state->lock);

    LOG_DEBUG("connection %p closed, reason %d", (void *)conn, reason);
    if (cb)
        cb(conn, reason, cbOpaque);
    if (freecb)
        freecb(cbOpaque);
    connectUnref(conn);
}

/* --- helpers ------------------------------------------------------------ */

static RemotePrivate *
remotePrivateNew(void)
{
    RemotePrivate *priv = g_new0(RemotePrivate, 1);
    size_t i;

    mutexInit(&priv->lock);
    mutexInit(&priv->registerLock);
    priv->events = domainEventStateNew();
    for (i = 0; i < G_N_ELEMENTS(priv->remoteIDs); i++)
        priv->remoteIDs[i] = -1;
    priv->localEventIDs = g_hash_table_new(g_direct_hash, g_direct_equal);
    priv->closeState = remoteCloseStateNew();
    return priv;
}

static void
remotePrivateFree(RemotePrivate *priv)
{
    if (!priv)
        return;
    if (priv->client) {
        rpcClientSetCloseCallback(priv->client, NULL, NULL, NULL);
        rpcClientSetMessageHandler(priv->client, NULL, NULL);
        rpcClientClose(priv->client);
        rpcClientUnref(priv->client);
    }
    domainEventStateFree(priv->events);
    g_hash_table_unref(priv->localEventIDs);
    remoteCloseStateUnref(priv->closeState);
    g_free(priv->uri);
    g_free(priv->type);
    mutexClear(&priv->registerLock);
    mutexClear(&priv->lock);
    g_free(priv);
}

/* One REMOTE_PROGRAM call; see rpcClientCall. */
static int
remoteCall(RemotePrivate *priv, int proc, xdrproc_t argsFilter,
           const void *args, xdrproc_t retFilter, void *ret)
{
    return rpcClientCall(priv->client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                         proc, argsFilter, args, retFilter, ret);
}

#define REMOTE_CALL(priv, proc, argsType, args, retType, ret) \
    remoteCall((priv), (proc), (xdrproc_t)xdr_##argsType, (args), \
               (xdrproc_t)xdr_##retType, (ret))

#define REMOTE_CALL_NOARGS(priv, proc, retType, ret) \
    remoteCall((priv), (proc), NULL, NULL, (xdrproc_t)xdr_##retType, (ret))

#define REMOTE_CALL_NORET(priv, proc, argsType, args) \
    remoteCall((priv), (proc), (xdrproc_t)xdr_##argsType, (args), NULL, NULL)

#define REMOTE_FREE(type, ret) xdr_free((xdrproc_t)xdr_##type, (char *)(ret))

#define CONN_PRIV(conn) ((RemotePrivate *)(conn)->privateData)
#define DOM_PRIV(dom) CONN_PRIV((dom)->conn)

/* Fills a wire domain that borrows @dom's strings. */
static void
remoteDomainToWire(virDomainPtr dom, remote_nonnull_domain *wire)
{
    wire->name = dom->name;
    memcpy(wire->uuid, dom->uuid, VIR_UUID_BUFLEN);
    wire->id = dom->id;
}

static virDomainPtr
remoteDomainFromWire(virConnectPtr conn, const remote_nonnull_domain *wire)
{
    return domainHandleNew(conn, wire->name, (const unsigned char *)wire->uuid,
                           wire->id);
}

/* A NULL-able string argument (remote_string) pointing at @str. */
#define REMOTE_STRING(str) ((str) ? (char **)&(str) : NULL)

/*
 * Converts a typed-parameter list from the wire (at most @limit entries)
 * into a new array the application frees with virTypedParamsFree.
 */
static int
remoteTypedParamsFromWire(const remote_typed_param *wire, u_int n, int limit,
                          virTypedParameterPtr *retParams, int *retN)
{
    virTypedParameterPtr params = NULL;
    u_int i;

    if (n > (u_int)limit) {
        reportError(VIR_ERR_RPC, _("too many parameters '%1$u' for limit '%2$d'"),
                    n, limit);
        return -1;
    }
    params = g_new0(virTypedParameter, MAX(n, 1));
    for (i = 0; i < n; i++) {
        const remote_typed_param_value *val = &wire[i].value;

        if (g_strlcpy(params[i].field, wire[i].field, VIR_TYPED_PARAM_FIELD_LENGTH) >=
            VIR_TYPED_PARAM_FIELD_LENGTH) {
            reportError(VIR_ERR_RPC, _("parameter name '%1$s' too long"),
                        wire[i].field);
            goto error;
        }
        params[i].type = val->type;
        switch (val->type) {
        case VIR_TYPED_PARAM_INT:
            params[i].value.i = val->remote_typed_param_value_u.i;
            break;
        case VIR_TYPED_PARAM_UINT:
            params[i].value.ui = val->remote_typed_param_value_u.ui;
            break;
        case VIR_TYPED_PARAM_LLONG:
            params[i].value.l = val->remote_typed_param_value_u.l;
            break;
        case VIR_TYPED_PARAM_ULLONG:
            params[i].value.ul = val->remote_typed_param_value_u.ul;
            break;
        case VIR_TYPED_PARAM_DOUBLE:
            params[i].value.d = val->remote_typed_param_value_u.d;
            break;
        case VIR_TYPED_PARAM_BOOLEAN:
            params[i].value.b = val->remote_typed_param_value_u.b != 0;
            break;
        case VIR_TYPED_PARAM_STRING:
            params[i].value.s = g_strdup(val->remote_typed_param_value_u.s);
            break;
        default:
            params[i].type = 0;
            reportError(VIR_ERR_RPC, _("unknown parameter type: %1$d"), val->type);
            goto error;
        }
    }
    *retParams = params;
    *retN = (int)n;
    return 0;

 error:
    virTypedParamsFree(params, (int)i);
    return -1;
}

/* --- events ---------------------------------------------------------- */

/*
 * Is @callbackID the daemon's registration for @eventID?  While a
 * registration is in flight (-1), its first events may be read before its
 * reply is processed: they are accepted, and reach only local callbacks
 * that exist.
 */
static bool
remoteEventIsCurrent(RemotePrivate *priv, int eventID, int callbackID)
{
    int current = g_atomic_int_get(&priv->remoteIDs[eventID]);

    if (current >= 0 && current != callbackID) {
        LOG_DEBUG("event %d for stale callback %d (current %d), ignoring",
                  eventID, callbackID, current);
        return false;
    }
    return true;
}

static void
remoteEventLifecycle(RemotePrivate *priv, const remote_domain_event_lifecycle_msg *msg)
{
    domainEventStateQueue(priv->events,
                          domainEventLifecycleNew(msg->dom.name,
                                                  (const unsigned char *)msg->dom.uuid,
                                                  msg->dom.id, msg->event,
                                                  msg->detail));
}

static void
remoteEventReboot(RemotePrivate *priv, const remote_nonnull_domain *dom)
{
    domainEventStateQueue(priv->events,
                          domainEventRebootNew(dom->name,
                                               (const unsigned char *)dom->uuid,
                                               dom->id));
}

/* Queues an event of a DomainEventFields ID sent to daemon callback @callbackID. */
static void
remoteEventFields(RemotePrivate *priv, int eventID, int callbackID,
                  const remote_nonnull_domain *dom, const DomainEventFields *fields)
{
    if (!remoteEventIsCurrent(priv, eventID, callbackID))
        return;
    domainEventStateQueue(priv->events,
                          domainEventFieldsNew(eventID, dom->name,
                                               (const unsigned char *)dom->uuid, dom->id,
                                               fields, NULL, 0));
}

/*
 * Decodes an event packet into priv->events' queue (delivery happens on
 * the application's event loop).  Runs with the client's lock held, on
 * whichever thread read the packet: only atomics and the event state's
 * own lock are used.
 */
static void
remoteHandleMessage(RpcClient *client G_GNUC_UNUSED, RpcMessage *msg,
                    void *opaque)
{
    RemotePrivate *priv = opaque;
    int proc = msg->header.proc;

    if (msg->header.prog != REMOTE_PROGRAM ||
        msg->header.vers != REMOTE_PROTOCOL_VERSION) {
        LOG_DEBUG("message for program %x version %u, ignoring",
                  msg->header.prog, msg->header.vers);
        return;
    }

#define REMOTE_DECODE_MSG(type, var) \
    type var; \
    memset(&var, 0, sizeof(var)); \
    if (rpcMessageDecodePayload(msg, (xdrproc_t)xdr_##type, &var) < 0) \
        goto bad

    switch (proc) {
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE: {
        REMOTE_DECODE_MSG(remote_domain_event_callback_lifecycle_msg, ev);
        if (remoteEventIsCurrent(priv, VIR_DOMAIN_EVENT_ID_LIFECYCLE, ev.callbackID))
            remoteEventLifecycle(priv, &ev.msg);
        REMOTE_FREE(remote_domain_event_callback_lifecycle_msg, &ev);
        break;
    }
    case REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE: {
        REMOTE_DECODE_MSG(remote_domain_event_lifecycle_msg, ev);
        if (!priv->serverEventCallback)
            remoteEventLifecycle(priv, &ev);
        REMOTE_FREE(remote_domain_event_lifecycle_msg, &ev);
        break;
    }
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT: {
        REMOTE_DECODE_MSG(remote_domain_event_callback_reboot_msg, ev);
        if (remoteEventIsCurrent(priv, VIR_DOMAIN_EVENT_ID_REBOOT, ev.callbackID))
            remoteEventReboot(priv, &ev.msg.dom);
        REMOTE_FREE(remote_domain_event_callback_reboot_msg, &ev);
        break;
    }
    case REMOTE_PROC_DOMAIN_EVENT_REBOOT: {
        REMOTE_DECODE_MSG(remote_domain_event_reboot_msg, ev);
        if (!priv->serverEventCallback)
            remoteEventReboot(priv, &ev.dom);
        REMOTE_FREE(remote_domain_event_reboot_msg, &ev);
        break;
    }
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION: {
        REMOTE_DECODE_MSG(remote_domain_event_callback_migration_iteration_msg, ev);
        if (remoteEventIsCurrent(priv, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
                                 ev.callbackID))
            domainEventStateQueue(priv->events,
                                  domainEventMigrationIterationNew(
                                      ev.dom.name, (const unsigned char *)ev.dom.uuid,
                                      ev.dom.id, ev.iteration));
        REMOTE_FREE(remote_domain_event_callback_migration_iteration_msg, &ev);
        break;
    }
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED: {
        virTypedParameterPtr params = NULL;
        int nparams = 0;
        REMOTE_DECODE_MSG(remote_domain_event_callback_job_completed_msg, ev);

        if (remoteEventIsCurrent(priv, VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, ev.callbackID)) {
            if (remoteTypedParamsFromWire(ev.params.params_val, ev.params.params_len,
                                          REMOTE_DOMAIN_JOB_STATS_MAX,
                                          &params, &nparams) < 0) {
                REMOTE_FREE(remote_domain_event_callback_job_completed_msg, &ev);
                goto bad;
            }
            domainEventStateQueue(priv->events,
                                  domainEventJobCompletedNew(
                                      ev.dom.name, (const unsigned char *)ev.dom.uuid,
                                      ev.dom.id, params, nparams));
        }
        REMOTE_FREE(remote_domain_event_callback_job_completed_msg, &ev);
        break;
    }
    /* The others: decoded into DomainEventFields (see domain_event.h). */
#define REMOTE_EVENT_CASE(PROC, type, ID, domexpr, ...) \
    case REMOTE_PROC_##PROC: { \
        DomainEventFields f = {0}; \
        REMOTE_DECODE_MSG(type, ev); \
        __VA_ARGS__; \
        remoteEventFields(priv, VIR_DOMAIN_EVENT_ID_##ID, ev.callbackID, &(domexpr), &f); \
        REMOTE_FREE(type, &ev); \
        break; \
    }
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_RTC_CHANGE, remote_domain_event_callback_rtc_change_msg,
                      RTC_CHANGE, ev.msg.dom, f.ll = ev.msg.offset)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_WATCHDOG, remote_domain_event_callback_watchdog_msg,
                      WATCHDOG, ev.msg.dom, f.i1 = ev.msg.action)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_IO_ERROR, remote_domain_event_callback_io_error_msg,
                      IO_ERROR, ev.msg.dom,
                      f.s1 = ev.msg.srcPath; f.s2 = ev.msg.devAlias; f.i1 = ev.msg.action)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_IO_ERROR_REASON,
                      remote_domain_event_callback_io_error_reason_msg, IO_ERROR_REASON,
                      ev.msg.dom,
                      f.s1 = ev.msg.srcPath; f.s2 = ev.msg.devAlias; f.i1 = ev.msg.action;
                      f.s3 = ev.msg.reason)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_CONTROL_ERROR,
                      remote_domain_event_callback_control_error_msg, CONTROL_ERROR,
                      ev.msg.dom, (void)0)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_BLOCK_JOB, remote_domain_event_callback_block_job_msg,
                      BLOCK_JOB, ev.msg.dom,
                      f.s1 = ev.msg.path; f.i1 = ev.msg.type; f.i2 = ev.msg.status)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_BLOCK_JOB_2, remote_domain_event_block_job_2_msg,
                      BLOCK_JOB_2, ev.dom, f.s1 = ev.dst; f.i1 = ev.type; f.i2 = ev.status)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_DISK_CHANGE,
                      remote_domain_event_callback_disk_change_msg, DISK_CHANGE, ev.msg.dom,
                      f.s1 = ev.msg.oldSrcPath ? *ev.msg.oldSrcPath : NULL;
                      f.s2 = ev.msg.newSrcPath ? *ev.msg.newSrcPath : NULL;
                      f.s3 = ev.msg.devAlias; f.i1 = ev.msg.reason)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_TRAY_CHANGE,
                      remote_domain_event_callback_tray_change_msg, TRAY_CHANGE, ev.msg.dom,
                      f.s1 = ev.msg.devAlias; f.i1 = ev.msg.reason)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_PMWAKEUP, remote_domain_event_callback_pmwakeup_msg,
                      PMWAKEUP, ev.msg.dom, f.i1 = ev.reason)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_PMSUSPEND, remote_domain_event_callback_pmsuspend_msg,
                      PMSUSPEND, ev.msg.dom, f.i1 = ev.reason)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_PMSUSPEND_DISK,
                      remote_domain_event_callback_pmsuspend_disk_msg, PMSUSPEND_DISK,
                      ev.msg.dom, f.i1 = ev.reason)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_BALLOON_CHANGE,
                      remote_domain_event_callback_balloon_change_msg, BALLOON_CHANGE,
                      ev.msg.dom, f.ull1 = ev.msg.actual)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED,
                      remote_domain_event_callback_device_removed_msg, DEVICE_REMOVED,
                      ev.msg.dom, f.s1 = ev.msg.devAlias)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_DEVICE_ADDED,
                      remote_domain_event_callback_device_added_msg, DEVICE_ADDED, ev.dom,
                      f.s1 = ev.devAlias)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_DEVICE_REMOVAL_FAILED,
                      remote_domain_event_callback_device_removal_failed_msg,
                      DEVICE_REMOVAL_FAILED, ev.dom, f.s1 = ev.devAlias)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE,
                      remote_domain_event_callback_agent_lifecycle_msg, AGENT_LIFECYCLE, ev.dom,
                      f.i1 = ev.state; f.i2 = ev.reason)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_CALLBACK_METADATA_CHANGE,
                      remote_domain_event_callback_metadata_change_msg, METADATA_CHANGE, ev.dom,
                      f.i1 = ev.type; f.s1 = ev.nsuri ? *ev.nsuri : NULL)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_BLOCK_THRESHOLD, remote_domain_event_block_threshold_msg,
                      BLOCK_THRESHOLD, ev.dom,
                      f.s1 = ev.dev; f.s2 = ev.path ? *ev.path : NULL; f.ull1 = ev.threshold;
                      f.ull2 = ev.excess)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_MEMORY_FAILURE, remote_domain_event_memory_failure_msg,
                      MEMORY_FAILURE, ev.dom,
                      f.i1 = ev.recipient; f.i2 = ev.action; f.u1 = ev.flags)
    REMOTE_EVENT_CASE(DOMAIN_EVENT_MEMORY_DEVICE_SIZE_CHANGE,
                      remote_domain_event_memory_device_size_change_msg,
                      MEMORY_DEVICE_SIZE_CHANGE, ev.dom, f.s1 = ev.alias; f.ull1 = ev.size)
#undef REMOTE_EVENT_CASE
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_GRAPHICS: {
        virDomainEventGraphicsAddress local;
        virDomainEventGraphicsAddress remote;
        virDomainEventGraphicsSubject subject;
        g_autofree virDomainEventGraphicsSubjectIdentity *ids = NULL;
        u_int i;
        REMOTE_DECODE_MSG(remote_domain_event_callback_graphics_msg, ev);

        if (remoteEventIsCurrent(priv, VIR_DOMAIN_EVENT_ID_GRAPHICS, ev.callbackID)) {
            local.family = ev.msg.local.family;
            local.node = ev.msg.local.node;
            local.service = ev.msg.local.service;
            remote.family = ev.msg.remote.family;
            remote.node = ev.msg.remote.node;
            remote.service = ev.msg.remote.service;
            ids = g_new0(virDomainEventGraphicsSubjectIdentity, MAX(ev.msg.subject.subject_len, 1));
            for (i = 0; i < ev.msg.subject.subject_len; i++) {
                ids[i].type = ev.msg.subject.subject_val[i].type;
                ids[i].name = ev.msg.subject.subject_val[i].name;
            }
            subject.nidentity = (int)ev.msg.subject.subject_len;
            subject.identities = ids;
            domainEventStateQueue(priv->events,
                                  domainEventGraphicsNew(ev.msg.dom.name,
                                                         (const unsigned char *)ev.msg.dom.uuid,
                                                         ev.msg.dom.id, ev.msg.phase, &local,
                                                         &remote, ev.msg.authScheme, &subject));
        }
        REMOTE_FREE(remote_domain_event_callback_graphics_msg, &ev);
        break;
    }
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_TUNABLE: {
        virTypedParameterPtr params = NULL;
        int nparams = 0;
        DomainEventFields f = {0};
        REMOTE_DECODE_MSG(remote_domain_event_callback_tunable_msg, ev);

        if (remoteEventIsCurrent(priv, VIR_DOMAIN_EVENT_ID_TUNABLE, ev.callbackID)) {
            if (remoteTypedParamsFromWire(ev.params.params_val, ev.params.params_len,
                                          REMOTE_DOMAIN_EVENT_TUNABLE_MAX,
                                          &params, &nparams) < 0) {
                REMOTE_FREE(remote_domain_event_callback_tunable_msg, &ev);
                goto bad;
            }
            domainEventStateQueue(priv->events,
                                  domainEventFieldsNew(VIR_DOMAIN_EVENT_ID_TUNABLE, ev.dom.name,
                                                       (const unsigned char *)ev.dom.uuid,
                                                       ev.dom.id, &f, params, nparams));
        }
        REMOTE_FREE(remote_domain_event_callback_tunable_msg, &ev);
        break;
    }
    default:
        LOG_DEBUG("no handler for event procedure %d, ignoring", proc);
        break;
    }
#undef REMOTE_DECODE_MSG
    return;

 bad:
    /* A bad event must not leave an error on the thread that read it. */
    LOG_DEBUG("event procedure %d dropped: %s", proc,
              errorGetSlot()->message ? errorGetSlot()->message : "");
    errorReset();
}

/* --- opening ------------------------------------------------------------ */

/* Query parameters for the remote driver itself, left out of the name sent to the daemon. */
static const char *const remoteOwnParams[] = {
    "name", "command", "socket", "auth", "netcat", "keyfile", "no_verify",
    "no_tty", "pkipath", "known_hosts", "known_hosts_verify", "sshauth",
    "tls_priority", "mode", "proxy", "authfile", "keepalive_interval",
    "keepalive_count",
};

static bool
remoteIsOwnParam(const char *name)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(remoteOwnParams); i++) {
        if (streq(remoteOwnParams[i], name))
            return true;
    }
    return strPrefix(name, "no_");
}

/*
 * The URI the daemon opens: @uri without the transport, host, user,
 * port and the remote driver's own parameters; "" for the "remote"
 * scheme (the daemon picks its default); ?name= wins.
 */
static char *
remoteDaemonURI(const ParsedUri *uri, const char *driver)
{
    const char *name = uriGetParam(uri, "name");
    g_autofree UriParam *params = NULL;
    ParsedUri tmp = {0};
    size_t i;

    if (name)
        return g_strdup(name);
    if (streq(driver, "remote"))
        return g_strdup("");

    params = g_new0(UriParam, MAX(uri->nparams, 1));
    for (i = 0; i < uri->nparams; i++) {
        params[i] = uri->params[i];
        if (remoteIsOwnParam(params[i].name))
            params[i].ignore = true;
    }
    tmp.scheme = (char *)driver;
    tmp.path = uri->path;
    tmp.query = uri->query;
    tmp.fragment = uri->fragment;
    tmp.nparams = uri->nparams;
    tmp.params = params;
    return uriFormat(&tmp);
}

/*
 * The daemon's unix socket for a local URI: the system daemon's, or the
 * user's session daemon's for "/session" URIs and for non-root users on
 * anything but "/system".
 */
static char *
remoteDefaultSocket(const ParsedUri *uri, bool readOnly)
{
    const char *name = readOnly ? REMOTE_SOCKET_NAME_RO : REMOTE_SOCKET_NAME;
    bool session = streq(uri->path ? uri->path : "", "/session") ||
        (geteuid() != 0 && !streq(uri->path ? uri->path : "", "/system"));

    if (!session)
        return g_build_filename(REMOTE_SYSTEM_SOCKET_DIR, name, NULL);
    return g_build_filename(g_get_user_runtime_dir(), "virtkit", name, NULL);
}

typedef enum {
    REMOTE_TRANSPORT_UNIX,
    REMOTE_TRANSPORT_TCP,
    REMOTE_TRANSPORT_TLS,
    REMOTE_TRANSPORT_SSH,
    REMOTE_TRANSPORT_EXT,
    REMOTE_TRANSPORT_LIBSSH2,
    REMOTE_TRANSPORT_LIBSSH,
    REMOTE_TRANSPORT_LAST,
} RemoteTransport;

static const char *const remoteTransportNames[REMOTE_TRANSPORT_LAST] = {
    "unix", "tcp", "tls", "ssh", "ext", "libssh2", "libssh",
};
G_STATIC_ASSERT(G_N_ELEMENTS(remoteTransportNames) == REMOTE_TRANSPORT_LAST);

static int
remoteTransportFromString(const char *name)
{
    size_t i;

    for (i = 0; i < REMOTE_TRANSPORT_LAST; i++) {
        if (g_ascii_strcasecmp(remoteTransportNames[i], name) == 0)
            return (int)i;
    }
    return -1;
}

/* Parses an integer URI parameter; absent leaves *@ret alone. */
static int
remoteParamInt(const ParsedUri *uri, const char *name, int *ret)
{
    const char *value = uriGetParam(uri, name);

    if (!value)
        return 0;
    if (strParseInt(value, 10, ret) < 0) {
        reportError(VIR_ERR_INVALID_ARG,
                    _("invalid value '%1$s' for URI parameter '%2$s'"), value, name);
        return -1;
    }
    return 0;
}

/*
 * The client's TLS credentials, where libvirt's client looks for them:
 * ?pkipath=DIR (cacert.pem, clientcert.pem, clientkey.pem); else, for a
 * non-root user who has them, ~/.pki/libvirt/; else /etc/pki.  The
 * server's certificate and host name are checked unless ?no_verify=1.
 */
static RpcTLSContext *
remoteTLSContextNew(const ParsedUri *uri)
{
    const char *pkipath = uriGetParam(uri, "pkipath");
    g_autofree char *userDir = NULL;
    g_autofree char *ca = NULL;
    g_autofree char *cert = NULL;
    g_autofree char *key = NULL;
    int noVerify = 0;

    if (remoteParamInt(uri, "no_verify", &noVerify) < 0)
        return NULL;
    if (!pkipath && geteuid() != 0) {
        userDir = g_build_filename(g_get_home_dir(), ".pki", "libvirt", NULL);
        cert = g_build_filename(userDir, RPC_TLS_PKI_CERT, NULL);
        if (g_file_test(cert, G_FILE_TEST_EXISTS))
            pkipath = userDir;
        g_clear_pointer(&cert, g_free);
    }
    if (pkipath) {
        ca = g_build_filename(pkipath, RPC_TLS_PKI_CA, NULL);
        cert = g_build_filename(pkipath, RPC_TLS_PKI_CERT, NULL);
        key = g_build_filename(pkipath, RPC_TLS_PKI_KEY, NULL);
        /* A user directory without its own CA uses the system's. */
        if (userDir && !g_file_test(ca, G_FILE_TEST_EXISTS))
            g_free(g_steal_pointer(&ca));
    }
    if (!ca)
        ca = g_strdup(RPC_TLS_CA_CERT);
    if (!cert)
        cert = g_strdup(RPC_TLS_CLIENT_CERT);
    if (!key)
        key = g_strdup(RPC_TLS_CLIENT_KEY);
    return rpcTLSContextNewClient(ca, cert, key, noVerify == 0, uriGetParam(uri, "tls_priority"));
}

/* AUTH_LIST: only "none" is spoken so far; no auth at all is fine too. */
static int
remoteAuthenticate(RemotePrivate *priv)
{
    remote_auth_list_ret ret = {0};
    int rc = -1;
    u_int i;

    if (REMOTE_CALL_NOARGS(priv, REMOTE_PROC_AUTH_LIST, remote_auth_list_ret, &ret) < 0) {
        /* Daemons without authentication do not know the call. */
        if (errorGetCode() == VIR_ERR_NO_SUPPORT) {
            errorReset();
            return 0;
        }
        return -1;
    }
    if (ret.types.types_len == 0) {
        rc = 0;
        goto cleanup;
    }
    for (i = 0; i < ret.types.types_len; i++) {
        if (ret.types.types_val[i] == REMOTE_AUTH_NONE) {
            rc = 0;
            goto cleanup;
        }
    }
    reportError(VIR_ERR_AUTH_FAILED, _("unsupported authentication type %1$d"),
                (int)ret.types.types_val[0]);

 cleanup:
    REMOTE_FREE(remote_auth_list_ret, &ret);
    return rc;
}

/* CONNECT_SUPPORTS_FEATURE: 1 / 0, or -1 on error. */
static int
remoteSupportsFeature(RemotePrivate *priv, int feature)
{
    remote_connect_supports_feature_args args = { .feature = feature };
    remote_connect_supports_feature_ret ret = {0};

    if (REMOTE_CALL(priv, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                    remote_connect_supports_feature_args, &args,
                    remote_connect_supports_feature_ret, &ret) < 0)
        return -1;
    return ret.supported ? 1 : 0;
}

/* The call sequence of libvirt's client once the socket is connected. */
static int
remoteOpenSession(RemotePrivate *priv, const char *name, unsigned int rflags)
{
    remote_connect_open_args args = {0};
    int rc;

    if (remoteAuthenticate(priv) < 0)
        return -1;

    /* Asked before CONNECT_OPEN: the daemon starts its own keepalive. */
    if ((rc = remoteSupportsFeature(priv, REMOTE_FEATURE_PROGRAM_KEEPALIVE)) < 0)
        return -1;
    priv->serverKeepAlive = rc > 0;

    args.name = REMOTE_STRING(name);
    args.flags = rflags;
    if (REMOTE_CALL_NORET(priv, REMOTE_PROC_CONNECT_OPEN, remote_connect_open_args,
                          &args) < 0)
        return -1;

    /* The daemon chose the URI: learn which. */
    if (!*name) {
        remote_connect_get_uri_ret ret = {0};

        if (REMOTE_CALL_NOARGS(priv, REMOTE_PROC_CONNECT_GET_URI,
                               remote_connect_get_uri_ret, &ret) < 0)
            return -1;
        priv->uri = g_strdup(ret.uri);
        REMOTE_FREE(remote_connect_get_uri_ret, &ret);
    }

    if ((rc = remoteSupportsFeature(priv, REMOTE_FEATURE_REMOTE_EVENT_CALLBACK)) < 0)
        return -1;
    priv->serverEventCallback = rc > 0;
    if ((rc = remoteSupportsFeature(priv, REMOTE_FEATURE_REMOTE_CLOSE_CALLBACK)) < 0)
        return -1;
    priv->serverCloseCallback = rc > 0;
    return 0;
}

static DrvOpenStatus
remoteConnectOpen(virConnectPtr conn, ParsedUri *uri,
                  virConnectAuthPtr auth G_GNUC_UNUSED, unsigned int flags)
{
    g_autofree char *transportName = NULL;
    g_autofree char *driver = NULL;
    g_autofree char *name = NULL;
    g_autofree char *socketPath = NULL;
    RemotePrivate *priv = NULL;
    const char *mode = NULL;
    unsigned int rflags = 0;
    int transport;
    int kaInterval = -1;
    int kaCount = 5;

    checkFlags(flags, VIR_CONNECT_RO | VIR_CONNECT_NO_ALIASES, DRV_OPEN_ERROR);

    if (!uri || !uri->scheme)
        return DRV_OPEN_DECLINED;
    transportName = uriSchemeTransport(uri);
    driver = uriSchemeDriver(uri);

    if (transportName) {
        if ((transport = remoteTransportFromString(transportName)) < 0) {
            reportError(VIR_ERR_INVALID_ARG,
                        _("remote_open: transport in URL not recognised (should be %1$s)"),
                        "tls|unix|ssh|ext|tcp|libssh2|libssh");
            return DRV_OPEN_ERROR;
        }
    } else if (uri->server && *uri->server) {
        /* A host without a transport means TLS, as in libvirt. */
        transport = REMOTE_TRANSPORT_TLS;
    } else {
        /*
         * The local daemon, for drivers not running in this process.  In
         * virtkitd (daemon mode) such a URI names one of its own drivers:
         * decline, the daemon must never connect to itself.
         */
        if (daemonModeIsActive() || g_atomic_int_get(&remoteInsideDaemon))
            return DRV_OPEN_DECLINED;
        transport = REMOTE_TRANSPORT_UNIX;
    }

    if (transport != REMOTE_TRANSPORT_UNIX && transport != REMOTE_TRANSPORT_TCP &&
        transport != REMOTE_TRANSPORT_TLS) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("transport '%1$s' is not supported yet by the remote driver"),
                    remoteTransportNames[transport]);
        return DRV_OPEN_ERROR;
    }
    if (transport == REMOTE_TRANSPORT_UNIX && uri->server && *uri->server) {
        reportError(VIR_ERR_INVALID_ARG,
                    _("using unix socket and remote server '%1$s' is not supported."),
                    uri->server);
        return DRV_OPEN_ERROR;
    }

    if ((mode = uriGetParam(uri, "mode")) &&
        !streq(mode, "auto") && !streq(mode, "legacy") && !streq(mode, "direct")) {
        reportError(VIR_ERR_INVALID_ARG, _("Unknown remote mode '%1$s'"), mode);
        return DRV_OPEN_ERROR;
    }
    if (remoteParamInt(uri, "keepalive_interval", &kaInterval) < 0 ||
        remoteParamInt(uri, "keepalive_count", &kaCount) < 0)
        return DRV_OPEN_ERROR;
    if (kaCount < 0) {
        reportError(VIR_ERR_INVALID_ARG,
                    _("invalid value '%1$d' for URI parameter '%2$s'"), kaCount,
                    "keepalive_count");
        return DRV_OPEN_ERROR;
    }

    name = remoteDaemonURI(uri, driver);
    if (flags & VIR_CONNECT_RO)
        rflags |= REMOTE_CONNECT_OPEN_RO;

    priv = remotePrivateNew();
    if (transport == REMOTE_TRANSPORT_UNIX) {
        const char *sock = uriGetParam(uri, "socket");

        if (sock) {
            socketPath = g_strdup(sock);
        } else {
            socketPath = remoteDefaultSocket(uri, flags & VIR_CONNECT_RO);
            if (streq(uri->path ? uri->path : "", "/session"))
                rflags |= REMOTE_CONNECT_OPEN_USER;
        }
        LOG_DEBUG("connecting to '%s' for '%s'", socketPath, name);
        priv->client = rpcClientNewUnix(socketPath);
    } else if (transport == REMOTE_TRANSPORT_TLS) {
        g_autoptr(RpcTLSContext) tls = NULL;
        g_autofree char *port = uri->port > 0 ? g_strdup_printf("%d", uri->port)
                                              : g_strdup(REMOTE_TLS_PORT);

        if (!uri->server || !*uri->server) {
            reportError(VIR_ERR_INVALID_ARG, "%s",
                        _("remote_open: for 'tls' transport, hostname must be specified"));
            goto error;
        }
        LOG_DEBUG("connecting with TLS to '%s:%s' for '%s'", uri->server, port, name);
        if ((tls = remoteTLSContextNew(uri)))
            priv->client = rpcClientNewTLS(uri->server, port, tls);
    } else {
        g_autofree char *port = uri->port > 0 ? g_strdup_printf("%d", uri->port)
                                              : g_strdup(REMOTE_TCP_PORT);

        LOG_DEBUG("connecting to '%s:%s' for '%s'", uri->server, port, name);
        priv->client = rpcClientNewTCP(uri->server, port);
    }
    if (!priv->client)
        goto error;
    /*
     * A URI without transport names a driver that is not in this process:
     * if the local daemon turns out to be this process, that driver is
     * not here at all (never call ourselves; remoteDriverSetInsideDaemon
     * says so without connecting).
     */
    if (!transportName && rpcClientIsSelfConnection(priv->client)) {
        LOG_DEBUG("'%s' leads back to this process, declining", socketPath);
        remotePrivateFree(priv);
        return DRV_OPEN_DECLINED;
    }
    rpcClientSetMessageHandler(priv->client, remoteHandleMessage, priv);
    rpcClientSetCloseCallback(priv->client, remoteClientClosed,
                              remoteCloseStateRef(priv->closeState),
                              remoteCloseStateUnref);

    if (remoteOpenSession(priv, name, rflags) < 0)
        goto error;

    if (kaInterval > 0 && priv->serverKeepAlive && eventHaveImpl() &&
        rpcClientKeepAliveStart(priv->client, kaInterval, (unsigned int)kaCount) < 0)
        goto error;

    conn->privateData = priv;
    return DRV_OPEN_SUCCESS;

 error:
    remotePrivateFree(priv);
    return DRV_OPEN_ERROR;
}

static int
remoteConnectClose(virConnectPtr conn)
{
    RemotePrivate *priv = CONN_PRIV(conn);
    int ret = 0;

    if (!priv)
        return 0;
    if (rpcClientIsOpen(priv->client) &&
        remoteCall(priv, REMOTE_PROC_CONNECT_CLOSE, NULL, NULL, NULL, NULL) < 0)
        ret = -1;
    domainEventStateDeregisterConn(priv->events, conn);
    conn->privateData = NULL;
    remotePrivateFree(priv);
    return ret;
}

/**
 * remoteConnectSetKeepAlive:
 * @conn: a remote connection
 * @interval: seconds between PINGs when the daemon is silent; <= 0 stops
 * @count: PINGs without an answer before the connection is closed
 *
 * virConnectSetKeepAlive for remote connections, as libvirt: needs an
 * event loop implementation; a daemon without the keepalive program
 * makes it a no-op.
 *
 * Returns: 0 when started (or stopped), 1 when the daemon does not
 * support keepalive, -1 with an error reported.
 */
int
remoteConnectSetKeepAlive(virConnectPtr conn, int interval, unsigned int count)
{
    RemotePrivate *priv = CONN_PRIV(conn);

    if (!eventHaveImpl()) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                    _("keepalive needs an event loop implementation"));
        return -1;
    }
    if (!priv->serverKeepAlive)
        return 1;
    return rpcClientKeepAliveStart(priv->client, interval, count);
}

/**
 * remoteDriverSetInsideDaemon:
 * @inside: true in virtkitd
 *
 * In the daemon, URIs without a transport or host name its own drivers:
 * the remote driver declines them instead of connecting to the daemon
 * itself.  URIs naming a transport or host still go out (peer-to-peer
 * migration).
 */
void
remoteDriverSetInsideDaemon(bool inside)
{
    g_atomic_int_set(&remoteInsideDaemon, inside ? 1 : 0);
}

/* --- connection queries --------------------------------------------------- */

static const char *
remoteConnectGetType(virConnectPtr conn)
{
    RemotePrivate *priv = CONN_PRIV(conn);
    remote_connect_get_type_ret ret = {0};
    const char *type = NULL;

    mutexLock(&priv->lock);
    type = priv->type;
    mutexUnlock(&priv->lock);
    if (type)
        return type;

    if (REMOTE_CALL_NOARGS(priv, REMOTE_PROC_CONNECT_GET_TYPE,
                           remote_connect_get_type_ret, &ret) < 0)
        return NULL;
    mutexLock(&priv->lock);
    if (!priv->type)
        priv->type = g_strdup(ret.type);
    type = priv->type;
    mutexUnlock(&priv->lock);
    REMOTE_FREE(remote_connect_get_type_ret, &ret);
    return type;
}

static int
remoteConnectGetVersion(virConnectPtr conn, unsigned long *hvVer)
{
    remote_connect_get_version_ret ret = {0};

    if (REMOTE_CALL_NOARGS(CONN_PRIV(conn), REMOTE_PROC_CONNECT_GET_VERSION,
                           remote_connect_get_version_ret, &ret) < 0)
        return -1;
    *hvVer = ret.hv_ver;
    return 0;
}

static int
remoteConnectGetLibVersion(virConnectPtr conn, unsigned long *libVer)
{
    remote_connect_get_lib_version_ret ret = {0};

    if (REMOTE_CALL_NOARGS(CONN_PRIV(conn), REMOTE_PROC_CONNECT_GET_LIB_VERSION,
                           remote_connect_get_lib_version_ret, &ret) < 0)
        return -1;
    *libVer = ret.lib_ver;
    return 0;
}

static char *
remoteConnectGetHostname(virConnectPtr conn)
{
    remote_connect_get_hostname_ret ret = {0};

    if (REMOTE_CALL_NOARGS(CONN_PRIV(conn), REMOTE_PROC_CONNECT_GET_HOSTNAME,
                           remote_connect_get_hostname_ret, &ret) < 0)
        return NULL;
    return g_steal_pointer(&ret.hostname);
}

/* As libvirt: no call when the application named the URI. */
static char *
remoteConnectGetURI(virConnectPtr conn)
{
    RemotePrivate *priv = CONN_PRIV(conn);

    return g_strdup(priv->uri ? priv->uri : conn->uriString);
}

static char *
remoteConnectGetCapabilities(virConnectPtr conn)
{
    remote_connect_get_capabilities_ret ret = {0};

    if (REMOTE_CALL_NOARGS(CONN_PRIV(conn), REMOTE_PROC_CONNECT_GET_CAPABILITIES,
                           remote_connect_get_capabilities_ret, &ret) < 0)
        return NULL;
    return g_steal_pointer(&ret.capabilities);
}

static int
remoteConnectGetMaxVcpus(virConnectPtr conn, const char *type)
{
    remote_connect_get_max_vcpus_args args = { .type = REMOTE_STRING(type) };
    remote_connect_get_max_vcpus_ret ret = {0};

    if (REMOTE_CALL(CONN_PRIV(conn), REMOTE_PROC_CONNECT_GET_MAX_VCPUS,
                    remote_connect_get_max_vcpus_args, &args,
                    remote_connect_get_max_vcpus_ret, &ret) < 0)
        return -1;
    return ret.max_vcpus;
}

static char *
remoteConnectGetDomainCapabilities(virConnectPtr conn, const char *emulatorbin, const char *arch,
                                   const char *machine, const char *virttype, unsigned int flags)
{
    remote_connect_get_domain_capabilities_args args = {
        .emulatorbin = REMOTE_STRING(emulatorbin),
        .arch = REMOTE_STRING(arch),
        .machine = REMOTE_STRING(machine),
        .virttype = REMOTE_STRING(virttype),
        .flags = flags,
    };
    remote_connect_get_domain_capabilities_ret ret = {0};

    if (REMOTE_CALL(CONN_PRIV(conn), REMOTE_PROC_CONNECT_GET_DOMAIN_CAPABILITIES,
                    remote_connect_get_domain_capabilities_args, &args,
                    remote_connect_get_domain_capabilities_ret, &ret) < 0)
        return NULL;
    return g_steal_pointer(&ret.capabilities);
}

/* QEMU_PROGRAM (libvirt-qemu.h), on the same connection. */
static int
remoteDomainQemuMonitorCommand(virDomainPtr dom, const char *cmd, char **result,
                               unsigned int flags)
{
    qemu_domain_monitor_command_args args = { .cmd = (char *)cmd, .flags = flags };
    qemu_domain_monitor_command_ret ret = {0};

    if (!cmd) {
        reportInvalidArg("cmd", _("%1$s in %2$s must not be NULL"), "cmd",
                         "virDomainQemuMonitorCommand");
        return -1;
    }
    remoteDomainToWire(dom, &args.dom);
    if (rpcClientCall(DOM_PRIV(dom)->client, QEMU_PROGRAM, QEMU_PROTOCOL_VERSION,
                      QEMU_PROC_DOMAIN_MONITOR_COMMAND,
                      (xdrproc_t)xdr_qemu_domain_monitor_command_args, &args,
                      (xdrproc_t)xdr_qemu_domain_monitor_command_ret, &ret) < 0)
        return -1;
    *result = g_steal_pointer(&ret.result);
    return 0;
}

static int
remoteConnectIsAlive(virConnectPtr conn)
{
    return rpcClientIsOpen(CONN_PRIV(conn)->client) ? 1 : 0;
}

/* Secure when the daemon's side is and the way there is private. */
static int
remoteConnectIsSecure(virConnectPtr conn)
{
    RemotePrivate *priv = CONN_PRIV(conn);
    remote_connect_is_secure_ret ret = {0};

    if (REMOTE_CALL_NOARGS(priv, REMOTE_PROC_CONNECT_IS_SECURE,
                           remote_connect_is_secure_ret, &ret) < 0)
        return -1;
    return ret.secure && (rpcClientIsEncrypted(priv->client) ||
                          rpcClientIsLocal(priv->client)) ? 1 : 0;
}

static int
remoteConnectIsEncrypted(virConnectPtr conn)
{
    return rpcClientIsEncrypted(CONN_PRIV(conn)->client) ? 1 : 0;
}

static int
remoteConnectRegisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb,
                                   void *opaque, virFreeCallback freecb)
{
    RemotePrivate *priv = CONN_PRIV(conn);
    RemoteCloseState *state = priv->closeState;
    bool busy;
    int ret = -1;

    mutexLock(&priv->registerLock);
    mutexLock(&state->lock);
    busy = state->cb != NULL;
    mutexUnlock(&state->lock);
    if (busy) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("A close callback is already registered"));
        goto cleanup;
    }
    if (priv->serverCloseCallback &&
        remoteCall(priv, REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK,
                   NULL, NULL, NULL, NULL) < 0)
        goto cleanup;

    mutexLock(&state->lock);
    state->conn = connectRef(conn);
    state->cb = cb;
    state->opaque = opaque;
    state->freecb = freecb;
    mutexUnlock(&state->lock);
    ret = 0;

 cleanup:
    mutexUnlock(&priv->registerLock);
    return ret;
}

static int
remoteConnectUnregisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb)
{
    RemotePrivate *priv = CONN_PRIV(conn);
    RemoteCloseState *state = priv->closeState;
    virConnectPtr held = NULL;
    virConnectCloseFunc oldCb = NULL;
    void *oldOpaque = NULL;
    virFreeCallback oldFreecb = NULL;
    bool match;
    int ret = -1;

    mutexLock(&priv->registerLock);
    mutexLock(&state->lock);
    match = state->cb == cb;
    mutexUnlock(&state->lock);
    if (!match) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("A different callback was requested"));
        goto cleanup;
    }
    if (priv->serverCloseCallback && rpcClientIsOpen(priv->client) &&
        remoteCall(priv, REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK,
                   NULL, NULL, NULL, NULL) < 0)
        goto cleanup;

    mutexLock(&state->lock);
    remoteCloseStateTakeLocked(state, &held, &oldCb, &oldOpaque, &oldFreecb);
    mutexUnlock(&state->lock);
    ret = 0;

 cleanup:
    mutexUnlock(&priv->registerLock);
    if (oldFreecb)
        oldFreecb(oldOpaque);
    connectUnref(held);
    return ret;
}

/* --- node ----------------------------------------------------------------- */

static int
remoteNodeGetInfo(virConnectPtr conn, virNodeInfoPtr info)
{
    remote_node_get_info_ret ret = {0};

    if (REMOTE_CALL_NOARGS(CONN_PRIV(conn), REMOTE_PROC_NODE_GET_INFO,
                           remote_node_get_info_ret, &ret) < 0)
        return -1;
    G_STATIC_ASSERT(sizeof(info->model) == sizeof(ret.model));
    memcpy(info->model, ret.model, sizeof(info->model));
    info->model[sizeof(info->model) - 1] = '\0';
    info->memory = ret.memory;
    info->cpus = ret.cpus;
    info->mhz = ret.mhz;
    info->nodes = ret.nodes;
    info->sockets = ret.sockets;
    info->cores = ret.cores;
    info->threads = ret.threads;
    return 0;
}

/* Copies a counted char array (NUL included) into a fixed buffer. */
static int
remoteCopyCharArray(char *dst, size_t dstSize, const char *src, u_int len,
                    const char *what)
{
    if (len > dstSize) {
        reportError(VIR_ERR_RPC, _("%1$s exceeds maximum: %2$zu"), what, dstSize - 1);
        return -1;
    }
    memset(dst, 0, dstSize);
    if (len > 0)
        memcpy(dst, src, len);
    dst[dstSize - 1] = '\0';
    return 0;
}

static int
remoteNodeGetSecurityModel(virConnectPtr conn, virSecurityModelPtr secmodel)
{
    remote_node_get_security_model_ret ret = {0};
    int rc = -1;

    if (REMOTE_CALL_NOARGS(CONN_PRIV(conn), REMOTE_PROC_NODE_GET_SECURITY_MODEL,
                           remote_node_get_security_model_ret, &ret) < 0)
        return -1;
    if (remoteCopyCharArray(secmodel->model, sizeof(secmodel->model),
                            ret.model.model_val, ret.model.model_len,
                            "security model") < 0 ||
        remoteCopyCharArray(secmodel->doi, sizeof(secmodel->doi),
                            ret.doi.doi_val, ret.doi.doi_len,
                            "security doi") < 0)
        goto cleanup;
    rc = 0;

 cleanup:
    REMOTE_FREE(remote_node_get_security_model_ret, &ret);
    return rc;
}

static unsigned long long
remoteNodeGetFreeMemory(virConnectPtr conn)
{
    remote_node_get_free_memory_ret ret = {0};

    if (REMOTE_CALL_NOARGS(CONN_PRIV(conn), REMOTE_PROC_NODE_GET_FREE_MEMORY,
                           remote_node_get_free_memory_ret, &ret) < 0)
        return 0;
    return ret.freeMem;
}

/* --- listing ------------------------------------------------------------ */

/*
 * The reply of CONNECT_LIST_ALL_DOMAINS, decoded straight into handles
 * by remoteDomainListingXdr instead of into a
 * remote_connect_list_all_domains_ret whose names would be copied into
 * the handles and freed again.
 */
typedef struct {
    virConnectPtr conn;  /* the handles' connection (not referenced) */
    virDomainPtr *doms;  /* NULL-terminated, owned with each handle */
    u_int ndoms;
    u_int ret;
} RemoteDomainListing;

/*
 * XDR routine for a RemoteDomainListing: reads the bytes
 * xdr_remote_connect_list_all_domains_ret reads, with the same limits
 * (count, then name, uuid and id of each domain, then the number of
 * matching domains).  XDR_FREE releases the
 * handles and the array; encoding is not supported (a client only
 * receives this reply).
 */
static bool_t
remoteDomainListingXdr(XDR *xdrs, RemoteDomainListing *listing)
{
    u_int count;
    u_int i;

    if (xdrs->x_op == XDR_FREE) {
        for (i = 0; i < listing->ndoms; i++)
            domainHandleUnref(listing->doms[i]);
        g_clear_pointer(&listing->doms, g_free);
        listing->ndoms = 0;
        return TRUE;
    }
    if (xdrs->x_op != XDR_DECODE)
        return FALSE;

    if (!xdr_u_int(xdrs, &count) || count > REMOTE_DOMAIN_LIST_MAX)
        return FALSE;
    listing->doms = g_new0(virDomainPtr, count + 1);
    for (i = 0; i < count; i++) {
        g_autofree char *name = NULL;
        unsigned char uuid[VIR_UUID_BUFLEN];
        const char *rec;
        u_int len;
        u_int padded;
        int32_t id;

        /* A remote_nonnull_string: length (at most REMOTE_STRING_MAX), bytes, padding. */
        if (!xdr_u_int(xdrs, &len) || len > REMOTE_STRING_MAX)
            return FALSE;
        /*
         * The rest of the record (name, padding, uuid, id) in one piece
         * when the stream is a buffer holding all of it (our packets);
         * xdr_opaque would read the same bytes, padding unchecked.
         */
        padded = (len + BYTES_PER_XDR_UNIT - 1) & ~(u_int)(BYTES_PER_XDR_UNIT - 1);
        /* (len <= REMOTE_STRING_MAX: the size fits in an int.) */
        if ((rec = (const char *)xdr_inline(xdrs, (int)(padded + VIR_UUID_BUFLEN + 4)))) {
            uint32_t be;

            memcpy(&be, rec + padded + VIR_UUID_BUFLEN, sizeof(be));
            id = (int32_t)GUINT32_FROM_BE(be);
            listing->doms[i] = domainHandleNewLen(listing->conn, rec, len,
                                                  (const unsigned char *)rec + padded, id);
            listing->ndoms = i + 1;
            continue;
        }
        /* Another stream, or a packet cut short (then xdr_opaque fails). */
        name = g_malloc(len + 1);
        if (!xdr_opaque(xdrs, name, len))
            return FALSE;
        name[len] = '\0';
        if (!xdr_opaque(xdrs, (char *)uuid, VIR_UUID_BUFLEN) || !xdr_int(xdrs, &id))
            return FALSE;
        listing->doms[i] = domainHandleNew(listing->conn, name, uuid, id);
        listing->ndoms = i + 1;
    }
    return xdr_u_int(xdrs, &listing->ret);
}

static int
remoteConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains,
                            unsigned int flags)
{
    remote_connect_list_all_domains_args args = {
        .need_results = domains != NULL,
        .flags = flags,
    };
    RemoteDomainListing ret = { .conn = conn };
    int n;

    if (remoteCall(CONN_PRIV(conn), REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
                   (xdrproc_t)xdr_remote_connect_list_all_domains_args, &args,
                   (xdrproc_t)remoteDomainListingXdr, &ret) < 0)
        return -1;
    if (ret.ret > REMOTE_DOMAIN_LIST_MAX) {
        reportError(VIR_ERR_RPC, _("too many domains '%1$u' for limit '%2$d'"),
                    ret.ret, REMOTE_DOMAIN_LIST_MAX);
        xdr_free((xdrproc_t)remoteDomainListingXdr, (char *)&ret);
        return -1;
    }
    n = (int)ret.ret;
    if (domains) {
        if (!ret.doms)
            ret.doms = g_new0(virDomainPtr, 1);
        n = (int)ret.ndoms;
        *domains = g_steal_pointer(&ret.doms);
        ret.ndoms = 0;
    }
    xdr_free((xdrproc_t)remoteDomainListingXdr, (char *)&ret);
    return n;
}

static int
remoteConnectNumOfDomains(virConnectPtr conn)
{
    remote_connect_num_of_domains_ret ret = {0};

    if (REMOTE_CALL_NOARGS(CONN_PRIV(conn), REMOTE_PROC_CONNECT_NUM_OF_DOMAINS,
                           remote_connect_num_of_domains_ret, &ret) < 0)
        return -1;
    return ret.num;
}

static int
remoteConnectListDomains(virConnectPtr conn, int *ids, int maxids)
{
    remote_connect_list_domains_args args = { .maxids = maxids };
    remote_connect_list_domains_ret ret = {0};
    u_int i;
    int rc = -1;

    if (maxids > REMOTE_DOMAIN_LIST_MAX) {
        reportError(VIR_ERR_RPC, _("Too many domain IDs '%1$d' for limit '%2$d'"),
                    maxids, REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    if (REMOTE_CALL(CONN_PRIV(conn), REMOTE_PROC_CONNECT_LIST_DOMAINS,
                    remote_connect_list_domains_args, &args,
                    remote_connect_list_domains_ret, &ret) < 0)
        return -1;
    if (ret.ids.ids_len > (u_int)maxids) {
        reportError(VIR_ERR_RPC, _("Too many domain IDs '%1$u' for limit '%2$d'"),
                    ret.ids.ids_len, maxids);
        goto cleanup;
    }
    for (i = 0; i < ret.ids.ids_len; i++)
        ids[i] = ret.ids.ids_val[i];
    rc = (int)ret.ids.ids_len;

 cleanup:
    REMOTE_FREE(remote_connect_list_domains_ret, &ret);
    return rc;
}

static int
remoteConnectNumOfDefinedDomains(virConnectPtr conn)
{
    remote_connect_num_of_defined_domains_ret ret = {0};

    if (REMOTE_CALL_NOARGS(CONN_PRIV(conn), REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS,
                           remote_connect_num_of_defined_domains_ret, &ret) < 0)
        return -1;
    return ret.num;
}

static int
remoteConnectListDefinedDomains(virConnectPtr conn, char **const names,
                                int maxnames)
{
    remote_connect_list_defined_domains_args args = { .maxnames = maxnames };
    remote_connect_list_defined_domains_ret ret = {0};
    u_int i;
    int rc = -1;

    if (maxnames > REMOTE_DOMAIN_LIST_MAX) {
        reportError(VIR_ERR_RPC, _("Too many domain names '%1$d' for limit '%2$d'"),
                    maxnames, REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    if (REMOTE_CALL(CONN_PRIV(conn), REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS,
                    remote_connect_list_defined_domains_args, &args,
                    remote_connect_list_defined_domains_ret, &ret) < 0)
        return -1;
    if (ret.names.names_len > (u_int)maxnames) {
        reportError(VIR_ERR_RPC, _("Too many domain names '%1$u' for limit '%2$d'"),
                    ret.names.names_len, maxnames);
        goto cleanup;
    }
    for (i = 0; i < ret.names.names_len; i++)
        names[i] = g_strdup(ret.names.names_val[i]);
    rc = (int)ret.names.names_len;

 cleanup:
    REMOTE_FREE(remote_connect_list_defined_domains_ret, &ret);
    return rc;
}

/* --- lookups and definitions --------------------------------------------- */

/* Turns a reply carrying one domain into a handle and frees the reply. */
#define REMOTE_RET_DOMAIN(conn, type, ret) \
    do { \
        virDomainPtr dom_ = remoteDomainFromWire((conn), &(ret).dom); \
        REMOTE_FREE(type, &(ret)); \
        return dom_; \
    } while (0)

static virDomainPtr
remoteDomainLookupByName(virConnectPtr conn, const char *name)
{
    remote_domain_lookup_by_name_args args = { .name = (char *)name };
    remote_domain_lookup_by_name_ret ret = {0};

    if (REMOTE_CALL(CONN_PRIV(conn), REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                    remote_domain_lookup_by_name_args, &args,
                    remote_domain_lookup_by_name_ret, &ret) < 0)
        return NULL;
    REMOTE_RET_DOMAIN(conn, remote_domain_lookup_by_name_ret, ret);
}

static virDomainPtr
remoteDomainLookupByUUID(virConnectPtr conn, const unsigned char *uuid)
{
    remote_domain_lookup_by_uuid_args args;
    remote_domain_lookup_by_uuid_ret ret = {0};

    memcpy(args.uuid, uuid, VIR_UUID_BUFLEN);
    if (REMOTE_CALL(CONN_PRIV(conn), REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID,
                    remote_domain_lookup_by_uuid_args, &args,
                    remote_domain_lookup_by_uuid_ret, &ret) < 0)
        return NULL;
    REMOTE_RET_DOMAIN(conn, remote_domain_lookup_by_uuid_ret, ret);
}

static virDomainPtr
remoteDomainLookupByID(virConnectPtr conn, int id)
{
    remote_domain_lookup_by_id_args args = { .id = id };
    remote_domain_lookup_by_id_ret ret = {0};

    if (REMOTE_CALL(CONN_PRIV(conn), REMOTE_PROC_DOMAIN_LOOKUP_BY_ID,
                    remote_domain_lookup_by_id_args, &args,
                    remote_domain_lookup_by_id_ret, &ret) < 0)
        return NULL;
    REMOTE_RET_DOMAIN(conn, remote_domain_lookup_by_id_ret, ret);
}

/* virDomainDefineXML's procedure without flags, as libvirt's client sends. */
static virDomainPtr
remoteDomainDefineXMLFlags(virConnectPtr conn, const char *xml,
                           unsigned int flags)
{
    if (flags == 0) {
        remote_domain_define_xml_args args = { .xml = (char *)xml };
        remote_domain_define_xml_ret ret = {0};

        if (REMOTE_CALL(CONN_PRIV(conn), REMOTE_PROC_DOMAIN_DEFINE_XML,
                        remote_domain_define_xml_args, &args,
                        remote_domain_define_xml_ret, &ret) < 0)
            return NULL;
        REMOTE_RET_DOMAIN(conn, remote_domain_define_xml_ret, ret);
    } else {
        remote_domain_define_xml_flags_args args = {
            .xml = (char *)xml,
            .flags = flags,
        };
        remote_domain_define_xml_flags_ret ret = {0};

        if (REMOTE_CALL(CONN_PRIV(conn), REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS,
                        remote_domain_define_xml_flags_args, &args,
                        remote_domain_define_xml_flags_ret, &ret) < 0)
            return NULL;
        REMOTE_RET_DOMAIN(conn, remote_domain_define_xml_flags_ret, ret);
    }
}

static virDomainPtr
remoteDomainCreateXML(virConnectPtr conn, const char *xml, unsigned int flags)
{
    remote_domain_create_xml_args args = {
        .xml_desc = (char *)xml,
        .flags = flags,
    };
    remote_domain_create_xml_ret ret = {0};

    if (REMOTE_CALL(CONN_PRIV(conn), REMOTE_PROC_DOMAIN_CREATE_XML,
                    remote_domain_create_xml_args, &args,
                    remote_domain_create_xml_ret, &ret) < 0)
        return NULL;
    REMOTE_RET_DOMAIN(conn, remote_domain_create_xml_ret, ret);
}

static int
remoteDomainUndefineFlags(virDomainPtr dom, unsigned int flags)
{
    if (flags == 0) {
        remote_domain_undefine_args args;

        remoteDomainToWire(dom, &args.dom);
        return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_UNDEFINE,
                                 remote_domain_undefine_args, &args);
    } else {
        remote_domain_undefine_flags_args args = { .flags = flags };

        remoteDomainToWire(dom, &args.dom);
        return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS,
                                 remote_domain_undefine_flags_args, &args);
    }
}

/* --- lifecycle ------------------------------------------------------------- */

/*
 * CREATE_WITH_FLAGS also for flags 0: it returns the new id in the same
 * round trip (DOMAIN_CREATE returns nothing and needs a lookup after).
 */
static int
remoteDomainCreateWithFlags(virDomainPtr dom, unsigned int flags)
{
    remote_domain_create_with_flags_args args = { .flags = flags };
    remote_domain_create_with_flags_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS,
                    remote_domain_create_with_flags_args, &args,
                    remote_domain_create_with_flags_ret, &ret) < 0)
        return -1;
    dom->id = ret.dom.id;
    REMOTE_FREE(remote_domain_create_with_flags_ret, &ret);
    return 0;
}

static int
remoteDomainDestroyFlags(virDomainPtr dom, unsigned int flags)
{
    int rc;

    if (flags == 0) {
        remote_domain_destroy_args args;

        remoteDomainToWire(dom, &args.dom);
        rc = REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_DESTROY,
                               remote_domain_destroy_args, &args);
    } else {
        remote_domain_destroy_flags_args args = { .flags = flags };

        remoteDomainToWire(dom, &args.dom);
        rc = REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_DESTROY_FLAGS,
                               remote_domain_destroy_flags_args, &args);
    }
    if (rc == 0)
        dom->id = -1;
    return rc;
}

static int
remoteDomainShutdownFlags(virDomainPtr dom, unsigned int flags)
{
    if (flags == 0) {
        remote_domain_shutdown_args args;

        remoteDomainToWire(dom, &args.dom);
        return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_SHUTDOWN,
                                 remote_domain_shutdown_args, &args);
    } else {
        remote_domain_shutdown_flags_args args = { .flags = flags };

        remoteDomainToWire(dom, &args.dom);
        return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS,
                                 remote_domain_shutdown_flags_args, &args);
    }
}

static int
remoteDomainReboot(virDomainPtr dom, unsigned int flags)
{
    remote_domain_reboot_args args = { .flags = flags };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_REBOOT,
                             remote_domain_reboot_args, &args);
}

static int
remoteDomainReset(virDomainPtr dom, unsigned int flags)
{
    remote_domain_reset_args args = { .flags = flags };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_RESET,
                             remote_domain_reset_args, &args);
}

static int
remoteDomainSuspend(virDomainPtr dom)
{
    remote_domain_suspend_args args;

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_SUSPEND,
                             remote_domain_suspend_args, &args);
}

static int
remoteDomainResume(virDomainPtr dom)
{
    remote_domain_resume_args args;

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_RESUME,
                             remote_domain_resume_args, &args);
}

/* --- domain information --------------------------------------------------- */

static int
remoteDomainGetInfo(virDomainPtr dom, virDomainInfoPtr info)
{
    remote_domain_get_info_args args;
    remote_domain_get_info_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_GET_INFO,
                    remote_domain_get_info_args, &args,
                    remote_domain_get_info_ret, &ret) < 0)
        return -1;
    info->state = ret.state;
    info->maxMem = ret.maxMem;
    info->memory = ret.memory;
    info->nrVirtCpu = ret.nrVirtCpu;
    info->cpuTime = ret.cpuTime;
    return 0;
}

static int
remoteDomainGetState(virDomainPtr dom, int *state, int *reason,
                     unsigned int flags)
{
    remote_domain_get_state_args args = { .flags = flags };
    remote_domain_get_state_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_GET_STATE,
                    remote_domain_get_state_args, &args,
                    remote_domain_get_state_ret, &ret) < 0)
        return -1;
    *state = ret.state;
    if (reason)
        *reason = ret.reason;
    return 0;
}

static char *
remoteDomainGetXMLDesc(virDomainPtr dom, unsigned int flags)
{
    remote_domain_get_xml_desc_args args = { .flags = flags };
    remote_domain_get_xml_desc_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_GET_XML_DESC,
                    remote_domain_get_xml_desc_args, &args,
                    remote_domain_get_xml_desc_ret, &ret) < 0)
        return NULL;
    return g_steal_pointer(&ret.xml);
}

static char *
remoteDomainGetOSType(virDomainPtr dom)
{
    remote_domain_get_os_type_args args;
    remote_domain_get_os_type_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_GET_OS_TYPE,
                    remote_domain_get_os_type_args, &args,
                    remote_domain_get_os_type_ret, &ret) < 0)
        return NULL;
    return g_steal_pointer(&ret.type);
}

/* Streams: src/remote/remote_driver_stream.c. */
static int
remoteDomainOpenConsole(virDomainPtr dom, const char *dev_name, virStreamPtr st,
                        unsigned int flags)
{
    return remoteDriverOpenConsole(DOM_PRIV(dom)->client, dom, dev_name, st, flags);
}

static char *
remoteDomainScreenshot(virDomainPtr dom, virStreamPtr st, unsigned int screen,
                       unsigned int flags)
{
    return remoteDriverScreenshot(DOM_PRIV(dom)->client, dom, st, screen, flags);
}

static unsigned long
remoteDomainGetMaxMemory(virDomainPtr dom)
{
    remote_domain_get_max_memory_args args;
    remote_domain_get_max_memory_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_GET_MAX_MEMORY,
                    remote_domain_get_max_memory_args, &args,
                    remote_domain_get_max_memory_ret, &ret) < 0)
        return 0;
    return ret.memory;
}

/*
 * The flags procedures serve virDomainSetMemory / virDomainSetVcpus too:
 * the entry points pass VIR_DOMAIN_AFFECT_LIVE, which is what the daemon
 * does with the flag-less calls.
 */
static int
remoteDomainSetMemoryFlags(virDomainPtr dom, unsigned long memory,
                           unsigned int flags)
{
    remote_domain_set_memory_flags_args args = {
        .memory = memory,
        .flags = flags,
    };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_SET_MEMORY_FLAGS,
                             remote_domain_set_memory_flags_args, &args);
}

static int
remoteDomainSetMaxMemory(virDomainPtr dom, unsigned long memory)
{
    remote_domain_set_max_memory_args args = { .memory = memory };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_SET_MAX_MEMORY,
                             remote_domain_set_max_memory_args, &args);
}

static int
remoteDomainSetVcpusFlags(virDomainPtr dom, unsigned int nvcpus,
                          unsigned int flags)
{
    remote_domain_set_vcpus_flags_args args = {
        .nvcpus = nvcpus,
        .flags = flags,
    };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_SET_VCPUS_FLAGS,
                             remote_domain_set_vcpus_flags_args, &args);
}

static int
remoteDomainGetVcpusFlags(virDomainPtr dom, unsigned int flags)
{
    remote_domain_get_vcpus_flags_args args = { .flags = flags };
    remote_domain_get_vcpus_flags_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_GET_VCPUS_FLAGS,
                    remote_domain_get_vcpus_flags_args, &args,
                    remote_domain_get_vcpus_flags_ret, &ret) < 0)
        return -1;
    return ret.num;
}

static int
remoteDomainGetMaxVcpus(virDomainPtr dom)
{
    remote_domain_get_max_vcpus_args args;
    remote_domain_get_max_vcpus_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_GET_MAX_VCPUS,
                    remote_domain_get_max_vcpus_args, &args,
                    remote_domain_get_max_vcpus_ret, &ret) < 0)
        return -1;
    return ret.num;
}

static int
remoteDomainIsActive(virDomainPtr dom)
{
    remote_domain_is_active_args args;
    remote_domain_is_active_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_IS_ACTIVE,
                    remote_domain_is_active_args, &args,
                    remote_domain_is_active_ret, &ret) < 0)
        return -1;
    return ret.active;
}

static int
remoteDomainIsPersistent(virDomainPtr dom)
{
    remote_domain_is_persistent_args args;
    remote_domain_is_persistent_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_IS_PERSISTENT,
                    remote_domain_is_persistent_args, &args,
                    remote_domain_is_persistent_ret, &ret) < 0)
        return -1;
    return ret.persistent;
}

static int
remoteDomainIsUpdated(virDomainPtr dom)
{
    remote_domain_is_updated_args args;
    remote_domain_is_updated_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_IS_UPDATED,
                    remote_domain_is_updated_args, &args,
                    remote_domain_is_updated_ret, &ret) < 0)
        return -1;
    return ret.updated;
}

static int
remoteDomainGetAutostart(virDomainPtr dom, int *autostart)
{
    remote_domain_get_autostart_args args;
    remote_domain_get_autostart_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_GET_AUTOSTART,
                    remote_domain_get_autostart_args, &args,
                    remote_domain_get_autostart_ret, &ret) < 0)
        return -1;
    *autostart = ret.autostart;
    return 0;
}

static int
remoteDomainSetAutostart(virDomainPtr dom, int autostart)
{
    remote_domain_set_autostart_args args = { .autostart = autostart };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_SET_AUTOSTART,
                             remote_domain_set_autostart_args, &args);
}

static int
remoteDomainHasManagedSaveImage(virDomainPtr dom, unsigned int flags)
{
    remote_domain_has_managed_save_image_args args = { .flags = flags };
    remote_domain_has_managed_save_image_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE,
                    remote_domain_has_managed_save_image_args, &args,
                    remote_domain_has_managed_save_image_ret, &ret) < 0)
        return -1;
    return ret.result;
}

/* --- save / restore (issue #6) -------------------------------------------- */

/* Without XML and flags the old procedures, as libvirt's client uses them. */
static int
remoteDomainSaveFlags(virDomainPtr dom, const char *to, const char *dxml,
                      unsigned int flags)
{
    if (!dxml && flags == 0) {
        remote_domain_save_args args = { .to = (char *)to };

        remoteDomainToWire(dom, &args.dom);
        return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_SAVE,
                                 remote_domain_save_args, &args);
    } else {
        remote_domain_save_flags_args args = {
            .to = (char *)to,
            .dxml = REMOTE_STRING(dxml),
            .flags = flags,
        };

        remoteDomainToWire(dom, &args.dom);
        return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_SAVE_FLAGS,
                                 remote_domain_save_flags_args, &args);
    }
}

static int
remoteDomainRestoreFlags(virConnectPtr conn, const char *from, const char *dxml,
                         unsigned int flags)
{
    if (!dxml && flags == 0) {
        remote_domain_restore_args args = { .from = (char *)from };

        return REMOTE_CALL_NORET(CONN_PRIV(conn), REMOTE_PROC_DOMAIN_RESTORE,
                                 remote_domain_restore_args, &args);
    } else {
        remote_domain_restore_flags_args args = {
            .from = (char *)from,
            .dxml = REMOTE_STRING(dxml),
            .flags = flags,
        };

        return REMOTE_CALL_NORET(CONN_PRIV(conn), REMOTE_PROC_DOMAIN_RESTORE_FLAGS,
                                 remote_domain_restore_flags_args, &args);
    }
}

static char *
remoteDomainSaveImageGetXMLDesc(virConnectPtr conn, const char *file,
                                unsigned int flags)
{
    remote_domain_save_image_get_xml_desc_args args = {
        .file = (char *)file,
        .flags = flags,
    };
    remote_domain_save_image_get_xml_desc_ret ret = {0};

    if (REMOTE_CALL(CONN_PRIV(conn), REMOTE_PROC_DOMAIN_SAVE_IMAGE_GET_XML_DESC,
                    remote_domain_save_image_get_xml_desc_args, &args,
                    remote_domain_save_image_get_xml_desc_ret, &ret) < 0)
        return NULL;
    return ret.xml;
}

static int
remoteDomainSaveImageDefineXML(virConnectPtr conn, const char *file,
                               const char *dxml, unsigned int flags)
{
    remote_domain_save_image_define_xml_args args = {
        .file = (char *)file,
        .dxml = (char *)dxml,
        .flags = flags,
    };

    return REMOTE_CALL_NORET(CONN_PRIV(conn), REMOTE_PROC_DOMAIN_SAVE_IMAGE_DEFINE_XML,
                             remote_domain_save_image_define_xml_args, &args);
}

static int
remoteDomainManagedSave(virDomainPtr dom, unsigned int flags)
{
    remote_domain_managed_save_args args = { .flags = flags };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_MANAGED_SAVE,
                             remote_domain_managed_save_args, &args);
}

static int
remoteDomainManagedSaveRemove(virDomainPtr dom, unsigned int flags)
{
    remote_domain_managed_save_remove_args args = { .flags = flags };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_MANAGED_SAVE_REMOVE,
                             remote_domain_managed_save_remove_args, &args);
}

/* Core dumps: each entry point has its own procedure, as in libvirt's client. */
static int
remoteDomainCoreDump(virDomainPtr dom, const char *to, unsigned int flags)
{
    remote_domain_core_dump_args args = { .to = (char *)to, .flags = flags };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_CORE_DUMP,
                             remote_domain_core_dump_args, &args);
}

static int
remoteDomainCoreDumpWithFormat(virDomainPtr dom, const char *to, unsigned int dumpformat,
                               unsigned int flags)
{
    remote_domain_core_dump_with_format_args args = {
        .to = (char *)to,
        .dumpformat = dumpformat,
        .flags = flags,
    };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_CORE_DUMP_WITH_FORMAT,
                             remote_domain_core_dump_with_format_args, &args);
}

static int
remoteDomainGetSecurityLabel(virDomainPtr dom, virSecurityLabelPtr seclabel)
{
    remote_domain_get_security_label_args args;
    remote_domain_get_security_label_ret ret = {0};
    int rc = -1;

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL,
                    remote_domain_get_security_label_args, &args,
                    remote_domain_get_security_label_ret, &ret) < 0)
        return -1;
    if (remoteCopyCharArray(seclabel->label, sizeof(seclabel->label),
                            ret.label.label_val, ret.label.label_len,
                            "security label") < 0)
        goto cleanup;
    seclabel->enforcing = ret.enforcing;
    rc = 0;

 cleanup:
    REMOTE_FREE(remote_domain_get_security_label_ret, &ret);
    return rc;
}

static char *
remoteDomainGetMetadata(virDomainPtr dom, int type, const char *uri,
                        unsigned int flags)
{
    remote_domain_get_metadata_args args = {
        .type = type,
        .uri = REMOTE_STRING(uri),
        .flags = flags,
    };
    remote_domain_get_metadata_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_GET_METADATA,
                    remote_domain_get_metadata_args, &args,
                    remote_domain_get_metadata_ret, &ret) < 0)
        return NULL;
    return g_steal_pointer(&ret.metadata);
}

static int
remoteDomainSetMetadata(virDomainPtr dom, int type, const char *metadata,
                        const char *key, const char *uri, unsigned int flags)
{
    remote_domain_set_metadata_args args = {
        .type = type,
        .metadata = REMOTE_STRING(metadata),
        .key = REMOTE_STRING(key),
        .uri = REMOTE_STRING(uri),
        .flags = flags,
    };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_SET_METADATA,
                             remote_domain_set_metadata_args, &args);
}

/* --- jobs ------------------------------------------------------------------ */

static int
remoteDomainGetJobInfo(virDomainPtr dom, virDomainJobInfoPtr info)
{
    remote_domain_get_job_info_args args;
    remote_domain_get_job_info_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_GET_JOB_INFO,
                    remote_domain_get_job_info_args, &args,
                    remote_domain_get_job_info_ret, &ret) < 0)
        return -1;
    info->type = ret.type;
    info->timeElapsed = ret.timeElapsed;
    info->timeRemaining = ret.timeRemaining;
    info->dataTotal = ret.dataTotal;
    info->dataProcessed = ret.dataProcessed;
    info->dataRemaining = ret.dataRemaining;
    info->memTotal = ret.memTotal;
    info->memProcessed = ret.memProcessed;
    info->memRemaining = ret.memRemaining;
    info->fileTotal = ret.fileTotal;
    info->fileProcessed = ret.fileProcessed;
    info->fileRemaining = ret.fileRemaining;
    return 0;
}

static int
remoteDomainGetJobStats(virDomainPtr dom, int *type,
                        virTypedParameterPtr *params, int *nparams,
                        unsigned int flags)
{
    remote_domain_get_job_stats_args args = { .flags = flags };
    remote_domain_get_job_stats_ret ret = {0};
    int rc = -1;

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_GET_JOB_STATS,
                    remote_domain_get_job_stats_args, &args,
                    remote_domain_get_job_stats_ret, &ret) < 0)
        return -1;
    if (remoteTypedParamsFromWire(ret.params.params_val, ret.params.params_len,
                                  REMOTE_DOMAIN_JOB_STATS_MAX, params, nparams) < 0)
        goto cleanup;
    *type = ret.type;
    rc = 0;

 cleanup:
    REMOTE_FREE(remote_domain_get_job_stats_ret, &ret);
    return rc;
}

static int
remoteDomainAbortJob(virDomainPtr dom)
{
    remote_domain_abort_job_args args;

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_ABORT_JOB,
                             remote_domain_abort_job_args, &args);
}

static int
remoteDomainAbortJobFlags(virDomainPtr dom, unsigned int flags)
{
    remote_domain_abort_job_flags_args args = { .flags = flags };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_ABORT_JOB_FLAGS,
                             remote_domain_abort_job_flags_args, &args);
}

/* --- migration (the v3 steps with typed parameters, tunables) ------------ */

/* libvirt's feature numbers for our DrvFeature values (0: none). */
static int
remoteFeatureToWire(int feature)
{
    switch ((DrvFeature)feature) {
    case DRV_FEATURE_MIGRATION_V3:
        return REMOTE_FEATURE_MIGRATION_V3;
    case DRV_FEATURE_MIGRATION_PARAMS:
        return REMOTE_FEATURE_MIGRATION_PARAMS;
    case DRV_FEATURE_MIGRATION_P2P:
        return REMOTE_FEATURE_MIGRATION_P2P;
    case DRV_FEATURE_MIGRATION_DIRECT:
        return REMOTE_FEATURE_MIGRATION_DIRECT;
    case DRV_FEATURE_MIGRATION_OFFLINE:
        return REMOTE_FEATURE_MIGRATION_OFFLINE;
    case DRV_FEATURE_MIGRATION_CHANGE_PROTECTION:
        return REMOTE_FEATURE_MIGRATE_CHANGE_PROTECTION;
    }
    return 0;
}

static int
remoteConnectSupportsFeature(virConnectPtr conn, int feature)
{
    int wire = remoteFeatureToWire(feature);

    if (!wire)
        return 0;
    return remoteSupportsFeature(CONN_PRIV(conn), wire);
}

/*
 * Typed parameters for the wire (at most @limit); the result borrows the
 * field names and strings of @params and is freed with g_free.
 */
static int
remoteTypedParamsToWire(virTypedParameterPtr params, int nparams, int limit,
                        remote_typed_param **retVal, u_int *retLen)
{
    remote_typed_param *val;
    int i;

    if (nparams < 0 || nparams > limit) {
        reportError(VIR_ERR_RPC, _("too many migration parameters '%1$d' for limit '%2$d'"),
                    nparams, limit);
        return -1;
    }
    val = g_new0(remote_typed_param, MAX(nparams, 1));
    for (i = 0; i < nparams; i++) {
        remote_typed_param_value *v = &val[i].value;

        val[i].field = params[i].field;
        v->type = params[i].type;
        switch (params[i].type) {
        case VIR_TYPED_PARAM_INT:
            v->remote_typed_param_value_u.i = params[i].value.i;
            break;
        case VIR_TYPED_PARAM_UINT:
            v->remote_typed_param_value_u.ui = params[i].value.ui;
            break;
        case VIR_TYPED_PARAM_LLONG:
            v->remote_typed_param_value_u.l = params[i].value.l;
            break;
        case VIR_TYPED_PARAM_ULLONG:
            v->remote_typed_param_value_u.ul = params[i].value.ul;
            break;
        case VIR_TYPED_PARAM_DOUBLE:
            v->remote_typed_param_value_u.d = params[i].value.d;
            break;
        case VIR_TYPED_PARAM_BOOLEAN:
            v->remote_typed_param_value_u.b = params[i].value.b;
            break;
        case VIR_TYPED_PARAM_STRING:
            v->remote_typed_param_value_u.s = params[i].value.s ? params[i].value.s : (char *)"";
            break;
        default:
            g_free(val);
            reportError(VIR_ERR_RPC, _("unknown parameter type: %1$d"), params[i].type);
            return -1;
        }
    }
    *retVal = val;
    *retLen = (u_int)nparams;
    return 0;
}

/* The output cookie of a reply, moved to the caller (may be NULL). */
static void
remoteCookieOut(char **val, u_int len, char **cookieout, int *cookieoutlen)
{
    if (cookieout && cookieoutlen && len > 0) {
        *cookieout = g_memdup2(*val, len);
        *cookieoutlen = (int)len;
    }
}

#define REMOTE_COOKIE_IN(args, cookie, len) \
    do { \
        (args).cookie_in.cookie_in_val = (char *)(cookie); \
        (args).cookie_in.cookie_in_len = (cookie) && (len) > 0 ? (u_int)(len) : 0; \
    } while (0)

static char *
remoteDomainMigrateBegin3Params(virDomainPtr dom, virTypedParameterPtr params,
                                int nparams, char **cookieout,
                                int *cookieoutlen, unsigned int flags)
{
    remote_domain_migrate_begin3_params_args args = { .flags = flags };
    remote_domain_migrate_begin3_params_ret ret = {0};
    g_autofree remote_typed_param *wire = NULL;
    char *xml;

    if (remoteTypedParamsToWire(params, nparams, REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX,
                                &wire, &args.params.params_len) < 0)
        return NULL;
    args.params.params_val = wire;
    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3_PARAMS,
                    remote_domain_migrate_begin3_params_args, &args,
                    remote_domain_migrate_begin3_params_ret, &ret) < 0)
        return NULL;
    remoteCookieOut(&ret.cookie_out.cookie_out_val, ret.cookie_out.cookie_out_len,
                    cookieout, cookieoutlen);
    xml = g_steal_pointer(&ret.xml);
    REMOTE_FREE(remote_domain_migrate_begin3_params_ret, &ret);
    return xml;
}

static int
remoteDomainMigratePrepare3Params(virConnectPtr dconn, virTypedParameterPtr params,
                                  int nparams, const char *cookiein, int cookieinlen,
                                  char **cookieout, int *cookieoutlen, char **uriOut,
                                  unsigned int flags)
{
    remote_domain_migrate_prepare3_params_args args = { .flags = flags };
    remote_domain_migrate_prepare3_params_ret ret = {0};
    g_autofree remote_typed_param *wire = NULL;

    if (remoteTypedParamsToWire(params, nparams, REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX,
                                &wire, &args.params.params_len) < 0)
        return -1;
    args.params.params_val = wire;
    REMOTE_COOKIE_IN(args, cookiein, cookieinlen);
    if (REMOTE_CALL(CONN_PRIV(dconn), REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS,
                    remote_domain_migrate_prepare3_params_args, &args,
                    remote_domain_migrate_prepare3_params_ret, &ret) < 0)
        return -1;
    remoteCookieOut(&ret.cookie_out.cookie_out_val, ret.cookie_out.cookie_out_len,
                    cookieout, cookieoutlen);
    if (uriOut && ret.uri_out)
        *uriOut = g_strdup(*ret.uri_out);
    REMOTE_FREE(remote_domain_migrate_prepare3_params_ret, &ret);
    return 0;
}

static int
remoteDomainMigratePrepareTunnel3Params(virConnectPtr dconn, virStreamPtr st,
                                        virTypedParameterPtr params, int nparams,
                                        const char *cookiein, int cookieinlen,
                                        char **cookieout, int *cookieoutlen, unsigned int flags)
{
    remote_domain_migrate_prepare_tunnel3_params_args args = { .flags = flags };
    remote_domain_migrate_prepare_tunnel3_params_ret ret = {0};
    g_autofree remote_typed_param *wire = NULL;

    if (remoteTypedParamsToWire(params, nparams, REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX,
                                &wire, &args.params.params_len) < 0)
        return -1;
    args.params.params_val = wire;
    REMOTE_COOKIE_IN(args, cookiein, cookieinlen);
    if (remoteDriverMigratePrepareTunnel(CONN_PRIV(dconn)->client, st, &args, &ret) < 0)
        return -1;
    remoteCookieOut(&ret.cookie_out.cookie_out_val, ret.cookie_out.cookie_out_len,
                    cookieout, cookieoutlen);
    REMOTE_FREE(remote_domain_migrate_prepare_tunnel3_params_ret, &ret);
    return 0;
}

static int
remoteDomainMigratePerform3Params(virDomainPtr dom, const char *dconnuri,
                                  virTypedParameterPtr params, int nparams,
                                  const char *cookiein, int cookieinlen,
                                  char **cookieout, int *cookieoutlen,
                                  unsigned int flags)
{
    remote_domain_migrate_perform3_params_args args = {
        .dconnuri = REMOTE_STRING(dconnuri),
        .flags = flags,
    };
    remote_domain_migrate_perform3_params_ret ret = {0};
    g_autofree remote_typed_param *wire = NULL;

    if (remoteTypedParamsToWire(params, nparams, REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX,
                                &wire, &args.params.params_len) < 0)
        return -1;
    args.params.params_val = wire;
    remoteDomainToWire(dom, &args.dom);
    REMOTE_COOKIE_IN(args, cookiein, cookieinlen);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS,
                    remote_domain_migrate_perform3_params_args, &args,
                    remote_domain_migrate_perform3_params_ret, &ret) < 0)
        return -1;
    remoteCookieOut(&ret.cookie_out.cookie_out_val, ret.cookie_out.cookie_out_len,
                    cookieout, cookieoutlen);
    REMOTE_FREE(remote_domain_migrate_perform3_params_ret, &ret);
    return 0;
}

static virDomainPtr
remoteDomainMigrateFinish3Params(virConnectPtr dconn, virTypedParameterPtr params,
                                 int nparams, const char *cookiein, int cookieinlen,
                                 char **cookieout, int *cookieoutlen,
                                 unsigned int flags, int cancelled)
{
    remote_domain_migrate_finish3_params_args args = {
        .flags = flags,
        .cancelled = cancelled,
    };
    remote_domain_migrate_finish3_params_ret ret = {0};
    g_autofree remote_typed_param *wire = NULL;
    virDomainPtr dom;

    if (remoteTypedParamsToWire(params, nparams, REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX,
                                &wire, &args.params.params_len) < 0)
        return NULL;
    args.params.params_val = wire;
    REMOTE_COOKIE_IN(args, cookiein, cookieinlen);
    if (REMOTE_CALL(CONN_PRIV(dconn), REMOTE_PROC_DOMAIN_MIGRATE_FINISH3_PARAMS,
                    remote_domain_migrate_finish3_params_args, &args,
                    remote_domain_migrate_finish3_params_ret, &ret) < 0)
        return NULL;
    remoteCookieOut(&ret.cookie_out.cookie_out_val, ret.cookie_out.cookie_out_len,
                    cookieout, cookieoutlen);
    dom = remoteDomainFromWire(dconn, &ret.dom);
    REMOTE_FREE(remote_domain_migrate_finish3_params_ret, &ret);
    return dom;
}

static int
remoteDomainMigrateConfirm3Params(virDomainPtr dom, virTypedParameterPtr params,
                                  int nparams, const char *cookiein, int cookieinlen,
                                  unsigned int flags, int cancelled)
{
    remote_domain_migrate_confirm3_params_args args = {
        .flags = flags,
        .cancelled = cancelled,
    };
    g_autofree remote_typed_param *wire = NULL;

    if (remoteTypedParamsToWire(params, nparams, REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX,
                                &wire, &args.params.params_len) < 0)
        return -1;
    args.params.params_val = wire;
    remoteDomainToWire(dom, &args.dom);
    REMOTE_COOKIE_IN(args, cookiein, cookieinlen);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3_PARAMS,
                             remote_domain_migrate_confirm3_params_args, &args);
}

static int
remoteDomainMigrateSetMaxSpeed(virDomainPtr dom, unsigned long bandwidth,
                               unsigned int flags)
{
    remote_domain_migrate_set_max_speed_args args = {
        .bandwidth = bandwidth,
        .flags = flags,
    };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_MIGRATE_SET_MAX_SPEED,
                             remote_domain_migrate_set_max_speed_args, &args);
}

static int
remoteDomainMigrateGetMaxSpeed(virDomainPtr dom, unsigned long *bandwidth,
                               unsigned int flags)
{
    remote_domain_migrate_get_max_speed_args args = { .flags = flags };
    remote_domain_migrate_get_max_speed_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_SPEED,
                    remote_domain_migrate_get_max_speed_args, &args,
                    remote_domain_migrate_get_max_speed_ret, &ret) < 0)
        return -1;
    if (ret.bandwidth > G_MAXULONG) {
        reportError(VIR_ERR_OVERFLOW, _("conversion from hyper to %1$s overflowed"),
                    "unsigned long");
        return -1;
    }
    *bandwidth = ret.bandwidth;
    return 0;
}

static int
remoteDomainMigrateGetCompressionCache(virDomainPtr dom, unsigned long long *cacheSize,
                                       unsigned int flags)
{
    remote_domain_migrate_get_compression_cache_args args = { .flags = flags };
    remote_domain_migrate_get_compression_cache_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_MIGRATE_GET_COMPRESSION_CACHE,
                    remote_domain_migrate_get_compression_cache_args, &args,
                    remote_domain_migrate_get_compression_cache_ret, &ret) < 0)
        return -1;
    *cacheSize = ret.cacheSize;
    return 0;
}

static int
remoteDomainMigrateSetCompressionCache(virDomainPtr dom, unsigned long long cacheSize,
                                       unsigned int flags)
{
    remote_domain_migrate_set_compression_cache_args args = {
        .cacheSize = cacheSize,
        .flags = flags,
    };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_MIGRATE_SET_COMPRESSION_CACHE,
                             remote_domain_migrate_set_compression_cache_args, &args);
}

static int
remoteDomainMigrateSetMaxDowntime(virDomainPtr dom, unsigned long long downtime,
                                  unsigned int flags)
{
    remote_domain_migrate_set_max_downtime_args args = {
        .downtime = downtime,
        .flags = flags,
    };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_MIGRATE_SET_MAX_DOWNTIME,
                             remote_domain_migrate_set_max_downtime_args, &args);
}

static int
remoteDomainMigrateGetMaxDowntime(virDomainPtr dom, unsigned long long *downtime,
                                  unsigned int flags)
{
    remote_domain_migrate_get_max_downtime_args args = { .flags = flags };
    remote_domain_migrate_get_max_downtime_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_DOWNTIME,
                    remote_domain_migrate_get_max_downtime_args, &args,
                    remote_domain_migrate_get_max_downtime_ret, &ret) < 0)
        return -1;
    *downtime = ret.downtime;
    return 0;
}

static int
remoteDomainMigrateStartPostCopy(virDomainPtr dom, unsigned int flags)
{
    remote_domain_migrate_start_post_copy_args args = { .flags = flags };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY,
                             remote_domain_migrate_start_post_copy_args, &args);
}

/* --- event registration -------------------------------------------------- */

/*
 * The daemon is asked for each event ID once, for all domains, when the
 * first local callback for that ID appears; local callbacks (with their
 * domain filters) are served from priv->events.  The daemon's callback ID
 * is kept so that late events of a dropped registration are ignored.
 * Called with priv->registerLock held.
 */
static int
remoteEventRegisterRemoteLocked(RemotePrivate *priv, int eventID)
{
    if (g_atomic_int_get(&priv->remoteIDs[eventID]) >= 0)
        return 0;

    if (priv->serverEventCallback) {
        remote_connect_domain_event_callback_register_any_args args = {
            .eventID = eventID,
            .dom = NULL,
        };
        remote_connect_domain_event_callback_register_any_ret ret = {0};

        if (REMOTE_CALL(priv, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                        remote_connect_domain_event_callback_register_any_args, &args,
                        remote_connect_domain_event_callback_register_any_ret, &ret) < 0)
            return -1;
        g_atomic_int_set(&priv->remoteIDs[eventID], ret.callbackID);
    } else {
        remote_connect_domain_event_register_any_args args = { .eventID = eventID };

        if (REMOTE_CALL_NORET(priv, REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY,
                              remote_connect_domain_event_register_any_args, &args) < 0)
            return -1;
        g_atomic_int_set(&priv->remoteIDs[eventID], 0);
    }
    LOG_DEBUG("event %d registered with the daemon as %d", eventID,
              g_atomic_int_get(&priv->remoteIDs[eventID]));
    return 0;
}

/*
 * Drops the daemon's registration for @eventID once no local callback
 * needs it.  Called with priv->registerLock held.
 */
static int
remoteEventDeregisterRemoteLocked(RemotePrivate *priv, int eventID)
{
    int remoteID = g_atomic_int_get(&priv->remoteIDs[eventID]);

    if (remoteID < 0 || domainEventStateCount(priv->events, eventID) > 0)
        return 0;
    /* as libvirt: on a lost connection this fails ("client socket is closed") */
    g_atomic_int_set(&priv->remoteIDs[eventID], -1);

    if (priv->serverEventCallback) {
        remote_connect_domain_event_callback_deregister_any_args args = {
            .callbackID = remoteID,
        };

        return REMOTE_CALL_NORET(priv, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                                 remote_connect_domain_event_callback_deregister_any_args,
                                 &args);
    } else {
        remote_connect_domain_event_deregister_any_args args = { .eventID = eventID };

        return REMOTE_CALL_NORET(priv, REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY,
                                 remote_connect_domain_event_deregister_any_args, &args);
    }
}

static int
remoteConnectDomainEventRegisterAny(virConnectPtr conn, virDomainPtr dom,
                                    int eventID,
                                    virConnectDomainEventGenericCallback cb,
                                    void *opaque, virFreeCallback freecb)
{
    RemotePrivate *priv = CONN_PRIV(conn);
    int callbackID = -1;

    if (eventID < 0 || eventID >= VIR_DOMAIN_EVENT_ID_LAST) {
        reportError(VIR_ERR_INVALID_ARG, _("unsupported event ID %1$d"), eventID);
        return -1;
    }

    mutexLock(&priv->registerLock);
    callbackID = domainEventStateRegisterAny(priv->events, conn, dom, eventID,
                                             cb, opaque, freecb);
    if (callbackID < 0)
        goto cleanup;
    if (remoteEventRegisterRemoteLocked(priv, eventID) < 0) {
        g_autoptr(SavedError) saved = errorSave();

        domainEventStateDeregisterAny(priv->events, conn, callbackID);
        callbackID = -1;
        goto cleanup;
    }
    g_hash_table_insert(priv->localEventIDs, GINT_TO_POINTER(callbackID),
                        GINT_TO_POINTER(eventID));

 cleanup:
    mutexUnlock(&priv->registerLock);
    return callbackID;
}

static int
remoteConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID)
{
    RemotePrivate *priv = CONN_PRIV(conn);
    gpointer value = NULL;
    int ret = -1;

    mutexLock(&priv->registerLock);
    if (domainEventStateDeregisterAny(priv->events, conn, callbackID) < 0)
        goto cleanup;
    if (g_hash_table_lookup_extended(priv->localEventIDs,
                                     GINT_TO_POINTER(callbackID), NULL, &value)) {
        g_hash_table_remove(priv->localEventIDs, GINT_TO_POINTER(callbackID));
        if (remoteEventDeregisterRemoteLocked(priv, GPOINTER_TO_INT(value)) < 0)
            goto cleanup;
    }
    ret = 0;

 cleanup:
    mutexUnlock(&priv->registerLock);
    return ret;
}

static int
remoteConnectDomainEventRegister(virConnectPtr conn,
                                 virConnectDomainEventCallback cb,
                                 void *opaque, virFreeCallback freecb)
{
    RemotePrivate *priv = CONN_PRIV(conn);
    int ret = -1;

    mutexLock(&priv->registerLock);
    if (domainEventStateRegisterLegacy(priv->events, conn, cb, opaque, freecb) < 0)
        goto cleanup;
    if (remoteEventRegisterRemoteLocked(priv, VIR_DOMAIN_EVENT_ID_LIFECYCLE) < 0) {
        g_autoptr(SavedError) saved = errorSave();

        domainEventStateDeregisterLegacy(priv->events, conn, cb);
        goto cleanup;
    }
    ret = 0;

 cleanup:
    mutexUnlock(&priv->registerLock);
    return ret;
}

static int
remoteConnectDomainEventDeregister(virConnectPtr conn,
                                   virConnectDomainEventCallback cb)
{
    RemotePrivate *priv = CONN_PRIV(conn);
    int ret = -1;

    mutexLock(&priv->registerLock);
    if (domainEventStateDeregisterLegacy(priv->events, conn, cb) < 0)
        goto cleanup;
    ret = remoteEventDeregisterRemoteLocked(priv, VIR_DOMAIN_EVENT_ID_LIFECYCLE);

 cleanup:
    mutexUnlock(&priv->registerLock);
    return ret;
}

/* --- the table ------------------------------------------------------------- */

/* --- statistics (issue 7) ------------------------------------------------ */

static int
remoteDomainGetVcpus(virDomainPtr dom, virVcpuInfoPtr info, int maxinfo,
                     unsigned char *cpumaps, int maplen)
{
    remote_domain_get_vcpus_args args = { .maxinfo = maxinfo, .maplen = maplen };
    remote_domain_get_vcpus_ret ret = {0};
    int rc = -1;
    u_int i;

    if (maxinfo > REMOTE_VCPUINFO_MAX) {
        reportError(VIR_ERR_RPC, _("vCPU count '%1$d' exceeds the limit '%2$d'"), maxinfo,
                    REMOTE_VCPUINFO_MAX);
        return -1;
    }
    if ((long long)maxinfo * maplen > REMOTE_CPUMAPS_MAX) {
        reportError(VIR_ERR_RPC, _("vCPU map size '%1$d * %2$d' exceeds the limit '%3$d'"),
                    maxinfo, maplen, REMOTE_CPUMAPS_MAX);
        return -1;
    }
    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_GET_VCPUS,
                    remote_domain_get_vcpus_args, &args,
                    remote_domain_get_vcpus_ret, &ret) < 0)
        return -1;
    if (ret.info.info_len > (u_int)maxinfo) {
        reportError(VIR_ERR_RPC, _("vCPU count '%1$u' exceeds the requested '%2$d'"),
                    ret.info.info_len, maxinfo);
        goto cleanup;
    }
    if (ret.cpumaps.cpumaps_len > (u_int)(maxinfo * maplen)) {
        reportError(VIR_ERR_RPC, _("vCPU map size '%1$u' exceeds the requested '%2$d'"),
                    ret.cpumaps.cpumaps_len, maxinfo * maplen);
        goto cleanup;
    }
    for (i = 0; i < ret.info.info_len; i++) {
        info[i].number = ret.info.info_val[i].number;
        info[i].state = ret.info.info_val[i].state;
        info[i].cpuTime = ret.info.info_val[i].cpu_time;
        info[i].cpu = ret.info.info_val[i].cpu;
    }
    if (cpumaps && ret.cpumaps.cpumaps_len)
        memcpy(cpumaps, ret.cpumaps.cpumaps_val, ret.cpumaps.cpumaps_len);
    rc = (int)ret.info.info_len;

 cleanup:
    REMOTE_FREE(remote_domain_get_vcpus_ret, &ret);
    return rc;
}

static int
remoteDomainBlockStats(virDomainPtr dom, const char *disk, virDomainBlockStatsPtr stats)
{
    remote_domain_block_stats_args args = { .path = (char *)disk };
    remote_domain_block_stats_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_BLOCK_STATS,
                    remote_domain_block_stats_args, &args,
                    remote_domain_block_stats_ret, &ret) < 0)
        return -1;
    stats->rd_req = ret.rd_req;
    stats->rd_bytes = ret.rd_bytes;
    stats->wr_req = ret.wr_req;
    stats->wr_bytes = ret.wr_bytes;
    stats->errs = ret.errs;
    return 0;
}

static int
remoteDomainBlockStatsFlags(virDomainPtr dom, const char *disk, virTypedParameterPtr params,
                            int *nparams, unsigned int flags)
{
    remote_domain_block_stats_flags_args args = {
        .path = (char *)disk,
        .nparams = *nparams,
        .flags = flags,
    };
    remote_domain_block_stats_flags_ret ret = {0};
    virTypedParameterPtr got = NULL;
    int ngot = 0;
    int rc = -1;

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_BLOCK_STATS_FLAGS,
                    remote_domain_block_stats_flags_args, &args,
                    remote_domain_block_stats_flags_ret, &ret) < 0)
        return -1;
    if (*nparams == 0) {
        /* The peer answered the count only. */
        *nparams = ret.nparams;
        rc = 0;
        goto cleanup;
    }
    if (ret.params.params_len > (u_int)*nparams) {
        reportError(VIR_ERR_RPC, _("too many parameters '%1$u' for limit '%2$d'"),
                    ret.params.params_len, *nparams);
        goto cleanup;
    }
    if (remoteTypedParamsFromWire(ret.params.params_val, ret.params.params_len,
                                  REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX, &got, &ngot) < 0)
        goto cleanup;
    memcpy(params, got, sizeof(*got) * (size_t)ngot);
    g_free(got);        /* the strings now belong to @params */
    *nparams = ngot;
    rc = 0;

 cleanup:
    REMOTE_FREE(remote_domain_block_stats_flags_ret, &ret);
    return rc;
}

static int
remoteDomainInterfaceStats(virDomainPtr dom, const char *device,
                           virDomainInterfaceStatsPtr stats)
{
    remote_domain_interface_stats_args args = { .device = (char *)device };
    remote_domain_interface_stats_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_INTERFACE_STATS,
                    remote_domain_interface_stats_args, &args,
                    remote_domain_interface_stats_ret, &ret) < 0)
        return -1;
    stats->rx_bytes = ret.rx_bytes;
    stats->rx_packets = ret.rx_packets;
    stats->rx_errs = ret.rx_errs;
    stats->rx_drop = ret.rx_drop;
    stats->tx_bytes = ret.tx_bytes;
    stats->tx_packets = ret.tx_packets;
    stats->tx_errs = ret.tx_errs;
    stats->tx_drop = ret.tx_drop;
    return 0;
}

static int
remoteDomainMemoryStats(virDomainPtr dom, virDomainMemoryStatPtr stats, unsigned int nr_stats,
                        unsigned int flags)
{
    remote_domain_memory_stats_args args = { .maxStats = nr_stats, .flags = flags };
    remote_domain_memory_stats_ret ret = {0};
    u_int i;
    int rc = -1;

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_MEMORY_STATS,
                    remote_domain_memory_stats_args, &args,
                    remote_domain_memory_stats_ret, &ret) < 0)
        return -1;
    if (ret.stats.stats_len > nr_stats) {
        reportError(VIR_ERR_RPC, _("too many memory statistics '%1$u' for limit '%2$u'"),
                    ret.stats.stats_len, nr_stats);
        goto cleanup;
    }
    for (i = 0; i < ret.stats.stats_len; i++) {
        stats[i].tag = ret.stats.stats_val[i].tag;
        stats[i].val = ret.stats.stats_val[i].val;
    }
    rc = (int)ret.stats.stats_len;

 cleanup:
    REMOTE_FREE(remote_domain_memory_stats_ret, &ret);
    return rc;
}

static int
remoteDomainGetBlockInfo(virDomainPtr dom, const char *disk, virDomainBlockInfoPtr info,
                         unsigned int flags)
{
    remote_domain_get_block_info_args args = { .path = (char *)disk, .flags = flags };
    remote_domain_get_block_info_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_GET_BLOCK_INFO,
                    remote_domain_get_block_info_args, &args,
                    remote_domain_get_block_info_ret, &ret) < 0)
        return -1;
    info->allocation = ret.allocation;
    info->capacity = ret.capacity;
    info->physical = ret.physical;
    return 0;
}

static int
remoteNodeGetCPUMap(virConnectPtr conn, unsigned char **cpumap, unsigned int *online,
                    unsigned int flags)
{
    remote_node_get_cpu_map_args args = {
        .need_map = cpumap != NULL,
        .need_online = online != NULL,
        .flags = flags,
    };
    remote_node_get_cpu_map_ret ret = {0};
    int rc = -1;

    if (REMOTE_CALL(CONN_PRIV(conn), REMOTE_PROC_NODE_GET_CPU_MAP,
                    remote_node_get_cpu_map_args, &args,
                    remote_node_get_cpu_map_ret, &ret) < 0)
        return -1;
    if (ret.ret < 0 || (cpumap && ret.cpumap.cpumap_len < (u_int)VIR_CPU_MAPLEN(ret.ret))) {
        reportError(VIR_ERR_RPC, _("CPU map of %1$u bytes for %2$d CPUs"),
                    ret.cpumap.cpumap_len, ret.ret);
        goto cleanup;
    }
    if (cpumap) {
        *cpumap = g_new0(unsigned char, MAX(ret.cpumap.cpumap_len, 1));
        memcpy(*cpumap, ret.cpumap.cpumap_val, ret.cpumap.cpumap_len);
    }
    if (online)
        *online = ret.online;
    rc = ret.ret;

 cleanup:
    REMOTE_FREE(remote_node_get_cpu_map_ret, &ret);
    return rc;
}

/* Both bulk APIs: libvirt sends the domains of virDomainListGetStats in
 * the same procedure. */
static int
remoteConnectGetAllDomainStats(virConnectPtr conn, virDomainPtr *doms, unsigned int ndoms,
                               unsigned int stats, virDomainStatsRecordPtr **retStats,
                               unsigned int flags)
{
    remote_connect_get_all_domain_stats_args args = { .stats = stats, .flags = flags };
    remote_connect_get_all_domain_stats_ret ret = {0};
    g_autofree remote_nonnull_domain *wireDoms = NULL;
    virDomainStatsRecordPtr *list = NULL;
    unsigned int i;
    int rc = -1;

    if (ndoms > REMOTE_DOMAIN_LIST_MAX) {
        reportError(VIR_ERR_RPC, _("too many domains '%1$u' for limit '%2$d'"), ndoms,
                    REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    if (ndoms) {
        wireDoms = g_new0(remote_nonnull_domain, ndoms);
        for (i = 0; i < ndoms; i++)
            remoteDomainToWire(doms[i], &wireDoms[i]);
        args.doms.doms_val = wireDoms;
        args.doms.doms_len = ndoms;
    }
    if (REMOTE_CALL(CONN_PRIV(conn), REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS,
                    remote_connect_get_all_domain_stats_args, &args,
                    remote_connect_get_all_domain_stats_ret, &ret) < 0)
        return -1;
    if (ret.retStats.retStats_len > REMOTE_DOMAIN_LIST_MAX) {
        reportError(VIR_ERR_RPC, _("too many domains '%1$u' for limit '%2$d'"),
                    ret.retStats.retStats_len, REMOTE_DOMAIN_LIST_MAX);
        goto cleanup;
    }
    list = g_new0(virDomainStatsRecordPtr, ret.retStats.retStats_len + 1);
    for (i = 0; i < ret.retStats.retStats_len; i++) {
        remote_domain_stats_record *rec = &ret.retStats.retStats_val[i];
        virDomainStatsRecordPtr r = g_new0(virDomainStatsRecord, 1);

        list[i] = r;
        r->dom = remoteDomainFromWire(conn, &rec->dom);
        if (remoteTypedParamsFromWire(rec->params.params_val, rec->params.params_len,
                                      REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX, &r->params,
                                      &r->nparams) < 0)
            goto cleanup;
    }
    *retStats = g_steal_pointer(&list);
    rc = (int)ret.retStats.retStats_len;

 cleanup:
    virDomainStatsRecordListFree(list);
    REMOTE_FREE(remote_connect_get_all_domain_stats_ret, &ret);
    return rc;
}

/* --- managed save XML, save/restore with typed parameters (issue #6) ------ */

static char *
remoteDomainManagedSaveGetXMLDesc(virDomainPtr dom, unsigned int flags)
{
    remote_domain_managed_save_get_xml_desc_args args = { .flags = flags };
    remote_domain_managed_save_get_xml_desc_ret ret = {0};

    remoteDomainToWire(dom, &args.dom);
    if (REMOTE_CALL(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_MANAGED_SAVE_GET_XML_DESC,
                    remote_domain_managed_save_get_xml_desc_args, &args,
                    remote_domain_managed_save_get_xml_desc_ret, &ret) < 0)
        return NULL;
    return ret.xml;
}

static int
remoteDomainManagedSaveDefineXML(virDomainPtr dom, const char *dxml, unsigned int flags)
{
    remote_domain_managed_save_define_xml_args args = {
        .dxml = REMOTE_STRING(dxml),
        .flags = flags,
    };

    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_MANAGED_SAVE_DEFINE_XML,
                             remote_domain_managed_save_define_xml_args, &args);
}

static int
remoteDomainSaveParams(virDomainPtr dom, virTypedParameterPtr params, int nparams,
                       unsigned int flags)
{
    remote_domain_save_params_args args = { .flags = flags };
    g_autofree remote_typed_param *wire = NULL;

    if (remoteTypedParamsToWire(params, nparams, REMOTE_DOMAIN_SAVE_PARAMS_MAX, &wire,
                                &args.params.params_len) < 0)
        return -1;
    args.params.params_val = wire;
    remoteDomainToWire(dom, &args.dom);
    return REMOTE_CALL_NORET(DOM_PRIV(dom), REMOTE_PROC_DOMAIN_SAVE_PARAMS,
                             remote_domain_save_params_args, &args);
}

static int
remoteDomainRestoreParams(virConnectPtr conn, virTypedParameterPtr params, int nparams,
                          unsigned int flags)
{
    remote_domain_restore_params_args args = { .flags = flags };
    g_autofree remote_typed_param *wire = NULL;

    if (remoteTypedParamsToWire(params, nparams, REMOTE_DOMAIN_SAVE_PARAMS_MAX, &wire,
                                &args.params.params_len) < 0)
        return -1;
    args.params.params_val = wire;
    return REMOTE_CALL_NORET(CONN_PRIV(conn), REMOTE_PROC_DOMAIN_RESTORE_PARAMS,
                             remote_domain_restore_params_args, &args);
}

static HypervisorDriver remoteHypervisorDriver = {
    .name = "remote",
    .connectOpen = remoteConnectOpen,
    .connectClose = remoteConnectClose,
    .connectGetType = remoteConnectGetType,
    .connectGetVersion = remoteConnectGetVersion,
    .connectGetLibVersion = remoteConnectGetLibVersion,
    .connectGetHostname = remoteConnectGetHostname,
    .connectGetURI = remoteConnectGetURI,
    .connectGetCapabilities = remoteConnectGetCapabilities,
    .connectGetDomainCapabilities = remoteConnectGetDomainCapabilities,
    .domainQemuMonitorCommand = remoteDomainQemuMonitorCommand,
    .domainCoreDump = remoteDomainCoreDump,
    .domainCoreDumpWithFormat = remoteDomainCoreDumpWithFormat,
    .connectGetMaxVcpus = remoteConnectGetMaxVcpus,
    .connectIsAlive = remoteConnectIsAlive,
    .connectIsSecure = remoteConnectIsSecure,
    .connectIsEncrypted = remoteConnectIsEncrypted,
    .connectSetKeepAlive = remoteConnectSetKeepAlive,
    .connectRegisterCloseCallback = remoteConnectRegisterCloseCallback,
    .connectUnregisterCloseCallback = remoteConnectUnregisterCloseCallback,
    .nodeGetInfo = remoteNodeGetInfo,
    .nodeGetCPUMap = remoteNodeGetCPUMap,
    .nodeGetSecurityModel = remoteNodeGetSecurityModel,
    .nodeGetFreeMemory = remoteNodeGetFreeMemory,
    .connectListAllDomains = remoteConnectListAllDomains,
    .connectNumOfDomains = remoteConnectNumOfDomains,
    .connectListDomains = remoteConnectListDomains,
    .connectNumOfDefinedDomains = remoteConnectNumOfDefinedDomains,
    .connectListDefinedDomains = remoteConnectListDefinedDomains,
    .domainLookupByName = remoteDomainLookupByName,
    .domainLookupByUUID = remoteDomainLookupByUUID,
    .domainLookupByID = remoteDomainLookupByID,
    .domainDefineXMLFlags = remoteDomainDefineXMLFlags,
    .domainUndefineFlags = remoteDomainUndefineFlags,
    .domainCreateWithFlags = remoteDomainCreateWithFlags,
    .domainCreateXML = remoteDomainCreateXML,
    .domainDestroyFlags = remoteDomainDestroyFlags,
    .domainShutdownFlags = remoteDomainShutdownFlags,
    .domainReboot = remoteDomainReboot,
    .domainReset = remoteDomainReset,
    .domainSuspend = remoteDomainSuspend,
    .domainResume = remoteDomainResume,
    .domainGetInfo = remoteDomainGetInfo,
    .domainGetState = remoteDomainGetState,
    .domainGetXMLDesc = remoteDomainGetXMLDesc,
    .domainGetOSType = remoteDomainGetOSType,
    .domainOpenConsole = remoteDomainOpenConsole,
    .domainScreenshot = remoteDomainScreenshot,
    .domainGetMaxMemory = remoteDomainGetMaxMemory,
    .domainSetMemoryFlags = remoteDomainSetMemoryFlags,
    .domainSetMaxMemory = remoteDomainSetMaxMemory,
    .domainSetVcpusFlags = remoteDomainSetVcpusFlags,
    .domainGetVcpusFlags = remoteDomainGetVcpusFlags,
    .domainGetMaxVcpus = remoteDomainGetMaxVcpus,
    .domainGetVcpus = remoteDomainGetVcpus,
    .domainBlockStats = remoteDomainBlockStats,
    .domainBlockStatsFlags = remoteDomainBlockStatsFlags,
    .domainInterfaceStats = remoteDomainInterfaceStats,
    .domainMemoryStats = remoteDomainMemoryStats,
    .domainGetBlockInfo = remoteDomainGetBlockInfo,
    .connectGetAllDomainStats = remoteConnectGetAllDomainStats,
    .domainIsActive = remoteDomainIsActive,
    .domainIsPersistent = remoteDomainIsPersistent,
    .domainIsUpdated = remoteDomainIsUpdated,
    .domainGetAutostart = remoteDomainGetAutostart,
    .domainSetAutostart = remoteDomainSetAutostart,
    .domainHasManagedSaveImage = remoteDomainHasManagedSaveImage,
    .domainSaveFlags = remoteDomainSaveFlags,
    .domainRestoreFlags = remoteDomainRestoreFlags,
    .domainSaveImageGetXMLDesc = remoteDomainSaveImageGetXMLDesc,
    .domainSaveImageDefineXML = remoteDomainSaveImageDefineXML,
    .domainManagedSave = remoteDomainManagedSave,
    .domainManagedSaveRemove = remoteDomainManagedSaveRemove,
    .domainManagedSaveGetXMLDesc = remoteDomainManagedSaveGetXMLDesc,
    .domainManagedSaveDefineXML = remoteDomainManagedSaveDefineXML,
    .domainSaveParams = remoteDomainSaveParams,
    .domainRestoreParams = remoteDomainRestoreParams,
    .domainGetSecurityLabel = remoteDomainGetSecurityLabel,
    .domainGetMetadata = remoteDomainGetMetadata,
    .domainSetMetadata = remoteDomainSetMetadata,
    .domainGetJobInfo = remoteDomainGetJobInfo,
    .domainGetJobStats = remoteDomainGetJobStats,
    .domainAbortJob = remoteDomainAbortJob,
    .domainAbortJobFlags = remoteDomainAbortJobFlags,
    .connectSupportsFeature = remoteConnectSupportsFeature,
    .domainMigrateBegin3Params = remoteDomainMigrateBegin3Params,
    .domainMigratePrepare3Params = remoteDomainMigratePrepare3Params,
    .domainMigratePrepareTunnel3Params = remoteDomainMigratePrepareTunnel3Params,
    .domainMigratePerform3Params = remoteDomainMigratePerform3Params,
    .domainMigrateFinish3Params = remoteDomainMigrateFinish3Params,
    .domainMigrateConfirm3Params = remoteDomainMigrateConfirm3Params,
    .domainMigrateSetMaxSpeed = remoteDomainMigrateSetMaxSpeed,
    .domainMigrateGetMaxSpeed = remoteDomainMigrateGetMaxSpeed,
    .domainMigrateGetCompressionCache = remoteDomainMigrateGetCompressionCache,
    .domainMigrateSetCompressionCache = remoteDomainMigrateSetCompressionCache,
    .domainMigrateSetMaxDowntime = remoteDomainMigrateSetMaxDowntime,
    .domainMigrateGetMaxDowntime = remoteDomainMigrateGetMaxDowntime,
    .domainMigrateStartPostCopy = remoteDomainMigrateStartPostCopy,
    .connectDomainEventRegister = remoteConnectDomainEventRegister,
    .connectDomainEventDeregister = remoteConnectDomainEventDeregister,
    .connectDomainEventRegisterAny = remoteConnectDomainEventRegisterAny,
    .connectDomainEventDeregisterAny = remoteConnectDomainEventDeregisterAny,
};

/* No scheme list: offered every URI that no in-process driver took. */
static ConnectDriver remoteConnectDriver = {
    .name = "remote",
    .uriSchemes = NULL,
    .embeddable = false,
    .hypervisor = &remoteHypervisorDriver,
};

/**
 * remoteDriverRegister:
 *
 * Registers the remote driver.  It must come after the in-process
 * drivers (driversRegisterAll): URIs reach it only when none of them
 * took the URI.
 *
 * Returns: 0, or -1 with an error reported.
 */
int
remoteDriverRegister(void)
{
    return driverRegister(&remoteConnectDriver);
}
