/* Pure QMP encoding and decoding: builds commands, parses replies and events; no I/O. */
#define ERR_DOMAIN VIR_FROM_QEMU

#include <libvirt/libvirt.h>

#include "qemu/qemu_monitor_json.h"
#include "util/enum.h"
#include "util/error.h"
#include "util/str.h"

/* ---------------------------------------------------------------- */
/* Enumerations                                                     */

static const char *const runStateNames[] = {
    [QEMU_MONITOR_RUN_STATE_UNKNOWN] = "unknown",
    [QEMU_MONITOR_RUN_STATE_DEBUG] = "debug",
    [QEMU_MONITOR_RUN_STATE_INMIGRATE] = "inmigrate",
    [QEMU_MONITOR_RUN_STATE_INTERNAL_ERROR] = "internal-error",
    [QEMU_MONITOR_RUN_STATE_IO_ERROR] = "io-error",
    [QEMU_MONITOR_RUN_STATE_PAUSED] = "paused",
    [QEMU_MONITOR_RUN_STATE_POSTMIGRATE] = "postmigrate",
    [QEMU_MONITOR_RUN_STATE_PRELAUNCH] = "prelaunch",
    [QEMU_MONITOR_RUN_STATE_FINISH_MIGRATE] = "finish-migrate",
    [QEMU_MONITOR_RUN_STATE_RESTORE_VM] = "restore-vm",
    [QEMU_MONITOR_RUN_STATE_RUNNING] = "running",
    [QEMU_MONITOR_RUN_STATE_SAVE_VM] = "save-vm",
    [QEMU_MONITOR_RUN_STATE_SHUTDOWN] = "shutdown",
    [QEMU_MONITOR_RUN_STATE_SUSPENDED] = "suspended",
    [QEMU_MONITOR_RUN_STATE_WATCHDOG] = "watchdog",
    [QEMU_MONITOR_RUN_STATE_GUEST_PANICKED] = "guest-panicked",
    [QEMU_MONITOR_RUN_STATE_COLO] = "colo",
};
G_STATIC_ASSERT(G_N_ELEMENTS(runStateNames) == QEMU_MONITOR_RUN_STATE_LAST);

static const char *const migrationStatusNames[] = {
    [QEMU_MONITOR_MIGRATION_STATUS_UNKNOWN] = "unknown",
    [QEMU_MONITOR_MIGRATION_STATUS_NONE] = "none",
    [QEMU_MONITOR_MIGRATION_STATUS_SETUP] = "setup",
    [QEMU_MONITOR_MIGRATION_STATUS_CANCELLING] = "cancelling",
    [QEMU_MONITOR_MIGRATION_STATUS_CANCELLED] = "cancelled",
    [QEMU_MONITOR_MIGRATION_STATUS_ACTIVE] = "active",
    [QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE] = "postcopy-active",
    [QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED] = "postcopy-paused",
    [QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER] = "postcopy-recover",
    [QEMU_MONITOR_MIGRATION_STATUS_COMPLETED] = "completed",
    [QEMU_MONITOR_MIGRATION_STATUS_FAILED] = "failed",
    [QEMU_MONITOR_MIGRATION_STATUS_COLO] = "colo",
    [QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER] = "pre-switchover",
    [QEMU_MONITOR_MIGRATION_STATUS_DEVICE] = "device",
    [QEMU_MONITOR_MIGRATION_STATUS_WAIT_UNPLUG] = "wait-unplug",
};
G_STATIC_ASSERT(G_N_ELEMENTS(migrationStatusNames) == QEMU_MONITOR_MIGRATION_STATUS_LAST);

static const char *const migrationCapNames[] = {
    [QEMU_MONITOR_MIGRATION_CAP_XBZRLE] = "xbzrle",
    [QEMU_MONITOR_MIGRATION_CAP_RDMA_PIN_ALL] = "rdma-pin-all",
    [QEMU_MONITOR_MIGRATION_CAP_AUTO_CONVERGE] = "auto-converge",
    [QEMU_MONITOR_MIGRATION_CAP_ZERO_BLOCKS] = "zero-blocks",
    [QEMU_MONITOR_MIGRATION_CAP_COMPRESS] = "compress",
    [QEMU_MONITOR_MIGRATION_CAP_EVENTS] = "events",
    [QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_RAM] = "postcopy-ram",
    [QEMU_MONITOR_MIGRATION_CAP_X_COLO] = "x-colo",
    [QEMU_MONITOR_MIGRATION_CAP_RELEASE_RAM] = "release-ram",
    [QEMU_MONITOR_MIGRATION_CAP_BLOCK] = "block",
    [QEMU_MONITOR_MIGRATION_CAP_RETURN_PATH] = "return-path",
    [QEMU_MONITOR_MIGRATION_CAP_PAUSE_BEFORE_SWITCHOVER] = "pause-before-switchover",
    [QEMU_MONITOR_MIGRATION_CAP_MULTIFD] = "multifd",
    [QEMU_MONITOR_MIGRATION_CAP_DIRTY_BITMAPS] = "dirty-bitmaps",
    [QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_BLOCKTIME] = "postcopy-blocktime",
    [QEMU_MONITOR_MIGRATION_CAP_LATE_BLOCK_ACTIVATE] = "late-block-activate",
    [QEMU_MONITOR_MIGRATION_CAP_X_IGNORE_SHARED] = "x-ignore-shared",
    [QEMU_MONITOR_MIGRATION_CAP_VALIDATE_UUID] = "validate-uuid",
    [QEMU_MONITOR_MIGRATION_CAP_BACKGROUND_SNAPSHOT] = "background-snapshot",
    [QEMU_MONITOR_MIGRATION_CAP_ZERO_COPY_SEND] = "zero-copy-send",
    [QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_PREEMPT] = "postcopy-preempt",
};
G_STATIC_ASSERT(G_N_ELEMENTS(migrationCapNames) == QEMU_MONITOR_MIGRATION_CAP_LAST);

typedef struct {
    const char *name;
    QemuMonitorParamType type;
} MigrationParamDesc;

static const MigrationParamDesc migrationParams[] = {
    [QEMU_MONITOR_MIGRATION_PARAM_ANNOUNCE_INITIAL] =
        { "announce-initial", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_ANNOUNCE_MAX] =
        { "announce-max", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_ANNOUNCE_ROUNDS] =
        { "announce-rounds", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_ANNOUNCE_STEP] =
        { "announce-step", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_COMPRESS_LEVEL] =
        { "compress-level", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_COMPRESS_THREADS] =
        { "compress-threads", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_COMPRESS_WAIT_THREAD] =
        { "compress-wait-thread", QEMU_MONITOR_PARAM_TYPE_BOOL },
    [QEMU_MONITOR_MIGRATION_PARAM_DECOMPRESS_THREADS] =
        { "decompress-threads", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_THROTTLE_TRIGGER_THRESHOLD] =
        { "throttle-trigger-threshold", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_CPU_THROTTLE_INITIAL] =
        { "cpu-throttle-initial", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_CPU_THROTTLE_INCREMENT] =
        { "cpu-throttle-increment", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_CPU_THROTTLE_TAILSLOW] =
        { "cpu-throttle-tailslow", QEMU_MONITOR_PARAM_TYPE_BOOL },
    [QEMU_MONITOR_MIGRATION_PARAM_TLS_CREDS] =
        { "tls-creds", QEMU_MONITOR_PARAM_TYPE_STRING },
    [QEMU_MONITOR_MIGRATION_PARAM_TLS_HOSTNAME] =
        { "tls-hostname", QEMU_MONITOR_PARAM_TYPE_STRING },
    [QEMU_MONITOR_MIGRATION_PARAM_TLS_AUTHZ] =
        { "tls-authz", QEMU_MONITOR_PARAM_TYPE_STRING },
    [QEMU_MONITOR_MIGRATION_PARAM_MAX_BANDWIDTH] =
        { "max-bandwidth", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_DOWNTIME_LIMIT] =
        { "downtime-limit", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_X_CHECKPOINT_DELAY] =
        { "x-checkpoint-delay", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_BLOCK_INCREMENTAL] =
        { "block-incremental", QEMU_MONITOR_PARAM_TYPE_BOOL },
    [QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_CHANNELS] =
        { "multifd-channels", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_XBZRLE_CACHE_SIZE] =
        { "xbzrle-cache-size", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_MAX_POSTCOPY_BANDWIDTH] =
        { "max-postcopy-bandwidth", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_MAX_CPU_THROTTLE] =
        { "max-cpu-throttle", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_COMPRESSION] =
        { "multifd-compression", QEMU_MONITOR_PARAM_TYPE_STRING },
    [QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_ZLIB_LEVEL] =
        { "multifd-zlib-level", QEMU_MONITOR_PARAM_TYPE_UINT },
    [QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_ZSTD_LEVEL] =
        { "multifd-zstd-level", QEMU_MONITOR_PARAM_TYPE_UINT },
};
G_STATIC_ASSERT(G_N_ELEMENTS(migrationParams) == QEMU_MONITOR_MIGRATION_PARAM_LAST);

static const char *const eventNames[] = {
    [QEMU_MONITOR_EVENT_OTHER] = NULL,
    [QEMU_MONITOR_EVENT_STOP] = "STOP",
    [QEMU_MONITOR_EVENT_RESUME] = "RESUME",
    [QEMU_MONITOR_EVENT_SHUTDOWN] = "SHUTDOWN",
    [QEMU_MONITOR_EVENT_RESET] = "RESET",
    [QEMU_MONITOR_EVENT_POWERDOWN] = "POWERDOWN",
    [QEMU_MONITOR_EVENT_GUEST_PANICKED] = "GUEST_PANICKED",
    [QEMU_MONITOR_EVENT_MIGRATION] = "MIGRATION",
    [QEMU_MONITOR_EVENT_MIGRATION_PASS] = "MIGRATION_PASS",
    [QEMU_MONITOR_EVENT_DEVICE_DELETED] = "DEVICE_DELETED",
    [QEMU_MONITOR_EVENT_BALLOON_CHANGE] = "BALLOON_CHANGE",
    [QEMU_MONITOR_EVENT_BLOCK_IO_ERROR] = "BLOCK_IO_ERROR",
    [QEMU_MONITOR_EVENT_DUMP_COMPLETED] = "DUMP_COMPLETED",
};
G_STATIC_ASSERT(G_N_ELEMENTS(eventNames) == QEMU_MONITOR_EVENT_LAST);

