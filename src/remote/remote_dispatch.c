/* The daemon side of REMOTE_PROGRAM: procedure table, decode -> public API call -> encode. */
#include <string.h>

#define ERR_DOMAIN VIR_FROM_REMOTE

#include "api/daemon_mode.h"
#include "remote/remote_dispatch.h"
#include "remote/remote_dispatch_client.h"
#include "remote/remote_dispatch_domain.h"
#include "remote/remote_dispatch_event.h"
#include "remote/remote_dispatch_stats.h"
#include "remote/remote_dispatch_migrate.h"
#include "api/migrate_steps.h"
#include "remote/remote_dispatch_names.h"
#include "remote/remote_dispatch_qemu.h"
#include "remote/remote_stream.h"
#include "remote/remote_protocol.h"
#include "rpc/rpc_server_client.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/thread.h"

LOG_INIT("remote.dispatch");

/* Distinct driver URIs the daemon keeps open for its whole life. */
#define REMOTE_DISPATCH_KEPT_MAX 32

/*
 * Daemon-wide state.  Each client gets its own connection from the
 * public API, but a driver instance such as test:///default lives only as
 * long as some connection to it is open; the daemon keeps one connection
 * of its own to each URI clients opened, so that the state is shared by
 * all clients and survives between them (docs/daemon.md).
 */
struct _RemoteDispatch {
    Mutex lock;
    GHashTable *kept; /* URI -> virConnectPtr; protected by lock */
};

/**
 * remoteDispatchNew:
 *
 * Returns: the daemon-wide state of REMOTE_PROGRAM (caller owns).
 */
RemoteDispatch *
remoteDispatchNew(void)
{
    RemoteDispatch *rd = g_new0(RemoteDispatch, 1);

    mutexInit(&rd->lock);
    rd->kept =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)virConnectClose);
    return rd;
}

/**
 * remoteDispatchFree:
 * @rd: the state, or NULL
 *
 * Closes the daemon's own driver connections.  Every client must be gone.
 */
void
remoteDispatchFree(RemoteDispatch *rd)
{
    if (!rd)
        return;
    g_hash_table_unref(rd->kept);
    mutexClear(&rd->lock);
    g_free(rd);
}

/**
 * remoteDispatchKeepDriver:
 * @rd: the daemon-wide state
 * @name: a URI a client opened successfully, or one the daemon hosts from
 *        its start (qemu:///system); NULL: the default one
 *
 * Opens a connection of the daemon's own to @name the first time, so that
 * the driver instance behind it stays alive while the daemon runs.  At
 * most REMOTE_DISPATCH_KEPT_MAX URIs are kept (clients choose them).  A
 * failure is logged (warning) and otherwise ignored.
 */
void
remoteDispatchKeepDriver(RemoteDispatch *rd, const char *name)
{
    const char *key = name ? name : "";
    virConnectPtr conn = NULL;

    mutexLock(&rd->lock);
    if (g_hash_table_contains(rd->kept, key) ||
        g_hash_table_size(rd->kept) >= REMOTE_DISPATCH_KEPT_MAX) {
        mutexUnlock(&rd->lock);
        return;
    }
    if (!(conn = virConnectOpen(name))) {
        LOG_WARN("cannot keep '%s' open: %s, ignoring", key, virGetLastErrorMessage());
        virResetLastError();
    } else {
        g_hash_table_insert(rd->kept, g_strdup(key), conn);
    }
    mutexUnlock(&rd->lock);
}

/* The client's connection, referenced, or NULL with "connection not open". */
static virConnectPtr
remoteDispatchConn(RpcServerClient *client)
{
    return remoteDispatchClientGetConn(remoteDispatchClientGet(client));
}

/* --- opening and closing -------------------------------------------------------- */

static int
remoteDispatchConnectOpen(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_open_args *args = argsp;
    RemoteClient *rc = remoteDispatchClientGet(client);
    const char *name = args->name ? *args->name : NULL;
    unsigned int flags = 0;
    virConnectPtr conn = NULL;
    bool busy;

    mutexLock(&rc->lock);
    busy = rc->conn || rc->opening;
    if (!busy)
        rc->opening = true;     /* a refused call must not clear another's flag */
    mutexUnlock(&rc->lock);
    if (busy) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("connection already open"));
        return -1;
    }

    /* libvirtd looks only at the read-only bit, and forces it on a read-only socket. */
    if ((args->flags & REMOTE_CONNECT_OPEN_RO) || rpcServerClientIsReadonly(client))
        flags |= VIR_CONNECT_RO;
    LOG_DEBUG("client %llu: opening '%s'%s", rc->id, name ? name : "",
              flags & VIR_CONNECT_RO ? " read-only" : "");
    conn = virConnectOpenAuth(name, NULL, flags);

    mutexLock(&rc->lock);
    rc->opening = false;
    if (conn && rc->closed) {
        /* The client left while we opened. */
        mutexUnlock(&rc->lock);
        virConnectClose(conn);
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("client closed"));
        return -1;
    }
    rc->conn = conn;
    rc->quickQueries = conn && virtkitConnectHasQuickQueries(conn) == 1;
    mutexUnlock(&rc->lock);

    if (!conn)
        return remoteDispatchAPIError();
    remoteDispatchKeepDriver(rc->rd, name);
    return 0;
}

