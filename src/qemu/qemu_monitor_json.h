/* Pure QMP encoding and decoding: builds commands, parses replies and events; no I/O. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/json.h"

/*
 * The data types below are the vocabulary of the monitor layer: the
 * transport (qemu_monitor.h) and the driver use them.  They carry the
 * QemuMonitor prefix; the functions of this file carry qemuMonitorJSON.
 * Facts about the QMP schema come from QEMU 7.2 (Debian 12).
 */

/* ---------------------------------------------------------------- */
/* Enumerations mirroring QMP enums                                  */

/* QEMU's RunState (qapi/run-state.json).  UNKNOWN stands for a name this
 * code does not know (a newer QEMU). */
typedef enum {
    QEMU_MONITOR_RUN_STATE_UNKNOWN = 0,
    QEMU_MONITOR_RUN_STATE_DEBUG,
    QEMU_MONITOR_RUN_STATE_INMIGRATE,
    QEMU_MONITOR_RUN_STATE_INTERNAL_ERROR,
    QEMU_MONITOR_RUN_STATE_IO_ERROR,
    QEMU_MONITOR_RUN_STATE_PAUSED,
    QEMU_MONITOR_RUN_STATE_POSTMIGRATE,
    QEMU_MONITOR_RUN_STATE_PRELAUNCH,
    QEMU_MONITOR_RUN_STATE_FINISH_MIGRATE,
    QEMU_MONITOR_RUN_STATE_RESTORE_VM,
    QEMU_MONITOR_RUN_STATE_RUNNING,
    QEMU_MONITOR_RUN_STATE_SAVE_VM,
    QEMU_MONITOR_RUN_STATE_SHUTDOWN,
    QEMU_MONITOR_RUN_STATE_SUSPENDED,
    QEMU_MONITOR_RUN_STATE_WATCHDOG,
    QEMU_MONITOR_RUN_STATE_GUEST_PANICKED,
    QEMU_MONITOR_RUN_STATE_COLO,

    QEMU_MONITOR_RUN_STATE_LAST
} QemuMonitorRunState;

/* QEMU's MigrationStatus, in QEMU's enum order.  UNKNOWN as above. */
typedef enum {
    QEMU_MONITOR_MIGRATION_STATUS_UNKNOWN = 0,
    QEMU_MONITOR_MIGRATION_STATUS_NONE,
    QEMU_MONITOR_MIGRATION_STATUS_SETUP,
    QEMU_MONITOR_MIGRATION_STATUS_CANCELLING,
    QEMU_MONITOR_MIGRATION_STATUS_CANCELLED,
    QEMU_MONITOR_MIGRATION_STATUS_ACTIVE,
    QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE,
    QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED,
    QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER,
    QEMU_MONITOR_MIGRATION_STATUS_COMPLETED,
    QEMU_MONITOR_MIGRATION_STATUS_FAILED,
    QEMU_MONITOR_MIGRATION_STATUS_COLO,
    QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER,
    QEMU_MONITOR_MIGRATION_STATUS_DEVICE,
    QEMU_MONITOR_MIGRATION_STATUS_WAIT_UNPLUG,

    QEMU_MONITOR_MIGRATION_STATUS_LAST
} QemuMonitorMigrationStatus;

