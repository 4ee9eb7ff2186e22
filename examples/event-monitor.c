/* event-monitor: print domain events as they happen.
 *
 * Usage: event-monitor [URI] [--timeout SECONDS] [--demo]
 *
 * Registers the library's default event loop, subscribes to the lifecycle,
 * reboot, job-completed and migration-iteration events of every domain on the
 * connection and prints one line per event until SIGINT/SIGTERM or until the
 * timeout expires.
 *
 * --demo (test:// URIs only) drives the domain named "test" through
 * suspend, resume, destroy and start from this same process, each step taken
 * once the event of the previous one has arrived, so that the events can be
 * seen without a second program:
 *
 *     event-monitor test:///default --demo --timeout 2
 *
 * Only the public API is used, so this file builds unchanged against
 * virtkit's libvirt.so.0 and against libvirt's own.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#define EVENT_MONITOR_DEMO_DOMAIN "test"
#define EVENT_MONITOR_MAX_TIMEOUT (INT_MAX / 1000)

/* Self-pipe: the signal handler writes one byte, the event loop wakes up. */
static int eventMonitorSignalPipe[2] = { -1, -1 };
static bool eventMonitorQuit;

/* One step of --demo: what to do, and the lifecycle event that shows it
 * happened (then the next step may run). */
typedef struct {
    const char *verb;
    int (*action)(virDomainPtr dom);
    int expectEvent;    /* virDomainEventType */
} EventMonitorDemoStep;

static const EventMonitorDemoStep eventMonitorDemoSteps[] = {
    { "suspending", virDomainSuspend, VIR_DOMAIN_EVENT_SUSPENDED },
    { "resuming", virDomainResume, VIR_DOMAIN_EVENT_RESUMED },
    { "destroying", virDomainDestroy, VIR_DOMAIN_EVENT_STOPPED },
    { "starting", virDomainCreate, VIR_DOMAIN_EVENT_STARTED },
};
#define EVENT_MONITOR_DEMO_NSTEPS \
    (sizeof(eventMonitorDemoSteps) / sizeof(eventMonitorDemoSteps[0]))

typedef struct {
    virConnectPtr conn;
    int timer;          /* fires the next step; -1 when there is none */
    size_t next;        /* index of the next step to run */
    bool waiting;       /* a step ran, its event has not arrived yet */
    bool failed;
} EventMonitorDemo;

static EventMonitorDemo eventMonitorDemo = { .timer = -1 };

/* Names of virDomainEventType values and of their details, indexed by the
 * numeric value. */
static const char *const eventMonitorTypeNames[] = {
    "Defined", "Undefined", "Started", "Suspended", "Resumed",
    "Stopped", "Shutdown", "PMSuspended", "Crashed",
};

static const char *const eventMonitorDefinedDetails[] = {
    "Added", "Updated", "Renamed", "Snapshot",
};
static const char *const eventMonitorUndefinedDetails[] = {
    "Removed", "Renamed",
};
static const char *const eventMonitorStartedDetails[] = {
    "Booted", "Migrated", "Restored", "Snapshot", "Wakeup",
};
static const char *const eventMonitorSuspendedDetails[] = {
    "Paused", "Migrated", "I/O Error", "Watchdog", "Restored", "Snapshot",
    "API error", "Post-copy", "Post-copy Error",
};
static const char *const eventMonitorResumedDetails[] = {
    "Unpaused", "Migrated", "Snapshot", "Post-copy", "Post-copy Error",
};
static const char *const eventMonitorStoppedDetails[] = {
    "Shutdown", "Destroyed", "Crashed", "Migrated", "Saved", "Failed",
    "Snapshot",
};
static const char *const eventMonitorShutdownDetails[] = {
    "Finished", "Guest", "Host",
};
static const char *const eventMonitorPMSuspendedDetails[] = {
    "Memory", "Disk",
};
static const char *const eventMonitorCrashedDetails[] = {
    "Panicked", "Crashloaded",
};

#define EVENT_MONITOR_TABLE(t) { t, sizeof(t) / sizeof(t[0]) }