static int
remoteDispatchConnectClose(REMOTE_DISPATCH_PARAMS)
{
    RemoteClient *rc = remoteDispatchClientGet(client);
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GPtrArray) callbacks = NULL;
    bool closeCallback;

    mutexLock(&rc->lock);
    conn = g_steal_pointer(&rc->conn);
    callbacks = g_steal_pointer(&rc->callbacks);
    rc->callbacks = g_ptr_array_new();
    closeCallback = rc->closeCallback;
    rc->closeCallback = false;
    mutexUnlock(&rc->lock);

    /* Like libvirtd: closing a connection that is not open is not an error. */
    remoteDispatchEventDropAll(conn, callbacks, closeCallback);
    virResetLastError();
    return 0;
}

static int
remoteDispatchAuthList(REMOTE_DISPATCH_PARAMS)
{
    remote_auth_list_ret *ret = retp;

    /* Unix sockets need no authentication: one entry, REMOTE_AUTH_NONE, as libvirtd. */
    ret->types.types_len = 1;
    ret->types.types_val = g_new0(remote_auth_type, 1);
    ret->types.types_val[0] = REMOTE_AUTH_NONE;
    return 0;
}

/*
 * Features a hypervisor driver itself supports, by connection type, as
 * libvirt 9.0's drivers answer (the public API has no such question).
 */
static int
remoteDispatchDriverFeature(virConnectPtr conn, int feature)
{
    const char *type;
    int rc;

    /* Migration features: the driver's own answer (src/api/migrate_steps.h). */
    if ((rc = virtkitConnectSupportsFeature(conn, feature)) > 0)
        return 1;
    if (rc < 0)
        virResetLastError();
    if (!(type = virConnectGetType(conn))) {
        virResetLastError();
        return 0;
    }
    if (streq(type, "Test"))
        return feature == REMOTE_FEATURE_TYPED_PARAM_STRING ||
               feature == REMOTE_FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER;
    return 0;
}

static int
remoteDispatchConnectSupportsFeature(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_supports_feature_args *args = argsp;
    remote_connect_supports_feature_ret *ret = retp;
    g_autoptr(virConnect) conn = NULL;

    /* Answered before CONNECT_OPEN: it turns on our pings to the client. */
    if (args->feature == REMOTE_FEATURE_PROGRAM_KEEPALIVE) {
        rpcServerClientStartKeepalive(client);
        ret->supported = 1;
        return 0;
    }
    if (!(conn = remoteDispatchConn(client)))
        return -1;
    switch (args->feature) {
    case REMOTE_FEATURE_REMOTE_EVENT_CALLBACK:
    case REMOTE_FEATURE_REMOTE_CLOSE_CALLBACK:
        ret->supported = 1;
        break;
    case REMOTE_FEATURE_FD_PASSING:
        /* libvirtd says 1; our transport does not carry descriptors yet. */
        ret->supported = 0;
        break;
    default:
        ret->supported = remoteDispatchDriverFeature(conn, args->feature);
        break;
    }
    return 0;
}

/* --- connection queries ---------------------------------------------------------- */

static int
remoteDispatchConnectGetType(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_get_type_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchConn(client);
    const char *type = NULL;

    if (!conn)
        return -1;
    if (!(type = virConnectGetType(conn)))
        return remoteDispatchAPIError();
    ret->type = g_strdup(type);
    return 0;
}

static int
remoteDispatchConnectGetVersion(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_get_version_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchConn(client);
    unsigned long version = 0;

    if (!conn)
        return -1;
    if (virConnectGetVersion(conn, &version) < 0)
        return remoteDispatchAPIError();
    ret->hv_ver = version;
    return 0;
}

static int
remoteDispatchConnectGetLibVersion(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_get_lib_version_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchConn(client);
    unsigned long version = 0;

    if (!conn)
        return -1;
    if (virConnectGetLibVersion(conn, &version) < 0)
        return remoteDispatchAPIError();
    ret->lib_ver = version;
    return 0;
}

