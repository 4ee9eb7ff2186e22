/* QEMU processes: launch, monitor events, stop, reap, reconnect. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_QEMU

#include "qemu/qemu_command.h"
#include "qemu/qemu_dump.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_process.h"
#include "qemu/qemu_graphics.h"
#include "qemu/qemu_interface.h"
#include "qemu/qemu_status.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"

LOG_INIT("qemu.process");

/* How much of the QEMU log an error message quotes. */
#define QEMU_PROCESS_LOG_TAIL 1024
/* After SIGKILL, how long a process may take to disappear. */
#define QEMU_PROCESS_KILL_WAIT_MS 5000
/* After the monitor closed during a start, how long to wait for the exit
 * status (so that the log holds QEMU's last words). */
#define QEMU_PROCESS_EARLY_EXIT_WAIT_MS 2000

/* ---- work queued from the event loop to a worker ---- */

typedef enum {
    QEMU_PROCESS_WORK_GONE = 0,     /* monitor EOF or the child exited */
    QEMU_PROCESS_WORK_GUEST_SHUTDOWN, /* SHUTDOWN from the guest: on_poweroff / fake reboot */
    QEMU_PROCESS_WORK_PANIC,        /* GUEST_PANICKED: on_crash */
    QEMU_PROCESS_WORK_SAVE_STATUS,  /* state changed: rewrite the status XML */
    QEMU_PROCESS_WORK_MIGRATION,    /* QEMU migration events to run through the table */
} QemuProcessWorkType;

typedef struct {
    QemuProcessWorkType type;
    DomainObj *vm;          /* reference */
    pid_t pid;              /* the process the work is about */
} QemuProcessWork;

static void
qemuProcessQueueWork(QemuDriver *driver, DomainObj *vm, QemuProcessWorkType type, pid_t pid)
{
    QemuProcessWork *work = g_new0(QemuProcessWork, 1);

    work->type = type;
    work->vm = domainObjRef(vm);
    work->pid = pid;
    g_thread_pool_push(driver->workers, work, NULL);
}

/**
 * qemuProcessQueueMigrationWork:
 * @driver: the driver
 * @vm: a domain, locked
 *
 * Asks a worker to run the QEMU migration events queued for @vm through
 * the migration table (under a job).
 */
void
qemuProcessQueueMigrationWork(QemuDriver *driver, DomainObj *vm)
{
    if (!g_atomic_int_get(&driver->closing))
        qemuProcessQueueWork(driver, vm, QEMU_PROCESS_WORK_MIGRATION,
                             qemuDomainPrivate(vm)->pid);
}

/* ---- small helpers ---- */

/* True if @pid is our own child (we must reap it). */
static bool
qemuProcessIsOurChild(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *text = NULL;
    const char *p;
    int ppid = 0;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return false;
    /* "pid (comm) S ppid ...": comm may hold spaces and parentheses. */
    if (!(p = strrchr(text, ')')))
        return false;
    if (sscanf(p + 1, " %*c %d", &ppid) != 1)
        return false;
    return ppid == getpid();
}

/**
 * qemuProcessIsAlive:
 * @pid: a process id
 * @name: the domain name it should run, or NULL not to check
 *
 * True if @pid exists, is not a zombie and (when @name is given) runs a
 * QEMU for guest @name, so that a recycled pid is not taken for our QEMU.
 */
bool
qemuProcessIsAlive(pid_t pid, const char *name)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *text = NULL;
    g_autofree char *cmdline = NULL;
    g_autofree char *want = NULL;
    size_t len = 0;
    const char *p;
    size_t i;

    if (pid <= 0 || !g_file_get_contents(path, &text, NULL, NULL))
        return false;
    if (!(p = strrchr(text, ')')) || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
        return false;
    if (!name)
        return true;

    g_free(path);
    path = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    if (!g_file_get_contents(path, &cmdline, &len, NULL))
        return false;
    want = g_strdup_printf("guest=%s,", name);
    for (i = 0; i < len; i += strlen(cmdline + i) + 1) {
        if (strPrefix(cmdline + i, want))
            return true;
    }
    return false;
}

/**
 * qemuProcessGetCpuTime:
 * @pid: a process
 * @retNs: where to store user + system CPU time in nanoseconds
 *
 * Reads /proc/PID/stat.  Never blocks on QEMU.
 *
 * Returns: 0, or -1 with a system error.
 */
int
qemuProcessGetCpuTime(pid_t pid, unsigned long long *retNs)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *text = NULL;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    long tck = sysconf(_SC_CLK_TCK);
    const char *p;

    if (!g_file_get_contents(path, &text, NULL, NULL) || !(p = strrchr(text, ')'))) {
        reportSystemError(ENOENT, _("cannot read '%1$s'"), path);
        return -1;
    }
    /* After "(comm)": state ppid pgrp session tty tpgid flags minflt
     * cminflt majflt cmajflt utime stime (fields 3..15 of proc(5)). */
    if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
               &utime, &stime) != 2) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("cannot parse '%1$s'"), path);
        return -1;
    }
    if (tck <= 0)
        tck = 100;
    *retNs = (utime + stime) * (1000000000ULL / (unsigned long long)tck);
    return 0;
}

/* The last QEMU_PROCESS_LOG_TAIL bytes of @path from @offset on, trimmed. */
static char *
qemuProcessReadLogTail(const char *path, off_t offset)
{
    g_autofree char *text = NULL;
    size_t len = 0;
    const char *start;

    if (!path || !g_file_get_contents(path, &text, &len, NULL))
        return g_strdup("");
    if ((size_t)offset > len)
        offset = 0;
    start = text + offset;
    if (strlen(start) > QEMU_PROCESS_LOG_TAIL)
        start += strlen(start) - QEMU_PROCESS_LOG_TAIL;
    return g_strstrip(g_strdup(start));
}

/* ---- waiting for the process to exit ---- */

