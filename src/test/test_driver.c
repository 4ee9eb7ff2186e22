/* The in-memory "test" hypervisor driver (test:///default, test:///PATH.xml). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_TEST

#include "api/domain_event.h"
#include "api/domain_export.h"
#include "api/domain_stats.h"
#include "api/daemon_mode.h"
#include "api/driver.h"
#include "api/fdstream.h"
#include "api/libvirt-migrate.h"
#include "conf/domain_obj.h"
#include "migration/migration.h"
#include "test/test_driver.h"
#include "test/test_miglink.h"
#include "test/test_node.h"
#include "test/test_save.h"
#include "test/test_screenshot.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/thread.h"
#include "util/uuid.h"
#include "util/xml.h"

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
    unsigned char hostUUID[VIR_UUID_BUFLEN];  /* distinct per host (migration) */
    GMutex migLock;              /* protects the two tables below */
    GHashTable *migrations;      /* uuid string -> TestMig (per domain lock) */
    GHashTable *migSettings;     /* uuid string -> TestMigSettings */
    MigTimer *migTimer;          /* the TIMEOUT watchdog; created under migLock */
} TestDriver;

/* The host UUID of test:///default (each node file gets a random one). */
#define TEST_DEFAULT_HOST_UUID "9aa8a4b4-5b3f-4d2c-8f1e-7a6b5c4d3e2f"

static void testMigFreeVoid(gpointer mig);
static void testMigConnClosed(TestDriver *driver, virConnectPtr conn);

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
    /* first: waits for a watchdog run, which locks domains */
    migrationTimerFree(driver->migTimer);
    domainEventStateFree(driver->events);
    g_hash_table_destroy(driver->migrations);
    g_hash_table_destroy(driver->migSettings);
    g_mutex_clear(&driver->migLock);
    g_free(driver);
}

static TestDriver *
testDriverNew(void)
{
    TestDriver *driver = g_new0(TestDriver, 1);

    driver->domains = domainObjListNew();
    driver->events = domainEventStateNew();
    uuidGenerate(driver->hostUUID);
    g_mutex_init(&driver->migLock);
    driver->migrations = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                               testMigFreeVoid);
    driver->migSettings = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                g_free, g_free);
    return driver;
}

