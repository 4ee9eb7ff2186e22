/* The QEMU hypervisor driver: its table of entry points and its registration. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt-qemu.h>

#define ERR_DOMAIN VIR_FROM_QEMU

#include "api/daemon_mode.h"
#include "api/domain_event.h"
#include "api/domain_export.h"
#include "api/driver.h"
#include "conf/domain_obj.h"
#include "migration/migration.h"
#include "qemu/qemu_command.h"
#include "qemu/qemu_console.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_driver.h"
#include "qemu/qemu_dump.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_process.h"
#include "qemu/qemu_save.h"
#include "qemu/qemu_stats.h"
#include "qemu/qemu_status.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/uuid.h"

LOG_INIT("qemu.driver");

/*
 * Behaviour follows libvirt 9.0's QEMU driver as seen from the public API
 * (states, reasons, events, error codes); docs/qemu-driver.md lists where
 * we differ.
 *
 * Instances: one QemuDriver per root directory and process, shared by the
 * connections that open the same qemu:///embed?root=DIR (as libvirt shares
 * an embedded driver), created by the first and freed with the last.
 * Freeing it leaves the QEMU processes running; the next instance on the
 * same root reconnects to them from their status XML.  Inside virtkitd
 * the same holds for qemu:///system and qemu:///session (one instance
 * each, kept for the daemon's life by the daemon's own connection).
 */
static Mutex qemuInstancesLock;
static GHashTable *qemuInstances;   /* key -> QemuDriver; protected by qemuInstancesLock */

/*
 * The key of an instance in qemuInstances: the embed root (absolute, so
 * it starts with '/'), or the URI of the daemon's instances.
 */
static const char *
qemuDriverInstanceKey(QemuConfigMode mode, const char *root)
{
    switch (mode) {
    case QEMU_CONFIG_EMBED:
        return root;
    case QEMU_CONFIG_SESSION:
        return "qemu:///session";
    case QEMU_CONFIG_SYSTEM:
    default:
        return "qemu:///system";
    }
}

/* ---- instance life ---- */

static gpointer
qemuDriverLoopThread(gpointer opaque)
{
    QemuDriver *driver = opaque;

    g_main_context_push_thread_default(driver->ctx);
    g_main_loop_run(driver->loop);
    g_main_context_pop_thread_default(driver->ctx);
    return NULL;
}

/* The managed save image of domain @name (caller frees). */
static char *
qemuDriverManagedSavePath(QemuDriver *driver, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.save", name);

    return g_build_filename(driver->config->saveDir, file, NULL);
}

/* Gives @vm (locked) its private data if it has none yet. */
static QemuDomainPrivate *
qemuDriverEnsurePrivate(QemuDriver *driver, DomainObj *vm)
{
    if (!vm->privateData) {
        vm->privateData = qemuDomainPrivateNew(driver);
        vm->privateDataFree = qemuDomainPrivateFree;
    }
    return vm->privateData;
}

static void
qemuDriverDetachOne(DomainObj *vm, void *opaque)
{
    if (vm->privateData)
        qemuProcessDetach(vm);
}

static gboolean
qemuDriverLoopQuit(gpointer opaque)
{
    g_main_loop_quit(opaque);
    return G_SOURCE_REMOVE;
}

static void
qemuDriverFree(QemuDriver *driver)
{
    if (!driver)
        return;
    g_atomic_int_set(&driver->closing, 1);
    if (driver->domains)
        domainObjListForEach(driver->domains, qemuDriverDetachOne, NULL);
    if (driver->loop) {
        /*
         * Quit from inside the loop: a g_main_loop_quit() issued before the
         * thread reached g_main_loop_run() would be lost and the join would
         * wait forever (seen when the daemon failed right after start-up).
         */
        g_main_context_invoke(driver->ctx, qemuDriverLoopQuit, driver->loop);
        g_thread_join(driver->loopThread);
    }
    if (driver->workers)
        g_thread_pool_free(driver->workers, FALSE, TRUE);
    /* no worker arms it any more; its callback queues no work once closing */
    qemuMigrationWatchdogFree(driver);
    domainObjListFree(driver->domains);
    domainEventStateFree(driver->events);
    qemuCapsCacheFree(driver->capsCache);
    portAllocatorFree(driver->displayPorts);
    if (driver->loop)
        g_main_loop_unref(driver->loop);
    if (driver->ctx)
        g_main_context_unref(driver->ctx);
    qemuConfigFree(driver->config);
    g_free(driver);
}

/*
 * Loads the persistent definitions (and autostart flags) of the config dir.
 * On a reload (SIGHUP), as libvirt's: a file of a domain not known yet
 * defines it (DEFINED_ADDED event), one of a known domain replaces its
 * inactive (or, when it runs, next-boot) definition; domains whose file
 * is gone stay.
 */
static void
qemuDriverLoadConfigs(QemuDriver *driver, bool reload)
{
    g_autoptr(GDir) dir = g_dir_open(driver->config->configDir, 0, NULL);
    const char *entry;

    if (!dir)
        return;
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        g_autofree char *link = NULL;
        g_autoptr(DomainDef) def = NULL;
        g_autoptr(DomainDef) oldDef = NULL;
        DomainObj *vm;
        bool known = false;

        if (!g_str_has_suffix(entry, ".xml"))
            continue;
        path = g_build_filename(driver->config->configDir, entry, NULL);
        if ((def = domainDefParseFile(path, DOMAIN_DEF_PARSE_INACTIVE)) && reload &&
            (vm = domainObjListFindByName(driver->domains, def->name))) {
            known = true;
            domainObjEndAPI(&vm);
        }
        if (!def || !(vm = domainObjListAdd(driver->domains, &def, 0, &oldDef))) {
            LOG_WARN("cannot load '%s': %s, ignoring", path,
                     errorGetSlot()->message ? errorGetSlot()->message : "");
            errorReset();
            continue;
        }
        qemuDriverEnsurePrivate(driver, vm);
        link = qemuDomainAutostartPath(driver, vm->def->name);
        vm->autostart = g_file_test(link, G_FILE_TEST_EXISTS);
        {
            g_autofree char *image = qemuDriverManagedSavePath(driver, vm->def->name);

            vm->hasManagedSave = g_file_test(image, G_FILE_TEST_EXISTS);
        }
        if (reload && !known) {
            LOG_INFO("reload: domain '%s' defined from '%s'", vm->def->name, path);
            qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_DEFINED,
                                       VIR_DOMAIN_EVENT_DEFINED_ADDED);
        }
        domainObjEndAPI(&vm);
    }
}

/* ConnectDriver.stateReload: every instance (daemon, embedded) re-reads its config dir. */
static int
qemuStateReload(void)
{
    GHashTableIter iter;
    gpointer value;

    mutexLock(&qemuInstancesLock);
    if (qemuInstances) {
        g_hash_table_iter_init(&iter, qemuInstances);
        while (g_hash_table_iter_next(&iter, NULL, &value))
            qemuDriverLoadConfigs(value, true);
    }
    mutexUnlock(&qemuInstancesLock);
    return 0;
}

/* At most this many QEMUs are reconnected at once after a restart. */
#define QEMU_DRIVER_RECONNECT_THREADS 16

/* A thread of the reconnect pool: @data is a domain reference, locked here. */
static void
qemuDriverReconnectOne(gpointer data, gpointer opaque)
{
    DomainObj *vm = data;
    QemuDriver *driver = opaque;

    threadTakeOver(vm);
    errorReset();
    domainObjLock(vm);
    {
        QemuDomainPrivate *priv = qemuDomainPrivate(vm);
        const char *phase = priv->migPhase;

        if (qemuProcessReconnect(driver, vm) == 0 && phase)
            qemuMigrationRecoverLocked(driver, vm, phase, priv->migSide, priv->migFlags);
    }
    domainObjEndAPI(&vm);
    errorReset();
}

/*
 * Takes back every QEMU that a status XML describes.  The domains are
 * added one by one (same ids as before, in order); talking to their QEMUs
 * (connect, greeting, negotiation, query-status) happens in parallel, at
 * most QEMU_DRIVER_RECONNECT_THREADS at once, and returns when all are
 * done: the instance is published only after every domain is either
 * running again or shut off.
 */
static void
qemuDriverReconnectAll(QemuDriver *driver)
{
    g_autoptr(GPtrArray) statuses = qemuStatusLoadAll(driver);
    g_autoptr(GPtrArray) vms = g_ptr_array_new();
    gint64 started = g_get_monotonic_time();
    GThreadPool *pool = NULL;
    size_t i;

    for (i = 0; i < statuses->len; i++) {
        QemuStatus *status = g_ptr_array_index(statuses, i);
        g_autoptr(DomainDef) def = g_steal_pointer(&status->def);
        int wanted = def->id;
        QemuDomainPrivate *priv;
        DomainObj *vm;

        def->id = -1;
        if (!(vm = domainObjListAdd(driver->domains, &def, DOMAIN_OBJ_LIST_ADD_LIVE, NULL))) {
            LOG_WARN("cannot take back domain: %s, ignoring",
                     errorGetSlot()->message ? errorGetSlot()->message : "");
            errorReset();
            continue;
        }
        priv = qemuDriverEnsurePrivate(driver, vm);
        /* Same id as before: ids are handed out in increasing order and the
         * statuses come sorted by id. */
        while (domainObjListAssignID(driver->domains, vm) < wanted)
            ;
        domainObjSetState(vm, status->state, status->reason);
        priv->pid = status->pid;
        priv->monitorPath = g_steal_pointer(&status->monitorPath);
        priv->pidfile = g_steal_pointer(&status->pidfile);
        priv->logPath = g_steal_pointer(&status->logPath);
        priv->taintCustomMonitor = status->taintCustomMonitor;
        if (status->jobType) {
            /* As libvirt: a plain job dies with the daemon that ran it (its
             * caller is gone); a migration is recovered from its phase. */
            LOG_WARN("domain '%s': job %s (%s) was interrupted by the daemon's end; %s",
                     vm->def->name, status->jobType, status->jobApi ? status->jobApi : "?",
                     status->migPhase ? "the migration phase recovers it" : "cleared");
        }
        if (status->migPhase) {
            /* qemuDriverReconnectOne() applies the table's recovery */
            int phase = migrationPhaseFromName(status->migPhase);

            if (phase < 0)
                LOG_WARN("domain '%s': unknown migration phase '%s' in its status, ignoring",
                         vm->def->name, status->migPhase);
            else
                priv->migPhase = migrationPhaseName(phase);
            priv->migSide = status->migSide;
            priv->migFlags = status->migFlags;
        }
        domainObjUnlock(vm);
        g_ptr_array_add(vms, vm);   /* the reference goes to the pool */
    }
    if (vms->len == 0)
        return;
    if (vms->len > 1)
        pool = g_thread_pool_new(qemuDriverReconnectOne, driver,
                                 (int)MIN(vms->len, QEMU_DRIVER_RECONNECT_THREADS), FALSE, NULL);
    for (i = 0; i < vms->len; i++) {
        DomainObj *vm = g_ptr_array_index(vms, i);

        threadHandOff(vm);
        if (pool)
            g_thread_pool_push(pool, vm, NULL);
        else
            qemuDriverReconnectOne(vm, driver);
    }
    if (pool)
        g_thread_pool_free(pool, FALSE, TRUE);
    LOG_INFO("reconnected %u of %u domains in %.1f ms", vms->len, statuses->len,
             (double)(g_get_monotonic_time() - started) / 1000.0);
}