static int
qemuProcessPidfdOpen(pid_t pid)
{
#ifdef SYS_pidfd_open
    return syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

/*
 * Waits up to @timeoutMs for the process of @vm (locked; unlocked while
 * waiting) to exit.  Our own child: the child watch reaps it and signals
 * exitCond.  Otherwise (a QEMU started by an earlier daemon): a pidfd
 * becomes readable when it exits.  Returns true once it is gone.
 */
/* After a failed start-up command: how long QEMU may take to be seen gone. */
#define QEMU_PROCESS_BATCH_EXIT_WAIT_MS 200

static bool
qemuProcessWaitExitLocked(DomainObj *vm, int timeoutMs)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;
    pid_t pid = priv->pid;
    int pidfd;
    bool gone;

    if (pid <= 0)
        return true;
    if (priv->isChild) {
        /* Another thread may stop the domain meanwhile (and clear @exited):
         * a different pid also means that this process is gone. */
        while (priv->pid == pid && !priv->exited) {
            if (!condWaitUntil(&priv->exitCond, &vm->lock, deadline))
                break;
        }
        return priv->pid != pid || priv->exited;
    }

    if ((pidfd = qemuProcessPidfdOpen(pid)) < 0)
        return !qemuProcessIsAlive(pid, NULL);
    domainObjUnlock(vm);
    {
        struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
        int rc;

        do {
            rc = poll(&pfd, 1, timeoutMs);
        } while (rc < 0 && errno == EINTR);
        gone = rc > 0;
    }
    close(pidfd);
    domainObjLock(vm);
    return gone || !qemuProcessIsAlive(pid, NULL);
}

/**
 * qemuProcessKill:
 * @vm: an active domain, locked (unlocked while waiting)
 * @graceMs: how long to wait after SIGTERM; 0 sends SIGKILL at once
 * @force: send SIGKILL when SIGTERM was not enough
 *
 * Stops the QEMU process of @vm and waits until it is gone.  Needs no
 * job: destroy works while another job holds the domain.
 *
 * Returns: 0 once the process is gone, -1 with an error if it is still
 * there (not @force, or it survived SIGKILL).
 */
int
qemuProcessKill(DomainObj *vm, int graceMs, bool force)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    pid_t pid = priv->pid;

    if (pid <= 0 || priv->exited)
        return 0;
    if (graceMs > 0) {
        LOG_DEBUG("domain '%s': SIGTERM to %d", vm->def->name, (int)pid);
        if (kill(pid, SIGTERM) < 0 && errno == ESRCH)
            return 0;
        if (qemuProcessWaitExitLocked(vm, graceMs))
            return 0;
        if (!force) {
            reportSystemError(EBUSY, _("Failed to terminate process %1$lld with SIGTERM"),
                              (long long)pid);
            return -1;
        }
    }
    if (priv->pid != pid || priv->exited)
        return 0;
    LOG_DEBUG("domain '%s': SIGKILL to %d", vm->def->name, (int)pid);
    if (kill(pid, SIGKILL) < 0 && errno == ESRCH)
        return 0;
    if (qemuProcessWaitExitLocked(vm, QEMU_PROCESS_KILL_WAIT_MS))
        return 0;
    reportSystemError(EBUSY, _("Failed to kill process %1$lld with SIGKILL"), (long long)pid);
    return -1;
}

/* ---- the child watch (event-loop thread) ---- */

typedef struct {
    QemuDriver *driver;
    DomainObj *vm;          /* reference */
    pid_t pid;
} QemuProcessWatch;

static void
qemuProcessWatchFree(void *opaque)
{
    QemuProcessWatch *w = opaque;

    domainObjUnref(w->vm);
    g_free(w);
}

static void
qemuProcessChildExited(GPid pid, gint status, gpointer opaque)
{
    QemuProcessWatch *w = opaque;
    QemuDomainPrivate *priv = qemuDomainPrivate(w->vm);

    domainObjLock(w->vm);
    LOG_DEBUG("domain '%s': process %d exited, status 0x%x", w->vm->def->name, (int)pid,
              status);
    if (priv->pid == pid) {
        priv->exited = true;
        priv->exitStatus = status;
        condBroadcast(&priv->exitCond);
        qemuMigrationNotifyGoneLocked(w->vm);
        if (!g_atomic_int_get(&w->driver->closing))
            qemuProcessQueueWork(w->driver, w->vm, QEMU_PROCESS_WORK_GONE, pid);
    }
    domainObjUnlock(w->vm);
}

/* Reap @pid (our child, domain @vm locked) through the loop thread. */
static void
qemuProcessWatchChildLocked(QemuDriver *driver, DomainObj *vm, pid_t pid)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    QemuProcessWatch *w = g_new0(QemuProcessWatch, 1);
    GSource *src = g_child_watch_source_new(pid);

    w->driver = driver;
    w->vm = domainObjRef(vm);
    w->pid = pid;
    g_source_set_callback(src, G_SOURCE_FUNC(qemuProcessChildExited), w, qemuProcessWatchFree);
    g_source_attach(src, driver->ctx);
    priv->isChild = true;
    priv->childWatch = src;
}

static void
qemuProcessUnwatchChildLocked(QemuDomainPrivate *priv)
{
    if (!priv->childWatch)
        return;
    g_source_destroy(priv->childWatch);
    g_source_unref(priv->childWatch);
    priv->childWatch = NULL;
}

/* ---- monitor callbacks (event-loop thread) ---- */

typedef struct {
    QemuDriver *driver;
    DomainObj *vm;          /* reference */
} QemuProcessMonCtx;

static void
qemuProcessMonCtxFree(void *opaque)
{
    QemuProcessMonCtx *ctx = opaque;

    domainObjUnref(ctx->vm);
    g_free(ctx);
}

/*
 * BLOCK_IO_ERROR, as libvirt 9.0 reports it: IO_ERROR and IO_ERROR_REASON
 * (the disk's source and alias, the action, reason "enospc" or ""), and with
 * the action "stop" a running guest shows PAUSED/IOERROR
 * (SUSPENDED_IOERROR) at once; the STOP that follows changes nothing then.
 * @vm is locked.
 */
