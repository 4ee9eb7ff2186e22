/* virtkitd: options, paths, sockets, signals and the event loop of the daemon. */
#include <errno.h>
#include <sched.h>
#include <grp.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <libvirt/libvirt.h>

#define ERR_DOMAIN VIR_FROM_NONE

#include "daemon_config.h"
#include "daemon_net.h"
#include "daemon_pidfile.h"
#include "api/daemon_mode.h"
#include "remote/remote_dispatch.h"
#include "rpc/rpc_server.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"

LOG_INIT("daemon");

/* How long a shutdown waits for running calls, then for their replies to go out. */
#define DAEMON_MAIN_CALLS_SECONDS 30
#define DAEMON_MAIN_FLUSH_SECONDS 2

/* Where things live: root-mode paths, under --root DIR when given (docs/daemon.md). */
typedef struct {
    bool privileged; /* root-mode layout */
    char *configFile;
    char *pidFile;
    char *runDir; /* default socket directory */
} DaemonMainPaths;

static void
daemonMainPathsClear(DaemonMainPaths *paths)
{
    g_free(paths->configFile);
    g_free(paths->pidFile);
    g_free(paths->runDir);
}

static void
daemonMainPathsInit(DaemonMainPaths *paths, const char *root)
{
    if (root || geteuid() == 0) {
        const char *prefix = root ? root : "/";

        paths->privileged = true;
        paths->configFile = g_build_filename(prefix, "etc", "virtkit", "virtkitd.conf", NULL);
        paths->pidFile = g_build_filename(prefix, "run", "virtkitd.pid", NULL);
        paths->runDir = g_build_filename(prefix, "run", "virtkit", NULL);
        return;
    }
    paths->privileged = false;
    paths->configFile = g_build_filename(g_get_user_config_dir(), "virtkit", "virtkitd.conf", NULL);
    paths->runDir = g_build_filename(g_get_user_runtime_dir(), "virtkit", NULL);
    paths->pidFile = g_build_filename(paths->runDir, "virtkitd.pid", NULL);
}

/* State the signal handlers and the idle timer change (event-loop thread only). */
typedef struct {
    bool quit;
    const char *reason;
} DaemonMainState;

static gboolean
daemonMainOnTerminate(gpointer opaque)
{
    DaemonMainState *state = opaque;

    state->quit = true;
    state->reason = "signal";
    return G_SOURCE_CONTINUE;
}

/*
 * SIGHUP, as libvirtd: the drivers reload what they keep on disk (the
 * QEMU driver's persistent definitions).  virtkitd.conf is not re-read
 * (libvirtd does not either).  Runs on the event-loop thread: a reload
 * only parses a few XML files.
 */
static gboolean
daemonMainOnHangup(gpointer opaque G_GNUC_UNUSED)
{
    LOG_INFO("%s", "SIGHUP: reloading the drivers");
    if (virtkitDaemonReload() < 0) {
        LOG_WARN("error while reloading drivers: %s", errorGetSlot()->message);
        errorReset();
    }
    return G_SOURCE_CONTINUE;
}

static void
daemonMainOnIdle(RpcServer *srv, void *opaque)
{
    DaemonMainState *state = opaque;

    state->quit = true;
    state->reason = "idle timeout";
}

/*
 * The library prints errors to stderr unless told otherwise; in the
 * daemon they belong to the client whose call failed (and the debug log).
 */
static void
daemonMainLibraryError(void *opaque, virErrorPtr err)
{
    LOG_DEBUG("library error %d: %s", err ? err->code : 0, err && err->message ? err->message : "");
}

static gboolean
daemonMainTick(gpointer opaque)
{
    return G_SOURCE_CONTINUE;
}

/*
 * Logging: the config first, then LIBVIRT_ and VIRTKIT_ environment
 * variables, which win.  The library (libvirt.so) keeps its own log
 * settings and reads the environment when initialized, so the config is
 * handed to it there.
 */
static int
daemonMainSetupLogging(const DaemonConfig *cfg, bool verbose)
{
    int level = cfg->logLevel;

    if (verbose && (level == 0 || level > LOG_LEVEL_INFO))
        level = LOG_LEVEL_INFO;
    if (level)
        logSetDefaultLevel(level);
    if (cfg->logFilters && logSetFilters(cfg->logFilters) < 0) {
        reportError(VIR_ERR_CONF_SYNTAX, _("invalid log_filters '%1$s'"), cfg->logFilters);
        return -1;
    }
    if (cfg->logOutputs && logSetOutputs(cfg->logOutputs) < 0) {
        reportError(VIR_ERR_CONF_SYNTAX, _("invalid log_outputs '%1$s'"), cfg->logOutputs);
        return -1;
    }
    logInitFromEnv();

    if (level) {
        g_autofree char *text = g_strdup_printf("%d", level);

        g_setenv("VIRTKIT_LOG_LEVEL", text, FALSE);
    }
    if (cfg->logFilters)
        g_setenv("VIRTKIT_LOG_FILTERS", cfg->logFilters, FALSE);
    if (cfg->logOutputs)
        g_setenv("VIRTKIT_LOG_OUTPUTS", cfg->logOutputs, FALSE);
    return 0;
}