/* QEMU 7.2's MigrationCapability, in QEMU's enum order. */
typedef enum {
    QEMU_MONITOR_MIGRATION_CAP_XBZRLE = 0,
    QEMU_MONITOR_MIGRATION_CAP_RDMA_PIN_ALL,
    QEMU_MONITOR_MIGRATION_CAP_AUTO_CONVERGE,
    QEMU_MONITOR_MIGRATION_CAP_ZERO_BLOCKS,
    QEMU_MONITOR_MIGRATION_CAP_COMPRESS,
    QEMU_MONITOR_MIGRATION_CAP_EVENTS,
    QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_RAM,
    QEMU_MONITOR_MIGRATION_CAP_X_COLO,
    QEMU_MONITOR_MIGRATION_CAP_RELEASE_RAM,
    QEMU_MONITOR_MIGRATION_CAP_BLOCK,
    QEMU_MONITOR_MIGRATION_CAP_RETURN_PATH,
    QEMU_MONITOR_MIGRATION_CAP_PAUSE_BEFORE_SWITCHOVER,
    QEMU_MONITOR_MIGRATION_CAP_MULTIFD,
    QEMU_MONITOR_MIGRATION_CAP_DIRTY_BITMAPS,
    QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_BLOCKTIME,
    QEMU_MONITOR_MIGRATION_CAP_LATE_BLOCK_ACTIVATE,
    QEMU_MONITOR_MIGRATION_CAP_X_IGNORE_SHARED,
    QEMU_MONITOR_MIGRATION_CAP_VALIDATE_UUID,
    QEMU_MONITOR_MIGRATION_CAP_BACKGROUND_SNAPSHOT,
    QEMU_MONITOR_MIGRATION_CAP_ZERO_COPY_SEND,
    QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_PREEMPT,

    QEMU_MONITOR_MIGRATION_CAP_LAST
} QemuMonitorMigrationCap;

/* The scalar members of QEMU 7.2's MigrationParameters. */
typedef enum {
    QEMU_MONITOR_MIGRATION_PARAM_ANNOUNCE_INITIAL = 0,
    QEMU_MONITOR_MIGRATION_PARAM_ANNOUNCE_MAX,
    QEMU_MONITOR_MIGRATION_PARAM_ANNOUNCE_ROUNDS,
    QEMU_MONITOR_MIGRATION_PARAM_ANNOUNCE_STEP,
    QEMU_MONITOR_MIGRATION_PARAM_COMPRESS_LEVEL,
    QEMU_MONITOR_MIGRATION_PARAM_COMPRESS_THREADS,
    QEMU_MONITOR_MIGRATION_PARAM_COMPRESS_WAIT_THREAD,
    QEMU_MONITOR_MIGRATION_PARAM_DECOMPRESS_THREADS,
    QEMU_MONITOR_MIGRATION_PARAM_THROTTLE_TRIGGER_THRESHOLD,
    QEMU_MONITOR_MIGRATION_PARAM_CPU_THROTTLE_INITIAL,
    QEMU_MONITOR_MIGRATION_PARAM_CPU_THROTTLE_INCREMENT,
    QEMU_MONITOR_MIGRATION_PARAM_CPU_THROTTLE_TAILSLOW,
    QEMU_MONITOR_MIGRATION_PARAM_TLS_CREDS,
    QEMU_MONITOR_MIGRATION_PARAM_TLS_HOSTNAME,
    QEMU_MONITOR_MIGRATION_PARAM_TLS_AUTHZ,
    QEMU_MONITOR_MIGRATION_PARAM_MAX_BANDWIDTH,
    QEMU_MONITOR_MIGRATION_PARAM_DOWNTIME_LIMIT,
    QEMU_MONITOR_MIGRATION_PARAM_X_CHECKPOINT_DELAY,
    QEMU_MONITOR_MIGRATION_PARAM_BLOCK_INCREMENTAL,
    QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_CHANNELS,
    QEMU_MONITOR_MIGRATION_PARAM_XBZRLE_CACHE_SIZE,
    QEMU_MONITOR_MIGRATION_PARAM_MAX_POSTCOPY_BANDWIDTH,
    QEMU_MONITOR_MIGRATION_PARAM_MAX_CPU_THROTTLE,
    QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_COMPRESSION,
    QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_ZLIB_LEVEL,
    QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_ZSTD_LEVEL,

    QEMU_MONITOR_MIGRATION_PARAM_LAST
} QemuMonitorMigrationParam;

/* Value kind of a migration parameter. */
typedef enum {
    QEMU_MONITOR_PARAM_TYPE_UINT = 0,
    QEMU_MONITOR_PARAM_TYPE_BOOL,
    QEMU_MONITOR_PARAM_TYPE_STRING,

    QEMU_MONITOR_PARAM_TYPE_LAST
} QemuMonitorParamType;

