/* Live migration of QEMU guests: the QEMU side of the table of src/migration. */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <string.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_QEMU

#include "api/domain_event.h"
#include "api/domain_export.h"
#include "api/driver.h"
#include "api/fdstream.h"
#include "api/libvirt-migrate.h"
#include "conf/domain_obj.h"
#include "migration/migration.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_process.h"
#include "qemu/qemu_status.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/uuid.h"
#include "util/xml.h"

LOG_INIT("qemu.migration");

/*
 * Threads.  A step call (Begin .. Confirm), a worker handling QEMU's
 * migration events, or the recovery at driver start runs the table under
 * the domain's job with the domain locked; actions drop the lock while
 * they wait for QEMU.  QEMU's MIGRATION events arrive on the driver's
 * event-loop thread: they are only queued here (mig->events) and woken
 * up (mig->cond); the job holder handles them.  Job control (abort,
 * speed, downtime, post-copy, job info) takes no job: it reads the cache
 * of the last query-migrate, sets flags the Perform loop acts on, or
 * sends a QMP command beside the migration.
 */

/* How often Perform refreshes the job statistics (and polls QEMU). */
#define QEMU_MIG_REFRESH_MS 200
/* How long Finish waits for the incoming transfer to end. */
#define QEMU_MIG_FINISH_WAIT_MS 30000
/* After migrate_cancel, how long QEMU may take to stop cancelling. */
#define QEMU_MIG_CANCEL_WAIT_MS 5000
/* A timed-out migration whose domain is busy (a job runs) is looked at again after this. */
#define QEMU_MIG_TIMEOUT_RETRY_MS 1000

/* Statistics of the last completed job (VIR_DOMAIN_JOB_STATS_COMPLETED):
 * a migration, or a save or dump (qemu_dump.c). */
typedef struct {
    int operation;                    /* VIR_DOMAIN_JOB_OPERATION_* */
    unsigned long long elapsed;       /* ms */
    QemuMonitorMigrationInfo *info;   /* the final query-migrate, or NULL */
    bool memoryDump;                  /* a memory-only dump: the two figures below */
    uint64_t dumpTotal;               /* bytes */
    uint64_t dumpCompleted;
} QemuMigrationStats;

typedef struct _QemuMigTunnel QemuMigTunnel;

/*
 * VIR_MIGRATE_COMPRESSED and its typed parameters, mapped to QEMU as
 * libvirt 9.0 does: compression=xbzrle -> the xbzrle capability,
 * compression=mt -> compress; the flag without a method means xbzrle.
 * Capabilities on both sides; compression.mt.level / threads and
 * compression.xbzrle.cache on the source, compression.mt.dthreads on the
 * destination.  -1 / 0: QEMU's default.
 */
typedef struct {
    bool xbzrle;
    bool mt;
    int mtLevel;
    int mtThreads;
    int mtDThreads;
    unsigned long long xbzrleCache;   /* bytes */
} QemuMigCompression;

struct _QemuMigration {
    QemuDriver *driver;
    DomainObj *vm;                    /* owner of this (priv->mig) */
    MigCtx ctx;
    unsigned int flags;
    char *uri;                        /* source: QEMU's target; destination: listen URI */
    char *persistXML;                 /* PERSIST_DEST: the definition to keep */
    unsigned long bandwidth;          /* MiB/s from the parameters, 0 = the domain's */
    bool pcBandwidthSet;              /* bandwidth.postcopy was given */
    unsigned long long pcBandwidth;   /* bandwidth.postcopy, MiB/s */
    int parallel;                     /* multifd channels, 0 = none */
    int acInitial;                    /* auto_converge.initial, -1 = QEMU's */
    int acIncrement;                  /* auto_converge.increment, -1 = QEMU's */
    QemuMigCompression comp;          /* VIR_MIGRATE_COMPRESSED */
    gint64 startMs;                   /* real time at Begin / Prepare */
    bool wasRunning;                  /* the source CPUs ran when the transfer started */
    char *gfxHost;                    /* source: where SPICE clients reconnect, or NULL */
    int gfxPort;                      /* -1 = none */
    int gfxTlsPort;                   /* -1 = none */

    /* Under the domain lock. */
    GQueue events;                    /* MigEvent from QEMU, for the job holder */
    Cond cond;                        /* an event, an abort, QEMU gone */
    QemuMonitorMigrationStatus qemuStatus; /* last status QEMU reported */
    bool pcSwitched;                  /* QEMU reached postcopy-active */
    bool abortRequested;              /* virDomainAbortJob: the Perform loop applies it */
    bool aborted;
    bool stopped;                     /* source: QEMU stopped the CPUs (STOP) */
    bool ioError;                     /* source: ABORT_ON_ERROR aborted on a disk I/O error */
    bool gone;                        /* the monitor closed or QEMU exited */
    QemuMigTunnel *tunnel;            /* source, tunnelled: the pump, during Perform */
    QemuMonitorMigrationInfo *stats;  /* cache of the last query-migrate */

    /* The TIMEOUT watchdog (under the domain lock). */
    MigPhase watchPhase;              /* phase the deadline was armed for */
    gint64 deadline;                  /* monotonic ms: TIMEOUT unless a step came; 0 none */
    gint64 timeoutQueued;             /* monotonic ms a worker was asked to handle it, 0 */

    /*
     * The client of the last step (under the domain lock): the connection
     * it came on, not referenced (a step holds its own reference while it
     * runs; qemuMigrationConnectClosed clears this before the handle
     * goes), NULL once it closed.  @connClosed: it closed while this side
     * waits for its next step, so the watchdog feeds PEER_ERROR at once.
     */
    virConnectPtr conn;
    bool connClosed;
};

static void
qemuMigStatsFree(QemuMigrationStats *stats)
{
    if (!stats)
        return;
    qemuMonitorJSONMigrationInfoFree(stats->info);
    g_free(stats);
}

static void
qemuMigFree(QemuMigration *mig)
{
    if (!mig)
        return;
    g_queue_clear(&mig->events);
    condClear(&mig->cond);
    qemuMonitorJSONMigrationInfoFree(mig->stats);
    g_free(mig->uri);
    g_free(mig->persistXML);
    g_free(mig->gfxHost);
    g_free(mig);
}

/**
 * qemuMigrationPrivateFree:
 * @priv: private data being freed
 *
 * Frees the migration state kept in @priv.
 */
void
qemuMigrationPrivateFree(QemuDomainPrivate *priv)
{
    g_clear_pointer(&priv->mig, qemuMigFree);
    qemuMigStatsFree(priv->jobCompleted);
    priv->jobCompleted = NULL;
}

static const MigHooks qemuMigHooks;

static QemuMigration *
qemuMigNew(QemuDriver *driver, DomainObj *vm, MigSide side, unsigned int flags)
{
    QemuMigration *mig = g_new0(QemuMigration, 1);

    mig->driver = driver;
    mig->vm = vm;
    mig->flags = flags;
    mig->startMs = g_get_real_time() / 1000;
    g_queue_init(&mig->events);
    condInit(&mig->cond);
    migrationCtxInit(&mig->ctx, side, &qemuMigHooks, mig);
    mig->watchPhase = MIG_PHASE_LAST;
    return mig;
}

/* Forget the migration of @vm (locked): the status XML no longer names it. */
static void
qemuMigForget(DomainObj *vm)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);

    g_clear_pointer(&priv->mig, qemuMigFree);
    priv->migPhase = NULL;
    if (domainObjIsActive(vm))
        qemuStatusWriteLocked(priv->driver, vm);
}

static void
qemuMigForgetIfOver(DomainObj *vm)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);

    if (priv->mig && migrationPhaseIsTerminal(priv->mig->ctx.phase))
        qemuMigForget(vm);
}

/* ---- host identity ---- */

/**
 * qemuMigrationHostUUIDInit:
 * @driver: a driver instance being created
 *
 * Gives the instance its host UUID (the migration cookies carry it and a
 * migration to the same host is refused): qemu.conf's host_uuid if set.
 * Otherwise an instance with a root
 * directory (qemu:///embed?root=DIR, virtkitd --root DIR) keeps its own in
 * DIR's etc/host-uuid, created on first use, so two roots on one machine
 * are two hosts; otherwise the machine's (SMBIOS, else /etc/machine-id).
 *
 * Returns: 0, or -1 with an error.
 */
int
qemuMigrationHostUUIDInit(QemuDriver *driver)
{
    const QemuConfig *cfg = driver->config;
    g_autofree char *dir = NULL;
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;
    char buf[VIR_UUID_STRING_BUFLEN];

    if (cfg->hostUUID) {
        if (uuidParse(cfg->hostUUID, driver->hostUUID) < 0) {
            reportError(VIR_ERR_CONF_SYNTAX, _("host_uuid '%1$s' in '%2$s' is not a valid UUID"),
                        cfg->hostUUID, cfg->configFile);
            return -1;
        }
        return 0;
    }
    if (cfg->mode == QEMU_CONFIG_SESSION || !cfg->root) {
        QemuCapsHost host = { 0 };
        int rc = -1;

        if (qemuCapsHostProbe(&host) == 0 && host.uuid)
            rc = uuidParse(host.uuid, driver->hostUUID);
        qemuCapsHostClear(&host);
        errorReset();
        if (rc < 0)
            uuidGenerate(driver->hostUUID);
        return 0;
    }
    dir = g_path_get_dirname(cfg->configFile);
    path = g_build_filename(dir, "host-uuid", NULL);
    if (g_file_get_contents(path, &text, NULL, NULL) &&
        uuidParse(g_strstrip(text), driver->hostUUID) == 0)
        return 0;
    uuidGenerate(driver->hostUUID);
    uuidFormat(driver->hostUUID, buf);
    g_free(text);
    text = g_strdup_printf("%s\n", buf);
    return qemuDomainWriteFileAtomic(path, text);
}

/* ---- QEMU events (event-loop thread) ---- */

/* The table's event for a MIGRATION status QEMU reports live (NONE: no transition). */
static MigEvent
qemuMigLiveEvent(QemuMigration *mig, QemuMonitorMigrationStatus status)
{
    switch (status) {
    case QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER:
        return mig->ctx.side == MIG_SIDE_SOURCE ? MIG_EVENT_Q_PRESWITCHOVER : MIG_EVENT_NONE;
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE:
        return MIG_EVENT_Q_POSTCOPY;
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED:
        return MIG_EVENT_Q_PC_FAILED;
    case QEMU_MONITOR_MIGRATION_STATUS_COMPLETED:
        return MIG_EVENT_Q_COMPLETED;
    case QEMU_MONITOR_MIGRATION_STATUS_FAILED:
    case QEMU_MONITOR_MIGRATION_STATUS_CANCELLED:
        return mig->pcSwitched ? MIG_EVENT_Q_PC_FAILED : MIG_EVENT_Q_FAILED;
    default:
        return MIG_EVENT_NONE;
    }
}

/* The table's event for a status queried after a restart (QUERY). */
static MigEvent
qemuMigQueriedEvent(QemuMigration *mig, QemuMonitorMigrationStatus status)
{
    bool pc = mig->pcSwitched;

    switch (status) {
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE:
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER:
        return MIG_EVENT_Q_POSTCOPY;
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED:
        return MIG_EVENT_Q_PC_FAILED;
    case QEMU_MONITOR_MIGRATION_STATUS_SETUP:
    case QEMU_MONITOR_MIGRATION_STATUS_ACTIVE:
    case QEMU_MONITOR_MIGRATION_STATUS_WAIT_UNPLUG:
        return pc ? MIG_EVENT_Q_POSTCOPY : MIG_EVENT_Q_ACTIVE;
    case QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER:
    case QEMU_MONITOR_MIGRATION_STATUS_DEVICE:
        /* Before the switch-over on either side: the migration that was
         * driven by the daemon (and its client) that went away is lost,
         * like an active one; the destination has no CPU state yet, so
         * the source cancels and resumes (a source restarted in
         * S_SWITCHOVER would otherwise stay paused, nobody sending
         * migrate-continue). */
        return pc ? MIG_EVENT_Q_POSTCOPY : MIG_EVENT_Q_ACTIVE;
    case QEMU_MONITOR_MIGRATION_STATUS_COMPLETED:
        /* a transfer that went through post-copy is reported as such */
        return pc ? MIG_EVENT_Q_POSTCOPY : MIG_EVENT_Q_COMPLETED;
    default:
        return pc ? MIG_EVENT_Q_PC_FAILED : MIG_EVENT_Q_FAILED;
    }
}

static void
qemuMigPush(QemuMigration *mig, MigEvent ev)
{
    if (ev == MIG_EVENT_NONE)
        return;
    g_queue_push_tail(&mig->events, GINT_TO_POINTER(ev));
    condBroadcast(&mig->cond);
}

/* The SUSPENDED detail that goes with a paused reason of a migration. */
static int
qemuMigPausedDetail(int reason)
{
    switch (reason) {
    case VIR_DOMAIN_PAUSED_MIGRATION:
        return VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED;
    case VIR_DOMAIN_PAUSED_POSTCOPY:
        return VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY;
    case VIR_DOMAIN_PAUSED_POSTCOPY_FAILED:
        return VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED;
    default:
        return VIR_DOMAIN_EVENT_SUSPENDED_PAUSED;
    }
}

/*
 * When nobody holds the job (so no transition is half done) and the
 * current phase has no row for any queued event, the worker would only
 * drop them, one after the other, in this very phase (a step drains the
 * queue before it moves the phase on): drop them here instead (e.g. the destination's `completed` in D_INCOMING,
 * which only Finish acts on), so that no worker takes the domain's job
 * for nothing while the next step may be arriving (it would wait for
 * that job: up to tens of ms on a busy host).  The events' effect on
 * mig->qemuStatus is already recorded.  @vm locked, no job held.
 *
 * Returns: true when the queue was emptied.
 */
static bool
qemuMigDropUnacceptedLocked(QemuMigration *mig)
{
    GList *l;

    for (l = mig->events.head; l; l = l->next) {
        if (migrationTransitionFind(mig->ctx.phase, GPOINTER_TO_INT(l->data)))
            return false;
    }
    for (l = mig->events.head; l; l = l->next)
        LOG_DEBUG("%s: event %s not accepted", migrationPhaseName(mig->ctx.phase),
                  migrationEventName(GPOINTER_TO_INT(l->data)));
    g_queue_clear(&mig->events);
    return true;
}

/**
 * qemuMigrationHandleEventLocked:
 * @driver: the driver
 * @vm: the domain, locked (event-loop thread)
 * @ev: a QMP event
 *
 * Takes the events that belong to a migration: MIGRATION (queued for the
 * table), MIGRATION_PASS (MIGRATION_ITERATION event, statistics refresh),
 * and STOP / RESUME while a migration runs (the table and its actions set
 * the state and event then).
 *
 * Returns: true when the event was handled here.
 */
bool
qemuMigrationHandleEventLocked(QemuDriver *driver, DomainObj *vm, const QemuMonitorEvent *ev)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    QemuMigration *mig = priv->mig;
    int reason;
    int state;

    switch (ev->type) {
    case QEMU_MONITOR_EVENT_MIGRATION:
        if (!mig)
            return true;
        mig->qemuStatus = ev->u.migration.status;
        if (ev->u.migration.status == QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE)
            mig->pcSwitched = true;
        qemuMigPush(mig, qemuMigLiveEvent(mig, ev->u.migration.status));
        condBroadcast(&mig->cond);
        /* unless a migration step runs (it handles them), a worker runs
         * the event through the table */
        if (!g_queue_is_empty(&mig->events) &&
            (priv->job == QEMU_JOB_NONE || !priv->jobApi ||
             !strPrefix(priv->jobApi, "virDomainMigrate")) &&
            !(priv->job == QEMU_JOB_NONE && qemuMigDropUnacceptedLocked(mig)))
            qemuProcessQueueMigrationWork(driver, vm);
        return true;

    case QEMU_MONITOR_EVENT_MIGRATION_PASS:
        if (mig && mig->ctx.side == MIG_SIDE_SOURCE) {
            domainEventStateQueue(driver->events,
                                  domainEventMigrationIterationNew(vm->def->name,
                                                                   vm->def->uuid,
                                                                   vm->def->id,
                                                                   ev->u.migrationPass.pass));
            condBroadcast(&mig->cond);
        }
        return true;

    case QEMU_MONITOR_EVENT_STOP:
        if (!mig)
            return false;
        /* with ABORT_ON_ERROR, Perform asks QEMU why (a disk I/O error?) */
        mig->stopped = true;
        condBroadcast(&mig->cond);
        state = domainObjGetState(vm, NULL);
        if (state == VIR_DOMAIN_RUNNING) {
            /* the switch-over: QEMU stopped the CPUs for the last pass */
            reason = priv->pausedReason != VIR_DOMAIN_PAUSED_UNKNOWN ?
                     priv->pausedReason : VIR_DOMAIN_PAUSED_MIGRATION;
            domainObjSetState(vm, VIR_DOMAIN_PAUSED, reason);
            qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                       qemuMigPausedDetail(reason));
        }
        return true;

    case QEMU_MONITOR_EVENT_RESUME:
        /* during a migration the actions that start CPUs show the state */
        return mig != NULL;

    default:
        return false;
    }
}

/**
 * qemuMigrationNotifyGoneLocked:
 * @vm: the domain, locked
 *
 * The monitor closed or QEMU exited: wake whoever waits for the migration.
 */
void
qemuMigrationNotifyGoneLocked(DomainObj *vm)
{
    QemuMigration *mig = qemuDomainPrivate(vm)->mig;

    if (!mig)
        return;
    mig->gone = true;
    condBroadcast(&mig->cond);
}

/* ---- monitor helpers (domain locked; the lock is dropped while waiting) ---- */

/* Refresh the statistics cache (caller holds the job). */
static QemuMonitorMigrationStatus
qemuMigRefresh(QemuMigration *mig)
{
    DomainObj *vm = mig->vm;
    QemuMonitorMigrationInfo *info;
    QemuMonitor *mon;

    if (!(mon = qemuDomainEnterMonitorLocked(vm)))
        return QEMU_MONITOR_MIGRATION_STATUS_LAST;
    info = qemuMonitorGetMigrationInfo(mon);
    if (qemuDomainExitMonitorLocked(vm, mon) < 0 || !info) {
        qemuMonitorJSONMigrationInfoFree(info);
        errorReset();
        return QEMU_MONITOR_MIGRATION_STATUS_LAST;
    }
    qemuMonitorJSONMigrationInfoFree(mig->stats);
    mig->stats = info;
    return info->status;
}