static bool
qemuDriverAutostartFilter(DomainObj *vm, void *opaque)
{
    return vm->autostart && vm->persistent && !domainObjIsActive(vm);
}

static void
qemuDriverAutostartAll(QemuDriver *driver)
{
    g_autoptr(GPtrArray) vms = domainObjListCollect(driver->domains, qemuDriverAutostartFilter,
                                                    NULL);
    size_t i;

    for (i = 0; i < vms->len; i++) {
        DomainObj *vm = g_ptr_array_index(vms, i);

        domainObjLock(vm);
        if (qemuDriverAutostartFilter(vm, NULL) &&
            qemuDomainJobBeginLocked(vm, QEMU_JOB_MODIFY, "autostart") == 0) {
            if (!domainObjIsActive(vm) && qemuProcessStart(driver, vm, 0) < 0) {
                LOG_WARN("cannot autostart domain '%s': %s, ignoring", vm->def->name,
                         errorGetSlot()->message ? errorGetSlot()->message : "");
            }
            qemuDomainJobEndLocked(vm);
        }
        errorReset();
        domainObjUnlock(vm);
    }
}

static QemuDriver *
qemuDriverNew(QemuConfigMode mode, const char *root)
{
    QemuDriver *driver = g_new0(QemuDriver, 1);

    driver->refs = 1;
    driver->config = qemuConfigNew(mode, root);
    if (qemuConfigLoadFile(driver->config, driver->config->configFile) < 0 ||
        qemuConfigMakeDirs(driver->config) < 0) {
        qemuDriverFree(driver);
        return NULL;
    }
    driver->domains = domainObjListNew();
    driver->events = domainEventStateNew();
    driver->capsCache = qemuCapsCacheNew(driver->config->cacheDir);
    driver->displayPorts = portAllocatorNew("display", driver->config->vncPortMin,
                                            driver->config->vncPortMax);
    driver->ctx = g_main_context_new();
    driver->loop = g_main_loop_new(driver->ctx, FALSE);
    driver->loopThread = g_thread_new("qemu-event", qemuDriverLoopThread, driver);
    driver->workers = qemuProcessWorkersNew(driver);
    qemuMigrationWatchdogInit(driver);
    if (qemuMigrationHostUUIDInit(driver) < 0) {
        qemuDriverFree(driver);
        return NULL;
    }

    qemuDriverLoadConfigs(driver, false);
    qemuDriverReconnectAll(driver);
    qemuDriverAutostartAll(driver);
    return driver;
}

static QemuDriver *
qemuDriverAcquire(QemuConfigMode mode, const char *root)
{
    QemuDriver *driver;

    mutexLock(&qemuInstancesLock);
    if (!qemuInstances)
        qemuInstances = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if ((driver = g_hash_table_lookup(qemuInstances, qemuDriverInstanceKey(mode, root)))) {
        g_atomic_int_inc(&driver->refs);
    } else if ((driver = qemuDriverNew(mode, root))) {
        g_hash_table_insert(qemuInstances, g_strdup(qemuDriverInstanceKey(mode, root)), driver);
    }
    mutexUnlock(&qemuInstancesLock);
    return driver;
}

static void
qemuDriverRelease(QemuDriver *driver)
{
    bool last;

    mutexLock(&qemuInstancesLock);
    last = g_atomic_int_dec_and_test(&driver->refs);
    if (last)
        g_hash_table_remove(qemuInstances,
                            qemuDriverInstanceKey(driver->config->mode, driver->config->root));
    mutexUnlock(&qemuInstancesLock);
    if (last)
        qemuDriverFree(driver);
}

/* ---- helpers ---- */

static DomainObj *
qemuDomObjFromDomain(virDomainPtr dom)
{
    QemuDriver *driver = dom->conn->privateData;
    DomainObj *vm = domainObjListFindByUUID(driver->domains, dom->uuid);

    if (!vm) {
        char uuidstr[VIR_UUID_STRING_BUFLEN];

        uuidFormat(dom->uuid, uuidstr);
        reportError(VIR_ERR_NO_DOMAIN, _("no domain with matching uuid '%1$s' (%2$s)"), uuidstr,
                    dom->name);
        return NULL;
    }
    qemuDriverEnsurePrivate(driver, vm);
    return vm;
}

/* Caps of the emulator @def names (or the default one). */
static QemuCaps *
qemuDriverGetCaps(QemuDriver *driver, const DomainDef *def)
{
    const char *emulator = def && def->emulator ? def->emulator : driver->config->emulator;

    return qemuCapsCacheLookup(driver->capsCache, emulator);
}

/* A parsed definition made ready for this driver: type check and defaults. */
static int
qemuDriverPrepareNewDef(QemuDriver *driver, DomainDef *def)
{
    g_autoptr(QemuCaps) caps = NULL;

    if (def->virtType != DOMAIN_VIRT_QEMU && def->virtType != DOMAIN_VIRT_KVM) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("domain type '%1$s' is not supported by the QEMU driver"),
                    domainVirtTypeToString(def->virtType));
        return -1;
    }
    if (!(caps = qemuDriverGetCaps(driver, def)))
        return -1;
    return qemuCommandApplyDefaults(def, caps);
}

/* For qemu_migration.c. */
DomainObj *
qemuDriverDomObjFromDomain(virDomainPtr dom)
{
    return qemuDomObjFromDomain(dom);
}

QemuDomainPrivate *
qemuDriverPrivateOf(QemuDriver *driver, DomainObj *vm)
{
    return qemuDriverEnsurePrivate(driver, vm);
}

int
qemuDriverPrepareDef(QemuDriver *driver, DomainDef *def)
{
    return qemuDriverPrepareNewDef(driver, def);
}

/* ---- connection ---- */

static DrvOpenStatus
qemuConnectOpen(virConnectPtr conn, ParsedUri *uri, virConnectAuthPtr auth, unsigned int flags)
{
    QemuDriver *driver;
    const char *root;

    checkFlags(flags, VIR_CONNECT_RO | VIR_CONNECT_NO_ALIASES, DRV_OPEN_ERROR);

    if (!uri || !streq(uri->scheme, "qemu") || (uri->server && *uri->server))
        return DRV_OPEN_DECLINED;

    if (streq(uri->path, "/embed")) {
        /* virConnectOpen checked that root is given and absolute. */
        root = uriGetParam(uri, "root");
        driver = qemuDriverAcquire(QEMU_CONFIG_EMBED, root);
    } else if (!daemonModeIsActive()) {
        /* qemu:///system and qemu:///session are served by virtkitd. */
        return DRV_OPEN_DECLINED;
    } else if (daemonModeIsPrivileged()) {
        /* As libvirt's privileged daemon: root's session is the system. */
        if (!streq(uri->path, "/system") && !streq(uri->path, "/session")) {
            reportError(VIR_ERR_INTERNAL_ERROR,
                        _("unexpected QEMU URI path '%1$s', try qemu:///system"),
                        uri->path ? uri->path : "");
            return DRV_OPEN_ERROR;
        }
        driver = qemuDriverAcquire(QEMU_CONFIG_SYSTEM, daemonModeGetRoot());
    } else {
        if (!streq(uri->path, "/session")) {
            reportError(VIR_ERR_INTERNAL_ERROR,
                        _("unexpected QEMU URI path '%1$s', try qemu:///session"),
                        uri->path ? uri->path : "");
            return DRV_OPEN_ERROR;
        }
        driver = qemuDriverAcquire(QEMU_CONFIG_SESSION, NULL);
    }
    if (!driver)
        return DRV_OPEN_ERROR;
    conn->privateData = driver;
    return DRV_OPEN_SUCCESS;
}

static int
qemuConnectClose(virConnectPtr conn)
{
    QemuDriver *driver = conn->privateData;

    if (!driver)
        return 0;
    qemuMigrationConnectClosed(driver, conn);
    domainEventStateDeregisterConn(driver->events, conn);
    conn->privateData = NULL;
    qemuDriverRelease(driver);
    return 0;
}

static const char *
qemuConnectGetType(virConnectPtr conn)
{
    return "QEMU";
}

static int
qemuConnectGetVersion(virConnectPtr conn, unsigned long *hvVer)
{
    QemuDriver *driver = conn->privateData;
    g_autoptr(QemuCaps) caps = qemuDriverGetCaps(driver, NULL);

    if (!caps)
        return -1;
    *hvVer = qemuCapsGetVersion(caps);
    return 0;
}

static int
qemuConnectGetLibVersion(virConnectPtr conn, unsigned long *libVer)
{
    *libVer = LIBVIR_VERSION_NUMBER;
    return 0;
}

static char *
qemuConnectGetHostname(virConnectPtr conn)
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
qemuConnectGetCapabilities(virConnectPtr conn)
{
    QemuDriver *driver = conn->privateData;
    g_autoptr(QemuCaps) caps = qemuDriverGetCaps(driver, NULL);
    QemuCapsHost host = { 0 };
    char *xml;

    if (!caps)
        return NULL;
    if (qemuCapsHostProbe(&host) < 0)
        return NULL;
    xml = qemuCapsFormatCapabilitiesXML(&host, &caps, 1);
    qemuCapsHostClear(&host);
    return xml;
}

static int
qemuConnectGetMaxVcpus(virConnectPtr conn, const char *type)
{
    QemuDriver *driver = conn->privateData;
    g_autoptr(QemuCaps) caps = qemuDriverGetCaps(driver, NULL);
    const QemuCapsMachine *machine;

    if (type && !strCaseEq(type, "qemu") && !strCaseEq(type, "kvm")) {
        reportError(VIR_ERR_INVALID_ARG, _("unknown type '%1$s'"), type);
        return -1;
    }
    if (!caps)
        return -1;
    machine = qemuCapsLookupMachine(caps, qemuCapsGetDefaultMachine(caps));
    return machine ? (int)machine->maxCpus : 255;
}

