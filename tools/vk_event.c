/* vk_event.c: the event command and the text virsh prints for each domain event
 *
 * The event lines are an interface: scripts parse "event 'lifecycle' for
 * domain 'NAME': Suspended Paused".  Their wording, the names of the events
 * and of their details are those of virsh 9.0.
 *
 * Callbacks run on the event-loop thread (vk_ctl.c); the command waits on
 * the main thread for the first event (or, with --loop, for the timeout or
 * Ctrl-C) by polling a pipe that the callbacks and the SIGINT handler write
 * to.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "vk_event.h"
#include "vk_domain.h"
#include "vk_util.h"

typedef struct {
    const char *name;
    int id;                               /* VIR_DOMAIN_EVENT_ID_* */
    virConnectDomainEventGenericCallback cb;
} VkEventDef;

typedef struct {
    VkCtl *ctl;
    const VkEventDef *def;
    bool loop;
    bool timestamp;
    gint *count;                          /* shared by all callbacks, atomic */
    int wakefd;                           /* written to when done */
    int cbid;                             /* registration id, -1 if none */
} VkEventData;

#define VK_NULLSTR(s) ((s) ? (s) : "<null>")

static const char *
vkEventPick(const char *const *names, size_t n, int idx, const char *fallback)
{
    if (idx >= 0 && (size_t) idx < n && names[idx])
        return names[idx];
    return fallback;
}

#define VK_PICK(arr, idx, fallback) vkEventPick(arr, G_N_ELEMENTS(arr), idx, fallback)

/* Prints one event; without --loop only the first one counts */
static void
vkEventEmit(VkEventData *data, const char *text)
{
    static GMutex emitLock;

    g_mutex_lock(&emitLock);
    if (!data->loop && g_atomic_int_get(data->count) > 0) {
        g_mutex_unlock(&emitLock);
        return;
    }
    if (data->timestamp) {
        g_autofree char *ts = vkTimestampNow();

        vkPrint(data->ctl, "%s: ", ts);
    }
    vkPrint(data->ctl, "%s", text);
    fflush(stdout);
    g_atomic_int_inc(data->count);
    g_mutex_unlock(&emitLock);

    if (!data->loop) {
        char c = 'd';

        if (write(data->wakefd, &c, 1) < 0) {
            /* the pipe is non-blocking and only needs one byte */
        }
    }
}

static void G_GNUC_PRINTF(2, 3)
vkEventEmitf(VkEventData *data, const char *fmt, ...)
{
    g_autofree char *text = NULL;
    va_list ap;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    vkEventEmit(data, text);
}

/**
 * vkEventLifecycleText:
 * @domname: domain name
 * @event: virDomainEventType value
 * @detail: the detail value of that event type
 *
 * Returns: the line virsh prints for a lifecycle event (caller owns).
 */
char *
vkEventLifecycleText(const char *domname, int event, int detail)
{
    static const char *const events[] = {
        "Defined", "Undefined", "Started", "Suspended", "Resumed", "Stopped",
        "Shutdown", "PMSuspended", "Crashed",
    };
    static const char *const defined[] = { "Added", "Updated", "Renamed", "Snapshot" };
    static const char *const undefined[] = { "Removed", "Renamed" };
    static const char *const started[] = {
        "Booted", "Migrated", "Restored", "Snapshot", "Event wakeup",
    };
    static const char *const suspended[] = {
        "Paused", "Migrated", "I/O Error", "Watchdog", "Restored", "Snapshot", "API error",
        "Post-copy", "Post-copy Error",
    };
    static const char *const resumed[] = {
        "Unpaused", "Migrated", "Snapshot", "Post-copy", "Post-copy Error",
    };
    static const char *const stopped[] = {
        "Shutdown", "Destroyed", "Crashed", "Migrated", "Saved", "Failed", "Snapshot",
    };
    static const char *const shutdown[] = {
        "Finished", "Finished after guest request", "Finished after host request",
    };
    static const char *const pmsuspended[] = { "Memory", "Disk" };
    static const char *const crashed[] = { "Panicked", "Crashloaded" };
    const char *d = "unknown";

    switch (event) {
    case VIR_DOMAIN_EVENT_DEFINED: d = VK_PICK(defined, detail, "unknown"); break;
    case VIR_DOMAIN_EVENT_UNDEFINED: d = VK_PICK(undefined, detail, "unknown"); break;
    case VIR_DOMAIN_EVENT_STARTED: d = VK_PICK(started, detail, "unknown"); break;
    case VIR_DOMAIN_EVENT_SUSPENDED: d = VK_PICK(suspended, detail, "unknown"); break;
    case VIR_DOMAIN_EVENT_RESUMED: d = VK_PICK(resumed, detail, "unknown"); break;
    case VIR_DOMAIN_EVENT_STOPPED: d = VK_PICK(stopped, detail, "unknown"); break;
    case VIR_DOMAIN_EVENT_SHUTDOWN: d = VK_PICK(shutdown, detail, "unknown"); break;
    case VIR_DOMAIN_EVENT_PMSUSPENDED: d = VK_PICK(pmsuspended, detail, "unknown"); break;
    case VIR_DOMAIN_EVENT_CRASHED: d = VK_PICK(crashed, detail, "unknown"); break;
    default: break;
    }
    return g_strdup_printf("event 'lifecycle' for domain '%s': %s %s\n", domname,
                           VK_PICK(events, event, "unknown"), d);
}

