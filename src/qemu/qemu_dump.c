/* QEMU driver: core dumps of a running domain (virDomainCoreDump*, issue #6). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_QEMU

#include "api/domain_event.h"
#include "qemu/qemu_dump.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_monitor.h"
#include "qemu/qemu_process.h"
#include "qemu/qemu_status.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

LOG_INIT("qemu.dump");

/*
 * Two kinds of dump (reference/migration.md "Saving to a file"; behaviour
 * as libvirt 9.0's QEMU driver):
 *
 * - the default: QEMU's migration stream written to a file the driver
 *   opened and handed QEMU with getfd (no header of ours: the file starts
 *   with QEMU's "QEVM" magic).  Abortable (migrate_cancel).
 * - VIR_DUMP_MEMORY_ONLY: dump-guest-memory to such an fd, in one of the
 *   formats QEMU lists in query-dump-guest-memory-capability; the command
 *   returns at once (detach) and query-dump reports the progress.  QEMU
 *   cannot cancel it, so neither can virDomainAbortJob (as libvirt).
 *
 * Either runs under the domain's modifying job; the guest is paused with
 * reason "dump" unless VIR_DUMP_LIVE, and runs again afterwards if it ran
 * before, unless VIR_DUMP_CRASH stops it (shutoff/crashed).
 * VIR_DUMP_RESET resets it after the dump.  The worker polls QEMU every
 * QEMU_DUMP_POLL_US and keeps the figures in QemuDomainPrivate.dump, so
 * virDomainGetJobInfo answers from memory without waiting on QEMU.
 */
#define QEMU_DUMP_FDNAME "vk-dump"
#define QEMU_DUMP_POLL_US (50 * 1000)

/* libvirt's names of virDomainCoreDumpFormat, which are QEMU's */
static const char *const qemuDumpFormats[] = {
    "elf", "kdump-zlib", "kdump-lzo", "kdump-snappy", "win-dmp",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuDumpFormats) == VIR_DOMAIN_CORE_DUMP_FORMAT_LAST);

/*
 * A job that streams guest state to a file (a dump, or a save:
 * qemu_save.c), as GetJobInfo, GetJobStats and AbortJob see it; every
 * field is protected by the domain's lock.
 */
struct _QemuFileJob {
    int operation;              /* VIR_DOMAIN_JOB_OPERATION_DUMP or _SAVE */
    bool abortable;             /* false: AbortJob refuses (memory-only dump) */
    bool abortRequested;        /* AbortJob asked; the worker cancels */
    gint64 startMs;             /* real time at the start, ms */
    bool hasStats;
    uint64_t total;             /* bytes */
    uint64_t processed;
    uint64_t remaining;
    QemuMonitorMigrationInfo *last; /* QEMU's last query-migrate, or NULL */
    /* a memory-only dump: QEMU's DUMP_COMPLETED (qemu_process.c hands it
     * over with qemuFileJobDumpCompletedLocked), or the monitor's end */
    bool dumpEnded;
    bool dumpFailed;
    char *dumpError;            /* QEMU's reason of the failure, or NULL */
    bool monitorGone;
};

static void
qemuFileJobFree(QemuFileJob *job)
{
    if (!job)
        return;
    g_free(job->dumpError);
    qemuMonitorJSONMigrationInfoFree(job->last);
    g_free(job);
}

/**
 * qemuFileJobBeginLocked:
 * @vm: an active domain, locked, under the modifying job of the caller
 * @operation: VIR_DOMAIN_JOB_OPERATION_DUMP or VIR_DOMAIN_JOB_OPERATION_SAVE
 * @abortable: whether virDomainAbortJob may stop it
 *
 * Publishes the file job of @vm (QemuDomainPrivate.fileJob) for the job
 * queries; end it with qemuFileJobEndLocked() before ending the job.
 *
 * Returns: the job (owned by @vm's private data).
 */
QemuFileJob *
qemuFileJobBeginLocked(DomainObj *vm, int operation, bool abortable)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    QemuFileJob *job = g_new0(QemuFileJob, 1);

    job->operation = operation;
    job->abortable = abortable;
    job->startMs = g_get_real_time() / 1000;
    qemuFileJobFree(priv->fileJob);
    priv->fileJob = job;
    return job;
}

