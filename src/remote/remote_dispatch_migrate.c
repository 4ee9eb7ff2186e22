/* REMOTE_PROGRAM migration procedures: the five v3 steps (plain and Params), speed, downtime,
 * post-copy. */
#include <string.h>

#define ERR_DOMAIN VIR_FROM_REMOTE

#include "remote/remote_dispatch_migrate.h"
#include "remote/remote_dispatch_client.h"
#include "remote/remote_protocol.h"
#include "remote/remote_stream.h"
#include "api/migrate_steps.h"
#include "rpc/rpc_server_client.h"
#include "util/error.h"
#include "util/log.h"

LOG_INIT("remote.dispatch_migrate");

/*
 * The steps are no public API: they go through the library's internal
 * entry points (src/api/migrate_steps.h, exported for virtkitd only), as
 * libvirtd calls libvirt's.  Cookies travel untouched in both directions;
 * the driver allocated the output cookie, the reply takes it over.
 */

static virConnectPtr
remoteDispatchMigrateConn(RpcServerClient *client)
{
    return remoteDispatchClientGetConn(remoteDispatchClientGet(client));
}

/* The wire's typed parameters as an array for the library (virTypedParamsFree). */
static int
remoteDispatchMigrateParams(const remote_typed_param *wire, u_int n, virTypedParameterPtr *ret,
                            int *nret)
{
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int max = 0;
    u_int i;
    int rc = 0;

    if (n > REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX) {
        reportError(VIR_ERR_RPC, _("too many parameters '%1$u' for limit '%2$d'"), n,
                    REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX);
        return -1;
    }
    for (i = 0; i < n && rc == 0; i++) {
        const remote_typed_param_value *v = &wire[i].value;
        const char *f = wire[i].field;

        switch (v->type) {
        case VIR_TYPED_PARAM_INT:
            rc = virTypedParamsAddInt(&params, &nparams, &max, f, v->remote_typed_param_value_u.i);
            break;
        case VIR_TYPED_PARAM_UINT:
            rc =
                virTypedParamsAddUInt(&params, &nparams, &max, f, v->remote_typed_param_value_u.ui);
            break;
        case VIR_TYPED_PARAM_LLONG:
            rc =
                virTypedParamsAddLLong(&params, &nparams, &max, f, v->remote_typed_param_value_u.l);
            break;
        case VIR_TYPED_PARAM_ULLONG:
            rc = virTypedParamsAddULLong(&params, &nparams, &max, f,
                                         v->remote_typed_param_value_u.ul);
            break;
        case VIR_TYPED_PARAM_DOUBLE:
            rc = virTypedParamsAddDouble(&params, &nparams, &max, f,
                                         v->remote_typed_param_value_u.d);
            break;
        case VIR_TYPED_PARAM_BOOLEAN:
            rc = virTypedParamsAddBoolean(&params, &nparams, &max, f,
                                          v->remote_typed_param_value_u.b);
            break;
        case VIR_TYPED_PARAM_STRING:
            rc = virTypedParamsAddString(&params, &nparams, &max, f,
                                         v->remote_typed_param_value_u.s);
            break;
        default:
            virTypedParamsFree(params, nparams);
            reportError(VIR_ERR_RPC, _("unknown parameter type: %1$d"), v->type);
            return -1;
        }
    }
    if (rc < 0) {
        virTypedParamsFree(params, nparams);
        return remoteDispatchAPIError();
    }
    *ret = params;
    *nret = nparams;
    return 0;
}

/* Hand a driver's output cookie to the reply. */
#define REMOTE_MIGRATE_COOKIE_OUT(ret, cookie, len)                                                \
    do {                                                                                           \
        (ret)->cookie_out.cookie_out_val = (cookie);                                               \
        (ret)->cookie_out.cookie_out_len = (cookie) && (len) > 0 ? (u_int)(len) : 0;               \
    } while (0)

#define REMOTE_OPT(str) ((str) ? *(str) : NULL)

/* --- v3 with the legacy arguments -------------------------------------------------- */