static void
vkEventGeneric(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, void *opaque)
{
    VkEventData *data = opaque;

    vkEventEmitf(data, "event '%s' for domain '%s'\n", data->def->name, virDomainGetName(dom));
}

static void
vkEventLifecycle(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int event, int detail,
                 void *opaque)
{
    g_autofree char *text = vkEventLifecycleText(virDomainGetName(dom), event, detail);

    vkEventEmit(opaque, text);
}

static void
vkEventRTCChange(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, long long offset,
                 void *opaque)
{
    vkEventEmitf(opaque, "event 'rtc-change' for domain '%s': %lld\n",
                 virDomainGetName(dom), offset);
}

static void
vkEventWatchdog(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int action, void *opaque)
{
    static const char *const actions[] = {
        "none", "pause", "reset", "poweroff", "shutdown", "debug", "inject-nmi",
    };

    vkEventEmitf(opaque, "event 'watchdog' for domain '%s': %s\n",
                 virDomainGetName(dom), VK_PICK(actions, action, "unknown"));
}

static const char *const vkEventIOActions[] = { "none", "pause", "report" };

static void
vkEventIOError(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, const char *srcPath,
               const char *devAlias, int action, void *opaque)
{
    vkEventEmitf(opaque, "event 'io-error' for domain '%s': %s (%s) %s\n",
                 virDomainGetName(dom), srcPath, devAlias,
                 VK_PICK(vkEventIOActions, action, "unknown"));
}

static void
vkEventIOErrorReason(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, const char *srcPath,
                     const char *devAlias, int action, const char *reason, void *opaque)
{
    VkEventData *data = opaque;

    /* virsh names the event as registered: 'io-error-reason' */
    vkEventEmitf(data, "event '%s' for domain '%s': %s (%s) %s due to %s\n", data->def->name,
                 virDomainGetName(dom), srcPath, devAlias,
                 VK_PICK(vkEventIOActions, action, "unknown"), reason);
}

static void
vkEventGraphics(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int phase,
                const virDomainEventGraphicsAddress *local,
                const virDomainEventGraphicsAddress *remote, const char *authScheme,
                const virDomainEventGraphicsSubject *subject, void *opaque)
{
    static const char *const phases[] = { "connect", "initialize", "disconnect" };
    static const char *const families[] = { "IPv4", "IPv6", "unix" };
    g_autoptr(GString) text = g_string_new(NULL);
    int i;

    g_string_append_printf(text, "event 'graphics' for domain '%s': %s local[%s %s %s] "
                           "remote[%s %s %s] %s\n",
                           virDomainGetName(dom), VK_PICK(phases, phase, "unknown"),
                           VK_PICK(families, local->family, "unknown"), local->node,
                           local->service, VK_PICK(families, remote->family, "unknown"),
                           remote->node, remote->service, authScheme);
    for (i = 0; i < subject->nidentity; i++)
        g_string_append_printf(text, "\t%s=%s\n", subject->identities[i].type,
                               subject->identities[i].name);
    vkEventEmit(opaque, text->str);
}

