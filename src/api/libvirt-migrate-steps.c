/* Internal entry points of the migration steps, for the daemon's dispatch (migrate_steps.h). */
#include <string.h>

#define ERR_DOMAIN VIR_FROM_DOMAIN
#include "api/entry.h"
#include "api/migrate_steps.h"
#include "util/log.h"

LOG_INIT("api.migrate_steps");

/* libvirt's name of the calling virtkit* function, without its "vir": "DomainMigrate..." */
#define STEP_API (__func__ + strlen("virtkit"))

/*
 * libvirt's VIR_DRV_FEATURE_* numbers (= REMOTE_FEATURE_* on the wire),
 * for the migration features a hypervisor driver answers.
 */
enum {
    MIGRATE_STEPS_FEATURE_MIGRATION_V2 = 3,
    MIGRATE_STEPS_FEATURE_MIGRATION_P2P = 4,
    MIGRATE_STEPS_FEATURE_MIGRATION_DIRECT = 5,
    MIGRATE_STEPS_FEATURE_MIGRATION_V3 = 6,
    MIGRATE_STEPS_FEATURE_MIGRATE_CHANGE_PROTECTION = 7,
    MIGRATE_STEPS_FEATURE_MIGRATION_OFFLINE = 12,
    MIGRATE_STEPS_FEATURE_MIGRATION_PARAMS = 13,
};

/**
 * virtkitConnectSupportsFeature:
 * @conn: a connection
 * @feature: libvirt's feature number (REMOTE_FEATURE_*)
 *
 * Asks @conn's driver about a migration feature (the daemon answers
 * CONNECT_SUPPORTS_FEATURE with it).  Features that are no migration
 * feature, or that the driver does not know, are not supported.
 *
 * Returns: 1 or 0, -1 on an invalid connection (error set).
 */
int
virtkitConnectSupportsFeature(virConnectPtr conn, int feature)
{
    int drv;
    int rc;

    errorReset();
    if (!connectIsValid(conn)) {
        errorReport(ERR_DOMAIN, VIR_ERR_INVALID_CONN, __FILE__, __func__, __LINE__, "vir%s",
                    STEP_API);
        entryDispatchError(NULL);
        return -1;
    }
    switch (feature) {
    case MIGRATE_STEPS_FEATURE_MIGRATION_P2P:
        drv = DRV_FEATURE_MIGRATION_P2P;
        break;
    case MIGRATE_STEPS_FEATURE_MIGRATION_DIRECT:
        drv = DRV_FEATURE_MIGRATION_DIRECT;
        break;
    case MIGRATE_STEPS_FEATURE_MIGRATION_V3:
        drv = DRV_FEATURE_MIGRATION_V3;
        break;
    case MIGRATE_STEPS_FEATURE_MIGRATE_CHANGE_PROTECTION:
        drv = DRV_FEATURE_MIGRATION_CHANGE_PROTECTION;
        break;
    case MIGRATE_STEPS_FEATURE_MIGRATION_OFFLINE:
        drv = DRV_FEATURE_MIGRATION_OFFLINE;
        break;
    case MIGRATE_STEPS_FEATURE_MIGRATION_PARAMS:
        drv = DRV_FEATURE_MIGRATION_PARAMS;
        break;
    default:
        return 0;
    }
    if (!conn->driver->connectSupportsFeature)
        return 0;
    rc = conn->driver->connectSupportsFeature(conn, drv);
    if (rc < 0) {
        entryDispatchError(conn);
        return -1;
    }
    /* v3 without Params is carried by the Params steps for our drivers */
    if (drv == DRV_FEATURE_MIGRATION_V3 && rc == 0)
        rc = conn->driver->connectSupportsFeature(conn, DRV_FEATURE_MIGRATION_PARAMS) > 0;
    return rc > 0 ? 1 : 0;
}

/*
 * The checks every step makes: a valid, writable connection.  Messages
 * name libvirt's internal function (virDomainMigrateBegin3Params for
 * virtkitDomainMigrateBegin3Params), as libvirtd's replies do.
 */