/**
 * qemuFileJobEndLocked:
 * @vm: the domain, locked
 *
 * Withdraws and frees the file job of @vm, if any.
 */
void
qemuFileJobEndLocked(DomainObj *vm)
{
    g_clear_pointer(&qemuDomainPrivate(vm)->fileJob, qemuFileJobFree);
}

/**
 * qemuFileJobCompletedLocked:
 * @vm: the domain, locked
 *
 * QEMU completed the stream of the file job of @vm: its statistics become
 * those of the last completed job (virDomainGetJobStats with
 * VIR_DOMAIN_JOB_STATS_COMPLETED), as libvirt keeps them.
 */
void
qemuFileJobCompletedLocked(DomainObj *vm)
{
    QemuFileJob *job = qemuDomainPrivate(vm)->fileJob;

    if (!job)
        return;
    if (job->operation == VIR_DOMAIN_JOB_OPERATION_DUMP && !job->abortable)
        qemuMigrationSetDumpCompletedLocked(vm, job->startMs, job->total, job->processed);
    else
        qemuMigrationSetFileCompletedLocked(vm, job->operation, job->startMs,
                                            g_steal_pointer(&job->last));
}

/**
 * qemuFileJobDumpCompletedLocked:
 * @vm: the domain, locked
 * @ev: QEMU's DUMP_COMPLETED event
 *
 * Hands the end of a memory-only dump to the worker waiting for it; an
 * event without such a dump running is ignored.
 */
void
qemuFileJobDumpCompletedLocked(DomainObj *vm, const QemuMonitorEvent *ev)
{
    QemuFileJob *job = qemuDomainPrivate(vm)->fileJob;

    if (!job || job->operation != VIR_DOMAIN_JOB_OPERATION_DUMP || job->abortable ||
        job->dumpEnded) {
        LOG_DEBUG("domain '%s': DUMP_COMPLETED without a memory-only dump, ignored",
                  vm->def->name);
        return;
    }
    job->dumpEnded = true;
    job->dumpFailed = !streq(ev->u.dump.status, "completed");
    job->dumpError = g_strdup(ev->u.dump.error);
    job->hasStats = true;
    job->total = ev->u.dump.total;
    job->processed = ev->u.dump.completed;
    job->remaining = job->total > job->processed ? job->total - job->processed : 0;
}

/**
 * qemuFileJobNotifyGoneLocked:
 * @vm: the domain, locked
 *
 * Tells a running file job that QEMU's monitor closed: a memory-only dump
 * waiting for DUMP_COMPLETED stops waiting.
 */
void
qemuFileJobNotifyGoneLocked(DomainObj *vm)
{
    QemuFileJob *job = qemuDomainPrivate(vm)->fileJob;

    if (job)
        job->monitorGone = true;
}

/**
 * qemuFileJobUpdateLocked:
 * @vm: the domain, locked
 * @info: QEMU's last query-migrate answer
 *
 * Records the ram figures of @info for the job queries.
 *
 * Returns: whether virDomainAbortJob asked the job to stop.
 */
bool
qemuFileJobUpdateLocked(DomainObj *vm, const QemuMonitorMigrationInfo *info)
{
    QemuFileJob *job = qemuDomainPrivate(vm)->fileJob;

    if (!job)
        return false;
    qemuMonitorJSONMigrationInfoFree(job->last);
    job->last = g_memdup2(info, sizeof(*info));
    job->last->errorDesc = g_strdup(info->errorDesc);
    if (info->hasRam) {
        job->hasStats = true;
        job->total = info->ram.total;
        job->processed = info->ram.transferred;
        job->remaining = info->ram.remaining;
    }
    return job->abortRequested;
}

/* The name libvirt gives the job in "job 'NAME' canceled by client". */
static const char *
qemuFileJobName(int operation)
{
    return operation == VIR_DOMAIN_JOB_OPERATION_SAVE ? "domain save" : "domain core dump";
}

/**
 * qemuFileJobReportAborted:
 * @operation: the job's operation
 *
 * Reports VIR_ERR_OPERATION_ABORTED in libvirt's words for a job that
 * virDomainAbortJob stopped.
 */
void
qemuFileJobReportAborted(int operation)
{
    reportError(VIR_ERR_OPERATION_ABORTED, _("job '%1$s' canceled by client"),
                qemuFileJobName(operation));
}

