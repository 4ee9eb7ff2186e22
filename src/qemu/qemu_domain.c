/* QEMU driver state, per-domain private data, and domain jobs. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_QEMU

#include "qemu/qemu_domain.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_stats.h"
#include "qemu/qemu_status.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/str.h"

LOG_INIT("qemu.domain");

/**
 * qemuDomainPrivateNew:
 * @driver: the driver instance the domain belongs to (not referenced)
 *
 * Returns: new private data for a DomainObj (free with
 * qemuDomainPrivateFree, which is the object's privateDataFree).
 */
QemuDomainPrivate *
qemuDomainPrivateNew(QemuDriver *driver)
{
    QemuDomainPrivate *priv = g_new0(QemuDomainPrivate, 1);

    priv->driver = driver;
    condInit(&priv->exitCond);
    condInit(&priv->jobCond);
    priv->pausedReason = VIR_DOMAIN_PAUSED_UNKNOWN;
    priv->migBandwidth = QEMU_DOMAIN_MIG_BANDWIDTH_MAX;
    priv->migDowntime = QEMU_DOMAIN_MIG_DOWNTIME_DEFAULT;
    return priv;
}

/**
 * qemuDomainPrivateClearProcess:
 * @priv: private data of a domain whose process is gone (domain locked)
 *
 * Forgets everything about the last QEMU process (the monitor must have
 * been closed by the caller).
 */
void
qemuDomainPrivateClearProcess(QemuDomainPrivate *priv)
{
    priv->pid = 0;
    priv->isChild = false;
    priv->exited = false;
    priv->exitStatus = 0;
    g_clear_pointer(&priv->monitorPath, g_free);
    g_clear_pointer(&priv->pidfile, g_free);
    g_clear_pointer(&priv->logPath, g_free);
    g_clear_pointer(&priv->caps, qemuCapsUnref);
    priv->gotShutdown = false;
    priv->shutdownByGuest = false;
    priv->fakeReboot = false;
    priv->beingDestroyed = false;
    priv->pausedReason = VIR_DOMAIN_PAUSED_UNKNOWN;
    priv->startedMono = 0;
    priv->taintCustomMonitor = false;
    g_clear_pointer(&priv->stats, qemuStatsCacheFree);
}

/**
 * qemuDomainPrivateFree:
 * @opaque: a QemuDomainPrivate, or NULL
 *
 * Frees the private data.  The monitor, if any, is closed.
 */
void
qemuDomainPrivateFree(void *opaque)
{
    QemuDomainPrivate *priv = opaque;

    if (!priv)
        return;
    if (priv->mon) {
        qemuMonitorClose(priv->mon);
        priv->mon = NULL;
    }
    qemuDomainPrivateClearProcess(priv);
    qemuMigrationPrivateFree(priv);
    condClear(&priv->exitCond);
    condClear(&priv->jobCond);
    g_free(priv);
}

/**
 * qemuDomainPrivate:
 * @vm: a QEMU domain object
 *
 * Returns: its private data (valid as long as @vm).
 */
QemuDomainPrivate *
qemuDomainPrivate(DomainObj *vm)
{
    return vm->privateData;
}

static const char *const qemuJobNames[] = {
    [QEMU_JOB_NONE] = "none",
    [QEMU_JOB_MODIFY] = "state change",
    [QEMU_JOB_DESTROY] = "destroy",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuJobNames) == QEMU_JOB_LAST);

/**
 * qemuDomainJobTypeToString:
 * @job: a job kind
 *
 * Returns: a static description, used in "busy" messages.
 */
const char *
qemuDomainJobTypeToString(QemuJob job)
{
    if (job < 0 || job >= QEMU_JOB_LAST)
        return "unknown";
    return qemuJobNames[job];
}

/* A waiter re-checks the job holder this often (ms). */
#define QEMU_DOMAIN_JOB_POLL_MS 100
/* A command QEMU has not answered for this long (ms) means it is stuck. */
#define QEMU_DOMAIN_STUCK_MS 1000