static int
remoteDispatchDomainMigrateBegin3(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_begin3_args *args = argsp;
    remote_domain_migrate_begin3_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    char *cookie = NULL;
    int cookielen = 0;
    char *xml;

    if (!dom)
        return -1;
    if (!(xml = virtkitDomainMigrateBegin3(dom, REMOTE_OPT(args->xmlin), &cookie, &cookielen,
                                           args->flags, REMOTE_OPT(args->dname), args->resource)))
        return remoteDispatchAPIError();
    ret->xml = xml;
    REMOTE_MIGRATE_COOKIE_OUT(ret, cookie, cookielen);
    return 0;
}

static int
remoteDispatchDomainMigratePrepare3(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_prepare3_args *args = argsp;
    remote_domain_migrate_prepare3_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchMigrateConn(client);
    char *cookie = NULL;
    int cookielen = 0;
    char *uriOut = NULL;

    if (!conn)
        return -1;
    if (virtkitDomainMigratePrepare3(conn, args->cookie_in.cookie_in_val,
                                     args->cookie_in.cookie_in_len, &cookie, &cookielen,
                                     REMOTE_OPT(args->uri_in), &uriOut, args->flags,
                                     REMOTE_OPT(args->dname), args->resource, args->dom_xml) < 0)
        return remoteDispatchAPIError();
    REMOTE_MIGRATE_COOKIE_OUT(ret, cookie, cookielen);
    if (uriOut) {
        ret->uri_out = g_new0(char *, 1);
        *ret->uri_out = uriOut;
    }
    return 0;
}

static int
remoteDispatchDomainMigratePerform3(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_perform3_args *args = argsp;
    remote_domain_migrate_perform3_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    char *cookie = NULL;
    int cookielen = 0;

    if (!dom)
        return -1;
    if (virtkitDomainMigratePerform3(dom, REMOTE_OPT(args->xmlin), args->cookie_in.cookie_in_val,
                                     args->cookie_in.cookie_in_len, &cookie, &cookielen,
                                     REMOTE_OPT(args->dconnuri), REMOTE_OPT(args->uri), args->flags,
                                     REMOTE_OPT(args->dname), args->resource) < 0)
        return remoteDispatchAPIError();
    REMOTE_MIGRATE_COOKIE_OUT(ret, cookie, cookielen);
    return 0;
}

static int
remoteDispatchDomainMigrateFinish3(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_finish3_args *args = argsp;
    remote_domain_migrate_finish3_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchMigrateConn(client);
    g_autoptr(virDomain) dom = NULL;
    char *cookie = NULL;
    int cookielen = 0;

    if (!conn)
        return -1;
    if (!(dom = virtkitDomainMigrateFinish3(conn, args->dname, args->cookie_in.cookie_in_val,
                                            args->cookie_in.cookie_in_len, &cookie, &cookielen,
                                            REMOTE_OPT(args->dconnuri), REMOTE_OPT(args->uri),
                                            args->flags, args->cancelled)))
        return remoteDispatchAPIError();
    remoteDispatchMakeDomain(dom, &ret->dom);
    REMOTE_MIGRATE_COOKIE_OUT(ret, cookie, cookielen);
    return 0;
}

static int
remoteDispatchDomainMigrateConfirm3(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_confirm3_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virtkitDomainMigrateConfirm3(dom, args->cookie_in.cookie_in_val,
                                     args->cookie_in.cookie_in_len, args->flags,
                                     args->cancelled) < 0)
        return remoteDispatchAPIError();
    return 0;
}

/* --- v3 with typed parameters ------------------------------------------------------- */

static int
remoteDispatchDomainMigrateBegin3Params(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_begin3_params_args *args = argsp;
    remote_domain_migrate_begin3_params_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    char *cookie = NULL;
    int cookielen = 0;
    char *xml;

    if (!dom)
        return -1;
    if (remoteDispatchMigrateParams(args->params.params_val, args->params.params_len, &params,
                                    &nparams) < 0)
        return -1;
    xml = virtkitDomainMigrateBegin3Params(dom, params, nparams, &cookie, &cookielen, args->flags);
    virTypedParamsFree(params, nparams);
    if (!xml)
        return remoteDispatchAPIError();
    ret->xml = xml;
    REMOTE_MIGRATE_COOKIE_OUT(ret, cookie, cookielen);
    return 0;
}