/*
 * virConnectGetDomainCapabilities.  Choices and errors as libvirt 9.0's
 * QEMU driver: the emulator from @emulatorbin or qemu.conf's, virt type
 * kvm when usable else qemu, the emulator's default machine.  Only the
 * emulator's own architecture is served (libvirt also lets an x86_64
 * binary serve i686).
 */
static char *
qemuConnectGetDomainCapabilities(virConnectPtr conn, const char *emulatorbin, const char *arch,
                                 const char *machine, const char *virttype, unsigned int flags)
{
    QemuDriver *driver = conn->privateData;
    g_autoptr(QemuCaps) caps = NULL;
    int virtType = DOMAIN_VIRT_NONE;

    checkFlags(flags, 0, NULL);

    if (virttype && (virtType = domainVirtTypeFromString(virttype)) < 0) {
        reportError(VIR_ERR_INVALID_ARG, _("unknown virttype: %1$s"), virttype);
        return NULL;
    }
    if (arch && !domainArchIsKnown(arch)) {
        reportError(VIR_ERR_INVALID_ARG, _("unknown architecture: %1$s"), arch);
        return NULL;
    }
    if (!(caps = qemuCapsCacheLookup(driver->capsCache,
                                     emulatorbin ? emulatorbin : driver->config->emulator)))
        return NULL;
    if (arch && !streq(arch, qemuCapsGetArch(caps))) {
        if (emulatorbin)
            reportError(VIR_ERR_INVALID_ARG,
                        _("architecture from emulator '%1$s' doesn't match given architecture '%2$s'"),
                        qemuCapsGetArch(caps), arch);
        else
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("unable to find any emulator to serve '%1$s' architecture"), arch);
        return NULL;
    }
    if (virtType == DOMAIN_VIRT_NONE)
        virtType = qemuCapsSupportsVirtType(caps, DOMAIN_VIRT_KVM) ? DOMAIN_VIRT_KVM
                                                                   : DOMAIN_VIRT_QEMU;
    return qemuCapsFormatDomainCapabilitiesXML(caps, machine, virtType);
}

static int
qemuConnectIsAlive(virConnectPtr conn)
{
    return 1;
}

static int
qemuConnectIsSecure(virConnectPtr conn)
{
    return 1;
}

static int
qemuConnectIsEncrypted(virConnectPtr conn)
{
    return 0;
}

static int
qemuNodeGetInfo(virConnectPtr conn, virNodeInfoPtr info)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long pages = sysconf(_SC_PHYS_PAGES);
    long psize = sysconf(_SC_PAGESIZE);

    memset(info, 0, sizeof(*info));
    g_strlcpy(info->model, "x86_64", sizeof(info->model));
    info->memory = (unsigned long)((unsigned long long)pages * psize / 1024);
    info->cpus = cpus > 0 ? cpus : 1;
    info->nodes = 1;
    info->sockets = 1;
    info->cores = info->cpus;
    info->threads = 1;
    return 0;
}

static int
qemuNodeGetSecurityModel(virConnectPtr conn, virSecurityModelPtr secmodel)
{
    memset(secmodel, 0, sizeof(*secmodel));
    g_strlcpy(secmodel->model, "none", sizeof(secmodel->model));
    return 0;
}

static unsigned long long
qemuNodeGetFreeMemory(virConnectPtr conn)
{
    return (unsigned long long)sysconf(_SC_AVPHYS_PAGES) * sysconf(_SC_PAGESIZE);
}

/* ---- listing (never waits for a job) ---- */

#define QEMU_LIST_FLAGS \
    (VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_INACTIVE | \
     VIR_CONNECT_LIST_DOMAINS_PERSISTENT | VIR_CONNECT_LIST_DOMAINS_TRANSIENT | \
     VIR_CONNECT_LIST_DOMAINS_RUNNING | VIR_CONNECT_LIST_DOMAINS_PAUSED | \
     VIR_CONNECT_LIST_DOMAINS_SHUTOFF | VIR_CONNECT_LIST_DOMAINS_OTHER | \
     VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE | VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE | \
     VIR_CONNECT_LIST_DOMAINS_AUTOSTART | VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART | \
     VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT | VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT | \
     VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT | VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT)

static int
qemuConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains, unsigned int flags)
{
    QemuDriver *driver = conn->privateData;

    checkFlags(flags, QEMU_LIST_FLAGS, -1);
    return domainObjListExport(driver->domains, conn, domains, flags);
}

static int
qemuConnectListAllDomainRecords(virConnectPtr conn, unsigned int flags, DomainRecords **records)
{
    QemuDriver *driver = conn->privateData;

    /* Unknown flags: the very error of qemuConnectListAllDomains. */
    if (flags & ~(unsigned int)QEMU_LIST_FLAGS)
        return qemuConnectListAllDomains(conn, NULL, flags);
    return domainObjListExportRecords(driver->domains, flags, records);
}

static int
qemuConnectNumOfDomains(virConnectPtr conn)
{
    QemuDriver *driver = conn->privateData;

    return domainObjListCountActive(driver->domains, true);
}

static int
qemuConnectListDomains(virConnectPtr conn, int *ids, int maxids)
{
    QemuDriver *driver = conn->privateData;

    return domainObjListGetActiveIDs(driver->domains, ids, maxids);
}

static int
qemuConnectNumOfDefinedDomains(virConnectPtr conn)
{
    QemuDriver *driver = conn->privateData;

    return domainObjListCountActive(driver->domains, false);
}

static int
qemuConnectListDefinedDomains(virConnectPtr conn, char **const names, int maxnames)
{
    QemuDriver *driver = conn->privateData;

    return domainObjListGetInactiveNames(driver->domains, names, maxnames);
}

/* ---- lookups ---- */

static virDomainPtr
qemuDomainLookupByName(virConnectPtr conn, const char *name)
{
    QemuDriver *driver = conn->privateData;
    DomainObj *vm = domainObjListFindByName(driver->domains, name);
    virDomainPtr dom;

    if (!vm) {
        reportError(VIR_ERR_NO_DOMAIN, _("no domain with matching name '%1$s'"), name);
        return NULL;
    }
    dom = domainObjHandleNew(conn, vm);
    domainObjEndAPI(&vm);
    return dom;
}

static virDomainPtr
qemuDomainLookupByUUID(virConnectPtr conn, const unsigned char *uuid)
{
    QemuDriver *driver = conn->privateData;
    DomainObj *vm = domainObjListFindByUUID(driver->domains, uuid);
    virDomainPtr dom;

    if (!vm) {
        char uuidstr[VIR_UUID_STRING_BUFLEN];

        uuidFormat(uuid, uuidstr);
        reportError(VIR_ERR_NO_DOMAIN, _("no domain with matching uuid '%1$s'"), uuidstr);
        return NULL;
    }
    dom = domainObjHandleNew(conn, vm);
    domainObjEndAPI(&vm);
    return dom;
}

static virDomainPtr
qemuDomainLookupByID(virConnectPtr conn, int id)
{
    QemuDriver *driver = conn->privateData;
    DomainObj *vm = domainObjListFindByID(driver->domains, id);
    virDomainPtr dom;

    if (!vm) {
        reportError(VIR_ERR_NO_DOMAIN, _("no domain with matching id %1$d"), id);
        return NULL;
    }
    dom = domainObjHandleNew(conn, vm);
    domainObjEndAPI(&vm);
    return dom;
}

/* ---- define, create, undefine ---- */

static virDomainPtr
qemuDomainDefineXMLFlags(virConnectPtr conn, const char *xml, unsigned int flags)
{
    QemuDriver *driver = conn->privateData;
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(DomainDef) oldDef = NULL;
    unsigned int parseFlags = DOMAIN_DEF_PARSE_INACTIVE;
    DomainObj *vm;
    virDomainPtr dom;
    bool wasPersistent;

    checkFlags(flags, VIR_DOMAIN_DEFINE_VALIDATE, NULL);
    if (flags & VIR_DOMAIN_DEFINE_VALIDATE)
        parseFlags |= DOMAIN_DEF_PARSE_VALIDATE;
    if (!(def = domainDefParseString(xml, parseFlags)))
        return NULL;
    if (qemuDriverPrepareNewDef(driver, def) < 0)
        return NULL;

    if (!(vm = domainObjListAdd(driver->domains, &def, 0, &oldDef)))
        return NULL;
    qemuDriverEnsurePrivate(driver, vm);
    wasPersistent = oldDef != NULL;
    if (qemuDomainSaveConfigLocked(driver, vm) < 0) {
        if (!wasPersistent && !domainObjIsActive(vm))
            domainObjListRemove(driver->domains, vm);
        domainObjEndAPI(&vm);
        return NULL;
    }
    qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_DEFINED,
                               oldDef ? VIR_DOMAIN_EVENT_DEFINED_UPDATED :
                                        VIR_DOMAIN_EVENT_DEFINED_ADDED);
    dom = domainObjHandleNew(conn, vm);
    domainObjEndAPI(&vm);
    return dom;
}

static virDomainPtr
qemuDomainCreateXML(virConnectPtr conn, const char *xml, unsigned int flags)
{
    QemuDriver *driver = conn->privateData;
    g_autoptr(DomainDef) def = NULL;
    unsigned int parseFlags = 0;
    DomainObj *vm;
    virDomainPtr dom = NULL;

    checkFlags(flags, VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_VALIDATE, NULL);
    if (flags & VIR_DOMAIN_START_VALIDATE)
        parseFlags |= DOMAIN_DEF_PARSE_VALIDATE;
    if (!(def = domainDefParseString(xml, parseFlags)))
        return NULL;
    if (qemuDriverPrepareNewDef(driver, def) < 0)
        return NULL;
    def->id = -1;

    if (!(vm = domainObjListAdd(driver->domains, &def,
                                DOMAIN_OBJ_LIST_ADD_LIVE | DOMAIN_OBJ_LIST_ADD_CHECK_LIVE, NULL)))
        return NULL;
    qemuDriverEnsurePrivate(driver, vm);
    if (qemuDomainJobBeginLocked(vm, QEMU_JOB_MODIFY, "virDomainCreateXML") < 0)
        goto cleanup;
    if (domainObjIsActive(vm)) {
        reportError(VIR_ERR_OPERATION_INVALID, _("domain '%1$s' is already active"),
                    vm->def->name);
    } else if (qemuProcessStart(driver, vm, (flags & VIR_DOMAIN_START_PAUSED) ?
                                               QEMU_PROCESS_START_PAUSED : 0) == 0) {
        dom = domainObjHandleNew(conn, vm);
    }
    qemuDomainJobEndLocked(vm);

 cleanup:
    if (!dom && !vm->persistent && !domainObjIsActive(vm))
        domainObjListRemove(driver->domains, vm);
    domainObjEndAPI(&vm);
    return dom;
}