#define STEP_CHECK_DOMAIN(dom, retval)                                                             \
    do {                                                                                           \
        errorReset();                                                                              \
        if (!domainHandleIsValid(dom)) {                                                           \
            errorReport(VIR_FROM_DOM, VIR_ERR_INVALID_DOMAIN, __FILE__, __func__, __LINE__,        \
                        "vir%s", STEP_API);                                                        \
            entryDispatchError(NULL);                                                              \
            return retval;                                                                         \
        }                                                                                          \
        if (connectIsReadOnly((dom)->conn)) {                                                      \
            reportError(VIR_ERR_OPERATION_DENIED, _("read only access prevents vir%1$s"),          \
                        STEP_API);                                                                 \
            entryDispatchError((dom)->conn);                                                       \
            return retval;                                                                         \
        }                                                                                          \
    } while (0)

#define STEP_CHECK_CONN(conn, retval)                                                              \
    do {                                                                                           \
        errorReset();                                                                              \
        if (!connectIsValid(conn)) {                                                               \
            errorReport(ERR_DOMAIN, VIR_ERR_INVALID_CONN, __FILE__, __func__, __LINE__, "vir%s",   \
                        STEP_API);                                                                 \
            entryDispatchError(NULL);                                                              \
            return retval;                                                                         \
        }                                                                                          \
        if (connectIsReadOnly(conn)) {                                                             \
            reportError(VIR_ERR_OPERATION_DENIED, _("read only access prevents vir%1$s"),          \
                        STEP_API);                                                                 \
            entryDispatchError(conn);                                                              \
            return retval;                                                                         \
        }                                                                                          \
    } while (0)

/* Typed parameters: an array, NULL only when empty. */
#define STEP_CHECK_PARAMS(params, nparams, label)                                                  \
    do {                                                                                           \
        if (!(params) && (nparams) > 0) {                                                          \
            reportInvalidArg("params", _("params in vir%1$s must not be NULL"), STEP_API);         \
            goto label;                                                                            \
        }                                                                                          \
        if ((nparams) < 0) {                                                                       \
            reportInvalidArg("nparams", _("nparams in vir%1$s must be zero or greater"),           \
                             STEP_API);                                                            \
            goto label;                                                                            \
        }                                                                                          \
    } while (0)

#define STEP_DRIVER_FUNC(conn, field, label)                                                       \
    do {                                                                                           \
        if (!(conn)->driver->field) {                                                              \
            reportError(VIR_ERR_NO_SUPPORT, "vir%s", STEP_API);                                    \
            goto label;                                                                            \
        }                                                                                          \
    } while (0)

/*
 * The legacy (non-Params) v3 steps of a driver that only has the Params
 * variants: the arguments become VIR_MIGRATE_PARAM_* (free with
 * virTypedParamsFree).
 */
static int
stepLegacyParams(const char *xml, const char *dname, const char *uri, unsigned long bandwidth,
                 virTypedParameterPtr *params, int *nparams)
{
    int max = 0;

    *params = NULL;
    *nparams = 0;
    if ((xml &&
         virTypedParamsAddString(params, nparams, &max, VIR_MIGRATE_PARAM_DEST_XML, xml) < 0) ||
        (dname &&
         virTypedParamsAddString(params, nparams, &max, VIR_MIGRATE_PARAM_DEST_NAME, dname) < 0) ||
        (uri && virTypedParamsAddString(params, nparams, &max, VIR_MIGRATE_PARAM_URI, uri) < 0) ||
        (bandwidth && virTypedParamsAddULLong(params, nparams, &max, VIR_MIGRATE_PARAM_BANDWIDTH,
                                              bandwidth) < 0)) {
        virTypedParamsFree(*params, *nparams);
        *params = NULL;
        *nparams = 0;
        return -1;
    }
    return 0;
}

/* Flags of the legacy steps must fit the Params steps' unsigned int. */
static int
stepCheckFlags(unsigned long flags)
{
    if (flags > G_MAXUINT) {
        reportInvalidArg("flags", _("unsupported flags (0x%1$lx) in function %2$s"), flags,
                         "virDomainMigrate");
        return -1;
    }
    return 0;
}

/**
 * virtkitDomainMigrateBegin3:
 *
 * Begin3 (source) with the legacy arguments: the driver's Begin3, else
 * its Begin3Params with @xmlin, @dname and @bandwidth as parameters.
 *
 * Returns: the domain XML to send (caller frees) and *@cookieout, or NULL.
 */