/* Runs @cmd (ownership taken) and checks its reply; *retReply (if not
 * NULL) gets it.  Returns 0, or -1 with an error. */
static int
qemuDumpRun(QemuMonitor *mon, json_object *cmd, json_object **retReply)
{
    g_autoptr(json_object) reply = NULL;
    g_autofree char *name = g_strdup(qemuMonitorJSONCommandName(cmd));

    if (qemuMonitorCommand(mon, cmd, 0, QEMU_MONITOR_TIMEOUT_DEFAULT, &reply) < 0)
        return -1;
    if (qemuMonitorJSONCheckReply(reply, name, json_type_null, NULL) < 0)
        return -1;
    if (retReply)
        *retReply = g_steal_pointer(&reply);
    return 0;
}

/* Whether QEMU lists @format in query-dump-guest-memory-capability:
 * 1 yes, 0 no, -1 error. */
static int
qemuDumpFormatSupported(QemuMonitor *mon, const char *format)
{
    g_autoptr(json_object) reply = NULL;
    json_object *formats;
    size_t i;

    if (qemuDumpRun(mon, qemuMonitorJSONMakeCommand("query-dump-guest-memory-capability", NULL),
                    &reply) < 0)
        return -1;
    formats = jsonGetArray(jsonGetObject(reply, "return"), "formats");
    for (i = 0; formats && i < json_object_array_length(formats); i++) {
        const char *name = json_object_get_string(json_object_array_get_idx(formats, i));

        if (name && streq(name, format))
            return 1;
    }
    return 0;
}

/* Starts dump-guest-memory to the fd named QEMU_DUMP_FDNAME, detached;
 * @format NULL for QEMU's default (elf).  Returns 0, or -1 with an error. */
static int
qemuDumpStartMemory(QemuMonitor *mon, const char *format)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "paging", json_object_new_boolean(0));
    json_object_object_add(args, "protocol", json_object_new_string("fd:" QEMU_DUMP_FDNAME));
    json_object_object_add(args, "detach", json_object_new_boolean(1));
    if (format)
        json_object_object_add(args, "format", json_object_new_string(format));
    return qemuDumpRun(mon, qemuMonitorJSONMakeCommand("dump-guest-memory", args), NULL);
}

/* Progress of a detached memory dump (query-dump). */
typedef enum {
    QEMU_DUMP_STATE_ACTIVE,
    QEMU_DUMP_STATE_COMPLETED,
    QEMU_DUMP_STATE_FAILED,
} QemuDumpState;

static int
qemuDumpQueryMemory(QemuMonitor *mon, QemuDumpState *retState, uint64_t *retCompleted,
                    uint64_t *retTotal)
{
    g_autoptr(json_object) reply = NULL;
    json_object *ret;
    const char *status;

    if (qemuDumpRun(mon, qemuMonitorJSONMakeCommand("query-dump", NULL), &reply) < 0)
        return -1;
    ret = jsonGetObject(reply, "return");
    status = jsonGetString(ret, "status");
    if (!status || jsonGetUInt64(ret, "completed", retCompleted) < 0 ||
        jsonGetUInt64(ret, "total", retTotal) < 0) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("malformed reply of QEMU to 'query-dump'"));
        return -1;
    }
    if (streq(status, "active"))
        *retState = QEMU_DUMP_STATE_ACTIVE;
    else if (streq(status, "completed"))
        *retState = QEMU_DUMP_STATE_COMPLETED;
    else    /* "failed", or "none": nothing runs although it was started */
        *retState = QEMU_DUMP_STATE_FAILED;
    return 0;
}

/* After query-dump said the dump ended, how long DUMP_COMPLETED (with the
 * reason of a failure) may take to arrive. */
#define QEMU_DUMP_EVENT_WAIT_MS 10000

/* Sleeps one poll interval with @vm unlocked. */
static void
qemuDumpSleepLocked(DomainObj *vm)
{
    domainObjUnlock(vm);
    g_usleep(QEMU_DUMP_POLL_US);
    domainObjLock(vm);
}

/*
 * Waits for the end of a detached memory-only dump: DUMP_COMPLETED says
 * how it ended (and why it failed); query-dump, polled meanwhile, gives
 * the progress, and QEMU's end when it sends no event.  Once query-dump
 * failed (a monitor timeout), QEMU may still write the file: no more
 * queries, the worker waits for the event or the monitor's end.  @vm
 * locked under the job; unlocked while waiting.  *queryError keeps the
 * error of the failed query (the caller frees it).  Returns 0, or -1 with
 * an error.
 */