static void
qemuProcessHandleIOError(QemuDriver *driver, DomainObj *vm, const QemuMonitorEvent *ev)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    const DomainDiskDef *disk = qemuCommandDiskByNodeName(vm->def, ev->u.ioError.nodeName);
    const char *action = ev->u.ioError.action;
    DomainEventFields fields = {0};
    size_t i;

    /* a -drive backend is named "drive-" + the device's alias */
    for (i = 0; !disk && ev->u.ioError.device && *ev->u.ioError.device &&
                i < vm->def->ndisks; i++) {
        const char *alias = vm->def->disks[i]->info.alias;

        if (alias && g_str_has_prefix(ev->u.ioError.device, "drive-") &&
            streq(ev->u.ioError.device + strlen("drive-"), alias))
            disk = vm->def->disks[i];
    }
    fields.s1 = disk && disk->src ? disk->src : "";
    fields.s2 = disk && disk->info.alias ? disk->info.alias : "";
    if (streq(action, "stop"))
        fields.i1 = VIR_DOMAIN_EVENT_IO_ERROR_PAUSE;
    else if (streq(action, "report"))
        fields.i1 = VIR_DOMAIN_EVENT_IO_ERROR_REPORT;
    else
        fields.i1 = VIR_DOMAIN_EVENT_IO_ERROR_NONE;
    fields.s3 = ev->u.ioError.nospace ? "enospc" : "";
    LOG_WARN("domain '%s': I/O error on disk '%s' (%s), action %s", vm->def->name, fields.s2,
             fields.s1, action);
    domainEventStateQueue(driver->events,
                          domainEventFieldsNew(VIR_DOMAIN_EVENT_ID_IO_ERROR, vm->def->name,
                                               vm->def->uuid, vm->def->id, &fields, NULL, 0));
    domainEventStateQueue(driver->events,
                          domainEventFieldsNew(VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON,
                                               vm->def->name, vm->def->uuid, vm->def->id,
                                               &fields, NULL, 0));
    if (fields.i1 == VIR_DOMAIN_EVENT_IO_ERROR_PAUSE &&
        domainObjGetState(vm, NULL) == VIR_DOMAIN_RUNNING) {
        domainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_IOERROR);
        qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                   VIR_DOMAIN_EVENT_SUSPENDED_IOERROR);
        qemuProcessQueueWork(driver, vm, QEMU_PROCESS_WORK_SAVE_STATUS, priv->pid);
    }
}

static void
qemuProcessHandleEvent(QemuMonitor *mon, const QemuMonitorEvent *ev, void *opaque)
{
    QemuProcessMonCtx *ctx = opaque;
    QemuDriver *driver = ctx->driver;
    DomainObj *vm = ctx->vm;
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    int state;
    int reason;

    errorReset();
    domainObjLock(vm);
    if (priv->mon != mon || !domainObjIsActive(vm)) {
        domainObjUnlock(vm);
        return;
    }
    state = domainObjGetState(vm, &reason);
    LOG_DEBUG("domain '%s': QMP event %s in state %d/%d", vm->def->name, ev->name, state,
              reason);

    if (qemuMigrationHandleEventLocked(driver, vm, ev)) {
        domainObjUnlock(vm);
        return;
    }

    switch (ev->type) {
    case QEMU_MONITOR_EVENT_STOP:
        /* QEMU also stops the CPUs when the guest powers off (-no-shutdown):
         * that is the SHUTDOWN state, not a pause. */
        if (state == VIR_DOMAIN_RUNNING && !priv->gotShutdown) {
            domainObjSetState(vm, VIR_DOMAIN_PAUSED, priv->pausedReason);
            priv->pausedReason = VIR_DOMAIN_PAUSED_UNKNOWN;
            qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                       VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
            qemuProcessQueueWork(driver, vm, QEMU_PROCESS_WORK_SAVE_STATUS, priv->pid);
        }
        break;

    case QEMU_MONITOR_EVENT_RESUME:
        if (state == VIR_DOMAIN_PAUSED) {
            domainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
            qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_RESUMED,
                                       VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
            qemuProcessQueueWork(driver, vm, QEMU_PROCESS_WORK_SAVE_STATUS, priv->pid);
        }
        break;

    case QEMU_MONITOR_EVENT_SHUTDOWN:
        /* libvirt 9.0: SHUTDOWN_GUEST / SHUTDOWN_HOST from "guest".  A
         * second SHUTDOWN (the SIGTERM that applies on_poweroff) is not
         * reported again, as libvirt. */
        if (state == VIR_DOMAIN_SHUTDOWN)
            break;
        priv->gotShutdown = true;
        priv->shutdownByGuest = ev->u.shutdown.guest;
        domainObjSetState(vm, VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_UNKNOWN);
        qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_SHUTDOWN,
                                   ev->u.shutdown.guest ? VIR_DOMAIN_EVENT_SHUTDOWN_GUEST :
                                                          VIR_DOMAIN_EVENT_SHUTDOWN_HOST);
        /* With -no-shutdown QEMU stays after a guest power-off: apply
         * on_poweroff (or finish a reboot).  A host signal makes it exit. */
        if (ev->u.shutdown.guest && !priv->beingDestroyed)
            qemuProcessQueueWork(driver, vm, QEMU_PROCESS_WORK_GUEST_SHUTDOWN, priv->pid);
        break;

    case QEMU_MONITOR_EVENT_RESET:
        domainEventStateQueue(driver->events,
                              domainEventRebootNew(vm->def->name, vm->def->uuid, vm->def->id));
        break;

    case QEMU_MONITOR_EVENT_GUEST_PANICKED:
        domainObjSetState(vm, VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED);
        qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_CRASHED,
                                   VIR_DOMAIN_EVENT_CRASHED_PANICKED);
        qemuProcessQueueWork(driver, vm, QEMU_PROCESS_WORK_PANIC, priv->pid);
        break;

    case QEMU_MONITOR_EVENT_BALLOON_CHANGE:
        vm->def->mem.current = ev->u.balloon.actual / 1024;
        break;

    case QEMU_MONITOR_EVENT_BLOCK_IO_ERROR:
        qemuProcessHandleIOError(driver, vm, ev);
        break;

    case QEMU_MONITOR_EVENT_DUMP_COMPLETED:
        qemuFileJobDumpCompletedLocked(vm, ev);
        break;

    case QEMU_MONITOR_EVENT_POWERDOWN:
    default:
        break;
    }
    domainObjUnlock(vm);
}