static int
qemuDomainUndefineFlags(virDomainPtr dom, unsigned int flags)
{
    QemuDriver *driver = dom->conn->privateData;
    g_autofree char *path = NULL;
    g_autofree char *link = NULL;
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                      VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_KEEP_NVRAM, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (!vm->persistent) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("cannot undefine transient domain"));
        goto cleanup;
    }
    if (vm->hasManagedSave) {
        g_autofree char *image = qemuDriverManagedSavePath(driver, vm->def->name);

        if (!(flags & VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)) {
            reportError(VIR_ERR_OPERATION_INVALID, "%s",
                        _("Refusing to undefine while domain managed save image exists"));
            goto cleanup;
        }
        if (unlink(image) < 0 && errno != ENOENT) {
            reportSystemError(errno, _("cannot remove managed save image '%1$s'"), image);
            goto cleanup;
        }
        vm->hasManagedSave = false;
    }
    path = qemuDomainConfigPath(driver, vm->def->name);
    link = qemuDomainAutostartPath(driver, vm->def->name);
    if (unlink(path) < 0 && errno != ENOENT) {
        reportSystemError(errno, _("cannot remove config '%1$s'"), path);
        goto cleanup;
    }
    unlink(link);
    vm->autostart = false;
    qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_UNDEFINED,
                               VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
    if (domainObjIsActive(vm)) {
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

/*
 * Starts @vm (locked, inactive, job held) from its managed save image: the
 * image's definition becomes the live one (the persistent one stays), the
 * image is deleted once the guest runs from it.  A start that fails
 * keeps the image, as libvirt does.
 */
static int
qemuDomainStartManagedSaveLocked(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    g_autofree char *image = qemuDriverManagedSavePath(driver, vm->def->name);
    g_autofree char *xml = NULL;
    g_autoptr(DomainDef) def = NULL;
    bool running;
    unsigned int format = 0;
    int fd = -1;
    int rc;

    if (qemuSaveImageOpen(image, &xml, &running, &fd, &format) < 0)
        return -1;
    if (flags & VIR_DOMAIN_START_PAUSED)
        running = false;
    if (!(def = domainDefParseString(xml, 0)) || qemuDriverPrepareNewDef(driver, def) < 0) {
        close(fd);
        return -1;
    }
    if (memcmp(def->uuid, vm->def->uuid, sizeof(def->uuid)) != 0 ||
        !streq(def->name, vm->def->name)) {
        reportError(VIR_ERR_OPERATION_FAILED,
                    _("managed save image '%1$s' is not of domain '%2$s'"), image, vm->def->name);
        close(fd);
        return -1;
    }
    def->id = -1;
    if (domainObjSetDefTransient(vm) < 0) {
        close(fd);
        return -1;
    }
    domainDefFree(vm->def);
    vm->def = g_steal_pointer(&def);
    rc = qemuSaveRestoreLocked(driver, vm, fd, format, running);
    close(fd);
    if (rc < 0) {
        /* the persistent definition is the current one again */
        if (!domainObjIsActive(vm))
            domainObjRemoveTransientDef(vm);
        return -1;
    }
    if (unlink(image) < 0 && errno != ENOENT)
        LOG_WARN("cannot remove managed save image '%s': %s, ignoring", image, g_strerror(errno));
    vm->hasManagedSave = false;
    return 0;
}

static int
qemuDomainCreateWithFlags(virDomainPtr dom, unsigned int flags)
{
    QemuDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_FORCE_BOOT, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (qemuDomainJobBeginLocked(vm, QEMU_JOB_MODIFY, "virDomainCreate") < 0)
        goto cleanup;
    if (domainObjIsActive(vm)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is already running"));
    } else if (vm->hasManagedSave && !(flags & VIR_DOMAIN_START_FORCE_BOOT)) {
        /* as libvirt: resume from the managed save image, which then goes */
        if (qemuDomainStartManagedSaveLocked(driver, vm, flags) == 0) {
            dom->id = vm->def->id;
            ret = 0;
        }
    } else {
        g_autofree char *image = qemuDriverManagedSavePath(driver, vm->def->name);

        if (vm->hasManagedSave && unlink(image) < 0 && errno != ENOENT) {
            reportSystemError(errno, _("cannot remove managed save image '%1$s'"), image);
        } else {
            vm->hasManagedSave = false;
            if (qemuProcessStart(driver, vm, (flags & VIR_DOMAIN_START_PAUSED) ?
                                                 QEMU_PROCESS_START_PAUSED : 0) == 0) {
                dom->id = vm->def->id;
                ret = 0;
            }
        }
    }
    qemuDomainJobEndLocked(vm);

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

/*
 * Destroy works at once even while another job holds the domain or QEMU
 * is stuck: the process is killed first (no job needed), then the
 * clean-up runs under a job (the other job's monitor call has failed with
 * the EOF meanwhile).
 */
static int
qemuDomainDestroyFlags(virDomainPtr dom, unsigned int flags)
{
    QemuDriver *driver = dom->conn->privateData;
    QemuDomainPrivate *priv;
    DomainObj *vm;
    pid_t pid;
    int ret = -1;

    checkFlags(flags, VIR_DOMAIN_DESTROY_GRACEFUL, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    priv = qemuDomainPrivate(vm);
    if (domainObjCheckActive(vm) < 0)
        goto cleanup;

    pid = priv->pid;
    priv->beingDestroyed = true;
    if (qemuProcessKill(vm, (flags & VIR_DOMAIN_DESTROY_GRACEFUL) ?
                                QEMU_CONFIG_DEFAULT_GRACEFUL_TIMEOUT_MS :
                                driver->config->destroyGraceMs,
                        !(flags & VIR_DOMAIN_DESTROY_GRACEFUL)) < 0) {
        if (priv->pid == pid)
            priv->beingDestroyed = false;
        goto cleanup;
    }
    if (qemuDomainJobBeginLocked(vm, QEMU_JOB_DESTROY, "virDomainDestroy") < 0)
        goto cleanup;
    if (domainObjIsActive(vm) && priv->pid == pid)
        qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_DESTROYED,
                        VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    qemuDomainJobEndLocked(vm);
    dom->id = -1;
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

/* Takes a modifying job on an active @vm; on failure ends nothing. */
static int
qemuDomainBeginActiveJob(DomainObj *vm, const char *api)
{
    if (domainObjCheckActive(vm) < 0)
        return -1;
    if (qemuDomainJobBeginLocked(vm, QEMU_JOB_MODIFY, api) < 0)
        return -1;
    if (domainObjCheckActive(vm) < 0) {
        qemuDomainJobEndLocked(vm);
        return -1;
    }
    return 0;
}

/*
 * The guest's console pty as a stream (qemu_console.c).  The pty path
 * comes from query-chardev, asked under the domain's job.
 */
static int
qemuDomainOpenConsole(virDomainPtr dom, const char *dev_name, virStreamPtr st,
                      unsigned int flags)
{
    DomainObj *vm;
    const DomainChrDef *chr;
    g_autofree char *alias = NULL;
    g_autofree char *chardevId = NULL;
    g_autofree char *ptyPath = NULL;
    g_autoptr(GPtrArray) chardevs = NULL;
    QemuMonitor *mon;
    size_t i;
    int ret = -1;

    /* SAFE: sessions are always kept exclusive here. */
    checkFlags(flags, VIR_DOMAIN_CONSOLE_FORCE | VIR_DOMAIN_CONSOLE_SAFE, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (qemuDomainBeginActiveJob(vm, "virDomainOpenConsole") < 0)
        goto cleanup;
    if (!(chr = qemuConsoleFind(vm->def, dev_name, &alias)))
        goto endjob;
    chardevId = g_strdup_printf("char%s", alias);
    if (!(mon = qemuDomainEnterMonitorLocked(vm)))
        goto endjob;
    chardevs = qemuMonitorGetChardevs(mon);
    if (qemuDomainExitMonitorLocked(vm, mon) < 0 || !chardevs)
        goto endjob;
    for (i = 0; i < chardevs->len; i++) {
        QemuMonitorChardevInfo *info = g_ptr_array_index(chardevs, i);

        if (info->label && streq(info->label, chardevId) && info->ptyPath)
            ptyPath = g_strdup(info->ptyPath);
    }
    if (!ptyPath) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("character device %1$s is not using a PTY"),
                    dev_name ? dev_name : alias);
        goto endjob;
    }
    ret = 0;

 endjob:
    qemuDomainJobEndLocked(vm);
 cleanup:
    domainObjEndAPI(&vm);
    if (ret == 0)
        ret = qemuConsoleOpen(st, ptyPath, flags & VIR_DOMAIN_CONSOLE_FORCE);
    return ret;
}

typedef int (*QemuMonitorSimpleFunc)(QemuMonitor *mon);

/* Runs one monitor command on @vm (locked, job held) without the lock. */
static int
qemuDomainRunMonitor(DomainObj *vm, QemuMonitorSimpleFunc func)
{
    QemuMonitor *mon;
    int rc;

    if (!(mon = qemuDomainEnterMonitorLocked(vm)))
        return -1;
    rc = func(mon);
    if (qemuDomainExitMonitorLocked(vm, mon) < 0)
        return -1;
    return rc;
}

static int
qemuDomainShutdownFlags(virDomainPtr dom, unsigned int flags)
{
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (qemuDomainBeginActiveJob(vm, "virDomainShutdown") < 0)
        goto cleanup;
    if (domainObjGetState(vm, NULL) != VIR_DOMAIN_RUNNING) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
    } else {
        qemuDomainPrivate(vm)->fakeReboot = false;
        ret = qemuDomainRunMonitor(vm, qemuMonitorSystemPowerdown);
    }
    qemuDomainJobEndLocked(vm);

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainReboot(virDomainPtr dom, unsigned int flags)
{
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, VIR_DOMAIN_REBOOT_ACPI_POWER_BTN | VIR_DOMAIN_REBOOT_GUEST_AGENT, -1);
    if (flags & VIR_DOMAIN_REBOOT_GUEST_AGENT) {
        reportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                    _("reboot through the guest agent is not supported"));
        return -1;
    }
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (qemuDomainBeginActiveJob(vm, "virDomainReboot") < 0)
        goto cleanup;
    /* ACPI power button; the SHUTDOWN that follows resets instead of stopping. */
    qemuDomainPrivate(vm)->fakeReboot = true;
    if ((ret = qemuDomainRunMonitor(vm, qemuMonitorSystemPowerdown)) < 0)
        qemuDomainPrivate(vm)->fakeReboot = false;
    qemuDomainJobEndLocked(vm);

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainReset(virDomainPtr dom, unsigned int flags)
{
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, 0, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (qemuDomainBeginActiveJob(vm, "virDomainReset") < 0)
        goto cleanup;
    ret = qemuDomainRunMonitor(vm, qemuMonitorSystemReset);
    qemuDomainJobEndLocked(vm);

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

/*
 * Marks @vm tainted by a monitor passthrough, once per run, as libvirt:
 * a warning in the daemon's log and a line in the domain's log
 * ("<time>: Domain id=N is tainted: custom-monitor"); the status XML
 * keeps the flag across daemon restarts.
 */
static void
qemuDomainTaintCustomMonitorLocked(DomainObj *vm)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    char uuidstr[VIR_UUID_STRING_BUFLEN];
    g_autoptr(GDateTime) now = NULL;
    g_autofree char *stamp = NULL;
    g_autofree char *line = NULL;
    int fd;

    if (priv->taintCustomMonitor)
        return;
    priv->taintCustomMonitor = true;
    uuidFormat(vm->def->uuid, uuidstr);
    LOG_WARN("Domain id=%d name='%s' uuid=%s is tainted: custom-monitor", vm->def->id,
             vm->def->name, uuidstr);
    if (qemuStatusWriteLocked(priv->driver, vm) < 0) {
        LOG_WARN("domain '%s': cannot write its status, ignoring", vm->def->name);
        errorReset();
    }
    if (!priv->logPath)
        return;
    now = g_date_time_new_now_utc();
    stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");
    line = g_strdup_printf("%s.%03d+0000: Domain id=%d is tainted: custom-monitor\n", stamp,
                           g_date_time_get_microsecond(now) / 1000, vm->def->id);
    /* a short append: no need to drop the lock for it */
    if ((fd = open(priv->logPath, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0 ||
        write(fd, line, strlen(line)) < 0)
        LOG_WARN("domain '%s': cannot write to its log, ignoring", vm->def->name);
    if (fd >= 0)
        close(fd);
}

/*
 * virDomainQemuMonitorCommand (libvirt-qemu.so.0): QMP passthrough, or an
 * HMP command line through human-monitor-command.  The QMP reply comes
 * back whole, also when it is a QMP error, as libvirt does.
 */
static int
qemuDomainQemuMonitorCommand(virDomainPtr dom, const char *cmd, char **result,
                             unsigned int flags)
{
    DomainObj *vm;
    QemuMonitor *mon;
    char *reply = NULL;
    int ret = -1;
    int rc;

    checkFlags(flags, VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP, -1);
    if (!cmd) {
        reportInvalidArg("cmd", _("%1$s in %2$s must not be NULL"), "cmd",
                         "virDomainQemuMonitorCommand");
        return -1;
    }
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (qemuDomainBeginActiveJob(vm, "virDomainQemuMonitorCommand") < 0)
        goto cleanup;
    qemuDomainTaintCustomMonitorLocked(vm);
    if (!(mon = qemuDomainEnterMonitorLocked(vm)))
        goto endjob;
    if (flags & VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP)
        rc = qemuMonitorHumanCommand(mon, cmd, false, &reply);
    else
        rc = qemuMonitorArbitraryCommand(mon, cmd, &reply);
    if (qemuDomainExitMonitorLocked(vm, mon) < 0 || rc < 0)
        goto endjob;
    *result = g_steal_pointer(&reply);
    ret = 0;

 endjob:
    g_free(reply);
    qemuDomainJobEndLocked(vm);
 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

/*
 * The state change and its event come from QEMU's STOP event (reason
 * paused/user, SUSPENDED_PAUSED), also when the reply to 'stop' comes late.
 */
static int
qemuDomainSuspend(virDomainPtr dom)
{
    QemuDriver *driver = dom->conn->privateData;
    QemuDomainPrivate *priv;
    DomainObj *vm;
    int ret = -1;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    priv = qemuDomainPrivate(vm);
    if (qemuDomainBeginActiveJob(vm, "virDomainSuspend") < 0)
        goto cleanup;
    if (domainObjGetState(vm, NULL) == VIR_DOMAIN_PAUSED) {
        ret = 0;
    } else if (domainObjGetState(vm, NULL) != VIR_DOMAIN_RUNNING) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
    } else {
        priv->pausedReason = VIR_DOMAIN_PAUSED_USER;
        if ((ret = qemuDomainRunMonitor(vm, qemuMonitorStop)) == 0) {
            if (domainObjGetState(vm, NULL) == VIR_DOMAIN_RUNNING) {
                domainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
                qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                           VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
            }
            priv->pausedReason = VIR_DOMAIN_PAUSED_UNKNOWN;
            qemuStatusWriteLocked(driver, vm);
        }
    }
    qemuDomainJobEndLocked(vm);

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainResume(virDomainPtr dom)
{
    QemuDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    int ret = -1;
    int state;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (qemuDomainBeginActiveJob(vm, "virDomainResume") < 0)
        goto cleanup;
    state = domainObjGetState(vm, NULL);
    if (state == VIR_DOMAIN_RUNNING) {
        ret = 0;
    } else if (state != VIR_DOMAIN_PAUSED) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not paused"));
    } else if ((ret = qemuDomainRunMonitor(vm, qemuMonitorCont)) == 0) {
        if (domainObjGetState(vm, NULL) == VIR_DOMAIN_PAUSED) {
            domainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
            qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_RESUMED,
                                       VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
        }
        qemuStatusWriteLocked(driver, vm);
    }
    qemuDomainJobEndLocked(vm);

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

/* ---- queries: from driver state, never waiting for a job or QEMU ---- */

static int
qemuDomainGetInfo(virDomainPtr dom, virDomainInfoPtr info)
{
    DomainObj *vm;
    pid_t pid = 0;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    memset(info, 0, sizeof(*info));
    info->state = domainObjGetState(vm, NULL);
    info->maxMem = vm->def->mem.total;
    info->memory = domainObjIsActive(vm) ? vm->def->mem.current : vm->def->mem.total;
    info->nrVirtCpu = vm->def->vcpus;
    if (domainObjIsActive(vm))
        pid = qemuDomainPrivate(vm)->pid;
    domainObjEndAPI(&vm);

    if (pid > 0 && qemuProcessGetCpuTime(pid, &info->cpuTime) < 0) {
        /* The process may be exiting right now: report what we know. */
        errorReset();
        info->cpuTime = 0;
    }
    return 0;
}

static int
qemuDomainGetState(virDomainPtr dom, int *state, int *reason, unsigned int flags)
{
    DomainObj *vm;

    checkFlags(flags, 0, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    *state = domainObjGetState(vm, reason);
    domainObjEndAPI(&vm);
    return 0;
}

static char *
qemuDomainGetXMLDesc(virDomainPtr dom, unsigned int flags)
{
    DomainObj *vm;
    DomainDef *def;
    unsigned int formatFlags = 0;
    char *ret;

    checkFlags(flags, VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE |
                      VIR_DOMAIN_XML_UPDATE_CPU | VIR_DOMAIN_XML_MIGRATABLE, NULL);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return NULL;
    def = vm->def;
    if ((flags & VIR_DOMAIN_XML_INACTIVE) && vm->newDef)
        def = vm->newDef;
    if (flags & VIR_DOMAIN_XML_SECURE)
        formatFlags |= DOMAIN_DEF_FORMAT_SECURE;
    if ((flags & VIR_DOMAIN_XML_INACTIVE) || !domainObjIsActive(vm))
        formatFlags |= DOMAIN_DEF_FORMAT_INACTIVE;
    ret = domainDefFormat(def, formatFlags);
    domainObjEndAPI(&vm);
    return ret;
}

static char *
qemuDomainGetOSType(virDomainPtr dom)
{
    DomainObj *vm;
    char *ret;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return NULL;
    ret = g_strdup(vm->def->os.type ? vm->def->os.type : "hvm");
    domainObjEndAPI(&vm);
    return ret;
}

static unsigned long
qemuDomainGetMaxMemory(virDomainPtr dom)
{
    DomainObj *vm;
    unsigned long ret;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return 0;
    ret = vm->def->mem.total;
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainSetMemoryFlags(virDomainPtr dom, unsigned long memory, unsigned int flags)
{
    QemuDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    DomainDef *persistentDef = NULL;
    int ret = -1;

    checkFlags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG |
                      VIR_DOMAIN_MEM_MAXIMUM, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (qemuDomainJobBeginLocked(vm, QEMU_JOB_MODIFY, "virDomainSetMemory") < 0)
        goto cleanup;
    if (domainObjUpdateModificationImpact(vm, &flags) < 0)
        goto endjob;
    if (flags & VIR_DOMAIN_AFFECT_CONFIG)
        persistentDef = domainObjGetPersistentDef(vm);

    if (flags & VIR_DOMAIN_MEM_MAXIMUM) {
        if (flags & VIR_DOMAIN_AFFECT_LIVE) {
            reportError(VIR_ERR_OPERATION_INVALID, "%s",
                        _("cannot resize the maximum memory on an active domain"));
            goto endjob;
        }
        persistentDef->mem.total = memory;
        if (persistentDef->mem.current > memory)
            persistentDef->mem.current = memory;
    } else {
        if ((flags & VIR_DOMAIN_AFFECT_LIVE) && memory > vm->def->mem.total) {
            reportError(VIR_ERR_INVALID_ARG, "%s",
                        _("cannot set memory higher than max memory"));
            goto endjob;
        }
        if (persistentDef && memory > persistentDef->mem.total) {
            reportError(VIR_ERR_INVALID_ARG, "%s",
                        _("cannot set memory higher than max memory"));
            goto endjob;
        }
        if (flags & VIR_DOMAIN_AFFECT_LIVE) {
            QemuMonitor *mon;
            uint64_t actual = 0;
            int rc;

            /*
             * The balloon command only sets QEMU's target; the size the
             * guest has actually given back comes from query-balloon now
             * and from BALLOON_CHANGE events later (as libvirt reports
             * it), never from the request: a guest without a balloon
             * driver keeps its memory.
             */
            if (!(mon = qemuDomainEnterMonitorLocked(vm)))
                goto endjob;
            rc = qemuMonitorSetBalloon(mon, (uint64_t)memory * 1024);
            if (rc == 0)
                rc = qemuMonitorGetBalloon(mon, &actual);
            if (qemuDomainExitMonitorLocked(vm, mon) < 0 || rc < 0)
                goto endjob;
            vm->def->mem.current = actual / 1024;
            qemuStatusWriteLocked(driver, vm);
        }
        if (persistentDef)
            persistentDef->mem.current = memory;
    }
    if (persistentDef && qemuDomainSaveConfigLocked(driver, vm) < 0)
        goto endjob;
    ret = 0;

 endjob:
    qemuDomainJobEndLocked(vm);
 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainSetMaxMemory(virDomainPtr dom, unsigned long memory)
{
    return qemuDomainSetMemoryFlags(dom, memory, VIR_DOMAIN_MEM_MAXIMUM | VIR_DOMAIN_AFFECT_CONFIG);
}

static int
qemuDomainGetVcpusFlags(virDomainPtr dom, unsigned int flags)
{
    DomainObj *vm;
    DomainDef *def;
    int ret = -1;

    checkFlags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG |
                      VIR_DOMAIN_VCPU_MAXIMUM, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if ((def = domainObjGetOneDef(vm, flags & (VIR_DOMAIN_AFFECT_LIVE |
                                               VIR_DOMAIN_AFFECT_CONFIG))))
        ret = (flags & VIR_DOMAIN_VCPU_MAXIMUM) ? (int)def->maxvcpus : (int)def->vcpus;
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainGetMaxVcpus(virDomainPtr dom)
{
    return qemuDomainGetVcpusFlags(dom, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_VCPU_MAXIMUM);
}

static int
qemuDomainIsActive(virDomainPtr dom)
{
    DomainObj *vm;
    int ret;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    ret = domainObjIsActive(vm);
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainIsPersistent(virDomainPtr dom)
{
    DomainObj *vm;
    int ret;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    ret = vm->persistent;
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainIsUpdated(virDomainPtr dom)
{
    DomainObj *vm;
    int ret;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    ret = vm->updated;
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainGetAutostart(virDomainPtr dom, int *autostart)
{
    DomainObj *vm;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    *autostart = vm->autostart;
    domainObjEndAPI(&vm);
    return 0;
}

/* Autostart is a link ETC/qemu/autostart/NAME.xml -> ETC/qemu/NAME.xml. */
static int
qemuDomainSetAutostart(virDomainPtr dom, int autostart)
{
    QemuDriver *driver = dom->conn->privateData;
    g_autofree char *link = NULL;
    g_autofree char *target = NULL;
    DomainObj *vm;
    int ret = -1;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (!vm->persistent) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("cannot set autostart for transient domain"));
        goto cleanup;
    }
    link = qemuDomainAutostartPath(driver, vm->def->name);
    target = qemuDomainConfigPath(driver, vm->def->name);
    if (autostart && !vm->autostart) {
        unlink(link);
        if (symlink(target, link) < 0) {
            reportSystemError(errno, _("Failed to create symlink '%1$s' to '%2$s'"), link,
                              target);
            goto cleanup;
        }
    } else if (!autostart && vm->autostart) {
        if (unlink(link) < 0 && errno != ENOENT) {
            reportSystemError(errno, _("Failed to delete symlink '%1$s'"), link);
            goto cleanup;
        }
    }
    vm->autostart = autostart != 0;
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

/* ---- saving to a file (issue #6; the work is in qemu_save.c) ---- */

/*
 * The definition @dxml proposes for the guest defined by @orig (a save
 * image's definition, or a running domain's): parsed and made ready for
 * this driver, with @orig's name and the same guest ABI (the check
 * migration applies to a caller's destination XML), as libvirt requires
 * of a save image's replacement XML.  Returns it (caller frees), or NULL
 * with an error: VIR_ERR_CONFIG_UNSUPPORTED naming the first difference.
 */
static DomainDef *
qemuDriverSaveXMLCheck(QemuDriver *driver, const DomainDef *orig, const char *dxml)
{
    g_autoptr(DomainDef) def = NULL;

    if (!(def = domainDefParseString(dxml, DOMAIN_DEF_PARSE_INACTIVE)) ||
        qemuDriverPrepareNewDef(driver, def) < 0)
        return NULL;
    if (!streq(def->name, orig->name)) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("Target domain name '%1$s' does not match source '%2$s'"), def->name,
                    orig->name);
        return NULL;
    }
    if (domainDefCheckABIStability(orig, def) < 0)
        return NULL;
    return g_steal_pointer(&def);
}

/* The definition stored in the image @xml, ready for this driver (caller frees). */
static DomainDef *
qemuDriverSaveImageDef(QemuDriver *driver, const char *xml)
{
    g_autoptr(DomainDef) def = NULL;

    if (!(def = domainDefParseString(xml, 0)) || qemuDriverPrepareNewDef(driver, def) < 0)
        return NULL;
    return g_steal_pointer(&def);
}

/*
 * Saves the domain of @dom to @path, or to its managed save image when
 * @path is NULL, storing @dxml (checked against the running definition)
 * instead of the domain's own definition when given.
 */
static int
qemuDomainSaveHelper(virDomainPtr dom, const char *path, const char *dxml, unsigned int flags)
{
    QemuDriver *driver = dom->conn->privateData;
    g_autofree char *image = NULL;
    g_autofree char *xml = NULL;
    DomainObj *vm;
    int ret = -1;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (qemuDomainBeginActiveJob(vm, path ? "virDomainSave" : "virDomainManagedSave") < 0)
        goto cleanup;
    if (!path && !vm->persistent) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("cannot do managed save for transient domain"));
        goto endjob;
    }
    if (dxml) {
        g_autoptr(DomainDef) def = qemuDriverSaveXMLCheck(driver, vm->def, dxml);

        if (!def ||
            !(xml = domainDefFormat(def, DOMAIN_DEF_FORMAT_SECURE | DOMAIN_DEF_FORMAT_INACTIVE)))
            goto endjob;
    }
    if (!path)
        image = qemuDriverManagedSavePath(driver, vm->def->name);
    if ((ret = qemuSaveDomainXMLLocked(driver, vm, path ? path : image, xml, flags)) == 0) {
        if (!path)
            vm->hasManagedSave = true;
        dom->id = -1;
    }

 endjob:
    qemuDomainJobEndLocked(vm);
 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainSaveFlags(virDomainPtr dom, const char *to, const char *dxml, unsigned int flags)
{
    /* BYPASS_CACHE is not done yet */
    checkFlags(flags, VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED, -1);
    return qemuDomainSaveHelper(dom, to, dxml, flags);
}

/*
 * Starts the guest saved in @from, defined by @dxml (checked against the
 * image's definition) when given.
 */
static int
qemuDomainRestoreHelper(virConnectPtr conn, const char *from, const char *dxml,
                        unsigned int flags)
{
    QemuDriver *driver = conn->privateData;
    g_autoptr(DomainDef) def = NULL;
    g_autofree char *xml = NULL;
    DomainObj *vm;
    bool running;
    unsigned int format = 0;
    int fd = -1;
    int ret = -1;

    if (qemuSaveImageOpen(from, &xml, &running, &fd, &format) < 0)
        return -1;
    if (flags & VIR_DOMAIN_SAVE_RUNNING)
        running = true;
    else if (flags & VIR_DOMAIN_SAVE_PAUSED)
        running = false;
    if (!(def = qemuDriverSaveImageDef(driver, xml))) {
        close(fd);
        return -1;
    }
    if (dxml) {
        DomainDef *newDef = qemuDriverSaveXMLCheck(driver, def, dxml);

        if (!newDef) {
            close(fd);
            return -1;
        }
        domainDefFree(def);
        def = newDef;
    }
    def->id = -1;
    if (!(vm = domainObjListAdd(driver->domains, &def,
                                DOMAIN_OBJ_LIST_ADD_LIVE | DOMAIN_OBJ_LIST_ADD_CHECK_LIVE, NULL))) {
        close(fd);
        return -1;
    }
    qemuDriverEnsurePrivate(driver, vm);
    if (qemuDomainJobBeginLocked(vm, QEMU_JOB_MODIFY, "virDomainRestore") < 0)
        goto cleanup;
    if (domainObjIsActive(vm))
        reportError(VIR_ERR_OPERATION_INVALID, _("domain '%1$s' is already active"),
                    vm->def->name);
    else
        ret = qemuSaveRestoreLocked(driver, vm, fd, format, running);
    qemuDomainJobEndLocked(vm);

 cleanup:
    close(fd);
    if (ret < 0 && !vm->persistent && !domainObjIsActive(vm))
        domainObjListRemove(driver->domains, vm);
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainRestoreFlags(virConnectPtr conn, const char *from, const char *dxml,
                       unsigned int flags)
{
    checkFlags(flags, VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED, -1);
    return qemuDomainRestoreHelper(conn, from, dxml, flags);
}

static int
qemuDomainManagedSave(virDomainPtr dom, unsigned int flags)
{
    /* BYPASS_CACHE is not done yet */
    checkFlags(flags, VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED, -1);
    return qemuDomainSaveHelper(dom, NULL, NULL, flags);
}

static int
qemuDomainManagedSaveRemove(virDomainPtr dom, unsigned int flags)
{
    QemuDriver *driver = dom->conn->privateData;
    g_autofree char *image = NULL;
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, 0, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    image = qemuDriverManagedSavePath(driver, vm->def->name);
    if (unlink(image) < 0 && errno != ENOENT) {
        reportSystemError(errno, _("cannot remove managed save image '%1$s'"), image);
    } else {
        vm->hasManagedSave = false;
        ret = 0;
    }
    domainObjEndAPI(&vm);
    return ret;
}

/* The definition stored in the image @file, formatted for a caller. */
static char *
qemuDriverSaveImageXML(QemuDriver *driver, const char *file, unsigned int flags)
{
    g_autoptr(DomainDef) def = NULL;
    g_autofree char *xml = NULL;
    unsigned int formatFlags = DOMAIN_DEF_FORMAT_INACTIVE;
    bool running;

    if (qemuSaveImageOpen(file, &xml, &running, NULL, NULL) < 0)
        return NULL;
    if (!(def = qemuDriverSaveImageDef(driver, xml)))
        return NULL;
    if (flags & VIR_DOMAIN_SAVE_IMAGE_XML_SECURE)
        formatFlags |= DOMAIN_DEF_FORMAT_SECURE;
    return domainDefFormat(def, formatFlags);
}

static char *
qemuDomainSaveImageGetXMLDesc(virConnectPtr conn, const char *file, unsigned int flags)
{
    checkFlags(flags, VIR_DOMAIN_SAVE_IMAGE_XML_SECURE, NULL);
    return qemuDriverSaveImageXML(conn->privateData, file, flags);
}

/*
 * Stores @dxml (checked against the image's definition) in the image
 * @file; VIR_DOMAIN_SAVE_RUNNING (which wins, as in libvirt) or _PAUSED
 * in @flags changes the state the image restores to.
 */
static int
qemuDriverSaveImageDefine(QemuDriver *driver, const char *file, const char *dxml,
                          unsigned int flags)
{
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(DomainDef) newDef = NULL;
    g_autofree char *oldXml = NULL;
    g_autofree char *xml = NULL;
    bool running;
    int state = -1;

    if (!dxml) {
        reportError(VIR_ERR_INVALID_ARG, "%s", _("a replacement domain XML is required"));
        return -1;
    }
    if (qemuSaveImageOpen(file, &oldXml, &running, NULL, NULL) < 0)
        return -1;
    if (!(def = qemuDriverSaveImageDef(driver, oldXml)) ||
        !(newDef = qemuDriverSaveXMLCheck(driver, def, dxml)) ||
        !(xml = domainDefFormat(newDef, DOMAIN_DEF_FORMAT_SECURE | DOMAIN_DEF_FORMAT_INACTIVE)))
        return -1;
    if (flags & VIR_DOMAIN_SAVE_RUNNING)
        state = 1;
    else if (flags & VIR_DOMAIN_SAVE_PAUSED)
        state = 0;
    return qemuSaveImageRewrite(file, xml, state);
}

static int
qemuDomainSaveImageDefineXML(virConnectPtr conn, const char *file, const char *dxml,
                             unsigned int flags)
{
    checkFlags(flags, VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED, -1);
    return qemuDriverSaveImageDefine(conn->privateData, file, dxml, flags);
}

static char *
qemuDomainManagedSaveGetXMLDesc(virDomainPtr dom, unsigned int flags)
{
    QemuDriver *driver = dom->conn->privateData;
    g_autofree char *image = NULL;
    DomainObj *vm;
    char *ret = NULL;

    checkFlags(flags, VIR_DOMAIN_SAVE_IMAGE_XML_SECURE, NULL);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return NULL;
    if (!vm->hasManagedSave) {
        /* as libvirt 9.0 */
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("domain does not have managed save image"));
    } else {
        image = qemuDriverManagedSavePath(driver, vm->def->name);
        ret = qemuDriverSaveImageXML(driver, image, flags);
    }
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainManagedSaveDefineXML(virDomainPtr dom, const char *dxml, unsigned int flags)
{
    QemuDriver *driver = dom->conn->privateData;
    g_autofree char *image = NULL;
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    /* the job keeps a start from consuming the image meanwhile */
    if (qemuDomainJobBeginLocked(vm, QEMU_JOB_MODIFY, "virDomainManagedSaveDefineXML") < 0)
        goto cleanup;
    if (!vm->hasManagedSave) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("domain does not have managed save image"));
    } else {
        image = qemuDriverManagedSavePath(driver, vm->def->name);
        ret = qemuDriverSaveImageDefine(driver, image, dxml, flags);
    }
    qemuDomainJobEndLocked(vm);

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

/* libvirt's typed-parameter type names, for messages. */
static const char *
qemuDriverParamTypeName(int type)
{
    static const char *const names[] = {
        "", "int", "uint", "llong", "ullong", "double", "boolean", "string",
    };

    return type > 0 && type < (int)G_N_ELEMENTS(names) ? names[type] : "unknown";
}

static int
qemuDriverParamCompare(const void *a, const void *b)
{
    const virTypedParameter *const *pa = a;
    const virTypedParameter *const *pb = b;

    return strcmp((*pa)->field, (*pb)->field);
}

/*
 * Checks the parameters of virDomainSaveParams / virDomainRestoreParams
 * as libvirt 9.0 does (virTypedParamsValidate): taken in the order of
 * their names, the first one that is unknown (VIR_ERR_ARGUMENT_UNSUPPORTED),
 * repeated or not a string (VIR_ERR_INVALID_ARG) is refused, with
 * libvirt's messages and error domain (VIR_FROM_NONE).  Then sets @file
 * and @dxml to VIR_DOMAIN_SAVE_PARAM_FILE and _DXML (NULL when absent).
 */
static int
qemuDriverSaveParamsGet(virTypedParameterPtr params, int nparams, const char **file,
                        const char **dxml)
{
    g_autofree virTypedParameterPtr *sorted = NULL;
    const char *last = NULL;
    int i;

    *file = NULL;
    *dxml = NULL;
    if (nparams <= 0)
        return 0;
    sorted = g_new0(virTypedParameterPtr, nparams);
    for (i = 0; i < nparams; i++)
        sorted[i] = &params[i];
    qsort(sorted, nparams, sizeof(*sorted), qemuDriverParamCompare);
    for (i = 0; i < nparams; i++) {
        const virTypedParameter *p = sorted[i];

        if (!streq(p->field, VIR_DOMAIN_SAVE_PARAM_FILE) &&
            !streq(p->field, VIR_DOMAIN_SAVE_PARAM_DXML)) {
            errorReport(VIR_FROM_NONE, VIR_ERR_ARGUMENT_UNSUPPORTED, __FILE__, __func__,
                        __LINE__, _("parameter '%1$s' not supported"), p->field);
            return -1;
        }
        if (last && streq(last, p->field)) {
            errorReport(VIR_FROM_NONE, VIR_ERR_INVALID_ARG, __FILE__, __func__, __LINE__,
                        _("parameter '%1$s' occurs multiple times"), p->field);
            return -1;
        }
        if (p->type != VIR_TYPED_PARAM_STRING) {
            errorReport(VIR_FROM_NONE, VIR_ERR_INVALID_ARG, __FILE__, __func__, __LINE__,
                        _("invalid type '%1$s' for parameter '%2$s', expected '%3$s'"),
                        qemuDriverParamTypeName(p->type), p->field,
                        qemuDriverParamTypeName(VIR_TYPED_PARAM_STRING));
            return -1;
        }
        last = p->field;
    }
    if (virTypedParamsGetString(params, nparams, VIR_DOMAIN_SAVE_PARAM_FILE, file) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_DOMAIN_SAVE_PARAM_DXML, dxml) < 0)
        return -1;
    return 0;
}

/* Without VIR_DOMAIN_SAVE_PARAM_FILE a managed save, as libvirt's. */
static int
qemuDomainSaveParams(virDomainPtr dom, virTypedParameterPtr params, int nparams,
                     unsigned int flags)
{
    const char *to = NULL;
    const char *dxml = NULL;

    /* BYPASS_CACHE is not done yet */
    checkFlags(flags, VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED, -1);
    if (qemuDriverSaveParamsGet(params, nparams, &to, &dxml) < 0)
        return -1;
    return qemuDomainSaveHelper(dom, to, dxml, flags);
}

static int
qemuDomainRestoreParams(virConnectPtr conn, virTypedParameterPtr params, int nparams,
                        unsigned int flags)
{
    const char *from = NULL;
    const char *dxml = NULL;

    checkFlags(flags, VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED, -1);
    if (qemuDriverSaveParamsGet(params, nparams, &from, &dxml) < 0)
        return -1;
    if (!from) {
        /* as libvirt 9.0 */
        reportError(VIR_ERR_INVALID_ARG, "%s", _("missing path to restore from"));
        return -1;
    }
    return qemuDomainRestoreHelper(conn, from, dxml, flags);
}

static int
qemuDomainHasManagedSaveImage(virDomainPtr dom, unsigned int flags)
{
    DomainObj *vm;

    int ret;

    checkFlags(flags, 0, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    ret = vm->hasManagedSave ? 1 : 0;
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainGetSecurityLabel(virDomainPtr dom, virSecurityLabelPtr seclabel)
{
    DomainObj *vm;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    memset(seclabel, 0, sizeof(*seclabel));
    domainObjEndAPI(&vm);
    return 0;
}

static char *
qemuDomainGetMetadata(virDomainPtr dom, int type, const char *uri, unsigned int flags)
{
    DomainObj *vm;
    char *ret;

    checkFlags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, NULL);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return NULL;
    ret = domainObjGetMetadata(vm, type, uri, flags);
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainSetMetadata(virDomainPtr dom, int type, const char *metadata, const char *key,
                      const char *uri, unsigned int flags)
{
    QemuDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    int ret;

    checkFlags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    ret = domainObjSetMetadata(vm, type, metadata, key, uri, flags);
    if (ret == 0 && vm->persistent &&
        ((flags & VIR_DOMAIN_AFFECT_CONFIG) || !domainObjIsActive(vm)))
        ret = qemuDomainSaveConfigLocked(driver, vm);
    if (ret == 0 && domainObjIsActive(vm))
        qemuStatusWriteLocked(driver, vm);
    domainObjEndAPI(&vm);
    return ret;
}

/* ---- events ---- */

static int
qemuConnectDomainEventRegister(virConnectPtr conn, virConnectDomainEventCallback cb,
                               void *opaque, virFreeCallback freecb)
{
    QemuDriver *driver = conn->privateData;

    if (domainEventStateRegisterLegacy(driver->events, conn, cb, opaque, freecb) < 0)
        return -1;
    return 0;
}

static int
qemuConnectDomainEventDeregister(virConnectPtr conn, virConnectDomainEventCallback cb)
{
    QemuDriver *driver = conn->privateData;

    if (domainEventStateDeregisterLegacy(driver->events, conn, cb) < 0)
        return -1;
    return 0;
}

static int
qemuConnectDomainEventRegisterAny(virConnectPtr conn, virDomainPtr dom, int eventID,
                                  virConnectDomainEventGenericCallback cb, void *opaque,
                                  virFreeCallback freecb)
{
    QemuDriver *driver = conn->privateData;

    return domainEventStateRegisterAny(driver->events, conn, dom, eventID, cb, opaque, freecb);
}

static int
qemuConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID)
{
    QemuDriver *driver = conn->privateData;

    if (domainEventStateDeregisterAny(driver->events, conn, callbackID) < 0)
        return -1;
    return 0;
}

/* ---- core dumps (issue #6; the work is in qemu_dump.c) ---- */

static int
qemuDomainCoreDumpWithFormat(virDomainPtr dom, const char *to, unsigned int dumpformat,
                             unsigned int flags)
{
    QemuDriver *driver = dom->conn->privateData;
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, VIR_DUMP_LIVE | VIR_DUMP_CRASH | VIR_DUMP_BYPASS_CACHE | VIR_DUMP_RESET |
                          VIR_DUMP_MEMORY_ONLY, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (qemuDomainBeginActiveJob(vm, "virDomainCoreDump") < 0)
        goto cleanup;
    if ((ret = qemuDumpDomainLocked(driver, vm, to, dumpformat, flags)) == 0 &&
        (flags & VIR_DUMP_CRASH))
        dom->id = -1;
    qemuDomainJobEndLocked(vm);

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuDomainCoreDump(virDomainPtr dom, const char *to, unsigned int flags)
{
    return qemuDomainCoreDumpWithFormat(dom, to, VIR_DOMAIN_CORE_DUMP_FORMAT_RAW, flags);
}

/* The job queries: a running dump or save first, else the migration (qemu_migration.c). */
static int
qemuDomainGetJobInfo(virDomainPtr dom, virDomainJobInfoPtr info)
{
    DomainObj *vm;
    int rc;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    rc = qemuFileJobInfoLocked(vm, info);
    domainObjEndAPI(&vm);
    return rc ? 0 : qemuMigrationGetJobInfo(dom, info);
}

static int
qemuDomainGetJobStats(virDomainPtr dom, int *type, virTypedParameterPtr *params, int *nparams,
                      unsigned int flags)
{
    DomainObj *vm;
    int rc;

    checkFlags(flags, VIR_DOMAIN_JOB_STATS_COMPLETED | VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED, -1);
    if (!(flags & VIR_DOMAIN_JOB_STATS_COMPLETED)) {
        if (!(vm = qemuDomObjFromDomain(dom)))
            return -1;
        rc = qemuFileJobStatsLocked(vm, type, params, nparams);
        domainObjEndAPI(&vm);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
    }
    return qemuMigrationGetJobStats(dom, type, params, nparams, flags);
}

static int
qemuDomainAbortJob(virDomainPtr dom)
{
    DomainObj *vm;
    int rc;

    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    rc = qemuFileJobAbortLocked(vm);
    domainObjEndAPI(&vm);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    return qemuMigrationAbortJob(dom);
}

/* VIR_DOMAIN_ABORT_JOB_POSTCOPY concerns migrations only: it goes there. */
static int
qemuDomainAbortJobFlags(virDomainPtr dom, unsigned int flags)
{
    checkFlags(flags, VIR_DOMAIN_ABORT_JOB_POSTCOPY, -1);
    if (flags == 0)
        return qemuDomainAbortJob(dom);
    return qemuMigrationAbortJobFlags(dom, flags);
}

/* ---- registration ---- */

static HypervisorDriver qemuHypervisorDriver = {
    .name = "QEMU",
    .quickQueries = true,
    .connectOpen = qemuConnectOpen,
    .connectClose = qemuConnectClose,
    .connectGetType = qemuConnectGetType,
    .connectGetVersion = qemuConnectGetVersion,
    .connectGetLibVersion = qemuConnectGetLibVersion,
    .connectGetHostname = qemuConnectGetHostname,
    .connectGetCapabilities = qemuConnectGetCapabilities,
    .connectGetDomainCapabilities = qemuConnectGetDomainCapabilities,
    .domainQemuMonitorCommand = qemuDomainQemuMonitorCommand,
    .connectGetMaxVcpus = qemuConnectGetMaxVcpus,
    .connectIsAlive = qemuConnectIsAlive,
    .connectIsSecure = qemuConnectIsSecure,
    .connectIsEncrypted = qemuConnectIsEncrypted,
    .nodeGetInfo = qemuNodeGetInfo,
    .nodeGetCPUMap = qemuStatsNodeGetCPUMap,
    .nodeGetSecurityModel = qemuNodeGetSecurityModel,
    .nodeGetFreeMemory = qemuNodeGetFreeMemory,
    .connectListAllDomains = qemuConnectListAllDomains,
    .connectListAllDomainRecords = qemuConnectListAllDomainRecords,
    .connectNumOfDomains = qemuConnectNumOfDomains,
    .connectListDomains = qemuConnectListDomains,
    .connectNumOfDefinedDomains = qemuConnectNumOfDefinedDomains,
    .connectListDefinedDomains = qemuConnectListDefinedDomains,
    .domainLookupByName = qemuDomainLookupByName,
    .domainLookupByUUID = qemuDomainLookupByUUID,
    .domainLookupByID = qemuDomainLookupByID,
    .domainDefineXMLFlags = qemuDomainDefineXMLFlags,
    .domainUndefineFlags = qemuDomainUndefineFlags,
    .domainCreateWithFlags = qemuDomainCreateWithFlags,
    .domainCreateXML = qemuDomainCreateXML,
    .domainDestroyFlags = qemuDomainDestroyFlags,
    .domainShutdownFlags = qemuDomainShutdownFlags,
    .domainReboot = qemuDomainReboot,
    .domainReset = qemuDomainReset,
    .domainSuspend = qemuDomainSuspend,
    .domainResume = qemuDomainResume,
    .domainGetInfo = qemuDomainGetInfo,
    .domainGetState = qemuDomainGetState,
    .domainGetXMLDesc = qemuDomainGetXMLDesc,
    .domainGetOSType = qemuDomainGetOSType,
    .domainOpenConsole = qemuDomainOpenConsole,
    .domainGetMaxMemory = qemuDomainGetMaxMemory,
    .domainSetMemoryFlags = qemuDomainSetMemoryFlags,
    .domainSetMaxMemory = qemuDomainSetMaxMemory,
    .domainGetVcpusFlags = qemuDomainGetVcpusFlags,
    .domainGetMaxVcpus = qemuDomainGetMaxVcpus,
    .domainGetVcpus = qemuStatsDomainGetVcpus,
    .domainBlockStats = qemuStatsDomainBlockStats,
    .domainBlockStatsFlags = qemuStatsDomainBlockStatsFlags,
    .domainInterfaceStats = qemuStatsDomainInterfaceStats,
    .domainMemoryStats = qemuStatsDomainMemoryStats,
    .domainGetBlockInfo = qemuStatsDomainGetBlockInfo,
    .connectGetAllDomainStats = qemuStatsConnectGetAllDomainStats,
    .domainIsActive = qemuDomainIsActive,
    .domainIsPersistent = qemuDomainIsPersistent,
    .domainIsUpdated = qemuDomainIsUpdated,
    .domainGetAutostart = qemuDomainGetAutostart,
    .domainSetAutostart = qemuDomainSetAutostart,
    .domainHasManagedSaveImage = qemuDomainHasManagedSaveImage,
    .domainSaveFlags = qemuDomainSaveFlags,
    .domainRestoreFlags = qemuDomainRestoreFlags,
    .domainSaveImageGetXMLDesc = qemuDomainSaveImageGetXMLDesc,
    .domainManagedSave = qemuDomainManagedSave,
    .domainManagedSaveRemove = qemuDomainManagedSaveRemove,
    .domainSaveImageDefineXML = qemuDomainSaveImageDefineXML,
    .domainManagedSaveGetXMLDesc = qemuDomainManagedSaveGetXMLDesc,
    .domainManagedSaveDefineXML = qemuDomainManagedSaveDefineXML,
    .domainSaveParams = qemuDomainSaveParams,
    .domainRestoreParams = qemuDomainRestoreParams,
    .domainGetSecurityLabel = qemuDomainGetSecurityLabel,
    .domainGetMetadata = qemuDomainGetMetadata,
    .domainSetMetadata = qemuDomainSetMetadata,
    .domainCoreDump = qemuDomainCoreDump,
    .domainCoreDumpWithFormat = qemuDomainCoreDumpWithFormat,
    .domainGetJobInfo = qemuDomainGetJobInfo,
    .domainGetJobStats = qemuDomainGetJobStats,
    .domainAbortJob = qemuDomainAbortJob,
    .domainAbortJobFlags = qemuDomainAbortJobFlags,
    .connectSupportsFeature = qemuMigrationSupportsFeature,
    .domainMigrateBegin3 = qemuMigrationBegin3,
    .domainMigratePrepare3 = qemuMigrationPrepare3,
    .domainMigratePerform3 = qemuMigrationPerform3,
    .domainMigrateFinish3 = qemuMigrationFinish3,
    .domainMigrateConfirm3 = qemuMigrationConfirm3,
    .domainMigrateBegin3Params = qemuMigrationBegin3Params,
    .domainMigratePrepare3Params = qemuMigrationPrepare3Params,
    .domainMigratePrepareTunnel3Params = qemuMigrationPrepareTunnel3Params,
    .domainMigratePerform3Params = qemuMigrationPerform3Params,
    .domainMigrateFinish3Params = qemuMigrationFinish3Params,
    .domainMigrateConfirm3Params = qemuMigrationConfirm3Params,
    .domainMigrateSetMaxSpeed = qemuMigrationSetMaxSpeed,
    .domainMigrateGetMaxSpeed = qemuMigrationGetMaxSpeed,
    .domainMigrateGetCompressionCache = qemuMigrationGetCompressionCache,
    .domainMigrateSetCompressionCache = qemuMigrationSetCompressionCache,
    .domainMigrateSetMaxDowntime = qemuMigrationSetMaxDowntime,
    .domainMigrateGetMaxDowntime = qemuMigrationGetMaxDowntime,
    .domainMigrateStartPostCopy = qemuMigrationStartPostCopy,
    .connectDomainEventRegister = qemuConnectDomainEventRegister,
    .connectDomainEventDeregister = qemuConnectDomainEventDeregister,
    .connectDomainEventRegisterAny = qemuConnectDomainEventRegisterAny,
    .connectDomainEventDeregisterAny = qemuConnectDomainEventDeregisterAny,
};

static const char *const qemuUriSchemes[] = { "qemu", NULL };

static ConnectDriver qemuConnectDriver = {
    .name = "QEMU",
    .uriSchemes = qemuUriSchemes,
    .embeddable = true,
    .hypervisor = &qemuHypervisorDriver,
    .stateReload = qemuStateReload,
};

/**
 * qemuDriverRegister:
 *
 * Registers the QEMU driver (scheme "qemu"; in-process it takes only
 * qemu:///embed?root=DIR, other qemu URIs go on to the remote driver;
 * inside virtkitd it also takes qemu:///system or qemu:///session).
 * Must be registered before the remote driver.
 *
 * Returns: 0, or -1 with an error.
 */
int
qemuDriverRegister(void)
{
    return driverRegister(&qemuConnectDriver);
}