/* The group of the sockets: a name or a number. */
static int
daemonMainResolveGroup(const char *name, gid_t *ret)
{
    struct group grbuf;
    struct group *gr = NULL;
    char buf[4096];
    unsigned int gid;
    int rc;

    if (!name) {
        *ret = (gid_t)-1;
        return 0;
    }
    if (strParseUInt(name, 10, &gid) == 0) {
        *ret = gid;
        return 0;
    }
    rc = getgrnam_r(name, &grbuf, buf, sizeof(buf), &gr);
    if (rc != 0 || !gr) {
        reportError(VIR_ERR_CONF_SYNTAX, _("unix_sock_group: unknown group '%1$s'"), name);
        return -1;
    }
    *ret = gr->gr_gid;
    return 0;
}

static void
daemonMainServerConfig(const DaemonConfig *cfg, RpcServerConfig *ret)
{
    rpcServerConfigInitDefaults(ret);
    ret->maxClients = cfg->maxClients;
    ret->maxWorkers = cfg->maxWorkers;
    ret->prioWorkers = cfg->prioWorkers;
    ret->maxClientRequests = cfg->maxClientRequests;
    ret->keepaliveInterval = cfg->keepaliveInterval;
    ret->keepaliveCount = cfg->keepaliveCount;
}

/* Iterates @ctx until @done returns true or @seconds pass; returns @done's last answer. */
static bool
daemonMainWait(GMainContext *ctx, RpcServer *srv, bool (*done)(RpcServer *srv), int seconds)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;

    while (!done(srv) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(ctx, TRUE);
    return done(srv);
}

static bool
daemonMainNoCalls(RpcServer *srv)
{
    return rpcServerCountCalls(srv) == 0;
}

/*
 * How long the loop keeps polling without sleeping after it did some work
 * (a build may set it, e.g. -DDAEMON_LOOP_SPIN_US=0 to measure the work
 * per call without the polling).
 */
#ifndef DAEMON_LOOP_SPIN_US
#define DAEMON_LOOP_SPIN_US 50
#endif

/*
 * When the loop last finished some work, and whether the previous poll
 * found some (which GLib dispatched since).  Event-loop thread only.
 */
static gint64 daemonMainLastWork;
static bool daemonMainWorked;

/*
 * The loop's poll function (g_main_context_set_poll_func): after work,
 * it checks the descriptors without sleeping for DAEMON_LOOP_SPIN_US
 * before it blocks, so that a client's next small call finds the loop
 * awake instead of paying a wake-up (tens of microseconds on an idle
 * virtual CPU).  Each check is one poll() with a zero timeout and a
 * sched_yield() (a runnable client gets the CPU first), not a whole turn
 * of the GLib loop, which would prepare, query and check every source
 * each time.  GLib's own timeout is kept: polling stops at it.  An idle
 * daemon sleeps.
 */
static gint
daemonMainPoll(GPollFD *fds, guint nfds, gint timeout)
{
    gint64 now = g_get_monotonic_time();
    gint64 deadline;
    gint ready;

    /* The dispatch of what the previous poll found has just ended. */
    if (daemonMainWorked)
        daemonMainLastWork = now;

    /* A zero timeout: a source was ready before the poll (work too). */
    ready = g_poll(fds, nfds, 0);
    daemonMainWorked = ready != 0 || timeout == 0;
    if (daemonMainWorked)
        return ready;

    deadline = timeout > 0 ? now + (gint64)timeout * 1000 : G_MAXINT64;
    while (now < daemonMainLastWork + DAEMON_LOOP_SPIN_US && now < deadline) {
        sched_yield();
        if ((ready = g_poll(fds, nfds, 0)) != 0) {
            daemonMainWorked = true;
            return ready;
        }
        now = g_get_monotonic_time();
    }

    if (timeout > 0)
        timeout = now >= deadline ? 0 : (gint)((deadline - now + 999) / 1000);
    ready = g_poll(fds, nfds, timeout);
    /* Woken up: spin after handling this, as after any work. */
    daemonMainWorked = true;
    return ready;
}