static void
vkEventBlockJob(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, const char *disk,
                int type, int status, void *opaque)
{
    static const char *const types[] = {
        "Unknown job", "Block Pull", "Block Copy", "Block Commit", "Active Block Commit",
        "Backup",
    };
    static const char *const statuses[] = { "completed", "failed", "canceled", "ready" };
    VkEventData *data = opaque;

    vkEventEmitf(data, "event '%s' for domain '%s': %s for %s %s\n", data->def->name,
                 virDomainGetName(dom), VK_PICK(types, type, "Unknown job"), disk,
                 VK_PICK(statuses, status, "unknown"));
}

static void
vkEventDiskChange(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, const char *oldSrc,
                  const char *newSrc, const char *alias, int reason, void *opaque)
{
    static const char *const reasons[] = { "changed", "dropped" };

    vkEventEmitf(opaque, "event 'disk-change' for domain '%s' disk %s: %s -> %s: %s\n",
                 virDomainGetName(dom), alias, VK_NULLSTR(oldSrc), VK_NULLSTR(newSrc),
                 VK_PICK(reasons, reason, "unknown"));
}

static void
vkEventTrayChange(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, const char *alias,
                  int reason, void *opaque)
{
    static const char *const reasons[] = { "opened", "closed" };

    vkEventEmitf(opaque, "event 'tray-change' for domain '%s' disk %s: %s\n",
                 virDomainGetName(dom), alias, VK_PICK(reasons, reason, "unknown"));
}

static void
vkEventPMChange(virConnectPtr conn, virDomainPtr dom, int reason G_GNUC_UNUSED, void *opaque)
{
    vkEventGeneric(conn, dom, opaque);
}

static void
vkEventBalloonChange(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
                     unsigned long long actual, void *opaque)
{
    vkEventEmitf(opaque, "event 'balloon-change' for domain '%s': %lluKiB\n",
                 virDomainGetName(dom), actual);
}

static void
vkEventDeviceRemoved(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, const char *alias,
                     void *opaque)
{
    vkEventEmitf(opaque, "event 'device-removed' for domain '%s': %s\n",
                 virDomainGetName(dom), alias);
}

static void
vkEventDeviceAdded(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, const char *alias,
                   void *opaque)
{
    vkEventEmitf(opaque, "event 'device-added' for domain '%s': %s\n",
                 virDomainGetName(dom), alias);
}

static void
vkEventDeviceRemovalFailed(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
                           const char *alias, void *opaque)
{
    vkEventEmitf(opaque, "event 'device-removal-failed' for domain '%s': %s\n",
                 virDomainGetName(dom), alias);
}

static char *
vkEventParamText(const virTypedParameter *param)
{
    switch (param->type) {
    case VIR_TYPED_PARAM_INT: return g_strdup_printf("%d", param->value.i);
    case VIR_TYPED_PARAM_UINT: return g_strdup_printf("%u", param->value.ui);
    case VIR_TYPED_PARAM_LLONG: return g_strdup_printf("%lld", param->value.l);
    case VIR_TYPED_PARAM_ULLONG: return g_strdup_printf("%llu", param->value.ul);
    case VIR_TYPED_PARAM_DOUBLE: return g_strdup_printf("%f", param->value.d);
    case VIR_TYPED_PARAM_BOOLEAN: return g_strdup(param->value.b ? "yes" : "no");
    case VIR_TYPED_PARAM_STRING: return g_strdup(param->value.s);
    default: return NULL;
    }
}

static void
vkEventParams(VkEventData *data, const char *what, virDomainPtr dom,
              virTypedParameterPtr params, int nparams)
{
    g_autoptr(GString) text = g_string_new(NULL);
    int i;

    g_string_append_printf(text, "event '%s' for domain '%s':\n", what, virDomainGetName(dom));
    for (i = 0; i < nparams; i++) {
        g_autofree char *value = vkEventParamText(&params[i]);

        if (value)
            g_string_append_printf(text, "\t%s: %s\n", params[i].field, value);
    }
    vkEventEmit(data, text->str);
}

static void
vkEventTunable(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
               virTypedParameterPtr params, int nparams, void *opaque)
{
    vkEventParams(opaque, "tunable", dom, params, nparams);
}

