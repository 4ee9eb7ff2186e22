/* Public API: saving a domain's state to a file, restoring it, managed save. */
#include <glib.h>

#define ERR_DOMAIN VIR_FROM_DOMAIN
#include "api/entry.h"
#include "util/str.h"

/*
 * Argument checks follow libvirt 9.0 as observed through its public API.
 * Like libvirt, the entry points turn a relative file name into an
 * absolute one against the caller's working directory before the driver
 * (or a remote daemon, whose directory differs) sees it.
 */

/* @path made absolute against the current directory; caller frees. */
static char *
saveAbsPath(const char *path)
{
    g_autofree char *cwd = NULL;

    if (g_path_is_absolute(path))
        return g_strdup(path);
    cwd = g_get_current_dir();
    return g_build_filename(cwd, path, NULL);
}

/**
 * virDomainSaveFlags:
 * @domain: a running or paused domain
 * @to: the file to write (a relative name is taken from the caller's
 *      working directory)
 * @dxml: optional replacement XML for the saved definition (NULL)
 * @flags: virDomainSaveRestoreFlags
 *
 * Saves the domain's state to @to and stops it (shutoff/saved).
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainSaveFlags(virDomainPtr domain, const char *to, const char *dxml,
                   unsigned int flags)
{
    virConnectPtr conn;
    g_autofree char *abs = NULL;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_CHECK_NON_NULL(to, error);
    ENTRY_EXCLUSIVE_FLAGS(flags, VIR_DOMAIN_SAVE_RUNNING,
                          VIR_DOMAIN_SAVE_PAUSED, error);
    ENTRY_DRIVER_FUNC(conn, domainSaveFlags, error);
    abs = saveAbsPath(to);
    if (conn->driver->domainSaveFlags(domain, abs, dxml, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainSave:
 * @domain: a running or paused domain
 * @to: the file to write
 *
 * virDomainSaveFlags() without XML and flags.
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainSave(virDomainPtr domain, const char *to)
{
    virConnectPtr conn;
    g_autofree char *abs = NULL;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_CHECK_NON_NULL(to, error);
    ENTRY_DRIVER_FUNC(conn, domainSaveFlags, error);
    abs = saveAbsPath(to);
    if (conn->driver->domainSaveFlags(domain, abs, NULL, 0) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainRestoreFlags:
 * @conn: a connection
 * @from: a file written by virDomainSave*
 * @dxml: optional replacement XML (NULL)
 * @flags: virDomainSaveRestoreFlags
 *
 * Starts the domain saved in @from where it left off.
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainRestoreFlags(virConnectPtr conn, const char *from, const char *dxml,
                      unsigned int flags)
{
    g_autofree char *abs = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_CHECK_NON_NULL(from, error);
    ENTRY_EXCLUSIVE_FLAGS(flags, VIR_DOMAIN_SAVE_RUNNING,
                          VIR_DOMAIN_SAVE_PAUSED, error);
    ENTRY_DRIVER_FUNC(conn, domainRestoreFlags, error);
    abs = saveAbsPath(from);
    if (conn->driver->domainRestoreFlags(conn, abs, dxml, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainRestore:
 * @conn: a connection
 * @from: a file written by virDomainSave*
 *
 * virDomainRestoreFlags() without XML and flags.
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainRestore(virConnectPtr conn, const char *from)
{
    g_autofree char *abs = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_CHECK_NON_NULL(from, error);
    ENTRY_DRIVER_FUNC(conn, domainRestoreFlags, error);
    abs = saveAbsPath(from);
    if (conn->driver->domainRestoreFlags(conn, abs, NULL, 0) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainSaveImageGetXMLDesc:
 * @conn: a connection
 * @file: a file written by virDomainSave*
 * @flags: virDomainSaveImageXMLFlags
 *
 * Returns: the domain XML stored in @file (caller frees), or NULL on error.
 */