/* Runs the loop until asked to stop, then shuts the server down cleanly. */
static void
daemonMainRun(RpcServer *srv, DaemonMainState *state)
{
    GMainContext *ctx = rpcServerGetContext(srv);
    GSource *tick = NULL;

    g_main_context_set_poll_func(ctx, daemonMainPoll);
    while (!state->quit)
        g_main_context_iteration(ctx, TRUE);

    LOG_INFO("shutting down (%s)", state->reason);
    rpcServerStop(srv);

    /*
     * Let running calls finish, then give their replies a moment to go
     * out (a client that does not read must not hold the shutdown up).
     * A tick wakes the loop to check the deadlines.
     */
    tick = g_timeout_source_new(50);
    g_source_set_callback(tick, daemonMainTick, NULL, NULL);
    g_source_attach(tick, ctx);
    if (!daemonMainWait(ctx, srv, daemonMainNoCalls, DAEMON_MAIN_CALLS_SECONDS))
        LOG_WARN("calls still running after %d s, closing their clients anyway",
                 DAEMON_MAIN_CALLS_SECONDS);
    if (!daemonMainWait(ctx, srv, rpcServerIsQuiescent, DAEMON_MAIN_FLUSH_SECONDS))
        LOG_INFO("replies not taken by their clients within %d s, dropped",
                 DAEMON_MAIN_FLUSH_SECONDS);
    g_source_destroy(tick);
    g_source_unref(tick);
    rpcServerCloseClients(srv);
}

/*
 * The stateful drivers the daemon hosts from its start, not from the
 * first client: their instance reconnects to the QEMUs still running,
 * starts the autostart domains, and then lives as long as the daemon
 * (a kept connection), whoever comes and goes.
 */
static void
daemonMainHostDrivers(RemoteDispatch *rd, bool privileged)
{
    const char *uri = privileged ? "qemu:///system" : "qemu:///session";

    LOG_INFO("hosting '%s'", uri);
    remoteDispatchKeepDriver(rd, uri);
}

static void
daemonMainReportError(void)
{
    const virError *err = errorGetSlot();

    fprintf(stderr, "virtkitd: error: %s\n", err && err->message ? err->message : "unknown error");
}

/*
 * Stream data (a tunnelled migration: 256 KiB packets, a few alive at a
 * time) made glibc's heap grow and shrink by brk() with every packet,
 * each time faulting fresh zeroed pages in: about a tenth of the
 * destination daemon's CPU time.  A fixed mmap threshold above the
 * packet size and a trim threshold of several packets keep those
 * buffers in the heap; up to DAEMON_MAIN_TRIM_BYTES of free memory stay
 * with the process (large messages, up to 32 MiB, are still mmap'ed).
 */
#define DAEMON_MAIN_MMAP_BYTES (1024 * 1024)
#define DAEMON_MAIN_TRIM_BYTES (16 * 1024 * 1024)

static void
daemonMainTuneMalloc(void)
{
    if (!mallopt(M_MMAP_THRESHOLD, DAEMON_MAIN_MMAP_BYTES) ||
        !mallopt(M_TRIM_THRESHOLD, DAEMON_MAIN_TRIM_BYTES))
        LOG_DEBUG("%s", "cannot tune malloc's thresholds, ignoring");
}