/**
 * qemuMonitorJSONRunStateToString:
 * @state: a run state
 *
 * Returns: QEMU's name for @state (static), "unknown" for UNKNOWN or an
 * out-of-range value.
 */
const char *
qemuMonitorJSONRunStateToString(QemuMonitorRunState state)
{
    if ((int)state < 0 || state >= QEMU_MONITOR_RUN_STATE_LAST)
        return runStateNames[QEMU_MONITOR_RUN_STATE_UNKNOWN];
    return runStateNames[state];
}

/**
 * qemuMonitorJSONRunStateFromString:
 * @str: QEMU's RunState name
 *
 * Returns: the matching value, QEMU_MONITOR_RUN_STATE_UNKNOWN when @str is
 * not a name this code knows.
 */
QemuMonitorRunState
qemuMonitorJSONRunStateFromString(const char *str)
{
    int v = enumFromString(runStateNames, G_N_ELEMENTS(runStateNames), str);

    return v < 0 ? QEMU_MONITOR_RUN_STATE_UNKNOWN : (QemuMonitorRunState)v;
}

/**
 * qemuMonitorJSONMigrationStatusToString:
 * @status: a migration status
 *
 * Returns: QEMU's name for @status (static), "unknown" when out of range.
 */
const char *
qemuMonitorJSONMigrationStatusToString(QemuMonitorMigrationStatus status)
{
    if ((int)status < 0 || status >= QEMU_MONITOR_MIGRATION_STATUS_LAST)
        return migrationStatusNames[QEMU_MONITOR_MIGRATION_STATUS_UNKNOWN];
    return migrationStatusNames[status];
}

/**
 * qemuMonitorJSONMigrationStatusFromString:
 * @str: QEMU's MigrationStatus name
 *
 * Returns: the matching value, QEMU_MONITOR_MIGRATION_STATUS_UNKNOWN for a
 * name this code does not know.
 */
QemuMonitorMigrationStatus
qemuMonitorJSONMigrationStatusFromString(const char *str)
{
    int v = enumFromString(migrationStatusNames, G_N_ELEMENTS(migrationStatusNames), str);

    return v < 0 ? QEMU_MONITOR_MIGRATION_STATUS_UNKNOWN : (QemuMonitorMigrationStatus)v;
}

/**
 * qemuMonitorJSONMigrationCapToString:
 * @cap: a migration capability
 *
 * Returns: QEMU's name (static), or NULL when @cap is out of range.
 */
const char *
qemuMonitorJSONMigrationCapToString(QemuMonitorMigrationCap cap)
{
    if ((int)cap < 0 || cap >= QEMU_MONITOR_MIGRATION_CAP_LAST)
        return NULL;
    return migrationCapNames[cap];
}

/**
 * qemuMonitorJSONMigrationCapFromString:
 * @str: QEMU's MigrationCapability name
 *
 * Returns: the QemuMonitorMigrationCap value, or -1 when unknown (no
 * error reported).
 */
int
qemuMonitorJSONMigrationCapFromString(const char *str)
{
    return enumFromString(migrationCapNames, G_N_ELEMENTS(migrationCapNames), str);
}

/**
 * qemuMonitorJSONMigrationParamToString:
 * @param: a migration parameter
 *
 * Returns: QEMU's member name (static), or NULL when out of range.
 */
const char *
qemuMonitorJSONMigrationParamToString(QemuMonitorMigrationParam param)
{
    if ((int)param < 0 || param >= QEMU_MONITOR_MIGRATION_PARAM_LAST)
        return NULL;
    return migrationParams[param].name;
}

/**
 * qemuMonitorJSONMigrationParamFromString:
 * @str: a MigrationParameters member name
 *
 * Returns: the QemuMonitorMigrationParam value, or -1 when unknown (no
 * error reported).
 */
int
qemuMonitorJSONMigrationParamFromString(const char *str)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(migrationParams); i++) {
        if (streq(migrationParams[i].name, str))
            return (int)i;
    }
    return -1;
}

/**
 * qemuMonitorJSONMigrationParamType:
 * @param: a migration parameter (must be in range)
 *
 * Returns: the kind of value @param holds.
 */
QemuMonitorParamType
qemuMonitorJSONMigrationParamType(QemuMonitorMigrationParam param)
{
    g_return_val_if_fail((int)param >= 0 && param < QEMU_MONITOR_MIGRATION_PARAM_LAST,
                         QEMU_MONITOR_PARAM_TYPE_UINT);
    return migrationParams[param].type;
}

/**
 * qemuMonitorJSONEventTypeToString:
 * @type: an event type
 *
 * Returns: QEMU's event name (static), "OTHER" for QEMU_MONITOR_EVENT_OTHER.
 */
const char *
qemuMonitorJSONEventTypeToString(QemuMonitorEventType type)
{
    if ((int)type <= 0 || type >= QEMU_MONITOR_EVENT_LAST)
        return "OTHER";
    return eventNames[type];
}

typedef struct {
    int state;
    int reason;
} RunStateMapping;

/*
 * Domain state and reason for each QEMU run state, as libvirt reports them
 * when it learns a state from QEMU (after a reconnect, or when reconciling
 * a command whose reply came late).  "shutdown" and "guest-panicked" are
 * final states, not pauses; "prelaunch" is QEMU started with -S.
 */
static const RunStateMapping runStateMapping[] = {
    [QEMU_MONITOR_RUN_STATE_UNKNOWN] = { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN },
    [QEMU_MONITOR_RUN_STATE_DEBUG] = { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN },
    [QEMU_MONITOR_RUN_STATE_INMIGRATE] = { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION },
    [QEMU_MONITOR_RUN_STATE_INTERNAL_ERROR] = { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN },
    [QEMU_MONITOR_RUN_STATE_IO_ERROR] = { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_IOERROR },
    [QEMU_MONITOR_RUN_STATE_PAUSED] = { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER },
    [QEMU_MONITOR_RUN_STATE_POSTMIGRATE] = { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION },
    [QEMU_MONITOR_RUN_STATE_PRELAUNCH] = { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER },
    [QEMU_MONITOR_RUN_STATE_FINISH_MIGRATE] = { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION },
    [QEMU_MONITOR_RUN_STATE_RESTORE_VM] = { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN },
    [QEMU_MONITOR_RUN_STATE_RUNNING] = { VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED },
    [QEMU_MONITOR_RUN_STATE_SAVE_VM] = { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_SAVE },
    [QEMU_MONITOR_RUN_STATE_SHUTDOWN] = { VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_UNKNOWN },
    [QEMU_MONITOR_RUN_STATE_SUSPENDED] = { VIR_DOMAIN_PMSUSPENDED, VIR_DOMAIN_PMSUSPENDED_UNKNOWN },
    [QEMU_MONITOR_RUN_STATE_WATCHDOG] = { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_WATCHDOG },
    [QEMU_MONITOR_RUN_STATE_GUEST_PANICKED] = { VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED },
    [QEMU_MONITOR_RUN_STATE_COLO] = { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN },
};
G_STATIC_ASSERT(G_N_ELEMENTS(runStateMapping) == QEMU_MONITOR_RUN_STATE_LAST);

/**
 * qemuMonitorJSONRunStateToDomainState:
 * @state: the run state from query-status
 * @running: query-status's "running" flag
 * @retState: set to a virDomainState value
 * @retReason: set to the matching reason enum value (virDomainRunningReason,
 *             virDomainPausedReason ...)
 *
 * Maps a QEMU run state to the state and reason libvirt shows.  A state
 * this code does not know maps to running/unknown or paused/unknown
 * according to @running; "running" with @running false (contradictory)
 * maps to paused/unknown.
 */
void
qemuMonitorJSONRunStateToDomainState(QemuMonitorRunState state, bool running,
                                     int *retState, int *retReason)
{
    if (state == QEMU_MONITOR_RUN_STATE_RUNNING && !running) {
        /* Contradictory answer: trust the flag, as libvirt does. */
        *retState = VIR_DOMAIN_PAUSED;
        *retReason = VIR_DOMAIN_PAUSED_UNKNOWN;
        return;
    }
    if ((int)state <= 0 || state >= QEMU_MONITOR_RUN_STATE_LAST) {
        *retState = running ? VIR_DOMAIN_RUNNING : VIR_DOMAIN_PAUSED;
        *retReason = running ? VIR_DOMAIN_RUNNING_UNKNOWN : VIR_DOMAIN_PAUSED_UNKNOWN;
        return;
    }
    *retState = runStateMapping[state].state;
    *retReason = runStateMapping[state].reason;
}

/* ---------------------------------------------------------------- */
/* Free functions                                                   */

/**
 * qemuMonitorJSONMessageFree:
 * @msg: a message, or NULL
 *
 * Releases @msg and its JSON reference.
 */
void
qemuMonitorJSONMessageFree(QemuMonitorMessage *msg)
{
    if (!msg)
        return;
    json_object_put(msg->obj);
    g_free(msg->id);
    g_free(msg);
}

/**
 * qemuMonitorJSONVersionFree:
 * @ver: a version, or NULL
 */