static void
qemuProcessHandleLateReply(QemuMonitor *mon, const QemuMonitorLateReply *late, void *opaque)
{
    QemuProcessMonCtx *ctx = opaque;

    /* State follows QEMU's events (a late 'stop' is followed by STOP).  The
     * domain's lock: a start from a managed save image replaces its def. */
    domainObjLock(ctx->vm);
    LOG_INFO("domain '%s': late reply to '%s' after %lld ms", ctx->vm->def->name,
             late->command, (long long)late->elapsedMs);
    domainObjUnlock(ctx->vm);
}

static void
qemuProcessHandleClosed(QemuMonitor *mon, QemuMonitorClosedReason reason, const char *message,
                        void *opaque)
{
    QemuProcessMonCtx *ctx = opaque;
    QemuDomainPrivate *priv = qemuDomainPrivate(ctx->vm);

    errorReset();
    domainObjLock(ctx->vm);
    LOG_DEBUG("domain '%s': monitor closed: %s", ctx->vm->def->name,
              message ? message : "EOF");
    if (priv->mon == mon) {
        qemuMigrationNotifyGoneLocked(ctx->vm);
        qemuFileJobNotifyGoneLocked(ctx->vm);
    }
    if (priv->mon == mon && !g_atomic_int_get(&ctx->driver->closing))
        qemuProcessQueueWork(ctx->driver, ctx->vm, QEMU_PROCESS_WORK_GONE, priv->pid);
    domainObjUnlock(ctx->vm);
}

static const QemuMonitorCallbacks qemuProcessMonitorCallbacks = {
    .event = qemuProcessHandleEvent,
    .lateReply = qemuProcessHandleLateReply,
    .closed = qemuProcessHandleClosed,
};

/* Connect to the monitor of @vm at @path (no lock held). */
static QemuMonitor *
qemuProcessMonitorOpen(QemuDriver *driver, DomainObj *vm, const char *name, const char *path)
{
    QemuProcessMonCtx *ctx = g_new0(QemuProcessMonCtx, 1);
    QemuMonitor *mon;

    ctx->driver = driver;
    ctx->vm = domainObjRef(vm);
    if (!(mon = qemuMonitorOpen(path, name, driver->ctx, 0, &qemuProcessMonitorCallbacks, ctx,
                                qemuProcessMonCtxFree)))
        return NULL;
    qemuMonitorSetTimeout(mon, driver->config->monitorTimeoutMs);
    return mon;
}

/* ---- stop ---- */

/**
 * qemuProcessStop:
 * @driver: the driver
 * @vm: an active domain, locked, under a job held by the caller (or not
 *      yet published, during reconnect)
 * @reason: the virDomainShutoffReason it ends with
 * @detail: the VIR_DOMAIN_EVENT_STOPPED_* detail of the event, or -1 for none
 *
 * Closes the monitor, makes sure the process is gone (SIGKILL) and reaped,
 * removes the runtime files, and leaves @vm shut off; a transient domain
 * leaves the list.  The STOPPED event carries id -1 for a persistent
 * domain and the last id for a transient one (as libvirt).
 */
void
qemuProcessStop(QemuDriver *driver, DomainObj *vm, int reason, int detail)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    g_autoptr(SavedError) saved = errorSave();
    int oldID = vm->def->id;

    LOG_INFO("domain '%s': stopping (reason %d)", vm->def->name, reason);
    if (priv->mon) {
        qemuMonitorClose(priv->mon);
        priv->mon = NULL;
    }
    if (qemuProcessKill(vm, 0, true) < 0)
        LOG_WARN("domain '%s': process %d did not go away, ignoring", vm->def->name,
                 (int)priv->pid);
    if (!domainObjIsActive(vm))
        return;     /* someone else stopped it while we waited */
    qemuProcessUnwatchChildLocked(priv);

    qemuStatusRemove(driver, vm->def->name);
    if (priv->monitorPath)
        unlink(priv->monitorPath);
    if (priv->pidfile)
        unlink(priv->pidfile);

    qemuGraphicsReleasePorts(driver, vm->def);
    qemuInterfaceStopDevices(vm->def);
    domainObjListReleaseID(driver->domains, vm);
    domainObjRemoveTransientDef(vm);
    domainObjSetState(vm, VIR_DOMAIN_SHUTOFF, reason);
    qemuDomainPrivateClearProcess(priv);
    if (detail >= 0)
        qemuDomainEventQueueIDLocked(driver, vm, vm->persistent ? -1 : oldID,
                                     VIR_DOMAIN_EVENT_STOPPED, detail);
    if (!vm->persistent)
        domainObjListRemove(driver->domains, vm);
}

/**
 * qemuProcessDetach:
 * @vm: a domain, locked
 *
 * Lets go of a running QEMU without stopping it (the driver instance is
 * going away; a later instance reconnects from the status XML): closes
 * the monitor and removes the child watch.
 */
void
qemuProcessDetach(DomainObj *vm)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);

    if (priv->mon) {
        qemuMonitorClose(priv->mon);
        priv->mon = NULL;
    }
    qemuProcessUnwatchChildLocked(priv);
}

/* ---- work items (worker threads) ---- */

static void
qemuProcessGuestShutdownLocked(QemuDriver *driver, DomainObj *vm)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    int action = vm->def->onPoweroff;
    QemuMonitor *mon;
    int rc;

    if (priv->fakeReboot || action == DOMAIN_LIFECYCLE_RESTART ||
        action == DOMAIN_LIFECYCLE_RESTART_RENAME) {
        /* virDomainReboot with ACPI: reset and run again. */
        priv->fakeReboot = false;
        if (!(mon = qemuDomainEnterMonitorLocked(vm)))
            return;
        rc = qemuMonitorSystemReset(mon);
        if (rc == 0)
            rc = qemuMonitorCont(mon);
        if (qemuDomainExitMonitorLocked(vm, mon) < 0 || rc < 0) {
            LOG_WARN("domain '%s': reboot failed, ignoring", vm->def->name);
            return;
        }
        priv->gotShutdown = false;
        domainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
        qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_RESUMED,
                                   VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
        qemuStatusWriteLocked(driver, vm);
        return;
    }
    if (action == DOMAIN_LIFECYCLE_PRESERVE)
        return;
    qemuProcessKill(vm, driver->config->destroyGraceMs, true);
    qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_SHUTDOWN, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN);
}

