/* The in-memory "test" hypervisor driver (test:///default, test:///PATH.xml). */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_TEST

#include "api/domain_event.h"
#include "api/domain_export.h"
#include "api/driver.h"
#include "conf/domain_obj.h"
#include "test/test_driver.h"
#include "test/test_node.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/thread.h"
#include "util/uuid.h"

LOG_INIT("test.driver");

/*
 * Behaviour follows libvirt 9.0's test driver as observed from its public
 * API (states, reasons, events, error codes and messages); see
 * docs/test-driver.md for the list and for where we differ.
 */

/* What virConnectGetMaxVcpus answers for every type. */
#define TEST_MAX_VCPUS 32
/* virConnectGetVersion: "0.0.2" */
#define TEST_HV_VERSION 2

/*
 * One emulated host.  test:///default has a single shared instance per
 * process (refcounted by its connections); every open of a node file gets
 * its own.  Fields are immutable after creation; the list and the event
 * state do their own locking.
 */
typedef struct {
    DomainObjList *domains;
    DomainEventState *events;
    TestNode node;
} TestDriver;

/*
 * The shared test:///default instance.  A process-wide mutable global on
 * purpose: libvirt shares this state between all the connections of one
 * process, and programs rely on it.  Taken only in open and close.
 */
static Mutex testDefaultLock;
static TestDriver *testDefaultDriver;      /* protected by testDefaultLock */
static unsigned int testDefaultConns;      /* protected by testDefaultLock */

static void
testDriverFree(TestDriver *driver)
{
    if (!driver)
        return;
    domainObjListFree(driver->domains);
    domainEventStateFree(driver->events);
    g_free(driver);
}

static TestDriver *
testDriverNew(void)
{
    TestDriver *driver = g_new0(TestDriver, 1);

    driver->domains = domainObjListNew();
    driver->events = domainEventStateNew();
    return driver;
}

static TestDriver *
testDriverOpenDefault(void)
{
    TestDriver *driver = NULL;

    mutexLock(&testDefaultLock);
    if (!testDefaultDriver) {
        driver = testDriverNew();
        if (testNodeLoadDefault(&driver->node, driver->domains) < 0) {
            testDriverFree(driver);
            mutexUnlock(&testDefaultLock);
            return NULL;
        }
        testDefaultDriver = driver;
    }
    testDefaultConns++;
    driver = testDefaultDriver;
    mutexUnlock(&testDefaultLock);
    return driver;
}

static TestDriver *
testDriverOpenFile(const char *path)
{
    TestDriver *driver = testDriverNew();

    if (testNodeLoadFile(&driver->node, driver->domains, path) < 0) {
        testDriverFree(driver);
        return NULL;
    }
    return driver;
}

static void
testDriverRelease(TestDriver *driver)
{
    bool shared;

    mutexLock(&testDefaultLock);
    shared = driver == testDefaultDriver;
    if (shared && --testDefaultConns == 0)
        testDefaultDriver = NULL;
    else if (shared)
        driver = NULL;      /* still in use by other connections */
    mutexUnlock(&testDefaultLock);

    testDriverFree(driver);
}

/* ---- helpers ---- */

/* The object behind @dom, referenced and locked, or NULL + VIR_ERR_NO_DOMAIN. */
static DomainObj *
testDomObjFromDomain(virDomainPtr dom)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm = domainObjListFindByUUID(driver->domains, dom->uuid);

    if (!vm) {
        char uuidstr[VIR_UUID_STRING_BUFLEN];

        uuidFormat(dom->uuid, uuidstr);
        reportError(VIR_ERR_NO_DOMAIN,
                    _("no domain with matching uuid '%1$s' (%2$s)"),
                    uuidstr, dom->name);
    }
    return vm;
}

/* Queue a lifecycle event for @vm (locked) carrying domain id @id. */
static void
testEventQueueID(TestDriver *driver, DomainObj *vm, int id, int type,
                 int detail)
{
    domainEventStateQueue(driver->events,
                          domainEventLifecycleNew(vm->def->name,
                                                  vm->def->uuid, id,
                                                  type, detail));
}

static void
testEventQueue(TestDriver *driver, DomainObj *vm, int type, int detail)
{
    testEventQueueID(driver, vm, vm->def->id, type, detail);
}

/*
 * Make @vm (locked, inactive) run with @reason: the persistent definition
 * is kept aside, an id is assigned, a managed save image is consumed.
 */