static void
vkEventJobCompleted(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
                    virTypedParameterPtr params, int nparams, void *opaque)
{
    vkEventParams(opaque, "job-completed", dom, params, nparams);
}

static void
vkEventAgentLifecycle(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int state,
                      int reason, void *opaque)
{
    static const char *const states[] = { "unknown", "connected", "disconnected" };
    static const char *const reasons[] = { "unknown", "domain started", "channel event" };

    vkEventEmitf(opaque, "event 'agent-lifecycle' for domain '%s': state: '%s' reason: '%s'\n",
                 virDomainGetName(dom), VK_PICK(states, state, "unsupported value"),
                 VK_PICK(reasons, reason, "unsupported value"));
}

static void
vkEventMigrationIteration(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int iteration,
                          void *opaque)
{
    vkEventEmitf(opaque, "event 'migration-iteration' for domain '%s': iteration: '%d'\n",
                 virDomainGetName(dom), iteration);
}

static void
vkEventMetadataChange(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int type,
                      const char *nsuri, void *opaque)
{
    static const char *const types[] = { "description", "title", "element" };

    vkEventEmitf(opaque, "event 'metadata-change' for domain '%s': type %s, uri %s\n",
                 virDomainGetName(dom), VK_PICK(types, type, "unsupported value"),
                 VK_NULLSTR(nsuri));
}

static void
vkEventBlockThreshold(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, const char *dev,
                      const char *path, unsigned long long threshold,
                      unsigned long long excess, void *opaque)
{
    vkEventEmitf(opaque, "event 'block-threshold' for domain '%s': dev: %s(%s) %llu %llu\n",
                 virDomainGetName(dom), dev, VK_NULLSTR(path), threshold, excess);
}

static void
vkEventMemoryFailure(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int recipient,
                     int action, unsigned int flags, void *opaque)
{
    static const char *const recipients[] = { "hypervisor", "guest" };
    static const char *const actions[] = { "ignore", "inject", "fatal", "reset" };

    vkEventEmitf(opaque, "event 'memory-failure' for domain '%s':\nrecipient: %s\naction: %s\n"
                 "flags:\n\taction required: %d\n\trecursive: %d\n",
                 virDomainGetName(dom), VK_PICK(recipients, recipient, "unsupported value"),
                 VK_PICK(actions, action, "unsupported value"),
                 !!(flags & VIR_DOMAIN_MEMORY_FAILURE_ACTION_REQUIRED),
                 !!(flags & VIR_DOMAIN_MEMORY_FAILURE_RECURSIVE));
}

static void
vkEventMemoryDeviceSizeChange(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
                              const char *alias, unsigned long long size, void *opaque)
{
    vkEventEmitf(opaque, "event 'memory-device-size-change' for domain '%s':\n"
                 "alias: %s\nsize: %llu\n", virDomainGetName(dom), alias, size);
}

/* The API passes every callback type through the generic one; going
 * through void (*)(void) keeps -Wcast-function-type quiet about it. */
#define VK_EV(name, id, cb) \
    { name, id, (virConnectDomainEventGenericCallback) (void (*)(void)) (cb) }