static int
qemuDumpWaitMemoryLoopLocked(DomainObj *vm, SavedError **queryError)
{
    g_autofree char *name = g_strdup(vm->def->name);
    QemuDumpState endState = QEMU_DUMP_STATE_ACTIVE;
    gint64 endSeenMs = -1;

    for (;;) {
        QemuFileJob *job = qemuDomainPrivate(vm)->fileJob;
        QemuDumpState state = QEMU_DUMP_STATE_ACTIVE;
        uint64_t completed = 0;
        uint64_t total = 0;
        QemuMonitor *mon;
        int rc;

        if (job && job->dumpEnded) {
            if (!job->dumpFailed)
                return 0;
            if (job->dumpError)
                reportError(VIR_ERR_OPERATION_FAILED, _("memory-only dump failed: %1$s"),
                            job->dumpError);
            else
                reportError(VIR_ERR_OPERATION_FAILED, "%s",
                            _("memory-only dump failed for unknown reason"));
            return -1;
        }
        if (!job || job->monitorGone || !domainObjIsActive(vm)) {
            if (*queryError)
                errorRestore(queryError);
            else
                reportError(VIR_ERR_OPERATION_FAILED, "%s", _("domain is not running"));
            return -1;
        }
        if (!*queryError && endSeenMs < 0) {
            rc = -1;
            if ((mon = qemuDomainEnterMonitorLocked(vm))) {
                rc = qemuDumpQueryMemory(mon, &state, &completed, &total);
                if (qemuDomainExitMonitorLocked(vm, mon) < 0)
                    rc = -1;
            }
            if (rc < 0) {
                *queryError = errorSave();
                LOG_WARN("domain '%s': query-dump failed; waiting for QEMU to end the dump",
                         name);
                continue;
            }
            job = qemuDomainPrivate(vm)->fileJob;
            if (job && !job->dumpEnded) {
                job->hasStats = true;
                job->total = total;
                job->processed = completed;
                job->remaining = total > completed ? total - completed : 0;
            }
            if (state != QEMU_DUMP_STATE_ACTIVE) {
                endState = state;
                endSeenMs = g_get_monotonic_time() / 1000;
                continue;
            }
        } else if (endSeenMs >= 0 &&
                   g_get_monotonic_time() / 1000 - endSeenMs > QEMU_DUMP_EVENT_WAIT_MS) {
            /* no DUMP_COMPLETED came: query-dump's word */
            LOG_WARN("domain '%s': no DUMP_COMPLETED from QEMU", name);
            if (endState == QEMU_DUMP_STATE_COMPLETED)
                return 0;
            reportError(VIR_ERR_OPERATION_FAILED, "%s",
                        _("memory-only dump failed for unknown reason"));
            return -1;
        }
        qemuDumpSleepLocked(vm);
    }
}

static int
qemuDumpWaitMemoryLocked(DomainObj *vm)
{
    SavedError *queryError = NULL;
    int ret = qemuDumpWaitMemoryLoopLocked(vm, &queryError);

    savedErrorFree(queryError);
    return ret;
}

/*
 * Hands QEMU @fd and runs the dump through it until QEMU reports the end.
 * @vm locked under the job; unlocked while QEMU is asked.  Returns 0, or
 * -1 with an error (VIR_ERR_OPERATION_ABORTED after virDomainAbortJob).
 */