static int
testDomainStartState(TestDriver *driver, DomainObj *vm, int reason)
{
    if (domainObjSetDefTransient(vm) < 0)
        return -1;
    domainObjListAssignID(driver->domains, vm);
    domainObjSetState(vm, VIR_DOMAIN_RUNNING, reason);
    vm->hasManagedSave = false;
    return 0;
}

/*
 * Stop @vm (locked, active): shutoff/@reason, id released, live definition
 * dropped; queue STOPPED/@detail; a transient domain leaves the list.
 * libvirt's event carries id -1 for a persistent domain and the last id
 * for a transient one; so does ours.
 */
static void
testDomainStop(TestDriver *driver, DomainObj *vm, int reason, int detail)
{
    int oldID = vm->def->id;

    domainObjListReleaseID(driver->domains, vm);
    domainObjRemoveTransientDef(vm);
    domainObjSetState(vm, VIR_DOMAIN_SHUTOFF, reason);
    testEventQueueID(driver, vm, vm->persistent ? -1 : oldID,
                     VIR_DOMAIN_EVENT_STOPPED, detail);
    if (!vm->persistent)
        domainObjListRemove(driver->domains, vm);
}

/*
 * What a guest power-off or reboot request does, per on_poweroff /
 * on_reboot: the restart actions leave it running/booted without an
 * event; every other action stops it (shutoff/shutdown, STOPPED_SHUTDOWN),
 * as libvirt's test driver does.
 */
static void
testDomainLifecycleAction(TestDriver *driver, DomainObj *vm, int action)
{
    switch (action) {
    case DOMAIN_LIFECYCLE_RESTART:
    case DOMAIN_LIFECYCLE_RESTART_RENAME:
    case DOMAIN_LIFECYCLE_COREDUMP_RESTART:
        domainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
        break;
    default:
        testDomainStop(driver, vm, VIR_DOMAIN_SHUTOFF_SHUTDOWN,
                       VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN);
        break;
    }
}

/* ---- connection ---- */

static DrvOpenStatus
testConnectOpen(virConnectPtr conn, ParsedUri *uri, virConnectAuthPtr auth,
                unsigned int flags)
{
    TestDriver *driver;

    checkFlags(flags, VIR_CONNECT_RO | VIR_CONNECT_NO_ALIASES, DRV_OPEN_ERROR);

    if (!uri || !streq(uri->scheme, "test"))
        return DRV_OPEN_DECLINED;
    /* test://HOST/... is for the remote driver. */
    if (uri->server && *uri->server)
        return DRV_OPEN_DECLINED;

    if (!uri->path || streq(uri->path, "") || streq(uri->path, "/")) {
        reportError(VIR_ERR_INVALID_ARG, "%s",
                    _("testOpen: supply a path or use test:///default"));
        return DRV_OPEN_ERROR;
    }

    if (streq(uri->path, "/default"))
        driver = testDriverOpenDefault();
    else
        driver = testDriverOpenFile(uri->path);
    if (!driver)
        return DRV_OPEN_ERROR;

    conn->privateData = driver;
    return DRV_OPEN_SUCCESS;
}

static int
testConnectClose(virConnectPtr conn)
{
    TestDriver *driver = conn->privateData;

    if (!driver)
        return 0;
    domainEventStateDeregisterConn(driver->events, conn);
    conn->privateData = NULL;
    testDriverRelease(driver);
    return 0;
}

static const char *
testConnectGetType(virConnectPtr conn)
{
    return "TEST";
}

static int
testConnectGetVersion(virConnectPtr conn, unsigned long *hvVer)
{
    *hvVer = TEST_HV_VERSION;
    return 0;
}

static int
testConnectGetLibVersion(virConnectPtr conn, unsigned long *libVer)
{
    *libVer = LIBVIR_VERSION_NUMBER;
    return 0;
}

static char *
testConnectGetHostname(virConnectPtr conn)
{
    char buf[HOST_NAME_MAX + 1];

    if (gethostname(buf, sizeof(buf)) < 0) {
        reportSystemError(errno, "%s", _("failed to determine host name"));
        return NULL;
    }
    buf[sizeof(buf) - 1] = '\0';
    return g_strdup(buf);
}

static char *
testConnectGetCapabilities(virConnectPtr conn)
{
    TestDriver *driver = conn->privateData;

    return testNodeFormatCapabilities(&driver->node);
}

static int
testConnectGetMaxVcpus(virConnectPtr conn, const char *type)
{
    return TEST_MAX_VCPUS;
}

static int
testConnectIsAlive(virConnectPtr conn)
{
    return 1;
}

static int
testConnectIsSecure(virConnectPtr conn)
{
    return 1;
}