static TestDriver *
testDriverOpenDefault(void)
{
    TestDriver *driver = NULL;

    mutexLock(&testDefaultLock);
    if (!testDefaultDriver) {
        driver = testDriverNew();
        /* in virtkitd: the host_uuid of its config, if set (two daemons, two hosts) */
        if (!daemonModeGetHostUUID() ||
            uuidParse(daemonModeGetHostUUID(), driver->hostUUID) < 0)
            uuidParse(TEST_DEFAULT_HOST_UUID, driver->hostUUID);
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
    testMigConnClosed(driver, conn);
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
testConnectListAllDomainRecords(virConnectPtr conn, unsigned int flags,
                                DomainRecords **records)
{
    TestDriver *driver = conn->privateData;

    /* Unknown flags: the very error of testConnectListAllDomains. */
    if (flags & ~(unsigned int)TEST_LIST_FLAGS)
        return testConnectListAllDomains(conn, NULL, flags);
    return domainObjListExportRecords(driver->domains, flags, records);
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

/* ---- statistics (issue 7): the values libvirt 9.0's test driver gives ---- */

/* Wall clock in µs and s: libvirt's test driver derives its counters from it. */
static void
testStatsBase(unsigned long long *retUs, long long *retSec)
{
    gint64 now = g_get_real_time();

    *retUs = (unsigned long long)now;
    *retSec = now / G_USEC_PER_SEC;
}

static int
testDomainGetVcpus(virDomainPtr dom, virVcpuInfoPtr info, int maxinfo,
                   unsigned char *cpumaps, int maplen)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    unsigned long long base;
    long long sec;
    int hostcpus;
    int n;
    int i;
    int c;

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    if (!domainObjIsActive(vm)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("cannot list vcpus for an inactive domain"));
        domainObjEndAPI(&vm);
        return -1;
    }
    testStatsBase(&base, &sec);
    hostcpus = (int)(driver->node.info.nodes * driver->node.info.sockets *
                     driver->node.info.cores * driver->node.info.threads);
    n = MIN(maxinfo, (int)vm->def->vcpus);
    for (i = 0; i < n; i++) {
        info[i].number = i;
        info[i].state = VIR_VCPU_RUNNING;
        info[i].cpu = hostcpus - 1;     /* the last host CPU, as libvirt's */
        info[i].cpuTime = base / 10;
        if (cpumaps) {
            /* Every host CPU usable. */
            for (c = 0; c < hostcpus && c / 8 < maplen; c++)
                VIR_USE_CPU(VIR_GET_CPUMAP(cpumaps, maplen, i), c);
        }
    }
    domainObjEndAPI(&vm);
    return n;
}

/* libvirt 9.0's test driver: 8 CPUs, of which 0, 2 and 4 are online. */
static int
testNodeGetCPUMap(virConnectPtr conn, unsigned char **cpumap, unsigned int *online,
                  unsigned int flags)
{
    checkFlags(flags, 0, -1);
    if (cpumap) {
        *cpumap = g_new0(unsigned char, 1);
        (*cpumap)[0] = 0x15;
    }
    if (online)
        *online = 3;
    return 8;
}

/* Looks @vm up for a statistics call: active, locked.  NULL with an error. */
static DomainObj *
testStatsDomain(virDomainPtr dom)
{
    DomainObj *vm;

    if (!(vm = testDomObjFromDomain(dom)))
        return NULL;
    if (domainObjCheckActive(vm) < 0) {
        domainObjEndAPI(&vm);
        return NULL;
    }
    return vm;
}

static int
testDomainBlockStats(virDomainPtr dom, const char *disk, virDomainBlockStatsPtr stats)
{
    DomainObj *vm;
    unsigned long long base;
    long long sec;

    if (!*disk) {
        reportError(VIR_ERR_OPERATION_UNSUPPORTED, "%s", _("summary statistics are not supported yet"));
        return -1;
    }
    if (!(vm = testStatsDomain(dom)))
        return -1;
    if (!domainStatsFindDisk(vm->def, disk)) {
        reportError(VIR_ERR_INVALID_ARG, _("invalid path: %1$s"), disk);
        domainObjEndAPI(&vm);
        return -1;
    }
    domainObjEndAPI(&vm);
    testStatsBase(&base, &sec);
    stats->rd_req = base / 10;
    stats->rd_bytes = base / 20;
    stats->wr_req = base / 30;
    stats->wr_bytes = base / 40;
    stats->errs = sec / 2;
    return 0;
}

static int
testDomainInterfaceStats(virDomainPtr dom, const char *device,
                         virDomainInterfaceStatsPtr stats)
{
    DomainObj *vm;
    unsigned long long base;
    long long sec;

    if (!(vm = testStatsDomain(dom)))
        return -1;
    if (!domainStatsFindNet(vm->def, device)) {
        errorReport(VIR_FROM_DOMAIN, VIR_ERR_INVALID_ARG, __FILE__, __func__, __LINE__,
                    _("'%1$s' is not a known interface"), device);
        domainObjEndAPI(&vm);
        return -1;
    }
    domainObjEndAPI(&vm);
    testStatsBase(&base, &sec);
    stats->rx_bytes = base / 10;
    stats->rx_packets = base / 100;
    stats->rx_errs = sec;
    stats->rx_drop = sec / 2;
    stats->tx_bytes = base / 20;
    stats->tx_packets = base / 110;
    stats->tx_errs = sec / 3;
    stats->tx_drop = sec / 4;
    return 0;
}

static int
testDomainMemoryStats(virDomainPtr dom, virDomainMemoryStatPtr stats, unsigned int nr_stats,
                      unsigned int flags)
{
    DomainObj *vm;
    unsigned long long cur;
    const struct {
        int tag;
        unsigned long long div;     /* 0: the constant below */
        unsigned long long val;
    } table[] = {
        { VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON, 1, 0 },
        { VIR_DOMAIN_MEMORY_STAT_SWAP_IN, 0, 0 },
        { VIR_DOMAIN_MEMORY_STAT_SWAP_OUT, 0, 0 },
        { VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT, 0, 0 },
        { VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT, 0, 0 },
        { VIR_DOMAIN_MEMORY_STAT_UNUSED, 2, 0 },
        { VIR_DOMAIN_MEMORY_STAT_AVAILABLE, 1, 0 },
        { VIR_DOMAIN_MEMORY_STAT_USABLE, 2, 0 },
        { VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE, 0, 627319920 },
        { VIR_DOMAIN_MEMORY_STAT_DISK_CACHES, 8, 0 },
        { VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC, 0, 0 },
        { VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL, 0, 0 },
        { VIR_DOMAIN_MEMORY_STAT_RSS, 2, 0 },
    };
    unsigned int i;

    checkFlags(flags, 0, -1);
    if (!(vm = testStatsDomain(dom)))
        return -1;
    cur = vm->def->mem.current;
    domainObjEndAPI(&vm);
    for (i = 0; i < nr_stats && i < G_N_ELEMENTS(table); i++) {
        stats[i].tag = table[i].tag;
        stats[i].val = table[i].div ? cur / table[i].div : table[i].val;
    }
    return (int)i;
}

static int
testDomainGetBlockInfo(virDomainPtr dom, const char *disk, virDomainBlockInfoPtr info,
                       unsigned int flags)
{
    DomainObj *vm;

    checkFlags(flags, 0, -1);
    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    if (!domainStatsFindDisk(vm->def, disk)) {
        reportError(VIR_ERR_INVALID_ARG, _("invalid path %1$s not assigned to domain"), disk);
        domainObjEndAPI(&vm);
        return -1;
    }
    domainObjEndAPI(&vm);
    /* libvirt's test driver: a 1 TiB volume, fully allocated. */
    info->capacity = 1099506450432ULL;
    info->allocation = 1099511627776ULL;
    info->physical = 1099511627776ULL;
    return 0;
}

/* libvirt 9.0's test driver has the "state" group only. */
static int
testStatsFill(DomainObj *vm, unsigned int stats, virTypedParameterPtr *params, int *nparams,
              int *maxparams, void *opaque)
{
    int reason = 0;
    int state = domainObjGetState(vm, &reason);

    if (!(stats & VIR_DOMAIN_STATS_STATE))
        return 0;
    if (virTypedParamsAddInt(params, nparams, maxparams, "state.state", state) < 0 ||
        virTypedParamsAddInt(params, nparams, maxparams, "state.reason", reason) < 0)
        return -1;
    return 0;
}

static int
testConnectGetAllDomainStats(virConnectPtr conn, virDomainPtr *doms, unsigned int ndoms,
                             unsigned int stats, virDomainStatsRecordPtr **retStats,
                             unsigned int flags)
{
    TestDriver *driver = conn->privateData;

    checkFlags(flags, DOMAIN_STATS_FLAGS, -1);
    if (domainStatsCheckGroups(VIR_FROM_TEST, &stats, VIR_DOMAIN_STATS_STATE, flags) < 0)
        return -1;
    return domainStatsCollect(driver->domains, conn, doms, ndoms, stats, flags, testStatsFill,
                              NULL, retStats);
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

/*
 * As libvirt's test driver: any domain, running or not, any screen, shows
 * the same fixed PNG image (ours, src/test/test_screenshot.c), read from
 * an anonymous memory file so that the stream is an ordinary fd stream.
 */
static char *
testDomainScreenshot(virDomainPtr dom, virStreamPtr st, unsigned int screen G_GNUC_UNUSED,
                     unsigned int flags)
{
    DomainObj *vm;
    int fd;

    checkFlags(flags, 0, NULL);
    if (!(vm = testDomObjFromDomain(dom)))
        return NULL;
    domainObjEndAPI(&vm);

    if ((fd = memfd_create("virtkit-test-screenshot", MFD_CLOEXEC)) < 0) {
        reportSystemError(errno, "%s", _("cannot create the screenshot file"));
        return NULL;
    }
    if (write(fd, testScreenshotPNG, testScreenshotPNGSize) != (ssize_t)testScreenshotPNGSize ||
        lseek(fd, 0, SEEK_SET) != 0) {
        reportSystemError(errno, "%s", _("cannot write the screenshot file"));
        close(fd);
        return NULL;
    }
    {
        /* Read-only, as libvirt opens its image: data a client sends fails. */
        g_autofree char *path = g_strdup_printf("/proc/self/fd/%d", fd);
        int rdfd = open(path, O_RDONLY | O_CLOEXEC);

        close(fd);
        if (rdfd < 0) {
            reportSystemError(errno, "%s", _("cannot open the screenshot file"));
            return NULL;
        }
        fd = rdfd;
    }
    if (fdStreamOpen(st, fd, NULL, NULL) < 0)
        return NULL;
    return g_strdup("image/png");
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

/* ---- save / restore (issue #6) ---- */

/*
 * As libvirt's test driver: the state goes to a file (our own layout,
 * test/test_save.c), the domain stops (shutoff/saved, STOPPED_SAVED) and
 * a restore starts it again (running/restored, STARTED_RESTORED).  The
 * flags and XML replacement are refused as libvirt's test driver refuses
 * them; a restore always leaves the domain running, as libvirt's does.
 */

static int
testSaveCheckDxml(const char *dxml)
{
    if (dxml) {
        reportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                    _("xml modification unsupported"));
        return -1;
    }
    return 0;
}

static int
testDomainSaveFlags(virDomainPtr dom, const char *to, const char *dxml,
                    unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    g_autofree char *xml = NULL;
    DomainObj *vm;
    bool running;
    int ret = -1;

    checkFlags(flags, 0, -1);
    if (testSaveCheckDxml(dxml) < 0)
        return -1;
    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    if (domainObjCheckActive(vm) < 0)
        goto cleanup;

    running = domainObjGetState(vm, NULL) != VIR_DOMAIN_PAUSED;
    if (!(xml = domainDefFormat(vm->def, DOMAIN_DEF_FORMAT_SECURE)))
        goto cleanup;
    if (testSaveImageWrite(to, xml, running) < 0) {
        errorPrefix(_("saving domain '%1$s' to '%2$s'"), vm->def->name, to);
        goto cleanup;
    }
    testDomainStop(driver, vm, VIR_DOMAIN_SHUTOFF_SAVED,
                   VIR_DOMAIN_EVENT_STOPPED_SAVED);
    dom->id = -1;
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
testDomainRestoreFlags(virConnectPtr conn, const char *from, const char *dxml,
                       unsigned int flags)
{
    TestDriver *driver = conn->privateData;
    g_autofree char *xml = NULL;
    g_autoptr(DomainDef) def = NULL;
    DomainObj *vm;
    bool running;
    int ret = -1;

    checkFlags(flags, 0, -1);
    if (testSaveCheckDxml(dxml) < 0)
        return -1;
    if (testSaveImageRead(from, &xml, &running) < 0)
        return -1;
    if (!(def = domainDefParseString(xml, 0)))
        return -1;
    testNodeFillDefaults(def);
    def->id = -1;

    if (!(vm = domainObjListAdd(driver->domains, &def,
                                DOMAIN_OBJ_LIST_ADD_LIVE |
                                DOMAIN_OBJ_LIST_ADD_CHECK_LIVE, NULL)))
        return -1;
    if (testDomainStartState(driver, vm, VIR_DOMAIN_RUNNING_RESTORED) < 0) {
        if (!vm->persistent)
            domainObjListRemove(driver->domains, vm);
        goto cleanup;
    }
    testEventQueue(driver, vm, VIR_DOMAIN_EVENT_STARTED,
                   VIR_DOMAIN_EVENT_STARTED_RESTORED);
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static char *
testDomainSaveImageGetXMLDesc(virConnectPtr conn, const char *file,
                              unsigned int flags)
{
    g_autofree char *xml = NULL;
    g_autoptr(DomainDef) def = NULL;
    unsigned int formatFlags = DOMAIN_DEF_FORMAT_INACTIVE;
    bool running;

    checkFlags(flags, VIR_DOMAIN_SAVE_IMAGE_XML_SECURE, NULL);
    if (testSaveImageRead(file, &xml, &running) < 0)
        return NULL;
    if (!(def = domainDefParseString(xml, 0)))
        return NULL;
    if (flags & VIR_DOMAIN_SAVE_IMAGE_XML_SECURE)
        formatFlags |= DOMAIN_DEF_FORMAT_SECURE;
    return domainDefFormat(def, formatFlags);
}

/* Replaces the image's XML (and, with RUNNING/PAUSED, its run state). */
static int
testDomainSaveImageDefineXML(virConnectPtr conn, const char *file,
                             const char *dxml, unsigned int flags)
{
    g_autofree char *oldXml = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *tmp = NULL;
    g_autoptr(DomainDef) def = NULL;
    bool running;

    checkFlags(flags, VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED, -1);
    if (testSaveImageRead(file, &oldXml, &running) < 0)
        return -1;
    if (!(def = domainDefParseString(dxml, 0)))
        return -1;
    testNodeFillDefaults(def);
    if (flags & VIR_DOMAIN_SAVE_RUNNING)
        running = true;
    else if (flags & VIR_DOMAIN_SAVE_PAUSED)
        running = false;
    if (!(xml = domainDefFormat(def, DOMAIN_DEF_FORMAT_SECURE)))
        return -1;
    /* a failed write must not destroy the image: write aside, then rename */
    tmp = g_strdup_printf("%s.new", file);
    if (testSaveImageWrite(tmp, xml, running) < 0)
        return -1;
    if (rename(tmp, file) < 0) {
        reportSystemError(errno, _("cannot replace save image '%1$s'"), file);
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* The image is the flag hasManagedSave (in memory), as in libvirt's test driver. */
static int
testDomainManagedSave(virDomainPtr dom, unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, VIR_DOMAIN_SAVE_BYPASS_CACHE | VIR_DOMAIN_SAVE_RUNNING |
                      VIR_DOMAIN_SAVE_PAUSED, -1);
    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    if (domainObjCheckActive(vm) < 0)
        goto cleanup;
    if (!vm->persistent) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("cannot do managed save for transient domain"));
        goto cleanup;
    }
    testDomainStop(driver, vm, VIR_DOMAIN_SHUTOFF_SAVED,
                   VIR_DOMAIN_EVENT_STOPPED_SAVED);
    vm->hasManagedSave = true;
    dom->id = -1;
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
testDomainManagedSaveRemove(virDomainPtr dom, unsigned int flags)
{
    DomainObj *vm;

    checkFlags(flags, 0, -1);
    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    vm->hasManagedSave = false;
    domainObjEndAPI(&vm);
    return 0;
}

/*
 * Core dump as libvirt's test driver does it (observed with Debian's
 * libvirt 9.0): only CRASH is accepted; the marker file is written first
 * and a format other than raw is refused only afterwards (the file stays);
 * CRASH then stops the domain as crashed.  A paused domain stays paused.
 */
static int
testDomainCoreDumpWithFormat(virDomainPtr dom, const char *to, unsigned int dumpformat,
                             unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, VIR_DUMP_CRASH, -1);
    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    if (domainObjCheckActive(vm) < 0)
        goto cleanup;
    if (testSaveDumpWrite(to, vm->def->name) < 0)
        goto cleanup;
    if (dumpformat != VIR_DOMAIN_CORE_DUMP_FORMAT_RAW) {
        reportError(VIR_ERR_OPERATION_UNSUPPORTED, "%s",
                    _("kdump-compressed format is not supported here"));
        goto cleanup;
    }
    if (flags & VIR_DUMP_CRASH) {
        testDomainStop(driver, vm, VIR_DOMAIN_SHUTOFF_CRASHED,
                       VIR_DOMAIN_EVENT_STOPPED_CRASHED);
        dom->id = -1;
    }
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
testDomainCoreDump(virDomainPtr dom, const char *to, unsigned int flags)
{
    return testDomainCoreDumpWithFormat(dom, to, VIR_DOMAIN_CORE_DUMP_FORMAT_RAW, flags);
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
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    int ret;

    checkFlags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, -1);

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    ret = domainObjSetMetadata(vm, type, metadata, key, uri, flags);
    if (ret == 0) {
        /* as libvirt's test driver: the namespace URI only for an element */
        DomainEventFields f = {
            .i1 = type,
            .s1 = type == VIR_DOMAIN_METADATA_ELEMENT ? uri : NULL,
        };

        domainEventStateQueue(driver->events,
                              domainEventFieldsNew(VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                                                   vm->def->name, vm->def->uuid, vm->def->id,
                                                   &f, NULL, 0));
    }
    domainObjEndAPI(&vm);
    return ret;
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

/* ---- migration (issue #6): the five v3 steps through src/migration ---- */

/*
 * Both hosts live in this process (two test:///ABS/node.xml connections,
 * each its own host with its own host UUID), so the "QEMU stream" between
 * them is an object both sides find by the id the destination puts in its
 * Prepare cookie.  Every phase change goes through migrationPhaseHandle();
 * this section only supplies the hooks (what an action does to a test
 * domain) and the simulated QEMU (the order of its migration events).
 *
 * Fault injection, test only: VIRTKIT_TEST_MIGRATION_FAULT is a comma
 * separated list of PHASE:WHAT, applied once when the side reaches PHASE
 * (a phase name of src/migration/migration_table.def).  WHAT is an event
 * of the table (ABORT, PEER_ERROR, TIMEOUT, QEMU_CRASH, Q_FAILED,
 * Q_PC_FAILED, ...), "fail" (the next action fails) or "restart" (the
 * daemon restarts: the side resumes from the recorded phase; the call in
 * progress fails).
 */

#define TEST_MIG_FAULT_ENV "VIRTKIT_TEST_MIGRATION_FAULT"

/* The simulated transfer, shared by the two sides.  Fields under @lock. */
typedef struct {
    gint refs;
    guint id;
    GMutex lock;
    MigEvent xfer;             /* Q_ACTIVE .. Q_PC_FAILED; NONE before */
    bool pcSwitched;
    GQueue srcEvents;          /* MigEvent as GINT_TO_POINTER */
    GQueue dstEvents;
    /*
     * Two processes (two virtkitd hosts): each side has its own mirror of
     * the stream, @local says which; updates travel over @link
     * (test_miglink.h): what this side changed since the last flush
     * (@sentXfer, @sentPc) and the events queued for the peer.  In one
     * process @local is MIG_SIDE_LAST and @link NULL.
     */
    MigSide local;             /* immutable */
    TestMigLink *link;         /* immutable once set; freed with the stream */
    guint32 token;             /* immutable: what the source must present */
    int port;                  /* immutable: destination's link port */
    int sentXfer;
    int sentPc;
    bool linkDown;
} TestMigStream;

/* The process-wide registry of streams ("the network"). */
static GMutex testMigStreamsLock;
static GHashTable *testMigStreams;   /* id -> TestMigStream, under the lock */
static guint testMigStreamNextID;    /* under the lock */

/* One side of one migration; protected by the domain's lock. */
typedef struct {
    TestDriver *driver;
    DomainObj *vm;             /* valid (locked) during a step */
    MigCtx ctx;
    unsigned int flags;
    TestMigStream *stream;
    GPtrArray *faults;         /* pending PHASE:WHAT entries of this side */
    bool failNext;             /* injected: the next action fails */
    bool callLost;             /* injected restart during the current call */
    bool aborted;
    char *persistXML;          /* PERSIST_DEST: the definition to keep */
    gint64 startMs;
    /* the simulated transfer of the guest's memory, at the speed limit */
    unsigned long long dataTotal;      /* bytes */
    unsigned long long dataProcessed;  /* bytes */
    gint64 lastXferUs;
    bool postcopyNow;          /* virDomainMigrateStartPostCopy: stop pre-copy */
    struct _TestMigTunnelIn *tunnelIn; /* destination of a tunnelled migration */
    gint64 deadline;           /* monotonic ms of the TIMEOUT event, 0 none */
    /*
     * The connection the last step call came on (not referenced: a step
     * holds its own reference while it runs, and testConnectClose clears
     * this before the handle goes), NULL once it closed.
     */
    virConnectPtr conn;
} TestMig;

static void
testMigStreamUnref(TestMigStream *stream)
{
    if (!stream || !g_atomic_int_dec_and_test(&stream->refs))
        return;
    testMigLinkFree(stream->link);
    g_mutex_lock(&testMigStreamsLock);
    if (testMigStreams)
        g_hash_table_remove(testMigStreams, GUINT_TO_POINTER(stream->id));
    g_mutex_unlock(&testMigStreamsLock);
    g_queue_clear(&stream->srcEvents);
    g_queue_clear(&stream->dstEvents);
    g_mutex_clear(&stream->lock);
    g_free(stream);
}

static TestMigStream *
testMigStreamNew(void)
{
    TestMigStream *stream = g_new0(TestMigStream, 1);

    stream->refs = 1;
    stream->local = MIG_SIDE_LAST;
    stream->sentXfer = MIG_EVENT_NONE;
    g_mutex_init(&stream->lock);
    g_queue_init(&stream->srcEvents);
    g_queue_init(&stream->dstEvents);
    g_mutex_lock(&testMigStreamsLock);
    if (!testMigStreams)
        testMigStreams = g_hash_table_new(NULL, NULL);
    stream->id = ++testMigStreamNextID;
    g_hash_table_insert(testMigStreams, GUINT_TO_POINTER(stream->id), stream);
    g_mutex_unlock(&testMigStreamsLock);
    return stream;
}

static TestMigStream *
testMigStreamLookup(guint id)
{
    TestMigStream *stream = NULL;

    g_mutex_lock(&testMigStreamsLock);
    if (testMigStreams &&
        (stream = g_hash_table_lookup(testMigStreams, GUINT_TO_POINTER(id))))
        g_atomic_int_inc(&stream->refs);
    g_mutex_unlock(&testMigStreamsLock);
    return stream;
}

static void
testMigStreamPush(TestMigStream *stream, MigSide side, MigEvent event)
{
    g_mutex_lock(&stream->lock);
    g_queue_push_tail(side == MIG_SIDE_SOURCE ? &stream->srcEvents :
                      &stream->dstEvents, GINT_TO_POINTER(event));
    g_mutex_unlock(&stream->lock);
}

static MigEvent
testMigStreamPop(TestMigStream *stream, MigSide side)
{
    GQueue *q = side == MIG_SIDE_SOURCE ? &stream->srcEvents : &stream->dstEvents;
    MigEvent ev = MIG_EVENT_NONE;

    g_mutex_lock(&stream->lock);
    if (!g_queue_is_empty(q))
        ev = GPOINTER_TO_INT(g_queue_pop_head(q));
    g_mutex_unlock(&stream->lock);
    return ev;
}

/* One end went away: the other end's QEMU reports the transfer failed. */
static void
testMigStreamBreak(TestMigStream *stream, MigSide peer)
{
    MigEvent ev = MIG_EVENT_NONE;

    if (!stream)
        return;
    g_mutex_lock(&stream->lock);
    if (stream->xfer == MIG_EVENT_Q_ACTIVE ||
        stream->xfer == MIG_EVENT_Q_PRESWITCHOVER) {
        stream->xfer = ev = MIG_EVENT_Q_FAILED;
    } else if (stream->xfer == MIG_EVENT_Q_POSTCOPY) {
        stream->xfer = ev = MIG_EVENT_Q_PC_FAILED;
    }
    g_mutex_unlock(&stream->lock);
    if (ev != MIG_EVENT_NONE)
        testMigStreamPush(stream, peer, ev);
}

/* ---- the stream between two processes (test_miglink.h) ---- */

/* An update from the peer's mirror: its state, and events for this side. */
static void
testMigStreamLinkApply(void *opaque, int xfer, int pc, const int *events, size_t nevents)
{
    TestMigStream *stream = opaque;
    GQueue *q = stream->local == MIG_SIDE_SOURCE ? &stream->srcEvents : &stream->dstEvents;
    size_t i;

    g_mutex_lock(&stream->lock);
    if (xfer >= 0 && xfer < MIG_EVENT_LAST)
        stream->xfer = stream->sentXfer = xfer;
    if (pc >= 0)
        stream->sentPc = stream->pcSwitched = pc != 0;
    for (i = 0; i < nevents; i++) {
        if (events[i] > MIG_EVENT_NONE && events[i] < MIG_EVENT_LAST)
            g_queue_push_tail(q, GINT_TO_POINTER(events[i]));
    }
    g_mutex_unlock(&stream->lock);
}

/* The peer is gone: this side's "QEMU" sees its transfer fail. */
static void
testMigStreamLinkDown(void *opaque)
{
    TestMigStream *stream = opaque;
    GQueue *q = stream->local == MIG_SIDE_SOURCE ? &stream->srcEvents : &stream->dstEvents;
    MigEvent ev = MIG_EVENT_NONE;

    g_mutex_lock(&stream->lock);
    stream->linkDown = true;
    if (stream->xfer == MIG_EVENT_Q_ACTIVE || stream->xfer == MIG_EVENT_Q_PRESWITCHOVER)
        ev = MIG_EVENT_Q_FAILED;
    else if (stream->xfer == MIG_EVENT_Q_POSTCOPY)
        ev = MIG_EVENT_Q_PC_FAILED;
    if (ev != MIG_EVENT_NONE) {
        stream->xfer = stream->sentXfer = ev;
        g_queue_push_tail(q, GINT_TO_POINTER(ev));
    }
    g_mutex_unlock(&stream->lock);
}

/*
 * Send the peer what this side changed since the last flush and the
 * events queued for it; returns when the peer has them (or the link is
 * down).  No-op for a stream shared in one process.
 */
static void
testMigStreamFlush(TestMigStream *stream)
{
    GQueue *peerQ;
    int events[TEST_MIG_LINK_MAX_EVENTS];
    size_t n = 0;
    int xfer = -1;
    int pc = -1;

    if (!stream || !stream->link)
        return;
    peerQ = stream->local == MIG_SIDE_SOURCE ? &stream->dstEvents : &stream->srcEvents;
    g_mutex_lock(&stream->lock);
    if (stream->linkDown) {
        g_queue_clear(peerQ);
        g_mutex_unlock(&stream->lock);
        return;
    }
    if ((int)stream->xfer != stream->sentXfer)
        xfer = stream->sentXfer = stream->xfer;
    if ((int)stream->pcSwitched != stream->sentPc)
        pc = stream->sentPc = stream->pcSwitched;
    while (n < TEST_MIG_LINK_MAX_EVENTS && !g_queue_is_empty(peerQ))
        events[n++] = GPOINTER_TO_INT(g_queue_pop_head(peerQ));
    g_mutex_unlock(&stream->lock);
    if (xfer < 0 && pc < 0 && n == 0)
        return;
    if (testMigLinkSend(stream->link, xfer, pc, events, n) < 0) {
        /* no answer in time (network cut): as a broken QEMU stream */
        LOG_DEBUG("migration stream %u: peer unreachable", stream->id);
        testMigStreamLinkDown(stream);
    }
}

/*
 * Host and port of a migration URI ("tcp://HOST:PORT", "tcp:HOST:PORT",
 * "tcp://[V6]:PORT"); *@retPort is 0 when absent.
 */
static int
testMigUriHostPort(const char *uri, char **retHost, int *retPort)
{
    const char *p = strchr(uri, ':');
    const char *end;
    g_autofree char *host = NULL;
    unsigned int port = 0;

    if (!p) {
        reportError(VIR_ERR_INVALID_ARG, _("invalid migration URI '%1$s'"), uri);
        return -1;
    }
    p++;
    if (strPrefix(p, "//"))
        p += 2;
    if (*p == '[') {
        if (!(end = strchr(p, ']'))) {
            reportError(VIR_ERR_INVALID_ARG, _("invalid migration URI '%1$s'"), uri);
            return -1;
        }
        host = g_strndup(p + 1, end - p - 1);
        end++;
    } else {
        end = p + strcspn(p, ":/");
        host = g_strndup(p, end - p);
    }
    if (*end == ':') {
        g_autofree char *num = g_strndup(end + 1, strcspn(end + 1, "/"));

        if (strParseUInt(num, 10, &port) < 0 || port > 65535) {
            reportError(VIR_ERR_INVALID_ARG, _("invalid port in migration URI '%1$s'"), uri);
            return -1;
        }
    }
    if (!*host) {
        reportError(VIR_ERR_INVALID_ARG, _("migration URI '%1$s' has no host"), uri);
        return -1;
    }
    *retHost = g_steal_pointer(&host);
    *retPort = (int)port;
    return 0;
}

/*
 * Destination in a daemon: open the port the source's mirror connects to
 * (on the host of the caller's migration URI @uriIn if given, else on
 * every address, advertising this host's name).  Sets *@retUri to the
 * URI Prepare returns.
 */
static int
testMigStreamListen(TestMigStream *stream, const char *uriIn, char **retUri)
{
    g_autofree char *host = NULL;
    int port = 0;

    if (uriIn && testMigUriHostPort(uriIn, &host, &port) < 0)
        return -1;
    stream->local = MIG_SIDE_DEST;
    stream->token = g_random_int();
    if (!(stream->link = testMigLinkListen(host, stream->token, testMigStreamLinkApply,
                                           testMigStreamLinkDown, stream, &stream->port)))
        return -1;
    if (!host)
        host = g_strdup(g_get_host_name());
    *retUri = strchr(host, ':') ? g_strdup_printf("tcp://[%s]:%d", host, stream->port) :
                                  g_strdup_printf("tcp://%s:%d", host, stream->port);
    return 0;
}

/* Source: the mirror of the destination's stream, connected to it. */
static TestMigStream *
testMigStreamConnect(const char *uri, int cookiePort, guint32 token)
{
    TestMigStream *stream;
    g_autofree char *host = NULL;
    int port = 0;

    if (!uri) {
        reportError(VIR_ERR_INVALID_ARG, "%s",
                    _("migration to another process needs the destination's migration URI"));
        return NULL;
    }
    if (testMigUriHostPort(uri, &host, &port) < 0)
        return NULL;
    if (port == 0)
        port = cookiePort;
    stream = g_new0(TestMigStream, 1);
    stream->refs = 1;
    stream->local = MIG_SIDE_SOURCE;
    stream->sentXfer = MIG_EVENT_NONE;
    g_mutex_init(&stream->lock);
    g_queue_init(&stream->srcEvents);
    g_queue_init(&stream->dstEvents);
    if (!(stream->link = testMigLinkConnect(host, port, token, testMigStreamLinkApply,
                                            testMigStreamLinkDown, stream))) {
        g_mutex_clear(&stream->lock);
        g_free(stream);
        return NULL;
    }
    return stream;
}

/*
 * Tunnelled migration (VIR_MIGRATE_TUNNELLED): the simulated QEMU's
 * memory data goes through the migration stream.  The source's pump
 * thread sends a header (magic, length) and @length bytes of a pattern
 * into the stream; on the destination the stream is bound to one end of
 * a socket pair and a reader thread takes the other end, checking the
 * pattern and counting.  Finish fails when the data did not all arrive
 * intact.  The phase machine and the state mirror are the same as
 * without tunnelling.
 */
#define TEST_MIG_TUNNEL_MAGIC "VKTUNNEL"
#define TEST_MIG_TUNNEL_HDR 16
#define TEST_MIG_TUNNEL_MAX (16ULL * 1024 * 1024)
#define TEST_MIG_TUNNEL_CHUNK 65536

static inline unsigned char
testMigTunnelByte(guint64 i)
{
    return (unsigned char)((i * 31 + 7) & 0xff);
}

typedef struct _TestMigTunnelIn {
    int fd;                    /* immutable: the reader's end of the pair */
    GThread *thread;
    GMutex lock;
    GCond cond;
    guint64 expected;          /* under lock: from the header */
    guint64 received;          /* under lock: payload bytes */
    bool done;                 /* under lock: end of data or error */
    bool ok;                   /* under lock: header and pattern right */
} TestMigTunnelIn;

static gpointer
testMigTunnelInThread(gpointer opaque)
{
    TestMigTunnelIn *in = opaque;
    unsigned char hdr[TEST_MIG_TUNNEL_HDR];
    size_t have = 0;
    guint64 expected = 0;
    guint64 got = 0;
    bool ok = true;
    g_autofree unsigned char *buf = g_malloc(TEST_MIG_TUNNEL_CHUNK);

    for (;;) {
        ssize_t n = read(in->fd, buf, TEST_MIG_TUNNEL_CHUNK);
        ssize_t i = 0;

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        while (i < n && have < TEST_MIG_TUNNEL_HDR)
            hdr[have++] = buf[i++];
        if (have == TEST_MIG_TUNNEL_HDR && expected == 0 && got == 0) {
            int k;

            if (memcmp(hdr, TEST_MIG_TUNNEL_MAGIC, 8) != 0)
                ok = false;
            for (k = 8; k < 16; k++)
                expected = (expected << 8) | hdr[k];
        }
        for (; i < n; i++, got++) {
            if (got >= expected || buf[i] != testMigTunnelByte(got))
                ok = false;
        }
        g_mutex_lock(&in->lock);
        in->expected = expected;
        in->received = got;
        g_mutex_unlock(&in->lock);
    }
    g_mutex_lock(&in->lock);
    in->ok = ok && have == TEST_MIG_TUNNEL_HDR && got == expected;
    in->done = true;
    g_cond_broadcast(&in->cond);
    g_mutex_unlock(&in->lock);
    return NULL;
}

/* Binds @st to a socket pair whose other end a new reader thread takes. */
static TestMigTunnelIn *
testMigTunnelInNew(virStreamPtr st)
{
    int sv[2];
    TestMigTunnelIn *in;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        reportSystemError(errno, "%s", _("cannot create the migration tunnel's socket pair"));
        return NULL;
    }
    if (fdStreamOpen(st, sv[0], NULL, NULL) < 0) {
        close(sv[0]);
        close(sv[1]);
        return NULL;
    }
    in = g_new0(TestMigTunnelIn, 1);
    in->fd = sv[1];
    g_mutex_init(&in->lock);
    g_cond_init(&in->cond);
    in->thread = g_thread_new("test-mig-tunnel-in", testMigTunnelInThread, in);
    return in;
}

/*
 * Waits (at most @timeoutMs) for the end of the data.  Returns 0 when
 * all of it arrived intact, -1 with an error otherwise.
 */
static int
testMigTunnelInCheck(TestMigTunnelIn *in, gint64 timeoutMs)
{
    gint64 end = g_get_monotonic_time() + timeoutMs * 1000;
    int ret = 0;

    g_mutex_lock(&in->lock);
    while (!in->done && g_cond_wait_until(&in->cond, &in->lock, end))
        ;
    if (!in->done || !in->ok) {
        reportError(VIR_ERR_OPERATION_FAILED,
                    _("tunnelled migration data incomplete: %1$llu of %2$llu bytes received"),
                    (unsigned long long)in->received, (unsigned long long)in->expected);
        ret = -1;
    }
    g_mutex_unlock(&in->lock);
    return ret;
}

static void
testMigTunnelInFree(TestMigTunnelIn *in)
{
    if (!in)
        return;
    shutdown(in->fd, SHUT_RDWR);
    g_thread_join(in->thread);
    close(in->fd);
    g_mutex_clear(&in->lock);
    g_cond_clear(&in->cond);
    g_free(in);
}

/* The source's pump: its own thread, blocking writes into the stream. */
typedef struct {
    virStreamPtr st;           /* referenced */
    guint64 length;            /* immutable */
    gint stop;                 /* atomic: the migration failed, abort */
    bool failed;               /* set by the thread, read after the join */
    SavedError *error;         /* the pump's error, read after the join */
    GThread *thread;
} TestMigTunnelOut;

static gpointer
testMigTunnelOutThread(gpointer opaque)
{
    TestMigTunnelOut *out = opaque;
    g_autofree char *buf = g_malloc(TEST_MIG_TUNNEL_CHUNK);
    guint64 sent = 0;
    size_t fill = TEST_MIG_TUNNEL_HDR;
    int k;

    memcpy(buf, TEST_MIG_TUNNEL_MAGIC, 8);
    for (k = 0; k < 8; k++)
        buf[8 + k] = (char)((out->length >> (56 - 8 * k)) & 0xff);
    while (!g_atomic_int_get(&out->stop)) {
        size_t off = 0;

        while (fill < TEST_MIG_TUNNEL_CHUNK && sent < out->length)
            buf[fill++] = (char)testMigTunnelByte(sent++);
        if (fill == 0)
            break;
        /* whole buffers: a blocking send may still take part of one */
        while (off < fill) {
            int n = virStreamSend(out->st, buf + off, fill - off);

            if (n < 0)
                goto error;
            off += n;
        }
        fill = 0;
    }
    if (g_atomic_int_get(&out->stop)) {
        virStreamAbort(out->st);
        virResetLastError();
        return NULL;
    }
    if (virStreamFinish(out->st) < 0)
        goto error;
    return NULL;

 error:
    out->failed = true;
    out->error = errorSave();
    virStreamAbort(out->st);
    virResetLastError();
    return NULL;
}

static void
testMigFree(TestMig *mig)
{
    if (!mig)
        return;
    testMigTunnelInFree(mig->tunnelIn);
    testMigStreamUnref(mig->stream);
    if (mig->faults)
        g_ptr_array_free(mig->faults, TRUE);
    g_free(mig->persistXML);
    g_free(mig);
}

static char *
testMigKey(const unsigned char *uuid)
{
    char buf[VIR_UUID_STRING_BUFLEN];

    return g_strdup(uuidFormat(uuid, buf));
}

static TestMig *
testMigFind(TestDriver *driver, DomainObj *vm)
{
    g_autofree char *key = testMigKey(vm->def->uuid);
    TestMig *mig;

    g_mutex_lock(&driver->migLock);
    mig = g_hash_table_lookup(driver->migrations, key);
    g_mutex_unlock(&driver->migLock);
    if (mig)
        mig->vm = vm;
    return mig;
}

/* Forget the migration of @vm (its phase is terminal or it never began). */
static void
testMigForget(TestDriver *driver, const unsigned char *uuid)
{
    g_autofree char *key = testMigKey(uuid);

    g_mutex_lock(&driver->migLock);
    g_hash_table_remove(driver->migrations, key);
    g_mutex_unlock(&driver->migLock);
}

/* ---- the hooks ---- */

static int
testMigPersist(void *opaque, MigPhase phase)
{
    /* The test driver keeps its "status XML" in memory: ctx->persisted. */
    LOG_DEBUG("recording migration phase %s", migrationPhaseName(phase));
    return 0;
}

static void
testMigGetState(void *opaque, int *state, int *reason)
{
    TestMig *mig = opaque;

    *state = domainObjGetState(mig->vm, reason);
}

static void
testMigShow(void *opaque, int state, int reason, int eventType,
            int eventDetail)
{
    TestMig *mig = opaque;

    domainObjSetState(mig->vm, state, reason);
    if (eventType != MIG_KEEP)
        testEventQueue(mig->driver, mig->vm, eventType, eventDetail);
}

/* Stop the guest of this side with the state/event of the phase entered. */
static void
testMigStopGuest(TestMig *mig, int reason, int detail)
{
    if (!domainObjIsActive(mig->vm))
        return;
    testDomainStop(mig->driver, mig->vm, reason, detail);
}

static int
testMigAction(void *opaque, MigAction action, MigEvent *retEvent)
{
    TestMig *mig = opaque;
    const MigPhaseInfo *here = migrationPhaseInfo(mig->ctx.phase);
    MigSide side = mig->ctx.side;
    MigSide peer = side == MIG_SIDE_SOURCE ? MIG_SIDE_DEST : MIG_SIDE_SOURCE;
    int state;
    int reason;

    *retEvent = MIG_EVENT_NONE;
    if (mig->failNext && action != MIG_ACTION_KILL &&
        action != MIG_ACTION_CLEANUP && action != MIG_ACTION_PAUSE &&
        action != MIG_ACTION_CANCEL_RESUME && action != MIG_ACTION_QUERY) {
        mig->failNext = false;
        reportError(VIR_ERR_OPERATION_FAILED,
                    _("injected failure of migration action %1$s"),
                    migrationActionName(action));
        return -1;
    }

    if (!mig->stream &&
        (action == MIG_ACTION_START_TRANSFER || action == MIG_ACTION_CONTINUE ||
         action == MIG_ACTION_RESUME || action == MIG_ACTION_QUERY)) {
        reportError(VIR_ERR_OPERATION_FAILED, "%s",
                    _("no migration stream to the peer"));
        return -1;
    }

    switch (action) {
    case MIG_ACTION_NONE:
    case MIG_ACTION_BEGIN:
    case MIG_ACTION_START_INCOMING:   /* the object exists, paused: see Prepare */
    case MIG_ACTION_PAUSE:            /* the phase's state says paused */
        return 0;

    case MIG_ACTION_START_TRANSFER:
        if (!(mig->flags & VIR_MIGRATE_LIVE) &&
            domainObjGetState(mig->vm, NULL) == VIR_DOMAIN_RUNNING)
            testMigShow(mig, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION,
                        VIR_DOMAIN_EVENT_SUSPENDED,
                        VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED);
        g_mutex_lock(&mig->stream->lock);
        mig->stream->xfer = MIG_EVENT_Q_ACTIVE;
        g_mutex_unlock(&mig->stream->lock);
        return 0;

    case MIG_ACTION_CONTINUE: {
        bool postcopy = mig->flags & VIR_MIGRATE_POSTCOPY;
        MigEvent ev = postcopy ? MIG_EVENT_Q_POSTCOPY : MIG_EVENT_Q_COMPLETED;

        g_mutex_lock(&mig->stream->lock);
        if (mig->stream->xfer != MIG_EVENT_Q_PRESWITCHOVER) {
            g_mutex_unlock(&mig->stream->lock);
            reportError(VIR_ERR_OPERATION_FAILED, "%s",
                        _("migration is no longer at the switch-over"));
            return -1;
        }
        mig->stream->xfer = ev;
        mig->stream->pcSwitched = postcopy;
        g_mutex_unlock(&mig->stream->lock);
        testMigStreamPush(mig->stream, MIG_SIDE_SOURCE, ev);
        testMigStreamPush(mig->stream, MIG_SIDE_DEST, ev);
        return 0;
    }

    case MIG_ACTION_RESUME: {
        MigEvent xfer;

        g_mutex_lock(&mig->stream->lock);
        xfer = mig->stream->xfer;
        g_mutex_unlock(&mig->stream->lock);
        if (xfer != MIG_EVENT_Q_COMPLETED) {
            reportError(VIR_ERR_OPERATION_FAILED, "%s",
                        _("incoming migration did not complete"));
            return -1;
        }
        if (mig->persistXML) {
            g_autoptr(DomainDef) def = domainDefParseString(mig->persistXML,
                                                            DOMAIN_DEF_PARSE_INACTIVE);
            bool existed = mig->vm->persistent;

            if (!def)
                return -1;
            testNodeFillDefaults(def);
            /* the guest's own name and uuid (checked in Begin) */
            g_free(def->name);
            def->name = g_strdup(mig->vm->def->name);
            memcpy(def->uuid, mig->vm->def->uuid, VIR_UUID_BUFLEN);
            g_clear_pointer(&mig->vm->newDef, domainDefFree);
            mig->vm->newDef = g_steal_pointer(&def);
            mig->vm->persistent = true;
            testEventQueue(mig->driver, mig->vm, VIR_DOMAIN_EVENT_DEFINED,
                           existed ? VIR_DOMAIN_EVENT_DEFINED_UPDATED :
                                     VIR_DOMAIN_EVENT_DEFINED_ADDED);
        }
        state = domainObjGetState(mig->vm, &reason);
        if (mig->flags & VIR_MIGRATE_PAUSED) {
            if (state == VIR_DOMAIN_PAUSED)
                testMigShow(mig, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER,
                            VIR_DOMAIN_EVENT_SUSPENDED,
                            VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
        } else if (state != VIR_DOMAIN_RUNNING ||
                   reason != VIR_DOMAIN_RUNNING_MIGRATED) {
            testMigShow(mig, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED,
                        VIR_DOMAIN_EVENT_RESUMED,
                        VIR_DOMAIN_EVENT_RESUMED_MIGRATED);
        }
        return 0;
    }

    case MIG_ACTION_QUERY: {
        bool pc;
        MigEvent xfer;

        /* events queued before the "restart" are lost; QEMU is asked */
        while (testMigStreamPop(mig->stream, side) != MIG_EVENT_NONE)
            ;
        g_mutex_lock(&mig->stream->lock);
        xfer = mig->stream->xfer;
        pc = mig->stream->pcSwitched;
        g_mutex_unlock(&mig->stream->lock);
        if (pc)
            *retEvent = xfer == MIG_EVENT_Q_PC_FAILED ? MIG_EVENT_Q_PC_FAILED :
                                                        MIG_EVENT_Q_POSTCOPY;
        else if (xfer == MIG_EVENT_NONE)
            *retEvent = MIG_EVENT_Q_FAILED;
        else if (xfer == MIG_EVENT_Q_PRESWITCHOVER)
            *retEvent = MIG_EVENT_Q_ACTIVE;     /* lost before the switch-over, as QEMU's */
        else
            *retEvent = xfer;
        return 0;
    }

    case MIG_ACTION_KILL:
        if (mig->stream)
            testMigStreamBreak(mig->stream, peer);
        testMigStopGuest(mig, here->reason, here->eventDetail);
        return 0;

    case MIG_ACTION_CLEANUP:
        testMigStopGuest(mig, VIR_DOMAIN_SHUTOFF_CRASHED,
                         VIR_DOMAIN_EVENT_STOPPED_FAILED);
        return 0;

    case MIG_ACTION_CANCEL_RESUME:
        if (mig->stream) {
            bool cancel;

            g_mutex_lock(&mig->stream->lock);
            cancel = mig->stream->xfer == MIG_EVENT_Q_ACTIVE ||
                     mig->stream->xfer == MIG_EVENT_Q_PRESWITCHOVER;
            if (cancel)
                mig->stream->xfer = MIG_EVENT_Q_FAILED;
            g_mutex_unlock(&mig->stream->lock);
            if (cancel)
                testMigStreamPush(mig->stream, MIG_SIDE_DEST, MIG_EVENT_Q_FAILED);
        }
        if (domainObjGetState(mig->vm, NULL) == VIR_DOMAIN_PAUSED)
            testMigShow(mig, VIR_DOMAIN_RUNNING,
                        VIR_DOMAIN_RUNNING_MIGRATION_CANCELED,
                        VIR_DOMAIN_EVENT_RESUMED,
                        VIR_DOMAIN_EVENT_RESUMED_MIGRATED);
        return 0;

    case MIG_ACTION_LAST:
        break;
    }
    reportError(VIR_ERR_INTERNAL_ERROR, _("unknown migration action %1$d"),
                action);
    return -1;
}

static const MigHooks testMigHooks = {
    .persist = testMigPersist,
    .action = testMigAction,
    .show = testMigShow,
    .getState = testMigGetState,
};

/* ---- fault injection and the table ---- */

static GPtrArray *
testMigFaultsLoad(MigSide side)
{
    const char *env = g_getenv(TEST_MIG_FAULT_ENV);
    GPtrArray *faults = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) items = NULL;
    size_t i;

    if (!env || !*env)
        return faults;
    items = g_strsplit(env, ",", -1);
    for (i = 0; items[i]; i++) {
        if (strPrefix(items[i], side == MIG_SIDE_SOURCE ? "S_" : "D_"))
            g_ptr_array_add(faults, g_strdup(items[i]));
    }
    return faults;
}

static int testMigHandle(TestMig *mig, MigEvent event);
static void testMigDrain(TestMig *mig);
static void testMigWatchdog(void *opaque);

/*
 * Start the wait of a phase entered that waits for the peer's next step
 * (migrationPhaseTimeout), or stop waiting.  The driver's watchdog feeds
 * TIMEOUT to the table when the deadline passes.
 */
static void
testMigWatch(TestMig *mig)
{
    TestDriver *driver = mig->driver;
    unsigned int ms = migrationPhaseTimeout(mig->ctx.phase);
    MigTimer *timer;

    if (ms == 0) {
        mig->deadline = 0;
        return;
    }
    mig->deadline = g_get_monotonic_time() / 1000 + ms;
    g_mutex_lock(&driver->migLock);
    if (!driver->migTimer)
        driver->migTimer = migrationTimerNew(testMigWatchdog, driver);
    timer = driver->migTimer;
    g_mutex_unlock(&driver->migLock);
    migrationTimerSchedule(timer, mig->deadline);
}

/*
 * The transfer itself breaks (Q_FAILED, or Q_PC_FAILED after the switch to
 * post-copy): both QEMUs see it, this side at once.
 */
static void
testMigBreak(TestMig *mig, MigEvent ev)
{
    g_mutex_lock(&mig->stream->lock);
    mig->stream->xfer = ev;
    g_mutex_unlock(&mig->stream->lock);
    testMigStreamPush(mig->stream,
                      mig->ctx.side == MIG_SIDE_SOURCE ? MIG_SIDE_DEST : MIG_SIDE_SOURCE, ev);
    testMigHandle(mig, ev);
}

/* Apply the faults injected for the current phase (each once). */
static void
testMigApplyFaults(TestMig *mig)
{
    size_t i = 0;

    while (mig->faults && i < mig->faults->len) {
        const char *item = g_ptr_array_index(mig->faults, i);
        const char *name = migrationPhaseName(mig->ctx.phase);
        size_t len = strlen(name);
        g_autofree char *what = NULL;
        int ev;

        if (!strPrefix(item, name) || item[len] != ':') {
            i++;
            continue;
        }
        what = g_strdup(item + len + 1);
        g_ptr_array_remove_index(mig->faults, i);
        LOG_DEBUG("injecting %s at %s", what, name);
        if (streq(what, "fail")) {
            mig->failNext = true;
        } else if (streq(what, "restart")) {
            mig->callLost = true;
            migrationPhaseRecover(&mig->ctx, mig->ctx.persisted);
        } else if ((ev = migrationEventFromName(what)) > 0) {
            if (ev == MIG_EVENT_QEMU_CRASH && mig->stream)
                testMigStreamBreak(mig->stream,
                                   mig->ctx.side == MIG_SIDE_SOURCE ?
                                   MIG_SIDE_DEST : MIG_SIDE_SOURCE);
            if (ev == MIG_EVENT_ABORT) {
                /*
                 * As virDomainAbortJob in the QEMU driver: a switch to
                 * post-copy QEMU made is handled first (then the abort is
                 * refused); a completion not yet reported is not.
                 */
                bool pc = false;

                if (mig->stream) {
                    g_mutex_lock(&mig->stream->lock);
                    pc = mig->stream->pcSwitched;
                    g_mutex_unlock(&mig->stream->lock);
                }
                if (pc)
                    testMigDrain(mig);
                if (!migrationTransitionFind(mig->ctx.phase, MIG_EVENT_ABORT)) {
                    i = 0;
                    continue;
                }
                mig->aborted = true;
            }
            if (ev == MIG_EVENT_Q_FAILED || ev == MIG_EVENT_Q_PC_FAILED)
                testMigBreak(mig, ev);
            else
                testMigHandle(mig, ev);
        }
        i = 0;    /* the phase may have changed: look again */
    }
}

/* One event through the table, then the faults injected at the new phase. */
static int
testMigHandle(TestMig *mig, MigEvent event)
{
    MigPhase before = mig->ctx.phase;
    int rc = migrationPhaseHandle(&mig->ctx, event, NULL, NULL);

    testMigApplyFaults(mig);
    testMigStreamFlush(mig->stream);
    if (mig->ctx.phase != before)
        testMigWatch(mig);
    return rc;
}

/* Handle the QEMU events this side has received (before any step). */
static void
testMigDrain(TestMig *mig)
{
    MigEvent ev;

    if (!mig->stream)
        return;
    while (!migrationPhaseIsTerminal(mig->ctx.phase) &&
           (ev = testMigStreamPop(mig->stream, mig->ctx.side)) != MIG_EVENT_NONE)
        testMigHandle(mig, ev);
}

/*
 * One migration whose deadline passed (@vm locked): handle what its QEMU
 * reported first; a destination whose incoming transfer still runs waits
 * on; otherwise the table gets TIMEOUT.  Returns the next deadline, 0 none.
 */
static gint64
testMigTimeout(TestMig *mig, gint64 now)
{
    MigEvent xfer = MIG_EVENT_NONE;

    if (mig->deadline == 0)
        return 0;
    if (now < mig->deadline)
        return mig->deadline;
    mig->deadline = 0;
    testMigDrain(mig);
    if (migrationPhaseIsTerminal(mig->ctx.phase) ||
        migrationPhaseTimeout(mig->ctx.phase) == 0)
        return mig->deadline;   /* re-armed by a phase change, or none */
    if (mig->stream) {
        g_mutex_lock(&mig->stream->lock);
        xfer = mig->stream->xfer;
        g_mutex_unlock(&mig->stream->lock);
    }
    if (migrationTimeoutWaitsOn(mig->ctx.phase, xfer)) {
        testMigWatch(mig);     /* the transfer runs: wait on */
        return mig->deadline;
    }
    LOG_INFO("migration of '%s' timed out in phase %s", mig->vm->def->name,
             migrationPhaseName(mig->ctx.phase));
    testMigHandle(mig, MIG_EVENT_TIMEOUT);
    return migrationPhaseIsTerminal(mig->ctx.phase) ? 0 : mig->deadline;
}

typedef void (*TestMigVisitFunc)(TestDriver *driver, DomainObj *vm, TestMig *mig,
                                 const unsigned char *uuid, void *opaque);

/*
 * Calls @fn for every migration of the host, with its domain locked (no
 * other lock held): the keys are taken first, so that @fn may end and
 * forget migrations.
 */
static void
testMigForEach(TestDriver *driver, TestMigVisitFunc fn, void *opaque)
{
    g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter iter;
    gpointer key;
    guint i;

    g_mutex_lock(&driver->migLock);
    g_hash_table_iter_init(&iter, driver->migrations);
    while (g_hash_table_iter_next(&iter, &key, NULL))
        g_ptr_array_add(keys, g_strdup(key));
    g_mutex_unlock(&driver->migLock);

    for (i = 0; i < keys->len; i++) {
        unsigned char uuid[VIR_UUID_BUFLEN];
        DomainObj *vm;
        TestMig *mig;

        if (uuidParse(g_ptr_array_index(keys, i), uuid) < 0 ||
            !(vm = domainObjListFindByUUID(driver->domains, uuid)))
            continue;
        if ((mig = testMigFind(driver, vm)))
            fn(driver, vm, mig, uuid, opaque);
        domainObjEndAPI(&vm);
    }
    errorReset();
}

typedef struct {
    gint64 now;
    gint64 next;     /* the earliest deadline still to come, 0 none */
} TestMigWatchdogRound;

static void
testMigWatchdogVisit(TestDriver *driver, DomainObj *vm G_GNUC_UNUSED, TestMig *mig,
                     const unsigned char *uuid, void *opaque)
{
    TestMigWatchdogRound *round = opaque;
    gint64 due = testMigTimeout(mig, round->now);

    if (migrationPhaseIsTerminal(mig->ctx.phase))
        testMigForget(driver, uuid);
    else if (due && (round->next == 0 || due < round->next))
        round->next = due;
}

/*
 * The driver's TIMEOUT watchdog (event-loop thread, no lock held): every
 * migration of the host whose deadline passed gets its TIMEOUT; a
 * migration that ends here is forgotten (nobody calls the next step).
 */
static void
testMigWatchdog(void *opaque)
{
    TestDriver *driver = opaque;
    TestMigWatchdogRound round = { .now = g_get_monotonic_time() / 1000 };

    testMigForEach(driver, testMigWatchdogVisit, &round);
    if (round.next)
        migrationTimerSchedule(driver->migTimer, round.next);
}

static void
testMigConnClosedVisit(TestDriver *driver, DomainObj *vm, TestMig *mig,
                       const unsigned char *uuid, void *opaque)
{
    if (mig->conn != opaque)
        return;
    mig->conn = NULL;
    testMigDrain(mig);
    if (!migrationPhaseIsTerminal(mig->ctx.phase) &&
        migrationPhaseTimeout(mig->ctx.phase) != 0) {
        LOG_WARN("migration of '%s': its client's connection closed in phase %s",
                 vm->def->name, migrationPhaseName(mig->ctx.phase));
        testMigHandle(mig, MIG_EVENT_PEER_ERROR);
    }
    if (migrationPhaseIsTerminal(mig->ctx.phase))
        testMigForget(driver, uuid);
}

/*
 * @conn closes (testConnectClose): as libvirt's connection close
 * callbacks, every migration whose last step came on it and that now only
 * waits for that client's next step (migrationPhaseTimeout) gets the
 * table's PEER_ERROR at once -- the controlling client is gone -- instead
 * of its TIMEOUT minutes later: the destination kills its incoming guest,
 * a source after Begin keeps running, a source after Perform stays paused
 * (S_UNKNOWN), post-copy fails.  A migration whose last step came on
 * another connection is not touched; one in another phase (a step or the
 * transfer still runs) only forgets the connection.
 */
static void
testMigConnClosed(TestDriver *driver, virConnectPtr conn)
{
    testMigForEach(driver, testMigConnClosedVisit, conn);
}

/* ---- host identity and cookies ---- */

/*
 * The cookie features the test driver implements (persistent, statistics).  It has no
 * lock manager and no virtual network ports, so it never sends lockstate
 * or network; a peer's mandatory lockstate is refused (its leases could
 * not be re-acquired here).
 */
static const char *const testMigCookieFeatures[] = { "persistent", "statistics", NULL };

/* Test only: a feature added to every cookie (a newer peer's). */
#define TEST_MIG_COOKIE_FEATURE_ENV "VIRTKIT_TEST_MIGRATION_COOKIE_FEATURE"

static void
testMigHostUUID(TestDriver *driver, char *buf)
{
    uuidFormat(driver->hostUUID, buf);
}

static char *
testMigCookieFormat(TestDriver *driver, DomainObj *vm, TestMigStream *stream,
                    const char *persistXML)
{
    GString *buf = g_string_new("<qemu-migration>\n");
    char uuid[VIR_UUID_STRING_BUFLEN];
    char host[VIR_UUID_STRING_BUFLEN];
    g_autofree char *hostname = g_strdup(g_get_host_name());

    uuidFormat(vm->def->uuid, uuid);
    testMigHostUUID(driver, host);
    g_string_append_printf(buf, "  <name>%s</name>\n  <uuid>%s</uuid>\n",
                           vm->def->name, uuid);
    g_string_append_printf(buf, "  <hostname>%s</hostname>\n"
                           "  <hostuuid>%s</hostuuid>\n", hostname, host);
    if (stream)
        g_string_append_printf(buf, "  <test-stream id='%u' pid='%lld' token='%u' port='%d'/>\n",
                               stream->id, (long long)getpid(), stream->token,
                               stream->port);
    if (g_getenv(TEST_MIG_COOKIE_FEATURE_ENV)) {
        /* test only: a feature from a newer peer ("NAME" or "NAME:mandatory") */
        g_auto(GStrv) f = g_strsplit(g_getenv(TEST_MIG_COOKIE_FEATURE_ENV), ":", 2);

        g_string_append_printf(buf, "  <feature name='%s'%s/>\n", f[0] ? f[0] : "",
                               f[0] && f[1] && streq(f[1], "mandatory") ?
                               " mandatory='yes'" : "");
    }
    if (persistXML) {
        g_string_append(buf, "  <feature name='persistent'/>\n  <persistent>\n");
        g_string_append(buf, persistXML);
        g_string_append(buf, "  </persistent>\n");
    }
    g_string_append(buf, "</qemu-migration>\n");
    return g_string_free(buf, FALSE);
}

/*
 * Parse a cookie: refuse our own host UUID (migration to the same host),
 * return the stream id (0 if none) and the persistent XML (may be NULL).
 */
/* The destination's stream as its Prepare cookie names it. */
typedef struct {
    guint id;
    long long pid;        /* process of the destination */
    guint32 token;
    int port;             /* its link port (another process) */
} TestMigCookieStream;

static int
testMigCookieParse(TestDriver *driver, const char *cookie, int cookielen,
                   TestMigCookieStream *retStream, char **retPersist)
{
    g_autofree char *text = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    xmlNodePtr root;
    xmlNodePtr node;
    g_autofree char *hostuuid = NULL;
    char mine[VIR_UUID_STRING_BUFLEN];

    memset(retStream, 0, sizeof(*retStream));
    if (retPersist)
        *retPersist = NULL;
    if (!cookie || cookielen <= 0)
        return 0;
    text = g_strndup(cookie, cookielen);
    if (!(doc = xmlUtilParse(text, NULL, NULL, "qemu-migration", ERR_DOMAIN)))
        return -1;
    root = xmlDocGetRootElement(doc);
    if (migrationCookieCheckFeatures(root, testMigCookieFeatures) < 0)
        return -1;
    hostuuid = xmlUtilChildContent(root, "hostuuid");
    testMigHostUUID(driver, mine);
    if (hostuuid && streq(hostuuid, mine)) {
        reportError(VIR_ERR_INTERNAL_ERROR,
                    _("Attempt to migrate guest to the same host %1$s"),
                    hostuuid);
        return -1;
    }
    if ((node = xmlUtilChild(root, "test-stream"))) {
        g_autofree char *id = xmlUtilProp(node, "id");
        g_autofree char *pid = xmlUtilProp(node, "pid");
        g_autofree char *token = xmlUtilProp(node, "token");
        g_autofree char *port = xmlUtilProp(node, "port");
        unsigned int value;
        unsigned int tok = 0;
        unsigned int prt = 0;
        unsigned int pidv = 0;

        if (!id || strParseUInt(id, 10, &value) < 0 ||
            (pid && strParseUInt(pid, 10, &pidv) < 0) ||
            (token && strParseUInt(token, 10, &tok) < 0) ||
            (port && (strParseUInt(port, 10, &prt) < 0 || prt > 65535))) {
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("invalid stream in migration cookie"));
            return -1;
        }
        retStream->id = value;
        retStream->pid = pid ? (long long)pidv : (long long)getpid();
        retStream->token = tok;
        retStream->port = (int)prt;
    }
    if (retPersist && (node = xmlUtilChild(root, "persistent"))) {
        xmlNodePtr child;

        for (child = node->children; child; child = child->next) {
            if (child->type == XML_ELEMENT_NODE) {
                g_autoptr(xmlBuffer) xbuf = xmlBufferCreate();

                xmlNodeDump(xbuf, doc, child, 0, 0);
                *retPersist = g_strdup((const char *)xmlBufferContent(xbuf));
                break;
            }
        }
    }
    return 0;
}

/*
 * The source's statistics of a Perform cookie: *@elapsed (ms) and *@data
 * (bytes).  Returns 1 when the cookie has them, 0 when not, -1 on error.
 */
static int
testMigCookieStats(TestDriver *driver, const char *cookie, int cookielen,
                   unsigned long long *elapsed, unsigned long long *data)
{
    g_autofree char *text = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *e = NULL;
    g_autofree char *d = NULL;
    TestMigCookieStream ignored;
    xmlNodePtr node;
    uint64_t ev;
    uint64_t dv;

    if (!cookie || cookielen <= 0)
        return 0;
    if (testMigCookieParse(driver, cookie, cookielen, &ignored, NULL) < 0)
        return -1;
    text = g_strndup(cookie, cookielen);
    if (!(doc = xmlUtilParse(text, NULL, NULL, "qemu-migration", ERR_DOMAIN)))
        return -1;
    if (!(node = xmlUtilChild(xmlDocGetRootElement(doc), "statistics")))
        return 0;
    e = xmlUtilChildContent(node, "time_elapsed");
    d = xmlUtilChildContent(node, "data_total");
    if (!e || !d || strParseUInt64(e, 10, &ev) < 0 || strParseUInt64(d, 10, &dv) < 0) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                    _("invalid statistics in migration cookie"));
        return -1;
    }
    *elapsed = ev;
    *data = dv;
    return 1;
}

