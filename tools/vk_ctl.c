/* vk_ctl.c: state of one virtkit run: connection, output, errors, logging */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vk_ctl.h"
#include "vk_event.h"
#include "vk_util.h"

static void vkCtlErrorFunc(void *opaque, virErrorPtr err);
static void vkCtlCloseCallback(virConnectPtr conn, int reason, void *opaque);

/**
 * vkCtlNew:
 *
 * Allocates the state of a run with virsh's defaults and installs the
 * library error handler that records the last error for vkReportError().
 *
 * Returns: a new VkCtl (caller owns, free with vkCtlFree()).
 */
VkCtl *
vkCtlNew(void)
{
    VkCtl *ctl = g_new0(VkCtl, 1);

    ctl->debug = VK_LOG_ERROR;
    ctl->logfd = -1;
    ctl->keepaliveInterval = -1;
    ctl->keepaliveCount = -1;
    g_mutex_init(&ctl->lock);
    virSetErrorFunc(ctl, vkCtlErrorFunc);
    return ctl;
}

/**
 * vkCtlFree:
 * @ctl: state to release, may be NULL
 *
 * Closes the connection and the log file, stops the event thread and frees
 * @ctl.
 */
void
vkCtlFree(VkCtl *ctl)
{
    if (!ctl)
        return;
    vkCtlDisconnect(ctl);
    vkCtlEventLoopStop(ctl);
    virSetErrorFunc(NULL, NULL);
    if (ctl->logfd >= 0)
        close(ctl->logfd);
    g_free(ctl->uri);
    g_free(ctl->connURI);
    g_free(ctl->logfile);
    g_free(ctl->escape);
    g_free(ctl->lastError);
    g_mutex_clear(&ctl->lock);
    g_free(ctl);
}

/*
 * Whether the local virtkitd accepts connections on its read-write socket
 * (the one the remote driver uses for qemu:///system as root, and for
 * qemu:///session otherwise).  A socket file left by a dead daemon
 * refuses the connection; a full backlog (EAGAIN) still means a daemon.
 */
static bool
vkCtlDaemonRunning(bool privileged)
{
    g_autofree char *path = privileged
        ? g_strdup("/run/virtkit/virtkit-sock")
        : g_build_filename(g_get_user_runtime_dir(), "virtkit", "virtkit-sock", NULL);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    bool running;
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path))
        return false;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
        return false;
    running = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 || errno == EAGAIN;
    close(fd);
    return running;
}

/**
 * vkCtlDefaultURI:
 * @retExplicit: set to true when the URI was chosen by the user (environment)
 *
 * The single place where virtkit chooses a URI when -c is not given:
 * VIRTKIT_DEFAULT_URI, else LIBVIRT_DEFAULT_URI, else the local daemon's
 * default driver when virtkitd runs (its socket accepts connections:
 * qemu:///system as root, qemu:///session otherwise), else
 * test:///default.  virsh likewise probes for a local libvirtd.
 *
 * Returns: the URI (static or environment storage, do not free).
 */
const char *
vkCtlDefaultURI(bool *retExplicit)
{
    const char *uri;
    bool privileged = geteuid() == 0;

    if ((uri = g_getenv("VIRTKIT_DEFAULT_URI")) && *uri) {
        *retExplicit = true;
        return uri;
    }
    *retExplicit = false;
    if ((uri = g_getenv("LIBVIRT_DEFAULT_URI")) && *uri)
        return uri;
    if (vkCtlDaemonRunning(privileged))
        return privileged ? "qemu:///system" : "qemu:///session";
    return "test:///default";
}

static void
vkCtlErrorFunc(void *opaque, virErrorPtr err)
{
    VkCtl *ctl = opaque;

    if (!ctl || !err)
        return;
    g_mutex_lock(&ctl->lock);
    g_free(ctl->lastError);
    ctl->lastError = g_strdup(err->message ? err->message : "unknown error");
    ctl->lastErrorCode = err->code;
    g_mutex_unlock(&ctl->lock);
}

/**
 * vkSetError:
 * @ctl: run state
 * @message: text of the error
 *
 * Records an error as if the library had raised it, for the few checks the
 * CLI does itself that virsh delegates to libvirt's utility code (reading
 * files, scaling numbers).  It is printed by the next vkReportError().
 */
void
vkSetError(VkCtl *ctl, const char *message)
{
    g_mutex_lock(&ctl->lock);
    g_free(ctl->lastError);
    ctl->lastError = g_strdup(message);
    ctl->lastErrorCode = VIR_ERR_INTERNAL_ERROR;
    g_mutex_unlock(&ctl->lock);
}