static int
testConnectIsEncrypted(virConnectPtr conn)
{
    return 0;
}

static int
testNodeGetInfo(virConnectPtr conn, virNodeInfoPtr info)
{
    TestDriver *driver = conn->privateData;

    *info = driver->node.info;
    return 0;
}

static int
testNodeGetSecurityModel(virConnectPtr conn, virSecurityModelPtr secmodel)
{
    memset(secmodel, 0, sizeof(*secmodel));
    g_strlcpy(secmodel->model, "testSecurity", sizeof(secmodel->model));
    return 0;
}

static unsigned long long
testNodeGetFreeMemory(virConnectPtr conn)
{
    TestDriver *driver = conn->privateData;

    return driver->node.freeMemory;
}

/* ---- listing ---- */

#define TEST_LIST_FLAGS \
    (VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_INACTIVE | \
     VIR_CONNECT_LIST_DOMAINS_PERSISTENT | VIR_CONNECT_LIST_DOMAINS_TRANSIENT | \
     VIR_CONNECT_LIST_DOMAINS_RUNNING | VIR_CONNECT_LIST_DOMAINS_PAUSED | \
     VIR_CONNECT_LIST_DOMAINS_SHUTOFF | VIR_CONNECT_LIST_DOMAINS_OTHER | \
     VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE | \
     VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE | \
     VIR_CONNECT_LIST_DOMAINS_AUTOSTART | VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART | \
     VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT | \
     VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT | \
     VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT | \
     VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT)

static int
testConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains,
                          unsigned int flags)
{
    TestDriver *driver = conn->privateData;

    checkFlags(flags, TEST_LIST_FLAGS, -1);
    return domainObjListExport(driver->domains, conn, domains, flags);
}

static int
testConnectNumOfDomains(virConnectPtr conn)
{
    TestDriver *driver = conn->privateData;

    return domainObjListCountActive(driver->domains, true);
}

static int
testConnectListDomains(virConnectPtr conn, int *ids, int maxids)
{
    TestDriver *driver = conn->privateData;

    return domainObjListGetActiveIDs(driver->domains, ids, maxids);
}

static int
testConnectNumOfDefinedDomains(virConnectPtr conn)
{
    TestDriver *driver = conn->privateData;

    return domainObjListCountActive(driver->domains, false);
}

static int
testConnectListDefinedDomains(virConnectPtr conn, char **const names,
                              int maxnames)
{
    TestDriver *driver = conn->privateData;

    return domainObjListGetInactiveNames(driver->domains, names, maxnames);
}

/* ---- lookups ---- */

/* libvirt's test driver reports a lookup miss without details. */
static virDomainPtr
testDomainLookupResult(virConnectPtr conn, DomainObj *vm)
{
    virDomainPtr dom;

    if (!vm) {
        reportError(VIR_ERR_NO_DOMAIN, NULL);
        return NULL;
    }
    dom = domainObjHandleNew(conn, vm);
    domainObjEndAPI(&vm);
    return dom;
}

static virDomainPtr
testDomainLookupByName(virConnectPtr conn, const char *name)
{
    TestDriver *driver = conn->privateData;

    return testDomainLookupResult(conn,
                                  domainObjListFindByName(driver->domains,
                                                          name));
}

static virDomainPtr
testDomainLookupByUUID(virConnectPtr conn, const unsigned char *uuid)
{
    TestDriver *driver = conn->privateData;

    return testDomainLookupResult(conn,
                                  domainObjListFindByUUID(driver->domains,
                                                          uuid));
}

static virDomainPtr
testDomainLookupByID(virConnectPtr conn, int id)
{
    TestDriver *driver = conn->privateData;

    return testDomainLookupResult(conn,
                                  domainObjListFindByID(driver->domains, id));
}

/* ---- define, create, undefine ---- */

