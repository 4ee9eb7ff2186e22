/* The daemon's per-client state for REMOTE_PROGRAM: its library connection and event callbacks. */
#include <string.h>

#define ERR_DOMAIN VIR_FROM_REMOTE

#include "remote/remote_dispatch_client.h"
#include "remote/remote_dispatch.h"
#include "remote/remote_dispatch_event.h"
#include "remote/remote_stream.h"
#include "rpc/rpc_server_client.h"
#include "util/error.h"
#include "util/log.h"
#include "util/thread.h"

LOG_INIT("remote.dispatch_client");

/**
 * remoteDispatchClientNew:
 * @client: a client that just connected
 * @opaque: the RemoteDispatch
 *
 * The server's privNew hook.
 *
 * Returns: the client's RemoteClient (owned by @client).
 */
void *
remoteDispatchClientNew(RpcServerClient *client, void *opaque)
{
    RemoteClient *rc = g_new0(RemoteClient, 1);

    rc->rd = opaque;
    rc->client = client;
    rc->id = rpcServerClientGetID(client);
    mutexInit(&rc->lock);
    rc->callbacks = g_ptr_array_new();
    return rc;
}

/**
 * remoteDispatchClientClose:
 * @client: a client whose connection closed
 * @opaque: its RemoteClient
 *
 * The server's privClose hook (event-loop thread): drops the event and
 * close callbacks (which reference @client) and the client's reference on
 * the library connection; calls still running keep their own.
 */
void
remoteDispatchClientClose(RpcServerClient *client, void *opaque)
{
    RemoteClient *rc = opaque;
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GPtrArray) callbacks = NULL;
    bool closeCallback;
    struct _RemoteStreamList *streams;

    mutexLock(&rc->lock);
    rc->closed = true;
    streams = rc->streams;
    conn = g_steal_pointer(&rc->conn);
    callbacks = g_steal_pointer(&rc->callbacks);
    rc->callbacks = g_ptr_array_new();
    closeCallback = rc->closeCallback;
    rc->closeCallback = false;
    mutexUnlock(&rc->lock);

    remoteDispatchEventDropAll(conn, callbacks, closeCallback);
    remoteStreamAbortAll(streams);
    virResetLastError();
}

/**
 * remoteDispatchClientFree:
 * @opaque: a RemoteClient, or NULL
 *
 * The server's privFree hook, run with the client's last reference.
 */
void
remoteDispatchClientFree(void *opaque)
{
    RemoteClient *rc = opaque;

    if (!rc)
        return;
    /* The close hook ran first; this only covers a client never attached. */
    remoteDispatchEventDropAll(rc->conn, rc->callbacks, rc->closeCallback);
    g_ptr_array_unref(rc->callbacks);
    remoteStreamListFree(rc->streams);
    if (rc->conn)
        virConnectClose(rc->conn);
    mutexClear(&rc->lock);
    g_free(rc);
}

/**
 * remoteDispatchClientGet:
 * @client: a client of the REMOTE_PROGRAM server
 *
 * Returns: its RemoteClient (owned by @client).
 */
RemoteClient *
remoteDispatchClientGet(RpcServerClient *client)
{
    return rpcServerClientGetPrivateData(client);
}

/**
 * remoteDispatchClientGetConn:
 * @rc: a client's state
 *
 * Returns: a new reference on the client's open connection (release with
 * virConnectClose), or NULL with VIR_ERR_INTERNAL_ERROR "connection not
 * open" reported, as libvirtd.
 */
virConnectPtr
remoteDispatchClientGetConn(RemoteClient *rc)
{
    virConnectPtr conn = NULL;

    mutexLock(&rc->lock);
    if (rc->conn && virConnectRef(rc->conn) == 0)
        conn = rc->conn;
    mutexUnlock(&rc->lock);
    if (!conn)
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("connection not open"));
    return conn;
}

