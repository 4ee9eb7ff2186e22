/* Public API: domain migration (virDomainMigrate*, speed, downtime, post-copy). */
#include <stdlib.h>
#include <string.h>

#define ERR_DOMAIN VIR_FROM_DOMAIN
#include "api/entry.h"
#include "api/libvirt-migrate.h"
#include "util/log.h"
#include "util/str.h"

LOG_INIT("api.migrate");

/*
 * The argument checks and their messages are libvirt 9.0's as observed
 * through its public API.  The v3 protocol (Begin, Prepare, Perform,
 * Finish, Confirm) is driven here for managed direct migration; with
 * VIR_MIGRATE_PEER2PEER the source driver drives it (Perform3Params with
 * the destination's URI).  Errors: the first failure is the one the
 * caller sees; later steps run with it saved (reference/migration.md).
 */

static bool
migrateSupports(virConnectPtr conn, int feature)
{
    return conn->driver->connectSupportsFeature &&
           conn->driver->connectSupportsFeature(conn, feature) > 0;
}

/*
 * Copy @params into a new array (free with virTypedParamsFree), leaving
 * out the parameters named @skip1 and @skip2 (may be NULL).
 */
static int
migrateParamsCopy(virTypedParameterPtr params, int nparams, const char *skip1,
                  const char *skip2, virTypedParameterPtr *ret, int *nret)
{
    virTypedParameterPtr out = NULL;
    int nout = 0;
    int maxout = 0;
    int i;
    int rc = 0;

    for (i = 0; i < nparams && rc == 0; i++) {
        virTypedParameterPtr p = &params[i];

        if ((skip1 && streq(p->field, skip1)) || (skip2 && streq(p->field, skip2)))
            continue;
        switch (p->type) {
        case VIR_TYPED_PARAM_INT:
            rc = virTypedParamsAddInt(&out, &nout, &maxout, p->field, p->value.i);
            break;
        case VIR_TYPED_PARAM_UINT:
            rc = virTypedParamsAddUInt(&out, &nout, &maxout, p->field, p->value.ui);
            break;
        case VIR_TYPED_PARAM_LLONG:
            rc = virTypedParamsAddLLong(&out, &nout, &maxout, p->field, p->value.l);
            break;
        case VIR_TYPED_PARAM_ULLONG:
            rc = virTypedParamsAddULLong(&out, &nout, &maxout, p->field,
                                         p->value.ul);
            break;
        case VIR_TYPED_PARAM_DOUBLE:
            rc = virTypedParamsAddDouble(&out, &nout, &maxout, p->field,
                                         p->value.d);
            break;
        case VIR_TYPED_PARAM_BOOLEAN:
            rc = virTypedParamsAddBoolean(&out, &nout, &maxout, p->field,
                                          p->value.b);
            break;
        case VIR_TYPED_PARAM_STRING:
            rc = virTypedParamsAddString(&out, &nout, &maxout, p->field,
                                         p->value.s);
            break;
        default:
            reportError(VIR_ERR_INVALID_ARG,
                        _("unexpected type %1$d for field %2$s"), p->type,
                        p->field);
            rc = -1;
        }
    }
    if (rc < 0) {
        virTypedParamsFree(out, nout);
        return -1;
    }
    *ret = out;
    *nret = nout;
    return 0;
}

/* Append (or replace) string parameter @name in the array made by migrateParamsCopy. */
static int
migrateParamsSetString(virTypedParameterPtr *params, int *nparams,
                       const char *name, const char *value)
{
    virTypedParameterPtr tmp = NULL;
    int ntmp = 0;
    int max;

    if (migrateParamsCopy(*params, *nparams, name, NULL, &tmp, &ntmp) < 0)
        return -1;
    max = ntmp;
    if (virTypedParamsAddString(&tmp, &ntmp, &max, name, value) < 0) {
        virTypedParamsFree(tmp, ntmp);
        return -1;
    }
    virTypedParamsFree(*params, *nparams);
    *params = tmp;
    *nparams = ntmp;
    return 0;
}

/*
 * Run the five v3 steps between @domain's connection and @dconn (the
 * Params variants).  After a failure the later steps still run, with
 * cancelled=1, and the first error is restored at the end.
 */