static virDomainPtr
testDomainDefineXMLFlags(virConnectPtr conn, const char *xml,
                         unsigned int flags)
{
    TestDriver *driver = conn->privateData;
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(DomainDef) oldDef = NULL;
    unsigned int parseFlags = DOMAIN_DEF_PARSE_INACTIVE;
    DomainObj *vm;
    virDomainPtr dom;

    checkFlags(flags, VIR_DOMAIN_DEFINE_VALIDATE, NULL);

    if (flags & VIR_DOMAIN_DEFINE_VALIDATE)
        parseFlags |= DOMAIN_DEF_PARSE_VALIDATE;
    if (!(def = domainDefParseString(xml, parseFlags)))
        return NULL;
    testNodeFillDefaults(def);

    if (!(vm = domainObjListAdd(driver->domains, &def, 0, &oldDef)))
        return NULL;
    /*
     * Redefining a running domain changes only its persistent definition;
     * virDomainIsUpdated reports that until the domain stops (issue #2).
     */
    if (domainObjIsActive(vm))
        vm->updated = true;

    testEventQueue(driver, vm, VIR_DOMAIN_EVENT_DEFINED,
                   oldDef ? VIR_DOMAIN_EVENT_DEFINED_UPDATED :
                            VIR_DOMAIN_EVENT_DEFINED_ADDED);
    dom = domainObjHandleNew(conn, vm);
    domainObjEndAPI(&vm);
    return dom;
}

static virDomainPtr
testDomainCreateXML(virConnectPtr conn, const char *xml, unsigned int flags)
{
    TestDriver *driver = conn->privateData;
    g_autoptr(DomainDef) def = NULL;
    unsigned int parseFlags = 0;
    DomainObj *vm;
    virDomainPtr dom = NULL;

    checkFlags(flags, VIR_DOMAIN_START_VALIDATE, NULL);

    if (flags & VIR_DOMAIN_START_VALIDATE)
        parseFlags |= DOMAIN_DEF_PARSE_VALIDATE;
    if (!(def = domainDefParseString(xml, parseFlags)))
        return NULL;
    testNodeFillDefaults(def);
    def->id = -1;   /* an id in the XML means nothing: one is assigned */

    if (!(vm = domainObjListAdd(driver->domains, &def,
                                DOMAIN_OBJ_LIST_ADD_LIVE |
                                DOMAIN_OBJ_LIST_ADD_CHECK_LIVE, NULL)))
        return NULL;

    if (testDomainStartState(driver, vm, VIR_DOMAIN_RUNNING_BOOTED) < 0) {
        if (!vm->persistent)
            domainObjListRemove(driver->domains, vm);
        goto cleanup;
    }
    testEventQueue(driver, vm, VIR_DOMAIN_EVENT_STARTED,
                   VIR_DOMAIN_EVENT_STARTED_BOOTED);
    dom = domainObjHandleNew(conn, vm);

 cleanup:
    domainObjEndAPI(&vm);
    return dom;
}

static int
testDomainUndefineFlags(virDomainPtr dom, unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                      VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA, -1);

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;

    if (vm->hasManagedSave && !(flags & VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("Refusing to undefine while domain managed save image exists"));
        goto cleanup;
    }
    vm->hasManagedSave = false;

    testEventQueue(driver, vm, VIR_DOMAIN_EVENT_UNDEFINED,
                   VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);

    if (domainObjIsActive(vm)) {
        /* It keeps running, now transient: it goes when it stops. */
        vm->persistent = false;
        g_clear_pointer(&vm->newDef, domainDefFree);
    } else {
        domainObjListRemove(driver->domains, vm);
    }
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

/* ---- lifecycle ---- */

static int
testDomainCreateWithFlags(virDomainPtr dom, unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, 0, -1);

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;

    if (domainObjIsActive(vm)) {
        reportError(VIR_ERR_INTERNAL_ERROR,
                    _("Domain '%1$s' is already running"), vm->def->name);
        goto cleanup;
    }
    if (testDomainStartState(driver, vm, VIR_DOMAIN_RUNNING_BOOTED) < 0)
        goto cleanup;
    /* libvirt updates the caller's handle in place. */
    dom->id = vm->def->id;
    testEventQueue(driver, vm, VIR_DOMAIN_EVENT_STARTED,
                   VIR_DOMAIN_EVENT_STARTED_BOOTED);
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
testDomainDestroyFlags(virDomainPtr dom, unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, VIR_DOMAIN_DESTROY_GRACEFUL, -1);

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    if (domainObjCheckActive(vm) < 0)
        goto cleanup;

    testDomainStop(driver, vm, VIR_DOMAIN_SHUTOFF_DESTROYED,
                   VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    dom->id = -1;
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
testDomainShutdownFlags(virDomainPtr dom, unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, 0, -1);

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;

    if (domainObjGetState(vm, NULL) == VIR_DOMAIN_SHUTOFF) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("domain '%1$s' not running"),
                    vm->def->name);
        goto cleanup;
    }

    testDomainLifecycleAction(driver, vm, vm->def->onPoweroff);
    if (!domainObjIsActive(vm))
        dom->id = -1;
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

