/* Thread-local error slot: report, query, save and restore errors. */
#include <errno.h>
#include <string.h>

#include "util/error.h"
#include "util/log.h"

LOG_INIT("util.error");

struct _SavedError {
    virError err;
};

static void
errorSlotFree(gpointer data)
{
    virErrorPtr err = data;

    errorClear(err);
    g_free(err);
}

static GPrivate errorKey = G_PRIVATE_INIT(errorSlotFree);

/**
 * errorGetSlot:
 *
 * Returns: the calling thread's error slot, allocating it on first use.
 * The pointer stays valid for the life of the thread.
 */
virErrorPtr
errorGetSlot(void)
{
    virErrorPtr err = g_private_get(&errorKey);

    if (!err) {
        err = g_new0(virError, 1);
        g_private_set(&errorKey, err);
    }
    return err;
}

/**
 * errorIsSet:
 *
 * Returns: true when the calling thread has an error pending.
 */
bool
errorIsSet(void)
{
    virErrorPtr err = g_private_get(&errorKey);

    return err && err->code != VIR_ERR_OK;
}

/**
 * errorGetCode:
 *
 * Returns: the pending error code of the calling thread, VIR_ERR_OK if none.
 */
int
errorGetCode(void)
{
    virErrorPtr err = g_private_get(&errorKey);

    return err ? err->code : VIR_ERR_OK;
}

/**
 * errorReset:
 *
 * Clears the calling thread's error slot.
 */
void
errorReset(void)
{
    virErrorPtr err = g_private_get(&errorKey);

    if (err)
        errorClear(err);
}

/**
 * errorClear:
 * @err: an error struct, or NULL
 *
 * Releases the strings of @err and zeroes it.
 */
void
errorClear(virError *err)
{
    if (!err)
        return;
    g_free(err->message);
    g_free(err->str1);
    g_free(err->str2);
    g_free(err->str3);
    memset(err, 0, sizeof(*err));
}

/**
 * errorCopy:
 * @from: error to copy
 * @to: destination, whose previous contents are released
 *
 * Deep-copies @from into @to.
 *
 * Returns: 0 if @from held an error, -1 if it was empty.
 */
int
errorCopy(const virError *from, virError *to)
{
    errorClear(to);
    to->code = from->code;
    to->domain = from->domain;
    to->level = from->level;
    to->message = g_strdup(from->message);
    to->str1 = g_strdup(from->str1);
    to->str2 = g_strdup(from->str2);
    to->str3 = g_strdup(from->str3);
    to->int1 = from->int1;
    to->int2 = from->int2;
    /* Handles are never carried across threads or copies. */
    to->conn = NULL;
    to->dom = NULL;
    to->net = NULL;
    return from->code == VIR_ERR_OK ? -1 : 0;
}

/**
 * errorSetFromCopy:
 * @err: error to install
 *
 * Replaces the calling thread's error with a copy of @err (used when an
 * error crosses a boundary, e.g. decoded from an RPC reply).
 */
void
errorSetFromCopy(const virError *err)
{
    errorCopy(err, errorGetSlot());
}

/*
 * The prefix libvirt puts in front of the detail for each code, with and
 * without a detail.  Clients (and scripts parsing virsh output) see these
 * strings, so they are kept identical.
 */
typedef struct {
    const char *bare;
    const char *withInfo;
} ErrorMessageFormat;

