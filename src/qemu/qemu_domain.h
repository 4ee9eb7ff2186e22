/* QEMU driver state, per-domain private data, and domain jobs. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "api/domain_event.h"
#include "conf/domain_obj.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_conf.h"
#include "qemu/qemu_monitor.h"
#include "util/port_allocator.h"
#include "util/thread.h"

/*
 * One driver instance (one root).  Fields are immutable after
 * qemuDriverNew() unless marked; the list, the event state and the caps
 * cache lock themselves.
 *
 * Threads: @ctx is run by the driver's own event-loop thread (@loopThread):
 * every QMP monitor and every child watch lives there.  Work that may
 * block (killing a process, cleaning up after it, restarting a guest on a
 * fake reboot) is queued to @workers; the loop thread only updates state
 * under a domain lock for a moment and queues lifecycle events.
 */
typedef struct _QemuDriver QemuDriver;
struct _QemuDriver {
    gint refs;                  /* atomic; connections using this instance */
    QemuConfig *config;
    DomainObjList *domains;
    DomainEventState *events;
    QemuCapsCache *capsCache;
    PortAllocator *displayPorts; /* vnc/spice ports (qemu_graphics.c) */

    GMainContext *ctx;
    GMainLoop *loop;
    GThread *loopThread;
    GThreadPool *workers;
    gint closing;               /* atomic: instance being freed, workers do nothing */
    unsigned char hostUUID[16]; /* this host's identity in migration cookies */
    struct _MigTimer *migTimer; /* immutable: the migration TIMEOUT watchdog (qemu_migration.c) */
};

/* A migration in progress on one side (qemu_migration.c). */
typedef struct _QemuMigration QemuMigration;

/* The kinds of job; one at a time per domain (DESIGN.md "Objects and threads"). */
typedef enum {
    QEMU_JOB_NONE = 0,
    QEMU_JOB_MODIFY,        /* changes state: start, suspend, setMemory ... */
    QEMU_JOB_DESTROY,       /* tear-down after the process was killed */

    QEMU_JOB_LAST
} QemuJob;

/* What a stop of the QEMU process should be reported as. */
typedef enum {
    QEMU_STOP_CAUSE_NONE = 0,
    QEMU_STOP_CAUSE_DESTROY,    /* the driver killed it (destroy) */
    QEMU_STOP_CAUSE_SHUTDOWN,   /* on_poweroff / on_crash after a guest request */

    QEMU_STOP_CAUSE_LAST
} QemuStopCause;

/* Statistics cached for queries that never wait on QEMU (qemu_stats.h). */
typedef struct _QemuStatsCache QemuStatsCache;

/*
 * Private data of a QEMU domain (DomainObj.privateData).  Protected by the
 * domain object's lock unless marked.
 */
typedef struct {
    QemuDriver *driver;         /* immutable; not referenced */

    /* The running process (valid while the domain is active). */
    pid_t pid;                  /* 0 when none */
    bool isChild;               /* we forked it: reap it through the child watch */
    bool exited;                /* the child watch saw it exit */
    int exitStatus;             /* wait status when @exited */
    Cond exitCond;               /* signalled when @exited becomes true */
    GSource *childWatch;        /* attached to driver->ctx while @isChild */
    QemuMonitor *mon;           /* reference; NULL when not connected */
    char *monitorPath;
    char *pidfile;
    char *logPath;
    QemuCaps *caps;             /* of the emulator that runs it */
    gint64 startedMono;         /* g_get_monotonic_time() at start */
    bool taintCustomMonitor;    /* qemu-monitor-command used (logged once per run) */

    /* What events said so far. */
    bool gotShutdown;           /* QMP SHUTDOWN seen */
    bool shutdownByGuest;
    bool fakeReboot;            /* virDomainReboot: reset instead of stopping */
    bool beingDestroyed;        /* destroy sent the signals */
    int pausedReason;           /* reason for the next STOP (virDomainPausedReason) */

    /* The job. */
    QemuJob job;
    const char *jobApi;         /* static string: the API that took it */
    gint64 jobStartMono;
    GThread *jobOwner;
    bool jobInStatus;           /* the status XML names the running job */
    Cond jobCond;                /* signalled when the job ends */

    /* Migration (qemu_migration.c). */
    QemuMigration *mig;         /* the migration of this side, NULL when none */
    const char *migPhase;       /* phase recorded in the status XML (static), or NULL */
    int migSide;                /* MigSide of the recorded phase */
    unsigned int migFlags;      /* virDomainMigrateFlags of the recorded migration */
    unsigned long migBandwidth; /* MiB/s (QEMU's max-bandwidth) */
    unsigned long migPostcopyBandwidth; /* MiB/s, 0 = unlimited */
    unsigned long long migDowntime; /* ms (QEMU's downtime-limit) */
    void *jobCompleted;         /* QemuMigrationStats of the last migration, or NULL */
    struct _QemuFileJob *fileJob; /* a dump or save to a file running (qemu_dump.c), or NULL */
    /* Cached statistics of the running process (qemu_stats.c). */
    QemuStatsCache *stats;
} QemuDomainPrivate;

QemuDomainPrivate *qemuDomainPrivateNew(QemuDriver *driver);
void qemuDomainPrivateFree(void *opaque);
QemuDomainPrivate *qemuDomainPrivate(DomainObj *vm);
void qemuDomainPrivateClearProcess(QemuDomainPrivate *priv);

int qemuDomainJobBeginLocked(DomainObj *vm, QemuJob job, const char *api);
void qemuDomainJobEndLocked(DomainObj *vm);
const char *qemuDomainJobTypeToString(QemuJob job);

QemuMonitor *qemuDomainEnterMonitorLocked(DomainObj *vm);
int qemuDomainExitMonitorLocked(DomainObj *vm, QemuMonitor *mon);

void qemuDomainEventQueueLocked(QemuDriver *driver, DomainObj *vm, int type, int detail);
void qemuDomainEventQueueIDLocked(QemuDriver *driver, DomainObj *vm, int id, int type,
                                  int detail);

char *qemuDomainConfigPath(QemuDriver *driver, const char *name);
char *qemuDomainAutostartPath(QemuDriver *driver, const char *name);
int qemuDomainSaveConfigLocked(QemuDriver *driver, DomainObj *vm);
int qemuDomainWriteFileAtomic(const char *path, const char *contents);
int qemuDomainWriteRuntimeFile(const char *path, const char *contents);