#define TEST_REBOOT_FLAGS \
    (VIR_DOMAIN_REBOOT_ACPI_POWER_BTN | VIR_DOMAIN_REBOOT_GUEST_AGENT | \
     VIR_DOMAIN_REBOOT_INITCTL | VIR_DOMAIN_REBOOT_SIGNAL | \
     VIR_DOMAIN_REBOOT_PARAVIRT)

static int
testDomainReboot(virDomainPtr dom, unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, TEST_REBOOT_FLAGS, -1);

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    if (domainObjCheckActive(vm) < 0)
        goto cleanup;

    testDomainLifecycleAction(driver, vm, vm->def->onReboot);
    if (!domainObjIsActive(vm))
        dom->id = -1;
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

/* A reset changes nothing visible in libvirt's test driver. */
static int
testDomainReset(virDomainPtr dom, unsigned int flags)
{
    DomainObj *vm;
    int ret;

    checkFlags(flags, 0, -1);

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    ret = domainObjCheckActive(vm);
    domainObjEndAPI(&vm);
    return ret;
}

static int
testDomainSuspend(virDomainPtr dom)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    int ret = -1;

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;

    if (!domainObjIsActive(vm) ||
        domainObjGetState(vm, NULL) == VIR_DOMAIN_PAUSED) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("domain '%1$s' not running"),
                    vm->def->name);
        goto cleanup;
    }
    domainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    testEventQueue(driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                   VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
testDomainResume(virDomainPtr dom)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    int ret = -1;

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;

    if (domainObjGetState(vm, NULL) != VIR_DOMAIN_PAUSED) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("domain '%1$s' not paused"),
                    vm->def->name);
        goto cleanup;
    }
    domainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    testEventQueue(driver, vm, VIR_DOMAIN_EVENT_RESUMED,
                   VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

/* ---- queries ---- */

static int
testDomainGetInfo(virDomainPtr dom, virDomainInfoPtr info)
{
    DomainObj *vm;

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;

    info->state = vm->state;
    info->maxMem = vm->def->mem.total;
    info->memory = vm->def->mem.current;
    info->nrVirtCpu = vm->def->vcpus;
    /* libvirt's test driver reports the wall clock as CPU time. */
    info->cpuTime = (unsigned long long) g_get_real_time() * 1000;

    domainObjEndAPI(&vm);
    return 0;
}

static int
testDomainGetState(virDomainPtr dom, int *state, int *reason,
                   unsigned int flags)
{
    DomainObj *vm;

    checkFlags(flags, 0, -1);

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    *state = domainObjGetState(vm, reason);
    domainObjEndAPI(&vm);
    return 0;
}

static char *
testDomainGetXMLDesc(virDomainPtr dom, unsigned int flags)
{
    DomainObj *vm;
    DomainDef *def;
    unsigned int formatFlags = 0;
    char *ret;

    checkFlags(flags, VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE |
                      VIR_DOMAIN_XML_MIGRATABLE, NULL);

    if (!(vm = testDomObjFromDomain(dom)))
        return NULL;

    def = vm->def;
    if ((flags & VIR_DOMAIN_XML_INACTIVE) && vm->newDef)
        def = vm->newDef;
    if (flags & VIR_DOMAIN_XML_SECURE)
        formatFlags |= DOMAIN_DEF_FORMAT_SECURE;
    if (flags & VIR_DOMAIN_XML_INACTIVE)
        formatFlags |= DOMAIN_DEF_FORMAT_INACTIVE;
    /* MIGRATABLE is accepted; the test driver's XML has nothing to strip. */

    ret = domainDefFormat(def, formatFlags);
    domainObjEndAPI(&vm);
    return ret;
}

/* libvirt's test driver answers "linux" whatever the XML says. */
static char *
testDomainGetOSType(virDomainPtr dom)
{
    DomainObj *vm;

    if (!(vm = testDomObjFromDomain(dom)))
        return NULL;
    domainObjEndAPI(&vm);
    return g_strdup("linux");
}

static unsigned long
testDomainGetMaxMemory(virDomainPtr dom)
{
    DomainObj *vm;
    unsigned long ret;

    if (!(vm = testDomObjFromDomain(dom)))
        return 0;
    ret = vm->def->mem.total;
    domainObjEndAPI(&vm);
    return ret;
}

/*
 * Changes one definition only (LIVE and CONFIG together are refused), as
 * libvirt's test driver does.
 */
static int
testDomainSetMemoryFlags(virDomainPtr dom, unsigned long memory,
                         unsigned int flags)
{
    DomainObj *vm;
    DomainDef *def;
    bool live = false;
    int ret = -1;

    checkFlags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG |
                      VIR_DOMAIN_MEM_MAXIMUM, -1);

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    if (!(def = domainObjGetOneDefState(vm, flags, &live)))
        goto cleanup;

    if (flags & VIR_DOMAIN_MEM_MAXIMUM) {
        if (live) {
            reportError(VIR_ERR_OPERATION_INVALID, "%s",
                        _("cannot resize the maximum memory on an active domain"));
            goto cleanup;
        }
        def->mem.total = memory;
        if (def->mem.current > memory)
            def->mem.current = memory;
    } else {
        if (memory > def->mem.total) {
            reportError(VIR_ERR_INVALID_ARG, "%s",
                        _("cannot set memory higher than max memory"));
            goto cleanup;
        }
        def->mem.current = memory;
    }
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
testDomainSetMaxMemory(virDomainPtr dom, unsigned long memory)
{
    return testDomainSetMemoryFlags(dom, memory, VIR_DOMAIN_MEM_MAXIMUM);
}

static int
testDomainSetVcpusFlags(virDomainPtr dom, unsigned int nvcpus,
                        unsigned int flags)
{
    DomainObj *vm;
    DomainDef *def = NULL;
    DomainDef *persistentDef = NULL;
    int ret = -1;

    checkFlags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG |
                      VIR_DOMAIN_VCPU_MAXIMUM, -1);

    if (nvcpus == 0) {
        reportError(VIR_ERR_INVALID_ARG, "%s",
                    _("argument unsupported: nvcpus must not be zero"));
        return -1;
    }

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    if (domainObjUpdateModificationImpact(vm, &flags) < 0)
        goto cleanup;
    if ((flags & VIR_DOMAIN_VCPU_MAXIMUM) &&
        !(flags & VIR_DOMAIN_AFFECT_CONFIG)) {
        reportError(VIR_ERR_INVALID_ARG, "%s",
                    _("cannot change the maximum vcpus of a running domain"));
        goto cleanup;
    }
    if (flags & VIR_DOMAIN_AFFECT_LIVE)
        def = vm->def;
    if (flags & VIR_DOMAIN_AFFECT_CONFIG)
        persistentDef = domainObjGetPersistentDef(vm);

    if (nvcpus > TEST_MAX_VCPUS) {
        reportError(VIR_ERR_INVALID_ARG,
                    _("requested cpu amount exceeds maximum supported amount (%1$u > %2$u)"),
                    nvcpus, TEST_MAX_VCPUS);
        goto cleanup;
    }
    if (def && nvcpus > def->maxvcpus) {
        reportError(VIR_ERR_INVALID_ARG,
                    _("requested cpu amount exceeds maximum (%1$u > %2$u)"),
                    nvcpus, def->maxvcpus);
        goto cleanup;
    }
    if (persistentDef && !(flags & VIR_DOMAIN_VCPU_MAXIMUM) &&
        nvcpus > persistentDef->maxvcpus) {
        reportError(VIR_ERR_INVALID_ARG,
                    _("requested cpu amount exceeds maximum (%1$u > %2$u)"),
                    nvcpus, persistentDef->maxvcpus);
        goto cleanup;
    }

    /* The live part changes the current count only (as libvirt's). */
    if (def)
        def->vcpus = nvcpus;
    if (persistentDef) {
        if (flags & VIR_DOMAIN_VCPU_MAXIMUM) {
            persistentDef->maxvcpus = nvcpus;
            if (persistentDef->vcpus > nvcpus)
                persistentDef->vcpus = nvcpus;
        } else {
            persistentDef->vcpus = nvcpus;
        }
    }
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
testDomainGetVcpusFlags(virDomainPtr dom, unsigned int flags)
{
    DomainObj *vm;
    DomainDef *def;
    int ret = -1;

    checkFlags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG |
                      VIR_DOMAIN_VCPU_MAXIMUM, -1);

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    if (!(def = domainObjGetOneDef(vm, flags & (VIR_DOMAIN_AFFECT_LIVE |
                                                VIR_DOMAIN_AFFECT_CONFIG))))
        goto cleanup;
    if (flags & VIR_DOMAIN_VCPU_MAXIMUM)
        ret = def->maxvcpus;
    else
        ret = def->vcpus;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
testDomainGetMaxVcpus(virDomainPtr dom)
{
    return testDomainGetVcpusFlags(dom, VIR_DOMAIN_AFFECT_LIVE |
                                        VIR_DOMAIN_VCPU_MAXIMUM);
}

static int
testDomainIsActive(virDomainPtr dom)
{
    DomainObj *vm;
    int ret;

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    ret = domainObjIsActive(vm);
    domainObjEndAPI(&vm);
    return ret;
}

static int
testDomainIsPersistent(virDomainPtr dom)
{
    DomainObj *vm;
    int ret;

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    ret = vm->persistent;
    domainObjEndAPI(&vm);
    return ret;
}

static int
testDomainIsUpdated(virDomainPtr dom)
{
    DomainObj *vm;
    int ret;

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    ret = vm->updated;
    domainObjEndAPI(&vm);
    return ret;
}

static int
testDomainGetAutostart(virDomainPtr dom, int *autostart)
{
    DomainObj *vm;

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    *autostart = vm->autostart;
    domainObjEndAPI(&vm);
    return 0;
}

/* libvirt's test driver accepts autostart on transient domains too. */
static int
testDomainSetAutostart(virDomainPtr dom, int autostart)
{
    DomainObj *vm;

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    vm->autostart = autostart != 0;
    domainObjEndAPI(&vm);
    return 0;
}

static int
testDomainHasManagedSaveImage(virDomainPtr dom, unsigned int flags)
{
    DomainObj *vm;
    int ret;

    checkFlags(flags, 0, -1);

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    ret = vm->hasManagedSave;
    domainObjEndAPI(&vm);
    return ret;
}

static int
testDomainGetSecurityLabel(virDomainPtr dom, virSecurityLabelPtr seclabel)
{
    DomainObj *vm;

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;

    memset(seclabel, 0, sizeof(*seclabel));
    if (domainObjIsActive(vm)) {
        g_strlcpy(seclabel->label, "libvirt-test", sizeof(seclabel->label));
        seclabel->enforcing = 1;
    }
    domainObjEndAPI(&vm);
    return 0;
}

static char *
testDomainGetMetadata(virDomainPtr dom, int type, const char *uri,
                      unsigned int flags)
{
    DomainObj *vm;
    char *ret;

    checkFlags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, NULL);

    if (!(vm = testDomObjFromDomain(dom)))
        return NULL;
    ret = domainObjGetMetadata(vm, type, uri, flags);
    domainObjEndAPI(&vm);
    return ret;
}