void
qemuMonitorJSONVersionFree(QemuMonitorVersion *ver)
{
    if (!ver)
        return;
    g_free(ver->package);
    g_free(ver);
}

/**
 * qemuMonitorJSONStatusFree:
 * @status: a status, or NULL
 */
void
qemuMonitorJSONStatusFree(QemuMonitorStatus *status)
{
    if (!status)
        return;
    g_free(status->stateName);
    g_free(status);
}

/**
 * qemuMonitorJSONCPUInfoFree:
 * @info: a vCPU entry, or NULL
 */
void
qemuMonitorJSONCPUInfoFree(QemuMonitorCPUInfo *info)
{
    if (!info)
        return;
    g_free(info->qomPath);
    g_free(info->target);
    g_free(info);
}

/**
 * qemuMonitorJSONMachineInfoFree:
 * @info: a machine entry, or NULL
 */
void
qemuMonitorJSONMachineInfoFree(QemuMonitorMachineInfo *info)
{
    if (!info)
        return;
    g_free(info->name);
    g_free(info->alias);
    g_free(info->defaultCpuType);
    g_free(info->defaultRamId);
    g_free(info);
}

/**
 * qemuMonitorJSONMigrationInfoFree:
 * @info: migration info, or NULL
 */
void
qemuMonitorJSONMigrationInfoFree(QemuMonitorMigrationInfo *info)
{
    if (!info)
        return;
    g_free(info->errorDesc);
    g_free(info);
}

/**
 * qemuMonitorJSONMigrationParamsNew:
 *
 * Returns: an empty parameter set (nothing set); caller owns it.
 */
QemuMonitorMigrationParams *
qemuMonitorJSONMigrationParamsNew(void)
{
    return g_new0(QemuMonitorMigrationParams, 1);
}

/**
 * qemuMonitorJSONMigrationParamsFree:
 * @params: a parameter set, or NULL
 */
void
qemuMonitorJSONMigrationParamsFree(QemuMonitorMigrationParams *params)
{
    size_t i;

    if (!params)
        return;
    for (i = 0; i < QEMU_MONITOR_MIGRATION_PARAM_LAST; i++)
        g_free(params->str[i]);
    g_free(params);
}

static int
qemuMonitorJSONMigrationParamCheck(QemuMonitorMigrationParam param, QemuMonitorParamType type)
{
    if ((int)param < 0 || param >= QEMU_MONITOR_MIGRATION_PARAM_LAST) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("unknown migration parameter %1$d"), (int)param);
        return -1;
    }
    if (migrationParams[param].type != type) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("migration parameter '%1$s' has another type"),
                    migrationParams[param].name);
        return -1;
    }
    return 0;
}

/**
 * qemuMonitorJSONMigrationParamsSetUInt:
 * @params: the set to change
 * @param: a parameter of type UINT
 * @value: its value
 *
 * Returns: 0 on success, -1 (error reported) when @param is not a number.
 */
int
qemuMonitorJSONMigrationParamsSetUInt(QemuMonitorMigrationParams *params,
                                      QemuMonitorMigrationParam param, uint64_t value)
{
    if (qemuMonitorJSONMigrationParamCheck(param, QEMU_MONITOR_PARAM_TYPE_UINT) < 0)
        return -1;
    params->set[param] = true;
    params->num[param] = value;
    return 0;
}

/**
 * qemuMonitorJSONMigrationParamsSetBool:
 * @params: the set to change
 * @param: a parameter of type BOOL
 * @value: its value
 *
 * Returns: 0 on success, -1 (error reported) when @param is not a boolean.
 */
int
qemuMonitorJSONMigrationParamsSetBool(QemuMonitorMigrationParams *params,
                                      QemuMonitorMigrationParam param, bool value)
{
    if (qemuMonitorJSONMigrationParamCheck(param, QEMU_MONITOR_PARAM_TYPE_BOOL) < 0)
        return -1;
    params->set[param] = true;
    params->flag[param] = value;
    return 0;
}

/**
 * qemuMonitorJSONMigrationParamsSetString:
 * @params: the set to change
 * @param: a parameter of type STRING
 * @value: its value (copied; "" is a valid value)
 *
 * Returns: 0 on success, -1 (error reported) when @param is not a string.
 */
int
qemuMonitorJSONMigrationParamsSetString(QemuMonitorMigrationParams *params,
                                        QemuMonitorMigrationParam param, const char *value)
{
    if (qemuMonitorJSONMigrationParamCheck(param, QEMU_MONITOR_PARAM_TYPE_STRING) < 0)
        return -1;
    params->set[param] = true;
    g_free(params->str[param]);
    params->str[param] = g_strdup(value ? value : "");
    return 0;
}

/**
 * qemuMonitorJSONQomPropertyFree:
 * @prop: a property, or NULL
 */
void
qemuMonitorJSONQomPropertyFree(QemuMonitorQomProperty *prop)
{
    if (!prop)
        return;
    g_free(prop->name);
    g_free(prop->type);
    g_free(prop);
}

/**
 * qemuMonitorJSONChardevInfoFree:
 * @info: a character device entry, or NULL
 */
void
qemuMonitorJSONChardevInfoFree(QemuMonitorChardevInfo *info)
{
    if (!info)
        return;
    g_free(info->label);
    g_free(info->filename);
    g_free(info->ptyPath);
    g_free(info);
}

/**
 * qemuMonitorJSONBlockInfoFree:
 * @info: a block device entry, or NULL
 */
void
qemuMonitorJSONBlockInfoFree(QemuMonitorBlockInfo *info)
{
    if (!info)
        return;
    g_free(info->device);
    g_free(info->qdev);
    g_free(info->ioStatus);
    g_free(info->file);
    g_free(info->nodeName);
    g_free(info->format);
    g_free(info);
}

/**
 * qemuMonitorJSONBlockStatsFree:
 * @stats: a statistics entry, or NULL
 */
void
qemuMonitorJSONBlockStatsFree(QemuMonitorBlockStats *stats)
{
    if (!stats)
        return;
    g_free(stats->device);
    g_free(stats->qdev);
    g_free(stats->nodeName);
    g_free(stats);
}

/**
 * qemuMonitorJSONVNCInfoFree:
 * @info: VNC info, or NULL
 */
void
qemuMonitorJSONVNCInfoFree(QemuMonitorVNCInfo *info)
{
    if (!info)
        return;
    g_free(info->host);
    g_free(info->service);
    g_free(info->family);
    g_free(info->auth);
    g_free(info);
}

/**
 * qemuMonitorJSONSpiceInfoFree:
 * @info: SPICE info, or NULL
 */
void
qemuMonitorJSONSpiceInfoFree(QemuMonitorSpiceInfo *info)
{
    if (!info)
        return;
    g_free(info->host);
    g_free(info->auth);
    g_free(info->mouseMode);
    g_free(info);
}

/**
 * qemuMonitorJSONEventFree:
 * @event: an event, or NULL
 */
void
qemuMonitorJSONEventFree(QemuMonitorEvent *event)
{
    if (!event)
        return;
    switch (event->type) {
    case QEMU_MONITOR_EVENT_SHUTDOWN:
    case QEMU_MONITOR_EVENT_RESET:
        g_free(event->u.shutdown.reason);
        break;
    case QEMU_MONITOR_EVENT_GUEST_PANICKED:
        g_free(event->u.panic.action);
        break;
    case QEMU_MONITOR_EVENT_MIGRATION:
        g_free(event->u.migration.statusName);
        break;
    case QEMU_MONITOR_EVENT_DEVICE_DELETED:
        g_free(event->u.deviceDeleted.device);
        g_free(event->u.deviceDeleted.path);
        break;
    case QEMU_MONITOR_EVENT_BLOCK_IO_ERROR:
        g_free(event->u.ioError.device);
        g_free(event->u.ioError.nodeName);
        g_free(event->u.ioError.action);
        break;
    case QEMU_MONITOR_EVENT_DUMP_COMPLETED:
        g_free(event->u.dump.status);
        g_free(event->u.dump.error);
        break;
    case QEMU_MONITOR_EVENT_OTHER:
    case QEMU_MONITOR_EVENT_STOP:
    case QEMU_MONITOR_EVENT_RESUME:
    case QEMU_MONITOR_EVENT_POWERDOWN:
    case QEMU_MONITOR_EVENT_MIGRATION_PASS:
    case QEMU_MONITOR_EVENT_BALLOON_CHANGE:
    case QEMU_MONITOR_EVENT_LAST:
        break;
    }
    json_object_put(event->data);
    g_free(event->name);
    g_free(event);
}

/* ---------------------------------------------------------------- */
/* Wire messages                                                    */

/**
 * qemuMonitorJSONParseMessage:
 * @line: one line from the monitor, without its line terminator
 * @len: its length
 *
 * Parses and classifies a line: greeting ("QMP"), event ("event") or reply
 * ("return" / "error").
 *
 * Returns: the message (caller owns it), or NULL with an error reported
 * (VIR_ERR_INTERNAL_ERROR) when the line is not JSON or not a QMP message.
 */
QemuMonitorMessage *
qemuMonitorJSONParseMessage(const char *line, size_t len)
{
    g_autoptr(json_object) obj = NULL;
    g_autofree char *reason = NULL;
    g_autoptr(QemuMonitorMessage) msg = g_new0(QemuMonitorMessage, 1);
    json_object *id = NULL;

    if (!(obj = jsonParseDetail(line, len, &reason))) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("cannot parse QEMU monitor message: %1$s"), reason);
        return NULL;
    }
    if (!json_object_is_type(obj, json_type_object)) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                    _("QEMU monitor message is not a JSON object"));
        return NULL;
    }

    if (jsonGetObject(obj, "QMP")) {
        msg->type = QEMU_MONITOR_MESSAGE_GREETING;
    } else if (jsonGetString(obj, "event")) {
        msg->type = QEMU_MONITOR_MESSAGE_EVENT;
    } else if (json_object_object_get_ex(obj, "return", NULL) ||
               jsonGetObject(obj, "error")) {
        msg->type = QEMU_MONITOR_MESSAGE_REPLY;
        if (json_object_object_get_ex(obj, "id", &id) &&
            json_object_is_type(id, json_type_string))
            msg->id = g_strdup(json_object_get_string(id));
    } else {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                    _("QEMU monitor message is neither a greeting, an event nor a reply"));
        return NULL;
    }
    msg->obj = g_steal_pointer(&obj);
    return g_steal_pointer(&msg);
}