static void
testMigCookieOut(char *cookie, char **cookieout, int *cookieoutlen)
{
    if (cookieout && cookieoutlen) {
        *cookieoutlen = strlen(cookie) + 1;
        *cookieout = cookie;
    } else {
        g_free(cookie);
    }
}

/* ---- the steps ---- */

#define TEST_MIGRATION_FLAGS \
    (VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_PERSIST_DEST | \
     VIR_MIGRATE_UNDEFINE_SOURCE | VIR_MIGRATE_PAUSED | \
     VIR_MIGRATE_CHANGE_PROTECTION | VIR_MIGRATE_UNSAFE | \
     VIR_MIGRATE_OFFLINE | VIR_MIGRATE_COMPRESSED | \
     VIR_MIGRATE_ABORT_ON_ERROR | VIR_MIGRATE_AUTO_CONVERGE | \
     VIR_MIGRATE_POSTCOPY | VIR_MIGRATE_PARALLEL | VIR_MIGRATE_TUNNELLED)

static int
testConnectSupportsFeature(virConnectPtr conn, int feature)
{
    switch ((DrvFeature) feature) {
    case DRV_FEATURE_MIGRATION_V3:
    case DRV_FEATURE_MIGRATION_PARAMS:
    case DRV_FEATURE_MIGRATION_P2P:
    case DRV_FEATURE_MIGRATION_OFFLINE:
    case DRV_FEATURE_MIGRATION_CHANGE_PROTECTION:
        return 1;
    case DRV_FEATURE_MIGRATION_DIRECT:
        return 0;
    }
    return 0;
}