static int
testDomainSetMetadata(virDomainPtr dom, int type, const char *metadata,
                      const char *key, const char *uri, unsigned int flags)
{
    DomainObj *vm;
    int ret;

    checkFlags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, -1);

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    ret = domainObjSetMetadata(vm, type, metadata, key, uri, flags);
    domainObjEndAPI(&vm);
    return ret;
}

/* ---- jobs: the test driver never runs one ---- */

static int
testDomainGetJobInfo(virDomainPtr dom, virDomainJobInfoPtr info)
{
    DomainObj *vm;

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    memset(info, 0, sizeof(*info));
    info->type = VIR_DOMAIN_JOB_NONE;
    domainObjEndAPI(&vm);
    return 0;
}

static int
testDomainGetJobStats(virDomainPtr dom, int *type,
                      virTypedParameterPtr *params, int *nparams,
                      unsigned int flags)
{
    DomainObj *vm;

    checkFlags(flags, VIR_DOMAIN_JOB_STATS_COMPLETED |
                      VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED, -1);

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    *type = VIR_DOMAIN_JOB_NONE;
    *params = NULL;
    *nparams = 0;
    domainObjEndAPI(&vm);
    return 0;
}

static int
testDomainAbortJob(virDomainPtr dom)
{
    DomainObj *vm;

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    if (domainObjCheckActive(vm) == 0)
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("no job is active on the domain"));
    domainObjEndAPI(&vm);
    return -1;
}