static const ErrorMessageFormat errorFormats[VIR_ERR_NUMBER_LAST] = {
    [VIR_ERR_OK] = { NULL, "%s" },
    [VIR_ERR_INTERNAL_ERROR] = { "internal error", "internal error: %s" },
    [VIR_ERR_NO_MEMORY] = { "out of memory", "out of memory: %s" },
    [VIR_ERR_NO_SUPPORT] = {
        "this function is not supported by the connection driver",
        "this function is not supported by the connection driver: %s" },
    [VIR_ERR_UNKNOWN_HOST] = { "unknown host", "unknown host %s" },
    [VIR_ERR_NO_CONNECT] = {
        "no connection driver available",
        "no connection driver available for %s" },
    [VIR_ERR_INVALID_CONN] = {
        "invalid connection pointer in", "invalid connection pointer in %s" },
    [VIR_ERR_INVALID_DOMAIN] = {
        "invalid domain pointer in", "invalid domain pointer in %s" },
    [VIR_ERR_INVALID_ARG] = { "invalid argument", "invalid argument: %s" },
    [VIR_ERR_OPERATION_FAILED] = {
        "operation failed", "operation failed: %s" },
    [VIR_ERR_GET_FAILED] = { "GET operation failed", "GET operation failed: %s" },
    [VIR_ERR_POST_FAILED] = {
        "POST operation failed", "POST operation failed: %s" },
    [VIR_ERR_HTTP_ERROR] = { "got unknown HTTP error code", "got unknown HTTP error code %s" },
    [VIR_ERR_SEXPR_SERIAL] = {
        "failed to serialize S-Expr", "failed to serialize S-Expr: %s" },
    [VIR_ERR_NO_XEN] = {
        "could not use Xen hypervisor entry", "could not use Xen hypervisor entry %s" },
    [VIR_ERR_XEN_CALL] = { "failed Xen syscall", "failed Xen syscall %s" },
    [VIR_ERR_OS_TYPE] = { "unknown OS type", "unknown OS type %s" },
    [VIR_ERR_NO_KERNEL] = {
        "missing kernel information", "missing kernel information for %s" },
    [VIR_ERR_NO_ROOT] = {
        "missing root device information", "missing root device information in %s" },
    [VIR_ERR_NO_SOURCE] = {
        "missing source information for device",
        "missing source information for device %s" },
    [VIR_ERR_NO_TARGET] = {
        "missing target information for device",
        "missing target information for device %s" },
    [VIR_ERR_NO_NAME] = {
        "missing name information", "missing name information in %s" },
    [VIR_ERR_NO_OS] = {
        "missing operating system information",
        "missing operating system information for %s" },
    [VIR_ERR_NO_DEVICE] = {
        "missing devices information", "missing devices information for %s" },
    [VIR_ERR_NO_XENSTORE] = {
        "could not connect to Xen Store", "could not connect to Xen Store %s" },
    [VIR_ERR_DRIVER_FULL] = {
        "too many drivers registered", "too many drivers registered in %s" },
    [VIR_ERR_CALL_FAILED] = { "library call failed", "library call failed: %s" },
    [VIR_ERR_XML_ERROR] = {
        "XML description is invalid or not well formed", "XML error: %s" },
    [VIR_ERR_DOM_EXIST] = { "this domain exists already", "domain %s exists already" },
    [VIR_ERR_OPERATION_DENIED] = {
        "operation forbidden for read only access", "operation forbidden: %s" },
    [VIR_ERR_OPEN_FAILED] = {
        "failed to open configuration file", "failed to open configuration file %s" },
    [VIR_ERR_READ_FAILED] = {
        "failed to read configuration file", "failed to read configuration file %s" },
    [VIR_ERR_PARSE_FAILED] = {
        "failed to parse configuration file", "failed to parse configuration file %s" },
    [VIR_ERR_CONF_SYNTAX] = {
        "configuration file syntax error", "configuration file syntax error: %s" },
    [VIR_ERR_WRITE_FAILED] = {
        "failed to write configuration file",
        "failed to write configuration file: %s" },
    [VIR_ERR_XML_DETAIL] = { "parser error", "%s" },
    [VIR_ERR_INVALID_NETWORK] = {
        "invalid network pointer in", "invalid network pointer in %s" },
    [VIR_ERR_NETWORK_EXIST] = {
        "this network exists already", "network %s exists already" },
    [VIR_ERR_SYSTEM_ERROR] = { "system call error", "%s" },
    [VIR_ERR_RPC] = { "RPC error", "%s" },
    [VIR_ERR_GNUTLS_ERROR] = { "GNUTLS call error", "%s" },
    [VIR_WAR_NO_NETWORK] = {
        "Failed to find the network", "Failed to find the network: %s" },
    [VIR_ERR_NO_DOMAIN] = { "Domain not found", "Domain not found: %s" },
    [VIR_ERR_NO_NETWORK] = { "Network not found", "Network not found: %s" },
    [VIR_ERR_INVALID_MAC] = { "invalid MAC address", "invalid MAC address: %s" },
    [VIR_ERR_AUTH_FAILED] = { "authentication failed", "authentication failed: %s" },
    [VIR_ERR_INVALID_STORAGE_POOL] = {
        "invalid storage pool pointer in", "invalid storage pool pointer in %s" },
    [VIR_ERR_INVALID_STORAGE_VOL] = {
        "invalid storage volume pointer in", "invalid storage volume pointer in %s" },
    [VIR_WAR_NO_STORAGE] = {
        "Failed to find a storage driver", "Failed to find a storage driver: %s" },
    [VIR_ERR_NO_STORAGE_POOL] = {
        "Storage pool not found", "Storage pool not found: %s" },
    [VIR_ERR_NO_STORAGE_VOL] = {
        "Storage volume not found", "Storage volume not found: %s" },
    [VIR_WAR_NO_NODE] = {
        "Failed to find a node driver", "Failed to find a node driver: %s" },
    [VIR_ERR_INVALID_NODE_DEVICE] = {
        "invalid node device pointer", "invalid node device pointer in %s" },
    [VIR_ERR_NO_NODE_DEVICE] = {
        "Node device not found", "Node device not found: %s" },
    /* Verified against libvirt 9.0: NO_INTERFACE, INVALID_INTERFACE,
     * INVALID_NWFILTER, INVALID_SECRET, INVALID_STREAM, NO_DOMAIN_METADATA. */
    [VIR_ERR_NO_INTERFACE] = { "Interface not found", "Interface not found: %s" },
    [VIR_ERR_INVALID_INTERFACE] = {
        "invalid interface pointer in", "invalid interface pointer in %s" },
    [VIR_ERR_MULTIPLE_INTERFACES] = {
        "multiple matching interfaces found", "multiple matching interfaces found: %s" },
    [VIR_ERR_INVALID_NWFILTER] = {
        "Invalid network filter", "Invalid network filter: %s" },
    [VIR_ERR_NO_NWFILTER] = {
        "Network filter not found", "Network filter not found: %s" },
    [VIR_ERR_BUILD_FIREWALL] = {
        "Error while building firewall", "Error while building firewall: %s" },
    [VIR_ERR_INVALID_SECRET] = { "Invalid secret", "Invalid secret: %s" },
    [VIR_ERR_NO_SECRET] = { "Secret not found", "Secret not found: %s" },
    [VIR_ERR_INVALID_STREAM] = {
        "invalid stream pointer in", "invalid stream pointer in %s" },
    [VIR_ERR_STORAGE_PROBE_FAILED] = {
        "Storage pool probe failed", "Storage pool probe failed: %s" },
    [VIR_ERR_STORAGE_POOL_BUILT] = {
        "Storage pool already built", "Storage pool already built: %s" },
    [VIR_ERR_SNAPSHOT_REVERT_RISKY] = {
        "revert requires force", "revert requires force: %s" },
    [VIR_ERR_NO_DOMAIN_METADATA] = { "metadata not found", "metadata not found: %s" },
    [VIR_ERR_SSH] = { "SSH transport error", "SSH transport error: %s" },
    [VIR_ERR_NO_SECURITY_MODEL] = {
        "Security model not found", "Security model not found: %s" },
    [VIR_ERR_OPERATION_INVALID] = {
        "Requested operation is not valid", "Requested operation is not valid: %s" },
    [VIR_ERR_AUTH_CANCELLED] = {
        "authentication cancelled", "authentication cancelled: %s" },
    [VIR_ERR_NO_DOMAIN_SNAPSHOT] = {
        "Domain snapshot not found", "Domain snapshot not found: %s" },
    [VIR_ERR_INVALID_DOMAIN_SNAPSHOT] = {
        "invalid domain snapshot", "invalid domain snapshot %s" },
    [VIR_ERR_OPERATION_TIMEOUT] = {
        "Timed out during operation", "Timed out during operation: %s" },
    [VIR_ERR_MIGRATE_PERSIST_FAILED] = {
        "Failed to make domain persistent after migration",
        "Failed to make domain persistent after migration: %s" },
    [VIR_ERR_HOOK_SCRIPT_FAILED] = {
        "Hook script execution failed", "Hook script execution failed: %s" },
    [VIR_ERR_CONFIG_UNSUPPORTED] = {
        "unsupported configuration", "unsupported configuration: %s" },
    [VIR_ERR_OPERATION_ABORTED] = { "operation aborted", "operation aborted: %s" },
    [VIR_ERR_AUTH_UNAVAILABLE] = {
        "authentication unavailable", "authentication unavailable: %s" },
    [VIR_ERR_ARGUMENT_UNSUPPORTED] = {
        "argument unsupported", "argument unsupported: %s" },
    [VIR_ERR_OPERATION_UNSUPPORTED] = {
        "Operation not supported", "Operation not supported: %s" },
    [VIR_ERR_MIGRATE_UNSAFE] = { "Unsafe migration", "Unsafe migration: %s" },
    [VIR_ERR_OVERFLOW] = { "numerical overflow", "numerical overflow: %s" },
    [VIR_ERR_BLOCK_COPY_ACTIVE] = {
        "block copy still active", "block copy still active: %s" },
    [VIR_ERR_AGENT_UNRESPONSIVE] = {
        "guest agent is not responding", "guest agent is not responding: %s" },
    [VIR_ERR_RESOURCE_BUSY] = { "resource busy", "resource busy: %s" },
    [VIR_ERR_ACCESS_DENIED] = { "access denied", "access denied: %s" },
    [VIR_ERR_DBUS_SERVICE] = { "error from service", "error from service: %s" },
    [VIR_ERR_STORAGE_VOL_EXIST] = {
        "this storage volume exists already", "storage volume %s exists already" },
    [VIR_ERR_CPU_INCOMPATIBLE] = {
        "the CPU is incompatible with host CPU",
        "the CPU is incompatible with host CPU: %s" },
    [VIR_ERR_XML_INVALID_SCHEMA] = {
        "XML document failed to validate against schema",
        "XML document failed to validate against schema: %s" },
    [VIR_ERR_MIGRATE_FINISH_OK] = {
        "migration successfully aborted", "migration successfully aborted: %s" },
    [VIR_ERR_NO_SERVER] = { "Server not found", "Server not found: %s" },
    [VIR_ERR_NO_CLIENT] = { "Client not found", "Client not found: %s" },
    [VIR_ERR_AGENT_UNSYNCED] = {
        "guest agent replied with wrong id to guest-sync command",
        "guest agent replied with wrong id to guest-sync command: %s" },
    [VIR_ERR_LIBSSH] = { "libssh transport error", "libssh transport error: %s" },
    [VIR_ERR_DEVICE_MISSING] = { "device not found", "device not found: %s" },
    [VIR_ERR_INVALID_NWFILTER_BINDING] = {
        "Invalid network filter binding", "Invalid network filter binding: %s" },
    [VIR_ERR_NO_NWFILTER_BINDING] = {
        "Network filter binding not found", "Network filter binding not found: %s" },
    [VIR_ERR_INVALID_DOMAIN_CHECKPOINT] = {
        "Invalid domain checkpoint", "Invalid domain checkpoint: %s" },
    [VIR_ERR_NO_DOMAIN_CHECKPOINT] = {
        "Domain checkpoint not found", "Domain checkpoint not found: %s" },
    [VIR_ERR_NO_DOMAIN_BACKUP] = {
        "Domain backup job id not found", "Domain backup job id not found: %s" },
    [VIR_ERR_INVALID_NETWORK_PORT] = {
        "Invalid network port pointer", "Invalid network port pointer: %s" },
    [VIR_ERR_NETWORK_PORT_EXIST] = {
        "this network port exists already", "network port %s exists already" },
    [VIR_ERR_NO_NETWORK_PORT] = {
        "network port not found", "network port not found: %s" },
    [VIR_ERR_NO_HOSTNAME] = {
        "no hostname found", "no hostname found: %s" },
    [VIR_ERR_CHECKPOINT_INCONSISTENT] = {
        "checkpoint inconsistent", "checkpoint inconsistent: %s" },
    [VIR_ERR_MULTIPLE_DOMAINS] = {
        "multiple matching domains found", "multiple matching domains found: %s" },
};