/**
 * vkLastErrorCode:
 * @ctl: run state
 *
 * Returns: the code of the last recorded library error, VIR_ERR_OK if none.
 */
int
vkLastErrorCode(VkCtl *ctl)
{
    int code = VIR_ERR_OK;
    virErrorPtr err;

    g_mutex_lock(&ctl->lock);
    if (ctl->lastError)
        code = ctl->lastErrorCode;
    g_mutex_unlock(&ctl->lock);
    if (code == VIR_ERR_OK && (err = virGetLastError()))
        code = err->code;
    return code;
}

/**
 * vkReportError:
 * @ctl: run state
 *
 * Prints the last library error (or the one recorded by vkSetError()) as
 * "error: MESSAGE" and forgets it.  Prints nothing if there is none.
 */
void
vkReportError(VkCtl *ctl)
{
    g_autofree char *msg = NULL;

    g_mutex_lock(&ctl->lock);
    msg = g_steal_pointer(&ctl->lastError);
    g_mutex_unlock(&ctl->lock);

    if (!msg) {
        virErrorPtr err = virGetLastError();

        if (err && err->code != VIR_ERR_OK)
            msg = g_strdup(err->message ? err->message : "unknown error");
    }
    if (msg)
        vkError(ctl, "%s", msg);
    vkResetError(ctl);
}

/**
 * vkResetError:
 * @ctl: run state
 *
 * Forgets the last library error without printing it.
 */
void
vkResetError(VkCtl *ctl)
{
    g_mutex_lock(&ctl->lock);
    g_clear_pointer(&ctl->lastError, g_free);
    ctl->lastErrorCode = VIR_ERR_OK;
    g_mutex_unlock(&ctl->lock);
    virResetLastError();
}

static void
vkCtlLog(VkCtl *ctl, VkLogLevel level, const char *msg)
{
    static const char *const names[] = { "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR" };
    g_autofree char *line = NULL;
    time_t now = time(NULL);
    struct tm tm;
    size_t len;
    ssize_t done = 0;

    if (ctl->logfd < 0)
        return;
    localtime_r(&now, &tm);
    line = g_strdup_printf("[%d.%02d.%02d %02d:%02d:%02d virtkit %d] %s %s%s",
                           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                           tm.tm_hour, tm.tm_min, tm.tm_sec, (int) getpid(),
                           names[level], msg,
                           g_str_has_suffix(msg, "\n") ? "" : "\n");
    len = strlen(line);
    while ((size_t) done < len) {
        ssize_t n = write(ctl->logfd, line + done, len - (size_t) done);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        done += n;
    }
}

/**
 * vkCtlOpenLogFile:
 * @ctl: run state with @logfile set
 *
 * Opens the -l log file for appending, refusing anything that is not a
 * regular file.
 *
 * Returns: 0 on success, -1 after printing an error.
 */
int
vkCtlOpenLogFile(VkCtl *ctl)
{
    struct stat st;

    if (!ctl->logfile)
        return 0;
    if (stat(ctl->logfile, &st) < 0) {
        if (errno != ENOENT) {
            vkError(ctl, "%s", "failed to get the log file information");
            return -1;
        }
    } else if (!S_ISREG(st.st_mode)) {
        vkError(ctl, "%s", "the log path is not a file");
        return -1;
    }
    ctl->logfd = open(ctl->logfile, O_WRONLY | O_APPEND | O_CREAT | O_SYNC | O_CLOEXEC, 0644);
    if (ctl->logfd < 0) {
        vkError(ctl, "%s", "failed to open the log file. check the log file path");
        return -1;
    }
    return 0;
}

/**
 * vkPrint:
 * @ctl: run state
 * @fmt: printf format
 *
 * Prints command output on stdout.
 */
void
vkPrint(VkCtl *ctl, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
}

/**
 * vkPrintExtra:
 * @ctl: run state
 * @fmt: printf format
 *
 * Prints informational output (headers, confirmations) on stdout unless
 * -q was given.
 */
void
vkPrintExtra(VkCtl *ctl, const char *fmt, ...)
{
    va_list ap;

    if (ctl && ctl->quiet)
        return;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
}

/**
 * vkError:
 * @ctl: run state, may be NULL
 * @fmt: printf format of the message
 *
 * Prints "error: MESSAGE" on stderr (after flushing stdout, so that the two
 * streams interleave correctly when redirected together) and logs it.
 */
void
vkError(VkCtl *ctl, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    if (ctl)
        vkCtlLog(ctl, VK_LOG_ERROR, msg);
    fflush(stdout);
    fprintf(stderr, "error: %s\n", msg);
    fflush(stderr);
}