/* The events parsed into typed data; OTHER keeps the raw data only. */
typedef enum {
    QEMU_MONITOR_EVENT_OTHER = 0,
    QEMU_MONITOR_EVENT_STOP,
    QEMU_MONITOR_EVENT_RESUME,
    QEMU_MONITOR_EVENT_SHUTDOWN,
    QEMU_MONITOR_EVENT_RESET,
    QEMU_MONITOR_EVENT_POWERDOWN,
    QEMU_MONITOR_EVENT_GUEST_PANICKED,
    QEMU_MONITOR_EVENT_MIGRATION,
    QEMU_MONITOR_EVENT_MIGRATION_PASS,
    QEMU_MONITOR_EVENT_DEVICE_DELETED,
    QEMU_MONITOR_EVENT_BALLOON_CHANGE,
    QEMU_MONITOR_EVENT_BLOCK_IO_ERROR,
    QEMU_MONITOR_EVENT_DUMP_COMPLETED,

    QEMU_MONITOR_EVENT_LAST
} QemuMonitorEventType;

/* What kind of line the monitor sent. */
typedef enum {
    QEMU_MONITOR_MESSAGE_GREETING = 0,
    QEMU_MONITOR_MESSAGE_REPLY,
    QEMU_MONITOR_MESSAGE_EVENT,

    QEMU_MONITOR_MESSAGE_LAST
} QemuMonitorMessageType;

const char *qemuMonitorJSONRunStateToString(QemuMonitorRunState state);
QemuMonitorRunState qemuMonitorJSONRunStateFromString(const char *str);
const char *qemuMonitorJSONMigrationStatusToString(QemuMonitorMigrationStatus status);
QemuMonitorMigrationStatus qemuMonitorJSONMigrationStatusFromString(const char *str);
const char *qemuMonitorJSONMigrationCapToString(QemuMonitorMigrationCap cap);
int qemuMonitorJSONMigrationCapFromString(const char *str);
const char *qemuMonitorJSONMigrationParamToString(QemuMonitorMigrationParam param);
int qemuMonitorJSONMigrationParamFromString(const char *str);
QemuMonitorParamType qemuMonitorJSONMigrationParamType(QemuMonitorMigrationParam param);
const char *qemuMonitorJSONEventTypeToString(QemuMonitorEventType type);

void qemuMonitorJSONRunStateToDomainState(QemuMonitorRunState state, bool running,
                                          int *retState, int *retReason);

/* ---------------------------------------------------------------- */
/* Parsed data                                                      */

/* One line received from the monitor, classified. */
typedef struct {
    QemuMonitorMessageType type;
    json_object *obj;   /* the whole message (owned reference) */
    char *id;           /* a reply's "id" when it is a string, else NULL */
} QemuMonitorMessage;
void qemuMonitorJSONMessageFree(QemuMonitorMessage *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorMessage, qemuMonitorJSONMessageFree);

/* query-version, and the greeting's "version" member. */
typedef struct {
    unsigned int major;
    unsigned int minor;
    unsigned int micro;
    char *package;      /* never NULL after parsing, may be "" */
} QemuMonitorVersion;
void qemuMonitorJSONVersionFree(QemuMonitorVersion *ver);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorVersion, qemuMonitorJSONVersionFree);

/* query-status. */
typedef struct {
    bool running;
    QemuMonitorRunState state;
    char *stateName;    /* QEMU's string, also for UNKNOWN */
} QemuMonitorStatus;
void qemuMonitorJSONStatusFree(QemuMonitorStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorStatus, qemuMonitorJSONStatusFree);

/* One element of query-cpus-fast. */
typedef struct {
    int cpuIndex;
    int64_t threadId;
    char *qomPath;
    char *target;
} QemuMonitorCPUInfo;
void qemuMonitorJSONCPUInfoFree(QemuMonitorCPUInfo *info);