static char *
testDomainMigrateBegin3Params(virDomainPtr dom, virTypedParameterPtr params,
                              int nparams, char **cookieout,
                              int *cookieoutlen, unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    TestMig *mig = NULL;
    const char *xmlin = NULL;
    char *xml = NULL;
    g_autofree char *persist = NULL;

    checkFlags(flags, TEST_MIGRATION_FLAGS, NULL);
    if (migrateParamsValidate(params, nparams) < 0)
        return NULL;
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_XML,
                                &xmlin) < 0)
        return NULL;
    if (!(vm = testDomObjFromDomain(dom)))
        return NULL;

    if (!(flags & VIR_MIGRATE_OFFLINE) && domainObjCheckActive(vm) < 0)
        goto cleanup;
    if ((flags & VIR_MIGRATE_OFFLINE) && domainObjIsActive(vm)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("domain is active: offline migration needs an inactive domain"));
        goto cleanup;
    }
    if ((flags & VIR_MIGRATE_OFFLINE) && !vm->persistent) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("cannot migrate a transient domain offline"));
        goto cleanup;
    }
    if (testMigFind(driver, vm)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("another migration job is already running for domain"));
        goto cleanup;
    }
    if (flags & VIR_MIGRATE_PERSIST_DEST) {
        const char *persistIn = NULL;

        if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_PERSIST_XML,
                                    &persistIn) < 0 ||
            (persistIn && domainDefCheckPersistXML(vm->def, persistIn) < 0))
            goto cleanup;
    }

    mig = g_new0(TestMig, 1);
    mig->driver = driver;
    mig->vm = vm;
    mig->flags = flags;
    mig->startMs = g_get_monotonic_time() / 1000;
    mig->faults = testMigFaultsLoad(MIG_SIDE_SOURCE);
    mig->conn = dom->conn;
    migrationCtxInit(&mig->ctx, MIG_SIDE_SOURCE, &testMigHooks, mig);

    if (flags & VIR_MIGRATE_OFFLINE) {
        /* Nothing runs: the definition moves, no phase machine needed. */
        xml = domainDefFormat(vm->def, DOMAIN_DEF_FORMAT_INACTIVE |
                                       DOMAIN_DEF_FORMAT_SECURE);
        if (xml)
            testMigCookieOut(testMigCookieFormat(driver, vm, NULL, xml),
                             cookieout, cookieoutlen);
        testMigFree(mig);
        goto cleanup;
    }

    {
        g_autofree char *key = testMigKey(vm->def->uuid);

        g_mutex_lock(&driver->migLock);
        g_hash_table_insert(driver->migrations, g_steal_pointer(&key), mig);
        g_mutex_unlock(&driver->migLock);
    }
    testMigApplyFaults(mig);
    if (testMigHandle(mig, MIG_EVENT_BEGIN) <= 0 ||
        migrationPhaseInfo(mig->ctx.phase)->step != MIG_STEP_BEGIN) {
        if (!errorIsSet())
            reportError(VIR_ERR_OPERATION_FAILED, "%s",
                        _("migration could not begin"));
        testMigForget(driver, vm->def->uuid);
        goto cleanup;
    }

    if (xmlin)
        xml = g_strdup(xmlin);
    else
        xml = domainDefFormat(vm->def, DOMAIN_DEF_FORMAT_SECURE);
    if (flags & VIR_MIGRATE_PERSIST_DEST) {
        const char *persistIn = NULL;

        if (virTypedParamsGetString(params, nparams,
                                    VIR_MIGRATE_PARAM_PERSIST_XML,
                                    &persistIn) < 0) {
            g_clear_pointer(&xml, g_free);
            goto cleanup;
        }
        persist = persistIn ? g_strdup(persistIn) :
                  domainDefFormat(domainObjGetPersistentDef(vm),
                                  DOMAIN_DEF_FORMAT_INACTIVE |
                                  DOMAIN_DEF_FORMAT_SECURE);
    }
    testMigCookieOut(testMigCookieFormat(driver, vm, NULL, persist),
                     cookieout, cookieoutlen);

 cleanup:
    domainObjEndAPI(&vm);
    return xml;
}