static const struct {
    const char *const *names;
    size_t n;
} eventMonitorDetailNames[] = {
    EVENT_MONITOR_TABLE(eventMonitorDefinedDetails),
    EVENT_MONITOR_TABLE(eventMonitorUndefinedDetails),
    EVENT_MONITOR_TABLE(eventMonitorStartedDetails),
    EVENT_MONITOR_TABLE(eventMonitorSuspendedDetails),
    EVENT_MONITOR_TABLE(eventMonitorResumedDetails),
    EVENT_MONITOR_TABLE(eventMonitorStoppedDetails),
    EVENT_MONITOR_TABLE(eventMonitorShutdownDetails),
    EVENT_MONITOR_TABLE(eventMonitorPMSuspendedDetails),
    EVENT_MONITOR_TABLE(eventMonitorCrashedDetails),
};

static const char *
eventMonitorTypeName(int event)
{
    if (event < 0 ||
        (size_t) event >= sizeof(eventMonitorTypeNames) / sizeof(eventMonitorTypeNames[0]))
        return "Unknown";
    return eventMonitorTypeNames[event];
}

static const char *
eventMonitorDetailName(int event, int detail)
{
    if (event < 0 ||
        (size_t) event >= sizeof(eventMonitorDetailNames) / sizeof(eventMonitorDetailNames[0]))
        return "Unknown";
    if (detail < 0 || (size_t) detail >= eventMonitorDetailNames[event].n)
        return "Unknown";
    return eventMonitorDetailNames[event].names[detail];
}

static void
eventMonitorPrintError(const char *what)
{
    const char *msg = virGetLastErrorMessage();

    fprintf(stderr, "event-monitor: %s: %s\n", what, msg ? msg : "unknown error");
}

/* The library's default handler prints every error to stderr as it is
 * raised; we print our own message instead, once. */
static void
eventMonitorIgnoreError(void *opaque, virErrorPtr err)
{
    (void) opaque;
    (void) err;
}

static int
eventMonitorLifecycle(virConnectPtr conn, virDomainPtr dom,
                      int event, int detail, void *opaque)
{
    const char *name = virDomainGetName(dom);

    (void) conn;
    (void) opaque;

    printf("lifecycle: '%s' %s (%s) [%d,%d]\n", name,
           eventMonitorTypeName(event), eventMonitorDetailName(event, detail),
           event, detail);

    /* --demo: the awaited event arrived, let the next step run. */
    if (eventMonitorDemo.waiting && strcmp(name, EVENT_MONITOR_DEMO_DOMAIN) == 0 &&
        event == eventMonitorDemoSteps[eventMonitorDemo.next - 1].expectEvent) {
        eventMonitorDemo.waiting = false;
        if (eventMonitorDemo.next < EVENT_MONITOR_DEMO_NSTEPS)
            virEventUpdateTimeout(eventMonitorDemo.timer, 0);
        else
            printf("demo: done\n");
    }
    return 0;
}

static void
eventMonitorReboot(virConnectPtr conn, virDomainPtr dom, void *opaque)
{
    (void) conn;
    (void) opaque;
    printf("reboot: '%s'\n", virDomainGetName(dom));
}

static void
eventMonitorMigrationIteration(virConnectPtr conn, virDomainPtr dom,
                               int iteration, void *opaque)
{
    (void) conn;
    (void) opaque;
    printf("migration-iteration: '%s' iteration %d\n",
           virDomainGetName(dom), iteration);
}

static void
eventMonitorJobCompleted(virConnectPtr conn, virDomainPtr dom,
                         virTypedParameterPtr params, int nparams,
                         void *opaque)
{
    int i;

    (void) conn;
    (void) opaque;
    printf("job-completed: '%s' %d statistic%s\n",
           virDomainGetName(dom), nparams, nparams == 1 ? "" : "s");

    for (i = 0; i < nparams; i++) {
        const virTypedParameter *p = &params[i];

        printf("    %s = ", p->field);
        switch (p->type) {
        case VIR_TYPED_PARAM_INT:
            printf("%d\n", p->value.i);
            break;
        case VIR_TYPED_PARAM_UINT:
            printf("%u\n", p->value.ui);
            break;
        case VIR_TYPED_PARAM_LLONG:
            printf("%lld\n", p->value.l);
            break;
        case VIR_TYPED_PARAM_ULLONG:
            printf("%llu\n", p->value.ul);
            break;
        case VIR_TYPED_PARAM_DOUBLE:
            printf("%g\n", p->value.d);
            break;
        case VIR_TYPED_PARAM_BOOLEAN:
            printf("%s\n", p->value.b ? "yes" : "no");
            break;
        case VIR_TYPED_PARAM_STRING:
            printf("%s\n", p->value.s);
            break;
        default:
            printf("(type %d)\n", p->type);
            break;
        }
    }
}