/* query-kvm. */
typedef struct {
    bool enabled;
    bool present;
} QemuMonitorKVMState;

/* One element of query-machines. */
typedef struct {
    char *name;
    char *alias;            /* NULL when absent */
    bool isDefault;
    int cpuMax;
    bool hotplugCpus;
    bool deprecated;
    bool numaMemSupported;
    char *defaultCpuType;   /* NULL when absent */
    char *defaultRamId;     /* NULL when absent */
} QemuMonitorMachineInfo;
void qemuMonitorJSONMachineInfoFree(QemuMonitorMachineInfo *info);

/* MigrationStats (the "ram" and "disk" members of query-migrate). */
typedef struct {
    uint64_t transferred;
    uint64_t remaining;
    uint64_t total;
    uint64_t duplicate;
    uint64_t normal;
    uint64_t normalBytes;
    uint64_t dirtyPagesRate;
    double mbps;
    uint64_t dirtySyncCount;
    uint64_t postcopyRequests;
    uint64_t pageSize;
} QemuMonitorMigrationStats;

/* query-migrate.  The has* flags tell which optional members QEMU sent. */
typedef struct {
    QemuMonitorMigrationStatus status;  /* NONE when QEMU sent no status */
    bool hasRam;
    QemuMonitorMigrationStats ram;
    bool hasDisk;
    QemuMonitorMigrationStats disk;
    bool hasXbzrle;
    uint64_t xbzrleCacheSize;
    uint64_t xbzrleBytes;
    uint64_t xbzrlePages;
    uint64_t xbzrleCacheMiss;
    double xbzrleCacheMissRate;
    uint64_t xbzrleOverflow;
    bool hasTotalTime;
    uint64_t totalTime;         /* ms */
    bool hasExpectedDowntime;
    uint64_t expectedDowntime;  /* ms */
    bool hasDowntime;
    uint64_t downtime;          /* ms */
    bool hasSetupTime;
    uint64_t setupTime;         /* ms */
    bool hasCpuThrottle;
    int cpuThrottlePercentage;
    char *errorDesc;            /* NULL when absent */
} QemuMonitorMigrationInfo;
void qemuMonitorJSONMigrationInfoFree(QemuMonitorMigrationInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorMigrationInfo, qemuMonitorJSONMigrationInfoFree);

/* Migration parameters to set, or as queried.  set[p] says whether
 * parameter p is present; its value is in num[p], flag[p] or str[p]
 * according to qemuMonitorJSONMigrationParamType(p). */
typedef struct {
    bool set[QEMU_MONITOR_MIGRATION_PARAM_LAST];
    uint64_t num[QEMU_MONITOR_MIGRATION_PARAM_LAST];
    bool flag[QEMU_MONITOR_MIGRATION_PARAM_LAST];
    char *str[QEMU_MONITOR_MIGRATION_PARAM_LAST];
} QemuMonitorMigrationParams;
QemuMonitorMigrationParams *qemuMonitorJSONMigrationParamsNew(void);
void qemuMonitorJSONMigrationParamsFree(QemuMonitorMigrationParams *params);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorMigrationParams, qemuMonitorJSONMigrationParamsFree);
int qemuMonitorJSONMigrationParamsSetUInt(QemuMonitorMigrationParams *params,
                                          QemuMonitorMigrationParam param, uint64_t value);
int qemuMonitorJSONMigrationParamsSetBool(QemuMonitorMigrationParams *params,
                                          QemuMonitorMigrationParam param, bool value);
int qemuMonitorJSONMigrationParamsSetString(QemuMonitorMigrationParams *params,
                                            QemuMonitorMigrationParam param,
                                            const char *value);

/* Migration capabilities to set, or as queried: set[c] says whether
 * capability c is present, state[c] its value. */
typedef struct {
    bool set[QEMU_MONITOR_MIGRATION_CAP_LAST];
    bool state[QEMU_MONITOR_MIGRATION_CAP_LAST];
} QemuMonitorMigrationCaps;