static void
qemuProcessWorker(gpointer data, gpointer opaque)
{
    QemuProcessWork *work = data;
    QemuDriver *driver = opaque;
    DomainObj *vm = work->vm;
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);

    errorReset();
    if (g_atomic_int_get(&driver->closing))
        goto done;
    domainObjLock(vm);
    if (work->type == QEMU_PROCESS_WORK_SAVE_STATUS) {
        if (domainObjIsActive(vm) && priv->pid == work->pid)
            qemuStatusWriteLocked(driver, vm);
        domainObjUnlock(vm);
        goto done;
    }
    if (work->type == QEMU_PROCESS_WORK_GONE && priv->beingDestroyed &&
        priv->pid == work->pid) {
        /* virDomainDestroy sent the signals, waits for the exit and cleans
         * up itself: taking the job here would only make it wait for us. */
        domainObjUnlock(vm);
        goto done;
    }

    if (qemuDomainJobBeginLocked(vm, work->type == QEMU_PROCESS_WORK_GONE ? QEMU_JOB_DESTROY :
                                                                            QEMU_JOB_MODIFY,
                                 "qemuProcessEvent") < 0) {
        LOG_WARN("domain '%s': cannot handle process event: %s, ignoring", vm->def->name,
                 errorGetSlot()->message ? errorGetSlot()->message : "");
        domainObjUnlock(vm);
        goto done;
    }
    if (!domainObjIsActive(vm) || priv->pid != work->pid || g_atomic_int_get(&driver->closing))
        goto endjob;

    switch (work->type) {
    case QEMU_PROCESS_WORK_GONE:
        /* during a migration the table decides (QEMU_CRASH) */
        if (qemuMigrationQemuGoneLocked(vm))
            break;
        /* The monitor closes while QEMU is still on its way out (after a
         * SIGTERM or a shutdown it flushes and cleans up): give it the
         * grace period to exit by itself before qemuProcessStop() kills
         * it.  Only a QEMU that went away unasked is killed at once. */
        if ((priv->beingDestroyed || priv->gotShutdown) && !priv->exited)
            qemuProcessWaitExitLocked(vm, driver->config->destroyGraceMs);
        if (!domainObjIsActive(vm) || priv->pid != work->pid ||
            g_atomic_int_get(&driver->closing))
            break;
        if (priv->beingDestroyed)
            qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_DESTROYED,
                            VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
        else if (priv->gotShutdown)
            qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_SHUTDOWN,
                            VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN);
        else
            qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_CRASHED,
                            VIR_DOMAIN_EVENT_STOPPED_CRASHED);
        break;
    case QEMU_PROCESS_WORK_GUEST_SHUTDOWN:
        if (priv->gotShutdown)
            qemuProcessGuestShutdownLocked(driver, vm);
        break;
    case QEMU_PROCESS_WORK_PANIC:
        if (vm->def->onCrash == DOMAIN_LIFECYCLE_PRESERVE)
            break;
        qemuProcessKill(vm, 0, true);
        qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_CRASHED, VIR_DOMAIN_EVENT_STOPPED_CRASHED);
        break;
    case QEMU_PROCESS_WORK_SAVE_STATUS:
        break;
    case QEMU_PROCESS_WORK_MIGRATION:
        qemuMigrationProcessEventsLocked(vm);
        break;
    }

 endjob:
    qemuDomainJobEndLocked(vm);
    domainObjUnlock(vm);
 done:
    domainObjUnref(vm);
    g_free(work);
}

/**
 * qemuProcessWorkersNew:
 * @driver: the driver
 *
 * Returns: the pool of worker threads that handle what QEMU's events and
 * exits require (killing, cleaning up, rebooting, saving status).
 */
GThreadPool *
qemuProcessWorkersNew(QemuDriver *driver)
{
    return g_thread_pool_new(qemuProcessWorker, driver, 4, FALSE, NULL);
}

/* ---- start ---- */

/* A listening unix socket at @path (replacing a stale one). */
static int
qemuProcessListen(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("monitor socket path '%1$s' is too long"), path);
        return -1;
    }
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    if (unlink(path) < 0 && errno != ENOENT) {
        reportSystemError(errno, _("cannot remove '%1$s'"), path);
        return -1;
    }
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        reportSystemError(errno, "%s", _("cannot create a unix socket"));
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 4) < 0) {
        reportSystemError(errno, _("cannot listen on '%1$s'"), path);
        close(fd);
        return -1;
    }
    return fd;
}

/* Files the definition names that QEMU must open: refuse early, clearly. */
static int
qemuProcessCheckFiles(const DomainDef *def)
{
    const char *files[] = { def->os.kernel, def->os.initrd };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(files); i++) {
        if (files[i] && access(files[i], R_OK) < 0) {
            reportSystemError(errno, _("cannot access '%1$s' named by <os> of domain '%2$s'"),
                              files[i], def->name);
            return -1;
        }
    }
    for (i = 0; i < def->ndisks; i++) {
        const DomainDiskDef *disk = def->disks[i];

        if (disk->src && (disk->type == DOMAIN_DISK_TYPE_FILE ||
                          disk->type == DOMAIN_DISK_TYPE_BLOCK) &&
            access(disk->src, R_OK) < 0) {
            reportSystemError(errno, _("Cannot access storage file '%1$s'"), disk->src);
            return -1;
        }
    }
    return 0;
}

typedef struct {
    char **argv;
    char **envp;
    const int *keepFds;
    size_t nkeepFds;
    int logFd;
    int nullFd;
} QemuProcessExec;

/*
 * In the child of qemuProcessSpawn(), which shares the daemon's memory
 * until it execs: system calls only, nothing that touches memory beyond
 * its stack.  Every signal is blocked on entry: the handlers are reset
 * before any is let through.
 */
static G_GNUC_NORETURN void
qemuProcessChild(const QemuProcessExec *ex)
{
    static const char msg[] = "virtkit: cannot execute the emulator\n";
    sigset_t none;
    size_t i;

    for (i = 1; i < NSIG; i++) {
        if (i != SIGKILL && i != SIGSTOP)
            signal(i, SIG_DFL);
    }
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setsid();
    if (dup2(ex->nullFd, STDIN_FILENO) < 0 || dup2(ex->logFd, STDOUT_FILENO) < 0 ||
        dup2(ex->logFd, STDERR_FILENO) < 0)
        _exit(127);
    /* Everything else closes on exec, except what QEMU must inherit. */
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    for (i = 0; i < ex->nkeepFds; i++)
        fcntl(ex->keepFds[i], F_SETFD, 0);
    execve(ex->argv[0], ex->argv, ex->envp);
    if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
        _exit(127);
    _exit(127);
}