/**
 * vkDebug:
 * @ctl: run state
 * @level: importance of the message
 * @fmt: printf format
 *
 * Prints a diagnostic on stderr and to the log file when @level is at
 * least the -d level.
 */
void
vkDebug(VkCtl *ctl, VkLogLevel level, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    if ((int) level < ctl->debug)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    vkCtlLog(ctl, level, msg);
    fflush(stdout);
    fputs(msg, stderr);
    if (!g_str_has_suffix(msg, "\n"))
        fputc('\n', stderr);
}

static gpointer
vkCtlEventThread(gpointer opaque)
{
    VkCtl *ctl = opaque;

    while (!g_atomic_int_get(&ctl->eventQuit)) {
        if (virEventRunDefaultImpl() < 0) {
            vkDebug(ctl, VK_LOG_DEBUG, "event loop iteration failed");
            vkResetError(ctl);
            g_usleep(10 * 1000);
        }
    }
    return NULL;
}

/**
 * vkCtlEventLoopStart:
 * @ctl: run state
 *
 * Registers the library's default event loop and runs it in a background
 * thread, as virsh does, so that events and keepalives are handled while
 * commands run.  Must be called before the first connection is opened.
 *
 * Returns: 0 on success, -1 after printing an error.
 */
int
vkCtlEventLoopStart(VkCtl *ctl)
{
    sigset_t block;
    sigset_t old;

    if (virEventRegisterDefaultImpl() < 0) {
        vkReportError(ctl);
        return -1;
    }
    /*
     * The loop thread must never take SIGINT: a Ctrl-C has to interrupt the
     * main thread's read of the terminal (line editing) or wait.  A thread
     * inherits the creator's signal mask, so block it around the creation.
     */
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    ctl->eventThread = g_thread_new("vk-event", vkCtlEventThread, ctl);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return 0;
}

static void
vkCtlWakeup(int timer, void *opaque G_GNUC_UNUSED)
{
    virEventRemoveTimeout(timer);
}

/**
 * vkCtlEventLoopStop:
 * @ctl: run state
 *
 * Stops and joins the event thread, if it runs.
 */
void
vkCtlEventLoopStop(VkCtl *ctl)
{
    if (!ctl->eventThread)
        return;
    g_atomic_int_set(&ctl->eventQuit, 1);
    /* a timer firing at once wakes the loop so that it sees the flag */
    if (virEventAddTimeout(0, vkCtlWakeup, NULL, NULL) < 0)
        vkResetError(ctl);
    g_thread_join(g_steal_pointer(&ctl->eventThread));
}

static void
vkCtlCloseCallback(virConnectPtr conn G_GNUC_UNUSED, int reason, void *opaque)
{
    VkCtl *ctl = opaque;
    const char *fmt = "Disconnected from %s due to unknown reason";

    /* VIR_CONNECT_CLOSE_REASON_CLIENT means we closed it ourselves */
    if (reason == VIR_CONNECT_CLOSE_REASON_CLIENT)
        return;
    /* as virsh: say why, and end a running `event` wait */
    switch (reason) {
    case VIR_CONNECT_CLOSE_REASON_ERROR:
        fmt = "Disconnected from %s due to I/O error";
        break;
    case VIR_CONNECT_CLOSE_REASON_EOF:
        fmt = "Disconnected from %s due to end of file";
        break;
    case VIR_CONNECT_CLOSE_REASON_KEEPALIVE:
        fmt = "Disconnected from %s due to keepalive timeout";
        break;
    }
    vkError(ctl, fmt, ctl->connURI ? ctl->connURI : "<null>");
    g_atomic_int_set(&ctl->disconnected, 1);
    vkEventDone();
}

/* virsh's defaults when -k / -K are not given */
#define VK_KEEPALIVE_INTERVAL 5
#define VK_KEEPALIVE_COUNT 6

/*
 * Applies -k/-K to a new connection.  Returns 0 to keep it, -1 when an
 * explicitly requested keepalive failed: @conn is then closed and the
 * library error recorded.
 */
static int
vkCtlSetKeepAlive(VkCtl *ctl, virConnectPtr conn)
{
    int interval = VK_KEEPALIVE_INTERVAL;
    unsigned int count = VK_KEEPALIVE_COUNT;
    bool forced = false;

    if (ctl->keepaliveInterval >= 0) {
        interval = ctl->keepaliveInterval;
        forced = true;
    }
    if (ctl->keepaliveCount >= 0) {
        count = (unsigned int)ctl->keepaliveCount;
        forced = true;
    }
    if (virConnectSetKeepAlive(conn, interval, count) == 0)
        return 0;
    if (!forced || interval <= 0) {
        vkDebug(ctl, VK_LOG_DEBUG, "keepalive is not available on this connection");
        vkResetError(ctl);
        return 0;
    }
    /* the library's error stays recorded in ctl for the caller to print */
    vkError(ctl, "%s", "Cannot setup keepalive on connection as requested, disconnecting");
    virConnectClose(conn);
    return -1;
}