static int
testDomainMigratePrepareAny(virConnectPtr dconn, virStreamPtr st,
                            virTypedParameterPtr params, int nparams,
                            const char *cookiein, int cookieinlen,
                            char **cookieout, int *cookieoutlen,
                            char **uriOut, unsigned int flags);

static int
testDomainMigratePrepare3Params(virConnectPtr dconn,
                                virTypedParameterPtr params, int nparams,
                                const char *cookiein, int cookieinlen,
                                char **cookieout, int *cookieoutlen,
                                char **uriOut, unsigned int flags)
{
    if (flags & VIR_MIGRATE_TUNNELLED) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("tunnelled migration needs the tunnelled prepare step"));
        return -1;
    }
    return testDomainMigratePrepareAny(dconn, NULL, params, nparams, cookiein, cookieinlen,
                                       cookieout, cookieoutlen, uriOut, flags);
}

static int
testDomainMigratePrepareTunnel3Params(virConnectPtr dconn, virStreamPtr st,
                                      virTypedParameterPtr params, int nparams,
                                      const char *cookiein, int cookieinlen,
                                      char **cookieout, int *cookieoutlen,
                                      unsigned int flags)
{
    if (!(flags & VIR_MIGRATE_TUNNELLED) || (flags & VIR_MIGRATE_OFFLINE)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("the tunnelled prepare step needs a live VIR_MIGRATE_TUNNELLED migration"));
        return -1;
    }
    return testDomainMigratePrepareAny(dconn, st, params, nparams, cookiein, cookieinlen,
                                       cookieout, cookieoutlen, NULL, flags);
}