/*
 * Issue 7: waiting for a job whose holder waits on a QEMU that does not
 * answer only delays the failure; fail at once instead, naming the job,
 * its API, its age and the unanswered command.  @vm is locked.
 * Returns true with the error reported.
 */
static bool
qemuDomainJobHolderStuckLocked(DomainObj *vm)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    g_autofree char *cmd = NULL;
    int64_t cmdAgeMs = 0;
    gint64 age;

    if (priv->job == QEMU_JOB_NONE || !priv->mon ||
        !(cmd = qemuMonitorGetPending(priv->mon, QEMU_DOMAIN_STUCK_MS, false, &cmdAgeMs)))
        return false;
    age = (g_get_monotonic_time() - priv->jobStartMono) / G_USEC_PER_SEC;
    reportError(VIR_ERR_OPERATION_TIMEOUT,
                _("domain '%1$s' is busy: %2$s (%3$s) for %4$lld s; QEMU has not answered command '%5$s' for %6$lld.%7$03lld s"),
                vm->def->name, qemuDomainJobTypeToString(priv->job), priv->jobApi,
                (long long)age, cmd, (long long)(cmdAgeMs / 1000), (long long)(cmdAgeMs % 1000));
    return true;
}

/*
 * The status XML of a running domain names the job it holds (<job>), so
 * that a restarted daemon knows what the old one was doing when it died:
 * written when a job starts on a domain whose QEMU runs, and again when
 * that job ends (without <job>) if the domain still runs and its status
 * was written during the job (qemuStatusWriteLocked notes it).  A failed write
 * is logged; the caller's error stays.
 */
static void
qemuDomainJobSaveStatusLocked(DomainObj *vm, bool begin)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    g_autoptr(SavedError) saved = NULL;

    if (!begin && !priv->jobInStatus)
        return;
    priv->jobInStatus = false;
    if (!priv->mon || !domainObjIsActive(vm))
        return;
    saved = errorSave();
    if (qemuStatusWriteLocked(priv->driver, vm) < 0)
        LOG_WARN("domain '%s': cannot record its job in the status XML: %s", vm->def->name,
                 errorGetSlot()->message ? errorGetSlot()->message : "");
}

/**
 * qemuDomainJobBeginLocked:
 * @vm: the domain, locked (the lock is dropped while waiting)
 * @job: the kind of job
 * @api: the public API taking it (a static string, e.g. "virDomainSuspend")
 *
 * Waits until no other job runs on @vm, at most job_wait_timeout (and not
 * at all once the holder waits on a QMP command QEMU has not answered for
 * QEMU_DOMAIN_STUCK_MS), then makes the calling thread the job's owner.  Queries never call this.
 * While waiting, @vm is unlocked: the caller must check again what it
 * checked before (is the domain still active?).
 *
 * Returns: 0 with the job held, or -1 with VIR_ERR_OPERATION_TIMEOUT
 * naming the job that holds the domain, its API and its age.
 */
int
qemuDomainJobBeginLocked(DomainObj *vm, QemuJob job, const char *api)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    gint64 deadline = g_get_monotonic_time() +
                      (gint64)priv->driver->config->jobWaitTimeoutMs * 1000;

    while (priv->job != QEMU_JOB_NONE) {
        if (priv->jobOwner == g_thread_self()) {
            reportError(VIR_ERR_INTERNAL_ERROR,
                        _("nested job %1$s on domain '%2$s' while in %3$s"), api,
                        vm->def->name, priv->jobApi);
            return -1;
        }
        if (qemuDomainJobHolderStuckLocked(vm))
            return -1;
        /* Wake up now and then to notice a holder stuck on QEMU. */
        if (!condWaitUntil(&priv->jobCond, &vm->lock,
                           MIN(deadline, g_get_monotonic_time() +
                                         QEMU_DOMAIN_JOB_POLL_MS * 1000)) &&
            priv->job != QEMU_JOB_NONE && g_get_monotonic_time() >= deadline) {
            gint64 age = (g_get_monotonic_time() - priv->jobStartMono) / G_USEC_PER_SEC;

            reportError(VIR_ERR_OPERATION_TIMEOUT,
                        _("domain '%1$s' is busy: %2$s (%3$s) for %4$lld s"),
                        vm->def->name, qemuDomainJobTypeToString(priv->job),
                        priv->jobApi, (long long)age);
            return -1;
        }
    }
    priv->job = job;
    priv->jobApi = api;
    priv->jobStartMono = g_get_monotonic_time();
    priv->jobOwner = g_thread_self();
    LOG_DEBUG("domain '%s': job %s (%s) started", vm->def->name,
              qemuDomainJobTypeToString(job), api);
    qemuDomainJobSaveStatusLocked(vm, true);
    return 0;
}