/**
 * remoteDispatchInlineCheck:
 * @client: a client of the REMOTE_PROGRAM server
 * @proc: a procedure flagged REMOTE_PROC_QUICK
 *
 * The program's inline check (event-loop thread): a quick query runs
 * there when the driver of the client's connection set quickQueries, or
 * when no connection is open (the call then only answers "connection not
 * open").
 *
 * Returns: true when the call may run on the event-loop thread.
 */
bool
remoteDispatchInlineCheck(RpcServerClient *client, const RpcServerProc *proc)
{
    RemoteClient *rc = remoteDispatchClientGet(client);
    bool ret;

    mutexLock(&rc->lock);
    ret = !rc->conn || rc->quickQueries;
    mutexUnlock(&rc->lock);
    return ret;
}

/**
 * remoteDispatchClientGetDomain:
 * @client: the calling client
 * @dom: a domain as the client sent it
 *
 * Finds the domain through the public API (by UUID, as libvirt's drivers
 * identify it).
 *
 * Returns: a domain handle (caller frees with virDomainFree; it keeps
 * the connection alive), or NULL with an error set.
 */
virDomainPtr
remoteDispatchClientGetDomain(RpcServerClient *client, const remote_nonnull_domain *dom)
{
    g_autoptr(virConnect) conn = remoteDispatchClientGetConn(remoteDispatchClientGet(client));
    virDomainPtr ret = NULL;

    if (!conn)
        return NULL;
    if (!(ret = virDomainLookupByUUID(conn, (const unsigned char *)dom->uuid)))
        remoteDispatchAPIError();
    return ret;
}

/**
 * remoteDispatchAPIError:
 *
 * Moves the error of the public API call that just failed into the
 * calling thread's error slot (src/util/error.h), from where the server
 * sends it.  The library keeps its own slot: the daemon links it as a
 * separate shared object.
 *
 * Returns: -1, for "return remoteDispatchAPIError();".
 */
int
remoteDispatchAPIError(void)
{
    virErrorPtr err = virGetLastError();

    if (err && err->code != VIR_ERR_OK)
        errorSetFromCopy(err);
    else
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("the library failed without an error"));
    virResetLastError();
    return -1;
}

/**
 * remoteDispatchMakeDomain:
 * @dom: a domain handle
 * @ret: filled with its wire form (the name is a new string that xdr_free
 *       releases)
 */
void
remoteDispatchMakeDomain(virDomainPtr dom, remote_nonnull_domain *ret)
{
    unsigned char uuid[VIR_UUID_BUFLEN] = {0};

    ret->name = g_strdup(virDomainGetName(dom));
    virDomainGetUUID(dom, uuid);
    memcpy(ret->uuid, uuid, sizeof(ret->uuid));
    ret->id = (int)virDomainGetID(dom);
}

/**
 * remoteDispatchSerializeParams:
 * @params: typed parameters
 * @nparams: their number
 * @max: the procedure's limit
 * @retVal: set to the wire array (g_malloc'd; xdr_free releases it)
 * @retLen: set to its length
 *
 * Returns: 0, or -1 with VIR_ERR_RPC reported when there are more than
 * @max parameters or one has an unknown type.
 */