/*
 * Source, VIR_MIGRATE_ABORT_ON_ERROR: QEMU stopped the CPUs; when its run
 * state says a disk I/O error did it (werror/rerror=stop), the guest shows
 * PAUSED/IOERROR and the migration is to be aborted, as libvirt 9.0 does.
 * Caller holds the job; @vm's lock is dropped while QEMU answers.
 *
 * Returns: true when the guest is paused on an I/O error.
 */
static bool
qemuMigPausedOnIOError(QemuMigration *mig)
{
    DomainObj *vm = mig->vm;
    g_autoptr(QemuMonitorStatus) status = NULL;
    QemuMonitor *mon;
    int reason = -1;

    if (!(mon = qemuDomainEnterMonitorLocked(vm)))
        goto error;
    status = qemuMonitorGetStatus(mon);
    if (qemuDomainExitMonitorLocked(vm, mon) < 0 || !status)
        goto error;
    if (status->running || status->state != QEMU_MONITOR_RUN_STATE_IO_ERROR)
        return false;
    if (domainObjGetState(vm, &reason) != VIR_DOMAIN_PAUSED ||
        reason != VIR_DOMAIN_PAUSED_IOERROR) {
        domainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_IOERROR);
        qemuDomainEventQueueLocked(mig->driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                   VIR_DOMAIN_EVENT_SUSPENDED_IOERROR);
    }
    return true;

 error:
    /* QEMU gone or not answering: the loop's other checks handle it */
    errorReset();
    return false;
}

static bool
qemuMigParamsAny(const QemuMonitorMigrationParams *params)
{
    size_t i;

    for (i = 0; i < QEMU_MONITOR_MIGRATION_PARAM_LAST; i++) {
        if (params->set[i])
            return true;
    }
    return false;
}

/*
 * Source: migrate-set-capabilities and migrate-set-parameters as one
 * pipelined batch (one round trip; the first error is reported).  Not
 * 'migrate' with them: QEMU would start the transfer even after a failed
 * capability, so it waits for these replies.
 */
static int
qemuMigSetCaps(DomainObj *vm, const QemuMonitorMigrationCaps *caps,
               const QemuMonitorMigrationParams *params)
{
    json_object *cmds[2] = { NULL };
    size_t ncmds = 0;
    QemuMonitor *mon;
    int rc;

    cmds[ncmds++] = qemuMonitorJSONBuildMigrateSetCapabilities(caps);
    /* no empty migrate-set-parameters */
    if (params && qemuMigParamsAny(params))
        cmds[ncmds++] = qemuMonitorJSONBuildMigrateSetParameters(params);
    if (!(mon = qemuDomainEnterMonitorLocked(vm))) {
        while (ncmds > 0)
            json_object_put(cmds[--ncmds]);
        return -1;
    }
    rc = qemuMonitorRunBatch(mon, cmds, ncmds);
    if (qemuDomainExitMonitorLocked(vm, mon) < 0)
        return -1;
    return rc;
}

static void
qemuMigCap(QemuMonitorMigrationCaps *caps, QemuMonitorMigrationCap cap, bool on)
{
    caps->set[cap] = true;
    caps->state[cap] = on;
}

typedef int (*QemuMigMonFunc)(QemuMonitor *mon);

static int
qemuMigRun(DomainObj *vm, QemuMigMonFunc func)
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
qemuMigContinuePreSwitchover(QemuMonitor *mon)
{
    return qemuMonitorMigrateContinue(mon, QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER);
}

/* A QMP command beside the migration job (no job taken; @vm locked). */
static int
qemuMigRunNoJob(DomainObj *vm, int (*func)(QemuMonitor *mon, const void *arg), const void *arg)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    QemuMonitor *mon;
    int rc;

    if (!priv->mon || !domainObjIsActive(vm)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
        return -1;
    }
    mon = qemuMonitorRef(priv->mon);
    domainObjUnlock(vm);
    rc = func(mon, arg);
    domainObjLock(vm);
    qemuMonitorUnref(mon);
    return rc;
}

/* ---- the hooks ---- */

static int
qemuMigPersist(void *opaque, MigPhase phase)
{
    QemuMigration *mig = opaque;
    QemuDomainPrivate *priv = qemuDomainPrivate(mig->vm);

    priv->migPhase = migrationPhaseName(phase);
    priv->migSide = mig->ctx.side;
    priv->migFlags = mig->flags;
    if (!domainObjIsActive(mig->vm))
        return 0;
    return qemuStatusWriteLocked(mig->driver, mig->vm);
}

static void
qemuMigGetState(void *opaque, int *state, int *reason)
{
    QemuMigration *mig = opaque;

    *state = domainObjGetState(mig->vm, reason);
}

static void qemuMigShowState(QemuMigration *mig, int state, int reason, int eventType,
                             int eventDetail);
static int qemuMigStartCPUs(QemuMigration *mig);
static const DomainGraphicsDef *qemuMigSpice(const DomainDef *def);

/*
 * The show hook.  A destination phase that shows the guest running (the
 * post-copy phases) means its CPUs run: QEMU runs there with -S, so it
 * does not start them by itself when the transfer switches to post-copy
 * (the model's QEMU does); start them before showing the state, whether
 * the phase was reached from QEMU's event or from a recovery.
 */
static void
qemuMigShow(void *opaque, int state, int reason, int eventType, int eventDetail)
{
    QemuMigration *mig = opaque;

    if (mig->ctx.side == MIG_SIDE_DEST && state == VIR_DOMAIN_RUNNING &&
        domainObjIsActive(mig->vm) && domainObjGetState(mig->vm, NULL) != VIR_DOMAIN_RUNNING &&
        qemuMigStartCPUs(mig) < 0) {
        LOG_WARN("domain '%s': cannot start the CPUs on the destination: %s",
                 mig->vm->def->name, errorGetSlot()->message ? errorGetSlot()->message : "");
        errorReset();
        return;
    }
    qemuMigShowState(mig, state, reason, eventType, eventDetail);
}

/* Set the state and queue the event (no side effect on QEMU). */
static void
qemuMigShowState(QemuMigration *mig, int state, int reason, int eventType, int eventDetail)
{
    if (!domainObjIsActive(mig->vm) && state != VIR_DOMAIN_SHUTOFF)
        return;
    domainObjSetState(mig->vm, state, reason);
    if (eventType != MIG_KEEP)
        qemuDomainEventQueueLocked(mig->driver, mig->vm, eventType, eventDetail);
    if (domainObjIsActive(mig->vm))
        qemuStatusWriteLocked(mig->driver, mig->vm);
}

/* Start the CPUs (the caller shows the state). */
static int
qemuMigStartCPUs(QemuMigration *mig)
{
    return qemuMigRun(mig->vm, qemuMonitorCont);
}

/* The compression of @params/@flags (errors as libvirt 9.0 reports them). */
static int
qemuMigCompressionParse(virTypedParameterPtr params, int nparams, unsigned int flags,
                        QemuMigCompression *comp)
{
    int i;
    int rc;

    memset(comp, 0, sizeof(*comp));
    comp->mtLevel = comp->mtThreads = comp->mtDThreads = -1;
    for (i = 0; i < nparams; i++) {
        const char *method;
        bool *on;

        if (!streq(params[i].field, VIR_MIGRATE_PARAM_COMPRESSION))
            continue;
        if (params[i].type != VIR_TYPED_PARAM_STRING) {
            reportError(VIR_ERR_INVALID_ARG, _("parameter '%1$s' must be a string"),
                        VIR_MIGRATE_PARAM_COMPRESSION);
            return -1;
        }
        method = params[i].value.s;
        if (streq(method, "xbzrle")) {
            on = &comp->xbzrle;
        } else if (streq(method, "mt")) {
            on = &comp->mt;
        } else {
            reportError(VIR_ERR_INVALID_ARG, _("Unsupported compression method '%1$s'"), method);
            return -1;
        }
        if (*on) {
            reportError(VIR_ERR_INVALID_ARG, _("Compression method '%1$s' is specified twice"),
                        method);
            return -1;
        }
        *on = true;
    }
    if (virTypedParamsGetInt(params, nparams, VIR_MIGRATE_PARAM_COMPRESSION_MT_LEVEL,
                             &comp->mtLevel) < 0 ||
        virTypedParamsGetInt(params, nparams, VIR_MIGRATE_PARAM_COMPRESSION_MT_THREADS,
                             &comp->mtThreads) < 0 ||
        virTypedParamsGetInt(params, nparams, VIR_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS,
                             &comp->mtDThreads) < 0 ||
        (rc = virTypedParamsGetULLong(params, nparams, VIR_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE,
                                      &comp->xbzrleCache)) < 0)
        return -1;
    if ((comp->mtLevel != -1 || comp->mtThreads != -1 || comp->mtDThreads != -1) && !comp->mt) {
        reportError(VIR_ERR_INVALID_ARG, "%s", _("Turn multithread compression on to tune it"));
        return -1;
    }
    if (rc == 1 && !comp->xbzrle) {
        reportError(VIR_ERR_INVALID_ARG, "%s", _("Turn xbzrle compression on to tune it"));
        return -1;
    }
    if (comp->mtLevel < -1 || comp->mtLevel > 9 || comp->mtThreads == 0 ||
        comp->mtThreads < -1 || comp->mtDThreads == 0 || comp->mtDThreads < -1) {
        reportError(VIR_ERR_INVALID_ARG, "%s",
                    _("compression.mt.level must be 0..9 and the thread counts positive"));
        return -1;
    }
    if (!comp->xbzrle && !comp->mt && (flags & VIR_MIGRATE_COMPRESSED))
        comp->xbzrle = true;
    return 0;
}

/* The capabilities and parameters of @comp for one side. */
static void
qemuMigCompressionApply(const QemuMigCompression *comp, bool source,
                        QemuMonitorMigrationCaps *caps, QemuMonitorMigrationParams *params)
{
    if (!comp->xbzrle && !comp->mt)
        return;
    qemuMigCap(caps, QEMU_MONITOR_MIGRATION_CAP_XBZRLE, comp->xbzrle);
    qemuMigCap(caps, QEMU_MONITOR_MIGRATION_CAP_COMPRESS, comp->mt);
    if (source && comp->mtLevel >= 0)
        qemuMonitorJSONMigrationParamsSetUInt(params, QEMU_MONITOR_MIGRATION_PARAM_COMPRESS_LEVEL,
                                              comp->mtLevel);
    if (source && comp->mtThreads > 0)
        qemuMonitorJSONMigrationParamsSetUInt(params,
                                              QEMU_MONITOR_MIGRATION_PARAM_COMPRESS_THREADS,
                                              comp->mtThreads);
    if (!source && comp->mtDThreads > 0)
        qemuMonitorJSONMigrationParamsSetUInt(params,
                                              QEMU_MONITOR_MIGRATION_PARAM_DECOMPRESS_THREADS,
                                              comp->mtDThreads);
    if (source && comp->xbzrleCache > 0)
        qemuMonitorJSONMigrationParamsSetUInt(params,
                                              QEMU_MONITOR_MIGRATION_PARAM_XBZRLE_CACHE_SIZE,
                                              comp->xbzrleCache);
}

/*
 * VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY (MiB/s) of @params into @mig, as
 * libvirt 9.0: QEMU's max-postcopy-bandwidth (bytes/s) on both sides.
 * Returns: 0, or -1 with VIR_ERR_OVERFLOW when bytes/s do not fit.
 */
static int
qemuMigPostcopyBandwidthParse(virTypedParameterPtr params, int nparams, bool *retSet,
                              unsigned long long *ret)
{
    const unsigned long long max = ULLONG_MAX / (1024 * 1024);
    unsigned long long value = 0;
    int rc;

    if ((rc = virTypedParamsGetULLong(params, nparams, VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY,
                                      &value)) < 0)
        return -1;
    if (value > max) {
        reportError(VIR_ERR_OVERFLOW, _("migration parameter '%1$s' must be less than %2$llu"),
                    VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY, max + 1);
        return -1;
    }
    *retSet = rc == 1;
    *ret = value;
    return 0;
}

static int
qemuMigActionStartIncoming(QemuMigration *mig)
{
    QemuDriver *driver = mig->driver;
    DomainObj *vm = mig->vm;
    QemuMonitorMigrationCaps caps = { 0 };
    g_autoptr(QemuMonitorMigrationParams) params = qemuMonitorJSONMigrationParamsNew();
    json_object *cmds[3] = { NULL };
    size_t ncmds = 0;

    qemuMigCap(&caps, QEMU_MONITOR_MIGRATION_CAP_EVENTS, true);
    qemuMigCap(&caps, QEMU_MONITOR_MIGRATION_CAP_RETURN_PATH,
               !(mig->flags & VIR_MIGRATE_TUNNELLED));
    qemuMigCap(&caps, QEMU_MONITOR_MIGRATION_CAP_LATE_BLOCK_ACTIVATE, true);
    qemuMigCap(&caps, QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_RAM,
               !!(mig->flags & VIR_MIGRATE_POSTCOPY));
    qemuMigCap(&caps, QEMU_MONITOR_MIGRATION_CAP_MULTIFD, !!(mig->flags & VIR_MIGRATE_PARALLEL));
    if (mig->flags & VIR_MIGRATE_PARALLEL)
        qemuMonitorJSONMigrationParamsSetUInt(params, QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_CHANNELS,
                                              mig->parallel > 0 ? mig->parallel : 2);
    if (mig->pcBandwidthSet)
        qemuMonitorJSONMigrationParamsSetUInt(params,
                                              QEMU_MONITOR_MIGRATION_PARAM_MAX_POSTCOPY_BANDWIDTH,
                                              (uint64_t)mig->pcBandwidth * 1024 * 1024);
    qemuMigCompressionApply(&mig->comp, false, &caps, params);
    /*
     * Written right behind qmp_capabilities, before QEMU answered it: no
     * round trip each while QEMU finishes its set-up.  QEMU runs
     * migrate-incoming even when a capability failed; the start fails
     * then and QEMU is stopped before anyone learnt the port.
     */
    cmds[ncmds++] = qemuMonitorJSONBuildMigrateSetCapabilities(&caps);
    /* no empty migrate-set-parameters */
    if (qemuMigParamsAny(params))
        cmds[ncmds++] = qemuMonitorJSONBuildMigrateSetParameters(params);
    cmds[ncmds++] = qemuMonitorJSONBuildMigrateIncoming(mig->uri);
    /* D_REFUSED on failure: QEMU stopped, nothing was created, no event */
    return qemuProcessStartFull(driver, vm, QEMU_PROCESS_START_PAUSED |
                                            QEMU_PROCESS_START_INCOMING, cmds, ncmds);
}

static int
qemuMigActionStartTransfer(QemuMigration *mig)
{
    DomainObj *vm = mig->vm;
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    QemuMonitorMigrationCaps caps = { 0 };
    g_autoptr(QemuMonitorMigrationParams) params = qemuMonitorJSONMigrationParamsNew();
    unsigned long bandwidth = mig->bandwidth ? mig->bandwidth : priv->migBandwidth;
    QemuMonitor *mon;
    int rc;

    mig->wasRunning = domainObjGetState(vm, NULL) == VIR_DOMAIN_RUNNING;
    priv->pausedReason = VIR_DOMAIN_PAUSED_MIGRATION;
    if (!(mig->flags & VIR_MIGRATE_LIVE) && mig->wasRunning) {
        if (qemuMigRun(vm, qemuMonitorStop) < 0)
            return -1;
        if (domainObjGetState(vm, NULL) == VIR_DOMAIN_RUNNING) {
            domainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION);
            qemuDomainEventQueueLocked(mig->driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                       VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED);
        }
    }
    qemuMigCap(&caps, QEMU_MONITOR_MIGRATION_CAP_EVENTS, true);
    qemuMigCap(&caps, QEMU_MONITOR_MIGRATION_CAP_PAUSE_BEFORE_SWITCHOVER, true);
    qemuMigCap(&caps, QEMU_MONITOR_MIGRATION_CAP_RETURN_PATH,
               !(mig->flags & VIR_MIGRATE_TUNNELLED));
    qemuMigCap(&caps, QEMU_MONITOR_MIGRATION_CAP_AUTO_CONVERGE,
               !!(mig->flags & VIR_MIGRATE_AUTO_CONVERGE));
    qemuMigCap(&caps, QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_RAM,
               !!(mig->flags & VIR_MIGRATE_POSTCOPY));
    qemuMigCap(&caps, QEMU_MONITOR_MIGRATION_CAP_MULTIFD, !!(mig->flags & VIR_MIGRATE_PARALLEL));
    qemuMonitorJSONMigrationParamsSetUInt(params, QEMU_MONITOR_MIGRATION_PARAM_MAX_BANDWIDTH,
                                          (uint64_t)bandwidth * 1024 * 1024);
    qemuMonitorJSONMigrationParamsSetUInt(params, QEMU_MONITOR_MIGRATION_PARAM_DOWNTIME_LIMIT,
                                          priv->migDowntime);
    qemuMonitorJSONMigrationParamsSetUInt(params,
                                          QEMU_MONITOR_MIGRATION_PARAM_MAX_POSTCOPY_BANDWIDTH,
                                          (uint64_t)(mig->pcBandwidthSet ? mig->pcBandwidth :
                                                     priv->migPostcopyBandwidth) *
                                              1024 * 1024);
    if (mig->flags & VIR_MIGRATE_PARALLEL)
        qemuMonitorJSONMigrationParamsSetUInt(params, QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_CHANNELS,
                                              mig->parallel > 0 ? mig->parallel : 2);
    if (mig->acInitial >= 0)
        qemuMonitorJSONMigrationParamsSetUInt(params,
                                              QEMU_MONITOR_MIGRATION_PARAM_CPU_THROTTLE_INITIAL,
                                              mig->acInitial);
    if (mig->acIncrement >= 0)
        qemuMonitorJSONMigrationParamsSetUInt(params,
                                              QEMU_MONITOR_MIGRATION_PARAM_CPU_THROTTLE_INCREMENT,
                                              mig->acIncrement);
    qemuMigCompressionApply(&mig->comp, true, &caps, params);
    if (qemuMigSetCaps(vm, &caps, params) < 0)
        return -1;
    if (mig->gfxHost && qemuMigSpice(vm->def)) {
        /* seamless SPICE: clients learn where to reconnect; not fatal */
        if (!(mon = qemuDomainEnterMonitorLocked(vm)))
            return -1;
        rc = qemuMonitorClientMigrateInfo(mon, "spice", mig->gfxHost, mig->gfxPort,
                                          mig->gfxTlsPort, NULL);
        if (qemuDomainExitMonitorLocked(vm, mon) < 0)
            return -1;
        if (rc < 0) {
            LOG_WARN("domain '%s': cannot relocate SPICE clients: %s", vm->def->name,
                     errorGetSlot()->message ? errorGetSlot()->message : "");
            errorReset();
        }
    }
    if (!(mon = qemuDomainEnterMonitorLocked(vm)))
        return -1;
    rc = qemuMonitorMigrate(mon, mig->uri, false);
    if (qemuDomainExitMonitorLocked(vm, mon) < 0 || rc < 0)
        return -1;
    mig->qemuStatus = QEMU_MONITOR_MIGRATION_STATUS_SETUP;
    return 0;
}