static virDomainPtr
migrateManagedParams(virDomainPtr domain, virConnectPtr dconn,
                     virTypedParameterPtr inParams, int nInParams,
                     unsigned int flags, MigrateTunnelPerformFunc tunnelPerform)
{
    virStreamPtr st = NULL;
    virConnectPtr sconn = domain->conn;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    g_autofree char *domXML = NULL;
    g_autofree char *uriOut = NULL;
    g_autofree char *cookieA = NULL;
    g_autofree char *cookieB = NULL;
    int cookieAlen = 0;
    int cookieBlen = 0;
    virDomainPtr ddomain = NULL;
    g_autoptr(SavedError) firstError = NULL;
    unsigned int destflags = flags & ~(VIR_MIGRATE_ABORT_ON_ERROR |
                                       VIR_MIGRATE_AUTO_CONVERGE);
    int cancelled = 1;
    int ret;

    if (migrateParamsCopy(inParams, nInParams, NULL, NULL, &params,
                          &nparams) < 0)
        return NULL;

    /* 1. Begin (source): the XML to send and the first cookie. */
    LOG_DEBUG("Begin3 on the source");
    if (!(domXML = sconn->driver->domainMigrateBegin3Params(domain, params,
                                                            nparams, &cookieA,
                                                            &cookieAlen, flags)))
        goto done;
    if (migrateParamsSetString(&params, &nparams, VIR_MIGRATE_PARAM_DEST_XML,
                               domXML) < 0)
        goto done;

    /* 2. Prepare (destination). */
    LOG_DEBUG("Prepare3 on the destination (tunnelled=%d)", tunnelPerform != NULL);
    if (tunnelPerform) {
        /* the data goes through a stream of the destination connection */
        if (!(st = virStreamNew(dconn, 0)))
            ret = -1;
        else
            ret = dconn->driver->domainMigratePrepareTunnel3Params(dconn, st, params, nparams,
                                                                   cookieA, cookieAlen,
                                                                   &cookieB, &cookieBlen,
                                                                   destflags);
    } else {
        ret = dconn->driver->domainMigratePrepare3Params(dconn, params, nparams,
                                                         cookieA, cookieAlen,
                                                         &cookieB, &cookieBlen,
                                                         &uriOut, destflags);
    }
    if (ret < 0) {
        /* Nothing started on the destination: put the source back. */
        firstError = errorSave();
        g_clear_pointer(&cookieA, g_free);
        cookieAlen = 0;
        goto confirm;
    }
    if (uriOut &&
        migrateParamsSetString(&params, &nparams, VIR_MIGRATE_PARAM_URI,
                               uriOut) < 0) {
        firstError = errorSave();
        goto finish;
    }

    /* 3. Perform (source): the guest ends paused on the source. */
    LOG_DEBUG("Perform3 on the source");
    g_clear_pointer(&cookieA, g_free);
    cookieAlen = 0;
    if (tunnelPerform)
        ret = tunnelPerform(domain, st, params, nparams, cookieB, cookieBlen,
                            &cookieA, &cookieAlen, flags);
    else
        ret = sconn->driver->domainMigratePerform3Params(domain, NULL, params,
                                                         nparams, cookieB,
                                                         cookieBlen, &cookieA,
                                                         &cookieAlen, flags);
    if (ret < 0)
        firstError = errorSave();
    if (st) {
        /* the driver finished or aborted it; an abort here only makes sure */
        if (ret < 0 && virStreamAbort(st) < 0)
            errorReset();
        virStreamFree(st);
        st = NULL;
    }
    cancelled = ret < 0;

 finish:
    /* 4. Finish (destination): resume there, or clean up when cancelled. */
    LOG_DEBUG("Finish3 on the destination (cancelled=%d)", cancelled);
    g_clear_pointer(&cookieB, g_free);
    cookieBlen = 0;
    ddomain = dconn->driver->domainMigrateFinish3Params(dconn, params, nparams,
                                                        cookieA, cookieAlen,
                                                        &cookieB, &cookieBlen,
                                                        destflags, cancelled);
    if (!ddomain) {
        if (!firstError && !cancelled)
            firstError = errorSave();
        cancelled = 1;
    } else if (cancelled) {
        /* a destination that claims success after a cancelled Perform */
        virDomainFree(ddomain);
        ddomain = NULL;
    }
    g_clear_pointer(&cookieA, g_free);
    cookieAlen = 0;
    cookieA = g_steal_pointer(&cookieB);
    cookieAlen = cookieBlen;

 confirm:
    /* 5. Confirm (source): kill the source guest, or resume it. */
    LOG_DEBUG("Confirm3 on the source (cancelled=%d)", cancelled);
    if (sconn->driver->domainMigrateConfirm3Params(domain, params, nparams,
                                                   cookieA, cookieAlen, flags,
                                                   cancelled) < 0) {
        if (!firstError && cancelled)
            firstError = errorSave();
        else
            LOG_WARN("Confirm3 failed: guest '%s' may be left paused on the source, ignoring",
                     domain->name);
    }

 done:
    if (st) {
        g_autoptr(SavedError) saved = errorSave();

        if (virStreamAbort(st) < 0)
            errorReset();
        virStreamFree(st);
        errorRestore(&saved);
    }
    virTypedParamsFree(params, nparams);
    if (firstError) {
        errorRestore(&firstError);
        if (ddomain) {
            virDomainFree(ddomain);
            ddomain = NULL;
        }
    } else if (!ddomain && !errorIsSet()) {
        reportError(VIR_ERR_OPERATION_FAILED, "%s",
                    _("migration failed without a reported error"));
    }
    return ddomain;
}

