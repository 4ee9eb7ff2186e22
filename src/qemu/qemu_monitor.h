/* QMP client transport: one unix socket per QEMU, driven by a GMainContext. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <libvirt/virterror.h>

#include "qemu/qemu_monitor_json.h"

/*
 * Threads (see docs/internals/qmp.md):
 * - the socket is read only by the thread that runs the GMainContext
 *   given at open (the daemon's event loop), which also writes what the
 *   submitting threads could not;
 * - synchronous commands are for worker threads: they queue the command,
 *   write it at once when the monitor is idle (the loop writes the rest of
 *   a partial write and reads the reply) and wait on a condition with a
 *   deadline.  The caller must not hold a domain lock (or any lock the
 *   event loop or the callbacks take) while it waits;
 * - callbacks (events, late replies, EOF, async completions) run on the
 *   event-loop thread without any monitor lock held.
 */

typedef struct _QemuMonitor QemuMonitor;

/* Default per-command timeout (libvirt waits 30 s for a job). */
#define QEMU_MONITOR_DEFAULT_TIMEOUT_MS 30000
/* Per-call timeout value meaning "the monitor's timeout". */
#define QEMU_MONITOR_TIMEOUT_DEFAULT (-1)
/* Default limit on one message from QEMU (query-qmp-schema is ~200 KiB). */
#define QEMU_MONITOR_DEFAULT_MAX_MESSAGE (16 * 1024 * 1024)

typedef enum {
    /* Arguments carry secrets: never log their values. */
    QEMU_MONITOR_COMMAND_SECRET = 1 << 0,
} QemuMonitorCommandFlags;

/* A reply that arrived after its command had timed out. */
typedef struct {
    uint64_t id;                /* the command id (as in "vk-ID") */
    const char *command;        /* the QMP command name */
    json_object *cmd;           /* the command as sent (borrowed) */
    json_object *reply;         /* the reply (borrowed; the callback may ref it) */
    int64_t elapsedMs;          /* time from submission to the reply */
} QemuMonitorLateReply;

/* Why the monitor stopped. */
typedef enum {
    QEMU_MONITOR_CLOSED_EOF = 0,    /* QEMU closed the socket */
    QEMU_MONITOR_CLOSED_ERROR,      /* I/O or protocol error */

    QEMU_MONITOR_CLOSED_LAST
} QemuMonitorClosedReason;

typedef struct {
    /* An asynchronous event from QEMU, in the order received. */
    void (*event)(QemuMonitor *mon, const QemuMonitorEvent *event, void *opaque);
    /* A reply to a command whose caller had already got a timeout. */
    void (*lateReply)(QemuMonitor *mon, const QemuMonitorLateReply *late, void *opaque);
    /* End of file or fatal error; called at most once, after every pending
     * command has failed.  Not called after qemuMonitorClose(). */
    void (*closed)(QemuMonitor *mon, QemuMonitorClosedReason reason, const char *message,
                   void *opaque);
} QemuMonitorCallbacks;

/* Completion of an asynchronous command: exactly one of @reply (borrowed,
 * a "return" or an "error" reply) and @err is non-NULL. */
typedef void (*QemuMonitorReplyFunc)(QemuMonitor *mon, json_object *reply, const virError *err,
                                     void *opaque);

QemuMonitor *qemuMonitorOpen(const char *path, const char *name, GMainContext *ctx,
                             int connectTimeoutMs, const QemuMonitorCallbacks *cbs,
                             void *opaque, GDestroyNotify opaqueFree);
QemuMonitor *qemuMonitorOpenFD(int fd, const char *name, GMainContext *ctx,
                               const QemuMonitorCallbacks *cbs, void *opaque,
                               GDestroyNotify opaqueFree);
void qemuMonitorClose(QemuMonitor *mon);
QemuMonitor *qemuMonitorRef(QemuMonitor *mon);
void qemuMonitorUnref(QemuMonitor *mon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitor, qemuMonitorUnref);

const char *qemuMonitorGetName(QemuMonitor *mon);
void qemuMonitorSetTimeout(QemuMonitor *mon, int timeoutMs);
int qemuMonitorGetTimeout(QemuMonitor *mon);
void qemuMonitorSetMaxMessage(QemuMonitor *mon, size_t bytes);
QemuMonitorVersion *qemuMonitorGetVersion(QemuMonitor *mon);
int qemuMonitorWaitReady(QemuMonitor *mon, int timeoutMs);

/* Raw commands. */
int qemuMonitorCommand(QemuMonitor *mon, json_object *cmd, unsigned int flags, int timeoutMs,
                       json_object **retReply);