/* In the order of the event ids, as "event --list" prints them */
static const VkEventDef vkEvents[] = {
    VK_EV("lifecycle", VIR_DOMAIN_EVENT_ID_LIFECYCLE, vkEventLifecycle),
    VK_EV("reboot", VIR_DOMAIN_EVENT_ID_REBOOT, vkEventGeneric),
    VK_EV("rtc-change", VIR_DOMAIN_EVENT_ID_RTC_CHANGE, vkEventRTCChange),
    VK_EV("watchdog", VIR_DOMAIN_EVENT_ID_WATCHDOG, vkEventWatchdog),
    VK_EV("io-error", VIR_DOMAIN_EVENT_ID_IO_ERROR, vkEventIOError),
    VK_EV("graphics", VIR_DOMAIN_EVENT_ID_GRAPHICS, vkEventGraphics),
    VK_EV("io-error-reason", VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON, vkEventIOErrorReason),
    VK_EV("control-error", VIR_DOMAIN_EVENT_ID_CONTROL_ERROR, vkEventGeneric),
    VK_EV("block-job", VIR_DOMAIN_EVENT_ID_BLOCK_JOB, vkEventBlockJob),
    VK_EV("disk-change", VIR_DOMAIN_EVENT_ID_DISK_CHANGE, vkEventDiskChange),
    VK_EV("tray-change", VIR_DOMAIN_EVENT_ID_TRAY_CHANGE, vkEventTrayChange),
    VK_EV("pm-wakeup", VIR_DOMAIN_EVENT_ID_PMWAKEUP, vkEventPMChange),
    VK_EV("pm-suspend", VIR_DOMAIN_EVENT_ID_PMSUSPEND, vkEventPMChange),
    VK_EV("balloon-change", VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE, vkEventBalloonChange),
    VK_EV("pm-suspend-disk", VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK, vkEventPMChange),
    VK_EV("device-removed", VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, vkEventDeviceRemoved),
    VK_EV("block-job-2", VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, vkEventBlockJob),
    VK_EV("tunable", VIR_DOMAIN_EVENT_ID_TUNABLE, vkEventTunable),
    VK_EV("agent-lifecycle", VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE, vkEventAgentLifecycle),
    VK_EV("device-added", VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, vkEventDeviceAdded),
    VK_EV("migration-iteration", VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
          vkEventMigrationIteration),
    VK_EV("job-completed", VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, vkEventJobCompleted),
    VK_EV("device-removal-failed", VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED,
          vkEventDeviceRemovalFailed),
    VK_EV("metadata-change", VIR_DOMAIN_EVENT_ID_METADATA_CHANGE, vkEventMetadataChange),
    VK_EV("block-threshold", VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD, vkEventBlockThreshold),
    VK_EV("memory-failure", VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE, vkEventMemoryFailure),
    VK_EV("memory-device-size-change", VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE,
          vkEventMemoryDeviceSizeChange),
};

/**
 * vkEventCount:
 *
 * Returns: the number of domain events the event command knows.
 */
size_t
vkEventCount(void)
{
    return G_N_ELEMENTS(vkEvents);
}

/**
 * vkEventName:
 * @idx: index below vkEventCount()
 *
 * Returns: the name of an event as "event --event" takes it.
 */
const char *
vkEventName(size_t idx)
{
    return idx < G_N_ELEMENTS(vkEvents) ? vkEvents[idx].name : NULL;
}

/* Write end of the wakeup pipe for the SIGINT handler */
static volatile int vkEventSigFd = -1;

/**
 * vkEventDone:
 *
 * Ends the `event` command's wait, if one runs (the connection was lost):
 * it then prints its counts as after a timeout, without the timeout line.
 */
void
vkEventDone(void)
{
    char c = 'd';
    int fd = vkEventSigFd;

    if (fd >= 0 && write(fd, &c, 1) < 0) {
        /* the pipe is full: a wakeup is pending anyway */
    }
}

static void
vkEventSigint(int sig G_GNUC_UNUSED)
{
    int saved = errno;
    char c = 'i';

    if (vkEventSigFd >= 0 && write(vkEventSigFd, &c, 1) < 0) {
        /* nothing to do: the pipe is full, so a wakeup is pending */
    }
    errno = saved;
}

typedef enum {
    VK_EVENT_WAIT_DONE,
    VK_EVENT_WAIT_INTERRUPT,
    VK_EVENT_WAIT_TIMEOUT,
    VK_EVENT_WAIT_ERROR,
} VkEventWait;

static VkEventWait
vkEventWait(int fd, int timeoutMs)
{
    gint64 deadline = timeoutMs > 0 ? g_get_monotonic_time() + (gint64) timeoutMs * 1000 : -1;

    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int wait = -1;
        int rc;
        char c;

        if (deadline >= 0) {
            gint64 left = deadline - g_get_monotonic_time();

            if (left <= 0)
                return VK_EVENT_WAIT_TIMEOUT;
            wait = (int) ((left + 999) / 1000);
        }
        rc = poll(&pfd, 1, wait);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            return VK_EVENT_WAIT_ERROR;
        }
        if (rc == 0)
            continue;
        if (read(fd, &c, 1) == 1)
            return c == 'i' ? VK_EVENT_WAIT_INTERRUPT : VK_EVENT_WAIT_DONE;
    }
}