/**
 * migrateRunSteps:
 * @domain: the source domain
 * @dconn: a connection to the destination
 * @params: migration parameters (VIR_MIGRATE_PARAM_*)
 * @nparams: number of @params
 * @flags: virDomainMigrateFlags without VIR_MIGRATE_PEER2PEER
 *
 * The managed-direct protocol: runs Begin/Prepare/Perform/Finish/Confirm
 * across the two connections.  Also used by drivers that implement
 * peer-to-peer in-process (they pass their own connection to the
 * destination).  No error is reset: the caller is an entry point or a
 * driver.
 *
 * Returns: a new handle of the domain on the destination, or NULL with
 * the first error of the protocol set.
 */
virDomainPtr
migrateRunSteps(virDomainPtr domain, virConnectPtr dconn,
                virTypedParameterPtr params, int nparams, unsigned int flags)
{
    virConnectPtr sconn = domain->conn;

    if (!migrateSupports(sconn, DRV_FEATURE_MIGRATION_PARAMS) ||
        !migrateSupports(dconn, DRV_FEATURE_MIGRATION_PARAMS) ||
        !sconn->driver->domainMigrateBegin3Params ||
        !sconn->driver->domainMigratePerform3Params ||
        !sconn->driver->domainMigrateConfirm3Params ||
        !dconn->driver->domainMigratePrepare3Params ||
        !dconn->driver->domainMigrateFinish3Params) {
        reportError(VIR_ERR_NO_SUPPORT, "%s", "virDomainMigrate");
        return NULL;
    }
    return migrateManagedParams(domain, dconn, params, nparams, flags, NULL);
}

/**
 * migrateRunTunnelSteps:
 * @domain: the source domain
 * @dconn: a connection to the destination
 * @params, @nparams: migration parameters (VIR_MIGRATE_PARAM_*)
 * @flags: virDomainMigrateFlags without VIR_MIGRATE_PEER2PEER, with
 *         VIR_MIGRATE_TUNNELLED
 * @perform: the source driver's tunnelled Perform
 *
 * The five steps of a tunnelled peer-to-peer migration: Begin, then
 * PrepareTunnel3Params with a new stream of @dconn, @perform with that
 * stream, Finish, Confirm, the first error kept as migrateRunSteps.
 *
 * Returns: the domain's handle on the destination, or NULL with the error.
 */
virDomainPtr
migrateRunTunnelSteps(virDomainPtr domain, virConnectPtr dconn,
                      virTypedParameterPtr params, int nparams, unsigned int flags,
                      MigrateTunnelPerformFunc perform)
{
    virConnectPtr sconn = domain->conn;

    if (!migrateSupports(sconn, DRV_FEATURE_MIGRATION_PARAMS) ||
        !migrateSupports(dconn, DRV_FEATURE_MIGRATION_PARAMS) ||
        !sconn->driver->domainMigrateBegin3Params ||
        !sconn->driver->domainMigrateConfirm3Params ||
        !dconn->driver->domainMigratePrepareTunnel3Params ||
        !dconn->driver->domainMigrateFinish3Params) {
        reportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                    _("tunnelled migration is not supported by the destination host"));
        return NULL;
    }
    return migrateManagedParams(domain, dconn, params, nparams, flags, perform);
}

/*
 * The checks every variant makes on the source, libvirt's order; @api is
 * the public function named in the messages.
 */