static int
testDomainMigratePrepareAny(virConnectPtr dconn, virStreamPtr st,
                            virTypedParameterPtr params, int nparams,
                            const char *cookiein, int cookieinlen,
                            char **cookieout, int *cookieoutlen,
                            char **uriOut, unsigned int flags)
{
    TestDriver *driver = dconn->privateData;
    const char *xml = NULL;
    const char *dname = NULL;
    g_autofree char *persist = NULL;
    g_autoptr(DomainDef) def = NULL;
    DomainObj *vm = NULL;
    TestMig *mig = NULL;
    TestMigCookieStream streamID;
    const char *uriIn = NULL;
    g_autofree char *linkURI = NULL;
    int ret = -1;

    checkFlags(flags, TEST_MIGRATION_FLAGS, -1);
    if (migrateParamsValidate(params, nparams) < 0)
        return -1;
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_XML,
                                &xml) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_NAME,
                                &dname) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_URI,
                                &uriIn) < 0)
        return -1;
    if (!xml) {
        reportError(VIR_ERR_INVALID_ARG, "%s",
                    _("no domain XML passed to the migration"));
        return -1;
    }
    if (testMigCookieParse(driver, cookiein, cookieinlen, &streamID,
                           &persist) < 0)
        return -1;
    if (!(def = domainDefParseString(xml, DOMAIN_DEF_PARSE_INACTIVE)))
        return -1;
    testNodeFillDefaults(def);
    if (dname) {
        g_free(def->name);
        def->name = g_strdup(dname);
    }

    if (flags & VIR_MIGRATE_OFFLINE) {
        /* the definition only: it is added in Finish */
        testMigCookieOut(testMigCookieFormat(driver, NULL, NULL, NULL),
                         cookieout, cookieoutlen);
        return 0;
    }

    def->id = -1;
    if (!(vm = domainObjListAdd(driver->domains, &def,
                                DOMAIN_OBJ_LIST_ADD_LIVE |
                                DOMAIN_OBJ_LIST_ADD_CHECK_LIVE, NULL)))
        return -1;
    if (testDomainStartState(driver, vm, VIR_DOMAIN_RUNNING_MIGRATED) < 0)
        goto error;
    /* no state until the table shows its phase (STARTED_MIGRATED) */
    domainObjSetState(vm, VIR_DOMAIN_NOSTATE, 0);

    mig = g_new0(TestMig, 1);
    mig->driver = driver;
    mig->vm = vm;
    mig->flags = flags;
    mig->startMs = g_get_monotonic_time() / 1000;
    mig->faults = testMigFaultsLoad(MIG_SIDE_DEST);
    mig->persistXML = (flags & VIR_MIGRATE_PERSIST_DEST) ?
                      g_steal_pointer(&persist) : NULL;
    mig->stream = testMigStreamNew();
    mig->conn = dconn;
    migrationCtxInit(&mig->ctx, MIG_SIDE_DEST, &testMigHooks, mig);
    {
        g_autofree char *key = testMigKey(vm->def->uuid);

        g_mutex_lock(&driver->migLock);
        g_hash_table_insert(driver->migrations, g_steal_pointer(&key), mig);
        g_mutex_unlock(&driver->migLock);
    }

    /*
     * In virtkitd the source is another process (another host): it
     * connects to a port of ours, found through the URI we return.
     */
    if (daemonModeIsActive() && testMigStreamListen(mig->stream, uriIn, &linkURI) < 0)
        goto error;
    if (st && !(mig->tunnelIn = testMigTunnelInNew(st)))
        goto error;
    testMigApplyFaults(mig);
    if (testMigHandle(mig, MIG_EVENT_PREPARE) <= 0 ||
        migrationPhaseInfo(mig->ctx.phase)->step != MIG_STEP_PREPARE) {
        if (!errorIsSet())
            reportError(VIR_ERR_OPERATION_FAILED, "%s",
                        _("migration could not be prepared"));
        goto error;
    }
    testMigCookieOut(testMigCookieFormat(driver, vm, mig->stream, NULL),
                     cookieout, cookieoutlen);
    if (uriOut && linkURI)
        *uriOut = g_steal_pointer(&linkURI);
    else if (uriOut)
        *uriOut = g_strdup_printf("test+stream://%u", mig->stream->id);
    ret = 0;
    domainObjEndAPI(&vm);
    return ret;

 error:
    {
        g_autoptr(SavedError) saved = errorSave();

        if (vm) {
            if (domainObjIsActive(vm) &&
                domainObjGetState(vm, NULL) != VIR_DOMAIN_NOSTATE) {
                testDomainStop(driver, vm, VIR_DOMAIN_SHUTOFF_FAILED,
                               VIR_DOMAIN_EVENT_STOPPED_FAILED);
            } else if (domainObjIsActive(vm)) {
                domainObjListReleaseID(driver->domains, vm);
                domainObjRemoveTransientDef(vm);
                if (!vm->persistent)
                    domainObjListRemove(driver->domains, vm);
            }
            testMigForget(driver, vm->def->uuid);
        }
    }
    domainObjEndAPI(&vm);
    return -1;
}

/* Migration tunables of a domain (as QEMU's migration parameters). */
typedef struct {
    unsigned long bandwidth;          /* MiB/s */
    unsigned long postcopyBandwidth;  /* MiB/s */
    unsigned long long downtime;      /* ms */
    /* the statistics of the last completed migration (GetJobStats COMPLETED) */
    bool completed;
    int completedOperation;           /* virDomainJobOperation */
    unsigned long long completedElapsed;  /* ms */
    unsigned long long completedData;     /* bytes */
} TestMigSettings;

/* QEMU's defaults: no bandwidth limit (as libvirt reports it), 300 ms. */
#define TEST_MIG_BANDWIDTH_MAX (G_MAXINT64 / (1024 * 1024))
#define TEST_MIG_DOWNTIME_DEFAULT 300

/* The settings of @vm (locked, active), created on first use. */
static TestMigSettings *
testMigSettingsGet(TestDriver *driver, DomainObj *vm)
{
    g_autofree char *key = testMigKey(vm->def->uuid);
    TestMigSettings *s;

    g_mutex_lock(&driver->migLock);
    if (!(s = g_hash_table_lookup(driver->migSettings, key))) {
        s = g_new0(TestMigSettings, 1);
        s->bandwidth = TEST_MIG_BANDWIDTH_MAX;
        s->postcopyBandwidth = TEST_MIG_BANDWIDTH_MAX;
        s->downtime = TEST_MIG_DOWNTIME_DEFAULT;
        g_hash_table_insert(driver->migSettings, g_steal_pointer(&key), s);
    }
    g_mutex_unlock(&driver->migLock);
    return s;
}

/*
 * The simulated pre-copy transfer of the guest's memory at the speed
 * limit (virDomainMigrateSetMaxSpeed / VIR_MIGRATE_PARAM_BANDWIDTH;
 * unlimited by default, then it is instant).  While the transfer runs,
 * sleeps a little with @vm unlocked, so that job queries, abort and
 * speed changes get through, as during a real migration.
 *
 * Returns: true when it slept (call again), false when the memory is
 * through (or the transfer is no longer active).
 */
static bool
testMigTransferWait(TestMig *mig, DomainObj *vm)
{
    gint64 now = g_get_monotonic_time();
    unsigned long bw;
    MigEvent xfer;

    g_mutex_lock(&mig->stream->lock);
    xfer = mig->stream->xfer;
    g_mutex_unlock(&mig->stream->lock);
    if (xfer != MIG_EVENT_Q_ACTIVE && xfer != MIG_EVENT_Q_POSTCOPY)
        return false;
    if (mig->dataTotal == 0) {
        mig->dataTotal = MAX(vm->def->mem.total, 1) * 1024ULL;
        mig->lastXferUs = now;
    }
    if (xfer == MIG_EVENT_Q_POSTCOPY) {
        /* the rest of the memory, at QEMU's max-postcopy-bandwidth */
        bw = testMigSettingsGet(mig->driver, vm)->postcopyBandwidth;
    } else {
        bw = testMigSettingsGet(mig->driver, vm)->bandwidth;
        if (mig->postcopyNow) {
            /* the rest of the memory comes in post-copy */
            return false;
        }
    }
    if (bw >= TEST_MIG_BANDWIDTH_MAX) {
        mig->dataProcessed = mig->dataTotal;
        return false;
    }
    mig->dataProcessed += (unsigned long long)((double)bw * 1024 * 1024 *
                                               (double)(now - mig->lastXferUs) / G_USEC_PER_SEC);
    mig->lastXferUs = now;
    if (mig->dataProcessed >= mig->dataTotal) {
        mig->dataProcessed = mig->dataTotal;
        return false;
    }
    domainObjUnlock(vm);
    g_usleep(20 * 1000);
    domainObjLock(vm);
    return true;
}

/* The error a failed Perform reports when no action reported one. */
static void
testMigPerformError(TestMig *mig)
{
    if (errorIsSet())
        return;
    if (mig->aborted)
        reportError(VIR_ERR_OPERATION_ABORTED, "%s",
                    _("job 'migration out' canceled by client"));
    else if (mig->callLost)
        reportError(VIR_ERR_OPERATION_FAILED, "%s",
                    _("the source daemon restarted during the migration"));
    else
        reportError(VIR_ERR_OPERATION_FAILED,
                    _("migration failed in phase %1$s"),
                    migrationPhaseName(mig->ctx.phase));
}

static int testDomainMigratePerformTunnel(virDomainPtr dom, virStreamPtr st,
                                          virTypedParameterPtr params, int nparams,
                                          const char *cookiein, int cookieinlen,
                                          char **cookieout, int *cookieoutlen,
                                          unsigned int flags);
static int testDomainMigrateP2P(virDomainPtr dom, const char *dconnuri,
                                virTypedParameterPtr params, int nparams,
                                unsigned int flags);