/* Destination, Finish: the guest becomes this host's. */
static int
qemuMigActionResume(QemuMigration *mig)
{
    DomainObj *vm = mig->vm;
    QemuDriver *driver = mig->driver;
    int state;
    int reason;

    if (mig->qemuStatus != QEMU_MONITOR_MIGRATION_STATUS_COMPLETED) {
        reportError(VIR_ERR_OPERATION_FAILED, _("incoming migration of domain '%1$s' did not complete (%2$s)"),
                    vm->def->name, qemuMonitorJSONMigrationStatusToString(mig->qemuStatus));
        return -1;
    }
    if (mig->persistXML) {
        g_autoptr(DomainDef) def = domainDefParseString(mig->persistXML,
                                                        DOMAIN_DEF_PARSE_INACTIVE);
        bool existed = vm->persistent;

        if (!def || qemuDriverPrepareDef(driver, def) < 0)
            return -1;
        g_free(def->name);
        def->name = g_strdup(vm->def->name);
        memcpy(def->uuid, vm->def->uuid, VIR_UUID_BUFLEN);   /* checked in Begin */
        g_clear_pointer(&vm->newDef, domainDefFree);
        vm->newDef = g_steal_pointer(&def);
        vm->persistent = true;
        if (qemuDomainSaveConfigLocked(driver, vm) < 0)
            return -1;
        qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_DEFINED,
                                   existed ? VIR_DOMAIN_EVENT_DEFINED_UPDATED :
                                             VIR_DOMAIN_EVENT_DEFINED_ADDED);
    }
    state = domainObjGetState(vm, &reason);
    if (mig->flags & VIR_MIGRATE_PAUSED) {
        if (state == VIR_DOMAIN_PAUSED)
            qemuMigShowState(mig, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER,
                             VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
        return 0;
    }
    if (state != VIR_DOMAIN_RUNNING) {
        if (qemuMigStartCPUs(mig) < 0)
            return -1;
    }
    if (state != VIR_DOMAIN_RUNNING || reason != VIR_DOMAIN_RUNNING_MIGRATED)
        qemuMigShowState(mig, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED,
                         VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_MIGRATED);
    return 0;
}

static void qemuMigTunnelCancel(QemuMigTunnel *tun);
static const char *qemuMigTunnelURI(QemuMigTunnel *tun);

static int
qemuMigActionCancelResume(QemuMigration *mig)
{
    DomainObj *vm = mig->vm;
    gint64 deadline = g_get_monotonic_time() + QEMU_MIG_CANCEL_WAIT_MS * 1000;
    QemuMonitorMigrationStatus st = mig->qemuStatus;
    int reason = -1;

    /* the tunnel's sockets close first: QEMU must not wait on a full socket */
    if (mig->tunnel)
        qemuMigTunnelCancel(mig->tunnel);
    if (!domainObjIsActive(vm))
        return 0;
    if (st != QEMU_MONITOR_MIGRATION_STATUS_NONE &&
        st != QEMU_MONITOR_MIGRATION_STATUS_COMPLETED &&
        st != QEMU_MONITOR_MIGRATION_STATUS_FAILED &&
        st != QEMU_MONITOR_MIGRATION_STATUS_CANCELLED) {
        if (qemuMigRun(vm, qemuMonitorMigrateCancel) < 0)
            return -1;
        /* QEMU ends the transfer (and restarts the CPUs it stopped) */
        for (;;) {
            st = qemuMigRefresh(mig);
            if (st != QEMU_MONITOR_MIGRATION_STATUS_CANCELLING &&
                st != QEMU_MONITOR_MIGRATION_STATUS_ACTIVE &&
                st != QEMU_MONITOR_MIGRATION_STATUS_SETUP &&
                st != QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER &&
                st != QEMU_MONITOR_MIGRATION_STATUS_DEVICE)
                break;
            if (g_get_monotonic_time() > deadline || !domainObjIsActive(vm))
                break;
            domainObjUnlock(vm);
            g_usleep(20000);
            domainObjLock(vm);
        }
    }
    if (!domainObjIsActive(vm))
        return 0;
    qemuDomainPrivate(vm)->pausedReason = VIR_DOMAIN_PAUSED_UNKNOWN;
    /* as libvirt: a guest paused on a disk I/O error stays paused */
    if (domainObjGetState(vm, &reason) == VIR_DOMAIN_PAUSED && mig->wasRunning &&
        reason != VIR_DOMAIN_PAUSED_IOERROR) {
        if (qemuMigStartCPUs(mig) < 0)
            return -1;
        qemuMigShowState(mig, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATION_CANCELED,
                         VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_MIGRATED);
    }
    return 0;
}

static void
qemuMigStopDone(QemuMonitor *mon, json_object *reply, const virError *err, void *opaque)
{
    const char *name = opaque;

    if (err || qemuMonitorJSONReplyErrorClass(reply))
        LOG_WARN("domain '%s': QEMU has not stopped its CPUs after the migration failed: %s",
                 name, err && err->message ? err->message : "error reply");
}

static int
qemuMigAction(void *opaque, MigAction action, MigEvent *retEvent)
{
    QemuMigration *mig = opaque;
    DomainObj *vm = mig->vm;
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    const MigPhaseInfo *here = migrationPhaseInfo(mig->ctx.phase);
    QemuMonitorMigrationStatus st;

    *retEvent = MIG_EVENT_NONE;
    LOG_DEBUG("domain '%s': migration action %s in %s", vm->def->name,
              migrationActionName(action), here->name);
    switch (action) {
    case MIG_ACTION_NONE:
    case MIG_ACTION_BEGIN:
        return 0;

    case MIG_ACTION_START_INCOMING:
        return qemuMigActionStartIncoming(mig);

    case MIG_ACTION_START_TRANSFER:
        return qemuMigActionStartTransfer(mig);

    case MIG_ACTION_CONTINUE:
        return qemuMigRun(vm, qemuMigContinuePreSwitchover);

    case MIG_ACTION_RESUME:
        return qemuMigActionResume(mig);

    case MIG_ACTION_QUERY:
        g_queue_clear(&mig->events);
        if ((st = qemuMigRefresh(mig)) == QEMU_MONITOR_MIGRATION_STATUS_LAST) {
            reportError(VIR_ERR_OPERATION_FAILED,
                        _("cannot ask QEMU of domain '%1$s' for its migration status"),
                        vm->def->name);
            return -1;
        }
        mig->qemuStatus = st;
        if (st == QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE)
            mig->pcSwitched = true;
        *retEvent = qemuMigQueriedEvent(mig, st);
        return 0;

    case MIG_ACTION_KILL:
        if (domainObjIsActive(vm)) {
            qemuProcessKill(vm, 0, true);
            qemuProcessStop(mig->driver, vm, here->reason, here->eventDetail);
        }
        return 0;

    case MIG_ACTION_CLEANUP:
        if (domainObjIsActive(vm)) {
            if (priv->beingDestroyed)
                qemuProcessStop(mig->driver, vm, VIR_DOMAIN_SHUTOFF_DESTROYED,
                                VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
            else
                qemuProcessStop(mig->driver, vm, VIR_DOMAIN_SHUTOFF_CRASHED,
                                VIR_DOMAIN_EVENT_STOPPED_FAILED);
        }
        return 0;

    case MIG_ACTION_CANCEL_RESUME:
        return qemuMigActionCancelResume(mig);

    case MIG_ACTION_PAUSE:
        /*
         * Asynchronous: after a post-copy failure the destination's vCPUs
         * wait for pages that never come, and QEMU completes 'stop' only
         * once they return.  The guest shows the phase's paused state
         * either way and nothing here ever starts it again.
         */
        if (domainObjIsActive(vm) && priv->mon &&
            domainObjGetState(vm, NULL) == VIR_DOMAIN_RUNNING) {
            priv->pausedReason = here->reason != MIG_KEEP ? here->reason :
                                                            VIR_DOMAIN_PAUSED_MIGRATION;
            if (qemuMonitorCommandAsync(priv->mon, qemuMonitorJSONMakeCommand("stop", NULL), 0,
                                        QEMU_MONITOR_TIMEOUT_DEFAULT, qemuMigStopDone,
                                        g_strdup(vm->def->name), g_free, NULL) < 0)
                return -1;
        }
        return 0;

    case MIG_ACTION_LAST:
        break;
    }
    reportError(VIR_ERR_INTERNAL_ERROR, _("unknown migration action %1$d"), action);
    return -1;
}

static const MigHooks qemuMigHooks = {
    .persist = qemuMigPersist,
    .action = qemuMigAction,
    .show = qemuMigShow,
    .getState = qemuMigGetState,
};

/* ---- running QEMU's events through the table (job held) ---- */

static MigEvent
qemuMigPop(QemuMigration *mig)
{
    if (g_queue_is_empty(&mig->events))
        return MIG_EVENT_NONE;
    return GPOINTER_TO_INT(g_queue_pop_head(&mig->events));
}

/* One event through the table. */
static int
qemuMigHandle(QemuMigration *mig, MigEvent ev)
{
    return migrationPhaseHandle(&mig->ctx, ev, NULL, NULL);
}

/* Handle every queued QEMU event (and a vanished QEMU). */
static void
qemuMigDrain(DomainObj *vm)
{
    QemuMigration *mig;
    MigEvent ev;

    while ((mig = qemuDomainPrivate(vm)->mig) &&
           !migrationPhaseIsTerminal(mig->ctx.phase)) {
        if ((ev = qemuMigPop(mig)) != MIG_EVENT_NONE) {
            qemuMigHandle(mig, ev);
            errorReset();
        } else if (mig->gone && domainObjIsActive(vm)) {
            mig->gone = false;
            migrationPhaseHandle(&mig->ctx, MIG_EVENT_QEMU_CRASH, NULL, NULL);
        } else {
            break;
        }
    }
}

/* ---- the TIMEOUT watchdog (docs/migration.md, "Timeouts") ---- */

/*
 * A side that only waits for the peer's next step call (the phases of
 * migrationPhaseTimeout) gets the table's TIMEOUT when the call does not
 * come in time: the client driving a managed-direct migration, or the
 * peer daemon, is gone.  Each migration keeps its deadline; the driver's
 * one MigTimer (src/migration) looks at every domain when the earliest is
 * due and hands a due one to a worker, which feeds TIMEOUT to the table
 * under the domain's job.
 */

/* (Re)start the wait of @mig's phase: @ms from now.  @vm locked. */
static void
qemuMigWatchRestart(QemuMigration *mig, unsigned int ms)
{
    mig->deadline = g_get_monotonic_time() / 1000 + ms;
    mig->timeoutQueued = 0;
    if (!g_atomic_int_get(&mig->driver->closing))
        migrationTimerSchedule(mig->driver->migTimer, mig->deadline);
}

/*
 * Arm the wait of the phase @mig is in, once per phase entered (a phase
 * without a timeout waits for nothing).  Called whenever the migration's
 * job ends, so between two steps the deadline belongs to the phase the
 * last step (or QEMU's event) left.  @vm locked.
 */
static void
qemuMigWatch(QemuMigration *mig)
{
    unsigned int ms;

    if (mig->ctx.phase == mig->watchPhase)
        return;
    mig->watchPhase = mig->ctx.phase;
    if ((ms = migrationPhaseTimeout(mig->ctx.phase)) == 0) {
        mig->deadline = 0;
        mig->timeoutQueued = 0;
        return;
    }
    /* the client is gone already (it closed in the phase before): due now */
    qemuMigWatchRestart(mig, mig->connClosed ? 0 : ms);
}

/* End the job of a migration step (or of a worker, abort, recovery): arm the wait. */
static void
qemuMigJobEnd(DomainObj *vm)
{
    QemuMigration *mig = qemuDomainPrivate(vm)->mig;

    if (mig)
        qemuMigWatch(mig);
    qemuDomainJobEndLocked(vm);
}

/* What QEMU says of its own transfer, as the table's event (NONE: not under way). */
static MigEvent
qemuMigTransferEvent(QemuMonitorMigrationStatus st)
{
    switch (st) {
    case QEMU_MONITOR_MIGRATION_STATUS_ACTIVE:
    case QEMU_MONITOR_MIGRATION_STATUS_DEVICE:
    case QEMU_MONITOR_MIGRATION_STATUS_WAIT_UNPLUG:
        return MIG_EVENT_Q_ACTIVE;
    case QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER:
        return MIG_EVENT_Q_PRESWITCHOVER;
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE:
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER:
        return MIG_EVENT_Q_POSTCOPY;
    default:
        /* setup (an incoming QEMU still waits for the source), over, or unknown */
        return MIG_EVENT_NONE;
    }
}

/*
 * The deadline of @vm's migration may have passed (worker, @vm locked,
 * job held).  What QEMU reported is handled first (the caller drained the
 * queue); a destination whose incoming transfer still runs waits on;
 * otherwise the table gets TIMEOUT and does what its row says (kill the
 * incoming guest, cancel and resume, leave paused ...).  A migration that
 * ends here is forgotten: nobody will call its next step, and a late call
 * fails as for a domain that is not being migrated.
 */
static void
qemuMigTimeoutLocked(DomainObj *vm)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    QemuMigration *mig = priv->mig;
    QemuMonitorMigrationStatus st;
    MigPhase phase;

    if (!mig || mig->deadline == 0 || migrationPhaseIsTerminal(mig->ctx.phase))
        return;
    mig->timeoutQueued = 0;
    if (g_get_monotonic_time() / 1000 < mig->deadline || mig->watchPhase != mig->ctx.phase)
        return;     /* re-armed meanwhile, or a new phase the caller arms */
    phase = mig->ctx.phase;
    if (migrationTimeoutWaitsOn(phase, MIG_EVENT_Q_ACTIVE)) {
        /* a phase that may wait on: ask QEMU whether its transfer runs */
        st = qemuMigRefresh(mig);
        if (priv->mig != mig)
            return;
        /*
         * The client's connection closed: no waiting on (libvirt kills an
         * incoming guest whose Prepare connection closed, transfer or
         * not), but a switch to post-copy QEMU made is handled first.
         */
        if (!mig->connClosed && migrationTimeoutWaitsOn(phase, qemuMigTransferEvent(st))) {
            LOG_DEBUG("domain '%s': incoming migration still runs (%s), waiting on",
                      vm->def->name, qemuMonitorJSONMigrationStatusToString(st));
            qemuMigWatchRestart(mig, migrationPhaseTimeout(phase));
            return;
        }
        /* QEMU's events that came while the lock was dropped */
        qemuMigDrain(vm);
        if (priv->mig != mig || mig->ctx.phase != phase)
            return;
    }
    if (mig->connClosed)
        LOG_WARN("domain '%s': the connection which controls the migration closed in phase %s",
                 vm->def->name, migrationPhaseName(phase));
    else
        LOG_INFO("domain '%s': migration timed out in phase %s (no step call within %u ms)",
                 vm->def->name, migrationPhaseName(phase), migrationPhaseTimeout(phase));
    mig->deadline = 0;
    if (migrationPhaseHandle(&mig->ctx, mig->connClosed ? MIG_EVENT_PEER_ERROR : MIG_EVENT_TIMEOUT,
                             NULL, NULL) < 0)
        LOG_WARN("domain '%s': handling the migration timeout failed: %s, ignoring",
                 vm->def->name, errorGetSlot()->message ? errorGetSlot()->message : "");
    errorReset();
    LOG_INFO("domain '%s': migration now in phase %s", vm->def->name,
             migrationPhaseName(mig->ctx.phase));
    qemuMigForgetIfOver(vm);
}

typedef struct {
    QemuDriver *driver;
    gint64 now;                 /* monotonic ms */
    gint64 next;                /* earliest deadline still to come, 0 none */
} QemuMigWatchScan;

/* One domain (locked, event-loop thread): hand a due migration to a worker. */
static void
qemuMigWatchdogOne(DomainObj *vm, void *opaque)
{
    QemuMigWatchScan *scan = opaque;
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    QemuMigration *mig = priv ? priv->mig : NULL;
    gint64 due;

    if (!mig || mig->deadline == 0 || !domainObjIsActive(vm))
        return;
    due = mig->deadline;
    if (scan->now >= due) {
        /*
         * A job in progress (a step that came late, a worker, any other
         * call) ends first: look again later.  Otherwise a worker takes
         * the job; should it not get it, the work is queued again.
         */
        if (priv->job == QEMU_JOB_NONE &&
            (mig->timeoutQueued == 0 ||
             scan->now - mig->timeoutQueued >= 5 * QEMU_MIG_TIMEOUT_RETRY_MS)) {
            mig->timeoutQueued = scan->now;
            qemuProcessQueueMigrationWork(scan->driver, vm);
        }
        due = scan->now + QEMU_MIG_TIMEOUT_RETRY_MS;
    }
    if (scan->next == 0 || due < scan->next)
        scan->next = due;
}

/* The MigTimer's callback (event-loop thread, no lock held). */
static void
qemuMigWatchdog(void *opaque)
{
    QemuDriver *driver = opaque;
    QemuMigWatchScan scan = { driver, g_get_monotonic_time() / 1000, 0 };

    if (g_atomic_int_get(&driver->closing))
        return;
    domainObjListForEach(driver->domains, qemuMigWatchdogOne, &scan);
    errorReset();
    if (scan.next)
        migrationTimerSchedule(driver->migTimer, scan.next);
}

/* One domain (locked) when @opaque's connection closes. */
static void
qemuMigConnClosedOne(DomainObj *vm, void *opaque)
{
    virConnectPtr conn = opaque;
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    QemuMigration *mig = priv ? priv->mig : NULL;

    if (!mig || mig->conn != conn)
        return;
    mig->conn = NULL;
    if (migrationPhaseIsTerminal(mig->ctx.phase) || migrationPhaseTimeout(mig->ctx.phase) == 0)
        return; /* a step or the transfer runs: its own end decides */
    LOG_DEBUG("domain '%s': the client of its migration closed its connection in phase %s",
              vm->def->name, migrationPhaseName(mig->ctx.phase));
    mig->connClosed = true;
    if (mig->watchPhase == mig->ctx.phase)
        qemuMigWatchRestart(mig, 0);
    /* otherwise the job in progress arms the new phase when it ends (due at once) */
}