static int
qemuDumpStreamLocked(DomainObj *vm, bool memoryOnly, int fd, const char *format)
{
    g_autofree char *name = g_strdup(vm->def->name);
    bool cancelSent = false;
    QemuMonitor *mon;
    int rc;

    if (!(mon = qemuDomainEnterMonitorLocked(vm)))
        return -1;
    rc = qemuMonitorSendFileHandle(mon, QEMU_DUMP_FDNAME, fd);
    if (rc == 0) {
        /* QEMU takes the named fd out of its table when the dump starts */
        if (memoryOnly)
            rc = qemuDumpStartMemory(mon, format);
        else
            rc = qemuMonitorMigrate(mon, "fd:" QEMU_DUMP_FDNAME, false);
        if (rc < 0) {
            g_autoptr(SavedError) saved = errorSave();

            qemuMonitorCloseFileHandle(mon, QEMU_DUMP_FDNAME);
            errorRestore(&saved);
        }
    }
    if (qemuDomainExitMonitorLocked(vm, mon) < 0 || rc < 0)
        return -1;
    if (memoryOnly)
        return qemuDumpWaitMemoryLocked(vm);

    for (;;) {
        g_autoptr(QemuMonitorMigrationInfo) info = NULL;
        QemuFileJob *job = qemuDomainPrivate(vm)->fileJob;
        bool cancel = job && job->abortRequested && !cancelSent;

        rc = 0;
        if (!(mon = qemuDomainEnterMonitorLocked(vm)))
            return -1;
        if (cancel && (rc = qemuMonitorMigrateCancel(mon)) == 0)
            cancelSent = true;
        if (rc == 0 && !(info = qemuMonitorGetMigrationInfo(mon)))
            rc = -1;
        if (qemuDomainExitMonitorLocked(vm, mon) < 0 || rc < 0)
            return -1;

        qemuFileJobUpdateLocked(vm, info);
        switch (info->status) {
        case QEMU_MONITOR_MIGRATION_STATUS_COMPLETED:
            return 0;
        case QEMU_MONITOR_MIGRATION_STATUS_FAILED:
        case QEMU_MONITOR_MIGRATION_STATUS_CANCELLED:
            if (cancelSent) {
                qemuFileJobReportAborted(VIR_DOMAIN_JOB_OPERATION_DUMP);
            } else {
                reportError(VIR_ERR_OPERATION_FAILED,
                            _("dumping domain '%1$s' failed in QEMU: %2$s"), name,
                            info->errorDesc ? info->errorDesc : _("no reason given"));
            }
            return -1;
        default:
            break;
        }
        qemuDumpSleepLocked(vm);
    }
}

/* Pauses the running guest for the dump (paused/dump, SUSPENDED_PAUSED).
 * Returns 0, or -1 with an error. */
static int
qemuDumpPauseLocked(QemuDriver *driver, DomainObj *vm)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    QemuMonitor *mon;
    int rc;

    priv->pausedReason = VIR_DOMAIN_PAUSED_DUMP;
    if (!(mon = qemuDomainEnterMonitorLocked(vm)))
        return -1;
    rc = qemuMonitorStop(mon);
    if (qemuDomainExitMonitorLocked(vm, mon) < 0 || rc < 0)
        return -1;
    if (domainObjGetState(vm, NULL) == VIR_DOMAIN_RUNNING) {
        domainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_DUMP);
        qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                   VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    }
    return 0;
}

/* After the dump: @reset the guest, then let it run if @resume.  Returns 0,
 * or -1 with an error (a failed resume leaves it paused). */
static int
qemuDumpFinishLocked(QemuDriver *driver, DomainObj *vm, bool reset, bool resume)
{
    QemuMonitor *mon;
    int rc = 0;

    if (!domainObjIsActive(vm))
        return 0;
    if (reset) {
        if (!(mon = qemuDomainEnterMonitorLocked(vm)))
            return -1;
        rc = qemuMonitorSystemReset(mon);
        if (qemuDomainExitMonitorLocked(vm, mon) < 0 || rc < 0)
            return -1;
    }
    if (!resume)
        return 0;
    if (!(mon = qemuDomainEnterMonitorLocked(vm)))
        return -1;
    rc = qemuMonitorCont(mon);
    if (qemuDomainExitMonitorLocked(vm, mon) < 0)
        return -1;
    if (rc < 0) {
        /* as libvirt: it stays paused, told with SUSPENDED_API_ERROR */
        if (domainObjGetState(vm, NULL) == VIR_DOMAIN_PAUSED)
            qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                       VIR_DOMAIN_EVENT_SUSPENDED_API_ERROR);
        return -1;
    }
    if (domainObjGetState(vm, NULL) == VIR_DOMAIN_PAUSED) {
        domainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
        qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_RESUMED,
                                   VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    }
    return 0;
}