/* Timer callback of --demo: run the next step on the "test" domain. */
static void
eventMonitorDemoStep(int timer, void *opaque)
{
    const EventMonitorDemoStep *step;
    virDomainPtr dom;

    (void) opaque;
    virEventUpdateTimeout(timer, -1);
    if (eventMonitorDemo.next >= EVENT_MONITOR_DEMO_NSTEPS)
        return;

    step = &eventMonitorDemoSteps[eventMonitorDemo.next++];
    printf("demo: %s '%s'\n", step->verb, EVENT_MONITOR_DEMO_DOMAIN);

    if (!(dom = virDomainLookupByName(eventMonitorDemo.conn,
                                      EVENT_MONITOR_DEMO_DOMAIN))) {
        eventMonitorPrintError("demo: cannot find domain '" EVENT_MONITOR_DEMO_DOMAIN "'");
        eventMonitorDemo.failed = true;
        return;
    }
    if (step->action(dom) < 0) {
        eventMonitorPrintError("demo: action failed");
        eventMonitorDemo.failed = true;
    } else {
        eventMonitorDemo.waiting = true;
    }
    virDomainFree(dom);
}

static void
eventMonitorTimeout(int timer, void *opaque)
{
    (void) timer;
    (void) opaque;
    printf("event-monitor: timeout reached\n");
    eventMonitorQuit = true;
}

static void
eventMonitorSignal(int signum)
{
    int saved = errno;
    unsigned char byte = (unsigned char) signum;

    if (write(eventMonitorSignalPipe[1], &byte, 1) < 0) {
        /* Nothing useful can be done inside a signal handler. */
    }
    errno = saved;
}

static void
eventMonitorSignalReadable(int watch, int fd, int events, void *opaque)
{
    unsigned char byte;

    (void) watch;
    (void) events;
    (void) opaque;
    while (read(fd, &byte, 1) == 1) {
        printf("event-monitor: caught %s, stopping\n",
               byte == SIGINT ? "SIGINT" : "SIGTERM");
        eventMonitorQuit = true;
    }
}

/* Parse a whole number of seconds in 1..EVENT_MONITOR_MAX_TIMEOUT. */
static int
eventMonitorParseSeconds(const char *str, int *ret)
{
    char *end = NULL;
    long val;

    if (!str || !*str || *str == '-' || *str == '+')
        return -1;
    errno = 0;
    val = strtol(str, &end, 10);
    if (errno != 0 || end == str || *end != '\0' ||
        val <= 0 || val > EVENT_MONITOR_MAX_TIMEOUT)
        return -1;
    *ret = (int) val;
    return 0;
}

static void
eventMonitorUsage(FILE *out, const char *argv0)
{
    fprintf(out,
            "Usage: %s [URI] [--timeout SECONDS] [--demo]\n"
            "  --timeout S  stop after S seconds (default: run until SIGINT/SIGTERM)\n"
            "  --demo       on a test:// URI, suspend/resume/destroy/start the domain\n"
            "               'test' from this process and show the resulting events\n",
            argv0);
}