/**
 * qemuMigrationConnectClosed:
 * @driver: the instance @conn belongs to
 * @conn: a connection being closed (its last reference went)
 *
 * As libvirt's connection close callbacks: every migration whose last
 * step came on @conn and that now only waits for that client's next step
 * (migrationPhaseTimeout) gets the table's PEER_ERROR at once instead of
 * its TIMEOUT: the watchdog hands it to a worker, which feeds it under the
 * domain's job after QEMU's queued events.  A migration whose last step
 * came on another connection is not touched.
 */
void
qemuMigrationConnectClosed(QemuDriver *driver, virConnectPtr conn)
{
    domainObjListForEach(driver->domains, qemuMigConnClosedOne, conn);
}

/**
 * qemuMigrationWatchdogInit:
 * @driver: a driver instance being created
 *
 * Gives the instance its migration TIMEOUT watchdog (disarmed; the first
 * phase that waits for a peer arms it).  It runs on the process's event
 * loop (util/event.h): without one, migrations never time out (logged).
 */
void
qemuMigrationWatchdogInit(QemuDriver *driver)
{
    driver->migTimer = migrationTimerNew(qemuMigWatchdog, driver);
}

/**
 * qemuMigrationWatchdogFree:
 * @driver: a driver instance being freed (closing set, workers gone)
 *
 * Disarms the watchdog and waits for a callback in progress.
 */
void
qemuMigrationWatchdogFree(QemuDriver *driver)
{
    g_clear_pointer(&driver->migTimer, migrationTimerFree);
}

/**
 * qemuMigrationProcessEventsLocked:
 * @vm: a domain, locked, job held (worker)
 *
 * Runs the QEMU migration events queued while no step was running, then
 * the TIMEOUT of a migration whose wait for the next step is over.
 */
void
qemuMigrationProcessEventsLocked(DomainObj *vm)
{
    QemuMigration *mig;

    qemuMigDrain(vm);
    qemuMigTimeoutLocked(vm);
    if ((mig = qemuDomainPrivate(vm)->mig))
        qemuMigWatch(mig);
}

/**
 * qemuMigrationQemuGoneLocked:
 * @vm: a domain whose QEMU went away, locked, job held (worker)
 *
 * During a migration the table's QEMU_CRASH row decides what is shown.
 *
 * Returns: true when the domain was stopped here.
 */
bool
qemuMigrationQemuGoneLocked(DomainObj *vm)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    QemuMigration *mig = priv->mig;

    if (!mig || migrationPhaseIsTerminal(mig->ctx.phase))
        return false;
    if (priv->beingDestroyed) {
        qemuMigForget(vm);
        return false;
    }
    migrationPhaseHandle(&mig->ctx, MIG_EVENT_QEMU_CRASH, NULL, NULL);
    return !domainObjIsActive(vm);
}

/**
 * qemuMigrationRecoverLocked:
 * @driver: the driver (starting up)
 * @vm: a domain just reconnected, locked
 * @phase: the migration phase its status XML recorded
 * @side: MigSide of it
 * @flags: the migration's flags
 *
 * Applies the table's recovery (the RESTART row of @phase): ask QEMU for
 * query-migrate, then resume / keep paused / kill / finish as the table
 * says, with the lifecycle events it names.
 */
void
qemuMigrationRecoverLocked(QemuDriver *driver, DomainObj *vm, const char *phase, int side,
                           unsigned int flags)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    QemuMigration *mig;
    int p = migrationPhaseFromName(phase);

    if (p < 0 || migrationPhaseInfo(p)->side != (MigSide)side) {
        LOG_WARN("domain '%s': unknown migration phase '%s' in its status, ignoring",
                 vm->def->name, phase);
        return;
    }
    if (qemuDomainJobBeginLocked(vm, QEMU_JOB_MODIFY, "migration recovery") < 0) {
        errorReset();
        return;
    }
    mig = qemuMigNew(driver, vm, side, flags);
    priv->mig = mig;
    priv->migPhase = migrationPhaseName(p);
    priv->migSide = side;
    priv->migFlags = flags;
    /* the migration went through post-copy if that phase was recorded */
    mig->pcSwitched = p == MIG_PHASE_S_POSTCOPY || p == MIG_PHASE_S_DONE_POSTCOPY ||
                      p == MIG_PHASE_S_POSTCOPY_FAILED || p == MIG_PHASE_D_POSTCOPY ||
                      p == MIG_PHASE_D_POSTCOPY_DONE || p == MIG_PHASE_D_POSTCOPY_FAILED;
    mig->wasRunning = true;
    LOG_INFO("domain '%s': recovering migration from phase %s", vm->def->name, phase);
    if (migrationPhaseRecover(&mig->ctx, p) < 0) {
        LOG_WARN("domain '%s': migration recovery failed: %s", vm->def->name,
                 errorGetSlot()->message ? errorGetSlot()->message : "");
        errorReset();
    }
    LOG_INFO("domain '%s': migration now in phase %s", vm->def->name,
             migrationPhaseName(mig->ctx.phase));
    {
        /* The reconnect read QEMU's run state; a phase recovered in place
         * is not entered again: make the guest show the phase's state
         * (a destination killed between recording D_POSTCOPY and starting
         * its CPUs starts them now). */
        const MigPhaseInfo *info = migrationPhaseInfo(mig->ctx.phase);
        int st;
        int rs;

        st = domainObjGetState(vm, &rs);
        if (domainObjIsActive(vm) && info->state == VIR_DOMAIN_RUNNING &&
            (st != info->state || rs != info->reason))
            qemuMigShow(mig, info->state, info->reason, info->eventType, info->eventDetail);
    }
    if (migrationPhaseIsTerminal(mig->ctx.phase) || mig->ctx.phase == MIG_PHASE_S_NONE ||
        mig->ctx.phase == MIG_PHASE_D_NONE)
        qemuMigForget(vm);
    qemuMigJobEnd(vm);
}

/* ---- cookies ---- */

/* Cookie features this driver knows; an unknown mandatory one is refused. */
static const char *const qemuMigCookieFeatures[] = {
    "persistent", "statistics", "graphics", NULL
};

/* The first SPICE display of @def that listens on a port, or NULL. */
static const DomainGraphicsDef *
qemuMigSpice(const DomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ngraphics; i++) {
        const DomainGraphicsDef *g = def->graphics[i];

        if (g->type == DOMAIN_GRAPHICS_TYPE_SPICE && (g->port > 0 || g->tlsPort > 0))
            return g;
    }
    return NULL;
}

/* The statistics of a completed migration, as the source sends them. */
static void
qemuMigCookieFormatStats(GString *buf, const QemuMigrationStats *stats)
{
    const QemuMonitorMigrationInfo *info = stats->info;

    g_string_append(buf, "  <feature name='statistics'/>\n  <statistics>\n");
    g_string_append_printf(buf, "    <time-elapsed>%llu</time-elapsed>\n", stats->elapsed);
    if (info && info->hasDowntime)
        g_string_append_printf(buf, "    <downtime>%llu</downtime>\n",
                               (unsigned long long)info->downtime);
    if (info && info->hasSetupTime)
        g_string_append_printf(buf, "    <setup-time>%llu</setup-time>\n",
                               (unsigned long long)info->setupTime);
    if (info && info->hasRam) {
        const QemuMonitorMigrationStats *ram = &info->ram;

        g_string_append_printf(buf,
                               "    <memory total='%llu' transferred='%llu' remaining='%llu'"
                               " duplicate='%llu' normal='%llu' normal-bytes='%llu'"
                               " dirty-rate='%llu' iterations='%llu' page-size='%llu'"
                               " postcopy-requests='%llu' mbps='%f'/>\n",
                               (unsigned long long)ram->total,
                               (unsigned long long)ram->transferred,
                               (unsigned long long)ram->remaining,
                               (unsigned long long)ram->duplicate,
                               (unsigned long long)ram->normal,
                               (unsigned long long)ram->normalBytes,
                               (unsigned long long)ram->dirtyPagesRate,
                               (unsigned long long)ram->dirtySyncCount,
                               (unsigned long long)ram->pageSize,
                               (unsigned long long)ram->postcopyRequests, ram->mbps);
    }
    g_string_append(buf, "  </statistics>\n");
}

static unsigned long long
qemuMigCookieULL(xmlNodePtr node, const char *name)
{
    g_autofree char *text = xmlUtilProp(node, name);
    uint64_t v = 0;

    if (text && strParseUInt64(text, 10, &v) < 0)
        v = 0;
    return v;
}

static unsigned long long
qemuMigCookieChildULL(xmlNodePtr node, const char *name, bool *found)
{
    g_autofree char *text = xmlUtilChildContent(node, name);
    uint64_t v = 0;

    *found = text && strParseUInt64(text, 10, &v) == 0;
    return v;
}

/* The source's statistics of a cookie (NULL when it has none). */
static QemuMonitorMigrationInfo *
qemuMigCookieParseStats(xmlNodePtr root)
{
    xmlNodePtr node = xmlUtilChild(root, "statistics");
    xmlNodePtr mem;
    QemuMonitorMigrationInfo *info;
    bool found;

    if (!node)
        return NULL;
    info = g_new0(QemuMonitorMigrationInfo, 1);
    info->status = QEMU_MONITOR_MIGRATION_STATUS_COMPLETED;
    info->totalTime = qemuMigCookieChildULL(node, "time-elapsed", &found);
    info->hasTotalTime = found;
    info->downtime = qemuMigCookieChildULL(node, "downtime", &found);
    info->hasDowntime = found;
    info->setupTime = qemuMigCookieChildULL(node, "setup-time", &found);
    info->hasSetupTime = found;
    if ((mem = xmlUtilChild(node, "memory"))) {
        g_autofree char *mbps = xmlUtilProp(mem, "mbps");

        info->hasRam = true;
        info->ram.total = qemuMigCookieULL(mem, "total");
        info->ram.transferred = qemuMigCookieULL(mem, "transferred");
        info->ram.remaining = qemuMigCookieULL(mem, "remaining");
        info->ram.duplicate = qemuMigCookieULL(mem, "duplicate");
        info->ram.normal = qemuMigCookieULL(mem, "normal");
        info->ram.normalBytes = qemuMigCookieULL(mem, "normal-bytes");
        info->ram.dirtyPagesRate = qemuMigCookieULL(mem, "dirty-rate");
        info->ram.dirtySyncCount = qemuMigCookieULL(mem, "iterations");
        info->ram.pageSize = qemuMigCookieULL(mem, "page-size");
        info->ram.postcopyRequests = qemuMigCookieULL(mem, "postcopy-requests");
        if (!mbps || strParseDouble(mbps, &info->ram.mbps) < 0)
            info->ram.mbps = 0;
    }
    return info;
}

/* Where clients of the destination's SPICE display reconnect. */
static void
qemuMigCookieFormatGraphics(GString *buf, const DomainGraphicsDef *g)
{
    const char *listen = g->nListens > 0 ? g->listens[0].address : NULL;
    g_autofree char *esc = listen ? g_markup_escape_text(listen, -1) : NULL;

    g_string_append_printf(buf, "  <feature name='graphics'/>\n"
                                "  <graphics type='spice' port='%d' tlsPort='%d'",
                           g->port > 0 ? g->port : -1, g->tlsPort > 0 ? g->tlsPort : -1);
    if (esc)
        g_string_append_printf(buf, " listen='%s'", esc);
    g_string_append(buf, "/>\n");
}

static char *
qemuMigCookieFormat(QemuDriver *driver, const DomainDef *def, const char *persistXML,
                    const QemuMigrationStats *stats)
{
    g_autoptr(GString) buf = g_string_new("<qemu-migration>\n");
    char uuid[VIR_UUID_STRING_BUFLEN];
    char host[VIR_UUID_STRING_BUFLEN];
    g_autofree char *name = g_markup_escape_text(def->name, -1);
    g_autofree char *hostname = g_markup_escape_text(g_get_host_name(), -1);

    g_string_append_printf(buf, "  <name>%s</name>\n  <uuid>%s</uuid>\n", name,
                           uuidFormat(def->uuid, uuid));
    g_string_append_printf(buf, "  <hostname>%s</hostname>\n  <hostuuid>%s</hostuuid>\n",
                           hostname, uuidFormat(driver->hostUUID, host));
    if (persistXML) {
        g_string_append(buf, "  <feature name='persistent'/>\n  <persistent>\n");
        g_string_append(buf, persistXML);
        g_string_append(buf, "  </persistent>\n");
    }
    if (stats)
        qemuMigCookieFormatStats(buf, stats);
    g_string_append(buf, "</qemu-migration>\n");
    return g_string_free(g_steal_pointer(&buf), FALSE);
}

static void
qemuMigCookieOut(char *cookie, char **cookieout, int *cookieoutlen)
{
    if (cookieout && cookieoutlen) {
        *cookieoutlen = strlen(cookie) + 1;
        *cookieout = cookie;
    } else {
        g_free(cookie);
    }
}

/*
 * Parse a peer's cookie: refuse our own host UUID (same host) and a
 * mandatory feature we do not know; return the persistent definition.
 */