/*
 * Starts the child without copying the daemon's address space: vfork()
 * shares it until the child execs, so neither the copy of the page tables
 * of a large multi-threaded daemon nor their teardown at exec (in the
 * child, before QEMU even starts) is paid, and the daemon's threads take
 * no copy-on-write faults meanwhile.  The calling thread waits until the
 * child has exec'd (or exited).  All signals are blocked around it, so no
 * handler of the daemon runs in the child on the shared memory.
 *
 * Returns: the child's pid, or -1 with errno set.
 */
static pid_t
qemuProcessSpawn(const QemuProcessExec *ex)
{
    sigset_t all;
    sigset_t old;
    pid_t pid;
    int err;

    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid = vfork();
    if (pid == 0)
        qemuProcessChild(ex);
    err = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = err;
    return pid;
}

/* The environment QEMU runs with: a clean one plus the builder's. */
static char **
qemuProcessBuildEnv(const QemuCommand *cmd)
{
    GPtrArray *env = g_ptr_array_new();
    size_t i;

    g_ptr_array_add(env, g_strdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"));
    g_ptr_array_add(env, g_strdup_printf("HOME=%s", g_get_home_dir()));
    g_ptr_array_add(env, g_strdup_printf("USER=%s", g_get_user_name()));
    for (i = 0; cmd->env && cmd->env[i]; i++)
        g_ptr_array_add(env, g_strdup(cmd->env[i]));
    g_ptr_array_add(env, NULL);
    return (char **)g_ptr_array_free(env, FALSE);
}

static void
qemuProcessJSONPut(gpointer obj)
{
    json_object_put(obj);
}

/* Undo a failed start of @vm (locked, job held), keeping the error. */
static void
qemuProcessStartCleanup(QemuDriver *driver, DomainObj *vm)
{
    g_autoptr(SavedError) saved = errorSave();

    if (domainObjIsActive(vm))
        qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_FAILED, -1);
}

/**
 * qemuProcessStart:
 * @driver: the driver
 * @vm: an inactive domain, locked, under a job held by the caller (the
 *      lock is dropped while QEMU starts)
 * @flags: QemuProcessStartFlags
 *
 * Launches QEMU (fork + exec, no shell; stdout and stderr to the domain's
 * log), connects to its monitor, waits for the QMP greeting and
 * negotiation, then sends 'cont' unless PAUSED.  The status XML is
 * written as soon as the process exists and again when it runs.  Events:
 * RESUMED_UNPAUSED (from QEMU's RESUME) then STARTED_BOOTED, as libvirt
 * 9.0; paused: STARTED_BOOTED then SUSPENDED_PAUSED.
 *
 * Returns: 0 with @vm active, or -1 with an error (QEMU's log tail when it
 * exited early) and @vm inactive again (a transient one removed).
 */
int
qemuProcessStart(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    return qemuProcessStartFull(driver, vm, flags, NULL, 0);
}

/**
 * qemuProcessStartFull:
 * @driver: the driver
 * @vm: as for qemuProcessStart()
 * @flags: QemuProcessStartFlags
 * @initCmds: QMP commands (each ownership taken, also on failure) to run
 *            as soon as QEMU's monitor is ready, or NULL
 * @ninitCmds: how many
 *
 * qemuProcessStart() that also runs @initCmds, a pipelined batch
 * (qemuMonitorBatchSubmit()) written right behind the transport's
 * qmp_capabilities: they cost no round trip of their own while QEMU
 * finishes its set-up (a migration's destination: capabilities and
 * migrate-incoming).  QEMU runs all of them even if one fails; their
 * replies carry no data.
 *
 * Returns: as qemuProcessStart(); the first error of @initCmds fails the
 * start (QEMU is stopped again).
 */