int
main(int argc, char **argv)
{
    const char *uri = NULL;
    int timeoutSecs = 0;
    bool demo = false;
    virConnectPtr conn = NULL;
    char *actualUri = NULL;
    int callbackIds[4] = { -1, -1, -1, -1 };
    int timeoutTimer = -1;
    int signalWatch = -1;
    struct sigaction sa;
    int ret = EXIT_FAILURE;
    size_t i;
    int a;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--timeout") == 0) {
            if (a + 1 >= argc ||
                eventMonitorParseSeconds(argv[a + 1], &timeoutSecs) < 0) {
                fprintf(stderr, "event-monitor: --timeout needs a whole number of "
                        "seconds between 1 and %d\n", EVENT_MONITOR_MAX_TIMEOUT);
                return EXIT_FAILURE;
            }
            a++;
        } else if (strcmp(argv[a], "--demo") == 0) {
            demo = true;
        } else if (strcmp(argv[a], "-h") == 0 || strcmp(argv[a], "--help") == 0) {
            eventMonitorUsage(stdout, argv[0]);
            return EXIT_SUCCESS;
        } else if (argv[a][0] == '-' || uri) {
            eventMonitorUsage(stderr, argv[0]);
            return EXIT_FAILURE;
        } else {
            uri = argv[a];
        }
    }

    /* Events are printed from callbacks; keep lines in order when piped. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, eventMonitorIgnoreError);

    /* The event loop must exist before the connection is opened. */
    if (virEventRegisterDefaultImpl() < 0) {
        eventMonitorPrintError("cannot register the default event loop");
        return EXIT_FAILURE;
    }

    if (pipe2(eventMonitorSignalPipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        perror("event-monitor: pipe2");
        return EXIT_FAILURE;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = eventMonitorSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if ((signalWatch = virEventAddHandle(eventMonitorSignalPipe[0],
                                         VIR_EVENT_HANDLE_READABLE,
                                         eventMonitorSignalReadable,
                                         NULL, NULL)) < 0) {
        eventMonitorPrintError("cannot watch the signal pipe");
        goto cleanup;
    }

    /* Watching needs no write access; the demo does. */
    conn = demo ? virConnectOpen(uri) : virConnectOpenReadOnly(uri);
    if (!conn) {
        eventMonitorPrintError(uri ? uri : "default connection");
        goto cleanup;
    }
    actualUri = virConnectGetURI(conn);

    if (demo && (!actualUri || strncmp(actualUri, "test://", 7) != 0)) {
        fprintf(stderr, "event-monitor: --demo only runs on a test:// URI, not '%s'\n",
                actualUri ? actualUri : "?");
        goto cleanup;
    }

    callbackIds[0] = virConnectDomainEventRegisterAny(
        conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        VIR_DOMAIN_EVENT_CALLBACK(eventMonitorLifecycle), NULL, NULL);
    callbackIds[1] = virConnectDomainEventRegisterAny(
        conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
        VIR_DOMAIN_EVENT_CALLBACK(eventMonitorReboot), NULL, NULL);
    callbackIds[2] = virConnectDomainEventRegisterAny(
        conn, NULL, VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
        VIR_DOMAIN_EVENT_CALLBACK(eventMonitorJobCompleted), NULL, NULL);
    callbackIds[3] = virConnectDomainEventRegisterAny(
        conn, NULL, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
        VIR_DOMAIN_EVENT_CALLBACK(eventMonitorMigrationIteration), NULL, NULL);
    for (i = 0; i < 4; i++) {
        if (callbackIds[i] < 0) {
            eventMonitorPrintError("cannot register a domain event callback");
            goto cleanup;
        }
    }

    if (timeoutSecs > 0 &&
        (timeoutTimer = virEventAddTimeout(timeoutSecs * 1000,
                                           eventMonitorTimeout,
                                           NULL, NULL)) < 0) {
        eventMonitorPrintError("cannot add the timeout timer");
        goto cleanup;
    }

    if (demo) {
        eventMonitorDemo.conn = conn;
        /* Fires at once for the first step, then re-armed per event. */
        if ((eventMonitorDemo.timer = virEventAddTimeout(0, eventMonitorDemoStep,
                                                         NULL, NULL)) < 0) {
            eventMonitorPrintError("cannot add the demo timer");
            goto cleanup;
        }
    }

    printf("event-monitor: watching %s%s\n", actualUri ? actualUri : "?",
           timeoutSecs > 0 ? "" : " (Ctrl-C to stop)");

    while (!eventMonitorQuit && !eventMonitorDemo.failed) {
        if (virEventRunDefaultImpl() < 0) {
            eventMonitorPrintError("event loop failed");
            goto cleanup;
        }
    }

    ret = eventMonitorDemo.failed ? EXIT_FAILURE : EXIT_SUCCESS;

 cleanup:
    if (eventMonitorDemo.timer >= 0)
        virEventRemoveTimeout(eventMonitorDemo.timer);
    if (timeoutTimer >= 0)
        virEventRemoveTimeout(timeoutTimer);
    for (i = 0; i < 4; i++) {
        if (callbackIds[i] >= 0)
            virConnectDomainEventDeregisterAny(conn, callbackIds[i]);
    }
    free(actualUri);
    if (conn)
        virConnectClose(conn);
    if (signalWatch >= 0)
        virEventRemoveHandle(signalWatch);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    for (i = 0; i < 2; i++) {
        if (eventMonitorSignalPipe[i] >= 0)
            close(eventMonitorSignalPipe[i]);
    }
    return ret;
}