/* One element of qom-list. */
typedef struct {
    char *name;
    char *type;
} QemuMonitorQomProperty;
void qemuMonitorJSONQomPropertyFree(QemuMonitorQomProperty *prop);

/* One element of query-chardev. */
typedef struct {
    char *label;
    char *filename;
    char *ptyPath;      /* the path after "pty:", NULL for other backends */
    bool frontendOpen;
} QemuMonitorChardevInfo;
void qemuMonitorJSONChardevInfoFree(QemuMonitorChardevInfo *info);

/* One element of query-block (the members a driver needs). */
typedef struct {
    char *device;       /* "" when the drive has no legacy name */
    char *qdev;         /* NULL when absent */
    bool removable;
    bool locked;
    bool hasTrayOpen;
    bool trayOpen;
    char *ioStatus;     /* NULL when absent */
    bool inserted;      /* a medium is present; the members below are valid */
    char *file;
    char *nodeName;     /* NULL when absent */
    char *format;       /* "drv" */
    bool readonly;
} QemuMonitorBlockInfo;
void qemuMonitorJSONBlockInfoFree(QemuMonitorBlockInfo *info);

/* One element of query-blockstats (the front-end statistics). */
typedef struct {
    char *device;       /* "" when the drive has no legacy name */
    char *qdev;         /* NULL when absent */
    char *nodeName;     /* NULL when absent */
    uint64_t rdBytes;
    uint64_t wrBytes;
    uint64_t rdOperations;
    uint64_t wrOperations;
    uint64_t flushOperations;
    uint64_t rdTotalTimeNs;
    uint64_t wrTotalTimeNs;
    uint64_t flushTotalTimeNs;
    bool hasWrHighestOffset;
    uint64_t wrHighestOffset;
} QemuMonitorBlockStats;
void qemuMonitorJSONBlockStatsFree(QemuMonitorBlockStats *stats);

/* query-vnc (server part). */
typedef struct {
    bool enabled;
    char *host;         /* NULL when absent */
    char *service;
    char *family;
    char *auth;
} QemuMonitorVNCInfo;
void qemuMonitorJSONVNCInfoFree(QemuMonitorVNCInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorVNCInfo, qemuMonitorJSONVNCInfoFree);

/* query-spice (server part). */
typedef struct {
    bool enabled;
    bool migrated;
    char *host;         /* NULL when absent */
    int port;           /* -1 when absent */
    int tlsPort;        /* -1 when absent */
    char *auth;
    char *mouseMode;
} QemuMonitorSpiceInfo;
void qemuMonitorJSONSpiceInfoFree(QemuMonitorSpiceInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorSpiceInfo, qemuMonitorJSONSpiceInfoFree);

/* An asynchronous event. */
typedef struct {
    QemuMonitorEventType type;
    char *name;         /* QEMU's event name */
    int64_t seconds;    /* timestamp; -1 when QEMU sent none */
    int64_t micros;
    json_object *data;  /* raw "data" (owned reference), NULL when absent */
    union {
        struct {
            bool guest;         /* the guest asked for it */
            char *reason;       /* ShutdownCause, NULL when absent */
        } shutdown;             /* SHUTDOWN and RESET */
        struct {
            char *action;       /* "pause", "poweroff", "run" */
        } panic;
        struct {
            QemuMonitorMigrationStatus status;
            char *statusName;
        } migration;
        struct {
            int64_t pass;
        } migrationPass;
        struct {
            char *device;       /* NULL when the device had no id */
            char *path;
        } deviceDeleted;
        struct {
            uint64_t actual;    /* bytes */
        } balloon;
        struct {
            char *device;       /* the block backend's name, NULL or "" with -blockdev */
            char *nodeName;     /* the node's name, NULL when absent */
            char *action;       /* "ignore", "report", "stop" */
            bool nospace;       /* the error was ENOSPC */
        } ioError;
        struct {
            char *status;       /* DumpStatus: "completed", "failed", ... */
            uint64_t total;     /* bytes */
            uint64_t completed;
            char *error;        /* QEMU's reason of a failure, NULL when none */
        } dump;
    } u;
} QemuMonitorEvent;
void qemuMonitorJSONEventFree(QemuMonitorEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorEvent, qemuMonitorJSONEventFree);