static int
migrateCheckSource(virDomainPtr domain, unsigned int flags, const char *api)
{
    virConnectPtr conn = domain->conn;

    if (connectIsReadOnly(conn)) {
        reportError(VIR_ERR_OPERATION_DENIED, _("read only access prevents %1$s"), api);
        goto error;
    }
    /*
     * Parallel connections cannot be tunnelled.  libvirt 9.0's order: the
     * ToURI variants check this before the disk-copy flags, Migrate and
     * Migrate2 after them, and Migrate3 refuses either flag set earlier
     * (tunnelled without or peer-to-peer with a destination connection).
     */
    if (strstr(api, "ToURI"))
        ENTRY_EXCLUSIVE_FLAGS(flags, VIR_MIGRATE_TUNNELLED, VIR_MIGRATE_PARALLEL, error);
    ENTRY_EXCLUSIVE_FLAGS(flags, VIR_MIGRATE_NON_SHARED_DISK,
                          VIR_MIGRATE_NON_SHARED_INC, error);
    if (!strstr(api, "ToURI") && !streq(api, "virDomainMigrate3"))
        ENTRY_EXCLUSIVE_FLAGS(flags, VIR_MIGRATE_TUNNELLED, VIR_MIGRATE_PARALLEL, error);
    if ((flags & VIR_MIGRATE_OFFLINE) &&
        !migrateSupports(conn, DRV_FEATURE_MIGRATION_OFFLINE)) {
        reportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                    _("offline migration is not supported by the source host"));
        goto error;
    }
    return 0;

 error:
    return -1;
}