static int
remoteDispatchConnectGetHostname(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_get_hostname_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchConn(client);

    if (!conn)
        return -1;
    if (!(ret->hostname = virConnectGetHostname(conn)))
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchConnectGetURI(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_get_uri_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchConn(client);

    if (!conn)
        return -1;
    if (!(ret->uri = virConnectGetURI(conn)))
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchConnectGetCapabilities(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_get_capabilities_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchConn(client);

    if (!conn)
        return -1;
    if (!(ret->capabilities = virConnectGetCapabilities(conn)))
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchConnectGetDomainCapabilities(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_get_domain_capabilities_args *args = argsp;
    remote_connect_get_domain_capabilities_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchConn(client);

    if (!conn)
        return -1;
    if (!(ret->capabilities = virConnectGetDomainCapabilities(
              conn, args->emulatorbin ? *args->emulatorbin : NULL, args->arch ? *args->arch : NULL,
              args->machine ? *args->machine : NULL, args->virttype ? *args->virttype : NULL,
              args->flags)))
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchConnectGetMaxVcpus(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_get_max_vcpus_args *args = argsp;
    remote_connect_get_max_vcpus_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchConn(client);

    if (!conn)
        return -1;
    if ((ret->max_vcpus = virConnectGetMaxVcpus(conn, args->type ? *args->type : NULL)) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchConnectIsSecure(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_is_secure_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchConn(client);

    if (!conn)
        return -1;
    if ((ret->secure = virConnectIsSecure(conn)) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchNodeGetInfo(REMOTE_DISPATCH_PARAMS)
{
    remote_node_get_info_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchConn(client);
    virNodeInfo info;

    if (!conn)
        return -1;
    memset(&info, 0, sizeof(info));
    if (virNodeGetInfo(conn, &info) < 0)
        return remoteDispatchAPIError();
    G_STATIC_ASSERT(sizeof(ret->model) == sizeof(info.model));
    memcpy(ret->model, info.model, sizeof(ret->model));
    ret->memory = info.memory;
    ret->cpus = info.cpus;
    ret->mhz = info.mhz;
    ret->nodes = info.nodes;
    ret->sockets = info.sockets;
    ret->cores = info.cores;
    ret->threads = info.threads;
    return 0;
}

static int
remoteDispatchNodeGetSecurityModel(REMOTE_DISPATCH_PARAMS)
{
    remote_node_get_security_model_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchConn(client);
    virSecurityModel model;

    if (!conn)
        return -1;
    memset(&model, 0, sizeof(model));
    if (virNodeGetSecurityModel(conn, &model) < 0)
        return remoteDispatchAPIError();
    /* Sent as char arrays whose count includes the NUL, as libvirtd. */
    ret->model.model_len = strnlen(model.model, sizeof(model.model) - 1) + 1;
    ret->model.model_val = g_strndup(model.model, ret->model.model_len - 1);
    ret->doi.doi_len = strnlen(model.doi, sizeof(model.doi) - 1) + 1;
    ret->doi.doi_val = g_strndup(model.doi, ret->doi.doi_len - 1);
    return 0;
}

static int
remoteDispatchNodeGetFreeMemory(REMOTE_DISPATCH_PARAMS)
{
    remote_node_get_free_memory_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchConn(client);

    if (!conn)
        return -1;
    /* 0 is the public API's failure value. */
    if ((ret->freeMem = virNodeGetFreeMemory(conn)) == 0)
        return remoteDispatchAPIError();
    return 0;
}

/* Connection-level procedures. */
static const RpcServerProc remoteDispatchConnectProcs[] = {
    /* Open and close are allowed read-only: the connection is then read-only. */
    REMOTE_PROC_A(CONNECT_OPEN, connect_open, "virConnectOpen", remoteDispatchConnectOpen,
                  RPC_SERVER_PROC_READONLY),
    REMOTE_PROC_V(CONNECT_CLOSE, "virConnectClose", remoteDispatchConnectClose,
                  RPC_SERVER_PROC_READONLY),
    REMOTE_PROC_R(AUTH_LIST, auth_list, NULL, remoteDispatchAuthList, REMOTE_PROC_QUERY),
    REMOTE_PROC_AR(CONNECT_SUPPORTS_FEATURE, connect_supports_feature, NULL,
                   remoteDispatchConnectSupportsFeature, REMOTE_PROC_QUERY),
    REMOTE_PROC_R(CONNECT_GET_TYPE, connect_get_type, "virConnectGetType",
                  remoteDispatchConnectGetType, REMOTE_PROC_QUICK),
    REMOTE_PROC_R(CONNECT_GET_VERSION, connect_get_version, "virConnectGetVersion",
                  remoteDispatchConnectGetVersion, REMOTE_PROC_QUERY),
    REMOTE_PROC_R(CONNECT_GET_LIB_VERSION, connect_get_lib_version, "virConnectGetLibVersion",
                  remoteDispatchConnectGetLibVersion, REMOTE_PROC_QUICK),
    REMOTE_PROC_R(CONNECT_GET_HOSTNAME, connect_get_hostname, "virConnectGetHostname",
                  remoteDispatchConnectGetHostname, REMOTE_PROC_QUICK),
    REMOTE_PROC_R(CONNECT_GET_URI, connect_get_uri, "virConnectGetURI", remoteDispatchConnectGetURI,
                  REMOTE_PROC_QUICK),
    REMOTE_PROC_R(CONNECT_GET_CAPABILITIES, connect_get_capabilities, "virConnectGetCapabilities",
                  remoteDispatchConnectGetCapabilities, REMOTE_PROC_QUERY),
    REMOTE_PROC_AR(CONNECT_GET_MAX_VCPUS, connect_get_max_vcpus, "virConnectGetMaxVcpus",
                   remoteDispatchConnectGetMaxVcpus, REMOTE_PROC_QUERY),
    REMOTE_PROC_AR(CONNECT_GET_DOMAIN_CAPABILITIES, connect_get_domain_capabilities,
                   "virConnectGetDomainCapabilities", remoteDispatchConnectGetDomainCapabilities,
                   /* may probe QEMU: not a high-priority call */
                   RPC_SERVER_PROC_READONLY),
    REMOTE_PROC_R(CONNECT_IS_SECURE, connect_is_secure, "virConnectIsSecure",
                  remoteDispatchConnectIsSecure, REMOTE_PROC_QUICK),
    REMOTE_PROC_R(NODE_GET_INFO, node_get_info, "virNodeGetInfo", remoteDispatchNodeGetInfo,
                  REMOTE_PROC_QUICK),
    REMOTE_PROC_R(NODE_GET_FREE_MEMORY, node_get_free_memory, "virNodeGetFreeMemory",
                  remoteDispatchNodeGetFreeMemory, REMOTE_PROC_QUICK),
    REMOTE_PROC_R(NODE_GET_SECURITY_MODEL, node_get_security_model, "virNodeGetSecurityModel",
                  remoteDispatchNodeGetSecurityModel, REMOTE_PROC_QUICK),
};

/**
 * remoteDispatchNewProgram:
 *
 * Returns: REMOTE_PROGRAM with every procedure the daemon implements
 * (caller owns, until added to a server).  The other numbers libvirt
 * defines answer VIR_ERR_NO_SUPPORT.
 */
RpcServerProgram *
remoteDispatchNewProgram(void)
{
    RpcServerProgram *prog =
        rpcServerProgramNew(REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, REMOTE_PROC_LAST);

    rpcServerProgramAddProcs(prog, remoteDispatchConnectProcs,
                             G_N_ELEMENTS(remoteDispatchConnectProcs));
    rpcServerProgramAddProcs(prog, remoteDispatchDomainProcs, remoteDispatchDomainProcsCount);
    rpcServerProgramAddProcs(prog, remoteDispatchEventProcs, remoteDispatchEventProcsCount);
    rpcServerProgramAddProcs(prog, remoteDispatchStatsProcs, remoteDispatchStatsProcsCount);
    rpcServerProgramAddProcs(prog, remoteStreamProcs, remoteStreamProcsCount);
    rpcServerProgramAddProcs(prog, remoteDispatchMigrateProcs, remoteDispatchMigrateProcsCount);
    rpcServerProgramSetNames(prog, remoteDispatchProcNames, remoteDispatchProcNamesCount);
    rpcServerProgramSetInlineCheck(prog, remoteDispatchInlineCheck);
    return prog;
}

/**
 * remoteDispatchInstall:
 * @rd: the daemon-wide state (must outlive @srv's clients)
 * @srv: a server not started yet
 *
 * Adds REMOTE_PROGRAM to @srv and makes every client get a RemoteClient.
 */
void
remoteDispatchInstall(RemoteDispatch *rd, RpcServer *srv)
{
    rpcServerSetClientHooks(srv, remoteDispatchClientNew, remoteDispatchClientFree,
                            remoteDispatchClientClose, rd);
    rpcServerAddProgram(srv, remoteDispatchNewProgram());
    rpcServerAddProgram(srv, remoteDispatchQemuNewProgram());
}
