/* A minimal in-process driver for the API tests: "mock:///" and "mockempty:///". */
#include <string.h>

#define ERR_DOMAIN VIR_FROM_TEST
#include "mockdriver.h"
#include "util/error.h"
#include "util/uuid.h"

static DomainEventState *mockEvents;
static unsigned char mockUUID[VIR_UUID_BUFLEN];
/* Last flags seen by a driver entry; atomic, as apiopentest opens from many threads. */
static guint mockLastFlags;
static gint mockCloses;

static DrvOpenStatus
mockConnectOpen(virConnectPtr conn, ParsedUri *uri, virConnectAuthPtr auth,
                unsigned int flags)
{
    g_atomic_int_set(&mockLastFlags, flags);
    if (uri->server)
        return DRV_OPEN_DECLINED;
    return DRV_OPEN_SUCCESS;
}

static DrvOpenStatus
mockDeclineOpen(virConnectPtr conn, ParsedUri *uri, virConnectAuthPtr auth,
                unsigned int flags)
{
    return DRV_OPEN_DECLINED;
}

static DrvOpenStatus
mockFailOpen(virConnectPtr conn, ParsedUri *uri, virConnectAuthPtr auth,
             unsigned int flags)
{
    reportError(VIR_ERR_OPERATION_FAILED, "%s", "mock refuses");
    return DRV_OPEN_ERROR;
}

static int
mockConnectClose(virConnectPtr conn)
{
    domainEventStateDeregisterConn(mockEvents, conn);
    g_atomic_int_inc(&mockCloses);
    return 0;
}

static virDomainPtr
mockDomain(virConnectPtr conn)
{
    return domainHandleNew(conn, "mock", mockUUID, 1);
}

static int
mockInt(virConnectPtr conn)
{
    return 1;
}

static int
mockDomInt(virDomainPtr dom)
{
    return 1;
}

static int
mockDomFlags(virDomainPtr dom, unsigned int flags)
{
    g_atomic_int_set(&mockLastFlags, flags);
    return 0;
}

static const char *
mockGetType(virConnectPtr conn)
{
    return "MOCK";
}

static int
mockGetVersion(virConnectPtr conn, unsigned long *ver)
{
    *ver = 1002003;
    return 0;
}

static char *
mockGetHostname(virConnectPtr conn)
{
    return g_strdup("mockhost");
}

static char *
mockGetCaps(virConnectPtr conn)
{
    return g_strdup("<capabilities/>");
}

static int
mockGetMaxVcpus(virConnectPtr conn, const char *type)
{
    return 8;
}

static int
mockNodeGetInfo(virConnectPtr conn, virNodeInfoPtr info)
{
    g_strlcpy(info->model, "mock", sizeof(info->model));
    info->cpus = 2;
    return 0;
}

static int
mockNodeGetSecurityModel(virConnectPtr conn, virSecurityModelPtr model)
{
    return 0;
}

static unsigned long long
mockNodeGetFreeMemory(virConnectPtr conn)
{
    return 4096;
}

static int
mockListAllDomains(virConnectPtr conn, virDomainPtr **domains,
                   unsigned int flags)
{
    g_atomic_int_set(&mockLastFlags, flags);
    if (domains) {
        *domains = g_new0(virDomainPtr, 2);
        (*domains)[0] = mockDomain(conn);
    }
    return 1;
}

static int
mockListDomains(virConnectPtr conn, int *ids, int maxids)
{
    if (maxids < 1)
        return 0;
    ids[0] = 1;
    return 1;
}

static int
mockNumOfDefined(virConnectPtr conn)
{
    return 0;
}

static int
mockListDefined(virConnectPtr conn, char **const names, int maxnames)
{
    return 0;
}

static virDomainPtr
mockLookupByName(virConnectPtr conn, const char *name)
{
    if (!g_str_equal(name, "mock")) {
        reportError(VIR_ERR_NO_DOMAIN, _("no domain with matching name '%1$s'"),
                    name);
        return NULL;
    }
    return mockDomain(conn);
}

static virDomainPtr
mockLookupByUUID(virConnectPtr conn, const unsigned char *uuid)
{
    if (memcmp(uuid, mockUUID, VIR_UUID_BUFLEN) != 0) {
        reportError(VIR_ERR_NO_DOMAIN, "%s", "no domain with matching uuid");
        return NULL;
    }
    return mockDomain(conn);
}

static virDomainPtr
mockLookupByID(virConnectPtr conn, int id)
{
    if (id != 1) {
        reportError(VIR_ERR_NO_DOMAIN, _("no domain with matching id %1$d"), id);
        return NULL;
    }
    return mockDomain(conn);
}