int
qemuProcessStartFull(QemuDriver *driver, DomainObj *vm, unsigned int flags,
                     json_object **initCmds, size_t ninitCmds)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    const QemuConfig *cfg = driver->config;
    g_autofree char *name = g_strdup(vm->def->name);
    g_autofree char *emulator = g_strdup(vm->def->emulator ? vm->def->emulator : cfg->emulator);
    g_autofree char *sockName = g_strdup_printf("%s.monitor", name);
    g_autofree char *pidName = g_strdup_printf("%s.pid", name);
    g_autofree char *logName = g_strdup_printf("%s.log", name);
    g_autofree char *cmdline = NULL;
    g_autofree char *header = NULL;
    g_autoptr(QemuCaps) caps = NULL;
    g_autoptr(QemuCommand) cmd = NULL;
    g_autoptr(QemuInterfaceFds) netFds = NULL;
    g_auto(GStrv) envp = NULL;
    QemuCommandRuntime rt;
    QemuProcessExec ex = { 0 };
    QemuMonitor *mon = NULL;
    g_autoptr(QemuMonitorBatch) batch = NULL;
    /* @initCmds until the batch takes them */
    g_autoptr(GPtrArray) pendingCmds = g_ptr_array_new_with_free_func(qemuProcessJSONPut);
    size_t i;
    off_t logStart;
    int listenFd = -1;
    int logFd = -1;
    int nullFd = -1;
    pid_t pid;
    bool portsReserved = false;
    int batchRc = 0;
    int rc;

    for (i = 0; i < ninitCmds; i++)
        g_ptr_array_add(pendingCmds, initCmds[i]);

    /* The probe may take a moment: not under the domain lock. */
    domainObjUnlock(vm);
    caps = qemuCapsCacheLookup(driver->capsCache, emulator);
    domainObjLock(vm);
    if (!caps)
        return -1;
    if (domainObjIsActive(vm)) {
        reportError(VIR_ERR_OPERATION_INVALID, _("domain '%1$s' is already active"), name);
        return -1;
    }
    if (qemuProcessCheckFiles(vm->def) < 0)
        return -1;

    if (domainObjSetDefTransient(vm) < 0)
        return -1;
    if (qemuCommandPrepareDef(vm->def, caps) < 0) {
        domainObjRemoveTransientDef(vm);
        return -1;
    }
    domainObjListAssignID(driver->domains, vm);
    domainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_STARTING_UP);
    priv->caps = qemuCapsRef(caps);
    priv->monitorPath = g_build_filename(cfg->stateDir, sockName, NULL);
    priv->pidfile = g_build_filename(cfg->stateDir, pidName, NULL);
    priv->logPath = g_build_filename(cfg->logDir, logName, NULL);
    priv->pausedReason = VIR_DOMAIN_PAUSED_UNKNOWN;
    unlink(priv->pidfile);

    if (qemuGraphicsReservePorts(driver, vm->def) < 0)
        goto error;
    portsReserved = true;
    if ((listenFd = qemuProcessListen(priv->monitorPath)) < 0)
        goto error;
    /* tap devices: their names go into the live definition */
    if (qemuInterfacePrepare(vm->def, &netFds) < 0)
        goto error;

    qemuCommandRuntimeInit(&rt);
    rt.monitorFd = listenFd;
    rt.pidfile = priv->pidfile;
    rt.now = g_get_real_time() / G_USEC_PER_SEC;
    /* type='kvm' uses KVM only where it works; otherwise TCG. */
    if (vm->def->virtType == DOMAIN_VIRT_KVM && !qemuCapsKVMUsable(caps)) {
        LOG_WARN("domain '%s': KVM is not usable, running with TCG", name);
        rt.accel = QEMU_ACCEL_TCG;
    }
    rt.nnets = netFds->nnets;
    rt.nets = netFds->nets;
    if (!(cmd = qemuCommandBuild(vm->def, caps, &rt)))
        goto error;
    if (flags & QEMU_PROCESS_START_INCOMING) {
        /* The destination of a migration listens only once told to
         * (migrate-incoming), after its capabilities are set. */
        size_t argc = g_strv_length(cmd->argv);

        cmd->argv = g_renew(char *, cmd->argv, argc + 3);
        cmd->argv[argc] = g_strdup("-incoming");
        cmd->argv[argc + 1] = g_strdup("defer");
        cmd->argv[argc + 2] = NULL;
    }

    if ((logFd = open(priv->logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0) {
        reportSystemError(errno, _("cannot open log file '%1$s'"), priv->logPath);
        goto error;
    }
    if ((nullFd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
        reportSystemError(errno, "%s", _("cannot open /dev/null"));
        goto error;
    }
    cmdline = qemuCommandFormat(cmd);
    {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree char *stamp = g_date_time_format_iso8601(now);

        header = g_strdup_printf("%s: starting up\n%s\n", stamp, cmdline);
    }
    if (write(logFd, header, strlen(header)) < 0)
        LOG_WARN("domain '%s': cannot write to its log, ignoring", name);
    logStart = lseek(logFd, 0, SEEK_END);

    envp = qemuProcessBuildEnv(cmd);
    ex.argv = cmd->argv;
    ex.envp = envp;
    ex.keepFds = cmd->fds;
    ex.nkeepFds = cmd->nfds;
    ex.logFd = logFd;
    ex.nullFd = nullFd;

    if ((pid = qemuProcessSpawn(&ex)) < 0) {
        reportSystemError(errno, "%s", _("cannot fork"));
        goto error;
    }

    /* Only QEMU keeps the listening socket: when it exits, a connection
     * still waiting to be accepted is reset, so we learn it at once. */
    close(listenFd);
    listenFd = -1;
    close(logFd);
    logFd = -1;
    close(nullFd);
    nullFd = -1;
    /* QEMU holds the taps now: they go away with it */
    qemuInterfaceFdsClose(netFds);

    LOG_INFO("domain '%s': QEMU started, pid %d", name, (int)pid);
    priv->pid = pid;
    priv->startedMono = g_get_monotonic_time();
    qemuProcessWatchChildLocked(driver, vm, pid);
    if (qemuStatusWriteLocked(driver, vm) < 0)
        goto error;

    /* Wait for QEMU without the domain lock. */
    {
        g_autofree char *path = g_strdup(priv->monitorPath);

        domainObjUnlock(vm);
        mon = qemuProcessMonitorOpen(driver, vm, name, path);
        domainObjLock(vm);
    }
    if (!mon)
        goto early_exit;
    if (priv->pid != pid) {
        qemuMonitorClose(mon);
        reportError(VIR_ERR_OPERATION_FAILED, _("domain '%1$s' was stopped while starting"),
                    name);
        return -1;
    }
    priv->mon = mon;
    if (pendingCmds->len > 0) {
        /* counted from now: QEMU's start-up first, then the commands */
        int timeoutMs = cfg->startTimeoutMs + cfg->monitorTimeoutMs;

        /* the batch owns the commands now, whatever happens */
        batch = qemuMonitorBatchSubmit(mon, (json_object **)pendingCmds->pdata,
                                       pendingCmds->len, timeoutMs);
        g_ptr_array_set_free_func(pendingCmds, NULL);
        if (!batch)
            goto error;
    }
    domainObjUnlock(vm);
    rc = qemuMonitorWaitReady(mon, cfg->startTimeoutMs);
    if (rc == 0 && batch)
        batchRc = qemuMonitorBatchWait(batch);
    domainObjLock(vm);
    if (priv->mon != mon) {
        reportError(VIR_ERR_OPERATION_FAILED, _("domain '%1$s' was stopped while starting"),
                    name);
        return -1;
    }
    if (rc < 0)
        goto early_exit;
    /* a start-up command QEMU refused keeps QEMU's error; QEMU gone while
     * answering them is an early exit, whose log tail says why */
    if (batchRc < 0 && qemuProcessWaitExitLocked(vm, QEMU_PROCESS_BATCH_EXIT_WAIT_MS))
        goto early_exit;
    if (batchRc < 0)
        goto error;

    if (flags & QEMU_PROCESS_START_INCOMING) {
        /* paused, starting up: the migration table shows STARTED_MIGRATED */
    } else if (!(flags & QEMU_PROCESS_START_PAUSED)) {
        if (!(mon = qemuDomainEnterMonitorLocked(vm)))
            goto error;
        rc = qemuMonitorCont(mon);
        if (qemuDomainExitMonitorLocked(vm, mon) < 0 || rc < 0)
            goto error;
        domainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
        qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_STARTED,
                                   VIR_DOMAIN_EVENT_STARTED_BOOTED);
    } else {
        domainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
        qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_STARTED,
                                   VIR_DOMAIN_EVENT_STARTED_BOOTED);
        qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                   VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    }
    if (qemuStatusWriteLocked(driver, vm) < 0)
        LOG_WARN("domain '%s': cannot write its status, ignoring", name);
    return 0;

 early_exit:
    /* QEMU closed the monitor or never answered: quote its last words. */
    {
        g_autofree char *tail = NULL;
        g_autofree char *logPath = g_strdup(priv->logPath);
        bool timedOut = errorGetCode() == VIR_ERR_OPERATION_TIMEOUT;

        if (!timedOut)
            qemuProcessWaitExitLocked(vm, QEMU_PROCESS_EARLY_EXIT_WAIT_MS);
        tail = qemuProcessReadLogTail(logPath, logStart);
        if (timedOut)
            reportError(VIR_ERR_OPERATION_TIMEOUT,
                        _("QEMU of domain '%1$s' did not answer on its monitor within %2$d s: %3$s"),
                        name, cfg->startTimeoutMs / 1000, tail);
        else
            reportError(VIR_ERR_INTERNAL_ERROR,
                        _("QEMU unexpectedly closed the monitor of domain '%1$s': %2$s"),
                        name, tail);
    }
    qemuProcessStartCleanup(driver, vm);
    return -1;

 error:
    if (listenFd >= 0)
        close(listenFd);
    if (logFd >= 0)
        close(logFd);
    if (nullFd >= 0)
        close(nullFd);
    if (!priv->pid) {
        g_autoptr(SavedError) saved = errorSave();

        if (priv->monitorPath)
            unlink(priv->monitorPath);
        if (portsReserved)
            qemuGraphicsReleasePorts(driver, vm->def);
        if (netFds) {
            qemuInterfaceFdsClose(netFds);
            qemuInterfaceStopDevices(vm->def);
        }
        domainObjListReleaseID(driver->domains, vm);
        domainObjRemoveTransientDef(vm);
        domainObjSetState(vm, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED);
        qemuDomainPrivateClearProcess(priv);
        return -1;
    }
    qemuProcessStartCleanup(driver, vm);
    return -1;
}