/**
 * qemuDomainJobEndLocked:
 * @vm: the domain, locked, whose job the caller holds
 *
 * Ends the job and wakes one waiter.
 */
void
qemuDomainJobEndLocked(DomainObj *vm)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);

    LOG_DEBUG("domain '%s': job %s (%s) ended", vm->def->name,
              qemuDomainJobTypeToString(priv->job), priv->jobApi);
    priv->job = QEMU_JOB_NONE;
    priv->jobApi = NULL;
    priv->jobOwner = NULL;
    priv->jobStartMono = 0;
    qemuDomainJobSaveStatusLocked(vm, false);
    condBroadcast(&priv->jobCond);
}

/**
 * qemuDomainEnterMonitorLocked:
 * @vm: an active domain, locked, under a job held by the caller
 *
 * Takes a reference on the domain's monitor and unlocks @vm, so that the
 * caller can wait on QEMU without blocking queries and events.
 *
 * Returns: the monitor (pass it to qemuDomainExitMonitorLocked), or NULL
 * with VIR_ERR_OPERATION_INVALID when there is none, or with
 * VIR_ERR_OPERATION_TIMEOUT when a command whose caller already timed
 * out is still unanswered (@vm stays locked).
 */
QemuMonitor *
qemuDomainEnterMonitorLocked(DomainObj *vm)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    QemuMonitor *mon;
    g_autofree char *stuck = NULL;
    int64_t stuckMs = 0;

    if (!priv->mon || !domainObjIsActive(vm)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
        return NULL;
    }
    /* A command whose caller timed out still waits for QEMU: a new one
     * would only queue behind it until it times out too (issue 7). */
    if ((stuck = qemuMonitorGetPending(priv->mon, 0, true, &stuckMs))) {
        reportError(VIR_ERR_OPERATION_TIMEOUT,
                    _("QEMU command '%1$s' on domain '%2$s' has been unanswered for %3$lld.%4$03lld s"),
                    stuck, vm->def->name, (long long)(stuckMs / 1000),
                    (long long)(stuckMs % 1000));
        return NULL;
    }
    mon = qemuMonitorRef(priv->mon);
    domainObjUnlock(vm);
    return mon;
}

/**
 * qemuDomainExitMonitorLocked:
 * @vm: the domain, unlocked by qemuDomainEnterMonitorLocked
 * @mon: the monitor it returned (reference dropped here)
 *
 * Locks @vm again and checks that the same QEMU still runs.
 *
 * Returns: 0, or -1 with VIR_ERR_OPERATION_FAILED when the domain stopped
 * meanwhile (@vm is locked either way).
 */
int
qemuDomainExitMonitorLocked(DomainObj *vm, QemuMonitor *mon)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);

    domainObjLock(vm);
    qemuMonitorUnref(mon);
    if (!domainObjIsActive(vm) || priv->mon != mon) {
        if (!errorIsSet())
            reportError(VIR_ERR_OPERATION_FAILED,
                        _("domain '%1$s' is no longer running"), vm->def->name);
        return -1;
    }
    return 0;
}

/**
 * qemuDomainEventQueueIDLocked:
 * @driver: the driver
 * @vm: the domain, locked
 * @id: the domain id the event carries
 * @type: virDomainEventType
 * @detail: its detail
 *
 * Queues a lifecycle event; delivery happens on the client's event loop.
 */