static int
testDomainMigratePerform3Params(virDomainPtr dom, const char *dconnuri,
                                virTypedParameterPtr params, int nparams,
                                const char *cookiein, int cookieinlen,
                                char **cookieout, int *cookieoutlen,
                                unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    TestMig *mig;
    TestMigCookieStream streamID;
    int ret = -1;

    checkFlags(flags, TEST_MIGRATION_FLAGS, -1);
    if (migrateParamsValidate(params, nparams) < 0)
        return -1;
    if (flags & VIR_MIGRATE_PEER2PEER)
        return testDomainMigrateP2P(dom, dconnuri, params, nparams, flags);

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    if (flags & VIR_MIGRATE_OFFLINE) {
        ret = 0;
        goto cleanup;
    }
    if (!(mig = testMigFind(driver, vm))) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("domain is not being migrated"));
        goto cleanup;
    }
    mig->conn = dom->conn;
    if (testMigCookieParse(driver, cookiein, cookieinlen, &streamID, NULL) < 0)
        goto cleanup;
    if (!mig->stream && streamID.pid != (long long)getpid()) {
        /* the destination is another process: connect our mirror to it */
        const char *uri = NULL;

        if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_URI, &uri) < 0 ||
            !(mig->stream = testMigStreamConnect(uri, streamID.port, streamID.token)))
            goto cleanup;
    }
    if (!mig->stream && !(mig->stream = testMigStreamLookup(streamID.id))) {
        reportError(VIR_ERR_OPERATION_FAILED, "%s",
                    _("the destination is not ready to receive"));
        goto cleanup;
    }
    mig->callLost = false;
    {
        unsigned long long bandwidth = 0;
        int rc = virTypedParamsGetULLong(params, nparams, VIR_MIGRATE_PARAM_BANDWIDTH,
                                         &bandwidth);

        if (rc < 0)
            goto cleanup;
        if (rc == 1 && bandwidth > 0)
            testMigSettingsGet(driver, vm)->bandwidth = MIN(bandwidth, TEST_MIG_BANDWIDTH_MAX);
    }

    if (testMigHandle(mig, MIG_EVENT_PERFORM) <= 0 || mig->callLost) {
        testMigPerformError(mig);
        goto cleanup;
    }
    /* The simulated QEMU: run until the transfer is over either way. */
    while (!mig->callLost &&
           !migrationPhaseIsTerminal(mig->ctx.phase) &&
           migrationPhaseInfo(mig->ctx.phase)->step != MIG_STEP_PERFORM) {
        MigEvent ev = testMigStreamPop(mig->stream, MIG_SIDE_SOURCE);

        if (ev == MIG_EVENT_NONE && testMigTransferWait(mig, vm))
            continue;
        if (ev == MIG_EVENT_NONE) {
            g_mutex_lock(&mig->stream->lock);
            if (mig->stream->xfer == MIG_EVENT_Q_ACTIVE) {
                mig->stream->xfer = ev = MIG_EVENT_Q_PRESWITCHOVER;
            } else if (mig->stream->xfer == MIG_EVENT_Q_POSTCOPY) {
                mig->stream->xfer = ev = MIG_EVENT_Q_COMPLETED;
                g_queue_push_tail(&mig->stream->dstEvents,
                                  GINT_TO_POINTER(ev));
            }
            g_mutex_unlock(&mig->stream->lock);
            /*
             * QEMU stops the CPUs before pre-switchover: its STOP event
             * shows paused/migration (reference/migration.md).
             */
            if (ev == MIG_EVENT_Q_PRESWITCHOVER &&
                domainObjGetState(vm, NULL) == VIR_DOMAIN_RUNNING)
                testMigShow(mig, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION,
                            VIR_DOMAIN_EVENT_SUSPENDED,
                            VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED);
        }
        if (ev == MIG_EVENT_NONE) {
            reportError(VIR_ERR_INTERNAL_ERROR,
                        _("migration stalled in phase %1$s"),
                        migrationPhaseName(mig->ctx.phase));
            goto cleanup;
        }
        if (testMigHandle(mig, ev) < 0)
            break;
    }
    if (mig->callLost ||
        migrationPhaseInfo(mig->ctx.phase)->step != MIG_STEP_PERFORM) {
        testMigPerformError(mig);
        goto cleanup;
    }
    {
        /* the source's statistics travel to the destination (Finish) */
        g_autofree char *cookie = testMigCookieFormat(driver, vm, NULL, NULL);
        g_autoptr(GString) buf = g_string_new(cookie);
        const char *end = strstr(buf->str, "</qemu-migration>");

        g_string_truncate(buf, end - buf->str);
        g_string_append_printf(buf, "  <feature name='statistics'/>\n"
                               "  <statistics>\n"
                               "    <time_elapsed>%lld</time_elapsed>\n"
                               "    <data_total>%llu</data_total>\n"
                               "  </statistics>\n</qemu-migration>\n",
                               (long long)(g_get_monotonic_time() / 1000 - mig->startMs),
                               mig->dataTotal);
        testMigCookieOut(g_string_free(g_steal_pointer(&buf), FALSE), cookieout,
                         cookieoutlen);
    }
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static virDomainPtr
testDomainMigrateFinish3Params(virConnectPtr dconn,
                               virTypedParameterPtr params, int nparams,
                               const char *cookiein, int cookieinlen,
                               char **cookieout, int *cookieoutlen,
                               unsigned int flags, int cancelled)
{
    TestDriver *driver = dconn->privateData;
    const char *dname = NULL;
    const char *xml = NULL;
    DomainObj *vm = NULL;
    TestMig *mig;
    virDomainPtr dom = NULL;
    g_autofree char *name = NULL;

    checkFlags(flags, TEST_MIGRATION_FLAGS, NULL);
    if (migrateParamsValidate(params, nparams) < 0)
        return NULL;
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_NAME,
                                &dname) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_XML,
                                &xml) < 0)
        return NULL;
    if (dname) {
        name = g_strdup(dname);
    } else if (xml) {
        g_autoptr(DomainDef) def = domainDefParseString(xml, DOMAIN_DEF_PARSE_INACTIVE);

        if (!def)
            return NULL;
        name = g_strdup(def->name);
    }
    if (!name) {
        reportError(VIR_ERR_INVALID_ARG, "%s",
                    _("no domain name for the migration"));
        return NULL;
    }

    if (flags & VIR_MIGRATE_OFFLINE) {
        g_autoptr(DomainDef) def = NULL;

        if (cancelled) {
            reportError(VIR_ERR_OPERATION_FAILED, "%s",
                        _("offline migration was cancelled"));
            return NULL;
        }
        if (!xml || !(def = domainDefParseString(xml, DOMAIN_DEF_PARSE_INACTIVE)))
            return NULL;
        testNodeFillDefaults(def);
        g_free(def->name);
        def->name = g_strdup(name);
        if (!(vm = domainObjListAdd(driver->domains, &def, 0, NULL)))
            return NULL;
        testEventQueue(driver, vm, VIR_DOMAIN_EVENT_DEFINED,
                       VIR_DOMAIN_EVENT_DEFINED_ADDED);
        dom = domainObjHandleNew(dconn, vm);
        domainObjEndAPI(&vm);
        return dom;
    }

    if (!(vm = domainObjListFindByName(driver->domains, name)) ||
        !(mig = testMigFind(driver, vm))) {
        reportError(VIR_ERR_NO_DOMAIN,
                    _("domain '%1$s' is not being migrated"), name);
        goto cleanup;
    }
    mig->conn = dconn;
    mig->callLost = false;
    testMigDrain(mig);
    if (!cancelled && mig->tunnelIn && testMigTunnelInCheck(mig->tunnelIn, 10000) < 0) {
        /* as QEMU whose incoming stream broke: the guest is not kept */
        g_autoptr(SavedError) tunnelErr = errorSave();

        testMigHandle(mig, MIG_EVENT_FINISH_CANCELLED);
        errorRestore(&tunnelErr);
        if (migrationPhaseIsTerminal(mig->ctx.phase))
            testMigForget(driver, vm->def->uuid);
        goto cleanup;
    }
    /* a restart while handling QEMU's events: this call is gone */
    if (mig->callLost ||
        testMigHandle(mig, cancelled ? MIG_EVENT_FINISH_CANCELLED :
                                       MIG_EVENT_FINISH) <= 0 ||
        mig->callLost || cancelled ||
        migrationPhaseInfo(mig->ctx.phase)->step != MIG_STEP_FINISH) {
        if (!errorIsSet())
            reportError(VIR_ERR_OPERATION_FAILED,
                        _("migration of domain '%1$s' failed on the destination (%2$s)"),
                        name, migrationPhaseName(mig->ctx.phase));
        if (migrationPhaseIsTerminal(mig->ctx.phase))
            testMigForget(driver, vm->def->uuid);
        goto cleanup;
    }
    testMigCookieOut(testMigCookieFormat(driver, vm, NULL, NULL), cookieout,
                     cookieoutlen);
    {
        TestMigSettings *s = testMigSettingsGet(driver, vm);

        s->completed = true;
        s->completedOperation = VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN;
        /* the source's figures when its cookie has them, as libvirt reports */
        if (testMigCookieStats(driver, cookiein, cookieinlen, &s->completedElapsed,
                               &s->completedData) <= 0) {
            errorReset();
            s->completedElapsed = g_get_monotonic_time() / 1000 - mig->startMs;
            s->completedData = MAX(vm->def->mem.total, 1) * 1024ULL;
        }
    }
    testMigForget(driver, vm->def->uuid);
    dom = domainObjHandleNew(dconn, vm);

 cleanup:
    domainObjEndAPI(&vm);
    return dom;
}

static int
testDomainMigrateConfirm3Params(virDomainPtr dom, virTypedParameterPtr params,
                                int nparams, const char *cookiein,
                                int cookieinlen, unsigned int flags,
                                int cancelled)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    TestMig *mig;
    int ret = -1;

    checkFlags(flags, TEST_MIGRATION_FLAGS, -1);
    if (migrateParamsValidate(params, nparams) < 0)
        return -1;
    if (!(vm = testDomObjFromDomain(dom)))
        return -1;

    if (flags & VIR_MIGRATE_OFFLINE) {
        if (!cancelled && (flags & VIR_MIGRATE_UNDEFINE_SOURCE)) {
            testEventQueue(driver, vm, VIR_DOMAIN_EVENT_UNDEFINED,
                           VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
            domainObjListRemove(driver->domains, vm);
        }
        ret = 0;
        goto cleanup;
    }
    if (!(mig = testMigFind(driver, vm))) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("domain is not being migrated"));
        goto cleanup;
    }
    mig->conn = dom->conn;
    mig->callLost = false;
    if (cancelled && migrationPhaseIsTerminal(mig->ctx.phase)) {
        /* already over on this side (aborted, failed, lost): nothing to undo */
        ret = 0;
    } else if (testMigHandle(mig, cancelled ? MIG_EVENT_CONFIRM_CANCELLED :
                                              MIG_EVENT_CONFIRM) <= 0) {
        if (!errorIsSet())
            reportError(VIR_ERR_OPERATION_INVALID,
                        _("migration cannot be confirmed in phase %1$s"),
                        migrationPhaseName(mig->ctx.phase));
    } else {
        ret = 0;
    }

    if (mig->ctx.phase == MIG_PHASE_S_COMPLETED) {
        virTypedParameterPtr stats = NULL;
        int nstats = 0;
        int maxstats = 0;
        TestMigSettings *s = testMigSettingsGet(driver, vm);

        s->completed = true;
        s->completedOperation = VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT;
        s->completedElapsed = g_get_monotonic_time() / 1000 - mig->startMs;
        s->completedData = mig->dataTotal;

        virTypedParamsAddInt(&stats, &nstats, &maxstats,
                             VIR_DOMAIN_JOB_OPERATION,
                             VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT);
        virTypedParamsAddULLong(&stats, &nstats, &maxstats,
                                VIR_DOMAIN_JOB_TIME_ELAPSED,
                                g_get_monotonic_time() / 1000 - mig->startMs);
        domainEventStateQueue(driver->events,
                              domainEventJobCompletedNew(vm->def->name,
                                                         vm->def->uuid, -1,
                                                         stats, nstats));
        if ((flags & VIR_MIGRATE_UNDEFINE_SOURCE) && vm->persistent &&
            !vm->removed) {
            testEventQueue(driver, vm, VIR_DOMAIN_EVENT_UNDEFINED,
                           VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
            domainObjListRemove(driver->domains, vm);
        }
    }
    if (migrationPhaseIsTerminal(mig->ctx.phase) ||
        mig->ctx.phase == MIG_PHASE_S_NONE)
        testMigForget(driver, vm->def->uuid);

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

/*
 * Tunnelled Perform (source): the normal Perform, with the pump thread
 * sending the simulated memory into @st meanwhile.  A failed Perform
 * stops the pump, which aborts the stream; a failed pump fails Perform.
 */
static int
testDomainMigratePerformTunnel(virDomainPtr dom, virStreamPtr st,
                               virTypedParameterPtr params, int nparams,
                               const char *cookiein, int cookieinlen,
                               char **cookieout, int *cookieoutlen,
                               unsigned int flags)
{
    TestMigTunnelOut out = { 0 };
    unsigned long long mem = 0;
    int ret;

    {
        DomainObj *vm = testDomObjFromDomain(dom);

        if (!vm)
            return -1;
        mem = MAX(vm->def->mem.total, 1) * 1024ULL;
        domainObjEndAPI(&vm);
    }
    out.st = st;
    virStreamRef(st);
    out.length = MIN(mem, TEST_MIG_TUNNEL_MAX);
    out.thread = g_thread_new("test-mig-tunnel-out", testMigTunnelOutThread, &out);

    ret = testDomainMigratePerform3Params(dom, NULL, params, nparams, cookiein, cookieinlen,
                                          cookieout, cookieoutlen, flags);
    if (ret < 0) {
        g_autoptr(SavedError) performErr = errorSave();

        /* the pump sends at most one more chunk, then aborts the stream */
        g_atomic_int_set(&out.stop, 1);
        g_thread_join(out.thread);
        virStreamFree(st); /* an API call: it resets this thread's error */
        errorRestore(&performErr);
    } else {
        g_thread_join(out.thread);
        virStreamFree(st);
        if (out.failed) {
            errorRestore(&out.error);
            ret = -1;
        }
    }
    if (out.error)
        savedErrorFree(out.error);
    return ret;
}

/*
 * The test driver's state mirror between two processes needs the
 * destination's address (test_miglink.c); a tunnelled migration has no
 * migration URI, so it is the host of @dconnuri unless the caller gave one.
 */
static int
testMigTunnelParams(const char *dconnuri, virTypedParameterPtr params, int nparams,
                    virTypedParameterPtr *ret, int *nret)
{
    const char *uri = NULL;
    int max = 0;
    int i;

    *ret = NULL;
    *nret = 0;
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_URI, &uri) < 0)
        return -1;
    for (i = 0; i < nparams; i++) {
        const virTypedParameter *p = &params[i];
        int rc = -1;

        switch (p->type) {
        case VIR_TYPED_PARAM_INT:
            rc = virTypedParamsAddInt(ret, nret, &max, p->field, p->value.i);
            break;
        case VIR_TYPED_PARAM_UINT:
            rc = virTypedParamsAddUInt(ret, nret, &max, p->field, p->value.ui);
            break;
        case VIR_TYPED_PARAM_LLONG:
            rc = virTypedParamsAddLLong(ret, nret, &max, p->field, p->value.l);
            break;
        case VIR_TYPED_PARAM_ULLONG:
            rc = virTypedParamsAddULLong(ret, nret, &max, p->field, p->value.ul);
            break;
        case VIR_TYPED_PARAM_DOUBLE:
            rc = virTypedParamsAddDouble(ret, nret, &max, p->field, p->value.d);
            break;
        case VIR_TYPED_PARAM_BOOLEAN:
            rc = virTypedParamsAddBoolean(ret, nret, &max, p->field, p->value.b);
            break;
        case VIR_TYPED_PARAM_STRING:
            rc = virTypedParamsAddString(ret, nret, &max, p->field, p->value.s);
            break;
        }
        if (rc < 0)
            goto error;
    }
    if (!uri) {
        g_autoptr(GUri) parsed = g_uri_parse(dconnuri, G_URI_FLAGS_NON_DNS, NULL);
        const char *host = parsed ? g_uri_get_host(parsed) : NULL;

        if (host && *host) {
            g_autofree char *linkURI = strchr(host, ':') ?
                                       g_strdup_printf("tcp://[%s]", host) :
                                       g_strdup_printf("tcp://%s", host);

            if (virTypedParamsAddString(ret, nret, &max, VIR_MIGRATE_PARAM_URI, linkURI) < 0)
                goto error;
        }
    }
    return 0;

 error:
    virTypedParamsFree(*ret, *nret);
    *ret = NULL;
    *nret = 0;
    return -1;
}

