/* Public API: domains (listing, lookup, lifecycle, properties, jobs) and domain events. */
#include <limits.h>
#include <string.h>

#define ERR_DOMAIN VIR_FROM_DOMAIN
#include "api/entry.h"
#include "util/uuid.h"

/*
 * The checks below, their order and their wording are libvirt 9.0's, as
 * observed through its public API (tests/api/apientrytest.c holds the
 * table); everything else is the driver's business.
 */

/* libvirt refuses memory sizes (KiB) whose byte count would not fit an off_t. */
#define DOMAIN_MEMORY_MAX_KIB ((unsigned long long)LLONG_MAX / 1024)

#define ENTRY_CHECK_MEMORY(memory, label) \
    do { \
        if ((unsigned long long)(memory) >= DOMAIN_MEMORY_MAX_KIB) { \
            reportError(VIR_ERR_OVERFLOW, _("input too large: %1$lu"), \
                        (unsigned long)(memory)); \
            goto label; \
        } \
    } while (0)

/*
 * Runs `ret = conn->driver->field(args)` and fails when ret < 0: the
 * common tail of the int-returning domain functions.
 */
#define DOMAIN_CALL_INT(conn, field, ...) \
    do { \
        int ret_; \
        ENTRY_DRIVER_FUNC(conn, field, error); \
        if ((ret_ = (conn)->driver->field(__VA_ARGS__)) < 0) \
            goto error; \
        return ret_; \
    } while (0)

/* --- listing ------------------------------------------------------------ */

/**
 * virConnectListAllDomains:
 * @conn: a connection
 * @domains: where to store a NULL-terminated array of new domain handles
 *           (caller frees each with virDomainFree, then the array with
 *           free()), or NULL to only count
 * @flags: VIR_CONNECT_LIST_DOMAINS_* filters (groups are ANDed, flags
 *         within a group ORed; the driver checks them)
 *
 * Returns: the number of matching domains, or -1 on error.
 */