char *
virtkitDomainMigrateBegin3(virDomainPtr domain, const char *xmlin, char **cookieout,
                           int *cookieoutlen, unsigned long flags, const char *dname,
                           unsigned long bandwidth)
{
    virConnectPtr conn;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    char *ret = NULL;

    STEP_CHECK_DOMAIN(domain, NULL);
    conn = domain->conn;
    if (conn->driver->domainMigrateBegin3) {
        ret = conn->driver->domainMigrateBegin3(domain, xmlin, cookieout, cookieoutlen, flags,
                                                dname, bandwidth);
    } else if (conn->driver->domainMigrateBegin3Params) {
        if (stepCheckFlags(flags) < 0 ||
            stepLegacyParams(xmlin, dname, NULL, bandwidth, &params, &nparams) < 0)
            goto error;
        ret = conn->driver->domainMigrateBegin3Params(domain, params, nparams, cookieout,
                                                      cookieoutlen, flags);
        virTypedParamsFree(params, nparams);
    } else {
        reportError(VIR_ERR_NO_SUPPORT, "vir%s", STEP_API);
    }
    if (ret)
        return ret;
error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virtkitDomainMigratePrepare3:
 *
 * Prepare3 (destination) with the legacy arguments.
 *
 * Returns: 0 (*@cookieout, *@uri_out set, may be NULL) or -1.
 */
int
virtkitDomainMigratePrepare3(virConnectPtr dconn, const char *cookiein, int cookieinlen,
                             char **cookieout, int *cookieoutlen, const char *uri_in,
                             char **uri_out, unsigned long flags, const char *dname,
                             unsigned long resource, const char *dom_xml)
{
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int ret = -1;

    STEP_CHECK_CONN(dconn, -1);
    if (dconn->driver->domainMigratePrepare3) {
        ret = dconn->driver->domainMigratePrepare3(dconn, cookiein, cookieinlen, cookieout,
                                                   cookieoutlen, uri_in, uri_out, flags, dname,
                                                   resource, dom_xml);
    } else if (dconn->driver->domainMigratePrepare3Params) {
        if (stepCheckFlags(flags) < 0 ||
            stepLegacyParams(dom_xml, dname, uri_in, resource, &params, &nparams) < 0)
            goto error;
        ret = dconn->driver->domainMigratePrepare3Params(
            dconn, params, nparams, cookiein, cookieinlen, cookieout, cookieoutlen, uri_out, flags);
        virTypedParamsFree(params, nparams);
    } else {
        reportError(VIR_ERR_NO_SUPPORT, "vir%s", STEP_API);
    }
    if (ret >= 0)
        return ret;
error:
    entryDispatchError(dconn);
    return -1;
}

/**
 * virtkitDomainMigratePerform3:
 *
 * Perform3 (source) with the legacy arguments; @dconnuri is the
 * destination daemon's URI (peer-to-peer), @uri the hypervisor's.
 *
 * Returns: 0 or -1.
 */
int
virtkitDomainMigratePerform3(virDomainPtr domain, const char *xmlin, const char *cookiein,
                             int cookieinlen, char **cookieout, int *cookieoutlen,
                             const char *dconnuri, const char *uri, unsigned long flags,
                             const char *dname, unsigned long resource)
{
    virConnectPtr conn;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int ret = -1;

    STEP_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    if (conn->driver->domainMigratePerform3) {
        ret = conn->driver->domainMigratePerform3(domain, xmlin, cookiein, cookieinlen, cookieout,
                                                  cookieoutlen, dconnuri, uri, flags, dname,
                                                  resource);
    } else if (conn->driver->domainMigratePerform3Params) {
        if (stepCheckFlags(flags) < 0 ||
            stepLegacyParams(xmlin, dname, uri, resource, &params, &nparams) < 0)
            goto error;
        ret =
            conn->driver->domainMigratePerform3Params(domain, dconnuri, params, nparams, cookiein,
                                                      cookieinlen, cookieout, cookieoutlen, flags);
        virTypedParamsFree(params, nparams);
    } else {
        reportError(VIR_ERR_NO_SUPPORT, "vir%s", STEP_API);
    }
    if (ret >= 0)
        return ret;
error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virtkitDomainMigrateFinish3:
 *
 * Finish3 (destination) with the legacy arguments.
 *
 * Returns: the new domain handle, or NULL (always NULL when @cancelled).
 */
virDomainPtr
virtkitDomainMigrateFinish3(virConnectPtr dconn, const char *dname, const char *cookiein,
                            int cookieinlen, char **cookieout, int *cookieoutlen,
                            const char *dconnuri, const char *uri, unsigned long flags,
                            int cancelled)
{
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    virDomainPtr ret = NULL;

    STEP_CHECK_CONN(dconn, NULL);
    if (dconn->driver->domainMigrateFinish3) {
        ret = dconn->driver->domainMigrateFinish3(dconn, dname, cookiein, cookieinlen, cookieout,
                                                  cookieoutlen, dconnuri, uri, flags, cancelled);
    } else if (dconn->driver->domainMigrateFinish3Params) {
        if (stepCheckFlags(flags) < 0 ||
            stepLegacyParams(NULL, dname, uri, 0, &params, &nparams) < 0)
            goto error;
        ret =
            dconn->driver->domainMigrateFinish3Params(dconn, params, nparams, cookiein, cookieinlen,
                                                      cookieout, cookieoutlen, flags, cancelled);
        virTypedParamsFree(params, nparams);
    } else {
        reportError(VIR_ERR_NO_SUPPORT, "vir%s", STEP_API);
    }
    if (ret)
        return ret;
error:
    if (!errorIsSet())
        reportError(VIR_ERR_OPERATION_FAILED, "%s",
                    _("migration was cancelled on the destination"));
    entryDispatchError(dconn);
    return NULL;
}

/**
 * virtkitDomainMigrateConfirm3:
 *
 * Confirm3 (source) with the legacy arguments.
 *
 * Returns: 0 or -1.
 */
int
virtkitDomainMigrateConfirm3(virDomainPtr domain, const char *cookiein, int cookieinlen,
                             unsigned long flags, int cancelled)
{
    virConnectPtr conn;
    int ret = -1;

    STEP_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    if (conn->driver->domainMigrateConfirm3) {
        ret = conn->driver->domainMigrateConfirm3(domain, cookiein, cookieinlen, flags, cancelled);
    } else if (conn->driver->domainMigrateConfirm3Params) {
        if (stepCheckFlags(flags) < 0)
            goto error;
        ret = conn->driver->domainMigrateConfirm3Params(domain, NULL, 0, cookiein, cookieinlen,
                                                        flags, cancelled);
    } else {
        reportError(VIR_ERR_NO_SUPPORT, "vir%s", STEP_API);
    }
    if (ret >= 0)
        return ret;
error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virtkitDomainMigrateBegin3Params:
 *
 * Begin3Params (source): the driver's step, nothing added.
 *
 * Returns: the domain XML (caller frees) and *@cookieout, or NULL.
 */
char *
virtkitDomainMigrateBegin3Params(virDomainPtr domain, virTypedParameterPtr params, int nparams,
                                 char **cookieout, int *cookieoutlen, unsigned int flags)
{
    virConnectPtr conn;
    char *ret;

    STEP_CHECK_DOMAIN(domain, NULL);
    conn = domain->conn;
    STEP_CHECK_PARAMS(params, nparams, error);
    STEP_DRIVER_FUNC(conn, domainMigrateBegin3Params, error);
    if ((ret = conn->driver->domainMigrateBegin3Params(domain, params, nparams, cookieout,
                                                       cookieoutlen, flags)))
        return ret;
error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virtkitDomainMigratePrepare3Params:
 *
 * Prepare3Params (destination).
 *
 * Returns: 0 (*@cookieout and *@uri_out set, either may be NULL) or -1.
 */
int
virtkitDomainMigratePrepare3Params(virConnectPtr dconn, virTypedParameterPtr params, int nparams,
                                   const char *cookiein, int cookieinlen, char **cookieout,
                                   int *cookieoutlen, char **uri_out, unsigned int flags)
{
    STEP_CHECK_CONN(dconn, -1);
    STEP_CHECK_PARAMS(params, nparams, error);
    STEP_DRIVER_FUNC(dconn, domainMigratePrepare3Params, error);
    if (dconn->driver->domainMigratePrepare3Params(dconn, params, nparams, cookiein, cookieinlen,
                                                   cookieout, cookieoutlen, uri_out, flags) >= 0)
        return 0;
error:
    entryDispatchError(dconn);
    return -1;
}

/**
 * virtkitDomainMigratePrepareTunnel3Params:
 *
 * PrepareTunnel3Params (destination): the incoming data of a tunnelled
 * migration arrives on @st, a stream of @dconn.
 *
 * Returns: 0 (*@cookieout set, may be NULL) or -1.
 */
int
virtkitDomainMigratePrepareTunnel3Params(virConnectPtr dconn, virStreamPtr st,
                                         virTypedParameterPtr params, int nparams,
                                         const char *cookiein, int cookieinlen,
                                         char **cookieout, int *cookieoutlen,
                                         unsigned int flags)
{
    STEP_CHECK_CONN(dconn, -1);
    if (!streamHandleIsValid(st) || st->conn != dconn) {
        reportError(VIR_ERR_INVALID_STREAM, "vir%s", STEP_API);
        goto error;
    }
    STEP_CHECK_PARAMS(params, nparams, error);
    STEP_DRIVER_FUNC(dconn, domainMigratePrepareTunnel3Params, error);
    if (dconn->driver->domainMigratePrepareTunnel3Params(dconn, st, params, nparams, cookiein,
                                                         cookieinlen, cookieout, cookieoutlen,
                                                         flags) >= 0)
        return 0;
error:
    entryDispatchError(dconn);
    return -1;
}

/**
 * virtkitDomainMigratePerform3Params:
 *
 * Perform3Params (source); @dconnuri (may be NULL) is the destination
 * daemon's URI for peer-to-peer.
 *
 * Returns: 0 or -1.
 */
int
virtkitDomainMigratePerform3Params(virDomainPtr domain, const char *dconnuri,
                                   virTypedParameterPtr params, int nparams, const char *cookiein,
                                   int cookieinlen, char **cookieout, int *cookieoutlen,
                                   unsigned int flags)
{
    virConnectPtr conn;

    STEP_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    STEP_CHECK_PARAMS(params, nparams, error);
    STEP_DRIVER_FUNC(conn, domainMigratePerform3Params, error);
    if (conn->driver->domainMigratePerform3Params(domain, dconnuri, params, nparams, cookiein,
                                                  cookieinlen, cookieout, cookieoutlen, flags) >= 0)
        return 0;
error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virtkitDomainMigrateFinish3Params:
 *
 * Finish3Params (destination).
 *
 * Returns: the new domain handle, or NULL.
 */
virDomainPtr
virtkitDomainMigrateFinish3Params(virConnectPtr dconn, virTypedParameterPtr params, int nparams,
                                  const char *cookiein, int cookieinlen, char **cookieout,
                                  int *cookieoutlen, unsigned int flags, int cancelled)
{
    virDomainPtr ret;

    STEP_CHECK_CONN(dconn, NULL);
    STEP_CHECK_PARAMS(params, nparams, error);
    STEP_DRIVER_FUNC(dconn, domainMigrateFinish3Params, error);
    if ((ret = dconn->driver->domainMigrateFinish3Params(dconn, params, nparams, cookiein,
                                                         cookieinlen, cookieout, cookieoutlen,
                                                         flags, cancelled)))
        return ret;
    if (!errorIsSet())
        reportError(VIR_ERR_OPERATION_FAILED, "%s",
                    _("migration was cancelled on the destination"));
error:
    entryDispatchError(dconn);
    return NULL;
}

/**
 * virtkitDomainMigrateConfirm3Params:
 *
 * Confirm3Params (source).
 *
 * Returns: 0 or -1.
 */
int
virtkitDomainMigrateConfirm3Params(virDomainPtr domain, virTypedParameterPtr params, int nparams,
                                   const char *cookiein, int cookieinlen, unsigned int flags,
                                   int cancelled)
{
    virConnectPtr conn;

    STEP_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    STEP_CHECK_PARAMS(params, nparams, error);
    STEP_DRIVER_FUNC(conn, domainMigrateConfirm3Params, error);
    if (conn->driver->domainMigrateConfirm3Params(domain, params, nparams, cookiein, cookieinlen,
                                                  flags, cancelled) >= 0)
        return 0;
error:
    entryDispatchError(conn);
    return -1;
}