static QemuMonitorVersion *
qemuMonitorJSONParseVersionObject(json_object *obj, const char *what)
{
    g_autoptr(QemuMonitorVersion) ver = g_new0(QemuMonitorVersion, 1);
    json_object *qemu = jsonGetObject(obj, "qemu");
    const char *package = jsonGetString(obj, "package");

    if (!qemu ||
        jsonGetUInt(qemu, "major", &ver->major) < 0 ||
        jsonGetUInt(qemu, "minor", &ver->minor) < 0 ||
        jsonGetUInt(qemu, "micro", &ver->micro) < 0) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("malformed QEMU version in %1$s"), what);
        return NULL;
    }
    ver->package = g_strdup(package ? package : "");
    return g_steal_pointer(&ver);
}

/**
 * qemuMonitorJSONParseGreeting:
 * @msg: a message of type GREETING
 *
 * Returns: the QEMU version announced in the greeting (caller owns it), or
 * NULL with an error reported.
 */
QemuMonitorVersion *
qemuMonitorJSONParseGreeting(json_object *msg)
{
    json_object *qmp = jsonGetObject(msg, "QMP");

    return qemuMonitorJSONParseVersionObject(jsonGetObject(qmp, "version"),
                                             _("the QMP greeting"));
}

static void
qemuMonitorJSONReportBadEvent(const char *name, const char *field)
{
    reportError(VIR_ERR_INTERNAL_ERROR,
                _("malformed QEMU event '%1$s': missing or invalid '%2$s'"), name, field);
}

/**
 * qemuMonitorJSONParseEvent:
 * @msg: a message of type EVENT
 *
 * Parses the event name, timestamp and, for the events listed in
 * QemuMonitorEventType, their data.  Any other event is returned as
 * QEMU_MONITOR_EVENT_OTHER with its raw data.
 *
 * Returns: the event (caller owns it), or NULL with an error reported
 * when a known event lacks a mandatory member.
 */
QemuMonitorEvent *
qemuMonitorJSONParseEvent(json_object *msg)
{
    g_autoptr(QemuMonitorEvent) ev = g_new0(QemuMonitorEvent, 1);
    const char *name = jsonGetString(msg, "event");
    json_object *ts = jsonGetObject(msg, "timestamp");
    json_object *data = NULL;
    json_object *result = NULL;
    const char *str = NULL;
    int type;

    if (!name) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("QEMU event without a name"));
        return NULL;
    }
    ev->name = g_strdup(name);
    ev->seconds = -1;
    ev->micros = -1;
    if (ts && (jsonGetInt64(ts, "seconds", &ev->seconds) < 0 ||
               jsonGetInt64(ts, "microseconds", &ev->micros) < 0)) {
        ev->seconds = -1;
        ev->micros = -1;
    }
    if ((data = jsonGetObject(msg, "data")))
        ev->data = json_object_get(data);

    type = enumFromString(eventNames, G_N_ELEMENTS(eventNames), name);
    ev->type = type < 0 ? QEMU_MONITOR_EVENT_OTHER : (QemuMonitorEventType)type;

    switch (ev->type) {
    case QEMU_MONITOR_EVENT_SHUTDOWN:
    case QEMU_MONITOR_EVENT_RESET:
        if (jsonGetBool(data, "guest", &ev->u.shutdown.guest) < 0) {
            qemuMonitorJSONReportBadEvent(name, "guest");
            return NULL;
        }
        ev->u.shutdown.reason = g_strdup(jsonGetString(data, "reason"));
        break;
    case QEMU_MONITOR_EVENT_GUEST_PANICKED:
        if (!(str = jsonGetString(data, "action"))) {
            qemuMonitorJSONReportBadEvent(name, "action");
            return NULL;
        }
        ev->u.panic.action = g_strdup(str);
        break;
    case QEMU_MONITOR_EVENT_MIGRATION:
        if (!(str = jsonGetString(data, "status"))) {
            qemuMonitorJSONReportBadEvent(name, "status");
            return NULL;
        }
        ev->u.migration.status = qemuMonitorJSONMigrationStatusFromString(str);
        ev->u.migration.statusName = g_strdup(str);
        break;
    case QEMU_MONITOR_EVENT_MIGRATION_PASS:
        if (jsonGetInt64(data, "pass", &ev->u.migrationPass.pass) < 0) {
            qemuMonitorJSONReportBadEvent(name, "pass");
            return NULL;
        }
        break;
    case QEMU_MONITOR_EVENT_DEVICE_DELETED:
        if (!(str = jsonGetString(data, "path"))) {
            qemuMonitorJSONReportBadEvent(name, "path");
            return NULL;
        }
        ev->u.deviceDeleted.path = g_strdup(str);
        ev->u.deviceDeleted.device = g_strdup(jsonGetString(data, "device"));
        break;
    case QEMU_MONITOR_EVENT_BALLOON_CHANGE:
        if (jsonGetUInt64(data, "actual", &ev->u.balloon.actual) < 0) {
            qemuMonitorJSONReportBadEvent(name, "actual");
            return NULL;
        }
        break;
    case QEMU_MONITOR_EVENT_BLOCK_IO_ERROR:
        /* QEMU always sends the action; "nospace" only with werror=enospc
         * handling, absent meaning false */
        if (!(str = jsonGetString(data, "action"))) {
            qemuMonitorJSONReportBadEvent(name, "action");
            return NULL;
        }
        ev->u.ioError.action = g_strdup(str);
        ev->u.ioError.device = g_strdup(jsonGetString(data, "device"));
        ev->u.ioError.nodeName = g_strdup(jsonGetString(data, "node-name"));
        (void)jsonGetBool(data, "nospace", &ev->u.ioError.nospace);
        break;
    case QEMU_MONITOR_EVENT_DUMP_COMPLETED:
        /* "result" is query-dump's answer; "error" only when it failed */
        result = jsonGetObject(data, "result");
        if (!(str = jsonGetString(result, "status"))) {
            qemuMonitorJSONReportBadEvent(name, "result.status");
            return NULL;
        }
        if (jsonGetUInt64(result, "total", &ev->u.dump.total) < 0) {
            qemuMonitorJSONReportBadEvent(name, "result.total");
            return NULL;
        }
        if (jsonGetUInt64(result, "completed", &ev->u.dump.completed) < 0) {
            qemuMonitorJSONReportBadEvent(name, "result.completed");
            return NULL;
        }
        ev->u.dump.status = g_strdup(str);
        ev->u.dump.error = g_strdup(jsonGetString(data, "error"));
        break;
    case QEMU_MONITOR_EVENT_OTHER:
    case QEMU_MONITOR_EVENT_STOP:
    case QEMU_MONITOR_EVENT_RESUME:
    case QEMU_MONITOR_EVENT_POWERDOWN:
    case QEMU_MONITOR_EVENT_LAST:
        break;
    }
    return g_steal_pointer(&ev);
}

/**
 * qemuMonitorJSONCommandName:
 * @cmd: a command object
 *
 * Returns: its "execute" member (borrowed), or NULL.
 */
const char *
qemuMonitorJSONCommandName(json_object *cmd)
{
    return jsonGetString(cmd, "execute");
}

/* Arguments that carry secrets whatever the caller says. */
static const struct {
    const char *command;
    const char *argument;
} secretArguments[] = {
    { "set_password", "password" },
    { "change-vnc-password", "password" },
    { "object-add", "data" },
    { "object-add", "keyid" },
};

#define REDACTED "<redacted>"

/**
 * qemuMonitorJSONFormatRedacted:
 * @cmd: a command object
 * @secret: true when every argument value must be hidden
 *
 * Formats @cmd for a log: with @secret, every argument value is replaced
 * by "<redacted>"; otherwise only the arguments known to carry secrets
 * (passwords, secret object data) are.  @cmd is not modified.
 *
 * Returns: the text (caller owns it).
 */
char *
qemuMonitorJSONFormatRedacted(json_object *cmd, bool secret)
{
    g_autoptr(json_object) copy = NULL;
    const char *name = qemuMonitorJSONCommandName(cmd);
    json_object *args = NULL;
    size_t i;

    if (!jsonGetObject(cmd, "arguments"))
        return jsonFormat(cmd);

    if (json_object_deep_copy(cmd, &copy, NULL) < 0)
        return g_strdup(REDACTED);
    args = jsonGetObject(copy, "arguments");

    if (secret) {
        g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);

        json_object_object_foreach(args, key, val) {
            (void)val;
            g_ptr_array_add(keys, g_strdup(key));
        }
        for (i = 0; i < keys->len; i++)
            json_object_object_add(args, keys->pdata[i], json_object_new_string(REDACTED));
    } else {
        for (i = 0; i < G_N_ELEMENTS(secretArguments); i++) {
            if (streq(name, secretArguments[i].command) &&
                json_object_object_get_ex(args, secretArguments[i].argument, NULL))
                json_object_object_add(args, secretArguments[i].argument,
                                       json_object_new_string(REDACTED));
        }
    }
    return jsonFormat(copy);
}

/* ---------------------------------------------------------------- */
/* Commands                                                         */