/* ---------------------------------------------------------------- */
/* Wire messages                                                    */

QemuMonitorMessage *qemuMonitorJSONParseMessage(const char *line, size_t len);
QemuMonitorVersion *qemuMonitorJSONParseGreeting(json_object *msg);
QemuMonitorEvent *qemuMonitorJSONParseEvent(json_object *msg);
const char *qemuMonitorJSONCommandName(json_object *cmd);
char *qemuMonitorJSONFormatRedacted(json_object *cmd, bool secret);

/* ---------------------------------------------------------------- */
/* Commands                                                         */

json_object *qemuMonitorJSONMakeCommand(const char *name, json_object *args);
json_object *qemuMonitorJSONBuildBalloon(uint64_t bytes);
json_object *qemuMonitorJSONBuildMigrate(const char *uri, bool resume);
json_object *qemuMonitorJSONBuildMigrateIncoming(const char *uri);
json_object *qemuMonitorJSONBuildMigrateContinue(QemuMonitorMigrationStatus status);
json_object *qemuMonitorJSONBuildMigrateSetCapabilities(const QemuMonitorMigrationCaps *caps);
json_object *qemuMonitorJSONBuildMigrateSetParameters(const QemuMonitorMigrationParams *params);
json_object *qemuMonitorJSONBuildHumanCommand(const char *cmdline);
json_object *qemuMonitorJSONBuildQomList(const char *path);
json_object *qemuMonitorJSONBuildQomGet(const char *path, const char *property);
json_object *qemuMonitorJSONBuildClientMigrateInfo(const char *protocol, const char *hostname,
                                                   int port, int tlsPort,
                                                   const char *certSubject);
json_object *qemuMonitorJSONBuildArbitrary(const char *text);

/* ---------------------------------------------------------------- */
/* Replies                                                          */

int qemuMonitorJSONCheckReply(json_object *reply, const char *cmd, json_type type,
                              json_object **retData);
const char *qemuMonitorJSONReplyErrorClass(json_object *reply);

QemuMonitorStatus *qemuMonitorJSONParseStatus(json_object *reply);
GPtrArray *qemuMonitorJSONParseCPUInfo(json_object *reply);
int qemuMonitorJSONParseBalloon(json_object *reply, uint64_t *retActual);
QemuMonitorVersion *qemuMonitorJSONParseVersion(json_object *reply);
int qemuMonitorJSONParseKVM(json_object *reply, QemuMonitorKVMState *ret);
GPtrArray *qemuMonitorJSONParseMachines(json_object *reply);
char **qemuMonitorJSONParseCommands(json_object *reply);
QemuMonitorMigrationInfo *qemuMonitorJSONParseMigrationInfo(json_object *reply);
QemuMonitorMigrationParams *qemuMonitorJSONParseMigrationParams(json_object *reply);
int qemuMonitorJSONParseMigrationCaps(json_object *reply, QemuMonitorMigrationCaps *ret);
char *qemuMonitorJSONParseHumanCommand(json_object *reply);
GPtrArray *qemuMonitorJSONParseQomList(json_object *reply);
json_object *qemuMonitorJSONParseQomGet(json_object *reply);
GPtrArray *qemuMonitorJSONParseChardevs(json_object *reply);
GPtrArray *qemuMonitorJSONParseBlockInfo(json_object *reply);
GPtrArray *qemuMonitorJSONParseBlockStats(json_object *reply);
QemuMonitorVNCInfo *qemuMonitorJSONParseVNC(json_object *reply);
QemuMonitorSpiceInfo *qemuMonitorJSONParseSpice(json_object *reply);