static int
remoteDispatchDomainMigratePrepare3Params(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_prepare3_params_args *args = argsp;
    remote_domain_migrate_prepare3_params_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchMigrateConn(client);
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    char *cookie = NULL;
    int cookielen = 0;
    char *uriOut = NULL;
    int rc;

    if (!conn)
        return -1;
    if (remoteDispatchMigrateParams(args->params.params_val, args->params.params_len, &params,
                                    &nparams) < 0)
        return -1;
    rc = virtkitDomainMigratePrepare3Params(conn, params, nparams, args->cookie_in.cookie_in_val,
                                            args->cookie_in.cookie_in_len, &cookie, &cookielen,
                                            &uriOut, args->flags);
    virTypedParamsFree(params, nparams);
    if (rc < 0)
        return remoteDispatchAPIError();
    REMOTE_MIGRATE_COOKIE_OUT(ret, cookie, cookielen);
    if (uriOut) {
        ret->uri_out = g_new0(char *, 1);
        *ret->uri_out = uriOut;
    }
    return 0;
}

/*
 * Tunnelled migration, destination: the data of the source's QEMU comes
 * as the STREAM packets of this call, fed to the driver through a stream
 * of the client's connection (src/remote/remote_stream.c pumps them).
 */
static int
remoteDispatchDomainMigratePrepareTunnel3Params(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_prepare_tunnel3_params_args *args = argsp;
    remote_domain_migrate_prepare_tunnel3_params_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchMigrateConn(client);
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    char *cookie = NULL;
    int cookielen = 0;
    virStreamPtr st = NULL;
    int rc = -1;

    if (!conn)
        return -1;
    if (remoteDispatchMigrateParams(args->params.params_val, args->params.params_len, &params,
                                    &nparams) < 0)
        return -1;
    if (!(st = remoteStreamNew(client)))
        goto cleanup;
    if (virtkitDomainMigratePrepareTunnel3Params(conn, st, params, nparams,
                                                 args->cookie_in.cookie_in_val,
                                                 args->cookie_in.cookie_in_len, &cookie,
                                                 &cookielen, args->flags) < 0) {
        remoteDispatchAPIError();
        goto cleanup;
    }
    if (remoteStreamAttach(client, call, st) < 0) {
        /* the source never learns of this Prepare: undo it as a cancelled Finish */
        g_autoptr(SavedError) saved = errorSave();
        virDomainPtr ddom;

        virStreamAbort(st);
        g_free(cookie);
        ddom = virtkitDomainMigrateFinish3Params(conn, params, nparams, NULL, 0, NULL, NULL,
                                                 args->flags, 1);
        if (ddom)
            virDomainFree(ddom);
        errorRestore(&saved);
        goto cleanup;
    }
    REMOTE_MIGRATE_COOKIE_OUT(ret, cookie, cookielen);
    rc = 0;

 cleanup:
    virTypedParamsFree(params, nparams);
    if (st)
        virStreamFree(st);
    return rc;
}

static int
remoteDispatchDomainMigratePerform3Params(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_perform3_params_args *args = argsp;
    remote_domain_migrate_perform3_params_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    char *cookie = NULL;
    int cookielen = 0;
    int rc;

    if (!dom)
        return -1;
    if (remoteDispatchMigrateParams(args->params.params_val, args->params.params_len, &params,
                                    &nparams) < 0)
        return -1;
    rc = virtkitDomainMigratePerform3Params(
        dom, REMOTE_OPT(args->dconnuri), params, nparams, args->cookie_in.cookie_in_val,
        args->cookie_in.cookie_in_len, &cookie, &cookielen, args->flags);
    virTypedParamsFree(params, nparams);
    if (rc < 0)
        return remoteDispatchAPIError();
    REMOTE_MIGRATE_COOKIE_OUT(ret, cookie, cookielen);
    return 0;
}