void
qemuDomainEventQueueIDLocked(QemuDriver *driver, DomainObj *vm, int id, int type, int detail)
{
    LOG_DEBUG("domain '%s': event (%d, %d)", vm->def->name, type, detail);
    domainEventStateQueue(driver->events,
                          domainEventLifecycleNew(vm->def->name, vm->def->uuid, id, type,
                                                  detail));
}

/**
 * qemuDomainEventQueueLocked:
 * @driver: the driver
 * @vm: the domain, locked
 * @type: virDomainEventType
 * @detail: its detail
 *
 * As qemuDomainEventQueueIDLocked with the domain's current id.
 */
void
qemuDomainEventQueueLocked(QemuDriver *driver, DomainObj *vm, int type, int detail)
{
    qemuDomainEventQueueIDLocked(driver, vm, vm->def->id, type, detail);
}

/**
 * qemuDomainConfigPath:
 * @driver: the driver
 * @name: a domain name
 *
 * Returns: the path of its persistent definition (caller frees).
 */
char *
qemuDomainConfigPath(QemuDriver *driver, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(driver->config->configDir, file, NULL);
}

/**
 * qemuDomainAutostartPath:
 * @driver: the driver
 * @name: a domain name
 *
 * Returns: the path of its autostart link (caller frees).
 */
char *
qemuDomainAutostartPath(QemuDriver *driver, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(driver->config->autostartDir, file, NULL);
}

/* Writes @contents next to @path, syncs it if @sync, renames it over @path. */
static int
qemuDomainWriteFileAtomicFull(const char *path, const char *contents, bool sync)
{
    g_autofree char *tmp = g_strdup_printf("%s.new", path);
    size_t len = strlen(contents);
    size_t done = 0;
    int fd;

    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        reportSystemError(errno, _("cannot create '%1$s'"), tmp);
        return -1;
    }
    while (done < len) {
        ssize_t n = write(fd, contents + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            reportSystemError(errno, _("cannot write '%1$s'"), tmp);
            close(fd);
            unlink(tmp);
            return -1;
        }
        done += n;
    }
    if ((sync ? fdSyncClose(fd) : close(fd)) < 0) {
        reportSystemError(errno, _("cannot write '%1$s'"), tmp);
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) < 0) {
        reportSystemError(errno, _("cannot rename '%1$s' to '%2$s'"), tmp, path);
        unlink(tmp);
        return -1;
    }
    return 0;
}

/**
 * qemuDomainWriteFileAtomic:
 * @path: destination
 * @contents: NUL-terminated text
 *
 * Writes @contents to a temporary file next to @path, syncs it and
 * renames it over @path, so readers see the old or the new file, whole.
 *
 * Returns: 0, or -1 with a system error.
 */
int
qemuDomainWriteFileAtomic(const char *path, const char *contents)
{
    return qemuDomainWriteFileAtomicFull(path, contents, true);
}

/**
 * qemuDomainWriteRuntimeFile:
 * @path: destination, a runtime file (status XML)
 * @contents: NUL-terminated text
 *
 * As qemuDomainWriteFileAtomic() without the sync: the rename keeps the
 * file whole across a crash of the daemon, and runtime state does not
 * outlive the machine (its QEMUs die with it), so the start of a guest
 * does not wait for the disk.
 *
 * Returns: 0, or -1 with a system error.
 */
int
qemuDomainWriteRuntimeFile(const char *path, const char *contents)
{
    return qemuDomainWriteFileAtomicFull(path, contents, false);
}

/**
 * qemuDomainSaveConfigLocked:
 * @driver: the driver
 * @vm: a persistent domain, locked
 *
 * Writes the persistent definition to the config dir.
 *
 * Returns: 0, or -1 with an error.
 */
int
qemuDomainSaveConfigLocked(QemuDriver *driver, DomainObj *vm)
{
    DomainDef *def = domainObjGetPersistentDef(vm);
    g_autofree char *xml = NULL;
    g_autofree char *path = qemuDomainConfigPath(driver, def->name);

    if (!(xml = domainDefFormat(def, DOMAIN_DEF_FORMAT_INACTIVE | DOMAIN_DEF_FORMAT_SECURE)))
        return -1;
    return qemuDomainWriteFileAtomic(path, xml);
}