static int
qemuMigCookieParse(QemuDriver *driver, const char *cookie, int cookielen, char **retPersist,
                   QemuMonitorMigrationInfo **retStats)
{
    g_autofree char *text = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *hostuuid = NULL;
    char mine[VIR_UUID_STRING_BUFLEN];
    xmlNodePtr root;
    xmlNodePtr node;

    if (retPersist)
        *retPersist = NULL;
    if (retStats)
        *retStats = NULL;
    if (!cookie || cookielen <= 0)
        return 0;
    text = g_strndup(cookie, cookielen);
    if (!(doc = xmlUtilParse(text, NULL, NULL, "qemu-migration", ERR_DOMAIN)))
        return -1;
    root = xmlDocGetRootElement(doc);
    hostuuid = xmlUtilChildContent(root, "hostuuid");
    uuidFormat(driver->hostUUID, mine);
    if (hostuuid && streq(hostuuid, mine)) {
        reportError(VIR_ERR_INTERNAL_ERROR,
                    _("Attempt to migrate guest to the same host %1$s"), hostuuid);
        return -1;
    }
    for (node = root->children; node; node = node->next) {
        g_autofree char *name = NULL;
        g_autofree char *mandatory = NULL;

        if (node->type != XML_ELEMENT_NODE || !xmlStrEqual(node->name, BAD_CAST "feature"))
            continue;
        name = xmlUtilProp(node, "name");
        mandatory = xmlUtilProp(node, "mandatory");
        if (name && g_strv_contains(qemuMigCookieFeatures, name))
            continue;
        if (mandatory && streq(mandatory, "yes")) {
            reportError(VIR_ERR_INTERNAL_ERROR,
                        _("Unsupported migration cookie feature %1$s"), name ? name : "");
            return -1;
        }
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
    if (retStats)
        *retStats = qemuMigCookieParseStats(root);
    return 0;
}

/*
 * The destination's SPICE display from a Prepare cookie: where clients
 * reconnect.  @graphicsURI (VIR_MIGRATE_PARAM_GRAPHICS_URI,
 * "spice://HOST[:PORT][?tlsPort=N]") overrides it; a wildcard listen
 * address is replaced by @host (the host of the migration URI).
 */
static int
qemuMigCookieParseGraphics(QemuMigration *mig, const char *cookie, int cookielen,
                           const char *graphicsURI, const char *host)
{
    g_autofree char *text = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *listen = NULL;
    xmlNodePtr node;

    mig->gfxPort = mig->gfxTlsPort = -1;
    g_clear_pointer(&mig->gfxHost, g_free);
    if (!cookie || cookielen <= 0)
        return 0;
    text = g_strndup(cookie, cookielen);
    if (!(doc = xmlUtilParse(text, NULL, NULL, "qemu-migration", ERR_DOMAIN)))
        return -1;
    if (!(node = xmlUtilChild(xmlDocGetRootElement(doc), "graphics")))
        return 0;
    if (xmlUtilPropInt(node, "port", 10, -1, &mig->gfxPort) < 0 ||
        xmlUtilPropInt(node, "tlsPort", 10, -1, &mig->gfxTlsPort) < 0)
        return -1;
    listen = xmlUtilProp(node, "listen");
    if (graphicsURI) {
        const char *rest = graphicsURI;
        const char *q;
        const char *colon;
        g_autofree char *hostpart = NULL;
        unsigned int v;

        if (!strPrefix(rest, "spice://")) {
            reportError(VIR_ERR_INVALID_ARG,
                        _("unsupported graphics URI '%1$s' (spice://HOST[:PORT][?tlsPort=N])"),
                        graphicsURI);
            return -1;
        }
        rest += strlen("spice://");
        q = strchr(rest, '?');
        hostpart = q ? g_strndup(rest, q - rest) : g_strdup(rest);
        if ((colon = strrchr(hostpart, ':')) && !strchr(colon, ']')) {
            if (strParseUInt(colon + 1, 10, &v) < 0 || v > 65535) {
                reportError(VIR_ERR_INVALID_ARG, _("bad port in graphics URI '%1$s'"),
                            graphicsURI);
                return -1;
            }
            mig->gfxPort = v;
            hostpart[colon - hostpart] = '\0';
        }
        if (q && strPrefix(q + 1, "tlsPort=") && strParseUInt(q + 9, 10, &v) == 0)
            mig->gfxTlsPort = v;
        mig->gfxHost = g_strdup(hostpart);
    } else if (listen && *listen && !streq(listen, "0.0.0.0") && !streq(listen, "::") &&
               !streq(listen, "[::]")) {
        mig->gfxHost = g_steal_pointer(&listen);
    } else {
        mig->gfxHost = g_strdup(host);
    }
    return 0;
}

/* ---- steps ---- */

#define QEMU_MIGRATION_FLAGS \
    (VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_PERSIST_DEST | \
     VIR_MIGRATE_UNDEFINE_SOURCE | VIR_MIGRATE_PAUSED | VIR_MIGRATE_CHANGE_PROTECTION | \
     VIR_MIGRATE_UNSAFE | VIR_MIGRATE_OFFLINE | VIR_MIGRATE_ABORT_ON_ERROR | \
     VIR_MIGRATE_AUTO_CONVERGE | VIR_MIGRATE_POSTCOPY | VIR_MIGRATE_PARALLEL | \
     VIR_MIGRATE_TUNNELLED | VIR_MIGRATE_COMPRESSED)

/**
 * qemuMigrationSupportsFeature:
 * @conn: a connection
 * @feature: a DrvFeature
 *
 * Returns: 1 when supported, 0 otherwise.
 */
int
qemuMigrationSupportsFeature(virConnectPtr conn, int feature)
{
    switch ((DrvFeature)feature) {
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

/*
 * A step call came on @conn: it is the client of the migration from now
 * on (the close of another connection no longer concerns it), bound when
 * the call arrives, before it waits for the job.  @vm locked.
 */
static void
qemuMigBindConn(DomainObj *vm, virConnectPtr conn)
{
    QemuMigration *mig = qemuDomainPrivate(vm)->mig;

    if (!mig || !conn)
        return;
    mig->conn = conn;
    if (mig->connClosed && mig->watchPhase == mig->ctx.phase &&
        migrationPhaseTimeout(mig->ctx.phase) != 0)
        qemuMigWatchRestart(mig, migrationPhaseTimeout(mig->ctx.phase));
    mig->connClosed = false;
}

/*
 * Whether @path (or, when it does not exist, its nearest existing parent)
 * is on a file system libvirt 9.0 counts as shared between hosts (NFS,
 * GFS2, OCFS2, AFS, SMB/CIFS, CephFS, GPFS, Quobyte, ACFS, BeeGFS).
 * GlusterFS over FUSE is not recognised (libvirt checks the FUSE subtype).
 *
 * Returns: 1 shared, 0 local, -1 with the error.
 */
static int
qemuMigIsSharedFS(const char *path)
{
    static const unsigned long sharedMagic[] = {
        0x6969,         /* NFS */
        0x01161970,     /* GFS2 */
        0x7461636f,     /* OCFS2 */
        0x5346414F,     /* AFS */
        0x517B,         /* SMB */
        0xFF534D42,     /* CIFS */
        0xFE534D42,     /* SMB2 */
        0x00c36400,     /* CephFS */
        0x47504653,     /* GPFS */
        0x51425346,     /* Quobyte */
        0x61636673,     /* ACFS */
        0x19830326,     /* BeeGFS */
    };
    g_autofree char *dir = g_strdup(path);
    struct statfs sb;
    size_t i;

    while (statfs(dir, &sb) < 0) {
        char *slash;

        if (errno != ENOENT || !(slash = strrchr(dir, '/')) || slash == dir) {
            reportSystemError(errno, _("cannot determine the file system of '%1$s'"), path);
            return -1;
        }
        *slash = '\0';
    }
    for (i = 0; i < G_N_ELEMENTS(sharedMagic); i++) {
        if ((unsigned long)(unsigned int)sb.f_type == sharedMagic[i])
            return 1;
    }
    return 0;
}

/*
 * libvirt 9.0's safety rule for a migration without VIR_MIGRATE_UNSAFE
 * (storage is never copied here: NON_SHARED_* are not supported).  Disks
 * without a source and read-only ones (CD-ROMs are) are safe; a file disk
 * that is not on a shared file system is not.  Block and other disks are:
 * libvirt refuses cache modes other than none/directsync only for QEMU
 * without file-posix 'drop-cache' (older than 4.0), and every QEMU we run
 * (6.2+) has it.
 *
 * Returns: 0, or -1 with VIR_ERR_MIGRATE_UNSAFE.
 */
static int
qemuMigCheckSafe(const DomainDef *def)
{
    size_t i;
    int rc;

    for (i = 0; i < def->ndisks; i++) {
        const DomainDiskDef *disk = def->disks[i];

        if (!disk->src || !*disk->src || disk->readonly ||
            disk->device == DOMAIN_DISK_DEVICE_CDROM)
            continue;
        if (disk->type != DOMAIN_DISK_TYPE_FILE)
            continue;
        if ((rc = qemuMigIsSharedFS(disk->src)) < 0)
            return -1;
        if (rc == 0) {
            reportError(VIR_ERR_MIGRATE_UNSAFE, "%s",
                        _("Migration without shared storage is unsafe"));
            return -1;
        }
    }
    return 0;
}

/* The job of a step called on @conn (NULL: not a step, e.g. an abort). */
static int
qemuMigJobBegin(DomainObj *vm, virConnectPtr conn, const char *api)
{
    qemuMigBindConn(vm, conn);
    return qemuDomainJobBeginLocked(vm, QEMU_JOB_MODIFY, api);
}

char *
qemuMigrationBegin3Params(virDomainPtr dom, virTypedParameterPtr params, int nparams,
                          char **cookieout, int *cookieoutlen, unsigned int flags)
{
    QemuDriver *driver = dom->conn->privateData;
    const char *xmlin = NULL;
    const char *persistIn = NULL;
    g_autofree char *persist = NULL;
    QemuDomainPrivate *priv;
    QemuMigration *mig;
    DomainObj *vm;
    char *xml = NULL;
    int reason = -1;

    checkFlags(flags, QEMU_MIGRATION_FLAGS, NULL);
    if (migrateParamsValidate(params, nparams) < 0)
        return NULL;
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_XML, &xmlin) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_PERSIST_XML, &persistIn) < 0)
        return NULL;
    if (!(vm = qemuDriverDomObjFromDomain(dom)))
        return NULL;
    priv = qemuDomainPrivate(vm);

    if (flags & VIR_MIGRATE_OFFLINE) {
        if (domainObjIsActive(vm)) {
            reportError(VIR_ERR_OPERATION_INVALID, "%s",
                        _("domain is active: offline migration needs an inactive domain"));
        } else if (!vm->persistent) {
            reportError(VIR_ERR_OPERATION_INVALID, "%s",
                        _("cannot migrate a transient domain offline"));
        } else if ((xml = domainDefFormat(vm->def, DOMAIN_DEF_FORMAT_INACTIVE |
                                                   DOMAIN_DEF_FORMAT_SECURE))) {
            qemuMigCookieOut(qemuMigCookieFormat(driver, vm->def, persistIn ? persistIn : xml, NULL),
                             cookieout, cookieoutlen);
        }
        goto cleanup;
    }
    if (domainObjCheckActive(vm) < 0)
        goto cleanup;
    if (priv->mig && !migrationPhaseIsTerminal(priv->mig->ctx.phase)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("another migration job is already running for domain"));
        goto cleanup;
    }
    if (qemuMigJobBegin(vm, dom->conn, "virDomainMigrateBegin3Params") < 0)
        goto cleanup;
    if (domainObjCheckActive(vm) < 0 ||
        (priv->mig && !migrationPhaseIsTerminal(priv->mig->ctx.phase))) {
        if (!errorIsSet())
            reportError(VIR_ERR_OPERATION_INVALID, "%s",
                        _("another migration job is already running for domain"));
        goto endjob;
    }
    g_clear_pointer(&priv->mig, qemuMigFree);
    /* libvirt 9.0 (before its safety check): ABORT_ON_ERROR and a guest
     * already paused on a disk I/O error */
    if ((flags & VIR_MIGRATE_ABORT_ON_ERROR) &&
        domainObjGetState(vm, &reason) == VIR_DOMAIN_PAUSED &&
        reason == VIR_DOMAIN_PAUSED_IOERROR) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("cannot migrate domain with I/O error"));
        goto endjob;
    }
    if (!(flags & VIR_MIGRATE_UNSAFE) && qemuMigCheckSafe(vm->def) < 0)
        goto endjob;

    if (xmlin) {
        /* the caller's destination XML must describe the same guest ABI */
        g_autoptr(DomainDef) def = domainDefParseString(xmlin, DOMAIN_DEF_PARSE_INACTIVE);

        if (!def || domainDefCheckABIStability(vm->def, def) < 0)
            goto endjob;
        xml = g_strdup(xmlin);
    } else if (!(xml = domainDefFormat(vm->def, DOMAIN_DEF_FORMAT_SECURE))) {
        goto endjob;
    }
    if ((flags & VIR_MIGRATE_PERSIST_DEST) && persistIn &&
        domainDefCheckPersistXML(vm->def, persistIn) < 0) {
        g_clear_pointer(&xml, g_free);
        goto endjob;
    }
    if (flags & VIR_MIGRATE_PERSIST_DEST)
        persist = persistIn ? g_strdup(persistIn) :
                  domainDefFormat(domainObjGetPersistentDef(vm),
                                  DOMAIN_DEF_FORMAT_INACTIVE | DOMAIN_DEF_FORMAT_SECURE);

    mig = qemuMigNew(driver, vm, MIG_SIDE_SOURCE, flags);
    priv->mig = mig;
    qemuMigBindConn(vm, dom->conn);
    if (migrationPhaseHandle(&mig->ctx, MIG_EVENT_BEGIN, NULL, NULL) <= 0 ||
        migrationPhaseInfo(mig->ctx.phase)->step != MIG_STEP_BEGIN) {
        if (!errorIsSet())
            reportError(VIR_ERR_OPERATION_FAILED, "%s", _("migration could not begin"));
        qemuMigForget(vm);
        g_clear_pointer(&xml, g_free);
        goto endjob;
    }
    qemuMigCookieOut(qemuMigCookieFormat(driver, vm->def, persist, NULL), cookieout, cookieoutlen);

 endjob:
    qemuMigJobEnd(vm);
 cleanup:
    domainObjEndAPI(&vm);
    return xml;
}

/* A TCP port QEMU can listen on at @addr (probed by binding it). */
static int
qemuMigFreePort(const char *addr)
{
    struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_PASSIVE,
                              .ai_socktype = SOCK_STREAM };
    struct addrinfo *res = NULL;
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int port = -1;
    int fd;
    int rc;

    if ((rc = getaddrinfo(addr, "0", &hints, &res)) != 0) {
        reportError(VIR_ERR_INVALID_ARG, _("invalid listen address '%1$s': %2$s"), addr,
                    gai_strerror(rc));
        return -1;
    }
    if ((fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) < 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
        reportSystemError(errno, _("cannot find a free port on '%1$s'"), addr);
    } else if (ss.ss_family == AF_INET6) {
        port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    } else {
        port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    if (fd >= 0)
        close(fd);
    freeaddrinfo(res);
    return port;
}

/*
 * Split a migration URI "tcp://HOST[:PORT]" or "tcp:HOST[:PORT]" (HOST may
 * be [IPv6]); port 0 when absent.
 */
static int
qemuMigParseURI(const char *uri, char **host, int *port)
{
    const char *rest;
    const char *colon;
    unsigned int p = 0;

    *host = NULL;
    *port = 0;
    if (strPrefix(uri, "tcp://"))
        rest = uri + 6;
    else if (strPrefix(uri, "tcp:"))
        rest = uri + 4;
    else
        goto bad;
    if (*rest == '[') {
        const char *end = strchr(rest, ']');

        if (!end)
            goto bad;
        *host = g_strndup(rest + 1, end - rest - 1);
        colon = end[1] == ':' ? end + 1 : NULL;
        if (end[1] && !colon)
            goto bad;
    } else {
        colon = strrchr(rest, ':');
        *host = colon ? g_strndup(rest, colon - rest) : g_strdup(rest);
    }
    if (colon && (strParseUInt(colon + 1, 10, &p) < 0 || p > 65535))
        goto bad;
    if (strchr(*host, '/'))
        goto bad;
    *port = p;
    return 0;

 bad:
    g_clear_pointer(host, g_free);
    reportError(VIR_ERR_INVALID_ARG,
                _("unsupported migration URI '%1$s' (the QEMU driver takes tcp://HOST[:PORT])"),
                uri);
    return -1;
}

static char *
qemuMigHostPort(const char *host, int port)
{
    if (strchr(host, ':'))
        return g_strdup_printf("[%s]:%d", host, port);
    return g_strdup_printf("%s:%d", host, port);
}

/*
 * Tunnelled migration.  Neither QEMU talks to the network: the source's
 * QEMU migrates to a unix socket of ours ("unix:PATH" under the state
 * directory), a pump thread copies what it sends into the migration
 * stream (DOMAIN_MIGRATE_PREPARE_TUNNEL3_PARAMS); the destination's QEMU
 * listens on a unix socket of its own (migrate-incoming "unix:PATH") and
 * the stream is bound to our connection to it, so the daemon's stream
 * layer writes the data into QEMU (with its flow control).
 */
static char *
qemuMigTunnelPath(QemuDriver *driver, DomainObj *vm, const char *what)
{
    g_autofree char *name = g_strdup_printf("%s.%s", vm->def->name, what);

    return g_build_filename(driver->config->stateDir, name, NULL);
}

static int
qemuMigTunnelSockaddr(const char *path, struct sockaddr_un *addr)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr->sun_path)) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("tunnel socket path '%1$s' is too long"), path);
        return -1;
    }
    g_strlcpy(addr->sun_path, path, sizeof(addr->sun_path));
    return 0;
}

/*
 * Room for several stream packets in our socket to the incoming QEMU:
 * with the default (about 200 KiB, less than one 256 KiB packet) nearly
 * every packet is written in two parts with a wait for room between,
 * each wait a re-arm of the event loop's watch and a wake-up.  A unix
 * socket reports room again when three quarters of its buffer are
 * free, so a large buffer also means fewer waits.  A privileged daemon
 * may exceed net.core.wmem_max (SO_SNDBUFFORCE); otherwise the kernel
 * caps the size, which is harmless.
 */
#define QEMU_MIG_TUNNEL_SNDBUF (4 * 1024 * 1024)

static void
qemuMigTunnelGrowSendBuffer(int fd)
{
    int size = QEMU_MIG_TUNNEL_SNDBUF;

    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0 &&
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) < 0)
        LOG_DEBUG("cannot grow the tunnel's send buffer: %s", g_strerror(errno));
}

/* Destination: our connection to the incoming QEMU's socket, bound to @st. */
static int
qemuMigTunnelConnect(virStreamPtr st, const char *path)
{
    struct sockaddr_un addr;
    int fd;

    if (qemuMigTunnelSockaddr(path, &addr) < 0)
        return -1;
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        reportSystemError(errno, "%s", _("cannot create a unix socket"));
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        reportSystemError(errno, _("cannot connect to QEMU's incoming migration socket '%1$s'"),
                          path);
        close(fd);
        return -1;
    }
    qemuMigTunnelGrowSendBuffer(fd);
    if (fdStreamOpen(st, fd, NULL, NULL) < 0) {
        close(fd);
        return -1;
    }
    return 0;
}

static int qemuMigrationPrepareAny(virConnectPtr dconn, virStreamPtr st,
                                   virTypedParameterPtr params, int nparams,
                                   const char *cookiein, int cookieinlen, char **cookieout,
                                   int *cookieoutlen, char **uriOut, unsigned int flags);

int
qemuMigrationPrepare3Params(virConnectPtr dconn, virTypedParameterPtr params, int nparams,
                            const char *cookiein, int cookieinlen, char **cookieout,
                            int *cookieoutlen, char **uriOut, unsigned int flags)
{
    if (flags & VIR_MIGRATE_TUNNELLED) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("tunnelled migration needs the tunnelled prepare step"));
        return -1;
    }
    return qemuMigrationPrepareAny(dconn, NULL, params, nparams, cookiein, cookieinlen,
                                   cookieout, cookieoutlen, uriOut, flags);
}

/**
 * qemuMigrationPrepareTunnel3Params:
 *
 * Prepare of a tunnelled migration: the incoming data arrives on @st.
 *
 * Returns: 0 or -1 with the error.
 */
int
qemuMigrationPrepareTunnel3Params(virConnectPtr dconn, virStreamPtr st,
                                  virTypedParameterPtr params, int nparams,
                                  const char *cookiein, int cookieinlen, char **cookieout,
                                  int *cookieoutlen, unsigned int flags)
{
    if (!(flags & VIR_MIGRATE_TUNNELLED) || (flags & VIR_MIGRATE_OFFLINE)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("the tunnelled prepare step needs a live VIR_MIGRATE_TUNNELLED migration"));
        return -1;
    }
    if (flags & VIR_MIGRATE_PARALLEL) {
        reportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                    _("parallel migration cannot be tunnelled"));
        return -1;
    }
    return qemuMigrationPrepareAny(dconn, st, params, nparams, cookiein, cookieinlen,
                                   cookieout, cookieoutlen, NULL, flags);
}