static virDomainPtr
mockDefineXML(virConnectPtr conn, const char *xml, unsigned int flags)
{
    g_atomic_int_set(&mockLastFlags, flags);
    return mockDomain(conn);
}

static int
mockGetInfo(virDomainPtr dom, virDomainInfoPtr info)
{
    info->state = VIR_DOMAIN_RUNNING;
    info->nrVirtCpu = 1;
    return 0;
}

static int
mockGetState(virDomainPtr dom, int *state, int *reason, unsigned int flags)
{
    *state = VIR_DOMAIN_RUNNING;
    *reason = VIR_DOMAIN_RUNNING_BOOTED;
    return 0;
}

static char *
mockGetXMLDesc(virDomainPtr dom, unsigned int flags)
{
    g_atomic_int_set(&mockLastFlags, flags);
    return g_strdup("<domain/>");
}

static char *
mockGetOSType(virDomainPtr dom)
{
    return g_strdup("hvm");
}

static unsigned long
mockGetMaxMemory(virDomainPtr dom)
{
    return 1024;
}

static int
mockSetMemoryFlags(virDomainPtr dom, unsigned long memory, unsigned int flags)
{
    g_atomic_int_set(&mockLastFlags, flags);
    return 0;
}

static int
mockSetMaxMemory(virDomainPtr dom, unsigned long memory)
{
    return 0;
}

static int
mockSetVcpusFlags(virDomainPtr dom, unsigned int nvcpus, unsigned int flags)
{
    g_atomic_int_set(&mockLastFlags, flags);
    return 0;
}

static int
mockGetVcpusFlags(virDomainPtr dom, unsigned int flags)
{
    g_atomic_int_set(&mockLastFlags, flags);
    return 1;
}

static int
mockGetAutostart(virDomainPtr dom, int *autostart)
{
    *autostart = 0;
    return 0;
}

static int
mockSetAutostart(virDomainPtr dom, int autostart)
{
    return 0;
}

static int
mockGetSecurityLabel(virDomainPtr dom, virSecurityLabelPtr label)
{
    return 0;
}

static char *
mockGetMetadata(virDomainPtr dom, int type, const char *uri,
                unsigned int flags)
{
    return g_strdup("meta");
}

static int
mockSetMetadata(virDomainPtr dom, int type, const char *metadata,
                const char *key, const char *uri, unsigned int flags)
{
    return 0;
}

static int
mockGetJobInfo(virDomainPtr dom, virDomainJobInfoPtr info)
{
    info->type = VIR_DOMAIN_JOB_NONE;
    return 0;
}

static int
mockGetJobStats(virDomainPtr dom, int *type, virTypedParameterPtr *params,
                int *nparams, unsigned int flags)
{
    *type = VIR_DOMAIN_JOB_NONE;
    *params = NULL;
    *nparams = 0;
    return 0;
}

static int
mockEventRegister(virConnectPtr conn, virConnectDomainEventCallback cb,
                  void *opaque, virFreeCallback freecb)
{
    return domainEventStateRegisterLegacy(mockEvents, conn, cb, opaque, freecb);
}

static int
mockEventDeregister(virConnectPtr conn, virConnectDomainEventCallback cb)
{
    return domainEventStateDeregisterLegacy(mockEvents, conn, cb);
}

static int
mockEventRegisterAny(virConnectPtr conn, virDomainPtr dom, int eventID,
                     virConnectDomainEventGenericCallback cb, void *opaque,
                     virFreeCallback freecb)
{
    return domainEventStateRegisterAny(mockEvents, conn, dom, eventID, cb,
                                       opaque, freecb);
}

static int
mockEventDeregisterAny(virConnectPtr conn, int callbackID)
{
    return domainEventStateDeregisterAny(mockEvents, conn, callbackID);
}