/* ---- reconnect ---- */

/**
 * qemuProcessReconnect:
 * @driver: the driver (starting up)
 * @vm: a domain loaded from its status XML, locked; priv->pid,
 *      monitorPath, state and reason filled in
 *
 * Takes the running QEMU of @vm back: checks that the pid still runs this
 * guest's QEMU (reaping it if it is our zombie child), connects to its
 * monitor, asks QEMU for its run state and reconciles state and reason
 * (a guest that powered off meanwhile is handled as on_poweroff says).  A
 * QEMU that died meanwhile, or whose monitor does not answer, ends in
 * shutoff/crashed with STOPPED_CRASHED.
 *
 * Returns: 0 if the domain runs, 1 if it was found dead and is now shut off.
 */
int
qemuProcessReconnect(QemuDriver *driver, DomainObj *vm)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    g_autofree char *name = g_strdup(vm->def->name);
    g_autofree char *path = g_strdup(priv->monitorPath);
    g_autoptr(QemuMonitorStatus) status = NULL;
    QemuMonitor *mon = NULL;
    pid_t pid = priv->pid;
    int state;
    int reason;
    int oldReason;
    int oldState;

    /* Released by qemuProcessStop if the QEMU turns out dead. */
    qemuGraphicsRestorePorts(driver, vm->def);
    if (pid > 0 && qemuProcessIsOurChild(pid)) {
        int wstatus;

        /* Our child that died while no driver watched it: reap it now. */
        if (waitpid(pid, &wstatus, WNOHANG) == pid) {
            priv->exited = true;
            priv->isChild = true;
        } else {
            qemuProcessWatchChildLocked(driver, vm, pid);
        }
    }
    if (priv->exited || !qemuProcessIsAlive(pid, name)) {
        LOG_INFO("domain '%s': QEMU %d is gone", name, (int)pid);
        priv->exited = true;
        goto dead;
    }

    domainObjUnlock(vm);
    mon = qemuProcessMonitorOpen(driver, vm, name, path);
    if (mon && qemuMonitorWaitReady(mon, driver->config->monitorTimeoutMs) == 0)
        status = qemuMonitorGetStatus(mon);
    domainObjLock(vm);
    if (!status) {
        LOG_WARN("domain '%s': cannot talk to QEMU %d: %s; killing it", name, (int)pid,
                 errorGetSlot()->message ? errorGetSlot()->message : "");
        if (mon)
            qemuMonitorClose(mon);
        goto dead;
    }
    priv->mon = mon;
    priv->startedMono = g_get_monotonic_time();

    oldState = domainObjGetState(vm, &oldReason);
    qemuMonitorJSONRunStateToDomainState(status->state, status->running, &state, &reason);
    if (state == VIR_DOMAIN_SHUTDOWN) {
        /* Powered off while we were away (QEMU waits with -no-shutdown). */
        priv->gotShutdown = true;
        priv->shutdownByGuest = true;
        domainObjSetState(vm, VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_UNKNOWN);
        qemuProcessQueueWork(driver, vm, QEMU_PROCESS_WORK_GUEST_SHUTDOWN, pid);
    } else if (state != oldState) {
        domainObjSetState(vm, state, reason);
        if (state == VIR_DOMAIN_PAUSED)
            qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                       VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
        else if (state == VIR_DOMAIN_RUNNING)
            qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_RESUMED,
                                       VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    }
    /* else: keep the saved, more precise reason. */
    qemuStatusWriteLocked(driver, vm);
    LOG_INFO("domain '%s': reconnected to QEMU %d", name, (int)pid);
    return 0;

 dead:
    qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_CRASHED, VIR_DOMAIN_EVENT_STOPPED_CRASHED);
    return 1;
}