/**
 * errorFormatMessage:
 * @code: a virErrorNumber
 * @info: the detail, or NULL
 *
 * Returns: a newly built message in libvirt's wording for @code (caller
 * owns it), never NULL.
 */
char *
errorFormatMessage(int code, const char *info)
{
    const ErrorMessageFormat *fmt = NULL;

    if (code >= 0 && code < VIR_ERR_NUMBER_LAST)
        fmt = &errorFormats[code];

    if (!fmt || !fmt->withInfo) {
        if (info)
            return g_strdup(info);
        return g_strdup_printf("unknown error %d", code);
    }
    if (!info)
        return g_strdup(fmt->bare ? fmt->bare : "");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    return g_strdup_printf(fmt->withInfo, info);
#pragma GCC diagnostic pop
}

/*
 * The template libvirt leaves in virError.str1: the format with "%s" when
 * there is a detail (which goes to str2), the bare message otherwise.
 * Clients see these fields (python's get_str1()), so they match.
 */
static char *
errorFormatTemplate(int code, bool haveInfo)
{
    const ErrorMessageFormat *fmt = NULL;

    if (code >= 0 && code < VIR_ERR_NUMBER_LAST)
        fmt = &errorFormats[code];
    if (!fmt || !fmt->withInfo)
        return haveInfo ? g_strdup("%s") : NULL;
    return g_strdup(haveInfo ? fmt->withInfo : fmt->bare);
}