/**
 * qemuDumpDomainLocked:
 * @driver: the driver
 * @vm: an active domain, locked, under a modifying job held by the caller
 * @path: the file to write (absolute; created or truncated, mode 0600)
 * @dumpformat: virDomainCoreDumpFormat (checked < _LAST by the entry point)
 * @flags: virDomainCoreDumpFlags
 *
 * Dumps the guest to @path as described at the top of this file.  On
 * failure the file is removed and a guest that ran runs again.
 *
 * Returns: 0, or -1 with an error reported.
 */
int
qemuDumpDomainLocked(QemuDriver *driver, DomainObj *vm, const char *path,
                     unsigned int dumpformat, unsigned int flags)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    g_autofree char *name = g_strdup(vm->def->name);
    const char *format = NULL;
    bool memoryOnly = flags & VIR_DUMP_MEMORY_ONLY;
    bool wasRunning = domainObjGetState(vm, NULL) == VIR_DOMAIN_RUNNING;
    bool paused = false;
    QemuMonitor *mon;
    int fd = -1;
    int ret = -1;
    int rc;
    int err;

    if (!memoryOnly && dumpformat != VIR_DOMAIN_CORE_DUMP_FORMAT_RAW) {
        reportError(VIR_ERR_OPERATION_UNSUPPORTED, "%s",
                    _("kdump-compressed format is only supported with memory-only dump"));
        return -1;
    }
    if (flags & VIR_DUMP_BYPASS_CACHE) {
        /* QEMU writes unaligned blocks: O_DIRECT needs a copying helper */
        reportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                    _("bypassing the file system cache is not supported for core dumps"));
        return -1;
    }
    if (memoryOnly && dumpformat != VIR_DOMAIN_CORE_DUMP_FORMAT_RAW) {
        format = qemuDumpFormats[dumpformat];
        if (!(mon = qemuDomainEnterMonitorLocked(vm)))
            return -1;
        rc = qemuDumpFormatSupported(mon, format);
        if (qemuDomainExitMonitorLocked(vm, mon) < 0 || rc < 0)
            return -1;
        if (rc == 0) {
            reportError(VIR_ERR_INVALID_ARG,
                        _("unsupported dumpformat '%1$s' for this QEMU binary"), format);
            return -1;
        }
    }

    if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        reportSystemError(errno, _("Failed to create file '%1$s'"), path);
        return -1;
    }

    qemuFileJobBeginLocked(vm, VIR_DOMAIN_JOB_OPERATION_DUMP, !memoryOnly);

    if (!(flags & VIR_DUMP_LIVE) && wasRunning) {
        if (qemuDumpPauseLocked(driver, vm) < 0)
            goto done;
        paused = true;
    }
    /* a live stream ends with QEMU stopping the guest: that STOP is the dump's */
    priv->pausedReason = VIR_DOMAIN_PAUSED_DUMP;
    if (qemuDumpStreamLocked(vm, memoryOnly, fd, format) < 0)
        goto done;
    qemuFileJobCompletedLocked(vm);
    /* the migration stream always ends with the guest stopped */
    if (!memoryOnly)
        paused = true;
    /* flushing a dump of the guest's RAM may take long: not under the
     * domain's lock (the job is still held), so queries go on */
    domainObjUnlock(vm);
    rc = fdSyncClose(fd);
    err = errno;
    domainObjLock(vm);
    fd = -1;
    if (rc < 0) {
        reportSystemError(err, _("unable to close file %1$s"), path);
        goto done;
    }
    LOG_INFO("domain '%s' dumped to '%s'", name, path);
    ret = 0;

 done:
    priv->pausedReason = VIR_DOMAIN_PAUSED_UNKNOWN;
    qemuFileJobEndLocked(vm);
    if (ret < 0) {
        g_autoptr(SavedError) saved = errorSave();

        if (fd >= 0)
            close(fd);
        unlink(path);
        if (domainObjIsActive(vm))
            qemuDumpFinishLocked(driver, vm, false, wasRunning && paused);
        errorRestore(&saved);
    } else if (flags & VIR_DUMP_CRASH) {
        qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_CRASHED, VIR_DOMAIN_EVENT_STOPPED_CRASHED);
    } else if (qemuDumpFinishLocked(driver, vm, flags & VIR_DUMP_RESET,
                                    wasRunning && paused) < 0) {
        ret = -1;
    }
    if (domainObjIsActive(vm) && qemuStatusWriteLocked(driver, vm) < 0)
        LOG_WARN("domain '%s': cannot write its status, ignoring", name);
    return ret;
}