static int
remoteDispatchDomainMigrateFinish3Params(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_finish3_params_args *args = argsp;
    remote_domain_migrate_finish3_params_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchMigrateConn(client);
    g_autoptr(virDomain) dom = NULL;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    char *cookie = NULL;
    int cookielen = 0;

    if (!conn)
        return -1;
    if (remoteDispatchMigrateParams(args->params.params_val, args->params.params_len, &params,
                                    &nparams) < 0)
        return -1;
    dom = virtkitDomainMigrateFinish3Params(conn, params, nparams, args->cookie_in.cookie_in_val,
                                            args->cookie_in.cookie_in_len, &cookie, &cookielen,
                                            args->flags, args->cancelled);
    virTypedParamsFree(params, nparams);
    if (!dom)
        return remoteDispatchAPIError();
    remoteDispatchMakeDomain(dom, &ret->dom);
    REMOTE_MIGRATE_COOKIE_OUT(ret, cookie, cookielen);
    return 0;
}

static int
remoteDispatchDomainMigrateConfirm3Params(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_confirm3_params_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int rc;

    if (!dom)
        return -1;
    if (remoteDispatchMigrateParams(args->params.params_val, args->params.params_len, &params,
                                    &nparams) < 0)
        return -1;
    rc = virtkitDomainMigrateConfirm3Params(dom, params, nparams, args->cookie_in.cookie_in_val,
                                            args->cookie_in.cookie_in_len, args->flags,
                                            args->cancelled);
    virTypedParamsFree(params, nparams);
    if (rc < 0)
        return remoteDispatchAPIError();
    return 0;
}

/* --- tunables during a migration ------------------------------------------------ */