static void
errorStore(int domain, int code, const char *file, const char *func,
           size_t line, char *detail)
{
    virErrorPtr err = errorGetSlot();
    g_autofree char *msg = errorFormatMessage(code, detail);

    errorClear(err);
    err->domain = domain;
    err->code = code;
    err->level = VIR_ERR_ERROR;
    err->message = g_steal_pointer(&msg);
    err->str1 = errorFormatTemplate(code, detail != NULL);
    err->str2 = detail;
    err->int1 = -1;
    err->int2 = -1;
    LOG_DEBUG("error %d (domain %d) at %s:%zu %s(): %s",
              code, domain, file, line, func, err->message);
}

/**
 * errorReport:
 * @domain: the virErrorDomain of the reporting file
 * @code: the virErrorNumber
 * @file: source file of the call site
 * @func: function of the call site
 * @line: line of the call site
 * @fmt: printf-style detail (may use positional %1$s arguments)
 *
 * Sets the calling thread's error, replacing any previous one.  Use
 * through the reportError() macro.
 */
void
errorReport(int domain, int code, const char *file, const char *func,
            size_t line, const char *fmt, ...)
{
    va_list ap;
    char *detail = NULL;

    if (fmt && *fmt) {
        va_start(ap, fmt);
        detail = g_strdup_vprintf(fmt, ap);
        va_end(ap);
    }
    errorStore(domain, code, file, func, line, detail);
}