static int
qemuMigrationPrepareAny(virConnectPtr dconn, virStreamPtr st,
                        virTypedParameterPtr params, int nparams,
                        const char *cookiein, int cookieinlen, char **cookieout,
                        int *cookieoutlen, char **uriOut, unsigned int flags)
{
    QemuDriver *driver = dconn->privateData;
    g_autofree char *tunnelPath = NULL;
    const char *xml = NULL;
    const char *dname = NULL;
    const char *uriIn = NULL;
    const char *listen = NULL;
    int parallel = 0;
    g_autofree char *persist = NULL;
    g_autofree char *host = NULL;
    g_autofree char *listenHP = NULL;
    g_autofree char *hostHP = NULL;
    g_autoptr(DomainDef) def = NULL;
    QemuDomainPrivate *priv;
    QemuMigration *mig = NULL;
    DomainObj *vm = NULL;
    QemuMigCompression comp;
    bool pcBandwidthSet = false;
    unsigned long long pcBandwidth = 0;
    int port = 0;

    checkFlags(flags, QEMU_MIGRATION_FLAGS, -1);
    if (migrateParamsValidate(params, nparams) < 0)
        return -1;
    if (qemuMigPostcopyBandwidthParse(params, nparams, &pcBandwidthSet, &pcBandwidth) < 0)
        return -1;
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_XML, &xml) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_NAME, &dname) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_URI, &uriIn) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_LISTEN_ADDRESS, &listen) < 0 ||
        virTypedParamsGetInt(params, nparams, VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS,
                             &parallel) < 0)
        return -1;
    if (!xml) {
        reportError(VIR_ERR_INVALID_ARG, "%s", _("no domain XML passed to the migration"));
        return -1;
    }
    if (qemuMigCompressionParse(params, nparams, flags, &comp) < 0)
        return -1;
    if (qemuMigCookieParse(driver, cookiein, cookieinlen, &persist, NULL) < 0)
        return -1;
    if (!(def = domainDefParseString(xml, DOMAIN_DEF_PARSE_INACTIVE)))
        return -1;
    if (qemuDriverPrepareDef(driver, def) < 0)
        return -1;
    if (dname) {
        g_free(def->name);
        def->name = g_strdup(dname);
    }
    if (flags & VIR_MIGRATE_OFFLINE) {
        /* the definition only: Finish defines it */
        qemuMigCookieOut(qemuMigCookieFormat(driver, def, NULL, NULL), cookieout, cookieoutlen);
        return 0;
    }

    if (!st) {
        if (uriIn && qemuMigParseURI(uriIn, &host, &port) < 0)
            return -1;
        if (!listen)
            listen = "0.0.0.0";
        if (port == 0 && (port = qemuMigFreePort(listen)) < 0)
            return -1;
        if (!host || !*host) {
            g_free(host);
            host = g_strdup(g_get_host_name());
        }
        listenHP = qemuMigHostPort(listen, port);
        hostHP = qemuMigHostPort(host, port);
    }

    def->id = -1;
    if (!(vm = domainObjListAdd(driver->domains, &def,
                                DOMAIN_OBJ_LIST_ADD_LIVE | DOMAIN_OBJ_LIST_ADD_CHECK_LIVE, NULL)))
        return -1;
    priv = qemuDriverPrivateOf(driver, vm);
    if (qemuMigJobBegin(vm, dconn, "virDomainMigratePrepare3Params") < 0)
        goto cleanup;
    if (domainObjIsActive(vm)) {
        reportError(VIR_ERR_OPERATION_INVALID, _("domain '%1$s' is already active"),
                    vm->def->name);
        goto endjob;
    }
    g_clear_pointer(&priv->mig, qemuMigFree);
    mig = qemuMigNew(driver, vm, MIG_SIDE_DEST, flags);
    if (st) {
        tunnelPath = qemuMigTunnelPath(driver, vm, "tunnel-in");
        if (unlink(tunnelPath) < 0 && errno != ENOENT) {
            reportSystemError(errno, _("cannot remove '%1$s'"), tunnelPath);
            qemuMigFree(mig);
            goto endjob;
        }
        mig->uri = g_strdup_printf("unix:%s", tunnelPath);
    } else {
        mig->uri = g_strdup_printf("tcp:%s", listenHP);
    }
    mig->parallel = parallel;
    mig->comp = comp;
    mig->pcBandwidthSet = pcBandwidthSet;
    mig->pcBandwidth = pcBandwidth;
    mig->persistXML = (flags & VIR_MIGRATE_PERSIST_DEST) ? g_steal_pointer(&persist) : NULL;
    priv->mig = mig;
    qemuMigBindConn(vm, dconn);
    if (migrationPhaseHandle(&mig->ctx, MIG_EVENT_PREPARE, NULL, NULL) <= 0 ||
        migrationPhaseInfo(mig->ctx.phase)->step != MIG_STEP_PREPARE) {
        if (!errorIsSet())
            reportError(VIR_ERR_OPERATION_FAILED, "%s", _("migration could not be prepared"));
        goto endjob;
    }
    if (st) {
        /* QEMU listens now: the stream's data goes to it */
        int rc = qemuMigTunnelConnect(st, tunnelPath);

        unlink(tunnelPath);
        if (rc < 0) {
            g_autoptr(SavedError) saved = errorSave();

            migrationPhaseHandle(&mig->ctx, MIG_EVENT_FINISH_CANCELLED, NULL, NULL);
            goto endjob;
        }
    }
    {
        g_autofree char *cookie = qemuMigCookieFormat(driver, vm->def, NULL, NULL);
        const DomainGraphicsDef *spice = qemuMigSpice(vm->def);

        if (spice) {
            g_autoptr(GString) buf = g_string_new(cookie);
            char *end = strstr(buf->str, "</qemu-migration>");

            g_string_truncate(buf, end - buf->str);
            qemuMigCookieFormatGraphics(buf, spice);
            g_string_append(buf, "</qemu-migration>\n");
            g_free(cookie);
            cookie = g_string_free(g_steal_pointer(&buf), FALSE);
        }
        qemuMigCookieOut(g_steal_pointer(&cookie), cookieout, cookieoutlen);
    }
    if (uriOut)
        *uriOut = g_strdup_printf("tcp://%s", hostHP);
    qemuMigJobEnd(vm);
    domainObjEndAPI(&vm);
    return 0;

 endjob:
    {
        g_autoptr(SavedError) saved = errorSave();

        if (domainObjIsActive(vm))
            qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_FAILED, VIR_DOMAIN_EVENT_STOPPED_FAILED);
        g_clear_pointer(&priv->mig, qemuMigFree);
        priv->migPhase = NULL;
        qemuMigJobEnd(vm);
    }
 cleanup:
    if (!vm->persistent && !domainObjIsActive(vm) && !vm->removed)
        domainObjListRemove(driver->domains, vm);
    domainObjEndAPI(&vm);
    return -1;
}

/* The error a failed Perform reports when no action reported one. */
static void
qemuMigPerformError(QemuMigration *mig)
{
    if (mig->ioError) {
        /* libvirt 9.0's message for VIR_MIGRATE_ABORT_ON_ERROR */
        errorReset();
        reportError(VIR_ERR_OPERATION_FAILED, "%s",
                    _("job 'migration out' failed due to I/O error"));
        return;
    }
    if (mig->aborted) {
        errorReset();
        reportError(VIR_ERR_OPERATION_ABORTED, "%s",
                    _("job 'migration out' canceled by client"));
        return;
    }
    if (errorIsSet())
        return;
    if (mig->stats && mig->stats->errorDesc)
        reportError(VIR_ERR_OPERATION_FAILED, _("job 'migration out' failed: %1$s"),
                    mig->stats->errorDesc);
    else if (mig->ctx.phase == MIG_PHASE_S_CANCELLED || mig->ctx.phase == MIG_PHASE_S_POSTCOPY_FAILED)
        reportError(VIR_ERR_OPERATION_FAILED,
                    _("job 'migration out' unexpectedly failed (%1$s)"),
                    migrationPhaseName(mig->ctx.phase));
    else
        reportError(VIR_ERR_OPERATION_FAILED, _("migration failed in phase %1$s"),
                    migrationPhaseName(mig->ctx.phase));
}

static void
qemuMigSaveCompleted(DomainObj *vm, int operation, QemuMonitorMigrationInfo *info,
                     gint64 startMs)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    QemuMigrationStats *stats = g_new0(QemuMigrationStats, 1);

    stats->operation = operation;
    stats->elapsed = g_get_real_time() / 1000 - startMs;
    stats->info = info;
    qemuMigStatsFree(priv->jobCompleted);
    priv->jobCompleted = stats;
}

/**
 * qemuMigrationSetFileCompletedLocked:
 * @vm: the domain, locked
 * @operation: VIR_DOMAIN_JOB_OPERATION_SAVE or _DUMP
 * @startMs: the job's start (real time, ms)
 * @info: QEMU's last query-migrate of the stream (ownership taken), or NULL
 *
 * Keeps the statistics of a save or dump whose stream QEMU completed as
 * those of the last completed job (as libvirt, whatever the job was).
 */
void
qemuMigrationSetFileCompletedLocked(DomainObj *vm, int operation, gint64 startMs,
                                    QemuMonitorMigrationInfo *info)
{
    qemuMigSaveCompleted(vm, operation, info, startMs);
}

/**
 * qemuMigrationSetDumpCompletedLocked:
 * @vm: the domain, locked
 * @startMs: the dump's start (real time, ms)
 * @total: QEMU's figures at the end (bytes)
 * @completed: (bytes)
 *
 * The same for a memory-only dump: libvirt shows its memory figures only.
 */
void
qemuMigrationSetDumpCompletedLocked(DomainObj *vm, gint64 startMs, uint64_t total,
                                    uint64_t completed)
{
    QemuMigrationStats *stats;

    qemuMigSaveCompleted(vm, VIR_DOMAIN_JOB_OPERATION_DUMP, NULL, startMs);
    stats = qemuDomainPrivate(vm)->jobCompleted;
    stats->memoryDump = true;
    stats->dumpTotal = total;
    stats->dumpCompleted = completed;
}

static int qemuMigrationP2P(virDomainPtr dom, const char *dconnuri,
                            virTypedParameterPtr params, int nparams, unsigned int flags);

static int qemuMigrationPerformAny(virDomainPtr dom, const char *dconnuri,
                                   virTypedParameterPtr params, int nparams,
                                   const char *cookiein, int cookieinlen, char **cookieout,
                                   int *cookieoutlen, unsigned int flags,
                                   QemuMigTunnel *tunnel);

int
qemuMigrationPerform3Params(virDomainPtr dom, const char *dconnuri,
                            virTypedParameterPtr params, int nparams,
                            const char *cookiein, int cookieinlen, char **cookieout,
                            int *cookieoutlen, unsigned int flags)
{
    if ((flags & VIR_MIGRATE_TUNNELLED) && !(flags & VIR_MIGRATE_PEER2PEER)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("cannot perform tunnelled migration without using peer2peer flag"));
        return -1;
    }
    return qemuMigrationPerformAny(dom, dconnuri, params, nparams, cookiein, cookieinlen,
                                   cookieout, cookieoutlen, flags, NULL);
}

/* @tunnel: the pump of a tunnelled migration (QEMU's target is its URI), else NULL. */
static int
qemuMigrationPerformAny(virDomainPtr dom, const char *dconnuri,
                        virTypedParameterPtr params, int nparams,
                        const char *cookiein, int cookieinlen, char **cookieout,
                        int *cookieoutlen, unsigned int flags, QemuMigTunnel *tunnel)
{
    QemuDriver *driver = dom->conn->privateData;
    const char *tunnelURI = qemuMigTunnelURI(tunnel);
    const char *uri = NULL;
    const char *graphicsURI = NULL;
    unsigned long long bandwidth = 0;
    int parallel = 0;
    int acInitial = -1;
    int acIncrement = -1;
    g_autofree char *host = NULL;
    g_autofree char *hostHP = NULL;
    QemuDomainPrivate *priv;
    QemuMigration *mig;
    DomainObj *vm;
    gint64 nextRefresh = 0;
    QemuMigCompression comp;
    bool pcBandwidthSet = false;
    unsigned long long pcBandwidth = 0;
    int port = 0;
    int reason = -1;
    int ret = -1;

    checkFlags(flags, QEMU_MIGRATION_FLAGS, -1);
    if (migrateParamsValidate(params, nparams) < 0)
        return -1;
    if (flags & VIR_MIGRATE_PEER2PEER)
        return qemuMigrationP2P(dom, dconnuri, params, nparams, flags);
    if (qemuMigPostcopyBandwidthParse(params, nparams, &pcBandwidthSet, &pcBandwidth) < 0)
        return -1;
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_URI, &uri) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_GRAPHICS_URI,
                                &graphicsURI) < 0 ||
        virTypedParamsGetULLong(params, nparams, VIR_MIGRATE_PARAM_BANDWIDTH, &bandwidth) < 0 ||
        virTypedParamsGetInt(params, nparams, VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS,
                             &parallel) < 0 ||
        virTypedParamsGetInt(params, nparams, VIR_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL,
                             &acInitial) < 0 ||
        virTypedParamsGetInt(params, nparams, VIR_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT,
                             &acIncrement) < 0)
        return -1;
    if ((acInitial != -1 || acIncrement != -1) && !(flags & VIR_MIGRATE_AUTO_CONVERGE)) {
        reportError(VIR_ERR_INVALID_ARG, "%s",
                    _("Turn auto convergence on to tune it"));
        return -1;
    }
    if (acInitial < -1 || acInitial > 100 || acIncrement < -1 || acIncrement > 100) {
        reportError(VIR_ERR_INVALID_ARG, "%s",
                    _("auto_converge.initial and auto_converge.increment must be 0..100"));
        return -1;
    }
    if (qemuMigCompressionParse(params, nparams, flags, &comp) < 0)
        return -1;
    if (!(vm = qemuDriverDomObjFromDomain(dom)))
        return -1;
    priv = qemuDomainPrivate(vm);
    if (flags & VIR_MIGRATE_OFFLINE) {
        ret = 0;
        goto cleanup;
    }
    if (qemuMigCookieParse(driver, cookiein, cookieinlen, NULL, NULL) < 0)
        goto cleanup;
    if (!uri && !tunnelURI) {
        reportError(VIR_ERR_INVALID_ARG, "%s", _("no migration URI for QEMU's transfer"));
        goto cleanup;
    }
    if (!tunnelURI && qemuMigParseURI(uri, &host, &port) < 0)
        goto cleanup;
    if (!tunnelURI && port == 0) {
        reportError(VIR_ERR_INVALID_ARG, _("migration URI '%1$s' has no port"), uri);
        goto cleanup;
    }
    if (bandwidth > QEMU_DOMAIN_MIG_BANDWIDTH_MAX) {
        reportError(VIR_ERR_OVERFLOW, _("bandwidth must be less than %1$llu"),
                    (unsigned long long)QEMU_DOMAIN_MIG_BANDWIDTH_MAX + 1);
        goto cleanup;
    }
    if (!tunnelURI)
        hostHP = qemuMigHostPort(host, port);
    if (qemuMigJobBegin(vm, dom->conn, "virDomainMigratePerform3Params") < 0)
        goto cleanup;
    if (!(mig = priv->mig) || mig->ctx.side != MIG_SIDE_SOURCE) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not being migrated"));
        goto endjob;
    }
    if (qemuMigCookieParseGraphics(mig, cookiein, cookieinlen, graphicsURI, host) < 0)
        goto endjob;
    g_free(mig->uri);
    mig->uri = tunnelURI ? g_strdup(tunnelURI) : g_strdup_printf("tcp:%s", hostHP);
    mig->tunnel = tunnel;
    mig->parallel = parallel;
    mig->comp = comp;
    mig->acInitial = acInitial;
    mig->acIncrement = acIncrement;
    mig->pcBandwidthSet = pcBandwidthSet;
    mig->pcBandwidth = pcBandwidth;
    if (bandwidth) {
        mig->bandwidth = bandwidth;
        priv->migBandwidth = bandwidth;
    }

    if (migrationPhaseHandle(&mig->ctx, MIG_EVENT_PERFORM, NULL, NULL) <= 0) {
        qemuMigPerformError(mig);
        goto endjob;
    }
    /*
     * ABORT_ON_ERROR and a guest already paused on a disk I/O error: no STOP
     * event will come, yet libvirt 9.0 fails such a migration as well (it
     * checks the paused reason while it waits).  The loop asks QEMU first.
     */
    if ((mig->flags & VIR_MIGRATE_ABORT_ON_ERROR) &&
        domainObjGetState(vm, &reason) == VIR_DOMAIN_PAUSED &&
        reason == VIR_DOMAIN_PAUSED_IOERROR)
        mig->stopped = true;
    /* Until the transfer is over either way: QEMU's events through the table. */
    while ((mig = priv->mig) && !migrationPhaseIsTerminal(mig->ctx.phase) &&
           migrationPhaseInfo(mig->ctx.phase)->step != MIG_STEP_PERFORM) {
        MigEvent ev = qemuMigPop(mig);
        gint64 now = g_get_monotonic_time();

        if (ev != MIG_EVENT_NONE) {
            if (qemuMigHandle(mig, ev) < 0)
                break;
            continue;
        }
        if (mig->abortRequested && mig->ctx.phase == MIG_PHASE_S_SWITCHOVER) {
            /*
             * Abort during the switch-over: QEMU's status first, so that a
             * switch to post-copy (never aborted) or a completed transfer
             * is handled before the table sees ABORT.
             */
            QemuMonitorMigrationStatus st = qemuMigRefresh(mig);
            MigEvent sev;

            if (priv->mig != mig)
                continue;
            if (st == QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE)
                mig->pcSwitched = true;
            sev = st == QEMU_MONITOR_MIGRATION_STATUS_LAST ? MIG_EVENT_NONE :
                                                             qemuMigLiveEvent(mig, st);
            if (sev != MIG_EVENT_NONE && migrationTransitionFind(mig->ctx.phase, sev)) {
                qemuMigPush(mig, sev);
                continue;
            }
        }
        if (mig->stopped && (mig->flags & VIR_MIGRATE_ABORT_ON_ERROR) &&
            migrationTransitionFind(mig->ctx.phase, MIG_EVENT_ABORT)) {
            mig->stopped = false;
            if (qemuMigPausedOnIOError(mig) && priv->mig == mig) {
                /* the table's abort: cancel, the guest stays paused */
                mig->ioError = true;
                if (migrationPhaseHandle(&mig->ctx, MIG_EVENT_ABORT, NULL, NULL) == 0)
                    mig->ioError = false;
            }
            continue;
        }
        if (mig->abortRequested) {
            mig->abortRequested = false;
            mig->aborted = true;
            if (migrationPhaseHandle(&mig->ctx, MIG_EVENT_ABORT, NULL, NULL) == 0)
                mig->aborted = false;       /* not in this phase (refused) */
            continue;
        }
        if (mig->gone || !domainObjIsActive(vm)) {
            mig->gone = false;
            if (migrationPhaseHandle(&mig->ctx, MIG_EVENT_QEMU_CRASH, NULL, NULL) == 0)
                break;      /* no row: cannot happen in a transfer phase */
            continue;
        }
        if (now >= nextRefresh) {
            QemuMonitorMigrationStatus st = qemuMigRefresh(mig);

            nextRefresh = g_get_monotonic_time() + QEMU_MIG_REFRESH_MS * 1000;
            /* a lost event: the table ignores a repeated one */
            if (st != QEMU_MONITOR_MIGRATION_STATUS_LAST && priv->mig == mig &&
                g_queue_is_empty(&mig->events)) {
                if (st == QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE)
                    mig->pcSwitched = true;
                qemuMigPush(mig, qemuMigLiveEvent(mig, st));
                if (st != QEMU_MONITOR_MIGRATION_STATUS_NONE)
                    mig->qemuStatus = st;
            }
            continue;
        }
        condWaitUntil(&mig->cond, &vm->lock, nextRefresh);
    }
    if (!(mig = priv->mig) || migrationPhaseInfo(mig->ctx.phase)->step != MIG_STEP_PERFORM) {
        if (mig)
            qemuMigPerformError(mig);
        else if (!errorIsSet())
            reportError(VIR_ERR_OPERATION_FAILED, "%s", _("migration failed"));
        goto endjob;
    }
    errorReset();
    qemuMigRefresh(mig);
    qemuMigSaveCompleted(vm, VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT,
                         g_steal_pointer(&mig->stats), mig->startMs);
    qemuMigCookieOut(qemuMigCookieFormat(driver, vm->def, NULL, priv->jobCompleted), cookieout,
                     cookieoutlen);
    ret = 0;

 endjob:
    if (priv->mig)
        priv->mig->tunnel = NULL;
    qemuMigJobEnd(vm);
 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