char *
virDomainSaveImageGetXMLDesc(virConnectPtr conn, const char *file,
                             unsigned int flags)
{
    g_autofree char *abs = NULL;
    char *ret = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, NULL);
    ENTRY_CHECK_NON_NULL(file, error);
    /* libvirt 9.0 refuses it on a read-only connection whatever the flags */
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_DRIVER_FUNC(conn, domainSaveImageGetXMLDesc, error);
    abs = saveAbsPath(file);
    if (!(ret = conn->driver->domainSaveImageGetXMLDesc(conn, abs, flags)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virDomainSaveImageDefineXML:
 * @conn: a connection
 * @file: a file written by virDomainSave*
 * @dxml: the replacement domain XML
 * @flags: virDomainSaveRestoreFlags (RUNNING or PAUSED changes the state
 *         the image restores to)
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainSaveImageDefineXML(virConnectPtr conn, const char *file,
                            const char *dxml, unsigned int flags)
{
    g_autofree char *abs = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_CHECK_NON_NULL(file, error);
    ENTRY_CHECK_NON_NULL(dxml, error);
    ENTRY_EXCLUSIVE_FLAGS(flags, VIR_DOMAIN_SAVE_RUNNING,
                          VIR_DOMAIN_SAVE_PAUSED, error);
    ENTRY_DRIVER_FUNC(conn, domainSaveImageDefineXML, error);
    abs = saveAbsPath(file);
    if (conn->driver->domainSaveImageDefineXML(conn, abs, dxml, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainManagedSave:
 * @dom: a running or paused persistent domain
 * @flags: virDomainSaveRestoreFlags
 *
 * Saves the domain's state to a file the driver owns; the next
 * virDomainCreate restores it.
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainManagedSave(virDomainPtr dom, unsigned int flags)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(dom, -1);
    conn = dom->conn;
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_EXCLUSIVE_FLAGS(flags, VIR_DOMAIN_SAVE_RUNNING,
                          VIR_DOMAIN_SAVE_PAUSED, error);
    ENTRY_DRIVER_FUNC(conn, domainManagedSave, error);
    if (conn->driver->domainManagedSave(dom, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainManagedSaveRemove:
 * @dom: a domain
 * @flags: none defined (0)
 *
 * Deletes the domain's managed save image, if any.
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainManagedSaveRemove(virDomainPtr dom, unsigned int flags)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(dom, -1);
    conn = dom->conn;
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_DRIVER_FUNC(conn, domainManagedSaveRemove, error);
    if (conn->driver->domainManagedSaveRemove(dom, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainManagedSaveGetXMLDesc:
 * @domain: a domain
 * @flags: virDomainSaveImageXMLFlags
 *
 * Allowed on a read-only connection unless @flags asks for secure data,
 * as libvirt 9.0.
 *
 * Returns: the domain XML stored in @domain's managed save image (caller
 * frees), or NULL on error.
 */
char *
virDomainManagedSaveGetXMLDesc(virDomainPtr domain, unsigned int flags)
{
    virConnectPtr conn;
    char *ret = NULL;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, NULL);
    conn = domain->conn;
    if (connectIsReadOnly(conn) && (flags & VIR_DOMAIN_SAVE_IMAGE_XML_SECURE)) {
        reportError(VIR_ERR_OPERATION_DENIED, "%s",
                    _("virDomainManagedSaveGetXMLDesc with secure flag"));
        goto error;
    }
    ENTRY_DRIVER_FUNC(conn, domainManagedSaveGetXMLDesc, error);
    if (!(ret = conn->driver->domainManagedSaveGetXMLDesc(domain, flags)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virDomainManagedSaveDefineXML:
 * @domain: a domain with a managed save image
 * @dxml: the replacement domain XML
 * @flags: virDomainSaveRestoreFlags (RUNNING or PAUSED changes the state
 *         the image restores to)
 *
 * As libvirt 9.0's, the entry point leaves @dxml to the driver.
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainManagedSaveDefineXML(virDomainPtr domain, const char *dxml, unsigned int flags)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_EXCLUSIVE_FLAGS(flags, VIR_DOMAIN_SAVE_RUNNING,
                          VIR_DOMAIN_SAVE_PAUSED, error);
    ENTRY_DRIVER_FUNC(conn, domainManagedSaveDefineXML, error);
    if (conn->driver->domainManagedSaveDefineXML(domain, dxml, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/*
 * A shallow copy of @params whose VIR_DOMAIN_SAVE_PARAM_FILE strings are
 * absolute (those made so are added to @owned).  Caller frees the array
 * with g_free, never the strings it borrows.
 */
static virTypedParameterPtr
saveParamsAbsolute(virTypedParameterPtr params, int nparams, GPtrArray *owned)
{
    virTypedParameterPtr copy = g_new0(virTypedParameter, MAX(nparams, 1));
    int i;

    for (i = 0; i < nparams; i++) {
        copy[i] = params[i];
        if (params[i].type == VIR_TYPED_PARAM_STRING && params[i].value.s &&
            streq(params[i].field, VIR_DOMAIN_SAVE_PARAM_FILE) &&
            !g_path_is_absolute(params[i].value.s)) {
            copy[i].value.s = saveAbsPath(params[i].value.s);
            g_ptr_array_add(owned, copy[i].value.s);
        }
    }
    return copy;
}

/**
 * virDomainSaveParams:
 * @domain: a running or paused domain
 * @params: VIR_DOMAIN_SAVE_PARAM_FILE (without it: a managed save) and
 *          VIR_DOMAIN_SAVE_PARAM_DXML, both strings
 * @nparams: the number of @params
 * @flags: virDomainSaveRestoreFlags
 *
 * virDomainSaveFlags() with typed parameters.  A relative file name is
 * taken from the caller's working directory.  As libvirt 9.0's, the entry
 * point leaves the parameters to the driver.
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainSaveParams(virDomainPtr domain, virTypedParameterPtr params, int nparams,
                    unsigned int flags)
{
    virConnectPtr conn;
    g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func(g_free);
    g_autofree virTypedParameterPtr abs = NULL;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_EXCLUSIVE_FLAGS(flags, VIR_DOMAIN_SAVE_RUNNING,
                          VIR_DOMAIN_SAVE_PAUSED, error);
    ENTRY_CHECK_NON_NEGATIVE(nparams, error);
    ENTRY_CHECK_NON_NULL_ARRAY(params, nparams, error);
    ENTRY_DRIVER_FUNC(conn, domainSaveParams, error);
    abs = saveParamsAbsolute(params, nparams, owned);
    if (conn->driver->domainSaveParams(domain, abs, nparams, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainRestoreParams:
 * @conn: a connection
 * @params: VIR_DOMAIN_SAVE_PARAM_FILE (required by the drivers) and
 *          VIR_DOMAIN_SAVE_PARAM_DXML, both strings
 * @nparams: the number of @params
 * @flags: virDomainSaveRestoreFlags
 *
 * virDomainRestoreFlags() with typed parameters; a relative file name is
 * taken from the caller's working directory.
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainRestoreParams(virConnectPtr conn, virTypedParameterPtr params, int nparams,
                       unsigned int flags)
{
    g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func(g_free);
    g_autofree virTypedParameterPtr abs = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_EXCLUSIVE_FLAGS(flags, VIR_DOMAIN_SAVE_RUNNING,
                          VIR_DOMAIN_SAVE_PAUSED, error);
    ENTRY_CHECK_NON_NEGATIVE(nparams, error);
    ENTRY_CHECK_NON_NULL_ARRAY(params, nparams, error);
    ENTRY_DRIVER_FUNC(conn, domainRestoreParams, error);
    abs = saveParamsAbsolute(params, nparams, owned);
    if (conn->driver->domainRestoreParams(conn, abs, nparams, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/*
 * The checks both core dump entry points share, in libvirt 9.0's order
 * after the format check: CRASH, LIVE and RESET exclude each other.
 */
#define SAVE_DUMP_CHECK_FLAGS(flags, label) \
    do { \
        ENTRY_EXCLUSIVE_FLAGS(flags, VIR_DUMP_CRASH, VIR_DUMP_LIVE, label); \
        ENTRY_EXCLUSIVE_FLAGS(flags, VIR_DUMP_CRASH, VIR_DUMP_RESET, label); \
        ENTRY_EXCLUSIVE_FLAGS(flags, VIR_DUMP_LIVE, VIR_DUMP_RESET, label); \
    } while (0)

/**
 * virDomainCoreDump:
 * @domain: a running or paused domain
 * @to: the file to write (a relative name is taken from the caller's
 *      working directory)
 * @flags: virDomainCoreDumpFlags
 *
 * Writes the guest's state to @to for analysis (for QEMU its migration
 * stream, or with VIR_DUMP_MEMORY_ONLY an ELF core of its memory).  The
 * guest is paused meanwhile unless VIR_DUMP_LIVE; VIR_DUMP_CRASH stops it
 * afterwards (shutoff/crashed), VIR_DUMP_RESET resets it.
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainCoreDump(virDomainPtr domain, const char *to, unsigned int flags)
{
    virConnectPtr conn;
    g_autofree char *abs = NULL;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_CHECK_NON_NULL(to, error);
    SAVE_DUMP_CHECK_FLAGS(flags, error);
    ENTRY_DRIVER_FUNC(conn, domainCoreDump, error);
    abs = saveAbsPath(to);
    if (conn->driver->domainCoreDump(domain, abs, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainCoreDumpWithFormat:
 * @domain: a running or paused domain
 * @to: the file to write (a relative name is taken from the caller's
 *      working directory)
 * @dumpformat: virDomainCoreDumpFormat; other than RAW only with
 *              VIR_DUMP_MEMORY_ONLY (the driver refuses it otherwise)
 * @flags: virDomainCoreDumpFlags
 *
 * virDomainCoreDump() choosing the format of a memory-only dump.
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainCoreDumpWithFormat(virDomainPtr domain, const char *to, unsigned int dumpformat,
                            unsigned int flags)
{
    virConnectPtr conn;
    g_autofree char *abs = NULL;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_CHECK_NON_NULL(to, error);
    if (dumpformat >= VIR_DOMAIN_CORE_DUMP_FORMAT_LAST) {
        /* libvirt prints it signed: 0xffffffff shows as '-1' */
        reportInvalidArg("dumpformat", _("dumpformat '%1$d' is not supported"),
                         (int)dumpformat);
        goto error;
    }
    SAVE_DUMP_CHECK_FLAGS(flags, error);
    ENTRY_DRIVER_FUNC(conn, domainCoreDumpWithFormat, error);
    abs = saveAbsPath(to);
    if (conn->driver->domainCoreDumpWithFormat(domain, abs, dumpformat, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}