/**
 * qemuMonitorJSONMakeCommand:
 * @name: the QMP command
 * @args: its arguments object (ownership taken), or NULL
 *
 * Builds {"execute": NAME, "arguments": ARGS}.  The transport adds "id".
 *
 * Returns: the command (caller owns it).
 */
json_object *
qemuMonitorJSONMakeCommand(const char *name, json_object *args)
{
    json_object *cmd = json_object_new_object();

    json_object_object_add(cmd, "execute", json_object_new_string(name));
    if (args)
        json_object_object_add(cmd, "arguments", args);
    return cmd;
}

static json_object *
qemuMonitorJSONNewUInt(uint64_t value)
{
    if (value <= INT64_MAX)
        return json_object_new_int64((int64_t)value);
    return json_object_new_uint64(value);
}

/**
 * qemuMonitorJSONBuildBalloon:
 * @bytes: the target guest memory size in bytes
 *
 * Returns: a "balloon" command (caller owns it).
 */
json_object *
qemuMonitorJSONBuildBalloon(uint64_t bytes)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "value", qemuMonitorJSONNewUInt(bytes));
    return qemuMonitorJSONMakeCommand("balloon", args);
}

/**
 * qemuMonitorJSONBuildMigrate:
 * @uri: the migration URI ("tcp:HOST:PORT", "fd:NAME", "exec:CMD" ...)
 * @resume: resume a paused postcopy migration
 *
 * Returns: a "migrate" command (caller owns it).
 */
json_object *
qemuMonitorJSONBuildMigrate(const char *uri, bool resume)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "uri", json_object_new_string(uri));
    if (resume)
        json_object_object_add(args, "resume", json_object_new_boolean(true));
    return qemuMonitorJSONMakeCommand("migrate", args);
}

/**
 * qemuMonitorJSONBuildMigrateIncoming:
 * @uri: where to listen ("tcp:[::]:PORT", "defer" is not valid here)
 *
 * Returns: a "migrate-incoming" command (caller owns it).
 */
json_object *
qemuMonitorJSONBuildMigrateIncoming(const char *uri)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "uri", json_object_new_string(uri));
    return qemuMonitorJSONMakeCommand("migrate-incoming", args);
}

/**
 * qemuMonitorJSONBuildMigrateContinue:
 * @status: the state the migration is paused in (pre-switchover)
 *
 * Returns: a "migrate-continue" command (caller owns it).
 */
json_object *
qemuMonitorJSONBuildMigrateContinue(QemuMonitorMigrationStatus status)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "state",
                           json_object_new_string(qemuMonitorJSONMigrationStatusToString(status)));
    return qemuMonitorJSONMakeCommand("migrate-continue", args);
}

/**
 * qemuMonitorJSONBuildMigrateSetCapabilities:
 * @caps: the capabilities to change (those with set[c])
 *
 * Returns: a "migrate-set-capabilities" command listing the capabilities
 * in QEMU's enum order (caller owns it).
 */
json_object *
qemuMonitorJSONBuildMigrateSetCapabilities(const QemuMonitorMigrationCaps *caps)
{
    json_object *args = json_object_new_object();
    json_object *list = json_object_new_array();
    size_t i;

    for (i = 0; i < QEMU_MONITOR_MIGRATION_CAP_LAST; i++) {
        json_object *item = NULL;

        if (!caps->set[i])
            continue;
        item = json_object_new_object();
        json_object_object_add(item, "capability", json_object_new_string(migrationCapNames[i]));
        json_object_object_add(item, "state", json_object_new_boolean(caps->state[i]));
        json_object_array_add(list, item);
    }
    json_object_object_add(args, "capabilities", list);
    return qemuMonitorJSONMakeCommand("migrate-set-capabilities", args);
}

/**
 * qemuMonitorJSONBuildMigrateSetParameters:
 * @params: the parameters to change (those with set[p])
 *
 * Returns: a "migrate-set-parameters" command with the parameters as
 * direct arguments, in QEMU's order (caller owns it).
 */
json_object *
qemuMonitorJSONBuildMigrateSetParameters(const QemuMonitorMigrationParams *params)
{
    json_object *args = json_object_new_object();
    size_t i;

    for (i = 0; i < QEMU_MONITOR_MIGRATION_PARAM_LAST; i++) {
        json_object *val = NULL;

        if (!params->set[i])
            continue;
        switch (migrationParams[i].type) {
        case QEMU_MONITOR_PARAM_TYPE_UINT:
            val = qemuMonitorJSONNewUInt(params->num[i]);
            break;
        case QEMU_MONITOR_PARAM_TYPE_BOOL:
            val = json_object_new_boolean(params->flag[i]);
            break;
        case QEMU_MONITOR_PARAM_TYPE_STRING:
        case QEMU_MONITOR_PARAM_TYPE_LAST:
            val = json_object_new_string(params->str[i] ? params->str[i] : "");
            break;
        }
        json_object_object_add(args, migrationParams[i].name, val);
    }
    return qemuMonitorJSONMakeCommand("migrate-set-parameters", args);
}

/**
 * qemuMonitorJSONBuildHumanCommand:
 * @cmdline: an HMP command line
 *
 * Returns: a "human-monitor-command" command (caller owns it).
 */
json_object *
qemuMonitorJSONBuildHumanCommand(const char *cmdline)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "command-line", json_object_new_string(cmdline));
    return qemuMonitorJSONMakeCommand("human-monitor-command", args);
}

/**
 * qemuMonitorJSONBuildQomList:
 * @path: a QOM path
 *
 * Returns: a "qom-list" command (caller owns it).
 */
json_object *
qemuMonitorJSONBuildQomList(const char *path)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "path", json_object_new_string(path));
    return qemuMonitorJSONMakeCommand("qom-list", args);
}

/**
 * qemuMonitorJSONBuildQomGet:
 * @path: a QOM path
 * @property: the property to read
 *
 * Returns: a "qom-get" command (caller owns it).
 */
json_object *
qemuMonitorJSONBuildQomGet(const char *path, const char *property)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "path", json_object_new_string(path));
    json_object_object_add(args, "property", json_object_new_string(property));
    return qemuMonitorJSONMakeCommand("qom-get", args);
}

/**
 * qemuMonitorJSONBuildClientMigrateInfo:
 * @protocol: "spice" (the only one QEMU 7.2 accepts)
 * @hostname: the destination host clients reconnect to
 * @port: plain port, or -1 to leave it out
 * @tlsPort: TLS port, or -1 to leave it out
 * @certSubject: the server certificate subject, or NULL
 *
 * Returns: a "client_migrate_info" command (caller owns it).
 */
json_object *
qemuMonitorJSONBuildClientMigrateInfo(const char *protocol, const char *hostname, int port,
                                      int tlsPort, const char *certSubject)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "protocol", json_object_new_string(protocol));
    json_object_object_add(args, "hostname", json_object_new_string(hostname));
    if (port >= 0)
        json_object_object_add(args, "port", json_object_new_int(port));
    if (tlsPort >= 0)
        json_object_object_add(args, "tls-port", json_object_new_int(tlsPort));
    if (certSubject)
        json_object_object_add(args, "cert-subject", json_object_new_string(certSubject));
    return qemuMonitorJSONMakeCommand("client_migrate_info", args);
}

/**
 * qemuMonitorJSONBuildArbitrary:
 * @text: a QMP command as JSON text, from a user (qemu-monitor-command)
 *
 * Checks that @text is one JSON object with a string "execute" and no
 * "exec-oob"; drops any "id" (the transport sets its own).
 *
 * Returns: the command (caller owns it), or NULL with VIR_ERR_INVALID_ARG
 * reported.
 */
json_object *
qemuMonitorJSONBuildArbitrary(const char *text)
{
    g_autoptr(json_object) cmd = NULL;
    g_autofree char *reason = NULL;

    if (!(cmd = jsonParseDetail(text, strlen(text), &reason))) {
        reportError(VIR_ERR_INVALID_ARG, _("cannot parse QMP command: %1$s"), reason);
        return NULL;
    }
    if (json_object_object_get_ex(cmd, "exec-oob", NULL)) {
        reportError(VIR_ERR_INVALID_ARG, "%s",
                    _("out-of-band QMP commands ('exec-oob') are not supported"));
        return NULL;
    }
    if (!qemuMonitorJSONCommandName(cmd)) {
        reportError(VIR_ERR_INVALID_ARG, "%s",
                    _("QMP command must be a JSON object with a string member 'execute'"));
        return NULL;
    }
    json_object_object_del(cmd, "id");
    return g_steal_pointer(&cmd);
}

/* ---------------------------------------------------------------- */
/* Replies                                                          */

/**
 * qemuMonitorJSONReplyErrorClass:
 * @reply: a reply message
 *
 * Returns: QEMU's error class ("GenericError", "CommandNotFound",
 * "DeviceNotActive" ...) when @reply is an error, else NULL (borrowed).
 */
const char *
qemuMonitorJSONReplyErrorClass(json_object *reply)
{
    return jsonGetString(jsonGetObject(reply, "error"), "class");
}

/**
 * qemuMonitorJSONCheckReply:
 * @reply: the reply to @cmd
 * @cmd: the command name, for messages
 * @type: the JSON type "return" must have, json_type_null for any
 * @retData: set to the "return" member (borrowed from @reply), or NULL
 *
 * Turns a QMP error reply into our error, in libvirt's words:
 * "internal error: unable to execute QEMU command 'CMD': DESC".
 *
 * Returns: 0 when @reply carries a "return" of the right type, -1 with
 * VIR_ERR_INTERNAL_ERROR reported otherwise.
 */