int
main(int argc, char **argv)
{
    g_autofree char *configFile = NULL;
    g_autofree char *pidFile = NULL;
    g_autofree char *root = NULL;
    gboolean verbose = FALSE;
    gboolean version = FALSE;
    gint timeout = 0;
    GOptionEntry entries[] = {
        {"config", 'f', 0, G_OPTION_ARG_FILENAME, &configFile,
         "configuration file (default: ROOT/etc/virtkit/virtkitd.conf)", "FILE"},
        {"pid-file", 'p', 0, G_OPTION_ARG_FILENAME, &pidFile,
         "pid file (default: ROOT/run/virtkitd.pid)", "FILE"},
        {"root", 0, 0, G_OPTION_ARG_FILENAME, &root, "put every path of the daemon under DIR",
         "DIR"},
        {"timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "exit after SECS seconds without clients",
         "SECS"},
        {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "log informational messages", NULL},
        {"version", 'V', 0, G_OPTION_ARG_NONE, &version, "print the version and exit", NULL},
        {NULL},
    };
    g_autoptr(GOptionContext) octx = g_option_context_new("- virtkit management daemon");
    g_autoptr(GError) gerr = NULL;
    DaemonMainPaths paths = {0};
    g_autoptr(DaemonConfig) cfg = NULL;
    g_autoptr(DaemonPidfile) pidfile = NULL;
    g_autoptr(RpcServer) srv = NULL;
    g_autoptr(RemoteDispatch) rd = NULL;
    g_autofree char *sockDir = NULL;
    g_autofree char *sockRW = NULL;
    g_autofree char *sockRO = NULL;
    RpcServerConfig srvCfg;
    DaemonMainState state = {0};
    struct sigaction ignore = {.sa_handler = SIG_IGN};
    gid_t group;
    int ret = EXIT_FAILURE;

    daemonMainTuneMalloc();
    g_option_context_add_main_entries(octx, entries, NULL);
    if (!g_option_context_parse(octx, &argc, &argv, &gerr)) {
        fprintf(stderr, "virtkitd: %s\n", gerr->message);
        return EXIT_FAILURE;
    }
    if (argc > 1) {
        fprintf(stderr, "virtkitd: unexpected argument '%s'\n", argv[1]);
        return EXIT_FAILURE;
    }
    if (version) {
        printf("virtkitd (virtkit) %s\n", VIRTKIT_VERSION);
        return EXIT_SUCCESS;
    }
    if (timeout < 0) {
        fprintf(stderr, "virtkitd: --timeout must not be negative\n");
        return EXIT_FAILURE;
    }
    if (root && !g_path_is_absolute(root)) {
        g_autofree char *cwd = g_get_current_dir();
        g_autofree char *abs = g_build_filename(cwd, root, NULL);

        g_free(root);
        root = g_steal_pointer(&abs);
    }

    /* A vanished client must be an EPIPE on write, never a signal. */
    sigaction(SIGPIPE, &ignore, NULL);
    /*
     * Before any socket exists: a client may signal us as soon as it can
     * connect, and a signal during startup still means a clean stop.
     */
    g_unix_signal_add(SIGTERM, daemonMainOnTerminate, &state);
    g_unix_signal_add(SIGINT, daemonMainOnTerminate, &state);
    g_unix_signal_add(SIGHUP, daemonMainOnHangup, &state);
    logInitFromEnv();

    daemonMainPathsInit(&paths, root);
    cfg = daemonConfigNew(paths.privileged);
    if (daemonConfigLoadFile(cfg, configFile ? configFile : paths.configFile, !!configFile) < 0 ||
        daemonMainSetupLogging(cfg, verbose) < 0 ||
        daemonMainResolveGroup(cfg->unixSockGroup, &group) < 0)
        goto cleanup;

    sockDir = cfg->unixSockDir ? g_strdup(cfg->unixSockDir) : g_strdup(paths.runDir);
    sockRW = g_build_filename(sockDir, "virtkit-sock", NULL);
    sockRO = g_build_filename(sockDir, "virtkit-sock-ro", NULL);
    if (g_mkdir_with_parents(sockDir, 0755) < 0) {
        reportSystemError(errno, _("cannot create directory '%1$s'"), sockDir);
        goto cleanup;
    }

    /*
     * The library: its drivers are reached through the public API only.
     * Daemon mode first, before any connection exists (daemonMainHostDrivers).
     */
    if (virtkitDaemonInit(root, paths.privileged ? VIRTKIT_DAEMON_PRIVILEGED : 0) < 0 ||
        (cfg->hostUUID && virtkitDaemonSetHostUUID(cfg->hostUUID) < 0) ||
        virInitialize() < 0 || virEventRegisterDefaultImpl() < 0) {
        fprintf(stderr, "virtkitd: error: %s\n", virGetLastErrorMessage());
        goto cleanup_quiet;
    }
    virSetErrorFunc(NULL, daemonMainLibraryError);

    if (!(pidfile = daemonPidfileAcquire(pidFile ? pidFile : paths.pidFile)))
        goto cleanup;

    daemonMainServerConfig(cfg, &srvCfg);
    srv = rpcServerNew(&srvCfg, g_main_context_default());
    rd = remoteDispatchNew();
    remoteDispatchInstall(rd, srv);
    daemonMainHostDrivers(rd, paths.privileged);
    if (rpcServerAddUnixService(srv, sockRW, cfg->unixSockRWPerms, group, false) < 0 ||
        rpcServerAddUnixService(srv, sockRO, cfg->unixSockROPerms, group, true) < 0 ||
        daemonNetListen(srv, cfg, root, paths.privileged) < 0 ||
        rpcServerStart(srv) < 0)
        goto cleanup;
    if (timeout > 0)
        rpcServerSetIdleTimeout(srv, (unsigned int)timeout, daemonMainOnIdle, &state);

    LOG_INFO("virtkitd %s started (pid %d), sockets '%s' and '%s'", VIRTKIT_VERSION, (int)getpid(),
             sockRW, sockRO);
    daemonMainRun(srv, &state);
    ret = EXIT_SUCCESS;
    goto cleanup_quiet;

cleanup:
    daemonMainReportError();
cleanup_quiet:
    /* Order: clients and workers, then the daemon's own connections, then the pid file. */
    g_clear_pointer(&srv, rpcServerFree);
    g_clear_pointer(&rd, remoteDispatchFree);
    g_clear_pointer(&pidfile, daemonPidfileRelease);
    daemonMainPathsClear(&paths);
    if (ret == EXIT_SUCCESS)
        LOG_INFO("%s", "virtkitd stopped");
    return ret;
}