/**
 * qemuFileJobInfoLocked:
 * @vm: a domain, locked
 * @info: filled when a file job runs
 *
 * Returns: 1 when a dump or save runs on @vm (@info describes it:
 * UNBOUNDED, time elapsed, memory figures of QEMU's last answer), else 0
 * (@info untouched).
 */
int
qemuFileJobInfoLocked(DomainObj *vm, virDomainJobInfoPtr info)
{
    QemuFileJob *job = qemuDomainPrivate(vm)->fileJob;

    if (!job)
        return 0;
    memset(info, 0, sizeof(*info));
    info->type = VIR_DOMAIN_JOB_UNBOUNDED;
    info->timeElapsed = g_get_real_time() / 1000 - job->startMs;
    if (job->hasStats) {
        info->dataTotal = info->memTotal = job->total;
        info->dataProcessed = info->memProcessed = job->processed;
        info->dataRemaining = info->memRemaining = job->remaining;
    }
    return 1;
}

/**
 * qemuFileJobStatsLocked:
 * @vm: a domain, locked
 * @type: set to VIR_DOMAIN_JOB_UNBOUNDED when a file job runs
 * @params: set to the statistics (caller frees with virTypedParamsFree)
 * @nparams: set to their number
 *
 * The running dump or save as virDomainGetJobStats shows it: its
 * operation, time elapsed and the memory figures.
 *
 * Returns: 1 when one runs (outputs set), 0 when none (outputs
 * untouched), -1 with an error.
 */
int
qemuFileJobStatsLocked(DomainObj *vm, int *type, virTypedParameterPtr *params, int *nparams)
{
    QemuFileJob *job = qemuDomainPrivate(vm)->fileJob;
    virTypedParameterPtr par = NULL;
    int npar = 0;
    int max = 0;
    int rc = 0;

    if (!job)
        return 0;
    rc |= virTypedParamsAddInt(&par, &npar, &max, VIR_DOMAIN_JOB_OPERATION, job->operation);
    rc |= virTypedParamsAddULLong(&par, &npar, &max, VIR_DOMAIN_JOB_TIME_ELAPSED,
                                  g_get_real_time() / 1000 - job->startMs);
    if (job->hasStats) {
        rc |= virTypedParamsAddULLong(&par, &npar, &max, VIR_DOMAIN_JOB_DATA_TOTAL, job->total);
        rc |= virTypedParamsAddULLong(&par, &npar, &max, VIR_DOMAIN_JOB_DATA_PROCESSED,
                                      job->processed);
        rc |= virTypedParamsAddULLong(&par, &npar, &max, VIR_DOMAIN_JOB_DATA_REMAINING,
                                      job->remaining);
        rc |= virTypedParamsAddULLong(&par, &npar, &max, VIR_DOMAIN_JOB_MEMORY_TOTAL,
                                      job->total);
        rc |= virTypedParamsAddULLong(&par, &npar, &max, VIR_DOMAIN_JOB_MEMORY_PROCESSED,
                                      job->processed);
        rc |= virTypedParamsAddULLong(&par, &npar, &max, VIR_DOMAIN_JOB_MEMORY_REMAINING,
                                      job->remaining);
    }
    if (rc < 0) {
        virTypedParamsFree(par, npar);
        return -1;
    }
    *type = VIR_DOMAIN_JOB_UNBOUNDED;
    *params = par;
    *nparams = npar;
    return 1;
}

/**
 * qemuFileJobAbortLocked:
 * @vm: a domain, locked
 *
 * Asks the running dump or save to stop: the worker running it cancels
 * QEMU's stream and its call fails with VIR_ERR_OPERATION_ABORTED.  A
 * memory-only dump cannot be aborted (VIR_ERR_OPERATION_INVALID, as
 * libvirt).
 *
 * Returns: 1 when a file job runs and was asked to stop, 0 when none
 * runs, -1 with an error.
 */
int
qemuFileJobAbortLocked(DomainObj *vm)
{
    QemuFileJob *job = qemuDomainPrivate(vm)->fileJob;

    if (!job)
        return 0;
    if (!job->abortable) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("cannot abort memory-only dump"));
        return -1;
    }
    job->abortRequested = true;
    return 1;
}