int
qemuMonitorJSONCheckReply(json_object *reply, const char *cmd, json_type type,
                          json_object **retData)
{
    json_object *err = jsonGetObject(reply, "error");
    json_object *data = NULL;

    if (err) {
        const char *desc = jsonGetString(err, "desc");

        if (desc)
            reportError(VIR_ERR_INTERNAL_ERROR,
                        _("unable to execute QEMU command '%1$s': %2$s"), cmd, desc);
        else
            reportError(VIR_ERR_INTERNAL_ERROR,
                        _("unable to execute QEMU command '%1$s'"), cmd);
        return -1;
    }
    if (!reply || !json_object_object_get_ex(reply, "return", &data)) {
        reportError(VIR_ERR_INTERNAL_ERROR,
                    _("unable to execute QEMU command '%1$s': the reply has no data"), cmd);
        return -1;
    }
    if (type != json_type_null && !json_object_is_type(data, type)) {
        reportError(VIR_ERR_INTERNAL_ERROR,
                    _("unexpected type of data returned by QEMU command '%1$s'"), cmd);
        return -1;
    }
    if (retData)
        *retData = data;
    return 0;
}

static void
qemuMonitorJSONReportMalformed(const char *cmd, const char *field)
{
    reportError(VIR_ERR_INTERNAL_ERROR,
                _("malformed reply to QEMU command '%1$s': missing or invalid '%2$s'"),
                cmd, field);
}

/* Checks that element @i of @array is an object. */
static json_object *
qemuMonitorJSONArrayObject(json_object *array, size_t i, const char *cmd)
{
    json_object *item = json_object_array_get_idx(array, i);

    if (!json_object_is_type(item, json_type_object)) {
        reportError(VIR_ERR_INTERNAL_ERROR,
                    _("malformed reply to QEMU command '%1$s': element %2$zu is not an object"),
                    cmd, i);
        return NULL;
    }
    return item;
}

/**
 * qemuMonitorJSONParseStatus:
 * @reply: the reply to "query-status"
 *
 * Returns: the run state (caller owns it), or NULL with an error reported.
 */
QemuMonitorStatus *
qemuMonitorJSONParseStatus(json_object *reply)
{
    const char *cmd = "query-status";
    g_autoptr(QemuMonitorStatus) status = g_new0(QemuMonitorStatus, 1);
    json_object *data = NULL;
    const char *name = NULL;

    if (qemuMonitorJSONCheckReply(reply, cmd, json_type_object, &data) < 0)
        return NULL;
    if (jsonGetBool(data, "running", &status->running) < 0) {
        qemuMonitorJSONReportMalformed(cmd, "running");
        return NULL;
    }
    if (!(name = jsonGetString(data, "status"))) {
        qemuMonitorJSONReportMalformed(cmd, "status");
        return NULL;
    }
    status->state = qemuMonitorJSONRunStateFromString(name);
    status->stateName = g_strdup(name);
    return g_steal_pointer(&status);
}

/**
 * qemuMonitorJSONParseCPUInfo:
 * @reply: the reply to "query-cpus-fast"
 *
 * Returns: a GPtrArray of QemuMonitorCPUInfo that frees its elements
 * (caller owns it), or NULL with an error reported.
 */
GPtrArray *
qemuMonitorJSONParseCPUInfo(json_object *reply)
{
    const char *cmd = "query-cpus-fast";
    g_autoptr(GPtrArray) list = NULL;
    json_object *data = NULL;
    size_t i;

    if (qemuMonitorJSONCheckReply(reply, cmd, json_type_array, &data) < 0)
        return NULL;
    list = g_ptr_array_new_with_free_func((GDestroyNotify)qemuMonitorJSONCPUInfoFree);
    for (i = 0; i < json_object_array_length(data); i++) {
        json_object *item = qemuMonitorJSONArrayObject(data, i, cmd);
        QemuMonitorCPUInfo *cpu = NULL;
        const char *qomPath = NULL;

        if (!item)
            return NULL;
        cpu = g_new0(QemuMonitorCPUInfo, 1);
        g_ptr_array_add(list, cpu);
        if (jsonGetInt(item, "cpu-index", &cpu->cpuIndex) < 0) {
            qemuMonitorJSONReportMalformed(cmd, "cpu-index");
            return NULL;
        }
        if (jsonGetInt64(item, "thread-id", &cpu->threadId) < 0) {
            qemuMonitorJSONReportMalformed(cmd, "thread-id");
            return NULL;
        }
        if (!(qomPath = jsonGetString(item, "qom-path"))) {
            qemuMonitorJSONReportMalformed(cmd, "qom-path");
            return NULL;
        }
        cpu->qomPath = g_strdup(qomPath);
        cpu->target = g_strdup(jsonGetString(item, "target"));
    }
    return g_steal_pointer(&list);
}

/**
 * qemuMonitorJSONParseBalloon:
 * @reply: the reply to "query-balloon"
 * @retActual: set to the current guest memory size in bytes
 *
 * Returns: 0 on success, -1 with an error reported (QEMU's
 * "DeviceNotActive" error when there is no balloon device).
 */
int
qemuMonitorJSONParseBalloon(json_object *reply, uint64_t *retActual)
{
    const char *cmd = "query-balloon";
    json_object *data = NULL;
    uint64_t actual;

    if (qemuMonitorJSONCheckReply(reply, cmd, json_type_object, &data) < 0)
        return -1;
    if (jsonGetUInt64(data, "actual", &actual) < 0) {
        qemuMonitorJSONReportMalformed(cmd, "actual");
        return -1;
    }
    *retActual = actual;
    return 0;
}

/**
 * qemuMonitorJSONParseVersion:
 * @reply: the reply to "query-version"
 *
 * Returns: the version (caller owns it), or NULL with an error reported.
 */
QemuMonitorVersion *
qemuMonitorJSONParseVersion(json_object *reply)
{
    json_object *data = NULL;

    if (qemuMonitorJSONCheckReply(reply, "query-version", json_type_object, &data) < 0)
        return NULL;
    return qemuMonitorJSONParseVersionObject(data, "query-version");
}

/**
 * qemuMonitorJSONParseKVM:
 * @reply: the reply to "query-kvm"
 * @ret: filled on success
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorJSONParseKVM(json_object *reply, QemuMonitorKVMState *ret)
{
    const char *cmd = "query-kvm";
    json_object *data = NULL;
    QemuMonitorKVMState st = { 0 };

    if (qemuMonitorJSONCheckReply(reply, cmd, json_type_object, &data) < 0)
        return -1;
    if (jsonGetBool(data, "enabled", &st.enabled) < 0) {
        qemuMonitorJSONReportMalformed(cmd, "enabled");
        return -1;
    }
    if (jsonGetBool(data, "present", &st.present) < 0) {
        qemuMonitorJSONReportMalformed(cmd, "present");
        return -1;
    }
    *ret = st;
    return 0;
}

/**
 * qemuMonitorJSONParseMachines:
 * @reply: the reply to "query-machines"
 *
 * Returns: a GPtrArray of QemuMonitorMachineInfo that frees its elements
 * (caller owns it), or NULL with an error reported.
 */
GPtrArray *
qemuMonitorJSONParseMachines(json_object *reply)
{
    const char *cmd = "query-machines";
    g_autoptr(GPtrArray) list = NULL;
    json_object *data = NULL;
    size_t i;

    if (qemuMonitorJSONCheckReply(reply, cmd, json_type_array, &data) < 0)
        return NULL;
    list = g_ptr_array_new_with_free_func((GDestroyNotify)qemuMonitorJSONMachineInfoFree);
    for (i = 0; i < json_object_array_length(data); i++) {
        json_object *item = qemuMonitorJSONArrayObject(data, i, cmd);
        QemuMonitorMachineInfo *m = NULL;
        const char *name = NULL;

        if (!item)
            return NULL;
        m = g_new0(QemuMonitorMachineInfo, 1);
        g_ptr_array_add(list, m);
        if (!(name = jsonGetString(item, "name"))) {
            qemuMonitorJSONReportMalformed(cmd, "name");
            return NULL;
        }
        m->name = g_strdup(name);
        if (jsonGetInt(item, "cpu-max", &m->cpuMax) < 0) {
            qemuMonitorJSONReportMalformed(cmd, "cpu-max");
            return NULL;
        }
        m->alias = g_strdup(jsonGetString(item, "alias"));
        m->defaultCpuType = g_strdup(jsonGetString(item, "default-cpu-type"));
        m->defaultRamId = g_strdup(jsonGetString(item, "default-ram-id"));
        /* Optional members default to false. */
        (void)(jsonGetBool(item, "is-default", &m->isDefault));
        (void)(jsonGetBool(item, "hotpluggable-cpus", &m->hotplugCpus));
        (void)(jsonGetBool(item, "deprecated", &m->deprecated));
        (void)(jsonGetBool(item, "numa-mem-supported", &m->numaMemSupported));
    }
    return g_steal_pointer(&list);
}

/**
 * qemuMonitorJSONParseCommands:
 * @reply: the reply to "query-commands"
 *
 * Returns: a NULL-terminated list of command names (caller owns it,
 * g_strfreev), or NULL with an error reported.
 */
char **
qemuMonitorJSONParseCommands(json_object *reply)
{
    const char *cmd = "query-commands";
    g_autoptr(GPtrArray) names = NULL;
    json_object *data = NULL;
    size_t i;

    if (qemuMonitorJSONCheckReply(reply, cmd, json_type_array, &data) < 0)
        return NULL;
    names = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; i < json_object_array_length(data); i++) {
        json_object *item = qemuMonitorJSONArrayObject(data, i, cmd);
        const char *name = NULL;

        if (!item)
            return NULL;
        if (!(name = jsonGetString(item, "name"))) {
            qemuMonitorJSONReportMalformed(cmd, "name");
            return NULL;
        }
        g_ptr_array_add(names, g_strdup(name));
    }
    g_ptr_array_add(names, NULL);
    g_ptr_array_set_free_func(names, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&names), FALSE);
}