/**
 * vkCtlConnect:
 * @ctl: run state
 * @uri: URI to open, NULL for the default choice (vkCtlDefaultURI())
 * @readonly: open a read-only connection
 *
 * Opens a connection and makes it the current one, closing the previous
 * one first.  Keepalive is set up as virsh does: every 5 s, 6 missed
 * replies, unless -k/-K say otherwise; a connection that cannot do
 * keepalive (in-process drivers) is kept unless -k asked for a positive
 * interval or -K was given with the default interval.
 *
 * Returns: 0 on success, -1 with the library error recorded.
 */
int
vkCtlConnect(VkCtl *ctl, const char *uri, bool readonly)
{
    bool explicitURI;
    virConnectPtr conn;

    if (!uri)
        uri = vkCtlDefaultURI(&explicitURI);

    vkCtlDisconnect(ctl);
    vkDebug(ctl, VK_LOG_INFO, "connecting to '%s'%s", uri, readonly ? " (read-only)" : "");
    conn = readonly ? virConnectOpenReadOnly(uri) : virConnectOpen(uri);
    if (!conn)
        return -1;

    if (vkCtlSetKeepAlive(ctl, conn) < 0)
        return -1;

    if (virConnectRegisterCloseCallback(conn, vkCtlCloseCallback, ctl, NULL) < 0) {
        vkDebug(ctl, VK_LOG_DEBUG, "cannot register the disconnect callback");
        vkResetError(ctl);
    }
    g_atomic_int_set(&ctl->disconnected, 0);
    g_free(ctl->connURI);
    ctl->connURI = g_strdup(uri);
    ctl->conn = conn;
    ctl->readonly = readonly;
    return 0;
}

/**
 * vkCtlDisconnect:
 * @ctl: run state
 *
 * Closes the current connection, if any.
 */
void
vkCtlDisconnect(VkCtl *ctl)
{
    if (!ctl->conn)
        return;
    if (virConnectUnregisterCloseCallback(ctl->conn, vkCtlCloseCallback) < 0)
        vkResetError(ctl);
    if (virConnectClose(ctl->conn) < 0) {
        vkError(ctl, "%s", "Failed to disconnect from the hypervisor");
        vkResetError(ctl);
    }
    ctl->conn = NULL;
}

/**
 * vkCtlConn:
 * @ctl: run state
 *
 * Returns the connection, (re)opening it first if there is none yet or the
 * previous one died.  Failures are printed as virsh prints them.
 *
 * Returns: the connection (owned by @ctl) or NULL.
 */
virConnectPtr
vkCtlConn(VkCtl *ctl)
{
    bool lost = g_atomic_int_get(&ctl->disconnected);

    if (ctl->conn && !lost)
        return ctl->conn;
    if (vkCtlConnect(ctl, ctl->uri, ctl->readonly) < 0) {
        vkError(ctl, "%s", lost ? "Failed to reconnect to the hypervisor"
                                : "failed to connect to the hypervisor");
        return NULL;
    }
    if (lost)
        vkError(ctl, "%s", "Reconnected to the hypervisor");
    return ctl->conn;
}

/**
 * vkCtlRunCommands:
 * @ctl: run state
 * @cmds: parsed commands, chained
 *
 * Runs the commands in order.  A failed command prints its error and the
 * next one still runs; after each command an empty line is printed unless
 * -q was given (virsh's output framing).  "quit"/"exit" stop the chain.
 *
 * Returns: the success of the last command run.
 */
bool
vkCtlRunCommands(VkCtl *ctl, const VkCmd *cmds)
{
    const VkCmd *cmd;
    bool ret = true;

    for (cmd = cmds; cmd; cmd = cmd->next) {
        gint64 before = g_get_monotonic_time();

        if ((cmd->def->flags & VK_CMD_FLAG_NOCONNECT) || vkCtlConn(ctl))
            ret = cmd->def->handler(ctl, cmd);
        else
            ret = false;

        if (!ret)
            vkReportError(ctl);

        if (vkStreq(cmd->def->name, "quit") || vkStreq(cmd->def->name, "exit"))
            break;

        if (ctl->timing)
            vkPrint(ctl, "\n(Time: %.3f ms)\n\n",
                    (double) (g_get_monotonic_time() - before) / 1000.0);
        else
            vkPrintExtra(ctl, "\n");
        fflush(stdout);
    }
    return ret;
}