virDomainPtr
qemuMigrationFinish3Params(virConnectPtr dconn, virTypedParameterPtr params, int nparams,
                           const char *cookiein, int cookieinlen, char **cookieout,
                           int *cookieoutlen, unsigned int flags, int cancelled)
{
    QemuDriver *driver = dconn->privateData;
    const char *dname = NULL;
    const char *xml = NULL;
    g_autofree char *name = NULL;
    g_autofree char *persist = NULL;
    QemuDomainPrivate *priv;
    QemuMigration *mig;
    QemuMonitorMigrationInfo *srcStats = NULL;
    virDomainPtr dom = NULL;
    DomainObj *vm = NULL;
    gint64 deadline = g_get_monotonic_time() + QEMU_MIG_FINISH_WAIT_MS * 1000;

    checkFlags(flags, QEMU_MIGRATION_FLAGS, NULL);
    if (migrateParamsValidate(params, nparams) < 0)
        return NULL;
    if (virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_NAME, &dname) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_XML, &xml) < 0)
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
        reportError(VIR_ERR_INVALID_ARG, "%s", _("no domain name for the migration"));
        return NULL;
    }

    if (flags & VIR_MIGRATE_OFFLINE) {
        g_autoptr(DomainDef) def = NULL;
        g_autoptr(DomainDef) oldDef = NULL;

        if (cancelled) {
            reportError(VIR_ERR_OPERATION_FAILED, "%s", _("offline migration was cancelled"));
            return NULL;
        }
        if (qemuMigCookieParse(driver, cookiein, cookieinlen, &persist, NULL) < 0)
            return NULL;
        if (!(def = domainDefParseString(persist ? persist : xml, DOMAIN_DEF_PARSE_INACTIVE)) ||
            qemuDriverPrepareDef(driver, def) < 0)
            return NULL;
        g_free(def->name);
        def->name = g_strdup(name);
        if (!(vm = domainObjListAdd(driver->domains, &def, 0, &oldDef)))
            return NULL;
        qemuDriverPrivateOf(driver, vm);
        if (qemuDomainSaveConfigLocked(driver, vm) < 0) {
            if (!oldDef && !domainObjIsActive(vm))
                domainObjListRemove(driver->domains, vm);
            domainObjEndAPI(&vm);
            return NULL;
        }
        qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_DEFINED,
                                   oldDef ? VIR_DOMAIN_EVENT_DEFINED_UPDATED :
                                            VIR_DOMAIN_EVENT_DEFINED_ADDED);
        dom = domainObjHandleNew(dconn, vm);
        domainObjEndAPI(&vm);
        return dom;
    }

    if (!(vm = domainObjListFindByName(driver->domains, name)) ||
        !(priv = qemuDriverPrivateOf(driver, vm))->mig ||
        priv->mig->ctx.side != MIG_SIDE_DEST) {
        reportError(VIR_ERR_NO_DOMAIN, _("domain '%1$s' is not being migrated"), name);
        goto cleanup;
    }
    if (qemuMigJobBegin(vm, dconn, "virDomainMigrateFinish3Params") < 0)
        goto cleanup;
    if (!(mig = priv->mig)) {
        reportError(VIR_ERR_NO_DOMAIN, _("domain '%1$s' is not being migrated"), name);
        goto endjob;
    }
    /* the source's transfer is over: wait for ours to end too */
    while (!cancelled && (mig = priv->mig) && !migrationPhaseIsTerminal(mig->ctx.phase) &&
           mig->qemuStatus != QEMU_MONITOR_MIGRATION_STATUS_COMPLETED &&
           mig->qemuStatus != QEMU_MONITOR_MIGRATION_STATUS_FAILED &&
           mig->qemuStatus != QEMU_MONITOR_MIGRATION_STATUS_CANCELLED &&
           !mig->gone && domainObjIsActive(vm)) {
        qemuMigDrain(vm);
        if (!condWaitUntil(&mig->cond, &vm->lock, deadline))
            break;
    }
    qemuMigDrain(vm);
    if (!(mig = priv->mig)) {
        reportError(VIR_ERR_OPERATION_FAILED,
                    _("migration of domain '%1$s' failed on the destination"), name);
        goto endjob;
    }
    if (migrationPhaseHandle(&mig->ctx, cancelled ? MIG_EVENT_FINISH_CANCELLED :
                                                    MIG_EVENT_FINISH, NULL, NULL) <= 0 ||
        cancelled || migrationPhaseInfo(mig->ctx.phase)->step != MIG_STEP_FINISH) {
        if (!errorIsSet())
            reportError(VIR_ERR_OPERATION_FAILED,
                        _("migration of domain '%1$s' failed on the destination (%2$s)"),
                        name, migrationPhaseName(mig->ctx.phase));
        qemuMigForgetIfOver(vm);
        goto endjob;
    }
    /* the source's statistics, as libvirt's destination reports them */
    if (qemuMigCookieParse(driver, cookiein, cookieinlen, NULL, &srcStats) < 0) {
        LOG_WARN("domain '%s': ignoring the statistics of a bad cookie: %s", name,
                 errorGetSlot()->message ? errorGetSlot()->message : "");
        errorReset();
    }
    qemuMigSaveCompleted(vm, VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN, srcStats, mig->startMs);
    qemuMigCookieOut(qemuMigCookieFormat(driver, vm->def, NULL, NULL), cookieout, cookieoutlen);
    priv->pausedReason = VIR_DOMAIN_PAUSED_UNKNOWN;
    qemuMigForget(vm);
    dom = domainObjHandleNew(dconn, vm);

 endjob:
    qemuMigJobEnd(vm);
 cleanup:
    if (vm)
        domainObjEndAPI(&vm);
    return dom;
}

/* Statistics as VIR_DOMAIN_JOB_* typed parameters. */
static int
qemuMigStatsToParams(int operation, unsigned long long elapsed,
                     const QemuMonitorMigrationInfo *info, bool completed,
                     virTypedParameterPtr *params, int *nparams)
{
    int max = 0;
    int rc = 0;

    *params = NULL;
    *nparams = 0;
    rc |= virTypedParamsAddInt(params, nparams, &max, VIR_DOMAIN_JOB_OPERATION, operation);
    rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_TIME_ELAPSED, elapsed);
    if (info && info->hasRam) {
        const QemuMonitorMigrationStats *ram = &info->ram;

        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_DATA_TOTAL,
                                      ram->total);
        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_DATA_PROCESSED,
                                      ram->transferred);
        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_DATA_REMAINING,
                                      ram->remaining);
        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_MEMORY_TOTAL,
                                      ram->total);
        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_MEMORY_PROCESSED,
                                      ram->transferred);
        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_MEMORY_REMAINING,
                                      ram->remaining);
        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_MEMORY_CONSTANT,
                                      ram->duplicate);
        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_MEMORY_NORMAL,
                                      ram->normal);
        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_MEMORY_NORMAL_BYTES,
                                      ram->normalBytes);
        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_MEMORY_BPS,
                                      (unsigned long long)(ram->mbps * 1000 * 1000 / 8));
        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE,
                                      ram->dirtyPagesRate);
        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_MEMORY_ITERATION,
                                      ram->dirtySyncCount);
        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE,
                                      ram->pageSize);
        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_MEMORY_POSTCOPY_REQS,
                                      ram->postcopyRequests);
    }
    if (info && completed && info->hasDowntime)
        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_DOWNTIME,
                                      info->downtime);
    if (info && !completed && info->hasExpectedDowntime)
        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_DOWNTIME,
                                      info->expectedDowntime);
    if (info && info->hasSetupTime)
        rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_SETUP_TIME,
                                      info->setupTime);
    if (info && info->hasCpuThrottle)
        rc |= virTypedParamsAddInt(params, nparams, &max, VIR_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE,
                                   info->cpuThrottlePercentage);
    if (rc < 0) {
        virTypedParamsFree(*params, *nparams);
        *params = NULL;
        *nparams = 0;
        return -1;
    }
    return 0;
}

/* A completed memory-only dump's statistics, as libvirt: operation, time,
 * memory figures. */
static int
qemuMigDumpStatsToParams(const QemuMigrationStats *stats, virTypedParameterPtr *params,
                         int *nparams)
{
    uint64_t remaining = stats->dumpTotal > stats->dumpCompleted ?
                         stats->dumpTotal - stats->dumpCompleted : 0;
    int max = 0;
    int rc = 0;

    *params = NULL;
    *nparams = 0;
    rc |= virTypedParamsAddInt(params, nparams, &max, VIR_DOMAIN_JOB_OPERATION,
                               stats->operation);
    rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_TIME_ELAPSED,
                                  stats->elapsed);
    rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_MEMORY_TOTAL,
                                  stats->dumpTotal);
    rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_MEMORY_PROCESSED,
                                  stats->dumpCompleted);
    rc |= virTypedParamsAddULLong(params, nparams, &max, VIR_DOMAIN_JOB_MEMORY_REMAINING,
                                  remaining);
    if (rc < 0) {
        virTypedParamsFree(*params, *nparams);
        *params = NULL;
        *nparams = 0;
        return -1;
    }
    return 0;
}

int
qemuMigrationConfirm3Params(virDomainPtr dom, virTypedParameterPtr params, int nparams,
                            const char *cookiein, int cookieinlen, unsigned int flags,
                            int cancelled)
{
    QemuDriver *driver = dom->conn->privateData;
    QemuDomainPrivate *priv;
    QemuMigration *mig;
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, QEMU_MIGRATION_FLAGS, -1);
    if (migrateParamsValidate(params, nparams) < 0)
        return -1;
    if (!(vm = qemuDriverDomObjFromDomain(dom)))
        return -1;
    priv = qemuDomainPrivate(vm);
    if (qemuMigJobBegin(vm, dom->conn, "virDomainMigrateConfirm3Params") < 0)
        goto cleanup;
    if (flags & VIR_MIGRATE_OFFLINE) {
        ret = 0;
        if (!cancelled && (flags & VIR_MIGRATE_UNDEFINE_SOURCE))
            goto undefine;
        goto endjob;
    }
    if (!(mig = priv->mig) || mig->ctx.side != MIG_SIDE_SOURCE) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not being migrated"));
        goto endjob;
    }
    qemuMigDrain(vm);
    if (!(mig = priv->mig)) {
        ret = cancelled ? 0 : -1;
        if (!cancelled)
            reportError(VIR_ERR_OPERATION_FAILED, "%s", _("the migration is over"));
        goto endjob;
    }
    if (cancelled && migrationPhaseIsTerminal(mig->ctx.phase)) {
        ret = 0;    /* already over here (aborted, failed, lost) */
    } else if (migrationPhaseHandle(&mig->ctx, cancelled ? MIG_EVENT_CONFIRM_CANCELLED :
                                                           MIG_EVENT_CONFIRM,
                                    NULL, NULL) <= 0) {
        if (!errorIsSet())
            reportError(VIR_ERR_OPERATION_INVALID,
                        _("migration cannot be confirmed in phase %1$s"),
                        migrationPhaseName(mig->ctx.phase));
    } else {
        ret = 0;
    }
    if (mig->ctx.phase == MIG_PHASE_S_COMPLETED) {
        QemuMigrationStats *stats = priv->jobCompleted;
        virTypedParameterPtr par = NULL;
        int npar = 0;

        if (stats && qemuMigStatsToParams(stats->operation, stats->elapsed, stats->info, true,
                                          &par, &npar) == 0)
            domainEventStateQueue(driver->events,
                                  domainEventJobCompletedNew(vm->def->name, vm->def->uuid, -1,
                                                             par, npar));
        if ((flags & VIR_MIGRATE_UNDEFINE_SOURCE) && vm->persistent && !vm->removed) {
            qemuMigForget(vm);
            goto undefine;
        }
    }
    qemuMigForgetIfOver(vm);
    goto endjob;

 undefine:
    {
        g_autofree char *path = qemuDomainConfigPath(driver, vm->def->name);
        g_autofree char *link = qemuDomainAutostartPath(driver, vm->def->name);

        unlink(path);
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
    }
 endjob:
    qemuMigJobEnd(vm);
 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

/*
 * The source's tunnel pump: accepts QEMU's connection on the listening
 * socket, then copies everything QEMU sends into the stream, in its own
 * thread (never the event loop), whole buffers, blocking sends (the
 * stream layer's flow control).  At QEMU's end of data it finishes the
 * stream; on an error it aborts the stream and closes QEMU's socket, so
 * that QEMU's transfer fails rather than blocks.
 */
#define QEMU_MIG_TUNNEL_CHUNK 262120   /* the RPC layer's stream packet size */

struct _QemuMigTunnel {
    virStreamPtr st;                  /* referenced */
    char *uri;                        /* immutable: QEMU's target, "unix:PATH" */
    int listenFd;                     /* owned */
    gint connFd;                      /* atomic; owned; -1 until QEMU connected */
    gint stop;                        /* atomic: Perform is over, give up */
    bool failed;                      /* written by the thread, read after the join */
    SavedError *error;
    unsigned long long bytes;
    GThread *thread;
};

static const char *
qemuMigTunnelURI(QemuMigTunnel *tun)
{
    return tun ? tun->uri : NULL;
}

/* The job holder (domain locked): stop the pump, cut QEMU's socket. */
static void
qemuMigTunnelCancel(QemuMigTunnel *tun)
{
    int fd;

    g_atomic_int_set(&tun->stop, 1);
    if ((fd = g_atomic_int_get(&tun->connFd)) >= 0)
        shutdown(fd, SHUT_RDWR);
}

static gpointer
qemuMigTunnelThread(gpointer opaque)
{
    QemuMigTunnel *tun = opaque;
    g_autofree char *buf = g_malloc(QEMU_MIG_TUNNEL_CHUNK);
    bool eof = false;

    while (g_atomic_int_get(&tun->connFd) < 0) {
        struct pollfd pfd = { .fd = tun->listenFd, .events = POLLIN };
        int fd = -1;
        int rc;

        if (g_atomic_int_get(&tun->stop))
            goto abort;
        rc = poll(&pfd, 1, 100);
        if (rc < 0 && errno != EINTR) {
            reportSystemError(errno, "%s", _("cannot wait for QEMU's migration connection"));
            goto error;
        }
        if (rc > 0 && (fd = accept4(tun->listenFd, NULL, NULL, SOCK_CLOEXEC)) < 0 &&
            errno != EINTR && errno != EAGAIN) {
            reportSystemError(errno, "%s", _("cannot accept QEMU's migration connection"));
            goto error;
        }
        g_atomic_int_set(&tun->connFd, fd);
    }
    for (;;) {
        struct pollfd pfd = { .fd = tun->connFd, .events = POLLIN };
        ssize_t n;
        ssize_t off = 0;
        int rc;

        if (g_atomic_int_get(&tun->stop))
            goto abort;
        if ((rc = poll(&pfd, 1, 200)) == 0 || (rc < 0 && errno == EINTR))
            continue;
        n = read(tun->connFd, buf, QEMU_MIG_TUNNEL_CHUNK);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0) {
            reportSystemError(errno, "%s", _("cannot read QEMU's migration data"));
            goto error;
        }
        if (n == 0)
            break;
        /* QEMU writes in small pieces: take what else is already there so
         * that a stream packet carries up to a whole chunk, not one write */
        while (n < QEMU_MIG_TUNNEL_CHUNK) {
            ssize_t more = recv(tun->connFd, buf + n, QEMU_MIG_TUNNEL_CHUNK - n, MSG_DONTWAIT);

            if (more > 0) {
                n += more;
                continue;
            }
            if (more == 0)
                eof = true;
            else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                reportSystemError(errno, "%s", _("cannot read QEMU's migration data"));
                goto error;
            }
            break;
        }
        while (off < n) {
            int sent = virStreamSend(tun->st, buf + off, n - off);

            if (sent < 0)
                goto error;
            off += sent;
        }
        tun->bytes += n;
        if (eof)
            break;
    }
    if (virStreamFinish(tun->st) < 0)
        goto error;
    return NULL;

 error:
    tun->failed = true;
    tun->error = errorSave();
 abort:
    virStreamAbort(tun->st);
    virResetLastError();
    if (tun->connFd >= 0)
        shutdown(tun->connFd, SHUT_RDWR);
    return NULL;
}