int
virConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains,
                         unsigned int flags)
{
    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    if (domains)
        *domains = NULL;
    DOMAIN_CALL_INT(conn, connectListAllDomains, conn, domains, flags);

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virConnectNumOfDomains:
 * @conn: a connection
 *
 * Returns: the number of running domains, or -1 on error.
 */
int
virConnectNumOfDomains(virConnectPtr conn)
{
    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    DOMAIN_CALL_INT(conn, connectNumOfDomains, conn);

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virConnectListDomains:
 * @conn: a connection
 * @ids: array of @maxids ints to fill with the ids of running domains
 * @maxids: size of @ids
 *
 * Returns: the number of ids stored, or -1 on error.
 */
int
virConnectListDomains(virConnectPtr conn, int *ids, int maxids)
{
    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_NON_NULL_ARRAY(ids, maxids, error);
    ENTRY_CHECK_NON_NEGATIVE(maxids, error);
    DOMAIN_CALL_INT(conn, connectListDomains, conn, ids, maxids);

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virConnectNumOfDefinedDomains:
 * @conn: a connection
 *
 * Returns: the number of defined but inactive domains, or -1 on error.
 */
int
virConnectNumOfDefinedDomains(virConnectPtr conn)
{
    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    DOMAIN_CALL_INT(conn, connectNumOfDefinedDomains, conn);

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virConnectListDefinedDomains:
 * @conn: a connection
 * @names: array of @maxnames pointers to fill with the names of inactive
 *         domains (caller frees each)
 * @maxnames: size of @names
 *
 * Returns: the number of names stored, or -1 on error.
 */
int
virConnectListDefinedDomains(virConnectPtr conn, char **const names,
                             int maxnames)
{
    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_NON_NULL_ARRAY(names, maxnames, error);
    ENTRY_CHECK_NON_NEGATIVE(maxnames, error);
    DOMAIN_CALL_INT(conn, connectListDefinedDomains, conn, names, maxnames);

 error:
    entryDispatchError(conn);
    return -1;
}

/* --- lookup and creation ------------------------------------------------ */

/**
 * virDomainLookupByName:
 * @conn: a connection
 * @name: domain name
 *
 * Returns: a new domain handle (release with virDomainFree), or NULL
 * (VIR_ERR_NO_DOMAIN when there is no such domain).
 */
virDomainPtr
virDomainLookupByName(virConnectPtr conn, const char *name)
{
    virDomainPtr ret = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, NULL);
    ENTRY_CHECK_NON_NULL(name, error);
    ENTRY_DRIVER_FUNC(conn, domainLookupByName, error);
    if (!(ret = conn->driver->domainLookupByName(conn, name)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virDomainLookupByUUID:
 * @conn: a connection
 * @uuid: VIR_UUID_BUFLEN raw bytes
 *
 * Returns: a new domain handle, or NULL.
 */
virDomainPtr
virDomainLookupByUUID(virConnectPtr conn, const unsigned char *uuid)
{
    virDomainPtr ret = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, NULL);
    ENTRY_CHECK_NON_NULL(uuid, error);
    ENTRY_DRIVER_FUNC(conn, domainLookupByUUID, error);
    if (!(ret = conn->driver->domainLookupByUUID(conn, uuid)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virDomainLookupByUUIDString:
 * @conn: a connection
 * @uuidstr: a textual UUID (with or without dashes)
 *
 * Returns: a new domain handle, or NULL.
 */
virDomainPtr
virDomainLookupByUUIDString(virConnectPtr conn, const char *uuidstr)
{
    unsigned char uuid[VIR_UUID_BUFLEN];

    errorReset();
    ENTRY_CHECK_CONN(conn, NULL);
    ENTRY_CHECK_NON_NULL(uuidstr, error);
    if (uuidParse(uuidstr, uuid) < 0) {
        reportInvalidArg("uuidstr", "%s", _("Invalid UUID"));
        goto error;
    }
    /* As libvirt: the rest, errors included, is virDomainLookupByUUID's. */
    return virDomainLookupByUUID(conn, uuid);

 error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virDomainLookupByID:
 * @conn: a connection
 * @id: id of a running domain
 *
 * Returns: a new domain handle, or NULL.
 */
virDomainPtr
virDomainLookupByID(virConnectPtr conn, int id)
{
    virDomainPtr ret = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, NULL);
    ENTRY_CHECK_NON_NEGATIVE(id, error);
    ENTRY_DRIVER_FUNC(conn, domainLookupByID, error);
    if (!(ret = conn->driver->domainLookupByID(conn, id)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virDomainDefineXMLFlags:
 * @conn: a connection
 * @xml: the domain XML
 * @flags: virDomainDefineFlags
 *
 * Defines (or redefines) a persistent domain.
 *
 * Returns: a new domain handle, or NULL.
 */
virDomainPtr
virDomainDefineXMLFlags(virConnectPtr conn, const char *xml,
                        unsigned int flags)
{
    virDomainPtr ret = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, NULL);
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_CHECK_NON_NULL(xml, error);
    ENTRY_DRIVER_FUNC(conn, domainDefineXMLFlags, error);
    if (!(ret = conn->driver->domainDefineXMLFlags(conn, xml, flags)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virDomainDefineXML:
 * @conn: a connection
 * @xml: the domain XML
 *
 * virDomainDefineXMLFlags without flags.
 *
 * Returns: a new domain handle, or NULL.
 */
virDomainPtr
virDomainDefineXML(virConnectPtr conn, const char *xml)
{
    virDomainPtr ret = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, NULL);
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_CHECK_NON_NULL(xml, error);
    ENTRY_DRIVER_FUNC(conn, domainDefineXMLFlags, error);
    if (!(ret = conn->driver->domainDefineXMLFlags(conn, xml, 0)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virDomainCreateXML:
 * @conn: a connection
 * @xmlDesc: the domain XML
 * @flags: virDomainCreateFlags
 *
 * Starts a transient domain.
 *
 * Returns: a new domain handle, or NULL.
 */
virDomainPtr
virDomainCreateXML(virConnectPtr conn, const char *xmlDesc,
                   unsigned int flags)
{
    virDomainPtr ret = NULL;

    errorReset();
    ENTRY_CHECK_CONN(conn, NULL);
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_CHECK_NON_NULL(xmlDesc, error);
    ENTRY_DRIVER_FUNC(conn, domainCreateXML, error);
    if (!(ret = conn->driver->domainCreateXML(conn, xmlDesc, flags)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}

/* --- lifecycle ------------------------------------------------------------ */

/*
 * The modifying lifecycle calls share a shape: domain check, read-only
 * check, driver call returning 0 / -1.
 */
#define DOMAIN_MODIFY(dom, field, ...) \
    do { \
        virConnectPtr conn_; \
        errorReset(); \
        ENTRY_CHECK_DOMAIN(dom, -1); \
        conn_ = (dom)->conn; \
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
 * virDomainUndefineFlags:
 * @domain: a domain
 * @flags: virDomainUndefineFlagsValues
 *
 * Removes the persistent definition (a running domain becomes transient).
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainUndefineFlags(virDomainPtr domain, unsigned int flags)
{
    DOMAIN_MODIFY(domain, domainUndefineFlags, domain, flags);
}

/**
 * virDomainUndefine:
 * @domain: a domain
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainUndefine(virDomainPtr domain)
{
    DOMAIN_MODIFY(domain, domainUndefineFlags, domain, 0);
}

/**
 * virDomainCreateWithFlags:
 * @domain: a defined, inactive domain
 * @flags: virDomainCreateFlags
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainCreateWithFlags(virDomainPtr domain, unsigned int flags)
{
    DOMAIN_MODIFY(domain, domainCreateWithFlags, domain, flags);
}

/**
 * virDomainCreate:
 * @domain: a defined, inactive domain
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainCreate(virDomainPtr domain)
{
    DOMAIN_MODIFY(domain, domainCreateWithFlags, domain, 0);
}

/**
 * virDomainDestroyFlags:
 * @domain: a running domain
 * @flags: virDomainDestroyFlagsValues
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainDestroyFlags(virDomainPtr domain, unsigned int flags)
{
    DOMAIN_MODIFY(domain, domainDestroyFlags, domain, flags);
}

/**
 * virDomainDestroy:
 * @domain: a running domain
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainDestroy(virDomainPtr domain)
{
    DOMAIN_MODIFY(domain, domainDestroyFlags, domain, 0);
}

/**
 * virDomainShutdownFlags:
 * @domain: a running domain
 * @flags: virDomainShutdownFlagValues
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainShutdownFlags(virDomainPtr domain, unsigned int flags)
{
    DOMAIN_MODIFY(domain, domainShutdownFlags, domain, flags);
}

/**
 * virDomainShutdown:
 * @domain: a running domain
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainShutdown(virDomainPtr domain)
{
    DOMAIN_MODIFY(domain, domainShutdownFlags, domain, 0);
}

/**
 * virDomainReboot:
 * @domain: a running domain
 * @flags: virDomainRebootFlagValues
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainReboot(virDomainPtr domain, unsigned int flags)
{
    DOMAIN_MODIFY(domain, domainReboot, domain, flags);
}

/**
 * virDomainReset:
 * @domain: a running domain
 * @flags: none defined (0)
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainReset(virDomainPtr domain, unsigned int flags)
{
    DOMAIN_MODIFY(domain, domainReset, domain, flags);
}

/**
 * virDomainSuspend:
 * @domain: a running domain
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainSuspend(virDomainPtr domain)
{
    DOMAIN_MODIFY(domain, domainSuspend, domain);
}

/**
 * virDomainResume:
 * @domain: a paused domain
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainResume(virDomainPtr domain)
{
    DOMAIN_MODIFY(domain, domainResume, domain);
}

/**
 * virDomainSetAutostart:
 * @domain: a persistent domain
 * @autostart: whether to start the domain with the host (any non-zero)
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainSetAutostart(virDomainPtr domain, int autostart)
{
    DOMAIN_MODIFY(domain, domainSetAutostart, domain, autostart);
}

/**
 * virDomainAbortJob:
 * @domain: a domain
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainAbortJob(virDomainPtr domain)
{
    DOMAIN_MODIFY(domain, domainAbortJob, domain);
}

/**
 * virDomainAbortJobFlags:
 * @domain: a domain
 * @flags: virDomainAbortJobFlagsValues (VIR_DOMAIN_ABORT_JOB_POSTCOPY:
 *         interrupt an outgoing migration in post-copy mode)
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainAbortJobFlags(virDomainPtr domain, unsigned int flags)
{
    DOMAIN_MODIFY(domain, domainAbortJobFlags, domain, flags);
}

/* --- state and properties ----------------------------------------------- */

/**
 * virDomainGetInfo:
 * @domain: a domain
 * @info: filled with state, memory, vCPU count and CPU time
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainGetInfo(virDomainPtr domain, virDomainInfoPtr info)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_NON_NULL(info, error);
    memset(info, 0, sizeof(*info));
    DOMAIN_CALL_INT(conn, domainGetInfo, domain, info);

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainGetState:
 * @domain: a domain
 * @state: where to store the virDomainState
 * @reason: where to store the state's reason, or NULL
 * @flags: none defined (0)
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainGetState(virDomainPtr domain, int *state, int *reason,
                  unsigned int flags)
{
    virConnectPtr conn;
    int dummy;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_NON_NULL(state, error);
    /* Drivers always get somewhere to write the reason. */
    DOMAIN_CALL_INT(conn, domainGetState, domain, state,
                    reason ? reason : &dummy, flags);

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainGetXMLDesc:
 * @domain: a domain
 * @flags: virDomainXMLFlags; SECURE and MIGRATABLE are refused on a
 *         read-only connection
 *
 * Returns: the domain XML (caller frees), or NULL on error.
 */
char *
virDomainGetXMLDesc(virDomainPtr domain, unsigned int flags)
{
    virConnectPtr conn;
    char *ret = NULL;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, NULL);
    conn = domain->conn;
    if (connectIsReadOnly(conn) &&
        (flags & (VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_MIGRATABLE))) {
        reportError(VIR_ERR_OPERATION_DENIED, "%s",
                    _("virDomainGetXMLDesc with secure flag"));
        goto error;
    }
    ENTRY_DRIVER_FUNC(conn, domainGetXMLDesc, error);
    if (!(ret = conn->driver->domainGetXMLDesc(domain, flags)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virDomainGetName:
 * @domain: a domain
 *
 * Returns: the name (owned by @domain), or NULL on error.
 */
const char *
virDomainGetName(virDomainPtr domain)
{
    errorReset();
    ENTRY_CHECK_DOMAIN(domain, NULL);
    return domain->name;
}

/**
 * virDomainGetUUID:
 * @domain: a domain
 * @uuid: VIR_UUID_BUFLEN bytes to fill
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainGetUUID(virDomainPtr domain, unsigned char *uuid)
{
    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    ENTRY_CHECK_NON_NULL(uuid, error);
    memcpy(uuid, domain->uuid, VIR_UUID_BUFLEN);
    return 0;

 error:
    entryDispatchError(domain->conn);
    return -1;
}

/**
 * virDomainGetUUIDString:
 * @domain: a domain
 * @buf: VIR_UUID_STRING_BUFLEN bytes to fill with the canonical form
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainGetUUIDString(virDomainPtr domain, char *buf)
{
    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    ENTRY_CHECK_NON_NULL(buf, error);
    uuidFormat(domain->uuid, buf);
    return 0;

 error:
    entryDispatchError(domain->conn);
    return -1;
}

/**
 * virDomainGetID:
 * @domain: a domain
 *
 * Returns: the id the domain had when the handle was made ((unsigned)-1
 * if it was not running), or (unsigned)-1 on error.
 */
unsigned int
virDomainGetID(virDomainPtr domain)
{
    errorReset();
    ENTRY_CHECK_DOMAIN(domain, (unsigned int)-1);
    return (unsigned int)domain->id;
}

/**
 * virDomainGetOSType:
 * @domain: a domain
 *
 * Returns: the OS type, e.g. "hvm" (caller frees), or NULL on error.
 */
char *
virDomainGetOSType(virDomainPtr domain)
{
    virConnectPtr conn;
    char *ret = NULL;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, NULL);
    conn = domain->conn;
    ENTRY_DRIVER_FUNC(conn, domainGetOSType, error);
    if (!(ret = conn->driver->domainGetOSType(domain)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virDomainGetMaxMemory:
 * @domain: a domain
 *
 * Returns: the maximum memory in KiB, or 0 on error.
 */
unsigned long
virDomainGetMaxMemory(virDomainPtr domain)
{
    virConnectPtr conn;
    unsigned long ret;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, 0);
    conn = domain->conn;
    ENTRY_DRIVER_FUNC(conn, domainGetMaxMemory, error);
    if ((ret = conn->driver->domainGetMaxMemory(domain)) == 0)
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return 0;
}

/**
 * virDomainSetMemoryFlags:
 * @domain: a domain
 * @memory: the new size in KiB
 * @flags: virDomainMemoryModFlags
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainSetMemoryFlags(virDomainPtr domain, unsigned long memory,
                        unsigned int flags)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_CHECK_NON_ZERO(memory, error);
    ENTRY_CHECK_MEMORY(memory, error);
    ENTRY_DRIVER_FUNC(conn, domainSetMemoryFlags, error);
    if (conn->driver->domainSetMemoryFlags(domain, memory, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainSetMemory:
 * @domain: a running domain
 * @memory: the new current memory in KiB
 *
 * virDomainSetMemoryFlags with VIR_DOMAIN_AFFECT_LIVE, as libvirt's
 * drivers implement it.
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainSetMemory(virDomainPtr domain, unsigned long memory)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_CHECK_NON_ZERO(memory, error);
    ENTRY_CHECK_MEMORY(memory, error);
    ENTRY_DRIVER_FUNC(conn, domainSetMemoryFlags, error);
    if (conn->driver->domainSetMemoryFlags(domain, memory,
                                           VIR_DOMAIN_AFFECT_LIVE) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainSetMaxMemory:
 * @domain: a domain
 * @memory: the new maximum in KiB
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainSetMaxMemory(virDomainPtr domain, unsigned long memory)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_CHECK_NON_ZERO(memory, error);
    ENTRY_CHECK_MEMORY(memory, error);
    ENTRY_DRIVER_FUNC(conn, domainSetMaxMemory, error);
    if (conn->driver->domainSetMaxMemory(domain, memory) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainSetVcpusFlags:
 * @domain: a domain
 * @nvcpus: the new number of vCPUs
 * @flags: virDomainVcpuFlags; GUEST excludes CONFIG, MAXIMUM needs CONFIG
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainSetVcpusFlags(virDomainPtr domain, unsigned int nvcpus,
                       unsigned int flags)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_EXCLUSIVE_FLAGS(flags, VIR_DOMAIN_VCPU_GUEST,
                          VIR_DOMAIN_AFFECT_CONFIG, error);
    ENTRY_REQUIRE_FLAG(flags, VIR_DOMAIN_VCPU_MAXIMUM,
                       VIR_DOMAIN_AFFECT_CONFIG, error);
    ENTRY_CHECK_NON_ZERO(nvcpus, error);
    ENTRY_DRIVER_FUNC(conn, domainSetVcpusFlags, error);
    if (conn->driver->domainSetVcpusFlags(domain, nvcpus, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainSetVcpus:
 * @domain: a running domain
 * @nvcpus: the new number of vCPUs
 *
 * virDomainSetVcpusFlags with VIR_DOMAIN_AFFECT_LIVE, as libvirt's
 * drivers implement it.
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainSetVcpus(virDomainPtr domain, unsigned int nvcpus)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_CHECK_NON_ZERO(nvcpus, error);
    ENTRY_DRIVER_FUNC(conn, domainSetVcpusFlags, error);
    if (conn->driver->domainSetVcpusFlags(domain, nvcpus,
                                          VIR_DOMAIN_AFFECT_LIVE) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainGetVcpusFlags:
 * @domain: a domain
 * @flags: virDomainVcpuFlags; LIVE and CONFIG exclude each other, GUEST
 *         is refused on a read-only connection
 *
 * Returns: the number of vCPUs, or -1 on error.
 */
int
virDomainGetVcpusFlags(virDomainPtr domain, unsigned int flags)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    if (flags & VIR_DOMAIN_VCPU_GUEST)
        ENTRY_CHECK_READ_ONLY(conn, error);
    ENTRY_EXCLUSIVE_FLAGS(flags, VIR_DOMAIN_AFFECT_LIVE,
                          VIR_DOMAIN_AFFECT_CONFIG, error);
    DOMAIN_CALL_INT(conn, domainGetVcpusFlags, domain, flags);

 error:
    entryDispatchError(conn);
    return -1;
}

/*
 * Queries returning a non-negative int from the driver with no argument
 * checks of their own.
 */
#define DOMAIN_QUERY_INT(dom, field) \
    do { \
        virConnectPtr conn_; \
        errorReset(); \
        ENTRY_CHECK_DOMAIN(dom, -1); \
        conn_ = (dom)->conn; \
        DOMAIN_CALL_INT(conn_, field, dom); \
     error: \
        entryDispatchError(conn_); \
        return -1; \
    } while (0)

/**
 * virDomainGetMaxVcpus:
 * @domain: a running domain
 *
 * Returns: the maximum number of vCPUs, or -1 on error.
 */
int
virDomainGetMaxVcpus(virDomainPtr domain)
{
    DOMAIN_QUERY_INT(domain, domainGetMaxVcpus);
}

/**
 * virDomainIsActive:
 * @domain: a domain
 *
 * Returns: 1 if running, 0 if not, -1 on error.
 */
int
virDomainIsActive(virDomainPtr domain)
{
    DOMAIN_QUERY_INT(domain, domainIsActive);
}

/**
 * virDomainIsPersistent:
 * @domain: a domain
 *
 * Returns: 1 if it has a persistent definition, 0 if not, -1 on error.
 */
int
virDomainIsPersistent(virDomainPtr domain)
{
    DOMAIN_QUERY_INT(domain, domainIsPersistent);
}

/**
 * virDomainIsUpdated:
 * @domain: a domain
 *
 * Returns: 1 if the persistent definition changed since the domain
 * started, 0 if not, -1 on error.
 */
int
virDomainIsUpdated(virDomainPtr domain)
{
    DOMAIN_QUERY_INT(domain, domainIsUpdated);
}

/**
 * virDomainGetAutostart:
 * @domain: a domain
 * @autostart: where to store 1 or 0
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainGetAutostart(virDomainPtr domain, int *autostart)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_NON_NULL(autostart, error);
    DOMAIN_CALL_INT(conn, domainGetAutostart, domain, autostart);

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainHasManagedSaveImage:
 * @domain: a domain
 * @flags: none defined (0)
 *
 * Returns: 1 if a managed save image exists, 0 if not, -1 on error.
 */
int
virDomainHasManagedSaveImage(virDomainPtr domain, unsigned int flags)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    DOMAIN_CALL_INT(conn, domainHasManagedSaveImage, domain, flags);

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainGetSecurityLabel:
 * @domain: a domain
 * @seclabel: filled with the domain's security label
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainGetSecurityLabel(virDomainPtr domain, virSecurityLabelPtr seclabel)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_NON_NULL(seclabel, error);
    memset(seclabel, 0, sizeof(*seclabel));
    DOMAIN_CALL_INT(conn, domainGetSecurityLabel, domain, seclabel);

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainGetMetadata:
 * @domain: a domain
 * @type: virDomainMetadataType
 * @uri: namespace of an ELEMENT, must be NULL for TITLE and DESCRIPTION
 * @flags: virDomainModificationImpact (LIVE and CONFIG exclude each other)
 *
 * Returns: the metadata (caller frees), or NULL on error
 * (VIR_ERR_NO_DOMAIN_METADATA when absent).
 */
char *
virDomainGetMetadata(virDomainPtr domain, int type, const char *uri,
                     unsigned int flags)
{
    virConnectPtr conn;
    char *ret = NULL;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, NULL);
    conn = domain->conn;
    ENTRY_EXCLUSIVE_FLAGS(flags, VIR_DOMAIN_AFFECT_LIVE,
                          VIR_DOMAIN_AFFECT_CONFIG, error);
    switch (type) {
    case VIR_DOMAIN_METADATA_TITLE:
    case VIR_DOMAIN_METADATA_DESCRIPTION:
        ENTRY_CHECK_NULL(uri, error);
        break;
    case VIR_DOMAIN_METADATA_ELEMENT:
        ENTRY_CHECK_NON_NULL(uri, error);
        break;
    default:
        /* libvirt lets negative values through to the driver. */
        if (type >= VIR_DOMAIN_METADATA_LAST) {
            reportError(VIR_ERR_INVALID_ARG, _("unknown metadata type '%1$d'"),
                        type);
            goto error;
        }
        break;
    }
    ENTRY_DRIVER_FUNC(conn, domainGetMetadata, error);
    if (!(ret = conn->driver->domainGetMetadata(domain, type, uri, flags)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virDomainSetMetadata:
 * @domain: a domain
 * @type: virDomainMetadataType
 * @metadata: the new value, or NULL to remove it
 * @key: namespace prefix of an ELEMENT (required with @metadata), NULL
 *       otherwise
 * @uri: namespace of an ELEMENT, NULL otherwise
 * @flags: virDomainModificationImpact
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainSetMetadata(virDomainPtr domain, int type, const char *metadata,
                     const char *key, const char *uri, unsigned int flags)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_READ_ONLY(conn, error);
    switch (type) {
    case VIR_DOMAIN_METADATA_TITLE:
        if (metadata && strchr(metadata, '\n')) {
            reportInvalidArg("metadata", "%s",
                             _("metadata title can't contain newlines"));
            goto error;
        }
        G_GNUC_FALLTHROUGH;
    case VIR_DOMAIN_METADATA_DESCRIPTION:
        ENTRY_CHECK_NULL(uri, error);
        ENTRY_CHECK_NULL(key, error);
        break;
    case VIR_DOMAIN_METADATA_ELEMENT:
        ENTRY_CHECK_NON_NULL(uri, error);
        if (metadata)
            ENTRY_CHECK_NON_NULL(key, error);
        break;
    default:
        if (type >= VIR_DOMAIN_METADATA_LAST) {
            reportError(VIR_ERR_INVALID_ARG, _("unknown metadata type '%1$d'"),
                        type);
            goto error;
        }
        break;
    }
    ENTRY_DRIVER_FUNC(conn, domainSetMetadata, error);
    if (conn->driver->domainSetMetadata(domain, type, metadata, key, uri,
                                        flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/* --- handles ------------------------------------------------------------ */

/**
 * virDomainRef:
 * @domain: a domain
 *
 * Adds a reference, released by one more virDomainFree.
 *
 * Returns: 0, or -1 if @domain is invalid.
 */
int
virDomainRef(virDomainPtr domain)
{
    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    domainHandleRef(domain);
    return 0;
}

/**
 * virDomainFree:
 * @domain: a domain
 *
 * Drops a reference to the handle (the domain itself is unaffected).
 *
 * Returns: 0, or -1 if @domain is invalid.
 */
int
virDomainFree(virDomainPtr domain)
{
    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    domainHandleUnref(domain);
    return 0;
}

/**
 * virDomainGetConnect:
 * @domain: a domain
 *
 * Returns: the connection of @domain, without a new reference, or NULL
 * on error.
 */
virConnectPtr
virDomainGetConnect(virDomainPtr domain)
{
    errorReset();
    ENTRY_CHECK_DOMAIN(domain, NULL);
    return domain->conn;
}

/* --- jobs ----------------------------------------------------------------- */

/**
 * virDomainGetJobInfo:
 * @domain: a domain
 * @info: filled with the current job's progress (type NONE without a job)
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainGetJobInfo(virDomainPtr domain, virDomainJobInfoPtr info)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_NON_NULL(info, error);
    memset(info, 0, sizeof(*info));
    DOMAIN_CALL_INT(conn, domainGetJobInfo, domain, info);

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainGetJobStats:
 * @domain: a domain
 * @type: where to store the virDomainJobType
 * @params: where to store the statistics (caller frees with
 *          virTypedParamsFree)
 * @nparams: where to store the number of statistics
 * @flags: virDomainGetJobStatsFlags (KEEP_COMPLETED needs COMPLETED)
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainGetJobStats(virDomainPtr domain, int *type,
                     virTypedParameterPtr *params, int *nparams,
                     unsigned int flags)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_NON_NULL(type, error);
    ENTRY_CHECK_NON_NULL(params, error);
    ENTRY_CHECK_NON_NULL(nparams, error);
    ENTRY_REQUIRE_FLAG(flags, VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED,
                       VIR_DOMAIN_JOB_STATS_COMPLETED, error);
    DOMAIN_CALL_INT(conn, domainGetJobStats, domain, type, params, nparams,
                    flags);

 error:
    entryDispatchError(conn);
    return -1;
}

/* --- events ----------------------------------------------------------------- */

/**
 * virConnectDomainEventRegister:
 * @conn: a connection
 * @cb: lifecycle callback, run from the event loop
 * @opaque: passed to @cb
 * @freecb: frees @opaque when the callback is deregistered, or NULL
 *
 * The legacy registration: lifecycle events of every domain.  A callback
 * can be registered once per connection.  Needs a registered event loop.
 *
 * Returns: 0, or -1 on error.
 */
int
virConnectDomainEventRegister(virConnectPtr conn,
                              virConnectDomainEventCallback cb,
                              void *opaque, virFreeCallback freecb)
{
    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_NON_NULL(cb, error);
    DOMAIN_CALL_INT(conn, connectDomainEventRegister, conn, cb, opaque,
                    freecb);

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virConnectDomainEventDeregister:
 * @conn: a connection
 * @cb: a callback given to virConnectDomainEventRegister
 *
 * Returns: 0, or -1 on error.
 */
int
virConnectDomainEventDeregister(virConnectPtr conn,
                                virConnectDomainEventCallback cb)
{
    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_NON_NULL(cb, error);
    DOMAIN_CALL_INT(conn, connectDomainEventDeregister, conn, cb);

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virConnectDomainEventRegisterAny:
 * @conn: a connection
 * @dom: only events of this domain (of @conn), or NULL for all
 * @eventID: a virDomainEventID; @cb must have that event's signature
 * @cb: the callback (cast with VIR_DOMAIN_EVENT_CALLBACK), run from the
 *      event loop with a domain handle valid during the call
 * @opaque: passed to @cb
 * @freecb: frees @opaque when the callback is deregistered, or NULL
 *
 * Returns: the callback ID for virConnectDomainEventDeregisterAny, or -1.
 */
int
virConnectDomainEventRegisterAny(virConnectPtr conn, virDomainPtr dom,
                                 int eventID,
                                 virConnectDomainEventGenericCallback cb,
                                 void *opaque, virFreeCallback freecb)
{
    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    if (dom) {
        ENTRY_CHECK_DOMAIN(dom, -1);
        if (dom->conn != conn) {
            reportInvalidArg("dom", _("domain '%1$s' must match connection"),
                             dom->name);
            goto error;
        }
    }
    ENTRY_CHECK_NON_NULL(cb, error);
    ENTRY_CHECK_NON_NEGATIVE(eventID, error);
    if (eventID >= VIR_DOMAIN_EVENT_ID_LAST) {
        reportInvalidArg("eventID", _("eventID must be less than %1$d"),
                         VIR_DOMAIN_EVENT_ID_LAST);
        goto error;
    }
    DOMAIN_CALL_INT(conn, connectDomainEventRegisterAny, conn, dom, eventID,
                    cb, opaque, freecb);

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virConnectDomainEventDeregisterAny:
 * @conn: a connection
 * @callbackID: an ID returned by virConnectDomainEventRegisterAny on @conn
 *
 * Returns: 0, or -1 on error.
 */
int
virConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID)
{
    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_NON_NEGATIVE(callbackID, error);
    DOMAIN_CALL_INT(conn, connectDomainEventDeregisterAny, conn, callbackID);

 error:
    entryDispatchError(conn);
    return -1;
}

/* --- streams -------------------------------------------------------------- */

/* @st must be a live stream (checked before read-only access, as libvirt). */
#define DOMAIN_CHECK_STREAM(st, label) \
    do { \
        if (!streamHandleIsValid(st)) { \
            errorReport(VIR_FROM_STREAMS, VIR_ERR_INVALID_STREAM, __FILE__, \
                        __func__, __LINE__, "%s", __func__); \
            goto label; \
        } \
    } while (0)

/* ... and one of @dom's connection (checked after read-only access). */
#define DOMAIN_CHECK_STREAM_CONN(dom, st, label) \
    do { \
        if ((st)->conn != (dom)->conn) { \
            reportInvalidArg(#st, \
                             _("stream must match connection of domain '%1$s'"), \
                             (dom)->name); \
            goto label; \
        } \
    } while (0)

/**
 * virDomainOpenConsole:
 * @dom: a running domain
 * @dev_name: the console or serial device's alias, or NULL for the first
 * @st: an unused stream of the domain's connection
 * @flags: VIR_DOMAIN_CONSOLE_FORCE (take the console from another
 *         session), VIR_DOMAIN_CONSOLE_SAFE (only if the driver can keep
 *         sessions exclusive)
 *
 * Connects @st to the guest's text console: what the guest writes comes
 * out of virStreamRecv, what is sent goes to the guest.
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainOpenConsole(virDomainPtr dom, const char *dev_name, virStreamPtr st,
                     unsigned int flags)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(dom, -1);
    conn = dom->conn;
    DOMAIN_CHECK_STREAM(st, error);
    ENTRY_CHECK_READ_ONLY(conn, error);
    DOMAIN_CHECK_STREAM_CONN(dom, st, error);
    ENTRY_DRIVER_FUNC(conn, domainOpenConsole, error);
    if (conn->driver->domainOpenConsole(dom, dev_name, st, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainScreenshot:
 * @domain: a domain
 * @stream: an unused stream of the domain's connection
 * @screen: which screen (head) to take
 * @flags: 0
 *
 * Takes a screenshot of the domain's display; the image comes out of
 * @stream (virStreamRecv until it returns 0, then virStreamFinish).
 *
 * Returns: the image's MIME type (caller frees), or NULL on error.
 */
char *
virDomainScreenshot(virDomainPtr domain, virStreamPtr stream, unsigned int screen,
                    unsigned int flags)
{
    virConnectPtr conn;
    char *ret;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, NULL);
    conn = domain->conn;
    DOMAIN_CHECK_STREAM(stream, error);
    ENTRY_CHECK_READ_ONLY(conn, error);
    DOMAIN_CHECK_STREAM_CONN(domain, stream, error);
    ENTRY_DRIVER_FUNC(conn, domainScreenshot, error);
    if (!(ret = conn->driver->domainScreenshot(domain, stream, screen, flags)))
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return NULL;
}