/**
 * errorReportInvalidArg:
 * @domain: the virErrorDomain of the reporting file
 * @file: source file of the call site
 * @func: function of the call site, named in str1
 * @line: line of the call site
 * @argname: the argument at fault, kept in str2
 * @fmt: printf-style message (may use positional %1$s arguments)
 *
 * Sets VIR_ERR_INVALID_ARG the way libvirt's argument checks do: the
 * message is @fmt alone, without the "invalid argument: " prefix, str1
 * names @func and str2 @argname.  Use through reportInvalidArg() and the
 * flag-checking macros.
 */
void
errorReportInvalidArg(int domain, const char *file, const char *func,
                      size_t line, const char *argname, const char *fmt, ...)
{
    virErrorPtr err = errorGetSlot();
    va_list ap;
    char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    errorClear(err);
    err->domain = domain;
    err->code = VIR_ERR_INVALID_ARG;
    err->level = VIR_ERR_ERROR;
    err->message = msg;
    err->str1 = g_strdup(func);
    err->str2 = g_strdup(argname);
    LOG_DEBUG("error %d (domain %d) at %s:%zu %s(): %s",
              VIR_ERR_INVALID_ARG, domain, file, line, func, err->message);
}

/**
 * errorReportSystem:
 * @domain: the virErrorDomain of the reporting file
 * @errnum: an errno value
 * @file: source file of the call site
 * @func: function of the call site
 * @line: line of the call site
 * @fmt: printf-style detail
 *
 * Sets VIR_ERR_SYSTEM_ERROR with ": strerror(@errnum)" appended to the
 * detail.  Use through the reportSystemError() macro.
 */