static int
qemuMigrationPerformTunnel(virDomainPtr dom, virStreamPtr st, virTypedParameterPtr params,
                           int nparams, const char *cookiein, int cookieinlen, char **cookieout,
                           int *cookieoutlen, unsigned int flags)
{
    QemuDriver *driver = dom->conn->privateData;
    QemuMigTunnel tun = { .listenFd = -1, .connFd = -1 };
    g_autofree char *path = NULL;
    struct sockaddr_un addr;
    int ret = -1;

    {
        DomainObj *vm = qemuDriverDomObjFromDomain(dom);

        if (!vm)
            return -1;
        path = qemuMigTunnelPath(driver, vm, "tunnel-out");
        domainObjEndAPI(&vm);
    }
    if (qemuMigTunnelSockaddr(path, &addr) < 0)
        return -1;
    if (unlink(path) < 0 && errno != ENOENT) {
        reportSystemError(errno, _("cannot remove '%1$s'"), path);
        return -1;
    }
    if ((tun.listenFd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
        reportSystemError(errno, "%s", _("cannot create a unix socket"));
        return -1;
    }
    if (bind(tun.listenFd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(tun.listenFd, 1) < 0) {
        reportSystemError(errno, _("cannot listen on '%1$s'"), path);
        close(tun.listenFd);
        unlink(path);
        return -1;
    }
    tun.st = st;
    virStreamRef(st);
    tun.uri = g_strdup_printf("unix:%s", path);
    tun.thread = g_thread_new("qemu-mig-tunnel", qemuMigTunnelThread, &tun);

    ret = qemuMigrationPerformAny(dom, NULL, params, nparams, cookiein, cookieinlen, cookieout,
                                  cookieoutlen, flags, &tun);
    {
        g_autoptr(SavedError) performErr = ret < 0 ? errorSave() : NULL;

        /* on success QEMU is done: the pump ends at its end of data */
        if (ret < 0)
            g_atomic_int_set(&tun.stop, 1);
        g_thread_join(tun.thread);
        virStreamFree(st);   /* an API call: resets this thread's error */
        if (performErr) {
            errorRestore(&performErr);
        } else if (tun.failed) {
            errorRestore(&tun.error);
            ret = -1;
        }
    }
    if (tun.error)
        savedErrorFree(tun.error);
    if (tun.connFd >= 0)
        close(tun.connFd);
    close(tun.listenFd);
    unlink(path);
    g_free(tun.uri);
    LOG_DEBUG("tunnel pump: %llu bytes, ret %d", tun.bytes, ret);
    return ret;
}

/*
 * Peer-to-peer: this host drives the destination itself over its own
 * connection to @dconnuri (the same five steps).
 */
static int
qemuMigrationP2P(virDomainPtr dom, const char *dconnuri, virTypedParameterPtr params,
                 int nparams, unsigned int flags)
{
    virConnectPtr dconn;
    virDomainPtr ddom;
    g_autoptr(SavedError) saved = NULL;

    if (!dconnuri) {
        reportError(VIR_ERR_INVALID_ARG, "%s",
                    _("peer-to-peer migration needs the destination URI"));
        return -1;
    }
    if ((flags & VIR_MIGRATE_TUNNELLED) && (flags & VIR_MIGRATE_PARALLEL)) {
        reportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                    _("parallel migration cannot be tunnelled"));
        return -1;
    }
    if (!(dconn = virConnectOpen(dconnuri))) {
        errorSetFromCopy(virGetLastError());
        return -1;
    }
    if (flags & VIR_MIGRATE_TUNNELLED)
        ddom = migrateRunTunnelSteps(dom, dconn, params, nparams,
                                     flags & ~VIR_MIGRATE_PEER2PEER, qemuMigrationPerformTunnel);
    else
        ddom = migrateRunSteps(dom, dconn, params, nparams, flags & ~VIR_MIGRATE_PEER2PEER);
    saved = errorSave();
    if (ddom)
        virDomainFree(ddom);
    virConnectClose(dconn);
    errorRestore(&saved);
    return ddom ? 0 : -1;
}

/* ---- the v3 steps without typed parameters ---- */

static int
qemuMigLegacyParams(const char *xml, const char *dname, const char *uri,
                    unsigned long bandwidth, virTypedParameterPtr *params, int *nparams)
{
    int max = 0;

    *params = NULL;
    *nparams = 0;
    if ((xml && virTypedParamsAddString(params, nparams, &max, VIR_MIGRATE_PARAM_DEST_XML,
                                        xml) < 0) ||
        (dname && virTypedParamsAddString(params, nparams, &max, VIR_MIGRATE_PARAM_DEST_NAME,
                                          dname) < 0) ||
        (uri && virTypedParamsAddString(params, nparams, &max, VIR_MIGRATE_PARAM_URI, uri) < 0) ||
        (bandwidth && virTypedParamsAddULLong(params, nparams, &max,
                                              VIR_MIGRATE_PARAM_BANDWIDTH, bandwidth) < 0)) {
        virTypedParamsFree(*params, *nparams);
        return -1;
    }
    return 0;
}

char *
qemuMigrationBegin3(virDomainPtr dom, const char *xmlin, char **cookieout, int *cookieoutlen,
                    unsigned long flags, const char *dname, unsigned long resource)
{
    virTypedParameterPtr params;
    int nparams;
    char *ret;

    if (qemuMigLegacyParams(xmlin, dname, NULL, resource, &params, &nparams) < 0)
        return NULL;
    ret = qemuMigrationBegin3Params(dom, params, nparams, cookieout, cookieoutlen, flags);
    virTypedParamsFree(params, nparams);
    return ret;
}

int
qemuMigrationPrepare3(virConnectPtr dconn, const char *cookiein, int cookieinlen,
                      char **cookieout, int *cookieoutlen, const char *uriIn, char **uriOut,
                      unsigned long flags, const char *dname, unsigned long resource,
                      const char *domXML)
{
    virTypedParameterPtr params;
    int nparams;
    int ret;

    if (qemuMigLegacyParams(domXML, dname, uriIn, resource, &params, &nparams) < 0)
        return -1;
    ret = qemuMigrationPrepare3Params(dconn, params, nparams, cookiein, cookieinlen, cookieout,
                                      cookieoutlen, uriOut, flags);
    virTypedParamsFree(params, nparams);
    return ret;
}

int
qemuMigrationPerform3(virDomainPtr dom, const char *xmlin, const char *cookiein,
                      int cookieinlen, char **cookieout, int *cookieoutlen,
                      const char *dconnuri, const char *uri, unsigned long flags,
                      const char *dname, unsigned long resource)
{
    virTypedParameterPtr params;
    int nparams;
    int ret;

    if (qemuMigLegacyParams(xmlin, dname, uri, resource, &params, &nparams) < 0)
        return -1;
    ret = qemuMigrationPerform3Params(dom, dconnuri, params, nparams, cookiein, cookieinlen,
                                      cookieout, cookieoutlen, flags);
    virTypedParamsFree(params, nparams);
    return ret;
}

virDomainPtr
qemuMigrationFinish3(virConnectPtr dconn, const char *dname, const char *cookiein,
                     int cookieinlen, char **cookieout, int *cookieoutlen,
                     const char *dconnuri, const char *uri, unsigned long flags, int cancelled)
{
    virTypedParameterPtr params;
    int nparams;
    virDomainPtr ret;

    if (qemuMigLegacyParams(NULL, dname, uri, 0, &params, &nparams) < 0)
        return NULL;
    ret = qemuMigrationFinish3Params(dconn, params, nparams, cookiein, cookieinlen, cookieout,
                                     cookieoutlen, flags, cancelled);
    virTypedParamsFree(params, nparams);
    return ret;
}

int
qemuMigrationConfirm3(virDomainPtr dom, const char *cookiein, int cookieinlen,
                      unsigned long flags, int cancelled)
{
    return qemuMigrationConfirm3Params(dom, NULL, 0, cookiein, cookieinlen, flags, cancelled);
}

/* ---- job control ---- */

int
qemuMigrationGetJobInfo(virDomainPtr dom, virDomainJobInfoPtr info)
{
    DomainObj *vm;
    QemuMigration *mig;

    if (!(vm = qemuDriverDomObjFromDomain(dom)))
        return -1;
    memset(info, 0, sizeof(*info));
    info->type = VIR_DOMAIN_JOB_NONE;
    mig = qemuDomainPrivate(vm)->mig;
    if (mig && !migrationPhaseIsTerminal(mig->ctx.phase)) {
        info->type = VIR_DOMAIN_JOB_UNBOUNDED;
        info->timeElapsed = g_get_real_time() / 1000 - mig->startMs;
        if (mig->stats && mig->stats->hasRam) {
            info->dataTotal = info->memTotal = mig->stats->ram.total;
            info->dataProcessed = info->memProcessed = mig->stats->ram.transferred;
            info->dataRemaining = info->memRemaining = mig->stats->ram.remaining;
        }
    }
    domainObjEndAPI(&vm);
    return 0;
}

int
qemuMigrationGetJobStats(virDomainPtr dom, int *type, virTypedParameterPtr *params,
                         int *nparams, unsigned int flags)
{
    DomainObj *vm;
    QemuDomainPrivate *priv;
    QemuMigration *mig;
    int ret = 0;

    checkFlags(flags, VIR_DOMAIN_JOB_STATS_COMPLETED | VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED, -1);
    if (!(vm = qemuDriverDomObjFromDomain(dom)))
        return -1;
    priv = qemuDomainPrivate(vm);
    mig = priv->mig;
    *type = VIR_DOMAIN_JOB_NONE;
    *params = NULL;
    *nparams = 0;
    if (flags & VIR_DOMAIN_JOB_STATS_COMPLETED) {
        QemuMigrationStats *stats = priv->jobCompleted;

        if (stats && stats->memoryDump) {
            *type = VIR_DOMAIN_JOB_COMPLETED;
            ret = qemuMigDumpStatsToParams(stats, params, nparams);
        } else if (stats) {
            *type = VIR_DOMAIN_JOB_COMPLETED;
            ret = qemuMigStatsToParams(stats->operation, stats->elapsed, stats->info, true,
                                       params, nparams);
        }
        if (stats && !(flags & VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED)) {
            qemuMigStatsFree(stats);
            priv->jobCompleted = NULL;
        }
    } else if (mig && !migrationPhaseIsTerminal(mig->ctx.phase)) {
        *type = VIR_DOMAIN_JOB_UNBOUNDED;
        ret = qemuMigStatsToParams(mig->ctx.side == MIG_SIDE_SOURCE ?
                                   VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT :
                                   VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN,
                                   g_get_real_time() / 1000 - mig->startMs,
                                   mig->ctx.side == MIG_SIDE_SOURCE ? mig->stats : NULL, false,
                                   params, nparams);
    }
    domainObjEndAPI(&vm);
    return ret;
}

int
qemuMigrationAbortJob(virDomainPtr dom)
{
    DomainObj *vm;
    QemuDomainPrivate *priv;
    QemuMigration *mig;
    int ret = -1;

    if (!(vm = qemuDriverDomObjFromDomain(dom)))
        return -1;
    priv = qemuDomainPrivate(vm);
    if (domainObjCheckActive(vm) < 0)
        goto cleanup;
    mig = priv->mig;
    if (!mig || migrationPhaseIsTerminal(mig->ctx.phase)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("no job is active on the domain"));
        goto cleanup;
    }
    if (mig->ctx.side == MIG_SIDE_DEST) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("cannot abort incoming migration; use virDomainDestroy instead"));
        goto cleanup;
    }
    if (mig->pcSwitched || mig->ctx.phase == MIG_PHASE_S_POSTCOPY ||
        mig->ctx.phase == MIG_PHASE_S_DONE_POSTCOPY) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("cannot abort migration in post-copy mode"));
        goto cleanup;
    }
    if (!migrationTransitionFind(mig->ctx.phase, MIG_EVENT_ABORT)) {
        reportError(VIR_ERR_OPERATION_INVALID,
                    _("cannot abort migration in phase %1$s"),
                    migrationPhaseName(mig->ctx.phase));
        goto cleanup;
    }
    if (priv->job == QEMU_JOB_NONE) {
        /* between two steps: apply it now */
        if (qemuMigJobBegin(vm, NULL, "virDomainAbortJob") < 0)
            goto cleanup;
        if ((mig = priv->mig) && migrationTransitionFind(mig->ctx.phase, MIG_EVENT_ABORT)) {
            mig->aborted = true;
            if (migrationPhaseHandle(&mig->ctx, MIG_EVENT_ABORT, NULL, NULL) >= 0)
                ret = 0;
        } else {
            reportError(VIR_ERR_OPERATION_INVALID, "%s", _("no job is active on the domain"));
        }
        qemuMigJobEnd(vm);
        goto cleanup;
    }
    /* Perform runs: its loop applies the abort */
    mig->abortRequested = true;
    condBroadcast(&mig->cond);
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int qemuMigSetParam(DomainObj *vm, QemuMonitorMigrationParam param, uint64_t value);

static int
qemuMigPauseMon(QemuMonitor *mon, const void *arg)
{
    return qemuMonitorMigratePause(mon);
}

/*
 * virDomainAbortJobFlags.  Without flags, virDomainAbortJob.  With
 * VIR_DOMAIN_ABORT_JOB_POSTCOPY, as libvirt 9.0: only an outgoing migration
 * in post-copy mode, which QEMU's migrate-pause breaks; QEMU then reports
 * postcopy-paused and the table's post-copy failure leaves the guest paused
 * (POSTCOPY_FAILED) on both hosts, never resumed.
 */
int
qemuMigrationAbortJobFlags(virDomainPtr dom, unsigned int flags)
{
    DomainObj *vm;
    QemuMigration *mig;
    int ret = -1;

    checkFlags(flags, VIR_DOMAIN_ABORT_JOB_POSTCOPY, -1);
    if (!(flags & VIR_DOMAIN_ABORT_JOB_POSTCOPY))
        return qemuMigrationAbortJob(dom);
    if (!(vm = qemuDriverDomObjFromDomain(dom)))
        return -1;
    if (domainObjCheckActive(vm) < 0)
        goto cleanup;
    mig = qemuDomainPrivate(vm)->mig;
    if (!mig || mig->ctx.side != MIG_SIDE_SOURCE ||
        (mig->ctx.phase != MIG_PHASE_S_POSTCOPY && mig->ctx.phase != MIG_PHASE_S_DONE_POSTCOPY)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("current job is not outgoing migration in post-copy mode"));
        goto cleanup;
    }
    ret = qemuMigRunNoJob(vm, qemuMigPauseMon, NULL);

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuMigGetParamsMon(QemuMonitor *mon, const void *arg)
{
    QemuMonitorMigrationParams **out = (QemuMonitorMigrationParams **)arg;

    return (*out = qemuMonitorGetMigrationParams(mon)) ? 0 : -1;
}

/* virDomainMigrateGetCompressionCache: QEMU's xbzrle-cache-size (bytes). */
int
qemuMigrationGetCompressionCache(virDomainPtr dom, unsigned long long *cacheSize,
                                 unsigned int flags)
{
    g_autoptr(QemuMonitorMigrationParams) params = NULL;
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, 0, -1);
    if (!(vm = qemuDriverDomObjFromDomain(dom)))
        return -1;
    if (domainObjCheckActive(vm) < 0)
        goto cleanup;
    if (qemuMigRunNoJob(vm, qemuMigGetParamsMon, &params) < 0)
        goto cleanup;
    if (!params->set[QEMU_MONITOR_MIGRATION_PARAM_XBZRLE_CACHE_SIZE]) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("Compressed migration is not supported by QEMU binary"));
        goto cleanup;
    }
    *cacheSize = params->num[QEMU_MONITOR_MIGRATION_PARAM_XBZRLE_CACHE_SIZE];
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

/* virDomainMigrateSetCompressionCache: sets QEMU's xbzrle-cache-size. */
int
qemuMigrationSetCompressionCache(virDomainPtr dom, unsigned long long cacheSize,
                                 unsigned int flags)
{
    DomainObj *vm;
    int ret = -1;

    checkFlags(flags, 0, -1);
    if (!(vm = qemuDriverDomObjFromDomain(dom)))
        return -1;
    if (domainObjCheckActive(vm) == 0)
        ret = qemuMigSetParam(vm, QEMU_MONITOR_MIGRATION_PARAM_XBZRLE_CACHE_SIZE, cacheSize);
    domainObjEndAPI(&vm);
    return ret;
}

static int
qemuMigSetParamsMon(QemuMonitor *mon, const void *arg)
{
    return qemuMonitorSetMigrationParams(mon, arg);
}

static int
qemuMigStartPostcopyMon(QemuMonitor *mon, const void *arg)
{
    return qemuMonitorMigrateStartPostcopy(mon);
}

/* Set one QEMU migration parameter of a running @vm (locked) beside any job. */
static int
qemuMigSetParam(DomainObj *vm, QemuMonitorMigrationParam param, uint64_t value)
{
    g_autoptr(QemuMonitorMigrationParams) params = qemuMonitorJSONMigrationParamsNew();

    qemuMonitorJSONMigrationParamsSetUInt(params, param, value);
    return qemuMigRunNoJob(vm, qemuMigSetParamsMon, params);
}

int
qemuMigrationSetMaxSpeed(virDomainPtr dom, unsigned long bandwidth, unsigned int flags)
{
    DomainObj *vm;
    QemuDomainPrivate *priv;
    bool postcopy = flags & VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY;
    int ret = 0;

    checkFlags(flags, VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY, -1);
    if (bandwidth > QEMU_DOMAIN_MIG_BANDWIDTH_MAX) {
        reportError(VIR_ERR_OVERFLOW, _("bandwidth must be less than %1$llu"),
                    (unsigned long long)QEMU_DOMAIN_MIG_BANDWIDTH_MAX + 1);
        return -1;
    }
    if (!(vm = qemuDriverDomObjFromDomain(dom)))
        return -1;
    priv = qemuDomainPrivate(vm);
    if (domainObjIsActive(vm))
        ret = qemuMigSetParam(vm, postcopy ? QEMU_MONITOR_MIGRATION_PARAM_MAX_POSTCOPY_BANDWIDTH :
                                             QEMU_MONITOR_MIGRATION_PARAM_MAX_BANDWIDTH,
                              (uint64_t)bandwidth * 1024 * 1024);
    if (ret == 0) {
        if (postcopy)
            priv->migPostcopyBandwidth = bandwidth;
        else
            priv->migBandwidth = bandwidth;
    }
    domainObjEndAPI(&vm);
    return ret;
}

int
qemuMigrationGetMaxSpeed(virDomainPtr dom, unsigned long *bandwidth, unsigned int flags)
{
    DomainObj *vm;
    QemuDomainPrivate *priv;

    checkFlags(flags, VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY, -1);
    if (!(vm = qemuDriverDomObjFromDomain(dom)))
        return -1;
    priv = qemuDomainPrivate(vm);
    *bandwidth = (flags & VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY) ?
                 priv->migPostcopyBandwidth : priv->migBandwidth;
    domainObjEndAPI(&vm);
    return 0;
}

int
qemuMigrationSetMaxDowntime(virDomainPtr dom, unsigned long long downtime, unsigned int flags)
{
    DomainObj *vm;
    int ret = 0;

    checkFlags(flags, 0, -1);
    if (!(vm = qemuDriverDomObjFromDomain(dom)))
        return -1;
    if (domainObjIsActive(vm))
        ret = qemuMigSetParam(vm, QEMU_MONITOR_MIGRATION_PARAM_DOWNTIME_LIMIT, downtime);
    if (ret == 0)
        qemuDomainPrivate(vm)->migDowntime = downtime;
    domainObjEndAPI(&vm);
    return ret;
}

int
qemuMigrationGetMaxDowntime(virDomainPtr dom, unsigned long long *downtime, unsigned int flags)
{
    DomainObj *vm;

    checkFlags(flags, 0, -1);
    if (!(vm = qemuDriverDomObjFromDomain(dom)))
        return -1;
    *downtime = qemuDomainPrivate(vm)->migDowntime;
    domainObjEndAPI(&vm);
    return 0;
}

int
qemuMigrationStartPostCopy(virDomainPtr dom, unsigned int flags)
{
    DomainObj *vm;
    QemuMigration *mig;
    int ret = -1;

    checkFlags(flags, 0, -1);
    if (!(vm = qemuDriverDomObjFromDomain(dom)))
        return -1;
    mig = qemuDomainPrivate(vm)->mig;
    if (domainObjCheckActive(vm) < 0)
        goto cleanup;
    if (!mig || mig->ctx.side != MIG_SIDE_SOURCE || mig->ctx.phase != MIG_PHASE_S_PERFORM) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("post-copy can be started only during migration"));
        goto cleanup;
    }
    if (!(mig->flags & VIR_MIGRATE_POSTCOPY)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("switching to post-copy requires migration to be started with VIR_MIGRATE_POSTCOPY flag"));
        goto cleanup;
    }
    ret = qemuMigRunNoJob(vm, qemuMigStartPostcopyMon, NULL);

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}