/* ---- events ---- */

static int
testConnectDomainEventRegister(virConnectPtr conn,
                               virConnectDomainEventCallback cb,
                               void *opaque, virFreeCallback freecb)
{
    TestDriver *driver = conn->privateData;

    if (domainEventStateRegisterLegacy(driver->events, conn, cb, opaque,
                                       freecb) < 0)
        return -1;
    return 0;
}

static int
testConnectDomainEventDeregister(virConnectPtr conn,
                                 virConnectDomainEventCallback cb)
{
    TestDriver *driver = conn->privateData;

    if (domainEventStateDeregisterLegacy(driver->events, conn, cb) < 0)
        return -1;
    return 0;
}

static int
testConnectDomainEventRegisterAny(virConnectPtr conn, virDomainPtr dom,
                                  int eventID,
                                  virConnectDomainEventGenericCallback cb,
                                  void *opaque, virFreeCallback freecb)
{
    TestDriver *driver = conn->privateData;

    return domainEventStateRegisterAny(driver->events, conn, dom, eventID,
                                       cb, opaque, freecb);
}

static int
testConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID)
{
    TestDriver *driver = conn->privateData;

    if (domainEventStateDeregisterAny(driver->events, conn, callbackID) < 0)
        return -1;
    return 0;
}