static HypervisorDriver mockHypervisor = {
    .name = "Mock",
    .connectOpen = mockConnectOpen,
    .connectClose = mockConnectClose,
    .connectGetType = mockGetType,
    .connectGetVersion = mockGetVersion,
    .connectGetHostname = mockGetHostname,
    .connectGetCapabilities = mockGetCaps,
    .connectGetMaxVcpus = mockGetMaxVcpus,
    .connectIsAlive = mockInt,
    .connectIsSecure = mockInt,
    .connectIsEncrypted = mockInt,
    .nodeGetInfo = mockNodeGetInfo,
    .nodeGetSecurityModel = mockNodeGetSecurityModel,
    .nodeGetFreeMemory = mockNodeGetFreeMemory,
    .connectListAllDomains = mockListAllDomains,
    .connectNumOfDomains = mockInt,
    .connectListDomains = mockListDomains,
    .connectNumOfDefinedDomains = mockNumOfDefined,
    .connectListDefinedDomains = mockListDefined,
    .domainLookupByName = mockLookupByName,
    .domainLookupByUUID = mockLookupByUUID,
    .domainLookupByID = mockLookupByID,
    .domainDefineXMLFlags = mockDefineXML,
    .domainUndefineFlags = mockDomFlags,
    .domainCreateWithFlags = mockDomFlags,
    .domainCreateXML = mockDefineXML,
    .domainDestroyFlags = mockDomFlags,
    .domainShutdownFlags = mockDomFlags,
    .domainReboot = mockDomFlags,
    .domainReset = mockDomFlags,
    .domainSuspend = mockDomInt,
    .domainResume = mockDomInt,
    .domainGetInfo = mockGetInfo,
    .domainGetState = mockGetState,
    .domainGetXMLDesc = mockGetXMLDesc,
    .domainGetOSType = mockGetOSType,
    .domainGetMaxMemory = mockGetMaxMemory,
    .domainSetMemoryFlags = mockSetMemoryFlags,
    .domainSetMaxMemory = mockSetMaxMemory,
    .domainSetVcpusFlags = mockSetVcpusFlags,
    .domainGetVcpusFlags = mockGetVcpusFlags,
    .domainGetMaxVcpus = mockDomInt,
    .domainIsActive = mockDomInt,
    .domainIsPersistent = mockDomInt,
    .domainIsUpdated = mockDomInt,
    .domainGetAutostart = mockGetAutostart,
    .domainSetAutostart = mockSetAutostart,
    .domainHasManagedSaveImage = mockDomFlags,
    .domainGetSecurityLabel = mockGetSecurityLabel,
    .domainGetMetadata = mockGetMetadata,
    .domainSetMetadata = mockSetMetadata,
    .domainGetJobInfo = mockGetJobInfo,
    .domainGetJobStats = mockGetJobStats,
    .domainAbortJob = mockDomInt,
    .connectDomainEventRegister = mockEventRegister,
    .connectDomainEventDeregister = mockEventDeregister,
    .connectDomainEventRegisterAny = mockEventRegisterAny,
    .connectDomainEventDeregisterAny = mockEventDeregisterAny,
};

static HypervisorDriver mockEmptyHypervisor = {
    .name = "MockEmpty",
    .connectOpen = mockConnectOpen,
};

static HypervisorDriver mockDeclineHypervisor = {
    .name = "MockDecline",
    .connectOpen = mockDeclineOpen,
};

static HypervisorDriver mockFailHypervisor = {
    .name = "MockFail",
    .connectOpen = mockFailOpen,
};

static const char *const mockSchemes[] = { "mock", NULL };
static const char *const mockEmptySchemes[] = { "mockempty", NULL };
static const char *const mockDeclineSchemes[] = { "mockdecline", NULL };
static const char *const mockFailSchemes[] = { "mockfail", NULL };

static ConnectDriver mockDrivers[] = {
    { "Mock", mockSchemes, true, &mockHypervisor },
    { "MockEmpty", mockEmptySchemes, false, &mockEmptyHypervisor },
    { "MockDecline", mockDeclineSchemes, false, &mockDeclineHypervisor },
    { "MockFail", mockFailSchemes, false, &mockFailHypervisor },
};

/**
 * mockDriverRegister:
 *
 * Initialises the library and registers the mock drivers (once).
 */
void
mockDriverRegister(void)
{
    static gsize once;
    size_t i;

    if (!g_once_init_enter(&once))
        return;
    g_assert_cmpint(virInitialize(), ==, 0);
    g_assert_cmpint(uuidParse(MOCK_UUID_STR, mockUUID), ==, 0);
    mockEvents = domainEventStateNew();
    for (i = 0; i < G_N_ELEMENTS(mockDrivers); i++)
        g_assert_cmpint(driverRegister(&mockDrivers[i]), >=, 0);
    g_once_init_leave(&once, 1);
}

/**
 * mockDriverEvents:
 *
 * Returns: the event state of mock:/// connections.
 */
DomainEventState *
mockDriverEvents(void)
{
    return mockEvents;
}

/**
 * mockDriverUUID:
 *
 * Returns: the raw UUID of the domain "mock".
 */
const unsigned char *
mockDriverUUID(void)
{
    return mockUUID;
}

/**
 * mockDriverLastFlags:
 *
 * Returns: the flags argument of the last driver entry that took one.
 */
unsigned int
mockDriverLastFlags(void)
{
    return (unsigned int)g_atomic_int_get(&mockLastFlags);
}

/**
 * mockDriverCloses:
 *
 * Returns: how many mock connections the driver closed.
 */
int
mockDriverCloses(void)
{
    return g_atomic_int_get(&mockCloses);
}