int qemuMonitorCommandWithFd(QemuMonitor *mon, json_object *cmd, int passFd, unsigned int flags,
                             int timeoutMs, json_object **retReply);
int qemuMonitorCommandAsync(QemuMonitor *mon, json_object *cmd, unsigned int flags,
                            int timeoutMs, QemuMonitorReplyFunc cb, void *opaque,
                            GDestroyNotify opaqueFree, uint64_t *retId);
int qemuMonitorArbitraryCommand(QemuMonitor *mon, const char *text, char **retReply);

/* Pipelined batches: commands written back to back, replies read in order. */
typedef struct _QemuMonitorBatch QemuMonitorBatch;
QemuMonitorBatch *qemuMonitorBatchSubmit(QemuMonitor *mon, json_object **cmds, size_t ncmds,
                                         int timeoutMs);
int qemuMonitorBatchWait(QemuMonitorBatch *batch);
void qemuMonitorBatchFree(QemuMonitorBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorBatch, qemuMonitorBatchFree);
int qemuMonitorRunBatch(QemuMonitor *mon, json_object **cmds, size_t ncmds);
int qemuMonitorHumanCommand(QemuMonitor *mon, const char *cmdline, bool secret,
                            char **retOutput);

/* Busy state: never blocks (issue 7). */
bool qemuMonitorIsIdle(QemuMonitor *mon);
char *qemuMonitorGetPending(QemuMonitor *mon, int minAgeMs, bool abandonedOnly,
                            int64_t *retAgeMs);

/* Lifecycle. */
QemuMonitorStatus *qemuMonitorGetStatus(QemuMonitor *mon);
int qemuMonitorStop(QemuMonitor *mon);
int qemuMonitorCont(QemuMonitor *mon);
int qemuMonitorSendFileHandle(QemuMonitor *mon, const char *name, int fd);
int qemuMonitorCloseFileHandle(QemuMonitor *mon, const char *name);
int qemuMonitorSystemPowerdown(QemuMonitor *mon);
int qemuMonitorSystemReset(QemuMonitor *mon);
int qemuMonitorQuit(QemuMonitor *mon);

/* Queries. */
GPtrArray *qemuMonitorGetCPUInfo(QemuMonitor *mon);
int qemuMonitorSetBalloon(QemuMonitor *mon, uint64_t bytes);
int qemuMonitorGetBalloon(QemuMonitor *mon, uint64_t *retActual);
QemuMonitorVersion *qemuMonitorQueryVersion(QemuMonitor *mon);
int qemuMonitorGetKVMState(QemuMonitor *mon, QemuMonitorKVMState *ret);
GPtrArray *qemuMonitorGetMachines(QemuMonitor *mon);
char **qemuMonitorGetCommands(QemuMonitor *mon);
GPtrArray *qemuMonitorQomList(QemuMonitor *mon, const char *path);
json_object *qemuMonitorQomGet(QemuMonitor *mon, const char *path, const char *property);
GPtrArray *qemuMonitorGetChardevs(QemuMonitor *mon);
GPtrArray *qemuMonitorGetBlockInfo(QemuMonitor *mon);
GPtrArray *qemuMonitorGetBlockStats(QemuMonitor *mon);
QemuMonitorVNCInfo *qemuMonitorGetVNC(QemuMonitor *mon);
QemuMonitorSpiceInfo *qemuMonitorGetSpice(QemuMonitor *mon);

/* Migration. */
QemuMonitorMigrationInfo *qemuMonitorGetMigrationInfo(QemuMonitor *mon);
int qemuMonitorMigrate(QemuMonitor *mon, const char *uri, bool resume);
int qemuMonitorMigrateIncoming(QemuMonitor *mon, const char *uri);
int qemuMonitorMigrateCancel(QemuMonitor *mon);
int qemuMonitorMigrateContinue(QemuMonitor *mon, QemuMonitorMigrationStatus status);
int qemuMonitorMigrateStartPostcopy(QemuMonitor *mon);
int qemuMonitorMigratePause(QemuMonitor *mon);
int qemuMonitorSetMigrationParams(QemuMonitor *mon, const QemuMonitorMigrationParams *params);
QemuMonitorMigrationParams *qemuMonitorGetMigrationParams(QemuMonitor *mon);
int qemuMonitorSetMigrationCaps(QemuMonitor *mon, const QemuMonitorMigrationCaps *caps);
int qemuMonitorGetMigrationCaps(QemuMonitor *mon, QemuMonitorMigrationCaps *ret);
int qemuMonitorClientMigrateInfo(QemuMonitor *mon, const char *protocol, const char *hostname,
                                 int port, int tlsPort, const char *certSubject);