/*
 * Peer-to-peer: this host drives the destination itself, over its own
 * connection to @dconnuri (in-process, as the daemon would over RPC).
 */
static int
testDomainMigrateP2P(virDomainPtr dom, const char *dconnuri,
                     virTypedParameterPtr params, int nparams,
                     unsigned int flags)
{
    virConnectPtr dconn = NULL;
    virDomainPtr ddom = NULL;
    g_autoptr(SavedError) saved = NULL;

    if (!dconnuri) {
        reportError(VIR_ERR_INVALID_ARG, "%s",
                    _("peer-to-peer migration needs the destination URI"));
        return -1;
    }
    /* in-process: the failed open left its error in this thread's slot */
    if (!(dconn = virConnectOpen(dconnuri)))
        return -1;
    if (flags & VIR_MIGRATE_TUNNELLED) {
        virTypedParameterPtr tparams = NULL;
        int ntparams = 0;

        if (testMigTunnelParams(dconnuri, params, nparams, &tparams, &ntparams) < 0) {
            saved = errorSave();
            virConnectClose(dconn);
            errorRestore(&saved);
            return -1;
        }
        ddom = migrateRunTunnelSteps(dom, dconn, tparams, ntparams,
                                     flags & ~VIR_MIGRATE_PEER2PEER,
                                     testDomainMigratePerformTunnel);
        saved = errorSave();
        virTypedParamsFree(tparams, ntparams);
    } else {
        ddom = migrateRunSteps(dom, dconn, params, nparams,
                               flags & ~VIR_MIGRATE_PEER2PEER);
        saved = errorSave();
    }
    if (ddom)
        virDomainFree(ddom);
    virConnectClose(dconn);
    errorRestore(&saved);
    return ddom ? 0 : -1;
}

/*
 * The simulated pre-copy transfer ends at once and the switch-over goes
 * to post-copy (which VIR_MIGRATE_POSTCOPY does by itself at the end of
 * the pre-copy pass); libvirt 9.0's QEMU driver messages.
 */
static int
testDomainMigrateStartPostCopy(virDomainPtr dom, unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    TestMig *mig;
    int ret = -1;

    checkFlags(flags, 0, -1);
    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    if (domainObjCheckActive(vm) < 0)
        goto cleanup;
    if (!(mig = testMigFind(driver, vm)) || mig->ctx.side != MIG_SIDE_SOURCE ||
        (mig->ctx.phase != MIG_PHASE_S_BEGIN && mig->ctx.phase != MIG_PHASE_S_PERFORM)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("post-copy can only be started while outgoing migration is in progress"));
        goto cleanup;
    }
    if (!(mig->flags & VIR_MIGRATE_POSTCOPY)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("switching to post-copy requires migration to be started with VIR_MIGRATE_POSTCOPY flag"));
        goto cleanup;
    }
    mig->postcopyNow = true;
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

/* ---- jobs: a migration is the test driver's only job ---- */

/* The migration of @vm (locked) in an active phase, or NULL. */
static TestMig *
testMigActive(TestDriver *driver, DomainObj *vm)
{
    TestMig *mig = testMigFind(driver, vm);

    if (!mig || migrationPhaseIsTerminal(mig->ctx.phase) ||
        mig->ctx.phase == MIG_PHASE_S_NONE || mig->ctx.phase == MIG_PHASE_D_NONE)
        return NULL;
    return mig;
}

static int
testDomainGetJobInfo(virDomainPtr dom, virDomainJobInfoPtr info)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    TestMig *mig;

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    memset(info, 0, sizeof(*info));
    info->type = VIR_DOMAIN_JOB_NONE;
    if ((mig = testMigActive(driver, vm))) {
        info->type = VIR_DOMAIN_JOB_UNBOUNDED;
        info->timeElapsed = g_get_monotonic_time() / 1000 - mig->startMs;
        info->dataTotal = info->memTotal = mig->dataTotal;
        info->dataProcessed = info->memProcessed = mig->dataProcessed;
        info->dataRemaining = info->memRemaining = mig->dataTotal - mig->dataProcessed;
    }
    domainObjEndAPI(&vm);
    return 0;
}

static int
testDomainGetJobStats(virDomainPtr dom, int *type,
                      virTypedParameterPtr *params, int *nparams,
                      unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    TestMig *mig;
    virTypedParameterPtr par = NULL;
    int npar = 0;
    int maxpar = 0;

    checkFlags(flags, VIR_DOMAIN_JOB_STATS_COMPLETED |
                      VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED, -1);

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    *type = VIR_DOMAIN_JOB_NONE;
    if (flags & VIR_DOMAIN_JOB_STATS_COMPLETED) {
        TestMigSettings *s = testMigSettingsGet(driver, vm);

        if (s->completed) {
            *type = VIR_DOMAIN_JOB_COMPLETED;
            if (virTypedParamsAddInt(&par, &npar, &maxpar, VIR_DOMAIN_JOB_OPERATION,
                                     s->completedOperation) < 0 ||
                virTypedParamsAddULLong(&par, &npar, &maxpar, VIR_DOMAIN_JOB_TIME_ELAPSED,
                                        s->completedElapsed) < 0 ||
                virTypedParamsAddULLong(&par, &npar, &maxpar, VIR_DOMAIN_JOB_DATA_TOTAL,
                                        s->completedData) < 0 ||
                virTypedParamsAddULLong(&par, &npar, &maxpar,
                                        VIR_DOMAIN_JOB_DATA_PROCESSED,
                                        s->completedData) < 0 ||
                virTypedParamsAddULLong(&par, &npar, &maxpar,
                                        VIR_DOMAIN_JOB_DATA_REMAINING, 0) < 0)
                goto error;
            if (!(flags & VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED))
                s->completed = false;
        }
    } else if ((mig = testMigActive(driver, vm))) {
        unsigned long long remaining = mig->dataTotal - mig->dataProcessed;

        *type = VIR_DOMAIN_JOB_UNBOUNDED;
        if (virTypedParamsAddInt(&par, &npar, &maxpar, VIR_DOMAIN_JOB_OPERATION,
                                 mig->ctx.side == MIG_SIDE_SOURCE ?
                                 VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT :
                                 VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN) < 0 ||
            virTypedParamsAddULLong(&par, &npar, &maxpar, VIR_DOMAIN_JOB_TIME_ELAPSED,
                                    g_get_monotonic_time() / 1000 - mig->startMs) < 0 ||
            virTypedParamsAddULLong(&par, &npar, &maxpar, VIR_DOMAIN_JOB_DATA_TOTAL,
                                    mig->dataTotal) < 0 ||
            virTypedParamsAddULLong(&par, &npar, &maxpar, VIR_DOMAIN_JOB_DATA_PROCESSED,
                                    mig->dataProcessed) < 0 ||
            virTypedParamsAddULLong(&par, &npar, &maxpar, VIR_DOMAIN_JOB_DATA_REMAINING,
                                    remaining) < 0 ||
            virTypedParamsAddULLong(&par, &npar, &maxpar, VIR_DOMAIN_JOB_MEMORY_TOTAL,
                                    mig->dataTotal) < 0 ||
            virTypedParamsAddULLong(&par, &npar, &maxpar, VIR_DOMAIN_JOB_MEMORY_PROCESSED,
                                    mig->dataProcessed) < 0 ||
            virTypedParamsAddULLong(&par, &npar, &maxpar, VIR_DOMAIN_JOB_MEMORY_REMAINING,
                                    remaining) < 0)
            goto error;
    }
    *params = par;
    *nparams = npar;
    domainObjEndAPI(&vm);
    return 0;

 error:
    virTypedParamsFree(par, npar);
    domainObjEndAPI(&vm);
    return -1;
}

/* libvirt's messages for an abort that cannot be done (qemu driver, 9.0). */
static int
testDomainAbortJob(virDomainPtr dom)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    TestMig *mig;
    int ret = -1;

    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    if (domainObjCheckActive(vm) < 0)
        goto cleanup;
    if (!(mig = testMigActive(driver, vm))) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("no job is active on the domain"));
        goto cleanup;
    }
    if (mig->ctx.side == MIG_SIDE_DEST) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("cannot abort incoming migration; use virDomainDestroy instead"));
        goto cleanup;
    }
    mig->aborted = true;
    if (testMigHandle(mig, MIG_EVENT_ABORT) <= 0) {
        mig->aborted = false;
        if (!errorIsSet())
            reportError(VIR_ERR_OPERATION_INVALID, "%s",
                        _("cannot abort migration in post-copy mode"));
        goto cleanup;
    }
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

/*
 * virDomainAbortJobFlags.  VIR_DOMAIN_ABORT_JOB_POSTCOPY breaks an outgoing
 * migration in post-copy mode as QEMU's migrate-pause would: both sides see
 * the transfer fail after the switch (the table's post-copy failure).
 */
static int
testDomainAbortJobFlags(virDomainPtr dom, unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    TestMig *mig;
    bool pc = false;
    int ret = -1;

    checkFlags(flags, VIR_DOMAIN_ABORT_JOB_POSTCOPY, -1);
    if (!(flags & VIR_DOMAIN_ABORT_JOB_POSTCOPY))
        return testDomainAbortJob(dom);
    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    if (domainObjCheckActive(vm) < 0)
        goto cleanup;
    if ((mig = testMigActive(driver, vm)) && mig->ctx.side == MIG_SIDE_SOURCE && mig->stream) {
        g_mutex_lock(&mig->stream->lock);
        pc = mig->stream->pcSwitched && mig->stream->xfer == MIG_EVENT_Q_POSTCOPY;
        g_mutex_unlock(&mig->stream->lock);
    }
    if (!pc) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("current job is not outgoing migration in post-copy mode"));
        goto cleanup;
    }
    testMigBreak(mig, MIG_EVENT_Q_PC_FAILED);
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
testDomainMigrateSetMaxSpeed(virDomainPtr dom, unsigned long bandwidth,
                             unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    TestMigSettings *s;

    checkFlags(flags, VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY, -1);
    if (bandwidth > TEST_MIG_BANDWIDTH_MAX) {
        reportError(VIR_ERR_OVERFLOW, _("bandwidth must be less than %1$llu"),
                    (unsigned long long) TEST_MIG_BANDWIDTH_MAX + 1);
        return -1;
    }
    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    s = testMigSettingsGet(driver, vm);
    if (flags & VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY)
        s->postcopyBandwidth = bandwidth;
    else
        s->bandwidth = bandwidth;
    domainObjEndAPI(&vm);
    return 0;
}

static int
testDomainMigrateGetMaxSpeed(virDomainPtr dom, unsigned long *bandwidth,
                             unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    TestMigSettings *s;

    checkFlags(flags, VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY, -1);
    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    s = testMigSettingsGet(driver, vm);
    *bandwidth = (flags & VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY) ?
                 s->postcopyBandwidth : s->bandwidth;
    domainObjEndAPI(&vm);
    return 0;
}

static int
testDomainMigrateSetMaxDowntime(virDomainPtr dom, unsigned long long downtime,
                                unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;

    checkFlags(flags, 0, -1);
    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    testMigSettingsGet(driver, vm)->downtime = downtime;
    domainObjEndAPI(&vm);
    return 0;
}

static int
testDomainMigrateGetMaxDowntime(virDomainPtr dom, unsigned long long *downtime,
                                unsigned int flags)
{
    TestDriver *driver = dom->conn->privateData;
    DomainObj *vm;

    checkFlags(flags, 0, -1);
    if (!(vm = testDomObjFromDomain(dom)))
        return -1;
    *downtime = testMigSettingsGet(driver, vm)->downtime;
    domainObjEndAPI(&vm);
    return 0;
}

static void
testMigFreeVoid(gpointer mig)
{
    testMigFree(mig);
}

/* ---- registration ---- */

static HypervisorDriver testHypervisorDriver = {
    .name = "Test",
    .quickQueries = true,
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
    .nodeGetCPUMap = testNodeGetCPUMap,
    .nodeGetSecurityModel = testNodeGetSecurityModel,
    .nodeGetFreeMemory = testNodeGetFreeMemory,
    .connectListAllDomains = testConnectListAllDomains,
    .connectListAllDomainRecords = testConnectListAllDomainRecords,
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
    .domainSaveFlags = testDomainSaveFlags,
    .domainRestoreFlags = testDomainRestoreFlags,
    .domainSaveImageGetXMLDesc = testDomainSaveImageGetXMLDesc,
    .domainSaveImageDefineXML = testDomainSaveImageDefineXML,
    .domainManagedSave = testDomainManagedSave,
    .domainCoreDump = testDomainCoreDump,
    .domainCoreDumpWithFormat = testDomainCoreDumpWithFormat,
    .domainManagedSaveRemove = testDomainManagedSaveRemove,
    .domainGetSecurityLabel = testDomainGetSecurityLabel,
    .domainGetMetadata = testDomainGetMetadata,
    .domainSetMetadata = testDomainSetMetadata,
    .domainGetJobInfo = testDomainGetJobInfo,
    .domainGetJobStats = testDomainGetJobStats,
    .domainGetVcpus = testDomainGetVcpus,
    .domainBlockStats = testDomainBlockStats,
    .domainInterfaceStats = testDomainInterfaceStats,
    .domainMemoryStats = testDomainMemoryStats,
    .domainGetBlockInfo = testDomainGetBlockInfo,
    .connectGetAllDomainStats = testConnectGetAllDomainStats,
    .domainAbortJob = testDomainAbortJob,
    .domainAbortJobFlags = testDomainAbortJobFlags,
    .domainScreenshot = testDomainScreenshot,
    .connectSupportsFeature = testConnectSupportsFeature,
    .domainMigrateBegin3Params = testDomainMigrateBegin3Params,
    .domainMigratePrepare3Params = testDomainMigratePrepare3Params,
    .domainMigratePrepareTunnel3Params = testDomainMigratePrepareTunnel3Params,
    .domainMigratePerform3Params = testDomainMigratePerform3Params,
    .domainMigrateFinish3Params = testDomainMigrateFinish3Params,
    .domainMigrateConfirm3Params = testDomainMigrateConfirm3Params,
    .domainMigrateSetMaxSpeed = testDomainMigrateSetMaxSpeed,
    .domainMigrateGetMaxSpeed = testDomainMigrateGetMaxSpeed,
    .domainMigrateSetMaxDowntime = testDomainMigrateSetMaxDowntime,
    .domainMigrateGetMaxDowntime = testDomainMigrateGetMaxDowntime,
    .domainMigrateStartPostCopy = testDomainMigrateStartPostCopy,
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