/**
 * vkEventCmdEvent:
 * @ctl: run state
 * @cmd: parsed "event" command
 *
 * Lists the event names, or registers for one or all events (optionally of
 * one domain) and prints them until the first one arrives, or with --loop
 * until the timeout or Ctrl-C.  Then prints how many were received.
 *
 * Returns: true if at least one event was received (or for --list).
 */
bool
vkEventCmdEvent(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    g_autofree VkEventData *data = NULL;
    bool all = vkCmdOptBool(cmd, "all");
    bool loop = vkCmdOptBool(cmd, "loop");
    bool timestamp = vkCmdOptBool(cmd, "timestamp");
    bool list = vkCmdOptBool(cmd, "list");
    bool hasEvent = vkCmdOptBool(cmd, "event");
    const char *eventName = NULL;
    struct sigaction sa;
    struct sigaction oldsa;
    int fds[2] = { -1, -1 };
    gint count = 0;
    size_t ndata = 0;
    int timeout = 0;
    bool ret = false;
    size_t i;

    if (!vkCmdCheckExclusive(ctl, all, "all", hasEvent, "event") ||
        !vkCmdCheckExclusive(ctl, list, "list", all, "all") ||
        !vkCmdCheckExclusive(ctl, list, "list", hasEvent, "event"))
        return false;

    if (list) {
        for (i = 0; i < G_N_ELEMENTS(vkEvents); i++)
            vkPrint(ctl, "%s\n", vkEvents[i].name);
        return true;
    }

    if (vkCmdOptString(ctl, cmd, "event", &eventName) < 0)
        return false;
    if (!eventName && !all) {
        vkError(ctl, "%s", "one of --list, --all, or --event <type> is required");
        return false;
    }

    data = g_new0(VkEventData, G_N_ELEMENTS(vkEvents));
    for (i = 0; i < G_N_ELEMENTS(vkEvents); i++) {
        if (eventName && !vkStreq(eventName, vkEvents[i].name))
            continue;
        data[ndata].ctl = ctl;
        data[ndata].def = &vkEvents[i];
        data[ndata].loop = loop;
        data[ndata].timestamp = timestamp;
        data[ndata].count = &count;
        data[ndata].cbid = -1;
        ndata++;
    }
    if (ndata == 0) {
        vkError(ctl, "unknown event type %s", eventName);
        return false;
    }

    if (vkCmdOptTimeoutMs(ctl, cmd, &timeout) < 0)
        return false;

    if (vkCmdOptBool(cmd, "domain") &&
        !(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;

    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
        vkError(ctl, "cannot create a pipe: %s", g_strerror(errno));
        return false;
    }
    for (i = 0; i < ndata; i++)
        data[i].wakefd = fds[1];

    vkEventSigFd = fds[1];
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = vkEventSigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &oldsa);

    for (i = 0; i < ndata; i++) {
        data[i].cbid = virConnectDomainEventRegisterAny(ctl->conn, dom, data[i].def->id,
                                                        data[i].def->cb, &data[i], NULL);
        if (data[i].cbid < 0) {
            /* with --all, a driver that knows fewer events is fine as long
             * as the first registration works */
            if (i == 0)
                goto cleanup;
            vkResetError(ctl);
        }
    }

    switch (vkEventWait(fds[0], timeout)) {
    case VK_EVENT_WAIT_INTERRUPT:
        vkPrint(ctl, "%s", "event loop interrupted\n");
        break;
    case VK_EVENT_WAIT_TIMEOUT:
        vkPrint(ctl, "%s", "event loop timed out\n");
        break;
    case VK_EVENT_WAIT_DONE:
        break;
    case VK_EVENT_WAIT_ERROR:
        vkError(ctl, "failed to wait for events: %s", g_strerror(errno));
        goto cleanup;
    }
    vkPrint(ctl, "events received: %d\n", g_atomic_int_get(&count));
    if (g_atomic_int_get(&count) > 0)
        ret = true;

 cleanup:
    for (i = 0; i < ndata; i++) {
        if (data[i].cbid >= 0 &&
            virConnectDomainEventDeregisterAny(ctl->conn, data[i].cbid) < 0)
            ret = false;
    }
    sigaction(SIGINT, &oldsa, NULL);
    vkEventSigFd = -1;
    close(fds[0]);
    close(fds[1]);
    return ret;
}