static int
remoteDispatchDomainMigrateSetMaxSpeed(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_set_max_speed_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (args->bandwidth > G_MAXULONG) {
        reportError(VIR_ERR_OVERFLOW, _("bandwidth %1$llu too large for unsigned long"),
                    (unsigned long long)args->bandwidth);
        return -1;
    }
    if (virDomainMigrateSetMaxSpeed(dom, args->bandwidth, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainMigrateGetMaxSpeed(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_get_max_speed_args *args = argsp;
    remote_domain_migrate_get_max_speed_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    unsigned long bandwidth = 0;

    if (!dom)
        return -1;
    if (virDomainMigrateGetMaxSpeed(dom, &bandwidth, args->flags) < 0)
        return remoteDispatchAPIError();
    ret->bandwidth = bandwidth;
    return 0;
}

static int
remoteDispatchDomainMigrateGetCompressionCache(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_get_compression_cache_args *args = argsp;
    remote_domain_migrate_get_compression_cache_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    unsigned long long cacheSize = 0;

    if (!dom)
        return -1;
    if (virDomainMigrateGetCompressionCache(dom, &cacheSize, args->flags) < 0)
        return remoteDispatchAPIError();
    ret->cacheSize = cacheSize;
    return 0;
}

static int
remoteDispatchDomainMigrateSetCompressionCache(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_set_compression_cache_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainMigrateSetCompressionCache(dom, args->cacheSize, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainMigrateSetMaxDowntime(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_set_max_downtime_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainMigrateSetMaxDowntime(dom, args->downtime, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainMigrateGetMaxDowntime(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_get_max_downtime_args *args = argsp;
    remote_domain_migrate_get_max_downtime_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    unsigned long long downtime = 0;

    if (!dom)
        return -1;
    if (virDomainMigrateGetMaxDowntime(dom, &downtime, args->flags) < 0)
        return remoteDispatchAPIError();
    ret->downtime = downtime;
    return 0;
}

static int
remoteDispatchDomainMigrateStartPostCopy(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_migrate_start_post_copy_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainMigrateStartPostCopy(dom, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

/* --- the table --------------------------------------------------------------------- */

/* Tunables must get through while the migration itself holds a normal worker. */
#define REMOTE_PROC_MIGRATE_TUNE RPC_SERVER_PROC_HIGH_PRIORITY

const RpcServerProc remoteDispatchMigrateProcs[] = {
    REMOTE_PROC_AR(DOMAIN_MIGRATE_BEGIN3, domain_migrate_begin3, "virDomainMigrateBegin3",
                   remoteDispatchDomainMigrateBegin3, REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_MIGRATE_PREPARE3, domain_migrate_prepare3, "virDomainMigratePrepare3",
                   remoteDispatchDomainMigratePrepare3, REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_MIGRATE_PERFORM3, domain_migrate_perform3, "virDomainMigratePerform3",
                   remoteDispatchDomainMigratePerform3, REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_MIGRATE_FINISH3, domain_migrate_finish3, "virDomainMigrateFinish3",
                   remoteDispatchDomainMigrateFinish3, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_MIGRATE_CONFIRM3, domain_migrate_confirm3, "virDomainMigrateConfirm3",
                  remoteDispatchDomainMigrateConfirm3, REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_MIGRATE_BEGIN3_PARAMS, domain_migrate_begin3_params,
                   "virDomainMigrateBegin3Params", remoteDispatchDomainMigrateBegin3Params,
                   REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_MIGRATE_PREPARE3_PARAMS, domain_migrate_prepare3_params,
                   "virDomainMigratePrepare3Params", remoteDispatchDomainMigratePrepare3Params,
                   REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_MIGRATE_PREPARE_TUNNEL3_PARAMS, domain_migrate_prepare_tunnel3_params,
                   "virDomainMigratePrepareTunnel3Params",
                   remoteDispatchDomainMigratePrepareTunnel3Params, REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_MIGRATE_PERFORM3_PARAMS, domain_migrate_perform3_params,
                   "virDomainMigratePerform3Params", remoteDispatchDomainMigratePerform3Params,
                   REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_MIGRATE_FINISH3_PARAMS, domain_migrate_finish3_params,
                   "virDomainMigrateFinish3Params", remoteDispatchDomainMigrateFinish3Params,
                   REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_MIGRATE_CONFIRM3_PARAMS, domain_migrate_confirm3_params,
                  "virDomainMigrateConfirm3Params", remoteDispatchDomainMigrateConfirm3Params,
                  REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_MIGRATE_SET_MAX_SPEED, domain_migrate_set_max_speed,
                  "virDomainMigrateSetMaxSpeed", remoteDispatchDomainMigrateSetMaxSpeed,
                  REMOTE_PROC_MIGRATE_TUNE),
    REMOTE_PROC_AR(DOMAIN_MIGRATE_GET_MAX_SPEED, domain_migrate_get_max_speed,
                   "virDomainMigrateGetMaxSpeed", remoteDispatchDomainMigrateGetMaxSpeed,
                   REMOTE_PROC_QUERY),
    REMOTE_PROC_AR(DOMAIN_MIGRATE_GET_COMPRESSION_CACHE, domain_migrate_get_compression_cache,
                   "virDomainMigrateGetCompressionCache",
                   remoteDispatchDomainMigrateGetCompressionCache, REMOTE_PROC_QUERY),
    REMOTE_PROC_A(DOMAIN_MIGRATE_SET_COMPRESSION_CACHE, domain_migrate_set_compression_cache,
                  "virDomainMigrateSetCompressionCache",
                  remoteDispatchDomainMigrateSetCompressionCache, REMOTE_PROC_MIGRATE_TUNE),
    REMOTE_PROC_A(DOMAIN_MIGRATE_SET_MAX_DOWNTIME, domain_migrate_set_max_downtime,
                  "virDomainMigrateSetMaxDowntime", remoteDispatchDomainMigrateSetMaxDowntime,
                  REMOTE_PROC_MIGRATE_TUNE),
    REMOTE_PROC_AR(DOMAIN_MIGRATE_GET_MAX_DOWNTIME, domain_migrate_get_max_downtime,
                   "virDomainMigrateGetMaxDowntime", remoteDispatchDomainMigrateGetMaxDowntime,
                   REMOTE_PROC_QUERY),
    REMOTE_PROC_A(DOMAIN_MIGRATE_START_POST_COPY, domain_migrate_start_post_copy,
                  "virDomainMigrateStartPostCopy", remoteDispatchDomainMigrateStartPostCopy,
                  REMOTE_PROC_MIGRATE_TUNE),
};

const size_t remoteDispatchMigrateProcsCount = G_N_ELEMENTS(remoteDispatchMigrateProcs);