static void
qemuMonitorJSONParseMigrationStats(json_object *obj, QemuMonitorMigrationStats *stats)
{
    /* Every member is optional: QEMU fills what the phase has. */
    (void)(jsonGetUInt64(obj, "transferred", &stats->transferred));
    (void)(jsonGetUInt64(obj, "remaining", &stats->remaining));
    (void)(jsonGetUInt64(obj, "total", &stats->total));
    (void)(jsonGetUInt64(obj, "duplicate", &stats->duplicate));
    (void)(jsonGetUInt64(obj, "normal", &stats->normal));
    (void)(jsonGetUInt64(obj, "normal-bytes", &stats->normalBytes));
    (void)(jsonGetUInt64(obj, "dirty-pages-rate", &stats->dirtyPagesRate));
    (void)(jsonGetDouble(obj, "mbps", &stats->mbps));
    (void)(jsonGetUInt64(obj, "dirty-sync-count", &stats->dirtySyncCount));
    (void)(jsonGetUInt64(obj, "postcopy-requests", &stats->postcopyRequests));
    (void)(jsonGetUInt64(obj, "page-size", &stats->pageSize));
}

/**
 * qemuMonitorJSONParseMigrationInfo:
 * @reply: the reply to "query-migrate"
 *
 * An empty reply (no migration ever started) gives status NONE.
 *
 * Returns: the migration info (caller owns it), or NULL with an error
 * reported.
 */
QemuMonitorMigrationInfo *
qemuMonitorJSONParseMigrationInfo(json_object *reply)
{
    const char *cmd = "query-migrate";
    g_autoptr(QemuMonitorMigrationInfo) info = g_new0(QemuMonitorMigrationInfo, 1);
    json_object *data = NULL;
    json_object *obj = NULL;
    const char *status = NULL;

    if (qemuMonitorJSONCheckReply(reply, cmd, json_type_object, &data) < 0)
        return NULL;

    info->status = QEMU_MONITOR_MIGRATION_STATUS_NONE;
    if ((status = jsonGetString(data, "status")))
        info->status = qemuMonitorJSONMigrationStatusFromString(status);
    if ((obj = jsonGetObject(data, "ram"))) {
        info->hasRam = true;
        qemuMonitorJSONParseMigrationStats(obj, &info->ram);
    }
    if ((obj = jsonGetObject(data, "disk"))) {
        info->hasDisk = true;
        qemuMonitorJSONParseMigrationStats(obj, &info->disk);
    }
    if ((obj = jsonGetObject(data, "xbzrle-cache"))) {
        info->hasXbzrle = true;
        (void)(jsonGetUInt64(obj, "cache-size", &info->xbzrleCacheSize));
        (void)(jsonGetUInt64(obj, "bytes", &info->xbzrleBytes));
        (void)(jsonGetUInt64(obj, "pages", &info->xbzrlePages));
        (void)(jsonGetUInt64(obj, "cache-miss", &info->xbzrleCacheMiss));
        (void)(jsonGetDouble(obj, "cache-miss-rate", &info->xbzrleCacheMissRate));
        (void)(jsonGetUInt64(obj, "overflow", &info->xbzrleOverflow));
    }
    info->hasTotalTime = jsonGetUInt64(data, "total-time", &info->totalTime) == 0;
    info->hasExpectedDowntime =
        jsonGetUInt64(data, "expected-downtime", &info->expectedDowntime) == 0;
    info->hasDowntime = jsonGetUInt64(data, "downtime", &info->downtime) == 0;
    info->hasSetupTime = jsonGetUInt64(data, "setup-time", &info->setupTime) == 0;
    info->hasCpuThrottle =
        jsonGetInt(data, "cpu-throttle-percentage", &info->cpuThrottlePercentage) == 0;
    info->errorDesc = g_strdup(jsonGetString(data, "error-desc"));
    return g_steal_pointer(&info);
}

/**
 * qemuMonitorJSONParseMigrationParams:
 * @reply: the reply to "query-migrate-parameters"
 *
 * Members this code does not know (block-bitmap-mapping, newer ones) are
 * ignored.
 *
 * Returns: the parameters (caller owns them), or NULL with an error
 * reported when a known member has the wrong type.
 */
QemuMonitorMigrationParams *
qemuMonitorJSONParseMigrationParams(json_object *reply)
{
    const char *cmd = "query-migrate-parameters";
    g_autoptr(QemuMonitorMigrationParams) params = qemuMonitorJSONMigrationParamsNew();
    json_object *data = NULL;
    size_t i;

    if (qemuMonitorJSONCheckReply(reply, cmd, json_type_object, &data) < 0)
        return NULL;
    for (i = 0; i < QEMU_MONITOR_MIGRATION_PARAM_LAST; i++) {
        const char *name = migrationParams[i].name;
        const char *str = NULL;

        if (!json_object_object_get_ex(data, name, NULL))
            continue;
        switch (migrationParams[i].type) {
        case QEMU_MONITOR_PARAM_TYPE_UINT:
            if (jsonGetUInt64(data, name, &params->num[i]) < 0) {
                qemuMonitorJSONReportMalformed(cmd, name);
                return NULL;
            }
            break;
        case QEMU_MONITOR_PARAM_TYPE_BOOL:
            if (jsonGetBool(data, name, &params->flag[i]) < 0) {
                qemuMonitorJSONReportMalformed(cmd, name);
                return NULL;
            }
            break;
        case QEMU_MONITOR_PARAM_TYPE_STRING:
        case QEMU_MONITOR_PARAM_TYPE_LAST:
            if (!(str = jsonGetString(data, name))) {
                qemuMonitorJSONReportMalformed(cmd, name);
                return NULL;
            }
            params->str[i] = g_strdup(str);
            break;
        }
        params->set[i] = true;
    }
    return g_steal_pointer(&params);
}

/**
 * qemuMonitorJSONParseMigrationCaps:
 * @reply: the reply to "query-migrate-capabilities"
 * @ret: filled on success; capabilities this code does not know are
 *       ignored
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorJSONParseMigrationCaps(json_object *reply, QemuMonitorMigrationCaps *ret)
{
    const char *cmd = "query-migrate-capabilities";
    QemuMonitorMigrationCaps caps = { { 0 } };
    json_object *data = NULL;
    size_t i;

    if (qemuMonitorJSONCheckReply(reply, cmd, json_type_array, &data) < 0)
        return -1;
    for (i = 0; i < json_object_array_length(data); i++) {
        json_object *item = qemuMonitorJSONArrayObject(data, i, cmd);
        const char *name = NULL;
        bool state;
        int cap;

        if (!item)
            return -1;
        if (!(name = jsonGetString(item, "capability"))) {
            qemuMonitorJSONReportMalformed(cmd, "capability");
            return -1;
        }
        if (jsonGetBool(item, "state", &state) < 0) {
            qemuMonitorJSONReportMalformed(cmd, "state");
            return -1;
        }
        if ((cap = qemuMonitorJSONMigrationCapFromString(name)) < 0)
            continue;
        caps.set[cap] = true;
        caps.state[cap] = state;
    }
    *ret = caps;
    return 0;
}

/**
 * qemuMonitorJSONParseHumanCommand:
 * @reply: the reply to "human-monitor-command"
 *
 * Returns: the HMP output (caller owns it), or NULL with an error reported.
 */
char *
qemuMonitorJSONParseHumanCommand(json_object *reply)
{
    json_object *data = NULL;

    if (qemuMonitorJSONCheckReply(reply, "human-monitor-command", json_type_string, &data) < 0)
        return NULL;
    return g_strdup(json_object_get_string(data));
}

/**
 * qemuMonitorJSONParseQomList:
 * @reply: the reply to "qom-list"
 *
 * Returns: a GPtrArray of QemuMonitorQomProperty that frees its elements
 * (caller owns it), or NULL with an error reported.
 */
GPtrArray *
qemuMonitorJSONParseQomList(json_object *reply)
{
    const char *cmd = "qom-list";
    g_autoptr(GPtrArray) list = NULL;
    json_object *data = NULL;
    size_t i;

    if (qemuMonitorJSONCheckReply(reply, cmd, json_type_array, &data) < 0)
        return NULL;
    list = g_ptr_array_new_with_free_func((GDestroyNotify)qemuMonitorJSONQomPropertyFree);
    for (i = 0; i < json_object_array_length(data); i++) {
        json_object *item = qemuMonitorJSONArrayObject(data, i, cmd);
        QemuMonitorQomProperty *prop = NULL;
        const char *name = NULL;
        const char *type = NULL;

        if (!item)
            return NULL;
        if (!(name = jsonGetString(item, "name"))) {
            qemuMonitorJSONReportMalformed(cmd, "name");
            return NULL;
        }
        if (!(type = jsonGetString(item, "type"))) {
            qemuMonitorJSONReportMalformed(cmd, "type");
            return NULL;
        }
        prop = g_new0(QemuMonitorQomProperty, 1);
        prop->name = g_strdup(name);
        prop->type = g_strdup(type);
        g_ptr_array_add(list, prop);
    }
    return g_steal_pointer(&list);
}

/**
 * qemuMonitorJSONParseQomGet:
 * @reply: the reply to "qom-get"
 *
 * Returns: a new reference to the property value, of any JSON type
 * (caller owns it), or NULL with an error reported.  json-c has no object
 * for JSON null, so a null value is reported as an error too.
 */
json_object *
qemuMonitorJSONParseQomGet(json_object *reply)
{
    json_object *data = NULL;

    if (qemuMonitorJSONCheckReply(reply, "qom-get", json_type_null, &data) < 0)
        return NULL;
    if (!data) {
        qemuMonitorJSONReportMalformed("qom-get", "return");
        return NULL;
    }
    return json_object_get(data);
}

/**
 * qemuMonitorJSONParseChardevs:
 * @reply: the reply to "query-chardev"
 *
 * Returns: a GPtrArray of QemuMonitorChardevInfo that frees its elements
 * (caller owns it), or NULL with an error reported.
 */