int
remoteDispatchSerializeParams(virTypedParameterPtr params, int nparams, unsigned int max,
                              remote_typed_param **retVal, u_int *retLen)
{
    g_autofree remote_typed_param *val = NULL;
    int i;

    if (nparams < 0 || (unsigned int)nparams > max) {
        reportError(VIR_ERR_RPC, _("too many parameters '%1$d' for limit '%2$u'"), nparams, max);
        return -1;
    }
    val = g_new0(remote_typed_param, MAX(nparams, 1));
    for (i = 0; i < nparams; i++) {
        remote_typed_param *p = &val[i];

        p->value.type = params[i].type;
        switch (params[i].type) {
        case VIR_TYPED_PARAM_INT:
            p->value.remote_typed_param_value_u.i = params[i].value.i;
            break;
        case VIR_TYPED_PARAM_UINT:
            p->value.remote_typed_param_value_u.ui = params[i].value.ui;
            break;
        case VIR_TYPED_PARAM_LLONG:
            p->value.remote_typed_param_value_u.l = params[i].value.l;
            break;
        case VIR_TYPED_PARAM_ULLONG:
            p->value.remote_typed_param_value_u.ul = params[i].value.ul;
            break;
        case VIR_TYPED_PARAM_DOUBLE:
            p->value.remote_typed_param_value_u.d = params[i].value.d;
            break;
        case VIR_TYPED_PARAM_BOOLEAN:
            p->value.remote_typed_param_value_u.b = params[i].value.b;
            break;
        case VIR_TYPED_PARAM_STRING:
            p->value.remote_typed_param_value_u.s =
                g_strdup(params[i].value.s ? params[i].value.s : "");
            break;
        default:
            reportError(VIR_ERR_RPC, _("unknown parameter type %1$d of '%2$s'"), params[i].type,
                        params[i].field);
            for (; i > 0; i--) {
                g_free(val[i - 1].field);
                if (val[i - 1].value.type == VIR_TYPED_PARAM_STRING)
                    g_free(val[i - 1].value.remote_typed_param_value_u.s);
            }
            return -1;
        }
        p->field = g_strdup(params[i].field);
    }
    *retLen = (u_int)nparams;
    *retVal = g_steal_pointer(&val);
    return 0;
}

/**
 * remoteDispatchDeserializeParams:
 * @wire: typed parameters as decoded from a call
 * @n: their number (the XDR decoder already held it to the procedure's limit)
 * @retParams: set to a new array (virTypedParamsFree releases it)
 * @retN: set to its length
 *
 * Returns: 0, or -1 with VIR_ERR_RPC reported for an unknown type or a
 * field name too long for a virTypedParameter.
 */
int
remoteDispatchDeserializeParams(const remote_typed_param *wire, u_int n,
                                virTypedParameterPtr *retParams, int *retN)
{
    virTypedParameterPtr params = g_new0(virTypedParameter, MAX(n, 1));
    u_int i;

    for (i = 0; i < n; i++) {
        const remote_typed_param_value *v = &wire[i].value;
        virTypedParameterPtr p = &params[i];

        if (g_strlcpy(p->field, wire[i].field, VIR_TYPED_PARAM_FIELD_LENGTH) >=
            VIR_TYPED_PARAM_FIELD_LENGTH) {
            reportError(VIR_ERR_RPC, _("parameter name '%1$s' too long"), wire[i].field);
            virTypedParamsFree(params, (int)i);
            return -1;
        }
        p->type = v->type;
        switch (v->type) {
        case VIR_TYPED_PARAM_INT:
            p->value.i = v->remote_typed_param_value_u.i;
            break;
        case VIR_TYPED_PARAM_UINT:
            p->value.ui = v->remote_typed_param_value_u.ui;
            break;
        case VIR_TYPED_PARAM_LLONG:
            p->value.l = v->remote_typed_param_value_u.l;
            break;
        case VIR_TYPED_PARAM_ULLONG:
            p->value.ul = v->remote_typed_param_value_u.ul;
            break;
        case VIR_TYPED_PARAM_DOUBLE:
            p->value.d = v->remote_typed_param_value_u.d;
            break;
        case VIR_TYPED_PARAM_BOOLEAN:
            p->value.b = v->remote_typed_param_value_u.b != 0;
            break;
        case VIR_TYPED_PARAM_STRING:
            p->value.s = g_strdup(v->remote_typed_param_value_u.s);
            break;
        default:
            reportError(VIR_ERR_RPC, _("unknown parameter type: %1$d"), v->type);
            virTypedParamsFree(params, (int)i);
            return -1;
        }
    }
    *retParams = params;
    *retN = (int)n;
    return 0;
}