/* ---- registration ---- */

static HypervisorDriver testHypervisorDriver = {
    .name = "Test",
    .connectOpen = testConnectOpen,
    .connectClose = testConnectClose,
    .connectGetType = testConnectGetType,
    .connectGetVersion = testConnectGetVersion,
    .connectGetLibVersion = testConnectGetLibVersion,
    .connectGetHostname = testConnectGetHostname,
    .connectGetCapabilities = testConnectGetCapabilities,
    .connectGetMaxVcpus = testConnectGetMaxVcpus,
    .connectIsAlive = testConnectIsAlive,
    .connectIsSecure = testConnectIsSecure,
    .connectIsEncrypted = testConnectIsEncrypted,
    .nodeGetInfo = testNodeGetInfo,
    .nodeGetSecurityModel = testNodeGetSecurityModel,
    .nodeGetFreeMemory = testNodeGetFreeMemory,
    .connectListAllDomains = testConnectListAllDomains,
    .connectNumOfDomains = testConnectNumOfDomains,
    .connectListDomains = testConnectListDomains,
    .connectNumOfDefinedDomains = testConnectNumOfDefinedDomains,
    .connectListDefinedDomains = testConnectListDefinedDomains,
    .domainLookupByName = testDomainLookupByName,
    .domainLookupByUUID = testDomainLookupByUUID,
    .domainLookupByID = testDomainLookupByID,
    .domainDefineXMLFlags = testDomainDefineXMLFlags,
    .domainUndefineFlags = testDomainUndefineFlags,
    .domainCreateWithFlags = testDomainCreateWithFlags,
    .domainCreateXML = testDomainCreateXML,
    .domainDestroyFlags = testDomainDestroyFlags,
    .domainShutdownFlags = testDomainShutdownFlags,
    .domainReboot = testDomainReboot,
    .domainReset = testDomainReset,
    .domainSuspend = testDomainSuspend,
    .domainResume = testDomainResume,
    .domainGetInfo = testDomainGetInfo,
    .domainGetState = testDomainGetState,
    .domainGetXMLDesc = testDomainGetXMLDesc,
    .domainGetOSType = testDomainGetOSType,
    .domainGetMaxMemory = testDomainGetMaxMemory,
    .domainSetMemoryFlags = testDomainSetMemoryFlags,
    .domainSetMaxMemory = testDomainSetMaxMemory,
    .domainSetVcpusFlags = testDomainSetVcpusFlags,
    .domainGetVcpusFlags = testDomainGetVcpusFlags,
    .domainGetMaxVcpus = testDomainGetMaxVcpus,
    .domainIsActive = testDomainIsActive,
    .domainIsPersistent = testDomainIsPersistent,
    .domainIsUpdated = testDomainIsUpdated,
    .domainGetAutostart = testDomainGetAutostart,
    .domainSetAutostart = testDomainSetAutostart,
    .domainHasManagedSaveImage = testDomainHasManagedSaveImage,
    .domainGetSecurityLabel = testDomainGetSecurityLabel,
    .domainGetMetadata = testDomainGetMetadata,
    .domainSetMetadata = testDomainSetMetadata,
    .domainGetJobInfo = testDomainGetJobInfo,
    .domainGetJobStats = testDomainGetJobStats,
    .domainAbortJob = testDomainAbortJob,
    .connectDomainEventRegister = testConnectDomainEventRegister,
    .connectDomainEventDeregister = testConnectDomainEventDeregister,
    .connectDomainEventRegisterAny = testConnectDomainEventRegisterAny,
    .connectDomainEventDeregisterAny = testConnectDomainEventDeregisterAny,
};

static const char *const testUriSchemes[] = { "test", NULL };

static ConnectDriver testConnectDriver = {
    .name = "Test",
    .uriSchemes = testUriSchemes,
    .embeddable = true,
    .hypervisor = &testHypervisorDriver,
};

/**
 * testDriverRegister:
 *
 * Registers the test driver (scheme "test").  Called once by
 * driversRegisterAll().
 *
 * Returns: 0, or -1 with an error.
 */
int
testDriverRegister(void)
{
    return driverRegister(&testConnectDriver);
}