void
errorReportSystem(int domain, int errnum, const char *file, const char *func,
                  size_t line, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *detail = NULL;
    char *full = NULL;

    va_start(ap, fmt);
    detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    full = g_strdup_printf("%s: %s", detail, g_strerror(errnum));
    errorStore(domain, VIR_ERR_SYSTEM_ERROR, file, func, line, full);
    errorGetSlot()->int1 = errnum;
}

/**
 * errorPrefix:
 * @fmt: printf-style context
 *
 * Amends the pending error's message with "CONTEXT: " in front.  Does
 * nothing when no error is pending.
 */
void
errorPrefix(const char *fmt, ...)
{
    virErrorPtr err = errorGetSlot();
    va_list ap;
    g_autofree char *ctx = NULL;
    char *msg = NULL;

    if (err->code == VIR_ERR_OK)
        return;
    va_start(ap, fmt);
    ctx = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    msg = g_strdup_printf("%s: %s", ctx, err->message ? err->message : "");
    g_free(err->message);
    err->message = msg;
}

/**
 * errorSave:
 *
 * Takes the calling thread's pending error out of the slot (which is left
 * empty) so that cleanup code may fail without losing it.
 *
 * Returns: the saved error (caller owns; give it back with errorRestore or
 * let g_autoptr(SavedError) restore it).
 */
SavedError *
errorSave(void)
{
    SavedError *saved = g_new0(SavedError, 1);
    virErrorPtr err = errorGetSlot();

    errorCopy(err, &saved->err);
    errorClear(err);
    return saved;
}

/**
 * errorRestore:
 * @saved: pointer to a saved error, set to NULL on return
 *
 * Puts the saved error back in the slot if it held one; an empty saved
 * error leaves whatever cleanup reported in place.
 */
void
errorRestore(SavedError **saved)
{
    if (!saved || !*saved)
        return;
    if ((*saved)->err.code != VIR_ERR_OK)
        errorSetFromCopy(&(*saved)->err);
    savedErrorFree(g_steal_pointer(saved));
}

/**
 * savedErrorFree:
 * @saved: a saved error, or NULL
 *
 * Discards a saved error without restoring it.
 */
void
savedErrorFree(SavedError *saved)
{
    if (!saved)
        return;
    errorClear(&saved->err);
    g_free(saved);
}

/**
 * savedErrorRestoreFree:
 * @saved: a saved error, or NULL
 *
 * Restores then frees; the g_autoptr(SavedError) cleanup.
 */
void
savedErrorRestoreFree(SavedError *saved)
{
    errorRestore(&saved);
}