/* virDomainMigrate* with a destination connection. */
static virDomainPtr
migrateWithConn(virDomainPtr domain, virConnectPtr dconn,
                virTypedParameterPtr params, int nparams, unsigned int flags,
                const char *api)
{
    virConnectPtr conn = domain->conn;
    virDomainPtr ret = NULL;
    g_autofree char *dconnuri = NULL;

    if (!connectIsValid(dconn)) {
        reportError(VIR_ERR_INVALID_CONN, "%s", api);
        goto error;
    }
    if (migrateCheckSource(domain, flags, api) < 0)
        goto error;
    if (connectIsReadOnly(dconn)) {
        reportError(VIR_ERR_OPERATION_DENIED,
                    _("read only access prevents %1$s"), api);
        goto error;
    }
    if ((flags & VIR_MIGRATE_OFFLINE) &&
        !migrateSupports(dconn, DRV_FEATURE_MIGRATION_OFFLINE)) {
        reportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                    _("offline migration is not supported by the destination host"));
        goto error;
    }

    if (flags & VIR_MIGRATE_PEER2PEER) {
        if (!migrateSupports(conn, DRV_FEATURE_MIGRATION_P2P) ||
            !conn->driver->domainMigratePerform3Params) {
            reportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                        _("p2p migration is not supported by the source host"));
            goto error;
        }
        if (!dconn->driver->connectGetURI ||
            !(dconnuri = dconn->driver->connectGetURI(dconn))) {
            if (!errorIsSet())
                reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                            _("unable to get destination connection URI"));
            goto error;
        }
        if (conn->driver->domainMigratePerform3Params(domain, dconnuri, params,
                                                      nparams, NULL, 0, NULL,
                                                      NULL, flags) < 0)
            goto error;
        /* As libvirt: look the migrated domain up on the destination. */
        {
            const char *dname = NULL;

            if (virTypedParamsGetString(params, nparams,
                                        VIR_MIGRATE_PARAM_DEST_NAME,
                                        &dname) < 0)
                goto error;
            ret = virDomainLookupByName(dconn, dname ? dname : domain->name);
        }
        return ret;
    }

    if (flags & VIR_MIGRATE_TUNNELLED) {
        /* libvirt 9.0: INVALID_ARG from virDomainMigrate3, OPERATION_INVALID from the others */
        if (streq(api, "virDomainMigrate3"))
            reportInvalidArg("flags", "%s",
                             _("cannot perform tunnelled migration without using peer2peer flag"));
        else
            reportError(VIR_ERR_OPERATION_INVALID, "%s",
                        _("cannot perform tunnelled migration without using peer2peer flag"));
        goto error;
    }
    if (!(ret = migrateRunSteps(domain, dconn, params, nparams, flags)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}

/* virDomainMigrateToURI*: peer-to-peer to @dconnuri, or direct to @params' URI. */
static int
migrateToURI(virDomainPtr domain, const char *dconnuri,
             virTypedParameterPtr params, int nparams, unsigned int flags,
             const char *api)
{
    virConnectPtr conn = domain->conn;

    if (migrateCheckSource(domain, flags, api) < 0)
        goto error;

    if (flags & VIR_MIGRATE_PEER2PEER) {
        if (!migrateSupports(conn, DRV_FEATURE_MIGRATION_P2P) ||
            !conn->driver->domainMigratePerform3Params) {
            reportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                        _("p2p migration is not supported by the source host"));
            goto error;
        }
        ENTRY_CHECK_NON_NULL(dconnuri, error);
    } else {
        if (!migrateSupports(conn, DRV_FEATURE_MIGRATION_DIRECT) ||
            !conn->driver->domainMigratePerform3Params) {
            reportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                        _("direct migration is not supported by the source host"));
            goto error;
        }
        dconnuri = NULL;
    }
    if (conn->driver->domainMigratePerform3Params(domain, dconnuri, params,
                                                  nparams, NULL, 0, NULL, NULL,
                                                  flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/* The legacy arguments as VIR_MIGRATE_PARAM_* (free with virTypedParamsFree). */
static int
migrateLegacyParams(const char *dxml, const char *dname, const char *uri,
                    unsigned long bandwidth, virTypedParameterPtr *params,
                    int *nparams)
{
    int max = 0;

    *params = NULL;
    *nparams = 0;
    if ((dxml && virTypedParamsAddString(params, nparams, &max,
                                         VIR_MIGRATE_PARAM_DEST_XML, dxml) < 0) ||
        (dname && virTypedParamsAddString(params, nparams, &max,
                                          VIR_MIGRATE_PARAM_DEST_NAME,
                                          dname) < 0) ||
        (uri && virTypedParamsAddString(params, nparams, &max,
                                        VIR_MIGRATE_PARAM_URI, uri) < 0) ||
        (bandwidth && virTypedParamsAddULLong(params, nparams, &max,
                                              VIR_MIGRATE_PARAM_BANDWIDTH,
                                              bandwidth) < 0)) {
        virTypedParamsFree(*params, *nparams);
        *params = NULL;
        *nparams = 0;
        return -1;
    }
    return 0;
}

/**
 * virDomainMigrate3:
 * @domain: a running (or, with VIR_MIGRATE_OFFLINE, defined) domain
 * @dconn: a connection to the destination host
 * @params: VIR_MIGRATE_PARAM_* typed parameters
 * @nparams: number of @params
 * @flags: virDomainMigrateFlags
 *
 * Migrates @domain to the host of @dconn.  Without VIR_MIGRATE_PEER2PEER
 * this library drives the five steps over both connections; with it the
 * source host drives them itself.
 *
 * Returns: a new handle of the domain on the destination (release with
 * virDomainFree), or NULL with the first error of the migration.
 */
virDomainPtr
virDomainMigrate3(virDomainPtr domain, virConnectPtr dconn,
                  virTypedParameterPtr params, unsigned int nparams,
                  unsigned int flags)
{
    errorReset();
    ENTRY_CHECK_DOMAIN(domain, NULL);
    if (!params && nparams) {
        ENTRY_CHECK_NON_NULL_ARRAY(params, nparams, error);
    }
    return migrateWithConn(domain, dconn, params, nparams, flags, __func__);

 error:
    entryDispatchError(domain->conn);
    return NULL;
}

/* virDomainMigrate and Migrate2: the legacy arguments as parameters. */
static virDomainPtr
migrateLegacyWithConn(virDomainPtr domain, virConnectPtr dconn, const char *dxml,
                      unsigned long flags, const char *dname, const char *uri,
                      unsigned long bandwidth, const char *api)
{
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    virDomainPtr ret;

    if (migrateLegacyParams(dxml, dname, uri, bandwidth, &params,
                            &nparams) < 0) {
        entryDispatchError(domain->conn);
        return NULL;
    }
    ret = migrateWithConn(domain, dconn, params, nparams, flags, api);
    virTypedParamsFree(params, nparams);
    return ret;
}

/**
 * virDomainMigrate2:
 * @domain: the domain to migrate
 * @dconn: a connection to the destination host
 * @dxml: destination XML (ABI-compatible with the running guest), or NULL
 * @flags: virDomainMigrateFlags
 * @dname: new name on the destination, or NULL
 * @uri: the hypervisor's migration URI, or NULL
 * @bandwidth: MiB/s limit, 0 for none
 *
 * As virDomainMigrate3 with the arguments as parameters.
 *
 * Returns: a new domain handle on the destination, or NULL.
 */
virDomainPtr
virDomainMigrate2(virDomainPtr domain, virConnectPtr dconn, const char *dxml,
                  unsigned long flags, const char *dname, const char *uri,
                  unsigned long bandwidth)
{
    errorReset();
    ENTRY_CHECK_DOMAIN(domain, NULL);
    return migrateLegacyWithConn(domain, dconn, dxml, flags, dname, uri, bandwidth,
                                 __func__);
}

/**
 * virDomainMigrate:
 * @domain: the domain to migrate
 * @dconn: a connection to the destination host
 * @flags: virDomainMigrateFlags
 * @dname: new name on the destination, or NULL
 * @uri: the hypervisor's migration URI, or NULL
 * @bandwidth: MiB/s limit, 0 for none
 *
 * Returns: a new domain handle on the destination, or NULL.
 */
virDomainPtr
virDomainMigrate(virDomainPtr domain, virConnectPtr dconn, unsigned long flags,
                 const char *dname, const char *uri, unsigned long bandwidth)
{
    errorReset();
    ENTRY_CHECK_DOMAIN(domain, NULL);
    return migrateLegacyWithConn(domain, dconn, NULL, flags, dname, uri, bandwidth,
                                 __func__);
}

/**
 * virDomainMigrateToURI3:
 * @domain: the domain to migrate
 * @dconnuri: the destination host's libvirt URI (peer-to-peer), or NULL
 * @params: VIR_MIGRATE_PARAM_* typed parameters
 * @nparams: number of @params
 * @flags: virDomainMigrateFlags
 *
 * With VIR_MIGRATE_PEER2PEER the source host connects to @dconnuri and
 * drives the migration; otherwise the hypervisor migrates directly to
 * VIR_MIGRATE_PARAM_URI.
 *
 * Returns: 0, or -1 with the first error of the migration.
 */
int
virDomainMigrateToURI3(virDomainPtr domain, const char *dconnuri,
                       virTypedParameterPtr params, unsigned int nparams,
                       unsigned int flags)
{
    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    if (!params && nparams) {
        ENTRY_CHECK_NON_NULL_ARRAY(params, nparams, error);
    }
    return migrateToURI(domain, dconnuri, params, nparams, flags, __func__);

 error:
    entryDispatchError(domain->conn);
    return -1;
}

/**
 * virDomainMigrateToURI2:
 * @domain: the domain to migrate
 * @dconnuri: destination libvirt URI (peer-to-peer), or NULL
 * @miguri: the hypervisor's migration URI, or NULL
 * @dxml: destination XML, or NULL
 * @flags: virDomainMigrateFlags
 * @dname: new name on the destination, or NULL
 * @bandwidth: MiB/s limit, 0 for none
 *
 * Returns: 0, or -1.
 */
int
virDomainMigrateToURI2(virDomainPtr domain, const char *dconnuri,
                       const char *miguri, const char *dxml,
                       unsigned long flags, const char *dname,
                       unsigned long bandwidth)
{
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int ret;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    if (migrateLegacyParams(dxml, dname, miguri, bandwidth, &params,
                            &nparams) < 0) {
        entryDispatchError(domain->conn);
        return -1;
    }
    ret = migrateToURI(domain, dconnuri, params, nparams, flags, __func__);
    virTypedParamsFree(params, nparams);
    return ret;
}

/**
 * virDomainMigrateToURI:
 * @domain: the domain to migrate
 * @duri: with VIR_MIGRATE_PEER2PEER the destination libvirt URI, else
 *        the hypervisor's migration URI
 * @flags: virDomainMigrateFlags
 * @dname: new name on the destination, or NULL
 * @bandwidth: MiB/s limit, 0 for none
 *
 * Returns: 0, or -1.
 */
int
virDomainMigrateToURI(virDomainPtr domain, const char *duri,
                      unsigned long flags, const char *dname,
                      unsigned long bandwidth)
{
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int ret;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    ENTRY_CHECK_NON_NULL(duri, error);
    if (migrateLegacyParams(NULL, dname,
                            (flags & VIR_MIGRATE_PEER2PEER) ? NULL : duri,
                            bandwidth, &params, &nparams) < 0)
        goto error;
    ret = migrateToURI(domain, (flags & VIR_MIGRATE_PEER2PEER) ? duri : NULL,
                       params, nparams, flags, __func__);
    virTypedParamsFree(params, nparams);
    return ret;

 error:
    entryDispatchError(domain->conn);
    return -1;
}

/* --- job control during a migration ------------------------------------ */

#define MIGRATE_CALL(domain, readOnlyCheck, field, ...) \
    do { \
        virConnectPtr conn_; \
        errorReset(); \
        ENTRY_CHECK_DOMAIN(domain, -1); \
        conn_ = (domain)->conn; \
        if (readOnlyCheck) \
            ENTRY_CHECK_READ_ONLY(conn_, error); \
        ENTRY_DRIVER_FUNC(conn_, field, error); \
        if (conn_->driver->field(__VA_ARGS__) < 0) \
            goto error; \
        return 0; \
     error: \
        entryDispatchError(conn_); \
        return -1; \
    } while (0)

/**
 * virDomainMigrateSetMaxSpeed:
 * @domain: a domain
 * @bandwidth: MiB/s
 * @flags: virDomainMigrateMaxSpeedFlags
 *
 * Returns: 0, or -1.
 */
int
virDomainMigrateSetMaxSpeed(virDomainPtr domain, unsigned long bandwidth,
                            unsigned int flags)
{
    MIGRATE_CALL(domain, true, domainMigrateSetMaxSpeed, domain, bandwidth,
                 flags);
}

/**
 * virDomainMigrateGetMaxSpeed:
 * @domain: a domain
 * @bandwidth: where to store the limit in MiB/s
 * @flags: virDomainMigrateMaxSpeedFlags
 *
 * Returns: 0, or -1.
 */
int
virDomainMigrateGetMaxSpeed(virDomainPtr domain, unsigned long *bandwidth,
                            unsigned int flags)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_NON_NULL(bandwidth, error);
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_DRIVER_FUNC(conn, domainMigrateGetMaxSpeed, error);
    if (conn->driver->domainMigrateGetMaxSpeed(domain, bandwidth, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainMigrateGetCompressionCache:
 * @domain: a domain
 * @cacheSize: where to store the size of the XBZRLE cache in bytes
 * @flags: none defined (0)
 *
 * Allowed on a read-only connection, as in libvirt.
 *
 * Returns: 0, or -1.
 */
int
virDomainMigrateGetCompressionCache(virDomainPtr domain, unsigned long long *cacheSize,
                                    unsigned int flags)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_NON_NULL(cacheSize, error);
    ENTRY_DRIVER_FUNC(conn, domainMigrateGetCompressionCache, error);
    if (conn->driver->domainMigrateGetCompressionCache(domain, cacheSize, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainMigrateSetCompressionCache:
 * @domain: a domain
 * @cacheSize: the size of the XBZRLE cache in bytes
 * @flags: none defined (0)
 *
 * Returns: 0, or -1.
 */
int
virDomainMigrateSetCompressionCache(virDomainPtr domain, unsigned long long cacheSize,
                                    unsigned int flags)
{
    MIGRATE_CALL(domain, true, domainMigrateSetCompressionCache, domain, cacheSize, flags);
}

/**
 * virDomainMigrateSetMaxDowntime:
 * @domain: a domain
 * @downtime: milliseconds
 * @flags: none defined (0)
 *
 * Returns: 0, or -1.
 */
int
virDomainMigrateSetMaxDowntime(virDomainPtr domain, unsigned long long downtime,
                               unsigned int flags)
{
    MIGRATE_CALL(domain, true, domainMigrateSetMaxDowntime, domain, downtime,
                 flags);
}

/**
 * virDomainMigrateGetMaxDowntime:
 * @domain: a domain
 * @downtime: where to store the limit in milliseconds
 * @flags: none defined (0)
 *
 * Allowed on read-only connections (as libvirt).
 *
 * Returns: 0, or -1.
 */
int
virDomainMigrateGetMaxDowntime(virDomainPtr domain,
                               unsigned long long *downtime,
                               unsigned int flags)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_NON_NULL(downtime, error);
    ENTRY_DRIVER_FUNC(conn, domainMigrateGetMaxDowntime, error);
    if (conn->driver->domainMigrateGetMaxDowntime(domain, downtime, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainMigrateStartPostCopy:
 * @domain: a domain being migrated with VIR_MIGRATE_POSTCOPY
 * @flags: none defined (0)
 *
 * Returns: 0, or -1.
 */
int
virDomainMigrateStartPostCopy(virDomainPtr domain, unsigned int flags)
{
    MIGRATE_CALL(domain, true, domainMigrateStartPostCopy, domain, flags);
}

/*
 * The typed parameters libvirt 9.0's QEMU driver accepts in its migration
 * steps, with their types; @multiple: may be given more than once.
 */
static const struct {
    const char *name;
    int type;
    bool multiple;
} migrateParamsKnown[] = {
    { VIR_MIGRATE_PARAM_URI, VIR_TYPED_PARAM_STRING, false },
    { VIR_MIGRATE_PARAM_DEST_NAME, VIR_TYPED_PARAM_STRING, false },
    { VIR_MIGRATE_PARAM_DEST_XML, VIR_TYPED_PARAM_STRING, false },
    { VIR_MIGRATE_PARAM_BANDWIDTH, VIR_TYPED_PARAM_ULLONG, false },
    { VIR_MIGRATE_PARAM_GRAPHICS_URI, VIR_TYPED_PARAM_STRING, false },
    { VIR_MIGRATE_PARAM_LISTEN_ADDRESS, VIR_TYPED_PARAM_STRING, false },
    { VIR_MIGRATE_PARAM_MIGRATE_DISKS, VIR_TYPED_PARAM_STRING, true },
    { VIR_MIGRATE_PARAM_DISKS_PORT, VIR_TYPED_PARAM_INT, false },
    { VIR_MIGRATE_PARAM_COMPRESSION, VIR_TYPED_PARAM_STRING, true },
    { VIR_MIGRATE_PARAM_COMPRESSION_MT_LEVEL, VIR_TYPED_PARAM_INT, false },
    { VIR_MIGRATE_PARAM_COMPRESSION_MT_THREADS, VIR_TYPED_PARAM_INT, false },
    { VIR_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS, VIR_TYPED_PARAM_INT, false },
    { VIR_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE, VIR_TYPED_PARAM_ULLONG, false },
    { VIR_MIGRATE_PARAM_PERSIST_XML, VIR_TYPED_PARAM_STRING, false },
    { VIR_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL, VIR_TYPED_PARAM_INT, false },
    { VIR_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT, VIR_TYPED_PARAM_INT, false },
    { VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY, VIR_TYPED_PARAM_ULLONG, false },
    { VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS, VIR_TYPED_PARAM_INT, false },
    { VIR_MIGRATE_PARAM_TLS_DESTINATION, VIR_TYPED_PARAM_STRING, false },
    { VIR_MIGRATE_PARAM_DISKS_URI, VIR_TYPED_PARAM_STRING, false },
};

static const char *const migrateParamTypeNames[] = {
    "unknown", "int", "uint", "llong", "ullong", "double", "boolean", "string",
};

static int
migrateParamCompare(const void *a, const void *b)
{
    const virTypedParameter *const *pa = a;
    const virTypedParameter *const *pb = b;

    return strcmp((*pa)->field, (*pb)->field);
}

static const char *
migrateParamTypeName(int type)
{
    if (type <= 0 || type >= (int)G_N_ELEMENTS(migrateParamTypeNames))
        return migrateParamTypeNames[0];
    return migrateParamTypeNames[type];
}

/**
 * migrateParamsValidate:
 * @params: the typed parameters of a migration step
 * @nparams: their number
 *
 * Checks @params as libvirt 9.0's QEMU driver does in every migration step
 * (our QEMU and test drivers share it): taken in the order of their names,
 * the first parameter that is unknown, repeated without being repeatable,
 * or of the wrong type is refused.  Known parameters a driver does not
 * act on are accepted, as libvirt accepts them without their flags.
 *
 * Returns: 0, or -1 with VIR_ERR_ARGUMENT_UNSUPPORTED "parameter 'X' not
 * supported" or VIR_ERR_INVALID_ARG (libvirt's messages, error domain
 * VIR_FROM_NONE as libvirt's).
 */
int
migrateParamsValidate(virTypedParameterPtr params, int nparams)
{
    g_autofree virTypedParameterPtr *sorted = NULL;
    const char *last = NULL;
    int i;

    if (nparams <= 0 || !params)
        return 0;
    sorted = g_new0(virTypedParameterPtr, nparams);
    for (i = 0; i < nparams; i++)
        sorted[i] = &params[i];
    qsort(sorted, nparams, sizeof(*sorted), migrateParamCompare);
    for (i = 0; i < nparams; i++) {
        const virTypedParameter *p = sorted[i];
        size_t k;

        for (k = 0; k < G_N_ELEMENTS(migrateParamsKnown); k++) {
            if (streq(p->field, migrateParamsKnown[k].name))
                break;
        }
        if (k == G_N_ELEMENTS(migrateParamsKnown)) {
            errorReport(VIR_FROM_NONE, VIR_ERR_ARGUMENT_UNSUPPORTED, __FILE__, __func__,
                        __LINE__, _("parameter '%1$s' not supported"), p->field);
            return -1;
        }
        if (last && streq(last, p->field) && !migrateParamsKnown[k].multiple) {
            errorReport(VIR_FROM_NONE, VIR_ERR_INVALID_ARG, __FILE__, __func__, __LINE__,
                        _("parameter '%1$s' occurs multiple times"), p->field);
            return -1;
        }
        if (p->type != migrateParamsKnown[k].type) {
            errorReport(VIR_FROM_NONE, VIR_ERR_INVALID_ARG, __FILE__, __func__, __LINE__,
                        _("invalid type '%1$s' for parameter '%2$s', expected '%3$s'"),
                        migrateParamTypeName(p->type), p->field,
                        migrateParamTypeName(migrateParamsKnown[k].type));
            return -1;
        }
        last = p->field;
    }
    return 0;
}