GPtrArray *
qemuMonitorJSONParseChardevs(json_object *reply)
{
    const char *cmd = "query-chardev";
    g_autoptr(GPtrArray) list = NULL;
    json_object *data = NULL;
    size_t i;

    if (qemuMonitorJSONCheckReply(reply, cmd, json_type_array, &data) < 0)
        return NULL;
    list = g_ptr_array_new_with_free_func((GDestroyNotify)qemuMonitorJSONChardevInfoFree);
    for (i = 0; i < json_object_array_length(data); i++) {
        json_object *item = qemuMonitorJSONArrayObject(data, i, cmd);
        QemuMonitorChardevInfo *chr = NULL;
        const char *label = NULL;
        const char *filename = NULL;

        if (!item)
            return NULL;
        if (!(label = jsonGetString(item, "label"))) {
            qemuMonitorJSONReportMalformed(cmd, "label");
            return NULL;
        }
        if (!(filename = jsonGetString(item, "filename"))) {
            qemuMonitorJSONReportMalformed(cmd, "filename");
            return NULL;
        }
        chr = g_new0(QemuMonitorChardevInfo, 1);
        g_ptr_array_add(list, chr);
        chr->label = g_strdup(label);
        chr->filename = g_strdup(filename);
        if (strPrefix(filename, "pty:"))
            chr->ptyPath = g_strdup(filename + strlen("pty:"));
        (void)(jsonGetBool(item, "frontend-open", &chr->frontendOpen));
    }
    return g_steal_pointer(&list);
}

/**
 * qemuMonitorJSONParseBlockInfo:
 * @reply: the reply to "query-block"
 *
 * Returns: a GPtrArray of QemuMonitorBlockInfo that frees its elements
 * (caller owns it), or NULL with an error reported.
 */
GPtrArray *
qemuMonitorJSONParseBlockInfo(json_object *reply)
{
    const char *cmd = "query-block";
    g_autoptr(GPtrArray) list = NULL;
    json_object *data = NULL;
    size_t i;

    if (qemuMonitorJSONCheckReply(reply, cmd, json_type_array, &data) < 0)
        return NULL;
    list = g_ptr_array_new_with_free_func((GDestroyNotify)qemuMonitorJSONBlockInfoFree);
    for (i = 0; i < json_object_array_length(data); i++) {
        json_object *item = qemuMonitorJSONArrayObject(data, i, cmd);
        json_object *inserted = NULL;
        QemuMonitorBlockInfo *blk = NULL;
        const char *device = NULL;

        if (!item)
            return NULL;
        if (!(device = jsonGetString(item, "device"))) {
            qemuMonitorJSONReportMalformed(cmd, "device");
            return NULL;
        }
        blk = g_new0(QemuMonitorBlockInfo, 1);
        g_ptr_array_add(list, blk);
        blk->device = g_strdup(device);
        blk->qdev = g_strdup(jsonGetString(item, "qdev"));
        if (jsonGetBool(item, "removable", &blk->removable) < 0) {
            qemuMonitorJSONReportMalformed(cmd, "removable");
            return NULL;
        }
        if (jsonGetBool(item, "locked", &blk->locked) < 0) {
            qemuMonitorJSONReportMalformed(cmd, "locked");
            return NULL;
        }
        blk->hasTrayOpen = jsonGetBool(item, "tray_open", &blk->trayOpen) == 0;
        blk->ioStatus = g_strdup(jsonGetString(item, "io-status"));

        if ((inserted = jsonGetObject(item, "inserted"))) {
            const char *file = jsonGetString(inserted, "file");
            const char *drv = jsonGetString(inserted, "drv");

            if (!file) {
                qemuMonitorJSONReportMalformed(cmd, "inserted/file");
                return NULL;
            }
            if (!drv) {
                qemuMonitorJSONReportMalformed(cmd, "inserted/drv");
                return NULL;
            }
            if (jsonGetBool(inserted, "ro", &blk->readonly) < 0) {
                qemuMonitorJSONReportMalformed(cmd, "inserted/ro");
                return NULL;
            }
            blk->inserted = true;
            blk->file = g_strdup(file);
            blk->format = g_strdup(drv);
            blk->nodeName = g_strdup(jsonGetString(inserted, "node-name"));
        }
    }
    return g_steal_pointer(&list);
}

/**
 * qemuMonitorJSONParseBlockStats:
 * @reply: the reply to "query-blockstats"
 *
 * Returns: a GPtrArray of QemuMonitorBlockStats that frees its elements
 * (caller owns it), or NULL with an error reported.
 */
GPtrArray *
qemuMonitorJSONParseBlockStats(json_object *reply)
{
    static const struct {
        const char *name;
        size_t offset;
    } counters[] = {
        { "rd_bytes", G_STRUCT_OFFSET(QemuMonitorBlockStats, rdBytes) },
        { "wr_bytes", G_STRUCT_OFFSET(QemuMonitorBlockStats, wrBytes) },
        { "rd_operations", G_STRUCT_OFFSET(QemuMonitorBlockStats, rdOperations) },
        { "wr_operations", G_STRUCT_OFFSET(QemuMonitorBlockStats, wrOperations) },
        { "flush_operations", G_STRUCT_OFFSET(QemuMonitorBlockStats, flushOperations) },
        { "rd_total_time_ns", G_STRUCT_OFFSET(QemuMonitorBlockStats, rdTotalTimeNs) },
        { "wr_total_time_ns", G_STRUCT_OFFSET(QemuMonitorBlockStats, wrTotalTimeNs) },
        { "flush_total_time_ns", G_STRUCT_OFFSET(QemuMonitorBlockStats, flushTotalTimeNs) },
    };
    const char *cmd = "query-blockstats";
    g_autoptr(GPtrArray) list = NULL;
    json_object *data = NULL;
    size_t i;
    size_t j;

    if (qemuMonitorJSONCheckReply(reply, cmd, json_type_array, &data) < 0)
        return NULL;
    list = g_ptr_array_new_with_free_func((GDestroyNotify)qemuMonitorJSONBlockStatsFree);
    for (i = 0; i < json_object_array_length(data); i++) {
        json_object *item = qemuMonitorJSONArrayObject(data, i, cmd);
        json_object *stats = NULL;
        QemuMonitorBlockStats *st = NULL;

        if (!item)
            return NULL;
        if (!(stats = jsonGetObject(item, "stats"))) {
            qemuMonitorJSONReportMalformed(cmd, "stats");
            return NULL;
        }
        st = g_new0(QemuMonitorBlockStats, 1);
        g_ptr_array_add(list, st);
        st->device = g_strdup(jsonGetString(item, "device"));
        if (!st->device)
            st->device = g_strdup("");
        st->qdev = g_strdup(jsonGetString(item, "qdev"));
        st->nodeName = g_strdup(jsonGetString(item, "node-name"));
        for (j = 0; j < G_N_ELEMENTS(counters); j++) {
            uint64_t *field = G_STRUCT_MEMBER_P(st, counters[j].offset);

            if (jsonGetUInt64(stats, counters[j].name, field) < 0) {
                qemuMonitorJSONReportMalformed(cmd, counters[j].name);
                return NULL;
            }
        }
        st->hasWrHighestOffset =
            jsonGetUInt64(stats, "wr_highest_offset", &st->wrHighestOffset) == 0;
    }
    return g_steal_pointer(&list);
}

/**
 * qemuMonitorJSONParseVNC:
 * @reply: the reply to "query-vnc"
 *
 * Returns: the VNC server info (caller owns it), or NULL with an error
 * reported.
 */
QemuMonitorVNCInfo *
qemuMonitorJSONParseVNC(json_object *reply)
{
    const char *cmd = "query-vnc";
    g_autoptr(QemuMonitorVNCInfo) info = g_new0(QemuMonitorVNCInfo, 1);
    json_object *data = NULL;

    if (qemuMonitorJSONCheckReply(reply, cmd, json_type_object, &data) < 0)
        return NULL;
    if (jsonGetBool(data, "enabled", &info->enabled) < 0) {
        qemuMonitorJSONReportMalformed(cmd, "enabled");
        return NULL;
    }
    info->host = g_strdup(jsonGetString(data, "host"));
    info->service = g_strdup(jsonGetString(data, "service"));
    info->family = g_strdup(jsonGetString(data, "family"));
    info->auth = g_strdup(jsonGetString(data, "auth"));
    return g_steal_pointer(&info);
}

/**
 * qemuMonitorJSONParseSpice:
 * @reply: the reply to "query-spice"
 *
 * Returns: the SPICE server info (caller owns it), or NULL with an error
 * reported.
 */
QemuMonitorSpiceInfo *
qemuMonitorJSONParseSpice(json_object *reply)
{
    const char *cmd = "query-spice";
    g_autoptr(QemuMonitorSpiceInfo) info = g_new0(QemuMonitorSpiceInfo, 1);
    json_object *data = NULL;

    if (qemuMonitorJSONCheckReply(reply, cmd, json_type_object, &data) < 0)
        return NULL;
    if (jsonGetBool(data, "enabled", &info->enabled) < 0) {
        qemuMonitorJSONReportMalformed(cmd, "enabled");
        return NULL;
    }
    (void)(jsonGetBool(data, "migrated", &info->migrated));
    info->host = g_strdup(jsonGetString(data, "host"));
    if (jsonGetInt(data, "port", &info->port) < 0)
        info->port = -1;
    if (jsonGetInt(data, "tls-port", &info->tlsPort) < 0)
        info->tlsPort = -1;
    info->auth = g_strdup(jsonGetString(data, "auth"));
    info->mouseMode = g_strdup(jsonGetString(data, "mouse-mode"));
    return g_steal_pointer(&info);
}
